% Time series forecasting with an LSTM, open loop and closed loop (today's workflow: dlnetwork /
% trainnet / predict with the network state). The MATLAB program that
% examples/elnino_forecasting.py --modern ports, written from the description of MATLAB's "Time
% Series Forecasting Using Deep Learning" example; the legacy twin (regressionLayer,
% trainNetwork, predictAndUpdateState) is elnino_forecasting.m, which also says how to write the
% CSV file of the data.

data = readmatrix("elnino_sst.csv")';          % 4-by-732: NINO1+2, NINO3, NINO4, NINO3.4
numChannels = size(data,1);
numTimeSteps = size(data,2);

% Train on the first 90% of the months, each month as input and the month after it as target.
numTrain = floor(0.9*numTimeSteps);
X = data(:,1:numTrain-1);
T = data(:,2:numTrain);

muX = mean(X,2);
sigmaX = std(X,0,2);
muT = mean(T,2);
sigmaT = std(T,0,2);
XTrain = (X - muX) ./ sigmaX;
TTrain = (T - muT) ./ sigmaT;

% No output layer: the loss is trainnet's argument.
numHiddenUnits = 128;
layers = [
    sequenceInputLayer(numChannels)
    lstmLayer(numHiddenUnits)
    fullyConnectedLayer(numChannels)];
net = dlnetwork(layers);

options = trainingOptions("adam", ...
    MaxEpochs=200, ...
    SequencePaddingDirection="left", ...
    Shuffle="every-epoch", ...
    Plots="training-progress", ...
    Verbose=false);

net = trainnet(XTrain',TTrain',net,"mse",options);

% Open loop: predict returns the state after its input; keep it in the network for the next
% call, and give the network the true value of each test month as it becomes known.
dataNorm = (data - muX) ./ sigmaX;
numForecast = numTimeSteps - numTrain;
net = resetState(net);
[~,state] = predict(net,dataNorm(:,1:numTrain-1)');
net.State = state;
YOpen = zeros(numChannels,numForecast);
for t = 1:numForecast
    [Yt,state] = predict(net,dataNorm(:,numTrain-1+t)');
    net.State = state;
    YOpen(:,t) = Yt';
end
YOpen = YOpen .* sigmaT + muT;

% Closed loop: after every observed month, feed each prediction back as the next input.
net = resetState(net);
[Z,state] = predict(net,dataNorm(:,1:numTrain)');
net.State = state;
YClosed = zeros(numChannels,numForecast);
YClosed(:,1) = Z(end,:)';
for t = 2:numForecast
    Xt = (YClosed(:,t-1) .* sigmaT + muT - muX) ./ sigmaX;
    [Yt,state] = predict(net,Xt');
    net.State = state;
    YClosed(:,t) = Yt';
end
YClosed = YClosed .* sigmaT + muT;

TTest = data(:,numTrain+1:end);
rmseOpen = sqrt(mean((YOpen - TTest).^2,"all"))
rmseClosed = sqrt(mean((YClosed - TTest).^2,"all"))
