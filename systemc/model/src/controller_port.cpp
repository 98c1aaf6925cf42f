#include "pcm/model/controller_port.hpp"

namespace pcm::model {

void ModelPort::stream_weights(const uint32_t* bits, const uint8_t* sens, std::size_t n, bool last) {
  model_.write_weights(bits, sens, n, last, threads_);
}

bool ModelPort::read_weights(uint32_t index, uint32_t count, uint32_t* out) {
  return model_.read_weights(index, count, out, threads_);
}

}  // namespace pcm::model
