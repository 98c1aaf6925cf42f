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
# The built-in default: scikit-learn's digits as MNIST IDX files, the two
# trained models, then the main job: the default MLP stored through the
# Verilated controller into the default table's noisy array, 3 seeds, without
# and with the paper's strategies at one analog cell per weight.
/usr/bin/python3 scripts/prepare_digits.py build/data/digits
/usr/bin/python3 scripts/train.py --data build/data/digits --out build/models
for strategy in none sp+am+ar; do
  ./build/sw/pcmsim run --engine rtl --model build/models/digits_mlp.pt --data build/data/digits \
    --strategy "$strategy" --cells 1 --seeds 3 --out "build/run_digits_mlp_${strategy}.json"
done
