#!/usr/bin/python3
"""Writes a stats table of N levels: the built-in default table's means and
stds interpolated linearly at N evenly spaced inputs, i.e. the same device
swept finely. For timing `pcmsim channel` on large tables without committing
one.

Usage: tests/data/table_make_levels.py N OUT.csv
"""
import os
import sys

DEFAULT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "channel_model", "tables",
                       "default.csv")


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    with open(DEFAULT) as f:
        lines = [l.strip() for l in f if l.strip()]
    meta = [l for l in lines if l.startswith("#") and not l.startswith(("# name:", "# summary:", "# derivation:"))]
    rows = [tuple(map(float, l.split(",")[:3])) for l in lines if not l.startswith(("#", "input"))]
    x0, x1 = rows[0][0], rows[-1][0]
    with open(out, "w") as f:
        f.write("# name: default-%d\n# summary: the default table's curves at %d levels\n" % (n, n))
        f.write("\n".join(meta) + "\ninput,mean,std,count\n")
        for k in range(n):
            x = x0 + (x1 - x0) * k / (n - 1)
            i = min(int((x - x0) / (x1 - x0) * (len(rows) - 1)), len(rows) - 2)
            (xa, ma, sa), (xb, mb, sb) = rows[i], rows[i + 1]
            t = (x - xa) / (xb - xa)
            f.write("%.9g,%.9g,%.9g,1024\n" % (x, ma + t * (mb - ma), sa + t * (sb - sa)))


if __name__ == "__main__":
    main()
