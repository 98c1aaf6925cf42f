// The cell cost, magnitude pruning and the digital baselines' quantization,
// against figures worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "pcm/sw/cell_cost.hpp"
#include "pcm/sw/compress.hpp"

namespace pcm::sw {
namespace {

TEST(CellCost, SpAmAtOneCellIsTwoIdealAndTwoPointOneOneRealistic) {
  // 1000 weights, 1 analog cell each, 2 metadata bits (sign, class), no directory.
  CellUse u;
  u.weights = 1000;
  u.analog_cells = 1000;
  u.metadata_bits = 2000;
  const CellCost ideal = cell_cost(u, kIdealBitsPerCell);
  EXPECT_DOUBLE_EQ(ideal.analog, 1.0);
  EXPECT_DOUBLE_EQ(ideal.metadata, 1.0);  // 2 bits / 2 bits per cell
  EXPECT_DOUBLE_EQ(ideal.total, 2.0);
  const CellCost real = cell_cost(u, kRealisticBitsPerCell);
  EXPECT_NEAR(real.total, 1.0 + 2.0 / 1.8, 1e-12);
  EXPECT_NEAR(real.total, 2.1111, 1e-4);
}

TEST(CellCost, DirectoryMaskAndDigitalWeightsAreCounted) {
  // sp+am+ar at 1.5 cells on 4096 weights: 3 metadata bits each, directory
  // entries of 32 bits per 1024 weights (4), a 50 % pruning mask of 4096 bits.
  CellUse u;
  u.weights = 4096;
  u.analog_cells = 6144;
  u.metadata_bits = 3.0 * 4096;
  u.directory_words = 4;
  u.mask_bits = 4096;  // H(0.5) = 1 bit per weight
  const CellCost c = cell_cost(u, 2.0);
  EXPECT_DOUBLE_EQ(c.analog, 1.5);
  EXPECT_DOUBLE_EQ(c.metadata, 1.5);
  EXPECT_DOUBLE_EQ(c.directory, 32.0 * 4 / 2.0 / 4096);  // 0.015625
  EXPECT_DOUBLE_EQ(c.mask, 0.5);
  EXPECT_DOUBLE_EQ(c.total, 1.5 + 1.5 + 0.015625 + 0.5);
  EXPECT_DOUBLE_EQ(c.digital_words(), 1.5 + 0.015625);
  // 4-bit digital baseline of one tensor: 4 bits a weight plus a 32-bit scale.
  CellUse d;
  d.weights = 1000;
  d.digital_bits = 4.0 * 1000 + 32;
  EXPECT_DOUBLE_EQ(cell_cost(d, 2.0).total, 2.016);
}

TEST(CellCost, Fp32BaselinesAre16And17Point78) {
  EXPECT_DOUBLE_EQ(fp32_baseline(kIdealBitsPerCell), 16.0);
  EXPECT_NEAR(fp32_baseline(kRealisticBitsPerCell), 17.78, 0.005);
  EXPECT_DOUBLE_EQ(fp32_baseline(kRealisticBitsPerCell), 32.0 / 1.8);
}

TEST(CellCost, NoWeightsIsRefused) { EXPECT_THROW(cell_cost(CellUse{}, 2.0), std::invalid_argument); }

TEST(Pruning, DropsTheSmallestMagnitudesLowerIndexFirstOnTies) {
  const std::vector<float> w = {0.5f, -0.1f, 0.1f, -2.0f, 0.0f, 0.3f};
  // 34 %: floor(2.04) = 2 dropped: 0.0 (index 4), then of the two |0.1| index 1 before 2.
  EXPECT_EQ(kept_after_pruning(w.data(), w.size(), 0.34), (std::vector<uint32_t>{0, 2, 3, 5}));
  // 50 %: 3 dropped, both 0.1s go.
  EXPECT_EQ(kept_after_pruning(w.data(), w.size(), 0.5), (std::vector<uint32_t>{0, 3, 5}));
  EXPECT_EQ(kept_after_pruning(w.data(), w.size(), 0.0).size(), 6u);
  EXPECT_EQ(kept_after_pruning(w.data(), w.size(), 0.99), (std::vector<uint32_t>{3}));  // floor(5.94) = 5
}

TEST(Pruning, MaskCostsItsEntropy) {
  EXPECT_DOUBLE_EQ(entropy_bits(0.5), 1.0);
  EXPECT_DOUBLE_EQ(entropy_bits(0.0), 0.0);
  EXPECT_DOUBLE_EQ(entropy_bits(1.0), 0.0);
  EXPECT_NEAR(entropy_bits(0.8), 0.7219, 1e-4);           // the 0.36 cells at 80 % of the results
  EXPECT_DOUBLE_EQ(mask_bits(1000, 500), 1000.0);          // 0.5 cells per weight at 2 bits per cell
  EXPECT_NEAR(mask_bits(1000, 200) / 2.0 / 1000, 0.361, 1e-3);
  EXPECT_DOUBLE_EQ(mask_bits(1000, 1000), 0.0);
}

TEST(Quantization, UniformSymmetricWithThePerTensorScale) {
  // 4 bits: top code 7, scale max|w| / 7 = 0.1.
  const std::vector<float> w = {0.7f, -0.7f, 0.04f, 0.06f, -0.26f, 0.0f};
  std::vector<float> q(w.size());
  quantize(w.data(), w.size(), 4, q.data());
  EXPECT_FLOAT_EQ(q[0], 0.7f);
  EXPECT_FLOAT_EQ(q[1], -0.7f);
  EXPECT_FLOAT_EQ(q[2], 0.0f);                    // 0.4 steps rounds to 0
  EXPECT_NEAR(q[3], 0.1f, 1e-6);                  // 0.6 steps rounds to 1
  EXPECT_NEAR(q[4], -0.3f, 1e-6);                 // -2.6 steps round to -3
  EXPECT_FLOAT_EQ(q[5], 0.0f);
  // 8 bits: every value within half a step (max / 127 / 2).
  std::vector<float> r(w.size());
  quantize(w.data(), w.size(), 8, r.data());
  for (std::size_t i = 0; i < w.size(); ++i) EXPECT_LE(std::fabs(r[i] - w[i]), 0.7 / 127 / 2 + 1e-7);
  // 32 keeps fp32 exactly; an all-zero tensor stays zero.
  quantize(w.data(), w.size(), 32, r.data());
  EXPECT_EQ(r, w);
  const std::vector<float> zeros(3, 0.0f);
  std::vector<float> z(3, 1.0f);
  quantize(zeros.data(), 3, 4, z.data());
  EXPECT_EQ(z, zeros);
}

}  // namespace
}  // namespace pcm::sw
