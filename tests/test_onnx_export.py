"""exportONNXNetwork: onnxruntime gives predict's results, padding-invariantly, for every network
family (LSTM, BiLSTM, GRU in both output modes, 1-D convolution, fully connected, the fold/unfold
video network); a layer ONNX cannot express is named; bad options and a missing package say so.

The reference is ``predict`` (itself checked against NumPy in test_recurrent_numerics.py and
test_video_network.py); one network is also checked against the NumPy LSTM of reference_rnn.py.
"""

from __future__ import annotations

import numpy as np
import pytest

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")
onnx = pytest.importorskip("onnx")

import reference_rnn as ref  # noqa: E402
import torch  # noqa: E402
from conftest import initialize_learnables  # noqa: E402

from layergraph import (  # noqa: E402
    OptionError,
    additionLayer,
    addLayers,
    assembleNetwork,
    bilstmLayer,
    classificationLayer,
    clippedReluLayer,
    concatenationLayer,
    connectLayers,
    convolution1dLayer,
    dlnetwork,
    eluLayer,
    fullyConnectedLayer,
    geluLayer,
    globalAveragePooling1dLayer,
    gruLayer,
    indexing1dLayer,
    layerGraph,
    layerNormalizationLayer,
    lstmLayer,
    positionEmbeddingLayer,
    predict,
    regressionLayer,
    reluLayer,
    selfAttentionLayer,
    sequenceInputLayer,
    sigmoidLayer,
    softmaxLayer,
    softplusLayer,
    swishLayer,
)
from layergraph.errors import ExportError  # noqa: E402
from layergraph.layers.activations import ActivationLayer  # noqa: E402
from layergraph.onnx_export import exportONNXNetwork  # noqa: E402

LENGTHS = (9, 4, 7, 1, 6)


def sequences(rng, lengths, shape):
    return [rng.standard_normal((n, *shape)).astype(np.float32) for n in lengths]


def padded(seqs):
    T = max(len(s) for s in seqs)
    x = np.zeros((len(seqs), T, *seqs[0].shape[1:]), np.float32)
    x[:] = 123.0  # padding must never be read: fill it with something loud
    for i, s in enumerate(seqs):
        x[i, :len(s)] = s
    return x, np.array([len(s) for s in seqs], np.int64)


def session(path):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def run_onnx(sess, seqs):
    """Per-sequence outputs of the ONNX model on one padded batch of ``seqs``."""
    x, lengths = padded(seqs)
    out = sess.run(None, {"x": x, "lengths": lengths})
    if len(out) == 1:
        return list(out[0])
    y, y_len = out
    return [y[i, :n] for i, n in enumerate(y_len)]


def export(net, tmp_path, name="net.onnx", **kw):
    path = tmp_path / name
    exportONNXNetwork(net, path, **kw)
    return path


FAMILIES = {
    # conv1d (causal), BiLSTM 'sequence', fully connected: a sequence-to-sequence regressor
    "conv-bilstm-seq": lambda: [sequenceInputLayer(3), convolution1dLayer(3, 4, Padding="causal"),
                                reluLayer(), bilstmLayer(5), fullyConnectedLayer(2),
                                regressionLayer()],
    # LSTM 'sequence' into GRU 'last': a classifier
    "lstm-seq-gru-last": lambda: [sequenceInputLayer(3), lstmLayer(6), gruLayer(4, OutputMode="last"),
                                  fullyConnectedLayer(3), softmaxLayer(), classificationLayer()],
    # GRU 'sequence' into BiLSTM 'last'
    "gru-seq-bilstm-last": lambda: [sequenceInputLayer(3), gruLayer(5), bilstmLayer(3, OutputMode="last"),
                                    fullyConnectedLayer(2), regressionLayer()],
    # strided 'same' convolution: the output is shorter than the input, per sequence
    "conv-stride-lstm-seq": lambda: [sequenceInputLayer(3), convolution1dLayer(3, 4, Padding="same",
                                                                               Stride=2),
                                     lstmLayer(4), fullyConnectedLayer(2), regressionLayer()],
}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_onnxruntime_equals_predict_on_batches_of_different_lengths(family, tmp_path):
    net = assembleNetwork(initialize_learnables(FAMILIES[family](), seed=3))
    sess = session(export(net, tmp_path))
    seqs = sequences(np.random.default_rng(1), LENGTHS, (3,))
    want = predict(net, seqs)
    got = run_onnx(sess, seqs)
    for w, g in zip(want, got):
        assert g.shape == np.shape(w)
        np.testing.assert_allclose(g, w, atol=1e-5, rtol=0)
    # padding-invariant: each sequence alone gives what it gave batched with longer ones
    for s, g in zip(seqs, got):
        np.testing.assert_allclose(run_onnx(sess, [s])[0], g, atol=1e-6, rtol=0)


def _residual_tcn():
    """causal conv -> layer norm -> gelu, plus a 1x1-conv skip, summed by additionLayer."""
    g = layerGraph([sequenceInputLayer(3, Name="in"),
                    convolution1dLayer(3, 4, Padding="causal", Name="c1"),
                    layerNormalizationLayer(Name="ln"), geluLayer(Name="g"),
                    additionLayer(2, Name="add"), swishLayer(Name="sw"),
                    globalAveragePooling1dLayer(Name="gap"), fullyConnectedLayer(2, Name="fc")])
    g = addLayers(g, convolution1dLayer(1, 4, Name="skip"))
    return connectLayers(connectLayers(g, "in", "skip"), "skip", "add/in2")


MODERN_FAMILIES = {
    # today's layers, as dlnetworks (no output layer): what ONNX has operators for
    "residual-tcn": _residual_tcn,
    "causal-attention": lambda: [sequenceInputLayer(3), fullyConnectedLayer(8),
                                 selfAttentionLayer(2, 8, AttentionMask="causal"),
                                 layerNormalizationLayer(), indexing1dLayer("last"),
                                 fullyConnectedLayer(2)],
    "position-embedding": lambda: connectLayers(layerGraph([
        sequenceInputLayer(3, Name="in"), positionEmbeddingLayer(3, 20, Name="pe"),
        additionLayer(2, Name="add"), sigmoidLayer(), eluLayer(), softplusLayer(),
        clippedReluLayer(2.0), fullyConnectedLayer(2)]), "in", "add/in2"),
    "concatenation": lambda: connectLayers(layerGraph([
        sequenceInputLayer(3, Name="in"), lstmLayer(4), concatenationLayer(1, 2, Name="cat"),
        gruLayer(3, OutputMode="last"), fullyConnectedLayer(2)]), "in", "cat/in2"),
}


@pytest.mark.parametrize("family", list(MODERN_FAMILIES))
def test_modern_layers_export_and_equal_predict_padding_invariantly(family, tmp_path):
    torch.manual_seed(0)
    net = dlnetwork(MODERN_FAMILIES[family]())
    sess = session(export(net, tmp_path))
    seqs = sequences(np.random.default_rng(2), LENGTHS, (3,))
    got = run_onnx(sess, seqs)
    for s, g in zip(seqs, got):
        np.testing.assert_allclose(g, np.asarray(predict(net, s)).reshape(g.shape), atol=1e-5,
                                   rtol=0)
        np.testing.assert_allclose(run_onnx(sess, [s])[0], g, atol=1e-6, rtol=0)


def test_lstm_with_initial_states_against_the_numpy_reference(tmp_path):
    rng = np.random.default_rng(5)
    H, C = 4, 3
    W, R, b = rng.normal(size=(4 * H, C)), rng.normal(size=(4 * H, H)), rng.normal(size=(4 * H, 1))
    h0, c0 = rng.normal(size=(H, 1)), rng.normal(size=(H, 1))
    Wfc, bfc = rng.normal(size=(2, H)), rng.normal(size=(2, 1))
    net = assembleNetwork([
        sequenceInputLayer(C), lstmLayer(H, OutputMode="last", InputWeights=W, RecurrentWeights=R,
                                         Bias=b, HiddenState=h0, CellState=c0),
        fullyConnectedLayer(2, Weights=Wfc, Bias=bfc), regressionLayer()])
    sess = session(export(net, tmp_path))
    seqs = sequences(rng, LENGTHS, (C,))
    got = run_onnx(sess, seqs)
    for s, g in zip(seqs, got):
        h = ref.lstm_forward(s.astype(np.float64), W, R, b, h0, c0)[0][-1]
        np.testing.assert_allclose(g, Wfc @ h + bfc.ravel(), atol=1e-5)


def test_cells_off_the_fused_kernels(tmp_path):
    """softsign / hard-sigmoid LSTM and GRU 'before-multiplication' become ONNX activations and
    linear_before_reset=0."""
    layers = [sequenceInputLayer(3),
              lstmLayer(4, StateActivationFunction="softsign", GateActivationFunction="hard-sigmoid"),
              gruLayer(3, ResetGateMode="before-multiplication"),
              gruLayer(3, ResetGateMode="recurrent-bias-after-multiplication", OutputMode="last"),
              fullyConnectedLayer(2), regressionLayer()]
    net = assembleNetwork(initialize_learnables(layers, seed=2))
    sess = session(export(net, tmp_path))
    seqs = sequences(np.random.default_rng(2), LENGTHS, (3,))
    np.testing.assert_allclose(np.stack(run_onnx(sess, seqs)), predict(net, seqs), atol=1e-5)


def test_video_network_fold_unfold(tmp_path):
    from test_video_network import video_graph

    net = assembleNetwork(initialize_learnables(video_graph(size=8, filt=3, filters=4, hidden=5,
                                                            classes=3), seed=4))
    path = export(net, tmp_path)
    model = onnx.load(str(path))
    dims = [d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["batch", "time", 8, 8, 1]  # predict's (T, h, w, c) per sequence, batched
    seqs = sequences(np.random.default_rng(3), (5, 2, 4), (8, 8, 1))
    got = np.stack(run_onnx(session(path), seqs))
    np.testing.assert_allclose(got, predict(net, seqs), atol=1e-5)
    np.testing.assert_allclose(run_onnx(session(path), seqs[1:2])[0], got[1], atol=1e-6)


def small_net(seed=0):
    return assembleNetwork(initialize_learnables(
        [sequenceInputLayer(3), lstmLayer(4, OutputMode="last"), fullyConnectedLayer(2),
         regressionLayer()], seed=seed))


def test_options_name_batch_size_and_opset(tmp_path):
    net = small_net()
    path = export(net, tmp_path, NetworkName="vowels", BatchSize=2, OpsetVersion=20)
    model = onnx.load(str(path))
    assert model.graph.name == "vowels"
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_value == 2
    assert model.opset_import[0].version == 20
    # MATLAB style name-value pairs, BatchSize [] (dynamic)
    exportONNXNetwork(net, tmp_path / "b.onnx", "BatchSize", [], "NetworkName", "n")
    dims = onnx.load(str(tmp_path / "b.onnx")).graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch"


def test_class_names_in_metadata_and_a_fixed_batch(tmp_path):
    import json

    net = assembleNetwork(initialize_learnables(
        [sequenceInputLayer(3), gruLayer(4, OutputMode="last"), fullyConnectedLayer(2),
         softmaxLayer(), classificationLayer(Classes=["no", "yes"])], seed=1))
    path = export(net, tmp_path, BatchSize=2)
    meta = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
    assert json.loads(meta["Classes"]) == ["no", "yes"]
    seqs = sequences(np.random.default_rng(4), (6, 2), (3,))
    np.testing.assert_allclose(np.stack(run_onnx(session(path), seqs)), predict(net, seqs),
                               atol=1e-5)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_a_network_on_the_gpu_exports_from_a_cpu_copy(tmp_path):
    net = small_net()
    net.to("gpu")
    path = export(net, tmp_path)
    assert next(net.module.parameters()).is_cuda  # the network stays where it was
    seqs = sequences(np.random.default_rng(0), (5, 3), (3,))
    np.testing.assert_allclose(np.stack(run_onnx(session(path), seqs)), predict(net, seqs),
                               atol=1e-5)


@pytest.mark.parametrize("name, value", [
    ("OpsetVersion", 8), ("OpsetVersion", 18.5), ("OpsetVersion", "latest"), ("BatchSize", 0),
    ("BatchSize", -3), ("BatchSize", float("nan")), ("NetworkName", 5), ("OpsetVresion", 18)])
def test_hostile_options(name, value, tmp_path):
    with pytest.raises(OptionError) as err:
        exportONNXNetwork(small_net(), tmp_path / "x.onnx", **{name: value})
    assert "exportONNXNetwork" in str(err.value)
    assert not (tmp_path / "x.onnx").exists()


def test_missing_folder_and_missing_package(tmp_path, monkeypatch):
    net = small_net()
    with pytest.raises(ExportError, match="does not exist"):
        exportONNXNetwork(net, tmp_path / "no" / "net.onnx")
    with pytest.raises(ExportError, match="is a folder"):
        exportONNXNetwork(net, tmp_path)
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "onnxruntime" else real(name, *a))
    with pytest.raises(ExportError, match=r"onnxruntime.*pip install 'layergraph\[onnx\]'"):
        exportONNXNetwork(net, tmp_path / "net.onnx")


class LogGammaLayer(ActivationLayer):
    """lgamma(x): torch has it, ONNX has no operator for it."""

    matlab_name, type_description, default_name = "logGammaLayer", "Log Gamma", "lgamma"
    options = {}

    def function(self):
        import torch

        return torch.lgamma


class SignFlipLayer(ActivationLayer):
    """Flips the sign of the whole batch when its sum is negative: a branch on the data."""

    matlab_name, type_description, default_name = "signFlipLayer", "Sign Flip", "flip"
    options = {}

    def function(self):
        return lambda d: d if bool(d.sum() > 0) else -d


@pytest.mark.parametrize("cls", [LogGammaLayer, SignFlipLayer])
def test_a_layer_onnx_cannot_express_is_named(cls, tmp_path):
    layers = [sequenceInputLayer(3, Name="in"), lstmLayer(4, Name="lstm"), cls(Name="odd"),
              fullyConnectedLayer(2, Name="fc"), regressionLayer(Name="out")]
    net = assembleNetwork(initialize_learnables(layers))
    with pytest.raises(ExportError) as err:
        exportONNXNetwork(net, tmp_path / "net.onnx")
    assert err.value.layer == f"layer 'odd' ({cls.matlab_name})"
    assert "layer 'odd'" in str(err.value) and "cannot be exported to ONNX" in str(err.value)
    assert not (tmp_path / "net.onnx").exists()


def test_cli_export(tmp_path):
    from layergraph import save_network
    from layergraph.cli import main

    net = small_net()
    save_network(net, tmp_path / "net.pt")
    assert main(["export", str(tmp_path / "net.pt"), "-o", str(tmp_path / "net.onnx"),
                 "--name", "small"]) == 0
    seqs = sequences(np.random.default_rng(0), (5, 3), (3,))
    np.testing.assert_allclose(np.stack(run_onnx(session(tmp_path / "net.onnx"), seqs)),
                               predict(net, seqs), atol=1e-5)


@pytest.mark.parametrize("make, message", [
    (lambda p: None, "no such file"),
    (lambda p: p.write_bytes(b"not a network"), "not a layergraph"),
])
def test_cli_export_bad_input(make, message, tmp_path, capsys):
    from layergraph.cli import main

    src = tmp_path / "net.pt"
    make(src)
    assert main(["export", str(src), "-o", str(tmp_path / "net.onnx")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("layergraph export: error:") and message in err
    assert "Traceback" not in err and not (tmp_path / "net.onnx").exists()
