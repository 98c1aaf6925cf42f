// `pcmsim sweep`: the grid from --grid/--set/--axis, sw::run_sweep(), one line per point.
#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "pcm/cli/cli.hpp"
#include "pcm/cli/options.hpp"
#include "pcm/sw/sweep.hpp"

namespace pcm::cli {
namespace po = boost::program_options;
using nlohmann::json;

namespace {

std::pair<std::string, std::string> split_kv(const std::string& s, const char* what) {
  const std::size_t eq = s.find('=');
  if (eq == std::string::npos || eq == 0) throw UsageError(std::string(what) + " '" + s + "': expected OPTION=VALUE");
  return {s.substr(0, eq), s.substr(eq + 1)};
}

// The grid file, with --set and --axis on top.
json grid_of(const std::string& grid_path, const std::vector<std::string>& sets, const std::vector<std::string>& axes) {
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
  return g;
}

class SweepPrinter final : public sw::SweepObserver {
 public:
  SweepPrinter(std::ostream& out, const std::string& dir, unsigned jobs) : out_(out), dir_(dir), jobs_(jobs) {}
  void started(std::size_t points, std::size_t done, std::size_t to_run) override {
    out_ << "sweep      " << points << " points, " << done << " already done, " << to_run << " to run, " << jobs_
         << " at a time; results in " << dir_ << "\n" << std::flush;
  }
  void point_done(const sw::PointOutcome& o) override {
    std::string what;
    for (const auto& [k, v] : *o.point) {
      if (k != "model" && k != "data") what += k + "=" + v + " ";
    }
    out_ << "[" << o.finished << "/" << o.to_run << "] " << what << "-> ";
    if (o.ok) {
      char acc[64];
      std::snprintf(acc, sizeof acc, "%.2f%% +- %.2f", 100.0 * o.accuracy_mean, 100.0 * o.accuracy_std);
      out_ << acc << "\n" << std::flush;
    } else {
      out_ << "FAILED: " << o.failure << "\n" << std::flush;
    }
  }

 private:
  std::ostream& out_;
  std::string dir_;
  unsigned jobs_;
};

}  // namespace

int sweep_command(const std::vector<std::string>& args, std::ostream& out) {
  std::string grid_path;
  std::vector<std::string> sets, axes;
  sw::SweepOptions o;
  o.jobs = std::max(1u, std::thread::hardware_concurrency());
  std::string jobs_text = std::to_string(o.jobs);  // parsed by hand: Boost would wrap -1 into 4294967295
  po::options_description desc("pcmsim sweep options");
  desc.add_options()
      ("help,h", "print this help")
      ("grid", po::value(&grid_path)->value_name("FILE"), "grid description (JSON; see sw/README.md)")
      ("set", po::value(&sets)->composing()->value_name("K=V"), "OPTION=VALUE for every point (repeatable)")
      ("axis", po::value(&axes)->composing()->value_name("K=V1,V2"), "OPTION=V1,V2,... an axis of the grid (repeatable)")
      ("out", po::value(&o.dir)->value_name("DIR"), "folder for the points and sweep.csv (finished points are reused)")
      ("jobs", po::value(&jobs_text)->default_value(jobs_text)->value_name("N"), "points run at once (processes)")
      ("fresh", po::bool_switch(&o.fresh), "redo every point instead of reusing finished ones");
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    out << "usage: pcmsim sweep (--grid FILE.json | --axis K=V1,V2 ...) [--set K=V ...] --out DIR\n\n" << desc;
    return 0;
  }
  parse_value("jobs", jobs_text, o.jobs);
  if (o.dir.empty()) throw UsageError("--out is required");
  if (o.jobs == 0) throw UsageError("--jobs must be at least 1");
  if (grid_path.empty() && axes.empty()) throw UsageError("give --grid FILE or at least one --axis");
  const std::vector<sw::SweepPoint> points = sw::expand_grid(grid_of(grid_path, sets, axes).dump());
  o.pcmsim = std::filesystem::read_symlink("/proc/self/exe").string();
  SweepPrinter printer(out, o.dir, o.jobs);
  const sw::SweepSummary s = sw::run_sweep(points, o, printer);
  out << "sweep.csv  " << s.rows << " rows -> " << s.csv << "\n";
  if (s.failed > 0) {
    throw std::runtime_error(std::to_string(s.failed) + " of " + std::to_string(s.ran) + " points failed (logs in " +
                             s.point_dir + "); rerun to retry them");
  }
  return 0;
}

}  // namespace pcm::cli
