"""Training checkpoints: where they are written, and which one a resume reads.

The trainer writes one per epoch under CheckpointPath, named as MATLAB names them
(``net_checkpoint__<iteration>__epoch<epoch>.pt``), through persistence.write_state: hashed and
written atomically, so a process killed while saving leaves the previous checkpoint intact.
Resuming takes a checkpoint file, or a folder, where the newest checkpoint that verifies is used
(a damaged newest file, e.g. one copied half-way, falls back to the one before).
"""

from __future__ import annotations

import os
import re

from ..persistence import FileError, read_state

CHECKPOINT_FORMAT = "layergraph.checkpoint"
_NAME = re.compile(r"net_checkpoint__(\d+)__epoch(\d+)\.pt$")


def checkpoint_path(folder, iteration: int, epoch: int) -> str:
    return os.path.join(folder, f"net_checkpoint__{iteration}__epoch{epoch}.pt")


def read_checkpoint(path) -> tuple[dict, str]:
    """(checkpoint state, the file it came from) for a checkpoint file or a folder of them."""
    path = os.fspath(path)
    if os.path.isdir(path):
        return newest_checkpoint(path)
    state = read_state(path)
    if state.get("format") != CHECKPOINT_FORMAT:
        raise FileError(f"{path}: not a layergraph training checkpoint")
    return state, path


def newest_checkpoint(folder) -> tuple[dict, str]:
    """The newest checkpoint in ``folder`` that loads and verifies (by iteration number)."""
    found = []
    for name in os.listdir(folder):
        m = _NAME.match(name)
        if m:
            found.append((int(m.group(1)), int(m.group(2)), os.path.join(folder, name)))
    damaged = []
    for _, _, path in sorted(found, reverse=True):
        try:
            return read_checkpoint(path)
        except FileError as exc:
            damaged.append(str(exc))
    detail = f"; damaged: {'; '.join(damaged)}" if damaged else ""
    raise FileError(f"{folder}: no valid checkpoint (net_checkpoint__<iteration>__epoch<epoch>.pt)"
                    f" in this folder{detail}")
