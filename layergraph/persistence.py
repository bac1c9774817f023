"""Saving and loading networks without pickle's arbitrary code execution.

A network file is a ``torch.save`` of plain containers: layer types and options (strings, numbers,
lists), learnables and statistics as tensors, and the connections. It is read back with
``torch.load(weights_only=True)``, which refuses anything but tensors and plain data, then rebuilt
through the layer registry, so a file can never run code.
"""

from __future__ import annotations

import os

import numpy as np
import torch

from .errors import LayerGraphError
from .graph import LayerGraph
from .layers.base import layer_class

FORMAT = "layergraph.network"
VERSION = 1


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


def save_network(net, path) -> None:
    """Save a trained or assembled network (layers, weights, normalization, class names)."""
    net.sync_layers()
    torch.save({"format": FORMAT, "version": VERSION, "graph": graph_state(net.graph)}, path)


def load_state(path) -> dict:
    if not os.path.exists(path):
        raise LayerGraphError(f"{path}: no such file")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # refused or corrupt: say so, without torch's internals
        raise LayerGraphError(f"{path}: not a layergraph file, or it holds objects other than "
                              f"plain data and tensors ({type(exc).__name__})") from None


def load_network(path, ExecutionEnvironment="auto"):
    """Load a network saved by :func:`save_network`."""
    from .network import Network

    state = load_state(path)
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise LayerGraphError(f"{path}: not a layergraph network file")
    if state.get("version", 0) > VERSION:
        raise LayerGraphError(f"{path}: written by a newer layergraph (format version "
                              f"{state['version']}); upgrade layergraph")
    return Network(graph_from_state(state["graph"]), ExecutionEnvironment)
