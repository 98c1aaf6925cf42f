// Noisy analog channels: what a cell reads back when x in [-1, 1] was written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "pcm/channel_model/interp.hpp"
#include "pcm/channel_model/philox.hpp"
#include "pcm/channel_model/physics.hpp"
#include "pcm/channel_model/table.hpp"

namespace pcm::channel_model {

class Channel {
 public:
  virtual ~Channel() = default;
  // Mean and standard deviation of the read-out for input x.
  virtual double mean(double x) const = 0;
  virtual double stddev(double x) const = 0;
  // One read-out of a cell programmed with x: a pure function of (x, key).
  virtual double sample(double x, const CellKey& key) const = 0;
  // The inputs the channel is defined on.
  virtual std::pair<double, double> input_domain() const = 0;

  // A cell's life (physics.hpp). `sample` is one read-out as a table measured
  // it; the array splits it into programming, drift and reads. Without
  // declared physics, program == sample and read returns y: a cell reads back
  // what it was programmed to, at any time.
  // The value a cell holds right after being programmed with x.
  virtual double program(double x, const CellKey& key) const { return sample(x, key); }
  // The drift exponent of a cell programmed with x (0: no drift).
  virtual double drift_exponent(double /*x*/, const CellKey& /*key*/) const { return 0.0; }
  // A read t seconds after programming of a cell that holds y with exponent nu.
  virtual double read(double y, double /*nu*/, double /*t*/, const CellKey& /*key*/) const { return y; }
  // Seconds after programming at which `sample` describes a cell (no drift before).
  virtual double reference_time() const { return 0.0; }
  // Whether read(y, nu, t, key) depends on nu at time t; when not, an array
  // need not draw drift exponents (the value read is the same without).
  virtual bool drifts_at(double /*t*/) const { return true; }
  // Whether read(y, nu, t, key) == y for every y, nu and key at time t (no
  // drift, no read noise): an array may then skip the call.
  virtual bool read_is_exact_at(double /*t*/) const { return false; }

  // What program() and drift_exponent() compute from x alone, so that the
  // cells programmed with one x (a weight's r cells, a verify loop) compute
  // it once: program_at(level_of(x), key) == program(x, key) and
  // drift_at(level_of(x), key) == drift_exponent(x, key), bit for bit.
  struct ProgramLevel {
    double x = 0.0;
    bool prepared = false;  // false: program_at and drift_at call program and drift_exponent
    double mean = 0.0;      // mu(x)
    double std = 0.0;       // sigma(x)
    double shrink = 1.0;    // of the programming spread, with declared read noise
    bool drift = false;     // the channel draws drift exponents
    double drift_mean = 0.0;  // of the exponent nu at mu(x), when drift
    double drift_std = 0.0;
  };
  ProgramLevel level_of(double x) const { return level_of(x, true); }
  // drift_stats false: without the drift exponent's statistics (their power
  // and logs), for a caller that draws no drift exponent with the level
  virtual ProgramLevel level_of(double x, bool /*drift_stats*/) const {
    ProgramLevel level;
    level.x = x;
    return level;
  }
  virtual double program_at(const ProgramLevel& level, const CellKey& key) const { return program(level.x, key); }
  virtual double drift_at(const ProgramLevel& level, const CellKey& key) const { return drift_exponent(level.x, key); }
  // out[k] = program_at(levels[k], keys[k]) for k < n, the same bits; the
  // Gaussian channels draw the normals of all n keys together (first_normals).
  virtual void program_many(const ProgramLevel* levels, const CellKey* keys, double* out, std::size_t n) const {
    for (std::size_t k = 0; k < n; ++k) out[k] = program_at(levels[k], keys[k]);
  }
  // The same for drift_at and read: out[k] = drift_at(levels[k], keys[k]),
  // and out[k] = read(y[k], nu[k], t, keys[k]).
  virtual void drift_many(const ProgramLevel* levels, const CellKey* keys, double* out, std::size_t n) const {
    for (std::size_t k = 0; k < n; ++k) out[k] = drift_at(levels[k], keys[k]);
  }
  virtual void read_many(const double* y, const double* nu, double t, const CellKey* keys, double* out,
                         std::size_t n) const {
    for (std::size_t k = 0; k < n; ++k) out[k] = read(y[k], nu[k], t, keys[k]);
  }
};

// y = x + N(0, std^2): the Gaussian channel of the paper's appendix B.1.
class AwgnChannel final : public Channel {
 public:
  explicit AwgnChannel(double std);  // std >= 0 and finite, else ChannelError
  double mean(double x) const override { return x; }
  double stddev(double /*x*/) const override { return std_; }
  double sample(double x, const CellKey& key) const override;
  void program_many(const ProgramLevel* levels, const CellKey* keys, double* out, std::size_t n) const override;
  std::pair<double, double> input_domain() const override { return {-1.0, 1.0}; }
  bool drifts_at(double /*t*/) const override { return false; }
  bool read_is_exact_at(double /*t*/) const override { return true; }

 private:
  double std_;
};

enum class NoiseModel {
  kGaussian,   // N(mu(x), sigma(x)^2)
  kEmpirical,  // quantile interpolation between the two neighbouring levels' read-outs
};
const char* to_string(NoiseModel model);

// The channel a measurement table describes: mu(x) and sigma(x) monotone-cubic
// between levels; held constant beyond the outermost levels.
class TableChannel final : public Channel {
 public:
  // kEmpirical needs a raw table (ChannelError otherwise).
  explicit TableChannel(Table table, NoiseModel model = NoiseModel::kGaussian);

  double mean(double x) const override { return mu_(x); }
  double stddev(double x) const override { return sigma_(x); }
  double mean_derivative(double x) const { return mu_.derivative(x); }
  double sample(double x, const CellKey& key) const override;
  std::pair<double, double> input_domain() const override;
  // With a declared read-noise std r, programming alone has std
  // sqrt(sigma(x)^2 - r^2) around mu(x) (the same draw scaled).
  double program(double x, const CellKey& key) const override;
  double drift_exponent(double x, const CellKey& key) const override;
  double read(double y, double nu, double t, const CellKey& key) const override;
  double reference_time() const override { return physics_.physics().drift_t0; }
  bool drifts_at(double t) const override;
  bool read_is_exact_at(double t) const override;
  using Channel::level_of;
  ProgramLevel level_of(double x, bool drift_stats) const override;  // prepared for the Gaussian model
  double program_at(const ProgramLevel& level, const CellKey& key) const override;
  void program_many(const ProgramLevel* levels, const CellKey* keys, double* out, std::size_t n) const override;
  void drift_many(const ProgramLevel* levels, const CellKey* keys, double* out, std::size_t n) const override;
  void read_many(const double* y, const double* nu, double t, const CellKey* keys, double* out,
                 std::size_t n) const override;
  double drift_at(const ProgramLevel& level, const CellKey& key) const override;
  const CellPhysics& physics() const { return physics_; }

  // Draws from the empirical conditional distribution at x, from one uniform u.
  double empirical_quantile(double x, double u) const;

  const Table& table() const { return table_; }
  const MonotoneCubic& mu() const { return mu_; }
  const MonotoneCubic& sigma() const { return sigma_; }
  NoiseModel noise_model() const { return model_; }

 private:
  Table table_;
  NoiseModel model_;
  MonotoneCubic mu_;
  MonotoneCubic sigma_;
  CellPhysics physics_;
};

// Mean of r read-outs of cells at consecutive addresses from first.address.
double sample_average(const Channel& channel, double x, const CellKey& first, unsigned r);

// The widest input interval on which mu is strictly monotone.
struct Branch {
  double x_lo = 0.0;  // input interval
  double x_hi = 0.0;
  double t_lo = 0.0;  // mu over it, ascending: the domain of h, i.e. the usable
  double t_hi = 0.0;  // range of the pre-mapped input t = alpha * w - beta
  bool increasing = true;
};

// h = mu^-1 on the branch, so that phi = C o h has mean t and std sigma(h(t)).
// Keeps its own copy of the curves: it does not refer back to the channel.
class PreMapping {
 public:
  explicit PreMapping(const TableChannel& channel);

  const Branch& branch() const { return branch_; }
  bool contains(double t) const { return t >= branch_.t_lo && t <= branch_.t_hi; }
  // h(t), with t saturated to [t_lo, t_hi]. |mu(h(t)) - t| <= 1e-12.
  double h(double t) const;
  // Std of the pre-mapped channel read out as the mean of r cells.
  double sigma(double t, unsigned r = 1) const;

 private:
  MonotoneCubic mu_;
  MonotoneCubic sigma_;
  Branch branch_;
  std::size_t first_ = 0;  // knot indices bounding the branch
  std::size_t last_ = 0;
};

// The widest strictly monotone run of a curve given by knots (x, y); exposed
// for tests. Ties in width go to the run with the larger output range.
Branch widest_monotone_branch(const MonotoneCubic& curve, std::size_t* first = nullptr,
                              std::size_t* last = nullptr);

}  // namespace pcm::channel_model
