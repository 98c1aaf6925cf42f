# Runs a bench (BENCH, arguments in ARGS separated by '|') that must fail;
# passes only when it exits non-zero AND its first failure line matches EXPECT
# (a regex): the first "MISMATCH at cycle N: ..." line of the scoreboard, or
# a Verilator "Assertion failed in ..." line. Not a hang, a usage error or an
# empty coverage bin.
string(REPLACE "|" ";" args "${ARGS}")
if(NOT EXPECT)
  message(FATAL_ERROR "expect_mismatch: no EXPECT pattern given")
endif()
execute_process(COMMAND "${BENCH}" ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 600)
if(rc EQUAL 0)
  message(FATAL_ERROR "the bench passed; expected a failure matching: ${EXPECT}")
endif()
string(REGEX MATCH "MISMATCH at cycle [0-9]+: [^\n]*|Assertion failed in [^\n]*" first "${out}\n${err}")
if(NOT first)
  message(FATAL_ERROR "the bench failed (${rc}) without a mismatch or an assertion: ${err} ${out}")
endif()
if(NOT first MATCHES "${EXPECT}")
  message(FATAL_ERROR "the bench failed first with '${first}', expected a match of '${EXPECT}'")
endif()
message(STATUS "caught: ${first}")
