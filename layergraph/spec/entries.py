"""The three ways of writing a layer entry, read into one form: type, options and ``inputs``.

``- softmax`` (a bare type), ``- lstm: {NumHiddenUnits: 100}`` or ``- lstm: 100`` (the type as
the only key, options as a mapping or as the positional arguments), and ``- {type: lstm,
NumHiddenUnits: 100}`` (the type beside the options). Both the loader and the schema-error
messages read entries here, so they agree on what an entry means.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from ..graph import _assign_names
from ..layers.base import _BY_KEY, Layer


@dataclass
class Entry:
    """One layer entry of a spec as read: where it is, its type and options, its layer once built."""

    index: int
    path: tuple  # path of the entry in the document
    key: str | None = None  # the layer type as written
    cls: type | None = None
    opts_path: tuple = ()  # path of the options mapping
    options: dict = field(default_factory=dict)
    inputs: Any = None
    has_inputs: bool = False
    label: str = ""
    layer: Layer | None = None
    name: str = ""


def read_entry(i, item) -> Entry:
    """Find the type and the options of layer entry ``i`` (schema errors are reported apart)."""
    e = Entry(i, ("layers", i))
    if isinstance(item, str):
        e.key, e.opts_path = item, e.path
    elif isinstance(item, dict) and "type" in item:
        e.key, e.opts_path = item.get("type"), e.path
        e.options = {k: v for k, v in item.items() if k != "type"}
    elif isinstance(item, dict) and item:
        typed = [k for k in item if isinstance(k, str) and k in _BY_KEY]
        e.key = typed[0] if typed else next(iter(item))
        value = item[e.key]
        e.opts_path = e.path + (e.key,)
        cls = _BY_KEY.get(e.key) if isinstance(e.key, str) else None
        if isinstance(value, dict):
            e.options = dict(value)
        elif value is not None and cls is not None:
            pos = list(cls.positional)
            if len(pos) == 1:
                e.options = {pos[0]: value}
            elif len(pos) > 1 and isinstance(value, list):
                e.options = dict(zip(pos, value))
    e.cls = _BY_KEY.get(e.key) if isinstance(e.key, str) else None
    if "inputs" in e.options:
        e.has_inputs, e.inputs = True, e.options.pop("inputs")
    name = e.options.get("Name")
    e.name = name if isinstance(name, str) else ""
    return e


def label_entries(entries):
    """Each entry's name as the graph will have it (MATLAB's automatic names for unnamed ones)."""
    dummies = [SimpleNamespace(Name=e.name, default_name=e.cls.default_name if e.cls else
                               str(e.key or "layer")) for e in entries]
    _assign_names(dummies, set())
    for e, d in zip(entries, dummies):
        e.label = d.Name

