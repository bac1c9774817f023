"""Port of MATLAB's "Sequence Classification Using Deep Learning" example (Japanese Vowels).

MATLAB:
    [XTrain,YTrain] = japaneseVowelsTrainData;
    % sort by sequence length to reduce padding
    numFeatures = 12; numHiddenUnits = 100; numClasses = 9;
    layers = [ ...
        sequenceInputLayer(numFeatures)
        bilstmLayer(numHiddenUnits,'OutputMode','last')
        fullyConnectedLayer(numClasses)
        softmaxLayer
        classificationLayer];
    options = trainingOptions('adam', 'ExecutionEnvironment','cpu', 'GradientThreshold',1, ...
        'MaxEpochs',50, 'MiniBatchSize',27, 'SequenceLength','longest', 'Shuffle','never', ...
        'Verbose',0, 'Plots','training-progress');
    net = trainNetwork(XTrain,YTrain,layers,options);
    YPred = classify(net,XTest,'MiniBatchSize',27,'SequenceLength','longest');
    acc = sum(YPred == YTest)./numel(YTest)

Here the same lines in Python, on the real data shipped with layergraph (UCI Japanese Vowels,
CC BY 4.0; see layergraph/datasets). The MATLAB program it ports is
examples/matlab/japanese_vowels.m; today's twin (dlnetwork, trainnet) is
examples/japanese_vowels_modern.py. Run:  python examples/japanese_vowels.py [--epochs N]
"""

import argparse
import sys
import time

import numpy as np

from layergraph import (
    bilstmLayer,
    classificationLayer,
    classify,
    fullyConnectedLayer,
    save_network,
    sequenceInputLayer,
    softmaxLayer,
    trainingOptions,
    trainNetwork,
)
from layergraph.datasets import japanese_vowels
from layergraph.errors import LayerGraphError


def build_layers(numFeatures=12, numHiddenUnits=100, numClasses=9):
    """The layer array of MATLAB's example."""
    return [
        sequenceInputLayer(numFeatures),
        bilstmLayer(numHiddenUnits, "OutputMode", "last"),
        fullyConnectedLayer(numClasses),
        softmaxLayer(),
        classificationLayer(),
    ]


def matlab_options(**changes):
    """MATLAB's trainingOptions of the example, with ``changes``."""
    given = dict(ExecutionEnvironment="cpu", GradientThreshold=1, MaxEpochs=50, MiniBatchSize=27,
                 SequenceLength="longest", Shuffle="never", Verbose=0, Plots="training-progress")
    given.update(changes)
    return trainingOptions("adam", **given)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=50, help="MaxEpochs (MATLAB's example: 50)")
    p.add_argument("--seed", type=int, default=0, help="random seed (reproducible runs)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "gpu"],
                   type=lambda d: "gpu" if d == "cuda" else d, metavar="{auto,cpu,gpu,cuda}",
                   help="ExecutionEnvironment ('auto' uses a CUDA GPU when present)")
    p.add_argument("--plot", default=None, help="save the training-progress plot to this PNG")
    p.add_argument("--save", default=None, help="save the trained network to this file")
    args = p.parse_args(argv)

    XTrain, YTrain = japanese_vowels("train")
    XTest, YTest = japanese_vowels("test")
    # As in MATLAB's example: sort the training data by sequence length.
    order = np.argsort([len(x) for x in XTrain], kind="stable")
    XTrain = [XTrain[i] for i in order]
    YTrain = YTrain[order]

    layers = build_layers(12, 100, 9)
    options = matlab_options(
        ExecutionEnvironment=args.device, MaxEpochs=args.epochs, Seed=args.seed,
        Plots="training-progress" if args.plot else "none",
        PlotPath=args.plot or "training-progress.png")

    t0 = time.perf_counter()
    net, info = trainNetwork(XTrain, YTrain, layers, options)
    train_s = time.perf_counter() - t0
    YPred, _ = classify(net, XTest, "MiniBatchSize", 27, "SequenceLength", "longest")
    acc = float(np.mean(YPred == YTest))
    print(f"device: {net.device}   epochs: {args.epochs}   training time: {train_s:.1f} s   "
          f"final mini-batch loss: {info.TrainingLoss[-1]:.4f}")
    print(f"test accuracy: {acc:.4f}  ({int(round(acc * len(YTest)))}/{len(YTest)} sequences)")
    if args.plot:
        print(f"saved the training-progress plot to {args.plot}")
    if args.save:
        save_network(net, args.save)
        print(f"saved the network to {args.save}")
    return acc


def run(argv=None) -> int:
    """The command: main(), with a layergraph error (an option, no CUDA GPU for --device gpu)
    shown as one line and exit status 2."""
    try:
        main(argv)
    except LayerGraphError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(run())
