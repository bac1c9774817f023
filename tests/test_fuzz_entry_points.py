"""Property-based: option values, data arrays and saved files either work or raise layergraph's
own error that names the place -- never another exception.

Seeded (``derandomize``) and bounded, a few seconds in all; the text entry points (YAML specs,
MATLAB code) have their own suite in test_fuzz_text.py.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from layergraph import (  # noqa: E402
    REGISTRY,
    DataError,
    FileError,
    LayerGraphError,
    OptionError,
    assembleNetwork,
    fullyConnectedLayer,
    load_network,
    lstmLayer,
    predict,
    regressionLayer,
    save_network,
    sequenceInputLayer,
    trainingOptions,
)
from layergraph.persistence import read_state, write_state  # noqa: E402
from layergraph.training.options import OPTIONS as TRAINING_OPTIONS  # noqa: E402

SCALE = int(os.environ.get("LAYERGRAPH_FUZZ_SCALE", "1"))
"""tools/fuzz_entry_points.py sets this to run many times the budget, with fresh random seeds."""


def budget(examples):
    return settings(derandomize=SCALE == 1, deadline=None, database=None, print_blob=True,
                    suppress_health_check=list(HealthCheck), max_examples=examples * SCALE)


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2 ** 80, max_value=2 ** 80),
    st.floats(allow_nan=True, allow_infinity=True), st.complex_numbers(),
    st.text(max_size=12), st.binary(max_size=6),
    st.sampled_from(["auto", "last", "sequence", "none", "same", "causal", "Inf", "zscore"]),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=5),
    st.lists(st.lists(st.integers(-3, 9), max_size=3), max_size=3),
    hnp.arrays(st.sampled_from([np.float64, np.int8, np.bool_, np.complex64, np.uint16]),
               hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
REQUIRED = {"InputSize": 3, "NumHiddenUnits": 4, "OutputSize": 2, "FilterSize": 3,
            "NumFilters": 4, "PoolSize": 2, "Dimension": 3, "NumWords": 5,
            "NumHeads": 2, "NumKeyChannels": 4, "MaxPosition": 8,
            "OutputProjectorSize": 2, "InputProjectorSize": 2, "Dim": 1,
            "Ceiling": 6, "NumGroups": 1}
LAYERS = sorted(REGISTRY)


@budget(400)
@given(st.sampled_from(LAYERS), st.data(), VALUES)
def test_layer_options_take_a_value_or_name_the_option(name, data, value):
    cls = REGISTRY[name]
    option = data.draw(st.sampled_from(["Name", *sorted(cls.options)]))
    args = {k: REQUIRED[k] for k in cls.required if k != option}
    try:
        cls(**args, **{option: value})
    except OptionError as exc:
        assert exc.option in (option, *cls.required), (name, option, exc)
        assert exc.owner and exc.option in str(exc), (name, option, exc)


@budget(200)
@given(st.sampled_from(sorted(TRAINING_OPTIONS)), VALUES)
def test_training_options_take_a_value_or_name_the_option(option, value):
    try:
        trainingOptions("adam", **{option: value})
    except OptionError as exc:
        assert exc.option == option and option in str(exc), (option, exc)


NET = assembleNetwork([
    sequenceInputLayer(3), lstmLayer(4, InputWeights=np.ones((16, 3)) * 0.1,
                                     RecurrentWeights=np.ones((16, 4)) * 0.1, Bias=np.zeros(16)),
    fullyConnectedLayer(2, Weights=np.ones((2, 4)), Bias=np.zeros((2, 1))), regressionLayer()],
    "cpu")

ARRAYS = hnp.arrays(st.sampled_from([np.float32, np.float64, np.int64, np.bool_, np.complex64,
                                     np.str_, object]),
                    hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
                    elements=None)
DATA = st.one_of(ARRAYS, st.lists(ARRAYS, max_size=4),
                 st.lists(st.lists(st.lists(st.floats(-5, 5), max_size=4), max_size=4),
                          max_size=3),
                 SCALARS)


@budget(300)
@given(DATA)
def test_prediction_data_is_predicted_or_refused_with_a_data_error(X):
    try:
        out = predict(NET, X)
    except DataError as exc:
        assert "X" in str(exc)  # names the data (and the sequence, where one is at fault)
        return
    assert np.all(np.isfinite(np.concatenate([np.asarray(o).reshape(-1) for o in out])
                              if isinstance(out, list) else out))


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "net.pt"
    save_network(NET, path)
    return path


@budget(150)
@given(data=st.data())
def test_damaged_saved_files_are_refused_with_a_file_error(saved, tmp_path_factory, data):
    raw = bytearray(saved.read_bytes())
    edits = data.draw(st.lists(st.tuples(st.integers(0, len(raw) - 1), st.integers(0, 255)),
                               min_size=1, max_size=4))
    for at, byte in edits:
        raw[at] = byte
    if data.draw(st.booleans()):
        raw = raw[:data.draw(st.integers(0, len(raw)))]
    path = tmp_path_factory.mktemp("bad") / "net.pt"
    path.write_bytes(bytes(raw))
    try:
        load_network(path, "cpu")
    except FileError as exc:
        assert str(path) in str(exc)


def _mutate(obj, data):
    """Replace one entry somewhere in a nested state by a drawn value (or delete it)."""
    if isinstance(obj, dict) and obj:
        key = data.draw(st.sampled_from(sorted(obj, key=str)))
        if data.draw(st.integers(0, 3)) == 0:
            del obj[key]
        elif isinstance(obj[key], (dict, list)) and data.draw(st.booleans()):
            _mutate(obj[key], data)
        else:
            obj[key] = data.draw(SCALARS)
    elif isinstance(obj, list) and obj:
        i = data.draw(st.integers(0, len(obj) - 1))
        if isinstance(obj[i], (dict, list)) and data.draw(st.booleans()):
            _mutate(obj[i], data)
        else:
            obj[i] = data.draw(SCALARS)


@budget(150)
@given(data=st.data())
def test_hashed_files_with_damaged_entries_are_refused_with_a_file_error(saved, tmp_path_factory,
                                                                        data):
    state = read_state(saved)
    for _ in range(data.draw(st.integers(1, 3))):
        _mutate(state, data)
    path = tmp_path_factory.mktemp("entries") / "net.pt"
    try:
        write_state(state, path)  # a valid hash over damaged content
    except Exception:  # noqa: BLE001  (a value torch.save itself cannot store: not our case)
        return
    try:
        load_network(path, "cpu")
    except LayerGraphError as exc:
        assert str(path) in str(exc), exc
