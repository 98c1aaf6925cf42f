#pragma once

// Host-side bus models of the RTL platform: TLM-2.0 targets (b_transport)
// that turn one generic-payload transaction into the pin activity of one of
// pcm_ctrl's host interfaces, clock by clock. The host issues transactions;
// only these models wiggle pins (STYLE.md: pin-level only where RTL is).
//
//   ApbBridge           register read / write   <-> psel, penable, pwrite, paddr, pwdata, prdata, pready, pslverr
//   WeightStreamWriter  array of fp32 weights    -> wr_valid, wr_weight, wr_sens, wr_last / wr_ready
//   ReadStreamReader    index, count, buffer    <-  rq_valid, rq_index, rq_count / rq_ready; rd_* beats
//
// Every b_transport first waits out the delay annotated by the initiator,
// then drives the pins and waits on clock edges while they move, so the
// simulated time consumed is the real cycle count; it returns with delay 0.
// A handshake partner that stays silent for `watchdog_cycles` clocks is a
// hung design: the model reports an SC_ERROR (thrown out of sc_start).

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>

namespace pcm::platform {

// Extension of a weight-stream write: the sensitivity bytes (one per weight,
// 0 or 1; nullptr: none sensitive) and whether the transaction's last weight
// closes the tensor (wr_last). Without the extension: no sensitive weights,
// and the last weight closes the tensor.
struct WeightStreamExtension final : tlm::tlm_extension<WeightStreamExtension> {
  const uint8_t* sens = nullptr;
  bool last = true;

  tlm::tlm_extension_base* clone() const override { return new WeightStreamExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const WeightStreamExtension&>(other);
  }
};

// Extension of a read-stream read. The request is (index, count); without
// the extension it is (address / 4, data_length / 4), i.e. the address is the
// byte offset into the tensor's fp32 image. The extension also says what came
// back: beats received, and whether the controller answered with an error
// beat (rd_err: count 0 or past NUM_WEIGHTS).
struct ReadRequestExtension final : tlm::tlm_extension<ReadRequestExtension> {
  uint32_t index = 0;
  uint32_t count = 0;
  // results
  uint64_t beats = 0;
  bool rd_err = false;

  tlm::tlm_extension_base* clone() const override { return new ReadRequestExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override {
    *this = static_cast<const ReadRequestExtension&>(other);
  }
};

// APB requester: address = register byte offset (12 bits), 4-byte data.
// PSLVERR -> TLM_GENERIC_ERROR_RESPONSE (a read still returns PRDATA);
// an address past the 4 KiB register space -> TLM_ADDRESS_ERROR_RESPONSE;
// another length -> TLM_BURST_ERROR_RESPONSE; byte enables -> TLM_BYTE_ENABLE_ERROR_RESPONSE.
// Two clocks per access (setup, access) plus wait states while PREADY is low.
class ApbBridge final : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<ApbBridge> socket;

  sc_core::sc_in<bool> clk_i;
  sc_core::sc_out<bool> psel_o;
  sc_core::sc_out<bool> penable_o;
  sc_core::sc_out<bool> pwrite_o;
  sc_core::sc_out<uint32_t> paddr_o;
  sc_core::sc_out<uint32_t> pwdata_o;
  sc_core::sc_in<uint32_t> prdata_i;
  sc_core::sc_in<bool> pready_i;
  sc_core::sc_in<bool> pslverr_i;

  ApbBridge(const sc_core::sc_module_name& name, uint64_t watchdog_cycles);

  uint64_t transfers() const { return transfers_; }
  uint64_t errors() const { return errors_; }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

  uint64_t watchdog_cycles_;
  uint64_t transfers_ = 0;
  uint64_t errors_ = 0;
};

// Weight-stream writer: a TLM write of data_length = 4 n bytes carries n fp32
// words (host byte order). One beat per clock while wr_ready is high; wr_last
// on the final weight (unless WeightStreamExtension::last is false). Returns
// when the last weight has been accepted; the controller may still be
// flushing its write path (STATUS.WR_BUSY).
class WeightStreamWriter final : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<WeightStreamWriter> socket;

  sc_core::sc_in<bool> clk_i;
  sc_core::sc_out<bool> wr_valid_o;
  sc_core::sc_in<bool> wr_ready_i;
  sc_core::sc_out<uint32_t> wr_weight_o;
  sc_core::sc_out<bool> wr_sens_o;
  sc_core::sc_out<bool> wr_last_o;

  WeightStreamWriter(const sc_core::sc_module_name& name, uint64_t watchdog_cycles);

  uint64_t weights() const { return weights_; }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

  uint64_t watchdog_cycles_;
  uint64_t weights_ = 0;
};

// Read-stream reader: one read request (rq_*), then every rd_* beat until
// rd_last, written to the data pointer (4 bytes per weight, at most
// data_length bytes). rd_ready stays high: the host never stalls the stream.
// An error beat -> TLM_GENERIC_ERROR_RESPONSE with ReadRequestExtension::rd_err
// set and the buffer untouched; more beats than fit the buffer, or a stream
// that ends early -> TLM_GENERIC_ERROR_RESPONSE with rd_err clear.
class ReadStreamReader final : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<ReadStreamReader> socket;

  sc_core::sc_in<bool> clk_i;
  sc_core::sc_out<bool> rq_valid_o;
  sc_core::sc_in<bool> rq_ready_i;
  sc_core::sc_out<uint32_t> rq_index_o;
  sc_core::sc_out<uint32_t> rq_count_o;
  sc_core::sc_in<bool> rd_valid_i;
  sc_core::sc_out<bool> rd_ready_o;
  sc_core::sc_in<uint32_t> rd_weight_i;
  sc_core::sc_in<bool> rd_last_i;
  sc_core::sc_in<bool> rd_err_i;

  ReadStreamReader(const sc_core::sc_module_name& name, uint64_t watchdog_cycles);

  uint64_t weights() const { return weights_; }

 private:
  void b_transport(tlm::tlm_generic_payload& gp, sc_core::sc_time& delay);

  uint64_t watchdog_cycles_;
  uint64_t weights_ = 0;
};

}  // namespace pcm::platform
