"""Feature and image data: observations without a time dimension, for networks that start with
a featureInputLayer (format CB) or an imageInputLayer (SSCB).

Accepted forms, as MATLAB stores them unless the dimension order is given (InputDataFormats):
- features: an (N, numFeatures) array, MATLAB's N-by-numFeatures ('BC'), or a list of N rows;
  'CB' is the transpose; a 1-D array of N values for featureInputLayer(1);
- images: an (h, w, c, N) array, MATLAB's h-by-w-by-c-by-N ('SSCB'), or one (h, w, c) image;
  'BSSC' is (N, h, w, c), the NumPy habit; any order of the letters S, S, C, B is read the same
  way (the first S is the height).
The observations are kept in the torch layout of their format: (N, C) or (N, C, h, w).
"""

from __future__ import annotations

import numpy as np
import torch

from .errors import DataError

DEFAULT_FORMATS = {"CB": "BC", "SSCB": "SSCB"}
"""The dimension order assumed for 'auto', per input format (MATLAB's storage)."""


class Observations:
    """N observations in torch layout, float32; indexable and iterable by observation."""

    def __init__(self, data: np.ndarray):
        self.data = data

    def __len__(self):
        return self.data.shape[0]

    def __iter__(self):
        return iter(self.data)

    def __getitem__(self, i):
        return self.data[i]

    def raw(self) -> np.ndarray:
        """The observations in MATLAB's element layout, (N, C) or (N, h, w, c): what the input
        layer's normalization statistics are computed over."""
        return self.data if self.data.ndim == 2 else np.moveaxis(self.data, 1, -1)

    def tensor(self, idx, device=None) -> torch.Tensor:
        """The observations ``idx`` as one mini-batch tensor."""
        return torch.as_tensor(self.data[np.asarray(idx)], device=device)


def output_order(data: np.ndarray, fmt: str) -> np.ndarray:
    """Outputs as they are returned: image outputs (SSCB, torch's (N, C, h, w)) as (N, h, w, c),
    observations first and then MATLAB's element layout; others as they are."""
    return np.moveaxis(data, 1, -1) if fmt == "SSCB" else data


def takes_observations(input_layer) -> bool:
    """True for an input layer whose data has no time dimension (feature or image input)."""
    return not input_layer.output_activation().is_sequence


def as_observations(X, input_layer, fmt="auto", name="X") -> tuple[Observations, bool]:
    """Validate ``X`` against a featureInputLayer or imageInputLayer; returns (observations,
    was_single), ``was_single`` True for one image given without its batch dimension."""
    act = input_layer.output_activation()
    image = act.fmt == "SSCB"
    element = tuple(input_layer.raw_element)  # (C,) or (h, w, c)
    want = "(h, w, c, N) (MATLAB's h-by-w-by-c-by-N)" if image else "(N, numFeatures)"
    try:  # a list of observations (rows of features, images) reads as one array
        arr = np.asarray(X)
    except (ValueError, TypeError):
        raise DataError(f"{name} cannot be read as one array: its observations differ in "
                        f"shape; {input_layer.where} takes a numeric array {want}",
                        expected=want) from None
    if arr.dtype.kind not in "biuf":
        raise DataError(f"{name} is not numeric (dtype {arr.dtype}); {input_layer.where} takes "
                        f"a numeric array {want}", expected=want)
    fmt = DEFAULT_FORMATS[act.fmt] if fmt in (None, "auto") else str(fmt).upper()
    letters = "SSCB" if image else "BC"
    if sorted(fmt.replace("B", "")) != sorted(letters.replace("B", "")) or \
            fmt.count("B") > 1 or set(fmt) - set(letters):
        raise DataError(f"{name}: InputDataFormats '{fmt}' does not describe "
                        f"{'image' if image else 'feature'} data for {input_layer.where}; "
                        f"use '{DEFAULT_FORMATS[act.fmt]}' (the default) or another order of "
                        f"the letters {', '.join(sorted(set(letters)))}",
                        expected=f"an order of {letters}")
    single = False
    if not image and arr.ndim == 1 and element[0] == 1 and "B" in fmt:
        arr = arr[:, None] if fmt == "BC" else arr[None, :]
    if image and fmt == "SSCB" and arr.ndim == 3:  # MATLAB's one image, h-by-w-by-c
        fmt = "SSC"
    if "B" not in fmt and arr.ndim == len(fmt):  # one observation without its batch dimension
        arr, fmt, single = arr[..., None], fmt + "B", True
    if arr.ndim != len(fmt):
        raise DataError(f"{name} has shape {arr.shape}; expected {want} for {input_layer.where}"
                        + ("" if image else "; one observation is a row: X.reshape(1, -1)"),
                        expected=want)
    s = [i for i, c in enumerate(fmt) if c == "S"]
    order = [fmt.index("B"), fmt.index("C"), *s]  # -> torch layout (N, C, h, w)
    arr = np.transpose(arr, order)
    got = (*arr.shape[2:], arr.shape[1])  # MATLAB's (h, w, c) or (C,)
    if got != element:
        what = "images of size " + "x".join(map(str, got)) if image else f"{got[0]} features"
        expect = "x".join(map(str, element)) if image else f"{element[0]}"
        hint = ""
        if not image and arr.shape[0] == element[0]:
            hint = "; for numFeatures-by-N data pass InputDataFormats='CB'"
        elif image and tuple(np.shape(X)[1:]) == element:
            hint = "; for (N, h, w, c) data pass InputDataFormats='BSSC'"
        raise DataError(f"{name} holds {what}, expected {expect} (InputSize of "
                        f"{input_layer.where}){hint}", expected=want)
    if arr.shape[0] == 0:
        raise DataError(f"{name} holds no observations (shape {np.shape(X)})", expected=want)
    if arr.dtype.itemsize > 4 or arr.dtype.kind in "iu":
        with np.errstate(invalid="ignore"):
            big = np.abs(arr.astype(np.float64, copy=False)) > np.finfo(np.float32).max
        if big.any():
            raise DataError(f"{name} has values beyond float32's range (first in observation "
                            f"{int(np.argwhere(big)[0][0])}); networks compute in float32: "
                            "rescale the data")
    out = np.ascontiguousarray(arr, dtype=np.float32)
    bad = ~np.isfinite(out)
    if bad.any():
        raise DataError(f"{name} contains NaN or Inf (first in observation "
                        f"{int(np.argwhere(bad)[0][0])})")
    return Observations(out), single
