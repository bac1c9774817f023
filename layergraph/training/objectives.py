"""What training minimises and reports: the loss, the metrics, and the targets' form.

Two kinds, one interface, so the training loop never asks which workflow it runs:

- :class:`OutputLayerObjective` (trainNetwork): the network's classificationLayer or
  regressionLayer holds the loss (loss.py: cross-entropy, half-MSE over the number of
  sequences); the metric is accuracy or RMSE.
- :class:`LossFunctionObjective` (trainnet): the loss is trainnet's ``lossFcn`` argument, a
  MATLAB loss name or a Python callable, and the metrics are trainingOptions' ``Metrics``.

trainnet's built-in losses, over real (non-padded) positions only, normalised as MATLAB documents
for trainnet (P is the number of real positions: sequences for sequence-to-one outputs, real time
steps summed over the sequences for sequence-to-sequence outputs; E = P x channels):

  "crossentropy"          -sum(T .* log(Y)) / P      targets: class labels or one-hot/probabilities
  "index-crossentropy"    -sum(log(Y(index))) / P    targets: class indices 1..K (MATLAB's)
  "binary-crossentropy"   -sum(T.*log(Y) + (1-T).*log(1-Y)) / E   targets: 0..1 per output
  "mse" | "mean-squared-error" | "l2loss"   sum((Y-T).^2) / E
  "mae" | "mean-absolute-error" | "l1loss"  sum(|Y-T|) / E
  "huber"                 sum(h(Y-T)) / E, h(d) = d^2/2 for |d| <= 1, |d| - 1/2 beyond

A callable ``loss = f(Y, T)`` receives torch tensors of the real positions only, (P, K) and
(P, K) (class labels one-hot encoded), and returns a scalar tensor.
"""

from __future__ import annotations

import numpy as np
import torch

from ..errors import DataError, OptionError
from . import loss as L
from .metrics import AccuracyMetric, RMSEMetric, flat_positions
from .targets import Targets, _as_list, encode_targets

EPS = L.EPS

from .options import CLASSIFICATION_LOSSES, LOSS_NAMES  # noqa: E402

REGRESSION_LOSSES = {"mse": "mse", "mean-squared-error": "mse", "l2loss": "mse",
                     "mae": "mae", "mean-absolute-error": "mae", "l1loss": "mae",
                     "huber": "huber"}


class Objective:
    """The loss, the metrics and the targets' form of one training run."""

    metrics: tuple = ()
    kind = "regression"

    @property
    def metric_names(self) -> list[str]:
        return [m.Name for m in self.metrics]

    def prepare(self, Y, seqs, sequence_output, name="Y", classes=None) -> Targets:
        raise NotImplementedError

    def check_width(self, targets: Targets, width: int, sequence_output: bool, where: str):
        """The targets must fit the network's output width."""

    def loss(self, out, t, mask, n, total=None):
        """Loss tensor (with gradient) of outputs ``out`` against encoded targets ``t``;
        ``mask`` (B, T) marks real steps of sequence outputs; ``n`` is the number of sequences.
        ``total``: the count to divide by instead of this batch's own :meth:`count` (in
        distributed training, the global mini-batch's, so the workers' losses add up to it)."""
        raise NotImplementedError

    def count(self, out, t, mask, n) -> int:
        """What the loss of this batch divides its sum by (sequences, or real positions)."""
        raise NotImplementedError

    def metric_values(self, out, t, mask, encoding) -> list[float]:
        with torch.no_grad():
            return [m.compute(out, t, mask, encoding) for m in self.metrics]


class OutputLayerObjective(Objective):
    """trainNetwork's: the output layer's loss, and accuracy or RMSE."""

    def __init__(self, output_layer, device):
        self.output_layer = output_layer
        self.kind = output_layer.output_kind
        self.metrics = (AccuracyMetric(),) if self.kind == "classification" else (RMSEMetric(),)
        cw = getattr(output_layer, "ClassWeights", "none")
        self.class_weights = None if isinstance(cw, str) else torch.as_tensor(
            np.asarray(cw, dtype=np.float32).reshape(-1), device=device)

    def prepare(self, Y, seqs, sequence_output, name="Y", classes=None):
        return encode_targets(Y, seqs, self.kind, sequence_output, name, classes,
                              self.output_layer.Classes if self.kind == "classification"
                              else "auto")

    def check_width(self, targets, width, sequence_output, where):
        t, out = targets, self.output_layer
        if t.kind == "classification" and len(t.classes) != width:
            shown = ", ".join(repr(c) for c in t.classes[:10]) + (" ..." if len(t.classes) > 10
                                                                 else "")
            if out.Classes == "auto":
                raise DataError(
                    f"Y has {len(t.classes)} class{'es' if len(t.classes) != 1 else ''} "
                    f"({shown}) but the network outputs {width} scores into {out.where}: with "
                    "Classes 'auto' the classes are the labels present in Y. If some classes "
                    "do not occur in this data, name them all: classificationLayer('Classes', "
                    f"[...{width} names...]); otherwise give the layer before the softmax "
                    f"OutputSize {len(t.classes)}")
            raise DataError(f"{out.where} has {len(t.classes)} Classes but the network outputs "
                            f"{width} scores; set the fullyConnectedLayer's OutputSize to "
                            f"{len(t.classes)}")
        if t.kind == "regression" and t.responses != width:
            raise DataError(f"Y has {t.responses} response{'s' if t.responses != 1 else ''} per "
                            f"{'time step' if sequence_output else 'sequence'} but the "
                            f"network outputs {width} into {out.where}; give the layer before "
                            f"it OutputSize {t.responses}")

    def count(self, out, t, mask, n):
        return n

    def loss(self, out, t, mask, n, total=None):
        n = n if total is None else total
        if self.kind == "classification":
            return L.classification_loss(out, t, mask, self.class_weights, n)
        return L.regression_loss(out, t, mask, n)


class LossFunctionObjective(Objective):
    """trainnet's: a MATLAB loss name or a callable, and the options' Metrics."""

    def __init__(self, loss_fcn, metrics):
        self.metrics = tuple(metrics)
        if callable(loss_fcn):
            self.name, self.fn = getattr(loss_fcn, "__name__", "custom"), loss_fcn
            task = {m.task for m in self.metrics}
            self.kind = "classification" if task == {"classification"} else "regression"
        else:
            name = str(loss_fcn).lower() if isinstance(loss_fcn, (str, np.str_)) else None
            if name not in LOSS_NAMES:
                raise OptionError(
                    f"unknown loss function {loss_fcn!r}", owner="trainnet", option="lossFcn",
                    part="value", expected=", ".join(f"'{n}'" for n in LOSS_NAMES)
                    + " or a function loss = f(Y, T)")
            self.name, self.fn = name, None
            self.kind = "classification" if name in CLASSIFICATION_LOSSES else "regression"
        for m in self.metrics:
            if m.task != self.kind and self.fn is None:
                raise OptionError(
                    f"metric '{m.Name}' is for {m.task} but the loss '{self.name}' is for "
                    f"{self.kind}", owner="trainnet", option="Metrics", part="value",
                    expected=f"{self.kind} metrics")

    # --- targets --------------------------------------------------------------------------------
    def prepare(self, Y, seqs, sequence_output, name="T", classes=None):
        if self.name == "index-crossentropy":
            return _index_targets(Y, seqs, sequence_output, name)
        if self.name == "binary-crossentropy" or (self.kind == "classification"
                                                  and _numeric_per_class(Y)):
            t = encode_targets(Y, seqs, "regression", sequence_output, name)
            t.kind = "classification"
            t.encoding = "binary" if self.name == "binary-crossentropy" else "probability"
            if t.encoding == "binary":
                for i, v in enumerate(t.values):
                    if v.size and (v.min() < 0 or v.max() > 1):
                        raise DataError(f"{name}[{i}] has values outside [0, 1]; "
                                        "binary-crossentropy needs targets between 0 and 1")
            return t
        if self.kind == "classification":
            return encode_targets(Y, seqs, "classification", sequence_output, name, classes)
        return encode_targets(Y, seqs, "regression", sequence_output, name)

    def check_width(self, targets, width, sequence_output, where):
        per = "time step" if sequence_output else "observation"
        if targets.encoding == "index" and targets.classes is not None \
                and len(targets.classes) != width:
            raise DataError(
                f"T has {len(targets.classes)} classes but the network outputs {width} scores "
                f"({where}); give the last fullyConnectedLayer OutputSize "
                f"{len(targets.classes)}, or pass classes the network should score")
        if targets.encoding == "index" and targets.classes is None:
            top = max(int(np.max(v)) if np.size(v) else 0 for v in targets.values) + 1
            if top > width:
                raise DataError(f"T has class index {top} but the network outputs only {width}"
                                f" scores ({where}); index-crossentropy needs indices 1..{width}")
        if targets.encoding != "index" and targets.responses != width:
            raise DataError(f"T has {targets.responses} value{'s' if targets.responses != 1 else ''}"
                            f" per {per} but the network outputs {width} ({where}); give the "
                            f"last layer OutputSize {targets.responses}")

    # --- loss -----------------------------------------------------------------------------------
    def count(self, out, t, mask, n):
        """P (real positions) for cross-entropy and a callable (taken to be a mean over
        positions), E = P x channels for the others."""
        y, _ = flat_positions(out, t, mask)
        per_element = self.fn is None and (self.kind == "regression"
                                           or self.name == "binary-crossentropy")
        return int(y.numel() if per_element else y.shape[0])

    def loss(self, out, t, mask, n, total=None):
        y, tt = flat_positions(out, t, mask)
        if self.fn is not None and total is not None:  # a mean over this share, weighted
            own = y.shape[0]
            if not own:
                return y.sum() * 0.0  # no positions here: zero, still on the graph
            return self.loss(out, t, mask, n) * (own / max(total, 1))
        if self.fn is not None:
            if tt.dim() == 1:
                tt = torch.nn.functional.one_hot(tt, y.shape[-1]).to(y.dtype)
            try:
                value = self.fn(y, tt)
            except Exception as exc:  # the user's function: name it, keep its traceback as cause
                raise OptionError(f"the loss function {self.name} raised {type(exc).__name__}: "
                                  f"{exc}", owner="trainnet", option="lossFcn",
                                  part="value") from exc
            if not isinstance(value, torch.Tensor) or value.numel() != 1:
                raise OptionError(f"the loss function {self.name} must return a scalar torch "
                                  f"tensor, got {type(value).__name__}", owner="trainnet",
                                  option="lossFcn", part="value")
            if torch.is_grad_enabled() and y.requires_grad and not value.requires_grad:
                raise OptionError(f"the loss function {self.name} returned a tensor that does "
                                  "not depend on the predictions Y (no gradient to train on)",
                                  owner="trainnet", option="lossFcn", part="value",
                                  expected="a scalar computed from Y with torch operations")
            return value.reshape(())
        p = max(y.shape[0] if total is None else total, 1)
        if self.kind == "classification":
            if tt.dim() == 1:  # class indices
                return -torch.log(y.gather(-1, tt[:, None]).clamp(min=EPS)).sum() / p
            if self.name == "binary-crossentropy":
                yc = y.clamp(EPS, 1 - EPS)
                return -(tt * torch.log(yc) + (1 - tt) * torch.log(1 - yc)).sum() / max(
                    y.numel() if total is None else total, 1)
            return -(tt * torch.log(y.clamp(min=EPS))).sum() / p
        d = y - tt
        e = max(d.numel() if total is None else total, 1)
        kind = REGRESSION_LOSSES[self.name]
        if kind == "mse":
            return (d ** 2).sum() / e
        if kind == "mae":
            return d.abs().sum() / e
        a = d.abs()
        return torch.where(a <= 1, 0.5 * d ** 2, a - 0.5).sum() / e


def _numeric_per_class(Y) -> bool:
    """True when crossentropy targets are given as numbers per class (one-hot or probability
    rows) rather than as labels."""
    if isinstance(Y, np.ndarray) and Y.dtype.kind == "f" and Y.ndim >= 2:
        return True
    if isinstance(Y, (list, tuple)) and Y and all(
            isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.ndim >= 1 for v in Y):
        return True
    return False


def _index_targets(Y, seqs, sequence_output, name) -> Targets:
    """index-crossentropy's targets: integer class indices, 1-based as in MATLAB."""
    items = _as_list(Y, len(seqs), name)
    values = []
    for i, (v, s) in enumerate(zip(items, seqs)):
        try:
            arr = np.asarray(v)
        except (ValueError, TypeError):
            arr = np.asarray(None)  # ragged: refused below
        whole = arr.dtype.kind in "iu" or arr.dtype.kind == "f" and bool(
            np.all(np.isfinite(arr) & (arr == np.round(arr)) & (np.abs(arr) < 2 ** 62)))
        if not whole or arr.dtype.kind == "u" and arr.size and arr.max() >= 2 ** 63:
            raise DataError(f"{name}[{i}] is not an integer class index; index-crossentropy "
                            "needs indices 1..K (MATLAB's, starting at 1)")
        arr = arr.astype(np.int64).reshape(-1)
        if sequence_output and len(arr) != len(s):
            raise DataError(f"{name}[{i}] has {len(arr)} indices but X[{i}] has {len(s)} time "
                            "steps; sequence-to-sequence needs one index per step")
        if not sequence_output and len(arr) != 1:
            raise DataError(f"{name}[{i}] should be one class index, got {arr.shape}")
        if arr.size and arr.min() < 1:
            raise DataError(f"{name}[{i}] has class index {int(arr.min())}; index-crossentropy "
                            "counts classes from 1 as MATLAB does (add 1 to 0-based indices)")
        values.append(arr - 1 if sequence_output else int(arr[0]) - 1)
    return Targets("classification", not sequence_output, values, encoding="index")


def as_batch(outs, targets: Targets):
    """Predictions (numpy, as predict returns them) and encoded targets as tensors, for a loss
    or a metric over a whole data set: (N, K) and targets for sequence-to-one networks; every
    real step as one long sequence, (1, sum T, K), for sequence-to-sequence networks (so the
    legacy loss, which divides by the number of sequences, is given that number separately)."""
    dtype = torch.long if targets.dtype == np.int64 else torch.float32
    if targets.per_sequence:
        out = torch.as_tensor(np.asarray(outs))
        t = torch.as_tensor(np.stack(targets.values), dtype=dtype)
    else:
        out = torch.as_tensor(np.concatenate(outs))[None]
        t = torch.as_tensor(np.concatenate(targets.values), dtype=dtype)[None]
    return out, t


__all__ = ["Objective", "OutputLayerObjective", "LossFunctionObjective", "LOSS_NAMES"]
