#!/bin/bash
# A sweep over MPI ranks equals the local sweep row for row, and a rerun
# resumes, also after a rank died (its point is lost, the finished ones are
# kept); the controller's area is joined into the rows from a synthesis
# file, and a missing one leaves empty cells and one line naming the command
# that makes it.
# usage: sweep_mpi.sh PCMSIM PYTHON MODEL DATA WORK MPIRUN
set -u
PCMSIM=$1 PYTHON=$2 MODEL=$3 DATA=$4 WORK=$5 MPIRUN=$6
fail() { echo "FAIL: $*"; exit 1; }
# CI runs as root; OpenMPI refuses root unless told, and containers may lack
# the kernel's cross-memory attach that its shared-memory transport tries first
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
grid=(--set "model=$MODEL" --set "data=$DATA" --set seeds=1 --set limit=64 --set engine=rtl
      --axis strategy=none,sp+am+ar --axis banks=1,4)
rows() {  # the CSV without the columns that differ run to run
  "$PYTHON" "$(dirname "$0")/sweep_rows.py" "$1"
}
column() {  # column() CSV NAME: that column's cells, one per row
  "$PYTHON" -c 'import csv, sys; [print(r[sys.argv[2]]) for r in csv.DictReader(open(sys.argv[1]))]' "$1" "$2"
}

rm -rf "$WORK" && mkdir -p "$WORK/area" "$WORK/no_area"
# a hand-written synthesis result for the default parameters (scripts/synth_area.py's keys)
cat > "$WORK/area/pcm_ctrl_lanes4_dac16_adc16.json" <<'JSON'
{"lanes": 4, "dac_width": 16, "adc_width": 16, "cells": {"$_AND_": 10}, "cell_count": 54321, "flip_flops": 3020,
 "nand2_equivalents": 61234.5, "nand2_weights": {}, "yosys": "0.23", "rtl_sha256": "x", "seconds": 1.0}
JSON

"$PCMSIM" sweep --out "$WORK/local" --jobs 2 --area-dir "$WORK/area" "${grid[@]}" > "$WORK/local.log" 2> "$WORK/local.err" ||
  fail "local sweep: $(tail -1 "$WORK/local.err")"
[ -s "$WORK/local.err" ] && fail "local sweep with its area wrote to stderr: $(cat "$WORK/local.err")"
rows "$WORK/local/sweep.csv" > "$WORK/local.rows"
[ "$(wc -l < "$WORK/local.rows")" -eq 5 ] || fail "local sweep: $(wc -l < "$WORK/local.rows") lines, not 5"
[ "$(column "$WORK/local/sweep.csv" area_nand2 | sort -u)" = "61234.5" ] || fail "area_nand2 not joined: $(column "$WORK/local/sweep.csv" area_nand2)"
[ "$(column "$WORK/local/sweep.csv" flip_flops | sort -u)" = "3020" ] || fail "flip_flops not joined"
[ "$(column "$WORK/local/sweep.csv" area_cells | sort -u)" = "54321" ] || fail "area_cells not joined"
column "$WORK/local/sweep.csv" rates_cycles_per_seed | grep -qv '^0$' || fail "no cycles per seed in the rows"
echo "ok: local sweep, 4 rows with area"

# without the area file: the same rows with empty area cells, one line on stderr
"$PCMSIM" sweep --out "$WORK/local" --jobs 2 --area-dir "$WORK/no_area" "${grid[@]}" > "$WORK/noarea.log" 2> "$WORK/noarea.err" ||
  fail "sweep without area: $(tail -1 "$WORK/noarea.err")"
[ "$(wc -l < "$WORK/noarea.err")" -eq 1 ] || fail "expected one line on stderr, got: $(cat "$WORK/noarea.err")"
grep -q "^pcmsim sweep: no area for lanes 4 dac 16 adc 16 in $WORK/no_area (area columns left empty); make it with scripts/synth_area.py --lanes 4 --dac-width 16 --adc-width 16 --out-dir $WORK/no_area$" "$WORK/noarea.err" ||
  fail "unexpected message: $(cat "$WORK/noarea.err")"
[ -z "$(column "$WORK/local/sweep.csv" area_nand2 | sort -u)" ] || fail "area cells not empty without the file"
echo "ok: a missing area file is one line and empty cells"

# the same grid over 3 ranks (rank 0 hands out, 2 run points)
"$MPIRUN" --oversubscribe -np 3 "$PCMSIM" sweep --mpi --out "$WORK/mpi" --area-dir "$WORK/area" "${grid[@]}" \
  > "$WORK/mpi.log" 2>&1 || fail "mpirun sweep: $(tail -3 "$WORK/mpi.log")"
grep -q "^sweep      4 points, 0 already done, 4 to run, on 2 MPI ranks, one point each;" "$WORK/mpi.log" || fail "mpi sweep header: $(head -1 "$WORK/mpi.log")"
rows "$WORK/mpi/sweep.csv" | cmp -s - "$WORK/local.rows" || fail "the MPI sweep's CSV differs from the local one: $(rows "$WORK/mpi/sweep.csv" | diff - "$WORK/local.rows" | head -5)"
[ "$(ls "$WORK/mpi/points/"*.args | wc -l)" -eq 4 ] || fail "the ranks did not write every point's .args"
echo "ok: mpirun -np 3 sweep --mpi: the local sweep's CSV, row for row"

# a lost point (a rank that died with it) runs again on a rerun; the others are reused
rm "$(ls "$WORK/mpi/points/"*.json | head -1)"
"$MPIRUN" --oversubscribe -np 3 "$PCMSIM" sweep --mpi --out "$WORK/mpi" --area-dir "$WORK/area" "${grid[@]}" \
  > "$WORK/rerun.log" 2>&1 || fail "mpirun rerun: $(tail -3 "$WORK/rerun.log")"
grep -q "^sweep      4 points, 3 already done, 1 to run" "$WORK/rerun.log" || fail "rerun did not resume: $(head -1 "$WORK/rerun.log")"
rows "$WORK/mpi/sweep.csv" | cmp -s - "$WORK/local.rows" || fail "the resumed MPI sweep's CSV differs from the local one"
echo "ok: an MPI rerun runs only the lost point"

# a rank killed outright while it runs a point: mpirun ends the job, the
# finished points stay, and the same command runs only what is missing
"$MPIRUN" --oversubscribe -np 3 "$PCMSIM" sweep --mpi --out "$WORK/killed" --area-dir "$WORK/area" "${grid[@]}" \
  > "$WORK/killed.log" 2>&1 &
job=$!
victim=
for _ in $(seq 400); do  # once a point has finished, a rank that runs another
  compgen -G "$WORK/killed/points/*.json" > /dev/null || { sleep 0.05; continue; }
  point=$(pgrep -f -- "$WORK/killed/points/" | head -1)
  [ -n "$point" ] && victim=$(ps -o ppid= -p "$point" | tr -d ' ') && [ -n "$victim" ] && break
  sleep 0.05
done
[ -n "$victim" ] || fail "no point of the MPI sweep finished and another started within 20 s: $(cat "$WORK/killed.log")"
kill -9 "$victim"
wait "$job" && fail "mpirun exited 0 although rank process $victim was killed"
for _ in $(seq 50); do pgrep -f -- "$WORK/killed/points/" > /dev/null || break; sleep 0.1; done
pgrep -f -- "$WORK/killed/points/" > /dev/null && fail "points of the killed MPI sweep still run"
done_points=$(find "$WORK/killed/points" -name '*.json' | wc -l)
[ "$done_points" -ge 1 ] && [ "$done_points" -lt 4 ] ||
  fail "$done_points of 4 points finished: expected the first to stay and the killed rank's to be lost"
"$MPIRUN" --oversubscribe -np 3 "$PCMSIM" sweep --mpi --out "$WORK/killed" --area-dir "$WORK/area" "${grid[@]}" \
  > "$WORK/killed_rerun.log" 2>&1 || fail "rerun after a killed rank: $(tail -3 "$WORK/killed_rerun.log")"
grep -q "^sweep      4 points, $done_points already done, $((4 - done_points)) to run" "$WORK/killed_rerun.log" ||
  fail "rerun after a killed rank: $(head -1 "$WORK/killed_rerun.log")"
rows "$WORK/killed/sweep.csv" | cmp -s - "$WORK/local.rows" || fail "after a killed rank, the rerun's CSV differs from the local one"
echo "ok: a killed rank loses only unfinished points; the rerun ran $((4 - done_points)) and gives the local CSV"
