#pragma once

// The rules a host transaction must follow, checked alike by the pin-level
// bus models (bus_models.cpp) and the fast platform (fast_platform.cpp), so
// both refuse the same payloads with the same response status. Each returns
// false after setting that status.

#include <tlm>

#include <cstdint>

#include "pcm/platform/bus_models.hpp"

namespace pcm::platform::detail {

// One 32-bit register access, read or write, inside the 4 KiB register window.
inline bool accept_apb(tlm::tlm_generic_payload& gp) {
  if (gp.get_byte_enable_ptr() != nullptr) {
    gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return false;
  }
  if (gp.get_data_length() != 4 || gp.get_streaming_width() < 4) {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  if (gp.get_address() >= (uint64_t{1} << 12)) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  if (!gp.is_write() && !gp.is_read()) {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return false;
  }
  return true;
}

// A write of whole fp32 words to the weight stream.
inline bool accept_weight_stream(tlm::tlm_generic_payload& gp) {
  if (!gp.is_write()) {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return false;
  }
  if (gp.get_byte_enable_ptr() != nullptr) {
    gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return false;
  }
  if (gp.get_data_length() % 4 != 0) {
    gp.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  return true;
}

// A read request: index and count from the ReadRequestExtension (reset to no
// beats, no error), or from a word-aligned address and the data length.
inline bool accept_read_request(tlm::tlm_generic_payload& gp, uint32_t& index, uint32_t& count) {
  if (!gp.is_read()) {
    gp.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    return false;
  }
  if (gp.get_byte_enable_ptr() != nullptr) {
    gp.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return false;
  }
  if (ReadRequestExtension* ext = gp.get_extension<ReadRequestExtension>(); ext != nullptr) {
    index = ext->index;
    count = ext->count;
    ext->beats = 0;
    ext->rd_err = false;
    return true;
  }
  if (gp.get_address() % 4 != 0 || gp.get_address() / 4 > UINT32_MAX) {
    gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  index = static_cast<uint32_t>(gp.get_address() / 4);
  count = gp.get_data_length() / 4;
  return true;
}

}  // namespace pcm::platform::detail
