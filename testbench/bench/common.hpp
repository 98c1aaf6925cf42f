// What every part of the random bench shares: its options, the seeded random
// source (one generator, so a seed fixes every draw of a run, in order), the
// lane count of the Verilated configuration, and fp32 bit helpers.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <string>

namespace bench {

inline constexpr int kLanes = 4;  // the NumLanes the bench's pcm_ctrl is Verilated with

struct Options {
  uint64_t seed = 1;
  int configs = 60;
  int weights = 110000;  // in total over all configurations
  double sigma = 0.02;   // read noise of the stand-in array (normalised units)
  std::string fst;       // waveform file; empty: no tracing
  // Breaks the environment's side of one interface protocol once, on purpose,
  // so that its assertion is seen to fire (kBreakKinds); empty: never.
  std::string break_kind;
  std::string coverage;  // Verilator code coverage file (a --coverage build only)
};

inline const char* const kBreakKinds[] = {"apb-setup-unstable", "apb-no-access", "wr-valid-drop", "rq-index-change",
                                          "rsp-unrequested", "rsp-valid-drop"};

inline uint32_t f2b(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}
inline float b2f(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

inline const char* const kStrategyNames[16] = {
    "none", "sp",   "am",      "sp+am",      "ar",      "sp+ar",      "am+ar",      "sp+am+ar",
    "sens", "sp+sens", "am+sens", "sp+am+sens", "ar+sens", "sp+ar+sens", "am+ar+sens", "sp+am+ar+sens"};

class Random {
 public:
  explicit Random(uint64_t seed) : gen_(seed) {}
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(gen_) < p; }
  int uni(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(gen_); }
  std::mt19937_64& gen() { return gen_; }

 private:
  std::mt19937_64 gen_;
};

}  // namespace bench
