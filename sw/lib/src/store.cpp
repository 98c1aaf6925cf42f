#include "pcm/sw/store.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <regex>
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
  ModelLayout layout(strategy, config.plan.rule, channel.map, reference_cells(config.engine),
                     array_timing(config.engine));
  const std::regex keep = keep_digital_regex(config.keep_digital);
  bool kept_any = false;
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    const WeightTensor& t = tensors[k];
    const float* values = t.values;
    Job job;
    job.name = t.name;
    job.numel = t.numel;
    if (!config.keep_digital.empty() && std::regex_search(t.name, keep)) {
      job.digital = kept_any = true;
      job.stored.assign(values, values + job.numel);
      weights_ += job.numel;
      jobs_.push_back(std::move(job));
      continue;
    }
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
  if (!config.keep_digital.empty() && !kept_any) {
    std::string names;
    for (std::size_t k = 0; k < tensors.size() && k < 6; ++k) names += (k ? ", " : "") + tensors[k].name;
    throw ConfigError("keep_digital", "'" + config.keep_digital + "' matches none of the model's tensors (" + names +
                                          (tensors.size() > 6 ? ", ..." : "") + ")");
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

namespace {

ModelStore::Quality quality_of(const TensorCounters& counters, const std::vector<float>& stored,
                               const std::vector<float>& read) {
  ModelStore::Quality q;
  q.counters = counters;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const double w = stored[i];
    const double e = static_cast<double>(read[i]) - w;
    q.signal += w * w;
    q.error += e * e;
    q.max_abs = std::max(q.max_abs, std::fabs(w));
    if ((w > 0.0 && read[i] < 0.0f) || (w < 0.0 && read[i] > 0.0f)) ++q.sign_flips;
  }
  return q;
}

}  // namespace

TensorCounters ModelStore::store_seed(Engine& engine, uint64_t seed, const std::vector<float*>& outs,
                                      TaskObserver& obs, std::vector<Quality>* quality) const {
  if (outs.size() != jobs_.size()) throw std::logic_error("ModelStore::store_seed: one output per tensor");
  engine.begin(seed);
  TensorCounters counters;
  obs.task("store+load", 2 * weights_);
  uint64_t before = 0;  // steps of the tensors already done
  std::vector<float> read;
  if (quality != nullptr) quality->clear();
  for (std::size_t k = 0; k < jobs_.size(); ++k) {
    const Job& job = jobs_[k];
    if (job.digital) {  // fp32 in digital cells: read back as written
      std::copy(job.stored.begin(), job.stored.end(), outs[k]);
      if (quality != nullptr) quality->push_back(quality_of({}, job.stored, job.stored));
      before += 2 * job.numel;
      obs.progress(before);
      continue;
    }
    // a tensor's steps are over its stored weights; the bar counts the model's
    const double scale = job.stored.empty() ? 0.0 : static_cast<double>(job.numel) / static_cast<double>(job.stored.size());
    const StoreProgress progress = [&](uint64_t done) {
      obs.progress(before + static_cast<uint64_t>(static_cast<double>(done) * scale));
    };
    read.resize(job.stored.size());
    const TensorCounters c = engine.store(job.placed.plan, job.placed.regions, job.stored.data(),
                                          job.sens.empty() ? nullptr : job.sens.data(), read.size(), read.data(),
                                          progress);
    counters += c;
    if (quality != nullptr) quality->push_back(quality_of(c, job.stored, read));
    scatter(job, read.data(), outs[k]);
    before += 2 * job.numel;
    obs.progress(before);
  }
  obs.task_done();
  return counters;
}

CellUse ModelStore::cell_use(const Job& j, const TensorCounters& counters) const {
  const RunConfig& c = config_;
  CellUse u;
  u.weights = j.numel;
  if (j.digital) {
    u.digital_bits = 32.0 * static_cast<double>(j.numel);
    return u;
  }
  u.analog_cells = counters.cells_written + reference_cells(c.engine);
  u.directory_words = counters.dir_written;
  u.metadata_bits = static_cast<double>(j.stored.size()) * j.placed.plan.strategy.meta_bits();
  u.mask_bits = j.mask_bits;
  if (c.engine.store == "digital") {  // the weights themselves, plus one fp32 scale when quantized
    u.digital_bits = static_cast<double>(j.numel) * c.engine.digital_bits + (c.engine.digital_bits < 32 ? 32.0 : 0.0);
  }
  return u;
}

void ModelStore::report(RunResult& r, const TensorCounters& first, const std::vector<Quality>& first_quality,
                        const Engine& engine, const ChannelSetup& channel) const {
  const RunConfig& c = config_;
  CellUse u;
  u.weights = weights_;
  u.analog_cells = first.cells_written;
  u.directory_words = first.dir_written;
  for (const Job& j : jobs_) {
    // the counters' cells are in first already; the rest of the tensor's use is added here
    const CellUse t = cell_use(j, TensorCounters{});
    u.analog_cells += t.analog_cells;  // its reference cells
    u.metadata_bits += t.metadata_bits;
    u.mask_bits += t.mask_bits;
    u.digital_bits += t.digital_bits;
  }
  r.weights = weights_;
  r.counters = first;
  r.cost_ideal = cell_cost(u, kIdealBitsPerCell);
  r.cost_realistic = cell_cost(u, kRealisticBitsPerCell);
  r.fp32_ideal = fp32_baseline(kIdealBitsPerCell);
  r.fp32_realistic = fp32_baseline(kRealisticBitsPerCell);
  r.timing = engine.timing();
  r.physical = physical_cost(first, array_timing(c.engine), c.engine.costs, weights_);
  r.physical.load_time_s = seconds_of_time(c.engine.time, channel.channel->reference_time());
  r.tensors.clear();
  for (std::size_t k = 0; k < jobs_.size(); ++k) {
    const Job& j = jobs_[k];
    const TensorPlan& p = j.placed.plan;
    TensorReport t;
    t.name = j.name;
    t.weights = j.numel;
    t.digital = j.digital;
    if (k < first_quality.size()) {
      const Quality& q = first_quality[k];
      const double n = static_cast<double>(std::max<std::size_t>(j.stored.size(), 1));
      t.rms_error = q.max_abs > 0.0 ? std::sqrt(q.error / n) / q.max_abs : 0.0;
      t.snr_db = q.error > 0.0 && q.signal > 0.0 ? std::min(kMaxSnrDb, 10.0 * std::log10(q.signal / q.error)) : kMaxSnrDb;
      t.sign_flips = q.sign_flips;
      t.saturated = q.counters.saturated;
      t.cells_per_weight = cell_cost(cell_use(j, q.counters), kIdealBitsPerCell).total;
    }
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
