"""Dimension orders (InputDataFormats, TargetDataFormats) of sequence data, turned into
layergraph's layout: a list of (T, C) sequences or an (N, T, C) array.

Feature and image data have their own orders (observations.py)."""

from __future__ import annotations

import numpy as np

from .errors import DataError, OptionError


def formatted(X, fmt, name="X", option="InputDataFormats"):
    """Sequences given in ``fmt`` (InputDataFormats, or TargetDataFormats for per-step
    targets) as layergraph's layout, with the layout of each list element: a list of (T, C)
    sequences or an (N, T, C) array. 'auto' (and 'TC' / 'BTC') is that layout already."""
    if fmt in ("auto", "TC", "BTC"):
        return X, "TC"
    if fmt == "CT":
        return X, "CT"
    if isinstance(X, (list, tuple)):
        inner = fmt.replace("B", "")
        if inner in ("TC", "CT"):
            return X, inner
        raise DataError(f"{name}: {option} '{fmt}' does not describe a list of "
                        "sequences; use 'TC' (time by channel) or 'CT'")
    arr = np.asarray(X)
    if sorted(fmt) != ["B", "C", "T"] or arr.ndim != 3:
        raise DataError(f"{name}: {option} '{fmt}' needs a 3-D array with dimensions "
                        f"B, T and C; got an array of shape {arr.shape}")
    return np.transpose(arr, [fmt.index(d) for d in "BTC"]), "TC"


def single_format(fmt, option="InputDataFormats"):
    """The one format of a network with one input (or output): ``fmt``, or the only entry of
    a list of formats."""
    if not isinstance(fmt, (list, tuple)):
        return fmt
    if len(fmt) == 1:
        return fmt[0]
    raise OptionError(f"{option} gives {len(fmt)} formats but the network has one "
                      f"{'input' if option == 'InputDataFormats' else 'output'}",
                      option=option, part="value", expected="one format")


def targets_formatted(T, fmt, name="T"):
    """Targets given in TargetDataFormats as layergraph's layout: one value or vector per
    observation ('BC', or 'CB' transposed), or per-step targets as the predictors are
    (layouts.formatted: lists of 'TC' / 'CT' sequences, arrays in any order of B, T and C)."""
    fmt = single_format(fmt, "TargetDataFormats")
    if fmt in ("auto", "BC"):
        return T
    if fmt == "CB":
        try:
            return np.asarray(T).T
        except (ValueError, TypeError):
            raise DataError(f"{name}: TargetDataFormats 'CB' needs one array, channels by "
                            "observations; its columns differ in length") from None
    T, layout = formatted(T, fmt, name, "TargetDataFormats")
    return [np.asarray(t).T for t in T] if layout == "CT" else T
