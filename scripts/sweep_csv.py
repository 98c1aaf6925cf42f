"""Reading a `pcmsim sweep` CSV, shared by plot_sweep.py and results_tables.py:
the file and header checks, numbers with line-numbered errors, model labels."""
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
