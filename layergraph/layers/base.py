"""The Layer base class and the one layer registry.

A layer is data: its MATLAB properties, its port names, how it transforms the activation format
and size, which learnables it has, and how to build its torch module. One registry maps the MATLAB
constructor name and the YAML key to the class, so Python, YAML and MATLAB text share it.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..errors import OptionError
from ..formats import Activation
from ..options import Option, Text, check_value, parse_name_value

REGISTRY: dict[str, type[Layer]] = {}
"""MATLAB constructor name -> layer class (e.g. 'lstmLayer' -> LSTMLayer)."""

_BY_KEY: dict[str, type[Layer]] = {}


def register(cls):
    """Class decorator: register a layer under its MATLAB name and its YAML key."""
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
        raise OptionError(f"unknown layer type '{name}'.{hint}") from None


class LayerProblem(Exception):
    """Raised by :meth:`Layer.infer` when the inputs do not fit the layer; says what fits."""


class Layer:
    """Base class: MATLAB properties in ``self.props``, readable as attributes (``layer.OutputMode``).

    Subclasses set the class attributes below and implement :meth:`infer` and :meth:`build`.
    """

    matlab_name: ClassVar[str] = ""
    yaml_key: ClassVar[str] = ""
    type_description: ClassVar[str] = ""  # MATLAB's "Type" column, e.g. 'LSTM'
    default_name: ClassVar[str] = ""  # MATLAB's automatic name stem, e.g. 'lstm'
    positional: ClassVar[tuple] = ()  # option names that may be given positionally
    required: ClassVar[tuple] = ()  # positional options that must be given
    options: ClassVar[dict[str, Option]] = {}
    learnables: ClassVar[tuple] = ()  # option names holding learnable parameters
    inputs: ClassVar[tuple] = ("in",)
    outputs: ClassVar[tuple] = ("out",)
    is_output_layer: ClassVar[bool] = False

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
        named = parse_name_value(owner, tuple(args), kwargs, names)
        for k in named:
            if k in given:
                raise OptionError(f"{owner}: '{k}' given both positionally and by name.")
        given.update(named)
        for req in self.required:
            if req not in given:
                opt = self.options[req]
                raise OptionError(
                    f"{owner}: missing required argument {req} ({opt.kind.description}); "
                    f"e.g. {self.matlab_name}({_example(opt)})."
                )
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
            value = check_value(self.where, "Name", Option(Text()), value)
        elif name in self.options:
            value = check_value(self.where, name, self.options[name], value)
        else:
            raise OptionError(
                f"{self.where}: unknown property '{name}'. "
                f"Valid properties: Name, {', '.join(self.options)}."
            )
        self.props[name] = value

    def check(self):
        """Cross-option checks (e.g. Bias length vs. ResetGateMode); raise OptionError."""

    @property
    def where(self) -> str:
        return f"layer '{self.Name}' ({self.matlab_name})" if self.Name else self.matlab_name

    # --- graph behaviour ------------------------------------------------------------------------
    def infer(self, inputs: list[Activation]) -> list[Activation]:
        """Output activations (one per output port) from the input activations, or LayerProblem."""
        raise NotImplementedError

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


def _owner(matlab_name, args, kwargs):
    """How errors during construction name the layer: with its Name when one was given."""
    name = next((v for k, v in kwargs.items() if k.lower() == "name"), None)
    for k, v in zip(args, args[1:]):
        if isinstance(k, str) and k.lower() == "name":
            name = v
    return f"layer '{name}' ({matlab_name})" if isinstance(name, str) and name else matlab_name


def _is_option_name(text, names):
    return any(text.lower() == n.lower() for n in names)


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
