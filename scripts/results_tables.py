#!/usr/bin/python3
"""Prints Markdown tables from a `pcmsim sweep` CSV (the paper's Table 1 in kind).

Usage: scripts/results_tables.py SWEEP.csv [--model NAME] [--channel NAME]

For each model and channel, under a `### <model> — <channel>` heading:
  the clean (noise-free) accuracy, then
  a. accuracy (%) by strategy (rows) and target analog cells per weight (columns),
     "mean ± std" over the seeds, unpruned analog points;
  b. total cells per weight of the same points, "ideal / realistic" (digital cells
     holding 2 / 1.8 bits);
  c. the digital baselines (store=digital): bits, accuracy, total cells per weight;
  d. the pruned points (prune > 0): strategy, prune %, cells, the pruned model's
     clean accuracy, the stored accuracy, total cells per weight.
All `awgn:<std>` channels of a model make one group (`### <model> — awgn`) with
  e. accuracy (%) by strategy (rows) and std (columns), one table per `cells`.
<model> is the model file's basename without extension (the path, if two models
share one). Strategies are in the order none, sp, am, ar, am+ar, sp+am, sp+ar,
sp+am+ar, sp+am+ar+sens, others after them in the CSV's order; a strategy row also
names any of engine, data, dac_bits, adc_bits, large_fraction, boost,
sens_fraction, dir that vary within a table, and rows that agree on all of those
(e.g. other seeds) are pooled. A std is left out where a point had one seed.
Empty tables are left out. --model (basename or path) and --channel (a channel as
written, or `awgn` for all Gaussian ones) keep only those rows; both repeatable.
"""
import argparse
import math
import os
import sys
from collections import OrderedDict, defaultdict

import sweep_csv
from sweep_csv import VARYING, label_of

# Columns this script needs; the sweep's others (point, seed, saturated, ...) may be absent.
NEEDED = ["model", "channel", "strategy", "cells", "prune", "store", "digital_bits", "clean_accuracy",
          "accuracy_mean", "accuracy_std", "cost_ideal_total", "cost_realistic_total"]
ORDER = ["none", "sp", "am", "ar", "am+ar", "sp+am", "sp+ar", "sp+am+ar", "sp+am+ar+sens"]
DASH = "—"


def fail(msg):
    sys.exit("results_tables: " + msg)


def read(path):
    return sweep_csv.read(path, NEEDED, lambda p, line, row: sweep_csv.parse_row(p, line, row, fail), fail)


# ---- formatting ---------------------------------------------------------------------------------

def acc_text(rows):
    mean, std = sweep_csv.pooled([(r["acc"], r["std"]) for r in rows])
    return "%.1f" % (100 * mean) if math.isnan(std) else "%.1f ± %.1f" % (100 * mean, 100 * std)


def cpw_text(rows):
    n = len(rows)
    return "%.2f / %.2f" % (sum(r["cost_ideal_total"] for r in rows) / n, sum(r["cost_realistic_total"] for r in rows) / n)


def pct(frac):
    return DASH if math.isnan(frac) else "%.1f" % (100 * frac)


def num_label(v):
    return "%g" % v


def esc(text):
    return str(text).replace("|", "\\|")


def table(title, header, body, align=None):
    """A Markdown table under a bold title, columns padded so the raw text reads too."""
    header = [esc(h) for h in header]
    body = [[esc(c) for c in row] for row in body]
    align = align or ["l"] + ["r"] * (len(header) - 1)
    widths = [max([len(header[i])] + [len(row[i]) for row in body] + [3]) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(c.ljust(w) if a == "l" else c.rjust(w)
                                 for c, w, a in zip(cells, widths, align)) + " |"

    rule = "| " + " | ".join(("-" * w) if a == "l" else ("-" * (w - 1) + ":")
                             for w, a in zip(widths, align)) + " |"
    return ["**%s**" % title, "", line(header), rule] + [line(row) for row in body] + [""]


def strategy_rank(strategy, first_seen):
    return (ORDER.index(strategy), 0) if strategy in ORDER else (len(ORDER), first_seen[strategy])


def row_keys(rows, with_prune=False):
    """Rows of one table -> OrderedDict label -> rows: one per strategy (and prune) and any setting
    that varies within the table; ordered by strategy (unpruned first), then the CSV's order."""
    varying = [i for i in range(len(VARYING)) if len({r["config"][i] for r in rows}) > 1]
    first_seen, groups = {}, OrderedDict()
    for r in rows:
        first_seen.setdefault(r["strategy"], len(first_seen))
        key = (r["strategy"], tuple(r["config"][i] for i in varying), r["prune"] if with_prune else 0.0)
        groups.setdefault(key, []).append(r)
    order = {k: n for n, k in enumerate(groups)}
    out = OrderedDict()
    for key in sorted(groups, key=lambda k: (k[2] > 0, strategy_rank(k[0], first_seen), k[2], order[k])):
        strategy, config, prune = key
        label = strategy
        if varying:
            label += " (" + ", ".join("%s %s" % (VARYING[i][1], v) for i, v in zip(varying, config)) + ")"
        if prune > 0:
            label += ", pruned %g%%" % round(prune * 100, 2)
        out[label] = groups[key]
    return out


def grid(rows, col_key, text):
    """Rows -> (column values sorted, body lines): rows by strategy, one column per col_key value."""
    cols = sorted({r[col_key] for r in rows})
    body = []
    for label, rs in row_keys(rows, with_prune=True).items():
        by_col = defaultdict(list)
        for r in rs:
            by_col[r[col_key]].append(r)
        body.append([label] + [text(by_col[c]) if by_col[c] else DASH for c in cols])
    return cols, body


def clean_line(rows):
    """'Clean (noise-free) accuracy: 97.22%', one figure per data set where several are used."""
    by_data = OrderedDict()
    for r in rows:
        if not math.isnan(r["clean"]):
            by_data.setdefault(r["config"][1], []).append(r["clean"])
    if not by_data:
        return []
    figs = OrderedDict((d, "%.2f%%" % (100 * sum(v) / len(v))) for d, v in by_data.items())
    if len(figs) == 1:
        return ["Clean (noise-free) accuracy: %s" % next(iter(figs.values())), ""]
    return ["Clean (noise-free) accuracy: " + ", ".join("%s (data %s)" % (f, d or "?") for d, f in figs.items()), ""]


def plural(v, word):
    return "%s %s%s" % (num_label(v), word, "" if v == 1 else "s")


# ---- sections -----------------------------------------------------------------------------------

def section_group(rows):
    out = []
    analog = [r for r in rows if r["store"] == "analog" and "sigma" not in r]
    plain = [r for r in analog if r["prune"] == 0]
    if plain:
        cols, body = grid(plain, "cells", acc_text)
        out += table("Accuracy (%) by strategy and target analog cells per weight",
                     ["strategy"] + [num_label(c) for c in cols], body)
        cols, body = grid(plain, "cells", cpw_text)
        out += table("Total cells per weight (ideal 2 bits / realistic 1.8 bits per digital cell)",
                     ["strategy"] + [num_label(c) for c in cols], body)
    digital = [r for r in rows if r["store"] == "digital"]
    if digital:
        out += digital_table(digital)
    pruned = [r for r in analog if r["prune"] > 0]
    if pruned:
        out += pruned_table(pruned)
    awgn = [r for r in rows if r["store"] == "analog" and "sigma" in r]
    for cells in sorted({r["cells"] for r in awgn}):
        crows = [r for r in awgn if r["cells"] == cells]
        cols, body = grid(crows, "sigma", acc_text)
        out += table("Accuracy (%%) on a Gaussian channel (awgn:<std>) by strategy and std, %s per weight"
                     % plural(cells, "analog cell"), ["strategy"] + [num_label(c) for c in cols], body)
    return out


def digital_table(rows):
    varying = [i for i in range(len(VARYING)) if len({r["config"][i] for r in rows}) > 1]
    groups = defaultdict(list)
    for r in rows:
        groups[(r["bits"], tuple(r["config"][i] for i in varying))].append(r)
    body = []
    for bits, config in sorted(groups, key=lambda k: (-k[0], k[1])):
        rs = groups[(bits, config)]
        label = "%d (fp32)" % bits if bits == 32 else "%d" % bits
        if varying:
            label += " (" + ", ".join("%s %s" % (VARYING[i][1], v) for i, v in zip(varying, config)) + ")"
        body.append([label, acc_text(rs), cpw_text(rs)])
    return table("Digital baselines (store=digital)",
                 ["bits", "accuracy (%)", "total cells per weight (ideal / realistic)"], body)


def pruned_table(rows):
    body = []
    for label, rs in row_keys(rows).items():
        groups = defaultdict(list)
        for r in rs:
            groups[(r["prune"], r["cells"])].append(r)
        for prune, cells in sorted(groups):
            g = groups[(prune, cells)]
            pc = [r["pruned_clean"] for r in g if not math.isnan(r["pruned_clean"])]
            body.append([label, "%g" % round(prune * 100, 2), num_label(cells),
                         pct(sum(pc) / len(pc)) if pc else DASH, acc_text(g), cpw_text(g)])
    return table("Pruned (magnitude pruning before storing)",
                 ["strategy", "prune %", "cells", "pruned clean accuracy (%)", "accuracy (%)",
                  "total cells per weight (ideal / realistic)"], body, align=["l", "r", "r", "r", "r", "r"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("csv", metavar="SWEEP.csv", help="CSV written by pcmsim sweep")
    ap.add_argument("--model", action="append", metavar="NAME",
                    help="only this model (basename without extension, or the path as in the CSV)")
    ap.add_argument("--channel", action="append", metavar="NAME",
                    help="only this channel (as in the CSV, e.g. default or awgn:0.01; awgn: all Gaussian ones)")
    args = ap.parse_args()
    rows = read(args.csv)
    if not rows:
        fail("%s has no rows" % args.csv)

    paths = list(OrderedDict.fromkeys(r["model"] for r in rows))
    labels = [label_of(p) for p in paths]
    # Two model files with one basename: name them by their whole path instead.
    names = {p: (l if labels.count(l) == 1 else os.path.splitext(p)[0].strip("/\\") or p)
             for p, l in zip(paths, labels)}
    if args.model:
        unknown = [m for m in args.model if not any(m in (p, names[p], label_of(p)) for p in paths)]
        if unknown:
            fail("%s: no model %s (models: %s)" % (args.csv, ", ".join(unknown), ", ".join(names[p] for p in paths)))
        rows = [r for r in rows if any(m in (r["model"], names[r["model"]], label_of(r["model"])) for m in args.model)]
    if args.channel:
        def wanted(r, c):
            return r["channel"] == c or (c.lower() == "awgn" and "sigma" in r)
        unknown = [c for c in args.channel if not any(wanted(r, c) for r in rows)]
        if unknown:
            have = ", ".join(OrderedDict.fromkeys(r["channel"] for r in rows))
            fail("%s: no rows on channel %s%s (channels: %s)" % (
                args.csv, ", ".join(unknown), " for the models asked for" if args.model else "", have))
        rows = [r for r in rows if any(wanted(r, c) for c in args.channel)]

    groups = OrderedDict()
    for r in rows:
        groups.setdefault((r["model"], "awgn" if "sigma" in r else r["channel"]), []).append(r)
    out = []
    for (model, channel), grows in groups.items():
        body = section_group(grows)
        if body:
            out += ["### %s — %s" % (names[model], channel), ""] + clean_line(grows) + body
    while out and not out[-1]:
        out.pop()
    try:
        print("\n".join(out))
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    main()
