// `pcmsim e2e`: options from E2eConfig, sw::e2e::run_e2e(), the tables.
#include <chrono>
#include <cstdio>
#include <ostream>

#include "pcm/cli/cli.hpp"
#include "pcm/cli/options.hpp"
#include "pcm/cli/progress_printer.hpp"
#include "pcm/sw/e2e.hpp"

namespace pcm::cli {
namespace e2e = sw::e2e;

namespace {

std::string pct(const std::vector<double>& v) {
  const sw::Stats s = sw::stats_of(v);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%5.1f +- %4.1f %%", 100.0 * s.mean, 100.0 * s.std);
  return buf;
}

class E2ePrinter final : public e2e::E2eObserver {
 public:
  explicit E2ePrinter(std::ostream& out) : out_(out) {}

  void channels(const std::vector<e2e::ChannelInfo>& channels) override {
    for (const e2e::ChannelInfo& c : channels) {
      std::snprintf(line_, sizeof line_,
                    "channel %-9s %s, code range [%+.4f, %+.4f]%s, read-out std %.3f .. %.3f (mean %.3f)\n",
                    c.label.c_str(), c.name.c_str(), c.lo, c.hi, c.premapped ? " pre-mapped" : " (channel input)",
                    c.std_lo, c.std_hi, c.std_mean);
      out_ << line_;
    }
  }
  void task_started(e2e::Task task, const std::vector<double>& original, const std::vector<double>& bayes) override {
    out_ << "\ntask " << e2e::to_string(task) << "\n";
    std::snprintf(line_, sizeof line_, "  %-9s %-30s %-17s   %s\n", "channel", "weights", "accuracy", "agreement");
    out_ << line_;
    const std::vector<double> ones(original.size(), 1.0);
    std::snprintf(line_, sizeof line_, "  %-9s %-30s %s   %s\n", "-", "original", pct(original).c_str(),
                  pct(ones).c_str());
    out_ << line_;
    std::snprintf(line_, sizeof line_, "  %-9s %-30s %s\n", "-", "(Bayes classifier)", pct(bayes).c_str());
    out_ << line_ << std::flush;
  }
  void channel_done(e2e::Task, const e2e::ChannelReport& r) override {
    auto row = [&](const char* what, const e2e::Outcome& v) {
      std::snprintf(line_, sizeof line_, "  %-9s %-30s %s   %s\n", r.label.c_str(), what, pct(v.acc).c_str(),
                    pct(v.agree).c_str());
      out_ << line_;
    };
    row("autoencoder, mean read-out", r.noiseless);
    row("autoencoder, stored (1 cell)", r.stored);
    row("raw weights (3 cells)", r.raw);
    std::snprintf(line_, sizeof line_, "  %-9s trained %d steps, best at %d (validation loss %.5f), %.1f s\n",
                  r.label.c_str(), r.steps, r.best_step, r.best_valid, r.seconds);
    out_ << line_ << std::flush;
  }

 private:
  std::ostream& out_;
  char line_[256] = {};
};

void print_header(std::ostream& out, const e2e::E2eConfig& o) {
  char line[256];
  std::snprintf(line, sizeof line,
                "e2e: %u datasets per task, %llu training + %llu test points each, x ~ N(mu_k, %g^2 I); seed %llu\n",
                o.datasets, static_cast<unsigned long long>(o.points), static_cast<unsigned long long>(o.points),
                o.noise_std, static_cast<unsigned long long>(o.seed));
  out << line;
  out << "autoencoder: Table 7 (Linear 3-1, ReLU, Linear 1-1 | code t = tanh, into the channel | Linear 1-1, ReLU, "
         "Linear 1-3), loss "
      << o.loss << "\n";
  std::snprintf(line, sizeof line,
                "training: Adam lr %g, batch %d (classifier, noise draw) rows, <= %d steps, early stopping on %d "
                "held-out noise draws per classifier (every %d steps, patience %d)\n",
                o.lr, o.batch, o.steps, o.valid_draws, o.eval_every, o.patience);
  out << line;
}

// The channel lines come from the library (they need the channel), so the
// header is printed in two parts around them.
class E2eReport final : public WithProgress<e2e::E2eObserver> {
 public:
  E2eReport(std::ostream& out, std::ostream& err, const e2e::E2eConfig& o)
      : WithProgress(err, sw::progress_mode(o.display.quiet, o.display.progress)), out_(out), o_(o), printer_(out) {}
  void channels(const std::vector<e2e::ChannelInfo>& c) override {
    clear();
    print_header(out_, o_);
    printer_.channels(c);
    out_ << "accuracy: mean +- std over the classifiers of the test accuracy (true labels) and of the agreement with "
            "the original classifier; stored: averaged over "
         << o_.draws << " noise draws\n" << std::flush;
  }
  void task_started(e2e::Task t, const std::vector<double>& a, const std::vector<double>& b) override {
    clear();
    printer_.task_started(t, a, b);
  }
  void channel_done(e2e::Task t, const e2e::ChannelReport& r) override {
    clear();
    printer_.channel_done(t, r);
  }

 private:
  std::ostream& out_;
  const e2e::E2eConfig& o_;
  E2ePrinter printer_;
};

}  // namespace

int e2e_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  e2e::E2eConfig c;
  Options options("pcmsim e2e options");
  options.declare(c);
  if (!options.parse(args)) {
    out << "usage: pcmsim e2e [options]\n\n" << options.help();
    return 0;
  }
  E2eReport report(out, err, c);
  const nlohmann::json result = e2e::run_e2e(c, report);
  report.clear();
  char line[64];
  std::snprintf(line, sizeof line, "\n%.1f s\n", result.at("wall_seconds").get<double>());
  out << line;
  if (!c.out.empty()) out << "results    " << c.out << "\n";
  return 0;
}

}  // namespace pcm::cli
