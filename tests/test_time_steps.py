"""Time steps in the analysis: combining layers fed sequence branches whose lengths differ are
an analysis problem naming the layer and both inputs, not a runtime shape error; branches that
keep the steps ('same' / 'causal' padding at stride 1, or the same change on both) are fine."""

import itertools

import numpy as np
import pytest
import torch

from layergraph import (
    NetworkError,
    additionLayer,
    averagePooling1dLayer,
    concatenationLayer,
    convolution1dLayer,
    dlnetwork,
    layerGraph,
    maxPooling1dLayer,
    minibatchpredict,
    multiplicationLayer,
    sequenceInputLayer,
)
from layergraph.analysis import analyze
from layergraph.formats import window_steps


def two_branches(left, right, combine):
    """input -> left -> combine/in1 and input -> right -> combine/in2 (None: straight)."""
    lg = layerGraph([sequenceInputLayer(3, Name="in")])
    lg.addLayers(combine)
    for port, branch in (("in1", left), ("in2", right)):
        if branch is None:
            lg.connectLayers("in", f"{combine.Name}/{port}")
        else:
            lg.addLayers(branch)
            lg.connectLayers("in", branch.Name)
            lg.connectLayers(branch.Name, f"{combine.Name}/{port}")
    return lg


def conv(name, **kw):
    return convolution1dLayer(3, 3, Name=name, **kw)


MISMATCHED = [
    (conv("a", Padding="same", Stride=2), None, additionLayer(2, Name="join")),
    (conv("a"), conv("b", Padding="same"), additionLayer(2, Name="join")),  # valid vs same
    (None, conv("b", Padding="causal", Stride=2), multiplicationLayer(2, Name="join")),
    (maxPooling1dLayer(2, Stride=2, Name="a"), None, concatenationLayer(1, 2, Name="join")),
    (averagePooling1dLayer(3, Name="a"), None, additionLayer(2, Name="join")),
    (conv("a", Padding="same", Stride=2), conv("b", Padding="same", Stride=3),
     additionLayer(2, Name="join")),
]


@pytest.mark.parametrize("left, right, combine", MISMATCHED)
def test_branches_of_different_lengths_are_an_analysis_problem(left, right, combine):
    a = analyze(two_branches(left, right, combine), dlnetwork=True)
    [p] = a.problems
    assert p.kind == "time-length-mismatch"
    assert p.layers[0] == "join"
    assert "input 'in2'" in p.message and "'in1'" in p.message
    changed = [b.Name for b in (left, right) if b is not None]
    assert any(f"changed by '{n}'" in p.message for n in changed)


def test_the_problem_comes_before_running():
    lg = two_branches(conv("a", Padding="same", Stride=2), None, additionLayer(2, Name="join"))
    with pytest.raises(NetworkError) as err:
        dlnetwork(lg)
    assert [p.kind for p in err.value.problems] == ["time-length-mismatch"]


KEPT = [
    (conv("a", Padding="same"), conv("b", Padding="same"), additionLayer(2, Name="join")),
    (conv("a", Padding="causal"), None, additionLayer(2, Name="join")),
    (conv("a", Padding=[2, 0]), conv("b", Padding="same"), additionLayer(2, Name="join")),
    (conv("a", Padding=1), None, concatenationLayer(1, 2, Name="join")),
    (conv("a", Padding="same", Stride=2), conv("b", Padding="causal", Stride=2),
     additionLayer(2, Name="join")),  # both ceil(T/2)
    (maxPooling1dLayer(3, Padding="same", Name="a"), None, multiplicationLayer(2, Name="join")),
    (conv("a", Padding="same", DilationFactor=2), None, additionLayer(2, Name="join")),
]


@pytest.mark.parametrize("left, right, combine", KEPT)
def test_branches_that_keep_their_steps_are_fine_and_run(left, right, combine):
    lg = two_branches(left, right, combine)
    assert analyze(lg, dlnetwork=True).problems == []
    net = dlnetwork(lg)
    rng = np.random.default_rng(0)
    X = [rng.standard_normal((T, 3)).astype(np.float32) for T in (5, 9, 8)]
    out = minibatchpredict(net, X, UniformOutput=False)
    stride = getattr(left, "Stride", 1)
    assert [len(o) for o in out] == [-(-len(x) // stride) for x in X]


def test_sequences_of_different_input_layers_are_left_to_the_run():
    """Two sequence inputs may be aligned (the user knows); the analysis cannot tell, so the
    run checks every mini-batch."""
    lg = layerGraph([sequenceInputLayer(3, Name="x1"), additionLayer(2, Name="join")])
    lg.addLayers(sequenceInputLayer(3, Name="x2"))
    lg.connectLayers("x2", "join/in2")
    assert analyze(lg, dlnetwork=True).problems == []
    net = dlnetwork(lg)
    rng = np.random.default_rng(1)
    X1 = [rng.standard_normal((T, 3)) for T in (4, 6)]
    same = minibatchpredict(net, X1, [x + 1 for x in X1], UniformOutput=False)
    np.testing.assert_allclose(np.concatenate(same), np.concatenate([2 * x + 1 for x in X1]),
                               rtol=1e-6, atol=1e-6)
    with pytest.raises(NetworkError, match="layer 'join'.*time steps|layer 'join'.*lengths"):
        minibatchpredict(net, X1, [x[:3] for x in X1])


def torch_length(T, k, s, d, padding):
    """Output length of torch's own conv1d (an independent reference) on T steps."""
    if padding == "same":
        out = -(-T // s)
        total = max((out - 1) * s + d * (k - 1) + 1 - T, 0)
        pad = (total // 2, total - total // 2)
    elif padding == "causal":
        pad = (d * (k - 1), 0)
    else:
        pad = (padding, 0)
    x = torch.nn.functional.pad(torch.zeros(1, 1, T), pad)
    if x.shape[-1] < d * (k - 1) + 1:
        return None
    return torch.nn.functional.conv1d(x, torch.zeros(1, 1, k), stride=s, dilation=d).shape[-1]


def test_equal_formulas_mean_equal_lengths_and_none_means_kept():
    cases = list(itertools.product((1, 2, 3), (1, 2, 3), (1, 2), ("same", "causal", 0, 1, 2, 4)))
    lengths = {}
    for k, s, d, p in cases:
        f = window_steps(k, s, d, p)
        got = tuple(torch_length(T, k, s, d, p) for T in range(8, 20))
        if f is None:
            assert got == tuple(range(8, 20)), (k, s, d, p)
        lengths.setdefault(f, set()).add(got)
    for f, seen in lengths.items():
        assert len(seen) == 1, f  # one formula, one length for every T
