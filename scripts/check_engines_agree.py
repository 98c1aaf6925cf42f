#!/usr/bin/python3
"""Checks that a sweep run on both --engine rtl and --engine model agrees point
for point: the same accuracies (every seed's mean and std) and the same cells
per weight, for every configuration that differs only in the engine.

usage: check_engines_agree.py SWEEP.csv
"""
import csv
import sys

SAME = ("accuracy_mean", "accuracy_std", "clean_accuracy", "cost_ideal_analog", "cost_ideal_total",
        "cost_realistic_total", "counters_saturated")
# What may differ between the two engines' rows: the engine, where each point's
# file went, and run-time figures (host time; cycles and the rates derived
# from them, which only rtl has).
IGNORED = ("point", "engine", "out") + SAME
IGNORED_PREFIXES = ("host_", "timing_", "rates_", "provenance_")


def main():
    if len(sys.argv) != 2:
        sys.exit("check_engines_agree: usage: check_engines_agree.py SWEEP.csv")
    path = sys.argv[1]
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        sys.exit("check_engines_agree: %s: %s" % (path, e.strerror))
    if not rows or "engine" not in rows[0]:
        sys.exit("check_engines_agree: %s: not a pcmsim sweep CSV with rows" % path)
    groups = {}
    for row in rows:
        key = tuple((k, v) for k, v in sorted(row.items())
                    if k not in IGNORED and not k.startswith(IGNORED_PREFIXES))
        groups.setdefault(key, {})[row["engine"]] = row
    pairs, differ = 0, []
    for key, by_engine in groups.items():
        if "rtl" not in by_engine or "model" not in by_engine:
            continue
        pairs += 1
        rtl, model = by_engine["rtl"], by_engine["model"]
        bad = [k for k in SAME if rtl[k] != model[k]]
        if bad:
            differ.append("%s cells %s: %s" % (rtl["strategy"], rtl["cells"],
                                               ", ".join("%s rtl %s model %s" % (k, rtl[k], model[k]) for k in bad)))
    if pairs == 0:
        sys.exit("check_engines_agree: %s: no configuration was run on both engines" % path)
    if differ:
        sys.exit("check_engines_agree: %d of %d pairs differ: %s" % (len(differ), pairs, "; ".join(differ)))
    print("check_engines_agree: %d configurations, rtl and model identical (accuracy, std, cells per weight)"
          % pairs)


if __name__ == "__main__":
    main()
