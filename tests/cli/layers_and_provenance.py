#!/usr/bin/python3
"""The per-layer report, --keep-digital and provenance of `pcmsim run`.

usage: layers_and_provenance.py PCMSIM MODEL DATA WORK

- every tensor has its read-back record, and the per-tensor cells add up to
  the model's total cell cost;
- tensors kept digital read back bit-exact, every other tensor does not, and
  the total cost rises by exactly (16 - the tensor's cells per weight without
  it) x its weights for each kept tensor;
- the provenance names the version, the build, the command, the model's and
  the channel table's SHA-256 and a timestamp, and two runs of one command
  differ only in the timestamp and the wall-clock measurements.
"""
import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import torch


def run(pcmsim, args):
    subprocess.run([pcmsim, "run"] + args, check=True, stdout=subprocess.DEVNULL)


def fail(msg):
    sys.exit("FAIL: " + msg)


def main():
    pcmsim, model, data, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    common = ["--model", model, "--data", data, "--engine", "model", "--strategy", "sp+am+ar", "--cells", "1.5",
              "--seeds", "1", "--limit", "50", "--quiet"]
    plain, kept = os.path.join(work, "plain.json"), os.path.join(work, "kept.json")
    dump = os.path.join(work, "kept.bin")
    pattern = r"^0\.|bias$"
    run(pcmsim, common + ["--out", plain])
    run(pcmsim, common + ["--keep-digital", pattern, "--out", kept, "--dump-weights", dump])
    a, b = json.load(open(plain))["result"], json.load(open(kept))["result"]

    names = [n for n, _ in torch.jit.load(model).named_parameters()]
    if [t["name"] for t in a["tensors"]] != names:
        fail("the report's tensors %s are not the model's %s" % ([t["name"] for t in a["tensors"]], names))
    for r, what in ((a, "plain"), (b, "kept")):
        total = sum(t["cells_per_weight"] * t["weights"] for t in r["tensors"]) / r["weights"]
        if abs(total - r["cost_ideal"]["total"]) > 1e-9:
            fail("%s: per-tensor cells add up to %.12f, the total is %.12f" % (what, total, r["cost_ideal"]["total"]))
    noisy = [t for t in a["tensors"] if t["snr_db"] < 300]
    if not noisy or any(not (0 < t["rms_error"] < 1) for t in noisy):
        fail("plain run: implausible read-back errors %s" % [(t["name"], t["rms_error"]) for t in a["tensors"]])

    # kept tensors: exact, flagged, costed at fp32
    import re
    params = dict(torch.jit.load(model).named_parameters())
    read = np.fromfile(dump, dtype="<f4")
    at, expected_rise = 0, 0.0
    by_name = {t["name"]: t for t in a["tensors"]}
    for t in b["tensors"]:
        w = params[t["name"]].detach().numpy().ravel()
        back = read[at:at + w.size]
        at += w.size
        matches = re.search(pattern, t["name"]) is not None
        if t["digital"] != matches:
            fail("%s: digital=%s, the pattern %s" % (t["name"], t["digital"], "matches" if matches else "does not match"))
        if matches:
            if back.tobytes() != w.astype("<f4").tobytes() or t["snr_db"] != 300 or t["cells_per_weight"] != 16:
                fail("%s kept digital but not read back exact at 16 cells per weight" % t["name"])
            expected_rise += (16 - by_name[t["name"]]["cells_per_weight"]) * t["weights"]
        elif np.array_equal(back, w):
            fail("%s was stored in noisy cells but read back exact" % t["name"])
    rise = (b["cost_ideal"]["total"] - a["cost_ideal"]["total"]) * b["weights"]
    if abs(rise - expected_rise) > 1e-6:
        fail("keeping tensors digital raised the cost by %.6f cells, expected %.6f" % (rise, expected_rise))

    # provenance
    p = a["provenance"]
    sha = hashlib.sha256(open(model, "rb").read()).hexdigest()
    if p["model_sha256"] != sha or len(p["channel_sha256"]) != 64 or not p["version"] or not p["build"]:
        fail("provenance incomplete: %s" % p)
    if not p["command"].startswith("pcmsim run --model ") or "--out " + plain not in p["command"]:
        fail("provenance command: %s" % p["command"])
    again = os.path.join(work, "plain_again.json")
    os.replace(plain, again)
    run(pcmsim, common + ["--out", plain])
    first, second = json.load(open(again)), json.load(open(plain))
    for j in (first, second):
        for key in ("host",):
            j["result"].pop(key)
        j["result"]["timing"].pop("sim_seconds")
        j["result"]["provenance"].pop("timestamp")
    if first != second:
        diff = [k for k in first["result"] if first["result"][k] != second["result"].get(k)]
        fail("two runs of one command differ beyond the timestamp and wall-clock figures: %s" % diff)
    print("ok: %d tensors reported, %d kept digital exact, cost +%.4f cells/weight as predicted; provenance %s %s" % (
        len(a["tensors"]), sum(t["digital"] for t in b["tensors"]), rise / b["weights"], p["version"], p["build"]))


if __name__ == "__main__":
    main()
