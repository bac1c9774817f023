"""The :class:`Spec` — a network as a document: its graph, name, training options and data — and
:func:`save_spec`, which writes one.

A spec also knows where its data are: ``spec.load_data('train')`` reads the data section's
source (relative to the spec file) and orders the sequences as ``data.order`` says, so Python
code and ``layergraph train`` get the same data from the same spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..analysis import analyze
from ..errors import DataError
from ..graph import LayerGraph, layerGraph
from ..services import provide
from ..training.options import CLASSIFICATION_LOSSES, TrainingOptions
from .dump import dump_spec
from .issues import SpecError, SpecIssue
from .parameters import Bound
from .sources import DataSource, data_source, dataset_name, prepare


@dataclass(eq=False)
class Spec:
    """A network spec: the graph plus its name, training options and data source.

    ``options`` is a :class:`~layergraph.TrainingOptions` (or None) and ``data`` a plain dict (or
    None). ``file`` is the path it was loaded from, used to resolve relative data paths.
    """

    graph: LayerGraph
    name: str | None = None
    description: str | None = None
    options: TrainingOptions | None = None
    data: dict | None = None
    file: str | None = None
    data_marks: dict = field(default_factory=dict, repr=False)
    """(line, column) of each key of the data section, to report a missing file at its line."""
    loss: str | None = None
    """trainnet's loss name for a dlnetwork spec (no output layer); None for a legacy spec."""
    bound: Bound = field(default_factory=Bound, repr=False)
    """The parameters section, the values bound to it and the options written as references
    (:mod:`.parameters`), so that saving writes ``$name`` back rather than the value."""

    @property
    def parameters(self) -> dict:
        """The ``parameters`` section as written: name -> {default, from, type, description}."""
        return self.bound.declared

    @property
    def values(self) -> dict:
        """The value each parameter was bound to (default or ``variables=``)."""
        return self.bound.values

    @property
    def dlnetwork(self) -> bool:
        return self.loss is not None

    @property
    def Layers(self):
        return self.graph.Layers

    @property
    def classification(self) -> bool:
        """Whether the network ends in a classification layer (its labels are categories)."""
        if self.loss is not None:
            return self.loss in CLASSIFICATION_LOSSES
        return any(lay.output_kind == "classification" for lay in self.graph.Layers)

    def analyze(self):
        return analyze(self.graph, dlnetwork=self.dlnetwork)

    def data_path(self, key: str) -> Path | None:
        """The path of ``data[key]`` (e.g. 'train'), relative to the spec file's folder."""
        if not self.data or key not in self.data:
            return None
        p = Path(self.data[key]).expanduser()
        if not p.is_absolute() and self.file:
            p = Path(self.file).resolve().parent / p
        return p

    def data_source(self, split: str = "train") -> DataSource | None:
        """Where the data section takes ``split`` ('train', 'test' or 'validation') from, or None.

        A data set gives its train and test splits; files give ``train``/``test``/``validation``,
        and a train file holding XTest (XValidation) gives the test (validation) split too.
        """
        data = self.data or {}
        if data.get("dataset"):
            name = dataset_name(data["dataset"])
            return DataSource("dataset", name) if name and split in ("train", "test") else None
        if data.get(split):
            path = self.data_path(split)
            if not path.is_file():
                line, col = self.data_marks.get(split, (None, None))
                raise SpecError([SpecIssue(f"data: '{split}' file not found: {path}", line, col,
                                           None, "an existing .npz file, relative to the spec "
                                           "file's folder", self.file or "<string>")],
                                self.file or "<string>")
            return DataSource("file", str(path))
        if split != "train" and data.get("train"):
            train = self.data_source("train")
            return train if train.has(split) else None
        return None

    def load_data(self, split: str = "train", *, source=None, limit: int | None = None,
                  allow_pickle: bool = False, need_y: bool = True):
        """``(X, Y)`` of ``split`` from the data section (or from ``source``: a data set name,
        an .npz path or a :class:`DataSource`), ready for ``trainNetwork``.

        Class labels come back as strings when the network classifies. ``limit`` keeps that many
        sequences spread over the data; training data are then ordered as ``data.order`` says
        (``sorted-by-length``: shortest first, as MATLAB's examples prepare them). Raises
        :class:`~layergraph.DataError` (or :class:`SpecError` for a file the spec names that is
        not there) saying which file and what is wrong.
        """
        src = source if isinstance(source, DataSource) or source is None else \
            data_source(source)
        src = src or self.data_source(split)
        if src is None:
            raise DataError(f"{self.file or 'the spec'}: no {split} data: the spec's data section "
                            f"gives none (expected data: {{dataset: japanese_vowels}} or "
                            f"{{{split}: file.npz}})")
        X, Y = src.load(split, allow_pickle=allow_pickle, categorical=self.classification,
                        need_y=need_y)
        order = (self.data or {}).get("order") if split == "train" else None
        return prepare(X, Y, limit=limit, order=order)

    def to_yaml(self, learnables: bool = False) -> str:
        return save_spec(self, learnables=learnables)

    def save(self, path, learnables: bool = False) -> str:
        return save_spec(self, path, learnables=learnables)

    def __eq__(self, other):
        return (isinstance(other, Spec) and self.graph == other.graph and self.name == other.name
                and self.description == other.description and self.options == other.options
                and (self.data or None) == (other.data or None) and self.loss == other.loss
                and self.parameters == other.parameters
                and (self.bound.layers, self.bound.training) == (other.bound.layers,
                                                                 other.bound.training))

    def __repr__(self):
        return (f"Spec(name={self.name!r}, {len(self.graph)} layers, "
                + (f"loss={self.loss!r}, " if self.loss else "") +
                f"{len(self.graph.edges())} connections, options={self.options!r}, "
                f"data={self.data!r})")


def save_spec(obj, path=None, *, name=None, description=None, options=None, data=None,
              learnables: bool = False, loss=None, parameters: Bound | None = None) -> str:
    """Write a graph (or a :class:`Spec`, or a layer array) as a YAML spec; returns the text.

    Layers are written in the graph's order and chained; an edge that the chain does not make is
    written under ``connections`` and a layer whose input is not the previous layer says
    ``inputs``, so loading gives back an equal graph. Learned values -- learnable parameters
    (weights, biases, offsets, scales) and trained statistics (batch normalization's TrainedMean
    and TrainedVariance) -- are left out unless ``learnables=True``: they belong in the saved
    network file. Initial values that are not learned (HiddenState, CellState, input
    normalization statistics) are written. Names equal to MATLAB's automatic name are left out
    when that is unambiguous. A spec's ``parameters`` section is written back, and so is each
    option written as a reference (``$numClasses``) while it still has the parameter's value.
    """
    if isinstance(obj, Spec):
        parameters = obj.bound if parameters is None else parameters
        graph = obj.graph
        name = obj.name if name is None else name
        description = obj.description if description is None else description
        options = obj.options if options is None else options
        data = obj.data if data is None else data
        loss = obj.loss if loss is None else loss
    elif isinstance(obj, LayerGraph):
        graph = obj
    else:
        graph = layerGraph(obj)
    text = dump_spec(graph, name, description, options, data, learnables, loss, parameters)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


provide("save_spec", save_spec, "layergraph.spec")
