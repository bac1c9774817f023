"""Feature data (featureInputLayer) and image data (imageInputLayer) through both workflows:
trainNetwork / classify / predict and dlnetwork / trainnet / minibatchpredict / testnet.

Every number is checked against NumPy code written here from the layers' equations, with the
trained network's own weights and normalization statistics."""

import numpy as np
import pytest

from layergraph import (
    DataError,
    NetworkError,
    classificationLayer,
    classify,
    convolution2dLayer,
    dlnetwork,
    featureInputLayer,
    fullyConnectedLayer,
    imageInputLayer,
    load_network,
    maxPooling2dLayer,
    minibatchpredict,
    predict,
    reluLayer,
    save_network,
    scores2label,
    softmaxLayer,
    trainingOptions,
    trainnet,
    trainNetwork,
)
from layergraph import testnet as run_testnet


def blobs(n, seed):
    """Three Gaussian classes in 4 features of very different scales (so normalization
    matters): a small problem a linear classifier separates well."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0, 0, 0], [2, 2, 0, 0], [0, 2, 2, 0]], float)
    labels = rng.integers(0, 3, n)
    X = centres[labels] + 0.6 * rng.standard_normal((n, 4))
    X = X * [1, 10, 100, 0.1] + [0, 50, -300, 5]
    return X.astype(np.float32), np.array(["setosa", "versicolor", "virginica"])[labels]


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def learnables(net):
    """The trained weights as the layers hold them (MATLAB's layouts)."""
    return {(lay.Name, name): np.asarray(lay.props[name], np.float64)
            for lay in net.Layers for name in lay.learnables}


def mlp():
    return [featureInputLayer(4, Normalization="zscore", Name="in"),
            fullyConnectedLayer(16, Name="fc1"), reluLayer(), fullyConnectedLayer(3, Name="fc2"),
            softmaxLayer()]


OPTS = dict(MaxEpochs=30, MiniBatchSize=32, InitialLearnRate=0.01, Verbose=False, Shuffle="never")


@pytest.fixture(scope="module")
def trained_mlp():
    X, T = blobs(300, 0)
    net, info = trainnet(X, T, dlnetwork(mlp()), "crossentropy", trainingOptions("adam", **OPTS))
    return net, info, X, T


def test_feature_classifier_learns(trained_mlp):
    net, info, _, _ = trained_mlp
    XTest, TTest = blobs(200, 1)
    acc = run_testnet(net, XTest, TTest, "accuracy")
    assert acc > 85  # chance is 33 %
    assert info["TrainingLoss"][-1] < 0.5 * info["TrainingLoss"][0]
    YTest = scores2label(minibatchpredict(net, XTest), ["setosa", "versicolor", "virginica"])
    assert np.isclose(100 * np.mean(YTest == TTest), acc)


def test_feature_outputs_equal_the_equations(trained_mlp):
    net, _, X, _ = trained_mlp
    inp = net.Layers[0]
    np.testing.assert_allclose(inp.Mean, X.astype(np.float64).mean(0), rtol=1e-6)
    np.testing.assert_allclose(inp.StandardDeviation, X.astype(np.float64).std(0), rtol=1e-6)
    w = learnables(net)
    XTest, _ = blobs(50, 2)
    z = (XTest - X.astype(np.float64).mean(0)) / X.astype(np.float64).std(0)
    h = np.maximum(z @ w["fc1", "Weights"].T + w["fc1", "Bias"].reshape(-1), 0)
    ref = softmax(h @ w["fc2", "Weights"].T + w["fc2", "Bias"].reshape(-1))
    got = minibatchpredict(net, XTest, MiniBatchSize=7)
    assert got.shape == (50, 3)
    np.testing.assert_allclose(got, ref, atol=1e-5)
    np.testing.assert_allclose(predict(net, XTest), ref, atol=1e-5)
    np.testing.assert_allclose(minibatchpredict(net, list(XTest)), ref, atol=1e-5)  # rows
    # MATLAB's numFeatures-by-N layout, asked for by name
    np.testing.assert_allclose(minibatchpredict(net, XTest.T, InputDataFormats="CB"), ref,
                               atol=1e-5)


def test_saved_and_loaded_feature_network_predicts_the_same(trained_mlp, tmp_path):
    net, _, X, _ = trained_mlp
    save_network(net, tmp_path / "mlp.lgnet")
    again = load_network(tmp_path / "mlp.lgnet")
    np.testing.assert_array_equal(minibatchpredict(again, X), minibatchpredict(net, X))


@pytest.mark.parametrize("mode, stats", [
    ("zscore", lambda X: {"Mean": X.mean(0), "StandardDeviation": X.std(0)}),
    ("zerocenter", lambda X: {"Mean": X.mean(0)}),
    ("rescale-symmetric", lambda X: {"Min": X.min(0), "Max": X.max(0)}),
    ("rescale-zero-one", lambda X: {"Min": X.min(0), "Max": X.max(0)}),
    ("none", lambda X: {}),
])
def test_feature_normalization_statistics_from_the_training_data(mode, stats):
    X, T = blobs(64, 3)
    layers = [featureInputLayer(4, Normalization=mode), fullyConnectedLayer(3), softmaxLayer()]
    net, _ = trainnet(X.T, T, dlnetwork(layers), "crossentropy",
                      trainingOptions("sgdm", MaxEpochs=1, MiniBatchSize=64, Verbose=False,
                                      InputDataFormats="CB"))
    inp = net.Layers[0]
    want = stats(X.astype(np.float64))
    for name in ("Mean", "StandardDeviation", "Min", "Max"):
        if name in want:
            np.testing.assert_allclose(getattr(inp, name), want[name], rtol=1e-6)
        else:
            assert getattr(inp, name) is None
    # what the network computes uses them: one fc layer, checked against NumPy
    w = learnables(net)
    fc = net.Layers[1].Name
    x = X.astype(np.float64)
    if mode == "zscore":
        x = (x - want["Mean"]) / want["StandardDeviation"]
    elif mode == "zerocenter":
        x = x - want["Mean"]
    elif mode == "rescale-zero-one":
        x = (x - want["Min"]) / (want["Max"] - want["Min"])
    elif mode == "rescale-symmetric":
        x = 2 * (x - want["Min"]) / (want["Max"] - want["Min"]) - 1
    ref = softmax(x @ w[fc, "Weights"].T + w[fc, "Bias"].reshape(-1))
    np.testing.assert_allclose(minibatchpredict(net, X), ref, atol=2e-5)


def test_feature_regression_with_responses():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((200, 3)).astype(np.float32)
    A = np.array([[1.0, -2.0], [0.5, 0.0], [0.0, 3.0]])
    Y = (X @ A + [1.0, -1.0]).astype(np.float32)
    layers = [featureInputLayer(3), fullyConnectedLayer(2, Name="fc")]
    net, info = trainnet(X, Y, dlnetwork(layers), "mse",
                         trainingOptions("adam", MaxEpochs=60, MiniBatchSize=50,
                                         InitialLearnRate=0.05, Verbose=False))
    assert info["TrainingLoss"][-1] < 0.01 * info["TrainingLoss"][0]
    w = learnables(net)
    np.testing.assert_allclose(w["fc", "Weights"], A.T, atol=0.05)
    out = minibatchpredict(net, X[:5])
    np.testing.assert_allclose(out, X[:5] @ w["fc", "Weights"].T + w["fc", "Bias"].reshape(-1),
                               atol=1e-5)
    # responses given as MATLAB's R-by-N, with TargetDataFormats
    net2, _ = trainnet(X, Y.T, dlnetwork(layers), "mse",
                       trainingOptions("adam", MaxEpochs=1, MiniBatchSize=50, Verbose=False,
                                       TargetDataFormats="CB", Shuffle="never"))
    assert minibatchpredict(net2, X).shape == (200, 2)


def test_legacy_workflow_on_features():
    X, T = blobs(300, 5)
    layers = [*mlp(), classificationLayer()]
    net, _ = trainNetwork(X, T, layers, trainingOptions("adam", **OPTS))
    XTest, TTest = blobs(100, 6)
    labels, scores = classify(net, XTest)
    assert scores.shape == (100, 3)
    assert np.mean(labels == TTest) > 0.85
    assert list(labels) == list(np.array(net.Classes)[scores.argmax(1)])


@pytest.mark.parametrize("X, fmt, match", [
    (np.zeros((10, 5)), "auto", r"5 features, expected 4 \(InputSize of layer 'in'"),
    (np.zeros((4, 10)), "auto", r"InputDataFormats='CB'"),
    ([np.zeros(4), np.zeros(3)], "auto", "observations differ in shape"),
    (np.zeros(4), "auto", r"expected \(N, numFeatures\)"),
    (np.array([["a"] * 4]), "auto", "not numeric"),
    (np.full((2, 4), np.nan), "auto", "NaN or Inf"),
    (np.zeros((10, 4)), "BTC", "does not describe feature data"),
])
def test_bad_feature_data_is_a_data_error(trained_mlp, X, fmt, match):
    net = trained_mlp[0]
    with pytest.raises(DataError, match=match):
        minibatchpredict(net, X, InputDataFormats=fmt)


def test_a_dlnetwork_runs_only_after_its_statistics_exist():
    net = dlnetwork(mlp())  # zscore without Mean: made, as in MATLAB, for trainnet to complete
    with pytest.raises(NetworkError, match="needs Mean, StandardDeviation, which trainnet "
                                           "computes"):
        minibatchpredict(net, np.zeros((2, 4)))


# --- images -----------------------------------------------------------------------------------

def bars(n, seed):
    """8x8 grayscale images holding a horizontal or a vertical bar, in noise (MATLAB's
    h-by-w-by-c-by-N layout)."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    X = 0.3 * rng.standard_normal((8, 8, 1, n))
    pos = rng.integers(1, 7, n)
    for i in range(n):
        if labels[i]:
            X[:, pos[i], 0, i] += 1.0
        else:
            X[pos[i], :, 0, i] += 1.0
    return X.astype(np.float32), np.array(["horizontal", "vertical"])[labels]


def cnn():
    return [imageInputLayer([8, 8, 1], Name="img"),
            convolution2dLayer(3, 4, Padding="same", Name="conv"), reluLayer(),
            maxPooling2dLayer(2, Stride=2), fullyConnectedLayer(2, Name="fc"), softmaxLayer()]


@pytest.fixture(scope="module")
def trained_cnn():
    X, T = bars(200, 0)
    net, info = trainnet(X, T, dlnetwork(cnn()), "crossentropy",
                         trainingOptions("adam", MaxEpochs=20, MiniBatchSize=25,
                                         InitialLearnRate=0.01, Verbose=False))
    return net, info, X, T


def test_image_classifier_learns(trained_cnn):
    net, info, _, _ = trained_cnn
    XTest, TTest = bars(100, 1)
    assert run_testnet(net, XTest, TTest, "accuracy") > 90  # chance is 50 %
    assert info["TrainingLoss"][-1] < 0.5 * info["TrainingLoss"][0]


def numpy_cnn(X, net):
    """zerocenter, 3x3 'same' convolution (cross-correlation, as MATLAB's), relu, 2x2 max
    pooling, MATLAB's column-major flattening, fc, softmax; X is h x w x c x N."""
    w = learnables(net)
    mean = np.asarray(net.Layers[0].Mean, np.float64).reshape(1, 1, -1, 1)
    x = np.pad(X.astype(np.float64) - mean, ((1, 1), (1, 1), (0, 0), (0, 0)))
    W, b = w["conv", "Weights"], w["conv", "Bias"].reshape(-1)  # 3 x 3 x C x F
    H, Wd, N = X.shape[0], X.shape[1], X.shape[3]
    conv = np.zeros((H, Wd, W.shape[3], N))
    for i in range(H):
        for j in range(Wd):
            conv[i, j] = np.einsum("abcn,abcf->fn", x[i:i + 3, j:j + 3], W) + b[:, None]
    a = np.maximum(conv, 0)
    pooled = a.reshape(H // 2, 2, Wd // 2, 2, -1, N).max(axis=(1, 3))
    flat = pooled.reshape(-1, N, order="F")  # MATLAB: h fastest, then w, then c
    return softmax((w["fc", "Weights"] @ flat + w["fc", "Bias"].reshape(-1, 1)).T)


def test_image_outputs_equal_the_equations(trained_cnn):
    net, _, X, _ = trained_cnn
    np.testing.assert_allclose(np.asarray(net.Layers[0].Mean).reshape(-1),
                               X.astype(np.float64).mean(), rtol=1e-5)
    XTest, _ = bars(30, 2)
    ref = numpy_cnn(XTest, net)
    np.testing.assert_allclose(minibatchpredict(net, XTest, MiniBatchSize=8), ref, atol=1e-5)
    # the NumPy habit (N, h, w, c), asked for by name; one image h-by-w-by-c
    np.testing.assert_allclose(minibatchpredict(net, np.moveaxis(XTest, -1, 0),
                                                InputDataFormats="BSSC"), ref, atol=1e-5)
    np.testing.assert_allclose(predict(net, XTest[..., 3]), ref[3:4], atol=1e-5)


def test_legacy_workflow_on_images():
    X, T = bars(200, 3)
    net, _ = trainNetwork(X, T, [*cnn(), classificationLayer()],
                          trainingOptions("adam", MaxEpochs=20, MiniBatchSize=25,
                                          InitialLearnRate=0.01, Verbose=False))
    XTest, TTest = bars(60, 4)
    labels, scores = classify(net, XTest)
    assert np.mean(labels == TTest) > 0.9
    np.testing.assert_allclose(scores, numpy_cnn(XTest, net), atol=1e-5)


def test_image_regression_trains_on_responses():
    X, _ = bars(100, 5)
    Y = X.mean(axis=(0, 1)).T  # (N, 1): each image's mean
    layers = [imageInputLayer([8, 8, 1], Normalization="none"), fullyConnectedLayer(1)]
    net, info = trainnet(X, Y, dlnetwork(layers), "mse",
                         trainingOptions("adam", MaxEpochs=40, MiniBatchSize=20,
                                         InitialLearnRate=0.01, Verbose=False))
    assert info["TrainingLoss"][-1] < 0.1 * info["TrainingLoss"][0]
    assert minibatchpredict(net, X).shape == (100, 1)


@pytest.mark.parametrize("X, fmt, match", [
    (np.zeros((8, 8, 2, 3)), "auto", r"images of size 8x8x2, expected 8x8x1"),
    (np.zeros((3, 8, 8, 1)), "auto", r"InputDataFormats='BSSC'"),
    (np.zeros((8, 8)), "auto", r"expected \(h, w, c, N\)"),
    (np.zeros((8, 8, 1, 2)), "BC", "does not describe image data"),
])
def test_bad_image_data_is_a_data_error(trained_cnn, X, fmt, match):
    with pytest.raises(DataError, match=match):
        minibatchpredict(trained_cnn[0], X, InputDataFormats=fmt)


def test_trainnet_reads_image_formats():
    X, T = bars(50, 6)
    opts = dict(MaxEpochs=2, MiniBatchSize=25, Verbose=False, Shuffle="never")
    a, _ = trainnet(X, T, dlnetwork(cnn()), "crossentropy", trainingOptions("adam", **opts))
    b, _ = trainnet(np.moveaxis(X, -1, 0), T, dlnetwork(cnn()), "crossentropy",
                    trainingOptions("adam", InputDataFormats="BSSC", **opts))
    np.testing.assert_allclose(minibatchpredict(a, X), minibatchpredict(b, X), atol=1e-6)


def test_testnet_reads_the_data_formats(trained_mlp):
    net, _, _, _ = trained_mlp
    XTest, TTest = blobs(60, 7)
    want = run_testnet(net, XTest, TTest, "accuracy")
    assert run_testnet(net, XTest.T, TTest, "accuracy", InputDataFormats="CB") == want
    onehot = (TTest[:, None] == np.array(["setosa", "versicolor", "virginica"])).astype(float)
    scores = minibatchpredict(net, XTest)
    ce = -(onehot * np.log(scores)).sum() / len(XTest)
    got = run_testnet(net, XTest, onehot.T, "crossentropy", TargetDataFormats="CB")
    assert np.isclose(got, ce, rtol=1e-5)


def test_image_outputs_come_back_observations_first_in_matlab_element_order():
    """A network ending in a convolution returns (N, h, w, filters)."""
    X, _ = bars(5, 8)
    net = dlnetwork([imageInputLayer([8, 8, 1], Normalization="none"),
                     convolution2dLayer(3, 2, Padding="same", Name="conv")])
    out = minibatchpredict(net, X)
    assert out.shape == (5, 8, 8, 2)
    w = learnables(net)
    x = np.pad(X.astype(np.float64), ((1, 1), (1, 1), (0, 0), (0, 0)))
    ref = np.zeros((5, 8, 8, 2))
    for i in range(8):
        for j in range(8):
            ref[:, i, j] = np.einsum("abcn,abcf->nf", x[i:i + 3, j:j + 3], w["conv", "Weights"]) \
                + w["conv", "Bias"].reshape(-1)
    np.testing.assert_allclose(out, ref, atol=1e-5)


def test_trainnet_with_feature_validation_data():
    X, T = blobs(120, 9)
    Xv, Tv = blobs(40, 10)
    net, info = trainnet(X, T, dlnetwork(mlp()), "crossentropy",
                         trainingOptions("adam", MaxEpochs=10, MiniBatchSize=30,
                                         InitialLearnRate=0.01, Verbose=False,
                                         ValidationData=(Xv, Tv), ValidationFrequency=4,
                                         Metrics="accuracy", OutputNetwork="best-validation"))
    v = [x for x in info["ValidationLoss"] if np.isfinite(x)]
    assert len(v) >= 3 and min(v) < 0.5 * v[0]
    assert run_testnet(net, Xv, Tv, "accuracy") > 80
