"""What the data converters share: a compressed .npz written byte for byte the same every run."""

from __future__ import annotations

import io
import zipfile

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
