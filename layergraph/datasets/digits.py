"""Handwritten 8x8 digits, and short "videos" of them whose label depends on several frames.

:func:`digits` loads the 1797 images of the UCI "Optical Recognition of Handwritten Digits" set
(the copy scikit-learn ships; CC BY 4.0, see ``data/DIGITS_LICENSE.txt``), split once into 1201
training and 596 test images. :func:`digit_videos` arranges them into image sequences for the
video classification example (``examples/digit_video_classification.py``):

- a sequence has T frames, T drawn uniformly from ``min_length..max_length`` (3..6);
- its label is a digit d drawn uniformly from 0..9; d is shown on exactly two frames, and each
  other frame shows a different digit (all distinct, none equal to d), at random positions;
- so the label is the digit that appears most often (twice, every other digit at most once).

No single frame tells the label: a perfect reader of one frame (say the last) is right only when
that frame shows d, on average 2/T = 47.5% of the time over T = 3..6; chance is 10%. A network
must read every frame and remember which digits it has seen. Each frame's image is drawn at
random from the split's images of its digit, so test sequences show only test images.
"""

from __future__ import annotations

import numpy as np

from ..errors import DataError
from .files import notice, shipped_arrays

__all__ = ["digit_videos", "digits", "digits_info"]

_FILE = "digits.npz"
_LICENSE = "DIGITS_LICENSE.txt"
_SPLITS = ("train", "test")
DEFAULT_SIZES = {"train": 2000, "test": 500}
"""Number of sequences of each split by default."""
DEFAULT_SEEDS = {"train": 1, "test": 2}
"""Seed of each split's sequences by default: the data set is the same on every call, whatever
the training's seed."""
PIXEL_MAX = 16




def _check_split(split, owner):
    if split not in _SPLITS:
        raise DataError(f"unknown split {split!r}", owner=owner,
                        expected=" or ".join(repr(s) for s in _SPLITS))


def _float_dtype(dtype, owner):
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise DataError(f"dtype must be a floating type, got {dtype}", owner=owner,
                        expected="a numpy float dtype such as np.float32")
    return dtype


def digits(split: str = "train", dtype=np.float32):
    """The images of one split: ``(images, labels)``.

    ``images`` has shape ``(N, 8, 8)``, pixel counts 0..16 divided by 16 (so values in [0, 1]);
    ``labels`` is ``(N,)`` int64, the digits 0..9. ``"train"``: 1201 images, ``"test"``: 596.
    """
    owner = "digits"
    _check_split(split, owner)
    dtype = _float_dtype(dtype, owner)
    a = shipped_arrays(_FILE)
    keep = a["test"] if split == "test" else ~a["test"]
    images = a["images"][keep].astype(dtype) / dtype.type(PIXEL_MAX)
    return images, a["labels"][keep].astype(np.int64)


def digit_videos(split: str = "train", n: int | None = None, *, seed: int | None = None,
                 min_length: int = 3, max_length: int = 6, return_digits: bool = False,
                 dtype=np.float32):
    """Image sequences of one split labelled by the digit that appears most (see the module).

    Parameters
    ----------
    split : {"train", "test"}
        Which images the frames show.
    n : int, optional
        Number of sequences (default 2000 for train, 500 for test).
    seed : int, optional
        Seed of the arrangement (default: fixed per split, 1 for train, 2 for test).
    min_length, max_length : int
        Range of the number of frames, ``3 <= min_length <= max_length <= 11`` (two frames show
        the label, each other frame one of the nine other digits).
    return_digits : bool
        Also return the digit each frame shows.

    Returns
    -------
    X : list of numpy.ndarray, each ``(T, 8, 8, 1)``: time, height, width, channel.
    Y : numpy.ndarray of str, ``(n,)``: the labels ``'0'`` .. ``'9'``.
    D : list of int arrays ``(T,)`` (only with ``return_digits``).
    """
    owner = "digit_videos"
    _check_split(split, owner)
    dtype = _float_dtype(dtype, owner)
    n = DEFAULT_SIZES[split] if n is None else n
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise DataError(f"n must be a positive integer, got {n!r}", owner=owner,
                        expected="a positive integer")
    if not (isinstance(min_length, (int, np.integer)) and isinstance(max_length, (int, np.integer))
            and 3 <= min_length <= max_length <= 11):
        raise DataError(f"lengths must satisfy 3 <= min_length <= max_length <= 11, got "
                        f"{min_length!r}..{max_length!r}", owner=owner,
                        expected="integers 3 <= min_length <= max_length <= 11")
    images, labels = digits(split, dtype)
    by_digit = [np.flatnonzero(labels == d) for d in range(10)]
    rng = np.random.default_rng(DEFAULT_SEEDS[split] if seed is None else seed)
    X, Y, D = [], [], []
    for _ in range(int(n)):
        T = int(rng.integers(min_length, max_length + 1))
        d = int(rng.integers(10))
        others = rng.permutation([k for k in range(10) if k != d])[:T - 2]
        shown = rng.permutation(np.concatenate([[d, d], others]).astype(np.int64))
        frames = [images[by_digit[k][rng.integers(len(by_digit[k]))]] for k in shown]
        X.append(np.stack(frames)[..., None])
        Y.append(str(d))
        D.append(shown)
    Y = np.array(Y)
    return (X, Y, D) if return_digits else (X, Y)


def digits_info() -> dict:
    """Source, licence and citation of the digits; ``notice`` is ``DIGITS_LICENSE.txt``."""
    a = shipped_arrays(_FILE)
    return {
        "name": "Optical Recognition of Handwritten Digits (8x8)",
        "source": "UCI Machine Learning Repository (E. Alpaydin, C. Kaynak), converted from the "
        "copy in scikit-learn 1.9.1 (sklearn/datasets/data/digits.csv.gz)",
        "doi": "10.24432/C50P49",
        "url": "https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits",
        "license": "CC BY 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "citation": 'E. Alpaydin, C. Kaynak, "Optical Recognition of Handwritten Digits", UCI '
        "Machine Learning Repository, 1998, doi:10.24432/C50P49.",
        "n_classes": 10,
        "splits": {"train": int((~a["test"]).sum()), "test": int(a["test"].sum())},
        "notice": notice(_LICENSE),
    }
