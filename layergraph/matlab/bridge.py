"""MATLAB calls that build layergraph objects: layers, layer graph edits and trainingOptions, and
the training calls whose network and options are what the translation is about.

These are evaluated exactly, with layergraph's own constructors and functions, so MATLAB
name-value pairs, defaults and validation are those of Python code; the bridge adds only the
*place* of an error. A layergraph error says which option it is about and which half of the
name-value pair is wrong (``OptionError.option`` and ``.part``), and :func:`blame` turns that into
the MATLAB argument to underline. No message text is read.

A MATLAB function that makes or uses layergraph objects (``dlnetwork``, ``trainnet``,
``minibatchpredict`` ...) is one handler ``handler(ev, name, arg_nodes, node)`` in :data:`CALLS`;
numeric built-ins such as ``numel`` belong in ``builtins.py``. A handler gets the argument nodes
unevaluated and the interpreter ``ev``, of which it uses only what :class:`Interpreter` lists.
"""

from __future__ import annotations

from typing import Protocol

from ..errors import LayerGraphError, OptionError
from ..graph import (
    LayerGraph,
    addLayers,
    connectLayers,
    disconnectLayers,
    layerGraph,
    removeLayers,
    replaceLayer,
)
from ..layers import REGISTRY, Layer
from ..options import canonical_name
from ..training.metrics import BY_NAME as METRICS_BY_NAME
from ..training.options import OPTIONS as TRAINING_OPTIONS
from ..training.options import trainingOptions
from ..training.schedules import SCHEDULES
from . import names
from .errors import EvalError
from .parser import NameValue, Node
from .values import (
    COLON,
    CellArray,
    LayerArray,
    Trained,
    Unknown,
    contains_unknown,
    expression_of,
    literal_text,
    to_py,
)


class Interpreter(Protocol):
    """What a handler may use of the interpreter (:class:`~.interpreter.Evaluator`)."""

    explicit_names: set  # layer names written in the MATLAB code (the rest are automatic)
    trained: tuple | None  # (network, options, call node) of the training call, once seen

    def ev(self, node: Node):
        """The MATLAB value of an expression; an Unknown where it depends on data."""

    def strict(self, value, node: Node, context: str = "", network: bool = False):
        """``value``, or the error explaining the Unknown in it (``network``: a layer array or
        graph was expected there)."""

    def fail(self, u: Unknown, context: str = "", network: bool = False):
        """Raise the error that explains an Unknown."""

    def note(self, node: Node, message: str):
        """Record a note (something not translated) at a node."""


# --- where an error is ---------------------------------------------------------------------------


def name_node(arg: NameValue) -> Node:
    """The ``Name`` of ``Name=value``, to underline it alone."""
    return Node(arg.start, arg.start + len(arg.name))


def blame(error: Exception, args: list, where: list, node: Node, positional=()) -> Node:
    """The argument an option error is about, from its ``option`` and ``part`` attributes.

    ``args`` are the evaluated arguments (``Name=value`` already written as ``'Name', value``),
    ``where`` the node of each, ``positional`` the option names that may be given by position.
    ``part == "name"`` (unknown, repeated) is the name argument; ``part == "value"`` the value
    after it, or the positional argument; anything else the whole call ``node``.
    """
    option, part = getattr(error, "option", None), getattr(error, "part", None)
    if not isinstance(option, str) or part not in ("name", "value"):
        return node
    # name-value pairs end the argument list: a name stands an even number of places from the end
    def names(a) -> bool:  # the name as written: the option's name or (MATLAB) a prefix of it
        return isinstance(a, str) and bool(a) and option.lower().startswith(a.lower())

    hits = [k for k, a in enumerate(args) if (len(args) - k) % 2 == 0 and names(a)]
    if hits:
        k = hits[-1]  # a repeated name: the second one is the mistake
        return where[k + 1] if part == "value" else where[k]
    if part == "value" and option in positional and positional.index(option) < len(where):
        return where[positional.index(option)]
    return node


# --- arguments -----------------------------------------------------------------------------------


def strict_args(ev: Interpreter, arg_nodes, context: str, networks=(), raw=None):
    """The values of a call's arguments, all of which must evaluate, and the node of each
    (``Name=value`` becomes ``'Name', value``). ``networks``: positions where a layer array or
    layer graph is expected (the error then says so); a trained network stands for the network
    it was given. ``raw``, a list, receives the MATLAB values (parameters keep their
    expressions there)."""
    out, where = [], []
    for k, a in enumerate(arg_nodes):
        if isinstance(a, NameValue):
            v = ev.strict(ev.ev(a.value), a.value, context)
            out += [a.name, to_py(v)]
            where += [name_node(a), a.value]
            if raw is not None:
                raw += [a.name, v]
        else:
            v = ev.ev(a)
            if v is COLON:
                raise EvalError(a, "':' is not a value")
            if isinstance(v, Trained):
                v = v.network
            out.append(to_py(ev.strict(v, a, context, k in networks)))
            where.append(a)
            if raw is not None:
                raw.append(v)
    return out, where


# --- layers --------------------------------------------------------------------------------------


def make_layer(ev: Interpreter, name, arg_nodes, node):
    """``lstmLayer(100, 'OutputMode', 'last')``: the layer, from layergraph's constructor."""
    cls = REGISTRY[name]
    raw: list = []
    args, where = strict_args(ev, arg_nodes, f"an argument of {name}", raw=raw)
    try:
        layer = cls(*args)
    except LayerGraphError as e:
        raise EvalError(blame(e, args, where, node, cls.positional), str(e)) from None
    except (TypeError, ValueError) as e:
        raise EvalError(node, f"{name}: {e}") from None
    if layer.Name:
        ev.explicit_names.add(layer.Name)
    exprs = _parameter_options(layer, raw)
    if exprs:
        layer.__dict__[EXPRESSIONS] = exprs
    return layer


EXPRESSIONS = "_matlab_expressions"
"""The attribute of a translated layer that maps its options set from parameters to the Python
expression of each (``{'OutputSize': 'numClasses'}``), for the translated Python."""


def _parameter_options(layer: Layer, raw: list) -> dict:
    """{option: Python expression} of the layer's options whose value came from parameters."""
    out = {}
    named_from = next((k for k, v in enumerate(raw) if isinstance(v, str)), len(raw))
    for k, v in enumerate(raw):
        expr = expression_of(v)
        if expr is None:
            continue
        if k < named_from:
            option = layer.positional[k] if k < len(layer.positional) else None
        else:
            key = raw[k - 1] if k and isinstance(raw[k - 1], str) else None
            try:
                option = canonical_name(key, list(layer.options), layer.matlab_name) \
                    if key else None
            except OptionError:
                option = None
        if option and option in layer.props and layer.props[option] == to_py(v):
            out[option] = expr
    return out


# --- layer graphs --------------------------------------------------------------------------------

# name -> (function, the numbers of arguments it takes, positions of layer arrays or graphs,
#          positions of layer names)
GRAPH_EDITS = {
    "layerGraph": (layerGraph, (0, 1), (0,), ()),
    "addLayers": (addLayers, (2,), (0, 1), ()),
    "connectLayers": (connectLayers, (3,), (0,), (1, 2)),
    "disconnectLayers": (disconnectLayers, (3,), (0,), (1, 2)),
    "removeLayers": (removeLayers, (2,), (0,), ()),
    "replaceLayer": (replaceLayer, (3,), (0, 2), (1,)),
}


def graph_call(ev: Interpreter, name, arg_nodes, node):
    """``layerGraph(layers)``, ``addLayers(lgraph, ...)``, ``connectLayers(lgraph, 'a', 'b')``..."""
    fn, counts, networks, layer_names = GRAPH_EDITS[name]
    args, where = strict_args(ev, arg_nodes, f"an argument of {name}", networks)
    if len(args) not in counts:
        raise EvalError(node, f"{name} takes {' or '.join(map(str, counts))} arguments, "
                        f"got {len(args)}")
    if name != "layerGraph" and not isinstance(args[0], LayerGraph):
        raise EvalError(where[0], f"the first argument of {name} must be a layer graph "
                        f"(lgraph = layerGraph(layers)), got {literal_text(args[0])}")
    if name == "layerGraph" and args and not isinstance(args[0], (Layer, list, LayerGraph)):
        raise EvalError(where[0], f"layerGraph expects a layer array, got "
                        f"{literal_text(args[0])}")
    for k in layer_names:
        if not isinstance(args[k], str):
            raise EvalError(where[k], f"{name} expects a layer name here, got "
                            f"{literal_text(args[k])}")
    for k in networks[1:] if name != "layerGraph" else ():
        if not (isinstance(args[k], Layer) or (isinstance(args[k], list) and all(
                isinstance(x, Layer) for x in args[k]))):
            raise EvalError(where[k], f"{name} expects a layer or layer array here, got "
                            f"{literal_text(args[k])}")
    if name == "removeLayers" and not (isinstance(args[1], str) or (
            isinstance(args[1], list) and all(isinstance(x, str) for x in args[1]))):
        raise EvalError(where[1], f"removeLayers expects a layer name or a list of names, got "
                        f"{literal_text(args[1])}")
    try:
        return fn(*args)
    except LayerGraphError as e:
        raise EvalError(node, f"{name}: {e}") from None


# --- objects that are option values --------------------------------------------------------------

OPTION_OBJECTS = {**{cls.matlab_name: cls for cls in METRICS_BY_NAME.values()},
                  **{cls.__name__: cls for cls in SCHEDULES.values()}}
"""Constructors whose objects are values of trainingOptions' options: metric objects
(``Metrics=fScoreMetric(AverageType="macro")``) and learning-rate schedules
(``LearnRateSchedule=warmupLearnRate(NumSteps=5)``)."""


def option_object(ev: Interpreter, name, arg_nodes, node):
    """``fScoreMetric(...)``, ``cosineLearnRate(...)``: the object, from layergraph's class."""
    args, where = strict_args(ev, arg_nodes, f"an argument of {name}")
    try:
        return OPTION_OBJECTS[name](*args)
    except LayerGraphError as e:
        raise EvalError(blame(e, args, where, node), str(e)) from None


# --- trainingOptions -----------------------------------------------------------------------------


def training_options(ev: Interpreter, name, arg_nodes, node):
    """``trainingOptions(solver, Name, Value, ...)`` through layergraph's trainingOptions.

    The translator adds what the MATLAB text needs on top: each name-value pair keeps its nodes
    for errors, a MATLAB option layergraph lacks is named as such, and ValidationData computed
    from data is left out with a note (it is data, not part of the network).
    """
    if not arg_nodes:
        raise EvalError(node, "trainingOptions needs a solver name: 'sgdm', 'adam' or "
                        "'rmsprop'")
    solver_node, rest = arg_nodes[0], arg_nodes[1:]
    pairs = _option_pairs(ev, rest)
    solver = ev.strict(ev.ev(solver_node), solver_node, "the solver of trainingOptions")
    args, where = [to_py(solver)], [solver_node]
    exprs = {}
    for key, key_node, value_node in pairs:
        try:
            option = canonical_name(key, list(TRAINING_OPTIONS), "trainingOptions")
        except OptionError as e:
            raise EvalError(key_node, _matlab_only_message(key) or str(e)) from None
        value = ev.ev(value_node)
        if option == "ValidationData" and contains_unknown(value):
            ev.note(value_node, "ValidationData is data and is not translated; in Python pass "
                    "ValidationData=(XValidation, YValidation) to trainingOptions")
            continue
        ev.strict(value, value_node, f"the value of '{option}'")
        if expression_of(value) is not None:
            exprs[option] = expression_of(value)
        if option == "ValidationData" and isinstance(value, CellArray):
            value = tuple(to_py(v) for v in value)
        else:
            value = to_py(value)
        args += [key, value]
        where += [key_node, value_node]
    try:
        options = trainingOptions(*args)
    except LayerGraphError as e:
        raise EvalError(blame(e, args, where, node, ("solverName",)), str(e)) from None
    if exprs:
        options.__dict__[EXPRESSIONS] = exprs  # read-only to users; the translation's own mark
    return options


def _option_pairs(ev: Interpreter, arg_nodes) -> list[tuple[str, Node, Node]]:
    """The (name, name node, value node) of each name-value pair, in either syntax."""
    pairs = []
    k = 0
    while k < len(arg_nodes):
        a = arg_nodes[k]
        if isinstance(a, NameValue):
            pairs.append((a.name, name_node(a), a.value))
            k += 1
            continue
        key = ev.strict(ev.ev(a), a, "an option name of trainingOptions")
        if not isinstance(key, str):
            raise EvalError(a, f"expected an option name (a string) in trainingOptions, got "
                            f"{literal_text(key)}")
        if k + 1 >= len(arg_nodes):
            raise EvalError(a, f"option '{key}' of trainingOptions has no value")
        pairs.append((str(key), a, arg_nodes[k + 1]))
        k += 2
    return pairs


def _matlab_only_message(key: str) -> str | None:
    """For an option of MATLAB's trainingOptions that layergraph lacks: the message saying so."""
    try:
        matlab = canonical_name(key, sorted(names.MATLAB_ONLY_TRAINING_OPTIONS), "trainingOptions")
    except OptionError:
        return None
    return f"MATLAB's trainingOptions has '{matlab}' but layergraph does not support it yet"


# --- training ------------------------------------------------------------------------------------


def train_call(ev: Interpreter, name, arg_nodes, node):
    """``trainNetwork(X, Y, layers, options)`` / ``(ds, layers, options)`` and
    ``trainnet(..., net, lossFcn, options)``: not run, but the network and options given are the
    ones translated."""
    args = []
    for a in arg_nodes:
        if isinstance(a, NameValue):
            ev.ev(a.value)
        else:
            args.append(ev.ev(a))
    k = -3 if name == "trainnet" else -2
    if len(args) >= -k:
        net, opts = args[k], args[-1]
        if isinstance(net, Trained):
            net = net.network
        if isinstance(net, Layer):
            net = LayerArray([net])
        if isinstance(net, Unknown):
            ev.fail(net, f"the network given to {name}", network=True)
        ev.trained = (net, opts, node)
        if name == "trainnet":
            loss = args[-2]
            ev.modern["trainnet"] = to_py(loss) if isinstance(loss, str) else None
        return Trained(net, name)
    return Unknown(node, f"'{name}' trains a network, which layergraph does not do while "
                   "translating")


def dlnetwork_call(ev: Interpreter, name, arg_nodes, node):
    """``dlnetwork(layers)`` (R2019b+; the start of today's workflow): the network is the layer
    graph of the layers given; ``initialize(net)`` returns it as it is."""
    positional = [a for a in arg_nodes if not isinstance(a, NameValue)]
    if not positional:
        return Unknown(node, f"'{name}' without a network is not evaluated")
    args, where = strict_args(ev, positional[:1], f"the network given to {name}", (0,))
    net = args[0]
    if name == "dlnetwork":
        ev.modern["dlnetwork"] = True
        for a in arg_nodes:
            if isinstance(a, NameValue) and a.name.lower() == "initialize":
                ev.modern["initialize"] = to_py(ev.ev(a.value))
    if isinstance(net, Layer):
        net = [net]
    if isinstance(net, list):
        try:
            return layerGraph(net)
        except LayerGraphError as e:
            raise EvalError(node, f"{name}: {e}") from None
    if isinstance(net, LayerGraph):
        return net
    raise EvalError(where[0], f"{name} expects a layer array or layer graph, got "
                    f"{literal_text(net)}")


# MATLAB's pretrained networks, and the layer types each is made of (from MATLAB's
# documentation of the network): the ones layergraph lacks are named when one is used.
PRETRAINED = {
    "googlenet": ("imageInputLayer convolution2dLayer reluLayer maxPooling2dLayer "
                  "crossChannelNormalizationLayer depthConcatenationLayer "
                  "globalAveragePooling2dLayer dropoutLayer fullyConnectedLayer softmaxLayer "
                  "classificationLayer"),
    "squeezenet": ("imageInputLayer convolution2dLayer reluLayer maxPooling2dLayer "
                   "depthConcatenationLayer dropoutLayer globalAveragePooling2dLayer "
                   "softmaxLayer classificationLayer"),
    "resnet18": ("imageInputLayer convolution2dLayer batchNormalizationLayer reluLayer "
                 "maxPooling2dLayer additionLayer globalAveragePooling2dLayer "
                 "fullyConnectedLayer softmaxLayer classificationLayer"),
    "resnet50": ("imageInputLayer convolution2dLayer batchNormalizationLayer reluLayer "
                 "maxPooling2dLayer additionLayer globalAveragePooling2dLayer "
                 "fullyConnectedLayer softmaxLayer classificationLayer"),
    "alexnet": ("imageInputLayer convolution2dLayer reluLayer crossChannelNormalizationLayer "
                "maxPooling2dLayer fullyConnectedLayer dropoutLayer softmaxLayer "
                "classificationLayer"),
    "vgg16": ("imageInputLayer convolution2dLayer reluLayer maxPooling2dLayer "
              "fullyConnectedLayer dropoutLayer softmaxLayer classificationLayer"),
    "mobilenetv2": ("imageInputLayer convolution2dLayer batchNormalizationLayer "
                    "clippedReluLayer groupedConvolution2dLayer additionLayer "
                    "globalAveragePooling2dLayer fullyConnectedLayer softmaxLayer "
                    "classificationLayer"),
}


def pretrained_call(ev: Interpreter, name, arg_nodes, node):
    """``googlenet``, ``resnet18``, ``imagePretrainedNetwork("squeezenet")``: a pretrained
    network's weights are not in the MATLAB text, so it is not translated; the error names the
    layer types of it that layergraph lacks, and the rest of the file is still translated."""
    net = name
    if name == "imagePretrainedNetwork":
        first = next((a for a in arg_nodes if not isinstance(a, NameValue)), None)
        v = ev.ev(first) if first is not None else "squeezenet"
        net = str(v) if isinstance(v, str) else "squeezenet"
    kinds = PRETRAINED.get(net, "").split()
    missing = [k for k in kinds if k not in REGISTRY]
    msg = (f"'{net}' is a pretrained network: its trained weights are not in the MATLAB code, "
           "so layergraph cannot translate it")
    if missing:
        msg += f"; layergraph lacks these of its layer types: {', '.join(missing)}"
    msg += ("; define the CNN with layers in the code (or load a saved layergraph network) "
            "and translate the rest")
    raise EvalError(node, msg)


# --- the table -----------------------------------------------------------------------------------

CALLS = {
    **{name: graph_call for name in GRAPH_EDITS},
    "trainingOptions": training_options,
    "trainNetwork": train_call,
    "trainnet": train_call,
    "dlnetwork": dlnetwork_call,
    "initialize": dlnetwork_call,
    **{name: pretrained_call for name in PRETRAINED},
    "imagePretrainedNetwork": pretrained_call,
    **{name: option_object for name in OPTION_OBJECTS},
}
"""MATLAB function name -> handler(ev, name, arg_nodes, node) returning the call's value."""

SUGGESTIONS = frozenset(GRAPH_EDITS) | {"trainingOptions"}
"""Functions a misspelt name is offered as ("Did you mean 'connectLayers'?")."""


def handler(name: str):
    """The handler of a MATLAB call that builds layergraph objects, or None."""
    return make_layer if name in REGISTRY else CALLS.get(name)
