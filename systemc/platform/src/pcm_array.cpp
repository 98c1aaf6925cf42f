#include "pcm/platform/pcm_array.hpp"

#include <algorithm>
#include <climits>
#include <cstdio>
#include <iterator>
#include <stdexcept>

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
      store_(&store) {
  timing.validate();
  timing_ = timing;
  free_at_.assign(timing_.banks, 0);
  stats_.bank_busy_cycles.assign(timing_.banks, 0);

  SC_METHOD(on_clock);
  sensitive << clk_i.pos();
  dont_initialize();

  SC_METHOD(update_ready);
  sensitive << req_valid_i << req_addr_i << req_count_i << req_write_i << state_changed_;
  dont_initialize();
}

void PcmArray::set_timing(const ArrayTiming& timing) {
  timing.validate();
  if (timing.banks != timing_.banks) {
    // a new bank layout: no bank accepts before the old ones would have
    const uint64_t busy = *std::max_element(free_at_.begin(), free_at_.end());
    free_at_.assign(timing.banks, busy);
    stats_.bank_busy_cycles.resize(timing.banks, 0);
  }
  timing_ = timing;
}

void PcmArray::clear_stats() {
  stats_ = ArrayStats{};
  stats_.bank_busy_cycles.assign(timing_.banks, 0);
}

int PcmArray::touched_banks(uint32_t addr, uint32_t count, Touch* out) const {
  int n = 0;
  uint32_t prev_row = 0;
  for (uint32_t l = 0; l < count; ++l) {
    const uint32_t row = (addr + l) / timing_.lanes;  // addresses wrap at 2^32
    if (l != 0 && row == prev_row) continue;
    prev_row = row;
    const uint32_t bank = row % timing_.banks;
    int i = 0;
    while (i < n && out[i].bank != bank) ++i;
    if (i == n) out[n++] = Touch{bank, 0};
    ++out[i].rows;
  }
  return n;
}

bool PcmArray::can_accept(uint32_t addr, uint32_t count, bool write) const {
  if (!write && rsp_q_.size() >= timing_.rsp_queue_depth) return false;
  Touch touch[kPortLanes];
  const int n = touched_banks(addr, std::min<uint32_t>(count, kPortLanes), touch);
  for (int i = 0; i < n; ++i) {
    if (free_at_[touch[i].bank] > now_) return false;
  }
  return true;
}

void PcmArray::update_ready() {
  if (!req_valid_i.read()) return;  // ready matters only with a request on the port
  req_ready_o.write(can_accept(req_addr_i.read(), req_count_i.read(), req_write_i.read()));
}

void PcmArray::accept(uint32_t addr, uint32_t count, bool write, bool digital) {
  if (count < 1 || count > kPortLanes) {
    SC_REPORT_ERROR(name(), ("cell request with " + std::to_string(count) + " lanes (1 .. " +
                             std::to_string(kPortLanes) + " allowed)")
                                .c_str());
    return;
  }
  ++stats_.requests;
  Touch touch[kPortLanes];
  const int n = touched_banks(addr, count, touch);
  const uint64_t latency = write ? timing_.write_latency : timing_.read_latency;
  uint64_t longest = 0;
  uint64_t banks = 0;
  for (int i = 0; i < n; ++i) {
    const uint64_t busy = latency * touch[i].rows;
    free_at_[touch[i].bank] = now_ + busy;
    stats_.bank_busy_cycles[touch[i].bank] += busy;
    longest = std::max(longest, busy);
    if (touch[i].bank < 64) banks |= uint64_t{1} << touch[i].bank;
  }
  if (observer_) {
    view_.accepted = true;
    view_.write = write;
    view_.digital = digital;
    view_.addr = addr;
    view_.count = count;
    view_.banks = banks;
    view_.busy = static_cast<uint32_t>(std::min<uint64_t>(longest, UINT32_MAX));
    for (uint32_t l = 0; l < kPortLanes; ++l) {
      view_.lanes[l] = write && l < count ? req_wdata_i.read().get_word(static_cast<int>(l)) : 0;
    }
  }
  if (write) {
    ++stats_.write_requests;
    const LaneBits& data = req_wdata_i.read();
    if (digital) {
      for (uint32_t l = 0; l < count; ++l) store_->write_digital(addr + l, data.get_word(static_cast<int>(l)));
      stats_.digital_words_written += count;
    } else {
      const int dac_bits = static_cast<int>(dac_bits_i.read());
      for (uint32_t l = 0; l < count; ++l) {
        // a signed DAC code, sign-extended to the lane's 32 bits
        store_->write_analog(addr + l, static_cast<int32_t>(data.get_word(static_cast<int>(l))), dac_bits);
      }
      stats_.analog_cells_written += count;
    }
    return;
  }
  ++stats_.read_requests;
  Response rsp{};
  rsp.ready_at = now_ + longest;
  if (!rsp_q_.empty()) rsp.ready_at = std::max(rsp.ready_at, rsp_q_.back().ready_at);  // in order
  if (digital) {
    for (uint32_t l = 0; l < count; ++l) rsp.lanes[l] = store_->read_digital(addr + l);
    stats_.digital_words_read += count;
  } else {
    const int adc_bits = static_cast<int>(adc_bits_i.read());
    for (uint32_t l = 0; l < count; ++l) rsp.lanes[l] = static_cast<uint32_t>(store_->read_analog(addr + l, adc_bits));
    stats_.analog_cells_read += count;
  }
  if (observer_) std::copy(std::begin(rsp.lanes), std::end(rsp.lanes), std::begin(view_.lanes));
  rsp_q_.push_back(rsp);
}

void PcmArray::report_view(bool stall) {
  view_.stall = stall;
  view_.rsp_offered = rsp_offered_;
  view_.rsp_queue = static_cast<uint32_t>(rsp_q_.size());
  view_.bank_busy = 0;
  view_.busy_banks = 0;
  for (std::size_t b = 0; b < free_at_.size(); ++b) {
    if (free_at_[b] <= now_) continue;
    ++view_.busy_banks;
    if (b < 64) view_.bank_busy |= uint64_t{1} << b;
  }
  view_.requests = stats_.requests;
  view_.stall_cycles = stats_.stall_cycles;
  observer_(view_);
  view_.accepted = false;
}

void PcmArray::drive_response() {
  const bool offer = !rsp_q_.empty() && rsp_q_.front().ready_at <= now_;
  if (offer && !front_driven_) {
    LaneBits bits;
    for (int l = 0; l < kPortLanes; ++l) bits.set_word(l, rsp_q_.front().lanes[l]);
    rsp_rdata_o.write(bits);
    front_driven_ = true;
  }
  if (offer != rsp_offered_) {
    rsp_valid_o.write(offer);
    rsp_offered_ = offer;
  }
}

void PcmArray::on_clock() {
  // The handshakes of the cycle that ends at this edge: every signal still
  // holds its value from that cycle (SystemC updates them after this delta).
  const bool valid = req_valid_i.read();
  const bool ready = req_ready_o.read();
  const bool rsp_taken = rsp_offered_ && rsp_ready_i.read();
  ++stats_.cycles;
  if (valid && !ready) ++stats_.stall_cycles;
  if (rsp_offered_ && !rsp_taken) ++stats_.rsp_wait_cycles;
  if (rsp_taken) {
    rsp_q_.pop_front();
    front_driven_ = false;
  }
  if (valid && ready) accept(req_addr_i.read(), req_count_i.read(), req_write_i.read(), req_digital_i.read());
  ++now_;
  drive_response();
  if (observer_) report_view(valid && !ready);
  // a request on the port may become acceptable (or not) in the new cycle
  if (valid || rsp_taken) state_changed_.notify(sc_core::SC_ZERO_TIME);
}

}  // namespace pcm::platform
