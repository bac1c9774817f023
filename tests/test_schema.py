"""The published JSON Schema: generated from the layer registry, committed, and never drifting."""

from __future__ import annotations

import json
import math
from pathlib import Path

import jsonschema
import pytest
import yaml

from layergraph import REGISTRY
from layergraph.schema import SCHEMA_PATH, build_schema, main, option_schema, schema_text
from layergraph.training.options import OPTIONS

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def test_committed_schema_is_the_generated_one():
    assert SCHEMA_PATH.exists(), "run: python -m layergraph.schema --write"
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), \
        "the committed schema is out of date; run: python -m layergraph.schema --write"
    assert main(["--check"]) == 0


def test_schema_is_valid_draft_2020_12():
    schema = json.loads(SCHEMA_PATH.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_file_ships_with_the_package():
    text = (ROOT / "pyproject.toml").read_text()
    assert '"layergraph" = ["schema/*.json"]' in text
    assert SCHEMA_PATH.parent.name == "schema" and SCHEMA_PATH.parent.parent.name == "layergraph"


def test_every_layer_and_option_of_the_registry_is_in_the_schema():
    schema = build_schema()
    keyed = schema["$defs"]["keyedLayer"]["properties"]
    for name, cls in REGISTRY.items():
        assert name in keyed and cls.yaml_key in keyed
        props = schema["$defs"][name]["properties"]
        assert set(props) == {"Name", "inputs", *cls.options}
        assert schema["$defs"][name].get("required", []) == list(cls.required)
    training = schema["$defs"]["training"]["properties"]
    assert set(training) == {"solver", *OPTIONS} - {"ValidationData"}


@pytest.mark.parametrize("cls", list(REGISTRY.values()), ids=list(REGISTRY))
def test_option_defaults_satisfy_their_own_schema(cls):
    """The schema and the constructors agree: every default value validates."""
    for name, opt in cls.options.items():
        if opt.default is None:
            continue
        value = list(opt.default) if isinstance(opt.default, tuple) else opt.default
        jsonschema.Draft202012Validator(option_schema(name, opt)).validate(value)


def test_training_defaults_satisfy_their_schema():
    for name, opt in OPTIONS.items():
        if opt.default is None or name == "ValidationData":
            continue
        value = "Inf" if isinstance(opt.default, float) and math.isinf(opt.default) \
            else opt.default
        jsonschema.Draft202012Validator(option_schema(name, opt)).validate(value)


@pytest.mark.parametrize("path", sorted((ROOT / "specs").glob("*.yaml")),
                         ids=lambda p: p.stem)
def test_specs_validate_against_the_committed_schema(path):
    """An editor using only the JSON file accepts every shipped spec."""
    COMMITTED.validate(yaml.safe_load(path.read_text()))


@pytest.mark.parametrize("doc, where", [
    ({"layers": [{"lstmm": {"NumHiddenUnits": 3}}]}, ["layers", 0]),
    ({"layers": [{"lstm": {"NumHiddenUnit": 3}}]}, ["layers", 0, "lstm"]),
    ({"layers": [{"lstm": {"NumHiddenUnits": "x"}}]}, ["layers", 0, "lstm", "NumHiddenUnits"]),
    ({"layers": [{"type": "lstm", "NumHiddenUnits": 3, "OutputMode": "lst"}]},
     ["layers", 0, "OutputMode"]),
    ({"layers": [{"convolution1d": [3]}]}, ["layers", 0, "convolution1d"]),
    ({"layers": ["lstm"]}, ["layers", 0]),
    ({"layers": [], "connections": ["a"]}, ["connections", 0]),
    ({"layers": [], "training": {"solver": "adam", "MaxEpochs": 0}}, ["training", "MaxEpochs"]),
    ({"layers": [], "extra": 1}, []),
])
def test_schema_rejects_with_precise_paths(doc, where):
    errors = list(COMMITTED.iter_errors(doc))
    assert errors
    assert any(list(e.absolute_path) == where for e in errors), \
        [(list(e.absolute_path), e.message) for e in errors]


def test_schema_accepts_every_written_form():
    doc = {"layers": ["softmax", {"lstm": 100}, {"lstm": {"NumHiddenUnits": 3}},
                      {"type": "lstmLayer", "NumHiddenUnits": 3, "inputs": "x/out"},
                      {"convolution1d": [3, 32]}, {"dropout": None},
                      {"fullyConnected": {"OutputSize": 2, "inputs": {"in": "a"}}}],
           "connections": ["a -> b/in", ["a", "b"]],
           "training": {"solver": "adam", "GradientThreshold": "Inf"},
           "data": {"dataset": "japanese_vowels"}}
    COMMITTED.validate(doc)
