"""YAML specs: a whole network as data, loaded and saved exactly, with errors that give file:line:col.

The format
----------
::

    # specs/japanese-vowels-bilstm.yaml
    name: japanese-vowels-bilstm
    description: Sequence Classification Using Deep Learning (MATLAB example)
    layers:                                    # in order; each feeds the next (layerGraph(layers))
      - sequenceInput: {InputSize: 12, Name: input}
      - bilstm: {NumHiddenUnits: 100, OutputMode: last}
      - fullyConnected: 9                      # short form: the positional argument(s)
      - softmax                                # bare type: a layer without required options
      - classification
    connections:                               # extra edges (connectLayers), 'src[/port] -> dst[/port]'
      - fold/miniBatchSize -> unfold/miniBatchSize
    training:                                  # optional: trainingOptions(solver, Name=Value, ...)
      solver: adam
      MaxEpochs: 50
      MiniBatchSize: 27
    data:                                      # optional: where the data come from
      dataset: japanese_vowels                 # or  train: train.npz / test: test.npz / validation: ...

Layers
    A layer is written in one of three ways: a bare type (``- softmax``); the type as the only key
    with its options as a mapping (``- lstm: {NumHiddenUnits: 100, OutputMode: last}``) or as the
    positional arguments (``- lstm: 100``, ``- convolution1d: [3, 32]``); or the type beside the
    options (``- {type: lstmLayer, NumHiddenUnits: 100}``). The type is the MATLAB constructor name
    (``lstmLayer``) or its YAML key (``lstm``); option names are MATLAB's property names. A layer
    without ``Name`` gets MATLAB's automatic name (``lstm``, or ``lstm_1``, ``lstm_2`` when
    several). Initial values (``Bias``, ``HiddenState``, ...) may be given as nested lists.

Connections
    Layers are chained in order like a MATLAB layer array: each layer's first output feeds the next
    layer's first input (no edge after an output layer or into an input layer). ``connections``
    adds edges, as ``connectLayers`` does. A layer that must *not* take the previous layer's output
    says where its inputs come from instead with the lower-case key ``inputs``: a source for its
    first input (``inputs: lstm_1``), a list for its input ports in order, a mapping
    ``{port: source}``, or ``inputs: []`` for none (a new branch). So any DAG can be written.

Parameters
    ``parameters`` declares values the network depends on that the spec does not fix
    (``numClasses: {default: 9, from: "numel(categories(YTrain))"}``); a layer or training
    option refers to one as ``$numClasses``. They are bound from their defaults, from
    ``load_spec(..., variables={...})`` and from ``--var NAME=VALUE``; saving writes the
    references back (see :mod:`.parameters`).

Training and data
    ``training`` holds trainingOptions: ``solver`` (sgdm, adam, rmsprop) and MATLAB option names.
    ``data`` names a shipped data set (``dataset: japanese_vowels``) or ``.npz`` files holding
    arrays ``X`` and ``Y`` (``train``/``test``/``validation``, paths relative to the spec file;
    the contract is :func:`layergraph.data.load_npz`), and ``order: sorted-by-length`` sorts the
    training sequences as MATLAB's examples do. ``spec.load_data('train')`` returns ``(X, Y)``
    ready for ``trainNetwork``, ordered so; an unknown data set is a load error ("did you mean
    'japanese_vowels'"), and so is a missing file with ``load_spec(..., check_files=True)``.
    Learned weights are not part of a spec: they go in the saved network file;
    :func:`save_spec` leaves learnable parameters and trained statistics out unless asked
    (``learnables=True``).

Loading is bounded: the size of the file, how deep its lists and mappings nest and how many
nodes its aliases expand to are checked before that work is done (:mod:`.limits`:
``LIMITS``, or ``load_spec(..., limits=SpecLimits(...))``), so a hostile file is a
:class:`SpecError` at its line, not a hang or a crash. Loading is safe (YAML tags that construct
objects are refused) and validated against the JSON
Schema generated from the layer registry (:mod:`layergraph.schema`), then checked by building the
layers and the graph and by :func:`layergraph.analyze`. Every problem of a file is collected and
raised together as one :class:`SpecError`, each line as ``file:line:col: layer 'name': message
(expected ...)``.

``load_spec(path_or_text)`` returns a :class:`Spec` (``.graph``, ``.options``, ``.data``,
``.name``); ``LayerGraph.from_spec(...)`` returns just the graph. ``save_spec(graph_or_spec,
path)`` writes YAML that loads back to an equal graph; load -> save -> load is exact.

Modules, one concept each: :mod:`.issues` (how problems are reported), :mod:`.yaml_marks` (safe
YAML with positions), :mod:`.entries` (the forms of a layer entry), :mod:`.messages` (schema
errors in MATLAB's terms), :mod:`.load` (checking and building), :mod:`.sources` (the data
section), :mod:`.dump` (graph -> YAML text) and :mod:`.document` (the :class:`Spec`,
:func:`save_spec`).
"""

from __future__ import annotations

from .document import Spec, save_spec
from .issues import SpecError, SpecIssue
from .limits import LIMITS, SpecLimits
from .load import load_spec, validate_spec
from .sources import DATASETS, DataSource, data_source
from .yaml_marks import SpecLoader, parse_value

__all__ = ["DATASETS", "LIMITS", "DataSource", "Spec", "SpecError", "SpecIssue", "SpecLimits",
           "SpecLoader",
           "data_source", "load_spec", "parse_value", "save_spec", "validate_spec"]
