// pcm_host without MPI (PCMSIM_WITH_MPI off): `pcmsim sweep --mpi` says so.
#include <stdexcept>

#include "pcm/sw/sweep_mpi.hpp"

namespace pcm::sw {

bool mpi_built() { return false; }

MpiSweep::MpiSweep() {
  throw std::runtime_error("--mpi: this pcmsim was built without MPI (install libopenmpi-dev and reconfigure)");
}
MpiSweep::~MpiSweep() = default;
std::unique_ptr<PointDispatcher> MpiSweep::dispatcher(const SweepPlan& plan, unsigned jobs) {
  return local_dispatcher(plan, jobs);
}
void MpiSweep::serve(const SweepPlan&) {}

}  // namespace pcm::sw
