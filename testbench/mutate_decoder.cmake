# Writes a copy of pcm_decoder.sv whose fp32 rounding ignores the round bit.
file(READ "${IN}" text)
set(original "mant = mant + (MantWidth + 1)'(prod[lead - LeadWidth'(MantWidth)]);")
string(FIND "${text}" "${original}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "mutate_decoder: the line to mutate is not in ${IN}; update the mutation")
endif()
string(REPLACE "${original}" "mant = mant + (MantWidth + 1)'(1'b0);" text "${text}")
file(WRITE "${OUT}" "${text}")
