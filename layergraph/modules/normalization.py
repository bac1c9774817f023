"""Modules of the normalization layers (layers/normalization.py): batch, layer, and group
normalization (which instance normalization is, with one group per channel)."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..formats import channel_dim
from ..sequences import Signal, time_mask


def _channel_last(d, fmt):
    """Move channels to the last dim: returns the view and a function that moves them back."""
    cd = channel_dim(fmt)
    moved = d.movedim(cd, -1)
    return moved, lambda y: y.movedim(-1, cd)


def _vector(v):
    return torch.as_tensor(np.asarray(v).reshape(-1), dtype=torch.float32)


class BatchNorm(nn.Module):
    """Per-channel statistics over batch, real time steps and space; ``offset``/``scale`` and
    the trained moments are the layer's arrays (any shape, one value per channel).

    ``sum_over_workers``: in distributed training, a function summing a tensor over the workers
    (with its gradient), set by the trainer; the statistics are then the whole mini-batch's, as
    one process computes them, and the running moments stay equal on every worker."""

    sum_over_workers = None

    def __init__(self, fmt, offset, scale, eps, mean_decay, var_decay, trained_mean,
                 trained_var):
        super().__init__()
        self.fmt, self.eps, self.mean_decay, self.var_decay = fmt, eps, mean_decay, var_decay
        self.offset, self.scale = nn.Parameter(_vector(offset)), nn.Parameter(_vector(scale))
        self.register_buffer("running_mean", _vector(trained_mean))
        self.register_buffer("running_var", _vector(trained_var))

    def forward(self, x: Signal):
        d, back = _channel_last(x.data, self.fmt)
        if self.training:
            if x.lengths is not None and "T" in self.fmt:
                mask = time_mask(x.lengths.to(d.device), d.shape[1])
                vals = d[mask].reshape(-1, d.shape[-1])  # real steps only
            else:
                vals = d.reshape(-1, d.shape[-1])
            if self.sum_over_workers is None:
                n, mean = vals.shape[0], vals.mean(0)
                var = vals.var(0, unbiased=False)
            else:  # two passes over the workers' values: the mean, then the squared deviations
                total = self.sum_over_workers(torch.cat([vals.sum(0), vals.new_tensor(
                    [vals.shape[0]])]))
                n = int(total[-1].item())
                mean = total[:-1] / max(n, 1)
                var = self.sum_over_workers(((vals - mean) ** 2).sum(0)) / max(n, 1)
            with torch.no_grad():
                unbiased = var * n / max(n - 1, 1)
                self.running_mean.mul_(1 - self.mean_decay).add_(self.mean_decay * mean)
                self.running_var.mul_(1 - self.var_decay).add_(self.var_decay * unbiased)
        else:
            mean, var = self.running_mean, self.running_var
        y = (d - mean) / torch.sqrt(var + self.eps) * self.scale + self.offset
        return Signal(back(y), x.lengths)


class LayerNorm(nn.Module):
    """Per observation and time step, over channels (and space when ``spatial``)."""

    def __init__(self, fmt, offset, scale, eps, spatial):
        super().__init__()
        self.fmt, self.eps, self.spatial = fmt, eps, spatial
        self.offset, self.scale = nn.Parameter(_vector(offset)), nn.Parameter(_vector(scale))

    def forward(self, x: Signal):
        d, back = _channel_last(x.data, self.fmt)
        nsp = self.fmt.count("S") if self.spatial else 0
        dims = tuple(range(d.dim() - 1 - nsp, d.dim()))
        mean = d.mean(dims, keepdim=True)
        var = d.var(dims, unbiased=False, keepdim=True)
        y = (d - mean) / torch.sqrt(var + self.eps) * self.scale + self.offset
        return Signal(back(y), x.lengths)


class GroupNorm(nn.Module):
    """Per observation, over space, real time steps and each of ``groups`` consecutive groups
    of channels; padded time steps never enter the statistics."""

    def __init__(self, fmt, offset, scale, eps, groups):
        super().__init__()
        self.fmt, self.eps, self.groups = fmt, eps, groups
        self.offset, self.scale = nn.Parameter(_vector(offset)), nn.Parameter(_vector(scale))

    def forward(self, x: Signal):
        d, back = _channel_last(x.data, self.fmt)  # (B, [T], [H, W], C)
        g = d.reshape(*d.shape[:-1], self.groups, d.shape[-1] // self.groups)
        dims = (*range(1, g.dim() - 2), g.dim() - 1)  # all but batch and group
        if x.lengths is not None and "T" in self.fmt:  # time is dim 1 in every layout
            m = time_mask(x.lengths.to(d.device), d.shape[1]).to(d.dtype)
            m = m.reshape(*m.shape, *([1] * (g.dim() - 2)))
            per_step = 1
            for i in dims[1:]:
                per_step *= g.shape[i]
            n = m.sum(1, keepdim=True) * per_step
            mean = (g * m).sum(dims, keepdim=True) / n
            var = ((g - mean) * m).square().sum(dims, keepdim=True) / n
        else:
            mean = g.mean(dims, keepdim=True)
            var = g.var(dims, unbiased=False, keepdim=True)
        y = ((g - mean) / torch.sqrt(var + self.eps)).reshape(d.shape)
        return x._replace(data=back(y * self.scale + self.offset))
