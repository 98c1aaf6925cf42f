#!/usr/bin/python3
"""The table of scripts/robust_results.sh: per cell budget and training mode,
the clean and stored accuracy of the evaluation runs DIR/eval_MODE_cCELLS.json
(`pcmsim run --out`: {"config": RunConfig, "result": RunResult}).

usage: robust_table.py DIR CELLS [CELLS ...]
"""
import json
import os
import sys

MODES = ("original", "naive", "robust", "distill")


def main():
    if len(sys.argv) < 3:
        sys.exit("robust_table: usage: robust_table.py DIR CELLS [CELLS ...]")
    out = sys.argv[1]
    print("| mode     | cells | clean (%) | stored (%), mean ± std | per seed (%) |")
    print("| -------- | ----: | --------: | ---------------------: | ------------ |")
    for cells in sys.argv[2:]:
        for mode in MODES:
            path = os.path.join(out, "eval_%s_c%s.json" % (mode, cells))
            try:
                with open(path) as f:
                    r = json.load(f)["result"]
            except (OSError, ValueError, KeyError) as e:
                sys.exit("robust_table: %s: not a pcmsim run result (%s)" % (path, e))
            print("| %-8s | %5s | %9.2f | %15.2f ± %4.2f | %s |" % (
                mode, cells, 100 * r["clean_accuracy"], 100 * r["accuracy_mean"], 100 * r["accuracy_std"],
                " ".join("%.2f" % (100 * a) for a in r["accuracy_per_seed"])))


if __name__ == "__main__":
    main()
