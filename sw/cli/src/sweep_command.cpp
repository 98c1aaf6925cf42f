// `pcmsim sweep`: the grid from --grid/--set/--axis, sw::run_sweep(), one line per point.
#include <signal.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "pcm/cli/cli.hpp"
#include "pcm/cli/options.hpp"
#include "pcm/sw/progress.hpp"
#include "pcm/sw/sweep.hpp"
#include "pcm/sw/sweep_mpi.hpp"

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
  // one value per option: a second --set or --axis for it would silently win
  std::map<std::string, std::string> given;
  auto once = [&](const std::string& key, const char* how) {
    const std::string k = option_name(key);
    const auto [it, fresh] = given.emplace(k, how);
    if (!fresh) throw UsageError(std::string(how) + " " + key + ": '" + k + "' is already given by " + it->second);
  };
  for (const std::string& s : sets) {
    const auto [k, v] = split_kv(s, "--set");
    once(k, "--set");
    g["set"][k] = v;
  }
  for (const std::string& s : axes) {
    const auto [k, v] = split_kv(s, "--axis");
    once(k, "--axis");
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
  SweepPrinter(std::ostream& out, const std::string& dir, std::string at_once)
      : out_(out), dir_(dir), at_once_(std::move(at_once)) {}
  void started(const sw::SweepStart& s) override {
    out_ << "sweep      " << s.points << " points, " << s.done << " already done, " << s.to_run << " to run, "
         << at_once_ << "; results in " << dir_ << "\n";
    if (s.damaged > 0) {
      out_ << "damaged    " << s.damaged << " unreadable point file(s) moved aside (points/<id>.damaged.json); "
           << "those points run again\n";
    }
    if (s.to_run > 0) {
      out_ << "estimate   "
           << (s.estimate_seconds >= 0 ? "about " + sw::duration_text(s.estimate_seconds) + " (from the finished points)"
                                       : std::string("unknown until the first point finishes"))
           << "\n";
    }
    out_ << std::flush;
  }
  void point_done(const sw::PointOutcome& o) override {
    std::string what;
    for (const auto& [k, v] : *o.point) {
      if (k == "data") continue;
      // the model by its file name: an MLP point and a CNN point read differently
      what += k + "=" + (k == "model" ? std::filesystem::path(v).stem().string() : v) + " ";
    }
    out_ << "[" << o.finished << "/" << o.to_run << "] " << what << "-> ";
    if (o.ok) {
      char acc[64];
      std::snprintf(acc, sizeof acc, "%.2f%% +- %.2f", 100.0 * o.accuracy_mean, 100.0 * o.accuracy_std);
      out_ << acc;
    } else {
      out_ << "FAILED: " << o.failure;
    }
    out_ << "  (" << sw::duration_text(o.elapsed_seconds);
    if (o.finished < o.to_run) out_ << ", ETA " << sw::duration_text(o.eta_seconds);
    out_ << ")\n" << std::flush;
  }

 private:
  std::ostream& out_;
  std::string dir_;
  std::string at_once_;
};

}  // namespace

int sweep_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string grid_path;
  std::vector<std::string> sets, axes;
  sw::SweepOptions o;
  o.jobs = std::max(1u, std::thread::hardware_concurrency());
  std::string jobs_text = std::to_string(o.jobs);  // parsed by hand: Boost would wrap -1 into 4294967295
  o.area_dir = PCMSIM_AREA_DIR;
  bool use_mpi = false;
  po::options_description desc("pcmsim sweep options");
  desc.add_options()
      ("help,h", "print this help")
      ("grid", po::value(&grid_path)->value_name("FILE"), "grid description (JSON; see sw/README.md)")
      ("set", po::value(&sets)->composing()->value_name("K=V"), "OPTION=VALUE for every point (repeatable)")
      ("axis", po::value(&axes)->composing()->value_name("K=V1,V2"), "OPTION=V1,V2,... an axis of the grid (repeatable)")
      ("out", po::value(&o.dir)->value_name("DIR"), "folder for the points and sweep.csv (finished points are reused)")
      ("jobs", po::value(&jobs_text)->default_value(jobs_text)->value_name("N"), "points run at once (processes)")
      ("fresh", po::bool_switch(&o.fresh), "redo every point instead of reusing finished ones")
      ("mpi", po::bool_switch(&use_mpi), "run under mpirun: rank 0 hands the points to the other ranks (--jobs: ignored)")
      ("area-dir", po::value(&o.area_dir)->default_value(o.area_dir)->value_name("DIR"),
       "synthesis results (scripts/synth_area.py) joined into sweep.csv as area columns")
      ("allow-large", po::bool_switch(&o.allow_large), "accept grids above 5000 points and --jobs above 256 (sanity ceilings)");
  const po::variables_map vm = parse_command_line(args, desc);
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
  // every rank checks the grid before MPI starts, so that a bad grid ends them all alike
  const sw::SweepPlan plan = sw::plan_sweep(points, o);
  std::unique_ptr<sw::MpiSweep> mpi;
  std::unique_ptr<sw::PointDispatcher> ranks;
  std::string at_once = std::to_string(o.jobs) + " at a time";
  if (use_mpi) {
    mpi = std::make_unique<sw::MpiSweep>();
    if (mpi->rank() > 0) {
      mpi->serve(plan);
      return 0;
    }
    ranks = mpi->dispatcher(plan, o.jobs);
    if (mpi->size() > 1) at_once = "on " + std::to_string(mpi->size() - 1) + " MPI ranks, one point each";
  }
  SweepPrinter printer(out, o.dir, at_once);
  const sw::SweepSummary s = sw::run_sweep(points, o, printer, ranks.get());
  ranks.reset();  // the ranks end before MPI does
  out << "sweep.csv  " << s.rows << " rows -> " << s.csv << "\n" << std::flush;
  // one line: which parameter sets, and how to make the first (after a complete sweep only: an
  // interrupted or failed one ends with its own line)
  if (!s.missing_area.empty() && s.interrupted_by == 0 && s.failed == 0) {
    std::string which;
    for (const sw::RtlParameters& p : s.missing_area) {
      which += (which.empty() ? "" : ", ") + std::string("lanes ") + std::to_string(p.lanes) + " dac " +
              std::to_string(p.dac_width) + " adc " + std::to_string(p.adc_width);
    }
    err << "pcmsim sweep: no area for " << which << " in " << o.area_dir << " (area columns left empty); make it with "
        << sw::area_command(s.missing_area.front(), o.area_dir)
        << (s.missing_area.size() > 1 ? " (likewise for the others)" : "") << "\n";
  }
  if (s.interrupted_by != 0) {
    err << "pcmsim sweep: interrupted by " << (s.interrupted_by == SIGINT ? "SIGINT" : "SIGTERM") << ": "
        << s.stopped << " running point(s) stopped, " << s.rows << " of " << s.points
        << " points done (sweep.csv written); rerun the same command to finish\n";
    return 128 + s.interrupted_by;
  }
  if (s.failed > 0) {
    throw std::runtime_error(std::to_string(s.failed) + " of " + std::to_string(s.ran) + " points failed (logs in " +
                             s.point_dir + "); rerun to retry them");
  }
  return 0;
}

}  // namespace pcm::cli
