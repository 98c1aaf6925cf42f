#include "pcm/model/cell_store.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define PCM_PAGES_MMAP 1
#endif

namespace pcm::model {

namespace {

// f(addr, done, m) for each part [addr, addr + m) of [first, first + n) that
// lies in one page, in order; done is the count before it. Addresses wrap at
// 2^32 as the array's do.
template <typename F>
void for_each_page_part(uint32_t first, uint64_t n, F&& f) {
  for (uint64_t done = 0; done < n;) {
    const uint64_t m = std::min<uint64_t>(n - done, CellStore::kPageCells - (first & (CellStore::kPageCells - 1)));
    f(first, done, m);
    first += static_cast<uint32_t>(m);
    done += m;
  }
}

#ifdef PCM_PAGES_MMAP
// A page bigger than half a huge page is mapped on huge-page boundaries and
// asks for huge pages (transparent huge pages in "madvise" mode, Linux's
// default): one fault then clears 2 MiB where 4 KiB pages take 512 faults,
// which cost a tenth of storing a 25M-weight model (docs/PERFORMANCE.md). The
// advice is only advice: a kernel without huge pages maps 4 KiB pages.
constexpr std::size_t kHugePage = std::size_t{2} << 20;

constexpr std::size_t mapped_bytes(std::size_t bytes) {
  return bytes > kHugePage / 2 ? (bytes + kHugePage - 1) / kHugePage * kHugePage : bytes;
}

void* map_zeroed(std::size_t bytes) {
  if (bytes % kHugePage != 0) {
    void* memory = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (memory == MAP_FAILED) throw std::bad_alloc();
    return memory;
  }
  // map a huge page more, then unmap what lies before and after the aligned part
  const std::size_t span = bytes + kHugePage;
  void* memory = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) throw std::bad_alloc();
  char* const raw = static_cast<char*>(memory);
  const std::size_t head = (kHugePage - reinterpret_cast<std::uintptr_t>(raw) % kHugePage) % kHugePage;
  if (head > 0) munmap(raw, head);
  munmap(raw + head + bytes, kHugePage - head);
#ifdef MADV_HUGEPAGE
  madvise(raw + head, bytes, MADV_HUGEPAGE);
#endif
  return raw + head;
}
#endif

}  // namespace

template <typename Page>
CellStore::PagePtr<Page> CellStore::zeroed_page() {
  // zero bytes are every field's initial value; default-initializing a
  // trivial type writes nothing over them
  static_assert(std::is_trivially_default_constructible_v<Page>);
#ifdef PCM_PAGES_MMAP
  constexpr std::size_t bytes = mapped_bytes(sizeof(Page));
  void* memory = map_zeroed(bytes);
#else
  constexpr std::size_t bytes = sizeof(Page);
  void* memory = std::calloc(1, bytes);
  if (memory == nullptr) throw std::bad_alloc();
#endif
  return PagePtr<Page>(new (memory) Page, PageFree{bytes});
}

void CellStore::PageFree::operator()(void* page) const {
#ifdef PCM_PAGES_MMAP
  munmap(page, bytes);
#else
  std::free(page);
#endif
}

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
  slot = zeroed_page<Page>();
  ++stats.pages;
  stats.bytes += sizeof(Page);
  last_index = index;
  last = slot.get();
  return *slot;
}

CellStore::CellStore(std::shared_ptr<const channel_model::Channel> channel, uint64_t seed)
    : channel_(std::move(channel)), seed_(seed) {
  set_time(channel_ ? channel_->reference_time() : 0.0);
}

void CellStore::reset(uint64_t seed) {
  seed_ = seed;
  set_time(channel_ ? channel_->reference_time() : 0.0);
  analog_ = Pages<AnalogPage>{};
  digital_ = Pages<DigitalPage>{};
  own_ = Cursor{};
  stats_ = CellStoreStats{};
}

CellStore::AnalogPage* CellStore::cursor_page(Cursor& cursor, uint32_t addr) const {
  const uint32_t index = addr >> kPageLog2;
  if (cursor.page == nullptr || cursor.page_index != index) {
    // a lookup without the Pages cache: other threads may be looking up too
    const auto it = analog_.map.find(index);
    if (it == analog_.map.end()) return nullptr;
    cursor.page_index = index;
    cursor.page = it->second.get();
  }
  return cursor.page;
}

CellStore::DigitalPage* CellStore::cursor_digital(Cursor& cursor, uint32_t addr) const {
  const uint32_t index = addr >> kPageLog2;
  if (cursor.digital == nullptr || cursor.digital_index != index) {
    const auto it = digital_.map.find(index);
    if (it == digital_.map.end()) return nullptr;
    cursor.digital_index = index;
    cursor.digital = it->second.get();
  }
  return cursor.digital;
}

const channel_model::Channel::ProgramLevel& CellStore::cached_level(Cursor& cursor, int32_t dac_code,
                                                                    int dac_bits) const {
  if (cursor.levels.empty()) cursor.levels.resize(Cursor::kLevels);
  Cursor::CachedLevel& slot = cursor.levels[static_cast<uint32_t>(dac_code) & (Cursor::kLevels - 1)];
  if (slot.bits != dac_bits || slot.code != dac_code) {
    slot.level = channel_->level_of(dac_value(dac_code, dac_bits));
    slot.code = dac_code;
    slot.bits = dac_bits;
  }
  return slot.level;
}

namespace {
void check_code(int32_t dac_code, int dac_bits) {
  if (dac_code < INT16_MIN || dac_code > INT16_MAX || dac_bits < 1 || dac_bits > 16) {
    throw std::out_of_range("CellStore: a DAC code " + std::to_string(dac_code) + " of " +
                            std::to_string(dac_bits) + " bits; at most 16 bits are kept");
  }
}
}  // namespace

void CellStore::write_cell(Cursor& cursor, AnalogPage& page, uint32_t addr, int32_t dac_code, int dac_bits) {
  const uint32_t slot = addr & (kPageCells - 1);
  check_code(dac_code, dac_bits);
  double y = 0.0;
  if (channel_) {
    y = channel_->program_at(level(cursor, dac_code, dac_bits),
                             channel_model::CellKey{seed_, addr, page.writes[slot], channel_model::Stream::kProgram});
  } else {
    y = dac_value(dac_code, dac_bits);
  }
  page.value[slot] = static_cast<float>(y);
  page.code[slot] = static_cast<int16_t>(dac_code);
  page.bits[slot] = static_cast<uint8_t>(dac_bits);
  ++page.writes[slot];
  ++cursor.counts.analog_writes;
}

void CellStore::write_cells(Cursor& cursor, AnalogPage& page, uint32_t first, const int32_t* codes, std::size_t n,
                            int dac_bits) {
  for (std::size_t k = 0; k < n; ++k) check_code(codes[k], dac_bits);
  const uint32_t slot0 = first & (kPageCells - 1);
  double y[kRunCells];
  if (channel_) {
    channel_model::Channel::ProgramLevel levels[kRunCells];
    channel_model::CellKey keys[kRunCells];
    for (std::size_t k = 0; k < n; ++k) {
      levels[k] = level(cursor, codes[k], dac_bits);
      keys[k] = channel_model::CellKey{seed_, first + static_cast<uint32_t>(k), page.writes[slot0 + k],
                                       channel_model::Stream::kProgram};
    }
    channel_->program_many(levels, keys, y, n);
  } else {
    for (std::size_t k = 0; k < n; ++k) y[k] = dac_value(codes[k], dac_bits);
  }
  for (std::size_t k = 0; k < n; ++k) {
    const uint32_t slot = slot0 + static_cast<uint32_t>(k);
    page.value[slot] = static_cast<float>(y[k]);
    page.code[slot] = static_cast<int16_t>(codes[k]);
    page.bits[slot] = static_cast<uint8_t>(dac_bits);
    ++page.writes[slot];
  }
  cursor.counts.analog_writes += n;
}

void CellStore::write_run(Cursor& cursor, uint32_t first, const int32_t* codes, std::size_t n, int dac_bits) {
  for_each_page_part(first, n, [&](uint32_t addr, uint64_t done, uint64_t m) {
    AnalogPage* page = cursor_page(cursor, addr);
    if (page == nullptr) throw std::logic_error("CellStore: a block write to a page not reserved");
    for (uint64_t k = 0; k < m; k += kRunCells) {
      write_cells(cursor, *page, addr + static_cast<uint32_t>(k), codes + done + k,
                  std::min<uint64_t>(kRunCells, m - k), dac_bits);
    }
  });
}

void CellStore::read_run(Cursor& cursor, uint32_t first, int32_t* out, std::size_t n, int adc_bits) {
  for_each_page_part(first, n, [&](uint32_t addr, uint64_t done, uint64_t m) {
    AnalogPage* page = cursor_page(cursor, addr);
    if (noisy_reads_) {
      for (uint64_t k = 0; k < m; k += kRunCells) {
        read_cells(cursor, page, addr + static_cast<uint32_t>(k), out + done + k, std::min<uint64_t>(kRunCells, m - k),
                   adc_bits);
      }
    } else {
      for (uint64_t k = 0; k < m; ++k) out[done + k] = read_cell(cursor, page, addr + static_cast<uint32_t>(k), adc_bits);
    }
  });
}

void CellStore::read_cells(Cursor& cursor, AnalogPage* page, uint32_t first, int32_t* out, std::size_t n,
                           int adc_bits) {
  // read_cell's steps over the run's written cells, the channel's draws together
  std::size_t at[kRunCells];
  double y[kRunCells];
  double nu[kRunCells];
  double read[kRunCells];
  channel_model::Channel::ProgramLevel levels[kRunCells];
  channel_model::CellKey keys[kRunCells];
  const uint32_t slot0 = first & (kPageCells - 1);
  cursor.counts.analog_reads += n;
  std::size_t written = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const uint32_t slot = slot0 + static_cast<uint32_t>(k);
    if (page == nullptr || page->writes[slot] == 0) {
      ++cursor.counts.unwritten_reads;
      out[k] = 0;
      continue;
    }
    at[written] = k;
    y[written] = page->value[slot];
    if (drifting_) {
      // the exponent drawn at the last programming (access writes - 1)
      levels[written] = level(cursor, page->code[slot], page->bits[slot]);
      keys[written] = channel_model::CellKey{seed_, first + static_cast<uint32_t>(k), page->writes[slot] - 1,
                                             channel_model::Stream::kDrift};
    }
    ++written;
  }
  if (drifting_) {
    channel_->drift_many(levels, keys, nu, written);
    for (std::size_t q = 0; q < written; ++q) nu[q] = static_cast<float>(nu[q]);  // kept as a float
  } else {
    std::fill(nu, nu + written, 0.0);
  }
  for (std::size_t q = 0; q < written; ++q) {
    keys[q] = channel_model::CellKey{seed_, first + static_cast<uint32_t>(at[q]), page->reads[slot0 + at[q]],
                                     channel_model::Stream::kRead};
  }
  channel_->read_many(y, nu, time_, keys, read, written);
  for (std::size_t q = 0; q < written; ++q) {
    ++page->reads[slot0 + at[q]];
    out[at[q]] = adc_code(read[q], adc_bits);
  }
}

int32_t CellStore::read_cell(Cursor& cursor, AnalogPage* page, uint32_t addr, int adc_bits) {
  ++cursor.counts.analog_reads;
  const uint32_t slot = addr & (kPageCells - 1);
  if (page == nullptr || page->writes[slot] == 0) {
    ++cursor.counts.unwritten_reads;
    return 0;
  }
  double y = page->value[slot];
  if (noisy_reads_) {
    double nu = 0.0;
    if (drifting_) {
      // the exponent drawn at the last programming (access writes - 1), kept as a float
      const channel_model::CellKey key{seed_, addr, page->writes[slot] - 1, channel_model::Stream::kDrift};
      nu = static_cast<float>(channel_->drift_at(level(cursor, page->code[slot], page->bits[slot]), key));
    }
    y = channel_->read(y, nu, time_,
                       channel_model::CellKey{seed_, addr, page->reads[slot], channel_model::Stream::kRead});
  }
  ++page->reads[slot];
  return adc_code(y, adc_bits);
}

void CellStore::write_analog(uint32_t addr, int32_t dac_code, int dac_bits) {
  AnalogPage& page = analog_.get(addr >> kPageLog2, stats_);
  own_.page = nullptr;  // pages are looked up here; the cursor keeps its levels
  write_cell(own_, page, addr, dac_code, dac_bits);  // checks dac_bits
  if (channel_ && !levels_prepared(dac_bits) &&
      levels_pay_off(++own_writes_[static_cast<std::size_t>(dac_bits)], dac_bits)) {
    prepare_levels(dac_bits);
  }
  merge(own_);
  own_.counts = CellStoreStats{};
}

int32_t CellStore::read_analog(uint32_t addr, int adc_bits) {
  const int32_t code = read_cell(own_, analog_.find(addr >> kPageLog2), addr, adc_bits);
  merge(own_);
  own_.counts = CellStoreStats{};
  return code;
}

void CellStore::reserve_analog(uint32_t first, uint64_t count) {
  // 2^32 cells are the whole address space
  for_each_page_part(first, std::min<uint64_t>(count, uint64_t{1} << 32),
                     [&](uint32_t addr, uint64_t, uint64_t) { analog_.get(addr >> kPageLog2, stats_); });
}

void CellStore::reserve_digital(uint32_t first, uint64_t count) {
  for_each_page_part(first, std::min<uint64_t>(count, uint64_t{1} << 32),
                     [&](uint32_t addr, uint64_t, uint64_t) { digital_.get(addr >> kPageLog2, stats_); });
}

void CellStore::write_digital(Cursor& cursor, uint32_t addr, uint32_t word) {
  DigitalPage* page = cursor_digital(cursor, addr);
  if (page == nullptr) throw std::logic_error("CellStore: a block write to a digital page not reserved");
  page->word[addr & (kPageCells - 1)] = word;
  ++cursor.counts.digital_writes;
}

uint32_t CellStore::read_digital(Cursor& cursor, uint32_t addr) {
  ++cursor.counts.digital_reads;
  const DigitalPage* page = cursor_digital(cursor, addr);
  return page == nullptr ? 0u : page->word[addr & (kPageCells - 1)];
}

void CellStore::read_digital_run(Cursor& cursor, uint32_t first, uint32_t* out, std::size_t n) {
  cursor.counts.digital_reads += n;
  for_each_page_part(first, n, [&](uint32_t addr, uint64_t done, uint64_t m) {
    const DigitalPage* page = cursor_digital(cursor, addr);
    if (page == nullptr) {
      std::fill_n(out + done, m, 0u);
    } else {
      std::copy_n(page->word.data() + (addr & (kPageCells - 1)), m, out + done);
    }
  });
}

void CellStore::prepare_levels(int dac_bits) {
  if (!channel_ || dac_bits < 1 || dac_bits > 16) return;
  auto& table = level_table_[static_cast<std::size_t>(dac_bits)];
  if (!table.empty()) return;  // the channel never changes
  const int32_t half = int32_t{1} << (dac_bits - 1);
  table.reserve(std::size_t{1} << dac_bits);
  for (int32_t code = -half; code < half; ++code) table.push_back(channel_->level_of(dac_value(code, dac_bits)));
}

void CellStore::write_analog(Cursor& cursor, uint32_t addr, int32_t dac_code, int dac_bits) {
  AnalogPage* page = cursor_page(cursor, addr);
  if (page == nullptr) throw std::logic_error("CellStore: a block write to a page not reserved");
  write_cell(cursor, *page, addr, dac_code, dac_bits);
}

int32_t CellStore::read_analog(Cursor& cursor, uint32_t addr, int adc_bits) {
  return read_cell(cursor, cursor_page(cursor, addr), addr, adc_bits);
}

void CellStore::merge(const Cursor& cursor) {
  stats_.analog_writes += cursor.counts.analog_writes;
  stats_.analog_reads += cursor.counts.analog_reads;
  stats_.unwritten_reads += cursor.counts.unwritten_reads;
  stats_.digital_writes += cursor.counts.digital_writes;
  stats_.digital_reads += cursor.counts.digital_reads;
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
