// The model and ideal engines thread over blocks of weights; noise is keyed
// per cell, so the thread count changes nothing: byte-identical weights and
// identical counters for 1 and 2 threads (and 3: blocks of uneven size).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "pcm/sw/engine.hpp"
#include "pcm/sw/plan.hpp"

namespace {

using namespace pcm::sw;

struct Stored {
  std::vector<float> weights;
  TensorCounters counters;
};

Stored store(const std::string& engine, unsigned threads, const ChannelSetup& channel, const EngineOptions& base,
             const std::vector<float>& w, const std::vector<uint8_t>& sens) {
  EngineOptions eo = base;
  eo.engine = engine;
  eo.threads = threads;
  PlanOptions opt;
  opt.cells = 1.5;
  const Strategy strategy = Strategy::parse("sp+am+ar+sens");
  ModelLayout layout(strategy, opt, channel.map, reference_cells(eo), array_timing(eo));
  // two tensors: the second's regions follow the first's
  const std::size_t half = w.size() / 2;
  const PlacedTensor a = layout.add("a", w.data(), sens.data(), half);
  const PlacedTensor b = layout.add("b", w.data() + half, sens.data() + half, w.size() - half);
  auto e = make_engine(eo, channel);
  e->begin(11);
  Stored s;
  s.weights.resize(w.size());
  s.counters += e->store(a.plan, a.regions, w.data(), sens.data(), half, s.weights.data());
  s.counters += e->store(b.plan, b.regions, w.data() + half, sens.data() + half, w.size() - half,
                         s.weights.data() + half);
  return s;
}

void expect_same(const Stored& x, const Stored& y) {
  ASSERT_EQ(x.weights.size(), y.weights.size());
  EXPECT_EQ(std::memcmp(x.weights.data(), y.weights.data(), x.weights.size() * sizeof(float)), 0);
  TensorCounters::fields(x.counters, [&](const char* name, const uint64_t& v) {
    uint64_t other = 0;
    TensorCounters::fields(y.counters, [&](const char* n2, const uint64_t& v2) {
      if (std::string(n2) == name) other = v2;
    });
    EXPECT_EQ(v, other) << name;
  });
}

TEST(EngineThreads, ModelAndIdealGiveTheSameBytesOnOneTwoAndThreeThreads) {
  std::vector<float> w(60'000);
  std::vector<uint8_t> sens(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double u = (static_cast<double>(i) * 0.7548776662466927) - std::floor(static_cast<double>(i) * 0.7548776662466927);
    w[i] = static_cast<float>((i % 2 ? 1.0 : -1.0) * -0.05 * std::log(1.0 - 0.9999 * u));
    sens[i] = i % 50 == 0;
  }
  struct Case {
    std::string channel;
    EngineOptions options;
  };
  std::vector<Case> cases(2);
  cases[0].channel = "default";
  cases[1].channel = "aihwkit-pcm";  // drift, 1/f read noise; verify and drift references on the model
  cases[1].options.time = "1d";
  for (const Case& c : cases) {
    const ChannelSetup channel = make_channel(c.channel);
    for (const std::string engine : {"model", "ideal"}) {
      SCOPED_TRACE(engine + " on " + c.channel);
      EngineOptions eo = c.options;
      if (engine == "model" && c.channel != "default") {
        eo.verify.pulses = 4;
        eo.verify.tol = 300;
        eo.verify.gain = 200;
        eo.drift_refs = 8;
      }
      const Stored one = store(engine, 1, channel, eo, w, sens);
      EXPECT_EQ(one.counters.weights_read, w.size());
      for (const unsigned threads : {2u, 3u}) {
        SCOPED_TRACE(std::to_string(threads) + " threads");
        expect_same(store(engine, threads, channel, eo, w, sens), one);
      }
    }
  }
}

TEST(EngineThreads, ZeroMeansTheCoreCount) {
  EngineOptions eo;
  EXPECT_GE(engine_threads(eo), 1u);
  eo.threads = 3;
  EXPECT_EQ(engine_threads(eo), 3u);
}

}  // namespace
