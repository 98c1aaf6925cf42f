// The noisy channel as a differentiable LibTorch operation, for training
// through it (`pcmsim e2e`). The channel itself stays in channel_model: the
// forward pass is Channel::sample, draw for draw, so what a network is trained
// on is what storage does; the backward pass is the pathwise derivative of
// that read-out at fixed noise (the reparameterization trick).
#pragma once

#include <torch/torch.h>

#include <cstddef>
#include <cstdint>

#include "pcm/channel_model/channel.hpp"
#include "pcm/sw/engine.hpp"

namespace pcm::sw {

// Which cells element k of a tensor is written to: address first_address + k,
// touched for the access-th time, with the given seed and stream.
struct ChannelKeys {
  uint64_t seed = 0;
  uint64_t first_address = 0;
  uint32_t access = 0;
  channel_model::Stream stream = channel_model::Stream::kProgram;
  channel_model::CellKey key(std::size_t k) const { return {seed, first_address + k, access, stream}; }
};

// d/dx of channel.sample(x, key) at fixed key. Gaussian table channel:
// mu'(x) + sigma'(x) * n with n the key's Philox normal (the one sample draws);
// AWGN: 1; any other channel (the empirical noise model): a central difference
// of sample at fixed key.
double channel_slope(const channel_model::Channel& channel, double x, const channel_model::CellKey& key);

// y_k = channel.sample(x_k, keys.key(k)) for every element of x (any shape,
// float or double; y has x's shape and dtype). Differentiable in x:
// dy_k/dx_k = channel_slope(channel, x_k, keys.key(k)). The channel must
// outlive the autograd graph.
torch::Tensor channel_read(const channel_model::Channel& channel, const torch::Tensor& x, const ChannelKeys& keys);

// x = h(t), the setup's pre-mapping (identity for AWGN), differentiable in t:
// h'(t) = 1 / mu'(h(t)) inside the pre-mapped range, 0 where h saturates.
// The setup must outlive the autograd graph.
torch::Tensor premap(const ChannelSetup& setup, const torch::Tensor& t);
double premap_slope(const ChannelSetup& setup, double t);

}  // namespace pcm::sw
