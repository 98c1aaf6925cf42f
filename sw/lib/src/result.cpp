#include "pcm/sw/result.hpp"

#include "pcm/sw/provenance.hpp"

#include <stdexcept>

namespace pcm::sw {

Provenance provenance_of(const std::string& model_path, const std::string& channel, const std::string& command) {
  Provenance p;
  p.version = version();
  p.build = build_describe();
  p.command = command;
  p.timestamp = utc_timestamp();
  if (!model_path.empty()) p.model_sha256 = sha256_file(model_path);
  p.channel_sha256 = channel_sha256(channel);
  return p;
}

namespace {

std::vector<std::pair<std::string, std::string>> flat(const RunConfig& config, const RunResult& result) {
  std::vector<std::pair<std::string, std::string>> cells;
  flatten_fields(config, "", cells);
  flatten_fields(result, "", cells);
  return cells;
}

}  // namespace

nlohmann::json run_json(const RunConfig& config, const RunResult& result) {
  return {{"config", fields_to_json(config)}, {"result", fields_to_json(result)}};
}

std::pair<RunConfig, RunResult> read_run_json(const nlohmann::json& j, const std::string& what) {
  if (!j.is_object() || !j.contains("config") || !j.contains("result")) {
    throw std::runtime_error(what + ": not a pcmsim run result (expected \"config\" and \"result\")");
  }
  std::pair<RunConfig, RunResult> r;
  try {
    fields_from_json(j.at("config"), r.first);
    fields_from_json(j.at("result"), r.second);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(what + ": damaged run result: " + e.what());
  }
  return r;
}

std::vector<std::string> csv_columns(const std::vector<std::string>& leading) {
  std::vector<std::string> names = leading;
  for (const auto& [name, value] : flat(RunConfig{}, RunResult{})) names.push_back(name);
  return names;
}

std::vector<std::string> csv_values(const RunConfig& config, const RunResult& result,
                                    const std::vector<std::string>& leading) {
  std::vector<std::string> values = leading;
  for (const auto& [name, value] : flat(config, result)) values.push_back(value);
  return values;
}

std::string csv_line(const std::vector<std::string>& cells) {
  std::string line;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += ',';
    const std::string& s = cells[i];
    if (s.find_first_of(",\"\n\r") == std::string::npos) {
      line += s;
      continue;
    }
    line += '"';
    for (char c : s) line += c == '"' ? std::string("\"\"") : std::string(1, c);
    line += '"';
  }
  return line;
}

}  // namespace pcm::sw
