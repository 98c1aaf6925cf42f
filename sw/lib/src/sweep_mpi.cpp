// The MPI side of `pcmsim sweep --mpi` (sweep_mpi.hpp). Messages: rank 0
// sends a point index (kTask; -1: end), the rank answers {index, wait status}
// (kDone); kStop asks a rank to stop its running point (SIGTERM). Every wait
// polls (MPI_Test, then 50 ms for a signal), so that idle ranks leave the
// cores to the points instead of spinning in a blocking receive.
#include "pcm/sw/sweep_mpi.hpp"

#include <mpi.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

#include "signal_gate.hpp"

namespace pcm::sw {
namespace {

constexpr int kTask = 1;
constexpr int kDone = 2;
constexpr int kStop = 3;
constexpr double kPollSeconds = 0.05;

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed (error " + std::to_string(rc) + ")");
}

class MpiDispatcher final : public PointDispatcher {
 public:
  MpiDispatcher(SweepPlan plan, int size) : plan_(std::move(plan)), size_(size) {}
  ~MpiDispatcher() override {
    const int64_t end = -1;
    for (int r = 1; r < size_; ++r) MPI_Send(&end, 1, MPI_INT64_T, r, kTask, MPI_COMM_WORLD);
    if (posted_) {
      MPI_Cancel(&request_);
      MPI_Request_free(&request_);
    }
  }
  std::size_t slots() const override { return static_cast<std::size_t>(size_ - 1); }
  void start(std::size_t point) override {
    int rank = 1;
    while (busy_.count(rank) != 0) ++rank;
    if (rank >= size_) throw std::logic_error("MpiDispatcher::start: no free rank");
    const auto index = static_cast<int64_t>(point);
    check(MPI_Send(&index, 1, MPI_INT64_T, rank, kTask, MPI_COMM_WORLD), "send");
    busy_[rank] = point;
  }
  Event wait() override {
    if (!posted_) {
      check(MPI_Irecv(done_, 2, MPI_INT64_T, MPI_ANY_SOURCE, kDone, MPI_COMM_WORLD, &request_), "receive");
      posted_ = true;
    }
    while (true) {
      int flag = 0;
      MPI_Status status;
      check(MPI_Test(&request_, &flag, &status), "test");
      if (flag != 0) {
        posted_ = false;
        busy_.erase(status.MPI_SOURCE);
        Event e;
        e.point = static_cast<std::size_t>(done_[0]);
        e.status = static_cast<int>(done_[1]);
        return e;
      }
      const int sig = gate_.wait(kPollSeconds);
      if (sig == SIGINT || sig == SIGTERM) {
        Event e;
        e.signal = sig;
        return e;
      }
    }
  }
  void stop() override {
    const int64_t none = 0;
    for (const auto& [rank, point] : busy_) MPI_Send(&none, 1, MPI_INT64_T, rank, kStop, MPI_COMM_WORLD);
  }

 private:
  SweepPlan plan_;
  int size_;
  SignalGate gate_;
  std::map<int, std::size_t> busy_;  // rank -> its point
  int64_t done_[2] = {0, 0};
  MPI_Request request_ = MPI_REQUEST_NULL;
  bool posted_ = false;
};

// Whether rank 0 asked to stop the running point (consumes the message).
bool stop_asked() {
  int flag = 0;
  MPI_Status status;
  check(MPI_Iprobe(0, kStop, MPI_COMM_WORLD, &flag, &status), "probe");
  if (flag == 0) return false;
  int64_t none = 0;
  check(MPI_Recv(&none, 1, MPI_INT64_T, 0, kStop, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "receive");
  return true;
}

}  // namespace

bool mpi_built() { return true; }

MpiSweep::MpiSweep() {
  // MPI starts threads of its own: they inherit this mask, so that a stop
  // signal waits for the sweep's SignalGate instead of killing the rank
  sigset_t stop;
  ::sigemptyset(&stop);
  for (int s : {SIGINT, SIGTERM, SIGCHLD}) ::sigaddset(&stop, s);
  ::pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  int provided = 0;
  check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SINGLE, &provided), "init");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSweep::~MpiSweep() { MPI_Finalize(); }

std::unique_ptr<PointDispatcher> MpiSweep::dispatcher(const SweepPlan& plan, unsigned jobs) {
  if (size_ == 1) return local_dispatcher(plan, jobs);
  return std::make_unique<MpiDispatcher>(plan, size_);
}

void MpiSweep::serve(const SweepPlan& plan) {
  SignalGate gate;  // SIGTERM from mpirun stops the running point, as in a local sweep
  while (true) {
    int64_t index = -1;
    MPI_Request request;
    check(MPI_Irecv(&index, 1, MPI_INT64_T, 0, kTask, MPI_COMM_WORLD, &request), "receive");
    for (int flag = 0; flag == 0;) {
      check(MPI_Test(&request, &flag, MPI_STATUS_IGNORE), "test");
      if (flag == 0) gate.wait(kPollSeconds);  // a stop signal while idle: rank 0 ends the sweep
      if (flag == 0) stop_asked();
    }
    if (index < 0 || static_cast<std::size_t>(index) >= plan.points.size()) return;
    const pid_t pid = start_point(plan, static_cast<std::size_t>(index));
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      const int sig = gate.wait(kPollSeconds);
      if (sig == SIGINT || sig == SIGTERM || stop_asked()) ::kill(pid, SIGTERM);
    }
    const int64_t done[2] = {index, status};
    check(MPI_Send(done, 2, MPI_INT64_T, 0, kDone, MPI_COMM_WORLD), "send");
  }
}

}  // namespace pcm::sw
