// Internal: the table texts compiled into the library.
#pragma once

#include <vector>

namespace pcm::channel_model::detail {
struct EmbeddedTable {
  const char* name;
  const char* text;
};
const std::vector<EmbeddedTable>& embedded_tables();
}  // namespace pcm::channel_model::detail
