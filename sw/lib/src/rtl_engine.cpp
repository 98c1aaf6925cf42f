// The rtl engine: the host program of engine.cpp over the SystemC platform
// with the Verilated controller (systemc/platform/include/pcm/platform/rtl_platform.hpp):
// the fast one by default, the pin-level reference with --rtl-platform pin.
#include <memory>
#include <stdexcept>
#include <string>

#include "pcm/platform/rtl_platform.hpp"
#include "pcm/sw/config_error.hpp"
#include "pcm/sw/engine.hpp"

namespace pcm::sw {
namespace plat = pcm::platform;

namespace {

plat::ArrayTiming timing_of(const EngineOptions& opt) {
  plat::ArrayTiming t = array_timing(opt);
  t.validate();
  return t;
}

// The Verilated variant of pcm_ctrl for opt; ConfigError naming the option
// and the variants built when there is none.
plat::RtlVariant variant_of(const EngineOptions& opt) {
  const plat::RtlVariant want{static_cast<int>(opt.lanes), static_cast<int>(opt.dac_width),
                              static_cast<int>(opt.adc_width)};
  if (opt.rtl_platform == "pin") return want;  // config validation keeps it at 4 lanes, 16 bits
  std::string lanes, triples;
  for (const plat::RtlVariant& v : plat::RtlPlatform::built_variants()) {
    if (v.lanes == want.lanes && v.dac_width == want.dac_width && v.adc_width == want.adc_width) return want;
    if (v.dac_width == want.dac_width && v.adc_width == want.adc_width) lanes += (lanes.empty() ? "" : ", ") + std::to_string(v.lanes);
    triples += (triples.empty() ? "" : " ") + std::to_string(v.lanes) + ":" + std::to_string(v.dac_width) + ":" +
               std::to_string(v.adc_width);
  }
  const std::string rebuild = "; reconfigure with -DPCMSIM_RTL_VARIANTS=\"...;" + std::to_string(want.lanes) + ":" +
                              std::to_string(want.dac_width) + ":" + std::to_string(want.adc_width) +
                              "\" and rebuild";
  if (!lanes.empty()) {
    throw ConfigError("lanes", std::to_string(want.lanes) + ": no Verilated variant built (built: " + lanes + ")" + rebuild);
  }
  throw ConfigError(want.dac_width != 16 ? "dac_width" : "adc_width",
                    "no Verilated variant with DAC width " + std::to_string(want.dac_width) + " and ADC width " +
                        std::to_string(want.adc_width) + " (built, lanes:dac:adc: " + triples + ")" + rebuild);
}

class RtlEngine final : public Engine {
 public:
  RtlEngine(const EngineOptions& opt, const ChannelSetup& channel)
      : settings_(store_settings(opt, channel.channel->reference_time())) {
    plat::RtlPlatformOptions po;
    po.kind = opt.rtl_platform == "pin" ? plat::RtlPlatformKind::kPinLevel : plat::RtlPlatformKind::kFast;
    po.variant = variant_of(opt);
    po.channel = channel.channel;
    po.timing = timing_of(opt);
    po.trace_path = opt.trace;
    po.trace_from = opt.trace_from;
    po.trace_cycles = opt.trace_cycles;
    platform_ = std::make_unique<plat::RtlPlatform>(po);
  }
  std::string name() const override { return "rtl"; }
  void begin(uint64_t seed) override {
    platform_->reset_controller();
    platform_->reset_array(seed);
  }
  TimingStats timing() const override {
    const plat::RtlPlatformStats s = platform_->stats();
    TimingStats t;
    t.cycles = s.cycles;
    t.store_cycles = phases_.store;
    t.load_cycles = phases_.load;
    t.simulated_seconds = s.simulated_seconds;
    t.array_requests = s.array.requests;
    t.array_stall_cycles = s.array.stall_cycles;
    t.bank_utilisation = s.array.mean_bank_utilisation();
    t.sim_seconds = s.wall_seconds;
    return t;
  }
  plat::RtlPlatform& platform() { return *platform_; }

 protected:
  TensorCounters store_tensor(const TensorPlan& plan, const Regions& regions, const float* w,
                              const uint8_t* sens, std::size_t n, float* out, const StoreProgress& progress) override {
    return store_through(*platform_, platform_->store(), settings_, plan, regions, w, sens, n, out, progress, &phases_);
  }

 private:
  StoreSettings settings_;
  PhaseCycles phases_;  // over every tensor and seed, like the platform's cycle count
  std::unique_ptr<plat::RtlPlatform> platform_;
};

}  // namespace

std::unique_ptr<Engine> make_rtl_engine(const EngineOptions& opt, const ChannelSetup& channel) {
  return std::make_unique<RtlEngine>(opt, channel);
}

double bare_clock_loop_cycles_per_second(Engine& rtl, uint64_t cycles) {
  auto* engine = dynamic_cast<RtlEngine*>(&rtl);
  if (engine == nullptr) throw std::logic_error("the bare clock loop needs the rtl engine");
  return engine->platform().bare_clock_loop_cycles_per_second(cycles);
}

double bare_cpp_loop_cycles_per_second(Engine& rtl, uint64_t cycles) {
  auto* engine = dynamic_cast<RtlEngine*>(&rtl);
  if (engine == nullptr) throw std::logic_error("the bare C++ loop needs the rtl engine");
  return engine->platform().bare_cpp_loop_cycles_per_second(cycles);
}

}  // namespace pcm::sw
