#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "pcm/regs/pcm_ctrl_regs.hpp"
#include "pcm/sw/config_error.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/plan.hpp"

namespace pcm::sw {
namespace {

ChannelMap premapped() {
  ChannelMap m = ChannelMap::identity();
  m.t_lo = -0.65;
  m.t_hi = 0.75;
  return m;
}

double t_of(const ClassMap& c, double m) { return static_cast<double>(c.alpha) * m - c.beta; }

// A tensor shaped like trained weights: Laplace magnitudes (quantiles of
// Exp(1) x 0.05), so most are small and a few large, alternating signs.
std::vector<float> sample_tensor(std::size_t n) {
  std::vector<float> w(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = (static_cast<double>(i) + 0.5) / static_cast<double>(n);
    w[i] = static_cast<float>((i % 2 ? -1.0 : 1.0) * 0.05 * -std::log1p(-u));
  }
  return w;
}

TEST(Strategy, ParsesAnyOrderAndNamesCanonically) {
  EXPECT_EQ(Strategy::parse("none").name(), "none");
  EXPECT_EQ(Strategy::parse("ar+sp+am").name(), "sp+am+ar");
  const Strategy s = Strategy::parse("sens+sp");
  EXPECT_TRUE(s.sp);
  EXPECT_FALSE(s.am);
  EXPECT_TRUE(s.sens);
  EXPECT_EQ(s.meta_bits(), 2);
  EXPECT_EQ(Strategy::parse("sp+am+ar+sens").meta_bits(), 3);
}

TEST(Strategy, RejectsUnknownDuplicateAndMalformed) {
  EXPECT_THROW(Strategy::parse("sp+xx"), ConfigError);
  EXPECT_THROW(Strategy::parse("sp+sp"), ConfigError);
  EXPECT_THROW(Strategy::parse("sp+"), ConfigError);
  EXPECT_THROW(Strategy::parse(""), ConfigError);
  EXPECT_THROW(Strategy::parse("none+sp"), ConfigError);
}

TEST(Plan, NoneMapsTheWholeSignedRangeOntoTheUsableRange) {
  const std::vector<float> w = sample_tensor(1000);
  PlanOptions opt;
  const TensorPlan p = plan_tensor(w.data(), nullptr, w.size(), Strategy{}, opt, premapped());
  double max = 0.0;
  for (float v : w) max = std::max(max, std::fabs(double(v)));
  EXPECT_NEAR(t_of(p.small, -max), -0.65, 1e-5);
  EXPECT_NEAR(t_of(p.small, max), 0.75, 1e-5);
  EXPECT_EQ(p.small.cells, 1u);
  EXPECT_EQ(p.analog_cells, 1000u);
}

TEST(Plan, SignProtectionDoublesTheScale) {
  const std::vector<float> w = sample_tensor(1000);
  PlanOptions opt;
  const TensorPlan none = plan_tensor(w.data(), nullptr, w.size(), Strategy{}, opt, premapped());
  const TensorPlan sp = plan_tensor(w.data(), nullptr, w.size(), Strategy::parse("sp"), opt, premapped());
  EXPECT_NEAR(sp.small.alpha / none.small.alpha, 2.0, 1e-5);
  EXPECT_NEAR(t_of(sp.small, 0.0), -0.65, 1e-6);
}

TEST(Plan, AdaptiveMappingSplitsAtTheQuantileAndMapsEachClassOntoTheRange) {
  const std::vector<float> w = sample_tensor(1000);
  PlanOptions opt;
  opt.large_fraction = 0.05;
  const TensorPlan p = plan_tensor(w.data(), nullptr, w.size(), Strategy::parse("sp+am"), opt, premapped());
  std::size_t large = 0;
  double max = 0.0;
  for (float v : w) {
    large += std::fabs(v) >= p.threshold;
    max = std::max(max, std::fabs(double(v)));
  }
  EXPECT_EQ(large, 50u);
  EXPECT_EQ(p.large_weights, 50u);
  EXPECT_NEAR(t_of(p.small, 0.0), -0.65, 1e-6);
  EXPECT_NEAR(t_of(p.small, p.threshold), 0.75, 1e-5);
  EXPECT_NEAR(t_of(p.large, p.threshold), -0.65, 1e-5);
  EXPECT_NEAR(t_of(p.large, max), 0.75, 1e-5);
  // the small class (95% of the weights) gets a much finer scale than SP alone
  const TensorPlan sp = plan_tensor(w.data(), nullptr, w.size(), Strategy::parse("sp"), opt, premapped());
  EXPECT_GT(p.small.alpha, 2.0f * sp.small.alpha);
}

TEST(Plan, AdaptiveRedundancySpendsTheBudgetOnLargeWeights) {
  const std::vector<float> w = sample_tensor(1000);
  PlanOptions opt;
  opt.large_fraction = 0.01;
  opt.cells = 1.0;
  TensorPlan p = plan_tensor(w.data(), nullptr, w.size(), Strategy::parse("sp+am+ar"), opt, premapped());
  EXPECT_EQ(p.small.cells, 1u);
  EXPECT_EQ(p.large.cells, opt.boost);  // at least `boost` times
  EXPECT_EQ(p.analog_cells, 990u + 10u * opt.boost);
  opt.cells = 1.5;  // 500 spare cells over 10 large weights
  p = plan_tensor(w.data(), nullptr, w.size(), Strategy::parse("sp+am+ar"), opt, premapped());
  EXPECT_EQ(p.large.cells, 51u);
  EXPECT_EQ(p.analog_cells, 990u + 510u);
}

TEST(Plan, SensitiveWeightsGetTheBoostedCount) {
  const std::vector<float> w = sample_tensor(100);
  std::vector<uint8_t> sens(100, 0);
  sens[3] = sens[40] = 1;
  PlanOptions opt;
  opt.cells = 2.0;
  const TensorPlan p = plan_tensor(w.data(), sens.data(), w.size(), Strategy::parse("sp+sens"), opt, premapped());
  EXPECT_EQ(p.sensitive_weights, 2u);
  EXPECT_EQ(p.cells_sens, 8u);
  EXPECT_EQ(p.cells_of(w[3], true), 8u);
  EXPECT_EQ(p.cells_of(w[4], false), 2u);
  EXPECT_EQ(p.analog_cells, 98u * 2 + 2u * 8);
}

TEST(Plan, ImpossibleBudgetsAndBadWeightsAreRefused) {
  const std::vector<float> w = sample_tensor(10);
  PlanOptions opt;
  opt.cells = 0.5;
  EXPECT_THROW(plan_tensor(w.data(), nullptr, w.size(), Strategy{}, opt, premapped()), std::invalid_argument);
  opt.cells = 2000;
  EXPECT_THROW(plan_tensor(w.data(), nullptr, w.size(), Strategy{}, opt, premapped()), std::invalid_argument);
  opt.cells = 1.5;  // fractional without ar or sens
  EXPECT_THROW(plan_tensor(w.data(), nullptr, w.size(), Strategy::parse("sp+am"), opt, premapped()),
               std::invalid_argument);
  opt.cells = 1.0;
  std::vector<float> bad = w;
  bad[7] = std::numeric_limits<float>::quiet_NaN();
  try {
    plan_tensor(bad.data(), nullptr, bad.size(), Strategy{}, opt, premapped());
    FAIL() << "NaN accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("weight 7 is NaN"), std::string::npos) << e.what();
  }
}

TEST(Plan, LegalRegistersForExtremeTensors) {
  // All zeros, a single huge weight, a tiny tensor: every register value must
  // be one the controller accepts (|beta| <= 4, alpha a positive normal).
  const std::vector<std::vector<float>> cases = {
      std::vector<float>(50, 0.0f), {1e-30f, -2e-30f, 0.0f}, {1000.0f, 1e-3f, -1e-3f, 0.5f}, {0.25f}};
  for (const auto& w : cases) {
    for (const char* s : {"none", "sp", "sp+am", "am+ar", "sp+am+ar"}) {
      const TensorPlan p = plan_tensor(w.data(), nullptr, w.size(), Strategy::parse(s), PlanOptions{}, premapped());
      for (const ClassMap* c : {&p.small, &p.large}) {
        EXPECT_TRUE(std::isnormal(c->alpha)) << s;
        EXPECT_LE(std::fabs(c->beta), 4.0) << s;
      }
    }
  }
}

TEST(Plan, RegistersEncodeTheControlWordRangeAndLut) {
  const std::vector<float> w = sample_tensor(64);
  const TensorPlan p = plan_tensor(w.data(), nullptr, w.size(), Strategy::parse("sp+ar"), PlanOptions{}, premapped());
  bool saw_ctrl = false, saw_range = false, saw_knot = false;
  for (const auto& [addr, value] : p.registers()) {
    if (addr == regs::ctrl::kOffset) {
      saw_ctrl = true;
      EXPECT_EQ(value, 0b0101u);
    }
    if (addr == regs::range::kOffset) {
      saw_range = true;
      EXPECT_EQ(static_cast<int16_t>(value & 0xFFFF), static_cast<int16_t>(std::ceil(-0.65 * 16384)));
      EXPECT_EQ(static_cast<int16_t>(value >> 16), static_cast<int16_t>(std::floor(0.75 * 16384)));
    }
    if (addr == regs::lut::kOffset + 4 * 32) {
      saw_knot = true;
      EXPECT_EQ(value, 1u << 20);  // identity: h(1) = 1 in Q11.20
    }
  }
  EXPECT_TRUE(saw_ctrl && saw_range && saw_knot);
}

// With a noiseless channel the functional model returns every weight within
// half a DAC step (plus rounding) of the float reference, for every strategy.
TEST(Engines, ModelAgreesWithIdealWithinOneDacStepWhenNoiseless) {
  const ChannelSetup channel = make_channel("awgn:0");
  std::vector<float> w = sample_tensor(3000);
  std::vector<uint8_t> sens(w.size(), 0);
  for (std::size_t i = 0; i < w.size(); i += 97) sens[i] = 1;
  for (const char* s : {"none", "sp", "sp+am", "am+ar", "sp+am+ar+sens"}) {
    PlanOptions opt;
    opt.cells = 2.0;
    const TensorPlan p = plan_tensor(w.data(), sens.data(), w.size(), Strategy::parse(s), opt, channel.map);
    std::vector<float> model_out(w.size()), ideal_out(w.size());
    EngineOptions eo;
    eo.engine = "model";
    auto model = make_engine(eo, channel);
    eo.engine = "ideal";
    auto ideal = make_engine(eo, channel);
    model->begin(5);
    ideal->begin(5);
    const Regions r{100, 7, 5000};
    const TensorCounters cm = model->store(p, r, w.data(), sens.data(), w.size(), model_out.data());
    const TensorCounters ci = ideal->store(p, r, w.data(), sens.data(), w.size(), ideal_out.data());
    EXPECT_EQ(cm.cells_written, p.analog_cells) << s;
    EXPECT_EQ(ci.cells_written, p.analog_cells) << s;
    EXPECT_EQ(cm.dir_written, ci.dir_written) << s;
    EXPECT_EQ(cm.meta_written, ci.meta_written) << s;
    for (std::size_t i = 0; i < w.size(); ++i) {
      const bool large = (p.strategy.am) && std::fabs(w[i]) >= p.threshold;
      const double step = std::ldexp(1.0, -15) / (large ? p.large.alpha : p.small.alpha);
      ASSERT_NEAR(ideal_out[i], w[i], 1e-6 * std::fabs(w[i]) + 1e-9) << s << " weight " << i;
      ASSERT_NEAR(model_out[i], w[i], 0.6 * step + 1e-6 * std::fabs(w[i])) << s << " weight " << i;
    }
  }
}

// The layout `pcmsim run` uses: analog regions back to back (plus reference
// cells), each tensor's metadata starting a row half the banks away from its
// cells' first row (same bank with 2 banks), directory right after it, and
// no digital region overlapping the one before.
TEST(ModelLayout, MetadataStartsARowHalfTheBanksAwayFromTheCells) {
  const ChannelSetup channel = make_channel("default");
  const Strategy s = Strategy::parse("sp+am");
  PlanOptions opt;
  const std::vector<std::size_t> sizes = {37, 1000, 5, 333, 4096};
  for (const uint32_t banks : {1u, 2u, 3u, 4u, 8u}) {
    for (const uint32_t lanes : {1u, 4u, 7u}) {
      model::ArrayTiming a;
      a.banks = banks;
      a.lanes = lanes;
      ModelLayout layout(s, opt, channel.map, 3, a);
      uint64_t analog = 0, digital_end = 0;
      for (const std::size_t n : sizes) {
        const std::vector<float> w = sample_tensor(n);
        const PlacedTensor t = layout.add("t", w.data(), nullptr, n);
        const Regions& r = t.regions;
        const std::string at = "banks " + std::to_string(banks) + " lanes " + std::to_string(lanes) + " n " +
                               std::to_string(n);
        EXPECT_EQ(r.analog_base, analog) << at;
        EXPECT_EQ(r.ref_base, analog + t.plan.analog_cells) << at;
        analog += t.plan.analog_cells + 3;
        EXPECT_EQ(r.meta_base % lanes, 0u) << at;
        EXPECT_GE(r.meta_base, digital_end) << at;
        EXPECT_LT(r.meta_base, digital_end + uint64_t{lanes} * banks + lanes) << at;  // no more than a bank round lost
        const uint64_t cell_bank = (r.analog_base / lanes) % banks;
        const uint64_t meta_bank = (r.meta_base / lanes) % banks;
        EXPECT_EQ(meta_bank, (cell_bank + (banks >= 3 ? banks / 2 : 0)) % banks) << at;
        EXPECT_EQ(r.dir_base, r.meta_base + n) << at;
        digital_end = r.dir_base + (n >> opt.dir_log2) + 1;
      }
      EXPECT_EQ(layout.analog_cells(), analog);
    }
  }
  model::ArrayTiming bad;
  bad.banks = 0;
  try {
    ModelLayout l(s, opt, channel.map, 0, bad);
    FAIL() << "banks 0 was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("banks"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pcm::sw
