#include "pcm/sw/e2e_command.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>
#include <utility>

#include "pcm/sw/channel_autograd.hpp"
#include "pcm/sw/cli.hpp"
#include "pcm/sw/engine.hpp"

namespace pcm::sw {
namespace po = boost::program_options;
namespace cm = pcm::channel_model;
using nlohmann::json;

namespace e2e {
namespace {

// SplitMix64's finalizer: derives independent Philox seeds from the user's seed.
uint64_t mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// What a derived seed is for.
enum Purpose : uint64_t { kData = 1, kTrainNoise = 2, kValidNoise = 3, kInit = 4 };
uint64_t derive(uint64_t seed, uint64_t purpose, uint64_t detail = 0) {
  return mix64(seed ^ mix64((purpose << 32) ^ detail));
}

double phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

double sigmoid(double z) { return z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z)); }

double logit(const Weights& w, const double* x) { return w[0] * x[0] + w[1] * x[1] + w[2]; }

// Solves the 3x3 system a d = g by Gaussian elimination with partial pivoting.
std::array<double, 3> solve3(std::array<std::array<double, 3>, 3> a, std::array<double, 3> g) {
  for (int c = 0; c < 3; ++c) {
    int p = c;
    for (int r = c + 1; r < 3; ++r) {
      if (std::fabs(a[r][c]) > std::fabs(a[p][c])) p = r;
    }
    std::swap(a[c], a[p]);
    std::swap(g[c], g[p]);
    for (int r = c + 1; r < 3; ++r) {
      const double f = a[r][c] / a[c][c];
      for (int k = c; k < 3; ++k) a[r][k] -= f * a[c][k];
      g[r] -= f * g[c];
    }
  }
  std::array<double, 3> d{};
  for (int r = 2; r >= 0; --r) {
    double s = g[r];
    for (int k = r + 1; k < 3; ++k) s -= a[r][k] * d[k];
    d[r] = s / a[r][r];
  }
  return d;
}

}  // namespace

const char* to_string(Task task) { return task == Task::kEasy ? "easy" : "hard"; }

Mixture make_mixture(Task task, uint64_t seed, uint32_t dataset, std::size_t points, double noise_std) {
  const uint64_t s = derive(seed, kData, static_cast<uint64_t>(task));
  Mixture m;
  cm::CellRng means(cm::CellKey{s, dataset, 0, cm::Stream::kTest});
  for (int i = 0; i < 2; ++i) {
    const double u = means.uniform();
    m.mu1[i] = task == Task::kEasy ? u - 1.0 : 2.0 * u - 1.0;
  }
  for (int i = 0; i < 2; ++i) {
    const double u = means.uniform();
    m.mu2[i] = task == Task::kEasy ? u : 2.0 * u - 1.0;
  }
  auto draw = [&](uint32_t split, std::vector<double>& x, std::vector<uint8_t>& y) {
    x.resize(2 * points);
    y.resize(points);
    for (std::size_t p = 0; p < points; ++p) {
      cm::CellRng rng(cm::CellKey{s, (uint64_t{dataset} << 32) | p, split, cm::Stream::kTest});
      const uint8_t label = static_cast<uint8_t>(p % 2);
      const auto& mu = label ? m.mu2 : m.mu1;
      y[p] = label;
      x[2 * p] = mu[0] + noise_std * rng.normal();
      x[2 * p + 1] = mu[1] + noise_std * rng.normal();
    }
  };
  draw(1, m.train_x, m.train_y);
  draw(2, m.test_x, m.test_y);
  const double d = std::hypot(m.mu2[0] - m.mu1[0], m.mu2[1] - m.mu1[1]);
  m.bayes_accuracy = noise_std > 0.0 ? phi(d / (2.0 * noise_std)) : 1.0;
  return m;
}

Weights fit_logistic(const std::vector<double>& x, const std::vector<uint8_t>& y) {
  const std::size_t n = y.size();
  if (n == 0 || x.size() != 2 * n) throw std::invalid_argument("fit_logistic: x must hold 2 values per label");
  constexpr double kRidge = 1e-6;
  Weights w{0.0, 0.0, 0.0};
  for (int it = 0; it < 100; ++it) {
    std::array<double, 3> g{kRidge * w[0], kRidge * w[1], kRidge * w[2]};
    std::array<std::array<double, 3>, 3> h{};
    for (int i = 0; i < 3; ++i) h[i][i] = kRidge;
    const double inv_n = 1.0 / static_cast<double>(n);
    for (std::size_t p = 0; p < n; ++p) {
      const double f[3] = {x[2 * p], x[2 * p + 1], 1.0};
      const double q = sigmoid(logit(w, &x[2 * p]));
      const double r = (q - y[p]) * inv_n;
      const double c = q * (1.0 - q) * inv_n;
      for (int i = 0; i < 3; ++i) {
        g[i] += r * f[i];
        for (int j = 0; j < 3; ++j) h[i][j] += c * f[i] * f[j];
      }
    }
    std::array<double, 3> d = solve3(h, g);
    const double len = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    if (len > 10.0) {  // damp the first steps on nearly separable data
      for (double& v : d) v *= 10.0 / len;
    }
    for (int i = 0; i < 3; ++i) w[i] -= d[i];
    if (len < 1e-10) break;
  }
  return w;
}

double accuracy(const Weights& w, const std::vector<double>& x, const std::vector<uint8_t>& y) {
  std::size_t right = 0;
  for (std::size_t p = 0; p < y.size(); ++p) right += (logit(w, &x[2 * p]) >= 0.0) == (y[p] != 0);
  return y.empty() ? 0.0 : static_cast<double>(right) / static_cast<double>(y.size());
}

double agreement(const Weights& a, const Weights& b, const std::vector<double>& x) {
  const std::size_t n = x.size() / 2;
  std::size_t same = 0;
  for (std::size_t p = 0; p < n; ++p) same += (logit(a, &x[2 * p]) >= 0.0) == (logit(b, &x[2 * p]) >= 0.0);
  return n == 0 ? 0.0 : static_cast<double>(same) / static_cast<double>(n);
}

cm::CellKey storage_key(uint64_t seed, uint64_t index, uint32_t draw) {
  return cm::CellKey{seed, index, draw, cm::Stream::kProgram};
}

std::vector<double> store_and_read(const cm::Channel& channel, const std::vector<double>& x, uint64_t seed,
                                   uint64_t first_index, uint32_t draw) {
  std::vector<double> y(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) y[i] = channel.sample(x[i], storage_key(seed, first_index + i, draw));
  return y;
}

namespace {

struct Options {
  std::string task = "both";
  std::string channel = "default";
  double gauss_std = 0.1;
  std::size_t points = 50000;
  uint32_t datasets = 50;
  uint64_t seed = 0;
  double noise_std = 1.0;  // of the mixture components
  int steps = 20000;
  int batch = 100;
  double lr = 1e-3;
  int eval_every = 100;
  int patience = 20;
  int valid_draws = 10;
  int draws = 10;
  int kd_points = 256;
  std::string loss = "kd";
  std::string map = "premapped";
  std::string out_path;
};

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

struct Stats {
  double mean = 0.0;
  double std = 0.0;
};
Stats stats_of(const std::vector<double>& v) {
  Stats s;
  if (v.empty()) return s;
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  if (v.size() > 1) {
    double q = 0.0;
    for (double x : v) q += (x - s.mean) * (x - s.mean);
    s.std = std::sqrt(q / static_cast<double>(v.size() - 1));
  }
  return s;
}
json stats_json(const std::vector<double>& v) {
  const Stats s = stats_of(v);
  return {{"mean", s.mean}, {"std", s.std}, {"per_classifier", v}};
}

std::string pct(const std::vector<double>& v) {
  const Stats s = stats_of(v);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%5.1f +- %4.1f %%", 100.0 * s.mean, 100.0 * s.std);
  return buf;
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

torch::Tensor loss_of(const Options& o, const TaskData& d, const torch::Tensor& u_hat, const torch::Tensor& cls) {
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

TrainReport train(const Options& o, const TaskData& d, const CodeChannel& c, Autoencoder& ae, uint64_t seed) {
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
  for (int step = 1; step <= o.steps; ++step) {
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

struct Outcome {
  std::vector<double> acc, agree;
  json to_json() const { return {{"accuracy", stats_json(acc)}, {"agreement", stats_json(agree)}}; }
};

Outcome averaged(std::vector<double> acc, std::vector<double> agree, int draws) {
  for (double& v : acc) v /= draws;
  for (double& v : agree) v /= draws;
  return {std::move(acc), std::move(agree)};
}

// The same channel on the raw weights, stored as the project stores weights
// (strategy none, 1 cell): all 3K weights share one linear map onto the
// pre-mapped range [t_lo, t_hi], each is written as h(t) to one cell and read
// back once per draw, t = the read-out.
Outcome raw_weights(const Options& o, const TaskData& d, const CodeChannel& c) {
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

TaskData make_task(const Options& o, Task task) {
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

json run_channel(const Options& o, Task task, const TaskData& d, const CodeChannel& c, std::ostream& out) {
  const std::size_t k = d.weights.size();
  torch::manual_seed(derive(o.seed, kInit, static_cast<uint64_t>(task)));
  Autoencoder ae;
  initialize(ae, d, c);
  const TrainReport r = train(o, d, c, ae, derive(o.seed, static_cast<uint64_t>(task), 7));

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
  for (int draw = 0; draw < o.draws; ++draw) {
    score(d, decode(store_and_read(*c.setup.channel, x, o.seed, 0, static_cast<uint32_t>(draw))), acc, agree);
  }
  const Outcome stored = averaged(acc, agree, o.draws);
  const Outcome raw = raw_weights(o, d, c);

  char line[160];
  auto row = [&](const char* what, const Outcome& v) {
    std::snprintf(line, sizeof line, "  %-9s %-30s %s   %s\n", c.label.c_str(), what, pct(v.acc).c_str(),
                  pct(v.agree).c_str());
    out << line;
  };
  row("autoencoder, mean read-out", noiseless);
  row("autoencoder, stored (1 cell)", stored);
  row("raw weights (3 cells)", raw);
  std::snprintf(line, sizeof line, "  %-9s trained %d steps, best at %d (validation loss %.5f), %.1f s\n",
                c.label.c_str(), r.steps, r.best_step, r.best_valid, r.seconds);
  out << line << std::flush;

  return {{"channel", c.setup.name},
          {"code_range", {c.lo, c.hi}},
          {"codes", codes},
          {"autoencoder_mean_readout", noiseless.to_json()},
          {"autoencoder_stored", stored.to_json()},
          {"raw_weights", raw.to_json()},
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

}  // namespace
}  // namespace e2e

int e2e_command(const std::vector<std::string>& args, std::ostream& out) {
  using namespace e2e;
  Options o;
  po::options_description desc("pcmsim e2e options");
  desc.add_options()
      ("help,h", "print this help")
      ("task", po::value(&o.task)->default_value("both"), "easy, hard or both")
      ("channel", po::value(&o.channel)->default_value("default"), "the PCM channel: a built-in table or a table file (or awgn:STD)")
      ("gauss-std", po::value(&o.gauss_std)->default_value(0.1, "0.1"), "std of the Gaussian channel (awgn:STD) compared with it")
      ("points", po::value(&o.points)->default_value(50000), "training points per dataset (as many test points again), as in the paper")
      ("datasets", po::value(&o.datasets)->default_value(50), "datasets (classifiers) per task, 2 .. 100000")
      ("noise-std", po::value(&o.noise_std)->default_value(1.0), "std of each mixture component (the paper: x ~ N(mu_k, I), 1)")
      ("seed", po::value(&o.seed)->default_value(0), "seed of the data, the initialization and every noise draw")
      ("steps", po::value(&o.steps)->default_value(20000), "most Adam steps per autoencoder")
      ("batch", po::value(&o.batch)->default_value(100), "rows per step: (classifier, fresh noise draw) pairs, the classifiers in turn")
      ("lr", po::value(&o.lr)->default_value(1e-3), "Adam learning rate (betas 0.9, 0.999)")
      ("eval-every", po::value(&o.eval_every)->default_value(100), "steps between validations")
      ("patience", po::value(&o.patience)->default_value(20), "early stopping: validations without improvement")
      ("valid-draws", po::value(&o.valid_draws)->default_value(10), "held-out noise draws per classifier for validation")
      ("draws", po::value(&o.draws)->default_value(10), "noise draws (stored read-outs) per classifier at evaluation")
      ("loss", po::value(&o.loss)->default_value("kd"), "kd: cross-entropy to the original classifier's predictions on its training points; mse: squared error of the standardized weights")
      ("kd-points", po::value(&o.kd_points)->default_value(256), "training points per classifier in the kd loss")
      ("map", po::value(&o.map)->default_value("premapped"), "premapped: the code t is written as h(t), mean read-out t; raw: the code is the channel input over its domain")
      ("out", po::value(&o.out_path), "write the configuration and every figure as JSON");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    out << "usage: pcmsim e2e [options]\n\n" << desc;
    return 0;
  }
  std::vector<Task> tasks;
  if (o.task == "easy" || o.task == "both") tasks.push_back(Task::kEasy);
  if (o.task == "hard" || o.task == "both") tasks.push_back(Task::kHard);
  if (tasks.empty()) throw UsageError("--task: expected easy, hard or both, got '" + o.task + "'");
  if (!(o.gauss_std >= 0.0) || !std::isfinite(o.gauss_std)) throw UsageError("--gauss-std must be finite and >= 0");
  if (o.points < 2 || o.points > 1000000) throw UsageError("--points must be 2 .. 1000000");
  if (o.datasets < 2 || o.datasets > 100000) throw UsageError("--datasets must be 2 .. 100000");
  if (!(o.noise_std > 0.0) || !std::isfinite(o.noise_std)) throw UsageError("--noise-std must be finite and > 0");
  if (o.steps < 0) throw UsageError("--steps must be >= 0");
  if (o.batch < 1) throw UsageError("--batch must be at least 1");
  if (!(o.lr > 0.0) || !std::isfinite(o.lr)) throw UsageError("--lr must be finite and > 0");
  if (o.eval_every < 1) throw UsageError("--eval-every must be at least 1");
  if (o.patience < 1) throw UsageError("--patience must be at least 1");
  if (o.valid_draws < 1) throw UsageError("--valid-draws must be at least 1");
  if (o.draws < 1) throw UsageError("--draws must be at least 1");
  if (o.kd_points < 1) throw UsageError("--kd-points must be at least 1");
  if (o.loss != "kd" && o.loss != "mse") throw UsageError("--loss: expected kd or mse, got '" + o.loss + "'");
  if (o.map != "premapped" && o.map != "raw") throw UsageError("--map: expected premapped or raw, got '" + o.map + "'");
  char spec[64];
  std::snprintf(spec, sizeof spec, "awgn:%.10g", o.gauss_std);
  const std::vector<CodeChannel> channels = {code_channel("pcm", o.channel, o.map),
                                             code_channel("gaussian", spec, o.map)};

  at::set_num_threads(1);
  const auto started = std::chrono::steady_clock::now();
  char line[256];
  std::snprintf(line, sizeof line,
                "e2e: %u datasets per task, %zu training + %zu test points each, x ~ N(mu_k, %g^2 I); seed %llu\n",
                o.datasets, o.points, o.points, o.noise_std, static_cast<unsigned long long>(o.seed));
  out << line;
  out << "autoencoder: Table 7 (Linear 3-1, ReLU, Linear 1-1 | code t = tanh, into the channel | Linear 1-1, ReLU, "
         "Linear 1-3), loss "
      << o.loss << "\n";
  std::snprintf(line, sizeof line,
                "training: Adam lr %g, batch %d (classifier, noise draw) rows, <= %d steps, early stopping on %d "
                "held-out noise draws per classifier (every %d steps, patience %d)\n",
                o.lr, o.batch, o.steps, o.valid_draws, o.eval_every, o.patience);
  out << line;
  for (const CodeChannel& c : channels) {
    double mean = 0.0;
    const auto [lo, hi] = std_range(c, &mean);
    std::snprintf(line, sizeof line, "channel %-9s %s, code range [%+.4f, %+.4f]%s, read-out std %.3f .. %.3f (mean %.3f)\n",
                  c.label.c_str(), c.setup.name.c_str(), c.lo, c.hi, c.premapped ? " pre-mapped" : " (channel input)",
                  lo, hi, mean);
    out << line;
  }
  out << "accuracy: mean +- std over the classifiers of the test accuracy (true labels) and of the agreement with the "
         "original classifier; stored: averaged over "
      << o.draws << " noise draws\n"
      << std::flush;

  json result = {{"config",
                  {{"task", o.task}, {"channel", o.channel}, {"gauss_std", o.gauss_std}, {"points", o.points},
                   {"datasets", o.datasets}, {"noise_std", o.noise_std}, {"seed", o.seed}, {"steps", o.steps},
                   {"batch", o.batch}, {"lr", o.lr}, {"eval_every", o.eval_every}, {"patience", o.patience},
                   {"valid_draws", o.valid_draws}, {"draws", o.draws}, {"loss", o.loss},
                   {"kd_points", o.kd_points}, {"map", o.map}}},
                 {"tasks", json::object()}};
  for (const Task task : tasks) {
    const TaskData d = make_task(o, task);
    std::vector<double> bayes, orig_acc, ones(d.weights.size(), 1.0);
    for (std::size_t i = 0; i < d.weights.size(); ++i) {
      bayes.push_back(d.sets[i].bayes_accuracy);
      orig_acc.push_back(accuracy(d.weights[i], d.sets[i].test_x, d.sets[i].test_y));
    }
    out << "\ntask " << to_string(task) << "\n";
    std::snprintf(line, sizeof line, "  %-9s %-30s %-17s   %s\n", "channel", "weights", "accuracy", "agreement");
    out << line;
    std::snprintf(line, sizeof line, "  %-9s %-30s %s   %s\n", "-", "original", pct(orig_acc).c_str(), pct(ones).c_str());
    out << line;
    std::snprintf(line, sizeof line, "  %-9s %-30s %s\n", "-", "(Bayes classifier)", pct(bayes).c_str());
    out << line << std::flush;
    json datasets = json::array();
    for (std::size_t i = 0; i < d.weights.size(); ++i) {
      datasets.push_back({{"mu1", d.sets[i].mu1}, {"mu2", d.sets[i].mu2}, {"weights", d.weights[i]},
                          {"bayes_accuracy", bayes[i]}, {"accuracy", orig_acc[i]}});
    }
    json per_channel = json::object();
    for (const CodeChannel& c : channels) per_channel[c.label] = run_channel(o, task, d, c, out);
    result["tasks"][to_string(task)] = {{"datasets", datasets},
                                        {"original_accuracy", stats_json(orig_acc)},
                                        {"bayes_accuracy", stats_json(bayes)},
                                        {"channels", per_channel}};
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result["wall_seconds"] = seconds;
  std::snprintf(line, sizeof line, "\n%.1f s\n", seconds);
  out << line;
  if (!o.out_path.empty()) {
    const std::string tmp = o.out_path + ".tmp";
    {
      std::ofstream f(tmp);
      if (!f) throw std::runtime_error(o.out_path + ": cannot write");
      f << result.dump(2) << "\n";
      if (!f) throw std::runtime_error(o.out_path + ": write failed");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, o.out_path, ec);
    if (ec) throw std::runtime_error(o.out_path + ": " + ec.message());
    out << "results    " << o.out_path << "\n";
  }
  return 0;
}

}  // namespace pcm::sw
