#include "pcm/sw/weight_noise.hpp"

#include <stdexcept>
#include <utility>

namespace pcm::sw {
namespace {

constexpr uint64_t kAddressSpace = uint64_t{1} << 32;

EngineOptions model_engine() {
  EngineOptions e;
  e.engine = "model";
  return e;
}

}  // namespace

ModelLayout::ModelLayout(const Strategy& strategy, const PlanOptions& options, const ChannelMap& map)
    : strategy_(strategy), options_(options), map_(map) {}

PlacedTensor ModelLayout::add(const std::string& name, const float* w, const uint8_t* sens, std::size_t n) {
  PlacedTensor t;
  try {
    t.plan = plan_tensor(w, sens, n, strategy_, options_, map_);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("parameter " + name + ": " + e.what());
  }
  const uint64_t dir_entries = (n >> options_.dir_log2) + 1;
  if (analog_next_ + t.plan.analog_cells > kAddressSpace || digital_next_ + n + dir_entries > kAddressSpace) {
    throw std::runtime_error("the model needs more than 2^32 cells, the controller's address space");
  }
  t.regions.analog_base = static_cast<uint32_t>(analog_next_);
  t.regions.meta_base = static_cast<uint32_t>(digital_next_);
  t.regions.dir_base = static_cast<uint32_t>(digital_next_ + n);
  analog_next_ += t.plan.analog_cells;
  digital_next_ += n + dir_entries;
  return t;
}

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
