// Drift and read noise (physics.hpp): the formulas at known points, and the
// split of a measured spread into programming and read noise.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "pcm/channel_model/builtin.hpp"
#include "pcm/channel_model/channel.hpp"
#include "pcm/channel_model/errors.hpp"

namespace cm = pcm::channel_model;

namespace {

cm::Table table_of(const std::string& physics_lines) {
  std::istringstream in("# output_unit: log10(ohm)\n# input_map: 1 2\n# output_map: 4 6\n" + physics_lines +
                        "input,mean,std,count\n1,4.2,0.06,100\n1.5,5.0,0.10,100\n2,5.8,0.06,100\n");
  return cm::parse_table(in, "test.csv");
}

}  // namespace

TEST(Physics, AihwkitDriftFitsAtTheirClips) {
  // g = 1: mean -0.0155 ln 1 + 0.0244 = 0.0244, clipped up to 0.049; std -0.0059 -> 0.008
  EXPECT_DOUBLE_EQ(cm::aihwkit_drift_mean(1.0), 0.049);
  EXPECT_DOUBLE_EQ(cm::aihwkit_drift_std(1.0), 0.008);
  // g = 0.01: mean 0.0155 * 4.605 + 0.0244 = 0.0958 (inside the clip), std 0.0517 -> 0.045
  EXPECT_NEAR(cm::aihwkit_drift_mean(0.01), 0.0155 * std::log(100.0) + 0.0244, 1e-12);
  EXPECT_DOUBLE_EQ(cm::aihwkit_drift_std(0.01), 0.045);
  EXPECT_DOUBLE_EQ(cm::aihwkit_drift_mean(1e-6), 0.1);
  EXPECT_DOUBLE_EQ(cm::aihwkit_flicker_q(1e-9), 0.2);
}

TEST(Physics, LogResistanceDriftIsAShiftOfNuDecades) {
  const cm::TableChannel ch(table_of("# drift: aihwkit\n# drift_t0: 20\n"));
  const cm::CellKey key{1, 7, 0, cm::Stream::kRead};
  const double y = 0.1, nu = 0.06;
  // no drift up to t0, then nu * log10(t / t0) in log10(ohm): 2 / (6 - 4) per unit
  EXPECT_DOUBLE_EQ(ch.read(y, nu, 20.0, key), y);
  EXPECT_DOUBLE_EQ(ch.read(y, nu, 1.0, key), y);
  EXPECT_NEAR(ch.read(y, nu, 2000.0, key), y + nu * 2.0, 1e-12);
  EXPECT_DOUBLE_EQ(ch.reference_time(), 20.0);
}

TEST(Physics, DriftExponentIsKeyedAndPositive) {
  const cm::TableChannel ch(table_of("# drift: aihwkit\n"));
  const cm::CellKey a{3, 11, 0, cm::Stream::kDrift};
  EXPECT_EQ(ch.drift_exponent(0.2, a), ch.drift_exponent(0.2, a));
  double sum = 0.0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double nu = ch.drift_exponent(0.0, {3, static_cast<uint64_t>(i), 0, cm::Stream::kDrift});
    EXPECT_GE(nu, 0.0);
    sum += nu;
  }
  // mean(0) = 5.0 log10(ohm): g = 10^(4 - 5) = 0.1, mean nu = clip(0.0357 + 0.0244) = 0.0601,
  // std 0.0229; |N| barely folds at 2.6 sigma. Tolerance: 5 standard errors.
  const double g = 0.1;
  EXPECT_NEAR(sum / n, cm::aihwkit_drift_mean(g), 5.0 * cm::aihwkit_drift_std(g) / std::sqrt(n));
}

TEST(Physics, DeclaredReadNoiseSplitsTheMeasuredSpread) {
  const cm::TableChannel ch(table_of("# read_noise_std: 0.06\n"));
  // at the middle level: measured std 0.10 (0.1 normalized), read 0.06 (0.06 normalized)
  const double x = 0.0, s = 0.10, r = 0.06;
  const int n = 40000;
  double p2 = 0.0, t2 = 0.0;
  for (int i = 0; i < n; ++i) {
    const cm::CellKey key{5, static_cast<uint64_t>(i), 0, cm::Stream::kProgram};
    const double y = ch.program(x, key) - ch.mean(x);
    p2 += y * y;
    const double read = ch.read(ch.program(x, key), 0.0, 20.0, {5, static_cast<uint64_t>(i), 0, cm::Stream::kRead});
    t2 += (read - ch.mean(x)) * (read - ch.mean(x));
  }
  // variance estimates within 5 standard errors (sqrt(2/n) relative)
  const double rel = 5.0 * std::sqrt(2.0 / n);
  EXPECT_NEAR(p2 / n, s * s - r * r, (s * s - r * r) * rel);
  EXPECT_NEAR(t2 / n, s * s, s * s * rel);
}

TEST(Physics, ReadNoiseAboveTheMeasuredSpreadIsRefusedWithItsLine) {
  try {
    table_of("# read_noise_std: 0.07\n");
    FAIL() << "accepted";
  } catch (const cm::TableError& e) {
    EXPECT_EQ(std::string(e.what()),
              "test.csv:4: read_noise_std 0.07 is larger than the measured std 0.06 of the level at input 1 "
              "(a measured spread is programming and read noise together)");
  }
}

TEST(Physics, DriftNeedsAPhysicalOutput) {
  std::istringstream in("# output_unit: V\n# drift: aihwkit\ninput,mean,std,count\n0,0,0.1,10\n1,1,0.1,10\n");
  try {
    cm::parse_table(in, "v.csv");
    FAIL() << "accepted";
  } catch (const cm::TableError& e) {
    EXPECT_NE(std::string(e.what()).find("v.csv:2: drift needs an output in log10(ohm) or conductance"),
              std::string::npos)
        << e.what();
  }
}

TEST(Physics, FlickerNoiseIsZeroRightAfterProgrammingAndGrowsWithTime) {
  const cm::TableChannel ch(cm::load_builtin_table("aihwkit-pcm"));
  const double y = 0.5;
  EXPECT_DOUBLE_EQ(ch.read(y, 0.0, 0.0, {1, 2, 0, cm::Stream::kRead}), y);
  auto spread = [&](double t) {
    double s2 = 0.0;
    const int n = 4000;
    for (int i = 0; i < n; ++i) {
      const double d = ch.read(y, 0.0, t, {1, static_cast<uint64_t>(i), 0, cm::Stream::kRead}) - y;
      s2 += d * d;
    }
    return std::sqrt(s2 / n);
  };
  // sigma ~ sqrt(ln((t + t_read) / (2 t_read))): 1 s -> 3.71, 1 day -> 5.20 (ratio 1.40)
  const double ratio = spread(86400.0) / spread(1.0);
  EXPECT_NEAR(ratio, std::sqrt(std::log(86400.0 / 5e-7) / std::log(1.0 / 5e-7)), 0.1);
}

TEST(Physics, StatsTableKeepsItsPhysics) {
  const cm::Table t = table_of("# drift: aihwkit\n# drift_t0: 30\n# read_noise_std: 0.02\n");
  std::ostringstream out;
  cm::write_stats_table(out, t, {});
  std::istringstream in(out.str());
  const cm::Table back = cm::parse_table(in, "back.csv");
  EXPECT_TRUE(back.physics.has_drift());
  EXPECT_DOUBLE_EQ(back.physics.drift_t0, 30.0);
  EXPECT_DOUBLE_EQ(back.physics.read_noise_std, 0.02);
}
