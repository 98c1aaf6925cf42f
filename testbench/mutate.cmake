# Writes OUT: the RTL file IN with one mutation (DEF, a file of
# testbench/mutants/ that sets MUTANT_FROM and MUTANT_TO) applied.
include("${DEF}")
file(READ "${IN}" text)
string(FIND "${text}" "${MUTANT_FROM}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "mutate: the text to mutate (${DEF}) is not in ${IN}; update the mutation")
endif()
string(REPLACE "${MUTANT_FROM}" "${MUTANT_TO}" text "${text}")
# rewritten only when it changes, so that reconfiguring does not rebuild the mutant
file(WRITE "${OUT}.new" "${text}")
file(COPY_FILE "${OUT}.new" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.new")
