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
