"""Port of MATLAB's "Sequence Classification Using Deep Learning" in today's workflow
(dlnetwork, trainnet, minibatchpredict, scores2label, testnet) on Japanese Vowels.

The twin of examples/japanese_vowels.py (trainNetwork / classify): the same BiLSTM and the same
training recipe, without the classificationLayer; the loss is trainnet's "crossentropy". The
MATLAB program it ports is examples/matlab/japanese_vowels_modern.m:

    [XTrain,TTrain] = japaneseVowelsTrainData;
    [XTest,TTest] = japaneseVowelsTestData;
    classNames = categories(TTrain);
    layers = [sequenceInputLayer(12)
              bilstmLayer(100,OutputMode="last")
              fullyConnectedLayer(9)
              softmaxLayer];
    options = trainingOptions("adam",MaxEpochs=50,MiniBatchSize=27,GradientThreshold=1, ...
        Shuffle="never",Metrics="accuracy",Verbose=false);
    net = trainnet(XTrain,TTrain,layers,"crossentropy",options);
    scores = minibatchpredict(net,XTest,MiniBatchSize=27);
    YTest = scores2label(scores,classNames);
    acc = testnet(net,XTest,TTest,"accuracy")

Data: the real UCI Japanese Vowels set shipped with layergraph (CC BY 4.0). Run:
    python examples/japanese_vowels_modern.py [--plot progress.png] [--smoke]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from layergraph import (
    LayerGraphError,
    bilstmLayer,
    categories,
    dlnetwork,
    fullyConnectedLayer,
    minibatchpredict,
    save_network,
    scores2label,
    sequenceInputLayer,
    softmaxLayer,
    trainingOptions,
    trainnet,
)
from layergraph import testnet as evaluate_network  # named so pytest does not collect it
from layergraph.datasets import japanese_vowels

MINI_BATCH_SIZE = 27


def build_layers(numFeatures=12, numHiddenUnits=100, numClasses=9):
    """The layer array: the legacy example's without its classificationLayer."""
    return [sequenceInputLayer(numFeatures),
            bilstmLayer(numHiddenUnits, OutputMode="last"),
            fullyConnectedLayer(numClasses),
            softmaxLayer()]


def matlab_options(**changes):
    given = dict(MaxEpochs=50, MiniBatchSize=MINI_BATCH_SIZE, GradientThreshold=1,
                 Shuffle="never", Metrics="accuracy", Verbose=False)
    given.update(changes)
    return trainingOptions("adam", **given)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=None, help="MaxEpochs (default 50; --smoke 2)")
    p.add_argument("--smoke", action="store_true",
                   help="a check in a few seconds: 2 epochs on 54 training sequences")
    p.add_argument("--full", action="store_true", help="the recipe above (already the default)")
    p.add_argument("--seed", type=int, default=0, help="random seed (reproducible runs)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "gpu"],
                   type=lambda d: "gpu" if d == "cuda" else d, metavar="{auto,cpu,gpu,cuda}",
                   help="ExecutionEnvironment ('auto' uses a CUDA GPU when present)")
    p.add_argument("--plot", default=None, help="save the training-progress plot to this PNG")
    p.add_argument("--save", default=None, help="save the trained network to this file")
    args = p.parse_args(argv)
    if args.smoke and args.full:
        p.error("--smoke and --full exclude each other")

    XTrain, TTrain = japanese_vowels("train")
    XTest, TTest = japanese_vowels("test")
    if args.smoke:
        idx = np.linspace(0, len(XTrain) - 1, 54).round().astype(int)
        XTrain, TTrain = [XTrain[i] for i in idx], TTrain[idx]
    # As in the legacy example: sort the training data by length, so mini-batches pad little.
    order = np.argsort([len(x) for x in XTrain], kind="stable")
    XTrain, TTrain = [XTrain[i] for i in order], TTrain[order]
    classNames = categories(TTrain)
    epochs = args.epochs if args.epochs is not None else (2 if args.smoke else 50)

    if args.plot:
        Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
    net = dlnetwork(build_layers(XTrain[0].shape[1], 100, len(classNames)), Seed=args.seed)
    options = matlab_options(MaxEpochs=epochs, Seed=args.seed, ExecutionEnvironment=args.device,
                             Plots="training-progress" if args.plot else "none",
                             PlotPath=args.plot or "training-progress.png")
    t0 = time.perf_counter()
    net, info = trainnet(XTrain, TTrain, net, "crossentropy", options)
    train_s = time.perf_counter() - t0

    scores = minibatchpredict(net, XTest, MiniBatchSize=MINI_BATCH_SIZE)
    YTest = scores2label(scores, classNames)
    acc = evaluate_network(net, XTest, TTest, "accuracy")  # percent, as MATLAB reports it
    assert abs(acc / 100 - np.mean(YTest == TTest)) < 1e-6
    print(f"device: {net.device}   epochs: {epochs}   training time: {train_s:.1f} s   "
          f"final mini-batch loss: {info.TrainingLoss[-1]:.4f}")
    print(f"test accuracy: {acc / 100:.4f}  ({int(np.sum(YTest == TTest))}/{len(TTest)} "
          "sequences)")
    if args.plot:
        print(f"saved the training-progress plot to {args.plot}")
    if args.save:
        save_network(net, args.save)
        print(f"saved the network to {args.save}")
    return {"accuracy": acc / 100, "net": net, "info": info, "train_s": train_s}


def run(argv=None) -> int:
    """main(), with a layergraph error shown as one line and exit status 2."""
    try:
        main(argv)
    except LayerGraphError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(run())
