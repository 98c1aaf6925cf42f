// Where a result came from: the tool's version and build, the inputs' bytes
// (SHA-256 of the model file and of the channel table), the command that
// made it and when. Two runs of one command differ only in the timestamp
// (and in the wall-clock measurements, which are not provenance).
#pragma once

#include <istream>
#include <string>

namespace pcm::sw {

// SHA-256 (FIPS 180-4) as 64 lowercase hex digits.
std::string sha256_hex(const std::string& bytes);
std::string sha256_hex(std::istream& in);
// Of a file's bytes; std::runtime_error naming the file when it cannot be read.
std::string sha256_file(const std::string& path);
// Of a channel spec's table: a built-in table's text or a table file's bytes;
// "" for awgn:STD (no table).
std::string channel_sha256(const std::string& spec);

// "0.1.0".
std::string version();
// `git describe --always --dirty` of the source tree at build time, or
// "unknown" outside a git checkout.
std::string build_describe();
// "pcmsim 0.1.0 (DESCRIBE)": what `pcmsim --version` prints.
std::string version_line();
// The current UTC time, "2026-12-03T08:10:00Z".
std::string utc_timestamp();

}  // namespace pcm::sw
