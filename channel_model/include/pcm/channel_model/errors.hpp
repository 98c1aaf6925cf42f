// Exceptions of the channel model, one type per concern. Messages name the
// file and line, or the offending value, so that a caller can print them as
// they are.
#pragma once

#include <stdexcept>
#include <string>

namespace pcm::channel_model {

// A measurement table that cannot be read or is malformed.
class TableError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A channel asked for something it cannot give (an invalid parameter, a
// noise model the table has no data for, an input outside the domain).
class ChannelError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace pcm::channel_model
