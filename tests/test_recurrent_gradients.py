"""Backward passes of the padding-invariant recurrent layers equal PyTorch's packed LSTM/GRU.

``pack_padded_sequence`` never reads padding, so its gradients are an independent reference for
ours (fused kernels, reverse-within-length gathers, the one-step backward direction of 'last').
"""

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from layergraph import assembleNetwork, bilstmLayer, gruLayer, lstmLayer, regressionLayer, sequenceInputLayer
from layergraph.sequences import Signal, pad_sequences

C, H = 3, 4
LENGTHS = [9, 4, 1, 7]


def reference_module(kind, W, R, b, bidirectional):
    """nn.LSTM / nn.GRU holding the same MATLAB-layout weights (recurrent bias fixed at zero)."""
    cls = nn.LSTM if kind != "gru" else nn.GRU
    ref = cls(C, H, batch_first=True, bidirectional=bidirectional).double()
    g = W.shape[0] // (2 if bidirectional else 1)
    with torch.no_grad():
        for d, sfx in enumerate(["", "_reverse"][: 2 if bidirectional else 1]):
            getattr(ref, "weight_ih_l0" + sfx).copy_(torch.as_tensor(W[d * g:(d + 1) * g]))
            getattr(ref, "weight_hh_l0" + sfx).copy_(torch.as_tensor(R[d * g:(d + 1) * g]))
            getattr(ref, "bias_ih_l0" + sfx).copy_(torch.as_tensor(b[d * g:(d + 1) * g]))
            getattr(ref, "bias_hh_l0" + sfx).zero_()
    return ref


@pytest.mark.parametrize("ctor,kind,bi", [(lstmLayer, "lstm", False), (bilstmLayer, "lstm", True),
                                          (gruLayer, "gru", False)])
@pytest.mark.parametrize("mode", ["sequence", "last"])
def test_gradients_equal_packed_reference(ctor, kind, bi, mode):
    rng = np.random.default_rng(0)
    G = (4 if kind == "lstm" else 3) * H * (2 if bi else 1)
    # float32-representable weights: the network stores float32 parameters (cast to double here)
    W, R, b = (rng.normal(size=s).astype(np.float32).astype(np.float64)
               for s in ((G, C), (G, H), (G,)))
    net = assembleNetwork([sequenceInputLayer(C),
                           ctor(H, OutputMode=mode, InputWeights=W, RecurrentWeights=R, Bias=b),
                           regressionLayer()], ExecutionEnvironment="cpu")
    mod = net.module.double()
    seqs = [rng.normal(size=(T, C)) for T in LENGTHS]
    data, lengths = pad_sequences(seqs, value=7.0, dtype=np.float64)
    weights_out = torch.as_tensor(rng.normal(size=(len(seqs), max(LENGTHS), H * (2 if bi else 1))))

    x = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    y = mod(Signal(x, torch.as_tensor(lengths))).data
    mask = torch.as_tensor(np.arange(max(LENGTHS))[None, :] < lengths[:, None])
    if mode == "sequence":
        loss = (y * weights_out * mask[..., None]).sum()
    else:
        loss = (y * weights_out[:, 0]).sum()
    loss.backward()
    rec = next(m for m in mod.modules() if hasattr(m, "input_weights"))
    ours = {"x": x.grad, "W": rec.input_weights.grad, "R": rec.recurrent_weights.grad,
            "b": rec.bias.grad}

    ref = reference_module(kind, W, R, b, bi)
    xr = torch.tensor(data, dtype=torch.float64, requires_grad=True)
    packed = pack_padded_sequence(xr, torch.as_tensor(lengths), batch_first=True,
                                  enforce_sorted=False)
    yr, _ = pad_packed_sequence(ref(packed)[0], batch_first=True, total_length=max(LENGTHS))
    if mode == "sequence":
        lr = (yr * weights_out * mask[..., None]).sum()
    else:
        last = yr[torch.arange(len(seqs)), torch.as_tensor(lengths) - 1]
        lr = (last * weights_out[:, 0]).sum()
    lr.backward()
    np.testing.assert_allclose(loss.item(), lr.item(), rtol=1e-10)
    sfx = ["", "_reverse"][: 2 if bi else 1]
    theirs = {"x": xr.grad,
              "W": torch.cat([getattr(ref, "weight_ih_l0" + s).grad for s in sfx]),
              "R": torch.cat([getattr(ref, "weight_hh_l0" + s).grad for s in sfx]),
              "b": torch.cat([getattr(ref, "bias_ih_l0" + s).grad for s in sfx])}
    for k in ours:
        np.testing.assert_allclose(ours[k].numpy(), theirs[k].numpy(), atol=1e-10, err_msg=k)
    # padded inputs get no gradient: padding never influenced the result
    assert float(x.grad[1, LENGTHS[1]:].abs().max()) == 0.0
