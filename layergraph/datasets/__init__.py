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

El Nino sea surface temperatures
--------------------------------
:func:`elnino` loads NOAA's monthly mean sea surface temperatures (degrees
Celsius) of four equatorial Pacific regions (Nino 1+2, 3, 4, 3.4), January
1950 to December 2010: one multivariate series of 732 months by 4 channels,
used by ``examples/elnino_forecasting.py`` (MATLAB's "Time Series
Forecasting Using Deep Learning").  Shipped as ``data/elnino.npz`` (5 kB),
converted by ``tools/convert_elnino.py`` from the copy in statsmodels
(``statsmodels.datasets.elnino``).  Public domain (a work of the U.S.
government); source and citation in ``data/ELNINO_LICENSE.txt`` (also
returned by :func:`elnino_info`).

Handwritten digits
------------------
:func:`digits` loads the 8x8 handwritten digits (UCI, CC BY 4.0; the copy in scikit-learn)
and :func:`digit_videos` short sequences of them labelled by the digit seen most, for the
video classification example; see :mod:`layergraph.datasets.digits`.
"""

from __future__ import annotations

import numpy as np

from .basic_motions import (
    basic_motions,
    basic_motions_info,
    basic_motions_regression,
    basic_motions_sequences,
)
from .digits import digit_videos, digits, digits_info
from .files import notice, shipped_arrays

__all__ = ["basic_motions", "basic_motions_info", "basic_motions_regression",
           "basic_motions_sequences", "digit_videos", "digits", "digits_info",
           "elnino", "elnino_info", "japanese_vowels", "japanese_vowels_info"]

_JV_FILE = "japanese_vowels.npz"
_JV_LICENSE = "JAPANESE_VOWELS_LICENSE.txt"
_JV_SPLITS = ("train", "test")




def _jv_arrays() -> dict[str, np.ndarray]:
    return shipped_arrays(_JV_FILE)


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
        "notice": notice(_JV_LICENSE),
    }


# --- El Nino sea surface temperatures ----------------------------------------------------------

_EN_FILE = "elnino.npz"
_EN_LICENSE = "ELNINO_LICENSE.txt"


def _en_arrays() -> dict[str, np.ndarray]:
    return shipped_arrays(_EN_FILE)


def elnino(dtype=np.float32, return_dates: bool = False):
    """Load the monthly El Nino sea surface temperatures: one series, 732 months by 4 regions.

    Parameters
    ----------
    dtype : numpy float dtype, default ``np.float32``
        Type of the returned array.  The source has two decimals; the values
        are the nearest ``dtype`` numbers to them (``np.float64`` gives what
        parsing the text file as double would).
    return_dates : bool, default False
        Also return the month of each row.

    Returns
    -------
    X : numpy.ndarray, shape ``(732, 4)``
        Time steps (months 1950-01 .. 2010-12, in order) by channels
        NINO1+2, NINO3, NINO4, NINO3.4, in degrees Celsius.  A fresh copy.
    dates : numpy.ndarray of ``datetime64[M]``, shape ``(732,)``
        Only with ``return_dates=True``.
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating type, got {dtype}")
    a = _en_arrays()
    X = (a["sst_centi"].astype(np.float64) / 100).astype(dtype)
    if not return_dates:
        return X
    months = (a["year"].astype(np.int64) - 1970) * 12 + a["month"].astype(np.int64) - 1
    return X, months.astype("datetime64[M]")


def elnino_info() -> dict:
    """Source, terms and citation of the El Nino data.

    Returns a dict with keys ``name``, ``source``, ``url``, ``license``,
    ``citation``, ``channels``, ``n_time_steps``, ``start``, ``end`` and
    ``notice`` (the full text of ``ELNINO_LICENSE.txt``).
    """
    a = _en_arrays()
    return {
        "name": "El Nino sea surface temperatures (ERSST.v3b Nino indices, monthly)",
        "source": "NOAA Climate Prediction Center, converted from the copy in statsmodels 0.15.0 "
        "(statsmodels.datasets.elnino)",
        "url": "http://www.cpc.ncep.noaa.gov/data/indices/",
        "license": "public domain (work of the U.S. government, NOAA)",
        "citation": (
            "NOAA Climate Prediction Center, monthly ERSST.v3b Nino region sea surface "
            "temperature indices; T. M. Smith, R. W. Reynolds, T. C. Peterson, J. Lawrimore, "
            "Journal of Climate 21 (10), 2008, pp. 2283-2296."
        ),
        "channels": [str(c) for c in a["channels"]],
        "n_time_steps": int(a["sst_centi"].shape[0]),
        "start": f"{int(a['year'][0])}-{int(a['month'][0]):02d}",
        "end": f"{int(a['year'][-1])}-{int(a['month'][-1]):02d}",
        "notice": notice(_EN_LICENSE),
    }
