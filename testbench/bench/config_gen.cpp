#include "bench/config_gen.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "pcm/model/codec.hpp"
#include "pcm/regs/pcm_ctrl_regs.hpp"

namespace bench {
namespace regs = pcm::regs;

int32_t q20(double v) { return static_cast<int32_t>(std::lround(v * (1 << regs::kTFrac))); }
uint32_t q14(double v) { return static_cast<uint16_t>(static_cast<int16_t>(std::lround(v * (1 << regs::kRangeFrac)))); }

TensorConfig draw_config(Random& rng, int k, bool lsb_mode, double sigma) {
  TensorConfig c;
  c.ctrl = static_cast<uint32_t>(k % 16);
  const bool sp = c.ctrl & 1u, am = c.ctrl & 2u;
  c.stall_p = lsb_mode ? 0.1 : std::vector<double>{0.0, 0.1, 0.3, 0.6}[rng.uni(0, 3)];
  c.wmax = std::ldexp(1.0, rng.uni(-6, 3)) * std::uniform_real_distribution<double>(1, 2)(rng.gen());
  c.thr = static_cast<float>(c.wmax * std::uniform_real_distribution<double>(0.05, 0.6)(rng.gen()));
  if (!lsb_mode) {
    c.lo = std::uniform_real_distribution<double>(-1.0, 0.2)(rng.gen());
    c.hi = std::uniform_real_distribution<double>(c.lo + 0.1, 1.0)(rng.gen());
    c.lo = std::round(c.lo * 16384) / 16384;
    c.hi = std::round(c.hi * 16384) / 16384;
  }
  // small class: [0, T] (SP) or [-T, T]; large: [T, wmax] or [-wmax, wmax]
  const double s_lo = sp ? 0.0 : (am ? -c.thr : -c.wmax);
  const double s_hi = am ? c.thr : c.wmax;
  const double l_lo = sp ? c.thr : -c.wmax;
  const double l_hi = c.wmax;
  const double over = lsb_mode ? 1.0 : std::uniform_real_distribution<double>(0.85, 1.05)(rng.gen());
  c.alpha_s = static_cast<float>((c.hi - c.lo) / (s_hi - s_lo) * over);
  c.alpha_l = static_cast<float>((c.hi - c.lo) / (l_hi - l_lo) * over);
  c.beta_s = std::clamp(c.alpha_s * s_lo - c.lo, -4.0, 4.0);
  c.beta_l = std::clamp(c.alpha_l * l_lo - c.lo, -4.0, 4.0);
  if (!lsb_mode && rng.chance(0.1)) {
    // extreme scales: alpha * m far above the Q3.20 range (the encoder's wide
    // shift) or far below its LSB (the rounding and underflow paths), and the
    // decoder's 1/alpha near overflow or underflow
    const int e = rng.chance(0.5) ? rng.uni(20, 100) : rng.uni(-100, -20);
    c.alpha_s = std::ldexp(c.alpha_s, e);
    if (rng.chance(0.5)) c.alpha_l = std::ldexp(c.alpha_l, -e);
    if (rng.chance(0.5)) c.beta_s = rng.chance(0.5) ? 4.0 : -4.0;  // the shift's legal extremes
  }
  c.dac_bits = lsb_mode ? 16 : rng.uni(2, 16);
  c.adc_bits = lsb_mode ? 16 : rng.uni(2, 16);
  // The configuration with 64 references (below) reads at 16 bits: only then
  // does the drift offset, sum * 2^(21 - ADC bits) / 64, have fraction bits,
  // so that its rounding is exercised (mutant refs_no_round).
  if (!lsb_mode && k % 24 == 17) c.adc_bits = 16;
  c.r_small = lsb_mode ? 1 : static_cast<uint32_t>(rng.uni(1, 3));
  c.r_large = lsb_mode ? 2 : static_cast<uint32_t>(rng.chance(0.2) ? rng.uni(5, 40) : rng.uni(1, 6));
  if (!lsb_mode && rng.chance(0.03)) c.r_large = static_cast<uint32_t>(rng.uni(41, regs::kMaxCells));
  c.r_sens = lsb_mode ? 3 : static_cast<uint32_t>(rng.uni(1, 12));
  c.block_log2 = static_cast<uint32_t>(rng.chance(0.2) ? rng.uni(7, 12) : rng.uni(1, 6));  // DIR 1 .. 12
  c.abase = static_cast<uint32_t>(rng.gen()());
  c.mbase = static_cast<uint32_t>(rng.gen()());
  c.dbase = static_cast<uint32_t>(rng.gen()());
  // program-and-verify on half of the noisy configurations, over the whole
  // legal pulse range, gains from none to 4.0, tolerances from 0 to 3 sigma
  if (!lsb_mode && rng.chance(0.5)) {
    c.pv_pulses = static_cast<uint32_t>(rng.chance(0.15) ? rng.uni(9, 32) : rng.uni(2, 8));
    const double sigma_codes = std::max(1.0, sigma * std::ldexp(1.0, c.adc_bits - 1));
    c.pv_tol = static_cast<uint32_t>(
        std::min(65535.0, std::floor(std::uniform_real_distribution<double>(0.0, 3.0)(rng.gen()) * sigma_codes)));
    c.pv_gain = static_cast<uint32_t>(rng.chance(0.2) ? 0 : rng.uni(1, 1024));
  }
  // drift compensation on half of the noisy configurations, 1 .. 64 references
  // (every 24th configuration from the 18th: 64 references, the most; from
  // the 19th: 1, the fewest)
  const bool most_refs = k % 24 == 17, one_ref = k % 24 == 18;
  if (!lsb_mode && (rng.chance(0.5) || most_refs || one_ref)) {
    const auto ref_log2 = most_refs ? 6u : one_ref ? 0u : static_cast<uint32_t>(rng.uni(0, 6));
    c.comp = regs::comp::kEn.put(regs::comp::kRefLog2.put(0, ref_log2), 1);
    c.ref_base = c.abase + 0x80000000u + static_cast<uint32_t>(rng.uni(0, 1000));
  }
  // Directed configurations for datapath corners random values reach with
  // probability ~2^-24 (rtl/README.md arithmetic):
  if (k == 0) {
    // the decoder's rounding carry: 1/alpha with significand 1 + 2^-16 and a
    // mean of 2^16 - 1 (a weight of 0.0625: code 2048, beta -2^-20) make a
    // product of 32 ones
    c.rscale_s = b2f(0x3F800080u);
    c.alpha_s = 1.0f / c.rscale_s;
    c.beta_s = -std::ldexp(1.0, -regs::kTFrac);
  } else if (k == 16) {
    // the encoder's underflow bound: alpha 1.5 * 2^-21 puts w in [0.5, 1) at
    // exactly 2^-48 below the product's LSB (t = 0 or 1 LSB), made visible by
    // a LUT step at t = 0 and a 16-bit DAC
    c.alpha_s = std::ldexp(1.5f, -21);
    c.beta_s = 0.0;
    c.wmax = 0.95;  // weights in [2/3, 1) are the ones rounded up to 1 LSB
    c.lo = -1.0;
    c.hi = 1.0;
    c.dac_bits = c.adc_bits = 16;
    c.step_lut = true;
  } else if (k == 17) {
    // the decoder's overflow clamp: RSCALE_SMALL = 2^127 (legal, though not
    // 1 / alpha) and beta = +4, so a small weight (t saturated at RANGE.LO
    // < 0) decodes from m in [3, 4) to a biased exponent of exactly 255
    c.rscale_s = b2f(0x7F000000u);
    c.beta_s = 4.0;
  } else if (k == 19) {
    // the packing bound's corner: without verify, every weight r = lanes + 1
    // cells (so each spans two requests), and the stream made to end in a
    // partly filled request (drivers.cpp)
    c.pv_pulses = regs::pv_pulses::kReset;
    c.pv_tol = regs::pv_tol::kReset;
    c.pv_gain = regs::pv_gain::kReset;
    c.r_small = c.r_large = c.r_sens = kLanes + 1;
  }
  return c;
}

std::vector<std::pair<uint32_t, uint32_t>> register_writes(const TensorConfig& c) {
  const uint32_t range = regs::range::kLo.put(regs::range::kHi.put(0, q14(c.hi)), q14(c.lo));
  const uint32_t res = regs::res::kDacBits.put(regs::res::kAdcBits.put(0, static_cast<uint32_t>(c.adc_bits)),
                                               static_cast<uint32_t>(c.dac_bits));
  return {
      {regs::ctrl::kOffset, c.ctrl},
      {regs::threshold::kOffset, f2b(c.thr)},
      {regs::scale_small::kOffset, f2b(c.alpha_s)},
      {regs::rscale_small::kOffset, f2b(c.rscale_s != 0.0f ? c.rscale_s : 1.0f / c.alpha_s)},
      {regs::shift_small::kOffset, static_cast<uint32_t>(q20(c.beta_s))},
      {regs::scale_large::kOffset, f2b(c.alpha_l)},
      {regs::rscale_large::kOffset, f2b(1.0f / c.alpha_l)},
      {regs::shift_large::kOffset, static_cast<uint32_t>(q20(c.beta_l))},
      {regs::cells_small::kOffset, c.r_small},
      {regs::cells_large::kOffset, c.r_large},
      {regs::cells_sens::kOffset, c.r_sens},
      {regs::range::kOffset, range},
      {regs::res::kOffset, res},
      {regs::dir::kOffset, regs::dir::kBlockLog2.put(0, c.block_log2)},
      {regs::analog_base::kOffset, c.abase},
      {regs::meta_base::kOffset, c.mbase},
      {regs::dir_base::kOffset, c.dbase},
      {regs::pv_pulses::kOffset, c.pv_pulses},
      {regs::pv_tol::kOffset, c.pv_tol},
      {regs::pv_gain::kOffset, c.pv_gain},
      {regs::comp::kOffset, c.comp},
      {regs::ref_base::kOffset, c.ref_base},
  };
}

std::vector<double> draw_lut(Random& rng, bool lsb_mode, bool step) {
  const int n = pcm::model::kKnotCount;
  std::vector<double> knots(n);
  if (step) {
    for (int i = 0; i < n; ++i) knots[i] = i <= n / 2 ? -1.0 : 1.0;
    return knots;
  }
  for (int i = 0; i < n; ++i) knots[i] = -1.0 + 2.0 * i / (n - 1);
  if (!lsb_mode) {
    double x = std::uniform_real_distribution<double>(-1.0, -0.5)(rng.gen());
    const double top = std::uniform_real_distribution<double>(0.5, 1.0)(rng.gen());
    for (int i = 0; i < n; ++i) {
      knots[i] = x;
      x = std::min(top, x + (top - knots[0]) / (n - 1) * std::uniform_real_distribution<double>(0.3, 1.7)(rng.gen()));
    }
  }
  return knots;
}

uint32_t random_weight(Random& rng, Coverage& cov, const TensorConfig& c, bool lsb_mode, bool& sens) {
  sens = rng.chance(0.2);
  if (lsb_mode) {
    double m = std::uniform_real_distribution<double>(0, c.wmax)(rng.gen());
    if (rng.chance(0.1)) m = c.thr;
    else if (rng.chance(0.05)) m = 0.0625;  // the rounding carry of configuration 0
    return f2b(static_cast<float>(rng.chance(0.5) ? -m : m));
  }
  const int kind = rng.uni(0, 19);
  const bool neg = rng.chance(0.5);
  const uint32_t s = neg ? 0x80000000u : 0u;
  if (neg) cov.hit("weight negative");
  switch (kind) {
    case 0: cov.hit(neg ? "weight -0" : "weight +0"); return s;
    case 1: cov.hit("weight subnormal"); return s | static_cast<uint32_t>(rng.uni(1, 0x7FFFFF));
    case 2: cov.hit("weight huge"); return s | (static_cast<uint32_t>(rng.uni(200, 254)) << 23) | static_cast<uint32_t>(rng.uni(0, 0x7FFFFF));
    case 3: cov.hit("weight tiny"); return s | (static_cast<uint32_t>(rng.uni(1, 90)) << 23) | static_cast<uint32_t>(rng.uni(0, 0x7FFFFF));
    case 4: {
      cov.hit("weight at threshold");
      const uint32_t t = f2b(c.thr) + static_cast<uint32_t>(rng.uni(-1, 1));
      return s | t;
    }
    case 5:
      if (rng.chance(0.15)) {
        const bool nan = rng.chance(0.5);
        cov.hit(nan ? "weight nan" : "weight inf");
        return s | (nan ? 0x7FC00000u + static_cast<uint32_t>(rng.uni(0, 1000)) : 0x7F800000u);
      }
      [[fallthrough]];
    default: {
      const double m = std::uniform_real_distribution<double>(0, c.wmax * 1.1)(rng.gen());
      return f2b(static_cast<float>(neg ? -m : m));
    }
  }
}

}  // namespace bench
