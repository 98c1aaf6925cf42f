#include "pcm/sw/stats.hpp"

#include <cmath>

namespace pcm::sw {

Stats stats_of(const std::vector<double>& v) {
  Stats s;
  if (v.empty()) return s;
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  if (v.size() > 1) {
    double q = 0.0;
    for (double x : v) q += (x - s.mean) * (x - s.mean);
    s.std = std::sqrt(q / static_cast<double>(v.size() - 1));
  }
  return s;
}

}  // namespace pcm::sw
