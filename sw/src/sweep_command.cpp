#include "pcm/sw/sweep_command.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "pcm/sw/cli.hpp"

extern char** environ;

namespace pcm::sw {
namespace po = boost::program_options;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

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
  throw UsageError("grid: option '" + key + "' must be a string or a number, got " + v.dump());
}

void merge_fixed(const json& obj, SweepPoint& into, const std::string& where) {
  if (!obj.is_object()) throw UsageError("grid: '" + where + "' must be an object of option: value");
  for (const auto& [k, v] : obj.items()) into[k] = as_value(v, k);
}

// The cartesian product of axes (in the order given), each combined with base.
void expand_axes(const json& axes, const SweepPoint& base, std::vector<SweepPoint>& out) {
  if (!axes.is_object()) throw UsageError("grid: 'axes' must be an object of option: [values]");
  std::vector<std::pair<std::string, std::vector<std::string>>> lists;
  for (const auto& [k, v] : axes.items()) {
    if (!v.is_array() || v.empty()) throw UsageError("grid: axis '" + k + "' must be a non-empty array");
    std::vector<std::string> values;
    for (const auto& x : v) values.push_back(as_value(x, k));
    lists.emplace_back(k, values);
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

std::vector<std::string> run_args(const SweepPoint& p) {
  std::vector<std::string> a{"run"};
  for (const auto& [k, v] : p) {
    a.push_back("--" + k);
    a.push_back(v);
  }
  return a;
}

std::string last_line(const fs::path& log) {
  std::ifstream f(log);
  std::string line, last;
  while (std::getline(f, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

struct Child {
  pid_t pid = 0;
  std::size_t index = 0;
};

pid_t spawn(const std::string& exe, const std::vector<std::string>& args, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> argv;
  std::string argv0 = exe;
  argv.push_back(argv0.data());
  std::vector<std::string> copy = args;
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + exe + ": " + std::strerror(rc));
  return pid;
}

const char* const kColumns[] = {
    "point", "model", "data", "engine", "strategy", "cells", "channel", "dac_bits", "adc_bits",
    "large_fraction", "boost", "sens_fraction", "dir", "prune", "store", "digital_bits", "seeds", "seed",
    "clean_accuracy", "accuracy_mean", "accuracy_std", "analog_cpw", "digital_cpw_ideal",
    "digital_cpw_realistic", "mask_cpw_ideal", "mask_cpw_realistic", "total_cpw_ideal",
    "total_cpw_realistic", "saturated", "seconds", "pruned_clean_accuracy"};

std::string csv_cell(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  if (s.find_first_of(",\"\n") != std::string::npos) {
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
  }
  return s;
}

std::string csv_row(const std::string& id, const json& r) {
  const json& c = r.at("config");
  const json& cpw = r.at("cells_per_weight");
  const bool digital = c.at("store") == "digital";
  const std::vector<json> cells = {
      id, c.at("model"), c.at("data"), c.at("engine"), digital ? json("digital") : c.at("strategy"),
      c.at("cells"), c.at("channel"), c.at("dac_bits"), c.at("adc_bits"), c.at("large_fraction"), c.at("boost"),
      c.at("sens_fraction"), c.at("dir"), c.at("prune"), c.at("store"), c.at("digital_bits"), c.at("seeds"),
      c.at("seed"), r.at("clean_accuracy"), r.at("accuracy").at("mean"), r.at("accuracy").at("std"),
      cpw.at("analog"), cpw.at("digital_ideal"), cpw.at("digital_realistic"), cpw.at("mask_ideal"),
      cpw.at("mask_realistic"), cpw.at("total_ideal"), cpw.at("total_realistic"),
      r.at("counters_first_seed").at("saturated"), r.at("timing").at("wall_seconds"),
      r.at("pruned_clean_accuracy")};
  std::string row;
  for (std::size_t i = 0; i < cells.size(); ++i) row += (i ? "," : "") + csv_cell(cells[i]);
  return row;
}

}  // namespace

std::vector<SweepPoint> expand_grid(const std::string& json_text) {
  json g;
  try {
    g = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw UsageError(std::string("grid: not JSON: ") + e.what());
  }
  if (!g.is_object()) throw UsageError("grid: expected an object with 'set' and 'blocks' (or 'axes')");
  for (const auto& [k, v] : g.items()) {
    if (k != "set" && k != "axes" && k != "blocks" && k != "comment") {
      throw UsageError("grid: unknown key '" + k + "' (expected set, axes, blocks, comment)");
    }
  }
  SweepPoint common;
  if (g.contains("set")) merge_fixed(g["set"], common, "set");
  std::vector<SweepPoint> points;
  if (g.contains("axes")) expand_axes(g["axes"], common, points);
  if (g.contains("blocks")) {
    if (!g["blocks"].is_array()) throw UsageError("grid: 'blocks' must be an array");
    for (const json& b : g["blocks"]) {
      if (!b.is_object()) throw UsageError("grid: every block must be an object with 'set' and/or 'axes'");
      SweepPoint base = common;
      if (b.contains("set")) merge_fixed(b["set"], base, "blocks[].set");
      expand_axes(b.value("axes", json::object()), base, points);
    }
  }
  if (points.empty()) throw UsageError("grid: no points (give 'axes' or 'blocks')");
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

int sweep_command(const std::vector<std::string>& args, std::ostream& out) {
  std::string grid_path;
  std::string dir;
  std::vector<std::string> sets;
  std::vector<std::string> axes;
  unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
  bool fresh = false;
  po::options_description desc("pcmsim sweep options");
  desc.add_options()
      ("help,h", "print this help")
      ("grid", po::value(&grid_path), "grid description (JSON; see sw/README.md)")
      ("set", po::value(&sets)->composing(), "OPTION=VALUE for every point (repeatable)")
      ("axis", po::value(&axes)->composing(), "OPTION=V1,V2,... an axis of the grid (repeatable)")
      ("out", po::value(&dir), "folder for the points and sweep.csv (finished points are reused)")
      ("jobs", po::value(&jobs)->default_value(jobs), "points run at once (processes)")
      ("fresh", po::bool_switch(&fresh), "redo every point instead of reusing finished ones");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    out << "usage: pcmsim sweep (--grid FILE.json | --axis K=V1,V2 ...) [--set K=V ...] --out DIR\n\n" << desc;
    return 0;
  }
  if (dir.empty()) throw UsageError("--out is required");
  if (jobs == 0) throw UsageError("--jobs must be at least 1");
  if (grid_path.empty() && axes.empty()) throw UsageError("give --grid FILE or at least one --axis");

  json g = json::object();
  if (!grid_path.empty()) {
    std::ifstream f(grid_path);
    if (!f) throw std::runtime_error(grid_path + ": cannot read the grid");
    std::stringstream text;
    text << f.rdbuf();
    try {
      g = json::parse(text.str());
    } catch (const json::parse_error& e) {
      throw UsageError(grid_path + ": not JSON: " + e.what());
    }
  }
  auto split_kv = [](const std::string& s, const char* what) {
    const std::size_t eq = s.find('=');
    if (eq == std::string::npos || eq == 0) throw UsageError(std::string(what) + " '" + s + "': expected OPTION=VALUE");
    return std::pair{s.substr(0, eq), s.substr(eq + 1)};
  };
  for (const std::string& s : sets) {
    const auto [k, v] = split_kv(s, "--set");
    g["set"][k] = v;
  }
  for (const std::string& s : axes) {
    const auto [k, v] = split_kv(s, "--axis");
    json values = json::array();
    std::stringstream in(v);
    std::string item;
    while (std::getline(in, item, ',')) values.push_back(item);
    g["axes"][k] = values;
  }
  std::vector<SweepPoint> points;
  try {
    points = expand_grid(g.dump());
  } catch (const UsageError& e) {
    throw UsageError((grid_path.empty() ? std::string() : grid_path + ": ") + e.what());
  }

  const fs::path root(dir);
  const fs::path point_dir = root / "points";
  fs::create_directories(point_dir);
  const std::string exe = fs::read_symlink("/proc/self/exe").string();
  std::vector<std::string> ids;
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < points.size(); ++i) {
    ids.push_back(point_id(points[i]));
    const fs::path result = point_dir / (ids.back() + ".json");
    if (fresh) fs::remove(result);
    if (!fs::exists(result)) todo.push_back(i);
  }
  out << "sweep      " << points.size() << " points, " << points.size() - todo.size() << " already done, "
      << todo.size() << " to run, " << jobs << " at a time; results in " << root.string() << "\n" << std::flush;

  std::vector<Child> running;
  std::size_t next = 0, finished = 0, failed = 0;
  while (next < todo.size() || !running.empty()) {
    while (next < todo.size() && running.size() < jobs) {
      const std::size_t i = todo[next++];
      std::vector<std::string> a = run_args(points[i]);
      for (const std::string& extra : {std::string("--out"), (point_dir / (ids[i] + ".json")).string(),
                                       std::string("--quiet"), std::string("--threads"), std::string("1")}) {
        a.push_back(extra);
      }
      {
        std::ofstream args_file(point_dir / (ids[i] + ".args"));
        for (const std::string& s : a) args_file << s << (s == a.back() ? "\n" : " ");
      }
      running.push_back(Child{spawn(exe, a, point_dir / (ids[i] + ".log")), i});
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
    for (auto it = running.begin(); it != running.end(); ++it) {
      if (it->pid != pid) continue;
      const std::size_t i = it->index;
      running.erase(it);
      ++finished;
      const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(point_dir / (ids[i] + ".json"));
      std::string what;
      for (const auto& [k, v] : points[i]) {
        if (k != "model" && k != "data") what += k + "=" + v + " ";
      }
      if (ok) {
        std::ifstream f(point_dir / (ids[i] + ".json"));
        const json r = json::parse(f);
        char acc[64];
        std::snprintf(acc, sizeof acc, "%.2f%% +- %.2f", 100.0 * r["accuracy"]["mean"].get<double>(),
                      100.0 * r["accuracy"]["std"].get<double>());
        out << "[" << finished << "/" << todo.size() << "] " << what << "-> " << acc << "\n" << std::flush;
      } else {
        ++failed;
        out << "[" << finished << "/" << todo.size() << "] " << what << "-> FAILED: "
            << last_line(point_dir / (ids[i] + ".log")) << "\n" << std::flush;
      }
      break;
    }
  }

  // The CSV: every finished point, in grid order.
  const fs::path csv = root / "sweep.csv";
  const fs::path tmp = root / "sweep.csv.tmp";
  std::size_t rows = 0;
  {
    std::ofstream f(tmp);
    if (!f) throw std::runtime_error(tmp.string() + ": cannot open for writing");
    for (std::size_t c = 0; c < std::size(kColumns); ++c) f << (c ? "," : "") << kColumns[c];
    f << "\n";
    for (std::size_t i = 0; i < points.size(); ++i) {
      const fs::path result = point_dir / (ids[i] + ".json");
      if (!fs::exists(result)) continue;
      std::ifstream in(result);
      try {
        f << csv_row(ids[i], json::parse(in)) << "\n";
      } catch (const json::exception& e) {
        throw std::runtime_error(result.string() + ": unreadable point result: " + e.what());
      }
      ++rows;
    }
    if (!f.flush()) throw std::runtime_error(tmp.string() + ": write failed");
  }
  fs::rename(tmp, csv);
  out << "sweep.csv  " << rows << " rows -> " << csv.string() << "\n";
  if (failed > 0) {
    throw std::runtime_error(std::to_string(failed) + " of " + std::to_string(todo.size()) +
                             " points failed (logs in " + point_dir.string() + "); rerun to retry them");
  }
  return 0;
}

}  // namespace pcm::sw
