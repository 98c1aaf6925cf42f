// Training-time weight noise drawn from the storage channel itself: the
// current weights are planned, stored through the functional-model engine and
// read back, exactly as `pcmsim run --engine model` stores a model, and the
// noise is what came back minus what went in. No channel arithmetic of its own
// (ARCHITECTURE.md, "Three engines, one contract"; paper section 3.2). No
// LibTorch here: a tensor is a span of floats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pcm/sw/engine.hpp"
#include "pcm/sw/plan.hpp"

namespace pcm::sw {

// One tensor to store: a name (for errors) and n weights.
struct WeightSpan {
  std::string name;
  const float* w = nullptr;
  std::size_t n = 0;
  const uint8_t* sens = nullptr;  // per weight, or nullptr
};

class WeightNoise {
 public:
  // The channel as `pcmsim run --channel` makes it (make_channel).
  WeightNoise(const Strategy& strategy, const PlanOptions& options, const ChannelSetup& channel);
  ~WeightNoise();
  WeightNoise(const WeightNoise&) = delete;
  WeightNoise& operator=(const WeightNoise&) = delete;

  // Stores every tensor, in order, into a fresh array keyed by `seed`
  // (ModelLayout, make_engine({"model"}), begin(seed), store) and returns,
  // per tensor, read_back - w. The plans follow the weights given.
  std::vector<std::vector<float>> deltas(const std::vector<WeightSpan>& tensors, uint64_t seed);

  // The plans, regions and counters of the last deltas() call.
  const std::vector<PlacedTensor>& last_layout() const { return layout_; }
  const TensorCounters& last_counters() const { return counters_; }

  // The array seed of training step `step`: kTrainSeedOffset + base * 1'000'003
  // + step. The offset keeps training draws away from the small seeds that
  // `pcmsim run` evaluates with (1, 2, 3 ... by default): the cells' noise is
  // keyed by (seed, address), so a training step with an evaluation seed would
  // see the very noise the model is later evaluated under.
  static constexpr uint64_t kTrainSeedOffset = uint64_t{1} << 62;
  static uint64_t step_seed(uint64_t base_seed, uint64_t step) {
    return kTrainSeedOffset + base_seed * 1'000'003u + step;
  }

 private:
  Strategy strategy_;
  PlanOptions options_;
  ChannelSetup channel_;
  std::unique_ptr<Engine> engine_;
  std::vector<PlacedTensor> layout_;
  TensorCounters counters_;
};

}  // namespace pcm::sw
