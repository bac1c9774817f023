"""The whole MATLAB program as Python: data, network, training, prediction, metrics, plots.

Why: ``from_matlab`` evaluates only what decides the network, so its Python builds the layers and
options and does nothing else. A MATLAB user porting a script wants the script: load the data,
sort and normalise it, train, predict, print the accuracy, draw the figures. This module writes
each statement as the Python that does the same thing, over the MATLAB value rules of
:mod:`layergraph.matlab.runtime` (imported by the emitted program as ``ml``) and layergraph's own
layers, options and networks. The emitted program is a function ``main(**parameters)``: constants
assigned once at the top (``maxEpochs = 100``) and the data files read are its parameters.

A statement it cannot translate is listed in ``notes`` with file:line:col; where its result is
used later the program raises ``NotImplementedError("file.m:LINE: ...")`` at that point instead
of running on without it. Statements with no effect on results (``clc``, ``close all``) are
comments.
"""

from __future__ import annotations

import copy
import keyword
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..layers import REGISTRY
from .errors import (
    LIMITS,
    MatlabLimits,
    MatlabProblem,
    MatlabSyntaxError,
    MatlabTranslationError,
    Source,
)
from .names import GRAPH_FUNCTIONS, KNOWN_FUNCTIONS, MATLAB_ONLY_LAYERS
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
    Num,
    Range,
    Str,
    Switch,
    Tilde,
    Try,
    Unary,
    While,
    parse,
)
from .translation import MAX_FILES, decode_matlab

# MATLAB functions the runtime implements under the same name (those taking nargout: NARGOUT).
RUNTIME = frozenset("""
size numel length isempty height width ndims zeros ones rand randn randperm linspace reshape
repmat find isnan double horzcat vertcat cat cellfun arrayfun num2cell cell2mat categorical
categories countcats num2str string str2double sprintf fprintf disp strcmp strcat isfield
fullfile rng tic toc readmatrix csvread dlmread readtable table2array load sum mean std var
median prod cumsum max min sort sqrt exp log abs floor ceil fix sin cos tanh log10 log2 sign
round mod rem cell figure plot bar stem histogram hold subplot xlabel ylabel title legend grid
xlim ylim axis trainNetwork trainnet classify predict predictAndUpdateState resetState
minibatchpredict scores2label testnet analyzeNetwork transpose struct lower upper strrep
contains int2str mat2str isnumeric ischar confusionchart error scatter tiledlayout nexttile
trainingPartitions
""".split())
RENAMED = {"any": "any_", "all": "all_", "NaN": "nan", "nan": "nan"}
NARGOUT = frozenset({"size", "max", "min", "sort", "trainNetwork", "trainnet", "classify",
                     "predict", "predictAndUpdateState", "toc", "trainingPartitions"})

# layergraph's own functions, called as they are (they take MATLAB's arguments).
LAYERGRAPH = frozenset(REGISTRY) | GRAPH_FUNCTIONS | {"trainingOptions", "dlnetwork",
                                                      "initialize", "assembleNetwork"}

CONSTANTS = {"pi": "np.pi", "Inf": "np.inf", "inf": "np.inf", "eps": "np.finfo(float).eps",
             "true": "True", "false": "False"}

DATASETS = {"japaneseVowelsTrainData": "train", "japaneseVowelsTestData": "test"}

FILE_READERS = frozenset({"load", "readmatrix", "readtable", "csvread", "dlmread"})

# Statements that change nothing a result depends on: written as comments.
NO_EFFECT = frozenset({"clc", "close", "clear", "clearvars", "format", "warning", "drawnow",
                       "more", "beep", "diary", "commandwindow", "shg"})

# Calls that print or draw: without a semicolon they show nothing more ('ans' is not shown).
SHOWS = frozenset({"disp", "fprintf", "figure", "plot", "bar", "stem", "histogram", "hold",
                   "subplot", "xlabel", "ylabel", "title", "legend", "grid", "xlim", "ylim",
                   "axis", "rng", "tic", "analyzeNetwork", "confusionchart", "error", "scatter",
                   "tiledlayout", "nexttile"})

RESERVED = frozenset({"ml", "np", "P", "main", "PARAMETERS", "sys", "getattr", "overrides"}) | \
    LAYERGRAPH


class _Untranslatable(Exception):
    def __init__(self, node, reason):
        super().__init__(reason)
        self.node, self.reason = node, reason


@dataclass
class MatlabProgram:
    """What :func:`translate_program` wrote.

    python:     the Python program (``main(**parameters)``, runnable as a script)
    parameters: name -> default: the program's constants and data files (``NAME=VALUE`` on its
                command line, or ``main(NAME=VALUE)``)
    notes:      statements not translated (or translated as comments), with file:line:col
    """

    python: str
    parameters: dict
    notes: list[MatlabProblem]
    filename: str
    layout: str = "CT"  # how sequences are laid out: 'CT' (trainNetwork), 'TC' (trainnet)
    functions: list = field(default_factory=list)

    def run(self, **overrides) -> dict:
        """Run the program here; returns its variables at the end (the MATLAB workspace)."""
        namespace = {"__name__": "layergraph_translated_program"}
        exec(compile(self.python, self.filename + ".py", "exec"), namespace)  # noqa: S102
        return namespace["main"](**overrides)


def translate_program(text, filename: str | None = None, variables: dict | None = None, *,
                      limits: MatlabLimits | None = None, main: str | None = None
                      ) -> MatlabProgram:
    """Translate a whole MATLAB script (text, bytes or a path) into a Python program.

    A list of paths is one project: the script among them (or the file ``main`` names, without
    ``.m``) is the program, and a file ``f.m`` that starts with a function defines ``f`` for it.
    ``variables`` sets parameters' defaults (``{'maxEpochs': 1}``); a name that is not a
    parameter (a constant assigned once, or a data file) is a note. Raises
    MatlabSyntaxError / MatlabTranslationError with file:line:col for text that does not parse.
    """
    lim = limits or LIMITS
    if isinstance(text, (list, tuple)):
        return _project([os.fspath(p) for p in text], variables or {}, lim, main)
    src, body = _read(text, filename, lim)
    return _Emitter(src, body, variables or {}).program()


def _read(text, filename, lim) -> tuple[Source, list]:
    """The Source and statements of MATLAB text, bytes or a path."""
    if isinstance(text, os.PathLike):
        filename = filename or os.fspath(text)
        try:
            with open(text, "rb") as f:
                text = f.read(lim.max_size * 4 + 1)
        except OSError as exc:
            raise MatlabTranslationError([MatlabProblem(
                filename, 1, 1, "", f"cannot read the MATLAB file ({exc.strerror or exc})")]
                ) from None
    if isinstance(text, (bytes, bytearray)):
        text, _ = decode_matlab(bytes(text))
    if not isinstance(text, str):
        raise TypeError(f"translate_program expects MATLAB text (str), bytes or a path, got "
                        f"{type(text).__name__}")
    if len(text) > lim.max_size:
        raise MatlabTranslationError([MatlabProblem(
            filename or "<matlab>", 1, 1, "", lim.exceeded(
                "max_size", f"{len(text):,} characters", "the MATLAB text is too long"),
            limit="max_size")])
    src = Source(text, filename)
    body, errors = parse(src, lim, time.monotonic() + lim.max_seconds)
    if errors:
        raise MatlabSyntaxError(sorted(errors, key=lambda p: (p.line, p.column)))
    return src, body


def _project(paths, variables, lim, main) -> MatlabProgram:
    """Several files, one program: the script (or ``main``) with the others' functions."""
    if not paths or len(paths) > MAX_FILES:
        raise MatlabTranslationError([MatlabProblem(
            "<matlab>", 1, 1, "", f"expected 1 to {MAX_FILES} MATLAB files, got {len(paths)}")])
    files = []
    for path in paths:
        src, body = _read(Path(path), path, lim)
        files.append((os.path.splitext(os.path.basename(path))[0], src, body))
    scripts = [f for f in files if not (f[2] and isinstance(f[2][0], (Function, ClassDef)))]
    chosen = [f for f in files if f[0] == main] if main is not None else scripts
    if len(chosen) != 1:
        names = ", ".join(f[0] for f in (scripts or files))
        why = f"no file {main}.m among the files given" if main is not None else (
            f"several programs could be the main one ({names}): name one with main=" if chosen
            else "no script among the files: name the function to run with main=")
        raise MatlabTranslationError([MatlabProblem("<matlab>", 1, 1, "", why)])
    stem, src, body = chosen[0]
    others = []
    for other_stem, other_src, other_body in files:
        if other_src is src or not other_body or not isinstance(other_body[0], Function):
            continue
        first = copy.copy(other_body[0])
        first.name = other_stem  # MATLAB calls a function file by its file name
        others.append((other_src, [first] + [s for s in other_body[1:]
                                             if isinstance(s, Function)]))
    return _Emitter(src, body, variables, others).program()


# --- the emitter -----------------------------------------------------------------------------------


def _flexible(f: Function) -> bool:
    """Whether a function takes its inputs as MATLAB does (fewer than declared, name-value
    pairs, varargin): its body reads nargin or exist, or it declares defaults."""
    reads = {n.name for n in _walk(f.body) if isinstance(n, Id)}
    return bool(f.defaults) or bool(reads & {"nargin", "exist"}) or "varargin" in f.params


def _walk(node):
    """Every node under ``node`` (statements and expressions), iteratively."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, (list, tuple)):  # if-clauses and switch cases are (test, body) pairs
            stack.extend(v for v in n if v is not None)
            continue
        for value in getattr(n, "__dict__", {}).values():
            if isinstance(value, (list, tuple)):
                stack.extend(v for v in value if v is not None)
            elif hasattr(value, "start") and hasattr(value, "end"):
                stack.append(value)


def _base(target):
    while isinstance(target, (Index, Field, DynField)):
        target = target.target
    return target


class _Emitter:
    def __init__(self, src: Source, body: list, given: dict, others=()):
        self.src, self.body, self.given = src, body, dict(given)
        self.notes: list[MatlabProblem] = []
        self.origin = {}  # id(function) -> the Source of another file it comes from
        self.functions = {}
        for other_src, functions in others:  # the program's own functions come first
            for f in functions:
                self.functions.setdefault(f.name, f)
                self.origin[id(f)] = other_src
        self.functions.update({s.name: s for s in body if isinstance(s, Function)})
        self.script = [s for s in body if not isinstance(s, Function)]
        self.parameters: dict = {}
        self.param_lines: dict = {}
        self.file_params: dict = {}
        self.temp = 0
        self.imports: set = set()
        self.returns = None
        self.ends = []
        self.assigning = None  # the variable being assigned (names a data file's parameter)
        names = [n for n in _walk([body, *(f.body for _, fs in others for f in fs)])]
        calls = {n.name for n in names if isinstance(n, Id)}
        self.layout = "TC" if calls & {"trainnet", "dlnetwork", "minibatchpredict",
                                       "testnet"} else "CT"
        self.reads_of: dict = {}  # id(Source) -> name -> offsets where it is read
        for part_src, part in [(src, body), *((o, fs) for o, fs in others)]:
            reads = self.reads_of.setdefault(id(part_src), {})
            for n in _walk(part):
                if isinstance(n, Id):
                    reads.setdefault(n.name, []).append(n.start)
        self.stored: dict = {}
        for n in names:
            for t in (n.targets if isinstance(n, Assign) else
                      [n.var] if isinstance(n, For) else []):
                b = _base(t)
                if isinstance(b, Id):
                    self.stored.setdefault(b.name, []).append((n, t))
        self.variables = set(self.stored) | {p for f in self.functions.values()
                                             for p in f.params if p}
        if any(_flexible(f) for f in self.functions.values()):
            self.variables.add("nargin")  # the prelude of such a function assigns it
        self.loads = {}  # id(statement) -> (file, names): `load FILE` and `load(FILE)`
        for n in _walk(body):  # `load` in the script (in another file's function: a note)
            spec = _load_statement(n)
            if spec is None:
                continue
            file, explicit = spec
            found = explicit or sorted(
                v for v, places in self.reads.items() if v not in self.variables
                and v not in self.functions and not _known(v) and any(p > n.end for p in places))
            self.loads[id(n)] = (file, found)
            self.variables |= set(found)
        for s in self.script:
            self._maybe_parameter(s)

    @property
    def reads(self) -> dict:
        """Where each name is read in the file being written."""
        return self.reads_of.get(id(self.src), {})

    # --- parameters ----------------------------------------------------------------------------

    def _maybe_parameter(self, s):
        if not (isinstance(s, Assign) and not s.multi and isinstance(s.targets[0], Id)):
            return
        name = s.targets[0].name
        if len(self.stored.get(name, [])) != 1 or name in self.functions:
            return
        v = s.value
        if isinstance(v, Unary) and v.op == "-" and isinstance(v.operand, Num):
            value = -_number(v.operand.value)
        elif isinstance(v, Num):
            value = _number(v.value)
        elif isinstance(v, Str):
            value = v.value
        else:
            return
        self.parameters[name] = self.given.pop(name, value)
        self.param_lines[name] = s

    # --- notes ---------------------------------------------------------------------------------

    def note(self, node, message):
        self.notes.append(self.src.problem(node.start, node.end, message, severity="note"))

    def where(self, node) -> str:
        line, col = self.src.position(node.start)
        return f"{self.base}:{line}:{col}"

    @property
    def base(self) -> str:
        """The file's name, safe inside the program's comments, docstring and strings."""
        return _safe(self.src.filename)

    def text_of(self, node) -> str:
        return " ".join(self.src.text[node.start:node.end].split())[:160]

    # --- the program ---------------------------------------------------------------------------

    def program(self) -> MatlabProgram:
        if any(isinstance(s, ClassDef) for s in self.body):
            cls = next(s for s in self.body if isinstance(s, ClassDef))
            raise MatlabTranslationError([self.src.problem(
                cls.start, cls.start + 8, "a classdef file is not a program: translate the "
                "script that uses the class (from_matlab reads its network)")])
        entry_call = []
        if not self.script and self.functions:  # a function file: run its first function
            first = next(s for s in self.body if isinstance(s, Function))
            for p in first.params:
                if p:
                    self.parameters[p] = self.given.pop(p, None)
            args = ", ".join(f'P["{p}"]' for p in first.params if p)
            entry_call = [f"{python_name(o)} = {python_name(first.name)}({args})"
                          for o in first.outputs[:1]] or [f"{python_name(first.name)}({args})"]
        stem = os.path.splitext(self.base)[0] if self.src.filename != "<matlab>" else "program"
        main_body = self.block(self.script, set(), top=True) + entry_call
        for name in self.given:
            self.notes.append(MatlabProblem(self.src.filename, 1, 1, "", (
                f"variables: '{name}' is not a parameter of the program (a constant assigned "
                "once, or a data file); it was not used"), severity="note"))
        self.parameters["FIGURES_DIR"] = f"{stem}_figures"
        funcs = []
        for f in self.functions.values():
            funcs += self.function(f) + ["", ""]
        uses_numpy = any("np." in x for x in main_body + funcs)
        init = sorted({n for n, stores in self.stored.items()
                       if any(not isinstance(t, Id) for _, t in stores)
                       and n not in self.functions} - self._function_locals())
        lines = ["def main(**overrides):",
                        '    """Run the program; returns its variables at the end."""',
                        "    P = ml.parameters(PARAMETERS, overrides)",
                        "    ml.start(P)"]
        lines += [f"    {python_name(n)} = None  # grown by indexed assignment, as in MATLAB"
                  for n in init]
        lines += ["    " + x if x else "" for x in main_body]
        lines = [w for x in lines for w in _wrap(x)]
        funcs = [w for x in funcs for w in _wrap(x)]
        lines += [f"    ml.finish(P, {stem + '_figure'!r})",
                  "    return ml.workspace(locals())", "", ""] + funcs
        lines += ['if __name__ == "__main__":',
                  "    sys.exit(ml.run_main(main, sys.argv[1:], PARAMETERS))"]
        lines = self.header(stem, uses_numpy) + lines
        notes = sorted(self.notes, key=lambda n: (n.line, n.column))
        return MatlabProgram("\n".join(lines) + "\n", dict(self.parameters), notes,
                             self.src.filename, self.layout, list(self.functions))

    def _function_locals(self):
        out = set()
        for f in self.functions.values():
            for n in _walk(f.body):
                if isinstance(n, Assign):
                    out |= {_base(t).name for t in n.targets if isinstance(_base(t), Id)}
        script = {_base(t).name for s in self.script for n in _walk(s) if isinstance(n, Assign)
                  for t in n.targets if isinstance(_base(t), Id)}
        return out - script

    def header(self, stem, uses_numpy=True):
        base = self.base
        layout = ("C-by-T (channels by time steps), as trainNetwork takes them" if
                  self.layout == "CT" else "T-by-C (time steps by channels), as trainnet "
                  "takes them")
        doc = [f'"""Translated from {base} by layergraph (the whole program).', "",
               f"Run: python {stem}.py [NAME=VALUE ...]  (the parameters are listed in "
               "PARAMETERS).",
               "Figures are drawn headless (matplotlib's Agg backend) and saved as PNG files in "
               "FIGURES_DIR", "when the program ends.",
               f"Sequences in cell arrays are {layout}."]
        if self.notes:
            doc += ["", "Notes (a statement not translated raises NotImplementedError where its "
                    "result is needed):"]
            seen = set()
            for n in sorted(self.notes, key=lambda n: (n.line, n.column)):
                if (n.filename, n.line) in seen or not n.line:
                    continue
                seen.add((n.filename, n.line))
                doc.append(f"    {_safe(n.filename)}:{n.line}: {n.message}")
        doc.append('"""')
        params = ["PARAMETERS = {"]
        for name, value in self.parameters.items():
            origin = self.param_lines.get(name) or self.file_params.get(name)
            comment = f"  # {self.where(origin)}: {self.text_of(origin)}" if origin is not None \
                else ("  # where figures are saved" if name == "FIGURES_DIR" else "")
            params.append(f"    {name!r}: {_literal(value)},{comment}")
        params.append("}")
        imports = ["import sys", ""] + (["import numpy as np", ""] if uses_numpy else [])
        if self.imports:
            one = f"from layergraph import {', '.join(sorted(self.imports))}"
            imports += [one] if len(one) <= 100 else ["from layergraph import ("] + [
                f"    {n}," for n in sorted(self.imports)] + [")"]
        imports.append("from layergraph.matlab import runtime as ml")
        return doc + [""] + imports + ["", *params, "", ""]

    def function(self, f: Function) -> list:
        saved, self.src = self.src, self.origin.get(id(f), self.src)
        try:
            return self._function(f)
        finally:
            self.src = saved

    def _function(self, f: Function) -> list:
        params = [python_name(p) if p else f"_unused{k}" for k, p in enumerate(f.params)]
        outs = [python_name(o) for o in f.outputs]
        prelude = []
        if _flexible(f):  # called with fewer inputs, name-value pairs or varargin, as MATLAB
            prelude = self._inputs(f, params)
            params = ["*args", "**name_values"]
        sig = ", ".join(params + (["nargout=1"] if len(outs) > 1 else []))
        self.returns = self._returns(outs)
        body = prelude + self.block(f.body, set(f.params), top=False)
        inits = sorted({_base(t).name for n in _walk(f.body) if isinstance(n, Assign)
                        for t in n.targets if not isinstance(t, Id) and isinstance(_base(t), Id)}
                       - set(f.params))
        lines = [f"def {python_name(f.name)}({sig}):",
                 f'    """MATLAB function {f.name} ({self.where(f)})."""']
        lines += [f"    {python_name(n)} = None" for n in inits]
        lines += ["    " + x if x else "" for x in body]
        lines.append("    " + self.returns)
        self.returns = None
        return lines

    def _inputs(self, f: Function, params) -> list:
        """The prelude of a function whose body reads ``nargin`` or ``exist``, or that declares
        defaults (an arguments block) or takes varargin: its inputs from ``*args`` (those not
        given are ml.NotGiven), a name-value struct input (``opts.Name = default`` in the
        arguments block) from the 'Name', value pairs after them, and the defaults."""
        nv = {d.targets[0].target.name for d in f.defaults if isinstance(d.targets[0], Field)}
        rest = next((p for p in f.params if p in nv or p == "varargin"), None)
        count = f.params.index(rest) if rest is not None else len(f.params)
        kind = "varargin" if rest == "varargin" else "name-value" if rest else None
        names = params[:count] + ([python_name(rest)] if rest else [])
        lines = ["nargin = len(args) + 2 * len(name_values)",
                 f"{', '.join(names)}, = ml.function_inputs(args, name_values, "
                 f"{[p or '~' for p in f.params[:count]]!r}, {kind!r}, {f.name!r})"]
        for d in f.defaults:
            t = d.targets[0]
            code = self.block([d], set(f.params), top=False)
            if isinstance(t, Id) and t.name in f.params[:count]:
                k = f.params.index(t.name)
                lines += [f"if nargin < {k + 1}:"] + ["    " + x for x in code]
            elif isinstance(t, Field) and isinstance(t.target, Id):
                lines += [f"if not ml.isfield({python_name(t.target.name)}, {t.name!r}):"] + [
                    "    " + x for x in code]
        return lines

    @staticmethod
    def _returns(outs):
        if not outs:
            return "return None"
        if len(outs) == 1:
            return f"return {outs[0]}"
        return f"return ({', '.join(outs)})[:nargout] if nargout > 1 else {outs[0]}"

    # --- statements ----------------------------------------------------------------------------

    def block(self, stmts, defined: set, top=False) -> list:
        out = []
        for s in stmts:
            if isinstance(s, Function):
                continue
            try:
                out += self.statement(s, defined)
            except _Untranslatable as u:
                out += self.untranslated(s, u)
        if all(x.lstrip().startswith("#") or not x.strip() for x in out):
            out.append("pass")
        return out

    def untranslated(self, s, u: _Untranslatable) -> list:
        where = self.where(u.node)
        stmt = self.text_of(s)
        used = self._result_used(s)
        line = self.src.position(s.start)[0]
        if used:
            self.note(u.node, f"not translated: {u.reason} (the program raises "
                      "NotImplementedError here: its result is used later)")
            message = f"{self.base}:{line}: {stmt}: {u.reason}"
            return [f"# {where}: {stmt}", f"raise NotImplementedError({message!r})"]
        self.note(u.node, f"not translated: {u.reason} (skipped: no later statement uses a "
                  "result of it)")
        return [f"# not translated ({where}): {stmt}  -- {u.reason}"]

    def _result_used(self, s) -> bool:
        if isinstance(s, (ExprStmt, Command)):
            if isinstance(s, Command) and s.name == "load":
                return True  # the variables it creates are not known here
            return False
        names = set()
        for n in _walk(s):
            if isinstance(n, Assign):
                names |= {_base(t).name for t in n.targets if isinstance(_base(t), Id)}
            elif isinstance(n, For) and isinstance(n.var, Id):
                names.add(n.var.name)
        if isinstance(s, (For, While, If, Switch, Try)):
            return True
        return any(p > s.end or p < s.start for name in names
                   for p in self.reads.get(name, []) if not (s.start <= p < s.end))

    def silent(self, s) -> bool:
        if getattr(s, "quiet", False):  # an arguments block's default: never shown
            return True
        k = s.end
        text = self.src.text
        while k < len(text) and text[k] in " \t":
            k += 1
        return k < len(text) and text[k] == ";"

    def statement(self, s, defined: set) -> list:
        if id(s) in self.loads:
            return self.load_variables(s, defined)
        if isinstance(s, Assign):
            return self.assign(s, defined)
        if isinstance(s, ExprStmt):
            return self.expr_statement(s, defined)
        if isinstance(s, Command):
            return self.command(s)
        if isinstance(s, For):
            head = f"for {self.store_name(s.var)} in ml.iterate({self.bare(s.iter)}):"
            defined.add(_base(s.var).name)
            return [head] + self.indent(self.block(s.body, defined))
        if isinstance(s, While):
            return [f"while ml.truth({self.bare(s.cond)}):"] + self.indent(
                self.block(s.body, defined))
        if isinstance(s, If):
            out = []
            for k, (cond, body) in enumerate(s.clauses):
                out.append(f"{'if' if k == 0 else 'elif'} ml.truth({self.bare(cond)}):")
                out += self.indent(self.block(body, defined))
            if s.else_body is not None:
                out += ["else:"] + self.indent(self.block(s.else_body, defined))
            return out
        if isinstance(s, Switch):
            self.temp += 1
            var = f"_switch{self.temp}"
            out = [f"{var} = {self.expr(s.subject)}"]
            for k, (case, body) in enumerate(s.cases):
                out.append(f"{'if' if k == 0 else 'elif'} ml.switch_match({var}, "
                           f"{self.expr(case)}):")
                out += self.indent(self.block(body, defined))
            if s.otherwise is not None:
                out += (["else:"] if s.cases else ["if True:"]) + self.indent(
                    self.block(s.otherwise, defined))
            return out
        if isinstance(s, Try):
            return ["try:"] + self.indent(self.block(s.body, defined)) + [
                "except Exception:  # MATLAB's catch"] + self.indent(
                self.block(s.catch_body, defined))
        if isinstance(s, Jump):
            if s.kind == "return":
                return [self.returns or "return ml.workspace(locals())"]
            return [s.kind]
        raise _Untranslatable(s, f"a {type(s).__name__} statement is not translated")

    @staticmethod
    def indent(lines):
        return ["    " + x if x else "" for x in lines]

    def load_variables(self, s, defined) -> list:
        """``load FILE`` / ``load(FILE)``: the variables the rest of the program reads without
        assigning them (or those the statement names) are taken from the file."""
        file, names = self.loads[id(s)]
        if not names:
            return [f"# {self.text_of(s)}  (nothing later reads a variable from it: skipped)"]
        path = self.file_parameter(Str(s.start, s.end, file, False), None)
        self.note(s, f"load: {', '.join(names)} taken from the file (the names the program "
                  "reads later without assigning them)")
        self.temp += 1
        tmp = f"_loaded{self.temp}"
        defined |= set(names)
        return [f"{tmp} = ml.load({path})"] + [
            f"{python_name(v)} = ml.loaded({tmp}, {v!r}, {path})" for v in names]

    def command(self, s: Command) -> list:
        if s.name in NO_EFFECT:
            return [f"# {self.text_of(s)}  (no effect on the results: skipped)"]
        if s.name in ("hold", "grid", "axis", "figure"):
            args = ", ".join(repr(a) for a in s.args)
            return [f"ml.{s.name}({args})"]
        if s.name == "rng":
            return [f"ml.rng({', '.join(repr(a) for a in s.args)})  # seeds NumPy and torch"]
        if s.name == "load":
            raise _Untranslatable(s, "'load FILE' creates variables whose names are in the "
                                  "file; write S = load(FILE) and use S.name")
        raise _Untranslatable(s, f"the command '{s.name}' is not translated")

    def expr_statement(self, s: ExprStmt, defined) -> list:
        e = s.expr
        name = e.name if isinstance(e, Id) else (
            e.target.name if isinstance(e, Index) and isinstance(e.target, Id) else None)
        if name in NO_EFFECT and name not in self.variables:
            return [f"# {self.text_of(s)}  (no effect on the results: skipped)"]
        if isinstance(e, Id) and e.name in self.variables:
            return [] if self.silent(s) else [f"ml.display({e.name!r}, {python_name(e.name)})"]
        if name == "rng" and name not in self.variables:
            return [self.expr(e) + "  # seeds NumPy and torch"]
        code = self.expr(e, nargout=0)
        if self.silent(s) or name in SHOWS or name in self.functions:
            return [code]
        return [f"ml.display('ans', {code})"]

    def assign(self, s: Assign, defined) -> list:
        if s.multi and len(s.targets) > 1:
            n = len(s.targets)
            value = self.expr(s.value, nargout=n)
            if all(isinstance(t, (Id, Tilde)) for t in s.targets):
                names = ", ".join("_" if isinstance(t, Tilde) else self.store_name(t)
                                  for t in s.targets)
                defined |= {t.name for t in s.targets if isinstance(t, Id)}
                return [f"{names} = {value}"]
            self.temp += 1
            tmp = f"_out{self.temp}"
            out = [f"{tmp} = {value}"]
            for k, t in enumerate(s.targets):
                if not isinstance(t, Tilde):
                    out += self.store(t, f"{tmp}[{k}]", defined)
            return out
        target = s.targets[0]
        if isinstance(target, Tilde):
            return [self.expr(s.value)]
        if isinstance(target, Id) and target.name in self.param_lines and \
                self.param_lines[target.name] is s:
            defined.add(target.name)
            return [f"{self.store_name(target)} = P[{target.name!r}]"] + self.show(s, target)
        self.assigning = target.name if isinstance(target, Id) else None
        try:
            value = _bare(self.expr(s.value))
        finally:
            self.assigning = None
        return self.store(target, value, defined) + self.show(s, _base(target))

    def show(self, s, target):
        if self.silent(s) or not isinstance(target, Id):
            return []
        return [f"ml.display({target.name!r}, {python_name(target.name)})"]

    def store_name(self, t: Id) -> str:
        name = python_name(t.name)
        return name

    def store(self, t, value: str, defined: set) -> list:
        """``t = value`` for an lvalue t (a name, x(i), x{i}, s.f and nests of them)."""
        if isinstance(t, Id):
            defined.add(t.name)
            return [f"{self.store_name(t)} = {value}"]
        if isinstance(t, Index):
            base = self.load(t.target)
            subs = self.subscripts(t.args, base)
            fn = "ml.setbrace" if t.brace else "ml.setindex"
            return self.store(t.target, f"{fn}({base}, {value}, {subs})", defined)
        if isinstance(t, Field):
            return self.store(t.target, f"ml.setfield({self.load(t.target)}, {t.name!r}, "
                              f"{value})", defined)
        raise _Untranslatable(t, "this assignment target is not translated")

    def load(self, t) -> str:
        """The current value of an lvalue (None where it does not exist yet)."""
        if isinstance(t, Id):
            return python_name(t.name)
        if isinstance(t, Field):
            return f"getattr({self.load(t.target)}, {t.name!r}, None)"
        if isinstance(t, Index):
            fn = "ml.brace" if t.brace else "ml.index"
            base = self.load(t.target)
            return f"{fn}({base}, {self.subscripts(t.args, base)})"
        raise _Untranslatable(t, "this assignment target is not translated")

    # --- expressions ---------------------------------------------------------------------------

    def expr(self, e, nargout=1) -> str:
        if isinstance(e, Num):
            return _literal(_number(e.value))
        if isinstance(e, Str):
            return repr(e.value)
        if isinstance(e, Id):
            return self.name(e, nargout)
        if isinstance(e, Index):
            return self.index(e, nargout)
        if isinstance(e, Field):
            return f"{self.expr(e.target)}.{e.name}"
        if isinstance(e, DynField):
            return f"getattr({self.expr(e.target)}, {self.expr(e.expr)})"
        if isinstance(e, Binary):
            return self.binary(e)
        if isinstance(e, Unary):
            x = self.expr(e.operand)
            if e.op in ("'", ".'"):
                return f"ml.transpose({x})"
            if e.op in ("~", "!"):
                return f"ml.not_({x})"
            return f"(-{x})" if e.op == "-" else x
        if isinstance(e, Range):
            parts = [e.first] + ([e.step] if e.step is not None else []) + [e.last]
            return f"ml.colon({', '.join(self.expr(p) for p in parts)})"
        if isinstance(e, Matrix):
            return self.matrix(e)
        if isinstance(e, AnonFunc):
            params = [python_name(p) for p in e.params if p]
            saved = set(self.variables)
            self.variables |= set(e.params)
            try:
                return f"(lambda {', '.join(params)}: {self.expr(e.body)})"
            finally:
                self.variables = saved
        if isinstance(e, FuncHandle):
            return self.handle(e)
        if isinstance(e, End):
            if not self.ends:
                raise _Untranslatable(e, "'end' outside an index")
            base, k, n = self.ends[-1]
            return f"ml.end({base}, {k}, {n})"
        if isinstance(e, Colon):
            return "ml.COLON"
        raise _Untranslatable(e, f"a {type(e).__name__} expression is not translated")

    def name(self, e: Id, nargout=1) -> str:
        if e.name in self.variables:
            return python_name(e.name)
        return self.call(e, e.name, [], nargout)

    def handle(self, e: FuncHandle) -> str:
        if e.name in self.functions:
            return python_name(e.name)
        if e.name in RUNTIME or e.name in RENAMED:
            return f"ml.{RENAMED.get(e.name, e.name)}"
        if e.name in LAYERGRAPH:
            self.imports.add(e.name)
            return e.name
        raise _Untranslatable(e, f"@{e.name}: no translation of the function '{e.name}'")

    def index(self, e: Index, nargout) -> str:
        t = e.target
        if isinstance(t, Id) and t.name not in self.variables:
            if e.brace:
                raise _Untranslatable(e, f"'{t.name}' is not a variable")
            return self.call(t, t.name, e.args, nargout)
        base = self.expr(t)
        if e.brace:
            if nargout == "cs":
                return f"*ml.cs({base}{', ' if e.args else ''}{self.subscripts(e.args, base)})"
            return f"ml.brace({base}, {self.subscripts(e.args, base)})"
        return f"ml.index({base}, {self.subscripts(e.args, base)})"

    def subscripts(self, args, base) -> str:
        out = []
        for k, a in enumerate(args):
            self.ends = self.ends + [(base, k, len(args))]
            try:
                out.append(self.bare(a))
            finally:
                self.ends = self.ends[:-1]
        return ", ".join(out)

    def arguments(self, args) -> list:
        out = []
        for a in args:
            if isinstance(a, NameValue):
                out += [repr(a.name), self.bare(a.value)]
            elif isinstance(a, Index) and a.brace and not (
                    isinstance(a.target, Id) and a.target.name not in self.variables) and (
                    not a.args or any(isinstance(x, (Colon, Range)) for x in a.args)):
                out.append(self.expr(a, nargout="cs"))
            else:
                out.append(self.bare(a))
        return out

    def bare(self, e) -> str:
        """An expression where no parentheses are needed around it (an argument, a value)."""
        code = self.expr(e)
        return code if code.startswith("(lambda") else _bare(code)

    def call(self, node, name, args, nargout) -> str:
        if name in CONSTANTS and not args:
            return CONSTANTS[name]
        if name == "exist" and args and isinstance(args[0], Str) and (
                len(args) == 1 or (isinstance(args[1], Str) and args[1].value == "var")):
            return f"ml.exist_variable(locals(), {args[0].value!r})"  # exist('x', 'var')
        if name in DATASETS:
            return f"ml.japanese_vowels_data({DATASETS[name]!r}, {self.layout!r})"
        if name in self.functions:
            given = self.arguments(args) + ([f"nargout={nargout}"] if isinstance(nargout, int)
                                            and nargout > 1 else [])
            return f"{python_name(name)}({', '.join(given)})"
        if name in LAYERGRAPH:
            self.imports.add(name)
            return f"{name}({', '.join(self.keywords(name, args))})"
        if name in MATLAB_ONLY_LAYERS:
            raise _Untranslatable(node, f"MATLAB's {name} is not in layergraph yet")
        if name in RUNTIME or name in RENAMED:
            given = self.arguments(args)
            if name in FILE_READERS and args and isinstance(args[0], Str):
                given[0] = self.file_parameter(args[0], self.assigning)
            if name in NARGOUT and isinstance(nargout, int) and nargout != 1 and (
                    nargout > 1 or name == "toc"):
                given.append(f"nargout={nargout}")
            return f"ml.{RENAMED.get(name, name)}({', '.join(given)})"
        if name in ("cell",):
            return f"ml.cell({', '.join(self.arguments(args))})"
        if name not in KNOWN_FUNCTIONS and (name[:1].isupper() or not args):
            raise _Untranslatable(node, f"'{name}' is neither a variable this program assigns "
                                  "nor a function layergraph translates")
        raise _Untranslatable(node, f"no translation of the function '{name}'")

    def file_parameter(self, arg: Str, variable) -> str:
        """The file a reader reads as a parameter: ``<variable>File`` (or ``<stem>File``)."""
        base = re.sub(r"\W", "_", os.path.splitext(os.path.basename(arg.value))[0]) or "data"
        name = f"{variable}File" if variable else f"{base}File"
        while name in self.parameters and self.parameters[name] != arg.value:
            name += "_"
        self.parameters[name] = self.given.pop(name, arg.value)
        self.file_params[name] = arg
        return f"P[{name!r}]"

    def keywords(self, name, args) -> list:
        """Arguments of a layergraph function, 'Name', value pairs as keywords."""
        first = 1 if name in ("trainingOptions",) else next(
            (k for k, a in enumerate(args) if isinstance(a, (Str, NameValue))), len(args))
        if name == "trainingOptions" and not args:
            first = 0
        rest = args[first:]
        pairs = []
        k = 0
        while k < len(rest):
            a = rest[k]
            if isinstance(a, NameValue) and a.name.isidentifier():
                pairs.append(f"{a.name}={self.option_value(a.name, a.value)}")
                k += 1
            elif isinstance(a, Str) and a.value.isidentifier() and not keyword.iskeyword(
                    a.value) and k + 1 < len(rest) and not isinstance(rest[k + 1], NameValue):
                pairs.append(f"{a.value}={self.option_value(a.value, rest[k + 1])}")
                k += 2
            else:
                return self.arguments(args)
        return self.arguments(args[:first]) + pairs

    def option_value(self, name, value) -> str:
        """An option's value; ValidationData ({X, Y} in MATLAB's layout) in layergraph's."""
        code = self.bare(value)
        if name.lower() == "validationdata":
            return f"ml.validation_data({code}, {self.layout!r})"
        return code

    def binary(self, e: Binary) -> str:
        a, b = self.expr(e.left), self.expr(e.right)
        op = e.op
        if op == "+" and (self.stringy(e.left) or self.stringy(e.right)):
            return f"ml.plus({a}, {b})"
        simple = {"+": "+", "-": "-", ".*": "*", "./": "/", ".^": "**", "==": "==",
                  "~=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
        if op in simple:
            return f"({a} {simple[op]} {b})"
        calls = {"*": "ml.mtimes", "/": "ml.mrdivide", "\\": "ml.mldivide", "^": "ml.mpower",
                 "&": "np.logical_and", "|": "np.logical_or"}
        if op in calls:
            return f"{calls[op]}({a}, {b})"
        if op in ("&&", "||"):
            return f"(ml.truth({a}) {'and' if op == '&&' else 'or'} ml.truth({b}))"
        raise _Untranslatable(e, f"the operator '{op}' is not translated")

    def stringy(self, e) -> bool:
        if isinstance(e, Str):
            return e.double
        if isinstance(e, Index) and isinstance(e.target, Id):
            return e.target.name in ("string", "num2str", "sprintf", "strcat")
        if isinstance(e, Binary) and e.op == "+":
            return self.stringy(e.left) or self.stringy(e.right)
        return False

    def matrix(self, e: Matrix) -> str:
        rows = [r for r in e.rows if r]
        if e.cell:
            inner = ", ".join("[" + ", ".join(self.arguments(r)) + "]" for r in rows)
            return f"ml.cell([{inner}])"
        if not rows:
            return "np.zeros((0, 0))"
        items = [x for r in rows for x in r]
        if all(isinstance(x, (Index, Id)) and _callee(x) in REGISTRY
               and _callee(x) not in self.variables for x in items):
            return "[" + ", ".join(self.bare(x) for x in items) + "]"
        if all(isinstance(x, Str) and x.double for x in items):
            inner = ", ".join("[" + ", ".join(repr(x.value) for x in r) + "]" for r in rows)
            return f"ml.strings([{inner}])"
        inner = ", ".join("[" + ", ".join(self.arguments(r)) + "]" for r in rows)
        return f"ml.mat([{inner}])"


def _outside_strings(code: str, start: int = 0):
    """(index, character, bracket depth before it) of each character of Python ``code`` from
    ``start`` that is not inside a string literal."""
    depth, quote, k = 0, None, start
    while k < len(code):
        c = code[k]
        if quote:
            if c == "\\":
                k += 1
            elif c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        else:
            yield k, c, depth
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
        k += 1


def _wrap(line: str, width: int = 100) -> list:
    """A long ``name = f(a, b, ...)`` or ``name = [a, b, ...]`` line as one argument a line."""
    if len(line) <= width or line.lstrip().startswith("#"):
        return [line]
    indent = line[:len(line) - len(line.lstrip())]
    opening = re.match(r"\s*(?:[\w, ]+ = )?[\w.]*([(\[])", line)
    if not opening:
        return [line]
    start = opening.end()
    parts, last, close = [], start, None
    for k, c, depth in _outside_strings(line, start):
        if c in ")]}" and depth == 0:
            close = k
            break
        if c == "," and depth == 0:
            parts.append(line[last:k].strip())
            last = k + 1
    if close is None or line[close + 1:].strip() != "":
        return [line]
    k = close
    parts.append(line[last:k].strip())
    return [line[:start]] + [f"{indent}    {p}," for p in parts if p] + [indent + line[k:]]


def _safe(filename: str) -> str:
    """A file's base name, safe inside the program's comments, docstring and strings."""
    return re.sub(r"[^\w.\- ]", "_", os.path.basename(filename))


def _load_statement(n):
    """(file, variables named) of a ``load`` statement whose variables are not assigned."""
    if isinstance(n, Command) and n.name == "load" and n.args:
        return n.args[0], [a for a in n.args[1:] if not a.startswith("-")]
    if isinstance(n, ExprStmt) and isinstance(n.expr, Index) and _callee(n.expr) == "load" \
            and n.expr.args and all(isinstance(a, Str) for a in n.expr.args):
        return n.expr.args[0].value, [a.value for a in n.expr.args[1:]
                                      if not a.value.startswith("-")]
    return None


def _known(name) -> bool:
    """A function or constant name (not a variable a file could hold)."""
    return name in RUNTIME or name in RENAMED or name in LAYERGRAPH or name in CONSTANTS or \
        name in DATASETS or name in KNOWN_FUNCTIONS or name in MATLAB_ONLY_LAYERS or \
        name in NO_EFFECT


def _bare(code: str) -> str:
    """``code`` without parentheses around all of it (``(a + b)`` -> ``a + b``)."""
    if not (code.startswith("(") and code.endswith(")")):
        return code
    for k, c, depth in _outside_strings(code):
        if c in ")]}" and depth == 1 and k < len(code) - 1:
            return code  # the first parenthesis closes before the end
    return code[1:-1]


def _callee(x):
    if isinstance(x, Id):
        return x.name
    if isinstance(x, Index) and isinstance(x.target, Id) and not x.brace:
        return x.target.name
    return None


def _number(v: float):
    return int(v) if float(v).is_integer() and abs(v) < 2**53 else float(v)


def _literal(v) -> str:
    if isinstance(v, float):
        if v != v:
            return "np.nan"
        if v in (float("inf"), -float("inf")):
            return "np.inf" if v > 0 else "-np.inf"
    return repr(v)


def python_name(name: str) -> str:
    """A MATLAB name as a Python name that hides nothing the program uses."""
    if keyword.iskeyword(name) or name in ("True", "False", "None") or name in RESERVED:
        return name + "_"
    return name
