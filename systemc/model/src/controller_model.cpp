#include "pcm/model/controller_model.hpp"

#include <algorithm>
#include <stdexcept>

#include "pcm/model/cell_store.hpp"
#include "pcm/model/parallel.hpp"

namespace pcm::model {
namespace {

bool fp32_positive_normal(uint32_t v) {
  const uint32_t e = (v >> 23) & 0xFFu;
  return (v >> 31) == 0 && e != 0 && e != 0xFF;
}
bool fp32_nonnegative_finite(uint32_t v) { return (v >> 31) == 0 && ((v >> 23) & 0xFFu) != 0xFF; }
bool in_signed(uint32_t v, int64_t lo, int64_t hi) {
  const auto s = static_cast<int32_t>(v);
  return s >= lo && s <= hi;
}
bool in_unsigned(uint32_t v, int64_t lo, int64_t hi) { return v >= lo && v <= hi; }
int32_t sext16(uint32_t v) { return static_cast<int16_t>(static_cast<uint16_t>(v & 0xFFFFu)); }

// How many weights ahead a block asks for the channel level of a weight's
// DAC code: about the weights written in one trip to memory.
constexpr std::size_t kLevelAhead = 8;

// Legal bounds of a register, from the register description.
const regs::RegInfo& info_at(uint32_t offset) {
  for (const auto& info : regs::kRegisters) {
    if (info.offset == offset) return info;
  }
  return regs::kRegisters.front();
}

}  // namespace

ControllerModel::ControllerModel(ControllerParams params, CellArray& array)
    : params_(params), array_(array) {
  if (info_at(regs::pv_pulses::kOffset).max != kMaxVerifyPulses) {
    throw std::logic_error("kMaxVerifyPulses differs from PV_PULSES's maximum in the register description");
  }
  cfg_.threshold = regs::threshold::kReset;
  cfg_.scale_small = regs::scale_small::kReset;
  cfg_.rscale_small = regs::rscale_small::kReset;
  cfg_.shift_small = static_cast<int32_t>(regs::shift_small::kReset);
  cfg_.scale_large = regs::scale_large::kReset;
  cfg_.rscale_large = regs::rscale_large::kReset;
  cfg_.shift_large = static_cast<int32_t>(regs::shift_large::kReset);
  cfg_.cells_small = regs::cells_small::kReset;
  cfg_.cells_large = regs::cells_large::kReset;
  cfg_.cells_sens = regs::cells_sens::kReset;
  apply(regs::ctrl::kOffset, ctrl_);
  apply(regs::range::kOffset, range_);
  apply(regs::res::kOffset, res_);
}

uint32_t ControllerModel::reg_value(uint32_t addr, bool& hit) const {
  namespace r = regs;
  hit = true;
  switch (addr) {
    case r::ctrl::kOffset: return ctrl_;
    case r::status::kOffset:
      return r::status::kNanSeen.put(0, nan_seen_) | r::status::kSatSeen.put(0, sat_seen_) |
             r::status::kBusErr.put(0, bus_err_) | r::status::kRdErr.put(0, rd_err_);
    case r::cmd::kOffset: return 0;
    case r::threshold::kOffset: return cfg_.threshold;
    case r::scale_small::kOffset: return cfg_.scale_small;
    case r::rscale_small::kOffset: return cfg_.rscale_small;
    case r::shift_small::kOffset: return static_cast<uint32_t>(cfg_.shift_small);
    case r::scale_large::kOffset: return cfg_.scale_large;
    case r::rscale_large::kOffset: return cfg_.rscale_large;
    case r::shift_large::kOffset: return static_cast<uint32_t>(cfg_.shift_large);
    case r::cells_small::kOffset: return cfg_.cells_small;
    case r::cells_large::kOffset: return cfg_.cells_large;
    case r::cells_sens::kOffset: return cfg_.cells_sens;
    case r::range::kOffset: return range_;
    case r::res::kOffset: return res_;
    case r::dir::kOffset: return dir_;
    case r::analog_base::kOffset: return analog_base_;
    case r::meta_base::kOffset: return meta_base_;
    case r::dir_base::kOffset: return dir_base_;
    case r::num_weights::kOffset: return num_weights_;
    case r::next_cell::kOffset: return next_cell_;
    case r::pv_pulses::kOffset: return pv_pulses_;
    case r::pv_tol::kOffset: return pv_tol_;
    case r::pv_gain::kOffset: return pv_gain_;
    case r::comp::kOffset: return comp_;
    case r::ref_base::kOffset: return ref_base_;
    case r::drift_offset::kOffset: return static_cast<uint32_t>(r::comp::kEn.get(comp_) ? drift_offset_ : 0);
    case r::params::kOffset:
      return r::params::kNumLanes.put(0, static_cast<uint32_t>(params_.num_lanes)) |
             r::params::kDacWidth.put(0, static_cast<uint32_t>(params_.dac_width)) |
             r::params::kAdcWidth.put(0, static_cast<uint32_t>(params_.adc_width)) |
             r::params::kLutLog2.put(0, static_cast<uint32_t>(r::kLutLog2));
    case r::weights_written::kOffset: return counters_[kWeightsWritten];
    case r::weights_read::kOffset: return counters_[kWeightsRead];
    case r::cells_written::kOffset: return counters_[kCellsWritten];
    case r::cells_read::kOffset: return counters_[kCellsRead];
    case r::meta_written::kOffset: return counters_[kMetaWritten];
    case r::meta_read::kOffset: return counters_[kMetaRead];
    case r::dir_written::kOffset: return counters_[kDirWritten];
    case r::dir_read::kOffset: return counters_[kDirRead];
    case r::sat_count::kOffset: return counters_[kSat];
    case r::nan_count::kOffset: return counters_[kNan];
    case r::err_count::kOffset: return counters_[kErr];
    case r::pulses::kOffset: return counters_[kPulses];
    case r::verify_reads::kOffset: return counters_[kVerifyReads];
    case r::pv_failed::kOffset: return counters_[kPvFailed];
    case r::ref_reads::kOffset: return counters_[kRefReads];
    default: break;
  }
  if (addr >= r::lut::kOffset && addr < r::lut::kOffset + 4 * r::lut::kEntries && addr % 4 == 0) {
    return static_cast<uint32_t>(cfg_.lut[(addr - r::lut::kOffset) / 4]);
  }
  hit = false;
  return 0;
}

bool ControllerModel::legal(uint32_t addr, uint32_t data, bool busy) const {
  namespace r = regs;
  const bool is_lut =
      addr >= r::lut::kOffset && addr < r::lut::kOffset + 4 * r::lut::kEntries && addr % 4 == 0;
  uint32_t mask = ~0u;
  bool ok = true;
  switch (addr) {
    case r::ctrl::kOffset: mask = r::ctrl::kMask; break;
    case r::cmd::kOffset: mask = r::cmd::kMask; ok = !(r::cmd::kStart.get(data) && busy); break;
    case r::threshold::kOffset: ok = fp32_nonnegative_finite(data); break;
    case r::scale_small::kOffset:
    case r::rscale_small::kOffset:
    case r::scale_large::kOffset:
    case r::rscale_large::kOffset: ok = fp32_positive_normal(data); break;
    case r::shift_small::kOffset:
    case r::shift_large::kOffset: ok = in_signed(data, info_at(addr).min, info_at(addr).max); break;
    case r::cells_small::kOffset:
    case r::cells_large::kOffset:
    case r::cells_sens::kOffset: ok = in_unsigned(data, info_at(addr).min, info_at(addr).max); break;
    case r::range::kOffset: {
      const int32_t lo = sext16(data);
      const int32_t hi = sext16(data >> 16);
      ok = lo >= -(1 << r::kRangeFrac) && hi <= (1 << r::kRangeFrac) && lo < hi;
      break;
    }
    case r::res::kOffset: {
      mask = r::res::kMask;
      const uint32_t dac = r::res::kDacBits.get(data);
      const uint32_t adc = r::res::kAdcBits.get(data);
      ok = dac >= r::kResBitsMin && dac <= static_cast<uint32_t>(params_.dac_width) &&
           adc >= r::kResBitsMin && adc <= static_cast<uint32_t>(params_.adc_width);
      break;
    }
    case r::dir::kOffset:
    case r::pv_pulses::kOffset:
    case r::pv_tol::kOffset:
    case r::pv_gain::kOffset:
    case r::comp::kOffset:  // one field or more, an unsigned range over the register
      mask = info_at(addr).mask;
      ok = in_unsigned(data, info_at(addr).min, info_at(addr).max);
      break;
    case r::ref_base::kOffset: break;
    case r::analog_base::kOffset:
    case r::meta_base::kOffset:
    case r::dir_base::kOffset:
    case r::num_weights::kOffset:
    case r::next_cell::kOffset: break;
    default:
      if (is_lut) {
        ok = in_signed(data, info_at(r::lut::kOffset).min, info_at(r::lut::kOffset).max);
      } else {
        ok = false;  // read-only or unmapped
      }
  }
  if (addr != r::cmd::kOffset && busy) ok = false;
  if ((data & ~mask) != 0) ok = false;
  return ok;
}

void ControllerModel::apply(uint32_t addr, uint32_t data) {
  namespace r = regs;
  switch (addr) {
    case r::ctrl::kOffset:
      ctrl_ = data;
      cfg_.sp = r::ctrl::kSp.get(data);
      cfg_.am = r::ctrl::kAm.get(data);
      cfg_.ar = r::ctrl::kAr.get(data);
      cfg_.sens = r::ctrl::kSens.get(data);
      break;
    case r::cmd::kOffset:
      if (r::cmd::kStart.get(data)) {
        num_weights_ = 0;
        next_cell_ = 0;
      }
      if (r::cmd::kClearCounters.get(data)) counters_.fill(0);
      if (r::cmd::kClearFlags.get(data)) nan_seen_ = sat_seen_ = bus_err_ = rd_err_ = false;
      break;
    case r::threshold::kOffset: cfg_.threshold = data; break;
    case r::scale_small::kOffset: cfg_.scale_small = data; break;
    case r::rscale_small::kOffset: cfg_.rscale_small = data; break;
    case r::shift_small::kOffset: cfg_.shift_small = static_cast<int32_t>(data); break;
    case r::scale_large::kOffset: cfg_.scale_large = data; break;
    case r::rscale_large::kOffset: cfg_.rscale_large = data; break;
    case r::shift_large::kOffset: cfg_.shift_large = static_cast<int32_t>(data); break;
    case r::cells_small::kOffset: cfg_.cells_small = data; break;
    case r::cells_large::kOffset: cfg_.cells_large = data; break;
    case r::cells_sens::kOffset: cfg_.cells_sens = data; break;
    case r::range::kOffset:
      range_ = data;
      cfg_.range_lo = sext16(data);
      cfg_.range_hi = sext16(data >> 16);
      break;
    case r::res::kOffset:
      res_ = data;
      cfg_.dac_bits = static_cast<int>(r::res::kDacBits.get(data));
      cfg_.adc_bits = static_cast<int>(r::res::kAdcBits.get(data));
      break;
    case r::dir::kOffset: dir_ = data; break;
    case r::analog_base::kOffset: analog_base_ = data; break;
    case r::meta_base::kOffset: meta_base_ = data; break;
    case r::dir_base::kOffset: dir_base_ = data; break;
    case r::num_weights::kOffset: num_weights_ = data; break;
    case r::next_cell::kOffset: next_cell_ = data; break;
    case r::pv_pulses::kOffset: pv_pulses_ = data; break;
    case r::pv_tol::kOffset: pv_tol_ = data; break;
    case r::pv_gain::kOffset: pv_gain_ = data; break;
    case r::comp::kOffset: comp_ = data; break;
    case r::ref_base::kOffset: ref_base_ = data; break;
    default:
      if (addr >= r::lut::kOffset && addr < r::lut::kOffset + 4 * r::lut::kEntries) {
        cfg_.lut[(addr - r::lut::kOffset) / 4] = static_cast<int32_t>(data);
      }
  }
}

BusResult ControllerModel::write_reg(uint32_t addr, uint32_t data, bool busy) {
  BusResult result;
  result.ok = legal(addr, data, busy);
  if (result.ok) {
    apply(addr, data);
  } else {
    bump(kErr, 1);
    bus_err_ = true;
  }
  return result;
}

BusResult ControllerModel::read_reg(uint32_t addr, bool /*busy*/) {
  BusResult result;
  bool hit = false;
  result.data = reg_value(addr, hit);
  result.ok = hit;
  if (!hit) {
    result.data = 0;
    bump(kErr, 1);
    bus_err_ = true;
  }
  return result;
}

void ControllerModel::write_weight(uint32_t weight_bits, bool sensitive, bool last) {
  const Encoded enc = encode(cfg_, weight_bits, sensitive);
  if (enc.refused) {
    bump(kNan, 1);
    nan_seen_ = true;
    if (last) program_refs();  // a refused last weight still closes the tensor
    return;
  }
  if (enc.saturated) {
    bump(kSat, 1);
    sat_seen_ = true;
  }
  const uint32_t index = num_weights_;
  const uint32_t block_log2 = regs::dir::kBlockLog2.get(dir_);
  if (cfg_.directory_enabled() && (index & ((1u << block_log2) - 1u)) == 0) {
    array_.write_digital(dir_base_ + (index >> block_log2), next_cell_);
    bump(kDirWritten, 1);
  }
  if (cfg_.meta_enabled()) {
    array_.write_digital(meta_base_ + index, enc.meta);
    bump(kMetaWritten, 1);
  }
  for (uint32_t j = 0; j < enc.cells; ++j) program_cell(analog_base_ + next_cell_ + j, enc.code, enc.target);
  next_cell_ += enc.cells;
  bump(kCellsWritten, enc.cells);
  ++num_weights_;
  bump(kWeightsWritten, 1);
  if (last) program_refs();
}

void ControllerModel::program_refs() {
  if (!regs::comp::kEn.get(comp_)) return;
  const uint32_t count = 1u << regs::comp::kRefLog2.get(comp_);
  int knot = first_ref_knot(cfg_);
  for (uint32_t j = 0; j < count; ++j, knot = next_ref_knot(cfg_, knot)) {
    const int32_t code = code_of(cfg_.lut[static_cast<std::size_t>(knot)], cfg_.dac_bits);  // knots are legal Q11.20 values
    program_cell(ref_base_ + j, code, ref_target(knot, cfg_.adc_bits));
  }
}

int32_t ControllerModel::read_drift_offset() {
  const int ref_log2 = static_cast<int>(regs::comp::kRefLog2.get(comp_));
  const uint32_t count = 1u << ref_log2;
  int knot = first_ref_knot(cfg_);
  int64_t sum = 0;
  for (uint32_t j = 0; j < count; ++j, knot = next_ref_knot(cfg_, knot)) {
    sum += adc_lane(array_.read_analog(ref_base_ + j, cfg_.adc_bits)) - ref_target(knot, cfg_.adc_bits);
    bump(kRefReads, 1);
  }
  return drift_offset_of(sum, ref_log2, cfg_.adc_bits);
}

int32_t ControllerModel::adc_lane(int32_t raw) const {
  const int lane_shift = 32 - params_.adc_width;
  return static_cast<int32_t>(static_cast<uint32_t>(raw) << lane_shift) >> lane_shift;
}

void ControllerModel::merge(const ProgramCounts& counts) {
  bump(kPulses, counts.pulses);
  bump(kVerifyReads, counts.verify_reads);
  bump(kPvFailed, counts.verify.failed);
  for (std::size_t k = 0; k < counts.verify.pulses_used.size(); ++k) {
    verify_stats_.pulses_used[k] += counts.verify.pulses_used[k];
  }
  verify_stats_.failed += counts.verify.failed;
}

template <class Write, class Read>
void ControllerModel::verify_loop(uint32_t addr, int32_t code, int32_t target, Write&& write, Read&& read,
                                  ProgramCounts& counts) const {
  for (uint32_t pulse = 1;; ++pulse) {
    write(addr, code);
    ++counts.pulses;
    if (pv_pulses_ <= 1) return;
    const int32_t adc = adc_lane(read(addr));
    ++counts.verify_reads;
    const int32_t error = target - adc;
    if (static_cast<uint32_t>(error < 0 ? -error : error) <= pv_tol_) {
      ++counts.verify.pulses_used[pulse];
      return;
    }
    if (pulse >= pv_pulses_) {
      ++counts.verify.failed;
      return;
    }
    code = verify_correct(code, error, pv_gain_, cfg_.dac_bits, cfg_.adc_bits);
  }
}

void ControllerModel::program_cell(uint32_t addr, int32_t code, int32_t target) {
  ProgramCounts counts;
  verify_loop(
      addr, code, target, [&](uint32_t a, int32_t c) { array_.write_analog(a, c, cfg_.dac_bits); },
      [&](uint32_t a) { return array_.read_analog(a, cfg_.adc_bits); }, counts);
  merge(counts);
}

void ControllerModel::write_weights(const uint32_t* bits, const uint8_t* sens, std::size_t n, bool last,
                                    unsigned threads) {
  if (n == 0) return;  // as a stream of no beats
  auto* store = dynamic_cast<CellStore*>(&array_);
  if (store == nullptr) {
    for (std::size_t i = 0; i < n; ++i) write_weight(bits[i], sens != nullptr && sens[i] != 0, last && i + 1 == n);
    return;
  }
  // 1. per block of weights: the encoder (pure), and what the block adds to
  // the stream's weight index and cell pointer
  if (enc_.size() < n) enc_.resize(n);
  Encoded* const enc = enc_.data();
  const unsigned blocks = block_count(n, threads);
  struct Tally {
    uint64_t weights = 0;  // not refused
    uint64_t cells = 0;
    uint64_t nan = 0;
    uint64_t sat = 0;
  };
  std::vector<Tally> tally(blocks);
  const Encoder encoder(cfg_);
  parallel_blocks(n, threads, [&](unsigned b, std::size_t begin, std::size_t end) {
    Tally t;
    for (std::size_t i = begin; i < end; ++i) {
      const Encoded e = encoder(bits[i], sens != nullptr && sens[i] != 0);
      enc[i] = e;
      t.nan += e.refused;
      t.sat += !e.refused && e.saturated;
      t.weights += !e.refused;
      t.cells += e.refused ? 0 : e.cells;
    }
    tally[b] = t;
  });
  // 2. in stream order over the blocks: where each starts, and the counters
  // and flags write_weight bumps per weight (the sums saturate the same way,
  // the counters only ever growing)
  std::vector<uint32_t> index0(blocks);
  std::vector<uint32_t> cell0(blocks);
  const uint32_t start_index = num_weights_;
  const uint32_t start_cell = next_cell_;
  Tally all;
  for (unsigned b = 0; b < blocks; ++b) {
    index0[b] = num_weights_;
    cell0[b] = next_cell_;
    num_weights_ += static_cast<uint32_t>(tally[b].weights);  // wraps as the RTL's registers
    next_cell_ += static_cast<uint32_t>(tally[b].cells);
    all.weights += tally[b].weights;
    all.cells += tally[b].cells;
    all.nan += tally[b].nan;
    all.sat += tally[b].sat;
  }
  if (all.nan > 0) nan_seen_ = true;
  if (all.sat > 0) sat_seen_ = true;
  bump(kNan, all.nan);
  bump(kSat, all.sat);
  bump(kCellsWritten, all.cells);
  bump(kWeightsWritten, all.weights);
  if (cfg_.meta_enabled()) bump(kMetaWritten, all.weights);
  // 3. the metadata and directory words and the cells, over the same blocks.
  // Blocks write disjoint words and cells unless the part wraps the 2^32
  // address space onto itself or the metadata and directory regions overlap:
  // then in stream order on one thread, through the pages as write_weight does.
  const uint32_t block_log2 = regs::dir::kBlockLog2.get(dir_);
  const bool dir_en = cfg_.directory_enabled();
  const bool meta_en = cfg_.meta_enabled();
  const uint64_t meta_lo = uint64_t{meta_base_} + start_index;
  // the directory entries written: one per index that is a multiple of the block
  const uint64_t dir_mask64 = (uint64_t{1} << block_log2) - 1;
  const uint64_t first_multiple = (uint64_t{start_index} + dir_mask64) & ~dir_mask64;
  const uint64_t end_index = uint64_t{start_index} + all.weights;
  const uint64_t dir_n = first_multiple < end_index ? ((end_index - 1) >> block_log2) - (first_multiple >> block_log2) + 1 : 0;
  const uint64_t dir_lo = uint64_t{dir_base_} + (first_multiple >> block_log2);
  const bool disjoint = all.cells < (uint64_t{1} << 32) && end_index <= (uint64_t{1} << 32) &&
                        (!meta_en || meta_lo + all.weights <= (uint64_t{1} << 32)) &&
                        (!dir_en || dir_lo + dir_n <= (uint64_t{1} << 32)) &&
                        (!meta_en || !dir_en || meta_lo + all.weights <= dir_lo || dir_lo + dir_n <= meta_lo);
  const unsigned use = disjoint ? threads : 1u;
  if (disjoint) {
    if (meta_en) store->reserve_digital(static_cast<uint32_t>(meta_lo), all.weights);
    if (dir_en && dir_n > 0) store->reserve_digital(static_cast<uint32_t>(dir_lo), dir_n);
  }
  store->reserve_analog(analog_base_ + start_cell, all.cells);
  if (CellStore::levels_pay_off(n, cfg_.dac_bits)) store->prepare_levels(cfg_.dac_bits);
  const unsigned cell_blocks = block_count(n, use);
  std::vector<ProgramCounts> counts(cell_blocks);
  std::vector<uint64_t> dir_written(cell_blocks);
  std::vector<CellStore::Cursor>& cursor_of = cursors(cell_blocks);
  const uint32_t dir_mask = (1u << block_log2) - 1u;
  parallel_blocks(n, use, [&](unsigned b, std::size_t begin, std::size_t end) {
    CellStore::Cursor& cursor = cursor_of[b];
    auto write = [&](uint32_t a, int32_t c) { store->write_analog(cursor, a, c, cfg_.dac_bits); };
    auto read = [&](uint32_t a) { return store->read_analog(cursor, a, cfg_.adc_bits); };
    auto word = [&](uint32_t a, uint32_t v) {
      if (disjoint) {
        store->write_digital(cursor, a, v);
      } else {
        store->write_digital(a, v);
      }
    };
    // with one block of cells the blocks of step 1 follow one another
    uint32_t index = index0[cell_blocks == blocks ? b : 0];
    uint32_t cell = cell0[cell_blocks == blocks ? b : 0];
    uint64_t dir = 0;
    // One pulse per cell (no verify): the block's cells, consecutive, are
    // programmed in runs whose noise is drawn together (CellStore::write_run).
    const bool runs = pv_pulses_ <= 1;
    int32_t run[CellStore::kRunCells];
    std::size_t run_n = 0;
    uint32_t run_first = analog_base_ + cell;
    auto flush = [&] {
      store->write_run(cursor, run_first, run, run_n, cfg_.dac_bits);
      counts[b].pulses += run_n;
      run_first += static_cast<uint32_t>(run_n);
      run_n = 0;
    };
    for (std::size_t i = begin; i < end; ++i) {
      if (i + kLevelAhead < end) store->prefetch_level(enc[i + kLevelAhead].code, cfg_.dac_bits);
      const Encoded& e = enc[i];
      if (e.refused) continue;
      if (dir_en && (index & dir_mask) == 0) {
        word(dir_base_ + (index >> block_log2), cell);
        ++dir;
      }
      if (meta_en) word(meta_base_ + index, e.meta);
      for (uint32_t j = 0; j < e.cells; ++j) {
        if (runs) {
          run[run_n++] = e.code;
          if (run_n == CellStore::kRunCells) flush();
        } else {
          verify_loop(analog_base_ + cell + j, e.code, e.target, write, read, counts[b]);
        }
      }
      cell += e.cells;
      ++index;
    }
    if (run_n > 0) flush();
    dir_written[b] = dir;
  });
  for (unsigned b = 0; b < cell_blocks; ++b) {
    bump(kDirWritten, dir_written[b]);
    merge(counts[b]);
    store->merge(cursor_of[b]);
  }
  if (last) program_refs();
}

std::vector<ReadBeat> ControllerModel::read(uint32_t index, uint32_t count) {
  const bool in_range = count != 0 && uint64_t{index} + count <= num_weights_;
  std::vector<uint32_t> words(in_range ? count : 0);
  if (!read_weights(index, count, words.data(), 1)) return {ReadBeat{0, true, true}};
  std::vector<ReadBeat> beats;
  beats.reserve(count);
  for (uint32_t k = 0; k < count; ++k) beats.push_back(ReadBeat{words[k], k + 1 == count, false});
  return beats;
}

bool ControllerModel::read_weights(uint32_t index, uint32_t count, uint32_t* out, unsigned threads) {
  // pcm_refs reads the references once per request, from the cycle it is
  // taken, before the reader's first cell read
  if (regs::comp::kEn.get(comp_)) drift_offset_ = read_drift_offset();
  const int32_t offset = regs::comp::kEn.get(comp_) ? drift_offset_ : 0;
  const uint64_t end = uint64_t{index} + count;
  if (count == 0 || end > num_weights_) {
    bump(kErr, 1);
    rd_err_ = true;
    return false;
  }
  const auto lanes = static_cast<uint32_t>(params_.num_lanes);
  const bool meta_en = cfg_.meta_enabled();
  const uint32_t block_log2 = regs::dir::kBlockLog2.get(dir_);
  auto meta_at = [&](uint32_t i) { return meta_en ? array_.read_digital(meta_base_ + i) & 7u : 0u; };
  uint32_t ptr = 0;
  if (cfg_.directory_enabled()) {
    ptr = array_.read_digital(dir_base_ + (index >> block_log2));
    bump(kDirRead, 1);
    for (uint32_t walk = index & ~((1u << block_log2) - 1u); walk < index;) {
      const uint32_t n = std::min(lanes, index - walk);
      for (uint32_t k = 0; k < n; ++k) ptr += cells_for(cfg_, meta_at(walk + k));
      bump(kMetaRead, n);
      walk += n;
    }
  } else {
    ptr = index * cfg_.cells_small;
  }
  // 1. per block of weights: the records (digital reads, no noise) and the
  // cells they take; 2. in block order, where each block's cells start;
  // 3. per block, the analog cells and the decoder (reads of different
  // cells: any order gives the same draws)
  auto* store = dynamic_cast<CellStore*>(&array_);
  const unsigned use = store != nullptr ? threads : 1u;
  const unsigned blocks = block_count(count, use);
  std::vector<CellStore::Cursor>& cursor_of = cursors(blocks);
  if (meta_.size() < count) meta_.resize(count);
  uint32_t* const meta = meta_.data();
  const Decoder decoder(cfg_);
  std::vector<uint64_t> cells(blocks);
  parallel_blocks(count, use, [&](unsigned b, std::size_t begin, std::size_t stop) {
    const uint32_t first_record = meta_base_ + index + static_cast<uint32_t>(begin);
    if (!meta_en) {
      std::fill(meta + begin, meta + stop, 0u);
    } else if (store != nullptr) {
      store->read_digital_run(cursor_of[b], first_record, meta + begin, stop - begin);
    } else {
      for (std::size_t k = begin; k < stop; ++k) meta[k] = array_.read_digital(first_record + static_cast<uint32_t>(k - begin));
    }
    uint64_t sum = 0;
    for (std::size_t k = begin; k < stop; ++k) {
      meta[k] &= 7u;
      sum += decoder.cells(meta[k]);
    }
    cells[b] = sum;
  });
  std::vector<uint32_t> first(blocks);
  uint64_t all_cells = 0;
  for (unsigned b = 0; b < blocks; ++b) {
    first[b] = ptr;
    ptr += static_cast<uint32_t>(cells[b]);  // wraps as the RTL's pointer
    all_cells += cells[b];
  }
  if (meta_en) bump(kMetaRead, count);
  bump(kCellsRead, all_cells);
  bump(kWeightsRead, count);
  parallel_blocks(count, use, [&](unsigned b, std::size_t begin, std::size_t stop) {
    uint32_t cell = first[b];
    if (store == nullptr) {
      for (std::size_t k = begin; k < stop; ++k) {
        const uint32_t r = decoder.cells(meta[k]);
        int64_t sum = 0;
        for (uint32_t j = 0; j < r; ++j) sum += adc_lane(array_.read_analog(analog_base_ + cell + j, cfg_.adc_bits));
        cell += r;
        out[k] = decoder(meta[k], sum, offset);
      }
      return;
    }
    // the cells of consecutive weights are consecutive: read them in runs of
    // whole weights, a run holding at least the most cells a weight can have
    constexpr std::size_t kReadCells = std::size_t{1} << regs::cells_small::kValue.width;
    static_assert(regs::cells_large::kValue.width <= regs::cells_small::kValue.width &&
                  regs::cells_sens::kValue.width <= regs::cells_small::kValue.width);
    int32_t adc[kReadCells];
    for (std::size_t k = begin; k < stop;) {
      std::size_t weights_end = k;
      std::size_t run = 0;
      while (weights_end < stop && run + decoder.cells(meta[weights_end]) <= kReadCells) {
        run += decoder.cells(meta[weights_end++]);
      }
      store->read_run(cursor_of[b], analog_base_ + cell, adc, run, cfg_.adc_bits);
      cell += static_cast<uint32_t>(run);
      const int32_t* code = adc;
      for (; k < weights_end; ++k) {
        int64_t sum = 0;
        for (uint32_t j = decoder.cells(meta[k]); j > 0; --j) sum += adc_lane(*code++);
        out[k] = decoder(meta[k], sum, offset);
      }
    }
  });
  if (store != nullptr) {
    for (unsigned b = 0; b < blocks; ++b) store->merge(cursor_of[b]);
  }
  return true;
}

std::vector<CellStore::Cursor>& ControllerModel::cursors(unsigned blocks) {
  if (cursors_.size() < blocks) cursors_.resize(blocks);
  for (auto& cursor : cursors_) cursor.begin();
  return cursors_;
}

}  // namespace pcm::model
