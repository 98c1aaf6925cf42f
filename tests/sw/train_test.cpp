// `pcmsim train`: the training-time weight noise is the storage channel's
// noise (weight_noise.hpp), the same bits `pcmsim run` stores a model with,
// and statistically the pre-mapped channel's noise sigma(t, r) / alpha.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "pcm/channel_model/channel.hpp"
#include "pcm/model/codec.hpp"
#include "pcm/cli/cli.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/plan.hpp"
#include "pcm/sw/weight_noise.hpp"

namespace pcm::sw {
namespace {

namespace cm = pcm::channel_model;

// Laplace weights (scale b), from a fixed generator: a trained layer's shape.
std::vector<float> laplace(std::size_t n, double b, uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<float> w(n);
  for (float& v : w) {
    const double u = (static_cast<double>(gen() >> 11) + 0.5) * 0x1.0p-53 - 0.5;  // (-0.5, 0.5)
    v = static_cast<float>(-b * std::copysign(std::log1p(-2.0 * std::fabs(u)), u));
  }
  return w;
}

struct TwoTensors {
  std::vector<float> a = laplace(12000, 0.05, 1);
  std::vector<float> b = laplace(8000, 0.02, 2);
  std::vector<WeightSpan> spans() const {
    return {{"a", a.data(), a.size(), nullptr}, {"b", b.data(), b.size(), nullptr}};
  }
  const std::vector<float>& operator[](std::size_t k) const { return k == 0 ? a : b; }
};

EngineOptions model_engine() {
  EngineOptions e;
  e.engine = "model";
  return e;
}

uint32_t bits_of(float f) {
  uint32_t u = 0;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

struct Config {
  const char* channel;
  const char* strategy;
  double cells;
};
// How gtest (and so ctest's discovered names) shows a Config.
void PrintTo(const Config& c, std::ostream* os) {
  *os << c.channel << " " << c.strategy << " cells " << c.cells;
}

std::string config_name(const ::testing::TestParamInfo<Config>& info) {
  std::string name = std::string(info.param.channel) + "_" + info.param.strategy + "_" +
                     std::to_string(static_cast<int>(info.param.cells * 10.0)) + "decicells";
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

class TrainNoiseSameAsStorage : public ::testing::TestWithParam<Config> {};

// What `pcmsim run --engine model` does with a model of two tensors: plan
// each, consecutive analog regions, metadata then directory per tensor in the
// digital space, one array keyed by the seed. The deltas must be read_back - w
// of exactly that, bit for bit.
TEST_P(TrainNoiseSameAsStorage, DeltasAreReadBackMinusWeightsBitForBit) {
  const Config c = GetParam();
  const ChannelSetup ch = make_channel(c.channel);
  const Strategy s = Strategy::parse(c.strategy);
  PlanOptions opt;
  opt.cells = c.cells;
  const TwoTensors w;
  const uint64_t seed = 12345;

  WeightNoise noise(s, opt, ch);
  const std::vector<std::vector<float>> d = noise.deltas(w.spans(), seed);
  ASSERT_EQ(d.size(), 2u);

  std::unique_ptr<Engine> engine = make_engine(model_engine(), ch);
  engine->begin(seed);
  uint64_t analog = 0;
  uint64_t digital = 0;
  std::size_t differing = 0;
  for (std::size_t k = 0; k < 2; ++k) {
    const std::vector<float>& t = w[k];
    const std::size_t n = t.size();
    const TensorPlan plan = plan_tensor(t.data(), nullptr, n, s, opt, ch.map);
    Regions r;
    r.analog_base = static_cast<uint32_t>(analog);
    r.meta_base = static_cast<uint32_t>(digital);
    r.dir_base = static_cast<uint32_t>(digital + n);
    std::vector<float> back(n);
    engine->store(plan, r, t.data(), nullptr, n, back.data());
    analog += plan.analog_cells;
    digital += n + (n >> opt.dir_log2) + 1;
    ASSERT_EQ(d[k].size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      const float expect = back[i] - t[i];
      if (bits_of(expect) != bits_of(d[k][i])) ++differing;
    }
    EXPECT_EQ(noise.last_layout()[k].plan.analog_cells, plan.analog_cells);
  }
  EXPECT_EQ(differing, 0u) << "deltas differ from the model engine's storage";
  EXPECT_EQ(noise.last_counters().weights_written, 20000u);
}

INSTANTIATE_TEST_SUITE_P(Strategies, TrainNoiseSameAsStorage,
                         ::testing::Values(Config{"default", "sp+am", 1.0}, Config{"default", "sp+am", 2.0},
                                           Config{"default", "sp+am+ar", 1.5},
                                           Config{"awgn:0.1", "none", 1.0}),
                         config_name);

TEST(TrainNoise, SameSeedSameDeltasOtherSeedOtherDeltas) {
  const ChannelSetup ch = make_channel("default");
  PlanOptions opt;
  WeightNoise noise(Strategy::parse("sp+am"), opt, ch);
  const TwoTensors w;
  const auto d1 = noise.deltas(w.spans(), WeightNoise::step_seed(0, 7));
  const auto again = noise.deltas(w.spans(), WeightNoise::step_seed(0, 7));
  const auto d2 = noise.deltas(w.spans(), WeightNoise::step_seed(0, 8));
  EXPECT_EQ(d1, again);
  std::size_t same = 0;
  std::size_t total = 0;
  for (std::size_t k = 0; k < 2; ++k) {
    for (std::size_t i = 0; i < d1[k].size(); ++i) {
      // Under SP a read-out below the range decodes to 0 (delta = -w) whatever the seed.
      if (d1[k][i] == -w[k][i]) continue;
      same += d1[k][i] == d2[k][i];
      ++total;
    }
  }
  EXPECT_GT(total, 15000u);
  EXPECT_LT(same, total / 1000) << "consecutive steps should draw fresh noise";
  // Training seeds stay clear of the small seeds `pcmsim run` evaluates with.
  EXPECT_GE(WeightNoise::step_seed(0, 0), uint64_t{1} << 62);
  EXPECT_NE(WeightNoise::step_seed(1, 0), WeightNoise::step_seed(0, 1));
}

// Statistics: group the small-class weights by their pre-mapped input t; in
// each group delta * alpha (sign-corrected under SP) has mean ~0 and the
// pre-mapped channel's std sigma(t, r), within 4 standard errors plus the
// deterministic error of the controller's LUT and DAC (mu(x_dac) - t, computed
// from the codec for every weight) and the ADC step.
class TrainNoiseStatistics : public ::testing::TestWithParam<Config> {};

TEST_P(TrainNoiseStatistics, MatchesThePreMappedChannel) {
  const Config c = GetParam();
  const ChannelSetup ch = make_channel(c.channel);
  const Strategy s = Strategy::parse(c.strategy);
  PlanOptions opt;
  opt.cells = c.cells;
  const auto r = static_cast<unsigned>(c.cells);
  const TwoTensors w;
  WeightNoise noise(s, opt, ch);
  const auto d = noise.deltas(w.spans(), 99);

  const auto* table = dynamic_cast<const cm::TableChannel*>(ch.channel.get());
  std::unique_ptr<cm::PreMapping> pre;
  if (table != nullptr) pre = std::make_unique<cm::PreMapping>(*table);
  auto sigma_pre = [&](double t) {
    return pre ? pre->sigma(t, r) : ch.channel->stddev(t) / std::sqrt(static_cast<double>(r));
  };

  constexpr int kBins = 6;
  struct Bin {
    std::vector<double> residual;
    double sigma2 = 0.0;     // sum of sigma_pre(t)^2
    double max_bias = 0.0;   // max |mu(x_dac) - t|
    double max_sdiff = 0.0;  // max |std(x_dac)/sqrt(r) - sigma_pre(t)|
  };
  std::vector<Bin> bins(kBins);
  const double lo = ch.map.t_lo;
  const double hi = ch.map.t_hi;
  // Read-outs are clamped where the decoder clamps (SP: m >= 0, i.e. y >= t_lo)
  // and where the ADC saturates (|y| <= 1): weights within 4.5 sigma of either
  // are left out (a clamp there moves the mean by < 1e-6 sigma).
  const double clamp_lo = s.sp ? lo : -1.0;
  for (std::size_t k = 0; k < 2; ++k) {
    const TensorPlan& plan = noise.last_layout()[k].plan;
    const model::CodecConfig cfg = plan.codec();
    for (std::size_t i = 0; i < w[k].size(); ++i) {
      const float wi = w[k][i];
      if (s.am && std::fabs(wi) >= plan.threshold) continue;  // small class only
      const double m = s.sp ? std::fabs(static_cast<double>(wi)) : static_cast<double>(wi);
      const double t = static_cast<double>(plan.small.alpha) * m - plan.small.beta;
      const double sp = sigma_pre(t);
      if (t - 4.5 * sp < clamp_lo || t + 4.5 * sp > 1.0) continue;  // read-outs may be clamped
      const int b = std::clamp(static_cast<int>((t - lo) / (hi - lo) * kBins), 0, kBins - 1);
      const double sign = s.sp && wi < 0.0f ? -1.0 : 1.0;
      bins[static_cast<std::size_t>(b)].residual.push_back(sign * static_cast<double>(d[k][i]) *
                                                            static_cast<double>(plan.small.alpha));
      const model::Encoded e = model::encode(cfg, bits_of(wi), false);
      const double x = std::ldexp(static_cast<double>(e.code), -(plan.dac_bits - 1));
      Bin& bin = bins[static_cast<std::size_t>(b)];
      bin.sigma2 += sp * sp;
      bin.max_bias = std::max(bin.max_bias, std::fabs(ch.channel->mean(x) - t));
      bin.max_sdiff = std::max(bin.max_sdiff, std::fabs(ch.channel->stddev(x) / std::sqrt(double(r)) - sp));
    }
  }
  const double adc_step = std::ldexp(1.0, -(opt.adc_bits - 1));
  int checked = 0;
  for (int b = 0; b < kBins; ++b) {
    const Bin& bin = bins[static_cast<std::size_t>(b)];
    const auto n = static_cast<double>(bin.residual.size());
    const double edge_lo = lo + (hi - lo) * b / kBins;
    const double edge_hi = lo + (hi - lo) * (b + 1) / kBins;
    if (n < 300) continue;
    const double sigma = std::sqrt(bin.sigma2 / n);
    double mean = 0.0;
    for (double v : bin.residual) mean += v;
    mean /= n;
    double var = 0.0;
    for (double v : bin.residual) var += (v - mean) * (v - mean);
    const double sd = std::sqrt(var / (n - 1.0));
    const double allowance = bin.max_bias + adc_step;
    EXPECT_LT(allowance, 0.25 * sigma) << "the deterministic error would swamp the check";
    EXPECT_LT(bin.max_sdiff, 0.03 * sigma) << "sigma(t, r) and the std at the DAC value disagree";
    EXPECT_NEAR(mean, 0.0, 4.0 * sigma / std::sqrt(n) + allowance)
        << "bin t in [" << edge_lo << ", " << edge_hi << "), n " << n;
    EXPECT_NEAR(sd, sigma, 4.0 * sigma * std::sqrt(1.0 / (2.0 * (n - 1.0))) + allowance + bin.max_sdiff)
        << "bin t in [" << edge_lo << ", " << edge_hi << "), n " << n;
    ++checked;
  }
  EXPECT_GE(checked, 3) << "too few bins with enough weights";
}

INSTANTIATE_TEST_SUITE_P(Channels, TrainNoiseStatistics,
                         ::testing::Values(Config{"default", "am", 1.0}, Config{"default", "sp+am", 2.0},
                                           Config{"awgn:0.1", "am", 1.0}, Config{"awgn:0.1", "sp+am", 3.0}),
                         config_name);

TEST(TrainCli, UnknownModeIsAOneLineUsageError) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(cli::run_cli({"train", "--mode", "bogus"}, out, err), 2);
  EXPECT_EQ(err.str(), "pcmsim train: --mode: expected naive, robust or distill, got 'bogus'\n");
}

TEST(TrainCli, BadNumbersAndSensAreUsageErrors) {
  std::ostringstream out;
  std::ostringstream err;
  const std::vector<std::string> base = {"train", "--model", "m.pt", "--data", "d",
                                         "--out",  "o.pt",    "--mode", "distill"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = base;
    a.insert(a.end(), extra.begin(), extra.end());
    err.str("");
    return cli::run_cli(a, out, err);
  };
  EXPECT_EQ(with({"--alpha", "1.5"}), 2);
  EXPECT_NE(err.str().find("--alpha"), std::string::npos) << err.str();
  EXPECT_EQ(with({"--temperature", "0"}), 2);
  EXPECT_EQ(with({"--epochs", "0"}), 2);
  EXPECT_EQ(with({"--lr", "nan"}), 2);
  EXPECT_EQ(with({"--strategy", "sp+am+sens"}), 2);
  EXPECT_NE(err.str().find("sens"), std::string::npos) << err.str();
  EXPECT_EQ(with({"--cells", "1.5"}), 1);  // as `pcmsim run`: an impossible budget is an input error
  EXPECT_NE(err.str().find("not a whole number"), std::string::npos) << err.str();
  EXPECT_EQ(with({"--lr", "abc"}), 2);
  // A missing model file is an input error (exit 1), on one line.
  EXPECT_EQ(with({}), 1);
  EXPECT_NE(err.str().find("m.pt: no such model file"), std::string::npos) << err.str();
  const std::string line = err.str();
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
}

}  // namespace
}  // namespace pcm::sw
