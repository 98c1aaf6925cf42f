#include "pcm/channel_model/channel.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "pcm/channel_model/errors.hpp"

namespace pcm::channel_model {
namespace {

std::vector<double> level_field(const Table& table, double Level::*field) {
  std::vector<double> out;
  out.reserve(table.levels.size());
  for (const auto& level : table.levels) out.push_back(level.*field);
  return out;
}

// Empirical quantile function of sorted samples: linear between order
// statistics placed at (k + 0.5) / n, constant beyond the outermost ones. Its
// mean equals the sample mean exactly.
double quantile(const std::vector<double>& sorted, double u) {
  const double pos = u * static_cast<double>(sorted.size()) - 0.5;
  if (pos <= 0.0) return sorted.front();
  const double last = static_cast<double>(sorted.size() - 1);
  if (pos >= last) return sorted.back();
  const auto k = static_cast<std::size_t>(pos);
  const double frac = pos - static_cast<double>(k);
  return sorted[k] + frac * (sorted[k + 1] - sorted[k]);
}

// the run's levels all carry mu, sigma and the drift statistics (the Gaussian model)
bool all_prepared(const Channel::ProgramLevel* levels, std::size_t n) {
  return std::all_of(levels, levels + n, [](const Channel::ProgramLevel& level) { return level.prepared; });
}

}  // namespace

const char* to_string(NoiseModel model) {
  return model == NoiseModel::kEmpirical ? "empirical" : "gaussian";
}

AwgnChannel::AwgnChannel(double std) : std_(std) {
  if (!(std >= 0.0) || !std::isfinite(std)) {
    throw ChannelError("AWGN channel: std must be finite and >= 0, got " + std::to_string(std));
  }
}

double AwgnChannel::sample(double x, const CellKey& key) const {
  CellRng rng(key);
  return x + std_ * rng.normal();
}

void AwgnChannel::program_many(const ProgramLevel* levels, const CellKey* keys, double* out, std::size_t n) const {
  first_normals(keys, out, n);
  for (std::size_t k = 0; k < n; ++k) out[k] = levels[k].x + std_ * out[k];
}

TableChannel::TableChannel(Table table, NoiseModel model)
    : table_(std::move(table)),
      model_(model),
      mu_(level_field(table_, &Level::input), level_field(table_, &Level::mean)),
      sigma_(level_field(table_, &Level::input), level_field(table_, &Level::std)),
      physics_(table_.physics, table_.output_map, output_domain_of(table_.output_unit), table_.origin) {
  if (model_ == NoiseModel::kEmpirical && !table_.has_samples()) {
    throw ChannelError(table_.origin +
                       ": the empirical noise model needs a raw table (per-cell read-outs); this "
                       "table has only mean, std and count per level");
  }
}

std::pair<double, double> TableChannel::input_domain() const {
  return {table_.levels.front().input, table_.levels.back().input};
}

double TableChannel::empirical_quantile(double x, double u) const {
  const auto& levels = table_.levels;
  if (x <= levels.front().input) return quantile(levels.front().samples, u);
  if (x >= levels.back().input) return quantile(levels.back().samples, u);
  const std::size_t i = mu_.interval(x);
  const double lambda = (x - levels[i].input) / (levels[i + 1].input - levels[i].input);
  // Same u on both sides: the displacement interpolation of the two
  // conditional distributions (their quantile functions averaged).
  return (1.0 - lambda) * quantile(levels[i].samples, u) +
         lambda * quantile(levels[i + 1].samples, u);
}

double TableChannel::sample(double x, const CellKey& key) const {
  CellRng rng(key);
  if (model_ == NoiseModel::kEmpirical) return empirical_quantile(x, rng.uniform());
  return mu_(x) + sigma_(x) * rng.normal();
}

double TableChannel::program(double x, const CellKey& key) const {
  const double r = physics_.constant_read_std();
  if (r == 0.0) return sample(x, key);
  const double s = sigma_(x);
  // the table refuses r above any level's std; between levels PCHIP may dip below r
  const double shrink = s > r ? std::sqrt(1.0 - (r / s) * (r / s)) : 0.0;
  const double m = mu_(x);
  return m + (sample(x, key) - m) * shrink;
}

Channel::ProgramLevel TableChannel::level_of(double x, bool drift_stats) const {
  ProgramLevel level;
  level.x = x;
  if (model_ != NoiseModel::kGaussian) return level;
  level.prepared = true;
  level.mean = mu_(x);
  level.std = sigma_(x);
  const double r = physics_.constant_read_std();
  if (r != 0.0) level.shrink = level.std > r ? std::sqrt(1.0 - (r / level.std) * (r / level.std)) : 0.0;
  level.drift = physics_.physics().has_drift();
  if (level.drift && drift_stats) {
    // once per level, not per cell read: g_rel's power and the fits' logs
    const CellPhysics::DriftLevel nu = physics_.drift_level(level.mean);
    level.drift_mean = nu.mean;
    level.drift_std = nu.std;
  }
  return level;
}

// The arithmetic of sample() and program() on the prepared mu(x), sigma(x),
// in the same order, so that the results are the same bits.
double TableChannel::program_at(const ProgramLevel& level, const CellKey& key) const {
  if (!level.prepared) return program(level.x, key);
  CellRng rng(key);
  const double sample = level.mean + level.std * rng.normal();
  if (physics_.constant_read_std() == 0.0) return sample;
  return level.mean + (sample - level.mean) * level.shrink;
}

void TableChannel::program_many(const ProgramLevel* levels, const CellKey* keys, double* out, std::size_t n) const {
  if (!all_prepared(levels, n)) {
    Channel::program_many(levels, keys, out, n);
    return;
  }
  first_normals(keys, out, n);
  const bool shrinks = physics_.constant_read_std() != 0.0;
  for (std::size_t k = 0; k < n; ++k) {
    const ProgramLevel& level = levels[k];
    const double sample = level.mean + level.std * out[k];  // program_at's arithmetic
    out[k] = shrinks ? level.mean + (sample - level.mean) * level.shrink : sample;
  }
}

double TableChannel::drift_at(const ProgramLevel& level, const CellKey& key) const {
  if (!level.prepared) return drift_exponent(level.x, key);
  if (!level.drift) return 0.0;
  return physics_.drift_exponent(CellPhysics::DriftLevel{level.drift_mean, level.drift_std}, key);
}

void TableChannel::drift_many(const ProgramLevel* levels, const CellKey* keys, double* out, std::size_t n) const {
  if (!all_prepared(levels, n)) {
    Channel::drift_many(levels, keys, out, n);
    return;
  }
  first_normals(keys, out, n);
  for (std::size_t k = 0; k < n; ++k) {
    const ProgramLevel& level = levels[k];
    out[k] = level.drift ? std::fabs(level.drift_mean + level.drift_std * out[k]) : 0.0;  // drift_at's arithmetic
  }
}

void TableChannel::read_many(const double* y, const double* nu, double t, const CellKey* keys, double* out,
                             std::size_t n) const {
  physics_.read_many(y, nu, t, keys, out, n);
}

double TableChannel::drift_exponent(double x, const CellKey& key) const {
  if (!physics_.physics().has_drift()) return 0.0;  // no curve to evaluate per programmed cell
  return physics_.drift_exponent(mu_(x), key);
}

bool TableChannel::drifts_at(double t) const {
  // the condition under which CellPhysics::read uses nu
  return physics_.physics().has_drift() && t > physics_.physics().drift_t0;
}

bool TableChannel::read_is_exact_at(double t) const {
  return physics_.physics().read_noise == Physics::ReadNoise::kNone && !drifts_at(t);
}

double TableChannel::read(double y, double nu, double t, const CellKey& key) const {
  return physics_.read(y, nu, t, key);
}

double sample_average(const Channel& channel, double x, const CellKey& first, unsigned r) {
  if (r == 0) throw ChannelError("sample_average: cell count r must be at least 1");
  double sum = 0.0;
  CellKey key = first;
  for (unsigned i = 0; i < r; ++i) {
    key.address = first.address + i;
    sum += channel.sample(x, key);
  }
  return sum / static_cast<double>(r);
}

Branch widest_monotone_branch(const MonotoneCubic& curve, std::size_t* first, std::size_t* last) {
  const auto& x = curve.knots();
  const auto& y = curve.values();
  Branch best;
  double best_width = -1.0;
  double best_range = -1.0;
  std::size_t start = 0;
  while (start + 1 < x.size()) {
    const int dir = (y[start + 1] > y[start]) - (y[start + 1] < y[start]);
    std::size_t end = start + 1;
    if (dir != 0) {
      while (end + 1 < x.size() && ((y[end + 1] > y[end]) - (y[end + 1] < y[end])) == dir) ++end;
      const double width = x[end] - x[start];
      const double range = std::fabs(y[end] - y[start]);
      if (width > best_width || (width == best_width && range > best_range)) {
        best_width = width;
        best_range = range;
        best = {x[start], x[end], std::min(y[start], y[end]), std::max(y[start], y[end]), dir > 0};
        if (first) *first = start;
        if (last) *last = end;
      }
    }
    start = end;
  }
  if (best_width < 0.0) throw ChannelError("mean curve is constant: no invertible branch");
  return best;
}

PreMapping::PreMapping(const TableChannel& channel)
    : mu_(channel.mu()), sigma_(channel.sigma()) {
  const auto& y = mu_.values();
  if (std::adjacent_find(y.begin(), y.end(), std::not_equal_to<>()) == y.end()) {
    throw ChannelError(channel.table().origin + ": every level has the same mean; a constant mean has no "
                       "invertible branch");
  }
  // In the body: first_ and last_ are initialized after branch_.
  branch_ = widest_monotone_branch(mu_, &first_, &last_);
}

double PreMapping::h(double t) const {
  const MonotoneCubic& mu = mu_;
  const auto& x = mu.knots();
  const auto& y = mu.values();
  t = std::clamp(t, branch_.t_lo, branch_.t_hi);
  // Locate the knot interval: y is strictly monotone over [first_, last_].
  std::size_t lo = first_;
  std::size_t hi = last_;
  const bool inc = branch_.increasing;
  while (hi - lo > 1) {
    const std::size_t mid = (lo + hi) / 2;
    if ((y[mid] <= t) == inc) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  // Safeguarded Newton on mu(x) - t within [x_lo, x_hi]; inside the interval
  // the curve is evaluated without searching for it (the same bits)
  double a = x[lo];
  double b = x[hi];
  auto inside = [&](double v) { return v > x[lo] && v < x[hi]; };
  auto mu_at = [&](double v) { return inside(v) ? mu.value_in(lo, v) : mu(v); };
  auto f = [&](double v) { return inc ? mu_at(v) - t : t - mu_at(v); };  // increasing in v
  if (f(a) >= 0.0) return a;
  if (f(b) <= 0.0) return b;
  double v = a + (b - a) * (t - y[lo]) / (y[hi] - y[lo]);
  for (int iter = 0; iter < 200 && b - a > 1e-15; ++iter) {
    const double fv = f(v);
    if (fv == 0.0) return v;
    (fv < 0.0 ? a : b) = v;
    const double slope = inside(v) ? mu.derivative_in(lo, v) : mu.derivative(v);
    const double d = inc ? slope : -slope;
    double next = d > 0.0 ? v - fv / d : 0.5 * (a + b);
    if (!(next > a && next < b)) next = 0.5 * (a + b);
    if (std::fabs(next - v) < 1e-15) return next;
    v = next;
  }
  return v;
}

double PreMapping::sigma(double t, unsigned r) const {
  if (r == 0) throw ChannelError("pre-mapped sigma: cell count r must be at least 1");
  return sigma_(h(t)) / std::sqrt(static_cast<double>(r));
}

}  // namespace pcm::channel_model
