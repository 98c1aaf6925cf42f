// Writing result files so that no reader ever sees half of one (a sweep
// resuming, a script polling): written beside the target and renamed.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

namespace pcm::sw {

// Calls write on a stream to a temporary file in path's folder, then renames
// it to path. Throws std::runtime_error naming path when it cannot.
void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace pcm::sw
