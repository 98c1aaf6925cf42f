#pragma once

// Deterministic work over blocks: [0, n) is cut into at most `threads`
// contiguous blocks, the same cut for the same (n, threads), the first run on
// the caller's thread and the others on BlockPool's workers. A caller that
// writes each block's results to its own slots and reduces them in block
// order gets the same answer for any thread count.

#include <algorithm>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

namespace pcm::model {

// Below this many items per block a thread costs more than it saves.
inline constexpr std::size_t kMinBlockItems = 2048;

// How many blocks parallel_blocks cuts n items into for `threads` threads.
inline unsigned block_count(std::size_t n, unsigned threads) {
  const std::size_t most = std::max<std::size_t>(1, n / kMinBlockItems);
  return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(threads, most)));
}

// Worker threads kept for the process's life: the block calls run two
// parallel steps per part of the stream (16384 weights), and starting a
// thread for each costs tens of microseconds, waking a waiting one a few.
class BlockPool {
 public:
  static BlockPool& shared();
  // fn(b) for b in [1, blocks) on the workers while the caller runs fn(0);
  // returns when all are done. false, having run nothing, when the pool is
  // in use (by another caller, or by a block calling parallel_blocks).
  // fn must not throw.
  bool run(unsigned blocks, const std::function<void(unsigned)>& fn);

  struct State;

 private:
  BlockPool();
  std::shared_ptr<State> state_;
};

// fn(block, begin, end) for every block; rethrows the first block's exception.
template <class Fn>
void parallel_blocks(std::size_t n, unsigned threads, Fn&& fn) {
  const unsigned blocks = block_count(n, threads);
  auto range = [&](unsigned b, std::size_t& begin, std::size_t& end) {
    begin = n * b / blocks;
    end = n * (b + 1) / blocks;
  };
  if (blocks == 1) {
    fn(0u, std::size_t{0}, n);
    return;
  }
  std::vector<std::exception_ptr> errors(blocks);
  auto one = [&](unsigned b) {
    std::size_t begin = 0;
    std::size_t end = 0;
    range(b, begin, end);
    try {
      fn(b, begin, end);
    } catch (...) {
      errors[b] = std::current_exception();
    }
  };
  if (!BlockPool::shared().run(blocks, one)) {
    // the pool is busy: a thread per block, as before there was a pool
    std::vector<std::thread> pool;
    pool.reserve(blocks - 1);
    for (unsigned b = 1; b < blocks; ++b) pool.emplace_back(one, b);
    one(0);
    for (auto& t : pool) t.join();
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace pcm::model
