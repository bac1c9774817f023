"""Hostile inputs made from real ones: the shipped specs and the MATLAB fixtures, mutated.

Shared by ``tests/test_fuzz_text.py`` (a fixed seed, a small budget) and ``tools/fuzz_text.py``
(the same strategies for minutes). Each strategy draws a real file and applies a few mutations:
at the level of its tokens (a value, a key, an operator, a bracket replaced, dropped, repeated
or swapped; a hostile piece such as ``1e400``, an alias, a NUL, ``ones(9999999)`` inserted),
and at the level of its bytes (a byte changed, bytes inserted, the text encoded in another
encoding). :func:`check_spec` and :func:`check_matlab` say what must hold for every input: it
loads (and a spec round-trips), or a :class:`~layergraph.errors.LayerGraphError` with a line
number is raised, never any other exception.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
SPEC_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "specs").glob("*.yaml"))]
SPEC_TEXTS.append("""\
name: with-parameters
parameters:
  numClasses: {default: 9, from: "numel(categories(YTrain))"}
  numFeatures: {default: 12, type: integer, description: channels}
  width: {default: [28, 28, 1]}
  mode: {default: last}
layers:
  - sequenceInput: {InputSize: $numFeatures, Name: $$in}
  - convolution1d: [3, $numFeatures]
  - lstm: {NumHiddenUnits: 100, OutputMode: $mode}
  - fullyConnected: $numClasses
  - softmax
  - classification
training:
  solver: adam
  MaxEpochs: $numClasses
""")  # a spec with parameters and references of every form
MATLAB_TEXTS = [p.read_text(encoding="utf-8")
                for p in sorted((ROOT / "tests" / "fixtures" / "matlab").glob("*.m"))]

YAML_PIECES = [
    "1e400", "-1e400", "-1", "0", "0.5", ".nan", ".inf", "-.inf", "''", '""', "[]", "{}", "null",
    "~", "true", "no", "x" * 300, "&a", "*a", "*undefined", "&a [1, *a]",
    "!!python/object/apply:os.system ['echo']", "!!binary aGVsbG8=", "!!set {a}", "<<: *a",
    "[[[[[[[[", "]]]", "{{{", "}}", "- ", ": ", "\t", "\x00", "\ufeff", "\x85", "\u2028",
    "'1e3'", "1e3", "2024-01-01", "0x1F", "0o17", "1_000", "? k", "%YAML 1.1", "---", "...",
    "|\n  block", '"\\x00"', '"\\ud800"', "é", "层", "@", "`", "#", "&x {a: 1}", "*x",
    "[1, [2, [3, [4]]]]", "{a: {b: {c: 1}}}", "99999999999999999999", "-0", "1.5e-400",
    "lstm", "bilstm", "sequenceInput", "softmax", "classification", "fold/miniBatchSize",
    "a -> b", "inputs", "connections", "Name", "NumHiddenUnits", "OutputMode", "last",
    "$n", "$$n", "$", "parameters", "{n: {default: 3}}", "{from: x}", "$NumHiddenUnits",
]

MATLAB_PIECES = [
    "1e400", "-1e400", "1e-400", "-1", "0", "NaN", "Inf", "-Inf", "1i", "0x1F", "9" * 30,
    "end", "if true", "if x", "else", "for i = 1:3", "for i = 1:1e9", "while true", "switch x",
    "case 1", "try", "catch", "function y = f(x)", "break", "return", "(", ")", "[", "]", "{",
    "}", "'", '"', "...", "%{", "%}", "%", "ones(9999999)", "zeros(1e5, 1e5)", "1:1e12",
    "layers(end+1)", "layers(0)", "layers(1e400)", "layers(end)", "x.y", "@(x) x", ";", ",",
    "\n", "\r\n", "\t", "é", "层", "\x00", "‘", "’", "，", "²", "lstmLayr", "layerGraph",
    "layerGraph()", "connectLayers(lgraph,'a','b')", "removeLayers(lgraph,'x')",
    "addLayers(lgraph, reluLayer)", "trainingOptions('adam')", "trainingOptions('adam', 'x')",
    "~", "==", ".^", "^", "*", "'", ".'", "=", ":", "[x x]", "{x}", "x{1}", "numel(x)",
    "size(x, 1e400)", "lstmLayer(1e400)", "lstmLayer(-1)", "lstmLayer(100, 'OutputMode')",
    "sequenceInputLayer(12)", "fullyConnectedLayer(9)", "softmaxLayer", "classificationLayer",
    "regressionLayer", "dropoutLayer(2)", "Name", "'Name'", "'OutputMode'", "'last'",
    "layers", "lgraph", "options", "net", "clear all", "load data.mat", "hold on",
    "\nc = {};\nfor k = 1:50000\n c = {c};\nend\n", "\nfor k = 1:60\n layers = [layers layers];\nend\n",
    "\nfor k = 1:3000\n layers(end+1) = reluLayer;\nend\n", "x = ones(1, 1e6) + ones(1e6, 1)",
    "s.(x)", "s.('a')", "s.(1)", "s(2).a", "s(1e9).a", "struct('a', {1, 2})", "[s.a]",
    "fieldnames(s)", "while k < 3", "\ns.c = s;\n", "repmat(s, 1, 1e9)",
]

_YAML_TOKEN = re.compile(r"[A-Za-z_][\w/.-]*|-?[0-9][\w.+-]*|'[^'\n]*'|\"[^\"\n]*\"|[\[\]{}:,\-&*!|>#]")
_MATLAB_TOKEN = re.compile(r"[A-Za-z_]\w*|[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|'[^'\n]*'"
                           r"|\"[^\"\n]*\"|\.\.\.|[^\s\w]")


def _spans(pattern, text):
    return [m.span() for m in pattern.finditer(text)]


@st.composite
def _token_mutation(draw, text, pattern, pieces):
    """One change at a token of ``text``: replaced by a piece, dropped, repeated, swapped with
    the next one, or a piece inserted before it."""
    spans = _spans(pattern, text)
    if not spans:
        return text + draw(st.sampled_from(pieces))
    k = draw(st.integers(0, len(spans) - 1))
    a, b = spans[k]
    kind = draw(st.sampled_from(["replace", "drop", "repeat", "swap", "insert", "nest",
                                 "case"]))
    if kind == "replace":
        return text[:a] + draw(st.sampled_from(pieces)) + text[b:]
    if kind == "drop":
        return text[:a] + text[b:]
    if kind == "repeat":
        return text[:b] + text[a:b] * draw(st.integers(1, 3)) + text[b:]
    if kind == "swap" and k + 1 < len(spans):
        c, d = spans[k + 1]
        return text[:a] + text[c:d] + text[b:c] + text[a:b] + text[d:]
    if kind == "nest":  # brackets around a token, deeper than any limit sometimes
        n = draw(st.sampled_from([1, 2, 5, 40, 3000]))
        left, right = draw(st.sampled_from([("(", ")"), ("[", "]"), ("{", "}"), ("-", "")]))
        return text[:a] + left * n + text[a:b] + right * n + text[b:]
    if kind == "case":
        return text[:a] + text[a:b].swapcase() + text[b:]
    return text[:a] + draw(st.sampled_from(pieces)) + text[a:]


@st.composite
def _byte_mutation(draw, raw: bytes):
    """One change at a byte: a byte replaced, bytes inserted, or a span deleted."""
    if not raw:
        return draw(st.binary(max_size=8))
    k = draw(st.integers(0, len(raw) - 1))
    kind = draw(st.sampled_from(["set", "insert", "delete"]))
    if kind == "set":
        return raw[:k] + bytes([draw(st.integers(0, 255))]) + raw[k + 1:]
    if kind == "insert":
        return raw[:k] + draw(st.binary(min_size=1, max_size=8)) + raw[k:]
    return raw[:k] + raw[k + draw(st.integers(1, 16)):]


@st.composite
def _mutated(draw, texts, pattern, pieces, encodings):
    text = draw(st.sampled_from(texts))
    for _ in range(draw(st.integers(1, 4))):
        text = draw(_token_mutation(text, pattern, pieces))
    if draw(st.booleans()):
        return text
    raw = text.encode(draw(st.sampled_from(encodings)), "replace")
    for _ in range(draw(st.integers(0, 3))):
        raw = draw(_byte_mutation(raw))
    return raw


def mutated_specs():
    """Shipped specs, mutated: ``str`` (YAML text) or ``bytes`` (a file's contents)."""
    return _mutated(SPEC_TEXTS, _YAML_TOKEN, YAML_PIECES, ["utf-8", "utf-8-sig", "latin-1",
                                                           "utf-16"])


def mutated_matlab():
    """MATLAB fixtures, mutated: ``str`` (MATLAB text) or ``bytes`` (a file's contents)."""
    return _mutated(MATLAB_TEXTS, _MATLAB_TOKEN, MATLAB_PIECES, ["utf-8", "utf-8-sig",
                                                                 "gb18030", "latin-1",
                                                                 "utf-16"])


# --- what must hold ----------------------------------------------------------------------------

_LOCATED = re.compile(r":\d+:\d+: ")


class Unexpected(AssertionError):
    """An input broke the contract: another exception, an error without a line, or a spec that
    does not load back equal."""


def check_spec(source) -> str:
    """Load a mutated spec; returns 'ok' or 'error' and raises :class:`Unexpected` otherwise."""
    from layergraph.errors import LayerGraphError
    from layergraph.spec import SpecError, load_spec, save_spec

    try:
        spec = load_spec(io.BytesIO(source) if isinstance(source, bytes) else source)
    except SpecError as e:
        unplaced = [str(i) for i in e.errors if i.line is None]
        if unplaced or not _LOCATED.search(str(e)):
            raise Unexpected(f"an issue without a line: {unplaced or str(e)}") from e
        return "error"
    except LayerGraphError as e:
        if isinstance(source, str) and "\n" not in source:
            return "error"  # taken as a path: a file error has no line
        raise Unexpected(f"{type(e).__name__} without a line: {e}") from e
    except Exception as e:
        raise Unexpected(f"{type(e).__name__}: {e}") from e
    try:
        text = save_spec(spec)
        again = load_spec(text)
    except Exception as e:
        raise Unexpected(f"the spec loads but does not round-trip: {type(e).__name__}: {e}"
                         ) from e
    if again != spec:
        raise Unexpected(f"load -> save -> load differs:\n{text}")
    return "ok"


def check_matlab(source) -> str:
    """Translate mutated MATLAB; returns 'ok' or 'error' and raises :class:`Unexpected`
    otherwise."""
    from layergraph import from_matlab
    from layergraph.matlab import MatlabTranslationError

    try:
        t = from_matlab(source, filename="fuzz.m")
    except MatlabTranslationError as e:
        if not e.problems or any(p.line < 1 for p in e.problems) or not _LOCATED.search(str(e)):
            raise Unexpected(f"an error without a line: {e}") from e
        return "error"
    except Exception as e:
        raise Unexpected(f"{type(e).__name__}: {e}") from e
    try:
        t.to_python()
        t.to_yaml()
    except Exception as e:
        raise Unexpected(f"translated, but its Python or YAML fails: {type(e).__name__}: {e}"
                         ) from e
    return "ok"
