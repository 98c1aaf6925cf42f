#include "pcm/sw/config.hpp"

#include <cmath>
#include <cstdint>
#include <regex>
#include <stdexcept>
#include <string>

#include "pcm/model/controller_model.hpp"

namespace pcm::sw {
namespace {

template <class T>
void check_range(const char* field, T v, T lo, T hi) {
  if (v < lo || v > hi) {
    throw ConfigError(field, "must be " + std::to_string(lo) + " .. " + std::to_string(hi) + ", got " +
                                 std::to_string(v));
  }
}

// An open or half-open interval of fractions, NaN refused.
void check_fraction(const char* field, double v, bool zero_allowed) {
  const bool ok = std::isfinite(v) && (zero_allowed ? v >= 0.0 : v > 0.0) && v < 1.0;
  if (!ok) throw ConfigError(field, std::string("must be in ") + (zero_allowed ? "[0, 1)" : "(0, 1)"));
}

}  // namespace

void check_ceiling(const char* field, unsigned long long value, unsigned long long ceiling, bool allowed,
                   const std::string& unit) {
  if (value > ceiling && !allowed) {
    throw ConfigError(field, std::to_string(value) + unit + " is above the sanity ceiling of " +
                                 std::to_string(ceiling) + unit + " (a typo?); add --allow-large to run it anyway");
  }
}

Strategy strategy_of(const PlanConfig& c) { return Strategy::parse(c.strategy); }

void validate(const PlanConfig& c) {
  const Strategy s = strategy_of(c);
  check_range("dac_bits", c.rule.dac_bits, 2, 16);
  check_range("adc_bits", c.rule.adc_bits, 2, 16);
  check_range("dir", c.rule.dir_log2, 1, 12);
  check_fraction("large_fraction", c.rule.large_fraction, false);
  if (c.rule.boost < 1) throw ConfigError("boost", "must be at least 1");
  if (!std::isfinite(c.rule.cells)) throw ConfigError("cells", "must be a number");
  try {  // the budget alone: no tensor needed
    plan_tensor(nullptr, nullptr, 0, s, c.rule, ChannelMap::identity());
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(e.what());  // an input the user must change, as a bad model file is (exit 1)
  }
}

void validate(const VerifyOptions& v) {
  check_range<uint32_t>("verify_pulses", v.pulses, 1, model::kMaxVerifyPulses);
  check_range<uint32_t>("verify_tol", v.tol, 0, 65535);
  check_range<uint32_t>("verify_gain", v.gain, 0, 1024);
}

namespace {

// Options that only one engine or store reads are refused elsewhere rather
// than silently ignored (a --trace that writes nothing looks like a bug).
void validate_effect(const EngineOptions& e) {
  if (e.engine != "rtl" && e.engine != "model" && e.engine != "ideal") {
    throw ConfigError("engine", "expected rtl, model or ideal, got '" + e.engine + "'");
  }
  const bool analog = e.store == "analog";
  const std::string where = analog ? "--engine " + e.engine : std::string("--store digital");
  if (!e.trace.empty() && (e.engine != "rtl" || !analog)) {
    throw ConfigError("trace", "the waveform is the rtl engine's; " + where + " writes none (use --engine rtl)");
  }
  if (e.trace.empty() && (e.trace_from > 0 || e.trace_cycles > 0)) {
    throw ConfigError(e.trace_from > 0 ? "trace_from" : "trace_cycles",
                      "a window of the waveform, which only --trace FILE writes");
  }
  if (e.trace_cycles > UINT64_MAX - e.trace_from) {
    throw ConfigError("trace_cycles", "trace_from + trace_cycles is beyond the last cycle (2^64 - 1)");
  }
  const model::ArrayTiming defaults;
  const auto& t = e.array;
  const std::pair<const char*, bool> timing[] = {{"banks", t.banks != defaults.banks},
                                                 {"write_latency", t.write_latency != defaults.write_latency},
                                                 {"read_latency", t.read_latency != defaults.read_latency}};
  for (const auto& [field, changed] : timing) {
    if (changed && (e.engine != "rtl" || !analog)) {
      throw ConfigError(field, "the array's timing is simulated by the rtl engine only; " + where +
                                   " counts no cycles (use --engine rtl)");
    }
  }
  const bool controller = analog && e.engine != "ideal";  // the engines with a controller
  if (!controller && e.verify.pulses != VerifyOptions{}.pulses) {
    throw ConfigError("verify_pulses", "program-and-verify is the controller's; " + where +
                                           " has none (use --engine model or rtl)");
  }
  if (!controller && e.drift_refs != 0) {
    throw ConfigError("drift_refs", "drift compensation is the controller's; " + where +
                                        " has none (use --engine model or rtl)");
  }
  const EngineOptions defaults_e;
  const std::pair<const char*, bool> params[] = {{"lanes", e.lanes != defaults_e.lanes},
                                                 {"dac_width", e.dac_width != defaults_e.dac_width},
                                                 {"adc_width", e.adc_width != defaults_e.adc_width}};
  for (const auto& [field, changed] : params) {
    if (changed && !controller) {
      throw ConfigError(field, "a parameter of the controller; " + where + " has none (use --engine model or rtl)");
    }
  }
  if (e.rtl_platform != "fast" && e.rtl_platform != "pin") {
    throw ConfigError("rtl_platform", "expected fast or pin, got '" + e.rtl_platform + "'");
  }
  if (e.rtl_platform != defaults_e.rtl_platform && (e.engine != "rtl" || !analog)) {
    throw ConfigError("rtl_platform", "the rtl engine's; " + where + " has no platform (use --engine rtl)");
  }
  if (analog && e.digital_bits != EngineOptions{}.digital_bits) {
    throw ConfigError("digital_bits", "applies to --store digital only (the analog store has no quantizer)");
  }
}

}  // namespace

std::regex keep_digital_regex(const std::string& pattern) {
  try {
    return std::regex(pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    throw ConfigError("keep_digital", "'" + pattern + "' is not a regular expression (" + e.what() + ")");
  }
}

void validate(const RunConfig& c) {
  validate(c.plan);
  if (c.seeds == 0) throw ConfigError("seeds", "must be at least 1");
  if (c.batch == 0) throw ConfigError("batch", "must be at least 1");
  check_fraction("sens_fraction", c.sens_fraction, false);
  check_fraction("prune", c.prune, true);
  keep_digital_regex(c.keep_digital);
  if (c.threads < 0) throw ConfigError("threads", "must be >= 0");
  check_ceiling("seeds", c.seeds, Ceilings::seeds, c.allow_large);
  check_ceiling("threads", static_cast<unsigned long long>(c.threads), Ceilings::threads, c.allow_large);
  validate_effect(c.engine);
  check_range<uint32_t>("banks", c.engine.array.banks, 1, 1u << 16);
  check_range<uint32_t>("write_latency", c.engine.array.write_latency, 1, 1u << 16);
  check_range<uint32_t>("read_latency", c.engine.array.read_latency, 1, 1u << 16);
  check_range<uint32_t>("lanes", c.engine.lanes, 1, 8);
  check_range<uint32_t>("dac_width", c.engine.dac_width, 2, 16);
  check_range<uint32_t>("adc_width", c.engine.adc_width, 2, 16);
  // the resolution registers are read at run time; the port widths are the hardware's
  if (static_cast<uint32_t>(c.plan.rule.dac_bits) > c.engine.dac_width) {
    throw ConfigError("dac_bits", std::to_string(c.plan.rule.dac_bits) + " bits do not fit the DAC port of " +
                                      std::to_string(c.engine.dac_width) + " (--dac-width)");
  }
  if (static_cast<uint32_t>(c.plan.rule.adc_bits) > c.engine.adc_width) {
    throw ConfigError("adc_bits", std::to_string(c.plan.rule.adc_bits) + " bits do not fit the ADC port of " +
                                      std::to_string(c.engine.adc_width) + " (--adc-width)");
  }
  if (c.engine.rtl_platform == "pin" && (c.engine.lanes != 4 || c.engine.dac_width != 16 || c.engine.adc_width != 16)) {
    throw ConfigError("rtl_platform", "the pin-level platform has 4 lanes and 16-bit ports only (use --rtl-platform fast)");
  }
  validate(c.engine.verify);
  seconds_of_time(c.engine.time, 0.0);
  for (const auto& [name, v] : {std::pair<const char*, double>{"program_ns", c.engine.costs.program_ns},
                                {"program_pj", c.engine.costs.program_pj},
                                {"read_ns", c.engine.costs.read_ns},
                                {"read_pj", c.engine.costs.read_pj}}) {
    if (!(v >= 0.0) || !std::isfinite(v)) throw ConfigError(name, "must be a finite number >= 0");
  }
  const uint32_t refs = c.engine.drift_refs;
  if (refs > 64 || (refs & (refs - 1)) != 0) {
    throw ConfigError("drift_refs", "must be 0 (off) or a power of two up to 64, got " + std::to_string(refs));
  }
  if (c.engine.store != "analog" && c.engine.store != "digital") {
    throw ConfigError("store", "expected analog or digital, got '" + c.engine.store + "'");
  }
  if (c.engine.store == "digital") {
    if (c.engine.digital_bits != 32) check_range("digital_bits", c.engine.digital_bits, 2, 16);
    if (strategy_of(c.plan).name() != "none") throw ConfigError("strategy", "--store digital takes no strategy");
  }
}

nlohmann::json to_json(const RunConfig& c) { return fields_to_json(c); }

RunConfig run_config_from_json(const nlohmann::json& j) {
  RunConfig c;
  try {
    fields_from_json(j, c);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError("config", std::string("malformed run configuration: ") + e.what());
  }
  return c;
}

}  // namespace pcm::sw
