#include "pcm/sw/programmed_spread.hpp"

#include <vector>

#include "pcm/sw/stats.hpp"

namespace pcm::sw {
namespace {

struct Measured {
  double std = 0.0;
  TensorCounters counters;
};

Measured measure(const ChannelSetup& channel, const VerifyOptions& verify, const std::vector<float>& w,
                 uint64_t seed) {
  EngineOptions eo;
  eo.engine = "model";
  eo.verify = verify;
  const Strategy none;
  ModelLayout layout(none, PlanOptions{}, channel.map);
  const PlacedTensor placed = layout.add("probe", w.data(), nullptr, w.size());
  std::unique_ptr<Engine> engine = make_engine(eo, channel);
  engine->begin(seed);
  std::vector<float> out(w.size());
  Measured m;
  m.counters = engine->store(placed.plan, placed.regions, w.data(), nullptr, w.size(), out.data());
  std::vector<double> err(w.size());
  const double alpha = placed.plan.small.alpha;
  for (std::size_t i = 0; i < w.size(); ++i) err[i] = (static_cast<double>(out[i]) - w[i]) * alpha;
  m.std = stats_of(err).std;
  return m;
}

}  // namespace

ProgrammedSpread programmed_spread(const std::string& channel_spec, const VerifyOptions& verify, uint64_t cells,
                                   uint64_t seed) {
  const ChannelSetup channel = make_channel(channel_spec);
  std::vector<float> w(cells);
  for (uint64_t i = 0; i < cells; ++i) {
    const double u = (static_cast<double>(i) + 0.5) / static_cast<double>(cells);
    w[i] = static_cast<float>(channel.map.t_lo + u * (channel.map.t_hi - channel.map.t_lo));
  }
  const Measured once = measure(channel, VerifyOptions{}, w, seed);
  const Measured verified = measure(channel, verify, w, seed);
  ProgrammedSpread s;
  s.cells = cells;
  s.std_once = once.std;
  s.std_verified = verified.std;
  const double n = static_cast<double>(verified.counters.cells_written);
  if (n > 0) {
    s.pulses_per_cell = static_cast<double>(verified.counters.pulses) / n;
    s.failed_fraction = static_cast<double>(verified.counters.pv_failed) / n;
  }
  return s;
}

}  // namespace pcm::sw
