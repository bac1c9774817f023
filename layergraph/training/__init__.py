"""Training: options, solvers, losses, the trainer and its monitoring.

``trainingOptions`` (options.py) needs no torch, so a spec's training options are checked without
it; the trainer (and torch) is imported when ``trainNetwork`` is first used (PEP 562).
"""

import importlib

_WHERE = {"TrainingInfo": "monitor", "TrainingOptions": "options", "trainingOptions": "options",
          "trainNetwork": "trainer"}

__all__ = ["TrainingInfo", "TrainingOptions", "trainNetwork", "trainingOptions"]


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *__all__})
