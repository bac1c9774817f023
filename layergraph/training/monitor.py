"""Watching training: the training-info record, MATLAB's verbose table, a progress bar, a plot.

The record is MATLAB's ``info``: per-iteration TrainingLoss, TrainingAccuracy (or TrainingRMSE),
BaseLearnRate, and ValidationLoss / ValidationAccuracy (NaN where no validation ran), plus
FinalValidationLoss, FinalValidationAccuracy and OutputNetworkIteration.
"""

from __future__ import annotations

import math
import sys
import time


class TrainingInfo(dict):
    """MATLAB's training info; a dict with attribute access (info.TrainingLoss)."""

    def __init__(self, metric: str):
        super().__init__()
        self.metric = metric  # 'Accuracy' or 'RMSE'
        for key in ("TrainingLoss", f"Training{metric}", "BaseLearnRate", "ValidationLoss",
                    f"Validation{metric}", "Epoch"):
            self[key] = []
        self["FinalValidationLoss"] = math.nan
        self[f"FinalValidation{metric}"] = math.nan
        self["OutputNetworkIteration"] = 0

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def record(self, epoch, loss, metric, lr):
        self["Epoch"].append(epoch)
        self["TrainingLoss"].append(loss)
        self[f"Training{self.metric}"].append(metric)
        self["BaseLearnRate"].append(lr)
        self["ValidationLoss"].append(math.nan)
        self[f"Validation{self.metric}"].append(math.nan)

    def record_validation(self, loss, metric):
        self["ValidationLoss"][-1] = loss
        self[f"Validation{self.metric}"][-1] = metric

    def to_state(self):
        return {"metric": self.metric, "data": {k: v for k, v in self.items()}}

    @classmethod
    def from_state(cls, state):
        info = cls(state["metric"])
        info.update(state["data"])
        return info


class Monitor:
    """Progress bar (tqdm), MATLAB's verbose table, and the training-progress plot."""

    def __init__(self, opts, total_iterations, metric, out=None):
        self.opts, self.metric = opts, metric
        self.out = out or sys.stdout
        self.start = time.time()
        self.bar = None
        if opts.ProgressBar:
            try:
                from tqdm.auto import tqdm
            except ImportError:  # tqdm is a dependency; stay usable without it
                tqdm = None
            if tqdm is not None:
                self.bar = tqdm(total=total_iterations, unit="it", leave=False,
                                disable=None, file=sys.stderr)
        self.header_done = False
        self.last, self.printed = None, None

    def _write(self, line):
        if self.bar is not None:
            self.bar.write(line, file=self.out)
        else:
            print(line, file=self.out)

    def iteration(self, epoch, iteration, loss, metric, lr, val=None):
        self.last = (epoch, iteration, loss, metric, lr, val)
        if self.bar is not None:
            self.bar.update(1)
            post = {"epoch": epoch, "loss": f"{loss:.4f}", self.metric.lower(): f"{metric:.3g}",
                    "lr": f"{lr:.2g}"}
            if val is not None:
                post["val_loss"] = f"{val[0]:.4f}"
            self.bar.set_postfix(post, refresh=False)
        if self.opts.Verbose and (iteration == 1 or iteration % self.opts.VerboseFrequency == 0
                                  or val is not None):
            self._row(epoch, iteration, loss, metric, lr, val)
            self.printed = iteration

    def _row(self, epoch, iteration, loss, metric, lr, val):
        m = self.metric
        if not self.header_done:
            cols = ("Epoch", "Iteration", "Time Elapsed", f"Mini-batch {m}",
                    f"Validation {m}", "Mini-batch Loss", "Validation Loss", "Base Learn Rate")
            rule = "|" + "=" * 138 + "|"
            self._write(rule)
            self._write("| " + " | ".join(f"{c:^14}" for c in cols) + " |")
            self._write(rule)
            self.header_done = True
        el = time.time() - self.start
        hms = f"{int(el // 3600):02d}:{int(el % 3600 // 60):02d}:{int(el % 60):02d}"
        fmt_m = (lambda v: f"{v:.2f}%") if m == "Accuracy" else (lambda v: f"{v:.4f}")
        vm = fmt_m(val[1]) if val else ""
        vl = f"{val[0]:.4f}" if val else ""
        cells = (str(epoch), str(iteration), hms, fmt_m(metric), vm, f"{loss:.4f}", vl,
                 f"{lr:.4g}")
        self._write("| " + " | ".join(f"{c:^14}" for c in cells) + " |")

    def close(self, reason, final_validation=None):
        """MATLAB ends the table with the last iteration's row (and the final validation)."""
        if self.bar is not None:
            self.bar.close()
        if self.opts.Verbose and self.last is not None:
            if self.printed != self.last[1] or final_validation is not None:
                self._row(*self.last[:5], final_validation or self.last[5])
            self._write("|" + "=" * 138 + "|")
            self._write(f"Training finished: {reason}.")


def save_progress_plot(info: TrainingInfo, path: str) -> str:
    """Save loss and metric against iteration (training and validation) as a PNG."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        from ..errors import OptionError

        raise OptionError("Plots='training-progress' needs matplotlib: pip install matplotlib "
                          "(or pip install 'layergraph[plot]')") from exc
    m = info.metric
    it = list(range(1, len(info["TrainingLoss"]) + 1))
    fig, axes = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    for ax, key, label in ((axes[0], m, m + (" (%)" if m == "Accuracy" else "")),
                           (axes[1], "Loss", "Loss")):
        ax.plot(it, info[f"Training{key}"], label="Training", color="tab:blue", lw=1)
        vi = [(i, v) for i, v in zip(it, info[f"Validation{key}"]) if not math.isnan(v)]
        if vi:
            ax.plot(*zip(*vi), "o--", label="Validation", color="black", ms=3)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    axes[1].set_xlabel("Iteration")
    fig.suptitle("Training progress")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
