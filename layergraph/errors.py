"""Errors raised by layergraph, as data.

Every error names the place (layer, option, connection, file and line) and the expected form, so
a user never has to read a traceback from deep inside torch. The place is kept as attributes
(``owner``, ``option``, ``expected``, ``position``, ...) and the message is rendered from them, so
callers that need the place (the YAML loader marking a line, the MATLAB translator pointing at an
argument) read the attributes and never parse the message text.
"""

from __future__ import annotations


class LayerGraphError(Exception):
    """Base class of every error layergraph raises on purpose.

    ``problem`` says what is wrong; ``owner`` who it is about (``"layer 'lstm1' (lstmLayer)"``,
    ``"trainingOptions"``, a file name); ``expected`` the allowed form; ``hint`` how to fix it;
    ``position`` a source position (``(line, column)`` or an object with ``line``/``col``) when
    the input came from text.
    """

    def __init__(self, problem: str = "", *, owner: str | None = None,
                 expected: str | None = None, hint: str | None = None, position=None):
        self.problem, self.owner, self.expected = problem, owner, expected
        self.hint, self.position = hint, position
        super().__init__(self.render())

    def render(self, with_owner: bool = True) -> str:
        """The message: owner, problem and hint (``with_owner=False`` for callers that name the
        owner themselves, such as a YAML issue that names its layer)."""
        text = f"{self.owner}: {self.problem}" if self.owner and with_owner else self.problem
        if self.hint:
            text += self.hint if self.hint[:1] in " ;,." else f" {self.hint}"
        return text

    def __str__(self):
        return self.render()


class OptionError(LayerGraphError, ValueError):
    """A bad option value or an unknown option name given to a layer or to trainingOptions.

    ``option`` is the option's canonical name (or the name as given, when it is unknown) and
    ``part`` says which half of the name-value pair is wrong: ``"name"`` (unknown, repeated,
    missing) or ``"value"`` (invalid). ``layer_type`` is the layer class's MATLAB name when the
    owner is a layer.
    """

    def __init__(self, problem: str = "", *, option: str | None = None, part: str | None = None,
                 layer_type: str | None = None, **place):
        self.option, self.part, self.layer_type = option, part, layer_type
        super().__init__(problem, **place)


class GraphError(LayerGraphError, ValueError):
    """An illegal edit of a layer graph (unknown layer, bad port, duplicate name, ...)."""


class NetworkError(LayerGraphError, ValueError):
    """The network cannot be assembled or run: its analysis found problems, or bad data was given.

    ``problems`` holds the analysis' :class:`~layergraph.analysis.Problem` objects, when that is
    the cause; :meth:`from_problems` renders them as one message.
    """

    def __init__(self, problem="", problems=(), **place):
        self.problems = list(problems)
        super().__init__(problem, **place)

    @classmethod
    def from_problems(cls, problems) -> NetworkError:
        lines = "\n".join(f"  - {p}" for p in problems)
        return cls(f"the network has problems:\n{lines}", problems)


class FileError(LayerGraphError, ValueError):
    """A saved network or checkpoint that is missing, damaged or not layergraph's."""


class TrainingDiverged(LayerGraphError, ArithmeticError):
    """The training loss or a gradient became NaN or Inf. ``epoch`` and ``iteration`` say where;
    ``network`` and ``info`` hold the last network with finite weights and the record so far."""

    def __init__(self, problem, *, epoch, iteration, network=None, info=None, **place):
        self.epoch, self.iteration, self.network, self.info = epoch, iteration, network, info
        super().__init__(problem, **place)


class DataError(LayerGraphError, ValueError):
    """Bad input data: wrong shape, channel count, empty sequence, NaN, mismatched labels.
    ``limit`` names the limit (layergraph.limits) the data passed, when that is the cause."""

    def __init__(self, problem="", *, limit: str | None = None, **place):
        self.limit = limit
        super().__init__(problem, **place)


class ExportError(LayerGraphError, ValueError):
    """A network that cannot leave layergraph in the asked form (ONNX), or an optional package
    the export needs that is not installed. ``layer`` names the layer at fault, when one is."""

    def __init__(self, problem="", *, layer: str | None = None, **place):
        self.layer = layer
        super().__init__(problem, **place)


class LearnablesFileError(FileError):
    """A learnables file (.mat) whose content does not fit the layers: ``layer`` and
    ``property`` name the entry, ``expected`` the MATLAB shape it must have."""

    def __init__(self, problem="", *, layer: str | None = None, property: str | None = None,
                 **place):
        self.layer, self.property = layer, property
        super().__init__(problem, **place)
