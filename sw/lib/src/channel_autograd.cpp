#include "pcm/sw/channel_autograd.hpp"

#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <cmath>

namespace pcm::sw {
namespace cm = pcm::channel_model;

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// An elementwise map whose value and slope are computed together in forward;
// backward multiplies by the saved slope.
template <class Eval>
torch::Tensor elementwise(const torch::Tensor& in, Eval eval, torch::Tensor* slope_out) {
  const torch::Tensor x = in.detach().to(torch::kFloat64).contiguous();
  torch::Tensor y = torch::empty_like(x);
  torch::Tensor slope = torch::empty_like(x);
  const double* px = x.data_ptr<double>();
  double* py = y.data_ptr<double>();
  double* ps = slope.data_ptr<double>();
  const int64_t n = x.numel();
  for (int64_t k = 0; k < n; ++k) eval(static_cast<std::size_t>(k), px[k], py[k], ps[k]);
  *slope_out = slope.to(in.scalar_type());
  return y.to(in.scalar_type());
}

struct ChannelRead : torch::autograd::Function<ChannelRead> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x, const cm::Channel* channel,
                               ChannelKeys keys) {
    torch::Tensor slope;
    torch::Tensor y = elementwise(
        x,
        [&](std::size_t k, double v, double& out, double& d) {
          const cm::CellKey key = keys.key(k);
          out = channel->sample(v, key);
          d = channel_slope(*channel, v, key);
        },
        &slope);
    ctx->save_for_backward({slope});
    return y;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grad) {
    const torch::Tensor slope = ctx->get_saved_variables()[0];
    return {grad[0] * slope, torch::Tensor(), torch::Tensor()};
  }
};

struct PreMap : torch::autograd::Function<PreMap> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& t, const ChannelSetup* setup) {
    torch::Tensor slope;
    torch::Tensor x = elementwise(
        t,
        [&](std::size_t, double v, double& out, double& d) {
          out = setup->h(v);
          d = premap_slope(*setup, v);
        },
        &slope);
    ctx->save_for_backward({slope});
    return x;
  }
  static variable_list backward(AutogradContext* ctx, variable_list grad) {
    const torch::Tensor slope = ctx->get_saved_variables()[0];
    return {grad[0] * slope, torch::Tensor()};
  }
};

}  // namespace

double channel_slope(const cm::Channel& channel, double x, const cm::CellKey& key) {
  if (dynamic_cast<const cm::AwgnChannel*>(&channel) != nullptr) return 1.0;
  if (const auto* table = dynamic_cast<const cm::TableChannel*>(&channel);
      table != nullptr && table->noise_model() == cm::NoiseModel::kGaussian) {
    cm::CellRng rng(key);  // the same first normal TableChannel::sample draws
    return table->mu().derivative(x) + table->sigma().derivative(x) * rng.normal();
  }
  constexpr double kStep = 1e-6;
  return (channel.sample(x + kStep, key) - channel.sample(x - kStep, key)) / (2.0 * kStep);
}

double premap_slope(const ChannelSetup& setup, double t) {
  if (dynamic_cast<const cm::AwgnChannel*>(setup.channel.get()) != nullptr) return 1.0;
  if (t <= setup.map.t_lo || t >= setup.map.t_hi) return 0.0;  // h saturates
  if (const auto* table = dynamic_cast<const cm::TableChannel*>(setup.channel.get())) {
    // h = mu^-1 on the branch. At the branch ends mu' can vanish; the cap keeps
    // the slope finite (it is reached only within ~1e-12 of an end).
    constexpr double kMaxSlope = 1e6;
    const double d = table->mean_derivative(setup.h(t));
    if (std::fabs(d) * kMaxSlope > 1.0) return 1.0 / d;
    const bool increasing = setup.h(setup.map.t_hi) >= setup.h(setup.map.t_lo);
    return increasing ? kMaxSlope : -kMaxSlope;
  }
  constexpr double kStep = 1e-6;
  return (setup.h(t + kStep) - setup.h(t - kStep)) / (2.0 * kStep);
}

torch::Tensor channel_read(const cm::Channel& channel, const torch::Tensor& x, const ChannelKeys& keys) {
  return ChannelRead::apply(x, &channel, keys);
}

torch::Tensor premap(const ChannelSetup& setup, const torch::Tensor& t) { return PreMap::apply(t, &setup); }

}  // namespace pcm::sw
