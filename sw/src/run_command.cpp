#include "pcm/sw/run_command.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>

#include "pcm/sw/cli.hpp"
#include "pcm/sw/text.hpp"
#include "pcm/sw/dataset.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/plan.hpp"
#include "pcm/sw/progress.hpp"
#include "pcm/sw/resources.hpp"
#include "pcm/sw/torch_model.hpp"

namespace pcm::sw {
namespace po = boost::program_options;
using nlohmann::json;

namespace {

constexpr double kIdealBitsPerCell = 2.0;      // the device's capacity (paper 2.2.2)
constexpr double kRealisticBitsPerCell = 1.8;  // with LDPC overhead

struct RunOptions {
  std::string model;
  std::string data;
  std::string channel = "default";
  std::string strategy = "none";
  double cells = 1.0;
  unsigned seeds = 3;
  uint64_t first_seed = 1;
  PlanOptions plan;
  double sens_fraction = 0.01;
  std::size_t calib = 256;
  std::size_t limit = 0;
  std::size_t batch = 256;
  EngineOptions engine;
  std::string out_path;
  std::string dump_path;
  std::string store = "analog";  // analog: through the engine; digital: error-free baseline
  int digital_bits = 32;
  double prune = 0.0;
  bool quiet = false;
  int threads = 0;
};

struct TensorJob {
  std::string name;
  std::size_t numel = 0;
  std::vector<uint32_t> kept;  // indices of the stored weights; empty: all (no pruning)
  std::vector<float> stored;   // the values streamed through the engine
  std::vector<uint8_t> sens;   // per stored weight; empty unless SENS
  TensorPlan plan;
  Regions regions;
  double mask_bits = 0.0;      // pruning mask, entropy-coded
};

// Binary entropy in bits.
double entropy_bits(double p) {
  if (p <= 0.0 || p >= 1.0) return 0.0;
  return -p * std::log2(p) - (1.0 - p) * std::log2(1.0 - p);
}

// Magnitude pruning of one tensor: the indices of the weights that stay
// (ascending), after dropping the floor(sparsity x n) smallest |w|.
std::vector<uint32_t> kept_after_pruning(const float* w, std::size_t n, double sparsity) {
  std::vector<uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
  const auto drop = static_cast<std::size_t>(std::floor(sparsity * static_cast<double>(n)));
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(drop), order.end(),
                   [w](uint32_t a, uint32_t b) {
                     return std::fabs(w[a]) < std::fabs(w[b]) || (std::fabs(w[a]) == std::fabs(w[b]) && a < b);
                   });
  std::vector<uint32_t> kept(order.begin() + static_cast<std::ptrdiff_t>(drop), order.end());
  std::sort(kept.begin(), kept.end());
  return kept;
}

// Uniform symmetric quantization to `bits` (per-tensor scale max|w| / (2^(b-1) - 1)),
// stored digitally and error-free; 32 keeps fp32 as it is.
void quantize(const float* w, std::size_t n, int bits, float* out) {
  if (bits >= 32) {
    std::copy(w, w + n, out);
    return;
  }
  float max = 0.0f;
  for (std::size_t i = 0; i < n; ++i) max = std::max(max, std::fabs(w[i]));
  const double top = std::ldexp(1.0, bits - 1) - 1.0;
  const double scale = max > 0.0f ? static_cast<double>(max) / top : 1.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double q = std::clamp(std::nearbyint(static_cast<double>(w[i]) / scale), -top, top);
    out[i] = static_cast<float>(q * scale);
  }
}

// Marks the `fraction` most sensitive weights of the whole model.
std::vector<std::vector<uint8_t>> mark_sensitive(const std::vector<torch::Tensor>& fisher, double fraction) {
  std::vector<float> all;
  for (const auto& f : fisher) {
    const torch::Tensor c = f.contiguous();
    all.insert(all.end(), c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  }
  const auto k = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(all.size())));
  float cut = std::numeric_limits<float>::infinity();
  if (k > 0 && !all.empty()) {
    std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k - 1), all.end(),
                     std::greater<float>());
    cut = all[k - 1];
  }
  std::vector<std::vector<uint8_t>> marks;
  for (const auto& f : fisher) {
    const torch::Tensor c = f.contiguous();
    const float* s = c.data_ptr<float>();
    std::vector<uint8_t> m(static_cast<std::size_t>(c.numel()));
    for (std::size_t i = 0; i < m.size(); ++i) m[i] = s[i] >= cut && s[i] > 0.0f;
    marks.push_back(std::move(m));
  }
  return marks;
}

double mean_of(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

// Sample standard deviation (n - 1); 0 for fewer than two values.
double std_of(const std::vector<double>& v) {
  if (v.size() < 2) return 0.0;
  const double m = mean_of(v);
  double s = 0.0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}

json counters_json(const TensorCounters& c) {
  return {{"weights_written", c.weights_written}, {"weights_read", c.weights_read},
          {"cells_written", c.cells_written},     {"cells_read", c.cells_read},
          {"meta_written", c.meta_written},       {"meta_read", c.meta_read},
          {"dir_written", c.dir_written},         {"dir_read", c.dir_read},
          {"saturated", c.saturated}};
}

}  // namespace

int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  RunOptions o;
  po::options_description desc("pcmsim run options");
  desc.add_options()
      ("help,h", "print this help")
      ("model", po::value(&o.model), "TorchScript model (input [N, C, H, W] pixels in [0, 1], output logits)")
      ("data", po::value(&o.data), "dataset directory: MNIST IDX files or CIFAR-10 binary batches")
      ("engine", po::value(&o.engine.engine)->default_value("model"), "rtl (Verilated controller in SystemC), model (functional C++), ideal (float equations)")
      ("strategy", po::value(&o.strategy)->default_value("none"), "none, or sp, am, ar, sens joined by '+'")
      ("cells", po::value(&o.cells)->default_value(1.0), "target average analog cells per weight (1 .. 1024)")
      ("channel", po::value(&o.channel)->default_value("default"), "channel: a built-in table, a table file, or awgn:STD")
      ("seeds", po::value(&o.seeds)->default_value(3), "number of noise seeds")
      ("seed", po::value(&o.first_seed)->default_value(1), "first seed")
      ("large-fraction", po::value(&o.plan.large_fraction)->default_value(0.01), "share of each tensor's weights in the large class (am, ar)")
      ("boost", po::value(&o.plan.boost)->default_value(4), "large / sensitive weights get at least this many times the cells of small ones (ar, sens)")
      ("sens-fraction", po::value(&o.sens_fraction)->default_value(0.01), "share of the model's weights marked sensitive (sens)")
      ("calib", po::value(&o.calib)->default_value(256), "training items for the Fisher sensitivity (sens)")
      ("dac-bits", po::value(&o.plan.dac_bits)->default_value(16), "DAC resolution, 2 .. 16")
      ("adc-bits", po::value(&o.plan.adc_bits)->default_value(16), "ADC resolution, 2 .. 16")
      ("dir", po::value(&o.plan.dir_log2)->default_value(10), "log2 of weights per directory block (ar, sens), 1 .. 12")
      ("banks", po::value(&o.engine.banks)->default_value(4), "array banks (rtl)")
      ("write-latency", po::value(&o.engine.write_latency)->default_value(4), "array write latency in cycles (rtl)")
      ("read-latency", po::value(&o.engine.read_latency)->default_value(2), "array read latency in cycles (rtl)")
      ("trace", po::value(&o.engine.trace), "write an FST waveform of the controller (rtl)")
      ("limit", po::value(&o.limit)->default_value(0), "evaluate on the first N test items only (0: all)")
      ("batch", po::value(&o.batch)->default_value(256), "evaluation batch size")
      ("out", po::value(&o.out_path), "write results and the full configuration as JSON")
      ("dump-weights", po::value(&o.dump_path), "write the first seed's read-back weights as raw little-endian fp32, tensors in order")
      ("prune", po::value(&o.prune)->default_value(0.0), "magnitude-prune this fraction of each tensor's weights first (0 .. <1); only the rest is stored, the mask is counted at its entropy")
      ("store", po::value(&o.store)->default_value("analog"), "analog (through the engine), or digital: the error-free baseline of --digital-bits")
      ("digital-bits", po::value(&o.digital_bits)->default_value(32), "digital baseline: 32 (fp32), or uniform quantization to 2 .. 16 bits")
      ("threads", po::value(&o.threads)->default_value(0), "LibTorch threads for evaluation (0: its default)")
      ("quiet", po::bool_switch(&o.quiet), "no progress bar");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    out << "usage: pcmsim run --model FILE.pt --data DIR [options]\n\n" << desc;
    return 0;
  }
  if (o.model.empty()) throw UsageError("--model is required");
  if (o.data.empty()) throw UsageError("--data is required");
  if (o.seeds == 0) throw UsageError("--seeds must be at least 1");
  if (o.batch == 0) throw UsageError("--batch must be at least 1");
  if (o.plan.dac_bits < 2 || o.plan.dac_bits > 16) throw UsageError("--dac-bits must be 2 .. 16");
  if (o.plan.adc_bits < 2 || o.plan.adc_bits > 16) throw UsageError("--adc-bits must be 2 .. 16");
  if (o.plan.dir_log2 < 1 || o.plan.dir_log2 > 12) throw UsageError("--dir must be 1 .. 12");
  if (!(o.plan.large_fraction > 0.0 && o.plan.large_fraction < 1.0)) throw UsageError("--large-fraction must be in (0, 1)");
  if (!(o.sens_fraction > 0.0 && o.sens_fraction < 1.0)) throw UsageError("--sens-fraction must be in (0, 1)");
  if (o.plan.boost < 1) throw UsageError("--boost must be at least 1");
  if (!(o.prune >= 0.0 && o.prune < 1.0)) throw UsageError("--prune must be in [0, 1)");
  if (o.store != "analog" && o.store != "digital") throw UsageError("--store: expected analog or digital");
  const bool digital_store = o.store == "digital";
  if (digital_store && o.digital_bits != 32 && (o.digital_bits < 2 || o.digital_bits > 16)) {
    throw UsageError("--digital-bits must be 32 or 2 .. 16");
  }
  const Strategy strategy = Strategy::parse(o.strategy);
  if (digital_store && strategy.name() != "none") throw UsageError("--store digital takes no --strategy");
  o.plan.cells = o.cells;
  const ChannelSetup channel = make_channel(o.channel);
  plan_tensor(nullptr, nullptr, 0, strategy, o.plan, channel.map);  // the budget alone
  std::unique_ptr<Engine> engine = digital_store ? nullptr : make_engine(o.engine, channel);
  const bool bar = !o.quiet && Progress::stderr_is_terminal();
  if (o.threads < 0) throw UsageError("--threads must be >= 0");
  if (o.threads > 0) at::set_num_threads(o.threads);
  const auto started = std::chrono::steady_clock::now();

  TorchModel model(o.model);
  const Dataset test = load_dataset(o.data, Split::kTest);
  const std::size_t evaluated = o.limit == 0 ? test.count : std::min(o.limit, test.count);
  out << "model      " << o.model << ": " << model.parameters().size() << " parameter tensors, "
      << model.parameter_count() << " weights; " << model.buffer_count() << " buffer values stay digital\n";
  out << "dataset    " << test.format << ", " << evaluated << " test items of " << test.channels << "x"
      << test.height << "x" << test.width << "\n";
  out << "channel    " << channel.name << ", usable t in [" << fmt("%+.4f", channel.map.t_lo) << ", "
      << fmt("%+.4f", channel.map.t_hi) << "]\n";
  if (digital_store) {
    out << "store      digital baseline, " << (o.digital_bits == 32 ? std::string("fp32")
                                                : std::to_string(o.digital_bits) + "-bit uniform quantization")
        << ", error-free\n";
  } else {
    out << "engine     " << engine->name() << "; strategy " << strategy.name() << "; target " << o.cells
        << " analog cells per weight\n";
  }
  if (o.prune > 0.0) out << "pruning    " << fmt("%.1f", 100.0 * o.prune) << "% of each tensor by magnitude\n";
  out << std::flush;

  double clean = 0.0;
  {
    Progress p(err, bar, "clean accuracy", evaluated);
    clean = model.accuracy(test, o.limit, o.batch, [&](std::size_t d) { p.update(d); });
  }
  out << "clean accuracy     " << fmt("%.2f", 100.0 * clean) << "%\n" << std::flush;

  // Plans: per tensor, the same for every seed.
  std::vector<std::vector<uint8_t>> marks;
  if (strategy.sens) {
    const Dataset calib = load_dataset(o.data, Split::kTrain);
    const std::size_t items = std::min(o.calib, calib.count);
    Progress p(err, bar, "Fisher sensitivity", items);
    marks = mark_sensitive(model.fisher_diagonal(calib, items, [&](std::size_t d) { p.update(d); }),
                           o.sens_fraction);
  }
  std::vector<TensorJob> jobs;
  ModelLayout layout(strategy, o.plan, channel.map);
  for (std::size_t k = 0; k < model.parameters().size(); ++k) {
    const NamedTensor& param = model.parameters()[k];
    const torch::Tensor flat = param.value.detach().contiguous().view(-1);
    const float* values = flat.data_ptr<float>();
    TensorJob job;
    job.name = param.name;
    job.numel = static_cast<std::size_t>(flat.numel());
    for (std::size_t i = 0; i < job.numel; ++i) {
      if (!std::isfinite(values[i])) {
        throw std::runtime_error("parameter " + job.name + ": weight " + std::to_string(i) + " is " +
                                 (std::isnan(values[i]) ? "NaN" : "infinite"));
      }
    }
    if (o.prune > 0.0) {
      job.kept = kept_after_pruning(values, job.numel, o.prune);
      for (uint32_t i : job.kept) job.stored.push_back(values[i]);
      const double pruned = 1.0 - static_cast<double>(job.kept.size()) / static_cast<double>(job.numel);
      job.mask_bits = static_cast<double>(job.numel) * entropy_bits(pruned);
    } else {
      job.stored.assign(values, values + job.numel);
    }
    if (strategy.sens) {
      if (job.kept.empty() && o.prune == 0.0) {
        job.sens = marks[k];
      } else {
        for (uint32_t i : job.kept) job.sens.push_back(marks[k][i]);
      }
    }
    PlacedTensor placed = layout.add(job.name, job.stored.data(), job.sens.empty() ? nullptr : job.sens.data(),
                                     job.stored.size());
    job.plan = std::move(placed.plan);
    job.regions = placed.regions;
    jobs.push_back(std::move(job));
  }
  // The pruned model's own accuracy, before any storage.
  double pruned_clean = clean;
  if (o.prune > 0.0) {
    torch::NoGradGuard no_grad;
    for (std::size_t k = 0; k < jobs.size(); ++k) {
      torch::Tensor dense = torch::zeros({static_cast<int64_t>(jobs[k].numel)});
      float* d = dense.data_ptr<float>();
      for (std::size_t i = 0; i < jobs[k].kept.size(); ++i) d[jobs[k].kept[i]] = jobs[k].stored[i];
      model.parameters()[k].value.copy_(dense.view(model.parameters()[k].value.sizes()));
    }
    Progress p(err, bar, "pruned accuracy", evaluated);
    pruned_clean = model.accuracy(test, o.limit, o.batch, [&](std::size_t d) { p.update(d); });
    out << "pruned accuracy    " << fmt("%.2f", 100.0 * pruned_clean) << "% (no storage noise)\n";
  }

  // Seeds: store, read back, evaluate, restore.
  const std::vector<torch::Tensor> original = model.snapshot();  // pruned, when pruning
  const uint64_t weights = model.parameter_count();
  std::vector<double> accuracies;
  TensorCounters totals;
  std::ofstream dump;
  if (!o.dump_path.empty()) {
    dump.open(o.dump_path, std::ios::binary);
    if (!dump) throw std::runtime_error(o.dump_path + ": cannot open for writing");
  }
  double store_seconds = 0.0;
  for (unsigned s = 0; s < o.seeds; ++s) {
    const uint64_t seed = o.first_seed + s;
    if (engine) engine->begin(seed);
    TensorCounters counters;
    const auto t0 = std::chrono::steady_clock::now();
    {
      Progress p(err, bar, "seed " + std::to_string(seed) + ": store+load", weights);
      uint64_t done = 0;
      for (std::size_t k = 0; k < jobs.size(); ++k) {
        TensorJob& job = jobs[k];
        torch::Tensor value = model.parameters()[k].value;
        std::vector<float> read(job.stored.size());
        if (digital_store) {
          quantize(job.stored.data(), read.size(), o.digital_bits, read.data());
        } else {
          counters += engine->store(job.plan, job.regions, job.stored.data(),
                                    job.sens.empty() ? nullptr : job.sens.data(), read.size(), read.data());
        }
        torch::Tensor back = torch::zeros({static_cast<int64_t>(job.numel)});
        float* b = back.data_ptr<float>();
        if (job.kept.empty() && o.prune == 0.0) {
          std::copy(read.begin(), read.end(), b);
        } else {
          for (std::size_t i = 0; i < job.kept.size(); ++i) b[job.kept[i]] = read[i];
        }
        if (s == 0 && dump.is_open()) {
          dump.write(reinterpret_cast<const char*>(back.data_ptr<float>()),
                     static_cast<std::streamsize>(jobs[k].numel * sizeof(float)));
          if (!dump) throw std::runtime_error(o.dump_path + ": write failed");
        }
        torch::NoGradGuard no_grad;
        value.copy_(back.view(value.sizes()));
        done += jobs[k].numel;
        p.update(done);
      }
    }
    store_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    double acc = 0.0;
    {
      Progress p(err, bar, "seed " + std::to_string(seed) + ": accuracy", evaluated);
      acc = model.accuracy(test, o.limit, o.batch, [&](std::size_t d) { p.update(d); });
    }
    model.restore(original);
    accuracies.push_back(acc);
    if (s == 0) totals = counters;
    out << "seed " << seed << "             " << fmt("%.2f", 100.0 * acc) << "%\n" << std::flush;
  }
  const double mean = mean_of(accuracies);
  const double sd = std_of(accuracies);
  out << "stored accuracy    " << fmt("%.2f", 100.0 * mean) << "% +- " << fmt("%.2f", 100.0 * sd) << " ("
      << o.seeds << " seed" << (o.seeds > 1 ? "s" : "") << "), clean " << fmt("%.2f", 100.0 * clean)
      << "%, loss " << fmt("%.2f", 100.0 * (clean - mean)) << " points\n";

  // Cells per weight, with every overhead.
  const double w = static_cast<double>(weights);
  const double analog = static_cast<double>(totals.cells_written) / w;
  double meta_bits = 0.0;
  double mask_bits = 0.0;
  for (const TensorJob& j : jobs) {
    meta_bits += static_cast<double>(j.stored.size()) * j.plan.strategy.meta_bits();
    mask_bits += j.mask_bits;
  }
  if (digital_store) {  // the weights themselves, plus one fp32 scale per tensor when quantized
    meta_bits = w * o.digital_bits + (o.digital_bits < 32 ? 32.0 * static_cast<double>(jobs.size()) : 0.0);
  }
  const double dir_words = static_cast<double>(totals.dir_written);
  auto digital = [&](double bpc) { return (meta_bits + 32.0 * dir_words) / bpc / w; };
  auto mask = [&](double bpc) { return mask_bits / bpc / w; };
  auto total = [&](double bpc) { return analog + digital(bpc) + mask(bpc); };
  out << "cells per weight   analog " << fmt("%.4f", analog) << " + " << (digital_store ? "digital " : "metadata/directory ")
      << fmt("%.4f", digital(kIdealBitsPerCell));
  if (o.prune > 0.0) out << " + pruning mask " << fmt("%.4f", mask(kIdealBitsPerCell));
  out << " = " << fmt("%.4f", total(kIdealBitsPerCell)) << " (ideal, 2 bits per digital cell); "
      << fmt("%.4f", total(kRealisticBitsPerCell)) << " (realistic, 1.8)\n";
  out << "digital baselines  fp32 stored digitally: 16 cells per weight (ideal), 18 (realistic)\n";
  if (engine) out << "controller (seed " << o.first_seed << ")  analog cells written " << totals.cells_written << ", read "
      << totals.cells_read << "; metadata records " << totals.meta_written << " / " << totals.meta_read
      << "; directory entries " << totals.dir_written << " / " << totals.dir_read << "\n";
  out << "saturated weights  " << totals.saturated << " of " << weights << "\n";
  const TimingStats timing = engine ? engine->timing() : TimingStats{};
  if (timing.cycles > 0) {
    out << "simulated          " << timing.cycles << " cycles over " << o.seeds << " seeds, "
        << fmt("%.0f", static_cast<double>(weights) * o.seeds / std::max(timing.sim_seconds, 1e-9))
        << " weights/s simulated, bank utilisation " << fmt("%.1f", 100.0 * timing.bank_utilisation) << "%\n";
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double peak_mib = static_cast<double>(peak_rss_bytes()) / (1024.0 * 1024.0);
  out << "time               " << fmt("%.1f", store_seconds) << " s storing and loading, " << fmt("%.1f", wall)
      << " s in all; peak memory " << fmt("%.0f", peak_mib) << " MiB\n";

  if (!o.out_path.empty()) {
    json j;
    j["config"] = {{"model", o.model}, {"data", o.data}, {"engine", o.engine.engine},
                   {"strategy", strategy.name()}, {"cells", o.cells}, {"channel", o.channel},
                   {"seeds", o.seeds}, {"seed", o.first_seed}, {"large_fraction", o.plan.large_fraction},
                   {"boost", o.plan.boost}, {"sens_fraction", o.sens_fraction}, {"calib", o.calib},
                   {"dac_bits", o.plan.dac_bits}, {"adc_bits", o.plan.adc_bits}, {"dir", o.plan.dir_log2},
                   {"banks", o.engine.banks}, {"write_latency", o.engine.write_latency},
                   {"read_latency", o.engine.read_latency}, {"limit", o.limit}, {"prune", o.prune},
                   {"store", o.store}, {"digital_bits", o.digital_bits}};
    j["dataset"] = {{"format", test.format}, {"source", test.source}, {"evaluated", evaluated}};
    j["clean_accuracy"] = clean;
    j["pruned_clean_accuracy"] = pruned_clean;
    j["accuracy"] = {{"mean", mean}, {"std", sd}, {"per_seed", accuracies}};
    j["weights"] = weights;
    j["buffers_digital"] = model.buffer_count();
    j["cells_per_weight"] = {{"analog", analog},
                             {"digital_ideal", digital(kIdealBitsPerCell)},
                             {"digital_realistic", digital(kRealisticBitsPerCell)},
                             {"mask_ideal", mask(kIdealBitsPerCell)},
                             {"mask_realistic", mask(kRealisticBitsPerCell)},
                             {"total_ideal", total(kIdealBitsPerCell)},
                             {"total_realistic", total(kRealisticBitsPerCell)},
                             {"baseline_fp32_ideal", 16},
                             {"baseline_fp32_realistic", 18}};
    j["counters_first_seed"] = counters_json(totals);
    j["timing"] = {{"cycles", timing.cycles}, {"array_requests", timing.array_requests},
                   {"array_stall_cycles", timing.array_stall_cycles},
                   {"bank_utilisation", timing.bank_utilisation}, {"sim_seconds", timing.sim_seconds},
                   {"store_seconds", store_seconds}, {"wall_seconds", wall},
                   {"peak_rss_mib", peak_mib}};
    json tensors = json::array();
    for (const TensorJob& t : jobs) {
      tensors.push_back({{"name", t.name}, {"weights", t.numel}, {"threshold", t.plan.threshold},
                         {"alpha_small", t.plan.small.alpha}, {"beta_small", t.plan.small.beta},
                         {"alpha_large", t.plan.large.alpha}, {"beta_large", t.plan.large.beta},
                         {"cells_small", t.plan.small.cells}, {"cells_large", t.plan.large.cells},
                         {"cells_sens", t.plan.cells_sens}, {"large_weights", t.plan.large_weights},
                         {"sensitive_weights", t.plan.sensitive_weights},
                         {"analog_cells", t.plan.analog_cells}});
    }
    j["tensors"] = tensors;
    // written beside and renamed: a reader (pcmsim sweep resuming) never sees half a file
    const std::string tmp = o.out_path + ".tmp";
    {
      std::ofstream f(tmp);
      if (!f) throw std::runtime_error(o.out_path + ": cannot open for writing");
      f << j.dump(2) << "\n";
      if (!f.flush()) throw std::runtime_error(o.out_path + ": write failed");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, o.out_path, ec);
    if (ec) throw std::runtime_error(o.out_path + ": " + ec.message());
  }
  return 0;
}

}  // namespace pcm::sw
