#include "pcm/channel_model/capacity.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <string>

#include "pcm/channel_model/errors.hpp"

namespace pcm::channel_model {
namespace {

constexpr double kLn2 = 0.69314718055994530942;
// 1 GiB of band values: beyond it the levels x bins asked for are refused, not allocated.
constexpr std::size_t kMaxBandEntries = std::size_t{1} << 27;

void check_row(std::size_t x, const double* begin, const double* end) {
  double sum = 0.0;
  for (const double* v = begin; v != end; ++v) {
    if (!(*v >= 0.0) || !std::isfinite(*v)) {
      throw ChannelError("capacity: transition row " + std::to_string(x) + " has an invalid probability");
    }
    sum += *v;
  }
  if (std::fabs(sum - 1.0) > 1e-6) {
    throw ChannelError("capacity: transition row " + std::to_string(x) + " sums to " + std::to_string(sum) +
                       ", not 1");
  }
}

void check_channel(const BandedChannel& w) {
  const std::size_t nx = w.inputs();
  if (nx == 0) throw ChannelError("capacity: channel has no inputs");
  if (w.offset.size() != nx + 1 || w.offset.front() != 0 || w.offset.back() != w.values.size()) {
    throw ChannelError("capacity: band offsets do not match the inputs and values");
  }
  for (std::size_t x = 0; x < nx; ++x) {
    if (w.offset[x + 1] < w.offset[x] || w.first[x] + (w.offset[x + 1] - w.offset[x]) > w.outputs) {
      throw ChannelError("capacity: the band of transition row " + std::to_string(x) + " leaves the outputs");
    }
    check_row(x, w.values.data() + w.offset[x], w.values.data() + w.offset[x + 1]);
  }
}

// Blahut-Arimoto on a banded channel over a working set of inputs; the rest
// of the inputs have probability 0 until they would raise the upper bound
// (README.md, "Capacity"). Divergences and bounds are in nats.
class Solver {
 public:
  Solver(const BandedChannel& w, double tol, int max_iterations, const CapacityProgress& progress)
      : w_(w), tol_(tol), max_iterations_(max_iterations), progress_(progress), in_set_(w.inputs(), 0),
        neg_entropy_(w.inputs(), 0.0), q_(w.outputs), log_q_(w.outputs) {
    for (std::size_t x = 0; x < w.inputs(); ++x) {
      for (std::size_t k = w.offset[x]; k < w.offset[x + 1]; ++k) {
        if (w.values[k] > 0.0) neg_entropy_[x] += w.values[k] * std::log(w.values[k]);
      }
    }
  }

  CapacityResult run() {
    const std::size_t nx = w_.inputs();
    const std::size_t initial = std::min(nx, kInitialSet);
    for (std::size_t i = 0; i < initial; ++i) {
      const std::size_t x = initial == 1 ? 0 : (nx - 1) * i / (initial - 1);
      if (!in_set_[x]) add(x);
    }
    std::vector<double> p(set_.size(), 1.0 / static_cast<double>(set_.size()));
    std::vector<double> d;
    for (;;) {
      double info = 0.0;
      double set_upper = 0.0;
      evaluate(p, d, info, set_upper);
      // The upper bound is a maximum over every input, in the set or not.
      double upper = set_upper;
      std::vector<std::size_t> raising;
      for (std::size_t x = 0; x < nx; ++x) {
        if (in_set_[x]) continue;
        const double dx = divergence(x);
        upper = std::max(upper, dx);
        if (dx > set_upper) raising.push_back(x);
      }
      upper_ = std::min(upper_, upper);
      report();
      if (done()) break;
      // An input whose probability has all but vanished leaves the set when it
      // would keep shrinking, and gets a fresh share when it would grow: from
      // 1e-12 it would take the multiplicative update a long time to matter.
      const double fresh = 1.0 / static_cast<double>(set_.size());
      const double tiny = 1e-12 * *std::max_element(p.begin(), p.end());
      std::size_t kept = 0;
      for (std::size_t i = 0; i < set_.size(); ++i) {
        if (p[i] < tiny && !(d[i] > info)) {
          in_set_[set_[i]] = 0;
          continue;
        }
        set_[kept] = set_[i];
        p[kept++] = p[i] < tiny ? fresh : p[i];
      }
      set_.resize(kept);
      p.resize(kept);
      set_changed_ = true;
      for (std::size_t x : raising) {
        add(x);
        p.push_back(fresh);
      }
      normalize(p);
      accelerate(p);
    }
    CapacityResult result;
    result.bits = lower_ / kLn2;
    result.upper_bound = upper_ / kLn2;
    result.iterations = iterations_;
    result.input_distribution.assign(nx, 0.0);
    for (std::size_t i = 0; i < best_set_.size(); ++i) result.input_distribution[best_set_[i]] = best_p_[i];
    return result;
  }

 private:
  static constexpr std::size_t kInitialSet = 64;
  static constexpr std::size_t kMemory = 16;      // Anderson: steps remembered
  static constexpr int kStallCheck = 50;          // iterations between progress checks
  static constexpr double kStallRatio = 0.7;      // the gap must shrink this much per check
  static constexpr double kFloor = -46.0;         // log of the smallest share kept, relative to the largest

  bool done() const { return upper_ - lower_ < tol_ || iterations_ >= max_iterations_; }

  void add(std::size_t x) {
    in_set_[x] = 1;
    set_.push_back(x);
    set_changed_ = true;
  }

  static void normalize(std::vector<double>& p) {
    double sum = 0.0;
    for (double v : p) sum += v;
    for (double& v : p) v /= sum;
  }

  // D(W(.|x) || q) for the q of the last evaluate().
  double divergence(std::size_t x) const {
    const double* wx = w_.values.data() + w_.offset[x];
    const double* lq = log_q_.data() + w_.first[x];
    const std::size_t n = w_.offset[x + 1] - w_.offset[x];
    double cross = 0.0;
    for (std::size_t k = 0; k < n; ++k) cross += wx[k] * lq[k];
    return neg_entropy_[x] - cross;
  }

  // q = sum_i p_i W(.|set_i); d_i = D(W(.|set_i) || q); info = I(p); upper = max d.
  void evaluate(const std::vector<double>& p, std::vector<double>& d, double& info, double& upper) {
    ++iterations_;
    std::fill(q_.begin(), q_.end(), 0.0);
    for (std::size_t i = 0; i < set_.size(); ++i) {
      const std::size_t x = set_[i];
      const double* wx = w_.values.data() + w_.offset[x];
      double* qx = q_.data() + w_.first[x];
      const std::size_t n = w_.offset[x + 1] - w_.offset[x];
      for (std::size_t k = 0; k < n; ++k) qx[k] += p[i] * wx[k];
    }
    // An output no input of the set reaches makes an input outside the set that
    // does reach it a divergence of ~690 nats: finite, and far above any capacity.
    for (std::size_t y = 0; y < q_.size(); ++y) log_q_[y] = std::log(std::max(q_[y], 1e-300));
    d.resize(set_.size());
    info = 0.0;
    upper = -INFINITY;
    for (std::size_t i = 0; i < set_.size(); ++i) {
      d[i] = divergence(set_[i]);
      info += p[i] * d[i];
      upper = std::max(upper, d[i]);
    }
    // Over every input, the set's upper bound is the channel's.
    if (set_.size() == w_.inputs()) upper_ = std::min(upper_, upper);
    if (info > lower_) {
      lower_ = info;
      if (set_changed_) best_set_ = set_;
      set_changed_ = false;
      best_p_ = p;
    }
    report();
  }

  // Once both bounds are known, then at most once a second.
  void report() {
    if (!progress_ || !std::isfinite(upper_)) return;
    const auto now = std::chrono::steady_clock::now();
    if (reported_ && now - last_report_ < std::chrono::seconds(1)) return;
    reported_ = true;
    last_report_ = now;
    progress_(iterations_, lower_ / kLn2, upper_ / kLn2);
  }

  // Blahut-Arimoto over the set, Anderson-accelerated (Walker and Ni 2011) in
  // log p, the residual weighted by sqrt(p) so that inputs on their way out do
  // not steer it. A plain step from p reaches at least
  // log sum_i p_i exp(d_i) (Blahut 1972); an accelerated step that falls short
  // of that is replaced by the plain one, so I never falls and no step gains
  // less than a plain one is sure to. Stops when the set's gap is below half
  // the tolerance (the rest is for the inputs outside), or has stalled (then
  // relax() takes one long step).
  void accelerate(std::vector<double>& p) {
    const std::size_t n = set_.size();
    std::vector<double> d;
    double info = 0.0;
    double upper = 0.0;
    evaluate(p, d, info, upper);
    double set_upper = upper;
    std::deque<std::vector<double>> df;  // differences of successive residuals
    std::deque<std::vector<double>> dg;  // and of successive plain steps, log p
    std::deque<std::vector<double>> gram;  // df[a] . df[b]
    std::vector<double> f_prev;
    std::vector<double> g_prev;
    std::vector<double> g(n);
    std::vector<double> log_g(n);
    std::vector<double> f(n);
    std::vector<double> c(n);
    std::vector<double> dc;
    double checked_gap = INFINITY;
    int check_at = iterations_ + kStallCheck;
    while (set_upper - info >= 0.5 * tol_ && !done()) {
      if (iterations_ >= check_at) {
        if (set_upper - info > kStallRatio * checked_gap) {
          relax(p, d, info);
          return;
        }
        checked_gap = set_upper - info;
        check_at = iterations_ + kStallCheck;
      }
      // The plain step g_i = p_i exp(d_i) / sum, and what it is sure to reach.
      double sum = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        g[i] = p[i] * std::exp(d[i] - upper);
        sum += g[i];
      }
      const double assured = upper + std::log(sum);
      floor_and_normalize(g);
      for (std::size_t i = 0; i < n; ++i) {
        log_g[i] = std::log(g[i]);
        f[i] = (log_g[i] - std::log(p[i])) * std::sqrt(g[i]);
      }
      if (!f_prev.empty()) {
        std::vector<double> new_df(n);
        std::vector<double> new_dg(n);
        for (std::size_t i = 0; i < n; ++i) {
          new_df[i] = f[i] - f_prev[i];
          new_dg[i] = log_g[i] - g_prev[i];
        }
        if (df.size() == kMemory) {
          df.pop_front();
          dg.pop_front();
          gram.pop_front();
          for (auto& row : gram) row.erase(row.begin());
        }
        df.push_back(std::move(new_df));
        dg.push_back(std::move(new_dg));
        std::vector<double> row(df.size());
        for (std::size_t a = 0; a < df.size(); ++a) row[a] = dot(df[a], df.back());
        for (std::size_t a = 0; a + 1 < df.size(); ++a) gram[a].push_back(row[a]);
        gram.push_back(std::move(row));
      }
      f_prev = f;
      g_prev = log_g;
      c = log_g;
      const std::vector<double> gamma = least_squares(gram, df, f);
      for (std::size_t a = 0; a < gamma.size(); ++a) {
        for (std::size_t i = 0; i < n; ++i) c[i] -= gamma[a] * dg[a][i];
      }
      from_log(c);
      double c_info = 0.0;
      double c_upper = 0.0;
      evaluate(c, dc, c_info, c_upper);
      if (!(c_info >= assured)) {
        df.clear();
        dg.clear();
        gram.clear();
        f_prev.clear();
        c = g;
        evaluate(c, dc, c_info, c_upper);
      }
      p.swap(c);
      d.swap(dc);
      info = c_info;
      upper = c_upper;
      set_upper = std::min(set_upper, upper);
    }
  }

  // Over-relaxed Blahut-Arimoto (Matz and Duhamel 2004): p_i exp(mu d_i),
  // mu doubled from 2 while the gap at the new p keeps shrinking. When
  // acceleration stalls, the gap is held by a mode that every plain step moves
  // the same little way (Anderson's extrapolation of it drowns in rounding);
  // this goes along it as far as it pays.
  void relax(std::vector<double>& p, const std::vector<double>& d_at_p, double info_at_p) {
    const std::size_t n = p.size();
    std::vector<double> log_base(n);
    for (std::size_t i = 0; i < n; ++i) log_base[i] = std::log(p[i]);
    const double top = *std::max_element(d_at_p.begin(), d_at_p.end());
    std::vector<double> c(n);
    std::vector<double> d;
    double best = info_at_p;
    double best_upper = top;
    for (double mu = 2.0; mu < 1e15 && iterations_ < max_iterations_; mu *= 2.0) {
      for (std::size_t i = 0; i < n; ++i) c[i] = log_base[i] + mu * (d_at_p[i] - top);
      from_log(c);
      double info = 0.0;
      double upper = 0.0;
      evaluate(c, d, info, upper);
      if (!(upper - info < best_upper - best)) break;
      best = info;
      best_upper = upper;
      p = c;
    }
  }

  // Log probabilities (up to a constant) to probabilities, none below kFloor
  // of the largest.
  static void from_log(std::vector<double>& v) {
    const double top = *std::max_element(v.begin(), v.end());
    for (double& x : v) x = std::exp(std::max(x - top, kFloor));
    normalize(v);
  }

  static void floor_and_normalize(std::vector<double>& p) {
    const double least = *std::max_element(p.begin(), p.end()) * std::exp(kFloor);
    for (double& v : p) v = std::max(v, least);
    normalize(p);
  }

  static double dot(const std::vector<double>& a, const std::vector<double>& b) {
    double s = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
  }

  // argmin_gamma |f - sum_a gamma_a df[a]| by the normal equations, slightly
  // regularized; empty when they are singular (the step is then the plain one).
  static std::vector<double> least_squares(const std::deque<std::vector<double>>& gram,
                                           const std::deque<std::vector<double>>& df,
                                           const std::vector<double>& f) {
    const std::size_t m = df.size();
    double trace = 0.0;
    for (std::size_t a = 0; a < m; ++a) trace += gram[a][a];
    std::vector<double> l(m * m, 0.0);  // Cholesky factor, row-major lower
    for (std::size_t a = 0; a < m; ++a) {
      for (std::size_t b = 0; b <= a; ++b) {
        double s = gram[a][b] + (a == b ? 1e-10 * trace : 0.0);
        for (std::size_t k = 0; k < b; ++k) s -= l[a * m + k] * l[b * m + k];
        if (a == b) {
          if (!(s > 0.0)) return {};
          l[a * m + a] = std::sqrt(s);
        } else {
          l[a * m + b] = s / l[b * m + b];
        }
      }
    }
    std::vector<double> gamma(m);
    for (std::size_t a = 0; a < m; ++a) {
      double s = dot(df[a], f);
      for (std::size_t k = 0; k < a; ++k) s -= l[a * m + k] * gamma[k];
      gamma[a] = s / l[a * m + a];
    }
    for (std::size_t a = m; a-- > 0;) {
      double s = gamma[a];
      for (std::size_t k = a + 1; k < m; ++k) s -= l[k * m + a] * gamma[k];
      gamma[a] = s / l[a * m + a];
    }
    return gamma;
  }

  const BandedChannel& w_;
  const double tol_;  // nats
  const int max_iterations_;
  const CapacityProgress& progress_;
  std::vector<std::size_t> set_;
  std::vector<char> in_set_;
  bool set_changed_ = true;
  std::vector<double> neg_entropy_;  // sum_y W log W per input
  std::vector<double> q_;
  std::vector<double> log_q_;
  int iterations_ = 0;
  double lower_ = -INFINITY;
  double upper_ = INFINITY;
  std::vector<std::size_t> best_set_;
  std::vector<double> best_p_;
  bool reported_ = false;
  std::chrono::steady_clock::time_point last_report_;
};

// The smaller tail of a standard normal at z: P(Z < z) for z <= 0, P(Z > z)
// above. Bin masses are taken between tails, each from its own erfc, so that
// neither tail loses its digits to 1 - (almost 1).
double normal_tail(double z) { return 0.5 * std::erfc(std::fabs(z) / std::sqrt(2.0)); }

// P(za < Z < zb) from the tails at za < zb.
double normal_mass(double za, double tail_a, double zb, double tail_b) {
  if (zb <= 0.0) return tail_b - tail_a;
  if (za >= 0.0) return tail_a - tail_b;
  return 1.0 - tail_a - tail_b;
}

}  // namespace

BandedChannel banded(const std::vector<std::vector<double>>& transition) {
  BandedChannel c;
  c.outputs = transition.empty() ? 0 : transition.front().size();
  for (const auto& row : transition) {
    if (row.size() != c.outputs) throw ChannelError("capacity: transition rows differ in length");
    std::size_t a = 0;
    std::size_t b = row.size();
    while (a < b && row[a] == 0.0) ++a;
    while (b > a && row[b - 1] == 0.0) --b;
    c.first.push_back(a);
    c.values.insert(c.values.end(), row.begin() + static_cast<std::ptrdiff_t>(a),
                    row.begin() + static_cast<std::ptrdiff_t>(b));
    c.offset.push_back(c.values.size());
  }
  return c;
}

CapacityResult blahut_arimoto(const std::vector<std::vector<double>>& w, double tolerance_bits,
                              int max_iterations) {
  const std::size_t nx = w.size();
  if (nx == 0) throw ChannelError("capacity: channel has no inputs");
  const std::size_t ny = w.front().size();
  for (std::size_t x = 0; x < nx; ++x) {
    if (w[x].size() != ny) throw ChannelError("capacity: transition rows differ in length");
    check_row(x, w[x].data(), w[x].data() + ny);
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

CapacityResult banded_capacity(const BandedChannel& channel, double tolerance_bits, int max_iterations,
                               const CapacityProgress& progress) {
  check_channel(channel);
  return Solver(channel, tolerance_bits * kLn2, max_iterations, progress).run();
}

BandedChannel gaussian_levels_channel(const std::vector<double>& means, const std::vector<double>& stds,
                                      int bins) {
  if (means.size() != stds.size() || means.empty()) {
    throw ChannelError("capacity: need as many stds as means, and at least one level");
  }
  if (bins < 2) throw ChannelError("capacity: need at least 2 output bins, got " + std::to_string(bins));
  double lo = INFINITY;
  double hi = -INFINITY;
  for (std::size_t i = 0; i < means.size(); ++i) {
    if (!std::isfinite(means[i]) || !(stds[i] >= 0.0) || !std::isfinite(stds[i]) ||
        !std::isfinite(means[i] - 8.0 * stds[i]) || !std::isfinite(means[i] + 8.0 * stds[i])) {
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
  const auto bin_of = [&](double v) {
    return static_cast<std::size_t>(std::clamp(std::floor((v - lo) / width), 0.0, static_cast<double>(nb - 1)));
  };
  BandedChannel c;
  c.outputs = nb;
  std::size_t entries = 0;
  for (std::size_t i = 0; i < means.size(); ++i) {
    const std::size_t a = stds[i] == 0.0 ? bin_of(means[i]) : bin_of(means[i] - 8.0 * stds[i]);
    const std::size_t b = stds[i] == 0.0 ? a : bin_of(means[i] + 8.0 * stds[i]);
    c.first.push_back(a);
    entries += b - a + 1;
    c.offset.push_back(entries);
  }
  if (entries > kMaxBandEntries) {
    throw ChannelError("capacity: " + std::to_string(means.size()) + " levels over " + std::to_string(bins) +
                       " bins need " + std::to_string(entries) + " transition entries, more than " +
                       std::to_string(kMaxBandEntries) + "; use fewer bins");
  }
  c.values.resize(entries);
  for (std::size_t i = 0; i < means.size(); ++i) {
    double* row = c.values.data() + c.offset[i];
    const std::size_t n = c.offset[i + 1] - c.offset[i];
    if (stds[i] == 0.0) {
      row[0] = 1.0;
      continue;
    }
    // The tails beyond the band go to its end bins, as the whole range's
    // tails go to the outer bins.
    double sum = 0.0;
    double za = -INFINITY;
    double tail_a = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
      const double edge = lo + width * static_cast<double>(c.first[i] + k + 1);
      const double zb = k + 1 == n ? INFINITY : (edge - means[i]) / stds[i];
      const double tail_b = normal_tail(zb);
      row[k] = normal_mass(za, tail_a, zb, tail_b);
      sum += row[k];
      za = zb;
      tail_a = tail_b;
    }
    for (std::size_t k = 0; k < n; ++k) row[k] /= sum;
  }
  return c;
}

CapacityResult gaussian_levels_capacity(const std::vector<double>& means, const std::vector<double>& stds,
                                        int bins, double tolerance_bits, const CapacityProgress& progress) {
  return banded_capacity(gaussian_levels_channel(means, stds, bins), tolerance_bits, 200000, progress);
}

CapacityResult table_capacity(const Table& table, int bins, const CapacityProgress& progress) {
  std::vector<double> means;
  std::vector<double> stds;
  for (const auto& level : table.levels) {
    means.push_back(level.mean);
    stds.push_back(level.std);
  }
  return gaussian_levels_capacity(means, stds, bins, kTableCapacityTolerance, progress);
}

}  // namespace pcm::channel_model
