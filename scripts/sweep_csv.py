"""Reading a `pcmsim sweep` CSV, shared by plot_sweep.py and results_tables.py:
the file and header checks, numbers with line-numbered errors, one record per
row (parse_row), pooling over seeds (pooled), model labels. The columns are
RunConfig's and RunResult's fields (sw/lib/include/pcm/sw/result.hpp)."""
import csv
import math
import os

# Settings that, when they vary within one plot or table, split a strategy into
# several lines or rows: (column, short label).
VARYING = [("engine", "engine"), ("data", "data"), ("dac_bits", "dac"), ("adc_bits", "adc"),
           ("large_fraction", "large"), ("boost", "boost"), ("sens_fraction", "sens"), ("dir", "dir")]


def label_of(path):
    """Model (or data) file path -> basename without extension."""
    base = os.path.basename(path.rstrip("/\\")) or path
    return os.path.splitext(base)[0] or base


def read(path, needed, parse_row, fail):
    """parse_row(path, line, row) for every row of the CSV at path, after
    checking that it opens, is text, and has the `needed` columns; fail(msg)
    reports a problem (and does not return)."""
    try:
        f = open(path, newline="", encoding="utf-8-sig")
    except OSError as e:
        fail("%s: cannot read (%s)" % (path, e.strerror or e))
    rows = []
    with f:
        reader = csv.DictReader(f)
        try:
            fields = reader.fieldnames
            if not fields:
                fail("%s is empty (no header row)" % path)
            missing = [c for c in needed if c not in fields]
            if missing:
                fail("%s is not a pcmsim sweep CSV: missing column%s %s" % (
                    path, "s" if len(missing) > 1 else "", ", ".join(missing)))
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    fail("%s: line %d has %s fields than the header" % (
                        path, reader.line_num, "more" if None in row else "fewer"))
                rows.append(parse_row(path, reader.line_num, row))
        except csv.Error as e:
            fail("%s: line %d: %s" % (path, reader.line_num, e))
        except UnicodeDecodeError:
            fail("%s is not a text CSV" % path)
    return rows


def number(path, line, col, text, fail, finite=True):
    """The float in text (column col), or fail naming the file and line."""
    text = text.strip()
    try:
        v = float(text)
    except ValueError:
        fail("%s: line %d: %s %r is not a number" % (path, line, col, text))
    if finite and not math.isfinite(v):
        fail("%s: line %d: %s is %s" % (path, line, col, text))
    return v


def parse_row(path, line, row, fail):
    """One sweep row -> a record: model, channel, store, strategy, acc, std (nan: unknown, e.g. one
    seed), clean, pruned_clean, the cell costs, prune, cells or bits, sigma (awgn), config (VARYING)."""
    def num(col, text=None, finite=True):
        return number(path, line, col, row[col] if text is None else text, fail, finite)

    def fraction(col, optional=False):
        if optional and not row.get(col, "").strip():
            return float("nan")
        v = num(col, finite=False)
        if math.isnan(v) and optional:
            return v
        if not 0.0 <= v <= 1.0:
            fail("%s: line %d: %s %s is not a fraction in [0, 1]" % (path, line, col, row[col].strip()))
        return v

    store = row["store"].strip()
    r = {"model": row["model"].strip(), "channel": row["channel"].strip(), "store": store,
         "strategy": row["strategy"].strip() or "?", "line": line}
    r["acc"] = fraction("accuracy_mean")
    std = num("accuracy_std", finite=False) if row["accuracy_std"].strip() else float("nan")
    r["std"] = std if math.isfinite(std) and std >= 0 else float("nan")
    if row.get("seeds", "").strip():
        seeds = num("seeds")
        if seeds < 1 or seeds != int(seeds):
            fail("%s: line %d: seeds %g is not a positive whole number" % (path, line, seeds))
        if seeds == 1:
            r["std"] = float("nan")  # one seed: no spread to report
    r["clean"] = fraction("clean_accuracy", optional=True)
    r["pruned_clean"] = fraction("pruned_clean_accuracy", optional=True)
    r["cost_ideal_total"] = num("cost_ideal_total")
    r["cost_realistic_total"] = num("cost_realistic_total")
    r["cost_ideal_analog"] = num("cost_ideal_analog") if row.get("cost_ideal_analog", "").strip() else float("nan")
    if r["cost_ideal_total"] < 0 or r["cost_realistic_total"] < 0:
        fail("%s: line %d: negative cells per weight" % (path, line))
    r["config"] = tuple(label_of(row.get(c, "").strip()) if c == "data" else row.get(c, "").strip()
                        for c, _ in VARYING)
    r["prune"] = num("prune")
    if not 0.0 <= r["prune"] < 1.0:
        fail("%s: line %d: prune %g is not in [0, 1)" % (path, line, r["prune"]))
    if store == "digital":
        bits = num("digital_bits")
        if bits <= 0 or bits != int(bits):
            fail("%s: line %d: digital_bits %g is not a positive whole number" % (path, line, bits))
        r["bits"] = int(bits)
    elif store == "analog":
        r["cells"] = num("cells")
        if r["cells"] <= 0:
            fail("%s: line %d: cells %g is not positive" % (path, line, r["cells"]))
    else:
        fail("%s: line %d: store %r is neither analog nor digital" % (path, line, store))
    if r["channel"].lower().startswith("awgn:"):
        r["sigma"] = num("channel", r["channel"][5:])
        if r["sigma"] <= 0:
            fail("%s: line %d: awgn std in channel %r is not positive" % (path, line, r["channel"]))
    return r


def pooled(points):
    """Several (mean accuracy, std) at one place -> (mean, std): the mean of the means, and the std
    over all seeds pooled (within-point variances plus the spread of the means).

    The one rule for a std that is unknown (nan, infinite, or missing: one seed, or not written)
    in both readers: it counts as 0 for pooling, i.e. that point adds no within-point variance,
    only its mean to the spread. (plot_sweep.py used to read a missing std as 0 and
    results_tables.py used to drop every known std once one was unknown.) The result's std is
    unknown (nan) only when there is nothing to measure a spread with: one point whose std is
    unknown (results_tables.py then prints no std, plot_sweep.py draws no error bar)."""
    n = len(points)
    mean = sum(a for a, _ in points) / n
    stds = [s if math.isfinite(s) else 0.0 for _, s in points]
    if n == 1 and not math.isfinite(points[0][1]):
        return mean, float("nan")
    std = math.sqrt(sum(s * s for s in stds) / n + sum((a - mean) ** 2 for a, _ in points) / n)
    return mean, std
