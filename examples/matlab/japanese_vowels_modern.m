% Sequence classification with a BiLSTM (today's workflow: dlnetwork / trainnet /
% minibatchpredict / scores2label / testnet). The MATLAB program that
% examples/japanese_vowels_modern.py ports, written from the description of MATLAB's
% "Sequence Classification Using Deep Learning" example; the legacy twin (trainNetwork,
% classificationLayer, classify) is what examples/japanese_vowels.py ports.

[XTrain,TTrain] = japaneseVowelsTrainData;
[XTest,TTest] = japaneseVowelsTestData;

% Sort the training sequences by length, so that each mini-batch pads little.
numObservations = numel(XTrain);
sequenceLengths = zeros(numObservations,1);
for i = 1:numObservations
    sequenceLengths(i) = size(XTrain{i},1);
end
[~,idx] = sort(sequenceLengths);
XTrain = XTrain(idx);
TTrain = TTrain(idx);

classNames = categories(TTrain);
numFeatures = size(XTrain{1},2);
numHiddenUnits = 100;
numClasses = numel(classNames);

% No output layer: the loss is trainnet's argument.
layers = [ ...
    sequenceInputLayer(numFeatures)
    bilstmLayer(numHiddenUnits,OutputMode="last")
    fullyConnectedLayer(numClasses)
    softmaxLayer];
net = dlnetwork(layers);

options = trainingOptions("adam", ...
    MaxEpochs=50, ...
    MiniBatchSize=27, ...
    GradientThreshold=1, ...
    Shuffle="never", ...
    Metrics="accuracy", ...
    Verbose=false);

net = trainnet(XTrain,TTrain,net,"crossentropy",options);

scores = minibatchpredict(net,XTest,MiniBatchSize=27);
YTest = scores2label(scores,classNames);
acc = testnet(net,XTest,TTest,"accuracy")
