"""Names a package loads on first use (PEP 562), so importing it stays cheap.

    __getattr__, __dir__ = lazy_names(__name__, {"trainNetwork": "trainer"}, __all__)

``where`` maps a public name to the submodule that defines it; the submodule is imported the first
time the name is read, and the value is kept in the package for the next reads.
"""

from __future__ import annotations

import importlib
import sys


def lazy_names(package: str, where: dict[str, str], public):
    def __getattr__(name):
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__():
        return sorted({*vars(sys.modules[package]), *public})

    return __getattr__, __dir__
