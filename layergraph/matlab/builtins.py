"""MATLAB's built-in functions the translator evaluates: sizes, rounding, arithmetic, zeros/ones.

Network code computes sizes from numbers (``numHiddenUnits = 2*50``, ``floor(n/2)``,
``numel(classNames)``), so these run whenever their arguments are known. Each built-in is a plain
Python function over MATLAB values (:mod:`.values`) registered in :data:`BUILTINS` under its MATLAB
name. It may raise anything: the call is then left unevaluated (an ``Unknown``), never an error. A
new built-in is one function and one line in the table; a MATLAB call that builds a layergraph
object (a layer, a graph edit, trainingOptions) belongs in ``bridge.py`` instead.
"""

from __future__ import annotations

import math

import numpy as np

from .values import COLON, MString, Unknown, numeric, simplify, to_py

# --- sizes -------------------------------------------------------------------------------------


def _size(x, dim=None):
    if isinstance(x, (str, MString)):
        shape = (1, len(x))
    elif isinstance(x, (list, tuple)):
        shape = (1, len(x))
    else:
        a = numeric(x)
        if a is None:
            raise TypeError
        shape = a.shape
    if dim is None:
        return np.array([list(map(float, shape))])
    d = int(dim)
    return float(shape[d - 1]) if d <= len(shape) else 1.0


def _numel(x):
    if isinstance(x, MString):
        return 1.0
    if isinstance(x, (str, list, tuple)):
        return float(len(x))
    a = numeric(x)
    if a is None:
        raise TypeError
    return float(a.size)


def _length(x):
    if isinstance(x, (list, tuple)):
        return float(len(x))
    if isinstance(x, str):
        return float(len(x)) if not isinstance(x, MString) else 1.0
    a = numeric(x)
    if a is None:
        raise TypeError
    return float(max(a.shape) if a.size else 0)


# --- element-wise functions and reductions (MATLAB's default dimension: the first non-singleton) -


def _minmax(fn):
    def f(a, b=None, dim=None):
        if b is not None and numeric(b) is not None and numeric(b).size:
            return simplify(fn(numeric(a), numeric(b)))
        arr = numeric(a)
        if dim is None:
            axis = 0 if arr.shape[0] > 1 else 1
        else:
            axis = int(dim) - 1
        return simplify((np.max if fn is np.maximum else np.min)(arr, axis=axis, keepdims=True))

    return f


def _reduce(fn):
    def f(a, dim=None):
        arr = numeric(a)
        if dim is None:
            axis = 0 if arr.shape[0] > 1 else 1
        else:
            axis = int(dim) - 1
        return simplify(fn(arr, axis=axis, keepdims=True))

    return f


def _elementwise(fn):
    return lambda *a: simplify(fn(*[numeric(x) for x in a]))


def _round_int(a):
    return simplify(np.round(numeric(a)))


# --- arrays ------------------------------------------------------------------------------------


def _filled(fill):
    def f(*dims):
        if not dims:
            return float(fill)
        d = [int(to_py(x)) for x in dims] if len(dims) > 1 else to_py(dims[0])
        if isinstance(d, int):
            d = [d, d]
        return simplify(np.full(tuple(int(v) for v in d), float(fill)))

    return f


def _filled_elements(*dims) -> float:
    """The elements ``zeros(dims...)`` / ``ones(dims...)`` would have (inf for an infinite
    size), from the arguments alone."""
    if not dims:
        return 1
    sizes = []
    for x in dims:
        a = numeric(x)
        if a is None:
            return 0
        sizes += [float(v) for v in a.reshape(-1)]
    if len(sizes) == 1:
        sizes *= 2
    if any(math.isnan(v) for v in sizes):
        return 0
    return math.prod(max(v, 0.0) for v in sizes)


def result_elements(name: str, args: list) -> float:
    """How many elements built-in ``name`` would return for ``args``, known before it runs, so
    that the interpreter can refuse a result past ``MatlabLimits.max_elements`` without
    allocating it: the requested size for zeros/ones, the broadcast size of the arguments for
    element-wise functions (0 where the arguments do not say)."""
    if name in ("zeros", "ones"):
        return _filled_elements(*args)
    shapes = [numeric(a).shape for a in args if numeric(a) is not None]
    try:
        return math.prod(np.broadcast_shapes(*shapes)) if shapes else 0
    except ValueError:
        return 0


# --- the table ---------------------------------------------------------------------------------

BUILTINS = {
    "numel": _numel, "length": _length, "size": _size,
    "floor": _elementwise(np.floor), "ceil": _elementwise(np.ceil),
    "round": _elementwise(np.round), "fix": _elementwise(np.trunc),
    "abs": _elementwise(np.abs), "sqrt": _elementwise(np.sqrt), "exp": _elementwise(np.exp),
    "log": _elementwise(np.log), "log2": _elementwise(np.log2), "log10": _elementwise(np.log10),
    "mod": _elementwise(lambda a, b: np.where(b == 0, a, np.mod(a, np.where(b == 0, 1, b)))),
    "rem": _elementwise(lambda a, b: np.fmod(a, b)), "power": _elementwise(np.power),
    "max": _minmax(np.maximum), "min": _minmax(np.minimum),
    "sum": _reduce(np.sum), "prod": _reduce(np.prod), "mean": _reduce(np.mean),
    "double": lambda a: simplify(numeric(a).astype(float)),
    "single": lambda a: simplify(numeric(a).astype(float)),
    "logical": lambda a: simplify(numeric(a) != 0),
    "zeros": _filled(0), "ones": _filled(1),
    "isempty": lambda a: len(a) == 0 if isinstance(a, (str, list)) else bool(
        numeric(a) is not None and numeric(a).size == 0),
    **{t: _round_int for t in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                "uint64")},
}
"""MATLAB name -> function over evaluated MATLAB values (positional arguments only)."""


def call_builtin(name: str, args: list, node):
    """``name(args...)`` when every argument is known; otherwise, or if the function raises, an
    :class:`Unknown` saying so (the value is then simply not part of the network)."""
    unknown = next((a for a in args if isinstance(a, Unknown)), None)
    if unknown is not None:
        return unknown
    if any(a is COLON for a in args):
        return Unknown(node, f"'{name}' with ':' is not evaluated")
    try:
        with np.errstate(all="ignore"):
            return BUILTINS[name](*args)
    except Exception:  # noqa: BLE001  (anything odd: leave it unevaluated)
        return Unknown(node, f"layergraph cannot evaluate this call of '{name}'")
