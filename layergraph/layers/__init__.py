"""The layer catalogue: every module of this package holds one concept and registers its layers.

The modules are found and imported here, so a new layer is one new file in this folder and
nothing else. Each class is exported under its class name and its MATLAB constructor name, so
both ``LSTMLayer(100)`` and ``lstmLayer(100)`` work.

Layer modules import no torch, so validating, analysing, drawing and translating a network never
load it. What runs a layer is imported by its ``build()`` when a network is assembled: the torch
module from :mod:`layergraph.modules` (the same file name: ``convolution.py`` ->
``modules/convolution.py``), or torch itself in an activation layer's ``function()``. A new
layer outside the package may import torch at the top of its own module (it only loads torch
when that module is imported).
"""

import importlib
import pkgutil

from .base import REGISTRY, Layer, LayerProblem, layer_class, register

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"{__name__}.{_module}")

globals().update({name: cls for name, cls in REGISTRY.items()})
globals().update({cls.__name__: cls for cls in REGISTRY.values()})

__all__ = ["Layer", "LayerProblem", "REGISTRY", "layer_class", "register", *REGISTRY,  # noqa: PLE0604
           *(cls.__name__ for cls in REGISTRY.values())]
