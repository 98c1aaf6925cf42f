#!/usr/bin/python3
"""Writes channel_model/tables/aihwkit-pcm.csv: IBM aihwkit's PCM model as a table.

The programming noise of aihwkit's PCMLikeNoiseModel (Nandakumar et al.,
"Phase-change memory models for deep learning training and inference",
ICECS 2019; aihwkit.inference.noise.pcm): a programmed conductance is
N(g_T, sigma_prog(g_T)^2) with
    sigma_prog = max(0.26348 + 1.9650 g - 1.1731 g^2, 0) uS,  g = g_T / g_max,
for g_max = 25 uS. The levels are g_T = 0, 1, ..., 25 uS (input and output in
uS, both mapped from [0, 25] onto [-1, 1]); drift (aihwkit's nu fits, t0 = 20 s)
and 1/f read noise (t_read = 250 ns) are declared in the header and applied by
the array (channel_model/README.md, "Physics"). Standard library only.

    scripts/make_aihwkit_table.py channel_model/tables/aihwkit-pcm.csv
"""
import sys

G_MAX = 25.0
PROG_COEFF = (0.26348, 1.9650, -1.1731)


def sigma_prog(g_target):
    g = g_target / G_MAX
    return max(PROG_COEFF[0] + PROG_COEFF[1] * g + PROG_COEFF[2] * g * g, 0.0)


def main(path):
    lines = [
        "# name: aihwkit-pcm",
        "# summary: IBM aihwkit's PCM model (programming noise, drift, 1/f read noise; a model, not measured data)",
        "# source: Nandakumar et al., ICECS 2019, as implemented in aihwkit.inference.noise.pcm.PCMLikeNoiseModel (Apache-2.0); formulas only",
        "# derivation: scripts/make_aihwkit_table.py; levels g_T = 0..25 uS, std = max(0.26348 + 1.9650 g - 1.1731 g^2, 0) uS with g = g_T / 25 uS",
        "# format: pcmsim-channel-table 1",
        "# kind: stats",
        "# input_unit: uS",
        "# output_unit: uS",
        "# input_map: 0 25",
        "# output_map: 0 25",
        "# drift: aihwkit",
        "# drift_t0: 20",
        "# read_noise: flicker",
        "# read_time: 2.5e-07",
        "input,mean,std,count",
    ]
    for k in range(26):
        g = float(k)
        lines.append(f"{g:g},{g:g},{sigma_prog(g):.6f},1000000")
    with open(path, "w", encoding="ascii") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_aihwkit_table.py OUT.csv")
    main(sys.argv[1])
