"""MATLAB names the translator knows: layers layergraph has or lacks, and other functions.

Knowing MATLAB's layer constructors is what lets the lexer split run-together text copied from a
web page (``softmaxLayerclassificationLayer``) and lets errors say "MATLAB has this layer but
layergraph does not support it yet" instead of "unknown function".
"""

from __future__ import annotations

from ..layers import REGISTRY

# Layer constructors of MATLAB's Deep Learning Toolbox (and close relatives). Those that are also in
# layergraph's REGISTRY are translated; the others are reported as not supported yet.
MATLAB_LAYERS = frozenset("""
additionLayer attentionLayer averagePooling1dLayer averagePooling2dLayer averagePooling3dLayer
batchNormalizationLayer bilstmLayer classificationLayer clippedReluLayer concatenationLayer
convolution1dLayer convolution2dLayer convolution3dLayer crop2dLayer crop3dLayer
crossChannelNormalizationLayer depthConcatenationLayer depthToSpace2dLayer
dicePixelClassificationLayer dropoutLayer eluLayer embeddingConcatenationLayer
featureInputLayer flattenLayer focalLossLayer fullyConnectedLayer functionLayer geluLayer
globalAveragePooling1dLayer globalAveragePooling2dLayer globalAveragePooling3dLayer
globalMaxPooling1dLayer globalMaxPooling2dLayer globalMaxPooling3dLayer groupNormalizationLayer
groupedConvolution2dLayer gruLayer gruProjectedLayer identityLayer image3dInputLayer
imageInputLayer indexing1dLayer inputLayer instanceNormalizationLayer layerNormalizationLayer
leakyReluLayer lstmLayer lstmProjectedLayer maxPooling1dLayer maxPooling2dLayer maxPooling3dLayer
maxUnpooling2dLayer multiplicationLayer networkLayer pixelClassificationLayer
pointCloudInputLayer positionEmbeddingLayer regressionLayer reluLayer resize2dLayer
resize3dLayer scalingLayer selfAttentionLayer sequenceFoldingLayer sequenceInputLayer
sequenceUnfoldingLayer sigmoidLayer sinusoidalPositionEncodingLayer softmaxLayer softplusLayer
spaceToDepthLayer spatialDropoutLayer swishLayer tanhLayer transposedConv1dLayer
transposedConv2dLayer transposedConv3dLayer wordEmbeddingLayer
""".split()) | frozenset(REGISTRY)

LAYERS = frozenset(REGISTRY)
"""MATLAB layer constructors layergraph translates."""

MATLAB_ONLY_LAYERS = MATLAB_LAYERS - LAYERS
"""MATLAB layer constructors layergraph does not have yet."""

GRAPH_FUNCTIONS = frozenset({"layerGraph", "addLayers", "connectLayers", "disconnectLayers",
                             "removeLayers", "replaceLayer"})

TRAINING_FUNCTIONS = frozenset({"trainNetwork", "trainnet"})

# trainingOptions names MATLAB has and layergraph does not (yet): reported as such.
MATLAB_ONLY_TRAINING_OPTIONS = frozenset({
    "BatchNormalizationStatistics", "DispatchInBackground", "OutputFcn", "WorkerLoad",
    "LearnRateScheduleSettings", "PreprocessingEnvironment", "L2RegularizationFactor",
})

# Functions whose results are data, training, inference or graphics: statements using them are
# skipped (and reported as notes); used inside a network expression they are errors.
DATA_FUNCTIONS = frozenset("""
load save japaneseVowelsTrainData japaneseVowelsTestData chickenpox_dataset readtable readmatrix
readcell csvread dlmread xlsread fullfile tempdir pwd websave unzip gunzip untar exist mkdir
datastore imageDatastore audioDatastore fileDatastore arrayDatastore signalDatastore combine
transform read readall hasdata reset shuffle partition splitEachLabel cellfun arrayfun
categorical categories countcats cell cell2mat num2cell mat2cell sort sortrows unique find any
all isnan rmmissing normalize rescale mean std var median mode cumsum diff repmat reshape
permute squeeze cat horzcat vertcat transpose rand randn randi randperm rng linspace colon
table array2table table2array struct fieldnames isfield onehotencode onehotdecode
trainingPartitions processTurboFanDataTrain processTurboFanDataTest readVideo centerCrop
extractFeatures padsequences dlarray extractdata gpuArray gather tic toc disp fprintf sprintf
display num2str str2double string char strcat strsplit join contains startsWith endsWith
isempty numel length size ndims numFrames VideoReader
""".split())

NETWORK_FUNCTIONS = frozenset("""
trainNetwork trainnet classify predict predictAndUpdateState resetState activations
minibatchpredict scores2label dlnetwork assembleNetwork analyzeNetwork deepNetworkDesigner
initialize forward googlenet resnet50 squeezenet imagePretrainedNetwork net2layers
resnet18 alexnet vgg16 mobilenetv2 importNetworkFromONNX importONNXNetwork importONNXLayers
importNetworkFromTensorFlow importKerasNetwork importKerasLayers testnet addInputLayer
predictAndUpdateState resetState
""".split())

GRAPHICS_FUNCTIONS = frozenset("""
figure plot bar histogram scatter stackedplot tiledlayout nexttile subplot hold grid axis xlabel
ylabel zlabel title legend xlim ylim xline yline confusionchart close clf clc clear drawnow
imshow imagesc colorbar colormap text annotation set gca gcf line area fill format warning
""".split())

KNOWN_FUNCTIONS = DATA_FUNCTIONS | NETWORK_FUNCTIONS | GRAPHICS_FUNCTIONS

# Names the lexer may find run together (newlines lost in a copy from a web page).
SPLITTABLE = MATLAB_LAYERS | GRAPH_FUNCTIONS | {"trainingOptions"}
