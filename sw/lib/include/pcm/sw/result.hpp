// What a run measured (RunResult), described once (fields.hpp): the result
// JSON, the sweep CSV's result columns and the scripts' readers all come
// from this list.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "pcm/sw/cell_cost.hpp"
#include "pcm/sw/config.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/fields.hpp"
#include "pcm/sw/physical_cost.hpp"

namespace pcm::sw {

// An exact read-back's SNR (zero error) is reported as this, so that every
// JSON value stays a finite number; fp32 itself resolves about 150 dB.
inline constexpr double kMaxSnrDb = 300.0;

// One tensor's plan as stored (the same for every seed) and how it read back.
struct TensorReport {
  std::string name;
  uint64_t weights = 0;  // in the model (pruned ones included)
  double threshold = 0.0;
  double alpha_small = 0.0;
  double beta_small = 0.0;
  double alpha_large = 0.0;
  double beta_large = 0.0;
  uint32_t cells_small = 0;
  uint32_t cells_large = 0;
  uint32_t cells_sens = 0;
  uint64_t large_weights = 0;
  uint64_t sensitive_weights = 0;
  uint64_t analog_cells = 0;
  // How it read back, first seed (per-layer report):
  bool digital = false;          // kept digital at fp32 (--keep-digital): exact
  double rms_error = 0.0;        // RMS(read - stored) / max |stored|
  double snr_db = 0.0;           // 10 log10(sum w^2 / sum (read - w)^2), at most kMaxSnrDb
  uint64_t sign_flips = 0;       // weights read back with the opposite sign
  uint64_t saturated = 0;        // clamped to the usable range (the controller's count)
  double cells_per_weight = 0.0; // every cell the tensor took (analog, metadata, directory, digital), ideal rate

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("name", s.name);
    v("weights", s.weights);
    v("digital", s.digital);
    v("rms_error", s.rms_error);
    v("snr_db", s.snr_db);
    v("sign_flips", s.sign_flips);
    v("saturated", s.saturated);
    v("cells_per_weight", s.cells_per_weight);
    v("threshold", s.threshold);
    v("alpha_small", s.alpha_small);
    v("beta_small", s.beta_small);
    v("alpha_large", s.alpha_large);
    v("beta_large", s.beta_large);
    v("cells_small", s.cells_small);
    v("cells_large", s.cells_large);
    v("cells_sens", s.cells_sens);
    v("large_weights", s.large_weights);
    v("sensitive_weights", s.sensitive_weights);
    v("analog_cells", s.analog_cells);
  }
};

// Wall-clock figures of the host (not simulated time).
struct HostTiming {
  double store_seconds = 0.0;  // storing and loading, all seeds
  double wall_seconds = 0.0;   // the whole run
  double peak_rss_mib = 0.0;

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("store_seconds", s.store_seconds);
    v("wall_seconds", s.wall_seconds);
    v("peak_rss_mib", s.peak_rss_mib);
  }
};

// Where the result came from (provenance.hpp).
struct Provenance {
  std::string version;         // pcmsim's version
  std::string build;           // git describe of the sources it was built from
  std::string command;         // the command line that made the result
  std::string timestamp;       // when (UTC): the one field two runs of a command differ in
  std::string model_sha256;    // of the model file ("" when there is none: Python)
  std::string channel_sha256;  // of the channel table's bytes ("" for awgn:STD)
  std::string dataset_format;  // mnist-idx, cifar10-bin
  std::string dataset_source;  // the files read
  uint64_t evaluated = 0;      // test items evaluated

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("version", s.version);
    v("build", s.build);
    v("command", s.command);
    v("timestamp", s.timestamp);
    v("model_sha256", s.model_sha256);
    v("channel_sha256", s.channel_sha256);
    v("dataset_format", s.dataset_format);
    v("dataset_source", s.dataset_source);
    v("evaluated", s.evaluated);
  }
};
// Version, build, command, timestamp and the channel's hash; the model's when
// model_path is not empty (std::runtime_error when it cannot be read).
Provenance provenance_of(const std::string& model_path, const std::string& channel, const std::string& command);

// What a design-space sweep compares, from the figures above (run.cpp):
// per storing and loading of the model once.
struct HardwareRates {
  double cycles_per_seed = 0.0;    // controller cycles to store and load the model (timed engine; 0 elsewhere)
  double cycles_per_weight = 0.0;  // cycles_per_seed / weights
  double store_cycles = 0.0;       // of which storing (START .. last weight stored), per seed
  double load_cycles = 0.0;        // and loading (first read request .. last weight read), per seed
  double simulated_us = 0.0;       // cycles_per_seed x the controller's clock period
  double weights_per_simulated_s = 0.0;  // weights stored and loaded per simulated second (timed engine)
  double array_us = 0.0;           // physical store_us + load_us: the array's time
  double array_uj = 0.0;           // physical store_uj + load_uj: the array's energy
  double weights_per_s = 0.0;      // weights stored and loaded per second of array time

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("cycles_per_seed", s.cycles_per_seed);
    v("cycles_per_weight", s.cycles_per_weight);
    v("store_cycles", s.store_cycles);
    v("load_cycles", s.load_cycles);
    v("simulated_us", s.simulated_us);
    v("weights_per_simulated_s", s.weights_per_simulated_s);
    v("array_us", s.array_us);
    v("array_uj", s.array_uj);
    v("weights_per_s", s.weights_per_s);
  }
};

struct RunResult {
  Provenance provenance;
  uint64_t parameter_tensors = 0;
  uint64_t weights = 0;
  uint64_t buffers_digital = 0;  // buffer values (batch-norm statistics ...) kept digital, not counted
  double clean_accuracy = 0.0;
  double pruned_clean_accuracy = 0.0;  // = clean without pruning
  double accuracy_mean = 0.0;
  double accuracy_std = 0.0;  // sample std over seeds (n - 1); 0 for one seed
  std::vector<double> accuracy_per_seed;
  CellCost cost_ideal;      // at kIdealBitsPerCell
  CellCost cost_realistic;  // at kRealisticBitsPerCell
  double fp32_ideal = 0.0;  // the fp32 baseline at the same two rates
  double fp32_realistic = 0.0;
  TensorCounters counters;  // the controller's, first seed
  PhysicalCost physical;    // array time and energy from those counters (pulse_costs.hpp)
  TimingStats timing;       // the timed engine's, all seeds
  HardwareRates rates;
  HostTiming host;
  std::vector<TensorReport> tensors;

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("provenance", s.provenance);
    v("parameter_tensors", s.parameter_tensors);
    v("weights", s.weights);
    v("buffers_digital", s.buffers_digital);
    v("clean_accuracy", s.clean_accuracy);
    v("pruned_clean_accuracy", s.pruned_clean_accuracy);
    v("accuracy_mean", s.accuracy_mean);
    v("accuracy_std", s.accuracy_std);
    v("accuracy_per_seed", s.accuracy_per_seed);
    v("cost_ideal", s.cost_ideal);
    v("cost_realistic", s.cost_realistic);
    v("fp32_ideal", s.fp32_ideal);
    v("fp32_realistic", s.fp32_realistic);
    v("counters", s.counters);
    v("physical", s.physical);
    v("timing", s.timing);
    v("rates", s.rates);
    v("host", s.host);
    v("tensors", s.tensors);
  }
};

// A run's file: {"config": RunConfig, "result": RunResult}.
nlohmann::json run_json(const RunConfig& config, const RunResult& result);
// Reads one back; throws std::runtime_error naming `what` when it is damaged.
std::pair<RunConfig, RunResult> read_run_json(const nlohmann::json& j, const std::string& what);

// The sweep CSV (one row per run): every config field, then every scalar
// result field, flattened (fields.hpp), after `leading` columns of the caller's.
std::vector<std::string> csv_columns(const std::vector<std::string>& leading = {});
std::vector<std::string> csv_values(const RunConfig& config, const RunResult& result,
                                    const std::vector<std::string>& leading = {});
// One CSV line (RFC 4180 quoting where needed), without the newline.
std::string csv_line(const std::vector<std::string>& cells);

}  // namespace pcm::sw
