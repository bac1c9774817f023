"""Example 6, video classification on sequences of real 8x8 handwritten digits
(examples/digit_video_classification.py): the data set and its sequences, the legacy network
(fold / unfold) and its dlnetwork twin without them, their specs and MATLAB sources."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from conftest import initialize_learnables
from test_video_network import frames, randomize_statistics, reference_scores, video_graph

from layergraph import (
    DataError,
    analyzeNetwork,
    dlnetwork,
    from_matlab,
    layerGraph,
    load_spec,
    predict,
    trainnet,
    trainNetwork,
)
from layergraph.datasets import digit_videos, digits, digits_info

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n"


def _load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def video():
    return _load(ROOT / "examples" / "digit_video_classification.py", "example_digit_video")


def _matlab(name, **variables):
    path = ROOT / "examples" / "matlab" / f"{name}.m"
    return from_matlab(path.read_text(), filename=str(path), variables=variables)


# --- the data -------------------------------------------------------------------------------------

def test_digit_images_split_once_into_disjoint_train_and_test():
    Xtr, ytr = digits("train")
    Xte, yte = digits("test")
    assert Xtr.shape == (1201, 8, 8) and Xte.shape == (596, 8, 8)
    assert digits_info()["splits"] == {"train": 1201, "test": 596}
    # Pixels are the source's counts 0..16, scaled to [0, 1].
    for X in (Xtr, Xte):
        counts = X * 16
        assert X.min() == 0 and X.max() == 1 and np.array_equal(counts, np.round(counts))
    # Every third image of each digit is a test image: a third of each digit, all ten digits.
    for d in range(10):
        n_tr, n_te = int((ytr == d).sum()), int((yte == d).sum())
        assert n_te == (n_tr + n_te) // 3
    conv = _load(ROOT / "tools" / "convert_digits.py", "convert_digits")
    labels = np.array([0, 1, 0, 0, 1, 1, 0, 1, 1])
    assert conv.held_out_mask(labels).tolist() == [False, False, False, True, False, True,
                                                    False, False, False]


def test_digits_source_and_licence_are_recorded():
    info = digits_info()
    assert info["license"] == "CC BY 4.0" and info["doi"] == "10.24432/C50P49"
    assert "10.24432/C50P49" in info["notice"] and "scikit-learn 1.9.1" in info["notice"]
    assert "tools/convert_digits.py" in info["notice"]


def test_converter_refuses_what_is_not_the_digits():
    import gzip

    conv = _load(ROOT / "tools" / "convert_digits.py", "convert_digits")
    descr = b"Optical recognition of handwritten digits dataset"
    short = gzip.compress(b"0," * 64 + b"3\n")
    with pytest.raises(ValueError, match="expected 1797 rows"):
        conv.convert({conv.CSV: short, conv.DESCR: descr})
    rows = "\n".join(",".join(["17"] * 64 + [str(i % 10)]) for i in range(1797))
    with pytest.raises(ValueError, match="outside 0..16"):
        conv.convert({conv.CSV: gzip.compress(rows.encode()), conv.DESCR: descr})


def _image_labels(split):
    X, y = digits(split)
    table = {}
    for img, d in zip(X, y):
        table.setdefault(img.tobytes(), set()).add(int(d))
    return table


def test_a_sequence_is_labelled_by_the_digit_it_shows_twice():
    X, Y, D = digit_videos("test", 300, return_digits=True)
    test_images, train_images = _image_labels("test"), _image_labels("train")
    assert sorted(set(Y)) == [str(d) for d in range(10)]
    assert {len(x) for x in X} == {3, 4, 5, 6}
    for x, y, d in zip(X, Y, D):
        assert x.shape == (len(d), 8, 8, 1) and x.dtype == np.float32
        counts = np.bincount(d, minlength=10)
        assert counts[int(y)] == 2 and np.delete(counts, int(y)).max() <= 1
        for frame, digit in zip(x[..., 0], d):
            # Each frame is a test image of the digit it stands for.
            assert digit in test_images[frame.tobytes()]
    # Train sequences show train images only.
    Xtr, _, Dtr = digit_videos("train", 100, return_digits=True)
    for x, d in zip(Xtr, Dtr):
        for frame, digit in zip(x[..., 0], d):
            assert digit in train_images[frame.tobytes()]


def test_sequences_are_fixed_per_split_unless_seeded():
    a, ya = digit_videos("train", 20)
    b, yb = digit_videos("train", 20)
    assert np.array_equal(ya, yb) and all(np.array_equal(p, q) for p, q in zip(a, b))
    c, yc = digit_videos("train", 20, seed=5)
    assert not np.array_equal(ya, yc)
    assert len(digit_videos("train")[0]) == 2000 and len(digit_videos("test")[0]) == 500
    x, _ = digit_videos("test", 30, min_length=8, max_length=8)
    assert {len(s) for s in x} == {8}


@pytest.mark.parametrize("call, where", [
    (lambda: digit_videos("validation"), "split"),
    (lambda: digit_videos("train", 0), "positive integer"),
    (lambda: digit_videos("train", min_length=2), "min_length"),
    (lambda: digit_videos("train", min_length=5, max_length=4), "min_length"),
    (lambda: digits("train", dtype=np.int32), "floating"),
])
def test_bad_arguments_are_data_errors_that_say_what_is_allowed(call, where):
    with pytest.raises(DataError, match=where) as e:
        call()
    assert e.value.owner in ("digit_videos", "digits") and e.value.expected


# --- the example ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def legacy_smoke(video, tmp_path_factory):
    out = tmp_path_factory.mktemp("video")
    paths = {"plot": out / "plots" / "progress.png", "save": out / "net.pt"}
    res = video.main(["--smoke", "--device", "cpu", "--plot", str(paths["plot"]),
                      "--save", str(paths["save"])])
    return res, paths


def test_legacy_smoke_trains_classifies_and_writes_its_outputs(video, legacy_smoke):
    res, paths = legacy_smoke
    assert np.isfinite(res["info"].TrainingLoss).all() and len(res["info"].TrainingLoss) == 4
    assert 0.0 <= res["accuracy"] <= 1.0
    assert res["accuracy"] == pytest.approx(np.mean(res["YPred"] == res["TTest"]))
    assert paths["plot"].read_bytes()[:8] == PNG and paths["save"].stat().st_size > 0
    names = [lay.Name for lay in res["net"].Layers]
    assert "fold" in names and "unfold" in names and not res["net"].dlnetwork
    _, Y, D = digit_videos("test", 64, return_digits=True)
    assert res["baseline"] == pytest.approx(np.mean([d[-1] == int(y) for d, y in zip(D, Y)]))


def test_modern_smoke_trains_a_dlnetwork_without_folding(video, tmp_path):
    res = video.main(["--smoke", "--modern", "--device", "cpu", "--save",
                      str(tmp_path / "net.pt")])
    net = res["net"]
    assert net.dlnetwork and 0.0 <= res["accuracy"] <= 1.0
    assert len(res["info"].TrainingAccuracy) == len(res["info"].TrainingLoss) == 4
    assert not any("Folding" in type(lay).__name__ or "Unfolding" in type(lay).__name__
                   for lay in net.Layers)
    assert (tmp_path / "net.pt").stat().st_size > 0


def test_seed_makes_runs_reproducible(video, legacy_smoke):
    again = video.main(["--smoke", "--device", "cpu"])
    assert again["info"].TrainingLoss == legacy_smoke[0]["info"].TrainingLoss
    other = video.main(["--smoke", "--device", "cpu", "--seed", "1"])
    assert other["info"].TrainingLoss != legacy_smoke[0]["info"].TrainingLoss
    m1 = video.main(["--smoke", "--modern", "--device", "cpu"])
    m2 = video.main(["--smoke", "--modern", "--device", "cpu"])
    assert m1["info"].TrainingLoss == m2["info"].TrainingLoss


def test_the_twins_train_alike(video):
    """A dlnetwork's 2-D layers on SSCBT data act per frame exactly as the same layers between
    sequence folding and unfolding (batch normalization on the real frames only, forward and
    backward): with the same seed and no shuffling the two trainings follow the same path."""
    X, Y = digit_videos("train", 64)
    o = dict(MaxEpochs=2, Shuffle="never", Plots="none", ProgressBar=False)
    _, legacy = trainNetwork(X, Y, video.build_graph(), video.matlab_options(**o))
    _, modern = trainnet(X, Y, dlnetwork(video.build_modern_layers()), "crossentropy",
                         video.matlab_options(True, **o))
    assert len(legacy.TrainingLoss) == 4
    np.testing.assert_allclose(legacy.TrainingLoss, modern.TrainingLoss, rtol=1e-5)
    np.testing.assert_allclose(legacy.TrainingAccuracy, modern.TrainingAccuracy)


def test_the_dlnetwork_twin_computes_the_numpy_reference():
    """The network without fold/unfold, given the weights and statistics of the fold/unfold
    network, gives the NumPy reference's scores (conv2d per frame, batch normalization,
    column-major flatten, LSTM), and each sequence alone gives the same as in a padded batch."""
    rng = np.random.default_rng(0)
    lg = initialize_learnables(video_graph(size=8, filt=3, filters=4, hidden=5, classes=3), seed=1)
    randomize_statistics(lg, rng)
    net = dlnetwork([lay for lay in lg.Layers
                     if lay.Name not in ("fold", "unfold", "classification")])
    X = frames(rng, [3, 1, 5, 2], 8)
    scores = predict(net, X, MiniBatchSize=4)
    want = np.stack([reference_scores(lg, x) for x in X])
    np.testing.assert_allclose(scores, want, atol=1e-5)
    np.testing.assert_allclose(predict(net, X, MiniBatchSize=1), scores, atol=1e-6)


def test_analyze_network_of_the_dlnetwork_twin(video, capsys):
    result = analyzeNetwork(dlnetwork(video.build_modern_layers()))
    printed = capsys.readouterr().out
    assert result.ok and result.outputs == [("softmax", "out")] and "No problems found" in printed
    assert str(result.report("conv").activations["out"]) == "6(S) x 6(S) x 16(C) x 1(B) x T(T)"
    assert str(result.report("flatten").activations["out"]) == "576(C) x 1(B) x T(T)"
    assert result.report("lstm").learnables["InputWeights"] == (256, 576)


def test_specs_build_the_example_networks(video):
    spec = load_spec(ROOT / "specs" / "digit-video-classification.yaml")
    assert spec.graph == video.build_graph() and spec.options == video.matlab_options()
    assert spec.graph != video.build_graph(numFilters=8)
    modern = load_spec(ROOT / "specs" / "digit-video-classification-modern.yaml")
    assert modern.dlnetwork and modern.loss == "crossentropy"
    assert modern.graph == layerGraph(video.build_modern_layers())
    assert modern.options == video.matlab_options(True)
    X, Y = spec.load_data("train")
    X0, Y0 = digit_videos("train")
    assert np.array_equal(Y, Y0) and all(np.array_equal(a, b) for a, b in zip(X, X0))


def test_the_modern_spec_trains_from_the_command_line(tmp_path, capsys):
    from layergraph.cli import main as cli

    spec = ROOT / "specs" / "digit-video-classification-modern.yaml"
    rc = cli(["train", str(spec), "--max-epochs", "1", "--limit", "64", "--device", "cpu",
              "--set", "Plots=none", "--no-progress", "--quiet", "--out",
              str(tmp_path / "net.pt")])
    assert rc == 0 and (tmp_path / "net.pt").is_file()
    assert "test accuracy (64 sequences, digit_videos)" in capsys.readouterr().out


@pytest.mark.parametrize("name, modern", [("digit_video_classification", False),
                                          ("digit_video_classification_modern", True)])
def test_matlab_sources_translate_to_the_example_networks(video, name, modern):
    t = _matlab(name, numClasses=10)
    want = layerGraph(video.build_modern_layers()) if modern else video.build_graph()
    assert t.graph == want
    assert t.graph != (layerGraph(video.build_modern_layers(numClasses=9)) if modern
                       else video.build_graph(numClasses=9))
    assert t.options == video.matlab_options(modern)
    assert t.variables["numFilters"] == 16 and t.variables["numHiddenUnits"] == 64


@pytest.mark.parametrize("modern", [[], ["--modern"]], ids=["legacy", "modern"])
def test_device_option(video, modern, capsys):
    import torch

    if torch.cuda.is_available():
        assert video.main(["--smoke", "--device", "gpu", *modern])["net"].device.type == "cuda"
    else:
        assert video.run(["--smoke", "--device", "gpu", *modern]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "no CUDA GPU" in err[0]
