"""The layer catalogue. Importing this package registers every layer; each module holds one concept.

Each class is exported under its class name and its MATLAB constructor name, so both
``LSTMLayer(100)`` and ``lstmLayer(100)`` work.
"""

from . import (  # noqa: F401  (importing a module registers its layers)
    activations,
    convolution,
    embedding,
    fully_connected,
    gru,
    input,
    lstm,
    normalization,
    output,
    pooling,
    reshaping,
)
from .base import REGISTRY, Layer, LayerProblem, layer_class, register

globals().update({name: cls for name, cls in REGISTRY.items()})
globals().update({cls.__name__: cls for cls in REGISTRY.values()})

__all__ = ["Layer", "LayerProblem", "REGISTRY", "layer_class", "register", *REGISTRY,  # noqa: PLE0604
           *(cls.__name__ for cls in REGISTRY.values())]
