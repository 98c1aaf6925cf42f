# Runs rtl_platform_agree through the fast and the pin-level platform and
# compares what each saw (weights, registers, statistics) byte for byte.
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
