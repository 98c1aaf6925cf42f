#pragma once

// Deterministic work over blocks: [0, n) is cut into at most `threads`
// contiguous blocks, the same cut for the same (n, threads), each run on its
// own std::thread (the first on the caller's). A caller that writes each
// block's results to its own slots and reduces them in block order gets the
// same answer for any thread count.

#include <algorithm>
#include <cstddef>
#include <exception>
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
  std::vector<std::thread> pool;
  pool.reserve(blocks - 1);
  for (unsigned b = 1; b < blocks; ++b) {
    pool.emplace_back([&, b] {
      std::size_t begin = 0;
      std::size_t end = 0;
      range(b, begin, end);
      try {
        fn(b, begin, end);
      } catch (...) {
        errors[b] = std::current_exception();
      }
    });
  }
  std::size_t begin = 0;
  std::size_t end = 0;
  range(0, begin, end);
  try {
    fn(0u, begin, end);
  } catch (...) {
    errors[0] = std::current_exception();
  }
  for (auto& t : pool) t.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace pcm::model
