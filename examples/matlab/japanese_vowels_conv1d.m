% Sequence classification with 1-D convolutions (legacy workflow: trainNetwork / classify).
% The MATLAB program that examples/japanese_vowels_conv1d.py ports, written from the
% description of MATLAB's "Sequence Classification Using 1-D Convolutions" example
% (Japanese Vowels version).

% Japanese Vowels: 270 training and 370 test sequences, 12 features each, 7 to 29 steps long.
[XTrain,TTrain] = japaneseVowelsTrainData;
[XValidation,TValidation] = japaneseVowelsTestData;

numFeatures = size(XTrain{1},1);
classes = categories(TTrain);
numClasses = numel(classes);

% The shortest training sequence: every sequence must be at least as long as what the
% convolutions need.
sequenceLengths = cellfun(@(X) size(X,2), XTrain);
minLength = min(sequenceLengths);

% Two blocks of causal convolution, ReLU and layer normalization, the second with twice the
% filters; global average pooling over time reduces each sequence to one vector.
filterSize = 3;
numFilters = 32;

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
    softmaxLayer
    classificationLayer];

miniBatchSize = 27;
options = trainingOptions("adam", ...
    MiniBatchSize=miniBatchSize, ...
    MaxEpochs=15, ...
    SequencePaddingDirection="left", ...
    ValidationData={XValidation,TValidation}, ...
    Plots="training-progress", ...
    Verbose=0);

net = trainNetwork(XTrain,TTrain,layers,options);

% Test: classify the held-out sequences, padded on the left as in training.
YPred = classify(net,XValidation, ...
    MiniBatchSize=miniBatchSize, ...
    SequencePaddingDirection="left");
acc = mean(YPred == TValidation)
