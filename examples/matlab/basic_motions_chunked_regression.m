% Sequence-to-sequence regression trained in chunks of 125 time steps, the recurrent state
% carried from chunk to chunk (legacy workflow: trainNetwork / predict). The MATLAB program that
% examples/basic_motions_chunked_regression.py ports, written from the description of MATLAB's
% "Sequence-to-Sequence Regression Using Deep Learning" example (its network and training
% options), with SequenceLength=125, applied to the UEA BasicMotions smart-watch recordings: at
% every step, predict the 3 gyroscope channels from the 3 accelerometer channels. Each sequence
% is 10 recordings placed end to end (1000 steps). The MAT-file holds those sequences as
% layergraph makes them (cell arrays of channels-by-steps matrices):
%   python examples/basic_motions_chunked_regression.py --export-mat basic_motions_gyroscope.mat

data = load("basic_motions_gyroscope.mat");
XTrain = data.XTrain;
TTrain = data.TTrain;
XTest = data.XTest;
TTest = data.TTest;

numFeatures = size(XTrain{1},1);
numResponses = size(TTrain{1},1);

% The network of MATLAB's example; the input layer standardizes each channel with the training
% data's mean and standard deviation.
numHiddenUnits = 200;
layers = [ ...
    sequenceInputLayer(numFeatures,Normalization="zscore")
    lstmLayer(numHiddenUnits,OutputMode="sequence")
    fullyConnectedLayer(50)
    dropoutLayer(0.5)
    fullyConnectedLayer(numResponses)
    regressionLayer];

% SequenceLength=125: each mini-batch is split into chunks of 125 steps, one iteration each,
% the LSTM's state carried into the next chunk.
sequenceLength = 125;
options = trainingOptions("adam", ...
    MaxEpochs=60, ...
    MiniBatchSize=20, ...
    InitialLearnRate=0.01, ...
    GradientThreshold=1, ...
    Shuffle="never", ...
    SequenceLength=sequenceLength, ...
    Plots="training-progress", ...
    Verbose=0);

net = trainNetwork(XTrain,TTrain,layers,options);

% Predict whole sequences and in chunks; for a unidirectional LSTM the two agree.
YTest = predict(net,XTest);
YChunked = predict(net,XTest,SequenceLength=sequenceLength);
squaredError = 0;
numValues = 0;
maxDifference = 0;
for i = 1:numel(XTest)
    squaredError = squaredError + sum((YTest{i} - TTest{i}).^2,"all");
    numValues = numValues + numel(TTest{i});
    maxDifference = max(maxDifference,max(abs(YTest{i} - YChunked{i}),[],"all"));
end
rmse = sqrt(squaredError/numValues)
maxDifference
