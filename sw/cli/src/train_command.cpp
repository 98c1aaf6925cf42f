// `pcmsim train`: options from TrainConfig, sw::train(), one line per epoch.
#include <cstdio>
#include <ostream>

#include "pcm/cli/cli.hpp"
#include "pcm/cli/options.hpp"
#include "pcm/cli/progress_printer.hpp"
#include "pcm/sw/text.hpp"
#include "pcm/sw/train.hpp"

namespace pcm::cli {
using sw::fmt;

namespace {

class TrainPrinter final : public WithProgress<sw::TrainObserver> {
 public:
  TrainPrinter(const sw::TrainConfig& c, std::ostream& out, std::ostream& err)
      : WithProgress(err, sw::progress_mode(c.display.quiet, c.display.progress)), c_(c), out_(out) {}

  void setup(const sw::TrainSetup& s) override {
    out_ << "model      " << c_.model << ": " << s.parameter_tensors << " parameter tensors, " << s.weights
         << " weights; clean test accuracy " << fmt("%.2f", 100.0 * s.start_test_accuracy) << "%\n";
    out_ << "dataset    " << s.dataset_format << ", " << s.train_items << " training items, " << s.test_items
         << " test items\n";
    out_ << "mode       " << c_.mode;
    if (c_.mode == "robust") out_ << ": CE + " << c_.lambda << " KL(p_w || p_w+delta)";
    if (c_.mode == "distill") {
      out_ << ": teacher " << s.teacher << " (clean test accuracy " << fmt("%.2f", 100.0 * s.teacher_test_accuracy)
           << "%), T " << c_.temperature << ", alpha " << c_.alpha;
    }
    if (c_.clip_sigma > 0.0) out_ << "; clipping at +-" << c_.clip_sigma << " std";
    out_ << "\n";
    if (s.noisy) {
      out_ << "noise      stored through the model engine: strategy " << s.strategy << ", " << c_.plan.rule.cells
           << " cells per weight, channel " << s.channel << "; a fresh array every step (seed 2^62 + " << c_.seed
           << " x 1000003 + step)\n";
    }
    out_ << "training   " << c_.epochs << " epochs, batch " << c_.batch << ", Adam lr " << c_.lr << ", seed "
         << c_.seed << ", one thread\n" << std::flush;
  }
  void epoch_done(unsigned epoch, double loss, double train_accuracy) override {
    clear();
    char line[160];
    std::snprintf(line, sizeof line, "epoch %3u/%u  loss %.4f  clean train accuracy %.2f%%\n", epoch, c_.epochs, loss,
                  100.0 * train_accuracy);
    out_ << line << std::flush;
  }

 private:
  const sw::TrainConfig& c_;
  std::ostream& out_;
};

}  // namespace

int train_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  sw::TrainConfig c;
  Options options("pcmsim train options");
  options.declare(c);
  if (!options.parse(args)) {
    out << "usage: pcmsim train --model IN.pt --data DIR --out OUT.pt --mode naive|robust|distill [options]\n\n"
        << options.help();
    return 0;
  }
  if (c.mode != "naive" && c.mode != "robust" && c.mode != "distill") sw::validate(c);  // the mode's error first
  if (c.model.empty()) throw UsageError("--model is required");
  if (c.data.empty()) throw UsageError("--data is required");
  if (c.out.empty()) throw UsageError("--out is required");
  TrainPrinter printer(c, out, err);
  const sw::TrainResult r = sw::train(c, printer);
  printer.clear();
  out << "clean test accuracy " << fmt("%.2f", 100.0 * r.end_test_accuracy) << "% (before: "
      << fmt("%.2f", 100.0 * r.start_test_accuracy) << "%), " << r.steps << " steps in " << fmt("%.1f", r.seconds)
      << " s -> " << c.out << "\n";
  return 0;
}

}  // namespace pcm::cli
