// Progress of long work, one facility for run, train, e2e and channel (sweep
// prints one line per point with the same durations): the library reports
// what it does through a TaskObserver; Progress draws that as one line on
// standard error, with the elapsed time and an estimate for the whole job.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>

namespace pcm::sw {

// What a long library call reports. A job is optionally `steps` equal steps
// (seeds, epochs, tasks), each made of one or more tasks; a task has a size
// and reports how much of it is done.
class TaskObserver {
 public:
  virtual ~TaskObserver() = default;
  virtual void steps(uint64_t /*count*/) {}
  virtual void step(uint64_t /*index: 0-based*/, const std::string& /*label*/) {}
  virtual void task(const std::string& /*label*/, uint64_t /*total*/) {}
  virtual void progress(uint64_t /*done*/) {}
  virtual void task_done() {}
};

// "12 s", "5 min", "1.5 h": the durations every command prints.
std::string duration_text(double seconds);

// When the bar is drawn: on a terminal (auto), always (--progress), never (--quiet).
enum class ProgressMode { kAuto, kOn, kOff };
ProgressMode progress_mode(bool quiet, bool force);

// The drawing side. Silent for the first second of the job (short jobs print
// nothing); then on a terminal one line redrawn in place at most five times a
// second, elsewhere (forced) one line per second. The estimate extrapolates
// the time since the first step over the job's steps (after the first step,
// with as many tasks per step as the first one had), or the current task's
// own rate when the job has no steps.
class Progress final : public TaskObserver {
 public:
  Progress(std::ostream& out, ProgressMode mode);
  ~Progress() override;
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void steps(uint64_t count) override;
  void step(uint64_t index, const std::string& label) override;
  void task(const std::string& label, uint64_t total) override;
  void progress(uint64_t done) override;
  void task_done() override;
  // Erases the line (before the caller prints one of its own).
  void clear();

  static bool stderr_is_terminal();

 private:
  using Clock = std::chrono::steady_clock;
  double job_fraction(double task_fraction) const;
  void draw(Clock::time_point now, double task_fraction);

  std::ostream& out_;
  bool enabled_;
  bool terminal_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  bool drawn_ = false;
  uint64_t steps_ = 0;
  uint64_t step_ = 0;
  std::string step_label_;
  bool in_steps_ = false;
  Clock::time_point steps_start_;
  uint64_t tasks_in_step_ = 0;   // finished in the current step
  uint64_t tasks_per_step_ = 0;  // learned from the first finished step; 0: not yet
  std::string task_label_;
  uint64_t total_ = 0;
  uint64_t done_ = 0;
  Clock::time_point task_start_;
};

}  // namespace pcm::sw
