"""MATLAB's solvers, gradient clipping and L2 regularization.

Update rules (MATLAB's documentation; alpha = learning rate x the learnable's LearnRateFactor,
g = gradient of the loss + L2Regularization x L2Factor x w):
  sgdm     v <- momentum * v - alpha * g;             w <- w + v
  adam     m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;
           w <- w - alpha * m_hat / (sqrt(v_hat) + eps)      (bias-corrected m_hat, v_hat)
  rmsprop  v <- b2 v + (1-b2) g^2;  w <- w - alpha * g / (sqrt(v) + eps)
Gradient clipping (GradientThreshold) applies to the loss gradients before L2 is added:
  'l2norm'          each learnable whose L2 norm exceeds the threshold is scaled down to it
  'global-l2norm'   all gradients scaled by threshold / L when the global norm L exceeds it
  'absolute-value'  each element clipped to [-threshold, threshold]
"""

from __future__ import annotations

import math

import torch


def clip_gradients(params, threshold: float, method: str) -> None:
    if math.isinf(threshold):
        return
    grads = [p.grad for p in params if p.grad is not None]
    if method == "absolute-value":
        for g in grads:
            g.clamp_(-threshold, threshold)
    elif method == "l2norm":
        for g in grads:
            norm = g.norm()
            if norm > threshold:
                g.mul_(threshold / norm)
    else:  # global-l2norm
        norm = torch.sqrt(sum((g ** 2).sum() for g in grads))
        if norm > threshold:
            for g in grads:
                g.mul_(threshold / norm)


class Solver:
    """Applies one MATLAB solver to a list of (parameter, learn-rate factor, L2 factor)."""

    def __init__(self, opts, entries):
        self.opts = opts
        self.entries = list(entries)
        self.state = [{} for _ in self.entries]
        self.t = 0

    @property
    def parameters(self):
        return [p for p, _, _ in self.entries]

    def zero_grad(self):
        for p in self.parameters:
            p.grad = None

    @torch.no_grad()
    def step(self, lr: float):
        o = self.opts
        if o.SolverName not in ("sgdm", "adam", "rmsprop"):  # lbfgs, lm: training/fullbatch.py
            raise ValueError(f"Solver.step updates with mini-batch solvers, not "
                             f"{o.SolverName!r}")
        clip_gradients(self.parameters, o.GradientThreshold, o.GradientThresholdMethod)
        self.t += 1
        for (p, lr_factor, l2_factor), st in zip(self.entries, self.state):
            if p.grad is None:
                continue
            g = p.grad
            if o.L2Regularization and l2_factor:
                g = g + o.L2Regularization * l2_factor * p
            a = lr * lr_factor
            if o.SolverName == "sgdm":
                v = st.setdefault("velocity", torch.zeros_like(p))
                v.mul_(o.Momentum).add_(g, alpha=-a)
                p.add_(v)
            elif o.SolverName == "adam":
                m = st.setdefault("m", torch.zeros_like(p))
                v = st.setdefault("v", torch.zeros_like(p))
                b1, b2 = o.GradientDecayFactor, o.SquaredGradientDecayFactor
                m.mul_(b1).add_(g, alpha=1 - b1)
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                m_hat = m / (1 - b1 ** self.t)
                v_hat = v / (1 - b2 ** self.t)
                p.sub_(a * m_hat / (v_hat.sqrt() + o.Epsilon))
            elif o.SolverName == "rmsprop":
                v = st.setdefault("v", torch.zeros_like(p))
                b2 = o.SquaredGradientDecayFactor
                v.mul_(b2).addcmul_(g, g, value=1 - b2)
                p.sub_(a * g / (v.sqrt() + o.Epsilon))

    def state_dict(self):
        return {"t": self.t, "state": [{k: v.detach().cpu() for k, v in s.items()}
                                       for s in self.state]}

    def load_state_dict(self, sd):
        self.t = sd["t"]
        self.state = [{k: v.to(p.device) for k, v in s.items()}
                      for s, (p, _, _) in zip(sd["state"], self.entries)]
