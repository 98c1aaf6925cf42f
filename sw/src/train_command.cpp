// `pcmsim train`: fine-tunes a TorchScript model with the noise of the
// storage channel injected into its weights (paper section 3.2, eq. 8 and 9;
// "Noisy Machines" eq. 10). The noise is drawn by storing the current weights
// through the functional-model engine (weight_noise.hpp), so it is the noise
// `pcmsim run` later stores the model with, plan and regions included.
#include "pcm/sw/train_command.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <stdexcept>

#include "pcm/sw/cli.hpp"
#include "pcm/sw/text.hpp"
#include "pcm/sw/dataset.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/plan.hpp"
#include "pcm/sw/torch_model.hpp"
#include "pcm/sw/weight_noise.hpp"

namespace pcm::sw {
namespace po = boost::program_options;
namespace F = torch::nn::functional;

namespace {

struct TrainOptions {
  std::string model;
  std::string data;
  std::string out_path;
  std::string mode;
  std::string teacher;
  std::string strategy = "sp+am";
  std::string channel = "default";
  double cells = 1.0;
  unsigned epochs = 30;
  std::size_t batch = 64;
  double lr = 1e-4;
  double lambda = 0.5;
  double temperature = 4.0;
  double alpha = 0.9;
  double clip_sigma = 0.0;
  uint64_t seed = 0;
  PlanOptions plan;
};

enum class Mode { kNaive, kRobust, kDistill };

bool finite(double v) { return std::isfinite(v); }


// A module's forward as logits [N, >= 10], errors on one line.
torch::Tensor logits_of(torch::jit::script::Module& m, const std::string& path, const torch::Tensor& x) {
  torch::jit::IValue out;
  try {
    out = m.forward({x});
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": forward failed: " + cause_line(e.what_without_backtrace()));
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": forward failed: " + cause_line(e.what()));
  }
  if (!out.isTensor()) throw std::runtime_error(path + ": the model does not return a tensor of logits");
  torch::Tensor t = out.toTensor();
  if (t.dim() != 2 || t.size(0) != x.size(0) || t.size(1) < 10) {
    throw std::runtime_error(path + ": the model does not return [N, >= 10] logits");
  }
  return t;
}

double accuracy_of(torch::jit::script::Module& m, const std::string& path, const torch::Tensor& x,
                   const torch::Tensor& y) {
  torch::NoGradGuard no_grad;
  const int64_t n = x.size(0);
  int64_t correct = 0;
  for (int64_t at = 0; at < n; at += 512) {
    const int64_t count = std::min<int64_t>(512, n - at);
    const torch::Tensor pred = logits_of(m, path, x.narrow(0, at, count)).argmax(1);
    correct += pred.eq(y.narrow(0, at, count)).sum().item<int64_t>();
  }
  return n == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(n);
}

// Loaded for training. Call after TorchModel(path) has checked the file.
torch::jit::script::Module load_module(const std::string& path) {
  try {
    return torch::jit::load(path, torch::kCPU);
  } catch (const c10::Error& e) {
    std::string what = e.what_without_backtrace();
    throw std::runtime_error(path + ": not a TorchScript model: " + what.substr(0, what.find('\n')));
  }
}

// KL(p || q) per item, averaged over the batch: p given as probabilities
// (a constant), q as log-probabilities.
torch::Tensor kl_batchmean(const torch::Tensor& p, const torch::Tensor& log_q) {
  return (p * (torch::log(p.clamp_min(1e-30)) - log_q)).sum(1).mean();
}

}  // namespace

int train_command(const std::vector<std::string>& args, std::ostream& out) {
  TrainOptions o;
  po::options_description desc("pcmsim train options");
  desc.add_options()
      ("help,h", "print this help")
      ("model", po::value(&o.model), "TorchScript model to fine-tune (input [N, C, H, W] pixels in [0, 1], output logits)")
      ("data", po::value(&o.data), "dataset directory (MNIST IDX or CIFAR-10 binary); trains on its training split")
      ("out", po::value(&o.out_path), "where to save the fine-tuned TorchScript model")
      ("mode", po::value(&o.mode), "naive (cross-entropy, no noise), robust (eq. 8: CE + lambda KL(p_w || p_w+delta)), "
                                   "distill (eq. 9: noisy student, clean teacher at temperature T)")
      ("teacher", po::value(&o.teacher), "distill: the frozen teacher (default: --model itself)")
      ("strategy", po::value(&o.strategy)->default_value("sp+am"), "storage strategy the noise is drawn with: none, or sp, am, ar joined by '+'")
      ("cells", po::value(&o.cells)->default_value(1.0), "target average analog cells per weight (1 .. 1024)")
      ("channel", po::value(&o.channel)->default_value("default"), "channel: a built-in table, a table file, or awgn:STD")
      ("epochs", po::value(&o.epochs)->default_value(30), "passes over the training split")
      ("batch", po::value(&o.batch)->default_value(64), "mini-batch size")
      ("lr", po::value(&o.lr)->default_value(1e-4), "Adam learning rate (fine-tuning a trained model: small)")
      ("lambda", po::value(&o.lambda)->default_value(0.5), "robust: weight of the KL term")
      ("temperature", po::value(&o.temperature)->default_value(4.0), "distill: softmax temperature T")
      ("alpha", po::value(&o.alpha)->default_value(0.9, "0.9"), "distill: weight of the soft-target term (1 - alpha on cross-entropy)")
      ("clip-sigma", po::value(&o.clip_sigma)->default_value(0.0), "after every step clamp each tensor (>= 2 elements) to +-k std of the "
                                                                  "teacher's tensor of that name (the input model's when the teacher has none); 0: no clipping")
      ("seed", po::value(&o.seed)->default_value(0), "seed of the batch order and of the training noise")
      ("large-fraction", po::value(&o.plan.large_fraction)->default_value(0.01), "share of each tensor's weights in the large class (am, ar)")
      ("boost", po::value(&o.plan.boost)->default_value(4), "large weights get at least this many times the cells of small ones (ar)")
      ("dac-bits", po::value(&o.plan.dac_bits)->default_value(16), "DAC resolution, 2 .. 16")
      ("adc-bits", po::value(&o.plan.adc_bits)->default_value(16), "ADC resolution, 2 .. 16")
      ("dir", po::value(&o.plan.dir_log2)->default_value(10), "log2 of weights per directory block (ar), 1 .. 12");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    out << "usage: pcmsim train --model IN.pt --data DIR --out OUT.pt --mode naive|robust|distill [options]\n\n"
        << desc;
    return 0;
  }
  Mode mode = Mode::kNaive;
  if (o.mode == "naive") {
    mode = Mode::kNaive;
  } else if (o.mode == "robust") {
    mode = Mode::kRobust;
  } else if (o.mode == "distill") {
    mode = Mode::kDistill;
  } else {
    throw UsageError("--mode: expected naive, robust or distill" +
                     (o.mode.empty() ? std::string(" (it is required)") : ", got '" + o.mode + "'"));
  }
  if (o.model.empty()) throw UsageError("--model is required");
  if (o.data.empty()) throw UsageError("--data is required");
  if (o.out_path.empty()) throw UsageError("--out is required");
  if (!o.teacher.empty() && mode != Mode::kDistill) throw UsageError("--teacher is for --mode distill");
  if (o.epochs < 1 || o.epochs > 1000000) throw UsageError("--epochs must be 1 .. 1000000");
  if (o.batch < 1) throw UsageError("--batch must be at least 1");
  if (!(finite(o.lr) && o.lr > 0.0)) throw UsageError("--lr must be a positive number");
  if (!(finite(o.lambda) && o.lambda >= 0.0)) throw UsageError("--lambda must be >= 0");
  if (!(finite(o.temperature) && o.temperature > 0.0)) throw UsageError("--temperature must be > 0");
  if (!(finite(o.alpha) && o.alpha >= 0.0 && o.alpha <= 1.0)) throw UsageError("--alpha must be in [0, 1]");
  if (!(finite(o.clip_sigma) && o.clip_sigma >= 0.0)) throw UsageError("--clip-sigma must be >= 0");
  if (o.plan.dac_bits < 2 || o.plan.dac_bits > 16) throw UsageError("--dac-bits must be 2 .. 16");
  if (o.plan.adc_bits < 2 || o.plan.adc_bits > 16) throw UsageError("--adc-bits must be 2 .. 16");
  if (o.plan.dir_log2 < 1 || o.plan.dir_log2 > 12) throw UsageError("--dir must be 1 .. 12");
  if (!(o.plan.large_fraction > 0.0 && o.plan.large_fraction < 1.0)) {
    throw UsageError("--large-fraction must be in (0, 1)");
  }
  if (o.plan.boost < 1) throw UsageError("--boost must be at least 1");
  const Strategy strategy = Strategy::parse(o.strategy);
  if (strategy.sens) {
    throw UsageError("--strategy: sens is not supported for training (its marks come from the trained model's "
                     "Fisher information); train with the strategy without sens");
  }
  o.plan.cells = o.cells;
  const bool noisy = mode != Mode::kNaive;
  const ChannelSetup channel = make_channel(o.channel);
  plan_tensor(nullptr, nullptr, 0, strategy, o.plan, channel.map);  // the budget alone, as `pcmsim run`
  std::unique_ptr<WeightNoise> noise;
  if (noisy) noise = std::make_unique<WeightNoise>(strategy, o.plan, channel);
  const std::filesystem::path out_file(o.out_path);
  if (out_file.has_parent_path() && !std::filesystem::is_directory(out_file.parent_path())) {
    throw std::runtime_error(o.out_path + ": no such directory " + out_file.parent_path().string());
  }

  at::set_num_threads(1);  // one thread: the same model on every run
  const auto started = std::chrono::steady_clock::now();
  // TorchModel first: the same one-line errors as `pcmsim run` (missing file,
  // not a model, not float32, input shape rejected).
  const std::string teacher_path = o.teacher.empty() ? o.model : o.teacher;
  const bool need_teacher = mode == Mode::kDistill || o.clip_sigma > 0.0;
  const std::string reference_path = mode == Mode::kDistill ? teacher_path : o.model;
  TorchModel input(o.model);
  std::unique_ptr<TorchModel> reference;
  if (need_teacher && reference_path != o.model) reference = std::make_unique<TorchModel>(reference_path);
  const Dataset train = load_dataset(o.data, Split::kTrain);
  const Dataset test = load_dataset(o.data, Split::kTest);
  const double start_test = input.accuracy(test, 0, 256);
  double teacher_test = start_test;
  if (reference) teacher_test = reference->accuracy(test, 0, 256);
  torch::jit::script::Module student = load_module(o.model);
  torch::jit::script::Module teacher;
  if (need_teacher) {
    teacher = load_module(reference_path);
    teacher.eval();
  }

  std::vector<std::string> names;
  std::vector<torch::Tensor> params;
  for (const auto& p : student.named_parameters(/*recurse=*/true)) {
    names.push_back(p.name);
    params.push_back(p.value);
  }
  for (std::size_t k = 0; k < params.size(); ++k) {  // as `pcmsim run`: a non-finite weight is named
    const torch::Tensor flat = params[k].detach().contiguous().view(-1);
    const float* v = flat.data_ptr<float>();
    for (int64_t i = 0; i < flat.numel(); ++i) {
      if (!std::isfinite(v[i])) {
        throw std::runtime_error("parameter " + names[k] + ": weight " + std::to_string(i) + " is " +
                                 (std::isnan(v[i]) ? "NaN" : "infinite"));
      }
    }
  }
  for (torch::Tensor& p : params) p.requires_grad_(true);
  if (mode == Mode::kDistill) {
    for (const auto& p : teacher.parameters(/*recurse=*/true)) p.requires_grad_(false);
  }
  // Clip bounds (Noisy Machines section 4: the weights' range fixed from statistics of the clean model).
  std::vector<double> clip(params.size(), 0.0);
  if (o.clip_sigma > 0.0) {
    for (std::size_t k = 0; k < params.size(); ++k) {
      torch::Tensor ref = params[k];
      for (const auto& t : teacher.named_parameters(true)) {
        if (t.name == names[k] && t.value.sizes() == params[k].sizes()) ref = t.value;
      }
      if (ref.numel() >= 2) clip[k] = o.clip_sigma * ref.detach().std(/*unbiased=*/false).item<double>();
    }
  }

  const torch::Tensor x_train = images_tensor(train, 0, train.count);
  const torch::Tensor y_train =
      torch::from_blob(const_cast<uint8_t*>(train.labels.data()), {static_cast<int64_t>(train.count)}, torch::kUInt8)
          .to(torch::kLong);

  uint64_t weights = 0;
  for (const torch::Tensor& p : params) weights += static_cast<uint64_t>(p.numel());
  out << "model      " << o.model << ": " << params.size() << " parameter tensors, " << weights
      << " weights; clean test accuracy "
      << fmt("%.2f", 100.0 * start_test) << "%\n";
  out << "dataset    " << train.format << ", " << train.count << " training items, " << test.count << " test items\n";
  out << "mode       " << o.mode;
  if (mode == Mode::kRobust) out << ": CE + " << o.lambda << " KL(p_w || p_w+delta)";
  if (mode == Mode::kDistill) {
    out << ": teacher " << teacher_path << " (clean test accuracy " << fmt("%.2f", 100.0 * teacher_test)
        << "%), T " << o.temperature << ", alpha " << o.alpha;
  }
  if (o.clip_sigma > 0.0) out << "; clipping at +-" << o.clip_sigma << " std";
  out << "\n";
  if (noisy) {
    out << "noise      stored through the model engine: strategy " << strategy.name() << ", " << o.cells
        << " cells per weight, channel " << channel.name << "; a fresh array every step (seed 2^62 + "
        << o.seed << " x 1000003 + step)\n";
  }
  out << "training   " << o.epochs << " epochs, batch " << o.batch << ", Adam lr " << o.lr << ", seed " << o.seed
      << ", one thread\n" << std::flush;

  torch::optim::Adam optimizer(params, torch::optim::AdamOptions(o.lr));
  auto generator = at::make_generator<at::CPUGeneratorImpl>(o.seed);
  const auto n = static_cast<int64_t>(train.count);
  const auto batch = static_cast<int64_t>(o.batch);
  const double T = o.temperature;
  uint64_t step = 0;
  std::vector<torch::Tensor> saved(params.size());

  // Adds the channel's noise for this step to the weights (saving them first).
  auto inject = [&](uint64_t seed) {
    std::vector<torch::Tensor> flat;
    std::vector<WeightSpan> spans;
    for (std::size_t k = 0; k < params.size(); ++k) {
      flat.push_back(params[k].detach().contiguous().view(-1));
      const auto count = static_cast<std::size_t>(flat.back().numel());
      spans.push_back({names[k], flat.back().data_ptr<float>(), count, nullptr});
    }
    std::vector<std::vector<float>> d = noise->deltas(spans, seed);
    torch::NoGradGuard no_grad;
    for (std::size_t k = 0; k < params.size(); ++k) {
      saved[k] = params[k].detach().clone();
      const torch::Tensor delta = torch::from_blob(d[k].data(), params[k].sizes(), torch::kFloat32);
      params[k].add_(delta);
    }
  };
  // Back to the clean weights, exactly (a copy, not w + delta - delta).
  auto restore = [&]() {
    torch::NoGradGuard no_grad;
    for (std::size_t k = 0; k < params.size(); ++k) params[k].copy_(saved[k]);
  };

  for (unsigned epoch = 1; epoch <= o.epochs; ++epoch) {
    student.train();
    const torch::Tensor order = torch::randperm(n, generator, torch::kLong);
    double loss_sum = 0.0;
    for (int64_t at = 0; at < n; at += batch) {
      const int64_t count = std::min(batch, n - at);
      const torch::Tensor idx = order.narrow(0, at, count);
      const torch::Tensor x = x_train.index_select(0, idx);
      const torch::Tensor y = y_train.index_select(0, idx);
      optimizer.zero_grad();
      double loss = 0.0;
      if (mode == Mode::kNaive) {
        torch::Tensor ce = F::cross_entropy(logits_of(student, o.model, x), y);
        ce.backward();
        loss = ce.item<double>();
      } else if (mode == Mode::kRobust) {
        // CE at w; KL(p_w || p_{w+delta}) with p_w the (constant) target and its
        // gradient taken at w + delta and applied to w; the two summed.
        const torch::Tensor clean = logits_of(student, o.model, x);
        torch::Tensor ce = F::cross_entropy(clean, y);
        ce.backward();
        const torch::Tensor target = torch::softmax(clean.detach(), 1);
        inject(WeightNoise::step_seed(o.seed, step));
        const torch::Tensor noisy_logits = logits_of(student, o.model, x);
        torch::Tensor kl = kl_batchmean(target, torch::log_softmax(noisy_logits, 1));
        (o.lambda * kl).backward();
        restore();
        loss = ce.item<double>() + o.lambda * kl.item<double>();
      } else {
        torch::Tensor soft;
        {
          torch::NoGradGuard no_grad;
          soft = torch::softmax(logits_of(teacher, teacher_path, x) / T, 1);
        }
        inject(WeightNoise::step_seed(o.seed, step));
        const torch::Tensor s = logits_of(student, o.model, x);
        torch::Tensor kl = kl_batchmean(soft, torch::log_softmax(s / T, 1));
        torch::Tensor ce = F::cross_entropy(s, y);
        torch::Tensor total = o.alpha * T * T * kl + (1.0 - o.alpha) * ce;
        total.backward();
        restore();
        loss = total.item<double>();
      }
      if (!std::isfinite(loss)) {
        throw std::runtime_error("training diverged in epoch " + std::to_string(epoch) + " (loss " +
                                 std::to_string(loss) + "); try a smaller --lr");
      }
      optimizer.step();
      ++step;
      if (o.clip_sigma > 0.0) {
        torch::NoGradGuard no_grad;
        for (std::size_t k = 0; k < params.size(); ++k) {
          if (clip[k] > 0.0) params[k].clamp_(-clip[k], clip[k]);
        }
      }
      loss_sum += loss * static_cast<double>(count);
    }
    student.eval();
    const double train_acc = accuracy_of(student, o.model, x_train, y_train);
    char line[160];
    std::snprintf(line, sizeof line, "epoch %3u/%u  loss %.4f  clean train accuracy %.2f%%\n", epoch, o.epochs,
                  loss_sum / static_cast<double>(n), 100.0 * train_acc);
    out << line << std::flush;
  }

  student.eval();
  // Written beside and renamed (no reader sees half a file); saved through a
  // stream so the archive's inner name, and so its bytes, do not depend on the path.
  const std::string tmp = o.out_path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) throw std::runtime_error(o.out_path + ": cannot open " + tmp + " for writing");
    try {
      student.save(f);
    } catch (const c10::Error& e) {
      std::string what = e.what_without_backtrace();
      throw std::runtime_error(o.out_path + ": cannot save: " + what.substr(0, what.find('\n')));
    }
    if (!f.flush()) throw std::runtime_error(o.out_path + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, o.out_path, ec);
  if (ec) throw std::runtime_error(o.out_path + ": " + ec.message());
  TorchModel saved_model(o.out_path);  // what was written, read back
  const double end_test = saved_model.accuracy(test, 0, 256);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out << "clean test accuracy " << fmt("%.2f", 100.0 * end_test) << "% (before: " << fmt("%.2f", 100.0 * start_test)
      << "%), " << step << " steps in " << fmt("%.1f", wall) << " s -> " << o.out_path << "\n";
  return 0;
}

}  // namespace pcm::sw
