"""Running a translated program: its parameters, its command line, error(), tic / toc, and
the workspace it returns."""

from __future__ import annotations

import re
import sys
import time

from ...errors import DataError, LayerGraphError
from .text import sprintf

# --- parameters ---------------------------------------------------------------------------------


def parameters(defaults: dict, overrides: dict) -> dict:
    """The program's parameters: its defaults, with ``overrides`` (each a known name)."""
    unknown = [k for k in overrides if k not in defaults]
    if unknown:
        raise DataError(f"unknown parameter {unknown[0]!r}; the parameters are: "
                        + ", ".join(defaults), expected="NAME=VALUE with a parameter's name")
    return {**defaults, **overrides}


def command_line(argv, defaults: dict) -> dict:
    """``NAME=VALUE`` arguments: a number where the default is a number, else text."""
    out = {}
    for item in argv:
        name, eq, value = item.partition("=")
        if not eq or name not in defaults:
            raise SystemExit(f"expected NAME=VALUE with NAME one of: {', '.join(defaults)}; "
                             f"got {item!r}")
        if isinstance(defaults[name], (int, float)) and not isinstance(defaults[name], bool):
            try:
                out[name] = float(value) if not value.lstrip("-").isdigit() else int(value)
            except ValueError:
                raise SystemExit(f"{name}: expected a number, got {value!r}") from None
        else:
            out[name] = value
    return out


def run_main(main, argv, defaults: dict) -> int:
    """The program run as a script: ``NAME=VALUE`` arguments; a layergraph error or a statement
    not translated ends it with its message (exit status 1), not a traceback."""
    try:
        main(**command_line(argv, defaults))
    except (LayerGraphError, NotImplementedError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def workspace(names: dict) -> dict:
    """The MATLAB variables at the end of the program (the emitted ``main`` returns them)."""
    return {k: v for k, v in names.items() if k not in ("P", "overrides")}


class ProgramError(LayerGraphError):
    """``error(...)`` raised by the MATLAB program itself."""


def error(message, *args):
    """MATLAB's ``error(msg)`` / ``error(fmt, values...)`` (an identifier first is left out)."""
    if args and re.fullmatch(r"\w+(:\w+)+", str(message)):
        message, args = args[0], args[1:]
    raise ProgramError(sprintf(message, *args) if args else str(message))


_TIC = [time.perf_counter()]


def tic():
    _TIC[0] = time.perf_counter()


def toc(nargout=0):
    elapsed = time.perf_counter() - _TIC[0]
    if nargout:
        return elapsed
    print(f"Elapsed time is {elapsed:.6f} seconds.")
    return None
