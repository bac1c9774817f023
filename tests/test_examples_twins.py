"""Today's-workflow twins (dlnetwork, trainnet) of the ported examples japanese_vowels_conv1d.py
and elnino_forecasting.py (``--modern``), with their specs and MATLAB sources; and the MATLAB
source of the legacy Japanese Vowels example (examples/matlab/japanese_vowels.m)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from layergraph import (
    dlnetwork,
    from_matlab,
    layerGraph,
    load_spec,
    predict,
    resetState,
    save_spec,
    trainnet,
    trainNetwork,
)
from layergraph.datasets import elnino, japanese_vowels

ROOT = Path(__file__).resolve().parent.parent


def _example(name):
    spec = importlib.util.spec_from_file_location(f"twin_{name}", ROOT / "examples" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _matlab(name, **variables):
    path = ROOT / "examples" / "matlab" / f"{name}.m"
    return from_matlab(path.read_text(), filename=str(path), variables=variables)


@pytest.fixture(scope="module")
def conv1d():
    return _example("japanese_vowels_conv1d")


@pytest.fixture(scope="module")
def forecasting():
    return _example("elnino_forecasting")


# --- Sequence Classification Using 1-D Convolutions, today's workflow ---------------------------

def test_conv1d_modern_smoke_trains_a_dlnetwork_and_reports_testnet_accuracy(conv1d, tmp_path):
    res = conv1d.main(["--smoke", "--modern", "--device", "cpu", "--plot",
                       str(tmp_path / "p.png"), "--predictions", str(tmp_path / "pred.csv")])
    net = res["net"]
    assert net.dlnetwork and 0.0 <= res["accuracy"] <= 1.0
    assert len(res["info"].TrainingAccuracy) == len(res["info"].TrainingLoss) == 2
    assert [type(lay).__name__ for lay in net.Layers][-1] != "ClassificationOutputLayer"
    assert net.Layers[0].MinLength > 1
    rows = (tmp_path / "pred.csv").read_text().splitlines()[1:]
    acc = np.mean([r.split(",")[1] == r.split(",")[2] for r in rows])
    assert len(rows) == 54 and acc == pytest.approx(res["accuracy"])


def test_conv1d_twins_train_alike(conv1d):
    """The same layers, the same seed, no shuffling: trainnet's cross-entropy over the
    sequences and the classificationLayer's are one loss, so the two trainings match."""
    X, Y = conv1d._subset(*japanese_vowels("train"), 54)
    o = dict(MaxEpochs=2, Shuffle="never", Plots="none", ProgressBar=False)
    minLength = min(len(x) for x in X)
    _, legacy = trainNetwork(X, Y, conv1d.build_layers(12, 9, minLength),
                             conv1d.matlab_options(**o))
    _, modern = trainnet(X, Y, dlnetwork(conv1d.build_modern_layers(12, 9, minLength)),
                         "crossentropy", conv1d.matlab_options(True, **o))
    assert len(legacy.TrainingLoss) == 4
    np.testing.assert_allclose(legacy.TrainingLoss, modern.TrainingLoss, rtol=1e-5)


def test_conv1d_modern_spec_builds_the_twin(conv1d):
    spec = load_spec(ROOT / "specs" / "japanese-vowels-conv1d-modern.yaml")
    assert spec.dlnetwork and spec.loss == "crossentropy"
    assert spec.graph == layerGraph(conv1d.build_modern_layers(12, 9, 7))
    assert spec.options == conv1d.matlab_options(True)
    assert spec.options != conv1d.matlab_options()  # the Metrics are part of it
    assert spec.analyze().outputs == [("softmax", "out")]
    assert load_spec(save_spec(spec)) == spec


def test_conv1d_modern_matlab_source_translates_to_the_twin(conv1d):
    t = _matlab("japanese_vowels_conv1d_modern", numFeatures=12, numClasses=9, minLength=7)
    assert t.graph == layerGraph(conv1d.build_modern_layers(12, 9, 7))
    assert t.graph != conv1d.build_graph(12, 9, 7)  # no classificationLayer
    assert t.options == conv1d.matlab_options(True)
    code = t.to_python()
    assert "dlnetwork(layers)" in code and "trainnet(XTrain, TTrain, net, 'crossentropy'" in code


# --- Time Series Forecasting Using Deep Learning, today's workflow ------------------------------

@pytest.fixture(scope="module")
def forecast_modern(forecasting):
    return forecasting.main(["--smoke", "--modern", "--device", "cpu"])


def test_forecasting_modern_smoke_trains_with_mse_and_forecasts(forecast_modern):
    res = forecast_modern
    assert res["net"].dlnetwork and len(res["info"].TrainingLoss) == 2
    assert res["Yopen"].shape == res["Yclosed"].shape == (12, 4)
    for kind in ("open", "closed"):
        assert all(np.isfinite(list(res[kind].values())))


def test_forecasting_modern_open_loop_carries_the_state_from_call_to_call(forecasting,
                                                                          forecast_modern):
    """Stepping ``[Y,state] = predict(net,X); net.State = state`` month by month gives the
    outputs of one predict over the whole series from the reset state."""
    net = forecast_modern["net"]
    data = elnino()[-252:]
    numTrain = len(data) - 12
    _, _, stats = forecasting.prepare(data, numTrain)
    Y = forecasting.open_loop(net, data, numTrain, stats)
    norm = ((data[:-1] - stats["muX"]) / stats["sigmaX"]).astype(np.float32)
    net = resetState(net)
    whole = predict(net, norm)[numTrain - 1:] * stats["sigmaT"] + stats["muT"]
    np.testing.assert_allclose(Y, whole, rtol=1e-4, atol=1e-4)
    # Without carrying the state, each month alone gives other forecasts.
    alone = np.stack([predict(resetState(net), norm[numTrain - 1 + t][None])[-1]
                      for t in range(12)]) * stats["sigmaT"] + stats["muT"]
    assert np.abs(alone - Y).max() > 1e-2


def test_forecasting_modern_closed_loop_never_sees_the_test_months(forecasting, forecast_modern):
    net = forecast_modern["net"]
    data = elnino()[-252:]
    numTrain = len(data) - 12
    _, _, stats = forecasting.prepare(data, numTrain)
    hidden = data.copy()
    hidden[numTrain:] = np.nan
    closed = forecasting.closed_loop(net, hidden, numTrain, 12, stats)
    np.testing.assert_allclose(closed, forecast_modern["Yclosed"], rtol=1e-5, atol=1e-5)
    assert np.abs(closed - forecast_modern["Yopen"]).max() > 1e-3


def test_forecasting_modern_spec_builds_the_twin_and_trains(forecasting, tmp_path):
    from layergraph.cli import main as cli

    spec_path = ROOT / "specs" / "elnino-lstm-forecasting-modern.yaml"
    spec = load_spec(spec_path)
    assert spec.dlnetwork and spec.loss == "mse"
    assert spec.graph == layerGraph(forecasting.build_modern_layers(4))
    assert spec.options == forecasting.matlab_options()
    npz = tmp_path / "train.npz"
    forecasting.main(["--export-npz", str(npz)])
    rc = cli(["train", str(spec_path), "--data", str(npz), "--max-epochs", "1", "--device",
              "cpu", "--set", "Plots=none", "--no-progress", "--quiet", "--out",
              str(tmp_path / "net.pt")])
    assert rc == 0 and (tmp_path / "net.pt").is_file()


def test_forecasting_modern_matlab_source_translates_to_the_twin(forecasting):
    t = _matlab("elnino_forecasting_modern", numChannels=4)
    assert t.graph == layerGraph(forecasting.build_modern_layers(4))
    assert t.graph != forecasting.build_graph(4)
    assert t.options == forecasting.matlab_options()
    assert "trainnet(XTrain" in t.to_python() and "'mse'" in t.to_python()


# --- Sequence Classification Using Deep Learning, the legacy program ---------------------------

def test_legacy_japanese_vowels_matlab_source_translates_to_the_example():
    mod = _example("japanese_vowels")
    t = _matlab("japanese_vowels")
    assert t.graph == layerGraph(mod.build_layers())
    assert t.graph != layerGraph(mod.build_layers(numHiddenUnits=50))
    assert t.options == mod.matlab_options()
    assert t.variables["numHiddenUnits"] == 100 and t.variables["miniBatchSize"] == 27
    # The script's run differs from MATLAB's recipe only where it says so: device, plot, seed.
    assert mod.matlab_options(ExecutionEnvironment="auto") != t.options


def test_legacy_japanese_vowels_script_uses_the_recipe(monkeypatch):
    """examples/japanese_vowels.py trains with matlab_options() but for the device, the plot and
    the seed it is given."""
    mod = _example("japanese_vowels")
    seen = {}

    def fake_train(X, Y, layers, options):
        seen["layers"], seen["options"] = layers, options
        raise RuntimeError("stop")

    monkeypatch.setattr(mod, "trainNetwork", fake_train)
    with pytest.raises(RuntimeError, match="stop"):
        mod.main(["--device", "cpu", "--epochs", "50"])
    assert layerGraph(seen["layers"]) == layerGraph(mod.build_layers())
    assert seen["options"] == mod.matlab_options(Seed=0, Plots="none",
                                                 PlotPath="training-progress.png")


# --- tools/seed_table.py ------------------------------------------------------------------------

def test_seed_table_runs_the_example_per_seed_and_summarises(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("seed_table", ROOT / "tools" / "seed_table.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    fake = tmp_path / "fake_example.py"
    fake.write_text(
        "def main(argv):\n"
        "    seed = int(argv[argv.index('--seed') + 1])\n"
        "    assert argv[argv.index('--device') + 1] == 'cpu' and '--modern' in argv\n"
        "    print('noise')\n"
        "    return {'accuracy': [0.9, 0.5, 0.7, 0.8][seed], 'open': {'RMSE': 2.0 * seed}}\n")
    results = tool.main([str(fake), "--seeds", "4", "--", "--modern"])
    assert [v for v, _ in results] == [0.9, 0.5, 0.7, 0.8]
    out = capsys.readouterr().out
    assert "noise" not in out
    assert "| seeds 0–3 | median 0.7500, min 0.5000, max 0.9000 (mean 0.7250) |" in out
    nested = tool.main([str(fake), "--seeds", "2", "--key", "open.RMSE", "--", "--modern"])
    assert [v for v, _ in nested] == [0.0, 2.0]


@pytest.mark.parametrize("name", ["japanese_vowels_conv1d", "elnino_forecasting"])
def test_device_option_of_the_twins(name, capsys):
    import torch

    mod = _example(name)
    if torch.cuda.is_available():
        res = mod.main(["--smoke", "--modern", "--device", "gpu"])
        assert res["net"].device.type == "cuda" and res["net"].dlnetwork
    else:
        assert mod.run(["--smoke", "--modern", "--device", "gpu"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "no CUDA GPU" in err[0]


@pytest.mark.parametrize("source, spec, variables", [
    ("japanese_vowels_modern", "japanese-vowels-modern", {"numFeatures": 12, "numClasses": 9}),
    ("japanese_vowels_conv1d_modern", "japanese-vowels-conv1d-modern",
     {"numFeatures": 12, "numClasses": 9, "minLength": 7}),
    ("elnino_forecasting_modern", "elnino-lstm-forecasting-modern", {"numChannels": 4}),
    ("digit_video_classification_modern", "digit-video-classification-modern",
     {"numClasses": 10}),
])
def test_a_modern_sources_yaml_is_the_shipped_dlnetwork_spec(source, spec, variables, tmp_path):
    """--to yaml of today's MATLAB writes trainnet's loss, so the spec loads as a dlnetwork spec
    equal to the shipped one (before, it had no loss and did not load)."""
    from layergraph import from_matlab, load_spec

    t = from_matlab(ROOT / "examples" / "matlab" / f"{source}.m", variables=variables)
    path = tmp_path / "translated.yaml"
    path.write_text(t.to_yaml())
    got, shipped = load_spec(path), load_spec(ROOT / "specs" / f"{spec}.yaml")
    assert got.dlnetwork and got.loss == shipped.loss
    assert got.graph == shipped.graph and got.options == shipped.options
