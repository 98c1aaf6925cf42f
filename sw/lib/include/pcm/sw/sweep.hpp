// `pcmsim sweep` as a library: a grid of `pcmsim run` points, each run as a
// child process (`pcmsim run ... --out POINT.json`), several at once (here,
// or on MPI ranks: sweep_mpi.hpp), resumable (a point whose result file
// exists is not run again), gathered into one CSV whose columns are generated
// from RunConfig and RunResult (result.hpp), with the controller's area
// joined from its synthesis results.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace pcm::sw {

// One point: `pcmsim run` options (name without "--" -> value).
using SweepPoint = std::map<std::string, std::string>;

// The points of a grid description (JSON text; see sw/README.md): the
// cartesian product of each block's axes, with the common and the block's
// fixed options. Throws ConfigError ("grid") naming what is malformed.
std::vector<SweepPoint> expand_grid(const std::string& json_text);
// A stable identifier of a point (hex of a hash of its sorted options). The
// values of numeric options are compared as numbers: cells 1, 1.0 and "1"
// are one point (expand_grid normalises them).
std::string point_id(const SweepPoint& point);
// The `pcmsim run` arguments of a point (without the program name). Throws
// ConfigError ("grid") for an option `pcmsim run` does not have, or one the
// sweep sets itself (out).
std::vector<std::string> run_arguments(const SweepPoint& point);

struct SweepOptions {
  std::string dir;           // DIR/points/<id>.{json,log,args}, DIR/sweep.csv
  std::string pcmsim;        // the executable that runs a point
  unsigned jobs = 1;         // points at once
  bool fresh = false;        // rerun finished points too
  bool allow_large = false;  // grids and --jobs above the sanity ceilings (config.hpp)
  std::string area_dir;      // synthesis results joined into the CSV (area_columns); "": none
};

// The points of a sweep as processes: the grid without repeats, each point's
// id and its `pcmsim run` command line (executable first). A deterministic
// function of the grid and the options, so every MPI rank computes the same.
struct SweepPlan {
  std::vector<SweepPoint> points;
  std::vector<std::string> ids;
  std::vector<std::vector<std::string>> commands;
  std::string point_dir;  // DIR/points
};
// Throws ConfigError ("grid") as run_arguments does, and for more points than
// the sanity ceiling without options.allow_large, before anything runs.
SweepPlan plan_sweep(const std::vector<SweepPoint>& grid, const SweepOptions& options);
// Starts point i of the plan as a child process (its .args written, output
// to its .log, SIGTERM when the caller dies); returns its process id.
int start_point(const SweepPlan& plan, std::size_t i);

// Who runs the points: child processes on this machine (local_dispatcher),
// or MPI ranks (sweep_mpi.hpp). The sweep hands out point indices and learns
// how each ended; stop signals (SIGINT, SIGTERM) reach it through wait().
class PointDispatcher {
 public:
  struct Event {
    int signal = 0;         // a stop signal arrived (no point ended)
    std::size_t point = 0;  // else: the point that ended,
    int status = 0;         // with its wait status (waitpid's)
  };
  virtual ~PointDispatcher() = default;
  virtual std::size_t slots() const = 0;  // points at once
  virtual void start(std::size_t point) = 0;
  // The next event; only called while points run.
  virtual Event wait() = 0;
  // SIGTERM to every running point (they still end through wait()).
  virtual void stop() = 0;
};
std::unique_ptr<PointDispatcher> local_dispatcher(const SweepPlan& plan, unsigned jobs);

// What the sweep found before running anything.
struct SweepStart {
  std::size_t points = 0;
  std::size_t done = 0;     // finished earlier, reused
  std::size_t damaged = 0;  // unreadable result files, moved aside and rerun
  std::size_t to_run = 0;
  double estimate_seconds = -1.0;  // from the finished points' run times; < 0: unknown
};

// How one point ended, for the observer.
struct PointOutcome {
  std::size_t finished = 0;  // points finished so far in this sweep
  std::size_t to_run = 0;
  const SweepPoint* point = nullptr;
  bool ok = false;
  double accuracy_mean = 0.0;
  double accuracy_std = 0.0;
  std::string failure;  // the last line of the point's log
  double elapsed_seconds = 0.0;  // since the sweep started
  double eta_seconds = -1.0;     // for the rest, from the points run so far; < 0: unknown
};

class SweepObserver {
 public:
  virtual ~SweepObserver() = default;
  virtual void started(const SweepStart&) {}
  virtual void point_done(const PointOutcome&) {}
};

// The controller's RTL parameters a row was simulated with (its lanes,
// dac_width and adc_width columns; the controller's defaults while runs have
// no such fields): the key of its area file.
struct RtlParameters {
  unsigned lanes = 4;
  unsigned dac_width = 16;
  unsigned adc_width = 16;
};

struct SweepSummary {
  std::size_t points = 0;
  std::size_t ran = 0;
  std::size_t failed = 0;
  std::size_t rows = 0;
  std::string csv;  // path
  std::string point_dir;
  int interrupted_by = 0;  // SIGINT or SIGTERM that stopped the sweep; 0: ran to the end
  std::size_t stopped = 0;  // running points stopped by it (rerun next time)
  // The RTL parameter sets of rows without an area file in
  // options.area_dir; their area cells are empty.
  std::vector<RtlParameters> missing_area;
};

// The area columns the CSV gets after the run's (from the synthesis file of
// the row's RTL parameters: nand2_equivalents, flip_flops, cell_count).
const std::vector<std::string>& area_columns();
// "pcm_ctrl_lanes4_dac16_adc16.json": the file scripts/synth_area.py writes.
std::string area_file_name(const RtlParameters& p);
// The command that makes that file (scripts/synth_area.py), run from the source tree.
std::string area_command(const RtlParameters& p, const std::string& area_dir);

// Runs the points not yet done and writes the CSV of every finished point,
// in grid order; a point that occurs twice in the grid is run once and is one
// row. Failed points are counted, not thrown. SIGINT or SIGTERM stops the
// sweep in order: no new point starts, the running ones get SIGTERM and are
// waited for, the CSV is written for what finished (the stopped points have
// no result file, so a rerun runs them). Each point also dies with the sweep
// if the sweep is killed outright (the parent-death signal).
// dispatcher: nullptr runs options.jobs child processes here.
SweepSummary run_sweep(const std::vector<SweepPoint>& points, const SweepOptions& options, SweepObserver& observer,
                       PointDispatcher* dispatcher = nullptr);

}  // namespace pcm::sw
