#include "pcm/sw/sweep.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
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
#include "pcm/sw/text.hpp"
#include "signal_gate.hpp"

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

void merge_fixed(const json& obj, SweepPoint& into, const std::string& where) {
  if (!obj.is_object()) throw grid_error("'" + where + "' must be an object of option: value");
  // a field name (drift_refs, as in the CSV) is its option (drift-refs)
  for (const auto& [k, v] : obj.items()) into[option_of(k)] = as_value(v, k);
}

// The cartesian product of axes (in the order given), each combined with base.
void expand_axes(const json& axes, const SweepPoint& base, std::vector<SweepPoint>& out) {
  if (!axes.is_object()) throw grid_error("'axes' must be an object of option: [values]");
  std::vector<std::pair<std::string, std::vector<std::string>>> lists;
  for (const auto& [k, v] : axes.items()) {
    if (!v.is_array() || v.empty()) throw grid_error("axis '" + k + "' must be a non-empty array");
    std::vector<std::string> values;
    for (const auto& x : v) values.push_back(as_value(x, k));
    lists.emplace_back(option_of(k), values);
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

enum class Kind { text, number, toggle };

// `pcmsim run`'s options (RunConfig's fields as option names) and their kinds.
const std::map<std::string, Kind>& run_options() {
  static const std::map<std::string, Kind> names = [] {
    std::map<std::string, Kind> n;
    RunConfig c;
    RunConfig::fields(c, [&](const char* field, const auto& value, FieldDoc) {
      using T = std::decay_t<decltype(value)>;
      n[option_of(field)] = std::is_same_v<T, bool> ? Kind::toggle
                             : std::is_arithmetic_v<T> ? Kind::number
                                                       : Kind::text;
    });
    return n;
  }();
  return names;
}

// One spelling per value, so that cells 1, 1.0 and "1" are one point: whole
// numbers without leading zeros or fraction, others in the shortest form that
// reads back the same. Text that is no number is left for `run` to refuse.
std::string normalized(Kind kind, const std::string& v) {
  if (kind == Kind::toggle) {
    if (v == "1") return "true";
    if (v == "0") return "false";
    return v;
  }
  if (kind != Kind::number || v.empty()) return v;
  const bool negative = v[0] == '-';
  const std::string digits = v.substr(negative ? 1 : 0);
  if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos) {
    const std::size_t first = std::min(digits.find_first_not_of('0'), digits.size() - 1);
    const std::string whole = digits.substr(first);
    return (negative && whole != "0" ? "-" : "") + whole;
  }
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (*end != '\0' || !std::isfinite(d)) return v;
  if (d == std::floor(d) && std::fabs(d) < 9.0e15) return std::to_string(static_cast<long long>(d));
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  return buf;
}

std::string last_line(const fs::path& log) {
  std::ifstream f(log);
  std::string line, last;
  while (std::getline(f, line)) {
    if (!line.empty()) last = line;
  }
  return last;
}

// A point as a child process: output to its log, the signal mask and
// handlers of a fresh process, and SIGTERM when the sweep dies (even by
// SIGKILL), so that no point outlives it.
pid_t spawn(const std::string& exe, const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> copy = args;
  std::vector<char*> argv;
  std::string argv0 = exe;
  argv.push_back(argv0.data());
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log_path = log.string();
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("cannot start " + exe + ": " + std::strerror(errno));
  if (pid == 0) {  // only async-signal-safe calls until exec
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) ::_exit(127);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::close(fd);
    ::execve(exe.c_str(), argv.data(), environ);
    ::_exit(127);
  }
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

// A result file from an earlier sweep: its run time, or nothing when missing.
// A damaged one (truncated by a crash, edited) is moved aside to
// <id>.damaged.json so that the point runs again and nothing is lost.
enum class Found { missing, done, damaged };
Found inspect_point(const fs::path& file, double& wall_seconds) {
  if (!fs::exists(file)) return Found::missing;
  try {
    std::pair<RunConfig, RunResult> r;
    read_point(file, r);
    wall_seconds = r.second.host.wall_seconds;
    return Found::done;
  } catch (const std::exception&) {
    fs::path aside = file;
    aside.replace_extension(".damaged.json");
    fs::rename(file, aside);
    return Found::damaged;
  }
}

// A row's RTL parameters from its lanes, dac_width and adc_width columns.
RtlParameters rtl_parameters(const std::vector<std::string>& columns, const std::vector<std::string>& row) {
  RtlParameters p;
  for (std::size_t c = 0; c < columns.size() && c < row.size(); ++c) {
    unsigned* into = columns[c] == "lanes" ? &p.lanes : columns[c] == "dac_width" ? &p.dac_width
                     : columns[c] == "adc_width" ? &p.adc_width : nullptr;
    if (into != nullptr) *into = static_cast<unsigned>(std::stoul(row[c]));
  }
  return p;
}

// The area cells of a parameter set, read once per file; empty when the file is missing.
class AreaJoin {
 public:
  explicit AreaJoin(std::string dir) : dir_(std::move(dir)) {}
  std::vector<std::string> cells(const RtlParameters& p) {
    const std::string name = area_file_name(p);
    auto it = cache_.find(name);
    if (it == cache_.end()) it = cache_.emplace(name, read(p, name)).first;
    return it->second;
  }
  const std::vector<RtlParameters>& missing() const { return missing_; }

 private:
  std::vector<std::string> read(const RtlParameters& p, const std::string& name) {
    const std::vector<std::string> empty(area_columns().size());
    if (dir_.empty()) return empty;
    const fs::path file = fs::path(dir_) / name;
    if (!fs::exists(file)) {
      missing_.push_back(p);
      return empty;
    }
    std::ifstream in(file);
    try {
      const json j = json::parse(in);
      std::vector<std::string> c;
      for (const char* key : {"nand2_equivalents", "flip_flops", "cell_count"}) c.push_back(j.at(key).dump());
      return c;
    } catch (const json::exception& e) {
      throw std::runtime_error(file.string() + ": unreadable area file: " + e.what());
    }
  }
  std::string dir_;
  std::map<std::string, std::vector<std::string>> cache_;
  std::vector<RtlParameters> missing_;
};

std::size_t write_csv(const SweepPlan& plan, const fs::path& csv, const std::string& area_dir,
                      std::vector<RtlParameters>& missing_area) {
  std::size_t rows = 0;
  AreaJoin area(area_dir);
  std::vector<std::string> columns = csv_columns({"point"});
  write_atomically(csv.string(), [&](std::ostream& f) {
    std::vector<std::string> header = columns;
    header.insert(header.end(), area_columns().begin(), area_columns().end());
    f << csv_line(header) << "\n";
    for (std::size_t i = 0; i < plan.points.size(); ++i) {
      std::pair<RunConfig, RunResult> r;
      if (!read_point(fs::path(plan.point_dir) / (plan.ids[i] + ".json"), r)) continue;
      std::vector<std::string> row = csv_values(r.first, r.second, {plan.ids[i]});
      const std::vector<std::string> a = area.cells(rtl_parameters(columns, row));
      row.insert(row.end(), a.begin(), a.end());
      f << csv_line(row) << "\n";
      ++rows;
    }
  });
  missing_area = area.missing();
  return rows;
}

// Child processes on this machine, `jobs` at a time.
class LocalDispatcher final : public PointDispatcher {
 public:
  LocalDispatcher(SweepPlan plan, unsigned jobs) : plan_(std::move(plan)), jobs_(jobs) {}
  std::size_t slots() const override { return jobs_; }
  void start(std::size_t point) override { running_[start_point(plan_, point)] = point; }
  Event wait() override {
    while (true) {
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, WNOHANG);
      if (pid > 0) {
        const auto it = running_.find(pid);
        if (it == running_.end()) continue;
        Event e;
        e.point = it->second;
        e.status = status;
        running_.erase(it);
        return e;
      }
      if (pid < 0 && errno != ECHILD) throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
      const int sig = gate_.wait();
      if (sig == SIGINT || sig == SIGTERM) {
        Event e;
        e.signal = sig;
        return e;
      }
    }
  }
  void stop() override {
    for (const auto& [pid, point] : running_) ::kill(pid, SIGTERM);
  }

 private:
  SweepPlan plan_;
  unsigned jobs_;
  SignalGate gate_;
  std::map<pid_t, std::size_t> running_;
};

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
  for (SweepPoint& p : points) {
    for (auto& [k, v] : p) {
      const auto it = run_options().find(k);
      if (it != run_options().end()) v = normalized(it->second, v);
    }
  }
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
  const auto& options = run_options();
  std::vector<std::string> a{"run"};
  for (const auto& [k, v] : point) {
    const auto it = options.find(k);
    if (it == options.end()) throw grid_error("'" + k + "' is not an option of pcmsim run");
    if (k == "out") throw grid_error("'out' is set by the sweep (DIR/points/<id>.json)");
    if (it->second != Kind::toggle) {
      a.push_back("--" + k);
      a.push_back(v);
    } else if (v == "true") {
      a.push_back("--" + k);
    } else if (v != "false") {
      throw grid_error("'" + k + "' is a switch: true or false, got '" + v + "'");
    }
  }
  return a;
}

const std::vector<std::string>& area_columns() {
  static const std::vector<std::string> names{"area_nand2", "flip_flops", "area_cells"};
  return names;
}

std::string area_file_name(const RtlParameters& p) {
  return "pcm_ctrl_lanes" + std::to_string(p.lanes) + "_dac" + std::to_string(p.dac_width) + "_adc" +
         std::to_string(p.adc_width) + ".json";
}

std::string area_command(const RtlParameters& p, const std::string& area_dir) {
  return shell_line({"scripts/synth_area.py", "--lanes", std::to_string(p.lanes), "--dac-width",
                     std::to_string(p.dac_width), "--adc-width", std::to_string(p.adc_width), "--out-dir", area_dir});
}

SweepPlan plan_sweep(const std::vector<SweepPoint>& grid, const SweepOptions& options) {
  SweepPlan plan;
  plan.point_dir = (fs::path(options.dir) / "points").string();
  // A point given twice (an axis [1, 1]) is one point: run once, one row.
  std::set<std::string> seen;
  for (const SweepPoint& p : grid) {
    std::string id = point_id(p);
    if (!seen.insert(id).second) continue;
    plan.points.push_back(p);
    plan.ids.push_back(std::move(id));
  }
  check_ceiling("grid", plan.points.size(), Ceilings::grid_points, options.allow_large, " points");
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const SweepPoint& p = plan.points[i];
    std::vector<std::string> a{options.pcmsim};
    const std::vector<std::string> run = run_arguments(p);  // every point checked before any runs
    a.insert(a.end(), run.begin(), run.end());
    a.insert(a.end(), {"--out", (fs::path(plan.point_dir) / (plan.ids[i] + ".json")).string()});
    // quiet and one thread each, unless the grid says otherwise
    if (p.count("quiet") == 0) a.push_back("--quiet");
    if (p.count("threads") == 0) a.insert(a.end(), {"--threads", "1"});
    plan.commands.push_back(std::move(a));
  }
  return plan;
}

int start_point(const SweepPlan& plan, std::size_t i) {
  const fs::path base = fs::path(plan.point_dir) / plan.ids[i];
  const std::vector<std::string>& cmd = plan.commands[i];
  {
    std::ofstream args_file(base.string() + ".args");
    args_file << shell_line(cmd) << "\n";
  }
  return spawn(cmd[0], std::vector<std::string>(cmd.begin() + 1, cmd.end()), base.string() + ".log");
}

std::unique_ptr<PointDispatcher> local_dispatcher(const SweepPlan& plan, unsigned jobs) {
  return std::make_unique<LocalDispatcher>(plan, jobs);
}

SweepSummary run_sweep(const std::vector<SweepPoint>& grid, const SweepOptions& options, SweepObserver& obs,
                       PointDispatcher* dispatcher) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point t0 = Clock::now();
  const SweepPlan plan = plan_sweep(grid, options);
  check_ceiling("jobs", options.jobs, Ceilings::jobs, options.allow_large);
  const fs::path root(options.dir);
  const fs::path point_dir(plan.point_dir);
  fs::create_directories(point_dir);
  std::unique_ptr<PointDispatcher> local;
  if (dispatcher == nullptr) {
    local = local_dispatcher(plan, options.jobs);
    dispatcher = local.get();
  }
  std::vector<std::size_t> todo;
  SweepStart start;
  double done_seconds = 0.0;
  for (std::size_t i = 0; i < plan.points.size(); ++i) {
    const fs::path result = point_dir / (plan.ids[i] + ".json");
    if (options.fresh) fs::remove(result);
    double seconds = 0.0;
    switch (inspect_point(result, seconds)) {
      case Found::done:
        ++start.done;
        done_seconds += seconds;
        break;
      case Found::damaged:
        ++start.damaged;
        todo.push_back(i);
        break;
      case Found::missing:
        todo.push_back(i);
        break;
    }
  }
  start.points = plan.points.size();
  start.to_run = todo.size();
  const double slots =
      static_cast<double>(std::min<std::size_t>(dispatcher->slots(), std::max<std::size_t>(todo.size(), 1)));
  if (start.done > 0) start.estimate_seconds = done_seconds / static_cast<double>(start.done) * static_cast<double>(todo.size()) / slots;
  obs.started(start);

  SweepSummary summary;
  std::size_t running = 0;
  std::size_t next = 0;
  while (true) {
    while (summary.interrupted_by == 0 && next < todo.size() && running < dispatcher->slots()) {
      dispatcher->start(todo[next++]);
      ++running;
    }
    if (running == 0) break;
    const PointDispatcher::Event e = dispatcher->wait();
    if (e.signal != 0) {
      if (summary.interrupted_by == 0) {
        summary.interrupted_by = e.signal;
        dispatcher->stop();
      }
      continue;
    }
    --running;
    const std::size_t i = e.point;
    const int status = e.status;
    // a point killed by the same Ctrl-C (its process group) stopped; it did not fail
    const bool stopped_by_signal = WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM);
    std::pair<RunConfig, RunResult> r;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && read_point(point_dir / (plan.ids[i] + ".json"), r);
    if (!ok && (summary.interrupted_by != 0 || stopped_by_signal)) {
      if (summary.interrupted_by == 0) summary.interrupted_by = WTERMSIG(status);
      ++summary.stopped;
      continue;
    }
    PointOutcome o;
    o.finished = ++summary.ran;
    o.to_run = todo.size();
    o.point = &plan.points[i];
    o.ok = ok;
    if (o.ok) {
      o.accuracy_mean = r.second.accuracy_mean;
      o.accuracy_std = r.second.accuracy_std;
    } else {
      ++summary.failed;
      o.failure = last_line(point_dir / (plan.ids[i] + ".log"));
    }
    o.elapsed_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    o.eta_seconds = o.elapsed_seconds / static_cast<double>(o.finished) * static_cast<double>(todo.size() - o.finished);
    obs.point_done(o);
  }
  summary.points = plan.points.size();
  summary.point_dir = point_dir.string();
  summary.csv = (root / "sweep.csv").string();
  summary.rows = write_csv(plan, root / "sweep.csv", options.area_dir, summary.missing_area);
  return summary;
}

}  // namespace pcm::sw
