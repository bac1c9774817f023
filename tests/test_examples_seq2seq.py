"""The two sequence-to-sequence ports on the shipped BasicMotions recordings: the data set and its
converter, then each example in its smoke mode, its seed, its spec (specs/) and its MATLAB source
(examples/matlab/)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from layergraph import DataError, from_matlab, load_spec
from layergraph.datasets import basic_motions, basic_motions_info, basic_motions_sequences

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n"
CLASSES = ["Standing", "Running", "Walking", "Badminton"]


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _example(name):
    return _load(ROOT / "examples" / f"{name}.py", f"example_{name}")


def _matlab(name, **variables):
    path = ROOT / "examples" / "matlab" / f"{name}.m"
    return from_matlab(path.read_text(), filename=str(path), variables=variables)


def _is_png(path):
    p = Path(path)
    return p.is_file() and p.read_bytes()[:8] == PNG


# --- The data set -----------------------------------------------------------------------------

def test_basic_motions_recordings():
    for split in ("train", "test"):
        X, Y = basic_motions(split)
        assert len(X) == 40 and all(x.shape == (100, 6) and x.dtype == np.float32 for x in X)
        assert sorted(Y.tolist()) == sorted(CLASSES * 10)
    # In float64 the values are the source text's numbers exactly (the first values of the
    # first channel of BasicMotions_TRAIN.ts, and a Walking case's).
    X64, Y = basic_motions("train", np.float64)
    assert X64[0][:4, 0].tolist() == [0.079106, 0.079106, -0.903497, 1.116125]
    assert Y[0] == "Standing" and X64[0][:4, 0].dtype == np.float64
    # Running moves the wrist far more than standing does (the labels fit the signals).
    X, Y = basic_motions("test")
    spread = {c: np.mean([X[i].std() for i in np.flatnonzero(Y == c)]) for c in CLASSES}
    assert spread["Running"] > 5 * spread["Standing"]
    assert basic_motions("test")[0][0] is not X[0]  # fresh copies
    info = basic_motions_info()
    assert info["classes"] == CLASSES and info["splits"] == {"train": 40, "test": 40}
    assert "arXiv:1811.00075" in info["notice"] and "aeon" in info["notice"]


def test_the_shipped_files_are_package_data():
    """The wheel carries the archive and its notice: pyproject's package-data globs cover them
    (read from the line that declares them; tomllib is not in Python 3.10)."""
    import fnmatch
    import re

    text = (ROOT / "pyproject.toml").read_text()
    line = re.search(r'^"layergraph\.datasets" = \[(.*)\]$', text, re.M)
    globs = re.findall(r'"([^"]+)"', line.group(1))
    for name in ("basic_motions.npz", "BASIC_MOTIONS_LICENSE.txt"):
        assert (ROOT / "layergraph" / "datasets" / "data" / name).is_file()
        assert any(fnmatch.fnmatch(f"data/{name}", g) for g in globs)


def test_basic_motions_sequences_are_real_recordings_end_to_end():
    X, Y = basic_motions("train")
    S, L = basic_motions_sequences("train", recordings_per_sequence=8, passes=2, seed=3)
    assert len(S) == 10 and all(s.shape == (800, 6) for s in S)
    used = np.zeros(40, int)
    for s, lab in zip(S, L):
        assert lab.shape == (800,)
        for b in range(8):
            block = s[100 * b:100 * (b + 1)]
            hits = [i for i, x in enumerate(X) if np.array_equal(x, block)]
            assert len(hits) == 1
            used[hits[0]] += 1
            assert set(lab[100 * b:100 * (b + 1)]) == {Y[hits[0]]}
    np.testing.assert_array_equal(used, 2)  # every recording once per pass
    # The activities change along a sequence, and the order is the seed's.
    assert len(set(L[0])) > 1
    again, _ = basic_motions_sequences("train", 8, 2, seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(S, again))
    other, _ = basic_motions_sequences("train", 8, 2, seed=4)
    assert not all(np.array_equal(a, b) for a, b in zip(S, other))


def test_test_sequences_come_from_test_recordings_only():
    train = {x.tobytes() for x in basic_motions("train")[0]}
    test = {x.tobytes() for x in basic_motions("test")[0]}
    S, _ = basic_motions_sequences("test")
    assert len(S) == 4 and all(len(s) == 1000 for s in S)
    blocks = {s[i:i + 100].tobytes() for s in S for i in range(0, 1000, 100)}
    assert blocks == test and not blocks & train


@pytest.mark.parametrize("call, where", [
    (lambda: basic_motions("validation"), "basic_motions"),
    (lambda: basic_motions("train", dtype=np.int32), "basic_motions"),
    (lambda: basic_motions_sequences("train", recordings_per_sequence=0),
     "basic_motions_sequences"),
    (lambda: basic_motions_sequences("train", passes=2.5), "basic_motions_sequences"),
    (lambda: basic_motions_sequences("dev"), "basic_motions_sequences"),
])
def test_bad_arguments_are_data_errors_naming_the_function(call, where):
    with pytest.raises(DataError) as err:
        call()
    assert err.value.owner == where and err.value.expected


def test_spec_data_sets_by_name():
    text = (ROOT / "specs" / "basic-motions-sequence-to-sequence-classification.yaml").read_text()
    spec = load_spec(text)
    X, Y = spec.load_data("test")
    assert len(X) == 4 and isinstance(Y, list) and Y[0].shape == (1000,)
    np.testing.assert_array_equal(X[0], basic_motions_sequences("test")[0][0])
    recordings = load_spec(text.replace("basic_motions_activity", "basic_motions"))
    X, Y = recordings.load_data("train")
    assert len(X) == 40 and Y.shape == (40,)


def _ts_file(rows, decimals_value="0.5"):
    head = ["#made for a test", "@problemName BasicMotions", "@dimensions 6",
            "@seriesLength 100", "@classLabel true Standing Running Walking Badminton", "@data"]
    lines = []
    for label, base in rows:
        chans = [",".join([decimals_value] + [f"{base + c + t / 1000:.3f}" for t in range(1, 100)])
                 for c in range(6)]
        lines.append(":".join(chans) + ":" + label)
    return ("\n".join(head + lines) + "\n").encode()


def test_converter_reads_ts_files_exactly(tmp_path):
    conv = _load(ROOT / "tools" / "convert_basic_motions.py", "convert_basic_motions")
    rows = [(CLASSES[i % 4], i) for i in range(40)]
    for split in ("TRAIN", "TEST"):
        (tmp_path / f"BasicMotions_{split}.ts").write_bytes(_ts_file(rows, "-5.8E-5"))
    arrays = conv.convert(conv.read_sources(tmp_path))
    assert arrays["train_micro"].shape == (40, 100, 6)
    assert arrays["train_micro"][0, 0, 0] == -58  # -5.8E-5 in millionths, exactly
    assert arrays["train_micro"][3, 7, 2] == (3 + 2) * 10 ** 6 + 7000  # case 3, step 7, channel 2
    assert arrays["classes"].tolist() == CLASSES
    np.testing.assert_array_equal(arrays["test_labels"], np.arange(40) % 4)
    # Deterministic bytes, and a value finer than a millionth is refused.
    assert conv.savez_deterministic(arrays) == conv.savez_deterministic(arrays)
    with pytest.raises(ValueError, match="six decimals"):
        conv.parse_ts(_ts_file(rows, "0.1234567"), "x.ts")


# --- Sequence-to-Sequence Classification Using Deep Learning (BasicMotions) -------------------

@pytest.fixture(scope="module")
def classification():
    return _example("basic_motions_sequence_classification")


@pytest.fixture(scope="module")
def classification_smoke(classification, tmp_path_factory):
    out = tmp_path_factory.mktemp("seq2seq_classification")
    paths = {"plot": out / "plots" / "progress.png", "predictions": out / "pred.csv",
             "save": out / "net.pt"}
    res = classification.main(["--smoke", "--device", "cpu", "--plot", str(paths["plot"]),
                               "--predictions", str(paths["predictions"]),
                               "--save", str(paths["save"])])
    return res, paths


def test_classification_smoke_trains_labels_every_step_and_writes_its_outputs(
        classification, classification_smoke):
    res, paths = classification_smoke
    assert len(res["info"].TrainingLoss) == 2 and np.isfinite(res["info"].TrainingLoss).all()
    assert _is_png(paths["plot"]) and _is_png(paths["plot"].with_name("progress-labels.png"))
    with open(paths["predictions"]) as f:
        rows = list(csv.DictReader(f))
    _, _, _, TTest = classification.load_data(smoke=True)
    assert len(rows) == sum(len(t) for t in TTest) == 1000
    assert [r["label"] for r in rows] == list(np.concatenate(TTest))
    assert {r["predicted"] for r in rows} <= set(CLASSES)
    acc = np.mean([r["label"] == r["predicted"] for r in rows])
    assert acc == pytest.approx(res["accuracy"])
    assert paths["save"].is_file() and paths["save"].stat().st_size > 0
    # One label per time step, for every test step.
    assert [len(y) for y in res["YPred"]] == [len(t) for t in TTest]
    # The input layer learned the training data's statistics (z-score).
    XTrain = classification.load_data(smoke=True)[0]
    np.testing.assert_allclose(np.ravel(res["net"].Layers[0].Mean),
                               np.concatenate(XTrain).mean(0), rtol=1e-4, atol=1e-5)


def test_per_step_accuracy():
    acc_fn = _example("basic_motions_sequence_classification").per_step_accuracy
    T = [np.array(["Standing", "Running", "Running"]), np.array(["Walking"])]
    Y = [np.array(["Standing", "Walking", "Running"]), np.array(["Walking"])]
    acc, per = acc_fn(Y, T, CLASSES)
    assert acc == 0.75 and per == {"Standing": 1.0, "Running": 0.5, "Walking": 1.0}


def test_classification_seed_makes_runs_reproducible(classification, classification_smoke):
    base = classification_smoke[0]["info"].TrainingLoss
    again = classification.main(["--smoke", "--device", "cpu"])
    assert again["info"].TrainingLoss == base
    other = classification.main(["--smoke", "--device", "cpu", "--seed", "1", "--epochs", "1"])
    assert other["info"].TrainingLoss[0] != base[0]


def test_classification_spec_builds_the_example_network(classification):
    spec = load_spec(ROOT / "specs" / "basic-motions-sequence-to-sequence-classification.yaml")
    assert spec.graph == classification.build_graph(6, 4)
    assert spec.graph != classification.build_graph(6, 4, 100)
    assert spec.options == classification.matlab_options()


def test_classification_matlab_source_translates_to_the_example_network(classification):
    t = _matlab("basic_motions_sequence_classification", numFeatures=6, numClasses=4)
    assert t.graph == classification.build_graph(6, 4)
    assert t.graph != classification.build_graph(6, 5)
    assert t.options == classification.matlab_options()
    assert t.variables["numHiddenUnits"] == 200


def test_classification_exports_the_matlab_programs_data(classification, tmp_path):
    import scipy.io as sio

    path = tmp_path / "bm.mat"
    res = classification.main(["--export-mat", str(path)])
    d = sio.loadmat(path)
    assert d["XTrain"].shape == (4, 1) and d["XTest"].shape == (4, 1)
    np.testing.assert_allclose(d["XTrain"][0, 0], res["XTrain"][0].T)  # channels by steps
    labels = [str(c[0]) for c in d["TTest"][2, 0].ravel()]
    assert labels == list(res["TTest"][2])


# --- Sequence-to-Sequence Regression, trained and predicted in chunks (BasicMotions) ----------

@pytest.fixture(scope="module")
def regression():
    return _example("basic_motions_chunked_regression")


@pytest.fixture(scope="module")
def regression_smoke(regression, tmp_path_factory):
    out = tmp_path_factory.mktemp("chunked_regression")
    paths = {"plot": out / "progress.png", "predictions": out / "pred.csv", "save": out / "net.pt"}
    res = regression.main(["--smoke", "--device", "cpu", "--plot", str(paths["plot"]),
                           "--predictions", str(paths["predictions"]),
                           "--save", str(paths["save"])])
    return res, paths


def test_regression_smoke_trains_in_chunks_and_writes_its_outputs(regression, regression_smoke):
    res, paths = regression_smoke
    # One mini-batch of two 500-step sequences, split into 4 chunks of 125: 4 iterations an epoch.
    assert len(res["info"].TrainingRMSE) == 2 * 4
    assert np.isfinite(res["info"].TrainingRMSE).all()
    assert _is_png(paths["plot"]) and _is_png(paths["plot"].with_name("progress-response.png"))
    _, _, XTest, TTest = regression.load_data(smoke=True)
    with open(paths["predictions"]) as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1000
    measured = np.array([[float(r[f"measured_{a}"]) for a in "xyz"] for r in rows])
    np.testing.assert_allclose(measured, np.concatenate(TTest), atol=1e-6)
    predicted = np.array([[float(r[f"predicted_{a}"]) for a in "xyz"] for r in rows])
    np.testing.assert_allclose(predicted, np.concatenate(res["YChunked"]), atol=1e-5)
    assert res["RMSE"] == pytest.approx(regression.rmse(res["Y"], TTest))
    assert res["RMSE_chunked"] == pytest.approx(res["RMSE"], rel=1e-5)
    for key in ("RMSE_no_carry", "RMSE_linear", "RMSE_mean"):
        assert np.isfinite(res[key])
    assert paths["save"].is_file() and paths["save"].stat().st_size > 0


def _numpy_network(net, x):
    """The trained network's output for one whole sequence, in NumPy (float64): z-score, the
    reference LSTM's time-step loop, the two fully connected layers (dropout is off when
    predicting)."""
    from reference_rnn import lstm_forward

    inp, lstm, fc1, _, fc2 = net.Layers[:5]
    z = (x - np.ravel(inp.Mean)) / np.ravel(inp.StandardDeviation)
    h, _, _ = lstm_forward(z, np.asarray(lstm.InputWeights, np.float64),
                           np.asarray(lstm.RecurrentWeights, np.float64),
                           np.asarray(lstm.Bias, np.float64))
    a = h @ np.asarray(fc1.Weights, np.float64).T + np.ravel(fc1.Bias)
    return a @ np.asarray(fc2.Weights, np.float64).T + np.ravel(fc2.Bias)


def test_chunked_prediction_equals_the_whole_sequence_in_numpy(regression, regression_smoke):
    """predict with SequenceLength=125 runs 4 chunks of each 500-step test sequence, carrying the
    LSTM's state: the outputs are those of one pass over the whole sequence, computed here
    independently. Chunks that start from zero state are not."""
    res, _ = regression_smoke
    _, _, XTest, _ = regression.load_data(smoke=True)
    for x, y_chunked, y_whole, y_reset in zip(XTest, res["YChunked"], res["Y"],
                                              res["YNoCarry"]):
        ref = _numpy_network(res["net"], x.astype(np.float64))
        np.testing.assert_allclose(y_chunked, ref, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(y_chunked, y_whole, rtol=1e-5, atol=1e-5)
        assert np.abs(y_reset - ref)[125:].max() > 1e-2     # a state reset at each chunk start
        np.testing.assert_allclose(y_reset[:125], ref[:125], rtol=1e-4, atol=1e-4)
    assert res["chunk_max_abs_diff"] < 1e-5 < 1e-2 < res["no_carry_max_abs_diff"]


def test_prediction_really_is_chunked():
    """The promise holds for unidirectional layers only: a BiLSTM's backward direction sees one
    chunk at a time, so its chunked outputs differ. That shows predict(SequenceLength=k) does
    split (the equality above is not a whole-sequence pass in disguise)."""
    from layergraph import (
        bilstmLayer,
        fullyConnectedLayer,
        predict,
        regressionLayer,
        sequenceInputLayer,
        trainingOptions,
        trainNetwork,
    )

    X, T, _, _ = _example("basic_motions_chunked_regression").load_data(smoke=True)
    net, _ = trainNetwork(X, T, [sequenceInputLayer(3), bilstmLayer(8, OutputMode="sequence"),
                                 fullyConnectedLayer(3), regressionLayer()],
                          trainingOptions("adam", MaxEpochs=1, Verbose=False, ProgressBar=False,
                                          ExecutionEnvironment="cpu"))
    whole, chunked = predict(net, X), predict(net, X, SequenceLength=125)
    last = [np.abs(a - b)[124:126].max() for a, b in zip(whole, chunked)]  # around a chunk end
    assert min(last) > 1e-4


def test_regression_seed_makes_runs_reproducible(regression, regression_smoke):
    base = regression_smoke[0]["info"].TrainingRMSE
    again = regression.main(["--smoke", "--device", "cpu"])
    assert again["info"].TrainingRMSE == base
    other = regression.main(["--smoke", "--device", "cpu", "--seed", "1", "--epochs", "1"])
    assert other["info"].TrainingRMSE[0] != base[0]


def test_regression_spec_builds_the_example_network_and_trains(regression, tmp_path):
    from layergraph.cli import main as cli

    path = ROOT / "specs" / "basic-motions-chunked-regression.yaml"
    spec = load_spec(path)
    assert spec.graph == regression.build_graph(3, 3)
    assert spec.graph != regression.build_graph(3, 1)
    assert spec.options == regression.matlab_options()
    assert spec.options.SequenceLength == 125
    X, T = spec.load_data("train")
    XTrain, TTrain, _, _ = regression.load_data()
    np.testing.assert_array_equal(X[3], XTrain[3])
    np.testing.assert_array_equal(T[3], TTrain[3])
    rc = cli(["train", str(path), "--max-epochs", "1", "--device", "cpu", "--set", "Plots=none",
              "--no-progress", "--out", str(tmp_path / "net.pt")])
    assert rc == 0 and (tmp_path / "net.pt").is_file()


def test_regression_matlab_source_translates_to_the_example_network(regression):
    t = _matlab("basic_motions_chunked_regression", numFeatures=3, numResponses=3)
    assert t.graph == regression.build_graph(3, 3)
    assert t.graph != regression.build_graph(3, 3, 100)
    assert t.options == regression.matlab_options()
    assert t.options != regression.matlab_options(SequenceLength="longest")
    assert t.variables["sequenceLength"] == 125


def test_regression_exports_the_matlab_programs_data(regression, tmp_path):
    import scipy.io as sio

    path = tmp_path / "gyro.mat"
    res = regression.main(["--export-mat", str(path)])
    d = sio.loadmat(path)
    for key in ("XTrain", "TTrain", "XTest", "TTest"):
        assert d[key].shape == (4, 1) and d[key][0, 0].shape == (3, 1000)
    np.testing.assert_allclose(d["TTest"][1, 0], res["TTest"][1].T)


@pytest.mark.parametrize("name", ["basic_motions_sequence_classification",
                                  "basic_motions_chunked_regression"])
def test_device_option(name, capsys):
    import torch

    mod = _example(name)
    if torch.cuda.is_available():
        res = mod.main(["--smoke", "--device", "gpu", "--epochs", "1"])
        assert res["net"].device.type == "cuda"
    else:
        assert mod.run(["--smoke", "--device", "gpu"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "no CUDA GPU" in err[0]


@pytest.mark.parametrize("name", ["basic_motions_sequence_classification",
                                  "basic_motions_chunked_regression"])
def test_smoke_and_full_exclude_each_other(name, capsys):
    with pytest.raises(SystemExit) as exc:
        _example(name).main(["--smoke", "--full"])
    assert exc.value.code == 2 and "exclude each other" in capsys.readouterr().err
