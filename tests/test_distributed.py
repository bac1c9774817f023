"""Distributed training (training/distributed.py) on the CPU with gloo: two processes give the
weights of one process training on the same global mini-batches.

Most tests share one pair of processes (the ``pair`` fixture: this process is worker 0, one
spawned process is worker 1 and runs the same scenario function), so the cost of starting a
worker is paid once; the command-line tests start their own (``--nproc``, torchrun). Every
collective is bounded by LAYERGRAPH_DIST_TIMEOUT, so a broken test fails instead of hanging.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.distributed as dist
from conftest import SMALL_SPEC

from layergraph import (
    addLayers,
    batchNormalizationLayer,
    bilstmLayer,
    classificationLayer,
    concatenationLayer,
    connectLayers,
    dlnetwork,
    featureInputLayer,
    fullyConnectedLayer,
    layerGraph,
    lstmLayer,
    regressionLayer,
    sequenceInputLayer,
    softmaxLayer,
    trainingOptions,
    trainnet,
    trainNetwork,
)
from layergraph.errors import LayerGraphError, OptionError
from layergraph.training.distributed import TIMEOUT_VARIABLE, WorkerError

TIMEOUT_S = 120
ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.distributed,
    pytest.mark.skipif(not dist.is_available() or not dist.is_gloo_available(),
                       reason="torch.distributed with gloo is not available"),
]


# --- the scenarios: each runs in both workers of the pair, and alone for the reference ----------

def sequences(n, channels=3, low=2, high=9, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((int(rng.integers(low, high)), channels)).astype(np.float32)
            for _ in range(n)]


def options(env, **extra):
    base = dict(MaxEpochs=3, Shuffle="every-epoch", Verbose=False, ProgressBar=False)
    base.update(extra)
    return trainingOptions(base.pop("solver", "adam"), ExecutionEnvironment=env, **base)


def classifier(env, sequence_length="longest", mini_batch=5, validation=False, patience=None,
               **policy):
    """(a) bilstm 'last' classifier on variable-length sequences; 12 sequences in mini-batches
    of 5 (shares of 3 and 2); clipping on so that it must act on the summed gradients."""
    X = sequences(12)
    Y = np.array([("a", "b", "c")[i % 3] for i in range(12)])
    layers = [sequenceInputLayer(3), bilstmLayer(5, OutputMode="last"), fullyConnectedLayer(3),
              softmaxLayer(), classificationLayer()]
    extra = {}
    if validation:
        extra = dict(ValidationData=(sequences(4, seed=7), np.array(["a", "b", "c", "a"])),
                     ValidationFrequency=1, OutputNetwork="best-validation-loss",
                     ValidationPatience=patience or "inf")
    return trainNetwork(X, Y, layers, options(
        env, MiniBatchSize=mini_batch, SequenceLength=sequence_length, GradientThreshold=0.05,
        GradientThresholdMethod="global-l2norm", **policy, **extra))


def regressor(env, checkpoints=None, resume=None, max_epochs=3):
    """(b) lstm 'sequence' regressor, SequenceLength 3 (state carried across chunks), per-step
    responses: shares hold different numbers of real steps in each chunk."""
    X = sequences(8, channels=2, low=2, high=10, seed=3)
    Y = [np.cumsum(x, axis=0)[:, :1] for x in X]
    layers = [sequenceInputLayer(2), lstmLayer(4, OutputMode="sequence"), fullyConnectedLayer(1),
              regressionLayer()]
    opts = options(env, solver="sgdm", MiniBatchSize=4, SequenceLength=3, MaxEpochs=max_epochs,
                   GradientThreshold=0.3, CheckpointPath=checkpoints or "")
    return trainNetwork(X, Y, resume or layers, opts)


def modern(env):
    """(d) trainnet: a dlnetwork on "crossentropy", with the accuracy metric."""
    X = sequences(10, seed=5)
    Y = np.array([("u", "v")[int(x[:, 0].sum() > 0)] for x in X])
    net = dlnetwork([sequenceInputLayer(3), lstmLayer(4, OutputMode="last"),
                     fullyConnectedLayer(2), softmaxLayer()])
    return trainnet(X, Y, net, "crossentropy",
                    options(env, MiniBatchSize=4, Metrics="accuracy"))


def normalised(env, mini_batch=5):
    """batchNormalizationLayer over real steps: statistics of the whole mini-batch."""
    X = sequences(12, seed=9)
    Y = np.array([("a", "b")[i % 2] for i in range(12)])
    layers = [sequenceInputLayer(3), batchNormalizationLayer(), lstmLayer(4, OutputMode="last"),
              fullyConnectedLayer(2), softmaxLayer(), classificationLayer()]
    return trainNetwork(X, Y, layers, options(env, solver="sgdm", MiniBatchSize=mini_batch))


SCENARIOS = {f.__name__: f for f in (classifier, regressor, modern, normalised)}


def weights(net) -> dict:
    return {k: v.detach().cpu().double() for k, v in net.module.state_dict().items()}


def max_difference(a, b) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k] - b[k]).abs().max()) for k in a)


def _follower(index, port):
    """Worker 1 of the pair: runs each scenario worker 0 names, until told to stop."""
    limit = datetime.timedelta(seconds=TIMEOUT_S)
    store = dist.TCPStore("127.0.0.1", port, 2, is_master=False, timeout=limit)
    dist.init_process_group("gloo", store=store, rank=1, world_size=2, timeout=limit)
    try:
        while True:
            box = [None]
            dist.broadcast_object_list(box, src=0)
            if box[0] is None:
                break
            name, kwargs = box[0]
            net, _ = SCENARIOS[name]("parallel", **kwargs)
            dist.all_gather_object([None, None], weights(net))
    finally:
        dist.destroy_process_group()
    from layergraph.training.distributed import exit_process

    exit_process(0)  # past Python's teardown, which can abort a process DDP used (see there)


@pytest.fixture(scope="module")
def pair():
    """run(name, **kwargs) -> ((net, info) of worker 0, worker 1's weights)."""
    os.environ.setdefault(TIMEOUT_VARIABLE, str(TIMEOUT_S))
    limit = datetime.timedelta(seconds=TIMEOUT_S)
    store = dist.TCPStore("127.0.0.1", 0, 2, is_master=True, timeout=limit,
                          wait_for_workers=False)
    ctx = torch.multiprocessing.start_processes(_follower, args=(store.port,), nprocs=1,
                                                join=False, start_method="spawn")
    dist.init_process_group("gloo", store=store, rank=0, world_size=2, timeout=limit)

    def run(name, **kwargs):
        dist.broadcast_object_list([(name, kwargs)], src=0)
        net, info = SCENARIOS[name]("parallel", **kwargs)
        both = [None, None]
        dist.all_gather_object(both, weights(net))
        return net, info, both[1]

    try:
        yield run
        dist.broadcast_object_list([None], src=0)
        # the follower leaves first: this process holds the store it leaves through
        assert ctx.join(timeout=TIMEOUT_S), "the follower did not end"
    finally:
        for p in ctx.processes:
            if p.is_alive():
                p.terminate()
        dist.destroy_process_group()


# --- bad requests: errors before any worker starts (these run before the pair exists) ---------

def test_workers_need_a_distributed_environment():
    layers = [sequenceInputLayer(3), lstmLayer(2, OutputMode="last"), fullyConnectedLayer(2),
              softmaxLayer(), classificationLayer()]
    opts = trainingOptions("adam", MaxEpochs=1, Verbose=False, ProgressBar=False)
    with pytest.raises(OptionError, match=r"workers=2 needs ExecutionEnvironment 'parallel'"):
        trainNetwork(sequences(4), np.array(list("abab")), layers, opts, workers=2)


@pytest.mark.parametrize("workers", [0, -1, 1.5, "two", True])
def test_worker_count_must_be_a_positive_integer(workers):
    with pytest.raises(OptionError, match="workers") as info:
        modern_like(workers)
    assert "a positive integer" in info.value.expected


def modern_like(workers, env="parallel", loss="crossentropy"):
    net = dlnetwork([sequenceInputLayer(3), lstmLayer(2, OutputMode="last"),
                     fullyConnectedLayer(2), softmaxLayer()])
    return trainnet(sequences(4), np.array(list("abab")), net, loss,
                    trainingOptions("adam", MaxEpochs=1, Verbose=False, ProgressBar=False,
                                    ExecutionEnvironment=env), workers=workers)


@pytest.mark.skipif(torch.cuda.is_available(), reason="with CUDA, 'parallel' uses the GPUs")
def test_parallel_on_cpus_needs_a_worker_count(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(OptionError, match="needs the number of CPU workers") as info:
        modern_like(None)
    assert "--nproc" in info.value.expected and "torchrun" in info.value.expected


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_multi_gpu_without_gpus_says_so():
    with pytest.raises(OptionError, match="'multi-gpu' needs CUDA GPUs"):
        modern_like(None, env="multi-gpu")


def test_a_lambda_loss_cannot_reach_started_workers():
    with pytest.raises(OptionError, match="picklable"):
        modern_like(2, loss=lambda y, t: ((y - t) ** 2).mean())


def test_worker_count_must_match_torchrun(monkeypatch):
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    with pytest.raises(OptionError, match="workers=3 but torchrun started 2 processes"):
        modern_like(3)


def test_a_torchrun_launch_without_a_distributed_environment_warns(monkeypatch):
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    with pytest.warns(RuntimeWarning, match="every process trains alone"):
        modern_like(None, env="cpu")


def test_a_bad_timeout_is_an_option_error(monkeypatch):
    monkeypatch.setenv(TIMEOUT_VARIABLE, "soon")
    with pytest.raises(OptionError, match=TIMEOUT_VARIABLE):
        modern_like(2)


def _fails_on_worker_1(y, t):
    """A loss that raises on worker 1 only, as a worker that breaks down would."""
    if dist.is_initialized() and dist.get_rank() == 1:
        raise ValueError("worker 1 cannot go on")
    return ((y - t) ** 2).mean()


def test_a_failing_worker_stops_the_others_with_its_reason(monkeypatch):
    """No hang: worker 0 (here) is told why worker 1 (started here) stopped."""
    monkeypatch.setenv(TIMEOUT_VARIABLE, str(TIMEOUT_S))
    net = dlnetwork([sequenceInputLayer(3), lstmLayer(2, OutputMode="last"),
                     fullyConnectedLayer(1)])
    opts = trainingOptions("adam", MaxEpochs=1, Verbose=False, ProgressBar=False,
                           ExecutionEnvironment="parallel", MiniBatchSize=2)
    # the worker's own error names the loss function and what it raised
    with pytest.raises(WorkerError, match=r"a worker failed \(.*the loss function "
                       r"_fails_on_worker_1 raised ValueError: worker 1 cannot go on") as info:
        trainnet(sequences(4), np.arange(4.0)[:, None], net, _fails_on_worker_1, opts,
                 workers=2)
    assert isinstance(info.value, LayerGraphError) and info.value.owner == "trainnet"
    assert not dist.is_initialized()  # the group is left


def test_trainnet_resumed_on_started_workers_equals_one_process(monkeypatch, tmp_path):
    """trainnet reads a checkpoint once to choose its trainer; the workers it starts read the
    file themselves (the checkpoint's tensors handed to them would be shared memory, and the
    workers' solvers would update one another's state). It runs before the pair's group exists:
    it starts workers of its own."""
    monkeypatch.setenv(TIMEOUT_VARIABLE, str(TIMEOUT_S))
    X = sequences(12, seed=5)
    T = np.array(["a", "b"] * 6)
    net = dlnetwork([sequenceInputLayer(3), lstmLayer(5, OutputMode="last"),
                     fullyConnectedLayer(2), softmaxLayer()])
    opts = trainingOptions("adam", MaxEpochs=2, MiniBatchSize=4, Verbose=False,
                           ProgressBar=False, Shuffle="never")
    whole, _ = trainnet(X, T, net, "crossentropy", opts.replace(MaxEpochs=4))
    trainnet(X, T, net, "crossentropy", opts.replace(CheckpointPath=str(tmp_path)))
    resumed, _ = trainnet(X, T, str(tmp_path), "crossentropy", opts.replace(
        MaxEpochs=4, ExecutionEnvironment="parallel"), workers=2)
    assert max_difference(weights(resumed), weights(whole)) < 1e-5


# --- two workers = one process ------------------------------------------------------------------

def test_bilstm_classifier_on_two_workers_equals_one_process(pair):
    net2, info2, other = pair("classifier", validation=True)
    net1, info1 = classifier("cpu", validation=True)
    w1, w2 = weights(net1), weights(net2)
    assert max_difference(w1, w2) < 1e-5
    assert max_difference(w2, other) == 0  # both workers hold the same network
    assert len(info2["TrainingLoss"]) == 6  # 2 mini-batches of 5 per epoch, 3 epochs
    np.testing.assert_allclose(info2["TrainingLoss"], info1["TrainingLoss"], rtol=1e-6)
    assert info2["TrainingAccuracy"] == info1["TrainingAccuracy"]  # over both shares
    np.testing.assert_allclose(info2["ValidationLoss"], info1["ValidationLoss"], rtol=1e-6)
    assert info2["OutputNetworkIteration"] == info1["OutputNetworkIteration"]
    # the clipping acted (so it acted on the summed gradients): without it, other weights
    unclipped, _ = trainNetwork(*_classifier_data(), _classifier_layers(), trainingOptions(
        "adam", MaxEpochs=3, Shuffle="every-epoch", Verbose=False, ProgressBar=False,
        MiniBatchSize=5, ValidationData=(sequences(4, seed=7), np.array(list("abca"))),
        ValidationFrequency=1, OutputNetwork="best-validation-loss"))
    assert max_difference(weights(unclipped), w1) > 1e-3


def _classifier_data():
    return sequences(12), np.array([("a", "b", "c")[i % 3] for i in range(12)])


def _classifier_layers():
    return [sequenceInputLayer(3), bilstmLayer(5, OutputMode="last"), fullyConnectedLayer(3),
            softmaxLayer(), classificationLayer()]


def test_validation_patience_stops_every_worker_together(pair):
    """Worker 0 validates and tells the others: all stop at the same iteration (a worker that
    went on alone would wait for the others until the timeout)."""
    net2, info2, other = pair("classifier", validation=True, patience=1)
    net1, info1 = classifier("cpu", validation=True, patience=1)
    assert len(info2["TrainingLoss"]) == len(info1["TrainingLoss"]) < 6  # stopped early
    assert max_difference(weights(net1), weights(net2)) < 1e-5
    assert max_difference(weights(net2), other) == 0


def test_labels_read_in_the_chunk_where_each_sequence_ends(pair):
    """'last' with SequenceLength 3: in some chunks one worker has no sequence ending."""
    net2, info2, _ = pair("classifier", sequence_length=3)
    net1, info1 = classifier("cpu", sequence_length=3)
    assert max_difference(weights(net1), weights(net2)) < 1e-5
    np.testing.assert_allclose(info2["TrainingLoss"], info1["TrainingLoss"], rtol=1e-6)


def test_padding_as_data_is_padded_as_the_whole_mini_batch(pair):
    """PaddingInvariant false (MATLAB's padding as data, here on the left): each share is padded
    to the whole mini-batch's length, as one process pads it."""
    policy = dict(PaddingInvariant=False, SequencePaddingDirection="left",
                  SequencePaddingValue=0.5)
    net2, info2, _ = pair("classifier", **policy)
    net1, info1 = classifier("cpu", **policy)
    assert max_difference(weights(net1), weights(net2)) < 1e-5
    np.testing.assert_allclose(info2["TrainingLoss"], info1["TrainingLoss"], rtol=1e-6)
    invariant, _ = classifier("cpu")
    assert max_difference(weights(invariant), weights(net1)) > 1e-4  # the padding mattered


def test_a_worker_without_a_share_still_takes_part(pair):
    """MiniBatchSize 1 on two workers: worker 1 runs a stand-in with weight 0 each time."""
    net2, info2, other = pair("classifier", mini_batch=1)
    net1, info1 = classifier("cpu", mini_batch=1)
    assert len(info2["TrainingLoss"]) == 36
    assert max_difference(weights(net1), weights(net2)) < 1e-5
    assert max_difference(weights(net2), other) == 0
    np.testing.assert_allclose(info2["TrainingLoss"], info1["TrainingLoss"], rtol=1e-6)


@pytest.mark.parametrize("mini_batch", [5, 1])
def test_batch_normalization_uses_the_whole_mini_batch(pair, mini_batch):
    """The batch statistics (and so the running moments, in the compared state) are the whole
    mini-batch's (without the summing over workers, [5] fails); with MiniBatchSize 1 worker 1
    runs a stand-in along, the collectives matched."""
    net2, _, other = pair("normalised", mini_batch=mini_batch)
    net1, _ = normalised("cpu", mini_batch=mini_batch)
    w1, w2 = weights(net1), weights(net2)
    assert any("running_mean" in k for k in w1)
    assert max_difference(w1, w2) < 1e-5
    assert max_difference(w2, other) == 0


def test_sequence_length_regressor_on_two_workers_equals_one_process(pair):
    net2, info2, other = pair("regressor")
    net1, info1 = regressor("cpu")
    assert max_difference(weights(net1), weights(net2)) < 1e-5
    assert max_difference(weights(net2), other) == 0
    # one iteration per chunk of 3 steps: 6 mini-batches of up to 9 steps
    assert len(info2["TrainingLoss"]) == len(info1["TrainingLoss"]) > 6
    np.testing.assert_allclose(info2["TrainingLoss"], info1["TrainingLoss"], rtol=1e-5)
    np.testing.assert_allclose(info2["TrainingRMSE"], info1["TrainingRMSE"], rtol=1e-5)


def test_trainnet_on_two_workers_equals_one_process(pair):
    net2, info2, other = pair("modern")
    net1, info1 = modern("cpu")
    assert net2.dlnetwork and net2.training["classes"] == ["u", "v"]
    assert max_difference(weights(net1), weights(net2)) < 1e-5
    np.testing.assert_allclose(info2["TrainingLoss"], info1["TrainingLoss"], rtol=1e-6)
    assert info2["TrainingAccuracy"] == info1["TrainingAccuracy"]


def test_a_checkpoint_of_worker_0_resumes_on_two_workers_and_on_one(pair, tmp_path):
    folder = tmp_path / "ck"
    whole, _, _ = pair("regressor", checkpoints=str(folder), max_epochs=2)
    files = sorted(folder.iterdir(), key=lambda p: p.stem.split("epoch")[-1])
    assert [p.stem.split("__epoch")[-1] for p in files] == ["1", "2"]  # one per epoch, once
    first = str(files[0])
    on_two, _, other = pair("regressor", resume=first, max_epochs=2)
    on_one, _ = regressor("cpu", resume=first, max_epochs=2)
    assert max_difference(weights(on_two), weights(on_one)) < 1e-5
    assert max_difference(weights(on_two), weights(whole)) < 1e-5
    assert max_difference(weights(on_two), other) == 0


# --- the command line: --nproc starts workers; torchrun launches them ---------------------------

SPEC = SMALL_SPEC.replace("name: small", "name: tiny") + """\
training:
  solver: adam
  MaxEpochs: 2
  MiniBatchSize: 4
  Shuffle: never
"""


def _cli_data(tmp_path):
    X = sequences(9, seed=11)
    Y = np.array([("p", "q")[int(x[:, 1].mean() > 0)] for x in X])
    data = tmp_path / "d.npz"
    np.savez(data, X=np.array(X, dtype=object), Y=Y)
    spec = tmp_path / "tiny.yaml"
    spec.write_text(SPEC)
    return spec, data


def _cli(args, tmp_path, launcher=()):
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1",
               **{TIMEOUT_VARIABLE: str(TIMEOUT_S)})
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "LOCAL_RANK"):
        env.pop(name, None)
    return subprocess.run([sys.executable, *launcher, "-m", "layergraph", "train", *args],
                          cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=4 * TIMEOUT_S)


def _saved_weights(path):
    from layergraph import load_network

    return weights(load_network(path))


@pytest.fixture(scope="module")
def cli_files(tmp_path_factory):
    """The spec, its data, and the network one process trains from them."""
    from layergraph import load_spec

    folder = tmp_path_factory.mktemp("cli")
    spec, data = _cli_data(folder)
    common = [str(spec), "--data", str(data), "--allow-pickle", "--no-progress"]
    loaded, saved = load_spec(spec), np.load(data, allow_pickle=True)
    one, _ = trainNetwork(list(saved["X"]), saved["Y"], loaded.graph,
                          loaded.options.replace(Verbose=False, ProgressBar=False))
    return folder, common, weights(one)


def test_cli_nproc_trains_on_two_workers_as_on_one(cli_files):
    folder, common, one = cli_files
    two = _cli([*common, "--quiet", "--nproc", "2", "-o", "two.pt"], folder)
    assert two.returncode == 0, two.stderr
    assert two.stdout.count("saved the trained network") == 1  # worker 0 only
    assert "on 2 workers" in two.stderr
    assert max_difference(one, _saved_weights(folder / "two.pt")) < 1e-5


def test_torchrun_launches_the_cli_on_two_workers(cli_files):
    folder, common, one = cli_files
    run = _cli([*common, "-o", "torchrun.pt"], folder,
               launcher=("-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2"))
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("Training finished") == 1  # one progress table, worker 0's
    assert run.stdout.count("saved the trained network") == 1
    assert max_difference(one, _saved_weights(folder / "torchrun.pt")) < 1e-5


def test_what_several_workers_cannot_train_yet_is_refused_naming_the_option(monkeypatch):
    """Feature data and networks with several inputs train in one process so far: asking for
    workers is an OptionError naming ExecutionEnvironment, never a silent one-process run."""
    monkeypatch.setenv(TIMEOUT_VARIABLE, str(TIMEOUT_S))
    opts = trainingOptions("adam", MaxEpochs=1, Verbose=False, ProgressBar=False,
                           ExecutionEnvironment="parallel")
    net = dlnetwork([featureInputLayer(3), fullyConnectedLayer(2), softmaxLayer()])
    with pytest.raises(LayerGraphError, match="takes sequence data so far") as info:
        trainnet(np.random.default_rng(0).random((8, 3)), np.array(list("abababab")), net,
                 "crossentropy", opts, workers=2)
    assert "ExecutionEnvironment" in str(info.value)
    g = layerGraph([sequenceInputLayer(3, Name="seq"), lstmLayer(2, OutputMode="last"),
                    concatenationLayer(1, 2, Name="cat"), fullyConnectedLayer(1)])
    g = addLayers(g, featureInputLayer(2, Name="feat"))
    g = connectLayers(g, "feat", "cat/in2")
    with pytest.raises(OptionError, match="several inputs or outputs trains in one process") as e:
        trainnet((sequences(4), np.zeros((4, 2))), np.zeros((4, 1)), dlnetwork(g), "mse", opts,
                 workers=2)
    assert e.value.option == "ExecutionEnvironment"


def test_a_process_that_was_a_worker_ends_past_the_teardown(monkeypatch, capsys):
    """torch keeps gloo's threads alive after DDP used a group; a worker's normal interpreter
    teardown can then abort it, so the command line ends a worker with os._exit (flushed)."""
    from layergraph.training import distributed

    ended = []
    monkeypatch.setattr(distributed.os, "_exit", lambda code: ended.append(code))
    monkeypatch.setattr(distributed, "_took_part", False)
    with pytest.raises(SystemExit) as stop:
        distributed.exit_process(3)
    assert stop.value.code == 3 and ended == []
    monkeypatch.setattr(distributed, "_took_part", True)
    print("last words", end="")
    distributed.exit_process(4)
    assert ended == [4]
    assert capsys.readouterr().out == "last words"
