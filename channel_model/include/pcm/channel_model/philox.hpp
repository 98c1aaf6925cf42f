// Philox 4x32-10, the counter-based generator of Salmon et al. (SC'11,
// "Parallel random numbers: as easy as 1, 2, 3"), as in Random123, cuRAND
// and PyTorch. Every random draw in pcmsim is a pure function of a key:
// (seed, cell address, access count, stream), never a position in a stream
// (ARCHITECTURE.md, "Noise is a function").
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace pcm::channel_model {

using PhiloxCounter = std::array<std::uint32_t, 4>;
using PhiloxKey = std::array<std::uint32_t, 2>;

namespace detail {
constexpr std::uint32_t kPhiloxM0 = 0xD2511F53u;
constexpr std::uint32_t kPhiloxM1 = 0xCD9E8D57u;
constexpr std::uint32_t kPhiloxW0 = 0x9E3779B9u;  // golden ratio
constexpr std::uint32_t kPhiloxW1 = 0xBB67AE85u;  // sqrt(3) - 1
constexpr double kTwoPi = 6.283185307179586476925286766559;  // Box-Muller's angle

constexpr PhiloxCounter philox_round(const PhiloxCounter& c, const PhiloxKey& k) {
  const std::uint64_t p0 = std::uint64_t{kPhiloxM0} * c[0];
  const std::uint64_t p1 = std::uint64_t{kPhiloxM1} * c[2];
  const auto hi0 = static_cast<std::uint32_t>(p0 >> 32);
  const auto lo0 = static_cast<std::uint32_t>(p0);
  const auto hi1 = static_cast<std::uint32_t>(p1 >> 32);
  const auto lo1 = static_cast<std::uint32_t>(p1);
  return {hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0};
}
}  // namespace detail

// The bijection itself: ten rounds, key bumped between rounds.
constexpr PhiloxCounter philox4x32_10(PhiloxCounter ctr, PhiloxKey key) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += detail::kPhiloxW0;
      key[1] += detail::kPhiloxW1;
    }
    ctr = detail::philox_round(ctr, key);
  }
  return ctr;
}

// What a draw is for. Separate streams keep, say, the programming noise of a
// cell independent of its read noise under the same (seed, address, access).
enum class Stream : std::uint16_t {
  kProgram = 0,  // value a cell takes when written
  kRead = 1,     // noise added by a read-out
  kDrift = 2,    // a cell's drift exponent, drawn when it is programmed
  kTest = 0xFFFF,
};

// The key of every draw: which experiment (seed), which cell (address), which
// time that cell is touched (access), and what for (stream).
struct CellKey {
  std::uint64_t seed = 0;
  std::uint64_t address = 0;
  std::uint32_t access = 0;
  Stream stream = Stream::kProgram;
};

// 53-bit uniform in the open interval (0, 1) from two 32-bit words.
constexpr double uniform_open01(std::uint32_t a, std::uint32_t b) {
  const std::uint64_t bits = (std::uint64_t{a} << 21) ^ (std::uint64_t{b} >> 11);  // 53 bits
  return (static_cast<double>(bits & ((std::uint64_t{1} << 53) - 1)) + 0.5) * 0x1.0p-53;
}

// The draws belonging to one key. Counter layout:
//   ctr = {address lo, address hi, access, stream << 16 | block}
//   key = {seed lo, seed hi}
// Each block yields two 53-bit uniforms, or two normals (Box-Muller, both
// branches). 65,536 blocks per key are far more than any cell model needs.
class CellRng {
 public:
  explicit CellRng(const CellKey& key)
      : ctr_{static_cast<std::uint32_t>(key.address), static_cast<std::uint32_t>(key.address >> 32),
             key.access, static_cast<std::uint32_t>(key.stream) << 16},
        key_{static_cast<std::uint32_t>(key.seed), static_cast<std::uint32_t>(key.seed >> 32)} {}

  // Next uniform in (0, 1).
  double uniform() {
    if (!has_uniform_) {
      const PhiloxCounter out = next_block();
      uniform_cache_ = uniform_open01(out[2], out[3]);
      has_uniform_ = true;
      return uniform_open01(out[0], out[1]);
    }
    has_uniform_ = false;
    return uniform_cache_;
  }

  // Next standard normal. The sine branch is computed only when asked for:
  // most keys draw one normal, and the sine would cost as much as the cosine.
  double normal() {
    if (!has_normal_) {
      const PhiloxCounter out = next_block();
      const double u1 = uniform_open01(out[0], out[1]);
      normal_angle_ = detail::kTwoPi * uniform_open01(out[2], out[3]);
      normal_radius_ = std::sqrt(-2.0 * std::log(u1));
      has_normal_ = true;
      return normal_radius_ * std::cos(normal_angle_);
    }
    has_normal_ = false;
    return normal_radius_ * std::sin(normal_angle_);
  }

 private:
  PhiloxCounter next_block() {
    PhiloxCounter c = ctr_;
    c[3] |= block_;
    block_ = static_cast<std::uint16_t>(block_ + 1);
    return philox4x32_10(c, key_);
  }

  PhiloxCounter ctr_;
  PhiloxKey key_;
  std::uint16_t block_ = 0;
  bool has_uniform_ = false;
  bool has_normal_ = false;
  double uniform_cache_ = 0.0;
  double normal_radius_ = 0.0;
  double normal_angle_ = 0.0;
};

// The first normal() of CellRng(keys[k]) for each k < n, the same bits,
// computed in stages over the keys so that the work of different keys
// overlaps: the Philox blocks eight keys at a time (AVX2 integer lanes where
// the CPU has them: the same integers), then every log, then every cos. The
// scalar path spends most of a draw waiting on one call's result.
void first_normals(const CellKey* keys, double* out, std::size_t n);

}  // namespace pcm::channel_model
