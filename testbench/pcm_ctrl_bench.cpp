// Constrained-random bench for rtl/pcm_ctrl against the functional model.
//
// Shape (as in cocotb's examples and Ibex's co-simulation checker): drivers
// with random stalls on every valid/ready interface, an array stand-in with
// random latency and backpressure, input monitors that feed the functional
// model with what the design actually accepted, and a scoreboard that checks
// every read-back weight, every register read (counters included) and every
// bus error response against the model. An output arriving before its
// expectation is an error; so is anything expected left over at the end.
// Coverage bins are printed; an empty targeted bin fails the run.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "Vpcm_ctrl.h"
#include "pcm/regs/pcm_ctrl_regs.hpp"
#include "pcm/model/cell_array.hpp"
#include "pcm/model/codec.hpp"
#include "pcm/model/controller_model.hpp"
#include "verilated.h"
#include "verilated_fst_c.h"

namespace {

namespace regs = pcm::regs;
using pcm::model::CodecConfig;
using pcm::model::ControllerModel;
using pcm::model::ReadBeat;
using pcm::model::StandInArray;

constexpr int kLanes = 4;
constexpr int kWordBits = 32;

struct Options {
  uint64_t seed = 1;
  int configs = 60;
  int weights = 110000;  // in total over all configurations
  double sigma = 0.02;   // read noise of the stand-in array (normalised units)
  std::string fst;       // waveform file; empty: no tracing
};

uint32_t f2b(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
float b2f(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

// ------------------------------------------------------------------ coverage
class Coverage {
 public:
  void target(const std::string& bin) { bins_.emplace(bin, 0); }
  void hit(const std::string& bin) { ++bins_[bin]; }
  int report() const {
    int empty = 0;
    std::printf("coverage (%zu bins):\n", bins_.size());
    for (const auto& [name, n] : bins_) {
      std::printf("  %-40s %10llu%s\n", name.c_str(), static_cast<unsigned long long>(n),
                  n == 0 ? "   <-- EMPTY" : "");
      if (n == 0) ++empty;
    }
    return empty;
  }

 private:
  std::map<std::string, uint64_t> bins_;
};

const char* kStrategyNames[16] = {"none",      "sp",         "am",         "sp+am",
                                  "ar",        "sp+ar",      "am+ar",      "sp+am+ar",
                                  "sens",      "sp+sens",    "am+sens",    "sp+am+sens",
                                  "ar+sens",   "sp+ar+sens", "am+ar+sens", "sp+am+ar+sens"};

// ------------------------------------------------------------------ the bench
class Bench {
 public:
  explicit Bench(const Options& opt)
      : opt_(opt),
        rng_(opt.seed),
        dut_array_(opt.sigma, opt.seed),
        model_array_(opt.sigma, opt.seed),
        model_(pcm::model::ControllerParams{kLanes, 16, 16}, model_array_) {
    ctx_ = std::make_unique<VerilatedContext>();
    ctx_->traceEverOn(!opt.fst.empty());
    top_ = std::make_unique<Vpcm_ctrl>(ctx_.get(), "pcm_ctrl");
    if (!opt.fst.empty()) {
      trace_ = std::make_unique<VerilatedFstC>();
      top_->trace(trace_.get(), 99);
      trace_->open(opt.fst.c_str());
    }
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
  }

  ~Bench() {
    if (trace_) trace_->close();
    top_->final();
  }

  int run() {
    reset();
    const int per_config = std::max(1, opt_.weights / opt_.configs);
    for (int k = 0; k < opt_.configs; ++k) {
      const bool lsb_mode = k < 16;  // the first 16: each strategy, noiseless path check
      phase_ = "configure";
      configure(k, lsb_mode);
      phase_ = "write stream";
      const uint64_t c0 = cycle_, w0 = weights_written_;
      const uint32_t cells0 = model_.read_reg(regs::next_cell::kOffset).data;
      stream_weights(per_config, lsb_mode);
      wait_idle();
      if (stall_p_ == 0.0) {
        const uint64_t cells = model_.read_reg(regs::next_cell::kOffset).data - cells0;
        const uint64_t weights = weights_written_ - w0;
        // the lanes bound: ceil(cells / lanes) requests at one per clock
        const double bound = std::min(1.0, static_cast<double>(weights) * kLanes / static_cast<double>(cells));
        std::printf("config %2d (%s): %llu weights, %.2f cells/weight: %.3f weights/clock, lane bound %.3f\n",
                    k, kStrategyNames[ctrl_], static_cast<unsigned long long>(weights),
                    static_cast<double>(cells) / static_cast<double>(weights),
                    static_cast<double>(weights) / static_cast<double>(cycle_ - c0), bound);
        free_cycles_ += cycle_ - c0;
        free_weights_ += weights;
      }
      phase_ = "drain writes";
      wait_idle();
      phase_ = "read back";
      read_back(lsb_mode);
      phase_ = "register check";
      check_registers();
    }
    finish();
    const int empty = cov_.report();
    std::printf("weights written %llu, read back %llu, configurations %d, cycles %llu\n",
                static_cast<unsigned long long>(weights_written_),
                static_cast<unsigned long long>(weights_checked_), opt_.configs,
                static_cast<unsigned long long>(cycle_));
    std::printf("noiseless 16-bit round trip: %llu weights, max error %.3f LSB\n",
                static_cast<unsigned long long>(lsb_checked_), max_lsb_err_);
    if (free_weights_ != 0) {
      std::printf("write throughput without stalls: %.3f weights per clock (%llu weights)\n",
                  static_cast<double>(free_weights_) / static_cast<double>(free_cycles_),
                  static_cast<unsigned long long>(free_weights_));
    }
    std::printf("scoreboard mismatches: %llu\n", static_cast<unsigned long long>(mismatches_));
    if (mismatches_ != 0 || empty != 0 || lsb_fail_ != 0) {
      std::printf("FAIL: %llu mismatches, %d empty coverage bins, %llu round trips over 1 LSB\n",
                  static_cast<unsigned long long>(mismatches_), empty,
                  static_cast<unsigned long long>(lsb_fail_));
      return 1;
    }
    std::printf("PASS\n");
    return 0;
  }

 private:
  // ---------------------------------------------------------------- clocking
  struct PendingRsp {
    uint64_t ready_at;
    std::vector<uint32_t> lanes;
  };

  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  int uni(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  void fail(const std::string& what) {
    ++mismatches_;
    if (mismatches_ <= 20) std::printf("MISMATCH at cycle %llu: %s\n", static_cast<unsigned long long>(cycle_), what.c_str());
  }

  void reset() {
    top_->rst_ni = 0;
    top_->clk_i = 0;
    top_->eval();
    for (int i = 0; i < 3; ++i) tick_raw();
    top_->rst_ni = 1;
    tick_raw();
  }

  void tick_raw() {
    top_->clk_i = 0;
    top_->eval();
    if (trace_) trace_->dump(ctx_->time());
    ctx_->timeInc(1);
    top_->clk_i = 1;
    top_->eval();
    if (trace_) trace_->dump(ctx_->time());
    ctx_->timeInc(1);
  }

  // One clock: drive the array side, sample handshakes, clock, update models.
  void tick() {
    if (++cycle_ > last_progress_ + kStallLimit) {
      throw std::runtime_error("no handshake for " + std::to_string(kStallLimit) + " cycles in configuration " +
                               std::to_string(cfg_index_) + " (" + phase_ + "): the design hangs");
    }
    // array side inputs for this cycle
    const bool req_stall = chance(stall_p_);
    top_->cell_req_ready_i = !req_stall;
    // a response once offered stays offered until taken (valid/ready rule)
    const bool rsp_avail = !rsp_q_.empty() && rsp_q_.front().ready_at <= cycle_;
    const bool rsp_gap = !rsp_offered_ && chance(stall_p_);
    top_->cell_rsp_valid_i = rsp_avail && !rsp_gap;
    if (rsp_avail) {
      for (int l = 0; l < kLanes; ++l) top_->cell_rsp_rdata_i[l] = rsp_q_.front().lanes[l];
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
    if (top_->cell_req_valid_o && req_stall) cov_.hit("stall cell request backpressure");
    if (rsp_avail && rsp_gap) cov_.hit("stall cell response gap");
    if (top_->rd_valid_o && !top_->rd_ready_i) cov_.hit("stall read stream backpressure");
    const uint32_t wr_w = top_->wr_weight_i;
    const bool wr_s = top_->wr_sens_i;
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
    if (trace_) {
      trace_->dump(ctx_->time());
    }
    ctx_->timeInc(1);
    if (trace_) {
      top_->clk_i = 0;
      top_->eval();
      trace_->dump(ctx_->time());
    }
    ctx_->timeInc(1);

    // ---- monitors
    if (apb_access) on_apb(paddr, pwrite, pwdata, prdata, pslverr, busy);
    if (wr_fire || rq_fire || rd_fire || req_fire || rsp_fire || apb_access) last_progress_ = cycle_;
    wr_fired_ = wr_fire;
    rq_fired_ = rq_fire;
    if (wr_fire) {
      model_.write_weight(wr_w, wr_s);
      ++weights_written_;
    }
    if (rq_fire) {
      for (const ReadBeat& b : model_.read(rq_i, rq_c)) expected_.push_back(b);
    }
    if (rd_fire) on_read_beat(rd_w, rd_last, rd_err);
    rsp_offered_ = top_->cell_rsp_valid_i && !rsp_fire;
    if (rsp_fire) rsp_q_.pop_front();
    if (req_fire) on_cell_request(req_write, req_digital, req_addr, req_count, req_lanes, dac_bits, adc_bits);
  }

  void on_cell_request(bool write, bool digital, uint32_t addr, int count, const uint32_t* lanes,
                       int dac_bits, int adc_bits) {
    if (count < 1 || count > kLanes) fail("cell request with lane count " + std::to_string(count));
    PendingRsp rsp{0, std::vector<uint32_t>(kLanes, 0)};
    for (int l = 0; l < count; ++l) {
      const uint32_t a = addr + static_cast<uint32_t>(l);
      if (write && digital) dut_array_.write_digital(a, lanes[l]);
      if (write && !digital) dut_array_.write_analog(a, static_cast<int32_t>(lanes[l]), dac_bits);
      if (!write && digital) rsp.lanes[l] = dut_array_.read_digital(a);
      if (!write && !digital) rsp.lanes[l] = static_cast<uint32_t>(dut_array_.read_analog(a, adc_bits));
    }
    if (!write) {
      const int latency = chance(0.3) ? uni(2, 8) : 1;
      if (latency > 1) cov_.hit("stall cell response latency > 1");
      const uint64_t after = rsp_q_.empty() ? 0 : rsp_q_.back().ready_at;
      rsp.ready_at = std::max(cycle_ + static_cast<uint64_t>(latency), after);
      rsp_q_.push_back(std::move(rsp));
    }
  }

  void on_apb(uint32_t addr, bool write, uint32_t wdata, uint32_t rdata, bool err, bool busy) {
    char buf[160];
    if (write) {
      const auto res = model_.write_reg(addr, wdata, busy);
      if (res.ok == err) {
        std::snprintf(buf, sizeof buf, "APB write 0x%03x <- 0x%08x: design %s, model %s", addr, wdata,
                      err ? "refused" : "accepted", res.ok ? "accepts" : "refuses");
        fail(buf);
      }
    } else {
      const auto res = model_.read_reg(addr, busy);
      uint32_t got = rdata;
      uint32_t want = res.data;
      if (addr == regs::status::kOffset) {  // busy bits are timing, not state
        got &= ~(regs::status::kWrBusy.mask() | regs::status::kRdBusy.mask());
      }
      if (res.ok == err || (res.ok && got != want)) {
        std::snprintf(buf, sizeof buf, "APB read 0x%03x: design 0x%08x%s, model 0x%08x%s", addr, got,
                      err ? " (error)" : "", want, res.ok ? "" : " (error)");
        fail(buf);
      }
    }
  }

  void on_read_beat(uint32_t w, bool last, bool err) {
    if (expected_.empty()) {
      fail("read beat before any expectation");
      return;
    }
    const ReadBeat want = expected_.front();
    expected_.pop_front();
    ++weights_checked_;
    if (want.weight != w || want.last != last || want.err != err) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "read beat: design 0x%08x last=%d err=%d, model 0x%08x last=%d err=%d", w,
                    last, err, want.weight, want.last, want.err);
      fail(buf);
    }
    read_log_.push_back(w);
  }

  // ---------------------------------------------------------------- drivers
  // An APB transfer; returns PSLVERR and the read data.
  std::pair<bool, uint32_t> apb(uint32_t addr, bool write, uint32_t data = 0) {
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
  bool reg_write(uint32_t addr, uint32_t data) { return !apb(addr, true, data).first; }

  void wait_idle() {
    int quiet = 0;
    while (quiet < 2) {
      tick();
      quiet = top_->busy_o ? 0 : quiet + 1;
    }
  }

  // ---------------------------------------------------------------- configuration
  static int32_t q20(double v) { return static_cast<int32_t>(std::lround(v * (1 << regs::kTFrac))); }
  static uint32_t q14(double v) {
    return static_cast<uint16_t>(static_cast<int16_t>(std::lround(v * (1 << regs::kRangeFrac))));
  }

  void configure(int k, bool lsb_mode) {
    cfg_index_ = k;
    ctrl_ = static_cast<uint32_t>(k % 16);
    cov_.hit(std::string("strategy ") + kStrategyNames[ctrl_]);
    const bool sp = ctrl_ & 1u, am = ctrl_ & 2u;
    dut_array_.set_sigma(lsb_mode ? 0.0 : opt_.sigma);
    model_array_.set_sigma(lsb_mode ? 0.0 : opt_.sigma);
    stall_p_ = lsb_mode ? 0.1 : std::vector<double>{0.0, 0.1, 0.3, 0.6}[uni(0, 3)];

    wmax_ = std::ldexp(1.0, uni(-6, 3)) * std::uniform_real_distribution<double>(1, 2)(rng_);
    thr_ = static_cast<float>(wmax_ * std::uniform_real_distribution<double>(0.05, 0.6)(rng_));
    if (lsb_mode) {
      lo_ = -1.0;
      hi_ = 1.0;
    } else {
      lo_ = std::uniform_real_distribution<double>(-1.0, 0.2)(rng_);
      hi_ = std::uniform_real_distribution<double>(lo_ + 0.1, 1.0)(rng_);
      lo_ = std::round(lo_ * 16384) / 16384;
      hi_ = std::round(hi_ * 16384) / 16384;
    }
    // small class: [0, T] (SP) or [-T, T]; large: [T, wmax] or [-wmax, wmax]
    const double s_lo = sp ? 0.0 : (am ? -thr_ : -wmax_);
    const double s_hi = am ? thr_ : wmax_;
    const double l_lo = sp ? thr_ : -wmax_;
    const double l_hi = wmax_;
    const double over = lsb_mode ? 1.0 : std::uniform_real_distribution<double>(0.85, 1.05)(rng_);
    alpha_s_ = static_cast<float>((hi_ - lo_) / (s_hi - s_lo) * over);
    alpha_l_ = static_cast<float>((hi_ - lo_) / (l_hi - l_lo) * over);
    const double beta_s = std::clamp(alpha_s_ * s_lo - lo_, -4.0, 4.0);
    const double beta_l = std::clamp(alpha_l_ * l_lo - lo_, -4.0, 4.0);
    dac_bits_ = lsb_mode ? 16 : uni(4, 16);
    adc_bits_ = lsb_mode ? 16 : uni(4, 16);
    const uint32_t r_small = lsb_mode ? 1 : static_cast<uint32_t>(uni(1, 3));
    const uint32_t r_large = lsb_mode ? 2 : static_cast<uint32_t>(chance(0.2) ? uni(5, 40) : uni(1, 6));
    const uint32_t r_sens = lsb_mode ? 3 : static_cast<uint32_t>(uni(1, 12));
    const uint32_t block_log2 = static_cast<uint32_t>(uni(1, 6));
    const uint32_t abase = static_cast<uint32_t>(rng_()), mbase = static_cast<uint32_t>(rng_());
    const uint32_t dbase = static_cast<uint32_t>(rng_());

    // A few refused accesses first: each must change nothing.
    if (chance(0.5) || k < 4) {
      reg_write(regs::cells_small::kOffset, chance(0.5) ? 0u : regs::kMaxCells + 1u);
      reg_write(regs::range::kOffset, (q14(0.5) << 16) | q14(0.6));  // lo >= hi
      reg_write(regs::scale_small::kOffset, f2b(-1.0f));
      reg_write(regs::lut::kOffset, static_cast<uint32_t>(q20(1.5)));
      cov_.hit("bus error illegal value");
      reg_write(regs::cells_written::kOffset, 5);
      cov_.hit("bus error read-only register");
      reg_write(0x0FC, 1);
      apb(0x0F8, false);
      cov_.hit("bus error unmapped address");
    }
    std::vector<std::pair<uint32_t, uint32_t>> writes = {
        {regs::ctrl::kOffset, ctrl_},
        {regs::threshold::kOffset, f2b(thr_)},
        {regs::scale_small::kOffset, f2b(alpha_s_)},
        {regs::rscale_small::kOffset, f2b(1.0f / alpha_s_)},
        {regs::shift_small::kOffset, static_cast<uint32_t>(q20(beta_s))},
        {regs::scale_large::kOffset, f2b(alpha_l_)},
        {regs::rscale_large::kOffset, f2b(1.0f / alpha_l_)},
        {regs::shift_large::kOffset, static_cast<uint32_t>(q20(beta_l))},
        {regs::cells_small::kOffset, r_small},
        {regs::cells_large::kOffset, r_large},
        {regs::cells_sens::kOffset, r_sens},
        {regs::range::kOffset, (q14(hi_) << 16) | q14(lo_)},
        {regs::res::kOffset, (static_cast<uint32_t>(adc_bits_) << 8) | static_cast<uint32_t>(dac_bits_)},
        {regs::dir::kOffset, block_log2},
        {regs::analog_base::kOffset, abase},
        {regs::meta_base::kOffset, mbase},
        {regs::dir_base::kOffset, dbase},
    };
    for (const auto& [addr, data] : writes) {
      if (!reg_write(addr, data)) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "legal write 0x%03x <- 0x%08x refused", addr, data);
        fail(buf);
      }
    }
    // LUT: identity in LSB mode, else a random monotone curve inside [-1, 1]
    std::vector<double> knots(pcm::model::kKnotCount);
    for (int i = 0; i < pcm::model::kKnotCount; ++i) knots[i] = -1.0 + 2.0 * i / (pcm::model::kKnotCount - 1);
    if (!lsb_mode) {
      double x = std::uniform_real_distribution<double>(-1.0, -0.5)(rng_);
      const double top = std::uniform_real_distribution<double>(0.5, 1.0)(rng_);
      for (int i = 0; i < pcm::model::kKnotCount; ++i) {
        knots[i] = x;
        x = std::min(top, x + (top - knots[0]) / (pcm::model::kKnotCount - 1) *
                                  std::uniform_real_distribution<double>(0.3, 1.7)(rng_));
      }
    }
    for (int i = 0; i < pcm::model::kKnotCount; ++i) {
      reg_write(regs::lut::kOffset + 4u * static_cast<uint32_t>(i), static_cast<uint32_t>(q20(knots[i])));
    }
    reg_write(regs::cmd::kOffset, regs::cmd::kStart.mask() | regs::cmd::kClearFlags.mask());
  }

  uint32_t random_weight(bool lsb_mode, bool& sens) {
    sens = chance(0.2);
    if (lsb_mode) {
      double m = std::uniform_real_distribution<double>(0, wmax_)(rng_);
      if (chance(0.1)) m = thr_;
      return f2b(static_cast<float>(chance(0.5) ? -m : m));
    }
    const int kind = uni(0, 19);
    const bool neg = chance(0.5);
    const uint32_t s = neg ? 0x80000000u : 0u;
    if (neg) cov_.hit("weight negative");
    switch (kind) {
      case 0: cov_.hit(neg ? "weight -0" : "weight +0"); return s;
      case 1: cov_.hit("weight subnormal"); return s | static_cast<uint32_t>(uni(1, 0x7FFFFF));
      case 2: cov_.hit("weight huge"); return s | (static_cast<uint32_t>(uni(200, 254)) << 23) | static_cast<uint32_t>(uni(0, 0x7FFFFF));
      case 3: cov_.hit("weight tiny"); return s | (static_cast<uint32_t>(uni(1, 90)) << 23) | static_cast<uint32_t>(uni(0, 0x7FFFFF));
      case 4: {
        cov_.hit("weight at threshold");
        const uint32_t t = f2b(thr_) + static_cast<uint32_t>(uni(-1, 1));
        return s | t;
      }
      case 5:
        if (chance(0.15)) {
          const bool nan = chance(0.5);
          cov_.hit(nan ? "weight nan" : "weight inf");
          return s | (nan ? 0x7FC00000u + static_cast<uint32_t>(uni(0, 1000)) : 0x7F800000u);
        }
        [[fallthrough]];
      default: {
        const double m = std::uniform_real_distribution<double>(0, wmax_ * 1.1)(rng_);
        return f2b(static_cast<float>(neg ? -m : m));
      }
    }
  }

  void stream_weights(int count, bool lsb_mode) {
    written_.clear();
    const CodecConfig& cfg = model_.codec();
    int sent = 0;
    top_->wr_valid_i = 0;
    bool sens = false;
    uint32_t w = random_weight(lsb_mode, sens);
    while (sent < count) {
      if (!top_->wr_valid_i && chance(stall_p_)) {
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
      w = random_weight(lsb_mode, sens);
    }
    top_->wr_valid_i = 0;
    top_->wr_last_i = 0;
  }

  void request(uint32_t index, uint32_t count) {
    phase_ = "read request index " + std::to_string(index) + " count " + std::to_string(count);
    top_->rq_valid_i = 1;
    top_->rq_index_i = index;
    top_->rq_count_i = count;
    do {
      tick();
    } while (!rq_fired_);
    top_->rq_valid_i = 0;
    // drain with a randomly stalling reader
    while (!expected_.empty() || top_->busy_o) {
      top_->rd_ready_i = !chance(stall_p_);
      tick();
    }
    top_->rd_ready_i = 0;
  }

  void read_back(bool lsb_mode) {
    const auto n = static_cast<uint32_t>(written_.size());
    if (n == 0) return;
    read_log_.clear();
    request(0, n);
    cov_.hit("read from index 0");
    if (lsb_mode) check_lsb();
    // random access: two requests from inside the tensor
    const uint32_t block = 1u << regs::dir::kBlockLog2.get(model_.read_reg(regs::dir::kOffset).data);
    for (int i = 0; i < 2 && n > 1; ++i) {
      const uint32_t index = static_cast<uint32_t>(uni(1, static_cast<int>(n) - 1));
      const uint32_t count = static_cast<uint32_t>(uni(1, static_cast<int>(std::min<uint32_t>(n - index, 40))));
      request(index, count);
      cov_.hit("read random access");
      if ((ctrl_ & 0xCu) != 0 && index % block != 0) cov_.hit("read directory walk");
    }
    if (chance(0.3)) {
      request(n - 1, 2);  // one past the end
      cov_.hit("read out of range");
    }
    // a configuration write while busy must be refused
    if (cfg_index_ % 7 == 3) {
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
        reg_write(regs::ctrl::kOffset, ctrl_);
        cov_.hit("bus error locked while busy");
      }
      wait_idle();
    }
  }

  // Noiseless identity path at 16 bits: every non-saturated weight comes back
  // within one DAC/ADC step of its class's range.
  void check_lsb() {
    const CodecConfig& cfg = model_.codec();
    for (size_t i = 0; i < written_.size() && i < read_log_.size(); ++i) {
      if (written_[i].saturated) continue;
      const float w = b2f(written_[i].bits);
      const auto enc = pcm::model::encode(cfg, written_[i].bits, false);
      const bool map_large = cfg.am && ((enc.meta >> pcm::model::kMetaLargeBit) & 1u);
      const double alpha = map_large ? alpha_l_ : alpha_s_;
      const double lsb = std::ldexp(1.0, -(cfg.dac_bits - 1)) / alpha;
      const double err = std::fabs(static_cast<double>(b2f(read_log_[i])) - w) / lsb;
      max_lsb_err_ = std::max(max_lsb_err_, err);
      ++lsb_checked_;
      if (err > 1.0) {
        ++lsb_fail_;
        if (lsb_fail_ <= 5) std::printf("round trip over 1 LSB: strategy %s w=%.9g read %.9g (%.3f LSB)\n",
                                        kStrategyNames[ctrl_], w, b2f(read_log_[i]), err);
      }
    }
  }

  void check_registers() {
    // every register and counter; the monitor compares each with the model
    for (const auto& info : regs::kRegisters) {
      for (uint32_t e = 0; e < info.entries; ++e) {
        if (info.access != regs::Access::kWriteOnly) apb(info.offset + 4 * e, false);
      }
    }
  }

  void finish() {
    wait_idle();
    for (int i = 0; i < 20; ++i) tick();
    if (!expected_.empty()) fail(std::to_string(expected_.size()) + " expected read beats never came");
    if (!rsp_q_.empty()) fail("cell responses left unconsumed");
  }

  struct Written {
    uint32_t bits;
    bool saturated;
  };

  Options opt_;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vpcm_ctrl> top_;
  std::unique_ptr<VerilatedFstC> trace_;
  StandInArray dut_array_;
  StandInArray model_array_;
  ControllerModel model_;
  Coverage cov_;
  std::deque<PendingRsp> rsp_q_;
  bool rsp_offered_ = false;
  bool wr_fired_ = false;  // handshakes of the last clock, as the monitor saw them
  bool rq_fired_ = false;
  std::deque<ReadBeat> expected_;
  std::vector<Written> written_;
  std::vector<uint32_t> read_log_;
  uint64_t cycle_ = 0;
  static constexpr uint64_t kStallLimit = 100'000;
  uint64_t last_progress_ = 0;
  std::string phase_ = "reset";
  uint64_t mismatches_ = 0;
  uint64_t weights_written_ = 0;
  uint64_t weights_checked_ = 0;
  uint64_t lsb_checked_ = 0;
  uint64_t free_cycles_ = 0;
  uint64_t free_weights_ = 0;
  uint64_t lsb_fail_ = 0;
  double max_lsb_err_ = 0.0;
  double stall_p_ = 0.1;
  int cfg_index_ = 0;
  uint32_t ctrl_ = 0;
  double wmax_ = 1.0;
  float thr_ = 0.5f;
  double lo_ = -1.0, hi_ = 1.0;
  float alpha_s_ = 1.0f, alpha_l_ = 1.0f;
  int dac_bits_ = 16, adc_bits_ = 16;
};

[[noreturn]] void usage_error(const std::string& msg) {
  std::fprintf(stderr, "pcm_ctrl_bench: error: %s\n", msg.c_str());
  std::fprintf(stderr,
               "usage: pcm_ctrl_bench [--seed N] [--configs N] [--weights N] [--sigma S] [--fst FILE]\n");
  std::exit(2);
}

long long parse_int(const char* s, const char* what) {
  char* end = nullptr;
  const long long v = std::strtoll(s, &end, 10);
  if (end == s || *end != '\0' || v < 0) usage_error(std::string(what) + " must be a non-negative integer, got '" + s + "'");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--seed") opt.seed = static_cast<uint64_t>(parse_int(value(), "--seed"));
    else if (a == "--configs") opt.configs = static_cast<int>(parse_int(value(), "--configs"));
    else if (a == "--weights") opt.weights = static_cast<int>(parse_int(value(), "--weights"));
    else if (a == "--sigma") opt.sigma = std::strtod(value(), nullptr);
    else if (a == "--fst") opt.fst = value();
    else usage_error("unknown option '" + a + "'");
  }
  if (opt.configs < 16) usage_error("--configs must be at least 16 (one per strategy combination)");
  try {
    Bench bench(opt);
    return bench.run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pcm_ctrl_bench: error: %s\n", e.what());
    return 1;
  }
}
