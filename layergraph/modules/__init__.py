"""The torch side of the layers: the ``nn.Module`` that computes each layer inside a compiled
network, one file per file of ``layers/`` (``layers/convolution.py`` -> ``modules/convolution.py``),
as ``torch/nn/modules/`` holds torch's.

The layer classes (``layers/``) are data and import no torch, so checking, analysing, drawing and
translating a network never loads it. A layer's ``build()`` imports its module from here (an
import inside the function, which runs when a network is assembled) and hands it plain values and
numpy arrays in MATLAB's layout; the module creates its tensors. These modules read data through
:class:`~layergraph.sequences.Signal` and never import a layer.

A new layer may keep its torch module in its own file (importing torch there, or inside
``build()``); a new activation layer needs no module at all: its ``function()`` is run by
:class:`.activations.Pointwise`.
"""
