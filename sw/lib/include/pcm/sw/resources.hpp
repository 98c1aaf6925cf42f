// What the process has used: peak resident memory (Linux /proc), for reports
// and benchmarks; and what the machine has, to refuse a size that cannot fit
// before allocating it (a typo's extra zeros would otherwise end in
// std::bad_alloc after minutes of work).
#pragma once

#include <cstdint>
#include <string>

namespace pcm::sw {

// Peak resident set size in bytes (VmHWM), 0 when unknown.
uint64_t peak_rss_bytes();

// Physical memory of the machine in bytes (0 when unknown).
uint64_t physical_memory_bytes();

// ConfigError(field) when count items of bytes_each would need more than the
// machine's physical memory; what names the items ("weights").
void check_fits(const char* field, uint64_t count, double bytes_each, const std::string& what);

}  // namespace pcm::sw
