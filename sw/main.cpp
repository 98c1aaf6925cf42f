// pcmsim: a thin main over the command line (sw/cli) and the library (sw/lib).
#include <iostream>
#include <string>
#include <vector>

#include "pcm/cli/cli.hpp"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  return pcm::cli::run_cli(args, std::cout, std::cerr);
}
