"""A new layer is one small, self-contained addition: a class in a module of its own.

The layer below lives in a temporary module written by the test; nothing else in the package is
changed, yet every front end and back end handles it: Python constructors, YAML load and save, the
schema generator, MATLAB translation, analysis, rendering, and saving / loading a network.
"""

from __future__ import annotations

import importlib
import sys
import textwrap

import numpy as np
import pytest

MODULE = textwrap.dedent('''
    """scaledTanhLayer(scale): scale * tanh(x), a layer defined outside the package."""
    import torch

    from layergraph.layers.activations import ActivationLayer
    from layergraph.layers.base import register
    from layergraph.options import Number, Option


    @register
    class ScaledTanhLayer(ActivationLayer):
        """Scaled hyperbolic tangent: scaledTanhLayer(scale) computes scale * tanh(x)."""

        matlab_name, type_description, default_name = (
            "scaledTanhLayer", "Scaled Tanh", "scaledtanh")
        positional = ("Scale",)
        options = {"Scale": Option(Number(low=0, low_open=True), 1.0, "output scale")}

        def function(self):
            scale = self.Scale
            return lambda d: scale * torch.tanh(d)
''')


@pytest.fixture
def scaled_tanh(tmp_path, monkeypatch):
    from layergraph import load_spec
    from layergraph.layers import base

    load_spec("layers: [sequenceInput: 3, fullyConnected: 2, regression]")  # schema in use before

    (tmp_path / "scaled_tanh_layer.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    before = (dict(base.REGISTRY), dict(base._BY_KEY))
    mod = importlib.import_module("scaled_tanh_layer")
    yield mod.ScaledTanhLayer
    base.REGISTRY.clear()
    base.REGISTRY.update(before[0])
    base._BY_KEY.clear()
    base._BY_KEY.update(before[1])
    sys.modules.pop("scaled_tanh_layer", None)


def _network(cls):
    from layergraph import fullyConnectedLayer, regressionLayer, sequenceInputLayer

    rng = np.random.default_rng(0)
    return [sequenceInputLayer(3, Name="in"), cls(2.5, Name="st"),
            fullyConnectedLayer(2, Name="fc", Weights=rng.normal(size=(2, 3)), Bias=[[0.1], [-0.2]]),
            regressionLayer(Name="out")]


def test_python_constructors_and_registry(scaled_tanh):
    from layergraph import OptionError, layer_class

    assert layer_class("scaledTanhLayer") is scaled_tanh
    assert layer_class("scaledTanh") is scaled_tanh  # YAML key derived from the MATLAB name
    assert scaled_tanh(2.5) == scaled_tanh("Scale", 2.5) == scaled_tanh(Scale=2.5)
    with pytest.raises(OptionError, match="'Scale'") as err:
        scaled_tanh(Scale=-1)
    assert err.value.option == "Scale" and err.value.part == "value"


def test_yaml_schema_and_round_trip(scaled_tanh):
    from layergraph import load_spec, save_spec
    from layergraph.schema import build_schema

    schema = build_schema()
    assert "scaledTanhLayer" in schema["$defs"]
    text = textwrap.dedent("""
        name: scaled
        layers:
          - sequenceInput: 3
          - scaledTanh: 2.5
          - fullyConnected: 2
          - regression
    """)
    import yaml

    from layergraph.schema import validator

    assert not list(validator().iter_errors(yaml.safe_load(text)))  # the schema knows it
    spec = load_spec(text)
    lay = spec.graph.layer("scaledtanh")
    assert isinstance(lay, scaled_tanh) and lay.Scale == 2.5
    again = load_spec(save_spec(spec))
    assert again.graph == spec.graph
    bad = text.replace("scaledTanh: 2.5", "scaledTanh: {Scal: 2.5}")
    from layergraph import SpecError

    with pytest.raises(SpecError, match="Scale"):
        load_spec(bad)


def test_matlab_translation(scaled_tanh):
    from layergraph import from_matlab

    t = from_matlab("layers = [sequenceInputLayer(3)\n scaledTanhLayer(2.5,'Name','st')\n"
                    " fullyConnectedLayer(2)\n regressionLayer];")
    lay = t.graph.layer("st")
    assert isinstance(lay, scaled_tanh) and lay.Scale == 2.5


def test_analysis_rendering_and_saved_network(scaled_tanh, tmp_path):
    from layergraph import analyze, assembleNetwork, load_network, predict, save_network
    from layergraph.render import to_dot

    layers = _network(scaled_tanh)
    report = analyze(layers)
    assert report.ok
    assert report.report("st").description == "Scaled Tanh"
    assert str(report.report("st").activations["out"]) == "3(C) x 1(B) x T(T)"
    dot = to_dot(layers)
    assert "Scaled Tanh" in dot and "Scale: 2.5" in dot

    net = assembleNetwork(layers)
    X = [np.random.default_rng(1).normal(size=(5, 3)).astype(np.float32)]
    y = predict(net, X)[0]
    fc = layers[2]
    want = (2.5 * np.tanh(X[0].astype(np.float64))) @ fc.Weights.T + fc.Bias.reshape(-1)
    np.testing.assert_allclose(y, want, atol=1e-5)
    save_network(net, tmp_path / "net.pt")
    back = load_network(tmp_path / "net.pt")
    assert isinstance(back.graph.layer("st"), scaled_tanh)
    np.testing.assert_allclose(predict(back, X)[0], y, atol=0)
