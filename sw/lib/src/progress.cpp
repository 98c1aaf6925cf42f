#include "pcm/sw/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <utility>

namespace pcm::sw {

Progress::Progress(std::ostream& out, bool enabled, std::string label, uint64_t total)
    : out_(out), enabled_(enabled), label_(std::move(label)), total_(total), start_(Clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { finish(); }

bool Progress::stderr_is_terminal() { return ::isatty(STDERR_FILENO) == 1; }

void Progress::update(uint64_t done) {
  if (!enabled_ || total_ == 0) return;
  const Clock::time_point now = Clock::now();
  if (now - start_ < std::chrono::seconds(1) || now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  drawn_ = true;
  const double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total_));
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double eta = frac > 0.0 ? elapsed * (1.0 - frac) / frac : 0.0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(frac * kWidth);
  char line[200];
  std::snprintf(line, sizeof line, "\r%-24.24s [%s%s] %5.1f%%  %.0fs left ", label_.c_str(),
                std::string(static_cast<std::size_t>(filled), '#').c_str(),
                std::string(static_cast<std::size_t>(kWidth - filled), '.').c_str(), 100.0 * frac, eta);
  out_ << line << std::flush;
}

void Progress::finish() {
  if (drawn_) out_ << "\r" << std::string(80, ' ') << "\r" << std::flush;
  drawn_ = false;
}

}  // namespace pcm::sw
