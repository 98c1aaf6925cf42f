#include "bench/bench.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "pcm/regs/pcm_ctrl_regs.hpp"

namespace bench {
namespace regs = pcm::regs;

Bench::Bench(const Options& opt)
    : opt_(opt), rng_(opt.seed), array_(rng_, cov_, opt.sigma, opt.seed), ref_(kLanes, opt.sigma, opt.seed),
      sb_(ref_, cycle_) {
  ctx_ = std::make_unique<VerilatedContext>();
  ctx_->traceEverOn(!opt.fst.empty());
  top_ = std::make_unique<Vpcm_ctrl>(ctx_.get(), "pcm_ctrl");
  if (!opt.fst.empty()) {
    trace_ = std::make_unique<VerilatedFstC>();
    top_->trace(trace_.get(), 99);
    trace_->open(opt.fst.c_str());
  }
  target_coverage();
}

Bench::~Bench() {
  if (trace_) trace_->close();
  top_->final();
#if VM_COVERAGE
  if (!opt_.coverage.empty()) ctx_->coveragep()->write(opt_.coverage.c_str());
#endif
}

void Bench::target_coverage() {
  for (int s = 0; s < 16; ++s) cov_.target(std::string("strategy ") + kStrategyNames[s]);
  for (const char* c : {"small", "large"})
    for (const char* sat : {"in range", "saturated low", "saturated high"})
      cov_.target(std::string("class ") + c + " x " + sat);
  for (const char* r : {"r=1", "r in 2..lanes-1", "r=lanes", "r>lanes"}) cov_.target(std::string("cells ") + r);
  for (const char* w : {"+0", "-0", "subnormal", "huge", "tiny", "at threshold", "nan", "inf", "negative"})
    cov_.target(std::string("weight ") + w);
  cov_.target("sensitive weight with SENS");
  for (const char* s : {"weight stream gap", "read stream backpressure", "cell request backpressure",
                        "cell response latency > 1", "cell response gap"})
    cov_.target(std::string("stall ") + s);
  for (const char* r : {"from index 0", "random access", "directory walk", "out of range"})
    cov_.target(std::string("read ") + r);
  for (const char* e : {"illegal value", "read-only register", "unmapped address", "locked while busy"})
    cov_.target(std::string("bus error ") + e);
  for (const char* v : {"converged at pulse 1", "converged at pulses 2..N-1", "converged at pulse N", "not converged"})
    cov_.target(std::string("verify ") + v);
  for (const char* d : {"1 reference", "2..32 references", "64 references", "offset < 0", "offset > 0"})
    cov_.target(std::string("drift compensation ") + d);
  for (const char* r : {"registers read after reset", "register legal minima and maxima", "register first illegal values",
                        "register reserved bits", "clear counters", "tensor re-opened", "read count 0",
                        "read requested while writing", "weight offered while reading",
                        "weight offered while references are read", "read taken after a close in mid-stream",
                        "read requested while references are read",
                        "locked while read path busy", "packing checked",
                        "packing checked, last weight over two requests"})
    cov_.target(r);
}

int Bench::run() {
  reset();
  phase_ = "reset values";
  check_registers();  // every register's reset value against the model's
  cov_.hit("registers read after reset");
  const int per_config = std::max(1, opt_.weights / opt_.configs);
  for (int k = 0; k < opt_.configs; ++k) {
    const bool lsb_mode = k < 16;  // the first 16: each strategy, noiseless path check
    phase_ = "configure";
    configure(k, lsb_mode);
    phase_ = "write stream";
    const uint64_t c0 = cycle_, w0 = weights_written_;
    const uint32_t cells0 = ref_.read_reg(regs::next_cell::kOffset).data;
    const auto verify0 = ref_.verify_stats();
    const uint64_t areq0 = analog_wr_reqs_, dreq0 = digital_wr_reqs_;
    const uint32_t meta0 = ref_.read_reg(regs::meta_written::kOffset).data;
    const uint32_t dir0 = ref_.read_reg(regs::dir_written::kOffset).data;
    cuts_.clear();
    stream_weights(per_config, lsb_mode);
    wait_idle();
    cover_verify(verify0);
    check_packing(analog_wr_reqs_ - areq0, digital_wr_reqs_ - dreq0, cells0, meta0,
                  ref_.read_reg(regs::dir_written::kOffset).data - dir0);
    if (cfg_.stall_p == 0.0 && cfg_.pv_pulses == 1) {  // verify trades throughput on purpose
      const uint64_t cells = ref_.read_reg(regs::next_cell::kOffset).data - cells0;
      const uint64_t weights = weights_written_ - w0;
      // the lanes bound: ceil(cells / lanes) requests at one per clock
      const double bound = std::min(1.0, static_cast<double>(weights) * kLanes / static_cast<double>(cells));
      std::printf("config %2d (%s): %llu weights, %.2f cells/weight: %.3f weights/clock, lane bound %.3f\n", k,
                  kStrategyNames[cfg_.ctrl], static_cast<unsigned long long>(weights),
                  static_cast<double>(cells) / static_cast<double>(weights),
                  static_cast<double>(weights) / static_cast<double>(cycle_ - c0), bound);
      free_cycles_ += cycle_ - c0;
      free_weights_ += weights;
    }
    phase_ = "drain writes";
    wait_idle();
    phase_ = "read back";
    read_back(lsb_mode);
    if (!lsb_mode && rng_.chance(0.15)) {
      phase_ = "re-open";
      reopen_tensor();
    }
    phase_ = "register check";
    check_registers();
    cover_compensation();
    sb_.check_cell_leftovers();
  }
  finish();
  return report();
}

// Which ways the cells of this configuration converged (the reference's
// count; the design's counters are compared with it by check_registers).
void Bench::cover_verify(const pcm::model::ControllerModel::VerifyStats& before) {
  const auto& now = ref_.verify_stats();
  const uint32_t n = cfg_.pv_pulses;
  for (uint32_t k = 1; k < now.pulses_used.size(); ++k) {
    if (now.pulses_used[k] == before.pulses_used[k]) continue;
    if (k == 1) cov_.hit("verify converged at pulse 1");
    else if (k < n) cov_.hit("verify converged at pulses 2..N-1");
    else cov_.hit("verify converged at pulse N");
  }
  if (now.failed != before.failed) cov_.hit("verify not converged");
}

void Bench::cover_compensation() {
  if (!regs::comp::kEn.get(cfg_.comp)) return;
  const uint32_t refs = 1u << regs::comp::kRefLog2.get(cfg_.comp);
  cov_.hit(std::string("drift compensation ") +
           (refs == 1 ? "1 reference" : refs == 64 ? "64 references" : "2..32 references"));
  const auto offset = static_cast<int32_t>(ref_.read_reg(regs::drift_offset::kOffset).data);
  if (offset < 0) cov_.hit("drift compensation offset < 0");
  if (offset > 0) cov_.hit("drift compensation offset > 0");
}

int Bench::report() {
  const int empty = cov_.report();
  std::printf("weights written %llu, read back %llu, configurations %d, cycles %llu\n",
              static_cast<unsigned long long>(weights_written_), static_cast<unsigned long long>(sb_.beats_checked()),
              opt_.configs, static_cast<unsigned long long>(cycle_));
  std::printf("noiseless 16-bit round trip: %llu weights, max error %.3f LSB\n",
              static_cast<unsigned long long>(lsb_checked_), max_lsb_err_);
  if (free_weights_ != 0) {
    std::printf("write throughput without stalls: %.3f weights per clock (%llu weights)\n",
                static_cast<double>(free_weights_) / static_cast<double>(free_cycles_),
                static_cast<unsigned long long>(free_weights_));
  }
  std::printf("cell-port accesses checked against the model: %llu\n",
              static_cast<unsigned long long>(sb_.cell_accesses_checked()));
  std::printf("scoreboard mismatches: %llu\n", static_cast<unsigned long long>(sb_.mismatches()));
  if (sb_.mismatches() != 0 || empty != 0 || lsb_fail_ != 0) {
    std::printf("FAIL: %llu mismatches, %d empty coverage bins, %llu round trips over 1 LSB\n",
                static_cast<unsigned long long>(sb_.mismatches()), empty, static_cast<unsigned long long>(lsb_fail_));
    return 1;
  }
  std::printf("PASS\n");
  return 0;
}

void Bench::reset() {
  top_->rst_ni = 0;
  top_->clk_i = 0;
  top_->eval();
  for (int i = 0; i < 3; ++i) tick_raw();
  top_->rst_ni = 1;
  tick_raw();
}

void Bench::tick_raw() {
  top_->clk_i = 0;
  top_->eval();
  if (trace_) trace_->dump(ctx_->time());
  ctx_->timeInc(1);
  top_->clk_i = 1;
  top_->eval();
  if (trace_) trace_->dump(ctx_->time());
  ctx_->timeInc(1);
}

// One clock: drive the array side, sample handshakes, clock, then the monitors.
void Bench::tick() {
  if (++cycle_ > last_progress_ + kStallLimit) {
    throw std::runtime_error("no handshake for " + std::to_string(kStallLimit) + " cycles in configuration " +
                             std::to_string(cfg_index_) + " (" + phase_ + "): the design hangs");
  }
  const ArrayEnv::Drive drive = array_.drive(cycle_, cfg_.stall_p);
  if (bg_read_) top_->rd_ready_i = !rng_.chance(cfg_.stall_p);
  top_->cell_req_ready_i = drive.req_ready;
  top_->cell_rsp_valid_i = drive.rsp_valid();
  if (array_.holding() && breaking("rsp-valid-drop")) top_->cell_rsp_valid_i = 0;
  if (array_.idle() && !top_->busy_o && breaking("rsp-unrequested")) top_->cell_rsp_valid_i = 1;
  if (drive.rsp_avail) {
    for (int l = 0; l < kLanes; ++l) top_->cell_rsp_rdata_i[l] = array_.front_lanes()[l];
  }
  top_->clk_i = 0;
  top_->eval();
  // sample the handshakes of this cycle
  const bool wr_fire = top_->wr_valid_i && top_->wr_ready_o;
  const bool rq_fire = top_->rq_valid_i && top_->rq_ready_o;
  const bool rd_fire = top_->rd_valid_o && top_->rd_ready_i;
  const bool req_fire = top_->cell_req_valid_o && top_->cell_req_ready_i;
  const bool rsp_fire = top_->cell_rsp_valid_i && top_->cell_rsp_ready_o;
  const bool apb_access = top_->psel_i && top_->penable_i;
  if (top_->cell_req_valid_o && !drive.req_ready) cov_.hit("stall cell request backpressure");
  if (drive.rsp_avail && drive.rsp_gap) cov_.hit("stall cell response gap");
  if (top_->rd_valid_o && !top_->rd_ready_i) cov_.hit("stall read stream backpressure");
  const uint32_t wr_w = top_->wr_weight_i;
  const bool wr_s = top_->wr_sens_i;
  const bool wr_l = top_->wr_last_i;
  const bool wr_offered = top_->wr_valid_i, rq_open = top_->rq_valid_i || !sb_.nothing_expected();
  const uint32_t rq_i = top_->rq_index_i, rq_c = top_->rq_count_i;
  const uint32_t rd_w = top_->rd_weight_o;
  const bool rd_last = top_->rd_last_o, rd_err = top_->rd_err_o;
  const bool busy = top_->busy_o;
  const uint32_t paddr = top_->paddr_i, pwdata = top_->pwdata_i, prdata = top_->prdata_o;
  const bool pwrite = top_->pwrite_i, pslverr = top_->pslverr_o;
  // the cell request as seen at the port
  const bool req_write = top_->cell_req_write_o, req_digital = top_->cell_req_digital_o;
  const uint32_t req_addr = top_->cell_req_addr_o;
  const int req_count = top_->cell_req_count_o;
  uint32_t req_lanes[kLanes];
  for (int l = 0; l < kLanes; ++l) req_lanes[l] = top_->cell_req_wdata_o[l];
  const int dac_bits = top_->cell_dac_bits_o, adc_bits = top_->cell_adc_bits_o;

  top_->clk_i = 1;
  top_->eval();
  if (trace_) trace_->dump(ctx_->time());
  ctx_->timeInc(1);
  if (trace_) {
    top_->clk_i = 0;
    top_->eval();
    trace_->dump(ctx_->time());
  }
  ctx_->timeInc(1);

  // ---- monitors: the reference learns what the design accepted
  if (apb_access) sb_.on_apb(paddr, pwrite, pwdata, prdata, pslverr, busy);
  if (wr_fire || rq_fire || rd_fire || req_fire || rsp_fire || apb_access) last_progress_ = cycle_;
  wr_fired_ = wr_fire;
  rq_fired_ = rq_fire;
  if (wr_fire) {
    ref_.write_weight(wr_w, wr_s, wr_l);
    ++weights_written_;
    on_weight_accepted(wr_w, wr_s);
  }
  if (rq_fire) sb_.expect_read(rq_i, rq_c);
  if (rd_fire) sb_.on_read_beat(rd_w, rd_last, rd_err);
  if (top_->rq_valid_i && !rq_fire && breaking("rq-index-change")) top_->rq_index_i += 1;
  if (bg_read_) {
    if (rq_fire) top_->rq_valid_i = 0;
    if (!top_->rq_valid_i && sb_.nothing_expected()) {
      bg_read_ = false;
      top_->rd_ready_i = 0;
    }
  }
  array_.responded(top_->cell_rsp_valid_i, rsp_fire);
  if (req_fire) {
    if (req_count < 1 || req_count > kLanes) sb_.fail("cell request with lane count " + std::to_string(req_count));
    array_.on_request(cycle_, req_write, req_digital, req_addr, req_count, req_lanes, dac_bits, adc_bits);
    sb_.on_cell_request(req_write, req_digital, req_addr, std::min(std::max(req_count, 0), kLanes), req_lanes,
                        dac_bits, adc_bits);
    if (req_write) ++(req_digital ? digital_wr_reqs_ : analog_wr_reqs_);
    // the race pcm_refs must get right: a weight arrives while a read request's
    // references are read (they are read once per request, as the model does)
    const uint32_t refs = regs::comp::kEn.get(cfg_.comp) ? 1u << regs::comp::kRefLog2.get(cfg_.comp) : 0u;
    if (!req_write && !req_digital && req_addr - cfg_.ref_base < refs) {
      ref_read_seen_ = true;
      if (wr_offered && rq_open) cov_.hit("weight offered while references are read");
    }
  }
}

}  // namespace bench
