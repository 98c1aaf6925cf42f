// The platform's FST trace option: a waveform file appears and has content.
// A program of its own, since a process holds one platform.

#include <systemc>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "pcm/platform/rtl_platform.hpp"
#include "platform_test_util.hpp"

namespace {

using namespace pcm::platform_test;

TEST(RtlPlatformTrace, WritesAnFstWaveformOfTheController) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("pcm_rtl_platform_trace_" + std::to_string(::getpid()) + ".fst");
  {
    pcm::platform::RtlPlatformOptions opt;
    opt.trace_path = path.string();
    pcm::platform::RtlPlatform p(opt);
    TensorConfig cfg;
    program(p, cfg);
    const Tensor t = random_tensor(50, cfg.wmax, 1, false);
    p.write_weights(t.bits.data(), t.sens.data(), t.bits.size());
    std::vector<uint32_t> out(t.bits.size());
    EXPECT_TRUE(p.read_weights(0, static_cast<uint32_t>(out.size()), out.data()));
  }  // the destructor closes the file
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  EXPECT_GT(std::filesystem::file_size(path), 1000u);
  std::filesystem::remove(path);
}

}  // namespace
