"""Prints a sweep CSV without the columns that differ run to run, so two
sweeps of the same grid compare with cmp: the point's path in its sweep
folder (also in the command), the wall time inside the simulator, when it
ran, and every host_ column (the machine's own timings).

usage: sweep_rows.py SWEEP.csv
"""
import csv
import sys

with open(sys.argv[1]) as f:
    r = list(csv.reader(f))
wall = ("out", "timing_sim_seconds", "provenance_command", "provenance_timestamp")
keep = [i for i, c in enumerate(r[0]) if not c.startswith("host_") and c not in wall]
for row in r:
    print(",".join(row[i] for i in keep))
