// The scoreboard: every APB response (error or data, counters included) and
// every read beat of the design against the reference. A beat before its
// expectation, and anything expected left over at the end, is an error.
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

  bool nothing_expected() const { return expected_.empty(); }
  std::size_t expected_left() const { return expected_.size(); }
  uint64_t mismatches() const { return mismatches_; }
  uint64_t beats_checked() const { return beats_checked_; }
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
};

}  // namespace bench
