#include "pcm/platform/pcm_array.hpp"

#include <stdexcept>
#include <string>

namespace pcm::platform {

PcmArray::PcmArray(const sc_core::sc_module_name& name, CellStore& store, const ArrayTiming& timing)
    : sc_module(name),
      clk_i("clk_i"),
      req_valid_i("req_valid_i"),
      req_ready_o("req_ready_o"),
      req_write_i("req_write_i"),
      req_digital_i("req_digital_i"),
      req_addr_i("req_addr_i"),
      req_count_i("req_count_i"),
      req_wdata_i("req_wdata_i"),
      rsp_valid_o("rsp_valid_o"),
      rsp_ready_i("rsp_ready_i"),
      rsp_rdata_o("rsp_rdata_o"),
      dac_bits_i("dac_bits_i"),
      adc_bits_i("adc_bits_i"),
      core_(store, timing, kPortLanes) {
  SC_METHOD(on_clock);
  sensitive << clk_i.pos();
  dont_initialize();

  SC_METHOD(update_ready);
  sensitive << req_valid_i << req_addr_i << req_count_i << req_write_i << state_changed_;
  dont_initialize();
}

void PcmArray::update_ready() {
  if (!req_valid_i.read()) return;  // ready matters only with a request on the port
  req_ready_o.write(core_.ready(req_addr_i.read(), req_count_i.read(), req_write_i.read()));
}

void PcmArray::on_clock() {
  // The handshakes of the cycle that ends at this edge: every signal still
  // holds its value from that cycle (SystemC updates them after this delta).
  ArrayCore::Port p;
  p.req_valid = req_valid_i.read();
  p.req_ready = req_ready_o.read();
  uint32_t wdata[kPortLanes] = {};
  if (p.req_valid && p.req_ready) {
    p.req_write = req_write_i.read();
    p.req_digital = req_digital_i.read();
    p.req_addr = req_addr_i.read();
    p.req_count = req_count_i.read();
    const LaneBits& bits = req_wdata_i.read();
    for (int l = 0; l < kPortLanes; ++l) wdata[l] = bits.get_word(l);
    p.wdata = wdata;
    p.dac_bits = static_cast<int>(dac_bits_i.read());
    p.adc_bits = static_cast<int>(adc_bits_i.read());
  }
  p.rsp_ready = rsp_ready_i.read();
  ArrayCore::Edge e;
  try {
    e = core_.edge(p);
  } catch (const std::runtime_error& err) {
    SC_REPORT_ERROR(name(), err.what());
    return;
  }
  if (e.rdata_new) {
    LaneBits bits;
    for (int l = 0; l < kPortLanes; ++l) bits.set_word(l, core_.rsp_data()[l]);
    rsp_rdata_o.write(bits);
  }
  if (core_.rsp_valid() != rsp_offered_) {
    rsp_offered_ = core_.rsp_valid();
    rsp_valid_o.write(rsp_offered_);
  }
  // a request on the port may become acceptable (or not) in the new cycle
  if (p.req_valid || e.rsp_taken) state_changed_.notify(sc_core::SC_ZERO_TIME);
}

}  // namespace pcm::platform
