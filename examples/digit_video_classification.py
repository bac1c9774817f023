"""Port of MATLAB's video classification pattern (a CNN on every frame, an LSTM over the frames)
on short sequences of real handwritten digits.

MATLAB's "Classify Videos Using Deep Learning" runs a pretrained image network on every frame of
a video and an LSTM over the frames. Its layer-array form, from the sequenceFoldingLayer
documentation, trains the convolutions too: the frames of a mini-batch are folded into one batch
of images for the 2-D layers and unfolded back into sequences for the LSTM. Here the frames are
the 8x8 UCI handwritten digits shipped with layergraph (CC BY 4.0; layergraph/datasets/digits.py)
and each sequence of 3-6 frames is labelled by the digit that appears twice in it (every other
digit appears at most once), so no single frame tells the label: chance is 10%, and a perfect
reader of the last frame alone gets about 47%. Test sequences show only test images.

Two workflows, one network:

- legacy (default; examples/matlab/digit_video_classification.m, specs/digit-video-classification.yaml):
      layers = [sequenceInputLayer([8 8 1],Name="input")
                sequenceFoldingLayer(Name="fold")
                convolution2dLayer(3,16,Name="conv")
                batchNormalizationLayer(Name="bn")
                reluLayer(Name="relu")
                sequenceUnfoldingLayer(Name="unfold")
                flattenLayer(Name="flatten")
                lstmLayer(64,OutputMode="last",Name="lstm")
                fullyConnectedLayer(10,Name="fc")
                softmaxLayer(Name="softmax")
                classificationLayer(Name="classification")];
      lgraph = connectLayers(layerGraph(layers),"fold/miniBatchSize","unfold/miniBatchSize");
      net = trainNetwork(XTrain,TTrain,lgraph,options);  YPred = classify(net,XTest);
- today's (``--modern``; examples/matlab/digit_video_classification_modern.m,
  specs/digit-video-classification-modern.yaml): a dlnetwork without fold/unfold, where the 2-D
  layers act on every frame of the SSCBT data, trained by trainnet(..., "crossentropy", options)
  with Metrics="accuracy"; minibatchpredict, scores2label, testnet.

Run:  python examples/digit_video_classification.py [--modern] [--plot progress.png] [--smoke]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from layergraph import (
    LayerGraphError,
    batchNormalizationLayer,
    categories,
    classificationLayer,
    classify,
    connectLayers,
    convolution2dLayer,
    dlnetwork,
    flattenLayer,
    fullyConnectedLayer,
    layerGraph,
    lstmLayer,
    minibatchpredict,
    reluLayer,
    save_network,
    scores2label,
    sequenceFoldingLayer,
    sequenceInputLayer,
    sequenceUnfoldingLayer,
    softmaxLayer,
    trainingOptions,
    trainnet,
    trainNetwork,
)
from layergraph import testnet as evaluate_network  # named so pytest does not collect it
from layergraph.datasets import digit_videos

INPUT_SIZE = [8, 8, 1]
FILTER_SIZE = 3
NUM_FILTERS = 16
NUM_HIDDEN_UNITS = 64
NUM_CLASSES = 10
MINI_BATCH_SIZE = 32


def build_graph(inputSize=INPUT_SIZE, numFilters=NUM_FILTERS, numHiddenUnits=NUM_HIDDEN_UNITS,
                numClasses=NUM_CLASSES):
    """The legacy network: 2-D layers between fold and unfold, the miniBatchSize connection."""
    layers = [
        sequenceInputLayer(inputSize, Name="input"),
        sequenceFoldingLayer(Name="fold"),
        convolution2dLayer(FILTER_SIZE, numFilters, Name="conv"),
        batchNormalizationLayer(Name="bn"),
        reluLayer(Name="relu"),
        sequenceUnfoldingLayer(Name="unfold"),
        flattenLayer(Name="flatten"),
        lstmLayer(numHiddenUnits, OutputMode="last", Name="lstm"),
        fullyConnectedLayer(numClasses, Name="fc"),
        softmaxLayer(Name="softmax"),
        classificationLayer(Name="classification"),
    ]
    return connectLayers(layerGraph(layers), "fold/miniBatchSize", "unfold/miniBatchSize")


def build_modern_layers(inputSize=INPUT_SIZE, numFilters=NUM_FILTERS,
                        numHiddenUnits=NUM_HIDDEN_UNITS, numClasses=NUM_CLASSES):
    """Today's network: no fold/unfold (the 2-D layers act per frame), no output layer."""
    return [
        sequenceInputLayer(inputSize),
        convolution2dLayer(FILTER_SIZE, numFilters),
        batchNormalizationLayer(),
        reluLayer(),
        flattenLayer(),
        lstmLayer(numHiddenUnits, OutputMode="last"),
        fullyConnectedLayer(numClasses),
        softmaxLayer(),
    ]


def matlab_options(modern=False, **changes):
    """The trainingOptions of the MATLAB programs (ValidationData aside), with ``changes``."""
    given = dict(MaxEpochs=20, MiniBatchSize=MINI_BATCH_SIZE, GradientThreshold=2,
                 Shuffle="every-epoch", Plots="training-progress", Verbose=False)
    if modern:
        given["Metrics"] = "accuracy"
    given.update(changes)
    return trainingOptions("adam", **given)


def last_frame_baseline(D, Y):
    """Accuracy of a perfect reader of the last frame only: the share of sequences whose last
    frame shows the label."""
    return float(np.mean([int(d[-1]) == int(y) for d, y in zip(D, Y)]))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--modern", action="store_true",
                   help="today's workflow: dlnetwork without fold/unfold, trainnet, testnet")
    p.add_argument("--epochs", type=int, default=None, help="MaxEpochs (default 20; --smoke 1)")
    p.add_argument("--smoke", action="store_true",
                   help="a check in a few seconds: 1 epoch on 128 training and 64 test sequences")
    p.add_argument("--full", action="store_true",
                   help="the recipe above (already the default), validating on the test "
                        "sequences every epoch as MATLAB's example validates")
    p.add_argument("--seed", type=int, default=0,
                   help="random seed of the training (the sequences are fixed per split)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "gpu"],
                   type=lambda d: "gpu" if d == "cuda" else d, metavar="{auto,cpu,gpu,cuda}",
                   help="ExecutionEnvironment ('auto' uses a CUDA GPU when present)")
    p.add_argument("--plot", default=None, help="save the training-progress plot to this PNG")
    p.add_argument("--save", default=None, help="save the trained network to this file")
    args = p.parse_args(argv)
    if args.smoke and args.full:
        p.error("--smoke and --full exclude each other")

    t_start = time.perf_counter()
    XTrain, TTrain = digit_videos("train", 128 if args.smoke else None)
    XTest, TTest, DTest = digit_videos("test", 64 if args.smoke else None, return_digits=True)
    classNames = categories(TTrain)
    epochs = args.epochs if args.epochs is not None else (1 if args.smoke else 20)
    if args.plot:
        Path(args.plot).parent.mkdir(parents=True, exist_ok=True)
    options = matlab_options(
        args.modern, MaxEpochs=epochs, Seed=args.seed, ExecutionEnvironment=args.device,
        Plots="training-progress" if args.plot else "none",
        PlotPath=args.plot or "training-progress.png",
        ValidationData=(XTest, TTest) if args.full else None,
        ValidationFrequency=max(1, len(XTrain) // MINI_BATCH_SIZE))

    t0 = time.perf_counter()
    if args.modern:
        net = dlnetwork(build_modern_layers(numClasses=len(classNames)), Seed=args.seed)
        net, info = trainnet(XTrain, TTrain, net, "crossentropy", options)
        train_s = time.perf_counter() - t0
        scores = minibatchpredict(net, XTest, MiniBatchSize=MINI_BATCH_SIZE)
        YPred = scores2label(scores, classNames)
        acc = evaluate_network(net, XTest, TTest, "accuracy") / 100  # MATLAB reports percent
        assert abs(acc - np.mean(YPred == TTest)) < 1e-6
    else:
        net, info = trainNetwork(XTrain, TTrain, build_graph(numClasses=len(classNames)),
                                 options)
        train_s = time.perf_counter() - t0
        YPred, _ = classify(net, XTest, MiniBatchSize=MINI_BATCH_SIZE)
        acc = float(np.mean(YPred == TTest))
    baseline = last_frame_baseline(DTest, TTest)
    total_s = time.perf_counter() - t_start

    workflow = "dlnetwork + trainnet" if args.modern else "layerGraph (fold/unfold) + trainNetwork"
    print(f"{workflow}   device: {net.device}   epochs: {epochs}   training time: "
          f"{train_s:.1f} s   final mini-batch loss: {info.TrainingLoss[-1]:.4f}")
    print(f"test accuracy: {acc:.4f}  ({int(np.sum(YPred == TTest))}/{len(TTest)} sequences)   "
          f"chance 0.10, perfect last-frame reader {baseline:.4f}   whole run: {total_s:.1f} s")
    if args.plot:
        print(f"saved the training-progress plot to {args.plot}")
    if args.save:
        save_network(net, args.save)
        print(f"saved the network to {args.save}")
    return {"accuracy": acc, "net": net, "info": info, "YPred": YPred, "TTest": TTest,
            "baseline": baseline, "train_s": train_s, "total_s": total_s}


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
