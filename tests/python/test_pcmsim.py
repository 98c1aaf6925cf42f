"""The Python module: pcmsim.store through rtl and model, the same weights as
`pcmsim run`, the channel, run and sweep, and the one-line refusals.

Run by ctest (Python.*) with PYTHONPATH at the build's python/ folder and
PCMSIM_TESTDATA at the test models and digits.
"""
import math
import os
import re
import subprocess

import numpy as np
import pytest
import torch

import pcmsim

TESTDATA = os.environ.get("PCMSIM_TESTDATA", "")
MODELS = os.path.join(TESTDATA, "models")
DIGITS = os.path.join(TESTDATA, "digits")


def mlp(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))


def test_rtl_and_model_engines_read_back_the_same_weights():
    net = mlp()
    rtl = pcmsim.store(net, strategy="sp+am+ar", cells=2, engine="rtl", seed=3, progress=False)
    model = pcmsim.store(net, strategy="sp+am+ar", cells=2, engine="model", seed=3, progress=False)
    assert list(rtl.state_dict) == list(net.state_dict())
    for name, value in rtl.state_dict.items():
        assert torch.equal(value, model.state_dict[name]), name
        assert value.shape == net.state_dict()[name].shape
    assert rtl.result["counters"] == model.result["counters"]
    assert rtl.result["timing"]["cycles"] > 0 and model.result["timing"]["cycles"] == 0
    # stored in noisy cells: close to the weights, not equal
    w, back = net.state_dict()["0.weight"], rtl.state_dict["0.weight"]
    assert not torch.equal(w, back)
    assert (back - w).abs().max().item() < 0.5 * w.abs().max().item()
    # the copy holds the read-back weights, the original is untouched
    assert torch.equal(rtl.module.state_dict()["0.weight"], back)
    assert torch.equal(net.state_dict()["0.weight"], w)
    assert rtl.config["strategy"] == "sp+am+ar" and rtl.config["engine"] == "rtl"
    assert "accuracy_mean" not in rtl.result


def test_the_same_weights_as_pcmsim_run(tmp_path):
    """pcmsim.store on a TorchScript module reads back, bit for bit, what `pcmsim run --dump-weights` writes."""
    path = os.path.join(MODELS, "tiny_cnn.pt")
    dump = tmp_path / "run.bin"
    subprocess.run([pcmsim._pcmsim.build_pcmsim, "run", "--model", path, "--data", DIGITS, "--engine", "model",
                    "--strategy", "sp+am", "--cells", "2", "--seeds", "1", "--seed", "7", "--limit", "20",
                    "--quiet", "--dump-weights", str(dump)], check=True, stdout=subprocess.DEVNULL)
    module = torch.jit.load(path)
    stored = pcmsim.store(module, strategy="sp+am", cells=2, engine="model", seed=7, copy_module=False,
                          progress=False)
    mine = np.concatenate([p.detach().numpy().ravel() for n, p in module.named_parameters()
                           for p in [stored.state_dict[n]]])
    assert mine.tobytes() == dump.read_bytes()
    assert stored.module is None


def test_sensitivity_marks_the_largest_scores():
    net = mlp(1)
    torch.manual_seed(2)
    scores = {n: torch.rand(p.shape) for n, p in net.named_parameters()}
    stored = pcmsim.store(net, strategy="sp+am+ar+sens", cells=2, sensitivity=scores, sens_fraction=0.05,
                          progress=False)
    weights = sum(p.numel() for p in net.parameters())
    assert sum(t["sensitive_weights"] for t in stored.result["tensors"]) == math.ceil(0.05 * weights)


def test_refusals_are_one_line_value_errors():
    net = mlp()
    cases = [
        (dict(cells=0), r"cell budget 0 cells per weight"),
        (dict(seed=-1), r"^seed: expected a whole number .*got '-1'"),
        (dict(bogus=1), r"unrecognised option 'bogus'"),
        (dict(limit=10), r"^limit: belongs to pcmsim.run"),
        (dict(strategy="sp+xx"), r"^strategy: "),
        (dict(strategy="sens"), r"sens needs sensitivity"),
        (dict(engine="rtl", banks=8), r"rtl engine was built in this process with other settings"),
    ]
    pcmsim.store(net, engine="rtl", progress=False)  # the process's rtl engine, default settings
    for kwargs, message in cases:
        with pytest.raises(ValueError, match=message):
            pcmsim.store(net, progress=False, **kwargs)
    with torch.no_grad():
        net[0].weight[1, 2] = float("nan")
    with pytest.raises(ValueError, match=r"^parameter 0.weight: weight 66 is NaN$"):
        pcmsim.store(net, progress=False)
    with pytest.raises(TypeError, match="expected a torch.nn.Module"):
        pcmsim.store({"w": torch.zeros(3)})


def test_channel():
    c = pcmsim.Channel("default")
    assert c.name == "default"
    lo, hi = c.usable_range
    assert lo < 0 < hi
    x = np.linspace(-0.5, 0.5, 11)
    assert np.all(np.diff(c.mu(x)) > 0) and np.all(c.sigma(x) > 0)
    a, b = c.sample(x, seed=1), c.sample(x, seed=2)
    assert np.array_equal(a, c.sample(x, seed=1)) and not np.array_equal(a, b)
    # keyed by address: the second half drawn alone is the same draw
    assert np.array_equal(a[5:], c.sample(x[5:], seed=1, address=5))
    assert c.capacity() == pytest.approx(2.0, abs=0.005)  # the default table's documented 2.000 bits
    with pytest.raises(ValueError, match="table channels only"):
        pcmsim.Channel("awgn:0.1").capacity()
    with pytest.raises(ValueError):
        pcmsim.Channel("no-such-table.csv")


def test_run_and_sweep(tmp_path):
    model = os.path.join(MODELS, "tiny_mlp.pt")
    r = pcmsim.run(model, DIGITS, engine="model", strategy="sp+am", seeds=2, limit=50, progress=False)
    assert len(r["result"]["accuracy_per_seed"]) == 2 and 0.0 <= r["result"]["accuracy_mean"] <= 1.0
    assert r["config"]["strategy"] == "sp+am"
    grid = {"set": {"model": model, "data": DIGITS, "engine": "model", "seeds": 1, "limit": 20},
            "axes": {"strategy": ["none", "sp+am"]}}
    s = pcmsim.sweep(grid, tmp_path / "sweep", jobs=2)
    assert s["rows"] == 2 and s["failed"] == 0
    with open(s["csv"]) as f:
        assert len(f.read().splitlines()) == 3


def test_readme_example():
    """The README's Python example, as printed there."""
    readme = open(os.environ["PCMSIM_README"]).read()
    block = re.search(r"<!-- python-example -->\s*```python\n(.*?)```", readme, re.S)
    assert block, "README.md has no python-example block"
    exec(compile(block.group(1), "README.md", "exec"), {})
