"""Source positions, notes, errors and limits of the MATLAB translator.

Every problem carries the file, line and column (1-based) and the offending text, and prints the
way compilers do::

    example.m:12:5: unknown layer 'lstmLayr'. Did you mean 'lstmLayer'?
        lstmLayr(100,'OutputMode','last')
        ^~~~~~~~
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import ClassVar

from ..errors import LayerGraphError
from ..limits import LimitSet

# --- limits ------------------------------------------------------------------------------------

@dataclass
class MatlabLimits(LimitSet):
    """Limits on what MATLAB text may make the translator do, checked before the work is done.

    ``from_matlab`` runs a stranger's code: it parses every statement and evaluates the numbers,
    arrays and loops a network is built from. Each of these is bounded, and the bound is checked
    *before* the work or the allocation (``ones(9999999)`` is refused from its size, never
    allocated). A limit passed is a :class:`~layergraph.matlab.MatlabTranslationError` (or, for
    the nesting depth and the text size, a :class:`~layergraph.matlab.MatlabSyntaxError`) at the
    line and column where it was reached, naming the limit, the value found and how to raise it;
    the problem's ``limit`` attribute is the limit's name.

    =========================  ==========  ==========================================================
    limit                      default     what it bounds
    =========================  ==========  ==========================================================
    ``max_size``               1 Mi chars  the length of the MATLAB text (4 bytes a character)
    ``max_depth``              32          nesting of expressions (brackets, calls, operators), of
                                           blocks (if, for, while, switch, try) in one another, and
                                           of structs and cells in one another
    ``max_elements``           1,000,000   elements of any array, string or cell array the
                                           evaluator builds, checked before it is allocated; a
                                           larger value is not evaluated (if the network needs
                                           it, the error names the limit)
    ``max_layers``             10,000      layers in one layer array
    ``max_loop_iterations``    100,000     for-loop iterations, all loops of one translation together
    ``max_call_depth``         32          function calls evaluated inside one another
    ``max_steps``              2,000,000   evaluation steps (expressions and statements) in total
    ``max_seconds``            10.0        wall-clock seconds for one translation (parsing and
                                           evaluating)
    =========================  ==========  ==========================================================

    Raise one for every translation with ``layergraph.matlab.LIMITS.max_elements = 10**7``, or for
    one call with ``from_matlab(text, limits=MatlabLimits(max_elements=10**7))``.
    """

    settings: ClassVar[str] = "layergraph.matlab.LIMITS"
    per_call: ClassVar[str] = "from_matlab(..., limits=MatlabLimits({name}=...))"
    subject: ClassVar[str] = "the code"

    max_size: int = 2**20
    max_depth: int = 32
    max_elements: int = 1_000_000
    max_layers: int = 10_000
    max_loop_iterations: int = 100_000
    max_call_depth: int = 32
    max_steps: int = 2_000_000
    max_seconds: float = 10.0



LIMITS = MatlabLimits()
"""The limits every translation uses unless ``limits=`` is given; change its fields to raise
them."""


# --- source positions and problems ---------------------------------------------------------


class Source:
    """MATLAB text plus what is needed to turn offsets into line:column and show a line."""

    def __init__(self, text: str, filename: str | None = None):
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.filename = filename or "<matlab>"
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]

    def problem(self, start: int, end: int, message: str, severity="error",
                limit: str | None = None) -> MatlabProblem:
        start = max(0, min(start, len(self.text)))
        line, col = self.position(start)
        end = max(end, start + 1)
        text = self.text[start:min(end, start + 200)]
        return MatlabProblem(self.filename, line, col, text.strip() or
                             self.text[start:start + 1], message, self.line_text(line)[:400],
                             max(1, min(end, self.line_starts[line - 1] +
                                        len(self.line_text(line)), start + 400) - start),
                             severity, limit)


@dataclass
class MatlabProblem:
    """One error or note at a place in the MATLAB text."""

    filename: str
    line: int
    column: int
    text: str
    message: str
    source_line: str = ""
    width: int = 1
    severity: str = "error"  # 'error' or 'note'
    limit: str | None = None  # the MatlabLimits field passed, when that is the problem
    needs: str | None = None  # the variable whose value is missing, when that is the problem

    def __str__(self):
        kind = "note: " if self.severity == "note" else ""
        head = f"{self.filename}:{self.line}:{self.column}: {kind}{self.message}"
        if not self.source_line:
            return head
        lead = "".join(c if c == "\t" else " " for c in self.source_line[: self.column - 1])
        caret = "^" + "~" * max(0, self.width - 1)
        return f"{head}\n    {self.source_line}\n    {lead}{caret}"


class MatlabTranslationError(LayerGraphError, ValueError):
    """MATLAB code that could not be translated. ``problems`` lists every error found (each with
    ``line``, ``column``, ``text``); ``line``/``column``/``text`` are those of the first one."""

    def __init__(self, problems: list[MatlabProblem]):
        self.problems = list(problems)
        first = self.problems[0]
        self.filename, self.line, self.column, self.text = (
            first.filename, first.line, first.column, first.text)
        super().__init__("\n".join(str(p) for p in self.problems))


class MatlabSyntaxError(MatlabTranslationError):
    """MATLAB text that does not parse (an unterminated string or bracket, a stray operator)."""


class EvalError(Exception):
    """An error found while evaluating, at a node of the parsed MATLAB (anything with ``start`` and
    ``end`` offsets); the evaluator turns it into a :class:`MatlabProblem` and goes on with the
    next statement, so that one run reports every error."""

    def __init__(self, node, message: str, end: int | None = None, needs: str | None = None):
        super().__init__(message)
        self.node, self.message, self.needs = node, message, needs
        self.end = node.end if end is None else end


class LimitError(Exception):
    """A :class:`~.limits.MatlabLimits` limit (``limit``, its field name) would be passed at
    ``node``: evaluation stops there and the translation reports it."""

    def __init__(self, node, message: str, limit: str):
        super().__init__(message)
        self.node, self.message, self.limit = node, message, limit


class AlreadyReported(Exception):
    """An error already reported caused this one: do not report it twice."""
