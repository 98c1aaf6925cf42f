#include <stdexcept>

#include "pcm/sw/engine.hpp"

namespace pcm::sw {

// Replaced by the SystemC platform engine once systemc/ builds RtlPlatform.
std::unique_ptr<Engine> make_rtl_engine(const EngineOptions&, const ChannelSetup&) {
  throw std::runtime_error("--engine rtl: this build has no SystemC platform");
}

}  // namespace pcm::sw
