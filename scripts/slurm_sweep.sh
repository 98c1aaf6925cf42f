#!/bin/bash
# A `pcmsim sweep` over the nodes of a Slurm cluster: the same command as a
# local sweep, with --mpi, under srun (or mpirun). Rank 0 hands out the points
# and writes DIR/sweep.csv; every other rank runs one point at a time as a
# child process, so ask for one task per point you want running at once, plus
# one. DIR must be on a file system every node sees; rerunning the job
# resumes (finished points are reused).
#
#   sbatch --ntasks=33 scripts/slurm_sweep.sh scripts/grids/controller.json results/controller
#
#SBATCH --job-name=pcmsim-sweep
#SBATCH --cpus-per-task=1
#SBATCH --time=02:00:00
#SBATCH --output=pcmsim-sweep-%j.log
set -euo pipefail
GRID=${1:?usage: sbatch [--ntasks=N] slurm_sweep.sh GRID.json OUT_DIR [more pcmsim sweep options]}
OUT=${2:?usage: sbatch [--ntasks=N] slurm_sweep.sh GRID.json OUT_DIR [more pcmsim sweep options]}
shift 2
PCMSIM=${PCMSIM:-build/sw/pcmsim}
# srun starts the ranks through Slurm's PMI (OpenMPI built with Slurm support);
# otherwise `mpirun "$PCMSIM" sweep --mpi ...` inside the allocation does the same.
srun "$PCMSIM" sweep --mpi --grid "$GRID" --out "$OUT" "$@"
