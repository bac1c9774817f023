"""Input layers: featureInputLayer, imageInputLayer and what sequenceInputLayer gained
(NormalizationDimension, SplitComplexInputs). Options with MATLAB's defaults and hostile values,
formats, statistics computed from data against NumPy, and the torch modules run on Signals
against NumPy normalizations."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from layergraph import (
    OptionError,
    analyze,
    featureInputLayer,
    fullyConnectedLayer,
    imageInputLayer,
    load_spec,
    regressionLayer,
    sequenceInputLayer,
)
from layergraph.formats import Activation, vector, vector_sequence
from layergraph.layers import LayerProblem
from layergraph.sequences import Signal

RNG = np.random.default_rng


def run(layer, x, lengths=None):
    """The layer's torch module on data in torch layout; returns NumPy."""
    out = layer.build([])(Signal(torch.as_tensor(x),
                                 None if lengths is None else torch.as_tensor(lengths)))
    assert (out.lengths is None) == (lengths is None)
    return out.data.numpy()


def nchw(x):
    return np.ascontiguousarray(np.transpose(x, (0, 3, 1, 2)), dtype=np.float32)


# --- options, defaults, formats --------------------------------------------------------------------

@pytest.mark.parametrize("make, defaults", [
    (lambda: featureInputLayer(12), {"Normalization": "none", "NormalizationDimension": "auto",
                                     "SplitComplexInputs": False, "Mean": None}),
    (lambda: imageInputLayer([28, 28, 3]), {"Normalization": "zerocenter",
                                            "NormalizationDimension": "auto",
                                            "SplitComplexInputs": False}),
    (lambda: sequenceInputLayer(3), {"Normalization": "none", "NormalizationDimension": "auto",
                                     "SplitComplexInputs": False, "MinLength": 1}),
])
def test_matlab_defaults(make, defaults):
    lay = make()
    for name, value in defaults.items():
        assert getattr(lay, name) == value, name


@pytest.mark.parametrize("layer, act", [
    (featureInputLayer(12), vector(12)),
    (featureInputLayer(5, SplitComplexInputs=True), vector(10)),
    (imageInputLayer([28, 20, 3]), Activation("SSCB", (28, 20, 3, None))),
    (imageInputLayer([28, 20]), Activation("SSCB", (28, 20, 1, None))),
    (imageInputLayer([8, 8, 2], "SplitComplexInputs", 1), Activation("SSCB", (8, 8, 4, None))),
    (sequenceInputLayer(3, SplitComplexInputs=True), vector_sequence(6)),
])
def test_output_formats(layer, act):
    assert layer.inputs == () and layer.infer([]) == [act]


def test_names_and_descriptions():
    a = analyze(layers := [featureInputLayer(4), fullyConnectedLayer(2), regressionLayer()])
    assert not a.problems and layers[0].describe() == "4 features"
    assert a.graph.Layers[0].Name == "input"  # MATLAB names an unnamed one "input"
    assert imageInputLayer([28, 28, 1]).describe() == "28x28x1 images"
    assert imageInputLayer([28, 28, 1]).default_name == "imageinput"


@pytest.mark.parametrize("make, option", [
    (lambda: featureInputLayer(0), "InputSize"),
    (lambda: featureInputLayer(2.5), "InputSize"),
    (lambda: featureInputLayer([3, 4]), "InputSize"),
    (lambda: featureInputLayer("12"), "InputSize"),
    (lambda: featureInputLayer(math.inf), "InputSize"),
    (lambda: featureInputLayer(), "InputSize"),
    (lambda: imageInputLayer(5), "InputSize"),
    (lambda: imageInputLayer([0, 2, 3]), "InputSize"),
    (lambda: imageInputLayer([2, 2, 2, 2]), "InputSize"),
    (lambda: imageInputLayer([2.5, 2, 1]), "InputSize"),
    (lambda: featureInputLayer(3, Normalization="minmax"), "Normalization"),
    (lambda: featureInputLayer(3, Normalization=None), "Normalization"),
    (lambda: imageInputLayer([2, 2, 1], NormalizationDimension="time"), "NormalizationDimension"),
    (lambda: sequenceInputLayer(3, NormalizationDimension=1), "NormalizationDimension"),
    (lambda: featureInputLayer(3, SplitComplexInputs="yes"), "SplitComplexInputs"),
    (lambda: sequenceInputLayer(3, SplitComplexInputs=2), "SplitComplexInputs"),
    (lambda: featureInputLayer(3, Mean=[1, math.nan, 2]), "Mean"),
    (lambda: featureInputLayer(3, Mean=np.ones(3, complex)), "Mean"),
    (lambda: imageInputLayer([2, 2, 1], Max=["a", "b"]), "Max"),
])
def test_hostile_values_name_the_option(make, option):
    with pytest.raises(OptionError) as exc:
        make()
    assert exc.value.option == option and option in str(exc.value)


@pytest.mark.parametrize("layer, match", [
    (featureInputLayer(3, Mean=[1, 2]), r"Mean must have 1 or 3 elements"),
    (featureInputLayer(3, NormalizationDimension="all", Min=[1, 2, 3]),
     r"Min must have 1 elements \(NormalizationDimension 'all'\), got 3"),
    (imageInputLayer([4, 5, 3], Mean=np.ones(7)), r"Mean must have 1 or 3 or 60 elements"),
    (imageInputLayer([4, 5, 3], NormalizationDimension="channel", Mean=np.ones((4, 5, 3))),
     r"must have 3 elements"),
    (imageInputLayer([4, 5, 3], Mean=np.ones((5, 4, 3))), r"Mean must be 4x5x3"),
    (sequenceInputLayer(2, SplitComplexInputs=True, Mean=[0, 0]), r"1 or 4 elements"),
])
def test_statistics_of_the_wrong_size_are_analysis_problems(layer, match):
    with pytest.raises(LayerProblem, match=match):
        layer.infer([])


def test_missing_statistics_stop_the_build():
    with pytest.raises(LayerProblem, match="'zerocenter' needs Mean"):
        imageInputLayer([4, 4, 1]).build([])  # MATLAB's default needs data statistics
    assert imageInputLayer([4, 4, 1]).missing_statistics() == ["Mean"]
    assert featureInputLayer(3).missing_statistics() == []


# --- statistics from data, against NumPy ------------------------------------------------------------

def test_feature_statistics_from_data():
    X = RNG(0).standard_normal((50, 4)) * [1, 2, 3, 4] + [0, 1, 2, 3]
    lay = featureInputLayer(4, Normalization="zscore")
    lay.fit_statistics(X, reset=True)
    np.testing.assert_allclose(lay.Mean, X.mean(0))
    np.testing.assert_allclose(lay.StandardDeviation, X.std(0))
    listed = featureInputLayer(4, Normalization="rescale-zero-one")
    listed.fit_statistics(list(X), reset=True)
    np.testing.assert_allclose(listed.Min, X.min(0))
    np.testing.assert_allclose(listed.Max, X.max(0))
    whole = featureInputLayer(4, Normalization="zerocenter", NormalizationDimension="all")
    whole.fit_statistics(X, reset=True)
    assert whole.Mean.size == 1 and np.isclose(whole.Mean, X.mean())


def test_statistics_given_are_kept_without_reset():
    lay = featureInputLayer(2, Normalization="zscore", Mean=[5.0, 6.0])
    X = RNG(1).standard_normal((20, 2))
    lay.fit_statistics(X, reset=False)
    np.testing.assert_array_equal(lay.Mean, [5.0, 6.0])
    np.testing.assert_allclose(lay.StandardDeviation, X.std(0))
    lay.fit_statistics(X, reset=True)
    np.testing.assert_allclose(lay.Mean, X.mean(0))


@pytest.mark.parametrize("dim, reduce, shape", [
    ("auto", (0, 1, 2), (1, 1, 3)),
    ("channel", (0, 1, 2), (1, 1, 3)),
    ("element", (0,), (4, 5, 3)),
    ("all", None, ()),
])
def test_image_statistics_from_data(dim, reduce, shape):
    imgs = RNG(2).standard_normal((10, 4, 5, 3)) + np.arange(3)
    lay = imageInputLayer([4, 5, 3], Normalization="zscore", NormalizationDimension=dim)
    lay.fit_statistics(list(imgs), reset=True)
    assert lay.Mean.shape == shape
    np.testing.assert_allclose(lay.Mean.reshape(-1), imgs.mean(reduce).reshape(-1))
    np.testing.assert_allclose(lay.StandardDeviation.reshape(-1),
                               imgs.std(reduce).reshape(-1))
    lay.infer([])  # the statistics it computed fit its own rule


def test_sequence_statistics_over_all_values_and_per_channel():
    X = [RNG(3).standard_normal((T, 2)) * [1, 5] for T in (4, 9, 2)]
    steps = np.concatenate(X)
    per_channel = sequenceInputLayer(2, Normalization="zscore")
    per_channel.fit_statistics(X, reset=True)
    np.testing.assert_allclose(per_channel.Mean, steps.mean(0))
    scalar = sequenceInputLayer(2, Normalization="zscore", NormalizationDimension="all")
    scalar.fit_statistics(X, reset=True)
    np.testing.assert_allclose(scalar.StandardDeviation, steps.std())


def test_complex_statistics_are_over_the_split_channels():
    X = RNG(4).standard_normal((30, 2)) + 1j * RNG(5).standard_normal((30, 2))
    lay = featureInputLayer(2, Normalization="zerocenter", SplitComplexInputs=True)
    lay.fit_statistics(X, reset=True)
    np.testing.assert_allclose(lay.Mean, np.concatenate([X.real.mean(0), X.imag.mean(0)]))


# --- the torch modules, against NumPy ------------------------------------------------------------

NORMALIZE = {
    "zerocenter": lambda x, s: x - s["Mean"],
    "zscore": lambda x, s: (x - s["Mean"]) / s["StandardDeviation"],
    "rescale-zero-one": lambda x, s: (x - s["Min"]) / (s["Max"] - s["Min"]),
    "rescale-symmetric": lambda x, s: 2 * (x - s["Min"]) / (s["Max"] - s["Min"]) - 1,
}
FEATURE_STATS = {"Mean": np.array([1.0, -2.0, 0.5]), "StandardDeviation": np.array([2.0, .5, 1.]),
                 "Min": np.array([-3.0, 0.0, -1.0]), "Max": np.array([3.0, 2.0, 4.0])}


@pytest.mark.parametrize("mode", ["none", *NORMALIZE])
def test_feature_input_module(mode):
    X = RNG(6).standard_normal((5, 3)).astype(np.float32)
    lay = featureInputLayer(3, Normalization=mode, **FEATURE_STATS)
    want = X if mode == "none" else NORMALIZE[mode](X.astype(np.float64), FEATURE_STATS)
    np.testing.assert_allclose(run(lay, X), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dim", ["channel", "element", "all"])
@pytest.mark.parametrize("mode", list(NORMALIZE))
def test_image_input_module(mode, dim):
    rng = RNG(7)
    imgs = rng.standard_normal((2, 4, 5, 3))  # (N, h, w, c), MATLAB's order per image
    shape = {"channel": (1, 1, 3), "element": (4, 5, 3), "all": ()}[dim]
    lo = rng.uniform(-3, -1, shape)
    stats = {"Mean": rng.standard_normal(shape), "StandardDeviation": rng.uniform(0.5, 2, shape),
             "Min": lo, "Max": lo + rng.uniform(1, 3, shape)}
    lay = imageInputLayer([4, 5, 3], Normalization=mode, NormalizationDimension=dim, **stats)
    lay.infer([])
    got = np.transpose(run(lay, nchw(imgs)), (0, 2, 3, 1))
    np.testing.assert_allclose(got, NORMALIZE[mode](imgs, stats), rtol=1e-5, atol=1e-5)


def test_flat_element_statistics_are_read_in_matlab_order():
    mean = RNG(8).standard_normal((2, 3, 1))
    lay = imageInputLayer([2, 3, 1], Mean=mean.reshape(-1, order="F"))
    imgs = RNG(9).standard_normal((2, 2, 3, 1))
    got = np.transpose(run(lay, nchw(imgs)), (0, 2, 3, 1))
    np.testing.assert_allclose(got, imgs - mean, rtol=1e-5, atol=1e-6)


def test_sequence_module_keeps_lengths_and_normalizes_per_channel():
    X = RNG(10).standard_normal((3, 6, 2)).astype(np.float32)
    stats = {"Mean": np.array([0.5, -1.0]), "StandardDeviation": np.array([2.0, 4.0])}
    lay = sequenceInputLayer(2, Normalization="zscore", **stats)
    got = run(lay, X, lengths=[6, 2, 4])
    np.testing.assert_allclose(got, (X - stats["Mean"]) / stats["StandardDeviation"], rtol=1e-5)


def test_split_complex_inputs_module():
    X = (RNG(11).standard_normal((4, 2)) + 1j * RNG(12).standard_normal((4, 2)))
    lay = featureInputLayer(2, SplitComplexInputs=True, Normalization="zerocenter",
                            Mean=[1.0, 2.0, 3.0, 4.0])
    got = run(lay, X.astype(np.complex64))
    want = np.concatenate([X.real, X.imag], axis=1) - [1.0, 2.0, 3.0, 4.0]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    real = RNG(13).standard_normal((4, 2)).astype(np.float32)
    np.testing.assert_allclose(run(featureInputLayer(2, SplitComplexInputs=True), real),
                               np.concatenate([real, np.zeros_like(real)], axis=1))
    seq = RNG(14).standard_normal((2, 5, 3)).astype(np.float32)  # (B, T, C)
    got = run(sequenceInputLayer(3, SplitComplexInputs=True), seq, lengths=[5, 3])
    np.testing.assert_array_equal(got, np.concatenate([seq, np.zeros_like(seq)], axis=2))


# --- YAML ---------------------------------------------------------------------------------------------

def test_specs_with_the_new_input_layers():
    spec = load_spec("layers:\n  - featureInput: {InputSize: 4, Normalization: zscore}\n"
                     "  - fullyConnected: 2\n  - regression\n")
    lay = spec.graph.Layers[0]
    assert lay.matlab_name == "featureInputLayer" and lay.Normalization == "zscore"
    assert load_spec(spec.graph.save_spec()).graph == spec.graph
    img = load_spec("layers:\n  - imageInput: {InputSize: [8, 8, 3], "
                    "NormalizationDimension: element}\n  - convolution2d: [3, 4]\n"
                    "  - flatten\n  - fullyConnected: 2\n  - regression\n").graph
    assert img.Layers[0].InputSize == (8, 8, 3) and not analyze(img).problems
