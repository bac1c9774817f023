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


COLUMNS = ("Epoch", "Iteration", "Time Elapsed", "Mini-batch {m}", "Validation {m}",
           "Mini-batch Loss", "Validation Loss", "Base Learn Rate")


class Monitor:
    """Progress while training: MATLAB's verbose table, and a progress bar on a terminal or one
    line per epoch off a terminal (a log, a pipe, CI), as Keras' ``verbose=2`` does."""

    def __init__(self, opts, total_iterations, metric, out=None, stream=None):
        self.opts, self.metric = opts, metric
        self.out = out or sys.stdout
        self.stream = stream or sys.stderr  # where the bar or the epoch lines go
        self.start = time.time()
        self.total = total_iterations
        self.bar = None
        self.epoch_lines = False
        if opts.ProgressBar:
            if _is_terminal(self.stream):
                from tqdm.auto import tqdm

                self.bar = tqdm(total=total_iterations, unit="it", leave=True,
                                file=self.stream, dynamic_ncols=True)
            elif not opts.Verbose:  # the table already reports progress when it prints
                self.epoch_lines = True
        cols = [c.format(m=metric) for c in COLUMNS]
        self.widths = [max(len(c), 14) for c in cols]
        self.header = cols
        self.header_done = False
        self.last, self.printed, self.printed_val = None, None, False
        self.epoch, self.epoch_val = None, None  # the epoch and its latest validation

    def _write(self, line):
        if self.bar is not None:
            self.bar.write(line, file=self.out)
        else:
            print(line, file=self.out, flush=True)

    def _metric_text(self, value):
        return f"{value:.2f}%" if self.metric == "Accuracy" else f"{value:.4f}"

    def iteration(self, epoch, iteration, loss, metric, lr, val=None):
        if self.epoch_lines and self.epoch is not None and epoch != self.epoch:
            self._epoch_line(*self.last[:5], self.epoch_val)
        if epoch != self.epoch:
            self.epoch, self.epoch_val = epoch, None
        if val is not None:
            self.epoch_val = val
        self.last = (epoch, iteration, loss, metric, lr, val)
        if self.bar is not None:
            self.bar.update(1)
            post = {"epoch": epoch, "loss": f"{loss:.4f}",
                    self.metric.lower(): self._metric_text(metric), "lr": f"{lr:.2g}"}
            if val is not None:
                post["val_loss"] = f"{val[0]:.4f}"
            self.bar.set_postfix(post, refresh=False)
        if self.opts.Verbose and (iteration == 1 or iteration % self.opts.VerboseFrequency == 0
                                  or val is not None):
            self._row(epoch, iteration, loss, metric, lr, val)
            self.printed, self.printed_val = iteration, val is not None

    def _epoch_line(self, epoch, iteration, loss, metric, lr, val):
        line = (f"epoch {epoch}/{self.opts.MaxEpochs}  iteration {iteration}/{self.total}  "
                f"loss {loss:.4f}  {self.metric.lower()} {self._metric_text(metric)}")
        if val is not None:
            line += f"  val_loss {val[0]:.4f}  val_{self.metric.lower()} {self._metric_text(val[1])}"
        line += f"  lr {lr:.3g}  {time.time() - self.start:.1f}s"
        print(line, file=self.stream, flush=True)

    def _rule(self):
        return "|" + "|".join("=" * (w + 2) for w in self.widths) + "|"

    def _cells(self, cells):
        return "| " + " | ".join(f"{c:^{w}}" for c, w in zip(cells, self.widths)) + " |"

    def _row(self, epoch, iteration, loss, metric, lr, val):
        if not self.header_done:
            self._write(self._rule())
            self._write(self._cells(self.header))
            self._write(self._rule())
            self.header_done = True
        el = time.time() - self.start
        hms = f"{int(el // 3600):02d}:{int(el % 3600 // 60):02d}:{int(el % 60):02d}"
        vm = self._metric_text(val[1]) if val else ""
        vl = f"{val[0]:.4f}" if val else ""
        self._write(self._cells((str(epoch), str(iteration), hms, self._metric_text(metric), vm,
                                 f"{loss:.4f}", vl, f"{lr:.4g}")))

    def close(self, reason, final_validation=None):
        """MATLAB ends the table with the last iteration's row (with the final validation),
        unless that row is already there."""
        if self.bar is not None:
            self.bar.close()
        if self.epoch_lines and self.last is not None:
            self._epoch_line(*self.last[:5], final_validation or self.epoch_val)
            print(f"Training finished: {reason}.", file=self.stream, flush=True)
        if self.opts.Verbose and self.last is not None:
            shown = self.printed == self.last[1] and (self.printed_val or
                                                      final_validation is None)
            if not shown:
                self._row(*self.last[:5], final_validation or self.last[5])
            self._write(self._rule())
            self._write(f"Training finished: {reason}.")


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


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
