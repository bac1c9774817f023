"""Checking and encoding what the network must learn: class labels or responses.

Which form is expected follows from the network: a classificationLayer after a 'last' output wants
one label per sequence, after a sequence output one label per time step; a regressionLayer wants
a response vector per sequence, or per time step.
"""

from __future__ import annotations

import numpy as np

from ..data import check_data_size
from ..errors import DataError


def _as_list(Y, n, name):
    if not isinstance(Y, (np.ndarray, list, tuple, str)) and hasattr(Y, "__array__"):
        Y = np.asarray(Y)  # a torch tensor, a pandas column: as the array they hold
    if isinstance(Y, np.ndarray) and Y.ndim == 0:
        raise DataError(f"{name} is a single value ({_short(Y.item())}); expected an array or a "
                        f"list with one label (or response) per sequence of X")
    if isinstance(Y, np.ndarray) and Y.dtype != object:
        items = list(Y)
    elif isinstance(Y, (list, tuple, np.ndarray)):
        items = list(Y)
    else:
        raise DataError(f"{name} must be an array or a list, got {type(Y).__name__}")
    if len(items) != n:
        raise DataError(f"{name} has {len(items)} entries but X has {n} sequences; give one "
                        "label (or response) per sequence")
    # only arrays can claim more than memory (broadcast views); lists are in memory already
    check_data_size(sum(v.size for v in items if isinstance(v, np.ndarray)), name)
    return items


def _flat(v) -> list:
    """A label, or a sequence's per-step labels, as a flat list of plain values."""
    return [a.item() if isinstance(a, np.generic) else a
            for a in np.asarray(v, dtype=object).reshape(-1)]


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and v != v)


LABEL_TYPES = (str, int, float, bool, np.str_, np.integer, np.floating, np.bool_)
"""What a class label can be (MATLAB's categorical is made from text, numbers and logicals)."""


def _numbers(v, where) -> np.ndarray:
    """A response (or per-class target) as float32, refusing what only looks numeric after a
    cast: text ('1'), complex values (the imaginary part would be dropped), other objects."""
    arr = np.asarray(v) if not isinstance(v, np.ndarray) else v
    if arr.dtype == object:
        real = (int, float, bool, np.integer, np.floating, np.bool_)
        bad = [a for a in arr.reshape(-1) if not isinstance(a, real)]
        if bad:
            raise DataError(f"{where} holds {_short(bad[0])} ({type(bad[0]).__name__})"
                            + ("" if bad[0] is not None else ", a missing response")
                            + "; responses are real numbers")
    elif arr.dtype.kind not in "biuf":
        what = "complex" if arr.dtype.kind == "c" else f"not numeric ({_short(v)})"
        raise DataError(f"{where} is {what}; a regression network needs real numbers as "
                        "responses")
    with np.errstate(over="ignore", invalid="ignore"):
        return arr.astype(np.float32)


def class_names(labels) -> tuple:
    """Sorted unique labels as strings (MATLAB's categories of a categorical array): numbers in
    numeric order, text in alphabetical order."""
    flat = [a for v in labels for a in _flat(v)]
    if all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in flat):
        return tuple(str(a) for a in sorted(set(flat)))
    return tuple(sorted({str(a) for a in flat}))


class Targets:
    """Encoded targets per sequence plus the facts the loss needs."""

    def __init__(self, kind, per_sequence, values, classes=None, responses=None,
                 encoding=None):
        self.kind = kind  # 'classification' or 'regression'
        self.per_sequence = per_sequence  # True: one target per sequence ('last' outputs)
        self.values = values  # list: int / (T,) ints / (R,) floats / (T, R) floats
        self.classes = classes
        self.responses = responses
        # 'index' (class indices), 'probability' (one-hot or class probabilities), 'binary'
        # (0/1 per output) or 'numeric' (responses)
        self.encoding = encoding or ("index" if kind == "classification" else "numeric")

    @property
    def dtype(self):
        return np.int64 if self.encoding == "index" else np.float32


def prepare_targets(Y, seqs, output_layer, sequence_output, name="Y", classes=None) -> Targets:
    """The targets of a legacy network, in the form its output layer wants."""
    return encode_targets(Y, seqs, output_layer.output_kind, sequence_output, name, classes,
                          getattr(output_layer, "Classes", "auto"))


def encode_targets(Y, seqs, kind, sequence_output, name="Y", classes=None,
                   declared="auto") -> Targets:
    """Class labels (``kind`` 'classification': encoded as indices into ``classes``, by default
    the declared classes, else the sorted labels) or numeric responses ('regression')."""
    n = len(seqs)
    items = _as_list(Y, n, name)
    if kind == "classification":
        for i, v in enumerate(items):
            flat = _flat(v)
            odd = [a for a in flat if not isinstance(a, LABEL_TYPES) and a is not None]
            if odd:
                raise DataError(f"{name}[{i}] has label {_short(odd[0])} "
                                f"({type(odd[0]).__name__}); class labels are text, whole "
                                "numbers or logicals (MATLAB's categorical)")
            gaps = [t for t, a in enumerate(flat) if _missing(a)]
            if gaps:
                at = f" at time step {gaps[0]}" if sequence_output else ""
                raise DataError(f"{name}[{i}] has no label{at} (None or NaN, MATLAB's "
                                "<undefined>); every sequence needs a class"
                                + (" at every step" if sequence_output else ""))
        if classes is None:
            classes = class_names(items) if isinstance(declared, str) else declared
        index = {c: i for i, c in enumerate(classes)}

        def encode(v, where):
            key = str(v.item() if isinstance(v, np.generic) else v)
            if key not in index:
                raise DataError(f"{where} has label {key!r}, which is not one of the classes "
                                f"{list(classes)}")
            return index[key]

        values = []
        for i, (v, s) in enumerate(zip(items, seqs)):
            if sequence_output:
                arr = np.asarray(v).reshape(-1)
                if len(arr) != len(s):
                    raise DataError(f"{name}[{i}] has {len(arr)} labels but X[{i}] has {len(s)} "
                                    "time steps; sequence-to-sequence needs one label per step")
                values.append(np.array([encode(a, f"{name}[{i}]") for a in arr], dtype=np.int64))
            else:
                if np.ndim(v) != 0:
                    raise DataError(f"{name}[{i}] should be one label (sequence-to-label "
                                    f"network), got an array of shape {np.shape(v)}")
                values.append(encode(v, f"{name}[{i}]"))
        return Targets("classification", not sequence_output, values, classes=tuple(classes))

    values, width = [], None
    for i, (v, s) in enumerate(zip(items, seqs)):
        try:
            arr = _numbers(v, f"{name}[{i}]")
        except (ValueError, TypeError, OverflowError) as exc:
            if isinstance(exc, DataError):
                raise
            raise DataError(f"{name}[{i}] is not numeric ({_short(v)}); a regression network "
                            "needs numbers as responses") from None
        if sequence_output:
            if arr.ndim == 0:
                raise DataError(f"{name}[{i}] is one value; sequence-to-sequence regression "
                                f"needs ({len(s)}, R) responses for X[{i}]")
            if arr.ndim == 1 and len(arr) == len(s):
                arr = arr[:, None]  # one response per step
            if arr.ndim != 2 or arr.shape[0] != len(s):
                raise DataError(f"{name}[{i}] has shape {np.shape(v)}; sequence-to-sequence "
                                f"regression needs ({len(s)}, R) responses for X[{i}]")
        else:
            arr = arr.reshape(-1)
        if not np.all(np.isfinite(arr)):
            raise DataError(f"{name}[{i}] contains NaN or Inf")
        r = arr.shape[-1]
        if width is None:
            width = r
        elif r != width:
            raise DataError(f"{name}[{i}] has {r} responses, {name}[0] has {width}")
        values.append(arr)
    return Targets("regression", not sequence_output, values, responses=width)


def _short(v, limit=40) -> str:
    text = " ".join(repr(v).split())  # one line, whatever the value's repr
    return text if len(text) <= limit else text[:limit] + "..."
