// The reference the scoreboard checks the design against, behind an interface
// so another reference can be plugged in: today the functional model of the
// controller (pcm::model::ControllerModel) over its own stand-in array, fed by
// the input monitors with what the design actually accepted.
#pragma once

#include <cstdint>
#include <deque>
#include <unordered_map>
#include <vector>

#include "pcm/model/cell_array.hpp"
#include "pcm/model/codec.hpp"
#include "pcm/model/controller_model.hpp"

namespace bench {

// The reference's array accesses, per cell, in order: the model's
// CellArray is this log over its stand-in array, so the scoreboard can hold
// every access the design makes on its cell port against the model's
// (write-side scoreboard: addresses, analog codes, metadata and directory
// words; read addresses too).
class CellLog final : public pcm::model::CellArray {
 public:
  struct Op {
    bool write = false;
    uint32_t value = 0;  // analog: the DAC code (writes); digital: the word (writes)
    int bits = 0;        // analog: DAC (write) or ADC (read) resolution
  };
  explicit CellLog(pcm::model::CellArray& array) : array_(array) {}
  void write_analog(uint32_t addr, int32_t code, int dac_bits) override {
    push(false, addr, {true, static_cast<uint32_t>(code), dac_bits});
    array_.write_analog(addr, code, dac_bits);
  }
  int32_t read_analog(uint32_t addr, int adc_bits) override {
    push(false, addr, {false, 0, adc_bits});
    return array_.read_analog(addr, adc_bits);
  }
  void write_digital(uint32_t addr, uint32_t word) override {
    push(true, addr, {true, word, 0});
    array_.write_digital(addr, word);
  }
  uint32_t read_digital(uint32_t addr) override {
    push(true, addr, {false, 0, 0});
    return array_.read_digital(addr);
  }
  // The oldest access of this cell the design has not made yet (nullptr: none).
  const Op* front(bool digital, uint32_t addr) const {
    const auto it = ops_.find(key(digital, addr));
    return it == ops_.end() ? nullptr : &it->second.front();
  }
  void pop(bool digital, uint32_t addr) {
    const auto it = ops_.find(key(digital, addr));
    it->second.pop_front();
    if (it->second.empty()) ops_.erase(it);
  }
  // Accesses the model made that the design has not: (digital, address, op).
  std::vector<std::pair<uint64_t, Op>> left() const {
    std::vector<std::pair<uint64_t, Op>> out;
    for (const auto& [k, q] : ops_) out.emplace_back(k, q.front());
    return out;
  }
  bool empty() const { return ops_.empty(); }
  void clear() { ops_.clear(); }
  static uint64_t key(bool digital, uint32_t addr) { return (uint64_t{digital} << 32) | addr; }

 private:
  void push(bool digital, uint32_t addr, Op op) { ops_[key(digital, addr)].push_back(op); }
  pcm::model::CellArray& array_;
  std::unordered_map<uint64_t, std::deque<Op>> ops_;
};

class RefModel {
 public:
  struct Bus {
    bool ok = false;
    uint32_t data = 0;
  };
  virtual ~RefModel() = default;
  virtual Bus write_reg(uint32_t addr, uint32_t data, bool busy) = 0;
  virtual Bus read_reg(uint32_t addr, bool busy = false) = 0;
  virtual void write_weight(uint32_t bits, bool sens, bool last) = 0;
  // The beats the design must answer a read request with.
  virtual std::vector<pcm::model::ReadBeat> read(uint32_t index, uint32_t count) = 0;
  virtual const pcm::model::CodecConfig& codec() const = 0;
  virtual void set_sigma(double sigma) = 0;  // read noise of the reference's array
  // How the cells verified so far converged (coverage).
  virtual const pcm::model::ControllerModel::VerifyStats& verify_stats() const = 0;
  virtual CellLog& cell_log() = 0;
};

class ControllerRef final : public RefModel {
 public:
  ControllerRef(int lanes, double sigma, uint64_t seed)
      : array_(sigma, seed), log_(array_), model_(pcm::model::ControllerParams{lanes, 16, 16}, log_) {}
  Bus write_reg(uint32_t addr, uint32_t data, bool busy) override {
    const auto r = model_.write_reg(addr, data, busy);
    return {r.ok, r.data};
  }
  Bus read_reg(uint32_t addr, bool busy = false) override {
    const auto r = model_.read_reg(addr, busy);
    return {r.ok, r.data};
  }
  void write_weight(uint32_t bits, bool sens, bool last) override { model_.write_weight(bits, sens, last); }
  std::vector<pcm::model::ReadBeat> read(uint32_t index, uint32_t count) override { return model_.read(index, count); }
  const pcm::model::CodecConfig& codec() const override { return model_.codec(); }
  void set_sigma(double sigma) override { array_.set_sigma(sigma); }
  const pcm::model::ControllerModel::VerifyStats& verify_stats() const override { return model_.verify_stats(); }
  CellLog& cell_log() override { return log_; }

 private:
  pcm::model::StandInArray array_;
  CellLog log_;
  pcm::model::ControllerModel model_;
};

}  // namespace bench
