"""The full-batch solvers: trainingOptions("lbfgs") and trainingOptions("lm").

Each iteration is one pass over the whole training set (MATLAB's TrainingOptionsLBFGS and
TrainingOptionsLM), so the trainer's loop runs with one mini-batch an epoch and MaxIterations
epochs; what differs is how one iteration moves the weights.

  lbfgs  torch.optim.LBFGS (history HistorySize) with its strong-Wolfe line search of at most
         MaxNumLineSearchIterations loss evaluations. A strong-Wolfe step also satisfies the weak
         Wolfe and the sufficient-decrease conditions, so it serves LineSearchMethod
         'weak-wolfe' (MATLAB's default), 'strong-wolfe' and 'backtracking' alike; the step it
         finds need not be the one MATLAB's search finds. InitialInverseHessianFactor scales the
         first trial step (torch's ``lr``).
  lm     Levenberg-Marquardt on a squared-error loss L = c * |r|^2 (regressionLayer's half mean
         squared error, trainnet's "mse"): with J the Jacobian of the residuals r of the real
         positions, g = dL/dw and H = 2c J^T J (+ the L2 term), the step d solves
         (H + 2c mu I) d = -g. A step that lowers the loss is taken and mu is multiplied by
         DampingDecreaseFactor; otherwise mu is multiplied by DampingIncreaseFactor and the step
         retried, until mu would pass MaxDampingFactor (training stops there), as MATLAB's trainlm.

Both stop early when no gradient element exceeds GradientTolerance, or no element of the step
exceeds StepTolerance (absolute values: our reading of the tolerances). L2Regularization adds
(lambda/2) * sum(L2Factor * w^2) to the loss; learnables with a LearnRateFactor of 0 are frozen,
other factors do not scale these solvers' steps. CheckpointPath writes checkpoints (each
iteration is an epoch here) that hold the solver's state too (L-BFGS's history, LM's damping),
so training resumed from one goes on as it would have. Integer SequenceLength and several
workers are refused for them, with the option named.
"""

from __future__ import annotations

import torch

from ..errors import OptionError
from ..limits import LIMITS
from ..services import provide
from .metrics import flat_positions
from .objectives import REGRESSION_LOSSES, LossFunctionObjective, OutputLayerObjective
from .trainer import Trainer, _NonFinite

LM_MAX_JACOBIAN = 2 ** 26
"""Elements of the Jacobian LM may build (residuals x learnables): 256 MiB of float32. LM is for
small networks on small data sets; past this the error says so."""


class FullBatchTrainer(Trainer):
    """Trainer's loop with one iteration a pass over all data, stepped by L-BFGS or LM."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        o = self.opts
        if self.group is not None:
            raise OptionError(f"the '{o.SolverName}' solver trains in one process",
                              owner=self.owner, option="ExecutionEnvironment", part="value",
                              expected="'auto', 'cpu' or 'gpu'")
        if isinstance(o.SequenceLength, int):
            raise OptionError(f"the '{o.SolverName}' solver processes whole sequences; an "
                              "integer SequenceLength is for the mini-batch solvers",
                              owner=self.owner, option="SequenceLength", part="value",
                              expected="'longest' or 'shortest'")
        self.free = [(p, l2) for p, lr_factor, l2 in self.solver.entries if lr_factor != 0]
        self.params = [p for p, _ in self.free]
        self._pending = self._residual = None
        self.stop_reason = None
        if o.SolverName == "lbfgs":
            self.step_once = self._lbfgs_iteration
            self.lbfgs = torch.optim.LBFGS(
                self.params, lr=o.InitialInverseHessianFactor, max_iter=1,
                max_eval=o.MaxNumLineSearchIterations + 1, tolerance_grad=0.0,
                tolerance_change=0.0, history_size=o.HistorySize,
                line_search_fn="strong_wolfe")
        else:
            if not _squared_error(self.objective):
                raise OptionError("the 'lm' solver minimises a squared error: use a "
                                  "regressionLayer, or trainnet's \"mse\" loss",
                                  owner=self.owner, option="solverName", part="value",
                                  expected="a regression network with a squared-error loss")
            self.step_once = self._lm_iteration
            self.damping = o.InitialDampingFactor
        extra = self.restored_extra  # resumed: the solver's own state too
        if extra is not None:
            if o.SolverName == "lbfgs":
                self.lbfgs.load_state_dict(extra["lbfgs"])
            else:
                self.damping = float(extra["damping"])

    def _solver_extra(self):
        if self.opts.SolverName == "lbfgs":
            return {"lbfgs": self.lbfgs.state_dict()}
        return {"damping": self.damping}

    # --- the loss of the whole training set -----------------------------------------------------
    def _train_batch(self, idx, lr):
        """One iteration over the whole set ``idx``: (loss, metric) after the step."""
        self._idx = idx
        value, metric = self.step_once()
        yield value, metric

    def _step(self, loss, lr):  # Trainer._train_batch's update, here only its loss
        self._pending = loss
        return float(loss.detach())

    def _loss(self, out, targets, mask, n=None):
        loss, metric = super()._loss(out, targets, mask, n)
        if self.opts.SolverName == "lm":
            y, t = flat_positions(out, targets, mask)
            self._residual = (y - t).reshape(-1)
        return loss, metric

    def _evaluate(self, backward: bool):
        """The loss of the whole training set at the current weights (L2 term included), with
        its gradient when ``backward``; and the iteration's metrics."""
        with torch.set_grad_enabled(backward):
            (_, metric), = list(super()._train_batch(self._idx, None))
            loss = self._pending + self._l2()
            if backward:
                for p in self.params:
                    p.grad = None
                loss.backward(retain_graph=self.opts.SolverName == "lm")
        return loss, metric

    def _l2(self):
        lam = self.opts.L2Regularization
        if not lam:
            return 0.0
        return 0.5 * lam * sum(f * (p ** 2).sum() for p, f in self.free if f)

    def _converged(self, step) -> str | None:
        o = self.opts
        grads = [p.grad.abs().max() for p in self.params if p.grad is not None]
        if grads and float(torch.stack(grads).max()) <= o.GradientTolerance:
            return f"gradient tolerance ({o.GradientTolerance:g}) reached"
        if step is not None and float(step.abs().max()) <= o.StepTolerance:
            return f"step tolerance ({o.StepTolerance:g}) reached"
        return None

    def _finish(self, value, metric, step):
        """Check the iteration and report its loss without the L2 term, as the mini-batch
        solvers report theirs."""
        value = float(self._pending.detach())
        what = self._non_finite(value)
        if what:
            raise _NonFinite(what)
        self.stop_reason = self._converged(step)
        return value, metric

    # --- L-BFGS ---------------------------------------------------------------------------------
    def _lbfgs_iteration(self):
        before = torch.cat([p.detach().reshape(-1) for p in self.params]).clone()
        self.module.train()

        def closure():
            return self._evaluate(backward=True)[0]

        self.lbfgs.step(closure)
        _, metric = self._evaluate(backward=True)  # at the new weights: what is reported
        after = torch.cat([p.detach().reshape(-1) for p in self.params])
        return self._finish(None, metric, after - before)

    # --- Levenberg-Marquardt --------------------------------------------------------------------
    def _lm_iteration(self):
        o = self.opts
        self.module.train()
        loss, metric = self._evaluate(backward=True)
        r = self._residual
        n_params = sum(p.numel() for p in self.params)
        if r.numel() * n_params > min(LM_MAX_JACOBIAN, LIMITS.max_data_values):
            raise OptionError(f"the 'lm' solver would build a {r.numel()} x {n_params} Jacobian; "
                              "it is for small networks on small data sets: use 'lbfgs' or "
                              "'adam'", owner=self.owner, option="solverName", part="value")
        sq = float((r.detach() ** 2).sum())
        c = float(loss.detach() - _value(self._l2())) / sq if sq > 0 else 0.0
        J = _jacobian(r, self.params)
        g = torch.cat([p.grad.reshape(-1) for p in self.params]).double()
        H = 2 * c * (J.T @ J)
        if o.L2Regularization:
            H += torch.diag(torch.cat([torch.full((p.numel(),), o.L2Regularization * f,
                                                  dtype=torch.float64) for p, f in self.free]))
        w0 = [p.detach().clone() for p in self.params]
        value0 = float(loss.detach())
        eye = torch.eye(H.shape[0], dtype=torch.float64)
        while True:
            step = torch.linalg.solve(H + 2 * c * self.damping * eye + 1e-12 * eye, -g)
            self._set(w0, step)
            value = float(self._evaluate(backward=False)[0].detach())
            if value < value0:
                self.damping = max(self.damping * o.DampingDecreaseFactor, 1e-300)
                _, metric = self._evaluate(backward=True)
                return self._finish(None, metric, step)
            self.damping *= o.DampingIncreaseFactor
            if self.damping > o.MaxDampingFactor:
                self._set(w0, None)
                _, metric = self._evaluate(backward=True)
                self.stop_reason = (f"the damping factor passed MaxDampingFactor "
                                    f"({o.MaxDampingFactor:g}) with no step lowering the loss")
                return float(self._pending.detach()), metric

    @torch.no_grad()
    def _set(self, w0, step):
        k = 0
        for p, w in zip(self.params, w0):
            n = p.numel()
            p.copy_(w if step is None else w + step[k:k + n].reshape(p.shape).to(p.dtype))
            k += n

    def _train_on(self, idx, lr, monitor):
        why = super()._train_on(idx, lr, monitor)
        return why or self.stop_reason


def _value(x) -> float:
    return float(x.detach()) if isinstance(x, torch.Tensor) else float(x)


def _squared_error(objective) -> bool:
    if isinstance(objective, OutputLayerObjective):
        return objective.kind == "regression"
    return isinstance(objective, LossFunctionObjective) and objective.fn is None and \
        REGRESSION_LOSSES.get(objective.name) == "mse"


def _jacobian(r, params) -> torch.Tensor:
    """d r / d w (residuals x learnables), float64, one backward pass per residual."""
    rows = []
    flat = r.reshape(-1)
    for i in range(flat.numel()):
        grads = torch.autograd.grad(flat[i], params, retain_graph=True, allow_unused=True)
        rows.append(torch.cat([(g if g is not None else torch.zeros_like(p)).reshape(-1)
                               for g, p in zip(grads, params)]))
    return torch.stack(rows).double()


def full_batch_trainer(*args, **kwargs) -> FullBatchTrainer:
    return FullBatchTrainer(*args, **kwargs)


provide("full_batch_trainer", full_batch_trainer, "layergraph.training.fullbatch")
