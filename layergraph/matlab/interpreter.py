"""Run the parsed MATLAB: statements, assignments, loops, if/switch, expressions, indexing, and the
dispatch of calls.

What the network is made of is evaluated exactly; what it is not made of (data loading, training,
plots) cannot and need not be: such values become :class:`~.values.Unknown`, which remember where
they came from and why. An ``Unknown`` is harmless until a layer, a graph function or
trainingOptions needs it; then it is an error that says which variable could not be evaluated,
where it was assigned and why. Statements that contribute nothing to the network are recorded as
notes, never dropped silently. A value the code takes from data that the user binds with
``variables=`` is a *parameter* (:class:`Parameter`, values :class:`~.values.Param`): numbers
computed from it remember their Python expression, so the translated Python can be a function
of the parameters.

Loops run while what decides them is known: a ``for`` over a known range (or over a struct
array), a ``while`` whose condition evaluates; a loop that depends on data is not run, and what
it assigns becomes Unknown (a note at the loop). Every loop iteration, evaluation step and
second is counted against :class:`~.errors.MatlabLimits`, so no code makes the translator hang.
Structs are values (``s.(name) = v`` copies); a struct array is a :class:`~.values.StructArray`.

A call ``f(...)`` goes, in this order, to a function of the file or project (run with its
inputs bound, in a workspace of its own: :meth:`Evaluator.call_function`), to the bridge
(``bridge.py``: layers, layer graphs, trainingOptions, training), to a numeric built-in
(``builtins.py``), and otherwise to the MATLAB functions the translator knows but does not run
(``names.py``).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import math
import re
import time
from dataclasses import dataclass

import numpy as np

from ..errors import LayerGraphError
from ..graph import LayerGraph
from ..layers import Layer
from ..training import TrainingOptions
from . import bridge, names
from .builtins import BUILTINS, call_builtin, result_elements
from .errors import LIMITS, AlreadyReported, EvalError, LimitError, MatlabLimits, MatlabProblem, Source
from .parser import (
    AnonFunc,
    Assign,
    Binary,
    ClassDef,
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
from .values import (
    COLON,
    CONSTANTS,
    CellArray,
    LayerArray,
    MString,
    Param,
    StringArray,
    Struct,
    StructArray,
    Trained,
    Unknown,
    binary_op,
    depth_of,
    derive,
    expression_of,
    from_given,
    from_py,
    is_network,
    literal_text,
    numeric,
    simplify,
    struct_array,
    to_py,
    truth,
)


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Return(Exception):
    pass


@dataclass
class Parameter:
    """A value the network depends on that the MATLAB code does not fix (it comes from data,
    or is an input of the function translated), bound with ``variables=`` / ``--var``."""

    name: str
    expression: str | None  # the MATLAB expression it stands for (None: not in the code)
    origin: str  # 'computed from data', 'an input of function ...', 'not defined in the code'
    value: object
    filename: str
    line: int


def _cell_columns(cell: CellArray):
    """The columns of a cell array of known shape, each an m-by-1 cell (as a for loop takes
    them)."""
    m, n = cell.shape
    for k in range(n):
        column = CellArray(cell[i * n + k] for i in range(m))
        column.shape, column.depth = (m, 1), getattr(cell, "depth", 1)
        yield column


class Evaluator:
    """Runs the statements of one MATLAB file in order, keeping the variables in ``env``.

    Errors are collected in ``errors`` (each statement that fails is reported and the variables it
    assigns become failed Unknowns, so one error does not cascade); skipped statements in
    ``notes``. ``trained`` and ``last_network``/``last_options`` are what the translation picks.
    """

    def __init__(self, source: Source, variables: dict | None = None,
                 limits: MatlabLimits | None = None, deadline: float | None = None):
        self.src = source
        self.limits = limits or LIMITS
        self.steps = 0
        self.iterations = 0
        self.call_depth = 0
        self.deadline = deadline if deadline is not None else \
            time.monotonic() + self.limits.max_seconds
        self.env: dict = {}
        self.given = {k: from_given(v, k) for k, v in (variables or {}).items()}
        self.given_expressions = {"".join(k.split()): k for k in self.given
                                  if not k.replace(".", "_").isidentifier()}
        self.parameters: dict = {}  # name -> Parameter: the given values the network used
        self.function_sources: dict = {}  # function name -> the Source of its file
        self.called: set = set()  # local functions that were run
        self.entry: Function | None = None  # the function a function file was run as
        self.last_frame: dict = {}
        self.modern: dict = {}  # dlnetwork / trainnet seen: what the Python should call
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

    # --- parameters -----------------------------------------------------------------------------
    def use_given(self, name, node, expression: str | None, origin: str):
        """The value bound to ``name`` by ``variables=``, recorded as a parameter of the
        translation (with the MATLAB expression it stands for, and where)."""
        if name not in self.parameters:
            line = self.src.position(node.start)[0] if node is not None else 0
            self.parameters[name] = Parameter(name, expression, origin, to_py(self.given[name]),
                                              self.src.filename, line)
        return self.given[name]

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

    def error(self, node: Node, message: str, end=None, needs: str | None = None):
        key = (node.start, message)  # once, even inside a loop that runs several times
        if key not in self._noted:
            self._noted.add(key)
            problem = self.src.problem(node.start, node.end if end is None else end, message)
            problem.needs = needs
            self.errors.append(problem)

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
            raise AlreadyReported()
        if u.undefined:
            raise EvalError(u.node, f"unknown variable '{u.var}'{u.hint}" +
                            (f" ({context})" if context else ""))
        msg = self.explain(u)
        if u.var and network:
            msg += (". layergraph translates networks built from layers in the MATLAB code, "
                    "not pretrained or trained networks")
        elif u.var:
            msg += (f". Define it as a number before it is used (e.g. `{u.var} = ...;`) or pass "
                    f"variables={{'{u.var}': ...}} to from_matlab (on the command line: "
                    f"--var {u.var}=...)")
            raise EvalError(u.node, msg + (f" ({context})" if context else ""), needs=u.var)
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
    def hoist(self, body: list, source: Source | None = None):
        """Make the functions of a file callable before its script runs (MATLAB's rule)."""
        for stmt in body:
            if isinstance(stmt, Function):
                self.local_functions.setdefault(stmt.name, stmt)
                self.function_sources.setdefault(stmt.name, source or self.src)
            elif isinstance(stmt, ClassDef):
                for m in stmt.methods:
                    self.local_functions.setdefault(m.name, m)
                    self.function_sources.setdefault(m.name, source or self.src)

    def run(self, body: list, entry: Function | None = None):
        """Run a script, or (``entry``) a function file's main function with its inputs as
        parameters."""
        self.hoist(body)
        try:
            if entry is not None:
                self.run_entry(entry)
            else:
                self.run_block(body)
        except (_Return, _Break, _Continue):
            pass
        except LimitError as e:  # evaluation stops: going on would only pass it again
            self.errors.append(self.src.problem(e.node.start, e.node.end, e.message,
                                                limit=e.limit))

    def run_entry(self, fn: Function, obj=None):
        """A function file's main function (or a class method) run as the program: each input
        is a parameter (its value from ``variables=``, else an Unknown that says how to give
        it)."""
        head = Node(fn.start, max(fn.header_end, fn.start + 1))
        args = []
        for k, p in enumerate(fn.params):
            if p is None:
                args.append(Unknown(head, "an ignored input"))
            elif k == 0 and obj is not None:
                args.append(obj)
            elif p in self.given:
                args.append(self.use_given(p, head, None, f"an input of function '{fn.name}'"))
            else:
                args.append(Unknown(head, f"'{p}' is an input of function '{fn.name}' (line "
                                    f"{self.line_of(fn)}) and no value was given for it", p,
                                    None))
        given = 0
        for a in args:
            if isinstance(a, Unknown):
                break
            given += 1
        self.entry = fn
        self.call_function(fn, args, head, len(fn.outputs) or 1, nargin=given)
        self.env = self.last_frame  # its variables are what the translation reports

    def call_function(self, fn: Function, args: list, node, nargout=1, nargin=None):
        """Run a function of the file with its inputs bound: its outputs (a tuple when
        ``nargout`` > 1). Its variables live in their own workspace, as in MATLAB."""
        self.called.add(fn.name)
        frame: dict = {}
        for k, p in enumerate(fn.params):
            if p == "varargin" and k == len(fn.params) - 1:
                frame[p] = CellArray(args[k:])
                break
            if p is not None and k < len(args):
                frame[p] = args[k]
        frame["nargin"] = float(len(args) if nargin is None else nargin)
        frame["nargout"] = float(nargout)
        saved_env, saved_src = self.env, self.src
        self.env = self.last_frame = frame
        self.src = self.function_sources.get(fn.name, self.src)
        try:
            try:
                for default in fn.defaults:
                    self.default_argument(default)
                self.run_block(fn.body)
            except (_Return, _Break, _Continue):
                pass
            outs = []
            for o in fn.outputs[:max(nargout, 1)]:
                if o in self.env:
                    outs.append(self.env[o])
                else:
                    outs.append(Unknown(node, f"output '{o}' of '{fn.name}' is not assigned "
                                        "(or not evaluated)"))
        finally:
            self.env, self.src = saved_env, saved_src
        if not outs:
            return Unknown(node, f"'{fn.name}' returns nothing")
        return outs[0] if nargout <= 1 else tuple(outs) + tuple(
            Unknown(node, "output not assigned") for _ in range(nargout - len(outs)))

    def default_argument(self, stmt: Assign):
        """An arguments block's default, in the function's workspace: an input the call did not
        give (``n = 3``) takes it; a name-value field (``opts.NumHidden = 64``) is added to its
        struct unless given (or bound by ``variables=``)."""
        target = stmt.targets[0]
        if isinstance(target, Id):
            if not isinstance(self.env.get(target.name, Unknown(stmt, "")), Unknown):
                return
            self.env.pop(target.name, None)
        else:
            base = target.target.name
            if not isinstance(self.env.get(base), Struct):
                self.env[base] = Struct()
            if target.name in self.env[base]:
                return
            if self.text(target) in self.given:  # field_of takes the value given
                self.env[base][target.name] = Unknown(stmt, "given with variables=")
                return
        self.run_statement(stmt)

    def note_uncalled(self):
        for name, fn in self.local_functions.items():
            if name not in self.called and self.function_sources.get(name) is self.src:
                self.note(Node(fn.start, fn.start + len("function")),
                          f"skipped: local function '{name}' is never called, so it is not "
                          "translated")

    # --- limits ---------------------------------------------------------------------------------
    def step(self, node):
        """Count one evaluation step; past ``max_steps`` or ``max_seconds`` evaluation stops."""
        self.steps += 1
        lim = self.limits
        if self.steps > lim.max_steps:
            raise LimitError(node, lim.exceeded("max_steps", f"{self.steps:,} steps",
                                                "the code takes too many evaluation steps"),
                             "max_steps")
        if not self.steps & 1023 and time.monotonic() > self.deadline:
            raise LimitError(node, lim.exceeded("max_seconds", f"stopped at "
                                                f"{self.steps:,} steps",
                                                "evaluating the code takes too long"),
                             "max_seconds")

    def too_large(self, n, node, what="this value"):
        """None, or an Unknown saying why a value of ``n`` elements is not built (checked before
        it is allocated: the network may not need it, and if it does the error names the
        limit)."""
        lim = self.limits
        if n <= lim.max_elements:
            return None
        count = f"{n:,.0f}" if isinstance(n, float) and n < 1e30 else (
            "infinitely many" if n == math.inf else f"{n:,}" if isinstance(n, int) else f"{n:.3g}")
        return Unknown(node, lim.exceeded("max_elements", f"{count} elements",
                                          f"{what} is not evaluated: it would be too large"),
                       limit="max_elements")

    def run_block(self, body: list):
        for stmt in body:
            self.run_statement(stmt)

    def run_statement(self, stmt: Node):
        self.step(stmt)
        try:
            self.execute(stmt)
        except EvalError as e:
            self.error(e.node, e.message, e.end, e.needs)
            self.poison(stmt)
        except AlreadyReported:
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
            if _callee(stmt.expr) not in self.local_functions or isinstance(value, Trained):
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
            return self.exec_while(stmt)
        if isinstance(stmt, Try):
            self.run_block(stmt.body)
            if stmt.catch_body:  # the try block ran without error, so the catch block does not
                first = stmt.catch_body[0]
                self.note(first, "skipped: the catch block of a try is not run")
            return
        if isinstance(stmt, Function):
            return  # hoisted: it runs where it is called
        if isinstance(stmt, ClassDef):
            return self.exec_classdef(stmt)
        if isinstance(stmt, Jump):
            raise {"break": _Break, "continue": _Continue, "return": _Return}[stmt.kind]()
        raise EvalError(stmt, "this statement is not supported")

    def exec_classdef(self, stmt: ClassDef):
        """A class file is not a script: say so, and run the methods that build layers (with
        the property defaults as the object) so that the network in them is found."""
        self.note(Node(stmt.start, stmt.start + len("classdef")),
                  f"'{stmt.name}' is a classdef file: layergraph translates scripts and "
                  "functions; the network is taken from the methods that build layers")
        obj = Struct()
        for prop in stmt.properties:
            if isinstance(prop.targets[0], Id):
                self.step(prop)
                obj[prop.targets[0].name] = self.ev(prop.value)
        def mentions(m, words):
            text = self.text(m)
            return any(w + "(" in text or w + ";" in text or w + "\n" in text for w in words)

        # the methods that train (they call the ones that build), else those that build layers
        chosen = [m for m in stmt.methods if mentions(m, names.TRAINING_FUNCTIONS)] or \
            [m for m in stmt.methods if mentions(m, names.LAYERS)]
        for m in chosen:
            if m.name == stmt.name:  # the constructor: its output is the object
                self.run_entry(m)
            else:
                self.run_entry(m, obj=obj if m.params and m.params[0] else None)

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
            why = value.why if value.limit else _short(value.why, 80)
            return "skipped: not part of the network (" + why + ")"
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
            elif isinstance(value, Trained):  # [net, info] = trainNetwork(...)
                values = [value] + [Unknown(stmt.value, "training results are not evaluated")
                                    ] * (len(stmt.targets) - 1)
            else:
                u = value if isinstance(value, Unknown) else Unknown(
                    stmt.value, "layergraph evaluates only one result of a function")
                values = [u] * len(stmt.targets)
            for target, v in zip(stmt.targets, values):
                if not isinstance(target, Tilde):
                    self.assign(target, v, stmt)
            if any(isinstance(v, (Unknown, Trained)) for v in values):
                self.note(stmt, self.skip_message(stmt.value, values[0]))
            return
        value = self.ev(stmt.value)
        self.assign(stmt.targets[0], value, stmt)
        if (isinstance(value, Unknown) and not value.failed) or isinstance(value, Trained):
            self.note(stmt, self.skip_message(stmt.value, value))

    def assign(self, target, value, stmt):
        if isinstance(target, Id):
            name = target.name
            if isinstance(value, Unknown):
                if name in self.given:
                    value = self.use_given(name, stmt, _short(self.text(stmt.value), 200),
                                           "computed from data")
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
        target = self.resolve_fields(target)
        if target is None:  # s.(name) = v with a name that depends on data
            self.env[base] = Unknown(stmt, "a field name it is given is not evaluated", base,
                                     stmt)
            self.note(stmt, "skipped: the dynamic field name depends on data")
            return
        empty = current is None or (isinstance(current, Unknown) and current.undefined) or (
            isinstance(current, np.ndarray) and current.size == 0)
        if isinstance(target, Index) and not target.brace and isinstance(target.target, Id) \
                and isinstance(value, Struct) and (empty or isinstance(current, (
                    Struct, StructArray))):  # s(2) = struct(...), s(end+1) = t
            self.env[base] = self.set_path(current, target, value)
            return
        if isinstance(target, Index) and not target.brace and isinstance(target.target, Id) \
                and isinstance(current, (Struct, StructArray)) and isinstance(
                    value, np.ndarray) and value.size == 0:  # s(2) = []: delete it
            elements = current if isinstance(current, StructArray) else [current]
            gone = set(self.indices(target.args, len(elements), target))
            kept = [e for k, e in enumerate(elements) if k not in gone]
            self.env[base] = kept[0] if len(kept) == 1 else StructArray(kept)
            return
        if isinstance(current, TrainingOptions) and isinstance(target, Field) and isinstance(
                target.target, Id):
            self.env[base] = new = self.set_option(current, target, value)
            self.last_options = (base, new, stmt)
            return
        if _is_value_path(target) and (current is None or isinstance(current, (
                Struct, StructArray, CellArray)) or (isinstance(current, Unknown) and current.undefined)
                or (isinstance(current, np.ndarray) and current.size == 0)):
            key = self.text(target)
            if isinstance(value, Unknown) and key in self.given:
                value = self.use_given(key, stmt, _short(self.text(stmt.value), 200),
                                       "computed from data")
            elif isinstance(value, Unknown):
                value = Unknown(stmt.value, value.why, key, stmt, value, value.failed)
            try:
                self.env[base] = self.set_path(current, target, value)
            except EvalError:
                pass  # an index it does not evaluate: the variable is not evaluated (below)
            else:
                if is_network(value):
                    self.last_network = (key, value, stmt)
                return
        if isinstance(current, CellArray) and isinstance(target, Index) and isinstance(
                target.target, Id):
            self.env[base] = self.set_path(current, target, value)
            return
        if isinstance(current, np.ndarray) and current.size == 0 and isinstance(
                value, (Layer, LayerArray)):  # layers = []; layers(end+1) = ...
            current = LayerArray()
        if isinstance(current, (LayerArray, Layer)) and not isinstance(value, Unknown):
            # copy on write: a new list, and a copy of the one layer a property is set on
            own = LayerArray(current) if isinstance(current, LayerArray) else current
            new = self.assign_into(own, target, value)
            self.env[base] = new
            if is_network(new):
                self.last_network = (base, new, stmt)
            return
        if isinstance(current, (LayerArray, Layer, LayerGraph, TrainingOptions)):
            if isinstance(value, Unknown):
                self.fail(value)
            raise EvalError(target, f"layergraph cannot translate this change of '{base}'")
        why = f"it is changed by `{_short(self.text(stmt))}`, which layergraph does not evaluate"
        cause = current if isinstance(current, Unknown) else (
            value if isinstance(value, Unknown) else None)
        self.env[base] = Unknown(stmt, why, base, stmt, cause, isinstance(value, Unknown)
                                 and value.failed)
        if base in self.given:
            self.env[base] = self.use_given(base, stmt, _short(self.text(stmt), 200),
                                            "computed from data")
        self.note(stmt, "skipped: indexed assignment is not translated")

    def set_option(self, opts: TrainingOptions, target: Field, value):
        """``opts.MaxEpochs = 30`` after trainingOptions: new options with that one changed."""
        from ..options import canonical_name
        from ..training.options import OPTIONS
        value = self.strict(value, target, f"the value of '{target.name}'")
        try:
            option = canonical_name(target.name, list(OPTIONS), "trainingOptions")
            return opts.replace(**{option: to_py(value)})
        except LayerGraphError as e:
            raise EvalError(target, str(e)) from None

    def set_path(self, current, target, value):
        """``s.a.b = v``, ``c{k} = v``, ``c(k) = {v}`` on structs and cell arrays (copies: MATLAB
        values are values)."""
        if isinstance(target, Id):
            return value
        if isinstance(target, Field):
            holder = self.read_path(current, target.target)
            if isinstance(holder, StructArray):
                raise EvalError(target, f"'{self.text(target.target)}' is a struct array of "
                                f"{len(holder)} structs: set a field of one of them "
                                f"(s(k).{target.name} = ...)")
            new = Struct(holder) if isinstance(holder, Struct) else Struct()
            new[target.name] = value
            self.check_nesting(new, target)
            return self.set_path(current, target.target, new)
        if isinstance(target, Index) and len(target.args) in (1, 2):
            holder = self.read_path(current, target.target)
            if not target.brace and isinstance(value, Struct) and not isinstance(holder,
                                                                               CellArray):
                new = self.set_element(holder, target, value)
                return self.set_path(current, target.target, new)
            cell = CellArray(holder) if isinstance(holder, CellArray) else CellArray()
            idx = self.indices(target.args, len(cell), target)
            if not target.brace:
                value = value if isinstance(value, CellArray) else CellArray([value])
                if len(value) != len(idx):
                    raise EvalError(target, "expected as many cells on the right of '=' as "
                                    "indices")
            else:
                value = [value] * len(idx)
            top = max(idx, default=-1) + 1
            big = self.too_large(top, target, "this cell array")
            if big is not None:
                raise LimitError(target, big.why, "max_elements")
            while len(cell) < top:
                cell.append(np.zeros((0, 0)))
            for k, v in zip(idx, value):
                cell[k] = v
            self.check_nesting(cell, target)
            return self.set_path(current, target.target, cell)
        raise EvalError(target, "layergraph cannot translate this assignment")

    def set_element(self, holder, target: Index, value: Struct):
        """``s(k) = value`` (``s(k).f = v`` comes here with the new ``s(k)``): the struct
        array ``holder`` with element k set, grown with empty structs as MATLAB grows it (its
        size checked against ``max_elements`` first), every element with every field."""
        if isinstance(holder, StructArray):
            elements = list(holder)
        elif isinstance(holder, Struct):
            elements = [holder]
        elif holder is None or (isinstance(holder, Unknown) and holder.undefined) or (
                isinstance(holder, np.ndarray) and holder.size == 0):
            elements = []  # a new variable (or field), or one set to []
        else:
            raise EvalError(target, f"'{self.text(target.target)}' is not a struct: it holds "
                            f"{literal_text(holder)}")
        idx = self.indices(target.args, len(elements), target)
        top = max(idx, default=-1) + 1
        big = self.too_large(top, target, "this struct array")
        if big is not None:
            raise LimitError(target, big.why, "max_elements")
        elements += [Struct() for _ in range(top - len(elements))]
        for k in idx:
            elements[k] = value
        out = struct_array(elements)
        self.check_nesting(out, target)
        return out

    def check_nesting(self, value, node):
        """Structs and cells put inside themselves (``s.child = s`` in a loop) nest at most
        ``max_depth`` deep: deeper is a located error, before anything recurses that far."""
        d = depth_of(value)
        if d > self.limits.max_depth:
            raise LimitError(node, self.limits.exceeded(
                "max_depth", f"{d} levels", "this value nests structs or cells too deep"),
                "max_depth")

    def read_path(self, current, node):
        if isinstance(node, Id):
            return current
        holder = self.read_path(current, node.target)
        if isinstance(node, Field):
            return holder.get(node.name) if isinstance(holder, Struct) else None
        if isinstance(node, Index) and not node.brace and isinstance(holder, (Struct,
                                                                               StructArray)):
            elements = holder if isinstance(holder, StructArray) else [holder]
            idx = self.indices(node.args, len(elements), node)
            return elements[idx[0]] if len(idx) == 1 and idx[0] < len(elements) else None
        if isinstance(node, Index) and node.brace and isinstance(holder, CellArray):
            idx = self.indices(node.args, len(holder), node)
            return holder[idx[0]] if len(idx) == 1 and idx[0] < len(holder) else None
        return None

    def assign_into(self, current, target, value):
        """``layers(k) = layer``, ``layers(k) = []``, ``layers(end+1) = ...``, ``x.Name = v``."""
        if isinstance(target, Id):
            return value
        if isinstance(target, Field):
            holder_target = target.target
            holder = self.read_lvalue(current, holder_target)
            if not isinstance(holder, Layer):
                raise EvalError(target, "only layer properties can be set (e.g. layer.Name = ...)")
            holder = copy.deepcopy(holder)  # other variables may hold the same layer
            try:
                setattr(holder, target.name, to_py(self.strict(value, target)))
            except LayerGraphError as e:
                raise EvalError(target, str(e)) from None
            return self.put_lvalue(current, holder_target, holder)
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
                                f"{literal_text(value)}")
            if max(idx, default=0) >= self.limits.max_layers:
                raise LimitError(target, self.limits.exceeded(
                    "max_layers", f"index {max(idx) + 1:,}", "the layer array grows too long"),
                    "max_layers")
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
            if idx[0] >= len(arr):
                raise EvalError(node, f"index {idx[0] + 1} is beyond the end of the layer "
                                f"array: it has {len(arr)} layer(s)")
            return arr[idx[0]]
        raise EvalError(node, "layergraph cannot translate this assignment")

    def put_lvalue(self, current, node, new):
        """``current`` with the layer that ``node`` reads (:meth:`read_lvalue`) replaced by
        ``new``; ``current`` is the assignment's own copy of the list, so it may be changed."""
        if isinstance(node, Id):
            return new
        if isinstance(node, Index) and not node.brace:
            arr = self.read_lvalue(current, node.target)
            if isinstance(arr, Layer):  # x(1) of one layer is the layer itself
                return self.put_lvalue(current, node.target, new)
            if isinstance(node.target, Id):
                arr[self.indices(node.args, len(arr), node)[0]] = new
                return current
        raise EvalError(node, "layergraph cannot translate this assignment")

    def indices(self, args, n, node) -> list[int]:
        if len(args) == 2 and isinstance(args[0], Num) and args[0].value == 1:
            args = args[1:]
        elif len(args) == 2 and isinstance(args[1], Num) and args[1].value == 1:
            args = args[:1]  # c{i,1}: a column
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
        arr = numeric(v)
        if arr is None:
            raise EvalError(args[0], "expected a numeric index")
        if arr.dtype.kind == "b":
            return [int(k) for k in np.flatnonzero(arr.reshape(-1))]
        out = []
        for x in arr.reshape(-1):
            if not math.isfinite(x) or x != int(x) or x < 1:
                raise EvalError(args[0], f"index must be a positive integer, got {x:g}")
            out.append(int(x) - 1)
        return out

    def count_iteration(self, stmt, what: str):
        """One more loop iteration; past ``max_loop_iterations`` (all loops together) evaluation
        stops at the loop's keyword."""
        self.iterations += 1
        if self.iterations > self.limits.max_loop_iterations:
            head = Node(stmt.start, stmt.start + len(what.split()[1]))
            raise LimitError(head, self.limits.exceeded(
                "max_loop_iterations", f"{self.iterations:,} iterations",
                f"the {what} run too many times"), "max_loop_iterations")

    def exec_while(self, stmt: While):
        """``while cond ... end``, run while its condition is known and true (``break`` and
        ``continue`` inside); a condition that depends on data stops it there, and what the
        loop assigns is then not evaluated (a note at the loop, never a guess or a hang). Its
        iterations count towards ``max_loop_iterations`` and its steps towards
        ``max_steps``/``max_seconds``."""
        first = True
        while True:
            c = self.ev(stmt.cond)
            t = None if isinstance(c, Unknown) else truth(c)
            if t is None:
                why = "its condition depends on data" if isinstance(c, Unknown) else \
                    "its condition is not a number or logical value"
                if isinstance(c, Unknown) and c.limit:
                    why = f"its condition is not evaluated ({c.why})"
                return self.skip_block(stmt, f"a while loop is not run when {why}" if first
                                       else f"a while loop stops being run when {why}")
            if not t:
                return
            first = False
            self.count_iteration(stmt, "while loops")
            try:
                self.run_block(stmt.body)
            except _Break:
                return
            except _Continue:
                continue

    def exec_for(self, stmt: For):
        values = self._loop_values(stmt, self.ev(stmt.iter))
        if values is None:
            return
        for value in values:
            self.count_iteration(stmt, "for loops")
            self.env[stmt.var.name] = value
            try:
                self.run_block(stmt.body)
            except _Break:
                break
            except _Continue:
                continue

    def _loop_values(self, stmt: For, it):
        """What a for loop's variable takes, one per column (a struct array's elements, a
        matrix's columns); None, after a note, when the loop is not run."""
        if isinstance(it, (Struct, StructArray)) and isinstance(stmt.var, Id):
            return it if isinstance(it, StructArray) else [it]
        if isinstance(it, CellArray) and getattr(it, "shape", None) and isinstance(stmt.var, Id):
            return _cell_columns(it)  # for c = {64, 32}: c is {64}, then {32}
        arr = numeric(it) if not isinstance(it, (Unknown, LayerArray, CellArray)) else None
        if arr is None or not isinstance(stmt.var, Id):
            reason = "its range depends on data" if isinstance(it, Unknown) else \
                "its range is not numeric"
            if isinstance(it, Unknown) and it.limit:
                reason = f"its range is not evaluated ({it.why})"
            self.skip_block(stmt, f"a for loop is not run when {reason}")
            return None
        return (simplify(arr[:, k:k + 1]) for k in range(arr.shape[1]))

    def exec_if(self, stmt: If):
        for cond, body in stmt.clauses:
            c = self.ev(cond)
            t = None if isinstance(c, Unknown) else truth(c)
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
                    a, b = numeric(o), numeric(subject)
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
                self.env[name] = self.use_given(name, head, _short(self.text(head), 200),
                                                "computed from data")
                continue
            prev = self.env.get(name)
            failed = isinstance(prev, Unknown) and prev.failed
            self.env[name] = Unknown(head, message, name, stmt, None, failed)
        listed = ", ".join(assigned[:6]) + (", ..." if len(assigned) > 6 else "")
        self.note(head, f"skipped: {message}" + (f"; not evaluated: {listed}" if listed else ""))

    # --- expressions ----------------------------------------------------------------------------
    def ev(self, node, nargout=1):
        self.step(node)
        if self.given_expressions and isinstance(node, (Index, Field)):
            key = "".join(self.text(node).split())
            if key in self.given_expressions:  # variables={'numel(categories(Y))': 5}
                return self.use_given(self.given_expressions[key], node, self.text(node),
                                      "an expression computed from data")
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
            name = self.field_name(node)
            if name is None:
                return Unknown(node, "the dynamic field name depends on data")
            return self.ev_field(Field(node.start, node.end, node.target, name))
        if isinstance(node, NameValue):
            raise EvalError(node, "Name=value is only allowed as a function argument")
        raise EvalError(node, "this expression is not supported")

    def lookup(self, node: Id):
        name = node.name
        if name in self.env:
            v = self.env[name]
            if isinstance(v, Unknown):
                if name in self.given:
                    return self.use_given(name, v.assigned or node, None, "computed from data")
                return Unknown(node, v.why, v.var or name, v.assigned, v.cause, v.failed,
                               v.undefined, v.hint, v.limit)
            return v
        if name in self.given:
            return self.use_given(name, node, None, "not defined in the code")
        if name in CONSTANTS:
            return CONSTANTS[name]
        if self.is_function(name):
            return self.call(name, [], node, node)
        hint = ""
        if self.loads:
            where = ", ".join(f"`{_short(self.text(x))}` at line {self.line_of(x)}"
                              for x in self.loads[-2:])
            hint = f" (it may come from {where}, which layergraph does not read)"
        return Unknown(node, f"'{name}' is not defined{hint}", name, undefined=True, hint=hint)

    def is_function(self, name):
        """A name that is called when written alone (``softmaxLayer``, ``pi`` aside)."""
        return (bridge.handler(name) is not None or name in names.KNOWN_FUNCTIONS
                or name in BUILTINS or name in self.local_functions
                or name in names.MATLAB_ONLY_LAYERS)

    def check_layer_name(self, name, node):
        """A name that looks like a layer constructor must be one layergraph has."""
        if name in names.MATLAB_ONLY_LAYERS:
            raise EvalError(node, f"MATLAB has {name} but layergraph does not support it yet "
                            f"(layergraph.REGISTRY lists the layers it has)")
        if (bridge.handler(name) is not None or name in self.env or name in self.local_functions
                or name in names.KNOWN_FUNCTIONS or name in BUILTINS):
            return
        looks_like_layer = name.lower().endswith("layer")
        candidates = sorted(names.MATLAB_LAYERS | bridge.SUGGESTIONS)
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
        if isinstance(target, Field) and not node.brace and \
                target.name in self.local_functions:  # obj.method(args): method(obj, args)
            obj = self.ev(target.target)
            if isinstance(obj, Struct) and target.name not in obj:
                return self.call(target.name, [target.target, *node.args], node, target,
                                 nargout)
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
            if isinstance(base, StringArray) and len(picked) == 1:
                return MString(picked[0])  # an element of a string array is a string
            if node.brace:
                return picked[0] if len(picked) == 1 else Unknown(node, "multiple results")
            if isinstance(base, LayerArray) and len(picked) == 1:
                return picked[0]
            return type(base)(picked)
        if isinstance(base, (Struct, StructArray)) and not node.brace and len(node.args) in (1, 2):
            elements = base if isinstance(base, StructArray) else [base]
            try:
                idx = self.indices(node.args, len(elements), node)
            except EvalError:
                return Unknown(node, "this index is not evaluated")
            if any(k >= len(elements) for k in idx):
                return Unknown(node, f"index {max(idx) + 1} is out of range: the struct array "
                               f"has {len(elements)} element(s)")
            picked = [elements[k] for k in idx]
            return picked[0] if len(picked) == 1 else StructArray(picked)
        if isinstance(base, Layer) and len(node.args) == 1:
            idx = self.indices(node.args, 1, node)
            return base if idx == [0] else Unknown(node, "index out of range")
        arr = numeric(base)
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
            iv = numeric(v)
            if iv is None:
                return v if isinstance(v, Unknown) else Unknown(node, "non-numeric index")
            if iv.dtype.kind == "b":
                subs.append(np.flatnonzero(iv.reshape(-1)))
            else:
                if not np.all(np.isfinite(iv)) or np.any(iv < 1) or np.any(iv != np.round(iv)) \
                    or np.any(iv > n):
                    return Unknown(node, "index out of range")
                subs.append(iv.reshape(-1).astype(int) - 1)
        big = self.too_large(math.prod(len(x) for x in subs), node, "this index")
        if big is not None:
            return big
        if len(subs) == 1:
            flat = arr.reshape(-1, order="F")[subs[0]]
            shape = (1, flat.size) if arr.shape[0] == 1 else (flat.size, 1)
            return simplify(flat.reshape(shape))
        return simplify(arr[np.ix_(subs[0], subs[1])])

    def field_name(self, node: DynField) -> str | None:
        """The name of ``s.(expr)``: a char vector or string that is a valid field name (else
        an error at ``expr``); None when it depends on data."""
        v = self.ev(node.expr)
        if isinstance(v, Unknown):
            return None
        if not isinstance(v, str):
            raise EvalError(node.expr, f"a dynamic field name must be text, got "
                            f"{literal_text(v)} (expected s.(name) with name a char vector or "
                            "string, e.g. name = 'numHidden')")
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,62}", str(v)):
            raise EvalError(node.expr, f"{str(v)!r} is not a valid field name (expected a "
                            "letter, then up to 62 letters, digits or '_')")
        return str(v)

    def resolve_fields(self, target):
        """An assignment's target with each ``.(expr)`` replaced by the field it names (None
        when a name depends on data)."""
        if isinstance(target, Id):
            return target
        inner = self.resolve_fields(target.target)
        if inner is None:
            return None
        if isinstance(target, DynField):
            name = self.field_name(target)
            return None if name is None else Field(target.start, target.end, inner, name)
        return dataclasses.replace(target, target=inner) if inner is not target.target \
            else target

    def ev_items(self, node) -> list:
        """The values an element of ``[...]`` or ``{...}`` adds: one, or for a field of a
        struct array one per struct (``[s.numHidden]``, MATLAB's comma-separated list)."""
        if isinstance(node, (Field, DynField)):
            name = node.name if isinstance(node, Field) else self.field_name(node)
            base = self.ev(node.target)
            if isinstance(base, StructArray) and name is not None:
                self.step(node)
                if base and name not in base[0]:
                    return [Unknown(node, f"the struct array has no field '{name}'")]
                return [e[name] for e in base]
            if name is None:
                return [Unknown(node, "the dynamic field name depends on data")]
            return [self.field_of(base, Field(node.start, node.end, node.target, name))]
        return [self.ev(node)]

    def ev_field(self, node: Field):
        return self.field_of(self.ev(node.target), node)

    def field_of(self, base, node: Field):
        """``base.name`` of an evaluated ``base``."""
        key = self.text(node)
        if key in self.given and (isinstance(base, Unknown) or (
                isinstance(base, Struct) and isinstance(base.get(node.name), Unknown))):
            return self.use_given(key, node, None, "a field computed from data")
        if isinstance(base, Unknown):
            return base
        if isinstance(base, Struct):
            if node.name in base:
                return base[node.name]
            return Unknown(node, f"the struct has no field '{node.name}'")
        if isinstance(base, StructArray):
            return Unknown(node, f"'{node.name}' of a struct array of {len(base)} structs is a "
                           f"list of values (use [s.{node.name}], {{s.{node.name}}} or "
                           f"s(k).{node.name})")
        if isinstance(base, Trained):
            if node.name == "Layers":
                from ..graph import layerGraph
                return LayerArray(layerGraph(base.network).Layers)
            return Unknown(node, f"'{node.name}' of a trained network is not evaluated")
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
        rows, elems = [], []
        for row in node.rows:
            values = []
            for e in row:
                items = self.ev_items(e)
                values += items
                elems += [e] * len(items)
            rows.append(values)
        flat = [v for row in rows for v in row]
        big = self.too_large(sum(_elements(v) for v in flat), node, "this array")
        if big is not None:
            return big
        if node.cell:  # a cell in a cell in a loop nests without bound: count the depth
            depth = 1 + max((depth_of(v) for v in flat), default=0)
            if depth > self.limits.max_depth:
                return Unknown(node, self.limits.exceeded(
                    "max_depth", f"{depth} levels", "this cell array is not evaluated: it "
                    "nests too deep"), limit="max_depth")
            out = CellArray(flat)
            out.depth = depth
            if all(len(r) == len(rows[0]) for r in rows):  # what a for loop takes column-wise
                out.shape = (len(rows), len(rows[0])) if flat else (0, 0)
            return out
        if any(isinstance(v, (Layer, LayerArray)) for v in flat):
            n = sum(len(v) if isinstance(v, LayerArray) else 1 for v in flat)
            if n > self.limits.max_layers:
                raise LimitError(node, self.limits.exceeded(
                    "max_layers", f"{n:,} layers", "this layer array is too long"), "max_layers")
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
                                    f"{literal_text(v)}")
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
                    a = numeric(v)
                    if a is None:
                        return Unknown(node, "this array is not evaluated")
                    if a.size:
                        parts.append(a)
                if parts:
                    blocks.append(np.hstack(parts))
            if not blocks:
                return np.zeros((0, 0))
            return simplify(np.vstack(blocks))
        except ValueError:
            return Unknown(node, "the sizes in this array do not match")

    def ev_binary(self, node: Binary):
        op = node.op
        left = self.ev(node.left)
        if op in ("&&", "||"):
            if isinstance(left, Unknown):
                return left
            t = truth(left)
            if t is None:
                return Unknown(node, f"'{op}' needs logical values")
            if (op == "&&" and not t) or (op == "||" and t):
                return t
            right = self.ev(node.right)
            if isinstance(right, Unknown):
                return right
            r = truth(right)
            return Unknown(node, f"'{op}' needs logical values") if r is None else r
        right = self.ev(node.right)
        if type(left) is float and type(right) is float and op in _SCALAR_OPS:
            return _SCALAR_OPS[op](left, right)  # loop counters: no arrays needed
        for v in (left, right):
            if isinstance(v, Unknown):
                return v
        a, b = numeric(left), numeric(right)
        if op == "+" and (isinstance(left, MString) or isinstance(right, MString)) and (
                isinstance(left, str) or a is not None) and (isinstance(right, str)
                                                            or b is not None):
            def text(v):  # "lstm" + 2 is "lstm2"
                return str(v) if isinstance(v, str) else call_builtin("num2str", [v], node)
            parts = [text(left), text(right)]
            if all(isinstance(x, str) for x in parts):
                return MString(parts[0] + parts[1])
        if a is None or b is None:
            if isinstance(left, str) and isinstance(right, str) and op in ("==", "~="):
                eq = str(left) == str(right)
                return eq if op == "==" else not eq
            if isinstance(left, (Layer, LayerArray, LayerGraph)) or isinstance(
                    right, (Layer, LayerArray, LayerGraph)):
                raise EvalError(node, f"cannot apply '{op}' to a layer or network")
            return Unknown(node, f"'{op}' on these values is not evaluated")
        big = self.too_large(_result_elements(op, a, b), node, f"the result of '{op}'")
        if big is not None:
            return big
        try:
            with np.errstate(all="ignore"):
                out = simplify(binary_op(op, a, b))
        except (ValueError, TypeError):
            return Unknown(node, f"the sizes do not agree for '{op}'")
        return derive(out, _binary_expression(op, left, right))

    def ev_unary(self, node: Unary):
        v = self.ev(node.operand)
        if isinstance(v, Unknown):
            return v
        if node.op in ("'", ".'"):
            if isinstance(v, (str, Layer)):
                return v
            if isinstance(v, LayerArray):
                return v
            a = numeric(v)
            return Unknown(node, "transpose is not evaluated") if a is None else simplify(a.T)
        a = numeric(v)
        if a is None:
            return Unknown(node, f"'{node.op}' on this value is not evaluated")
        if node.op == "-":
            e = expression_of(v)
            return derive(simplify(-a.astype(float)), f"(-{e})" if e else None)
        if node.op == "+":
            return simplify(a)
        return simplify(a == 0)

    def ev_range(self, node: Range):
        first = self.ev(node.first)
        step = self.ev(node.step) if node.step is not None else 1.0
        last = self.ev(node.last)
        for v in (first, step, last):
            if isinstance(v, Unknown):
                return v
        vals = [numeric(v) for v in (first, step, last)]
        if any(v is None or v.size != 1 for v in vals):
            return Unknown(node, "this range is not evaluated")
        f, s, t = (float(v.item()) for v in vals)
        if math.isnan(f) or math.isnan(s) or math.isnan(t):
            return math.nan
        if s == 0 or (s > 0 and f > t) or (s < 0 and f < t):
            return np.zeros((1, 0))
        with np.errstate(all="ignore"):
            count = math.floor((t - f) / s + 1e-10) + 1 if math.isfinite((t - f) / s) \
                else math.inf
        big = self.too_large(count, node, "this range")
        if big is not None:
            return big
        return simplify((f + s * np.arange(int(count))).reshape(1, -1))

    # --- calls ----------------------------------------------------------------------------------
    def call(self, name, arg_nodes, node, callee, nargout=1):
        """``name(args...)``, where ``name`` is not a variable (``callee`` is its node)."""
        self.call_depth += 1
        try:
            if self.call_depth > self.limits.max_call_depth:
                raise LimitError(callee, self.limits.exceeded(
                    "max_call_depth", f"{self.call_depth} calls", "calls nest too deep"),
                    "max_call_depth")
            return self._call(name, arg_nodes, node, callee, nargout)
        finally:
            self.call_depth -= 1

    def _call(self, name, arg_nodes, node, callee, nargout=1):
        if name in self.local_functions:
            fn = self.local_functions[name]
            args = []
            for a in arg_nodes:
                if isinstance(a, NameValue):  # f(x, Name=v) passes 'Name', v
                    args += [a.name, self.ev(a.value)]
                else:
                    v = self.ev(a)
                    args.append(Unknown(a, "':' is not a value") if v is COLON else v)
            return self.call_function(fn, args, node, nargout)
        self.check_layer_name(name, callee)
        handler = bridge.handler(name)
        if handler is not None:
            return handler(self, name, arg_nodes, node)
        args = [self.ev(a) for a in arg_nodes if not isinstance(a, NameValue)]
        nv = [(a.name, self.ev(a.value)) for a in arg_nodes if isinstance(a, NameValue)]
        if name in BUILTINS and not nv:
            big = self.too_large(result_elements(name, args), node, f"'{name}(...)'")
            if big is not None:
                return big
            out = call_builtin(name, args, node)
            if depth_of(out) > self.limits.max_depth:  # struct('c', {{s}}) in a loop
                return Unknown(node, self.limits.exceeded(
                    "max_depth", f"{depth_of(out)} levels", f"'{name}(...)' is not evaluated: "
                    "it nests structs or cells too deep"), limit="max_depth")
            return derive(out, _call_expression(name, args))
        if name == "exist" and args and isinstance(args[0], str):
            v = self.env.get(str(args[0]))
            return 1.0 if v is not None and not (isinstance(v, Unknown) and v.undefined) \
                else 0.0
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
                name, sorted(bridge.SUGGESTIONS | {"analyzeNetwork"}), n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise EvalError(callee, f"unknown function '{name}' applied to a network.{hint}")
        close = difflib.get_close_matches(name, sorted(bridge.SUGGESTIONS), n=1, cutoff=0.85)
        if close:
            raise EvalError(callee, f"unknown function '{name}'. Did you mean '{close[0]}'?")
        return Unknown(node, f"'{name}' is not a function layergraph knows")


_SCALAR_OPS = {"+": float.__add__, "-": float.__sub__, "*": float.__mul__, ".*": float.__mul__,
               "<": float.__lt__, "<=": float.__le__, ">": float.__gt__, ">=": float.__ge__,
               "==": float.__eq__, "~=": float.__ne__}
"""Operators on two plain numbers (no parameter in them) computed without numpy; the results
are those of the array path (IEEE arithmetic, logical results)."""

_PY_OPS = {"+": "+", "-": "-", "*": "*", ".*": "*", "/": "/", "./": "/", "^": "**",
           ".^": "**"}
_PY_CALLS = {"floor": "math.floor({})", "ceil": "math.ceil({})", "fix": "math.trunc({})",
             "round": "math.floor({} + 0.5)", "abs": "abs({})", "sqrt": "math.sqrt({})",
             "double": "{}", "single": "{}", "max": "max({}, {})", "min": "min({}, {})",
             "mod": "({} % {})"}


def _scalar_expression(v) -> str | None:
    e = expression_of(v)
    if e is not None:
        return e
    if isinstance(v, float) and not isinstance(v, bool) and math.isfinite(v):
        return repr(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return None


def _binary_expression(op, left, right) -> str | None:
    """The Python expression of ``left op right`` when a parameter is in it."""
    if op not in _PY_OPS or not (isinstance(left, Param) or isinstance(right, Param)):
        return None
    a, b = _scalar_expression(left), _scalar_expression(right)
    return None if a is None or b is None else f"({a} {_PY_OPS[op]} {b})"


def _call_expression(name, args) -> str | None:
    """The Python expression of a built-in's call when a parameter is in its arguments."""
    if name not in _PY_CALLS or not any(isinstance(a, Param) for a in args):
        return None
    parts = [_scalar_expression(a) for a in args]
    if any(p is None for p in parts) or _PY_CALLS[name].count("{}") != len(parts):
        return None
    return _PY_CALLS[name].format(*parts)


def _is_value_path(target) -> bool:
    """``s.a``, ``s.a.b``, ``c{k}``, ``s.c{k}``: an assignment into a struct or cell value."""
    t = target
    while not isinstance(t, Id):
        if isinstance(t, Index) and (len(t.args) > 2 or (not t.brace and t is target
                                                        and not isinstance(t.target, Id))):
            return False
        if not isinstance(t, (Field, Index)):
            return False
        t = t.target
    return isinstance(target, Field) or (isinstance(target, Index) and target.brace)


def _elements(v) -> int:
    """How many elements a value adds to an array it is put in."""
    if isinstance(v, np.ndarray):
        return v.size
    if isinstance(v, (str, list)):
        return len(v)
    return 1


def _result_elements(op, a, b) -> int:
    """The elements ``a op b`` would have (0 when the sizes do not agree), before computing it."""
    if op == "*" and a.size != 1 and b.size != 1:
        return a.shape[0] * b.shape[1] if a.shape[1] == b.shape[0] else 0
    if op == "/" and b.size != 1 and a.ndim == b.ndim == 2:  # (m x n) / (p x n): m x p
        return a.shape[0] * b.shape[0] if a.shape[1] == b.shape[1] else 0
    if op == "\\" and a.size != 1 and a.ndim == b.ndim == 2:  # (m x n) \ (m x p): n x p
        return a.shape[1] * b.shape[1] if a.shape[0] == b.shape[0] else 0
    try:
        return math.prod(np.broadcast_shapes(a.shape, b.shape))
    except ValueError:
        return 0


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
