#include "pcm/sw/cell_cost.hpp"

#include <stdexcept>

namespace pcm::sw {

CellCost cell_cost(const CellUse& use, double bits_per_digital_cell) {
  if (use.weights == 0) throw std::invalid_argument("cell cost of a model with no weights");
  if (!(bits_per_digital_cell > 0.0)) throw std::invalid_argument("bits per digital cell must be > 0");
  const double w = static_cast<double>(use.weights);
  const double per_weight = bits_per_digital_cell * w;  // bits -> cells per weight
  CellCost c;
  c.analog = static_cast<double>(use.analog_cells) / w;
  c.metadata = use.metadata_bits / per_weight;
  c.directory = 32.0 * static_cast<double>(use.directory_words) / per_weight;
  c.mask = use.mask_bits / per_weight;
  c.digital = use.digital_bits / per_weight;
  c.total = c.analog + c.metadata + c.directory + c.mask + c.digital;
  return c;
}

}  // namespace pcm::sw
