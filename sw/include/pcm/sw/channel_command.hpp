// `pcmsim channel`: inspect a PCM channel table.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace pcm::sw {

// Runs the subcommand on its arguments (after the word "channel"). Reports
// go to out; throws on bad input (see cli.hpp for how main reports them).
int channel_command(const std::vector<std::string>& args, std::ostream& out);

}  // namespace pcm::sw
