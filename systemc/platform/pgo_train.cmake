# PCMSIM_RTL_PGO's training step (systemc/platform/CMakeLists.txt): runs the
# instrumented speed harness once per fast-platform variant, then copies the
# profile of each object (FROM/<object>.gcda) to where the library's object of
# the same source looks for it: the Verilated sources' to MODEL_TO, the
# platform's own (src/) to PLATFORM_TO. Touches STAMP.
# cmake -DTRAIN=exe -DRUNS=lanes:dac:adc;... -DFROM=dir -DMODEL_TO=dir -DPLATFORM_TO=dir -DSTAMP=file -P pgo_train.cmake
foreach(var TRAIN RUNS FROM MODEL_TO PLATFORM_TO STAMP)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "pgo_train.cmake: -D${var}=... is missing")
  endif()
endforeach()
# counts of an earlier build's objects would not match this one's
file(GLOB_RECURSE stale "${FROM}/*.gcda")
if(stale)
  file(REMOVE ${stale})
endif()
foreach(run IN LISTS RUNS)
  string(REPLACE ":" ";" fields "${run}")
  list(GET fields 0 lanes)
  list(GET fields 1 dacw)
  list(GET fields 2 adcw)
  # sp+am+ar (ctrl 7), one cell: the engines' default strategy
  execute_process(COMMAND "${TRAIN}" --platform fast --lanes ${lanes} --dac-width ${dacw} --adc-width ${adcw}
                          --ctrl 7 --weights 60000 --bare 0
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pgo_train.cmake: the training run of variant ${run} failed (${rc}): ${err}")
  endif()
endforeach()
set(copied 0)
foreach(part "CMakeFiles/pcm_rtl_model.dir|${MODEL_TO}" "src|${PLATFORM_TO}")
  string(REPLACE "|" ";" part "${part}")
  list(GET part 0 sub)
  list(GET part 1 to)
  file(GLOB_RECURSE profiles RELATIVE "${FROM}" "${FROM}/${sub}/*.gcda")
  foreach(p IN LISTS profiles)
    get_filename_component(dir "${to}/${p}" DIRECTORY)
    file(MAKE_DIRECTORY "${dir}")
    file(COPY_FILE "${FROM}/${p}" "${to}/${p}" ONLY_IF_DIFFERENT)
    math(EXPR copied "${copied} + 1")
  endforeach()
endforeach()
if(copied EQUAL 0)
  message(FATAL_ERROR "pgo_train.cmake: the training runs wrote no profile under ${FROM}")
endif()
file(TOUCH "${STAMP}")
