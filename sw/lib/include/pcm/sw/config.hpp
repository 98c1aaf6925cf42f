// Every knob of a run, its default and its documentation in one place
// (fields.hpp): PlanConfig (what `run`, `train` and `sweep` share: strategy,
// channel and the per-tensor rule), EngineOptions (engine.hpp: which engine and
// the array's timing) and RunConfig (a whole `pcmsim run`). The command line,
// the result JSON and the sweep CSV are generated from these lists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "pcm/sw/config_error.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/fields.hpp"
#include "pcm/sw/plan.hpp"

namespace pcm::sw {

// The first noise seed of every command (run, train, e2e): one default.
inline constexpr uint64_t kFirstSeed = 1;

// Sanity ceilings where a typo is likely (an extra zero in --seeds, --threads,
// --jobs, a grid axis): above them a command refuses unless --allow-large is
// given. One place for all of them.
struct Ceilings {
  static constexpr unsigned long long seeds = 1000;
  static constexpr unsigned long long threads = 256;
  static constexpr unsigned long long jobs = 256;
  static constexpr unsigned long long grid_points = 5000;
};
// ConfigError(field) when value > ceiling and not allowed.
void check_ceiling(const char* field, unsigned long long value, unsigned long long ceiling, bool allowed,
                   const std::string& unit = "");

// How a long command shows its progress (progress.hpp): run, train and e2e
// share these two options.
struct Display {
  bool quiet = false;
  bool progress = false;

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("quiet", s.quiet, FieldDoc{"", "no progress bar"});
    v("progress", s.progress, FieldDoc{"", "draw the progress bar even when standard error is not a terminal (one line per second)"});
  }
};

// The strategy, the channel and the per-tensor rule (sw/README.md).
struct PlanConfig {
  std::string strategy = "none";
  std::string channel = "default";
  PlanOptions rule;  // cells, large_fraction, boost, dac_bits, adc_bits, dir (defaults in plan.hpp)

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("strategy", s.strategy, FieldDoc{"S", "none, or sp (sign protection), am (adaptive mapping), ar (adaptive redundancy), sens (sensitivity) joined by '+'"});
    v("cells", s.rule.cells, FieldDoc{"C", "target average analog cells per weight (1 .. 1024)"});
    v("channel", s.channel, FieldDoc{"NAME", "channel: a built-in table (pcmsim channel --list), a table file, or awgn:STD"});
    v("large_fraction", s.rule.large_fraction, FieldDoc{"F", "share of each tensor's weights in the large class (am, ar)"});
    v("boost", s.rule.boost, FieldDoc{"K", "large / sensitive weights get at least this many times the cells of small ones (ar, sens)"});
    v("dac_bits", s.rule.dac_bits, FieldDoc{"B", "DAC resolution, 2 .. 16"});
    v("adc_bits", s.rule.adc_bits, FieldDoc{"B", "ADC resolution, 2 .. 16"});
    v("dir", s.rule.dir_log2, FieldDoc{"L", "log2 of weights per directory block (ar, sens), 1 .. 12"});
  }
};

// Throws ConfigError naming the field of the first value out of range, an
// unknown strategy, a channel that cannot be made or an impossible budget.
void validate(const PlanConfig& c);
Strategy strategy_of(const PlanConfig& c);  // ConfigError("strategy") when malformed

// One `pcmsim run`: store a model through an engine over seeds.
struct RunConfig {
  std::string model;
  std::string data;
  PlanConfig plan;
  EngineOptions engine;
  unsigned seeds = 3;
  uint64_t seed = kFirstSeed;
  double sens_fraction = 0.01;
  uint64_t calib = 256;
  uint64_t limit = 0;
  uint64_t batch = 256;
  double prune = 0.0;
  std::string keep_digital;  // ECMAScript regex over tensor names; "" keeps none
  int threads = 0;
  std::string out;
  std::string dump_weights;
  Display display;
  bool allow_large = false;

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("model", s.model, FieldDoc{"FILE", "TorchScript model (input [N, C, H, W] pixels in [0, 1], output logits)"});
    v("data", s.data, FieldDoc{"DIR", "dataset directory: MNIST IDX files or CIFAR-10 binary batches"});
    v("engine", s.engine.engine, FieldDoc{"E", "rtl (Verilated controller in SystemC), model (functional C++), ideal (float equations)"});
    PlanConfig::fields(s.plan, v);
    v("seeds", s.seeds, FieldDoc{"N", "number of noise seeds"});
    v("seed", s.seed, FieldDoc{"S", "first seed"});
    v("sens_fraction", s.sens_fraction, FieldDoc{"F", "share of the model's weights marked sensitive (sens)"});
    v("calib", s.calib, FieldDoc{"N", "training items for the Fisher sensitivity (sens)"});
    v("banks", s.engine.array.banks, FieldDoc{"N", "array banks (rtl)"});
    v("write_latency", s.engine.array.write_latency, FieldDoc{"CYCLES", "array write latency in cycles (rtl)"});
    v("read_latency", s.engine.array.read_latency, FieldDoc{"CYCLES", "array read latency in cycles (rtl)"});
    v("lanes", s.engine.lanes, FieldDoc{"N", "controller lanes (pcm_ctrl NumLanes, 1 .. 8): cells per array request and per bank row (rtl: a Verilated variant, see systemc/README.md; model)"});
    v("dac_width", s.engine.dac_width, FieldDoc{"B", "controller DAC port width (pcm_ctrl DacWidth, 2 .. 16; --dac-bits <= it)"});
    v("adc_width", s.engine.adc_width, FieldDoc{"B", "controller ADC port width (pcm_ctrl AdcWidth, 2 .. 16; --adc-bits <= it)"});
    v("rtl_platform", s.engine.rtl_platform, FieldDoc{"P", "how the rtl engine runs pcm_ctrl: fast (Verilated C++ in one clock loop) or pin (SystemC signals per port, the reference; 4 lanes, 16-bit ports)"});
    v("trace", s.engine.trace, FieldDoc{"FILE", "write an FST waveform of the controller and the array's side of the cell port (rtl; systemc/pcm_ctrl.gtkw groups it for GTKWave)"});
    v("trace_from", s.engine.trace_from, FieldDoc{"CYCLE", "start the waveform at this controller cycle, counted from the platform's start over all seeds (--trace)"});
    v("trace_cycles", s.engine.trace_cycles, FieldDoc{"N", "write this many cycles of waveform; 0: to the end (--trace)"});
    VerifyOptions::fields(s.engine.verify, v);
    v("drift_refs", s.engine.drift_refs, FieldDoc{"N", "drift compensation in the controller: N reference cells per tensor (1, 2, 4 .. 64), read before every load; 0: off (rtl, model)"});
    v("program_ns", s.engine.costs.program_ns, FieldDoc{"NS", "duration of one programming pulse (default: NVMain PCM_MLC_example SET 150 + RESET 100 ns)"});
    v("program_pj", s.engine.costs.program_pj, FieldDoc{"PJ", "energy of one programming pulse (default: NVMain 102 + 54 pJ)"});
    v("read_ns", s.engine.costs.read_ns, FieldDoc{"NS", "duration of one read (default: aihwkit t_read 250 ns)"});
    v("read_pj", s.engine.costs.read_pj, FieldDoc{"PJ", "energy of one read (default: NVMain 81 pJ)"});
    v("time", s.engine.time, FieldDoc{"T", "read the model back this long after programming: t0 (the channel's reference time, no drift), or e.g. 1h, 1d, 1y, 10y, seconds"});
    v("limit", s.limit, FieldDoc{"N", "evaluate on the first N test items only (0: all)"});
    v("batch", s.batch, FieldDoc{"N", "evaluation batch size"});
    v("keep_digital", s.keep_digital, FieldDoc{"REGEX", "keep the tensors whose name matches (e.g. '^0\\.|bias') digital at fp32: read back exact, 16 cells per weight, counted in the cell cost"});
    v("prune", s.prune, FieldDoc{"F", "magnitude-prune this fraction of each tensor's weights first (0 .. <1); only the rest is stored, the mask is counted at its entropy"});
    v("store", s.engine.store, FieldDoc{"KIND", "analog (through the engine), or digital: the error-free baseline of --digital-bits"});
    v("digital_bits", s.engine.digital_bits, FieldDoc{"B", "digital baseline: 32 (fp32), or uniform quantization to 2 .. 16 bits"});
    v("threads", s.threads, FieldDoc{"N", "threads of the model and ideal engines (the weights do not depend on it) and of LibTorch's evaluation (0: the core count; LibTorch's default)"});
    v("out", s.out, FieldDoc{"FILE", "write results and the full configuration as JSON"});
    v("dump_weights", s.dump_weights, FieldDoc{"FILE", "write the first seed's read-back weights as raw little-endian fp32, tensors in order"});
    Display::fields(s.display, v);
    v("allow_large", s.allow_large, FieldDoc{"", "accept --seeds and --threads above their sanity ceilings (1000, 256)"});
  }
};

// The program-and-verify registers' legal ranges (ConfigError naming the field).
void validate(const VerifyOptions& v);

// Everything validate(PlanConfig) checks, and the run's own fields; an
// option that would have no effect with the chosen engine or store (the
// array timing or --trace without the rtl engine, verify or drift references
// on the ideal engine, --digital-bits without --store digital) is refused,
// naming why.
void validate(const RunConfig& c);

// keep_digital as a regular expression (ECMAScript, matched anywhere in a
// tensor's name); ConfigError("keep_digital") when it is not one.
std::regex keep_digital_regex(const std::string& pattern);

nlohmann::json to_json(const RunConfig& c);
RunConfig run_config_from_json(const nlohmann::json& j);  // ConfigError on a wrong type

}  // namespace pcm::sw
