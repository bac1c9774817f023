"""A recursive-descent parser for the MATLAB that network scripts are written in.

It parses more than the translator evaluates (loops, ifs, cell indexing, anonymous functions,
local functions, command syntax) so that realistic scripts — data loading, plots, training —
parse, and the statements that are not part of the network can be reported instead of failing.
Every node keeps its start and end offsets in the text for error messages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .errors import LIMITS, MatlabLimits, MatlabProblem, Source
from .lexer import Lexer, Token

# --- expressions -------------------------------------------------------------------------------


@dataclass
class Node:
    start: int
    end: int


@dataclass
class Num(Node):
    value: float


@dataclass
class Str(Node):
    value: str
    double: bool  # "string" (True) or 'char vector' (False)


@dataclass
class Id(Node):
    name: str


@dataclass
class End(Node):
    """``end`` inside an index: the last index."""


@dataclass
class Colon(Node):
    """A lone ``:`` inside an index: all of that dimension."""


@dataclass
class Tilde(Node):
    """``~`` as an ignored output of a multiple assignment."""


@dataclass
class Matrix(Node):
    rows: list  # list of rows, each a list of expressions
    cell: bool  # { } (True) or [ ] (False)


@dataclass
class Index(Node):
    """``target(args)`` (a call or an index) or ``target{args}`` (cell index)."""

    target: Node
    args: list
    brace: bool


@dataclass
class Field(Node):
    target: Node
    name: str


@dataclass
class DynField(Node):
    target: Node
    expr: Node


@dataclass
class Binary(Node):
    op: str
    left: Node
    right: Node


@dataclass
class Unary(Node):
    op: str  # '-', '+', '~', or a postfix "'" / ".'"
    operand: Node


@dataclass
class Range(Node):
    first: Node
    step: Node | None
    last: Node


@dataclass
class NameValue(Node):
    """``Name=value`` in a call (MATLAB R2021a syntax), same as ``'Name',value``."""

    name: str
    value: Node


@dataclass
class AnonFunc(Node):
    params: list
    body: Node


@dataclass
class FuncHandle(Node):
    name: str


# --- statements --------------------------------------------------------------------------------


@dataclass
class Assign(Node):
    targets: list  # lvalues (Id / Index / Field / Tilde)
    value: Node
    multi: bool


@dataclass
class ExprStmt(Node):
    expr: Node


@dataclass
class Command(Node):
    name: str
    args: list


@dataclass
class For(Node):
    var: Node
    iter: Node
    body: list


@dataclass
class If(Node):
    clauses: list  # [(condition, body)]
    else_body: list | None


@dataclass
class While(Node):
    cond: Node
    body: list


@dataclass
class Switch(Node):
    subject: Node
    cases: list  # [(value expression, body)]
    otherwise: list | None


@dataclass
class Try(Node):
    body: list
    catch_body: list


@dataclass
class Function(Node):
    """``function [out1, out2] = name(in1, in2)`` and its body (``~`` inputs are ``None``)."""

    name: str
    body: list = field(default_factory=list)
    params: list = field(default_factory=list)
    outputs: list = field(default_factory=list)
    header_end: int = 0
    defaults: list = field(default_factory=list)  # Assigns of its arguments block's defaults


@dataclass
class ClassDef(Node):
    """``classdef Name ... end``: its methods (Functions) and its property defaults."""

    name: str
    methods: list
    properties: list  # Assign statements of the properties blocks


@dataclass
class Jump(Node):
    kind: str  # 'break', 'continue', 'return'


class ParseError(Exception):
    def __init__(self, start, end, message, limit=None):
        super().__init__(message)
        self.start, self.end, self.message, self.limit = start, end, message, limit


class _OutOfTime(Exception):
    """Parsing stops: the ``max_seconds`` budget is spent (``args[0]`` is the ParseError)."""


_BLOCK_ENDS = ("end", "else", "elseif", "case", "otherwise", "catch", "function")
_CMP = ("==", "~=", "<", "<=", ">", ">=")
_MUL = ("*", "/", "\\", ".*", "./", ".\\")
_STARTS = ("num", "str", "dstr", "id")


def _describe(tok: Token) -> str:
    if tok.kind == "eof":
        return "the end of the text"
    if tok.kind == "nl":
        return "the end of the line"
    if tok.kind in ("str", "dstr"):
        return f"the string {tok.value!r}"
    if tok.kind == "num":
        return f"the number {tok.value:g}"
    if tok.kind == "cmd":
        return f"'{tok.value[0]}'"
    return f"'{tok.value}'"


class Parser:
    """Statements and expressions of MATLAB text. Nesting is counted as it is parsed (brackets,
    calls, unary operators, operator chains, blocks): past ``limits.max_depth`` the statement is
    a syntax error naming the limit, so neither the parser nor anything walking the tree
    recurses without bound."""

    def __init__(self, source: Source, limits: MatlabLimits | None = None,
                 deadline: float | None = None):
        self.src = source
        self.limits = limits or LIMITS
        self.depth = 0
        self.deadline = deadline if deadline is not None else \
            time.monotonic() + self.limits.max_seconds
        self.statements = 0
        lexer = Lexer(source)
        self.toks = lexer.tokens()
        self.errors: list[MatlabProblem] = list(lexer.errors)
        self.i = 0
        self.matrix = [False]  # whitespace-sensitive context stack
        self.index_depth = 0  # > 0 where 'end' and ':' mean the last / all indices

    # --- token helpers --------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, k=1) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def advance(self) -> Token:
        t = self.toks[self.i]
        if t.kind != "eof":
            self.i += 1
        return t

    def expect_op(self, op, what=""):
        t = self.tok
        if not t.is_op(op):
            raise ParseError(t.start, t.end, f"expected '{op}'{what}, found {_describe(t)}")
        return self.advance()

    def enter(self, tok: Token, levels: int = 1):
        """One more level of nesting, at ``tok``; a ParseError past ``limits.max_depth``."""
        self.depth += levels
        if self.depth > self.limits.max_depth:
            found = self.depth
            raise ParseError(tok.start, tok.end, self.limits.exceeded(
                "max_depth", f"{found} levels here", "expressions and blocks nest too deep"),
                "max_depth")

    @property
    def prev_end(self) -> int:
        return self.toks[self.i - 1].end if self.i else 0

    # --- program and blocks ---------------------------------------------------------------------
    def parse_program(self) -> list:
        body = self.parse_block(())
        return body

    def parse_block(self, terminators) -> list:
        out = []
        while True:
            t = self.tok
            if t.kind == "eof":
                return out
            if t.kind == "kw" and t.value in terminators:
                return out
            if t.kind == "nl" or t.is_op(";", ","):
                self.advance()
                continue
            if t.kind == "kw" and t.value in _BLOCK_ENDS and t.value != "function":
                self.errors.append(self.src.problem(
                    t.start, t.end, f"'{t.value}' without a matching 'if', 'for', 'while', "
                    "'switch' or 'try'"))
                self.advance()
                continue
            self.statements += 1
            if not self.statements & 255 and time.monotonic() > self.deadline:
                raise _OutOfTime(ParseError(t.start, t.end, self.limits.exceeded(
                    "max_seconds", f"stopped at {self.statements:,} statements",
                    "parsing the code takes too long"), "max_seconds"))
            depth = self.depth
            try:
                out.append(self.parse_statement())
            except ParseError as e:
                self.depth = depth
                self.errors.append(self.src.problem(e.start, e.end, e.message, limit=e.limit))
                self.recover()

    def recover(self):
        """Skip to the end of the statement (a newline or ';' outside brackets)."""
        while True:
            t = self.tok
            if t.kind == "eof":
                return
            self.advance()
            if t.depth == 0 and (t.kind == "nl" or t.is_op(";", ",")):
                return

    def end_statement(self):
        t = self.tok
        if t.kind in ("nl", "eof") or t.is_op(";", ","):
            if t.kind != "eof":
                self.advance()
            return
        if t.kind == "kw" and t.value in _BLOCK_ENDS:
            return
        prev = self.toks[self.i - 1]
        if (not t.space_before and t.kind == "id"
                and (prev.is_op(")", "]", "}") or prev.kind in ("id", "str", "dstr"))):
            return  # a line break lost when the text was copied from a web page
        raise ParseError(t.start, t.end, f"expected ';', ',' or a new line before {_describe(t)}")

    def parse_statement(self):
        t = self.tok
        if t.kind == "cmd":
            self.advance()
            name, args = t.value
            self.end_statement()
            return Command(t.start, t.end, name, args)
        if t.kind == "kw":
            return self.parse_keyword_statement(t)
        if t.is_op("[") and self.is_multi_assign():
            return self.parse_multi_assign()
        expr = self.parse_expr()
        if self.tok.is_op("="):
            self.check_lvalue(expr)
            self.advance()
            value = self.parse_expr()
            node = Assign(expr.start, value.end, [expr], value, False)
        else:
            node = ExprStmt(expr.start, expr.end, expr)
        self.end_statement()
        return node

    def check_lvalue(self, expr):
        if isinstance(expr, Id):
            return
        if isinstance(expr, (Index, Field, DynField)):
            return self.check_lvalue(expr.target)
        raise ParseError(expr.start, expr.end, "cannot assign to this expression; expected a "
                         "variable name on the left of '='")

    def is_multi_assign(self) -> bool:
        depth = self.tok.depth
        k = self.i + 1
        while k < len(self.toks):
            t = self.toks[k]
            if t.kind == "eof":
                return False
            if t.is_op("]") and t.depth == depth:
                return self.toks[k + 1].is_op("=")
            k += 1
        return False

    def parse_multi_assign(self):
        start = self.advance().start
        targets = []
        while not self.tok.is_op("]"):
            if self.tok.is_op(","):
                self.advance()
                continue
            if self.tok.is_op("~"):
                t = self.advance()
                targets.append(Tilde(t.start, t.end))
                continue
            self.matrix.append(True)
            try:
                target = self.parse_postfix()
            finally:
                self.matrix.pop()
            self.check_lvalue(target)
            targets.append(target)
        self.advance()
        self.expect_op("=")
        value = self.parse_expr()
        node = Assign(start, value.end, targets, value, True)
        self.end_statement()
        return node

    def parse_keyword_statement(self, t):
        if t.value in ("break", "continue", "return"):
            return self._keyword_statement(t)
        depth = self.depth
        self.enter(t)  # a block nests what is inside it
        try:
            return self._keyword_statement(t)
        finally:
            self.depth = depth

    def _keyword_statement(self, t):
        word = t.value
        if word in ("break", "continue", "return"):
            self.advance()
            self.end_statement()
            return Jump(t.start, t.end, word)
        if word in ("for", "parfor"):
            self.advance()
            paren = self.tok.is_op("(")
            if paren:
                self.advance()
            var = self.parse_postfix()
            self.check_lvalue(var)
            self.expect_op("=", " in the for loop")
            it = self.parse_expr()
            if paren:
                if self.tok.is_op(","):  # parfor (i = 1:n, M)
                    self.advance()
                    self.parse_expr()
                self.expect_op(")")
            body = self.parse_body(t, ("end",))
            return For(t.start, self.prev_end, var, it, body)
        if word == "while":
            self.advance()
            cond = self.parse_expr()
            body = self.parse_body(t, ("end",))
            return While(t.start, self.prev_end, cond, body)
        if word == "if":
            self.advance()
            clauses = []
            else_body = None
            cond = self.parse_expr()
            while True:
                body = self.parse_block(("elseif", "else", "end"))
                clauses.append((cond, body))
                k = self.tok
                if k.kind == "eof":
                    raise self.unclosed(t)
                self.advance()
                if k.value == "elseif":
                    cond = self.parse_expr()
                    continue
                if k.value == "else":
                    else_body = self.parse_block(("end",))
                    if self.tok.kind == "eof":
                        raise self.unclosed(t)
                    self.advance()
                break
            return If(t.start, self.prev_end, clauses, else_body)
        if word == "switch":
            self.advance()
            subject = self.parse_expr()
            cases, otherwise = [], None
            self.parse_block(("case", "otherwise", "end"))
            while True:
                k = self.tok
                if k.kind == "eof":
                    raise self.unclosed(t)
                self.advance()
                if k.value == "case":
                    value = self.parse_expr()
                    cases.append((value, self.parse_block(("case", "otherwise", "end"))))
                elif k.value == "otherwise":
                    otherwise = self.parse_block(("case", "otherwise", "end"))
                else:
                    break
            return Switch(t.start, self.prev_end, subject, cases, otherwise)
        if word == "try":
            self.advance()
            body = self.parse_block(("catch", "end"))
            catch_body = []
            if self.tok.is_kw("catch"):
                self.advance()
                catch_body = self.parse_block(("end",))
            if self.tok.kind == "eof":
                raise self.unclosed(t)
            self.advance()
            return Try(t.start, self.prev_end, body, catch_body)
        if word == "function":
            return self.parse_function(t)
        if word == "classdef":
            return self.parse_classdef(t)
        raise ParseError(t.start, t.end, f"'{word}' is not supported here")

    def parse_function(self, t):
        """``function [a, b] = name(x, ~, varargin)``: header, then the body up to its ``end``
        (or the next ``function`` / the end of the file, for files whose functions have none)."""
        self.advance()
        header = []
        while self.tok.kind not in ("nl", "eof") and not (
                self.tok.is_op(";", ",") and self.tok.depth == 0):
            header.append(self.advance())
        header_end = self.prev_end
        defaults = self.parse_arguments_blocks()
        outputs, params, name = [], [], None
        eq = next((k for k, h in enumerate(header) if h.is_op("=")), None)
        if eq is not None:
            outputs = [h.value for h in header[:eq] if h.kind == "id"]
        rest = header[eq + 1 if eq is not None else 0:]
        if not rest or rest[0].kind != "id":
            where = rest[0] if rest else t
            raise ParseError(where.start, where.end, "expected a function name after "
                             "'function'")
        name = rest[0].value
        k = 1
        while k + 1 < len(rest) and rest[k].is_op(".") and rest[k + 1].kind == "id":
            name += "." + rest[k + 1].value  # set.Prop / get.Prop methods
            k += 2
        if k < len(rest) and rest[k].is_op("("):
            for h in rest[k + 1:]:
                if h.is_op(")"):
                    break
                if h.kind == "id":
                    params.append(h.value)
                elif h.is_op("~"):
                    params.append(None)
        body = self.parse_block(("end", "function"))
        if self.tok.is_kw("end"):
            self.advance()
        return Function(t.start, self.prev_end, name, body, params, outputs, header_end,
                        defaults)

    def parse_classdef(self, t):
        """A class file: its ``methods`` blocks give functions, its ``properties`` blocks their
        defaults; ``events`` and ``enumeration`` blocks are skipped."""
        self.advance()
        name = "?"
        while self.tok.kind not in ("nl", "eof") and not self.tok.is_op(";"):
            h = self.advance()
            if h.kind == "id" and name == "?" and not self.tok.is_op("=", ")"):
                name = h.value
        methods, properties = [], []
        while True:
            k = self.tok
            if k.kind == "eof":
                raise self.unclosed(t)
            if k.kind == "nl" or k.is_op(";", ","):
                self.advance()
                continue
            if k.is_kw("end"):
                self.advance()
                break
            if k.kind == "cmd":  # 'methods (Static)' can read as a command
                word = k.value[0]
                self.advance()
            elif k.kind == "id":
                word = k.value
                self.advance()
                if self.tok.is_op("("):
                    self.skip_to_line_end()
            else:
                raise ParseError(k.start, k.end, f"expected 'properties', 'methods', 'events' "
                                 f"or 'enumeration' in classdef, found {_describe(k)}")
            if word == "methods":
                while True:
                    m = self.tok
                    if m.kind in ("nl",) or m.is_op(";", ","):
                        self.advance()
                        continue
                    if m.is_kw("function"):
                        methods.append(self.parse_function(m))
                        continue
                    if m.is_kw("end"):
                        self.advance()
                        break
                    if m.kind == "eof":
                        raise self.unclosed(t)
                    self.skip_to_line_end()  # a method signature without a body
            elif word == "properties":
                properties += self.parse_properties(t)
            else:
                depth = 0
                while True:  # events / enumeration: names, skipped
                    m = self.advance()
                    if m.kind == "eof":
                        raise self.unclosed(t)
                    if m.is_kw("end") and depth == m.depth:
                        break
        return ClassDef(t.start, self.prev_end, name, methods, properties)

    def parse_properties(self, opener) -> list:
        """The lines of a ``properties`` block, up to its ``end``: ``Name``, ``Name = value`` or
        ``Name (1,1) double {mustBePositive} = value``; the defaults are Assign statements."""
        return self.parse_declarations(opener)

    def parse_arguments_blocks(self) -> list:
        """The ``arguments ... end`` blocks (R2019b input validation) at the top of a function:
        the defaults they declare, ``n (1,1) double {mustBePositive} = 3`` and name-value
        ``opts.NumHidden = 64``, as Assign statements (sizes, classes and validators are
        skipped; MATLAB checks them, the translation takes the values)."""
        out = []
        while True:
            k = self.i
            while self.toks[k].kind == "nl" or self.toks[k].is_op(";"):
                k += 1
            t = self.toks[k]
            if not ((t.kind == "id" and t.value == "arguments") or (
                    t.kind == "cmd" and t.value[0] == "arguments")):
                return out
            nxt = self.toks[k + 1]
            if not (nxt.kind == "nl" or nxt.is_op("(") or t.kind == "cmd"):
                return out
            self.i = k + 1
            if t.kind != "cmd" and self.tok.is_op("("):  # arguments (Input) / (Output)
                self.skip_to_line_end()
            out += self.parse_declarations(t, fields=True)

    def parse_declarations(self, opener, fields=False) -> list:
        """The lines of a ``properties`` or ``arguments`` block, up to its ``end``, each a name
        (``fields``: or ``name.Field``) with optional size, class, validators and ``= default``
        (the first three skipped); the defaults as Assign statements, never displayed."""
        out = []
        while True:
            k = self.tok
            if k.kind == "eof":
                raise self.unclosed(opener)
            if k.is_kw("end"):
                self.advance()
                return out
            if k.kind in ("nl",) or k.is_op(";", ","):
                self.advance()
                continue
            if k.kind != "id":  # 'n double' reads as a command: no default
                self.skip_to_line_end()
                continue
            self.advance()
            target = Id(k.start, k.end, k.value)
            if fields and self.tok.is_op(".") and self.toks[self.i + 1].kind == "id":
                self.advance()
                name = self.advance()
                target = Field(k.start, name.end, target, name.value)
            while self.tok.kind not in ("nl", "eof") and not (
                    self.tok.is_op("=") and self.tok.depth == k.depth):
                self.advance()
            if self.tok.is_op("="):
                self.advance()
                start = self.i
                try:
                    value = self.parse_expr()
                    default = Assign(k.start, value.end, [target], value, False)
                    default.quiet = True  # a declaration: MATLAB never displays it
                    out.append(default)
                except ParseError:
                    self.i = start
            self.skip_to_line_end()

    def skip_to_line_end(self):
        while self.tok.kind not in ("nl", "eof"):
            self.advance()

    def parse_body(self, opener, terminators):
        body = self.parse_block(terminators)
        if self.tok.kind == "eof":
            raise self.unclosed(opener)
        self.advance()
        return body

    def unclosed(self, opener):
        line, col = self.src.position(opener.start)
        return ParseError(opener.start, opener.end,
                          f"'{opener.value}' at line {line} has no matching 'end'")

    # --- expressions ----------------------------------------------------------------------------
    def parse_expr(self):
        return self.parse_binary(0)

    _LEVELS = (("||",), ("&&",), ("|",), ("&",), _CMP)

    def parse_binary(self, level):
        if level == len(self._LEVELS):
            return self.parse_range()
        depth = self.depth
        try:
            left = self.parse_binary(level + 1)
            while self.tok.kind == "op" and self.tok.value in self._LEVELS[level]:
                self.enter(self.tok)  # 'a == b == c' nests: the tree grows one level
                op = self.advance().value
                right = self.parse_binary(level + 1)
                left = Binary(left.start, right.end, op, left, right)
            return left
        finally:
            self.depth = depth

    def parse_range(self):
        if self.index_depth and self.tok.is_op(":") and self.ends_argument(self.peek()):
            t = self.advance()
            return Colon(t.start, t.end)
        first = self.parse_additive()
        if not self.tok.is_op(":"):
            return first
        self.advance()
        second = self.parse_additive()
        if self.tok.is_op(":"):
            self.advance()
            third = self.parse_additive()
            return Range(first.start, third.end, first, second, third)
        return Range(first.start, second.end, first, None, second)

    @staticmethod
    def ends_argument(t):
        return t.is_op(",", ")", "}")

    def element_boundary(self) -> bool:
        """In [ ] or { }: '[a -b]' is two elements, '[a - b]' and '[a-b]' one."""
        t = self.tok
        return self.matrix[-1] and t.space_before and not self.peek().space_before

    def parse_additive(self):
        depth = self.depth
        try:
            left = self.parse_mul()
            while self.tok.is_op("+", "-") and not self.element_boundary():
                self.enter(self.tok)
                op = self.advance().value
                right = self.parse_mul()
                left = Binary(left.start, right.end, op, left, right)
            return left
        finally:
            self.depth = depth

    def parse_mul(self):
        depth = self.depth
        try:
            left = self.parse_unary()
            while self.tok.kind == "op" and self.tok.value in _MUL:
                self.enter(self.tok)
                op = self.advance().value
                right = self.parse_unary()
                left = Binary(left.start, right.end, op, left, right)
            return left
        finally:
            self.depth = depth

    def parse_unary(self):
        t = self.tok
        if t.is_op("-", "+", "~"):
            depth = self.depth
            self.enter(t)
            try:
                self.advance()
                operand = self.parse_unary()
            finally:
                self.depth = depth
            return Unary(t.start, operand.end, t.value, operand)
        return self.parse_power()

    def parse_power(self):
        depth = self.depth
        try:
            left = self.parse_postfix()
            while self.tok.is_op("^", ".^"):
                self.enter(self.tok)
                op = self.advance().value
                if self.tok.is_op("-", "+", "~"):
                    u = self.advance()
                    operand = self.parse_postfix()
                    right = Unary(u.start, operand.end, u.value, operand)
                else:
                    right = self.parse_postfix()
                left = Binary(left.start, right.end, op, left, right)
            return left
        finally:
            self.depth = depth

    def parse_postfix(self):
        depth = self.depth
        try:
            return self._postfix()
        finally:
            self.depth = depth

    def _postfix(self):
        node = self.parse_primary()
        while True:
            t = self.tok
            in_matrix = self.matrix[-1]
            if t.is_op("(", "{") and not (in_matrix and t.space_before):
                self.enter(t)  # 'x(1)(2)', 'x.a.b' and "x''" nest: one level each
                self.advance()
                args = self.parse_args(")" if t.value == "(" else "}")
                node = Index(node.start, self.prev_end, node, args, t.value == "{")
            elif t.is_op(".") and not (in_matrix and t.space_before):
                self.enter(t)
                self.advance()
                n = self.tok
                if n.kind in ("id", "kw"):
                    self.advance()
                    node = Field(node.start, n.end, node, n.value)
                elif n.is_op("("):
                    self.advance()
                    e = self.parse_nested(self.parse_expr)
                    self.expect_op(")")
                    node = DynField(node.start, self.prev_end, node, e)
                else:
                    raise ParseError(n.start, n.end, f"expected a field name after '.', found "
                                     f"{_describe(n)}")
            elif t.is_op("'", ".'"):
                self.enter(t)
                self.advance()
                node = Unary(node.start, t.end, t.value, node)
            else:
                return node

    def parse_nested(self, fn, matrix=False, index=False):
        depth = self.depth
        self.enter(self.toks[self.i - 1] if self.i else self.tok)  # the bracket just opened
        self.matrix.append(matrix)
        if index:
            self.index_depth += 1
        try:
            return fn()
        finally:
            self.depth = depth
            self.matrix.pop()
            if index:
                self.index_depth -= 1

    def parse_args(self, closer):
        args = []

        def inner():
            while True:
                t = self.tok
                if t.is_op(closer):
                    self.advance()
                    return
                if t.kind == "eof":
                    raise ParseError(t.start, t.end, f"expected '{closer}', found the end of "
                                     "the text")
                if args:
                    if not t.is_op(","):
                        raise ParseError(t.start, t.end, f"expected ',' or '{closer}' between "
                                         f"arguments, found {_describe(t)}")
                    self.advance()
                    t = self.tok
                if t.kind == "id" and self.peek().is_op("="):
                    self.advance()
                    self.advance()
                    value = self.parse_expr()
                    args.append(NameValue(t.start, value.end, t.value, value))
                else:
                    args.append(self.parse_expr())

        self.parse_nested(inner, matrix=False, index=True)
        return args

    def parse_primary(self):
        t = self.tok
        if t.kind == "num":
            self.advance()
            return Num(t.start, t.end, t.value)
        if t.kind in ("str", "dstr"):
            self.advance()
            return Str(t.start, t.end, t.value, t.kind == "dstr")
        if t.kind == "id":
            self.advance()
            return Id(t.start, t.end, t.value)
        if t.is_kw("end") and self.index_depth:
            self.advance()
            return End(t.start, t.end)
        if t.is_op("("):
            self.advance()
            e = self.parse_nested(self.parse_expr, matrix=False)
            self.expect_op(")")
            e.start, e.end = t.start, self.prev_end
            return e
        if t.is_op("[", "{"):
            return self.parse_matrix()
        if t.is_op("@"):
            self.advance()
            if self.tok.is_op("("):
                self.advance()
                params = []
                while not self.tok.is_op(")"):
                    p = self.advance()
                    if p.kind == "eof":
                        raise ParseError(p.start, p.end, "expected ')' closing the parameters")
                    if p.kind == "id":
                        params.append(p.value)
                self.advance()
                body = self.parse_nested(self.parse_expr, matrix=False)
                return AnonFunc(t.start, body.end, params, body)
            n = self.tok
            if n.kind != "id":
                raise ParseError(n.start, n.end, f"expected a function name after '@', found "
                                 f"{_describe(n)}")
            self.advance()
            end = n.end
            while self.tok.is_op(".") and self.peek().kind == "id":
                self.advance()
                end = self.advance().end
            return FuncHandle(t.start, end, self.src.text[n.start:end])
        if t.is_op(":") and self.index_depth:
            self.advance()
            return Colon(t.start, t.end)
        raise ParseError(t.start, t.end, f"expected a value, found {_describe(t)}")

    def parse_matrix(self):
        open_tok = self.advance()
        closer = "]" if open_tok.value == "[" else "}"
        rows: list[list] = [[]]

        def inner():
            while True:
                t = self.tok
                if t.is_op(closer):
                    self.advance()
                    return
                if t.kind == "eof":
                    line, col = self.src.position(open_tok.start)
                    raise ParseError(t.start, t.end, f"expected '{closer}' closing the "
                                     f"'{open_tok.value}' at line {line}, column {col}")
                if t.is_op(","):
                    self.advance()
                    continue
                if t.kind == "nl" or t.is_op(";"):
                    self.advance()
                    if rows[-1]:
                        rows.append([])
                    continue
                if t.kind == "kw" and t.value != "end":
                    raise ParseError(t.start, t.end, f"'{t.value}' inside "
                                     f"'{open_tok.value} {closer}'; is a '{closer}' missing?")
                rows[-1].append(self.parse_expr())

        self.parse_nested(inner, matrix=True)
        if not rows[-1]:
            rows.pop()
        return Matrix(open_tok.start, self.prev_end, rows, closer == "}")


def parse(source: Source, limits: MatlabLimits | None = None, deadline: float | None = None
          ) -> tuple[list, list[MatlabProblem]]:
    """Parse MATLAB text: (statements, syntax errors); ``limits`` bound the nesting depth and,
    with ``deadline`` (a ``time.monotonic()`` value), the time."""
    p = Parser(source, limits, deadline)
    n_lexer = len(p.errors)
    try:
        body = p.parse_program()
    except _OutOfTime as stop:
        e = stop.args[0]
        return [], p.errors + [source.problem(e.start, e.end, e.message, limit=e.limit)]
    errors = p.errors
    if n_lexer:  # an unclosed bracket or string is reported once, not again at the end of text
        end = source.position(len(source.text))
        errors = errors[:n_lexer] + [e for e in errors[n_lexer:] if (e.line, e.column) != end]
    return body, errors
