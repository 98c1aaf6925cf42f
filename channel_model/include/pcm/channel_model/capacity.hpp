// Channel capacity in bits per cell by the Blahut-Arimoto algorithm.
#pragma once

#include <vector>

#include "pcm/channel_model/table.hpp"

namespace pcm::channel_model {

struct CapacityResult {
  double bits = 0.0;                 // lower bound I(p; W) at the final p
  double upper_bound = 0.0;          // max_x D(W(.|x) || q), >= capacity
  std::vector<double> input_distribution;
  int iterations = 0;
};

// Discrete memoryless channel; transition[x][y] = P(y | x), rows sum to 1.
// Iterates until upper_bound - bits < tolerance_bits or max_iterations.
CapacityResult blahut_arimoto(const std::vector<std::vector<double>>& transition,
                              double tolerance_bits = 1e-7, int max_iterations = 200000);

// Inputs: the levels; output given level i: N(means[i], stds[i]^2), quantized
// into `bins` equal bins over [min(mean - 8 std), max(mean + 8 std)]. A
// zero std is a point mass.
CapacityResult gaussian_levels_capacity(const std::vector<double>& means,
                                        const std::vector<double>& stds, int bins = 4096,
                                        double tolerance_bits = 1e-5);

// The per-level Gaussian fit of a table (normalized units).
CapacityResult table_capacity(const Table& table, int bins = 4096);

}  // namespace pcm::channel_model
