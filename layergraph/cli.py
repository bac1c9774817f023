"""The ``layergraph`` command: validate, analyse, draw, train and run networks written as YAML specs.

    layergraph validate SPEC...                 errors with file:line:col; exit status 0 or 1
    layergraph analyze SPEC                     MATLAB's analyzeNetwork table and problems
    layergraph render SPEC -o net.svg           diagram: .svg, .png, .pdf or .dot
    layergraph train SPEC --data japanese_vowels --out net.pt
    layergraph train SPEC --nproc 2             the same on 2 worker processes (gloo or NCCL)
    torchrun --nproc-per-node 2 -m layergraph train SPEC    the same, launched by torchrun
    layergraph predict net.pt --data japanese_vowels --scores -o pred.csv
    layergraph from-matlab net.m -o net.yaml    translate MATLAB layer code
    layergraph export net.pt -o net.onnx        ONNX model of a saved network
    layergraph schema                           the JSON Schema of specs

The command is thin: specs are read by :func:`layergraph.load_spec`, data by
:meth:`Spec.load_data <layergraph.spec.Spec.load_data>` and :func:`layergraph.data.load_npz`,
so a Python user gets the same checks and the same data. Data sources (``--data``): a shipped data
set (``japanese_vowels``: ``train`` trains on its training split and evaluates on its test split;
``predict`` uses the test split), or an ``.npz`` file holding ``X`` and ``Y`` (``XTest``/``YTest``
too, optionally); see :func:`layergraph.data.load_npz`. Without ``--data`` the spec's ``data``
section is used.

Errors are one line on stderr (a spec's errors: one line each), never a traceback; ``--debug``
shows the traceback instead.

Each command imports what it needs when it runs: ``--help``, ``validate``, ``analyze``,
``render``, ``schema`` and ``from-matlab`` never import torch; ``train`` and ``predict`` do.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

from . import __version__
from .analysis import analyze
from .data import spread_indices
from .errors import DataError, LayerGraphError, OptionError
from .render import render
from .schema import SCHEMA_PATH, schema_text
from .spec.sources import DATASETS
from .training.options import SOLVERS

EXIT_STATUS = """\
exit status:
  0  success
  1  the check found something: 'validate' found errors in a spec (or could not read it),
     'analyze' found problems in the network
  2  an error: the command could not do its work, e.g. a spec, data file, network file or
     option value is invalid, an output path cannot be written, no CUDA GPU for --device gpu,
     a usage error, or an unexpected internal error; printed as one line that says where and
     what is expected (--debug shows the traceback)"""


def trainNetwork(*args, **kwargs):
    """:func:`layergraph.trainNetwork`, imported (with torch) on first call."""
    from .training.trainer import trainNetwork as train

    return train(*args, **kwargs)


def load_network(*args, **kwargs):
    """:func:`layergraph.load_network`, imported (with torch) on first call."""
    from .network import load_network as load

    return load(*args, **kwargs)


class CLIError(Exception):
    """An error to print as one line, without a traceback; ``code`` is the exit status."""

    def __init__(self, message, code=2):
        super().__init__(message)
        self.code = code


# --------------------------------------------------------------------------------------------
# subcommands


def cmd_validate(args) -> int:
    from .spec import SpecError, load_spec

    bad = 0
    variables = _spec_variables(args)  # a bad --var is a usage error, before any file
    for path in args.spec:
        try:
            spec = load_spec(_spec_path(path), strict=not args.no_analysis, check_files=True,
                             variables=variables)
        except SpecError as exc:
            bad += 1
            n = len(exc.errors)
            print(f"{path}: {n} error{'s' if n != 1 else ''}", file=sys.stderr)
            for issue in exc.errors:
                print(f"  {issue}", file=sys.stderr)
            continue
        except (CLIError, LayerGraphError) as exc:  # not there, a folder: a result for this file
            bad += 1
            print(_one_line(exc), file=sys.stderr)
            continue
        bound = ", ".join(f"{k}={v!r}" for k, v in spec.values.items())
        print(f"{path}: OK ({len(spec.graph)} layers, {len(spec.graph.edges())} connections"
              f"{', training options' if spec.options else ''}"
              f"{', parameters ' + bound if bound else ''})")
    return 1 if bad else 0


def cmd_analyze(args) -> int:
    from .spec import SpecError

    try:
        spec = _load(args.spec, strict=False, variables=_spec_variables(args))
    except SpecError as exc:  # the spec's own errors are what analyze found: a result
        print(_one_line(exc), file=sys.stderr)
        return 1
    result = analyze(spec.graph, dlnetwork=spec.dlnetwork)
    if spec.name:
        print(f"{spec.name}\n")
    print(result)
    return 0 if result.ok else 1


def cmd_render(args) -> int:
    spec = _load(args.spec, strict=False, variables=_spec_variables(args))
    out = _output_path(args.output, "-o") if args.output else Path(args.spec).with_suffix(
        "." + (args.format or "svg"))
    path = render(spec.graph, out, format=args.format, rankdir=args.rankdir,
                  show_sizes=args.sizes, highlight=not args.no_highlight, wrap=args.wrap,
                  notes=not args.no_notes)
    print(f"wrote {path}")
    return 0


def cmd_train(args) -> int:
    import yaml

    from .network import save_network
    from .spec import parse_value
    from .training.distributed import DISTRIBUTED_ENVIRONMENTS, is_main_process
    from .training.distributed import torchrun_environment as launched
    from .training.options import trainingOptions

    spec = _load(args.spec, strict=True, check_files=not args.data,  # --data replaces them
                 variables=_spec_variables(args))
    out = _output_path(args.out, "--out")
    given = spec.options.to_dict(only_given=True) if spec.options else {"SolverName": "adam"}
    solver = args.solver or given.pop("SolverName")
    given.pop("SolverName", None)
    overrides = {"MaxEpochs": args.max_epochs, "MiniBatchSize": args.mini_batch_size,
                 "InitialLearnRate": args.learn_rate, "Seed": args.seed,
                 "ExecutionEnvironment": args.device}
    given.update({k: v for k, v in overrides.items() if v is not None})
    if args.no_progress:
        given["ProgressBar"] = False
    if args.quiet:
        given["Verbose"] = False
    for item in args.set or []:
        name, value = _name_value(item, "--set", "a trainingOptions name")
        try:
            given[name] = parse_value(value)  # as in a spec: 1e-3 is a number
        except yaml.YAMLError:
            raise CLIError(f"--set {name}: cannot read {value!r} as a value (write it as in a "
                           "spec: a number, a word, true/false or [a, b])", 2) from None
    run = launched()
    if args.nproc is not None or (run is not None and run[1] > 1):  # several workers
        if str(given.get("ExecutionEnvironment", "auto")).lower() not in \
                DISTRIBUTED_ENVIRONMENTS:
            given["ExecutionEnvironment"] = "parallel"
    main = is_main_process()  # only worker 0 of a torchrun launch prints and saves
    options = trainingOptions(solver, **given)  # checked before any data are read
    _check_device(options.ExecutionEnvironment)
    train_src, test_src, val_src = _train_sources(args, spec)
    X, Y = spec.load_data("train", source=train_src, limit=args.limit,
                          allow_pickle=args.allow_pickle)
    if val_src is not None:
        val = spec.load_data("validation", source=val_src, allow_pickle=args.allow_pickle)
        options = trainingOptions(solver, **given, ValidationData=val)
    if main:
        print(f"Training {spec.name or args.spec} on {len(X)} sequences ({train_src}) "
              f"with {options!r}" + (f" on {args.nproc} workers" if args.nproc else ""),
              file=sys.stderr)
    if spec.dlnetwork:  # no output layer: trainnet with the spec's loss
        from .modern import dlnetwork
        from .training.trainer import trainnet

        net, info = trainnet(X, Y, dlnetwork(spec.graph, Seed=options.Seed or 0), spec.loss,
                             options, workers=args.nproc)
    else:
        net, info = trainNetwork(X, Y, spec.graph, options, workers=args.nproc)
    if not main:
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    save_network(net, out)
    print(f"saved the trained network to {out}")
    if options.Plots == "training-progress":
        print(f"saved the training-progress plot to {options.PlotPath}")
    if options.CheckpointPath:
        print(f"saved checkpoints in {options.CheckpointPath}")
    metric = getattr(info, "metric", None)
    if metric and info.get(f"Training{metric}"):
        last = info[f"Training{metric}"][-1]  # MATLAB's info: accuracy in percent
        shown = f"{last:.2f}%" if metric == "Accuracy" else f"{last:.4g}"
        print(f"training {metric.lower()} of the last mini-batch: {shown}")
    if test_src is not None:
        XT, YT = spec.load_data("test", source=test_src, limit=args.limit,
                                allow_pickle=args.allow_pickle)
        name, value = evaluate(net, XT, YT, spec.classification, args.mini_batch_size)
        print(f"test {name} ({len(XT)} sequences, {test_src}): {_fmt_metric(name, value)}")
    return 0


def cmd_predict(args) -> int:
    from .network import classify, predict
    from .spec import data_source

    out = _output_path(args.out, "--out") if args.out else None
    fmt = args.format or ("npy" if out and out.suffix == ".npy" else
                          "csv" if args.scores or (out and out.suffix == ".csv") else "text")
    if fmt == "npy" and args.scores:
        raise CLIError("--scores needs a table: write .csv (or --format csv), not .npy", 2)
    _check_device(args.device)
    net = load_network(args.network, ExecutionEnvironment=args.device or "auto")
    classification = any(lay.output_kind == "classification" for lay in net.graph.Layers)
    if args.scores and not classification:
        raise CLIError("--scores is for classification networks (this one predicts responses)",
                       2)
    src = data_source(args.data)
    X, Y = src.load(args.split, allow_pickle=args.allow_pickle, categorical=classification,
                    need_y=False)
    index = spread_indices(len(X), args.limit) if args.limit else np.arange(len(X))
    X = [X[i] for i in index]
    Y = None if Y is None else [Y[i] for i in index]
    kw = {"MiniBatchSize": args.mini_batch_size} if args.mini_batch_size is not None else {}
    if classification:
        pred, scores = classify(net, X, **kw)
        pred = list(pred)
    else:
        pred, scores = list(predict(net, X, **kw)), None
    if fmt == "npy":
        _save_npy(out, pred, classification)
    else:
        text = (_csv(pred, scores if args.scores else None, index, net, classification)
                if fmt == "csv" else "".join(_fmt_prediction(p) + "\n" for p in pred))
        if out:
            out.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    if out:
        print(f"wrote {len(pred)} predictions to {out}"
              + (" (with class scores)" if args.scores else ""), file=sys.stderr)
    if Y is not None:
        name, value = _score(pred, Y, classification, src)
        print(f"{name} ({len(X)} sequences): {_fmt_metric(name, value)}", file=sys.stderr)
    return 0


def cmd_export(args) -> int:
    from .onnx_export import exportONNXNetwork

    src = Path(args.network)
    out = _output_path(args.output or str(src.with_suffix(".onnx")), "--output")
    net = load_network(src, ExecutionEnvironment="cpu")
    kw = {"NetworkName": args.name} if args.name else {}
    if args.batch_size:
        kw["BatchSize"] = args.batch_size
    if args.opset:
        kw["OpsetVersion"] = args.opset
    exportONNXNetwork(net, out, **kw)
    print(f"wrote {out} (inputs x, lengths; batch {args.batch_size or 'and time'} "
          f"{'fixed, time dynamic' if args.batch_size else 'dynamic'})", file=sys.stderr)
    return 0


def cmd_from_matlab(args) -> int:
    from .matlab import from_matlab

    paths = [Path(f) for f in args.file]
    for path in paths:
        if path.is_dir():
            raise CLIError(f"{path}: is a folder, not a MATLAB file (give its files: "
                           f"{path}/*.m)")
        if not path.is_file():
            raise CLIError(f"{path}: no such file")
    out = _output_path(args.output, "-o") if args.output else None
    variables = {}
    for item in args.var or []:
        name, value = _name_value(item, "--var", "a MATLAB variable name")
        if not (all(part.isidentifier() for part in name.split(".")) or "(" in name):
            raise CLIError(f"--var expects NAME=VALUE with a MATLAB variable name, got {item!r}", 2)
        try:
            number = float(value) if not value.strip().lstrip("-").isdigit() else int(value)
        except ValueError:
            if args.to == "program":  # a program's parameter may be text (a data file)
                variables[name] = value
                continue
            raise CLIError(f"--var {name}: expected a number, got {value!r}", 2) from None
        if abs(number) > 2 ** 53 or not math.isfinite(number):  # abs first: a huge int
            raise CLIError(f"--var {name}: expected a finite number of at most 2^53 in size, "
                           f"got {value!r}", 2)
        variables[name] = number
    if args.to == "program":  # the whole program, not only the network
        return _write_program(paths, variables, out, args.main)
    # Bytes: the translator reads UTF-8, else GB18030, else Latin-1, and notes which.
    if len(paths) > 1 or args.main:  # a project: calls between its files are resolved
        result = from_matlab(paths, variables=variables or None, main=args.main)
    else:
        result = from_matlab(paths[0].read_bytes(), filename=str(paths[0]),
                             variables=variables or None)
    for note in result.notes:  # skipped statements (data, training, plots): never silently
        print(str(note).splitlines()[0], file=sys.stderr)
    to = args.to or ("python" if out and out.suffix == ".py" else "yaml")
    text = result.to_yaml() if to == "yaml" else result.to_python()
    if out:
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _write_program(paths, variables, out, main) -> int:
    """``from-matlab FILE --to program``: the whole script as a Python program."""
    from .matlab.program import translate_program

    if len(paths) > 1 or main:  # a project: the script with the other files' functions
        result = translate_program(paths, variables=variables or None, main=main)
    else:
        result = translate_program(paths[0].read_bytes(), filename=str(paths[0]),
                                   variables=variables or None)
    for note in result.notes:
        print(str(note).splitlines()[0], file=sys.stderr)
    if out:
        out.write_text(result.python, encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(result.python)
    return 0


def cmd_schema(args) -> int:
    text = schema_text()
    if args.check:
        same = SCHEMA_PATH.is_file() and SCHEMA_PATH.read_text(encoding="utf-8") == text
        print("schema is up to date" if same else f"{SCHEMA_PATH} is out of date; run "
              "python -m layergraph.schema --write", file=sys.stderr)
        return 0 if same else 1
    if args.output:
        out = _output_path(args.output, "-o")
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


# --------------------------------------------------------------------------------------------
# helpers


def _spec_path(path):
    p = Path(path)
    if p.is_dir():
        raise CLIError(f"{path}: is a folder, not a spec file")
    if not p.is_file():
        raise CLIError(f"{path}: no such file")
    return p


def _load(path, strict, check_files=False, variables=None):
    from .spec import load_spec

    return load_spec(_spec_path(path), strict=strict, check_files=check_files,
                     variables=variables)


def _spec_variables(args) -> dict | None:
    """The spec parameters given with ``--var NAME=VALUE``, each value read as a spec reads
    one (``9`` a number, ``last`` a word, ``[3, 16]`` a list); None when there are none."""
    import yaml

    from .spec import parse_value

    out = {}
    for item in getattr(args, "var", None) or []:
        name, value = _name_value(item, "--var", "a parameter of the spec")
        if not name.isidentifier():
            raise CLIError(f"--var expects NAME=VALUE with a parameter name of the spec, got "
                           f"{item!r}", 2)
        try:
            out[name] = parse_value(value)
        except yaml.YAMLError:
            raise CLIError(f"--var {name}: cannot read {value!r} as a value (write it as in a "
                           "spec: a number, a word, true/false or [a, b])", 2) from None
    return out or None


def _output_path(text, flag) -> Path:
    """An output file given on the command line, refused before any work when it cannot be one:
    a folder, or a place where no file can be created (a read-only folder, /proc, under a
    file), so that hours of training are never lost at the end for want of a place to save."""
    p = Path(text)
    if p.is_dir():
        raise CLIError(f"{flag} {text}: is a folder; give a file name in it", 2)
    folder = p.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the nearest folder that exists: the rest is created there
    try:
        if not folder.is_dir():
            raise NotADirectoryError(f"{folder} is a file, not a folder")
        tempfile.NamedTemporaryFile(dir=folder, prefix=".layergraph-probe-").close()
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise CLIError(f"{flag} {text}: cannot write a file there ({folder}: {why})", 2) from None
    return p


def _name_value(item, flag, what):
    name, eq, value = item.partition("=")
    if not eq or not name.strip():
        raise CLIError(f"{flag} expects NAME=VALUE ({what}), got {item!r}", 2)
    return name.strip(), value


def _check_device(env):
    """Refuse --device gpu (ExecutionEnvironment 'gpu') without CUDA, before reading data."""
    if env is not None and str(env).lower() == "gpu":
        from .network import resolve_device

        try:
            resolve_device("gpu")
        except OptionError as exc:
            raise CLIError(str(exc), 2) from None


def _train_sources(args, spec):
    """(train, test, validation) sources from --data/--test or the spec's data section."""
    from .spec import data_source

    if args.data:
        train = data_source(args.data)
        test = data_source(args.test) if args.test else (train if train.has("test") else None)
        return train, test, None
    train = spec.data_source("train")
    if train is None:
        raise CLIError("no training data: give --data (a shipped data set such as "
                       "japanese_vowels, or a .npz file) or a 'data' section in the spec", 2)
    test = data_source(args.test) if args.test else spec.data_source("test")
    return train, test, spec.data_source("validation")


def _score(pred, Y, classification, src=None):
    if classification:
        p = np.concatenate([np.ravel(np.asarray(a, dtype=str)) for a in pred])
        t = np.concatenate([np.ravel(np.asarray(a).astype(str)) for a in Y])
    else:
        p = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in pred])
        t = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in Y])
    if p.shape != t.shape:
        raise DataError(f"{src or 'the data'}: the labels or responses ({t.size} values) do not "
                        f"match the network's outputs ({p.size} values); expected as many, one "
                        "per sequence or one per time step as the network outputs")
    if classification:
        return "accuracy", float(np.mean(p == t))
    return "RMSE", float(np.sqrt(np.mean((p - t) ** 2)))


def evaluate(net, X, Y, classification, mini_batch_size=None):
    """('accuracy', fraction) or ('RMSE', value) of the network on (X, Y)."""
    from .network import classify, predict

    kw = {"MiniBatchSize": mini_batch_size} if mini_batch_size else {}
    if classification and net.dlnetwork:  # scores -> the trained classes
        names = np.array(net.training.get("classes") or [])
        scores = predict(net, X, **kw)
        pred = list(names[np.argmax(scores, -1)]) if len(names) else list(np.argmax(scores, -1))
    elif classification:
        pred = list(classify(net, X, **kw)[0])
    else:
        pred = list(predict(net, X, **kw))
    return _score(pred, Y, classification)


def _fmt_metric(name, value):
    return f"{100 * value:.2f}%" if name.lower() == "accuracy" else f"{value:.4g}"


def _fmt_prediction(p):
    a = np.asarray(p)
    if a.ndim == 0:
        return str(a.item())
    return " ".join(str(v) if a.dtype.kind in "US" else f"{v:.6g}" for v in a.ravel())


def _csv(pred, scores, index, net, classification) -> str:
    """A CSV table: the sequence's index in the data first, then (for outputs per time step)
    the time step, the label or responses, and the class scores when asked."""
    per_step = any(np.ndim(p) >= (1 if classification else 2) for p in pred)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    head = ["sequence", *(["time"] if per_step else [])]
    if classification:
        head += ["label", *(f"score_{c}" for c in net.Classes)] if scores is not None \
            else ["label"]
    else:
        width = np.shape(pred[0])[-1] if np.ndim(pred[0]) else 1
        head += ["response"] if width == 1 else [f"response_{k + 1}" for k in range(width)]
    w.writerow(head)
    for n, i in enumerate(index):
        p = np.asarray(pred[n])
        s = None if scores is None else np.asarray(scores[n])
        steps = range(len(p)) if per_step else [None]
        for t in steps:
            row = [int(i), *([t] if per_step else [])]
            value = p if t is None else p[t]
            if classification:
                row.append(str(value))
                if s is not None:
                    row += [f"{v:.6g}" for v in (s if t is None else s[t])]
            else:
                row += [f"{v:.6g}" for v in np.ravel(value)]
            w.writerow(row)
    return buf.getvalue()


def _save_npy(path, pred, classification):
    try:
        arr = np.asarray(pred) if not classification else np.asarray(pred, dtype=str)
    except ValueError:
        arr = None
    if arr is None or arr.dtype == object:
        raise CLIError("predictions differ in length per sequence and cannot be one .npy array; "
                       "write .txt or .csv instead", 2)
    np.save(path, arr)


def _one_line(exc) -> str:
    """An error as one line: a spec's errors keep their own line each, anything else is joined."""
    from .spec import SpecError

    if isinstance(exc, SpecError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
    text = " ".join(part.strip() for part in str(exc).splitlines() if part.strip())
    return text or type(exc).__name__


def _failure(exc) -> tuple[int, str]:
    """(exit status, message) of an error that ends a command."""
    if isinstance(exc, CLIError):
        return exc.code, _one_line(exc)
    if isinstance(exc, LayerGraphError):
        return 2, _one_line(exc)
    if isinstance(exc, OSError):
        return 2, _one_line(exc)
    return 2, (f"internal error: {type(exc).__name__}: {_one_line(exc)} (run with --debug for "
               "the traceback, and please report it)")


def _wrap(text):
    """--wrap's value: 'auto', 'none' or a number of layers (argparse reports anything else)."""
    low = text.lower()
    if low in ("auto", "none"):
        return None if low == "none" else "auto"
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of layers, 'auto' or 'none', got "
                                         f"{text!r}") from None
    if n < 2:
        raise argparse.ArgumentTypeError(f"expected at least 2 layers per row, got {n}")
    return n


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)  # flags every command takes, before or after
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="on an error, show the full traceback instead of one line")
    p = argparse.ArgumentParser(
        prog="layergraph", parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter,
        description="MATLAB-style sequence networks as YAML specs: validate, analyse, draw, "
                    "train and run them.",
        epilog="Run 'layergraph COMMAND --help' for the options of a command.\n\n" + EXIT_STATUS)
    p.add_argument("--version", action="version", version=f"layergraph {__version__}")
    spec_vars = argparse.ArgumentParser(add_help=False)  # the spec commands bind parameters
    spec_vars.add_argument("--var", action="append", metavar="NAME=VALUE",
                           help="value of a parameter the spec declares (parameters: ...; "
                                "referred to as $NAME), e.g. --var numClasses=9; repeatable")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    s = sub.add_parser("validate", parents=[common, spec_vars],
                       help="check specs against the schema and the analysis",
                       description="Check YAML specs: schema (layer types, option names and "
                                   "values), connections, names, and the network analysis. "
                                   "Prints every error as file:line:col, and checks that the data "
                                   "files the spec names exist. Exit status 0 when all are valid, "
                                   "1 otherwise (a result, not a failure of the command); 2 for "
                                   "a usage error.")
    s.add_argument("spec", nargs="+", metavar="SPEC", help="YAML spec file(s)")
    s.add_argument("--no-analysis", action="store_true",
                   help="check the format only, not the analysis (unconnected ports, sizes, ...)")
    s.set_defaults(func=cmd_validate)

    s = sub.add_parser("analyze", parents=[common, spec_vars], aliases=["analyse"],
                       help="print the analyzeNetwork table",
                       description="Print MATLAB's analyzeNetwork table (layers, activation "
                                   "sizes, learnables) and every problem. Exit status 1 when "
                                   "there are problems.")
    s.add_argument("spec", metavar="SPEC", help="YAML spec file")
    s.set_defaults(func=cmd_analyze)

    s = sub.add_parser("render", parents=[common, spec_vars], help="draw the network diagram (graphviz)",
                       description="Draw the network: one node per layer (name, type, key "
                                   "options), port names on fold/unfold edges, problems in red.")
    s.add_argument("spec", metavar="SPEC", help="YAML spec file")
    s.add_argument("-o", "--output", metavar="FILE",
                   help="output file: .svg, .png, .pdf or .dot (default: SPEC with .svg)")
    s.add_argument("-f", "--format", choices=["svg", "png", "pdf", "dot"],
                   help="output format (default: from the extension)")
    s.add_argument("--rankdir", choices=["TB", "LR"], default="TB",
                   help="TB: top to bottom like MATLAB's plot (default); LR: left to right")
    s.add_argument("--lr", dest="rankdir", action="store_const", const="LR",
                   help="same as --rankdir LR")
    s.add_argument("--sizes", action="store_true",
                   help="label edges with activation sizes from the analysis")
    s.add_argument("--no-highlight", action="store_true",
                   help="do not draw layers with problems in red")
    s.add_argument("--wrap", type=_wrap, default="auto", metavar="N|auto|none",
                   help="cut a long chain into rows (LR) or columns (TB) of N layers; 'auto' "
                        "(default) wraps LR chains over 12 and TB chains over 30 layers")
    s.add_argument("--no-notes", action="store_true",
                   help="no note boxes with the problems' text (SVG tooltips keep it)")
    s.set_defaults(func=cmd_render)

    s = sub.add_parser("train", parents=[common, spec_vars], help="train a spec's network and evaluate it",
                       description="Train with the spec's training options (flags override them; "
                                   "solver 'adam' when the spec has none), save the network, "
                                   "and evaluate on the test data.")
    s.add_argument("spec", metavar="SPEC", help="YAML spec file")
    s.add_argument("--data", metavar="SOURCE",
                   help="a shipped data set (" + ", ".join(DATASETS) + ") or an .npz file "
                        "with X and Y (default: the spec's data "
                        "section)")
    s.add_argument("--test", metavar="SOURCE", help="evaluation data (default: the test split "
                                                    "or XTest/YTest of the .npz file)")
    s.add_argument("--out", "-o", metavar="FILE", default="net.pt",
                   help="where to save the trained network (default: net.pt); checked before "
                        "training")
    s.add_argument("--solver", choices=list(SOLVERS))
    s.add_argument("--max-epochs", type=int, metavar="N", help="MaxEpochs")
    s.add_argument("--mini-batch-size", type=int, metavar="N", help="MiniBatchSize")
    s.add_argument("--learn-rate", type=float, metavar="X", help="InitialLearnRate")
    s.add_argument("--seed", type=int, metavar="N", help="Seed (reproducible training)")
    s.add_argument("--device", choices=["auto", "cpu", "gpu", "multi-gpu", "parallel"],
                   help="ExecutionEnvironment")
    s.add_argument("--nproc", type=_count, metavar="N",
                   help="train on N worker processes started here (ExecutionEnvironment "
                        "'parallel' unless 'multi-gpu' is set): gloo on CPUs, NCCL with one "
                        "GPU each; MiniBatchSize is divided among them. Under torchrun, leave "
                        "it out")
    s.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="any trainingOptions option, e.g. --set Shuffle=never (repeatable)")
    s.add_argument("--limit", type=_count, metavar="N",
                   help="use only N training and N test sequences, spread over the data")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.add_argument("--quiet", action="store_true", help="no progress table (Verbose false)")
    s.add_argument("--allow-pickle", action="store_true",
                   help="allow object arrays in .npz files (only for files you trust)")
    s.set_defaults(func=cmd_train)

    s = sub.add_parser("predict", parents=[common], help="run a saved network on data",
                       description="Classify (or predict responses for) each sequence with a "
                                   "network saved by 'layergraph train' or save_network. Prints "
                                   "one line per sequence (the label, or the responses), or a "
                                   "CSV table (with --scores, --format csv or -o FILE.csv): a "
                                   "header, the sequence's 0-based index in the data first, a "
                                   "time column for outputs per time step, then the label and "
                                   "with --scores one score_CLASS column per class. The "
                                   "accuracy/RMSE goes to stderr when the data have labels.")
    s.add_argument("network", metavar="NET", help="saved network file (.pt)")
    s.add_argument("--data", required=True, metavar="SOURCE",
                   help="a shipped data set (" + ", ".join(DATASETS) + ") or an .npz file "
                        "with X (and optionally Y)")
    s.add_argument("--split", choices=["train", "test"], default="test",
                   help="data set split, or X/Y (train) vs XTest/YTest (test) of an .npz file "
                        "(default: test; an .npz file without XTest uses X)")
    s.add_argument("--out", "-o", metavar="FILE",
                   help="write predictions to FILE instead of stdout: .txt (lines), .csv "
                        "(table) or .npy (one array)")
    s.add_argument("--scores", action="store_true",
                   help="add the class scores of each sequence (classification; a CSV table)")
    s.add_argument("--format", choices=["text", "csv", "npy"],
                   help="output format (default: from the -o extension; text on stdout, csv "
                        "with --scores)")
    s.add_argument("--mini-batch-size", type=int, metavar="N", help="MiniBatchSize")
    s.add_argument("--device", choices=["auto", "cpu", "gpu"], help="ExecutionEnvironment")
    s.add_argument("--limit", type=_count, metavar="N",
                   help="use only N sequences, spread over the data (the index column keeps "
                        "their place)")
    s.add_argument("--allow-pickle", action="store_true",
                   help="allow object arrays in .npz files (only for files you trust)")
    s.set_defaults(func=cmd_predict)

    s = sub.add_parser("export", parents=[common], help="write a saved network as an ONNX model",
                       description="Write a network saved by 'layergraph train' or save_network "
                                   "as an ONNX model (exportONNXNetwork): inputs x (batch, time, "
                                   "channels) and lengths, dynamic batch and time axes, "
                                   "padding-invariant like predict. Needs the ONNX extra: pip "
                                   "install 'layergraph[onnx]'.")
    s.add_argument("network", metavar="NET", help="saved network file (.pt)")
    s.add_argument("-o", "--output", metavar="FILE",
                   help="ONNX file to write (default: NET with .onnx)")
    s.add_argument("--name", metavar="NAME", help="NetworkName of the ONNX graph")
    s.add_argument("--batch-size", type=_count, metavar="N",
                   help="fix the batch axis to N (default: dynamic)")
    s.add_argument("--opset", type=int, metavar="N", help="OpsetVersion (default 18)")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("from-matlab", parents=[common],
                       help="translate MATLAB layer code to a spec or Python",
                       description="Translate MATLAB code (layer arrays, layerGraph edits, "
                                   "trainingOptions) to a YAML spec or to Python.")
    s.add_argument("file", metavar="FILE", nargs="+",
                   help="MATLAB file (.m); several: one program whose calls between the files "
                        "are resolved")
    s.add_argument("--main", metavar="NAME",
                   help="with several files: the script or function (file name without .m) "
                        "to translate")
    s.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    s.add_argument("--to", choices=["yaml", "python", "program"],
                   help="output: yaml (the network's spec), python (the network and options) "
                        "or program (the whole script as a Python program: data, training, "
                        "prediction, metrics, plots); default: yaml, or python for a .py "
                        "output")
    s.add_argument("--var", action="append", metavar="NAME=VALUE",
                   help="value of a variable the code computes from data, e.g. --var "
                        "numClasses=9, a struct field (params.numHidden=100) or an input of "
                        "the function translated; each becomes a parameter of the output "
                        "(repeatable)")
    s.set_defaults(func=cmd_from_matlab)

    s = sub.add_parser("schema", parents=[common], help="print the JSON Schema of specs",
                       description="Print (or write) the JSON Schema that specs are validated "
                                   "against, e.g. for an editor's YAML language server.")
    s.add_argument("-o", "--output", metavar="FILE", help="write it to FILE")
    s.add_argument("--check", action="store_true",
                   help="exit status 1 if the committed schema file differs from the generated "
                        "one")
    s.set_defaults(func=cmd_schema)
    return p


def _count(text):
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}")
    return n


def main(argv=None) -> int:
    """Run the command line; returns the exit status (see ``layergraph --help``)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        if getattr(args, "debug", False):
            raise
        print(f"layergraph {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if getattr(args, "debug", False):
            raise
        code, message = _failure(exc)
        print(f"layergraph {args.command}: error: {message}", file=sys.stderr)
        return code


def run():
    """The ``layergraph`` command: :func:`main`, then the exit (see distributed.exit_process:
    a process that trained as one of several workers ends past Python's teardown)."""
    code = main()
    distributed = sys.modules.get("layergraph.training.distributed")  # loaded if it trained
    if distributed is None:
        sys.exit(code)
    distributed.exit_process(code)


if __name__ == "__main__":  # pragma: no cover
    run()
