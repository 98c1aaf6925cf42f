# Cross-simulator check of rtl/pcm_ctrl (cmake -P script).
#
# Runs the directed bench tb_pcm_ctrl_directed.sv under Icarus Verilog
# (iverilog -g2012 + vvp) and under Verilator (--binary --timing) and requires
# the two event logs to be identical, non-empty and complete (the final counter
# lines and "end of test", no ERROR line).
#
#   cmake -DSRC_DIR=<repository root> -DWORK_DIR=<scratch dir> -DPYTHON=/usr/bin/python3
#         [-DICARUS_RTL=auto|asis|always_star] [-DCOMPARE_ONLY=ON]
#         -P testbench/xsim/run_xsim.cmake
#
# ICARUS_RTL: Icarus Verilog 11.0 (Debian's) has an always_comb bug
# (steveicarus/iverilog#508, fixed after the 11.0 release): two always_comb
# processes can wake each other forever in zero time, even where no
# combinational loop exists. The RTL as it stands trips it, so Icarus hangs.
#   asis        - compile rtl/ unchanged (a hang fails the check).
#   always_star - compile a copy of rtl/ in which always_comb reads always @*
#                 (only for Icarus; Verilator always gets rtl/ unchanged).
#   auto        - (default) asis first; if vvp hangs (ICARUS_HANG_TIMEOUT
#                 seconds, default 10; the run takes well under a second),
#                 warn and retry with always_star.
# ICARUS_TIMEOUT (default 300) limits vvp in the other cases; the Verilator
# model gets 300 s too. The bench has its own cycle limit (+max_cycles).
# COMPARE_ONLY=ON: skip building and running; only check and compare the two
# logs already in WORK_DIR (to check the checker).

cmake_minimum_required(VERSION 3.20)

foreach(var SRC_DIR WORK_DIR PYTHON)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_xsim.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED ICARUS_RTL OR ICARUS_RTL STREQUAL "")
  set(ICARUS_RTL auto)
endif()
if(NOT ICARUS_RTL MATCHES "^(auto|asis|always_star)$")
  message(FATAL_ERROR "run_xsim.cmake: ICARUS_RTL must be auto, asis or always_star")
endif()
if(NOT DEFINED ICARUS_HANG_TIMEOUT)
  set(ICARUS_HANG_TIMEOUT 10)
endif()
if(NOT DEFINED ICARUS_TIMEOUT)
  set(ICARUS_TIMEOUT 300)
endif()

get_filename_component(SRC_DIR "${SRC_DIR}" ABSOLUTE)
get_filename_component(WORK_DIR "${WORK_DIR}" ABSOLUTE)
set(RTL_DIR "${SRC_DIR}/rtl")
set(TB "${SRC_DIR}/testbench/xsim/tb_pcm_ctrl_directed.sv")
set(TOP tb_pcm_ctrl_directed)
set(ICARUS_OUT "${WORK_DIR}/icarus_out.txt")
set(VERILATOR_OUT "${WORK_DIR}/verilator_out.txt")
# RTL modules in compile order, after the generated register package
set(RTL_MODULES
  pcm_ctrl_pkg.sv pcm_ctrl_reg.sv pcm_encoder.sv pcm_writer.sv pcm_reader.sv
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
  file(MAKE_DIRECTORY "${WORK_DIR}/gen" "${WORK_DIR}/icarus" "${WORK_DIR}/verilator")
  string(TIMESTAMP t0 "%s")

  # ---------------------------------------------------------- register package
  set(REG_PKG "${WORK_DIR}/gen/pcm_ctrl_reg_pkg.sv")
  xsim_run("scripts/gen_regs.py" "${WORK_DIR}/gen/gen_regs.log" 0
           "${PYTHON}" "${SRC_DIR}/scripts/gen_regs.py" "${RTL_DIR}/regs/pcm_ctrl_regs.json"
           --sv "${REG_PKG}")

  set(RTL_FILES "")
  foreach(m IN LISTS RTL_MODULES)
    list(APPEND RTL_FILES "${RTL_DIR}/${m}")
  endforeach()

  # ---------------------------------------------------------- Verilator
  xsim_run("verilator build" "${WORK_DIR}/verilator/build.log" 0
           "${VERILATOR}" --binary --timing -j 2 -Wno-fatal --assert -DPCM_ASSERT_ON
           -I${RTL_DIR} --top-module ${TOP} --Mdir "${WORK_DIR}/verilator/obj"
           "${REG_PKG}" ${RTL_FILES} "${TB}")
  xsim_run("verilator simulation" "${WORK_DIR}/verilator/run.log" 300
           "${WORK_DIR}/verilator/obj/V${TOP}" "+out=${VERILATOR_OUT}")
  string(TIMESTAMP t1 "%s")

  # ---------------------------------------------------------- Icarus
  # Compiles and runs the bench over the RTL in rtl_dir; sets result_var to
  # "ok", "hang" (vvp ran past the timeout) or stops with the error.
  function(xsim_icarus rtl_dir tag timeout result_var)
    set(files "")
    foreach(m IN LISTS RTL_MODULES)
      list(APPEND files "${rtl_dir}/${m}")
    endforeach()
    xsim_run("iverilog compile (${tag})" "${WORK_DIR}/icarus/compile_${tag}.log" 0
             "${IVERILOG}" -g2012 -I${rtl_dir} -s ${TOP} -o "${WORK_DIR}/icarus/tb_${tag}.vvp"
             "${REG_PKG}" ${files} "${TB}")
    file(REMOVE "${ICARUS_OUT}")
    set(log "${WORK_DIR}/icarus/run_${tag}.log")
    execute_process(COMMAND "${VVP}" -n "${WORK_DIR}/icarus/tb_${tag}.vvp" "+out=${ICARUS_OUT}"
                    WORKING_DIRECTORY "${WORK_DIR}" OUTPUT_FILE "${log}" ERROR_FILE "${log}.err"
                    RESULT_VARIABLE rc TIMEOUT ${timeout})
    if(rc STREQUAL "0")
      set(${result_var} ok PARENT_SCOPE)
    elseif(rc MATCHES "timeout")
      set(${result_var} hang PARENT_SCOPE)
    else()
      xsim_tail("${log}" out_tail)
      xsim_tail("${log}.err" err_tail)
      message(FATAL_ERROR "run_xsim: vvp (${tag}) failed (${rc})\n"
                          "--- stdout (tail) ---\n${out_tail}\n--- stderr (tail) ---\n${err_tail}")
    endif()
  endfunction()

  # A copy of rtl/ with always_comb -> always @* (the Icarus 11.0 workaround).
  function(xsim_always_star_copy out_dir)
    file(MAKE_DIRECTORY "${out_dir}")
    file(GLOB rtl_texts "${RTL_DIR}/*.sv" "${RTL_DIR}/*.svh")
    foreach(f IN LISTS rtl_texts)
      get_filename_component(name "${f}" NAME)
      file(READ "${f}" text)
      string(REGEX REPLACE "(^|[^A-Za-z0-9_$])always_comb([^A-Za-z0-9_$]|$)" "\\1always @*\\2"
             text "${text}")
      file(WRITE "${out_dir}/${name}" "${text}")
    endforeach()
  endfunction()

  set(icarus_mode "${ICARUS_RTL}")
  if(icarus_mode STREQUAL "auto" OR icarus_mode STREQUAL "asis")
    if(icarus_mode STREQUAL "asis")
      set(limit ${ICARUS_TIMEOUT})
    else()
      set(limit ${ICARUS_HANG_TIMEOUT})
    endif()
    xsim_icarus("${RTL_DIR}" asis ${limit} icarus_result)
    if(icarus_result STREQUAL "hang")
      if(icarus_mode STREQUAL "asis")
        message(FATAL_ERROR "run_xsim: vvp hung on rtl/ as it is (Icarus 11.0 always_comb bug, "
                            "steveicarus/iverilog#508); see run_xsim.cmake, ICARUS_RTL")
      endif()
      message(WARNING "run_xsim: vvp hung (> ${limit} s) on rtl/ as it is: Icarus 11.0 always_comb "
                      "bug (steveicarus/iverilog#508). Running Icarus on a copy of rtl/ with "
                      "always_comb -> always @* instead (Verilator keeps rtl/ unchanged).")
      set(icarus_mode always_star)
    else()
      set(icarus_mode asis)
    endif()
  endif()
  if(icarus_mode STREQUAL "always_star")
    xsim_always_star_copy("${WORK_DIR}/icarus/rtl_always_star")
    xsim_icarus("${WORK_DIR}/icarus/rtl_always_star" always_star ${ICARUS_TIMEOUT} icarus_result)
    if(NOT icarus_result STREQUAL "ok")
      message(FATAL_ERROR "run_xsim: vvp hung even with always_comb -> always @*")
    endif()
  endif()
  string(TIMESTAMP t2 "%s")
  math(EXPR t_ver "${t1} - ${t0}")
  math(EXPR t_ica "${t2} - ${t1}")
  message(STATUS "run_xsim: Verilator build+run ${t_ver} s, Icarus (${icarus_mode}) ${t_ica} s")
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
    message(FATAL_ERROR "run_xsim: the logs differ in length (Icarus ${n_ica} lines, Verilator "
                        "${n_ver}); first extra line is line ${line_no}\n"
                        "  ${ICARUS_OUT}\n  ${VERILATOR_OUT}")
  endif()
  math(EXPR line_no "${diff_at} + 1")
  message(FATAL_ERROR "run_xsim: Icarus and Verilator differ first at line ${line_no}:\n"
                      "  icarus:    ${a}\n  verilator: ${b}\n"
                      "  ${ICARUS_OUT}\n  ${VERILATOR_OUT}")
endif()
file(STRINGS "${VERILATOR_OUT}" lines)
list(LENGTH lines n)
message(STATUS "run_xsim: Icarus and Verilator agree on all ${n} lines")
