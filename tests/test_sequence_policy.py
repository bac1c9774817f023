"""One sequence policy and one chunk iterator for training and prediction.

With an integer SequenceLength both trainNetwork and predict run the padded mini-batch chunk by
chunk through ``layergraph.sequences.run_chunks``; the recurrent state entering each chunk must be
the state the NumPy reference reaches at the end of the previous chunk, in both paths alike.
"""

import numpy as np
import pytest
from reference_rnn import lstm_forward

from layergraph import (
    OptionError,
    fullyConnectedLayer,
    lstmLayer,
    predict,
    regressionLayer,
    sequenceInputLayer,
    trainingOptions,
    trainNetwork,
)
from layergraph.modules.recurrent import RecurrentModule
from layergraph.network import PREDICT_OPTIONS
from layergraph.sequences import SEQUENCE_OPTIONS, SequencePolicy
from layergraph.training.options import OPTIONS as TRAINING_OPTIONS

C, H, R, K = 3, 4, 2, 4


def _net(rng):
    W, Rw, b = rng.normal(size=(4 * H, C)), rng.normal(size=(4 * H, H)), rng.normal(size=4 * H)
    layers = [sequenceInputLayer(C),
              lstmLayer(H, InputWeights=W, RecurrentWeights=Rw, Bias=b, Name="lstm"),
              fullyConnectedLayer(R, Weights=rng.normal(size=(R, H)), Bias=np.zeros((R, 1))),
              regressionLayer()]
    return layers, (W, Rw, b)


def _record_states(monkeypatch):
    """Log the hidden state each recurrent call starts from (None: the initial zeros)."""
    log = []
    forward = RecurrentModule.forward

    def spy(self, x, *states):
        log.append(None if self.state is None else self.state[0].detach().numpy().copy())
        return forward(self, x, *states)

    monkeypatch.setattr(RecurrentModule, "forward", spy)
    return log


def test_training_and_prediction_carry_state_identically(monkeypatch):
    rng = np.random.default_rng(3)
    layers, (W, Rw, b) = _net(rng)
    X = [rng.normal(size=(T, C)) for T in (10, 7)]
    Y = [rng.normal(size=(T, R)) for T in (10, 7)]
    log = _record_states(monkeypatch)
    opts = trainingOptions("sgdm", InitialLearnRate=1e-30, Momentum=0, L2Regularization=0,
                           MaxEpochs=1, MiniBatchSize=2, SequenceLength=K, Shuffle="never",
                           Verbose=False, ProgressBar=False, ExecutionEnvironment="cpu")
    net, _ = trainNetwork(X, Y, layers, opts)
    trained = list(log)
    log.clear()
    predict(net, X, SequenceLength=K, MiniBatchSize=2)
    predicted = list(log)

    # The reference: hidden state of each sequence after each chunk's steps (frozen once a
    # sequence has ended, as padding never changes it).
    want = [None]
    for stop in (K, 2 * K):
        hs = [lstm_forward(x[:min(stop, len(x))], W, Rw, b)[1] for x in X]
        want.append(np.stack(hs))
    assert len(trained) == len(predicted) == 3  # chunks [0,4), [4,8), [8,10)
    for got_t, got_p, w in zip(trained, predicted, want):
        if w is None:
            assert got_t is None and got_p is None
            continue
        np.testing.assert_allclose(got_t, w, atol=1e-5)
        np.testing.assert_allclose(got_p, w, atol=1e-5)


def test_sequence_options_are_declared_once():
    for name, opt in SEQUENCE_OPTIONS.items():
        assert TRAINING_OPTIONS[name] is opt
        assert PREDICT_OPTIONS[name] is opt
    policy = SequencePolicy.of(trainingOptions("adam", SequenceLength=7, PaddingInvariant=False,
                                               SequencePaddingDirection="left"))
    assert (policy.chunk_length, policy.direction) == (7, "left")
    assert SequencePolicy.of(trainingOptions("adam")).direction == "right"  # invariant default
    with pytest.raises(OptionError, match="SequenceLength") as err:
        trainingOptions("adam", SequenceLength=0)
    assert err.value.option == "SequenceLength" and err.value.part == "value"


def test_policy_pads_cuts_and_splits():
    seqs = [np.ones((5, 2), np.float32), np.ones((2, 2), np.float32)]
    p = SequencePolicy(SequenceLength=2)
    batch = p.pad(seqs)
    assert batch.x.shape == (2, 5, 2) and batch.lengths.tolist() == [5, 2]
    assert [(s, e, n.tolist()) for s, e, n in p.chunks(batch)] == [
        (0, 2, [2, 2]), (2, 4, [2, 0]), (4, 5, [1, 0])]
    assert p.ends_in(batch, 0, 2).tolist() == [False, True]
    matlab = SequencePolicy(SequencePaddingDirection="left", SequencePaddingValue=-1.0,
                            PaddingInvariant=False)
    b = matlab.pad(seqs)
    assert b.lengths.tolist() == [5, 5] and b.x[1, 0, 0] == -1 and b.x[1, -1, 0] == 1
    assert b.mask()[1].tolist() == [0, 0, 0, 1, 1]
    cut, targets = SequencePolicy(SequenceLength="shortest").cut(seqs, [np.arange(5),
                                                                       np.arange(2)])
    assert [len(s) for s in cut] == [2, 2] and [len(t) for t in targets] == [2, 2]
