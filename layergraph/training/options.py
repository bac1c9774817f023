"""trainingOptions: MATLAB's names, values and defaults, validated on construction.

    opts = trainingOptions('adam', 'MaxEpochs', 50, 'MiniBatchSize', 27, 'GradientThreshold', 1)
    opts = trainingOptions("adam", MaxEpochs=50, MiniBatchSize=27, GradientThreshold=1)

Two options are layergraph's own: ``Seed`` (0 by default, so a script gives the same result
every time it runs, as a fresh MATLAB session starts from the same generator state;
``Seed='shuffle'`` seeds from the clock instead, as MATLAB's ``rng('shuffle')``) and
``PaddingInvariant`` (True by default: padded steps never change results; False reproduces
MATLAB's treatment of padding as data, for bit-for-bit parity of padded batches).
"""

from __future__ import annotations

import math
import os

import numpy as np

from ..errors import OptionError
from ..options import (
    SEQUENCE_OPTIONS,
    Bool,
    Choice,
    Kind,
    Number,
    OneOf,
    Option,
    Text,
    check_value,
    parse_name_value,
)

SOLVERS = ("sgdm", "adam", "rmsprop", "lbfgs", "lm")
FULL_BATCH_SOLVERS = ("lbfgs", "lm")
"""Solvers that process the whole training set in every iteration (MATLAB's TrainingOptionsLBFGS
and TrainingOptionsLM): they take MaxIterations and their own options instead of mini-batches,
epochs and learning rates."""
CLASSIFICATION_LOSSES = ("crossentropy", "index-crossentropy", "binary-crossentropy")
REGRESSION_LOSSES = ("mse", "mean-squared-error", "l2loss", "mae", "mean-absolute-error", "l1loss",
                     "huber")
LOSS_NAMES = (*CLASSIFICATION_LOSSES, *REGRESSION_LOSSES)
"""trainnet's built-in loss names (training/objectives.py computes them); declared here, with no
torch, so specs can name one."""
DEFAULT_LEARN_RATE = {"sgdm": 0.01, "adam": 0.001, "rmsprop": 0.001, "lbfgs": 1.0, "lm": 1.0}
DEFAULT_SQUARED_DECAY = {"adam": 0.999, "rmsprop": 0.9}


class Anything(Kind):
    description = "data"
    schema = {}


class Positive(Kind):
    """A positive number, or Inf (MATLAB's 'no threshold' / 'no patience')."""

    def __init__(self, integer=False):
        self.integer = integer
        self.description = f"a positive {'integer' if integer else 'number'} or Inf"
        self.schema = {"oneOf": [{"type": "integer" if integer else "number",
                                  "exclusiveMinimum": 0}, {"enum": ["Inf", "inf"]}]}

    def __call__(self, value):
        if isinstance(value, str) and value.lower() in ("inf", "infinity"):
            return math.inf
        if isinstance(value, (int, float, np.number)) and value == math.inf:
            return math.inf
        return Number(integer=self.integer, low=0, low_open=True)(value)


class MetricList(Kind):
    """trainnet's Metrics: a name, a metric object, or a list of them; checked by
    training.metrics (which knows the names)."""

    description = ("a metric name ('accuracy', 'rmse', 'fscore', 'precision', 'recall', 'auc', "
                   "'mape') or metric object (in a spec {fscore: {AverageType: macro}}), or a "
                   "list of them")
    _one = {"oneOf": [{"type": "string"},
                      {"type": "object", "minProperties": 1, "maxProperties": 1,
                       "additionalProperties": {"type": "object"}}]}
    schema = {"oneOf": [_one, {"type": "array", "items": _one}]}

    def __call__(self, value):
        from .metrics import as_metrics

        return as_metrics(value)


class ScheduleKind(Kind):
    """LearnRateSchedule: a name, a schedule object or a list of them (training.schedules)."""

    _names = ["none", "piecewise", "warmup", "polynomial", "exponential", "cosine", "cyclical"]
    _one = {"oneOf": [{"enum": _names},
                      {"type": "object", "minProperties": 1, "maxProperties": 1,
                       "propertyNames": {"enum": _names[1:]},
                       "additionalProperties": {"type": "object"}}]}
    description = ("'none', 'piecewise', 'warmup', 'polynomial', 'exponential', 'cosine', "
                   "'cyclical', a schedule object, or a list of them")
    schema = {"oneOf": [_one, {"type": "array", "minItems": 1, "items": _one}]}

    def __call__(self, value):
        from .schedules import as_schedule

        return as_schedule(value)


class DataFormats(Kind):
    """A dimension order in dlarray letters (B, T, C, S), or 'auto'; or a list of them, one
    per input (or output) of a network with several (MATLAB's cell array of formats)."""

    description = ("'auto' or dimension letters such as 'TC', 'CT', 'BTC', 'CTB', 'BC', "
                   "'SSCB', or a list of them (one per input or output)")
    _one = {"type": "string", "pattern": "^(auto|[BTCS]+)$"}
    schema = {"oneOf": [_one, {"type": "array", "items": _one, "minItems": 1}]}

    def __call__(self, value):
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValueError(f"expected {self.description}, got an empty list")
            return tuple(self(v) for v in value)
        if isinstance(value, np.str_):
            value = str(value)
        if not isinstance(value, str):
            raise ValueError(f"expected {self.description}, got {value!r}")
        if value.lower() == "auto":
            return "auto"
        fmt = value.upper()
        if not fmt or set(fmt) - set("BTCS") or len(set(fmt) - {"S"}) != len(fmt) - fmt.count("S"):
            raise ValueError(f"expected {self.description}, got {value!r}: each of B, T, C at "
                             "most once")
        if "C" not in fmt:
            raise ValueError(f"expected {self.description}, got {value!r}: a format needs C "
                             "(channels)")
        return fmt


OPTIONS = {
    "InitialLearnRate": Option(Number(low=0, low_open=True), None,
                               "initial learning rate (sgdm 0.01, adam/rmsprop 0.001)"),
    "Momentum": Option(Number(low=0, high=1), 0.9, "sgdm momentum"),
    "GradientDecayFactor": Option(Number(low=0, high=1, high_open=True), 0.9,
                                  "adam gradient moving-average decay"),
    "SquaredGradientDecayFactor": Option(Number(low=0, high=1, high_open=True), None,
                                         "adam 0.999, rmsprop 0.9"),
    "Epsilon": Option(Number(low=0, low_open=True), 1e-8, "denominator offset (adam, rmsprop)"),
    "LearnRateSchedule": Option(ScheduleKind(), "none",
                                "learning rate schedule: 'none', 'piecewise', 'warmup', "
                                "'polynomial', 'exponential', 'cosine', 'cyclical', a schedule "
                                "object (warmupLearnRate(...), ...) or a list run in turn"),
    "LearnRateDropFactor": Option(Number(low=0, high=1), 0.1, "piecewise drop factor"),
    "LearnRateDropPeriod": Option(Number(integer=True, low=1), 10, "epochs between drops"),
    "MaxEpochs": Option(Number(integer=True, low=1), 30, "number of epochs"),
    "MiniBatchSize": Option(Number(integer=True, low=1), 128, "observations per mini-batch"),
    "Shuffle": Option(Choice("once", "never", "every-epoch"), "once", "data shuffling"),
    "L2Regularization": Option(Number(low=0), 1e-4, "L2 regularization factor"),
    "GradientThreshold": Option(Positive(), math.inf, "gradient clipping threshold"),
    "GradientThresholdMethod": Option(Choice("l2norm", "global-l2norm", "absolute-value"),
                                      "l2norm", "gradient clipping method"),
    **SEQUENCE_OPTIONS,  # SequenceLength, SequencePaddingDirection/Value, PaddingInvariant
    "ValidationData": Option(Anything(), None, "(X, Y) validation data"),
    "ValidationFrequency": Option(Number(integer=True, low=1), 50, "iterations between "
                                  "validations"),
    "ValidationPatience": Option(Positive(integer=True), math.inf, "validations without "
                                 "improvement before stopping"),
    "NonFiniteLoss": Option(Choice("error", "stop"), "error",
                            "layergraph: when the loss or a gradient becomes NaN or Inf, 'error' "
                            "raises TrainingDiverged (holding the last finite network), 'stop' "
                            "warns and ends training there, as MATLAB does"),
    "OutputNetwork": Option(Choice("last-iteration", "best-validation-loss", "best-validation",
                                   "auto"), "last-iteration",
                            "which network to return: 'best-validation' (trainnet's name; "
                            "'best-validation-loss' the older one) picks the best "
                            "ObjectiveMetricName on the validation data; 'auto' is "
                            "'best-validation' with ValidationData, else 'last-iteration'"),
    "Metrics": Option(MetricList(), [], "trainnet: metrics to compute and show, e.g. "
                      "'accuracy', 'rmse', 'fscore', or metric objects (accuracyMetric(...))"),
    "ObjectiveMetricName": Option(Text(), "loss", "trainnet: the metric that ValidationPatience"
                                  " and OutputNetwork='best-validation' watch ('loss' or the "
                                  "Name of one of the Metrics)"),
    "InputDataFormats": Option(DataFormats(), "auto", "trainnet: dimension order of the "
                               "predictors, e.g. 'TC' (each sequence time by channel; the "
                               "default for a list), 'CT', 'BTC' (an N x T x C array; the "
                               "default for an array), 'CTB', 'TCB', 'BC'"),
    "TargetDataFormats": Option(DataFormats(), "auto", "trainnet: dimension order of the "
                                "targets, in the same letters"),
    "Acceleration": Option(Choice("auto", "none"), "auto", "trainnet: accepted for MATLAB "
                           "code; layergraph's engine is the same either way"),
    "Verbose": Option(Bool(), True, "print MATLAB's progress table"),
    "VerboseFrequency": Option(Number(integer=True, low=1), 50, "iterations between rows"),
    "Plots": Option(Choice("none", "training-progress"), "none",
                    "'training-progress' saves a PNG plot of loss and metric"),
    "CheckpointPath": Option(Text(), "", "folder for checkpoints ('' for none)"),
    "CheckpointFrequency": Option(Number(integer=True, low=1), 1, "write a checkpoint every "
                                  "this many epochs or iterations (CheckpointFrequencyUnit)"),
    "CheckpointFrequencyUnit": Option(Choice("epoch", "iteration"), "epoch",
                                      "the unit of CheckpointFrequency"),
    "ExecutionEnvironment": Option(Choice("auto", "cpu", "gpu", "multi-gpu", "parallel"), "auto",
                                   "hardware: 'auto' uses a CUDA GPU when present; 'multi-gpu' "
                                   "one worker process per GPU of this machine (NCCL); "
                                   "'parallel' workers launched by torchrun, on several "
                                   "machines, or on CPUs (gloo); MiniBatchSize is divided "
                                   "among the workers"),
    "ResetInputNormalization": Option(Bool(), True, "recompute input normalization statistics"),
    "Seed": Option(OneOf(Choice("shuffle", "none"), Number(integer=True, low=0, high=2**63 - 1)),
                   0, "layergraph: seed of the initialization, shuffling and dropout; 0 by "
                   "default (every run repeats), 'shuffle' for a new seed each run"),
    "ProgressBar": Option(Bool(), True, "layergraph: show a progress bar while training"),
    "PlotPath": Option(Text(), "training-progress.png",
                       "layergraph: where Plots='training-progress' saves its PNG"),
}


FULL_BATCH_OPTIONS = {
    "MaxIterations": Option(Number(integer=True, low=1), 1000,
                            "lbfgs/lm: iterations, each one pass over the whole training set"),
    "GradientTolerance": Option(Number(low=0), 1e-5, "lbfgs/lm: stop when no gradient element "
                                "exceeds this in magnitude"),
    "StepTolerance": Option(Number(low=0), 1e-5, "lbfgs/lm: stop when no element of a step "
                            "exceeds this in magnitude"),
}
SOLVER_OPTIONS = {
    "lbfgs": {
        "LineSearchMethod": Option(Choice("weak-wolfe", "strong-wolfe", "backtracking"),
                                   "weak-wolfe", "lbfgs: how the step length is found"),
        "HistorySize": Option(Number(integer=True, low=1), 10,
                              "lbfgs: updates kept to approximate the inverse Hessian"),
        "InitialInverseHessianFactor": Option(Number(low=0, low_open=True), 1.0,
                                              "lbfgs: scale of the first step's inverse Hessian"),
        "MaxNumLineSearchIterations": Option(Number(integer=True, low=1), 20,
                                             "lbfgs: loss evaluations per line search"),
    },
    "lm": {
        "InitialDampingFactor": Option(Number(low=0, low_open=True), 0.001,
                                       "lm: damping of the first iteration"),
        "MaxDampingFactor": Option(Number(low=0, low_open=True), 1e10,
                                   "lm: training stops when the damping would pass this"),
        "DampingIncreaseFactor": Option(Number(low=1, low_open=True), 10.0,
                                        "lm: damping times this after a rejected step"),
        "DampingDecreaseFactor": Option(Number(low=0, high=1, low_open=True, high_open=True),
                                        0.1, "lm: damping times this after an accepted step"),
    },
}
OPTIONS.update(FULL_BATCH_OPTIONS)
for _own in SOLVER_OPTIONS.values():
    OPTIONS.update(_own)
STOCHASTIC_ONLY = ("InitialLearnRate", "Momentum", "GradientDecayFactor",
                   "SquaredGradientDecayFactor", "Epsilon", "LearnRateSchedule",
                   "LearnRateDropFactor", "LearnRateDropPeriod", "MaxEpochs", "MiniBatchSize",
                   "Shuffle", "GradientThreshold", "GradientThresholdMethod")
"""Options of the mini-batch solvers that a full-batch solver has not."""

_SOLVER = Option(Choice(*SOLVERS))
PLOT_FORMATS = ("png", "pdf", "svg", "jpg", "jpeg", "eps", "ps", "tif", "tiff", "webp")
_NAMES = list(OPTIONS)


class TrainingOptions:
    """Validated training options; attributes are MATLAB's option names."""

    def __init__(self, solver, values):
        object.__setattr__(self, "SolverName", solver)
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name):
        values = self.__dict__.get("_values", {})
        if name in values:
            return values[name]
        raise AttributeError(f"trainingOptions has no option '{name}'")

    def __setattr__(self, name, value):
        raise AttributeError("trainingOptions are read-only; build new ones with "
                             "trainingOptions(...) or opts.replace(Name=value)")

    def replace(self, **changes):
        given = {k: v for k, v in self._values.items() if k in self._given}
        given.update(changes)
        return trainingOptions(self.SolverName, **given)

    @property
    def _given(self):
        return self.__dict__.get("_given_names", set(self._values))

    def to_dict(self, only_given=False) -> dict:
        """Options as a plain dict (the solver under 'SolverName'); ValidationData left out."""
        names = self._given if only_given else self._values
        out = {"SolverName": self.SolverName}
        out.update({k: self._values[k] for k in self._values if k in names
                    and k != "ValidationData"})
        return out

    def __eq__(self, other):
        return isinstance(other, TrainingOptions) and self.to_dict() == other.to_dict()

    def __repr__(self):
        given = ", ".join(f"{k}={v!r}" for k, v in self.to_dict(only_given=True).items()
                          if k != "SolverName")
        return f"trainingOptions({self.SolverName!r}{', ' if given else ''}{given})"


def _check_solver_options(solver, given):
    """An option of another kind of solver is refused, naming the solvers it belongs to."""
    for name in given:
        owners = [s for s, own in SOLVER_OPTIONS.items() if name in own]
        if name in FULL_BATCH_OPTIONS:
            owners = list(FULL_BATCH_SOLVERS)
        wrong = (owners and solver not in owners) or (
            solver in FULL_BATCH_SOLVERS and name in STOCHASTIC_ONLY)
        if not wrong:
            continue
        if owners:
            why = f"it is an option of the {' and '.join(repr(o) for o in owners)} solver"
        else:
            why = (f"the '{solver}' solver processes the whole training set in every "
                   "iteration (MaxIterations) and takes no mini-batch, epoch, learning-rate or "
                   "clipping options")
        raise OptionError(f"'{name}' is not an option of the '{solver}' solver: {why}",
                          owner="trainingOptions", option=name, part="name",
                          expected=f"options of the '{solver}' solver")


def trainingOptions(solverName, *args, **kwargs) -> TrainingOptions:
    """MATLAB's trainingOptions(solverName, Name, Value, ...)."""
    solver = check_value("trainingOptions", "solverName", _SOLVER, solverName)
    given = parse_name_value("trainingOptions", args, kwargs, _NAMES)
    _check_solver_options(solver, given)
    values = {}
    for name, opt in OPTIONS.items():
        values[name] = check_value("trainingOptions", name, opt, given[name]) if name in given \
            else opt.default
    if solver in FULL_BATCH_SOLVERS:  # one iteration = one pass over the whole training set
        values.update(MaxEpochs=values["MaxIterations"], MiniBatchSize=2 ** 62, Shuffle="never")
    if values["InitialLearnRate"] is None:
        values["InitialLearnRate"] = DEFAULT_LEARN_RATE[solver]
    if values["SquaredGradientDecayFactor"] is None:
        values["SquaredGradientDecayFactor"] = DEFAULT_SQUARED_DECAY.get(solver, 0.9)
    vd = values["ValidationData"]
    if vd is not None and not (isinstance(vd, (tuple, list)) and len(vd) == 2):
        raise OptionError("ValidationData must be a pair (XValidation, YValidation)",
                          owner="trainingOptions", option="ValidationData", part="value",
                          expected="a pair (XValidation, YValidation)")
    ext = os.path.splitext(values["PlotPath"])[1].lower().lstrip(".")
    if ext not in PLOT_FORMATS:
        raise OptionError(f"PlotPath {values['PlotPath']!r} has no image extension matplotlib "
                          f"writes", owner="trainingOptions", option="PlotPath", part="value",
                          expected="a file name ending in " + ", ".join(f".{f}" for f in
                                                                        PLOT_FORMATS))
    if values["Seed"] in ("shuffle", "none"):  # 'none': the earlier spelling of 'shuffle'
        values["Seed"] = None
    opts = TrainingOptions(solver, values)
    object.__setattr__(opts, "_given_names", set(given))
    return opts
