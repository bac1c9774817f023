"""trainnet's metrics: the names MATLAB's ``Metrics`` option takes and its metric objects.

    trainingOptions("adam", Metrics="accuracy")
    trainingOptions("adam", Metrics=["accuracy", fScoreMetric(AverageType="macro")])

Metric objects are plain data (torch is imported when one is computed), so trainingOptions with
Metrics, and specs naming them, need no torch. Every metric is computed over real (non-padded)
positions only: one per sequence for
sequence-to-one networks, one per real time step for sequence-to-sequence networks.

What each returns (MATLAB documents the formulas; where it leaves a choice, this is ours):
  accuracy   percentage of correct predictions (argmax of the scores; with one-hot or
             probability targets, against their argmax; with 'binary-crossentropy' targets, each
             element thresholded at Threshold, 0.5)
  precision / recall / fscore   fractions in [0, 1] from the confusion counts of the predicted
             labels; AverageType 'micro' (the default: counts summed over classes), 'macro'
             (the plain mean over classes present in the targets or predictions) or 'weighted'
             (weighted by each class's share of the targets); fscore's Beta is 1 by default
  auc        area under the ROC curve, one class against the rest, 'micro' (all classes'
             scores pooled, the default) or 'macro'/'weighted' averaged over classes present
  rmse       square root of the mean squared error over all real elements
  mape       mean absolute percentage error, 100 * mean(|(T - Y) / T|), over real elements
"""

from __future__ import annotations

import numpy as np

from ..errors import OptionError
from ..options import Choice, Number, Option, Text, check_value, parse_name_value


class Metric:
    """A metric object: MATLAB's options as attributes, a ``Name`` for the info columns, and a
    ``NetworkOutput``: the name of the network output it is computed on (None, the default: the
    network's first output, in OutputNames order -- our reading of MATLAB's default, which
    matters only for networks with several outputs)."""

    matlab_name = ""
    default_name = ""
    higher_is_better = True
    task = "classification"  # or 'regression'
    options: dict = {}

    def __init__(self, *args, **kwargs):
        names = ["Name", "NetworkOutput", *self.options]
        given = parse_name_value(self.matlab_name, args, kwargs, names, self.matlab_name)
        self.Name = self.default_name
        if "Name" in given:
            self.Name = check_value(self.matlab_name, "Name", Option(Text()), given.pop("Name"))
        self.NetworkOutput = None
        if "NetworkOutput" in given:
            self.NetworkOutput = check_value(self.matlab_name, "NetworkOutput", Option(Text()),
                                             given.pop("NetworkOutput"))
        for name, opt in self.options.items():
            setattr(self, name, check_value(self.matlab_name, name, opt, given[name])
                    if name in given else opt.default)

    def __repr__(self):
        opts = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.options)
        out = f", NetworkOutput={self.NetworkOutput!r}" if self.NetworkOutput is not None else ""
        return f"{self.matlab_name}(Name={self.Name!r}{out}{', ' if opts else ''}{opts})"

    def output_index(self, output_names, owner="trainnet") -> int:
        """The position in ``output_names`` of the output this metric is computed on."""
        if self.NetworkOutput is None:
            return 0
        names = list(output_names)
        if self.NetworkOutput in names:
            return names.index(self.NetworkOutput)
        raise OptionError(f"metric '{self.Name}' has NetworkOutput '{self.NetworkOutput}', which "
                          f"is not an output of the network ({', '.join(names)})", owner=owner,
                          option="Metrics", part="value",
                          expected="NetworkOutput naming one of the network's OutputNames")

    def __eq__(self, other):
        return type(self) is type(other) and vars(self) == vars(other)

    def compute(self, y, t, mask, target_kind) -> float:
        """``y`` network outputs (..., K); ``t`` encoded targets; ``mask`` real positions of
        (B, T) outputs or None; ``target_kind`` 'index' | 'probability' | 'binary' | 'numeric'."""
        raise NotImplementedError


def flat_positions(y, t, mask):
    """Outputs and targets of the real positions only: (P, K), and (P,) indices or (P, K)."""
    k = y.shape[-1]
    per_class = t.dim() == y.dim()  # targets with a class/response axis, else class indices
    y = y.reshape(-1, k)
    t = t.reshape(-1, k) if per_class else t.reshape(-1)
    if mask is not None:
        keep = mask.reshape(-1).bool()
        y, t = y[keep], t[keep]
    return y, t


def _labels(y, t, target_kind):
    """Predicted and true class indices of each real position."""
    pred = y.argmax(-1)
    true = t.argmax(-1) if target_kind in ("probability", "binary") and t.dim() == 2 else t
    return pred, true.long()


class AccuracyMetric(Metric):
    """accuracyMetric(Name="Accuracy", ClassificationMode="single-label", Threshold=0.5)."""

    matlab_name, default_name = "accuracyMetric", "Accuracy"
    options = {"ClassificationMode": Option(Choice("single-label", "multilabel"), "single-label",
                                            "one class per observation, or several"),
               "Threshold": Option(Number(low=0, high=1), 0.5, "multilabel decision threshold")}

    def compute(self, y, t, mask, target_kind):
        y, t = flat_positions(y, t, mask)
        if y.shape[0] == 0:
            return float("nan")
        if target_kind == "binary" or self.ClassificationMode == "multilabel":
            right = ((y >= self.Threshold) == (t >= 0.5)).float()
            return float(100.0 * right.mean())
        pred, true = _labels(y, t, target_kind)
        return float(100.0 * (pred == true).float().mean())


def _confusion(y, t, mask, target_kind):
    """Per-class true positives, false positives, false negatives and support."""
    import torch

    y, t = flat_positions(y, t, mask)
    k = y.shape[-1]
    pred, true = _labels(y, t, target_kind)
    tp = torch.bincount(true[pred == true], minlength=k).double()
    pred_count = torch.bincount(pred, minlength=k).double()
    support = torch.bincount(true, minlength=k).double()
    return tp, pred_count - tp, support - tp, support


def _average(per_class, weights, average, present):
    if average == "macro":
        return float(per_class[present].mean()) if bool(present.any()) else float("nan")
    total = weights[present].sum()
    return float((per_class[present] * weights[present]).sum() / total) if total > 0 \
        else float("nan")


class _CountMetric(Metric):
    options = {"AverageType": Option(Choice("micro", "macro", "weighted"), "micro",
                                     "how per-class values are combined")}

    def compute(self, y, t, mask, target_kind):
        import torch

        tp, fp, fn, support = _confusion(y, t, mask, target_kind)
        if self.AverageType == "micro":
            return self.value(tp.sum(), fp.sum(), fn.sum())
        present = (support + fp) > 0
        per_class = torch.tensor([self.value(*v) for v in zip(tp, fp, fn)], dtype=torch.float64)
        per_class = torch.nan_to_num(per_class, nan=0.0)
        return _average(per_class, support, self.AverageType, present)

    def value(self, tp, fp, fn) -> float:
        raise NotImplementedError


class PrecisionMetric(_CountMetric):
    """precisionMetric(AverageType="micro"): TP / (TP + FP)."""

    matlab_name, default_name = "precisionMetric", "Precision"

    def value(self, tp, fp, fn):
        return float(tp / (tp + fp)) if tp + fp > 0 else float("nan")


class RecallMetric(_CountMetric):
    """recallMetric(AverageType="micro"): TP / (TP + FN)."""

    matlab_name, default_name = "recallMetric", "Recall"

    def value(self, tp, fp, fn):
        return float(tp / (tp + fn)) if tp + fn > 0 else float("nan")


class FScoreMetric(_CountMetric):
    """fScoreMetric(Beta=1, AverageType="micro"): (1+B^2) TP / ((1+B^2) TP + B^2 FN + FP)."""

    matlab_name, default_name = "fScoreMetric", "FScore"
    options = {**_CountMetric.options,
               "Beta": Option(Number(low=0, low_open=True), 1.0, "weight of recall")}

    def value(self, tp, fp, fn):
        b2 = self.Beta ** 2
        den = (1 + b2) * tp + b2 * fn + fp
        return float((1 + b2) * tp / den) if den > 0 else float("nan")


def _auc(scores, positive) -> float:
    """Area under the ROC curve by the rank-sum (Mann-Whitney) formula, ties counted half."""
    scores = np.asarray(scores, dtype=np.float64)
    positive = np.asarray(positive, dtype=bool)
    n_pos, n_neg = int(positive.sum()), int((~positive).sum())
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):  # average ranks over ties
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


class AUCMetric(Metric):
    """aucMetric(AverageType="micro"): area under the ROC curve, one class against the rest."""

    matlab_name, default_name = "aucMetric", "AUC"
    options = {"AverageType": Option(Choice("micro", "macro", "weighted"), "micro",
                                     "how per-class areas are combined")}

    def compute(self, y, t, mask, target_kind):
        y, t = flat_positions(y, t, mask)
        _, true = _labels(y, t, target_kind)
        s = y.detach().double().cpu().numpy()
        true = true.cpu().numpy()
        k = s.shape[-1]
        onehot = np.eye(k, dtype=bool)[true]
        if self.AverageType == "micro":
            return _auc(s.reshape(-1), onehot.reshape(-1))
        per = np.array([_auc(s[:, c], onehot[:, c]) for c in range(k)])
        ok = ~np.isnan(per)
        if not ok.any():
            return float("nan")
        if self.AverageType == "macro":
            return float(per[ok].mean())
        w = onehot.sum(0)[ok]
        return float((per[ok] * w).sum() / w.sum())


class RMSEMetric(Metric):
    """rmseMetric(): square root of the mean squared error over real elements."""

    matlab_name, default_name = "rmseMetric", "RMSE"
    higher_is_better = False
    task = "regression"

    def compute(self, y, t, mask, target_kind):
        import torch

        sq = (y - t) ** 2
        if mask is not None:
            m = mask.unsqueeze(-1).expand_as(sq)
            return float(torch.sqrt((sq * m).sum() / m.sum().clamp(min=1)))
        return float(torch.sqrt(sq.mean()))


class MAPEMetric(Metric):
    """mapeMetric(): 100 * mean(|(T - Y) / T|) over real elements (Inf where T is 0)."""

    matlab_name, default_name = "mapeMetric", "MAPE"
    higher_is_better = False
    task = "regression"

    def compute(self, y, t, mask, target_kind):
        ape = ((t - y) / t).abs()
        if mask is not None:
            m = mask.unsqueeze(-1).expand_as(ape).bool()
            return float(100.0 * ape[m].mean())
        return float(100.0 * ape.mean())


METRIC_CLASSES = (AccuracyMetric, PrecisionMetric, RecallMetric, FScoreMetric, AUCMetric,
                  RMSEMetric, MAPEMetric)
BY_NAME = {"accuracy": AccuracyMetric, "precision": PrecisionMetric, "recall": RecallMetric,
           "fscore": FScoreMetric, "auc": AUCMetric, "rmse": RMSEMetric, "mape": MAPEMetric}


def spec_form(metric: Metric):
    """A metric as a spec writes it: its name, or ``{name: {changed properties}}``
    (``{fscore: {AverageType: macro}}``), which :func:`as_metrics` reads back."""
    name = next(n for n, cls in BY_NAME.items() if type(metric) is cls)
    base = BY_NAME[name]()
    changed = {k: v for k, v in vars(metric).items() if v != vars(base)[k]}
    return {name: changed} if changed else name


def _from_spec(item: dict) -> Metric:
    (name, props), = item.items()
    cls = BY_NAME.get(str(name).lower())
    if cls is None or not isinstance(props, dict):
        raise ValueError(f"expected {{metric name: {{Property: value, ...}}}} with a name of "
                         f"{', '.join(repr(n) for n in BY_NAME)}; got {item!r}")
    try:
        return cls(**props)
    except OptionError as exc:
        raise ValueError(str(exc)) from None


def as_metrics(value) -> tuple:
    """``Metrics`` as a tuple of metric objects: from a name, an object, a spec's ``{name:
    {properties}}``, or a list of them."""
    if value is None or (isinstance(value, str) and value.lower() == "none"):
        return ()
    items = [value] if isinstance(value, (str, np.str_, Metric, dict)) else value
    try:
        items = list(items)
    except TypeError:
        raise ValueError(f"expected a metric name or object, or a list of them; got "
                         f"{value!r}") from None
    out, seen = [], set()
    for item in items:
        if isinstance(item, Metric):
            metric = item
        elif isinstance(item, dict) and len(item) == 1:
            metric = _from_spec(item)
        elif isinstance(item, (str, np.str_)) and str(item).lower() in BY_NAME:
            metric = BY_NAME[str(item).lower()]()
        else:
            raise ValueError(f"unknown metric {item!r}; use "
                             + ", ".join(f"'{n}'" for n in BY_NAME)
                             + " or a metric object such as accuracyMetric(...)")
        if metric.Name in seen:
            raise ValueError(f"two metrics are named '{metric.Name}'; give one a Name")
        seen.add(metric.Name)
        out.append(metric)
    return tuple(out)


def check_objective(name: str, metrics) -> str:
    """ObjectiveMetricName must be 'loss' or the Name of one of the metrics."""
    if name.lower() == "loss":
        return "loss"
    for m in metrics:
        if m.Name.lower() == name.lower():
            return m.Name
    raise OptionError(f"ObjectiveMetricName '{name}' is neither 'loss' nor the Name of one of "
                      f"the Metrics ({', '.join(m.Name for m in metrics) or 'none given'})",
                      owner="trainingOptions", option="ObjectiveMetricName", part="value",
                      expected="'loss' or one of the metric names")


def accuracyMetric(*args, **kwargs):
    return AccuracyMetric(*args, **kwargs)


def precisionMetric(*args, **kwargs):
    return PrecisionMetric(*args, **kwargs)


def recallMetric(*args, **kwargs):
    return RecallMetric(*args, **kwargs)


def fScoreMetric(*args, **kwargs):
    return FScoreMetric(*args, **kwargs)


def aucMetric(*args, **kwargs):
    return AUCMetric(*args, **kwargs)


def rmseMetric(*args, **kwargs):
    return RMSEMetric(*args, **kwargs)


def mapeMetric(*args, **kwargs):
    return MAPEMetric(*args, **kwargs)
