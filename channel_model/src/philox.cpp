#include "pcm/channel_model/philox.hpp"

#include <algorithm>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define PCM_PHILOX_AVX2 1
#endif

namespace pcm::channel_model {
namespace {

constexpr std::size_t kLanes = 8;
constexpr std::size_t kStage = 64;  // keys per stage: the stages' arrays stay in L1

// Counters and keys of up to eight draws as lanes: word w of lane l at [w][l].
struct Lanes {
  alignas(32) std::uint32_t ctr[4][kLanes];
  alignas(32) std::uint32_t key[2][kLanes];
};

void load(Lanes& lanes, const CellKey* keys, std::size_t m) {
  for (std::size_t l = 0; l < kLanes; ++l) {
    const CellKey& k = keys[l < m ? l : 0];  // spare lanes repeat the first key
    lanes.ctr[0][l] = static_cast<std::uint32_t>(k.address);
    lanes.ctr[1][l] = static_cast<std::uint32_t>(k.address >> 32);
    lanes.ctr[2][l] = k.access;
    lanes.ctr[3][l] = static_cast<std::uint32_t>(k.stream) << 16;  // block 0: a key's first draw
    lanes.key[0][l] = static_cast<std::uint32_t>(k.seed);
    lanes.key[1][l] = static_cast<std::uint32_t>(k.seed >> 32);
  }
}

void philox_lanes_scalar(Lanes& lanes) {
  for (std::size_t l = 0; l < kLanes; ++l) {
    const PhiloxCounter out = philox4x32_10({lanes.ctr[0][l], lanes.ctr[1][l], lanes.ctr[2][l], lanes.ctr[3][l]},
                                            {lanes.key[0][l], lanes.key[1][l]});
    for (std::size_t w = 0; w < 4; ++w) lanes.ctr[w][l] = out[w];
  }
}

#ifdef PCM_PHILOX_AVX2
// philox4x32_10 on eight lanes. _mm256_mul_epu32 multiplies the even 32-bit
// lanes into 64-bit products, so the odd lanes go through a second multiply
// after a shift; the blends put each product's low and high words back into
// the lanes they came from.
__attribute__((target("avx2"))) void philox_lanes_avx2(Lanes& lanes) {
  __m256i c0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes.ctr[0]));
  __m256i c1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes.ctr[1]));
  __m256i c2 = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes.ctr[2]));
  __m256i c3 = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes.ctr[3]));
  __m256i k0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes.key[0]));
  __m256i k1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(lanes.key[1]));
  const __m256i m0 = _mm256_set1_epi64x(detail::kPhiloxM0);
  const __m256i m1 = _mm256_set1_epi64x(detail::kPhiloxM1);
  const __m256i w0 = _mm256_set1_epi32(static_cast<int>(detail::kPhiloxW0));
  const __m256i w1 = _mm256_set1_epi32(static_cast<int>(detail::kPhiloxW1));
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 = _mm256_add_epi32(k0, w0);
      k1 = _mm256_add_epi32(k1, w1);
    }
    const __m256i p0_even = _mm256_mul_epu32(c0, m0);
    const __m256i p0_odd = _mm256_mul_epu32(_mm256_srli_epi64(c0, 32), m0);
    const __m256i p1_even = _mm256_mul_epu32(c2, m1);
    const __m256i p1_odd = _mm256_mul_epu32(_mm256_srli_epi64(c2, 32), m1);
    const __m256i lo0 = _mm256_blend_epi32(p0_even, _mm256_slli_epi64(p0_odd, 32), 0xAA);
    const __m256i hi0 = _mm256_blend_epi32(_mm256_srli_epi64(p0_even, 32), p0_odd, 0xAA);
    const __m256i lo1 = _mm256_blend_epi32(p1_even, _mm256_slli_epi64(p1_odd, 32), 0xAA);
    const __m256i hi1 = _mm256_blend_epi32(_mm256_srli_epi64(p1_even, 32), p1_odd, 0xAA);
    c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), k0);
    c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), k1);
    c1 = lo1;
    c3 = lo0;
  }
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes.ctr[0]), c0);
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes.ctr[1]), c1);
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes.ctr[2]), c2);
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes.ctr[3]), c3);
}

bool has_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}
#endif

void philox_lanes(Lanes& lanes) {
#ifdef PCM_PHILOX_AVX2
  if (has_avx2()) {
    philox_lanes_avx2(lanes);
    return;
  }
#endif
  philox_lanes_scalar(lanes);
}

}  // namespace

void first_normals(const CellKey* keys, double* out, std::size_t n) {
  // CellRng::normal()'s arithmetic, in its order, stage by stage
  double u1[kStage];
  double angle[kStage];
  std::uint8_t octant[kStage];
  std::uint8_t order[kStage];
  Lanes lanes;
  for (std::size_t begin = 0; begin < n; begin += kStage) {
    const std::size_t m = std::min(kStage, n - begin);
    for (std::size_t g = 0; g < m; g += kLanes) {
      const std::size_t lanes_used = std::min(kLanes, m - g);
      load(lanes, keys + begin + g, lanes_used);
      philox_lanes(lanes);
      for (std::size_t l = 0; l < lanes_used; ++l) {
        u1[g + l] = uniform_open01(lanes.ctr[0][l], lanes.ctr[1][l]);
        angle[g + l] = detail::kTwoPi * uniform_open01(lanes.ctr[2][l], lanes.ctr[3][l]);
        octant[g + l] = static_cast<std::uint8_t>(lanes.ctr[2][l] >> 29);  // the angle's top three bits
      }
    }
    for (std::size_t k = 0; k < m; ++k) u1[k] = std::sqrt(-2.0 * std::log(u1[k]));
    // cos takes one of several branches by the angle's range and quadrant;
    // calls in order of octant mostly repeat the branch before (random
    // angles cost about twice as much)
    std::size_t start[9] = {};
    for (std::size_t k = 0; k < m; ++k) ++start[octant[k] + 1];
    for (std::size_t q = 0; q < 8; ++q) start[q + 1] += start[q];
    for (std::size_t k = 0; k < m; ++k) order[start[octant[k]]++] = static_cast<std::uint8_t>(k);
    for (std::size_t j = 0; j < m; ++j) {
      const std::size_t k = order[j];
      out[begin + k] = u1[k] * std::cos(angle[k]);
    }
  }
}

}  // namespace pcm::channel_model
