#include "pcm/sw/plan.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "pcm/regs/pcm_ctrl_regs.hpp"
#include "pcm/sw/config_error.hpp"

namespace pcm::sw {
namespace {

uint32_t float_bits(float f) {
  uint32_t u = 0;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

constexpr double kQ20 = 1048576.0;  // 2^20: Q11.20 and the t domain
constexpr double kQ14 = 16384.0;    // 2^14: RANGE
constexpr double kMaxShift = 4.0;   // |beta| <= 4 (SHIFT registers)
constexpr double kMaxT = 7.75;      // alpha * |m| stays below the Q3.20 limit of 8

// The widest legal map of the weight interval [a, b] onto [t_lo, t_hi]:
// t = alpha * m - beta with t(a) = t_lo.
ClassMap class_map(double a, double b, const ChannelMap& map) {
  const double span = map.t_hi - map.t_lo;
  const double width = b - a;
  const double amax = std::max(std::fabs(a), std::fabs(b));
  double alpha = width > 0.0 ? span / width : std::numeric_limits<double>::infinity();
  if (amax > 0.0) alpha = std::min(alpha, kMaxT / amax);
  if (a > 0.0) alpha = std::min(alpha, (kMaxShift + map.t_lo) / a);   // beta <= 4
  if (a < 0.0) alpha = std::min(alpha, (kMaxShift - map.t_lo) / -a);  // beta >= -4
  if (!std::isfinite(alpha)) alpha = 1.0;  // an all-zero class
  alpha = std::clamp(alpha, 0x1.0p-100, 0x1.0p100);
  ClassMap c;
  c.alpha = static_cast<float>(alpha);
  const double beta = static_cast<double>(c.alpha) * a - map.t_lo;
  c.beta = std::nearbyint(std::clamp(beta, -kMaxShift, kMaxShift) * kQ20) / kQ20;
  return c;
}

int32_t q20(double v) { return static_cast<int32_t>(std::nearbyint(v * kQ20)); }

}  // namespace

Strategy Strategy::parse(const std::string& text) {
  Strategy s;
  if (text == "none") return s;
  std::stringstream in(text);
  std::string part;
  int parts = 0;
  while (std::getline(in, part, '+')) {
    bool* flag = part == "sp" ? &s.sp : part == "am" ? &s.am : part == "ar" ? &s.ar
               : part == "sens" ? &s.sens : nullptr;
    if (flag == nullptr) {
      throw ConfigError("strategy", "unknown strategy '" + part + "' in '" + text +
                       "' (expected none, or sp, am, ar, sens joined by '+')");
    }
    if (*flag) throw ConfigError("strategy", "'" + part + "' given twice in '" + text + "'");
    *flag = true;
    ++parts;
  }
  if (parts == 0 || text.back() == '+') throw ConfigError("strategy", "malformed '" + text + "'");
  return s;
}

std::string Strategy::name() const {
  std::string n;
  for (auto [on, word] : {std::pair{sp, "sp"}, {am, "am"}, {ar, "ar"}, {sens, "sens"}}) {
    if (on) n += (n.empty() ? "" : "+") + std::string(word);
  }
  return n.empty() ? "none" : n;
}

ChannelMap ChannelMap::identity() {
  ChannelMap m;
  for (int k = 0; k < model::kKnotCount; ++k) m.knots[k] = -1.0 + k / 16.0;
  return m;
}

uint32_t TensorPlan::cells_of(float w, bool sensitive) const {
  if (strategy.sens && sensitive) return cells_sens;
  if (strategy.ar && std::fabs(w) >= threshold) return large.cells;
  return small.cells;
}

TensorPlan plan_tensor(const float* w, const uint8_t* sens, std::size_t n, const Strategy& s,
                       const PlanOptions& opt, const ChannelMap& map) {
  if (!(opt.cells >= 1.0 && opt.cells <= regs::kMaxCells)) {
    std::ostringstream msg;
    msg << "impossible cell budget " << opt.cells << " cells per weight (every weight needs 1 to "
        << regs::kMaxCells << " analog cells)";
    throw std::invalid_argument(msg.str());
  }
  if (!s.ar && !s.sens && opt.cells != std::floor(opt.cells)) {
    std::ostringstream msg;
    msg << "cell budget " << opt.cells
        << " is not a whole number: without ar or sens every weight gets the same number of cells";
    throw std::invalid_argument(msg.str());
  }
  TensorPlan p;
  p.strategy = s;
  p.map = map;
  // The DAC's top code is one step short of +1: keep t where the LUT output
  // can be represented (matters for an identity map, whose t_hi is 1).
  ChannelMap usable = map;
  usable.t_hi = std::min(map.t_hi, 1.0 - std::ldexp(1.0, -(opt.dac_bits - 1)));
  p.dac_bits = opt.dac_bits;
  p.adc_bits = opt.adc_bits;
  p.dir_log2 = opt.dir_log2;
  p.weights = n;

  std::vector<float> mag(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(w[i])) {
      throw std::invalid_argument("weight " + std::to_string(i) + " is " +
                                  (std::isnan(w[i]) ? "NaN" : "infinite"));
    }
    mag[i] = std::fabs(w[i]);
  }
  const double max_mag = n == 0 ? 0.0 : *std::max_element(mag.begin(), mag.end());

  // Threshold: the k-th largest magnitude, k = ceil(large_fraction * n).
  const bool classes = s.am || s.ar;
  if (classes && n > 0) {
    const auto k = std::clamp<std::size_t>(
        static_cast<std::size_t>(std::ceil(opt.large_fraction * static_cast<double>(n))), 1, n);
    std::nth_element(mag.begin(), mag.begin() + static_cast<std::ptrdiff_t>(k - 1), mag.end(),
                     std::greater<float>());
    p.threshold = std::max(mag[k - 1], std::numeric_limits<float>::min());
  }
  mag.clear();

  // Scales: each class's interval of m (|w| with SP, w without) onto [t_lo, t_hi].
  const double small_top = s.am ? static_cast<double>(p.threshold) : max_mag;
  p.small = s.sp ? class_map(0.0, small_top, usable) : class_map(-small_top, small_top, usable);
  if (s.am) {
    p.large = s.sp ? class_map(p.threshold, max_mag, usable) : class_map(-max_mag, max_mag, usable);
  } else {
    p.large = p.small;
  }

  // Cells: floor(budget) each; the rest of the budget (at least `boost` times
  // as many) goes to the large (AR) and sensitive (SENS) weights.
  std::size_t extra = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const bool is_sens = s.sens && sens != nullptr && sens[i] != 0;
    const bool is_large = classes && std::fabs(w[i]) >= p.threshold;
    p.large_weights += is_large;
    p.sensitive_weights += is_sens;
    extra += is_sens || (s.ar && is_large);
  }
  const auto base = static_cast<uint32_t>(std::floor(opt.cells));
  p.small.cells = base;
  uint32_t boosted = base;
  if (extra > 0) {
    const double spare = (opt.cells - base) * static_cast<double>(n) / static_cast<double>(extra);
    boosted = static_cast<uint32_t>(std::min<double>(
        regs::kMaxCells, std::max<double>(double(opt.boost) * base, base + std::ceil(spare))));
  }
  p.large.cells = s.ar ? boosted : base;
  p.cells_sens = s.sens ? boosted : base;
  for (std::size_t i = 0; i < n; ++i) p.analog_cells += p.cells_of(w[i], sens != nullptr && sens[i]);
  return p;
}

model::CodecConfig TensorPlan::codec() const {
  model::CodecConfig c;
  c.sp = strategy.sp;
  c.am = strategy.am;
  c.ar = strategy.ar;
  c.sens = strategy.sens;
  c.threshold = float_bits(threshold);
  c.scale_small = float_bits(small.alpha);
  c.rscale_small = float_bits(static_cast<float>(1.0 / static_cast<double>(small.alpha)));
  c.shift_small = q20(small.beta);
  c.scale_large = float_bits(large.alpha);
  c.rscale_large = float_bits(static_cast<float>(1.0 / static_cast<double>(large.alpha)));
  c.shift_large = q20(large.beta);
  c.cells_small = small.cells;
  c.cells_large = large.cells;
  c.cells_sens = cells_sens;
  c.range_lo = static_cast<int32_t>(std::ceil(map.t_lo * kQ14));
  c.range_hi = static_cast<int32_t>(std::floor(map.t_hi * kQ14));
  c.dac_bits = dac_bits;
  c.adc_bits = adc_bits;
  for (int k = 0; k < model::kKnotCount; ++k) c.lut[k] = q20(std::clamp(map.knots[k], -1.0, 1.0));
  return c;
}

std::vector<std::pair<uint32_t, uint32_t>> TensorPlan::registers() const {
  const model::CodecConfig c = codec();
  namespace r = regs;
  std::vector<std::pair<uint32_t, uint32_t>> w;
  uint32_t ctrl = 0;
  ctrl = r::ctrl::kSp.put(ctrl, c.sp);
  ctrl = r::ctrl::kAm.put(ctrl, c.am);
  ctrl = r::ctrl::kAr.put(ctrl, c.ar);
  ctrl = r::ctrl::kSens.put(ctrl, c.sens);
  w.emplace_back(r::ctrl::kOffset, ctrl);
  w.emplace_back(r::threshold::kOffset, c.threshold);
  w.emplace_back(r::scale_small::kOffset, c.scale_small);
  w.emplace_back(r::rscale_small::kOffset, c.rscale_small);
  w.emplace_back(r::shift_small::kOffset, static_cast<uint32_t>(c.shift_small));
  w.emplace_back(r::scale_large::kOffset, c.scale_large);
  w.emplace_back(r::rscale_large::kOffset, c.rscale_large);
  w.emplace_back(r::shift_large::kOffset, static_cast<uint32_t>(c.shift_large));
  w.emplace_back(r::cells_small::kOffset, c.cells_small);
  w.emplace_back(r::cells_large::kOffset, c.cells_large);
  w.emplace_back(r::cells_sens::kOffset, c.cells_sens);
  uint32_t range = 0;
  range = r::range::kLo.put(range, static_cast<uint32_t>(c.range_lo) & 0xFFFFu);
  range = r::range::kHi.put(range, static_cast<uint32_t>(c.range_hi) & 0xFFFFu);
  w.emplace_back(r::range::kOffset, range);
  uint32_t res = 0;
  res = r::res::kDacBits.put(res, static_cast<uint32_t>(c.dac_bits));
  res = r::res::kAdcBits.put(res, static_cast<uint32_t>(c.adc_bits));
  w.emplace_back(r::res::kOffset, res);
  w.emplace_back(r::dir::kOffset, static_cast<uint32_t>(dir_log2));
  for (int k = 0; k < model::kKnotCount; ++k) {
    w.emplace_back(r::lut::kOffset + 4u * static_cast<uint32_t>(k), static_cast<uint32_t>(c.lut[k]));
  }
  return w;
}

}  // namespace pcm::sw
