// Command-line options generated from a config struct's field list
// (pcm/sw/fields.hpp): `--large-fraction F` for the field large_fraction,
// a switch for a bool. Values are read as text and converted here, so a
// negative number for an unsigned field, a NaN, a trailing letter or a value
// too large for its type is a UsageError naming the option and the text the
// user typed (Boost would wrap -3 into 4294967293).
#pragma once

#include <boost/program_options.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <type_traits>
#include <vector>

#include "pcm/cli/cli.hpp"
#include "pcm/sw/fields.hpp"

namespace pcm::cli {

// "large_fraction" -> "large-fraction".
std::string option_name(const std::string& field);

// The command line against desc: a stray word (`--cells 2 4`) is a
// UsageError naming it, and an abbreviated option is unknown rather than
// guessed (`bench --engine` is not `--engines`).
boost::program_options::variables_map parse_command_line(const std::vector<std::string>& args,
                                                         const boost::program_options::options_description& desc);

// Text -> value, or UsageError("--OPTION: expected ..., got 'TEXT'").
void parse_value(const std::string& option, const std::string& text, std::string& out);
void parse_value(const std::string& option, const std::string& text, double& out);
void parse_value(const std::string& option, const std::string& text, int& out);
void parse_value(const std::string& option, const std::string& text, unsigned& out);
void parse_value(const std::string& option, const std::string& text, unsigned long& out);
void parse_value(const std::string& option, const std::string& text, unsigned long long& out);

// A value as the help shows its default.
std::string default_text(const std::string& v);
std::string default_text(double v);
template <class T>
std::string default_text(const T& v) {
  return std::to_string(v);
}

// The options of one command: declare() adds a struct's fields to a Boost
// description (with their current values as defaults), apply() copies what
// was given on the command line into the struct.
class Options {
 public:
  explicit Options(const std::string& caption) : desc_(caption) {
    desc_.add_options()("help,h", "print this help");
  }

  // Sections of the help, in order, each listing its fields (by field name);
  // fields in no section stay under the caption. Call before declare().
  using Section = std::pair<std::string, std::vector<std::string>>;
  void sections(const std::vector<Section>& sections) {
    for (const Section& s : sections) {
      auto d = std::make_shared<boost::program_options::options_description>(s.first);
      for (const std::string& field : s.second) section_of_[option_name(field)] = d.get();
      sections_.push_back(std::move(d));
    }
  }

  template <class T>
  void declare(T& config) {
    T::fields(config, [&](const char* field, auto& value, sw::FieldDoc doc) { add(field, value, doc); });
  }

  // Parses args (positional arguments refused) and applies them. Returns
  // false when --help was asked for (the caller prints help()).
  bool parse(const std::vector<std::string>& args);
  const boost::program_options::options_description& help() const { return all_; }
  bool given(const std::string& option) const { return vm_.count(option) > 0 && !vm_[option].defaulted(); }

 private:
  template <class V>
  void add(const char* field, V& value, const sw::FieldDoc& doc) {
    namespace po = boost::program_options;
    const std::string option = option_name(field);
    const auto section = section_of_.find(option);
    po::options_description& desc = section == section_of_.end() ? desc_ : *section->second;
    if constexpr (std::is_same_v<V, bool>) {
      desc.add_options()(option.c_str(), po::bool_switch(&value), doc.help);
    } else {
      desc.add_options()(option.c_str(),
                          po::value<std::string>()->value_name(*doc.arg ? doc.arg : "arg")->default_value(default_text(value)), doc.help);
      appliers_.push_back([this, option, &value] {
        if (given(option)) parse_value(option, vm_[option].as<std::string>(), value);
      });
    }
  }

  boost::program_options::options_description desc_;
  std::vector<std::shared_ptr<boost::program_options::options_description>> sections_;
  std::map<std::string, boost::program_options::options_description*> section_of_;
  boost::program_options::options_description all_;  // desc_ and the sections, for parsing and help
  bool assembled_ = false;
  boost::program_options::variables_map vm_;
  std::vector<std::function<void()>> appliers_;
};

}  // namespace pcm::cli
