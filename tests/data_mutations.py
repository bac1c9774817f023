"""Hostile training data made from valid data: tiny networks, valid (X, Y), then one mutation.

Shared by ``tests/test_fuzz_training_data.py`` (a fixed seed, a small budget) and
``tools/fuzz_entry_points.py`` (the same strategies for minutes). A case is drawn as a network
kind (a legacy layer array for trainNetwork, or a dlnetwork and loss for trainnet), valid data
for it, and one mutation of X or of the targets: empty, ragged, object, mixed, NaN/Inf/None,
labels outside the classes, a wrong response width, text responses, mismatched counts, 1-D,
bool or complex arrays, dimensions far beyond memory (broadcast views), a freely generated
value, or the same in ValidationData. :func:`check` says what must hold: the network trains
(MaxEpochs 1), or a :class:`~layergraph.errors.LayerGraphError` is raised whose message names
the place -- the data (X, Y or T), the sequence index where one sequence is at fault, what was
expected -- and a mutation that makes the data wrong is never accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from layergraph import (
    LayerGraphError,
    classificationLayer,
    dlnetwork,
    fullyConnectedLayer,
    lstmLayer,
    regressionLayer,
    sequenceInputLayer,
    sigmoidLayer,
    softmaxLayer,
    trainingOptions,
    trainnet,
    trainNetwork,
)

C = 2  # channels of every tiny network
OPTIONS = trainingOptions("adam", MaxEpochs=1, MiniBatchSize=4, Verbose=False,
                          ProgressBar=False, Shuffle="never")

# (entry point, kind) -> what the targets look like
LEGACY = ["labels-last", "labels-sequence", "responses-last", "responses-sequence"]
MODERN = ["crossentropy-last", "crossentropy-sequence", "index-crossentropy-last", "mse-last",
          "mse-sequence", "binary-crossentropy-last"]


def network(entry, kind):
    """The tiny network of ``kind``: a layer array (trainNetwork) or a dlnetwork (trainnet)."""
    mode = "sequence" if kind.endswith("sequence") else "last"
    body = [sequenceInputLayer(C), lstmLayer(3, OutputMode=mode)]
    if entry == "trainNetwork":
        if kind.startswith("labels"):
            return [*body, fullyConnectedLayer(2), softmaxLayer(),
                    classificationLayer(Classes=["a", "b"])]
        return [*body, fullyConnectedLayer(1), regressionLayer()]
    if kind.startswith("mse"):
        return dlnetwork([*body, fullyConnectedLayer(1)])
    head = sigmoidLayer() if kind.startswith("binary") else softmaxLayer()
    return dlnetwork([*body, fullyConnectedLayer(2), head])


def loss_of(kind):
    return kind.rsplit("-", 1)[0]


def valid_targets(entry, kind, lengths, rng):
    """Targets that train: one per sequence, or one per time step ('-sequence' kinds)."""
    n, per_step = len(lengths), kind.endswith("sequence")
    if kind.startswith(("labels", "crossentropy")):
        labels = np.array(["a", "b"])

        def pick(k):
            return labels[rng.permutation(np.arange(k) % 2)]  # both classes present
        if per_step:
            return [pick(t) if t > 1 else labels[[i % 2]] for i, t in enumerate(lengths)]
        return pick(n)
    if kind.startswith("index"):
        return (np.arange(n) % 2 + 1)
    if kind.startswith("binary"):
        return (rng.random((n, 2)) > 0.5).astype(np.float64)
    if per_step:
        return [rng.standard_normal((t, 1)) for t in lengths]
    return rng.standard_normal((n, 1))


@dataclass
class Case:
    entry: str  # 'trainNetwork' or 'trainnet'
    kind: str
    X: object
    Y: object
    mutation: str
    must_fail: bool = False  # the mutation makes the data wrong: training must refuse it
    fragment: str | None = None  # what the error message must contain
    validation: tuple | None = None  # ValidationData (X, Y) for trainingOptions


def _drop(v, t):
    """A (T, C) sequence as nested lists with one row made shorter (ragged)."""
    rows = [list(map(float, r)) for r in v]
    rows[t] = rows[t][:-1]
    return rows


BAD_SCALARS = st.one_of(st.none(), st.text(max_size=3), st.binary(max_size=3),
                        st.complex_numbers(allow_nan=False, max_magnitude=3),
                        st.dictionaries(st.text(max_size=2), st.integers(), max_size=1))
FREE = st.one_of(
    BAD_SCALARS, st.integers(), st.floats(),
    hnp.arrays(st.sampled_from([np.float32, np.float64, np.int8, np.bool_, np.complex64,
                                np.str_, object]),
               hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)),
    st.lists(st.one_of(st.floats(-3, 3), st.lists(st.floats(-3, 3), max_size=3), st.none(),
                       st.text(max_size=2)), max_size=5),
)


@st.composite
def cases(draw, entry):
    """A network kind, valid data for it and one mutation of the data."""
    kind = draw(st.sampled_from(LEGACY if entry == "trainNetwork" else MODERN))
    seed = draw(st.integers(0, 2 ** 16))
    rng = np.random.default_rng(seed)
    lengths = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    n = len(lengths)
    X = [rng.standard_normal((t, C)) for t in lengths]
    Y = valid_targets(entry, kind, lengths, rng)
    yname = "Y" if entry == "trainNetwork" else "T"
    i = draw(st.integers(0, n - 1))
    t = draw(st.integers(0, lengths[i] - 1))
    per_step = kind.endswith("sequence")
    labels = kind.startswith(("labels", "crossentropy"))
    responses = kind.startswith(("responses", "mse"))
    m = draw(st.sampled_from([
        "none", "empty array", "zero-length sequence", "ragged rows", "object array",
        "wrong channels", "dtype", "non-finite", "None in a sequence", "1-D sequence",
        "1-D X", "X not an array", "huge sequence", "padded array", "free X",
        "missing label", "label not a class", "response width", "text responses",
        "complex targets", "too few targets", "too many targets", "targets not an array",
        "None response", "huge targets", "free targets", "free target entry",
        "validation non-finite", "validation free X", "validation free targets"]))

    def case(X=X, Y=Y, fail=True, fragment=None, validation=None):
        return Case(entry, kind, X, Y, m, fail, fragment, validation)

    if m == "validation non-finite":
        Xv = [x.copy() for x in X]
        Xv[i][t, 0] = np.nan
        return case(validation=(Xv, Y), fragment=f"ValidationData X[{i}]")
    if m == "validation free X":
        return case(validation=(draw(FREE), Y), fail=False, fragment="ValidationData")
    if m == "validation free targets":
        return case(validation=(X, draw(FREE)), fail=False, fragment="ValidationData")

    if m == "none":
        return case(fail=False)
    if m == "padded array" and len(set(lengths)) == 1 and not per_step:
        return case(np.stack(X), fail=False)
    if m == "empty array":
        return case(np.zeros((0, max(lengths), C)), fragment="X")
    if m == "zero-length sequence":
        X[i] = np.zeros((0, C))
        return case(fragment=f"X[{i}]")
    if m == "ragged rows":
        X[i] = _drop(X[i], t)
        return case(fragment=f"X[{i}]")
    if m == "object array":
        obj = np.empty(n, dtype=object)
        obj[:] = X
        obj[i] = draw(BAD_SCALARS)
        return case(obj, fragment=f"X[{i}]")
    if m == "wrong channels":
        X[i] = np.zeros((lengths[i], draw(st.sampled_from([0, 1, 3, 7]))))
        return case(fragment=f"X[{i}]")
    if m == "dtype":
        dt = draw(st.sampled_from([np.int8, np.uint64, np.bool_, np.float16, np.complex64,
                                   np.str_, object]))
        X[i] = X[i].astype(dt)
        bad = np.dtype(dt).kind in "cUO"
        return case(fail=bad, fragment=f"X[{i}]" if bad else None)
    if m == "non-finite":
        X[i][t, draw(st.integers(0, C - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        return case(fragment=f"X[{i}]")
    if m == "None in a sequence":
        rows = X[i].tolist()
        rows[t][0] = None
        X[i] = rows
        return case(fragment=f"X[{i}]")
    if m == "1-D sequence":
        X[i] = X[i][:, 0]
        return case(fragment=f"X[{i}]")
    if m == "1-D X":
        return case(np.concatenate(X)[:, 0], fragment="X")
    if m == "X not an array":
        return case(draw(BAD_SCALARS), fragment="X")
    if m == "huge sequence":  # claims 2**31 steps, costs nothing until someone copies it
        X[i] = np.broadcast_to(np.float32(0), (2 ** 31, C))
        return case(fragment="max_data_values")
    if m == "free X":
        return case(draw(FREE), fail=False, fragment="X")
    # --- mutations of the targets ---------------------------------------------------------
    if m == "missing label" and labels:
        Y = list(Y)
        miss = draw(st.sampled_from([None, np.nan]))
        if per_step:
            Y[i] = np.array(Y[i], dtype=object)
            Y[i][t] = miss
        else:
            Y[i] = miss
        return case(Y=Y, fragment=f"{yname}[{i}]")
    if m == "label not a class" and labels:
        Y = [np.array(y, dtype=object) for y in Y] if per_step else np.array(Y, dtype=object)
        if per_step:
            Y[i][t] = "zzz"
        else:
            Y[i] = "zzz"
        if entry == "trainNetwork":  # Classes are declared: 'zzz' is none of them
            return case(Y=Y, fragment="zzz")
        flat = {str(a) for y in Y for a in np.asarray(y, dtype=object).reshape(-1)}
        three = len(flat) > 2  # trainnet's classes are the labels: wrong only when too many
        return case(Y=Y, fail=three, fragment="3 classes" if three else None)
    if m == "response width" and (responses or kind.startswith("binary")):
        wide = draw(st.sampled_from([0, 3]))
        Y = ([np.zeros((len(y), wide)) for y in Y] if per_step else np.zeros((n, wide)))
        return case(Y=Y, fragment=yname)
    if m == "text responses" and (responses or kind.startswith(("binary", "index"))):
        Y = [np.asarray(y).astype(str) for y in Y] if per_step else np.asarray(Y).astype(str)
        return case(Y=Y, fragment=f"{yname}[0]")
    if m == "complex targets" and not labels:
        Y = [np.asarray(y) + 1j for y in Y] if per_step else np.asarray(Y) + 1j
        return case(Y=Y, fragment=f"{yname}[0]")
    if m == "too few targets":
        return case(Y=Y[:-1], fragment=f"{n} sequences")
    if m == "too many targets":
        return case(Y=[*Y, Y[0]], fragment=f"{n} sequences")
    if m == "targets not an array":
        return case(Y=draw(st.one_of(BAD_SCALARS, st.integers())), fragment=yname)
    if m == "None response" and not labels:
        Y = list(Y)
        if per_step:
            Y[i] = np.array(Y[i], dtype=object)
            Y[i][t, 0] = None
        else:
            Y[i] = None
        return case(Y=Y, fragment=f"{yname}[{i}]")
    if m == "huge targets":
        Y = list(Y)
        Y[i] = np.broadcast_to(np.asarray(Y[i]).reshape(-1)[:1], (2 ** 31 + 1,))
        return case(Y=Y, fragment="max_data_values")
    if m == "free targets":
        return case(Y=draw(FREE), fail=False, fragment=yname)
    if m == "free target entry":
        Y = list(Y)
        Y[i] = draw(FREE)
        return case(Y=Y, fail=False, fragment=yname)
    m = "none (n/a)"  # a mutation that does not apply to this kind: the data is valid
    return case(fail=False)


def run(case: Case):
    """Train on the case: (network, info), or the LayerGraphError it raised."""
    net = network(case.entry, case.kind)
    try:
        options = OPTIONS if case.validation is None else trainingOptions(
            "adam", MaxEpochs=1, MiniBatchSize=4, Verbose=False, ProgressBar=False,
            Shuffle="never", ValidationData=case.validation)
        if case.entry == "trainNetwork":
            return trainNetwork(case.X, case.Y, net, options)
        return trainnet(case.X, case.Y, net, loss_of(case.kind), options)
    except LayerGraphError as exc:
        return exc


def check(case: Case):
    """What must hold for every case (any other exception propagates and fails the test)."""
    got = run(case)
    if not isinstance(got, LayerGraphError):
        assert not case.must_fail, f"{case.mutation}: accepted ({case.kind})"
        net, info = got
        assert len(info.TrainingLoss) >= 1
        return "trained"
    text = str(got)
    assert "\n" not in text.strip() or "problems" in text, text
    if case.fragment:
        assert case.fragment in text, (case.mutation, case.kind, text)
    return type(got).__name__
