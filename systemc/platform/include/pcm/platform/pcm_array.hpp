#pragma once

// The PCM array on the controller's cell port, as a cycle-based SystemC
// module: storage and noise from a CellStore (the same cells the functional
// model sees), timing from an ArrayTiming (banks, latencies, response queue).
// rtl/README.md "Interfaces" has the port protocol; array_timing.hpp the
// timing model.

#include <systemc>

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

class PcmArray final : public sc_core::sc_module {
 public:
  // Lanes of the cell port: the controller's NumLanes (32 bits each).
  static constexpr int kPortLanes = 4;
  using LaneBits = sc_dt::sc_bv<kPortLanes * 32>;

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
    uint32_t lanes[kPortLanes] = {};  // DAC codes written or ADC codes read
    uint64_t requests = 0;   // ArrayStats::requests
    uint64_t stall_cycles = 0;
  };
  // Called at the end of every clock edge; empty (the default): nothing is
  // computed for it.
  void observe(std::function<void(const View&)> observer) { observer_ = std::move(observer); }

  sc_core::sc_in<bool> clk_i;
  // request channel (from the controller's cell_req_*_o)
  sc_core::sc_in<bool> req_valid_i;
  sc_core::sc_out<bool> req_ready_o;
  sc_core::sc_in<bool> req_write_i;
  sc_core::sc_in<bool> req_digital_i;
  sc_core::sc_in<uint32_t> req_addr_i;
  sc_core::sc_in<uint32_t> req_count_i;
  sc_core::sc_in<LaneBits> req_wdata_i;
  // response channel (to the controller's cell_rsp_*_i)
  sc_core::sc_out<bool> rsp_valid_o;
  sc_core::sc_in<bool> rsp_ready_i;
  sc_core::sc_out<LaneBits> rsp_rdata_o;
  // converter resolutions (cell_dac_bits_o, cell_adc_bits_o)
  sc_core::sc_in<uint32_t> dac_bits_i;
  sc_core::sc_in<uint32_t> adc_bits_i;

  SC_HAS_PROCESS(PcmArray);
  // Throws std::invalid_argument when the timing is out of range.
  PcmArray(const sc_core::sc_module_name& name, CellStore& store, const ArrayTiming& timing = {});

  // Between runs (outside sc_start, or while the array is idle): new timing,
  // validated; banks that are still busy stay busy for their old latency.
  void set_timing(const ArrayTiming& timing);
  const ArrayTiming& timing() const { return timing_; }

  // The cells behind the port (e.g. a store with another channel).
  void attach(CellStore& store) { store_ = &store; }
  CellStore& store() { return *store_; }

  // No read waiting for its response.
  bool idle() const { return rsp_q_.empty(); }

  const ArrayStats& stats() const { return stats_; }
  void clear_stats();

 private:
  struct Response {
    uint64_t ready_at;  // first cycle the data may be offered
    uint32_t lanes[kPortLanes];
  };
  // Rows touched by a request: bank and how many rows of the request it holds.
  struct Touch {
    uint32_t bank;
    uint32_t rows;
  };

  void on_clock();      // posedge: handshakes of the cycle that ends, then outputs of the next
  void update_ready();  // ready for the request on the port now
  int touched_banks(uint32_t addr, uint32_t count, Touch* out) const;
  bool can_accept(uint32_t addr, uint32_t count, bool write) const;
  void accept(uint32_t addr, uint32_t count, bool write, bool digital);
  void drive_response();
  void report_view(bool stall);  // fills the rest of view_ and calls the observer

  CellStore* store_;
  ArrayTiming timing_;
  ArrayStats stats_;
  uint64_t now_ = 0;                 // the current cycle
  std::vector<uint64_t> free_at_;    // per bank: first cycle it may accept again
  std::deque<Response> rsp_q_;
  bool rsp_offered_ = false;         // rsp_valid_o as driven for this cycle
  bool front_driven_ = false;        // rsp_rdata_o holds the queue front's data
  sc_core::sc_event state_changed_;  // re-evaluate ready after the clock
  std::function<void(const View&)> observer_;
  View view_;                        // filled while an observer is set
};

}  // namespace pcm::platform
