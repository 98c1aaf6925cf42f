#include "pcm/platform/rtl_platform.hpp"

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "Vpcm_ctrl_sc.h"
#include "pcm/regs/pcm_ctrl_regs.hpp"
#include "pcm/platform/bus_models.hpp"
#include "pcm/platform/pcm_array.hpp"
#include "host_initiator.hpp"
#include "verilated.h"
#if PCM_RTL_TRACE
#include "Vpcm_array_probe.h"
#include "verilated_fst_sc.h"
#endif

// libsystemc's main() calls sc_main(). Programs with a main() of their own
// (pcmsim) never get there, but the shared library still needs the symbol:
// this weak definition satisfies the linker and is replaced by any real
// sc_main (the test programs have one).
int sc_main(int argc, char** argv) __attribute__((weak));
int sc_main(int /*argc*/, char** argv) {
  std::fprintf(stderr, "%s: error: the program has neither main() nor sc_main()\n",
               argv != nullptr && argv[0] != nullptr ? argv[0] : "pcm_rtl_platform");
  return 1;
}

namespace pcm::platform {
namespace detail {
// fast_platform.cpp
std::unique_ptr<Design> make_fast_design(const RtlPlatformOptions& opt, CellStore& store);
void check_fast_variant(const RtlPlatformOptions& opt);
// Throws std::invalid_argument when the variant was not built.
double bare_cpp_loop_cycles_per_second(const RtlVariant& variant, uint64_t cycles);
}  // namespace detail

namespace {

using detail::HostInitiator;
using detail::HostSide;
using sc_core::sc_in;
using sc_core::sc_out;
using sc_core::sc_signal;
using sc_core::sc_time;

std::atomic<bool> g_platform_built{false};

std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Runs the kernel; a SystemC error (a bus model's watchdog, a kernel error)
// comes out as one line: who reported it, what, and when.
template <typename... Args>
void run_kernel(std::string& broken, Args... args) {
  try {
    sc_core::sc_start(args...);
  } catch (const sc_core::sc_report& r) {
    broken = one_line(std::string(r.get_msg_type()) + ": " + r.get_msg() + " (at " + r.get_time().to_string() + ")");
    throw std::runtime_error("RtlPlatform: simulation failed: " + broken);
  } catch (const std::exception& e) {
    broken = one_line(e.what());
    throw std::runtime_error("RtlPlatform: simulation failed: " + broken);
  }
}

// ------------------------------------------------------------------ clock
// A clock that can be stopped: a method toggling its output every half
// period while enabled. Stopping takes effect at once (the output falls, if
// it was high); starting again rises half a period later, never in the time
// step where the host may be changing inputs (SVA samples the values from
// before the time step of an edge: an input changed in the edge's own time
// step would look as if it had changed a cycle later).
class GatedClock final : public sc_core::sc_module {
 public:
  sc_out<bool> clk_o;

  SC_HAS_PROCESS(GatedClock);
  GatedClock(const sc_core::sc_module_name& name, const sc_time& period, bool enabled)
      : sc_module(name), clk_o("clk_o"), half_(period / 2), enabled_(enabled) {
    SC_METHOD(toggle);
  }

  // Outside sc_start only.
  void set_enabled(bool on) {
    enabled_ = on;
    if (!on && level_) {
      level_ = false;
      clk_o.write(false);
    }
    if (on && parked_) {
      parked_ = false;
      wake_.notify(half_);
    }
  }
  uint64_t posedges() const { return posedges_; }

 private:
  void toggle() {
    if (!enabled_) {
      if (level_) {
        level_ = false;
        clk_o.write(false);
      }
      parked_ = true;
      next_trigger(wake_);
      return;
    }
    level_ = !level_;
    clk_o.write(level_);
    if (level_) ++posedges_;
    next_trigger(half_);
  }

  sc_time half_;
  bool enabled_;
  bool level_ = false;
  bool parked_ = false;
  uint64_t posedges_ = 0;
  sc_core::sc_event wake_;
};

// ------------------------------------------------------------------ pins
// One signal per port of the Verilated pcm_ctrl.
struct CtrlPins {
  sc_signal<bool> clk{"clk"}, rst_n{"rst_n"};
  sc_signal<bool> psel{"psel"}, penable{"penable"}, pwrite{"pwrite"}, pready{"pready"}, pslverr{"pslverr"};
  sc_signal<uint32_t> paddr{"paddr"}, pwdata{"pwdata"}, prdata{"prdata"};
  sc_signal<bool> wr_valid{"wr_valid"}, wr_ready{"wr_ready"}, wr_sens{"wr_sens"}, wr_last{"wr_last"};
  sc_signal<uint32_t> wr_weight{"wr_weight"};
  sc_signal<bool> rq_valid{"rq_valid"}, rq_ready{"rq_ready"};
  sc_signal<uint32_t> rq_index{"rq_index"}, rq_count{"rq_count"};
  sc_signal<bool> rd_valid{"rd_valid"}, rd_ready{"rd_ready"}, rd_last{"rd_last"}, rd_err{"rd_err"};
  sc_signal<uint32_t> rd_weight{"rd_weight"};
  sc_signal<bool> cell_req_valid{"cell_req_valid"}, cell_req_ready{"cell_req_ready"};
  sc_signal<bool> cell_req_write{"cell_req_write"}, cell_req_digital{"cell_req_digital"};
  sc_signal<uint32_t> cell_req_addr{"cell_req_addr"}, cell_req_count{"cell_req_count"};
  sc_signal<PcmArray::LaneBits> cell_req_wdata{"cell_req_wdata"};
  sc_signal<bool> cell_rsp_valid{"cell_rsp_valid"}, cell_rsp_ready{"cell_rsp_ready"};
  sc_signal<PcmArray::LaneBits> cell_rsp_rdata{"cell_rsp_rdata"};
  sc_signal<uint32_t> cell_dac_bits{"cell_dac_bits"}, cell_adc_bits{"cell_adc_bits"};
  sc_signal<bool> busy{"busy"};
};

void bind(Vpcm_ctrl_sc& m, CtrlPins& p) {
  m.clk_i(p.clk);
  m.rst_ni(p.rst_n);
  m.psel_i(p.psel);
  m.penable_i(p.penable);
  m.pwrite_i(p.pwrite);
  m.paddr_i(p.paddr);
  m.pwdata_i(p.pwdata);
  m.prdata_o(p.prdata);
  m.pready_o(p.pready);
  m.pslverr_o(p.pslverr);
  m.wr_valid_i(p.wr_valid);
  m.wr_ready_o(p.wr_ready);
  m.wr_weight_i(p.wr_weight);
  m.wr_sens_i(p.wr_sens);
  m.wr_last_i(p.wr_last);
  m.rq_valid_i(p.rq_valid);
  m.rq_ready_o(p.rq_ready);
  m.rq_index_i(p.rq_index);
  m.rq_count_i(p.rq_count);
  m.rd_valid_o(p.rd_valid);
  m.rd_ready_i(p.rd_ready);
  m.rd_weight_o(p.rd_weight);
  m.rd_last_o(p.rd_last);
  m.rd_err_o(p.rd_err);
  m.cell_req_valid_o(p.cell_req_valid);
  m.cell_req_ready_i(p.cell_req_ready);
  m.cell_req_write_o(p.cell_req_write);
  m.cell_req_digital_o(p.cell_req_digital);
  m.cell_req_addr_o(p.cell_req_addr);
  m.cell_req_count_o(p.cell_req_count);
  m.cell_req_wdata_o(p.cell_req_wdata);
  m.cell_rsp_valid_i(p.cell_rsp_valid);
  m.cell_rsp_ready_o(p.cell_rsp_ready);
  m.cell_rsp_rdata_i(p.cell_rsp_rdata);
  m.cell_dac_bits_o(p.cell_dac_bits);
  m.cell_adc_bits_o(p.cell_adc_bits);
  m.busy_o(p.busy);
}

// ------------------------------------------------------------------ yardstick
// A second pcm_ctrl on its own gated clock, every input constant (reset
// released after two clocks): the bare clock loop.
class Yardstick final : public sc_core::sc_module {
 public:
  CtrlPins pins;
  GatedClock clock;
  Vpcm_ctrl_sc ctrl;

  SC_HAS_PROCESS(Yardstick);
  Yardstick(const sc_core::sc_module_name& name, const sc_time& period)
      : sc_module(name), clock("clock", period, false), ctrl("u_pcm_ctrl") {
    clock.clk_o(pins.clk);
    bind(ctrl, pins);
    SC_THREAD(release_reset);
  }

 private:
  void release_reset() {
    wait(pins.clk.posedge_event());
    wait(pins.clk.posedge_event());
    pins.rst_n.write(true);
  }
};

#if PCM_RTL_TRACE
// ------------------------------------------------------------------ array probe
// The array's view of each cycle (PcmArray::View) on the ports of the
// Verilated pcm_array_probe, so that the FST holds it beside pcm_ctrl.
class ArrayProbe final : public sc_core::sc_module {
 public:
  Vpcm_array_probe probe{"u_pcm_array"};

  ArrayProbe(const sc_core::sc_module_name& name, sc_signal<bool>& clk, PcmArray& array) : sc_module(name) {
    probe.clk_i(clk);
    probe.bank_busy_i(bank_busy_);
    probe.busy_banks_i(busy_banks_);
    probe.rsp_queue_i(rsp_queue_);
    probe.stall_i(stall_);
    probe.rsp_offered_i(rsp_offered_);
    probe.accept_i(accept_);
    probe.accept_write_i(accept_write_);
    probe.accept_digital_i(accept_digital_);
    probe.accept_addr_i(accept_addr_);
    probe.accept_count_i(accept_count_);
    probe.accept_banks_i(accept_banks_);
    probe.accept_busy_i(accept_busy_);
    probe.accept_lanes_i(accept_lanes_);
    probe.requests_i(requests_);
    probe.stall_cycles_i(stall_cycles_);
    array.observe([this](const PcmArray::View& v) { show(v); });
  }

 private:
  void show(const PcmArray::View& v) {
    bank_busy_.write(v.bank_busy);
    busy_banks_.write(v.busy_banks);
    rsp_queue_.write(v.rsp_queue);
    stall_.write(v.stall);
    rsp_offered_.write(v.rsp_offered);
    accept_.write(v.accepted);
    if (v.accepted) {  // the request's fields hold until the next one
      accept_write_.write(v.write);
      accept_digital_.write(v.digital);
      accept_addr_.write(v.addr);
      accept_count_.write(v.count);
      accept_banks_.write(v.banks);
      accept_busy_.write(v.busy);
      PcmArray::LaneBits lanes;
      for (int l = 0; l < PcmArray::kPortLanes; ++l) lanes.set_word(l, v.lanes[l]);
      accept_lanes_.write(lanes);
    }
    requests_.write(v.requests);
    stall_cycles_.write(v.stall_cycles);
  }

  sc_signal<uint64_t> bank_busy_{"bank_busy"}, accept_banks_{"accept_banks"}, requests_{"requests"},
      stall_cycles_{"stall_cycles"};
  sc_signal<uint32_t> busy_banks_{"busy_banks"}, rsp_queue_{"rsp_queue"}, accept_addr_{"accept_addr"},
      accept_count_{"accept_count"}, accept_busy_{"accept_busy"};
  sc_signal<bool> stall_{"stall"}, rsp_offered_{"rsp_offered"}, accept_{"accept"}, accept_write_{"accept_write"},
      accept_digital_{"accept_digital"};
  sc_signal<PcmArray::LaneBits> accept_lanes_{"accept_lanes"};
};
#endif

// ------------------------------------------------------------------ design
class PinDesign final : public sc_core::sc_module, public detail::Design {
 public:
  SC_HAS_PROCESS(PinDesign);
  CtrlPins pins;
  GatedClock clock;
  Vpcm_ctrl_sc ctrl;
  PcmArray array;
  ApbBridge apb;
  WeightStreamWriter writer;
  ReadStreamReader reader;
  HostInitiator host_;

  PinDesign(const sc_core::sc_module_name& name, const RtlPlatformOptions& opt, CellStore& store)
      : sc_module(name),
        clock("clock", sc_time(static_cast<double>(opt.clock_period_ps), sc_core::SC_PS), true),
        ctrl("u_pcm_ctrl"),
        array("array", store, opt.timing),
        apb("apb", opt.watchdog_cycles),
        writer("writer", opt.watchdog_cycles),
        reader("reader", opt.watchdog_cycles),
        host_("host", opt.watchdog_cycles) {
    clock.clk_o(pins.clk);
    bind(ctrl, pins);

    array.clk_i(pins.clk);
    array.req_valid_i(pins.cell_req_valid);
    array.req_ready_o(pins.cell_req_ready);
    array.req_write_i(pins.cell_req_write);
    array.req_digital_i(pins.cell_req_digital);
    array.req_addr_i(pins.cell_req_addr);
    array.req_count_i(pins.cell_req_count);
    array.req_wdata_i(pins.cell_req_wdata);
    array.rsp_valid_o(pins.cell_rsp_valid);
    array.rsp_ready_i(pins.cell_rsp_ready);
    array.rsp_rdata_o(pins.cell_rsp_rdata);
    array.dac_bits_i(pins.cell_dac_bits);
    array.adc_bits_i(pins.cell_adc_bits);

    apb.clk_i(pins.clk);
    apb.psel_o(pins.psel);
    apb.penable_o(pins.penable);
    apb.pwrite_o(pins.pwrite);
    apb.paddr_o(pins.paddr);
    apb.pwdata_o(pins.pwdata);
    apb.prdata_i(pins.prdata);
    apb.pready_i(pins.pready);
    apb.pslverr_i(pins.pslverr);

    writer.clk_i(pins.clk);
    writer.wr_valid_o(pins.wr_valid);
    writer.wr_ready_i(pins.wr_ready);
    writer.wr_weight_o(pins.wr_weight);
    writer.wr_sens_o(pins.wr_sens);
    writer.wr_last_o(pins.wr_last);

    reader.clk_i(pins.clk);
    reader.rq_valid_o(pins.rq_valid);
    reader.rq_ready_i(pins.rq_ready);
    reader.rq_index_o(pins.rq_index);
    reader.rq_count_o(pins.rq_count);
    reader.rd_valid_i(pins.rd_valid);
    reader.rd_ready_o(pins.rd_ready);
    reader.rd_weight_i(pins.rd_weight);
    reader.rd_last_i(pins.rd_last);
    reader.rd_err_i(pins.rd_err);

    host_.connect(HostSide{
        [this](uint64_t n) {
          for (uint64_t i = 0; i < n; ++i) sc_core::wait(pins.clk.posedge_event());
        },
        [this](bool level) { pins.rst_n.write(level); },
        [this] { return array.stats().requests; }});
    host_.apb_socket.bind(apb.socket);
    host_.wr_socket.bind(writer.socket);
    host_.rd_socket.bind(reader.socket);
#if PCM_RTL_TRACE
    if (!opt.trace_path.empty()) {
      probe = std::make_unique<ArrayProbe>("probe", pins.clk, array);
      trace_path = opt.trace_path;
      trace_from = opt.trace_from;
      trace_until = opt.trace_cycles == 0 ? UINT64_MAX : opt.trace_from + opt.trace_cycles;
      if (opt.trace_from > 0 || opt.trace_cycles > 0) {
        SC_METHOD(trace_window);
        sensitive << pins.clk.posedge_event();
        dont_initialize();
      }
    }
#endif
  }

  HostInitiator& host() override { return host_; }
  uint64_t cycles() const override { return clock.posedges(); }
  uint64_t apb_transfers() const override { return apb.transfers(); }
  uint64_t apb_errors() const override { return apb.errors(); }
  uint64_t weights_written() const override { return writer.weights(); }
  uint64_t weights_read() const override { return reader.weights(); }
  const ArrayStats& array_stats() const override { return array.stats(); }
  void clear_array_stats() override { array.clear_stats(); }
  bool array_idle() const override { return array.idle(); }
  void attach(CellStore& store) override { array.attach(store); }
  void set_timing(const ArrayTiming& timing) override { array.set_timing(timing); }
  const ArrayTiming& timing() const override { return array.timing(); }

  void set_clock_enabled(bool on) override { clock.set_enabled(on); }

  void start_trace() override {
#if PCM_RTL_TRACE
    if (trace_path.empty()) return;
    trace = new VerilatedFstSc;
    ctrl.trace(trace, 99);
    probe->probe.trace(trace, 99);
    if (trace_from == 0) open_trace();
#endif
  }

  void finish() override {
    ctrl.final();
#if PCM_RTL_TRACE
    // flushed; the kernel keeps the (closed) object
    if (trace != nullptr && trace->isOpen()) trace->close();
#endif
  }

#if PCM_RTL_TRACE
  std::unique_ptr<ArrayProbe> probe;  // only when tracing
  VerilatedFstSc* trace = nullptr;    // registered with the SystemC kernel, which outlives us
  std::string trace_path;
  uint64_t trace_from = 0, trace_until = UINT64_MAX;

  // Opens the waveform at cycle trace_from, closes it at trace_until: what
  // is dumped in between is the window (VerilatedFstSc dumps nothing while
  // closed).
  void open_trace() {
    trace->open(trace_path.c_str());
    if (!trace->isOpen()) throw std::runtime_error("cannot open the trace file '" + trace_path + "'");
  }
  void trace_window() {
    const uint64_t cycle = clock.posedges();
    if (cycle == trace_from && !trace->isOpen()) open_trace();
    if (cycle >= trace_until && trace->isOpen()) trace->close();
  }
#endif
};

void validate(const RtlPlatformOptions& opt) {
  opt.timing.validate();
  if (opt.kind == RtlPlatformKind::kPinLevel) {
    const RtlVariant& v = opt.variant;
    if (v.lanes != PcmArray::kPortLanes || v.dac_width != 16 || v.adc_width != 16) {
      throw std::invalid_argument("RtlPlatform: the pin-level platform has pcm_ctrl with 4 lanes and 16-bit DAC and ADC "
                                  "ports only (lanes " + std::to_string(v.lanes) + ", DAC " +
                                  std::to_string(v.dac_width) + ", ADC " + std::to_string(v.adc_width) + ")");
    }
  } else {
    detail::check_fast_variant(opt);
  }
  if (!PCM_RTL_TRACE && !opt.trace_path.empty()) {
    throw std::invalid_argument("RtlPlatform: cannot write '" + opt.trace_path +
                                "': this build has no waveform tracing (configure with -DPCMSIM_RTL_TRACE=ON)");
  }
  // before anything is elaborated, so that the caller may try another path
  if (!opt.trace_path.empty() && !std::ofstream(opt.trace_path)) {
    throw std::invalid_argument("RtlPlatform: cannot write the trace file '" + opt.trace_path + "'");
  }
  if (opt.trace_path.empty() && (opt.trace_from > 0 || opt.trace_cycles > 0)) {
    throw std::invalid_argument("RtlPlatform: a trace window (trace_from, trace_cycles) without a trace_path");
  }
  if (opt.trace_cycles > UINT64_MAX - opt.trace_from) {
    throw std::invalid_argument("RtlPlatform: trace_from + trace_cycles overflows");
  }
  if (opt.clock_period_ps < 2 || opt.clock_period_ps % 2 != 0) {
    throw std::invalid_argument("RtlPlatform: clock_period_ps = " + std::to_string(opt.clock_period_ps) +
                                " must be even and at least 2");
  }
  if (opt.watchdog_cycles < 16) {
    throw std::invalid_argument("RtlPlatform: watchdog_cycles = " + std::to_string(opt.watchdog_cycles) +
                                " is too small (at least 16)");
  }
}

}  // namespace

// ------------------------------------------------------------------ stats
double RtlPlatformStats::cycles_per_second() const {
  return wall_seconds > 0.0 ? static_cast<double>(cycles) / wall_seconds : 0.0;
}

double RtlPlatformStats::weights_per_second() const {
  return wall_seconds > 0.0 ? static_cast<double>(weights_written + weights_read) / wall_seconds : 0.0;
}

// ------------------------------------------------------------------ platform
struct RtlPlatform::Impl {
  RtlPlatformOptions opt;
  std::unique_ptr<CellStore> store;
  std::unique_ptr<detail::Design> design;
  Yardstick* yardstick = nullptr;   // the Verilated-SystemC clock loop, beside either design
  std::string broken;               // why the simulation cannot go on; empty while it can

  // stats baselines (clear_stats)
  double wall = 0.0;
  uint64_t cycles0 = 0, transactions0 = 0, apb0 = 0, apb_err0 = 0, written0 = 0, read0 = 0;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  // The SystemC objects stay, also when the constructor failed half way: the
  // kernel holds their processes until the process exits, and a platform is
  // never built twice.
  ~Impl() {
    static_cast<void>(design.release());
    static_cast<void>(store.release());
  }

  void usable() const {
    if (!broken.empty()) throw std::runtime_error("RtlPlatform: unusable after an earlier failure: " + broken);
  }

  // Runs the kernel until the host thread has done the job; throws
  // std::runtime_error with the job's error, if any.
  void execute(HostInitiator::Job job) {
    usable();
    HostInitiator& host = design->host();
    host.submit(std::move(job));
    const auto t0 = std::chrono::steady_clock::now();
    run_kernel(broken);
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!host.done()) {
      broken = "the simulation stopped before the host's transaction completed (sc_stop, $finish or a "
               "failed assertion in pcm_ctrl)";
      throw std::runtime_error("RtlPlatform: " + broken);
    }
    if (!host.error().empty()) throw std::runtime_error("RtlPlatform: " + host.error());
  }
};

RtlPlatform::RtlPlatform(const RtlPlatformOptions& options) : impl_(std::make_unique<Impl>()) {
  validate(options);
  if (g_platform_built.exchange(true)) {
    throw std::runtime_error(
        "RtlPlatform: only one per process (SystemC elaborates once); reuse it with reset_controller(), "
        "reset_array() and set_timing()");
  }
  Impl& m = *impl_;
  m.opt = options;
  m.store = std::make_unique<CellStore>(options.channel, options.seed);
  if (!options.trace_path.empty()) Verilated::traceEverOn(true);
  if (options.kind == RtlPlatformKind::kPinLevel) {
    m.design = std::make_unique<PinDesign>("pcm_rtl_platform", options, *m.store);
  } else {
    m.design = detail::make_fast_design(options, *m.store);
  }
  // kept by the kernel to the end, as the design
  m.yardstick = new Yardstick("yardstick", sc_time(static_cast<double>(options.clock_period_ps), sc_core::SC_PS));

  // elaboration and the first delta: every process waits for its first event
  run_kernel(m.broken, sc_core::SC_ZERO_TIME);
  try {
    m.design->start_trace();
  } catch (const std::runtime_error& e) {
    m.broken = "no trace file";
    throw std::runtime_error(std::string("RtlPlatform: ") + e.what());
  }
  m.execute([](HostInitiator& h) { h.reset_pulse(); });
  clear_stats();
}

RtlPlatform::~RtlPlatform() {
  Impl& m = *impl_;
  if (m.design) m.design->finish();
}

BusResult RtlPlatform::write_reg(uint32_t addr, uint32_t data) {
  BusResult r;
  impl_->execute([&](HostInitiator& h) { r = h.apb(true, addr, data); });
  return r;
}

BusResult RtlPlatform::read_reg(uint32_t addr) {
  BusResult r;
  impl_->execute([&](HostInitiator& h) { r = h.apb(false, addr, 0); });
  return r;
}

void RtlPlatform::stream_weights(const uint32_t* bits, const uint8_t* sens, std::size_t n, bool last) {
  if (n == 0) return;
  if (bits == nullptr) {
    throw std::invalid_argument("RtlPlatform::stream_weights: null weight pointer for " + std::to_string(n) +
                                " weights");
  }
  impl_->execute([&](HostInitiator& h) { h.write_weights(bits, sens, n, last); });
}

bool RtlPlatform::read_weights(uint32_t index, uint32_t count, uint32_t* out) {
  if (out == nullptr && count > 0) {
    throw std::invalid_argument("RtlPlatform::read_weights: null output buffer for " + std::to_string(count) +
                                " weights");
  }
  bool ok = false;
  impl_->execute([&](HostInitiator& h) { ok = h.read_weights(index, count, out); });
  return ok;
}

void RtlPlatform::reset_controller() {
  impl_->execute([](HostInitiator& h) { h.reset_pulse(); });
}

void RtlPlatform::reset_array(uint64_t seed) {
  impl_->usable();
  if (!impl_->design->array_idle()) throw std::logic_error("RtlPlatform::reset_array: the array is busy");
  impl_->store->reset(seed);
}

void RtlPlatform::reset_array(std::shared_ptr<const channel_model::Channel> channel, uint64_t seed) {
  Impl& m = *impl_;
  m.usable();
  if (!m.design->array_idle()) throw std::logic_error("RtlPlatform::reset_array: the array is busy");
  auto fresh = std::make_unique<CellStore>(std::move(channel), seed);
  m.design->attach(*fresh);
  m.store = std::move(fresh);
}

void RtlPlatform::set_timing(const ArrayTiming& timing) {
  impl_->usable();
  impl_->design->set_timing(timing);
  impl_->opt.timing = timing;
}

const ArrayTiming& RtlPlatform::timing() const { return impl_->design->timing(); }

CellStore& RtlPlatform::store() { return *impl_->store; }

void RtlPlatform::idle_cycles(uint64_t n) {
  if (n == 0) return;
  impl_->execute([n](HostInitiator& h) { h.clocks(n); });
}

uint64_t RtlPlatform::cycles() const { return impl_->design->cycles(); }

RtlPlatformStats RtlPlatform::stats() const {
  const Impl& m = *impl_;
  detail::Design& d = *m.design;
  RtlPlatformStats s;
  s.cycles = d.cycles() - m.cycles0;
  s.simulated_seconds = static_cast<double>(s.cycles) * static_cast<double>(m.opt.clock_period_ps) * 1e-12;
  s.wall_seconds = m.wall;
  s.transactions = d.host().transactions() - m.transactions0;
  s.apb_transfers = d.apb_transfers() - m.apb0;
  s.apb_errors = d.apb_errors() - m.apb_err0;
  s.weights_written = d.weights_written() - m.written0;
  s.weights_read = d.weights_read() - m.read0;
  s.array = d.array_stats();
  return s;
}

void RtlPlatform::clear_stats() {
  Impl& m = *impl_;
  detail::Design& d = *m.design;
  m.wall = 0.0;
  m.cycles0 = d.cycles();
  m.transactions0 = d.host().transactions();
  m.apb0 = d.apb_transfers();
  m.apb_err0 = d.apb_errors();
  m.written0 = d.weights_written();
  m.read0 = d.weights_read();
  d.clear_array_stats();
}

double RtlPlatform::bare_clock_loop_cycles_per_second(uint64_t cycles) {
  Impl& m = *impl_;
  m.usable();
  if (cycles == 0) throw std::invalid_argument("RtlPlatform::bare_clock_loop_cycles_per_second: 0 cycles");
  const sc_time period(static_cast<double>(m.opt.clock_period_ps), sc_core::SC_PS);
  m.design->set_clock_enabled(false);
  m.yardstick->clock.set_enabled(true);
  const uint64_t p0 = m.yardstick->clock.posedges();
  const auto t0 = std::chrono::steady_clock::now();
  run_kernel(m.broken, period * static_cast<double>(cycles));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const uint64_t ran = m.yardstick->clock.posedges() - p0;
  m.yardstick->clock.set_enabled(false);
  m.design->set_clock_enabled(true);
  return wall > 0.0 ? static_cast<double>(ran) / wall : 0.0;
}

double RtlPlatform::bare_cpp_loop_cycles_per_second(uint64_t cycles) {
  Impl& m = *impl_;
  m.usable();
  if (cycles == 0) throw std::invalid_argument("RtlPlatform::bare_cpp_loop_cycles_per_second: 0 cycles");
  // the pin-level platform's pcm_ctrl is the 4-lane, 16-bit one
  const RtlVariant v = m.opt.kind == RtlPlatformKind::kFast ? m.opt.variant : RtlVariant{};
  return detail::bare_cpp_loop_cycles_per_second(v, cycles);
}

uint64_t RtlPlatform::clock_period_ps() const { return impl_->opt.clock_period_ps; }

RtlPlatformKind RtlPlatform::kind() const { return impl_->opt.kind; }

}  // namespace pcm::platform
