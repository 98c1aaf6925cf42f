#include "bench/array_env.hpp"

#include <algorithm>

namespace bench {

ArrayEnv::Drive ArrayEnv::drive(uint64_t cycle, double stall_p) {
  Drive d;
  d.req_ready = !rng_.chance(stall_p);
  // a response once offered stays offered until taken (valid/ready rule)
  d.rsp_avail = !rsp_q_.empty() && rsp_q_.front().ready_at <= cycle;
  d.rsp_gap = !rsp_offered_ && rng_.chance(stall_p);
  return d;
}

void ArrayEnv::responded(bool offered, bool taken) {
  rsp_offered_ = offered && !taken;
  if (taken) rsp_q_.pop_front();
}

void ArrayEnv::on_request(uint64_t cycle, bool write, bool digital, uint32_t addr, int count, const uint32_t* lanes,
                          int dac_bits, int adc_bits) {
  PendingRsp rsp{0, std::vector<uint32_t>(kLanes, 0)};
  for (int l = 0; l < count; ++l) {
    const uint32_t a = addr + static_cast<uint32_t>(l);
    if (write && digital) array_.write_digital(a, lanes[l]);
    if (write && !digital) array_.write_analog(a, static_cast<int32_t>(lanes[l]), dac_bits);
    if (!write && digital) rsp.lanes[l] = array_.read_digital(a);
    if (!write && !digital) rsp.lanes[l] = static_cast<uint32_t>(array_.read_analog(a, adc_bits));
  }
  if (!write) {
    const int latency = rng_.chance(0.3) ? rng_.uni(2, 8) : 1;
    if (latency > 1) cov_.hit("stall cell response latency > 1");
    const uint64_t after = rsp_q_.empty() ? 0 : rsp_q_.back().ready_at;
    rsp.ready_at = std::max(cycle + static_cast<uint64_t>(latency), after);
    rsp_q_.push_back(std::move(rsp));
  }
}

}  // namespace bench
