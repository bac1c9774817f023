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
