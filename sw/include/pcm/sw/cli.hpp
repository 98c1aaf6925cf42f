// The pcmsim command line: subcommand dispatch and error reporting.
#pragma once

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

namespace pcm::sw {

// A command line that cannot be understood (unknown option, bad value).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs `pcmsim ARGS...`. Every error is caught and printed as one line on
// err; returns the process exit status (0 ok, 1 bad input, 2 bad usage).
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace pcm::sw
