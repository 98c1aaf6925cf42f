#include "pcm/sw/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ostream>

namespace pcm::sw {

std::string duration_text(double s) {
  char buf[32];
  if (s < 120) {
    std::snprintf(buf, sizeof buf, "%.0f s", s);
  } else if (s < 7200) {
    std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  }
  return buf;
}

ProgressMode progress_mode(bool quiet, bool force) {
  if (quiet) return ProgressMode::kOff;
  return force ? ProgressMode::kOn : ProgressMode::kAuto;
}

bool Progress::stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

Progress::Progress(std::ostream& out, ProgressMode mode)
    : out_(out),
      enabled_(mode == ProgressMode::kOn || (mode == ProgressMode::kAuto && stderr_is_terminal())),
      terminal_(stderr_is_terminal()),
      start_(Clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { clear(); }

void Progress::steps(uint64_t count) { steps_ = count; }

void Progress::step(uint64_t index, const std::string& label) {
  if (!in_steps_) {
    in_steps_ = true;
    steps_start_ = Clock::now();
  } else if (tasks_per_step_ == 0) {
    tasks_per_step_ = std::max<uint64_t>(tasks_in_step_, 1);
  }
  step_ = index;
  step_label_ = label;
  tasks_in_step_ = 0;
}

void Progress::task(const std::string& label, uint64_t total) {
  task_label_ = label;
  total_ = total;
  done_ = 0;
  task_start_ = Clock::now();
}

void Progress::task_done() {
  if (total_ > 0) progress(total_);
  ++tasks_in_step_;
  total_ = 0;
  task_label_.clear();
}

double Progress::job_fraction(double task_fraction) const {
  // before the first step ends its task count is unknown: take the running
  // task as its last, which only makes the first estimate a little short
  const double per_step = static_cast<double>(tasks_per_step_ > 0 ? tasks_per_step_ : tasks_in_step_ + 1);
  const double in_step = std::min(1.0, (static_cast<double>(tasks_in_step_) + task_fraction) / per_step);
  return (static_cast<double>(step_) + in_step) / static_cast<double>(steps_);
}

void Progress::progress(uint64_t done) {
  done_ = done;
  if (!enabled_ || total_ == 0) return;
  const Clock::time_point now = Clock::now();
  const auto interval = terminal_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(1000);
  if (now - start_ < std::chrono::seconds(1) || (last_draw_ != start_ && now - last_draw_ < interval)) return;
  draw(now, std::min(1.0, static_cast<double>(done) / static_cast<double>(total_)));
}

void Progress::draw(Clock::time_point now, double frac) {
  last_draw_ = now;
  drawn_ = true;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  double left = -1.0;  // unknown
  if (in_steps_ && steps_ > 0) {
    const double f = job_fraction(frac);
    const double in_steps = std::chrono::duration<double>(now - steps_start_).count();
    if (f > 0.0) left = in_steps * (1.0 - f) / f;
  } else if (frac > 0.0) {
    left = std::chrono::duration<double>(now - task_start_).count() * (1.0 - frac) / frac;
  }
  std::string label = task_label_;
  if (in_steps_ && steps_ > 0) {
    label = step_label_ + " (" + std::to_string(step_ + 1) + "/" + std::to_string(steps_) + "): " + label;
  }
  const std::string estimate = left >= 0.0 ? ", about " + duration_text(left) + " left" : "";
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(frac * kWidth);
  char line[256];
  std::snprintf(line, sizeof line, "%-36.36s [%s%s] %5.1f%%  %s elapsed%s", label.c_str(),
                std::string(static_cast<std::size_t>(filled), '#').c_str(),
                std::string(static_cast<std::size_t>(kWidth - filled), '.').c_str(), 100.0 * frac,
                duration_text(elapsed).c_str(), estimate.c_str());
  if (terminal_) {
    out_ << "\r" << line << "\033[K" << std::flush;  // erase the rest of a longer previous line
  } else {
    out_ << line << "\n" << std::flush;
  }
}

void Progress::clear() {
  if (drawn_ && terminal_) out_ << "\r\033[K" << std::flush;
  drawn_ = false;
}

}  // namespace pcm::sw
