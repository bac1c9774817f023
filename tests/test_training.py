"""trainNetwork, its sequence handling, solvers, checkpoints and stateful prediction.

Expectations come from NumPy: tests/reference_rnn.py for the recurrent equations, and hand-written
MATLAB update rules for the solvers.
"""

import math

import numpy as np
import pytest
import torch
from reference_rnn import lstm_forward

from layergraph import (
    DataError,
    OptionError,
    assembleNetwork,
    classificationLayer,
    classify,
    dropoutLayer,
    fullyConnectedLayer,
    load_network,
    lstmLayer,
    predict,
    predictAndUpdateState,
    regressionLayer,
    resetState,
    save_network,
    sequenceInputLayer,
    softmaxLayer,
    trainingOptions,
    trainNetwork,
)
from layergraph.errors import LayerGraphError

RNG = np.random.default_rng(7)


def quiet(solver="sgdm", **kw):
    kw.setdefault("Verbose", False)
    kw.setdefault("ProgressBar", False)
    kw.setdefault("ExecutionEnvironment", "cpu")
    return trainingOptions(solver, **kw)


def lstm_regression_net(C=3, H=4, R=2, mode="sequence", seed=0):
    rng = np.random.default_rng(seed)
    W, Rw, b = rng.normal(size=(4 * H, C)), rng.normal(size=(4 * H, H)), rng.normal(size=4 * H)
    Wf, bf = rng.normal(size=(R, H)), rng.normal(size=(R, 1))
    layers = [sequenceInputLayer(C),
              lstmLayer(H, OutputMode=mode, InputWeights=W, RecurrentWeights=Rw, Bias=b),
              fullyConnectedLayer(R, Weights=Wf, Bias=bf), regressionLayer()]
    return layers, (W, Rw, b, Wf, bf)


def reference_outputs(x, params, h0=None, c0=None):
    W, Rw, b, Wf, bf = params
    y, h, c = lstm_forward(x, W, Rw, b, h0=h0, c0=c0)
    return y @ Wf.T + bf.reshape(-1), h, c


# --- SequenceLength: 'longest', 'shortest', integer split -------------------------------------


def test_integer_sequence_length_in_training_carries_state_across_chunks():
    """Each chunk is one iteration; with a vanishing learning rate the weights stay put, so the
    loss of chunk k must equal the NumPy loss of that chunk started from the state at the end of
    chunk k-1 (which fails if the state were reset between chunks)."""
    layers, params = lstm_regression_net()
    X = [RNG.normal(size=(T, 3)) for T in (11, 7, 4)]
    Y = [RNG.normal(size=(T, 2)) for T in (11, 7, 4)]
    opts = quiet("sgdm", InitialLearnRate=1e-30, Momentum=0, L2Regularization=0, MaxEpochs=1,
                 MiniBatchSize=3, SequenceLength=5, Shuffle="never")
    _, info = trainNetwork(X, Y, layers, opts)
    assert len(info.TrainingLoss) == 3  # chunks [0,5), [5,10), [10,11)
    full = [reference_outputs(x, params)[0] for x in X]
    for k, start in enumerate((0, 5, 10)):
        sq = sum(((f[start:start + 5] - y[start:start + 5]) ** 2).sum() for f, y in zip(full, Y))
        assert info.TrainingLoss[k] == pytest.approx(sq / (2 * 3), rel=1e-4)


def test_shortest_truncates_training_and_prediction():
    layers, params = lstm_regression_net()
    X = [RNG.normal(size=(T, 3)) for T in (9, 6)]
    Y = [RNG.normal(size=(T, 2)) for T in (9, 6)]
    opts = quiet("sgdm", InitialLearnRate=1e-30, Momentum=0, L2Regularization=0, MaxEpochs=1,
                 MiniBatchSize=2, SequenceLength="shortest", Shuffle="never")
    net, info = trainNetwork(X, Y, layers, opts)
    sq = sum(((reference_outputs(x[:6], params)[0] - y[:6]) ** 2).sum() for x, y in zip(X, Y))
    assert info.TrainingLoss[0] == pytest.approx(sq / 4, rel=1e-4)
    out = predict(net, X, SequenceLength="shortest", MiniBatchSize=2)
    assert [len(o) for o in out] == [6, 6]
    np.testing.assert_allclose(out[0], reference_outputs(X[0][:6], params)[0], atol=1e-4)


def test_longest_loss_ignores_padding_and_equals_per_sequence_losses():
    layers, params = lstm_regression_net(mode="last")
    X = [RNG.normal(size=(T, 3)) for T in (12, 3, 8)]
    Y = RNG.normal(size=(3, 2))
    opts = quiet("sgdm", InitialLearnRate=1e-30, Momentum=0, L2Regularization=0, MaxEpochs=1,
                 MiniBatchSize=3, Shuffle="never", SequencePaddingValue=123.0)
    _, info = trainNetwork(X, Y, layers, opts)
    sq = sum(((reference_outputs(x, params)[0][-1] - y) ** 2).sum() for x, y in zip(X, Y))
    assert info.TrainingLoss[0] == pytest.approx(sq / 6, rel=1e-4)


def test_integer_sequence_length_prediction_equals_whole_sequence():
    layers, params = lstm_regression_net()
    net = trainNetwork([RNG.normal(size=(5, 3))], [RNG.normal(size=(5, 2))], layers,
                       quiet(InitialLearnRate=1e-30, MaxEpochs=1, MiniBatchSize=1))[0]
    X = [RNG.normal(size=(T, 3)) for T in (13, 4, 9)]
    whole = predict(net, X)
    split = predict(net, X, SequenceLength=4)
    for w, s, x in zip(whole, split, X):
        np.testing.assert_allclose(s, w, atol=1e-5)
        np.testing.assert_allclose(s, reference_outputs(x, params)[0], atol=1e-4)


def test_last_output_with_integer_split_is_read_at_each_sequences_end():
    layers, params = lstm_regression_net(mode="last")
    net = trainNetwork([RNG.normal(size=(5, 3))], RNG.normal(size=(1, 2)), layers,
                       quiet(InitialLearnRate=1e-30, MaxEpochs=1, MiniBatchSize=1))[0]
    X = [RNG.normal(size=(T, 3)) for T in (13, 4, 9)]
    out = predict(net, X, SequenceLength=3)
    ref = np.stack([reference_outputs(x, params)[0][-1] for x in X])
    np.testing.assert_allclose(out, ref, atol=1e-4)


# --- Padding direction and value --------------------------------------------------------------


def test_padding_direction_and_value_do_not_change_padding_invariant_results():
    layers, params = lstm_regression_net(mode="last")
    net = trainNetwork([RNG.normal(size=(5, 3))], RNG.normal(size=(1, 2)), layers,
                       quiet(InitialLearnRate=1e-30, MaxEpochs=1, MiniBatchSize=1))[0]
    X = [RNG.normal(size=(T, 3)) for T in (10, 2, 6)]
    a = predict(net, X)
    b = predict(net, X, SequencePaddingDirection="left", SequencePaddingValue=-5.0)
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_matlab_parity_mode_treats_padding_as_data():
    """PaddingInvariant=False reproduces MATLAB: right padding feeds padded steps to the LSTM and
    'last' reads the padded end; left padding runs the padding first."""
    layers, params = lstm_regression_net(mode="last")
    net = trainNetwork([RNG.normal(size=(5, 3))], RNG.normal(size=(1, 2)), layers,
                       quiet(InitialLearnRate=1e-30, MaxEpochs=1, MiniBatchSize=1))[0]
    X = [RNG.normal(size=(T, 3)) for T in (6, 2)]
    v = 0.5
    for direction in ("right", "left"):
        out = predict(net, X, PaddingInvariant=False, SequencePaddingDirection=direction,
                      SequencePaddingValue=v)
        pad = np.full((4, 3), v)
        short = np.vstack([X[1], pad]) if direction == "right" else np.vstack([pad, X[1]])
        np.testing.assert_allclose(out[1], reference_outputs(short, params)[0][-1], atol=1e-4)
        np.testing.assert_allclose(out[0], reference_outputs(X[0], params)[0][-1], atol=1e-4)


# --- Solvers, schedules, clipping, L2 ---------------------------------------------------------


def linear_problem():
    """One fully connected layer on length-1 sequences: the loss is plain linear least squares."""
    rng = np.random.default_rng(3)
    W0, b0 = rng.normal(size=(2, 3)), rng.normal(size=(2, 1))
    X = [rng.normal(size=(1, 3)) for _ in range(4)]
    Y = [rng.normal(size=(1, 2)) for _ in range(4)]
    layers = [sequenceInputLayer(3), fullyConnectedLayer(2, Weights=W0, Bias=b0),
              regressionLayer()]
    return layers, W0, b0, np.vstack(X), np.vstack(Y), X, Y


def matlab_updates(solver, W, b, x, y, epochs, lr0, l2=0.0, drop=None, clip=None,
                   momentum=0.9, b1=0.9, b2=None, eps=1e-8):
    """NumPy transcription of MATLAB's documented update rules (one full batch per epoch)."""
    b2 = b2 if b2 is not None else (0.999 if solver == "adam" else 0.9)
    st = {"W": {}, "b": {}}
    theta = {"W": W.copy(), "b": b.copy()}
    n = len(x)
    for e in range(1, epochs + 1):
        lr = lr0 * (drop[0] ** ((e - 1) // drop[1]) if drop else 1.0)
        r = theta["W"] @ x.T + theta["b"] - y.T  # (2, n)
        grads = {"W": r @ x / n, "b": r.sum(1, keepdims=True) / n}
        if clip:
            thr, method = clip
            if method == "absolute-value":
                grads = {k: np.clip(g, -thr, thr) for k, g in grads.items()}
            elif method == "l2norm":
                grads = {k: g * min(1.0, thr / np.linalg.norm(g)) for k, g in grads.items()}
            else:
                norm = math.sqrt(sum((g ** 2).sum() for g in grads.values()))
                grads = {k: g * min(1.0, thr / norm) for k, g in grads.items()}
        grads["W"] = grads["W"] + l2 * theta["W"]  # WeightL2Factor 1, BiasL2Factor 0
        for k, g in grads.items():
            s = st[k]
            if solver == "sgdm":
                s["v"] = momentum * s.get("v", 0) - lr * g
                theta[k] = theta[k] + s["v"]
            elif solver == "adam":
                s["m"] = b1 * s.get("m", 0) + (1 - b1) * g
                s["v"] = b2 * s.get("v", 0) + (1 - b2) * g ** 2
                mh, vh = s["m"] / (1 - b1 ** e), s["v"] / (1 - b2 ** e)
                theta[k] = theta[k] - lr * mh / (np.sqrt(vh) + eps)
            else:
                s["v"] = b2 * s.get("v", 0) + (1 - b2) * g ** 2
                theta[k] = theta[k] - lr * g / (np.sqrt(s["v"]) + eps)
    return theta["W"], theta["b"]


@pytest.mark.parametrize("solver", ["sgdm", "adam", "rmsprop"])
@pytest.mark.parametrize("extra", [
    {},
    {"L2Regularization": 0.05},
    {"LearnRateSchedule": "piecewise", "LearnRateDropFactor": 0.5, "LearnRateDropPeriod": 2},
    {"GradientThreshold": 0.3, "GradientThresholdMethod": "l2norm"},
    {"GradientThreshold": 0.3, "GradientThresholdMethod": "global-l2norm"},
    {"GradientThreshold": 0.05, "GradientThresholdMethod": "absolute-value"},
])
def test_solvers_follow_matlab_update_rules(solver, extra):
    layers, W0, b0, x, y, X, Y = linear_problem()
    lr = 0.1
    opts = quiet(solver, InitialLearnRate=lr, MaxEpochs=5, MiniBatchSize=4, Shuffle="never",
                 L2Regularization=extra.get("L2Regularization", 0.0),
                 **{k: v for k, v in extra.items() if k != "L2Regularization"})
    net, _ = trainNetwork(X, Y, layers, opts)
    drop = (0.5, 2) if "LearnRateSchedule" in extra else None
    clip = (extra["GradientThreshold"], extra["GradientThresholdMethod"]) \
        if "GradientThreshold" in extra else None
    W, b = matlab_updates(solver, W0, b0, x, y, 5, lr, extra.get("L2Regularization", 0.0), drop,
                          clip)
    fc = net.Layers[1]
    np.testing.assert_allclose(fc.Weights, W, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(fc.Bias, b, rtol=1e-4, atol=1e-5)


def test_learn_rate_factor_zero_freezes_a_layer_and_info_records_the_schedule():
    layers, W0, b0, x, y, X, Y = linear_problem()
    layers[1].WeightLearnRateFactor = 0
    opts = quiet("sgdm", InitialLearnRate=0.1, MaxEpochs=4, MiniBatchSize=4, Shuffle="never",
                 LearnRateSchedule="piecewise", LearnRateDropFactor=0.1, LearnRateDropPeriod=2)
    net, info = trainNetwork(X, Y, layers, opts)
    np.testing.assert_array_equal(net.Layers[1].Weights, W0.astype(np.float32))  # float32 copy
    assert not np.allclose(net.Layers[1].Bias, b0)
    np.testing.assert_allclose(info.BaseLearnRate, [0.1, 0.1, 0.01, 0.01])


# --- classification, validation, outputs --------------------------------------------------------


def toy_classification(n=40, seed=0):
    """Two classes told apart by the sign of the first channel's mean."""
    rng = np.random.default_rng(seed)
    X, Y = [], []
    for i in range(n):
        c = i % 2
        T = int(rng.integers(3, 12))
        X.append(rng.normal(size=(T, 2)) + (1.5 if c else -1.5) * np.array([1.0, 0.0]))
        Y.append("pos" if c else "neg")
    return X, np.array(Y)


def classifier_layers():
    return [sequenceInputLayer(2), lstmLayer(8, OutputMode="last"), dropoutLayer(0.2),
            fullyConnectedLayer(2), softmaxLayer(), classificationLayer()]


def test_training_learns_and_classify_returns_labels_with_validation_and_plot(tmp_path):
    X, Y = toy_classification()
    Xv, Yv = toy_classification(20, seed=1)
    plot = tmp_path / "progress.png"
    opts = quiet("adam", InitialLearnRate=0.02, MaxEpochs=15, MiniBatchSize=10, Seed=1,
                 ValidationData=(Xv, Yv), ValidationFrequency=5, Plots="training-progress",
                 PlotPath=str(plot), Shuffle="every-epoch")
    net, info = trainNetwork(X, Y, classifier_layers(), opts)
    assert net.Classes == ("neg", "pos")
    labels, scores = classify(net, Xv)
    assert np.mean(labels == Yv) >= 0.9
    assert scores.shape == (20, 2)
    np.testing.assert_allclose(scores.sum(1), 1, atol=1e-5)
    assert len(info.TrainingLoss) == 15 * 4
    val = [v for v in info.ValidationLoss if not math.isnan(v)]
    assert len(val) == 1 + 60 // 5  # iteration 1, then every 5 iterations
    assert info.FinalValidationAccuracy >= 90
    assert plot.exists() and plot.read_bytes()[:4] == b"\x89PNG"


def test_validation_patience_stops_early_and_best_network_is_returned():
    X, Y = toy_classification()
    opts = quiet("sgdm", InitialLearnRate=1e-30, MaxEpochs=20, MiniBatchSize=10, Seed=0,
                 ValidationData=(X, Y), ValidationFrequency=1, ValidationPatience=2,
                 OutputNetwork="best-validation-loss")
    _, info = trainNetwork(X, Y, classifier_layers(), opts)
    # the loss cannot improve with a vanishing learning rate: stop after 1 + 2 validations
    assert len(info.TrainingLoss) == 3
    assert info.OutputNetworkIteration == 1


def test_training_is_reproducible_with_a_seed():
    X, Y = toy_classification()
    opts = quiet("adam", MaxEpochs=2, MiniBatchSize=10, Seed=5, Shuffle="every-epoch")
    a, ia = trainNetwork(X, Y, classifier_layers(), opts)
    b, ib = trainNetwork(X, Y, classifier_layers(), opts)
    assert ia.TrainingLoss == ib.TrainingLoss
    np.testing.assert_array_equal(a.Layers[1].InputWeights, b.Layers[1].InputWeights)


def test_input_normalization_is_computed_from_training_data():
    X, Y = toy_classification()
    layers = classifier_layers()
    layers[0] = sequenceInputLayer(2, Normalization="zscore")
    net, _ = trainNetwork(X, Y, layers, quiet(MaxEpochs=1, MiniBatchSize=10))
    allsteps = np.vstack(X)
    np.testing.assert_allclose(net.Layers[0].Mean.reshape(-1), allsteps.mean(0), rtol=1e-6)
    np.testing.assert_allclose(net.Layers[0].StandardDeviation.reshape(-1), allsteps.std(0),
                               rtol=1e-6)


# --- checkpoints and resume ---------------------------------------------------------------------


def test_resume_from_checkpoint_equals_uninterrupted_run(tmp_path):
    X, Y = toy_classification()
    common = dict(MaxEpochs=4, MiniBatchSize=10, Seed=3, Shuffle="every-epoch",
                  InitialLearnRate=0.01)
    full, info_full = trainNetwork(X, Y, classifier_layers(),
                                   quiet("adam", CheckpointPath=str(tmp_path), **common))
    ckpts = sorted(tmp_path.glob("net_checkpoint__*__epoch2.pt"))
    assert len(ckpts) == 1 and len(list(tmp_path.glob("*.pt"))) == 4
    resumed, info_res = trainNetwork(X, Y, str(ckpts[0]), quiet("adam", **common))
    for a, b in zip(full.Layers, resumed.Layers):
        for name in a.learnables:
            np.testing.assert_array_equal(a.props[name], b.props[name])
    assert info_res.TrainingLoss == info_full.TrainingLoss


def test_checkpoints_every_k_iterations_resume_inside_an_epoch(tmp_path):
    """CheckpointFrequencyUnit 'iteration': a checkpoint after iteration 6 of 4-iteration epochs
    resumes in the middle of epoch 2 (same shuffled order) to the uninterrupted weights."""
    X, Y = toy_classification()
    common = dict(MaxEpochs=3, MiniBatchSize=10, Seed=3, Shuffle="every-epoch",
                  InitialLearnRate=0.01)
    full, info_full = trainNetwork(X, Y, classifier_layers(), quiet(
        "adam", CheckpointPath=str(tmp_path), CheckpointFrequency=3,
        CheckpointFrequencyUnit="iteration", **common))
    per_epoch = len(X) // 10
    steps = sorted(int(p.name.split("__")[1]) for p in tmp_path.glob("net_checkpoint__*.pt"))
    assert steps == list(range(3, 3 * per_epoch + 1, 3))
    mid = next(tmp_path.glob("net_checkpoint__6__*.pt"))  # iteration 6: inside epoch 2 of 4
    resumed, info_res = trainNetwork(X, Y, str(mid), quiet("adam", **common))
    for a, b in zip(full.Layers, resumed.Layers):
        for name in a.learnables:
            np.testing.assert_array_equal(a.props[name], b.props[name])
    assert info_res.TrainingLoss == info_full.TrainingLoss


def test_checkpoints_every_k_epochs(tmp_path):
    X, Y = toy_classification()
    trainNetwork(X, Y, classifier_layers(), quiet("adam", MaxEpochs=4, MiniBatchSize=10,
                                                  CheckpointPath=str(tmp_path),
                                                  CheckpointFrequency=2))
    assert sorted(p.name.split("__")[2] for p in tmp_path.glob("*.pt")) == ["epoch2.pt",
                                                                          "epoch4.pt"]


# --- stateful prediction ------------------------------------------------------------------------


def test_predict_and_update_state_step_by_step_equals_whole_sequence():
    layers, params = lstm_regression_net()
    net = trainNetwork([RNG.normal(size=(5, 3))], [RNG.normal(size=(5, 2))], layers,
                       quiet(InitialLearnRate=1e-30, MaxEpochs=1, MiniBatchSize=1))[0]
    x = RNG.normal(size=(9, 3))
    whole = predict(net, x)
    net = resetState(net)
    steps = []
    for t in range(9):
        net, y = predictAndUpdateState(net, x[t:t + 1])
        steps.append(y[0])
    np.testing.assert_allclose(np.vstack(steps), whole, atol=1e-5)
    # resetState really resets: the first step again equals the first whole-sequence output
    net = resetState(net)
    net, y = predictAndUpdateState(net, x[:1])
    np.testing.assert_allclose(y[0], whole[0], atol=1e-6)


def test_closed_loop_forecast_in_a_few_lines():
    """MATLAB's forecasting pattern: prime the state with the observed part, then feed each
    prediction back. Checked against the NumPy reference driven the same way."""
    C = 2
    layers, params = lstm_regression_net(C=C, R=C)
    net = trainNetwork([RNG.normal(size=(5, C))], [RNG.normal(size=(5, C))], layers,
                       quiet(InitialLearnRate=1e-30, MaxEpochs=1, MiniBatchSize=1))[0]
    observed = RNG.normal(size=(6, C))
    net = resetState(net)
    net, y = predictAndUpdateState(net, observed)
    forecast = [y[-1]]
    for _ in range(4):
        net, y = predictAndUpdateState(net, forecast[-1][None, :])
        forecast.append(y[-1])
    ref, h, c = reference_outputs(observed, params)
    expect = [ref[-1]]
    for _ in range(4):
        out, h, c = reference_outputs(expect[-1][None, :], params, h, c)
        expect.append(out[-1])
    np.testing.assert_allclose(np.array(forecast), np.array(expect), atol=1e-4)


# --- save / load ----------------------------------------------------------------------------------


def test_save_and_load_round_trip(tmp_path):
    X, Y = toy_classification()
    net, _ = trainNetwork(X, Y, classifier_layers(), quiet("adam", MaxEpochs=2, MiniBatchSize=10))
    path = tmp_path / "net.pt"
    save_network(net, path)
    back = load_network(path)
    assert back.Classes == net.Classes
    np.testing.assert_allclose(predict(back, X), predict(net, X), atol=1e-6)


def test_load_refuses_files_with_arbitrary_objects(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.pt"
    torch.save({"format": "layergraph.network", "payload": Evil()}, path)
    with pytest.raises(LayerGraphError, match="plain data"):
        load_network(path)


# --- bad data and bad options -----------------------------------------------------------------


@pytest.mark.parametrize("X,Y,match", [
    ([np.zeros((4, 2))] * 3, ["a", "b"], "Y has 2 entries but X has 3"),
    ([np.zeros((4, 2)), np.zeros((4, 3))], ["a", "b"], r"X\[1\] has 3 channels, expected 2"),
    ([np.zeros((4, 2)), np.zeros((0, 2))], ["a", "b"], r"X\[1\] is empty"),
    ([np.zeros((4, 2)), np.full((4, 2), np.nan)], ["a", "b"], r"X\[1\] contains NaN"),
    ([np.zeros((4, 2))] * 2, [["a"], "b"], r"Y\[0\] should be one label"),
])
def test_bad_data_names_the_sequence(X, Y, match):
    with pytest.raises(DataError, match=match):
        trainNetwork(X, Y, classifier_layers(), quiet(MaxEpochs=1))


def test_nan_in_responses_is_reported():
    layers, _ = lstm_regression_net()
    Y = [np.zeros((4, 2)), np.array([[0, 0], [np.nan, 0], [0, 0], [0, 0]])]
    with pytest.raises(DataError, match=r"Y\[1\] contains NaN"):
        trainNetwork([np.zeros((4, 3))] * 2, Y, layers, quiet(MaxEpochs=1))


def test_sequence_to_sequence_labels_must_match_lengths():
    layers = [sequenceInputLayer(2), lstmLayer(4), fullyConnectedLayer(2), softmaxLayer(),
              classificationLayer()]
    with pytest.raises(DataError, match=r"Y\[0\] has 3 labels but X\[0\] has 4 time steps"):
        trainNetwork([np.zeros((4, 2))], [np.array(["a", "b", "a"])], layers, quiet(MaxEpochs=1))


@pytest.mark.parametrize("args,kwargs,match", [
    (("adamw",), {}, "expected one of 'sgdm'"),
    (("adam", "MaxEpohcs", 3), {}, "Did you mean 'MaxEpochs'"),
    (("adam",), {"MiniBatchSize": 0}, "MiniBatchSize"),
    (("adam",), {"Shuffle": "always"}, "'once' | 'never' | 'every-epoch'"),
    (("adam",), {"SequenceLength": "long"}, "SequenceLength"),
    (("adam",), {"ExecutionEnvironment": "tpu"}, "'gpu' | 'multi-gpu' | 'parallel'"),
    (("adam",), {"ValidationData": [1, 2, 3]}, "ValidationData must be a pair"),
])
def test_bad_options_raise_clear_errors(args, kwargs, match):
    with pytest.raises(OptionError, match=match):
        trainingOptions(*args, **kwargs)


def test_matlab_defaults():
    o = trainingOptions("sgdm")
    assert (o.InitialLearnRate, o.Momentum, o.MaxEpochs, o.MiniBatchSize, o.Shuffle) == \
        (0.01, 0.9, 30, 128, "once")
    assert o.L2Regularization == 1e-4 and math.isinf(o.GradientThreshold)
    assert trainingOptions("adam").InitialLearnRate == 0.001
    assert trainingOptions("adam").SquaredGradientDecayFactor == 0.999
    assert trainingOptions("rmsprop").SquaredGradientDecayFactor == 0.9
    assert trainingOptions("adam", "MaxEpochs", 5) == trainingOptions("adam", MaxEpochs=5)


# --- more network kinds, monitoring, devices -----------------------------------------------------


def test_sequence_to_sequence_classification_trains_and_labels_every_step():
    rng = np.random.default_rng(0)
    X, Y = [], []
    for _ in range(30):
        T = int(rng.integers(4, 15))
        x = rng.normal(size=(T, 1))
        X.append(x)
        Y.append(np.where(x[:, 0] > 0, "up", "down"))
    layers = [sequenceInputLayer(1), lstmLayer(8), fullyConnectedLayer(2), softmaxLayer(),
              classificationLayer()]
    net, info = trainNetwork(X, Y, layers, quiet("adam", InitialLearnRate=0.05, MaxEpochs=30,
                                                 MiniBatchSize=10, Seed=0))
    labels, scores = classify(net, X[:3])
    assert [len(lab) for lab in labels] == [len(x) for x in X[:3]]
    acc = np.mean(np.concatenate([lab == y for lab, y in zip(classify(net, X)[0], Y)]))
    assert acc > 0.9
    assert info.TrainingAccuracy[-1] > 90


def test_image_sequence_network_with_fold_and_unfold_trains():
    from layergraph import (
        batchNormalizationLayer,
        connectLayers,
        convolution2dLayer,
        flattenLayer,
        layerGraph,
        reluLayer,
        sequenceFoldingLayer,
        sequenceUnfoldingLayer,
    )

    lg = layerGraph([sequenceInputLayer([6, 6, 1], Name="input"), sequenceFoldingLayer(Name="fold"),
                     convolution2dLayer(3, 4, Name="conv"), batchNormalizationLayer(Name="bn"),
                     reluLayer(Name="relu"), sequenceUnfoldingLayer(Name="unfold"),
                     flattenLayer(Name="flatten"), lstmLayer(5, OutputMode="last", Name="lstm"),
                     fullyConnectedLayer(2, Name="fc"), softmaxLayer(Name="sm"),
                     classificationLayer(Name="out")])
    lg = connectLayers(lg, "fold/miniBatchSize", "unfold/miniBatchSize")
    rng = np.random.default_rng(1)
    X = [rng.normal(size=(int(rng.integers(2, 6)), 6, 6, 1)) for _ in range(8)]
    Y = np.array(["a", "b"] * 4)
    net, info = trainNetwork(X, Y, lg, quiet("adam", MaxEpochs=2, MiniBatchSize=4,
                                             ValidationData=(X, Y)))
    assert len(info.TrainingLoss) == 4 and np.isfinite(info.FinalValidationLoss)
    assert predict(net, X).shape == (8, 2)
    assert not np.allclose(net.Layers[3].TrainedMean, 0)  # running statistics were updated


def test_verbose_prints_matlabs_table(capsys):
    X, Y = toy_classification()
    trainNetwork(X, Y, classifier_layers(), quiet("adam", MaxEpochs=2, MiniBatchSize=10,
                                                  Verbose=True, VerboseFrequency=3))
    out = capsys.readouterr().out
    assert "|     Epoch      |   Iteration    |" in out
    assert "Mini-batch Accuracy" in out and "Base Learn Rate" in out
    rows = [ln for ln in out.splitlines() if ln.startswith("| ") and ln.split("|")[2].strip()
            .isdigit()]
    assert [int(r.split("|")[2]) for r in rows] == [1, 3, 6, 8]  # first, every 3rd, last
    assert "Training finished: max epochs completed." in out


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_training_on_cuda_matches_cpu():
    layers, W0, b0, x, y, X, Y = linear_problem()
    cpu, _ = trainNetwork(X, Y, layers, quiet("adam", InitialLearnRate=0.1, MaxEpochs=5,
                                              MiniBatchSize=4, Shuffle="never"))
    gpu, _ = trainNetwork(X, Y, layers, quiet("adam", InitialLearnRate=0.1, MaxEpochs=5,
                                              MiniBatchSize=4, Shuffle="never",
                                              ExecutionEnvironment="gpu"))
    assert gpu.device.type == "cuda"
    np.testing.assert_allclose(gpu.Layers[1].Weights, cpu.Layers[1].Weights, atol=1e-5)


def test_network_methods_mirror_the_functions(tmp_path):
    X, Y = toy_classification()
    net, _ = trainNetwork(X, Y, classifier_layers(), quiet("adam", MaxEpochs=1, MiniBatchSize=10))
    np.testing.assert_array_equal(net.predict(X[:3]), predict(net, X[:3]))
    assert list(net.classify(X[:3])[0]) == list(classify(net, X[:3])[0])
    net.save(tmp_path / "n.pt")
    assert load_network(tmp_path / "n.pt").Classes == ("neg", "pos")
    assert "SeriesNetwork with 6 layers" in repr(net) and "classes ['neg', 'pos']" in repr(net)


@pytest.mark.parametrize("kwargs,match", [
    ({"MiniBatchSize": 0}, "'MiniBatchSize'"),
    ({"SequenceLength": "long"}, "'SequenceLength'"),
    ({"SequencePaddingDirection": "up"}, "'right' | 'left'"),
    ({"DataLayout": "TCB"}, "'TC' | 'CT'"),
    ({"MiniBatchSzie": 3}, "Did you mean 'MiniBatchSize'"),
])
def test_predict_options_are_validated(kwargs, match):
    layers, _ = lstm_regression_net()
    net = assembleNetwork(layers)
    with pytest.raises(OptionError, match=match):
        predict(net, [np.zeros((4, 3))], **kwargs)


def test_predict_execution_environment_is_honoured():
    layers, _ = lstm_regression_net()
    net = assembleNetwork(layers)
    predict(net, [np.zeros((4, 3))], ExecutionEnvironment="cpu")
    assert net.device.type == "cpu"
    if not torch.cuda.is_available():
        with pytest.raises(OptionError, match="no CUDA GPU"):
            predict(net, [np.zeros((4, 3))], ExecutionEnvironment="gpu")
