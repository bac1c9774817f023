"""The losses of MATLAB's output layers, over real (non-padded) steps only.

  classificationLayer  cross-entropy   loss = -1/N * sum_n sum_t sum_i w_i * t_nti * log(y_nti)
  regressionLayer      half-MSE        loss =  1/(2N) * sum_n sum_t sum_i (y_nti - t_nti)^2

N is the number of observations (sequences) in the mini-batch; sums run over real time steps
(sequence-to-sequence) and over classes or responses, as MATLAB's crossentropy and mse define them.
Also the metrics MATLAB reports: accuracy (%) and RMSE.
"""

from __future__ import annotations

import torch

EPS = 1e-8  # MATLAB bounds probabilities away from zero before the log


def classification_loss(probs, targets, mask=None, class_weights=None, n=None):
    """probs (B, K) or (B, T, K); targets (B,) or (B, T) class indices; mask (B, T) real steps."""
    logp = torch.log(probs.clamp(min=EPS))
    picked = logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    if class_weights is not None:
        picked = picked * class_weights[targets]
    if mask is not None:
        picked = picked * mask
    n = probs.shape[0] if n is None else n
    return -picked.sum() / n


def regression_loss(pred, targets, mask=None, n=None):
    """pred, targets (B, R) or (B, T, R); mask (B, T) real steps."""
    sq = (pred - targets) ** 2
    if mask is not None:
        sq = sq * mask.unsqueeze(-1)
    n = pred.shape[0] if n is None else n
    return sq.sum() / (2 * n)


def accuracy(probs, targets, mask=None):
    """Percentage of correct predictions (per sequence, or per real time step)."""
    right = (probs.argmax(-1) == targets).float()
    if mask is not None:
        return 100.0 * (right * mask).sum() / mask.sum().clamp(min=1)
    return 100.0 * right.mean()


def rmse(pred, targets, mask=None):
    """Root mean squared error over all real responses."""
    sq = (pred - targets) ** 2
    if mask is not None:
        m = mask.unsqueeze(-1).expand_as(sq)
        return torch.sqrt((sq * m).sum() / m.sum().clamp(min=1))
    return torch.sqrt(sq.mean())


def loss_and_metric(kind, out, targets, mask=None, class_weights=None, n=None):
    """The output layer's loss (with gradient) and MATLAB's metric (accuracy % or RMSE)."""
    if kind == "classification":
        loss = classification_loss(out, targets, mask, class_weights, n)
        with torch.no_grad():
            return loss, accuracy(out, targets, mask)
    loss = regression_loss(out, targets, mask, n)
    with torch.no_grad():
        return loss, rmse(out, targets, mask)
