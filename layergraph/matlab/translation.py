"""from_matlab: MATLAB network code -> a LayerGraph, trainingOptions, a Python script or YAML."""

from __future__ import annotations

import copy
import math
import os
import re
import time
from dataclasses import dataclass, field

import numpy as np

from ..errors import LayerGraphError
from ..graph import LayerGraph, layerGraph
from ..layers import Layer
from ..spec import save_spec
from ..spec.parameters import NAME as PARAMETER_NAME
from ..spec.parameters import Bound
from ..training import TrainingOptions
from ..training.metrics import BY_NAME as METRICS_BY_NAME
from ..training.metrics import Metric
from ..training.schedules import LearnRateSchedule
from .bridge import EXPRESSIONS
from .errors import (
    LIMITS,
    MatlabLimits,
    MatlabProblem,
    MatlabSyntaxError,
    MatlabTranslationError,
    Source,
)
from .interpreter import Evaluator
from .parser import ClassDef, Function, Id, Node, parse
from .values import Trained, Unknown, is_network, python_name, to_py


@dataclass
class MatlabTranslation:
    """What :func:`from_matlab` found.

    graph:     the network (the one passed to trainNetwork, else the last layer array or layer
               graph assigned), as a LayerGraph; raises while ``unbound`` is not empty
    options:   the trainingOptions (passed to trainNetwork, else the last assigned), or None
    variables: the MATLAB variables that were evaluated (numbers, strings, layers, graphs)
    notes:     statements that were skipped (data, training, plots ...), each with file:line:col
    unbound:   the parameters without a value: what the network depends on that the code computes
               from data (or takes as a function input) and ``variables=`` did not give. The
               Python is then a function that takes them and the spec declares them without a
               default (see :func:`_with_stand_ins`); binding them gives the network itself.
    """

    built_graph: LayerGraph  # the network as evaluated (with stand-ins for ``unbound``)
    options: TrainingOptions | None
    variables: dict
    notes: list[MatlabProblem]
    filename: str
    network_variable: str | None = None
    options_variable: str | None = None
    source: str = field(default="", repr=False)
    explicit_names: set = field(default_factory=set, repr=False)  # names the MATLAB code gave
    encoding: str = "utf-8"  # how the bytes were read, when bytes or a path were given
    parameters: dict = field(default_factory=dict)  # name -> Parameter (bound with variables=)
    function_name: str | None = None  # the function of a function file, translated as such
    modern: dict = field(default_factory=dict, repr=False)  # dlnetwork / trainnet seen
    data: dict = field(default_factory=dict)  # the spec's data: section (a shipped data set)
    unbound: dict = field(default_factory=dict)  # name -> Parameter without a value

    @property
    def graph(self) -> LayerGraph:
        if self.unbound:
            names = ", ".join(self.unbound)
            raise MatlabTranslationError([MatlabProblem(
                p.filename, max(p.line, 1), 1, p.name,
                f"the network depends on '{p.name}', which has no value ({_origin(p)}): give "
                f"variables={{'{p.name}': ...}} to from_matlab (--var {p.name}=...) to build "
                f"it; to_python() and to_yaml() keep {names} as parameters without a value")
                for p in self.unbound.values()])
        return self.built_graph

    @property
    def layers(self) -> list[Layer]:
        return self.graph.Layers

    def to_python(self) -> str:
        """A runnable Python script (``from layergraph import *``) that builds the same network,
        as ``layers`` (a plain chain) or ``lgraph``, and the same ``options``."""
        return python_script(self)

    def to_yaml(self) -> str:
        """The YAML spec of the network and its training options (layergraph.spec); the
        parameters are its ``parameters:`` section (each with the MATLAB expression it came
        from) and the options set from one are written as ``$name``."""
        name = os.path.splitext(os.path.basename(self.filename))[0] if self.filename != \
            "<matlab>" else None
        description = f"Translated from {self.filename} by layergraph.from_matlab"
        parameters, derived = spec_parameters(self)
        held = [d for d in derived if any(re.search(
            rf"\b{re.escape(python_name(n))}\b", d.split(" = ", 1)[1]) for n in self.unbound)]
        if held:
            p = next(iter(self.unbound.values()))
            raise MatlabTranslationError([MatlabProblem(
                p.filename, max(p.line, 1), 1, p.name,
                f"a spec holds values where the MATLAB code computes options from parameters "
                f"({'; '.join(held)}), and {', '.join(self.unbound)} has no value: give it "
                f"with variables= (--var {p.name}=...) to write the spec, or use to_python(), "
                f"which keeps the computation")])
        if derived:
            description += ("; computed from parameters, written as values: "
                            + ", ".join(derived))
        loss = self.modern.get("trainnet")  # trainnet's loss name: a dlnetwork spec's loss
        if "trainnet" in self.modern and not isinstance(loss, str):
            description += ("; trainnet's loss is a function, which a spec cannot hold: add "
                            "loss: <name> before loading it")
        return save_spec(self.built_graph, options=self.options, name=name,
                         description=description,
                         parameters=parameters, data=self.data or None,
                         loss=loss if isinstance(loss, str) else None)


ENCODINGS = ("utf-8", "gb18030", "latin-1")
"""How MATLAB files are read, in this order: UTF-8 (with or without a byte-order mark), else
GB18030 (GBK's superset: much MATLAB code comes from Chinese tutorials), else Latin-1 (which
reads any bytes). A file with a UTF-16 byte-order mark is read as UTF-16."""


def decode_matlab(raw: bytes) -> tuple[str, str]:
    """(text, encoding) of the bytes of a MATLAB file, as :data:`ENCODINGS` says."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    for encoding in ENCODINGS:
        try:
            text = raw.decode("utf-8-sig" if encoding == "utf-8" else encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "gb18030" and _looks_latin1(raw):
            continue
        return text, encoding
    raise AssertionError("latin-1 decodes any bytes")  # pragma: no cover


def _looks_latin1(raw: bytes) -> bool:
    """Latin-1 text often decodes as GB18030 too ('é' + 'e' is one hanzi): Chinese text pairs
    high bytes with high bytes (GB2312's range), accented Latin letters stand alone before
    ASCII. More lone high bytes than high pairs reads as Latin-1."""
    alone = paired = 0
    i, n = 0, len(raw)
    while i < n:
        b = raw[i]
        if b < 0x80:
            i += 1
            continue
        nxt = raw[i + 1] if i + 1 < n else 0
        if 0x30 <= nxt <= 0x39:  # GB18030's four-byte form
            paired += 1
            i += 4
            continue
        if nxt < 0x80:
            alone += 1
        else:
            paired += 1
        i += 2
    return alone > paired


def from_matlab(text, filename: str | None = None, variables: dict | None = None, *,
                limits: MatlabLimits | None = None, main: str | None = None
                ) -> MatlabTranslation:
    """Translate MATLAB code that declares a network (and its training options).

    ``text`` is the MATLAB code: a string, the bytes of a file, or a path-like object to read
    it from. Bytes are read as UTF-8 (with or without a byte-order mark), else GB18030, else
    Latin-1; anything but UTF-8 adds a note saying which encoding was assumed. ``variables``
    gives values for variables the code computes from data, e.g. ``{'numClasses': 9}`` for
    ``numClasses = numel(categories(YTrain))``, for struct fields (``{'params.numHidden':
    100}``) and for the inputs of a function file's function; each one the network uses is a
    *parameter* of the translation (``parameters``): the Python is then a function with those
    arguments. One the code needs and no value was given for stays a parameter without a value
    (``unbound``; see :func:`_with_stand_ins`) where it reaches the network only as a parameter,
    else it is an error at the line where the network needs it. A function file
    (``function net = buildNet(numFeatures, numClasses)``) is run as that function; a folder
    or a list of ``.m`` files is one program whose calls between files are resolved (``main``
    names the script or function to run when there are several).
    ``limits`` (default
    :data:`layergraph.matlab.LIMITS`, a :class:`MatlabLimits`) bound the text's size and
    nesting and the evaluation's arrays, loops, calls, steps and time.

    Raises MatlabSyntaxError or MatlabTranslationError listing every problem with its file, line
    and column.
    """
    lim = limits or LIMITS
    deadline = time.monotonic() + lim.max_seconds
    encoding = "utf-8"
    if isinstance(text, (list, tuple)) or (isinstance(text, os.PathLike) and os.path.isdir(text)):
        return _from_files(text, variables, lim, deadline, main)
    if isinstance(text, os.PathLike):
        filename = filename or os.fspath(text)
        try:
            size = os.path.getsize(text)
            if size > lim.max_size * 4:  # 4 bytes a character at most
                _too_long(size, filename, lim, "bytes")
            with open(text, "rb") as f:
                text = f.read()
        except OSError as exc:
            raise MatlabTranslationError([MatlabProblem(
                filename, 1, 1, "", f"cannot read the MATLAB file ({exc.strerror or exc})")]
                ) from None
    if isinstance(text, (bytes, bytearray)):
        if len(text) > lim.max_size * 4:
            _too_long(len(text), filename, lim, "bytes")
        text, encoding = decode_matlab(bytes(text))
    if not isinstance(text, str):
        raise TypeError(f"from_matlab expects MATLAB text (str), bytes or a path, got "
                        f"{type(text).__name__}")
    if len(text) > lim.max_size:
        _too_long(len(text), filename, lim, "characters")
    src = Source(text, filename)
    return _translate(src, [], variables, lim, deadline, encoding)


STAND_INS = ((7, 11, 13, 17, 19, 23, 29, 31), (37, 41, 43, 47, 53, 59, 61, 67),
             (1,) * 8, (2,) * 8)
"""The values a translation binds, in turn, to the variables it lacks (see
:func:`_with_stand_ins`): two sets of distinct primes, which must both translate and agree,
then 1 and 2 (the values code most often tests for), which must agree where they translate."""

FRACTION_STAND_INS = ((0.25, 0.3, 0.35, 0.4, 0.45, 0.15, 0.2, 0.1),
                      (0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9),
                      (0.125,) * 8, (0.625,) * 8)
"""The stand-ins of a variable that an integer does not fit (it is a probability, a rate): the
same four runs, with fractions."""

MAX_STAND_IN_ROUNDS = 8  # each round may find more: one error a statement is reported


def _origin(p) -> str:
    """Where a parameter comes from, for messages and comments."""
    where = f"{os.path.basename(p.filename)} line {p.line}" if p.line else "not in the code"
    what = f"`{p.expression}`, " if p.expression else ""
    return f"{what}{p.origin} ({where})"


def _translate(src: Source, others: list, variables, lim, deadline, encoding,
               entry_name: str | None = None) -> MatlabTranslation:
    """:func:`_translate_once`; where its only errors are values it lacks (computed from data,
    or inputs of the function), the translation with those as parameters without a value."""
    try:
        return _translate_once(src, others, variables, lim, deadline, encoding, entry_name)
    except MatlabTranslationError as exc:
        found = _with_stand_ins(exc, src, others, variables, lim, deadline, encoding,
                                entry_name)
        if found is None:
            raise
        return found


def _with_stand_ins(exc, src, others, variables, lim, deadline, encoding, entry_name):
    """The translation that keeps the variables the code could not evaluate as parameters
    without a value, or None where that would be a guess.

    The evaluation is rerun with stand-in values bound to those variables (:data:`STAND_INS`;
    :data:`FRACTION_STAND_INS` for one an option refused an integer for).
    It is accepted only where every error was such a variable, both sets of primes translate,
    and every run that translates writes the same Python and the same spec (the values aside):
    then the variables reach the network only as its parameters, never through a loop count,
    a condition or a computation the Python would hold as a number. A computed option the spec
    cannot hold (``2 * numHidden``) leaves ``to_yaml`` an error that says so."""
    needed: list = []
    fractions: set = set()  # variables an integer stand-in does not fit

    def run(k):  # the translation with stand-in set k, or its error
        given = dict(variables or {})
        for i, n in enumerate(needed):
            values = (FRACTION_STAND_INS if n in fractions else STAND_INS)[k]
            given[n] = values[i % len(values)]
        try:
            return _translate_once(src, others, given, lim, deadline, encoding, entry_name)
        except MatlabTranslationError as again:
            return again

    problems = exc.problems
    for _ in range(MAX_STAND_IN_ROUNDS):
        if problems is not None:
            names = [p.needs for p in problems]
            if not names or None in names or any(n in (variables or {}) for n in names):
                return None
            needed += [n for n in dict.fromkeys(names) if n not in needed]
        results = [run(0), run(1)]  # the primes first: sets 1 and 2 only once both translate
        failed = [r for r in results if isinstance(r, MatlabTranslationError)]
        if len(failed) == 2 and all(p.needs for r in failed for p in r.problems):
            problems = results[0].problems  # more variables it lacks, seen once these are bound
            continue
        misfits = {p.text.strip() for r in failed for p in r.problems if p.needs is None} & \
            set(needed)
        if misfits - fractions:  # an option refused an integer stand-in: try fractions
            fractions |= misfits
            problems = None
            continue
        if failed:
            return None
        results += [run(k) for k in range(2, len(STAND_INS))]
        made = [r for r in results if isinstance(r, MatlabTranslation)]
        if any(n not in r.parameters for r in made for n in needed):
            return None
        for r in made:
            r.unbound = {n: r.parameters[n] for n in needed}
        if len({_written(r) for r in made}) != 1:
            return None
        first = made[0]
        for n in first.unbound.values():
            line = src.line_text(n.line) if n.filename == src.filename and n.line else ""
            first.notes.append(MatlabProblem(
                n.filename, max(n.line, 1), 1, n.name,
                f"'{n.name}' has no value ({_origin(n)}): the translation keeps it as a parameter "
                f"without a value; give it with --var {n.name}=... (variables=) to fix it",
                line, max(len(line), 1), "note", needs=n.name))
        # the variables that hold stand-ins are not reported as evaluated
        others_vars = made[1].variables
        first.variables = {k: v for k, v in first.variables.items()
                           if k in others_vars and _same(v, others_vars[k])}
        return first
    return None


def _written(t: MatlabTranslation) -> tuple:
    """What a translation writes (its Python and its spec, or the error of its spec), to compare
    translations made with different stand-ins."""
    try:
        spec = t.to_yaml()
        spec = re.sub(r"^parameters:\n(  .*\n)*", "", spec, flags=re.M)  # holds no stand-in
    except (LayerGraphError, TypeError) as e:  # what to_yaml would raise, compared as text
        spec = f"{type(e).__name__}: {e}"
    try:
        python = python_script(t)
    except (LayerGraphError, TypeError) as e:
        python = f"{type(e).__name__}: {e}"
    return python, spec


def _same(a, b) -> bool:
    try:
        return bool(np.array_equal(a, b)) if isinstance(a, np.ndarray) or isinstance(
            b, np.ndarray) else bool(a == b)
    except Exception:  # values without a plain equality (layers compare by their props)
        return False


def _translate_once(src: Source, others: list, variables, lim, deadline, encoding,
                    entry_name: str | None = None) -> MatlabTranslation:
    """Run ``src`` (a script, a function file or a class file) with the functions of
    ``others`` (``(Source, statements)`` of the other files of a project) callable."""
    try:
        body, syntax_errors = parse(src, lim, deadline)
        if syntax_errors:
            raise MatlabSyntaxError(sorted(syntax_errors, key=lambda p: (p.line, p.column)))
        ev = Evaluator(src, variables, lim, deadline)
        if encoding != "utf-8":
            ev.note(Node(0, 0), f"the file is not UTF-8 text; it was read as "
                    f"{encoding.upper()} (save it as UTF-8 to be sure of its strings)")
        for other_src, other_body in others:
            ev.hoist(other_body, other_src)
        entry = _entry_function(body, entry_name)
        ev.run(body, entry)
        ev.note_uncalled()
        for name in ev.given:
            if name not in ev.parameters:  # never a silent no-op
                ev.note(Node(0, 0), f"variables: '{name}' was given but not used (the code "
                        "sets it itself, or the network does not depend on it)")
    except RecursionError:  # only when max_depth was raised past what Python's stack allows
        raise MatlabSyntaxError([src.problem(0, 1, (
            f"the code nests too deep for Python's recursion limit (with max_depth="
            f"{lim.max_depth}); lower MatlabLimits.max_depth or raise sys.setrecursionlimit"),
            limit="max_depth")]) from None
    if ev.errors:
        raise MatlabTranslationError(ev.errors)

    network_var = options_var = None
    options = None
    if ev.trained is not None:
        network, opts, call = ev.trained
        if not is_network(network):
            raise MatlabTranslationError([src.problem(
                call.start, call.end, "the network given to trainNetwork is not a layer array "
                "or layer graph")])
        network_var = _variable_holding(ev, network)
        if isinstance(opts, TrainingOptions):
            options = opts
            options_var = _variable_holding(ev, opts)
    elif ev.last_network is not None:
        network_var, network, _ = ev.last_network
    else:
        raise MatlabTranslationError([src.problem(
            0, 1, "no network found: expected a layer array (layers = [sequenceInputLayer(...) "
            "...]) or a layer graph (lgraph = layerGraph(layers))")])
    if options is None and ev.last_options is not None:
        options_var, options, _ = ev.last_options
    try:
        graph = layerGraph(network)
    except LayerGraphError as e:
        stmt = ev.last_network[2] if ev.last_network else ev.trained[2]
        raise MatlabTranslationError([src.problem(stmt.start, stmt.end, str(e))]) from None
    variables_out = {k: to_py(v) for k, v in ev.env.items()
                     if not isinstance(v, (Unknown, Trained))}
    used = _parameters_used(ev.parameters, graph, options)
    result = MatlabTranslation(graph, options, variables_out, ev.notes, src.filename, network_var,
                             options_var, src.text, set(ev.explicit_names), encoding,
                             used, ev.entry.name if ev.entry is not None and not any(
                                 isinstance(s, ClassDef) for s in body) else None,
                             dict(ev.modern))
    result.data = shipped_data(body)
    return result


SHIPPED_DATA = {"japaneseVowelsTrainData": "japanese_vowels"}
"""MATLAB data functions whose data layergraph ships, and the spec's ``dataset`` for each."""


def shipped_data(body) -> dict:
    """The spec's ``data:`` section when the code loads a data set layergraph ships."""
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):  # (test, body) pairs of ifs and switches
            stack.extend(node)
            continue
        if isinstance(node, Id) and node.name in SHIPPED_DATA:
            return {"dataset": SHIPPED_DATA[node.name]}
        for value in getattr(node, "__dict__", {}).values():
            if isinstance(value, (list, tuple)):
                stack.extend(value)
            elif isinstance(value, Node):
                stack.append(value)
    return {}


def _parameters_used(parameters: dict, graph, options=None) -> dict:
    """The parameters the network's (and options') Python refers to, and the inputs of the
    function translated (the function takes them all)."""
    exprs = " ".join(e for x in [*graph.Layers, options]
                     for e in getattr(x, EXPRESSIONS, {}).values())
    return {k: p for k, p in parameters.items()
            if re.search(rf"\b{re.escape(python_name(k))}\b", exprs)
            or p.origin.startswith("an input")}


def _entry_function(body: list, name: str | None = None) -> Function | None:
    """The main function of a function file (its first function, when the file has no script
    statements), or the function called ``name``."""
    functions = [s for s in body if isinstance(s, Function)]
    if name is not None:
        return next((f for f in functions if f.name == name), None)
    if functions and body and body[0] is functions[0] and len(functions) == len(body):
        return functions[0]
    return None


MAX_FILES = 200
"""Most ``.m`` files one project translation reads."""


def _from_files(paths, variables, lim, deadline, main) -> MatlabTranslation:
    """A project's ``.m`` files (a folder, or a list of paths): a file ``f.m`` that starts with
    a function defines ``f`` (and its local functions) for the others; one program is run: the
    only script, or ``main`` (a file name without ``.m``) when there are several."""
    if isinstance(paths, os.PathLike):
        folder = os.fspath(paths)
        paths = sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".m"))
    paths = [os.fspath(p) for p in paths]
    if len(paths) > MAX_FILES:
        raise MatlabTranslationError([MatlabProblem(
            paths[MAX_FILES], 1, 1, "", f"more than {MAX_FILES} MATLAB files")])
    if not paths:
        raise MatlabTranslationError([MatlabProblem(
            "<matlab>", 1, 1, "", "no MATLAB files (.m) to translate")])
    files = []
    total = 0
    for path in paths:
        try:
            with open(path, "rb") as f:
                raw = f.read(lim.max_size * 4 + 1)
        except OSError as exc:
            raise MatlabTranslationError([MatlabProblem(
                path, 1, 1, "", f"cannot read the MATLAB file ({exc.strerror or exc})")]) from None
        total += len(raw)
        if total > lim.max_size * 4:
            _too_long(total, path, lim, "bytes in all")
        text, encoding = decode_matlab(raw)
        src = Source(text, path)
        body, errors = parse(src, lim, deadline)
        if errors:
            raise MatlabSyntaxError(sorted(errors, key=lambda p: (p.filename, p.line, p.column)))
        stem = os.path.splitext(os.path.basename(path))[0]
        files.append((stem, src, body, encoding))
    scripts = [f for f in files if not (f[2] and isinstance(f[2][0], (Function, ClassDef)))]
    if main is not None:
        chosen = [f for f in files if f[0] == main]
        if not chosen:
            raise MatlabTranslationError([MatlabProblem(
                "<matlab>", 1, 1, "", f"no file {main}.m among the files given")])
    elif len(scripts) == 1:
        chosen = scripts
    elif len(files) == 1:
        chosen = files
    else:
        names = ", ".join(f[0] for f in scripts or files)
        raise MatlabTranslationError([MatlabProblem(
            "<matlab>", 1, 1, "", f"several programs could be the main one ({names}): name "
            "one with main=")])
    stem, src, _, encoding = chosen[0]
    others = []
    for other_stem, other_src, other_body, _ in files:
        if other_src is src or not other_body or not isinstance(other_body[0], Function):
            continue
        first = other_body[0]
        if first.name != other_stem:  # MATLAB calls a function file by its file name
            first = copy.copy(first)
            first.name = other_stem
        others.append((other_src, [first] + other_body[1:]))
    return _translate(src, others, variables, lim, deadline, encoding)


def _too_long(n, filename, lim, unit):
    raise MatlabSyntaxError([MatlabProblem(
        filename or "<matlab>", 1, 1, "", lim.exceeded("max_size", f"{n:,} {unit}",
                                                       "the MATLAB text is too long"),
        limit="max_size")])


def _variable_holding(ev, value):
    for name, v in reversed(list(ev.env.items())):
        if v is value:
            return name
    return None


# --- Python output ----------------------------------------------------------------------------


def python_literal(v) -> str:
    if isinstance(v, (bool, np.bool_)):
        return repr(bool(v))
    if isinstance(v, (int, np.integer)):
        return repr(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isinf(v):
            return 'float("inf")' if v > 0 else '-float("inf")'
        if math.isnan(v):
            return 'float("nan")'
        return repr(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, str):
        return repr(v)
    if isinstance(v, np.ndarray):
        return python_literal(v.tolist())
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(python_literal(x) for x in v) + "]"
    if v is None:
        return "None"
    if isinstance(v, Metric):  # Metrics=...: by name when it is the named metric's defaults
        name = next((n for n, cls in METRICS_BY_NAME.items() if cls() == v), None)
        if name is not None:
            return repr(name)
        given = [f"{k}={python_literal(getattr(v, k))}" for k, o in v.options.items()
                 if getattr(v, k) != o.default]
        if v.NetworkOutput is not None:
            given.insert(0, f"NetworkOutput={v.NetworkOutput!r}")
        if v.Name != v.default_name:
            given.insert(0, f"Name={v.Name!r}")
        return f"{v.matlab_name}({', '.join(given)})"
    if isinstance(v, LearnRateSchedule):  # its repr is its constructor call with changed values
        return repr(v)
    raise TypeError(f"cannot write {v!r} as Python")


def _expression(text: str) -> str:
    """A parameter expression without the parentheses around all of it."""
    if text.startswith("(") and text.endswith(")"):
        depth = 0
        for k, c in enumerate(text):
            depth += (c == "(") - (c == ")")
            if depth == 0 and k < len(text) - 1:
                return text
        return text[1:-1]
    return text


def layer_call(layer: Layer, with_name=True) -> str:
    cfg = layer.config()
    exprs = getattr(layer, EXPRESSIONS, {})
    for k in exprs:
        cfg.setdefault(k, layer.props[k])  # a parameter equal to the default is still written
    name = cfg.pop("Name")
    args = []

    def value(k, v):
        return _expression(exprs[k]) if k in exprs else python_literal(v)

    for p in layer.positional:
        if p not in cfg:
            break
        args.append(value(p, cfg.pop(p)))
    args += [f"{k}={value(k, v)}" for k, v in cfg.items()]
    if with_name and name:
        args.append(f"Name={python_literal(name)}")
    return f"{layer.matlab_name}({', '.join(args)})"


def _runs(graph: LayerGraph):
    """Split the layer list into runs that layerGraph/addLayers would chain, and the other edges."""
    layers = graph.Layers
    edges = graph.edges()
    edge_set = set(edges)
    runs = [[layers[0]]] if layers else []
    for a, b in zip(layers, layers[1:]):
        if a.outputs and b.inputs and (a.Name, a.outputs[0], b.Name, b.inputs[0]) in edge_set:
            runs[-1].append(b)
        else:
            runs.append([b])
    chain = {(a.Name, a.outputs[0], b.Name, b.inputs[0]) for r in runs for a, b in zip(r, r[1:])}
    extra = [e for e in edges if e not in chain]
    return runs, extra


def _endpoint(layer, port, side):
    ports = layer.outputs if side == "out" else layer.inputs
    return layer.Name if len(ports) == 1 and port == ports[0] else f"{layer.Name}/{port}"


def _auto_named(layer) -> bool:
    return bool(re.fullmatch(re.escape(layer.default_name) + r"(_\d+)?", layer.Name))


def _rebuild(graph, runs, extra, strip):
    """The graph the emitted code builds (names stripped where ``strip`` says)."""
    def prep(run):
        out = []
        for lay in run:
            c = copy.deepcopy(lay)
            if strip(lay):
                c.props["Name"] = ""
            out.append(c)
        return out

    g = layerGraph(prep(runs[0]))
    for r in runs[1:]:
        g.addLayers(prep(r))
    by_name = {lay.Name: lay for lay in graph.Layers}
    for s, sp, d, dp in extra:
        g.connectLayers(_endpoint(by_name[s], sp, "out"), _endpoint(by_name[d], dp, "in"))
    return g


def spec_parameters(t: MatlabTranslation) -> tuple[Bound, list[str]]:
    """The translation's parameters as a spec's ``parameters`` section (default: the value
    given; ``from``: the MATLAB expression), the options set from exactly one parameter as its
    reference, and the options computed from parameters (``lstm.NumHiddenUnits = (2 *
    numFeatures)``), which a spec holds as values."""
    bound, derived = Bound(), []
    for p in t.parameters.values():
        key = python_name(p.name)
        if not PARAMETER_NAME.match(key):  # an expression bound by its text: a value
            continue
        decl = {} if p.name in t.unbound else {"default": to_py(p.value)}
        if p.expression:
            decl["from"] = p.expression
        where = f"{os.path.basename(p.filename)} line {p.line}" if p.line else "not in the code"
        named = f", MATLAB's {p.name}" if key != p.name else ""
        decl["description"] = f"{p.origin} ({where}{named})"
        bound.declared[key] = decl
        bound.values[key] = to_py(p.value)  # for an unbound one: the stand-in the network holds

    def references(exprs, owner):
        refs = {}
        for option, expr in exprs.items():
            e = _expression(expr)
            if e in bound.declared:
                refs[option] = "$" + e
            else:
                derived.append(f"{owner}{option} = {e}")
        return refs

    for lay in t.built_graph.Layers:
        refs = references(getattr(lay, EXPRESSIONS, {}), f"{lay.Name}.")
        if refs:
            bound.layers[lay.Name] = refs
    if t.options is not None:
        bound.training = references(t.options.__dict__.get(EXPRESSIONS, {}), "training.")
    return bound, derived


def _as_function(t: MatlabTranslation, lines: list, network: str) -> list:
    """The network's code as a Python function whose arguments are the parameters (defaults:
    the values given), and the call of it."""
    func = python_name(t.function_name or "build_network")
    args = [python_name(p.name) if p.name in t.unbound else
            f"{python_name(p.name)}={python_literal(p.value)}" for p in t.parameters.values()]
    required = [python_name(n) for n in t.unbound]
    last_required = max((k for k, a in enumerate(args) if "=" not in a), default=-1)
    if last_required > 0 and any("=" in a for a in args[:last_required]):
        args.insert(0, "*")  # one without a value after one with: keyword-only arguments
    sig = ", ".join(args)
    doc = [f'    """The network of {os.path.basename(t.filename)}'
           + (f" (MATLAB function {t.function_name})" if t.function_name else "") + "."]
    if t.parameters:
        doc += ["", "    Parameters (values the MATLAB code does not fix; the defaults are the "
                "values given):"]
        for p in t.parameters.values():
            where = f"line {p.line}" if p.line else "not in the code"
            what = f"`{p.expression}`, " if p.expression else ""
            none = "; no value was given" if p.name in t.unbound else ""
            doc.append(f"        {python_name(p.name)}: {what}{p.origin} ({where}){none}")
    doc.append('    """')
    outputs = [network] + (["options"] if t.options is not None else [])
    body = ["    " + x if x else "" for x in "\n".join(lines).split("\n")]
    head = f"def {func}({sig}):"
    if len(head) > 100:
        head = f"def {func}(\n" + "".join(f"    {a},\n" for a in sig.split(", ")) + "):"
    call = [f"{', '.join(outputs)} = {func}()"]
    if required:  # a clearly marked block: the values to set before running
        stem = os.path.splitext(os.path.basename(t.filename))[0]
        call = ["# --- Set these before running: the MATLAB code computes them from data (or "
                "takes them", "# as inputs), and no value was given for them."]
        for n in t.unbound.values():
            call.append(f"{python_name(n.name)} = None  # {_origin(n)}")
        call += [f"if None in ({', '.join(required)},):",
                 f"    raise SystemExit({stem + ': set ' + ', '.join(required) + ' above'!r})",
                 "# ---",
                 f"{', '.join(outputs)} = {func}("
                 + ", ".join(f"{r}={r}" for r in required) + ")"]
    return [head, *doc, *body, f"    return {', '.join(outputs)}", "", "", *call]


def python_script(t: MatlabTranslation) -> str:
    graph = t.built_graph
    runs, extra = _runs(graph)

    def strip(lay):  # leave out names MATLAB code did not give and layerGraph gives back
        return lay.Name not in t.explicit_names and _auto_named(lay)

    try:
        if runs and _rebuild(graph, runs, extra, strip) != graph:
            strip = lambda lay: False  # noqa: E731
    except LayerGraphError:
        strip = lambda lay: False  # noqa: E731

    def array(run, indent="    "):
        return "[\n" + "".join(f"{indent}{layer_call(lay, not strip(lay))},\n"
                               for lay in run) + "]"

    lines = []
    by_name = {lay.Name: lay for lay in graph.Layers}
    if not runs:
        lines.append("lgraph = layerGraph()")
    elif len(runs) == 1 and not extra:
        lines.append(f"layers = {array(runs[0])}")
    else:
        lines.append(f"layers = {array(runs[0])}")
        lines.append("lgraph = layerGraph(layers)")
        for r in runs[1:]:
            lines.append(f"lgraph = addLayers(lgraph, {array(r)})")
        for s, sp, d, dp in extra:
            lines.append(f"lgraph = connectLayers(lgraph, "
                         f"{python_literal(_endpoint(by_name[s], sp, 'out'))}, "
                         f"{python_literal(_endpoint(by_name[d], dp, 'in'))})")
    if t.options is not None:
        given = t.options.to_dict(only_given=True)
        solver = given.pop("SolverName")
        exprs = t.options.__dict__.get(EXPRESSIONS, {}) if t.parameters else {}
        args = [python_literal(solver)] + [
            f"{k}={_expression(exprs[k]) if k in exprs else python_literal(v)}"
            for k, v in given.items()]
        one = f"options = trainingOptions({', '.join(args)})"
        if len(one) <= 100:
            lines += ["", one]
        else:
            lines += ["", "options = trainingOptions(\n" +
                      "".join(f"    {a},\n" for a in args) + ")"]
    network = "layers" if len(runs) == 1 and not extra else "lgraph"
    head = [f'"""Translated from {t.filename} by layergraph.from_matlab."""', ""]
    if any("math." in e for lay in graph.Layers for e in getattr(lay, EXPRESSIONS, {}).values()):
        head += ["import math", ""]
    head += ["from layergraph import *  # noqa: F403", ""] + ([""] if t.parameters or t.function_name else [])
    if t.parameters or t.function_name:
        lines = _as_function(t, lines, network)
    if t.modern.get("dlnetwork") or "trainnet" in t.modern:
        init = ", Initialize=False" if t.modern.get("initialize") is False else ""
        lines += ["", f"net = dlnetwork({network}{init})"]
    if "trainnet" in t.modern:
        loss = python_literal(t.modern["trainnet"]) if t.modern["trainnet"] else "lossFcn"
        lines += [f"# net, info = trainnet(XTrain, TTrain, net, {loss}, options)"]
    lines = head + lines
    skipped = [n for n in t.notes if n.needs is None]  # not the parameters without a value
    if skipped:
        lines += ["", f"# Not translated from {t.filename} (see the notes):"]
        seen = set()
        for n in sorted(skipped, key=lambda n: n.line):
            if n.line not in seen:
                seen.add(n.line)
                lines.append(f"#   line {n.line}: {n.source_line.strip()}")
    return "\n".join(lines) + "\n"
