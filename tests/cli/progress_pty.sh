#!/usr/bin/env bash
# The bar redraws within one large tensor: `pcmsim run` under a
# pseudo-terminal (script) on a model whose second tensor is ~93% of its
# weights; the frames of seed 1's store+load are counted. A slow array (one
# bank, 100-cycle writes: about 100 cycles per weight) keeps the store at
# several seconds, so that the bar's first second and 200 ms interval leave
# room for at least 3 frames however fast the simulator gets (with the
# default array, 1.5M weights took under a second once the rtl engine passed
# 1.8e6 weights/s: one frame).
# usage: progress_pty.sh PCMSIM PYTHON SOURCE_DIR DIGITS WORKDIR
set -euo pipefail
pcmsim=$1 python=$2 src=$3 digits=$4 dir=$5
rm -rf "$dir" && mkdir -p "$dir"
"$python" "$src/scripts/make_big_model.py" --weights 1000000 --out "$dir/big.pt" > /dev/null
script -q -e -c "$pcmsim run --engine rtl --model $dir/big.pt --data $digits --strategy sp+am+ar --seeds 1 --limit 20 --banks 1 --write-latency 100 --out $dir/r.json" "$dir/typescript" > /dev/null
# frames are separated by carriage returns; keep seed 1's store+load frames inside the big tensor (10% .. 90%)
frames=$(tr '\r' '\n' < "$dir/typescript" | grep -a 'seed 1 (1/1): store+load' | sed -n 's/.*\] *\([0-9.]*\)%.*/\1/p' |
         awk '$1 > 10 && $1 < 90' | sort -un | wc -l)
seconds=$("$python" -c "import json; print(json.load(open('$dir/r.json'))['result']['host']['store_seconds'])")
echo "distinct frames inside the large tensor: $frames; store+load took $seconds s"
# at least one redraw a second over the tensor's ~80% of the store (and never fewer than 3)
"$python" -c "import sys; f, s = $frames, $seconds; need = max(3, int(0.8 * s)); sys.exit(0 if f >= need else 1)" ||
  { echo "FAIL: fewer frames than seconds"; exit 1; }
