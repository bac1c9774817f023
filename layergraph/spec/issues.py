"""How a spec's problems are reported: each one a :class:`SpecIssue` with its file:line:col, all of
a file's problems raised together as one :class:`SpecError`.

Issues are data (file, line, column, layer, message, expected form); the one-line text a user
reads is rendered from them, so callers (the command line, an editor) can use the parts.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from ..errors import LayerGraphError


@dataclass
class SpecIssue:
    """One problem in a spec: where it is (file, 1-based line and column), which layer, what."""

    message: str
    line: int | None = None
    column: int | None = None
    layer: str | None = None
    expected: str | None = None
    file: str = "<string>"
    path: tuple = field(default=(), repr=False, compare=False)  # where in the YAML document
    limit: str | None = field(default=None, compare=False)  # the SpecLimits field passed, if any

    def __str__(self):
        where = self.file
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        who = f"layer '{self.layer}': " if self.layer else ""
        exp = f" (expected {self.expected})" if self.expected else ""
        return f"{where}: {who}{self.message}{exp}"


class SpecError(LayerGraphError, ValueError):
    """A spec has errors; ``.errors`` lists every one (a :class:`SpecIssue` each)."""

    def __init__(self, errors, file="<string>"):
        self.errors = [errors] if isinstance(errors, str) else list(errors)  # one message
        self.file = file
        n = len(self.errors)
        head = f"{file}: {n} error{'s' if n != 1 else ''} in the network spec:"
        super().__init__("\n".join([head, *(f"  {e}" for e in self.errors)]))


def closest(word, names) -> str:
    """``"; did you mean 'x'?"`` for the name closest to ``word`` (also ignoring case), or ''."""
    close = difflib.get_close_matches(str(word), list(names), n=1, cutoff=0.5)
    if not close:
        low = {n.lower(): n for n in names}
        if str(word).lower() in low:
            close = [low[str(word).lower()]]
    return f"; did you mean '{close[0]}'?" if close else ""


def sorted_issues(issues) -> list[SpecIssue]:
    """Issues in file order, each (line, column, message) once."""
    out, seen = [], set()
    for i in sorted(issues, key=lambda i: (i.line or 0, i.column or 0)):
        k = (i.line, i.column, i.message)
        if k not in seen:
            seen.add(k)
            out.append(i)
    return out
