# Runs `pcmsim channel --table TABLE`; passes when it exits non-zero with
# exactly one line on stderr that names the table file.
execute_process(COMMAND "${PCMSIM}" channel --table "${TABLE}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "expected a non-zero exit, got 0; stdout: ${out}")
endif()
string(REGEX MATCHALL "\n" newlines "${err}")
list(LENGTH newlines n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected exactly one line on stderr, got ${n}: ${err}")
endif()
get_filename_component(name "${TABLE}" NAME)
if(NOT err MATCHES "${name}:[0-9]+: ")
  message(FATAL_ERROR "error does not name the file and line: ${err}")
endif()
message(STATUS "ok: ${err}")
