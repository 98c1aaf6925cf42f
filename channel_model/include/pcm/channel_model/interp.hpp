// Monotone piecewise-cubic Hermite interpolation (PCHIP, Fritsch and Carlson
// 1980 with the Fritsch-Butland weighted harmonic mean of slopes, end slopes as
// in Moler's pchip). C1: value and first derivative are continuous. On every
// interval where the data are monotone the interpolant is monotone, and it has
// no extrema other than at data points; so the strictly monotone runs of the
// data are exactly the strictly monotone pieces of the curve.
#pragma once

#include <cstddef>
#include <vector>

namespace pcm::channel_model {

class MonotoneCubic {
 public:
  MonotoneCubic() = default;
  // x strictly increasing, x.size() == y.size() >= 2; throws ChannelError.
  MonotoneCubic(std::vector<double> x, std::vector<double> y);

  // Value and derivative. Outside [x.front(), x.back()] the curve is held
  // constant at its end value (derivative 0).
  double operator()(double x) const;
  double derivative(double x) const;

  const std::vector<double>& knots() const { return x_; }
  const std::vector<double>& values() const { return y_; }
  const std::vector<double>& slopes() const { return d_; }

  // Index i of the interval [x_i, x_{i+1}] holding x (clamped to the ends).
  std::size_t interval(double x) const;
  // operator() and derivative() for an x known to lie in (x_i, x_{i+1}): the
  // same arithmetic, without the search (a root finder that has bracketed its
  // root in one interval evaluates there many times).
  double value_in(std::size_t i, double x) const;
  double derivative_in(std::size_t i, double x) const;

 private:
  std::vector<double> x_;
  std::vector<double> y_;
  std::vector<double> d_;
};

}  // namespace pcm::channel_model
