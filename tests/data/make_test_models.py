#!/usr/bin/python3
"""Small TorchScript models and broken inputs for the `pcmsim run` tests.

usage: make_test_models.py OUT_DIR DIGITS_DIR

Writes into OUT_DIR: tiny_mlp.pt and tiny_cnn.pt (untrained, deterministic,
input [N, 1, 8, 8]; the CNN has batch-norm buffers), nan_weight.pt (a NaN in a
weight), nan_buffer.pt (a NaN batch-norm variance), nan_logits.pt (finite
weights, NaN logits), weightless.pt (only an empty parameter), cifar_input.pt (wants 3-channel 32x32 input), not_a_model.pt (text),
state_dict.pt, pickled_module.pt and onnx_model.pt (other formats than
TorchScript), wide_logits.pt (12 outputs) and narrow_logits.pt (5),
truncated_digits/ (DIGITS_DIR's test split with the image file cut short) and
overflow_digits/ (an image header whose dimensions multiply past 2^64).
"""
import os
import shutil
import sys

import torch
from torch import nn


def trace(model, path, shape=(2, 1, 8, 8)):
    model.eval()
    torch.jit.trace(model, torch.zeros(shape)).save(path)


def tiny_mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(64, 24), nn.ReLU(), nn.Linear(24, 10))


class NanLogits(nn.Module):
    """Finite weights, NaN logits (a constant NaN in the forward)."""
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(64, 10)

    def forward(self, x):
        return self.lin(x.flatten(1)) * float("nan")


class Weightless(nn.Module):
    """Only an empty parameter: nothing to store."""
    def __init__(self):
        super().__init__()
        self.empty = nn.Parameter(torch.zeros(0))

    def forward(self, x):
        return x.flatten(1)[:, :10] + self.empty.sum()


def main():
    if len(sys.argv) != 3:
        sys.exit("make_test_models: usage: make_test_models.py OUT_DIR DIGITS_DIR")
    out, digits = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    trace(tiny_mlp(), os.path.join(out, "tiny_mlp.pt"))
    cnn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                        nn.Flatten(), nn.Linear(256, 10))
    trace(cnn, os.path.join(out, "tiny_cnn.pt"))
    bad = tiny_mlp()
    with torch.no_grad():
        bad[1].weight[3, 5] = float("nan")
    trace(bad, os.path.join(out, "nan_weight.pt"))
    cifar = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(4 * 30 * 30, 10))
    trace(cifar, os.path.join(out, "cifar_input.pt"), shape=(2, 3, 32, 32))
    nan_bn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.Flatten(), nn.Linear(256, 10))
    with torch.no_grad():
        nan_bn[1].running_var[2] = float("nan")
    trace(nan_bn, os.path.join(out, "nan_buffer.pt"))
    trace(NanLogits(), os.path.join(out, "nan_logits.pt"))
    trace(Weightless(), os.path.join(out, "weightless.pt"))
    with open(os.path.join(out, "not_a_model.pt"), "w") as f:
        f.write("this is not a TorchScript archive\n")
    # the other formats a user may hand over instead of TorchScript
    torch.save(tiny_mlp().state_dict(), os.path.join(out, "state_dict.pt"))
    torch.save(tiny_mlp(), os.path.join(out, "pickled_module.pt"))
    torch.onnx.export(tiny_mlp(), torch.zeros(1, 1, 8, 8), os.path.join(out, "onnx_model.pt"))
    # logits for more classes than the data has are fine; fewer than 10 are not
    trace(nn.Sequential(nn.Flatten(), nn.Linear(64, 12)), os.path.join(out, "wide_logits.pt"))
    trace(nn.Sequential(nn.Flatten(), nn.Linear(64, 5)), os.path.join(out, "narrow_logits.pt"))
    cut = os.path.join(out, "truncated_digits")
    os.makedirs(cut, exist_ok=True)
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        shutil.copyfile(os.path.join(digits, name), os.path.join(cut, name))
    images = os.path.join(cut, "t10k-images-idx3-ubyte")
    os.truncate(images, os.path.getsize(images) - 100)
    # an IDX header whose dimensions multiply past 2^64 (the file is 16 bytes + 1)
    huge = os.path.join(out, "overflow_digits")
    os.makedirs(huge, exist_ok=True)
    with open(os.path.join(huge, "t10k-images-idx3-ubyte"), "wb") as f:
        f.write(bytes([0, 0, 8, 3]) + b"\xff\xff\xff\xff" * 3 + b"\0")
    shutil.copyfile(os.path.join(digits, "t10k-labels-idx1-ubyte"), os.path.join(huge, "t10k-labels-idx1-ubyte"))


if __name__ == "__main__":
    main()
