#include "pcm/sw/physical_cost.hpp"

namespace pcm::sw {

PhysicalCost physical_cost(const TensorCounters& c, const model::ArrayTiming& array,
                           const model::PulseCosts& costs, uint64_t weights) {
  PhysicalCost p;
  const double parallel = static_cast<double>(array.banks) * static_cast<double>(array.lanes);
  const double pulses = static_cast<double>(c.pulses + c.meta_written + c.dir_written);
  const double store_reads = static_cast<double>(c.verify_reads);
  const double load_reads = static_cast<double>(c.cells_read + c.meta_read + c.dir_read + c.ref_reads);
  p.store_us = (pulses * costs.program_ns + store_reads * costs.read_ns) / parallel * 1e-3;
  p.load_us = load_reads * costs.read_ns / parallel * 1e-3;
  p.store_uj = (pulses * costs.program_pj + store_reads * costs.read_pj) * 1e-6;
  p.load_uj = load_reads * costs.read_pj * 1e-6;
  if (weights > 0) p.pj_per_weight = (p.store_uj + p.load_uj) * 1e6 / static_cast<double>(weights);
  if (c.cells_written > 0) p.pulses_per_cell = static_cast<double>(c.pulses) / static_cast<double>(c.cells_written);
  return p;
}

}  // namespace pcm::sw
