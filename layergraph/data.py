"""Turning user data into sequences a network accepts, with errors that name the sequence.

Accepted forms (see DESIGN.md, "Data conventions"):
- one sequence: (T, C) for vector input, (T, H, W, C) for image-sequence input;
- a list of such sequences (lengths may differ);
- one array of several: (N, T, C) or (N, T, H, W, C).
MATLAB's C-by-T layout is accepted only when asked for with ``layout='CT'``.
"""

from __future__ import annotations

import numpy as np

from .errors import DataError


def as_sequences(X, input_layer, layout="TC", name="X"):
    """Validate ``X`` against a sequenceInputLayer; returns (list of float32 arrays, was_single).

    Vector sequences come back (T, C); image sequences (T, C, H, W), the torch layout.
    """
    size = input_layer.InputSize
    image = isinstance(size, tuple)
    per_seq_ndim = 4 if image else 2
    if layout not in ("TC", "CT"):
        raise DataError(f"layout must be 'TC' (time by channels) or 'CT' (MATLAB's channels by "
                        f"time), got {layout!r}")
    single = False
    if isinstance(X, np.ndarray) or hasattr(X, "__array__") and not isinstance(X, (list, tuple)):
        arr = np.asarray(X)
        if arr.dtype == object:
            seqs = list(arr)
        elif arr.ndim == per_seq_ndim:
            seqs, single = [arr], True
        elif arr.ndim == per_seq_ndim + 1:
            seqs = list(arr)
        else:
            want = "(T, H, W, C) or (N, T, H, W, C)" if image else "(T, C) or (N, T, C)"
            raise DataError(f"{name} has shape {arr.shape}; expected {want}, or a list of "
                            f"sequences shaped {'(T, H, W, C)' if image else '(T, C)'}")
    elif isinstance(X, (list, tuple)):
        seqs = list(X)
        if not seqs:
            raise DataError(f"{name} is an empty list; expected at least one sequence")
    else:
        raise DataError(f"{name} must be an array or a list of arrays, got {type(X).__name__}")

    out = []
    for i, s in enumerate(seqs):
        s = np.asarray(s)
        where = f"{name}[{i}]" if not single else name
        if s.dtype.kind not in "biuf":
            raise DataError(f"{where} is not numeric (dtype {s.dtype})")
        if not image and s.ndim == 1 and size == 1:
            s = s[:, None] if layout == "TC" else s[None, :]
        if s.ndim != per_seq_ndim:
            want = "(T, H, W, C)" if image else "(T, C)"
            raise DataError(f"{where} has shape {s.shape}; expected {want}")
        if layout == "CT":
            s = np.moveaxis(s, -1, 0)  # time is last in MATLAB's layout
        if image:
            if tuple(s.shape[1:]) != tuple(size):
                raise DataError(f"{where} has frames of size {s.shape[1:]}, expected "
                                f"{tuple(size)} (InputSize of {input_layer.where})")
            s = np.moveaxis(s, 3, 1)  # (T, H, W, C) -> (T, C, H, W)
        elif s.shape[1] != size:
            raise DataError(f"{where} has {s.shape[1]} channels, expected {size} (InputSize of "
                            f"{input_layer.where}); sequences are (T, C) arrays, time first"
                            + ("; for MATLAB's C-by-T layout pass DataLayout='CT'"
                               if s.shape[0] == size else ""))
        if s.shape[0] == 0:
            raise DataError(f"{where} is empty (0 time steps)")
        if s.shape[0] < input_layer.MinLength:
            raise DataError(f"{where} has {s.shape[0]} time steps, fewer than MinLength "
                            f"{input_layer.MinLength} of {input_layer.where}")
        s = s.astype(np.float32, copy=False)
        if not np.all(np.isfinite(s)):
            t = int(np.argwhere(~np.isfinite(s))[0][0])
            raise DataError(f"{where} contains NaN or Inf (first at time step {t})")
        out.append(s)
    return out, single


def minibatches(n, size, order=None):
    """Index arrays of consecutive mini-batches over ``order`` (default 0..n-1)."""
    order = np.arange(n) if order is None else np.asarray(order)
    return [order[i:i + size] for i in range(0, n, size)]
