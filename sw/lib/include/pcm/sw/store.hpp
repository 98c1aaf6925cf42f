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

#include "pcm/sw/cell_cost.hpp"
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
  // references; tensors whose name matches config.keep_digital stay digital
  // (fp32, whole: neither pruned nor stored in cells). marks: one flag per
  // weight per tensor (strategy sens), else empty. Throws std::runtime_error
  // naming a tensor its plan refuses, and ConfigError for a mark list of the
  // wrong shape or a keep_digital pattern that matches no tensor.
  ModelStore(const RunConfig& config, const ChannelSetup& channel, const std::vector<WeightTensor>& tensors,
             const std::vector<std::vector<uint8_t>>& marks);

  std::size_t tensors() const { return jobs_.size(); }
  uint64_t weights() const { return weights_; }
  // Tensor k as it is stored: dense, zeros where pruned.
  void pruned(std::size_t k, float* dense) const;

  // How one tensor read back in one seed: its counters and error sums.
  struct Quality {
    TensorCounters counters;
    double signal = 0.0;  // sum of stored w^2
    double error = 0.0;   // sum of (read - w)^2
    double max_abs = 0.0; // max |w| stored
    uint64_t sign_flips = 0;
  };
  // One seed: engine.begin(seed), every tensor stored and read back, dense,
  // into outs[k] (numel floats each); tensors kept digital are copied exactly.
  // Reports one task, "store+load", of 2 steps per weight. Returns the
  // controller's counters summed over tensors; quality, when not null, gets
  // one entry per tensor.
  TensorCounters store_seed(Engine& engine, uint64_t seed, const std::vector<float*>& outs, TaskObserver& observer,
                            std::vector<Quality>* quality = nullptr) const;

  // What the plans and the first seed say: the cell cost, the fp32
  // baselines, the array's time and energy, the engine's timing, per tensor
  // plan records and, from first_quality (one per tensor, or empty), how each
  // read back. Fills those fields of r (r.weights too).
  void report(RunResult& r, const TensorCounters& first_seed, const std::vector<Quality>& first_quality,
              const Engine& engine, const ChannelSetup& channel) const;

 private:
  struct Job {
    std::string name;
    bool digital = false;        // kept digital at fp32 (keep_digital): never through the engine
    std::size_t numel = 0;
    std::vector<uint32_t> kept;  // indices of the stored weights; empty: all (no pruning)
    std::vector<float> stored;   // the values streamed through the engine
    std::vector<uint8_t> sens;   // per stored weight; empty unless SENS
    PlacedTensor placed;
    double mask_bits = 0.0;      // pruning mask, entropy-coded
  };
  void scatter(const Job& job, const float* values, float* dense) const;
  // What tensor j takes in cells given its controller counters (zero
  // counters: only what the plan alone decides).
  CellUse cell_use(const Job& j, const TensorCounters& counters) const;

  RunConfig config_;
  std::vector<Job> jobs_;
  uint64_t weights_ = 0;
};

}  // namespace pcm::sw
