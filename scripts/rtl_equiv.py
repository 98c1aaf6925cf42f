#!/usr/bin/python3
"""Prove with Yosys that a module of rtl/ in the working tree is equivalent to
the same module at a git revision: same reset values, same flops, same
outputs, cycle for cycle. For rewrites that must not change behaviour (a
module restructured for simulation speed, say).

    rtl_equiv.py --module pcm_ctrl_reg [--rev HEAD] [--param NumLanes=4 ...]
                 [--ignore rdata --ignore ok ...] [--yosys yosys]

Both versions are read with the working tree's packages, flattened, their
memories mapped to flops and the asynchronous reset made synchronous
(async2sync); equiv_make pairs the wires and flops of the same name,
equiv_simple and equiv_induct prove them. --ignore leaves out internal wires
(an unpacked array with its elements) that may differ where nothing uses them
(e.g. a read mux that is now decoded only during an access); flops and
outputs are never left out. A leaf module only (one that instantiates no
other module of rtl/).

Standard library only. Exit status: 0 equivalent, 1 not proven (the
unproven signals are printed), 2 bad input.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTL_DIR = os.path.join(ROOT, "rtl")
MAX_ARRAY = 64  # elements of an unpacked array that --ignore covers
PACKAGES = ["pcm_ctrl_reg_pkg.sv"]  # pcm_ctrl_pkg.sv comes in by `include


def fail(msg):
    print(f"rtl_equiv.py: {msg}", file=sys.stderr)
    sys.exit(2)


def renamed(text, module, new):
    out, n = re.subn(rf"^module\s+{module}\b", f"module {new}", text, flags=re.M)
    if n != 1:
        return None
    return re.sub(rf"endmodule\s*:\s*{module}\b", f"endmodule : {new}", out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--module", required=True)
    ap.add_argument("--rev", default="HEAD")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    ap.add_argument("--ignore", action="append", default=[], metavar="WIRE")
    ap.add_argument("--yosys", default="yosys")
    a = ap.parse_args()

    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", a.module):
        fail(f"--module '{a.module}' is not a module name")
    for w in a.ignore:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", w):
            fail(f"--ignore '{w}' is not a wire name")
    params = []
    for p in a.param:
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(-?[0-9]+)", p)
        if not m:
            fail(f"--param '{p}' is not NAME=INTEGER")
        params.append((m.group(1), m.group(2)))
    if shutil.which(a.yosys) is None:
        fail(f"'{a.yosys}' not found (install yosys)")
    path = os.path.join(RTL_DIR, a.module + ".sv")
    if not os.path.exists(path):
        fail(f"rtl/{a.module}.sv: no such file")
    with open(path) as f:
        gate = renamed(f.read(), a.module, a.module + "_gate")
    if gate is None:
        fail(f"rtl/{a.module}.sv does not declare module {a.module} once")
    shown = subprocess.run(["git", "-C", ROOT, "show", f"{a.rev}:rtl/{a.module}.sv"],
                           capture_output=True, text=True)
    if shown.returncode != 0:
        fail(f"rtl/{a.module}.sv at '{a.rev}': {shown.stderr.strip().splitlines()[-1] if shown.stderr.strip() else 'not found'}")
    gold = renamed(shown.stdout, a.module, a.module + "_gold")
    if gold is None:
        fail(f"rtl/{a.module}.sv at '{a.rev}' does not declare module {a.module} once")

    with tempfile.TemporaryDirectory(prefix="rtl_equiv_") as tmp:
        for name, text in (("gold.sv", gold), ("gate.sv", gate)):
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        with open(os.path.join(tmp, "ignore.txt"), "w") as f:
            # a wire and, if it is an unpacked array, its elements (name[i])
            f.write("".join(f"{w}\n" + "".join(f"{w}[{i}]\n" for i in range(MAX_ARRAY)) for w in a.ignore))
        chparam = ""
        for name, value in params:
            chparam += f"chparam -set {name} {value} {a.module}_gold {a.module}_gate\n"
        pkgs = " ".join(os.path.join(RTL_DIR, p) for p in PACKAGES)
        script = f"""read_verilog -sv -I{RTL_DIR} {pkgs} gold.sv gate.sv
{chparam}hierarchy -check
proc
memory -nomap
memory_map
opt_clean
flatten
async2sync
opt -full
equiv_make -blacklist ignore.txt {a.module}_gold {a.module}_gate equiv
hierarchy -top equiv
equiv_simple -seq 2
equiv_induct -seq 2
equiv_status
"""
        with open(os.path.join(tmp, "equiv.ys"), "w") as f:
            f.write(script)
        run = subprocess.run([a.yosys, "-q", "-l", "equiv.log", "equiv.ys"], cwd=tmp,
                             capture_output=True, text=True)
        log = open(os.path.join(tmp, "equiv.log")).read() if os.path.exists(os.path.join(tmp, "equiv.log")) else ""
        if run.returncode != 0:
            last = (run.stderr.strip() or log.strip() or "no output").splitlines()[-1]
            fail(f"yosys failed: {last}")
        total = re.search(r"Found (\d+) \$equiv cells in equiv", log)
        unproven = re.findall(r"Unproven \$equiv \S+: \\(\S+)", log)
        if total is None:
            fail("yosys printed no equivalence status")
        if unproven:
            names = sorted({re.sub(r"_gold$", "", g) for g in unproven})
            print(f"{a.module}: NOT proven equivalent to {a.rev}: {len(unproven)} of {total.group(1)} signal bits "
                  f"unproven ({', '.join(names[:12])}{', ...' if len(names) > 12 else ''})")
            return 1
        print(f"{a.module}: equivalent to {a.rev}, {total.group(1)} signal bits proven "
              f"(flops and outputs; ignored: {', '.join(a.ignore) or 'none'})")
        return 0


if __name__ == "__main__":
    sys.exit(main())
