#include "pcm/sw/compress.hpp"

#include <algorithm>
#include <cmath>

namespace pcm::sw {

double entropy_bits(double p) {
  if (p <= 0.0 || p >= 1.0) return 0.0;
  return -p * std::log2(p) - (1.0 - p) * std::log2(1.0 - p);
}

std::vector<uint32_t> kept_after_pruning(const float* w, std::size_t n, double sparsity) {
  std::vector<uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(i);
  const auto drop = static_cast<std::size_t>(std::floor(sparsity * static_cast<double>(n)));
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(drop), order.end(),
                   [w](uint32_t a, uint32_t b) {
                     return std::fabs(w[a]) < std::fabs(w[b]) || (std::fabs(w[a]) == std::fabs(w[b]) && a < b);
                   });
  std::vector<uint32_t> kept(order.begin() + static_cast<std::ptrdiff_t>(drop), order.end());
  std::sort(kept.begin(), kept.end());
  return kept;
}

double mask_bits(std::size_t n, std::size_t kept) {
  if (n == 0) return 0.0;
  const double pruned = 1.0 - static_cast<double>(kept) / static_cast<double>(n);
  return static_cast<double>(n) * entropy_bits(pruned);
}

void quantize(const float* w, std::size_t n, int bits, float* out) {
  if (bits >= 32) {
    std::copy(w, w + n, out);
    return;
  }
  float max = 0.0f;
  for (std::size_t i = 0; i < n; ++i) max = std::max(max, std::fabs(w[i]));
  const double top = std::ldexp(1.0, bits - 1) - 1.0;
  const double scale = max > 0.0f ? static_cast<double>(max) / top : 1.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double q = std::clamp(std::nearbyint(static_cast<double>(w[i]) / scale), -top, top);
    out[i] = static_cast<float>(q * scale);
  }
}

}  // namespace pcm::sw
