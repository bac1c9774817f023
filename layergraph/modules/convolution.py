"""Modules of convolution1dLayer and convolution2dLayer (layers/convolution.py), and the time
padding that 1-D convolution and pooling share."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..formats import conv_out, same_padding
from ..sequences import Signal, time_mask


def zero_padded_steps(x: Signal, value=0.0):
    """Set the padded time steps of a (B, T, ...) signal to ``value`` (zero; -inf before a max)
    before a layer that mixes time steps."""
    if x.lengths is None:
        return x.data
    m = time_mask(x.lengths.to(x.data.device), x.data.shape[1])
    return x.data.masked_fill(~m.reshape(*m.shape, *([1] * (x.data.dim() - 2))), value)


def same_time_padding(d, lengths, k, s, dilation, value=0.0):
    """MATLAB's 'same' padding of (B, C, T) data over time, each sequence for its own length.

    A sequence of L steps gets ceil(L/s) outputs, the odd padding step at the end. With a stride
    above 1 the left padding depends on L, so each sequence is shifted right by its own left
    padding (one gather); the result needs no further padding before a k-step window.
    """
    T = d.shape[2]
    span = dilation * (k - 1)
    if s == 1:  # the padding does not depend on the length
        return F.pad(d, (span // 2, span - span // 2), value=value)
    if lengths is None:
        return F.pad(d, same_padding(T, k, s, dilation), value=value)
    lengths = lengths.to(d.device)
    out = torch.div(lengths + s - 1, s, rounding_mode="floor")
    left = torch.div((out - 1) * s + span + 1 - lengths, 2, rounding_mode="floor")
    left = left.clamp(min=0)
    # Integer arithmetic only (no data-dependent sizes), so the same code exports to ONNX with a
    # dynamic time axis: no sequence needs more than span // 2 steps on the left.
    n = torch.sym_max(((T + s - 1) // s - 1) * s + span + 1, T)
    m = span // 2
    padded = F.pad(d, (m, n - T), value=value)
    idx = torch.arange(n, device=d.device)[None, :] + (m - left)[:, None]
    return torch.gather(padded, 2, idx[:, None, :].expand(-1, d.shape[1], -1))


def _torch_conv(cls, weights, bias, stride, dilation):
    """An nn.ConvNd holding MATLAB-layout weights (k..., C, F) and bias (..., F)."""
    w = np.asarray(weights, dtype=np.float32)
    *k, c, f = w.shape
    conv = cls(c, f, tuple(k), stride, dilation=dilation)
    with torch.no_grad():  # MATLAB (k..., C, F) -> torch (F, C, k...)
        conv.weight.copy_(torch.as_tensor(np.ascontiguousarray(np.moveaxis(w, (-1, -2), (0, 1)))))
        conv.bias.copy_(torch.as_tensor(np.asarray(bias).reshape(-1)))
    return conv


class Conv1d(nn.Module):
    """1-D convolution over time. ``padding`` is 'same' or (left, right) time steps."""

    def __init__(self, weights, bias, stride, dilation, padding):
        super().__init__()
        self.conv = _torch_conv(nn.Conv1d, weights, bias, stride, dilation)
        self.same, self.pad = padding == "same", padding
        self.k, self.s, self.d = np.shape(weights)[0], stride, dilation

    def forward(self, x: Signal):
        d = zero_padded_steps(x).transpose(1, 2)  # (B, C, T)
        if self.same:
            d = same_time_padding(d, x.lengths, self.k, self.s, self.d)
        else:
            d = F.pad(d, self.pad)
        y = self.conv(d).transpose(1, 2)
        lengths = x.lengths
        if lengths is not None:
            if self.same:
                lengths = torch.div(lengths + self.s - 1, self.s, rounding_mode="floor")
            else:
                lengths = conv_out(lengths, self.k, self.s, self.d, self.pad)
            lengths = lengths.clamp(min=1, max=y.shape[1])
        return Signal(y, lengths)


class Conv2d(nn.Module):
    """2-D convolution of images or of every frame of image sequences; ``pad`` is torch's
    (left, right, top, bottom)."""

    def __init__(self, weights, bias, stride, dilation, pad):
        super().__init__()
        self.conv = _torch_conv(nn.Conv2d, weights, bias, stride, dilation)
        self.pad = pad

    def forward(self, x: Signal):
        d = x.data
        lead = d.shape[:-3]
        y = self.conv(F.pad(d.reshape(-1, *d.shape[-3:]), self.pad))
        return Signal(y.reshape(*lead, *y.shape[1:]), x.lengths)
