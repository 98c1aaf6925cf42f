#!/usr/bin/python3
"""Trains the paper's MNIST models and exports them as TorchScript.

Usage: scripts/train_mnist.py --data DIR --out DIR [--models lenet,mlp,...] [--epochs N] [--seed 0]

DIR holds the MNIST IDX files that scripts/prepare_mnist.py writes (8000
training, 2000 test digits). Every exported model takes a float tensor
[N, 1, 28, 28] of pixels in [0, 1] and returns logits [N, 10]; the input
normalisation (mean and std of the training pixels) lives inside the model as
buffers. Writes OUT/mnist_<model>.pt and OUT/mnist_models.json (per model: file,
parameters, clean test accuracy, epochs, the epoch kept, training seconds;
entries of models not trained in this run are kept). Deterministic for a given
seed: one CPU thread, seeded initialisation, batch order and noise, models
traced (torch.jit.trace) and saved to memory, as scripts/train.py does, each
in a process of its own (TorchScript numbers its classes per process); the
JSON's training seconds are the only bytes that change between runs.

The paper (Isik et al., appendix A.1): batch 100, Adam, lr 1e-3, betas
(0.9, 0.999), weight decay 5e-4 (torch's L2 form), 100 epochs with early
stopping at the best validation accuracy. Here 1000 of the training digits
(stratified, sklearn's train_test_split with random_state 0) are the
validation set, the other 7000 are trained on, the weights of the best
validation epoch are kept, and the epochs are fewer to fit a 2-core CPU
(training seconds measured on one core of a 2-core machine):
lenet: Table 8: conv 5x5 1->20, ReLU, maxpool 2; conv 5x5 20->50, ReLU,
       maxpool 2; linear 800->500, ReLU; linear 500->10 (431,080 parameters).
       8 epochs, about 58 s (part of the project's first command).
mlp:   Table 9: 784->100->100->10 with ReLU (89,610 parameters). 30 epochs, 25 s.
resnet18: torchvision's resnet18(weights=None, num_classes=10), conv1 made
       3x3, stride 1, one input channel; its maxpool kept, so layer 1 sees
       14x14 (11,172,810 parameters, the same with or without it; batch-norm
       statistics are buffers, exported in eval mode). The paper has no MNIST
       ResNet. The stem of its CIFAR-10 one (Table 10, no maxpool) has 4x the
       activations: an epoch took 165-215 s and 2 epochs reached 93.5% test
       accuracy (95.4% with A.2's SGD recipe); with the maxpool an epoch takes
       66 s, and evaluations in pcmsim are cheaper in proportion. Same recipe
       as above, 5 epochs, about 5.5 min (97.7%).
student, student_noisy01, student_noisy0006: the mlp distilled from the
       exported lenet (OUT/mnist_lenet.pt, trained first when listed
       together), appendix B.4: loss (1 - lambda) CE(student, label) + lambda
       T^2 KL(softmax(teacher / T) || softmax(student / T)), T = 1.5, lambda =
       0.5 (A.1: "equally weight" the two), CE at T = 1. B.4 writes the KL
       term without T^2; the T^2 is Hinton et al. 2015 (section 2: it keeps
       the soft targets' gradients at the same scale as T changes) and what
       `pcmsim train --mode distill` does. The noisy students see Gaussian
       weight noise in every training forward pass, the paper's N(0, 0.1) and
       N(0, 0.006), as an absolute std in weight units, on weights and biases
       (all are stored). B.3/B.4 only say the std is set "according to r and
       alpha"; Table 21, which tests with the same N(0, 0.1), settles it: its
       LeNet keeps 22.6% (N(0, 0.2): 12.0%) without protection; this lenet
       keeps 25% (12%) with that absolute noise, and 98% (97%) with std x
       max|w| of each tensor, the relative reading (5 draws each). The
       gradient is taken at the noisy weights and applied to the clean ones.
       30 epochs each, about 27 s.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from torch import nn
from torch.nn import functional as F

from atomic_file import write_atomic
from train import load_split as load_idx_split
from train import torchscript_bytes

SIDE, CLASSES = 28, 10
BATCH, LR, WEIGHT_DECAY = 100, 1e-3, 5e-4
TEMPERATURE, LAMBDA = 1.5, 0.5
# Training order: the students need the exported lenet.
EPOCHS = {"lenet": 8, "mlp": 30, "resnet18": 5, "student": 30, "student_noisy01": 30, "student_noisy0006": 30}
VALIDATION = 1000  # training digits held out for early stopping, stratified
STUDENT_NOISE = {"student": 0.0, "student_noisy01": 0.1, "student_noisy0006": 0.006}
EVAL_BATCH = 500


def load_split(data_dir, prefix):
    """Images as float [N, 1, 28, 28] in [0, 1] and labels as int64 [N]."""
    return load_idx_split(data_dir, prefix, SIDE, "train_mnist")


class Normalised(nn.Module):
    """body((x - mean) / std), mean and std as buffers so they stay digital in pcmsim."""

    def __init__(self, body, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.tensor(mean))
        self.register_buffer("std", torch.tensor(std))
        self.body = body

    def forward(self, x):
        return self.body((x - self.mean) / self.std)


def lenet():
    return nn.Sequential(nn.Conv2d(1, 20, 5), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(20, 50, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, CLASSES))


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(SIDE * SIDE, 100), nn.ReLU(),
                         nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, CLASSES))


def resnet18():
    try:  # only this model needs it
        import torchvision
    except ImportError:
        sys.exit("train_mnist: resnet18 needs torchvision (Debian package python3-torchvision)")
    net = torchvision.models.resnet18(weights=None, num_classes=CLASSES)
    net.conv1 = nn.Conv2d(1, 64, 3, stride=1, padding=1, bias=False)  # its maxpool stays: 28x28 -> 14x14
    return net


def accuracy(model, x, y):
    with torch.no_grad():
        right = sum((model(xb).argmax(dim=1) == yb).sum().item()
                    for xb, yb in zip(x.split(EVAL_BATCH), y.split(EVAL_BATCH)))
    return right / len(y)


def train(name, model, x, y, val, epochs, seed, teacher_logits=None, noise_std=0.0):
    """Adam on cross-entropy (or the distillation loss), mini-batches in a seeded order;
    keeps the weights of the epoch with the best accuracy on val = (x, y), the first on ties.

    Returns that epoch and the seconds spent in the epochs."""
    best_acc, best_epoch, best_state = -1.0, 0, None
    order = torch.Generator().manual_seed(seed)
    noise = torch.Generator().manual_seed(seed + 1)
    params = list(model.parameters())
    opt = torch.optim.Adam(params, lr=LR, weight_decay=WEIGHT_DECAY)
    start = time.monotonic()
    model.train()
    for epoch in range(epochs):
        total = 0.0
        for idx in torch.randperm(len(y), generator=order).split(BATCH):
            opt.zero_grad()
            if noise_std:
                clean = [p.detach().clone() for p in params]
                with torch.no_grad():
                    for p in params:
                        p.add_(torch.randn(p.shape, generator=noise) * noise_std)
            logits = model(x[idx])
            loss = F.cross_entropy(logits, y[idx])
            if teacher_logits is not None:
                soft = F.kl_div(F.log_softmax(logits / TEMPERATURE, dim=1),
                                F.log_softmax(teacher_logits[idx] / TEMPERATURE, dim=1),
                                reduction="batchmean", log_target=True)
                loss = (1 - LAMBDA) * loss + LAMBDA * TEMPERATURE ** 2 * soft
            loss.backward()
            if noise_std:
                with torch.no_grad():
                    for p, c in zip(params, clean):
                        p.copy_(c)
            opt.step()
            total += loss.item() * len(idx)
        model.eval()
        acc = accuracy(model, *val)
        if acc > best_acc:
            best_acc, best_epoch = acc, epoch + 1
            best_state = {k: v.clone() for k, v in model.state_dict().items()}
        model.train()
        print("train_mnist: %s epoch %d/%d: loss %.4f, validation accuracy %.2f%%, %.1f s"
              % (name, epoch + 1, epochs, total / len(y), 100 * acc, time.monotonic() - start), flush=True)
    model.load_state_dict(best_state)
    model.eval()
    return best_epoch, time.monotonic() - start


def teacher_outputs(path, x):
    """The exported lenet's logits on the training images (the students' soft targets)."""
    try:
        teacher = torch.jit.load(path)
    except (RuntimeError, ValueError, OSError) as e:
        sys.exit("train_mnist: cannot load the students' teacher %s: %s"
                 % (path, str(e).splitlines()[0] if str(e) else type(e).__name__))
    teacher.eval()
    with torch.no_grad():
        return torch.cat([teacher(xb) for xb in x.split(EVAL_BATCH)])


def previous_entries(path):
    """The model entries of an earlier mnist_models.json, if there is a readable one."""
    try:
        with open(path) as f:
            return {m["name"]: m for m in json.load(f)["models"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", required=True, help="folder with the IDX files")
    parser.add_argument("--out", required=True, help="folder for the .pt files and mnist_models.json")
    parser.add_argument("--models", default="lenet,mlp", help="comma-separated subset of " + ",".join(EPOCHS))
    parser.add_argument("--epochs", type=int, help="epochs for every listed model (default: %s)"
                        % ", ".join("%s %d" % kv for kv in EPOCHS.items()))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    listed = [m for m in args.models.split(",") if m]
    if not listed or any(m not in EPOCHS for m in listed):
        sys.exit("train_mnist: --models must list some of %s, got '%s'" % (",".join(EPOCHS), args.models))
    if args.epochs is not None and args.epochs < 1:
        sys.exit("train_mnist: --epochs must be at least 1, got %d" % args.epochs)
    if args.seed < 0:
        sys.exit("train_mnist: --seed must be 0 or more, got %d" % args.seed)
    names = [m for m in EPOCHS if m in listed]
    teacher = os.path.join(args.out, "mnist_lenet.pt")
    if "lenet" not in names and any(m in STUDENT_NOISE for m in names) and not os.path.isfile(teacher):
        sys.exit("train_mnist: the students need the teacher %s: train lenet first (--models lenet,...)" % teacher)
    if len(names) > 1:
        # One process per model: TorchScript numbers the classes it makes per process
        # (___torch_mangle_N), so a model's file would depend on those traced before it.
        for name in names:
            command = [sys.executable, os.path.abspath(__file__), "--data", args.data, "--out", args.out,
                       "--models", name, "--seed", str(args.seed)]
            if subprocess.call(command + (["--epochs", str(args.epochs)] if args.epochs else [])):
                sys.exit(1)  # the model's process has said why
        return
    name = names[0]
    torch.set_num_threads(1)
    x_train, y_train = load_split(args.data, "train")
    x_test, y_test = load_split(args.data, "t10k")
    try:
        fit, held = train_test_split(np.arange(len(y_train)), test_size=VALIDATION, random_state=0,
                                     stratify=y_train.numpy())
    except ValueError as e:
        sys.exit("train_mnist: cannot hold %s validation digits out of %d training digits: %s"
                 % (VALIDATION, len(y_train), e))
    fit, held = torch.from_numpy(fit), torch.from_numpy(held)
    x_fit, y_fit, val = x_train[fit], y_train[fit], (x_train[held], y_train[held])
    mean, std = x_fit.mean().item(), x_fit.std().item()
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        sys.exit("train_mnist: cannot create %s: %s" % (args.out, e.strerror))
    torch.manual_seed(args.seed)
    model = Normalised({"lenet": lenet, "mlp": mlp, "resnet18": resnet18}.get(name, mlp)(), mean, std)
    epochs = args.epochs or EPOCHS[name]
    entry = {"name": name, "file": "mnist_%s.pt" % name, "parameters": sum(p.numel() for p in model.parameters())}
    if name in STUDENT_NOISE:
        soft_targets = teacher_outputs(teacher, x_fit)
        best, seconds = train(name, model, x_fit, y_fit, val, epochs, args.seed, soft_targets, STUDENT_NOISE[name])
        entry.update(teacher="mnist_lenet.pt", temperature=TEMPERATURE, distill_lambda=LAMBDA,
                     noise_std=STUDENT_NOISE[name], noise="absolute std on every weight and bias, each training step")
    else:
        best, seconds = train(name, model, x_fit, y_fit, val, epochs, args.seed)
    traced = torch.jit.trace(model, torch.zeros(1, 1, SIDE, SIDE))
    acc = accuracy(traced, x_test, y_test)
    write_atomic(os.path.join(args.out, entry["file"]), torchscript_bytes(traced))
    entry.update(clean_test_accuracy=round(acc, 6), epochs=epochs, best_epoch=best, training_seconds=round(seconds, 1),
                 seed=args.seed, data=os.path.abspath(args.data))
    json_path = os.path.join(args.out, "mnist_models.json")
    entries = previous_entries(json_path)
    entries[name] = entry
    summary = {"input": "float [N, 1, 28, 28], pixels in [0, 1]", "output": "logits [N, 10]",
               "models": [entries[m] for m in EPOCHS if m in entries]}
    write_atomic(json_path, (json.dumps(summary, indent=2) + "\n").encode())
    print("train_mnist: %s: %d parameters, clean test accuracy %.2f%% (%d images), epoch %d of %d, %.1f s -> %s"
          % (name, entry["parameters"], 100 * acc, len(y_test), best, epochs, seconds,
             os.path.join(args.out, entry["file"])), flush=True)

if __name__ == "__main__":
    main()
