#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

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

// The staged draws (eight Philox blocks at a time, then the libm calls in
// order of angle) against CellRng's one-key normal(): the same bits, for keys
// that differ in every field, at lengths around the lane and stage sizes.
TEST(Philox, FirstNormalsEqualCellRngNormal) {
  for (const std::size_t n : {0u, 1u, 7u, 8u, 9u, 63u, 64u, 65u, 200u}) {
    std::vector<cm::CellKey> keys;
    for (std::size_t k = 0; k < n; ++k) {
      keys.push_back(cm::CellKey{0x1234'5678'9ABCull + k % 3, 0xFFFF'FFF0ull + k * 0x1'0000'0001ull,
                                 static_cast<std::uint32_t>(k % 5), k % 2 ? cm::Stream::kRead : cm::Stream::kProgram});
    }
    std::vector<double> out(n + 1, -7.0);
    cm::first_normals(keys.data(), out.data(), n);
    for (std::size_t k = 0; k < n; ++k) {
      cm::CellRng rng(keys[k]);
      EXPECT_EQ(out[k], rng.normal()) << "n=" << n << " k=" << k;
    }
    EXPECT_EQ(out[n], -7.0) << "wrote past n=" << n;
  }
}
