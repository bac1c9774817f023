"""Data sets shipped with layergraph.

Japanese Vowels
---------------
:func:`japanese_vowels` loads the UCI "Japanese Vowels" speaker
classification set used by MATLAB's sequence-classification examples
(``japaneseVowelsTrainData`` / ``japaneseVowelsTestData``): nine male
speakers uttering /ae/, each utterance a sequence of 7-29 frames of 12 LPC
cepstrum coefficients; 270 training and 370 test sequences.

The data ship inside the package (``data/japanese_vowels.npz``, about
450 kB); nothing is downloaded.

Source: UCI Machine Learning Repository, "Japanese Vowels",
doi:10.24432/C5NS47 (M. Kudo, J. Toyama, M. Shimbo, Hokkaido University).
Licence: CC BY 4.0.  Please cite:

    M. Kudo, J. Toyama, M. Shimbo, "Multidimensional curve classification
    using passing-through regions", Pattern Recognition Letters 20 (11-13),
    1999, pp. 1103-1111.

Details of the source files and the conversion are in
``data/JAPANESE_VOWELS_LICENSE.txt`` (also returned by
:func:`japanese_vowels_info`).
"""

from __future__ import annotations

import functools
import io
from importlib.resources import files

import numpy as np

__all__ = ["japanese_vowels", "japanese_vowels_info"]

_JV_FILE = "japanese_vowels.npz"
_JV_LICENSE = "JAPANESE_VOWELS_LICENSE.txt"
_JV_SPLITS = ("train", "test")


def _data_file(name: str):
    return files(__name__).joinpath("data", name)


@functools.lru_cache(maxsize=1)
def _jv_arrays() -> dict[str, np.ndarray]:
    # Read the whole file into memory: works for any importlib.resources
    # backend (plain directory, zip import), and closes the file at once.
    raw = _data_file(_JV_FILE).read_bytes()
    with np.load(io.BytesIO(raw), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    for a in arrays.values():
        a.setflags(write=False)  # cached: callers get copies
    return arrays


def japanese_vowels(split: str = "train", dtype=np.float32):
    """Load the Japanese Vowels sequences of one split.

    Parameters
    ----------
    split : {"train", "test"}
        ``"train"``: 270 sequences, 30 per speaker.  ``"test"``: 370
        sequences; per speaker 31, 35, 88, 44, 29, 24, 40, 50, 29.
    dtype : numpy float dtype, default ``np.float32``
        Type of the returned arrays.  The data are stored as float32, which
        holds the source's 6-decimal values exactly; with ``np.float64``
        each value is rounded back to 6 decimals, so it equals the float64
        parse of the original text (e.g. ``1.860936``), as MATLAB's
        double data would.

    Returns
    -------
    X : list of numpy.ndarray
        One array per sequence, shape ``(T, 12)``: time steps by the 12 LPC
        cepstrum coefficients, ``7 <= T <= 29``, in the file's order.
        (MATLAB's ``japaneseVowelsTrainData`` gives the transposes,
        12-by-T.)  Each array is a fresh copy.
    Y : numpy.ndarray of str, shape ``(len(X),)``
        Speaker labels ``'1'`` .. ``'9'`` (the categories of MATLAB's
        categorical ``YTrain``/``YTest``).
    """
    if split not in _JV_SPLITS:
        raise ValueError(
            f"unknown Japanese Vowels split {split!r}; "
            f"allowed values: {', '.join(repr(s) for s in _JV_SPLITS)}"
        )
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating type, got {dtype}")

    a = _jv_arrays()
    x = a[f"{split}_x"].astype(dtype)  # always a new, writable array
    if dtype.itemsize > 4:
        # Undo float32's binary rounding: nearest value to the decimal text.
        np.round(x, int(a["decimals"]), out=x)
    lengths = a[f"{split}_lengths"]
    X = np.split(x, np.cumsum(lengths)[:-1], axis=0)
    Y = a[f"{split}_labels"].astype(str)
    return X, Y


def japanese_vowels_info() -> dict:
    """Source, licence and citation of the Japanese Vowels data.

    Returns a dict with keys ``name``, ``source``, ``doi``, ``url``,
    ``license``, ``license_url``, ``citation``, ``n_channels``,
    ``n_classes``, ``splits`` (split name -> number of sequences) and
    ``notice`` (the full text of ``JAPANESE_VOWELS_LICENSE.txt``).
    """
    return {
        "name": "Japanese Vowels",
        "source": "UCI Machine Learning Repository (M. Kudo, J. Toyama, M. Shimbo), "
        "converted from the copy in sktime 1.2.0",
        "doi": "10.24432/C5NS47",
        "url": "https://archive.ics.uci.edu/ml/datasets/Japanese+Vowels",
        "license": "CC BY 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "citation": (
            'M. Kudo, J. Toyama, M. Shimbo, "Multidimensional curve classification '
            'using passing-through regions", Pattern Recognition Letters 20 (11-13), '
            "1999, pp. 1103-1111."
        ),
        "n_channels": 12,
        "n_classes": 9,
        "splits": {"train": 270, "test": 370},
        "notice": _data_file(_JV_LICENSE).read_text(encoding="utf-8"),
    }
