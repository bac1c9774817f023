"""Where padding happens: padded batches, lengths and the gathers that keep results padding-invariant.

Inside a compiled network a sequence batch travels as a :class:`Signal`: a right-padded tensor
(batch first, time second) plus the true length of every sequence. Recurrent layers use the
lengths, so a sequence's result never depends on what it was batched with.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch


class Signal(NamedTuple):
    """What flows along one graph edge: data (B, T, ...) or (B, ...), and lengths (B,) or None."""

    data: torch.Tensor
    lengths: torch.Tensor | None = None


def pad_sequences(seqs, value=0.0, direction="right", length=None, dtype=np.float32):
    """Stack (T_i, ...) arrays into (N, T, ...) with padding; returns (array, lengths).

    ``length`` pads (or truncates, keeping the start for 'right' and the end for 'left') to a
    fixed length; by default to the longest sequence.
    """
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    T = int(lengths.max()) if length is None else int(length)
    tail = np.shape(seqs[0])[1:]
    out = np.full((len(seqs), T, *tail), value, dtype=dtype)
    for i, s in enumerate(seqs):
        n = min(len(s), T)
        if direction == "right":
            out[i, :n] = s[:n]
        else:
            out[i, T - n :] = s[len(s) - n :]
    return out, np.minimum(lengths, T)


def time_mask(lengths: torch.Tensor, T: int) -> torch.Tensor:
    """(B, T) boolean mask, True on real (non-padded) steps of right-padded data."""
    return torch.arange(T, device=lengths.device)[None, :] < lengths[:, None]


def reverse_index(lengths: torch.Tensor, T: int) -> torch.Tensor:
    """(B, T) gather index that reverses each sequence within its own length.

    Padded steps map to themselves, so applying the index twice is the identity. This is what
    lets the backward direction of a BiLSTM run on the fast padded kernel without reading padding
    first.
    """
    t = torch.arange(T, device=lengths.device)[None, :]
    L = lengths[:, None]
    return torch.where(t < L, L - 1 - t, t)


def flat_index(index: torch.Tensor) -> torch.Tensor:
    """A (B, T) time index as a (B*T,) row index into ``x.flatten(0, 1)``."""
    B, T = index.shape
    return (index + torch.arange(0, B * T, T, device=index.device)[:, None]).reshape(-1)


def reverse_within_length(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Apply a :func:`reverse_index` (B, T), or its :func:`flat_index` (B*T,), to a (B, T, ...)
    tensor.

    Moves whole rows of the (B*T, ...) view (``index_select``, several times faster than a
    ``gather`` over every element); the index is its own inverse, so the gradient is reordered
    the same way instead of scatter-added.
    """
    flat = index if index.dim() == 1 else flat_index(index)
    if x.requires_grad and torch.is_grad_enabled():
        return _SelfInverseRows.apply(x, flat)
    return x.flatten(0, 1).index_select(0, flat).view(x.shape)


class _SelfInverseRows(torch.autograd.Function):
    """y = x.flatten(0, 1)[flat] for a permutation ``flat`` that is its own inverse."""

    @staticmethod
    def forward(ctx, x, flat):
        ctx.save_for_backward(flat)
        return x.flatten(0, 1).index_select(0, flat).view(x.shape)

    @staticmethod
    def backward(ctx, grad):
        (flat,) = ctx.saved_tensors
        return grad.flatten(0, 1).index_select(0, flat).view(grad.shape), None


def last_step(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """(B, T, C) -> (B, C): each sequence's output at its own last real step (index length-1)."""
    idx = (lengths - 1).clamp(min=0).to(x.device)
    return x[torch.arange(x.shape[0], device=x.device), idx]
