"""Modules of the activation layers (layers/activations.py): a function applied to the data."""

from __future__ import annotations

from torch import nn

from ..sequences import Signal


class Pointwise(nn.Module):
    """Applies ``fn`` to the data of a Signal, keeping its lengths."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x: Signal):
        return Signal(self.fn(x.data), x.lengths)


class Dropout(Pointwise):
    """nn.Dropout on the data; registered as ``drop`` so train()/eval() reach it."""

    def __init__(self, probability):
        drop = nn.Dropout(probability)
        super().__init__(drop)
        self.drop = drop
