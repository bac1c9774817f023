"""The UEA "BasicMotions" smart-watch recordings, as shipped with layergraph, and the long
activity sequences made from them for sequence-to-sequence examples.

BasicMotions (UEA multivariate archive; Bagnall et al. 2018): four people wore a smart watch while
standing, walking, running and playing badminton. Each recording is 10 s at 10 Hz of a 3-D
accelerometer and a 3-D gyroscope: 100 time steps by 6 channels; 40 training and 40 test
recordings, 10 per activity. Shipped as ``data/basic_motions.npz`` (136 kB), converted by
``tools/convert_basic_motions.py`` from the copy inside aeon's wheel; nothing is downloaded.
The creators state no licence and ask for a citation; see ``data/BASIC_MOTIONS_LICENSE.txt``
(also :func:`basic_motions_info`).

The recordings are short and hold one activity each. :func:`basic_motions_sequences` makes
sequences in which the activity changes, for per-time-step labels: each sequence is several
*real recordings of random activities placed end to end*, every step labelled with its
recording's activity. The construction is ours (the joins are not real transitions); test
sequences are made from test recordings only.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError
from .files import notice, shipped_arrays

__all__ = ["basic_motions", "basic_motions_info", "basic_motions_regression",
           "basic_motions_sequences"]

_FILE = "basic_motions.npz"
_LICENSE = "BASIC_MOTIONS_LICENSE.txt"
SPLITS = ("train", "test")
"""The splits of the source: 40 recordings each."""
ACCELEROMETER, GYROSCOPE = (0, 1, 2), (3, 4, 5)
"""Channel indices of the two sensors (an inference from the data: the source does not name its
channels; see the licence file)."""
DEFAULT_SEEDS = {"train": 0, "test": 1}
"""The seed of each split's random order when none is given."""




def _check_split(split, where):
    if split not in SPLITS:
        raise DataError(f"unknown BasicMotions split {split!r}", owner=where,
                        expected=", ".join(repr(s) for s in SPLITS),
                        hint="(allowed: " + ", ".join(repr(s) for s in SPLITS) + ")")


def _float_dtype(dtype):
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind != "f":
        raise DataError(f"dtype must be a floating type, got {dtype}", owner="basic_motions",
                        expected="a numpy float dtype such as np.float32")
    return dtype


def basic_motions(split: str = "train", dtype=np.float32):
    """The 40 recordings of one split, as a sequence-to-label data set.

    Returns ``X``, a list of 40 fresh arrays (100, 6) -- time steps by channels (accelerometer
    x, y, z, then gyroscope x, y, z, by our reading of the data) -- and ``Y``, a (40,) array of
    activity names ('Standing', 'Running', 'Walking', 'Badminton'), in the file's order.
    ``np.float64`` gives each value exactly as parsing the source text would.
    """
    _check_split(split, "basic_motions")
    dtype = _float_dtype(dtype)
    a = shipped_arrays(_FILE)
    x = (a[f"{split}_micro"].astype(np.float64) / 1e6).astype(dtype)
    return list(x), a["classes"][a[f"{split}_labels"]].astype(str)


def basic_motions_sequences(split: str = "train", recordings_per_sequence: int = 10,
                            passes: int = 1, seed: int | None = None, dtype=np.float32):
    """Long sequences with a label per time step, made by joining real recordings of ``split``.

    Each pass puts the split's 40 recordings in a random order (``seed``) and cuts that order into
    groups of ``recordings_per_sequence`` (the last group of a pass is shorter when that does not
    divide 40); each group, placed end to end, is one sequence. So
    every recording appears ``passes`` times, the activities change at random along a sequence,
    and the defaults give 4 sequences of 1000 steps. ``seed`` None is 0 for 'train' and 1 for
    'test' (the orders the ported examples use). Returns ``X``, a list of (T, 6) arrays,
    and ``Y``, a list of (T,) arrays of activity names (the label of every step).
    """
    _check_split(split, "basic_motions_sequences")
    for name, value, top in (("recordings_per_sequence", recordings_per_sequence, 40),
                             ("passes", passes, 100)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) \
                or not 1 <= value <= top:
            raise DataError(f"{name} must be an integer from 1 to {top}, got {value!r}",
                            owner="basic_motions_sequences", expected=f"an integer 1..{top}")
    X, Y = basic_motions(split, dtype)
    rng = np.random.default_rng(DEFAULT_SEEDS[split] if seed is None else seed)
    seqs, labels = [], []
    for _ in range(passes):
        order = rng.permutation(len(X))
        for start in range(0, len(order), recordings_per_sequence):
            group = order[start:start + recordings_per_sequence]
            seqs.append(np.concatenate([X[i] for i in group]))
            labels.append(np.concatenate([np.repeat(Y[i], len(X[i])) for i in group]))
    return seqs, labels


def basic_motions_regression(split: str = "train", recordings_per_sequence: int = 10,
                             passes: int = 1, seed: int | None = None, dtype=np.float32):
    """The sequences of :func:`basic_motions_sequences` as per-step regression: ``X`` the
    accelerometer's 3 channels, ``Y`` the gyroscope's 3 at the same steps (lists of (T, 3))."""
    S, _ = basic_motions_sequences(split, recordings_per_sequence, passes, seed, dtype)
    acc, gyro = list(ACCELEROMETER), list(GYROSCOPE)
    return [s[:, acc] for s in S], [s[:, gyro] for s in S]


def basic_motions_info() -> dict:
    """Source, terms and citation of the BasicMotions data.

    Keys: ``name``, ``source``, ``url``, ``license``, ``citation``, ``classes``, ``channels``,
    ``n_time_steps``, ``splits`` (name -> number of recordings), ``notice`` (the full text of
    ``BASIC_MOTIONS_LICENSE.txt``).
    """
    a = shipped_arrays(_FILE)
    return {
        "name": "BasicMotions (UEA multivariate time series classification archive)",
        "source": "University of East Anglia student project, converted from the copy in "
        "aeon 1.6.0 (aeon/datasets/data/BasicMotions)",
        "url": "http://timeseriesclassification.com/description.php?Dataset=BasicMotions",
        "license": "none stated by the creators (cite the archive); redistributed in aeon and "
        "sktime (BSD-3-Clause)",
        "citation": (
            'A. Bagnall, H. A. Dau, J. Lines, M. Flynn, J. Large, A. Bostrom, P. Southam, '
            'E. Keogh, "The UEA multivariate time series classification archive, 2018", '
            "arXiv:1811.00075, 2018."
        ),
        "classes": [str(c) for c in a["classes"]],
        "channels": ["accel_x", "accel_y", "accel_z", "gyro_x", "gyro_y", "gyro_z"],
        "n_time_steps": int(a["train_micro"].shape[1]),
        "splits": {s: int(a[f"{s}_micro"].shape[0]) for s in SPLITS},
        "notice": notice(_LICENSE),
    }
