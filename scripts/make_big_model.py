#!/usr/bin/python3
"""Writes an untrained TorchScript MLP with about N parameters, for load tests.

Usage: scripts/make_big_model.py --weights N --out FILE.pt [--seed 0]

Same contract as the digits models of scripts/train.py: input float [N, 1, 8, 8]
(pixels in [0, 1]), output logits [N, 10]. Shape 64 -> H1 -> H2 -> 10 with ReLU,
H1 the largest width with H1 = H2 under N parameters and H2 then chosen to
bring the count closest to N (within (H1 + 11) / 2). PyTorch's default random
initialisation after torch.manual_seed(seed): the same bytes on every run. The
file is saved straight to disk (no in-memory copy), to a temporary name
beside FILE and renamed; peak memory is about the model's size (4 bytes per
parameter) plus the interpreter.
"""
import argparse
import math
import os
import sys

import torch

from train import MLP, SIDE

IN, OUT = SIDE * SIDE, 10


def count(h1, h2):
    return (IN + 1) * h1 + (h1 + 1) * h2 + (h2 + 1) * OUT


def widths(n):
    """(H1, H2) whose parameter count is closest to n, or None if n is too small."""
    h1 = int((-(IN + OUT + 2) + math.sqrt((IN + OUT + 2) ** 2 + 4 * (n - OUT))) / 2)
    while h1 > 1 and count(h1, h1) > n:
        h1 -= 1
    h2 = round((n - (IN + 1) * h1 - OUT) / (h1 + 1 + OUT))
    return (h1, h2) if h1 >= 1 and h2 >= 1 else None


def whole_number(text):
    """Accepts 25000000 or 25e6; rejects fractions."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("not a number: '%s'" % text)
    if not value.is_integer() or value < 1:
        raise argparse.ArgumentTypeError("not a positive whole number: '%s'" % text)
    return int(value)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--weights", type=whole_number, required=True, help="target parameter count, e.g. 25e6")
    parser.add_argument("--out", required=True, help="TorchScript file to write")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    shape = widths(args.weights)
    if shape is None:
        sys.exit("make_big_model: --weights %d is too small (at least %d)" % (args.weights, count(1, 1)))
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    with torch.no_grad():
        model = torch.jit.trace(MLP(hidden=shape).eval(), torch.zeros(1, 1, SIDE, SIDE))
    params = sum(p.numel() for p in model.parameters())
    tmp = args.out + ".partial"     # a fixed name: the archive inside the file is named after it
    try:
        model.save(tmp)
        os.replace(tmp, args.out)
    except (OSError, RuntimeError) as e:
        if os.path.exists(tmp):
            os.unlink(tmp)
        sys.exit("make_big_model: cannot write %s: %s" % (args.out, str(e).splitlines()[0]))
    print("make_big_model: %s: 64 -> %d -> %d -> 10, %d parameters (target %d, %+d), %.1f MB"
          % (args.out, shape[0], shape[1], params, args.weights, params - args.weights,
             os.path.getsize(args.out) / 1e6))


if __name__ == "__main__":
    main()
