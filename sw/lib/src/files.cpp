#include "pcm/sw/files.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "pcm/sw/config_error.hpp"

namespace pcm::sw {

namespace fs = std::filesystem;

void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  // one temporary per process and call: two writers of one path never share it
  static unsigned calls = 0;
  const fs::path folder = fs::path(path).parent_path();
  const std::string tmp =
      (folder / (".pcmsim-" + std::to_string(::getpid()) + "-" + std::to_string(calls++) + ".tmp")).string();
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

namespace {

fs::path resolved(const std::string& p) {
  std::error_code ec;
  fs::path r = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? fs::absolute(p) : r;
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec)) return true;
  return resolved(a) == resolved(b);
}

std::string option_of(const char* field) {
  std::string o = std::string("--") + field;
  for (char& c : o) c = c == '_' ? '-' : c;
  return o;
}

}  // namespace

void check_outputs(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const NamedPath& out = outputs[i];
    if (out.path.empty()) continue;
    for (const NamedPath& in : inputs) {
      std::error_code missing;
      if (!in.path.empty() && fs::exists(in.path, missing) && same_file(out.path, in.path)) {
        throw ConfigError(out.field, "'" + out.path + "' is the " + option_of(in.field) +
                                         " file; it would be overwritten");
      }
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (!outputs[j].path.empty() && same_file(out.path, outputs[j].path)) {
        throw ConfigError(out.field, "'" + out.path + "' is also the " + option_of(outputs[j].field) +
                                         " output; one would replace the other");
      }
    }
    std::error_code ec;
    if (fs::is_directory(out.path, ec)) throw ConfigError(out.field, "'" + out.path + "' is a directory");
    fs::path folder = fs::absolute(out.path).parent_path();
    if (!fs::is_directory(folder, ec)) {
      throw ConfigError(out.field, "'" + out.path + "': folder " + folder.string() + " does not exist");
    }
    if (::access(folder.c_str(), W_OK) != 0) {
      throw ConfigError(out.field, "'" + out.path + "': folder " + folder.string() + " is not writable");
    }
  }
}

}  // namespace pcm::sw
