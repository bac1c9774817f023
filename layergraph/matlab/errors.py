"""Source positions, notes and errors of the MATLAB translator.

Every problem carries the file, line and column (1-based) and the offending text, and prints the
way compilers do::

    example.m:12:5: unknown layer 'lstmLayr'. Did you mean 'lstmLayer'?
        lstmLayr(100,'OutputMode','last')
        ^~~~~~~~
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from ..errors import LayerGraphError


class Source:
    """MATLAB text plus what is needed to turn offsets into line:column and show a line."""

    def __init__(self, text: str, filename: str | None = None):
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.filename = filename or "<matlab>"
        self.line_starts = [0]
        for i, ch in enumerate(self.text):
            if ch == "\n":
                self.line_starts.append(i + 1)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]

    def problem(self, start: int, end: int, message: str, severity="error") -> MatlabProblem:
        line, col = self.position(start)
        end = max(end, start + 1)
        return MatlabProblem(self.filename, line, col, self.text[start:end].strip() or
                       self.text[start:start + 1], message, self.line_text(line),
                       min(end, self.line_starts[line - 1] + len(self.line_text(line))) - start,
                       severity)


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

    def __init__(self, node, message: str, end: int | None = None):
        super().__init__(message)
        self.node, self.message = node, message
        self.end = node.end if end is None else end


class AlreadyReported(Exception):
    """An error already reported caused this one: do not report it twice."""
