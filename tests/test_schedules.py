"""Learning-rate schedules (LearnRateSchedule): the factors against the formulas written out here,
what trainingOptions' names stand for, lists run in turn, training that follows them, specs,
the MATLAB translator, and bad values refused with the option named."""

import math

import numpy as np
import pytest

from layergraph import (
    cosineLearnRate,
    cyclicalLearnRate,
    exponentialLearnRate,
    from_matlab,
    fullyConnectedLayer,
    piecewiseLearnRate,
    polynomialLearnRate,
    regressionLayer,
    sequenceInputLayer,
    trainingOptions,
    trainNetwork,
    warmupLearnRate,
)
from layergraph.errors import OptionError
from layergraph.matlab.translation import python_script
from layergraph.spec import load_spec, save_spec
from layergraph.training.schedules import learn_rate

K = np.arange(40)


def reference(kind, k, **p):
    """The schedules' factors, written from the formulas (not from the code under test)."""
    k = np.asarray(k, dtype=float)
    if kind == "piecewise":
        return p["DropFactor"] ** np.floor(k / p["Period"])
    if kind == "exponential":
        return p["DropFactor"] ** (k / p["Period"])
    if kind == "warmup":
        t = np.minimum(k, p["NumSteps"]) / p["NumSteps"]
        return p["InitialFactor"] + (p["FinalFactor"] - p["InitialFactor"]) * t
    if kind == "polynomial":
        t = 1 - np.minimum(k, p["NumSteps"]) / p["NumSteps"]
        return p["FinalFactor"] + (p["InitialFactor"] - p["FinalFactor"]) * t ** p["Power"]
    if kind == "cosine":  # restarts at Period, Period*g, Period*g^2, ... cumulated
        out = []
        for kk in k:
            start, length = 0.0, float(p["Period"])
            while kk >= start + length:
                start, length = start + length, length * p["PeriodGrowth"]
            j = kk - start
            out.append(p["FinalFactor"] + (p["InitialFactor"] - p["FinalFactor"])
                       * 0.5 * (1 + np.cos(np.pi * j / length)))
        return np.array(out)
    if kind == "cyclical":
        j = k % p["Period"]
        up = p["StepRatio"] * p["Period"]
        tri = np.where(j < up, j / up, (p["Period"] - j) / (p["Period"] - up))
        return 1 + (p["MaxFactor"] - 1) * tri
    raise AssertionError(kind)


CASES = [
    (piecewiseLearnRate, "piecewise", dict(DropFactor=0.5, Period=3)),
    (exponentialLearnRate, "exponential", dict(DropFactor=0.2, Period=4)),
    (warmupLearnRate, "warmup", dict(InitialFactor=0.25, FinalFactor=2.0, NumSteps=7)),
    (polynomialLearnRate, "polynomial", dict(InitialFactor=1.5, FinalFactor=0.1, Power=2.0,
                                             NumSteps=12)),
    (cosineLearnRate, "cosine", dict(InitialFactor=1.0, FinalFactor=0.05, Period=5,
                                     PeriodGrowth=2.0)),
    (cyclicalLearnRate, "cyclical", dict(MaxFactor=4.0, StepRatio=0.25, Period=8)),
]


@pytest.mark.parametrize("cls, kind, props", CASES, ids=[c[1] for c in CASES])
def test_each_schedule_follows_its_formula(cls, kind, props):
    schedule = cls(**props)
    got = np.array([schedule.factor(int(k)) for k in K])
    np.testing.assert_allclose(got, reference(kind, K, **props), rtol=1e-12, atol=1e-12)


def test_a_late_step_costs_no_more_than_an_early_one():
    # restarts are found by arithmetic, not by walking the periods one by one
    k = 10**15
    assert cosineLearnRate(Period=1).factor(k) == pytest.approx(1.0)
    grown = cosineLearnRate(Period=1, PeriodGrowth=2.0)
    n = 50  # periods 1, 2, 4, ...: restart n begins at 2**n - 1
    assert grown.factor(2**n - 1) == pytest.approx(1.0)
    np.testing.assert_allclose(grown.factor(2**n - 1 + 2**(n - 1)), 0.5, atol=1e-9)


def test_schedule_objects_take_matlab_name_value_pairs_and_prefixes():
    a = warmupLearnRate("NumSteps", 3, "InitialF", 0.5)
    assert (a.NumSteps, a.InitialFactor, a.FrequencyUnit) == (3, 0.5, "iteration")
    assert a == warmupLearnRate(NumSteps=3, InitialFactor=0.5)
    assert repr(a) == "warmupLearnRate(InitialFactor=0.5, NumSteps=3)"
    with pytest.raises(AttributeError):
        a.NumSteps = 4


def lr_table(opts, epochs, per_epoch):
    return [learn_rate(opts, e, (e - 1) * per_epoch + i + 1, per_epoch) / opts.InitialLearnRate
            for e in range(1, epochs + 1) for i in range(per_epoch)]


def test_the_names_stand_for_trainingoptions_settings():
    # 'piecewise' uses LearnRateDropFactor / LearnRateDropPeriod, per epoch
    o = trainingOptions("sgdm", LearnRateSchedule="piecewise", LearnRateDropFactor=0.5,
                        LearnRateDropPeriod=2, MaxEpochs=6)
    np.testing.assert_allclose(lr_table(o, 6, 1), [1, 1, .5, .5, .25, .25])
    # 'cosine' and 'polynomial' span the whole training: MaxEpochs epochs
    o = trainingOptions("sgdm", LearnRateSchedule="cosine", MaxEpochs=4)
    np.testing.assert_allclose(lr_table(o, 4, 2), np.repeat(
        0.5 * (1 + np.cos(np.pi * np.arange(4) / 4)), 2))
    o = trainingOptions("sgdm", LearnRateSchedule="polynomial", MaxEpochs=5)
    np.testing.assert_allclose(lr_table(o, 5, 1), 1 - np.arange(5) / 5)
    o = trainingOptions("sgdm", LearnRateSchedule="none")
    np.testing.assert_allclose(lr_table(o, 3, 2), np.ones(6))


def test_a_list_runs_its_schedules_in_turn():
    # 3 iterations of warm-up (per iteration), then a per-epoch exponential decay that starts
    # with the epoch the warm-up ended in
    o = trainingOptions("adam", MaxEpochs=4, LearnRateSchedule=[
        warmupLearnRate(NumSteps=3, InitialFactor=0.4), exponentialLearnRate(DropFactor=0.5)])
    got = lr_table(o, 4, 2)
    warm = [0.4, 0.6, 0.8]                     # iterations 1-3 (epoch 1, 1, 2)
    after = [1.0, 0.5, 0.5, 0.25, 0.25]        # iteration 4 (epoch 2, k=0), then epochs 3, 4
    np.testing.assert_allclose(got, warm + after)


def test_training_follows_the_schedule_iteration_by_iteration():
    rng = np.random.default_rng(0)
    X = [rng.normal(size=(2, 3)) for _ in range(8)]
    Y = [rng.normal(size=(2, 1)) for _ in range(8)]
    layers = [sequenceInputLayer(3), fullyConnectedLayer(1), regressionLayer()]
    o = trainingOptions("sgdm", InitialLearnRate=0.01, MaxEpochs=3, MiniBatchSize=4,
                        Verbose=False, ProgressBar=False, ExecutionEnvironment="cpu",
                        LearnRateSchedule=[warmupLearnRate(NumSteps=4, InitialFactor=0.5),
                                           "cosine"])
    _, info = trainNetwork(X, Y, layers, o)
    # 2 iterations an epoch: warm-up over iterations 1-4 (epochs 1-2), cosine over MaxEpochs=3
    # epochs from epoch 3
    expected = [0.5, 0.625, 0.75, 0.875, 1.0, 1.0]
    np.testing.assert_allclose(np.asarray(info.BaseLearnRate) / 0.01, expected)


def test_a_spec_writes_and_reads_schedules(tmp_path):
    layers = [sequenceInputLayer(3), fullyConnectedLayer(1), regressionLayer()]
    o = trainingOptions("adam", LearnRateSchedule=[warmupLearnRate(NumSteps=3), "cosine"])
    path = tmp_path / "net.yaml"
    save_spec(layers, path, options=o)
    text = path.read_text()
    assert "warmup:" in text and "NumSteps: 3" in text and "cosine" in text
    back = load_spec(path)
    assert back.options.LearnRateSchedule == (warmupLearnRate(NumSteps=3), "cosine")


def test_the_matlab_translator_maps_schedule_and_metric_objects():
    t = from_matlab(
        "layers = [sequenceInputLayer(3) fullyConnectedLayer(1) regressionLayer];\n"
        "opts = trainingOptions('adam', LearnRateSchedule={warmupLearnRate(NumSteps=3), "
        "\"cosine\"}, Metrics=fScoreMetric(AverageType=\"macro\"));\n")
    assert t.options.LearnRateSchedule == (warmupLearnRate(NumSteps=3), "cosine")
    assert t.options.Metrics[0].AverageType == "macro"
    scope = {}
    exec(compile(python_script(t), "translated.py", "exec"), scope)
    assert scope["options"].LearnRateSchedule == t.options.LearnRateSchedule


@pytest.mark.parametrize("value", [
    "linear", [], ["warmup", "none"], {"warmup": {"NumStep": 0}}, {"warmup": 3}, 7,
    {"warmup": {}, "cosine": {}}, math.inf,
])
def test_bad_schedules_are_refused_naming_the_option(value):
    with pytest.raises(OptionError) as e:
        trainingOptions("adam", LearnRateSchedule=value)
    assert e.value.option == "LearnRateSchedule"


@pytest.mark.parametrize("cls, bad", [
    (warmupLearnRate, {"NumSteps": 0}), (warmupLearnRate, {"FrequencyUnit": "batch"}),
    (cosineLearnRate, {"PeriodGrowth": 0.5}), (cyclicalLearnRate, {"StepRatio": 1}),
    (exponentialLearnRate, {"DropFactor": 0}), (piecewiseLearnRate, {"Period": 2.5}),
    (polynomialLearnRate, {"Power": -1}), (warmupLearnRate, {"NumSteps": 1.5}),
])
def test_bad_schedule_properties_name_the_property(cls, bad):
    with pytest.raises(OptionError) as e:
        cls(**bad)
    assert e.value.option == next(iter(bad))
