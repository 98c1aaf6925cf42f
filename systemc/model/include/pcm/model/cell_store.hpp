#pragma once

// The storage and noise of a PCM array, without timing: what a programmed
// analog cell holds and what digital words were written. Used directly by the
// functional-model engine and, inside the timed sc_module, by the RTL platform,
// so both see the same cells (ARCHITECTURE.md, "Noise is a function").
//
// Storage is paged: 2^16 cells per page, pages allocated on first write, so a
// model of tens of millions of weights costs memory in proportion to the cells
// it uses (16 bytes per analog cell, 4 per digital word), not to the address
// space.

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

#include "pcm/channel_model/channel.hpp"
#include "pcm/model/cell_array.hpp"

namespace pcm::model {

struct CellStoreStats {
  uint64_t analog_writes = 0;
  uint64_t analog_reads = 0;
  uint64_t digital_writes = 0;
  uint64_t digital_reads = 0;
  uint64_t unwritten_reads = 0;  // reads of cells never programmed (read as 0)
  uint64_t pages = 0;
  uint64_t bytes = 0;  // page memory held
};

class CellStore final : public CellArray {
 public:
  // channel == nullptr: a noiseless array (cells hold the DAC value exactly).
  CellStore(std::shared_ptr<const channel_model::Channel> channel, uint64_t seed);

  // Programming: the DAC value x = code / 2^(dac_bits-1) goes through the
  // channel; the cell keeps the programmed value keyed by (seed, address,
  // times this cell was written, Stream::kProgram) and its drift exponent
  // (the same key, Stream::kDrift).
  void write_analog(uint32_t addr, int32_t dac_code, int dac_bits) override;
  // The kept value drifted to the read time, plus a read-noise draw keyed by
  // (seed, address, times this cell was read, Stream::kRead), through the
  // ADC: round(y * 2^(adc_bits-1)), clamped.
  int32_t read_analog(uint32_t addr, int adc_bits) override;

  // Seconds since programming that reads see (the channel's reference time
  // when never set: no drift). Reads during programming (verify) happen at
  // set_time(0); the engines set the load time before reading a model back.
  void set_time(double seconds) { time_ = seconds; }
  double time() const { return time_; }
  void write_digital(uint32_t addr, uint32_t word) override;
  uint32_t read_digital(uint32_t addr) override;

  // Forgets every cell and starts over with a new seed (pages are freed).
  void reset(uint64_t seed);

  uint64_t seed() const { return seed_; }
  const CellStoreStats& stats() const { return stats_; }

  static constexpr int kPageLog2 = 16;
  static constexpr uint32_t kPageCells = 1u << kPageLog2;

 private:
  struct AnalogPage {
    std::array<float, kPageCells> value{};
    std::array<float, kPageCells> nu{};         // drift exponent
    std::array<uint32_t, kPageCells> writes{};  // 0: never written
    std::array<uint32_t, kPageCells> reads{};
  };
  struct DigitalPage {
    std::array<uint32_t, kPageCells> word{};
  };
  template <typename Page>
  struct Pages {
    std::unordered_map<uint32_t, std::unique_ptr<Page>> map;
    uint32_t last_index = 0;
    Page* last = nullptr;
    Page* find(uint32_t index);
    Page& get(uint32_t index, CellStoreStats& stats);  // allocates on first use
  };

  std::shared_ptr<const channel_model::Channel> channel_;
  uint64_t seed_;
  double time_ = 0.0;
  Pages<AnalogPage> analog_;
  Pages<DigitalPage> digital_;
  CellStoreStats stats_;
};

}  // namespace pcm::model
