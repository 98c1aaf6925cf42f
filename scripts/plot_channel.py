#!/usr/bin/python3
"""Plots a `pcmsim channel --export` CSV like the paper's Figures 2 and 3.

Usage: scripts/plot_channel.py CURVES.csv OUT.png
Panels: (a) level mean with 1-std error bars and the interpolated mu(x);
(b) the channel as scatter, each point a read-out for a written input;
(c-e) the pre-mapped channel phi = C o h read as the mean of 1, 10, 100 cells.
"""
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    meta, series = {}, defaultdict(lambda: ([], []))
    with open(path) as f:
        lines = [l for l in f if l.strip()]
    body = []
    for line in lines:
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            meta[key.strip()] = value.strip()
        else:
            body.append(line)
    reader = csv.DictReader(body)
    if reader.fieldnames != ["series", "x", "y"]:
        sys.exit("plot_channel: %s is not a pcmsim channel export (header %s)" % (path, reader.fieldnames))
    for n, row in enumerate(reader, start=2):
        try:
            x, y = float(row["x"]), float(row["y"])
        except (TypeError, ValueError):
            sys.exit("plot_channel: %s: malformed row %d" % (path, n))
        series[row["series"]][0].append(x)
        series[row["series"]][1].append(y)
    for needed in ("level_mean", "level_std", "mu", "channel_sample", "phi_sample_r1"):
        if needed not in series:
            sys.exit("plot_channel: %s has no '%s' series" % (path, needed))
    return meta, series


def physical_map(meta, side):
    """(to physical, to normalized) for the CSV's `side`_map and _unit, or None."""
    unit, spec = meta.get(side + "_unit"), meta.get(side + "_map", "").split()
    if not unit or len(spec) != 2:
        return None
    lo, hi = float(spec[0]), float(spec[1])
    if not hi > lo:
        return None
    return (lambda u: lo + (u + 1.0) * 0.5 * (hi - lo), lambda v: 2.0 * (v - lo) / (hi - lo) - 1.0)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    meta, s = read(sys.argv[1])
    fig, axes = plt.subplots(1, 5, figsize=(22, 4.4))
    lx, lm = s["level_mean"]
    ax = axes[0]
    ax.errorbar(lx, lm, yerr=s["level_std"][1], fmt="o", ms=3, capsize=2, label="levels, 1 std")
    ax.plot(*s["mu"], "-", lw=1, label="mu(x), monotone cubic")
    ax.set_title("(a) mean and std per level")
    ax.legend(fontsize=8)
    ax = axes[1]
    ax.scatter(*s["channel_sample"], s=1, alpha=0.3)
    ax.plot(*s["mu"], "r-", lw=1)
    ax.set_title("(b) channel C: read-out vs input")
    for ax, r in zip(axes[2:], (1, 10, 100)):
        ax.scatter(*s["phi_sample_r%d" % r], s=1, alpha=0.3)
        t = s["phi_sigma_r%d" % r][0]
        sd = s["phi_sigma_r%d" % r][1]
        ax.plot(t, t, "r-", lw=1)
        ax.plot(t, [a + b for a, b in zip(t, sd)], "k--", lw=0.8)
        ax.plot(t, [a - b for a, b in zip(t, sd)], "k--", lw=0.8)
        ax.set_title("(%s) phi = C o h, mean of %d cell%s" % ("cde"[(1, 10, 100).index(r)], r, "s" if r > 1 else ""))
    for ax in axes:
        ax.set_xlabel("input (normalized)")
        ax.set_ylabel("output (normalized)")
        ax.grid(alpha=0.3)
    # the table's physical units on panels (a) and (b), the same map the table declares
    imap, omap = physical_map(meta, "input"), physical_map(meta, "output")
    for ax in axes[:2]:
        if imap:
            top = ax.secondary_xaxis("top", functions=imap)
            top.set_xlabel("written: %s" % meta["input_unit"], fontsize=8)
        if omap:
            right = ax.secondary_yaxis("right", functions=omap)
            right.set_ylabel("read: %s" % meta["output_unit"], fontsize=8)
    summary = meta.get("summary", "").lower()
    if "not measured" in summary or "synthetic" in summary:
        kind = "synthetic: not measured data"
    elif "measured" in summary:
        kind = "measured"
    else:
        kind = "origin not stated in the table"
    fig.suptitle("%s (%s): capacity %s bits/cell, pre-mapped range [%s]" % (
        meta.get("table", "?"), kind, meta.get("capacity_bits", "?"),
        meta.get("premapped_range", "?").replace(" ", ", ")))
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=110)
    print("wrote", sys.argv[2])


if __name__ == "__main__":
    main()
