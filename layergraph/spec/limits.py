"""Limits on what a spec may make the loader do, checked before the work is done.

A spec is often a stranger's file. Before anything is expanded or allocated the loader checks
the size of the text, how deep its lists and mappings nest, and how many nodes its aliases
(``*name``) would copy in; a file past a limit is a :class:`~layergraph.spec.SpecError` at the
line where the limit was reached, naming the limit, the value found and how to raise it. The
defaults are far above any real network spec:

============================  ==========  ==================================================
limit                         default     what it bounds
============================  ==========  ==================================================
``max_size``                  4 MiB       bytes of a spec file (characters of YAML text)
``max_depth``                 32          lists and mappings nested in one another
``max_alias_nodes``           10,000      nodes that aliases add when they are expanded
============================  ==========  ==================================================

Raise one for every load with ``layergraph.spec.LIMITS.max_depth = 64``, or for one call with
``load_spec(path, limits=SpecLimits(max_depth=64))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..limits import LimitSet


@dataclass
class SpecLimits(LimitSet):
    """How much a spec may ask of the loader (see the module docstring for each limit)."""

    settings: ClassVar[str] = "layergraph.spec.LIMITS"
    per_call: ClassVar[str] = "load_spec(..., limits=SpecLimits({name}=...))"
    subject: ClassVar[str] = "the file"

    max_size: int = 4 * 2**20  # PyYAML reads about 0.3 MB of numbers a second
    max_depth: int = 32
    max_alias_nodes: int = 10_000


LIMITS = SpecLimits()
"""The limits every load uses unless ``limits=`` is given; change its fields to raise them."""
