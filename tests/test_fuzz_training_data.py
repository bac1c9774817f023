"""Property-based: training data, generated and mutated, either trains a tiny network (MaxEpochs
1) or is refused with layergraph's own error naming the place -- never another exception, never
garbage accepted, never an allocation the data only claims (broadcast views of 2**31 steps).

Seeded (``derandomize``) and bounded; ``tools/fuzz_entry_points.py`` runs the same strategies
(``data_mutations.py``) for longer with fresh seeds.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")

from data_mutations import LEGACY, MODERN, Case, cases, check, run  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

from layergraph import DataError  # noqa: E402
from layergraph.limits import raised  # noqa: E402

SCALE = int(os.environ.get("LAYERGRAPH_FUZZ_SCALE", "1"))


def budget(examples):
    return settings(derandomize=SCALE == 1, deadline=None, database=None, print_blob=True,
                    suppress_health_check=list(HealthCheck), max_examples=examples * SCALE)


@budget(250)
@given(cases("trainNetwork"))
def test_trainNetwork_trains_or_names_the_place(case):
    hypothesis.event(f"{case.mutation}: {check(case)}")


@budget(250)
@given(cases("trainnet"))
def test_trainnet_trains_or_names_the_place(case):
    hypothesis.event(f"{case.mutation}: {check(case)}")


@pytest.mark.parametrize("entry, kind", [("trainNetwork", k) for k in LEGACY]
                         + [("trainnet", k) for k in MODERN])
def test_the_unmutated_data_of_every_kind_trains(entry, kind):
    from data_mutations import C, valid_targets

    rng = np.random.default_rng(0)
    lengths = [2, 3, 4]
    X = [rng.standard_normal((t, C)) for t in lengths]
    got = run(Case(entry, kind, X, valid_targets(entry, kind, lengths, rng), "none"))
    assert isinstance(got, tuple), got


def test_a_claimed_length_is_refused_by_the_data_limit_before_allocation():
    X = [np.zeros((3, 2)), np.broadcast_to(np.float32(1), (2 ** 40, 2))]  # 8 TiB, if copied
    with pytest.raises(DataError, match=r"X \(up to X\[1\].*max_data_values") as exc:
        raise run(Case("trainNetwork", "responses-last", X, np.zeros((2, 1)), "huge"))
    assert exc.value.limit == "max_data_values"
    assert "layergraph.limits.raised(max_data_values=...)" in str(exc.value)


def test_the_data_limit_can_be_lowered_and_counts_every_sequence():
    X = [np.zeros((4, 2))] * 3  # 24 values
    with raised(max_data_values=20):
        got = run(Case("trainNetwork", "responses-last", X, np.zeros((3, 1)), "n"))
    assert isinstance(got, DataError) and "X (up to X[2]" in str(got) and "24 values" in str(got)
    with raised(max_data_values=24):
        assert isinstance(run(Case("trainNetwork", "responses-last", X, np.zeros((3, 1)), "n")),
                          tuple)


def test_a_padded_mini_batch_beyond_the_limit_is_refused_before_it_is_allocated():
    from layergraph.sequences import pad_sequences

    seqs = [np.zeros((3, 2)), np.broadcast_to(np.float32(0), (2 ** 31, 2))]
    with pytest.raises(DataError, match="a padded mini-batch of 2 sequences of "
                                        "2,147,483,648 time steps.*max_data_values"):
        pad_sequences(seqs)
    with raised(max_data_values=2 * 6 * 2 - 1):
        with pytest.raises(DataError, match="24 values"):
            pad_sequences([np.zeros((3, 2)), np.zeros((6, 2))])
    assert pad_sequences([np.zeros((3, 2)), np.zeros((6, 2))])[0].shape == (2, 6, 2)


def _trained_classifier():
    from data_mutations import C, network, valid_targets

    rng = np.random.default_rng(0)
    X = [rng.standard_normal((t, C)) for t in (2, 3, 4)]
    net, _ = run(Case("trainNetwork", "labels-last", X,
                      valid_targets("trainNetwork", "labels-last", [2, 3, 4], rng), "none"))
    return net, network


@pytest.mark.parametrize("call, error, fragment", [
    (lambda net, layers: __import__("layergraph").classify(3, [np.zeros((2, 2))]),
     "NetworkError", "classify: expects a network"),
    (lambda net, layers: __import__("layergraph").predict(layers, [np.zeros((2, 2))]),
     "NetworkError", "assemble the layers first"),
    (lambda net, layers: __import__("layergraph").predictAndUpdateState("net.pt", np.zeros((2, 2))),
     "NetworkError", "got str"),
    (lambda net, layers: __import__("layergraph").predict(
        net, np.ma.masked_array(np.zeros((2, 3, 2)), mask=True)), "DataError", "masked"),
    (lambda net, layers: __import__("layergraph").predict(
        net, np.broadcast_to(np.float32(0), (2 ** 20, 2 ** 12, 2))), "DataError",
     "X (shaped (1048576, 4096, 2)): 8,589,934,592 values"),
    (lambda net, layers: __import__("layergraph").scores2label("abc", ["a", "b"]),
     "DataError", "scores must be numbers"),
])
def test_hand_picked_hostile_calls_name_the_place(call, error, fragment):
    net, network = _trained_classifier()
    with pytest.raises(Exception) as exc:
        call(net, network("trainNetwork", "labels-last"))
    assert type(exc.value).__name__ == error and fragment in str(exc.value), exc.value


def test_targets_given_as_a_tensor_are_read_as_the_array_they_hold():
    import torch
    from data_mutations import C

    rng = np.random.default_rng(0)
    X = [rng.standard_normal((t, C)) for t in (2, 3, 4)]
    got = run(Case("trainNetwork", "responses-last", X, torch.zeros(3, 1), "tensor"))
    assert isinstance(got, tuple), got
