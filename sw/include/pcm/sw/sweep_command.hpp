// `pcmsim sweep`: a grid of `pcmsim run` points, run in parallel processes,
// resumable, gathered into one CSV.
#pragma once

#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace pcm::sw {

// One point: `pcmsim run` options (name without "--" -> value).
using SweepPoint = std::map<std::string, std::string>;

// The points of a grid description (JSON text; see sw/README.md): the
// cartesian product of each block's axes, with the common and the block's
// fixed options. Throws UsageError naming what is malformed.
std::vector<SweepPoint> expand_grid(const std::string& json_text);
// A stable identifier of a point (hex of a hash of its sorted options).
std::string point_id(const SweepPoint& point);

int sweep_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace pcm::sw
