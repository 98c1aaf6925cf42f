// The digital baselines' arithmetic and magnitude pruning: what a model looks
// like before (pruning) or instead of (quantization) analog storage. Pure
// functions over spans of floats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pcm::sw {

// Binary entropy H(p) in bits; 0 at p <= 0 and p >= 1.
double entropy_bits(double p);

// Magnitude pruning of one tensor: the indices of the weights that stay
// (ascending) after dropping the floor(sparsity x n) smallest |w| (ties: the
// lower index goes first).
std::vector<uint32_t> kept_after_pruning(const float* w, std::size_t n, double sparsity);

// Bits of the entropy-coded mask of a tensor of n weights of which `kept` stay.
double mask_bits(std::size_t n, std::size_t kept);

// Uniform symmetric quantization to `bits` (2 .. 16) with the per-tensor scale
// max|w| / (2^(bits-1) - 1), round to nearest even; bits >= 32 copies fp32 as
// it is. out may equal w.
void quantize(const float* w, std::size_t n, int bits, float* out);

}  // namespace pcm::sw
