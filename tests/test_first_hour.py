"""What a new user hits in the first hour (the training side): each test failed before its fix."""

import io
import subprocess
import sys

import numpy as np
import pytest

from layergraph import (
    classificationLayer,
    fullyConnectedLayer,
    lstmLayer,
    sequenceInputLayer,
    softmaxLayer,
    trainingOptions,
    trainNetwork,
)
from layergraph.training.monitor import Monitor


def _data(n=20, seed=0):
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(int(rng.integers(3, 8)), 3)) for _ in range(n)]
    return X, [str(i % 2) for i in range(n)]


def _layers():
    return [sequenceInputLayer(3), lstmLayer(4, "OutputMode", "last"), fullyConnectedLayer(2),
            softmaxLayer(), classificationLayer()]


def _table(capsys, **kw):
    X, Y = _data()
    opts = trainingOptions("adam", MaxEpochs=3, MiniBatchSize=5, ProgressBar=False,
                           ValidationData=(X, Y), ValidationFrequency=4, VerboseFrequency=5, **kw)
    trainNetwork(X, Y, _layers(), opts)
    return capsys.readouterr().out.splitlines()


def test_verbose_table_is_aligned_and_ends_once(capsys):
    lines = _table(capsys)
    table = [ln for ln in lines if ln.startswith("|")]
    assert len({len(ln) for ln in table}) == 1, "every row, rule and header has one width"
    bars = {tuple(i for i, ch in enumerate(ln) if ch == "|") for ln in table}
    assert len(bars) == 1, "column separators line up in every row"
    rows = [ln for ln in table if "=" not in ln and "Epoch" not in ln]
    assert len(rows) == len({r.split("|")[2] for r in rows}), "no iteration is printed twice"
    assert rows[-1].split("|")[2].strip() == "12"


def test_progress_off_a_terminal_prints_a_line_per_epoch():
    X, Y = _data()
    opts = trainingOptions("adam", MaxEpochs=3, MiniBatchSize=5, Verbose=False)
    log = io.StringIO()  # not a terminal, as under nohup, CI or a notebook's log
    monitor = Monitor(opts, 12, "Accuracy", out=io.StringIO(), stream=log)
    for it in range(1, 13):
        monitor.iteration((it - 1) // 4 + 1, it, 0.5, 62.5, 1e-3)
    monitor.close("max epochs completed")
    lines = log.getvalue().splitlines()
    assert [ln.split()[1] for ln in lines[:3]] == ["1/3", "2/3", "3/3"]
    assert "accuracy 62.50%" in lines[0] and "iteration 12/12" in lines[2]
    assert lines[-1] == "Training finished: max epochs completed."


def test_progress_bar_shows_accuracy_with_a_percent_sign():
    opts = trainingOptions("adam", Verbose=False)
    monitor = Monitor(opts, 1, "Accuracy", out=io.StringIO(), stream=io.StringIO())
    assert monitor._metric_text(63.0) == "63.00%"


SCRIPT = """
import numpy as np
from layergraph import *
rng = np.random.default_rng(0)
X = [rng.normal(size=(6, 3)) for _ in range(12)]
Y = [str(i % 3) for i in range(12)]
layers = [sequenceInputLayer(3), lstmLayer(5, 'OutputMode', 'last'), dropoutLayer(0.3),
          fullyConnectedLayer(3), softmaxLayer(), classificationLayer()]
opts = trainingOptions('adam', 'MaxEpochs', 2, 'MiniBatchSize', 4, 'Verbose', 0,
                       'ProgressBar', 0, 'ExecutionEnvironment', 'cpu'{extra})
net, info = trainNetwork(X, Y, layers, opts)
print(repr(info.TrainingLoss))
"""


def _fresh_run(extra=""):
    res = subprocess.run([sys.executable, "-c", SCRIPT.format(extra=extra)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_fresh_processes_repeat_their_result_by_default():
    assert _fresh_run() == _fresh_run()  # shuffling, initialization and dropout all seeded


def test_seed_shuffle_opts_out():
    assert trainingOptions("adam").Seed == 0
    assert trainingOptions("adam", Seed="shuffle").Seed is None
    with pytest.raises(Exception, match="Seed"):
        trainingOptions("adam", Seed="random")


def test_missing_classes_in_the_labels_say_so_and_how_to_pass_classes():
    from layergraph import DataError

    X, _ = _data(n=10)
    layers = [sequenceInputLayer(3), lstmLayer(4, "OutputMode", "last"), fullyConnectedLayer(9),
              softmaxLayer(), classificationLayer()]
    opts = trainingOptions("adam", MaxEpochs=1, MiniBatchSize=5, Verbose=False,
                           ProgressBar=False)
    with pytest.raises(DataError, match=r"Y has 1 class \('1'\) but the network outputs 9 "
                                        r"scores.*labels present in Y.*'Classes'"):
        trainNetwork(X, ["1"] * 10, layers, opts)
    # Naming every class is the fix the message gives:
    layers[-1] = classificationLayer(Classes=[str(i) for i in range(1, 10)])
    net, _ = trainNetwork(X, ["1"] * 10, layers, opts)
    assert len(net.Classes) == 9


def test_regression_targets_must_match_the_output_width():
    from layergraph import DataError, regressionLayer

    X, _ = _data(n=10)
    layers = [sequenceInputLayer(3), lstmLayer(4, "OutputMode", "last"), fullyConnectedLayer(2),
              regressionLayer()]
    opts = trainingOptions("adam", MaxEpochs=1, MiniBatchSize=5, Verbose=False,
                           ProgressBar=False)
    with pytest.raises(DataError, match="Y has 1 response per sequence but the network "
                                        "outputs 2"):
        trainNetwork(X, np.zeros((10, 1)), layers, opts)


def test_a_trained_network_prints_a_summary(tmp_path):
    from layergraph import load_network, save_network

    X, Y = _data()
    opts = trainingOptions("adam", MaxEpochs=2, MiniBatchSize=5, Verbose=False,
                           ProgressBar=False)
    net, info = trainNetwork(X, Y, _layers(), opts)
    text = str(net)
    assert text == net.summary() and len(text.splitlines()) > 8
    assert "InputWeights 16x3" in text and "Total learnables: 138" in text  # the table
    assert "Classes (2): 0, 1" in text
    assert "Trained: 2 epochs, 8 iterations, solver 'adam'" in text
    assert f"{info.TrainingLoss[-1]:.4g}" in text
    assert repr(net).startswith("SeriesNetwork with 5 layers")  # repr stays one line
    save_network(net, tmp_path / "n.pt")
    assert "Trained: 2 epochs, 8 iterations" in str(load_network(tmp_path / "n.pt"))


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="needs a machine without CUDA")
def test_gpu_without_cuda_fails_before_the_data_is_read():
    from layergraph import OptionError

    class Exploding(list):
        def __len__(self):
            raise AssertionError("the data was read before the device was checked")

    opts = trainingOptions("adam", ExecutionEnvironment="gpu", Verbose=False)
    with pytest.raises(OptionError, match="no CUDA GPU"):
        trainNetwork(Exploding(), Exploding(), _layers(), opts)
