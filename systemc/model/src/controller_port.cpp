#include "pcm/model/controller_port.hpp"

#include <algorithm>

namespace pcm::model {

void ModelPort::stream_weights(const uint32_t* bits, const uint8_t* sens, std::size_t n, bool last) {
  for (std::size_t i = 0; i < n; ++i) model_.write_weight(bits[i], sens != nullptr && sens[i] != 0, last && i + 1 == n);
}

bool ModelPort::read_weights(uint32_t index, uint32_t count, uint32_t* out) {
  const std::vector<ReadBeat> beats = model_.read(index, count);
  if (beats.empty() || beats.front().err) return false;
  std::transform(beats.begin(), beats.end(), out, [](const ReadBeat& b) { return b.weight; });
  return true;
}

}  // namespace pcm::model
