#pragma once

// The physical cost of one cell access: duration and energy per programming
// pulse and per read, plain data beside ArrayTiming so that host code can set
// and read them. These defaults are the only ones (`pcmsim run --program-ns
// --program-pj --read-ns --read-pj` start from them; the run reports
// store/load time and energy from them and the controller's counters).
//
// Sources:
// - NVMain 2.0's PCM_MLC_example configuration (Poremba et al., "NVMain 2.0",
//   IEEE CAL 2015): SET pulse 150 ns, RESET pulse 100 ns, E_set 0.102 nJ,
//   E_reset 0.054 nJ, read 0.081 nJ. A multi-level partial-RESET cell (the
//   tables' devices, Engel et al. 2014) is programmed from the SET state, so a
//   programming pulse here is one SET followed by one partial RESET.
// - IBM aihwkit's PCM model: a read takes t_read = 250 ns (PCMLikeNoiseModel).
// Digital words (metadata records, directory entries) are counted as one
// pulse to write and one read to read, like an analog cell: an assumption.

namespace pcm::model {

struct PulseCosts {
  double program_ns = 150.0 + 100.0;  // SET + partial RESET (NVMain PCM_MLC_example)
  double program_pj = 102.0 + 54.0;   // E_set + E_reset (NVMain PCM_MLC_example)
  double read_ns = 250.0;             // aihwkit t_read
  double read_pj = 81.0;              // NVMain PCM_MLC_example
};

}  // namespace pcm::model
