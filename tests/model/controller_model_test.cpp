#include <cmath>
#include <cstring>
#include <stdexcept>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcm/regs/pcm_ctrl_regs.hpp"
#include "pcm/channel_model/builtin.hpp"
#include "pcm/channel_model/channel.hpp"
#include "pcm/model/cell_array.hpp"
#include "pcm/model/cell_store.hpp"
#include "pcm/model/codec.hpp"
#include "pcm/model/controller_model.hpp"

namespace {

using namespace pcm::model;
namespace regs = pcm::regs;

uint32_t f2b(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
float b2f(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
uint32_t q20(double v) { return static_cast<uint32_t>(static_cast<int32_t>(std::lround(v * (1 << 20)))); }

void program_identity(ControllerModel& m, float alpha, double beta) {
  ASSERT_TRUE(m.write_reg(regs::scale_small::kOffset, f2b(alpha)).ok);
  ASSERT_TRUE(m.write_reg(regs::rscale_small::kOffset, f2b(1.0f / alpha)).ok);
  ASSERT_TRUE(m.write_reg(regs::shift_small::kOffset, q20(beta)).ok);
  ASSERT_TRUE(m.write_reg(regs::scale_large::kOffset, f2b(alpha / 4)).ok);
  ASSERT_TRUE(m.write_reg(regs::rscale_large::kOffset, f2b(4.0f / alpha)).ok);
  ASSERT_TRUE(m.write_reg(regs::shift_large::kOffset, q20(beta)).ok);
  // metadata and directory share the digital space: keep them apart
  ASSERT_TRUE(m.write_reg(regs::dir_base::kOffset, 0x0100'0000).ok);
  for (uint32_t k = 0; k < regs::lut::kEntries; ++k) {
    ASSERT_TRUE(m.write_reg(regs::lut::kOffset + 4 * k, q20(-1.0 + 2.0 * k / 32)).ok);
  }
}

TEST(ControllerModel, IllegalRegisterWritesAreRefusedCountedAndChangeNothing) {
  StandInArray array;
  ControllerModel m(ControllerParams{}, array);
  const struct {
    uint32_t addr, data;
  } bad[] = {
      {regs::cells_small::kOffset, 0},      {regs::cells_large::kOffset, 1025},
      {regs::range::kOffset, 0x2000'3000},  // lo > hi
      {regs::range::kOffset, 0x4001'0000},  // hi > 1
      {regs::scale_small::kOffset, f2b(-1.0f)}, {regs::scale_small::kOffset, 0x7FC00000},
      {regs::threshold::kOffset, f2b(-0.5f)},   {regs::res::kOffset, 0x1011},
      {regs::ctrl::kOffset, 0x10},              {regs::lut::kOffset, q20(1.01)},
      {regs::weights_written::kOffset, 1},      {0x0FC, 1},
  };
  const uint32_t before = m.read_reg(regs::cells_small::kOffset).data;
  for (const auto& b : bad) EXPECT_FALSE(m.write_reg(b.addr, b.data).ok) << std::hex << b.addr;
  EXPECT_EQ(m.read_reg(regs::cells_small::kOffset).data, before);
  EXPECT_EQ(m.read_reg(regs::range::kOffset).data, regs::range::kReset);
  EXPECT_EQ(m.read_reg(regs::err_count::kOffset).data, std::size(bad));
  EXPECT_TRUE(regs::status::kBusErr.get(m.read_reg(regs::status::kOffset).data));
  EXPECT_FALSE(m.read_reg(0x0F8).ok);
  EXPECT_FALSE(m.write_reg(regs::ctrl::kOffset, 1, /*busy=*/true).ok);
}

TEST(ControllerModel, NoiselessRoundTripWithin1LsbForEveryStrategy) {
  for (uint32_t ctrl = 0; ctrl < 16; ++ctrl) {
    StandInArray array;
    ControllerModel m(ControllerParams{}, array);
    const float wmax = 0.37f;
    const bool sp = ctrl & 1u;
    const float alpha = sp ? 2.0f / wmax : 1.0f / wmax;
    program_identity(m, alpha, sp ? 1.0 : 0.0);  // t = alpha * m - beta spans [-1, 1]
    ASSERT_TRUE(m.write_reg(regs::ctrl::kOffset, ctrl).ok);
    ASSERT_TRUE(m.write_reg(regs::threshold::kOffset, f2b(2 * wmax)).ok);  // all small
    ASSERT_TRUE(m.write_reg(regs::cells_small::kOffset, 3).ok);
    ASSERT_TRUE(m.write_reg(regs::cells_sens::kOffset, 5).ok);
    ASSERT_TRUE(m.write_reg(regs::cmd::kOffset, 1).ok);
    std::vector<float> ws;
    // [-wmax, wmax): t = +1 itself is one DAC step above the largest code
    for (int i = 0; i < 400; ++i) ws.push_back(wmax * (-1.0f + 2.0f * static_cast<float>(i) / 400.0f));
    for (size_t i = 0; i < ws.size(); ++i) m.write_weight(f2b(ws[i]), i % 3 == 0);
    const auto beats = m.read(0, static_cast<uint32_t>(ws.size()));
    ASSERT_EQ(beats.size(), ws.size());
    const double lsb = std::ldexp(1.0, -15) / alpha;
    for (size_t i = 0; i < ws.size(); ++i) {
      EXPECT_LE(std::fabs(b2f(beats[i].weight) - ws[i]), lsb) << "ctrl " << ctrl << " w " << ws[i];
    }
    EXPECT_TRUE(beats.back().last);
    EXPECT_EQ(m.read_reg(regs::sat_count::kOffset).data, 0u);
  }
}

TEST(ControllerModel, RandomAccessThroughTheDirectoryMatchesStreamingRead) {
  StandInArray array(0.05, 7);
  ControllerModel m(ControllerParams{}, array);
  program_identity(m, 2.0f, -1.0);
  ASSERT_TRUE(m.write_reg(regs::ctrl::kOffset, 0xF).ok);
  ASSERT_TRUE(m.write_reg(regs::threshold::kOffset, f2b(0.25f)).ok);
  ASSERT_TRUE(m.write_reg(regs::cells_small::kOffset, 1).ok);
  ASSERT_TRUE(m.write_reg(regs::cells_large::kOffset, 6).ok);
  ASSERT_TRUE(m.write_reg(regs::cells_sens::kOffset, 9).ok);
  ASSERT_TRUE(m.write_reg(regs::dir::kOffset, 3).ok);
  for (int i = 0; i < 100; ++i) m.write_weight(f2b(0.01f * static_cast<float>(i % 50) - 0.2f), i % 7 == 0);
  // reading a weight twice reads its cells twice: fresh noise, so compare
  // allocation (cells read) rather than values
  const uint32_t cells_before = m.read_reg(regs::cells_read::kOffset).data;
  const auto one = m.read(45, 10);
  const uint32_t cells_45 = m.read_reg(regs::cells_read::kOffset).data - cells_before;
  uint32_t expect = 0;
  for (uint32_t i = 45; i < 55; ++i) {
    const auto enc = encode(m.codec(), f2b(0.01f * static_cast<float>(i % 50) - 0.2f), i % 7 == 0);
    expect += enc.cells;
  }
  EXPECT_EQ(cells_45, expect);
  EXPECT_EQ(one.size(), 10u);
  EXPECT_EQ(m.read_reg(regs::dir_read::kOffset).data, 1u);
  EXPECT_EQ(m.read_reg(regs::meta_read::kOffset).data, 5u + 10u);  // walk 40..44, then 45..54
  EXPECT_EQ(m.read_reg(regs::dir_written::kOffset).data, 100u / 8 + 1);
}

TEST(ControllerModel, NanAndInfinityAreRefusedAndTakeNoIndex) {
  StandInArray array;
  ControllerModel m(ControllerParams{}, array);
  m.write_weight(0x7FC00000u, false);
  m.write_weight(0xFF800000u, false);
  m.write_weight(f2b(0.5f), false);
  EXPECT_EQ(m.read_reg(regs::nan_count::kOffset).data, 2u);
  EXPECT_EQ(m.read_reg(regs::num_weights::kOffset).data, 1u);
  const auto bad = m.read(0, 2);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_TRUE(bad[0].err);
}

}  // namespace

// The block calls (write_weights, read_weights) against the one-weight calls
// (write_weight, read) on a CellStore with a noisy channel: the same weights
// bit for bit, the same counters, flags, verify statistics and cell counts,
// for one thread and for several. Everything the controller does per cell is
// on: SP+AM+AR+SENS (metadata, directory, varying cell counts), reduced
// DAC/ADC resolution, program-and-verify, drift references, drift and read
// noise at a load time of a day.
namespace block_calls {

namespace cm = pcm::channel_model;

std::shared_ptr<const cm::Channel> noisy_channel(const std::string& table) {
  std::string text = cm::builtin_table_text(table);
  if (table == "default") text = "# read_noise_std: 0.01\n" + text;  // constant read noise besides drift
  std::istringstream in(text);
  return std::make_shared<cm::TableChannel>(cm::parse_table(in, "test:" + table));
}

// apart: metadata and directory in regions of their own, as a host lays them
// out (the block calls then write them from every thread); else both at 0,
// overlapping (the block calls write them in stream order on one thread).
void configure(ControllerModel& m, bool apart, bool verify, uint32_t sens_cells) {
  program_identity(m, 2.0f / 0.3f, 1.0);
  if (apart) {
    ASSERT_TRUE(m.write_reg(regs::meta_base::kOffset, CellStore::kPageCells - 300).ok);  // across a page boundary
    ASSERT_TRUE(m.write_reg(regs::dir_base::kOffset, 0x0010'0000).ok);
  }
  ASSERT_TRUE(m.write_reg(regs::ctrl::kOffset, 0xF).ok);  // sp, am, ar, sens
  ASSERT_TRUE(m.write_reg(regs::threshold::kOffset, f2b(0.05f)).ok);
  ASSERT_TRUE(m.write_reg(regs::cells_small::kOffset, 1).ok);
  ASSERT_TRUE(m.write_reg(regs::cells_large::kOffset, 3).ok);
  ASSERT_TRUE(m.write_reg(regs::cells_sens::kOffset, sens_cells).ok);
  ASSERT_TRUE(m.write_reg(regs::res::kOffset, regs::res::kAdcBits.put(regs::res::kDacBits.put(0, 9), 8)).ok);
  ASSERT_TRUE(m.write_reg(regs::dir::kOffset, 5).ok);
  // the cells cross a page and wrap at 2^32: runs split at both
  ASSERT_TRUE(m.write_reg(regs::analog_base::kOffset, 0xFFFF'F000).ok);
  // without verify, one pulse per cell: the block calls program in runs (CellStore::write_run)
  ASSERT_TRUE(m.write_reg(regs::pv_pulses::kOffset, verify ? 4 : 1).ok);
  ASSERT_TRUE(m.write_reg(regs::pv_tol::kOffset, 1).ok);
  ASSERT_TRUE(m.write_reg(regs::pv_gain::kOffset, 200).ok);
  ASSERT_TRUE(m.write_reg(regs::comp::kOffset, regs::comp::kRefLog2.put(regs::comp::kEn.put(0, 1), 3)).ok);
  ASSERT_TRUE(m.write_reg(regs::ref_base::kOffset, 0x0800'0000).ok);
  ASSERT_TRUE(m.write_reg(regs::cmd::kOffset, 1).ok);
}

struct Outcome {
  std::vector<uint32_t> weights;
  std::vector<uint32_t> registers;  // counters and status
  ControllerModel::VerifyStats verify;
  CellStoreStats cells;
};

// threads == 0: the one-weight calls.
Outcome store_and_load(const std::shared_ptr<const cm::Channel>& channel, const std::vector<uint32_t>& bits,
                       const std::vector<uint8_t>& sens, unsigned threads, bool apart, bool verify,
                       uint32_t sens_cells) {
  CellStore store(channel, 42);
  ControllerModel m(ControllerParams{}, store);
  configure(m, apart, verify, sens_cells);
  store.set_time(0.0);
  const std::size_t part = 5000;  // parts of the stream, as a host sends them
  for (std::size_t at = 0; at < bits.size(); at += part) {
    const std::size_t n = std::min(part, bits.size() - at);
    const bool last = at + n == bits.size();
    if (threads == 0) {
      for (std::size_t i = at; i < at + n; ++i) m.write_weight(bits[i], sens[i] != 0, last && i + 1 == at + n);
    } else {
      m.write_weights(bits.data() + at, sens.data() + at, n, last, threads);
    }
  }
  store.set_time(86400.0);
  Outcome o;
  const uint32_t stored = m.read_reg(regs::num_weights::kOffset).data;
  o.weights.assign(stored, 0);
  const uint32_t chunk = 7000;
  for (uint32_t at = 0; at < stored; at += chunk) {
    const uint32_t n = std::min(chunk, stored - at);
    if (threads == 0) {
      const std::vector<ReadBeat> beats = m.read(at, n);
      EXPECT_EQ(beats.size(), n);
      for (uint32_t k = 0; k < n && k < beats.size(); ++k) o.weights[at + k] = beats[k].weight;
    } else {
      EXPECT_TRUE(m.read_weights(at, n, o.weights.data() + at, threads));
    }
  }
  // an error beat: counted, out untouched
  uint32_t sentinel = 0xDEADBEEF;
  if (threads == 0) {
    EXPECT_TRUE(m.read(stored, 1).front().err);
  } else {
    EXPECT_FALSE(m.read_weights(stored, 1, &sentinel, threads));
    EXPECT_EQ(sentinel, 0xDEADBEEFu);
  }
  for (const auto& info : regs::kRegisters) {
    if (info.offset >= regs::status::kOffset && info.entries == 1 && info.offset != regs::cmd::kOffset) {
      o.registers.push_back(m.read_reg(info.offset).data);
    }
  }
  o.verify = m.verify_stats();
  o.cells = store.stats();
  return o;
}

TEST(ControllerModel, BlockCallsEqualOneWeightCallsOnAnyThreadCount) {
  std::vector<uint32_t> bits;
  std::vector<uint8_t> sens;
  for (int i = 0; i < 23'000; ++i) {
    // Laplace-like magnitudes, both signs, some beyond the range (saturated)
    const double u = (i * 0.6180339887498949) - std::floor(i * 0.6180339887498949);
    const float w = static_cast<float>((i % 2 ? 1.0 : -1.0) * -0.04 * std::log(1.0 - 0.999 * u));
    bits.push_back(f2b(w));
    sens.push_back(i % 97 == 0);
  }
  bits[1234] = 0x7FC00000;  // NaN: refused, takes no index
  // tables with drift and read noise, and AWGN (no prepared levels); with
  // verify and with one pulse per cell (the runs of CellStore::write_run)
  struct Case {
    std::string table;
    bool apart;
    bool verify;
    uint32_t sens_cells;
  };
  std::vector<Case> cases;
  for (const std::string table : {"default", "aihwkit-pcm", "awgn"}) {
    for (const bool apart : {false, true}) {
      for (const bool verify : {true, false}) cases.push_back({table, apart, verify, 4});
    }
  }
  // sensitive weights of more cells than the channel draws together (CellStore::kRunCells)
  cases.push_back({"aihwkit-pcm", true, false, 150});
  for (const Case& c : cases) {
    const auto channel = c.table == "awgn" ? std::make_shared<cm::AwgnChannel>(0.03) : noisy_channel(c.table);
    const Outcome one = store_and_load(channel, bits, sens, 0, c.apart, c.verify, c.sens_cells);
    ASSERT_EQ(one.weights.size(), bits.size() - 1);
    if (c.verify) {
      EXPECT_GT(one.verify.failed + one.verify.pulses_used[2], 0u) << "verify re-programmed no cell";
    }
    for (const unsigned threads : {1u, 2u, 3u}) {
      SCOPED_TRACE(c.table + (c.apart ? ", regions apart, " : ", regions overlapping, ") +
                   (c.verify ? "verify, " : "one pulse, ") + std::to_string(c.sens_cells) + " cells per sensitive weight, " +
                   std::to_string(threads) + " threads");
      const Outcome block = store_and_load(channel, bits, sens, threads, c.apart, c.verify, c.sens_cells);
      EXPECT_EQ(block.weights, one.weights);
      EXPECT_EQ(block.registers, one.registers);
      EXPECT_EQ(block.verify.pulses_used, one.verify.pulses_used);
      EXPECT_EQ(block.verify.failed, one.verify.failed);
      EXPECT_EQ(block.cells.analog_writes, one.cells.analog_writes);
      EXPECT_EQ(block.cells.analog_reads, one.cells.analog_reads);
      EXPECT_EQ(block.cells.digital_writes, one.cells.digital_writes);
      EXPECT_EQ(block.cells.digital_reads, one.cells.digital_reads);
      EXPECT_EQ(block.cells.unwritten_reads, one.cells.unwritten_reads);
      EXPECT_EQ(block.cells.pages, one.cells.pages);
      EXPECT_EQ(block.cells.bytes, one.cells.bytes);
    }
  }
}

// The channel's prepared level gives the same draws as the one-call functions.
TEST(ControllerModel, ChannelLevelDrawsEqualDirectDraws) {
  for (const std::string table : {"default", "aihwkit-pcm"}) {
    const auto channel = noisy_channel(table);
    for (int k = 0; k <= 64; ++k) {
      const double x = -1.0 + k / 32.0;
      const cm::Channel::ProgramLevel level = channel->level_of(x);
      for (uint32_t a = 0; a < 50; ++a) {
        cm::CellKey key{7, a, a % 3, cm::Stream::kProgram};
        EXPECT_EQ(channel->program_at(level, key), channel->program(x, key)) << table << " x=" << x;
        key.stream = cm::Stream::kDrift;
        EXPECT_EQ(channel->drift_at(level, key), channel->drift_exponent(x, key)) << table << " x=" << x;
      }
    }
  }
}

// program_many, drift_many and read_many (the runs of the block calls)
// against program_at, drift_at and read, cell by cell: levels and keys that
// change from one cell to the next, for the tables (constant read noise and
// drift in log resistance; 1/f noise and drift in conductance) and for AWGN
// (unprepared levels).
TEST(ControllerModel, ProgramManyEqualsProgramAtCellByCell) {
  std::vector<std::shared_ptr<const cm::Channel>> channels{noisy_channel("default"), noisy_channel("aihwkit-pcm"),
                                                           std::make_shared<cm::AwgnChannel>(0.05)};
  for (const auto& channel : channels) {
    std::vector<cm::Channel::ProgramLevel> levels;
    std::vector<cm::CellKey> keys;
    for (uint32_t k = 0; k < 150; ++k) {
      levels.push_back(channel->level_of(-1.0 + (k * 37 % 129) / 64.0));
      keys.push_back(cm::CellKey{11 + k % 2, 0xFFFF'FF00ull + k, k % 4, cm::Stream::kProgram});
    }
    const std::size_t n = levels.size();
    std::vector<double> many(n);
    channel->program_many(levels.data(), keys.data(), many.data(), n);
    for (std::size_t k = 0; k < n; ++k) {
      EXPECT_EQ(many[k], channel->program_at(levels[k], keys[k])) << "cell " << k;
    }
    // and a read's two draws: the drift exponent, then the read itself, at
    // the reference time, a day and ten years
    std::vector<cm::CellKey> drift_keys = keys;
    std::vector<cm::CellKey> read_keys = keys;
    for (std::size_t k = 0; k < n; ++k) {
      drift_keys[k].stream = cm::Stream::kDrift;
      read_keys[k].stream = cm::Stream::kRead;
    }
    std::vector<double> nu(n);
    channel->drift_many(levels.data(), drift_keys.data(), nu.data(), n);
    for (std::size_t k = 0; k < n; ++k) EXPECT_EQ(nu[k], channel->drift_at(levels[k], drift_keys[k])) << "cell " << k;
    for (const double t : {channel->reference_time(), 86400.0, 3.15e8}) {
      std::vector<double> read(n);
      channel->read_many(many.data(), nu.data(), t, read_keys.data(), read.data(), n);
      for (std::size_t k = 0; k < n; ++k) {
        EXPECT_EQ(read[k], channel->read(many[k], nu[k], t, read_keys[k])) << "cell " << k << " t=" << t;
      }
    }
  }
}

}  // namespace block_calls

// One-cell writes (the rtl platform's array) prepare the table of every
// code's level once they are a quarter of the codes, and hold the same values
// as writes through a cursor's cache: programmed, read at the reference time
// and read after a day of drift.
TEST(CellStore, OneCellWritesPrepareTheLevelTableWithTheSameValues) {
  const auto channel = block_calls::noisy_channel("default");
  const int bits = 10;  // the table pays off after 256 writes
  ASSERT_TRUE(CellStore::levels_pay_off(256, bits));
  ASSERT_FALSE(CellStore::levels_pay_off(255, bits));
  CellStore one(channel, 9);
  CellStore run(channel, 9);
  const std::size_t n = 1500;
  std::vector<int32_t> codes(n);
  for (std::size_t k = 0; k < n; ++k) codes[k] = static_cast<int32_t>((k * 389) % 1024) - 512;
  run.reserve_analog(0, n);
  CellStore::Cursor cursor;
  run.write_run(cursor, 0, codes.data(), n, bits);
  run.merge(cursor);
  EXPECT_FALSE(run.levels_prepared(bits));  // a block caller prepares it, not the store
  for (std::size_t k = 0; k < n; ++k) {
    one.write_analog(static_cast<uint32_t>(k), codes[k], bits);
    EXPECT_EQ(one.levels_prepared(bits), k + 1 >= 256) << "after write " << k + 1;
  }
  EXPECT_FALSE(one.levels_prepared(16));
  for (const double t : {channel->reference_time(), 86400.0}) {
    one.set_time(t);
    run.set_time(t);
    for (std::size_t k = 0; k < n; ++k) {
      const auto addr = static_cast<uint32_t>(k);
      EXPECT_EQ(one.read_analog(addr, 16), run.read_analog(addr, 16)) << "cell " << k << " t=" << t;
    }
  }
}

// CellStore::write_run against write_analog cell by cell, on cells written
// before a different number of times (the access in each key), over a page
// boundary and the wrap at 2^32, with and without a channel.
TEST(CellStore, WriteRunEqualsOneCellWrites) {
  for (const bool noisy : {true, false}) {
    SCOPED_TRACE(noisy ? "default channel" : "no channel");
    const auto channel = noisy ? block_calls::noisy_channel("default") : nullptr;
    CellStore run(channel, 5);
    CellStore one(channel, 5);
    const uint32_t first = 0xFFFF'FFFFu - 150;  // the last page, then page 0 after the wrap
    const std::size_t n = 400;
    std::vector<int32_t> codes(n);
    for (std::size_t k = 0; k < n; ++k) codes[k] = static_cast<int32_t>((k * 7919) % 65536) - 32768;
    for (CellStore* s : {&run, &one}) {
      s->reserve_analog(first, n);
      for (std::size_t k = 0; k < n; k += 3) s->write_analog(first + static_cast<uint32_t>(k), 100, 16);  // earlier writes
      for (std::size_t k = 0; k < n; k += 5) s->write_analog(first + static_cast<uint32_t>(k), -100, 16);
    }
    CellStore::Cursor cursor;
    run.write_run(cursor, first, codes.data(), n, 16);
    run.merge(cursor);
    for (std::size_t k = 0; k < n; ++k) one.write_analog(first + static_cast<uint32_t>(k), codes[k], 16);
    for (std::size_t k = 0; k < n; ++k) {
      const uint32_t addr = first + static_cast<uint32_t>(k);
      EXPECT_EQ(run.read_analog(addr, 16), one.read_analog(addr, 16)) << "cell " << k;
    }
    EXPECT_EQ(run.stats().analog_writes, one.stats().analog_writes);
    EXPECT_EQ(run.stats().pages, 2u);
    EXPECT_EQ(one.stats().pages, 2u);
    CellStore unreserved(channel, 5);
    CellStore::Cursor fresh;
    try {
      unreserved.write_run(fresh, 0, codes.data(), 1, 16);
      ADD_FAILURE() << "a run on a page not reserved was accepted";
    } catch (const std::logic_error& e) {
      EXPECT_STREQ(e.what(), "CellStore: a block write to a page not reserved");
    }
  }
}
