"""Learning-rate schedules: trainingOptions' ``LearnRateSchedule`` with R2024b's names and objects.

A schedule scales the base learning rate (``InitialLearnRate``) by a factor that depends on how
many steps of its ``FrequencyUnit`` ('epoch' or 'iteration') have been completed, k = 0, 1, ...:

  piecewiseLearnRate    DropFactor ** floor(k / Period)
  exponentialLearnRate  DropFactor ** (k / Period)
  warmupLearnRate       InitialFactor + (FinalFactor - InitialFactor) * min(k, NumSteps) / NumSteps
  polynomialLearnRate   FinalFactor + (InitialFactor - FinalFactor) * (1 - t) ** Power,
                        t = min(k, NumSteps) / NumSteps
  cosineLearnRate       FinalFactor + (InitialFactor - FinalFactor) * (1 + cos(pi * j / P)) / 2,
                        j the steps into the current period P; P starts at Period and grows by
                        PeriodGrowth at each warm restart
  cyclicalLearnRate     triangular cycles of Period steps: from 1 up to MaxFactor over
                        StepRatio * Period steps, and back down to 1

``LearnRateSchedule`` takes a name ('none', 'piecewise', 'warmup', 'polynomial', 'exponential',
'cosine', 'cyclical'), a schedule object, or a list of them. In a list the schedules run one
after another: a schedule with ``NumSteps`` (warmup, polynomial) hands over to the next one once
its steps are done; the others run to the end of training.

The names take trainingOptions' settings as MATLAB documents: 'piecewise' uses
LearnRateDropFactor and LearnRateDropPeriod; 'polynomial' and 'cosine' span the whole training
(NumSteps and Period = MaxEpochs epochs). The formulas and defaults below are our reading of
MATLAB's schedule pages (the copies we could consult stop before the property defaults): where a
default differs from MATLAB's, give the property explicitly.
"""

from __future__ import annotations

import math
from typing import ClassVar

from ..errors import OptionError
from ..options import Choice, Number, Option, check_value, parse_name_value

_UNIT = Choice("epoch", "iteration")


class LearnRateSchedule:
    """A built-in schedule: properties are MATLAB's names, checked on construction."""

    NAME: ClassVar[str] = ""
    OPTIONS: ClassVar[dict[str, Option]] = {}
    FINITE: ClassVar[bool] = False  # whether it ends after NumSteps and hands over

    def __init__(self, *args, **kwargs):
        owner = type(self).__name__
        given = parse_name_value(owner, args, kwargs, self.OPTIONS)
        for name, opt in self.OPTIONS.items():
            value = check_value(owner, name, opt, given[name]) if name in given else opt.default
            object.__setattr__(self, name, value)
        self._check()

    def _check(self):
        pass

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is read-only; make a new one")

    def properties(self, only_changed=False) -> dict:
        return {n: getattr(self, n) for n, o in self.OPTIONS.items()
                if not only_changed or getattr(self, n) != o.default}

    def __eq__(self, other):
        return type(self) is type(other) and self.properties() == other.properties()

    def __hash__(self):
        return hash((type(self).__name__, tuple(self.properties().items())))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.properties(only_changed=True).items())
        return f"{type(self).__name__}({args})"

    def steps(self) -> float:
        """How many steps of FrequencyUnit this schedule lasts (inf: to the end)."""
        return self.NumSteps if self.FINITE else math.inf

    def factor(self, k: int) -> float:
        """The learning-rate factor after k completed steps of FrequencyUnit."""
        raise NotImplementedError


def _opts(**specs) -> dict[str, Option]:
    return {name: Option(kind, default, doc) for name, (kind, default, doc) in specs.items()}


_POSITIVE = Number(low=0, low_open=True)
_FACTOR = Number(low=0)
_STEPS = Number(integer=True, low=1)


class piecewiseLearnRate(LearnRateSchedule):  # noqa: N801 - MATLAB's name
    NAME = "piecewise"
    OPTIONS = _opts(DropFactor=(Number(low=0, high=1), 0.1, "factor applied at each drop"),
                    Period=(_STEPS, 10, "steps between drops"),
                    FrequencyUnit=(_UNIT, "epoch", "what a step is"))

    def factor(self, k):
        return self.DropFactor ** (k // self.Period)


class exponentialLearnRate(LearnRateSchedule):  # noqa: N801
    NAME = "exponential"
    OPTIONS = _opts(DropFactor=(Number(low=0, high=1, low_open=True), 0.1,
                                "factor reached after each Period"),
                    Period=(_POSITIVE, 1, "steps over which the rate drops by DropFactor"),
                    FrequencyUnit=(_UNIT, "epoch", "what a step is"))

    def factor(self, k):
        return self.DropFactor ** (k / self.Period)


class warmupLearnRate(LearnRateSchedule):  # noqa: N801
    NAME = "warmup"
    FINITE = True
    OPTIONS = _opts(InitialFactor=(_FACTOR, 0.1, "factor at the first step"),
                    FinalFactor=(_FACTOR, 1.0, "factor reached after NumSteps"),
                    NumSteps=(_STEPS, 5, "warm-up steps"),
                    FrequencyUnit=(_UNIT, "iteration", "what a step is"))

    def factor(self, k):
        t = min(k, self.NumSteps) / self.NumSteps
        return self.InitialFactor + (self.FinalFactor - self.InitialFactor) * t


class polynomialLearnRate(LearnRateSchedule):  # noqa: N801
    NAME = "polynomial"
    FINITE = True
    OPTIONS = _opts(InitialFactor=(_FACTOR, 1.0, "factor at the first step"),
                    FinalFactor=(_FACTOR, 0.0, "factor reached after NumSteps"),
                    Power=(_POSITIVE, 1.0, "exponent of the power law"),
                    NumSteps=(_STEPS, 10, "steps of the decay"),
                    FrequencyUnit=(_UNIT, "epoch", "what a step is"))

    def factor(self, k):
        left = 1 - min(k, self.NumSteps) / self.NumSteps
        return self.FinalFactor + (self.InitialFactor - self.FinalFactor) * left ** self.Power


class cosineLearnRate(LearnRateSchedule):  # noqa: N801
    NAME = "cosine"
    OPTIONS = _opts(InitialFactor=(_FACTOR, 1.0, "factor at the start of each period"),
                    FinalFactor=(_FACTOR, 0.0, "factor approached at the end of each period"),
                    Period=(_STEPS, 10, "steps of the first period"),
                    PeriodGrowth=(Number(low=1), 1.0, "factor by which each period grows"),
                    FrequencyUnit=(_UNIT, "epoch", "what a step is"))

    def factor(self, k):
        period, g = float(self.Period), self.PeriodGrowth
        if g == 1:
            j = k % period
        else:  # warm restart n starts at Period * (g**n - 1) / (g - 1)
            n = math.floor(math.log1p(k * (g - 1) / period) / math.log(g))
            start = period * (g ** n - 1) / (g - 1)
            if start > k:  # rounding at a boundary
                n, start = n - 1, period * (g ** (n - 1) - 1) / (g - 1)
            period *= g ** n
            if k - start >= period:
                start, period = start + period, period * g
            j = k - start
        lo, hi = self.FinalFactor, self.InitialFactor
        return lo + (hi - lo) * (1 + math.cos(math.pi * j / period)) / 2


class cyclicalLearnRate(LearnRateSchedule):  # noqa: N801
    NAME = "cyclical"
    OPTIONS = _opts(MaxFactor=(Number(low=1), 10.0, "factor at the top of each cycle"),
                    StepRatio=(Number(low=0, high=1, low_open=True, high_open=True), 0.5,
                               "share of a cycle spent rising"),
                    Period=(_STEPS, 10, "steps of one cycle"),
                    FrequencyUnit=(_UNIT, "epoch", "what a step is"))

    def factor(self, k):
        j = k % self.Period
        up = self.StepRatio * self.Period
        t = j / up if j < up else (self.Period - j) / (self.Period - up)
        return 1 + (self.MaxFactor - 1) * t


SCHEDULES = {cls.NAME: cls for cls in (piecewiseLearnRate, exponentialLearnRate, warmupLearnRate,
                                       polynomialLearnRate, cosineLearnRate, cyclicalLearnRate)}
"""The built-in schedules by trainingOptions' name."""

NAMES = ("none", *SCHEDULES)


def as_schedule(value):
    """LearnRateSchedule's value, normalised: 'none', a name, a schedule object, or a tuple of
    names and objects. A spec writes an object with changed properties as ``{name: {...}}``."""
    if isinstance(value, (list, tuple)):
        if not value:
            raise ValueError("expected a schedule or a non-empty list of them, got []")
        items = tuple(_one(v) for v in value)
        if "none" in items:
            raise ValueError("'none' cannot be part of a list of schedules")
        return items[0] if len(items) == 1 else items
    return _one(value)


def _one(value):
    if isinstance(value, LearnRateSchedule):
        return value
    if isinstance(value, str):
        return Choice(*NAMES)(value)
    if isinstance(value, dict) and len(value) == 1:
        (name, props), = value.items()
        cls = SCHEDULES.get(Choice(*SCHEDULES)(name))
        if not isinstance(props, dict):
            raise ValueError(f"expected {{{name}: {{Property: value, ...}}}}, got {value!r}")
        try:
            return cls(**props)
        except OptionError as exc:
            raise ValueError(str(exc)) from None
    raise ValueError(f"expected a schedule name ({', '.join(repr(n) for n in NAMES)}), a "
                     f"schedule object such as warmupLearnRate(...), or a list of them; got "
                     f"{value!r}")


def spec_form(value):
    """The schedule as a spec writes it: names, or ``{name: {changed properties}}``."""
    if isinstance(value, tuple):
        return [spec_form(v) for v in value]
    if isinstance(value, LearnRateSchedule):
        changed = value.properties(only_changed=True)
        return {value.NAME: changed} if changed else value.NAME
    return value


def _resolved(opts) -> list[LearnRateSchedule]:
    """The schedule objects trainingOptions' settings stand for, in the order they run."""
    value = opts.LearnRateSchedule
    items = value if isinstance(value, tuple) else (value,)
    out = []
    for item in items:
        if item == "none":
            continue
        if item == "piecewise":
            item = piecewiseLearnRate(DropFactor=opts.LearnRateDropFactor,
                                      Period=opts.LearnRateDropPeriod)
        elif item == "polynomial":
            item = polynomialLearnRate(NumSteps=opts.MaxEpochs)
        elif item == "cosine":
            item = cosineLearnRate(Period=opts.MaxEpochs)
        elif isinstance(item, str):
            item = SCHEDULES[item]()
        out.append(item)
    return out


def learn_rate(opts, epoch: int, iteration: int, per_epoch: int) -> float:
    """The learning rate for 1-based ``epoch`` and ``iteration`` (the one about to run), with
    ``per_epoch`` iterations an epoch. Pure: a resumed training computes the same rates."""
    done_it, done_ep = iteration - 1, epoch - 1
    start_it = start_ep = 0  # where the running schedule started
    for schedule in (schedules := _resolved(opts)):
        by_epoch = schedule.FrequencyUnit == "epoch"
        k = done_ep - start_ep if by_epoch else done_it - start_it
        if k < schedule.steps() or schedule is schedules[-1]:
            return opts.InitialLearnRate * schedule.factor(max(k, 0))
        # this schedule is over: the next starts where it ended
        if by_epoch:
            start_ep += schedule.NumSteps
            start_it = start_ep * per_epoch
        else:
            start_it += schedule.NumSteps
            start_ep = start_it // max(per_epoch, 1)
    return opts.InitialLearnRate
