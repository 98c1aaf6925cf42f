// Progress on the terminal for the library's long steps: a RunObserver-shaped
// adapter over sw::Progress that the commands share.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "pcm/sw/progress.hpp"

namespace pcm::cli {

// One bar at a time on err; nothing when disabled (not a terminal, --quiet).
class TaskBar {
 public:
  TaskBar(std::ostream& err, bool enabled) : err_(err), enabled_(enabled) {}
  void task(const std::string& label, uint64_t total) { bar_ = std::make_unique<sw::Progress>(err_, enabled_, label, total); }
  void progress(uint64_t done) {
    if (bar_) bar_->update(done);
  }
  void task_done() { bar_.reset(); }

 private:
  std::ostream& err_;
  bool enabled_;
  std::unique_ptr<sw::Progress> bar_;
};

}  // namespace pcm::cli
