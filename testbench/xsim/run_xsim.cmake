# Cross-simulator check of rtl/pcm_ctrl (cmake -P script).
#
# Runs the directed bench tb_pcm_ctrl_directed.sv under Icarus Verilog
# (iverilog -g2012 + vvp) and under Verilator (--binary --timing) and requires
# the two event logs to be identical, non-empty and complete (the final counter
# lines and "end of test", no ERROR line).
#
#   cmake -DSRC_DIR=<repository root> -DWORK_DIR=<scratch dir> [-DCOMPARE_ONLY=ON]
#         -P testbench/xsim/run_xsim.cmake
#
# Both simulators get rtl/ unchanged. (Icarus 11.0 loops forever when two
# always_comb processes keep waking each other, steveicarus/iverilog#508; the
# RTL is written not to trigger it, and a hang here fails the check.)
# ICARUS_TIMEOUT (default 300 s) limits vvp; the Verilator model gets 300 s too.
# The bench has its own cycle limit (+max_cycles).
# COMPARE_ONLY=ON: skip building and running; only check and compare the two
# logs already in WORK_DIR (to check the checker).
# GATE_NETLIST=<file>: gate level. The second simulation is Icarus on that
# Yosys netlist of pcm_ctrl (4 lanes, 16/16 bits, the bench's configuration)
# instead of Verilator on the RTL: the netlist must write the RTL's log.
# (Verilator 5.006 misreads Yosys's flattened netlist, rtl/synth/README.md.)

cmake_minimum_required(VERSION 3.20)

foreach(var SRC_DIR WORK_DIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_xsim.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED ICARUS_TIMEOUT)
  set(ICARUS_TIMEOUT 300)
endif()

get_filename_component(SRC_DIR "${SRC_DIR}" ABSOLUTE)
get_filename_component(WORK_DIR "${WORK_DIR}" ABSOLUTE)
set(RTL_DIR "${SRC_DIR}/rtl")
set(TB "${SRC_DIR}/testbench/xsim/tb_pcm_ctrl_directed.sv")
set(TOP tb_pcm_ctrl_directed)
set(ICARUS_OUT "${WORK_DIR}/icarus_out.txt")
set(VERILATOR_OUT "${WORK_DIR}/verilator_out.txt")  # the second simulation's log
if(GATE_NETLIST)
  set(SECOND "the gate-level netlist")
else()
  set(SECOND "Verilator")
endif()
# RTL sources in compile order
set(RTL_MODULES
  pcm_ctrl_reg_pkg.sv pcm_ctrl_pkg.sv pcm_ctrl_reg.sv pcm_encoder.sv pcm_writer.sv pcm_verifier.sv pcm_refs.sv pcm_reader.sv
  pcm_decoder.sv pcm_ctrl.sv)

# Prints the last lines of a log file (for failure messages).
function(xsim_tail file out_var)
  set(text "")
  if(EXISTS "${file}")
    file(STRINGS "${file}" lines)
    list(LENGTH lines n)
    if(n GREATER 30)
      math(EXPR first "${n} - 30")
      list(SUBLIST lines ${first} 30 lines)
    endif()
    list(JOIN lines "\n" text)
  endif()
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

# Runs a command; on failure stops with its log. TIMEOUT 0 means none.
function(xsim_run what log timeout)
  set(cmd ${ARGN})
  if(timeout GREATER 0)
    execute_process(COMMAND ${cmd} WORKING_DIRECTORY "${WORK_DIR}"
                    OUTPUT_FILE "${log}" ERROR_FILE "${log}.err"
                    RESULT_VARIABLE rc TIMEOUT ${timeout})
  else()
    execute_process(COMMAND ${cmd} WORKING_DIRECTORY "${WORK_DIR}"
                    OUTPUT_FILE "${log}" ERROR_FILE "${log}.err"
                    RESULT_VARIABLE rc)
  endif()
  if(NOT rc STREQUAL "0")
    xsim_tail("${log}" out_tail)
    xsim_tail("${log}.err" err_tail)
    list(JOIN cmd " " cmd_text)
    message(FATAL_ERROR "run_xsim: ${what} failed (${rc})\n  ${cmd_text}\n"
                        "--- stdout (tail) ---\n${out_tail}\n--- stderr (tail) ---\n${err_tail}")
  endif()
endfunction()

if(NOT COMPARE_ONLY)
  find_program(IVERILOG iverilog)
  find_program(VVP vvp)
  find_program(VERILATOR verilator)
  if(NOT IVERILOG OR NOT VVP OR NOT VERILATOR)
    message(FATAL_ERROR "run_xsim: needs iverilog, vvp and verilator on PATH")
  endif()

  file(REMOVE_RECURSE "${WORK_DIR}")
  file(MAKE_DIRECTORY "${WORK_DIR}/icarus" "${WORK_DIR}/verilator")
  string(TIMESTAMP t0 "%s")

  set(RTL_FILES "")
  foreach(m IN LISTS RTL_MODULES)
    list(APPEND RTL_FILES "${RTL_DIR}/${m}")
  endforeach()

  if(GATE_NETLIST)
    xsim_run("iverilog compile (gate level)" "${WORK_DIR}/verilator/compile.log" 0
             "${IVERILOG}" -g2012 -DGATE_LEVEL -I${RTL_DIR} -s ${TOP} -o "${WORK_DIR}/verilator/gate.vvp"
             "${RTL_DIR}/pcm_ctrl_reg_pkg.sv" "${RTL_DIR}/pcm_ctrl_pkg.sv" "${GATE_NETLIST}" "${TB}")
    xsim_run("vvp simulation of the netlist (a timeout here is a hang)" "${WORK_DIR}/verilator/run.log"
             ${ICARUS_TIMEOUT} "${VVP}" -n "${WORK_DIR}/verilator/gate.vvp" "+out=${VERILATOR_OUT}")
  else()
  # ---------------------------------------------------------- Verilator
  xsim_run("verilator build" "${WORK_DIR}/verilator/build.log" 0
           "${VERILATOR}" --binary --timing -j 2 -Wno-fatal --assert -DPCM_ASSERT_ON
           -I${RTL_DIR} --top-module ${TOP} --Mdir "${WORK_DIR}/verilator/obj"
           ${RTL_FILES} "${TB}")
  xsim_run("verilator simulation" "${WORK_DIR}/verilator/run.log" 300
           "${WORK_DIR}/verilator/obj/V${TOP}" "+out=${VERILATOR_OUT}")
  endif()
  string(TIMESTAMP t1 "%s")

  # ---------------------------------------------------------- Icarus
  xsim_run("iverilog compile" "${WORK_DIR}/icarus/compile.log" 0
           "${IVERILOG}" -g2012 -I${RTL_DIR} -s ${TOP} -o "${WORK_DIR}/icarus/tb.vvp"
           ${RTL_FILES} "${TB}")
  file(REMOVE "${ICARUS_OUT}")
  xsim_run("vvp simulation (a timeout here is a hang)" "${WORK_DIR}/icarus/run.log" ${ICARUS_TIMEOUT}
           "${VVP}" -n "${WORK_DIR}/icarus/tb.vvp" "+out=${ICARUS_OUT}")
  string(TIMESTAMP t2 "%s")
  math(EXPR t_ver "${t1} - ${t0}")
  math(EXPR t_ica "${t2} - ${t1}")
  message(STATUS "run_xsim: ${SECOND} build+run ${t_ver} s, Icarus ${t_ica} s")
endif()

# ------------------------------------------------------------ check the logs
foreach(out "${ICARUS_OUT}" "${VERILATOR_OUT}")
  if(NOT EXISTS "${out}")
    message(FATAL_ERROR "run_xsim: ${out} was not written")
  endif()
  file(STRINGS "${out}" lines)
  list(LENGTH lines n)
  if(n EQUAL 0)
    message(FATAL_ERROR "run_xsim: ${out} is empty")
  endif()
  list(FILTER lines INCLUDE REGEX "^[0-9]+ ERROR ")
  list(LENGTH lines n_errors)
  if(n_errors GREATER 0)
    list(GET lines 0 first_error)
    message(FATAL_ERROR "run_xsim: ${out} reports an error: ${first_error}")
  endif()
  file(STRINGS "${out}" lines)
  foreach(needed "^[0-9]+ final 0a8 [0-9a-f]+$" "^[0-9]+ final NUM_WEIGHTS [0-9a-f]+$"
                 "^[0-9]+ final NEXT_CELL [0-9a-f]+$")
    set(found ${lines})
    list(FILTER found INCLUDE REGEX "${needed}")
    list(LENGTH found n_found)
    if(n_found EQUAL 0)
      message(FATAL_ERROR "run_xsim: ${out} lacks the final counter lines (${needed})")
    endif()
  endforeach()
  list(GET lines -1 last)
  if(NOT last MATCHES "^[0-9]+ end of test$")
    message(FATAL_ERROR "run_xsim: ${out} does not end with 'end of test' (last line: ${last})")
  endif()
endforeach()

execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${ICARUS_OUT}" "${VERILATOR_OUT}"
                RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  file(STRINGS "${ICARUS_OUT}" ica)
  file(STRINGS "${VERILATOR_OUT}" ver)
  list(LENGTH ica n_ica)
  list(LENGTH ver n_ver)
  set(n ${n_ica})
  if(n_ver LESS n)
    set(n ${n_ver})
  endif()
  set(diff_at -1)
  if(n GREATER 0)
    math(EXPR last_i "${n} - 1")
    foreach(i RANGE ${last_i})
      list(GET ica ${i} a)
      list(GET ver ${i} b)
      if(NOT a STREQUAL b)
        set(diff_at ${i})
        break()
      endif()
    endforeach()
  endif()
  if(diff_at EQUAL -1)
    if(n_ica EQUAL n_ver)
      message(FATAL_ERROR "run_xsim: the logs differ (in blank lines or line endings only)\n"
                          "  ${ICARUS_OUT}\n  ${VERILATOR_OUT}")
    endif()
    math(EXPR line_no "${n} + 1")
    message(FATAL_ERROR "run_xsim: the logs differ in length (Icarus ${n_ica} lines, ${SECOND} "
                        "${n_ver}); first extra line is line ${line_no}\n"
                        "  ${ICARUS_OUT}\n  ${VERILATOR_OUT}")
  endif()
  math(EXPR line_no "${diff_at} + 1")
  message(FATAL_ERROR "run_xsim: Icarus on the RTL and ${SECOND} differ first at line ${line_no}:\n"
                      "  icarus:    ${a}\n  ${SECOND}: ${b}\n"
                      "  ${ICARUS_OUT}\n  ${VERILATOR_OUT}")
endif()
file(STRINGS "${VERILATOR_OUT}" lines)
list(LENGTH lines n)
message(STATUS "run_xsim: Icarus on the RTL and ${SECOND} agree on all ${n} lines")
