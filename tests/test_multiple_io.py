"""dlnetworks with several inputs and outputs: [Y1, Y2] = minibatchpredict(net, X1, X2),
predict, and trainnet with a tuple of predictors and of targets; checked against NumPy code of
the branches (tests/reference_rnn.py for the LSTM)."""

import numpy as np
import pytest
import reference_rnn as ref
import torch

from layergraph import (
    DataError,
    NetworkError,
    OptionError,
    accuracyMetric,
    classificationLayer,
    concatenationLayer,
    dlnetwork,
    featureInputLayer,
    fullyConnectedLayer,
    globalAveragePooling1dLayer,
    layerGraph,
    lstmLayer,
    minibatchpredict,
    predict,
    predictAndUpdateState,
    rmseMetric,
    scores2label,
    sequenceInputLayer,
    softmaxLayer,
    trainingOptions,
    trainnet,
    trainNetwork,
)
from layergraph import testnet as run_testnet  # not collected as a test

RNG = np.random.default_rng


def two_in_two_out():
    """sequence -> lstm 'last' -+-> concat -> fc -> softmax   (scores, output 1)
    features ---------------/          \\-> fc               (a response, output 2)"""
    lg = layerGraph([sequenceInputLayer(3, Name="seq"), lstmLayer(5, OutputMode="last",
                                                                  Name="lstm"),
                     concatenationLayer(1, 2, Name="cat"), fullyConnectedLayer(2, Name="fc"),
                     softmaxLayer(Name="sm")])
    lg.addLayers(featureInputLayer(2, Name="feat"))
    lg.connectLayers("feat", "cat/in2")
    lg.addLayers(fullyConnectedLayer(1, Name="reg"))
    lg.connectLayers("cat", "reg")
    return lg


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def numpy_two_in_two_out(net, X1, X2):
    w = {(lay.Name, n): np.asarray(lay.props[n], np.float64)
         for lay in net.Layers for n in lay.learnables}
    h = np.stack([ref.lstm_forward(x, w["lstm", "InputWeights"], w["lstm", "RecurrentWeights"],
                                   w["lstm", "Bias"])[1] for x in X1])
    joined = np.concatenate([h, X2], axis=1)
    scores = softmax(joined @ w["fc", "Weights"].T + w["fc", "Bias"].reshape(-1))
    return scores, joined @ w["reg", "Weights"].T + w["reg", "Bias"].reshape(-1)


def data(n, seed):
    rng = RNG(seed)
    X1 = [rng.standard_normal((t, 3)).astype(np.float32) for t in rng.integers(3, 9, n)]
    X2 = rng.standard_normal((n, 2)).astype(np.float32)
    T1 = np.where(np.array([x[:, 0].mean() for x in X1]) + X2[:, 0] > 0, "p", "n")
    T2 = (2 * X2[:, 1:2]).astype(np.float32)
    return X1, X2, T1, T2


def test_names_of_inputs_and_outputs():
    net = dlnetwork(two_in_two_out())
    assert net.InputNames == ["seq", "feat"]
    assert net.OutputNames == ["sm", "reg"]


def test_minibatchpredict_and_predict_give_every_output_as_the_branches_compute():
    net = dlnetwork(two_in_two_out())
    X1, X2, _, _ = data(9, 0)
    scores, resp = numpy_two_in_two_out(net, X1, X2)
    y1, y2 = minibatchpredict(net, X1, X2, MiniBatchSize=4)
    assert y1.shape == (9, 2) and y2.shape == (9, 1)
    np.testing.assert_allclose(y1, scores, atol=1e-5)
    np.testing.assert_allclose(y2, resp, atol=1e-5)
    p1, p2 = predict(net, X1, X2)
    np.testing.assert_allclose(p1, scores, atol=1e-5)
    np.testing.assert_allclose(p2, resp, atol=1e-5)
    # one format per input: MATLAB's C-by-T sequences and numFeatures-by-N features
    q1, q2 = minibatchpredict(net, [x.T for x in X1], X2.T, InputDataFormats=["CT", "CB"])
    np.testing.assert_allclose(q1, scores, atol=1e-5)
    np.testing.assert_allclose(q2, resp, atol=1e-5)


def test_two_heads_on_one_input():
    lg = layerGraph([sequenceInputLayer(3, Name="seq"), lstmLayer(4, Name="lstm"),
                     fullyConnectedLayer(2, Name="a")])
    lg.addLayers(fullyConnectedLayer(3, Name="b"))
    lg.connectLayers("lstm", "b")
    net = dlnetwork(lg)
    X1 = data(4, 1)[0]
    ya, yb = minibatchpredict(net, X1, UniformOutput=False)
    w = {(lay.Name, n): np.asarray(lay.props[n], np.float64)
         for lay in net.Layers for n in lay.learnables}
    for x, a, b in zip(X1, ya, yb):
        h = ref.lstm_forward(x, w["lstm", "InputWeights"], w["lstm", "RecurrentWeights"],
                             w["lstm", "Bias"])[0]
        np.testing.assert_allclose(a, h @ w["a", "Weights"].T + w["a", "Bias"].reshape(-1),
                                   atol=1e-5)
        np.testing.assert_allclose(b, h @ w["b", "Weights"].T + w["b", "Bias"].reshape(-1),
                                   atol=1e-5)
    padded_a, _ = minibatchpredict(net, X1)
    assert padded_a.shape == (4, max(len(x) for x in X1), 2)


OPTS = dict(MaxEpochs=30, MiniBatchSize=20, InitialLearnRate=0.01, Verbose=False)


def test_trainnet_with_two_inputs_and_two_outputs_learns():
    X1, X2, T1, T2 = data(120, 2)
    net, info = trainnet((X1, X2), (T1, T2), dlnetwork(two_in_two_out()), ["crossentropy", "mse"],
                         trainingOptions("adam", **OPTS))
    losses = info["TrainingLoss"]
    assert losses[-1] < 0.2 * losses[0]
    X1t, X2t, T1t, T2t = data(60, 3)
    y1, y2 = minibatchpredict(net, X1t, X2t)
    assert np.mean(scores2label(y1, ["n", "p"]) == T1t) > 0.75  # chance: 0.5
    assert np.mean((y2 - T2t) ** 2) < 0.1 * np.mean(T2t ** 2)


def test_a_loss_function_of_every_output_and_target():
    """f(Y1, Y2, T1, T2) written out equals the two named losses summed, step by step."""
    def loss(Y1, Y2, T1, T2):
        ce = -(T1 * torch.log(Y1)).sum() / Y1.shape[0]
        return ce + ((Y2 - T2) ** 2).sum() / Y2.numel()

    X1, X2, T1, T2 = data(40, 4)
    opts = trainingOptions("adam", MaxEpochs=3, MiniBatchSize=20, Verbose=False,
                           Shuffle="never")
    _, by_fn = trainnet((X1, X2), (T1, T2), dlnetwork(two_in_two_out()), loss, opts)
    _, by_names = trainnet((X1, X2), (T1, T2), dlnetwork(two_in_two_out()),
                           ["crossentropy", "mse"], opts)
    np.testing.assert_allclose(by_fn["TrainingLoss"], by_names["TrainingLoss"], rtol=1e-5)


def test_the_first_loss_is_the_numpy_loss_of_the_initial_network():
    X1, X2, T1, T2 = data(20, 5)
    net0 = dlnetwork(two_in_two_out())
    scores, resp = numpy_two_in_two_out(net0, X1, X2)
    onehot = np.stack([T1 == "n", T1 == "p"], axis=1)
    want = -(onehot * np.log(scores)).sum() / 20 + ((resp - T2) ** 2).mean()
    _, info = trainnet((X1, X2), (T1, T2), net0, ["crossentropy", "mse"],
                       trainingOptions("sgdm", MaxEpochs=1, MiniBatchSize=20, Verbose=False,
                                       Shuffle="never"))
    assert np.isclose(info["TrainingLoss"][0], want, rtol=1e-5)


def test_metrics_are_computed_on_the_output_each_names():
    """Metrics of a two-output network: 'accuracy' on the first output, an rmseMetric on the
    output its NetworkOutput names; the first iteration's values are NumPy's of the initial
    network, and validation computes the same metrics."""
    X1, X2, T1, T2 = data(20, 5)
    net0 = dlnetwork(two_in_two_out())
    scores, resp = numpy_two_in_two_out(net0, X1, X2)
    accuracy = 100 * np.mean(np.where(scores[:, 1] > scores[:, 0], "p", "n") == T1)
    rmse = np.sqrt(np.mean((resp - T2) ** 2))
    opts = trainingOptions("sgdm", MaxEpochs=2, MiniBatchSize=20, Verbose=False,
                           Shuffle="never", ValidationData=((X1, X2), (T1, T2)),
                           ValidationFrequency=1,
                           Metrics=["accuracy", rmseMetric(NetworkOutput="reg", Name="regRMSE")])
    _, info = trainnet((X1, X2), (T1, T2), net0, ["crossentropy", "mse"], opts)
    assert np.isclose(info["TrainingAccuracy"][0], accuracy)
    assert np.isclose(info["TrainingregRMSE"][0], rmse, rtol=1e-5)
    # validation after iteration 1 sees the network iteration 2 trains from, on the same data
    assert np.isclose(info["ValidationregRMSE"][0], info["TrainingregRMSE"][1], rtol=1e-5)
    assert np.isclose(info["ValidationAccuracy"][0], info["TrainingAccuracy"][1])


def test_a_metric_naming_an_output_the_network_lacks_is_an_option_error():
    X1, X2, T1, T2 = data(10, 5)
    opts = trainingOptions("adam", MaxEpochs=1, Verbose=False,
                           Metrics=accuracyMetric(NetworkOutput="nope"))
    with pytest.raises(OptionError, match="NetworkOutput 'nope'.*sm, reg"):
        trainnet((X1, X2), (T1, T2), dlnetwork(two_in_two_out()), ["crossentropy", "mse"], opts)


def test_validation_data_of_several_inputs():
    X1, X2, T1, T2 = data(60, 6)
    V1, V2, U1, U2 = data(20, 7)
    _, info = trainnet((X1, X2), (T1, T2), dlnetwork(two_in_two_out()), ["crossentropy", "mse"],
                       trainingOptions("adam", MaxEpochs=4, MiniBatchSize=20, Verbose=False,
                                       ValidationData=((V1, V2), (U1, U2)),
                                       ValidationFrequency=3))
    v = [x for x in info["ValidationLoss"] if np.isfinite(x)]
    assert len(v) >= 2 and v[-1] < v[0]


@pytest.mark.parametrize("call, error, match", [
    (lambda net, d: minibatchpredict(net, d[0]), DataError, "2 inputs .* but 1 predictor"),
    (lambda net, d: minibatchpredict(net, d[0], d[1][:3]), DataError,
     "different numbers of observations"),
    (lambda net, d: trainnet(d[0], (d[2], d[3]), net, ["crossentropy", "mse"],
                             trainingOptions("adam", Verbose=False)), DataError,
     "tuple of 2 arrays, one per input"),
    (lambda net, d: trainnet((d[0], d[1]), (d[2], d[3]), net, "crossentropy",
                             trainingOptions("adam", Verbose=False)), OptionError,
     "2 outputs; give lossFcn"),
    (lambda net, d: trainnet((d[0], d[1]), (d[2], d[3]), net, lambda a, b, c, e: a.sum(),
                             trainingOptions("adam", Verbose=False, SequenceLength=4)),
     OptionError, "give lossFcn as loss names"),
    (lambda net, d: minibatchpredict(net, d[0], d[1], InputDataFormats=["CT"]), OptionError,
     "1 formats but the network has 2 inputs"),
])
def test_wrong_counts_are_layergraph_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(dlnetwork(two_in_two_out()), data(10, 8))


def seq_and_last_heads():
    """sequence -> lstm -> fc -> softmax   (a label per time step, output 1)
                      \\-> global average pooling -> fc   (a response per sequence, output 2)"""
    lg = layerGraph([sequenceInputLayer(2, Name="seq"), lstmLayer(8, Name="lstm"),
                     fullyConnectedLayer(2, Name="fc"), softmaxLayer(Name="sm")])
    lg.addLayers([globalAveragePooling1dLayer(Name="gap"), fullyConnectedLayer(1, Name="reg")])
    lg.connectLayers("lstm", "gap")
    return lg


def per_step_data(n, seed):
    rng = RNG(seed)
    X = [rng.standard_normal((t, 2)).astype(np.float32) for t in rng.integers(4, 10, n)]
    T1 = [np.where(x[:, 0] > 0, "up", "down") for x in X]
    T2 = np.array([[x[:, 1].mean()] for x in X], np.float32)
    return X, T1, T2


def test_a_sequence_output_and_a_last_output_train_together():
    X, T1, T2 = per_step_data(100, 9)
    net, info = trainnet(X, (T1, T2), dlnetwork(seq_and_last_heads()), ["crossentropy", "mse"],
                         trainingOptions("adam", **OPTS))
    assert info["TrainingLoss"][-1] < 0.3 * info["TrainingLoss"][0]
    Xt, U1, U2 = per_step_data(40, 10)
    y1, y2 = minibatchpredict(net, Xt, UniformOutput=False)
    labels = scores2label(y1, ["down", "up"])
    assert [len(a) for a in labels] == [len(x) for x in Xt]
    assert np.mean(np.concatenate(labels) == np.concatenate(U1)) > 0.85  # chance: 0.5
    assert y2.shape == (40, 1)


def test_a_loss_function_sees_only_the_real_time_steps():
    def loss(Y1, Y2, T1, T2):
        assert Y1.shape == T1.shape and Y1.shape[0] == sum_steps[0]
        return -(T1 * torch.log(Y1)).sum() / Y1.shape[0] + ((Y2 - T2) ** 2).mean()

    X, T1, T2 = per_step_data(20, 11)
    sum_steps = [sum(len(x) for x in X)]
    opts = trainingOptions("adam", MaxEpochs=2, MiniBatchSize=20, Verbose=False,
                           Shuffle="never")
    _, by_fn = trainnet(X, (T1, T2), dlnetwork(seq_and_last_heads()), loss, opts)
    _, by_names = trainnet(X, (T1, T2), dlnetwork(seq_and_last_heads()),
                           ["crossentropy", "mse"], opts)
    np.testing.assert_allclose(by_fn["TrainingLoss"], by_names["TrainingLoss"], rtol=1e-5)


def test_predict_and_update_state_carries_the_state_of_several_inputs():
    """[net, Y1, Y2] = predictAndUpdateState(net, X1, X2) on the first part of every sequence,
    then on the rest, gives what predict gives on the whole sequences; [Y1, Y2, state] =
    predict(...) returns the state and leaves the network's own as it was."""
    net = dlnetwork(two_in_two_out())
    X1, X2, _, _ = data(6, 12)
    whole = predict(net, X1, X2)
    cut = [len(x) // 2 for x in X1]
    net, *first = predictAndUpdateState(net, [x[:k] for x, k in zip(X1, cut)], X2)
    net, y1, y2 = predictAndUpdateState(net, [x[k:] for x, k in zip(X1, cut)], X2)
    np.testing.assert_allclose(y1, whole[0], atol=1e-5)
    np.testing.assert_allclose(y2, whole[1], atol=1e-5)
    with pytest.raises(DataError, match="carried state is for 6 sequences"):
        predictAndUpdateState(net, X1[:2], X2[:2])
    fresh = dlnetwork(two_in_two_out())
    before = fresh.State
    p1, p2, state = predict(fresh, [x[:k] for x, k in zip(X1, cut)], X2, return_state=True)
    np.testing.assert_allclose(p1, first[0], atol=1e-6)
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(
        before.Value, fresh.State.Value))  # its own state unchanged
    fresh.State = state
    q1, _, _ = predict(fresh, [x[k:] for x, k in zip(X1, cut)], X2, return_state=True)
    np.testing.assert_allclose(q1, whole[0], atol=1e-5)


def test_what_runs_one_input_only_says_so():
    """Never the same data fed to every input."""
    X1, X2, T1, _ = data(10, 12)
    lg = two_in_two_out()
    lg.removeLayers("reg")
    lg.addLayers(classificationLayer(Name="out"))
    lg.connectLayers("sm", "out")
    with pytest.raises(NetworkError, match="2 inputs; trainNetwork trains networks with one"):
        trainNetwork(X1, T1, lg, trainingOptions("adam", Verbose=False))


def test_a_metric_of_a_one_output_network_may_name_its_output_and_no_other():
    X1 = data(10, 5)[0]
    T = np.array(["a", "b"] * 5)
    net = dlnetwork([sequenceInputLayer(3), lstmLayer(4, OutputMode="last"),
                     fullyConnectedLayer(2, Name="fc"), softmaxLayer(Name="sm")])
    opts = dict(MaxEpochs=1, Verbose=False)
    _, info = trainnet(X1, T, net, "crossentropy", trainingOptions(
        "adam", Metrics=accuracyMetric(NetworkOutput="sm"), **opts))
    assert len(info["TrainingAccuracy"]) == 1
    with pytest.raises(OptionError, match="NetworkOutput 'fc'"):
        trainnet(X1, T, net, "crossentropy", trainingOptions(
            "adam", Metrics=accuracyMetric(NetworkOutput="fc"), **opts))


def test_testnet_computes_each_metric_on_its_output():
    X1, X2, T1, T2 = data(60, 2)
    net, _ = trainnet((X1, X2), (T1, T2), dlnetwork(two_in_two_out()), ["crossentropy", "mse"],
                      trainingOptions("adam", MaxEpochs=3, MiniBatchSize=20, Verbose=False))
    assert net.training["output_classes"] == [["n", "p"], None]
    V1, V2, U1, U2 = data(30, 3)
    scores, resp = numpy_two_in_two_out(net, V1, V2)
    accuracy = 100 * np.mean(np.where(scores[:, 1] > scores[:, 0], "p", "n") == U1)
    acc, rmse = run_testnet(net, (V1, V2), (U1, U2),
                        ["accuracy", rmseMetric(NetworkOutput="reg")])
    assert np.isclose(acc, accuracy)
    assert np.isclose(rmse, np.sqrt(np.mean((resp - U2) ** 2)), rtol=1e-5)
    # labels of one class only are still encoded with the classes the network was trained on
    only_p = U1 == "p"
    one = run_testnet(net, ([v for v, k in zip(V1, only_p) if k], V2[only_p]),
                  (U1[only_p], U2[only_p]), "accuracy")
    assert np.isclose(one, 100 * np.mean(scores[only_p, 1] > scores[only_p, 0]))
    with pytest.raises(OptionError, match="a loss .* names no output"):
        run_testnet(net, (V1, V2), (U1, U2), "crossentropy")
    with pytest.raises(DataError, match="tuple of 2 arrays, one per output"):
        run_testnet(net, (V1, V2), U1, "accuracy")


def test_a_checkpoint_of_several_outputs_resumes_to_the_uninterrupted_weights(tmp_path, capsys):
    X1, X2, T1, T2 = data(40, 2)
    opts = trainingOptions("adam", MaxEpochs=4, MiniBatchSize=20, Verbose=False, Seed=3,
                           Shuffle="every-epoch")
    losses = ["crossentropy", "mse"]
    whole, _ = trainnet((X1, X2), (T1, T2), dlnetwork(two_in_two_out(), Seed=1), losses, opts)
    trainnet((X1, X2), (T1, T2), dlnetwork(two_in_two_out(), Seed=1), losses,
             opts.replace(MaxEpochs=2, CheckpointPath=str(tmp_path)))
    saved = sorted(tmp_path.glob("net_checkpoint__*.pt"))
    assert [p.name.split("__")[1] for p in saved] == ["2", "4"]  # one per epoch
    capsys.readouterr()
    resumed, info = trainnet((X1, X2), (T1, T2), saved[-1], losses, opts)
    assert "iteration 6/8" in capsys.readouterr().err  # the count goes on from the checkpoint
    assert len(info["TrainingLoss"]) == 8
    for a, b in zip(whole.Layers, resumed.Layers):
        for name in a.learnables:
            np.testing.assert_array_equal(np.asarray(a.props[name]), np.asarray(b.props[name]))


def test_an_integer_sequence_length_trains_chunk_by_chunk():
    """SequenceLength=5 over sequences of 3-8 steps: two iterations a mini-batch. With a
    learning rate too small to move the weights, each one's loss is NumPy's on the sequences
    that end in its chunk (their LSTM run over all their steps: the state carried across)."""
    X1, X2, T1, T2 = data(12, 21)
    net0 = dlnetwork(two_in_two_out())
    scores, resp = numpy_two_in_two_out(net0, X1, X2)
    onehot = np.stack([T1 == "n", T1 == "p"], axis=1)
    opts = trainingOptions("sgdm", MaxEpochs=1, MiniBatchSize=12, Verbose=False,
                           Shuffle="never", SequenceLength=5, InitialLearnRate=1e-30)
    _, info = trainnet((X1, X2), (T1, T2), net0, ["crossentropy", "mse"], opts)
    lengths = np.array([len(x) for x in X1])
    want = []
    for chunk in ((lengths <= 5), (lengths > 5)):
        ce = -(onehot[chunk] * np.log(scores[chunk])).sum() / chunk.sum()
        want.append(ce + ((resp[chunk] - T2[chunk]) ** 2).mean())
    np.testing.assert_allclose(info["TrainingLoss"], want, rtol=1e-5)


def test_chunked_prediction_of_several_outputs_equals_the_whole_sequences():
    """A per-step output and a last-step output, predicted in chunks of 3 steps (the state
    carried), give what the whole sequences give."""
    from layergraph import indexing1dLayer

    lg = layerGraph([sequenceInputLayer(3, Name="seq"), lstmLayer(5, Name="lstm"),
                     fullyConnectedLayer(2, Name="fc"), softmaxLayer(Name="sm")])
    lg.addLayers([indexing1dLayer("last", Name="pick"), fullyConnectedLayer(1, Name="reg")])
    lg.connectLayers("lstm", "pick")
    net = dlnetwork(lg)
    X1 = data(7, 22)[0]
    whole = minibatchpredict(net, X1, UniformOutput=False)
    chunked = minibatchpredict(net, X1, UniformOutput=False, SequenceLength=3, MiniBatchSize=4)
    for a, b in zip(whole[0], chunked[0]):
        np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(whole[1], chunked[1], atol=1e-5)
