#include "pcm/model/array_timing.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <stdexcept>

namespace pcm::model {

void ArrayTiming::validate() const {
  auto check = [](uint32_t v, uint32_t lo, uint32_t hi, const char* what) {
    if (v < lo || v > hi) {
      throw std::invalid_argument("ArrayTiming: " + std::string(what) + " = " + std::to_string(v) +
                                  " is out of range (" + std::to_string(lo) + " .. " + std::to_string(hi) +
                                  ")");
    }
  };
  check(banks, 1, 1u << 16, "banks");
  check(lanes, 1, 1u << 16, "lanes");
  check(write_latency, 1, 1u << 16, "write_latency");
  check(read_latency, 1, 1u << 16, "read_latency");
  check(rsp_queue_depth, 1, 1u << 16, "rsp_queue_depth");
}

std::string ArrayTiming::to_string() const {
  char buf[128];
  std::snprintf(buf, sizeof buf, "banks %u, lanes %u, write %u, read %u, queue %u", banks, lanes, write_latency,
                read_latency, rsp_queue_depth);
  return buf;
}

double ArrayStats::bank_utilisation(std::size_t bank) const {
  if (cycles == 0 || bank >= bank_busy_cycles.size()) return 0.0;
  // busy time is booked when a request is accepted, so the last access may
  // reach past the cycles counted so far
  return std::min(1.0, static_cast<double>(bank_busy_cycles[bank]) / static_cast<double>(cycles));
}

double ArrayStats::mean_bank_utilisation() const {
  if (bank_busy_cycles.empty()) return 0.0;
  double sum = 0.0;
  for (std::size_t b = 0; b < bank_busy_cycles.size(); ++b) sum += bank_utilisation(b);
  return sum / static_cast<double>(bank_busy_cycles.size());
}

}  // namespace pcm::model
