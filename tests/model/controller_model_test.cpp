#include <cmath>
#include <cstring>

#include <gtest/gtest.h>

#include "pcm/regs/pcm_ctrl_regs.hpp"
#include "pcm/model/cell_array.hpp"
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
