"""Shared helpers for the core test-suite (layers, graphs, analysis, compiled network).

Test modules import the plain functions below (``from conftest import ...``; pytest puts this
folder on ``sys.path``).  They set learnables the way a user would, through the MATLAB-named
layer properties, never through the torch modules under test.
"""

from __future__ import annotations

import os
import sys

# The tests use small tensors: one thread each for OpenBLAS and torch. With more, the threads'
# spin-waiting makes a busy 2-core machine hundreds of times slower (a 800x200 QR took seconds).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from layergraph import analyze, assembleNetwork, layerGraph  # noqa: E402
from layergraph.graph import LayerGraph  # noqa: E402

torch.set_num_threads(1)


def initialize_learnables(layers_or_graph, seed=0) -> LayerGraph:
    """A LayerGraph whose unset learnables are filled by each layer's own initializers.

    Uses the input activations found by the analysis, as trainNetwork does before training.
    """
    g = layers_or_graph if isinstance(layers_or_graph, LayerGraph) else layerGraph(layers_or_graph)
    result = analyze(g)
    assert result.ok, [p.message for p in result.problems]
    rng = np.random.default_rng(seed)
    for name in result.order:
        result.graph.layer(name).initialize(result.inputs[name], rng)
    return g


def assemble_initialized(layers_or_graph, seed=0, **kwargs):
    """assembleNetwork after :func:`initialize_learnables`."""
    return assembleNetwork(initialize_learnables(layers_or_graph, seed), **kwargs)


def random_sequences(rng, lengths, channels, scale=1.0):
    """A list of (T, C) float arrays with the given lengths."""
    return [scale * rng.standard_normal((T, channels)) for T in lengths]


SMALL_SPEC = """\
name: small
layers:
  - sequenceInput: 3
  - lstm: {NumHiddenUnits: 4, OutputMode: last}
  - fullyConnected: 2
  - softmax
  - classification
"""
"""A small valid classifier spec that the CLI and spec tests vary."""


# --- the end of a session that trained on several workers ----------------------------------------

def pytest_sessionfinish(session, exitstatus):
    session.config._layergraph_exit = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """After distributed tests this process (worker 0 of their groups) ends past Python's
    teardown, as the command line does: torch keeps gloo's threads alive after a DDP module has
    used a group, and their destruction then can abort the process (distributed.exit_process)."""
    distributed = sys.modules.get("layergraph.training.distributed")
    if distributed is not None and distributed._took_part:
        distributed.exit_process(getattr(config, "_layergraph_exit", 0))
