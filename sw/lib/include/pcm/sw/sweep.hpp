// `pcmsim sweep` as a library: a grid of `pcmsim run` points, each run as a
// child process (`pcmsim run ... --out POINT.json`), several at once,
// resumable (a point whose result file exists is not run again), gathered
// into one CSV whose columns are generated from RunConfig and RunResult
// (result.hpp).
#pragma once

#include <cstddef>
#include <map>
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
};

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

struct SweepSummary {
  std::size_t points = 0;
  std::size_t ran = 0;
  std::size_t failed = 0;
  std::size_t rows = 0;
  std::string csv;  // path
  std::string point_dir;
  int interrupted_by = 0;  // SIGINT or SIGTERM that stopped the sweep; 0: ran to the end
  std::size_t stopped = 0;  // running points stopped by it (rerun next time)
};

// Runs the points not yet done and writes the CSV of every finished point,
// in grid order; a point that occurs twice in the grid is run once and is one
// row. Failed points are counted, not thrown. SIGINT or SIGTERM stops the
// sweep in order: no new point starts, the running ones get SIGTERM and are
// waited for, the CSV is written for what finished (the stopped points have
// no result file, so a rerun runs them). Each point also dies with the sweep
// if the sweep is killed outright (the parent-death signal).
SweepSummary run_sweep(const std::vector<SweepPoint>& points, const SweepOptions& options, SweepObserver& observer);

}  // namespace pcm::sw
