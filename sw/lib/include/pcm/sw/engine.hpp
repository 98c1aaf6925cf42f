// The three engines behind one host program (ARCHITECTURE.md, "Three engines,
// one contract"): every tensor is configured, streamed in and read back the
// same way; only what simulates the controller changes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "pcm/channel_model/channel.hpp"
#include "pcm/model/array_timing.hpp"
#include "pcm/model/cell_store.hpp"
#include "pcm/model/pulse_costs.hpp"
#include "pcm/model/controller_port.hpp"
#include "pcm/regs/pcm_ctrl_regs.hpp"
#include "pcm/sw/fields.hpp"
#include "pcm/sw/plan.hpp"

namespace pcm::sw {

// Where a tensor's cells live: disjoint regions per tensor.
struct Regions {
  uint32_t analog_base = 0;
  uint32_t meta_base = 0;
  uint32_t dir_base = 0;
  uint32_t ref_base = 0;  // drift compensation's reference cells (analog)
};

// What the controller's counters say about one tensor.
struct TensorCounters {
  uint64_t weights_written = 0;
  uint64_t weights_read = 0;
  uint64_t cells_written = 0;
  uint64_t cells_read = 0;
  uint64_t meta_written = 0;
  uint64_t meta_read = 0;
  uint64_t dir_written = 0;
  uint64_t dir_read = 0;
  uint64_t saturated = 0;
  uint64_t pulses = 0;        // analog programming pulses, re-programs included
  uint64_t verify_reads = 0;  // cells read back to verify a pulse
  uint64_t pv_failed = 0;     // cells outside the tolerance after the last pulse
  uint64_t ref_reads = 0;     // reference cells read for drift compensation
  TensorCounters& operator+=(const TensorCounters& o);

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("weights_written", s.weights_written);
    v("weights_read", s.weights_read);
    v("cells_written", s.cells_written);
    v("cells_read", s.cells_read);
    v("meta_written", s.meta_written);
    v("meta_read", s.meta_read);
    v("dir_written", s.dir_written);
    v("dir_read", s.dir_read);
    v("saturated", s.saturated);
    v("pulses", s.pulses);
    v("verify_reads", s.verify_reads);
    v("pv_failed", s.pv_failed);
    v("ref_reads", s.ref_reads);
  }
};

// Figures only a timed engine has (zero elsewhere).
struct TimingStats {
  uint64_t cycles = 0;             // every cycle simulated: the store, the load and the register traffic
  uint64_t store_cycles = 0;       // from START to the last weight stored (register writes before excluded)
  uint64_t load_cycles = 0;        // from the first read request to the last weight read back
  double simulated_seconds = 0.0;  // cycles x the controller's clock period
  uint64_t array_requests = 0;
  uint64_t array_stall_cycles = 0;
  double bank_utilisation = 0.0;  // busy bank-cycles / (banks x cycles)
  double sim_seconds = 0.0;       // wall time inside the simulator

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("cycles", s.cycles);
    v("store_cycles", s.store_cycles);
    v("load_cycles", s.load_cycles);
    v("simulated_seconds", s.simulated_seconds);
    v("array_requests", s.array_requests);
    v("array_stall_cycles", s.array_stall_cycles);
    v("bank_utilisation", s.bank_utilisation);
    v("sim_seconds", s.sim_seconds);
  }
};

// The channel as the engines need it: the noise and the pre-mapping.
struct ChannelSetup {
  std::string name;  // table name / file, or "awgn:STD"
  std::shared_ptr<const channel_model::Channel> channel;
  ChannelMap map;                       // usable range and LUT knots
  std::function<double(double)> h;      // exact pre-mapping (engine ideal)
};
// "default", a built-in table, a table file, or "awgn:STD". ConfigError
// ("channel") for a malformed awgn:STD; channel_model's errors for a table.
ChannelSetup make_channel(const std::string& spec);

// How far one tensor has gone through an engine: weight-steps done of 2n
// (every weight written, then every weight read back), called after every
// part of at most kProgressStep weights written and every read request. A
// display only: what an engine computes never depends on it.
using StoreProgress = std::function<void(uint64_t done)>;
inline constexpr std::size_t kProgressStep = std::size_t{1} << 14;

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string name() const = 0;
  // A fresh array whose noise is keyed by `seed`.
  virtual void begin(uint64_t seed) = 0;
  // Stores n weights as planned and reads them back into out. sens may be
  // nullptr; progress may be empty. Throws std::runtime_error when the
  // controller misbehaves (refused register, wrong count, error beat).
  TensorCounters store(const TensorPlan& plan, const Regions& regions, const float* w, const uint8_t* sens,
                       std::size_t n, float* out, const StoreProgress& progress = {}) {
    return store_tensor(plan, regions, w, sens, n, out, progress);
  }
  virtual TimingStats timing() const { return {}; }

 protected:
  virtual TensorCounters store_tensor(const TensorPlan& plan, const Regions& regions, const float* w,
                                      const uint8_t* sens, std::size_t n, float* out,
                                      const StoreProgress& progress) = 0;
};

// Program-and-verify (rtl/README.md, "Program and verify"); the defaults are
// the registers' reset values: one pulse, no verify.
struct VerifyOptions {
  uint32_t pulses = regs::pv_pulses::kReset;  // PV_PULSES, 1 .. 32
  uint32_t tol = regs::pv_tol::kReset;        // PV_TOL, ADC codes
  uint32_t gain = regs::pv_gain::kReset;      // PV_GAIN, Q2.8 (256 = 1.0)

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("verify_pulses", s.pulses, FieldDoc{"N", "program-and-verify: most pulses per cell, 1 .. 32 (1: program once, no verify; rtl, model)"});
    v("verify_tol", s.tol, FieldDoc{"CODES", "program-and-verify: converged when a verify read is within this many ADC codes of the target, 0 .. 65535"});
    v("verify_gain", s.gain, FieldDoc{"Q", "program-and-verify: correction gain in 1/256 (256 = 1.0), 0 .. 1024; 0 re-programs the same code"});
  }
};

// "t0" (the channel's reference time: no drift), or seconds with an optional
// unit: s, m, h, d, y (365.25 days), e.g. "1y", "3600", "1.5d". ConfigError
// ("time") for anything else, a negative or a non-finite value.
double seconds_of_time(const std::string& time, double t0);

// Which engine stores the weights, the array's timing (rtl; its defaults
// are model::ArrayTiming's), how cells are programmed and when they are read.
struct EngineOptions {
  std::string engine = "model";  // rtl, model, ideal
  std::string store = "analog";  // analog: through `engine`; digital: the error-free baseline
  int digital_bits = 32;         // store digital: 32 (fp32) or uniform quantization to 2 .. 16 bits
  std::string trace;             // FST file (rtl)
  uint64_t trace_from = 0;       // the trace window: from this cycle since the platform started (rtl)
  uint64_t trace_cycles = 0;     // for this many cycles; 0: to the end (rtl)
  model::ArrayTiming array;      // banks, write_latency, read_latency (rtl); lanes comes from `lanes`
  // pcm_ctrl's parameters (rtl, model): NumLanes (cells per cell-port request,
  // and per array row: one knob), DacWidth, AdcWidth (the resolutions
  // dac_bits / adc_bits must fit them). rtl needs a Verilated variant of them
  // (CMake PCMSIM_RTL_VARIANTS).
  uint32_t lanes = 4;
  uint32_t dac_width = 16;
  uint32_t adc_width = 16;
  std::string rtl_platform = "fast";  // fast (Verilated C++ in one loop) or pin (SystemC pins, the reference)
  VerifyOptions verify;          // rtl and model
  uint32_t drift_refs = 0;       // reference cells per tensor for drift compensation: 0 (off), 1, 2, 4 .. 64
  std::string time = "t0";       // when the model is read back, after programming
  model::PulseCosts costs;       // per-access time and energy (pulse_costs.hpp) for the report
  unsigned threads = 0;          // model, ideal: threads over blocks of weights; 0: the core count
};
// opt.threads, or the core count for 0. Results do not depend on it.
unsigned engine_threads(const EngineOptions& opt);

// The reference cells per tensor the engine programs: drift_refs for the
// controller engines (rtl, model) storing analog, 0 otherwise (the ideal
// engine has no controller to compensate with).
uint32_t reference_cells(const EngineOptions& opt);

// What store_through tells the controller and the cells besides the plan.
struct StoreSettings {
  VerifyOptions verify;
  uint32_t drift_refs = 0;
  double load_time = 0.0;  // seconds after programming
};
// The settings of opt for a channel whose reference time is t0.
StoreSettings store_settings(const EngineOptions& opt, double t0);

struct PlacedTensor {
  TensorPlan plan;
  Regions regions;
};

// The layout `pcmsim run` gives a model: tensors in order, each planned by
// plan_tensor (the rule in sw/README.md) and given the next consecutive analog
// region (followed by its `drift_refs` reference cells); in the digital space
// each tensor's metadata records and then its directory follow each other.
// A tensor's metadata starts a row of `array` (banks x lanes) half the banks
// away from its analog region's first row, so that while the controller
// streams, its metadata requests go to banks the cells' requests around them
// leave free (sw/README.md, "Regions"). Only digital addresses move for
// this, never a cell's, so the weights do not change. Throws
// std::runtime_error naming the tensor when plan_tensor refuses it, and when
// the model needs more than 2^32 cells in either space.
class ModelLayout {
 public:
  ModelLayout(const Strategy& strategy, const PlanOptions& options, const ChannelMap& map, uint32_t drift_refs = 0,
              const model::ArrayTiming& array = {});
  // sens: one flag per weight, or nullptr.
  PlacedTensor add(const std::string& name, const float* w, const uint8_t* sens, std::size_t n);
  // The regions of the next tensor of n weights planned as `plan`.
  Regions place(const TensorPlan& plan, std::size_t n);
  uint64_t analog_cells() const { return analog_next_; }

 private:
  Strategy strategy_;
  PlanOptions options_;
  ChannelMap map_;
  uint32_t drift_refs_;
  model::ArrayTiming array_;
  uint64_t analog_next_ = 0;
  uint64_t digital_next_ = 0;
};

// The engine opt names: with store "digital" the DigitalEngine (the weights
// quantized to digital_bits and kept error-free; no controller, no counters),
// else rtl, model or ideal. ConfigError ("engine", "store", "digital_bits")
// for a name or value it does not know.
std::unique_ptr<Engine> make_engine(const EngineOptions& opt, const ChannelSetup& channel);
// The RTL engine alone (rtl_engine.cpp): one per process, SystemC elaborates once.
std::unique_ptr<Engine> make_rtl_engine(const EngineOptions& opt, const ChannelSetup& channel);
// Yardstick of `pcmsim bench`: cycles per second of a bare Verilated-SystemC
// clock loop, measured inside the rtl engine's design.
double bare_clock_loop_cycles_per_second(Engine& rtl, uint64_t cycles);
// The ceiling of the (fast) rtl engine: cycles per second of a bare loop of
// the Verilated C++ pcm_ctrl of its variant (clock toggles and eval() only).
double bare_cpp_loop_cycles_per_second(Engine& rtl, uint64_t cycles);

// The host program for one tensor through any controller: clear, configure
// (the plan's registers and verify's), START, stream (in parts of
// kProgressStep weights, one stream to the controller) with the cells' clock
// at 0 s (verify reads see no drift), read back in chunks at load_time
// seconds, check and return the counters. phases, when given, gains the
// port's cycles of the store (START .. last weight stored) and of the load.
struct PhaseCycles {
  uint64_t store = 0;
  uint64_t load = 0;
};
TensorCounters store_through(model::ControllerPort& port, model::CellStore& cells, const StoreSettings& settings,
                             const TensorPlan& plan, const Regions& regions, const float* w, const uint8_t* sens,
                             std::size_t n, float* out, const StoreProgress& progress = {},
                             PhaseCycles* phases = nullptr);

// The array timing an engine simulates: opt.array with its row size tied to
// the controller's lanes (a row is what one cell-port request reaches). The
// rtl platform and the physical cost both use it.
model::ArrayTiming array_timing(const EngineOptions& opt);

}  // namespace pcm::sw
