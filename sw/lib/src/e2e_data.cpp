// `pcmsim e2e`'s data and linear model (e2e.hpp): the Gaussian-mixture data
// sets, logistic regression by Newton's method, and storing values in cells.
#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "pcm/sw/e2e.hpp"

namespace pcm::sw {
namespace cm = pcm::channel_model;

namespace e2e {

// SplitMix64's finalizer: derives independent Philox seeds from the user's seed.
uint64_t mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t derive(uint64_t seed, uint64_t purpose, uint64_t detail) {
  return mix64(seed ^ mix64((purpose << 32) ^ detail));
}

namespace {

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

}  // namespace e2e
}  // namespace pcm::sw
