"""MATLAB values in Python: cell arrays, categorical arrays, structs, tables; their
shapes, 1-based and ``end`` indexing, growth on assignment, ``[...]``, operators and loops."""

from __future__ import annotations

import builtins as _b
import copy
import math

import numpy as np

from ...errors import DataError
from ...layers import Layer
from ..values import matrix_divide

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
    """``a / b``: elementwise for a scalar ``b``, else MATLAB's matrix division (X*B = A)."""
    a, b = _num(a), _num(b)
    if np.size(b) != 1:
        return _divide(a, b, "/")
    return a / (b if np.ndim(b) == 0 else np.asarray(b).ravel()[0])


def mldivide(a, b):
    """``a \\ b``: ``b / a`` for a scalar ``a``, else the X that solves A*X = B."""
    a, b = _num(a), _num(b)
    if np.size(a) == 1:
        return b / (a if np.ndim(a) == 0 else np.asarray(a).ravel()[0])
    return _divide(np.asarray(b).T, np.asarray(a).T, "\\").T


def _divide(a, b, op):
    try:
        return matrix_divide(a, b)
    except ValueError:
        raise DataError(f"the sizes do not agree for '{op}' ({np.shape(a)} and {np.shape(b)})",
                        expected="A / B with as many columns in A as in B") from None


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



# --- categorical and structs ----------------------------------------------------------------

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


def struct(*pairs):
    """``struct('a', 1, 'b', 2)``: a scalar struct (a cell value is taken as it is)."""
    return Struct(**{str(pairs[k]): pairs[k + 1] for k in range(0, len(pairs) - 1, 2)})


def isnumeric(x):
    return isinstance(x, (int, float, np.ndarray)) and not isinstance(x, bool) and (
        not isinstance(x, np.ndarray) or x.dtype.kind in "iuf")


def ischar(x):
    return isinstance(x, str)


def isfield(s, name):
    return isinstance(s, Struct) and name in s.__dict__


# --- function inputs ----------------------------------------------------------------------------


class NotGiven:
    """An input the call did not give (MATLAB: the variable does not exist). Using it is
    MATLAB's "Not enough input arguments" error; ``exist(name, 'var')`` is false for it."""

    def __init__(self, name, function):
        self.name, self.function = name, function

    def __repr__(self):
        return f"<input '{self.name}' of {self.function} not given>"

    def _used(self, *_):
        raise DataError(f"input '{self.name}' of function {self.function} is used but was not "
                        "given (MATLAB: Not enough input arguments)",
                        expected=f"a call of {self.function} that gives '{self.name}'")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _used
    __truediv__ = __rtruediv__ = __pow__ = __rpow__ = __neg__ = __abs__ = _used
    __lt__ = __le__ = __gt__ = __ge__ = __bool__ = __float__ = __int__ = __index__ = _used
    __getitem__ = __iter__ = __len__ = __getattr__ = _used
    __array__ = _used


def function_inputs(args, name_values, names, rest, function):
    """The inputs of a MATLAB function called with ``args`` (and Name=Value ``name_values``):
    one per name of ``names`` (NotGiven where the call gave fewer), then for ``rest``
    'varargin' a cell of the remaining arguments, for 'name-value' a struct of the remaining
    'Name', value pairs (an arguments block's ``opts.Name``)."""
    if len(args) > len(names) and rest is None:
        raise DataError(f"{function} takes at most {len(names)} inputs, {len(args)} were given",
                        expected=f"at most {len(names)} inputs")
    if name_values and rest != "name-value":
        raise DataError(f"{function} takes no name-value arguments ({', '.join(name_values)})",
                        expected="positional inputs")
    out = [args[k] if k < len(args) else NotGiven(n, function) for k, n in enumerate(names)]
    more = list(args[len(names):])
    if rest == "varargin":
        out.append(cell_of(more, (1, len(more))))
    elif rest == "name-value":
        if len(more) % 2 or not all(isinstance(k, str) for k in more[::2]):
            raise DataError(f"{function}: name-value arguments come in 'Name', value pairs",
                            expected="'Name', value pairs after the positional inputs")
        out.append(Struct(**dict(zip(more[::2], more[1::2])), **name_values))
    return out


def exist_variable(scope: dict, name: str) -> int:
    """``exist(name, 'var')``: 1 when the variable is assigned (and not an input not given)."""
    return int(name in scope and not isinstance(scope[name], NotGiven))
