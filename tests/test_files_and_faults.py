"""Saved files are trusted only after checking, and training faults leave work intact."""

import os
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from layergraph import (
    LayerGraphError,
    fullyConnectedLayer,
    load_network,
    lstmLayer,
    predict,
    regressionLayer,
    save_network,
    sequenceInputLayer,
    trainingOptions,
    trainNetwork,
)
from layergraph.errors import TrainingDiverged
from layergraph.persistence import MAGIC, FileError, read_state, write_state


def _regression(n=12, seed=0):
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(6, 3)) for _ in range(n)]
    Y = rng.normal(size=(n, 2))
    layers = [sequenceInputLayer(3), lstmLayer(4, OutputMode="last"), fullyConnectedLayer(2),
              regressionLayer()]
    return X, Y, layers


def _opts(solver="adam", **kw):
    base = dict(MaxEpochs=2, MiniBatchSize=4, Verbose=False, ProgressBar=False,
                ExecutionEnvironment="cpu")
    base.update(kw)
    return trainingOptions(solver, **base)


@pytest.fixture
def saved(tmp_path):
    X, Y, layers = _regression()
    net, _ = trainNetwork(X, Y, layers, _opts())
    path = tmp_path / "net.pt"
    save_network(net, path)
    return net, path, X


def test_a_flipped_bit_is_detected(saved):
    net, path, X = saved
    data = bytearray(path.read_bytes())
    assert data.startswith(MAGIC)
    data[len(data) // 2] ^= 0x10  # one bit somewhere in the weights' payload
    path.write_bytes(bytes(data))
    with pytest.raises(FileError, match="does not match the SHA-256"):
        load_network(path)


def test_truncated_and_foreign_files_are_errors(saved, tmp_path):
    _, path, _ = saved
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(FileError, match="net.pt: damaged file"):
        load_network(path)
    (tmp_path / "x.pt").write_bytes(b"hello")
    with pytest.raises(FileError, match="x.pt: not a layergraph file"):
        load_network(tmp_path / "x.pt")
    with pytest.raises(FileError, match="not a file"):
        load_network(tmp_path)


@pytest.mark.parametrize("damage, match", [
    (lambda s: s.pop("graph"), "no layer and connection lists"),
    (lambda s: s["graph"]["layers"][1].pop("type"), r"layer 2 is not \{type, config, arrays\}"),
    (lambda s: s["graph"]["layers"][1]["config"].update(NumHiddenUnits="many"),
     "layer 2 .lstmLayer.*NumHiddenUnits"),
    (lambda s: s["graph"]["layers"][2]["arrays"].update(Nope=torch.zeros(2)),
     "'Nope' is not an array property"),
    (lambda s: s["graph"]["connections"].append([1, 2]), "connection 4 is not"),
    (lambda s: s["graph"]["connections"].append(["fc", "out", "nowhere", "in"]),
     "no layer named 'nowhere'"),
    (lambda s: s.update(version="two"), "format version 'two'"),
])
def test_damaged_entries_are_errors_naming_the_file(saved, tmp_path, damage, match):
    _, path, _ = saved
    state = read_state(path)
    damage(state)
    write_state(state, tmp_path / "bad.pt")  # a valid hash over damaged content
    with pytest.raises(FileError, match=match) as err:
        load_network(tmp_path / "bad.pt")
    assert "bad.pt" in str(err.value)


def test_saved_network_round_trips(saved):
    net, path, X = saved
    np.testing.assert_array_equal(predict(load_network(path), X), predict(net, X))


def test_diverging_training_stops_with_the_iteration_named_and_finite_weights():
    X, Y, layers = _regression()
    opts = _opts(solver="sgdm", InitialLearnRate=1e6, Momentum=0.9, MaxEpochs=20)
    with pytest.raises(TrainingDiverged, match=r"at iteration \d+ \(epoch \d+\)") as err:
        trainNetwork(X, Y, layers, opts)
    exc = err.value
    assert exc.iteration >= 1 and exc.epoch >= 1
    assert len(exc.info.TrainingLoss) == exc.iteration - 1
    for lay in exc.network.Layers:
        for name in lay.learnables:
            assert np.all(np.isfinite(lay.props[name])), (lay.Name, name)
    # MATLAB's way: warn, stop there, return the last finite network.
    with pytest.warns(RuntimeWarning, match="training stopped"):
        net, info = trainNetwork(X, Y, layers, _opts(solver="sgdm", InitialLearnRate=1e6,
                                                     Momentum=0.9, MaxEpochs=20,
                                                     NonFiniteLoss="stop"))
    assert len(info.TrainingLoss) == exc.iteration - 1
    assert np.all(np.isfinite(predict(net, X)))


KILLED = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    sys.path.insert(0, {tests!r})
    from test_files_and_faults import _regression, _opts
    from layergraph import trainNetwork
    calls = [0]
    real = os.fsync
    def fsync(fd):  # the process dies while its checkpoint number {kill} is being written
        calls[0] += 1
        if calls[0] == {kill}:
            os.kill(os.getpid(), signal.SIGKILL)
        real(fd)
    os.fsync = fsync
    X, Y, layers = _regression()
    trainNetwork(X, Y, layers, _opts(MaxEpochs=4, CheckpointPath={folder!r}, Seed=3))
""")


@pytest.mark.parametrize("kill", [1, 2, 3])
def test_a_kill_while_checkpointing_leaves_a_loadable_newest_checkpoint(tmp_path, kill):
    folder = str(tmp_path / "ckpt")
    code = KILLED.format(tests=os.path.dirname(__file__), kill=kill, folder=folder)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == -signal.SIGKILL, res.stderr
    X, Y, layers = _regression()
    ckpts = sorted(f for f in os.listdir(folder) if f.startswith("net_checkpoint"))
    assert len(ckpts) == kill - 1  # the one being written never appeared under its name
    whole, _ = trainNetwork(X, Y, layers, _opts(MaxEpochs=4, Seed=3))
    if kill == 1:
        with pytest.raises(LayerGraphError, match="no valid checkpoint"):
            trainNetwork(X, Y, folder, _opts(MaxEpochs=4, Seed=3))
        return
    resumed, _ = trainNetwork(X, Y, folder, _opts(MaxEpochs=4, Seed=3))
    np.testing.assert_array_equal(predict(resumed, X), predict(whole, X))


def test_resuming_from_a_folder_skips_a_damaged_newest_checkpoint(tmp_path):
    X, Y, layers = _regression()
    folder = tmp_path / "ckpt"
    trainNetwork(X, Y, layers, _opts(MaxEpochs=3, CheckpointPath=str(folder), Seed=1))
    newest = max(folder.iterdir(), key=lambda p: int(p.name.split("__")[1]))
    newest.write_bytes(newest.read_bytes()[:-10])  # e.g. a copy cut short
    net, info = trainNetwork(X, Y, str(folder), _opts(MaxEpochs=3, Seed=1))
    assert len(info.TrainingLoss) == 9  # resumed after epoch 2, trained epoch 3 again


def test_a_saved_dlnetwork_loads_in_a_fresh_process_without_importing_modern(tmp_path):
    """load_network builds dlnetworks through a service of layergraph.modern: promised, so a
    fresh `from layergraph import load_network` loads one (found by the fuzz suite)."""
    import layergraph as lg

    path = tmp_path / "dl.pt"
    lg.save_network(lg.dlnetwork([lg.sequenceInputLayer(2), lg.fullyConnectedLayer(2)]), path)
    code = ("from layergraph import load_network; import sys; "
            f"net = load_network({str(path)!r}, 'cpu'); "
            "assert 'layergraph.modern' in sys.modules; print(type(net).__name__)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                       cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert p.returncode == 0 and p.stdout.strip() == "DLNetwork", p.stderr[-1500:]
