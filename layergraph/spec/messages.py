"""Schema errors told in MATLAB's terms: a JSON Schema error becomes a :class:`SpecIssue` that
names the layer, the option as MATLAB spells it, the place and the expected form.

jsonschema reports *which rule* failed at *which path*; a user needs "bilstmLayer has no option
'NumHiddenUnit'; did you mean 'NumHiddenUnits'?" at line 6. This module does that translation,
one case per part of the document (top level, layers, connections, training, data).
"""

from __future__ import annotations

from ..layers import REGISTRY
from ..layers.base import _BY_KEY
from ..schema import DATA_KEYS, TOP_LEVEL, validator
from ..training.options import OPTIONS as TRAINING_OPTIONS
from ..training.options import SOLVERS
from .entries import label_entries, read_entry
from .issues import SpecIssue, closest
from .yaml_marks import Doc


def schema_issues(doc: Doc, file: str) -> list[SpecIssue]:
    """Every schema error of the document, translated; each issue keeps its document path."""
    out = []
    for err in validator().iter_errors(doc.data):
        for issue in _translate(err, doc, file):
            issue.path = tuple(err.absolute_path)
            out.append(issue)
    return out


def _layer_context(doc, path):
    """For a path inside layers: (entry, class, options path, option name or None)."""
    i = path[1]
    item = doc.data["layers"][i]
    e = read_entry(i, item)
    rest = path[len(e.opts_path):] if path[:len(e.opts_path)] == e.opts_path else ()
    return e, e.cls, e.opts_path, (rest[0] if rest else None)


def _label(doc, i):
    entries = [read_entry(k, it) for k, it in enumerate(doc.data["layers"])]
    label_entries(entries)
    return entries[i].label


def _value(v):
    return "nothing" if v is None else repr(v)


def _translate(err, doc: Doc, file: str):
    path = tuple(err.absolute_path)
    v = err.validator
    inst = err.instance

    def issue(msg, where=path, expected=None, layer=None, key=False):
        return SpecIssue(msg, *doc.at(where, key=key), layer, expected, file)

    if not path:
        if v == "type":
            yield issue("a spec must be a mapping", expected="keys: " + ", ".join(_top_keys()))
        elif v == "required":
            yield issue("the spec has no 'layers' list", expected="layers: [...]")
        elif v == "additionalProperties":
            for k in inst:
                if k not in _top_keys():
                    yield issue(f"unknown top-level key '{k}'{closest(k, _top_keys())}",
                                (k,), "one of: " + ", ".join(_top_keys()), key=True)
        else:
            yield issue(err.message)
        return

    if path[0] == "layers" and len(path) >= 2:
        yield from _translate_layer(err, doc, file, path, issue)
        return
    if path[0] == "layers":
        yield issue("'layers' must be a list of layers",
                    expected="a list under 'layers:', one '- type: {options}' per line")
        return

    if path[0] == "connections":
        if len(path) == 1:
            yield issue("'connections' must be a list", expected="'src -> dst' strings")
        else:
            yield issue(f"bad connection {inst!r}",
                        expected="'source -> destination' with 'layer' or 'layer/port' on each "
                                 "side, e.g. 'fold/miniBatchSize -> unfold/miniBatchSize'")
        return

    if path[0] == "training":
        names = ["solver", *(n for n in TRAINING_OPTIONS if n != "ValidationData")]
        if len(path) == 1:
            if v == "additionalProperties":
                for k in inst:
                    if k not in names:
                        yield issue(f"training: unknown option '{k}'{closest(k, names)}",
                                    ("training", k), "trainingOptions names: "
                                    + ", ".join(names), key=True)
            elif v == "required":
                yield issue("training: no 'solver'", expected="solver: " + " | ".join(SOLVERS))
            else:
                yield issue("'training' must be a mapping of trainingOptions",
                            expected="{solver: adam, MaxEpochs: 30, ...}")
            return
        name = path[1]
        if name == "solver":
            yield issue(f"training: invalid solver {_value(inst)}",
                        expected=" | ".join(repr(s) for s in SOLVERS))
        else:
            kind = TRAINING_OPTIONS[name].kind
            yield issue(f"training: invalid value for '{name}': got {_value(inst)}",
                        expected=kind.description)
        return

    if path[0] == "parameters":
        yield from _translate_parameter(err, doc, path, issue)
        return

    if path[0] == "data":
        if v == "additionalProperties":
            for k in inst:
                if k not in DATA_KEYS:
                    yield issue(f"data: unknown key '{k}'{closest(k, DATA_KEYS)}", ("data", k),
                                "one of: " + ", ".join(DATA_KEYS), key=True)
        else:
            yield issue(f"data: invalid value {_value(inst)}",
                        expected="{dataset: japanese_vowels} or {train: file.npz, test: "
                                 "file.npz}")
        return

    yield issue(err.message)  # pragma: no cover  (top-level keys are all handled above)


def _translate_parameter(err, doc, path, issue):
    """A schema error inside ``parameters``: its form, a key of a declaration, a type."""
    keys = ("default", "from", "type", "description")
    form = "{default: 9, from: \"numel(categories(YTrain))\"}"
    if len(path) == 1:
        if err.validator in ("propertyNames", "pattern"):
            yield issue(f"parameters: {err.instance!r} is not a parameter name", path + (
                err.instance,), "a name of letters, digits and '_' that starts with a letter",
                key=True)
        else:
            yield issue("'parameters' must be a mapping of name: declaration",
                        expected=f"numClasses: {form}")
        return
    name = path[1]
    if len(path) == 2:
        if err.validator == "additionalProperties":
            for k in err.instance:
                if k not in keys:
                    yield issue(f"parameter '{name}': unknown key '{k}'{closest(k, keys)}",
                                path + (k,), "one of: " + ", ".join(keys), key=True)
        else:
            yield issue(f"parameter '{name}' must be a mapping", expected=form)
        return
    yield issue(f"parameter '{name}': invalid {path[2]} {_value(err.instance)}",
                expected="integer | number | string | boolean | list" if path[2] == "type"
                else "a string")


def _top_keys():
    return list(TOP_LEVEL)


def _layer_forms(key="lstm"):
    return (f"'- {key}: {{Option: value, ...}}', '- {{type: {key}, Option: value}}' or "
            "'- softmax' for a layer without required options")


def _translate_layer(err, doc, file, path, issue):
    v, inst = err.validator, err.instance
    i = path[1]
    label = _label(doc, i)
    keys = [cls.yaml_key for cls in REGISTRY.values()]
    item = doc.data["layers"][i]
    if len(path) > 2 and isinstance(item, dict) and "type" not in item and len(item) > 1:
        return  # reported once, at the entry: its options are not indented under the type

    if len(path) == 2:  # the entry itself
        if isinstance(item, str):
            cls = _BY_KEY.get(item)
            if cls is None:
                yield issue(f"unknown layer type '{item}'{closest(item, keys)}", layer=label,
                            expected="a layer type (its YAML key or MATLAB name, e.g. lstm or "
                                     "lstmLayer): " + ", ".join(keys))
            else:
                req = ", ".join(cls.required)
                yield issue(f"{cls.matlab_name} needs {req}", layer=label,
                            expected=f"'- {item}: {{{cls.required[0]}: ...}}' or "
                                     f"'- {item}: VALUE'")
            return
        if not isinstance(item, dict):
            yield issue(f"a layer must be a type name or a mapping, got {_value(item)}",
                        layer=label, expected=_layer_forms())
            return
        if "type" in item:  # flat form
            e, cls, opts_path, _ = _layer_context(doc, path)
            if v == "required":
                for r in cls.required:
                    if r not in item and not _misspelled(r, item, cls):
                        yield issue(f"missing required option '{r}' of {cls.matlab_name}",
                                    layer=label, expected=cls.options[r].kind.description)
            elif v == "unevaluatedProperties":
                yield from _unknown_options(item, cls, path, label, issue, flat=True)
            else:
                yield issue(err.message, layer=label)
            return
        # keyed form: one key, the type
        type_keys = [k for k in item if k in _BY_KEY]
        others = [k for k in item if k not in _BY_KEY]
        if v == "maxProperties":
            if type_keys:
                t = type_keys[0]
                where = ("layers", i, others[0]) if others else ("layers", i)
                yield issue(f"layer entry has several keys ({', '.join(map(str, item))}); the "
                            f"options of '{t}' must be indented under it", where, layer=label,
                            key=bool(others),
                            expected=f"'- {t}:' with its options indented further, or '- {t}: "
                                     f"{{{', '.join(f'{o}: ...' for o in others)}}}'")
            return
        if v == "additionalProperties":
            if type_keys:
                return  # reported as maxProperties
            for k in others:
                yield issue(f"unknown layer type '{k}'{closest(k, keys)}", path + (k,),
                            layer=label, key=True,
                            expected="a layer type (its YAML key or MATLAB name, e.g. lstm or "
                                     "lstmLayer): " + ", ".join(keys))
            return
        if v == "minProperties":
            yield issue("empty layer entry", layer=label, expected=_layer_forms())
            return
        yield issue(err.message, layer=label)
        return

    e, cls, opts_path, opt = _layer_context(doc, path)
    if cls is None:  # pragma: no cover  (an unknown type is reported at the entry)
        return
    if path == opts_path:  # the options mapping (keyed form) or the short form
        if v == "unevaluatedProperties":
            yield from _unknown_options(inst, cls, path, label, issue, flat=False)
        elif v == "required":
            for r in cls.required:
                if isinstance(inst, dict) and _misspelled(r, inst, cls):
                    continue  # reported as an unknown option with 'did you mean'
                if not isinstance(inst, dict) or r not in inst:
                    yield issue(f"missing required option '{r}' of {cls.matlab_name}",
                                layer=label, expected=f"{r}: {cls.options[r].kind.description}",
                                key=True)
        else:
            yield from _short_form_issue(inst, cls, e, path, label, issue)
        return
    # inside the options
    if opt == "Name":
        yield issue(f"invalid Name {_value(inst)}", layer=label, expected="a string")
    elif opt == "inputs":
        yield issue(f"invalid 'inputs' {_value(inst)}", layer=label,
                    expected="a source 'layer' or 'layer/port', a list of them, a mapping "
                             "{port: source}, or []")
    elif opt in cls.options:
        yield issue(f"invalid value for '{opt}': got {_value(doc.value(path[:len(opts_path) + 1]))}",
                    path[:len(opts_path) + 1], layer=label,
                    expected=cls.options[opt].kind.description)
    else:  # a positional list item (short form)
        pos = list(cls.positional)
        k = path[len(opts_path)] if len(path) > len(opts_path) else None
        if isinstance(k, int) and k < len(pos):
            yield issue(f"invalid value for '{pos[k]}': got {_value(inst)}", layer=label,
                        expected=cls.options[pos[k]].kind.description)
        else:
            yield issue(err.message, layer=label)


def _misspelled(required, mapping, cls):
    """Whether some unknown key of ``mapping`` is a misspelling of option ``required``."""
    allowed = {"Name", "inputs", "type", *cls.options}
    for k in mapping:
        if k not in allowed and closest(k, ["Name", *cls.options]) == f"; did you mean '{required}'?":
            return True
    return False


def _unknown_options(mapping, cls, path, label, issue, flat):
    allowed = ["Name", *cls.options, "inputs"] + (["type"] if flat else [])
    for k in mapping:
        if k in allowed:
            continue
        hint = closest(k, allowed)
        yield issue(f"{cls.matlab_name} has no option '{k}'{hint}", path + (k,), layer=label,
                    key=True, expected="one of: " + ", ".join(allowed))


def _short_form_issue(inst, cls, e, path, label, issue):
    pos = list(cls.positional)
    key = e.key
    if not pos:
        yield issue(f"{cls.matlab_name} takes no positional arguments, got {_value(inst)}",
                    layer=label, expected=f"'- {key}' or '- {key}: {{Name: ...}}'")
    elif len(pos) == 1:
        if inst is None:
            yield issue(f"missing required option '{pos[0]}' of {cls.matlab_name}", layer=label,
                        expected=f"'- {key}: VALUE' or '- {key}: {{{pos[0]}: VALUE}}' with "
                                 f"{cls.options[pos[0]].kind.description}")
        else:
            yield issue(f"invalid value for '{pos[0]}': got {_value(inst)}", layer=label,
                        expected=cls.options[pos[0]].kind.description)
    else:
        yield issue(f"{cls.matlab_name} takes the positional arguments "
                    f"[{', '.join(pos)}], got {_value(inst)}", layer=label,
                    expected=f"'- {key}: [{', '.join('...' for _ in pos)}]' or "
                             f"'- {key}: {{{', '.join(p + ': ...' for p in pos)}}}'")
