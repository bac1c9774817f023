"""Services a higher floor offers to a lower one, so the lower never imports the higher.

The graph is on a low floor and knows topology only, yet ``LayerGraph.save_spec()``,
``LayerGraph.from_spec()`` and Jupyter's ``_repr_svg_`` are convenient. The YAML and drawing
modules register their functions here when they are imported, and the graph's thin methods call
them by name. ``layergraph`` imports those modules lazily, so it *promises* their services: a
promised service counts as available, and its module is imported when it is first asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from .errors import LayerGraphError

_SERVICES: dict[str, tuple[Callable, str]] = {}
_PROMISED: dict[str, str] = {}


def provide(name: str, function: Callable, module: str) -> None:
    """Offer ``function`` as service ``name``; ``module`` is what to import to get it."""
    _SERVICES[name] = (function, module)


def promise(name: str, module: str) -> None:
    """Say that importing ``module`` provides service ``name`` (it is imported on first use)."""
    _PROMISED[name] = module


def service(name: str, module: str) -> Callable:
    """The function registered as ``name`` (importing its promised module on first use), or an
    error saying which module provides it."""
    if name not in _SERVICES and name in _PROMISED:
        importlib.import_module(_PROMISED[name])
    try:
        return _SERVICES[name][0]
    except KeyError:
        raise LayerGraphError(f"'{name}' is provided by {module}; import it first "
                              f"(import {module})") from None


def available(name: str) -> bool:
    return name in _SERVICES or name in _PROMISED
