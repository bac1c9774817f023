"""The MATLAB translator finds the place of an error from the error's attributes, never its text.

An OptionError says which option it is about (``option``) and which half of the name-value pair is
wrong (``part``); the translator underlines that argument. The first tests raise errors whose
message says nothing of the option and check that the caret still lands on the right argument; the
others check line:column for real errors of layers and trainingOptions, in both argument syntaxes.
The last ones keep the package's modules in floors and every call where the bridge expects it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import layergraph.matlab.bridge as bridge
from layergraph.errors import OptionError
from layergraph.layers import REGISTRY
from layergraph.matlab import MatlabTranslationError, from_matlab, names
from layergraph.matlab.builtins import BUILTINS


def error_of(text):
    with pytest.raises(MatlabTranslationError) as info:
        from_matlab(text, filename="net.m")
    return info.value


def place(e):
    return e.line, e.column, e.text


# --- the place comes from the attributes -----------------------------------------------------


def raising_layer(**attributes):
    """lstmLayer, except that construction raises an OptionError with unhelpful wording."""

    class Garbled(REGISTRY["lstmLayer"]):
        def __init__(self, *args, **kwargs):
            raise OptionError("something is off", **attributes)

    return Garbled


# line 2, column 5: lstmLayer, 15: 8, 18: 'OutputMode', 32: 'last'
LAYER = "layers = [sequenceInputLayer(3)\n    lstmLayer(8, 'OutputMode', 'last')];"


@pytest.mark.parametrize("attributes,expected", [
    ({"option": "OutputMode", "part": "value"}, (2, 32, "'last'")),
    ({"option": "outputmode", "part": "value"}, (2, 32, "'last'")),  # MATLAB ignores case
    ({"option": "OutputMode", "part": "name"}, (2, 18, "'OutputMode'")),
    ({"option": "NumHiddenUnits", "part": "value"}, (2, 15, "8")),  # given by position
    ({"option": "OutputMode", "part": None}, (2, 5, "lstmLayer(8, 'OutputMode', 'last')")),
    ({"option": None, "part": "value"}, (2, 5, "lstmLayer(8, 'OutputMode', 'last')")),
    ({"option": "Bias", "part": "value"}, (2, 5, "lstmLayer(8, 'OutputMode', 'last')")),
])
def test_layer_error_place_comes_from_option_and_part(monkeypatch, attributes, expected):
    monkeypatch.setitem(REGISTRY, "lstmLayer", raising_layer(**attributes))
    e = error_of(LAYER)
    assert place(e) == expected
    assert e.problems[0].message == "something is off"  # passed on as it is, not re-worded


def test_layer_error_place_with_name_equals_value_syntax(monkeypatch):
    text = "layers = [sequenceInputLayer(3) lstmLayer(8, OutputMode='last')];"
    monkeypatch.setitem(REGISTRY, "lstmLayer", raising_layer(option="OutputMode", part="value"))
    assert place(error_of(text)) == (1, 57, "'last'")
    monkeypatch.setitem(REGISTRY, "lstmLayer", raising_layer(option="OutputMode", part="name"))
    assert place(error_of(text)) == (1, 46, "OutputMode")  # the name alone, not '=...'


OPTIONS = "opts = trainingOptions('adam', ...\n    'MaxEpochs', 5, ...\n    MiniBatchSize=4);"


@pytest.mark.parametrize("attributes,expected", [
    ({"option": "MaxEpochs", "part": "value"}, (2, 18, "5")),
    ({"option": "MaxEpochs", "part": "name"}, (2, 5, "'MaxEpochs'")),
    ({"option": "MiniBatchSize", "part": "value"}, (3, 19, "4")),
    ({"option": "MiniBatchSize", "part": "name"}, (3, 5, "MiniBatchSize")),
    ({"option": "solverName", "part": "value"}, (1, 24, "'adam'")),
    ({}, (1, 8, "trainingOptions('adam', ...\n    'MaxEpochs', 5, ...\n    MiniBatchSize=4)")),
])
def test_training_options_error_place_comes_from_option_and_part(monkeypatch, attributes,
                                                                 expected):
    def garbled(*args, **kwargs):
        raise OptionError("not telling", **attributes)

    monkeypatch.setattr(bridge, "trainingOptions", garbled)
    e = error_of(OPTIONS)
    assert place(e) == expected
    assert e.problems[0].message == "not telling"


def test_a_string_value_that_spells_an_option_name_is_not_taken_for_the_name():
    # 'OutputMode' is the layer's Name here; the bad value is the last argument
    e = error_of("layers = [sequenceInputLayer(3) "
                 "lstmLayer(8, 'Name', 'OutputMode', 'OutputMode', 'lst')];")
    assert place(e) == (1, 82, "'lst'")
    assert "invalid value for 'OutputMode'" in str(e)


# --- real errors, line and column ------------------------------------------------------------


@pytest.mark.parametrize("text,expected,message", [
    # layer constructor, 'Name', value syntax
    ("x = 1;\nl = lstmLayer(8, 'OutputMode', 'lst');", (2, 32, "'lst'"),
     "invalid value for 'OutputMode'"),
    ("x = 1;\nl = lstmLayer(8, 'OutputMdoe', 'last');", (2, 18, "'OutputMdoe'"),
     "Did you mean 'OutputMode'?"),
    ("l = lstmLayer(8, 'OutputMode', 'last', 'outputmode', 'last');", (1, 40, "'outputmode'"),
     "option 'OutputMode' given twice"),
    ("l = lstmLayer(0);", (1, 15, "0"), "invalid value for 'NumHiddenUnits'"),
    ("l = lstmLayer(8, 'NumHiddenUnits', 9);", (1, 18, "'NumHiddenUnits'"),
     "given both positionally and by name"),
    # layer constructor, Name=value syntax
    ("l = lstmLayer(8, OutputMode='lst');", (1, 29, "'lst'"), "invalid value for 'OutputMode'"),
    ("l = lstmLayer(8, OutputMdoe='last');", (1, 18, "OutputMdoe"), "Did you mean 'OutputMode'?"),
    ("l = lstmLayer(8, OutputMode='last', OutputMode='last');", (1, 37, "OutputMode"),
     "option 'OutputMode' given twice"),
    # trainingOptions, 'Name', value syntax
    ("o = trainingOptions('adam', ...\n  'Shuffle', 'sometimes');", (2, 14, "'sometimes'"),
     "invalid value for 'Shuffle'"),
    ("o = trainingOptions('adam', ...\n  'Shufle', 'never');", (2, 3, "'Shufle'"),
     "Did you mean 'Shuffle'?"),
    ("o = trainingOptions('adam', 'Shuffle', 'never', 'shuffle', 'once');",
     (1, 49, "'shuffle'"), "option 'Shuffle' given twice"),
    ("o = trainingOptions('adamw');", (1, 21, "'adamw'"), "invalid value for 'solverName'"),
    # trainingOptions, Name=value syntax
    ("o = trainingOptions('adam', Shuffle='sometimes');", (1, 37, "'sometimes'"),
     "invalid value for 'Shuffle'"),
    ("o = trainingOptions('adam', Shufle='never');", (1, 29, "Shufle"),
     "Did you mean 'Shuffle'?"),
    ("o = trainingOptions('adam', Shuffle='never', Shuffle='once');", (1, 46, "Shuffle"),
     "option 'Shuffle' given twice"),
    # the two syntaxes mixed
    ("o = trainingOptions('adam', 'MaxEpochs', 2, MaxEpochs=3);", (1, 45, "MaxEpochs"),
     "option 'MaxEpochs' given twice"),
    # what the translator adds: a MATLAB option layergraph lacks, found case-insensitively
    ("o = trainingOptions('adam', ...\n  'dispatchInBackground', true);",
     (2, 3, "'dispatchInBackground'"),
     "MATLAB's trainingOptions has 'DispatchInBackground' but layergraph does not support it"),
])
def test_option_errors_point_at_the_argument(text, expected, message):
    e = error_of(text)
    assert place(e) == expected
    assert message in str(e)


def test_validation_data_from_data_is_a_note_and_the_other_options_are_kept():
    t = from_matlab("layers = [sequenceInputLayer(1) lstmLayer(2) fullyConnectedLayer(1) "
                    "regressionLayer];\nopts = trainingOptions('adam', ValidationData={XV, YV}, "
                    "MaxEpochs=7);")
    assert t.options.MaxEpochs == 7 and t.options.ValidationData is None
    note = next(n for n in t.notes if "ValidationData is data" in n.message)
    assert (note.line, note.column, note.text) == (2, 47, "{XV, YV}")


def test_unknown_variable_message_is_built_from_the_name_and_where_it_may_come_from():
    e = error_of("load data.mat\nlayers = [sequenceInputLayer(numFeatures) lstmLayer(3)];")
    assert place(e) == (2, 30, "numFeatures")
    assert e.problems[0].message == (
        "unknown variable 'numFeatures' (it may come from `load data.mat` at line 1, which "
        "layergraph does not read) (an argument of sequenceInputLayer)")


# --- structure -------------------------------------------------------------------------------

PACKAGE = Path(bridge.__file__).parent
FLOORS = ["errors", "names", "lexer", "parser", "values", "builtins", "bridge", "interpreter",
          "translation", "runtime", "program", "__init__"]


def package_imports(module: str) -> set[str]:
    """The modules of layergraph.matlab that ``module`` imports, anywhere in it (functions too);
    for a subpackage (runtime/), what any of its files imports from layergraph.matlab."""
    files, level = [PACKAGE / f"{module}.py"], 1
    if (PACKAGE / module).is_dir():
        files, level = sorted((PACKAGE / module).glob("*.py")), 2
    out = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == level:
                if node.module:
                    out.add(node.module.split(".")[0])
                else:
                    out.update(a.name for a in node.names)
    return out


def test_every_module_has_a_floor():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert {p.stem for p in PACKAGE.glob("*.py")} | packages == set(FLOORS)


@pytest.mark.parametrize("module", FLOORS)
def test_modules_import_only_the_floors_below(module):
    below = set(FLOORS[:FLOORS.index(module)])
    assert package_imports(module) <= below


def test_every_layergraph_call_has_a_bridge_handler_and_no_builtin_shadows_one():
    for name in (names.GRAPH_FUNCTIONS | names.TRAINING_FUNCTIONS | {"trainingOptions"}
                 | names.LAYERS):
        assert bridge.handler(name) is not None, name
    assert not set(BUILTINS) & (set(bridge.CALLS) | names.LAYERS)
    assert all(callable(f) for f in BUILTINS.values())
