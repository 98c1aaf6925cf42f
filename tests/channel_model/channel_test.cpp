#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "pcm/channel_model/builtin.hpp"
#include "pcm/channel_model/capacity.hpp"
#include "pcm/channel_model/channel.hpp"
#include "pcm/channel_model/errors.hpp"

namespace cm = pcm::channel_model;

namespace {
const std::string kMeasured = std::string(PCMSIM_SHARED_DIR) + "/data/pcm-partial-reset-2014/cells.csv";

// Sampled mean and std at every level within 5 standard errors of the table.
void expect_levels_reproduced(const cm::TableChannel& ch, int n, std::uint64_t seed) {
  std::uint64_t address = 0;
  for (const auto& level : ch.table().levels) {
    double sum = 0.0;
    double sum2 = 0.0;
    for (int i = 0; i < n; ++i) {
      const double y = ch.sample(level.input, {seed, address++, 0, cm::Stream::kProgram});
      sum += y;
      sum2 += y * y;
    }
    const double mean = sum / n;
    const double sd = std::sqrt(sum2 / n - mean * mean);
    EXPECT_NEAR(mean, level.mean, 5.0 * level.std / std::sqrt(n)) << "level at x=" << level.input;
    // Standard error of a sample std: sigma * sqrt((kurtosis - 1) / (4 n)); the
    // kurtosis is 3 for a Gaussian level, measured from the read-outs otherwise.
    double kurtosis = 3.0;
    if (!level.samples.empty()) {
      double m2 = 0.0;
      double m4 = 0.0;
      for (double v : level.samples) {
        const double d2 = (v - level.mean) * (v - level.mean);
        m2 += d2;
        m4 += d2 * d2;
      }
      const auto k = static_cast<double>(level.samples.size());
      kurtosis = (m4 / k) / ((m2 / k) * (m2 / k));
    }
    EXPECT_NEAR(sd, level.std, 5.0 * level.std * std::sqrt((kurtosis - 1.0) / (4.0 * n)))
        << "level at x=" << level.input;
  }
}
}  // namespace

TEST(Channel, PreMappingInvertsMeanWithin1em6) {
  const cm::TableChannel ch(cm::load_builtin_table("default"));
  const cm::PreMapping pre(ch);
  const cm::Branch& b = pre.branch();
  for (int k = 0; k <= 1000; ++k) {
    const double x = b.x_lo + (b.x_hi - b.x_lo) * k / 1000.0;
    EXPECT_NEAR(pre.h(ch.mean(x)), x, 1e-6);
    const double t = b.t_lo + (b.t_hi - b.t_lo) * k / 1000.0;
    EXPECT_NEAR(ch.mean(pre.h(t)), t, 1e-9);
  }
}

TEST(Channel, DefaultTableIsCalibratedToThePaper) {
  const cm::TableChannel ch(cm::load_builtin_table("default"));
  const cm::PreMapping pre(ch);
  EXPECT_EQ(ch.table().levels.size(), 31u);
  EXPECT_NEAR(pre.branch().t_lo, -0.65, 0.05);
  EXPECT_NEAR(pre.branch().t_hi, 0.75, 0.05);
  const double bits = cm::table_capacity(ch.table()).bits;
  EXPECT_GE(bits, 1.85);
  EXPECT_LE(bits, 2.15);
}

TEST(Channel, GaussianSamplesMatchTableWithin5StandardErrors) {
  expect_levels_reproduced(cm::TableChannel(cm::load_builtin_table("default")), 4000, 11);
}

TEST(Channel, AveragingRCellsDividesPremappedStdBySqrtR) {
  const cm::TableChannel ch(cm::load_builtin_table("default"));
  const cm::PreMapping pre(ch);
  constexpr int kN = 4000;
  for (unsigned r : {1u, 10u, 100u}) {
    const double t = 0.1;
    double sum = 0.0;
    double sum2 = 0.0;
    for (int i = 0; i < kN; ++i) {
      const double y = cm::sample_average(ch, pre.h(t), {5, std::uint64_t{1000} * i, 0}, r);
      sum += y;
      sum2 += y * y;
    }
    const double mean = sum / kN;
    const double sd = std::sqrt(sum2 / kN - mean * mean);
    const double expected = pre.sigma(t, 1) / std::sqrt(static_cast<double>(r));
    EXPECT_NEAR(pre.sigma(t, r), expected, 1e-12);
    EXPECT_NEAR(mean, t, 5.0 * expected / std::sqrt(kN)) << "r=" << r;
    EXPECT_NEAR(sd, expected, 5.0 * expected / std::sqrt(2.0 * kN)) << "r=" << r;
  }
}

TEST(Channel, AwgnHasConstantStdAndIdentityMean) {
  const cm::AwgnChannel ch(0.2);
  constexpr int kN = 20000;
  double sum = 0.0;
  double sum2 = 0.0;
  for (int i = 0; i < kN; ++i) {
    const double y = ch.sample(0.3, {3, static_cast<std::uint64_t>(i), 0});
    sum += y;
    sum2 += y * y;
  }
  const double mean = sum / kN;
  EXPECT_NEAR(mean, 0.3, 5.0 * 0.2 / std::sqrt(kN));
  EXPECT_NEAR(std::sqrt(sum2 / kN - mean * mean), 0.2, 5.0 * 0.2 / std::sqrt(2.0 * kN));
  EXPECT_THROW(cm::AwgnChannel(-1.0), cm::ChannelError);
}

TEST(Capacity, KnownAnswers) {
  EXPECT_NEAR(cm::gaussian_levels_capacity({-1.0, 1.0}, {0.01, 0.01}).bits, 1.0, 1e-4);
  EXPECT_NEAR(cm::gaussian_levels_capacity({-1.0, -0.3, 0.3, 1.0}, {0.0, 0.0, 0.0, 0.0}).bits, 2.0, 1e-6);
  // Identical levels carry nothing.
  EXPECT_NEAR(cm::gaussian_levels_capacity({0.0, 0.0}, {0.1, 0.1}).bits, 0.0, 1e-4);
}

TEST(Channel, EmpiricalNeedsRawTable) {
  EXPECT_THROW(cm::TableChannel(cm::load_builtin_table("default"), cm::NoiseModel::kEmpirical),
               cm::ChannelError);
}

TEST(Measured, BranchCapacityAndEmpiricalSampler) {
  if (!std::filesystem::exists(kMeasured)) GTEST_SKIP() << "measured data not found at " << kMeasured;
  const cm::TableChannel ch(cm::load_table(kMeasured), cm::NoiseModel::kEmpirical);
  EXPECT_EQ(ch.table().levels.size(), 40u);
  EXPECT_EQ(ch.table().total_count(), 15200u);
  const cm::PreMapping pre(ch);
  EXPECT_NEAR(pre.branch().x_lo, 0.2308, 1e-3);
  EXPECT_DOUBLE_EQ(pre.branch().x_hi, 1.0);
  EXPECT_NEAR(cm::table_capacity(ch.table()).bits, 2.6, 0.1);
  for (int k = 0; k <= 200; ++k) {
    const double x = pre.branch().x_lo + (pre.branch().x_hi - pre.branch().x_lo) * k / 200.0;
    EXPECT_NEAR(pre.h(ch.mean(x)), x, 1e-6);
  }
  expect_levels_reproduced(ch, 4000, 13);
}

// The shipped statistics of the measured data give the same channel as the raw file.
TEST(Measured, BuiltinStatsTableMatchesItsSource) {
  const cm::TableChannel ch(cm::load_builtin_table("pcm-partial-reset-2014"));
  const cm::PreMapping pre(ch);
  EXPECT_EQ(ch.table().levels.size(), 40u);
  EXPECT_NEAR(pre.branch().x_lo, 0.2308, 1e-3);
  EXPECT_NEAR(pre.branch().t_lo, -0.2543, 1e-3);
  EXPECT_NEAR(pre.branch().t_hi, 0.9030, 1e-3);
  EXPECT_NEAR(cm::table_capacity(ch.table()).bits, 2.64, 0.02);
  if (!std::filesystem::exists(kMeasured)) GTEST_SKIP() << "measured data not found at " << kMeasured;
  const cm::Table raw = cm::load_table(kMeasured);
  for (std::size_t i = 0; i < raw.levels.size(); ++i) {
    EXPECT_NEAR(ch.table().levels[i].mean, raw.levels[i].mean, 1e-9);
    EXPECT_NEAR(ch.table().levels[i].std, raw.levels[i].std, 1e-9);
  }
}
