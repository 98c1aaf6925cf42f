#include "pcm/sw/run.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

#include "pcm/sw/dataset.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/files.hpp"
#include "pcm/sw/resources.hpp"
#include "pcm/sw/stats.hpp"
#include "pcm/sw/store.hpp"
#include "pcm/sw/torch_model.hpp"

namespace pcm::sw {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// An evaluation with its progress reported.
double evaluate(TorchModel& model, const Dataset& test, const RunConfig& c, uint64_t evaluated,
                const std::string& label, RunObserver& obs) {
  obs.task(label, evaluated);
  const double acc = model.accuracy(test, c.limit, c.batch, [&](std::size_t d) { obs.progress(d); });
  obs.task_done();
  return acc;
}

// The model's parameters as the store sees them (views of LibTorch's memory).
std::vector<WeightTensor> weight_tensors(TorchModel& model, std::vector<torch::Tensor>& keep) {
  std::vector<WeightTensor> out;
  for (const NamedTensor& p : model.parameters()) {
    keep.push_back(p.value.detach().contiguous().view(-1));
    out.push_back({p.name, keep.back().data_ptr<float>(), static_cast<std::size_t>(keep.back().numel())});
  }
  return out;
}

// Dense buffers that the store writes into and the model's parameters take
// back: the parameters' own memory where it is contiguous, else a copy.
class ReadBack {
 public:
  explicit ReadBack(TorchModel& model) : model_(model) {
    for (const NamedTensor& p : model.parameters()) {
      torch::Tensor target = p.value.is_contiguous() ? p.value.detach() : torch::empty_like(p.value).contiguous();
      targets_.push_back(target);
      outs_.push_back(target.data_ptr<float>());
    }
  }
  const std::vector<float*>& outs() const { return outs_; }
  // The parameters that were not written in place take their buffer.
  void commit() {
    torch::NoGradGuard no_grad;
    for (std::size_t k = 0; k < targets_.size(); ++k) {
      torch::Tensor value = model_.parameters()[k].value;
      if (value.data_ptr<float>() != outs_[k]) value.copy_(targets_[k]);
    }
  }

 private:
  TorchModel& model_;
  std::vector<torch::Tensor> targets_;
  std::vector<float*> outs_;
};

void dump(std::ofstream& f, const std::string& path, TorchModel& model) {
  for (const NamedTensor& p : model.parameters()) {
    const torch::Tensor c = p.value.detach().contiguous();
    f.write(reinterpret_cast<const char*>(c.data_ptr<float>()), static_cast<std::streamsize>(c.numel() * sizeof(float)));
    if (!f) throw std::runtime_error(path + ": write failed");
  }
}

// The model's own accuracy once pruned, before any storage (the model keeps the pruned weights).
double prune_model(TorchModel& model, const ModelStore& store, const Dataset& test, const RunConfig& c,
                   uint64_t evaluated, RunObserver& obs) {
  ReadBack back(model);
  for (std::size_t k = 0; k < store.tensors(); ++k) store.pruned(k, back.outs()[k]);
  back.commit();
  return evaluate(model, test, c, evaluated, "pruned accuracy", obs);
}

HardwareRates rates_of(const RunResult& r, unsigned seeds) {
  HardwareRates h;
  h.cycles_per_seed = static_cast<double>(r.timing.cycles) / std::max(1u, seeds);
  const double weights = static_cast<double>(std::max<uint64_t>(r.weights, 1));
  h.cycles_per_weight = h.cycles_per_seed / weights;
  const double per_seed = 1.0 / std::max(1u, seeds);
  h.store_cycles = static_cast<double>(r.timing.store_cycles) * per_seed;
  h.load_cycles = static_cast<double>(r.timing.load_cycles) * per_seed;
  h.simulated_us = r.timing.simulated_seconds * per_seed * 1e6;
  h.weights_per_simulated_s = h.simulated_us > 0.0 ? static_cast<double>(r.weights) / (h.simulated_us * 1e-6) : 0.0;
  h.array_us = r.physical.store_us + r.physical.load_us;
  h.array_uj = r.physical.store_uj + r.physical.load_uj;
  h.weights_per_s = h.array_us > 0.0 ? static_cast<double>(r.weights) / (h.array_us * 1e-6) : 0.0;
  return h;
}

}  // namespace

RunResult run(const RunConfig& config, RunObserver& obs, const std::string& command) {
  validate(config);
  check_outputs({{"model", config.model}, {"channel", config.plan.channel}},
                {{"out", config.out}, {"dump_weights", config.dump_weights}, {"trace", config.engine.trace}});
  const auto started = Clock::now();
  const Strategy strategy = strategy_of(config.plan);
  const ChannelSetup channel = make_channel(config.plan.channel);
  EngineOptions engine_options = config.engine;
  engine_options.threads = static_cast<unsigned>(config.threads);  // one --threads: the engine's blocks and LibTorch's evaluation
  std::unique_ptr<Engine> engine = make_engine(engine_options, channel);
  if (config.threads > 0) at::set_num_threads(config.threads);

  TorchModel model(config.model);
  model.check_finite();
  const Dataset test = load_dataset(config.data, Split::kTest);
  RunResult r;
  r.provenance = provenance_of(config.model, config.plan.channel, command);
  r.provenance.dataset_format = test.format;
  r.provenance.dataset_source = test.source;
  r.provenance.evaluated = config.limit == 0 ? test.count : std::min(config.limit, uint64_t{test.count});
  const uint64_t evaluated = r.provenance.evaluated;
  r.parameter_tensors = model.parameters().size();
  r.weights = model.parameter_count();
  r.buffers_digital = model.buffer_count();
  obs.setup({config.model, r.parameter_tensors, r.weights, r.buffers_digital, test.format, evaluated,
             test.channels, test.height, test.width, channel.name, channel.map.t_lo, channel.map.t_hi,
             engine->name(), strategy.name()});

  r.clean_accuracy = evaluate(model, test, config, evaluated, "clean accuracy", obs);
  obs.clean_accuracy(r.clean_accuracy);
  std::vector<std::vector<uint8_t>> marks;
  if (strategy.sens) {
    const Dataset calib = load_dataset(config.data, Split::kTrain);
    const std::size_t items = std::min<std::size_t>(config.calib, calib.count);
    obs.task("Fisher sensitivity", items);
    marks = mark_sensitive(model.fisher_diagonal(calib, items, [&](std::size_t d) { obs.progress(d); }),
                           config.sens_fraction);
    obs.task_done();
  }
  std::vector<torch::Tensor> views;
  const ModelStore store(config, channel, weight_tensors(model, views), marks);
  views.clear();
  r.pruned_clean_accuracy = r.clean_accuracy;
  if (config.prune > 0.0) {
    r.pruned_clean_accuracy = prune_model(model, store, test, config, evaluated, obs);
    obs.pruned_accuracy(r.pruned_clean_accuracy);
  }

  const std::vector<torch::Tensor> original = model.snapshot();  // pruned, when pruning
  std::ofstream dump_file;
  if (!config.dump_weights.empty()) {
    dump_file.open(config.dump_weights, std::ios::binary);
    if (!dump_file) throw std::runtime_error(config.dump_weights + ": cannot open for writing");
  }
  std::vector<ModelStore::Quality> first_quality;  // the per-layer report is the first seed's
  obs.steps(config.seeds);
  for (unsigned s = 0; s < config.seeds; ++s) {
    const uint64_t seed = config.seed + s;
    obs.step(s, "seed " + std::to_string(seed));
    const auto t0 = Clock::now();
    ReadBack back(model);
    const TensorCounters counters = store.store_seed(*engine, seed, back.outs(), obs, s == 0 ? &first_quality : nullptr);
    back.commit();
    if (s == 0 && dump_file.is_open()) dump(dump_file, config.dump_weights, model);
    r.host.store_seconds += seconds_since(t0);
    const double acc = evaluate(model, test, config, evaluated, "accuracy", obs);
    model.restore(original);
    r.accuracy_per_seed.push_back(acc);
    if (s == 0) r.counters = counters;
    obs.seed_accuracy(seed, acc);
  }
  const Stats acc = stats_of(r.accuracy_per_seed);
  r.accuracy_mean = acc.mean;
  r.accuracy_std = acc.std;
  store.report(r, r.counters, first_quality, *engine, channel);
  r.rates = rates_of(r, config.seeds);
  r.host.wall_seconds = seconds_since(started);
  r.host.peak_rss_mib = static_cast<double>(peak_rss_bytes()) / (1024.0 * 1024.0);

  if (!config.out.empty()) {
    RunConfig written = config;
    written.plan.strategy = strategy.name();
    write_atomically(config.out, [&](std::ostream& f) { f << run_json(written, r).dump(2) << "\n"; });
  }
  return r;
}

}  // namespace pcm::sw
