// A one-line progress bar on a terminal: silent for the first second (short
// jobs print nothing), then redrawn at most five times a second; nothing at
// all when the stream is not a terminal or progress is switched off.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace pcm::sw {

class Progress {
 public:
  Progress(std::ostream& out, bool enabled, std::string label, uint64_t total);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void update(uint64_t done);
  void finish();

  // Whether standard error is a terminal (the default for `enabled`).
  static bool stderr_is_terminal();

 private:
  using Clock = std::chrono::steady_clock;
  std::ostream& out_;
  bool enabled_;
  std::string label_;
  uint64_t total_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  bool drawn_ = false;
};

}  // namespace pcm::sw
