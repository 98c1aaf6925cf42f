// `pcmsim bench`: options from BenchConfig, sw::run_bench(), the table of ratios.
#include <cstdio>
#include <ostream>

#include "pcm/cli/cli.hpp"
#include "pcm/cli/options.hpp"
#include "pcm/sw/bench.hpp"

namespace pcm::cli {

int bench_command(const std::vector<std::string>& args, std::ostream& out) {
  sw::BenchConfig c;
  Options options("pcmsim bench options");
  options.declare(c);
  if (!options.parse(args)) {
    out << "usage: pcmsim bench [options]\n\n" << options.help();
    return 0;
  }
  sw::validate(c);
  out << "bench      " << c.weights << " generated Laplace weights, strategy " << c.strategy << ", " << c.cells
      << " cells per weight, channel " << c.channel << "\n" << std::flush;
  const sw::BenchResult r = sw::run_bench(c);
  const double bare = r.bare_cycles_per_second;
  char line[512];
  // CPU seconds beside wall seconds: on a shared machine the wall time of a
  // single-threaded row varies with the load, its CPU time much less.
  out << "\n                                weights      seconds  cpu seconds      weights/s   / torch   / bare clock\n";
  auto print = [&](const sw::BenchRow& row) {
    std::snprintf(line, sizeof line, "%-30s %9llu %12.4f %12.4f %14.4g %9.3g", row.what.c_str(),
                  static_cast<unsigned long long>(row.weights), row.seconds, row.cpu_seconds, row.per_second(),
                  row.per_second() / r.torch.per_second());
    out << line;
    if (bare > 0.0) {
      std::snprintf(line, sizeof line, " %12.3g", row.per_second() / bare);
      out << line;
    }
    out << "\n";
  };
  print(r.torch);
  for (const sw::BenchRow& row : r.engines) print(row);
  if (bare > 0.0) {
    const double cps = static_cast<double>(r.rtl_cycles) / r.rtl_seconds;
    std::snprintf(line, sizeof line,
                  "\nbare Verilated-SystemC clock loop: %.4g cycles/s over %llu cycles (the rtl ceiling)\n"
                  "rtl engine: %llu simulated cycles, %.2f cycles per weight stored and loaded, "
                  "%.4g cycles/s = %.2f of the bare loop\n",
                  bare, static_cast<unsigned long long>(c.clock_cycles), static_cast<unsigned long long>(r.rtl_cycles),
                  static_cast<double>(r.rtl_cycles) / static_cast<double>(r.rtl_weights), cps, cps / bare);
    out << line;
  }
  if (r.bare_cpp_cycles_per_second > 0.0) {
    const double cps = static_cast<double>(r.rtl_cycles) / r.rtl_seconds;
    std::snprintf(line, sizeof line,
                  "bare Verilated C++ loop: %.4g cycles/s (the fast rtl engine's ceiling); the rtl engine ran at %.2f of it\n",
                  r.bare_cpp_cycles_per_second, cps / r.bare_cpp_cycles_per_second);
    out << line;
  }
  std::snprintf(line, sizeof line, "peak memory %.0f MiB\n", r.peak_rss_mib);
  out << line;
  return 0;
}

}  // namespace pcm::cli
