# Runs the bench built over mutated RTL (BENCH, arguments in ARGS separated by
# '|'); passes only when it exits non-zero AND reports a scoreboard mismatch on
# a read beat (not a hang, a usage error or an empty coverage bin).
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${BENCH}" ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 600)
if(rc EQUAL 0)
  message(FATAL_ERROR "the bench passed the mutant")
endif()
set(pattern "MISMATCH at cycle [0-9]+: read beat: design 0x[0-9a-f]+ last=[01] err=[01], model 0x[0-9a-f]+")
string(REGEX MATCH "${pattern}" first "${out}")
if(NOT first)
  message(FATAL_ERROR "the mutant failed (${rc}) without a read-beat mismatch: ${err} ${out}")
endif()
message(STATUS "caught: ${first}")
