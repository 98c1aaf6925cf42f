#!/usr/bin/python3
"""Quick check, in Python, of how the digits models fare in a noisy analog store.

Usage: scripts/noise_probe.py --data DIR --models DIR [--seeds 3] [--sigma 0.12]

An idealised stand-in for `pcmsim`: every parameter tensor (weights and biases;
the normalisation buffers are not stored) is read back through additive
Gaussian noise of std sigma on the pre-mapped range [-0.65, 0.75] (width 1.4),
with per-tensor scales, for two strategies:
  none      w in [-max|w|, max|w|] maps onto the range, alpha = 1.4 / (2 max|w|),
            one cell: w + eps / alpha.
  sp+am+ar  sign stored digitally; T = 99th percentile of |w|; small |w| < T on
            [0, T] with alpha = 1.4 / T, one cell; large |w| >= T on [T, max]
            with alpha = 1.4 / (max - T), mean of 8 cells (noise std / sqrt 8);
            the read magnitude is clamped at 0 (as the controller does).
Prints clean accuracy and, per strategy, mean and std (ddof=1) over the seeds.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

from train import accuracy, load_split

RANGE = 0.75 - (-0.65)      # width of the usable pre-mapped range
QUANTILE, LARGE_CELLS = 0.99, 8


def read_none(w, sigma, gen):
    alpha = RANGE / (2 * w.abs().max())
    return w + torch.randn(w.shape, generator=gen) * sigma / alpha


def read_protected(w, sigma, gen):
    mag = w.abs()
    t = torch.quantile(mag.flatten(), QUANTILE)
    large = mag >= t
    noise_small = sigma * t / RANGE
    noise_large = sigma / LARGE_CELLS ** 0.5 * (mag.max() - t) / RANGE
    noise = torch.randn(w.shape, generator=gen) * torch.where(large, noise_large, noise_small)
    return torch.where(w < 0, -1.0, 1.0) * (mag + noise).clamp(min=0)


STRATEGIES = {"none": read_none, "sp+am+ar": read_protected}


def noisy_accuracy(model, read, sigma, seed, x, y):
    params = [p for p in model.parameters()]
    saved = [p.detach().clone() for p in params]
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p, w in zip(params, saved):
            p.copy_(read(w, sigma, gen))
        acc = accuracy(model, x, y)
        for p, w in zip(params, saved):
            p.copy_(w)
    return acc


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="folder with the IDX files")
    parser.add_argument("--models", required=True, help="folder with digits_models.json and the .pt files")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--sigma", type=float, default=0.12, help="channel noise std on the pre-mapped range")
    args = parser.parse_args()
    if args.seeds < 2 or args.sigma < 0:
        sys.exit("noise_probe: need --seeds >= 2 and --sigma >= 0")
    torch.set_num_threads(1)
    x, y = load_split(args.data, "t10k")
    listing = os.path.join(args.models, "digits_models.json")
    try:
        with open(listing) as f:
            entries = json.load(f)["models"]
    except (OSError, ValueError, KeyError) as e:
        sys.exit("noise_probe: cannot read the model list %s: %s" % (listing, e))
    print("%-6s %8s %9s  %-16s %-16s" % ("model", "params", "clean", *STRATEGIES))
    for entry in entries:
        model = torch.jit.load(os.path.join(args.models, entry["file"]))
        cells = []
        for read in STRATEGIES.values():
            accs = [100 * noisy_accuracy(model, read, args.sigma, s, x, y) for s in range(args.seeds)]
            cells.append("%6.2f +- %5.2f" % (np.mean(accs), np.std(accs, ddof=1)))
        print("%-6s %8d %8.2f%%  %-16s %-16s" % (entry["name"], entry["parameters"],
                                                100 * accuracy(model, x, y), *cells))


if __name__ == "__main__":
    main()
