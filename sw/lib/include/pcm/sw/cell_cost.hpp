// What storing a model costs in cells per weight, with every overhead
// (ARCHITECTURE.md, "The codec"): analog cells, plus the digital words
// (metadata records, directory entries, the pruning mask, and for the digital
// baselines the weights themselves) at a given number of bits per digital
// cell: 2.0 for the device's capacity (ideal), 1.8 with an LDPC code's
// overhead (realistic; paper section 2.2.2).
#pragma once

#include <cstdint>

#include "pcm/sw/fields.hpp"

namespace pcm::sw {

inline constexpr double kIdealBitsPerCell = 2.0;
inline constexpr double kRealisticBitsPerCell = 1.8;

// What a stored model used, summed over its tensors.
struct CellUse {
  uint64_t weights = 0;          // the model's weights (pruned ones included)
  uint64_t analog_cells = 0;     // programmed analog cells
  double metadata_bits = 0.0;    // sign / class / sensitivity bits
  uint64_t directory_words = 0;  // 32-bit directory entries
  double mask_bits = 0.0;        // pruning masks, entropy-coded
  double digital_bits = 0.0;     // weights stored digitally (baselines), scales included
};

// Cells per weight, by part.
struct CellCost {
  double analog = 0.0;
  double metadata = 0.0;
  double directory = 0.0;
  double mask = 0.0;
  double digital = 0.0;
  double total = 0.0;

  // Every digital part but the mask: what the report calls metadata/directory.
  double digital_words() const { return metadata + directory + digital; }

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("analog", s.analog);
    v("metadata", s.metadata);
    v("directory", s.directory);
    v("mask", s.mask);
    v("digital", s.digital);
    v("total", s.total);
  }
};

// The one cell-cost rule. use.weights must be > 0.
CellCost cell_cost(const CellUse& use, double bits_per_digital_cell);

// fp32 stored digitally: 32 bits over bits_per_digital_cell (16 ideal, 17.78 realistic).
inline double fp32_baseline(double bits_per_digital_cell) { return 32.0 / bits_per_digital_cell; }

}  // namespace pcm::sw
