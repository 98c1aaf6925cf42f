#include "pcm/model/cell_store.hpp"

#include <utility>

namespace pcm::model {

template <typename Page>
Page* CellStore::Pages<Page>::find(uint32_t index) {
  if (last != nullptr && last_index == index) return last;
  const auto it = map.find(index);
  if (it == map.end()) return nullptr;
  last_index = index;
  last = it->second.get();
  return last;
}

template <typename Page>
Page& CellStore::Pages<Page>::get(uint32_t index, CellStoreStats& stats) {
  if (Page* page = find(index)) return *page;
  auto& slot = map[index];
  slot = std::make_unique<Page>();
  ++stats.pages;
  stats.bytes += sizeof(Page);
  last_index = index;
  last = slot.get();
  return *slot;
}

CellStore::CellStore(std::shared_ptr<const channel_model::Channel> channel, uint64_t seed)
    : channel_(std::move(channel)), seed_(seed), time_(channel_ ? channel_->reference_time() : 0.0) {}

void CellStore::reset(uint64_t seed) {
  seed_ = seed;
  time_ = channel_ ? channel_->reference_time() : 0.0;
  analog_ = Pages<AnalogPage>{};
  digital_ = Pages<DigitalPage>{};
  stats_ = CellStoreStats{};
}

void CellStore::write_analog(uint32_t addr, int32_t dac_code, int dac_bits) {
  AnalogPage& page = analog_.get(addr >> kPageLog2, stats_);
  const uint32_t slot = addr & (kPageCells - 1);
  const double x = dac_value(dac_code, dac_bits);
  double y = x;
  double nu = 0.0;
  if (channel_) {
    channel_model::CellKey key{seed_, addr, page.writes[slot], channel_model::Stream::kProgram};
    y = channel_->program(x, key);
    key.stream = channel_model::Stream::kDrift;
    nu = channel_->drift_exponent(x, key);
  }
  page.value[slot] = static_cast<float>(y);
  page.nu[slot] = static_cast<float>(nu);
  ++page.writes[slot];
  ++stats_.analog_writes;
}

int32_t CellStore::read_analog(uint32_t addr, int adc_bits) {
  ++stats_.analog_reads;
  AnalogPage* page = analog_.find(addr >> kPageLog2);
  const uint32_t slot = addr & (kPageCells - 1);
  if (page == nullptr || page->writes[slot] == 0) {
    ++stats_.unwritten_reads;
    return 0;
  }
  double y = page->value[slot];
  if (channel_) {
    y = channel_->read(y, page->nu[slot], time_,
                       channel_model::CellKey{seed_, addr, page->reads[slot], channel_model::Stream::kRead});
  }
  ++page->reads[slot];
  return adc_code(y, adc_bits);
}

void CellStore::write_digital(uint32_t addr, uint32_t word) {
  digital_.get(addr >> kPageLog2, stats_).word[addr & (kPageCells - 1)] = word;
  ++stats_.digital_writes;
}

uint32_t CellStore::read_digital(uint32_t addr) {
  ++stats_.digital_reads;
  const DigitalPage* page = digital_.find(addr >> kPageLog2);
  return page == nullptr ? 0u : page->word[addr & (kPageCells - 1)];
}

}  // namespace pcm::model
