// `pcmsim train` (see sw/README.md).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace pcm::sw {

int train_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace pcm::sw
