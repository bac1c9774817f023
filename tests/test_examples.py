"""The ported MATLAB examples (examples/*.py): each runs in its smoke mode, writes its outputs, and
builds the same network as its spec (specs/) and its MATLAB source (examples/matlab/)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from layergraph import from_matlab, load_spec
from layergraph.datasets import japanese_vowels

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n"


def _example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def conv1d():
    return _example("japanese_vowels_conv1d")


def _matlab(name, **variables):
    path = ROOT / "examples" / "matlab" / f"{name}.m"
    return from_matlab(path.read_text(), filename=str(path), variables=variables)


def _is_png(path):
    p = Path(path)
    return p.is_file() and p.read_bytes()[:8] == PNG


# --- Sequence Classification Using 1-D Convolutions (Japanese Vowels) ---------------------------

@pytest.fixture(scope="module")
def conv1d_smoke(conv1d, tmp_path_factory):
    out = tmp_path_factory.mktemp("conv1d")
    paths = {"plot": out / "plots" / "progress.png", "predictions": out / "pred.csv",
             "save": out / "net.pt"}
    res = conv1d.main(["--smoke", "--device", "cpu", "--plot", str(paths["plot"]),
                       "--predictions", str(paths["predictions"]), "--save", str(paths["save"])])
    return res, paths


def test_conv1d_smoke_trains_predicts_and_writes_its_outputs(conv1d, conv1d_smoke):
    res, paths = conv1d_smoke
    assert res["info"].TrainingLoss and np.isfinite(res["info"].TrainingLoss).all()
    assert 0.0 <= res["accuracy"] <= 1.0
    assert _is_png(paths["plot"])
    with open(paths["predictions"]) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 54
    assert {r["predicted"] for r in rows} <= {str(k) for k in range(1, 10)}
    acc = np.mean([r["label"] == r["predicted"] for r in rows])
    assert acc == pytest.approx(res["accuracy"])
    assert paths["save"].is_file() and paths["save"].stat().st_size > 0
    # The network is the example's: MinLength from the (smoke) training data, two causal
    # convolutions.
    layers = res["net"].Layers
    X, Y = conv1d._subset(*japanese_vowels("train"), 54)
    assert layers[0].MinLength == min(len(x) for x in X) > 1
    assert [lay.NumFilters for lay in layers if hasattr(lay, "NumFilters")] == [32, 64]


def test_conv1d_seed_makes_runs_reproducible(conv1d, conv1d_smoke):
    again = conv1d.main(["--smoke", "--device", "cpu"])
    assert again["info"].TrainingLoss == conv1d_smoke[0]["info"].TrainingLoss
    other = conv1d.main(["--smoke", "--device", "cpu", "--seed", "1"])
    assert other["info"].TrainingLoss != conv1d_smoke[0]["info"].TrainingLoss


def test_conv1d_spec_builds_the_example_network(conv1d):
    spec = load_spec(ROOT / "specs" / "japanese-vowels-conv1d.yaml")
    assert spec.graph == conv1d.build_graph(12, 9, 7)
    assert spec.graph != conv1d.build_graph(12, 9, 1)  # MinLength is part of the comparison
    assert spec.options == conv1d.matlab_options()


def test_conv1d_matlab_source_translates_to_the_example_network(conv1d):
    t = _matlab("japanese_vowels_conv1d", numFeatures=12, numClasses=9, minLength=7)
    assert t.graph == conv1d.build_graph(12, 9, 7)
    assert t.options == conv1d.matlab_options()
    assert t.variables["filterSize"] == 3 and t.variables["numFilters"] == 32
