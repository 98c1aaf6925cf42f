#!/usr/bin/python3
"""Code coverage of rtl/pcm_ctrl under the random bench, per module.

Runs the coverage build of the bench (pcm_ctrl_bench_cov, CMake option
PCMSIM_BENCH_COVERAGE) over the seeds of the ctests, merges the results with
verilator_coverage, annotates the sources and counts, per RTL file, the
coverable lines reached (line and branch points of Verilator's annotation) and
the toggle points. Lines named in testbench/coverage_waivers.txt (FILE:LINE
reason) are left out of the line figure and listed with their reason.

  coverage_report.py --bench BUILD/testbench/pcm_ctrl_bench_cov --out DIR [--min 95]

Exit status 1 when a module's line coverage (after waivers) is below --min.
"""
import argparse
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WAIVERS = os.path.join(os.path.dirname(HERE), "coverage_waivers.txt")
RUNS = [(1, 60, 110000), (2, 60, 110000), (3, 60, 110000)]  # as the ctests and the campaign


def die(msg):
    print(f"coverage_report: error: {msg}", file=sys.stderr)
    sys.exit(2)


def load_waivers():
    waivers = {}
    if not os.path.exists(WAIVERS):
        return waivers
    with open(WAIVERS) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"(\S+):(\d+)\s+(.+)", line)
            if not m:
                die(f"{WAIVERS}:{n}: expected 'FILE:LINE reason', got '{line}'")
            waivers[(m.group(1), int(m.group(2)))] = m.group(3)
    return waivers


def read_points(dat):
    """Per RTL file and kind (line, branch, toggle, user): source line -> every point on it hit
    (line, branch), or (hit, total) points (toggle, user, counted per point)."""
    files = {}
    with open(dat, encoding="latin-1") as f:
        for raw in f:
            if not raw.startswith("C '"):
                continue
            key, count = raw[3:].rsplit("' ", 1)
            fields = dict(kv.split("\x02", 1) for kv in key.split("\x01") if "\x02" in kv)
            page = fields.get("page", "")
            kind = page.split("/", 1)[0].removeprefix("v_")
            name = os.path.basename(fields.get("f", ""))
            if not name.endswith(".sv"):
                continue
            by_kind = files.setdefault(name, {})
            hit = int(count) > 0
            if kind in ("line", "branch"):
                n = int(fields.get("l", "0"))
                lines = by_kind.setdefault(kind, {})
                lines[n] = lines.get(n, True) and hit
            else:
                h, t = by_kind.get(kind, (0, 0))
                by_kind[kind] = (h + hit, t + 1)
    return files


def ratio(points):
    if isinstance(points, dict):
        hit, total = sum(points.values()), len(points)
    else:
        hit, total = points
    return f"{100.0 * hit / total:5.1f}% of {total}" if total else "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--min", type=float, default=95.0)
    a = ap.parse_args()
    if not os.access(a.bench, os.X_OK):
        die(f"{a.bench} is not an executable (configure with -DPCMSIM_BENCH_COVERAGE=ON and build pcm_ctrl_bench_cov)")
    os.makedirs(a.out, exist_ok=True)
    dats = []
    for seed, configs, weights in RUNS:
        dat = os.path.join(a.out, f"seed{seed}.dat")
        r = subprocess.run([a.bench, "--seed", str(seed), "--configs", str(configs), "--weights", str(weights),
                            "--coverage", dat], capture_output=True, text=True)
        if r.returncode != 0 or not os.path.exists(dat):
            die(f"the bench failed for seed {seed}: {(r.stdout + r.stderr).strip().splitlines()[-1:]}")
        dats.append(dat)
    merged = os.path.join(a.out, "merged.dat")
    ann = os.path.join(a.out, "annotated")
    subprocess.run(["verilator_coverage", "--write", merged, *dats], check=True)
    # annotated sources for reading; the figures come from the points themselves
    subprocess.run(["verilator_coverage", "--annotate", ann, "--annotate-all", "--annotate-min", "1", merged],
                   check=True, capture_output=True)
    waivers = load_waivers()
    files = read_points(merged)
    worst = 100.0
    print(f"{'module file':24s} {'lines':>11s} {'line %':>7s} {'waived':>6s} {'branches':>11s} {'toggles':>13s}")
    for name in sorted(files):
        kinds = files[name]
        lines = kinds.get("line", {})
        hit = total = waived = 0
        uncovered = []
        for n in sorted(lines):
            if not lines[n] and (name, n) in waivers:
                waived += 1
                continue
            total += 1
            if lines[n]:
                hit += 1
            else:
                uncovered.append(n)
        pct = 100.0 * hit / total if total else 100.0
        if not name.endswith("_sva.sv"):  # the bench's own assertion checkers are not the design
            worst = min(worst, pct)
        br = kinds.get("branch", {})
        tg = kinds.get("toggle", {})
        print(f"{name:24s} {hit:4d}/{total:<6d} {pct:6.1f}% {waived:6d} "
              f"{ratio(br):>11s} {ratio(tg):>13s}"
              + (f"  uncovered lines: {' '.join(map(str, uncovered))}" if uncovered else "")
              + (f"  branches not all taken on lines: {' '.join(str(n) for n in sorted(br) if not br[n])}"
                 if any(not v for v in br.values()) else ""))
    for (f, n), why in sorted(waivers.items()):
        print(f"waived {f}:{n}: {why}")
    print("lines: source lines with a Verilator line (block) point, covered when every such point on the line ran; "
          "branches: source lines with if/case branch points, covered when every branch was taken; "
          "toggles: toggle points (a bit seen rising, falling) that were hit")
    print(f"annotated sources: {ann}")
    return 0 if worst >= a.min else 1


if __name__ == "__main__":
    sys.exit(main())
