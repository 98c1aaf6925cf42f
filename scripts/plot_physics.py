#!/usr/bin/python3
"""Plots and tables of the cell's life from `pcmsim sweep` CSVs (issue 12):

  drift   accuracy against time since programming (log axis), one panel per
          channel, one line per strategy with and without the controller's
          drift compensation (scripts/grids/drift.json);
  verify  accuracy, programming pulses per cell and energy per weight against
          the most pulses per cell N (scripts/grids/verify.json).

Error bars are one sample std over the seeds of a point. Prints the tables
as Markdown.

usage: plot_physics.py drift|verify SWEEP.csv OUT_PREFIX
"""
import math
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sweep_csv  # noqa: E402

TIME_LABELS = [(1, "1 s"), (3600, "1 h"), (86400, "1 d"), (30 * 86400, "30 d"), (365.25 * 86400, "1 y"),
               (3652.5 * 86400, "10 y")]
CHANNEL_NOTE = {"default": "default table (synthetic, shaped after the paper)",
                "aihwkit-pcm": "aihwkit PCM model (programming, 1/f read noise, drift)"}
STYLES = ["o-", "s--", "^-", "v--", "D-", "x--"]


def fail(msg):
    sys.exit("plot_physics: " + msg)


def read(path, extra):
    def parse(p, line, row):
        r = sweep_csv.parse_row(p, line, row, fail)
        for col in extra:
            r[col] = sweep_csv.number(p, line, col, row[col], fail)
        return r
    return sweep_csv.read(path, ["accuracy_mean", "accuracy_std"] + extra, parse, fail)


def time_label(s):
    for t, name in TIME_LABELS:
        if abs(s - t) <= 1e-6 * t:
            return name
    return "%g s" % s


def drift(path, prefix):
    rows = read(path, ["physical_load_time_s", "drift_refs"])
    channels = sorted({r["channel"] for r in rows}, key=lambda c: (c != "default", c))
    fig, axes = plt.subplots(1, len(channels), figsize=(6 * len(channels), 4.2), squeeze=False)
    print("| channel | strategy | compensation | " + " | ".join(time_label(t) for t, _ in TIME_LABELS) + " |")
    print("|---|---|---|" + "---|" * len(TIME_LABELS))
    for ax, ch in zip(axes[0], channels):
        lines = defaultdict(list)
        for r in rows:
            if r["channel"] == ch:
                lines[(r["strategy"], int(r["drift_refs"]))].append(r)
        for i, ((strategy, refs), pts) in enumerate(sorted(lines.items())):
            pts.sort(key=lambda r: r["physical_load_time_s"])
            label = "%s, %s" % (strategy, "compensated (%d refs)" % refs if refs else "no compensation")
            ax.errorbar([r["physical_load_time_s"] for r in pts], [100 * r["acc"] for r in pts],
                        yerr=[100 * (r["std"] if math.isfinite(r["std"]) else 0.0) for r in pts],
                        fmt=STYLES[i % len(STYLES)], capsize=3, label=label)
            by_time = {time_label(r["physical_load_time_s"]): r for r in pts}
            cells = []
            for _, name in TIME_LABELS:
                r = by_time.get(name)
                cells.append("" if r is None else "%.1f ± %.1f" % (100 * r["acc"], 100 * (r["std"] if math.isfinite(r["std"]) else 0)))
            print("| %s | %s | %s | %s |" % (ch, strategy, "%d refs" % refs if refs else "off", " | ".join(cells)))
        clean = rows[0]["clean"]
        ax.axhline(100 * clean, color="grey", lw=0.8, ls=":", label="clean %.1f%%" % (100 * clean))
        ax.set_xscale("log")
        ax.set_xticks([t for t, _ in TIME_LABELS])
        ax.set_xticklabels([n for _, n in TIME_LABELS])
        ax.set_xlabel("time since programming")
        ax.set_ylabel("accuracy (%)")
        ax.set_title(CHANNEL_NOTE.get(ch, ch), fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("%s, 1 cell per weight; error bars: one sample std over seeds" % sweep_csv.label_of(rows[0]["model"]),
                 fontsize=10)
    fig.tight_layout()
    out = prefix + "_drift.png"
    fig.savefig(out, dpi=120)
    print("\nwrote " + out)


def verify(path, prefix):
    rows = read(path, ["verify_pulses", "verify_gain", "physical_pulses_per_cell", "physical_pj_per_weight",
                       "physical_store_us"])
    lines = defaultdict(list)
    for r in rows:
        lines[(r["strategy"], int(r["verify_gain"]))].append(r)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    print("| strategy | gain | N | accuracy (%) | pulses per cell | store (us) | pJ per weight |")
    print("|---|---|---|---|---|---|---|")
    for i, ((strategy, gain), pts) in enumerate(sorted(lines.items())):
        pts.sort(key=lambda r: r["verify_pulses"])
        label = "%s, gain %.2f" % (strategy, gain / 256.0)
        n = [r["verify_pulses"] for r in pts]
        a1.errorbar(n, [100 * r["acc"] for r in pts],
                    yerr=[100 * (r["std"] if math.isfinite(r["std"]) else 0.0) for r in pts],
                    fmt=STYLES[i % len(STYLES)], capsize=3, label=label)
        a2.plot(n, [r["physical_pj_per_weight"] for r in pts], STYLES[i % len(STYLES)], label=label)
        for r in pts:
            print("| %s | %.2f | %d | %.1f ± %.1f | %.2f | %.0f | %.0f |" % (
                strategy, gain / 256.0, r["verify_pulses"], 100 * r["acc"],
                100 * (r["std"] if math.isfinite(r["std"]) else 0.0), r["physical_pulses_per_cell"],
                r["physical_store_us"], r["physical_pj_per_weight"]))
    for ax in (a1, a2):
        ax.set_xscale("log", base=2)
        ax.set_xticks([1, 2, 4, 8, 16])
        ax.set_xticklabels(["1", "2", "4", "8", "16"])
        ax.set_xlabel("most pulses per cell N")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
    a1.set_ylabel("accuracy (%)")
    a2.set_ylabel("store + load energy (pJ per weight)")
    fig.suptitle("%s on %s, 1 cell, tolerance %s ADC codes; error bars: one sample std over seeds" % (
        sweep_csv.label_of(rows[0]["model"]), CHANNEL_NOTE.get(rows[0]["channel"], rows[0]["channel"]),
        "2000"), fontsize=10)
    fig.tight_layout()
    out = prefix + "_verify.png"
    fig.savefig(out, dpi=120)
    print("\nwrote " + out)


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("drift", "verify"):
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    kind, path, prefix = sys.argv[1:]
    d = os.path.dirname(prefix)
    if d:
        os.makedirs(d, exist_ok=True)
    (drift if kind == "drift" else verify)(path, prefix)


if __name__ == "__main__":
    main()
