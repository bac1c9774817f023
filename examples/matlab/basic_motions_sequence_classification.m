% Sequence-to-sequence classification: an activity label for every time step (legacy workflow:
% trainNetwork / classify). The MATLAB program that
% examples/basic_motions_sequence_classification.py ports, written from the description of
% MATLAB's "Sequence-to-Sequence Classification Using Deep Learning" example, applied to the UEA
% BasicMotions smart-watch recordings (6 channels: 3-D accelerometer, 3-D gyroscope; 4
% activities). Each sequence is 10 recordings of random activities placed end to end, each step
% labelled with its recording's activity. The MAT-file holds those sequences as layergraph makes
% them (cell arrays of numChannels-by-numTimeSteps matrices and of 1-by-numTimeSteps label
% strings):
%   python examples/basic_motions_sequence_classification.py --export-mat basic_motions_sequences.mat

data = load("basic_motions_sequences.mat");
XTrain = data.XTrain;
XTest = data.XTest;
TTrain = cellfun(@categorical,data.TTrain,UniformOutput=false);
TTest = cellfun(@categorical,data.TTest,UniformOutput=false);

numFeatures = size(XTrain{1},1);
classNames = categories(TTrain{1});
numClasses = numel(classNames);

% An LSTM that outputs every time step, then a label per step. The input layer standardizes
% each channel with the training data's mean and standard deviation (the accelerometer's values
% are about ten times the gyroscope's).
numHiddenUnits = 200;
layers = [ ...
    sequenceInputLayer(numFeatures,Normalization="zscore")
    lstmLayer(numHiddenUnits,OutputMode="sequence")
    fullyConnectedLayer(numClasses)
    softmaxLayer
    classificationLayer];

options = trainingOptions("adam", ...
    MaxEpochs=60, ...
    GradientThreshold=2, ...
    Verbose=0, ...
    Plots="training-progress");

net = trainNetwork(XTrain,TTrain,layers,options);

% Per-step accuracy over all test sequences.
YPred = classify(net,XTest);
numCorrect = 0;
numSteps = 0;
for i = 1:numel(XTest)
    numCorrect = numCorrect + sum(YPred{i} == TTest{i});
    numSteps = numSteps + numel(TTest{i});
end
acc = numCorrect/numSteps
