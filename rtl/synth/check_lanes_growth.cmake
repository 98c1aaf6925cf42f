# ctest Rtl.SynthesisFlipFlopsGrowWithLanes: synthesize pcm_ctrl at 1 and 2
# lanes (16/16 bits) with scripts/synth_area.py and check the area files: a
# lane adds its packer, verifier and reader registers, so the flip-flop count
# must grow, and neither netlist may be empty.
# cmake -DSCRIPT=synth_area.py -DYOSYS=yosys -DOUT_DIR=dir -P check_lanes_growth.cmake
foreach(lanes 1 2)
  execute_process(
    COMMAND /usr/bin/python3 "${SCRIPT}" --lanes ${lanes} --dac-width 16 --adc-width 16
            --out-dir "${OUT_DIR}" --yosys "${YOSYS}"
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "synth_area.py --lanes ${lanes} failed (exit ${rc})")
  endif()
  file(READ "${OUT_DIR}/pcm_ctrl_lanes${lanes}_dac16_adc16.json" area)
  string(JSON ff${lanes} GET "${area}" flip_flops)
  string(JSON cells${lanes} GET "${area}" cell_count)
  string(JSON got_lanes GET "${area}" lanes)
  message(STATUS "lanes ${lanes}: ${cells${lanes}} cells, ${ff${lanes}} flip-flops")
  if(NOT got_lanes EQUAL lanes)
    message(FATAL_ERROR "the area file for ${lanes} lanes says lanes = ${got_lanes}")
  endif()
  # the register block alone holds about 1,400 bits (registers, LUT, counters)
  if(ff${lanes} LESS 1000 OR cells${lanes} LESS 10000)
    message(FATAL_ERROR "lanes ${lanes}: ${cells${lanes}} cells, ${ff${lanes}} flip-flops: "
                        "too few for pcm_ctrl (was logic optimized away?)")
  endif()
endforeach()
if(NOT ff2 GREATER ff1)
  message(FATAL_ERROR "flip-flops do not grow with lanes: ${ff1} at 1 lane, ${ff2} at 2")
endif()
