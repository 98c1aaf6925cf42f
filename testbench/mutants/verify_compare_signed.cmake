# The verify comparison drops the magnitude: a read below its target by any
# amount counts as converged.
set(MUTANT_FILE pcm_verifier.sv)
set(MUTANT_FROM "lane_ok[l] = err_mag[l] <= ErrWidth'(pv_tol_i);")
set(MUTANT_TO "lane_ok[l] = $signed(err[l]) <= $signed(ErrWidth'(pv_tol_i));")
