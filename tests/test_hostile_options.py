"""Option values of every odd form get layergraph's own error naming the option, never a raw
TypeError / OverflowError from inside the validation."""

import numpy as np
import pytest
import torch

from layergraph import (
    OptionError,
    classificationLayer,
    convolution1dLayer,
    fullyConnectedLayer,
    leakyReluLayer,
    lstmLayer,
    trainingOptions,
)

VALUES = [1 + 2j, float("inf"), float("nan"), 2 ** 70 + 0.5, np.array([1, 2]),
          torch.tensor([1.0, 2.0]), None, "10", (), np.array([]), object(), {"a": 1}, b"xy"]
CALLS = {
    "lstmLayer NumHiddenUnits": (lambda v: lstmLayer(v), "NumHiddenUnits"),
    "fc WeightLearnRateFactor": (lambda v: fullyConnectedLayer(10, "WeightLearnRateFactor", v),
                                 "WeightLearnRateFactor"),
    "leakyRelu Scale": (lambda v: leakyReluLayer(v), "Scale"),
    "classification Classes": (lambda v: classificationLayer("Classes", v), "Classes"),
    "trainingOptions InitialLearnRate": (lambda v: trainingOptions("adam", "InitialLearnRate", v),
                                         "InitialLearnRate"),
    "conv1d FilterSize": (lambda v: convolution1dLayer(v, 3), "FilterSize"),
    "lstm InputWeights": (lambda v: lstmLayer(4, "InputWeights", v), "InputWeights"),
}


@pytest.mark.parametrize("call", CALLS, ids=list(CALLS))
def test_odd_values_raise_option_errors_naming_the_option(call):
    make, option = CALLS[call]
    for v in VALUES:
        try:
            make(v)
        except OptionError as exc:
            assert exc.option == option and exc.part == "value", (v, exc)
            assert option in str(exc) and exc.expected
        except Exception as exc:  # noqa: BLE001  (the point: nothing else escapes)
            pytest.fail(f"{call} with {v!r} raised {type(exc).__name__}: {exc}")


def test_numpy_and_torch_scalars_are_numbers():
    assert lstmLayer(np.int8(3)).NumHiddenUnits == 3
    assert lstmLayer(torch.tensor(3)).NumHiddenUnits == 3
    assert leakyReluLayer(np.float16(0.5)).Scale == 0.5
    with pytest.raises(OptionError, match=r"expected an integer >= 1, got \(1\+2j\)"):
        lstmLayer(1 + 2j)


def _fit(X, Y, layers, **kw):
    from layergraph import trainNetwork

    o = dict(MaxEpochs=1, MiniBatchSize=2, Verbose=False, ProgressBar=False)
    o.update(kw)
    return trainNetwork(X, Y, layers, trainingOptions("adam", **o))


def _clf():
    from layergraph import sequenceInputLayer, softmaxLayer

    return [sequenceInputLayer(3), lstmLayer(4, "OutputMode", "last"), fullyConnectedLayer(2),
            softmaxLayer(), classificationLayer()]


def _reg():
    from layergraph import regressionLayer, sequenceInputLayer

    return [sequenceInputLayer(3), lstmLayer(4, "OutputMode", "last"), fullyConnectedLayer(2),
            regressionLayer()]


X4 = [np.ones((4, 3))] * 4


@pytest.mark.parametrize("X, Y, layers, kw, match", [
    (np.zeros((0, 5, 3)), [], _clf, {}, r"X holds no sequences \(shape \(0, 5, 3\)\)"),
    ([[[1, 2, 3], [1, 2]]] * 4, list("abab"), _clf, {}, r"X\[0\] is ragged"),
    (X4, [None, "a", None, "b"], _clf, {}, r"Y\[0\] has no label \(None or NaN"),
    (X4, [1.0, np.nan, 2.0, 1.0], _clf, {}, r"Y\[1\] has no label"),
    (X4, list("abcd"), _reg, {}, r"Y\[0\] is not numeric \('a'\)"),
    (X4, list("abab"), _clf, {"CheckpointPath": "/proc/no/such"}, "cannot write checkpoints"),
    (X4, list("abab"), _clf, {"CheckpointPath": "a\0b"}, "cannot write checkpoints"),
], ids=["empty", "ragged", "None-label", "NaN-label", "text-responses", "ckpt-proc", "ckpt-nul"])
def test_bad_training_data_and_paths_are_layergraph_errors(X, Y, layers, kw, match):
    from layergraph import LayerGraphError

    with pytest.raises(LayerGraphError, match=match):
        _fit(X, Y, layers(), **kw)


def test_checkpoint_path_that_is_a_file_and_plot_path_without_image_extension(tmp_path):
    from layergraph import LayerGraphError

    f = tmp_path / "afile"
    f.write_text("x")
    with pytest.raises(LayerGraphError, match="cannot write checkpoints") as err:
        _fit(X4, list("abab"), _clf(), CheckpointPath=str(f))
    assert err.value.option == "CheckpointPath"
    with pytest.raises(OptionError, match="PlotPath") as err:
        trainingOptions("adam", Plots="training-progress", PlotPath="plot.xyz")
    assert err.value.option == "PlotPath" and ".png" in err.value.expected


def test_numeric_labels_keep_numeric_class_order():
    from layergraph.training.targets import class_names

    assert class_names([10, 2, 1, 2]) == ("1", "2", "10")
    assert class_names(["b", "a"]) == ("a", "b")


def test_absurd_sizes_are_rejected_by_analysis_before_allocation():
    from layergraph import NetworkError, analyze, regressionLayer, sequenceInputLayer, trainNetwork
    from layergraph.limits import LIMITS, raised

    layers = [sequenceInputLayer(3), lstmLayer(1e12), fullyConnectedLayer(2), regressionLayer()]
    report = analyze(layers)
    (p,) = report.problems_of("too-large")
    assert p.layers == ("lstm",) and "max_learnables=2,147,483,648" in p.message
    assert "layergraph.limits.raised(max_learnables=...)" in p.message
    with pytest.raises(NetworkError, match="too-large|max_learnables"):
        trainNetwork([np.ones((3, 3))] * 2, np.ones((2, 2)), layers,
                     trainingOptions("adam", Verbose=False, ProgressBar=False))
    small = [sequenceInputLayer(3), lstmLayer(8), fullyConnectedLayer(2), regressionLayer()]
    assert analyze(small).ok
    with raised(max_learnables=100):  # the limit is named and adjustable
        assert analyze(small).problems_of("too-large")
    assert LIMITS.max_learnables == 2 ** 31 and analyze(small).ok
    with pytest.raises(OptionError, match="unknown limit"):
        with raised(max_learnable=1):
            pass


def test_infinite_rates_and_scales_are_refused_where_inf_means_nothing():
    with pytest.raises(OptionError, match="InitialLearnRate") as err:
        trainingOptions("adam", InitialLearnRate=float("inf"))
    assert err.value.part == "value"
    with pytest.raises(OptionError, match="Scale"):
        leakyReluLayer(Scale=float("inf"))
    # where MATLAB gives Inf a meaning, it stays accepted
    assert trainingOptions("adam", GradientThreshold=float("inf")).GradientThreshold == float("inf")
    assert trainingOptions("adam", ValidationPatience="Inf").ValidationPatience == float("inf")


def test_plot_folder_is_created_before_training_and_an_unwritable_one_fails_first(tmp_path):
    from layergraph import LayerGraphError

    plot = tmp_path / "new" / "dir" / "p.png"
    _fit(X4, list("abab"), _clf(), Plots="training-progress", PlotPath=str(plot))
    assert plot.is_file()
    with pytest.raises(LayerGraphError, match=r"cannot write files to '/proc/x' \(PlotPath\)"):
        _fit(X4, list("abab"), _clf(), Plots="training-progress", PlotPath="/proc/x/p.png")


def test_complex_or_text_arrays_are_never_cast_silently():
    with pytest.raises(OptionError, match="expected real numbers, got an array of complex"):
        lstmLayer(4, InputWeights=np.ones((16, 3)) * 1j)
    with pytest.raises(OptionError, match="InputWeights"):
        lstmLayer(4, InputWeights=[["a", "b"]])


def test_data_beyond_float32_is_named_not_turned_into_inf():
    from layergraph import DataError, assembleNetwork, predict, regressionLayer, sequenceInputLayer

    NET = assembleNetwork([sequenceInputLayer(3), fullyConnectedLayer(2, Weights=np.ones((2, 3)),
                                                                      Bias=np.zeros((2, 1))),
                           regressionLayer()], "cpu")
    x = np.ones((4, 3))
    x[2, 1] = 1e300
    with pytest.raises(DataError, match=r"beyond float32's range \(first at time step 2\)"):
        predict(NET, x)
