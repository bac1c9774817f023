"""Module of selfAttentionLayer (layers/attention.py): multi-head attention that never reads
padding.

The attention itself is torch's ``scaled_dot_product_attention`` (fused kernels on a GPU); the
keys of padded steps are masked from the lengths the Signal carries.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..errors import DataError
from ..sequences import Signal, data_steps


def _parameter(a, vector=False):
    t = torch.as_tensor(np.asarray(a), dtype=torch.float32)
    return nn.Parameter(t.reshape(-1) if vector else t)


class SelfAttention(nn.Module):
    """``weights`` are the layer's arrays in MATLAB layout: the query, key, value and output
    weights, then their biases. ``mask`` is 'none', 'causal' or a boolean queries x keys array."""

    def __init__(self, weights, heads, mask, dropout, where):
        super().__init__()
        wq, wk, wv, wo, bq, bk, bv, bo = weights
        self.query_weights, self.key_weights = _parameter(wq), _parameter(wk)
        self.value_weights, self.output_weights = _parameter(wv), _parameter(wo)
        self.query_bias, self.key_bias = _parameter(bq, True), _parameter(bk, True)
        self.value_bias, self.output_bias = _parameter(bv, True), _parameter(bo, True)
        self.heads, self.dropout, self.where = heads, dropout, where
        self.causal = isinstance(mask, str) and mask == "causal"
        custom = None if isinstance(mask, str) else torch.as_tensor(np.asarray(mask, dtype=bool))
        self.register_buffer("custom_mask", custom, persistent=False)

    def _split(self, y, B, T):
        """(B, T, H*d) -> (B, H, T, d): head h takes the h-th contiguous block of channels."""
        return y.view(B, T, self.heads, -1).transpose(1, 2)

    def _allowed(self, x: Signal, mask: Signal | None, T):
        """(B or 1, 1, T, T) boolean: may query q attend to key k; None when everything may."""
        allowed = None
        if self.custom_mask is not None:
            m = self.custom_mask
            if T > m.shape[0] or T > m.shape[1]:
                raise DataError(f"{self.where}: the AttentionMask is {m.shape[1]}x{m.shape[0]} "
                                f"(keys x queries) but a mini-batch has {T} time steps; give a "
                                "mask at least as large as the longest sequence")
            allowed = m[:T, :T].to(x.data.device)[None, None]
        elif self.causal:
            allowed = torch.ones(T, T, dtype=torch.bool, device=x.data.device).tril()[None, None]
        keys = data_steps(x, mask)
        if keys is not None:
            k = keys[:, None, None, :]
            allowed = k if allowed is None else allowed & k
        return allowed

    def forward(self, x: Signal, mask: Signal | None = None):
        d = x.data
        B, T, _ = d.shape
        q = self._split(nn.functional.linear(d, self.query_weights, self.query_bias), B, T)
        k = self._split(nn.functional.linear(d, self.key_weights, self.key_bias), B, T)
        v = self._split(nn.functional.linear(d, self.value_weights, self.value_bias), B, T)
        p = self.dropout if self.training else 0.0
        allowed = self._allowed(x, mask, T)
        if allowed is None:
            a = nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=p)
        elif self.causal and allowed.shape[0] == 1:
            a = nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=True)
        else:
            # A query with no key to attend to would give NaN: let it see key 0, then zero its
            # result (it outputs OutputBias).
            empty = ~allowed.any(-1, keepdim=True)
            first = torch.zeros_like(allowed)
            first[..., 0] = True
            a = nn.functional.scaled_dot_product_attention(
                q, k, v, attn_mask=allowed | (empty & first), dropout_p=p)
            a = a.masked_fill(empty, 0.0)
        a = a.transpose(1, 2).reshape(B, T, -1)
        y = nn.functional.linear(a, self.output_weights, self.output_bias)
        return Signal(y, x.lengths, x.full)

