#pragma once

// The storage and noise of a PCM array, without timing: what a programmed
// analog cell holds and what digital words were written. Used directly by the
// functional-model engine and, inside the timed sc_module, by the RTL platform,
// so both see the same cells (ARCHITECTURE.md, "Noise is a function").
//
// Storage is paged: 2^16 cells per page, pages allocated on first write, so a
// model of tens of millions of weights costs memory in proportion to the cells
// it uses (15 bytes per analog cell, 4 per digital word), not to the address
// space. A cell keeps its DAC code rather than its drift exponent: the
// exponent is drawn (keyed by the programming access) only when a read
// happens at a time at which drift acts, and is the same value either way.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

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
  void set_time(double seconds) {
    time_ = seconds;
    drifting_ = channel_ && channel_->drifts_at(time_);
    noisy_reads_ = channel_ && !channel_->read_is_exact_at(time_);
  }
  double time() const { return time_; }
  void write_digital(uint32_t addr, uint32_t word) override;
  uint32_t read_digital(uint32_t addr) override;

  // Forgets every cell and starts over with a new seed (pages are freed).
  void reset(uint64_t seed);

 private:
  struct AnalogPage;
  struct DigitalPage;

 public:
  // Block access from several threads (ControllerModel's block paths): one
  // thread reserves the pages of the cells to be programmed, then each thread
  // programs and reads cells of its own disjoint address range through its
  // own Cursor (the page it is on, the last DAC code's channel level, its
  // counts), and one thread merges the cursors' counts back. The draws are
  // keyed, so the cells hold the same values in any order and thread count.
  struct Cursor {
    uint32_t page_index = 0;
    AnalogPage* page = nullptr;  // clear it (begin) before using a cursor again after reset()
    uint32_t digital_index = 0;
    DigitalPage* digital = nullptr;  // the same for the digital words
    CellStoreStats counts;  // analog_writes, analog_reads, unwritten_reads, digital_writes, digital_reads
    // The channel's levels of recent DAC codes, direct-mapped by code: a
    // model's weights use a few thousand codes, and a level costs two curve
    // interpolations. Valid for the store's channel, which never changes.
    struct CachedLevel {
      int32_t code = 0;
      int bits = 0;  // 0: empty
      channel_model::Channel::ProgramLevel level;
    };
    static constexpr uint32_t kLevels = 4096;
    std::vector<CachedLevel> levels;
    void begin() {
      page = nullptr;
      digital = nullptr;
      counts = CellStoreStats{};
    }
  };
  // Allocates the analog pages of count cells from first (wrapping at 2^32).
  void reserve_analog(uint32_t first, uint64_t count);
  // The same for digital words.
  void reserve_digital(uint32_t first, uint64_t count);
  // Computes the channel's level of every DAC code of dac_bits once (one
  // thread, before block calls; a few ms at 16 bits): from then on no cursor
  // interpolates the channel's curves for codes of that resolution.
  void prepare_levels(int dac_bits);
  // Whether that table pays off for writes of n cells at dac_bits: once they
  // are a quarter of the codes (the table is kept for the store's life). The
  // block callers ask it per call; the one-cell writes count themselves.
  static bool levels_pay_off(uint64_t n, int dac_bits) {
    return dac_bits >= 1 && dac_bits <= 16 && n >= (uint64_t{1} << dac_bits) / 4;
  }
  bool levels_prepared(int dac_bits) const {
    return dac_bits >= 1 && dac_bits <= 16 && !level_table_[static_cast<std::size_t>(dac_bits)].empty();
  }
  // Asks the cache for the level of a DAC code that a write will soon need:
  // the table is 3 MB at 16 bits, and a model's codes come in no order, so
  // without it most writes wait for the level.
  void prefetch_level(int32_t dac_code, int dac_bits) const {
    if (dac_bits < 1 || dac_bits > 16) return;
    const auto& table = level_table_[static_cast<std::size_t>(dac_bits)];
    const auto index = static_cast<std::size_t>(int64_t{dac_code} + (int64_t{1} << (dac_bits - 1)));
    if (index >= table.size()) return;
#if defined(__x86_64__) || defined(__i386__)
    // GCC 12 drops a __builtin_prefetch behind these range checks
    asm volatile("prefetcht0 %0" : : "m"(*reinterpret_cast<const char*>(table.data() + index)));
#else
    __builtin_prefetch(table.data() + index);
#endif
  }
  // write_analog / read_analog on reserved pages: safe concurrently on
  // disjoint cells (writing an unreserved page throws std::logic_error).
  void write_analog(Cursor& cursor, uint32_t addr, int32_t dac_code, int dac_bits);
  int32_t read_analog(Cursor& cursor, uint32_t addr, int adc_bits);
  // write_analog(cursor, first + k, codes[k], dac_bits) for k < n (addresses
  // wrapping at 2^32), one pulse each: the same cells and counts, with the
  // noise of up to kRunCells cells drawn together (Channel::program_many).
  void write_run(Cursor& cursor, uint32_t first, const int32_t* codes, std::size_t n, int dac_bits);
  static constexpr std::size_t kRunCells = 64;
  // out[k] = read_analog(cursor, first + k, adc_bits) for k < n, in that
  // order: the same codes and counts.
  void read_run(Cursor& cursor, uint32_t first, int32_t* out, std::size_t n, int adc_bits);
  // write_digital / read_digital the same way (concurrent reads need no
  // reservation: a page never written reads as 0).
  void write_digital(Cursor& cursor, uint32_t addr, uint32_t word);
  uint32_t read_digital(Cursor& cursor, uint32_t addr);
  // out[k] = read_digital(cursor, first + k) for k < n (addresses wrapping at 2^32).
  void read_digital_run(Cursor& cursor, uint32_t first, uint32_t* out, std::size_t n);
  // Adds a cursor's counts to stats() (one thread).
  void merge(const Cursor& cursor);

  uint64_t seed() const { return seed_; }
  const CellStoreStats& stats() const { return stats_; }

  // 2^17 cells: an analog page (15 bytes a cell) fills most of a 2 MiB huge page
  static constexpr int kPageLog2 = 17;
  static constexpr uint32_t kPageCells = 1u << kPageLog2;

 private:
  // Pages start as zero bytes (no member initializers: see ZeroedPages), which
  // every field reads as its initial value.
  struct AnalogPage {
    std::array<float, kPageCells> value;
    std::array<int16_t, kPageCells> code;     // of the last programming, for its drift exponent
    std::array<uint8_t, kPageCells> bits;     // DAC bits of that code
    std::array<uint32_t, kPageCells> writes;  // 0: never written
    std::array<uint32_t, kPageCells> reads;
  };
  struct DigitalPage {
    std::array<uint32_t, kPageCells> word;
  };
  // Pages come from the system as zero-filled memory mapped on first touch
  // (not allocated and cleared): a block call reserves them on one thread, and
  // the clearing then happens where the blocks first write, on their threads.
  struct PageFree {
    std::size_t bytes = 0;
    void operator()(void* page) const;
  };
  template <typename Page>
  using PagePtr = std::unique_ptr<Page, PageFree>;
  template <typename Page>
  static PagePtr<Page> zeroed_page();
  template <typename Page>
  struct Pages {
    std::unordered_map<uint32_t, PagePtr<Page>> map;
    uint32_t last_index = 0;
    Page* last = nullptr;
    Page* find(uint32_t index);
    Page& get(uint32_t index, CellStoreStats& stats);  // allocates on first use
  };

  std::shared_ptr<const channel_model::Channel> channel_;
  uint64_t seed_;
  double time_ = 0.0;
  bool drifting_ = false;  // reads at time_ need drift exponents
  bool noisy_reads_ = false;  // reads at time_ go through the channel
  AnalogPage* cursor_page(Cursor& cursor, uint32_t addr) const;  // nullptr: not allocated
  DigitalPage* cursor_digital(Cursor& cursor, uint32_t addr) const;
  // the level of a DAC code: from the table of prepare_levels, else the cursor's cache
  const channel_model::Channel::ProgramLevel& level(Cursor& cursor, int32_t dac_code, int dac_bits) const {
    if (dac_bits >= 1 && dac_bits <= 16) {
      const auto& table = level_table_[static_cast<std::size_t>(dac_bits)];
      const auto index = static_cast<std::size_t>(int64_t{dac_code} + (int64_t{1} << (dac_bits - 1)));
      if (index < table.size()) return table[index];  // a negative index wraps above the size
    }
    return cached_level(cursor, dac_code, dac_bits);
  }
  const channel_model::Channel::ProgramLevel& cached_level(Cursor& cursor, int32_t dac_code, int dac_bits) const;
  void write_cell(Cursor& cursor, AnalogPage& page, uint32_t addr, int32_t dac_code, int dac_bits);
  void write_cells(Cursor& cursor, AnalogPage& page, uint32_t first, const int32_t* codes, std::size_t n,
                   int dac_bits);  // n <= kRunCells, all on page
  int32_t read_cell(Cursor& cursor, AnalogPage* page, uint32_t addr, int adc_bits);
  void read_cells(Cursor& cursor, AnalogPage* page, uint32_t first, int32_t* out, std::size_t n,
                  int adc_bits);  // n <= kRunCells, all on page (or on none), reads through the channel

  Pages<AnalogPage> analog_;
  Pages<DigitalPage> digital_;
  Cursor own_;  // of the one-cell calls
  // one-cell analog writes by DAC bits, until their level table is prepared
  // (a cursor's cache of 4096 codes misses on most writes of a large model)
  std::array<uint64_t, 17> own_writes_{};
  std::array<std::vector<channel_model::Channel::ProgramLevel>, 17> level_table_;  // by DAC bits, then code
  CellStoreStats stats_;
};

}  // namespace pcm::model
