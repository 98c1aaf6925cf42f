#!/usr/bin/python3
"""Mutation campaign of rtl/pcm_ctrl against the random bench.

Each mutant of mutants.json (one textual change to one RTL file) is applied to
a copy of rtl/, Verilated, linked with the bench's already compiled objects
(the pcm_ctrl_bench target: its ports do not change, so its objects fit every
mutant) and run with a fixed set of seeds. Outcomes:
  killed   the bench failed: its first mismatch, assertion or hang message
           (an empty coverage bin alone does not count: the next seed runs)
  timeout  the bench ran past --timeout (counted as killed: a hang)
  survived every seed passed
  stale    the mutant's "from" text is no longer in the RTL file (fix the list)
  build    Verilator or the compiler rejected the mutant (not scored)
Score = (killed + timeout) / (killed + timeout + survived).

  run_mutants.py --build-dir BUILD [--only a,b] [--jobs 2] [--expect] [--table]

--expect: every mutant must be killed and its first message must match the
mutant's "expect" regex (the ctest). Exit status: 0 when the score reaches
--min-score (or, with --expect, when every expectation holds), 1 otherwise,
2 for a usage or setup error.
"""
import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RTL = os.path.join(ROOT, "rtl")
# (seed, configs, weights): a short first run kills most mutants quickly.
SEEDS = [(1, 60, 60000), (2, 60, 110000), (3, 60, 110000)]
VERILATOR_ARGS = ["--cc", "--top", "pcm_ctrl", "--prefix", "Vpcm_ctrl", "--trace-fst", "--assert",
                  "-DPCM_ASSERT_ON", "-Wno-fatal", "-O3"]
# the bench's first failure message, by kind, in the order looked for
FAILURES = [
    ("mismatch", re.compile(r"MISMATCH at cycle \d+: .*")),
    ("assertion", re.compile(r"%Error: .*Assertion failed.*|.*Assertion failed in .*")),
    ("hang", re.compile(r"pcm_ctrl_bench: error: .*")),
    ("coverage/lsb", re.compile(r"FAIL: .*")),
]


def die(msg):
    print(f"run_mutants: error: {msg}", file=sys.stderr)
    sys.exit(2)


def load_mutants(path):
    try:
        with open(path) as f:
            mutants = json.load(f)
    except (OSError, ValueError) as e:
        die(f"{path}: {e}")
    names = set()
    for i, m in enumerate(mutants):
        for key in ("name", "file", "from", "to", "why"):
            if not isinstance(m.get(key), str) or (key != "to" and not m[key]):
                die(f"{path}: mutant {i} has no '{key}'")
        if m["name"] in names:
            die(f"{path}: mutant name '{m['name']}' twice")
        names.add(m["name"])
    return mutants


def bench_env(build_dir):
    env_path = os.path.join(build_dir, "testbench", "mutation_env.json")
    if not os.path.exists(env_path):
        die(f"{env_path} is missing: configure the build with the testbench (Verilator found)")
    with open(env_path) as f:
        env = json.load(f)
    objects = [o for o in env["objects"] if "/Vpcm_ctrl.dir/" not in o]
    missing = [o for o in objects if not os.path.exists(o)]
    if missing:
        die(f"{missing[0]} is missing: build the target pcm_ctrl_bench first")
    env["objects"] = objects
    return env


def apply(m, work_rtl):
    """Copies rtl/ to work_rtl with the mutation applied; False when the pattern is stale."""
    if os.path.exists(work_rtl):
        shutil.rmtree(work_rtl)
    shutil.copytree(RTL, work_rtl, ignore=shutil.ignore_patterns("regs", "*.txt", "*.md"))
    path = os.path.join(work_rtl, m["file"])
    if not os.path.exists(path):
        return False
    with open(path) as f:
        text = f.read()
    nth = int(m.get("occurrence", 1))
    at = -1
    for _ in range(nth):
        at = text.find(m["from"], at + 1)
        if at < 0:
            return False
    with open(path, "w") as f:
        f.write(text[:at] + m["to"] + text[at + len(m["from"]):])
    return True


def build(m, env, work, opt):
    """Verilates the mutated RTL and links the bench; returns (ok, log tail)."""
    work_rtl = os.path.join(work, "rtl")
    vobj = os.path.join(work, "vobj")
    if os.path.exists(vobj):
        shutil.rmtree(vobj)
    sources = [os.path.join(work_rtl, os.path.basename(s)) for s in env["rtl_sources"]]
    sources += env.get("extra_sources", [])  # the bench's bound assertions
    steps = [
        ["verilator", *VERILATOR_ARGS, "--Mdir", vobj, f"-I{work_rtl}", *sources],
        # the build dominates a mutant's cost: the model compiles several times
        # faster at -O0/-O1 than at -O3, and a killed mutant runs only briefly
        ["make", "-s", "-C", vobj, "-f", "Vpcm_ctrl.mk", "Vpcm_ctrl__ALL.a", f"OPT_FAST={opt}", "OPT_SLOW=-O0",
         f"OPT_GLOBAL={opt}", f"CXX={env['cxx']}"],
        [env["cxx"], "-o", os.path.join(work, "bench"), *env["objects"], os.path.join(vobj, "Vpcm_ctrl__ALL.a"),
         *env["libraries"], "-lz", "-pthread", "-latomic"],
    ]
    for cmd in steps:
        r = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
        if r.returncode != 0:
            return False, (r.stdout + r.stderr)[-2000:]
    return True, ""


def first_failure(out):
    for kind, pattern in FAILURES:
        hit = pattern.search(out)
        if hit:
            return kind, hit.group(0).strip()
    return "other", out.strip().splitlines()[-1] if out.strip() else "(no output)"


def run_bench(cmd, timeout):
    """Runs one seed; stops the bench at its first mismatch or assertion (the
    rest of the seed would only repeat the verdict). Returns (exit status or
    None on timeout, output, the first failure line or '')."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    watchdog = threading.Timer(timeout, p.kill)  # also when the bench goes silent
    watchdog.start()
    out = []
    first = ""
    for line in p.stdout:
        out.append(line)
        if FAILURES[0][1].search(line) or FAILURES[1][1].search(line):
            first = line
            break
    timed_out = not watchdog.is_alive()
    watchdog.cancel()
    if first:
        p.kill()
    p.wait()
    if timed_out:
        return None, "".join(out), ""
    return p.returncode, "".join(out), first


def run_one(m, env, work_root, timeout, seeds, opt):
    t0 = time.time()
    work = os.path.join(work_root, m["name"])
    os.makedirs(work, exist_ok=True)
    res = {"name": m["name"], "file": m["file"], "why": m["why"], "expect": m.get("expect", "")}
    if not apply(m, os.path.join(work, "rtl")):
        res.update(outcome="stale", message=f"'{m['from']}' not found in rtl/{m['file']}")
        return res
    ok, log = build(m, env, work, opt)
    if not ok:
        res.update(outcome="build", message=log.strip().splitlines()[-1] if log.strip() else "")
        return res
    res.update(outcome="survived", message="", seed=None)
    for seed, configs, weights in seeds:
        cmd = [os.path.join(work, "bench"), "--seed", str(seed), "--configs", str(configs), "--weights",
               str(weights)]
        rc, out, first = run_bench(cmd, timeout)
        if rc is None:
            res.update(outcome="timeout", message=f"no result within {timeout} s", seed=seed)
            break
        if first:  # stopped at its first mismatch or assertion
            kind, msg = first_failure(first)
            res.update(outcome="killed", kind=kind, message=msg, seed=seed)
            break
        if rc != 0:
            # an empty coverage bin alone is the stimulus's miss, not a detection
            if re.search(r"FAIL: 0 mismatches, \d+ empty coverage bins, 0 round trips", out) and \
                    first_failure(out)[0] == "coverage/lsb":
                continue
            kind, msg = first_failure(out)
            res.update(outcome="killed", kind=kind, message=msg, seed=seed)
            break
    res["seconds"] = round(time.time() - t0, 1)
    shutil.rmtree(os.path.join(work, "vobj"), ignore_errors=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--mutants", default=os.path.join(HERE, "mutants.json"))
    ap.add_argument("--only", default="", help="comma-separated mutant names")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=300, help="seconds per bench run")
    ap.add_argument("--seeds", type=int, default=len(SEEDS), help="how many of the seed runs (1..3)")
    ap.add_argument("--expect", action="store_true", help="each mutant must be killed with its 'expect' message")
    ap.add_argument("--min-score", type=float, default=95.0)
    ap.add_argument("--opt", default="-O1", help="C++ optimization of the Verilated model (-O0 builds fastest)")
    ap.add_argument("--table", default="", help="also write the result table (Markdown) to this file")
    ap.add_argument("--json", default="", help="also write the results (JSON) to this file")
    a = ap.parse_args()
    if not 1 <= a.seeds <= len(SEEDS):
        die(f"--seeds must be 1..{len(SEEDS)}, got {a.seeds}")
    if a.jobs < 1:
        die(f"--jobs must be at least 1, got {a.jobs}")
    mutants = load_mutants(a.mutants)
    if a.only:
        wanted = a.only.split(",")
        unknown = [w for w in wanted if w not in {m["name"] for m in mutants}]
        if unknown:
            die(f"unknown mutant '{unknown[0]}' (see {a.mutants})")
        by_name = {m["name"]: m for m in mutants}
        mutants = [by_name[w] for w in wanted]  # in the order asked for
    env = bench_env(os.path.abspath(a.build_dir))
    work_root = os.path.join(os.path.abspath(a.build_dir), "testbench", "mutation")
    t0 = time.time()
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=a.jobs) as pool:
        futures = [pool.submit(run_one, m, env, work_root, a.timeout, SEEDS[:a.seeds], a.opt) for m in mutants]
        for fut in concurrent.futures.as_completed(futures):
            r = fut.result()
            results.append(r)
            print(f"{r['name']:28s} {r['outcome']:8s} {r.get('message', '')}", flush=True)
    order = {m["name"]: i for i, m in enumerate(mutants)}
    results.sort(key=lambda r: order[r["name"]])
    killed = sum(r["outcome"] in ("killed", "timeout") for r in results)
    survived = [r for r in results if r["outcome"] == "survived"]
    scored = killed + len(survived)
    score = 100.0 * killed / scored if scored else 0.0
    print(f"\nmutants {len(results)}: killed {killed}, survived {len(survived)}, "
          f"stale {sum(r['outcome'] == 'stale' for r in results)}, "
          f"build errors {sum(r['outcome'] == 'build' for r in results)}; "
          f"score {score:.1f} % ({time.time() - t0:.0f} s)")
    for r in survived:
        print(f"SURVIVED {r['name']} ({r['file']}): {r['why']}")
    if a.table:
        with open(a.table, "w") as f:
            f.write("| mutant | file | change | outcome | first message |\n|---|---|---|---|---|\n")
            for r in results:
                msg = r.get("message", "").replace("|", "\\|")
                f.write(f"| {r['name']} | {r['file']} | {r['why']} | {r['outcome']} | {msg} |\n")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    if a.expect:
        bad = []
        for r in results:
            if r["outcome"] != "killed":
                bad.append(f"{r['name']}: {r['outcome']} {r.get('message', '')}")
            elif r["expect"] and not re.search(r["expect"], r["message"]):
                bad.append(f"{r['name']}: killed with '{r['message']}', expected /{r['expect']}/")
        for b in bad:
            print(f"UNEXPECTED {b}")
        return 1 if bad else 0
    return 0 if score >= a.min_score else 1


if __name__ == "__main__":
    sys.exit(main())
