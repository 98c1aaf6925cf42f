// Speed of the rtl engine: write and read back N weights through RtlPlatform
// and report simulated cycles and weights per wall second, beside the bare
// Verilated-SystemC clock loop. An ordinary main(), as host programs have
// (no sc_main): this is also the check that such programs link and run.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "pcm/channel_model/channel.hpp"
#include "pcm/platform/rtl_platform.hpp"
#include "platform_test_util.hpp"

namespace {

[[noreturn]] void usage(const std::string& msg) {
  std::fprintf(stderr, "rtl_platform_speed: error: %s\n", msg.c_str());
  std::fprintf(stderr,
               "usage: rtl_platform_speed [--weights N] [--cells R] [--ctrl C] [--analog-base A] [--meta-base M] [--banks B] [--write-latency L] "
               "[--read-latency L] [--bare CYCLES] [--platform fast|pin] [--lanes L] [--dac-width D] [--adc-width A]\n");
  std::exit(2);
}

uint64_t number(const char* s, const std::string& what) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s || *end != '\0') usage(what + " needs a non-negative integer, got '" + s + "'");
  return v;
}

void report(const char* what, const pcm::platform::RtlPlatformStats& s, uint64_t weights) {
  std::printf("%-6s %9llu weights  %10llu cycles  %6.3f s wall  %9.0f cycles/s  %9.0f weights/s  "
              "%.3f weights/cycle  stalls %llu  bank use %.2f\n",
              what, static_cast<unsigned long long>(weights), static_cast<unsigned long long>(s.cycles),
              s.wall_seconds, s.cycles_per_second(), static_cast<double>(weights) / s.wall_seconds,
              static_cast<double>(weights) / static_cast<double>(s.cycles),
              static_cast<unsigned long long>(s.array.stall_cycles), s.array.mean_bank_utilisation());
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t n = 100000, cells = 1, ctrl = 0, bare = 1'000'000;
  std::optional<uint64_t> analog_base, meta_base;
  pcm::platform::RtlPlatformOptions opt;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage(a + " needs a value");
    const char* v = argv[++i];
    if (a == "--weights") n = number(v, a);
    else if (a == "--cells") cells = number(v, a);
    else if (a == "--ctrl") ctrl = number(v, a);
    else if (a == "--analog-base") analog_base = number(v, a);
    else if (a == "--meta-base") meta_base = number(v, a);
    else if (a == "--banks") opt.timing.banks = static_cast<uint32_t>(number(v, a));
    else if (a == "--write-latency") opt.timing.write_latency = static_cast<uint32_t>(number(v, a));
    else if (a == "--read-latency") opt.timing.read_latency = static_cast<uint32_t>(number(v, a));
    else if (a == "--bare") bare = number(v, a);
    // the Verilated variant (the build's PGO training runs each one)
    else if (a == "--lanes") opt.variant.lanes = static_cast<int>(std::min<uint64_t>(number(v, a), 64));
    else if (a == "--dac-width") opt.variant.dac_width = static_cast<int>(std::min<uint64_t>(number(v, a), 64));
    else if (a == "--adc-width") opt.variant.adc_width = static_cast<int>(std::min<uint64_t>(number(v, a), 64));
    else if (a == "--platform" && (std::string(v) == "fast" || std::string(v) == "pin"))
      opt.kind = std::string(v) == "pin" ? pcm::platform::RtlPlatformKind::kPinLevel : pcm::platform::RtlPlatformKind::kFast;
    else usage("unknown option '" + a + "'");
  }
  if (n == 0 || n > 0xFFFF'FFFFu) usage("--weights must be 1 .. 2^32-1");
  if (ctrl > 15) usage("--ctrl must be 0 .. 15 (SP | AM << 1 | AR << 2 | SENS << 3)");
  if (analog_base.value_or(0) > 0xFFFF'FFFFu || meta_base.value_or(0) > 0xFFFF'FFFFu) {
    usage("--analog-base and --meta-base must be 0 .. 2^32-1");
  }
  try {
    using namespace pcm::platform_test;
    opt.channel = std::make_shared<const pcm::channel_model::AwgnChannel>(0.1);
    opt.seed = 1;
    pcm::platform::RtlPlatform p(opt);
    TensorConfig cfg;
    cfg.cells_small = static_cast<uint32_t>(cells);
    cfg.cells_large = static_cast<uint32_t>(cells);
    cfg.ctrl = static_cast<uint32_t>(ctrl);
    cfg.dac_bits = static_cast<uint32_t>(std::min(opt.variant.dac_width, 16));
    cfg.adc_bits = static_cast<uint32_t>(std::min(opt.variant.adc_width, 16));
    if (analog_base) cfg.analog_base = static_cast<uint32_t>(*analog_base);
    if (meta_base) cfg.meta_base = static_cast<uint32_t>(*meta_base);
    for (bool ok : program(p, cfg)) {
      if (!ok) throw std::runtime_error("a register write was refused (--cells " + std::to_string(cells) + "?)");
    }
    const Tensor t = random_tensor(n, cfg.wmax, 1, false);
    std::printf("rtl engine, %s, %llu cell(s) per weight\n", p.timing().to_string().c_str(),
                static_cast<unsigned long long>(cells));
    p.clear_stats();
    p.write_weights(t.bits.data(), t.sens.data(), t.bits.size());
    report("write", p.stats(), n);
    std::vector<uint32_t> out(n);
    p.clear_stats();
    if (!p.read_weights(0, static_cast<uint32_t>(n), out.data())) throw std::runtime_error("read refused");
    report("read", p.stats(), n);
    if (bare > 0) {
      std::printf("bare   Verilated-SystemC clock loop (idle pcm_ctrl + clock): %.0f cycles/s\n",
                  p.bare_clock_loop_cycles_per_second(bare));
      std::printf("bare   Verilated C++ loop (idle pcm_ctrl, eval() per edge): %.0f cycles/s\n",
                  p.bare_cpp_loop_cycles_per_second(bare));
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rtl_platform_speed: error: %s\n", e.what());
    return 1;
  }
}
