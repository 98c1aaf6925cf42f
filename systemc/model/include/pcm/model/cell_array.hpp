#pragma once

#include <cstdint>
#include <unordered_map>

#include "pcm/channel_model/philox.hpp"

namespace pcm::model {

// adc_code for resolutions outside 1 .. 32 bits (libm's ldexp and nearbyint).
int32_t adc_code_wide(double y, int adc_bits);

// What the controller sees of a PCM array: analog cells programmed with DAC
// codes and read back as ADC codes, and error-free digital words (metadata
// records, directory entries). Addresses wrap at 2^32 like the RTL's.
class CellArray {
 public:
  virtual ~CellArray() = default;
  virtual void write_analog(uint32_t addr, int32_t dac_code, int dac_bits) = 0;
  virtual int32_t read_analog(uint32_t addr, int adc_bits) = 0;
  virtual void write_digital(uint32_t addr, uint32_t word) = 0;
  virtual uint32_t read_digital(uint32_t addr) = 0;
};

// DAC code -> analog value in [-1, 1): code / 2^(bits-1).
double dac_value(int32_t code, int dac_bits);
// Analog value -> ADC code: round(y * 2^(bits-1)) clamped to the code range,
// half to even. Inline without libm calls (it runs once per cell read): the
// power of two is exact as a double, and adding and subtracting 1.5 * 2^52
// rounds a value below 2^51 to an integer as nearbyint does in the default
// rounding mode (the only one pcmsim uses), NaN included.
inline int32_t adc_code(double y, int adc_bits) {
  if (adc_bits < 1 || adc_bits > 32) return adc_code_wide(y, adc_bits);
  const auto top = static_cast<double>(int64_t{1} << (adc_bits - 1));
  double v = y * top;
  v = v < -top ? -top : (top - 1.0 < v ? top - 1.0 : v);  // std::clamp's comparisons
  constexpr double kRound = 0x1.8p52;
  return static_cast<int32_t>((v + kRound) - kRound);
}

// A sparse array whose cells hold exactly what was programmed, read through
// the ADC with optional Gaussian read noise of std `sigma` (normalised units).
// The noise is a pure function of (seed, address, read count of that cell), so
// two instances given the same accesses per cell return the same read-outs
// in any order: this is how a bench compares RTL and functional model.
class StandInArray final : public CellArray {
 public:
  explicit StandInArray(double sigma = 0.0, uint64_t seed = 0) : sigma_(sigma), seed_(seed) {}

  void write_analog(uint32_t addr, int32_t dac_code, int dac_bits) override;
  int32_t read_analog(uint32_t addr, int adc_bits) override;
  void write_digital(uint32_t addr, uint32_t word) override;
  uint32_t read_digital(uint32_t addr) override;

  // Read noise from now on (cells keep their programmed values).
  void set_sigma(double sigma) { sigma_ = sigma; }

  uint64_t analog_writes() const { return analog_writes_; }
  uint64_t analog_reads() const { return analog_reads_; }

 private:
  struct Cell {
    double value = 0.0;
    uint32_t reads = 0;
  };
  double sigma_;
  uint64_t seed_;
  std::unordered_map<uint32_t, Cell> analog_;
  std::unordered_map<uint32_t, uint32_t> digital_;
  uint64_t analog_writes_ = 0;
  uint64_t analog_reads_ = 0;
};

}  // namespace pcm::model
