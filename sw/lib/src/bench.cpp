#include "pcm/sw/bench.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <ctime>
#include <random>
#include <sstream>
#include <stdexcept>

#include "pcm/sw/config_error.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/plan.hpp"
#include "pcm/sw/resources.hpp"

namespace pcm::sw {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Laplace-distributed weights (scale 0.05), like a trained layer's: most small.
std::vector<float> generated_weights(std::size_t n, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::exponential_distribution<double> mag(20.0);
  std::vector<float> w(n);
  for (std::size_t i = 0; i < n; ++i) w[i] = static_cast<float>((gen() & 1 ? 1.0 : -1.0) * mag(gen));
  return w;
}

std::string threads_text(unsigned threads) {
  return std::to_string(threads) + (threads == 1 ? " thread" : " threads");
}

// A row keeps its fastest run (started at wall t0, CPU c0) and that run's CPU time.
void keep_fastest(BenchRow& row, Clock::time_point t0, double c0) {
  const double wall = seconds_since(t0);
  const double cpu = cpu_seconds() - c0;
  if (wall < row.seconds) {
    row.seconds = wall;
    row.cpu_seconds = cpu;
  }
}

// Yardstick: what a researcher would write instead of the model engine (the
// fastest of `repeats`, as each engine row), on `threads` intra-op threads.
BenchRow torch_yardstick(const std::vector<float>& w, double sigma, unsigned threads, uint64_t repeats) {
  BenchRow row{"torch w+sigma*randn, " + threads_text(threads), w.size(), 1e30};
  const int before = at::get_num_threads();
  at::set_num_threads(static_cast<int>(threads));
  torch::NoGradGuard no_grad;
  const torch::Tensor t = torch::from_blob(const_cast<float*>(w.data()), {static_cast<int64_t>(w.size())});
  for (uint64_t rep = 0; rep < repeats; ++rep) {
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds();
    const torch::Tensor noisy = t + sigma * torch::randn_like(t);
    keep_fastest(row, t0, c0);
    if (!std::isfinite(noisy.sum().item<double>())) throw std::runtime_error("torch yardstick produced NaN");
  }
  at::set_num_threads(before);
  return row;
}

}  // namespace

namespace {
std::vector<std::string> engines_of(const BenchConfig& c) {
  std::vector<std::string> engines;
  std::stringstream in(c.engines);
  std::string e;
  while (std::getline(in, e, ',')) {
    if (e != "rtl" && e != "model" && e != "ideal") {
      throw ConfigError("engines", "expected a comma-separated list of rtl, model, ideal; got '" + e + "'");
    }
    engines.push_back(e);
  }
  if (engines.empty()) throw ConfigError("engines", "name at least one engine (rtl, model, ideal)");
  return engines;
}

std::vector<unsigned> threads_of(const BenchConfig& c) {
  std::vector<unsigned> counts;
  std::stringstream in(c.threads);
  std::string e;
  while (std::getline(in, e, ',')) {
    char* end = nullptr;
    const long v = std::strtol(e.c_str(), &end, 10);
    if (e.empty() || *end != '\0' || v < 1 || v > 256) {
      throw ConfigError("threads", "expected a comma-separated list of thread counts 1 .. 256; got '" + e + "'");
    }
    counts.push_back(static_cast<unsigned>(v));
  }
  if (counts.empty()) throw ConfigError("threads", "name at least one thread count");
  return counts;
}
}  // namespace

void validate(const BenchConfig& c) {
  if (c.weights == 0) throw ConfigError("weights", "must be at least 1");
  if (c.rtl_weights == 0) throw ConfigError("rtl_weights", "must be at least 1");
  if (c.clock_cycles == 0) throw ConfigError("clock_cycles", "must be at least 1");
  if (!std::isfinite(c.cells) || c.cells < 1.0 || c.cells > 1024.0) throw ConfigError("cells", "must be 1 .. 1024");
  if (c.repeats < 1 || c.repeats > 100) throw ConfigError("repeats", "must be 1 .. 100");
  engines_of(c);
  threads_of(c);
  // the tensor, its read-back, the first run's read-back (with repeats) and
  // the yardstick's three float copies, and a 16-byte cell record per analog
  // cell (up to twice the budget under ar; one engine at a time)
  check_fits("weights", c.weights, 24.0 + 32.0 * c.cells, "weights");
}

BenchResult run_bench(const BenchConfig& c) {
  validate(c);
  const Strategy strategy = Strategy::parse(c.strategy);
  const ChannelSetup channel = make_channel(c.channel);
  PlanOptions opt;
  opt.cells = c.cells;
  const std::vector<std::string> engines = engines_of(c);
  BenchResult r;
  r.strategy = strategy.name();
  r.channel = channel.name;
  const std::size_t n_all = c.weights;
  const std::vector<float> w = generated_weights(n_all, 1);
  std::vector<float> back(n_all);
  const TensorPlan full = plan_tensor(w.data(), nullptr, n_all, strategy, opt, channel.map);
  const double sigma = channel.channel->stddev(channel.h(0.0)) / static_cast<double>(full.small.alpha);
  const std::vector<unsigned> thread_counts = threads_of(c);
  r.torch = torch_yardstick(w, sigma, 1, c.repeats);
  for (const unsigned t : thread_counts) {
    if (t > 1) r.engines.push_back(torch_yardstick(w, sigma, t, c.repeats));
  }
  for (const std::string& name : engines) {
    const bool threaded = name == "model" || name == "ideal";
    for (const unsigned t : threaded ? thread_counts : std::vector<unsigned>{1}) {
      EngineOptions eo;
      eo.engine = name;
      eo.threads = t;
      const std::size_t n = name == "rtl" ? std::min<std::size_t>(c.rtl_weights, n_all) : n_all;
      const TensorPlan plan = n == n_all ? full : plan_tensor(w.data(), nullptr, n, strategy, opt, channel.map);
      const std::string what = name + " engine" + (threaded ? ", " + threads_text(t) : std::string(" (store + load)"));
      BenchRow best{what, n, 1e30, 0.0};
      // The fastest of the runs, each from a fresh array (begin(), as a run's
      // seeds do: the rtl platform elaborates once per process); the runs
      // must agree bit for bit and cycle for cycle, as keyed noise promises.
      std::unique_ptr<Engine> engine = make_engine(eo, channel);
      const Regions regions = ModelLayout(strategy, opt, channel.map, 0, array_timing(eo)).place(plan, n);
      std::vector<float> first_back;
      uint64_t first_cycles = 0;
      for (uint64_t rep = 0; rep < c.repeats; ++rep) {
        const uint64_t cycles0 = engine->timing().cycles;  // a run's cycles include the reset's
        engine->begin(1);
        const auto t0 = Clock::now();
        const double c0 = cpu_seconds();
        engine->store(plan, regions, w.data(), nullptr, n, back.data());
        keep_fastest(best, t0, c0);
        const uint64_t cycles = engine->timing().cycles - cycles0;
        if (rep == 0) {
          if (c.repeats > 1) first_back.assign(back.begin(), back.begin() + static_cast<std::ptrdiff_t>(n));
          first_cycles = cycles;
        } else if (std::memcmp(first_back.data(), back.data(), n * sizeof(float)) != 0 || cycles != first_cycles) {
          throw std::runtime_error("run " + std::to_string(rep + 1) + " of the " + what + " read back " +
                                   (cycles != first_cycles ? "in other cycles" : "other weights") + " than run 1");
        }
      }
      r.engines.push_back(best);
      if (name == "rtl") {
        r.rtl_cycles = first_cycles;
        r.rtl_weights = n;
        r.rtl_seconds = r.engines.back().seconds;
        r.bare_cycles_per_second = bare_clock_loop_cycles_per_second(*engine, c.clock_cycles);
        r.bare_cpp_cycles_per_second = bare_cpp_loop_cycles_per_second(*engine, c.clock_cycles);
      }
    }
  }
  r.peak_rss_mib = static_cast<double>(peak_rss_bytes()) / (1024.0 * 1024.0);
  return r;
}

}  // namespace pcm::sw
