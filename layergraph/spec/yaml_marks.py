"""Safe YAML with positions: the plain data of a document plus the line and column of every value
and key, so any problem found later can be reported at its place.

Loading never constructs objects: a tag such as ``!!python/object`` is refused and reported, not
run. ``1e-3`` reads as a number (YAML 1.1 would want ``1.0e-3``), as a MATLAB user expects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.reader import ReaderError

from .issues import SpecIssue
from .limits import LIMITS, SpecLimits


class LimitReached(yaml.YAMLError):
    """Composing stopped before the work: a :class:`SpecLimits` limit (``limit``, its field
    name, or None for a recursive alias) would be passed at ``mark``."""

    def __init__(self, message: str, mark, limit: str | None):
        super().__init__(message)
        self.message, self.mark, self.limit = message, mark, limit


class SpecLoader(yaml.SafeLoader):
    """SafeLoader that also reads ``1e-3`` as a float (YAML 1.1 wants ``1.0e-3``), and that
    checks :class:`SpecLimits` while it composes: the nesting depth, and the nodes each alias
    would add once expanded (counted from the aliased node's size, so nothing is expanded to
    count it); an alias inside its own anchor is refused."""

    def __init__(self, stream, limits: SpecLimits | None = None):
        super().__init__(stream)
        self.limits = limits or LIMITS
        self._depth = 0
        self._expanded = 0
        self._open_anchors: set = set()

    def compose_node(self, parent, index):
        lim = self.limits
        if self.check_event(AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None:
                if event.anchor in self._open_anchors:
                    raise LimitReached(f"alias *{event.anchor} is inside its own anchor "
                                       f"&{event.anchor}: it would expand forever",
                                       event.start_mark, None)
                self._expanded += node.lg_size
                if self._expanded > lim.max_alias_nodes:
                    raise LimitReached(lim.exceeded("max_alias_nodes", f"{self._expanded:,} "
                                                    "nodes so far", "aliases expand too far"),
                                       event.start_mark, "max_alias_nodes")
                if self._depth + node.lg_height > lim.max_depth:
                    raise LimitReached(lim.exceeded("max_depth", f"{self._depth + node.lg_height}"
                                                    " levels with this alias expanded",
                                                    "lists and mappings nest too deep"),
                                       event.start_mark, "max_depth")
            return super().compose_node(parent, index)
        event = self.peek_event()
        self._depth += 1
        if self._depth > lim.max_depth:
            raise LimitReached(lim.exceeded("max_depth", f"{self._depth} levels here",
                                            "lists and mappings nest too deep"),
                               event.start_mark, "max_depth")
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open_anchors.add(anchor)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._open_anchors.discard(anchor)
        if isinstance(node, ScalarNode):
            node.lg_size, node.lg_height = 1, 1
        else:
            kids = node.value if isinstance(node, SequenceNode) else [
                n for pair in node.value for n in pair]
            node.lg_size = 1 + sum(k.lg_size for k in kids)
            node.lg_height = 1 + max((k.lg_height for k in kids), default=0)
        return node


SpecLoader.yaml_implicit_resolvers = {k: list(v) for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
SpecLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)

MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"


@dataclass
class Doc:
    """Plain data of a YAML document plus the position of every value and mapping key."""

    data: Any
    marks: dict = field(default_factory=dict)  # path tuple -> (line, col) of the value
    key_marks: dict = field(default_factory=dict)  # path tuple -> (line, col) of the key
    refused: set = field(default_factory=set)  # paths of values refused (unsafe tags)

    def value(self, path):
        """The value at ``path`` (a tuple of keys and indices)."""
        data = self.data
        for p in path:
            data = data[p]
        return data

    def at(self, path, key=False):
        """(line, col) of ``path`` (of its key when ``key``), else of the nearest enclosing value."""
        path = tuple(path)
        if key and path in self.key_marks:
            return self.key_marks[path]
        while path not in self.marks and path:
            path = path[:-1]
        return self.marks.get(path, (1, 1))


def mark(m):
    """(line, column), both from 1, of a yaml Mark."""
    return (m.line + 1, m.column + 1)


def parse_value(text: str):
    """A value written as in a spec (``1e-3`` a number, ``never`` a string, ``[1, 2]`` a list)."""
    return yaml.load(text, Loader=SpecLoader)


def _too_large(lim: SpecLimits, size: int, unit: str, file: str) -> SpecIssue:
    what = "the spec file is too large" if unit == "bytes" else "the spec is too long"
    return SpecIssue(lim.exceeded("max_size", f"{size:,} {unit}", what), 1, 1, file=file,
                     expected=f"a spec file of at most max_size {unit}", limit="max_size")


def decode(raw: bytes, file: str, issues: list, limits: SpecLimits | None = None) -> str | None:
    """The text of a spec file (UTF-8, with or without a byte-order mark); bytes that are not
    UTF-8 become an issue at their line and column."""
    lim = limits or LIMITS
    if len(raw) > lim.max_size:
        issues.append(_too_large(lim, len(raw), "bytes", file))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        before = raw[:start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        issues.append(SpecIssue(
            f"not UTF-8 text: byte 0x{raw[start]:02x} cannot be decoded ({exc.reason})",
            line, col, file=file,
            expected="UTF-8 text; convert a Latin-1 file with iconv -f latin1 -t utf-8"))
        return None


def compose(text: str, issues: list, file: str, limits: SpecLimits | None = None
            ) -> Doc | None:
    """The document of ``text`` with its marks, or None when it cannot be read (see ``issues``).
    ``limits`` (default :data:`~.limits.LIMITS`) bound the size, nesting and alias expansion."""
    lim = limits or LIMITS
    if len(text) > lim.max_size:
        issues.append(_too_large(lim, len(text), "characters", file))
        return None
    loader = None
    try:
        loader = SpecLoader(text, lim)  # checks the characters at once
        node = loader.get_single_node()
    except LimitReached as exc:
        issues.append(SpecIssue(exc.message, *mark(exc.mark), file=file, limit=exc.limit,
                                expected="a spec without recursive aliases" if exc.limit is None
                                else None))
        return None
    except RecursionError:  # only when max_depth was raised past what Python's stack allows
        issues.append(_too_deep_for_python(lim, file))
        return None
    except yaml.MarkedYAMLError as exc:
        m = exc.problem_mark or exc.context_mark
        line, col = mark(m) if m else (None, None)
        what = exc.problem or str(exc)
        ctx = f" {exc.context}" if exc.context else ""
        if exc.context_mark and exc.context_mark is not m:
            ctx += f" (from line {exc.context_mark.line + 1})"
        issues.append(SpecIssue(
            f"YAML syntax error: {what}{',' if ctx else ''}{ctx}", line, col, file=file,
            expected="consistent indentation: list items start with '- ' in one column and a "
                     "layer's options are indented under its type, or written {Name: value, ...}"))
        return None
    except ReaderError as exc:  # a control character: a binary file, most likely
        before = text[:exc.position]
        line, col = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
        issues.append(SpecIssue(f"not a YAML text file: character {exc.character!r} is not "
                                "allowed in YAML", line, col, file=file,
                                expected="a YAML text file (is this a binary file?)"))
        return None
    except yaml.YAMLError as exc:
        issues.append(SpecIssue(f"YAML error: {' '.join(str(exc).split())}", file=file))
        return None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None:
        issues.append(SpecIssue("the spec is empty", 1, 1, file=file,
                                expected="a mapping with a 'layers' list"))
        return None
    doc = Doc(None)
    constructor = SafeConstructor()

    def build(n, path):
        doc.marks[path] = mark(n.start_mark)
        if isinstance(n, ScalarNode):
            try:
                return constructor.construct_object(n, deep=True)
            except ConstructorError:
                _bad_tag(n, path)
                return None
        if isinstance(n, SequenceNode):
            if n.tag != SEQ_TAG:
                _bad_tag(n, path)
                return None
            return [build(item, path + (i,)) for i, item in enumerate(n.value)]
        if isinstance(n, MappingNode):
            if n.tag != MAP_TAG:
                _bad_tag(n, path)
                return None
            try:
                constructor.flatten_mapping(n)  # YAML merge keys '<<'
            except ConstructorError as exc:
                issues.append(SpecIssue(f"YAML error: {exc.problem}", *mark(n.start_mark),
                                        file=file))
            out = {}
            for knode, vnode in n.value:
                if not isinstance(knode, ScalarNode):
                    issues.append(SpecIssue("a mapping key must be a plain name",
                                            *mark(knode.start_mark), file=file))
                    continue
                key = build(knode, path + ("<key>",))
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    key = str(key)
                if key in out:
                    first = doc.key_marks[path + (key,)]
                    issues.append(SpecIssue(
                        f"key '{key}' appears twice in one mapping (first on line {first[0]})",
                        *mark(knode.start_mark), file=file, expected="each key once"))
                    continue
                doc.key_marks[path + (key,)] = mark(knode.start_mark)
                out[key] = build(vnode, path + (key,))
            doc.marks.pop(path + ("<key>",), None)
            return out
        return None  # pragma: no cover

    def _bad_tag(n, path):
        doc.refused.add(path)
        issues.append(SpecIssue(
            f"YAML tag {n.tag!r} is not allowed (specs are loaded safely and never construct "
            "objects)", *mark(n.start_mark), file=file,
            expected="plain values: numbers, strings, true/false, lists, mappings"))

    try:
        doc.data = build(node, ())
    except RecursionError:
        issues.append(_too_deep_for_python(lim, file))
        return None
    return doc


def _too_deep_for_python(lim: SpecLimits, file: str) -> SpecIssue:
    return SpecIssue(f"the spec nests too deep for Python's recursion limit (with max_depth="
                     f"{lim.max_depth}); lower SpecLimits.max_depth or raise "
                     "sys.setrecursionlimit", 1, 1, file=file, limit="max_depth")

