"""from_matlab: MATLAB network code -> LayerGraph, trainingOptions, Python and YAML.

Every network of MATLAB's LSTM documentation is written as MATLAB code in tests/fixtures/matlab;
each must translate to a graph equal to the one built directly in Python here, analyse without
problems, and give the same trainingOptions.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import layergraph
from layergraph import (
    analyze,
    batchNormalizationLayer,
    bilstmLayer,
    classificationLayer,
    connectLayers,
    convolution1dLayer,
    convolution2dLayer,
    dropoutLayer,
    flattenLayer,
    fullyConnectedLayer,
    globalAveragePooling1dLayer,
    gruLayer,
    layerGraph,
    layerNormalizationLayer,
    lstmLayer,
    regressionLayer,
    reluLayer,
    sequenceFoldingLayer,
    sequenceInputLayer,
    sequenceUnfoldingLayer,
    softmaxLayer,
    trainingOptions,
)
from layergraph.matlab import MatlabSyntaxError, MatlabTranslationError, from_matlab
from layergraph.matlab.errors import Source
from layergraph.matlab.lexer import Lexer, split_run_together

FIXTURES = Path(__file__).parent / "fixtures" / "matlab"


def translate(name, **kw):
    path = FIXTURES / f"{name}.m"
    return from_matlab(path.read_text(encoding="utf-8"), filename=str(path), **kw)


def chain(*layers):
    return layerGraph(list(layers))


# --- the expected networks, built directly in Python ---------------------------------------


def classifier(recurrent, num_classes=9, features=12):
    return chain(sequenceInputLayer(features), recurrent, fullyConnectedLayer(num_classes),
                 softmaxLayer(), classificationLayer())


def regressor(recurrent, features=12, responses=1):
    return chain(sequenceInputLayer(features), recurrent, fullyConnectedLayer(responses),
                 regressionLayer())


def video_network():
    g = chain(
        sequenceInputLayer([28, 28, 1], Name="input"),
        sequenceFoldingLayer(Name="fold"),
        convolution2dLayer(5, 20, Name="conv"),
        batchNormalizationLayer(Name="bn"),
        reluLayer(Name="relu"),
        sequenceUnfoldingLayer(Name="unfold"),
        flattenLayer(Name="flatten"),
        lstmLayer(200, OutputMode="last", Name="lstm"),
        fullyConnectedLayer(10, Name="fc"),
        softmaxLayer(Name="softmax"),
        classificationLayer(Name="classification"))
    return connectLayers(g, "fold/miniBatchSize", "unfold/miniBatchSize")


def deep(mode1, mode2, head):
    return [sequenceInputLayer(12), lstmLayer(125, OutputMode=mode1), dropoutLayer(0.2),
            lstmLayer(100, OutputMode=mode2), dropoutLayer(0.2), *head]


CLASS_HEAD = [fullyConnectedLayer(9), softmaxLayer(), classificationLayer()]

VOWELS_OPTIONS = trainingOptions(
    "adam", ExecutionEnvironment="cpu", GradientThreshold=1, MaxEpochs=100, MiniBatchSize=27,
    SequenceLength="longest", Shuffle="never", Verbose=0, Plots="training-progress")

DOC_NETWORKS = {
    # name: (variables for values computed from data, expected graph, expected options)
    "japanese_vowels_bilstm": (None, classifier(bilstmLayer(100, OutputMode="last")),
                               VOWELS_OPTIONS),
    "seq2seq_classification": (
        None, classifier(lstmLayer(200, OutputMode="sequence"), num_classes=5, features=3),
        trainingOptions("adam", MaxEpochs=60, GradientThreshold=2, Verbose=0,
                        Plots="training-progress")),
    "seq2one_regression": (
        {"numChannels": 3, "numResponses": 1},
        regressor(lstmLayer(100, OutputMode="last"), features=3).replaceLayer(
            "sequenceinput", sequenceInputLayer(3, Normalization="zscore")),
        trainingOptions("adam", MaxEpochs=250, OutputNetwork="best-validation-loss",
                        InitialLearnRate=0.005, SequenceLength="shortest",
                        Plots="training-progress", Verbose=False)),
    "seq2seq_regression_turbofan": (
        {"featureDimension": 17, "numResponses": 1},
        chain(sequenceInputLayer(17), lstmLayer(200, OutputMode="sequence"),
              fullyConnectedLayer(50), dropoutLayer(0.5), fullyConnectedLayer(1),
              regressionLayer()),
        trainingOptions("adam", MaxEpochs=60, MiniBatchSize=20, InitialLearnRate=0.01,
                        GradientThreshold=1, Shuffle="never", Plots="training-progress",
                        Verbose=0)),
    "lstm_classification": (None, classifier(lstmLayer(100, OutputMode="last")), None),
    "lstm_seq2seq_classification": (None, classifier(lstmLayer(100, OutputMode="sequence")),
                                    None),
    "lstm_regression": (None, regressor(lstmLayer(125, OutputMode="last")), None),
    "lstm_seq2seq_regression": (None, regressor(lstmLayer(125, OutputMode="sequence")), None),
    "deep_lstm_classification": (None, chain(*deep("sequence", "last", CLASS_HEAD)), None),
    "deep_lstm_seq2seq_classification": (None, chain(*deep("sequence", "sequence", CLASS_HEAD)),
                                         None),
    "deep_lstm_regression": (
        None, chain(*deep("sequence", "sequence", [fullyConnectedLayer(1), regressionLayer()])),
        None),
    "video_classification": (None, video_network(), None),
    "conv1d_classification": (
        {"numFeatures": 12, "numClasses": 9},
        chain(sequenceInputLayer(12), convolution1dLayer(3, 32, Padding="causal"), reluLayer(),
              layerNormalizationLayer(), convolution1dLayer(3, 64, Padding="causal"),
              reluLayer(), layerNormalizationLayer(), globalAveragePooling1dLayer(),
              fullyConnectedLayer(9), softmaxLayer(), classificationLayer()),
        trainingOptions("adam", MiniBatchSize=27, MaxEpochs=15, SequencePaddingDirection="left",
                        Plots="training-progress", Verbose=0)),
    "gru_classification": (None, classifier(gruLayer(100, OutputMode="last")), None),
    "bilstm_classification": (None, classifier(bilstmLayer(100, OutputMode="last")), None),
    "time_series_forecasting": (
        None, chain(sequenceInputLayer(1), lstmLayer(200), fullyConnectedLayer(1),
                    regressionLayer()),
        trainingOptions("adam", MaxEpochs=250, GradientThreshold=1, InitialLearnRate=0.005,
                        LearnRateSchedule="piecewise", LearnRateDropPeriod=125,
                        LearnRateDropFactor=0.2, Verbose=0, Plots="training-progress")),
    "run_together": (None, classifier(lstmLayer(100, OutputMode="last")),
                     VOWELS_OPTIONS.replace(ExecutionEnvironment="cpu")),
}


@pytest.fixture(scope="module")
def translations():
    return {name: translate(name, variables=v) for name, (v, _, _) in DOC_NETWORKS.items()}


@pytest.mark.parametrize("name", sorted(DOC_NETWORKS))
def test_documented_network_translates_to_the_python_graph(name, translations):
    _, expected, options = DOC_NETWORKS[name]
    t = translations[name]
    assert t.graph == expected
    report = analyze(t.graph)
    assert report.ok, report.problems
    if options is None:
        assert t.options is None
    else:
        assert t.options == options


def test_the_graphs_compared_are_not_trivially_equal(translations):
    # guard: LayerGraph equality really compares options and edges
    assert translations["lstm_classification"].graph != translations[
        "lstm_seq2seq_classification"].graph
    g = video_network()
    g.disconnectLayers("fold/miniBatchSize", "unfold/miniBatchSize")
    assert translations["video_classification"].graph != g


def test_trainingoptions_are_not_trivially_equal(translations):
    t = translations["time_series_forecasting"]
    assert t.options.LearnRateSchedule == "piecewise"
    assert t.options.LearnRateDropPeriod == 125
    assert t.options != trainingOptions("adam", MaxEpochs=250)
    vowels = translations["japanese_vowels_bilstm"].options
    assert vowels.MiniBatchSize == 27 and vowels.GradientThreshold == 1
    assert vowels.ExecutionEnvironment == "cpu" and vowels.Verbose is False


def test_deep_lstm_regression_keeps_both_networks(translations):
    t = translations["deep_lstm_regression"]
    one = chain(*deep("sequence", "last", [fullyConnectedLayer(1), regressionLayer()]))
    assert t.variables["lgraphOne"] == one  # the sequence-to-one network
    assert t.network_variable == "lgraphSeq"  # the last one assigned is the translation


def test_the_network_passed_to_trainNetwork_wins_over_later_ones():
    t = from_matlab("""
        layersA = [sequenceInputLayer(3) lstmLayer(10) fullyConnectedLayer(2) regressionLayer];
        opts = trainingOptions('sgdm', 'MaxEpochs', 3);
        net = trainNetwork(X, Y, layersA, opts);
        layersB = [sequenceInputLayer(3) gruLayer(10) fullyConnectedLayer(2) regressionLayer];
        opts2 = trainingOptions('adam');
    """)
    assert t.graph == chain(sequenceInputLayer(3), lstmLayer(10), fullyConnectedLayer(2),
                            regressionLayer())
    assert t.options == trainingOptions("sgdm", MaxEpochs=3)
    assert t.network_variable == "layersA" and t.options_variable == "opts"


# --- run-together text, comments and continuations ---------------------------------------


def test_run_together_web_copy_equals_the_text_with_line_breaks():
    a = translate("run_together")
    b = translate("run_together_lines")
    assert a.graph == b.graph
    assert a.options == b.options
    assert len(a.layers) == 5


def test_the_issue_run_together_line():
    text = ("layers = [ ...sequenceInputLayer(12)lstmLayer(100,'OutputMode','last')"
            "fullyConnectedLayer(9)softmaxLayerclassificationLayer];")
    assert from_matlab(text).graph == classifier(lstmLayer(100, OutputMode="last"))


def test_run_together_with_spaces_after_continuation():
    text = ("layers = [ ... sequenceInputLayer(12) lstmLayer(100,'OutputMode','last') "
            "fullyConnectedLayer(9) softmaxLayer classificationLayer];")
    assert from_matlab(text).graph == classifier(lstmLayer(100, OutputMode="last"))


def test_comments_continuations_and_quotes():
    t = translate("comments_continuations")
    expected = chain(
        sequenceInputLayer(12, Name="in"), lstmLayer(100, Name="lstm1"), dropoutLayer(0.2),
        lstmLayer(100, OutputMode="last", Name="lstm2"), fullyConnectedLayer(9),
        softmaxLayer(), classificationLayer())
    assert t.graph == expected
    assert analyze(t.graph).ok
    assert t.options == trainingOptions("adam", MaxEpochs=50, Shuffle="every-epoch",
                                        Verbose=False, GradientThreshold=math.inf,
                                        L2Regularization=5e-4)
    v = t.variables
    assert v["numHiddenUnits"] == 100  # 2^6 + ... (comment after '...') 36
    assert v["numClasses"] == 9 and v["dropProb"] == pytest.approx(0.2)
    assert v["name"] == "it's ok" and v["label"] == 'say "hi"'
    assert v["v"] == [1, -2]  # [1 -2]: two elements
    assert v["w"] == -1  # [1 - 2]: one element
    assert v["t"] == [1, -2]  # v' is a transpose, not a string
    assert v["useBias"] is True


def test_layers_without_commas_semicolons_or_parentheses():
    text = """
    layers = [sequenceInputLayer(12), lstmLayer(100,'OutputMode','last'); fullyConnectedLayer(9)
              softmaxLayer classificationLayer]
    """
    assert from_matlab(text).graph == classifier(lstmLayer(100, OutputMode="last"))


def test_arithmetic_on_variables_and_double_quoted_names():
    t = from_matlab("""
        n = 4; h = n * 25 / 2 - (3 - 3);   % 50
        layers = [sequenceInputLayer(n*3) lstmLayer(h, "OutputMode", "last")
                  fullyConnectedLayer(-(-2)^3) softmaxLayer classificationLayer];
    """)
    assert t.graph == chain(sequenceInputLayer(12), lstmLayer(50, OutputMode="last"),
                            fullyConnectedLayer(8), softmaxLayer(), classificationLayer())


def test_loops_and_ifs_with_known_values_run():
    t = from_matlab("""
        layers = sequenceInputLayer(12);
        for k = 1:2
            layers = [layers; lstmLayer(50)];
        end
        deep = true;
        if deep && numel(layers) == 3
            layers(end+1) = dropoutLayer(0.1);
        else
            layers(end+1) = reluLayer;
        end
        layers = [layers; fullyConnectedLayer(2); regressionLayer];
    """)
    assert t.graph == chain(sequenceInputLayer(12), lstmLayer(50), lstmLayer(50),
                            dropoutLayer(0.1), fullyConnectedLayer(2), regressionLayer())
    assert [lay.Name for lay in t.layers][1:3] == ["lstm_1", "lstm_2"]


def test_control_flow_that_can_be_evaluated_runs_and_the_rest_is_reported():
    t = from_matlab("""
        global g h
        x = 1; if x == 1, y = 2; end
        switch 'adam'
          case {'sgdm','adam'}
            s = 3;
          otherwise
            s = 4;
        end
        try
          z = 5;
        catch ME
          z = 6;
        end
        while hasdata(ds)
          w = 1;
        end
        layers = [sequenceInputLayer(s) lstmLayer(y) fullyConnectedLayer(z) regressionLayer];
        function out = helper(a)
          out = a + 1;
        end
    """)
    assert t.graph == chain(sequenceInputLayer(3), lstmLayer(2), fullyConnectedLayer(5),
                            regressionLayer())
    messages = [n.message for n in t.notes]
    assert any("a while loop is not run when its condition depends on data; not evaluated: w"
               in m for m in messages)
    assert any("local function 'helper'" in m for m in messages)
    assert any("catch block" in m for m in messages)
    assert "w" not in t.variables


def test_layer_arrays_can_be_indexed_and_edited():
    t = from_matlab("""
        layers = [sequenceInputLayer(12) lstmLayer(100) dropoutLayer fullyConnectedLayer(9) ...
                  softmaxLayer classificationLayer];
        layers(3) = [];
        layers(2).OutputMode = 'last';
        layers(2).Name = 'rnn';
        h = layers(2).NumHiddenUnits / 2;
        layers = [layers(1:2); fullyConnectedLayer(h); layers(3:end)];
    """)
    assert t.graph == chain(sequenceInputLayer(12), lstmLayer(100, OutputMode="last", Name="rnn"),
                            fullyConnectedLayer(50), fullyConnectedLayer(9), softmaxLayer(),
                            classificationLayer())


def test_variables_argument_supplies_values_computed_from_data():
    text = """
        [XTrain, YTrain] = japaneseVowelsTrainData;
        numClasses = numel(categories(YTrain));
        layers = [sequenceInputLayer(12) lstmLayer(100,'OutputMode','last')
                  fullyConnectedLayer(numClasses) softmaxLayer classificationLayer];
    """
    t = from_matlab(text, variables={"numClasses": 9})
    assert t.graph == classifier(lstmLayer(100, OutputMode="last"))
    t5 = from_matlab(text, variables={"numClasses": 5})
    assert t5.layers[2].OutputSize == 5


def test_graph_edits():
    t = translate("graph_edits")
    g = layerGraph([sequenceInputLayer(12, Name="in"),
                    lstmLayer(100, OutputMode="last", Name="lstm"), dropoutLayer(0.5, Name="drop"),
                    fullyConnectedLayer(9, Name="fc"), softmaxLayer(Name="sm"),
                    classificationLayer(Name="out")])
    g.replaceLayer("lstm", bilstmLayer(100, OutputMode="last", Name="bilstm"))
    g.removeLayers("drop").connectLayers("bilstm", "fc")
    g.addLayers([fullyConnectedLayer(50, Name="fc0"), reluLayer(Name="relu0")])
    g.disconnectLayers("bilstm", "fc").connectLayers("bilstm", "fc0").connectLayers("relu0", "fc")
    assert t.graph == g
    assert analyze(t.graph).ok
    assert ("bilstm", "out", "fc0", "in") in t.graph.edges()
    assert ("bilstm", "out", "fc", "in") not in t.graph.edges()


def test_remove_layers_by_string_array_and_cell_array():
    t = from_matlab("""
        layers = [sequenceInputLayer(3) lstmLayer(4) dropoutLayer reluLayer ...
                  fullyConnectedLayer(1) regressionLayer];
        a = removeLayers(layerGraph(layers), ["dropout" "relu"]);
        a = connectLayers(a, "lstm", "fc");
        b = removeLayers(layerGraph(layers), {'dropout', 'relu'});
        b = connectLayers(b, 'lstm', 'fc');
    """)
    expected = chain(sequenceInputLayer(3), lstmLayer(4), fullyConnectedLayer(1),
                     regressionLayer())
    assert t.variables["a"] == expected
    assert t.graph == expected  # b, the last one assigned


# --- skipped statements are reported, never dropped -----------------------------------------


def test_skipped_statements_are_notes_with_line_and_column(translations):
    t = translations["japanese_vowels_bilstm"]
    by_line = {n.line: n for n in t.notes}
    source = (FIXTURES / "japanese_vowels_bilstm.m").read_text().splitlines()
    train = next(i + 1 for i, s in enumerate(source) if s.startswith("net = trainNetwork"))
    assert "training is not translated" in by_line[train].message
    assert by_line[train].column == 1 and by_line[train].text.startswith("net = trainNetwork(")
    loop = next(i + 1 for i, s in enumerate(source) if s.startswith("for i=1:numObservations"))
    assert "for loop" in by_line[loop].message and "sequenceLengths" in by_line[loop].message
    for i, s in enumerate(source):
        if s.startswith(("figure", "plot(", "xlabel(", "[XTrain,YTrain] =", "YPred = classify")):
            assert i + 1 in by_line, s
    # the network's own lines are not notes
    for i, s in enumerate(source):
        if "Layer" in s or s.startswith(("options =", "numClasses =", "inputSize =")):
            assert i + 1 not in by_line, s
    assert str(by_line[train]).startswith(f"{FIXTURES / 'japanese_vowels_bilstm.m'}:{train}:1: "
                                          "note: skipped")


def test_notes_of_a_small_file_exactly(translations):
    t = translations["video_classification"]
    assert [(n.line, n.text) for n in t.notes] == [(32, "figure"), (33, "plot(lgraph)")]


def test_validation_data_is_reported_not_translated(translations):
    t = translations["conv1d_classification"]
    notes = [n for n in t.notes if "ValidationData" in n.message]
    assert len(notes) == 1 and notes[0].text == "{XValidation,TValidation}"
    assert t.options.ValidationData is None


# --- errors carry line and column --------------------------------------------------------------


def error_of(text, exc=MatlabTranslationError, **kw):
    with pytest.raises(exc) as info:
        from_matlab(text, filename="net.m", **kw)
    return info.value


def test_unknown_layer_error_has_line_column_and_suggestion():
    e = error_of("n = 12;\nlayers = [ ...\n    sequenceInputLayer(n)\n    lstmLayr(100)\n];")
    assert (e.line, e.column, e.text) == (4, 5, "lstmLayr")
    assert "unknown layer 'lstmLayr'" in str(e) and "Did you mean 'lstmLayer'?" in str(e)
    assert str(e).splitlines()[0].startswith("net.m:4:5: ")
    assert str(e).splitlines()[1:] == ["        lstmLayr(100)", "        ^~~~~~~~"]


def test_layer_matlab_has_and_layergraph_lacks_is_named():
    e = error_of("layers = [sequenceInputLayer(12)\n    image3dInputLayer([28 28 28 1])\n"
                 "    fullyConnectedLayer(2)];")
    assert (e.line, e.column) == (2, 5)
    assert "MATLAB has image3dInputLayer but layergraph does not support it yet" in str(e)
    e = error_of("layers = [sequenceInputLayer(12) spaceToDepthLayer(2)];")
    assert (e.line, e.column) == (1, 34) and "MATLAB has spaceToDepthLayer" in str(e)


def test_unknown_variable_error():
    e = error_of("layers = [sequenceInputLayer(12)\n  lstmLayer(numHiddenUnits)];")
    assert (e.line, e.column, e.text) == (2, 13, "numHiddenUnits")
    assert "unknown variable 'numHiddenUnits'" in str(e)


def test_variable_that_cannot_be_evaluated_says_where_it_was_assigned():
    # numClasses decides whether a layer is there, so it cannot stay a parameter: an error
    e = error_of("[X, Y] = japaneseVowelsTrainData;\nnumClasses = numel(categories(Y));\n"
                 "layers = [sequenceInputLayer(12) lstmLayer(9)\n"
                 "    fullyConnectedLayer(numClasses) softmaxLayer classificationLayer];\n"
                 "if numClasses > 5\n    layers = [dropoutLayer(0.1); layers];\nend")
    assert (e.line, e.column, e.text) == (4, 25, "numClasses")
    msg = str(e)
    assert "'numClasses' could not be evaluated" in msg
    assert "assigned at line 2 from `numel(categories(Y))`" in msg
    assert "numClasses = ...;" in msg and "variables=" in msg


def test_variable_that_only_sets_an_option_is_a_parameter_without_a_value():
    t = from_matlab("[X, Y] = japaneseVowelsTrainData;\nnumClasses = numel(categories(Y));\n"
                    "layers = [sequenceInputLayer(12) lstmLayer(9)\n"
                    "    fullyConnectedLayer(numClasses) softmaxLayer classificationLayer];")
    p = t.unbound["numClasses"]
    assert (p.expression, p.line) == ("numel(categories(Y))", 2)
    assert "OutputSize: $numClasses" in t.to_yaml()


def test_unknown_function_inside_a_network_expression():
    e = error_of("y = myHelper(3);\nlayers = [sequenceInputLayer(helperSize(2)) lstmLayer(4)];")
    assert (e.line, e.column, e.text) == (2, 30, "helperSize(2)")
    assert "'helperSize' is not a function layergraph knows" in str(e)


def test_unknown_function_applied_to_a_network():
    e = error_of("layers = [sequenceInputLayer(1) lstmLayer(4)];\nlgraph = layerGraph(layers);\n"
                 "lgraph = connectLayer(lgraph, 'a', 'b');")
    assert (e.line, e.column) == (3, 10)
    assert "Did you mean 'connectLayers'?" in str(e)


def test_bad_option_value_points_at_the_value():
    e = error_of("layers = [sequenceInputLayer(12)\n lstmLayer(100,'OutputMode','lst')];")
    assert (e.line, e.column, e.text) == (2, 29, "'lst'")
    assert "invalid value for 'OutputMode'" in str(e)
    e = error_of("layers = [sequenceInputLayer(12) lstmLayer(100,'OutputMdoe','last')];")
    assert e.text == "'OutputMdoe'" and "Did you mean 'OutputMode'?" in str(e)


def test_bad_training_options():
    e = error_of("layers = [sequenceInputLayer(1) lstmLayer(4) fullyConnectedLayer(1) "
                 "regressionLayer];\nopts = trainingOptions('adam', ...\n    'MaxEpohcs', 3);")
    assert (e.line, e.column, e.text) == (3, 5, "'MaxEpohcs'")
    assert "Did you mean 'MaxEpochs'?" in str(e)
    e = error_of("opts = trainingOptions('adam', 'MaxEpochs', -3);")
    assert (e.line, e.column, e.text) == (1, 45, "-3")
    e = error_of("opts = trainingOptions('adam', 'DispatchInBackground', true);")
    assert "MATLAB's trainingOptions has 'DispatchInBackground' but layergraph does not" in str(e)


@pytest.mark.parametrize("text,line,col,message", [
    ("layers = [sequenceInputLayer(12)\n lstmLayer(100,'OutputMode,'last')];", 2, 29,
     "expected ',' or ')' between arguments, found 'last'"),
    ("x = 1;\nname = 'lstm1;\n", 2, 8, "unterminated char vector"),
    ('name = "lstm1;', 1, 8, "unterminated string"),
    ("x = 1;\nlayers = [sequenceInputLayer(12) lstmLayer(100)\n", 2, 10, "never closed"),
    ("x = 3 +* 4;", 1, 8, "expected a value, found '*'"),
    ("x = (1 + 2];", 1, 11, "does not match '('"),
    ("if x > 1\n y = 2;\n", 1, 1, "'if' at line 1 has no matching 'end'"),
    ("%{\nnot closed\nx = 1;", 1, 1, "block comment"),
    ("layers = [sequenceInputLayer(12)] lstmLayer(10)", 1, 35, "expected ';', ',' or a new line"),
])
def test_syntax_errors_have_line_and_column(text, line, col, message):
    e = error_of(text, MatlabSyntaxError)
    assert (e.line, e.column) == (line, col)
    assert message in str(e)


def test_several_errors_are_collected():
    e = error_of("a = [sequenceInputLayer(12) fooLayer];\nb = 1;\n"
                 "c = [sequenceInputLayer(12) lstmLayer(k)];")
    assert [(p.line, p.column) for p in e.problems] == [(1, 29), (3, 39)]
    assert "unknown layer 'fooLayer'" in e.problems[0].message
    assert "unknown variable 'k'" in e.problems[1].message
    assert isinstance(e, layergraph.LayerGraphError)


def test_an_error_does_not_cascade():
    e = error_of("layers = [sequenceInputLayer(12) fooLayer];\nlgraph = layerGraph(layers);\n"
                 "lgraph = connectLayers(lgraph, 'a', 'b');")
    assert len(e.problems) == 1


def test_no_network_is_an_error():
    e = error_of("x = 1;\nplot(x)")
    assert "no network found" in str(e)


def test_graph_errors_carry_the_call_position():
    e = error_of("layers = [sequenceInputLayer(1) lstmLayer(4)];\nlgraph = layerGraph(layers);\n"
                 "lgraph = connectLayers(lgraph, 'lstm', 'nothere');")
    assert (e.line, e.column) == (3, 10)
    assert "no layer named 'nothere'" in str(e)


def test_a_pretrained_network_is_named_with_the_layers_layergraph_lacks():
    e = error_of("net0 = googlenet;\nlgraph = layerGraph(net0);")
    assert (e.line, e.column, e.text) == (1, 8, "googlenet")
    assert "'googlenet' is a pretrained network" in str(e)
    from layergraph.layers import REGISTRY
    from layergraph.matlab.bridge import PRETRAINED
    missing = [k for k in PRETRAINED["googlenet"].split() if k not in REGISTRY]
    assert all(k in str(e) for k in missing) and ("lacks" in str(e)) == bool(missing)
    assert len(e.problems) == 1  # the consequence on line 2 is not reported again


# --- Python and YAML output -----------------------------------------------------------------


def graph_of_script(script):
    ns: dict = {}
    exec(compile(script, "<translated>", "exec"), ns)
    graph = ns["lgraph"] if "lgraph" in ns else layerGraph(ns["layers"])
    return graph, ns.get("options")


@pytest.mark.parametrize("name", sorted(DOC_NETWORKS) + ["graph_edits", "comments_continuations"])
def test_python_script_rebuilds_the_same_network(name, translations):
    t = translations[name] if name in translations else translate(name)
    script = t.to_python()
    assert script.splitlines()[2] == "from layergraph import *  # noqa: F403"
    graph, options = graph_of_script(script)
    assert graph == t.graph
    assert options == t.options


def test_python_script_is_readable(translations):
    script = translations["japanese_vowels_bilstm"].to_python()
    assert "    bilstmLayer(100, OutputMode='last'),\n" in script
    assert "    softmaxLayer(),\n" in script
    assert "lgraph" not in script  # a chain stays a layer array
    assert "#   line 62: net = trainNetwork(XTrain,YTrain,layers,options);" in script
    video = translations["video_classification"].to_python()
    assert "lgraph = connectLayers(lgraph, 'fold/miniBatchSize', 'unfold/miniBatchSize')" in video
    assert "convolution2dLayer([5, 5], 20, Name='conv')" in video  # names written in MATLAB stay


@pytest.mark.parametrize("name", sorted(DOC_NETWORKS) + ["graph_edits", "comments_continuations"])
def test_yaml_round_trip(name, translations):
    from layergraph.spec import load_spec

    t = translations[name] if name in translations else translate(name)
    spec = load_spec(t.to_yaml())
    assert spec.graph == t.graph
    assert spec.options == t.options
    assert spec.name == name


# --- the lexer ------------------------------------------------------------------------------------


def kinds(text):
    return [(t.kind, t.value) for t in Lexer(Source(text)).tokens() if t.kind not in ("nl", "eof")]


def test_quote_is_transpose_or_string_by_context():
    assert kinds("a'") == [("id", "a"), ("op", "'")]
    assert kinds("a = 'b'") == [("id", "a"), ("op", "="), ("str", "b")]
    assert kinds("x(1)'")[-1] == ("op", "'")
    assert kinds("[a' 'b']") == [("op", "["), ("id", "a"), ("op", "'"), ("str", "b"), ("op", "]")]
    assert kinds("'it''s'") == [("str", "it's")]
    assert kinds('"say ""x"""') == [("dstr", 'say "x"')]
    assert kinds("'50% off' % comment") == [("str", "50% off")]
    assert kinds("'a...b'") == [("str", "a...b")]


def test_continuation_discards_the_rest_of_the_line():
    assert kinds("x = [1 ... two three\n 2]") == [("id", "x"), ("op", "="), ("op", "["),
                                                   ("num", 1.0), ("num", 2.0), ("op", "]")]


def test_continuation_comment_that_mentions_a_layer_stays_a_comment():
    t = from_matlab("layers = [sequenceInputLayer(12) ... lstmLayer is next\n"
                    "    lstmLayer(100) ... softmaxLayer is a comment too\n"
                    "    fullyConnectedLayer(1) regressionLayer];")
    assert t.graph == regressor(lstmLayer(100))


def test_block_comments_nest_only_on_their_own_lines():
    assert kinds("%{\n%{\nx\n%}\ny\n%}\nz") == [("id", "z")]
    assert kinds("%{ not a block\nz") == [("id", "z")]


def test_command_syntax():
    assert kinds("hold on") == [("cmd", ("hold", ["on"]))]
    assert kinds("load WaveformData") == [("cmd", ("load", ["WaveformData"]))]
    assert kinds("x = 1")[0] == ("id", "x")
    assert kinds("a - b") == [("id", "a"), ("op", "-"), ("id", "b")]


def test_run_together_names_split_only_when_all_parts_are_known():
    assert split_run_together("softmaxLayerclassificationLayer") == ["softmaxLayer",
                                                                     "classificationLayer"]
    assert split_run_together("softmaxLayer") is None
    assert split_run_together("lstmLayers") is None  # a variable name, left alone
    assert split_run_together("reluLayerdropoutLayerlstmLayer") == ["reluLayer", "dropoutLayer",
                                                                    "lstmLayer"]


def test_numbers():
    assert [v for k, v in kinds("1e-3 .5 2. 1./x 3D2") if k == "num"] == [1e-3, 0.5, 2.0, 1.0,
                                                                         300.0]
    assert ("op", "./") in kinds("1./x")


def test_path_input(tmp_path):
    p = tmp_path / "net.m"
    p.write_text("layers = [sequenceInputLayer(2) lstmLayer(3) fullyConnectedLayer(1) "
                 "regressionLayer];")
    t = from_matlab(p)
    assert t.filename == str(p)
    assert len(t.layers) == 4


def test_exported_from_the_package():
    assert layergraph.from_matlab is from_matlab
    assert layergraph.MatlabTranslationError is MatlabTranslationError


def test_cli_prints_the_notes_to_stderr(capsys):
    from layergraph.cli import main

    path = FIXTURES / "video_classification.m"
    assert main(["from-matlab", str(path), "--to", "python"]) == 0
    captured = capsys.readouterr()
    graph, _ = graph_of_script(captured.out)
    assert graph == video_network()
    assert captured.err.splitlines() == [
        f"{path}:32:1: note: skipped: graphics are not translated",
        f"{path}:33:1: note: skipped: graphics are not translated"]
