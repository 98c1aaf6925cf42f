#include "pcm/channel_model/capacity.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "pcm/channel_model/errors.hpp"

namespace pcm::channel_model {
namespace {

constexpr double kLn2 = 0.69314718055994530942;

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

}  // namespace

CapacityResult blahut_arimoto(const std::vector<std::vector<double>>& w, double tolerance_bits,
                              int max_iterations) {
  const std::size_t nx = w.size();
  if (nx == 0) throw ChannelError("capacity: channel has no inputs");
  const std::size_t ny = w.front().size();
  for (std::size_t x = 0; x < nx; ++x) {
    if (w[x].size() != ny) throw ChannelError("capacity: transition rows differ in length");
    double sum = 0.0;
    for (double v : w[x]) {
      if (!(v >= 0.0) || !std::isfinite(v)) {
        throw ChannelError("capacity: transition row " + std::to_string(x) + " has an invalid probability");
      }
      sum += v;
    }
    if (std::fabs(sum - 1.0) > 1e-6) {
      throw ChannelError("capacity: transition row " + std::to_string(x) + " sums to " +
                         std::to_string(sum) + ", not 1");
    }
  }
  // sum_y W log W per input, constant over the iterations.
  std::vector<double> neg_entropy(nx, 0.0);
  for (std::size_t x = 0; x < nx; ++x) {
    for (double v : w[x]) {
      if (v > 0.0) neg_entropy[x] += v * std::log(v);
    }
  }
  CapacityResult result;
  std::vector<double> p(nx, 1.0 / static_cast<double>(nx));
  std::vector<double> q(ny);
  std::vector<double> log_q(ny);
  std::vector<double> d(nx);
  for (int it = 1; it <= max_iterations; ++it) {
    std::fill(q.begin(), q.end(), 0.0);
    for (std::size_t x = 0; x < nx; ++x) {
      for (std::size_t y = 0; y < ny; ++y) q[y] += p[x] * w[x][y];
    }
    for (std::size_t y = 0; y < ny; ++y) log_q[y] = q[y] > 0.0 ? std::log(q[y]) : 0.0;
    double lower = 0.0;
    double upper = -INFINITY;
    for (std::size_t x = 0; x < nx; ++x) {
      double cross = 0.0;
      for (std::size_t y = 0; y < ny; ++y) {
        if (w[x][y] > 0.0) cross += w[x][y] * log_q[y];
      }
      d[x] = neg_entropy[x] - cross;  // D(W(.|x) || q) in nats
      lower += p[x] * d[x];
      upper = std::max(upper, d[x]);
    }
    result.bits = lower / kLn2;
    result.upper_bound = upper / kLn2;
    result.iterations = it;
    if (result.upper_bound - result.bits < tolerance_bits) break;
    double norm = 0.0;
    for (std::size_t x = 0; x < nx; ++x) {
      p[x] *= std::exp(d[x] - upper);
      norm += p[x];
    }
    for (double& v : p) v /= norm;
  }
  result.input_distribution = p;
  return result;
}

CapacityResult gaussian_levels_capacity(const std::vector<double>& means,
                                        const std::vector<double>& stds, int bins,
                                        double tolerance_bits) {
  if (means.size() != stds.size() || means.empty()) {
    throw ChannelError("capacity: need as many stds as means, and at least one level");
  }
  if (bins < 2) throw ChannelError("capacity: need at least 2 output bins, got " + std::to_string(bins));
  double lo = INFINITY;
  double hi = -INFINITY;
  for (std::size_t i = 0; i < means.size(); ++i) {
    if (!std::isfinite(means[i]) || !(stds[i] >= 0.0) || !std::isfinite(stds[i])) {
      throw ChannelError("capacity: level " + std::to_string(i) + " has a non-finite mean or invalid std");
    }
    lo = std::min(lo, means[i] - 8.0 * stds[i]);
    hi = std::max(hi, means[i] + 8.0 * stds[i]);
  }
  if (!(hi > lo)) {
    lo -= 1.0;
    hi += 1.0;
  }
  const auto nb = static_cast<std::size_t>(bins);
  const double width = (hi - lo) / static_cast<double>(nb);
  std::vector<std::vector<double>> w(means.size(), std::vector<double>(nb, 0.0));
  for (std::size_t i = 0; i < means.size(); ++i) {
    if (stds[i] == 0.0) {
      const auto bin = static_cast<std::size_t>(
          std::clamp((means[i] - lo) / width, 0.0, static_cast<double>(nb - 1)));
      w[i][bin] = 1.0;
      continue;
    }
    double prev = 0.0;  // P(Y < lower edge), tails folded into the outer bins
    double sum = 0.0;
    for (std::size_t j = 0; j < nb; ++j) {
      const double edge = lo + width * static_cast<double>(j + 1);
      const double cdf = j + 1 == nb ? 1.0 : normal_cdf((edge - means[i]) / stds[i]);
      w[i][j] = cdf - prev;
      prev = cdf;
      sum += w[i][j];
    }
    for (double& v : w[i]) v /= sum;
  }
  return blahut_arimoto(w, tolerance_bits);
}

CapacityResult table_capacity(const Table& table, int bins) {
  std::vector<double> means;
  std::vector<double> stds;
  for (const auto& level : table.levels) {
    means.push_back(level.mean);
    stds.push_back(level.std);
  }
  return gaussian_levels_capacity(means, stds, bins);
}

}  // namespace pcm::channel_model
