"""Module of lstmLayer, bilstmLayer, gruLayer and their projected variants (layers/recurrent.py,
layers/projected.py): a :class:`Recurrent` (recurrence.py, the engine) inside a compiled network."""

from __future__ import annotations

import torch
from torch import nn

from ..recurrence import ProjectedRecurrent, Recurrent
from ..sequences import Signal


class RecurrentModule(nn.Module):
    """Runs a :class:`Recurrent` inside a compiled network: output mode, state ports, stateful use.

    With ``carry_state`` on (stateful prediction, split sequences), the final state of each call
    becomes the initial state of the next one; :meth:`reset_state` returns to the layer's
    HiddenState / CellState.
    """

    def __init__(self, rnn, output_mode, has_state_inputs, has_state_outputs, initial):
        super().__init__()
        self.rnn, self.output_mode = rnn, output_mode
        self.has_state_inputs, self.has_state_outputs = has_state_inputs, has_state_outputs
        self.initial = [None if s is None else torch.as_tensor(s.reshape(-1), dtype=torch.float32)
                        for s in initial]
        self.carry_state = False
        self.state = None

    @classmethod
    def of(cls, cell, input_size, hidden, directions, weights, output_mode, has_state_inputs,
           has_state_outputs, initial, projectors=None):
        """The module of a recurrent layer: its ``cell``, its MATLAB-layout ``weights``
        (InputWeights, RecurrentWeights, Bias[, InputProjector, OutputProjector], the order of
        the engine's parameters) and its initial states (arrays or None). ``projectors``
        (InputProjectorSize, OutputProjectorSize) makes it a projected layer."""
        if projectors is None:
            rnn = Recurrent(cell, input_size, hidden, directions)
        else:
            rnn = ProjectedRecurrent(cell, input_size, hidden, *projectors)
        params = list(rnn.parameters())
        assert len(params) == len(weights)
        with torch.no_grad():
            for value, p in zip(weights, params):
                p.copy_(torch.as_tensor(value.reshape(p.shape)))
        return cls(rnn, output_mode, has_state_inputs, has_state_outputs, initial)

    def reset_state(self):
        if self.state is not None:
            self.state = None

    def _initial_state(self, x):
        B = x.shape[0]
        if self.state is not None:
            if self.state[0].shape[0] != B:
                raise ValueError(
                    f"the carried state is for {self.state[0].shape[0]} sequences but this call "
                    f"has {B}; call resetState first"
                )
            return self.state
        if all(s is None for s in self.initial):
            return None
        n = self.rnn.directions * self.rnn.hidden
        out = []
        for s in self.initial:
            if s is None:
                out.append(x.new_zeros(B, n))
            elif s.dim() == 2:  # a dlnetwork's State: one column per observation
                if s.shape[0] != B:
                    raise ValueError(f"the network's State is for {s.shape[0]} observations but "
                                     f"this call has {B}; set net.State for {B} or reset it")
                out.append(s.to(x))
            else:
                out.append(s.to(x)[None].expand(B, -1))
        return tuple(out)

    def forward(self, x: Signal, *states: Signal):
        if self.has_state_inputs:
            s0 = tuple(s.data for s in states)
        else:
            s0 = self._initial_state(x.data)
        need = self.has_state_outputs or self.carry_state
        last = self.output_mode == "last"
        # Sequences that fill the batch (streaming, equal lengths) need no per-length work.
        full = need and (x.full or bool((x.lengths == x.data.shape[1]).all()))
        y, final = self.rnn.forward(x.data, x.lengths, s0, need_state=need, last_only=last,
                                    full=full)
        if self.carry_state:
            self.state = tuple(s.detach() for s in final) if torch.is_grad_enabled() else final
        out = Signal(y) if last else Signal(y, x.lengths)
        if self.has_state_outputs:
            return (out, *(Signal(s) for s in final))
        return out

    # --- ONNX export (onnx_export.py) ----------------------------------------------------------
    def onnx_forward(self, x: Signal, *states: Signal):
        """The layer as one ONNX LSTM / GRU operator, given each sequence's length
        (``sequence_lens``), so the exported model is padding-invariant as this module is: the
        backward direction starts at each sequence's own last step, and steps past a length are
        zeros. Stateless: every call starts from the layer's initial state (or the state inputs).
        """
        rnn, cell = self.rnn, self.rnn.cell
        if cell.onnx_op is None:
            raise NotImplementedError(f"ONNX has no operator for this {type(cell).__name__}")
        data, lengths = x.data, x.lengths
        B, T = data.shape[0], data.shape[1]
        D, H = rnn.directions, rnn.hidden
        W, R, bias = self._onnx_weights()
        if self.has_state_inputs:
            s0 = tuple(s.data for s in states)
        else:
            s0 = self._initial_state(data)
        initial = [None] * len(cell.states) if s0 is None else [
            s.reshape(B, D, H).transpose(0, 1).contiguous() for s in s0]
        attrs = {"hidden_size": H, "direction": "bidirectional" if D == 2 else "forward",
                 **cell.onnx_attributes(D)}
        n_states = len(cell.states)
        shapes = [(T, D, B, H)] + [(D, B, H)] * n_states
        inputs = [data.transpose(0, 1), W, R, bias, lengths.to(torch.int32), *initial]
        while inputs[-1] is None:  # optional inputs left out at the end
            inputs.pop()
        outs = torch.onnx.ops.symbolic_multi_out(
            cell.onnx_op, inputs,
            attrs, dtypes=[data.dtype] * len(shapes), shapes=shapes)
        y = outs[0].permute(2, 0, 1, 3).reshape(B, T, D * H)  # [forward; backward] channels
        finals = [s.transpose(0, 1).reshape(B, D * H) for s in outs[1:]]
        if self.output_mode == "last":
            out = Signal(y[torch.arange(B), (lengths - 1).clamp(min=0)])
        else:
            out = Signal(y, lengths)
        if self.has_state_outputs:
            return (out, *(Signal(s) for s in finals))
        return out

    def _onnx_weights(self):
        """W (D, G*H, C), R (D, G*H, H), B (D, 2*G*H) in ONNX's gate order."""
        rnn, cell = self.rnn, self.rnn.cell
        H = rnn.hidden
        order = torch.tensor([g * H + i for g in cell.onnx_gates for i in range(H)])
        ws, rs, bs = [], [], []
        for d in range(rnn.directions):
            w_ih, w_hh, b_ih, b_hh = rnn.direction_params(d)
            ws.append(w_ih[order])
            rs.append(w_hh[order])
            bs.append(torch.cat([b_ih[order], b_hh[order]]))
        return torch.stack(ws), torch.stack(rs), torch.stack(bs)
