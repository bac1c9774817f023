"""layergraph: MATLAB Deep Learning Toolbox's layer-array / layerGraph workflow for sequence
networks, on PyTorch.

    from layergraph import *
    layers = [sequenceInputLayer(12), bilstmLayer(100, 'OutputMode', 'last'),
              fullyConnectedLayer(9), softmaxLayer(), classificationLayer()]
    analyzeNetwork(layers)

Importing the package is quick and imports no torch: the layers, the graph, the analysis and the
diagrams are loaded at once (none of them imports torch), the YAML specs, MATLAB translation, the
compiled network and the trainer on first use of one of their names (PEP 562 ``__getattr__``).
So checking, analysing, drawing and translating networks never import torch;
``assembleNetwork``, ``trainNetwork``, ``predict`` and the other names of the compiled network
and the trainer import it when they are first used.
"""


from .analysis import NetworkAnalysis, Problem, analyze, analyzeNetwork
from .errors import (
    DataError,
    ExportError,
    FileError,
    GraphError,
    LayerGraphError,
    LearnablesFileError,
    NetworkError,
    OptionError,
    TrainingDiverged,
)
from .graph import (
    LayerGraph,
    addLayers,
    connectLayers,
    disconnectLayers,
    layerGraph,
    removeLayers,
    replaceLayer,
)
from .layers import *  # noqa: F403  (every layer, by MATLAB name and class name)
from .layers import REGISTRY, Layer, layer_class
from .lazy import lazy_names
from .render import plot, render  # eager: the module's name must not hide the function render
from .services import promise

__version__ = "0.1.0"

_LAZY = {
    "modern": ("DLNetwork", "Table", "categories", "dlnetwork", "initialize",
                  "minibatchpredict", "scores2label", "testnet"),
    "matfile": ("exportLearnables", "importLearnables"),
    "matlab": ("MatlabSyntaxError", "MatlabTranslationError", "from_matlab"),
    "network": ("Network", "assembleNetwork", "classify", "load_network", "predict",
                "predictAndUpdateState", "resetState", "save_network"),
    "onnx_export": ("exportONNXNetwork",),
    "spec": ("Spec", "SpecError", "load_spec", "save_spec"),
    "training": ("TrainingInfo", "TrainingOptions", "trainingOptions", "trainNetwork", "trainnet",
                 "accuracyMetric", "aucMetric", "fScoreMetric", "mapeMetric", "precisionMetric",
                 "recallMetric", "rmseMetric", "cosineLearnRate", "cyclicalLearnRate",
                 "exponentialLearnRate", "piecewiseLearnRate", "polynomialLearnRate",
                 "warmupLearnRate"),
}
_WHERE = {name: module for module, names in _LAZY.items() for name in names}

# The graph's YAML methods call services of the spec package, loaded lazily (services.py).
promise("save_spec", f"{__name__}.spec")
promise("load_spec", f"{__name__}.spec")
promise("saved_dlnetwork", f"{__name__}.modern")  # load_network of a saved dlnetwork
promise("export_onnx", f"{__name__}.onnx_export")  # net.export_onnx(...)

__all__ = [
    "Layer", "LayerGraph", "NetworkAnalysis", "Problem", "REGISTRY", "layer_class",
    "layerGraph", "addLayers", "connectLayers", "disconnectLayers", "removeLayers",
    "replaceLayer", "analyzeNetwork", "analyze", "LayerGraphError", "OptionError", "GraphError",
    "NetworkError", "DataError", "FileError", "TrainingDiverged", "ExportError",
    "LearnablesFileError", "plot", "render",
    *_WHERE,  # the lazily loaded names
    *REGISTRY, *(c.__name__ for c in REGISTRY.values()),
]


__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
