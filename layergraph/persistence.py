"""The file format of saved networks and checkpoints: plain data, no pickle code execution.

A file is a ``torch.save`` of plain containers: layer types and options (strings, numbers,
lists), learnables and statistics as tensors, and the connections. It is read back with
``torch.load(weights_only=True)``, which refuses anything but tensors and plain data, then rebuilt
through the layer registry, so a file can never run code. Files are written to a temporary file
and renamed into place, so an interrupted save never leaves a half-written file under the name.
What is saved (networks, checkpoints) is decided by network.py and the trainer.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np
import torch

from .errors import LayerGraphError
from .graph import LayerGraph
from .layers.base import layer_class


def graph_state(graph: LayerGraph) -> dict:
    """Plain-data description of a graph: layers (options + arrays as tensors) and connections."""
    layers = []
    for lay in graph.Layers:
        config, arrays = {}, {}
        for name, value in lay.props.items():
            if isinstance(value, np.ndarray):
                arrays[name] = torch.as_tensor(value)
            elif isinstance(value, tuple):
                config[name] = list(value)
            else:
                config[name] = value
        layers.append({"type": lay.matlab_name, "config": config, "arrays": arrays})
    return {"layers": layers, "connections": [list(e) for e in graph.edges()]}


def graph_from_state(state: dict) -> LayerGraph:
    g = LayerGraph()
    layers = []
    for entry in state["layers"]:
        cls = layer_class(entry["type"])
        lay = cls(**entry["config"])
        for name, t in entry["arrays"].items():
            lay.props[name] = t.numpy().astype(np.float64)
        layers.append(lay)
    g.addLayers(layers, connect=False)
    for s, sp, d, dp in state["connections"]:
        g.connectLayers(f"{s}/{sp}", f"{d}/{dp}")
    return g


def write_state(state: dict, path) -> None:
    """``torch.save`` to a temporary file beside ``path``, then rename it into place."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".layergraph-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(state, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_state(path) -> dict:
    if not os.path.exists(path):
        raise LayerGraphError(f"{path}: no such file")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # refused or corrupt: say so, without torch's internals
        raise LayerGraphError(f"{path}: not a layergraph file, or it holds objects other than "
                              f"plain data and tensors ({type(exc).__name__})") from None
