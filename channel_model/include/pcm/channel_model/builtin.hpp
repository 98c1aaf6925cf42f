// Tables compiled into the library (channel_model/tables/*.csv).
#pragma once

#include <string>
#include <vector>

#include "pcm/channel_model/table.hpp"

namespace pcm::channel_model {

struct BuiltinTable {
  std::string name;
  std::string summary;
};

std::vector<BuiltinTable> builtin_tables();
// Throws TableError naming the known tables when name is not one of them.
Table load_builtin_table(const std::string& name);
// Whether name is one of the built-in tables (no parsing).
bool is_builtin_table(const std::string& name);
// A built-in table's text, as compiled in (TableError for an unknown name).
std::string builtin_table_text(const std::string& name);
// A built-in name, or else a file path.
Table load_table(const std::string& name_or_path);

}  // namespace pcm::channel_model
