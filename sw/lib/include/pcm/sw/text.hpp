// Small text helpers the commands share: number formatting for reports and
// the one line of a long library error that says what went wrong.
#pragma once

#include <string>

namespace pcm::sw {

// printf-style formatting of one number ("%.2f", ...).
std::string fmt(const char* format, double v);

// The last non-empty line of a multi-line error (TorchScript prints "The
// following operation failed ..." and a stack; the cause comes last), without
// leading blanks, cut at 240 characters.
std::string cause_line(const std::string& s);

// The first line of s, cut at 240 characters.
std::string first_line(const std::string& s);

}  // namespace pcm::sw
