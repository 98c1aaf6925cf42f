// A design that stops handshaking: the call throws one line naming the
// stuck interface, and the platform refuses every later call. A program of
// its own, since a process holds one platform. The "hang" is an array far
// slower than a tiny watchdog allows.

#include <systemc>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pcm/regs/pcm_ctrl_regs.hpp"
#include "pcm/platform/rtl_platform.hpp"

namespace {

TEST(RtlPlatformWatchdog, AStuckStreamIsAOneLineErrorAndTheLastCall) {
  pcm::platform::RtlPlatformOptions opt;
  opt.watchdog_cycles = 16;
  opt.timing.banks = 1;
  opt.timing.write_latency = 1000;
  pcm::platform::RtlPlatform p(opt);
  EXPECT_TRUE(p.write_reg(pcm::regs::cells_small::kOffset, 1).ok);
  const std::vector<uint32_t> w(64, 0x3E000000u);  // 0.125
  try {
    p.write_weights(w.data(), nullptr, w.size());
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("weight stream: no handshake for 16 clock cycles"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
  try {
    p.read_reg(pcm::regs::status::kOffset);
    FAIL() << "the platform went on after a hang";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unusable after an earlier failure"), std::string::npos) << e.what();
  }
}

}  // namespace
