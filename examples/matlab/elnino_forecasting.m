% Time series forecasting with an LSTM, open loop and closed loop (legacy workflow:
% trainNetwork / predictAndUpdateState). The MATLAB program that examples/elnino_forecasting.py
% ports, written from the description of MATLAB's "Time Series Forecasting Using Deep Learning"
% example, applied to one multivariate series: NOAA's monthly sea surface temperatures of four
% El Nino regions, 1950-2010, one column per month (numChannels-by-numTimeSteps). The CSV file is
% the data layergraph ships, one row per month:
%   python -c "import numpy as np; from layergraph.datasets import elnino; np.savetxt('elnino_sst.csv', elnino(), delimiter=',', fmt='%.2f')"

data = readmatrix("elnino_sst.csv")';          % 4-by-732: NINO1+2, NINO3, NINO4, NINO3.4
numChannels = size(data,1);
numTimeSteps = size(data,2);

% Train on the first 90% of the months; forecast the rest.
numTrain = floor(0.9*numTimeSteps);
X = data(:,1:numTrain-1);                       % each month ...
T = data(:,2:numTrain);                         % ... and the month after it

% Normalize by the training mean and standard deviation of each channel.
muX = mean(X,2);
sigmaX = std(X,0,2);
muT = mean(T,2);
sigmaT = std(T,0,2);
XTrain = (X - muX) ./ sigmaX;
TTrain = (T - muT) ./ sigmaT;

numHiddenUnits = 128;
layers = [
    sequenceInputLayer(numChannels)
    lstmLayer(numHiddenUnits)
    fullyConnectedLayer(numChannels)
    regressionLayer];

options = trainingOptions("adam", ...
    MaxEpochs=200, ...
    SequencePaddingDirection="left", ...
    Shuffle="every-epoch", ...
    Plots="training-progress", ...
    Verbose=0);

net = trainNetwork(XTrain,TTrain,layers,options);

% Open loop: run through the training months, then give the network the true value of each
% test month as it becomes known and predict the month after it.
dataNorm = (data - muX) ./ sigmaX;
numForecast = numTimeSteps - numTrain;
net = resetState(net);
net = predictAndUpdateState(net,dataNorm(:,1:numTrain-1));
YOpen = zeros(numChannels,numForecast);
for t = 1:numForecast
    [net,YOpen(:,t)] = predictAndUpdateState(net,dataNorm(:,numTrain-1+t));
end
YOpen = YOpen .* sigmaT + muT;

% Closed loop: run through every observed month, then feed each prediction back as the next
% input.
net = resetState(net);
[net,Z] = predictAndUpdateState(net,dataNorm(:,1:numTrain));
YClosed = zeros(numChannels,numForecast);
YClosed(:,1) = Z(:,end);
for t = 2:numForecast
    Xt = (YClosed(:,t-1) .* sigmaT + muT - muX) ./ sigmaX;
    [net,YClosed(:,t)] = predictAndUpdateState(net,Xt);
end
YClosed = YClosed .* sigmaT + muT;

TTest = data(:,numTrain+1:end);
rmseOpen = sqrt(mean((YOpen - TTest).^2,"all"))
rmseClosed = sqrt(mean((YClosed - TTest).^2,"all"))
