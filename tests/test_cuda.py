"""The same networks on the GPU and on the CPU give the same outputs (1e-4).

Skipped when torch sees no CUDA device. TensorFloat-32 is switched off for these comparisons
(torch allows it in cuDNN convolutions by default; it rounds inputs to 10-bit mantissas), so the
tests check that layergraph computes the same thing on both devices, not TF32's rounding.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from conftest import initialize_learnables

from layergraph import (
    assembleNetwork,
    bilstmLayer,
    connectLayers,
    convolution1dLayer,
    fullyConnectedLayer,
    globalAveragePooling1dLayer,
    gruLayer,
    gruProjectedLayer,
    layerGraph,
    lstmLayer,
    lstmProjectedLayer,
    predict,
    regressionLayer,
    sequenceInputLayer,
    softmaxLayer,
)

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason="no CUDA device (torch.cuda.is_available() is False)")

C = 5
LENGTHS = [12, 3, 8, 1, 10, 6]


@pytest.fixture(autouse=True)
def no_tf32():
    old = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = old


def cpu_and_gpu(graph, X, **opts):
    """Predictions of the same initialized graph assembled for the CPU and for the GPU."""
    cpu = assembleNetwork(graph, ExecutionEnvironment="cpu")
    gpu = assembleNetwork(graph, ExecutionEnvironment="gpu")
    assert next(gpu.module.parameters()).is_cuda
    return predict(cpu, X, **opts), predict(gpu, X, **opts)


def assert_close(a, b, atol=1e-4):
    if isinstance(a, list):
        assert len(a) == len(b)
        for i, (x, y) in enumerate(zip(a, b)):
            assert x.shape == y.shape
            np.testing.assert_allclose(y, x, atol=atol, rtol=0, err_msg=f"sequence {i}")
    else:
        assert a.shape == b.shape
        np.testing.assert_allclose(b, a, atol=atol, rtol=0)


def sequences(seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((T, C)) for T in LENGTHS]


RECURRENT = [
    lambda mode: lstmLayer(16, OutputMode=mode, BiasInitializer="narrow-normal"),
    lambda mode: bilstmLayer(16, OutputMode=mode, BiasInitializer="narrow-normal"),
    lambda mode: gruLayer(16, OutputMode=mode, BiasInitializer="narrow-normal"),
    lambda mode: gruLayer(16, OutputMode=mode, ResetGateMode="recurrent-bias-after-multiplication",
                          BiasInitializer="narrow-normal"),
    lambda mode: gruLayer(16, OutputMode=mode, ResetGateMode="before-multiplication",
                          BiasInitializer="narrow-normal"),
    lambda mode: lstmLayer(16, OutputMode=mode, StateActivationFunction="softsign",
                           GateActivationFunction="hard-sigmoid"),
    lambda mode: bilstmLayer(16, OutputMode=mode, StateActivationFunction="softsign"),
    lambda mode: lstmProjectedLayer(16, 6, 3, OutputMode=mode, BiasInitializer="narrow-normal"),
    lambda mode: gruProjectedLayer(16, 6, 3, OutputMode=mode, BiasInitializer="narrow-normal",
                                   ResetGateMode="recurrent-bias-after-multiplication"),
    lambda mode: gruProjectedLayer(16, 6, 3, OutputMode=mode, BiasInitializer="narrow-normal",
                                   ResetGateMode="before-multiplication"),
]
IDS = ["lstm", "bilstm", "gru", "gru-recurrent-bias", "gru-before", "lstm-softsign-hard",
       "bilstm-softsign", "lstm-projected", "gru-projected-recurrent-bias",
       "gru-projected-before"]


@pytest.mark.parametrize("make", RECURRENT, ids=IDS)
@pytest.mark.parametrize("mode", ["sequence", "last"])
def test_recurrent_networks_on_gpu_equal_cpu(make, mode):
    g = initialize_learnables([sequenceInputLayer(C), make(mode), fullyConnectedLayer(3),
                               regressionLayer()], seed=1)
    X = sequences()
    for mbs in (len(X), 2):
        cpu, gpu = cpu_and_gpu(g, X, MiniBatchSize=mbs)
        assert_close(cpu, gpu)


def test_state_ports_on_gpu_equal_cpu():
    g = layerGraph([sequenceInputLayer(C, Name="in"), lstmLayer(8, HasStateOutputs=True, Name="enc"),
                    lstmLayer(8, HasStateInputs=True, OutputMode="last", Name="dec"),
                    regressionLayer(Name="out")])
    g = connectLayers(connectLayers(g, "enc/hidden", "dec/hidden"), "enc/cell", "dec/cell")
    g = initialize_learnables(g, seed=2)
    cpu, gpu = cpu_and_gpu(g, sequences(1))
    assert_close(cpu, gpu)


def test_convolution_network_on_gpu_equal_cpu():
    g = initialize_learnables([sequenceInputLayer(C), convolution1dLayer(3, 8, Padding="causal"),
                               convolution1dLayer(3, 8, Padding="same", Stride=2),
                               globalAveragePooling1dLayer(), fullyConnectedLayer(4),
                               softmaxLayer(), regressionLayer()], seed=3)
    cpu, gpu = cpu_and_gpu(g, sequences(2))
    assert_close(cpu, gpu)


def test_video_network_on_gpu_equal_cpu():
    from test_video_network import frames, randomize_statistics, video_graph

    rng = np.random.default_rng(4)
    g = initialize_learnables(video_graph(), seed=5)
    randomize_statistics(g, rng)
    X = frames(rng, [4, 2, 5], 28)
    cpu, gpu = cpu_and_gpu(g, X, MiniBatchSize=3)
    assert cpu.shape == (3, 10)
    assert_close(cpu, gpu)
