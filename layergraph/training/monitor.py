"""Watching training: the training-info record, MATLAB's verbose table, a progress bar, a plot.

The record is MATLAB's ``info``: per-iteration TrainingLoss, TrainingAccuracy (or TrainingRMSE),
BaseLearnRate, and ValidationLoss / ValidationAccuracy (NaN where no validation ran), plus
FinalValidationLoss, FinalValidationAccuracy, OutputNetworkIteration and StopReason (why
training ended, as trainnet's info says it).
"""

from __future__ import annotations

import math
import sys
import time


class TrainingInfo(dict):
    """MATLAB's training info; a dict with attribute access (info.TrainingLoss).

    Per iteration: Epoch, TrainingLoss, Training<metric> for each metric, BaseLearnRate, and
    ValidationLoss / Validation<metric> (NaN where no validation ran). ``TrainingHistory`` and
    ``ValidationHistory`` give the same as trainnet's tables (one dict of columns each).
    """

    def __init__(self, metrics):
        super().__init__()
        self.metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        self["Iteration"], self["Epoch"], self["TrainingLoss"] = [], [], []
        for m in self.metrics:
            self[f"Training{m}"] = []
        self["BaseLearnRate"], self["ValidationLoss"] = [], []
        for m in self.metrics:
            self[f"Validation{m}"] = []
        self["FinalValidationLoss"] = math.nan
        for m in self.metrics:
            self[f"FinalValidation{m}"] = math.nan
        self["OutputNetworkIteration"] = 0
        self["StopReason"] = ""

    @property
    def metric(self):
        """The first metric's name (what the progress plot draws), or None."""
        return self.metrics[0] if self.metrics else None

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def record(self, iteration, epoch, loss, metrics, lr):
        self["Iteration"].append(iteration)
        self["Epoch"].append(epoch)
        self["TrainingLoss"].append(loss)
        for m, v in zip(self.metrics, metrics):
            self[f"Training{m}"].append(v)
        self["BaseLearnRate"].append(lr)
        self["ValidationLoss"].append(math.nan)
        for m in self.metrics:
            self[f"Validation{m}"].append(math.nan)

    def record_validation(self, loss, metrics):
        self["ValidationLoss"][-1] = loss
        for m, v in zip(self.metrics, metrics):
            self[f"Validation{m}"][-1] = v

    def record_final_validation(self, loss, metrics):
        self["FinalValidationLoss"] = loss
        for m, v in zip(self.metrics, metrics):
            self[f"FinalValidation{m}"] = v

    @property
    def TrainingHistory(self) -> dict:
        cols = ["Iteration", "Epoch", "TrainingLoss", *(f"Training{m}" for m in self.metrics),
                "BaseLearnRate"]
        return {c: list(self[c]) for c in cols}

    @property
    def ValidationHistory(self) -> dict:
        rows = [i for i, v in enumerate(self["ValidationLoss"]) if not math.isnan(v)]
        cols = ["ValidationLoss", *(f"Validation{m}" for m in self.metrics)]
        out = {"Iteration": [self["Iteration"][i] for i in rows],
               "Epoch": [self["Epoch"][i] for i in rows]}
        out.update({c: [self[c][i] for i in rows] for c in cols})
        return out

    def to_state(self):
        return {"metrics": self.metrics, "data": {k: v for k, v in self.items()}}

    @classmethod
    def from_state(cls, state):
        info = cls(state["metrics"] if "metrics" in state else [state["metric"]])
        info.update(state["data"])
        return info


COLUMNS = ("Epoch", "Iteration", "Time Elapsed", "{metrics}", "Mini-batch Loss",
           "Validation Loss", "Base Learn Rate")


class Monitor:
    """Progress while training: MATLAB's verbose table, and a progress bar on a terminal or one
    line per epoch off a terminal (a log, a pipe, CI), as Keras' ``verbose=2`` does."""

    def __init__(self, opts, total_iterations, metrics, out=None, stream=None, done=0):
        self.opts = opts
        self.metrics = [metrics] if isinstance(metrics, str) else list(metrics)
        self.out = out or sys.stdout
        self.stream = stream or sys.stderr  # where the bar or the epoch lines go
        self.start = time.time()
        self.total = total_iterations
        self.bar = None
        self.epoch_lines = False
        if opts.ProgressBar:
            if _is_terminal(self.stream):
                from tqdm.auto import tqdm

                self.bar = tqdm(total=total_iterations, initial=done, unit="it", leave=True,
                                file=self.stream, dynamic_ncols=True)
            elif not opts.Verbose:  # the table already reports progress when it prints
                self.epoch_lines = True
        cols = []
        for c in COLUMNS:
            if c == "{metrics}":
                for m in self.metrics:
                    cols += [f"Mini-batch {m}", f"Validation {m}"]
            else:
                cols.append(c)
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

    @staticmethod
    def _metric_text(value, name="Accuracy"):
        return f"{value:.2f}%" if name == "Accuracy" else f"{value:.4f}"

    def _metrics_text(self, values, sep="  ", prefix=""):
        return sep.join(f"{prefix}{m.lower()} {self._metric_text(v, m)}"
                        for m, v in zip(self.metrics, values))

    def iteration(self, epoch, iteration, loss, metric, lr, val=None):
        """One iteration's row; ``metric`` is the list of metric values (one value alone is
        taken as a list of one), ``val`` (loss, metric values) when validation ran."""
        metric = _as_list(metric)
        if val is not None:
            val = (val[0], _as_list(val[1]))
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
                    **{m.lower(): self._metric_text(v, m) for m, v in zip(self.metrics, metric)},
                    "lr": f"{lr:.2g}"}
            if val is not None:
                post["val_loss"] = f"{val[0]:.4f}"
            self.bar.set_postfix(post, refresh=False)
        if self.opts.Verbose and (iteration == 1 or iteration % self.opts.VerboseFrequency == 0
                                  or val is not None):
            self._row(epoch, iteration, loss, metric, lr, val)
            self.printed, self.printed_val = iteration, val is not None

    def _epoch_line(self, epoch, iteration, loss, metric, lr, val):
        line = (f"epoch {epoch}/{self.opts.MaxEpochs}  iteration {iteration}/{self.total}  "
                f"loss {loss:.4f}")
        if self.metrics:
            line += "  " + self._metrics_text(metric)
        if val is not None:
            line += f"  val_loss {val[0]:.4f}"
            if self.metrics:
                line += "  " + self._metrics_text(val[1], prefix="val_")
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
        cells = [str(epoch), str(iteration), hms]
        for i, m in enumerate(self.metrics):
            cells += [self._metric_text(metric[i], m), self._metric_text(val[1][i], m) if val
                      else ""]
        cells += [f"{loss:.4f}", f"{val[0]:.4f}" if val else "", f"{lr:.4g}"]
        self._write(self._cells(cells))

    def close(self, reason, final_validation=None):
        """MATLAB ends the table with the last iteration's row (with the final validation),
        unless that row is already there."""
        if self.bar is not None:
            self.bar.close()
        if self.epoch_lines and self.last is not None:
            fv = (final_validation[0], _as_list(final_validation[1])) if final_validation \
                else self.epoch_val
            self._epoch_line(*self.last[:5], fv)
            print(f"Training finished: {reason}.", file=self.stream, flush=True)
        if self.opts.Verbose and self.last is not None:
            shown = self.printed == self.last[1] and (self.printed_val or
                                                      final_validation is None)
            if not shown:
                fv = (final_validation[0], _as_list(final_validation[1])) if final_validation \
                    else self.last[5]
                self._row(*self.last[:5], fv)
            self._write(self._rule())
            self._write(f"Training finished: {reason}.")


def _as_list(values):
    return list(values) if isinstance(values, (list, tuple)) else [values]


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
    panels = [(m, m + (" (%)" if m == "Accuracy" else ""))] if m else []
    panels.append(("Loss", "Loss"))
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 3 * len(panels) + 0.5), sharex=True,
                             squeeze=False)
    axes = [a[0] for a in axes]
    for ax, (key, label) in zip(axes, panels):
        ax.plot(it, info[f"Training{key}"], label="Training", color="tab:blue", lw=1)
        vi = [(i, v) for i, v in zip(it, info[f"Validation{key}"]) if not math.isnan(v)]
        if vi:
            ax.plot(*zip(*vi), "o--", label="Validation", color="black", ms=3)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
        ax.legend()
    axes[-1].set_xlabel("Iteration")
    fig.suptitle("Training progress")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
