"""Modules of the 2-D pooling layers (layers/pooling2d.py): every image, or every frame of an image
sequence, is pooled alone."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..sequences import Signal


def _frames(d):
    """(..., C, H, W) as (N, C, H, W), and a function putting the leading dims back."""
    lead = d.shape[:-3]
    return d.reshape(-1, *d.shape[-3:]), lambda y: y.reshape(*lead, *y.shape[1:])


class Pool2d(nn.Module):
    """Max or average pooling; ``pad`` is torch's (left, right, top, bottom). With
    ``exclude_padding`` an average divides by the number of real elements in its region."""

    def __init__(self, mode, pool, stride, pad, exclude_padding=False):
        super().__init__()
        self.mode, self.pool, self.stride, self.pad = mode, tuple(pool), tuple(stride), tuple(pad)
        self.exclude = exclude_padding and any(pad)

    def forward(self, x: Signal):
        f, back = _frames(x.data)
        if self.mode == "max":
            y = F.max_pool2d(F.pad(f, self.pad, value=float("-inf")), self.pool, self.stride)
        else:
            y = F.avg_pool2d(F.pad(f, self.pad), self.pool, self.stride)
            if self.exclude:  # the share of real elements in each region
                ones = f.new_ones(1, 1, *f.shape[-2:])
                y = y / F.avg_pool2d(F.pad(ones, self.pad), self.pool, self.stride)
        return x._replace(data=back(y))


class GlobalPool2d(nn.Module):
    def __init__(self, mode):
        super().__init__()
        self.mode = mode

    def forward(self, x: Signal):
        d = x.data
        if self.mode == "max":
            y = torch.amax(d, dim=(-2, -1), keepdim=True)
        else:
            y = d.mean(dim=(-2, -1), keepdim=True)
        return x._replace(data=y)
