"""Declarative option specifications shared by layers and trainingOptions.

An option knows its MATLAB name, default, the form of value it accepts (a validator that also
normalises, e.g. case of a choice) and a one-line doc. The same specification drives
construction-time validation, YAML schema generation and documentation, so none of them drift.
MATLAB name-value pairs (``'OutputMode','last'``) and Python keywords (``OutputMode="last"``) are
parsed into the same dictionary by :func:`parse_name_value`.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import OptionError

# ---------------------------------------------------------------------------------------------
# Value kinds: each validates and normalises a value, describes itself and gives a JSON schema.


class Kind:
    description = "a value"
    schema: dict = {}

    def __call__(self, value):
        return value


class Choice(Kind):
    def __init__(self, *values):
        self.values = values
        self.description = " | ".join(repr(v) for v in values)
        self.schema = {"type": "string", "enum": list(values)}

    def __call__(self, value):
        if isinstance(value, str):
            for v in self.values:
                if v.lower() == value.lower():
                    return v
        raise ValueError(f"expected one of {self.description}, got {value!r}")


class Number(Kind):
    """A real or integer scalar with optional bounds (``low_open`` excludes the low bound)."""

    def __init__(self, integer=False, low=None, high=None, low_open=False, high_open=False):
        self.integer, self.low, self.high = integer, low, high
        self.low_open, self.high_open = low_open, high_open
        what = "an integer" if integer else "a number"
        if low is not None and high is not None:
            lb, hb = "(" if low_open else "[", ")" if high_open else "]"
            what += f" in {lb}{low}, {high}{hb}"
        elif low is not None:
            what += f" {'>' if low_open else '>='} {low}"
        self.description = what
        self.schema = {"type": "integer" if integer else "number"}
        if low is not None:
            self.schema["exclusiveMinimum" if low_open else "minimum"] = low
        if high is not None:
            self.schema["exclusiveMaximum" if high_open else "maximum"] = high

    def __call__(self, value):
        value = _scalar(value)
        if (isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real)
                or (not isinstance(value, numbers.Integral) and not math.isfinite(value))):
            # Inf is no size, rate or scale; options where MATLAB gives Inf a meaning (no
            # threshold, no patience) use their own kind.
            raise ValueError(f"expected {self.description}, got {_show(value)}")
        if self.integer:
            if not isinstance(value, numbers.Integral) and (
                    not math.isfinite(value) or float(value) != int(value)):
                raise ValueError(f"expected {self.description}, got {_show(value)}")
            value = int(value)
        else:
            value = float(value)
        lo_bad = self.low is not None and (value <= self.low if self.low_open else value < self.low)
        hi_bad = self.high is not None and (
            value >= self.high if self.high_open else value > self.high
        )
        if lo_bad or hi_bad:
            raise ValueError(f"expected {self.description}, got {value!r}")
        return value


class SequenceLength(Kind):
    """MATLAB's SequenceLength: 'longest', 'shortest' or a positive integer."""

    description = "'longest', 'shortest' or a positive integer"
    schema = {"oneOf": [{"enum": ["longest", "shortest"]}, {"type": "integer", "minimum": 1}]}

    def __call__(self, value):
        return OneOf(Choice("longest", "shortest"), Number(integer=True, low=1))(value)


def PositiveInt():
    return Number(integer=True, low=1)


class Bool(Kind):
    description = "true or false (or 1/0)"
    schema = {"type": ["boolean", "integer"]}

    def __call__(self, value):
        value = _scalar(value)
        if isinstance(value, (bool, np.bool_)) or value in (0, 1):
            return bool(value)
        raise ValueError(f"expected true/false, got {value!r}")


class Text(Kind):
    description = "a string"
    schema = {"type": "string"}

    def __call__(self, value):
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {value!r}")
        return value


class IntVector(Kind):
    """A positive integer or a vector of them; ``lengths`` lists the allowed vector lengths.

    A scalar is expanded to the first allowed length (MATLAB's filterSize 5 means [5 5] in 2-D).
    """

    def __init__(self, lengths=(1,), low=1, expand=True):
        self.lengths, self.low, self.expand = tuple(lengths), low, expand
        self.description = f"an integer >= {low} or a vector of {' or '.join(map(str, lengths))}"
        self.schema = {
            "oneOf": [
                {"type": "integer", "minimum": low},
                {"type": "array", "items": {"type": "integer", "minimum": low}},
            ]
        }

    def __call__(self, value):
        arr = np.asarray(value)
        if arr.dtype.kind not in "iuf" or arr.ndim > 1 or np.any(arr != np.round(arr)):
            raise ValueError(f"expected {self.description}, got {value!r}")
        vals = tuple(int(v) for v in arr.reshape(-1))
        if len(vals) == 1 and self.expand:
            vals = vals * self.lengths[0]
        if len(vals) not in self.lengths or any(v < self.low for v in vals):
            raise ValueError(f"expected {self.description}, got {value!r}")
        return vals[0] if len(vals) == 1 else vals


class Array(Kind):
    """A numeric array (learnable parameter, state or statistic) or empty ``[]`` for unset."""

    description = "a numeric array, or [] to leave unset"
    schema = {"type": ["array", "number", "null"]}

    def __call__(self, value):
        if value is None:
            return None
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":  # text, objects, complex: never cast silently
            raise ValueError(f"expected real numbers, got an array of {arr.dtype}")
        arr = arr.astype(np.float64)
        if arr.size == 0:
            return None
        if not np.all(np.isfinite(arr)):
            raise ValueError("expected finite numbers, got NaN or Inf")
        return arr


class OneOf(Kind):
    """The first of several kinds that accepts the value (e.g. 'same' or numbers)."""

    def __init__(self, *kinds):
        self.kinds = kinds
        self.description = " or ".join(k.description for k in kinds)
        self.schema = {"anyOf": [k.schema for k in kinds]}  # the first that accepts: may overlap

    def __call__(self, value):
        for k in self.kinds:
            try:
                return k(value)
            except ValueError:
                pass
        raise ValueError(f"expected {self.description}, got {value!r}")


def _scalar(value):
    if hasattr(value, "item") and getattr(value, "size", None) is not None and not isinstance(
            value, np.ndarray) and callable(value.size):  # a one-element torch tensor
        return value.item() if value.numel() == 1 else value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.size == 1:
        return value.reshape(()).item()
    if isinstance(value, (list, tuple)) and len(value) == 1:
        return value[0]
    return value


@dataclass(frozen=True)
class LearnableFactors:
    """The options that scale one learnable's training: MATLAB's (...)LearnRateFactor and
    (...)L2Factor names, which differ in spelling between layers (WeightLearnRateFactor for a
    fully connected layer's Weights, InputWeightsLearnRateFactor for an LSTM's InputWeights)."""

    learn_rate: str
    l2: str


@dataclass
class Option:
    """One MATLAB property: its kind, default and meaning. ``learnable`` marks a learnable
    parameter and names its factor options."""

    kind: Kind
    default: Any = None
    doc: str = ""
    validate: Callable | None = field(default=None, repr=False)
    learnable: LearnableFactors | None = field(default=None, repr=False)


# ---------------------------------------------------------------------------------------------


def match_name(name: str, names) -> list[str]:
    """MATLAB's name-value rule: a name matches exactly, case-insensitively, or else as an
    unambiguous case-insensitive prefix ('MaxEpoch' -> 'MaxEpochs', 'minibatch' ->
    'MiniBatchSize'). Returns the matches: one name, several (ambiguous) or none."""
    key = str(name).lower()
    if not key:
        return []
    exact = [n for n in names if n.lower() == key]
    if exact:
        return exact[:1]
    return [n for n in names if n.lower().startswith(key)]


def canonical_name(name: str, names, owner: str, layer_type: str | None = None) -> str:
    """The option ``name`` stands for, by :func:`match_name`; an ambiguous prefix lists its
    candidates, an unknown name suggests the closest."""
    found = match_name(name, names)
    if len(found) == 1:
        return found[0]
    if found:
        raise OptionError(f"ambiguous option '{name}': it could be {_either(sorted(found))}; "
                          "give more of the name.", owner=owner, option=str(name), part="name",
                          layer_type=layer_type, expected="one of " + ", ".join(sorted(found)))
    close = difflib.get_close_matches(str(name), list(names), n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise OptionError(f"unknown option '{name}'.{hint} Valid options: {', '.join(sorted(names))}.",
                      owner=owner, option=str(name), part="name", layer_type=layer_type,
                      expected="one of " + ", ".join(sorted(names)))


def _either(names) -> str:
    quoted = [f"'{n}'" for n in names]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def parse_name_value(owner: str, args: tuple, kwargs: dict, names,
                     layer_type: str | None = None) -> dict:
    """Turn ``('OutputMode','last', ...)`` plus keywords into ``{canonical name: value}``."""
    if len(args) % 2:
        raise OptionError(
            f"name-value arguments must come in pairs, got {len(args)} values "
            f"after the positional arguments: {args!r}.", owner=owner, part="name",
            layer_type=layer_type, expected="Name, Value pairs")
    out = {}
    pairs = list(zip(args[0::2], args[1::2])) + list(kwargs.items())
    for key, value in pairs:
        if not isinstance(key, str):
            raise OptionError(f"expected an option name (a string), got {key!r}.", owner=owner,
                              part="name", layer_type=layer_type, expected="an option name")
        name = canonical_name(key, names, owner, layer_type)
        if name in out:
            raise OptionError(f"option '{name}' given twice.", owner=owner, option=name,
                              part="name", layer_type=layer_type)
        out[name] = value
    return out


def check_value(owner: str, name: str, option: Option, value, layer_type: str | None = None):
    try:
        return option.kind(value)
    except ValueError as exc:
        problem = str(exc)
    except (TypeError, OverflowError, ArithmeticError):  # a value of a form no kind expects
        problem = f"expected {option.kind.description}, got {_show(value)}"
    raise OptionError(f"invalid value for '{name}': {problem}.", owner=owner, option=name,
                      part="value", layer_type=layer_type, expected=option.kind.description)


def _show(value, limit=60) -> str:
    """A value as error messages show it: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({type(value).__name__})"


# --- the sequence policy's options ----------------------------------------------------------
# Declared here, below torch, so trainingOptions and specs are checked without importing it; the
# policy that acts on them is sequences.SequencePolicy (which re-exports this).

SEQUENCE_OPTIONS = {
    "SequenceLength": Option(SequenceLength(), "longest",
                             "'longest' pads each mini-batch to its longest sequence, 'shortest' "
                             "truncates to its shortest, an integer splits into chunks of that "
                             "many steps with the recurrent state carried between them"),
    "SequencePaddingDirection": Option(Choice("right", "left"), "right", "padding side"),
    "SequencePaddingValue": Option(Number(), 0.0, "value used to pad"),
    "PaddingInvariant": Option(Bool(), True, "layergraph: padded steps never change results"),
}
"""MATLAB's sequence options (plus layergraph's PaddingInvariant), shared by trainingOptions and
predict / classify / predictAndUpdateState."""
