"""Modules of the combining layers (layers/combining.py): element-wise sum and product, and
concatenation.

Padded steps are combined like real ones and never read later (every layer that mixes time steps
masks them first), so a sequence's result does not depend on its batch. What the analysis cannot
know, the module checks on every call before combining: that the inputs have the same shape and,
for sequences, the same lengths. A mismatch is a NetworkError naming the ports, never torch's
broadcasting or a misaligned sum.
"""

from __future__ import annotations

import torch
from torch import nn

from ..errors import NetworkError
from ..sequences import Signal


def check_alignment(where: str, signals, skip: int | None = None) -> None:
    """Shapes agree except in torch dimension ``skip``; sequences have equal lengths.

    The lengths are compared only when they are different tensors (branches of length-keeping
    layers share one), so the usual residual block costs no device synchronisation.
    """
    first = signals[0]
    shape = list(first.data.shape)
    for k, s in enumerate(signals[1:], start=2):
        other = list(s.data.shape)
        if skip is not None and len(other) == len(shape):
            other[skip] = shape[skip]
        if other != shape:
            if first.lengths is not None and len(other) == len(shape) and other[1] != shape[1]:
                raise NetworkError(
                    f"{where}: input 'in{k}' has {s.data.shape[1]} time steps, 'in1' has "
                    f"{first.data.shape[1]}; a strided or unpadded layer on one branch shortened "
                    "its sequences, and combined inputs must have the same time steps")
            raise NetworkError(f"{where}: input 'in{k}' has shape {tuple(s.data.shape)}, 'in1' "
                               f"{tuple(first.data.shape)}")
        a, b = first.lengths, s.lengths
        if a is not b and _exporting():  # an exported graph has one lengths input for all
            continue
        if a is not b and (a is None or b is None or not torch.equal(a.cpu(), b.cpu())):
            raise NetworkError(f"{where}: the sequences of input 'in{k}' have lengths "
                               f"{_show(b)}, those of 'in1' {_show(a)}; combined inputs must "
                               "come from the same time steps")


def _exporting() -> bool:
    """Whether torch is exporting the module (ONNX): the lengths are then symbolic, and a
    network with one sequence input, the only kind exported, has them equal on every branch
    (analysis checks the branches' time steps)."""
    is_exporting = getattr(torch.compiler, "is_exporting", None)
    return bool(is_exporting and is_exporting()) or torch.jit.is_tracing()


def _show(lengths):
    return "none (not sequences)" if lengths is None else str(lengths.tolist())


class Elementwise(nn.Module):
    """Sum ('add') or product ('multiply') of the inputs' data."""

    def __init__(self, operation: str, where: str):
        super().__init__()
        self.operation, self.where = operation, where

    def forward(self, *xs: Signal) -> Signal:
        check_alignment(self.where, xs)
        out = xs[0].data
        for x in xs[1:]:
            out = out + x.data if self.operation == "add" else out * x.data
        return Signal(out, xs[0].lengths, all(x.full for x in xs))


class Concatenate(nn.Module):
    """The inputs' data joined along torch dimension ``dim``."""

    def __init__(self, dim: int, where: str):
        super().__init__()
        self.dim, self.where = dim, where

    def forward(self, *xs: Signal) -> Signal:
        check_alignment(self.where, xs, skip=self.dim)
        return Signal(torch.cat([x.data for x in xs], dim=self.dim), xs[0].lengths,
                      all(x.full for x in xs))
