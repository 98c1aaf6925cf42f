// _pcmsim: the C++ library as a Python extension (pybind11). The Python
// package pcmsim (pcmsim/__init__.py) wraps it: tensors come in as float32
// numpy views of the caller's torch tensors (no copy when they are already
// contiguous float32 on the CPU) and go back as numpy arrays that torch wraps
// without a copy. Options travel as `pcmsim run` command-line words, read by
// the same parser as the CLI, so every range check and message is the CLI's.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <c10/util/Exception.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "pcm/channel_model/capacity.hpp"
#include "pcm/cli/cli.hpp"
#include "pcm/cli/options.hpp"
#include "pcm/cli/progress_printer.hpp"
#include "pcm/sw/config.hpp"
#include "pcm/sw/engine.hpp"
#include "pcm/sw/provenance.hpp"
#include "pcm/sw/result.hpp"
#include "pcm/sw/run.hpp"
#include "pcm/sw/store.hpp"
#include "pcm/sw/sweep.hpp"
#include "pcm/sw/text.hpp"

namespace py = pybind11;
namespace sw = pcm::sw;
namespace cm = pcm::channel_model;

namespace {

using FloatArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

// Refusals of the caller's input, as Python's ValueError.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `pcmsim run` words -> RunConfig, as the CLI reads them (UsageError, ConfigError).
sw::RunConfig config_of(const std::vector<std::string>& words) {
  sw::RunConfig c;
  pcm::cli::Options options("pcmsim");
  options.declare(c);
  if (!options.parse(words)) throw InputError("--help is not an option here");
  return c;
}

// The fields of a run that a store without evaluation has no use for.
void refuse_evaluation_fields(const std::vector<std::string>& words) {
  for (const char* f : {"model", "data", "seeds", "calib", "limit", "batch", "dump_weights", "threads"}) {
    if (std::find(words.begin(), words.end(), "--" + sw::option_of(f)) != words.end()) {
      throw InputError(std::string("--") + sw::option_of(f) +
                       ": belongs to pcmsim.run (a model file evaluated on a dataset); pcmsim.store stores the "
                       "module's tensors for one seed");
    }
  }
}

// The rtl engine is one SystemC elaboration per process: made once, then
// reused while the engine settings and the channel stay the same.
struct RtlCache {
  std::string key;
  sw::ChannelSetup channel;
  std::unique_ptr<sw::Engine> engine;
};
RtlCache& rtl_cache() {
  static RtlCache cache;
  return cache;
}

std::string engine_key(const sw::RunConfig& c) {
  nlohmann::json j = sw::to_json(c);
  nlohmann::json k;
  for (const char* f : {"engine", "channel", "banks", "write_latency", "read_latency", "trace", "trace_from",
                        "trace_cycles", "verify_pulses", "verify_tol", "verify_gain", "drift_refs", "time", "store",
                        "digital_bits"}) {
    k[f] = j.at(f);
  }
  return k.dump();
}

struct Stored {
  std::vector<FloatArray> tensors;
  std::string json;
};

Stored store(const std::vector<std::string>& names, const std::vector<FloatArray>& values,
             const std::vector<FloatArray>& scores, const std::vector<std::string>& words) {
  refuse_evaluation_fields(words);
  const sw::RunConfig c = config_of(words);
  try {
    sw::validate(c);
  } catch (const sw::ConfigError&) {
    throw;
  } catch (const std::runtime_error& e) {  // an impossible budget: the caller's input too
    throw InputError(e.what());
  }
  if (names.size() != values.size()) throw InputError("one name per tensor");
  if (values.empty()) throw InputError("the module has no parameter to store");
  std::vector<sw::WeightTensor> tensors;
  for (std::size_t k = 0; k < values.size(); ++k) {
    const std::size_t n = static_cast<std::size_t>(values[k].size());
    const float* v = values[k].data();
    for (std::size_t i = 0; i < n; ++i) {
      if (!std::isfinite(v[i])) {
        throw InputError("parameter " + names[k] + ": weight " + std::to_string(i) + " is " +
                         (std::isnan(v[i]) ? "NaN" : "infinite"));
      }
    }
    tensors.push_back({names[k], v, n});
  }
  const sw::Strategy strategy = sw::strategy_of(c.plan);
  std::vector<std::vector<uint8_t>> marks;
  if (strategy.sens) {
    if (scores.size() != values.size()) {
      throw InputError("strategy sens needs sensitivity: a score tensor (e.g. the Fisher diagonal) for every parameter");
    }
    std::vector<sw::WeightTensor> s;
    for (std::size_t k = 0; k < scores.size(); ++k) {
      if (scores[k].size() != values[k].size()) {
        throw InputError("sensitivity of " + names[k] + ": " + std::to_string(scores[k].size()) + " scores for " +
                         std::to_string(values[k].size()) + " weights");
      }
      s.push_back({names[k], scores[k].data(), static_cast<std::size_t>(scores[k].size())});
    }
    marks = sw::mark_sensitive(s, c.sens_fraction);
  } else if (!scores.empty()) {
    throw InputError("sensitivity is given but the strategy has no sens");
  }

  sw::ChannelSetup channel;
  std::unique_ptr<sw::Engine> own;
  sw::Engine* engine = nullptr;
  if (c.engine.engine == "rtl" && c.engine.store == "analog") {
    RtlCache& cache = rtl_cache();
    const std::string key = engine_key(c);
    if (!cache.engine) {
      cache.channel = sw::make_channel(c.plan.channel);
      cache.engine = sw::make_engine(c.engine, cache.channel);
      cache.key = key;
    } else if (cache.key != key) {
      throw InputError("the rtl engine was built in this process with other settings (" + cache.key +
                       "); SystemC elaborates once per process: use one setting per process, or pcmsim.sweep, "
                       "which runs every point in its own process");
    }
    channel = cache.channel;
    engine = cache.engine.get();
  } else {
    channel = sw::make_channel(c.plan.channel);
    own = sw::make_engine(c.engine, channel);
    engine = own.get();
  }

  const sw::ModelStore model(c, channel, tensors, marks);
  Stored out;
  std::vector<float*> outs;
  for (const FloatArray& v : values) {
    out.tensors.emplace_back(v.size());
    outs.push_back(out.tensors.back().mutable_data());
  }
  sw::RunResult r;
  {
    py::gil_scoped_release release;
    pcm::cli::WithProgress<sw::TaskObserver> bar(std::cerr, sw::progress_mode(c.display.quiet, c.display.progress));
    std::vector<sw::ModelStore::Quality> quality;
    const sw::TensorCounters counters = model.store_seed(*engine, c.seed, outs, bar, &quality);
    bar.clear();
    model.report(r, counters, quality, *engine, channel);
  }
  r.provenance = sw::provenance_of("", c.plan.channel, "pcmsim.store (Python) " + sw::shell_line(words));
  r.parameter_tensors = values.size();
  sw::RunConfig written = c;
  written.plan.strategy = strategy.name();
  nlohmann::json j = sw::run_json(written, r);
  // what only an evaluation measures is not in a store's record
  for (const char* f : {"clean_accuracy", "pruned_clean_accuracy", "accuracy_mean", "accuracy_std", "accuracy_per_seed",
                        "buffers_digital"}) {
    j["result"].erase(f);
  }
  j["result"]["provenance"].erase("dataset_format");
  j["result"]["provenance"].erase("dataset_source");
  j["result"]["provenance"].erase("evaluated");
  j["result"]["provenance"].erase("model_sha256");  // a module in memory, no file
  for (const char* f : {"model", "data", "seeds", "calib", "limit", "batch", "dump_weights", "threads", "quiet",
                        "progress", "allow_large"}) {
    j["config"].erase(f);
  }
  out.json = j.dump();
  return out;
}

std::string run(const std::vector<std::string>& words) {
  const sw::RunConfig c = config_of(words);
  if (c.model.empty()) throw InputError("--model is required");
  if (c.data.empty()) throw InputError("--data is required");
  sw::RunResult r;
  {
    py::gil_scoped_release release;
    pcm::cli::WithProgress<sw::RunObserver> bar(std::cerr, sw::progress_mode(c.display.quiet, c.display.progress));
    r = sw::run(c, bar);
    bar.clear();
  }
  sw::RunConfig written = c;
  written.plan.strategy = sw::strategy_of(c.plan).name();
  return sw::run_json(written, r).dump();
}

py::dict sweep(const std::string& grid_json, const std::string& out, unsigned jobs, bool fresh, bool allow_large,
               const std::string& exe) {
  const std::vector<sw::SweepPoint> points = sw::expand_grid(grid_json);
  sw::SweepOptions o;
  o.dir = out;
  o.pcmsim = exe;
  o.jobs = jobs;
  o.fresh = fresh;
  o.allow_large = allow_large;
  struct Quiet final : sw::SweepObserver {};
  Quiet observer;
  sw::SweepSummary s;
  {
    py::gil_scoped_release release;
    s = sw::run_sweep(points, o, observer);
  }
  py::dict d;
  d["points"] = s.points;
  d["ran"] = s.ran;
  d["failed"] = s.failed;
  d["rows"] = s.rows;
  d["csv"] = s.csv;
  d["point_dir"] = s.point_dir;
  d["interrupted_by"] = s.interrupted_by;
  return d;
}

// A channel as pcmsim makes it: a built-in table, a table file or awgn:STD.
class PyChannel {
 public:
  explicit PyChannel(const std::string& spec) : setup_(make(spec)), spec_(spec) {}
  std::string name() const { return setup_.name; }
  py::tuple usable_range() const { return py::make_tuple(setup_.map.t_lo, setup_.map.t_hi); }
  py::tuple input_domain() const {
    const auto [lo, hi] = setup_.channel->input_domain();
    return py::make_tuple(lo, hi);
  }
  py::array_t<double> mu(const py::array_t<double, py::array::forcecast>& x) const {
    return map(x, [&](double v) { return setup_.channel->mean(v); });
  }
  py::array_t<double> sigma(const py::array_t<double, py::array::forcecast>& x) const {
    return map(x, [&](double v) { return setup_.channel->stddev(v); });
  }
  py::array_t<double> premap(const py::array_t<double, py::array::forcecast>& t) const {
    return map(t, [&](double v) { return setup_.h(v); });
  }
  // One programmed read-out per input: cell i of the draw is keyed by
  // (seed, address + i, access), so a draw is reproducible and independent
  // of how the inputs are split across calls.
  py::array_t<double> sample(const py::array_t<double, py::array::forcecast>& x, uint64_t seed, uint32_t address,
                             uint32_t access) const {
    std::size_t i = 0;
    return map(x, [&](double v) {
      const cm::CellKey key{seed, static_cast<uint32_t>(address + i++), access, cm::Stream::kProgram};
      return setup_.channel->sample(v, key);
    });
  }
  double capacity(int bins) const {
    const auto* table = dynamic_cast<const cm::TableChannel*>(setup_.channel.get());
    if (table == nullptr) throw InputError(spec_ + ": capacity is computed for table channels only");
    return cm::table_capacity(table->table(), bins).bits;
  }

 private:
  static sw::ChannelSetup make(const std::string& spec) {
    try {
      return sw::make_channel(spec);
    } catch (const sw::ConfigError&) {
      throw;
    } catch (const std::runtime_error& e) {  // a table that cannot be read: the caller's input
      throw InputError(e.what());
    }
  }
  template <class F>
  static py::array_t<double> map(const py::array_t<double, py::array::forcecast>& x, F f) {
    py::array_t<double> out(x.request().shape);
    const double* in = x.data();
    double* o = out.mutable_data();
    for (py::ssize_t i = 0; i < x.size(); ++i) {
      if (!std::isfinite(in[i])) throw InputError("input " + std::to_string(i) + " is not a finite number");
      o[i] = f(in[i]);
    }
    return out;
  }
  sw::ChannelSetup setup_;
  std::string spec_;
};

}  // namespace

PYBIND11_MODULE(_pcmsim, m) {
  m.doc() = "pcmsim's C++ library (use the pcmsim package)";
  py::register_exception<InputError>(m, "InputError", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const sw::ConfigError& e) {
      PyErr_SetString(PyExc_ValueError, ("--" + sw::option_of(e.field()) + ": " + e.what()).c_str());
    } catch (const pcm::cli::UsageError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const boost::program_options::error& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const c10::Error& e) {
      const std::string what = e.what_without_backtrace();
      PyErr_SetString(PyExc_RuntimeError, ("LibTorch: " + what.substr(0, what.find('\n'))).c_str());
    }
  });
  m.def("version", &sw::version_line);
  py::class_<Stored>(m, "Stored").def_readonly("tensors", &Stored::tensors).def_readonly("json", &Stored::json);
  m.def("store", &store, py::arg("names"), py::arg("values"), py::arg("scores"), py::arg("words"));
  m.def("run", &run, py::arg("words"));
  m.def("sweep", &sweep, py::arg("grid_json"), py::arg("out"), py::arg("jobs"), py::arg("fresh"),
        py::arg("allow_large"), py::arg("exe"));
  py::class_<PyChannel>(m, "Channel")
      .def(py::init<const std::string&>(), py::arg("spec") = "default")
      .def_property_readonly("name", &PyChannel::name)
      .def_property_readonly("usable_range", &PyChannel::usable_range)
      .def_property_readonly("input_domain", &PyChannel::input_domain)
      .def("mu", &PyChannel::mu, py::arg("x"))
      .def("sigma", &PyChannel::sigma, py::arg("x"))
      .def("premap", &PyChannel::premap, py::arg("t"))
      .def("sample", &PyChannel::sample, py::arg("x"), py::arg("seed") = 1, py::arg("address") = 0,
           py::arg("access") = 0)
      .def("capacity", &PyChannel::capacity, py::arg("bins") = 4096);
  m.attr("build_pcmsim") = PCMSIM_BUILD_EXE;
}
