#include "pcm/sw/run.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <vector>

#include "pcm/sw/compress.hpp"
#include "pcm/sw/dataset.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/files.hpp"
#include "pcm/sw/resources.hpp"
#include "pcm/sw/stats.hpp"
#include "pcm/sw/torch_model.hpp"

#ifndef PCMSIM_VERSION
#define PCMSIM_VERSION "unknown"
#endif

namespace pcm::sw {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// One parameter tensor on its way through the engine.
struct TensorJob {
  std::string name;
  std::size_t numel = 0;
  std::vector<uint32_t> kept;  // indices of the stored weights; empty: all (no pruning)
  std::vector<float> stored;   // the values streamed through the engine
  std::vector<uint8_t> sens;   // per stored weight; empty unless SENS
  PlacedTensor placed;
  double mask_bits = 0.0;      // pruning mask, entropy-coded
};

// An evaluation with its progress reported.
double evaluate(TorchModel& model, const Dataset& test, const RunConfig& c, uint64_t evaluated,
                const std::string& label, RunObserver& obs) {
  obs.task(label, evaluated);
  const double acc = model.accuracy(test, c.limit, c.batch, [&](std::size_t d) { obs.progress(d); });
  obs.task_done();
  return acc;
}

// Per tensor: pruning, sensitivity marks and the plan (the same for every seed).
std::vector<TensorJob> plan_jobs(TorchModel& model, const Strategy& strategy, const RunConfig& c,
                                 const ChannelSetup& channel, const std::vector<std::vector<uint8_t>>& marks) {
  std::vector<TensorJob> jobs;
  ModelLayout layout(strategy, c.plan.rule, channel.map, reference_cells(c.engine));
  for (std::size_t k = 0; k < model.parameters().size(); ++k) {
    const NamedTensor& param = model.parameters()[k];
    const torch::Tensor flat = param.value.detach().contiguous().view(-1);
    const float* values = flat.data_ptr<float>();
    TensorJob job;
    job.name = param.name;
    job.numel = static_cast<std::size_t>(flat.numel());
    if (c.prune > 0.0) {
      job.kept = kept_after_pruning(values, job.numel, c.prune);
      for (uint32_t i : job.kept) job.stored.push_back(values[i]);
      job.mask_bits = mask_bits(job.numel, job.kept.size());
    } else {
      job.stored.assign(values, values + job.numel);
    }
    if (strategy.sens) {
      if (c.prune == 0.0) {
        job.sens = marks[k];
      } else {
        for (uint32_t i : job.kept) job.sens.push_back(marks[k][i]);
      }
    }
    job.placed = layout.add(job.name, job.stored.data(), job.sens.empty() ? nullptr : job.sens.data(),
                            job.stored.size());
    jobs.push_back(std::move(job));
  }
  return jobs;
}

// The stored values of a job scattered back into a dense tensor (zeros where pruned).
torch::Tensor dense_of(const TensorJob& job, const std::vector<float>& values) {
  torch::Tensor dense = torch::zeros({static_cast<int64_t>(job.numel)});
  float* d = dense.data_ptr<float>();
  if (job.kept.empty()) {
    std::copy(values.begin(), values.end(), d);
  } else {
    for (std::size_t i = 0; i < job.kept.size(); ++i) d[job.kept[i]] = values[i];
  }
  return dense;
}

// One seed: every tensor stored and read back into the model.
TensorCounters store_seed(Engine& engine, TorchModel& model, std::vector<TensorJob>& jobs, uint64_t weights,
                          const std::string& label, std::ofstream* dump, const std::string& dump_path,
                          RunObserver& obs) {
  TensorCounters counters;
  obs.task(label, weights);
  uint64_t done = 0;
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    TensorJob& job = jobs[k];
    std::vector<float> read(job.stored.size());
    counters += engine.store(job.placed.plan, job.placed.regions, job.stored.data(),
                             job.sens.empty() ? nullptr : job.sens.data(), read.size(), read.data());
    const torch::Tensor back = dense_of(job, read);
    if (dump != nullptr) {
      dump->write(reinterpret_cast<const char*>(back.data_ptr<float>()),
                  static_cast<std::streamsize>(job.numel * sizeof(float)));
      if (!*dump) throw std::runtime_error(dump_path + ": write failed");
    }
    torch::NoGradGuard no_grad;
    torch::Tensor value = model.parameters()[k].value;
    value.copy_(back.view(value.sizes()));
    done += job.numel;
    obs.progress(done);
  }
  obs.task_done();
  return counters;
}

// What the model used, summed over its tensors, for cell_cost().
CellUse cell_use(const std::vector<TensorJob>& jobs, const RunConfig& c, uint64_t weights,
                 const TensorCounters& first_seed) {
  CellUse u;
  u.weights = weights;
  u.analog_cells = first_seed.cells_written;
  u.analog_cells += uint64_t{reference_cells(c.engine)} * jobs.size();  // every tensor's reference cells
  u.directory_words = first_seed.dir_written;
  for (const TensorJob& j : jobs) {
    u.metadata_bits += static_cast<double>(j.stored.size()) * j.placed.plan.strategy.meta_bits();
    u.mask_bits += j.mask_bits;
  }
  if (c.engine.store == "digital") {  // the weights themselves, plus one fp32 scale per tensor when quantized
    u.digital_bits = static_cast<double>(weights) * c.engine.digital_bits +
                     (c.engine.digital_bits < 32 ? 32.0 * static_cast<double>(jobs.size()) : 0.0);
  }
  return u;
}

TensorReport tensor_report(const TensorJob& t) {
  const TensorPlan& p = t.placed.plan;
  TensorReport r;
  r.name = t.name;
  r.weights = t.numel;
  r.threshold = p.threshold;
  r.alpha_small = p.small.alpha;
  r.beta_small = p.small.beta;
  r.alpha_large = p.large.alpha;
  r.beta_large = p.large.beta;
  r.cells_small = p.small.cells;
  r.cells_large = p.large.cells;
  r.cells_sens = p.cells_sens;
  r.large_weights = p.large_weights;
  r.sensitive_weights = p.sensitive_weights;
  r.analog_cells = p.analog_cells;
  return r;
}

// The model's own accuracy once pruned, before any storage (the model keeps the pruned weights).
double prune_model(TorchModel& model, const std::vector<TensorJob>& jobs, const Dataset& test, const RunConfig& c,
                   uint64_t evaluated, RunObserver& obs) {
  {
    torch::NoGradGuard no_grad;
    for (std::size_t k = 0; k < jobs.size(); ++k) {
      torch::Tensor value = model.parameters()[k].value;
      value.copy_(dense_of(jobs[k], jobs[k].stored).view(value.sizes()));
    }
  }
  return evaluate(model, test, c, evaluated, "pruned accuracy", obs);
}

}  // namespace

std::string version() { return PCMSIM_VERSION; }

RunResult run(const RunConfig& config, RunObserver& obs) {
  validate(config);
  check_outputs({{"model", config.model}, {"channel", config.plan.channel}},
                {{"out", config.out}, {"dump_weights", config.dump_weights}, {"trace", config.engine.trace}});
  const auto started = Clock::now();
  const Strategy strategy = strategy_of(config.plan);
  const ChannelSetup channel = make_channel(config.plan.channel);
  std::unique_ptr<Engine> engine = make_engine(config.engine, channel);
  if (config.threads > 0) at::set_num_threads(config.threads);

  TorchModel model(config.model);
  model.check_finite();
  const Dataset test = load_dataset(config.data, Split::kTest);
  RunResult r;
  r.provenance = {version(), test.format, test.source, config.limit == 0 ? test.count : std::min(config.limit, uint64_t{test.count})};
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
  std::vector<TensorJob> jobs = plan_jobs(model, strategy, config, channel, marks);
  r.pruned_clean_accuracy = r.clean_accuracy;
  if (config.prune > 0.0) {
    r.pruned_clean_accuracy = prune_model(model, jobs, test, config, evaluated, obs);
    obs.pruned_accuracy(r.pruned_clean_accuracy);
  }

  const std::vector<torch::Tensor> original = model.snapshot();  // pruned, when pruning
  std::ofstream dump;
  if (!config.dump_weights.empty()) {
    dump.open(config.dump_weights, std::ios::binary);
    if (!dump) throw std::runtime_error(config.dump_weights + ": cannot open for writing");
  }
  for (unsigned s = 0; s < config.seeds; ++s) {
    const uint64_t seed = config.seed + s;
    engine->begin(seed);
    const auto t0 = Clock::now();
    const std::string label = "seed " + std::to_string(seed);
    const TensorCounters counters = store_seed(*engine, model, jobs, r.weights, label + ": store+load",
                                               s == 0 && dump.is_open() ? &dump : nullptr, config.dump_weights, obs);
    r.host.store_seconds += seconds_since(t0);
    const double acc = evaluate(model, test, config, evaluated, label + ": accuracy", obs);
    model.restore(original);
    r.accuracy_per_seed.push_back(acc);
    if (s == 0) r.counters = counters;
    obs.seed_accuracy(seed, acc);
  }
  const Stats acc = stats_of(r.accuracy_per_seed);
  r.accuracy_mean = acc.mean;
  r.accuracy_std = acc.std;
  const CellUse use = cell_use(jobs, config, r.weights, r.counters);
  r.cost_ideal = cell_cost(use, kIdealBitsPerCell);
  r.cost_realistic = cell_cost(use, kRealisticBitsPerCell);
  r.fp32_ideal = fp32_baseline(kIdealBitsPerCell);
  r.fp32_realistic = fp32_baseline(kRealisticBitsPerCell);
  r.timing = engine->timing();
  r.physical = physical_cost(r.counters, config.engine.array, config.engine.costs, r.weights);
  r.physical.load_time_s = seconds_of_time(config.engine.time, channel.channel->reference_time());
  for (const TensorJob& j : jobs) r.tensors.push_back(tensor_report(j));
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
