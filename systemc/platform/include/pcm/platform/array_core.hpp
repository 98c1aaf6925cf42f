#pragma once

// The PCM array's cycle behaviour on the controller's cell port, in plain
// C++: banks, latencies, the response queue, the CellStore behind it. Both
// rtl platforms use it (PcmArray, the pin-level SystemC module, and the fast
// platform's clock loop), so their arrays cannot diverge: same acceptance,
// same response timing, same counters.
//
// One clock edge is one edge() call with the port's values in the cycle that
// ends there; between edges ready() answers whether the request now on the
// port would be accepted, and rsp_valid() / rsp_data() are what the array
// drives in the cycle that starts.

#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "pcm/model/array_timing.hpp"
#include "pcm/model/cell_store.hpp"

namespace pcm::platform {

using model::ArrayStats;
using model::ArrayTiming;
using model::CellStore;

class ArrayCore {
 public:
  // The widest cell port any Verilated variant has (pcm_ctrl's NumLanes).
  static constexpr int kMaxLanes = 8;

  // What the array did at one clock edge and its state in the cycle that
  // starts there: what the waveform's array probe shows.
  struct View {
    uint64_t bank_busy = 0;  // bit b: bank b (< 64) busy
    uint32_t busy_banks = 0; // banks busy, all of them
    uint32_t rsp_queue = 0;  // reads accepted, not yet answered
    bool stall = false;      // a request waited in the cycle that ended
    bool rsp_offered = false;
    bool accepted = false;   // a request was accepted at this edge:
    bool write = false;
    bool digital = false;
    uint32_t addr = 0;
    uint32_t count = 0;
    uint64_t banks = 0;      // bit b: the request occupies bank b (< 64)
    uint32_t busy = 0;       // cycles the longest-held bank stays busy
    uint32_t lanes[kMaxLanes] = {};  // DAC codes written or ADC codes read
    uint64_t requests = 0;   // ArrayStats::requests
    uint64_t stall_cycles = 0;
  };

  // The cell port in the cycle that ends at an edge (the controller's outputs
  // and the array's own ready).
  struct Port {
    bool req_valid = false;
    bool req_ready = false;
    bool req_write = false;
    bool req_digital = false;
    uint32_t req_addr = 0;
    uint32_t req_count = 0;
    const uint32_t* wdata = nullptr;  // req_count lanes; read only when the request is accepted
    bool rsp_ready = false;
    int dac_bits = 0;  // cell_dac_bits_o, cell_adc_bits_o
    int adc_bits = 0;
  };

  // What changed at the edge, for a wrapper that drives pins.
  struct Edge {
    bool rsp_taken = false;  // the controller took the offered response
    bool rdata_new = false;  // rsp_data() holds a new response's data
  };

  // port_lanes: the controller's NumLanes (1 .. kMaxLanes). Throws
  // std::invalid_argument for a bad lane count or timing.
  ArrayCore(CellStore& store, const ArrayTiming& timing, int port_lanes);

  int port_lanes() const { return port_lanes_; }

  // New timing, validated; banks that are still busy stay busy for their old latency.
  void set_timing(const ArrayTiming& timing);
  const ArrayTiming& timing() const { return timing_; }

  void attach(CellStore& store) { store_ = &store; }
  CellStore& store() { return *store_; }

  // Whether a request (addr, count, write) on the port now would be accepted.
  bool ready(uint32_t addr, uint32_t count, bool write) const;

  // One rising clock edge. Throws std::runtime_error when an accepted request
  // has a lane count outside 1 .. port_lanes().
  Edge edge(const Port& port);

  bool rsp_valid() const { return rsp_offered_; }
  // port_lanes() words: the front response's data, or the last one driven.
  const uint32_t* rsp_data() const { return rdata_; }

  // No read waiting for its response.
  bool idle() const { return rsp_q_.empty(); }

  const ArrayStats& stats() const { return stats_; }
  void clear_stats();

  // Called at the end of every edge; empty (the default): nothing is computed for it.
  void observe(std::function<void(const View&)> observer) { observer_ = std::move(observer); }

 private:
  struct Response {
    uint64_t ready_at;  // first cycle the data may be offered
    uint32_t lanes[kMaxLanes];
  };
  // Rows touched by a request: bank and how many rows of the request it holds.
  struct Touch {
    uint32_t bank;
    uint32_t rows;
  };

  int touched_banks(uint32_t addr, uint32_t count, Touch* out) const;
  void accept(const Port& p);
  void drive_response(Edge& e);
  void report_view(bool stall);

  CellStore* store_;
  ArrayTiming timing_;
  int port_lanes_;
  ArrayStats stats_;
  uint64_t now_ = 0;               // the current cycle
  std::vector<uint64_t> free_at_;  // per bank: first cycle it may accept again
  std::deque<Response> rsp_q_;
  bool rsp_offered_ = false;       // rsp_valid as driven for this cycle
  bool front_driven_ = false;      // rdata_ holds the queue front's data
  uint32_t rdata_[kMaxLanes] = {};
  std::function<void(const View&)> observer_;
  View view_;                      // filled while an observer is set
};

}  // namespace pcm::platform
