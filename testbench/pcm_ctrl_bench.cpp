// Constrained-random bench for rtl/pcm_ctrl against the functional model: the
// command line. The bench's parts, by role, are in bench/ (testbench/README.md):
// drivers with random stalls on every valid/ready interface, an array
// environment with random latency and backpressure, monitors that feed the
// reference with what the design actually accepted, a scoreboard on every read
// beat, APB response and counter, coverage, and the configuration generator.
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "bench/bench.hpp"

namespace {

[[noreturn]] void usage_error(const std::string& msg) {
  std::fprintf(stderr, "pcm_ctrl_bench: error: %s\n", msg.c_str());
  std::fprintf(stderr,
               "usage: pcm_ctrl_bench [--seed N] [--configs N] [--weights N] [--sigma S] [--fst FILE] [--break KIND]\n"
               "                      [--coverage FILE (a bench built with PCMSIM_BENCH_COVERAGE)]\n");
  std::exit(2);
}

long long parse_int(const char* s, const char* what) {
  char* end = nullptr;
  const long long v = std::strtoll(s, &end, 10);
  if (end == s || *end != '\0' || v < 0) usage_error(std::string(what) + " must be a non-negative integer, got '" + s + "'");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  bench::Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--seed") opt.seed = static_cast<uint64_t>(parse_int(value(), "--seed"));
    else if (a == "--configs") opt.configs = static_cast<int>(parse_int(value(), "--configs"));
    else if (a == "--weights") opt.weights = static_cast<int>(parse_int(value(), "--weights"));
    else if (a == "--sigma") opt.sigma = std::strtod(value(), nullptr);
    else if (a == "--fst") opt.fst = value();
    else if (a == "--coverage") opt.coverage = value();
    else if (a == "--break") {
      opt.break_kind = value();
      bool known = false;
      for (const char* k : bench::kBreakKinds) known = known || opt.break_kind == k;
      if (!known) usage_error("unknown --break kind '" + opt.break_kind + "'");
    }
    else usage_error("unknown option '" + a + "'");
  }
  if (opt.configs < 16) usage_error("--configs must be at least 16 (one per strategy combination)");
  try {
    bench::Bench b(opt);
    return b.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pcm_ctrl_bench: error: %s\n", e.what());
    return 1;
  }
}
