"""Writing a file whole or not at all: a temporary file beside the target, flushed to disk and
renamed into place, removed if anything fails. Saved networks, checkpoints, ONNX models and .mat
files are all written this way, so a crash never leaves half a file under the real name."""

from __future__ import annotations

import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_path(path, prefix=".layergraph-"):
    """Yields the name of a temporary file in ``path``'s folder for the block to write; when the
    block ends, the file is fsynced and renamed to ``path``; if it fails, the file is removed."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
