#!/usr/bin/python3
"""Design-space plots of a `pcmsim sweep` CSV: the Pareto front of accuracy
against each hardware cost, and any hardware result against any swept knob.

Usage: scripts/plot_pareto.py SWEEP.csv --out DIR [--knob K --result R ...]

Writes, and prints one line per file:
  DIR/pareto.png  one panel per cost the CSV has (total cells per weight,
      store plus load time of the array, its energy, controller cycles per
      store and load, controller area): accuracy against the cost, one colour
      and marker per strategy; the points no other point beats in both (lower
      cost, higher accuracy) are solid and joined by the front's staircase,
      dominated points are faded.
  DIR/<result>_vs_<knob>.png  for each --knob K --result R pair: the result
      (any numeric column, e.g. rates_cycles_per_seed, timing_bank_utilisation,
      timing_array_stall_cycles, physical_store_uj, area_nand2) against the
      swept knob (e.g. banks, write_latency, lanes, verify_pulses), one line
      per strategy and per setting of the other knobs that vary.
Error bars are 1 sample standard deviation of the accuracy over the run's
seeds (each plot's caption says so, and says when a run had one seed and so
none); hardware results are deterministic and have none.
"""
import argparse
import csv
import os
import sys
from collections import OrderedDict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# (column, axis label): the costs a design pays for its accuracy, lower is better.
COSTS = [
    ("cost_ideal_total", "cells per weight (total, ideal)"),
    ("rates_array_us", "store + load time of the array (us)"),
    ("rates_array_uj", "store + load energy of the array (uJ)"),
    ("rates_cycles_per_seed", "controller cycles per store + load (rtl)"),
    ("rates_simulated_us", "simulated store + load time (us, cycles x clock; rtl)"),
    ("area_nand2", "controller area (NAND2 equivalents, Yosys)"),
]
# Swept knobs that are not hardware and so tell series apart in the knob plots.
KNOBS = ["strategy", "cells", "banks", "write_latency", "read_latency", "lanes", "dac_width", "adc_width",
         "verify_pulses", "verify_tol", "verify_gain", "drift_refs", "dac_bits", "adc_bits", "engine", "model",
         "channel", "time"]
MARKERS = "osD^v<>PX*h"
DPI = 130


def fail(msg):
    sys.exit("plot_pareto: " + msg)


def read(path):
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        fail(f"{path}: {e.strerror}")
    if not rows:
        fail(f"{path}: no rows")
    for col in ("strategy", "accuracy_mean", "accuracy_std", "seeds"):
        if col not in rows[0]:
            fail(f"{path}: no column '{col}' (is it a pcmsim sweep CSV?)")
    return rows


def number(row, col, line):
    text = row.get(col, "")
    if text == "":
        return None  # e.g. no area file for this row's RTL parameters
    try:
        return float(text)
    except ValueError:
        fail(f"row {line}: column '{col}' is not a number: '{text}'")


def front(points):
    """Indices of the points that no other point dominates (cost <=, accuracy >=, one strictly)."""
    keep = []
    for i, (c, a) in enumerate(points):
        if not any((c2 <= c and a2 >= a) and (c2 < c or a2 > a) for c2, a2 in points):
            keep.append(i)
    return keep


def error_caption(rows):
    seeds = sorted({int(float(r["seeds"])) for r in rows})
    if seeds == [1]:
        return "one seed per point: no error bars"
    return "error bars: 1 sample std of the accuracy over the seeds (" + ", ".join(map(str, seeds)) + " per point)"


def strategies(rows):
    return list(OrderedDict.fromkeys(r["strategy"] for r in rows))


def plot_pareto(rows, out):
    costs = [(c, label) for c, label in COSTS
             if c in rows[0] and any(number(r, c, i + 2) not in (None, 0.0) for i, r in enumerate(rows))]
    if not costs:
        fail("no cost column with values (cost_ideal_total, rates_array_us, rates_array_uj, area_nand2)")
    names = strategies(rows)
    colours = {s: plt.cm.tab10(k % 10) for k, s in enumerate(names)}
    ncols = min(3, len(costs))
    nrows = (len(costs) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.8 * ncols, 4.2 * nrows), squeeze=False)
    for ax in axes.flat[len(costs):]:
        ax.set_visible(False)
    for ax, (col, label) in zip(axes.flat, costs):
        pts = []
        for i, r in enumerate(rows):
            c = number(r, col, i + 2)
            if c is None:
                continue
            pts.append((c, 100.0 * number(r, "accuracy_mean", i + 2), 100.0 * number(r, "accuracy_std", i + 2),
                        r["strategy"]))
        on_front = set(front([(c, a) for c, a, _, _ in pts]))
        for k, s in enumerate(names):
            for dominated in (True, False):
                sel = [p for j, p in enumerate(pts) if p[3] == s and (j not in on_front) == dominated]
                if not sel:
                    continue
                ax.errorbar([p[0] for p in sel], [p[1] for p in sel], yerr=[p[2] for p in sel],
                            fmt=MARKERS[k % len(MARKERS)], color=colours[s], alpha=0.25 if dominated else 1.0,
                            ms=5 if dominated else 7, capsize=2, label=None if dominated else s)
        line = sorted((pts[j][0], pts[j][1]) for j in on_front)
        if line:
            ax.step([p[0] for p in line], [p[1] for p in line], where="post", color="black", lw=1, alpha=0.6)
        if len({p[0] for p in pts}) > 1 and min(p[0] for p in pts) > 0 and \
                max(p[0] for p in pts) / min(p[0] for p in pts) > 20:
            ax.set_xscale("log")
        ax.set_xlabel(label)
        ax.set_ylabel("accuracy (%)")
        ax.grid(alpha=0.3)
    # one legend for every strategy, on the first panel (faded points have none)
    handles = [plt.Line2D([], [], marker=MARKERS[k % len(MARKERS)], color=colours[s], ls="") for k, s in
               enumerate(names)]
    axes[0][0].legend(handles, names, fontsize=8, title="strategy (faded: dominated)", title_fontsize=8)
    fig.suptitle("Pareto front: accuracy against cost (black staircase: the front over all points)")
    fig.text(0.5, 0.005, error_caption(rows), ha="center", fontsize=8)
    fig.tight_layout(rect=(0, 0.03, 1, 0.95))
    path = os.path.join(out, "pareto.png")
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    print(path)


def plot_knob(rows, knob, result, out):
    for col in (knob, result):
        if col not in rows[0]:
            fail(f"no column '{col}' in the CSV")
    others = [k for k in KNOBS if k in rows[0] and k != knob and len({r[k] for r in rows}) > 1]
    series = OrderedDict()
    for i, r in enumerate(rows):
        x, y = number(r, knob, i + 2), number(r, result, i + 2)
        if x is None or y is None:
            continue
        key = tuple(f"{k}={r[k]}" for k in others)
        series.setdefault(key, []).append((x, y))
    if not series:
        fail(f"no row has both '{knob}' and '{result}'")
    fig, ax = plt.subplots(figsize=(11, 5.2))
    for k, (key, pts) in enumerate(series.items()):
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=MARKERS[k % len(MARKERS)],
                color=plt.cm.tab10(k % 10), label=" ".join(key) or result)
    xs = sorted({p[0] for pts in series.values() for p in pts})
    if len(xs) > 2 and xs[0] > 0 and xs[-1] / xs[0] >= 8:
        ax.set_xscale("log", base=2)
    ax.set_xlabel(knob)
    ax.set_ylabel(result)
    ax.grid(alpha=0.3)
    if len(series) > 1:
        # beside the axes: a legend of many series would hide the lines
        ax.legend(fontsize=7, ncol=1 + len(series) // 20, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(f"{result} against {knob}" + (" (deterministic: no error bars)" if not result.startswith("accuracy")
                                              else ""))
    if result.startswith("accuracy"):
        fig.text(0.5, 0.005, "no error bars drawn here; accuracy_std is 1 sample std over the seeds", ha="center",
                 fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, f"{result}_vs_{knob}.png")
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    print(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("csv", metavar="SWEEP.csv", help="CSV written by pcmsim sweep")
    ap.add_argument("--out", required=True, metavar="DIR", help="folder for the PNG files")
    ap.add_argument("--knob", action="append", default=[], help="a swept column for the x axis (repeatable)")
    ap.add_argument("--result", action="append", default=[], help="a result column for the y axis, one per --knob")
    a = ap.parse_args()
    if len(a.knob) != len(a.result):
        fail(f"{len(a.knob)} --knob but {len(a.result)} --result: give them in pairs")
    rows = read(a.csv)
    os.makedirs(a.out, exist_ok=True)
    plot_pareto(rows, a.out)
    for knob, result in zip(a.knob, a.result):
        plot_knob(rows, knob, result, a.out)


if __name__ == "__main__":
    main()
