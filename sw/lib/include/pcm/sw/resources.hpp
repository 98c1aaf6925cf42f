// What the process has used: peak resident memory (Linux /proc), for reports
// and benchmarks.
#pragma once

#include <cstdint>

namespace pcm::sw {

// Peak resident set size in bytes (VmHWM), 0 when unknown.
uint64_t peak_rss_bytes();

}  // namespace pcm::sw
