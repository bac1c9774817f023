"""Evaluate the parsed MATLAB: numbers, strings, layer arrays, layer graphs and trainingOptions.

What the network is made of is evaluated exactly, with layergraph's own constructors and graph
functions (so MATLAB name-value pairs, defaults and validation are the same as in Python). What it
is not made of — data loading, training, plots — cannot and need not be evaluated: such values
become :class:`Unknown`, which remember where they came from and why. An ``Unknown`` is harmless
until a layer, a graph function or trainingOptions needs it; then it is an error that says which
variable could not be evaluated, where it was assigned and why. Statements that contribute nothing
to the network are recorded as notes, never dropped silently.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
from dataclasses import dataclass

import numpy as np

from ..errors import LayerGraphError
from ..graph import LayerGraph
from ..graph import addLayers as _addLayers
from ..graph import connectLayers as _connectLayers
from ..graph import disconnectLayers as _disconnectLayers
from ..graph import layerGraph as _layerGraph
from ..graph import removeLayers as _removeLayers
from ..graph import replaceLayer as _replaceLayer
from ..layers import REGISTRY, Layer
from ..training import TrainingOptions, trainingOptions
from ..training.options import OPTIONS as TRAINING_OPTIONS
from . import names
from .errors import MatlabProblem, Source
from .parser import (
    AnonFunc,
    Assign,
    Binary,
    Colon,
    Command,
    DynField,
    End,
    ExprStmt,
    Field,
    For,
    FuncHandle,
    Function,
    Id,
    If,
    Index,
    Jump,
    Matrix,
    NameValue,
    Node,
    Num,
    Range,
    Str,
    Switch,
    Tilde,
    Try,
    Unary,
    While,
)

# --- values ------------------------------------------------------------------------------------


class MString(str):
    """A MATLAB string scalar ("double quoted"); plain ``str`` is a char vector."""


class StringArray(list):
    """A MATLAB string array such as ``["data" "fc"]``."""


class CellArray(list):
    """A MATLAB cell array (elements in row-major order)."""


class LayerArray(list):
    """A MATLAB layer array ``[layer1; layer2; ...]``."""


@dataclass(eq=False)
class Unknown:
    """A value the translator did not evaluate, with where and why."""

    node: Node  # the expression, at the place it is used
    why: str  # why it cannot be evaluated (for errors)
    var: str | None = None  # the variable it was read from
    assigned: Node | None = None  # the statement that assigned that variable
    cause: Unknown | None = None  # the unknown that variable was assigned
    failed: bool = False  # the consequence of an error already reported
    undefined: bool = False  # a name never assigned (an unknown variable)


COLON = object()  # a lone ':' index

CONSTANTS = {"true": True, "false": False, "pi": math.pi, "inf": math.inf, "Inf": math.inf,
             "nan": math.nan, "NaN": math.nan, "eps": float(np.finfo(float).eps)}

NETWORK_TYPES = (LayerArray, LayerGraph)


class EvalError(Exception):
    def __init__(self, node: Node, message: str, end: int | None = None):
        super().__init__(message)
        self.node, self.message = node, message
        self.end = node.end if end is None else end


class _Silent(Exception):
    """An error already reported caused this one: do not report it twice."""


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Return(Exception):
    pass


def is_network(value) -> bool:
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


def _num(value):
    """A numeric MATLAB value as a 2-D array, or None if it is not numeric."""
    if isinstance(value, (bool, np.bool_)):
        return np.array([[value]])
    if isinstance(value, (int, float, np.number)):
        return np.array([[float(value)]])
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return np.atleast_2d(value)
    return None


def _simplify(arr):
    arr = np.asarray(arr)
    if arr.ndim < 2:
        arr = np.atleast_2d(arr)
    if arr.size == 1:
        v = arr.reshape(()).item()
        return bool(v) if arr.dtype.kind == "b" else float(v)
    return arr


def _truth(value):
    arr = _num(value)
    if arr is None:
        return None
    return bool(arr.size and np.all(arr != 0))


def _literal_text(value) -> str:
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


# --- numeric built-ins evaluated when their arguments are known --------------------------------


def _size(x, dim=None):
    if isinstance(x, (str, MString)):
        shape = (1, len(x))
    elif isinstance(x, (list, tuple)):
        shape = (1, len(x))
    else:
        a = _num(x)
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
    a = _num(x)
    if a is None:
        raise TypeError
    return float(a.size)


def _length(x):
    if isinstance(x, (list, tuple)):
        return float(len(x))
    if isinstance(x, str):
        return float(len(x)) if not isinstance(x, MString) else 1.0
    a = _num(x)
    if a is None:
        raise TypeError
    return float(max(a.shape) if a.size else 0)


def _minmax(fn):
    def f(a, b=None, dim=None):
        if b is not None and _num(b) is not None and _num(b).size:
            return _simplify(fn(_num(a), _num(b)))
        arr = _num(a)
        if dim is None:
            axis = 0 if arr.shape[0] > 1 else 1
        else:
            axis = int(dim) - 1
        return _simplify((np.max if fn is np.maximum else np.min)(arr, axis=axis, keepdims=True))

    return f


def _reduce(fn):
    def f(a, dim=None):
        arr = _num(a)
        if dim is None:
            axis = 0 if arr.shape[0] > 1 else 1
        else:
            axis = int(dim) - 1
        return _simplify(fn(arr, axis=axis, keepdims=True))

    return f


def _elementwise(fn):
    return lambda *a: _simplify(fn(*[_num(x) for x in a]))


def _filled(fill):
    def f(*dims):
        if not dims:
            return float(fill)
        d = [int(to_py(x)) for x in dims] if len(dims) > 1 else to_py(dims[0])
        if isinstance(d, int):
            d = [d, d]
        return _simplify(np.full(tuple(int(v) for v in d), float(fill)))

    return f


def _round_int(a):
    return _simplify(np.round(_num(a)))


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
    "double": lambda a: _simplify(_num(a).astype(float)),
    "single": lambda a: _simplify(_num(a).astype(float)),
    "logical": lambda a: _simplify(_num(a) != 0),
    "zeros": _filled(0), "ones": _filled(1),
    "isempty": lambda a: len(a) == 0 if isinstance(a, (str, list)) else bool(
        _num(a) is not None and _num(a).size == 0),
    **{t: _round_int for t in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                "uint64")},
}


# --- the evaluator -----------------------------------------------------------------------------


class Evaluator:
    def __init__(self, source: Source, variables: dict | None = None):
        self.src = source
        self.env: dict = {}
        self.given = {k: _from_given(v) for k, v in (variables or {}).items()}
        self.errors: list[MatlabProblem] = []
        self.notes: list[MatlabProblem] = []
        self._noted: set = set()
        self.local_functions: dict[str, Node] = {}
        self.loads: list[Node] = []
        self.last_network: tuple | None = None  # (variable, value, statement)
        self.last_options: tuple | None = None
        self.trained: tuple | None = None  # (network value, options value, call node)
        self.end_stack: list = []
        self.explicit_names: set[str] = set()  # layer names written in the MATLAB code

    # --- reporting ------------------------------------------------------------------------------
    def text(self, node: Node) -> str:
        return self.src.text[node.start:node.end]

    def line_of(self, node: Node) -> int:
        return self.src.position(node.start)[0]

    def note(self, node: Node, message: str):
        key = (node.start, message)
        if key not in self._noted:
            self._noted.add(key)
            self.notes.append(self.src.problem(node.start, node.end, message, "note"))

    def error(self, node: Node, message: str, end=None):
        key = (node.start, message)  # once, even inside a loop that runs several times
        if key not in self._noted:
            self._noted.add(key)
            self.errors.append(self.src.problem(node.start, node.end if end is None else end,
                                                message))

    def explain(self, u: Unknown, depth=0) -> str:
        if u.var and u.assigned is not None:
            rhs = u.assigned.value if isinstance(u.assigned, Assign) else u.assigned
            where = f"line {self.line_of(u.assigned)}"
            text = _short(self.text(rhs))
            if isinstance(u.assigned, Assign):
                msg = f"'{u.var}' could not be evaluated: it is assigned at {where} from `{text}`"
            else:
                msg = f"'{u.var}' could not be evaluated: it is assigned at {where} inside `{text}`"
            if u.cause is not None and depth < 3:
                return f"{msg}, and {self.explain(u.cause, depth + 1)}"
            return f"{msg}; {u.why}"
        return u.why

    def fail(self, u: Unknown, context: str = "", network: bool = False):
        """Raise the error for an Unknown that a network construct needs (``network``: a layer
        array or layer graph was expected there)."""
        if u.failed:
            raise _Silent()
        msg = self.explain(u)
        if u.undefined:
            msg = "unknown variable " + msg.replace(" is not defined", "", 1)
            raise EvalError(u.node, msg + (f" ({context})" if context else ""))
        if u.var and network:
            msg += (". layergraph translates networks built from layers in the MATLAB code, "
                    "not pretrained or trained networks")
        elif u.var:
            msg += (f". Define it as a number before it is used (e.g. `{u.var} = ...;`) or pass "
                    f"variables={{'{u.var}': ...}} to from_matlab (on the command line: "
                    f"--var {u.var}=...)")
        else:
            msg = f"cannot evaluate `{_short(self.text(u.node))}`: {msg}"
        raise EvalError(u.node, msg + (f" ({context})" if context else ""))

    def strict(self, value, node: Node, context="", network=False):
        """A value a network construct needs: Unknown anywhere in it is an error."""
        if isinstance(value, Unknown):
            self.fail(value, context, network)
        if isinstance(value, (CellArray, list)):
            for v in value:
                self.strict(v, node, context, network)
        return value

    # --- statements -----------------------------------------------------------------------------
    def run(self, body: list):
        try:
            self.run_block(body)
        except (_Return, _Break, _Continue):
            pass

    def run_block(self, body: list):
        for stmt in body:
            self.run_statement(stmt)

    def run_statement(self, stmt: Node):
        try:
            self.execute(stmt)
        except EvalError as e:
            self.error(e.node, e.message, e.end)
            self.poison(stmt)
        except _Silent:
            self.poison(stmt)

    def poison(self, stmt: Node):
        """After an error, the variables the statement assigns hold a 'failed' Unknown."""
        for name in _assigned_names([stmt]):
            self.env[name] = Unknown(stmt, "an error was reported there", failed=True)

    def execute(self, stmt):
        if isinstance(stmt, Assign):
            return self.exec_assign(stmt)
        if isinstance(stmt, ExprStmt):
            value = self.ev(stmt.expr)
            self.note(stmt, self.skip_message(stmt.expr, value))
            return
        if isinstance(stmt, Command):
            return self.exec_command(stmt)
        if isinstance(stmt, For):
            return self.exec_for(stmt)
        if isinstance(stmt, If):
            return self.exec_if(stmt)
        if isinstance(stmt, Switch):
            return self.exec_switch(stmt)
        if isinstance(stmt, While):
            return self.skip_block(stmt, "a while loop is not run")
        if isinstance(stmt, Try):
            self.run_block(stmt.body)
            if stmt.catch_body:  # the try block ran without error, so the catch block does not
                first = stmt.catch_body[0]
                self.note(first, "skipped: the catch block of a try is not run")
            return
        if isinstance(stmt, Function):
            self.local_functions[stmt.name] = stmt
            self.note(Node(stmt.start, stmt.start + len("function")),
                      f"skipped: local function '{stmt.name}' is not translated")
            return
        if isinstance(stmt, Jump):
            raise {"break": _Break, "continue": _Continue, "return": _Return}[stmt.kind]()
        raise EvalError(stmt, "this statement is not supported")

    def skip_message(self, expr, value) -> str:
        callee = _callee(expr)
        if callee in names.TRAINING_FUNCTIONS:
            args = ", ".join(_short(self.text(a), 30) for a in expr.args) \
                if isinstance(expr, Index) else "X, Y, layers, options"
            return (f"skipped: training is not translated; in Python train with "
                    f"`net, info = trainNetwork({args})`")
        if callee in names.GRAPHICS_FUNCTIONS:
            return "skipped: graphics are not translated"
        if callee in names.NETWORK_FUNCTIONS:
            return f"skipped: '{callee}' is not translated (it uses a trained network or " \
                   "shows an analysis)"
        if callee in names.DATA_FUNCTIONS or callee in ("load",):
            return "skipped: data handling is not translated"
        if isinstance(value, Unknown):
            return "skipped: not part of the network (" + _short(value.why, 80) + ")"
        return "skipped: the result is displayed, not assigned"

    def exec_command(self, stmt: Command):
        if stmt.name == "load":
            self.loads.append(stmt)
        if stmt.name == "clear":
            targets = [a for a in stmt.args if not a.startswith("-")]
            if not targets or targets == ["all"] or targets == ["variables"]:
                self.env.clear()
            for t in targets:
                self.env.pop(t, None)
            return
        if stmt.name in ("clc", "close", "figure", "hold", "format", "warning", "rng", "disp",
                         "global", "persistent", "grid", "axis", "drawnow"):
            self.note(stmt, f"skipped: command '{stmt.name}' is not translated")
            return
        self.note(stmt, f"skipped: command `{_short(self.text(stmt))}` is not translated")

    def exec_assign(self, stmt: Assign):
        if stmt.multi:
            value = self.ev(stmt.value, nargout=len(stmt.targets))
            if isinstance(value, tuple) and len(value) == len(stmt.targets):
                values = value
            else:
                u = value if isinstance(value, Unknown) else Unknown(
                    stmt.value, "layergraph evaluates only one result of a function")
                values = [u] * len(stmt.targets)
            for target, v in zip(stmt.targets, values):
                if not isinstance(target, Tilde):
                    self.assign(target, v, stmt)
            if any(isinstance(v, Unknown) for v in values):
                self.note(stmt, self.skip_message(stmt.value, values[0]))
            return
        value = self.ev(stmt.value)
        self.assign(stmt.targets[0], value, stmt)
        if isinstance(value, Unknown) and not value.failed:
            self.note(stmt, self.skip_message(stmt.value, value))

    def assign(self, target, value, stmt):
        if isinstance(target, Id):
            name = target.name
            if isinstance(value, Unknown):
                if name in self.given:
                    value = self.given[name]
                else:
                    value = Unknown(stmt.value, value.why, name, stmt, value, value.failed)
            self.env[name] = value
            if is_network(value):
                self.last_network = (name, value, stmt)
            if isinstance(value, TrainingOptions):
                self.last_options = (name, value, stmt)
            return
        base = _base_name(target)
        current = self.env.get(base)
        if isinstance(current, (LayerArray, Layer)) and not isinstance(value, Unknown):
            new = self.assign_into(copy.deepcopy(current), target, value)
            self.env[base] = new
            if is_network(new):
                self.last_network = (base, new, stmt)
            return
        if isinstance(current, (LayerArray, Layer, LayerGraph, TrainingOptions)):
            if isinstance(value, Unknown):
                self.fail(value)
            raise EvalError(target, f"layergraph cannot translate this change of '{base}'")
        why = f"it is changed by `{_short(self.text(stmt))}`, which layergraph does not evaluate"
        self.env[base] = Unknown(stmt, why, base, stmt, None, isinstance(value, Unknown)
                                 and value.failed)
        if base in self.given:
            self.env[base] = self.given[base]
        self.note(stmt, "skipped: indexed assignment is not translated")

    def assign_into(self, current, target, value):
        """``layers(k) = layer``, ``layers(k) = []``, ``layers(end+1) = ...``, ``x.Name = v``."""
        if isinstance(target, Id):
            return value
        if isinstance(target, Field):
            holder_target = target.target
            holder = self.read_lvalue(current, holder_target)
            if not isinstance(holder, Layer):
                raise EvalError(target, "only layer properties can be set (e.g. layer.Name = ...)")
            try:
                setattr(holder, target.name, to_py(self.strict(value, target)))
            except LayerGraphError as e:
                raise EvalError(target, str(e)) from None
            return current
        if isinstance(target, Index) and not target.brace and isinstance(target.target, Id):
            if not isinstance(current, LayerArray):
                current = LayerArray([current])
            idx = self.indices(target.args, len(current), target)
            empty = isinstance(value, np.ndarray) and value.size == 0
            if empty:
                return LayerArray(v for k, v in enumerate(current) if k not in set(idx))
            new = value if isinstance(value, LayerArray) else (
                LayerArray([value]) if isinstance(value, Layer) else None)
            if new is None or len(new) != len(idx):
                raise EvalError(target, f"expected {len(idx)} layer(s) on the right of '=', got "
                                f"{_literal_text(value)}")
            for k, lay in zip(idx, new):
                if k == len(current):
                    current.append(lay)
                elif k < len(current):
                    current[k] = lay
                else:
                    raise EvalError(target, f"index {k + 1} is beyond the end of the layer "
                                    f"array (+1): it has {len(current)} layers")
            return current
        raise EvalError(target, "layergraph cannot translate this assignment")

    def read_lvalue(self, current, node):
        if isinstance(node, Id):
            return current
        if isinstance(node, Index) and not node.brace:
            arr = self.read_lvalue(current, node.target)
            if isinstance(arr, Layer):
                arr = [arr]
            idx = self.indices(node.args, len(arr), node)
            if len(idx) != 1:
                raise EvalError(node, "expected one layer")
            return arr[idx[0]]
        raise EvalError(node, "layergraph cannot translate this assignment")

    def indices(self, args, n, node) -> list[int]:
        if len(args) == 2 and isinstance(args[0], Num) and args[0].value == 1:
            args = args[1:]
        if len(args) != 1:
            raise EvalError(node, "index a layer array with one index, e.g. layers(2)")
        self.end_stack.append(float(n))
        try:
            v = self.ev(args[0])
        finally:
            self.end_stack.pop()
        if v is COLON:
            return list(range(n))
        self.strict(v, args[0])
        arr = _num(v)
        if arr is None:
            raise EvalError(args[0], "expected a numeric index")
        if arr.dtype.kind == "b":
            return [int(k) for k in np.flatnonzero(arr.reshape(-1))]
        out = []
        for x in arr.reshape(-1):
            if x != int(x) or x < 1:
                raise EvalError(args[0], f"index must be a positive integer, got {x:g}")
            out.append(int(x) - 1)
        return out

    def exec_for(self, stmt: For):
        it = self.ev(stmt.iter)
        arr = _num(it) if not isinstance(it, (Unknown, LayerArray, CellArray)) else None
        if arr is None or arr.shape[1] > 100000 or not isinstance(stmt.var, Id):
            reason = "its range depends on data" if isinstance(it, Unknown) else \
                "its range is not numeric"
            return self.skip_block(stmt, f"a for loop is not run when {reason}")
        for k in range(arr.shape[1]):
            self.env[stmt.var.name] = _simplify(arr[:, k:k + 1])
            try:
                self.run_block(stmt.body)
            except _Break:
                break
            except _Continue:
                continue

    def exec_if(self, stmt: If):
        for cond, body in stmt.clauses:
            c = self.ev(cond)
            t = None if isinstance(c, Unknown) else _truth(c)
            if t is None:
                return self.skip_block(stmt, "an if statement is not run when its condition "
                                       "depends on data")
            if t:
                return self.run_block(body)
        if stmt.else_body:
            self.run_block(stmt.else_body)

    def exec_switch(self, stmt: Switch):
        subject = self.ev(stmt.subject)
        if isinstance(subject, Unknown):
            return self.skip_block(stmt, "a switch is not run when its value depends on data")
        for value_node, body in stmt.cases:
            v = self.ev(value_node)
            if isinstance(v, Unknown):
                return self.skip_block(stmt, "a switch case could not be evaluated")
            options = list(v) if isinstance(v, (CellArray, StringArray)) else [v]
            for o in options:
                if isinstance(o, str) and isinstance(subject, str):
                    match = str(o) == str(subject)
                else:
                    a, b = _num(o), _num(subject)
                    match = a is not None and b is not None and a.size == b.size == 1 and \
                        float(a.item()) == float(b.item())
                if match:
                    return self.run_block(body)
        if stmt.otherwise:
            self.run_block(stmt.otherwise)

    def skip_block(self, stmt, message):
        self.skip_block_names([stmt], stmt, message)

    def skip_block_names(self, body, stmt, message):
        assigned = _assigned_names(body)
        head = Node(stmt.start, self.src.text.find("\n", stmt.start) if "\n" in
                    self.src.text[stmt.start:stmt.end] else stmt.end)
        for name in assigned:
            if name in self.given:
                self.env[name] = self.given[name]
                continue
            prev = self.env.get(name)
            failed = isinstance(prev, Unknown) and prev.failed
            self.env[name] = Unknown(head, message, name, stmt, None, failed)
        listed = ", ".join(assigned[:6]) + (", ..." if len(assigned) > 6 else "")
        self.note(head, f"skipped: {message}" + (f"; not evaluated: {listed}" if listed else ""))

    # --- expressions ----------------------------------------------------------------------------
    def ev(self, node, nargout=1):
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Str):
            return MString(node.value) if node.double else node.value
        if isinstance(node, Id):
            return self.lookup(node)
        if isinstance(node, Index):
            return self.ev_index(node, nargout)
        if isinstance(node, Matrix):
            return self.ev_matrix(node)
        if isinstance(node, Binary):
            return self.ev_binary(node)
        if isinstance(node, Unary):
            return self.ev_unary(node)
        if isinstance(node, Range):
            return self.ev_range(node)
        if isinstance(node, Field):
            return self.ev_field(node)
        if isinstance(node, End):
            if not self.end_stack:
                return Unknown(node, "'end' indexes a value layergraph does not evaluate")
            return self.end_stack[-1]
        if isinstance(node, Colon):
            return COLON
        if isinstance(node, (AnonFunc, FuncHandle)):
            return Unknown(node, "function handles are not evaluated")
        if isinstance(node, DynField):
            return Unknown(node, "dynamic field names are not evaluated")
        if isinstance(node, NameValue):
            raise EvalError(node, "Name=value is only allowed as a function argument")
        raise EvalError(node, "this expression is not supported")

    def lookup(self, node: Id):
        name = node.name
        if name in self.env:
            v = self.env[name]
            if isinstance(v, Unknown):
                if name in self.given:
                    return self.given[name]
                return Unknown(node, v.why, v.var or name, v.assigned, v.cause, v.failed)
            return v
        if name in self.given:
            return self.given[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if self.is_function(name):
            return self.call(name, [], node, node)
        why = f"'{name}' is not defined"
        if self.loads:
            where = ", ".join(f"`{_short(self.text(x))}` at line {self.line_of(x)}"
                              for x in self.loads[-2:])
            why += f" (it may come from {where}, which layergraph does not read)"
        return Unknown(node, why, undefined=True)

    def is_function(self, name):
        return (name in REGISTRY or name in names.GRAPH_FUNCTIONS or name == "trainingOptions"
                or name in names.KNOWN_FUNCTIONS or name in BUILTINS
                or name in self.local_functions or name in names.MATLAB_ONLY_LAYERS)

    def check_layer_name(self, name, node):
        """A name that looks like a layer constructor must be one layergraph has."""
        if name in names.MATLAB_ONLY_LAYERS:
            raise EvalError(node, f"MATLAB has {name} but layergraph does not support it yet "
                            f"(layergraph.REGISTRY lists the layers it has)")
        if (name in REGISTRY or name in self.env or name in self.local_functions
                or name in names.KNOWN_FUNCTIONS or name in BUILTINS
                or name in names.GRAPH_FUNCTIONS or name == "trainingOptions"):
            return
        looks_like_layer = name.lower().endswith("layer")
        candidates = sorted(names.MATLAB_LAYERS | names.GRAPH_FUNCTIONS | {"trainingOptions"})
        close = difflib.get_close_matches(name, candidates, n=1,
                                          cutoff=0.75 if looks_like_layer else 0.85)
        if close and close[0] not in names.MATLAB_LAYERS:
            raise EvalError(node, f"unknown function '{name}'. Did you mean '{close[0]}'?")
        if looks_like_layer or close:
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise EvalError(node, f"unknown layer '{name}'.{hint}")

    def ev_index(self, node: Index, nargout=1):
        target = node.target
        if isinstance(target, Id) and target.name not in self.env and not node.brace and (
                target.name not in self.given):
            if target.name in CONSTANTS and not node.args:
                return CONSTANTS[target.name]
            return self.call(target.name, node.args, node, target, nargout)
        base = self.ev(target)
        if isinstance(base, Unknown):
            return base
        return self.index_value(base, node)

    def index_value(self, base, node: Index):
        if isinstance(base, (LayerArray, StringArray, CellArray)) and len(node.args) in (1, 2):
            try:
                idx = self.indices(node.args, len(base), node)
            except EvalError:
                return Unknown(node, "this index is not evaluated")
            try:
                picked = [base[k] for k in idx]
            except IndexError:
                return Unknown(node, "index out of range")
            if node.brace or (isinstance(base, StringArray) and len(picked) == 1):
                return picked[0] if len(picked) == 1 else Unknown(node, "multiple results")
            if isinstance(base, LayerArray) and len(picked) == 1:
                return picked[0]
            return type(base)(picked)
        if isinstance(base, Layer) and len(node.args) == 1:
            idx = self.indices(node.args, 1, node)
            return base if idx == [0] else Unknown(node, "index out of range")
        arr = _num(base)
        if arr is None or node.brace or not node.args or len(node.args) > 2:
            return Unknown(node, "this index is not evaluated")
        subs = []
        for k, a in enumerate(node.args):
            n = arr.size if len(node.args) == 1 else arr.shape[k]
            self.end_stack.append(float(n))
            try:
                v = self.ev(a)
            finally:
                self.end_stack.pop()
            if v is COLON:
                subs.append(np.arange(n))
                continue
            iv = _num(v)
            if iv is None:
                return v if isinstance(v, Unknown) else Unknown(node, "non-numeric index")
            if iv.dtype.kind == "b":
                subs.append(np.flatnonzero(iv.reshape(-1)))
            else:
                if np.any(iv < 1) or np.any(iv != np.round(iv)) or np.any(iv > n):
                    return Unknown(node, "index out of range")
                subs.append(iv.reshape(-1).astype(int) - 1)
        if len(subs) == 1:
            flat = arr.reshape(-1, order="F")[subs[0]]
            shape = (1, flat.size) if arr.shape[0] == 1 else (flat.size, 1)
            return _simplify(flat.reshape(shape))
        return _simplify(arr[np.ix_(subs[0], subs[1])])

    def ev_field(self, node: Field):
        base = self.ev(node.target)
        if isinstance(base, Unknown):
            return base
        if isinstance(base, Layer):
            if node.name in base.props:
                return from_py(base.props[node.name])
            if node.name in ("NumInputs", "NumOutputs"):
                return float(len(base.inputs if node.name == "NumInputs" else base.outputs))
            raise EvalError(node, f"{base.matlab_name} has no property '{node.name}'")
        if isinstance(base, LayerGraph):
            if node.name == "Layers":
                return LayerArray(base.Layers)
            return Unknown(node, f"layer graph property '{node.name}' is not evaluated")
        if isinstance(base, TrainingOptions):
            try:
                return from_py(getattr(base, node.name))
            except AttributeError:
                return Unknown(node, f"trainingOptions has no '{node.name}'")
        return Unknown(node, "field access is not evaluated")

    def ev_matrix(self, node: Matrix):
        rows = [[self.ev(e) for e in row] for row in node.rows]
        flat = [v for row in rows for v in row]
        elems = [e for row in node.rows for e in row]
        if node.cell:
            return CellArray(flat)
        if any(isinstance(v, (Layer, LayerArray)) for v in flat):
            out = LayerArray()
            for v, e in zip(flat, elems):
                if isinstance(v, Unknown):
                    if v.undefined and isinstance(e, Id):
                        self.check_layer_name(e.name, e)  # 'softmaxLayr' in a layer array
                    self.fail(v, "an element of a layer array must be a layer", network=True)
                if isinstance(v, Layer):
                    out.append(v)
                elif isinstance(v, LayerArray):
                    out.extend(v)
                elif isinstance(v, np.ndarray) and v.size == 0:
                    continue
                else:
                    raise EvalError(e, f"an element of a layer array must be a layer, got "
                                    f"{_literal_text(v)}")
            return out
        for v in flat:
            if isinstance(v, Unknown):
                return v
        if any(isinstance(v, LayerGraph) for v in flat):
            raise EvalError(node, "a layer graph cannot be put in brackets; use addLayers")
        if flat and all(isinstance(v, (str, StringArray)) for v in flat):
            if any(isinstance(v, (MString, StringArray)) for v in flat):
                out = StringArray()
                for v in flat:
                    out.extend(v if isinstance(v, StringArray) else [str(v)])
                return out
            if len(rows) == 1:
                return "".join(flat)
            return Unknown(node, "character matrices are not evaluated")
        if not flat:
            return np.zeros((0, 0))
        try:
            blocks = []
            for row in rows:
                parts = []
                for v in row:
                    a = _num(v)
                    if a is None:
                        return Unknown(node, "this array is not evaluated")
                    if a.size:
                        parts.append(a)
                if parts:
                    blocks.append(np.hstack(parts))
            if not blocks:
                return np.zeros((0, 0))
            return _simplify(np.vstack(blocks))
        except ValueError:
            return Unknown(node, "the sizes in this array do not match")

    def ev_binary(self, node: Binary):
        op = node.op
        left = self.ev(node.left)
        if op in ("&&", "||"):
            if isinstance(left, Unknown):
                return left
            t = _truth(left)
            if t is None:
                return Unknown(node, f"'{op}' needs logical values")
            if (op == "&&" and not t) or (op == "||" and t):
                return t
            right = self.ev(node.right)
            if isinstance(right, Unknown):
                return right
            r = _truth(right)
            return Unknown(node, f"'{op}' needs logical values") if r is None else r
        right = self.ev(node.right)
        for v in (left, right):
            if isinstance(v, Unknown):
                return v
        a, b = _num(left), _num(right)
        if a is None or b is None:
            if isinstance(left, str) and isinstance(right, str) and op in ("==", "~="):
                eq = str(left) == str(right)
                return eq if op == "==" else not eq
            if isinstance(left, (Layer, LayerArray, LayerGraph)) or isinstance(
                    right, (Layer, LayerArray, LayerGraph)):
                raise EvalError(node, f"cannot apply '{op}' to a layer or network")
            return Unknown(node, f"'{op}' on these values is not evaluated")
        try:
            with np.errstate(all="ignore"):
                return _simplify(_binary(op, a, b))
        except (ValueError, TypeError):
            return Unknown(node, f"the sizes do not agree for '{op}'")

    def ev_unary(self, node: Unary):
        v = self.ev(node.operand)
        if isinstance(v, Unknown):
            return v
        if node.op in ("'", ".'"):
            if isinstance(v, (str, Layer)):
                return v
            if isinstance(v, LayerArray):
                return v
            a = _num(v)
            return Unknown(node, "transpose is not evaluated") if a is None else _simplify(a.T)
        a = _num(v)
        if a is None:
            return Unknown(node, f"'{node.op}' on this value is not evaluated")
        if node.op == "-":
            return _simplify(-a.astype(float))
        if node.op == "+":
            return _simplify(a)
        return _simplify(a == 0)

    def ev_range(self, node: Range):
        first = self.ev(node.first)
        step = self.ev(node.step) if node.step is not None else 1.0
        last = self.ev(node.last)
        for v in (first, step, last):
            if isinstance(v, Unknown):
                return v
        vals = [_num(v) for v in (first, step, last)]
        if any(v is None or v.size != 1 for v in vals):
            return Unknown(node, "this range is not evaluated")
        f, s, t = (float(v.item()) for v in vals)
        if s == 0 or (s > 0 and f > t) or (s < 0 and f < t):
            return np.zeros((1, 0))
        n = int(math.floor((t - f) / s + 1e-10)) + 1
        if n > 10_000_000:
            return Unknown(node, "this range is too long to evaluate")
        return _simplify((f + s * np.arange(n)).reshape(1, -1))

    # --- calls ----------------------------------------------------------------------------------
    def call(self, name, arg_nodes, node, callee, nargout=1):
        if name in self.local_functions:
            fn = self.local_functions[name]
            return Unknown(node, f"'{name}' is a function defined in this file (line "
                           f"{self.line_of(fn)}); layergraph does not run functions")
        if name in REGISTRY:
            return self.make_layer(name, arg_nodes, node)
        self.check_layer_name(name, callee)
        if name in names.GRAPH_FUNCTIONS:
            return self.graph_call(name, arg_nodes, node)
        if name == "trainingOptions":
            return self.training_options(arg_nodes, node)
        args = [self.ev(a) for a in arg_nodes if not isinstance(a, NameValue)]
        nv = [(a.name, self.ev(a.value)) for a in arg_nodes if isinstance(a, NameValue)]
        if name in names.TRAINING_FUNCTIONS:
            return self.train_call(name, args, node)
        if name in BUILTINS and not nv:
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
        if name in names.KNOWN_FUNCTIONS:
            if name == "load":
                self.loads.append(node)
            kind = ("is graphics" if name in names.GRAPHICS_FUNCTIONS else
                    "uses a network or training" if name in names.NETWORK_FUNCTIONS else
                    "works on data")
            return Unknown(node, f"'{name}' {kind}, which layergraph does not evaluate")
        values = args + [v for _, v in nv]
        if any(is_network(v) or isinstance(v, (Layer, TrainingOptions)) for v in values):
            close = difflib.get_close_matches(
                name, sorted(names.GRAPH_FUNCTIONS | {"trainingOptions", "analyzeNetwork"}), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise EvalError(callee, f"unknown function '{name}' applied to a network.{hint}")
        close = difflib.get_close_matches(
            name, sorted(names.GRAPH_FUNCTIONS | {"trainingOptions"}), n=1, cutoff=0.85)
        if close:
            raise EvalError(callee, f"unknown function '{name}'. Did you mean '{close[0]}'?")
        return Unknown(node, f"'{name}' is not a function layergraph knows")

    def call_args(self, arg_nodes, context, networks=()):
        """Arguments of a network construct: all must evaluate; Name=value becomes 'Name',value.
        ``networks``: positions where a layer array or layer graph is expected."""
        out, where = [], []
        for k, a in enumerate(arg_nodes):
            if isinstance(a, NameValue):
                v = self.strict(self.ev(a.value), a.value, context)
                out += [a.name, to_py(v)]
                where += [a, a.value]
            else:
                v = self.ev(a)
                if v is COLON:
                    raise EvalError(a, "':' is not a value")
                out.append(to_py(self.strict(v, a, context, k in networks)))
                where.append(a)
        return out, where

    def make_layer(self, name, arg_nodes, node):
        args, where = self.call_args(arg_nodes, f"an argument of {name}")
        try:
            layer = REGISTRY[name](*args)
            if layer.Name:
                self.explicit_names.add(layer.Name)
            return layer
        except LayerGraphError as e:
            raise EvalError(self.blame(str(e), REGISTRY[name], args, where, node),
                            str(e)) from None
        except (TypeError, ValueError) as e:
            raise EvalError(node, f"{name}: {e}") from None

    @staticmethod
    def blame(message, cls, args, where, node):
        """The argument an option error is about (the value of 'OutputMode', the bad name)."""
        m = re.search(r"invalid value for '(\w+)'|unknown option '(\w+)'|option '(\w+)' given",
                      message)
        if not m:
            return node
        name = next(g for g in m.groups() if g)
        hits = [k for k, a in enumerate(args) if isinstance(a, str) and a.lower() == name.lower()]
        if hits:
            k = hits[-1]
            if m.group(1) and k + 1 < len(where):
                return where[k + 1]
            return where[k]
        if m.group(1) and name in cls.positional:
            p = cls.positional.index(name)
            if p < len(where):
                return where[p]
        return node

    def graph_call(self, name, arg_nodes, node):
        networks = {"addLayers": (0, 1), "replaceLayer": (0, 2)}.get(name, (0,))
        args, where = self.call_args(arg_nodes, f"an argument of {name}", networks)
        fn = {"layerGraph": _layerGraph, "addLayers": _addLayers,
              "connectLayers": _connectLayers, "disconnectLayers": _disconnectLayers,
              "removeLayers": _removeLayers, "replaceLayer": _replaceLayer}[name]
        expected = {"layerGraph": (0, 1), "addLayers": (2,), "connectLayers": (3,),
                    "disconnectLayers": (3,), "removeLayers": (2,), "replaceLayer": (3,)}[name]
        if len(args) not in expected:
            raise EvalError(node, f"{name} takes {' or '.join(map(str, expected))} arguments, "
                            f"got {len(args)}")
        if name != "layerGraph" and not isinstance(args[0], LayerGraph):
            raise EvalError(where[0], f"the first argument of {name} must be a layer graph "
                            f"(lgraph = layerGraph(layers)), got {_literal_text(args[0])}")
        if name == "layerGraph" and args and not isinstance(args[0], (Layer, list, LayerGraph)):
            raise EvalError(where[0], f"layerGraph expects a layer array, got "
                            f"{_literal_text(args[0])}")
        for k in range(1, len(args)):
            if name in ("connectLayers", "disconnectLayers") or (k == 1 and name in (
                    "replaceLayer",)):
                if not isinstance(args[k], str):
                    raise EvalError(where[k], f"{name} expects a layer name here, got "
                                    f"{_literal_text(args[k])}")
        try:
            return fn(*args)
        except LayerGraphError as e:
            raise EvalError(node, f"{name}: {e}") from None

    def training_options(self, arg_nodes, node):
        if not arg_nodes:
            raise EvalError(node, "trainingOptions needs a solver name: 'sgdm', 'adam' or "
                            "'rmsprop'")
        pairs = []  # (name, name node, value node)
        solver_node, rest = arg_nodes[0], arg_nodes[1:]
        k = 0
        while k < len(rest):
            a = rest[k]
            if isinstance(a, NameValue):
                pairs.append((a.name, a, a.value))
                k += 1
                continue
            key = self.strict(self.ev(a), a, "an option name of trainingOptions")
            if not isinstance(key, str):
                raise EvalError(a, f"expected an option name (a string) in trainingOptions, got "
                                f"{_literal_text(key)}")
            if k + 1 >= len(rest):
                raise EvalError(a, f"option '{key}' of trainingOptions has no value")
            pairs.append((str(key), a, rest[k + 1]))
            k += 2
        solver = self.strict(self.ev(solver_node), solver_node, "the solver of trainingOptions")
        values = {}
        spots = {}
        for key, key_node, value_node in pairs:
            canonical = next((n for n in TRAINING_OPTIONS if n.lower() == key.lower()), None)
            if canonical is None:
                matlab = next((n for n in names.MATLAB_ONLY_TRAINING_OPTIONS
                               if n.lower() == key.lower()), None)
                if matlab:
                    raise EvalError(key_node, f"MATLAB's trainingOptions has '{matlab}' but "
                                    "layergraph does not support it yet")
                close = difflib.get_close_matches(key, list(TRAINING_OPTIONS), n=1)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise EvalError(key_node, f"trainingOptions: unknown option '{key}'.{hint}")
            value = self.ev(value_node)
            if canonical == "ValidationData" and _contains_unknown(value):
                self.note(value_node, "ValidationData is data and is not translated; in Python "
                          "pass ValidationData=(XValidation, YValidation) to trainingOptions")
                continue
            self.strict(value, value_node, f"the value of '{canonical}'")
            if canonical == "ValidationData":
                value = tuple(to_py(v) for v in value) if isinstance(value, CellArray) else value
            else:
                value = to_py(value)
            if canonical in values:
                raise EvalError(key_node, f"trainingOptions: option '{canonical}' given twice")
            values[canonical] = value
            spots[canonical] = value_node
        try:
            return trainingOptions(to_py(solver), **values)
        except LayerGraphError as e:
            msg = str(e)
            bad = next((n for n in spots if f"'{n}'" in msg), None)
            raise EvalError(spots[bad] if bad else node, msg) from None

    def train_call(self, name, args, node):
        # trainNetwork(X, Y, layers, options) / (ds, layers, options); trainnet(..., net, loss, opts)
        k = -3 if name == "trainnet" else -2
        if len(args) >= -k:
            net, opts = args[k], args[-1]
            if isinstance(net, Layer):
                net = LayerArray([net])
            if isinstance(net, Unknown):
                self.fail(net, f"the network given to {name}", network=True)
            self.trained = (net, opts, node)
        return Unknown(node, f"'{name}' trains a network, which layergraph does not do while "
                       "translating")


def _binary(op, a, b):
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
        if b.size == 1:
            return a / b
        raise ValueError("matrix division")
    if op == "\\":
        if a.size == 1:
            return b / a
        raise ValueError("matrix division")
    if op == "^":
        if a.size == 1 and b.size == 1:
            return np.power(a.astype(float), b)
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


def _contains_unknown(v) -> bool:
    if isinstance(v, Unknown):
        return True
    if isinstance(v, (CellArray, list, tuple)):
        return any(_contains_unknown(x) for x in v)
    return False


def _from_given(v):
    """A value passed in ``variables=`` as a MATLAB value."""
    if isinstance(v, bool) or isinstance(v, str):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, (list, tuple, np.ndarray)):
        return _simplify(np.asarray(v, dtype=float))
    return v


def _callee(expr) -> str | None:
    if isinstance(expr, Index) and isinstance(expr.target, Id):
        return expr.target.name
    if isinstance(expr, Id):
        return expr.name
    return None


def _base_name(target) -> str:
    while not isinstance(target, Id):
        target = target.target
    return target.name


def _assigned_names(body) -> list[str]:
    """Variables assigned anywhere in these statements (loop bodies included)."""
    out: list[str] = []

    def add(name):
        if name not in out:
            out.append(name)

    def walk(stmts):
        for s in stmts:
            if isinstance(s, Assign):
                for t in s.targets:
                    if not isinstance(t, Tilde):
                        add(_base_name(t))
            elif isinstance(s, For):
                if isinstance(s.var, Id):
                    add(s.var.name)
                walk(s.body)
            elif isinstance(s, While):
                walk(s.body)
            elif isinstance(s, If):
                for _, b in s.clauses:
                    walk(b)
                walk(s.else_body or [])
            elif isinstance(s, Switch):
                for _, b in s.cases:
                    walk(b)
                walk(s.otherwise or [])
            elif isinstance(s, Try):
                walk(s.body)
                walk(s.catch_body)

    walk(body)
    return out


def _short(text: str, limit=60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
