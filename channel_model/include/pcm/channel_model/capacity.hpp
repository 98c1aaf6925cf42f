// Channel capacity in bits per cell by the Blahut-Arimoto algorithm.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "pcm/channel_model/table.hpp"

namespace pcm::channel_model {

struct CapacityResult {
  double bits = 0.0;                 // lower bound I(p; W) at the final p
  double upper_bound = 0.0;          // max_x D(W(.|x) || q), >= capacity
  std::vector<double> input_distribution;
  int iterations = 0;
};

// Called as soon as both bounds are known, then at most about once per second
// of wall time: iterations so far and the bounds the capacity lies between.
using CapacityProgress = std::function<void(int iterations, double lower_bits, double upper_bits)>;

// Discrete memoryless channel whose row x is non-zero only on the consecutive
// outputs first[x] .. first[x] + n - 1, n = offset[x + 1] - offset[x]:
// P(first[x] + k | x) = values[offset[x] + k]. Rows sum to 1.
struct BandedChannel {
  std::size_t outputs = 0;
  std::vector<std::size_t> first;
  std::vector<std::size_t> offset{0};
  std::vector<double> values;

  std::size_t inputs() const { return first.size(); }
};

// The band of each row of a dense transition matrix (leading and trailing
// zeros dropped).
BandedChannel banded(const std::vector<std::vector<double>>& transition);

// Plain Blahut-Arimoto on a dense matrix, transition[x][y] = P(y | x): the
// reference the fast path is tested against. Iterates until
// upper_bound - bits < tolerance_bits or max_iterations.
CapacityResult blahut_arimoto(const std::vector<std::vector<double>>& transition,
                              double tolerance_bits = 1e-7, int max_iterations = 200000);

// The same bounds and stopping rule, computed fast (channel_model/README.md,
// "Capacity"): only the bands are stored and iterated over, Blahut-Arimoto is
// Anderson-accelerated, no step gaining less than a plain one is sure to, and
// inputs are brought in as they turn out to matter. Stops after about
// max_iterations Blahut-Arimoto steps if the bounds are not within
// tolerance_bits by then.
CapacityResult banded_capacity(const BandedChannel& channel, double tolerance_bits = 1e-7,
                               int max_iterations = 200000, const CapacityProgress& progress = {});

// Default tolerance of the Gaussian capacities below, in bits.
constexpr double kTableCapacityTolerance = 1e-5;

// Inputs: the levels; output given level i: N(means[i], stds[i]^2), quantized
// into `bins` equal bins over [min(mean - 8 std), max(mean + 8 std)]; level i
// reaches the bins within its own mean +- 8 std (the tails folded into the
// band's end bins). A zero std is a point mass.
BandedChannel gaussian_levels_channel(const std::vector<double>& means,
                                      const std::vector<double>& stds, int bins = 4096);
CapacityResult gaussian_levels_capacity(const std::vector<double>& means,
                                        const std::vector<double>& stds, int bins = 4096,
                                        double tolerance_bits = kTableCapacityTolerance,
                                        const CapacityProgress& progress = {});

// The per-level Gaussian fit of a table (normalized units).
CapacityResult table_capacity(const Table& table, int bins = 4096,
                              const CapacityProgress& progress = {});

}  // namespace pcm::channel_model
