#pragma once

// Shared by the platform tests: a register program for a tensor, random
// tensors, and a main() for SystemC test programs.

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "pcm/regs/pcm_ctrl_regs.hpp"
#include "pcm/model/codec.hpp"
#include "pcm/model/controller_port.hpp"

namespace pcm::platform_test {

namespace regs = pcm::regs;
using pcm::model::BusResult;
using pcm::model::ControllerPort;

inline uint32_t f2b(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
inline uint32_t q20(double v) { return static_cast<uint32_t>(static_cast<int32_t>(std::lround(v * (1 << regs::kTFrac)))); }
inline uint32_t q14(double v) {
  return static_cast<uint16_t>(static_cast<int16_t>(std::lround(v * (1 << regs::kRangeFrac))));
}

// What the host programs for one tensor.
struct TensorConfig {
  uint32_t ctrl = 0;  // SP | AM << 1 | AR << 2 | SENS << 3
  uint32_t cells_small = 1, cells_large = 1, cells_sens = 1;
  uint32_t dir_log2 = 6;
  uint32_t analog_base = 0, meta_base = 0x1000'0000, dir_base = 0x2000'0000;
  float wmax = 0.5f;       // weights beyond saturate
  float threshold = 0.1f;  // large class from here
  double lo = -1.0, hi = 1.0;
  uint32_t dac_bits = 16, adc_bits = 16;
};

// Configuration `ctrl` (0 .. 15) of the platform tests' whole-model sets:
// every strategy, cell counts, directory blocks, wrapping and far-apart
// regions, scales, and narrow DAC/ADC on some.
inline TensorConfig varied_config(uint32_t ctrl) {
  TensorConfig c;
  c.ctrl = ctrl;
  c.cells_small = 1 + ctrl % 3;
  c.cells_large = 1 + (ctrl * 7) % 5;
  c.cells_sens = 5;
  c.dir_log2 = 1 + ctrl % 6;
  c.analog_base = ctrl * 0x0123'4567u;  // wraps
  c.meta_base = 0x4000'0000u + ctrl * 977u;
  c.dir_base = 0x8000'0000u - 3u * ctrl;
  c.wmax = 0.25f + 0.1f * static_cast<float>(ctrl);
  c.threshold = c.wmax * 0.3f;
  if (ctrl % 5 == 2) {
    c.dac_bits = 6;
    c.adc_bits = 9;
  }
  return c;
}

// The register writes of a tensor, in order (mapping as in the bench: each
// class's weight interval onto [lo, hi]); identity LUT; CMD.START last.
inline std::vector<std::pair<uint32_t, uint32_t>> register_program(const TensorConfig& c) {
  const bool sp = c.ctrl & 1u, am = c.ctrl & 2u;
  const double thr = c.threshold, wmax = c.wmax;
  const double s_lo = sp ? 0.0 : (am ? -thr : -wmax);
  const double s_hi = am ? thr : wmax;
  const double l_lo = sp ? thr : -wmax;
  const double l_hi = wmax;
  const auto alpha_s = static_cast<float>((c.hi - c.lo) / (s_hi - s_lo));
  const auto alpha_l = static_cast<float>((c.hi - c.lo) / (l_hi - l_lo));
  const double beta_s = alpha_s * s_lo - c.lo;
  const double beta_l = alpha_l * l_lo - c.lo;
  std::vector<std::pair<uint32_t, uint32_t>> w = {
      {regs::ctrl::kOffset, c.ctrl},
      {regs::threshold::kOffset, f2b(c.threshold)},
      {regs::scale_small::kOffset, f2b(alpha_s)},
      {regs::rscale_small::kOffset, f2b(1.0f / alpha_s)},
      {regs::shift_small::kOffset, q20(beta_s)},
      {regs::scale_large::kOffset, f2b(alpha_l)},
      {regs::rscale_large::kOffset, f2b(1.0f / alpha_l)},
      {regs::shift_large::kOffset, q20(beta_l)},
      {regs::cells_small::kOffset, c.cells_small},
      {regs::cells_large::kOffset, c.cells_large},
      {regs::cells_sens::kOffset, c.cells_sens},
      {regs::range::kOffset, (q14(c.hi) << 16) | q14(c.lo)},
      {regs::res::kOffset, (c.adc_bits << 8) | c.dac_bits},
      {regs::dir::kOffset, c.dir_log2},
      {regs::analog_base::kOffset, c.analog_base},
      {regs::meta_base::kOffset, c.meta_base},
      {regs::dir_base::kOffset, c.dir_base},
  };
  for (uint32_t k = 0; k < regs::lut::kEntries; ++k) {
    w.emplace_back(regs::lut::kOffset + 4 * k, q20(-1.0 + static_cast<double>(k) / 16.0));
  }
  w.emplace_back(regs::cmd::kOffset,
                 regs::cmd::kStart.mask() | regs::cmd::kClearCounters.mask() | regs::cmd::kClearFlags.mask());
  return w;
}

// Writes the program; returns whether each write was accepted.
inline std::vector<bool> program(ControllerPort& port, const TensorConfig& c) {
  std::vector<bool> ok;
  for (const auto& [addr, data] : register_program(c)) ok.push_back(port.write_reg(addr, data).ok);
  return ok;
}

struct Tensor {
  std::vector<uint32_t> bits;
  std::vector<uint8_t> sens;
};

// n weights around N(0, (wmax/3)^2) with zeros, -0, values past wmax,
// tiny ones, a few NaN / infinities, and 20 % sensitive.
inline Tensor random_tensor(std::size_t n, float wmax, uint64_t seed, bool with_nan = true) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.0f, wmax / 3.0f);
  std::uniform_int_distribution<int> kind(0, 99);
  Tensor t;
  for (std::size_t i = 0; i < n; ++i) {
    const int k = kind(rng);
    float w = normal(rng);
    if (k < 3) w = 0.0f;
    else if (k < 5) w = -0.0f;
    else if (k < 9) w = (k % 2 ? -1.0f : 1.0f) * wmax * 1.5f;  // saturates
    else if (k < 11) w = std::ldexp(w, -30);                    // tiny
    uint32_t b = f2b(w);
    if (with_nan && k == 99) b = (i % 2 ? 0x7FC00001u : 0xFF800000u);
    t.bits.push_back(b);
    t.sens.push_back(static_cast<uint8_t>(kind(rng) < 20));
  }
  return t;
}

// Offsets of every readable register (the counters 0x080..0x0A8 among them).
inline std::vector<uint32_t> readable_registers() {
  std::vector<uint32_t> out;
  for (const auto& info : regs::kRegisters) {
    if (info.access == regs::Access::kWriteOnly) continue;
    for (uint32_t e = 0; e < info.entries; ++e) out.push_back(info.offset + 4 * e);
  }
  return out;
}

}  // namespace pcm::platform_test
