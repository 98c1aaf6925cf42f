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
    quiet = top_->busy_o ? 0 : quiet + 1;
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

void Bench::configure(int k, bool lsb_mode) {
  cfg_index_ = k;
  cfg_ = draw_config(rng_, k, lsb_mode, opt_.sigma);
  cov_.hit(std::string("strategy ") + kStrategyNames[cfg_.ctrl]);
  array_.set_sigma(lsb_mode ? 0.0 : opt_.sigma);
  ref_.set_sigma(lsb_mode ? 0.0 : opt_.sigma);
  if (rng_.chance(0.5) || k < 4) refused_accesses();
  for (const auto& [addr, data] : register_writes(cfg_)) {
    if (!reg_write(addr, data)) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "legal write 0x%03x <- 0x%08x refused", addr, data);
      sb_.fail(buf);
    }
  }
  const std::vector<double> knots = draw_lut(rng_, lsb_mode);
  for (std::size_t i = 0; i < knots.size(); ++i) {
    reg_write(regs::lut::kOffset + 4u * static_cast<uint32_t>(i), static_cast<uint32_t>(q20(knots[i])));
  }
  reg_write(regs::cmd::kOffset, regs::cmd::kClearFlags.put(regs::cmd::kStart.put(0, 1), 1));
}

void Bench::stream_weights(int count, bool lsb_mode) {
  written_.clear();
  const pcm::model::CodecConfig& cfg = ref_.codec();
  int sent = 0;
  top_->wr_valid_i = 0;
  bool sens = false;
  uint32_t w = random_weight(rng_, cov_, cfg_, lsb_mode, sens);
  while (sent < count) {
    if (!top_->wr_valid_i && rng_.chance(cfg_.stall_p)) {
      cov_.hit("stall weight stream gap");
      tick();
      continue;
    }
    top_->wr_valid_i = 1;
    top_->wr_weight_i = w;
    top_->wr_sens_i = sens;
    top_->wr_last_i = (sent + 1 == count);
    tick();
    if (!wr_fired_) continue;
    // coverage of what the design accepted
    const auto enc = pcm::model::encode(cfg, w, sens);
    if (!enc.refused) {
      const bool large = (enc.meta >> pcm::model::kMetaLargeBit) & 1u;
      const int32_t lo = cfg.range_lo * (1 << (regs::kTFrac - regs::kRangeFrac));
      const char* sat = !enc.saturated ? "in range" : (enc.t == lo ? "saturated low" : "saturated high");
      cov_.hit(std::string("class ") + (large ? "large" : "small") + " x " + sat);
      const uint32_t r = enc.cells;
      cov_.hit(r == 1 ? "cells r=1" : r < kLanes ? "cells r in 2..lanes-1" : r == kLanes ? "cells r=lanes" : "cells r>lanes");
      if (cfg.sens && sens) cov_.hit("sensitive weight with SENS");
      written_.push_back({w, enc.saturated});
    }
    ++sent;
    top_->wr_valid_i = 0;
    w = random_weight(rng_, cov_, cfg_, lsb_mode, sens);
  }
  top_->wr_valid_i = 0;
  top_->wr_last_i = 0;
}

void Bench::request(uint32_t index, uint32_t count) {
  phase_ = "read request index " + std::to_string(index) + " count " + std::to_string(count);
  top_->rq_valid_i = 1;
  top_->rq_index_i = index;
  top_->rq_count_i = count;
  do {
    tick();
  } while (!rq_fired_);
  top_->rq_valid_i = 0;
  // drain with a randomly stalling reader
  while (!sb_.nothing_expected() || top_->busy_o) {
    top_->rd_ready_i = !rng_.chance(cfg_.stall_p);
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
  if (rng_.chance(0.3)) {
    request(n - 1, 2);  // one past the end
    cov_.hit("read out of range");
  }
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
