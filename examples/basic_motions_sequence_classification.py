"""Port of MATLAB's "Sequence-to-Sequence Classification Using Deep Learning" (an activity label
for every time step of smart-watch sensor data).

MATLAB's example labels each step of long recordings of a phone's accelerometer with the wearer's
activity, using an LSTM that outputs the whole sequence. Its data (HumanActivity) come with
MATLAB and are not shipped here, so this port uses real recordings that are: the UEA
BasicMotions set shipped with layergraph (4 people wearing a smart watch: 3-D accelerometer and
3-D gyroscope, 10 Hz; activities Standing, Walking, Running, Badminton; 40 training and 40 test
recordings of 100 steps; see layergraph/datasets/basic_motions.py for source and terms).

A recording holds one activity, so the long sequences are *made*: each is 10 real recordings of
random activities placed end to end, every step labelled with its recording's activity
(``basic_motions_sequences``). The joins are our construction, not real transitions. Training
sequences use training recordings only (one pass: 4 sequences of 1000 steps; ``--passes``
reuses each recording in more random orders), test sequences test recordings only (4 sequences,
1000 steps, a fixed order). The data's order is fixed (seeds 0 and 1); ``--seed`` changes only
the training's random numbers.

The MATLAB program it ports is examples/matlab/basic_motions_sequence_classification.m (legacy
workflow: trainNetwork, classify); the network as a spec is
specs/basic-motions-sequence-to-sequence-classification.yaml. MATLAB's recipe (``--full``; the
default trains 40 of its 60 epochs, so that it stays under 3 minutes on a loaded 2-core CPU):
    layers = [sequenceInputLayer(numFeatures)
              lstmLayer(200,OutputMode="sequence")
              fullyConnectedLayer(numClasses)
              softmaxLayer
              classificationLayer];
    options = trainingOptions("adam",MaxEpochs=60,GradientThreshold=2,Verbose=0, ...
        Plots="training-progress");
One change to the network: the watch's six channels differ tenfold in scale, so the input layer standardizes
them with the training data's statistics (sequenceInputLayer's Normalization="zscore", which
trainNetwork computes, as in MATLAB).

Run:  python examples/basic_motions_sequence_classification.py [--plot progress.png]
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
    classificationLayer,
    classify,
    fullyConnectedLayer,
    layerGraph,
    lstmLayer,
    save_network,
    sequenceInputLayer,
    softmaxLayer,
    trainingOptions,
    trainNetwork,
)
from layergraph.datasets import basic_motions_info, basic_motions_sequences

NUM_HIDDEN_UNITS = 200
RECORDINGS_PER_SEQUENCE = 10
DEFAULT_EPOCHS, MATLAB_EPOCHS = 40, 60


def build_layers(numFeatures=6, numClasses=4, numHiddenUnits=NUM_HIDDEN_UNITS):
    """The layer array of MATLAB's example, with a z-score input layer."""
    return [
        sequenceInputLayer(numFeatures, Normalization="zscore"),
        lstmLayer(numHiddenUnits, OutputMode="sequence"),
        fullyConnectedLayer(numClasses),
        softmaxLayer(),
        classificationLayer(),
    ]


def build_graph(numFeatures=6, numClasses=4, numHiddenUnits=NUM_HIDDEN_UNITS):
    """``layerGraph`` of :func:`build_layers` (what trainNetwork makes of the array)."""
    return layerGraph(build_layers(numFeatures, numClasses, numHiddenUnits))


def matlab_options(**changes):
    """MATLAB's trainingOptions of the example, with ``changes``."""
    given = dict(MaxEpochs=MATLAB_EPOCHS, GradientThreshold=2, Verbose=False, Plots="training-progress")
    given.update(changes)
    return trainingOptions("adam", **given)


def load_data(passes=1, smoke=False):
    """Training and test sequences with per-step labels: (XTrain, TTrain, XTest, TTest).
    ``smoke``: 2 training and 2 test sequences of 5 recordings."""
    per = 5 if smoke else RECORDINGS_PER_SEQUENCE
    XTrain, TTrain = basic_motions_sequences("train", per, passes)   # the data's fixed orders,
    XTest, TTest = basic_motions_sequences("test", per, 1)           # not --seed
    if smoke:
        XTrain, TTrain, XTest, TTest = XTrain[:2], TTrain[:2], XTest[:2], TTest[:2]
    return XTrain, TTrain, XTest, TTest


def per_step_accuracy(YPred, TTest, classes):
    """Share of time steps labelled right: over all test steps, and per true activity."""
    pred, true = np.concatenate(YPred), np.concatenate(TTest)
    per_class = {c: float(np.mean(pred[true == c] == c)) for c in classes if (true == c).any()}
    return float(np.mean(pred == true)), per_class


def export_mat(path, XTrain, TTrain, XTest, TTest):
    """Write the sequences for the MATLAB program: cell arrays XTrain/XTest of
    numChannels-by-numTimeSteps matrices and TTrain/TTest of 1-by-numTimeSteps label strings."""
    import scipy.io as sio

    def cells(items):
        out = np.empty((len(items), 1), dtype=object)
        for i, a in enumerate(items):
            out[i, 0] = a
        return out

    content = {"XTrain": cells([x.T.astype(np.float64) for x in XTrain]),
               "XTest": cells([x.T.astype(np.float64) for x in XTest]),
               "TTrain": cells([cells(list(t)).T for t in TTrain]),
               "TTest": cells([cells(list(t)).T for t in TTest])}
    sio.savemat(path, content, format="5", do_compression=True)


def _plot_labels(path, X, T, Y, classes, acc):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    index = {c: i for i, c in enumerate(classes)}
    steps = np.arange(len(T))
    fig, (ax0, ax1) = plt.subplots(2, 1, figsize=(10, 4.8), sharex=True,
                                   gridspec_kw={"height_ratios": [1, 1.2]})
    for c, name in zip(range(3), ("x", "y", "z")):
        ax0.plot(steps, X[:, c], lw=0.7, label=f"accelerometer {name}")
    ax0.set_ylabel("sensor value")
    ax0.legend(loc="upper right", fontsize=7, ncol=3)
    ax1.step(steps, [index[t] for t in T], where="post", color="0.2", lw=2.2, label="true")
    ax1.step(steps, [index[y] for y in Y], where="post", color="tab:red", lw=1.0,
             label="predicted")
    ax1.set_yticks(range(len(classes)), classes)
    ax1.set_xlabel("time step (0.1 s)")
    ax1.legend(loc="upper right", fontsize=8)
    ax0.set_title(f"BasicMotions test sequence 1: per-step labels (accuracy of this sequence "
                  f"{acc:.3f})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=None,
                   help=f"MaxEpochs (default {DEFAULT_EPOCHS}; --full: MATLAB's "
                        f"{MATLAB_EPOCHS}; --smoke: 2)")
    p.add_argument("--passes", type=int, default=1,
                   help="how many random orders of the 40 training recordings to make training "
                        "sequences from (default 1: 4 sequences of 1000 steps)")
    p.add_argument("--full", action="store_true",
                   help=f"MATLAB's recipe: {MATLAB_EPOCHS} epochs (the default trains "
                        f"{DEFAULT_EPOCHS})")
    p.add_argument("--smoke", action="store_true",
                   help="a check in a few seconds: 2 epochs, 2 training and 2 test sequences "
                        "of 500 steps")
    p.add_argument("--seed", type=int, default=0, help="random seed (Seed; 0 as in trainingOptions)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "gpu"],
                   type=lambda d: "gpu" if d == "cuda" else d, metavar="{auto,cpu,gpu,cuda}",
                   help="ExecutionEnvironment ('auto' uses a CUDA GPU when present)")
    p.add_argument("--plot", default=None,
                   help="save the training-progress plot to this PNG, and the plot of predicted "
                        "and true labels along test sequence 1 next to it (NAME-labels.png) "
                        "unless --labels-plot says where")
    p.add_argument("--labels-plot", default=None,
                   help="save the predicted-vs-true labels plot to this PNG")
    p.add_argument("--predictions", default=None,
                   help="write the test predictions (sequence, step, label, predicted) to this CSV")
    p.add_argument("--save", default=None, help="save the trained network to this file")
    p.add_argument("--export-mat", default=None,
                   help="only write the training and test sequences and labels for the MATLAB "
                        "program (examples/matlab/) to this .mat file, and exit")
    args = p.parse_args(argv)
    if args.smoke and args.full:
        p.error("--smoke and --full exclude each other")
    labels_plot = args.labels_plot
    if labels_plot is None and args.plot:
        pp = Path(args.plot)
        labels_plot = str(pp.with_name(pp.stem + "-labels" + (pp.suffix or ".png")))
    for path in (args.plot, labels_plot):
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    t_start = time.perf_counter()
    XTrain, TTrain, XTest, TTest = load_data(args.passes, args.smoke)
    classes = basic_motions_info()["classes"]
    if args.export_mat:
        Path(args.export_mat).parent.mkdir(parents=True, exist_ok=True)
        export_mat(args.export_mat, XTrain, TTrain, XTest, TTest)
        print(f"saved {len(XTrain)} training and {len(XTest)} test sequences with per-step "
              f"labels to {args.export_mat}")
        return {"XTrain": XTrain, "TTrain": TTrain, "XTest": XTest, "TTest": TTest}
    if args.epochs is not None:
        epochs = args.epochs
    else:
        epochs = 2 if args.smoke else (MATLAB_EPOCHS if args.full else DEFAULT_EPOCHS)
    layers = build_layers(XTrain[0].shape[1], len(classes))
    options = matlab_options(
        MaxEpochs=epochs, Seed=args.seed, ExecutionEnvironment=args.device,
        Plots="training-progress" if args.plot else "none",
        PlotPath=args.plot or "training-progress.png")

    t0 = time.perf_counter()
    net, info = trainNetwork(XTrain, TTrain, layers, options)
    train_s = time.perf_counter() - t0
    YPred, _ = classify(net, XTest)
    acc, per_class = per_step_accuracy(YPred, TTest, classes)
    total_s = time.perf_counter() - t_start

    steps = sum(len(t) for t in TTest)
    print(f"device: {net.device}   epochs: {epochs}   training sequences: {len(XTrain)} x "
          f"{len(XTrain[0])} steps   training time: {train_s:.1f} s   final mini-batch "
          f"accuracy: {info.TrainingAccuracy[-1]:.2f}%")
    print(f"per-step test accuracy: {acc:.4f}  ({int(round(acc * steps))}/{steps} steps of "
          f"{len(XTest)} test sequences)   whole run: {total_s:.1f} s")
    print("  by true activity: " + ", ".join(f"{c} {a:.3f}" for c, a in per_class.items()))
    if args.plot:
        print(f"saved the training-progress plot to {args.plot}")
    if labels_plot:
        acc0 = float(np.mean(YPred[0] == TTest[0]))
        _plot_labels(labels_plot, XTest[0], TTest[0], YPred[0], classes, acc0)
        print(f"saved the predicted-vs-true labels plot to {labels_plot}")
    if args.predictions:
        path = Path(args.predictions)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["sequence", "step", "label", "predicted"])
            for i, (t, y) in enumerate(zip(TTest, YPred)):
                w.writerows((i, s, ts, ys) for s, (ts, ys) in enumerate(zip(t, y)))
        print(f"saved the test predictions to {path}")
    if args.save:
        save_network(net, args.save)
        print(f"saved the network to {args.save}")
    return {"accuracy": acc, "per_class": per_class, "net": net, "info": info, "YPred": YPred,
            "TTest": TTest, "train_s": train_s, "total_s": total_s}


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
