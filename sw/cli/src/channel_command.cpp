// `pcmsim channel`: a channel table's levels, invertible range, capacity and
// pre-mapped noise; its curves and samples for scripts/plot_channel.py.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <ostream>
#include <sstream>

#include "pcm/channel_model/builtin.hpp"
#include "pcm/channel_model/capacity.hpp"
#include "pcm/channel_model/channel.hpp"
#include "pcm/channel_model/errors.hpp"
#include "pcm/cli/cli.hpp"
#include "pcm/cli/options.hpp"
#include "pcm/sw/config.hpp"
#include "pcm/sw/files.hpp"
#include "pcm/sw/programmed_spread.hpp"
#include "pcm/sw/progress.hpp"
#include "pcm/sw/text.hpp"

namespace pcm::cli {
using sw::fmt;
namespace cm = pcm::channel_model;

namespace {

constexpr unsigned kAveraged[] = {1, 10, 100};  // the paper's Figure 3

cm::NoiseModel parse_noise(const std::string& s) {
  if (s == "gaussian") return cm::NoiseModel::kGaussian;
  if (s == "empirical") return cm::NoiseModel::kEmpirical;
  throw UsageError("--noise: expected 'gaussian' or 'empirical', got '" + s + "'");
}

std::ofstream open_output(const std::string& path) {
  std::ofstream f(path);
  if (!f) throw cm::TableError(path + ": cannot open for writing");
  return f;
}

void report(std::ostream& out, const cm::TableChannel& channel, const cm::PreMapping& pre,
            const cm::CapacityResult& cap, int bins) {
  const cm::Table& t = channel.table();
  const cm::Branch& b = pre.branch();
  out << "table            " << t.origin << "\n";
  if (!t.meta("summary").empty()) out << "                 " << t.meta("summary") << "\n";
  out << "kind             " << cm::to_string(t.kind) << ", " << t.levels.size() << " levels, "
      << t.total_count() << " read-outs; noise model " << cm::to_string(channel.noise_model()) << "\n";
  out << "input            " << (t.input_unit.empty() ? "(no unit)" : t.input_unit) << ", ["
      << fmt("%.6g", t.input_map.lo) << ", " << fmt("%.6g", t.input_map.hi) << "] -> [-1, 1]\n";
  out << "output           " << (t.output_unit.empty() ? "(no unit)" : t.output_unit)
      << (t.transform == cm::OutputTransform::kLog10 ? " (log10 of the read-out)" : "") << ", ["
      << fmt("%.6g", t.output_map.lo) << ", " << fmt("%.6g", t.output_map.hi) << "] -> [-1, 1]\n";
  out << "drift            " << t.physics.drift_text() << "\n";
  out << "read noise       " << t.physics.read_noise_text() << "\n\n";

  out << "level   input(phys)        x       mean        std   count\n";
  for (std::size_t i = 0; i < t.levels.size(); ++i) {
    const cm::Level& l = t.levels[i];
    char line[160];
    std::snprintf(line, sizeof line, "%5zu  %12.6g  %+8.4f  %+9.4f  %9.4f  %6zu\n", i,
                  t.input_map.from_unit(l.input), l.input, l.mean, l.std, l.count);
    out << line;
  }
  out << "\n";
  out << "invertible branch  x in [" << fmt("%+.4f", b.x_lo) << ", " << fmt("%+.4f", b.x_hi)
      << "], mu " << (b.increasing ? "increasing" : "decreasing") << "\n";
  out << "pre-mapped range   [" << fmt("%+.4f", b.t_lo) << ", " << fmt("%+.4f", b.t_hi)
      << "]  (domain of h = mu^-1: the usable range of alpha*w - beta)\n";
  out << "capacity           " << fmt("%.3f", cap.bits)
      << " bits/cell  (Blahut-Arimoto over the levels, per-level Gaussian, " << bins
      << " output bins, upper bound " << fmt("%.3f", cap.upper_bound) << ", " << cap.iterations << " iterations"
      << (cap.upper_bound - cap.bits < cm::kTableCapacityTolerance ? "" : "; not converged")
      << ")\n\n";
  out << "pre-mapped channel phi = C o h: std of the read-out, r cells averaged\n";
  out << "       t      h(t)      r=1     r=10    r=100\n";
  for (int k = 0; k <= 4; ++k) {
    const double tt = b.t_lo + (b.t_hi - b.t_lo) * k / 4.0;
    char line[160];
    std::snprintf(line, sizeof line, "%+8.4f  %+8.4f  %7.4f  %7.4f  %7.4f\n", tt, pre.h(tt),
                  pre.sigma(tt, 1), pre.sigma(tt, 10), pre.sigma(tt, 100));
    out << line;
  }
}

// The capacity of a table of thousands of levels takes seconds: a bar on a
// terminal (none elsewhere, and none in the first second). Its fraction is
// how far the gap between the bounds has closed towards the tolerance, on a
// log scale, which is how it closes.
cm::CapacityResult capacity_with_progress(const cm::Table& table, int bins) {
  constexpr std::uint64_t kSteps = 1000;
  sw::Progress bar(std::cerr, sw::ProgressMode::kAuto);
  bar.task("capacity", kSteps);
  double first_gap = 0.0;
  const auto progress = [&](int, double lower, double upper) {
    const double gap = std::max(upper - lower, cm::kTableCapacityTolerance);
    if (first_gap == 0.0) first_gap = std::max(gap, 2.0 * cm::kTableCapacityTolerance);
    const double closed = std::log(first_gap / gap) / std::log(first_gap / cm::kTableCapacityTolerance);
    bar.progress(static_cast<std::uint64_t>(std::clamp(closed, 0.0, 1.0) * static_cast<double>(kSteps)));
  };
  return cm::table_capacity(table, bins, progress);
}

// Long-format curves: series,x,y. Read by scripts/plot_channel.py.
void export_curves(const std::string& path, const cm::TableChannel& channel,
                   const cm::PreMapping& pre, const cm::CapacityResult& cap, std::uint64_t seed,
                   unsigned samples) {
  std::ofstream f = open_output(path);
  const cm::Table& t = channel.table();
  const cm::Branch& b = pre.branch();
  f << "# table: " << t.origin << "\n"
    << "# noise: " << cm::to_string(channel.noise_model()) << "\n"
    << "# capacity_bits: " << fmt("%.4f", cap.bits) << "\n"
    << "# branch_x: " << fmt("%.6f", b.x_lo) << " " << fmt("%.6f", b.x_hi) << "\n"
    << "# premapped_range: " << fmt("%.6f", b.t_lo) << " " << fmt("%.6f", b.t_hi) << "\n"
    << "# seed: " << seed << "\n";
  // the physical units, so that a plot can label both scales
  if (!t.input_unit.empty()) f << "# input_unit: " << t.input_unit << "\n";
  if (!t.output_unit.empty()) f << "# output_unit: " << t.output_unit << "\n";
  f << "# input_map: " << fmt("%.12g", t.input_map.lo) << " " << fmt("%.12g", t.input_map.hi) << "\n"
    << "# output_map: " << fmt("%.12g", t.output_map.lo) << " " << fmt("%.12g", t.output_map.hi) << "\n";
  for (const char* key : {"summary", "source"}) {
    if (!t.meta(key).empty()) f << "# " << key << ": " << t.meta(key) << "\n";
  }
  f << "series,x,y\n";
  auto row = [&f](const char* series, double x, double y) {
    f << series << "," << fmt("%.9g", x) << "," << fmt("%.9g", y) << "\n";
  };
  for (const auto& l : t.levels) {
    row("level_mean", l.input, l.mean);
    row("level_std", l.input, l.std);
  }
  const auto [x_lo, x_hi] = channel.input_domain();
  constexpr int kGrid = 400;
  for (int k = 0; k <= kGrid; ++k) {
    const double x = x_lo + (x_hi - x_lo) * k / kGrid;
    row("mu", x, channel.mean(x));
    row("sigma", x, channel.stddev(x));
  }
  for (int k = 0; k <= kGrid; ++k) {
    const double tt = b.t_lo + (b.t_hi - b.t_lo) * k / kGrid;
    row("h", tt, pre.h(tt));
    for (unsigned r : kAveraged) row(("phi_sigma_r" + std::to_string(r)).c_str(), tt, pre.sigma(tt, r));
  }
  // Scatter: raw channel over the input domain (Figure 2(c)) and the
  // pre-mapped channel averaged over r cells (Figure 3). Cell addresses are
  // disjoint per series, so every point is an independent draw.
  std::uint64_t address = 0;
  for (unsigned k = 0; k < samples; ++k, ++address) {
    const double x = x_lo + (x_hi - x_lo) * (k + 0.5) / samples;
    row("channel_sample", x, channel.sample(x, {seed, address, 0, cm::Stream::kProgram}));
  }
  for (unsigned r : kAveraged) {
    const std::string series = "phi_sample_r" + std::to_string(r);
    for (unsigned k = 0; k < samples; ++k) {
      const double tt = b.t_lo + (b.t_hi - b.t_lo) * (k + 0.5) / samples;
      row(series.c_str(), tt, cm::sample_average(channel, pre.h(tt), {seed, address, 0, cm::Stream::kProgram}, r));
      address += r;
    }
  }
  if (!f) throw cm::TableError(path + ": write failed");
}

// The command's options (options.hpp reads every value as text).
struct ChannelConfig {
  std::string table = "default";
  std::string noise = "gaussian";
  std::string export_path;
  std::string save_stats;
  uint64_t seed = 1;
  unsigned samples = 3000;
  int bins = 4096;
  bool list = false;
  sw::VerifyOptions verify;
  uint64_t verify_cells = 20000;

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("table", s.table, sw::FieldDoc{"NAME|FILE", "a built-in table name or a table file (CSV; see channel_model/README.md)"});
    v("noise", s.noise, sw::FieldDoc{"MODEL", "noise model for the exported samples: gaussian, or empirical (raw tables only)"});
    v("export", s.export_path, sw::FieldDoc{"FILE", "write curves and samples as CSV (for scripts/plot_channel.py)"});
    v("save_stats", s.save_stats, sw::FieldDoc{"FILE", "write the table as a stats table (per-level mean, std, count, with its maps)"});
    v("seed", s.seed, sw::FieldDoc{"S", "seed of the exported samples and of the verify study"});
    v("samples", s.samples, sw::FieldDoc{"N", "scatter points per exported series, 1 .. 1000000"});
    v("bins", s.bins, sw::FieldDoc{"N", "output bins for the capacity computation, 2 .. 1048576"});
    v("list", s.list, sw::FieldDoc{"", "list the built-in tables"});
    sw::VerifyOptions::fields(s.verify, v);  // with N > 1: the programmed-spread study (16-bit ADC codes)
    v("verify_cells", s.verify_cells, sw::FieldDoc{"N", "cells of the verify study, 1 .. 10000000"});
  }
};

void report_verify(std::ostream& out, const ChannelConfig& c) {
  const sw::ProgrammedSpread p = sw::programmed_spread(c.table, c.verify, c.verify_cells, c.seed);
  out << "\nprogram-and-verify " << c.verify.pulses << " pulses, tolerance " << c.verify.tol << " ADC codes, gain "
      << c.verify.gain << "/256; " << p.cells << " cells at 1 cell per weight, 16-bit DAC/ADC\n"
      << "  programmed std   " << fmt("%.4f", p.std_once) << " with one pulse, " << fmt("%.4f", p.std_verified)
      << " with verify (" << fmt("%.2f", p.std_verified > 0.0 ? p.std_once / p.std_verified : 0.0)
      << "x smaller; t units)\n"
      << "  cost             " << fmt("%.2f", p.pulses_per_cell) << " pulses per cell, "
      << fmt("%.1f", 100.0 * p.failed_fraction) << "% of cells not converged\n";
}

}  // namespace

int channel_command(const std::vector<std::string>& args, std::ostream& out) {
  ChannelConfig c;
  Options options("pcmsim channel options");
  options.declare(c);
  if (!options.parse(args)) {
    out << "usage: pcmsim channel [--table NAME|FILE] [--export FILE.csv] [options]\n\n" << options.help();
    return 0;
  }
  if (c.list) {
    for (const auto& t : cm::builtin_tables()) out << t.name << "  " << t.summary << "\n";
    return 0;
  }
  if (c.bins < 2 || c.bins > 1 << 20) throw UsageError("--bins must be in [2, 1048576], got " + std::to_string(c.bins));
  if (c.samples == 0 || c.samples > 1000000) {
    throw UsageError("--samples must be in [1, 1000000], got " + std::to_string(c.samples));
  }
  sw::validate(c.verify);
  if (c.verify_cells == 0 || c.verify_cells > 10000000) {
    throw UsageError("--verify-cells: must be 1 .. 10000000, got " + std::to_string(c.verify_cells));
  }
  const std::string& table_spec = c.table;
  const std::string& export_path = c.export_path;
  const std::string& save_stats_path = c.save_stats;
  const int bins = c.bins;

  sw::check_outputs({{"table", table_spec}}, {{"export", export_path}, {"save_stats", save_stats_path}});
  const cm::TableChannel channel(cm::load_table(table_spec), parse_noise(c.noise));
  const cm::PreMapping pre(channel);
  const cm::CapacityResult cap = capacity_with_progress(channel.table(), bins);
  report(out, channel, pre, cap, bins);

  if (!export_path.empty()) {
    export_curves(export_path, channel, pre, cap, c.seed, c.samples);
    out << "\nwrote " << export_path << "\n";
  }
  if (c.verify.pulses > 1) report_verify(out, c);
  if (!save_stats_path.empty()) {
    std::ofstream f = open_output(save_stats_path);
    std::vector<std::pair<std::string, std::string>> meta;
    for (const auto& kv : channel.table().metadata) {
      // written by write_stats_table itself (the format, and the physics it declares)
      static const char* kFormatKeys[] = {"format",     "kind",       "input_unit", "output_unit",
                                          "output_transform", "input_map", "output_map", "drift",
                                          "drift_t0",   "read_noise", "read_noise_std", "read_time"};
      bool is_format_key = false;
      for (const char* k : kFormatKeys) is_format_key |= kv.first == k;
      if (!is_format_key) meta.push_back(kv);
    }
    meta.emplace_back("derived_from", channel.table().origin + " (" + cm::to_string(channel.table().kind) +
                                          " table, " + std::to_string(channel.table().total_count()) +
                                          " read-outs)");
    cm::write_stats_table(f, channel.table(), meta);
    if (!f) throw cm::TableError(save_stats_path + ": write failed");
    out << "wrote " << save_stats_path << "\n";
  }
  return 0;
}

}  // namespace pcm::cli
