#include "pcm/sw/weight_noise.hpp"

#include <stdexcept>
#include <utility>

namespace pcm::sw {
namespace {

EngineOptions model_engine() {
  EngineOptions e;
  e.engine = "model";
  return e;
}

}  // namespace

WeightNoise::WeightNoise(const Strategy& strategy, const PlanOptions& options, const ChannelSetup& channel)
    : strategy_(strategy), options_(options), channel_(channel),
      engine_(make_engine(model_engine(), channel)) {
  plan_tensor(nullptr, nullptr, 0, strategy_, options_, channel_.map);  // the budget alone (UsageError)
}

WeightNoise::~WeightNoise() = default;

std::vector<std::vector<float>> WeightNoise::deltas(const std::vector<WeightSpan>& tensors, uint64_t seed) {
  ModelLayout layout(strategy_, options_, channel_.map);
  layout_.clear();
  counters_ = TensorCounters{};
  engine_->begin(seed);
  std::vector<std::vector<float>> out;
  out.reserve(tensors.size());
  for (const WeightSpan& t : tensors) {
    PlacedTensor placed = layout.add(t.name, t.w, t.sens, t.n);
    std::vector<float> d(t.n);
    counters_ += engine_->store(placed.plan, placed.regions, t.w, t.sens, t.n, d.data());
    for (std::size_t i = 0; i < t.n; ++i) d[i] -= t.w[i];
    out.push_back(std::move(d));
    layout_.push_back(std::move(placed));
  }
  return out;
}

}  // namespace pcm::sw
