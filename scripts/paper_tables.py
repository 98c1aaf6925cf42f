#!/usr/bin/python3
"""The paper's Tables 20 and 21 (Isik et al., appendix: MNIST, MLP distilled
from LeNet) beside what a `pcmsim sweep --grid scripts/grids/mnist_paper.json`
measured, as Markdown.

Usage: scripts/paper_tables.py SWEEP.csv

Each cell is "ours (paper)": accuracy in %, mean ± sample std over the seeds.
The paper's figures are copied from its Tables 20 and 21 (five runs each); the
"No Noise" row is each model's clean test accuracy. Columns are the five
models by their file names (mnist_lenet, mnist_mlp, mnist_student,
mnist_student_noisy01, mnist_student_noisy0006); a model missing from the CSV
shows "—" for ours.
"""
import math
import sys

import sweep_csv

MODELS = [("mnist_lenet", "Teacher LeNet"), ("mnist_mlp", "Teacher MLP"), ("mnist_student", "Student MLP"),
          ("mnist_student_noisy01", "Noisy student N(0, 0.1)"), ("mnist_student_noisy0006", "Noisy student N(0, 0.006)")]
CLEAN = [99.20, 97.50, 97.80, 96.30, 97.30]
# Table 20: PCM at one cell per weight; (mean, std) per model, in MODELS' order.
TABLE20 = [
    ("SP", "default", "sp", [(98.94, 0.0), (91.86, 1.7), (87.46, 3.7), (95.46, 0.1), (93.12, 1.4)]),
    ("AP", "default", "am+ar", [(98.60, 0.2), (92.76, 1.6), (95.40, 1.0), (95.78, 0.2), (96.04, 0.4)]),
    ("SP+AP", "default", "sp+am+ar", [(99.20, 0.0), (97.04, 0.1), (97.46, 0.2), (96.12, 0.1), (97.58, 0.1)]),
    ("SP+AP+Sens", "default", "sp+am+ar+sens", [(99.20, 0.0), (97.20, 0.0), (97.72, 0.1), (96.14, 0.1), (97.80, 0.1)]),
    ("AP+Sens", "default", "am+ar+sens", [(98.88, 0.1), (95.04, 0.5), (97.10, 0.1), (95.92, 0.1), (97.46, 0.1)]),
]
# Table 21: Gaussian noise on the weights.
TABLE21 = [
    ("N(0, 0.1), no protection", "awgn:0.1", "none", [(22.60, 7.7), (77.72, 3.8), (58.90, 3.6), (93.80, 0.4), (62.20, 3.5)]),
    ("N(0, 0.1), SP+AP", "awgn:0.1", "sp+am+ar", [(99.22, 0.0), (95.92, 0.3), (95.96, 0.8), (95.82, 0.2), (97.02, 0.2)]),
    ("N(0, 0.2), no protection", "awgn:0.2", "none", [(12.02, 3.0), (33.50, 3.4), (24.78, 6.3), (74.82, 5.0), (25.02, 2.8)]),
    ("N(0, 0.2), SP+AP", "awgn:0.2", "sp+am+ar", [(99.18, 0.1), (90.36, 1.0), (86.30, 4.6), (95.06, 0.3), (93.06, 2.1)]),
    ("N(0, 0.06), no protection", "awgn:0.06", "none", [(99.24, 0.0), (97.38, 0.1), (97.82, 0.1), (96.28, 0.0), (97.86, 0.0)]),
    ("N(0, 0.06), SP+AP", "awgn:0.06", "sp+am+ar", [(99.20, 0.0), (97.50, 0.0), (97.80, 0.0), (96.30, 0.0), (97.90, 0.0)]),
]
DASH = "—"


def fail(msg):
    sys.exit("paper_tables: " + msg)


def cell(point, paper):
    mean, std = paper
    theirs = "%.2f ± %.1f" % (mean, std)
    if point is None:
        return "%s (%s)" % (DASH, theirs)
    acc, sd = point["acc"] * 100, point["std"] * 100
    ours = "%.2f" % acc + (" ± %.1f" % sd if math.isfinite(sd) else "")
    return "%s (%s)" % (ours, theirs)


def table(title, rows, points, clean):
    out = ["#### %s" % title, "", "| | " + " | ".join(name for _, name in MODELS) + " |",
           "|---|" + "---|" * len(MODELS)]
    out.append("| No noise (clean) | " + " | ".join(
        ("%.2f (%.2f)" % (clean[m] * 100, c)) if m in clean else "%s (%.2f)" % (DASH, c)
        for (m, _), c in zip(MODELS, CLEAN)) + " |")
    for label, channel, strategy, paper in rows:
        out.append("| %s | " % label + " | ".join(
            cell(points.get((m, channel, strategy)), p) for (m, _), p in zip(MODELS, paper)) + " |")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    rows = sweep_csv.read(sys.argv[1], ["model", "channel", "strategy", "cells", "prune", "store", "clean_accuracy",
                                        "accuracy_mean", "accuracy_std", "cost_ideal_total", "cost_realistic_total"],
                          lambda p, line, row: sweep_csv.parse_row(p, line, row, fail), fail)
    points, clean = {}, {}
    for r in rows:
        model = sweep_csv.label_of(r["model"])
        points[(model, r["channel"], r["strategy"])] = r
        if math.isfinite(r["clean"]):
            clean[model] = r["clean"]
    print(table("Table 20 in kind: PCM (default table), one analog cell per weight — ours (paper)", TABLE20,
                points, clean))
    print(table("Table 21 in kind: Gaussian noise on the weights — ours (paper)", TABLE21, points, clean))


if __name__ == "__main__":
    main()
