// Measurement tables: programming levels of a PCM device and what cells read
// back at each. The file format is documented in channel_model/README.md.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "pcm/channel_model/physics.hpp"

namespace pcm::channel_model {

// What a table may hold (README.md, "Accepted values"): every number within
// +-kMaxTableMagnitude, every map at least kMinMapWidth wide, every input,
// mean, std and read-out within +-kMaxMappedMagnitude once mapped (the map
// itself is [-1, 1]), and levels at least kMinLevelSpacing apart there. Then
// the statistics, the interpolation and the capacity stay finite with room
// to spare.
constexpr double kMaxTableMagnitude = 1e100;
constexpr double kMinMapWidth = 1e-100;
constexpr double kMaxMappedMagnitude = 1e6;
constexpr double kMinLevelSpacing = 1e-12;

enum class TableKind {
  kStats,  // one row per level: input, mean, std, count
  kRaw,    // one row per cell read-out: input, output
};

// Applied to a raw physical output before the linear map (the paper takes the
// log10 of the read resistance).
enum class OutputTransform { kNone, kLog10 };

// Linear map of the physical interval [lo, hi] onto the normalized [-1, 1].
struct LinearMap {
  double lo = -1.0;
  double hi = 1.0;
  double to_unit(double v) const { return 2.0 * (v - lo) / (hi - lo) - 1.0; }
  double from_unit(double u) const { return lo + (u + 1.0) * 0.5 * (hi - lo); }
  // Scale of a width (a std) from physical to normalized units.
  double unit_scale() const { return 2.0 / (hi - lo); }
};

// One programming level, in normalized units.
struct Level {
  double input = 0.0;
  double mean = 0.0;
  double std = 0.0;                // sample std (n - 1) for raw tables
  std::size_t count = 0;           // read-outs behind mean and std
  std::vector<double> samples;     // sorted read-outs; empty for stats tables
};

struct Table {
  std::string origin;  // file path or "builtin:NAME", used in messages
  TableKind kind = TableKind::kStats;
  std::string input_unit;
  std::string output_unit;  // after the transform, e.g. "log10(ohm)"
  OutputTransform transform = OutputTransform::kNone;
  LinearMap input_map;
  LinearMap output_map;
  std::vector<std::pair<std::string, std::string>> metadata;  // every "# key: value", in order
  std::vector<Level> levels;  // strictly increasing input
  Physics physics;            // drift and read noise declared by the metadata

  bool has_samples() const { return kind == TableKind::kRaw; }
  std::size_t total_count() const;
  // Metadata value for key, or "" when absent.
  std::string meta(const std::string& key) const;
};

// Parses a table; origin names the source in error messages. Throws
// TableError("ORIGIN:LINE: what is wrong").
Table parse_table(std::istream& in, const std::string& origin);
Table load_table_file(const std::string& path);

// Writes a table in the stats format, in physical units with its maps, so
// that reading it back gives the same normalized levels (a raw table is
// summarized to mean, std, count). Extra metadata lines go first.
void write_stats_table(std::ostream& out, const Table& table,
                       const std::vector<std::pair<std::string, std::string>>& extra_metadata);

const char* to_string(TableKind kind);
const char* to_string(OutputTransform transform);

}  // namespace pcm::channel_model
