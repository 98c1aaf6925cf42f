#include "pcm/model/cell_array.hpp"

#include <algorithm>
#include <cmath>

namespace pcm::model {

double dac_value(int32_t code, int dac_bits) {
  return std::ldexp(static_cast<double>(code), -(dac_bits - 1));
}

int32_t adc_code_wide(double y, int adc_bits) {
  const double top = std::ldexp(1.0, adc_bits - 1);
  const double code = std::nearbyint(std::clamp(y * top, -top, top - 1.0));
  return static_cast<int32_t>(code);
}

void StandInArray::write_analog(uint32_t addr, int32_t dac_code, int dac_bits) {
  Cell& cell = analog_[addr];
  cell.value = dac_value(dac_code, dac_bits);
  ++analog_writes_;
}

int32_t StandInArray::read_analog(uint32_t addr, int adc_bits) {
  Cell& cell = analog_[addr];
  double y = cell.value;
  if (sigma_ > 0.0) {
    channel_model::CellRng rng(
        channel_model::CellKey{seed_, addr, cell.reads, channel_model::Stream::kRead});
    y += sigma_ * rng.normal();
  }
  ++cell.reads;
  ++analog_reads_;
  return adc_code(y, adc_bits);
}

void StandInArray::write_digital(uint32_t addr, uint32_t word) { digital_[addr] = word; }

uint32_t StandInArray::read_digital(uint32_t addr) {
  const auto it = digital_.find(addr);
  return it == digital_.end() ? 0u : it->second;
}

}  // namespace pcm::model
