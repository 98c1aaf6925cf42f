// `pcmsim bench`: simulated weights per second of each engine beside two
// yardsticks measured in the same run.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace pcm::sw {

int bench_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace pcm::sw
