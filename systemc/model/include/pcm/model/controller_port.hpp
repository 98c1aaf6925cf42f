#pragma once

// What host software sees of a controller, whichever engine simulates it:
// register accesses, the weight write stream, and read requests. The RTL
// platform (TLM-2.0 transactions into the Verilated pcm_ctrl), the functional
// model and the float reference all implement it, so the host's program for a
// tensor is the same code for every engine.

#include <cstddef>
#include <cstdint>

#include "pcm/model/controller_model.hpp"

namespace pcm::model {

class ControllerPort {
 public:
  virtual ~ControllerPort() = default;

  virtual BusResult write_reg(uint32_t addr, uint32_t data) = 0;
  virtual BusResult read_reg(uint32_t addr) = 0;

  // Streams n weights (fp32 bits) with their sensitivity bits (0 or 1; sens
  // may be nullptr: none sensitive); the last one closes the tensor
  // (wr_last). n may be 0 (nothing happens).
  void write_weights(const uint32_t* bits, const uint8_t* sens, std::size_t n) { stream_weights(bits, sens, n, true); }
  // The same for one part of a tensor: its last weight closes the tensor only
  // when `last`, so a host can stream a tensor in parts (and report progress
  // between them) with the beats, and so the cycles, of one stream.
  virtual void stream_weights(const uint32_t* bits, const uint8_t* sens, std::size_t n, bool last) = 0;

  // One read request of `count` weights from `index`; writes count fp32 words
  // to out. Returns false when the controller answered with an error beat
  // (out of range or count 0), in which case out is untouched.
  virtual bool read_weights(uint32_t index, uint32_t count, uint32_t* out) = 0;

  // Controller clock cycles simulated so far; 0 for an untimed controller.
  // The host reads it around the store and the load to split their cycles.
  virtual uint64_t cycles() const { return 0; }
};

// The functional model behind the port: parts of the stream and read
// requests go to its block calls, on up to `threads` threads (the same
// results for any count).
class ModelPort final : public ControllerPort {
 public:
  ModelPort(ControllerParams params, CellArray& array, unsigned threads = 1)
      : model_(params, array), threads_(threads) {}

  BusResult write_reg(uint32_t addr, uint32_t data) override { return model_.write_reg(addr, data); }
  BusResult read_reg(uint32_t addr) override { return model_.read_reg(addr); }
  void stream_weights(const uint32_t* bits, const uint8_t* sens, std::size_t n, bool last) override;
  bool read_weights(uint32_t index, uint32_t count, uint32_t* out) override;

  ControllerModel& model() { return model_; }

 private:
  ControllerModel model_;
  unsigned threads_;
};

}  // namespace pcm::model
