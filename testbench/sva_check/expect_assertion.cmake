# Runs the checker harness (CHECKER) with --violate NAME; passes only when it
# exits non-zero after exactly one assertion failure, that of NAME, printing
# MESSAGE (literal text). Not a hang (TIMEOUT), a usage error, silence, or
# another assertion firing first or as well.
foreach(var CHECKER NAME MESSAGE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "expect_assertion: ${var} not given")
  endif()
endforeach()
execute_process(COMMAND "${CHECKER}" --violate "${NAME}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 30)
set(all "${out}\n${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the checker exited 0; expected ${NAME} to fire:\n${all}")
endif()
string(REGEX MATCHALL "Assertion failed in [^\n]*" fired "${all}")
list(LENGTH fired count)
if(count EQUAL 0)
  message(FATAL_ERROR "the checker failed (${rc}) without an assertion:\n${all}")
endif()
if(NOT count EQUAL 1)
  message(FATAL_ERROR "${count} assertions fired, expected ${NAME} alone:\n${all}")
endif()
# the failing assertion's scope ends in its label, then its message
if(NOT fired MATCHES "^Assertion failed in [A-Za-z0-9_.]*\\.${NAME}: ")
  message(FATAL_ERROR "'${fired}' is not ${NAME}")
endif()
string(FIND "${fired}" ": ${MESSAGE}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "'${fired}' lacks the message '${MESSAGE}'")
endif()
message(STATUS "caught: ${fired}")
