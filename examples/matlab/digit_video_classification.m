% Video classification with a convolutional network on every frame and an LSTM over the frames
% (legacy workflow: layerGraph with sequence folding and unfolding, trainNetwork, classify).
% The MATLAB program that examples/digit_video_classification.py ports, written from the
% description of MATLAB's "Classify Videos Using Deep Learning" example and of the video
% classification network in the sequenceFoldingLayer documentation, with the convolutions
% trained from scratch on small frames.
%
% Data: sequences of 3 to 6 images of 8x8 handwritten digits (UCI, CC BY 4.0), each an
% 8-by-8-by-1-by-numFrames array; the label is the digit that appears twice in the sequence.
% The MAT-file is what layergraph's digit_videos writes, e.g.
%   python -c "from layergraph.datasets import digit_videos; import numpy as np, scipy.io as sio; X, Y = digit_videos('train'); sio.savemat('digitVideosTrain.mat', {'X': np.array([np.moveaxis(x, 0, -1) for x in X], dtype=object), 'Y': Y})"
% (and likewise digitVideosTest.mat from the 'test' split).

s = load("digitVideosTrain.mat");
XTrain = s.X(:);
TTrain = categorical(cellstr(s.Y(:)));
s = load("digitVideosTest.mat");
XTest = s.X(:);
TTest = categorical(cellstr(s.Y(:)));

inputSize = [8 8 1];
filterSize = 3;
numFilters = 16;
numHiddenUnits = 64;
numClasses = numel(categories(TTrain));

% The 2-D layers see the frames of a mini-batch as one batch of images: fold them before and
% unfold them after, and tell the unfolding layer the mini-batch size.
layers = [ ...
    sequenceInputLayer(inputSize,Name="input")
    sequenceFoldingLayer(Name="fold")
    convolution2dLayer(filterSize,numFilters,Name="conv")
    batchNormalizationLayer(Name="bn")
    reluLayer(Name="relu")
    sequenceUnfoldingLayer(Name="unfold")
    flattenLayer(Name="flatten")
    lstmLayer(numHiddenUnits,OutputMode="last",Name="lstm")
    fullyConnectedLayer(numClasses,Name="fc")
    softmaxLayer(Name="softmax")
    classificationLayer(Name="classification")];
lgraph = layerGraph(layers);
lgraph = connectLayers(lgraph,"fold/miniBatchSize","unfold/miniBatchSize");

miniBatchSize = 32;
options = trainingOptions("adam", ...
    MaxEpochs=20, ...
    MiniBatchSize=miniBatchSize, ...
    GradientThreshold=2, ...
    Shuffle="every-epoch", ...
    Plots="training-progress", ...
    Verbose=false);

net = trainNetwork(XTrain,TTrain,lgraph,options);

YPred = classify(net,XTest,MiniBatchSize=miniBatchSize);
acc = mean(YPred == TTest)
