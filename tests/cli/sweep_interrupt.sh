#!/bin/bash
# An interrupted sweep (SIGINT or SIGTERM to the sweep alone or to its whole
# process group as a terminal's Ctrl-C does, SIGKILL) at several moments:
# no point process outlives it, INT/TERM exit 128+N with one line naming the
# signal and write sweep.csv for what finished (moments count from the
# sweep's first line: killed earlier, no point has started; "first" is the
# moment the first point's result appears, so that some points are done and
# others still run however fast the machine is), and a rerun's CSV equals an
# uninterrupted sweep's row for row (wall-clock columns and the result path aside). Then a
# damaged point file is moved aside and its point rerun, and a point's .args
# file is a command line that runs as pasted.
# usage: sweep_interrupt.sh PCMSIM PYTHON MODEL DATA WORK
set -u
PCMSIM=$1 PYTHON=$2 MODEL=$3 DATA=$4 WORK=$5
fail() { echo "FAIL: $*"; exit 1; }
grid=(--jobs 2 --set "model=$MODEL" --set "data=$DATA" --set seeds=1 --set engine=rtl
      --axis strategy=none,sp+am+ar --axis cells=1,2,3,4)
rows() {  # the CSV without the columns that differ run to run
  "$PYTHON" "$(dirname "$0")/sweep_rows.py" "$1"
}
no_orphans() {  # waits up to 5 s for every point of $1 to be gone
  for _ in $(seq 50); do
    pgrep -f -- "$1/points/" > /dev/null || return 0
    sleep 0.1
  done
  fail "point processes of $1 still running: $(pgrep -af -- "$1/points/")"
}

rm -rf "$WORK" && mkdir -p "$WORK"
ref=$WORK/ref
"$PCMSIM" sweep --out "$ref" "${grid[@]}" > "$WORK/ref.log" 2>&1 || fail "uninterrupted sweep: $(tail -1 "$WORK/ref.log")"
rows "$ref/sweep.csv" > "$WORK/ref.rows"
[ "$(wc -l < "$WORK/ref.rows")" -eq 9 ] || fail "the uninterrupted sweep has $(wc -l < "$WORK/ref.rows") lines, not 9"

n=0
for c in "TERM 0.3 sweep" "INT 0.3 group" "INT first sweep" "TERM first group" "KILL first sweep"; do
  read -r sig delay target <<< "$c"
  n=$((n + 1))
  dir=$WORK/case$n
  setsid "$PCMSIM" sweep --out "$dir" "${grid[@]}" > "$dir.out" 2> "$dir.err" &
  pid=$!
  # the moment counts from the sweep's first line: before it, no point runs
  for _ in $(seq 100); do grep -q '^sweep ' "$dir.out" 2> /dev/null && break; sleep 0.05; done
  when="$delay s"
  if [ "$delay" = first ]; then
    when="the first point"
    for _ in $(seq 400); do
      compgen -G "$dir/points/*.json" > /dev/null && break
      sleep 0.02
    done
  else
    sleep "$delay"
  fi
  if [ "$target" = group ]; then kill -s "$sig" -- "-$pid"; else kill -s "$sig" "$pid"; fi
  wait "$pid"
  rc=$?
  no_orphans "$dir"
  case $sig in
    INT) want=130 ;; TERM) want=143 ;; KILL) want=137 ;;
  esac
  [ "$rc" -eq "$want" ] || fail "SIG$sig after $when ($target): exit $rc, expected $want; $(cat "$dir.err")"
  if [ "$sig" != KILL ]; then
    [ "$(wc -l < "$dir.err")" -eq 1 ] || fail "SIG$sig: expected one line on stderr, got: $(cat "$dir.err")"
    grep -q "^pcmsim sweep: interrupted by SIG$sig: .* points done (sweep.csv written); rerun the same command to finish$" "$dir.err" ||
      fail "SIG$sig: unexpected message: $(cat "$dir.err")"
    done_points=$(find "$dir/points" -name '*.json' ! -name '*.damaged.json' | wc -l)
    [ "$(($(wc -l < "$dir/sweep.csv") - 1))" -eq "$done_points" ] || fail "SIG$sig: sweep.csv rows differ from the finished points"
  fi
  "$PCMSIM" sweep --out "$dir" "${grid[@]}" > "$dir.rerun" 2>&1 || fail "rerun after SIG$sig: $(tail -1 "$dir.rerun")"
  rows "$dir/sweep.csv" | cmp -s - "$WORK/ref.rows" || fail "rerun after SIG$sig ($when, $target): CSV differs from the uninterrupted sweep"
  echo "ok: SIG$sig after $when to the $target: exit $rc, $(head -1 "$dir.rerun" | sed 's/;.*//')"
done

# a damaged (truncated) point file: moved aside, its point rerun, the same CSV
victim=$(ls "$ref"/points/*.json | head -1)
head -c 100 "$victim" > "$victim.cut" && mv "$victim.cut" "$victim"
"$PCMSIM" sweep --out "$ref" "${grid[@]}" > "$WORK/damaged.log" 2>&1 || fail "sweep over a damaged point: $(tail -1 "$WORK/damaged.log")"
grep -q "^sweep      8 points, 7 already done, 1 to run" "$WORK/damaged.log" || fail "damaged point not rerun: $(head -2 "$WORK/damaged.log")"
grep -q "^damaged    1 unreadable point file" "$WORK/damaged.log" || fail "damaged point not reported"
[ -f "${victim%.json}.damaged.json" ] || fail "the damaged file was not kept aside"
rows "$ref/sweep.csv" | cmp -s - "$WORK/ref.rows" || fail "CSV after rerunning the damaged point differs"
echo "ok: a damaged point file is moved aside and its point rerun"

# the .args file runs as pasted
args=$(ls "$ref"/points/*.args | head -1)
bash "$args" > "$WORK/args.log" 2>&1 || fail "$args does not run as a command line: $(tail -1 "$WORK/args.log")"
echo "ok: $(basename "$args") runs as pasted"
