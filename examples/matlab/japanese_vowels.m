% Sequence classification with a BiLSTM (legacy workflow: trainNetwork / classificationLayer /
% classify). The MATLAB program that examples/japanese_vowels.py ports, written from the
% description of MATLAB's "Sequence Classification Using Deep Learning" example on the Japanese
% Vowels data (nine speakers, 12 LPC cepstrum coefficients per frame); today's twin (dlnetwork,
% trainnet) is japanese_vowels_modern.m.

[XTrain,YTrain] = japaneseVowelsTrainData;

% Sort the training sequences by length, so that each mini-batch pads little.
numObservations = numel(XTrain);
sequenceLengths = zeros(numObservations,1);
for i = 1:numObservations
    sequenceLengths(i) = size(XTrain{i},2);
end
[sequenceLengths,idx] = sort(sequenceLengths);
XTrain = XTrain(idx);
YTrain = YTrain(idx);

numFeatures = 12;
numHiddenUnits = 100;
numClasses = 9;

% The BiLSTM reads each whole sequence and passes on its last output only.
layers = [ ...
    sequenceInputLayer(numFeatures)
    bilstmLayer(numHiddenUnits,'OutputMode','last')
    fullyConnectedLayer(numClasses)
    softmaxLayer
    classificationLayer];

% Mini-batches of 27 sequences in their sorted order, each padded to its longest sequence;
% gradients clipped at norm 1.
miniBatchSize = 27;
options = trainingOptions('adam', ...
    'ExecutionEnvironment','cpu', ...
    'GradientThreshold',1, ...
    'MaxEpochs',50, ...
    'MiniBatchSize',miniBatchSize, ...
    'SequenceLength','longest', ...
    'Shuffle','never', ...
    'Verbose',0, ...
    'Plots','training-progress');

net = trainNetwork(XTrain,YTrain,layers,options);

[XTest,YTest] = japaneseVowelsTestData;
YPred = classify(net,XTest, ...
    'MiniBatchSize',miniBatchSize, ...
    'SequenceLength','longest');
acc = sum(YPred == YTest)./numel(YTest)
