"""predictAndUpdateState's streaming path equals the general path, and falls back to it."""

import numpy as np
import pytest
from conftest import assemble_initialized

from layergraph import (
    DataError,
    bilstmLayer,
    convolution1dLayer,
    fullyConnectedLayer,
    gruLayer,
    lstmLayer,
    predict,
    predictAndUpdateState,
    regressionLayer,
    resetState,
    sequenceInputLayer,
)

C = 3


def _steps(net, X, pieces):
    """Feed X piece by piece through predictAndUpdateState (the streaming path)."""
    resetState(net)
    outs, start = [], 0
    for n in pieces:
        outs.append(predictAndUpdateState(net, X[start:start + n])[1])
        start += n
    return outs


@pytest.mark.parametrize("recurrent", [lstmLayer(6), gruLayer(5),
                                       lstmLayer(4, StateActivationFunction="softsign")],
                         ids=["lstm", "gru", "lstm-loop-engine"])
def test_streaming_steps_equal_one_whole_prediction(recurrent):
    net = assemble_initialized([sequenceInputLayer(C), recurrent, fullyConnectedLayer(2),
                                regressionLayer()], seed=4)
    X = np.random.default_rng(0).normal(size=(11, C))
    whole = predict(net, X)
    parts = _steps(net, X, [1, 1, 4, 2, 3])
    np.testing.assert_allclose(np.concatenate(parts), whole, atol=1e-5)
    assert parts[0].shape == (1, 2) and parts[2].shape == (4, 2)


def test_streaming_last_output_and_a_second_network_layer():
    net = assemble_initialized([sequenceInputLayer(C), lstmLayer(5), lstmLayer(4,
                                OutputMode="last"), fullyConnectedLayer(2), regressionLayer()],
                               seed=2)
    X = np.random.default_rng(1).normal(size=(9, C))
    parts = _steps(net, X, [5, 4])
    assert parts[1].shape == (1, 2)
    np.testing.assert_allclose(parts[1], predict(net, [X]), atol=1e-5)


def test_streaming_with_a_strided_convolution_returns_its_own_steps():
    net = assemble_initialized([sequenceInputLayer(C), convolution1dLayer(3, 4, Stride=2,
                                Padding="same"), fullyConnectedLayer(2), regressionLayer()],
                               seed=3)
    X = np.random.default_rng(2).normal(size=(7, C)).astype(np.float32)
    resetState(net)
    _, y = predictAndUpdateState(net, X)
    np.testing.assert_allclose(y, predict(net, X), atol=1e-6)
    assert y.shape == (4, 2)


def test_inputs_the_streaming_path_does_not_take_get_the_general_checks():
    net = assemble_initialized([sequenceInputLayer(C), bilstmLayer(3), fullyConnectedLayer(2),
                                regressionLayer()], seed=1)
    bad = np.ones((4, C))
    bad[2, 1] = np.nan
    with pytest.raises(DataError, match=r"time step 2"):
        predictAndUpdateState(net, bad)
    with pytest.raises(DataError, match="4 channels, expected 3"):
        predictAndUpdateState(net, np.ones((5, 4)))
    resetState(net)
    predictAndUpdateState(net, [np.ones((4, C)), np.ones((4, C))])  # state for 2 sequences
    with pytest.raises(DataError, match="state is for 2 sequences"):
        predictAndUpdateState(net, np.ones((4, C)))
    resetState(net)
    ints = np.arange(12).reshape(4, C)  # integers take the general path and give the same
    np.testing.assert_allclose(predictAndUpdateState(net, ints)[1],
                               predict(net, ints.astype(float)), atol=1e-6)
