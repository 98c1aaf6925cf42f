// Writing result files so that no reader ever sees half of one (a sweep
// resuming, a script polling): written beside the target and renamed; and
// refusing, before any work, outputs that would destroy an input or each
// other.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace pcm::sw {

// Calls write on a stream to a temporary file in path's folder (a short
// name of its own, so that a path at the name-length limit still works),
// then renames it to path. Throws std::runtime_error naming path when it
// cannot.
void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// A file a command reads or writes, by its option's field name.
struct NamedPath {
  const char* field;
  std::string path;  // empty: not given
};

// Throws ConfigError(field of the output) when an output is the same file as
// an input or as another output (same path after resolving links and "..",
// or the same existing file), or when its folder does not exist or cannot be
// written. Run before the work, so that nothing is lost after it.
void check_outputs(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

}  // namespace pcm::sw
