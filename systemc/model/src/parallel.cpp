#include "pcm/model/parallel.hpp"

#include <condition_variable>
#include <mutex>

#include <unistd.h>

namespace pcm::model {

// Shared with the workers, which hold it until they stop: a pool left behind
// by fork() (its workers do not exist in the child) is replaced, not joined.
struct BlockPool::State {
  std::mutex busy;  // one run at a time
  std::mutex m;
  std::condition_variable wake;
  std::condition_variable done;
  std::vector<std::thread> workers;
  uint64_t generation = 0;  // bumped per run
  const std::function<void(unsigned)>* fn = nullptr;
  unsigned blocks = 0;
  unsigned next = 1;      // the next block to hand out
  unsigned finished = 0;  // blocks run by workers this run
  pid_t pid = 0;

  // seen: the generation before the first run this worker is to join
  void work(uint64_t seen) {
    std::unique_lock<std::mutex> lock(m);
    for (;;) {
      wake.wait(lock, [&] { return generation != seen; });
      seen = generation;
      while (next < blocks) {
        const unsigned b = next++;
        lock.unlock();
        (*fn)(b);
        lock.lock();
        if (++finished == blocks - 1) done.notify_one();
      }
    }
  }
};

BlockPool::BlockPool() : state_(std::make_shared<State>()) { state_->pid = getpid(); }

BlockPool& BlockPool::shared() {
  // never destroyed: its workers wait for work until the process exits
  static BlockPool* pool = new BlockPool();
  return *pool;
}

bool BlockPool::run(unsigned blocks, const std::function<void(unsigned)>& fn) {
  if (blocks <= 1) {
    if (blocks == 1) fn(0);
    return true;
  }
  if (state_->pid != getpid()) {
    // forked: this process has none of the workers; the old state stays
    // alive (the workers' copies of it count), its threads untouched
    state_ = std::make_shared<State>();
    state_->pid = getpid();
  }
  std::shared_ptr<State> s = state_;
  std::unique_lock<std::mutex> busy(s->busy, std::try_to_lock);
  if (!busy.owns_lock()) return false;
  {
    std::lock_guard<std::mutex> lock(s->m);
    while (s->workers.size() + 1 < blocks) {
      s->workers.emplace_back([s, seen = s->generation] { s->work(seen); });
    }
    s->fn = &fn;
    s->blocks = blocks;
    s->next = 1;
    s->finished = 0;
    ++s->generation;
  }
  s->wake.notify_all();
  fn(0);
  std::unique_lock<std::mutex> lock(s->m);
  s->done.wait(lock, [&] { return s->finished == blocks - 1; });
  s->fn = nullptr;
  return true;
}

}  // namespace pcm::model
