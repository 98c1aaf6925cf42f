#!/usr/bin/python3
"""Writes scikit-learn's bundled digits data set as MNIST IDX files.

Usage: scripts/prepare_digits.py OUT_DIR

The 1797 8x8 images (pixel values 0..16) are split once, stratified by label,
with sklearn's train_test_split(test_size=0.3, random_state=0, stratify=labels):
1257 training and 540 test images. Pixels are stored as bytes round(v * 255 / 16).
OUT_DIR gets train-images-idx3-ubyte, train-labels-idx1-ubyte,
t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (big-endian headers: magic
0x00000803 with dims N, 8, 8 for images; 0x00000801 with dim N for labels), the
same bytes on every run. Each file is written to a temporary name and renamed.
"""
import os
import struct
import sys

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from atomic_file import write_atomic

TEST_SIZE = 0.3
SPLIT_SEED = 0
IMAGE_MAGIC, LABEL_MAGIC = 0x00000803, 0x00000801


def idx_bytes(magic, array):
    """IDX encoding: big-endian magic, one big-endian uint32 per dimension, raw bytes."""
    header = struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit("prepare_digits: usage: prepare_digits.py OUT_DIR")
    out = sys.argv[1]
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        sys.exit("prepare_digits: cannot create %s: %s" % (out, e.strerror))
    digits = load_digits()
    pixels = np.rint(digits.images * 255.0 / 16.0).astype(np.uint8)
    labels = digits.target.astype(np.uint8)
    x_train, x_test, y_train, y_test = train_test_split(
        pixels, labels, test_size=TEST_SIZE, random_state=SPLIT_SEED, stratify=labels)
    files = {
        "train-images-idx3-ubyte": idx_bytes(IMAGE_MAGIC, x_train),
        "train-labels-idx1-ubyte": idx_bytes(LABEL_MAGIC, y_train),
        "t10k-images-idx3-ubyte": idx_bytes(IMAGE_MAGIC, x_test),
        "t10k-labels-idx1-ubyte": idx_bytes(LABEL_MAGIC, y_test),
    }
    try:
        for name, data in files.items():
            write_atomic(os.path.join(out, name), data)
    except OSError as e:
        sys.exit("prepare_digits: cannot write into %s: %s" % (out, e.strerror))
    print("prepare_digits: wrote %s: %d train + %d test 8x8 images, 10 classes"
          % (out, len(y_train), len(y_test)))


if __name__ == "__main__":
    main()
