#include "pcm/sw/resources.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "pcm/sw/config_error.hpp"

namespace pcm::sw {

uint64_t peak_rss_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      std::istringstream in(line.substr(6));
      uint64_t kib = 0;
      in >> kib;
      return kib * 1024;
    }
  }
  return 0;
}

uint64_t physical_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
}

void check_fits(const char* field, uint64_t count, double bytes_each, const std::string& what) {
  const double need = static_cast<double>(count) * bytes_each;
  const double have = static_cast<double>(physical_memory_bytes());
  if (have > 0.0 && need > have) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "%llu %s need about %.3g GiB, more than this machine's %.3g GiB of memory",
                  static_cast<unsigned long long>(count), what.c_str(), need / 1073741824.0, have / 1073741824.0);
    throw ConfigError(field, buf);
  }
}

}  // namespace pcm::sw
