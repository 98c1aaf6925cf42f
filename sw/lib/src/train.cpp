#include "pcm/sw/train.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "pcm/sw/dataset.hpp"
#include "pcm/sw/files.hpp"
#include "pcm/sw/torch_model.hpp"
#include "pcm/sw/weight_noise.hpp"

namespace pcm::sw {
namespace F = torch::nn::functional;

namespace {

enum class Mode { kNaive, kRobust, kDistill };

Mode mode_of(const TrainConfig& c) {
  if (c.mode == "naive") return Mode::kNaive;
  if (c.mode == "robust") return Mode::kRobust;
  if (c.mode == "distill") return Mode::kDistill;
  throw ConfigError("mode", "expected naive, robust or distill" +
                                (c.mode.empty() ? std::string(" (it is required)") : ", got '" + c.mode + "'"));
}

void check_finite_positive(const char* field, double v, bool zero_allowed) {
  if (!std::isfinite(v) || v < 0.0 || (!zero_allowed && v == 0.0)) {
    throw ConfigError(field, zero_allowed ? "must be >= 0" : "must be > 0");
  }
}

// KL(p || q) per item, averaged over the batch: p given as probabilities
// (a constant), q as log-probabilities.
torch::Tensor kl_batchmean(const torch::Tensor& p, const torch::Tensor& log_q) {
  return (p * (torch::log(p.clamp_min(1e-30)) - log_q)).sum(1).mean();
}

// The student's parameters with the storage channel's noise added for one
// step, and back to the clean weights exactly (a copy, not w + delta - delta).
class NoiseInjector {
 public:
  NoiseInjector(TorchModel& student, WeightNoise* noise) : student_(student), noise_(noise) {}
  void inject(uint64_t seed) {
    auto& params = student_.parameters();
    std::vector<torch::Tensor> flat;
    std::vector<WeightSpan> spans;
    for (const NamedTensor& p : params) {
      flat.push_back(p.value.detach().contiguous().view(-1));
      spans.push_back({p.name, flat.back().data_ptr<float>(), static_cast<std::size_t>(flat.back().numel()), nullptr});
    }
    std::vector<std::vector<float>> d = noise_->deltas(spans, seed);
    torch::NoGradGuard no_grad;
    saved_.resize(params.size());
    for (std::size_t k = 0; k < params.size(); ++k) {
      saved_[k] = params[k].value.detach().clone();
      params[k].value.add_(torch::from_blob(d[k].data(), params[k].value.sizes(), torch::kFloat32));
    }
  }
  void restore() {
    torch::NoGradGuard no_grad;
    auto& params = student_.parameters();
    for (std::size_t k = 0; k < params.size(); ++k) params[k].value.copy_(saved_[k]);
  }

 private:
  TorchModel& student_;
  WeightNoise* noise_;
  std::vector<torch::Tensor> saved_;
};

// Clip bounds (Noisy Machines section 4: the weights' range fixed from
// statistics of the clean model): k std of the teacher's tensor of that name.
std::vector<double> clip_bounds(TorchModel& student, TorchModel* teacher, double k_sigma) {
  std::vector<double> clip(student.parameters().size(), 0.0);
  if (k_sigma <= 0.0) return clip;
  for (std::size_t k = 0; k < clip.size(); ++k) {
    const NamedTensor& p = student.parameters()[k];
    torch::Tensor ref = p.value;
    for (const NamedTensor& t : teacher->parameters()) {
      if (t.name == p.name && t.value.sizes() == p.value.sizes()) ref = t.value;
    }
    if (ref.numel() >= 2) clip[k] = k_sigma * ref.detach().std(/*unbiased=*/false).item<double>();
  }
  return clip;
}

// One optimisation step's loss (gradients accumulated into the student).
double step_loss(Mode mode, const TrainConfig& c, TorchModel& student, TorchModel* teacher, NoiseInjector& noise,
                 uint64_t step, const torch::Tensor& x, const torch::Tensor& y) {
  if (mode == Mode::kNaive) {
    torch::Tensor ce = F::cross_entropy(student.logits(x), y);
    ce.backward();
    return ce.item<double>();
  }
  if (mode == Mode::kRobust) {
    // CE at w; KL(p_w || p_{w+delta}) with p_w the (constant) target and its
    // gradient taken at w + delta and applied to w; the two summed.
    const torch::Tensor clean = student.logits(x);
    torch::Tensor ce = F::cross_entropy(clean, y);
    ce.backward();
    const torch::Tensor target = torch::softmax(clean.detach(), 1);
    noise.inject(WeightNoise::step_seed(c.seed, step));
    torch::Tensor kl = kl_batchmean(target, torch::log_softmax(student.logits(x), 1));
    (c.lambda * kl).backward();
    noise.restore();
    return ce.item<double>() + c.lambda * kl.item<double>();
  }
  const double t = c.temperature;
  torch::Tensor soft;
  {
    torch::NoGradGuard no_grad;
    soft = torch::softmax(teacher->logits(x) / t, 1);
  }
  noise.inject(WeightNoise::step_seed(c.seed, step));
  const torch::Tensor s = student.logits(x);
  torch::Tensor kl = kl_batchmean(soft, torch::log_softmax(s / t, 1));
  torch::Tensor ce = F::cross_entropy(s, y);
  torch::Tensor total = c.alpha * t * t * kl + (1.0 - c.alpha) * ce;
  total.backward();
  noise.restore();
  return total.item<double>();
}

// Why a loss is not finite: the teacher's or the clean model's own logits on
// the batch (their fault, not the step size's), else the optimisation.
std::string divergence_cause(TorchModel& student, TorchModel* teacher, const torch::Tensor& x, int64_t at,
                             int64_t count) {
  torch::NoGradGuard no_grad;
  const std::string items = "training items " + std::to_string(at) + " .. " + std::to_string(at + count - 1) +
                            " of the shuffled order";
  if (teacher && !torch::isfinite(teacher->logits(x)).all().item<bool>()) {
    return "the teacher's logits are NaN or infinite for " + items + " (the teacher model, not --lr)";
  }
  if (!torch::isfinite(student.logits(x)).all().item<bool>()) {
    return "the model's logits are NaN or infinite for " + items + " (its weights or its forward, not only --lr)";
  }
  return "training diverged; try a smaller --lr";
}

}  // namespace

void validate(const TrainConfig& c) {
  const Mode mode = mode_of(c);
  if (!c.teacher.empty() && mode != Mode::kDistill) throw ConfigError("teacher", "is for --mode distill");
  if (c.epochs < 1 || c.epochs > 1000000) throw ConfigError("epochs", "must be 1 .. 1000000");
  if (c.batch < 1) throw ConfigError("batch", "must be at least 1");
  check_finite_positive("lr", c.lr, false);
  check_finite_positive("lambda", c.lambda, true);
  check_finite_positive("temperature", c.temperature, false);
  if (!(std::isfinite(c.alpha) && c.alpha >= 0.0 && c.alpha <= 1.0)) throw ConfigError("alpha", "must be in [0, 1]");
  check_finite_positive("clip_sigma", c.clip_sigma, true);
  if (strategy_of(c.plan).sens) {
    throw ConfigError("strategy", "sens is not supported for training (its marks come from the trained model's "
                                  "Fisher information); train with the strategy without sens");
  }
  validate(c.plan);
}

TrainResult train(const TrainConfig& c, TrainObserver& obs) {
  validate(c);
  check_outputs({{"model", c.model}, {"teacher", c.teacher}}, {{"out", c.out}});
  const Mode mode = mode_of(c);
  const bool noisy = mode != Mode::kNaive;
  const ChannelSetup channel = make_channel(c.plan.channel);
  std::unique_ptr<WeightNoise> noise;
  if (noisy) noise = std::make_unique<WeightNoise>(strategy_of(c.plan), c.plan.rule, channel);
  const std::filesystem::path out_file(c.out);
  if (out_file.has_parent_path() && !std::filesystem::is_directory(out_file.parent_path())) {
    throw std::runtime_error(c.out + ": no such directory " + out_file.parent_path().string());
  }

  at::set_num_threads(1);  // one thread: the same model on every run
  const auto started = std::chrono::steady_clock::now();
  const std::string teacher_path = c.teacher.empty() ? c.model : c.teacher;
  const std::string reference_path = mode == Mode::kDistill ? teacher_path : c.model;
  TorchModel student(c.model);
  std::unique_ptr<TorchModel> teacher;
  if (mode == Mode::kDistill || c.clip_sigma > 0.0) teacher = std::make_unique<TorchModel>(reference_path);
  const Dataset train_set = load_dataset(c.data, Split::kTrain);
  const Dataset test = load_dataset(c.data, Split::kTest);
  student.check_finite();
  if (teacher) teacher->check_finite();
  TrainResult r;
  r.start_test_accuracy = student.accuracy(test, 0, 256);
  TrainSetup setup{student.parameters().size(), student.parameter_count(), r.start_test_accuracy,
                   r.start_test_accuracy, teacher_path, train_set.format, train_set.count, test.count,
                   strategy_of(c.plan).name(), channel.name, noisy};
  if (teacher && reference_path != c.model) setup.teacher_test_accuracy = teacher->accuracy(test, 0, 256);
  obs.setup(setup);

  for (NamedTensor& p : student.parameters()) p.value.requires_grad_(true);
  if (teacher) {
    teacher->module().eval();
    for (NamedTensor& p : teacher->parameters()) p.value.requires_grad_(false);
  }
  const std::vector<double> clip = clip_bounds(student, teacher.get(), c.clip_sigma);
  const torch::Tensor x_train = images_tensor(train_set, 0, train_set.count);
  const torch::Tensor y_train = labels_tensor(train_set);
  std::vector<torch::Tensor> params;
  for (const NamedTensor& p : student.parameters()) params.push_back(p.value);
  torch::optim::Adam optimizer(params, torch::optim::AdamOptions(c.lr));
  auto generator = at::make_generator<at::CPUGeneratorImpl>(c.seed);
  NoiseInjector injector(student, noise.get());
  const auto n = static_cast<int64_t>(train_set.count);
  const auto batch = static_cast<int64_t>(c.batch);
  obs.steps(c.epochs);
  for (unsigned epoch = 1; epoch <= c.epochs; ++epoch) {
    obs.step(epoch - 1, "epoch " + std::to_string(epoch));
    obs.task("training", static_cast<uint64_t>(n));
    student.module().train();
    const torch::Tensor order = torch::randperm(n, generator, torch::kLong);
    double loss_sum = 0.0;
    for (int64_t at = 0; at < n; at += batch) {
      const int64_t count = std::min(batch, n - at);
      const torch::Tensor idx = order.narrow(0, at, count);
      optimizer.zero_grad();
      const double loss = step_loss(mode, c, student, teacher.get(), injector, r.steps, x_train.index_select(0, idx),
                                    y_train.index_select(0, idx));
      if (!std::isfinite(loss)) {
        throw std::runtime_error(divergence_cause(student, teacher.get(), x_train.index_select(0, idx), at, count) +
                                 " in epoch " + std::to_string(epoch) + " (loss " + std::to_string(loss) + ")");
      }
      optimizer.step();
      ++r.steps;
      if (c.clip_sigma > 0.0) {
        torch::NoGradGuard no_grad;
        for (std::size_t k = 0; k < params.size(); ++k) {
          if (clip[k] > 0.0) params[k].clamp_(-clip[k], clip[k]);
        }
      }
      loss_sum += loss * static_cast<double>(count);
      obs.progress(static_cast<uint64_t>(at + count));
    }
    obs.task_done();
    student.module().eval();
    obs.epoch_done(epoch, loss_sum / static_cast<double>(n), student.accuracy(x_train, y_train, 512));
  }
  student.module().eval();
  student.save(c.out);
  r.end_test_accuracy = TorchModel(c.out).accuracy(test, 0, 256);  // what was written, read back
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

}  // namespace pcm::sw
