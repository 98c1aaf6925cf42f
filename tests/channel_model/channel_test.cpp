#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <random>
#include <sstream>
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

// The pre-mapping's Newton evaluates the mean curve in the interval it has
// bracketed without searching for it: the same bits as the searching calls.
TEST(Channel, CurveInAKnownIntervalEqualsTheSearchingCalls) {
  for (const std::string table : {"default", "aihwkit-pcm"}) {
    const cm::TableChannel ch(cm::load_builtin_table(table));
    const cm::MonotoneCubic& mu = ch.mu();
    const auto& x = mu.knots();
    for (std::size_t i = 0; i + 1 < x.size(); ++i) {
      for (int k = 1; k < 50; ++k) {
        const double v = x[i] + (x[i + 1] - x[i]) * k / 50.0;
        EXPECT_EQ(mu.value_in(i, v), mu(v)) << table << " interval " << i << " x=" << v;
        EXPECT_EQ(mu.derivative_in(i, v), mu.derivative(v)) << table << " interval " << i << " x=" << v;
      }
    }
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

namespace {

// The Gaussian channel of a table as the capacity was computed before the
// bands: every level over all the bins, the tails folded into the outer bins.
std::vector<std::vector<double>> dense_gaussian(const cm::Table& t, int bins) {
  double lo = INFINITY;
  double hi = -INFINITY;
  for (const auto& l : t.levels) {
    lo = std::min(lo, l.mean - 8.0 * l.std);
    hi = std::max(hi, l.mean + 8.0 * l.std);
  }
  const double width = (hi - lo) / bins;
  std::vector<std::vector<double>> w;
  for (const auto& l : t.levels) {
    std::vector<double> row(static_cast<std::size_t>(bins));
    double prev = 0.0;
    for (int j = 0; j < bins; ++j) {
      const double z = (lo + width * (j + 1) - l.mean) / l.std;
      const double cdf = j + 1 == bins ? 1.0 : 0.5 * std::erfc(-z / std::sqrt(2.0));
      row[static_cast<std::size_t>(j)] = cdf - prev;
      prev = cdf;
    }
    w.push_back(row);
  }
  return w;
}

// Both are within tol of the capacity, from below, and each one's lower
// bound is below the other's upper bound.
void expect_same_capacity(const cm::CapacityResult& fast, const cm::CapacityResult& ref, double tol) {
  EXPECT_LT(fast.upper_bound - fast.bits, tol);
  EXPECT_LT(ref.upper_bound - ref.bits, tol);
  EXPECT_NEAR(fast.bits, ref.bits, tol);
  EXPECT_LE(fast.bits, ref.upper_bound + 1e-12);
  EXPECT_LE(ref.bits, fast.upper_bound + 1e-12);
  double sum = 0.0;
  for (double v : fast.input_distribution) sum += v;
  EXPECT_NEAR(sum, 1.0, 1e-12);
}

}  // namespace

// Channels of every shape the fast path has to survive: sparse rows, narrow
// bands, duplicated rows, Gaussian rows; many more inputs than outputs.
TEST(Capacity, BandedMatchesDenseReferenceOnRandomChannels) {
  constexpr double kTol = 1e-6;
  for (int trial = 0; trial < 48; ++trial) {
    std::mt19937_64 rng(static_cast<std::uint64_t>(trial));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const auto nx = static_cast<std::size_t>(1 + u(rng) * 150);
    const auto ny = static_cast<std::size_t>(2 + u(rng) * 40);
    std::vector<std::vector<double>> w(nx, std::vector<double>(ny, 0.0));
    for (std::size_t x = 0; x < nx; ++x) {
      switch (trial % 4) {
        case 0:
          for (double& v : w[x]) v = u(rng) < 0.3 ? 0.0 : std::pow(u(rng), 4);
          break;
        case 1: {
          const auto centre = static_cast<std::size_t>(u(rng) * static_cast<double>(ny));
          const auto half = static_cast<std::size_t>(1 + u(rng) * 5);
          for (std::size_t y = centre > half ? centre - half : 0; y <= std::min(ny - 1, centre + half); ++y) {
            w[x][y] = u(rng) + 0.01;
          }
          break;
        }
        case 2:
          if (x > 0 && u(rng) < 0.5) {
            w[x] = w[x - 1];
          } else {
            for (double& v : w[x]) v = u(rng);
          }
          break;
        default: {
          const double m = u(rng) * static_cast<double>(ny);
          const double sd = 0.3 + 3.0 * u(rng);
          for (std::size_t y = 0; y < ny; ++y) {
            w[x][y] = std::exp(-0.5 * std::pow((static_cast<double>(y) - m) / sd, 2));
          }
        }
      }
      double sum = 0.0;
      for (double v : w[x]) sum += v;
      if (sum == 0.0) w[x][0] = sum = 1.0;
      for (double& v : w[x]) v /= sum;
    }
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + std::to_string(nx) + " x " + std::to_string(ny));
    expect_same_capacity(cm::banded_capacity(cm::banded(w), kTol), cm::blahut_arimoto(w, kTol, 5000000), kTol);
  }
}

TEST(Capacity, BuiltinTablesMatchDenseReference) {
  constexpr int kBins = 4096;
  for (const char* name : {"default", "pcm-partial-reset-2014", "aihwkit-pcm"}) {
    SCOPED_TRACE(name);
    const cm::Table t = cm::load_builtin_table(name);
    const auto dense = dense_gaussian(t, kBins);
    // The bands move what lies beyond 8 std of each level, under 1e-15 a row;
    // the rest of the difference is the dense rows' rounding (1 - cdf).
    const cm::BandedChannel band = cm::gaussian_levels_channel(
        [&] { std::vector<double> v; for (const auto& l : t.levels) v.push_back(l.mean); return v; }(),
        [&] { std::vector<double> v; for (const auto& l : t.levels) v.push_back(l.std); return v; }(), kBins);
    for (std::size_t x = 0; x < dense.size(); ++x) {
      double moved = 0.0;
      for (std::size_t y = 0; y < dense[x].size(); ++y) {
        const std::size_t k = y - band.first[x];
        const bool inside = y >= band.first[x] && k < band.offset[x + 1] - band.offset[x];
        moved += std::fabs(dense[x][y] - (inside ? band.values[band.offset[x] + k] : 0.0));
      }
      EXPECT_LT(moved, 1e-12) << "level " << x;
    }
    expect_same_capacity(cm::table_capacity(t, kBins),
                         cm::blahut_arimoto(dense, cm::kTableCapacityTolerance), cm::kTableCapacityTolerance);
  }
}

// A table of 10,000 levels (the default's curves sampled finely): converged,
// in seconds, with the progress callback called at once, then throttled to
// about once a second, its bounds closing in.
TEST(Capacity, TenThousandLevels) {
  const cm::TableChannel coarse(cm::load_builtin_table("default"));
  std::ostringstream text;
  text << "input,mean,std,count\n";
  constexpr int kLevels = 10000;
  for (int i = 0; i < kLevels; ++i) {
    const double x = -1.0 + 2.0 * i / (kLevels - 1);
    text << x << "," << coarse.mean(x) << "," << coarse.stddev(x) << ",100\n";
  }
  std::istringstream in(text.str());
  const cm::Table fine = cm::parse_table(in, "fine.csv");
  ASSERT_EQ(fine.levels.size(), static_cast<std::size_t>(kLevels));
  using Clock = std::chrono::steady_clock;
  Clock::time_point last = Clock::now();
  double lower = -INFINITY;
  double upper = INFINITY;
  int calls = 0;
  const cm::CapacityResult cap = cm::table_capacity(fine, 4096, [&](int, double lo, double hi) {
    const Clock::time_point now = Clock::now();
    if (calls > 0) {
      EXPECT_GE(std::chrono::duration<double>(now - last).count(), 0.9);
    }
    EXPECT_LE(lo, hi);
    EXPECT_GE(lo, lower);
    EXPECT_LE(hi, upper);
    last = now;
    lower = lo;
    upper = hi;
    ++calls;
  });
  EXPECT_LT(cap.upper_bound - cap.bits, cm::kTableCapacityTolerance);
  EXPECT_NEAR(cap.bits, 2.0, 0.02);
  EXPECT_LT(cap.iterations, 20000);
  EXPECT_GE(calls, 1);  // as soon as there are bounds
  EXPECT_GE(cap.bits, lower);
  EXPECT_LE(cap.upper_bound, upper);
}

TEST(Capacity, RefusesWhatIsNotAChannel) {
  EXPECT_THROW(cm::banded_capacity(cm::banded({{0.5, 0.4}})), cm::ChannelError);
  EXPECT_THROW(cm::banded_capacity(cm::banded({{1.0, 0.0}, {0.5}})), cm::ChannelError);
  EXPECT_THROW(cm::banded_capacity(cm::BandedChannel{}), cm::ChannelError);
  cm::BandedChannel outside = cm::banded({{0.0, 1.0}});
  outside.first[0] = 5;
  EXPECT_THROW(cm::banded_capacity(outside), cm::ChannelError);
}

TEST(Channel, ConstantMeanNamesTheTable) {
  std::istringstream in("# output_map: 0 1\ninput,mean,std,count\n0,0.5,0.1,10\n1,0.5,0.1,10\n");
  const cm::TableChannel ch(cm::parse_table(in, "flat.csv"));
  try {
    const cm::PreMapping pre(ch);
    ADD_FAILURE() << "a constant mean has no invertible branch";
  } catch (const cm::ChannelError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("flat.csv: every level has the same mean", 0), 0u) << e.what();
  }
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
