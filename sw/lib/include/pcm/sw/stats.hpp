// Mean and sample standard deviation of a list of figures (accuracy over
// seeds, over classifiers): the one definition every report uses.
#pragma once

#include <vector>

namespace pcm::sw {

struct Stats {
  double mean = 0.0;
  double std = 0.0;  // sample std (n - 1); 0 for fewer than two values
};
Stats stats_of(const std::vector<double>& v);

}  // namespace pcm::sw
