"""MATLAB values as the translator holds them, and the conversions to and from layergraph's.

A MATLAB number is a float or a 2-D numpy array, a char vector a ``str``; the classes here mark what
Python types alone cannot tell apart (a string scalar from a char vector, a cell array from a layer
array). :class:`Unknown` stands for every value the translator does not evaluate (data, training
results, plots) and remembers where it came from, so that an error can say why a layer argument is
missing. The built-in functions over these values are in ``builtins.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..graph import LayerGraph
from ..layers import Layer
from ..training import TrainingOptions
from .parser import Node

# --- kinds of value ----------------------------------------------------------------------------


class MString(str):
    """A MATLAB string scalar ("double quoted"); plain ``str`` is a char vector."""


class StringArray(list):
    """A MATLAB string array such as ``["data" "fc"]``."""


class CellArray(list):
    """A MATLAB cell array (elements in row-major order)."""


class LayerArray(list):
    """A MATLAB layer array ``[layer1; layer2; ...]``."""


class Struct(dict):
    """A MATLAB scalar struct (``params.numHidden = 100``, ``struct('a', 1)``): field -> value."""


class StructArray(list):
    """A MATLAB struct array (``s(2).numHidden = 64``, ``struct('n', {1, 2})``): its elements,
    each a :class:`Struct` with the same fields, in order. One element is held as that
    :class:`Struct` (MATLAB's 1-by-1 struct array)."""


def struct_array(elements):
    """Structs as one MATLAB value: every element given every field (missing ones ``[]``, as
    MATLAB fills them), a single element as the :class:`Struct` itself."""
    fields = list(dict.fromkeys(k for e in elements for k in e))
    out = StructArray(Struct({k: e.get(k, np.zeros((0, 0))) for k in fields}) for e in elements)
    return out[0] if len(out) == 1 else out


def depth_of(value) -> int:
    """How deep structs, struct arrays and cells nest in ``value`` (0: none; 1: a container of
    plain values). Each container built by the evaluator records its depth, so this looks one
    level down; the evaluator bounds it by ``max_depth`` (a struct put in itself in a loop)."""
    if not isinstance(value, (Struct, StructArray, CellArray)):
        return 0
    known = getattr(value, "depth", None)
    if known is None:
        children = value.values() if isinstance(value, Struct) else value
        known = 1 + max((depth_of(v) for v in children), default=0)
        try:
            value.depth = known
        except AttributeError:  # pragma: no cover  (all three take attributes)
            pass
    return known


class Param(float):
    """A number that is a *parameter* of the translation: a value the MATLAB code computes from
    data (or a function input) that the user bound with ``variables=`` / ``--var``. ``expr`` is
    the Python expression that computes it from the parameters (``'numHidden'``,
    ``'(numHidden * 2)'``): the translated Python writes it instead of the number."""

    expr: str

    def __new__(cls, value, expr):
        obj = super().__new__(cls, value)
        obj.expr = expr
        return obj


@dataclass(eq=False)
class Trained:
    """What ``trainNetwork`` / ``trainnet`` / ``dlnetwork`` return: not run, but its ``Layers``
    are those of the network it was given (``net.Layers`` after training is common)."""

    network: object  # a LayerArray or LayerGraph
    kind: str  # the MATLAB function that made it


@dataclass(eq=False)
class Unknown:
    """A value the translator did not evaluate, with where and why."""

    node: Node  # the expression, at the place it is used
    why: str  # why it cannot be evaluated (for errors)
    var: str | None = None  # the variable it was read from
    assigned: Node | None = None  # the statement that assigned that variable
    cause: Unknown | None = None  # the unknown that variable was assigned
    failed: bool = False  # the consequence of an error already reported
    undefined: bool = False  # a name never assigned (an unknown variable; ``var`` is the name)
    hint: str = ""  # for an undefined name: where it may come from (a file the code loads)
    limit: str | None = None  # the MatlabLimits field that kept it from being evaluated


COLON = object()  # a lone ':' index

CONSTANTS = {"true": True, "false": False, "pi": math.pi, "inf": math.inf, "Inf": math.inf,
             "nan": math.nan, "NaN": math.nan, "eps": float(np.finfo(float).eps)}

NETWORK_TYPES = (LayerArray, LayerGraph)


def is_network(value) -> bool:
    """A layer array or layer graph: what trainNetwork and layerGraph take."""
    return isinstance(value, NETWORK_TYPES)


# --- conversions -------------------------------------------------------------------------------


def to_py(value):
    """A MATLAB value as layergraph's constructors take it: 12.0 -> 12, [28 28 1] -> [28, 28, 1]."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (float, int, np.floating, np.integer)):
        v = float(value)
        return int(v) if v.is_integer() and abs(v) < 2**53 else v
    if isinstance(value, np.ndarray):
        if value.size == 1:
            return to_py(value.reshape(()).item())
        if value.ndim == 2 and 1 in value.shape:
            return [to_py(v) for v in value.reshape(-1)]
        return value.astype(float)
    if isinstance(value, MString):
        return str(value)
    if isinstance(value, StringArray):
        return [str(v) for v in value]
    if isinstance(value, LayerArray):
        return list(value)
    if isinstance(value, CellArray):
        return [to_py(v) for v in value]
    if isinstance(value, Struct):
        return {k: to_py(v) for k, v in value.items()}
    if isinstance(value, StructArray):
        return [to_py(v) for v in value]
    return value


def from_py(value):
    """A layergraph property value as a MATLAB value (for ``layer.Prop`` in expressions)."""
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if value is None:
        return np.zeros((0, 0))
    if isinstance(value, (tuple, list)):
        return np.asarray(value, dtype=float).reshape(1, -1)
    if isinstance(value, np.ndarray):
        return np.atleast_2d(value.astype(float))
    return value


def python_name(name: str) -> str:
    """A MATLAB name (``params.numHidden`` too) as a Python identifier."""
    import keyword
    out = name.replace(".", "_")
    return out + "_" if keyword.iskeyword(out) or out in ("True", "False", "None") else out


def from_given(v, name: str | None = None):
    """A value passed in ``variables=`` as a MATLAB value (a number given for ``name`` is a
    :class:`Param` that remembers it)."""
    if isinstance(v, bool) or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return Param(v, python_name(name)) if name and python_name(name).isidentifier() \
            else float(v)
    if isinstance(v, (list, tuple, np.ndarray)):
        return simplify(np.asarray(v, dtype=float))
    return v


def numeric(value):
    """A numeric MATLAB value as a 2-D array, or None if it is not numeric."""
    if isinstance(value, (bool, np.bool_)):
        return np.array([[value]])
    if isinstance(value, (int, float, np.number)):
        return np.array([[float(value)]])
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return np.atleast_2d(value)
    return None


def simplify(arr):
    """A numeric result as MATLAB holds it: a 1-by-1 array becomes a scalar, a vector stays 2-D."""
    arr = np.asarray(arr)
    if arr.ndim < 2:
        arr = np.atleast_2d(arr)
    if arr.size == 1:
        v = arr.reshape(()).item()
        return bool(v) if arr.dtype.kind == "b" else float(v)
    return arr


def truth(value):
    """MATLAB's truth of a condition (all elements nonzero), or None if it is not numeric."""
    arr = numeric(value)
    if arr is None:
        return None
    return bool(arr.size and np.all(arr != 0))


def literal_text(value) -> str:
    """A value as an error message names it ("got a layer graph", "got 'lstm'")."""
    if isinstance(value, Layer):
        return value.matlab_name
    if isinstance(value, LayerArray):
        return f"a {len(value)}-layer array"
    if isinstance(value, LayerGraph):
        return "a layer graph"
    if isinstance(value, TrainingOptions):
        return "training options"
    if isinstance(value, str):
        return repr(str(value))
    return repr(to_py(value))


def expression_of(v) -> str | None:
    """The Python expression of a parameter-derived number, else None."""
    return getattr(v, "expr", None) if isinstance(v, Param) else None


def derive(result, expr_parts: str | None):
    """``result`` marked as computed from parameters by the Python expression ``expr_parts``
    (when it is a plain finite scalar)."""
    if expr_parts is None or not isinstance(result, float) or isinstance(result, bool) \
            or not math.isfinite(result):
        return result
    return Param(result, expr_parts)


def contains_unknown(v) -> bool:
    if isinstance(v, Unknown):
        return True
    if isinstance(v, (CellArray, list, tuple)):
        return any(contains_unknown(x) for x in v)
    return False


# --- operators ---------------------------------------------------------------------------------


def matrix_divide(a, b):
    """MATLAB's ``A / B`` for a matrix B: the X that solves X*B = A (least squares, the
    minimum-norm solution, where B is not square); ``A \\ B`` is ``(B' / A')'``. ValueError when
    the sizes do not agree."""
    a, b = np.atleast_2d(np.asarray(a, float)), np.atleast_2d(np.asarray(b, float))
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise ValueError("matrix division")
    return np.linalg.lstsq(b.T, a.T, rcond=None)[0].T


def binary_op(op, a, b):
    """MATLAB's binary operator ``op`` on two numeric arrays (ValueError where MATLAB would need
    linear algebra the translator does not do)."""
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == ".*":
        return a * b
    if op == "./":
        return a / b
    if op == ".\\":
        return b / a
    if op == ".^":
        return np.power(a.astype(float), b)
    if op == "*":
        return a * b if a.size == 1 or b.size == 1 else a @ b
    if op == "/":
        return a / b if b.size == 1 else matrix_divide(a, b)
    if op == "\\":
        return b / a if a.size == 1 else matrix_divide(b.T, a.T).T
    if op == "^":
        if a.size == 1 and b.size == 1:
            return np.power(a.astype(float), b)
        k = float(b.reshape(-1)[0]) if b.size == 1 else None
        if k is not None and a.ndim == 2 and a.shape[0] == a.shape[1] and k.is_integer() \
                and 0 <= k <= 64:  # a square matrix to a small whole power
            return np.linalg.matrix_power(a.astype(float), int(k))
        raise ValueError("matrix power")
    if op == "==":
        return a == b
    if op == "~=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "&":
        return (a != 0) & (b != 0)
    if op == "|":
        return (a != 0) | (b != 0)
    raise ValueError(op)
