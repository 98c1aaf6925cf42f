// The drivers: APB transfers, the weight stream and the read requests, each
// with random gaps and stalls, and the configuration sequence of one tensor.
#include <algorithm>
#include <cstdio>
#include <string>

#include "bench/bench.hpp"
#include "pcm/model/codec.hpp"
#include "pcm/regs/pcm_ctrl_regs.hpp"

namespace bench {
namespace regs = pcm::regs;

// An APB transfer; returns PSLVERR and the read data.
std::pair<bool, uint32_t> Bench::apb(uint32_t addr, bool write, uint32_t data) {
  top_->psel_i = 1;
  top_->penable_i = 0;
  top_->pwrite_i = write;
  top_->paddr_i = addr;
  top_->pwdata_i = data;
  tick();
  if (breaking("apb-no-access")) {
    top_->psel_i = 0;
    tick();
    top_->psel_i = 1;
  }
  if (breaking("apb-setup-unstable")) top_->paddr_i = addr ^ 4u;
  top_->penable_i = 1;
  top_->clk_i = 0;
  top_->eval();
  const bool err = top_->pslverr_o;
  const uint32_t rdata = top_->prdata_o;
  tick();
  top_->psel_i = 0;
  top_->penable_i = 0;
  return {err, rdata};
}

void Bench::wait_idle() {
  int quiet = 0;
  while (quiet < 2) {
    tick();
    quiet = (top_->busy_o || bg_read_) ? 0 : quiet + 1;
  }
}

// Refused accesses, each of which must change nothing.
void Bench::refused_accesses() {
  reg_write(regs::cells_small::kOffset, rng_.chance(0.5) ? 0u : regs::kMaxCells + 1u);
  reg_write(regs::range::kOffset, regs::range::kLo.put(regs::range::kHi.put(0, q14(0.5)), q14(0.6)));  // lo >= hi
  reg_write(regs::scale_small::kOffset, f2b(-1.0f));
  reg_write(regs::lut::kOffset, static_cast<uint32_t>(q20(1.5)));
  cov_.hit("bus error illegal value");
  reg_write(regs::cells_written::kOffset, 5);
  cov_.hit("bus error read-only register");
  reg_write(0x0FC, 1);  // unmapped
  apb(0x0F8, false);
  cov_.hit("bus error unmapped address");
}

namespace {
// One register value of the sweep and whether the register map makes it legal.
struct Probe {
  uint32_t value;
  bool legal;
  const char* what;
};

// From the generated register table (rtl/regs/pcm_ctrl_regs.json): the legal
// minimum and maximum, the first illegal values on both sides, and a reserved
// bit, per check kind.
std::vector<Probe> probes(const regs::RegInfo& r) {
  std::vector<Probe> p;
  const auto u = [](int64_t v) { return static_cast<uint32_t>(v); };
  switch (r.check) {
    case regs::Check::kUnsigned:
      p = {{u(r.min), true, "minimum"}, {u(r.max), true, "maximum"}, {u(r.max + 1), false, "maximum + 1"}};
      if (r.min > 0) p.push_back({u(r.min - 1), false, "minimum - 1"});
      break;
    case regs::Check::kSigned:
      p = {{u(r.min), true, "minimum"}, {u(r.max), true, "maximum"}, {u(r.max + 1), false, "maximum + 1"},
           {u(r.min - 1), false, "minimum - 1"}};
      break;
    case regs::Check::kFp32Positive:
      p = {{0x00800000u, true, "smallest normal"}, {0x7F7FFFFFu, true, "largest normal"},
           {0x007FFFFFu, false, "subnormal"}, {0x7F800000u, false, "infinity"}, {0x80800000u, false, "negative"}};
      break;
    case regs::Check::kFp32NonNegative:
      p = {{0x00000000u, true, "zero"}, {0x00000001u, true, "subnormal"}, {0x7F7FFFFFu, true, "largest normal"},
           {0x7F800000u, false, "infinity"}, {0x80000000u, false, "-0"}};
      break;
    case regs::Check::kRange:  // [15:0] lo, [31:16] hi, Q2.14
      p = {{0x4000C000u, true, "[-1, 1]"}, {0x00010000u, true, "lo one step below hi"},
           {0x00000000u, false, "lo == hi"}, {0x40010000u, false, "hi above 1"}, {0x4000BFFFu, false, "lo below -1"}};
      break;
    case regs::Check::kResolution:
      p = {{0x0202u, true, "2 bits"}, {0x1010u, true, "16 bits"}, {0x1001u, false, "DAC 1 bit"},
           {0x1011u, false, "DAC 17 bits"}, {0x0110u, false, "ADC 1 bit"}, {0x1110u, false, "ADC 17 bits"}};
      break;
    case regs::Check::kNone:
      p = {{r.mask, true, "every writable bit"}, {0u, true, "zero"}};
      break;
  }
  if (r.mask != 0xFFFFFFFFu) {
    const uint32_t first_reserved = ~r.mask & (0u - ~r.mask);
    p.push_back({(p.empty() ? 0u : p.front().value) | first_reserved, false, "reserved bit"});
    p.push_back({(p.empty() ? 0u : p.front().value) | 0x80000000u, false, "reserved top bit"});
  }
  return p;
}
}  // namespace

// Every register of the map: reset values are read at the start (run()); here
// every writable register gets its legal extremes, its first illegal values and
// its reserved bits, each answer checked against the register map (and, by the
// monitor, against the model), then all are read back; read-only registers and
// unmapped addresses refuse writes.
void Bench::register_sweep() {
  auto expect = [&](const regs::RegInfo& r, uint32_t off, const Probe& pr) {
    const bool accepted = reg_write(off, pr.value);
    if (accepted != pr.legal) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "register %s (0x%03x) <- 0x%08x (%s): design %s, register map says %s", r.name,
                    off, pr.value, pr.what, accepted ? "accepted" : "refused", pr.legal ? "legal" : "illegal");
      sb_.fail(buf);
    }
  };
  for (const auto& r : regs::kRegisters) {
    const uint32_t last = r.offset + 4 * (r.entries - 1);
    for (const uint32_t off : {r.offset, last}) {
      if (r.access == regs::Access::kReadOnly) {
        expect(r, off, {r.reset, false, "read-only"});
      } else if (r.access == regs::Access::kReadWrite) {
        for (const Probe& pr : probes(r)) {
          expect(r, off, pr);
          if (pr.legal) apb(off, false);  // the monitor compares the value kept
        }
      } else {  // CMD: only reserved bits are refused here (START and the clears are driven elsewhere)
        expect(r, off, {~r.mask & (0u - ~r.mask), false, "reserved bit"});
      }
      if (off == last) break;
    }
  }
  cov_.hit("register legal minima and maxima");
  cov_.hit("register first illegal values");
  cov_.hit("register reserved bits");
  // the word after the LUT, an unaligned LUT address and the gap after DRIFT_OFFSET
  const regs::RegInfo& lut = regs::kRegisters.back();
  for (const uint32_t off : {lut.offset + 4 * lut.entries, lut.offset + 2, 0x070u}) {
    if (reg_write(off, 0)) sb_.fail("unmapped address written without PSLVERR");
    if (!apb(off, false).first) sb_.fail("unmapped address read without PSLVERR");
  }
}

// Re-open the tensor just read: START, NUM_WEIGHTS and NEXT_CELL written back
// (rtl/README.md: "set it to re-open an older tensor"), more weights appended,
// everything read again.
void Bench::reopen_tensor() {
  const uint32_t n = ref_.read_reg(regs::num_weights::kOffset).data;
  const uint32_t cells = ref_.read_reg(regs::next_cell::kOffset).data;
  reg_write(regs::cmd::kOffset, regs::cmd::kStart.put(0, 1));
  reg_write(regs::num_weights::kOffset, n);
  reg_write(regs::next_cell::kOffset, cells);
  cov_.hit("tensor re-opened");
  stream_weights(std::max(1, opt_.weights / opt_.configs / 4), false, true);
  wait_idle();
  read_back(false);
}

// A read request driven in the background while weights stream: tick() drives
// its read stream (random stalls) until its beats are in.
void Bench::start_background_read(uint32_t index, uint32_t count) {
  top_->rq_valid_i = 1;
  top_->rq_index_i = index;
  top_->rq_count_i = count;
  bg_read_ = true;
  cov_.hit("read requested while writing");
}

void Bench::on_weight_accepted(uint32_t w, bool sens) {
  const pcm::model::CodecConfig& cfg = ref_.codec();
  const auto enc = pcm::model::encode(cfg, w, sens);
  last_cells_ = enc.refused ? 0 : enc.cells;
  if (enc.refused) return;
  const bool large = (enc.meta >> pcm::model::kMetaLargeBit) & 1u;
  const int32_t lo = cfg.range_lo * (1 << (regs::kTFrac - regs::kRangeFrac));
  const char* sat = !enc.saturated ? "in range" : (enc.t == lo ? "saturated low" : "saturated high");
  cov_.hit(std::string("class ") + (large ? "large" : "small") + " x " + sat);
  const uint32_t r = enc.cells;
  cov_.hit(r == 1 ? "cells r=1" : r < kLanes ? "cells r in 2..lanes-1" : r == kLanes ? "cells r=lanes" : "cells r>lanes");
  if (cfg.sens && sens) cov_.hit("sensitive weight with SENS");
  written_.push_back({w, enc.saturated});
}

// Without program-and-verify the writer packs a tensor's cells and metadata
// words NumLanes to a request (the throughput bound): ceil(cells / lanes)
// analog requests plus one per reference cell, ceil(words / lanes) metadata
// requests plus one per directory entry; per close (the packers flush there),
// from the model's NEXT_CELL and METADATA_WRITTEN at the stream's start (cells0,
// meta0), at each close in mid-stream (cuts_) and now.
void Bench::check_packing(uint64_t analog_reqs, uint64_t digital_reqs, uint32_t cells0, uint32_t meta0, uint32_t dir) {
  if (cfg_.pv_pulses != 1) return;
  const uint32_t refs = regs::comp::kEn.get(cfg_.comp) ? 1u << regs::comp::kRefLog2.get(cfg_.comp) : 0u;
  std::vector<Cut> ends = cuts_;
  ends.push_back({ref_.read_reg(regs::next_cell::kOffset).data, ref_.read_reg(regs::meta_written::kOffset).data});
  uint64_t want_a = 0, want_d = dir;
  Cut from{cells0, meta0};
  for (const Cut& to : ends) {
    want_a += (uint64_t{to.cells - from.cells} + kLanes - 1) / kLanes + refs;
    want_d += (uint64_t{to.meta - from.meta} + kLanes - 1) / kLanes;
    from = to;
  }
  const uint32_t cells = from.cells - cells0, meta = from.meta - meta0;
  if (analog_reqs != want_a || digital_reqs != want_d) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "packing: %llu analog write requests for %u cells and %u references (want %llu), %llu digital for %u "
                  "metadata words and %u directory entries (want %llu)",
                  static_cast<unsigned long long>(analog_reqs), cells, refs, static_cast<unsigned long long>(want_a),
                  static_cast<unsigned long long>(digital_reqs), meta, dir, static_cast<unsigned long long>(want_d));
    sb_.fail(buf);
  }
  ++packing_checked_;
  cov_.hit("packing checked");
  // the tensor's last weight began in one analog request and ended in another
  // (the close flushes a partly filled one)
  const uint32_t before_last = from.cells - last_cells_ - (cuts_.empty() ? cells0 : cuts_.back().cells);
  if (last_cells_ > 0 && before_last % kLanes + last_cells_ > kLanes && (before_last + last_cells_) % kLanes != 0) {
    cov_.hit("packing checked, last weight over two requests");
  }
}

void Bench::configure(int k, bool lsb_mode) {
  cfg_index_ = k;
  cfg_ = draw_config(rng_, k, lsb_mode, opt_.sigma);
  cov_.hit(std::string("strategy ") + kStrategyNames[cfg_.ctrl]);
  array_.set_sigma(lsb_mode ? 0.0 : opt_.sigma);
  ref_.set_sigma(lsb_mode ? 0.0 : opt_.sigma);
  if (k < 2 || rng_.chance(0.1)) register_sweep();
  if (rng_.chance(0.5) || k < 4) refused_accesses();
  for (const auto& [addr, data] : register_writes(cfg_)) {
    if (!reg_write(addr, data)) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "legal write 0x%03x <- 0x%08x refused", addr, data);
      sb_.fail(buf);
    }
  }
  const std::vector<double> knots = draw_lut(rng_, lsb_mode, cfg_.step_lut);
  for (std::size_t i = 0; i < knots.size(); ++i) {
    reg_write(regs::lut::kOffset + 4u * static_cast<uint32_t>(i), static_cast<uint32_t>(q20(knots[i])));
  }
  uint32_t cmd = regs::cmd::kClearFlags.put(regs::cmd::kStart.put(0, 1), 1);
  if (k == 1 || rng_.chance(0.2)) {  // counters cleared while idle (the model counts at once, the design later)
    cmd = regs::cmd::kClearCounters.put(cmd, 1);
    cov_.hit("clear counters");
  }
  reg_write(regs::cmd::kOffset, cmd);
}

void Bench::stream_weights(int count, bool lsb_mode, bool append) {
  if (!append) written_.clear();
  int sent = 0;
  top_->wr_valid_i = 0;
  bool sens = false;
  uint32_t w = random_weight(rng_, cov_, cfg_, lsb_mode, sens);
  // overlapping traffic: a read request made at a random point of the stream
  const bool comp = regs::comp::kEn.get(cfg_.comp);
  const bool directed = comp && cfg_index_ % 24 == 18 && !append;  // 1 reference: the shortest reference read
  int overlap_at = (!lsb_mode && (rng_.chance(0.3) || directed)) ? rng_.uni(0, std::max(0, count - 1)) : -1;
  // With drift compensation the request often follows a close in mid-stream,
  // and the stream resumes as the request's references are read (see
  // resume_after_close): their reads must not be redone or moved by it.
  const int close_at =
      (comp && overlap_at >= 0 && overlap_at + 1 < count && (rng_.chance(0.6) || directed)) ? overlap_at : -1;
  // Directed configuration 19 (no verify, every weight r = lanes + 1 cells):
  // the last weight must end in a partly filled request (the packing bound's
  // corner): while it would fill its last request exactly, one more weight.
  const bool tail_partial = cfg_index_ == 19 && !append;
  uint32_t seg_start = ref_.read_reg(regs::next_cell::kOffset).data;  // cells before this close's segment
  while (sent < count) {
    if (sent == overlap_at) {
      overlap_at = -1;
      const int n = static_cast<int>(written_.size());
      start_background_read(static_cast<uint32_t>(rng_.uni(0, std::max(0, n - 1))),
                            static_cast<uint32_t>(rng_.uni(0, 8)));
    }
    if (!top_->wr_valid_i && rng_.chance(cfg_.stall_p)) {
      cov_.hit("stall weight stream gap");
      tick();
      continue;
    }
    // every 8th configuration closes its tensor with a refused weight (NaN):
    // the close must still flush, and count no weight
    if (sent + 1 == count && cfg_index_ % 8 == 5 && !top_->wr_valid_i) w = 0x7FC00000u;
    if (sent + 1 == count && tail_partial && !top_->wr_valid_i) {
      if ((w & 0x7F800000u) == 0x7F800000u) w = f2b(cfg_.thr);  // a stored weight, not a refused one
      const uint32_t before = ref_.read_reg(regs::next_cell::kOffset).data - seg_start;
      if (kLanes > 1 && (before + kLanes + 1) % kLanes == 0) ++count;
    }
    top_->wr_valid_i = 1;
    top_->wr_weight_i = w;
    top_->wr_sens_i = sens;
    top_->wr_last_i = (sent + 1 == count) || sent == close_at;
    tick();
    if (!wr_fired_) {
      if (breaking("wr-valid-drop")) {
        top_->wr_valid_i = 0;  // withdrawn before it was taken
        tick();
      }
      continue;
    }
    ++sent;
    top_->wr_valid_i = 0;
    if (sent == close_at + 1) {
      resume_after_close();
      seg_start = ref_.read_reg(regs::next_cell::kOffset).data;
    }
    w = random_weight(rng_, cov_, cfg_, lsb_mode, sens);
  }
  top_->wr_valid_i = 0;
  top_->wr_last_i = 0;
}

// After a close in mid-stream with a read request waiting: once the design
// has made every cell access of the close (the packers' flush, the references
// programmed and verified), the write path drains and the request is taken;
// the stream resumes 0..3 clocks after the first reference read that follows,
// so the next weight arrives while the references are read. A design that
// read them before taking the request, or again after a weight, makes reads
// the model never made (the scoreboard fails them at once).
void Bench::resume_after_close() {
  cuts_.push_back({ref_.read_reg(regs::next_cell::kOffset).data, ref_.read_reg(regs::meta_written::kOffset).data});
  while (top_->rq_valid_i && !ref_.cell_log().empty()) tick();
  ref_read_seen_ = false;
  for (int guard = 0; !ref_read_seen_ && guard < 4000; ++guard) tick();
  for (int d = rng_.uni(0, 3); d > 0; --d) tick();
  if (!top_->rq_valid_i) cov_.hit("read taken after a close in mid-stream");
}

void Bench::request(uint32_t index, uint32_t count, bool drain) {
  phase_ = "read request index " + std::to_string(index) + " count " + std::to_string(count);
  if (top_->busy_o && regs::comp::kEn.get(cfg_.comp)) cov_.hit("read requested while references are read");
  top_->rq_valid_i = 1;
  top_->rq_index_i = index;
  top_->rq_count_i = count;
  do {
    tick();
  } while (!rq_fired_);
  top_->rq_valid_i = 0;
  // drain with a randomly stalling reader; sometimes a configuration write
  // while only the read path is busy (refused: locked)
  bool lock_probe = rng_.chance(0.2);
  // sometimes a weight offered while the read runs: it must wait for the
  // read's end (it closes the tensor again: a lone weight must not leave the
  // packers holding cells)
  bool offer = rng_.chance(0.1);
  bool sens = false;
  const uint32_t extra = offer ? random_weight(rng_, cov_, cfg_, false, sens) : 0;
  const uint64_t accepted = weights_written_;
  while (!sb_.nothing_expected() || (drain && top_->busy_o) || top_->wr_valid_i) {
    top_->rd_ready_i = !rng_.chance(cfg_.stall_p);
    if (offer && !sb_.nothing_expected()) {
      offer = false;
      top_->wr_valid_i = 1;
      top_->wr_weight_i = extra;
      top_->wr_sens_i = sens;
      top_->wr_last_i = 1;
      cov_.hit("weight offered while reading");
    }
    if (weights_written_ != accepted) {  // taken (possibly during a register access below)
      top_->wr_valid_i = 0;
      top_->wr_last_i = 0;
    }
    if (lock_probe && top_->busy_o) {
      lock_probe = false;
      reg_write(regs::ctrl::kOffset, cfg_.ctrl);
      cov_.hit("locked while read path busy");
      continue;
    }
    tick();
  }
  top_->rd_ready_i = 0;
}

void Bench::read_back(bool lsb_mode) {
  const auto n = static_cast<uint32_t>(written_.size());
  if (n == 0) return;
  sb_.clear_log();
  request(0, n);
  cov_.hit("read from index 0");
  if (lsb_mode) check_lsb();
  // random access: two requests from inside the tensor
  const uint32_t block = 1u << regs::dir::kBlockLog2.get(ref_.read_reg(regs::dir::kOffset).data);
  for (int i = 0; i < 2 && n > 1; ++i) {
    const uint32_t index = static_cast<uint32_t>(rng_.uni(1, static_cast<int>(n) - 1));
    const uint32_t count = static_cast<uint32_t>(rng_.uni(1, static_cast<int>(std::min<uint32_t>(n - index, 40))));
    request(index, count);
    cov_.hit("read random access");
    if ((cfg_.ctrl & 0xCu) != 0 && index % block != 0) cov_.hit("read directory walk");
  }
  // the refused requests' successors are made as soon as the error beat is in:
  // with drift compensation that request's references are still being read
  // (the reader is idle again), and the next request must wait for them
  bool refused = false;
  if (rng_.chance(0.3) || cfg_index_ % 24 == 17) {  // always with 64 references: the longest reference read
    request(n - 1, 2, false);  // one past the end
    cov_.hit("read out of range");
    refused = true;
  }
  if (rng_.chance(0.15)) {
    request(static_cast<uint32_t>(rng_.uni(0, static_cast<int>(n) - 1)), 0, false);  // count 0: an error beat
    cov_.hit("read count 0");
    refused = true;
  }
  if (refused) request(static_cast<uint32_t>(rng_.uni(0, static_cast<int>(n) - 1)), 1);
  if (cfg_index_ % 7 == 3) write_while_busy();
}

// A configuration write while the controller is busy must be refused.
void Bench::write_while_busy() {
  top_->wr_valid_i = 1;
  top_->wr_weight_i = f2b(0.0f);
  top_->wr_last_i = 1;
  top_->wr_sens_i = 0;
  do {
    tick();
  } while (!wr_fired_);
  top_->wr_valid_i = 0;
  top_->wr_last_i = 0;
  if (top_->busy_o) {
    reg_write(regs::ctrl::kOffset, cfg_.ctrl);
    cov_.hit("bus error locked while busy");
  }
  wait_idle();
}

}  // namespace bench
