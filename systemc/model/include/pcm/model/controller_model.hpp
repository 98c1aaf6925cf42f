#pragma once

// Functional (untimed) model of rtl/pcm_ctrl: the same registers with the same
// legality checks, the same arithmetic (codec.hpp), the same cell allocation,
// metadata and directory layout, and the same counters. Given the same register
// writes and the same cell read-outs it returns bit-identical weights.

#include <array>
#include <cstdint>
#include <vector>

#include "pcm/model/cell_array.hpp"
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
  void bump(Counter c, uint64_t by);
  // One analog cell through pcm_verifier's loop: program, and with
  // PV_PULSES > 1 verify and re-program until within PV_TOL or out of pulses.
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
  std::array<uint32_t, kNumCounters> counters_{};
  bool nan_seen_ = false;
  bool sat_seen_ = false;
  bool bus_err_ = false;
  bool rd_err_ = false;
};

}  // namespace pcm::model
