#include "pcm/sw/text.hpp"

#include <algorithm>
#include <cstdio>

namespace pcm::sw {
namespace {

std::string shorten(std::string line) { return line.size() > 240 ? line.substr(0, 240) + "..." : line; }

}  // namespace

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string first_line(const std::string& s) { return shorten(s.substr(0, s.find('\n'))); }

std::string cause_line(const std::string& s) {
  std::string last;
  std::size_t at = 0;
  while (at < s.size()) {
    const std::size_t end = std::min(s.find('\n', at), s.size());
    const std::string line = s.substr(at, end - at);
    if (line.find_first_not_of(" \t") != std::string::npos) last = line;
    at = end + 1;
  }
  return shorten(last.substr(std::min(last.find_first_not_of(" \t"), last.size())));
}

std::string shell_word(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,@%") ==
                        std::string::npos) {
    return s;
  }
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string shell_line(const std::vector<std::string>& words) {
  std::string line;
  for (const std::string& w : words) line += (line.empty() ? "" : " ") + shell_word(w);
  return line;
}

}  // namespace pcm::sw
