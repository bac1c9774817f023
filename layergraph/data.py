"""Turning user data into sequences a network accepts, with errors that name the sequence.

Accepted forms (see DESIGN.md, "Data conventions"):
- one sequence: (T, C) for vector input, (T, H, W, C) for image-sequence input;
- a list of such sequences (lengths may differ);
- one array of several: (N, T, C) or (N, T, H, W, C).
MATLAB's C-by-T layout is accepted only when asked for with ``layout='CT'``.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np

from .errors import DataError
from .limits import LIMITS


def check_data_size(values: int, what: str):
    """Refuse data (or a padded batch) of more than LIMITS.max_data_values values, before it is
    converted or allocated: a broadcast view or a claimed length can be far larger than memory."""
    if values > LIMITS.max_data_values:
        raise DataError(LIMITS.exceeded("max_data_values", f"{values:,} values", what,
                                        "the data"),
                        limit="max_data_values")


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
    if isinstance(X, np.ma.MaskedArray) and np.ma.is_masked(X):
        raise DataError(f"{name} is a masked array with masked values; a network reads every "
                        "value: fill them first (X.filled(value)) or give the sequences their "
                        "own lengths (a list of (T, C) arrays)")
    if isinstance(X, np.ndarray) or hasattr(X, "__array__") and not isinstance(X, (list, tuple)):
        try:
            arr = np.asarray(X)
        except (ValueError, TypeError) as exc:
            raise DataError(f"{name} cannot be read as an array ({exc})") from None
        check_data_size(arr.size, f"{name} (shaped {arr.shape})")
        if arr.ndim == 0:
            raise DataError(f"{name} is a single value ({arr.dtype}); expected sequences shaped "
                            f"{'(T, H, W, C)' if image else '(T, C)'}, or a list of them")
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
    if not seqs:
        raise DataError(f"{name} holds no sequences (shape {np.shape(X)}); expected at least one")

    out, values = [], 0
    for i, s in enumerate(seqs):
        where = f"{name}[{i}]" if not single else name
        try:
            s = np.asarray(s)
        except (ValueError, TypeError):
            raise DataError(f"{where} is ragged or not an array: its rows differ in length; a "
                            "sequence is one (T, C) array") from None
        values += s.size
        check_data_size(values, f"{name} (up to {where}, shaped {s.shape})" if not single
                        else f"{name} (shaped {s.shape})")
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
        if s.dtype.itemsize > 4 or s.dtype.kind in "iu":  # would overflow float32?
            with np.errstate(invalid="ignore"):
                big = np.abs(s.astype(np.float64, copy=False)) > np.finfo(np.float32).max
            if big.any():
                t = int(np.argwhere(big)[0][0])
                raise DataError(f"{where} has values beyond float32's range (first at time step "
                                f"{t}); networks compute in float32: rescale the data")
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


# ---------------------------------------------------------------------------------------------
# .npz files: the data contract of specs and of the command line

NPZ_KEYS = {"train": ("X", "Y", "lengths"), "test": ("XTest", "YTest", "lengthsTest"),
            "validation": ("XValidation", "YValidation", "lengthsValidation")}
"""The arrays of each split in an .npz file (a split without its own arrays uses X/Y/lengths)."""


def load_npz(path, split="train", *, allow_pickle=False, categorical=False, need_y=True):
    """Read sequences and their labels or responses from an ``.npz`` file; returns ``(X, Y)``.

    The file holds ``X`` and ``Y`` for training; ``XTest``/``YTest`` and
    ``XValidation``/``YValidation`` for the other splits (``split='test'`` falls back to ``X``/``Y``
    when the file has no ``XTest``). ``X`` is one array (N, T, C), with ``lengths`` (N,) when the
    sequences differ in length (each is cut to its length), or all time steps (sum of T, C) with
    ``lengths`` (split into sequences); ``lengthsTest``/``lengthsValidation`` go with the other
    splits. ``Y`` holds one label or response per sequence, or one per time step ((N, T, ...) or
    (sum of T, ...) with lengths). Object arrays of sequences load only with ``allow_pickle=True``
    (pickle runs code: only for files you trust). ``categorical=True`` turns integer labels into
    strings, as class labels. ``need_y=False`` allows a file without labels (``Y`` is None).

    Every problem (no such file, not an .npz archive, a missing array, lengths that do not fit,
    a different number of sequences and labels) raises :class:`DataError` naming the file.
    """
    p = Path(path)
    if split not in NPZ_KEYS:
        raise DataError(f"unknown split {split!r}; expected one of {', '.join(NPZ_KEYS)}")
    if p.is_dir():
        raise DataError(f"{p}: is a folder; expected an .npz file (numpy.savez) with arrays X "
                        "and Y")
    if not p.is_file():
        raise DataError(f"{p}: no such file")
    if p.stat().st_size == 0:
        raise DataError(f"{p}: the file is empty; expected an .npz archive (numpy.savez) with "
                        "arrays X and Y")
    if not zipfile.is_zipfile(p):
        raise DataError(f"{p}: not an .npz archive (numpy.savez writes one); expected arrays X "
                        "and Y in it")
    xk, yk, lk = NPZ_KEYS[split]
    try:
        with np.load(p, allow_pickle=allow_pickle) as z:
            keys = set(z.files)
            if xk not in keys and split != "train":
                xk, yk, lk = NPZ_KEYS["train"]
            if xk not in keys:
                have = ", ".join(sorted(keys)) or "nothing"
                raise DataError(f"{p}: no array '{xk}' (it has: {have}); expected X with the "
                                "input sequences")
            for key in (xk, yk, lk):
                if key in keys:
                    _check_claim(p, z, key)
            X = z[xk]
            Y = z[yk] if yk in keys else None
            lengths = z[lk] if lk in keys else None
    except DataError:
        raise
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise DataError(f"{p}: '{xk}' or '{yk}' is an object array, which needs pickle to "
                            "load; re-run with --allow-pickle (allow_pickle=True) if you trust "
                            "the file, or store X as (N, T, C) with a 'lengths' array") from None
        raise DataError(f"{p}: cannot read it as .npz ({exc})") from None
    except (OSError, EOFError, KeyError, zipfile.BadZipFile) as exc:
        raise DataError(f"{p}: cannot read it as .npz ({exc})") from None
    for key, a in ((xk, X), (yk, Y), (lk, lengths)):
        if a is not None and not isinstance(a, np.ndarray):  # numpy gives non-.npy members raw
            raise DataError(f"{p}: cannot read it as .npz ('{key}' is not a .npy array)")
    if Y is None and need_y:
        raise DataError(f"{p}: no array '{yk}' (the labels or responses)")
    if X.ndim == 0:
        raise DataError(f"{p}: '{xk}' is a single value; expected sequences: (N, T, C), "
                        "(sum of lengths, C) with 'lengths', or one (T, C) sequence")
    if lengths is not None:
        X, Y = _split_lengths(X, Y, np.asarray(lengths), p, xk, lk)
    single = isinstance(X, np.ndarray) and X.dtype != object and X.ndim == 2  # one (T, C)
    if Y is not None and not single:
        n, m = len(X), (len(Y) if isinstance(Y, list) or np.ndim(Y) else 0)
        if n != m:
            raise DataError(f"{p}: {xk} has {n} sequences but {yk} has {m} labels or responses; "
                            "expected one label or response (or one sequence of them) per "
                            "sequence")
    if Y is not None and categorical and not isinstance(Y, list):
        Y = np.asarray(Y)
        if Y.dtype.kind in "iub":
            Y = Y.astype(str)
    return X, Y


def _check_claim(path, z, key):
    """Read the header of ``key`` and refuse a shape bigger than the file holds or than
    LIMITS.max_data_values, before numpy allocates the array the header claims."""
    try:
        info = z.zip.getinfo(key + ".npy")
    except KeyError:
        return  # not an .npy member: load_npz says so after reading it
    with z.zip.open(info) as f:
        try:
            version = np.lib.format.read_magic(f)
            read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                    else np.lib.format.read_array_header_2_0)
            shape, _, dtype = read(f)
        except (ValueError, OSError, EOFError, zipfile.BadZipFile):
            return  # not a readable header: numpy's own error names what is wrong
    if dtype.hasobject:
        return  # pickled objects: sizes are unknown until unpickled (allow_pickle only)
    count = math.prod(shape)
    check_data_size(count, f"{path}: '{key}' declares shape {shape}")
    if count * dtype.itemsize > info.file_size:
        raise DataError(f"{path}: '{key}' declares shape {shape} ({count * dtype.itemsize:,} "
                        f"bytes) but holds only {info.file_size:,} bytes; the file is damaged or "
                        "truncated")


def _split_lengths(X, Y, lengths, path, xk="X", lk="lengths"):
    X = np.asarray(X)
    if lengths.ndim != 1 or lengths.dtype.kind not in "iu" or (lengths < 1).any():
        raise DataError(f"{path}: '{lk}' must be positive integers, one per sequence; got shape "
                        f"{lengths.shape}, dtype {lengths.dtype}")
    n, total = len(lengths), sum(int(t) for t in lengths)  # Python ints: no wrap-around
    longest = max((int(t) for t in lengths), default=0)
    per_step = math.prod(X.shape[2:] if X.ndim >= 3 else X.shape[1:])
    check_data_size(longest * per_step,
                    f"{path}: '{lk}' claims a sequence of {longest:,} time steps")
    if X.ndim >= 3 and X.shape[0] == n and lengths.max() <= X.shape[1]:  # padded (N, T, C)
        seqs = [X[i, :t] for i, t in enumerate(lengths)]
        per_step = Y is not None and np.ndim(Y) >= 2 and np.shape(Y)[:2] == X.shape[:2]
        if per_step:
            Y = [np.asarray(Y)[i, :t] for i, t in enumerate(lengths)]
        return seqs, Y
    if X.ndim >= 2 and X.shape[0] == total:  # concatenated (sum T, C)
        cuts = np.cumsum(lengths)[:-1]
        seqs = np.split(X, cuts)
        if Y is not None and np.ndim(Y) and len(Y) == total and len(Y) != n:
            Y = np.split(np.asarray(Y), cuts)
        return seqs, Y
    raise DataError(f"{path}: '{lk}' ({n} sequences, {total} steps) does not fit {xk} of shape "
                    f"{X.shape}; expected (N, T, C) or (sum of lengths, C)")


def spread_indices(total, n):
    """Indices of ``n`` of ``total`` items spread evenly from the first to the last."""
    if n >= total:
        return np.arange(total)
    return np.linspace(0, total - 1, n).round().astype(int)


def spread_subset(X, Y, n):
    """``n`` sequences spread evenly over the data (so every class stays represented)."""
    if n >= len(X):
        return X, Y
    idx = spread_indices(len(X), n)
    Xs = [X[i] for i in idx]
    Ys = None if Y is None else ([Y[i] for i in idx] if isinstance(Y, list) else np.asarray(Y)[idx])
    return Xs, Ys


def sort_by_length(X, Y=None):
    """Sequences (and their labels) shortest first, ties in their order: less padding per batch,
    as MATLAB's examples prepare training data."""
    idx = np.argsort([len(x) for x in X], kind="stable")
    Xs = [X[i] for i in idx]
    Ys = None if Y is None else ([Y[i] for i in idx] if isinstance(Y, list) else np.asarray(Y)[idx])
    return Xs, Ys
