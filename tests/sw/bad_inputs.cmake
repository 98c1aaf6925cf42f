# The bad-input catalogue: inputs a hostile or hurried user gives, each
# answered with exactly one line on stderr naming the problem (the regular
# expression) and a non-zero exit, before any long work. Included from
# tests/sw/CMakeLists.txt (M, D: the test models and digits). Earlier cases
# of the same kind live beside the features they guard (Cli.Run*IsRefused,
# Cli.Channel*, Cli.Train*); docs/BAD_INPUTS.md counts them all.
function(bad_input name expect)
  list(JOIN ARGN "|" cmd)
  add_test(NAME BadInput.${name}
           COMMAND "${CMAKE_COMMAND}" "-DCMD=$<TARGET_FILE:pcmsim>|${cmd}" "-DEXPECT=${expect}"
                   -P ${PROJECT_SOURCE_DIR}/tests/cli/expect_one_line.cmake)
  set_tests_properties(BadInput.${name} PROPERTIES FIXTURES_REQUIRED "digits;models")
endfunction()
set(RUN run --model ${M}/tiny_mlp.pt --data ${D})
set(OUT ${CMAKE_CURRENT_BINARY_DIR}/bad_inputs)

# The parsing layer: negative values for unsigned options, stray words, guesses.
bad_input(RunNegativeSeeds "^pcmsim run: --seeds: expected a whole number 0 \\.\\. 4294967295, got '-3'" ${RUN} --seeds=-3)
bad_input(RunNegativeSeed "^pcmsim run: --seed: expected a whole number 0 \\.\\. 18446744073709551615, got '-1'" ${RUN} --seed=-1)
bad_input(RunNegativeBoost "^pcmsim run: --boost: expected a whole number 0 \\.\\. 4294967295, got '-1'" ${RUN} --boost=-1)
bad_input(BenchNegativeClockCycles "^pcmsim bench: --clock-cycles: expected a whole number 0 \\.\\. 18446744073709551615, got '-1'" bench --clock-cycles=-1)
bad_input(RunStrayWord "^pcmsim run: unexpected argument '4' \\(each option takes one value" ${RUN} --cells 2 4)
bad_input(SweepStrayWord "^pcmsim sweep: unexpected argument 'extra'" sweep --out ${OUT}/stray --axis cells=1 extra)
bad_input(RunAbbreviatedOption "^pcmsim run: unrecognised option '--strat'" ${RUN} --strat sp)
bad_input(BenchEngineIsNotEngines "^pcmsim bench: unrecognised option '--engine'" bench --engine rtl)
bad_input(BenchUnknownEngine "^pcmsim bench: --engines: expected a comma-separated list of rtl, model, ideal; got 'foo'" bench --engines rtl,foo)

# Sanity ceilings where a typo is likely, each with its override named.
bad_input(RunSeedsAboveCeiling "^pcmsim run: --seeds: 100000000 is above the sanity ceiling of 1000 \\(a typo\\?\\); add --allow-large" ${RUN} --seeds 100000000)
bad_input(RunThreadsAboveCeiling "^pcmsim run: --threads: 100000 is above the sanity ceiling of 256" ${RUN} --threads 100000)
bad_input(SweepJobsAboveCeiling "^pcmsim sweep: --jobs: 1000 is above the sanity ceiling of 256" sweep --out ${OUT}/jobs --jobs 1000 --axis cells=1)
bad_input(SweepGridAboveCeiling "^pcmsim sweep: --grid: 6000 points is above the sanity ceiling of 5000 points"
          sweep --out ${OUT}/grid --grid ${PROJECT_SOURCE_DIR}/tests/data/grid_6000_points.json)
bad_input(BenchWeightsBeyondMemory "^pcmsim bench: --weights: 100000000000000 weights need about [0-9.e+]+ GiB, more than this machine's"
          bench --weights 100000000000000)

# An option that has no effect with the chosen engine or store.
bad_input(RunTraceWithoutRtl "^pcmsim run: --trace: the waveform is the rtl engine's; --engine model writes none" ${RUN} --engine model --trace ${OUT}/x.fst)
bad_input(RunTraceWithDigitalStore "^pcmsim run: --trace: .*--store digital writes none" ${RUN} --engine rtl --store digital --trace ${OUT}/x.fst)
bad_input(RunTraceWindowWithoutTrace "^pcmsim run: --trace-from: a window of the waveform, which only --trace FILE writes" ${RUN} --engine rtl --trace-from 100)
bad_input(RunTraceWindowOverflows "^pcmsim run: --trace-cycles: trace_from \\+ trace_cycles is beyond the last cycle" ${RUN} --engine rtl --trace ${OUT}/x.fst --trace-from 18446744073709551615 --trace-cycles 2)
bad_input(RunKeepDigitalNotARegex "^pcmsim run: --keep-digital: '\\(bias' is not a regular expression" ${RUN} --keep-digital "(bias")
bad_input(RunKeepDigitalMatchesNothing "^pcmsim run: --keep-digital: 'conv9' matches none of the model's tensors \\(1\\.weight, 1\\.bias, 3\\.weight, 3\\.bias\\)" ${RUN} --keep-digital conv9)
bad_input(RunBanksWithoutRtl "^pcmsim run: --banks: the array's timing is simulated by the rtl engine only; --engine ideal counts no cycles" ${RUN} --engine ideal --banks 2)
bad_input(RunWriteLatencyWithoutRtl "^pcmsim run: --write-latency: the array's timing is simulated by the rtl engine only" ${RUN} --write-latency 9)
bad_input(RunVerifyOnIdeal "^pcmsim run: --verify-pulses: program-and-verify is the controller's; --engine ideal has none" ${RUN} --engine ideal --verify-pulses 4)
bad_input(RunDriftRefsOnIdeal "^pcmsim run: --drift-refs: drift compensation is the controller's; --engine ideal has none" ${RUN} --engine ideal --drift-refs 4)
bad_input(RunDigitalBitsWithAnalogStore "^pcmsim run: --digital-bits: applies to --store digital only" ${RUN} --digital-bits 4)

# Sweeps: one value per option.
bad_input(SweepSetTwice "^pcmsim sweep: --set seeds: 'seeds' is already given by --set" sweep --out ${OUT}/twice --set seeds=1 --set seeds=2 --axis cells=1)
bad_input(SweepSetAndAxis "^pcmsim sweep: --axis cells: 'cells' is already given by --set" sweep --out ${OUT}/both --set cells=1 --axis cells=1,2)

# Numbers that are not usable numbers.
bad_input(E2eHugeNoiseStd "^pcmsim e2e: --noise-std: must be > 0 and <= 1000" e2e --noise-std 1e300)
bad_input(E2eHugeGaussStd "^pcmsim e2e: --gauss-std: must be 0 \\.\\. 100" e2e --gauss-std 1e300)
bad_input(TrainTeacherNanBuffer "nan_buffer\\.pt: buffer 1\\.running_var: value 2 is NaN"
          train --mode distill --model ${M}/tiny_mlp.pt --teacher ${M}/nan_buffer.pt --data ${D} --out ${OUT}/student.pt)
bad_input(TrainTeacherNanLogits "nan_logits\\.pt: the model's logits are NaN or infinite"
          train --mode distill --model ${M}/tiny_mlp.pt --teacher ${M}/nan_logits.pt --data ${D} --out ${OUT}/student.pt)

# Data: a header that overflows is named with its file before any tensor is made.
bad_input(IdxHeaderOverflow "overflow_digits/t10k-images-idx3-ubyte: truncated or corrupt: the header's dimensions 4294967295 x 4294967295 x 4294967295 promise more than 2\\^64 data bytes"
          run --model ${M}/tiny_mlp.pt --data ${M}/overflow_digits)
file(MAKE_DIRECTORY ${OUT})
# the waveform is an output like the others
bad_input(RunTraceOverModel "^pcmsim run: --trace: '.*tiny_mlp\\.pt' is the --model file; it would be overwritten"
          ${RUN} --engine rtl --trace ${M}/tiny_mlp.pt)
# sizes that multiply into tensors are bounded before any allocation
bad_input(E2eHugeBatch "^pcmsim e2e: --batch: must be 1 \\.\\. 100000" e2e --batch 2000000000)
bad_input(E2eHugeDraws "^pcmsim e2e: --draws: must be 1 \\.\\. 10000" e2e --draws 2000000000)
# the sweep writes each point's result itself
bad_input(SweepGridSetsOut "^pcmsim sweep: --grid: 'out' is set by the sweep \\(DIR/points/<id>\\.json\\)"
          sweep --out ${OUT}/grid_out --set out=x.json --axis cells=1)

# Channel tables: every error carries the file and line.
bad_input(ChannelHugeValue "table_huge_mean\\.csv:2: column 'mean' value -1e308 is out of the range this tool accepts"
          channel --table ${PROJECT_SOURCE_DIR}/tests/data/table_huge_mean.csv)
bad_input(ChannelDirectoryAsTable "^pcmsim channel: error: .*tests/data: is a directory, not a table"
          channel --table ${PROJECT_SOURCE_DIR}/tests/data)
# a byte order mark before the metadata is read past (it blamed line 11 before)
add_test(NAME Cli.ChannelTableWithByteOrderMark COMMAND pcmsim channel --table ${PROJECT_SOURCE_DIR}/tests/data/table_bom.csv)
set_tests_properties(Cli.ChannelTableWithByteOrderMark PROPERTIES PASS_REGULAR_EXPRESSION "capacity           1\\.000 bits/cell")
# 10,000 levels (generated, not committed): reports its capacity (minutes of
# silence before; the time is measured in the closing note, not asserted)
add_test(NAME Cli.ChannelTenThousandLevels
         COMMAND sh -c "${PCMSIM_PYTHON} ${PROJECT_SOURCE_DIR}/tests/data/table_make_levels.py 10000 ${OUT}/levels_10000.csv && $<TARGET_FILE:pcmsim> channel --table ${OUT}/levels_10000.csv")
set_tests_properties(Cli.ChannelTenThousandLevels PROPERTIES PASS_REGULAR_EXPRESSION "capacity           [0-9.]+ bits/cell")
