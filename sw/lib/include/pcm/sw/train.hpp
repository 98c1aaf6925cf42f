// `pcmsim train` as a library: fine-tunes a TorchScript model with the noise
// of the storage channel injected into its weights (paper section 3.2, eq. 8
// and 9; "Noisy Machines" eq. 10). The noise is drawn by storing the current
// weights through the functional-model engine (weight_noise.hpp), so it is the
// noise `pcmsim run` later stores the model with, plan and regions included.
#pragma once

#include <cstdint>
#include <string>

#include "pcm/sw/config.hpp"
#include "pcm/sw/progress.hpp"

namespace pcm::sw {

struct TrainConfig {
  std::string model;
  std::string data;
  std::string out;
  std::string mode;  // naive, robust, distill (required)
  std::string teacher;
  PlanConfig plan = noise_plan();
  unsigned epochs = 30;
  uint64_t batch = 64;
  double lr = 1e-4;
  double lambda = 0.5;
  double temperature = 4.0;
  double alpha = 0.9;
  double clip_sigma = 0.0;
  uint64_t seed = kFirstSeed;
  Display display;

  // Training noise is drawn with sp+am unless told otherwise (the strategy
  // the robust-training experiments store with).
  static PlanConfig noise_plan() {
    PlanConfig p;
    p.strategy = "sp+am";
    return p;
  }

  template <class Self, class V>
  static void fields(Self& s, V&& v) {
    v("model", s.model, FieldDoc{"FILE", "TorchScript model to fine-tune (input [N, C, H, W] pixels in [0, 1], output logits)"});
    v("data", s.data, FieldDoc{"DIR", "dataset directory (MNIST IDX or CIFAR-10 binary); trains on its training split"});
    v("out", s.out, FieldDoc{"FILE", "where to save the fine-tuned TorchScript model"});
    v("mode", s.mode, FieldDoc{"MODE", "naive (cross-entropy, no noise), robust (eq. 8: CE + lambda KL(p_w || p_w+delta)), distill (eq. 9: noisy student, clean teacher at temperature T)"});
    v("teacher", s.teacher, FieldDoc{"FILE", "distill: the frozen teacher (default: --model itself)"});
    PlanConfig::fields(s.plan, v);
    v("epochs", s.epochs, FieldDoc{"N", "passes over the training split"});
    v("batch", s.batch, FieldDoc{"N", "mini-batch size"});
    v("lr", s.lr, FieldDoc{"LR", "Adam learning rate (fine-tuning a trained model: small)"});
    v("lambda", s.lambda, FieldDoc{"L", "robust: weight of the KL term"});
    v("temperature", s.temperature, FieldDoc{"T", "distill: softmax temperature T"});
    v("alpha", s.alpha, FieldDoc{"A", "distill: weight of the soft-target term (1 - alpha on cross-entropy)"});
    v("clip_sigma", s.clip_sigma, FieldDoc{"K", "after every step clamp each tensor (>= 2 elements) to +-k std of the teacher's tensor of that name (the input model's when the teacher has none); 0: no clipping"});
    v("seed", s.seed, FieldDoc{"S", "seed of the batch order and of the training noise"});
    Display::fields(s.display, v);
  }
};

// ConfigError naming the field; std::runtime_error for an impossible budget.
void validate(const TrainConfig& c);

struct TrainSetup {
  uint64_t parameter_tensors = 0;
  uint64_t weights = 0;
  double start_test_accuracy = 0.0;
  double teacher_test_accuracy = 0.0;  // distill
  std::string teacher;                 // distill: the teacher's file
  std::string dataset_format;
  uint64_t train_items = 0;
  uint64_t test_items = 0;
  std::string strategy;  // canonical
  std::string channel;
  bool noisy = false;
};

struct TrainResult {
  double start_test_accuracy = 0.0;
  double end_test_accuracy = 0.0;  // of the saved file, read back
  uint64_t steps = 0;
  double seconds = 0.0;
};

// Progress (TaskObserver): one step per epoch, its task "training" over the
// training items.
class TrainObserver : public TaskObserver {
 public:
  virtual void setup(const TrainSetup&) {}
  virtual void epoch_done(unsigned /*epoch*/, double /*mean_loss*/, double /*train_accuracy*/) {}
};

// Validates, trains, saves config.out (atomically) and evaluates what was saved.
TrainResult train(const TrainConfig& config, TrainObserver& observer);

}  // namespace pcm::sw
