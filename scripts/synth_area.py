#!/usr/bin/python3
"""Synthesize pcm_ctrl with Yosys (generic cells) for one parameter set and
write its area to DIR/pcm_ctrl_lanes{L}_dac{D}_adc{A}.json, the file
`pcmsim sweep` joins into its CSV.

    synth_area.py --lanes 4 --dac-width 16 --adc-width 16 --out-dir build/area
                  [--netlist pcm_ctrl_gate.v] [--yosys yosys]

The flow is rtl/synth/pcm_ctrl.ys (see rtl/synth/README.md). A result is
reused when its file has the same parameters and the same SHA-256 of the RTL
sources (rtl_sha256), so a stale file is never taken for a fresh one. With
--netlist the flattened generic-cell netlist is written too (the gate-level
bench simulates it); a netlist request always synthesizes.

Standard library only. Bad input: one line on stderr, exit status 2.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RTL_DIR = os.path.join(ROOT, "rtl")
FLOW = os.path.join(RTL_DIR, "synth", "pcm_ctrl.ys")
# Compile order of rtl/CMakeLists.txt's PCM_RTL_SOURCES; the hash covers these
# and the include header, in this order.
RTL_SOURCES = ["pcm_ctrl_reg_pkg.sv", "pcm_ctrl_pkg.sv", "pcm_ctrl_reg.sv", "pcm_encoder.sv",
               "pcm_writer.sv", "pcm_verifier.sv", "pcm_refs.sv", "pcm_reader.sv",
               "pcm_decoder.sv", "pcm_ctrl.sv"]
HASHED = RTL_SOURCES + ["pcm_assert.svh", os.path.join("synth", "pcm_ctrl.ys")]

LANES = (1, 64)
# A DAC/ADC code is t (Q.20) rounded at `bits` bits: the shift 21 - bits must
# stay >= 1 (rtl/README.md, fixed-point formats); 2 is ResBitsMin.
WIDTHS = (2, 20)

# Area of each generic cell in 2-input-NAND equivalents (NAND2 = 1): the
# conventional gate-equivalent weights quoted for static CMOS standard-cell
# libraries, rounded (inverter 0.67, AND/OR 1.33, XOR/XNOR and 2:1 MUX 2.33,
# AOI/OAI 1.33 or 1.67 by inputs), a flip-flop 5 without reset and 6 with an
# asynchronous reset, and one with an enable counted as that plus the 2:1 MUX
# it stands for. Not one foundry library's figures: good for comparing
# parameter sets, not for a die size (rtl/synth/README.md).
_FF = 6.0
_MUX = 2.33
NAND2_WEIGHTS = {
    "$_NOT_": 0.67, "$_BUF_": 0.67,
    "$_NAND_": 1.0, "$_NOR_": 1.0,
    "$_AND_": 1.33, "$_OR_": 1.33, "$_ANDNOT_": 1.33, "$_ORNOT_": 1.33,
    "$_XOR_": 2.33, "$_XNOR_": 2.33, "$_MUX_": _MUX, "$_NMUX_": _MUX,
    "$_AOI3_": 1.33, "$_OAI3_": 1.33, "$_AOI4_": 1.67, "$_OAI4_": 1.67,
    "$_DFF_P_": 5.0, "$_DFF_N_": 5.0,
    "$_DFFE_PP_": 5.0 + _MUX, "$_DFFE_PN_": 5.0 + _MUX,
}
for _rst in ("PN0", "PN1", "PP0", "PP1"):
    NAND2_WEIGHTS[f"$_DFF_{_rst}_"] = _FF
    for _en in ("P", "N"):
        NAND2_WEIGHTS[f"$_DFFE_{_rst}{_en}_"] = _FF + _MUX


class UsageError(Exception):
    pass


def rtl_sha256():
    digest = hashlib.sha256()
    for name in HASHED:
        with open(os.path.join(RTL_DIR, name), "rb") as handle:
            digest.update(name.encode() + b"\0" + handle.read() + b"\0")
    return digest.hexdigest()


def is_flip_flop(cell_type):
    # after synth every state bit is a one-bit $_DFF*/$_SDFF*/$_DLATCH* cell
    return cell_type.startswith(("$_DFF", "$_SDFF", "$_DFFSR", "$_ALDFF", "$_DLATCH"))


def yosys_version(yosys):
    out = subprocess.run([yosys, "-V"], capture_output=True, text=True, check=True).stdout
    return out.strip()


def synthesize(args, yosys, netlist):
    with tempfile.TemporaryDirectory(prefix="pcm_synth_") as tmp:
        stat_json = os.path.join(tmp, "stat.json")
        sources = " ".join(os.path.join(RTL_DIR, s) for s in RTL_SOURCES)
        commands = [
            f"read_verilog -sv -I{RTL_DIR} {sources}",
            f"chparam -set NumLanes {args.lanes} -set DacWidth {args.dac_width}"
            f" -set AdcWidth {args.adc_width} pcm_ctrl",
            f"script {FLOW}",
            f"tee -q -o {stat_json} stat -json",
        ]
        if netlist:
            commands.append(f"write_verilog -noattr {netlist}")
        log = os.path.join(tmp, "yosys.log")
        start = time.monotonic()
        run = subprocess.run([yosys, "-q", "-l", log, "-p", "; ".join(commands)],
                             capture_output=True, text=True)
        seconds = time.monotonic() - start
        if run.returncode != 0:
            with open(log, encoding="utf-8", errors="replace") as handle:
                tail = [l for l in handle.read().splitlines() if "ERROR" in l] or ["(no ERROR line)"]
            raise RuntimeError(f"yosys failed (exit {run.returncode}): {tail[-1].strip()}")
        with open(stat_json, encoding="utf-8") as handle:
            stat = json.load(handle)
    top = stat["modules"]["\\pcm_ctrl"]
    return {k: int(v) for k, v in top["num_cells_by_type"].items()}, seconds


def area_record(args, cells, seconds, version, sha):
    unknown = sorted(set(cells) - set(NAND2_WEIGHTS))
    if unknown:
        raise RuntimeError(f"no NAND2 weight for the cell type(s) {', '.join(unknown)}")
    return {
        "lanes": args.lanes,
        "dac_width": args.dac_width,
        "adc_width": args.adc_width,
        "cells": dict(sorted(cells.items())),
        "cell_count": sum(cells.values()),
        "flip_flops": sum(n for t, n in cells.items() if is_flip_flop(t)),
        "nand2_equivalents": round(sum(NAND2_WEIGHTS[t] * n for t, n in cells.items()), 1),
        "nand2_weights": NAND2_WEIGHTS,
        "yosys": version,
        "rtl_sha256": sha,
        "seconds": round(seconds, 1),
    }


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(message)


def parse(argv):
    parser = _Parser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lanes", type=int, required=True, help="NumLanes, 1 .. 64")
    parser.add_argument("--dac-width", type=int, required=True, help="DacWidth, 2 .. 20")
    parser.add_argument("--adc-width", type=int, required=True, help="AdcWidth, 2 .. 20")
    parser.add_argument("--out-dir", required=True, help="folder of the area files")
    parser.add_argument("--netlist", help="also write the flattened generic-cell netlist here")
    parser.add_argument("--yosys", default="yosys", help="the Yosys binary (default: yosys on PATH)")
    args = parser.parse_args(argv)
    if not LANES[0] <= args.lanes <= LANES[1]:
        raise UsageError(f"--lanes {args.lanes}: must be in {LANES[0]} .. {LANES[1]}")
    for option, value in (("--dac-width", args.dac_width), ("--adc-width", args.adc_width)):
        if not WIDTHS[0] <= value <= WIDTHS[1]:
            raise UsageError(f"{option} {value}: must be in {WIDTHS[0]} .. {WIDTHS[1]}")
    return args


def main(argv):
    try:
        args = parse(argv)
        yosys = shutil.which(args.yosys)
        if yosys is None:
            raise UsageError(f"yosys not found ('{args.yosys}'): install it (Debian: apt install yosys)")
    except UsageError as err:
        print(f"synth_area.py: {err}", file=sys.stderr)
        return 2
    name = f"pcm_ctrl_lanes{args.lanes}_dac{args.dac_width}_adc{args.adc_width}.json"
    out = os.path.join(args.out_dir, name)
    sha = rtl_sha256()
    if args.netlist is None and os.path.exists(out):
        try:
            with open(out, encoding="utf-8") as handle:
                old = json.load(handle)
        except (OSError, json.JSONDecodeError):
            old = {}
        if old.get("rtl_sha256") == sha and (old.get("lanes"), old.get("dac_width"), old.get("adc_width")) == \
                (args.lanes, args.dac_width, args.adc_width):
            print(f"{out}: up to date (same parameters and rtl_sha256), reused")
            return 0
    try:
        cells, seconds = synthesize(args, yosys, args.netlist)
        record = area_record(args, cells, seconds, yosys_version(yosys), sha)
    except (RuntimeError, OSError, subprocess.CalledProcessError, KeyError, ValueError) as err:
        print(f"synth_area.py: {err}", file=sys.stderr)
        return 1
    os.makedirs(args.out_dir, exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=2)
        handle.write("\n")
    os.replace(tmp, out)
    print(f"{out}: {record['cell_count']} cells, {record['flip_flops']} flip-flops, "
          f"{record['nand2_equivalents']} NAND2 equivalents, {record['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
