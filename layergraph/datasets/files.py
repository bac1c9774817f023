"""The shipped data files: where they are, and their arrays read once."""

from __future__ import annotations

import functools
import io
from importlib.resources import files

import numpy as np


def data_file(name: str):
    """The resource ``data/NAME`` of this package."""
    return files(__package__).joinpath("data", name)


def notice(name: str) -> str:
    """A shipped licence/citation text."""
    return data_file(name).read_text(encoding="utf-8")


@functools.cache
def shipped_arrays(name: str) -> dict[str, np.ndarray]:
    """The arrays of a shipped npz, read once and read-only (callers take copies). The whole file
    is read into memory: that works for any importlib.resources backend (plain directory, zip
    import) and closes the file at once."""
    with np.load(io.BytesIO(data_file(name).read_bytes()), allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    for a in arrays.values():
        a.setflags(write=False)
    return arrays
