#include "pcm/channel_model/physics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "pcm/channel_model/errors.hpp"
#include "pcm/channel_model/table.hpp"

namespace pcm::channel_model {
namespace {

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%gs", s);
  return buf;
}

}  // namespace

OutputDomain output_domain_of(const std::string& unit) {
  if (unit == "log10(ohm)" || unit == "log10(Ohm)") return OutputDomain::kLogResistance;
  if (unit == "S" || unit == "mS" || unit == "uS" || unit == "nS") return OutputDomain::kConductance;
  return OutputDomain::kOther;
}

double aihwkit_drift_mean(double g) {
  return std::clamp(-0.0155 * std::log(g) + 0.0244, 0.049, 0.1);
}

double aihwkit_drift_std(double g) {
  return std::clamp(-0.0125 * std::log(g) - 0.0059, 0.008, 0.045);
}

double aihwkit_flicker_q(double g) {
  return std::min(0.0088 / std::max(std::pow(g, 0.65), 1e-3), 0.2);
}

std::string Physics::drift_text() const {
  if (drift == Drift::kNone) return "none";
  return "aihwkit fits, t0 " + seconds_text(drift_t0);
}

std::string Physics::read_noise_text() const {
  switch (read_noise) {
    case ReadNoise::kNone: return "none (in the measured spread)";
    case ReadNoise::kConstant: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "std %g per read", read_noise_std);
      return buf;
    }
    case ReadNoise::kFlicker: return "aihwkit 1/f, t_read " + seconds_text(read_time);
  }
  return "";
}

CellPhysics::CellPhysics(const Physics& physics, const LinearMap& output_map, OutputDomain domain,
                         const std::string& origin)
    : physics_(physics), domain_(domain), out_lo_(output_map.lo), out_hi_(output_map.hi) {
  if (physics_.has_drift() && domain_ == OutputDomain::kOther) {
    throw ChannelError(origin +
                       ": drift needs an output in log10(ohm) or in conductance (S, mS, uS, nS)");
  }
  if (physics_.read_noise == Physics::ReadNoise::kFlicker && domain_ != OutputDomain::kConductance) {
    throw ChannelError(origin + ": 1/f read noise needs an output in conductance (S, mS, uS, nS)");
  }
  if (physics_.read_noise == Physics::ReadNoise::kConstant) {
    read_std_norm_ = physics_.read_noise_std * output_map.unit_scale();
  }
}

double CellPhysics::g_rel(double y) const {
  const double phys = out_lo_ + (y + 1.0) * 0.5 * (out_hi_ - out_lo_);
  double g = 1.0;
  if (domain_ == OutputDomain::kLogResistance) {
    // the lowest resistance of the map is Gmax
    g = std::pow(10.0, out_lo_ - phys);
  } else if (domain_ == OutputDomain::kConductance) {
    g = phys / out_hi_;
  }
  return std::clamp(g, 1e-12, 1.0);
}

double CellPhysics::drift_exponent(double y_mean, const CellKey& key) const {
  if (!physics_.has_drift()) return 0.0;
  return drift_exponent(drift_level(y_mean), key);
}

CellPhysics::DriftLevel CellPhysics::drift_level(double y_mean) const {
  const double g = g_rel(y_mean);
  return DriftLevel{aihwkit_drift_mean(g), aihwkit_drift_std(g)};
}

double CellPhysics::drift_exponent(const DriftLevel& level, const CellKey& key) const {
  CellRng rng(key);
  return std::fabs(level.mean + level.std * rng.normal());
}

double CellPhysics::drifted(double y, double nu, double t) const {
  double out = y;
  if (physics_.has_drift() && nu != 0.0 && t > physics_.drift_t0) {
    const double decades = std::log10(t / physics_.drift_t0);
    const double span = out_hi_ - out_lo_;
    if (domain_ == OutputDomain::kLogResistance) {
      out += 2.0 * nu * decades / span;  // resistance rises
    } else {
      const double g = out_lo_ + (y + 1.0) * 0.5 * span;
      out = 2.0 * (g * std::pow(10.0, -nu * decades) - out_lo_) / span - 1.0;
    }
  }
  return out;
}

double CellPhysics::flicker_log_arg(double t) const {
  // accumulated 1/f noise: zero right after programming, growing with ln t
  const double arg = (t + physics_.read_time) / (2.0 * physics_.read_time);
  return arg > 1.0 ? std::sqrt(std::log(arg)) : 0.0;
}

double CellPhysics::flicker_noise(double y, double out, double root_log_arg, double z) const {
  const double span = out_hi_ - out_lo_;
  const double g_now = std::fabs(out_lo_ + (out + 1.0) * 0.5 * span);
  const double sigma = g_now * aihwkit_flicker_q(g_rel(y)) * root_log_arg;
  return 2.0 * sigma * z / span;
}

double CellPhysics::read(double y, double nu, double t, const CellKey& key) const {
  double out = drifted(y, nu, t);
  switch (physics_.read_noise) {
    case Physics::ReadNoise::kNone: break;
    case Physics::ReadNoise::kConstant: {
      CellRng rng(key);
      out += read_std_norm_ * rng.normal();
      break;
    }
    case Physics::ReadNoise::kFlicker: {
      const double root_log_arg = flicker_log_arg(t);
      if (root_log_arg > 0.0) {
        CellRng rng(key);
        out += flicker_noise(y, out, root_log_arg, rng.normal());
      }
      break;
    }
  }
  return out;
}

void CellPhysics::read_many(const double* y, const double* nu, double t, const CellKey* keys, double* out,
                            std::size_t n) const {
  for (std::size_t k = 0; k < n; ++k) out[k] = drifted(y[k], nu[k], t);
  const double root_log_arg = physics_.read_noise == Physics::ReadNoise::kFlicker ? flicker_log_arg(t) : 0.0;
  if (physics_.read_noise == Physics::ReadNoise::kNone || (physics_.read_noise == Physics::ReadNoise::kFlicker &&
                                                            root_log_arg == 0.0)) {
    return;
  }
  constexpr std::size_t kStage = 64;
  double z[kStage];
  for (std::size_t begin = 0; begin < n; begin += kStage) {
    const std::size_t m = std::min(kStage, n - begin);
    first_normals(keys + begin, z, m);
    for (std::size_t k = 0; k < m; ++k) {
      double& o = out[begin + k];
      if (physics_.read_noise == Physics::ReadNoise::kConstant) {
        o += read_std_norm_ * z[k];
      } else {
        o += flicker_noise(y[begin + k], o, root_log_arg, z[k]);
      }
    }
  }
}

}  // namespace pcm::channel_model
