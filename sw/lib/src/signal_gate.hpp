// The sweep's stop signals (sweep.cpp, sweep_mpi.cpp): a private header of pcm_host.
#pragma once

#include <signal.h>
#include <time.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace pcm::sw {

// SIGINT, SIGTERM and SIGCHLD are blocked while the sweep runs and taken by
// sigwaitinfo, so that no signal is lost between checking and waiting; the
// previous mask comes back at the end.
class SignalGate {
 public:
  SignalGate() {
    ::sigemptyset(&set_);
    for (int s : {SIGINT, SIGTERM, SIGCHLD}) ::sigaddset(&set_, s);
    ::pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~SignalGate() {
    // a stop signal still pending was answered already (the sweep stopped)
    timespec zero{0, 0};
    while (::sigtimedwait(&set_, nullptr, &zero) > 0) {
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SignalGate(const SignalGate&) = delete;
  SignalGate& operator=(const SignalGate&) = delete;
  // The next signal; 0 when none came within `seconds` (< 0: wait for one).
  int wait(double seconds = -1.0) {
    if (seconds >= 0.0) {
      const timespec limit{static_cast<time_t>(seconds), static_cast<long>((seconds - static_cast<double>(static_cast<time_t>(seconds))) * 1e9)};
      while (true) {
        const int s = ::sigtimedwait(&set_, nullptr, &limit);
        if (s > 0) return s;
        if (errno == EAGAIN) return 0;
        if (errno != EINTR) throw std::runtime_error(std::string("sigtimedwait: ") + std::strerror(errno));
      }
    }
    while (true) {
      const int s = ::sigwaitinfo(&set_, nullptr);
      if (s > 0) return s;
      if (errno != EINTR) throw std::runtime_error(std::string("sigwaitinfo: ") + std::strerror(errno));
    }
  }

 private:
  sigset_t set_;
  sigset_t old_;
};

}  // namespace pcm::sw
