"""Building many objects at once without the garbage collector's repeated full passes.

Analysing or compiling a network of thousands of layers allocates objects that all stay alive;
Python's cyclic collector would scan them again and again (full passes over every live object)
while they are made, which makes building superlinear. Paused for the build, it runs as usual
afterwards.
"""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def collector_paused():
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
