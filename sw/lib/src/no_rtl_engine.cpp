// Built instead of rtl_engine.cpp when configure found no Verilator or SystemC.
#include <stdexcept>

#include "pcm/sw/config_error.hpp"
#include "pcm/sw/engine.hpp"

namespace pcm::sw {
namespace {
constexpr const char* kMissing =
    "rtl: this pcmsim was built without the SystemC platform (Verilator or SystemC were "
    "not found at configure time; scripts/install_deps.sh installs them)";
}

std::unique_ptr<Engine> make_rtl_engine(const EngineOptions&, const ChannelSetup&) {
  throw ConfigError("engine", kMissing);
}

double bare_clock_loop_cycles_per_second(Engine&, uint64_t) { throw std::runtime_error(kMissing); }
double bare_cpp_loop_cycles_per_second(Engine&, uint64_t) { throw std::runtime_error(kMissing); }

}  // namespace pcm::sw
