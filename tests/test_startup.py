"""Start-up: checking, analysing, drawing and translating networks never import torch.

Each check runs in a fresh Python process (this test process has torch loaded long ago) and reads
``sys.modules`` at its end. Every check has a counterpart that does need torch, run the same way,
so a check that cannot see torch would fail there. No timing is asserted (benchmarks/
bench_startup.py measures it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPEC = "specs/bilstm-sequence-to-label-classification.yaml"
MATLAB = "tests/fixtures/matlab/japanese_vowels_bilstm.m"


def fresh(code: str, *args: str) -> dict:
    """Run ``code`` in a new interpreter (the repository first on the path); it ends by printing
    one JSON line, which is returned with ``torch``: whether torch was imported."""
    epilogue = textwrap.dedent("""
        import json as _json, sys as _sys
        print(_json.dumps({**globals().get("RESULT", {}), "torch": "torch" in _sys.modules}))
    """)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code) + epilogue, *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


CLI = """
import contextlib, io, sys
from layergraph.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:  # --help
        code = exc.code
RESULT = {"code": code, "out": out.getvalue()}
"""


def test_the_python_workflow_without_training_imports_no_torch():
    got = fresh("""
        import layergraph
        from layergraph import analyzeNetwork, from_matlab, load_spec
        from layergraph.schema import build_schema

        spec = load_spec("specs/bilstm-sequence-to-label-classification.yaml")
        report = analyzeNetwork(spec.graph)
        t = from_matlab("layers = [sequenceInputLayer(12)\\n lstmLayer(20,'OutputMode','last')\\n"
                        " fullyConnectedLayer(9)\\n softmaxLayer\\n classificationLayer];")
        RESULT = {
            "ok": report.ok,
            "learnables": report.report("bilstm").learnables,
            "translated": [type(lay).__name__ for lay in t.graph.Layers],
            "schema_layers": "lstmLayer" in build_schema()["$defs"],
            "names": all(hasattr(layergraph, n) for n in ("lstmLayer", "LSTMLayer", "layerGraph",
                                                          "render", "SpecError")),
        }
    """)
    assert got["ok"] and got["schema_layers"] and got["names"]
    # the layers' facts (here the learnables' shapes) without their torch modules
    assert got["learnables"] == {"InputWeights": [800, 12], "RecurrentWeights": [800, 100],
                                 "Bias": [800, 1]}
    assert got["translated"] == ["SequenceInputLayer", "LSTMLayer", "FullyConnectedLayer",
                                 "SoftmaxLayer", "ClassificationLayer"]
    assert got["torch"] is False


def test_assembling_a_network_imports_torch_then():
    # The counterpart: the same kind of process sees torch once a network is compiled.
    got = fresh("""
        import sys
        import numpy as np
        import layergraph
        before = "torch" in sys.modules
        net = layergraph.assembleNetwork([layergraph.sequenceInputLayer(3),
                                          layergraph.fullyConnectedLayer(2, Weights=np.ones((2, 3)),
                                                                         Bias=np.zeros((2, 1))),
                                          layergraph.regressionLayer()])
        y = layergraph.predict(net, [np.ones((4, 3), dtype=np.float32)])[0]
        RESULT = {"before": before, "y": np.asarray(y).tolist()}
    """)
    assert got["before"] is False and got["torch"] is True
    assert got["y"] == [[3.0, 3.0]] * 4


@pytest.mark.parametrize("args", [
    ["--help"],
    ["validate", SPEC],
    ["analyze", SPEC],
    ["schema"],
    ["from-matlab", MATLAB],
], ids=lambda a: a[0])
def test_commands_that_check_and_translate_import_no_torch(args):
    got = fresh(CLI, *args)
    assert got["code"] == 0
    assert got["out"]  # the command did its work: help text, OK lines, a table, YAML
    assert got["torch"] is False


def test_render_imports_no_torch(tmp_path):
    out = tmp_path / "net.dot"
    got = fresh(CLI, "render", SPEC, "-o", str(out))
    assert got["code"] == 0 and "digraph" in out.read_text()
    assert got["torch"] is False


def test_predict_imports_torch_when_it_runs(tmp_path):
    # The counterpart for the command line: loading a network (here a missing file) needs torch.
    got = fresh(CLI, "predict", str(tmp_path / "missing.pt"), "--data", "japanese_vowels")
    assert got["code"] != 0
    assert got["torch"] is True


def test_the_layergraph_command_itself_imports_no_torch():
    # `python -m layergraph` (what the console script runs), through the package's __main__.
    got = fresh("""
        import runpy, sys
        sys.argv = ["layergraph", "validate", "specs/bilstm-sequence-to-label-classification.yaml"]
        try:
            runpy.run_module("layergraph", run_name="__main__")
        except SystemExit as exc:
            RESULT = {"code": exc.code}
    """)
    assert got["code"] == 0 and got["torch"] is False


def test_python_m_layergraph_schema_runs_without_runpy_warning():
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-m", "layergraph.schema",
                           "--check"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "RuntimeWarning" not in proc.stderr and "up to date" in proc.stdout


def test_lazy_names_are_the_modules_own():
    got = fresh("""
        import layergraph
        import layergraph.render  # importing the module must not hide the function render
        ns = {}
        exec("from layergraph import *", ns)
        from layergraph.network import assembleNetwork
        from layergraph.render import render
        from layergraph.spec import load_spec
        from layergraph.training.trainer import trainNetwork
        RESULT = {
            "missing": [n for n in layergraph.__all__ if n not in ns],
            "same": [layergraph.assembleNetwork is assembleNetwork, layergraph.render is render,
                     ns["render"] is render, layergraph.load_spec is load_spec,
                     layergraph.trainNetwork is trainNetwork],
            "dir": {"trainNetwork", "lstmLayer"} <= set(dir(layergraph)),
        }
        try:
            layergraph.no_such_name
        except AttributeError as exc:
            RESULT["error"] = str(exc)
    """)
    assert got["missing"] == [] and all(got["same"]) and got["dir"]
    assert "no_such_name" in got["error"]


def test_graph_services_load_the_spec_package_on_first_use():
    got = fresh("""
        import sys
        from layergraph.graph import layerGraph
        from layergraph.layers import fullyConnectedLayer, regressionLayer, sequenceInputLayer
        from layergraph.graph import LayerGraph
        g = layerGraph([sequenceInputLayer(3), fullyConnectedLayer(2), regressionLayer()])
        before = "layergraph.spec" in sys.modules
        text = g.save_spec()
        RESULT = {"before": before, "round_trip": LayerGraph.from_spec(text) == g,
                  "svg": g._repr_svg_() is None or "<svg" in g._repr_svg_()}
    """)
    assert got["before"] is False
    assert got["round_trip"] and got["svg"]
    assert got["torch"] is False


def test_the_validators_schema_is_valid():
    # schema.validator() no longer checks its schema against the metaschema (start-up time): the
    # schema it validates with must be one the metaschema accepts.
    import jsonschema

    from layergraph.schema import build_schema, validator

    v = validator()
    assert v.schema == build_schema()
    jsonschema.Draft202012Validator.check_schema(v.schema)
    assert not v.is_valid({"layers": [{"lstm": {"NumHiddenUnits": "many"}}]})
