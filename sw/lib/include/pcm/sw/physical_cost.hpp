#pragma once

// Store and load time and energy of a model from the controller's counters
// (the same counters for `rtl` and `model`, so the same figures), the array's
// organisation and the per-access costs (model/pulse_costs.hpp).

#include <cstdint>

#include "pcm/model/array_timing.hpp"
#include "pcm/model/pulse_costs.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/fields.hpp"

namespace pcm::sw {

struct PhysicalCost {
  double store_us = 0.0;         // programming, verify reads and digital writes
  double load_us = 0.0;          // analog and digital reads
  double store_uj = 0.0;
  double load_uj = 0.0;
  double pj_per_weight = 0.0;    // store and load
  double pulses_per_cell = 0.0;  // programming pulses per analog cell allocated
  double load_time_s = 0.0;      // seconds after programming the model was read

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("store_us", s.store_us);
    v("load_us", s.load_us);
    v("store_uj", s.store_uj);
    v("load_uj", s.load_uj);
    v("pj_per_weight", s.pj_per_weight);
    v("pulses_per_cell", s.pulses_per_cell);
    v("load_time_s", s.load_time_s);
  }
};

// Accesses run `banks x lanes` cells at a time (every bank programs or reads
// a row of `lanes` cells in parallel); pulses and reads run back to back.
PhysicalCost physical_cost(const TensorCounters& c, const model::ArrayTiming& array,
                           const model::PulseCosts& costs, uint64_t weights);

}  // namespace pcm::sw
