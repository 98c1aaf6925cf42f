#include "pcm/sw/files.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace pcm::sw {

void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  // one temporary per process: two writers of one path never share it
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) throw std::runtime_error(path + ": cannot open for writing");
    try {
      write(f);
      if (!f.flush()) throw std::runtime_error(path + ": write failed");
    } catch (...) {
      f.close();
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      throw;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error(path + ": " + ec.message());
  }
}

}  // namespace pcm::sw
