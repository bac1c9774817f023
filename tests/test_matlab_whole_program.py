"""Whole MATLAB programs translated to Python programs that run (layergraph.matlab.program).

The MATLAB scripts in tests/fixtures/matlab_programs/ were written for these tests from the
descriptions of MATLAB's sequence examples. Each is translated, run with its epochs lowered through
a parameter, and its results checked against layergraph called directly.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from layergraph import LayerGraphError
from layergraph.datasets import japanese_vowels
from layergraph.matlab import MatlabSyntaxError
from layergraph.matlab import runtime as ml
from layergraph.matlab.program import translate_program

FIXTURES = Path(__file__).parent / "fixtures" / "matlab_programs"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # figures and training plots land here


def _env():
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    env.pop("MPLBACKEND", None)
    return env


# --- (a) the Japanese Vowels classification script -------------------------------------------------


def test_japanese_vowels_script_translates_to_a_program_that_prints_its_accuracy(tmp_path):
    script = FIXTURES / "japanese_vowels_classification.m"
    out = tmp_path / "jv.py"
    cli = subprocess.run([sys.executable, "-m", "layergraph", "from-matlab", str(script),
                          "--to", "program", "--var", "maxEpochs=1", "-o", str(out)],
                         capture_output=True, text=True, env=_env(), timeout=120)
    assert cli.returncode == 0, cli.stderr
    text = out.read_text()
    assert "ml.trainNetwork(XTrain, YTrain, layers, options)" in text
    assert "ml.classify(net, XTest" in text
    assert "# trainNetwork" not in text and "not translated" not in text.lower()
    run = subprocess.run([sys.executable, str(out)], capture_output=True, text=True,
                         env=_env(), cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]
    line = next(x for x in run.stdout.splitlines() if x.startswith("Accuracy: "))
    accuracy = float(line.split()[1])
    assert 0 <= accuracy <= 1
    assert "Accuracy on 370 test sequences:" in run.stdout
    figures = sorted((tmp_path / "japanese_vowels_classification_figures").glob("*.png"))
    assert len(figures) == 2  # the observation plot and the sorted lengths


def test_japanese_vowels_program_keeps_matlab_semantics():
    program = translate_program(FIXTURES / "japanese_vowels_classification.m",
                                variables={"maxEpochs": 1})
    assert program.parameters["maxEpochs"] == 1 and program.layout == "CT"
    ws = program.run()
    X, Y = japanese_vowels("train")
    assert ws["numFeatures"] == 12  # size(XTrain{1},1): sequences are 12-by-T
    lengths = ws["sequenceLengths"]
    assert lengths.shape == (1, 270)
    np.testing.assert_array_equal(lengths.ravel(), np.sort([len(x) for x in X]))
    first = ws["XTrain"].data[0, 0]  # the shortest sequence after sorting, 12-by-T
    shortest = int(np.argsort([len(x) for x in X], kind="stable")[0])
    np.testing.assert_allclose(first, X[shortest].T, rtol=1e-6)
    assert ws["YTrain"].labels()[0, 0] == Y[shortest]
    # the accuracy printed is the classification of the sorted test set by the trained net
    from layergraph import classify

    XT, YT = japanese_vowels("test")
    order = np.argsort([len(x) for x in XT], kind="stable")
    labels, _ = classify(ws["net"], [XT[k] for k in order])
    assert ws["acc"] == pytest.approx(np.mean(np.asarray(labels) == YT[order]))


# --- (b) closed-loop forecasting with predictAndUpdateState -----------------------------------------


@pytest.fixture
def series_csv(tmp_path):
    t = np.arange(60)
    values = 10 + 3 * np.sin(2 * np.pi * t / 12) + 0.05 * t
    path = tmp_path / "monthly.csv"
    path.write_text("value\n" + "".join(f"{v:.5f}\n" for v in values))
    return path, np.round(values, 5)


def test_forecasting_script_runs_and_its_closed_loop_is_predict_and_update_state(series_csv):
    from layergraph import predictAndUpdateState, resetState

    path, values = series_csv
    program = translate_program(FIXTURES / "closed_loop_forecasting.m",
                                variables={"maxEpochs": 2})
    assert program.parameters["dataFile"] == "series.csv"  # the file read is a parameter
    ws = program.run(dataFile=str(path))
    np.testing.assert_allclose(ws["data"].ravel(), values)  # header line skipped, transposed
    assert ws["data"].shape == (1, 60)
    n_train = int(np.floor(0.9 * 60))
    assert ws["numTimeStepsTrain"] == n_train
    test = values[n_train:]
    np.testing.assert_allclose(ws["YTest"].ravel(), test[1:])
    mu, sig = values[:n_train + 1].mean(), values[:n_train + 1].std(ddof=1)
    assert ws["mu"] == pytest.approx(mu) and ws["sig"] == pytest.approx(sig)

    # the closed loop again, with layergraph directly: each prediction is the next input
    net = resetState(ws["net"])
    train = (values[:n_train + 1] - mu) / sig
    net, _ = predictAndUpdateState(net, train[:-1].reshape(-1, 1))
    net, y = predictAndUpdateState(net, train[-1:].reshape(1, 1))
    preds = [float(np.ravel(y)[0])]
    for _ in range(len(test) - 2):
        net, y = predictAndUpdateState(net, np.array([[preds[-1]]], dtype=np.float32))
        preds.append(float(np.ravel(y)[0]))
    closed = sig * np.array(preds) + mu
    np.testing.assert_allclose(ws["YPred"].ravel(), closed, rtol=1e-4, atol=1e-4)
    assert ws["rmse"] == pytest.approx(np.sqrt(np.mean((closed - test[1:]) ** 2)), rel=1e-4)
    assert ws["YPredOpen"].shape == (1, len(test) - 1)
    assert ws["rmseOpen"] == pytest.approx(
        np.sqrt(np.mean((ws["YPredOpen"].ravel() - test[1:]) ** 2)))


# --- (c) what cannot be translated ---------------------------------------------------------------

UNTRANSLATABLE = """\
clc
XTrain = {[1 2 3; 4 5 6]};
XTrain = myPreprocessing(XTrain);
heatmap([1 2; 3 4]);
numFeatures = size(XTrain{1}, 1);
disp(numFeatures)
"""


def test_a_used_result_that_cannot_be_translated_raises_naming_file_and_line():
    program = translate_program(UNTRANSLATABLE, filename="prep.m")
    assert ("raise NotImplementedError(\"prep.m:3: XTrain = myPreprocessing(XTrain): no "
            "translation of the function 'myPreprocessing'\")") in program.python
    lines = {n.line: n.message for n in program.notes}
    assert "NotImplementedError" in lines[3]
    assert "skipped" in lines[4]  # a chart: nothing later uses it
    assert 1 not in lines  # clc has no effect: a comment, not a problem
    with pytest.raises(NotImplementedError, match=r"prep\.m:3: XTrain = myPreprocessing"):
        program.run()
    script = subprocess.run([sys.executable, "-c", program.python], capture_output=True,
                            text=True, env=_env(), timeout=60)
    assert script.returncode == 1 and "Traceback" not in script.stderr
    assert "error: prep.m:3: XTrain = myPreprocessing(XTrain)" in script.stderr


def test_without_the_untranslatable_line_the_same_program_runs(capsys):
    program = translate_program(UNTRANSLATABLE.replace(
        "XTrain = myPreprocessing(XTrain);\n", ""), filename="prep.m")
    ws = program.run()
    assert ws["numFeatures"] == 2
    assert capsys.readouterr().out.splitlines()[0] == "2"


def test_syntax_errors_are_located_layergraph_errors():
    with pytest.raises(MatlabSyntaxError) as info:
        translate_program("x = [1 2;\ny = 3)\n", filename="bad.m")
    assert isinstance(info.value, LayerGraphError)
    assert info.value.filename == "bad.m" and info.value.line >= 1


def test_cli_program_errors_are_messages_not_tracebacks(tmp_path):
    bad = tmp_path / "bad.m"
    bad.write_text("x = (1 + \n")
    r = subprocess.run([sys.executable, "-m", "layergraph", "from-matlab", str(bad), "--to",
                        "program"], capture_output=True, text=True, env=_env(), timeout=60)
    assert r.returncode != 0
    assert "bad.m:" in r.stderr and "Traceback" not in r.stderr


def test_an_unknown_parameter_is_refused():
    program = translate_program("n = 3;\ndisp(n)\n", filename="p.m")
    with pytest.raises(LayerGraphError, match="unknown parameter 'm'"):
        program.run(m=4)
    given = translate_program("n = 3;\ndisp(n)\n", filename="p.m", variables={"k": 1})
    assert any("'k' is not a parameter" in n.message for n in given.notes)


# --- (d) today's workflow ------------------------------------------------------------------------


def test_modern_workflow_runs_trainnet_minibatchpredict_scores2label_testnet():
    program = translate_program(FIXTURES / "japanese_vowels_modern.m", variables={"epochs": 1})
    text = program.python
    for call in ("dlnetwork(layers)", "ml.trainnet(XTrain, TTrain, net, 'crossentropy', options)",
                 "ml.minibatchpredict(net, XTest", "ml.scores2label(scores, classNames)",
                 "ml.testnet(net, XTest, TTest, 'accuracy')", "Metrics='accuracy'"):
        assert call in text
    assert program.layout == "TC"
    ws = program.run()
    assert ws["numFeatures"] == 12  # size(XTrain{1},2): T-by-12 in this workflow
    assert ws["numClasses"] == 9
    lengths = ws["sequenceLengths"].ravel()
    assert lengths.shape == (270,)
    assert list(ws["XTrain"].data[0, 0].shape) == [int(lengths.max()), 12]  # "descend"
    assert ws["acc"] == pytest.approx(100 * ws["accuracy"], abs=1e-3)  # testnet in percent


# --- the runtime's MATLAB rules ------------------------------------------------------------------


def test_indexing_is_one_based_column_major_and_grows_as_matlab():
    a = ml.mat([[1, 2, 3], [4, 5, 6]])
    assert ml.index(a, 2) == 4  # column-major linear index
    np.testing.assert_array_equal(ml.index(a, ml.COLON, ml.end(a, 1, 2)), [[3], [6]])
    np.testing.assert_array_equal(ml.index(a, ml.colon(1, ml.end(a, 0, 1) - 1)),
                                  [[1, 4, 2, 5, 3]])
    grown = ml.setindex(None, 7, 3)
    np.testing.assert_array_equal(grown, [[0, 0, 7]])
    np.testing.assert_array_equal(ml.setindex(grown, ml.mat([]), 1), [[0, 7]])
    with pytest.raises(LayerGraphError, match="exceeds"):
        ml.index(a, 7)
    assert ml.index([0.5, 0.25, 0.125], 2) == 0.25  # info.TrainingLoss(2): a number
    assert ml.numel([0.5, 0.25]) == 2 and ml.size([0.5, 0.25], 2) == 2
    from layergraph import lstmLayer, reluLayer

    layers = [lstmLayer(3), reluLayer()]
    picked = ml.index(layers, ml.end(layers, 0, 1))  # layers(end): a layer array of one
    assert isinstance(picked, list) and picked[0].matlab_name == "reluLayer"


def test_cells_sort_and_reductions_follow_matlab():
    c = ml.cell_of([np.ones((12, 5)), np.ones((12, 3)), np.ones((12, 4))])
    lengths = ml.cellfun(lambda x: ml.size(x, 2), c)
    assert lengths.shape == (3, 1)
    s, idx = ml.sort(lengths, nargout=2)
    np.testing.assert_array_equal(idx.ravel(), [2, 3, 1])
    assert ml.size(ml.brace(ml.index(c, idx), 1), 2) == 3
    both = ml.mat([ml.cs(c)])
    assert both.shape == (12, 12)
    m = ml.mat([[1, 2], [3, 5]])
    np.testing.assert_array_equal(ml.mean(m), [[2, 3.5]])  # down the columns
    np.testing.assert_array_equal(ml.mean(m, 2), [[1.5], [4]])
    assert ml.std(ml.mat([[1, 2, 3]])) == pytest.approx(1.0)  # N-1
    np.testing.assert_allclose(ml.std(m, ml.mat([]), 2), [[0.5 ** 0.5], [2 ** 0.5]])
    assert ml.std(ml.mat([[1, 2, 3]]), 1) == pytest.approx((2 / 3) ** 0.5)
    assert [ml.num2str(v) for v in (np.pi, 123.456, 0.000123, 7, 0.2135135)] == [
        "3.1416", "123.456", "0.000123", "7", "0.21351"]


def test_categorical_comparison_and_text():
    y = ml.categorical(ml.cell_of(["b", "a", "b"]))
    assert y.cats == ["a", "b"]
    assert ml.sum(y == ml.categorical(ml.cell_of(["b", "b", "b"]))) == 2
    assert ml.sprintf("%d of %.2f\\n", 3, 0.5) == "3 of 0.50\n"
    assert ml.sprintf("%d,", ml.mat([[1, 2, 3]])) == "1,2,3,"
    assert ml.plus("Accuracy: ", 0.5) == "Accuracy: 0.5"
    np.testing.assert_array_equal(ml.plus("F", ml.string(ml.colon(1, 2))), [["F1", "F2"]])
    grown = ml.setindex(ml.categorical(ml.cell_of(["a"])), "b", 3)  # YPred(3) = 'b'
    a, b, c = ml.trainingPartitions(10, ml.mat([[0.6, 0.2, 0.2]]), nargout=3)
    assert (a.size, b.size, c.size) == (6, 2, 2)
    assert sorted(np.concatenate([a, b, c], axis=1).ravel()) == list(range(1, 11))
    assert grown.labels().ravel().tolist() == ["a", "<undefined>", "b"]


def test_mutated_matlab_translates_to_python_that_compiles_or_fails_with_a_line():
    hypothesis = pytest.importorskip("hypothesis")
    from text_mutations import mutated_matlab

    from layergraph.matlab import MatlabTranslationError

    @hypothesis.settings(derandomize=True, deadline=None, database=None, max_examples=120,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(mutated_matlab())
    def check(source):
        try:
            program = translate_program(source, filename="fuzz.m")
        except MatlabTranslationError as e:
            assert e.problems and all(p.line >= 1 for p in e.problems), str(e)
            return
        compile(program.python, "fuzz.py", "exec")

    check()


def test_yaml_of_a_script_on_a_shipped_data_set_names_it_in_its_data_section():
    from layergraph import from_matlab, load_spec

    t = from_matlab(FIXTURES / "japanese_vowels_classification.m")
    spec = load_spec(t.to_yaml())
    assert spec.data == {"dataset": "japanese_vowels"}
    other = from_matlab("layers = [sequenceInputLayer(3) lstmLayer(4) fullyConnectedLayer(2) "
                        "softmaxLayer classificationLayer];")
    assert "data:" not in other.to_yaml()


def test_analyze_and_plot_of_a_layer_graph_print_the_table_and_draw_the_network(capsys):
    program = translate_program(
        "layers = [sequenceInputLayer(3) lstmLayer(4,'OutputMode','last') "
        "fullyConnectedLayer(2) softmaxLayer classificationLayer];\n"
        "lgraph = layerGraph(layers);\nanalyzeNetwork(lgraph)\nfigure\nplot(lgraph)\n",
        filename="draw.m")
    assert "ml.analyzeNetwork(lgraph)" in program.python
    program.run(FIGURES_DIR="drawn")
    out = capsys.readouterr().out
    assert "lstm" in out and "drew the network" in out
    assert list(Path("drawn").glob("network.*"))


def test_the_elnino_example_runs_as_a_whole_program(tmp_path):
    from layergraph.datasets import elnino

    data = elnino(dtype=np.float64)
    csv = tmp_path / "sst.csv"
    np.savetxt(csv, data, delimiter=",", fmt="%.2f")
    text = (ROOT / "examples" / "matlab" / "elnino_forecasting.m").read_text()
    program = translate_program(text.replace("MaxEpochs=200", "MaxEpochs=2"),
                                filename="elnino_forecasting.m")
    ws = program.run(dataFile=str(csv))
    n_train = int(np.floor(0.9 * len(data)))
    np.testing.assert_allclose(ws["TTest"], np.round(data[n_train:], 2).T, atol=1e-9)
    assert ws["YClosed"].shape == ws["TTest"].shape == (4, len(data) - n_train)
    assert ws["rmseClosed"] == pytest.approx(
        np.sqrt(np.mean((ws["YClosed"] - ws["TTest"]) ** 2)))
    np.testing.assert_allclose(ws["muX"].ravel(), np.round(data[:n_train - 1], 2).mean(0))


def test_load_of_a_mat_file_gives_the_variables_the_program_reads(tmp_path, capsys):
    from scipy.io import savemat

    savemat(tmp_path / "waves.mat", {"XTrain": np.arange(6.0).reshape(2, 3), "unused": 1.0})
    program = translate_program("load waves.mat\nn = size(XTrain, 2);\ndisp(n)\n"
                                "s = struct('a', 1);\nt = s;\nt.a = 2;\ndisp(s.a)\n",
                                filename="w.m")
    assert program.parameters["wavesFile"] == "waves.mat"
    assert any("XTrain taken from the file" in n.message for n in program.notes)
    ws = program.run(wavesFile=str(tmp_path / "waves.mat"))
    assert ws["n"] == 3 and "unused" not in ws
    assert capsys.readouterr().out.split() == ["3", "1"]  # structs are values
    with pytest.raises(LayerGraphError, match="no variable 'XTrain'"):
        savemat(tmp_path / "other.mat", {"Y": 1.0})
        program.run(wavesFile=str(tmp_path / "other.mat"))


NORMALISE = """\
X = {[1 2 3; 4 5 6], [7 8; 9 10]};
mu = mean([X{:}],2);
sig = std([X{:}],0,2);
for i = 1:numel(X)
    X{i} = (X{i} - mu) ./ sig;
end
Z = cellfun(@(x) (x - mu) ./ sig, {[1 2 3; 4 5 6]}, 'UniformOutput', false);
lens = cellfun(@(x) size(x,2), X);
last = X{1}(:, end)';
split = lens(1:end-1);
"""


def test_the_normalising_idioms_of_sequence_scripts_mean_what_they_mean_in_matlab():
    ws = translate_program(NORMALISE, filename="norm.m").run()
    a, b = np.array([[1, 2, 3], [4, 5, 6.0]]), np.array([[7, 8], [9, 10.0]])
    both = np.hstack([a, b])
    mu, sig = both.mean(1, keepdims=True), both.std(1, ddof=1, keepdims=True)
    np.testing.assert_allclose(ws["mu"], mu)
    np.testing.assert_allclose(ws["sig"], sig)
    np.testing.assert_allclose(ws["X"].data[0, 1], (b - mu) / sig)
    np.testing.assert_allclose(ws["Z"].data[0, 0], (a - mu) / sig)
    np.testing.assert_array_equal(ws["lens"], [[3, 2]])
    np.testing.assert_allclose(ws["last"], ((a - mu) / sig)[:, -1:].T)
    assert ws["split"] == 3


def test_confusionchart_counts_true_classes_by_predicted_ones():
    ws = translate_program(
        'T = categorical(["a" "b" "b" "c"]);\nY = categorical(["a" "b" "c" "c"]);\n'
        'figure\ncm = confusionchart(T, Y, "Title", "Speakers");\n', filename="cm.m").run(
        FIGURES_DIR="cm")
    np.testing.assert_array_equal(ws["cm"], [[1, 0, 0], [0, 1, 1], [0, 0, 1]])
    assert len(list(Path("cm").glob("*.png"))) == 1


def test_tiled_layouts_and_scatter_draw_one_figure_of_tiles():
    program = translate_program("tiledlayout(2,1)\nnexttile\nplot([1 2 3])\nnexttile\n"
                                "scatter([1 2], [3 4])\ntitle('b')\n", filename="tiles.m")
    assert not program.notes
    program.run(FIGURES_DIR="tiles")
    assert len(list(Path("tiles").glob("*.png"))) == 1


def test_sequence_to_sequence_labels_of_one_sequence_are_a_row_like_its_targets():
    from layergraph import (
        classificationLayer,
        fullyConnectedLayer,
        lstmLayer,
        sequenceInputLayer,
        softmaxLayer,
        trainingOptions,
    )

    rng = np.random.default_rng(0)
    X = ml.cell_of([rng.standard_normal((3, 8)) for _ in range(4)])
    Y = ml.cell_of([ml.categorical(ml.strings([["a", "b"] * 4])) for _ in range(4)])
    layers = [sequenceInputLayer(3), lstmLayer(5), fullyConnectedLayer(2), softmaxLayer(),
              classificationLayer()]
    net = ml.trainNetwork(X, Y, layers, trainingOptions("adam", MaxEpochs=1, Verbose=False))
    pred = ml.classify(net, ml.brace(X, 1))
    assert pred.shape == (1, 8)  # as YTest{1}: one label per time step, a row
    assert 0 <= ml.sum(pred == ml.brace(Y, 1)) <= 8
    with pytest.raises(LayerGraphError, match="1x8 categorical with a 8x1"):
        pred == ml.transpose(ml.brace(Y, 1))  # noqa: B015 (a 1x8 and an 8x1: MATLAB refuses)


def test_cli_program_takes_text_parameters_and_one_file(tmp_path):
    script = tmp_path / "read.m"
    script.write_text('name = "x.csv";\nd = readmatrix(name);\ndisp(numel(d))\n')
    (tmp_path / "y.csv").write_text("a,b\n1,2\n3,4\n")
    r = subprocess.run([sys.executable, "-m", "layergraph", "from-matlab", str(script), "--to",
                        "program", "--var", "name=y.csv"], capture_output=True, text=True,
                       env=_env(), timeout=60)
    assert r.returncode == 0, r.stderr
    assert "'name': 'y.csv'" in r.stdout
    run = subprocess.run([sys.executable, "-c", r.stdout], capture_output=True, text=True,
                         env=_env(), cwd=tmp_path, timeout=60)
    assert run.stdout.strip() == "4", run.stderr
    other = tmp_path / "other.m"
    other.write_text("disp(1)\n")
    two = subprocess.run([sys.executable, "-m", "layergraph", "from-matlab", str(script),
                          str(other), "--to", "program"], capture_output=True, text=True,
                         env=_env(), timeout=60)
    assert two.returncode != 0 and "several programs could be the main one" in two.stderr
    assert "Traceback" not in two.stderr


def test_a_project_is_one_program_with_the_functions_of_its_other_files(tmp_path, capsys):
    (tmp_path / "main.m").write_text("x = [1 2 3];\n[m, s] = moments(x);\ndisp(m + s)\n")
    (tmp_path / "moments.m").write_text(
        "function [mu, sigma] = centre(x)\n% the file's name is the function's\n"
        "mu = mean(x);\nsigma = helper(x);\nend\nfunction s = helper(x)\ns = std(x);\nend\n")
    program = translate_program([tmp_path / "main.m", tmp_path / "moments.m"])
    assert "MATLAB function moments (moments.m:1:1)" in program.python
    ws = program.run()
    assert (ws["m"], ws["s"]) == (2, 1)
    assert capsys.readouterr().out.strip() == "3"


@pytest.mark.parametrize("path", sorted([
    *(ROOT / "tests" / "fixtures" / "matlab_corpus").glob("*.m"),
    *(ROOT / "tests" / "fixtures" / "matlab").glob("*.m"),
    *(ROOT / "examples" / "matlab").glob("*.m")]), ids=lambda p: p.stem)
def test_every_corpus_file_becomes_a_program_that_compiles_or_a_located_error(path):
    from layergraph.matlab import MatlabTranslationError

    try:
        program = translate_program(path)
    except MatlabTranslationError as e:
        assert "classdef" in path.read_text(encoding="utf-8", errors="replace")
        assert e.line >= 1 and f"{path}:" in str(e)
        return
    compile(program.python, path.stem + ".py", "exec")
    for note in program.notes:
        assert note.line >= 1 and note.filename == str(path)


SWITCH = """\
netType = "gru";
switch lower(netType)
    case "lstm"
        rnn = lstmLayer(4);
    case {"gru", "GRU"}
        rnn = gruLayer(4);
    otherwise
        error("unknown network type %s", netType)
end
if numel(rnn) == 1
    layers = [sequenceInputLayer(2) rnn];
end
"""


def test_variables_assigned_in_branches_and_errors_the_program_raises():
    from layergraph.layers import Layer

    program = translate_program(SWITCH, filename="sw.m")
    assert not program.notes
    ws = program.run(netType="GRU")
    assert ws["rnn"].matlab_name == "gruLayer"
    assert all(isinstance(x, Layer) for x in ws["layers"]) and len(ws["layers"]) == 2
    with pytest.raises(ml.ProgramError, match="unknown network type tcn"):
        program.run(netType="tcn")


def test_modern_closed_loop_carries_the_state_with_predict_and_net_state(series_csv):
    from layergraph import predict, resetState

    path, values = series_csv
    program = translate_program(FIXTURES / "modern_closed_loop.m")
    ws = program.run(dataFile=str(path))
    mu, sig = values.mean(), values.std(ddof=1)
    net = resetState(ws["net"])
    x = ((values[:59] - mu) / sig).reshape(-1, 1)
    z, state = predict(net, x[:50], return_state=True)
    net.State = state
    ys = [float(z[-1, 0])]
    for _ in range(8):
        y, state = predict(net, np.array([[ys[-1]]]), return_state=True)
        net.State = state
        ys.append(float(np.ravel(y)[0]))
    np.testing.assert_allclose(ws["Y"].ravel(), ys, rtol=1e-5, atol=1e-6)
    assert ws["rmse"] == pytest.approx(
        np.sqrt(np.mean((np.array(ys) * sig + mu - values[51:60]) ** 2)), rel=1e-5)


def test_matrix_division_in_a_program_solves_as_matlab_does():
    """A/B solves X*B = A and A\\B solves A*X = B (least squares for non-square B)."""
    program = translate_program("A = [4 2; 1 3];\nB = [2 0; 1 2];\nx = A / B;\ny = B \\ A;\n"
                                "c = [1 2; 3 4; 5 7] \\ [1; 2; 3];\n", filename="div.m")
    ws = program.run()
    A, B = np.array([[4.0, 2], [1, 3]]), np.array([[2.0, 0], [1, 2]])
    np.testing.assert_allclose(ws["x"], np.linalg.solve(B.T, A.T).T)
    np.testing.assert_allclose(ws["y"], np.linalg.solve(B, A))
    M = np.array([[1.0, 2], [3, 4], [5, 7]])  # over-determined: the normal equations' answer
    np.testing.assert_allclose(ws["c"], np.linalg.solve(M.T @ M, M.T @ [[1.0], [2], [3]]))
    with pytest.raises(LayerGraphError, match="sizes do not agree for '/'"):
        translate_program("x = [1 2 3] / [1 2; 3 4];\n", filename="bad.m").run()


FUNCTION_INPUTS = """\
if ~exist('numHidden', 'var')
    numHidden = 7;
end
a = f(2);
b = f(2, 3);
c = g(5);
d = g(5, 'Scale', 3);
e = h(1, 2, 3);
function y = f(a, b)
if nargin < 2
    b = 10;
end
y = a + b;
end
function y = g(x, opts)
arguments
    x (1,1) double
    opts.Scale (1,1) double = 2
    opts.Shift = 1
end
y = x * opts.Scale + opts.Shift;
end
function n = h(varargin)
n = numel(varargin);
end
"""


def test_functions_take_their_inputs_as_matlab_does(capsys):
    """nargin, exist(name, 'var'), an arguments block's defaults and name-value pairs, varargin."""
    program = translate_program(FUNCTION_INPUTS, filename="inputs.m")
    ws = program.run()
    assert (ws["numHidden"], ws["a"], ws["b"], ws["c"], ws["d"], ws["e"]) == (7, 12, 5, 11, 16, 3)
    assert capsys.readouterr().out == ""  # the declarations of the arguments block show nothing


def test_an_input_not_given_is_a_layergraph_error_where_it_is_used():
    program = translate_program("y = f(1);\nfunction y = f(a, b)\nif nargin > 5\n  y = 0;\n"
                                "end\ny = a + b;\nend\n", filename="short.m")
    with pytest.raises(LayerGraphError, match="input 'b' of function f is used but was not "
                       "given"):
        program.run()
    too_many = translate_program("y = f(1, 2, 3);\nfunction y = f(a, b)\ny = nargin;\nend\n",
                                 filename="long.m")
    with pytest.raises(LayerGraphError, match="f takes at most 2 inputs, 3 were given"):
        too_many.run()
