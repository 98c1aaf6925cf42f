#include "pcm/sw/sweep.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "pcm/sw/config.hpp"
#include "pcm/sw/files.hpp"
#include "pcm/sw/result.hpp"

extern char** environ;

namespace pcm::sw {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

ConfigError grid_error(const std::string& message) { return ConfigError("grid", message); }

// A JSON scalar as a command-line value: integers without a fraction.
std::string as_value(const json& v, const std::string& key) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number_float()) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", v.get<double>());
    return buf;
  }
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  throw grid_error("option '" + key + "' must be a string or a number, got " + v.dump());
}

// An option as the grid names it: the field name (drift_refs, as in the CSV)
// or the option (drift-refs) are the same option.
std::string option_key(std::string k) {
  for (char& ch : k) ch = ch == '_' ? '-' : ch;
  return k;
}

void merge_fixed(const json& obj, SweepPoint& into, const std::string& where) {
  if (!obj.is_object()) throw grid_error("'" + where + "' must be an object of option: value");
  for (const auto& [k, v] : obj.items()) into[option_key(k)] = as_value(v, k);
}

// The cartesian product of axes (in the order given), each combined with base.
void expand_axes(const json& axes, const SweepPoint& base, std::vector<SweepPoint>& out) {
  if (!axes.is_object()) throw grid_error("'axes' must be an object of option: [values]");
  std::vector<std::pair<std::string, std::vector<std::string>>> lists;
  for (const auto& [k, v] : axes.items()) {
    if (!v.is_array() || v.empty()) throw grid_error("axis '" + k + "' must be a non-empty array");
    std::vector<std::string> values;
    for (const auto& x : v) values.push_back(as_value(x, k));
    lists.emplace_back(option_key(k), values);
  }
  std::vector<std::size_t> at(lists.size(), 0);
  while (true) {
    SweepPoint p = base;
    for (std::size_t i = 0; i < lists.size(); ++i) p[lists[i].first] = lists[i].second[at[i]];
    out.push_back(std::move(p));
    std::size_t i = lists.size();
    while (i > 0) {
      --i;
      if (++at[i] < lists[i].second.size()) break;
      at[i] = 0;
      if (i == 0) return;
    }
    if (lists.empty()) return;
  }
}

// `pcmsim run`'s options (RunConfig's fields as option names) and which are switches.
std::map<std::string, bool> run_options() {
  std::map<std::string, bool> names;
  RunConfig c;
  RunConfig::fields(c, [&](const char* field, const auto& value, FieldDoc) {
    std::string option = field;
    for (char& ch : option) ch = ch == '_' ? '-' : ch;
    names[option] = std::is_same_v<std::decay_t<decltype(value)>, bool>;
  });
  return names;
}

std::string last_line(const fs::path& log) {
  std::ifstream f(log);
  std::string line, last;
  while (std::getline(f, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

pid_t spawn(const std::string& exe, const std::vector<std::string>& args, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  std::string argv0 = exe;
  argv.push_back(argv0.data());
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + exe + ": " + std::strerror(rc));
  return pid;
}

// One finished point's result, or nothing when its file is missing.
bool read_point(const fs::path& file, std::pair<RunConfig, RunResult>& into) {
  if (!fs::exists(file)) return false;
  std::ifstream in(file);
  json j;
  try {
    j = json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(file.string() + ": unreadable point result: " + e.what());
  }
  into = read_run_json(j, file.string());
  return true;
}

std::size_t write_csv(const std::vector<SweepPoint>& points, const std::vector<std::string>& ids,
                      const fs::path& point_dir, const fs::path& csv) {
  std::size_t rows = 0;
  write_atomically(csv.string(), [&](std::ostream& f) {
    f << csv_line(csv_columns({"point"})) << "\n";
    for (std::size_t i = 0; i < points.size(); ++i) {
      std::pair<RunConfig, RunResult> r;
      if (!read_point(point_dir / (ids[i] + ".json"), r)) continue;
      f << csv_line(csv_values(r.first, r.second, {ids[i]})) << "\n";
      ++rows;
    }
  });
  return rows;
}

}  // namespace

std::vector<SweepPoint> expand_grid(const std::string& json_text) {
  json g;
  try {
    g = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw grid_error(std::string("not JSON: ") + e.what());
  }
  if (!g.is_object()) throw grid_error("expected an object with 'set' and 'blocks' (or 'axes')");
  for (const auto& [k, v] : g.items()) {
    if (k != "set" && k != "axes" && k != "blocks" && k != "comment") {
      throw grid_error("unknown key '" + k + "' (expected set, axes, blocks, comment)");
    }
  }
  SweepPoint common;
  if (g.contains("set")) merge_fixed(g["set"], common, "set");
  std::vector<SweepPoint> points;
  if (g.contains("axes")) expand_axes(g["axes"], common, points);
  if (g.contains("blocks")) {
    if (!g["blocks"].is_array()) throw grid_error("'blocks' must be an array");
    for (const json& b : g["blocks"]) {
      if (!b.is_object()) throw grid_error("every block must be an object with 'set' and/or 'axes'");
      SweepPoint base = common;
      if (b.contains("set")) merge_fixed(b["set"], base, "blocks[].set");
      expand_axes(b.value("axes", json::object()), base, points);
    }
  }
  if (points.empty()) throw grid_error("no points (give 'axes' or 'blocks')");
  return points;
}

std::string point_id(const SweepPoint& point) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (const auto& [k, v] : point) {
    for (const std::string* part : {&k, &v}) {
      for (unsigned char c : *part) {
        h ^= c;
        h *= 1099511628211ull;
      }
      h ^= 0x1F;
      h *= 1099511628211ull;
    }
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::vector<std::string> run_arguments(const SweepPoint& point) {
  static const std::map<std::string, bool> options = run_options();
  std::vector<std::string> a{"run"};
  for (const auto& [k, v] : point) {
    const auto it = options.find(k);
    if (it == options.end()) throw grid_error("'" + k + "' is not an option of pcmsim run");
    if (k == "out") throw grid_error("'out' is set by the sweep (DIR/points/<id>.json)");
    if (!it->second) {
      a.push_back("--" + k);
      a.push_back(v);
    } else if (v == "true" || v == "1") {
      a.push_back("--" + k);
    } else if (v != "false" && v != "0") {
      throw grid_error("'" + k + "' is a switch: true or false, got '" + v + "'");
    }
  }
  return a;
}

SweepSummary run_sweep(const std::vector<SweepPoint>& grid, const SweepOptions& options, SweepObserver& obs) {
  // A point given twice (an axis [1, 1]) is one point: run once, one row.
  std::vector<SweepPoint> points;
  {
    std::set<std::string> seen;
    for (const SweepPoint& p : grid) {
      if (seen.insert(point_id(p)).second) points.push_back(p);
    }
  }
  const fs::path root(options.dir);
  const fs::path point_dir = root / "points";
  fs::create_directories(point_dir);
  std::vector<std::string> ids;
  std::vector<std::vector<std::string>> args;
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < points.size(); ++i) {
    args.push_back(run_arguments(points[i]));  // every point checked before any runs
    ids.push_back(point_id(points[i]));
    const fs::path result = point_dir / (ids.back() + ".json");
    if (options.fresh) fs::remove(result);
    if (!fs::exists(result)) todo.push_back(i);
  }
  obs.started(points.size(), points.size() - todo.size(), todo.size());

  SweepSummary summary;
  std::map<pid_t, std::size_t> running;
  std::size_t next = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && running.size() < options.jobs) {
      const std::size_t i = todo[next++];
      std::vector<std::string> a = args[i];
      for (const std::string& extra : {std::string("--out"), (point_dir / (ids[i] + ".json")).string(),
                                       std::string("--quiet"), std::string("--threads"), std::string("1")}) {
        a.push_back(extra);
      }
      {
        std::ofstream args_file(point_dir / (ids[i] + ".args"));
        for (std::size_t k = 0; k < a.size(); ++k) args_file << a[k] << (k + 1 == a.size() ? "\n" : " ");
      }
      running[spawn(options.pcmsim, a, point_dir / (ids[i] + ".log"))] = i;
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    const std::size_t i = it->second;
    running.erase(it);
    PointOutcome o;
    o.finished = ++summary.ran;
    o.to_run = todo.size();
    o.point = &points[i];
    std::pair<RunConfig, RunResult> r;
    o.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && read_point(point_dir / (ids[i] + ".json"), r);
    if (o.ok) {
      o.accuracy_mean = r.second.accuracy_mean;
      o.accuracy_std = r.second.accuracy_std;
    } else {
      ++summary.failed;
      o.failure = last_line(point_dir / (ids[i] + ".log"));
    }
    obs.point_done(o);
  }
  summary.points = points.size();
  summary.point_dir = point_dir.string();
  summary.csv = (root / "sweep.csv").string();
  summary.rows = write_csv(points, ids, point_dir, root / "sweep.csv");
  return summary;
}

}  // namespace pcm::sw
