#pragma once

// Private to pcm_rtl_platform: the host's side of the TLM boundary, shared by
// both platforms (pin-level and fast), and what RtlPlatform needs of a design.

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>

#include "pcm/model/array_timing.hpp"
#include "pcm/model/cell_store.hpp"
#include "pcm/model/controller_port.hpp"
#include "pcm/platform/bus_models.hpp"
#include "pcm/regs/pcm_ctrl_regs.hpp"

namespace pcm::platform::detail {

using model::ArrayStats;
using model::ArrayTiming;
using model::BusResult;
using model::CellStore;
using sc_core::sc_time;

// What the host thread needs beside its sockets: clock cycles, the reset
// pin, and the array's request count (for the STATUS polling watchdog).
// The pin-level design waits on clock edges; the fast one runs its clock
// loop and annotates the time, which the quantum keeper syncs.
struct HostSide {
  std::function<void(uint64_t)> clocks;
  std::function<void(bool)> set_reset;  // rst_ni
  std::function<uint64_t()> array_requests;
};

// One thread that runs the job the platform hands it, through its initiator
// sockets, then pauses the kernel.
class HostInitiator final : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<HostInitiator> apb_socket{"apb_socket"};
  tlm_utils::simple_initiator_socket<HostInitiator> wr_socket{"wr_socket"};
  tlm_utils::simple_initiator_socket<HostInitiator> rd_socket{"rd_socket"};

  using Job = std::function<void(HostInitiator&)>;

  SC_HAS_PROCESS(HostInitiator);
  HostInitiator(const sc_core::sc_module_name& name, uint64_t watchdog_cycles)
      : sc_module(name), watchdog_cycles_(watchdog_cycles) {
    SC_THREAD(run);
  }

  void connect(HostSide side) { side_ = std::move(side); }

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

  // ---- for jobs and the design (inside the thread)
  void fail(std::string msg) {
    if (error_.empty()) error_ = std::move(msg);
  }

  // Time a loosely timed target annotated (0 from the pin-level bus models,
  // which wait it out themselves).
  void annotate(const sc_time& t) {
    qk_.inc(t);
    if (qk_.need_sync()) qk_.sync();
  }

  void clocks(uint64_t n) { side_.clocks(n); }

  void reset_pulse() {
    side_.set_reset(false);
    clocks(3);
    side_.set_reset(true);
    clocks(1);
  }

  BusResult apb(bool write, uint32_t addr, uint32_t data) {
    tlm::tlm_generic_payload gp;
    uint32_t buf = data;
    transport(apb_socket, gp, write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND, addr,
              reinterpret_cast<unsigned char*>(&buf), 4);
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
    uint64_t requests = side_.array_requests();
    uint64_t quiet = 0;  // APB polls since the array last saw a request
    for (;;) {
      const BusResult s = apb(false, regs::status::kOffset, 0);
      if (!s.ok) {
        fail("reading STATUS was refused");
        return;
      }
      if ((s.data & busy) == 0) return;
      const uint64_t now = side_.array_requests();
      quiet = now == requests ? quiet + 1 : 0;
      requests = now;
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
      // TLM's data pointer is not const; the writer only reads it
      transport(wr_socket, gp, tlm::TLM_WRITE_COMMAND, uint64_t{4} * off,
                reinterpret_cast<unsigned char*>(const_cast<uint32_t*>(bits + off)), static_cast<unsigned>(4 * len));
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
    transport(rd_socket, gp, tlm::TLM_READ_COMMAND, uint64_t{4} * index, reinterpret_cast<unsigned char*>(out),
              static_cast<unsigned>(bytes));
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
  // One blocking transfer of `bytes` at `data` (streamed as one burst) from
  // the quantum keeper's local time; the time the target spent is annotated.
  void transport(tlm_utils::simple_initiator_socket<HostInitiator>& socket, tlm::tlm_generic_payload& gp,
                 tlm::tlm_command command, uint64_t addr, unsigned char* data, unsigned bytes) {
    gp.set_command(command);
    gp.set_address(addr);
    gp.set_data_ptr(data);
    gp.set_data_length(bytes);
    gp.set_streaming_width(bytes);
    gp.set_byte_enable_ptr(nullptr);
    gp.set_dmi_allowed(false);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = qk_.get_local_time();
    socket->b_transport(gp, delay);
    settle(delay);
    ++transactions_;
  }

  // The target returned the local time plus what it spent.
  void settle(const sc_time& delay) {
    const sc_time spent = delay - qk_.get_local_time();
    if (spent > sc_core::SC_ZERO_TIME) annotate(spent);
  }

  void run() {
    for (;;) {
      if (!job_) wait(go_);
      const Job job = std::move(job_);
      job_ = nullptr;
      if (job) job(*this);
      // the kernel's time is the controller's when the call returns (the
      // pin-level design has nothing to sync: its bus models wait in time)
      if (qk_.get_local_time() > sc_core::SC_ZERO_TIME) qk_.sync();
      done_ = true;
      sc_core::sc_pause();
    }
  }

  uint64_t watchdog_cycles_;
  HostSide side_;
  tlm_utils::tlm_quantumkeeper qk_;
  Job job_;
  bool done_ = true;
  std::string error_;
  uint64_t transactions_ = 0;
  sc_core::sc_event go_;
};

// What RtlPlatform needs of a design (pin-level or fast), beside its host.
class Design {
 public:
  virtual ~Design() = default;
  virtual HostInitiator& host() = 0;
  virtual uint64_t cycles() const = 0;  // controller clock cycles since the start
  virtual uint64_t apb_transfers() const = 0;
  virtual uint64_t apb_errors() const = 0;
  virtual uint64_t weights_written() const = 0;
  virtual uint64_t weights_read() const = 0;
  virtual const ArrayStats& array_stats() const = 0;
  virtual void clear_array_stats() = 0;
  virtual bool array_idle() const = 0;
  virtual void attach(CellStore& store) = 0;
  virtual void set_timing(const ArrayTiming& timing) = 0;
  virtual const ArrayTiming& timing() const = 0;
  // Outside sc_start: stops (and restarts) the controller's clock while the
  // Verilated-SystemC yardstick runs; the fast design has no clock to stop.
  virtual void set_clock_enabled(bool on) = 0;
  // After the first delta: open the trace file if the window starts at 0
  // (std::runtime_error when it cannot be opened).
  virtual void start_trace() = 0;
  // At the platform's end: final blocks, trace flushed and closed.
  virtual void finish() = 0;
};

}  // namespace pcm::platform::detail
