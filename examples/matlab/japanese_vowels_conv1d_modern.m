% Sequence classification with 1-D convolutions (today's workflow: dlnetwork / trainnet /
% minibatchpredict / scores2label / testnet). The MATLAB program that
% examples/japanese_vowels_conv1d.py --modern ports, written from the description of MATLAB's
% "Sequence Classification Using 1-D Convolutions" example on the Japanese Vowels data; the
% legacy twin (trainNetwork, classificationLayer, classify) is japanese_vowels_conv1d.m.

[XTrain,TTrain] = japaneseVowelsTrainData;
[XValidation,TValidation] = japaneseVowelsTestData;

numFeatures = size(XTrain{1},1);
classNames = categories(TTrain);
numClasses = numel(classNames);

% Every sequence must be at least as long as the shortest training sequence.
sequenceLengths = cellfun(@(X) size(X,2), XTrain);
minLength = min(sequenceLengths);

filterSize = 3;
numFilters = 32;

% No output layer: the loss is trainnet's argument.
layers = [ ...
    sequenceInputLayer(numFeatures,MinLength=minLength)
    convolution1dLayer(filterSize,numFilters,Padding="causal")
    reluLayer
    layerNormalizationLayer
    convolution1dLayer(filterSize,2*numFilters,Padding="causal")
    reluLayer
    layerNormalizationLayer
    globalAveragePooling1dLayer
    fullyConnectedLayer(numClasses)
    softmaxLayer];
net = dlnetwork(layers);

miniBatchSize = 27;
options = trainingOptions("adam", ...
    MiniBatchSize=miniBatchSize, ...
    MaxEpochs=15, ...
    SequencePaddingDirection="left", ...
    ValidationData={XValidation,TValidation}, ...
    Metrics="accuracy", ...
    Plots="training-progress", ...
    Verbose=false);

net = trainnet(XTrain,TTrain,net,"crossentropy",options);

% Test: pad on the left as in training.
scores = minibatchpredict(net,XValidation, ...
    MiniBatchSize=miniBatchSize, ...
    SequencePaddingDirection="left");
YPred = scores2label(scores,classNames);
acc = testnet(net,XValidation,TValidation,"accuracy", ...
    MiniBatchSize=miniBatchSize,SequencePaddingDirection="left")
