"""MATLAB's numeric functions: reductions along the first non-singleton dimension, sort
with indices, elementwise functions, array constructors, cellfun, random numbers."""

from __future__ import annotations

import numpy as np

from ...errors import DataError
from .values import (
    Categorical,
    Cell,
    _grid,
    _join,
    _scalar,
    _shape,
    cell_of,
    index,
    isempty,
    length,
    mat,
    numel,
    truth,
)

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


def rng(seed=0, *args):
    """``rng(seed)`` / ``rng("default")``: seed NumPy's and torch's generators."""
    seed = 0 if isinstance(seed, str) else int(seed)
    np.random.seed(seed)
    try:
        import torch
        torch.manual_seed(seed)
    except ImportError:  # pragma: no cover
        pass
