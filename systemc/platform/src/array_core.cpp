#include "pcm/platform/array_core.hpp"

#include <algorithm>
#include <climits>
#include <iterator>
#include <stdexcept>
#include <string>

namespace pcm::platform {

ArrayCore::ArrayCore(CellStore& store, const ArrayTiming& timing, int port_lanes)
    : store_(&store), port_lanes_(port_lanes) {
  if (port_lanes < 1 || port_lanes > kMaxLanes) {
    throw std::invalid_argument("ArrayCore: " + std::to_string(port_lanes) + " port lanes (1 .. " +
                                std::to_string(kMaxLanes) + ")");
  }
  timing.validate();
  timing_ = timing;
  free_at_.assign(timing_.banks, 0);
  stats_.bank_busy_cycles.assign(timing_.banks, 0);
}

void ArrayCore::set_timing(const ArrayTiming& timing) {
  timing.validate();
  if (timing.banks != timing_.banks) {
    // a new bank layout: no bank accepts before the old ones would have
    const uint64_t busy = *std::max_element(free_at_.begin(), free_at_.end());
    free_at_.assign(timing.banks, busy);
    stats_.bank_busy_cycles.resize(timing.banks, 0);
  }
  timing_ = timing;
}

void ArrayCore::clear_stats() {
  stats_ = ArrayStats{};
  stats_.bank_busy_cycles.assign(timing_.banks, 0);
}

int ArrayCore::touched_banks(uint32_t addr, uint32_t count, Touch* out) const {
  // a row at a time (one division each, not one per cell): the cells from a
  // to the end of its row, or to the wrap of addresses at 2^32
  int n = 0;
  const uint32_t lanes = timing_.lanes;
  uint32_t a = addr;
  for (uint32_t left = count; left > 0;) {
    const uint32_t row = a / lanes;
    const uint64_t to_row_end = lanes - a % lanes;
    const uint64_t to_wrap = (uint64_t{1} << 32) - a;
    const auto cells = static_cast<uint32_t>(std::min<uint64_t>(left, std::min(to_row_end, to_wrap)));
    const uint32_t bank = timing_.bank_of_row(row);
    int i = 0;
    while (i < n && out[i].bank != bank) ++i;
    if (i == n) out[n++] = Touch{bank, 0};
    ++out[i].rows;
    a += cells;  // wraps at 2^32
    left -= cells;
  }
  return n;
}

bool ArrayCore::ready(uint32_t addr, uint32_t count, bool write) const {
  if (!write && rsp_q_.size() >= timing_.rsp_queue_depth) return false;
  Touch touch[kMaxLanes];
  const int n = touched_banks(addr, std::min<uint32_t>(count, static_cast<uint32_t>(port_lanes_)), touch);
  for (int i = 0; i < n; ++i) {
    if (free_at_[touch[i].bank] > now_) return false;
  }
  return true;
}

void ArrayCore::accept(const Port& p) {
  const uint32_t addr = p.req_addr, count = p.req_count;
  const bool write = p.req_write, digital = p.req_digital;
  if (count < 1 || count > static_cast<uint32_t>(port_lanes_)) {
    throw std::runtime_error("cell request with " + std::to_string(count) + " lanes (1 .. " +
                             std::to_string(port_lanes_) + " allowed)");
  }
  ++stats_.requests;
  Touch touch[kMaxLanes];
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
    for (uint32_t l = 0; l < static_cast<uint32_t>(kMaxLanes); ++l) view_.lanes[l] = write && l < count ? p.wdata[l] : 0;
  }
  if (write) {
    ++stats_.write_requests;
    if (digital) {
      for (uint32_t l = 0; l < count; ++l) store_->write_digital(addr + l, p.wdata[l]);
      stats_.digital_words_written += count;
    } else {
      // a signed DAC code, sign-extended to the lane's 32 bits
      for (uint32_t l = 0; l < count; ++l) store_->write_analog(addr + l, static_cast<int32_t>(p.wdata[l]), p.dac_bits);
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
    for (uint32_t l = 0; l < count; ++l) rsp.lanes[l] = static_cast<uint32_t>(store_->read_analog(addr + l, p.adc_bits));
    stats_.analog_cells_read += count;
  }
  if (observer_) std::copy(std::begin(rsp.lanes), std::end(rsp.lanes), std::begin(view_.lanes));
  rsp_q_.push_back(rsp);
}

void ArrayCore::report_view(bool stall) {
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

void ArrayCore::drive_response(Edge& e) {
  const bool offer = !rsp_q_.empty() && rsp_q_.front().ready_at <= now_;
  if (offer && !front_driven_) {
    std::copy(std::begin(rsp_q_.front().lanes), std::end(rsp_q_.front().lanes), std::begin(rdata_));
    front_driven_ = true;
    e.rdata_new = true;
  }
  rsp_offered_ = offer;
}

ArrayCore::Edge ArrayCore::edge(const Port& p) {
  Edge e;
  e.rsp_taken = rsp_offered_ && p.rsp_ready;
  ++stats_.cycles;
  if (p.req_valid && !p.req_ready) ++stats_.stall_cycles;
  if (rsp_offered_ && !e.rsp_taken) ++stats_.rsp_wait_cycles;
  if (e.rsp_taken) {
    rsp_q_.pop_front();
    front_driven_ = false;
  }
  if (p.req_valid && p.req_ready) accept(p);
  ++now_;
  drive_response(e);
  if (observer_) report_view(p.req_valid && !p.req_ready);
  return e;
}

}  // namespace pcm::platform
