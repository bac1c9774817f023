"""The file format of saved networks and checkpoints: plain data, checked before it is trusted.

A file is a short header, the SHA-256 of the payload, and the payload: a ``torch.save`` of plain
containers (layer types and options as strings, numbers and lists; learnables and statistics as
tensors; the connections). Reading verifies the hash first, so a flipped bit or a truncated file is
an error naming the file, then loads the payload with ``torch.load(weights_only=True)``, which
refuses anything but tensors and plain data, and rebuilds layers through the registry, checking
every entry, so a file can neither run code nor fail with a raw KeyError. Files are written to a
temporary file in the same folder, flushed to disk and renamed into place, so a process killed
while saving leaves the previous file intact. Files written before the header existed (a bare
``torch.save``) still load, without the hash check. What is saved (networks, checkpoints) is
decided by network.py and the trainer.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings

import numpy as np
import torch

from .atomic import atomic_path
from .errors import FileError, LayerGraphError
from .graph import LayerGraph
from .layers.base import layer_class

MAGIC = b"layergraph-file 2\n"
"""First line of a file; the next is the payload's SHA-256 in hex."""


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


def graph_from_state(state, path="<state>") -> LayerGraph:
    """The graph a :func:`graph_state` describes; a damaged description is a FileError naming
    ``path`` and the entry."""
    if not isinstance(state, dict) or not isinstance(state.get("layers"), list) \
            or not isinstance(state.get("connections"), list):
        raise FileError(f"{path}: damaged file: the network description has no layer and "
                        "connection lists")
    layers = []
    for i, entry in enumerate(state["layers"]):
        where = f"{path}: damaged file: layer {i + 1}"
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str) \
                or not isinstance(entry.get("config"), dict) \
                or not isinstance(entry.get("arrays"), dict):
            raise FileError(f"{where} is not {{type, config, arrays}}")
        try:
            lay = layer_class(entry["type"])(**entry["config"])
        except LayerGraphError as exc:
            raise FileError(f"{where} ({entry['type']}): {exc}") from None
        except TypeError:
            raise FileError(f"{where} ({entry['type']}): option names must be strings") from None
        for name, t in entry["arrays"].items():
            if name not in lay.props or not isinstance(t, torch.Tensor):
                raise FileError(f"{where} ({entry['type']}): '{name}' is not an array property "
                                "of the layer")
            lay.props[name] = t.numpy().astype(np.float64)
        layers.append(lay)
    g = LayerGraph()
    try:
        g.addLayers(layers, connect=False)
        for k, edge in enumerate(state["connections"]):
            if not (isinstance(edge, (list, tuple)) and len(edge) == 4
                    and all(isinstance(e, str) for e in edge)):
                raise FileError(f"{path}: damaged file: connection {k + 1} is not "
                                "[source, port, destination, port]")
            s, sp, d, dp = edge
            g.connectLayers(f"{s}/{sp}", f"{d}/{dp}")
    except FileError:
        raise
    except LayerGraphError as exc:
        raise FileError(f"{path}: damaged file: {exc}") from None
    return g


def write_state(state: dict, path) -> None:
    """Header, hash and payload to a temporary file beside ``path``, then renamed into place."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    payload = buffer.getvalue()
    with atomic_path(path) as tmp, open(tmp, "wb") as f:
        f.write(MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)


def read_state(path) -> dict:
    """The plain data of a file written by :func:`write_state` (hash verified first)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileError(f"{path}: no such file" if not os.path.exists(path) else
                        f"{path}: not a file")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise FileError(f"{path}: cannot be read ({exc.strerror})") from None
    if data.startswith(MAGIC):
        head, _, payload = data[len(MAGIC):].partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != head:
            raise FileError(f"{path}: damaged file: its content does not match the SHA-256 it "
                            "was saved with (a changed or truncated file)")
        data = payload
    try:
        with warnings.catch_warnings():  # a damaged file's odd pickle protocol: our error below
            warnings.simplefilter("ignore")
            state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # refused or corrupt: say so, without torch's internals
        raise FileError(f"{path}: not a layergraph file, or it holds objects other than "
                        f"plain data and tensors ({type(exc).__name__})") from None
    if not isinstance(state, dict):
        raise FileError(f"{path}: not a layergraph file")
    return state
