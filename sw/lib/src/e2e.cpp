// `pcmsim e2e`'s experiment (e2e.hpp): the Table 7 autoencoder trained
// through the channel on each task's classifiers, then the classifiers
// evaluated with the weights decoded from stored codes, beside the raw weights
// stored as the project stores weights.
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "pcm/sw/channel_autograd.hpp"
#include "pcm/sw/e2e.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/files.hpp"

namespace pcm::sw {
namespace e2e {
namespace cm = pcm::channel_model;
using nlohmann::json;


namespace {

// The channel a code goes through: the code t = lo + (hi - lo)(tanh z + 1)/2
// is written as x = h(t) (premapped) or as x = t (raw).
struct CodeChannel {
  std::string label;  // "pcm", "gaussian"
  ChannelSetup setup;
  bool premapped = true;
  double lo = -1.0;
  double hi = 1.0;
};

CodeChannel code_channel(const std::string& label, const std::string& spec, const std::string& map) {
  CodeChannel c;
  c.label = label;
  c.setup = make_channel(spec);
  c.premapped = map == "premapped";
  if (c.premapped) {
    c.lo = c.setup.map.t_lo;
    c.hi = c.setup.map.t_hi;
  } else {
    std::tie(c.lo, c.hi) = c.setup.channel->input_domain();
  }
  return c;
}

json stats_json(const std::vector<double>& v) {
  const Stats s = stats_of(v);
  return {{"mean", s.mean}, {"std", s.std}, {"per_classifier", v}};
}

// Table 7: encoder Linear 3->1, ReLU, Linear 1->1; decoder Linear 1->1, ReLU,
// Linear 1->3. Works on standardized weights u = (w - mean) / std.
struct Autoencoder {
  torch::nn::Linear enc1{3, 1}, enc2{1, 1}, dec1{1, 1}, dec2{1, 3};

  Autoencoder() {
    for (auto* l : {&enc1, &enc2, &dec1, &dec2}) (*l)->to(torch::kFloat64);
  }
  std::vector<torch::Tensor> parameters() const {
    std::vector<torch::Tensor> p;
    for (const auto* l : {&enc1, &enc2, &dec1, &dec2}) {
      for (const auto& t : (*l)->parameters()) p.push_back(t);
    }
    return p;
  }
  torch::Tensor encode(const torch::Tensor& u) { return enc2->forward(torch::relu(enc1->forward(u))); }
  torch::Tensor decode(const torch::Tensor& y) { return dec2->forward(torch::relu(dec1->forward(y))); }
};

torch::Tensor code_of(const CodeChannel& c, const torch::Tensor& z) {
  return c.lo + (c.hi - c.lo) * 0.5 * (torch::tanh(z) + 1.0);
}
torch::Tensor input_of(const CodeChannel& c, const torch::Tensor& t) { return c.premapped ? premap(c.setup, t) : t; }

struct TrainReport {
  int steps = 0;
  int best_step = 0;
  double best_valid = 0.0;
  double seconds = 0.0;
};

// The fifty classifiers of one task, as tensors the losses need.
struct TaskData {
  std::vector<Mixture> sets;
  std::vector<Weights> weights;
  torch::Tensor w;     // [K, 3]
  torch::Tensor mean;  // [3]
  torch::Tensor std;   // [3]
  torch::Tensor u;     // standardized [K, 3]
  torch::Tensor kd_x;  // [K, P, 3] training points with a ones column
  torch::Tensor kd_p;  // [K, P] the original classifier's probabilities
};

torch::Tensor loss_of(const E2eConfig& o, const TaskData& d, const torch::Tensor& u_hat, const torch::Tensor& cls) {
  if (o.loss == "mse") return (u_hat - d.u.index_select(0, cls)).pow(2).sum(1).mean();
  const torch::Tensor w_hat = d.mean + d.std * u_hat;                        // [B, 3]
  const torch::Tensor logits = torch::bmm(d.kd_x.index_select(0, cls), w_hat.unsqueeze(2)).squeeze(2);
  return torch::binary_cross_entropy_with_logits(logits, d.kd_p.index_select(0, cls));
}

// Data-dependent start: every ReLU is active on every classifier and every
// channel read-out, and the codes span the middle of tanh.
void initialize(Autoencoder& ae, const TaskData& d, const CodeChannel& c) {
  torch::NoGradGuard no_grad;
  const torch::Tensor pre = ae.enc1->forward(d.u).squeeze(1);
  const double lo = pre.min().item<double>();
  const double hi = pre.max().item<double>();
  ae.enc1->bias.add_(-lo + 0.05 * (hi - lo) + 1e-3);
  const double span = std::max(1.05 * (hi - lo), 1e-6);
  ae.enc2->weight.fill_(2.0 / span);
  ae.enc2->bias.fill_(-1.0 - 2.0 / span * (0.05 * (hi - lo) + 1e-3));
  const double v = ae.dec1->weight.item<double>();
  const double y_lo = std::min(c.lo, c.setup.channel->mean(c.premapped ? c.setup.h(c.lo) : c.lo)) - 0.5;
  const double y_hi = std::max(c.hi, c.setup.channel->mean(c.premapped ? c.setup.h(c.hi) : c.hi)) + 0.5;
  ae.dec1->bias.fill_(v >= 0 ? -v * y_lo : -v * y_hi);
}

TrainReport train(const E2eConfig& o, const TaskData& d, const CodeChannel& c, Autoencoder& ae, uint64_t seed,
                  TaskObserver& obs) {
  const auto started = std::chrono::steady_clock::now();
  const int64_t k = d.u.size(0);
  const cm::Channel& channel = *c.setup.channel;
  torch::optim::Adam adam(ae.parameters(), torch::optim::AdamOptions(o.lr).betas({0.9, 0.999}));
  const torch::Tensor rows = torch::arange(o.batch, torch::kLong);
  const torch::Tensor valid_cls = torch::arange(k * o.valid_draws, torch::kLong) % k;
  const torch::Tensor u_valid = d.u.index_select(0, valid_cls);
  const uint64_t train_seed = derive(seed, kTrainNoise);
  const uint64_t valid_seed = derive(seed, kValidNoise);

  auto forward = [&](const torch::Tensor& u, const ChannelKeys& keys) {
    const torch::Tensor x = input_of(c, code_of(c, ae.encode(u)));
    return ae.decode(channel_read(channel, x, keys));
  };
  auto validate = [&] {
    torch::NoGradGuard no_grad;
    return loss_of(o, d, forward(u_valid, ChannelKeys{valid_seed, 0, 0, cm::Stream::kProgram}), valid_cls)
        .item<double>();
  };
  auto snapshot = [&] {
    std::vector<torch::Tensor> s;
    for (const auto& p : ae.parameters()) s.push_back(p.detach().clone());
    return s;
  };

  TrainReport r;
  r.best_valid = validate();
  std::vector<torch::Tensor> best = snapshot();
  int bad = 0;
  obs.task("training", static_cast<uint64_t>(o.steps));
  for (int step = 1; step <= o.steps; ++step) {
    obs.progress(static_cast<uint64_t>(step - 1));
    // The classifiers in turn, so every one is seen however batch and K compare.
    const torch::Tensor cls = (rows + (int64_t{step - 1} * o.batch) % k) % k;
    adam.zero_grad();
    const torch::Tensor loss = loss_of(
        o, d,
        forward(d.u.index_select(0, cls), ChannelKeys{train_seed, 0, static_cast<uint32_t>(step), cm::Stream::kProgram}),
        cls);
    loss.backward();
    adam.step();
    r.steps = step;
    if (step % o.eval_every == 0) {
      const double v = validate();
      if (!std::isfinite(v)) {
        throw std::runtime_error("the " + c.label + " autoencoder diverged at step " + std::to_string(step) +
                                 " (validation loss " + std::to_string(v) + "); try a smaller --lr");
      }
      if (v < r.best_valid - 1e-9) {
        r.best_valid = v;
        r.best_step = step;
        best = snapshot();
        bad = 0;
      } else if (++bad >= o.patience) {
        break;
      }
    }
  }
  obs.task_done();
  {
    torch::NoGradGuard no_grad;
    const auto params = ae.parameters();
    for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(best[i]);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return r;
}

torch::Tensor to_tensor(const std::vector<double>& v) {
  return torch::tensor(v, torch::kFloat64).view({static_cast<int64_t>(v.size()), 1});
}

std::vector<Weights> to_weights(const torch::Tensor& w) {
  const torch::Tensor c = w.contiguous();
  std::vector<Weights> out(static_cast<std::size_t>(c.size(0)));
  const double* p = c.data_ptr<double>();
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = {p[3 * i], p[3 * i + 1], p[3 * i + 2]};
  return out;
}

// Accuracy and agreement (with the original classifier) of every classifier
// with the given weights, on its test points.
void score(const TaskData& d, const std::vector<Weights>& w, std::vector<double>& acc, std::vector<double>& agree) {
  for (std::size_t i = 0; i < w.size(); ++i) {
    acc[i] += accuracy(w[i], d.sets[i].test_x, d.sets[i].test_y);
    agree[i] += agreement(w[i], d.weights[i], d.sets[i].test_x);
  }
}

json outcome_json(const Outcome& o) { return {{"accuracy", stats_json(o.acc)}, {"agreement", stats_json(o.agree)}}; }

Outcome averaged(std::vector<double> acc, std::vector<double> agree, int draws) {
  for (double& v : acc) v /= draws;
  for (double& v : agree) v /= draws;
  return {std::move(acc), std::move(agree)};
}

// The same channel on the raw weights, stored as the project stores weights
// (strategy none, 1 cell): all 3K weights share one linear map onto the
// pre-mapped range [t_lo, t_hi], each is written as h(t) to one cell and read
// back once per draw, t = the read-out.
Outcome raw_weights(const E2eConfig& o, const TaskData& d, const CodeChannel& c) {
  const std::size_t k = d.weights.size();
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const auto& w : d.weights) {
    for (double v : w) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  const double t_lo = c.setup.map.t_lo;
  const double alpha = (c.setup.map.t_hi - t_lo) / std::max(hi - lo, 1e-12);
  std::vector<double> x(3 * k);
  for (std::size_t i = 0; i < k; ++i) {
    for (int j = 0; j < 3; ++j) x[3 * i + j] = c.setup.h(t_lo + alpha * (d.weights[i][j] - lo));
  }
  std::vector<double> acc(k, 0.0), agree(k, 0.0);
  for (int draw = 0; draw < o.draws; ++draw) {
    const std::vector<double> y = store_and_read(*c.setup.channel, x, o.seed, k, static_cast<uint32_t>(draw));
    std::vector<Weights> w(k);
    for (std::size_t i = 0; i < k; ++i) {
      for (int j = 0; j < 3; ++j) w[i][j] = lo + (y[3 * i + j] - t_lo) / alpha;
    }
    score(d, w, acc, agree);
  }
  return averaged(std::move(acc), std::move(agree), o.draws);
}

TaskData make_task(const E2eConfig& o, Task task) {
  TaskData d;
  const int64_t k = o.datasets;
  const int64_t p = std::min<int64_t>(o.kd_points, static_cast<int64_t>(o.points));
  std::vector<double> w_flat, kd_x;
  for (uint32_t i = 0; i < o.datasets; ++i) {
    d.sets.push_back(make_mixture(task, o.seed, i, o.points, o.noise_std));
    const Mixture& m = d.sets.back();
    d.weights.push_back(fit_logistic(m.train_x, m.train_y));
    for (double v : d.weights.back()) w_flat.push_back(v);
    for (int64_t q = 0; q < p; ++q) {  // the first P training points (balanced: labels alternate)
      kd_x.push_back(m.train_x[2 * q]);
      kd_x.push_back(m.train_x[2 * q + 1]);
      kd_x.push_back(1.0);
    }
  }
  d.w = torch::tensor(w_flat, torch::kFloat64).view({k, 3});
  d.mean = d.w.mean(0);
  d.std = d.w.std(0).clamp_min(1e-12);
  d.u = (d.w - d.mean) / d.std;
  d.kd_x = torch::tensor(kd_x, torch::kFloat64).view({k, p, 3});
  d.kd_p = torch::sigmoid(torch::bmm(d.kd_x, d.w.unsqueeze(2)).squeeze(2));
  return d;
}

json run_channel(const E2eConfig& o, Task task, const TaskData& d, const CodeChannel& c, E2eObserver& obs) {
  const std::size_t k = d.weights.size();
  torch::manual_seed(derive(o.seed, kInit, static_cast<uint64_t>(task)));
  Autoencoder ae;
  initialize(ae, d, c);
  const TrainReport r = train(o, d, c, ae, derive(o.seed, static_cast<uint64_t>(task), 7), obs);

  torch::NoGradGuard no_grad;
  const torch::Tensor t = code_of(c, ae.encode(d.u));
  const torch::Tensor x_t = input_of(c, t).contiguous();
  const std::vector<double> x(x_t.data_ptr<double>(), x_t.data_ptr<double>() + k);
  const std::vector<double> codes(t.contiguous().data_ptr<double>(), t.contiguous().data_ptr<double>() + k);
  auto decode = [&](const std::vector<double>& y) { return to_weights(d.mean + d.std * ae.decode(to_tensor(y))); };

  std::vector<double> mean_out(k);
  for (std::size_t i = 0; i < k; ++i) mean_out[i] = c.setup.channel->mean(x[i]);
  std::vector<double> acc(k, 0.0), agree(k, 0.0);
  score(d, decode(mean_out), acc, agree);
  const Outcome noiseless = averaged(acc, agree, 1);

  std::fill(acc.begin(), acc.end(), 0.0);
  std::fill(agree.begin(), agree.end(), 0.0);
  obs.task("evaluation", static_cast<uint64_t>(o.draws));
  for (int draw = 0; draw < o.draws; ++draw) {
    score(d, decode(store_and_read(*c.setup.channel, x, o.seed, 0, static_cast<uint32_t>(draw))), acc, agree);
    obs.progress(static_cast<uint64_t>(draw + 1));
  }
  obs.task_done();
  const Outcome stored = averaged(acc, agree, o.draws);
  const Outcome raw = raw_weights(o, d, c);

  obs.channel_done(task, ChannelReport{c.label, noiseless, stored, raw, r.steps, r.best_step, r.best_valid, r.seconds});

  return {{"channel", c.setup.name},
          {"code_range", {c.lo, c.hi}},
          {"codes", codes},
          {"autoencoder_mean_readout", outcome_json(noiseless)},
          {"autoencoder_stored", outcome_json(stored)},
          {"raw_weights", outcome_json(raw)},
          {"training", {{"steps", r.steps}, {"best_step", r.best_step}, {"best_validation_loss", r.best_valid},
                        {"seconds", r.seconds}}}};
}

// Mean std of the pre-mapped (or raw) channel over the code range.
std::pair<double, double> std_range(const CodeChannel& c, double* mean) {
  double lo = std::numeric_limits<double>::infinity(), hi = 0.0, sum = 0.0;
  constexpr int kSteps = 200;
  for (int i = 0; i <= kSteps; ++i) {
    const double t = c.lo + (c.hi - c.lo) * i / kSteps;
    const double s = c.setup.channel->stddev(c.premapped ? c.setup.h(t) : t);
    lo = std::min(lo, s);
    hi = std::max(hi, s);
    sum += s;
  }
  *mean = sum / (kSteps + 1);
  return {lo, hi};
}


std::vector<Task> tasks_of(const std::string& task) {
  std::vector<Task> tasks;
  if (task == "easy" || task == "both") tasks.push_back(Task::kEasy);
  if (task == "hard" || task == "both") tasks.push_back(Task::kHard);
  return tasks;
}

json config_json(const E2eConfig& o) {
  json j = fields_to_json(o);
  for (const char* display : {"out", "quiet", "progress"}) j.erase(display);
  return j;
}

// One task: its data sets and classifiers, then the autoencoder per channel.
json run_task(const E2eConfig& o, Task task, const std::vector<CodeChannel>& channels, uint64_t first_step,
              E2eObserver& obs) {
  const TaskData d = make_task(o, task);
  std::vector<double> bayes, orig_acc;
  for (std::size_t i = 0; i < d.weights.size(); ++i) {
    bayes.push_back(d.sets[i].bayes_accuracy);
    orig_acc.push_back(accuracy(d.weights[i], d.sets[i].test_x, d.sets[i].test_y));
  }
  obs.task_started(task, orig_acc, bayes);
  json datasets = json::array();
  for (std::size_t i = 0; i < d.weights.size(); ++i) {
    datasets.push_back({{"mu1", d.sets[i].mu1}, {"mu2", d.sets[i].mu2}, {"weights", d.weights[i]},
                        {"bayes_accuracy", bayes[i]}, {"accuracy", orig_acc[i]}});
  }
  json per_channel = json::object();
  for (std::size_t i = 0; i < channels.size(); ++i) {
    obs.step(first_step + i, std::string(to_string(task)) + ", " + channels[i].label);
    per_channel[channels[i].label] = run_channel(o, task, d, channels[i], obs);
  }
  return {{"datasets", datasets},
          {"original_accuracy", stats_json(orig_acc)},
          {"bayes_accuracy", stats_json(bayes)},
          {"channels", per_channel}};
}

}  // namespace

void validate(const E2eConfig& o) {
  if (tasks_of(o.task).empty()) throw ConfigError("task", "expected easy, hard or both, got '" + o.task + "'");
  // above these every code and every classifier is at chance, and the float
  // arithmetic of the training loses its meaning (1e300 squares to infinity)
  if (!(o.gauss_std >= 0.0 && o.gauss_std <= 100.0)) throw ConfigError("gauss_std", "must be 0 .. 100");
  if (o.points < 2 || o.points > 1000000) throw ConfigError("points", "must be 2 .. 1000000");
  if (o.datasets < 2 || o.datasets > 100000) throw ConfigError("datasets", "must be 2 .. 100000");
  if (!(o.noise_std > 0.0 && o.noise_std <= 1000.0)) throw ConfigError("noise_std", "must be > 0 and <= 1000");
  if (o.steps < 0) throw ConfigError("steps", "must be >= 0");
  // the sizes multiply into tensors (batch rows, draws x datasets codes):
  // bounds far above the paper's values, far below what would exhaust memory
  if (o.batch < 1 || o.batch > 100000) throw ConfigError("batch", "must be 1 .. 100000");
  if (!(o.lr > 0.0) || !std::isfinite(o.lr)) throw ConfigError("lr", "must be finite and > 0");
  if (o.eval_every < 1) throw ConfigError("eval_every", "must be at least 1");
  if (o.patience < 1) throw ConfigError("patience", "must be at least 1");
  if (o.valid_draws < 1 || o.valid_draws > 10000) throw ConfigError("valid_draws", "must be 1 .. 10000");
  if (o.draws < 1 || o.draws > 10000) throw ConfigError("draws", "must be 1 .. 10000");
  if (o.kd_points < 1) throw ConfigError("kd_points", "must be at least 1 (at most --points are used)");
  if (o.loss != "kd" && o.loss != "mse") throw ConfigError("loss", "expected kd or mse, got '" + o.loss + "'");
  if (o.map != "premapped" && o.map != "raw") throw ConfigError("map", "expected premapped or raw, got '" + o.map + "'");
}

json run_e2e(const E2eConfig& o, E2eObserver& obs) {
  validate(o);
  char spec[64];
  std::snprintf(spec, sizeof spec, "awgn:%.10g", o.gauss_std);
  const std::vector<CodeChannel> channels = {code_channel("pcm", o.channel, o.map),
                                             code_channel("gaussian", spec, o.map)};
  std::vector<ChannelInfo> info;
  for (const CodeChannel& c : channels) {
    ChannelInfo i{c.label, c.setup.name, c.lo, c.hi, c.premapped};
    std::tie(i.std_lo, i.std_hi) = std_range(c, &i.std_mean);
    info.push_back(i);
  }
  obs.channels(info);
  at::set_num_threads(1);
  const auto started = std::chrono::steady_clock::now();
  json result = {{"config", config_json(o)}, {"tasks", json::object()}};
  const std::vector<Task> tasks = tasks_of(o.task);
  obs.steps(tasks.size() * channels.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    result["tasks"][to_string(tasks[i])] = run_task(o, tasks[i], channels, i * channels.size(), obs);
  }
  result["wall_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!o.out.empty()) write_atomically(o.out, [&](std::ostream& f) { f << result.dump(2) << "\n"; });
  return result;
}

}  // namespace e2e
}  // namespace pcm::sw
