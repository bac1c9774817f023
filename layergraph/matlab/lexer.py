"""A MATLAB lexer that keeps the position of every token.

MATLAB's rules it follows:

- ``'`` is a transpose right after an identifier, a number, a closing bracket or another transpose,
  and starts a char vector otherwise; inside brackets a ``'`` after a space starts a string.
  ``''`` inside a char vector and ``""`` inside a string are escaped quotes.
- ``%`` starts a comment (outside strings); ``%{`` and ``%}`` alone on their lines delimit a block
  comment (nestable).
- ``...`` continues the line and makes the rest of the line a comment. Text copied from a web page
  often loses its line breaks, leaving ``[ ...sequenceInputLayer(12)lstmLayer(100)...``: when code
  (no space, or a layer name) follows ``...`` directly, it is kept as code.
- Inside ``[ ]`` and ``{ }`` a newline separates rows; whether a space came before a token is
  recorded (``[1 -2]`` has two elements, ``[1 - 2]`` one).
- Command syntax at the start of a statement (``hold on``, ``load WaveformData``) becomes one
  ``cmd`` token holding the command name and its words.
- An identifier made of several known MATLAB layer names run together
  (``softmaxLayerclassificationLayer``) is split into them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import MatlabProblem, Source
from .names import SPLITTABLE

KEYWORDS = frozenset("""break case catch classdef continue else elseif end for function global if
otherwise parfor persistent return spmd switch try while""".split())

OPERATORS = sorted("""+ - * / \\ ^ .* ./ .\\ .^ .' ' == ~= < <= > >= & | && || ~ = : , ; ( ) [ ]
{ } . @""".split(), key=len, reverse=True)

_NUMBER = re.compile(r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eEdD][+-]?[0-9]+)?")
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_BLOCK_OPEN = re.compile(r"[ \t]*%\{[ \t]*$")
_BLOCK_CLOSE = re.compile(r"[ \t]*%\}[ \t]*$")
_COMMAND = re.compile(r"[ \t]+(?=[A-Za-z0-9_'\"\-])")
_CLOSERS = {"(": ")", "[": "]", "{": "}"}
_DIGITS = frozenset("0123456789")
MAX_ERRORS = 50
"""The lexer stops after this many errors (a binary or garbled file would give one per byte)."""
_LONGEST_SPLIT = 256  # names run together longer than this are not split (MATLAB's limit is 63)


class _TooManyErrors(Exception):
    pass


@dataclass
class Token:
    kind: str  # 'num' 'str' 'dstr' 'id' 'kw' 'op' 'nl' 'cmd' 'eof'
    value: object
    start: int
    end: int
    space_before: bool = False
    depth: int = 0  # number of open brackets of any kind before this token

    def is_op(self, *ops) -> bool:
        return self.kind == "op" and self.value in ops

    def is_kw(self, *words) -> bool:
        return self.kind == "kw" and self.value in words


def split_run_together(name: str, known=SPLITTABLE) -> list[str] | None:
    """``'softmaxLayerclassificationLayer'`` -> ``['softmaxLayer', 'classificationLayer']``.

    Returns None unless the whole identifier is two or more known names (longest match first).
    """
    if name in known or len(name) > _LONGEST_SPLIT:
        return None
    best: dict[int, list[str]] = {0: []}
    for i in range(len(name)):
        if i not in best:
            continue
        for j in range(len(name), i, -1):
            if name[i:j] in known and j not in best:
                best[j] = best[i] + [name[i:j]]
    parts = best.get(len(name))
    return parts if parts and len(parts) > 1 else None


class Lexer:
    def __init__(self, source: Source):
        self.src = source
        self.text = source.text
        self.errors: list[MatlabProblem] = []

    def error(self, start, end, message):
        self.errors.append(self.src.problem(start, end, message))
        if len(self.errors) >= MAX_ERRORS:
            raise _TooManyErrors()

    def tokens(self) -> list[Token]:
        n = len(self.text)
        nul = self.text.find("\x00")
        if nul >= 0:  # a binary file, or UTF-16 read as 8-bit text
            self.errors.append(self.src.problem(
                nul, nul + 1, "NUL byte (character 0) in the text: expected MATLAB text (is "
                "this a binary file, or a file saved as UTF-16?)"))
            return [Token("nl", "\n", n, n), Token("eof", None, n, n)]
        try:
            return self._tokens()
        except _TooManyErrors:
            self.errors.append(self.src.problem(n, n, f"stopped after {MAX_ERRORS} errors"))
            return [Token("nl", "\n", n, n), Token("eof", None, n, n)]

    def _tokens(self) -> list[Token]:
        text, n = self.text, len(self.text)
        out: list[Token] = []
        stack: list[tuple[str, int]] = []  # open brackets and their offsets
        i = 0
        space = False
        stmt_start = True

        def emit(kind, value, start, end):
            nonlocal space, stmt_start
            out.append(Token(kind, value, start, end, space, len(stack)))
            space = False
            stmt_start = False

        def prev_is_value():
            if not out:
                return False
            t = out[-1]
            return (t.kind in ("num", "id", "str", "dstr") or t.is_op(")", "]", "}", "'", ".'")
                    or t.is_kw("end"))

        while i < n:
            line_start = i == 0 or text[i - 1] == "\n"
            if line_start:
                eol = text.find("\n", i)
                eol = n if eol < 0 else eol
                if _BLOCK_OPEN.match(text, i, eol):
                    i = self._skip_block_comment(i)
                    space = True
                    continue
            ch = text[i]
            if ch in " \t":
                space = True
                i += 1
                continue
            if ch == "%":
                eol = text.find("\n", i)
                i = n if eol < 0 else eol
                continue
            if text.startswith("...", i):
                eol = text.find("\n", i)
                eol = n if eol < 0 else eol
                rest = text[i + 3:eol]
                if _continues_as_code(rest):
                    i += 3  # web copy with lost line breaks: what follows is code
                else:
                    i = eol + 1  # continuation: the rest of the line is a comment
                space = True
                continue
            if ch == "\n":
                if stack and stack[-1][0] == "(":
                    space = True  # MATLAB needs '...' here; accept the newline as a space
                else:
                    emit("nl", "\n", i, i + 1)
                    stmt_start = not stack
                i += 1
                continue
            if ch in "\"'" and not (ch == "'" and prev_is_value()
                                    and not (space and stack and stack[-1][0] in "[{")):
                i = self._string(i, ch, emit)
                continue
            if ch in _DIGITS or (ch == "." and i + 1 < n and text[i + 1] in _DIGITS):
                m = _NUMBER.match(text, i)
                lit = m.group()
                # '1./x' is 1 ./ x: give the dot back when an operator follows it
                if lit.endswith(".") and i + len(lit) < n and text[i + len(lit)] in "*/\\^'":
                    lit = lit[:-1]
                j = i + len(lit)
                emit("num", float(lit.replace("d", "e").replace("D", "e")), i, j)
                i = j
                continue
            if ch.isascii() and ch.isalpha():  # MATLAB names are ASCII
                m = _IDENT.match(text, i)
                word = m.group()
                j = m.end()
                if word in ("global", "persistent"):  # 'global x y': a declaration
                    i = self._command(i, j, word, emit)
                    continue
                if word in KEYWORDS and word != "end":
                    emit("kw", word, i, j)
                    stmt_start = word not in ("for", "parfor", "while", "if", "elseif",
                                              "switch", "case", "function",
                                              "classdef")
                    i = j
                    continue
                if word == "end":  # closes a block, or the last index inside brackets
                    emit("kw", word, i, j)
                    i = j
                    continue
                if stmt_start and not stack and _is_command(text, j):
                    i = self._command(i, j, word, emit)
                    continue
                parts = split_run_together(word)
                if parts:
                    k = i
                    for p in parts:
                        emit("id", p, k, k + len(p))
                        k += len(p)
                else:
                    emit("id", word, i, j)
                i = j
                continue
            for op in OPERATORS:
                if text.startswith(op, i):
                    break
            else:
                self.error(i, i + 1, _unexpected(ch))
                i += 1
                continue
            if op in "([{":
                emit("op", op, i, i + 1)
                stack.append((op, i))
            elif op in ")]}":
                if not stack:
                    self.error(i, i + 1, f"unmatched '{op}'")
                elif _CLOSERS[stack[-1][0]] != op:
                    o, at = stack[-1]
                    line, col = self.src.position(at)
                    self.error(i, i + 1, f"'{op}' does not match '{o}' opened at line {line}, "
                               f"column {col}; expected '{_CLOSERS[o]}'")
                    stack.pop()
                else:
                    stack.pop()
                emit("op", op, i, i + 1)
                out[-1].depth = len(stack)
            else:
                emit("op", op, i, i + len(op))
                if op in (";", ",") and not stack:
                    stmt_start = True
            i += len(op)
        for o, at in stack:
            self.error(at, at + 1, f"'{o}' is never closed; expected '{_CLOSERS[o]}'")
        out.append(Token("nl", "\n", n, n, space, 0))
        out.append(Token("eof", None, n, n, space, 0))
        return out

    def _string(self, i, quote, emit):
        text, n = self.text, len(self.text)
        j = i + 1
        chars = []
        while True:
            if j >= n or text[j] == "\n":
                kind = "char vector" if quote == "'" else "string"
                self.error(i, j, f"unterminated {kind}: expected a closing {quote} on the same "
                           "line")
                break
            if text[j] == quote:
                if j + 1 < n and text[j + 1] == quote:
                    chars.append(quote)
                    j += 2
                    continue
                j += 1
                break
            chars.append(text[j])
            j += 1
        emit("str" if quote == "'" else "dstr", "".join(chars), i, j)
        return j

    def _command(self, i, j, word, emit):
        """Command syntax: ``hold on``, ``load data.mat``, ``global x y``."""
        text, n = self.text, len(self.text)
        k = j
        args = []
        while k < n and text[k] not in "\n;,%":
            while k < n and text[k] in " \t":
                k += 1
            if k >= n or text[k] in "\n;,%":
                break
            if text[k] == "'":
                e = text.find("'", k + 1)
                e = n if e < 0 or text.find("\n", k) in range(k, e) else e
                args.append(text[k + 1:e])
                k = e + 1
            else:
                m = re.compile(r"[^ \t\n;,%]+").match(text, k)
                args.append(m.group())
                k = m.end()
        emit("cmd", (word, args), i, k)
        return k

    def _skip_block_comment(self, i):
        text, n = self.text, len(self.text)
        depth = 0
        k = i
        while k < n:
            eol = text.find("\n", k)
            eol = n if eol < 0 else eol
            if _BLOCK_OPEN.match(text, k, eol):
                depth += 1
            elif _BLOCK_CLOSE.match(text, k, eol):
                depth -= 1
                if depth == 0:
                    return eol
            k = eol + 1
        self.error(i, i + 2, "block comment '%{' is never closed; expected '%}' on a line of "
                   "its own")
        return n


_LOOKALIKES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2212": "-",
               "\u00a0": "a space", "\u3000": "a space", "\uff08": "(", "\uff09": ")",
               "\uff0c": ",", "\uff1b": ";", "\uff1d": "="}


def _unexpected(ch: str) -> str:
    """The message for a character that is not MATLAB (a typographic quote from a web page, a
    full-width comma from a Chinese input method ...)."""
    if ch.isascii():
        return f"unexpected character {ch!r}"
    msg = f"unexpected character {ch!r} (U+{ord(ch):04X}): MATLAB code is ASCII outside " \
          "strings and comments"
    if ch in _LOOKALIKES:
        msg += f"; use {_LOOKALIKES[ch]} instead"
    return msg


def _continues_as_code(rest: str) -> bool:
    """After ``...``: is the rest of the line code that lost its line break, or a comment?"""
    if not rest or rest[0] in " \t%.":
        stripped = rest.strip()
        if not stripped or stripped[0] == "%":
            return False
        # '... lstmLayer(100) ...' lost its line breaks; '... lstmLayer is the main layer' did not
        m = _IDENT.match(stripped)
        if not m or not (m.group() in SPLITTABLE or split_run_together(m.group())):
            return False
        after = stripped[m.end():]
        if not after or after[0] in "(;,]":
            return True
        nxt = _IDENT.match(after.lstrip())
        return bool(nxt) and after[0] in " \t" and nxt.group() in SPLITTABLE
    return True


def _is_command(text, j) -> bool:
    """``name word``: a word after spaces, not an operator or '=', makes a command."""
    m = _COMMAND.match(text, j)
    if not m:
        return False
    k = m.end()
    c = text[k]
    if c == "-":
        return k + 1 < len(text) and text[k + 1].isalpha()
    if c in "'\"":
        return True
    rest = text[k:]
    # 'a b = 1' is not valid MATLAB either way; 'x 1' is a command
    return not re.match(r"[A-Za-z0-9_]*\s*=[^=]", rest)
