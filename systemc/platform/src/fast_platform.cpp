// The fast rtl platform (RtlPlatformKind::kFast): pcm_ctrl Verilated as plain
// C++, clocked by eval() calls in one loop that also plays the cell port's
// array (ArrayCore, shared with PcmArray) and the host's bus protocols, pin
// for pin as the pin-level bus models drive them (bus_models.cpp). The host
// thread (host_initiator.hpp) reaches it through TLM-2.0 b_transport; the
// target runs the transfer's cycles at once and annotates their time, which
// the host's quantum keeper syncs.
//
// One clock cycle (cycle()):
//   1. clk low, inputs of the cycle set, cell_req_ready among them (the
//      array's answer to the request the rising edge left on the port):
//      eval() settles the combinational outputs (falling_edge(): only if an
//      input changed since the last eval()); the array answers the settled
//      request (only while valid, as PcmArray does) and, if that answer
//      differs, eval() again;
//   2. every output is sampled: the values the cycle ends with, which is what
//      SystemC processes woken by the rising edge read;
//   3. clk high, act_and_nba(): the flops take their inputs (eval() without its
//      input-combinational pass, which step 1 has done);
//   4. the array takes the edge with the sampled port (ArrayCore::edge) and
//      drives the response inputs of the next cycle.
// The host code then sets the next cycle's inputs from the sampled outputs.

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "host_initiator.hpp"
#include "payload_rules.hpp"
#include "pcm/platform/array_core.hpp"
#include "pcm/platform/rtl_platform.hpp"
#include "pcm_fast_variants.inc"
#include "verilated.h"
#if PCM_RTL_TRACE
#include "Vpcm_array_probe_c.h"
#include "verilated_fst_c.h"
#endif

namespace pcm::platform::detail {
namespace {

using sc_core::sc_time;

// Lane l (32 bits) of a Verilated port of any width.
template <typename T>
uint32_t lane(const T& port, int l) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<uint32_t>(static_cast<uint64_t>(port) >> (32 * l));
  } else {
    return port[l];
  }
}
// Sets lane l of a Verilated port to v; true when that changed the port.
template <typename T>
bool set_lane(T& port, int l, uint32_t v) {
  if (lane(port, l) == v) return false;
  if constexpr (std::is_same_v<T, QData>) {
    const int s = 32 * l;
    port = (port & ~(QData{0xFFFF'FFFFu} << s)) | (QData{v} << s);
  } else if constexpr (std::is_integral_v<T>) {
    port = static_cast<T>(v);
  } else {
    port[l] = v;
  }
  return true;
}

// Verilator 5's eval() runs the input-combinational region first, at every
// call: pcm_ctrl's logic fed by its inputs, about half of the model's work.
// At the rising edge no input but the clock has changed since the falling
// edge's eval() settled that logic, so act_and_nba() runs only what eval() runs
// after it, the active and NBA regions with their convergence loop, through
// the generated scheduler functions (found by the build for this Verilator:
// PCM_FAST_DIRECT_EVAL; else eval()). settle() is eval() called the same way,
// without eval_step()'s wrapper (about 100 instructions per call). The
// ctests hold the result to the pin-level platform, which calls eval()
// through SystemC, cycle for cycle.
#define PCM_FAST_ROOT(prefix)                                                                        \
  inline void eval_triggers_ico(prefix##___024root* r) { prefix##___024root___eval_triggers__ico(r); } \
  inline void eval_ico(prefix##___024root* r) { prefix##___024root___eval_ico(r); }                   \
  inline void eval_triggers_act(prefix##___024root* r) { prefix##___024root___eval_triggers__act(r); } \
  inline void eval_act(prefix##___024root* r) { prefix##___024root___eval_act(r); }                   \
  inline void eval_nba(prefix##___024root* r) { prefix##___024root___eval_nba(r); }
PCM_FAST_ROOTS
#undef PCM_FAST_ROOT

constexpr uint32_t kConvergeLimit = 100;  // Verilator's own

template <class V, bool kTraced>
void act_and_nba(V& m) {
#if PCM_FAST_DIRECT_EVAL
  auto* r = m.rootp;
  // what eval_step() marks for tracing (a member only of a traced build)
  if constexpr (kTraced) r->vlSymsp->__Vm_activity = true;
  uint32_t nba_iterations = 0;
  for (bool again = true; again;) {
    again = false;
    r->__VnbaTriggered.clear();
    r->__VactIterCount = 0;
    for (bool act = true; act;) {
      act = false;
      eval_triggers_act(r);
      if (r->__VactTriggered.any()) {
        act = true;
        if (++r->__VactIterCount > kConvergeLimit) {
          throw std::runtime_error("pcm_ctrl: active region did not converge");
        }
        r->__VnbaTriggered.set(r->__VactTriggered);
        eval_act(r);
      }
    }
    if (r->__VnbaTriggered.any()) {
      again = true;
      if (++nba_iterations > kConvergeLimit) throw std::runtime_error("pcm_ctrl: NBA region did not converge");
      eval_nba(r);
    }
  }
#else
  m.eval();
#endif
}

// eval() after the model's first one (eval_step() runs the initial blocks).
template <class V, bool kTraced>
void settle(V& m) {
#if PCM_FAST_DIRECT_EVAL
  auto* r = m.rootp;
  r->__VicoIterCount = 0;
  for (;;) {
    eval_triggers_ico(r);
    if (!r->__VicoTriggered.any()) break;
    if (r->__VicoIterCount++ > kConvergeLimit) {
      throw std::runtime_error("pcm_ctrl: input combinational region did not converge");
    }
    eval_ico(r);
  }
  act_and_nba<V, kTraced>(m);
#else
  m.eval();
#endif
}

[[noreturn]] void hung(const char* what, uint64_t cycles) {
  throw std::runtime_error(std::string(what) + ": no handshake for " + std::to_string(cycles) +
                           " clock cycles, the design hangs");
}

// What the fast target needs of a Verilated variant (virtual per transfer,
// never per cycle).
class FastCtrl {
 public:
  virtual ~FastCtrl() = default;
  virtual ArrayCore& array() = 0;
  virtual uint64_t cycles() const = 0;
  virtual void clocks(uint64_t n) = 0;
  virtual void set_reset(bool level) = 0;
  // The bus protocols, as ApbBridge / WeightStreamWriter / ReadStreamReader
  // drive the pins (std::runtime_error on a watchdog).
  virtual void apb(bool write, uint32_t addr, uint32_t wdata, uint32_t& rdata, bool& err) = 0;
  virtual void stream(const unsigned char* data, const uint8_t* sens, std::size_t n, bool closes) = 0;
  virtual void read(uint32_t index, uint32_t count, unsigned char* out, uint64_t capacity, uint64_t& beats,
                    bool& err, bool& overflow) = 0;
  virtual void start_trace() = 0;
  virtual void finish() = 0;
};

// V: a Verilated variant; kTraced: it was Verilated with FST tracing.
template <class V, bool kTraced>
class FastCtrlImpl final : public FastCtrl {
 public:
  FastCtrlImpl(const RtlPlatformOptions& opt, CellStore& store, int lanes)
      // the scope names of the pin-level platform's waveform (systemc/pcm_ctrl.gtkw)
      : opt_(opt), array_(store, opt.timing, lanes), m_(std::make_unique<V>("pcm_rtl_platform.u_pcm_ctrl")) {
    m_->clk_i = 0;
    m_->rst_ni = 1;
    m_->rd_ready_i = 0;
    m_->eval();  // the first: initial blocks
    inputs_changed_ = false;
  }

  ArrayCore& array() override { return array_; }
  uint64_t cycles() const override { return cycles_; }
  void set_reset(bool level) override { drive(m_->rst_ni, level); }

  void clocks(uint64_t n) override {
    for (uint64_t i = 0; i < n; ++i) cycle();
  }

  // Clocks until the handshake `done` holds after an edge; a design that
  // keeps it low for watchdog_cycles clocks hangs.
  template <class Done>
  void clock_until(Done done, const char* what) {
    uint64_t waited = 0;
    do {
      cycle();
      if (++waited > opt_.watchdog_cycles) hung(what, opt_.watchdog_cycles);
    } while (!done());
  }

  void apb(bool write, uint32_t addr, uint32_t wdata, uint32_t& rdata, bool& err) override {
    // setup phase
    drive(m_->psel_i, 1);
    drive(m_->penable_i, 0);
    drive(m_->pwrite_i, write);
    drive(m_->paddr_i, addr);
    drive(m_->pwdata_i, wdata);
    cycle();
    // access phase, until the completer is ready
    drive(m_->penable_i, 1);
    clock_until([&] { return s_.pready; }, "APB access");
    err = s_.pslverr;
    rdata = s_.prdata;
    drive(m_->psel_i, 0);
    drive(m_->penable_i, 0);
  }

  void stream(const unsigned char* data, const uint8_t* sens, std::size_t n, bool closes) override {
    for (std::size_t i = 0; i < n; ++i) {
      uint32_t w;
      std::memcpy(&w, data + 4 * i, 4);
      drive(m_->wr_valid_i, 1);
      drive(m_->wr_weight_i, w);
      drive(m_->wr_sens_i, sens != nullptr && sens[i] != 0);
      drive(m_->wr_last_i, closes && i + 1 == n);
      clock_until([&] { return s_.wr_ready; }, "weight stream");
    }
    drive(m_->wr_valid_i, 0);
    drive(m_->wr_last_i, 0);
  }

  void read(uint32_t index, uint32_t count, unsigned char* out, uint64_t capacity, uint64_t& beats, bool& err,
            bool& overflow) override {
    drive(m_->rq_valid_i, 1);
    drive(m_->rq_index_i, index);
    drive(m_->rq_count_i, count);
    drive(m_->rd_ready_i, 1);  // the host takes every beat as it comes
    clock_until([&] { return s_.rq_ready; }, "read request");
    drive(m_->rq_valid_i, 0);

    beats = 0;
    err = false;
    overflow = false;
    bool last = false;
    uint64_t waited = 0;
    while (!last) {
      cycle();
      if (!s_.rd_valid) {
        if (++waited > opt_.watchdog_cycles) hung("read stream", opt_.watchdog_cycles);
        continue;
      }
      waited = 0;
      last = s_.rd_last;
      if (s_.rd_err) {
        err = true;
        continue;
      }
      if (beats < capacity) {
        std::memcpy(out + 4 * beats, &s_.rd_weight, 4);
      } else {
        overflow = true;
      }
      ++beats;
    }
    drive(m_->rd_ready_i, 0);
  }

  void start_trace() override {
#if PCM_RTL_TRACE
    if constexpr (kTraced) {  // an untraced build has no trace()
      if (opt_.trace_path.empty()) return;
      trace_ = std::make_unique<VerilatedFstC>();
      probe_ = std::make_unique<Vpcm_array_probe_c>("pcm_rtl_platform.probe.u_pcm_array");
      array_.observe([this](const ArrayCore::View& v) { show(v); });
      m_->trace(trace_.get(), 99);
      probe_->trace(trace_.get(), 99);
      trace_until_ = opt_.trace_cycles == 0 ? UINT64_MAX : opt_.trace_from + opt_.trace_cycles;
      if (opt_.trace_from == 0) open_trace();
    }
#endif
  }

  void finish() override {
    m_->final();
#if PCM_RTL_TRACE
    if (probe_) probe_->final();
    if (trace_ && trace_->isOpen()) trace_->close();
#endif
  }

 private:
  // The outputs as the cycle ended (what the pin-level models read at the edge).
  struct Sampled {
    bool pready = false, pslverr = false, wr_ready = false, rq_ready = false;
    bool rd_valid = false, rd_last = false, rd_err = false;
    uint32_t prdata = 0, rd_weight = 0;
  };

  // Every input but the clock is set through drive(), which notes a change.
  template <typename P, typename T>
  void drive(P& port, T value) {
    const auto v = static_cast<P>(value);
    if (port != v) {
      port = v;
      inputs_changed_ = true;
    }
  }
  // what the array's ready depends on, of the request on the port
  struct Request {
    uint32_t addr;
    uint32_t count;
    bool write;
    bool operator==(const Request& o) const { return addr == o.addr && count == o.count && write == o.write; }
  };
  static Request request_of(const V& m) { return {m.cell_req_addr_o, m.cell_req_count_o, m.cell_req_write_o != 0}; }
  void drive_req_ready(bool r) {
    req_ready_ = r;
    drive(m_->cell_req_ready_i, r);
  }
  void eval() {
    settle<V, kTraced>(*m_);
    inputs_changed_ = false;
  }
  // The falling edge. eval() would run the input-combinational pass, then
  // find no edge to act on; with no input changed since the last pass, that
  // pass gives the values the model already holds (the rising edge's NBA
  // region recomputed the logic that also depends on the flops), so only the
  // clock's new level is recorded for the next edge's trigger. About half of
  // a load's cycles change no input (docs/PERFORMANCE.md).
  void falling_edge() {
#if PCM_FAST_DIRECT_EVAL
#if PCM_RTL_TRACE
    const bool traced = kTraced && trace_ != nullptr;  // a waveform sees every eval()
#else
    const bool traced = false;
#endif
    if (!inputs_changed_ && !traced) {
      eval_triggers_act(m_->rootp);
      return;
    }
#endif
    eval();
  }

  void cycle() {
    V& m = *m_;
    m.clk_i = 0;
    // cell_req_ready answers the request the falling edge settles to. That is
    // almost always the request the rising edge left on the port, so the
    // answer to that one goes in with the cycle's other inputs, and a second
    // eval() follows only if the settled request wants another answer (a
    // fifth of all cycles needed one before). As in PcmArray, ready changes
    // only while a request is valid.
    const bool held = req_ready_;
    const bool asked = m.cell_req_valid_o;
    const Request before = request_of(m);
    if (asked) drive_req_ready(array_.ready(before.addr, before.count, before.write));
    falling_edge();
    if (!(asked && m.cell_req_valid_o && request_of(m) == before)) {  // else answered already
      const Request now = request_of(m);
      const bool settled = m.cell_req_valid_o ? array_.ready(now.addr, now.count, now.write) : held;
      if (settled != req_ready_) {
        drive_req_ready(settled);
        eval();
      }
    }
#if PCM_RTL_TRACE
    if (trace_ && trace_->isOpen()) {
      probe_->clk_i = 0;
      probe_->eval();
      trace_->dump(cycles_ * opt_.clock_period_ps + opt_.clock_period_ps / 2);
    }
#endif
    s_.pready = m.pready_o;
    s_.pslverr = m.pslverr_o;
    s_.prdata = m.prdata_o;
    s_.wr_ready = m.wr_ready_o;
    s_.rq_ready = m.rq_ready_o;
    s_.rd_valid = m.rd_valid_o;
    s_.rd_last = m.rd_last_o;
    s_.rd_err = m.rd_err_o;
    s_.rd_weight = m.rd_weight_o;
    ArrayCore::Port p;
    p.req_valid = m.cell_req_valid_o;
    p.req_ready = req_ready_;
    p.rsp_ready = m.cell_rsp_ready_o;
    uint32_t wdata[ArrayCore::kMaxLanes];
    if (p.req_valid && p.req_ready) {
      p.req_write = m.cell_req_write_o;
      p.req_digital = m.cell_req_digital_o;
      p.req_addr = m.cell_req_addr_o;
      p.req_count = m.cell_req_count_o;
      for (int l = 0; l < array_.port_lanes(); ++l) wdata[l] = lane(m.cell_req_wdata_o, l);
      p.wdata = wdata;
      p.dac_bits = m.cell_dac_bits_o;
      p.adc_bits = m.cell_adc_bits_o;
    }
    m.clk_i = 1;
    act_and_nba<V, kTraced>(m);
    ++cycles_;
    const ArrayCore::Edge e = array_.edge(p);
    if (e.rdata_new) {
      for (int l = 0; l < array_.port_lanes(); ++l) {
        if (set_lane(m.cell_rsp_rdata_i, l, array_.rsp_data()[l])) inputs_changed_ = true;
      }
    }
    drive(m.cell_rsp_valid_i, array_.rsp_valid());
#if PCM_RTL_TRACE
    if (trace_) trace_window();
#endif
  }

#if PCM_RTL_TRACE
  void open_trace() {
    trace_->open(opt_.trace_path.c_str());
    if (!trace_->isOpen()) throw std::runtime_error("cannot open the trace file '" + opt_.trace_path + "'");
  }
  // cycles_ counts rising edges, as the pin-level clock's posedges()
  void trace_window() {
    if (cycles_ == opt_.trace_from && !trace_->isOpen() && opt_.trace_from > 0) open_trace();
    if (trace_->isOpen()) {
      probe_->clk_i = 1;
      probe_->eval();
      trace_->dump(cycles_ * opt_.clock_period_ps);
    }
    if (cycles_ >= trace_until_ && trace_->isOpen()) trace_->close();
  }
  // The array's view of the cycle on the probe's ports (as the pin-level
  // platform's ArrayProbe); the accepted request's fields hold until the next.
  void show(const ArrayCore::View& v) {
    Vpcm_array_probe_c& p = *probe_;
    p.bank_busy_i = v.bank_busy;
    p.busy_banks_i = v.busy_banks;
    p.rsp_queue_i = v.rsp_queue;
    p.stall_i = v.stall;
    p.rsp_offered_i = v.rsp_offered;
    p.accept_i = v.accepted;
    if (v.accepted) {
      p.accept_write_i = v.write;
      p.accept_digital_i = v.digital;
      p.accept_addr_i = v.addr;
      p.accept_count_i = v.count;
      p.accept_banks_i = v.banks;
      p.accept_busy_i = v.busy;
      for (int l = 0; l < 4; ++l) p.accept_lanes_i[l] = v.lanes[l];  // the probe shows lanes 0 .. 3
    }
    p.requests_i = v.requests;
    p.stall_cycles_i = v.stall_cycles;
  }
  std::unique_ptr<VerilatedFstC> trace_;
  std::unique_ptr<Vpcm_array_probe_c> probe_;
  uint64_t trace_until_ = UINT64_MAX;
#endif

  RtlPlatformOptions opt_;
  ArrayCore array_;
  std::unique_ptr<V> m_;
  uint64_t cycles_ = 0;
  bool req_ready_ = false;  // cell_req_ready_i as driven
  bool inputs_changed_ = true;  // since the last eval()
  Sampled s_;
};

struct VariantEntry {
  RtlVariant variant;
  std::unique_ptr<FastCtrl> (*make)(const RtlPlatformOptions&, CellStore&, int);
  double (*bare_loop)(uint64_t cycles);
};

// Plain runs get the untraced build U; a run that asks for a waveform, the
// traced build T (U itself where tracing is not built in).
template <class U, class T>
std::unique_ptr<FastCtrl> make_ctrl(const RtlPlatformOptions& opt, CellStore& store, int lanes) {
  if (PCM_RTL_TRACE && !opt.trace_path.empty()) {
    return std::make_unique<FastCtrlImpl<T, PCM_RTL_TRACE != 0>>(opt, store, lanes);
  }
  return std::make_unique<FastCtrlImpl<U, false>>(opt, store, lanes);
}

// The ceiling of the fast platform: an instance of its own, every input
// constant (reset released after two clocks), the clock toggled and eval()
// called on both edges, nothing else.
template <class V>
double bare_loop(uint64_t cycles) {
  const auto owned = std::make_unique<V>("u_bare");
  V& bare = *owned;
  bare.rst_ni = 0;
  for (int i = 0; i < 2; ++i) {
    bare.clk_i = 0;
    bare.eval();
    bare.clk_i = 1;
    bare.eval();
  }
  bare.rst_ni = 1;
  const auto t0 = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < cycles; ++i) {
    bare.clk_i = 0;
    bare.eval();
    bare.clk_i = 1;
    bare.eval();
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  bare.final();
  return wall > 0.0 ? static_cast<double>(cycles) / wall : 0.0;
}

#define PCM_FAST_VARIANT(prefix, traced, lanes, dacw, adcw) \
  VariantEntry{RtlVariant{lanes, dacw, adcw}, &make_ctrl<prefix, traced>, &bare_loop<prefix>},
const VariantEntry kVariants[] = {PCM_FAST_VARIANTS};
#undef PCM_FAST_VARIANT

const VariantEntry* find_variant(const RtlVariant& v) {
  for (const VariantEntry& e : kVariants) {
    if (e.variant.lanes == v.lanes && e.variant.dac_width == v.dac_width && e.variant.adc_width == v.adc_width) return &e;
  }
  return nullptr;
}

// ------------------------------------------------------------------ TLM target
// The three host ports of pcm_ctrl as TLM-2.0 targets, with the checks of
// the pin-level bus models (bus_models.cpp); a transfer runs its cycles at
// once and adds their time to the annotated delay (loosely timed).
class FastTarget final : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<FastTarget> apb_socket{"apb_socket"};
  tlm_utils::simple_target_socket<FastTarget> wr_socket{"wr_socket"};
  tlm_utils::simple_target_socket<FastTarget> rd_socket{"rd_socket"};

  FastTarget(const sc_core::sc_module_name& name, FastCtrl& ctrl, const sc_time& period)
      : sc_module(name), ctrl_(ctrl), period_(period) {
    apb_socket.register_b_transport(this, &FastTarget::apb_transport);
    wr_socket.register_b_transport(this, &FastTarget::wr_transport);
    rd_socket.register_b_transport(this, &FastTarget::rd_transport);
  }

  uint64_t transfers = 0, errors = 0, written = 0, read = 0;

 private:
  // Adds the cycles fn() ran to delay.
  template <typename Fn>
  void timed(sc_time& delay, Fn fn) {
    const uint64_t c0 = ctrl_.cycles();
    fn();
    delay += period_ * static_cast<double>(ctrl_.cycles() - c0);
  }

  void apb_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    if (!detail::accept_apb(gp)) return;
    const bool write = gp.is_write();
    uint32_t wdata = 0, rdata = 0;
    bool err = false;
    if (write) std::memcpy(&wdata, gp.get_data_ptr(), 4);
    timed(delay, [&] { ctrl_.apb(write, static_cast<uint32_t>(gp.get_address()), wdata, rdata, err); });
    ++transfers;
    if (!write) std::memcpy(gp.get_data_ptr(), &rdata, 4);
    if (err) ++errors;
    gp.set_response_status(err ? tlm::TLM_GENERIC_ERROR_RESPONSE : tlm::TLM_OK_RESPONSE);
  }

  void wr_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    if (!detail::accept_weight_stream(gp)) return;
    const WeightStreamExtension* ext = gp.get_extension<WeightStreamExtension>();
    const std::size_t n = gp.get_data_length() / 4;
    timed(delay, [&] {
      ctrl_.stream(gp.get_data_ptr(), ext != nullptr ? ext->sens : nullptr, n, ext == nullptr || ext->last);
    });
    written += n;
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }

  void rd_transport(tlm::tlm_generic_payload& gp, sc_time& delay) {
    uint32_t index = 0, count = 0;
    if (!detail::accept_read_request(gp, index, count)) return;
    ReadRequestExtension* ext = gp.get_extension<ReadRequestExtension>();
    uint64_t beats = 0;
    bool err = false, overflow = false;
    timed(delay, [&] {
      ctrl_.read(index, count, gp.get_data_ptr(), gp.get_data_length() / 4, beats, err, overflow);
    });
    read += beats;
    if (ext != nullptr) {
      ext->beats = beats;
      ext->rd_err = err;
    }
    const bool ok = !err && !overflow && beats == count;
    gp.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE);
  }

  FastCtrl& ctrl_;
  sc_time period_;
};

// ------------------------------------------------------------------ design
class FastDesign final : public sc_core::sc_module, public Design {
 public:
  FastDesign(const sc_core::sc_module_name& name, const RtlPlatformOptions& opt, CellStore& store,
             const VariantEntry& variant)
      : sc_module(name),
        period_(static_cast<double>(opt.clock_period_ps), sc_core::SC_PS),
        ctrl_(variant.make(opt, store, variant.variant.lanes)),
        target_("ctrl", *ctrl_, period_),
        host_("host", opt.watchdog_cycles) {
    // SystemC time catches up with the controller every 10^4 cycles: nothing
    // else in the design needs it sooner
    tlm_utils::tlm_quantumkeeper::set_global_quantum(period_ * 10000.0);
    host_.connect(HostSide{
        [this](uint64_t n) {
          const uint64_t c0 = ctrl_->cycles();
          ctrl_->clocks(n);
          host_.annotate(period_ * static_cast<double>(ctrl_->cycles() - c0));
        },
        [this](bool level) { ctrl_->set_reset(level); },
        [this] { return ctrl_->array().stats().requests; }});
    host_.apb_socket.bind(target_.apb_socket);
    host_.wr_socket.bind(target_.wr_socket);
    host_.rd_socket.bind(target_.rd_socket);
  }

  HostInitiator& host() override { return host_; }
  uint64_t cycles() const override { return ctrl_->cycles(); }
  uint64_t apb_transfers() const override { return target_.transfers; }
  uint64_t apb_errors() const override { return target_.errors; }
  uint64_t weights_written() const override { return target_.written; }
  uint64_t weights_read() const override { return target_.read; }
  const ArrayStats& array_stats() const override { return ctrl_->array().stats(); }
  void clear_array_stats() override { ctrl_->array().clear_stats(); }
  bool array_idle() const override { return ctrl_->array().idle(); }
  void attach(CellStore& store) override { ctrl_->array().attach(store); }
  void set_timing(const ArrayTiming& timing) override { ctrl_->array().set_timing(timing); }
  const ArrayTiming& timing() const override { return ctrl_->array().timing(); }
  void set_clock_enabled(bool /*on*/) override {}
  void start_trace() override { ctrl_->start_trace(); }
  void finish() override { ctrl_->finish(); }

 private:
  sc_time period_;
  std::unique_ptr<FastCtrl> ctrl_;
  FastTarget target_;
  HostInitiator host_;
};

std::string list(const std::vector<RtlVariant>& vs) {
  std::string s;
  for (const RtlVariant& v : vs) {
    if (!s.empty()) s += ", ";
    s += std::to_string(v.lanes) + ":" + std::to_string(v.dac_width) + ":" + std::to_string(v.adc_width);
  }
  return s;
}

}  // namespace

void check_fast_variant(const RtlPlatformOptions& opt) {
  if (find_variant(opt.variant) != nullptr) return;
  const RtlVariant& v = opt.variant;
  throw std::invalid_argument("RtlPlatform: no Verilated pcm_ctrl variant with " + std::to_string(v.lanes) +
                              " lanes, DAC width " + std::to_string(v.dac_width) + ", ADC width " +
                              std::to_string(v.adc_width) + " (built, lanes:dac:adc: " +
                              list(RtlPlatform::built_variants()) + "); reconfigure with -DPCMSIM_RTL_VARIANTS=\"" +
                              std::to_string(v.lanes) + ":" + std::to_string(v.dac_width) + ":" +
                              std::to_string(v.adc_width) + ";...\" and rebuild");
}

double bare_cpp_loop_cycles_per_second(const RtlVariant& variant, uint64_t cycles) {
  RtlPlatformOptions opt;
  opt.variant = variant;
  check_fast_variant(opt);
  return find_variant(variant)->bare_loop(cycles);
}

std::unique_ptr<Design> make_fast_design(const RtlPlatformOptions& opt, CellStore& store) {
  const VariantEntry* v = find_variant(opt.variant);
  if (v == nullptr) check_fast_variant(opt);
  return std::make_unique<FastDesign>("pcm_rtl_platform", opt, store, *v);
}

}  // namespace pcm::platform::detail

namespace pcm::platform {

std::vector<RtlVariant> RtlPlatform::built_variants() {
  std::vector<RtlVariant> out;
  for (const detail::VariantEntry& e : detail::kVariants) out.push_back(e.variant);
  return out;
}

}  // namespace pcm::platform
