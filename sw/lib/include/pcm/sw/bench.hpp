// `pcmsim bench` as a library: one generated Laplace tensor through every
// engine, timed beside three yardsticks (a vectorized LibTorch noise
// expression, the bare Verilated-SystemC clock loop and the bare Verilated C++
// loop of pcm_ctrl), so speeds compare as ratios measured in one run.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pcm/sw/fields.hpp"

namespace pcm::sw {

struct BenchConfig {
  uint64_t weights = 1'000'000;
  uint64_t rtl_weights = 50'000;
  uint64_t clock_cycles = 200'000;
  std::string engines = "rtl,model,ideal";
  std::string strategy = "sp+am+ar";
  double cells = 1.0;
  std::string channel = "default";
  std::string threads = "1,2";
  uint64_t repeats = 3;

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("weights", s.weights, FieldDoc{"N", "weights of the generated tensor (model, ideal, torch)"});
    v("rtl_weights", s.rtl_weights, FieldDoc{"N", "weights through the rtl engine (it is slower)"});
    v("clock_cycles", s.clock_cycles, FieldDoc{"N", "cycles of the bare clock loop"});
    v("engines", s.engines, FieldDoc{"LIST", "engines to time, comma-separated"});
    v("strategy", s.strategy, FieldDoc{"S", "strategy of the stored tensor"});
    v("cells", s.cells, FieldDoc{"C", "target analog cells per weight"});
    v("channel", s.channel, FieldDoc{"NAME", "channel table or awgn:STD"});
    v("threads", s.threads, FieldDoc{"LIST", "thread counts to time the model and ideal engines and the LibTorch yardstick at, comma-separated (1 .. 256)"});
    v("repeats", s.repeats,
      FieldDoc{"N", "runs of each row, the fastest kept (1 .. 100); each engine run from a fresh array, and "
                    "every run must read back the same weights in the same cycles"});
  }
};

struct BenchRow {
  std::string what;
  uint64_t weights = 0;
  double seconds = 0.0;
  double cpu_seconds = 0.0;  // CPU time of the process over the row, all threads (a shared machine's wall time varies)
  double per_second() const { return seconds > 0.0 ? static_cast<double>(weights) / seconds : 0.0; }
};

struct BenchResult {
  std::string strategy;  // canonical
  std::string channel;
  BenchRow torch;                // the LibTorch yardstick on one thread
  // rows: the yardstick on more threads, then each engine at each thread count
  std::vector<BenchRow> engines;
  double bare_cycles_per_second = 0.0;      // the bare Verilated-SystemC clock loop; 0 without rtl
  double bare_cpp_cycles_per_second = 0.0;  // the bare Verilated C++ loop (the fast rtl engine's ceiling); 0 without rtl
  uint64_t rtl_cycles = 0;
  uint64_t rtl_weights = 0;
  double rtl_seconds = 0.0;
  double peak_rss_mib = 0.0;
};

// ConfigError naming the field of a size of 0 or one that cannot fit in
// memory, an engine that does not exist; before any work.
void validate(const BenchConfig& config);

// Throws ConfigError naming the field of a bad size, strategy, channel or engine.
BenchResult run_bench(const BenchConfig& config);

}  // namespace pcm::sw
