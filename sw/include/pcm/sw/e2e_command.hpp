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

#include "pcm/channel_model/channel.hpp"

namespace pcm::sw {

int e2e_command(const std::vector<std::string>& args, std::ostream& out);

namespace e2e {

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

}  // namespace e2e
}  // namespace pcm::sw
