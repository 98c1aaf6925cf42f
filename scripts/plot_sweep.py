#!/usr/bin/python3
"""Plots a `pcmsim sweep` CSV: accuracy against cells per weight (the paper's
Figure 5 in kind) and accuracy against the std of a Gaussian channel.

Usage: scripts/plot_sweep.py SWEEP.csv OUT_PREFIX [--cells-axis total_ideal|total_realistic|analog]
                             [--title TEXT]

Writes, and prints one line per file:
  OUT_PREFIX_cells_<model>_<channel>.png  for each model and non-AWGN channel with
      analog points at more than one `cells`: accuracy (%) against cells per weight
      (log x), one line per strategy, each its own colour and marker (pruned
      points a dashed series of their own, error bars 1 sample std over the
      seeds), the clean accuracy dashed, the model's digital baselines
      (store=digital) as big markers at bits/2 (or bits/1.8) cells; beside it the
      same lines zoomed to within 6 points of clean accuracy, and a caption
      saying what the error bars are and whether the channel is measured.
  OUT_PREFIX_gauss_<model>.png  for each model with `awgn:<std>` points: accuracy
      against the Gaussian std (log x), one line per strategy, at the smallest
      `cells` among those points.
<model> is the model file's basename without extension. Strategy lines also name
any of engine, data, dac_bits, adc_bits, large_fraction, boost, sens_fraction, dir
that vary within a plot; rows that agree on all of those and on x (e.g. other
seeds) are pooled. --title puts a line of your own above each plot's own title.
"""
import argparse
import math
import os
import re
import sys
from collections import OrderedDict, defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter  # noqa: E402

import sweep_csv  # noqa: E402
from sweep_csv import VARYING, label_of  # noqa: E402

AXES = {
    "total_ideal": ("cost_ideal_total", "cells per weight (total, ideal: digital bits / 2)"),
    "total_realistic": ("cost_realistic_total", "cells per weight (total, realistic: digital bits / 1.8)"),
    "analog": ("cost_ideal_analog", "analog cells per weight (digital baselines at bits / 2)"),
}
# Columns this script reads; the sweep's others (point, seeds, seed, saturated, ...) may be absent.
NEEDED = ["model", "channel", "strategy", "cells", "prune", "store", "digital_bits", "clean_accuracy",
          "accuracy_mean", "accuracy_std", "cost_ideal_analog", "cost_ideal_total", "cost_realistic_total",
          "engine", "data", "dac_bits", "adc_bits", "large_fraction", "boost", "sens_fraction", "dir"]
DIGITAL_MARKERS = {32: ("*", 19, "black"), 16: ("h", 13, "dimgray"), 8: ("D", 11, "saddlebrown"),
                   4: ("X", 13, "darkviolet")}
DPI = 130


def fail(msg):
    sys.exit("plot_sweep: " + msg)


def safe(name):
    return re.sub(r"[^A-Za-z0-9._+=-]+", "_", name).strip("_") or "x"


def read(path):
    return sweep_csv.read(path, NEEDED, lambda p, line, row: sweep_csv.parse_row(p, line, row, fail), fail)


def pooled(points):
    """sweep_csv.pooled, with an unknown std drawn as no error bar."""
    mean, std = sweep_csv.pooled(points)
    return mean, (0.0 if math.isnan(std) else std)


def series(rows, xkey):
    """Rows of one plot -> [(label, colour key, pruned, sorted [(x, acc %, std %)])], one line each
    per strategy, prune and varying setting, unpruned first, in the CSV's order."""
    varying = [i for i in range(len(VARYING)) if len({r["config"][i] for r in rows}) > 1]
    groups, order = defaultdict(lambda: defaultdict(list)), {}
    for r in rows:
        key = (r["strategy"], tuple(r["config"][i] for i in varying), r["prune"])
        order.setdefault(key, len(order))
        groups[key][r[xkey]].append((r["acc"], r["std"]))
    out = []
    for key in sorted(groups, key=lambda k: (k[2] > 0, order[k])):
        strategy, config, prune = key
        label = strategy
        if varying:
            label += " (" + ", ".join("%s %s" % (VARYING[i][1], v) for i, v in zip(varying, config)) + ")"
        if prune > 0:
            label += ", pruned %g%%" % round(prune * 100, 2)
        pts = []
        for x in sorted(groups[key]):
            acc, std = pooled(groups[key][x])
            pts.append((x, 100 * acc, 100 * std))
        out.append((label, (strategy, config), prune > 0, pts))
    return out


def clean_line(ax, rows):
    vals = [r["clean"] for r in rows if math.isfinite(r["clean"])]
    if vals:
        clean = 100 * sum(vals) / len(vals)
        ax.axhline(clean, color="gray", ls="--", lw=1.2, label="clean (noise-free) %.2f%%" % clean)


# Every line its own colour and marker (pruned lines dashed); the digital
# baselines keep DIGITAL_MARKERS, whose colours are not in these.
LINE_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#17becf", "#bcbd22", "#e377c2", "#8c564b",
                "#7f7f7f", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#9edae5"]
LINE_MARKERS = "os^vD<>ph*"
# What made a figure: the built-in tables by name (README.md "Built-in tables").
CHANNEL_KIND = {"default": "synthetic table (not measured)",
                "pcm-partial-reset-2014": "measured table (Engel et al., IEDM 2014)",
                "aihwkit-pcm": "IBM aihwkit's PCM model (not measured)"}


def plot_lines(axes, lines):
    for n, (label, _, pruned, pts) in enumerate(lines):
        xs, ys, es = zip(*pts)
        for ax in axes:
            ax.errorbar(xs, ys, yerr=es, fmt="--" if pruned else "-", marker=LINE_MARKERS[n % len(LINE_MARKERS)],
                        ms=5, lw=1.5, capsize=3, color=LINE_COLOURS[n % len(LINE_COLOURS)],
                        label=label if ax is axes[0] else None)


def zoom(ax, rows, lines):
    """The band near clean accuracy, where the protected strategies differ."""
    vals = [r["clean"] for r in rows if math.isfinite(r["clean"])]
    if not vals:
        return
    clean = 100 * sum(vals) / len(vals)
    ax.set_ylim(clean - 6.0, clean + 1.0)
    ax.set_title("zoom: within 6 points of clean", fontsize=9)
    ax.grid(True, which="major", alpha=0.35)


def caption(fig, channel):
    kind = CHANNEL_KIND.get(channel, "Gaussian channel" if channel.startswith("awgn:") else "table " + channel)
    fig.text(0.01, -0.02, "error bars: one sample std over the seeds of each point (pooled where points repeat); "
             "channel: %s" % kind, fontsize=8, ha="left", va="top")


def power2_ticks(ax, xs):
    """Log-2 x axis ticked 1, 2, 4, 8 ... (0.5, 0.25 ... below 1); over 14 powers, every other (4th ...)."""
    xmin, xmax = min(xs) / 1.3, max(xs) * 1.3
    lo, hi = math.ceil(math.log2(xmin) - 1e-9), math.floor(math.log2(xmax) + 1e-9)
    step = max(1, math.ceil((hi - lo + 1) / 14))
    ticks = [2.0 ** k for k in range(lo, hi + 1) if k % step == 0] or [2.0 ** round(math.log2(min(xs)))]
    ax.set_xlim(min(xmin, ticks[0]), max(xmax, ticks[-1]))
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: "%g" % v))
    ax.xaxis.set_minor_formatter(NullFormatter())


def finish(fig, ax, title, user_title, out, legend_ax=None):
    ax.set_title((user_title + "\n" if user_title else "") + title)
    ax.set_ylabel("accuracy (%)")
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", alpha=0.12)
    handles, labels = ax.get_legend_handles_labels()
    (legend_ax or ax).legend(handles, labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                             borderaxespad=0.0, frameon=True)
    fig.tight_layout()
    try:
        fig.savefig(out, dpi=DPI, bbox_inches="tight")
    except OSError as e:
        fail("cannot write %s (%s)" % (out, e.strerror or e))
    plt.close(fig)
    print("wrote", out)


def digital_label(bits, x):
    return "%s digital (%.3g cells)" % ("fp32" if bits == 32 else "%d-bit" % bits, x)


def plot_cells(prefix, model, channel, rows, digital, xkey, xlabel, user_title):
    pts_rows = [r for r in rows if r[xkey] > 0]
    if len(pts_rows) < len(rows):
        print("plot_sweep: %s, channel %s: %d point(s) with %s <= 0 left off the log axis"
              % (model, channel, len(rows) - len(pts_rows), xkey), file=sys.stderr)
    if not pts_rows:
        return False
    lines = series(pts_rows, xkey)
    fig, (ax, zax) = plt.subplots(1, 2, figsize=(13.5, 5.2), gridspec_kw={"width_ratios": [3, 2]})
    plot_lines([ax, zax], lines)
    clean_line(ax, rows)
    clean_line(zax, rows)
    dkey = "cost_realistic_total" if xkey == "cost_realistic_total" else "cost_ideal_total"
    xs = [x for _, _, _, pts in lines for x, _, _ in pts]
    by_bits = defaultdict(list)
    for r in digital:
        if r[dkey] > 0:
            by_bits[r["bits"]].append(r)
    for bits in sorted(by_bits, reverse=True):
        rs = by_bits[bits]
        x = sum(r[dkey] for r in rs) / len(rs)
        acc, std = pooled([(r["acc"], r["std"]) for r in rs])
        marker, ms, color = DIGITAL_MARKERS.get(bits, ("P", 12, "teal"))
        for a in (ax, zax):
            a.errorbar([x], [100 * acc], yerr=[100 * std] if std > 0 else None, fmt=marker, ms=ms, color=color,
                       mec="white", mew=0.8, capsize=3, zorder=5, label=digital_label(bits, x) if a is ax else None)
        xs.append(x)
    for a in (ax, zax):
        a.set_xscale("log", base=2)
        power2_ticks(a, xs)
        a.set_xlabel(xlabel if a is ax else "cells per weight")
    zoom(zax, rows, lines)
    title = "%s, channel %s: accuracy vs cells per weight" % (model, channel)
    chan = label_of(channel) if "/" in channel or "\\" in channel else channel
    caption(fig, chan)
    finish(fig, ax, title, user_title, "%s_cells_%s_%s.png" % (prefix, safe(model), safe(chan)), legend_ax=zax)
    return True


def plot_gauss(prefix, model, rows, user_title):
    cells = min(r["cells"] for r in rows)
    rows = [r for r in rows if r["cells"] == cells]
    lines = series(rows, "sigma")
    fig, ax = plt.subplots(figsize=(9.5, 5.2))
    plot_lines([ax], lines)
    clean_line(ax, rows)
    caption(fig, "awgn:")
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: "%g" % v))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("std of the Gaussian channel (awgn:<std>, normalized cell range)")
    title = "%s: accuracy vs Gaussian channel std, %g cell%s per weight" % (model, cells, "" if cells == 1 else "s")
    finish(fig, ax, title, user_title, "%s_gauss_%s.png" % (prefix, safe(model)))
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("csv", metavar="SWEEP.csv", help="CSV written by pcmsim sweep")
    ap.add_argument("prefix", metavar="OUT_PREFIX", help="output path prefix (PNG files are OUT_PREFIX_*.png)")
    ap.add_argument("--cells-axis", choices=sorted(AXES), default="total_ideal",
                    help="x of the cells plots: cost_ideal_total (default), cost_realistic_total or cost_ideal_analog")
    ap.add_argument("--title", default="", help="a line of your own above each plot's title")
    args = ap.parse_args()
    rows = read(args.csv)
    if not rows:
        fail("%s has no rows" % args.csv)
    out_dir = os.path.dirname(args.prefix)
    if out_dir and not os.path.isdir(out_dir):
        fail("%s: output folder %s does not exist" % (args.csv, out_dir))
    xkey, xlabel = AXES[args.cells_axis]

    models = OrderedDict()
    for r in rows:
        models.setdefault(r["model"], []).append(r)
    labels = [label_of(m) for m in models]
    written = 0
    for (mpath, mrows), label in zip(models.items(), labels):
        # Two model files with one basename: name them by their whole path instead.
        model = label if labels.count(label) == 1 else os.path.splitext(mpath)[0].strip("/\\")
        digital = [r for r in mrows if r["store"] == "digital"]
        analog = [r for r in mrows if r["store"] == "analog"]
        channels = OrderedDict()
        for r in analog:
            if "sigma" not in r:
                channels.setdefault(r["channel"], []).append(r)
        for channel, crows in channels.items():
            if len({r["cells"] for r in crows}) > 1:
                written += plot_cells(args.prefix, model, channel, crows, digital, xkey, xlabel, args.title)
        awgn = [r for r in analog if "sigma" in r]
        if awgn:
            written += plot_gauss(args.prefix, model, awgn, args.title)
    if not written:
        fail("%s has no plottable rows (need analog points at more than one `cells` for a model and channel, "
             "or awgn:<std> points)" % args.csv)


if __name__ == "__main__":
    main()
