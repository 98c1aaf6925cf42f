// The pcmsim command line: subcommand dispatch and error reporting. The
// commands (one file each in sw/cli/src) declare options, call the library
// (sw/lib) and print; nothing in the library includes this folder.
#pragma once

#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

namespace pcm::cli {

// A command line that cannot be understood (unknown option, bad value).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs `pcmsim ARGS...`. Every error is caught and printed as one line on
// err; returns the process exit status (0 ok, 1 bad input, 2 bad usage).
int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The subcommands.
int channel_command(const std::vector<std::string>& args, std::ostream& out);
int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int sweep_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int train_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int e2e_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int bench_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace pcm::cli
