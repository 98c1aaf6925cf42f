// The RTL platform against the functional model: same registers, same
// channel, same seed -> bit-identical weights and identical counters; array
// timing changes cycles, never bits; errors come back through the TLM path.
//
// One platform per process (SystemC elaborates once): every test uses the
// same one, resetting controller and array first. gtest_discover_tests runs
// each test in a process of its own; run in one process, they still pass.

#include <systemc>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "pcm/channel_model/channel.hpp"
#include "pcm/model/cell_store.hpp"
#include "pcm/model/controller_port.hpp"
#include "pcm/platform/rtl_platform.hpp"
#include "platform_test_util.hpp"

namespace {

using namespace pcm::platform_test;
using pcm::channel_model::AwgnChannel;
using pcm::platform::ArrayTiming;
using pcm::model::CellStore;
using pcm::model::ControllerParams;
using pcm::model::ModelPort;
using pcm::platform::RtlPlatform;
using pcm::platform::RtlPlatformOptions;

std::shared_ptr<const AwgnChannel> channel() {
  static const auto ch = std::make_shared<const AwgnChannel>(0.1);
  return ch;
}

// The process's platform, built on first use and kept to the end.
RtlPlatform& platform() {
  static RtlPlatform* p = [] {
    RtlPlatformOptions opt;
    opt.channel = channel();
    opt.seed = 1;
    return new RtlPlatform(opt);
  }();
  return *p;
}

// A fresh start: controller reset, empty array with `seed`, default timing.
RtlPlatform& fresh(uint64_t seed, const ArrayTiming& timing = {}) {
  RtlPlatform& p = platform();
  p.reset_controller();
  p.reset_array(channel(), seed);
  p.set_timing(timing);
  p.clear_stats();
  return p;
}

struct Outcome {
  std::vector<bool> program_ok;
  std::vector<uint32_t> all;                 // read of every stored weight
  std::vector<std::vector<uint32_t>> parts;  // random-access reads
  std::vector<bool> parts_ok;
  bool past_end_ok = true;
  std::vector<std::pair<bool, uint32_t>> registers;
};

// The host's program for one tensor, the same on every engine.
Outcome run(ControllerPort& port, const TensorConfig& cfg, const Tensor& t) {
  Outcome o;
  o.program_ok = program(port, cfg);
  port.write_weights(t.bits.data(), t.sens.data(), t.bits.size());
  const uint32_t n = port.read_reg(regs::num_weights::kOffset).data;
  o.all.assign(n, 0xDEADBEEFu);
  EXPECT_TRUE(port.read_weights(0, n, o.all.data()));
  const uint32_t windows[][2] = {{n / 3, 17}, {n - 5, 5}, {1, 1}, {n / 2 + 3, 200}};
  for (const auto& w : windows) {
    std::vector<uint32_t> part(w[1], 0xDEADBEEFu);
    o.parts_ok.push_back(port.read_weights(w[0], w[1], part.data()));
    o.parts.push_back(part);
  }
  uint32_t sink[4] = {};
  o.past_end_ok = port.read_weights(n - 2, 4, sink);
  for (uint32_t addr : readable_registers()) {
    const BusResult r = port.read_reg(addr);
    o.registers.emplace_back(r.ok, r.data);
  }
  return o;
}

void expect_same(const Outcome& rtl, const Outcome& model, const std::string& what) {
  EXPECT_EQ(rtl.program_ok, model.program_ok) << what;
  ASSERT_EQ(rtl.all.size(), model.all.size()) << what;
  std::size_t diff = 0;
  for (std::size_t i = 0; i < rtl.all.size(); ++i) {
    if (rtl.all[i] != model.all[i] && ++diff <= 5) {
      ADD_FAILURE() << what << ": weight " << i << " rtl 0x" << std::hex << rtl.all[i] << " model 0x"
                    << model.all[i];
    }
  }
  EXPECT_EQ(diff, 0u) << what;
  EXPECT_EQ(rtl.parts, model.parts) << what;
  EXPECT_EQ(rtl.parts_ok, model.parts_ok) << what;
  EXPECT_EQ(rtl.past_end_ok, model.past_end_ok) << what;
  const std::vector<uint32_t> addrs = readable_registers();
  for (std::size_t i = 0; i < addrs.size(); ++i) {
    EXPECT_EQ(rtl.registers[i], model.registers[i]) << what << ": register 0x" << std::hex << addrs[i];
  }
}

TEST(RtlPlatform, SameWeightsAndCountersAsTheFunctionalModelOverConfigurations) {
  std::vector<TensorConfig> cfgs;
  for (uint32_t ctrl = 0; ctrl < 16; ++ctrl) {
    TensorConfig c = varied_config(ctrl);
    if (ctrl % 4 == 1) {
      c.lo = -0.65;
      c.hi = 0.75;
    }
    cfgs.push_back(c);
  }
  for (std::size_t k = 0; k < cfgs.size(); ++k) {
    const uint64_t seed = 100 + k;
    const Tensor t = random_tensor(5000, cfgs[k].wmax, seed);
    RtlPlatform& rtl = fresh(seed);
    CellStore store(channel(), seed);
    ModelPort model(ControllerParams{}, store);
    const Outcome a = run(rtl, cfgs[k], t);
    const Outcome b = run(model, cfgs[k], t);
    expect_same(a, b, "configuration " + std::to_string(k));
    // a meaningful comparison: every register write legal, the weights varied
    EXPECT_TRUE(std::all_of(a.program_ok.begin(), a.program_ok.end(), [](bool ok) { return ok; }));
    const std::set<uint32_t> distinct(a.all.begin(), a.all.end());
    EXPECT_GT(distinct.size(), a.all.size() / 4) << "configuration " << k;
    EXPECT_EQ(rtl.store().stats().analog_writes, store.stats().analog_writes);
    EXPECT_EQ(rtl.store().stats().analog_reads, store.stats().analog_reads);
    EXPECT_EQ(rtl.store().stats().digital_writes, store.stats().digital_writes);
    EXPECT_EQ(rtl.store().stats().digital_reads, store.stats().digital_reads);
    if (HasFailure()) break;
  }
}

TEST(RtlPlatform, ArrayTimingChangesCyclesNotBits) {
  TensorConfig cfg;
  cfg.ctrl = 0xF;
  cfg.cells_small = 2;
  cfg.cells_large = 5;
  cfg.cells_sens = 3;
  cfg.dir_log2 = 4;
  cfg.analog_base = 3;  // rows straddle the lane groups
  const Tensor t = random_tensor(3000, cfg.wmax, 7, false);
  struct Variant {
    ArrayTiming timing;
    uint64_t write_cycles = 0, read_cycles = 0, stalls = 0;
    std::vector<uint32_t> bits;
  };
  const ArrayTiming timings[] = {
      {4, 4, 1, 1, 4},  // 0: one access per clock per bank
      {1, 4, 1, 1, 4},  // 1: one bank
      {1, 4, 7, 7, 4},  // 2: one bank, slow cells
      {4, 4, 7, 7, 1},  // 3: slow cells, one read in flight
      {4, 1, 3, 5, 2},  // 4: one cell per access
      {8, 2, 1, 7, 8},  // 5: many banks, slow reads, deep queue
  };
  std::vector<Variant> v(std::size(timings));
  for (std::size_t i = 0; i < v.size(); ++i) v[i].timing = timings[i];
  for (Variant& x : v) {
    RtlPlatform& p = fresh(42, x.timing);
    ASSERT_EQ(p.timing().to_string(), x.timing.to_string());
    const std::vector<bool> ok = program(p, cfg);
    ASSERT_TRUE(std::all_of(ok.begin(), ok.end(), [](bool b) { return b; }));
    const uint64_t c0 = p.stats().cycles;
    p.write_weights(t.bits.data(), t.sens.data(), t.bits.size());
    const uint64_t c1 = p.stats().cycles;
    x.bits.assign(t.bits.size(), 0);
    ASSERT_TRUE(p.read_weights(0, static_cast<uint32_t>(t.bits.size()), x.bits.data()));
    x.write_cycles = c1 - c0;
    x.read_cycles = p.stats().cycles - c1;
    x.stalls = p.stats().array.stall_cycles;
    std::printf("[ timing  ] %-45s write %7llu cycles, read %7llu cycles, stalls %7llu, mean bank use %.2f\n",
                x.timing.to_string().c_str(), static_cast<unsigned long long>(x.write_cycles),
                static_cast<unsigned long long>(x.read_cycles), static_cast<unsigned long long>(x.stalls),
                p.stats().array.mean_bank_utilisation());
  }
  for (std::size_t i = 1; i < v.size(); ++i) EXPECT_EQ(v[i].bits, v[0].bits) << v[i].timing.to_string();
  // more latency on the same bank, more cycles, both ways
  EXPECT_GT(v[2].write_cycles, v[1].write_cycles);
  EXPECT_GT(v[2].read_cycles, v[1].read_cycles);
  EXPECT_GT(v[2].stalls, v[1].stalls);
  // a one-deep response queue with slow reads is slower to read than the fast array
  EXPECT_GT(v[3].read_cycles, v[0].read_cycles);
  fresh(1);
}

TEST(RtlPlatform, IllegalRegisterWriteIsRefusedThroughTlm) {
  RtlPlatform& p = fresh(3);
  const uint32_t before = p.read_reg(regs::cells_small::kOffset).data;
  EXPECT_FALSE(p.write_reg(regs::cells_small::kOffset, 0).ok);
  EXPECT_FALSE(p.write_reg(regs::cells_small::kOffset, regs::kMaxCells + 1u).ok);
  EXPECT_FALSE(p.write_reg(regs::weights_written::kOffset, 1).ok);  // read-only
  EXPECT_FALSE(p.write_reg(0x0FC, 1).ok);                           // unmapped
  EXPECT_FALSE(p.read_reg(0x0F8).ok);
  EXPECT_FALSE(p.write_reg(0x1000, 1).ok);  // past the 4 KiB register space: never reaches the pins
  EXPECT_EQ(p.read_reg(regs::cells_small::kOffset).data, before);
  EXPECT_EQ(p.read_reg(regs::err_count::kOffset).data, 5u);
  EXPECT_TRUE(regs::status::kBusErr.get(p.read_reg(regs::status::kOffset).data));
  EXPECT_TRUE(p.write_reg(regs::cells_small::kOffset, 4).ok);
  EXPECT_EQ(p.read_reg(regs::cells_small::kOffset).data, 4u);
  EXPECT_EQ(p.stats().apb_errors, 5u);
}

TEST(RtlPlatform, ReadPastTheStoredWeightsReturnsFalseAndLeavesTheBufferAlone) {
  RtlPlatform& p = fresh(4);
  TensorConfig cfg;
  cfg.ctrl = 0x5;
  cfg.cells_large = 3;
  program(p, cfg);
  const Tensor t = random_tensor(100, cfg.wmax, 4, false);
  p.write_weights(t.bits.data(), t.sens.data(), t.bits.size());
  ASSERT_EQ(p.read_reg(regs::num_weights::kOffset).data, 100u);
  std::vector<uint32_t> buf(10, 0xA5A5A5A5u);
  EXPECT_FALSE(p.read_weights(95, 10, buf.data()));
  EXPECT_FALSE(p.read_weights(100, 1, buf.data()));
  EXPECT_FALSE(p.read_weights(0, 0, nullptr));
  EXPECT_TRUE(std::all_of(buf.begin(), buf.end(), [](uint32_t w) { return w == 0xA5A5A5A5u; }));
  EXPECT_TRUE(regs::status::kRdErr.get(p.read_reg(regs::status::kOffset).data));
  EXPECT_EQ(p.read_reg(regs::err_count::kOffset).data, 3u);
  EXPECT_TRUE(p.read_weights(99, 1, buf.data()));
  EXPECT_NE(buf[0], 0xA5A5A5A5u);
}

TEST(RtlPlatform, StatisticsAgreeWithTheControllerCounters) {
  RtlPlatform& p = fresh(5, ArrayTiming{2, 4, 2, 3, 2});
  TensorConfig cfg;
  cfg.ctrl = 0xB;  // SP, AM, SENS
  cfg.cells_small = 2;
  cfg.cells_sens = 4;
  program(p, cfg);
  const Tensor t = random_tensor(2000, cfg.wmax, 5);
  p.write_weights(t.bits.data(), t.sens.data(), t.bits.size());
  const uint32_t n = p.read_reg(regs::num_weights::kOffset).data;
  std::vector<uint32_t> out(n);
  ASSERT_TRUE(p.read_weights(0, n, out.data()));
  auto reg = [&](uint32_t a) { return p.read_reg(a).data; };
  const auto s = p.stats();
  EXPECT_EQ(s.weights_written, t.bits.size());
  EXPECT_EQ(s.weights_read, n);
  EXPECT_EQ(s.array.analog_cells_written, reg(regs::cells_written::kOffset));
  EXPECT_EQ(s.array.analog_cells_read, reg(regs::cells_read::kOffset));
  EXPECT_EQ(s.array.digital_words_written, reg(regs::meta_written::kOffset) + reg(regs::dir_written::kOffset));
  EXPECT_EQ(s.array.digital_words_read, reg(regs::meta_read::kOffset) + reg(regs::dir_read::kOffset));
  EXPECT_EQ(s.array.requests, s.array.write_requests + s.array.read_requests);
  EXPECT_EQ(s.array.cycles, s.cycles);
  EXPECT_GT(s.cycles, t.bits.size());
  EXPECT_GT(s.wall_seconds, 0.0);
  EXPECT_GT(s.transactions, 2u);
  ASSERT_EQ(s.array.bank_busy_cycles.size(), 2u);
  for (std::size_t b = 0; b < 2; ++b) {
    EXPECT_GT(s.array.bank_utilisation(b), 0.0);
    EXPECT_LE(s.array.bank_utilisation(b), 1.0);
  }
  EXPECT_NEAR(s.simulated_seconds, static_cast<double>(s.cycles) * 1e-9, 1e-12);
  p.clear_stats();
  EXPECT_EQ(p.stats().cycles, 0u);
  EXPECT_EQ(p.stats().array.requests, 0u);
}

TEST(RtlPlatform, MisuseThrowsOneLineErrors) {
  RtlPlatform& p = fresh(6);
  try {
    RtlPlatform second;
    FAIL() << "a second platform was built";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("only one per process"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
  }
  // bad options are refused before anything is built
  RtlPlatformOptions bad;
  bad.trace_path = "/nonexistent-directory/trace.fst";
  EXPECT_THROW(RtlPlatform{bad}, std::invalid_argument);
  bad = RtlPlatformOptions{};
  bad.clock_period_ps = 999;
  EXPECT_THROW(RtlPlatform{bad}, std::invalid_argument);
  EXPECT_THROW(p.read_weights(0, 3, nullptr), std::invalid_argument);
  EXPECT_THROW(p.write_weights(nullptr, nullptr, 3), std::invalid_argument);
  EXPECT_THROW(p.set_timing(ArrayTiming{0, 4, 1, 1, 4}), std::invalid_argument);
  EXPECT_THROW(p.set_timing(ArrayTiming{4, 4, 1, 0, 4}), std::invalid_argument);
  EXPECT_THROW(p.set_timing(ArrayTiming{4, 4, 1, 1, 0}), std::invalid_argument);
  EXPECT_EQ(p.timing().to_string(), ArrayTiming{}.to_string());
  EXPECT_THROW(p.bare_clock_loop_cycles_per_second(0), std::invalid_argument);
  // still usable
  EXPECT_TRUE(p.write_reg(regs::ctrl::kOffset, 1).ok);
  p.write_weights(nullptr, nullptr, 0);  // nothing to do
}

TEST(RtlPlatform, BareClockLoopRunsBesideThePlatformAndLeavesItsStatsAlone) {
  RtlPlatform& p = fresh(8);
  p.idle_cycles(100);
  const auto before = p.stats();
  const double rate = p.bare_clock_loop_cycles_per_second(20000);
  EXPECT_GT(rate, 0.0);
  EXPECT_EQ(p.stats().cycles, before.cycles);
  EXPECT_EQ(p.stats().array.cycles, before.array.cycles);
  std::printf("[ yardstk ] bare Verilated-SystemC clock loop: %.0f cycles/s\n", rate);
  // and the platform still works
  EXPECT_TRUE(p.write_reg(regs::cells_small::kOffset, 2).ok);
  EXPECT_EQ(p.read_reg(regs::cells_small::kOffset).data, 2u);
}

TEST(RtlPlatform, NoiselessStoreGivesTheNoiselessRoundTrip) {
  RtlPlatform& p = platform();
  p.reset_controller();
  p.reset_array(nullptr, 0);
  p.set_timing(ArrayTiming{});
  TensorConfig cfg;  // no strategy, one cell, [-0.5, 0.5] onto [-1, 1] at 16 bits
  program(p, cfg);
  std::vector<uint32_t> w;
  for (int i = 0; i < 200; ++i) w.push_back(f2b(-0.49f + 0.0049f * static_cast<float>(i)));
  std::vector<uint8_t> s(w.size(), 0);
  p.write_weights(w.data(), s.data(), w.size());
  std::vector<uint32_t> out(w.size());
  ASSERT_TRUE(p.read_weights(0, static_cast<uint32_t>(w.size()), out.data()));
  const double lsb = std::ldexp(1.0, -15) * 0.5;  // one DAC step in weight units (alpha = 2)
  for (std::size_t i = 0; i < w.size(); ++i) {
    float a, b;
    std::memcpy(&a, &w[i], 4);
    std::memcpy(&b, &out[i], 4);
    EXPECT_LE(std::fabs(static_cast<double>(a) - b), lsb) << i;
  }
  EXPECT_EQ(p.store().stats().unwritten_reads, 0u);
}

}  // namespace
