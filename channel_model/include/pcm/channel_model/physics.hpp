// What happens to a cell after it is programmed: conductance drift and read
// noise. A table declares them in its metadata (channel_model/README.md,
// "Physics"); without those keys a cell reads back what it was programmed to,
// at every time, which is the channel as the table measured it.
#pragma once

#include <cstddef>
#include <string>

#include "pcm/channel_model/philox.hpp"

namespace pcm::channel_model {

struct LinearMap;

// The physical quantity a table's output is, which decides how drift acts.
enum class OutputDomain {
  kOther,          // drift and flicker noise cannot be applied
  kLogResistance,  // log10(ohm): drift adds nu log10(t / t0)
  kConductance,    // S, mS, uS, nS: drift multiplies by (t / t0)^-nu
};
OutputDomain output_domain_of(const std::string& output_unit);

// Drift exponents nu from IBM aihwkit's PCM fits (Nandakumar et al., 2019,
// fitted on a 1-million-device array; aihwkit PCMLikeNoiseModel), as functions
// of g = G / Gmax at the programmed level:
//   mean(nu) = clip(-0.0155 ln g + 0.0244, 0.049, 0.1)
//   std(nu)  = clip(-0.0125 ln g - 0.0059, 0.008, 0.045)
// and nu = |mean + std z| for one standard normal z per cell.
double aihwkit_drift_mean(double g_rel);
double aihwkit_drift_std(double g_rel);
// aihwkit's 1/f read-noise amplitude Q_s = min(0.0088 / max(g^0.65, 1e-3), 0.2).
double aihwkit_flicker_q(double g_rel);

struct Physics {
  enum class Drift { kNone, kAihwkit };
  enum class ReadNoise { kNone, kConstant, kFlicker };

  Drift drift = Drift::kNone;
  double drift_t0 = 20.0;  // seconds after programming at which the table's read-outs were taken
  ReadNoise read_noise = ReadNoise::kNone;
  double read_noise_std = 0.0;  // kConstant: per read, in physical output units
  double read_time = 250e-9;    // kFlicker: t_read of aihwkit's 1/f model, seconds

  bool has_drift() const { return drift != Drift::kNone; }
  bool has_read_noise() const { return read_noise != ReadNoise::kNone; }
  // "none", "aihwkit t0=20s", ...: one line for reports.
  std::string drift_text() const;
  std::string read_noise_text() const;
};

// The physics of one table bound to its output map and domain: the functions
// the channel calls. Every draw is keyed (philox.hpp): drift with
// Stream::kDrift and the programming access, read noise with Stream::kRead and
// the read access.
class CellPhysics {
 public:
  CellPhysics() = default;
  // Throws ChannelError when drift or flicker noise is asked of a domain they
  // do not apply to.
  CellPhysics(const Physics& physics, const LinearMap& output_map, OutputDomain domain,
              const std::string& origin);

  const Physics& physics() const { return physics_; }
  // Read-noise std in normalized output units (kConstant), 0 otherwise.
  double constant_read_std() const { return read_std_norm_; }
  // nu of a cell whose programmed level has normalized mean y_mean.
  double drift_exponent(double y_mean, const CellKey& key) const;
  // The same in two steps: the mean and std of nu at a level (the keyless
  // part, shared by the cells programmed alike), then one cell's draw.
  struct DriftLevel {
    double mean = 0.0;
    double std = 0.0;
  };
  DriftLevel drift_level(double y_mean) const;
  double drift_exponent(const DriftLevel& level, const CellKey& key) const;
  // A cell that holds y (normalized) right after programming, with exponent
  // nu, read at t seconds after programming: drifted, plus one read-noise draw.
  double read(double y, double nu, double t, const CellKey& key) const;
  // out[k] = read(y[k], nu[k], t, keys[k]) for k < n, the same bits, with the
  // read-noise normals of all n keys drawn together (first_normals).
  void read_many(const double* y, const double* nu, double t, const CellKey* keys, double* out, std::size_t n) const;

 private:
  double g_rel(double y_norm) const;  // G / Gmax of a normalized output

  Physics physics_;
  // read()'s steps, shared with read_many: the drift, then the 1/f noise of
  // a standard normal z (root_log_arg: sqrt(ln of the time's argument), 0 when
  // no noise has accumulated)
  double drifted(double y, double nu, double t) const;
  double flicker_log_arg(double t) const;
  double flicker_noise(double y, double out, double root_log_arg, double z) const;

  OutputDomain domain_ = OutputDomain::kOther;
  double out_lo_ = -1.0;   // the output map, physical
  double out_hi_ = 1.0;
  double read_std_norm_ = 0.0;
};

}  // namespace pcm::channel_model
