"""Modules of flattenLayer, sequenceFoldingLayer and sequenceUnfoldingLayer (layers/reshaping.py)."""

from __future__ import annotations

import torch
from torch import nn

from ..sequences import Signal, time_mask
from .fully_connected import matlab_flatten


class Flatten(nn.Module):
    def __init__(self, spatial_dims):
        super().__init__()
        self.spatial_dims = spatial_dims

    def forward(self, x: Signal):
        return Signal(matlab_flatten(x.data, self.spatial_dims), x.lengths)


class Fold(nn.Module):
    def forward(self, x: Signal):
        mask = time_mask(x.lengths.to(x.data.device), x.data.shape[1])
        return Signal(x.data[mask]), Signal(mask, x.lengths)

    def onnx_forward(self, x: Signal):
        """For ONNX export: every frame, padded ones too, so no shape depends on the lengths
        (the layers between fold and unfold work frame by frame; unfold zeroes padded frames)."""
        mask = time_mask(x.lengths.to(x.data.device), x.data.shape[1])
        return Signal(x.data.flatten(0, 1)), Signal(mask, x.lengths)


class Unfold(nn.Module):
    def forward(self, x: Signal, mb: Signal):
        mask = mb.data
        out = x.data.new_zeros(*mask.shape, *x.data.shape[1:])
        out[mask] = x.data
        return Signal(out, mb.lengths)

    def onnx_forward(self, x: Signal, mb: Signal):
        mask = mb.data
        out = x.data.reshape(*mask.shape, *x.data.shape[1:])
        keep = mask.reshape(*mask.shape, *([1] * (out.dim() - 2)))
        return Signal(torch.where(keep, out, torch.zeros_like(out)), mb.lengths)
