"""The JSON Schema of YAML specs, generated from the one layer registry and trainingOptions.

The schema is published in the repository as ``layergraph/schema/layergraph-spec.schema.json`` so
editors (e.g. the YAML language server) can check and complete specs; a test asserts the file is
exactly what :func:`build_schema` generates, so it never drifts from the layers. Regenerate it
after changing a layer's options with::

    python -m layergraph.schema --write

Layout of a layer entry (see :mod:`layergraph.spec` for the format):

* ``- softmax`` (a bare type, for layers without required options),
* ``- lstm: {NumHiddenUnits: 100, OutputMode: last}`` (the type as the only key), or the short
  form ``- lstm: 100`` / ``- convolution1d: [3, 32]`` (the positional arguments), or
* ``- {type: lstm, NumHiddenUnits: 100}`` (the type beside the options).

The if/then/else structure (rather than ``oneOf``) keeps validation errors precise: an error is
reported at the option that is wrong, not as "not valid under any of the given schemas".
"""

from __future__ import annotations

import argparse
import functools
import json
import math
from pathlib import Path

from .layers import REGISTRY
from .options import Option
from .training.options import LOSS_NAMES, SOLVERS
from .training.options import OPTIONS as TRAINING_OPTIONS

SCHEMA_PATH = Path(__file__).with_name("schema") / "layergraph-spec.schema.json"
"""Where the published schema lives in the repository (and in the installed package)."""

DIALECT = "https://json-schema.org/draft/2020-12/schema"

LAYER_KEYWORDS = ("inputs",)
"""Lower-case keys a layer entry may have besides its MATLAB options (``type`` in the flat form)."""

TOP_LEVEL = ("name", "description", "parameters", "layers", "connections", "loss", "training",
             "data")
DATA_KEYS = ("dataset", "train", "test", "validation", "order", "description")
DATA_ORDERS = ("as-is", "sorted-by-length")
PARAMETER_TYPES = ("integer", "number", "string", "boolean", "list")  # of a spec's parameters
TRAINING_SKIPPED = ("ValidationData",)  # data, not an option: given in the ``data`` section


def layer_keys(cls) -> list[str]:
    """The names a layer type may be written as: its MATLAB name and its YAML key."""
    return [cls.matlab_name] if cls.yaml_key == cls.matlab_name else [cls.yaml_key, cls.matlab_name]


def all_layer_keys() -> list[str]:
    return [k for cls in REGISTRY.values() for k in layer_keys(cls)]


def option_schema(name: str, opt: Option) -> dict:
    """The JSON schema of one option: its kind's schema plus its meaning and default."""
    out = dict(opt.kind.schema)
    doc = opt.doc or name
    default = _json_default(opt.default)
    if default is not None:
        out["default"] = default
    out["description"] = doc
    return out


def _json_default(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isinf(v):
        return "Inf"
    if isinstance(v, tuple):
        return list(v)
    if isinstance(v, (bool, int, float, str)):
        return v
    return None


INPUTS_SCHEMA = {
    "description": "where this layer's inputs come from instead of the previous layer: a source "
                   "('layer' or 'layer/port') for the first input port, a list of sources for the "
                   "input ports in order, a mapping {port: source}, or [] for none",
    "type": ["string", "array", "object", "null"],
    "items": {"type": "string"},
    "additionalProperties": {"type": "string"},
}


def _layer_def(cls) -> dict:
    """Options object of one layer type (no additionalProperties: the users close it)."""
    props = {"Name": {"type": "string", "description": "layer name; empty or absent: assigned "
                                                       "as MATLAB does ('lstm', 'lstm_1', ...)"}}
    for name, opt in cls.options.items():
        props[name] = option_schema(name, opt)
    props["inputs"] = {"$ref": "#/$defs/inputs"}
    out = {"type": "object",
           "description": f"{cls.matlab_name}: {(cls.__doc__ or '').strip().splitlines()[0]}",
           "properties": props}
    if cls.required:
        out["required"] = list(cls.required)
    return out


def _short_form(cls) -> dict:
    """Schema of ``- key: VALUE`` when VALUE is not a mapping: the positional arguments."""
    pos = list(cls.positional)
    if len(pos) == 1:
        one = option_schema(pos[0], cls.options[pos[0]])
        if cls.required:
            return one
        return {"anyOf": [{"type": "null"}, one]}
    if len(pos) > 1:
        return {"type": "array",
                "description": "positional arguments: " + ", ".join(pos),
                "prefixItems": [option_schema(p, cls.options[p]) for p in pos],
                "items": False, "minItems": len(cls.required)}
    return {"type": "null"}


def _keyed_value(cls) -> dict:
    return {"if": {"type": "object"},
            "then": {"$ref": f"#/$defs/{cls.matlab_name}", "unevaluatedProperties": False},
            "else": _short_form(cls)}


REFERENCE_SCHEMA = {
    "type": "string", "pattern": r"^\$[A-Za-z_][A-Za-z0-9_]*$",
    "description": "a parameter of the spec ($name), declared under 'parameters:'",
}


def _with_references(schema: dict) -> dict:
    """An option's schema that also takes a reference to a parameter, as the option's value or
    as an element of it (``[$width, 3, 1]``)."""
    inner = _elements_with_references({k: v for k, v in schema.items()
                                       if k not in ("description", "default")})
    out = {k: schema[k] for k in ("description", "default") if k in schema}
    out["anyOf"] = [inner, {"$ref": "#/$defs/reference"}]
    return out


def _elements_with_references(schema: dict) -> dict:
    """``schema`` with the elements of its lists (in each of its alternatives) also taking a
    reference; the alternatives themselves are not (a ``oneOf`` would then match twice)."""
    out = dict(schema)
    if isinstance(out.get("items"), dict):
        out["items"] = _with_references(out["items"])
    if isinstance(out.get("prefixItems"), list):
        out["prefixItems"] = [_with_references(x) for x in out["prefixItems"]]
    for key in ("oneOf", "anyOf"):
        if isinstance(out.get(key), list):
            out[key] = [_elements_with_references(x) for x in out[key]]
    return out


def _allow_references(schema: dict) -> dict:
    """The schema as published for editors: every layer and training option also takes
    ``$name``. The loader binds parameters first and validates the values with the schema
    without this (:func:`validator`), so its errors name the option's own form."""
    defs = schema["$defs"]
    defs["reference"] = REFERENCE_SCHEMA
    for cls in REGISTRY.values():
        props = defs[cls.matlab_name]["properties"]
        for name in cls.options:
            props[name] = _with_references(props[name])
        for key in layer_keys(cls):
            keyed = defs["keyedLayer"]["properties"][key]
            keyed["else"] = _with_references(keyed["else"])
    train = defs["training"]["properties"]
    for name in train:
        if name != "solver":
            train[name] = _with_references(train[name])
    return schema


def build_schema(references: bool = False) -> dict:
    """The JSON Schema (draft 2020-12) of a layergraph YAML spec, from the layer registry;
    ``references``: as published (options also take ``$name``, see :func:`schema_text`)."""
    defs = {"inputs": INPUTS_SCHEMA}
    keyed_props, flat_rules = {}, []
    for cls in REGISTRY.values():
        defs[cls.matlab_name] = _layer_def(cls)
        for key in layer_keys(cls):
            keyed_props[key] = _keyed_value(cls)
        flat_rules.append({
            "if": {"properties": {"type": {"enum": layer_keys(cls)}}},
            "then": {"$ref": f"#/$defs/{cls.matlab_name}", "properties": {"type": True},
                     "unevaluatedProperties": False},
        })
    bare = [k for cls in REGISTRY.values() if not cls.required for k in layer_keys(cls)]
    defs["keyedLayer"] = {
        "description": "a layer written as {type: options}",
        "type": "object", "minProperties": 1, "maxProperties": 1,
        "properties": keyed_props, "additionalProperties": False,
    }
    defs["flatLayer"] = {
        "description": "a layer written as {type: ..., option: value, ...}",
        "type": "object", "required": ["type"],
        "properties": {"type": {"enum": all_layer_keys()}},
        "allOf": flat_rules,
    }
    defs["layer"] = {
        "description": "one layer: a bare type name, {type: options}, or {type: ..., options}",
        "type": ["string", "object"],
        "if": {"type": "string"},
        "then": {"enum": bare},
        "else": {"if": {"required": ["type"]},
                 "then": {"$ref": "#/$defs/flatLayer"},
                 "else": {"$ref": "#/$defs/keyedLayer"}},
    }
    defs["connection"] = {
        "description": "'source -> destination', each 'layer' or 'layer/port'; or a pair "
                       "[source, destination]",
        "type": ["string", "array"],
        "if": {"type": "string"},
        "then": {"pattern": r"^\s*[^\s>][^>]*->\s*\S.*$"},
        "else": {"prefixItems": [{"type": "string"}, {"type": "string"}],
                 "minItems": 2, "maxItems": 2},
    }
    defs["parameter"] = {
        "description": "a value the network depends on, referred to as $name in layer and "
                       "training options; bound from its default, load_spec(..., "
                       "variables={...}) or --var NAME=VALUE",
        "type": "object",
        "properties": {
            "default": {"description": "the value when none is given"},
            "from": {"type": "string", "description": "the MATLAB expression it stands for "
                                                      "(e.g. numel(categories(YTrain)))"},
            "type": {"enum": list(PARAMETER_TYPES),
                     "description": "the type of its values (default: the default's type)"},
            "description": {"type": "string"},
        },
        "additionalProperties": False,
    }
    train_props = {"solver": {"enum": list(SOLVERS), "description": "solverName of "
                                                                     "trainingOptions"}}
    for name, opt in TRAINING_OPTIONS.items():
        if name not in TRAINING_SKIPPED:
            train_props[name] = option_schema(name, opt)
    defs["training"] = {
        "description": "trainingOptions(solver, Name=Value, ...), MATLAB option names",
        "type": "object", "required": ["solver"], "properties": train_props,
        "additionalProperties": False,
    }
    defs["data"] = {
        "description": "where the data come from: a shipped data set ({dataset: "
                       "japanese_vowels}) or .npz files with arrays X and Y (paths relative to "
                       "the spec file)",
        "type": "object",
        "properties": {
            "dataset": {"type": "string", "description": "a data set shipped with layergraph"},
            "train": {"type": "string", "description": ".npz file with X and Y for training"},
            "test": {"type": "string", "description": ".npz file with X and Y to evaluate on"},
            "validation": {"type": "string", "description": ".npz file: ValidationData"},
            "order": {"enum": list(DATA_ORDERS),
                      "description": "order of the training sequences: 'sorted-by-length' as "
                                     "MATLAB's examples prepare them, or 'as-is' (default)"},
            "description": {"type": "string"},
        },
        "additionalProperties": False,
    }
    schema = {
        "$schema": DIALECT,
        "title": "layergraph network spec",
        "description": "A sequence network as data: layers (MATLAB types and options), "
                       "connections, training options and data source. Generated from "
                       "layergraph's layer registry by layergraph.schema.build_schema(); do not "
                       "edit by hand.",
        "type": "object",
        "required": ["layers"],
        "properties": {
            "name": {"type": "string", "description": "name of the network"},
            "description": {"type": "string"},
            "parameters": {"type": "object",
                           "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
                           "additionalProperties": {"$ref": "#/$defs/parameter"},
                           "description": "values the network depends on that the spec does "
                                          "not fix, referred to as $name"},
            "layers": {"type": "array", "items": {"$ref": "#/$defs/layer"},
                       "description": "the layers, in order; each is connected to the one "
                                      "before it (like layerGraph(layers)) unless it says "
                                      "'inputs'"},
            "connections": {"type": "array", "items": {"$ref": "#/$defs/connection"},
                            "description": "extra connections (connectLayers)"},
            "loss": {"enum": list(LOSS_NAMES),
                     "description": "a dlnetwork spec: the network has no output layer and "
                                    "`layergraph train` calls trainnet with this loss"},
            "training": {"$ref": "#/$defs/training"},
            "data": {"$ref": "#/$defs/data"},
        },
        "additionalProperties": False,
        "$defs": defs,
    }
    return _allow_references(schema) if references else schema


def schema_text() -> str:
    """The schema as the exact text kept in the repository (for editors: with references)."""
    return json.dumps(build_schema(references=True), indent=2, allow_nan=False) + "\n"


def write_schema(path=SCHEMA_PATH) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_text(), encoding="utf-8")
    return path


def validator():
    """A jsonschema validator of the generated schema, rebuilt when a layer is registered."""
    return _validator(tuple(REGISTRY))


@functools.lru_cache(maxsize=1)
def _validator(layer_names):
    import jsonschema

    schema = build_schema()
    # Not checked against the metaschema here (that took ~0.3 s of every validate, analyze and
    # render); tests/test_schema.py checks the committed schema, which must equal this one.
    return jsonschema.validators.validator_for(schema)(schema)


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m layergraph.schema",
                                description="Print or write the JSON Schema of layergraph specs.")
    p.add_argument("--write", action="store_true", help=f"write it to {SCHEMA_PATH}")
    p.add_argument("--check", action="store_true",
                   help="exit 1 if the committed schema file differs from the generated one")
    args = p.parse_args(argv)
    if args.check:
        same = SCHEMA_PATH.exists() and SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()
        print("schema is up to date" if same else f"{SCHEMA_PATH} is out of date; run "
              "python -m layergraph.schema --write")
        return 0 if same else 1
    if args.write:
        print(f"wrote {write_schema()}")
    else:
        print(schema_text(), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
