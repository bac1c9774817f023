"""selfAttentionLayer: multi-head scaled dot-product self-attention over the time steps.

MATLAB's equations, per observation, with X the C x T input (MATLAB layout):

    Q = QueryWeights * X + QueryBias        (NumKeyChannels x T)
    K = KeyWeights * X + KeyBias            (NumKeyChannels x T)
    V = ValueWeights * X + ValueBias        (NumValueChannels x T)
    head h uses the h-th contiguous block of NumKeyChannels/NumHeads rows of Q and K, and of
    NumValueChannels/NumHeads rows of V:
    A_h = softmax over the keys of (K_h' * Q_h) / sqrt(NumKeyChannels/NumHeads)   (keys x queries)
    Y = OutputWeights * [V_1 * A_1; ...; V_H * A_H] + OutputBias                (OutputSize x T)

Padding is never attended to: the keys of padded steps are masked using each sequence's length,
so a sequence gives the same result alone as batched with longer ones. Outputs at padded query
steps are computed but never read (the next layers and the loss ignore padded steps).
"""

from __future__ import annotations

import numpy as np

from ..formats import vector_sequence
from ..initializers import initialize_weights, weights_kind
from ..options import Bool, Choice, Kind, Number, OneOf, Option, PositiveInt
from .base import Layer, LayerProblem, learnable_block, register

WEIGHTS = ("QueryWeights", "KeyWeights", "ValueWeights", "OutputWeights")
BIASES = ("QueryBias", "KeyBias", "ValueBias", "OutputBias")


class AttentionMaskKind(Kind):
    """MATLAB's AttentionMask: 'none', 'causal', or a custom NumKeys x NumQueries array whose
    nonzero (true) elements say which key each query may attend to."""

    description = "'none', 'causal' or a 2-D logical or numeric array (NumKeys x NumQueries)"
    schema = {"anyOf": [{"type": "string", "enum": ["none", "causal"]},
                        {"type": "array", "items": {"type": "array"}}]}

    def __call__(self, value):
        if isinstance(value, str):
            return Choice("none", "causal")(value)
        arr = np.asarray(value)  # ragged nesting raises ValueError: reported as a bad value
        if arr.dtype.kind not in "biuf" or arr.ndim != 2 or arr.size == 0:
            raise ValueError(f"expected {self.description}, got {_shape(arr)}")
        if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
            raise ValueError("expected finite mask values, got NaN or Inf")
        return arr != 0


class FactorKind(Kind):
    """A learn-rate or L2 factor: one nonnegative number for all four matrices, or four (query,
    key, value, output), as MATLAB's 1-by-4 vector."""

    description = "a number >= 0 or a vector of 4 numbers >= 0 (query, key, value, output)"
    schema = {"anyOf": [{"type": "number", "minimum": 0},
                        {"type": "array", "items": {"type": "number", "minimum": 0},
                         "minItems": 4, "maxItems": 4}]}

    def __call__(self, value):
        arr = np.asarray(value) if isinstance(value, (list, tuple, np.ndarray)) else None
        if arr is not None and arr.size == 4 and arr.ndim <= 2:
            if arr.dtype.kind not in "iuf":
                raise ValueError(f"expected {self.description}, got {_shape(arr)}")
            vals = tuple(Number(low=0)(v) for v in arr.reshape(-1))
            return vals[0] if len(set(vals)) == 1 else vals
        return Number(low=0)(value)


def _shape(arr):
    return f"an array of {arr.dtype} with shape {arr.shape}"


def _blocks():
    out = {}
    for name in WEIGHTS:
        out.update(learnable_block(name, f"{name} (MATLAB layout, see learnable_shapes)",
                                   initializers=weights_kind(), initializer="glorot",
                                   factor_stem="Weight"))
    for name in BIASES:
        out.update(learnable_block(name, f"{name} (channels x 1)",
                                   initializers=("zeros", "narrow-normal", "ones"),
                                   initializer="zeros", factor_stem="Bias", l2=0.0))
    # One factor option covers the four matrices (or the four biases), as in MATLAB; it may be a
    # 1-by-4 vector (learnable_factors picks the element).
    for stem, l2 in (("Weight", 1.0), ("Bias", 0.0)):
        out[f"{stem}LearnRateFactor"] = Option(FactorKind(), 1.0,
                                               f"learn rate multiplier of the {stem.lower()}s")
        out[f"{stem}L2Factor"] = Option(FactorKind(), l2,
                                        f"L2 regularization multiplier of the {stem.lower()}s")
    return out


@register
class SelfAttentionLayer(Layer):
    """Self-attention layer: selfAttentionLayer(numHeads, numKeyChannels, Name=Value, ...).

    - NumValueChannels 'auto' uses NumKeyChannels; OutputSize 'auto' the input's channels. Both
      NumKeyChannels and NumValueChannels must be divisible by NumHeads.
    - AttentionMask 'causal' lets each step attend to itself and earlier steps only. A custom
      mask is a NumKeys x NumQueries array (MATLAB's orientation): element (k, q) nonzero lets
      query step q attend to key step k. Sequences may be shorter than the mask (its leading
      block is used); a longer one is an error naming the layer. Per-observation 3-D masks are
      not supported (layergraph reorders observations into mini-batches).
    - DropoutProbability drops attention weights while training, as MATLAB does.
    - Padding is never attended to (the lengths layergraph carries mask the padded keys).
      HasPaddingMaskInput=true adds MATLAB's second input port 'mask' (same time steps as 'in',
      1 or as many channels; 1 = data, 0 = padding): keys whose mask is zero in the first channel
      are not attended to *either*; the lengths still apply, so the port only adds masking.
    - A query step with no key left to attend to (only possible through a custom or port mask)
      outputs OutputBias (its attention weights are all zero) instead of MATLAB's NaN.
    - HasScoresOutput=true (MATLAB's attention-scores output) is not supported yet.
    - Learnables: QueryWeights and KeyWeights NumKeyChannels x InputSize, ValueWeights
      NumValueChannels x InputSize, OutputWeights OutputSize x NumValueChannels, biases
      channels x 1; weights 'glorot', biases 'zeros' by default. WeightLearnRateFactor,
      WeightL2Factor, BiasLearnRateFactor, BiasL2Factor are scalars or 1-by-4 vectors
      (query, key, value, output).
    """

    matlab_name, type_description, default_name = (
        "selfAttentionLayer", "Self-Attention", "selfattention")
    positional = ("NumHeads", "NumKeyChannels")
    required = ("NumHeads", "NumKeyChannels")
    key_options = ("AttentionMask", "HasPaddingMaskInput")
    options = {
        "NumHeads": Option(PositiveInt(), None, "number of attention heads"),
        "NumKeyChannels": Option(PositiveInt(), None, "channels of the queries and keys"),
        "NumValueChannels": Option(OneOf(Choice("auto"), PositiveInt()), "auto",
                                   "channels of the values; 'auto' uses NumKeyChannels"),
        "OutputSize": Option(OneOf(Choice("auto"), PositiveInt()), "auto",
                             "output channels; 'auto' uses the input's channels"),
        "HasPaddingMaskInput": Option(Bool(), False, "add input port 'mask' (1 data, 0 padding)"),
        "HasScoresOutput": Option(Bool(), False, "output the attention scores (not supported)"),
        "AttentionMask": Option(AttentionMaskKind(), "none",
                                "'none', 'causal' or a NumKeys x NumQueries array"),
        "DropoutProbability": Option(Number(low=0, high=1, high_open=True), 0.0,
                                     "probability of dropping attention weights in training"),
        **_blocks(),
    }

    @property
    def inputs(self):
        return ("in", "mask") if self.HasPaddingMaskInput else ("in",)

    def check(self):
        for name in ("NumKeyChannels", "NumValueChannels"):
            n = self.props[name]
            if isinstance(n, int) and n % self.NumHeads:
                from ..errors import OptionError

                raise OptionError(
                    f"{name} ({n}) must be divisible by NumHeads ({self.NumHeads}).",
                    owner=self.where, option=name, part="value", layer_type=self.matlab_name,
                    expected=f"a multiple of NumHeads ({self.NumHeads})")
        if self.HasScoresOutput:
            from ..errors import OptionError

            raise OptionError("HasScoresOutput true (an attention-scores output) is not "
                              "supported yet.", owner=self.where, option="HasScoresOutput",
                              part="value", layer_type=self.matlab_name, expected="false")

    def learnable_factors(self, name):
        f = self.options[name].learnable
        i = (WEIGHTS.index(name) if name in WEIGHTS else BIASES.index(name))
        return tuple(float(v if isinstance(v, float) else v[i])
                     for v in (self.props[f.learn_rate], self.props[f.l2]))

    def describe(self):
        return (f"Self-attention with {self.NumHeads} head{'s' * (self.NumHeads > 1)} and "
                f"{self.NumKeyChannels} key channels")

    @property
    def value_channels(self):
        v = self.NumValueChannels
        return self.NumKeyChannels if v == "auto" else v

    def output_size(self, channels):
        return channels if self.OutputSize == "auto" else self.OutputSize

    def infer(self, inputs):
        x = inputs[0]
        if x.fmt != "CBT":
            what = "one vector per observation" if not x.is_sequence else x.fmt
            raise LayerProblem(f"expects vector sequences (CBT) but receives {what}"
                               + ("; add a flattenLayer before it" if x.is_sequence else ""))
        if self.HasPaddingMaskInput:
            m = inputs[1]
            if m.fmt != "CBT" or m.channels not in (1, x.channels):
                raise LayerProblem(f"input 'mask' must be a CBT sequence with 1 or {x.channels} "
                                   f"channels (1 data, 0 padding), got {m}")
        for name, shape in self.learnable_shapes(inputs).items():
            v = self.props[name]
            if v is not None and (v.size != shape[0] * shape[1] or (
                    name in WEIGHTS and v.shape != shape)):
                raise LayerProblem(f"{name} must be {shape[0]}x{shape[1]} for {x.channels} "
                                   f"input channels, got {'x'.join(map(str, v.shape))}")
        return [vector_sequence(self.output_size(x.channels))]

    def learnable_shapes(self, inputs):
        c = inputs[0].channels
        k, v, o = self.NumKeyChannels, self.value_channels, self.output_size(c)
        return {"QueryWeights": (k, c), "KeyWeights": (k, c), "ValueWeights": (v, c),
                "OutputWeights": (o, v), "QueryBias": (k, 1), "KeyBias": (k, 1),
                "ValueBias": (v, 1), "OutputBias": (o, 1)}

    def initialize(self, inputs, rng):
        for name, (rows, cols) in self.learnable_shapes(inputs).items():
            if self.props[name] is None:
                self.props[name] = initialize_weights(
                    self.props[f"{name}Initializer"], (rows, cols), cols, rows, rng)

    def build(self, inputs):
        from ..modules.attention import SelfAttention

        mask = self.AttentionMask
        return SelfAttention([self.props[n] for n in (*WEIGHTS, *BIASES)], self.NumHeads,
                             mask if isinstance(mask, str) else mask.T, self.DropoutProbability,
                             self.where)

    def read_back(self, module):
        for name, p in zip((*WEIGHTS, *BIASES), module.parameters()):
            a = p.detach().cpu().double().numpy()
            self.props[name] = a.reshape(-1, 1).copy() if name in BIASES else a.copy()
