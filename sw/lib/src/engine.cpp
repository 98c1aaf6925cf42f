#include "pcm/sw/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "pcm/channel_model/builtin.hpp"
#include "pcm/channel_model/errors.hpp"
#include "pcm/regs/pcm_ctrl_regs.hpp"
#include "pcm/model/cell_store.hpp"
#include "pcm/model/controller_port.hpp"
#include "pcm/model/parallel.hpp"
#include "pcm/sw/compress.hpp"
#include "pcm/sw/config_error.hpp"

namespace pcm::sw {
namespace cm = pcm::channel_model;
namespace md = pcm::model;

TensorCounters& TensorCounters::operator+=(const TensorCounters& o) {
  weights_written += o.weights_written;
  weights_read += o.weights_read;
  cells_written += o.cells_written;
  cells_read += o.cells_read;
  meta_written += o.meta_written;
  meta_read += o.meta_read;
  dir_written += o.dir_written;
  dir_read += o.dir_read;
  saturated += o.saturated;
  pulses += o.pulses;
  verify_reads += o.verify_reads;
  pv_failed += o.pv_failed;
  ref_reads += o.ref_reads;
  return *this;
}

double seconds_of_time(const std::string& time, double t0) {
  if (time == "t0") return t0;
  const auto bad = [&](const std::string& why) {
    return ConfigError("time", why + ", got '" + time + "'");
  };
  const char* begin = time.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  if (end == begin) throw bad("expected t0 or a time such as 20s, 1h, 1d, 1y or seconds");
  const std::string unit(end);
  double scale = 0.0;
  if (unit.empty() || unit == "s") scale = 1.0;
  else if (unit == "m") scale = 60.0;
  else if (unit == "h") scale = 3600.0;
  else if (unit == "d") scale = 86400.0;
  else if (unit == "y") scale = 365.25 * 86400.0;
  else throw bad("unknown unit '" + unit + "' (s, m, h, d, y)");
  if (!std::isfinite(v)) throw bad("must be finite");
  if (v < 0.0) throw bad("must be >= 0 (seconds after programming)");
  if (!std::isfinite(v * scale)) throw bad("is too large");
  return v * scale;
}

ChannelSetup make_channel(const std::string& spec) {
  ChannelSetup c;
  c.name = spec;
  if (spec.rfind("awgn:", 0) == 0) {
    const std::string value = spec.substr(5);
    char* end = nullptr;
    const double std = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0') {
      throw ConfigError("channel", "'" + spec + "': expected awgn:STD with a number, e.g. awgn:0.1");
    }
    try {
      c.channel = std::make_shared<cm::AwgnChannel>(std);
    } catch (const cm::ChannelError& e) {
      throw ConfigError("channel", "'" + spec + "': " + e.what());
    }
    c.map = ChannelMap::identity();
    c.h = [](double t) { return t; };
    return c;
  }
  auto table = std::make_shared<cm::TableChannel>(cm::load_table(spec));
  auto pre = std::make_shared<cm::PreMapping>(*table);
  c.channel = table;
  c.map.t_lo = pre->branch().t_lo;
  c.map.t_hi = pre->branch().t_hi;
  for (int k = 0; k < md::kKnotCount; ++k) c.map.knots[k] = pre->h(-1.0 + k / 16.0);
  c.h = [pre](double t) { return pre->h(t); };
  return c;
}

namespace {

constexpr uint32_t kReadChunk = 1u << 16;  // weights per read request

void report(const StoreProgress& progress, uint64_t done) {
  if (progress) progress(done);
}

void write_reg(md::ControllerPort& port, uint32_t addr, uint32_t value) {
  if (!port.write_reg(addr, value).ok) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "controller refused register 0x%03x = 0x%08x", addr, value);
    throw std::runtime_error(buf);
  }
}

uint32_t read_reg(md::ControllerPort& port, uint32_t addr) {
  const md::BusResult r = port.read_reg(addr);
  if (!r.ok) throw std::runtime_error("controller refused a read of register " + std::to_string(addr));
  return r.data;
}

}  // namespace

uint32_t reference_cells(const EngineOptions& opt) {
  const bool controller = opt.engine == "rtl" || opt.engine == "model";
  return opt.store == "analog" && controller ? opt.drift_refs : 0;
}

model::ArrayTiming array_timing(const EngineOptions& opt) {
  model::ArrayTiming t = opt.array;
  t.lanes = opt.lanes;
  return t;
}

unsigned engine_threads(const EngineOptions& opt) {
  return opt.threads > 0 ? opt.threads : std::max(1u, std::thread::hardware_concurrency());
}

StoreSettings store_settings(const EngineOptions& opt, double t0) {
  StoreSettings s;
  s.verify = opt.verify;
  s.drift_refs = reference_cells(opt);
  s.load_time = seconds_of_time(opt.time, t0);
  return s;
}

TensorCounters store_through(md::ControllerPort& port, md::CellStore& cells, const StoreSettings& settings,
                             const TensorPlan& plan, const Regions& regions, const float* w, const uint8_t* sens,
                             std::size_t n, float* out, const StoreProgress& progress, PhaseCycles* phases) {
  const VerifyOptions& verify = settings.verify;
  if (n > 0xFFFFFFFFu) throw std::runtime_error("a tensor of more than 2^32 weights");
  namespace r = regs;
  uint32_t clear = 0;
  clear = r::cmd::kClearCounters.put(clear, 1);
  clear = r::cmd::kClearFlags.put(clear, 1);
  write_reg(port, r::cmd::kOffset, clear);
  for (const auto& [addr, value] : plan.registers()) write_reg(port, addr, value);
  write_reg(port, r::analog_base::kOffset, regions.analog_base);
  write_reg(port, r::meta_base::kOffset, regions.meta_base);
  write_reg(port, r::dir_base::kOffset, regions.dir_base);
  write_reg(port, r::pv_pulses::kOffset, verify.pulses);
  write_reg(port, r::pv_tol::kOffset, verify.tol);
  write_reg(port, r::pv_gain::kOffset, verify.gain);
  uint32_t comp = 0;
  if (settings.drift_refs > 0) {
    uint32_t log2 = 0;
    while ((1u << log2) < settings.drift_refs) ++log2;
    comp = r::comp::kRefLog2.put(r::comp::kEn.put(0, 1), log2);
  }
  write_reg(port, r::comp::kOffset, comp);
  write_reg(port, r::ref_base::kOffset, regions.ref_base);
  write_reg(port, r::cmd::kOffset, r::cmd::kStart.put(0, 1));
  const uint64_t store_from = port.cycles();

  // the words of one part at a time: a buffer that stays in cache, not a
  // copy of the tensor (of fresh memory, faulted in page by page)
  std::vector<uint32_t> bits(std::min<std::size_t>(n, std::max<std::size_t>(kProgressStep, kReadChunk)));
  std::vector<uint8_t> no_marks(sens == nullptr ? std::min(n, kProgressStep) : 0, 0);
  cells.set_time(0.0);
  for (std::size_t at = 0; at < n; at += kProgressStep) {
    const std::size_t count = std::min(kProgressStep, n - at);
    std::memcpy(bits.data(), w + at, count * sizeof(float));
    port.stream_weights(bits.data(), sens != nullptr ? sens + at : no_marks.data(), count, at + count == n);
    report(progress, at + count);
  }
  const uint64_t store_to = port.cycles();
  const uint32_t stored = read_reg(port, r::num_weights::kOffset);
  if (stored != n) {
    throw std::runtime_error("controller stored " + std::to_string(stored) + " of " +
                             std::to_string(n) + " weights");
  }
  cells.set_time(settings.load_time);
  const uint64_t load_from = port.cycles();
  for (std::size_t at = 0; at < n; at += kReadChunk) {
    const auto count = static_cast<uint32_t>(std::min<std::size_t>(kReadChunk, n - at));
    if (!port.read_weights(static_cast<uint32_t>(at), count, bits.data())) {
      throw std::runtime_error("controller answered an error beat reading weights " +
                               std::to_string(at) + ".." + std::to_string(at + count - 1));
    }
    std::memcpy(out + at, bits.data(), count * sizeof(float));
    report(progress, n + at + count);
  }
  if (phases != nullptr) {
    phases->store += store_to - store_from;
    phases->load += port.cycles() - load_from;
  }

  TensorCounters c;
  c.weights_written = read_reg(port, r::weights_written::kOffset);
  c.weights_read = read_reg(port, r::weights_read::kOffset);
  c.cells_written = read_reg(port, r::cells_written::kOffset);
  c.cells_read = read_reg(port, r::cells_read::kOffset);
  c.meta_written = read_reg(port, r::meta_written::kOffset);
  c.meta_read = read_reg(port, r::meta_read::kOffset);
  c.dir_written = read_reg(port, r::dir_written::kOffset);
  c.dir_read = read_reg(port, r::dir_read::kOffset);
  c.saturated = read_reg(port, r::sat_count::kOffset);
  c.pulses = read_reg(port, r::pulses::kOffset);
  c.verify_reads = read_reg(port, r::verify_reads::kOffset);
  c.pv_failed = read_reg(port, r::pv_failed::kOffset);
  c.ref_reads = read_reg(port, r::ref_reads::kOffset);
  if (c.cells_written != plan.analog_cells && plan.analog_cells < 0xFFFFFFFFu) {
    throw std::runtime_error("controller programmed " + std::to_string(c.cells_written) +
                             " analog cells, the plan has " + std::to_string(plan.analog_cells));
  }
  return c;
}

namespace {

class ModelEngine final : public Engine {
 public:
  ModelEngine(const EngineOptions& opt, const ChannelSetup& channel)
      : store_(channel.channel, 0),
        settings_(store_settings(opt, channel.channel->reference_time())),
        threads_(engine_threads(opt)),
        params_{static_cast<int>(opt.lanes), static_cast<int>(opt.dac_width), static_cast<int>(opt.adc_width)} {}
  std::string name() const override { return "model"; }
  void begin(uint64_t seed) override {
    store_.reset(seed);
    port_ = std::make_unique<md::ModelPort>(params_, store_, threads_);
  }
 protected:
  TensorCounters store_tensor(const TensorPlan& plan, const Regions& regions, const float* w,
                              const uint8_t* sens, std::size_t n, float* out, const StoreProgress& progress) override {
    if (!port_) begin(0);
    return store_through(*port_, store_, settings_, plan, regions, w, sens, n, out, progress);
  }

 private:
  md::CellStore store_;
  StoreSettings settings_;
  unsigned threads_;
  md::ControllerParams params_;  // the lanes and port widths of the rtl variant it stands for
  std::unique_ptr<md::ModelPort> port_;
};

// The paper's equations in floating point: no LUT, no DAC/ADC. The cells a
// weight uses, and so the noise it draws, are the controller's.
class IdealEngine final : public Engine {
 public:
  IdealEngine(const EngineOptions& opt, const ChannelSetup& channel)
      : channel_(channel),
        load_time_(store_settings(opt, channel.channel->reference_time()).load_time),
        threads_(engine_threads(opt)) {}
  std::string name() const override { return "ideal"; }
  void begin(uint64_t seed) override { seed_ = seed; }

 protected:
  TensorCounters store_tensor(const TensorPlan& plan, const Regions& regions, const float* w,
                              const uint8_t* sens, std::size_t n, float* out, const StoreProgress& progress) override {
    const Strategy& s = plan.strategy;
    const cm::Channel& ch = *channel_.channel;
    const bool drifting = ch.drifts_at(load_time_);
    const bool exact_reads = ch.read_is_exact_at(load_time_);
    TensorCounters c;
    uint64_t ptr = regions.analog_base;
    std::vector<uint32_t> first(std::min(n, kProgressStep));
    std::vector<uint64_t> saturated(md::block_count(first.size(), threads_));
    for (std::size_t at = 0; at < n; at += kProgressStep) {
      const std::size_t count = std::min(kProgressStep, n - at);
      // in order: each weight's first cell, as the controller allocates them
      for (std::size_t k = 0; k < count; ++k) {
        first[k] = static_cast<uint32_t>(ptr);
        const uint32_t r = plan.cells_of(w[at + k], sens != nullptr && sens[at + k] != 0);
        ptr += r;
        c.cells_written += r;
      }
      std::fill(saturated.begin(), saturated.end(), 0);
      md::parallel_blocks(count, threads_, [&](unsigned b, std::size_t begin, std::size_t end) {
        // weights in chunks; their cells' programming draws in runs (Channel::program_many)
        constexpr std::size_t kChunk = 64;
        cm::Channel::ProgramLevel level[kChunk];
        const ClassMap* class_of[kChunk];
        uint32_t cells[kChunk];
        double sum[kChunk];
        cm::Channel::ProgramLevel run_level[kChunk];
        cm::CellKey run_key[kChunk];
        std::size_t run_weight[kChunk];
        double y[kChunk];
        std::size_t run = 0;
        double nu[kChunk];
        double read[kChunk];
        auto flush = [&] {
          // the cells' life as the array lives it (cell_store.cpp): programmed
          // once, read once, each step's draws for the run together
          ch.program_many(run_level, run_key, y, run);
          if (!exact_reads) {
            if (drifting) {
              for (std::size_t q = 0; q < run; ++q) run_key[q].stream = cm::Stream::kDrift;
              ch.drift_many(run_level, run_key, nu, run);
            } else {
              std::fill(nu, nu + run, 0.0);  // read ignores nu
            }
            for (std::size_t q = 0; q < run; ++q) run_key[q].stream = cm::Stream::kRead;
            ch.read_many(y, nu, load_time_, run_key, read, run);
          }
          const double* value = exact_reads ? y : read;
          for (std::size_t q = 0; q < run; ++q) sum[run_weight[q]] += value[q];
          run = 0;
        };
        for (std::size_t k0 = begin; k0 < end; k0 += kChunk) {
          const std::size_t m = std::min(kChunk, end - k0);
          for (std::size_t j = 0; j < m; ++j) {
            const std::size_t i = at + k0 + j;
            const bool large = (s.am || s.ar) && std::fabs(w[i]) >= plan.threshold;
            const ClassMap& cls = s.am && large ? plan.large : plan.small;
            class_of[j] = &cls;
            const double mag = s.sp ? std::fabs(static_cast<double>(w[i])) : static_cast<double>(w[i]);
            double t = static_cast<double>(cls.alpha) * mag - cls.beta;
            if (t < plan.map.t_lo || t > plan.map.t_hi) ++saturated[b];
            t = std::clamp(t, plan.map.t_lo, plan.map.t_hi);
            level[j] = ch.level_of(channel_.h(t), drifting);
            cells[j] = plan.cells_of(w[i], sens != nullptr && sens[i] != 0);
            sum[j] = 0.0;
            for (uint32_t cell = 0; cell < cells[j]; ++cell) {
              run_level[run] = level[j];
              run_key[run] = cm::CellKey{seed_, first[k0 + j] + cell, 0, cm::Stream::kProgram};
              run_weight[run] = j;
              if (++run == kChunk) flush();
            }
          }
          if (run > 0) flush();
          for (std::size_t j = 0; j < m; ++j) {
            const std::size_t i = at + k0 + j;
            const ClassMap& cls = *class_of[j];
            double back = sum[j] / cells[j] + cls.beta;
            if (s.sp) back = std::max(back, 0.0);
            back /= static_cast<double>(cls.alpha);
            out[i] = static_cast<float>(s.sp && w[i] < 0.0f ? -back : back);
          }
        }
      });
      for (const uint64_t v : saturated) c.saturated += v;
      if (count == kProgressStep) report(progress, 2 * (at + count));  // written and read at once
    }
    report(progress, 2 * n);
    c.weights_written = c.weights_read = n;
    c.cells_read = c.cells_written;
    c.pulses = c.cells_written;  // one pulse per cell: the ideal engine has no verify
    if (s.sp || s.am || s.ar || s.sens) c.meta_written = c.meta_read = n;
    if (s.ar || s.sens) {
      const std::size_t block = std::size_t{1} << plan.dir_log2;
      c.dir_written = (n + block - 1) / block;
    }
    return c;
  }

 private:
  ChannelSetup channel_;
  double load_time_;
  unsigned threads_;
  uint64_t seed_ = 0;
};

// The digital baselines: the weights quantized (or kept fp32) and stored
// digitally, error-free. No controller, so no counters and no cells.
class DigitalEngine final : public Engine {
 public:
  explicit DigitalEngine(int bits) : bits_(bits) {}
  std::string name() const override { return "digital"; }
  void begin(uint64_t) override {}

 protected:
  TensorCounters store_tensor(const TensorPlan&, const Regions&, const float* w, const uint8_t*, std::size_t n,
                              float* out, const StoreProgress& progress) override {
    quantize(w, n, bits_, out);
    report(progress, 2 * n);
    return {};
  }

 private:
  int bits_;
};

}  // namespace

constexpr uint64_t kAddressSpace = uint64_t{1} << 32;

ModelLayout::ModelLayout(const Strategy& strategy, const PlanOptions& options, const ChannelMap& map,
                         uint32_t drift_refs, const model::ArrayTiming& array)
    : strategy_(strategy), options_(options), map_(map), drift_refs_(drift_refs), array_(array) {
  array_.validate();
}

PlacedTensor ModelLayout::add(const std::string& name, const float* w, const uint8_t* sens, std::size_t n) {
  PlacedTensor t;
  try {
    t.plan = plan_tensor(w, sens, n, strategy_, options_, map_);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error("parameter " + name + ": " + e.what());
  }
  t.regions = place(t.plan, n);
  return t;
}

Regions ModelLayout::place(const TensorPlan& plan, std::size_t n) {
  // half the banks away from the cells' first row; with 2 banks no bank is
  // clear of the cells' rows, and their own bank keeps reads at full rate
  const uint64_t banks = array_.banks;
  const uint64_t want_bank = (array_.bank_of_row(array_.row_of(analog_next_)) + (banks >= 3 ? banks / 2 : 0)) % banks;
  const uint64_t first_row = array_.row_of(digital_next_ + array_.lanes - 1);
  const uint64_t meta_base = (first_row + (want_bank + banks - array_.bank_of_row(first_row)) % banks) * array_.lanes;
  const uint64_t dir_entries = (n >> options_.dir_log2) + 1;
  if (analog_next_ + plan.analog_cells + drift_refs_ > kAddressSpace || meta_base + n + dir_entries > kAddressSpace) {
    throw std::runtime_error("the model needs more than 2^32 cells, the controller's address space");
  }
  Regions r;
  r.analog_base = static_cast<uint32_t>(analog_next_);
  r.meta_base = static_cast<uint32_t>(meta_base);
  r.dir_base = static_cast<uint32_t>(meta_base + n);
  r.ref_base = static_cast<uint32_t>(analog_next_ + plan.analog_cells);
  analog_next_ += plan.analog_cells + drift_refs_;
  digital_next_ = meta_base + n + dir_entries;
  return r;
}

std::unique_ptr<Engine> make_engine(const EngineOptions& opt, const ChannelSetup& channel) {
  if (opt.store == "digital") {
    if (opt.digital_bits != 32 && (opt.digital_bits < 2 || opt.digital_bits > 16)) {
      throw ConfigError("digital_bits", "must be 32 or 2 .. 16, got " + std::to_string(opt.digital_bits));
    }
    return std::make_unique<DigitalEngine>(opt.digital_bits);
  }
  if (opt.store != "analog") throw ConfigError("store", "expected analog or digital, got '" + opt.store + "'");
  if (opt.engine == "model") return std::make_unique<ModelEngine>(opt, channel);
  if (opt.engine == "ideal") return std::make_unique<IdealEngine>(opt, channel);
  if (opt.engine == "rtl") return make_rtl_engine(opt, channel);
  throw ConfigError("engine", "expected rtl, model or ideal, got '" + opt.engine + "'");
}

}  // namespace pcm::sw
