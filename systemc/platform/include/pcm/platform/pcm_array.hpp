#pragma once

// The PCM array on the controller's cell port, as a cycle-based SystemC
// module with pins: the SystemC face of ArrayCore (array_core.hpp), which
// holds the timing (banks, latencies, response queue) and the CellStore (the
// same cells the functional model sees).
// rtl/README.md "Interfaces" has the port protocol; array_timing.hpp the
// timing model.

#include <systemc>

#include <cstdint>
#include <functional>

#include "pcm/platform/array_core.hpp"

namespace pcm::platform {

using model::ArrayStats;
using model::ArrayTiming;
using model::CellStore;

class PcmArray final : public sc_core::sc_module {
 public:
  // Lanes of the cell port: the pin-level platform's pcm_ctrl has NumLanes 4 (32 bits each).
  static constexpr int kPortLanes = 4;
  using LaneBits = sc_dt::sc_bv<kPortLanes * 32>;
  using View = ArrayCore::View;

  // Called at the end of every clock edge; empty (the default): nothing is
  // computed for it.
  void observe(std::function<void(const View&)> observer) { core_.observe(std::move(observer)); }

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
  void set_timing(const ArrayTiming& timing) { core_.set_timing(timing); }
  const ArrayTiming& timing() const { return core_.timing(); }

  // The cells behind the port (e.g. a store with another channel).
  void attach(CellStore& store) { core_.attach(store); }
  CellStore& store() { return core_.store(); }

  // No read waiting for its response.
  bool idle() const { return core_.idle(); }

  const ArrayStats& stats() const { return core_.stats(); }
  void clear_stats() { core_.clear_stats(); }

 private:
  void on_clock();      // posedge: handshakes of the cycle that ends, then outputs of the next
  void update_ready();  // ready for the request on the port now

  ArrayCore core_;                   // the cycle behaviour, shared with the fast platform
  bool rsp_offered_ = false;         // rsp_valid_o as driven for this cycle
  sc_core::sc_event state_changed_;  // re-evaluate ready after the clock
};

}  // namespace pcm::platform
