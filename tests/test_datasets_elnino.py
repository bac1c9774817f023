"""The El Nino sea surface temperatures shipped in layergraph.datasets (tools/convert_elnino.py).

The literal values are the first and last rows of statsmodels 0.15.0's
statsmodels/datasets/elnino/src/elnino.dat; the test needs neither statsmodels nor its wheel.
"""

import numpy as np
import pytest

from layergraph.datasets import elnino, elnino_info


def test_elnino_data_shipped():
    X, dates = elnino(return_dates=True)
    assert X.shape == (732, 4) and X.dtype == np.float32
    assert str(dates[0]) == "1950-01" and str(dates[-1]) == "2010-12"
    assert np.all(np.diff(dates).astype(int) == 1)
    np.testing.assert_array_equal(elnino(np.float64)[0], [23.11, 23.74, 27.03, 24.83])
    np.testing.assert_array_equal(elnino(np.float64)[-1], [22.07, 24.00, 27.54, 25.29])
    info = elnino_info()
    assert info["channels"] == ["NINO1+2", "NINO3", "NINO4", "NINO3.4"]
    assert "public domain" in info["notice"].lower()
    X[0, 0] = -1.0
    assert elnino()[0, 0] == pytest.approx(23.11)  # callers get copies


def test_elnino_dtype():
    assert elnino(np.float64).dtype == np.float64
    with pytest.raises(TypeError):
        elnino(np.int32)


def test_converter_reproduces_the_shipped_file():
    """With statsmodels installed, tools/convert_elnino.py gives the shipped archive's bytes."""
    import importlib.util
    from pathlib import Path

    if importlib.util.find_spec("statsmodels") is None:
        pytest.skip("statsmodels is not installed (the converter reads its data files)")
    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("convert_elnino", root / "tools" / "convert_elnino.py")
    conv = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conv)
    data = conv.savez_deterministic(conv.convert(conv.read_sources(None)))
    assert data == (root / "layergraph" / "datasets" / "data" / "elnino.npz").read_bytes()
