#include "pcm/sw/store.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>

#include "pcm/sw/cell_cost.hpp"
#include "pcm/sw/compress.hpp"
#include "pcm/sw/physical_cost.hpp"

namespace pcm::sw {

std::vector<std::vector<uint8_t>> mark_sensitive(const std::vector<WeightTensor>& scores, double fraction) {
  std::vector<float> all;
  for (const WeightTensor& s : scores) all.insert(all.end(), s.values, s.values + s.numel);
  const auto k = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(all.size())));
  float cut = std::numeric_limits<float>::infinity();
  if (k > 0 && !all.empty()) {
    std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k - 1), all.end(), std::greater<float>());
    cut = all[k - 1];
  }
  std::vector<std::vector<uint8_t>> marks;
  for (const WeightTensor& s : scores) {
    std::vector<uint8_t> m(s.numel);
    for (std::size_t i = 0; i < m.size(); ++i) m[i] = s.values[i] >= cut && s.values[i] > 0.0f;
    marks.push_back(std::move(m));
  }
  return marks;
}

ModelStore::ModelStore(const RunConfig& config, const ChannelSetup& channel, const std::vector<WeightTensor>& tensors,
                       const std::vector<std::vector<uint8_t>>& marks)
    : config_(config) {
  const Strategy strategy = strategy_of(config.plan);
  if (strategy.sens && marks.size() != tensors.size()) {
    throw ConfigError("strategy", "sens needs a sensitivity mark for every tensor (" + std::to_string(tensors.size()) +
                                      " tensors, " + std::to_string(marks.size()) + " mark lists)");
  }
  ModelLayout layout(strategy, config.plan.rule, channel.map, reference_cells(config.engine));
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    const WeightTensor& t = tensors[k];
    const float* values = t.values;
    Job job;
    job.name = t.name;
    job.numel = t.numel;
    if (config.prune > 0.0) {
      job.kept = kept_after_pruning(values, job.numel, config.prune);
      for (uint32_t i : job.kept) job.stored.push_back(values[i]);
      job.mask_bits = mask_bits(job.numel, job.kept.size());
    } else {
      job.stored.assign(values, values + job.numel);
    }
    if (strategy.sens) {
      if (marks[k].size() != t.numel) {
        throw ConfigError("strategy", "the sensitivity marks of " + t.name + " have " + std::to_string(marks[k].size()) +
                                          " flags for " + std::to_string(t.numel) + " weights");
      }
      if (config.prune == 0.0) {
        job.sens = marks[k];
      } else {
        for (uint32_t i : job.kept) job.sens.push_back(marks[k][i]);
      }
    }
    job.placed = layout.add(job.name, job.stored.data(), job.sens.empty() ? nullptr : job.sens.data(),
                            job.stored.size());
    weights_ += job.numel;
    jobs_.push_back(std::move(job));
  }
}

void ModelStore::scatter(const Job& job, const float* values, float* dense) const {
  if (job.kept.empty()) {
    std::copy(values, values + job.numel, dense);
    return;
  }
  std::fill(dense, dense + job.numel, 0.0f);
  for (std::size_t i = 0; i < job.kept.size(); ++i) dense[job.kept[i]] = values[i];
}

void ModelStore::pruned(std::size_t k, float* dense) const { scatter(jobs_.at(k), jobs_.at(k).stored.data(), dense); }

TensorCounters ModelStore::store_seed(Engine& engine, uint64_t seed, const std::vector<float*>& outs,
                                      TaskObserver& obs) const {
  if (outs.size() != jobs_.size()) throw std::logic_error("ModelStore::store_seed: one output per tensor");
  engine.begin(seed);
  TensorCounters counters;
  obs.task("store+load", 2 * weights_);
  uint64_t before = 0;  // steps of the tensors already done
  std::vector<float> read;
  for (std::size_t k = 0; k < jobs_.size(); ++k) {
    const Job& job = jobs_[k];
    // a tensor's steps are over its stored weights; the bar counts the model's
    const double scale = job.stored.empty() ? 0.0 : static_cast<double>(job.numel) / static_cast<double>(job.stored.size());
    const StoreProgress progress = [&](uint64_t done) {
      obs.progress(before + static_cast<uint64_t>(static_cast<double>(done) * scale));
    };
    read.resize(job.stored.size());
    counters += engine.store(job.placed.plan, job.placed.regions, job.stored.data(),
                             job.sens.empty() ? nullptr : job.sens.data(), read.size(), read.data(), progress);
    scatter(job, read.data(), outs[k]);
    before += 2 * job.numel;
    obs.progress(before);
  }
  obs.task_done();
  return counters;
}

void ModelStore::report(RunResult& r, const TensorCounters& first, const Engine& engine,
                        const ChannelSetup& channel) const {
  const RunConfig& c = config_;
  CellUse u;
  u.weights = weights_;
  u.analog_cells = first.cells_written;
  u.analog_cells += uint64_t{reference_cells(c.engine)} * jobs_.size();  // every tensor's reference cells
  u.directory_words = first.dir_written;
  for (const Job& j : jobs_) {
    u.metadata_bits += static_cast<double>(j.stored.size()) * j.placed.plan.strategy.meta_bits();
    u.mask_bits += j.mask_bits;
  }
  if (c.engine.store == "digital") {  // the weights themselves, plus one fp32 scale per tensor when quantized
    u.digital_bits = static_cast<double>(weights_) * c.engine.digital_bits +
                     (c.engine.digital_bits < 32 ? 32.0 * static_cast<double>(jobs_.size()) : 0.0);
  }
  r.weights = weights_;
  r.counters = first;
  r.cost_ideal = cell_cost(u, kIdealBitsPerCell);
  r.cost_realistic = cell_cost(u, kRealisticBitsPerCell);
  r.fp32_ideal = fp32_baseline(kIdealBitsPerCell);
  r.fp32_realistic = fp32_baseline(kRealisticBitsPerCell);
  r.timing = engine.timing();
  r.physical = physical_cost(first, c.engine.array, c.engine.costs, weights_);
  r.physical.load_time_s = seconds_of_time(c.engine.time, channel.channel->reference_time());
  r.tensors.clear();
  for (const Job& j : jobs_) {
    const TensorPlan& p = j.placed.plan;
    TensorReport t;
    t.name = j.name;
    t.weights = j.numel;
    t.threshold = p.threshold;
    t.alpha_small = p.small.alpha;
    t.beta_small = p.small.beta;
    t.alpha_large = p.large.alpha;
    t.beta_large = p.large.beta;
    t.cells_small = p.small.cells;
    t.cells_large = p.large.cells;
    t.cells_sens = p.cells_sens;
    t.large_weights = p.large_weights;
    t.sensitive_weights = p.sensitive_weights;
    t.analog_cells = p.analog_cells;
    r.tensors.push_back(t);
  }
}

}  // namespace pcm::sw
