#!/usr/bin/env bash
# One command on a fresh Debian 12 machine (as root): install dependencies,
# build, and run the main job on the built-in default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build
./build/sw/pcmsim channel --table default --export build/channel_default.csv
/usr/bin/python3 scripts/plot_channel.py build/channel_default.csv build/channel_default.png
