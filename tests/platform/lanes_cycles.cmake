# For each lane count in LANES (ascending): the fast platform with that
# Verilated variant stores and loads the whole model bit-identically to the
# functional model with the same lanes (--model), and the cycle count falls
# from 1 to 8 lanes.
set(previous "")
foreach(lanes IN LISTS LANES)
  execute_process(COMMAND ${PROGRAM} --platform fast --lanes ${lanes} --model
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "--lanes ${lanes} failed (${rc}): ${out}${err}")
  endif()
  if(NOT out MATCHES "cycles ([0-9]+)" OR NOT out MATCHES "model: identical")
    message(FATAL_ERROR "--lanes ${lanes}: unexpected output: ${out}")
  endif()
  string(REGEX MATCH "cycles ([0-9]+)" _ "${out}")
  set(cycles ${CMAKE_MATCH_1})
  message(STATUS "lanes ${lanes}: ${cycles} cycles")
  if(NOT previous STREQUAL "" AND NOT cycles LESS previous)
    message(FATAL_ERROR "lanes ${lanes}: ${cycles} cycles, not fewer than ${previous} with fewer lanes")
  endif()
  set(previous ${cycles})
endforeach()
