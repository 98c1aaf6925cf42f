#include "pcm/cli/cli.hpp"

#include <boost/program_options/errors.hpp>
#include <c10/util/Exception.h>
#include <exception>
#include <new>
#include <ostream>

#include "pcm/cli/options.hpp"
#include "pcm/sw/config_error.hpp"
#include "pcm/sw/provenance.hpp"

namespace pcm::cli {
namespace {

void print_usage(std::ostream& out) {
  out << "usage: pcmsim <command> [options]\n"
         "\n"
         "commands:\n"
         "  channel   inspect a PCM channel table: levels, invertible range, capacity,\n"
         "            pre-mapped noise; export curves for scripts/plot_channel.py\n"
         "  run       store a TorchScript model through the controller into the noisy\n"
         "            array, read it back, evaluate accuracy over seeds\n"
         "  sweep     a grid of runs (strategies, cells, channels, registers ...) in\n"
         "            parallel, resumable, into one CSV for scripts/plot_sweep.py\n"
         "  train     noise-aware training through the same channel and controller\n"
         "            model: robust training (KL term) or robust distillation\n"
         "  e2e       the end-to-end coding experiment: an autoencoder learns the code\n"
         "            of logistic-regression weights through the PCM or Gaussian channel\n"
         "  bench     simulated weights per second of each engine beside a bare\n"
         "            Verilated clock loop and a vectorized LibTorch noise expression\n"
         "\n"
         "`pcmsim <command> --help` lists a command's options; `pcmsim --version` the\n"
         "version and the sources it was built from.\n";
}

// One line: newlines inside a message would break the one-line contract.
std::string one_line(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_usage(args.empty() ? err : out);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "version") {
    out << sw::version_line() << "\n";
    return 0;
  }
  const std::string& command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (command == "channel") return channel_command(rest, out);
    if (command == "run") return run_command(rest, out, err);
    if (command == "bench") return bench_command(rest, out);
    if (command == "sweep") return sweep_command(rest, out, err);
    if (command == "train") return train_command(rest, out, err);
    if (command == "e2e") return e2e_command(rest, out, err);
    throw UsageError("unknown command '" + command + "' (try: pcmsim --help)");
  } catch (const sw::ConfigError& e) {  // the library names the field; the option is its name here
    err << "pcmsim " << command << ": --" << option_name(e.field()) << ": " << one_line(e.what()) << "\n";
    return 2;
  } catch (const UsageError& e) {
    err << "pcmsim " << command << ": " << one_line(e.what()) << "\n";
    return 2;
  } catch (const boost::program_options::error& e) {
    err << "pcmsim " << command << ": " << one_line(e.what()) << " (try: pcmsim " << command
        << " --help)\n";
    return 2;
  } catch (const c10::Error& e) {  // LibTorch's message without its C++ backtrace
    const std::string what = e.what_without_backtrace();
    err << "pcmsim " << command << ": error: LibTorch: " << one_line(what.substr(0, what.find('\n'))) << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    err << "pcmsim " << command << ": error: out of memory (a size asked for does not fit in this machine)\n";
    return 1;
  } catch (const std::length_error& e) {
    err << "pcmsim " << command << ": error: a size asked for is too large for this machine (" << one_line(e.what())
        << ")\n";
    return 1;
  } catch (const std::exception& e) {
    err << "pcmsim " << command << ": error: " << one_line(e.what()) << "\n";
    return 1;
  }
}

}  // namespace pcm::cli
