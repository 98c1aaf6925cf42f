// The commands' printers draw the library's progress (sw::TaskObserver) with
// one sw::Progress on standard error; a printer erases it (clear()) before
// it prints a line of its own.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "pcm/sw/progress.hpp"

namespace pcm::cli {

template <class Observer>
class WithProgress : public Observer {
 public:
  WithProgress(std::ostream& err, sw::ProgressMode mode) : bar_(err, mode) {}
  void steps(uint64_t count) override { bar_.steps(count); }
  void step(uint64_t index, const std::string& label) override { bar_.step(index, label); }
  void task(const std::string& label, uint64_t total) override { bar_.task(label, total); }
  void progress(uint64_t done) override { bar_.progress(done); }
  void task_done() override { bar_.task_done(); }
  void clear() { bar_.clear(); }

 private:
  sw::Progress bar_;
};

}  // namespace pcm::cli
