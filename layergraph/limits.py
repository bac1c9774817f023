"""Resource limits, checked before anything is allocated; each error names its limit.

    import layergraph.limits
    layergraph.limits.LIMITS.max_learnables = 2**33      # or, for one block of code:
    with layergraph.limits.raised(max_learnables=2**33):
        net, info = trainNetwork(X, Y, layers, options)

A network whose analysis finds more learnables than ``max_learnables`` is reported as a problem
(kind 'too-large') before trainNetwork draws its weights or a network is compiled, so a typo such
as ``lstmLayer(1e12)`` fails at once instead of trying to allocate terabytes. Data is bounded the
same way (``max_data_values``): before it is converted to float32 or padded into a mini-batch.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, fields
from typing import ClassVar


class LimitSet:
    """What every set of limits shares (networks here; YAML specs in spec/limits.py, MATLAB text
    in matlab/errors.py): the message when a limit is passed, naming it and how to raise it."""

    settings: ClassVar[str] = ""  # where the shared settings live, e.g. layergraph.spec.LIMITS
    per_call: ClassVar[str] = ""  # how one call raises it, with {name} for the limit
    subject: ClassVar[str] = "the input"

    def exceeded(self, name: str, found, what: str, subject: str | None = None) -> str:
        """The message for limit ``name`` passed with ``found`` (``what`` says what was found;
        ``subject`` what must be trusted to raise it, by default the set's own)."""
        limit = getattr(self, name)
        return (f"{what}: {found}, more than the limit {name}={limit:,}; if "
                f"{subject or self.subject} is "
                f"trusted, raise it with {self.settings}.{name} = ... or "
                f"{self.per_call.format(name=name)}")


@dataclass
class Limits(LimitSet):
    settings: ClassVar[str] = "layergraph.limits.LIMITS"
    per_call: ClassVar[str] = "with layergraph.limits.raised({name}=...): ..."
    subject: ClassVar[str] = "the network"

    max_learnables: int = 2 ** 31
    """Learnable parameters of one network (2**31 float32 values are 8 GiB)."""

    max_layer_inputs: int = 4096
    """Input ports of one layer (a combining layer's NumInputs), checked before the port names
    are made."""

    max_mat_bytes: int = 2 ** 33
    """Bytes a learnables .mat file may hold once decompressed (8 GiB: the learnables limit in
    float32), counted by streaming its compressed entries before any is read as arrays."""

    max_data_values: int = 2 ** 31
    """Values in one data set given to training or prediction, and in one padded mini-batch
    (2**31 float32 values are 8 GiB): checked before the data is converted or padded, so a
    sequence that only claims a huge length (a broadcast view, an .npz ``lengths`` entry) is
    refused instead of allocated."""


LIMITS = Limits()


@contextlib.contextmanager
def raised(**changes):
    """Raise (or lower) limits for the ``with`` block, then restore them."""
    known = {f.name for f in fields(Limits)}
    unknown = set(changes) - known
    if unknown:
        from .errors import OptionError

        raise OptionError(f"unknown limit {', '.join(sorted(unknown))}", owner="limits",
                          option=sorted(unknown)[0], part="name",
                          expected="one of " + ", ".join(sorted(known)))
    old = {k: getattr(LIMITS, k) for k in changes}
    for k, v in changes.items():
        setattr(LIMITS, k, v)
    try:
        yield LIMITS
    finally:
        for k, v in old.items():
            setattr(LIMITS, k, v)
