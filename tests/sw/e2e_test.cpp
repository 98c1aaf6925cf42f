// `pcmsim e2e` and the differentiable channel it trains through.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "pcm/channel_model/channel.hpp"
#include "pcm/sw/channel_autograd.hpp"
#include "pcm/cli/cli.hpp"
#include "pcm/sw/config_error.hpp"
#include "pcm/sw/e2e.hpp"
#include "pcm/sw/engine.hpp"

namespace pcm::sw {
namespace {
namespace cm = pcm::channel_model;

const std::vector<double> kInputs = {-0.95, -0.81, -0.62, -0.4, -0.1337, 0.0, 0.05, 0.29, 0.5, 0.77, 0.93};

std::vector<ChannelSetup> setups() { return {make_channel("default"), make_channel("awgn:0.1")}; }

torch::Tensor column(const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64); }

TEST(E2eChannelRead, ForwardIsMeanPlusStdTimesThePhiloxNormalAndIsSample) {
  for (const ChannelSetup& s : setups()) {
    const cm::Channel& ch = *s.channel;
    const ChannelKeys keys{42, 1000, 7, cm::Stream::kProgram};
    const torch::Tensor y = channel_read(ch, column(kInputs), keys);
    ASSERT_EQ(y.scalar_type(), torch::kFloat64);
    for (std::size_t k = 0; k < kInputs.size(); ++k) {
      const double x = kInputs[k];
      cm::CellRng rng(keys.key(k));
      const double n = rng.normal();
      const double got = y[static_cast<int64_t>(k)].item<double>();
      EXPECT_NEAR(got, ch.mean(x) + ch.stddev(x) * n, 1e-14) << s.name << " x=" << x;
      EXPECT_EQ(got, ch.sample(x, keys.key(k))) << s.name << " x=" << x;
    }
  }
}

TEST(E2eChannelRead, BackwardIsTheFiniteDifferenceAtFixedNoise) {
  for (const ChannelSetup& s : setups()) {
    const ChannelKeys keys{3, 0, 11, cm::Stream::kProgram};
    torch::Tensor x = column(kInputs).requires_grad_(true);
    const torch::Tensor weights = torch::linspace(0.5, 2.0, static_cast<int64_t>(kInputs.size()), torch::kFloat64);
    (channel_read(*s.channel, x, keys) * weights).sum().backward();
    constexpr double kStep = 1e-6;
    const torch::Tensor up = channel_read(*s.channel, column(kInputs) + kStep, keys);
    const torch::Tensor down = channel_read(*s.channel, column(kInputs) - kStep, keys);
    const torch::Tensor fd = (up - down) / (2 * kStep) * weights;
    for (std::size_t k = 0; k < kInputs.size(); ++k) {
      const auto i = static_cast<int64_t>(k);
      EXPECT_NEAR(x.grad()[i].item<double>(), fd[i].item<double>(), 1e-6) << s.name << " x=" << kInputs[k];
    }
  }
  // Float tensors go through too (computed in double, returned as float).
  const ChannelSetup pcm = make_channel("default");
  torch::Tensor xf = torch::tensor({0.1f, -0.3f}).requires_grad_(true);
  const torch::Tensor yf = channel_read(*pcm.channel, xf, ChannelKeys{});
  EXPECT_EQ(yf.scalar_type(), torch::kFloat32);
  yf.sum().backward();
  EXPECT_TRUE(std::isfinite(xf.grad()[0].item<float>()));
}

TEST(E2eChannelRead, PremapIsHAndItsSlopeIsOneOverMuPrime) {
  const ChannelSetup s = make_channel("default");
  const std::vector<double> t = {-0.6, -0.3, 0.0, 0.2, 0.45, 0.7};
  torch::Tensor tt = column(t).requires_grad_(true);
  const torch::Tensor x = premap(s, tt);
  x.sum().backward();
  for (std::size_t k = 0; k < t.size(); ++k) {
    const auto i = static_cast<int64_t>(k);
    EXPECT_EQ(x[i].item<double>(), s.h(t[k]));
    EXPECT_NEAR(s.channel->mean(x[i].item<double>()), t[k], 1e-10);
    const double fd = (s.h(t[k] + 1e-7) - s.h(t[k] - 1e-7)) / 2e-7;
    EXPECT_NEAR(tt.grad()[i].item<double>(), fd, 1e-4 * std::fabs(fd)) << "t=" << t[k];
  }
}

TEST(E2eStorage, EvaluationReadsAreChannelSampleWithTheStorageKeys) {
  for (const ChannelSetup& s : setups()) {
    const std::vector<double> y = e2e::store_and_read(*s.channel, kInputs, 5, 20, 3);
    const torch::Tensor same = channel_read(*s.channel, column(kInputs), ChannelKeys{5, 20, 3, cm::Stream::kProgram});
    for (std::size_t k = 0; k < kInputs.size(); ++k) {
      EXPECT_EQ(y[k], s.channel->sample(kInputs[k], cm::CellKey{5, 20 + k, 3, cm::Stream::kProgram}));
      EXPECT_EQ(y[k], same[static_cast<int64_t>(k)].item<double>());
    }
    EXPECT_EQ(y, e2e::store_and_read(*s.channel, kInputs, 5, 20, 3));  // a pure function of the keys
    EXPECT_NE(y, e2e::store_and_read(*s.channel, kInputs, 5, 20, 4));  // another draw
  }
}

TEST(E2eMixture, DeterministicPerSeedAndMeansInTheirRanges) {
  const e2e::Mixture a = e2e::make_mixture(e2e::Task::kEasy, 9, 4, 300);
  const e2e::Mixture b = e2e::make_mixture(e2e::Task::kEasy, 9, 4, 300);
  const e2e::Mixture c = e2e::make_mixture(e2e::Task::kEasy, 10, 4, 300);
  EXPECT_EQ(a.train_x, b.train_x);
  EXPECT_EQ(a.test_x, b.test_x);
  EXPECT_EQ(a.mu1, b.mu1);
  EXPECT_NE(a.train_x, c.train_x);
  EXPECT_NE(a.train_x, a.test_x);
  int ones = 0;
  for (uint8_t y : a.train_y) ones += y;
  EXPECT_EQ(ones, 150);
  for (uint32_t d = 0; d < 20; ++d) {
    const e2e::Mixture e = e2e::make_mixture(e2e::Task::kEasy, 1, d, 2);
    const e2e::Mixture h = e2e::make_mixture(e2e::Task::kHard, 1, d, 2);
    for (int i = 0; i < 2; ++i) {
      EXPECT_TRUE(e.mu1[i] >= -1.0 && e.mu1[i] < 0.0);
      EXPECT_TRUE(e.mu2[i] >= 0.0 && e.mu2[i] < 1.0);
      EXPECT_TRUE(h.mu1[i] >= -1.0 && h.mu1[i] < 1.0 && h.mu2[i] >= -1.0 && h.mu2[i] < 1.0);
    }
  }
}

TEST(E2eMixture, LogisticRegressionReachesTheBayesAccuracyAndEasyIsSeparated) {
  double easy = 0.0, hard = 0.0, easy_tight = 0.0;
  constexpr int kSets = 10;
  for (uint32_t d = 0; d < kSets; ++d) {
    const e2e::Mixture m = e2e::make_mixture(e2e::Task::kEasy, 0, d, 4000);
    const e2e::Weights w = e2e::fit_logistic(m.train_x, m.train_y);
    EXPECT_GT(w[0], 0.0);  // mu2 - mu1 has positive coordinates
    EXPECT_GT(w[1], 0.0);
    const double acc = e2e::accuracy(w, m.test_x, m.test_y);
    EXPECT_NEAR(acc, m.bayes_accuracy, 0.03);
    easy += acc / kSets;
    const e2e::Mixture h = e2e::make_mixture(e2e::Task::kHard, 0, d, 4000);
    hard += e2e::accuracy(e2e::fit_logistic(h.train_x, h.train_y), h.test_x, h.test_y) / kSets;
    const e2e::Mixture t = e2e::make_mixture(e2e::Task::kEasy, 0, d, 2000, 0.35);
    easy_tight += e2e::accuracy(e2e::fit_logistic(t.train_x, t.train_y), t.test_x, t.test_y) / kSets;
  }
  // With the paper's unit-variance components the easy task is only about
  // 76% separable on average (Bayes); it beats the hard task, and with
  // std 0.35 a logistic regression exceeds 85%.
  EXPECT_GT(easy, 0.70);
  EXPECT_GT(easy, hard);
  EXPECT_GT(easy_tight, 0.85);
  EXPECT_EQ(e2e::agreement({1, 1, 0}, {2, 2, 0}, {1.0, 0.5, -1.0, -0.2}), 1.0);
}

TEST(E2eCommand, SmallRunIsDeterministicAndWritesJson) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "pcmsim_e2e_test";
  std::filesystem::create_directories(dir);
  auto run = [&](const std::string& name) {
    const std::string path = (dir / name).string();
    std::ostringstream out, err;
    const int rc = cli::run_cli({"e2e", "--task", "both", "--datasets", "6", "--points", "300", "--steps", "200",
                            "--eval-every", "50", "--draws", "2", "--kd-points", "64", "--seed", "3", "--out", path},
                           out, err);
    EXPECT_EQ(rc, 0) << err.str();
    std::ifstream f(path);
    return nlohmann::json::parse(f);
  };
  nlohmann::json a = run("a.json");
  nlohmann::json b = run("b.json");
  for (const char* task : {"easy", "hard"}) {
    for (const char* ch : {"pcm", "gaussian"}) {
      auto& ra = a["tasks"][task]["channels"][ch];
      auto& rb = b["tasks"][task]["channels"][ch];
      EXPECT_EQ(ra["codes"], rb["codes"]);
      EXPECT_EQ(ra["autoencoder_stored"], rb["autoencoder_stored"]);
      EXPECT_EQ(ra["raw_weights"], rb["raw_weights"]);
      EXPECT_EQ(ra["autoencoder_stored"]["accuracy"]["per_classifier"].size(), 6u);
      const double acc = ra["autoencoder_stored"]["accuracy"]["mean"].get<double>();
      EXPECT_TRUE(acc > 0.3 && acc <= 1.0);
    }
  }
  EXPECT_EQ(a["tasks"]["easy"]["channels"]["gaussian"]["channel"], "awgn:0.1");
  std::filesystem::remove_all(dir);
}

TEST(E2eCommand, BadOptionsAreOneLineUsageErrors) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"e2e", "--task", "medium"}, {"e2e", "--gauss-std", "-1"}, {"e2e", "--loss", "l1"},
        {"e2e", "--datasets", "1"}, {"e2e", "--map", "log"}, {"e2e", "--bogus"}}) {
    std::ostringstream out, err;
    EXPECT_EQ(cli::run_cli(args, out, err), 2) << args[1];
    const std::string e = err.str();
    EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 1) << e;
  }
}

TEST(E2eConfig, ValidationNamesTheField) {
  auto field_of = [](e2e::E2eConfig c) {
    try {
      e2e::validate(c);
    } catch (const ConfigError& e) {
      return e.field();
    }
    return std::string("(valid)");
  };
  e2e::E2eConfig c;
  EXPECT_EQ(field_of(c), "(valid)");
  e2e::E2eConfig g = c;
  g.gauss_std = -1.0;
  EXPECT_EQ(field_of(g), "gauss_std");
  e2e::E2eConfig t = c;
  t.task = "medium";
  EXPECT_EQ(field_of(t), "task");
  e2e::E2eConfig k = c;
  k.kd_points = 0;
  EXPECT_EQ(field_of(k), "kd_points");
  EXPECT_EQ(c.seed, kFirstSeed);
}

}  // namespace
}  // namespace pcm::sw
