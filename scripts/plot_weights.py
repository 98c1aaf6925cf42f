#!/usr/bin/python3
"""Plots the weight distribution of TorchScript models (the paper's Figure 4(a) in kind).

Usage: scripts/plot_weights.py MODEL.pt [MODEL2.pt ...] --out FILE.png [--threshold-fraction 0.01]

Every parameter of each model (what `pcmsim run` stores; buffers such as batch-norm
statistics are left out) goes into one histogram per model, one panel each: x the
weight value, y the count on a log scale. Dashed vertical lines mark +-q, the
(1 - f) quantile of |w| over the whole model, f = --threshold-fraction (default
0.01: the 99th percentile), as an indication of the small/large split the
adaptive mapping (AM/AR) makes; pcmsim takes that threshold per tensor
(--large-fraction), so its real splits differ somewhat from tensor to tensor.
Dotted lines mark +-10% of max|w|. A panel's title gives the model's name, its
number of weights and the share of weights with |w| < 0.1 max|w|.

Prints one line per model: weights, max|w|, median |w|, the quantile q, and the
share of |w| below 10% of max|w|; then the file written.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

BINS = 201
DPI = 130


def fail(msg):
    sys.exit("plot_weights: " + msg)


def label_of(path):
    base = os.path.basename(path.rstrip("/\\")) or path
    return os.path.splitext(base)[0] or base


def load_weights(path):
    """TorchScript model file -> float64 numpy array of all its parameters, flattened."""
    import torch
    if not os.path.isfile(path):
        fail("%s: no such file" % path if not os.path.exists(path) else "%s is not a file" % path)
    try:
        model = torch.jit.load(path, map_location="cpu")
    except Exception as e:  # torch raises RuntimeError, ValueError ... for files that are not TorchScript
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        fail("%s is not a TorchScript model (%s)" % (path, first[:200]))
    params = [p.detach().reshape(-1).double() for p in model.parameters()]
    if not params or sum(p.numel() for p in params) == 0:
        fail("%s has no parameters" % path)
    w = torch.cat(params).numpy()
    bad = int(np.count_nonzero(~np.isfinite(w)))
    if bad:
        fail("%s: %d of its %d weights are not finite" % (path, bad, w.size))
    return w


def stats(w, frac):
    a = np.abs(w)
    mx = float(a.max())
    return {"n": w.size, "max": mx, "median": float(np.median(a)),
            "q": float(np.quantile(a, 1.0 - frac)),
            "small": float(np.count_nonzero(a < 0.1 * mx)) / w.size}


def pct_name(frac):
    p = 100.0 * (1.0 - frac)
    return "%gth percentile" % float("%.4g" % p)


def panel(ax, name, w, s, frac):
    lim = s["max"] if s["max"] > 0 else 1.0
    edges = np.linspace(-lim, lim, BINS + 1)
    counts, _ = np.histogram(w, bins=edges)
    ax.stairs(counts, edges, fill=True, color="#4c72b0", alpha=0.85, lw=0)
    ax.set_yscale("log")
    ax.set_ylim(0.7, max(1.0, counts.max()) * 15.0)  # headroom for the legend
    ax.set_xlim(-lim * 1.03, lim * 1.03)
    ax.axvline(0.0, color="black", lw=0.6, alpha=0.5)
    for sign in (-1, 1):
        ax.axvline(sign * s["q"], color="#c44e52", ls="--", lw=1.6,
                   label="±%s of |w| = %.3g (≈%g%% of weights beyond)" % (pct_name(frac), s["q"], 100 * frac)
                   if sign > 0 else None)
        if s["max"] > 0:
            ax.axvline(sign * 0.1 * s["max"], color="dimgray", ls=":", lw=1.2,
                       label="±10%% of max|w| = %.3g" % (0.1 * s["max"]) if sign > 0 else None)
    ax.set_title("%s: %s weights, %.1f%% with |w| < 0.1·max|w| (max|w| = %.3g)"
                 % (name, "{:,}".format(s["n"]), 100 * s["small"], s["max"]), fontsize=10.5)
    ax.set_xlabel("weight value")
    ax.set_ylabel("count (log)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8.5, loc="upper right", framealpha=0.9)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("models", nargs="+", metavar="MODEL.pt", help="TorchScript model file(s)")
    ap.add_argument("--out", required=True, metavar="FILE.png", help="PNG to write")
    ap.add_argument("--threshold-fraction", type=float, default=0.01, metavar="F",
                    help="share of weights counted as large: the lines mark the (1 - F) quantile of |w| "
                         "(default 0.01, the 99th percentile)")
    args = ap.parse_args()
    frac = args.threshold_fraction
    if not 0.0 < frac < 1.0:
        fail("--threshold-fraction %g is not in (0, 1)" % frac)
    out_dir = os.path.dirname(args.out)
    if out_dir and not os.path.isdir(out_dir):
        fail("output folder %s does not exist" % out_dir)
    if not args.out.lower().endswith(".png"):
        fail("--out %s: the file name must end in .png" % args.out)

    labels = [label_of(p) for p in args.models]
    # Two model files with one basename: name them by their whole path instead.
    names = [l if labels.count(l) == 1 else os.path.splitext(p)[0].strip("/\\") or p
             for p, l in zip(args.models, labels)]
    data = []
    for path, name in zip(args.models, names):
        w = load_weights(path)
        s = stats(w, frac)
        print("%s: %d weights, max|w| %.4g, median |w| %.4g, %s |w| %.4g, %.1f%% of |w| below 10%% of max"
              % (name, s["n"], s["max"], s["median"], pct_name(frac), s["q"], 100 * s["small"]))
        data.append((name, w, s))

    fig, axes = plt.subplots(len(data), 1, figsize=(9.5, 3.4 * len(data)), squeeze=False)
    for ax, (name, w, s) in zip(axes[:, 0], data):
        panel(ax, name, w, s, frac)
    fig.tight_layout()
    try:
        fig.savefig(args.out, dpi=DPI)
    except OSError as e:
        fail("cannot write %s (%s)" % (args.out, e.strerror or e))
    plt.close(fig)
    print("wrote", args.out)


if __name__ == "__main__":
    main()
