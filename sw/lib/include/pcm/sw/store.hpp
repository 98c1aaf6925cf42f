// A model's tensors through an engine and back, without LibTorch: the part of
// `pcmsim run` between loading the model and evaluating it, which the Python
// module calls with tensors it already holds. Per tensor the plan (pruning,
// sensitivity marks, classes, cells) is made once; every seed then stores the
// same plans into a fresh array.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pcm/sw/config.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/progress.hpp"
#include "pcm/sw/result.hpp"

namespace pcm::sw {

// A view of one named fp32 tensor, flattened (the caller owns the values).
struct WeightTensor {
  std::string name;
  const float* values = nullptr;
  std::size_t numel = 0;
};

// The `fraction` of all values with the largest scores (Fisher diagonals),
// over every tensor together: one flag per value, in the tensors' shapes. A
// score of zero is never marked.
std::vector<std::vector<uint8_t>> mark_sensitive(const std::vector<WeightTensor>& scores, double fraction);

class ModelStore {
 public:
  // Plans every tensor under config's strategy, rule, pruning and drift
  // references. marks: one flag per weight per tensor (strategy sens), else
  // empty. Throws std::runtime_error naming a tensor its plan refuses, and
  // ConfigError for a mark list of the wrong shape.
  ModelStore(const RunConfig& config, const ChannelSetup& channel, const std::vector<WeightTensor>& tensors,
             const std::vector<std::vector<uint8_t>>& marks);

  std::size_t tensors() const { return jobs_.size(); }
  uint64_t weights() const { return weights_; }
  // Tensor k as it is stored: dense, zeros where pruned.
  void pruned(std::size_t k, float* dense) const;

  // One seed: engine.begin(seed), every tensor stored and read back, dense,
  // into outs[k] (numel floats each). Reports one task, "store+load", of 2
  // steps per weight. Returns the controller's counters summed over tensors.
  TensorCounters store_seed(Engine& engine, uint64_t seed, const std::vector<float*>& outs,
                            TaskObserver& observer) const;

  // What the plans and the first seed's counters say: the cell cost, the fp32
  // baselines, the array's time and energy, the engine's timing, per tensor
  // plan records. Fills those fields of r (r.weights too).
  void report(RunResult& r, const TensorCounters& first_seed, const Engine& engine, const ChannelSetup& channel) const;

 private:
  struct Job {
    std::string name;
    std::size_t numel = 0;
    std::vector<uint32_t> kept;  // indices of the stored weights; empty: all (no pruning)
    std::vector<float> stored;   // the values streamed through the engine
    std::vector<uint8_t> sens;   // per stored weight; empty unless SENS
    PlacedTensor placed;
    double mask_bits = 0.0;      // pruning mask, entropy-coded
  };
  void scatter(const Job& job, const float* values, float* dense) const;

  RunConfig config_;
  std::vector<Job> jobs_;
  uint64_t weights_ = 0;
};

}  // namespace pcm::sw
