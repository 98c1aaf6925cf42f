// The rtl engine: the host program of engine.cpp over the SystemC platform
// with the Verilated controller (systemc/rtl_platform.hpp).
#include <memory>
#include <stdexcept>

#include "pcm/platform/rtl_platform.hpp"
#include "pcm/sw/engine.hpp"

namespace pcm::sw {
namespace plat = pcm::platform;

namespace {

plat::ArrayTiming timing_of(const EngineOptions& opt) {
  plat::ArrayTiming t = opt.array;
  t.validate();
  return t;
}

class RtlEngine final : public Engine {
 public:
  RtlEngine(const EngineOptions& opt, const ChannelSetup& channel)
      : settings_(store_settings(opt, channel.channel->reference_time())) {
    plat::RtlPlatformOptions po;
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
    return store_through(*platform_, platform_->store(), settings_, plan, regions, w, sens, n, out, progress);
  }

 private:
  StoreSettings settings_;
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

}  // namespace pcm::sw
