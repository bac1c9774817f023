"""MATLAB's network calls on MATLAB's data layouts: C-by-T sequences for trainNetwork,
classify, predict and predictAndUpdateState; T-by-C for trainnet, minibatchpredict, testnet."""

from __future__ import annotations

import numpy as np

from .values import Categorical, Cell, cell_of

# --- networks ------------------------------------------------------------------------------------


def _sequences(X, layout):
    """MATLAB sequence data as layergraph's: a list of (T, C) arrays, or one (T, C) array for
    a numeric matrix (one sequence)."""
    if isinstance(X, Cell):
        seqs = list(X)
        return [np.asarray(s, dtype=np.float32).T if layout == "CT" else
                np.asarray(s, dtype=np.float32) for s in seqs]
    a = np.asarray(X, dtype=np.float32)
    if a.ndim < 2:  # a number: one time step of one channel
        a = a.reshape(1, -1) if layout == "CT" else a.reshape(-1, 1)
    if a.ndim == 2:
        return a.T if layout == "CT" else a
    if a.ndim == 3 and layout == "CT":  # C-by-B-by-T (MATLAB's numeric sequence batch)
        return np.transpose(a, (1, 2, 0))
    return a


def _targets(Y, layout):
    if isinstance(Y, Categorical):
        return Y.labels().ravel(order="F")
    if isinstance(Y, Cell):
        items = list(Y)
        if items and isinstance(items[0], Categorical):
            return [y.labels().ravel(order="F") for y in items]
        return _sequences(Y, layout)
    a = np.asarray(Y, dtype=np.float32)
    return a


def _responses(Y, X, layout):
    if not isinstance(Y, Cell) and not isinstance(Y, Categorical) and not isinstance(X, Cell):
        return _sequences(Y, layout)  # one sequence: its responses per time step
    return _targets(Y, layout)


def _training_data(X, Y, layout):
    """Predictors and targets for training: one sequence given as a matrix is a list of one."""
    xs, ys = _sequences(X, layout), _responses(Y, X, layout)
    if isinstance(xs, np.ndarray) and xs.ndim == 2:
        xs = [xs]
        ys = [ys] if isinstance(ys, np.ndarray) and ys.ndim == 2 else ys
    return xs, ys


def validation_data(data, layout):
    """trainingOptions' ValidationData ``{X, Y}`` (a cell) as layergraph takes it, (X, Y)."""
    if isinstance(data, Cell) and len(data) == 2:
        X, Y = list(data)
        return _training_data(X, Y, layout)
    return data


def _outputs(Y, layout, single):
    """layergraph's outputs in MATLAB's layout."""
    if isinstance(Y, list):
        return cell_of([y.T if layout == "CT" else y for y in Y])
    a = np.asarray(Y)
    if single and a.ndim == 2:
        return a.T if layout == "CT" else a
    return a


def _label_outputs(labels, classes):
    if isinstance(labels, list):
        return cell_of([Categorical.of(np.asarray(y).reshape(1, -1), classes) for y in labels])
    labels = np.asarray(labels)
    return Categorical.of(labels if labels.ndim == 2 else labels.reshape(-1, 1), classes)


def _options(args):
    return [a.labels().ravel() if isinstance(a, Categorical) else
            (list(a) if isinstance(a, Cell) else a) for a in args]


def trainNetwork(X, Y, layers, options, nargout=1):
    """MATLAB's trainNetwork on C-by-T sequences (a cell array, or one matrix)."""
    from ...training import trainNetwork as train

    net, info = train(*_training_data(X, Y, "CT"), layers, options)
    return (net, info) if nargout > 1 else net


def trainnet(X, T, net, lossFcn, options, nargout=1):
    """MATLAB's trainnet on T-by-C sequences (a cell array, or one matrix)."""
    from ...training import trainnet as train

    net, info = train(*_training_data(X, T, "TC"), net, lossFcn, options)
    return (net, info) if nargout > 1 else net


def classify(net, X, *args, nargout=1):
    from ...network import classify as run

    labels, scores = run(net, _sequences(X, "CT"), *_options(args))
    if not isinstance(X, Cell):  # one sequence: its labels a row (per time step), as MATLAB
        labels = np.asarray(labels).reshape(1, -1)
    out = _label_outputs(labels, list(net.Classes))
    return (out, _outputs(scores, "CT", not isinstance(X, Cell))) if nargout > 1 else out


def _layout(net):
    return "TC" if getattr(net, "dlnetwork", False) else "CT"


def predict(net, X, *args, nargout=1):
    from ...network import predict as run

    layout = _layout(net)
    if nargout > 1:
        Y, state = run(net, _sequences(X, layout), *_options(args), return_state=True)
        return _outputs(Y, layout, not isinstance(X, Cell)), state
    return _outputs(run(net, _sequences(X, layout), *_options(args)), layout,
                    not isinstance(X, Cell))


def predictAndUpdateState(net, X, *args, nargout=1):
    """``[net, Y] = predictAndUpdateState(net, X)``: Y in the layout of X (C-by-T)."""
    from ...network import predictAndUpdateState as run

    net, Y = run(net, _sequences(X, "CT"), *_options(args))
    return (net, _outputs(Y, "CT", not isinstance(X, Cell))) if nargout > 1 else net


def resetState(net):
    from ...network import resetState as run

    return run(net)


def minibatchpredict(net, X, *args, nargout=1):
    from ...modern import minibatchpredict as run

    out = run(net, _sequences(X, "TC"), *_options(args))
    if not isinstance(X, Cell) and isinstance(out, np.ndarray) and out.ndim == 3 and \
            out.shape[0] == 1:
        out = out[0]
    return out


def scores2label(scores, classNames, *args):
    from ...modern import scores2label as run

    names = [str(c) for c in classNames] if isinstance(classNames, Cell) else \
        [str(c) for c in np.ravel(classNames.labels() if isinstance(classNames, Categorical)
                                  else classNames)]
    labels = run(scores, names, *_options(args))
    if isinstance(labels, list):
        return cell_of([Categorical.of(np.asarray(y).reshape(-1, 1), names) for y in labels])
    labels = np.asarray(labels)
    return Categorical.of(labels.reshape(-1, 1) if labels.ndim == 1 else labels, names)


def testnet(net, X, T, metrics, *args):
    from ...modern import testnet as run

    metrics = list(metrics) if isinstance(metrics, (Cell, np.ndarray)) else metrics
    return run(net, _sequences(X, "TC"), _targets(T, "TC"), metrics, *_options(args))


def analyzeNetwork(x):
    from ...analysis import analyzeNetwork as run

    return run(x)
