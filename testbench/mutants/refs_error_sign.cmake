# Drift compensation takes the reference errors with the wrong sign
# (expected - read instead of read - expected).
set(MUTANT_FILE pcm_refs.sv)
set(MUTANT_FROM "sum_next = sum_q + SumWidth'(r_adc - r_tgt);")
set(MUTANT_TO "sum_next = sum_q + SumWidth'(r_tgt - r_adc);")
