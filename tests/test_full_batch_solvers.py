"""The full-batch solvers, trainingOptions("lbfgs") and trainingOptions("lm"): their options,
their steps against NumPy (least squares, where the answers are known in closed form), their
stopping rules, and what they refuse, naming the option."""

import numpy as np
import pytest

from layergraph import (
    classificationLayer,
    dlnetwork,
    from_matlab,
    fullyConnectedLayer,
    lstmLayer,
    regressionLayer,
    sequenceInputLayer,
    softmaxLayer,
    trainingOptions,
    trainnet,
    trainNetwork,
)
from layergraph.errors import OptionError
from layergraph.spec import load_spec, save_spec

QUIET = dict(Verbose=False, ProgressBar=False, ExecutionEnvironment="cpu")


def linear_problem(n=12, c=3, r=2, seed=0):
    """fc on length-1 sequences: half mean squared error of a linear map (least squares)."""
    rng = np.random.default_rng(seed)
    W0, b0 = rng.normal(size=(r, c)), rng.normal(size=(r, 1))
    x = rng.normal(size=(n, c))
    y = x @ rng.normal(size=(c, r)) + 0.3 + 0.1 * rng.normal(size=(n, r))
    layers = [sequenceInputLayer(c), fullyConnectedLayer(r, Weights=W0, Bias=b0),
              regressionLayer()]
    return layers, W0, b0, x, y, [row[None, :] for row in x], [row[None, :] for row in y]


def test_options_defaults_and_what_belongs_to_which_solver():
    o = trainingOptions("lbfgs")
    assert (o.MaxIterations, o.HistorySize, o.LineSearchMethod, o.GradientTolerance,
            o.StepTolerance, o.MaxNumLineSearchIterations) == (1000, 10, "weak-wolfe", 1e-5,
                                                               1e-5, 20)
    o = trainingOptions("lm", "MaxIter", 7)  # MATLAB's prefix rule
    assert (o.MaxIterations, o.InitialDampingFactor, o.MaxDampingFactor,
            o.DampingIncreaseFactor, o.DampingDecreaseFactor) == (7, 0.001, 1e10, 10, 0.1)
    for solver, name, value in [("lbfgs", "MiniBatchSize", 8), ("lm", "InitialLearnRate", 0.1),
                                ("lbfgs", "InitialDampingFactor", 1.0),
                                ("lm", "HistorySize", 4), ("adam", "MaxIterations", 3),
                                ("lbfgs", "GradientThreshold", 1), ("lm", "Shuffle", "never")]:
        with pytest.raises(OptionError) as e:
            trainingOptions(solver, **{name: value})
        assert e.value.option == name and f"'{solver}' solver" in str(e.value)
    with pytest.raises(OptionError) as e:
        trainingOptions("lm", DampingIncreaseFactor=1)
    assert e.value.option == "DampingIncreaseFactor"


def test_lm_takes_the_damped_gauss_newton_step():
    layers, W0, b0, x, y, X, Y = linear_problem()
    mu = 0.5
    opts = trainingOptions("lm", MaxIterations=1, InitialDampingFactor=mu, L2Regularization=0,
                           **QUIET)
    net, info = trainNetwork(X, Y, layers, opts)
    # NumPy: residuals r = [x 1] theta - y per output; J = d r / d theta; the step solves
    # (J^T J + mu I) d = -J^T r (the loss's scale cancels)
    A = np.hstack([x, np.ones((len(x), 1))])
    theta0 = np.hstack([W0, b0])            # (r, c+1), one row per output
    n_out = theta0.shape[0]
    # parameters ordered as the layer's: Weights (r x c, column-major in MATLAB, but one step
    # per output is separable, so solve output by output)
    for k in range(n_out):
        r = A @ theta0[k] - y[:, k]
        d = -np.linalg.solve(A.T @ A + mu * np.eye(A.shape[1]), A.T @ r)
        expected = theta0[k] + d
        got = np.hstack([net.Layers[1].Weights[k], net.Layers[1].Bias[k]])
        np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-5)
    assert info.BaseLearnRate and len(info.TrainingLoss) == 1


def test_lm_never_accepts_a_step_that_raises_the_loss_and_stops_at_max_damping():
    rng = np.random.default_rng(1)
    X = [rng.normal(size=(rng.integers(3, 7), 2)) for _ in range(16)]
    Y = np.array([[x.sum()] for x in X])
    layers = [sequenceInputLayer(2), lstmLayer(3, OutputMode="last"), fullyConnectedLayer(1),
              regressionLayer()]
    opts = trainingOptions("lm", MaxIterations=40, L2Regularization=0, MaxDampingFactor=1e4,
                           **QUIET)
    _, info = trainNetwork(X, Y, layers, opts)
    losses = np.asarray(info.TrainingLoss)
    assert np.all(np.diff(losses) <= 1e-7 * losses[:-1])
    assert losses[-1] < 0.1 * losses[0]
    assert info.StopReason  # max iterations, a tolerance, or the damping limit


def test_lbfgs_reaches_the_least_squares_solution():
    layers, W0, b0, x, y, X, Y = linear_problem()
    opts = trainingOptions("lbfgs", MaxIterations=60, L2Regularization=0,
                           GradientTolerance=1e-9, StepTolerance=1e-12, **QUIET)
    net, info = trainNetwork(X, Y, layers, opts)
    A = np.hstack([x, np.ones((len(x), 1))])
    theta, *_ = np.linalg.lstsq(A, y, rcond=None)       # (c+1, r)
    np.testing.assert_allclose(net.Layers[1].Weights, theta[:-1].T, atol=1e-4)
    np.testing.assert_allclose(net.Layers[1].Bias.reshape(-1), theta[-1], atol=1e-4)
    assert len(info.TrainingLoss) < 60 and "tolerance" in info.StopReason


def test_l2_regularization_is_part_of_what_lbfgs_minimises():
    layers, W0, b0, x, y, X, Y = linear_problem()
    lam = 0.5
    opts = trainingOptions("lbfgs", MaxIterations=80, L2Regularization=lam,
                           GradientTolerance=1e-10, StepTolerance=1e-12, **QUIET)
    net, _ = trainNetwork(X, Y, layers, opts)
    # minimise sum r^2 / (2n) + lam/2 |W|^2 (the bias has L2Factor 0): ridge on W only
    n = len(x)
    A = np.hstack([x, np.ones((n, 1))])
    P = np.diag([lam * n] * x.shape[1] + [0.0])
    theta = np.linalg.solve(A.T @ A + P, A.T @ y)
    np.testing.assert_allclose(net.Layers[1].Weights, theta[:-1].T, atol=1e-4)


def test_trainnet_with_lbfgs_classifies_and_lm_regresses():
    rng = np.random.default_rng(2)
    X = [rng.normal(size=(5, 2)) + (i % 2) for i in range(24)]
    T = np.array(["a" if i % 2 == 0 else "b" for i in range(24)])
    net = dlnetwork([sequenceInputLayer(2), lstmLayer(4, OutputMode="last"),
                     fullyConnectedLayer(2), softmaxLayer()])
    net, info = trainnet(X, T, net, "crossentropy",
                         trainingOptions("lbfgs", MaxIterations=30, Metrics="accuracy", **QUIET))
    assert info.TrainingLoss[-1] < info.TrainingLoss[0] and info.TrainingAccuracy[-1] > 90
    R = np.array([[x.mean()] for x in X])
    net = dlnetwork([sequenceInputLayer(2), lstmLayer(3, OutputMode="last"),
                     fullyConnectedLayer(1)])
    net, info = trainnet(X, R, net, "mse", trainingOptions("lm", MaxIterations=15, **QUIET))
    assert info.TrainingLoss[-1] < 0.2 * info.TrainingLoss[0]


def test_what_the_full_batch_solvers_refuse_names_the_option():
    rng = np.random.default_rng(3)
    X = [rng.normal(size=(6, 2)) for _ in range(8)]
    labels = np.array(list("abababab"))
    clf = [sequenceInputLayer(2), lstmLayer(3, OutputMode="last"), fullyConnectedLayer(2),
           softmaxLayer(), classificationLayer()]
    with pytest.raises(OptionError, match="squared error") as e:
        trainNetwork(X, labels, clf, trainingOptions("lm", MaxIterations=2, **QUIET))
    assert e.value.option == "solverName"
    reg = [sequenceInputLayer(2), lstmLayer(3), fullyConnectedLayer(1), regressionLayer()]
    Y = [rng.normal(size=(6, 1)) for _ in range(8)]
    with pytest.raises(OptionError, match="whole sequences") as e:
        trainNetwork(X, Y, reg, trainingOptions("lbfgs", SequenceLength=2, **QUIET))
    assert e.value.option == "SequenceLength"
    with pytest.raises(OptionError, match="Jacobian") as e:
        big = [sequenceInputLayer(2), lstmLayer(200), fullyConnectedLayer(1), regressionLayer()]
        Ylong = [rng.normal(size=(400, 1)) for _ in range(8)]
        Xlong = [rng.normal(size=(400, 2)) for _ in range(8)]
        trainNetwork(Xlong, Ylong, big, trainingOptions("lm", MaxIterations=1, **QUIET))
    assert e.value.option == "solverName"


def test_specs_and_the_translator_carry_the_full_batch_options(tmp_path):
    layers, *_ = linear_problem()
    opts = trainingOptions("lbfgs", MaxIterations=25, HistorySize=4)
    path = tmp_path / "net.yaml"
    save_spec(layers, path, options=opts)
    back = load_spec(path).options
    assert back.SolverName == "lbfgs" and (back.MaxIterations, back.HistorySize) == (25, 4)
    t = from_matlab("layers = [sequenceInputLayer(3) fullyConnectedLayer(2) regressionLayer];\n"
                    "opts = trainingOptions('lm', 'MaxIterations', 50, "
                    "'InitialDampingFactor', 0.01);\n")
    assert t.options.SolverName == "lm" and t.options.InitialDampingFactor == 0.01


@pytest.mark.parametrize("solver", ["lbfgs", "lm"])
def test_a_checkpoint_holds_the_solvers_state_and_resumes_to_the_uninterrupted_weights(
        solver, tmp_path):
    rng = np.random.default_rng(0)
    X = [rng.standard_normal((int(t), 2)).astype(np.float32) for t in rng.integers(4, 9, 20)]
    Y = np.array([[x[:, 0].mean() * 2] for x in X], np.float32)
    layers = [sequenceInputLayer(2), lstmLayer(4, OutputMode="last"), fullyConnectedLayer(1),
              regressionLayer()]
    o = trainingOptions(solver, MaxIterations=8, Verbose=False, ProgressBar=False)
    whole, _ = trainNetwork(X, Y, layers, o)
    trainNetwork(X, Y, layers, o.replace(MaxIterations=4, CheckpointPath=str(tmp_path),
                                         CheckpointFrequency=2))
    saved = sorted(tmp_path.glob("net_checkpoint__*.pt"))
    assert [p.name.split("__")[1] for p in saved] == ["2", "4"]  # every 2nd iteration
    resumed, info = trainNetwork(X, Y, str(saved[-1]), o)
    assert len(info["TrainingLoss"]) == 8
    for a, b in zip(whole.Layers, resumed.Layers):
        for name in a.learnables:  # L-BFGS's history / LM's damping came back with the weights
            np.testing.assert_array_equal(np.asarray(a.props[name]), np.asarray(b.props[name]))
