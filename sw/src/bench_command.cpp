#include "pcm/sw/bench_command.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <random>
#include <sstream>

#include "pcm/sw/cli.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/plan.hpp"
#include "pcm/sw/resources.hpp"

namespace pcm::sw {
namespace po = boost::program_options;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Laplace-distributed weights (scale 0.05), like a trained layer's: most small.
std::vector<float> generated_weights(std::size_t n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::exponential_distribution<double> mag(20.0);
  std::vector<float> w(n);
  for (std::size_t i = 0; i < n; ++i) w[i] = static_cast<float>((gen() & 1 ? 1.0 : -1.0) * mag(gen));
  return w;
}

struct Row {
  std::string what;
  std::size_t weights = 0;
  double seconds = 0.0;
  double per_second() const { return seconds > 0.0 ? static_cast<double>(weights) / seconds : 0.0; }
};

}  // namespace

int bench_command(const std::vector<std::string>& args, std::ostream& out) {
  std::size_t weights = 1'000'000;
  std::size_t rtl_weights = 50'000;
  uint64_t clock_cycles = 200'000;
  std::string strategy_text = "sp+am+ar";
  std::string channel_name = "default";
  std::string engines_text = "rtl,model,ideal";
  double cells = 1.0;
  po::options_description desc("pcmsim bench options");
  desc.add_options()
      ("help,h", "print this help")
      ("weights", po::value(&weights)->default_value(weights), "weights of the generated tensor (model, ideal, torch)")
      ("rtl-weights", po::value(&rtl_weights)->default_value(rtl_weights), "weights through the rtl engine (it is slower)")
      ("clock-cycles", po::value(&clock_cycles)->default_value(clock_cycles), "cycles of the bare clock loop")
      ("engines", po::value(&engines_text)->default_value(engines_text), "engines to time, comma-separated")
      ("strategy", po::value(&strategy_text)->default_value(strategy_text), "strategy of the stored tensor")
      ("cells", po::value(&cells)->default_value(cells), "target analog cells per weight")
      ("channel", po::value(&channel_name)->default_value(channel_name), "channel table or awgn:STD");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    out << "usage: pcmsim bench [options]\n\n" << desc;
    return 0;
  }
  if (weights == 0 || rtl_weights == 0 || clock_cycles == 0) throw UsageError("sizes must be at least 1");
  const Strategy strategy = Strategy::parse(strategy_text);
  const ChannelSetup channel = make_channel(channel_name);
  PlanOptions opt;
  opt.cells = cells;
  std::vector<std::string> engines;
  {
    std::stringstream in(engines_text);
    std::string e;
    while (std::getline(in, e, ',')) engines.push_back(e);
  }

  const std::vector<float> w = generated_weights(weights, 1);
  std::vector<float> back(weights);
  out << "bench      " << weights << " generated Laplace weights, strategy " << strategy.name() << ", "
      << cells << " cells per weight, channel " << channel.name << "\n" << std::flush;

  // Yardstick 1: what a researcher would write instead of the model engine.
  const TensorPlan full = plan_tensor(w.data(), nullptr, weights, strategy, opt, channel.map);
  const double sigma = channel.channel->stddev(channel.h(0.0)) / static_cast<double>(full.small.alpha);
  Row torch_row{"torch: w + sigma*randn", weights, 1e30};
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor t = torch::from_blob(const_cast<float*>(w.data()), {static_cast<int64_t>(weights)});
    for (int rep = 0; rep < 3; ++rep) {
      const auto t0 = Clock::now();
      const torch::Tensor noisy = t + sigma * torch::randn_like(t);
      torch_row.seconds = std::min(torch_row.seconds, seconds_since(t0));
      if (!std::isfinite(noisy.sum().item<double>())) throw std::runtime_error("torch yardstick produced NaN");
    }
  }

  std::vector<Row> rows;
  double bare_cps = 0.0;
  uint64_t rtl_cycles = 0;
  double rtl_seconds = 0.0;
  for (const std::string& name : engines) {
    EngineOptions eo;
    eo.engine = name;
    std::unique_ptr<Engine> engine = make_engine(eo, channel);
    const std::size_t n = name == "rtl" ? std::min(rtl_weights, weights) : weights;
    const TensorPlan plan = n == weights ? full : plan_tensor(w.data(), nullptr, n, strategy, opt, channel.map);
    engine->begin(1);
    const auto t0 = Clock::now();
    engine->store(plan, Regions{0, 0, static_cast<uint32_t>(n)}, w.data(), nullptr, n, back.data());
    rows.push_back(Row{name + " engine (store + load)", n, seconds_since(t0)});
    if (name == "rtl") {
      rtl_cycles = engine->timing().cycles;
      rtl_seconds = rows.back().seconds;
      bare_cps = bare_clock_loop_cycles_per_second(*engine, clock_cycles);
    }
  }

  char line[512];
  out << "\n                                weights      seconds      weights/s   / torch   / bare clock\n";
  auto print = [&](const Row& r) {
    std::snprintf(line, sizeof line, "%-30s %9zu %12.4f %14.4g %9.3g", r.what.c_str(), r.weights, r.seconds,
                  r.per_second(), r.per_second() / torch_row.per_second());
    out << line;
    if (bare_cps > 0.0) {
      std::snprintf(line, sizeof line, " %12.3g", r.per_second() / bare_cps);
      out << line;
    }
    out << "\n";
  };
  print(torch_row);
  for (const Row& r : rows) print(r);
  if (bare_cps > 0.0) {
    std::snprintf(line, sizeof line,
                  "\nbare Verilated-SystemC clock loop: %.4g cycles/s over %llu cycles (the rtl ceiling)\n"
                  "rtl engine: %llu simulated cycles, %.2f cycles per weight stored and loaded, "
                  "%.4g cycles/s = %.2f of the bare loop\n",
                  bare_cps, static_cast<unsigned long long>(clock_cycles),
                  static_cast<unsigned long long>(rtl_cycles),
                  static_cast<double>(rtl_cycles) / static_cast<double>(std::min(rtl_weights, weights)),
                  static_cast<double>(rtl_cycles) / rtl_seconds,
                  static_cast<double>(rtl_cycles) / rtl_seconds / bare_cps);
    out << line;
  }
  std::snprintf(line, sizeof line, "peak memory %.0f MiB\n",
                static_cast<double>(peak_rss_bytes()) / (1024.0 * 1024.0));
  out << line;
  return 0;
}

}  // namespace pcm::sw
