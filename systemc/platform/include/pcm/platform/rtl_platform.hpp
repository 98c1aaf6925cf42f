#pragma once

// The `rtl` engine: the Verilated rtl/pcm_ctrl in a SystemC design with a
// timed PCM array (ArrayCore over a CellStore) on its cell port, reached from
// a host thread through TLM-2.0, behind the same ControllerPort as the
// functional model. Host code calls it from ordinary C++; each call runs the
// SystemC kernel (sc_start) until the transaction it issued has completed.
// Two kinds (RtlPlatformKind): fast (default; pcm_ctrl as plain C++ clocked
// by eval() calls in one loop, a TLM target with a quantum keeper) and pin
// (the reference, drawn here), with the same cycles, weights and counters.
//
//   host thread --TLM b_transport--> ApbBridge          --APB pins-->      pcm_ctrl (Verilated) --cell port--> PcmArray --> CellStore
//               --TLM b_transport--> WeightStreamWriter --wr_* pins-->
//               --TLM b_transport--> ReadStreamReader   --rq_*/rd_* pins->
//
// SystemC elaborates once per process: at most one RtlPlatform may ever be
// constructed in a process (a second one throws std::runtime_error, even after
// the first was destroyed). Reuse it: reset_controller(), reset_array(),
// set_timing(), clear_stats(). Call it from one thread only (the one that
// constructed it); it is not re-entrant.
//
// This header needs no SystemC; programs with their own main() link
// pcm_rtl_platform as usual (see systemc/README.md, "The RTL platform").

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pcm/channel_model/channel.hpp"
#include "pcm/model/array_timing.hpp"
#include "pcm/model/cell_store.hpp"
#include "pcm/model/controller_port.hpp"

namespace pcm::platform {

using model::ArrayStats;
using model::ArrayTiming;
using model::BusResult;
using model::CellStore;
using model::ControllerPort;

// How the Verilated pcm_ctrl is driven.
enum class RtlPlatformKind {
  // The default: pcm_ctrl Verilated as plain C++ (one class per variant of
  // NumLanes, DacWidth, AdcWidth), its clock edges eval() calls in one loop
  // that also serves the cell port from ArrayCore and the host's APB and
  // stream transfers; it is a TLM-2.0 target to the host thread, which keeps
  // SystemC time with a quantum keeper.
  kFast,
  // The reference: pcm_ctrl Verilated as SystemC (4 lanes, 16-bit ports), an
  // sc_signal per port, bus models and PcmArray on pins, a kernel activation
  // per clock edge. Same cycles, weights and counters as kFast (ctest), some
  // 5 times slower.
  kPinLevel,
};

// A Verilated variant of pcm_ctrl built for the fast platform.
struct RtlVariant {
  int lanes = 4;
  int dac_width = 16;
  int adc_width = 16;
};

struct RtlPlatformOptions {
  RtlPlatformKind kind = RtlPlatformKind::kFast;
  // pcm_ctrl's parameters NumLanes, DacWidth, AdcWidth: select the Verilated
  // variant (one built by CMake, PCMSIM_RTL_VARIANTS; else std::invalid_argument
  // naming the built ones). The cell port has `lanes` 32-bit lanes.
  RtlVariant variant;
  std::shared_ptr<const channel_model::Channel> channel;  // nullptr: noiseless cells
  uint64_t seed = 0;                                      // noise seed of the cell store
  ArrayTiming timing;                                     // the array's timing
  uint64_t clock_period_ps = 1000;                        // controller clock (1 GHz)
  // FST waveform of pcm_ctrl (every signal) and of the array's side of the
  // cell port (pcm_array_probe); empty: no tracing. Tracing slows the
  // simulation several times over.
  std::string trace_path;
  // The trace window, in controller clock cycles counted from the platform's
  // start (its first reset pulse included): the file holds cycles
  // trace_from .. trace_from + trace_cycles; trace_cycles 0: to the end.
  uint64_t trace_from = 0;
  uint64_t trace_cycles = 0;
  // Clocks without a handshake (or, while the host polls STATUS, without an
  // array request) after which the design counts as hung: the call throws
  // std::runtime_error and the platform refuses every later call. Raise it
  // for very slow arrays (a weight of many cells on one slow bank).
  uint64_t watchdog_cycles = 1'000'000;
};

struct RtlPlatformStats {
  uint64_t cycles = 0;             // controller clock cycles simulated
  double simulated_seconds = 0.0;  // cycles x clock period
  double wall_seconds = 0.0;       // host time spent inside sc_start for the calls
  uint64_t transactions = 0;       // TLM transactions the host issued
  uint64_t apb_transfers = 0;      // register accesses, STATUS polls included
  uint64_t apb_errors = 0;         // of which answered with PSLVERR
  uint64_t weights_written = 0;    // beats accepted on the weight stream
  uint64_t weights_read = 0;       // weights received on the read stream (error beats excluded)
  ArrayStats array;                // the PCM array's counters (cells, requests, stalls, banks)

  // Simulated cycles per wall-clock second (0 before any call).
  double cycles_per_second() const;
  // Weights moved (written + read) per wall-clock second.
  double weights_per_second() const;
};

class RtlPlatform final : public ControllerPort {
 public:
  // Builds and elaborates the whole design, resets the controller.
  // Throws std::invalid_argument for bad options (timing, clock, watchdog, a
  // trace file that cannot be written; nothing is built then, so the caller
  // may try again), std::runtime_error when a platform was constructed
  // before in this process.
  explicit RtlPlatform(const RtlPlatformOptions& options = {});
  ~RtlPlatform() override;
  RtlPlatform(const RtlPlatform&) = delete;
  RtlPlatform& operator=(const RtlPlatform&) = delete;

  // ControllerPort. Each call returns with the controller idle: a closing
  // stream_weights (last) and read_weights poll STATUS over APB until WR_BUSY /
  // RD_BUSY clear, as driver software would, so the next register write is not
  // refused as busy; a part that does not close the tensor returns once its
  // beats are taken.
  BusResult write_reg(uint32_t addr, uint32_t data) override;
  BusResult read_reg(uint32_t addr) override;
  // bits must not be null when n > 0; sens may be null (no sensitive weight).
  void stream_weights(const uint32_t* bits, const uint8_t* sens, std::size_t n, bool last) override;
  // out must not be null when count > 0 (std::invalid_argument).
  bool read_weights(uint32_t index, uint32_t count, uint32_t* out) override;
  // Controller clock cycles since the platform started (stats().cycles counts from clear_stats()).
  uint64_t cycles() const override;

  // Pulses rst_ni: every register back to its reset value, counters zero.
  void reset_controller();
  // CellStore::reset: forgets every cell, new noise seed.
  void reset_array(uint64_t seed);
  // A fresh cell store over another channel (nullptr: noiseless).
  void reset_array(std::shared_ptr<const channel_model::Channel> channel, uint64_t seed);
  // New array timing for the following calls (std::invalid_argument when out of range).
  void set_timing(const ArrayTiming& timing);
  const ArrayTiming& timing() const;
  // The cells behind the controller (what the array holds).
  CellStore& store();

  // Runs the clock for n cycles with the host idle.
  void idle_cycles(uint64_t n);

  RtlPlatformStats stats() const;
  void clear_stats();

  // Yardstick for benchmarks: simulated cycles per wall second of a bare
  // Verilated-SystemC clock loop, measured over `cycles` clocks. An idle
  // instance of the SystemC-Verilated pcm_ctrl (built in this design for the
  // purpose, beside either platform kind, reset released, every input
  // constant) runs on its own clock while the platform's clock is stopped: what is measured is the SystemC kernel
  // toggling a clock plus Verilator evaluating pcm_ctrl on both edges, with
  // no host, bus model or array activity. Not counted in stats().
  double bare_clock_loop_cycles_per_second(uint64_t cycles);
  // The fast platform's ceiling: an instance of the Verilated C++ pcm_ctrl
  // (this platform's variant; 4 lanes, 16 bits for the pin-level one), every
  // input constant, its clock toggled with eval() on both edges in a plain
  // loop. Not counted in stats().
  double bare_cpp_loop_cycles_per_second(uint64_t cycles);

  uint64_t clock_period_ps() const;
  RtlPlatformKind kind() const;

  // The fast platform's variants in this build (PCMSIM_RTL_VARIANTS).
  static std::vector<RtlVariant> built_variants();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pcm::platform
