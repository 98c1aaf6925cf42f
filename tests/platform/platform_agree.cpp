// Stores and loads a whole model (16 tensors, one per strategy combination,
// with varied cell counts, bases, resolutions and sizes) through one rtl
// platform and writes everything observable to a file: every weight read
// back, every readable register after each tensor (the controller's
// counters), and the platform's statistics (cycles, transactions, APB
// transfers, array requests, stalls, bank busy cycles). The ctests run it
// with --platform fast and --platform pin and compare the files byte for
// byte (compare_platforms.cmake); with --model it also checks the weights
// and registers against the functional model with the same lanes in the
// same process. Prints "cycles N" (the store-and-load cycles).
//
//   rtl_platform_agree --platform fast|pin [--lanes N] [--weights N] [--out FILE] [--trace FILE.fst] [--model]

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "pcm/channel_model/channel.hpp"
#include "pcm/model/cell_store.hpp"
#include "pcm/model/controller_port.hpp"
#include "pcm/platform/rtl_platform.hpp"
#include "platform_test_util.hpp"

namespace {

using namespace pcm::platform_test;
using pcm::channel_model::AwgnChannel;
using pcm::model::CellStore;
using pcm::model::ControllerParams;
using pcm::model::ModelPort;
using pcm::platform::RtlPlatform;
using pcm::platform::RtlPlatformKind;
using pcm::platform::RtlPlatformOptions;

std::vector<TensorConfig> model_configs() {
  std::vector<TensorConfig> cfgs;
  for (uint32_t ctrl = 0; ctrl < 16; ++ctrl) cfgs.push_back(varied_config(ctrl));
  return cfgs;
}

// One tensor as the host library stores it: program, stream, read back in
// chunks, then every readable register. Appends what it saw to `log`.
void store_and_load(ControllerPort& port, const TensorConfig& cfg, const Tensor& t, std::vector<uint32_t>& log) {
  for (bool ok : program(port, cfg)) log.push_back(ok);
  port.write_weights(t.bits.data(), t.sens.data(), t.bits.size());
  const auto n = static_cast<uint32_t>(t.bits.size());
  std::vector<uint32_t> back(n, 0xDEADBEEFu);
  constexpr uint32_t kChunk = 1000;
  for (uint32_t i = 0; i < n; i += kChunk) log.push_back(port.read_weights(i, std::min(kChunk, n - i), back.data() + i));
  log.insert(log.end(), back.begin(), back.end());
  for (uint32_t addr : readable_registers()) {
    const BusResult r = port.read_reg(addr);
    log.push_back(r.ok);
    log.push_back(r.data);
  }
}

int usage(const char* msg) {
  std::fprintf(stderr, "rtl_platform_agree: %s\nusage: rtl_platform_agree --platform fast|pin [--lanes N] "
               "[--weights N] [--out FILE] [--trace FILE.fst] [--model]\n", msg);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  RtlPlatformOptions opt;
  std::string out_path;
  std::size_t weights = 3000;
  bool against_model = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--platform" && has_value) {
      const std::string k = argv[++i];
      if (k == "fast") opt.kind = RtlPlatformKind::kFast;
      else if (k == "pin") opt.kind = RtlPlatformKind::kPinLevel;
      else return usage(("--platform " + k + ": fast or pin").c_str());
    } else if (a == "--lanes" && has_value) {
      opt.variant.lanes = std::atoi(argv[++i]);
    } else if (a == "--weights" && has_value) {
      weights = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--out" && has_value) {
      out_path = argv[++i];
    } else if (a == "--trace" && has_value) {
      opt.trace_path = argv[++i];
    } else if (a == "--model") {
      against_model = true;
    } else {
      return usage(("unknown argument " + a).c_str());
    }
  }
  const auto channel = std::make_shared<const AwgnChannel>(0.1);
  opt.channel = channel;
  opt.seed = 7;
  opt.timing.lanes = static_cast<uint32_t>(opt.variant.lanes);  // a row is one port access
  try {
    RtlPlatform rtl(opt);
    std::vector<uint32_t> log;
    const std::vector<TensorConfig> cfgs = model_configs();
    std::vector<Tensor> tensors;
    for (std::size_t k = 0; k < cfgs.size(); ++k) tensors.push_back(random_tensor(weights + 37 * k, cfgs[k].wmax, 100 + k));
    for (std::size_t k = 0; k < cfgs.size(); ++k) store_and_load(rtl, cfgs[k], tensors[k], log);
    const auto s = rtl.stats();
    std::printf("cycles %llu\n", static_cast<unsigned long long>(s.cycles));

    if (!out_path.empty()) {
      std::ofstream f(out_path);
      f << "cycles " << s.cycles << "\ntransactions " << s.transactions << "\napb " << s.apb_transfers << ' '
        << s.apb_errors << "\nweights " << s.weights_written << ' ' << s.weights_read << "\narray "
        << s.array.cycles << ' ' << s.array.requests << ' ' << s.array.write_requests << ' ' << s.array.read_requests
        << ' ' << s.array.analog_cells_written << ' ' << s.array.analog_cells_read << ' '
        << s.array.digital_words_written << ' ' << s.array.digital_words_read << ' ' << s.array.stall_cycles << ' '
        << s.array.rsp_wait_cycles << "\nbank_busy";
      for (uint64_t b : s.array.bank_busy_cycles) f << ' ' << b;
      f << "\nlog " << log.size() << '\n';
      for (uint32_t v : log) f << v << '\n';
      if (!f) {
        std::fprintf(stderr, "rtl_platform_agree: cannot write '%s'\n", out_path.c_str());
        return 1;
      }
    }

    if (against_model) {
      CellStore store(channel, opt.seed);
      ModelPort model(ControllerParams{opt.variant.lanes, opt.variant.dac_width, opt.variant.adc_width}, store);
      std::vector<uint32_t> mlog;
      for (std::size_t k = 0; k < cfgs.size(); ++k) store_and_load(model, cfgs[k], tensors[k], mlog);
      if (mlog != log) {
        std::size_t i = 0;
        while (i < log.size() && i < mlog.size() && log[i] == mlog[i]) ++i;
        std::fprintf(stderr, "rtl_platform_agree: rtl and model differ at log entry %zu of %zu / %zu\n", i,
                     log.size(), mlog.size());
        return 1;
      }
      std::printf("model: identical (%zu values)\n", log.size());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rtl_platform_agree: %s\n", e.what());
    return 1;
  }
  return 0;
}
