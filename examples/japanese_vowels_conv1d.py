"""Port of MATLAB's "Sequence Classification Using 1-D Convolutions" (Japanese Vowels).

A network of two causal 1-D convolution blocks (convolution, ReLU, layer normalization) and global
average pooling over time tells the speaker of a Japanese Vowels utterance, instead of the
BiLSTM of examples/japanese_vowels.py. The MATLAB program it ports is
examples/matlab/japanese_vowels_conv1d.m (legacy workflow: trainNetwork, classify); the same
network as a spec is specs/japanese-vowels-conv1d.yaml. With ``--modern`` it runs today's twin
(examples/matlab/japanese_vowels_conv1d_modern.m, specs/japanese-vowels-conv1d-modern.yaml): the
same layers without the classificationLayer in a dlnetwork, trained by
trainnet(XTrain,TTrain,net,"crossentropy",options) with Metrics="accuracy", then
minibatchpredict / scores2label / testnet, padded on the left as in training.

MATLAB's recipe, which is also the default here (it takes a few seconds on a CPU):
    layers = [sequenceInputLayer(numFeatures,MinLength=minLength)
              convolution1dLayer(3,32,Padding="causal"), reluLayer, layerNormalizationLayer
              convolution1dLayer(3,64,Padding="causal"), reluLayer, layerNormalizationLayer
              globalAveragePooling1dLayer
              fullyConnectedLayer(numClasses), softmaxLayer, classificationLayer];
    options = trainingOptions("adam",MiniBatchSize=27,MaxEpochs=15, ...
        SequencePaddingDirection="left",ValidationData={XValidation,TValidation}, ...
        Plots="training-progress",Verbose=0);
    net = trainNetwork(XTrain,TTrain,layers,options);
    YPred = classify(net,XValidation,MiniBatchSize=27,SequencePaddingDirection="left");

Data: the real UCI Japanese Vowels set shipped with layergraph (CC BY 4.0; see
layergraph/datasets). Run:  python examples/japanese_vowels_conv1d.py [--plot progress.png]
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

import numpy as np

from layergraph import (
    LayerGraphError,
    categories,
    classificationLayer,
    classify,
    convolution1dLayer,
    dlnetwork,
    fullyConnectedLayer,
    globalAveragePooling1dLayer,
    layerGraph,
    layerNormalizationLayer,
    minibatchpredict,
    reluLayer,
    save_network,
    scores2label,
    sequenceInputLayer,
    softmaxLayer,
    trainingOptions,
    trainnet,
    trainNetwork,
)
from layergraph import testnet as evaluate_network  # named so pytest does not collect it
from layergraph.datasets import japanese_vowels

MINI_BATCH_SIZE = 27
FILTER_SIZE = 3
NUM_FILTERS = 32


def build_layers(numFeatures=12, numClasses=9, minLength=7):
    """The layer array of MATLAB's example."""
    return [
        sequenceInputLayer(numFeatures, MinLength=minLength),
        convolution1dLayer(FILTER_SIZE, NUM_FILTERS, Padding="causal"),
        reluLayer(),
        layerNormalizationLayer(),
        convolution1dLayer(FILTER_SIZE, 2 * NUM_FILTERS, Padding="causal"),
        reluLayer(),
        layerNormalizationLayer(),
        globalAveragePooling1dLayer(),
        fullyConnectedLayer(numClasses),
        softmaxLayer(),
        classificationLayer(),
    ]


def build_modern_layers(numFeatures=12, numClasses=9, minLength=7):
    """Today's twin: the same layers without the classificationLayer (trainnet takes the loss)."""
    return build_layers(numFeatures, numClasses, minLength)[:-1]


def build_graph(numFeatures=12, numClasses=9, minLength=7):
    """``layerGraph`` of :func:`build_layers` (what trainNetwork makes of the array)."""
    return layerGraph(build_layers(numFeatures, numClasses, minLength))


def matlab_options(modern=False, **changes):
    """MATLAB's trainingOptions of the example (ValidationData aside), with ``changes``; today's
    twin (``modern``) also asks for the accuracy metric."""
    given = dict(MiniBatchSize=MINI_BATCH_SIZE, MaxEpochs=15, SequencePaddingDirection="left",
                 Plots="training-progress", Verbose=False)
    if modern:
        given["Metrics"] = "accuracy"
    given.update(changes)
    return trainingOptions("adam", **given)


def _subset(X, Y, n):
    """``n`` sequences spread over the speakers (the files are ordered by speaker)."""
    idx = np.linspace(0, len(X) - 1, n).round().astype(int)
    return [X[i] for i in idx], Y[idx]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--modern", action="store_true",
                   help="today's workflow: dlnetwork, trainnet 'crossentropy', minibatchpredict, "
                        "scores2label, testnet")
    p.add_argument("--epochs", type=int, default=None,
                   help="MaxEpochs (default: MATLAB's 15; --smoke: 1)")
    p.add_argument("--full", action="store_true",
                   help="MATLAB's recipe exactly (the default already is: 15 epochs, all data, "
                        "validation on the test set)")
    p.add_argument("--smoke", action="store_true",
                   help="a check in a few seconds: 1 epoch on 54 training and 54 test sequences")
    p.add_argument("--seed", type=int, default=0, help="random seed (Seed; 0 as in trainingOptions)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "gpu"],
                   type=lambda d: "gpu" if d == "cuda" else d, metavar="{auto,cpu,gpu,cuda}",
                   help="ExecutionEnvironment ('auto' uses a CUDA GPU when present)")
    p.add_argument("--plot", default=None, help="save the training-progress plot to this PNG")
    p.add_argument("--predictions", default=None,
                   help="write the test predictions (sequence, label, predicted) to this CSV")
    p.add_argument("--save", default=None, help="save the trained network to this file")
    args = p.parse_args(argv)
    if args.smoke and args.full:
        p.error("--smoke and --full exclude each other")

    if args.plot:
        Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()
    XTrain, TTrain = japanese_vowels("train")
    XValidation, TValidation = japanese_vowels("test")
    if args.smoke:
        XTrain, TTrain = _subset(XTrain, TTrain, 54)
        XValidation, TValidation = _subset(XValidation, TValidation, 54)
    epochs = args.epochs if args.epochs is not None else (1 if args.smoke else 15)

    numFeatures = XTrain[0].shape[1]
    classes = sorted(set(TTrain))
    numClasses = len(classes)
    minLength = min(len(x) for x in XTrain)
    options = matlab_options(
        args.modern, MaxEpochs=epochs, Seed=args.seed, ExecutionEnvironment=args.device,
        ValidationData=None if args.smoke else (XValidation, TValidation),
        Plots="training-progress" if args.plot else "none",
        PlotPath=args.plot or "training-progress.png")

    t0 = time.perf_counter()
    if args.modern:
        net = dlnetwork(build_modern_layers(numFeatures, numClasses, minLength), Seed=args.seed)
        net, info = trainnet(XTrain, TTrain, net, "crossentropy", options)
        train_s = time.perf_counter() - t0
        scores = minibatchpredict(net, XValidation, MiniBatchSize=MINI_BATCH_SIZE,
                                  SequencePaddingDirection="left")
        YPred = scores2label(scores, categories(TTrain))
        acc = evaluate_network(net, XValidation, TValidation, "accuracy",
                               MiniBatchSize=MINI_BATCH_SIZE,
                               SequencePaddingDirection="left") / 100  # MATLAB: percent
        assert abs(acc - np.mean(YPred == TValidation)) < 1e-6
    else:
        net, info = trainNetwork(XTrain, TTrain, build_layers(numFeatures, numClasses, minLength),
                                 options)
        train_s = time.perf_counter() - t0
        YPred, _ = classify(net, XValidation, MiniBatchSize=MINI_BATCH_SIZE,
                            SequencePaddingDirection="left")
        acc = float(np.mean(YPred == TValidation))
    total_s = time.perf_counter() - t_start

    print(f"device: {net.device}   epochs: {epochs}   training time: {train_s:.1f} s   "
          f"final mini-batch loss: {info.TrainingLoss[-1]:.4f}")
    print(f"test accuracy: {acc:.4f}  ({int(round(acc * len(TValidation)))}/{len(TValidation)} "
          f"sequences)   whole run: {total_s:.1f} s")
    if args.plot:
        print(f"saved the training-progress plot to {args.plot}")
    if args.predictions:
        path = Path(args.predictions)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["sequence", "label", "predicted"])
            w.writerows((i, t, y) for i, (t, y) in enumerate(zip(TValidation, YPred)))
        print(f"saved the test predictions to {path}")
    if args.save:
        save_network(net, args.save)
        print(f"saved the network to {args.save}")
    return {"accuracy": acc, "net": net, "info": info, "train_s": train_s, "total_s": total_s}


def run(argv=None) -> int:
    """The command: main(), with a layergraph error (an option, the data, no CUDA GPU for
    --device gpu) shown as one line and exit status 2."""
    try:
        main(argv)
    except LayerGraphError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(run())
