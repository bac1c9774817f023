"""Port of MATLAB's "Sequence-to-Sequence Regression Using Deep Learning" recipe, trained with an
integer SequenceLength: long sequences split into chunks, the recurrent state carried from chunk
to chunk.

MATLAB's example predicts a response at every time step of long engine recordings (turbofan
remaining useful life; its data are not shipped here). This port keeps its network and options
and applies them to long real sensor sequences that are shipped: the UEA BasicMotions smart-watch
recordings (see layergraph/datasets/basic_motions.py), placed end to end as in
examples/basic_motions_sequence_classification.py (10 real recordings of random activities per
sequence, 1000 steps at 10 Hz; training sequences from training recordings, test sequences from
test recordings). The task: at every step, predict the watch's 3 gyroscope channels from its 3
accelerometer channels (the channel order is our reading of the data; see the licence file).

``SequenceLength=125`` makes training split each mini-batch into 8 chunks of 125 steps: each chunk
is one iteration, and the LSTM's state at the end of a chunk is where the next chunk starts
(truncated backpropagation through time). Prediction with the same ``SequenceLength`` runs the
chunks in order too, carrying the state; for a unidirectional LSTM that gives the same outputs as
the whole sequence at once, which the script checks and prints, next to what chunks *without*
carried state would give.

The MATLAB program it ports is examples/matlab/basic_motions_chunked_regression.m (legacy
workflow: trainNetwork, predict); the network as a spec is
specs/basic-motions-chunked-regression.yaml. MATLAB's recipe:
    layers = [sequenceInputLayer(numFeatures)
              lstmLayer(200,OutputMode="sequence")
              fullyConnectedLayer(50)
              dropoutLayer(0.5)
              fullyConnectedLayer(numResponses)
              regressionLayer];
    options = trainingOptions("adam",MaxEpochs=60,MiniBatchSize=20,InitialLearnRate=0.01, ...
        GradientThreshold=1,Shuffle="never",Plots="training-progress",Verbose=0);
Changes: SequenceLength=125 (the point of this port), and the input layer standardizes its
channels with the training data's statistics (Normalization="zscore"). The default trains 20
epochs (160 iterations, under a minute on a quiet 2-core CPU); ``--full`` trains MATLAB's 60.

Run:  python examples/basic_motions_chunked_regression.py [--plot progress.png]
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
    dropoutLayer,
    fullyConnectedLayer,
    layerGraph,
    lstmLayer,
    predict,
    regressionLayer,
    save_network,
    sequenceInputLayer,
    trainingOptions,
    trainNetwork,
)
from layergraph.datasets import basic_motions_regression

NUM_HIDDEN_UNITS = 200
SEQUENCE_LENGTH = 125
RECORDINGS_PER_SEQUENCE = 10
DEFAULT_EPOCHS, MATLAB_EPOCHS = 20, 60


def build_layers(numFeatures=3, numResponses=3, numHiddenUnits=NUM_HIDDEN_UNITS):
    """The layer array of MATLAB's example, with a z-score input layer."""
    return [
        sequenceInputLayer(numFeatures, Normalization="zscore"),
        lstmLayer(numHiddenUnits, OutputMode="sequence"),
        fullyConnectedLayer(50),
        dropoutLayer(0.5),
        fullyConnectedLayer(numResponses),
        regressionLayer(),
    ]


def build_graph(numFeatures=3, numResponses=3, numHiddenUnits=NUM_HIDDEN_UNITS):
    """``layerGraph`` of :func:`build_layers` (what trainNetwork makes of the array)."""
    return layerGraph(build_layers(numFeatures, numResponses, numHiddenUnits))


def matlab_options(**changes):
    """MATLAB's trainingOptions of the example plus SequenceLength=125, with ``changes``."""
    given = dict(MaxEpochs=MATLAB_EPOCHS, MiniBatchSize=20, InitialLearnRate=0.01,
                 GradientThreshold=1, Shuffle="never", SequenceLength=SEQUENCE_LENGTH,
                 Plots="training-progress", Verbose=False)
    given.update(changes)
    return trainingOptions("adam", **given)


def load_data(smoke=False):
    """(XTrain, TTrain, XTest, TTest): accelerometer inputs and gyroscope targets per step.
    ``smoke``: 2 training and 2 test sequences of 5 recordings (500 steps)."""
    per = 5 if smoke else RECORDINGS_PER_SEQUENCE
    XTrain, TTrain = basic_motions_regression("train", per)   # the data's fixed orders,
    XTest, TTest = basic_motions_regression("test", per)      # not --seed
    if smoke:
        return XTrain[:2], TTrain[:2], XTest[:2], TTest[:2]
    return XTrain, TTrain, XTest, TTest


def rmse(Y, T):
    """Root mean squared error over every step and channel of lists of (T, C) arrays."""
    err = np.concatenate(Y).astype(np.float64) - np.concatenate(T)
    return float(np.sqrt((err ** 2).mean()))


def chunks_without_state(net, X, k):
    """What chunked prediction would give if the state were *not* carried: every k-step piece
    of every sequence predicted on its own, from the initial state, then put back together."""
    pieces = [x[s:s + k] for x in X for s in range(0, len(x), k)]
    out = iter(predict(net, pieces))
    return [np.concatenate([next(out) for _ in range(0, len(x), k)]) for x in X]


def linear_baseline(XTrain, TTrain, XTest):
    """Per-step least squares from the accelerometer to the gyroscope (with an intercept), fit
    on the training steps: a reference for how much the LSTM's memory adds."""
    A = np.concatenate(XTrain).astype(np.float64)
    W, *_ = np.linalg.lstsq(np.c_[A, np.ones(len(A))], np.concatenate(TTrain), rcond=None)
    return [np.c_[x, np.ones(len(x))] @ W for x in XTest]


def export_mat(path, XTrain, TTrain, XTest, TTest):
    """Write the sequences for the MATLAB program: cell arrays of channels-by-steps matrices."""
    import scipy.io as sio

    def cells(items):
        out = np.empty((len(items), 1), dtype=object)
        for i, a in enumerate(items):
            out[i, 0] = np.asarray(a, np.float64).T
        return out

    sio.savemat(path, {"XTrain": cells(XTrain), "TTrain": cells(TTrain), "XTest": cells(XTest),
                       "TTest": cells(TTest)}, format="5", do_compression=True)


def _plot_response(path, T, Y, k, value):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = np.arange(len(T))
    fig, axes = plt.subplots(3, 1, figsize=(10, 6), sharex=True)
    for c, (ax, name) in enumerate(zip(axes, "xyz")):
        ax.plot(steps, T[:, c], color="0.3", lw=1.0, label="measured")
        ax.plot(steps, Y[:, c], color="tab:red", lw=0.9, label="predicted")
        for b in range(k, len(T), k):
            ax.axvline(b, color="0.85", lw=0.6, zorder=0)
        ax.set_ylabel(f"gyroscope {name}")
    axes[0].legend(loc="upper right", fontsize=8, ncol=2)
    axes[0].set_title(f"BasicMotions test sequence 1: gyroscope from accelerometer, predicted "
                      f"in chunks of {k} steps (grey lines)\ntest RMSE {value:.3f}", fontsize=10)
    axes[-1].set_xlabel("time step (0.1 s)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=None,
                   help=f"MaxEpochs (default {DEFAULT_EPOCHS}; --full: MATLAB's "
                        f"{MATLAB_EPOCHS}; --smoke: 2)")
    p.add_argument("--full", action="store_true",
                   help=f"MATLAB's recipe: {MATLAB_EPOCHS} epochs (a few minutes on a CPU)")
    p.add_argument("--smoke", action="store_true",
                   help="a check in a few seconds: 2 epochs, 2 training and 2 test sequences "
                        "of 500 steps")
    p.add_argument("--seed", type=int, default=0, help="random seed (Seed; 0 as in trainingOptions)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "gpu"],
                   type=lambda d: "gpu" if d == "cuda" else d, metavar="{auto,cpu,gpu,cuda}",
                   help="ExecutionEnvironment ('auto' uses a CUDA GPU when present)")
    p.add_argument("--plot", default=None,
                   help="save the training-progress plot to this PNG, and the plot of predicted "
                        "and measured gyroscope along test sequence 1 next to it "
                        "(NAME-response.png) unless --response-plot says where")
    p.add_argument("--response-plot", default=None,
                   help="save the predicted-vs-measured plot to this PNG")
    p.add_argument("--predictions", default=None,
                   help="write the test predictions (sequence, step, measured and predicted "
                        "gyroscope) to this CSV")
    p.add_argument("--save", default=None, help="save the trained network to this file")
    p.add_argument("--export-mat", default=None,
                   help="only write the training and test sequences for the MATLAB program "
                        "(examples/matlab/) to this .mat file, and exit")
    args = p.parse_args(argv)
    if args.smoke and args.full:
        p.error("--smoke and --full exclude each other")
    response_plot = args.response_plot
    if response_plot is None and args.plot:
        pp = Path(args.plot)
        response_plot = str(pp.with_name(pp.stem + "-response" + (pp.suffix or ".png")))
    for path in (args.plot, response_plot):
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    t_start = time.perf_counter()
    XTrain, TTrain, XTest, TTest = load_data(args.smoke)
    if args.export_mat:
        Path(args.export_mat).parent.mkdir(parents=True, exist_ok=True)
        export_mat(args.export_mat, XTrain, TTrain, XTest, TTest)
        print(f"saved {len(XTrain)} training and {len(XTest)} test sequences (accelerometer "
              f"inputs, gyroscope targets) to {args.export_mat}")
        return {"XTrain": XTrain, "TTrain": TTrain, "XTest": XTest, "TTest": TTest}
    if args.epochs is not None:
        epochs = args.epochs
    else:
        epochs = 2 if args.smoke else (MATLAB_EPOCHS if args.full else DEFAULT_EPOCHS)
    k = SEQUENCE_LENGTH
    layers = build_layers(XTrain[0].shape[1], TTrain[0].shape[1])
    options = matlab_options(
        MaxEpochs=epochs, Seed=args.seed, ExecutionEnvironment=args.device,
        Plots="training-progress" if args.plot else "none",
        PlotPath=args.plot or "training-progress.png")

    t0 = time.perf_counter()
    net, info = trainNetwork(XTrain, TTrain, layers, options)
    train_s = time.perf_counter() - t0

    Y = predict(net, XTest)                                # each sequence whole
    YChunked = predict(net, XTest, SequenceLength=k)       # in chunks, state carried
    YNoCarry = chunks_without_state(net, XTest, k)         # in chunks, state not carried
    chunk_diff = max(float(np.abs(a - b).max()) for a, b in zip(Y, YChunked))
    no_carry_diff = max(float(np.abs(a - b).max()) for a, b in zip(Y, YNoCarry))
    result = {"RMSE": rmse(Y, TTest), "RMSE_chunked": rmse(YChunked, TTest),
              "RMSE_no_carry": rmse(YNoCarry, TTest),
              "RMSE_linear": rmse(linear_baseline(XTrain, TTrain, XTest), TTest),
              "RMSE_mean": rmse([np.broadcast_to(np.concatenate(TTrain).mean(0), t.shape)
                                 for t in TTest], TTest),
              "chunk_max_abs_diff": chunk_diff, "no_carry_max_abs_diff": no_carry_diff}
    total_s = time.perf_counter() - t_start

    n_chunks = -(-len(XTrain[0]) // k)
    print(f"device: {net.device}   epochs: {epochs}   iterations: {len(info.TrainingRMSE)} "
          f"({len(XTrain)} training sequences of {len(XTrain[0])} steps in chunks of {k}: "
          f"{n_chunks} per mini-batch)   training time: {train_s:.1f} s")
    print(f"test RMSE of the gyroscope ({len(XTest)} sequences x {len(XTest[0])} steps x 3 "
          f"channels): {result['RMSE']:.4f}   whole run: {total_s:.1f} s")
    print(f"  predicted with SequenceLength={k} (state carried): RMSE "
          f"{result['RMSE_chunked']:.4f}, largest difference from whole-sequence prediction "
          f"{chunk_diff:.2e}")
    print(f"  chunks of {k} without carried state: RMSE {result['RMSE_no_carry']:.4f} "
          f"(largest difference {no_carry_diff:.3f})")
    print(f"  for scale: per-step linear least squares RMSE {result['RMSE_linear']:.4f}, "
          f"training mean RMSE {result['RMSE_mean']:.4f}")
    if args.plot:
        print(f"saved the training-progress plot to {args.plot}")
    if response_plot:
        _plot_response(response_plot, TTest[0], YChunked[0], k, result["RMSE_chunked"])
        print(f"saved the predicted-vs-measured plot to {response_plot}")
    if args.predictions:
        path = Path(args.predictions)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["sequence", "step"] + [f"{kind}_{a}" for kind in ("measured", "predicted")
                                               for a in "xyz"])
            for i, (t, y) in enumerate(zip(TTest, YChunked)):
                w.writerows([i, s, *(f"{v:.6f}" for v in (*t[s], *y[s]))] for s in range(len(t)))
        print(f"saved the test predictions to {path}")
    if args.save:
        save_network(net, args.save)
        print(f"saved the network to {args.save}")
    return {**result, "net": net, "info": info, "Y": Y, "YChunked": YChunked,
            "YNoCarry": YNoCarry, "TTest": TTest, "train_s": train_s, "total_s": total_s}


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
