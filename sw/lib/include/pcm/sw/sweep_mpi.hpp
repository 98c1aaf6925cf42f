// `pcmsim sweep --mpi`: one sweep over the ranks of an MPI job. Rank 0 does
// what a local sweep does (finds the finished points, reports, writes the
// CSV) but hands the point indices to ranks 1 .. K-1, which run each point as
// a local sweep's child process (the same DIR/points files, so a rerun, local
// or MPI, resumes). MPI lives in sweep_mpi.cpp only; built without it
// (PCMSIM_WITH_MPI off), MpiSweep's constructor throws one clear line.
#pragma once

#include <memory>

#include "pcm/sw/sweep.hpp"

namespace pcm::sw {

bool mpi_built();

class MpiSweep {
 public:
  MpiSweep();   // MPI_Init; std::runtime_error without MPI built
  ~MpiSweep();  // MPI_Finalize
  MpiSweep(const MpiSweep&) = delete;
  MpiSweep& operator=(const MpiSweep&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }
  // Rank 0: the points go to ranks 1 .. size-1, one each at a time; with one
  // rank only, to `jobs` local processes. Its destructor tells the ranks to end.
  std::unique_ptr<PointDispatcher> dispatcher(const SweepPlan& plan, unsigned jobs);
  // Ranks above 0: runs the points rank 0 sends until it says stop.
  void serve(const SweepPlan& plan);

 private:
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace pcm::sw
