// The array environment on the design's cell port: a stand-in PCM array
// (read noise keyed by seed, address and read count) behind random request
// backpressure, random response latency (1 .. 8) and response gaps, answering
// in request order and holding an offered response until it is taken.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "bench/common.hpp"
#include "bench/coverage.hpp"
#include "pcm/model/cell_array.hpp"

namespace bench {

class ArrayEnv {
 public:
  ArrayEnv(Random& rng, Coverage& cov, double sigma, uint64_t seed) : rng_(rng), cov_(cov), array_(sigma, seed) {}
  void set_sigma(double sigma) { array_.set_sigma(sigma); }

  // The array side's inputs for this cycle (draws the stalls).
  struct Drive {
    bool req_ready = true;
    bool rsp_avail = false;  // a response is due
    bool rsp_gap = false;    // ... but held back this cycle
    bool rsp_valid() const { return rsp_avail && !rsp_gap; }
  };
  Drive drive(uint64_t cycle, double stall_p);
  const std::vector<uint32_t>& front_lanes() const { return rsp_q_.front().lanes; }
  // After the clock edge: whether the response offered was taken.
  void responded(bool offered, bool taken);
  // A request the design made (fire): performed on the array, reads queued.
  void on_request(uint64_t cycle, bool write, bool digital, uint32_t addr, int count, const uint32_t* lanes,
                  int dac_bits, int adc_bits);
  bool idle() const { return rsp_q_.empty(); }
  // A response was offered last cycle and not taken: it must stay offered.
  bool holding() const { return rsp_offered_; }

 private:
  struct PendingRsp {
    uint64_t ready_at;
    std::vector<uint32_t> lanes;
  };
  Random& rng_;
  Coverage& cov_;
  pcm::model::StandInArray array_;
  std::deque<PendingRsp> rsp_q_;
  bool rsp_offered_ = false;
};

}  // namespace bench
