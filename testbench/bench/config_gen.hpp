// The configuration generator: one random tensor configuration per run of the
// bench (strategy, threshold, scales and shifts, range, resolutions, cell
// counts, directory block, bases, stall probability, a random monotone LUT)
// and random weights of every kind. The first 16 configurations run each
// strategy on a noiseless identity path ("LSB mode"). Register values are
// built with the generated register header's fields.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "bench/common.hpp"
#include "bench/coverage.hpp"
#include "pcm/regs/pcm_ctrl_regs.hpp"

namespace bench {

struct TensorConfig {
  uint32_t ctrl = 0;  // the strategy bits (CTRL)
  double stall_p = 0.1;
  double wmax = 1.0;
  float thr = 0.5f;
  double lo = -1.0, hi = 1.0;
  float alpha_s = 1.0f, alpha_l = 1.0f;
  float rscale_s = 0.0f;  // RSCALE_SMALL when not 1 / alpha_s (directed configurations)
  bool step_lut = false;  // the LUT a step from -1 to +1 between knots 16 and 17
  double beta_s = 0.0, beta_l = 0.0;
  int dac_bits = 16, adc_bits = 16;
  uint32_t r_small = 1, r_large = 1, r_sens = 1;
  uint32_t block_log2 = 1;
  uint32_t abase = 0, mbase = 0, dbase = 0;
  // program-and-verify; the registers' reset values by default
  uint32_t pv_pulses = pcm::regs::pv_pulses::kReset;
  uint32_t pv_tol = pcm::regs::pv_tol::kReset;
  uint32_t pv_gain = pcm::regs::pv_gain::kReset;
  // drift compensation: COMP and the references' base (clear of the tensor's cells)
  uint32_t comp = pcm::regs::comp::kReset;
  uint32_t ref_base = pcm::regs::ref_base::kReset;
};

// Configuration k (its strategy is k % 16); the draws in a fixed order.
// `sigma` is the array's read noise (normalized): verify tolerances are drawn
// around it so that cells converge at the first pulse, later, or never.
TensorConfig draw_config(Random& rng, int k, bool lsb_mode, double sigma);
// The register writes that program it, in order, before the LUT and START.
std::vector<std::pair<uint32_t, uint32_t>> register_writes(const TensorConfig& c);
// The 33 LUT knots: identity in LSB mode, else a random monotone curve in [-1, 1].
std::vector<double> draw_lut(Random& rng, bool lsb_mode, bool step = false);
// RANGE and LUT encodings.
int32_t q20(double v);
uint32_t q14(double v);
// A random weight (fp32 bits) of any kind and its sensitivity flag.
uint32_t random_weight(Random& rng, Coverage& cov, const TensorConfig& c, bool lsb_mode, bool& sens);

}  // namespace bench
