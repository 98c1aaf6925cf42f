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
namespace {

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

// ------------------------------------------------------------------ host
// The host's side of the TLM boundary: one thread that runs the job the
// platform hands it, through its initiator sockets, then pauses the kernel.
class HostInitiator final : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<HostInitiator> apb_socket{"apb_socket"};
  tlm_utils::simple_initiator_socket<HostInitiator> wr_socket{"wr_socket"};
  tlm_utils::simple_initiator_socket<HostInitiator> rd_socket{"rd_socket"};
  sc_in<bool> clk_i{"clk_i"};
  sc_out<bool> rst_no{"rst_no"};

  using Job = std::function<void(HostInitiator&)>;

  SC_HAS_PROCESS(HostInitiator);
  HostInitiator(const sc_core::sc_module_name& name, uint64_t watchdog_cycles, const PcmArray& array)
      : sc_module(name), watchdog_cycles_(watchdog_cycles), array_(array) {
    SC_THREAD(run);
  }

  // Outside sc_start: the next job; run sc_start() until done().
  void submit(Job job) {
    job_ = std::move(job);
    done_ = false;
    error_.clear();
    go_.notify(sc_core::SC_ZERO_TIME);
  }
  bool done() const { return done_; }
  const std::string& error() const { return error_; }
  uint64_t transactions() const { return transactions_; }

  // ---- for jobs (inside the thread)
  void fail(std::string msg) {
    if (error_.empty()) error_ = std::move(msg);
  }

  void clocks(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) wait(clk_i.posedge_event());
  }

  void reset_pulse() {
    rst_no.write(false);
    clocks(3);
    rst_no.write(true);
    clocks(1);
  }

  BusResult apb(bool write, uint32_t addr, uint32_t data) {
    tlm::tlm_generic_payload gp;
    uint32_t buf = data;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(addr);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(&buf));
    gp.set_data_length(4);
    gp.set_streaming_width(4);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = sc_core::SC_ZERO_TIME;
    apb_socket->b_transport(gp, delay);
    ++transactions_;
    switch (gp.get_response_status()) {
      case tlm::TLM_OK_RESPONSE: return BusResult{true, buf};
      case tlm::TLM_GENERIC_ERROR_RESPONSE: return BusResult{false, buf};  // PSLVERR
      default: return BusResult{false, 0};  // never reached the pins (address out of the 4 KiB space)
    }
  }

  // Polls STATUS until neither WR_BUSY nor RD_BUSY is set. Busy without a
  // single array request for watchdog_cycles clocks is a hang.
  void wait_idle() {
    const uint32_t busy = regs::status::kWrBusy.mask() | regs::status::kRdBusy.mask();
    uint64_t requests = array_.stats().requests;
    uint64_t quiet = 0;  // APB polls since the array last saw a request
    for (;;) {
      const BusResult s = apb(false, regs::status::kOffset, 0);
      if (!s.ok) {
        fail("reading STATUS was refused");
        return;
      }
      if ((s.data & busy) == 0) return;
      quiet = array_.stats().requests == requests ? quiet + 1 : 0;
      requests = array_.stats().requests;
      if (2 * quiet > watchdog_cycles_) {
        fail("the controller stayed busy for " + std::to_string(2 * quiet) +
             " cycles without an array request after the transfer");
        return;
      }
    }
  }

  void write_weights(const uint32_t* bits, const uint8_t* sens, std::size_t n, bool last) {
    constexpr std::size_t kChunk = std::size_t{1} << 28;  // weights per transaction (1 GiB)
    for (std::size_t off = 0; off < n; off += kChunk) {
      const std::size_t len = std::min(kChunk, n - off);
      tlm::tlm_generic_payload gp;  // owns its extensions: frees them when it goes, exception or not
      auto* ext = new WeightStreamExtension;
      ext->sens = sens != nullptr ? sens + off : nullptr;
      ext->last = last && off + len == n;
      gp.set_extension(ext);
      gp.set_command(tlm::TLM_WRITE_COMMAND);
      gp.set_address(uint64_t{4} * off);
      // TLM's data pointer is not const; the writer only reads it
      gp.set_data_ptr(reinterpret_cast<unsigned char*>(const_cast<uint32_t*>(bits + off)));
      gp.set_data_length(static_cast<unsigned>(4 * len));
      gp.set_streaming_width(static_cast<unsigned>(4 * len));
      gp.set_byte_enable_ptr(nullptr);
      gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      sc_time delay = sc_core::SC_ZERO_TIME;
      wr_socket->b_transport(gp, delay);
      ++transactions_;
      if (!gp.is_response_ok()) {
        fail("weight stream transaction failed: " + gp.get_response_string());
        return;
      }
    }
    if (last) wait_idle();
  }

  bool read_weights(uint32_t index, uint32_t count, uint32_t* out) {
    const uint64_t bytes = std::min<uint64_t>(uint64_t{4} * count, 0xFFFF'FFFCu);
    tlm::tlm_generic_payload gp;  // owns its extensions
    auto* ext = new ReadRequestExtension;
    ext->index = index;
    ext->count = count;
    gp.set_extension(ext);
    gp.set_command(tlm::TLM_READ_COMMAND);
    gp.set_address(uint64_t{4} * index);
    gp.set_data_ptr(reinterpret_cast<unsigned char*>(out));
    gp.set_data_length(static_cast<unsigned>(bytes));
    gp.set_streaming_width(static_cast<unsigned>(bytes));
    gp.set_byte_enable_ptr(nullptr);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = sc_core::SC_ZERO_TIME;
    rd_socket->b_transport(gp, delay);
    ++transactions_;
    bool ok = true;
    if (ext->rd_err) {
      ok = false;
    } else if (!gp.is_response_ok()) {
      fail("read stream returned " + std::to_string(ext->beats) + " weights for a request of " +
           std::to_string(count) + " from index " + std::to_string(index));
      ok = false;
    }
    wait_idle();
    return ok;
  }

 private:
  void run() {
    for (;;) {
      if (!job_) wait(go_);
      const Job job = std::move(job_);
      job_ = nullptr;
      if (job) job(*this);
      done_ = true;
      sc_core::sc_pause();
    }
  }

  uint64_t watchdog_cycles_;
  const PcmArray& array_;  // progress, for the STATUS polling watchdog
  Job job_;
  bool done_ = true;
  std::string error_;
  uint64_t transactions_ = 0;
  sc_core::sc_event go_;
};

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
class Design final : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Design);
  CtrlPins pins;
  GatedClock clock;
  Vpcm_ctrl_sc ctrl;
  PcmArray array;
  ApbBridge apb;
  WeightStreamWriter writer;
  ReadStreamReader reader;
  HostInitiator host;
  Yardstick yardstick;

  Design(const sc_core::sc_module_name& name, const RtlPlatformOptions& opt, CellStore& store)
      : sc_module(name),
        clock("clock", sc_time(static_cast<double>(opt.clock_period_ps), sc_core::SC_PS), true),
        ctrl("u_pcm_ctrl"),
        array("array", store, opt.timing),
        apb("apb", opt.watchdog_cycles),
        writer("writer", opt.watchdog_cycles),
        reader("reader", opt.watchdog_cycles),
        host("host", opt.watchdog_cycles, array),
        yardstick("yardstick", sc_time(static_cast<double>(opt.clock_period_ps), sc_core::SC_PS)) {
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

    host.clk_i(pins.clk);
    host.rst_no(pins.rst_n);
    host.apb_socket.bind(apb.socket);
    host.wr_socket.bind(writer.socket);
    host.rd_socket.bind(reader.socket);
#if PCM_RTL_TRACE
    if (!opt.trace_path.empty()) {
      probe = std::make_unique<ArrayProbe>("probe", pins.clk, array);
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
  std::unique_ptr<Design> design;
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
    HostInitiator& host = design->host;
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
  m.design = std::make_unique<Design>("pcm_rtl_platform", options, *m.store);

  // elaboration and the first delta: every process waits for its first event
  run_kernel(m.broken, sc_core::SC_ZERO_TIME);
#if PCM_RTL_TRACE
  if (!options.trace_path.empty()) {
    Design& d = *m.design;
    d.trace = new VerilatedFstSc;
    d.ctrl.trace(d.trace, 99);
    d.probe->probe.trace(d.trace, 99);
    d.trace_path = options.trace_path;
    if (options.trace_from == 0) {
      try {
        d.open_trace();
      } catch (const std::runtime_error& e) {
        m.broken = "no trace file";
        throw std::runtime_error(std::string("RtlPlatform: ") + e.what());
      }
    }
  }
#endif
  m.execute([](HostInitiator& h) { h.reset_pulse(); });
  clear_stats();
}

RtlPlatform::~RtlPlatform() {
  Impl& m = *impl_;
  if (m.design) m.design->ctrl.final();
#if PCM_RTL_TRACE
  // flushed; the kernel keeps the (closed) object
  if (m.design && m.design->trace != nullptr && m.design->trace->isOpen()) m.design->trace->close();
#endif
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
  if (!impl_->design->array.idle()) throw std::logic_error("RtlPlatform::reset_array: the array is busy");
  impl_->store->reset(seed);
}

void RtlPlatform::reset_array(std::shared_ptr<const channel_model::Channel> channel, uint64_t seed) {
  Impl& m = *impl_;
  m.usable();
  if (!m.design->array.idle()) throw std::logic_error("RtlPlatform::reset_array: the array is busy");
  auto fresh = std::make_unique<CellStore>(std::move(channel), seed);
  m.design->array.attach(*fresh);
  m.store = std::move(fresh);
}

void RtlPlatform::set_timing(const ArrayTiming& timing) {
  impl_->usable();
  impl_->design->array.set_timing(timing);
  impl_->opt.timing = timing;
}

const ArrayTiming& RtlPlatform::timing() const { return impl_->design->array.timing(); }

CellStore& RtlPlatform::store() { return *impl_->store; }

void RtlPlatform::idle_cycles(uint64_t n) {
  if (n == 0) return;
  impl_->execute([n](HostInitiator& h) { h.clocks(n); });
}

RtlPlatformStats RtlPlatform::stats() const {
  const Impl& m = *impl_;
  const Design& d = *m.design;
  RtlPlatformStats s;
  s.cycles = d.clock.posedges() - m.cycles0;
  s.simulated_seconds = static_cast<double>(s.cycles) * static_cast<double>(m.opt.clock_period_ps) * 1e-12;
  s.wall_seconds = m.wall;
  s.transactions = d.host.transactions() - m.transactions0;
  s.apb_transfers = d.apb.transfers() - m.apb0;
  s.apb_errors = d.apb.errors() - m.apb_err0;
  s.weights_written = d.writer.weights() - m.written0;
  s.weights_read = d.reader.weights() - m.read0;
  s.array = d.array.stats();
  return s;
}

void RtlPlatform::clear_stats() {
  Impl& m = *impl_;
  Design& d = *m.design;
  m.wall = 0.0;
  m.cycles0 = d.clock.posedges();
  m.transactions0 = d.host.transactions();
  m.apb0 = d.apb.transfers();
  m.apb_err0 = d.apb.errors();
  m.written0 = d.writer.weights();
  m.read0 = d.reader.weights();
  d.array.clear_stats();
}

double RtlPlatform::bare_clock_loop_cycles_per_second(uint64_t cycles) {
  Impl& m = *impl_;
  m.usable();
  if (cycles == 0) throw std::invalid_argument("RtlPlatform::bare_clock_loop_cycles_per_second: 0 cycles");
  Design& d = *m.design;
  const sc_time period(static_cast<double>(m.opt.clock_period_ps), sc_core::SC_PS);
  d.clock.set_enabled(false);
  d.yardstick.clock.set_enabled(true);
  const uint64_t p0 = d.yardstick.clock.posedges();
  const auto t0 = std::chrono::steady_clock::now();
  run_kernel(m.broken, period * static_cast<double>(cycles));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const uint64_t ran = d.yardstick.clock.posedges() - p0;
  d.yardstick.clock.set_enabled(false);
  d.clock.set_enabled(true);
  return wall > 0.0 ? static_cast<double>(ran) / wall : 0.0;
}

uint64_t RtlPlatform::clock_period_ps() const { return impl_->opt.clock_period_ps; }

}  // namespace pcm::platform
