# The decoder's fp32 rounding ignores the round bit.
set(MUTANT_FILE pcm_decoder.sv)
set(MUTANT_FROM "mant = mant + (MantWidth + 1)'(prod[lead - LeadWidth'(MantWidth)]);")
set(MUTANT_TO "mant = mant + (MantWidth + 1)'(1'b0);")
