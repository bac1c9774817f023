"""Module of indexing1dLayer (layers/indexing.py): each sequence's first or last real step."""

from __future__ import annotations

import torch
from torch import nn

from ..sequences import Signal, data_steps, last_step


class Indexing1d(nn.Module):
    def __init__(self, last):
        super().__init__()
        self.last = last

    def forward(self, x: Signal, mask: Signal | None = None):
        d = x.data
        if mask is None:
            if not self.last:
                return Signal(d[:, 0])
            if x.lengths is None or x.full:
                return Signal(d[:, -1])
            return Signal(last_step(d, x.lengths))
        steps = data_steps(x, mask)  # (B, T): data in the lengths and the mask
        T = d.shape[1]
        t = torch.arange(T, device=d.device).expand_as(steps)
        pick = (torch.where(steps, t, -1).amax(1) if self.last
                else torch.where(steps, t, T).amin(1))
        found = steps.any(1)
        y = d[torch.arange(d.shape[0], device=d.device), pick.clamp(0, T - 1)]
        keep = found.view(-1, *([1] * (y.dim() - 1)))
        return Signal(torch.where(keep, y, torch.zeros_like(y)))
