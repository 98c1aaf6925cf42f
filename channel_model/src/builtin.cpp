#include "pcm/channel_model/builtin.hpp"

#include <sstream>

#include "builtin_tables.hpp"
#include "pcm/channel_model/errors.hpp"

namespace pcm::channel_model {
namespace {

[[noreturn]] void unknown_table(const std::string& name) {
  std::string known;
  for (const auto& t : detail::embedded_tables()) known += (known.empty() ? "" : ", ") + std::string(t.name);
  throw TableError("no built-in table '" + name + "' (built-in: " + known + ")");
}

}  // namespace

std::vector<BuiltinTable> builtin_tables() {
  std::vector<BuiltinTable> out;
  for (const auto& t : detail::embedded_tables()) {
    out.push_back({t.name, load_builtin_table(t.name).meta("summary")});
  }
  return out;
}

Table load_builtin_table(const std::string& name) {
  std::istringstream in(builtin_table_text(name));
  return parse_table(in, "builtin:" + name);
}

std::string builtin_table_text(const std::string& name) {
  for (const auto& t : detail::embedded_tables()) {
    if (name == t.name) return t.text;
  }
  unknown_table(name);
}

bool is_builtin_table(const std::string& name) {
  for (const auto& t : detail::embedded_tables()) {
    if (name == t.name) return true;
  }
  return false;
}

Table load_table(const std::string& name_or_path) {
  return is_builtin_table(name_or_path) ? load_builtin_table(name_or_path) : load_table_file(name_or_path);
}

}  // namespace pcm::channel_model
