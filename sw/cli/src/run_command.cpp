// `pcmsim run`: options from RunConfig, sw::run(), the report.
#include <algorithm>
#include <ostream>

#include "pcm/cli/cli.hpp"
#include "pcm/cli/options.hpp"
#include "pcm/channel_model/builtin.hpp"
#include "pcm/cli/progress_printer.hpp"
#include "pcm/sw/run.hpp"
#include "pcm/sw/text.hpp"

namespace pcm::cli {
using sw::fmt;

namespace {

// The header and one line per seed as the run goes; the bar (stderr) for
// the long steps, erased before each line.
class RunPrinter final : public WithProgress<sw::RunObserver> {
 public:
  RunPrinter(const sw::RunConfig& c, std::ostream& out, std::ostream& err)
      : WithProgress(err, sw::progress_mode(c.display.quiet, c.display.progress)), c_(c), out_(out) {}

  void setup(const sw::RunSetup& s) override {
    out_ << "model      " << s.model << ": " << s.parameter_tensors << " parameter tensors, " << s.weights
         << " weights; " << s.buffer_values << " buffer values stay digital\n";
    out_ << "dataset    " << s.dataset_format << ", " << s.evaluated << " test items of " << s.channels << "x"
         << s.height << "x" << s.width << "\n";
    out_ << "channel    " << s.channel << ", usable t in [" << fmt("%+.4f", s.t_lo) << ", " << fmt("%+.4f", s.t_hi)
         << "]\n";
    if (c_.engine.store == "digital") {
      const int bits = c_.engine.digital_bits;
      out_ << "store      digital baseline, "
           << (bits == 32 ? std::string("fp32") : std::to_string(bits) + "-bit uniform quantization") << ", error-free\n";
    } else {
      out_ << "engine     " << s.engine << "; strategy " << s.strategy << "; target " << c_.plan.rule.cells
           << " analog cells per weight\n";
    }
    if (c_.prune > 0.0) out_ << "pruning    " << fmt("%.1f", 100.0 * c_.prune) << "% of each tensor by magnitude\n";
    out_ << std::flush;
  }
  void clean_accuracy(double a) override {
    clear();
    out_ << "clean accuracy     " << fmt("%.2f", 100.0 * a) << "%\n" << std::flush;
  }
  void pruned_accuracy(double a) override {
    clear();
    out_ << "pruned accuracy    " << fmt("%.2f", 100.0 * a) << "% (no storage noise)\n";
  }
  void seed_accuracy(uint64_t seed, double a) override {
    clear();
    out_ << "seed " << seed << "             " << fmt("%.2f", 100.0 * a) << "%\n" << std::flush;
  }
 private:
  const sw::RunConfig& c_;
  std::ostream& out_;
};

// The per-layer report: the tensors kept digital, and the few that read
// back worst (lowest SNR); the JSON's "tensors" has every one.
void print_tensors(std::ostream& out, const sw::RunResult& r) {
  constexpr std::size_t kWorst = 3;
  std::vector<const sw::TensorReport*> analog;
  std::string digital;
  for (const sw::TensorReport& t : r.tensors) {
    if (t.digital) {
      digital += (digital.empty() ? "" : ", ") + t.name;
    } else {
      analog.push_back(&t);
    }
  }
  if (!digital.empty()) out << "kept digital       " << digital << " (fp32, exact)\n";
  std::stable_sort(analog.begin(), analog.end(), [](auto* a, auto* b) { return a->snr_db < b->snr_db; });
  for (std::size_t i = 0; i < std::min(kWorst, analog.size()); ++i) {
    const sw::TensorReport& t = *analog[i];
    out << (i == 0 ? "worst tensors      " : "                   ") << t.name << ": SNR "
        << (t.snr_db >= sw::kMaxSnrDb ? std::string("exact") : fmt("%.1f", t.snr_db) + " dB") << ", RMS error "
        << fmt("%.2f", 100.0 * t.rms_error) << "% of max|w|, " << t.sign_flips << " sign flips, " << t.saturated
        << " saturated, " << fmt("%.2f", t.cells_per_weight) << " cells/weight\n";
  }
}

void print_summary(std::ostream& out, const sw::RunConfig& c, const sw::RunResult& r) {
  const unsigned seeds = c.seeds;
  out << "stored accuracy    " << fmt("%.2f", 100.0 * r.accuracy_mean) << "% +- " << fmt("%.2f", 100.0 * r.accuracy_std)
      << " (" << seeds << " seed" << (seeds > 1 ? "s" : "") << "), clean " << fmt("%.2f", 100.0 * r.clean_accuracy)
      << "%, loss " << fmt("%.2f", 100.0 * (r.clean_accuracy - r.accuracy_mean)) << " points\n";
  const bool digital = c.engine.store == "digital";
  out << "cells per weight   analog " << fmt("%.4f", r.cost_ideal.analog) << " + "
      << (digital ? "digital " : "metadata/directory ") << fmt("%.4f", r.cost_ideal.digital_words());
  if (c.prune > 0.0) out << " + pruning mask " << fmt("%.4f", r.cost_ideal.mask);
  out << " = " << fmt("%.4f", r.cost_ideal.total) << " (ideal, 2 bits per digital cell); "
      << fmt("%.4f", r.cost_realistic.total) << " (realistic, 1.8)\n";
  out << "digital baselines  fp32 stored digitally: " << fmt("%.2f", r.fp32_ideal) << " cells per weight (ideal), "
      << fmt("%.2f", r.fp32_realistic) << " (realistic)\n";
  if (!digital) {
    out << "controller (seed " << c.seed << ")  analog cells written " << r.counters.cells_written << ", read "
        << r.counters.cells_read << "; metadata records " << r.counters.meta_written << " / " << r.counters.meta_read
        << "; directory entries " << r.counters.dir_written << " / " << r.counters.dir_read << "\n";
  }
  out << "saturated weights  " << r.counters.saturated << " of " << r.weights << "\n";
  print_tensors(out, r);
  if (!digital) {
    const sw::PhysicalCost& p = r.physical;
    out << "array (seed " << c.seed << ")     store " << fmt("%.1f", p.store_us) << " us, load " << fmt("%.1f", p.load_us)
        << " us; " << fmt("%.2f", p.store_uj + p.load_uj) << " uJ, " << fmt("%.0f", p.pj_per_weight) << " pJ/weight; "
        << fmt("%.2f", p.pulses_per_cell) << " pulses/cell";
    if (r.counters.verify_reads > 0) {
      out << ", " << r.counters.verify_reads << " verify reads, " << r.counters.pv_failed << " cells not converged";
    }
    out << "; read " << fmt("%g", p.load_time_s) << " s after programming\n";
  }
  if (r.timing.cycles > 0) {
    out << "simulated          " << r.timing.cycles << " cycles over " << seeds << " seeds, "
        << fmt("%.0f", static_cast<double>(r.weights) * seeds / std::max(r.timing.sim_seconds, 1e-9))
        << " weights/s simulated, bank utilisation " << fmt("%.1f", 100.0 * r.timing.bank_utilisation) << "%\n";
    out << "per seed           store " << fmt("%.0f", r.rates.store_cycles) << " + load " << fmt("%.0f", r.rates.load_cycles)
        << " cycles, " << fmt("%.1f", r.rates.simulated_us) << " us at the controller's clock\n";
  }
  out << "time               " << fmt("%.1f", r.host.store_seconds) << " s storing and loading, "
      << fmt("%.1f", r.host.wall_seconds) << " s in all; peak memory " << fmt("%.0f", r.host.peak_rss_mib) << " MiB\n";
  // where the files went (every seed's controller waveform goes to one FST)
  if (!c.engine.trace.empty()) {
    out << "waveform           " << c.engine.trace << " (FST, ";
    if (c.engine.trace_from == 0 && c.engine.trace_cycles == 0) {
      out << "every cycle";
    } else {
      out << "cycles " << c.engine.trace_from << " .. ";
      if (c.engine.trace_cycles == 0) {
        out << "the end";
      } else {
        out << c.engine.trace_from + c.engine.trace_cycles;
      }
    }
    out << "; gtkwave " << c.engine.trace << " systemc/pcm_ctrl.gtkw)\n";
  }
  if (!c.dump_weights.empty()) out << "read-back weights  " << c.dump_weights << " (first seed, fp32)\n";
  if (!c.out.empty()) out << "result             " << c.out << "\n";
}

}  // namespace

int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  sw::RunConfig c;
  Options options("pcmsim run options");
  options.sections({{"Model and data", {"model", "data", "limit", "batch", "calib"}},
                    {"Strategy", {"strategy", "cells", "large_fraction", "boost", "dir", "sens_fraction", "prune", "keep_digital"}},
                    {"Channel and converters", {"channel", "dac_bits", "adc_bits", "time"}},
                    {"Engine, controller and array",
                     {"engine", "store", "digital_bits", "verify_pulses", "verify_tol", "verify_gain", "drift_refs",
                      "banks", "write_latency", "read_latency", "program_ns", "program_pj", "read_ns", "read_pj"}},
                    {"Evaluation", {"seeds", "seed", "threads"}},
                    {"Output",
                     {"out", "dump_weights", "trace", "trace_from", "trace_cycles", "quiet", "progress", "allow_large"}}});
  options.declare(c);
  if (!options.parse(args)) {
    out << "usage: pcmsim run --model FILE.pt --data DIR [options]\n\n" << options.help() << "\n"
        << "strategies: none, or any of sp (sign protection: the sign as a digital bit), am (adaptive mapping: a\n"
           "  flag bit picks one of two scale factors), ar (adaptive redundancy: more cells, averaged, for large\n"
           "  weights), sens (Fisher-sensitive weights get the large weights' cells) joined by '+', e.g. sp+am+ar\n"
        << "built-in channels:";
    for (const auto& t : channel_model::builtin_tables()) out << " " << t.name;
    out << " (pcmsim channel --list), or a table file, or awgn:STD\n";
    return 0;
  }
  if (c.model.empty()) throw UsageError("--model is required");
  if (c.data.empty()) throw UsageError("--data is required");
  RunPrinter printer(c, out, err);
  std::vector<std::string> command{"pcmsim", "run"};
  command.insert(command.end(), args.begin(), args.end());
  const sw::RunResult r = sw::run(c, printer, sw::shell_line(command));
  printer.clear();
  print_summary(out, c, r);
  return 0;
}

}  // namespace pcm::cli
