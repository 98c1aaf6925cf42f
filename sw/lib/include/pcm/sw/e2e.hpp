// `pcmsim e2e` (see sw/README.md): the end-to-end experiment of the seed
// paper, section 4.5. Fifty 2-D Gaussian-mixture datasets per task, a logistic
// regression (w1, w2, b) on each, and a Table 7 autoencoder (3 -> 1 -> code ->
// channel -> 1 -> 3, ReLU) trained through the noisy channel on the fifty
// weight vectors; the classifiers are then evaluated with the weights decoded
// from codes stored in the channel.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pcm/channel_model/channel.hpp"
#include "pcm/sw/config.hpp"
#include "pcm/sw/fields.hpp"
#include "pcm/sw/progress.hpp"
#include "pcm/sw/stats.hpp"

namespace pcm::sw {
namespace e2e {

// Independent Philox seeds from the user's seed (SplitMix64's finalizer),
// one per purpose: the data, the training and validation noise, the
// initialization.
enum Purpose : uint64_t { kData = 1, kTrainNoise = 2, kValidNoise = 3, kInit = 4 };
uint64_t mix64(uint64_t z);
uint64_t derive(uint64_t seed, uint64_t purpose, uint64_t detail = 0);

// "easy": mu1_i ~ U[-1, 0), mu2_i ~ U[0, 1); "hard": every mean coordinate ~ U[-1, 1).
enum class Task { kEasy, kHard };
const char* to_string(Task task);

// One dataset: two components x ~ N(mu_k, noise_std^2 I), label 0 for mu1 and
// 1 for mu2, alternating (balanced). Train and test points are independent
// draws of the same mixture.
struct Mixture {
  std::array<double, 2> mu1{};
  std::array<double, 2> mu2{};
  std::vector<double> train_x;  // row-major, points x 2
  std::vector<uint8_t> train_y;
  std::vector<double> test_x;
  std::vector<uint8_t> test_y;
  // Accuracy of the best (Bayes) classifier: Phi(|mu2 - mu1| / (2 noise_std)).
  double bayes_accuracy = 0.0;
};

// A pure function of (task, seed, dataset, points, noise_std): every draw is a
// Philox draw keyed by them (ARCHITECTURE.md, "Noise is a function").
Mixture make_mixture(Task task, uint64_t seed, uint32_t dataset, std::size_t points, double noise_std = 1.0);

// A logistic regression: p(label 1 | x) = sigmoid(w1 x1 + w2 x2 + b).
using Weights = std::array<double, 3>;

// Maximum likelihood (Newton's method; a 1e-6 ridge keeps it finite on
// separable data).
Weights fit_logistic(const std::vector<double>& x, const std::vector<uint8_t>& y);
// Share of points classified right (logit >= 0 means label 1).
double accuracy(const Weights& w, const std::vector<double>& x, const std::vector<uint8_t>& y);
// Share of points on which two classifiers agree.
double agreement(const Weights& a, const Weights& b, const std::vector<double>& x);

// Where the evaluation stores value `index` for noise draw `draw`: one cell
// per value, written once per draw, as the array model does (Stream::kProgram).
channel_model::CellKey storage_key(uint64_t seed, uint64_t index, uint32_t draw);
// The stored read-out of each x: channel.sample(x[i], storage_key(seed, first_index + i, draw)).
std::vector<double> store_and_read(const channel_model::Channel& channel, const std::vector<double>& x,
                                   uint64_t seed, uint64_t first_index, uint32_t draw);

// ---------------------------------------------------------------- the experiment

struct E2eConfig {
  std::string task = "both";
  std::string channel = "default";
  double gauss_std = 0.1;
  uint64_t points = 50000;
  uint32_t datasets = 50;
  double noise_std = 1.0;  // of the mixture components
  uint64_t seed = kFirstSeed;
  int steps = 20000;
  int batch = 100;
  double lr = 1e-3;
  int eval_every = 100;
  int patience = 20;
  int valid_draws = 10;
  int draws = 10;
  std::string loss = "kd";
  int kd_points = 256;
  std::string map = "premapped";
  std::string out;
  Display display;

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("task", s.task, FieldDoc{"T", "easy, hard or both"});
    v("channel", s.channel, FieldDoc{"NAME", "the PCM channel: a built-in table or a table file (or awgn:STD)"});
    v("gauss_std", s.gauss_std, FieldDoc{"S", "std of the Gaussian channel (awgn:STD) compared with it"});
    v("points", s.points, FieldDoc{"N", "training points per dataset (as many test points again), as in the paper"});
    v("datasets", s.datasets, FieldDoc{"N", "datasets (classifiers) per task, 2 .. 100000"});
    v("noise_std", s.noise_std, FieldDoc{"S", "std of each mixture component (the paper: x ~ N(mu_k, I), 1)"});
    v("seed", s.seed, FieldDoc{"S", "seed of the data, the initialization and every noise draw"});
    v("steps", s.steps, FieldDoc{"N", "most Adam steps per autoencoder"});
    v("batch", s.batch, FieldDoc{"N", "rows per step: (classifier, fresh noise draw) pairs, the classifiers in turn"});
    v("lr", s.lr, FieldDoc{"LR", "Adam learning rate (betas 0.9, 0.999)"});
    v("eval_every", s.eval_every, FieldDoc{"N", "steps between validations"});
    v("patience", s.patience, FieldDoc{"N", "early stopping: validations without improvement"});
    v("valid_draws", s.valid_draws, FieldDoc{"N", "held-out noise draws per classifier for validation"});
    v("draws", s.draws, FieldDoc{"N", "noise draws (stored read-outs) per classifier at evaluation"});
    v("loss", s.loss, FieldDoc{"L", "kd: cross-entropy to the original classifier's predictions on its training points; mse: squared error of the standardized weights"});
    v("kd_points", s.kd_points, FieldDoc{"N", "training points per classifier in the kd loss"});
    v("map", s.map, FieldDoc{"M", "premapped: the code t is written as h(t), mean read-out t; raw: the code is the channel input over its domain"});
    v("out", s.out, FieldDoc{"FILE", "write the configuration and every figure as JSON"});
    Display::fields(s.display, v);
  }
};

// ConfigError naming the field of the first value out of range.
void validate(const E2eConfig& c);


// One channel a code goes through, as the report shows it.
struct ChannelInfo {
  std::string label;  // "pcm", "gaussian"
  std::string name;   // table or awgn:STD
  double lo = 0.0;    // code range
  double hi = 0.0;
  bool premapped = true;
  double std_lo = 0.0;  // read-out std over the code range
  double std_hi = 0.0;
  double std_mean = 0.0;
};

// Accuracy and agreement (with the original classifier) per classifier.
struct Outcome {
  std::vector<double> acc;
  std::vector<double> agree;
};

struct ChannelReport {
  std::string label;
  Outcome noiseless;  // autoencoder, mean read-out
  Outcome stored;     // autoencoder, stored in one cell
  Outcome raw;        // the three weights stored in three cells
  int steps = 0;
  int best_step = 0;
  double best_valid = 0.0;
  double seconds = 0.0;
};

// Progress (TaskObserver): one step per task and channel, its tasks
// "training" (Adam steps) and "evaluation" (noise draws).
class E2eObserver : public TaskObserver {
 public:
  virtual void channels(const std::vector<ChannelInfo>&) {}
  virtual void task_started(Task, const std::vector<double>& /*original_accuracy*/,
                            const std::vector<double>& /*bayes_accuracy*/) {}
  virtual void channel_done(Task, const ChannelReport&) {}
};

// Validates, runs every task under the PCM and the Gaussian channel, writes
// config.out when set; returns the JSON of every figure.
nlohmann::json run_e2e(const E2eConfig& config, E2eObserver& observer);

}  // namespace e2e
}  // namespace pcm::sw
