// The library's error for a configuration value it cannot use. It names the
// field (a RunConfig field name such as "dac_bits"), never a command-line
// option: the command that read the value adds "--dac-bits" itself.
#pragma once

#include <stdexcept>
#include <string>

namespace pcm::sw {

class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string field, const std::string& message)
      : std::runtime_error(message), field_(std::move(field)) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

}  // namespace pcm::sw
