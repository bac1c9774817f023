"""How recurrent layers run: padding-invariant, on the fused kernels where the cell allows.

A :class:`~layergraph.cells.Cell` (cells.py, subclassed next to its layer: layers/lstm.py,
layers/gru.py) states its gate count, its states and its math without importing torch; this
engine asks the cell and never branches on which one it is.
Parameters are held in MATLAB's layout (gate blocks stacked along rows; for two directions, the
forward block first) so reading them back is a copy. Each direction is run by one of two engines:

* **fused**: the cell's fused kernel (``torch.lstm`` / ``torch.gru``) on the right-padded batch.
  The forward direction reads each sequence before its padding, so its outputs up to each length
  are exact. The backward direction gets each sequence reversed *within its own length* (one
  gather before, one after), so it too starts on real data. Final states, when asked for, come
  from the same call where they can: when every sequence fills the batch (streaming, equal
  lengths) the kernel's last state is each sequence's own, and a cell whose state is its output
  (GRU) reads it at each sequence's last step. Otherwise (LSTM's cell state, unequal lengths)
  they come from one extra packed call. For OutputMode 'last' (and no final states) the backward
  direction runs only the one step its output at length-1 depends on.
* **loop**: a time-step loop for cells the fused kernels lack (softsign, hard-sigmoid, GRU
  'before-multiplication'). States freeze once a sequence has ended, so final states are exact.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from .cells import Cell
from .sequences import flat_index, last_step, reverse_index, reverse_within_length, time_mask


class Recurrent(nn.Module):
    """A recurrent layer's parameters (MATLAB layout) and padding-invariant execution.

    forward(x (B,T,C), lengths (B,), state=None, need_state=False, last_only=False)
    -> (y (B,T,D*H), or (B,D*H) with last_only; state tuple (each (B, D*H)) or None)
    """

    def __init__(self, cell: Cell, input_size, hidden, directions, recurrent_size=None):
        super().__init__()
        self.cell, self.hidden, self.directions = cell, hidden, directions
        gh = cell.gates * hidden * directions
        self.input_weights = nn.Parameter(torch.zeros(gh, input_size))
        self.recurrent_weights = nn.Parameter(torch.zeros(gh, recurrent_size or hidden))
        self.bias = nn.Parameter(torch.zeros(cell.bias_blocks * gh))
        self.register_buffer("zero_bias", torch.zeros(cell.gates * hidden), persistent=False)
        self.fused = cell.fused  # which engine runs it (the loop computes every cell)

    def direction_params(self, d):
        if self.directions == 1 and self.cell.bias_blocks == 1:  # the whole tensors, unsliced
            return self.input_weights, self.recurrent_weights, self.bias, self.zero_bias
        gh = self.cell.gates * self.hidden
        w_ih = self.input_weights[d * gh:(d + 1) * gh]
        w_hh = self.recurrent_weights[d * gh:(d + 1) * gh]
        b_ih, b_hh = self.cell.direction_bias(self.bias, d, gh, self.zero_bias)
        return w_ih, w_hh, b_ih, b_hh

    def forward(self, x, lengths, state=None, need_state=False, last_only=False, full=False):
        """``last_only``: return only each sequence's output at its last real step, (B, D*H)
        (OutputMode 'last'). There the backward direction has seen one step, x at length-1, so
        unless final states are needed it runs that one step instead of the whole sequence.
        ``full``: the caller knows every sequence is T steps long (no padding)."""
        B, T, _ = x.shape
        H = self.hidden
        outs, finals = [], []
        one_step = last_only and not need_state
        reverse = self.directions == 2 and not one_step and not full
        rev = flat_index(reverse_index(lengths.to(x.device), T)) if reverse else None
        for d in range(self.directions):
            if d == 0:
                xd = x
            elif one_step:
                xd = (x[:, -1:] if full else last_step(x, lengths)[:, None])
            else:
                xd = x.flip(1) if full else reverse_within_length(x, rev)
            s0 = state
            if state is not None and self.directions > 1:
                s0 = tuple(s[:, d * H:(d + 1) * H] for s in state)
            run = self._fused if self.fused else self._loop
            y, final = run(xd, lengths, self.direction_params(d), s0, need_state, full)
            if last_only:  # the backward direction's output at length-1 is its first step
                outs.append((y[:, -1] if full else last_step(y, lengths)) if d == 0 else y[:, 0])
            else:
                outs.append(y if d == 0 else (y.flip(1) if full else reverse_within_length(y, rev)))
            finals.append(final)
        if self.directions == 1:
            return outs[0], finals[0]
        y = torch.cat(outs, dim=-1)
        if not need_state:
            return y, None
        return y, tuple(torch.cat(parts, dim=1) for parts in zip(*finals))

    # --- engines ---------------------------------------------------------------------------------
    def _initial(self, x, s0):
        if s0 is None:
            return tuple(x.new_zeros(x.shape[0], self.hidden) for _ in self.cell.states)
        return tuple(s.to(x.dtype) for s in s0)

    def _fused(self, x, lengths, params, s0, need_state, full):
        h0 = self._initial(x, s0)
        y, last = self.cell.call_kernel(x, h0, list(params), self.training)
        if not need_state or full:
            return y, (last if need_state else None)
        lengths = lengths.to(x.device)
        if len(self.cell.states) == 1:  # the state is the output: read it at each own last step
            ended = (lengths > 0)[:, None]
            return y, (torch.where(ended, last_step(y, lengths), h0[0]),)
        # Cell state of unequal lengths: the packed kernel; sequences with no steps keep theirs.
        live = (lengths > 0).nonzero().reshape(-1)
        final = tuple(h.clone() for h in h0)
        if live.numel():
            packed = pack_padded_sequence(x.index_select(0, live), lengths.index_select(0, live)
                                          .cpu(), batch_first=True, enforce_sorted=False)
            perm = live.index_select(0, packed.sorted_indices.to(live.device))
            res = self.cell.call_packed(packed, tuple(h.index_select(0, perm) for h in h0),
                                        list(params), self.training)
            inv = packed.unsorted_indices.to(live.device)
            final = tuple(f.index_copy(0, live, s.index_select(0, inv))
                          for f, s in zip(final, res))
        return y, final

    def _loop(self, x, lengths, params, s0, need_state, full):
        w_ih, w_hh, b_ih, b_hh = params
        state = self._initial(x, s0)
        xw = torch.nn.functional.linear(x, w_ih, b_ih)
        mask = None if full else time_mask(lengths.to(x.device), x.shape[1])
        ys = []
        for t in range(x.shape[1]):
            new = self.cell.step(xw[:, t], state, w_hh, b_hh, self.hidden)
            if mask is None:
                state = new
            else:
                m = mask[:, t:t + 1]
                state = tuple(torch.where(m, n, s) for n, s in zip(new, state))
            ys.append(new[0])
        y = torch.stack(ys, dim=1)
        return y, (state if need_state else None)


class ProjectedRecurrent(Recurrent):
    """MATLAB's projected layers (lstmProjectedLayer, gruProjectedLayer) on the same engines.

    The gates read ``W (Q_i' x) + R (Q_o' h) + b``: InputWeights W (G*H x P_i) act on the input
    projected by InputProjector Q_i (C x P_i), RecurrentWeights R (G*H x P_o) on the hidden
    state projected by OutputProjector Q_o (H x P_o). The hidden state, the output and the
    states stay H wide. So the input is projected once per call and ``R Q_o'`` (G*H x H) is
    what the unchanged cell (fused kernel or step loop) sees as its recurrent weights; autograd
    carries the gradients back to W, R, Q_i and Q_o.
    """

    def __init__(self, cell: Cell, input_size, hidden, input_projector_size,
                 output_projector_size):
        super().__init__(cell, input_projector_size, hidden, 1, output_projector_size)
        self.input_projector = nn.Parameter(torch.zeros(input_size, input_projector_size))
        self.output_projector = nn.Parameter(torch.zeros(hidden, output_projector_size))

    def direction_params(self, d):
        w_ih, r, b_ih, b_hh = super().direction_params(d)
        return w_ih, r @ self.output_projector.T, b_ih, b_hh

    def forward(self, x, lengths, state=None, need_state=False, last_only=False, full=False):
        return super().forward(x @ self.input_projector, lengths, state, need_state, last_only,
                               full)
