// Functional coverage of the random bench: named bins, counted; an empty
// targeted bin fails the run.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>

namespace bench {

class Coverage {
 public:
  void target(const std::string& bin) { bins_.emplace(bin, 0); }
  void hit(const std::string& bin) { ++bins_[bin]; }
  // Prints every bin; returns the number of empty ones.
  int report() const {
    int empty = 0;
    std::printf("coverage (%zu bins):\n", bins_.size());
    for (const auto& [name, n] : bins_) {
      std::printf("  %-40s %10llu%s\n", name.c_str(), static_cast<unsigned long long>(n),
                  n == 0 ? "   <-- EMPTY" : "");
      if (n == 0) ++empty;
    }
    return empty;
  }

 private:
  std::map<std::string, uint64_t> bins_;
};

}  // namespace bench
