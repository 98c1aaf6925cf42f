#pragma once

// What program-and-verify does to a channel: the programmed spread of the
// pre-mapped channel with one pulse and with verify, measured through the
// functional model of the controller (the same cells and draws as `run`).

#include <cstdint>
#include <string>

#include "pcm/sw/engine.hpp"

namespace pcm::sw {

struct ProgrammedSpread {
  uint64_t cells = 0;            // weights stored, one cell each
  double std_once = 0.0;         // std of read-back minus written, t units, one pulse
  double std_verified = 0.0;     // the same with `verify`
  double pulses_per_cell = 0.0;  // with `verify`
  double failed_fraction = 0.0;  // cells still outside the tolerance
};

// `cells` weights evenly over the channel's usable range [t_lo, t_hi],
// strategy none at one cell per weight, 16-bit DAC and ADC, read at the
// channel's reference time; noise keyed by `seed`.
ProgrammedSpread programmed_spread(const std::string& channel_spec, const VerifyOptions& verify, uint64_t cells,
                                   uint64_t seed);

}  // namespace pcm::sw
