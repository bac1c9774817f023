"""Property-based: data for feature, image and two-input networks is predicted or refused with a
DataError naming it -- never another exception (as tests/test_fuzz_entry_points.py for
sequences)."""

from __future__ import annotations

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from layergraph import (  # noqa: E402
    DataError,
    concatenationLayer,
    dlnetwork,
    featureInputLayer,
    fullyConnectedLayer,
    imageInputLayer,
    layerGraph,
    lstmLayer,
    minibatchpredict,
    sequenceInputLayer,
)

SETTINGS = settings(derandomize=True, deadline=None, database=None,
                    suppress_health_check=list(HealthCheck), max_examples=150)
ARRAYS = hnp.arrays(st.sampled_from([np.float32, np.float64, np.int64, np.bool_, np.complex64,
                                     np.str_, object]),
                    hnp.array_shapes(min_dims=0, max_dims=5, min_side=0, max_side=4),
                    elements=None)
DATA = st.one_of(ARRAYS, st.lists(ARRAYS, max_size=3),
                 st.lists(st.lists(st.floats(-5, 5), max_size=4), max_size=3),
                 st.none(), st.floats(), st.text(max_size=4))
FORMATS = st.sampled_from(["auto", "BC", "CB", "SSCB", "BSSC", "CSSB", "TC", "BTC", "SSC", "C"])

FEATURES = dlnetwork([featureInputLayer(3), fullyConnectedLayer(2)])
IMAGES = dlnetwork([imageInputLayer([2, 3, 1], Normalization="none"), fullyConnectedLayer(2)])


def two_inputs():
    lg = layerGraph([sequenceInputLayer(2, Name="seq"), lstmLayer(3, OutputMode="last"),
                     concatenationLayer(1, 2, Name="cat"), fullyConnectedLayer(2)])
    lg.addLayers(featureInputLayer(3, Name="feat"))
    lg.connectLayers("feat", "cat/in2")
    return dlnetwork(lg)


TWO = two_inputs()


def finite(out):
    assert np.all(np.isfinite(out))


@SETTINGS
@given(DATA, FORMATS, st.sampled_from([FEATURES, IMAGES]))
def test_observation_data_is_predicted_or_refused_with_a_data_error(X, fmt, net):
    try:
        out = minibatchpredict(net, X, InputDataFormats=fmt)
    except DataError as exc:
        assert "X" in str(exc)
        return
    assert out.ndim == 2 and out.shape[1] == 2
    finite(out)


@SETTINGS
@given(DATA, DATA)
def test_two_input_data_is_predicted_or_refused_with_a_data_error(X1, X2):
    try:
        out = minibatchpredict(TWO, X1, X2)
    except DataError as exc:
        assert "X" in str(exc) or "predictor" in str(exc)
        return
    finite(out)
