// The host's per-tensor choices: strategy enables, threshold, scale and shift
// per class, cell counts, and the register values that program them. No
// LibTorch here: a tensor is a span of floats.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pcm/model/codec.hpp"

namespace pcm::sw {

// Which of the paper's strategies are on (section 3.1).
struct Strategy {
  bool sp = false;    // sign protection: the sign is a digital bit
  bool am = false;    // adaptive mapping: small and large weights get their own scale
  bool ar = false;    // adaptive redundancy: large weights get more cells
  bool sens = false;  // sensitivity-driven redundancy: Fisher-sensitive weights get more cells
  // "none", or strategies joined by '+', any order ("sp+am+ar+sens").
  static Strategy parse(const std::string& text);  // ConfigError ("strategy") when malformed
  std::string name() const;                        // canonical: "none", "sp+am", ...
  // Metadata bits per weight the enabled strategies need: SP 1, AM or AR 1, SENS 1.
  int meta_bits() const { return int(sp) + int(am || ar) + int(sens); }
};

// The usable pre-mapped range and the pre-mapping the controller's LUT holds.
struct ChannelMap {
  double t_lo = -1.0;  // t = alpha * m - beta must stay in [t_lo, t_hi]
  double t_hi = 1.0;
  std::array<double, model::kKnotCount> knots{};  // h(-1 + k/16), k = 0..32
  static ChannelMap identity();
};

// How cells and classes are chosen for every tensor (the same rule for all).
struct PlanOptions {
  double cells = 1.0;             // target average analog cells per weight
  double large_fraction = 0.01;   // share of a tensor's weights in the large class (AM, AR)
  unsigned boost = 4;             // minimum factor of extra cells for large / sensitive weights
  int dac_bits = 16;
  int adc_bits = 16;
  int dir_log2 = 10;              // directory block: 2^dir_log2 weights (AR, SENS)
};

// One class's linear map m -> t = alpha * m - beta and its cell count.
struct ClassMap {
  float alpha = 1.0f;
  double beta = 0.0;  // as programmed (Q11.20)
  uint32_t cells = 1;
};

struct TensorPlan {
  Strategy strategy;
  float threshold = 0.0f;  // |w| >= threshold is large (AM, AR)
  ClassMap small;
  ClassMap large;
  uint32_t cells_sens = 1;
  ChannelMap map;
  int dac_bits = 16;
  int adc_bits = 16;
  int dir_log2 = 10;
  std::size_t weights = 0;
  std::size_t large_weights = 0;      // |w| >= threshold (with AM or AR)
  std::size_t sensitive_weights = 0;  // marked and SENS on
  uint64_t analog_cells = 0;          // sum of every weight's cells

  // The codec configuration the registers below program (for engine ideal
  // and for checks).
  model::CodecConfig codec() const;
  // (address, value) register writes that configure a tensor, in order,
  // before CMD.START (bases and CMD are the caller's).
  std::vector<std::pair<uint32_t, uint32_t>> registers() const;
  uint32_t cells_of(float w, bool sensitive) const;
};

// Applies the rule (documented in sw/README.md) to one tensor. sens may be
// nullptr (no weight marked). Throws std::invalid_argument for an impossible
// budget or a non-finite weight (naming the index).
TensorPlan plan_tensor(const float* w, const uint8_t* sens, std::size_t n, const Strategy& s,
                       const PlanOptions& opt, const ChannelMap& map);

}  // namespace pcm::sw
