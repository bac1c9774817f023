% Video classification with a convolutional network on every frame and an LSTM over the frames
% (today's workflow: dlnetwork / trainnet / minibatchpredict / scores2label / testnet). The
% MATLAB program that examples/digit_video_classification.py --modern ports; the legacy twin
% (sequence folding and unfolding, trainNetwork, classify) is digit_video_classification.m.
% A dlnetwork needs no folding: its 2-D layers act on every time step of image sequences
% (format SSCBT) themselves.
%
% Data: sequences of 3 to 6 images of 8x8 handwritten digits (UCI, CC BY 4.0), each an
% 8-by-8-by-1-by-numFrames array; the label is the digit that appears twice in the sequence.
% The MAT-files are written as digit_video_classification.m describes.

s = load("digitVideosTrain.mat");
XTrain = s.X(:);
TTrain = categorical(cellstr(s.Y(:)));
s = load("digitVideosTest.mat");
XTest = s.X(:);
TTest = categorical(cellstr(s.Y(:)));

classNames = categories(TTrain);
inputSize = [8 8 1];
filterSize = 3;
numFilters = 16;
numHiddenUnits = 64;
numClasses = numel(classNames);

% No folding layers and no output layer: the loss is trainnet's argument.
layers = [ ...
    sequenceInputLayer(inputSize)
    convolution2dLayer(filterSize,numFilters)
    batchNormalizationLayer
    reluLayer
    flattenLayer
    lstmLayer(numHiddenUnits,OutputMode="last")
    fullyConnectedLayer(numClasses)
    softmaxLayer];
net = dlnetwork(layers);

miniBatchSize = 32;
options = trainingOptions("adam", ...
    MaxEpochs=20, ...
    MiniBatchSize=miniBatchSize, ...
    GradientThreshold=2, ...
    Shuffle="every-epoch", ...
    Metrics="accuracy", ...
    Plots="training-progress", ...
    Verbose=false);

net = trainnet(XTrain,TTrain,net,"crossentropy",options);

scores = minibatchpredict(net,XTest,MiniBatchSize=miniBatchSize);
YTest = scores2label(scores,classNames);
acc = testnet(net,XTest,TTest,"accuracy")
