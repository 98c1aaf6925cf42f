#include "pcm/channel_model/table.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <istream>
#include <map>
#include <numeric>
#include <ostream>
#include <sstream>

#include "pcm/channel_model/errors.hpp"

namespace pcm::channel_model {
namespace {

constexpr const char* kFormatName = "pcmsim-channel-table";
constexpr int kFormatVersion = 1;

std::string trim(const std::string& s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream ss(line);
  while (std::getline(ss, field, ',')) fields.push_back(trim(field));
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

// A number for a message, as short as it reads.
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

class Reader {
 public:
  explicit Reader(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(std::size_t line, const std::string& what) const {
    throw TableError(origin_ + ":" + std::to_string(line) + ": " + what);
  }

  // what: "column 'mean'", or the metadata key.
  double number(std::size_t line, const std::string& what, const std::string& text) const {
    if (text.empty()) fail(line, what + " is empty");
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size()) fail(line, what + ": '" + text + "' is not a number");
    if (std::isnan(v)) fail(line, what + " is NaN");
    if (std::isinf(v)) fail(line, what + " is infinite or out of range: '" + text + "'");
    if (std::fabs(v) > kMaxTableMagnitude) {
      fail(line, what + " value " + text + " is out of the range this tool accepts (|v| <= " +
                     num(kMaxTableMagnitude) + ")");
    }
    return v;
  }

  LinearMap map(std::size_t line, const std::string& key, const std::string& value) const {
    std::istringstream ss(value);
    std::string a;
    std::string b;
    std::string rest;
    ss >> a >> b >> rest;
    if (a.empty() || b.empty() || !rest.empty()) {
      fail(line, key + ": expected 'minmax' or two numbers 'LO HI', got '" + value + "'");
    }
    LinearMap m{number(line, key, a), number(line, key, b)};
    if (!(m.lo < m.hi)) fail(line, key + ": LO must be below HI, got '" + value + "'");
    check_width(line, key + " " + value, m);
    return m;
  }

  // what: the map, for the message.
  void check_width(std::size_t line, const std::string& what, const LinearMap& m) const {
    if (!(m.hi - m.lo >= kMinMapWidth)) {
      fail(line, what + " is " + num(m.hi - m.lo) + " wide; a map must be at least " + num(kMinMapWidth) +
                     " wide to place values on [-1, 1]");
    }
  }

 private:
  std::string origin_;
};

// The unit a column name carries after its last underscore: "pulse_voltage_V" -> "V".
std::string unit_from_column(const std::string& name) {
  const auto pos = name.rfind('_');
  return pos == std::string::npos ? std::string() : name.substr(pos + 1);
}

struct Row {
  std::size_t line;
  std::vector<double> values;
};

}  // namespace

std::size_t Table::total_count() const {
  return std::accumulate(levels.begin(), levels.end(), std::size_t{0},
                         [](std::size_t acc, const Level& l) { return acc + l.count; });
}

std::string Table::meta(const std::string& key) const {
  for (const auto& [k, v] : metadata) {
    if (k == key) return v;
  }
  return "";
}

const char* to_string(TableKind kind) { return kind == TableKind::kRaw ? "raw" : "stats"; }

const char* to_string(OutputTransform transform) {
  return transform == OutputTransform::kLog10 ? "log10" : "none";
}

// The physics keys (README.md, "Physics"): drift, drift_t0, read_noise,
// read_noise_std, read_time.
static Physics parse_physics(const Reader& rd, std::map<std::string, std::size_t>& meta_line,
                      const Table& table) {
  Physics p;
  auto has = [&](const char* key) { return meta_line.count(key) > 0; };
  auto positive = [&](const char* key) {
    const double v = rd.number(meta_line[key], key, table.meta(key));
    if (!(v > 0.0)) rd.fail(meta_line[key], std::string(key) + ": expected a positive number, got '" + table.meta(key) + "'");
    return v;
  };
  if (has("drift")) {
    const std::string v = lower(table.meta("drift"));
    if (v == "aihwkit") {
      p.drift = Physics::Drift::kAihwkit;
    } else if (v != "none") {
      rd.fail(meta_line["drift"], "drift: expected 'none' or 'aihwkit', got '" + table.meta("drift") + "'");
    }
  }
  if (has("drift_t0")) p.drift_t0 = positive("drift_t0");
  if (has("read_noise") && has("read_noise_std")) {
    rd.fail(meta_line["read_noise_std"], "read_noise_std given with read_noise: declare one of them");
  }
  if (has("read_noise")) {
    const std::string v = lower(table.meta("read_noise"));
    if (v == "flicker") {
      p.read_noise = Physics::ReadNoise::kFlicker;
    } else if (v != "none") {
      rd.fail(meta_line["read_noise"], "read_noise: expected 'none' or 'flicker', got '" + table.meta("read_noise") + "'");
    }
  }
  if (has("read_noise_std")) {
    p.read_noise_std = positive("read_noise_std");
    p.read_noise = Physics::ReadNoise::kConstant;
  }
  if (has("read_time")) p.read_time = positive("read_time");
  if ((p.has_drift() || p.read_noise == Physics::ReadNoise::kFlicker) &&
      output_domain_of(table.output_unit) == OutputDomain::kOther) {
    const char* key = p.has_drift() ? "drift" : "read_noise";
    rd.fail(meta_line[key], std::string(key) + " needs an output in log10(ohm) or conductance (S, mS, uS, nS); "
                            "output_unit is '" + table.output_unit + "'");
  }
  if (p.read_noise == Physics::ReadNoise::kFlicker &&
      output_domain_of(table.output_unit) != OutputDomain::kConductance) {
    rd.fail(meta_line["read_noise"], "read_noise: flicker needs an output in conductance (S, mS, uS, nS); "
                                     "output_unit is '" + table.output_unit + "'");
  }
  return p;
}

Table parse_table(std::istream& in, const std::string& origin) {
  const Reader rd(origin);
  Table table;
  table.origin = origin;

  std::map<std::string, std::size_t> meta_line;
  std::vector<std::string> header;
  std::size_t header_line = 0;
  std::vector<Row> rows;

  std::string raw_line;
  std::size_t line_no = 0;
  while (std::getline(in, raw_line)) {
    ++line_no;
    // Editors on Windows start UTF-8 files with a byte order mark.
    if (line_no == 1 && raw_line.rfind("\xEF\xBB\xBF", 0) == 0) raw_line.erase(0, 3);
    const std::string line = trim(raw_line);
    if (line.empty()) continue;
    if (line[0] == '#') {
      if (!header.empty()) continue;  // comments after the header are ignored
      const std::string body = trim(line.substr(1));
      const auto colon = body.find(':');
      if (colon == std::string::npos) continue;  // a plain comment
      const std::string key = lower(trim(body.substr(0, colon)));
      if (key.empty() || key.find(' ') != std::string::npos) continue;
      if (meta_line.count(key)) rd.fail(line_no, "metadata key '" + key + "' given twice");
      meta_line[key] = line_no;
      table.metadata.emplace_back(key, trim(body.substr(colon + 1)));
      continue;
    }
    if (header.empty()) {
      header = split_csv(line);
      header_line = line_no;
      for (const auto& name : header) {
        if (name.empty()) rd.fail(line_no, "empty column name in header '" + line + "'");
      }
      continue;
    }
    const auto fields = split_csv(line);
    if (fields.size() != header.size()) {
      rd.fail(line_no, "expected " + std::to_string(header.size()) + " fields (" +
                           std::to_string(header.size()) + " columns in the header), got " +
                           std::to_string(fields.size()));
    }
    Row row{line_no, {}};
    row.values.reserve(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) {
      row.values.push_back(rd.number(line_no, "column '" + header[i] + "'", fields[i]));
    }
    rows.push_back(std::move(row));
  }
  if (in.bad()) rd.fail(line_no + 1, "read error");
  if (header.empty()) {
    rd.fail(std::max<std::size_t>(line_no, 1), "no column header (the file is empty, or has only comments)");
  }

  // --- metadata -------------------------------------------------------------
  auto has = [&](const std::string& key) { return meta_line.count(key) > 0; };
  if (has("format")) {
    std::istringstream ss(table.meta("format"));
    std::string name;
    int version = 0;
    ss >> name >> version;
    if (name != kFormatName || version != kFormatVersion) {
      rd.fail(meta_line["format"], "format: expected '" + std::string(kFormatName) + " " +
                                       std::to_string(kFormatVersion) + "', got '" +
                                       table.meta("format") + "'");
    }
  }
  auto column = [&](const std::string& name) -> std::ptrdiff_t {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (lower(header[i]) == name) return static_cast<std::ptrdiff_t>(i);
    }
    return -1;
  };
  auto header_list = [&] {
    std::string s;
    for (const auto& h : header) s += (s.empty() ? "" : ", ") + h;
    return s;
  };

  if (has("kind")) {
    const std::string kind = lower(table.meta("kind"));
    if (kind == "stats") {
      table.kind = TableKind::kStats;
    } else if (kind == "raw") {
      table.kind = TableKind::kRaw;
    } else {
      rd.fail(meta_line["kind"], "kind: expected 'stats' or 'raw', got '" + table.meta("kind") + "'");
    }
  } else if (column("mean") >= 0 || column("std") >= 0 || column("count") >= 0) {
    table.kind = TableKind::kStats;
  } else if (header.size() == 2) {
    table.kind = TableKind::kRaw;
  } else {
    rd.fail(header_line, "cannot tell the table's kind: a stats table has columns input, mean, "
                         "std, count; a raw table has two columns (input, output); header has: " +
                             header_list());
  }

  std::size_t in_col = 0;
  std::size_t mean_col = 0;
  std::size_t std_col = 0;
  std::size_t count_col = 0;
  std::size_t out_col = 1;
  if (table.kind == TableKind::kStats) {
    for (const char* name : {"mean", "std", "count"}) {
      if (column(name) < 0) {
        rd.fail(header_line, std::string("missing column '") + name +
                                 "' (a stats table needs input, mean, std, count; header has: " +
                                 header_list() + ")");
      }
    }
    in_col = column("input") >= 0 ? static_cast<std::size_t>(column("input")) : 0;
    mean_col = static_cast<std::size_t>(column("mean"));
    std_col = static_cast<std::size_t>(column("std"));
    count_col = static_cast<std::size_t>(column("count"));
    if (in_col == mean_col || in_col == std_col || in_col == count_col) {
      rd.fail(header_line, "missing column 'input' (header has: " + header_list() + ")");
    }
  } else if (header.size() != 2) {
    rd.fail(header_line, "a raw table has exactly two columns (input, output); header has: " +
                             header_list());
  }

  table.input_unit = has("input_unit") ? table.meta("input_unit") : unit_from_column(header[in_col]);
  std::string physical_output_unit =
      has("output_unit") ? table.meta("output_unit")
                         : unit_from_column(header[table.kind == TableKind::kRaw ? out_col : mean_col]);
  if (has("output_transform")) {
    const std::string t = lower(table.meta("output_transform"));
    if (t == "none") {
      table.transform = OutputTransform::kNone;
    } else if (t == "log10") {
      table.transform = OutputTransform::kLog10;
    } else {
      rd.fail(meta_line["output_transform"],
              "output_transform: expected 'none' or 'log10', got '" + table.meta("output_transform") + "'");
    }
  } else if (table.kind == TableKind::kRaw && lower(physical_output_unit) == "ohm") {
    // The paper's convention for resistance read-outs: work on log10(R).
    table.transform = OutputTransform::kLog10;
  }
  if (table.transform == OutputTransform::kLog10 && !has("output_unit")) {
    table.output_unit = "log10(" + (physical_output_unit.empty() ? "output" : physical_output_unit) + ")";
  } else {
    table.output_unit = physical_output_unit;
  }
  if (table.transform == OutputTransform::kLog10 && table.kind == TableKind::kStats) {
    rd.fail(meta_line["output_transform"],
            "output_transform: log10 applies to raw read-outs only; give a stats table's mean and "
            "std in log units");
  }

  // --- rows -> levels ---------------------------------------------------------
  if (rows.empty()) rd.fail(header_line, "no data rows after the header");
  struct PhysicalLevel {
    double input;
    double mean;
    double std;
    std::size_t count;
    std::vector<double> samples;
    std::size_t line;
  };
  std::vector<PhysicalLevel> levels;

  if (table.kind == TableKind::kStats) {
    for (const auto& row : rows) {
      const double x = row.values[in_col];
      const double sd = row.values[std_col];
      const double count = row.values[count_col];
      if (sd < 0.0) rd.fail(row.line, "negative std " + num(sd));
      if (count < 0.0 || count != std::floor(count) || count > 9.0e15) {
        rd.fail(row.line, "count must be a non-negative integer, got " + num(count));
      }
      if (count == 0.0) rd.fail(row.line, "empty level (count 0) at input " + num(x));
      if (!levels.empty() && !(x > levels.back().input)) {
        rd.fail(row.line, "inputs must be strictly increasing: " + num(x) + " after " + num(levels.back().input) +
                              " (line " + std::to_string(levels.back().line) + ")");
      }
      levels.push_back({x, row.values[mean_col], sd, static_cast<std::size_t>(count), {}, row.line});
    }
  } else {
    std::map<double, PhysicalLevel> by_input;
    for (const auto& row : rows) {
      double y = row.values[out_col];
      if (table.transform == OutputTransform::kLog10) {
        if (!(y > 0.0)) {
          rd.fail(row.line, "output " + num(y) + " is not positive; log10 needs it positive");
        }
        y = std::log10(y);
      }
      auto& level = by_input[row.values[in_col]];
      if (level.samples.empty()) {
        level.input = row.values[in_col];
        level.line = row.line;
      }
      level.samples.push_back(y);
    }
    for (auto& [x, level] : by_input) {
      const std::size_t n = level.samples.size();
      if (n < 2) {
        rd.fail(level.line, "level at input " + num(x) +
                                " has a single read-out; a raw level needs at least 2");
      }
      const double mean = std::accumulate(level.samples.begin(), level.samples.end(), 0.0) /
                           static_cast<double>(n);
      double ss = 0.0;
      for (double v : level.samples) ss += (v - mean) * (v - mean);
      level.mean = mean;
      level.std = std::sqrt(ss / static_cast<double>(n - 1));
      level.count = n;
      std::sort(level.samples.begin(), level.samples.end());
      levels.push_back(std::move(level));
    }
  }
  if (levels.size() < 2) {
    rd.fail(rows.back().line, "fewer than 2 levels (" + std::to_string(levels.size()) +
                                  "); a channel needs at least 2 programming levels");
  }

  // --- linear maps onto [-1, 1] ------------------------------------------------
  const std::string in_map = has("input_map") ? lower(table.meta("input_map")) : "minmax";
  const std::string out_map = has("output_map") ? lower(table.meta("output_map")) : "minmax";
  const std::size_t first_row = rows.front().line;
  if (in_map == "minmax") {
    table.input_map = {levels.front().input, levels.back().input};
    rd.check_width(first_row, "the inputs' range [" + num(table.input_map.lo) + ", " + num(table.input_map.hi) + "]",
                   table.input_map);
  } else {
    table.input_map = rd.map(meta_line["input_map"], "input_map", table.meta("input_map"));
  }
  if (out_map == "minmax") {
    double lo = INFINITY;
    double hi = -INFINITY;
    for (const auto& level : levels) {
      if (table.kind == TableKind::kRaw) {
        lo = std::min(lo, level.samples.front());
        hi = std::max(hi, level.samples.back());
      } else {
        lo = std::min(lo, level.mean);
        hi = std::max(hi, level.mean);
      }
    }
    if (!(lo < hi)) rd.fail(first_row, "all outputs are equal (" + num(lo) + "); cannot map them onto [-1, 1]");
    table.output_map = {lo, hi};
    rd.check_width(first_row, "the outputs' range [" + num(lo) + ", " + num(hi) + "]", table.output_map);
  } else {
    table.output_map = rd.map(meta_line["output_map"], "output_map", table.meta("output_map"));
  }

  // Every value where the maps put it, at the line that holds it.
  const auto check_mapped = [&](std::size_t line, std::size_t col, double value, double mapped, const char* map) {
    if (!(std::fabs(mapped) <= kMaxMappedMagnitude)) {
      rd.fail(line, "column '" + header[col] + "' value " + num(value) + " maps to " + num(mapped) + " under the " +
                        map + " map; mapped values must stay within +-" + num(kMaxMappedMagnitude) +
                        " of its [-1, 1]");
    }
  };
  for (const auto& row : rows) {
    const double x = row.values[in_col];
    check_mapped(row.line, in_col, x, table.input_map.to_unit(x), "input");
    if (table.kind == TableKind::kStats) {
      const double m = row.values[mean_col];
      const double sd = row.values[std_col];
      check_mapped(row.line, mean_col, m, table.output_map.to_unit(m), "output");
      check_mapped(row.line, std_col, sd, sd * table.output_map.unit_scale(), "output");
    } else {
      const double y = row.values[out_col];
      const double t = table.transform == OutputTransform::kLog10 ? std::log10(y) : y;
      check_mapped(row.line, out_col, y, table.output_map.to_unit(t), "output");
    }
  }

  table.physics = parse_physics(rd, meta_line, table);

  for (std::size_t i = 0; i < levels.size(); ++i) {
    PhysicalLevel& level = levels[i];
    Level l;
    l.input = table.input_map.to_unit(level.input);
    if (i > 0 && !(l.input - table.levels.back().input >= kMinLevelSpacing)) {
      rd.fail(level.line, "input " + num(level.input) + " is too close to the previous level's (line " +
                              std::to_string(levels[i - 1].line) + "): less than " + num(kMinLevelSpacing) +
                              " apart once the input map puts them on [-1, 1]");
    }
    l.mean = table.output_map.to_unit(level.mean);
    l.std = level.std * table.output_map.unit_scale();
    l.count = level.count;
    l.samples = std::move(level.samples);
    for (double& s : l.samples) s = table.output_map.to_unit(s);
    table.levels.push_back(std::move(l));
  }
  if (table.physics.read_noise == Physics::ReadNoise::kConstant) {
    // the measured spread is programming and read noise together
    const double read_std = table.physics.read_noise_std * table.output_map.unit_scale();
    for (const auto& level : table.levels) {
      if (read_std > level.std) {
        char buf[320];
        std::snprintf(buf, sizeof buf,
                      "read_noise_std %g is larger than the measured std %g of the level at input %g "
                      "(a measured spread is programming and read noise together)",
                      table.physics.read_noise_std, level.std / table.output_map.unit_scale(),
                      table.input_map.from_unit(level.input));
        rd.fail(meta_line["read_noise_std"], buf);
      }
    }
  }
  return table;
}

Table load_table_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw TableError(path + ": is a directory, not a table");
  std::ifstream in(path);
  if (!in) throw TableError(path + ": cannot open table file (" + std::strerror(errno) + ")");
  return parse_table(in, path);
}

void write_stats_table(std::ostream& out, const Table& table,
                       const std::vector<std::pair<std::string, std::string>>& extra_metadata) {
  auto num = [](double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.12g", v);
    return std::string(buf);
  };
  for (const auto& [key, value] : extra_metadata) out << "# " << key << ": " << value << "\n";
  out << "# format: " << kFormatName << " " << kFormatVersion << "\n"
      << "# kind: stats\n"
      << "# input_unit: " << table.input_unit << "\n"
      << "# output_unit: " << table.output_unit << "\n"
      << "# output_transform: none\n"
      << "# input_map: " << num(table.input_map.lo) << " " << num(table.input_map.hi) << "\n"
      << "# output_map: " << num(table.output_map.lo) << " " << num(table.output_map.hi) << "\n"
      ;
  const Physics& p = table.physics;
  if (p.has_drift()) out << "# drift: aihwkit\n# drift_t0: " << num(p.drift_t0) << "\n";
  if (p.read_noise == Physics::ReadNoise::kConstant) out << "# read_noise_std: " << num(p.read_noise_std) << "\n";
  if (p.read_noise == Physics::ReadNoise::kFlicker) {
    out << "# read_noise: flicker\n# read_time: " << num(p.read_time) << "\n";
  }
  out << "input,mean,std,count\n";
  for (const auto& level : table.levels) {
    out << num(table.input_map.from_unit(level.input)) << ","
        << num(table.output_map.from_unit(level.mean)) << ","
        << num(level.std / table.output_map.unit_scale()) << "," << level.count << "\n";
  }
}

}  // namespace pcm::channel_model
