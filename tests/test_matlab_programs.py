"""from_matlab on MATLAB as people write it: function files, local functions, loops, if/switch,
structs, cells, strings, data-dependent parameters, classdef files, several files, encodings.

Each network is compared with the same network written out by hand in Python.
"""

from __future__ import annotations

import math

import pytest

from layergraph import (
    bilstmLayer,
    classificationLayer,
    convolution1dLayer,
    dropoutLayer,
    fullyConnectedLayer,
    gruLayer,
    layerGraph,
    lstmLayer,
    regressionLayer,
    reluLayer,
    sequenceInputLayer,
    softmaxLayer,
)
from layergraph.matlab import MatlabLimits, MatlabTranslationError, from_matlab
from layergraph.spec import SpecError, load_spec


def chain(*layers):
    return layerGraph(list(layers))


def classifier(recurrent, features=12, classes=9):
    return chain(sequenceInputLayer(features), recurrent, fullyConnectedLayer(classes),
                 softmaxLayer(), classificationLayer())


def run_python(t, **call):
    """Execute the translated Python; with ``call``, call its function again with those
    arguments. Returns the namespace."""
    ns: dict = {}
    exec(compile(t.to_python(), "<translated>", "exec"), ns)
    if call:
        fn = ns[t.function_name or "build_network"]
        out = fn(**call)
        ns["layers"] = out[0] if isinstance(out, tuple) else out
    return ns


def error_of(text, **kw):
    with pytest.raises(MatlabTranslationError) as info:
        from_matlab(text, **kw)
    return info.value


# --- function files --------------------------------------------------------------------------

BUILD_NET = """\
function net = buildNet(numFeatures, numHidden, numClasses)
% the classifier of the experiments
net = [sequenceInputLayer(numFeatures)
    lstmLayer(numHidden, 'OutputMode', 'last')
    fullyConnectedLayer(numClasses)
    softmaxLayer
    classificationLayer];
end
"""


def test_a_function_file_translates_to_a_python_function_with_its_inputs():
    t = from_matlab(BUILD_NET, variables={"numFeatures": 12, "numHidden": 100,
                                          "numClasses": 9})
    assert t.function_name == "buildNet"
    assert list(t.parameters) == ["numFeatures", "numHidden", "numClasses"]
    assert t.graph == classifier(lstmLayer(100, OutputMode="last"))
    py = t.to_python()
    assert "def buildNet(numFeatures=12, numHidden=100, numClasses=9):" in py
    assert "lstmLayer(numHidden, OutputMode='last')" in py
    assert "fullyConnectedLayer(numClasses)" in py
    ns = run_python(t, numFeatures=3, numHidden=7, numClasses=2)
    assert layerGraph(ns["layers"]) == classifier(lstmLayer(7, OutputMode="last"), 3, 2)


def test_an_input_without_a_value_stays_a_parameter_the_function_requires():
    t = from_matlab(BUILD_NET, variables={"numFeatures": 12, "numClasses": 9})
    assert list(t.unbound) == ["numHidden"]
    with pytest.raises(MatlabTranslationError, match="'numHidden', which has no value") as e:
        _ = t.graph  # never the network built with a stand-in
    assert "--var numHidden=" in str(e.value)
    note = next(n for n in t.notes if "'numHidden' has no value" in n.message)
    assert note.line == 1 and "an input of function 'buildNet'" in note.message
    py = t.to_python()
    assert "def buildNet(*, numFeatures=12, numHidden, numClasses=9):" in py
    ns = {}
    with pytest.raises(SystemExit, match="set numHidden above"):  # the marked block asks
        exec(compile(py, "<translated>", "exec"), ns)
    assert layerGraph(ns["buildNet"](numHidden=7)) == classifier(lstmLayer(7, OutputMode="last"))
    spec = t.to_yaml()
    assert "numHidden: {description: an input of function 'buildNet'" in spec
    with pytest.raises(SpecError, match="parameter 'numHidden' has no value"):
        load_spec(spec)
    assert load_spec(spec, variables={"numHidden": 5}).graph == classifier(
        lstmLayer(5, OutputMode="last"))


def test_an_arguments_block_gives_its_defaults_to_inputs_not_given():
    code = """
function layers = f(n, k, opts)
arguments
    n (1,1) double {mustBePositive} = 5
    k double = n * 2
    opts.Drop (1,1) double = 0.25
    opts.Mode {mustBeMember(opts.Mode, ["last", "sequence"])} = "last"
end
layers = [sequenceInputLayer(n); lstmLayer(k, 'OutputMode', opts.Mode); dropoutLayer(opts.Drop)
          fullyConnectedLayer(2); softmaxLayer; classificationLayer];
end
"""
    t = from_matlab(code)
    assert t.graph == chain(sequenceInputLayer(5), lstmLayer(10, OutputMode="last"),
                            dropoutLayer(0.25), fullyConnectedLayer(2), softmaxLayer(),
                            classificationLayer())
    given = from_matlab(code, variables={"n": 3, "opts.Drop": 0.5})  # given values win
    assert [given.layers[0].InputSize, given.layers[1].NumHiddenUnits,
            given.layers[2].Probability] == [3, 6, 0.5]


def test_a_header_with_several_outputs_and_nargin_defaults():
    t = from_matlab("""
        function [layers, options] = makeNet(numFeatures, numClasses, numHidden)
        if nargin < 3
            numHidden = 64;
        end
        layers = [sequenceInputLayer(numFeatures); gruLayer(numHidden, 'OutputMode', 'last')
                  fullyConnectedLayer(numClasses); softmaxLayer; classificationLayer];
        options = trainingOptions('adam', 'MaxEpochs', 3);
        end
    """, variables={"numFeatures": 5, "numClasses": 2})
    assert t.graph == classifier(gruLayer(64, OutputMode="last"), 5, 2)
    assert t.options.MaxEpochs == 3
    assert "def makeNet(numFeatures=5, numClasses=2):" in t.to_python()


def test_local_functions_after_the_script_are_called_with_their_arguments():
    t = from_matlab("""
        layers = [sequenceInputLayer(4); block(8, 'a'); block(16, 'b'); head(3)];

        function layers = block(n, id)
        layers = [convolution1dLayer(3, n, 'Padding', 'causal', 'Name', ['conv_' id])
                  reluLayer('Name', ['relu_' id])];
        end

        function layers = head(k)
        layers = [fullyConnectedLayer(k); softmaxLayer; classificationLayer];
        end
    """)
    assert t.graph == chain(
        sequenceInputLayer(4), convolution1dLayer(3, 8, Padding="causal", Name="conv_a"),
        reluLayer(Name="relu_a"), convolution1dLayer(3, 16, Padding="causal", Name="conv_b"),
        reluLayer(Name="relu_b"), fullyConnectedLayer(3), softmaxLayer(), classificationLayer())
    assert not any("never called" in n.message for n in t.notes)


def test_functions_without_end_and_a_function_never_called():
    t = from_matlab("function layers = f()\nlayers = [sequenceInputLayer(2); g(3)];\n"
                    "function l = g(n)\nl = lstmLayer(n);\nfunction unused()\nx = 1;\n")
    assert t.graph == chain(sequenceInputLayer(2), lstmLayer(3))
    assert any("local function 'unused' is never called" in n.message for n in t.notes)


def test_recursion_stops_at_max_call_depth():
    e = error_of("layers = f(1);\nfunction y = f(n)\ny = f(n + 1);\nend\n",
                 limits=MatlabLimits(max_call_depth=10))
    assert e.problems[0].limit == "max_call_depth"


# --- loops, if, switch --------------------------------------------------------------------------


def test_layers_grown_in_loops_both_ways():
    t = from_matlab("""
        layers = sequenceInputLayer(3);
        for k = 1:3
            layers = [layers; lstmLayer(2^(k+2), 'OutputMode', 'sequence')];
        end
        for k = 1:2
            layers(end+1) = dropoutLayer(0.1*k);
        end
        layers = [layers; fullyConnectedLayer(1); regressionLayer];
    """)
    assert t.graph == chain(sequenceInputLayer(3), lstmLayer(8), lstmLayer(16), lstmLayer(32),
                            dropoutLayer(0.1), dropoutLayer(0.2), fullyConnectedLayer(1),
                            regressionLayer())


def test_empty_brackets_start_a_layer_array():
    t = from_matlab("layers = [];\nlayers(end+1) = sequenceInputLayer(2);\n"
                    "layers(end+1) = gruLayer(4);\n")
    assert t.graph == chain(sequenceInputLayer(2), gruLayer(4))


@pytest.mark.parametrize("kind, layer", [("lstm", lstmLayer), ("gru", gruLayer),
                                         ("bilstm", bilstmLayer)])
def test_switch_on_a_setting(kind, layer):
    t = from_matlab(f"""
        netType = "{kind.upper()}";
        switch lower(netType)
            case 'lstm', rnn = lstmLayer(50, 'OutputMode', 'last');
            case {{'gru', 'GRU'}}, rnn = gruLayer(50, 'OutputMode', 'last');
            otherwise, rnn = bilstmLayer(50, 'OutputMode', 'last');
        end
        layers = [sequenceInputLayer(12); rnn; fullyConnectedLayer(9); softmaxLayer
                  classificationLayer];
    """)
    assert t.graph == classifier(layer(50, OutputMode="last"))


def test_if_elseif_on_settings_and_arithmetic():
    text = """
        useDropout = {drop};
        h = 64;
        layers = [sequenceInputLayer(12); lstmLayer(h, 'OutputMode', 'last')];
        if useDropout && h > 100
            layers = [layers; dropoutLayer(0.5)];
        elseif ~useDropout
            layers = [layers; fullyConnectedLayer(floor(h/3)); reluLayer];
        end
        layers = [layers; fullyConnectedLayer(9); softmaxLayer; classificationLayer];
    """
    t = from_matlab(text.format(drop="false"))
    assert t.graph == chain(sequenceInputLayer(12), lstmLayer(64, OutputMode="last"),
                            fullyConnectedLayer(21), reluLayer(), fullyConnectedLayer(9),
                            softmaxLayer(), classificationLayer())
    assert from_matlab(text.format(drop="true")).graph == classifier(
        lstmLayer(64, OutputMode="last"))


# --- structs, cells, strings -------------------------------------------------------------------


def test_struct_fields_and_struct_calls():
    t = from_matlab("""
        params = struct('numHidden', 32, 'mode', 'last');
        params.numClasses = 4;
        cfg.net.dropout = 0.3;
        layers = [sequenceInputLayer(6); lstmLayer(params.numHidden, 'OutputMode', params.mode)
                  dropoutLayer(cfg.net.dropout); fullyConnectedLayer(params.numClasses)
                  softmaxLayer; classificationLayer];
    """)
    assert t.graph == chain(sequenceInputLayer(6), lstmLayer(32, OutputMode="last"),
                            dropoutLayer(0.3), fullyConnectedLayer(4), softmaxLayer(),
                            classificationLayer())


def test_options_edited_after_trainingOptions():
    t = from_matlab("layers = [sequenceInputLayer(1); lstmLayer(2); fullyConnectedLayer(1)\n"
                    "  regressionLayer];\nopts = trainingOptions('sgdm');\n"
                    "opts.MaxEpochs = 30;\nopts.miniBatchSize = 8;\n")
    assert (t.options.SolverName, t.options.MaxEpochs, t.options.MiniBatchSize) == \
        ("sgdm", 30, 8)
    e = error_of("opts = trainingOptions('adam');\nopts.MaxEpochs = -1;\n"
                 "layers = [sequenceInputLayer(1); lstmLayer(2)];")
    assert e.line == 2 and "MaxEpochs" in str(e)


def test_cells_and_brace_indexing():
    t = from_matlab("""
        sizes = {};
        sizes{1} = 20;
        sizes{end+1} = 10;
        modes = {'sequence', 'last'};
        layers = sequenceInputLayer(3);
        for i = 1:numel(sizes)
            layers = [layers; bilstmLayer(sizes{i}, 'OutputMode', modes{i})];
        end
        layers = [layers; fullyConnectedLayer(2); softmaxLayer; classificationLayer];
    """)
    assert t.graph == chain(sequenceInputLayer(3), bilstmLayer(20), bilstmLayer(
        10, OutputMode="last"), fullyConnectedLayer(2), softmaxLayer(), classificationLayer())


def test_names_from_string_arrays_num2str_sprintf_and_plus():
    t = from_matlab("""
        names = ["enc" "dec"];
        layers = sequenceInputLayer(2, Name="in");
        for i = 1:2
            layers = [layers; gruLayer(4, Name=names(i) + i)
                      dropoutLayer(0.1, 'Name', ['drop_' num2str(i)])
                      reluLayer('Name', sprintf('relu%02d', i))];
        end
    """)
    assert [lay.Name for lay in t.layers] == ["in", "enc1", "drop_1", "relu01", "dec2",
                                              "drop_2", "relu02"]


def test_slices_with_end_and_the_layers_of_a_trained_network():
    t = from_matlab("""
        layers = [sequenceInputLayer(3); lstmLayer(10, 'OutputMode', 'last')
                  fullyConnectedLayer(5); softmaxLayer; classificationLayer];
        net = trainNetwork(X, Y, layers, trainingOptions('adam'));
        body = net.Layers(1:end-3);
        layers = [body; fullyConnectedLayer(2); softmaxLayer; classificationLayer];
        net2 = trainNetwork(X2, Y2, layers, trainingOptions('adam'));
    """)
    assert t.graph == classifier(lstmLayer(10, OutputMode="last"), 3, 2)


# --- parameters ---------------------------------------------------------------------------------

DATA_SCRIPT = """\
[XTrain, YTrain] = japaneseVowelsTrainData;
numFeatures = size(XTrain{1}, 1);
numClasses = numel(categories(YTrain));
layers = [sequenceInputLayer(numFeatures)
    lstmLayer(2*numFeatures, 'OutputMode', 'last')
    fullyConnectedLayer(numClasses)
    softmaxLayer
    classificationLayer];
"""


def test_values_from_data_become_named_parameters_of_the_python_and_the_yaml():
    t = from_matlab(DATA_SCRIPT, variables={"numFeatures": 12, "numClasses": 9})
    assert t.graph == classifier(lstmLayer(24, OutputMode="last"))
    p = t.parameters["numClasses"]
    assert (p.expression, p.line, p.value) == ("numel(categories(YTrain))", 3, 9)
    py = t.to_python()
    assert "def build_network(numFeatures=12, numClasses=9):" in py
    assert "lstmLayer(2 * numFeatures, OutputMode='last')" in py
    ns = run_python(t, numFeatures=3, numClasses=2)
    assert layerGraph(ns["layers"]) == classifier(lstmLayer(6, OutputMode="last"), 3, 2)
    yaml = t.to_yaml()
    assert "numClasses: {default: 9, from: numel(categories(YTrain))" in yaml


def test_data_values_without_a_value_are_parameters_without_a_default():
    t = from_matlab(DATA_SCRIPT)
    assert list(t.unbound) == ["numFeatures", "numClasses"]
    assert t.unbound["numClasses"].expression == "numel(categories(YTrain))"
    py = t.to_python()
    assert "def build_network(numFeatures, numClasses):" in py
    assert "lstmLayer(2 * numFeatures, OutputMode='last')" in py
    ns = {}
    with pytest.raises(SystemExit):
        exec(compile(py, "<translated>", "exec"), ns)
    built = layerGraph(ns["build_network"](numFeatures=3, numClasses=2))
    assert built == classifier(lstmLayer(6, OutputMode="last"), 3, 2)
    # 2 * numFeatures is a computation a spec cannot hold: the spec needs the value
    with pytest.raises(MatlabTranslationError, match=r"lstm.NumHiddenUnits = 2 \* numFeatures"):
        t.to_yaml()
    spec = from_matlab(DATA_SCRIPT, variables={"numFeatures": 12}).to_yaml()
    assert "numClasses: {from: numel(categories(YTrain))" in spec
    assert load_spec(spec, variables={"numClasses": 4}).graph == classifier(
        lstmLayer(24, OutputMode="last"), 12, 4)


@pytest.mark.parametrize("code, why", [
    ("numBlocks = numel(XTrain);\nlayers = sequenceInputLayer(3);\nfor i = 1:numBlocks\n"
     "    layers = [layers; lstmLayer(8)];\nend\nlayers = [layers; regressionLayer];",
     "a loop count"),
    ("n = numel(XTrain);\nlayers = [sequenceInputLayer(3); lstmLayer(n)];\nif n > 10\n"
     "    layers = [layers; dropoutLayer(0.2)];\nend\n"
     "layers = [layers; fullyConnectedLayer(1); regressionLayer];", "a condition"),
    ("n = numel(XTrain);\nlayers = [sequenceInputLayer(3); lstmLayer(n)];\nif n == 1\n"
     "    layers = [layers; dropoutLayer(0.2)];\nend\n"
     "layers = [layers; fullyConnectedLayer(1); regressionLayer];", "a test for 1"),
    ("p = numel(XTrain);\nlayers = [sequenceInputLayer(3); dropoutLayer(p); fullyConnectedLayer(p)"
     "\n    regressionLayer];", "a value no stand-in fits (a probability and a size)"),
])
def test_a_data_value_that_decides_more_than_an_option_stays_an_error(code, why):
    """Only a value that reaches the network as a parameter is kept without a value; one that
    decides a loop, a branch or a number the Python would hold is the error saying --var."""
    e = error_of(code)
    assert "could not be evaluated" in str(e) or "no network found" in str(e), why


def test_a_variable_set_in_a_branch_on_data_is_the_parameter():
    """The variable the network takes is what has no value, not the data it was decided on."""
    t = from_matlab("n = numel(XTrain);\nk = 4;\nif n == 1\n    k = 9;\nend\n"
                    "layers = [sequenceInputLayer(3); fullyConnectedLayer(k); regressionLayer];")
    assert list(t.unbound) == ["k"]
    assert "if n == 1" in t.unbound["k"].expression


def test_an_inline_data_expression_is_bound_by_its_text():
    text = ("layers = [sequenceInputLayer(2); lstmLayer(3, 'OutputMode', 'last')\n"
            "  fullyConnectedLayer(numel(categories(YTrain))); softmaxLayer\n"
            "  classificationLayer];")
    t = from_matlab(text, variables={"numel(categories(YTrain))": 4})
    assert t.layers[2].OutputSize == 4


def test_rounding_of_a_parameter_is_written_as_python():
    t = from_matlab("layers = [sequenceInputLayer(n); lstmLayer(round(n/3)); "
                    "lstmLayer(ceil(sqrt(n))); fullyConnectedLayer(max(n, 2))];",
                    variables={"n": 10})
    assert [lay.props.get("NumHiddenUnits") for lay in t.layers[1:3]] == [3, 4]
    for n in (4, 7, 10, 25):
        ns = run_python(t, n=n)
        got = layerGraph(ns["layers"])
        assert [lay.NumHiddenUnits for lay in got.Layers[1:3]] == [
            math.floor(n / 3 + 0.5), math.ceil(math.sqrt(n))]
        assert got.Layers[3].OutputSize == max(n, 2)


# --- today's workflow ----------------------------------------------------------------------------


def test_dlnetwork_and_trainnet_are_emitted():
    t = from_matlab("""
        layers = [sequenceInputLayer(3); lstmLayer(8); fullyConnectedLayer(2); softmaxLayer];
        net = dlnetwork(layers);
        options = trainingOptions("adam", MaxEpochs=4);
        net = trainnet(XTrain, TTrain, net, "crossentropy", options);
    """)
    assert t.graph == chain(sequenceInputLayer(3), lstmLayer(8), fullyConnectedLayer(2),
                            softmaxLayer())
    py = t.to_python()
    assert "net = dlnetwork(layers)" in py
    assert "trainnet(XTrain, TTrain, net, 'crossentropy', options)" in py


# --- class files, several files --------------------------------------------------------------------


def test_a_classdef_file_says_so_and_gives_the_network_of_its_methods():
    t = from_matlab("""
        classdef Model < handle
            properties
                NumHidden = 20
                NumClasses (1,1) double = 3
            end
            methods
                function layers = build(obj)
                    layers = [sequenceInputLayer(4); gruLayer(obj.NumHidden, 'OutputMode', 'last')
                              fullyConnectedLayer(obj.NumClasses); softmaxLayer
                              classificationLayer];
                end
            end
        end
    """)
    assert t.graph == classifier(gruLayer(20, OutputMode="last"), 4, 3)
    assert any("'Model' is a classdef file" in n.message for n in t.notes)


def test_a_folder_of_files_resolves_calls_between_them(tmp_path):
    (tmp_path / "main.m").write_text(
        "numFeatures = 5;\nlayers = makeLayers(numFeatures, 7);\n"
        "options = trainingOptions('adam', 'MaxEpochs', 2);\n"
        "net = trainNetwork(X, Y, layers, options);\n")
    (tmp_path / "makeLayers.m").write_text(
        "function layers = makeLayers(n, h)\nlayers = [sequenceInputLayer(n)\n"
        "    lstmLayer(h, 'OutputMode', 'last'); head(2)];\nend\n"
        "function l = head(k)\nl = [fullyConnectedLayer(k); softmaxLayer; "
        "classificationLayer];\nend\n")
    t = from_matlab(tmp_path)
    assert t.graph == classifier(lstmLayer(7, OutputMode="last"), 5, 2)
    assert t.options.MaxEpochs == 2
    (tmp_path / "makeLayers.m").write_text("function layers = makeLayers(n, h)\n"
                                           "layers = lstmLayr(h);\nend\n")
    e = pytest.raises(MatlabTranslationError, from_matlab, tmp_path).value
    assert e.filename.endswith("makeLayers.m") and e.line == 2


def test_several_scripts_need_main(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.m").write_text(f"layers = [sequenceInputLayer({len(name) + 1})];\n")
    e = pytest.raises(MatlabTranslationError, from_matlab, tmp_path).value
    assert "main=" in str(e)
    assert from_matlab(tmp_path, main="b").layers[0].InputSize == 2


# --- files as they arrive ------------------------------------------------------------------------

ENCODED = """% réseau : {comment}
layers = [sequenceInputLayer(12, 'Name', 'entrée')
    lstmLayer(100, 'OutputMode', 'last')
    fullyConnectedLayer(9)
    softmaxLayer
    classificationLayer];
options = trainingOptions('adam', 'MaxEpochs', 5);
"""


@pytest.mark.parametrize("encoding, comment", [("utf-8", "中文注释"), ("gb18030", "中文注释"),
                                               ("latin-1", "données")])
def test_the_same_file_in_each_encoding_translates_identically(encoding, comment):
    reference = from_matlab(ENCODED.format(comment=comment).encode("utf-8"))
    t = from_matlab(ENCODED.format(comment=comment).encode(encoding))
    assert t.graph == reference.graph and t.layers[0].Name == "entrée"
    assert t.options.to_dict() == reference.options.to_dict()
    assert t.encoding == encoding


def test_command_syntax_cells_bom_and_crlf():
    text = ("\ufeff%% setup\r\nclose all\r\nclc\r\nclear all\r\nformat compact\r\n%% net\r\n"
            "layers = [sequenceInputLayer(2)\r\n    gruLayer(3)];\r\n")
    t = from_matlab(text.encode("utf-8"))
    assert t.graph == chain(sequenceInputLayer(2), gruLayer(3))
    assert {n.line for n in t.notes} == {2, 3, 5}  # close, clc, format: noted; clear runs


def test_the_command_line_takes_several_files_and_dotted_vars(tmp_path, capsys):
    from layergraph.cli import main

    (tmp_path / "run.m").write_text(
        "params.numFeatures = size(X{1}, 1);\nlayers = makeLayers(params.numFeatures);\n")
    (tmp_path / "makeLayers.m").write_text(
        "function layers = makeLayers(n)\nlayers = [sequenceInputLayer(n); gruLayer(2 * n)];\n")
    files = [str(tmp_path / "run.m"), str(tmp_path / "makeLayers.m")]
    assert main(["from-matlab", *files, "--var", "params.numFeatures=3", "--to", "python"]) == 0
    out = capsys.readouterr().out
    assert "def build_network(params_numFeatures=3):" in out
    assert "gruLayer(2 * params_numFeatures)" in out
    ns: dict = {}
    exec(compile(out, "<cli>", "exec"), ns)
    assert layerGraph(ns["layers"]) == chain(sequenceInputLayer(3), gruLayer(6))
    assert main(["from-matlab", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


# --- hostile text: every new construct is bounded --------------------------------------------


def test_exponential_recursion_stops_at_max_steps():
    e = error_of("x = f(25);\nlayers = [sequenceInputLayer(x)];\n"
                 "function y = f(n)\nif n == 0\n  y = 1;\nelse\n  y = f(n-1) + f(n-1);\nend\nend\n",
                 limits=MatlabLimits(max_steps=20_000))
    assert e.problems[0].limit == "max_steps"


def test_a_huge_cell_index_is_refused_before_allocating():
    e = error_of("c = {};\nc{1e12} = 1;\nlayers = [sequenceInputLayer(2)];")
    assert e.problems[0].limit == "max_elements" and e.line == 2


@pytest.mark.parametrize("text, line", [
    ("classdef A\n  properties\n    x = 1\n", 1),
    ("function = f(x)\nend\n", 1),
    ("function y = f(x)\narguments\n  x (1,1) double\n", 2),  # the block that is open
    ("classdef A\n  methods\n    function f(obj)\n", 1),
])
def test_unclosed_classes_functions_and_argument_blocks_are_located(text, line):
    with pytest.raises(MatlabTranslationError) as info:
        from_matlab(text)
    assert info.value.line == line


def test_a_struct_that_grows_in_a_loop_stays_bounded():
    e = error_of("s = struct();\nfor k = 1:5000\n  s.a = k;\nend\n"
                 "layers = [sequenceInputLayer(2)];", limits=MatlabLimits(max_loop_iterations=1000))
    assert e.problems[0].limit == "max_loop_iterations"


def test_a_method_called_on_the_object_runs_with_the_object():
    t = from_matlab("""
        classdef M
            properties
                H = 6
            end
            methods
                function obj = train(obj, X, Y)
                    opts = trainingOptions('adam', 'MaxEpochs', 2);
                    net = trainNetwork(X, Y, obj.layers(3), opts);
                end
                function l = layers(obj, n)
                    l = [sequenceInputLayer(n); lstmLayer(obj.H); fullyConnectedLayer(1)
                         regressionLayer];
                end
            end
        end
    """)
    assert t.graph == chain(sequenceInputLayer(3), lstmLayer(6), fullyConnectedLayer(1),
                            regressionLayer())


def test_a_given_value_the_code_does_not_use_is_noted():
    t = from_matlab("h = 8;\nlayers = [sequenceInputLayer(2); lstmLayer(h)];",
                    variables={"h": 50, "unused": 1})
    assert t.layers[1].NumHiddenUnits == 8 and not t.parameters
    said = [n.message for n in t.notes if n.message.startswith("variables:")]
    assert len(said) == 2 and "'h' was given but not used" in said[0]


def test_the_layers_of_a_network_trained_with_two_outputs():
    t = from_matlab("""
        layers = [sequenceInputLayer(3); lstmLayer(10, 'OutputMode', 'last')
                  fullyConnectedLayer(5); softmaxLayer; classificationLayer];
        [net, info] = trainNetwork(X, Y, layers, trainingOptions('adam'));
        layers2 = net.Layers;
        layers2(3) = fullyConnectedLayer(2);
        net2 = trainNetwork(X2, Y2, layers2, trainingOptions('adam'));
    """)
    assert t.graph == classifier(lstmLayer(10, OutputMode="last"), 3, 2)


def test_a_probability_without_a_value_gets_fraction_stand_ins():
    """An integer stand-in does not fit dropoutLayer's Probability: the value is tried as a
    fraction, and stays a parameter without a value."""
    t = from_matlab("function layers = f(numHidden, p)\nlayers = [sequenceInputLayer(3)\n"
                    "    lstmLayer(numHidden); dropoutLayer(p); fullyConnectedLayer(1)\n"
                    "    regressionLayer];\nend\n")
    assert list(t.unbound) == ["numHidden", "p"]
    ns = {}
    with pytest.raises(SystemExit):
        exec(compile(t.to_python(), "<translated>", "exec"), ns)
    assert layerGraph(ns["f"](numHidden=4, p=0.3)) == chain(
        sequenceInputLayer(3), lstmLayer(4), dropoutLayer(0.3), fullyConnectedLayer(1),
        regressionLayer())
