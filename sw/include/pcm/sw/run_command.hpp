// `pcmsim run`: store a TorchScript model's weights through an engine, read
// them back, evaluate, repeat over seeds.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace pcm::sw {

int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace pcm::sw
