"""Tests of the bundled Japanese Vowels data (layergraph.datasets).

The literal numbers below were copied from sktime 1.2.0's
JapaneseVowels_TRAIN.ts / JapaneseVowels_TEST.ts text; the tests need
neither sktime nor its wheel.
"""

import numpy as np
import pytest

from layergraph.datasets import japanese_vowels, japanese_vowels_info

TRAIN_COUNTS = [30] * 9
TEST_COUNTS = [31, 35, 88, 44, 29, 24, 40, 50, 29]


@pytest.mark.parametrize(
    "split, n, counts",
    [("train", 270, TRAIN_COUNTS), ("test", 370, TEST_COUNTS)],
)
def test_sizes_shapes_and_class_counts(split, n, counts):
    X, Y = japanese_vowels(split)
    assert isinstance(X, list) and len(X) == n
    assert isinstance(Y, np.ndarray) and Y.shape == (n,)
    for x in X:
        assert isinstance(x, np.ndarray) and x.dtype == np.float32
        assert x.ndim == 2 and x.shape[1] == 12
        assert 7 <= x.shape[0] <= 29
        assert np.isfinite(x).all()
    assert Y.dtype.kind == "U"
    assert sorted(set(Y.tolist())) == [str(k) for k in range(1, 10)]
    assert [int((Y == str(k)).sum()) for k in range(1, 10)] == counts


def test_lengths_range_and_totals():
    Xtr, _ = japanese_vowels("train")
    Xte, _ = japanese_vowels("test")
    ltr = [x.shape[0] for x in Xtr]
    lte = [x.shape[0] for x in Xte]
    assert (min(ltr), max(ltr), sum(ltr)) == (7, 26, 4274)
    assert (min(lte), max(lte), sum(lte)) == (7, 29, 5687)


def test_values_match_ts_text_train():
    X, Y = japanese_vowels("train")
    # First case: 20 frames, speaker 1.  In the .ts line each ':'-separated
    # dimension is one coefficient over time, so frame 0 is the first value
    # of each dimension (also row 1 of UCI's ae.train).
    assert X[0].shape == (20, 12) and Y[0] == "1"
    np.testing.assert_array_equal(
        X[0][0, :4], np.float32([1.860936, -0.207383, 0.261557, -0.214562])
    )
    # Coefficient 1 over the first frames: the start of the first dimension.
    np.testing.assert_array_equal(
        X[0][:3, 0], np.float32([1.860936, 1.891651, 1.939205])
    )
    # Second case, frame 0.
    np.testing.assert_array_equal(
        X[1][0, :5], np.float32([1.303905, 0.067256, 0.59772, -0.271474, -0.236808])
    )
    # A value written in scientific notation ('5.0E-6'): case 163, frame 7,
    # coefficient 11.
    assert Y[163] == "6"
    assert X[163][7, 10] == np.float32(5.0e-6)
    # Last case: 9 frames, speaker 9; last frame ends '...,0.214409,0.173642:9'.
    assert X[-1].shape == (9, 12) and Y[-1] == "9"
    assert X[-1][-1, 0] == np.float32(0.966744)
    np.testing.assert_array_equal(X[-1][-2:, 11], np.float32([0.214409, 0.173642]))


def test_values_match_ts_text_test():
    X, Y = japanese_vowels("test")
    assert X[0].shape == (19, 12)
    np.testing.assert_array_equal(
        X[1][0, :5], np.float32([1.346025, -0.519155, 0.651902, -0.296536, -0.112782])
    )
    assert Y[292] == "8" and X[292][9, 9] == np.float32(-4.0e-6)
    assert X[-1].shape == (11, 12) and Y[-1] == "9"
    np.testing.assert_array_equal(X[-1][-2:, 11], np.float32([0.19286, 0.224688]))


def test_float64_gives_the_decimal_values_exactly():
    X, _ = japanese_vowels("train", dtype=np.float64)
    assert X[0].dtype == np.float64
    # Exact equality with the float64 parse of the text, not just float32's.
    assert X[0][0, 0] == 1.860936
    assert X[0][2, 0] == 1.939205
    assert X[163][7, 10] == 5.0e-6
    X32, _ = japanese_vowels("train")
    for a, b in zip(X, X32):
        np.testing.assert_array_equal(a.astype(np.float32), b)


def test_returned_arrays_are_independent_copies():
    X, Y = japanese_vowels("train")
    X[0][0, 0] = 123.0
    Y[0] = "9"
    X2, Y2 = japanese_vowels("train")
    assert X2[0][0, 0] == np.float32(1.860936) and Y2[0] == "1"


@pytest.mark.parametrize("bad", ["training", "Train", "validation", ""])
def test_bad_split_names_allowed_values(bad):
    with pytest.raises(ValueError, match=r"'train', 'test'"):
        japanese_vowels(bad)


def test_bad_dtype():
    with pytest.raises(TypeError):
        japanese_vowels("train", dtype=np.int32)


def test_info_has_citation_and_licence():
    info = japanese_vowels_info()
    assert info["license"] == "CC BY 4.0"
    assert "Kudo" in info["citation"] and "1103-1111" in info["citation"]
    assert info["splits"] == {"train": 270, "test": 370}
    assert "CC BY 4.0" in info["notice"] and "sktime" in info["notice"]
