#include <gtest/gtest.h>

#include <cmath>

#include "pcm/channel_model/philox.hpp"

namespace cm = pcm::channel_model;

// Random123 tests/kat_vectors, the three "philox4x32 10" lines (CTR, KEY, EXPECTED).
TEST(Philox, KnownAnswerVectorsOfRandom123) {
  EXPECT_EQ(cm::philox4x32_10({0, 0, 0, 0}, {0, 0}),
            (cm::PhiloxCounter{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(cm::philox4x32_10({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
            (cm::PhiloxCounter{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(cm::philox4x32_10({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
            (cm::PhiloxCounter{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(Philox, DrawIsPureFunctionOfKey) {
  const cm::CellKey key{42, 1000, 3, cm::Stream::kProgram};
  cm::CellRng a(key);
  cm::CellRng b(key);
  EXPECT_EQ(a.normal(), b.normal());
  cm::CellKey other = key;
  other.access = 4;
  EXPECT_NE(cm::CellRng(key).normal(), cm::CellRng(other).normal());
  other = key;
  other.stream = cm::Stream::kRead;
  EXPECT_NE(cm::CellRng(key).normal(), cm::CellRng(other).normal());
}

// Normals over many cell addresses: mean 0 and variance 1 within 5 standard errors.
TEST(Philox, NormalsHaveUnitMomentsWithin5StandardErrors) {
  constexpr int kN = 200000;
  double sum = 0.0;
  double sum2 = 0.0;
  for (int i = 0; i < kN; ++i) {
    cm::CellRng rng({7, static_cast<std::uint64_t>(i), 0, cm::Stream::kTest});
    const double z = rng.normal();
    sum += z;
    sum2 += z * z;
  }
  const double mean = sum / kN;
  const double var = sum2 / kN - mean * mean;
  EXPECT_LT(std::fabs(mean), 5.0 / std::sqrt(kN));
  EXPECT_LT(std::fabs(var - 1.0), 5.0 * std::sqrt(2.0 / kN));
}
