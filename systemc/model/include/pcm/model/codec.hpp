#pragma once

// The controller's arithmetic as pure functions, bit for bit what rtl/
// computes (pcm_encoder.sv, pcm_decoder.sv). rtl/README.md documents the
// formats; the bench in testbench/ holds the two to each other.

#include <array>
#include <cstdint>

#include "pcm/regs/pcm_ctrl_regs.hpp"

namespace pcm::model {

inline constexpr int kKnotCount = (1 << regs::kLutLog2) + 1;
inline constexpr int kMetaSignBit = 0;
inline constexpr int kMetaLargeBit = 1;
inline constexpr int kMetaSensBit = 2;

// Register contents the datapath uses (raw register values).
struct CodecConfig {
  bool sp = false;
  bool am = false;
  bool ar = false;
  bool sens = false;
  uint32_t threshold = 0;          // fp32 bits
  uint32_t scale_small = 0x3F800000;   // fp32 bits of alpha
  uint32_t rscale_small = 0x3F800000;  // fp32 bits of 1/alpha
  int32_t shift_small = 0;         // beta, Q11.20
  uint32_t scale_large = 0x3F800000;
  uint32_t rscale_large = 0x3F800000;
  int32_t shift_large = 0;
  uint32_t cells_small = 1;
  uint32_t cells_large = 1;
  uint32_t cells_sens = 1;
  int32_t range_lo = -16384;       // Q2.14
  int32_t range_hi = 16384;
  int dac_bits = 16;
  int adc_bits = 16;
  std::array<int32_t, kKnotCount> lut{};  // Q11.20 knots

  bool meta_enabled() const { return sp || am || ar || sens; }
  bool directory_enabled() const { return ar || sens; }
};

struct Encoded {
  bool refused = false;    // NaN or infinity: not stored
  bool saturated = false;  // t clipped to [lo, hi]
  uint32_t meta = 0;       // sign | large << 1 | sens << 2
  int32_t t = 0;           // Q3.20 after saturation
  int32_t x = 0;           // Q3.20 after the LUT
  int32_t code = 0;        // DAC code
  int32_t target = 0;      // ADC code a verify read should show: t at the ADC's resolution
  uint32_t cells = 0;
};

// Arithmetic right shift (implementation-defined before C++20 for negatives).
constexpr int64_t asr(int64_t v, int s) { return v >= 0 ? v >> s : -((-v - 1) >> s) - 1; }

inline int32_t clamp_code(int64_t code, int bits) {
  const int64_t code_max = (int64_t{1} << (bits - 1)) - 1;
  const int64_t code_min = -(int64_t{1} << (bits - 1));
  return static_cast<int32_t>(code < code_min ? code_min : code > code_max ? code_max : code);
}

// round(v * 2^(bits-1)) of a Q3.20 value, half up, clamped to the bits-bit
// range. Inline: the encoder calls it twice per weight.
inline int32_t code_of(int64_t q20, int bits) {
  const int shift = regs::kTFrac + 1 - bits;
  return clamp_code(asr(q20 + (int64_t{1} << (shift - 1)), shift), bits);
}

// Program-and-verify (rtl/README.md, "Program and verify"): the gain is
// unsigned Q.kGainFrac; a correction is computed with kVerifyPreShift extra
// bits so that its right shift stays positive for every DAC/ADC pair.
inline constexpr int kGainFrac = 8;
inline constexpr int kVerifyPreShift = 8;
// The DAC code of the next pulse after a verify read that missed its target by
// `error` ADC codes (target - read): code + round(error * gain / 2^kGainFrac
// * 2^(dac_bits - adc_bits)), clamped to the DAC range.
int32_t verify_correct(int32_t code, int32_t error, uint32_t gain, int dac_bits, int adc_bits);

// encode() is Encoder(cfg)(weight_bits, sensitive).
Encoded encode(const CodecConfig& cfg, uint32_t weight_bits, bool sensitive);

// The encoder for one configuration, with what depends only on the registers
// worked out once: each mapping class's scale and beta, the saturation range
// in Q3.20, the LUT's knots sign-extended, the cell counts.
class Encoder {
 public:
  explicit Encoder(const CodecConfig& cfg);
  Encoded operator()(uint32_t weight_bits, bool sensitive) const;

 private:
  struct Map {
    uint64_t a_mant = 0;  // alpha's mantissa with the hidden bit
    int shamt_base = 0;   // alpha's exponent less the product's bias
    int64_t beta = 0;
  };
  bool sp_ = false;
  bool am_ = false;
  bool ar_ = false;
  bool sens_ = false;
  bool classes_ = false;  // am or ar: a weight is small or large
  uint32_t threshold_abs_ = 0;
  Map small_;
  Map large_;
  int64_t lo_ = 0;
  int64_t hi_ = 0;
  std::array<int64_t, kKnotCount> knot_{};
  int dac_bits_ = 16;
  int adc_bits_ = 16;
  uint32_t cells_small_ = 1;
  uint32_t cells_large_ = 1;
  uint32_t cells_sens_ = 1;
};
uint32_t cells_for(const CodecConfig& cfg, uint32_t meta);
// ceil(2^32 / r), the reciprocal the decoder multiplies by.
uint64_t recip_of(uint32_t r);
// fp32 bits from the sum of a weight's ADC codes and its metadata record;
// drift_offset (Q3.20, from the reference cells) is subtracted from the mean.
uint32_t decode(const CodecConfig& cfg, uint32_t meta, int64_t adc_sum, int32_t drift_offset = 0);

// cells_for and decode for one configuration, with what depends only on the
// registers and the record's three bits (its class) computed once: the
// reciprocal's division, the class's beta and 1/alpha. Same bits as decode().
class Decoder {
 public:
  explicit Decoder(const CodecConfig& cfg);
  uint32_t cells(uint32_t meta) const { return class_[meta & (kClasses - 1)].cells; }
  uint32_t operator()(uint32_t meta, int64_t adc_sum, int32_t drift_offset) const;

 private:
  static constexpr uint32_t kClasses = 8;  // sign, large, sens: the bits cells_for and decode read
  struct Class {
    uint32_t cells = 1;
    uint64_t recip = 0;
    int64_t beta = 0;
    uint32_t rscale = 0;
    bool sign = false;
  };
  CodecConfig cfg_;
  std::array<Class, kClasses> class_{};
};

// Reference cells for drift compensation (rtl/pcm_refs.sv): the LUT knots
// they hold cycle over [first_ref_knot, last_ref_knot], the knots inside the
// usable range (the one at or below hi when none is inside).
int first_ref_knot(const CodecConfig& cfg);
int last_ref_knot(const CodecConfig& cfg);
// The knot of the reference after one holding `knot` (wraps to the first).
int next_ref_knot(const CodecConfig& cfg, int knot);
// The read-out expected from a cell holding knot s: t = -1 + s / 16 at the
// ADC's resolution.
int32_t ref_target(int knot, int adc_bits);
// The offset a set of reference read-outs gives: the sum of (read - expected)
// ADC codes over 2^ref_log2 cells, as a mean in Q3.20, rounded half up.
int32_t drift_offset_of(int64_t error_sum, int ref_log2, int adc_bits);

}  // namespace pcm::model
