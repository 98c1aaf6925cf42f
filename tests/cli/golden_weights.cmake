# Runs `pcmsim run` (arguments in ARGS, separated by '|') with --dump-weights
# and passes when the SHA-256 of the read-back weights is EXPECTED: a result
# recorded from an earlier version, so that a change which should not alter
# results (a feature at its neutral setting) is shown not to.
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${PCMSIM}" run ${args} --dump-weights "${WORK}/weights.f32"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pcmsim run failed (${rc}): ${err}")
endif()
file(SHA256 "${WORK}/weights.f32" digest)
if(NOT digest STREQUAL "${EXPECTED}")
  message(FATAL_ERROR "read-back weights changed: sha256 ${digest}, recorded ${EXPECTED}")
endif()
message(STATUS "ok: sha256 ${digest}")
