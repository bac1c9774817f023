"""How recurrent layers run: padding-invariant, on the fused kernels where the cell allows.

Parameters are held in MATLAB's layout (gate blocks stacked along rows; for two directions, the
forward block first) so reading them back is a copy. Each direction is run by one of two engines:

* **fused**: ``torch.lstm`` / ``torch.gru`` on the right-padded batch. The forward direction reads
  each sequence before its padding, so its outputs up to each length are exact. The backward
  direction gets each sequence reversed *within its own length* (one gather before, one after), so
  it too starts on real data. Final states, when asked for, come from the packed kernel, because the
  padded kernel's last state has stepped through the padding. For OutputMode 'last' (and no final
  states) the backward direction runs only the one step its output at length-1 depends on.
* **loop**: a time-step loop for cells the fused kernels lack (softsign, hard-sigmoid, GRU
  'before-multiplication'). States freeze once a sequence has ended, so final states are exact.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from .sequences import flat_index, last_step, reverse_index, reverse_within_length, time_mask


def hard_sigmoid(x):
    """MATLAB's hard-sigmoid: 0 below -2.5, 0.2x + 0.5 between, 1 above 2.5."""
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


def softsign(x):
    return x / (1.0 + x.abs())


STATE_ACTIVATIONS = {"tanh": torch.tanh, "softsign": softsign}
GATE_ACTIVATIONS = {"sigmoid": torch.sigmoid, "hard-sigmoid": hard_sigmoid}


class Recurrent(nn.Module):
    """LSTM / BiLSTM / GRU with MATLAB-layout parameters and padding-invariant execution.

    forward(x (B,T,C), lengths (B,), state=None, need_state=False, last_only=False)
    -> (y (B,T,D*H), or (B,D*H) with last_only; state or None)
    where state is (h (B, D*H), c (B, D*H)) for LSTM and (h,) for GRU.
    """

    def __init__(self, cell, input_size, hidden, directions, state_act="tanh",
                 gate_act="sigmoid", reset_gate_mode="after-multiplication"):
        super().__init__()
        self.cell, self.hidden, self.directions = cell, hidden, directions
        self.gates = 4 if cell == "lstm" else 3
        self.state_act, self.gate_act, self.reset_gate_mode = state_act, gate_act, reset_gate_mode
        gh = self.gates * hidden * directions
        self.input_weights = nn.Parameter(torch.zeros(gh, input_size))
        self.recurrent_weights = nn.Parameter(torch.zeros(gh, hidden))
        bias_len = 2 * gh if reset_gate_mode == "recurrent-bias-after-multiplication" else gh
        self.bias = nn.Parameter(torch.zeros(bias_len))
        self.register_buffer("zero_bias", torch.zeros(self.gates * hidden), persistent=False)
        self.fused = (
            state_act == "tanh"
            and gate_act == "sigmoid"
            and (cell == "lstm" or reset_gate_mode != "before-multiplication")
        )

    def direction_params(self, d):
        gh = self.gates * self.hidden
        w_ih = self.input_weights[d * gh:(d + 1) * gh]
        w_hh = self.recurrent_weights[d * gh:(d + 1) * gh]
        if self.reset_gate_mode == "recurrent-bias-after-multiplication":
            b_ih, b_hh = self.bias[:gh], self.bias[gh:]
        else:
            b_ih, b_hh = self.bias[d * gh:(d + 1) * gh], self.zero_bias
        return w_ih, w_hh, b_ih, b_hh

    def forward(self, x, lengths, state=None, need_state=False, last_only=False):
        """``last_only``: return only each sequence's output at its last real step, (B, D*H)
        (OutputMode 'last'). There the backward direction has seen one step, x at length-1, so
        unless final states are needed it runs that one step instead of the whole sequence."""
        B, T, _ = x.shape
        H = self.hidden
        lengths = lengths.to(x.device)
        outs, finals = [], []
        one_step = last_only and not need_state
        reverse = self.directions == 2 and not one_step
        rev = flat_index(reverse_index(lengths, T)) if reverse else None
        for d in range(self.directions):
            if d == 0:
                xd = x
            else:
                xd = last_step(x, lengths)[:, None] if one_step else reverse_within_length(x, rev)
            s0 = None
            if state is not None:
                s0 = tuple(s[:, d * H:(d + 1) * H] for s in state)
            run = self._fused if self.fused else self._loop
            y, final = run(xd, lengths, self.direction_params(d), s0, need_state)
            if last_only:  # the backward direction's output at length-1 is its first step
                outs.append(last_step(y, lengths) if d == 0 else y[:, 0])
            else:
                outs.append(y if d == 0 else reverse_within_length(y, rev))
            finals.append(final)
        y = outs[0] if self.directions == 1 else torch.cat(outs, dim=-1)
        if not need_state:
            return y, None
        return y, tuple(torch.cat(parts, dim=1) for parts in zip(*finals))

    # --- engines ---------------------------------------------------------------------------------
    def _initial(self, x, s0):
        B, H = x.shape[0], self.hidden
        n = 2 if self.cell == "lstm" else 1
        if s0 is None:
            return tuple(x.new_zeros(B, H) for _ in range(n))
        return tuple(s.to(x.dtype) for s in s0)

    def _fused(self, x, lengths, params, s0, need_state):
        h0 = self._initial(x, s0)
        hx = [h[None].contiguous() for h in h0]
        params = list(params)
        kernel = torch.lstm if self.cell == "lstm" else torch.gru
        hx_arg = hx if self.cell == "lstm" else hx[0]
        y = kernel(x, hx_arg, params, True, 1, 0.0, self.training, False, True)[0]
        if not need_state:
            return y, None
        # Final states from the packed kernel; sequences with no steps here keep their state.
        live = (lengths > 0).nonzero().reshape(-1)
        final = tuple(h[0].clone() for h in hx)
        if live.numel():
            packed = pack_padded_sequence(x.index_select(0, live), lengths.index_select(0, live)
                                          .cpu(), batch_first=True, enforce_sorted=False)
            perm = live.index_select(0, packed.sorted_indices.to(live.device))
            hx_sorted = [h.index_select(1, perm) for h in hx]
            hx_arg = hx_sorted if self.cell == "lstm" else hx_sorted[0]
            res = kernel(packed.data, packed.batch_sizes, hx_arg, params, True, 1, 0.0,
                         self.training, False)
            inv = packed.unsorted_indices.to(live.device)
            final = tuple(f.index_copy(0, live, s[0].index_select(0, inv))
                          for f, s in zip(final, res[1:]))
        return y, final

    def _loop(self, x, lengths, params, s0, need_state):
        w_ih, w_hh, b_ih, b_hh = params
        sig = GATE_ACTIVATIONS[self.gate_act]
        act = STATE_ACTIVATIONS[self.state_act]
        H = self.hidden
        state = self._initial(x, s0)
        xw = torch.nn.functional.linear(x, w_ih, b_ih)
        mask = time_mask(lengths, x.shape[1])
        ys = []
        for t in range(x.shape[1]):
            g = xw[:, t]
            if self.cell == "lstm":
                h, c = state
                z = g + h @ w_hh.T
                i, f = sig(z[:, :H]), sig(z[:, H:2 * H])
                cand, o = act(z[:, 2 * H:3 * H]), sig(z[:, 3 * H:])
                c_new = f * c + i * cand
                new = (o * act(c_new), c_new)
            else:
                (h,) = state
                if self.reset_gate_mode == "before-multiplication":
                    rz = g[:, :2 * H] + h @ w_hh[:2 * H].T + b_hh[:2 * H]
                    r, u = sig(rz[:, :H]), sig(rz[:, H:])
                    cand = act(g[:, 2 * H:] + (r * h) @ w_hh[2 * H:].T)
                else:
                    rh = h @ w_hh.T + b_hh
                    r, u = sig(g[:, :H] + rh[:, :H]), sig(g[:, H:2 * H] + rh[:, H:2 * H])
                    cand = act(g[:, 2 * H:] + r * rh[:, 2 * H:])
                new = ((1 - u) * cand + u * h,)
            m = mask[:, t:t + 1]
            state = tuple(torch.where(m, n, s) for n, s in zip(new, state))
            ys.append(new[0])
        y = torch.stack(ys, dim=1)
        return y, (state if need_state else None)
