// The scoreboard: every APB response (error or data, counters included),
// every read beat and every cell-port access of the design against the
// reference. A beat before its expectation, a cell access the model has not
// made (yet: the model acts when the design takes a weight or a request, so
// the design is never ahead of it), and anything expected left over at the
// end, is an error.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "bench/ref_model.hpp"

namespace bench {

class Scoreboard {
 public:
  // cycle: the bench's clock, for the mismatch messages.
  Scoreboard(RefModel& ref, const uint64_t& cycle) : ref_(ref), cycle_(cycle) {}

  // "MISMATCH at cycle N: what" (the first 20 are printed; all are counted).
  void fail(const std::string& what);
  // An APB access as the monitor saw it; the reference performs it too.
  void on_apb(uint32_t addr, bool write, uint32_t wdata, uint32_t rdata, bool err, bool busy);
  // A read request the design accepted: the reference's beats are expected.
  void expect_read(uint32_t index, uint32_t count);
  void on_read_beat(uint32_t w, bool last, bool err);
  // A cell-port request the design made (fire): each lane's access against
  // the model's next access of that cell (kind, analog code and DAC bits,
  // digital word, ADC bits).
  void on_cell_request(bool write, bool digital, uint32_t addr, int count, const uint32_t* lanes, int dac_bits,
                       int adc_bits);
  // Every access the model made must have been made by the design by now.
  void check_cell_leftovers();

  bool nothing_expected() const { return expected_.empty(); }
  std::size_t expected_left() const { return expected_.size(); }
  uint64_t mismatches() const { return mismatches_; }
  uint64_t beats_checked() const { return beats_checked_; }
  uint64_t cell_accesses_checked() const { return cells_checked_; }
  // The weights read since clear_log(), in order.
  const std::vector<uint32_t>& read_log() const { return read_log_; }
  void clear_log() { read_log_.clear(); }

 private:
  RefModel& ref_;
  const uint64_t& cycle_;
  std::deque<pcm::model::ReadBeat> expected_;
  std::vector<uint32_t> read_log_;
  uint64_t mismatches_ = 0;
  uint64_t beats_checked_ = 0;
  uint64_t cells_checked_ = 0;
  void match(bool digital, uint32_t addr, const CellLog::Op& got);
};

}  // namespace bench
