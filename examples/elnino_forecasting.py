"""Port of MATLAB's "Time Series Forecasting Using Deep Learning" (LSTM, open and closed loop).

An LSTM network learns to predict the next month of NOAA's monthly sea surface temperatures of four
El Nino regions of the Pacific (real data shipped with layergraph, public domain; see
layergraph/datasets). It is trained on the first 90% of the series (1950-01 .. 2004-10): inputs are
the months, targets the same months shifted by one, both normalized by the training mean and
standard deviation. Then it forecasts the held-out 74 months (2004-11 .. 2010-12):

- open loop: after the training months, each month's true value is fed in and the network
  predicts the next one (predictAndUpdateState one step at a time);
- closed loop: after the training months, each prediction is fed back as the next input, so the
  whole 74-month horizon is forecast from data up to 2004-10 only.

The MATLAB program it ports is examples/matlab/elnino_forecasting.m (legacy workflow:
trainNetwork, predictAndUpdateState); the network as a spec is specs/elnino-lstm-forecasting.yaml.
With ``--modern`` it runs today's twin (examples/matlab/elnino_forecasting_modern.m,
specs/elnino-lstm-forecasting-modern.yaml): the layers without the regressionLayer in a
dlnetwork, trained by trainnet(XTrain,TTrain,net,"mse",options), and the forecasts stepped with
``[Y,state] = predict(net,X); net.State = state`` instead of predictAndUpdateState.

MATLAB's recipe, which is also the default here (about half a minute on a 2-core CPU):
    layers = [sequenceInputLayer(numChannels)
              lstmLayer(128)
              fullyConnectedLayer(numChannels)
              regressionLayer];
    options = trainingOptions("adam",MaxEpochs=200,SequencePaddingDirection="left", ...
        Shuffle="every-epoch",Plots="training-progress",Verbose=0);

Run:  python examples/elnino_forecasting.py [--plot progress.png]
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
    dlnetwork,
    fullyConnectedLayer,
    layerGraph,
    lstmLayer,
    predict,
    predictAndUpdateState,
    regressionLayer,
    resetState,
    save_network,
    sequenceInputLayer,
    trainingOptions,
    trainnet,
    trainNetwork,
)
from layergraph.datasets import elnino, elnino_info

NUM_HIDDEN_UNITS = 128
TRAIN_FRACTION = 0.9


def build_layers(numChannels=4):
    """The layer array of MATLAB's example."""
    return [
        sequenceInputLayer(numChannels),
        lstmLayer(NUM_HIDDEN_UNITS),
        fullyConnectedLayer(numChannels),
        regressionLayer(),
    ]


def build_modern_layers(numChannels=4):
    """Today's twin: the same layers without the regressionLayer (trainnet takes the loss)."""
    return build_layers(numChannels)[:-1]


def build_graph(numChannels=4):
    """``layerGraph`` of :func:`build_layers` (what trainNetwork makes of the array)."""
    return layerGraph(build_layers(numChannels))


def matlab_options(**changes):
    """MATLAB's trainingOptions of the example, with ``changes``."""
    given = dict(MaxEpochs=200, SequencePaddingDirection="left", Shuffle="every-epoch",
                 Plots="training-progress", Verbose=False)
    given.update(changes)
    return trainingOptions("adam", **given)


def prepare(data, numTrain):
    """Training inputs and targets (the series shifted by one), normalized as MATLAB's example
    does: inputs by the mean and standard deviation of the training inputs, targets by those of
    the training targets (per channel; std with N-1, as MATLAB's std)."""
    X, T = data[:numTrain - 1], data[1:numTrain]
    stats = {"muX": X.mean(0), "sigmaX": X.std(0, ddof=1),
             "muT": T.mean(0), "sigmaT": T.std(0, ddof=1)}
    XTrain = (X - stats["muX"]) / stats["sigmaX"]
    TTrain = (T - stats["muT"]) / stats["sigmaT"]
    return XTrain.astype(np.float32), TTrain.astype(np.float32), stats


def step(net, X):
    """One stateful prediction: ``(net, Y)`` with the state carried on. A dlnetwork does it as
    MATLAB's today's workflow does, ``[Y,state] = predict(net,X); net.State = state``; a
    trained legacy network with predictAndUpdateState."""
    if net.dlnetwork:
        Y, state = predict(net, X, return_state=True)
        net.State = state
        return net, Y
    return predictAndUpdateState(net, X)


def open_loop(net, data, numTrain, stats):
    """One-step forecasts of months numTrain.. : the true value of each month is fed in as soon as
    it is known. Returns the forecasts in degrees, (len(data) - numTrain, C)."""
    norm = ((data - stats["muX"]) / stats["sigmaX"]).astype(np.float32)
    net = resetState(net)
    net, _ = step(net, norm[:numTrain - 1])                     # the training inputs
    Y = np.zeros((len(data) - numTrain, data.shape[1]), np.float32)
    for t in range(len(Y)):
        Xt = norm[numTrain - 1 + t][None]                         # true value of the month before
        net, Yt = step(net, Xt)
        Y[t] = Yt[-1]
    return Y * stats["sigmaT"] + stats["muT"]


def closed_loop(net, data, numTrain, numSteps, stats):
    """Forecasts of months numTrain .. numTrain+numSteps-1 from the months before numTrain only:
    each prediction is fed back as the next input. Returns degrees, (numSteps, C)."""
    norm = ((data[:numTrain] - stats["muX"]) / stats["sigmaX"]).astype(np.float32)
    net = resetState(net)
    net, Z = step(net, norm)                                     # every observed month
    Y = np.zeros((numSteps, data.shape[1]), np.float32)
    Y[0] = Z[-1]                                                 # normalized like the targets
    for t in range(1, numSteps):
        Xt = ((Y[t - 1] * stats["sigmaT"] + stats["muT"] - stats["muX"]) / stats["sigmaX"])
        net, Yt = step(net, Xt[None].astype(np.float32))
        Y[t] = Yt[-1]
    return Y * stats["sigmaT"] + stats["muT"]


def metrics(Y, T):
    """RMSE, MAE and R^2 over all channels and time steps (R^2 against each channel's mean)."""
    err = Y - T
    ss_tot = float(((T - T.mean(0)) ** 2).sum())
    return {"RMSE": float(np.sqrt((err ** 2).mean())), "MAE": float(np.abs(err).mean()),
            "R2": 1.0 - float((err ** 2).sum()) / ss_tot}


def _plot_forecast(path, dates, data, numTrain, Yopen, Yclosed, channels, m_open, m_closed):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    start = max(0, numTrain - 72)
    fig, axes = plt.subplots(len(channels), 1, figsize=(10, 2.2 * len(channels)), sharex=True)
    for c, ax in enumerate(np.atleast_1d(axes)):
        ax.plot(dates[start:], data[start:, c], color="0.3", lw=1.2, label="observed")
        ax.plot(dates[numTrain:], Yopen[:, c], "--", color="tab:blue", lw=1.2,
                label="open loop (one month ahead)")
        ax.plot(dates[numTrain:], Yclosed[:, c], color="tab:red", lw=1.2,
                label="closed loop (from 2004-10 on)")
        ax.axvline(dates[numTrain], color="0.6", lw=0.8)
        ax.set_ylabel(f"{channels[c]} (°C)")
    axes[0].legend(loc="upper left", fontsize=8, ncol=3)
    axes[0].set_title(f"El Niño SST forecasts: open loop RMSE {m_open['RMSE']:.3f} °C, "
                      f"closed loop RMSE {m_closed['RMSE']:.3f} °C")
    axes[-1].set_xlabel("month")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--modern", action="store_true",
                   help="today's workflow: dlnetwork, trainnet 'mse', predict with state")
    p.add_argument("--epochs", type=int, default=None,
                   help="MaxEpochs (default: MATLAB's 200; --smoke: 2)")
    p.add_argument("--full", action="store_true",
                   help="MATLAB's recipe exactly (the default already is: 200 epochs)")
    p.add_argument("--smoke", action="store_true",
                   help="a check in a few seconds: 2 epochs on the last 20 years, 12-month horizon")
    p.add_argument("--seed", type=int, default=0, help="random seed (Seed; 0 as in trainingOptions)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "gpu"],
                   type=lambda d: "gpu" if d == "cuda" else d, metavar="{auto,cpu,gpu,cuda}",
                   help="ExecutionEnvironment ('auto' uses a CUDA GPU when present)")
    p.add_argument("--plot", default=None,
                   help="save the training-progress plot to this PNG, and the forecast plot next "
                        "to it (NAME-forecast.png) unless --forecast-plot says where")
    p.add_argument("--forecast-plot", default=None, help="save the forecast plot to this PNG")
    p.add_argument("--forecasts", default=None,
                   help="write the test months' observed, open- and closed-loop values to this CSV")
    p.add_argument("--export-npz", default=None,
                   help="only write the normalized training data (X, Y) for `layergraph train "
                        "--data` to this .npz, and exit")
    p.add_argument("--save", default=None, help="save the trained network to this file")
    args = p.parse_args(argv)
    if args.smoke and args.full:
        p.error("--smoke and --full exclude each other")
    forecast_plot = args.forecast_plot
    if forecast_plot is None and args.plot:
        pp = Path(args.plot)
        forecast_plot = str(pp.with_name(pp.stem + "-forecast" + (pp.suffix or ".png")))
    for path in (args.plot, forecast_plot):
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    t_start = time.perf_counter()
    data, dates = elnino(return_dates=True)
    channels = elnino_info()["channels"]
    if args.smoke:
        data, dates = data[-252:], dates[-252:]        # 1990..2010: 240 training, 12 test months
    numChannels = data.shape[1]
    numTrain = len(data) - 12 if args.smoke else int(np.floor(TRAIN_FRACTION * len(data)))
    epochs = args.epochs if args.epochs is not None else (2 if args.smoke else 200)

    XTrain, TTrain, stats = prepare(data, numTrain)
    if args.export_npz:
        Path(args.export_npz).parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(args.export_npz, X=XTrain[None], Y=TTrain[None])
        print(f"saved the normalized training data ({len(XTrain)} steps x {numChannels} "
              f"channels, inputs X and next-step targets Y) to {args.export_npz}")
        return {"XTrain": XTrain, "TTrain": TTrain, "stats": stats}
    options = matlab_options(
        MaxEpochs=epochs, Seed=args.seed, ExecutionEnvironment=args.device,
        Plots="training-progress" if args.plot else "none",
        PlotPath=args.plot or "training-progress.png")

    t0 = time.perf_counter()
    if args.modern:
        net = dlnetwork(build_modern_layers(numChannels), Seed=args.seed)
        net, info = trainnet([XTrain], [TTrain], net, "mse", options)
        final = f"final training loss (mse, normalized): {info.TrainingLoss[-1]:.4f}"
    else:
        net, info = trainNetwork([XTrain], [TTrain], build_layers(numChannels), options)
        final = f"final training RMSE (normalized): {info.TrainingRMSE[-1]:.4f}"
    train_s = time.perf_counter() - t0

    truth = data[numTrain:]
    Yopen = open_loop(net, data, numTrain, stats)
    Yclosed = closed_loop(net, data, numTrain, len(truth), stats)
    m_open, m_closed = metrics(Yopen, truth), metrics(Yclosed, truth)
    # Two naive forecasts, for scale: last month's value (open loop) and the same month of the
    # last training year repeated (closed loop).
    m_persist = metrics(data[numTrain - 1:-1], truth)
    season = data[numTrain - 12:numTrain]
    m_season = metrics(season[np.arange(len(truth)) % 12], truth)
    total_s = time.perf_counter() - t_start

    span = f"{dates[numTrain]} .. {dates[-1]}"
    print(f"device: {net.device}   epochs: {epochs}   training time: {train_s:.1f} s   {final}")
    print(f"forecast of {len(truth)} months ({span}), {numChannels} regions, degrees C:")
    for name, m in (("open loop", m_open), ("closed loop", m_closed),
                    ("naive: last month", m_persist), ("naive: last year's months", m_season)):
        print(f"  {name:<26} RMSE {m['RMSE']:.3f}   MAE {m['MAE']:.3f}   R2 {m['R2']:.3f}")
    print(f"whole run: {total_s:.1f} s")
    if args.plot:
        print(f"saved the training-progress plot to {args.plot}")
    if forecast_plot:
        _plot_forecast(forecast_plot, dates, data, numTrain, Yopen, Yclosed, channels, m_open,
                       m_closed)
        print(f"saved the forecast plot to {forecast_plot}")
    if args.forecasts:
        path = Path(args.forecasts)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["month"] + [f"{kind}_{c}" for kind in ("observed", "open", "closed")
                                    for c in channels])
            for i in range(len(truth)):
                w.writerow([str(dates[numTrain + i])]
                           + [f"{v:.4f}" for v in (*truth[i], *Yopen[i], *Yclosed[i])])
        print(f"saved the forecasts to {path}")
    if args.save:
        save_network(net, args.save)
        print(f"saved the network to {args.save}")
    return {"open": m_open, "closed": m_closed, "persistence": m_persist, "seasonal": m_season,
            "net": net, "info": info, "Yopen": Yopen, "Yclosed": Yclosed, "truth": truth,
            "train_s": train_s, "total_s": total_s}


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
