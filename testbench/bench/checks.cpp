// The end-of-phase checks: the noiseless round trip in LSB mode, a read of
// every register (the monitor compares each with the reference), leftovers.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "bench/bench.hpp"
#include "pcm/model/codec.hpp"
#include "pcm/regs/pcm_ctrl_regs.hpp"

namespace bench {
namespace regs = pcm::regs;

// Noiseless identity path at 16 bits: every non-saturated weight comes back
// within one DAC/ADC step of its class's range.
void Bench::check_lsb() {
  const pcm::model::CodecConfig& cfg = ref_.codec();
  const std::vector<uint32_t>& read = sb_.read_log();
  for (size_t i = 0; i < written_.size() && i < read.size(); ++i) {
    if (written_[i].saturated) continue;
    const float w = b2f(written_[i].bits);
    const auto enc = pcm::model::encode(cfg, written_[i].bits, false);
    const bool map_large = cfg.am && ((enc.meta >> pcm::model::kMetaLargeBit) & 1u);
    const double alpha = map_large ? cfg_.alpha_l : cfg_.alpha_s;
    const double lsb = std::ldexp(1.0, -(cfg.dac_bits - 1)) / alpha;
    const double err = std::fabs(static_cast<double>(b2f(read[i])) - w) / lsb;
    max_lsb_err_ = std::max(max_lsb_err_, err);
    ++lsb_checked_;
    if (err > 1.0) {
      ++lsb_fail_;
      if (lsb_fail_ <= 5) {
        std::printf("round trip over 1 LSB: strategy %s w=%.9g read %.9g (%.3f LSB)\n", kStrategyNames[cfg_.ctrl], w,
                    b2f(read[i]), err);
      }
    }
  }
}

void Bench::check_registers() {
  for (const auto& info : regs::kRegisters) {
    for (uint32_t e = 0; e < info.entries; ++e) {
      if (info.access != regs::Access::kWriteOnly) apb(info.offset + 4 * e, false);
    }
  }
}

void Bench::finish() {
  wait_idle();
  for (int i = 0; i < 20; ++i) tick();
  if (!sb_.nothing_expected()) sb_.fail(std::to_string(sb_.expected_left()) + " expected read beats never came");
  if (!array_.idle()) sb_.fail("cell responses left unconsumed");
}

}  // namespace bench
