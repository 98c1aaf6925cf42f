# Runs `pcmsim run` with --engine rtl and --engine model on the same model and
# arguments (ARGS, separated by '|'); passes when the read-back weights are
# bit-identical and every controller counter and cell figure is the same.
# RTL_ARGS (the array's timing) go to the rtl engine only: the model engine
# counts no cycles and refuses them.
string(REPLACE "|" ";" args "${ARGS}")
string(REPLACE "|" ";" args_rtl "${RTL_ARGS}")
set(args_model "")
foreach(engine rtl model)
  execute_process(COMMAND "${PCMSIM}" run ${args} ${args_${engine}} --engine ${engine} --seeds 1
                          --dump-weights "${WORK}/${engine}.f32" --out "${WORK}/${engine}.json"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "--engine ${engine} failed (${rc}): ${err}")
  endif()
  file(READ "${WORK}/${engine}.json" json_${engine})
endforeach()
execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${WORK}/rtl.f32" "${WORK}/model.f32"
                RESULT_VARIABLE differ)
if(differ)
  message(FATAL_ERROR "read-back weights differ between --engine rtl and --engine model")
endif()
file(SIZE "${WORK}/rtl.f32" bytes)
string(JSON weights GET "${json_rtl}" result weights)
math(EXPR expected "${weights} * 4")
if(NOT bytes EQUAL expected)
  message(FATAL_ERROR "dump has ${bytes} bytes, expected ${expected}")
endif()
foreach(section counters cost_ideal cost_realistic accuracy_per_seed accuracy_mean)
  string(JSON a GET "${json_rtl}" result ${section})
  string(JSON b GET "${json_model}" result ${section})
  if(NOT a STREQUAL b)
    message(FATAL_ERROR "${section} differs:\n rtl:   ${a}\n model: ${b}")
  endif()
endforeach()
string(JSON cells GET "${json_rtl}" result counters cells_written)
string(JSON cycles GET "${json_rtl}" result timing cycles)
message(STATUS "ok: ${weights} weights bit-identical, ${cells} analog cells each, rtl ${cycles} cycles")
