#include "pcm/model/codec.hpp"

#include <algorithm>

namespace pcm::model {
namespace {

constexpr int kTFrac = regs::kTFrac;
constexpr int kMantBits = 23;
constexpr int kExpBias = 127;
constexpr int kMagBits = regs::kTWidth - 1;
constexpr uint64_t kMagMax = (uint64_t{1} << kMagBits) - 1;
constexpr int kSegShift = kTFrac + 1 - regs::kLutLog2;

constexpr int32_t sext(uint32_t v, int bits) {
  const uint32_t m = 1u << (bits - 1);
  const uint32_t x = v & ((bits >= 32) ? ~0u : ((1u << bits) - 1u));
  return static_cast<int32_t>((x ^ m)) - static_cast<int32_t>(m);
}

}  // namespace

uint32_t cells_for(const CodecConfig& cfg, uint32_t meta) {
  if (cfg.sens && ((meta >> kMetaSensBit) & 1u)) return cfg.cells_sens;
  if (cfg.ar && ((meta >> kMetaLargeBit) & 1u)) return cfg.cells_large;
  return cfg.cells_small;
}

uint64_t recip_of(uint32_t r) {
  if (r == 0) return 0;
  return ((uint64_t{1} << regs::kRecipFrac) + r - 1) / r;
}

Encoded encode(const CodecConfig& cfg, uint32_t weight_bits, bool sensitive) {
  return Encoder(cfg)(weight_bits, sensitive);
}

Encoder::Encoder(const CodecConfig& cfg)
    : sp_(cfg.sp),
      am_(cfg.am),
      ar_(cfg.ar),
      sens_(cfg.sens),
      classes_(cfg.am || cfg.ar),
      threshold_abs_(cfg.threshold & 0x7FFFFFFFu),
      lo_(static_cast<int64_t>(cfg.range_lo) * (1 << (kTFrac - regs::kRangeFrac))),
      hi_(static_cast<int64_t>(cfg.range_hi) * (1 << (kTFrac - regs::kRangeFrac))),
      dac_bits_(cfg.dac_bits),
      adc_bits_(cfg.adc_bits),
      cells_small_(cfg.cells_small),
      cells_large_(cfg.cells_large),
      cells_sens_(cfg.cells_sens) {
  auto map = [](uint32_t scale, int32_t shift) {
    Map m;
    m.a_mant = (1u << kMantBits) | (scale & 0x7FFFFFu);
    m.shamt_base = static_cast<int>((scale >> 23) & 0xFFu) - (2 * (kExpBias + kMantBits) - kTFrac);
    m.beta = sext(static_cast<uint32_t>(shift), regs::kTWidth);
    return m;
  };
  small_ = map(cfg.scale_small, cfg.shift_small);
  large_ = map(cfg.scale_large, cfg.shift_large);
  for (std::size_t k = 0; k < knot_.size(); ++k) knot_[k] = sext(static_cast<uint32_t>(cfg.lut[k]), regs::kTWidth);
}

Encoded Encoder::operator()(uint32_t w, bool sensitive) const {
  Encoded out;
  const uint32_t w_exp = (w >> 23) & 0xFFu;
  const bool w_sign = (w >> 31) != 0;
  const uint32_t w_abs = w & 0x7FFFFFFFu;
  const bool large = classes_ && w_abs >= threshold_abs_;
  const Map& map = am_ && large ? large_ : small_;
  const bool sens = sens_ && sensitive;
  out.refused = w_exp == 0xFFu;
  out.meta = (sp_ && w_sign && w_abs != 0 ? 1u << kMetaSignBit : 0u) | (large ? 1u << kMetaLargeBit : 0u) |
             (sens ? 1u << kMetaSensBit : 0u);

  // |w| * alpha in Q.TFrac, rounded half up, saturating below 2^(MagBits - TFrac).
  const uint64_t w_mant = (w_exp != 0 ? 1u << kMantBits : 0u) | (w & 0x7FFFFFu);
  const uint64_t prod = w_mant * map.a_mant;
  const int shamt = (w_exp == 0 ? 1 : static_cast<int>(w_exp)) + map.shamt_base;
  uint64_t mag = 0;
  if (prod == 0) {
    mag = 0;
  } else if (shamt >= 0) {
    mag = (shamt >= kMagBits || prod > (kMagMax >> shamt)) ? kMagMax : prod << shamt;
  } else if (-shamt <= 48) {
    const int n = -shamt;
    const uint64_t wide = (prod + (uint64_t{1} << (n - 1))) >> n;
    mag = wide > kMagMax ? kMagMax : wide;
  }
  const int64_t v = (sp_ || !w_sign) ? static_cast<int64_t>(mag) : -static_cast<int64_t>(mag);
  const int64_t t_pre = v - map.beta;
  int64_t t = t_pre;
  if (t_pre < lo_) {
    t = lo_;
    out.saturated = true;
  } else if (t_pre > hi_) {
    t = hi_;
    out.saturated = true;
  }
  out.t = static_cast<int32_t>(t);

  // Pre-mapping through the piecewise-linear LUT.
  const int64_t u = t + (int64_t{1} << kTFrac);
  const int seg = static_cast<int>(u >> kSegShift);
  const int64_t frac = u & ((int64_t{1} << kSegShift) - 1);
  const int64_t knot_lo = knot_[static_cast<std::size_t>(seg)];
  const int64_t slope = seg < kKnotCount - 1 ? (knot_[static_cast<std::size_t>(seg) + 1] - knot_lo) * frac : 0;
  const int64_t x = knot_lo + asr(slope + (int64_t{1} << (kSegShift - 1)), kSegShift);
  out.x = static_cast<int32_t>(x);

  out.code = code_of(x, dac_bits_);
  // what a verify read should show: t, the value the decoder reads back
  out.target = code_of(t, adc_bits_);
  out.cells = sens ? cells_sens_ : ar_ && large ? cells_large_ : cells_small_;  // cells_for(meta)
  return out;
}

int32_t verify_correct(int32_t code, int32_t error, uint32_t gain, int dac_bits, int adc_bits) {
  // error * gain / 2^kGainFrac, from ADC to DAC steps, rounded half up
  const int shift = kGainFrac + kVerifyPreShift + adc_bits - dac_bits;
  const int64_t wide = (static_cast<int64_t>(error) * static_cast<int64_t>(gain)) * (int64_t{1} << kVerifyPreShift);
  const int64_t delta = asr(wide + (int64_t{1} << (shift - 1)), shift);
  return clamp_code(int64_t{code} + delta, dac_bits);
}

int first_ref_knot(const CodecConfig& cfg) {
  const int shift = regs::kRangeFrac + 1 - regs::kLutLog2;
  const int lo = static_cast<int>((cfg.range_lo + (1 << regs::kRangeFrac) + (1 << shift) - 1) >> shift);
  return std::min(lo, last_ref_knot(cfg));
}

int last_ref_knot(const CodecConfig& cfg) {
  const int shift = regs::kRangeFrac + 1 - regs::kLutLog2;
  return static_cast<int>((cfg.range_hi + (1 << regs::kRangeFrac)) >> shift);
}

int next_ref_knot(const CodecConfig& cfg, int knot) {
  return knot >= last_ref_knot(cfg) ? first_ref_knot(cfg) : knot + 1;
}

int32_t ref_target(int knot, int adc_bits) {
  return code_of((int64_t{knot} << kSegShift) - (int64_t{1} << kTFrac), adc_bits);
}

int32_t drift_offset_of(int64_t error_sum, int ref_log2, int adc_bits) {
  int64_t v = error_sum * (int64_t{1} << (kTFrac + 1 - adc_bits));
  if (ref_log2 > 0) v = asr(v + (int64_t{1} << (ref_log2 - 1)), ref_log2);
  const int64_t top = (int64_t{1} << (regs::kTWidth - 1)) - 1;
  return static_cast<int32_t>(std::clamp(v, -top - 1, top));
}

namespace {

// decode() once the record's class is known: one arithmetic for decode() and
// Decoder, so that the two give the same bits.
uint32_t decode_class(const CodecConfig& cfg, bool sign, uint64_t recip, int64_t beta, uint32_t rscale,
                      int64_t adc_sum, int32_t drift_offset) {
  const int up = kTFrac + 1 - cfg.adc_bits;
  const int down = regs::kRecipFrac - up;
  const int64_t num = adc_sum * static_cast<int64_t>(recip);
  const int64_t mean = asr(num + (int64_t{1} << (down - 1)), down);
  int64_t m = mean - drift_offset + beta;
  if (cfg.sp && m < 0) m = 0;
  const bool neg = cfg.sp ? sign : m < 0;
  const uint64_t mag = static_cast<uint64_t>(m < 0 ? -m : m);
  const uint64_t prod = mag * ((1u << kMantBits) | (rscale & 0x7FFFFFu));
  const uint32_t sign_bit = neg ? 0x80000000u : 0u;
  if (prod == 0) return sign_bit;
  const int lead = 63 - __builtin_clzll(prod);  // the highest set bit (prod != 0)
  int exp_b = lead + static_cast<int>((rscale >> 23) & 0xFFu) - (kTFrac + kMantBits);
  uint64_t mant = 0;
  if (lead >= kMantBits + 1) {
    mant = (prod >> (lead - kMantBits)) + ((prod >> (lead - kMantBits - 1)) & 1u);
    if (mant >> (kMantBits + 1)) {
      mant >>= 1;
      ++exp_b;
    }
  } else {
    mant = prod << (kMantBits - lead);
  }
  if (exp_b <= 0) return sign_bit;
  if (exp_b >= 255) return sign_bit | 0x7F7FFFFFu;
  return sign_bit | (static_cast<uint32_t>(exp_b) << 23) | static_cast<uint32_t>(mant & 0x7FFFFFu);
}

}  // namespace

uint32_t decode(const CodecConfig& cfg, uint32_t meta, int64_t adc_sum, int32_t drift_offset) {
  const bool large = ((meta >> kMetaLargeBit) & 1u) != 0;
  const bool map_large = cfg.am && large;
  const bool sign = cfg.sp && ((meta >> kMetaSignBit) & 1u);
  const int64_t beta = sext(static_cast<uint32_t>(map_large ? cfg.shift_large : cfg.shift_small),
                            regs::kTWidth);
  return decode_class(cfg, sign, recip_of(cells_for(cfg, meta)), beta,
                      map_large ? cfg.rscale_large : cfg.rscale_small, adc_sum, drift_offset);
}

Decoder::Decoder(const CodecConfig& cfg) : cfg_(cfg) {
  for (uint32_t meta = 0; meta < kClasses; ++meta) {
    const bool map_large = cfg.am && ((meta >> kMetaLargeBit) & 1u) != 0;
    Class& c = class_[meta];
    c.cells = cells_for(cfg, meta);
    c.recip = recip_of(c.cells);
    c.beta = sext(static_cast<uint32_t>(map_large ? cfg.shift_large : cfg.shift_small), regs::kTWidth);
    c.rscale = map_large ? cfg.rscale_large : cfg.rscale_small;
    c.sign = cfg.sp && ((meta >> kMetaSignBit) & 1u);
  }
}

uint32_t Decoder::operator()(uint32_t meta, int64_t adc_sum, int32_t drift_offset) const {
  const Class& c = class_[meta & (kClasses - 1)];
  return decode_class(cfg_, c.sign, c.recip, c.beta, c.rscale, adc_sum, drift_offset);
}

}  // namespace pcm::model
