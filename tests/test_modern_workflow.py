"""MATLAB's dlnetwork workflow: dlnetwork, trainnet, Metrics, minibatchpredict, scores2label,
testnet, predict with state. Losses and metrics are checked against NumPy written here from the
documented formulas."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from layergraph import (
    DataError,
    NetworkError,
    OptionError,
    additionLayer,
    categories,
    classificationLayer,
    connectLayers,
    convolution1dLayer,
    dlnetwork,
    fScoreMetric,
    fullyConnectedLayer,
    initialize,
    layerNormalizationLayer,
    load_network,
    lstmLayer,
    minibatchpredict,
    positionEmbeddingLayer,
    predict,
    reluLayer,
    save_network,
    scores2label,
    selfAttentionLayer,
    sequenceInputLayer,
    softmaxLayer,
    trainingOptions,
    trainnet,
)
from layergraph import testnet as run_testnet  # (not named test*: pytest would collect it)
from layergraph.training.metrics import as_metrics
from layergraph.training.objectives import LossFunctionObjective

RNG = np.random.default_rng(7)


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


# --- losses against NumPy ------------------------------------------------------------------------

def _masked_case(k=4):
    y = _softmax(RNG.normal(size=(3, 5, k))).astype(np.float32)
    mask = np.array([[1, 1, 1, 1, 1], [1, 1, 0, 0, 0], [1, 1, 1, 0, 0]], dtype=bool)
    idx = RNG.integers(0, k, size=(3, 5))
    return y, mask, idx


def test_crossentropy_divides_by_the_real_positions():
    y, mask, idx = _masked_case()
    obj = LossFunctionObjective("crossentropy", ())
    got = float(obj.loss(torch.tensor(y), torch.tensor(idx), torch.tensor(mask), 3))
    want = -np.log(np.take_along_axis(y, idx[..., None], -1)[..., 0])[mask].sum() / mask.sum()
    assert got == pytest.approx(want, rel=1e-5)
    onehot = np.eye(4, dtype=np.float32)[idx]  # probability targets give the same
    got2 = float(obj.loss(torch.tensor(y), torch.tensor(onehot), torch.tensor(mask), 3))
    assert got2 == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize("name,formula", [
    ("mse", lambda d: d ** 2), ("l2loss", lambda d: d ** 2), ("mean-squared-error", lambda d: d ** 2),
    ("mae", np.abs), ("l1loss", np.abs), ("mean-absolute-error", np.abs),
    ("huber", lambda d: np.where(np.abs(d) <= 1, 0.5 * d ** 2, np.abs(d) - 0.5)),
])
def test_regression_losses_average_over_real_elements(name, formula):
    y = RNG.normal(size=(3, 5, 2)).astype(np.float32) * 2
    t = RNG.normal(size=(3, 5, 2)).astype(np.float32)
    _, mask, _ = _masked_case()
    got = float(LossFunctionObjective(name, ()).loss(torch.tensor(y), torch.tensor(t),
                                                     torch.tensor(mask), 3))
    want = formula(y - t)[mask].sum() / (mask.sum() * 2)
    assert got == pytest.approx(want, rel=1e-5)


def test_binary_crossentropy_and_a_callable_loss():
    y = 1 / (1 + np.exp(-RNG.normal(size=(6, 3)))).astype(np.float32)
    t = (RNG.random((6, 3)) > 0.5).astype(np.float32)
    got = float(LossFunctionObjective("binary-crossentropy", ()).loss(
        torch.tensor(y), torch.tensor(t), None, 6))
    want = -(t * np.log(y) + (1 - t) * np.log(1 - y)).mean()
    assert got == pytest.approx(want, rel=1e-5)
    seen = {}

    def loss(Y, T):
        seen["shapes"] = (tuple(Y.shape), tuple(T.shape))
        return ((Y - T) ** 2).sum()

    y, mask, idx = _masked_case()
    value = LossFunctionObjective(loss, as_metrics("accuracy")).loss(
        torch.tensor(y), torch.tensor(idx), torch.tensor(mask), 3)
    assert seen["shapes"] == ((mask.sum(), 4), (mask.sum(), 4))  # real positions, one-hot T
    onehot = np.eye(4)[idx][mask]
    assert float(value) == pytest.approx(((y[mask] - onehot) ** 2).sum(), rel=1e-5)


# --- metrics against NumPy -------------------------------------------------------------------

def _counts(pred, true, k):
    tp = np.array([np.sum((pred == c) & (true == c)) for c in range(k)], float)
    fp = np.array([np.sum((pred == c) & (true != c)) for c in range(k)], float)
    fn = np.array([np.sum((pred != c) & (true == c)) for c in range(k)], float)
    return tp, fp, fn


def test_classification_metrics_match_their_definitions():
    k = 4
    y = _softmax(RNG.normal(size=(40, k))).astype(np.float32)
    true = RNG.integers(0, k, size=40)
    pred = y.argmax(-1)
    tp, fp, fn = _counts(pred, true, k)
    support = tp + fn
    yt, tt = torch.tensor(y), torch.tensor(true)

    def m(name, **kw):
        return as_metrics(fScoreMetric(**kw) if name == "fscore" and kw else name)[0].compute(
            yt, tt, None, "index")

    assert m("accuracy") == pytest.approx(100 * np.mean(pred == true), rel=1e-6)
    micro = tp.sum() / (tp.sum() + fp.sum())
    assert m("precision") == pytest.approx(micro) and m("recall") == pytest.approx(micro)
    assert m("fscore") == pytest.approx(micro)  # single-label micro averages equal accuracy
    f1 = np.where(2 * tp + fn + fp > 0, 2 * tp / np.maximum(2 * tp + fn + fp, 1), 0)
    present = (support + fp) > 0
    assert m("fscore", AverageType="macro") == pytest.approx(f1[present].mean())
    assert m("fscore", AverageType="weighted") == pytest.approx(
        (f1 * support)[present].sum() / support[present].sum())
    b = 2.0
    fb = (1 + b * b) * tp.sum() / ((1 + b * b) * tp.sum() + b * b * fn.sum() + fp.sum())
    assert m("fscore", Beta=2) == pytest.approx(fb)


def _pairwise_auc(scores, positive):
    pos, neg = scores[positive], scores[~positive]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return wins / (len(pos) * len(neg))


def test_auc_and_regression_metrics():
    k = 3
    y = _softmax(RNG.normal(size=(30, k))).astype(np.float32)
    true = RNG.integers(0, k, size=30)
    onehot = np.eye(k, dtype=bool)[true]
    auc = as_metrics("auc")[0].compute(torch.tensor(y), torch.tensor(true), None, "index")
    assert auc == pytest.approx(_pairwise_auc(y.reshape(-1), onehot.reshape(-1)))
    macro = as_metrics(__import__("layergraph").aucMetric(AverageType="macro"))[0].compute(
        torch.tensor(y), torch.tensor(true), None, "index")
    assert macro == pytest.approx(np.mean([_pairwise_auc(y[:, c], onehot[:, c])
                                           for c in range(k)]))
    p = RNG.normal(size=(3, 5, 2)).astype(np.float32)
    t = RNG.normal(size=(3, 5, 2)).astype(np.float32) + 3
    _, mask, _ = _masked_case()
    rmse = as_metrics("rmse")[0].compute(torch.tensor(p), torch.tensor(t), torch.tensor(mask),
                                         "numeric")
    assert rmse == pytest.approx(np.sqrt(((p - t) ** 2)[mask].mean()), rel=1e-5)
    mape = as_metrics("mape")[0].compute(torch.tensor(p), torch.tensor(t), torch.tensor(mask),
                                         "numeric")
    assert mape == pytest.approx(100 * np.abs((t - p) / t)[mask].mean(), rel=1e-5)


def test_metric_options_are_checked():
    with pytest.raises(OptionError, match="unknown metric 'acc'"):
        trainingOptions("adam", Metrics="acc")
    with pytest.raises(OptionError, match="AverageType"):
        fScoreMetric(AverageType="mean")
    with pytest.raises(OptionError, match="Beta"):
        fScoreMetric(Beta=-1)
    opts = trainingOptions("adam", Metrics=["accuracy", fScoreMetric(Name="F1")])
    assert [m.Name for m in opts.Metrics] == ["Accuracy", "F1"]
    with pytest.raises(OptionError, match="two metrics are named"):
        trainingOptions("adam", Metrics=["fscore", fScoreMetric()])
    with pytest.raises(OptionError, match="InputDataFormats"):
        trainingOptions("adam", InputDataFormats="TXC")


def test_a_spec_writes_metric_objects_with_their_changed_properties_and_reads_them_back():
    from layergraph import precisionMetric
    from layergraph.spec import SpecError, load_spec, save_spec

    metrics = ["accuracy", fScoreMetric(Name="F", AverageType="macro"),
               precisionMetric(NetworkOutput="softmax")]
    opts = trainingOptions("adam", Metrics=metrics)
    text = save_spec(classifier(), options=opts, loss="crossentropy")
    assert "- fscore:\n      Name: F\n      AverageType: macro" in text
    back = load_spec(text)
    assert list(back.options.Metrics) == list(opts.Metrics)
    assert save_spec(back.graph, options=back.options, loss="crossentropy") == text
    bad = text.replace("AverageType: macro", "AverageType: mean")
    with pytest.raises(SpecError, match="AverageType"):
        load_spec(bad)
    with pytest.raises(SpecError, match="metric name"):
        load_spec(text.replace("- fscore:", "- fsc:"))


def test_a_spec_error_of_one_message_is_one_error():
    from layergraph.spec import SpecError

    e = SpecError("one thing went wrong")
    assert e.errors == ["one thing went wrong"] and "1 error in" in str(e)


# --- the network -----------------------------------------------------------------------------

def classifier(k=3, c=4, h=8):
    return [sequenceInputLayer(c), lstmLayer(h, OutputMode="last"), fullyConnectedLayer(k),
            softmaxLayer()]


def toy_data(n=60, c=4, seed=0):
    """Three classes told apart by which channel carries a positive mean; lengths 3..12."""
    rng = np.random.default_rng(seed)
    X, T = [], []
    for i in range(n):
        cls = i % 3
        x = rng.normal(size=(rng.integers(3, 13), c)).astype(np.float32) * 0.5
        x[:, cls] += 1.5
        X.append(x)
        T.append(["lo", "mid", "hi"][cls])
    return X, np.array(T)


def test_dlnetwork_has_no_output_layer_and_is_initialized():
    net = dlnetwork(classifier())
    assert net.Initialized and net.OutputNames == ["softmax"]
    table = net.Learnables
    assert table.Parameter == ["InputWeights", "RecurrentWeights", "Bias", "Weights", "Bias"]
    assert table[0]["Value"].shape == (32, 4) and table[3]["Value"].shape == (3, 8)
    assert dlnetwork(classifier(), Seed=3).Learnables[0]["Value"].tolist() != \
        table[0]["Value"].tolist()
    with pytest.raises(NetworkError, match="a dlnetwork has no output layers.*crossentropy"):
        dlnetwork([*classifier(), classificationLayer()])


def test_uninitialized_networks_are_built_then_initialized():
    net = dlnetwork(classifier(), Initialize=False)
    assert not net.Initialized and net.Learnables[0]["Value"] is None
    with pytest.raises(NetworkError, match="initialize"):
        predict(net, [np.zeros((3, 4), np.float32)])
    net = initialize(net)
    assert net.Initialized and predict(net, [np.zeros((3, 4), np.float32)]).shape == (1, 3)
    # A residual block grown on a dlnetwork with addLayers / connectLayers.
    from layergraph import addLayers

    empty = dlnetwork()
    assert not empty.Initialized
    net = addLayers(empty, [sequenceInputLayer(4, Name="in"),
                            convolution1dLayer(3, 4, Padding="causal", Name="conv"),
                            reluLayer(Name="relu"), additionLayer(2, Name="add"),
                            fullyConnectedLayer(2, Name="fc")])
    net = connectLayers(net, "in", "add/in2")
    net = initialize(net)
    x = RNG.normal(size=(7, 4)).astype(np.float32)
    lay = {r["Layer"] + "." + r["Parameter"]: r["Value"] for r in net.Learnables}
    w, b = lay["conv.Weights"], lay["conv.Bias"].reshape(-1)  # MATLAB: FilterSize x C x F
    pad = np.vstack([np.zeros((2, 4), np.float32), x])
    conv = np.stack([sum(pad[t + i] @ w[i] for i in range(3)) for t in range(7)]) + b
    want = (np.maximum(conv, 0) + x) @ lay["fc.Weights"].T + lay["fc.Bias"].reshape(-1)
    assert np.allclose(predict(net, x), want, atol=1e-5)


def test_trainnet_minibatchpredict_scores2label_and_testnet():
    X, T = toy_data()
    Xt, Tt = toy_data(30, seed=1)
    classNames = categories(T)
    assert classNames == ["hi", "lo", "mid"]
    opts = trainingOptions("adam", MaxEpochs=15, MiniBatchSize=10, InitialLearnRate=0.02,
                           Metrics=["accuracy", "fscore"], Verbose=False, ProgressBar=False,
                           ValidationData=(Xt, Tt), ValidationFrequency=6)
    net, info = trainnet(X, T, dlnetwork(classifier()), "crossentropy", opts)
    assert info.TrainingLoss[-1] < info.TrainingLoss[0] / 2
    hist = info.TrainingHistory
    assert list(hist) == ["Iteration", "Epoch", "TrainingLoss", "TrainingAccuracy",
                          "TrainingFScore", "BaseLearnRate"]
    assert len(info.ValidationHistory["ValidationLoss"]) >= 3
    scores = minibatchpredict(net, Xt, MiniBatchSize=7)
    labels = scores2label(scores, classNames)
    acc = run_testnet(net, Xt, Tt, "accuracy")
    assert acc == pytest.approx(100 * np.mean(labels == Tt), abs=1e-4) and acc > 90
    acc2, f1, ce = run_testnet(net, Xt, Tt, ["accuracy", "fscore", "crossentropy"])
    assert acc2 == pytest.approx(acc) and f1 == pytest.approx(acc / 100, abs=1e-6)
    idx = np.array([classNames.index(t) for t in Tt])
    assert ce == pytest.approx(-np.log(scores[np.arange(len(idx)), idx]).mean(), rel=1e-4)
    assert info.FinalValidationAccuracy == pytest.approx(acc, abs=1e-4)


def test_index_crossentropy_counts_classes_from_one():
    X, T = toy_data(30)
    names = categories(T)
    idx = np.array([names.index(t) + 1 for t in T])
    opts = trainingOptions("adam", MaxEpochs=2, MiniBatchSize=10, Verbose=False,
                           ProgressBar=False)
    net, _ = trainnet(X, idx, dlnetwork(classifier()), "index-crossentropy", opts)
    assert net.Initialized
    with pytest.raises(DataError, match="counts classes from 1"):
        trainnet(X, idx - 1, dlnetwork(classifier()), "index-crossentropy", opts)
    with pytest.raises(DataError, match="class index 4"):
        trainnet(X, np.where(idx == 3, 4, idx), dlnetwork(classifier()), "index-crossentropy",
                 opts)


def test_bad_trainnet_calls_name_what_is_wrong():
    X, T = toy_data(12)
    opts = trainingOptions("adam", MaxEpochs=1, Verbose=False, ProgressBar=False)
    with pytest.raises(OptionError, match="unknown loss function 'cross'"):
        trainnet(X, T, dlnetwork(classifier()), "cross", opts)
    with pytest.raises(DataError, match="T has 3 classes but the network outputs 2"):
        trainnet(X, T, dlnetwork(classifier(k=2)), "crossentropy", opts)
    with pytest.raises(OptionError, match="metric 'RMSE' is for regression"):
        trainnet(X, T, dlnetwork(classifier()), "crossentropy",
                 opts.replace(Metrics="rmse"))
    with pytest.raises(OptionError, match="ObjectiveMetricName 'fscore'"):
        trainnet(X, T, dlnetwork(classifier()), "crossentropy",
                 opts.replace(Metrics="accuracy", ObjectiveMetricName="fscore"))
    with pytest.raises(OptionError, match="options must come from trainingOptions"):
        trainnet(X, T, dlnetwork(classifier()), "crossentropy", {"MaxEpochs": 1})


def test_input_data_formats_and_uniform_output():
    net = dlnetwork([sequenceInputLayer(3), lstmLayer(5), fullyConnectedLayer(2)])
    xs = [RNG.normal(size=(t, 3)).astype(np.float32) for t in (4, 6)]
    each = [predict(net, x) for x in xs]
    padded = minibatchpredict(net, xs)
    assert padded.shape == (2, 6, 2) and np.allclose(padded[0, :4], each[0], atol=1e-6)
    assert np.all(padded[0, 4:] == 0)
    listed = minibatchpredict(net, xs, UniformOutput=False)
    assert [a.shape for a in listed] == [(4, 2), (6, 2)]
    ct = minibatchpredict(net, [x.T for x in xs], InputDataFormats="CT", UniformOutput=False)
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(ct, listed))
    arr = RNG.normal(size=(2, 5, 3)).astype(np.float32)
    ctb = minibatchpredict(net, np.transpose(arr, (2, 1, 0)), InputDataFormats="CTB")
    assert np.allclose(ctb, minibatchpredict(net, arr), atol=1e-6)
    with pytest.raises(DataError, match="InputDataFormats 'CTB' needs a 3-D array"):
        minibatchpredict(net, arr[0], InputDataFormats="CTB")


def test_predict_with_state_matches_one_long_sequence():
    net = dlnetwork([sequenceInputLayer(3), lstmLayer(5), fullyConnectedLayer(2)])
    x = RNG.normal(size=(10, 3)).astype(np.float32)
    whole = predict(net, x)
    y1, state = predict(net, x[:6], return_state=True)
    assert [r["Parameter"] for r in state] == ["HiddenState", "CellState"]
    assert state[0]["Value"].shape == (5, 1)
    fresh = predict(net, x[6:])  # the network's own state was left alone
    net.State = state
    y2 = predict(net, x[6:])
    assert np.allclose(y1, whole[:6], atol=1e-5) and np.allclose(y2, whole[6:], atol=1e-5)
    assert not np.allclose(fresh, whole[6:], atol=1e-3)
    with pytest.raises(DataError, match="State of layer 'lstm'"):
        bad = state
        bad.rows[0] = {**bad.rows[0], "Value": np.zeros((4, 1))}
        net.State = bad


def test_a_dlnetwork_saves_and_loads(tmp_path):
    net = dlnetwork(classifier())
    x = [RNG.normal(size=(5, 4)).astype(np.float32)]
    save_network(net, tmp_path / "net.lg")
    back = load_network(tmp_path / "net.lg")
    assert back.dlnetwork and np.allclose(predict(back, x), predict(net, x))


def test_transformer_forecaster_trains_and_does_not_look_ahead():
    c, d = 1, 16
    layers = [sequenceInputLayer(c, Name="in"), fullyConnectedLayer(d, Name="embed"),
              positionEmbeddingLayer(d, 64, Name="pos"), additionLayer(2, Name="add"),
              selfAttentionLayer(2, d, AttentionMask="causal", Name="attn"),
              layerNormalizationLayer(Name="norm"), fullyConnectedLayer(1, Name="out")]
    from layergraph import layerGraph

    g = layerGraph(layers)
    g.disconnectLayers("pos", "add/in1")
    g.disconnectLayers("embed", "pos")
    g.connectLayers("embed", "add/in1")
    g.connectLayers("in", "pos")
    g.connectLayers("pos", "add/in2")
    t = np.arange(40, dtype=np.float32)
    X = [np.sin(0.3 * (t[:30] + s))[:, None] for s in range(20)]
    T = [np.sin(0.3 * (t[1:31] + s))[:, None] for s in range(20)]
    opts = trainingOptions("adam", MaxEpochs=20, MiniBatchSize=5, InitialLearnRate=0.01,
                           Metrics="rmse", Verbose=False, ProgressBar=False)
    net, info = trainnet(X, T, dlnetwork(g), "mse", opts)
    assert info.TrainingRMSE[-1] < info.TrainingRMSE[0] / 2
    x = X[0].copy()
    y = predict(net, x)
    x[20:] += 5.0  # change the future: outputs before step 20 stay
    y2 = predict(net, x)
    assert np.allclose(y[:20], y2[:20], atol=1e-5) and not np.allclose(y[20:], y2[20:])


def test_reset_state_returns_to_the_layers_initial_state():
    net = dlnetwork([sequenceInputLayer(3), lstmLayer(5), fullyConnectedLayer(2)])
    x = RNG.normal(size=(6, 3)).astype(np.float32)
    before = predict(net, x)
    _, state = predict(net, x, return_state=True)
    net.State = state
    assert not np.allclose(predict(net, x), before, atol=1e-4)
    from layergraph import resetState

    net = resetState(net)
    assert np.allclose(predict(net, x), before, atol=1e-6)
    assert np.all(net.State[0]["Value"] == 0)


def test_target_data_formats_are_applied_not_ignored():
    net = dlnetwork([sequenceInputLayer(3), lstmLayer(4), fullyConnectedLayer(2)])
    X = [RNG.normal(size=(t, 3)).astype(np.float32) for t in (5, 7, 6, 5)]
    T = [RNG.normal(size=(len(x), 2)).astype(np.float32) for x in X]
    opts = dict(MaxEpochs=2, MiniBatchSize=2, Verbose=False, ProgressBar=False)
    _, tc = trainnet(X, T, net, "mse", trainingOptions("adam", **opts))
    _, ct = trainnet(X, [t.T for t in T], net, "mse",
                     trainingOptions("adam", TargetDataFormats="CT", **opts))
    assert np.allclose(tc.TrainingLoss, ct.TrainingLoss)
    with pytest.raises(DataError, match="TargetDataFormats 'CTB' needs a 3-D array"):
        trainnet(X, np.zeros((4, 2)), net, "mse",
                 trainingOptions("adam", TargetDataFormats="CTB", **opts))
