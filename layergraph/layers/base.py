"""The Layer base class and the one layer registry.

A layer is data: its MATLAB properties, its port names, how it transforms the activation format
and size, which learnables it has, and how to build its torch module. It also knows the facts that
analysis, diagrams, YAML and the trainer ask about (category, key options, one-line description,
statistics it learns from data, what kind of output layer it is, its learnables' factor options),
so nothing elsewhere branches on a layer's name. One registry maps the MATLAB constructor name and
the YAML key to the class, so Python, YAML and MATLAB text share it: a new layer is one class in
one file.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..errors import OptionError
from ..formats import Activation
from ..options import (
    Array,
    Choice,
    Kind,
    LearnableFactors,
    Number,
    Option,
    Text,
    check_value,
    match_name,
    parse_name_value,
)

REGISTRY: dict[str, type[Layer]] = {}
"""MATLAB constructor name -> layer class (e.g. 'lstmLayer' -> LSTMLayer)."""

_BY_KEY: dict[str, type[Layer]] = {}


def register(cls):
    """Class decorator: register a layer under its MATLAB name and its YAML key.

    The YAML key is the MATLAB name without "Layer" (``lstmLayer`` -> ``lstm``) unless the class
    sets its own ``yaml_key``.
    """
    if not cls.__dict__.get("yaml_key"):
        cls.yaml_key = cls.matlab_name.removesuffix("Layer") or cls.matlab_name
    for key in (cls.matlab_name, cls.yaml_key):
        if key in _BY_KEY and _BY_KEY[key] is not cls:
            raise RuntimeError(f"layer key '{key}' registered twice")
    REGISTRY[cls.matlab_name] = cls
    _BY_KEY[cls.matlab_name] = cls
    _BY_KEY[cls.yaml_key] = cls
    return cls


def layer_class(name: str) -> type[Layer]:
    """Look up a layer class by MATLAB name ('lstmLayer') or YAML key ('lstm')."""
    try:
        return _BY_KEY[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(str(name), list(_BY_KEY), n=1)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise OptionError(f"unknown layer type '{name}'.{hint}", option=str(name), part="name",
                          expected="a layer type such as 'lstmLayer' or 'lstm'") from None


def learnable_block(name: str, doc: str, *, initializers: Kind | tuple | None = None,
                    initializer: str | None = None, factor_stem: str | None = None,
                    l2: float = 1.0) -> dict[str, Option]:
    """The options MATLAB gives every learnable parameter, declared once: its initializer (when
    ``initializers`` is given), the array itself, its learn-rate factor and its L2 factor.

    ``factor_stem`` is the spelling MATLAB uses in the factor names (fullyConnectedLayer's Weights
    have ``WeightLearnRateFactor``); by default the learnable's own name.
    """
    stem = factor_stem or name
    factors = LearnableFactors(f"{stem}LearnRateFactor", f"{stem}L2Factor")
    out = {}
    if initializers is not None:
        kind = Choice(*initializers) if isinstance(initializers, tuple) else initializers
        out[f"{name}Initializer"] = Option(kind, initializer, f"initializer of {name}")
    out[name] = Option(Array(), None, doc, learnable=factors)
    out[factors.learn_rate] = Option(Number(low=0), 1.0, f"learn rate multiplier of {name}")
    out[factors.l2] = Option(Number(low=0), float(l2), f"L2 regularization multiplier of {name}")
    return out


class LayerProblem(Exception):
    """Raised by :meth:`Layer.infer` when the inputs do not fit the layer; says what fits.
    ``kind`` names the analysis problem it becomes (default 'size-mismatch')."""

    def __init__(self, message: str = "", kind: str | None = None):
        super().__init__(message)
        self.kind = kind


class Layer:
    """Base class: MATLAB properties in ``self.props``, readable as attributes (``layer.OutputMode``).

    Subclasses set the class attributes below and implement :meth:`infer` and :meth:`build`.
    """

    matlab_name: ClassVar[str] = ""
    yaml_key: ClassVar[str] = ""  # derived from matlab_name by @register unless set
    type_description: ClassVar[str] = ""  # MATLAB's "Type" column, e.g. 'LSTM'
    default_name: ClassVar[str] = ""  # MATLAB's automatic name stem, e.g. 'lstm'
    positional: ClassVar[tuple] = ()  # option names that may be given positionally
    required: ClassVar[tuple] = ()  # positional options that must be given
    example_args: ClassVar[str] = ""  # a call's arguments for error messages, e.g. '100, 30, 10'
    options: ClassVar[dict[str, Option]] = {}
    inputs: ClassVar[tuple] = ("in",)
    outputs: ClassVar[tuple] = ("out",)
    category: ClassVar[str] = "other"
    """What the layer does, for diagram colours: 'input', 'recurrent', 'conv', 'norm', 'reshape',
    'activation', 'combine' (several inputs into one), 'output' or 'other'."""
    key_options: ClassVar[tuple] = ()
    """Options a diagram shows on the layer's node (besides the positional ones), when set."""
    output_kind: ClassVar[str | None] = None
    """'classification' or 'regression' for output layers (which hold the loss); else None."""
    emits_probabilities: ClassVar[bool] = False
    """True when the outputs are class probabilities (softmax): what a classification output
    layer must read."""
    data_statistics: ClassVar[tuple] = ()
    """Properties computed from the training data before training (input normalization)."""
    trained_statistics: ClassVar[tuple] = ()
    """Properties learned during training that are not learnables (batch-norm running moments)."""

    @property
    def is_output_layer(self) -> bool:
        return self.output_kind is not None

    @property
    def learnables(self) -> tuple:
        """Option names holding learnable parameters, in the order the torch module holds them."""
        return _learnables(type(self))

    def learnable_factors(self, name: str) -> tuple[float, float]:
        """(learn-rate factor, L2 factor) of learnable ``name``, from the layer's options."""
        f = self.options[name].learnable
        return float(self.props[f.learn_rate]), float(self.props[f.l2])

    def __init__(self, *args, **kwargs):
        names = ["Name", *self.options]
        owner = _owner(self.matlab_name, args, kwargs)
        positional = []
        args = list(args)
        while args and len(positional) < len(self.positional):
            if isinstance(args[0], str) and _is_option_name(args[0], names):
                break
            positional.append(args.pop(0))
        given = dict(zip(self.positional, positional))
        named = parse_name_value(owner, tuple(args), kwargs, names, self.matlab_name)
        for k in named:
            if k in given:
                raise OptionError(f"'{k}' given both positionally and by name.", owner=owner,
                                  option=k, part="name", layer_type=self.matlab_name)
        given.update(named)
        for req in self.required:
            if req not in given:
                opt = self.options[req]
                raise OptionError(
                    f"missing required argument {req} ({opt.kind.description}); "
                    f"e.g. {self.matlab_name}({self.example_args or _example(opt)}).",
                    owner=owner, option=req, part="name", layer_type=self.matlab_name,
                    expected=opt.kind.description)
        object.__setattr__(self, "props", {"Name": ""})
        for name, opt in self.options.items():
            self.props[name] = _copy(opt.default)
        if "Name" in given:  # first, so errors about the other options can name the layer
            self.Name = given.pop("Name")
        for name, value in given.items():
            setattr(self, name, value)
        self.check()

    # --- MATLAB property access -------------------------------------------------------------
    def __getattr__(self, name):
        props = self.__dict__.get("props")
        if props is not None and name in props:
            return props[name]
        raise AttributeError(f"{type(self).__name__} has no property '{name}'")

    def __setattr__(self, name, value):
        if name == "Name":
            value = check_value(self.where, "Name", _NAME, value, self.matlab_name)
        elif name in self.options:
            value = check_value(self.where, name, self.options[name], value, self.matlab_name)
        else:
            raise OptionError(
                f"unknown property '{name}'. Valid properties: Name, {', '.join(self.options)}.",
                owner=self.where, option=name, part="name", layer_type=self.matlab_name,
                expected="one of Name, " + ", ".join(self.options))
        self.props[name] = value

    def check(self):
        """Cross-option checks (e.g. Bias length vs. ResetGateMode); raise OptionError."""

    @property
    def where(self) -> str:
        return f"layer '{self.Name}' ({self.matlab_name})" if self.Name else self.matlab_name

    # --- facts for analysis and diagrams --------------------------------------------------------
    def describe(self) -> str:
        """MATLAB-like one-line description for analysis, e.g. 'BiLSTM with 100 hidden units'."""
        return self.type_description

    def diagram_options(self) -> list[str]:
        """Options a diagram shows on the node: the positional ones, then the set key options."""
        cfg = self.config()
        return [*self.positional, *(n for n in self.key_options if n in cfg)]

    def unconnected_problem(self, port: str, side: str) -> tuple[str, str] | None:
        """(kind, message) for an unconnected port that needs more than the generic message
        (``side`` is 'inputs' or 'outputs'); None for the generic one."""
        return None

    @property
    def emits_one_step(self) -> bool:
        """True when this layer turns sequences into one vector per sequence by an option the
        user can change (OutputMode 'last'), so analysis can name it when a later layer needs
        sequences."""
        return False

    # --- data statistics ------------------------------------------------------------------------
    def missing_statistics(self) -> list[str]:
        """Data statistics this layer needs and does not have yet."""
        return []

    def fit_statistics(self, sequences, reset: bool) -> None:
        """Compute :attr:`data_statistics` from the training sequences (all of them when
        ``reset``, else only the missing ones)."""

    # --- graph behaviour ------------------------------------------------------------------------
    def infer(self, inputs: list[Activation]) -> list[Activation]:
        """Output activations (one per output port) from the input activations, or LayerProblem."""
        raise NotImplementedError

    def time_steps(self, inputs: list[Activation]):
        """The :class:`~layergraph.formats.TimeSteps` of this layer's sequence outputs, given
        its inputs: by default those of the first sequence input (most layers keep every step);
        None where unknown."""
        for a in inputs:
            if a.is_sequence:
                return a.steps
        return None

    def learnable_shapes(self, inputs: list[Activation]) -> dict[str, tuple]:
        """Shapes (MATLAB layout) of each learnable, given the input activations."""
        return {}

    def state_shapes(self, inputs: list[Activation]) -> dict[str, tuple]:
        """Shapes of non-learnable state (e.g. HiddenState, TrainedMean)."""
        return {}

    def initialize(self, inputs: list[Activation], rng: np.random.Generator) -> None:
        """Fill unset learnables with their initializers (MATLAB does this at training start)."""

    def build(self, inputs: list[Activation]):
        """The torch module computing this layer, reading learnables from ``self.props``."""
        raise NotImplementedError

    def read_back(self, module) -> None:
        """Copy trained parameters from the torch module back into MATLAB-named properties."""

    # --- data -----------------------------------------------------------------------------------
    def config(self) -> dict:
        """Non-default properties (MATLAB names), plain Python values: drives YAML and equality."""
        out = {"Name": self.Name}
        for name, opt in self.options.items():
            v = self.props[name]
            if not _equal(v, opt.default):
                out[name] = v.tolist() if isinstance(v, np.ndarray) else v
        return out

    def copy(self, **changes):
        cfg = self.config()
        cfg.update(changes)
        return type(self)(**cfg)

    def __eq__(self, other):
        return type(self) is type(other) and all(
            _equal(self.props[k], other.props[k]) for k in self.props
        )

    def __hash__(self):
        return id(self)

    def __repr__(self):
        cfg = self.config()
        name = cfg.pop("Name")
        args = ", ".join(f"{k}={_short(v)}" for k, v in cfg.items())
        return f"{self.matlab_name}(Name={name!r}{', ' if args else ''}{args})"


_NAME = Option(Text())


def _learnables(cls) -> tuple:
    cached = cls.__dict__.get("_learnable_names")
    if cached is None:
        cached = tuple(n for n, o in cls.options.items() if o.learnable is not None)
        cls._learnable_names = cached
    return cached


def _owner(matlab_name, args, kwargs):
    """How errors during construction name the layer: with its Name when one was given."""
    name = next((v for k, v in kwargs.items() if k.lower() == "name"), None)
    for k, v in zip(args, args[1:]):
        if isinstance(k, str) and k.lower() == "name":
            name = v
    return f"layer '{name}' ({matlab_name})" if isinstance(name, str) and name else matlab_name


def _is_option_name(text, names):
    return bool(match_name(text, names))


def _copy(v):
    return v.copy() if isinstance(v, np.ndarray) else v


def _equal(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if a is None or b is None:
            return False
        return np.array_equal(np.asarray(a), np.asarray(b))
    return a == b


def _short(v):
    if isinstance(v, (list, np.ndarray)) and np.asarray(v).size > 6:
        return f"<{'x'.join(map(str, np.shape(v)))} array>"
    return repr(v)


def _example(opt):
    d = opt.kind.description
    return "100" if "integer" in d else "..."
