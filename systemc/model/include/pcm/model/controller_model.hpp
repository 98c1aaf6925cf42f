#pragma once

// Functional (untimed) model of rtl/pcm_ctrl: the same registers with the same
// legality checks, the same arithmetic (codec.hpp), the same cell allocation,
// metadata and directory layout, and the same counters. Given the same register
// writes and the same cell read-outs it returns bit-identical weights.

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "pcm/model/cell_array.hpp"
#include "pcm/model/cell_store.hpp"
#include "pcm/model/codec.hpp"

namespace pcm::model {

// The largest PV_PULSES (rtl/regs/pcm_ctrl_regs.json; checked in controller_model.cpp).
inline constexpr uint32_t kMaxVerifyPulses = 32;

struct ControllerParams {
  int num_lanes = 4;
  int dac_width = 16;
  int adc_width = 16;
};

struct BusResult {
  bool ok = true;     // false: the access was refused (PSLVERR)
  uint32_t data = 0;  // read data
};

struct ReadBeat {
  uint32_t weight = 0;  // fp32 bits
  bool last = false;
  bool err = false;
};

class ControllerModel {
 public:
  ControllerModel(ControllerParams params, CellArray& array);

  // `busy` is whether the controller was busy when the access happened (the
  // timed RTL refuses configuration writes then; the model has no time).
  BusResult write_reg(uint32_t addr, uint32_t data, bool busy = false);
  BusResult read_reg(uint32_t addr, bool busy = false);

  // One beat of the weight write stream; `last` closes the tensor (then, with
  // COMP.EN, the reference cells are programmed).
  void write_weight(uint32_t weight_bits, bool sensitive, bool last = false);
  // A read request: `count` weights from `index` (one error beat when out of range).
  std::vector<ReadBeat> read(uint32_t index, uint32_t count);

  // Blocks of the same: write_weight for each of n weights in order (sens
  // may be nullptr: none sensitive; the last closes the tensor when `last`),
  // and read() into out (count fp32 words; false, out untouched, for the
  // error beat). Same cells, counters, flags and statistics as the one-weight
  // calls; on a CellStore the per-cell work (programming, verify, read-back)
  // runs on up to `threads` threads over blocks of weights, with results
  // identical for any thread count (tests/model).
  void write_weights(const uint32_t* bits, const uint8_t* sens, std::size_t n, bool last, unsigned threads = 1);
  bool read_weights(uint32_t index, uint32_t count, uint32_t* out, unsigned threads = 1);

  const CodecConfig& codec() const { return cfg_; }
  // Program-and-verify outcomes so far, for coverage: pulses_used[k] counts
  // cells that converged at pulse k (1 .. PV_MaxPulses; index 0 unused), and
  // failed the cells still outside the tolerance after PV_PULSES pulses. Only
  // cells that were verified (PV_PULSES > 1) are counted.
  struct VerifyStats {
    std::array<uint64_t, kMaxVerifyPulses + 1> pulses_used{};
    uint64_t failed = 0;
  };
  const VerifyStats& verify_stats() const { return verify_stats_; }
  const ControllerParams& params() const { return params_; }

 private:
  enum Counter {
    kWeightsWritten, kWeightsRead, kCellsWritten, kCellsRead, kMetaWritten, kMetaRead,
    kDirWritten, kDirRead, kSat, kNan, kErr, kPulses, kVerifyReads, kPvFailed, kRefReads, kNumCounters
  };
  uint32_t reg_value(uint32_t addr, bool& hit) const;
  bool legal(uint32_t addr, uint32_t data, bool busy) const;
  void apply(uint32_t addr, uint32_t data);
  void bump(Counter c, uint64_t by) {  // saturating, as the RTL's 32-bit counters
    const uint64_t sum = uint64_t{counters_[c]} + by;
    counters_[c] = sum > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<uint32_t>(sum);
  }
  // What programming cells adds to the counters, per block of cells.
  struct ProgramCounts {
    uint64_t pulses = 0;
    uint64_t verify_reads = 0;
    VerifyStats verify;
  };
  void merge(const ProgramCounts& counts);
  // One analog cell through pcm_verifier's loop: program, and with
  // PV_PULSES > 1 verify and re-program until within PV_TOL or out of pulses.
  // write(addr, code) and read(addr) reach the cell.
  template <class Write, class Read>
  void verify_loop(uint32_t addr, int32_t code, int32_t target, Write&& write, Read&& read,
                   ProgramCounts& counts) const;
  void program_cell(uint32_t addr, int32_t code, int32_t target);
  // An ADC read-out as the controller keeps it: the low AdcWidth bits of the lane, signed.
  int32_t adc_lane(int32_t raw) const;
  // pcm_refs: the reference cells at REF_BASE, programmed / read back.
  void program_refs();
  int32_t read_drift_offset();

  ControllerParams params_;
  CellArray& array_;
  CodecConfig cfg_;
  uint32_t ctrl_ = regs::ctrl::kReset;
  uint32_t range_ = regs::range::kReset;
  uint32_t res_ = regs::res::kReset;
  uint32_t dir_ = regs::dir::kReset;
  uint32_t analog_base_ = 0;
  uint32_t meta_base_ = 0;
  uint32_t dir_base_ = 0;
  uint32_t num_weights_ = 0;
  uint32_t next_cell_ = 0;
  uint32_t pv_pulses_ = regs::pv_pulses::kReset;
  uint32_t pv_tol_ = regs::pv_tol::kReset;
  uint32_t pv_gain_ = regs::pv_gain::kReset;
  uint32_t comp_ = regs::comp::kReset;
  uint32_t ref_base_ = regs::ref_base::kReset;
  int32_t drift_offset_ = 0;
  VerifyStats verify_stats_;
  std::vector<CellStore::Cursor> cursors_;  // one per block of the block calls, kept for their level caches
  std::vector<CellStore::Cursor>& cursors(unsigned blocks);  // begun
  std::vector<Encoded> enc_;  // the block calls' buffers, kept between parts of a stream
  std::vector<uint32_t> meta_;
  std::array<uint32_t, kNumCounters> counters_{};
  bool nan_seen_ = false;
  bool sat_seen_ = false;
  bool bus_err_ = false;
  bool rd_err_ = false;
};

}  // namespace pcm::model
