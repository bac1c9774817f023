"""Errors raised by layergraph.

Every error names the place (layer, option, connection, file and line) and the expected form, so
a user never has to read a traceback from deep inside torch.
"""


class LayerGraphError(Exception):
    """Base class of every error layergraph raises on purpose."""


class OptionError(LayerGraphError, ValueError):
    """A bad option value or an unknown option name given to a layer or to trainingOptions."""


class GraphError(LayerGraphError, ValueError):
    """An illegal edit of a layer graph (unknown layer, bad port, duplicate name, ...)."""


class NetworkError(LayerGraphError, ValueError):
    """The network cannot be assembled or run: its analysis found problems, or bad data was given."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = list(problems)


class DataError(LayerGraphError, ValueError):
    """Bad input data: wrong shape, channel count, empty sequence, NaN, mismatched labels."""
