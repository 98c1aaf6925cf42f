#include "pcm/channel_model/interp.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "pcm/channel_model/errors.hpp"

namespace pcm::channel_model {
namespace {

int sign(double v) { return (v > 0.0) - (v < 0.0); }

// Three-point end slope, kept shape-preserving (Moler, "Numerical Computing
// with MATLAB", pchip; the same rule as SciPy's PchipInterpolator).
double end_slope(double h0, double h1, double del0, double del1) {
  double d = ((2.0 * h0 + h1) * del0 - h0 * del1) / (h0 + h1);
  if (sign(d) != sign(del0)) {
    d = 0.0;
  } else if (sign(del0) != sign(del1) && std::fabs(d) > std::fabs(3.0 * del0)) {
    d = 3.0 * del0;
  }
  return d;
}

}  // namespace

MonotoneCubic::MonotoneCubic(std::vector<double> x, std::vector<double> y)
    : x_(std::move(x)), y_(std::move(y)) {
  const std::size_t n = x_.size();
  if (n < 2 || y_.size() != n) {
    throw ChannelError("monotone cubic: need at least 2 points and as many values as knots (got " +
                       std::to_string(n) + " knots, " + std::to_string(y_.size()) + " values)");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x_[i]) || !std::isfinite(y_[i])) {
      throw ChannelError("monotone cubic: non-finite knot or value at index " + std::to_string(i));
    }
    if (i > 0 && !(x_[i] > x_[i - 1])) {
      throw ChannelError("monotone cubic: knots not strictly increasing at index " +
                         std::to_string(i));
    }
  }
  std::vector<double> h(n - 1);
  std::vector<double> del(n - 1);
  for (std::size_t i = 0; i + 1 < n; ++i) {
    h[i] = x_[i + 1] - x_[i];
    del[i] = (y_[i + 1] - y_[i]) / h[i];
  }
  d_.assign(n, 0.0);
  if (n == 2) {
    d_[0] = d_[1] = del[0];
    return;
  }
  for (std::size_t k = 1; k + 1 < n; ++k) {
    if (sign(del[k - 1]) * sign(del[k]) > 0) {
      const double w1 = 2.0 * h[k] + h[k - 1];
      const double w2 = h[k] + 2.0 * h[k - 1];
      d_[k] = (w1 + w2) / (w1 / del[k - 1] + w2 / del[k]);
    }
  }
  d_[0] = end_slope(h[0], h[1], del[0], del[1]);
  d_[n - 1] = end_slope(h[n - 2], h[n - 3], del[n - 2], del[n - 3]);
}

std::size_t MonotoneCubic::interval(double x) const {
  if (x <= x_.front()) return 0;
  if (x >= x_.back()) return x_.size() - 2;
  const auto it = std::upper_bound(x_.begin(), x_.end(), x);
  return static_cast<std::size_t>(it - x_.begin()) - 1;
}

double MonotoneCubic::operator()(double x) const {
  if (x <= x_.front()) return y_.front();
  if (x >= x_.back()) return y_.back();
  return value_in(interval(x), x);
}

double MonotoneCubic::value_in(std::size_t i, double x) const {
  const double h = x_[i + 1] - x_[i];
  const double t = (x - x_[i]) / h;
  const double t2 = t * t;
  const double t3 = t2 * t;
  const double h00 = 2.0 * t3 - 3.0 * t2 + 1.0;
  const double h10 = t3 - 2.0 * t2 + t;
  const double h01 = -2.0 * t3 + 3.0 * t2;
  const double h11 = t3 - t2;
  return h00 * y_[i] + h10 * h * d_[i] + h01 * y_[i + 1] + h11 * h * d_[i + 1];
}

double MonotoneCubic::derivative(double x) const {
  if (x < x_.front() || x > x_.back()) return 0.0;
  return derivative_in(interval(x), x);
}

double MonotoneCubic::derivative_in(std::size_t i, double x) const {
  const double h = x_[i + 1] - x_[i];
  const double t = (x - x_[i]) / h;
  const double t2 = t * t;
  const double dh00 = (6.0 * t2 - 6.0 * t) / h;
  const double dh10 = 3.0 * t2 - 4.0 * t + 1.0;
  const double dh01 = (-6.0 * t2 + 6.0 * t) / h;
  const double dh11 = 3.0 * t2 - 2.0 * t;
  return dh00 * y_[i] + dh10 * d_[i] + dh01 * y_[i + 1] + dh11 * d_[i + 1];
}

}  // namespace pcm::channel_model
