"""The ported MATLAB examples (examples/*.py): each runs in its smoke mode, writes its outputs, and
builds the same network as its spec (specs/) and its MATLAB source (examples/matlab/)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from layergraph import from_matlab, load_spec, predict
from layergraph.datasets import elnino, elnino_info, japanese_vowels

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n"


def _example(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", ROOT / "examples" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def conv1d():
    return _example("japanese_vowels_conv1d")


@pytest.fixture(scope="module")
def forecasting():
    return _example("elnino_forecasting")


def _matlab(name, **variables):
    path = ROOT / "examples" / "matlab" / f"{name}.m"
    return from_matlab(path.read_text(), filename=str(path), variables=variables)


def _is_png(path):
    p = Path(path)
    return p.is_file() and p.read_bytes()[:8] == PNG


# --- Sequence Classification Using 1-D Convolutions (Japanese Vowels) ---------------------------

@pytest.fixture(scope="module")
def conv1d_smoke(conv1d, tmp_path_factory):
    out = tmp_path_factory.mktemp("conv1d")
    paths = {"plot": out / "plots" / "progress.png", "predictions": out / "pred.csv",
             "save": out / "net.pt"}
    res = conv1d.main(["--smoke", "--device", "cpu", "--plot", str(paths["plot"]),
                       "--predictions", str(paths["predictions"]), "--save", str(paths["save"])])
    return res, paths


def test_conv1d_smoke_trains_predicts_and_writes_its_outputs(conv1d, conv1d_smoke):
    res, paths = conv1d_smoke
    assert res["info"].TrainingLoss and np.isfinite(res["info"].TrainingLoss).all()
    assert 0.0 <= res["accuracy"] <= 1.0
    assert _is_png(paths["plot"])
    with open(paths["predictions"]) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 54
    assert {r["predicted"] for r in rows} <= {str(k) for k in range(1, 10)}
    acc = np.mean([r["label"] == r["predicted"] for r in rows])
    assert acc == pytest.approx(res["accuracy"])
    assert paths["save"].is_file() and paths["save"].stat().st_size > 0
    # The network is the example's: MinLength from the (smoke) training data, two causal
    # convolutions.
    layers = res["net"].Layers
    X, Y = conv1d._subset(*japanese_vowels("train"), 54)
    assert layers[0].MinLength == min(len(x) for x in X) > 1
    assert [lay.NumFilters for lay in layers if hasattr(lay, "NumFilters")] == [32, 64]


def test_conv1d_seed_makes_runs_reproducible(conv1d, conv1d_smoke):
    again = conv1d.main(["--smoke", "--device", "cpu"])
    assert again["info"].TrainingLoss == conv1d_smoke[0]["info"].TrainingLoss
    other = conv1d.main(["--smoke", "--device", "cpu", "--seed", "1"])
    assert other["info"].TrainingLoss != conv1d_smoke[0]["info"].TrainingLoss


def test_conv1d_spec_builds_the_example_network(conv1d):
    spec = load_spec(ROOT / "specs" / "japanese-vowels-conv1d.yaml")
    assert spec.graph == conv1d.build_graph(12, 9, 7)
    assert spec.graph != conv1d.build_graph(12, 9, 1)  # MinLength is part of the comparison
    assert spec.options == conv1d.matlab_options()


def test_conv1d_matlab_source_translates_to_the_example_network(conv1d):
    t = _matlab("japanese_vowels_conv1d", numFeatures=12, numClasses=9, minLength=7)
    assert t.graph == conv1d.build_graph(12, 9, 7)
    assert t.options == conv1d.matlab_options()
    assert t.variables["filterSize"] == 3 and t.variables["numFilters"] == 32


# --- Time Series Forecasting Using Deep Learning (El Nino sea surface temperatures) -------------

@pytest.fixture(scope="module")
def forecast_smoke(forecasting, tmp_path_factory):
    out = tmp_path_factory.mktemp("forecast")
    paths = {"plot": out / "progress.png", "forecasts": out / "forecasts.csv",
             "save": out / "net.pt"}
    res = forecasting.main(["--smoke", "--device", "cpu", "--plot", str(paths["plot"]),
                            "--forecasts", str(paths["forecasts"]), "--save", str(paths["save"])])
    return res, paths


def test_forecasting_smoke_trains_forecasts_and_writes_its_outputs(forecast_smoke):
    res, paths = forecast_smoke
    assert len(res["info"].TrainingRMSE) == 2
    assert _is_png(paths["plot"])
    assert _is_png(paths["plot"].with_name("progress-forecast.png"))
    with open(paths["forecasts"]) as f:
        rows = list(csv.DictReader(f))
    assert [r["month"] for r in rows] == [f"2010-{m:02d}" for m in range(1, 13)]
    truth = np.array([[float(r[f"observed_{c}"]) for c in elnino_info()["channels"]]
                      for r in rows])
    np.testing.assert_allclose(truth, elnino()[-12:], atol=1e-4)
    for kind in ("open", "closed"):
        m = res[kind]
        assert set(m) == {"RMSE", "MAE", "R2"} and all(np.isfinite(list(m.values())))
        assert m["MAE"] <= m["RMSE"]
    assert paths["save"].is_file()


def test_open_loop_is_one_pass_over_the_true_series(forecasting, forecast_smoke):
    """Stepping predictAndUpdateState month by month gives the outputs of one predict over the
    whole series: the state is carried from call to call."""
    res, _ = forecast_smoke
    net = res["net"]
    data = elnino()[-252:]
    numTrain = len(data) - 12
    _, _, stats = forecasting.prepare(data, numTrain)
    Y = forecasting.open_loop(net, data, numTrain, stats)
    norm = ((data[:-1] - stats["muX"]) / stats["sigmaX"]).astype(np.float32)
    whole = predict(net, norm)[numTrain - 1:] * stats["sigmaT"] + stats["muT"]
    np.testing.assert_allclose(Y, whole, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(Y, res["Yopen"], rtol=1e-5, atol=1e-5)


def test_closed_loop_never_sees_the_test_months(forecasting, forecast_smoke):
    res, _ = forecast_smoke
    net = res["net"]
    data = elnino()[-252:]
    numTrain = len(data) - 12
    _, _, stats = forecasting.prepare(data, numTrain)
    hidden = data.copy()
    hidden[numTrain:] = np.nan
    closed = forecasting.closed_loop(net, hidden, numTrain, 12, stats)
    np.testing.assert_allclose(closed, res["Yclosed"], rtol=1e-5, atol=1e-5)
    # ... and it does feed its own forecasts back: they differ from one-step forecasts.
    assert np.abs(closed - res["Yopen"]).max() > 1e-3


def test_forecast_metrics():
    from_module = _example("elnino_forecasting").metrics
    T = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 0.0]])
    m = from_module(T, T)
    assert m == {"RMSE": 0.0, "MAE": 0.0, "R2": 1.0}
    Y = T + np.array([[1.0, -1.0], [1.0, -1.0], [1.0, -1.0]])
    m = from_module(Y, T)
    assert m["RMSE"] == pytest.approx(1.0) and m["MAE"] == pytest.approx(1.0)
    ss_tot = ((T - T.mean(0)) ** 2).sum()
    assert m["R2"] == pytest.approx(1 - 6 / ss_tot)


def test_forecasting_export_npz_trains_through_the_spec(forecasting, tmp_path):
    from layergraph.cli import main as cli

    npz = tmp_path / "train.npz"
    res = forecasting.main(["--export-npz", str(npz)])
    with np.load(npz) as z:
        assert z["X"].shape == (1, 657, 4) and z["Y"].shape == (1, 657, 4)
        # Targets are the inputs one month later (each normalized by its own statistics).
        s = res["stats"]
        np.testing.assert_allclose(z["X"][0, 1:] * s["sigmaX"] + s["muX"],
                                   z["Y"][0, :-1] * s["sigmaT"] + s["muT"], atol=1e-4)
    spec = ROOT / "specs" / "elnino-lstm-forecasting.yaml"
    rc = cli(["train", str(spec), "--data", str(npz), "--max-epochs", "1", "--device", "cpu",
              "--set", "Plots=none", "--no-progress", "--out", str(tmp_path / "net.pt")])
    assert rc == 0 and (tmp_path / "net.pt").is_file()


def test_forecasting_spec_builds_the_example_network(forecasting):
    spec = load_spec(ROOT / "specs" / "elnino-lstm-forecasting.yaml")
    assert spec.graph == forecasting.build_graph(4)
    assert spec.options == forecasting.matlab_options()


def test_forecasting_matlab_source_translates_to_the_example_network(forecasting):
    t = _matlab("elnino_forecasting", numChannels=4)
    assert t.graph == forecasting.build_graph(4)
    assert t.graph != forecasting.build_graph(3)
    assert t.options == forecasting.matlab_options()
    assert t.variables["numHiddenUnits"] == 128


@pytest.mark.parametrize("name", ["japanese_vowels_conv1d", "elnino_forecasting"])
def test_device_option(name, capsys):
    import torch

    mod = _example(name)
    if torch.cuda.is_available():
        res = mod.main(["--smoke", "--device", "gpu"])
        assert res["net"].device.type == "cuda"
    else:
        assert mod.run(["--smoke", "--device", "gpu"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "no CUDA GPU" in err[0]


# --- Sequence Classification Using Deep Learning, today's workflow (trainnet) ------------------

def test_modern_twin_smoke_runs_and_reports_testnet_accuracy(tmp_path):
    mod = _example("japanese_vowels_modern")
    res = mod.main(["--smoke", "--device", "cpu", "--plot", str(tmp_path / "p.png"),
                    "--save", str(tmp_path / "net.pt")])
    assert 0.0 <= res["accuracy"] <= 1.0 and res["net"].dlnetwork
    assert len(res["info"].TrainingAccuracy) == len(res["info"].TrainingLoss) > 0
    assert _is_png(tmp_path / "p.png") and (tmp_path / "net.pt").stat().st_size > 0


def test_trainnet_and_trainnetwork_train_the_same_bilstm_alike():
    """Sequence-to-label cross-entropy over the observations is the same loss in both workflows,
    and both draw the initial weights in the same order from the same seed: the two trainings
    follow the same path."""
    from layergraph import (
        classificationLayer,
        dlnetwork,
        trainingOptions,
        trainnet,
        trainNetwork,
    )

    mod = _example("japanese_vowels_modern")
    X, Y = japanese_vowels("train")
    idx = np.arange(0, 270, 5)  # 54 sequences of all nine speakers
    X, Y = [X[i] for i in idx], Y[idx]
    opts = dict(MaxEpochs=2, MiniBatchSize=27, GradientThreshold=1, Shuffle="never",
                Verbose=False, ProgressBar=False)
    layers = mod.build_layers(12, 16, 9)
    _, legacy = trainNetwork(X, Y, [*layers, classificationLayer()],
                             trainingOptions("adam", **opts))
    _, modern = trainnet(X, Y, dlnetwork(mod.build_layers(12, 16, 9)), "crossentropy",
                         trainingOptions("adam", Metrics="accuracy", **opts))
    assert np.allclose(legacy.TrainingLoss, modern.TrainingLoss, rtol=1e-5)
    assert np.allclose(legacy.TrainingAccuracy, modern.TrainingAccuracy)


def test_modern_spec_is_a_dlnetwork_spec_of_the_example_network():
    from layergraph import layerGraph, save_spec

    mod = _example("japanese_vowels_modern")
    spec = load_spec(ROOT / "specs" / "japanese-vowels-modern.yaml")
    assert spec.dlnetwork and spec.loss == "crossentropy" and spec.classification
    assert spec.graph == layerGraph(mod.build_layers())
    assert spec.options == mod.matlab_options()
    assert spec.analyze().ok and spec.analyze().outputs == [("softmax", "out")]
    back = load_spec(save_spec(spec))
    assert back == spec and back.loss == "crossentropy"
    # Without 'loss' the same layers are a legacy spec missing its output layer.
    from layergraph import SpecError

    text = (ROOT / "specs" / "japanese-vowels-modern.yaml").read_text()
    with pytest.raises(SpecError, match="no output layer"):
        load_spec(text.replace("loss: crossentropy\n", ""))
    with pytest.raises(SpecError, match="loss"):
        load_spec(text.replace("loss: crossentropy", "loss: crossentropi"))


def test_modern_matlab_source_translates_to_the_example_network_and_runs():
    from layergraph import layerGraph

    mod = _example("japanese_vowels_modern")
    t = _matlab("japanese_vowels_modern", numFeatures=12, numClasses=9)
    assert t.graph == layerGraph(mod.build_layers())
    assert t.options == mod.matlab_options()
    code = t.to_python()
    assert "dlnetwork(layers)" in code and "trainnet(XTrain, TTrain, net, 'crossentropy'" in code
    scope = {}
    exec(compile(code, "translated.py", "exec"), scope)
    assert scope["net"].dlnetwork and scope["net"].Initialized
    assert [m.Name for m in scope["options"].Metrics] == ["Accuracy"]


EXAMPLES = ["japanese_vowels", "japanese_vowels_modern", "japanese_vowels_conv1d",
            "elnino_forecasting", "digit_video_classification",
            "basic_motions_sequence_classification", "basic_motions_chunked_regression"]


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_example_takes_device_cuda_as_gpu(name, capsys):
    """`--device cuda` means MATLAB's 'gpu': it trains on CUDA where there is one, and without
    one it is a one-line error (status 2) before any training."""
    import torch

    mod = _example(name)
    quick = ["--epochs", "1"] if name == "japanese_vowels" else ["--smoke"]
    if torch.cuda.is_available():
        assert mod.run([*quick, "--device", "cuda"]) == 0
        return
    assert mod.run([*quick, "--device", "cuda"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no CUDA GPU" in err[0]
