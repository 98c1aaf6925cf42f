#!/usr/bin/python3
"""Checks an FST written by `pcmsim run --trace` against the GTKWave save file
and the trace window it was asked for.

usage: trace_signals.py FST GTKW FROM CYCLES PERIOD_PS
- every signal the save file names exists in the FST (by full name, with its
  bit range), so the save file loads what it promises;
- the dump starts within two cycles of FROM and ends within two cycles of
  FROM + CYCLES (times in ps, one cycle = PERIOD_PS);
- the array probe shows the array at work: accepted requests and a running
  request count that grows.
The FST is read through fst2vcd (GTKWave's converter).
"""
import subprocess
import sys


def main():
    fst, gtkw, start, cycles, period = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    vcd = subprocess.run(["fst2vcd", "-f", fst], check=True, capture_output=True, text=True).stdout.splitlines()
    scope, names, ids, times = [], set(), {}, []
    for line in vcd:
        w = line.split()
        if not w:
            continue
        if w[0] == "$scope":
            scope.append(w[2])
        elif w[0] == "$upscope":
            scope.pop()
        elif w[0] == "$var":
            name = ".".join(scope + [w[4]]) + (w[5] if w[5] != "$end" else "")
            names.add(name)
            ids[name] = w[3]
        elif line.startswith("#"):
            times.append(int(line[1:]))
    wanted = [l.strip() for l in open(gtkw) if l.strip() and l[0] not in "[*@-"]
    missing = [s for s in wanted if s not in names]
    if missing:
        sys.exit("FAIL: %d of %d signals of %s are not in the trace, e.g. %s" % (len(missing), len(wanted), gtkw,
                                                                                  ", ".join(missing[:3])))
    if not times:
        sys.exit("FAIL: the trace holds no time step")
    first, last = times[0], times[-1]
    if abs(first - start * period) > 2 * period or abs(last - (start + cycles) * period) > 2 * period:
        sys.exit("FAIL: the trace spans %d .. %d ps, asked for cycles %d .. %d (%d .. %d ps)" % (
            first, last, start, start + cycles, start * period, (start + cycles) * period))
    # the probe's values over the window
    probe = "pcm_rtl_platform.probe.u_pcm_array.pcm_array_probe."
    accept, requests = ids[probe + "accept_i"], ids[probe + "requests_i[63:0]"]
    accepted, counts = 0, []
    for line in vcd:
        if line == "1" + accept:
            accepted += 1
        elif line.startswith("b") and line.split()[-1] == requests:
            counts.append(int(line.split()[0][1:], 2))
    if accepted == 0 or len(counts) < 2 or counts[-1] <= counts[0]:
        sys.exit("FAIL: the array probe shows no work (%d accepts, request counts %s)" % (accepted, counts[:3]))
    print("ok: %d signals of the save file in the trace; %d .. %d ps; array accepted a request %d times, "
          "requests %d -> %d" % (len(wanted), first, last, accepted, counts[0], counts[-1]))


if __name__ == "__main__":
    main()
