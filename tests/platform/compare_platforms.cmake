# Runs rtl_platform_agree through the fast and the pin-level platform and
# compares what each saw (weights, registers, statistics) byte for byte; with
# TRACED, also the fast platform writing a waveform (its traced build) against
# the fast platform without one (its untraced build).
foreach(kind fast pin)
  execute_process(COMMAND ${PROGRAM} --platform ${kind} --out ${DIR}/agree_${kind}.txt
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "--platform ${kind} failed (${rc}): ${out}${err}")
  endif()
  message(STATUS "${kind}: ${out}")
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${DIR}/agree_fast.txt ${DIR}/agree_pin.txt RESULT_VARIABLE diff)
if(NOT diff EQUAL 0)
  message(FATAL_ERROR "the fast and pin-level platforms differ: compare ${DIR}/agree_fast.txt and agree_pin.txt")
endif()
if(TRACED)
  execute_process(COMMAND ${PROGRAM} --platform fast --trace ${DIR}/agree_fast.fst --out ${DIR}/agree_fast_traced.txt
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "--platform fast --trace failed (${rc}): ${out}${err}")
  endif()
  file(SIZE ${DIR}/agree_fast.fst fst_bytes)
  file(REMOVE ${DIR}/agree_fast.fst)  # some 27 MB
  if(fst_bytes LESS 1000)
    message(FATAL_ERROR "the traced run wrote ${fst_bytes} bytes of waveform")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${DIR}/agree_fast.txt ${DIR}/agree_fast_traced.txt
                  RESULT_VARIABLE diff)
  if(NOT diff EQUAL 0)
    message(FATAL_ERROR "the fast platform's traced and untraced builds differ: compare ${DIR}/agree_fast.txt and agree_fast_traced.txt")
  endif()
endif()
