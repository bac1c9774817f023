"""A spec's ``parameters:`` section: values the network depends on, referred to as ``$name``,
bound from defaults, ``variables=`` and ``--var``; saved back as references, never as values."""

from __future__ import annotations

import json

import jsonschema
import pytest

from layergraph import (
    classificationLayer,
    fullyConnectedLayer,
    layerGraph,
    lstmLayer,
    sequenceInputLayer,
    softmaxLayer,
)
from layergraph.cli import main
from layergraph.matlab import from_matlab
from layergraph.schema import SCHEMA_PATH
from layergraph.spec import SpecError, load_spec, save_spec, validate_spec

SPEC = """\
name: vowels
parameters:
  numClasses: {default: 9, from: "numel(categories(YTrain))"}
  numFeatures: {from: "size(XTrain{1},1)"}
  numHidden: {default: 100, type: integer}
layers:
  - sequenceInput: {InputSize: $numFeatures}
  - lstm: {NumHiddenUnits: $numHidden, OutputMode: last}
  - fullyConnected: $numClasses
  - softmax
  - classification
training:
  solver: adam
  MaxEpochs: $epochs
"""
SPEC = SPEC.replace("  numHidden:", "  epochs: {default: 30}\n  numHidden:")


def network(features, classes=9, hidden=100):
    return layerGraph([sequenceInputLayer(features), lstmLayer(hidden, OutputMode="last"),
                       fullyConnectedLayer(classes), softmaxLayer(), classificationLayer()])


def issues(text, **kw):
    with pytest.raises(SpecError) as e:
        load_spec(text, **kw)
    return e.value.errors


def test_parameters_are_bound_from_defaults_and_variables():
    spec = load_spec(SPEC, variables={"numFeatures": 12})
    assert spec.graph == network(12)
    assert spec.options.MaxEpochs == 30
    assert spec.values == {"numClasses": 9, "epochs": 30, "numHidden": 100, "numFeatures": 12}
    spec = load_spec(SPEC, variables={"numFeatures": 3, "numClasses": 2, "epochs": 5})
    assert spec.graph == network(3, 2) and spec.options.MaxEpochs == 5
    assert spec.parameters["numClasses"]["from"] == "numel(categories(YTrain))"


def test_references_inside_lists_and_the_literal_dollar():
    text = """\
parameters:
  width: {default: 5}
layers:
  - sequenceInput: {InputSize: [$width, 3, 1], Name: $$in}
  - flatten
  - lstm: 4
  - fullyConnected: 2
  - regression
"""
    spec = load_spec(text)
    assert spec.graph.Layers[0].InputSize == (5, 3, 1)
    assert spec.graph.Layers[0].Name == "$$in"  # names are not read for references
    assert load_spec(text, variables={"width": 7}).graph.Layers[0].InputSize == (7, 3, 1)
    assert "InputSize: [$width, 3, 1]" in save_spec(spec)


def test_a_dollar_string_option_is_written_escaped_and_loads_back():
    g = layerGraph([sequenceInputLayer(3), lstmLayer(4, OutputMode="last"),
                    fullyConnectedLayer(2), softmaxLayer(),
                    classificationLayer(Classes=["$a", "b"])])
    text = save_spec(g)
    assert "$$a" in text
    assert load_spec(text).graph == g


def test_round_trip_keeps_the_parameters_not_the_values():
    spec = load_spec(SPEC, variables={"numFeatures": 12})
    text = save_spec(spec)
    assert "InputSize: $numFeatures" in text and "OutputSize: $numClasses" in text
    assert "NumHiddenUnits: $numHidden" in text and "MaxEpochs: $epochs" in text
    assert "numFeatures: {from: 'size(XTrain{1},1)'}" in text  # still without a default
    again = load_spec(text, variables={"numFeatures": 12})
    assert again == spec
    assert save_spec(again) == text
    with pytest.raises(SpecError):  # still a parameter that must be bound
        load_spec(text)


def test_an_option_changed_after_loading_is_saved_as_its_value():
    spec = load_spec(SPEC, variables={"numFeatures": 12})
    spec.graph.Layers[2].OutputSize = 4
    text = save_spec(spec)
    assert "OutputSize: 4" in text and "InputSize: $numFeatures" in text


def test_an_unbound_parameter_is_an_error_at_its_declaration():
    (e,) = issues(SPEC)
    assert (e.line, e.column) == (4, 3)
    assert "parameter 'numFeatures' has no value (it is used at line 8)" in e.message
    assert "variables={'numFeatures': ...}" in e.expected and "--var numFeatures=" in e.expected


def test_an_unknown_variable_names_the_parameters():
    (e,) = issues(SPEC, variables={"numFeatures": 3, "numClass": 4})
    assert e.line == 2
    assert "'numClass' is given a value (--var / variables=) but is not a parameter of this " \
           "spec; did you mean 'numClasses'?" in str(e)
    (e,) = issues("layers: [softmax]", variables={"x": 1}, strict=False)
    assert "a spec that declares it: parameters:" in e.expected


def test_a_reference_to_an_undeclared_parameter_is_an_error_at_the_reference():
    text = SPEC.replace("NumHiddenUnits: $numHidden", "NumHiddenUnits: $numHiden")
    (e,) = issues(text, variables={"numFeatures": 3})
    assert (e.line, e.column) == (9, 28)
    assert "'$numHiden' refers to a parameter that is not declared; did you mean " \
           "'numHidden'?" in e.message


@pytest.mark.parametrize("value", ["many", 2.5, True, [1, 2]])
def test_a_wrongly_typed_value_is_an_error_naming_the_parameter(value):
    (e,) = issues(SPEC, variables={"numFeatures": 3, "numHidden": value})
    assert e.line == 6 and "parameter 'numHidden'" in e.message and "integer" in e.message


def test_a_wrong_default_and_an_option_refusing_the_value_name_the_parameter():
    text = SPEC.replace("numHidden: {default: 100, type: integer}",
                        "numHidden: {default: many, type: integer}")
    (e,) = issues(text, variables={"numFeatures": 3})
    assert e.line == 6 and "its default 'many' is not of type integer" in e.message
    (e,) = issues(SPEC, variables={"numFeatures": -3})  # no type: the layer refuses it
    assert e.line == 8 and e.layer == "sequenceinput"
    assert "(the value of parameter 'numFeatures': -3)" in e.message


def test_the_schema_checks_the_declarations():
    text = SPEC.replace("numHidden: {default: 100, type: integer}",
                        "numHidden: {defualt: 100, type: int}")
    found = validate_spec(text, variables={"numFeatures": 3})
    messages = [i.message for i in found]
    assert any("unknown key 'defualt'; did you mean 'default'?" in m for m in messages)
    assert any("invalid type 'int'" in m for m in messages)
    (e,) = issues("parameters: {9lives: {}}\nlayers: [softmax]", strict=False)
    assert "'9lives' is not a parameter name" in e.message


def test_the_published_schema_describes_the_section():
    schema = json.loads(SCHEMA_PATH.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"parameters": {"n": {"default": 3, "from": "numel(x)"}},
                               "layers": ["softmax"]})
    assert not validator.is_valid({"parameters": {"n": {"dflt": 3}}, "layers": ["softmax"]})


def test_cli_binds_parameters_with_var(tmp_path, capsys):
    path = tmp_path / "net.yaml"
    path.write_text(SPEC)
    assert main(["validate", str(path)]) == 1
    assert "parameter 'numFeatures' has no value" in capsys.readouterr().err
    assert main(["validate", str(path), "--var", "numFeatures=12"]) == 0
    assert "parameters numClasses=9, epochs=30, numHidden=100, numFeatures=12)" in \
        capsys.readouterr().out
    assert main(["analyze", str(path), "--var", "numFeatures=12", "--var", "numClasses=4"]) == 0
    out = capsys.readouterr().out
    assert "12" in out and "4" in out
    assert main(["validate", str(path), "--var", "numFeatures=12", "--var", "nope=1"]) == 1
    assert "'nope' is given a value" in capsys.readouterr().err
    assert main(["render", str(path), "--var", "numFeatures=12", "-o",
                 str(tmp_path / "n.dot")]) == 0
    assert "--var" in build_help("train")
    assert main(["train", str(path), "--var", "numFeature=12", "--out",
                 str(tmp_path / "n.pt")]) != 0  # refused before any data are looked for
    err = capsys.readouterr().err
    assert "'numFeature' is given a value" in err and "did you mean 'numFeatures'?" in err


def test_cli_refuses_a_bad_var_before_loading(tmp_path, capsys):
    path = tmp_path / "net.yaml"
    path.write_text(SPEC)
    assert main(["validate", str(path), "--var", "numFeatures"]) == 2
    assert "--var expects NAME=VALUE" in capsys.readouterr().err
    assert main(["validate", str(path), "--var", "a.b=3"]) == 2
    assert main(["validate", str(path), "--var", "numFeatures=[1,"]) == 2
    assert "cannot read '[1,'" in capsys.readouterr().err


def build_help(command):
    from layergraph.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sub.choices[command].format_help()


TRANSLATED = """\
[XTrain, YTrain] = japaneseVowelsTrainData;
numFeatures = size(XTrain{1}, 1);
numClasses = numel(categories(YTrain));
layers = [sequenceInputLayer(numFeatures)
    lstmLayer(2*numFeatures, 'OutputMode', 'last')
    fullyConnectedLayer(numClasses)
    softmaxLayer
    classificationLayer];
"""


def test_the_translator_writes_a_parameters_section():
    t = from_matlab(TRANSLATED, variables={"numFeatures": 12, "numClasses": 9})
    text = t.to_yaml()
    assert "#" not in text.split("parameters:")[0]  # no comment block any more
    spec = load_spec(text)
    assert spec.graph == t.graph
    assert spec.parameters["numClasses"]["from"] == "numel(categories(YTrain))"
    assert spec.parameters["numFeatures"]["default"] == 12
    assert "InputSize: $numFeatures" in text and "OutputSize: $numClasses" in text
    # an option computed from a parameter is a value, and the description says so
    assert "NumHiddenUnits: 24" in text and "lstm.NumHiddenUnits = 2 * numFeatures" in text
    other = load_spec(text, variables={"numClasses": 3})
    assert other.graph.Layers[2].OutputSize == 3
    assert save_spec(spec) == text  # load -> save is exact


def test_values_from_python_may_be_numpy_numbers_and_tuples():
    import numpy as np

    from layergraph import LayerGraph

    spec = load_spec(SPEC, variables={"numFeatures": np.int64(12), "numClasses": np.int32(4)})
    assert spec.graph == network(12, 4) and type(spec.values["numFeatures"]) is int
    assert LayerGraph.from_spec(SPEC, variables={"numFeatures": 5}) == network(5)
    with pytest.raises(TypeError, match="variables must be a mapping"):
        load_spec(SPEC, variables=[("numFeatures", 3)])


def test_the_translator_writes_training_options_from_parameters_as_references():
    t = from_matlab("layers = [sequenceInputLayer(3); lstmLayer(4); fullyConnectedLayer(1)\n"
                    "    regressionLayer];\n"
                    "options = trainingOptions('adam', 'MaxEpochs', numEpochs, "
                    "'MiniBatchSize', 2 * numEpochs);", variables={"numEpochs": 20})
    text = t.to_yaml()
    assert "MaxEpochs: $numEpochs" in text and "MiniBatchSize: 40" in text
    assert "training.MiniBatchSize = 2 * numEpochs" in text
    assert load_spec(text, variables={"numEpochs": 5}).options.MaxEpochs == 5


def test_references_copy_in_at_most_the_alias_limit():
    from layergraph.spec import SpecLimits

    refs = "\n".join("  - fullyConnected: {OutputSize: 2, Weights: $w}" for _ in range(50))
    text = f"parameters:\n  w: {{default: [{', '.join(['0.5'] * 400)}]}}\nlayers:\n" + refs
    found = validate_spec(text, strict=False)
    assert [i.limit for i in found] == ["max_alias_nodes"]
    assert found[0].line == 3 + 25 and "the parameter references expand" in found[0].message
    assert not [i for i in validate_spec(text, strict=False,
                                         limits=SpecLimits(max_alias_nodes=10**6))
                if i.limit]


def test_editors_accept_references_in_options_with_the_published_schema():
    import yaml

    schema = json.loads(SCHEMA_PATH.read_text())
    validator = jsonschema.Draft202012Validator(schema)
    doc = yaml.safe_load(SPEC)
    doc["layers"].append({"sequenceInput": {"InputSize": ["$h", 3, 1]}})
    doc["layers"].append({"convolution1d": ["$k", 16]})
    assert not list(validator.iter_errors(doc))
    doc["layers"].append({"lstm": {"NumHiddenUnits": "$not a name"}})
    assert [list(e.absolute_path) for e in validator.iter_errors(doc)] == \
        [["layers", 7, "lstm", "NumHiddenUnits"]]


def test_a_struct_field_parameter_gets_a_spec_name_and_keeps_its_matlab_name():
    t = from_matlab("layers = [sequenceInputLayer(3); lstmLayer(params.numHidden)\n"
                    "    fullyConnectedLayer(1); regressionLayer];",
                    variables={"params.numHidden": 7})
    text = t.to_yaml()
    assert "NumHiddenUnits: $params_numHidden" in text
    assert "MATLAB's params.numHidden" in load_spec(text).parameters["params_numHidden"][
        "description"]
    assert load_spec(text, variables={"params_numHidden": 9}).graph.Layers[1].NumHiddenUnits == 9


def test_a_reference_to_a_default_value_and_in_the_positional_form_is_kept():
    text = """\
parameters:
  mode: {default: sequence}
  f: {default: 16}
layers:
  - sequenceInput: 3
  - convolution1d: [3, $f]
  - lstm: {NumHiddenUnits: 4, OutputMode: $mode}
  - fullyConnected: 1
  - regression
"""
    spec = load_spec(text)
    assert spec.graph.Layers[1].NumFilters == 16
    out = save_spec(spec)
    assert "OutputMode: $mode" in out and "NumFilters: $f" in out  # sequence is the default
    assert load_spec(out) == spec and save_spec(load_spec(out)) == out
    assert load_spec(out, variables={"mode": "last", "f": 8}).graph.Layers[2].OutputMode == "last"


def test_every_corpus_translation_writes_a_spec_that_loads_back_and_saves_exactly():
    from test_matlab_corpus import EXPECTED_ERRORS, FILES, VARIABLES

    with_parameters = 0
    for path in FILES:
        if path.name in EXPECTED_ERRORS:
            continue
        t = from_matlab(path, variables=VARIABLES.get(path.name))
        text = t.to_yaml()
        spec = load_spec(text, strict=False)
        assert (spec.graph, spec.options) == (t.graph, t.options), path.name
        assert save_spec(spec) == text, path.name
        with_parameters += bool(spec.parameters)
    assert with_parameters >= 8  # the files whose values come from data or inputs


def test_a_training_text_starting_with_a_dollar_is_written_escaped():
    from layergraph import trainingOptions

    g = network(3)
    options = trainingOptions("adam", CheckpointPath="$HOME")
    text = save_spec(g, options=options)
    assert "CheckpointPath: $$HOME" in text
    assert load_spec(text).options.CheckpointPath == "$HOME"
    (e,) = issues(text.replace("$$HOME", "$HOME"))
    assert "'$HOME' refers to a parameter that is not declared" in e.message
    assert "or $$HOME for the text '$HOME'" in e.expected
