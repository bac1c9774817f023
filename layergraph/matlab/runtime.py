"""MATLAB's value rules for the programs that layergraph.matlab.program emits.

Why: a translated MATLAB program must mean what it meant (1-based and ``end`` indexing, arrays
that grow on assignment, column-major linear indexing, cell arrays, categorical labels, reductions
along the first non-singleton dimension, C-by-T sequences for ``trainNetwork`` and T-by-C for
``trainnet``), and NumPy's rules differ. These helpers carry MATLAB's, so the emitted program
reads line for line like the MATLAB it came from. Figures are drawn with matplotlib's Agg backend
(headless) and saved as PNG files when the program ends (:func:`finish`).

Values: numbers are Python numbers or 2-D NumPy arrays; char vectors and strings are ``str``;
string arrays are object arrays of ``str``; :class:`Cell`, :class:`Categorical`, :class:`Struct`
and :class:`Table` are MATLAB's cell arrays, categorical arrays, structs and tables; a layer array
is a list of layers.
"""

from __future__ import annotations

import builtins as _b
import copy
import csv
import math
import os
import re
import sys
import time

import numpy as np

from ..errors import DataError, LayerGraphError
from ..layers import Layer

COLON = slice(None)
"""A lone ``:`` subscript."""

OBJECT = np.dtype(object)


class Cell:
    """A MATLAB cell array: a 2-D object array of values."""

    def __init__(self, data):
        data = np.asarray(data, dtype=object) if not isinstance(data, np.ndarray) else data
        self.data = data.reshape(1, -1) if data.ndim < 2 else data

    @property
    def shape(self):
        return self.data.shape

    def __iter__(self):
        return iter(self.data.ravel(order="F"))

    def __len__(self):
        return self.data.size

    def __repr__(self):
        return f"{self.shape[0]}x{self.shape[1]} cell"


def cell_of(items, shape=None) -> Cell:
    """A cell array of ``items`` (column-major), a column unless ``shape`` is given."""
    data = np.empty(len(items), dtype=object)
    for k, x in enumerate(items):
        data[k] = x
    return Cell(data.reshape(shape or (len(items), 1), order="F"))


class Categorical:
    """A MATLAB categorical array: integer codes into ``cats`` (-1: undefined)."""

    def __init__(self, codes, cats):
        codes = np.asarray(codes, dtype=np.int64)
        self.codes = codes.reshape(-1, 1) if codes.ndim < 2 else codes
        self.cats = [str(c) for c in cats]

    @classmethod
    def of(cls, labels, cats=None):
        labels = np.asarray(labels).astype(str)
        cats = list(cats) if cats is not None else _sorted_names(np.unique(labels))
        index = {c: k for k, c in enumerate(cats)}
        codes = np.vectorize(lambda s: index.get(s, -1), otypes=[np.int64])(labels) \
            if labels.size else np.zeros(labels.shape, np.int64)
        return cls(codes, cats)

    @property
    def shape(self):
        return self.codes.shape

    def labels(self) -> np.ndarray:
        """The labels as an array of str (undefined: '<undefined>'), same shape."""
        names = np.array([*self.cats, "<undefined>"], dtype=object)
        return names[self.codes].astype(str)

    def __eq__(self, other):
        theirs = other.labels() if isinstance(other, Categorical) else \
            np.asarray(other).astype(str).reshape(_shape(other))
        if theirs.shape != self.shape and theirs.size != 1 and self.codes.size != 1:
            raise DataError(f"comparing a {self.shape[0]}x{self.shape[1]} categorical with a "
                            f"{theirs.shape[0]}x{theirs.shape[1]} array", expected="arrays "
                            "of the same size (or one element)")
        same = self.labels() == theirs
        if isinstance(other, Categorical):
            same &= (self.codes >= 0) & (other.codes >= 0)
        return same

    def __ne__(self, other):
        return ~self.__eq__(other)

    __hash__ = None

    def __repr__(self):
        return f"{self.shape[0]}x{self.shape[1]} categorical"


def _sorted_names(names):
    """Category order: numeric order when every name is a number, else text order."""
    names = [str(n) for n in names]
    try:
        return sorted(names, key=float)
    except ValueError:
        return sorted(names)


class Struct:
    """A MATLAB scalar struct: fields as attributes, in the order they were set."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def __repr__(self):
        return "struct with fields: " + ", ".join(self.__dict__)


class Table(Struct):
    """A MATLAB table read by readtable: one column vector (or cell of text) per variable."""

    def __init__(self, columns: dict):
        super().__init__(**columns)
        self.Properties = Struct(VariableNames=cell_of(list(columns), (1, len(columns))))

    @property
    def shape(self):
        cols = list(self.__dict__.values())[:-1]
        return (size(cols[0], 1) if cols else 0, len(cols))

    def columns(self):
        return [v for k, v in self.__dict__.items() if k != "Properties"]


# --- shapes ------------------------------------------------------------------------------------


def _shape(x) -> tuple:
    if isinstance(x, (Cell, Categorical)):
        return x.shape
    if isinstance(x, Table):
        return x.shape
    if isinstance(x, str):
        return (1, len(x))
    if isinstance(x, Layer):
        return (1, 1)
    if isinstance(x, list):
        numbers = x and all(isinstance(v, (int, float, np.number)) for v in x)
        return ((1, len(x)) if numbers else (len(x), 1)) if x else (0, 0)
    if x is None:
        return (0, 0)
    a = np.asarray(x)
    return (1, 1) if a.ndim == 0 else ((1, a.shape[0]) if a.ndim == 1 else a.shape)


def size(x, dim=None, nargout=1):
    """MATLAB's size: the row vector of dimensions, one of them (``size(x, 2)``), or several."""
    s = _shape(x)
    if dim is not None:
        d = int(dim)
        return s[d - 1] if d <= len(s) else 1
    if nargout > 1:
        return tuple(s[:nargout - 1]) + (int(np.prod(s[nargout - 1:])),)
    return np.array([s], dtype=float)


def numel(x) -> int:
    return int(np.prod(_shape(x)))


def length(x) -> int:
    s = _shape(x)
    return 0 if 0 in s else _b.max(s)


def isempty(x) -> bool:
    return numel(x) == 0


def height(x) -> int:
    return _shape(x)[0]


def width(x) -> int:
    return _shape(x)[1]


def ndims(x) -> int:
    return len(_shape(x))


def end(x, k, n):
    """The value of ``end`` in subscript ``k`` (0-based) of ``n`` subscripts of ``x``."""
    s = _shape(x)
    if n == 1:
        return int(np.prod(s))
    if k == n - 1:
        return int(np.prod(s[k:]))
    return s[k] if k < len(s) else 1


# --- building arrays ---------------------------------------------------------------------------


def colon(first, step_or_last, last=None):
    """``first:last`` or ``first:step:last``, a row vector."""
    if last is None:
        step, last = 1, step_or_last
    else:
        step = step_or_last
    first, step, last = (_scalar(v) for v in (first, step, last))
    if step == 0 or (last - first) * step < 0:
        return np.zeros((1, 0))
    n = int(math.floor((last - first) / step + 1e-10)) + 1
    return (first + step * np.arange(n, dtype=float)).reshape(1, -1)


def _scalar(v):
    a = np.asarray(v)
    if a.size == 0:
        raise DataError("a range bound is empty", expected="a number")
    return a.ravel(order="F")[0].item() if a.ndim else a.item()


def _as_array(x):
    """An element of ``[...]`` as a 2-D array (numbers, logicals, string arrays)."""
    if isinstance(x, np.ndarray):
        return x.reshape(1, -1) if x.ndim < 2 else x
    return np.array([[x]], dtype=object if isinstance(x, str) else None)


def _is_layers(x):
    return isinstance(x, Layer) or (isinstance(x, list) and x and all(
        isinstance(v, Layer) for v in x))


def _join(items, axis):
    items = [x for x in items if not (isinstance(x, (np.ndarray, list)) and numel(x) == 0)]
    if not items:
        return np.zeros((0, 0))
    if len(items) == 1:
        return items[0]
    if any(_is_layers(x) for x in items):  # a layer array is a list
        out = []
        for x in items:
            if isinstance(x, Layer):
                out.append(x)
            elif _is_layers(x):
                out.extend(x)
            else:
                raise DataError(f"cannot put {type(x).__name__} in a layer array",
                                expected="layers")
        return out
    if all(isinstance(x, str) for x in items) and axis == 1:
        return "".join(items)
    if any(isinstance(x, Cell) for x in items):
        parts = [x.data if isinstance(x, Cell) else cell_of([x], (1, 1)).data for x in items]
        return Cell(np.concatenate(parts, axis=axis))
    if any(isinstance(x, Categorical) for x in items):
        cats = list(dict.fromkeys(c for x in items if isinstance(x, Categorical) for c in x.cats))
        parts = [x if isinstance(x, Categorical) else Categorical.of(_as_array(x), cats)
                 for x in items]
        labels = np.concatenate([p.labels() for p in parts], axis=axis)
        return Categorical.of(labels, cats)
    return np.concatenate([_as_array(x) for x in items], axis=axis)


def mat(rows):
    """MATLAB's ``[a b; c d]``: each row joined left to right, the rows top to bottom."""
    return _join([_join(row, 1) for row in rows], 0)


def strings(rows):
    """``["a" "b"]``: a string array."""
    return np.array(rows, dtype=object).reshape(len(rows), -1)


def cell(*rows_or_size):
    """``{a, b; c, d}`` (a list of rows), or ``cell(m, n)``: an m-by-n cell of empty arrays."""
    if len(rows_or_size) == 1 and isinstance(rows_or_size[0], list):
        rows = rows_or_size[0]
        width = _b.max((len(r) for r in rows), default=0)
        data = np.empty((len(rows), width), dtype=object)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                data[i, j] = v
        return Cell(data)
    dims = [int(_scalar(d)) for d in rows_or_size] or [0]
    if len(dims) == 1:
        dims = dims * 2
    data = np.empty(dims, dtype=object)
    for k in range(data.size):
        data.flat[k] = np.zeros((0, 0))
    return Cell(data)


def cs(x, *subs):
    """``x{...}`` where a list of values is wanted (``[x{:}]``, ``f(x{:})``)."""
    if isinstance(x, Cell):
        picked = index(x, *subs) if subs and not (len(subs) == 1 and subs[0] is COLON) else x
        return list(picked) if isinstance(picked, Cell) else [picked]
    raise DataError("{...} indexing needs a cell array", expected="a cell array")


# --- indexing -----------------------------------------------------------------------------------


def _subscript(s, n):
    """A MATLAB subscript as 0-based NumPy indices over a dimension of ``n``."""
    if s is COLON:
        return np.arange(n)
    if isinstance(s, str) and s == ":":
        return np.arange(n)
    a = np.asarray(s)
    if a.dtype == bool:
        return np.flatnonzero(a.ravel(order="F"))
    flat = a.ravel(order="F").astype(float)
    if flat.size and (np.any(flat < 1) or np.any(flat != np.round(flat))):
        raise DataError(f"index {flat[(flat < 1) | (flat != np.round(flat))][0]:g} is not a "
                        "positive integer", expected="indices 1, 2, ...")
    return flat.astype(np.int64) - 1


def _grid(x):
    """(2-D array, how to wrap a part of it back)."""
    if isinstance(x, Cell):
        return x.data, Cell
    if isinstance(x, Categorical):
        return x.codes, lambda codes: Categorical(codes, x.cats)
    if isinstance(x, str):
        return np.array([list(x)], dtype=object), lambda a: "".join(a.ravel(order="F"))
    if isinstance(x, list) and x and all(isinstance(v, (int, float, np.number)) for v in x):
        return np.asarray(x, dtype=float).reshape(1, -1), lambda a: a  # (info.TrainingLoss)
    if isinstance(x, list):
        col = np.empty((len(x), 1), dtype=object)
        for k, v in enumerate(x):
            col[k, 0] = v
        return col, lambda a: list(a.ravel(order="F"))
    if x is None:
        return np.zeros((0, 0)), lambda a: a
    a = np.asarray(x)
    return (a.reshape(1, -1) if a.ndim < 2 else a), lambda a: a


def index(x, *subs):
    """``x(subs)``: the part of ``x`` (a scalar number for one element of a numeric array)."""
    if isinstance(x, Table):
        return _table_part(x, subs)
    if not subs:  # x()
        return x
    grid, wrap = _grid(x)
    if len(subs) == 1:
        s = subs[0]
        flat = grid.ravel(order="F")
        ix = _subscript(s, flat.size)
        _check_bounds(ix, flat.size)
        part = flat[ix]
        if s is COLON:
            shape = (flat.size, 1)
        elif _b.min(grid.shape) <= 1 and np.ndim(s) <= 2 and (np.size(s) > 1 or np.ndim(s) == 0):
            shape = (1, part.size) if grid.shape[0] == 1 and grid.ndim == 2 else (part.size, 1)
        else:
            shape = _shape(s) if not isinstance(s, (bool, np.bool_)) else (1, part.size)
            if np.asarray(s).dtype == bool:
                shape = (1, part.size) if grid.shape[0] == 1 else (part.size, 1)
        part = part.reshape(shape, order="F")
    else:
        ixs = []
        for k, s in enumerate(subs):
            n = grid.shape[k] if k < grid.ndim - 1 or len(subs) == grid.ndim else \
                int(np.prod(grid.shape[k:]))
            ix = _subscript(s, n)
            _check_bounds(ix, n)
            ixs.append(ix)
        g = grid if len(subs) == grid.ndim else grid.reshape(
            grid.shape[:len(subs) - 1] + (-1,), order="F") if len(subs) < grid.ndim else \
            grid.reshape(grid.shape + (1,) * (len(subs) - grid.ndim))
        part = g[np.ix_(*ixs)]
    if isinstance(x, (Cell, Categorical, str)) or (isinstance(x, list) and grid.dtype == OBJECT):
        return wrap(part)
    if part.size == 1 and part.dtype != object:
        return part.ravel()[0].item()
    if part.size == 1 and isinstance(x, np.ndarray) and x.dtype == OBJECT:
        return part.ravel()[0]
    return part


def _check_bounds(ix, n):
    if ix.size and ix.max() >= n:
        raise DataError(f"index {int(ix.max()) + 1} exceeds the {n} elements", expected=f"an "
                        f"index from 1 to {n}")


def brace(x, *subs):
    """``x{subs}``: one element of a cell array (or a table's contents)."""
    if isinstance(x, Table):
        part = _table_part(x, subs)
        return np.concatenate([_as_array(c) for c in part.columns()], axis=1)
    if not isinstance(x, Cell):
        raise DataError(f"{{}} indexing needs a cell array, got {type(x).__name__}",
                        expected="a cell array")
    part = index(x, *subs)
    if part.data.size != 1:
        raise DataError(f"x{{...}} here names {part.data.size} elements; one was expected",
                        expected="one cell element")
    return part.data.ravel()[0]


def _table_part(t, subs):
    rows, cols = (subs + (COLON,))[:2] if len(subs) < 2 else subs[:2]
    names = [k for k in t.__dict__ if k != "Properties"]
    if isinstance(cols, str) and cols != ":":
        picked = [cols]
    else:
        picked = [names[i] for i in _subscript(cols, len(names))]
    return Table({k: index(getattr(t, k), rows, 1) if rows is not COLON else getattr(t, k)
                  for k in picked})


def _empty_like(value):
    if isinstance(value, Cell):
        return Cell(np.empty((0, 0), dtype=object))
    if isinstance(value, Categorical):
        return Categorical(np.zeros((0, 0), np.int64), value.cats)
    if isinstance(value, str):
        return ""
    return np.zeros((0, 0))


def setindex(x, value, *subs):
    """``x(subs) = value``: ``x`` with those elements replaced, grown as MATLAB grows it (a new
    or empty ``x`` indexed by one subscript grows as a row); ``x(subs) = []`` deletes."""
    if isinstance(value, np.ndarray) and value.size == 0 and x is not None and \
            not isinstance(value, Cell):
        return _delete(x, subs)
    if x is None or (isinstance(x, np.ndarray) and x.size == 0 and not isinstance(value, Cell)):
        x = _empty_like(value)
    if isinstance(x, Categorical):
        cats = x.cats + [c for c in (value.cats if isinstance(value, Categorical) else
                                     [str(v) for v in np.ravel(value)]) if c not in x.cats]
        new = Categorical.of(value.labels() if isinstance(value, Categorical) else value, cats)
        # codes + 1, so that the places growing fills (zeros) are <undefined>
        codes = setindex(x.codes + 1.0, new.codes + 1.0, *subs)
        return Categorical(np.asarray(codes) - 1, cats)
    if isinstance(x, list) and _is_layers(value) or (isinstance(x, list) and not x):
        grid, _ = _grid(x)
        new = _set(grid, value if not isinstance(value, list) else _grid(value)[0], subs,
                   object)
        return list(new.ravel(order="F"))
    if isinstance(x, Cell):
        val = value.data if isinstance(value, Cell) else cell_of([value], (1, 1)).data
        return Cell(_set(x.data, val, subs, object))
    grid, _ = _grid(x)
    val = np.asarray(value)
    dtype = np.result_type(grid.dtype, val.dtype) if val.dtype != OBJECT else object
    if dtype == np.dtype(bool) and grid.dtype != np.dtype(bool):
        dtype = float
    return _set(grid.astype(dtype, copy=True), val, subs, dtype)


def _set(grid, val, subs, dtype):
    grid = grid.copy()
    if len(subs) == 1:
        s = subs[0]
        n = grid.size
        ix = _subscript(s, n)
        need = int(ix.max()) + 1 if ix.size else 0
        if need > n:
            if grid.shape[0] <= 1 and grid.ndim == 2:
                grid = _grow(grid, (1, need), dtype)
            elif grid.shape[1] == 1:
                grid = _grow(grid, (need, 1), dtype)
            else:
                raise DataError("x(k) = v cannot grow a matrix (give row and column)",
                                expected="x(i, j) = v")
        flat = grid.reshape(-1, order="F")
        v = np.asarray(val, dtype=OBJECT if dtype == OBJECT else None)
        flat[ix] = v.ravel(order="F") if v.size == ix.size else v.ravel()[0] if v.size == 1 \
            else _mismatch(ix.size, v.size)
        return flat.reshape(grid.shape, order="F")
    if len(subs) > grid.ndim:
        grid = grid.reshape(grid.shape + (1,) * (len(subs) - grid.ndim))
    shape = list(grid.shape)
    ixs = []
    for k, s in enumerate(subs):
        ix = _subscript(s, shape[k]) if s is not COLON or shape[k] else \
            np.arange(_b.max(np.shape(val)[k] if k < np.ndim(val) else 1, 1))
        ixs.append(ix)
        if ix.size:
            shape[k] = _b.max(shape[k], int(ix.max()) + 1)
    if tuple(shape) != grid.shape:
        grid = _grow(grid, tuple(shape), dtype)
    v = np.asarray(val, dtype=OBJECT if dtype == OBJECT else None)
    target = tuple(len(i) for i in ixs)
    if v.size == 1:
        grid[np.ix_(*ixs)] = v.ravel()[0]
    elif v.size == int(np.prod(target)):
        grid[np.ix_(*ixs)] = v.reshape(target, order="F") if v.shape != target else v
    else:
        _mismatch(int(np.prod(target)), v.size)
    return grid


def _mismatch(want, got):
    raise DataError(f"cannot assign {got} elements to {want} places", expected=f"{want} "
                    "elements, or one")


def _grow(grid, shape, dtype):
    fill = None if dtype == OBJECT else 0
    new = np.empty(shape, dtype=dtype) if dtype == OBJECT else np.zeros(shape, dtype=dtype)
    if dtype == OBJECT:
        for k in range(new.size):
            new.flat[k] = np.zeros((0, 0)) if fill is None else fill
    new[tuple(slice(0, n) for n in grid.shape)] = grid
    return new


def _delete(x, subs):
    grid, wrap = _grid(x)
    if len(subs) == 1:
        keep = np.setdiff1d(np.arange(grid.size), _subscript(subs[0], grid.size))
        part = grid.ravel(order="F")[keep]
        part = part.reshape((1, -1) if grid.shape[0] == 1 else (-1, 1))
    else:
        dim = next(k for k, s in enumerate(subs) if s is not COLON)
        keep = np.setdiff1d(np.arange(grid.shape[dim]), _subscript(subs[dim], grid.shape[dim]))
        part = np.take(grid, keep, axis=dim)
    if isinstance(x, Categorical):
        return Categorical(part, x.cats)
    return wrap(part) if isinstance(x, (Cell, str, list)) else part


def setbrace(x, value, *subs):
    """``x{subs} = value``."""
    if x is None or (isinstance(x, np.ndarray) and x.size == 0):
        x = Cell(np.empty((0, 0), dtype=object))
    if not isinstance(x, Cell):
        raise DataError("x{...} = v needs a cell array", expected="a cell array")
    return Cell(_set(x.data, cell_of([value], (1, 1)).data, subs, object))


def setfield(x, name, value):
    """``x.name = value``: a copy of ``x`` with the field set (MATLAB structs are values: a
    struct copied before is not changed); a new struct when ``x`` is new."""
    x = Struct() if x is None else copy.copy(x) if type(x) is Struct else x
    setattr(x, name, value)
    return x


# --- operators ----------------------------------------------------------------------------------


def _num(x):
    if isinstance(x, (Cell, Categorical, Struct, list)):
        raise DataError(f"arithmetic on a {type(x).__name__}", expected="numbers")
    return x


def mtimes(a, b):
    """``a * b``: matrix product, elementwise when one side is a scalar."""
    a, b = _num(a), _num(b)
    if np.ndim(a) == 0 or np.ndim(b) == 0 or np.size(a) == 1 or np.size(b) == 1:
        return a * b
    return np.asarray(a) @ np.asarray(b)


def mrdivide(a, b):
    """``a / b`` for a scalar ``b`` (MATLAB's matrix division otherwise: not translated)."""
    a, b = _num(a), _num(b)
    if np.size(b) != 1:
        raise NotImplementedError("a / B with a matrix B (MATLAB's least-squares division) is "
                                  "not translated; use ./ for elementwise division")
    return a / (b if np.ndim(b) == 0 else np.asarray(b).ravel()[0])


def mpower(a, b):
    """``a ^ b`` for scalars."""
    if np.size(a) == 1 and np.size(b) == 1:
        return a ** b
    return np.linalg.matrix_power(np.asarray(a), int(_scalar(b)))


def transpose(x):
    """``x'``."""
    if isinstance(x, Cell):
        return Cell(x.data.T)
    if isinstance(x, Categorical):
        return Categorical(x.codes.T, x.cats)
    if isinstance(x, list):
        return x
    if isinstance(x, str):
        return np.array(list(x), dtype=object).reshape(-1, 1)
    if np.ndim(x) == 0:
        return x
    a = np.asarray(x)
    return (a.reshape(1, -1) if a.ndim == 1 else a).T


def plus(a, b):
    """``a + b`` where one side may be a string: "Accuracy: " + 0.9 is "Accuracy: 0.9"."""
    if isinstance(a, str) or isinstance(b, str) or _is_strings(a) or _is_strings(b):
        sa, sb = _text(a), _text(b)
        if isinstance(sa, np.ndarray) or isinstance(sb, np.ndarray):
            return np.asarray(sa, dtype=object) + np.asarray(sb, dtype=object)
        return sa + sb
    return a + b


def _is_strings(x):
    return isinstance(x, np.ndarray) and x.dtype == OBJECT and x.size and isinstance(
        x.ravel()[0], str)


def _text(x):
    if isinstance(x, str):
        return x
    if isinstance(x, Categorical):
        return x.labels().astype(object)
    if isinstance(x, np.ndarray):
        if x.size == 1 and x.dtype != object:
            return num2str(x.ravel()[0].item(), 5)
        return np.vectorize(lambda v: v if isinstance(v, str) else num2str(v, 5),
                            otypes=[object])(x)
    return num2str(x, 5) if not isinstance(x, bool) else ("true" if x else "false")


def truth(x) -> bool:
    """MATLAB's ``if x``: true when x is non-empty and all its elements are non-zero."""
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, str):
        return bool(x) and all(c != "\0" for c in x)
    a = np.asarray(x)
    return a.size > 0 and bool(np.all(a))


def not_(x):
    if isinstance(x, (bool, np.bool_, int, float)):
        return not x
    return np.logical_not(x)


def switch_match(subject, case) -> bool:
    """``case`` of a switch: equal numbers or strings, or one of a cell of them."""
    if isinstance(case, Cell):
        return any(switch_match(subject, c) for c in case)
    if isinstance(subject, str) or isinstance(case, str):
        return isinstance(subject, str) and isinstance(case, str) and subject == case
    return bool(np.all(np.asarray(subject) == np.asarray(case)))


# --- loops ---------------------------------------------------------------------------------------


def iterate(x):
    """``for v = x``: the columns of x (numbers for a row vector)."""
    if isinstance(x, Cell):
        for j in range(x.shape[1]):
            yield Cell(x.data[:, j:j + 1])
        return
    grid, _ = _grid(x)
    if grid.shape[0] == 1 and grid.dtype != object:
        for v in grid.ravel():
            v = v.item()
            yield int(v) if isinstance(v, float) and v.is_integer() else v
        return
    for j in range(grid.shape[1]):
        yield grid[:, j:j + 1]


# --- reductions and elementwise functions -------------------------------------------------------


def _dim(a, dim):
    if dim is not None:
        return int(_scalar(dim)) - 1
    return next((k for k, n in enumerate(a.shape) if n != 1), 0)


def _reduce(fn, x, dim=None, **kw):
    a = np.asarray(x, dtype=float) if np.asarray(x).dtype == bool else np.asarray(x)
    if isinstance(x, (list, Cell, Categorical)):
        raise DataError(f"cannot reduce a {type(x).__name__}", expected="numbers")
    if a.ndim < 2:
        a = a.reshape(1, -1)
    if isinstance(dim, str) and dim.lower() == "all":
        return fn(a.ravel(), **kw).item()
    if a.size == 0 and dim is None:
        return fn(a.ravel(), **kw).item() if a.size else (0.0 if fn is np.sum else np.nan)
    d = _dim(a, dim)
    out = fn(a, axis=d, keepdims=True, **kw)
    return out.ravel()[0].item() if out.size == 1 else out


def sum(x, dim=None):  # noqa: A001 (MATLAB's name)
    return _reduce(np.sum, x, dim)


def mean(x, dim=None):
    return _reduce(np.mean, x, dim)


def _ddof(w):
    """std/var's weight: 0 or [] normalise by N-1, 1 by N."""
    return 0 if np.size(w) == 1 and float(np.ravel(w)[0]) == 1 else 1


def std(x, w=0, dim=None):
    """``std(x)``, ``std(x, 0, dim)``, ``std(x, [], dim)``, ``std(x, 1)`` (normalised by N)."""
    return _reduce(np.std, x, dim, ddof=_ddof(w))


def var(x, w=0, dim=None):
    return _reduce(np.var, x, dim, ddof=_ddof(w))


def median(x, dim=None):
    return _reduce(np.median, x, dim)


def prod(x, dim=None):
    return _reduce(np.prod, x, dim)


def cumsum(x, dim=None):
    a = np.asarray(x, dtype=float)
    a = a.reshape(1, -1) if a.ndim < 2 else a
    return np.cumsum(a, axis=_dim(a, dim))


def _extreme(fn, argfn, x, y=None, dim=None, nargout=1):
    if y is not None and not (isinstance(y, np.ndarray) and y.size == 0):
        return fn(np.asarray(x), np.asarray(y)) if np.size(x) > 1 or np.size(y) > 1 else \
            (fn(x, y).item() if hasattr(fn(x, y), "item") else fn(x, y))
    a = np.asarray(x, dtype=float)
    a = a.reshape(1, -1) if a.ndim < 2 else a
    if a.size == 0:
        return (np.zeros((0, 0)), np.zeros((0, 0))) if nargout > 1 else np.zeros((0, 0))
    d = _dim(a, dim)
    value = fn.reduce(a, axis=d, keepdims=True)
    where = argfn(a, axis=d, keepdims=True) + 1.0
    value, where = (v.ravel()[0].item() if v.size == 1 else v for v in (value, where))
    return (value, where) if nargout > 1 else value


def max(x, y=None, dim=None, nargout=1):  # noqa: A001
    return _extreme(np.maximum, np.argmax, x, y, dim, nargout)


def min(x, y=None, dim=None, nargout=1):  # noqa: A001
    return _extreme(np.minimum, np.argmin, x, y, dim, nargout)


def sort(x, *args, nargout=1):
    """``[s, idx] = sort(x)`` / ``sort(x, 'descend')`` / ``sort(x, dim)``: stable, as MATLAB."""
    descend = any(isinstance(a, str) and a.lower() == "descend" for a in args)
    dims = [a for a in args if not isinstance(a, str)]
    if isinstance(x, Cell):
        items = [str(v) for v in x]
        order = sorted(range(len(items)), key=items.__getitem__, reverse=descend)
        out = index(x, np.array(order) + 1)
        return (out, (np.array(order, float) + 1).reshape(_shape(out))) if nargout > 1 else out
    a = np.asarray(x, dtype=float)
    a = a.reshape(1, -1) if a.ndim < 2 else a
    d = _dim(a, dims[0] if dims else None)
    order = np.argsort(-a if descend else a, axis=d, kind="stable")
    out = np.take_along_axis(a, order, axis=d)
    return (out, order + 1.0) if nargout > 1 else out


def _elementwise(fn):
    def apply(x):
        if isinstance(x, (Cell, Categorical, list, str)):
            raise DataError(f"{fn.__name__} of a {type(x).__name__}", expected="numbers")
        out = fn(x)
        return out.item() if isinstance(out, np.generic) else out
    apply.__name__ = fn.__name__
    return apply


sqrt, exp, log, abs, floor, ceil, fix, sin, cos, tanh, log10, log2, sign = (  # noqa: A001
    _elementwise(f) for f in (np.sqrt, np.exp, np.log, np.abs, np.floor, np.ceil, np.fix,
                              np.sin, np.cos, np.tanh, np.log10, np.log2, np.sign))


def round(x, n=0):  # noqa: A001
    """MATLAB rounds halves away from zero."""
    a = np.asarray(x, dtype=float) * 10.0 ** n
    out = np.sign(a) * np.floor(np.abs(a) + 0.5) / 10.0 ** n
    return out.item() if out.ndim == 0 else out


def mod(a, b):
    out = np.mod(a, b)
    return out.item() if isinstance(out, np.generic) else out


def rem(a, b):
    out = np.fmod(a, b)
    return out.item() if isinstance(out, np.generic) else out


def _dims(args):
    dims = [int(_scalar(a)) for a in args if not isinstance(a, str)]
    if not dims:
        return (1, 1)
    if len(dims) == 1 and np.size(args[0]) > 1:
        return tuple(int(v) for v in np.ravel(args[0]))
    return (dims[0], dims[0]) if len(dims) == 1 else tuple(dims)


def zeros(*args):
    return np.zeros(_dims(args))


def ones(*args):
    return np.ones(_dims(args))


def nan(*args):
    return np.full(_dims(args), np.nan)


def rand(*args):
    return np.random.random_sample(_dims(args))


def randn(*args):
    return np.random.standard_normal(_dims(args))


def randperm(n, k=None):
    p = np.random.permutation(int(n)) + 1.0
    return p[: int(k) if k is not None else None].reshape(1, -1)


def trainingPartitions(n, fractions, nargout=1):
    """The helper of MATLAB's examples: a random partition of 1..n into index rows of the
    given fractions (the last takes what rounding leaves)."""
    order = np.random.permutation(int(n)) + 1.0
    fractions = np.ravel(fractions)
    sizes = [int(np.floor(f * int(n))) for f in fractions[:-1]]
    cuts = np.cumsum(sizes)
    parts = [p.reshape(1, -1) for p in np.split(order, cuts)]
    return tuple(parts[:nargout]) if nargout > 1 else parts[0]


def linspace(a, b, n=100):
    return np.linspace(a, b, int(n)).reshape(1, -1)


def reshape(x, *dims):
    dims = _dims(dims) if len(dims) > 1 or np.size(dims[0]) > 1 else (int(dims[0]),)
    a = np.asarray(x)
    if any(isinstance(d, np.ndarray) and d.size == 0 for d in dims):
        raise NotImplementedError("reshape with [] is not translated")
    return a.reshape(dims, order="F")


def repmat(x, *reps):
    return np.tile(np.asarray(x).reshape(_shape(x)), _dims(reps))


def find(x, k=None):
    a = np.asarray(x)
    a = a.reshape(1, -1) if a.ndim < 2 else a
    ix = np.flatnonzero(a.ravel(order="F")) + 1.0
    if k is not None:
        ix = ix[: int(k)]
    return ix.reshape((1, -1) if a.shape[0] == 1 else (-1, 1))


def any_(x, dim=None):
    return _reduce(np.any, x, dim)


def all_(x, dim=None):
    return _reduce(np.all, x, dim)


def isnan(x):
    return np.isnan(np.asarray(x, dtype=float))


def double(x):
    if isinstance(x, Categorical):
        return (x.codes + 1.0)
    if isinstance(x, str):
        return np.array([[ord(c) for c in x]], dtype=float)
    return np.asarray(x, dtype=float)


def horzcat(*xs):
    return _join(list(xs), 1)


def vertcat(*xs):
    return _join(list(xs), 0)


def cat(dim, *xs):
    return _join(list(xs), int(dim) - 1)


def cellfun(fn, *cells_and_options):
    """``cellfun(@f, C)``; ``'UniformOutput', false`` gives a cell array."""
    cells, uniform = list(cells_and_options), True
    if len(cells) >= 3 and isinstance(cells[-2], str) and cells[-2].lower() == "uniformoutput":
        uniform = truth(cells[-1])
        cells = cells[:-2]
    if isinstance(fn, str):
        fn = {"isempty": isempty, "length": length, "numel": numel}[fn]
    shape = cells[0].shape
    out = [fn(*args) for args in zip(*(list(c) for c in cells))]
    if not uniform:
        return cell_of(out, shape)
    arr = np.array([np.asarray(v).item() if np.size(v) == 1 else _not_uniform() for v in out],
                   dtype=float)
    return arr.reshape(shape, order="F")


def _not_uniform():
    raise DataError("cellfun: a result is not a scalar; give 'UniformOutput', false",
                    expected="one number per cell")


def arrayfun(fn, *arrays_and_options):
    arrays, uniform = list(arrays_and_options), True
    if len(arrays) >= 3 and isinstance(arrays[-2], str) and arrays[-2].lower() == "uniformoutput":
        uniform = truth(arrays[-1])
        arrays = arrays[:-2]
    grids = [_grid(a)[0] for a in arrays]
    out = [fn(*(v.item() if hasattr(v, "item") else v for v in vals))
           for vals in zip(*(g.ravel(order="F") for g in grids))]
    if not uniform:
        return cell_of(out, grids[0].shape)
    return np.array([float(np.asarray(v).item()) for v in out]).reshape(grids[0].shape,
                                                                       order="F")


def num2cell(x):
    grid, _ = _grid(x)
    return cell_of([v.item() if hasattr(v, "item") else v for v in grid.ravel(order="F")],
                   grid.shape)


def cell2mat(c):
    if not isinstance(c, Cell):
        raise DataError("cell2mat needs a cell array", expected="a cell array")
    return mat([[c.data[i, j] for j in range(c.shape[1])] for i in range(c.shape[0])])


# --- categorical and text -----------------------------------------------------------------------


def categorical(x, valueset=None):
    if isinstance(x, Categorical):
        return x
    if isinstance(x, Cell):
        labels = np.array([str(v) for v in x.data.ravel(order="F")], dtype=object).reshape(
            x.shape, order="F")
    elif isinstance(x, str):
        labels = np.array([[x]], dtype=object)
    else:
        labels = np.vectorize(_label, otypes=[object])(_grid(x)[0])
    cats = None if valueset is None else [_label(v) for v in (
        valueset if isinstance(valueset, Cell) else np.ravel(valueset))]
    return Categorical.of(labels.astype(str), cats)


def _label(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def categories(c):
    """The categories of a categorical array, as a column cell of char vectors."""
    if not isinstance(c, Categorical):
        c = categorical(c)
    return cell_of(list(c.cats))


def countcats(c):
    return np.array([[np.count_nonzero(c.codes == k)] for k in range(len(c.cats))], float)


def num2str(x, precision=None):
    """MATLAB's num2str: integers as such, others with 4 decimals (or ``precision``
    significant digits)."""
    if isinstance(x, str):
        return x
    a = np.asarray(x)
    if a.size != 1:
        return "  ".join(num2str(v.item(), precision) for v in a.ravel(order="F"))
    v = a.ravel()[0].item()
    if isinstance(v, (bool, np.bool_)):
        return "1" if v else "0"
    if isinstance(v, str):
        return v
    if float(v).is_integer():
        return str(int(v))
    if isinstance(precision, str):
        return sprintf(precision, v)
    if precision is None:  # MATLAB: max(5, digits before the point + 4) significant digits
        if not math.isfinite(v):
            return "NaN" if v != v else ("Inf" if v > 0 else "-Inf")
        digits = _b.max(5, math.floor(math.log10(_b.abs(v))) + 5) if v else 1
        return f"{v:.{digits}g}"
    return f"{v:.{int(precision)}g}"


def string(x):
    """MATLAB's string(x): text of numbers (5 significant digits), a string array for arrays."""
    if isinstance(x, str):
        return x
    if isinstance(x, Categorical):
        return x.labels().astype(object)
    if isinstance(x, Cell):
        return np.vectorize(str, otypes=[object])(x.data)
    a = np.asarray(x)
    if a.size == 1 and a.ndim == 0:
        return num2str(a.item(), 5)
    return np.vectorize(lambda v: num2str(v, 5), otypes=[object])(_grid(a)[0])


def str2double(s):
    try:
        return float(str(s))
    except ValueError:
        return math.nan


_FORMAT = re.compile(r"%(-?\+?0?\d*(?:\.\d+)?)([dicfeEgGsu%])")


def sprintf(fmt, *args):
    """MATLAB's sprintf: the format reused until the arguments run out; arrays give their
    elements in column order."""
    values = []
    for a in args:
        if isinstance(a, str):
            values.append(a)
        elif isinstance(a, Categorical):
            values.extend(a.labels().ravel(order="F"))
        elif isinstance(a, Cell):
            values.extend(a)
        else:
            values.extend(v.item() if hasattr(v, "item") else v
                          for v in np.asarray(a).ravel(order="F"))
    fmt = fmt.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")
    conversions = _b.sum(1 for mo in _FORMAT.finditer(fmt) if mo.group(2) != "%") if values \
        else 0
    out, queue = [], list(values)
    while True:
        out.append(_FORMAT.sub(lambda mo: _convert(mo, queue), fmt))
        if not conversions or not queue:
            break
    return "".join(out)


def _convert(mo, queue):
    flags, conv = mo.groups()
    if conv == "%":
        return "%"
    if not queue:
        return ""
    v = queue.pop(0)
    if conv in "dicu":
        if isinstance(v, str):
            return v
        if float(v).is_integer():
            return ("%" + flags + "d") % int(v)
        conv = "e" if _b.abs(v) >= 1e5 or _b.abs(v) < 1e-4 else "f"
        return ("%" + flags + conv) % v
    if conv == "s":
        return ("%" + flags + "s") % (v if isinstance(v, str) else num2str(v))
    return ("%" + flags + conv) % float(v)


def fprintf(fmt, *args):
    print(sprintf(fmt, *args), end="")


def disp(x):
    """MATLAB's disp: text as it is, numbers as num2str writes them."""
    if isinstance(x, str):
        print(x)
    elif isinstance(x, np.ndarray) and x.dtype == OBJECT:
        for row in x:
            print("    ".join(str(v) for v in row))
    elif isinstance(x, np.ndarray) and x.size > 1:
        print(np.array2string(x, precision=4, suppress_small=True))
    elif isinstance(x, (int, float, np.generic)) or (isinstance(x, np.ndarray)):
        print(num2str(x))
    else:
        print(x)


def display(name, value):
    """A statement without a semicolon: ``name =`` and its value, as MATLAB shows it."""
    print(f"{name} =")
    disp(value)


def strcmp(a, b):
    return isinstance(a, str) and isinstance(b, str) and a == b


def strcat(*parts):
    return "".join(str(p).rstrip() if not isinstance(p, str) else p for p in parts)


class ProgramError(LayerGraphError):
    """``error(...)`` raised by the MATLAB program itself."""


def error(message, *args):
    """MATLAB's ``error(msg)`` / ``error(fmt, values...)`` (an identifier first is left out)."""
    if args and re.fullmatch(r"\w+(:\w+)+", str(message)):
        message, args = args[0], args[1:]
    raise ProgramError(sprintf(message, *args) if args else str(message))


def struct(*pairs):
    """``struct('a', 1, 'b', 2)``: a scalar struct (a cell value is taken as it is)."""
    return Struct(**{str(pairs[k]): pairs[k + 1] for k in range(0, len(pairs) - 1, 2)})


def lower(s):
    return s.lower() if isinstance(s, str) else np.vectorize(str.lower, otypes=[object])(s)


def upper(s):
    return s.upper() if isinstance(s, str) else np.vectorize(str.upper, otypes=[object])(s)


def strrep(s, old, new):
    return s.replace(old, new)


def contains(s, pattern):
    return pattern in s


def int2str(x):
    return num2str(round(x))


def mat2str(x):
    a = _grid(x)[0]
    rows = [" ".join(num2str(v) for v in row) for row in a]
    return rows[0] if a.size == 1 else "[" + ";".join(rows) + "]"


def isnumeric(x):
    return isinstance(x, (int, float, np.ndarray)) and not isinstance(x, bool) and (
        not isinstance(x, np.ndarray) or x.dtype.kind in "iuf")


def ischar(x):
    return isinstance(x, str)


def isfield(s, name):
    return isinstance(s, Struct) and name in s.__dict__


def fullfile(*parts):
    return os.path.join(*[str(p) for p in parts])


def rng(seed=0, *args):
    """``rng(seed)`` / ``rng("default")``: seed NumPy's and torch's generators."""
    seed = 0 if isinstance(seed, str) else int(seed)
    np.random.seed(seed)
    try:
        import torch
        torch.manual_seed(seed)
    except ImportError:  # pragma: no cover
        pass


_TIC = [time.perf_counter()]


def tic():
    _TIC[0] = time.perf_counter()


def toc(nargout=0):
    elapsed = time.perf_counter() - _TIC[0]
    if nargout:
        return elapsed
    print(f"Elapsed time is {elapsed:.6f} seconds.")
    return None


# --- files ---------------------------------------------------------------------------------------


def _numeric_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        text = f.read()
    delim = "," if "," in text else ("\t" if "\t" in text else None)
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        cells = line.split(delim) if delim else line.split()
        rows.append([c.strip() for c in cells])
    return rows


def _as_float(c):
    try:
        return float(c)
    except ValueError:
        return math.nan


def readmatrix(path, *options):
    """The numbers of a delimited text file; leading header lines (no number in them) are
    skipped, text cells are NaN, as MATLAB's readmatrix does."""
    rows = [[_as_float(c) for c in r] for r in _numeric_rows(path)]
    while rows and all(math.isnan(v) for v in rows[0]):
        rows.pop(0)
    width = _b.max(len(r) for r in rows) if rows else 0
    return np.array([r + [math.nan] * (width - len(r)) for r in rows], dtype=float).reshape(
        len(rows), width)



def csvread(path, r=0, c=0):
    """csvread(path, R, C): the numbers from 0-based row R and column C on."""
    rows = [[_as_float(x) for x in row] for row in _numeric_rows(path)]
    return np.array(rows, dtype=float)[int(r):, int(c):]


dlmread = csvread


def readtable(path, *options):
    """A table of a delimited text file whose first line names the columns: numeric columns
    become column vectors, the others cells of text."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], [r for r in rows[1:] if r]
    columns = {}
    for j, name in enumerate(header):
        key = re.sub(r"\W", "_", name.strip()) or f"Var{j + 1}"
        key = key if key[0].isalpha() else "x" + key
        vals = [r[j] if j < len(r) else "" for r in body]
        nums = [_as_float(v) for v in vals]
        if all(not math.isnan(v) or vals[k].strip() in ("", "NaN") for k, v in enumerate(nums)):
            columns[key] = np.array(nums, dtype=float).reshape(-1, 1)
        else:
            columns[key] = cell_of(vals)
    return Table(columns)


def table2array(t):
    return np.concatenate([_as_array(c) for c in t.columns()], axis=1)


def load(path):
    """``S = load(file)``: a struct of a .mat file's variables, or the matrix of a text file."""
    path = str(path)
    if not path.lower().endswith(".mat") and os.path.exists(path):
        return readmatrix(path)
    if not os.path.exists(path) and os.path.exists(path + ".mat"):
        path += ".mat"
    from scipy.io import loadmat

    raw = loadmat(path, squeeze_me=False)
    return Struct(**{k: _from_mat(v) for k, v in raw.items() if not k.startswith("__")})


def loaded(data, name, path):
    """Variable ``name`` of a loaded .mat file (``load FILE`` put it in the workspace)."""
    if not isinstance(data, Struct) or name not in data.__dict__:
        raise DataError(f"{path}: the file has no variable '{name}' (the program reads it "
                        "after `load`)", expected=f"a .mat file with a variable {name}")
    return getattr(data, name)


def _from_mat(v):
    if isinstance(v, np.ndarray) and v.dtype == OBJECT:
        return Cell(np.vectorize(_from_mat, otypes=[object])(v))
    if isinstance(v, np.ndarray) and v.dtype.kind == "U":
        return "".join(v.ravel()) if v.size else ""
    return v


# --- data sets -----------------------------------------------------------------------------------


def japanese_vowels_data(split, layout):
    """``[X, Y] = japaneseVowelsTrainData`` / ``...TestData``: a column cell of sequences
    (``layout`` 'CT': 12-by-T, as trainNetwork's releases gave; 'TC': T-by-12, as today's)
    and a categorical column of speakers."""
    from ..datasets import japanese_vowels

    X, Y = japanese_vowels(split, dtype=np.float64)
    seqs = [x.T.copy() if layout == "CT" else x for x in X]
    return cell_of(seqs), Categorical.of(np.asarray(Y).reshape(-1, 1))


# --- networks ------------------------------------------------------------------------------------


def _sequences(X, layout):
    """MATLAB sequence data as layergraph's: a list of (T, C) arrays, or one (T, C) array for
    a numeric matrix (one sequence)."""
    if isinstance(X, Cell):
        seqs = list(X)
        return [np.asarray(s, dtype=np.float32).T if layout == "CT" else
                np.asarray(s, dtype=np.float32) for s in seqs]
    a = np.asarray(X, dtype=np.float32)
    if a.ndim < 2:  # a number: one time step of one channel
        a = a.reshape(1, -1) if layout == "CT" else a.reshape(-1, 1)
    if a.ndim == 2:
        return a.T if layout == "CT" else a
    if a.ndim == 3 and layout == "CT":  # C-by-B-by-T (MATLAB's numeric sequence batch)
        return np.transpose(a, (1, 2, 0))
    return a


def _targets(Y, layout):
    if isinstance(Y, Categorical):
        return Y.labels().ravel(order="F")
    if isinstance(Y, Cell):
        items = list(Y)
        if items and isinstance(items[0], Categorical):
            return [y.labels().ravel(order="F") for y in items]
        return _sequences(Y, layout)
    a = np.asarray(Y, dtype=np.float32)
    return a


def _responses(Y, X, layout):
    if not isinstance(Y, Cell) and not isinstance(Y, Categorical) and not isinstance(X, Cell):
        return _sequences(Y, layout)  # one sequence: its responses per time step
    return _targets(Y, layout)


def _training_data(X, Y, layout):
    """Predictors and targets for training: one sequence given as a matrix is a list of one."""
    xs, ys = _sequences(X, layout), _responses(Y, X, layout)
    if isinstance(xs, np.ndarray) and xs.ndim == 2:
        xs = [xs]
        ys = [ys] if isinstance(ys, np.ndarray) and ys.ndim == 2 else ys
    return xs, ys


def validation_data(data, layout):
    """trainingOptions' ValidationData ``{X, Y}`` (a cell) as layergraph takes it, (X, Y)."""
    if isinstance(data, Cell) and len(data) == 2:
        X, Y = list(data)
        return _training_data(X, Y, layout)
    return data


def _outputs(Y, layout, single):
    """layergraph's outputs in MATLAB's layout."""
    if isinstance(Y, list):
        return cell_of([y.T if layout == "CT" else y for y in Y])
    a = np.asarray(Y)
    if single and a.ndim == 2:
        return a.T if layout == "CT" else a
    return a


def _label_outputs(labels, classes):
    if isinstance(labels, list):
        return cell_of([Categorical.of(np.asarray(y).reshape(1, -1), classes) for y in labels])
    labels = np.asarray(labels)
    return Categorical.of(labels if labels.ndim == 2 else labels.reshape(-1, 1), classes)


def _options(args):
    return [a.labels().ravel() if isinstance(a, Categorical) else
            (list(a) if isinstance(a, Cell) else a) for a in args]


def trainNetwork(X, Y, layers, options, nargout=1):
    """MATLAB's trainNetwork on C-by-T sequences (a cell array, or one matrix)."""
    from ..training import trainNetwork as train

    net, info = train(*_training_data(X, Y, "CT"), layers, options)
    return (net, info) if nargout > 1 else net


def trainnet(X, T, net, lossFcn, options, nargout=1):
    """MATLAB's trainnet on T-by-C sequences (a cell array, or one matrix)."""
    from ..training import trainnet as train

    net, info = train(*_training_data(X, T, "TC"), net, lossFcn, options)
    return (net, info) if nargout > 1 else net


def classify(net, X, *args, nargout=1):
    from ..network import classify as run

    labels, scores = run(net, _sequences(X, "CT"), *_options(args))
    if not isinstance(X, Cell):  # one sequence: its labels a row (per time step), as MATLAB
        labels = np.asarray(labels).reshape(1, -1)
    out = _label_outputs(labels, list(net.Classes))
    return (out, _outputs(scores, "CT", not isinstance(X, Cell))) if nargout > 1 else out


def _layout(net):
    return "TC" if getattr(net, "dlnetwork", False) else "CT"


def predict(net, X, *args, nargout=1):
    from ..network import predict as run

    layout = _layout(net)
    if nargout > 1:
        Y, state = run(net, _sequences(X, layout), *_options(args), return_state=True)
        return _outputs(Y, layout, not isinstance(X, Cell)), state
    return _outputs(run(net, _sequences(X, layout), *_options(args)), layout,
                    not isinstance(X, Cell))


def predictAndUpdateState(net, X, *args, nargout=1):
    """``[net, Y] = predictAndUpdateState(net, X)``: Y in the layout of X (C-by-T)."""
    from ..network import predictAndUpdateState as run

    net, Y = run(net, _sequences(X, "CT"), *_options(args))
    return (net, _outputs(Y, "CT", not isinstance(X, Cell))) if nargout > 1 else net


def resetState(net):
    from ..network import resetState as run

    return run(net)


def minibatchpredict(net, X, *args, nargout=1):
    from ..modern import minibatchpredict as run

    out = run(net, _sequences(X, "TC"), *_options(args))
    if not isinstance(X, Cell) and isinstance(out, np.ndarray) and out.ndim == 3 and \
            out.shape[0] == 1:
        out = out[0]
    return out


def scores2label(scores, classNames, *args):
    from ..modern import scores2label as run

    names = [str(c) for c in classNames] if isinstance(classNames, Cell) else \
        [str(c) for c in np.ravel(classNames.labels() if isinstance(classNames, Categorical)
                                  else classNames)]
    labels = run(scores, names, *_options(args))
    if isinstance(labels, list):
        return cell_of([Categorical.of(np.asarray(y).reshape(-1, 1), names) for y in labels])
    labels = np.asarray(labels)
    return Categorical.of(labels.reshape(-1, 1) if labels.ndim == 1 else labels, names)


def testnet(net, X, T, metrics, *args):
    from ..modern import testnet as run

    metrics = list(metrics) if isinstance(metrics, (Cell, np.ndarray)) else metrics
    return run(net, _sequences(X, "TC"), _targets(T, "TC"), metrics, *_options(args))


def analyzeNetwork(x):
    from ..analysis import analyzeNetwork as run

    return run(x)


# --- figures --------------------------------------------------------------------------------------

_STATE = {"hold": False, "figures_dir": None}


def start(params):
    """Set up a run: figures headless (Agg) unless MPLBACKEND says otherwise."""
    _STATE["figures_dir"] = params.get("FIGURES_DIR")
    _STATE["hold"] = False
    _plt()


def _plt():
    import matplotlib

    if not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def finish(params, stem="figure"):
    """Save every open figure as PNG in FIGURES_DIR (``plt.show()`` when the backend is
    interactive); returns the paths written."""
    plt = _plt()
    written = []
    folder = params.get("FIGURES_DIR")
    numbers = plt.get_fignums()
    if folder and numbers:
        os.makedirs(folder, exist_ok=True)
        for n in numbers:
            path = os.path.join(folder, f"{stem}{n}.png")
            plt.figure(n).savefig(path, bbox_inches="tight")
            written.append(path)
        print(f"saved {len(written)} figure(s) in {folder}")
    if plt.get_backend().lower() != "agg":  # pragma: no cover (interactive)
        plt.show()
    plt.close("all")
    return written


def figure(*args):
    _STATE["hold"] = False
    _plt().figure()


def _axes():
    return _plt().gca()


def _style(args):
    """MATLAB plot arguments: data, an optional LineSpec, then name-value pairs."""
    data, spec, kw = [], None, {}
    names = {"linewidth": "linewidth", "color": "color", "markersize": "markersize",
             "displayname": "label", "linestyle": "linestyle", "marker": "marker"}
    k = 0
    while k < len(args):
        a = args[k]
        if isinstance(a, str) and a.lower() in names and k + 1 < len(args):
            v = args[k + 1]
            kw[names[a.lower()]] = v if not isinstance(v, np.ndarray) else v.ravel()
            k += 2
            continue
        if isinstance(a, str):
            spec = a
        else:
            data.append(a)
        k += 1
    return data, spec, kw


def _columns(y):
    a = np.asarray(y, dtype=float)
    a = a.reshape(-1, 1) if a.ndim < 2 else a
    return a.T if a.shape[0] == 1 else a  # a vector is one line


def plot(*args):
    """MATLAB's plot: ``plot(y)``, ``plot(x, y)``, LineSpec and name-values; a matrix gives a
    line per column. ``plot(lgraph)`` draws the network (layergraph's plot)."""
    if args and (_is_layers(args[0]) or hasattr(args[0], "Layers") and not isinstance(
            args[0], np.ndarray)):
        return plot_network(args[0])
    ax = _axes()
    if not _STATE["hold"]:
        ax.cla()
    data, spec, kw = _style(args)
    if len(data) == 1:
        y = _columns(data[0])
        x = np.arange(1, y.shape[0] + 1)
    else:
        xs = np.asarray(data[0], dtype=float).ravel()
        y = _columns(data[1])
        x = xs
    ax.plot(x, y, *([spec] if spec else []), **kw)


def plot_network(net):
    """``plot(lgraph)``: the network drawn (SVG; DOT source without Graphviz) in FIGURES_DIR."""
    from ..render import render

    folder = _STATE["figures_dir"] or "."
    os.makedirs(folder, exist_ok=True)
    graph = getattr(net, "graph", net)
    try:
        path = render(graph, os.path.join(folder, "network.svg"))
    except Exception:  # no Graphviz: the DOT source is what can be written
        path = render(graph, os.path.join(folder, "network.dot"))
    print(f"drew the network: {path}")


def bar(*args):
    ax = _axes()
    if not _STATE["hold"]:
        ax.cla()
    data, _, kw = _style(args)
    y = np.asarray(data[-1], dtype=float).ravel()
    x = np.asarray(data[0], dtype=float).ravel() if len(data) > 1 else np.arange(1, y.size + 1)
    ax.bar(x, y, **kw)


def stem(*args):
    ax = _axes()
    if not _STATE["hold"]:
        ax.cla()
    data, _, _ = _style(args)
    y = np.asarray(data[-1], dtype=float).ravel()
    x = np.asarray(data[0], dtype=float).ravel() if len(data) > 1 else np.arange(1, y.size + 1)
    ax.stem(x, y)


def histogram(x, *args):
    ax = _axes()
    if not _STATE["hold"]:
        ax.cla()
    bins = int(args[0]) if args and not isinstance(args[0], str) else "auto"
    ax.hist(np.asarray(x, dtype=float).ravel(), bins=bins)


def confusionchart(trueLabels, predictedLabels, *options):
    """MATLAB's confusion chart: the counts of each true class (rows) predicted as each class
    (columns), drawn with the counts written in; returns the counts (MATLAB returns the
    chart). A 'Title' option is the chart's title."""
    t, p = categorical(trueLabels), categorical(predictedLabels)
    cats = list(dict.fromkeys(t.cats + p.cats))
    where = {c: k for k, c in enumerate(cats)}
    counts = np.zeros((len(cats), len(cats)))
    for a, b in zip(t.labels().ravel(order="F"), p.labels().ravel(order="F")):
        if a in where and b in where:
            counts[where[a], where[b]] += 1
    ax = _axes()
    ax.cla()
    ax.imshow(counts, cmap="Blues")
    for i in range(len(cats)):
        for j in range(len(cats)):
            if counts[i, j]:
                ax.text(j, i, int(counts[i, j]), ha="center", va="center")
    ax.set_xticks(range(len(cats)), cats)
    ax.set_yticks(range(len(cats)), cats)
    ax.set_xlabel("Predicted Class")
    ax.set_ylabel("True Class")
    for k in range(0, len(options) - 1, 2):
        if str(options[k]).lower() == "title":
            ax.set_title(str(options[k + 1]))
    return counts


def scatter(x, y, *args):
    ax = _axes()
    if not _STATE["hold"]:
        ax.cla()
    ax.scatter(np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel())


def tiledlayout(m, n, *args):
    """``tiledlayout(m, n)``: the next ``nexttile`` calls fill an m-by-n grid, row by row."""
    _plt().figure()
    _STATE["tiles"] = [int(m), int(n), 0]


def nexttile(*args):
    tiles = _STATE.get("tiles") or [1, 1, 0]
    tiles[2] = tiles[2] % (tiles[0] * tiles[1]) + 1
    _STATE["tiles"] = tiles
    subplot(*tiles)


def hold(state="on"):
    _STATE["hold"] = str(state).lower() == "on"


def subplot(m, n, p):
    _STATE["hold"] = False
    _plt().subplot(int(m), int(n), int(p))


def xlabel(text, *args):
    _axes().set_xlabel(_text_arg(text))


def ylabel(text, *args):
    _axes().set_ylabel(_text_arg(text))


def title(text, *args):
    _axes().set_title(_text_arg(text))


def _text_arg(t):
    if isinstance(t, np.ndarray) or isinstance(t, Cell):
        return "\n".join(str(v) for v in (t if isinstance(t, Cell) else t.ravel()))
    return str(t)


_LOCATIONS = {"north": "upper center", "south": "lower center", "east": "center right",
              "west": "center left", "northeast": "upper right", "northwest": "upper left",
              "southeast": "lower right", "southwest": "lower left", "best": "best"}


def legend(*args):
    """``legend(names...)`` / ``legend(stringArray)``; 'Location' (an ...outside location is
    drawn just outside the axes)."""
    names, kw, k = [], {}, 0
    while k < len(args):
        a = args[k]
        if isinstance(a, str) and a.lower() == "location" and k + 1 < len(args):
            loc = str(args[k + 1]).lower()
            if loc.endswith("outside"):
                kw.update(loc="upper left", bbox_to_anchor=(1.02, 1))
            else:
                kw["loc"] = _LOCATIONS.get(loc, "best")
            k += 2
            continue
        if isinstance(a, (np.ndarray, Cell)):
            names.extend(str(v) for v in (a if isinstance(a, Cell) else a.ravel()))
        elif isinstance(a, str) and a.lower() not in ("off", "on", "show", "hide"):
            names.append(a)
        k += 1
    _axes().legend(names or None, **kw) if names else _axes().legend(**kw)


def grid(state="on"):
    _axes().grid(str(state).lower() != "off")


def xlim(lim):
    _axes().set_xlim(*np.ravel(lim)[:2])


def ylim(lim):
    _axes().set_ylim(*np.ravel(lim)[:2])


def axis(*args):
    if args and not isinstance(args[0], str):
        lim = np.ravel(args[0])
        _axes().set_xlim(*lim[:2])
        if lim.size >= 4:
            _axes().set_ylim(*lim[2:4])


# --- parameters ---------------------------------------------------------------------------------


def parameters(defaults: dict, overrides: dict) -> dict:
    """The program's parameters: its defaults, with ``overrides`` (each a known name)."""
    unknown = [k for k in overrides if k not in defaults]
    if unknown:
        raise DataError(f"unknown parameter {unknown[0]!r}; the parameters are: "
                        + ", ".join(defaults), expected="NAME=VALUE with a parameter's name")
    return {**defaults, **overrides}


def command_line(argv, defaults: dict) -> dict:
    """``NAME=VALUE`` arguments: a number where the default is a number, else text."""
    out = {}
    for item in argv:
        name, eq, value = item.partition("=")
        if not eq or name not in defaults:
            raise SystemExit(f"expected NAME=VALUE with NAME one of: {', '.join(defaults)}; "
                             f"got {item!r}")
        if isinstance(defaults[name], (int, float)) and not isinstance(defaults[name], bool):
            try:
                out[name] = float(value) if not value.lstrip("-").isdigit() else int(value)
            except ValueError:
                raise SystemExit(f"{name}: expected a number, got {value!r}") from None
        else:
            out[name] = value
    return out


def run_main(main, argv, defaults: dict) -> int:
    """The program run as a script: ``NAME=VALUE`` arguments; a layergraph error or a statement
    not translated ends it with its message (exit status 1), not a traceback."""
    try:
        main(**command_line(argv, defaults))
    except (LayerGraphError, NotImplementedError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def workspace(names: dict) -> dict:
    """The MATLAB variables at the end of the program (the emitted ``main`` returns them)."""
    return {k: v for k, v in names.items() if k not in ("P", "overrides")}
