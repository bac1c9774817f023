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
import re

import numpy as np

from ..layers import Layer
from .values import (
    COLON,
    CellArray,
    MString,
    StringArray,
    Struct,
    StructArray,
    Unknown,
    numeric,
    simplify,
    struct_array,
    to_py,
)

# --- sizes -------------------------------------------------------------------------------------


def _size(x, dim=None):
    if isinstance(x, (Struct, Layer)):
        shape = (1, 1)
    elif isinstance(x, (str, MString)):
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
    if isinstance(x, (MString, Struct, Layer)):  # one struct, one layer
        return 1.0
    if isinstance(x, (str, list, tuple)):
        return float(len(x))
    a = numeric(x)
    if a is None:
        raise TypeError
    return float(a.size)


def _length(x):
    if isinstance(x, (Struct, Layer)):
        return 1.0
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
    if name == "repmat" and args:
        return _repmat_elements(*args)
    shapes = [numeric(a).shape for a in args if numeric(a) is not None]
    try:
        return math.prod(np.broadcast_shapes(*shapes)) if shapes else 0
    except ValueError:
        return 0


# --- text (layer names are often built from loop counters: ['lstm' num2str(k)]) --------------


def _num2str(x, fmt=None):
    if isinstance(x, str):
        return str(x)
    v = to_py(x)
    if fmt is not None:
        return _sprintf(fmt, x)
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return f"{v:.5g}"
    raise TypeError


def _string(x):
    if isinstance(x, str):
        return MString(x)
    return MString(_num2str(x))


_FORMAT = re.compile(r"%([-+ 0#]*\d*(?:\.\d+)?)([dicfegsuGE%])")


def _sprintf(fmt, *args):
    """MATLAB's sprintf for scalar arguments (%d %i %u %f %e %g %s, ``\\n``)."""
    if not isinstance(fmt, str):
        raise TypeError
    values = [to_py(a) if not isinstance(a, str) else str(a) for a in args]
    if any(isinstance(v, (list, dict)) for v in values):
        raise TypeError
    pos = 0

    def one(m):
        nonlocal pos
        flags, conv = m.group(1), m.group(2)
        if conv == "%":
            return "%"
        if pos >= len(values):
            return ""
        v = values[pos]
        pos += 1
        if conv in "diu":
            if isinstance(v, float) and not v.is_integer():
                return f"%{flags}e" % v
            return f"%{flags}d" % int(v)
        if conv == "s":
            return f"%{flags}s" % (v if isinstance(v, str) else _num2str(v))
        return f"%{flags}{conv}" % float(v)

    out = _FORMAT.sub(one, str(fmt).replace("\\n", "\n").replace("\\t", "\t"))
    return MString(out) if isinstance(fmt, MString) else out


def _strcmp(a, b, fold=False):
    def norm(x):
        return str(x).lower() if fold else str(x)
    if isinstance(a, (str, MString)) and isinstance(b, (str, MString)):
        return norm(a) == norm(b)
    for cell, other in ((a, b), (b, a)):
        if isinstance(cell, (CellArray, StringArray)) and isinstance(other, str):
            return simplify(__import__("numpy").array(
                [[isinstance(x, str) and norm(x) == norm(other) for x in cell]]))
    return False


def _struct(*args):
    """``struct('a', 1, 'b', 2)``; a cell value gives a struct array of its elements (cells of
    one element are that element, for every struct), as MATLAB does: ``struct('n', {10, 20})``
    is 1-by-2, ``struct('c', {{1, 2}})`` one struct whose field is the cell."""
    if len(args) == 1 and numeric(args[0]) is not None and numeric(args[0]).size == 0:
        return StructArray()  # struct([]): no structs yet (then s(end+1) = ...)
    if len(args) % 2 or not all(isinstance(n, str) for n in args[0::2]):
        raise TypeError
    names, values = [str(n) for n in args[0::2]], list(args[1::2])
    sizes = {len(v) for v in values if isinstance(v, CellArray) and len(v) != 1}
    if len(sizes) > 1:
        raise ValueError("the cell arrays given to struct differ in size")
    n = sizes.pop() if sizes else 1

    def element(v, k):
        if not isinstance(v, CellArray):
            return v
        return v[0] if len(v) == 1 else v[k]

    out = StructArray(Struct((name, element(v, k)) for name, v in zip(names, values))
                      for k in range(n))
    return out[0] if n == 1 else out


def _repmat_sizes(dims) -> list[int]:
    sizes = [float(v) for d in dims for v in numeric(d).reshape(-1)]
    if len(sizes) == 1:
        sizes *= 2
    if any(not math.isfinite(v) or v != int(v) for v in sizes):
        raise ValueError("repmat needs whole numbers of copies")
    return [max(int(v), 0) for v in sizes]


def _repmat(x, *dims):
    """``repmat(s, 1, n)``: n copies of a struct (a struct array), or a tiled numeric array."""
    sizes = _repmat_sizes(dims)
    if isinstance(x, Struct):
        if len(sizes) != 2 or min(sizes) > 1 and sizes[0] != 1:
            raise ValueError("struct arrays are rows or columns")
        n = math.prod(sizes)
        return x if n == 1 else StructArray(Struct(x) for _ in range(n))
    return simplify(np.tile(numeric(x), sizes))


def _repmat_elements(x, *dims) -> float:
    """The elements ``repmat`` would make, from its arguments alone."""
    try:
        sizes = _repmat_sizes(dims)
    except (TypeError, ValueError, AttributeError):
        return 0
    each = 1 if isinstance(x, Struct) else (numeric(x).size if numeric(x) is not None else 0)
    return math.prod(sizes) * each


def _fields(s) -> list:
    if isinstance(s, Struct):
        return list(s)
    if isinstance(s, StructArray):
        return list(s[0]) if s else []
    raise TypeError


def _isfield(s, name):
    if not isinstance(s, (Struct, StructArray)):
        return False
    if isinstance(name, str):
        return name in _fields(s)
    if isinstance(name, (CellArray, StringArray)):
        return simplify(np.array([[isinstance(x, str) and x in _fields(s) for x in name]]))
    raise TypeError


def _setfield(s, name, value):
    if not isinstance(s, Struct) or not isinstance(name, str):
        raise TypeError
    out = Struct(s)
    out[str(name)] = value
    return out


def _getfield(s, name):
    if not isinstance(s, Struct) or not isinstance(name, str):
        raise TypeError
    return s[str(name)]


def _rmfield(s, name):
    names = [str(name)] if isinstance(name, str) else [str(x) for x in name]
    if isinstance(s, StructArray):
        return struct_array([_rmfield(e, names) for e in s])
    if not isinstance(s, Struct) or any(n not in s for n in names):
        raise TypeError
    return Struct((k, v) for k, v in s.items() if k not in names)


def _lower(fn):
    def f(x):
        if isinstance(x, StringArray):
            return StringArray(fn(v) for v in x)
        if isinstance(x, str):
            return type(x)(fn(x)) if isinstance(x, MString) else fn(x)
        raise TypeError
    return f


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
    "num2str": _num2str, "int2str": lambda x: _num2str(_round_int(x)), "string": _string,
    "char": lambda x: str(x) if isinstance(x, str) else _num2str(x), "sprintf": _sprintf,
    "strcat": lambda *a: type(a[0])("".join(str(x) for x in a)) if all(
        isinstance(x, str) for x in a) else (_ for _ in ()).throw(TypeError()),
    "strcmp": _strcmp, "strcmpi": lambda a, b: _strcmp(a, b, True),
    "lower": _lower(str.lower), "upper": _lower(str.upper),
    "ischar": lambda x: isinstance(x, str) and not isinstance(x, MString),
    "isstring": lambda x: isinstance(x, (MString, StringArray)),
    "isnumeric": lambda x: numeric(x) is not None and not isinstance(x, bool),
    "isstruct": lambda x: isinstance(x, (Struct, StructArray)),
    "iscell": lambda x: isinstance(x, CellArray),
    "struct": _struct, "isfield": _isfield, "fieldnames": lambda s: CellArray(_fields(s)),
    "setfield": _setfield, "getfield": _getfield, "rmfield": _rmfield, "repmat": _repmat,
    "any": lambda a: bool(numeric(a).size and numeric(a).any()),
    "all": lambda a: bool(numeric(a).all()),
    "isempty": lambda a: len(a) == 0 if isinstance(a, (str, list)) else bool(
        numeric(a) is not None and numeric(a).size == 0),
    **{t: _round_int for t in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                "uint64")},
}
"""MATLAB name -> function over evaluated MATLAB values (positional arguments only)."""


UNKNOWN_ALLOWED = frozenset({"struct", "setfield"})
"""Built-ins that run with arguments the translator did not evaluate (a struct's field may
hold data)."""


def call_builtin(name: str, args: list, node):
    """``name(args...)`` when every argument is known; otherwise, or if the function raises, an
    :class:`Unknown` saying so (the value is then simply not part of the network)."""
    unknown = next((a for a in args if isinstance(a, Unknown)), None)
    if unknown is not None and name not in UNKNOWN_ALLOWED:
        return unknown
    if any(a is COLON for a in args):
        return Unknown(node, f"'{name}' with ':' is not evaluated")
    try:
        with np.errstate(all="ignore"):
            return BUILTINS[name](*args)
    except Exception:  # noqa: BLE001  (anything odd: leave it unevaluated)
        return Unknown(node, f"layergraph cannot evaluate this call of '{name}'")
