// Small text helpers the commands share: number formatting for reports and
// the one line of a long library error that says what went wrong.
#pragma once

#include <string>
#include <vector>

namespace pcm::sw {

// printf-style formatting of one number ("%.2f", ...).
std::string fmt(const char* format, double v);

// The last non-empty line of a multi-line error (TorchScript prints "The
// following operation failed ..." and a stack; the cause comes last), without
// leading blanks, cut at 240 characters.
std::string cause_line(const std::string& s);

// The first line of s, cut at 240 characters.
std::string first_line(const std::string& s);

// A word for a POSIX shell, quoted only when it needs to be.
std::string shell_word(const std::string& s);
// Words joined as a command line that runs as pasted.
std::string shell_line(const std::vector<std::string>& words);

}  // namespace pcm::sw
