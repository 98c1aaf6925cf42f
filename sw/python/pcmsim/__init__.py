"""pcmsim from Python: store a torch.nn.Module's weights in simulated PCM cells.

    import pcmsim, torch
    net = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    stored = pcmsim.store(net, strategy="sp+am+ar", cells=1, engine="model", seed=1)
    noisy = stored.module                     # a copy of net holding the read-back weights
    stored.result["counters"]["cells_written"]

The weights go through the same C++ library as `pcmsim run`: the rtl engine
(the Verilated controller in SystemC), the model engine (its functional C++
model; the same weights bit for bit) or the ideal engine (float equations).
Every keyword is a `pcmsim run` option, spelt with underscores (see
`pcmsim run --help`); values are checked by the same code and refused with the
same one-line messages (as ValueError). Parameters are stored, buffers
(batch-norm statistics) stay digital, as `pcmsim run` does.
"""
import collections
import copy
import json
import os
import re
import shutil

import numpy as np
import torch

from . import _pcmsim

__all__ = ["store", "run", "sweep", "Channel", "Stored", "version"]

Channel = _pcmsim.Channel
version = _pcmsim.version


class Stored:
    """What pcmsim.store returns.

    state_dict: the module's state_dict with every parameter replaced by its
        read-back value (buffers as they were);
    module: a deep copy of the module with that state loaded (None when
        store(..., copy_module=False));
    result: the run JSON's "result" record without what only an evaluation
        measures (the cell cost, the controller's counters, the array's time
        and energy, per tensor plans);
    config: the configuration as the run JSON's "config" records it.
    """

    def __init__(self, state_dict, module, result, config):
        self.state_dict = state_dict
        self.module = module
        self.result = result
        self.config = config

    def __repr__(self):
        return "Stored(%d tensors, %s, %s cells per weight)" % (
            len(self.state_dict), self.config.get("strategy"), self.result["cost_ideal"]["total"])


def _words(options):
    """Keywords -> `pcmsim run` words: cells=2 -> --cells 2, quiet=True -> --quiet."""
    words = []
    for key, value in options.items():
        if value is None or value is False:
            continue
        option = "--" + key.replace("_", "-")
        if value is True:
            words.append(option)
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            words += [option, repr(value) if isinstance(value, float) else str(value)]
        else:
            raise TypeError("%s: expected a string, a number or a bool, got %s" % (key, type(value).__name__))
    return words


_OPTION = re.compile(r"--([a-z][a-z0-9-]*)")


def _call(function, *args):
    """Calls the extension; its messages name options the Python way (large_fraction, not --large-fraction)."""
    try:
        return function(*args)
    except ValueError as e:
        raise ValueError(_OPTION.sub(lambda m: m.group(1).replace("-", "_"), str(e))) from None


def _flat_float32(t, what):
    if not isinstance(t, torch.Tensor):
        raise TypeError("%s: expected a torch.Tensor, got %s" % (what, type(t).__name__))
    if not t.is_floating_point():
        raise ValueError("%s: a %s tensor; pcmsim stores floating-point weights" % (what, t.dtype))
    # a view of the same memory when already contiguous float32 on the CPU
    return t.detach().to(device="cpu", dtype=torch.float32).contiguous().view(-1).numpy()


def store(module, strategy="none", cells=1, channel="default", engine="model", seed=1, sensitivity=None,
          copy_module=True, progress=None, **options):
    """Stores module's parameters through the engine and reads them back.

    strategy: none, or sp, am, ar, sens joined by '+'; cells: the target
    average of analog cells per weight; channel: a built-in table, a table
    file or awgn:STD; engine: rtl, model or ideal; seed: the noise seed.
    sensitivity: for strategies with sens, a dict parameter name -> tensor of
    per-weight scores (e.g. the Fisher diagonal); the largest sens_fraction of
    them are marked. progress: True draws the bar on stderr, False never,
    None on a terminal. Other keywords are `pcmsim run` options (banks=8,
    verify_pulses=8, time="1y", prune=0.5, store="digital", ...).
    """
    if not isinstance(module, torch.nn.Module):
        raise TypeError("module: expected a torch.nn.Module, got %s" % type(module).__name__)
    params = list(module.named_parameters())
    names = [n for n, _ in params]
    values = [_flat_float32(p, "parameter " + n) for n, p in params]
    scores = []
    if sensitivity is not None:
        unknown = sorted(set(sensitivity) - set(names))
        if unknown:
            raise ValueError("sensitivity names %s, which the module has no parameter of" % ", ".join(unknown))
        missing = [n for n in names if n not in sensitivity]
        if missing:
            raise ValueError("sensitivity has no scores for %s" % ", ".join(missing))
        scores = [_flat_float32(sensitivity[n], "sensitivity of " + n) for n in names]
    words = _words(dict(strategy=strategy, cells=cells, channel=channel, engine=engine, seed=seed,
                        quiet=progress is False, progress=progress is True, **options))
    out = _call(_pcmsim.store, names, values, scores, words)
    record = json.loads(out.json)
    read = {n: torch.from_numpy(a).view(p.shape).to(p.dtype) for (n, p), a in zip(params, out.tensors)}
    state = collections.OrderedDict()
    for key, value in module.state_dict().items():
        state[key] = read.get(key, value)
    stored_module = None
    if copy_module:
        stored_module = copy.deepcopy(module)
        stored_module.load_state_dict(state)
    return Stored(state, stored_module, record["result"], record["config"])


def run(model, data, progress=None, **options):
    """`pcmsim run` on a TorchScript file and a dataset folder: the run JSON as a dict."""
    words = _words(dict(model=str(model), data=str(data), quiet=progress is False, progress=progress is True,
                        **options))
    return json.loads(_call(_pcmsim.run, words))


def _pcmsim_executable():
    """The pcmsim that runs sweep points: $PCMSIM, the one on PATH, else the build's."""
    exe = os.environ.get("PCMSIM") or shutil.which("pcmsim") or _pcmsim.build_pcmsim
    if not os.access(exe, os.X_OK):
        raise RuntimeError("no pcmsim executable to run sweep points (set PCMSIM=/path/to/pcmsim)")
    return exe


def sweep(grid, out, jobs=None, fresh=False, allow_large=False):
    """`pcmsim sweep`: grid is a dict (the grid JSON of sw/README.md) or a file.

    Every point runs as its own `pcmsim run` process (finished points are
    reused); returns a summary dict with the path of sweep.csv.
    """
    if isinstance(grid, (str, os.PathLike)):
        with open(grid) as f:
            grid = json.load(f)
    if jobs is None:
        jobs = os.cpu_count() or 1
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise ValueError("jobs: expected a whole number >= 1, got %r" % (jobs,))
    return _call(_pcmsim.sweep, json.dumps(grid), str(out), jobs, bool(fresh), bool(allow_large),
                 _pcmsim_executable())
