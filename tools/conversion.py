"""What the data converters share: source files read from a wheel, a folder or the installed
package, and a compressed .npz written byte for byte the same every run."""

from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path

import numpy as np


def savez_deterministic(arrays: dict[str, np.ndarray]) -> bytes:
    """The bytes of a compressed .npz of ``arrays``, with fixed member timestamps, so that
    re-running a conversion reproduces the shipped file exactly."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, a in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(a), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


def installed_package(name: str, missing: str) -> Path:
    """The folder holding the installed package ``name`` (found, not imported); ``missing`` is
    the message when it is not installed."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(missing)
    return Path(list(spec.submodule_search_locations)[0]).parent


def read_members(src: Path, names) -> dict[str, bytes]:
    """{member path: bytes} of ``names`` from a wheel (a zip file) or a folder."""
    if src.is_file():
        with zipfile.ZipFile(src) as zf:
            return {n: zf.read(n) for n in names}
    return {n: (src / n).read_bytes() for n in names}
