#include "pcm/cli/options.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace pcm::cli {
namespace po = boost::program_options;

namespace {

[[noreturn]] void bad(const std::string& option, const std::string& what, const std::string& text) {
  throw UsageError("--" + option + ": expected " + what + ", got '" + text + "'");
}

// A whole non-negative decimal number no larger than max.
unsigned long long parse_unsigned(const std::string& option, const std::string& text, unsigned long long max) {
  const std::string what = "a whole number 0 .. " + std::to_string(max);
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) bad(option, what, text);
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), nullptr, 10);
  if (errno == ERANGE || v > max) bad(option, what, text);
  return v;
}

}  // namespace

std::string option_name(const std::string& field) { return sw::option_of(field); }

void parse_value(const std::string&, const std::string& text, std::string& out) { out = text; }

void parse_value(const std::string& option, const std::string& text, double& out) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v)) bad(option, "a finite number", text);
  out = v;
}

void parse_value(const std::string& option, const std::string& text, int& out) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE || v < std::numeric_limits<int>::min() ||
      v > std::numeric_limits<int>::max()) {
    bad(option, "a whole number", text);
  }
  out = static_cast<int>(v);
}

void parse_value(const std::string& option, const std::string& text, unsigned& out) {
  out = static_cast<unsigned>(parse_unsigned(option, text, std::numeric_limits<unsigned>::max()));
}

void parse_value(const std::string& option, const std::string& text, unsigned long& out) {
  out = static_cast<unsigned long>(parse_unsigned(option, text, std::numeric_limits<unsigned long>::max()));
}

void parse_value(const std::string& option, const std::string& text, unsigned long long& out) {
  out = parse_unsigned(option, text, std::numeric_limits<unsigned long long>::max());
}

std::string default_text(const std::string& v) { return v; }

std::string default_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

po::variables_map parse_command_line(const std::vector<std::string>& args, const po::options_description& desc) {
  po::options_description all;
  all.add(desc);
  std::vector<std::string> stray;
  all.add_options()("pcmsim-stray-word", po::value(&stray));
  po::positional_options_description words;
  words.add("pcmsim-stray-word", -1);
  po::variables_map vm;
  const int style = po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
  po::store(po::command_line_parser(args).options(all).positional(words).style(style).run(), vm);
  po::notify(vm);
  if (!stray.empty()) {
    throw UsageError("unexpected argument '" + stray.front() +
                     "' (each option takes one value; quote a value that has spaces)");
  }
  return vm;
}

bool Options::parse(const std::vector<std::string>& args) {
  if (!assembled_) {  // once: a second parse must not see every option twice
    all_.add(desc_);
    for (const auto& s : sections_) all_.add(*s);
    assembled_ = true;
  }
  vm_ = parse_command_line(args, all_);
  if (vm_.count("help")) return false;
  for (const auto& apply : appliers_) apply();
  return true;
}

}  // namespace pcm::cli
