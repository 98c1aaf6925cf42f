#!/usr/bin/python3
"""Trains the digits classifiers and exports them as TorchScript.

Usage: scripts/train.py --data DIR --out DIR [--models mlp,cnn] [--epochs N] [--seed 0]

DIR holds the MNIST IDX files that scripts/prepare_digits.py writes. Every
exported model takes a float tensor [N, 1, 8, 8] of pixels in [0, 1] and returns
logits [N, 10]. The input normalisation (mean and std of the training pixels)
lives inside the model as buffers, so the parameters are only weights and
biases. Writes OUT/digits_<model>.pt and OUT/digits_models.json (file,
parameter count and clean test accuracy of each model). Deterministic for a
given seed: one CPU thread, seeded initialisation and batch order; the models
are traced (torch.jit.trace): the same weights and code on every run (the
archive's debug records name this file's lines, so its bytes change when this
file does).

mlp: 64 -> 64 x 5 hidden (ReLU) -> 10, Adam, no weight decay, 300 epochs.
cnn: conv 1->16, conv 16->32 (3x3, ReLU), maxpool 2, linear 512 -> 64 x 4 hidden
     (ReLU) -> 10, 60 epochs.
Both are deep and narrow on purpose (the CNN's head is four 64-wide layers, like
the MLP): stored without protection (one noisy cell per weight, scale set by the
largest |w|) each loses a large share of its accuracy, while sign protection
with adaptive mapping and redundancy keeps it near clean accuracy; with a single
64-wide layer after the convolutions the CNN shrugs the noise off and shows
little difference (`pcmsim run --strategy none` and `sp+am+ar` on each show it).
"""
import argparse
import io
import json
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

from atomic_file import write_atomic

IMAGE_MAGIC, LABEL_MAGIC = 0x00000803, 0x00000801
SIDE, CLASSES = 8, 10
EPOCHS = {"mlp": 300, "cnn": 60}
MLP_HIDDEN = (64, 64, 64, 64, 64)
CNN_CHANNELS, CNN_HEAD = (16, 32), (64, 64, 64, 64)
BATCH, LR = 32, 1e-3


def read_idx(path, magic, ndim, prog="train"):
    """The array in an IDX file of unsigned bytes, after checking its header and size
    (errors start with prog, the script's name)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        sys.exit(prog + ": cannot read %s: %s" % (path, e.strerror))
    if len(data) < 4 + 4 * ndim or struct.unpack(">I", data[:4])[0] != magic:
        sys.exit(prog + ": %s is not an IDX file with magic 0x%08x" % (path, magic))
    dims = struct.unpack(">%dI" % ndim, data[4:4 + 4 * ndim])
    if len(data) != 4 + 4 * ndim + int(np.prod(dims)):
        sys.exit(prog + ": %s: size %d bytes does not match its header dims %s" % (path, len(data), dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(data_dir, prefix, side=SIDE, prog="train"):
    """Images as float [N, 1, side, side] in [0, 1] and labels as int64 [N] (also
    train_mnist.py's loader, with its side and name)."""
    images_path = os.path.join(data_dir, prefix + "-images-idx3-ubyte")
    labels_path = os.path.join(data_dir, prefix + "-labels-idx1-ubyte")
    images = read_idx(images_path, IMAGE_MAGIC, 3, prog)
    labels = read_idx(labels_path, LABEL_MAGIC, 1, prog)
    if images.shape[1:] != (side, side):
        sys.exit("%s: %s: images are %dx%d, expected %dx%d" % (prog, images_path, *images.shape[1:], side, side))
    if len(images) != len(labels) or len(labels) == 0:
        sys.exit("%s: %s has %d images but %s has %d labels"
                 % (prog, images_path, len(images), labels_path, len(labels)))
    if labels.max() >= CLASSES:
        sys.exit("%s: %s: label %d out of range 0..%d" % (prog, labels_path, labels.max(), CLASSES - 1))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    return x, torch.from_numpy(labels.astype(np.int64))


class MLP(nn.Module):
    """64 -> hidden... -> 10 with ReLU; input normalised by buffered mean/std."""

    def __init__(self, hidden=MLP_HIDDEN, mean=0.0, std=1.0):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean))
        self.register_buffer("std", torch.tensor(std))
        layers, width = [nn.Flatten()], SIDE * SIDE
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, CLASSES))
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body((x - self.mean) / self.std)


class CNN(nn.Module):
    """conv 1->16, conv 16->32 (3x3, pad 1, ReLU), maxpool 2, linear 512 -> head... -> 10."""

    def __init__(self, channels=CNN_CHANNELS, head=CNN_HEAD, mean=0.0, std=1.0):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean))
        self.register_buffer("std", torch.tensor(std))
        c1, c2 = channels
        layers = [nn.Conv2d(1, c1, 3, padding=1), nn.ReLU(),
                  nn.Conv2d(c1, c2, 3, padding=1), nn.ReLU(),
                  nn.MaxPool2d(2), nn.Flatten()]
        width = c2 * (SIDE // 2) ** 2
        for h in head:
            layers += [nn.Linear(width, h), nn.ReLU()]
            width = h
        layers.append(nn.Linear(width, CLASSES))
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body((x - self.mean) / self.std)


def accuracy(model, x, y):
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).double().mean().item()


def train(model, x, y, epochs, seed):
    """Adam on cross-entropy, mini-batches in a seeded order."""
    order = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    model.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(y), generator=order).split(BATCH):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
    model.eval()


def torchscript_bytes(traced):
    """The saved model as bytes (saved to memory, so the archive name is fixed)."""
    buffer = io.BytesIO()
    torch.jit.save(traced, buffer)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="folder with the IDX files")
    parser.add_argument("--out", required=True, help="folder for the .pt files and digits_models.json")
    parser.add_argument("--models", default="mlp,cnn", help="comma-separated subset of mlp,cnn")
    parser.add_argument("--epochs", type=int, help="epochs for every model (default: mlp %(mlp)d, cnn %(cnn)d)" % EPOCHS)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    names = [m for m in args.models.split(",") if m]
    if not names or any(m not in EPOCHS for m in names):
        sys.exit("train: --models must list some of %s, got '%s'" % (",".join(EPOCHS), args.models))
    if args.epochs is not None and args.epochs < 1:
        sys.exit("train: --epochs must be at least 1, got %d" % args.epochs)
    torch.set_num_threads(1)
    x_train, y_train = load_split(args.data, "train")
    x_test, y_test = load_split(args.data, "t10k")
    mean, std = x_train.mean().item(), x_train.std().item()
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        sys.exit("train: cannot create %s: %s" % (args.out, e.strerror))
    summary = {"data": os.path.abspath(args.data), "seed": args.seed,
               "input": "float [N, 1, 8, 8], pixels in [0, 1]", "output": "logits [N, 10]", "models": []}
    for name in names:
        torch.manual_seed(args.seed)
        start = time.monotonic()
        model = MLP(mean=mean, std=std) if name == "mlp" else CNN(mean=mean, std=std)
        train(model, x_train, y_train, args.epochs or EPOCHS[name], args.seed)
        traced = torch.jit.trace(model, torch.zeros(1, 1, SIDE, SIDE))
        acc = accuracy(traced, x_test, y_test)
        params = sum(p.numel() for p in model.parameters())
        file = "digits_%s.pt" % name
        write_atomic(os.path.join(args.out, file), torchscript_bytes(traced))
        summary["models"].append({"name": name, "file": file, "parameters": params,
                                  "clean_test_accuracy": round(acc, 6)})
        print("train: %s: %d parameters, clean test accuracy %.2f%% (%d images), %.1f s -> %s"
              % (name, params, 100 * acc, len(y_test), time.monotonic() - start, os.path.join(args.out, file)))
    text = json.dumps(summary, indent=2) + "\n"
    write_atomic(os.path.join(args.out, "digits_models.json"), text.encode())


if __name__ == "__main__":
    main()
