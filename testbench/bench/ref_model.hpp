// The reference the scoreboard checks the design against, behind an interface
// so another reference can be plugged in: today the functional model of the
// controller (pcm::model::ControllerModel) over its own stand-in array, fed by
// the input monitors with what the design actually accepted.
#pragma once

#include <cstdint>
#include <vector>

#include "pcm/model/cell_array.hpp"
#include "pcm/model/codec.hpp"
#include "pcm/model/controller_model.hpp"

namespace bench {

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
};

class ControllerRef final : public RefModel {
 public:
  ControllerRef(int lanes, double sigma, uint64_t seed)
      : array_(sigma, seed), model_(pcm::model::ControllerParams{lanes, 16, 16}, array_) {}
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

 private:
  pcm::model::StandInArray array_;
  pcm::model::ControllerModel model_;
};

}  // namespace bench
