// `pcmsim run` as a library call: load the model and the dataset, plan every
// tensor, then per seed store the weights through the engine, read them back,
// evaluate; return what was measured. The caller sees progress through a
// RunObserver and prints what it likes.
#pragma once

#include <cstdint>
#include <string>

#include "pcm/sw/config.hpp"
#include "pcm/sw/progress.hpp"
#include "pcm/sw/result.hpp"

namespace pcm::sw {

// What is known once the model, the dataset and the channel are loaded.
struct RunSetup {
  std::string model;
  uint64_t parameter_tensors = 0;
  uint64_t weights = 0;
  uint64_t buffer_values = 0;
  std::string dataset_format;
  uint64_t evaluated = 0;
  int channels = 0;
  int height = 0;
  int width = 0;
  std::string channel;
  double t_lo = 0.0;
  double t_hi = 0.0;
  std::string engine;    // the engine's name ("digital" for --store digital)
  std::string strategy;  // canonical ("sp+am")
};

// Progress (TaskObserver): tasks "clean accuracy", "Fisher sensitivity",
// "pruned accuracy", then one step per seed of two tasks, "store+load" (2
// steps per weight: written, read back; updated within a tensor) and
// "accuracy".
class RunObserver : public TaskObserver {
 public:
  virtual void setup(const RunSetup&) {}
  virtual void clean_accuracy(double) {}
  virtual void pruned_accuracy(double) {}
  virtual void seed_accuracy(uint64_t /*seed*/, double) {}
};

// Validates config (ConfigError), then runs it. Writes config.out (the run
// JSON, run_json) and config.dump_weights when set. Throws std::runtime_error
// with one line for a file, model or dataset it cannot use. command: the
// command line recorded in the result's provenance.
RunResult run(const RunConfig& config, RunObserver& observer, const std::string& command = "");

}  // namespace pcm::sw
