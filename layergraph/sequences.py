"""Where padding happens: the sequence policy, padded batches, lengths, the one chunk iterator,
and the gathers that keep results padding-invariant.

Inside a compiled network a sequence batch travels as a :class:`Signal`: a right-padded tensor
(batch first, time second) plus the true length of every sequence. Recurrent layers use the
lengths, so a sequence's result never depends on what it was batched with.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import torch

from .data import check_data_size
from .options import SEQUENCE_OPTIONS


class Signal(NamedTuple):
    """What flows along one graph edge: data (B, T, ...) or (B, ...), and lengths (B,) or None.

    ``full`` is a hint that every sequence fills the time axis (no padding), which lets recurrent
    layers skip their per-length work without looking at the lengths.
    """

    data: torch.Tensor
    lengths: torch.Tensor | None = None
    full: bool = False


def pad_sequences(seqs, value=0.0, direction="right", length=None, dtype=np.float32):
    """Stack (T_i, ...) arrays into (N, T, ...) with padding; returns (array, lengths).

    ``length`` pads (or truncates, keeping the start for 'right' and the end for 'left') to a
    fixed length; by default to the longest sequence.
    """
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    T = int(lengths.max()) if length is None else int(length)
    tail = np.shape(seqs[0])[1:]
    check_data_size(len(seqs) * T * math.prod(tail),
                    f"a padded mini-batch of {len(seqs)} sequences of {T:,} time steps")
    if lengths.min() == T:  # nothing to pad (streaming, equal lengths)
        return np.stack(seqs).astype(dtype, copy=False), lengths
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


def data_steps(x: Signal, mask: Signal | None = None) -> torch.Tensor | None:
    """(B, T) boolean, True on the steps that hold data: within each sequence's length and, when
    a padding-mask Signal is given (MATLAB's HasPaddingMaskInput port: 1 data, 0 padding), where
    its first channel is nonzero. None when there are neither lengths nor a mask."""
    d = x.data
    steps = None
    if x.lengths is not None and not x.full:
        steps = time_mask(x.lengths.to(d.device), d.shape[1])
    if mask is not None:
        m = mask.data[:, : d.shape[1], 0] != 0
        steps = m if steps is None else steps & m
    return steps


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


# --- the sequence policy: declared once, used by training and prediction alike ------------------

# SEQUENCE_OPTIONS, the declaration of these options, lives in options.py (no torch), so
# trainingOptions and specs are checked without importing torch; it is re-exported here.


@dataclass(frozen=True)
class SequencePolicy:
    """How a mini-batch of sequences is cut, padded and split, as MATLAB's options say.

    With ``PaddingInvariant`` (the default) padding goes on the right and the network sees each
    sequence's true length, so padding never changes a result and direction and value have no
    effect. Without it, padding is data as in MATLAB: ``SequencePaddingDirection`` and
    ``SequencePaddingValue`` act, and every sequence is as long as the padded batch.
    """

    SequenceLength: str | int = "longest"
    SequencePaddingDirection: str = "right"
    SequencePaddingValue: float = 0.0
    PaddingInvariant: bool = True

    @classmethod
    def of(cls, options) -> SequencePolicy:
        """The policy of trainingOptions or a dict of predict options."""
        get = options.get if isinstance(options, dict) else lambda k: getattr(options, k)
        return cls(*(get(name) for name in SEQUENCE_OPTIONS))

    @property
    def direction(self) -> str:
        return "right" if self.PaddingInvariant else self.SequencePaddingDirection

    @property
    def chunk_length(self) -> int | None:
        sl = self.SequenceLength
        return None if isinstance(sl, str) else int(sl)

    def order(self, lengths) -> np.ndarray:
        """Prediction order: longest first (stable), so each mini-batch pads little."""
        return np.argsort(-np.asarray(lengths), kind="stable")

    def num_chunks(self, longest: int) -> int:
        n = self.chunk_length
        return 1 if n is None else -(-longest // n)

    def cut(self, seqs, per_step_targets=None):
        """'shortest': every sequence (and per-step targets) truncated to the shortest."""
        if self.SequenceLength != "shortest":
            return seqs, per_step_targets
        m = min(len(s) for s in seqs)
        seqs = [s[:m] for s in seqs]
        if per_step_targets is not None:
            per_step_targets = [t[:m] for t in per_step_targets]
        return seqs, per_step_targets

    def pad(self, seqs, device=None, length=None) -> PaddedBatch:
        """The padded mini-batch the network runs on; ``length``: pad to that many steps rather
        than to the longest of ``seqs`` (a worker's share, padded as the whole mini-batch)."""
        data, lengths = pad_sequences(seqs, self.SequencePaddingValue, self.direction, length)
        x = torch.as_tensor(data, device=device)
        true = torch.as_tensor(lengths, device=device)
        seen = true if self.PaddingInvariant else torch.full_like(true, data.shape[1])
        return PaddedBatch(x, seen, true, self.direction)

    def pad_targets(self, targets, dtype, device=None, length=None) -> torch.Tensor:
        """Per-step targets padded like the inputs (zeros on padded steps, which the mask drops)."""
        padded, _ = pad_sequences(targets, 0, self.direction, length, dtype=dtype)
        return torch.as_tensor(padded, device=device)

    def chunks(self, batch: PaddedBatch):
        """(start, stop, lengths the network sees in this chunk) for each chunk, in order."""
        T = batch.x.shape[1]
        step = self.chunk_length or T
        if step >= T:  # one chunk: the lengths as they are
            yield 0, T, batch.lengths
            return
        for start in range(0, T, step):
            stop = min(start + step, T)
            yield start, stop, (batch.lengths - start).clamp(min=0, max=stop - start)

    def ends_in(self, batch: PaddedBatch, start: int, stop: int) -> torch.Tensor:
        """(B,) True for the sequences whose last step falls in [start, stop): where a
        sequence-to-label sequence's output and loss are read. Without PaddingInvariant every
        sequence ends at the end of the padded batch, as in MATLAB."""
        if self.PaddingInvariant:
            return (batch.true_lengths > start) & (batch.true_lengths <= stop)
        T = batch.x.shape[1]
        return torch.full_like(batch.true_lengths, stop == T, dtype=torch.bool)

    def unpad(self, outputs, true_lengths):
        """Each sequence's own steps of whole-batch per-step outputs (MATLAB parity mode pads
        outputs like inputs: left padding is cut from the front)."""
        if self.PaddingInvariant:
            return outputs  # already each sequence's own steps
        if self.direction == "right":
            return [y[:L] for y, L in zip(outputs, true_lengths)]
        return [y[len(y) - L:] for y, L in zip(outputs, true_lengths)]


class PaddedBatch(NamedTuple):
    """A padded mini-batch: data (B, T, ...), the lengths the network sees, the true lengths, and
    the side the padding is on."""

    x: torch.Tensor
    lengths: torch.Tensor
    true_lengths: torch.Tensor
    direction: str

    def mask(self) -> torch.Tensor:
        """(B, T) float mask of real steps, for per-step losses."""
        m = time_mask(self.true_lengths, self.x.shape[1])
        return (m.flip(1) if self.direction == "left" else m).to(torch.float32)


def run_chunks(module, batch: PaddedBatch, policy: SequencePolicy, stateful: bool = False,
               forward=None):
    """The one chunk iterator: runs ``module`` over each chunk of ``batch`` in order and yields
    (start, stop, lengths, output Signal).

    With an integer SequenceLength (or ``stateful``, for predictAndUpdateState) every recurrent
    layer carries its final state into the next chunk (and, when stateful, into the next call);
    otherwise each call starts from the layers' initial states. Training and prediction both run
    through here, so state is carried identically in both. ``forward`` runs the module in its
    place (its DistributedDataParallel wrapper, in distributed training).
    """
    forward = forward or module
    recurrent = module.recurrent_modules()
    carry = stateful or policy.num_chunks(batch.x.shape[1]) > 1
    for m in recurrent:
        if m.carry_state != carry:
            m.carry_state = carry
        if not stateful:
            m.reset_state()
    try:
        T = batch.x.shape[1]
        for start, stop, lengths in policy.chunks(batch):
            x = batch.x if stop - start == T else batch.x[:, start:stop]
            yield start, stop, lengths, forward(Signal(x, lengths))
    finally:  # a stateful run leaves the layers carrying, for the next stateful call
        if not stateful:
            for m in recurrent:
                m.carry_state = False
                m.reset_state()
