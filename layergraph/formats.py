"""Activation formats and sizes, as MATLAB's dlarray labels them.

An :class:`Activation` describes what flows along one edge of a layer graph: a format string of
dlarray letters (``S`` spatial, ``C`` channel, ``B`` batch, ``T`` time) and the size of each
dimension. Batch and time sizes are symbolic (``None``) because they vary per mini-batch.

Inside a compiled network the torch layout for each format is fixed:

==========  ===========================  ==========================
format      meaning                      torch tensor layout
==========  ===========================  ==========================
``CBT``     vector sequences             (B, T, C)
``SSCBT``   image sequences              (B, T, C, H, W)
``SCBT``    1-D spatial sequences        (B, T, C, W)
``CB``      one vector per observation   (B, C)
``SSCB``    images (e.g. folded frames)  (N, C, H, W)
==========  ===========================  ==========================
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TimeSteps:
    """How many time steps a sequence activation has, relative to the sequences it comes from:
    the input layer (``origin``) and the length changes made on the way (``changes``, each the
    formula of a strided or unpadded window: ``("ceil", s)`` is ceil(T/s), ``("window", a, s)``
    is floor((T + a - 1)/s) + 1). Two activations of one input with equal changes have equal
    lengths for every sequence; with different changes the lengths differ in general.
    Activations of different input layers are not comparable here (their lengths are checked
    per mini-batch when run)."""

    origin: str
    changes: tuple = ()
    via: tuple = field(default=(), compare=False)
    """The layers that made the changes (for messages)."""

    def changed(self, formula, layer: str) -> TimeSteps:
        """These steps after a layer whose window changes them by ``formula`` (None: kept)."""
        if formula is None:
            return self
        return TimeSteps(self.origin, (*self.changes, formula), (*self.via, layer))

    def __str__(self) -> str:
        text = f"the time steps of '{self.origin}'"
        if not self.changes:
            return text
        shown = [f"'{name}' ({_formula_text(f)})" for name, f in zip(self.via, self.changes)]
        return f"{text} changed by {', then '.join(shown)}"


def _formula_text(f) -> str:
    if f[0] == "ceil":
        return f"T -> ceil(T/{f[1]})"
    a, s = f[1], f[2]
    inner = f"T{a - 1:+d}" if a != 1 else "T"
    return f"T -> {inner} + 1" if s == 1 else f"T -> floor(({inner})/{s}) + 1"


def window_steps(kernel: int, stride: int, dilation: int, padding):
    """The TimeSteps formula of a window over time (convolution or pooling), or None when it
    keeps every sequence's length: ``padding`` 'same' (ceil(T/stride)), 'causal' or the total
    of the two sides. Length is kept exactly when the stride is 1 and the padding fills the
    window's reach (dilation x (kernel - 1)); ceil(T/stride) whenever the padding does."""
    extra = 0 if padding in ("same", "causal") else int(padding) - dilation * (kernel - 1)
    if extra == 0:
        return None if stride == 1 else ("ceil", stride)
    return ("window", extra, stride)


@dataclass(frozen=True)
class Activation:
    """Format and sizes of one activation. ``size`` aligns with ``fmt``; B and T sizes are None.
    ``steps`` (analysis sets it on sequences) says which time steps a sequence activation has;
    it is a fact about the steps, not a size, so two activations compare equal without it."""

    fmt: str
    size: tuple
    steps: TimeSteps | None = field(default=None, compare=False)

    @property
    def channels(self) -> int:
        return self.size[self.fmt.index("C")]

    @property
    def spatial(self) -> tuple:
        return tuple(s for s, f in zip(self.size, self.fmt) if f == "S")

    @property
    def is_sequence(self) -> bool:
        return "T" in self.fmt

    @property
    def features(self) -> int:
        """Number of values per observation and time step (product of S and C sizes)."""
        n = 1
        for s, f in zip(self.size, self.fmt):
            if f in "SC":
                n *= s
        return n

    def __str__(self) -> str:
        parts = []
        for s, f in zip(self.size, self.fmt):
            if f == "B":
                parts.append("1(B)")
            elif f == "T":
                parts.append(f"{'T' if s is None else s}(T)")
            else:
                parts.append(f"{s}({f})")
        return " x ".join(parts)


def vector_sequence(channels: int) -> Activation:
    return Activation("CBT", (channels, None, None))


def image_sequence(h: int, w: int, c: int) -> Activation:
    return Activation("SSCBT", (h, w, c, None, None))


def vector(channels: int) -> Activation:
    return Activation("CB", (channels, None))


def channel_dim(fmt):
    """Torch dimension of the channels for a format (the layouts in the table above)."""
    return {"CB": 1, "CBT": 2, "SSCB": 1, "SSCBT": 2}[fmt]


# --- size arithmetic shared by the layers' size rules and their torch modules -----------------


def same_padding(size, kernel, stride, dilation):
    """MATLAB's 'same': output ceil(size/stride); odd total padding puts the extra at the end."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def conv_out(size, kernel, stride, dilation, pad):
    """Output length of a window over ``size`` steps padded by ``pad`` (works on tensors too)."""
    return (size + pad[0] + pad[1] - dilation * (kernel - 1) - 1) // stride + 1


TORCH_LAYOUT = {"CB": "BC", "CBT": "BTC", "SCBT": "BTCS", "SSCB": "BCSS", "SSCBT": "BTCSS"}
"""The letters of each format in the order of its torch tensor's dimensions (the table above)."""


def torch_dim(fmt: str, index: int) -> int:
    """Torch dimension of the ``index``-th letter (0-based) of ``fmt``: the k-th S of the format
    is the k-th S of the tensor (MATLAB's first spatial dimension is the image height)."""
    letter = fmt[index]
    nth = fmt[:index].count(letter)
    layout = TORCH_LAYOUT[fmt]
    return [i for i, c in enumerate(layout) if c == letter][nth]


def spatial_paddings(padding, sizes, kernels, strides, dilations=None):
    """(before, after) padding of each of two spatial dimensions from a 2-D layer's Padding:
    'same', p (all edges), [a b] (a top and bottom, b left and right) or [t b l r], as MATLAB's
    convolution2dLayer and 2-D pooling layers take it."""
    dilations = dilations or (1,) * len(sizes)
    if padding == "same":
        return [same_padding(n, k, s, d) for n, k, s, d in zip(sizes, kernels, strides, dilations)]
    if isinstance(padding, int):
        return [(padding, padding)] * len(sizes)
    if len(padding) == 2:
        return [(padding[0], padding[0]), (padding[1], padding[1])]
    return [(padding[0], padding[1]), (padding[2], padding[3])]
