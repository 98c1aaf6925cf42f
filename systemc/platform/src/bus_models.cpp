#include "pcm/platform/bus_models.hpp"

#include "payload_rules.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

namespace pcm::platform {
namespace {

// Waits out the initiator's annotated delay: from here on the pins move in
// simulated time and the transaction returns with nothing left to annotate.
void sync(sc_core::sc_time& delay) {
  if (delay > sc_core::SC_ZERO_TIME) sc_core::wait(delay);
  delay = sc_core::SC_ZERO_TIME;
}

[[noreturn]] void hung(const sc_core::sc_module& m, const char* what, uint64_t cycles) {
  const std::string msg = std::string(what) + ": no handshake for " + std::to_string(cycles) +
                          " clock cycles, the design hangs";
  SC_REPORT_ERROR(m.name(), msg.c_str());
  // SC_REPORT_ERROR throws with the default actions; a handler that does not must not fall through
  throw std::runtime_error(std::string(m.name()) + ": " + msg);
}

}  // namespace

// ------------------------------------------------------------------ APB
ApbBridge::ApbBridge(const sc_core::sc_module_name& name, uint64_t watchdog_cycles)
    : sc_module(name),
      socket("socket"),
      clk_i("clk_i"),
      psel_o("psel_o"),
      penable_o("penable_o"),
      pwrite_o("pwrite_o"),
      paddr_o("paddr_o"),
      pwdata_o("pwdata_o"),
      prdata_i("prdata_i"),
      pready_i("pready_i"),
      pslverr_i("pslverr_i"),
      watchdog_cycles_(watchdog_cycles) {
  socket.register_b_transport(this, &ApbBridge::b_transport);
}

void ApbBridge::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  sync(delay);
  if (!detail::accept_apb(gp)) return;
  const bool write = gp.is_write();
  uint32_t wdata = 0;
  if (write) std::memcpy(&wdata, gp.get_data_ptr(), 4);

  // setup phase
  psel_o.write(true);
  penable_o.write(false);
  pwrite_o.write(write);
  paddr_o.write(static_cast<uint32_t>(gp.get_address()));
  pwdata_o.write(wdata);
  sc_core::wait(clk_i.posedge_event());
  // access phase, until the completer is ready
  penable_o.write(true);
  uint64_t waited = 0;
  do {
    sc_core::wait(clk_i.posedge_event());
    if (++waited > watchdog_cycles_) hung(*this, "APB access", watchdog_cycles_);
  } while (!pready_i.read());
  const bool err = pslverr_i.read();
  const uint32_t rdata = prdata_i.read();
  psel_o.write(false);
  penable_o.write(false);

  ++transfers_;
  if (!write) std::memcpy(gp.get_data_ptr(), &rdata, 4);
  if (err) ++errors_;
  gp.set_response_status(err ? tlm::TLM_GENERIC_ERROR_RESPONSE : tlm::TLM_OK_RESPONSE);
}

// ------------------------------------------------------------------ weight stream
WeightStreamWriter::WeightStreamWriter(const sc_core::sc_module_name& name, uint64_t watchdog_cycles)
    : sc_module(name),
      socket("socket"),
      clk_i("clk_i"),
      wr_valid_o("wr_valid_o"),
      wr_ready_i("wr_ready_i"),
      wr_weight_o("wr_weight_o"),
      wr_sens_o("wr_sens_o"),
      wr_last_o("wr_last_o"),
      watchdog_cycles_(watchdog_cycles) {
  socket.register_b_transport(this, &WeightStreamWriter::b_transport);
}

void WeightStreamWriter::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  sync(delay);
  if (!detail::accept_weight_stream(gp)) return;
  const WeightStreamExtension* ext = gp.get_extension<WeightStreamExtension>();
  const uint8_t* sens = ext != nullptr ? ext->sens : nullptr;
  const bool closes = ext == nullptr || ext->last;
  const unsigned char* data = gp.get_data_ptr();
  const std::size_t n = gp.get_data_length() / 4;

  for (std::size_t i = 0; i < n; ++i) {
    uint32_t w;
    std::memcpy(&w, data + 4 * i, 4);
    wr_valid_o.write(true);
    wr_weight_o.write(w);
    wr_sens_o.write(sens != nullptr && sens[i] != 0);
    wr_last_o.write(closes && i + 1 == n);
    uint64_t waited = 0;
    do {
      sc_core::wait(clk_i.posedge_event());
      if (++waited > watchdog_cycles_) hung(*this, "weight stream", watchdog_cycles_);
    } while (!wr_ready_i.read());  // wr_ready as it was in the cycle that just ended
    ++weights_;
  }
  wr_valid_o.write(false);
  wr_last_o.write(false);
  gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

// ------------------------------------------------------------------ read stream
ReadStreamReader::ReadStreamReader(const sc_core::sc_module_name& name, uint64_t watchdog_cycles)
    : sc_module(name),
      socket("socket"),
      clk_i("clk_i"),
      rq_valid_o("rq_valid_o"),
      rq_ready_i("rq_ready_i"),
      rq_index_o("rq_index_o"),
      rq_count_o("rq_count_o"),
      rd_valid_i("rd_valid_i"),
      rd_ready_o("rd_ready_o"),
      rd_weight_i("rd_weight_i"),
      rd_last_i("rd_last_i"),
      rd_err_i("rd_err_i"),
      watchdog_cycles_(watchdog_cycles) {
  socket.register_b_transport(this, &ReadStreamReader::b_transport);
}

void ReadStreamReader::b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay) {
  sync(delay);
  uint32_t index = 0, count = 0;
  if (!detail::accept_read_request(gp, index, count)) return;
  ReadRequestExtension* ext = gp.get_extension<ReadRequestExtension>();
  unsigned char* out = gp.get_data_ptr();
  const uint64_t capacity = gp.get_data_length() / 4;

  // the request
  rq_valid_o.write(true);
  rq_index_o.write(index);
  rq_count_o.write(count);
  rd_ready_o.write(true);  // the host takes every beat as it comes
  uint64_t waited = 0;
  do {
    sc_core::wait(clk_i.posedge_event());
    if (++waited > watchdog_cycles_) hung(*this, "read request", watchdog_cycles_);
  } while (!rq_ready_i.read());
  rq_valid_o.write(false);

  // the beats, until rd_last
  uint64_t beats = 0;
  bool err = false;
  bool overflow = false;
  bool last = false;
  waited = 0;
  while (!last) {
    sc_core::wait(clk_i.posedge_event());
    if (!rd_valid_i.read()) {
      if (++waited > watchdog_cycles_) hung(*this, "read stream", watchdog_cycles_);
      continue;
    }
    waited = 0;
    last = rd_last_i.read();
    if (rd_err_i.read()) {
      err = true;
      continue;
    }
    if (beats < capacity) {
      const uint32_t w = rd_weight_i.read();
      std::memcpy(out + 4 * beats, &w, 4);
    } else {
      overflow = true;
    }
    ++beats;
  }
  rd_ready_o.write(false);

  weights_ += beats;
  if (ext != nullptr) {
    ext->beats = beats;
    ext->rd_err = err;
  }
  const bool ok = !err && !overflow && beats == count;
  gp.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_GENERIC_ERROR_RESPONSE);
}

}  // namespace pcm::platform
