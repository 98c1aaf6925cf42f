// A library file that reaches up to the command line (for Layout.IncludeCheckFindsAViolation).
#include "pcm/sw/plan.hpp"
#include "pcm/cli/cli.hpp"
