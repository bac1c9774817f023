"""layergraph: MATLAB Deep Learning Toolbox's layer-array / layerGraph workflow for sequence
networks, on PyTorch.

    from layergraph import *
    layers = [sequenceInputLayer(12), bilstmLayer(100, 'OutputMode', 'last'),
              fullyConnectedLayer(9), softmaxLayer(), classificationLayer()]
    analyzeNetwork(layers)
"""

from .analysis import NetworkAnalysis, Problem, analyze, analyzeNetwork
from .errors import DataError, GraphError, LayerGraphError, NetworkError, OptionError
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
from .matlab import MatlabSyntaxError, MatlabTranslationError, from_matlab
from .network import (
    Network,
    assembleNetwork,
    classify,
    load_network,
    predict,
    predictAndUpdateState,
    resetState,
    save_network,
)
from .render import plot, render
from .spec import Spec, SpecError, load_spec, save_spec
from .training import TrainingInfo, TrainingOptions, trainingOptions, trainNetwork

__version__ = "0.1.0"

__all__ = [
    "Layer", "LayerGraph", "Network", "NetworkAnalysis", "Problem", "REGISTRY", "layer_class",
    "layerGraph", "addLayers", "connectLayers", "disconnectLayers", "removeLayers",
    "replaceLayer", "analyzeNetwork", "analyze", "assembleNetwork", "predict", "classify",
    "predictAndUpdateState", "resetState", "LayerGraphError", "OptionError", "GraphError",
    "NetworkError", "DataError", "trainingOptions", "TrainingOptions",
    "TrainingInfo", "trainNetwork", "save_network", "load_network",
    "Spec", "SpecError", "load_spec", "save_spec", "plot", "render",
    "from_matlab", "MatlabTranslationError", "MatlabSyntaxError",
    *REGISTRY, *(c.__name__ for c in REGISTRY.values()),
]
