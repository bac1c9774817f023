"""The ``layergraph`` command: validate, analyse, draw, train and run networks written as YAML specs.

    layergraph validate SPEC...                 errors with file:line:col; exit status 0 or 1
    layergraph analyze SPEC                     MATLAB's analyzeNetwork table and problems
    layergraph render SPEC -o net.svg           diagram: .svg, .png, .pdf or .dot
    layergraph train SPEC --data japanese_vowels --out net.pt
    layergraph predict net.pt --data japanese_vowels
    layergraph from-matlab net.m -o net.yaml    translate MATLAB layer code
    layergraph schema                           the JSON Schema of specs

Data sources (``--data``): ``japanese_vowels`` (shipped: ``train`` trains on the training split
and evaluates on the test split; ``predict`` uses the test split), or an ``.npz`` file holding
``X`` and ``Y`` (``XTest``/``YTest`` too, optionally). ``X`` is (N, T, C) — with ``lengths`` (N,)
for sequences of different lengths — or (sum of T, C) with ``lengths``; object arrays of
sequences need ``--allow-pickle`` (only for files you trust). Without ``--data`` the spec's
``data`` section is used. Exit status: 0 success, 1 invalid spec / failed check / bad data,
2 usage error or a missing optional part.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from .errors import LayerGraphError

DATASETS = ("japanese_vowels",)


class CLIError(Exception):
    """An error to print without a traceback; ``code`` is the exit status."""

    def __init__(self, message, code=1):
        super().__init__(message)
        self.code = code


# --------------------------------------------------------------------------------------------
# subcommands


def cmd_validate(args) -> int:
    from .spec import SpecError, load_spec

    bad = 0
    for path in args.spec:
        try:
            spec = load_spec(_spec_path(path), strict=not args.no_analysis)
        except SpecError as exc:
            bad += 1
            n = len(exc.errors)
            print(f"{path}: {n} error{'s' if n != 1 else ''}", file=sys.stderr)
            for issue in exc.errors:
                print(f"  {issue}", file=sys.stderr)
            continue
        print(f"{path}: OK ({len(spec.graph)} layers, {len(spec.graph.edges())} connections"
              f"{', training options' if spec.options else ''})")
    return 1 if bad else 0


def cmd_analyze(args) -> int:
    from .analysis import analyze

    spec = _load(args.spec, strict=False)
    result = analyze(spec.graph)
    if spec.name:
        print(f"{spec.name}\n")
    print(result)
    return 0 if result.ok else 1


def cmd_render(args) -> int:
    from .render import render

    spec = _load(args.spec, strict=False)
    out = Path(args.output) if args.output else Path(args.spec).with_suffix(
        "." + (args.format or "svg"))
    path = render(spec.graph, out, format=args.format, rankdir=args.rankdir,
                  show_sizes=args.sizes, highlight=not args.no_highlight)
    print(f"wrote {path}")
    return 0


def cmd_train(args) -> int:
    import yaml

    from .spec import SpecLoader as _Loader

    spec = _load(args.spec, strict=True)
    try:
        from . import save_network
        from .training import trainingOptions, trainNetwork
    except ImportError as exc:  # pragma: no cover  (the trainer ships with the package)
        raise CLIError(f"training is not available in this installation: {exc}", 2) from None

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
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise CLIError(f"--set expects Name=Value (a trainingOptions name), got {item!r}", 2)
        given[name.strip()] = yaml.load(value, Loader=_Loader)  # as in a spec: 1e-3 is a number
    classification = _is_classification(spec.graph)
    train_src, test_src, val_src = _train_sources(args, spec)
    X, Y = load_data(train_src, "train", args.allow_pickle, classification)
    if args.limit:
        X, Y = _subset(X, Y, args.limit)
    if (spec.data or {}).get("order") == "sorted-by-length":  # as MATLAB's examples do
        idx = np.argsort([len(x) for x in X], kind="stable")
        X, Y = [X[i] for i in idx], (None if Y is None else [Y[i] for i in idx])
    if val_src is not None:
        given["ValidationData"] = load_data(val_src, "validation", args.allow_pickle,
                                            classification)
    options = trainingOptions(solver, **given)
    print(f"Training {spec.name or args.spec} on {len(X)} sequences ({_describe(train_src)}) "
          f"with {options!r}", file=sys.stderr)
    net, info = trainNetwork(X, Y, spec.graph, options)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_network(net, out)
    print(f"saved the trained network to {out}")
    metric = getattr(info, "metric", None)
    if metric and info.get(f"Training{metric}"):
        last = info[f"Training{metric}"][-1]  # MATLAB's info: accuracy in percent
        shown = f"{last:.2f}%" if metric == "Accuracy" else f"{last:.4g}"
        print(f"training {metric.lower()} of the last mini-batch: {shown}")
    if test_src is not None:
        XT, YT = load_data(test_src, "test", args.allow_pickle, classification)
        if args.limit:
            XT, YT = _subset(XT, YT, args.limit)
        name, value = evaluate(net, XT, YT, classification, args.mini_batch_size)
        print(f"test {name} ({len(XT)} sequences, {_describe(test_src)}): "
              f"{_fmt_metric(name, value)}")
    return 0


def cmd_predict(args) -> int:
    from . import load_network

    net = load_network(args.network, ExecutionEnvironment=args.device or "auto")
    classification = _is_classification(net.graph)
    src = _source(args.data, None)
    X, Y = load_data(src, args.split, args.allow_pickle, classification, need_y=False)
    if args.limit:
        X, Y = _subset(X, Y, args.limit)
    out = _predict(net, X, classification, args.mini_batch_size)
    lines = [_fmt_prediction(p) for p in out]
    if args.out:
        path = Path(args.out)
        if path.suffix == ".npy":
            try:
                arr = np.asarray(out) if not classification else np.asarray(out, dtype=str)
            except ValueError:
                raise CLIError("predictions differ in length per sequence and cannot be one "
                               ".npy array; write .txt or .csv instead") from None
            if arr.dtype == object:
                raise CLIError("predictions differ in length per sequence and cannot be one "
                               ".npy array; write .txt or .csv instead")
            np.save(path, arr)
        else:
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {len(lines)} predictions to {path}", file=sys.stderr)
    else:
        for line in lines:
            print(line)
    if Y is not None:
        name, value = _score(out, Y, classification)
        print(f"{name} ({len(X)} sequences): {_fmt_metric(name, value)}", file=sys.stderr)
    return 0


def cmd_from_matlab(args) -> int:
    try:
        from .matlab import from_matlab
    except ImportError:
        raise CLIError("translation from MATLAB is not available in this installation "
                       "(layergraph.matlab.from_matlab is missing)", 2) from None
    path = Path(args.file)
    if not path.is_file():
        raise CLIError(f"{path}: no such file")
    variables = {}
    for item in args.var or []:
        name, eq, value = item.partition("=")
        if not eq or not name.strip().isidentifier():
            raise CLIError(f"--var expects NAME=VALUE with a MATLAB variable name, got {item!r}", 2)
        try:
            variables[name.strip()] = float(value) if not value.strip().lstrip("-").isdigit() \
                else int(value)
        except ValueError:
            raise CLIError(f"--var {name.strip()}: expected a number, got {value!r}", 2) from None
    result = from_matlab(path.read_text(encoding="utf-8"), filename=str(path),
                         variables=variables or None)
    for note in result.notes:  # skipped statements (data, training, plots): never silently
        print(str(note).splitlines()[0], file=sys.stderr)
    to = args.to or ("python" if args.output and args.output.endswith(".py") else "yaml")
    text = result.to_yaml() if to == "yaml" else result.to_python()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_schema(args) -> int:
    from .schema import schema_text

    text = schema_text()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


# --------------------------------------------------------------------------------------------
# data


def _spec_path(path):
    p = Path(path)
    if not p.is_file():
        raise CLIError(f"{path}: no such file")
    return p


def _load(path, strict):
    from .spec import load_spec

    return load_spec(_spec_path(path), strict=strict)


def _is_classification(graph) -> bool:
    return any(lay.output_kind == "classification" for lay in graph.Layers)


def _source(text, spec_dir):
    """A data source: ('dataset', name) or ('file', Path)."""
    norm = str(text).replace("-", "_").lower()
    if norm in DATASETS:
        return ("dataset", norm)
    p = Path(text).expanduser()
    if not p.is_absolute() and spec_dir is not None and not p.exists():
        p = Path(spec_dir) / p
    if p.suffix != ".npz":
        raise CLIError(f"unknown data source {text!r}: give a shipped data set "
                       f"({', '.join(DATASETS)}) or an .npz file with arrays X and Y")
    if not p.is_file():
        raise CLIError(f"data file not found: {p}")
    return ("file", p)


def _describe(src):
    return src[1] if src[0] == "dataset" else str(src[1])


def _train_sources(args, spec):
    """(train, test, validation) sources from --data/--test or the spec's data section."""
    spec_dir = Path(spec.file).resolve().parent if spec.file else None
    data = spec.data or {}
    if args.data:
        train = _source(args.data, None)
        test = _source(args.test, None) if args.test else (
            train if train[0] == "dataset" or _has_test(train) else None)
        return train, test, None
    if data.get("dataset"):
        train = _source(data["dataset"], spec_dir)
        test = _source(args.test, None) if args.test else train
        return train, test, None
    if data.get("train"):
        train = _source(data["train"], spec_dir)
        test = _source(args.test, None) if args.test else (
            _source(data["test"], spec_dir) if data.get("test") else
            (train if _has_test(train) else None))
        val = _source(data["validation"], spec_dir) if data.get("validation") else None
        return train, test, val
    raise CLIError("no training data: give --data (japanese_vowels or a .npz file) or a 'data' "
                   "section in the spec", 2)


def _has_test(src):
    if src[0] != "file":
        return False
    with np.load(src[1], allow_pickle=False) as z:
        return "XTest" in z.files


def load_data(src, split, allow_pickle=False, classification=True, need_y=True):
    """(X, Y) from a source; ``split`` picks the data set split or the .npz keys (X/Y or
    XTest/YTest for 'test', XValidation/YValidation for 'validation')."""
    kind, what = src
    if kind == "dataset":
        from .datasets import japanese_vowels

        if what == "japanese_vowels":
            return japanese_vowels("train" if split == "train" else "test")
        raise CLIError(f"unknown data set {what!r}")  # pragma: no cover
    try:
        z = np.load(what, allow_pickle=allow_pickle)
    except Exception as exc:
        raise CLIError(f"{what}: cannot read it as .npz ({exc})") from None
    with z:
        keys = set(z.files)
        xk, yk = "X", "Y"
        if split == "test" and "XTest" in keys:
            xk, yk = "XTest", "YTest"
        elif split == "validation" and "XValidation" in keys:
            xk, yk = "XValidation", "YValidation"
        if xk not in keys:
            raise CLIError(f"{what}: no array '{xk}' (it has: {', '.join(sorted(keys))})")
        try:
            X = z[xk]
            Y = z[yk] if yk in keys else None
            lengths = z["lengths" if xk == "X" else f"lengths{xk[1:]}"] \
                if ("lengths" if xk == "X" else f"lengths{xk[1:]}") in keys else None
        except ValueError as exc:
            if "allow_pickle" in str(exc):
                raise CLIError(f"{what}: '{xk}' or '{yk}' is an object array, which needs pickle "
                               "to load; re-run with --allow-pickle if you trust the file, or "
                               "store X as (N, T, C) with a 'lengths' array") from None
            raise
    if Y is None and need_y:
        raise CLIError(f"{what}: no array '{yk}' (the labels or responses)")
    if lengths is not None:
        X, Y = _split_lengths(X, Y, np.asarray(lengths, dtype=int), what)
    if Y is not None and classification and not isinstance(Y, list):
        Y = np.asarray(Y)
        if Y.dtype.kind in "iub":
            Y = Y.astype(str)
    return X, Y


def _split_lengths(X, Y, lengths, what):
    X = np.asarray(X)
    n = len(lengths)
    if X.ndim >= 3 and X.shape[0] == n:  # padded (N, T, C)
        seqs = [X[i, :t] for i, t in enumerate(lengths)]
        per_step = Y is not None and np.ndim(Y) >= 2 and np.shape(Y)[:2] == X.shape[:2]
        if per_step:
            Y = [np.asarray(Y)[i, :t] for i, t in enumerate(lengths)]
        return seqs, Y
    if X.shape[0] == int(lengths.sum()):  # concatenated (sum T, C)
        seqs = np.split(X, np.cumsum(lengths)[:-1])
        if Y is not None and len(Y) == X.shape[0] and len(Y) != n:
            Y = np.split(np.asarray(Y), np.cumsum(lengths)[:-1])
        return seqs, Y
    raise CLIError(f"{what}: 'lengths' ({n} sequences, {int(lengths.sum())} steps) does not fit "
                   f"X of shape {X.shape}; expected (N, T, C) or (sum of lengths, C)")


def _subset(X, Y, limit):
    """``limit`` sequences spread evenly over the data (so every class stays represented)."""
    n = len(X)
    if limit >= n:
        return X, Y
    idx = np.linspace(0, n - 1, limit).round().astype(int)
    Xs = [X[i] for i in idx]
    Ys = None if Y is None else ([Y[i] for i in idx] if isinstance(Y, list) else np.asarray(Y)[idx])
    return Xs, Ys


def _predict(net, X, classification, mini_batch_size=None):
    from . import classify, predict

    kw = {"MiniBatchSize": mini_batch_size} if mini_batch_size else {}
    if classification:
        labels, _ = classify(net, X, **kw)
        return list(labels)
    return list(predict(net, X, **kw))


def _score(pred, Y, classification):
    if classification:
        p = np.concatenate([np.ravel(np.asarray(a, dtype=str)) for a in pred])
        t = np.concatenate([np.ravel(np.asarray(a).astype(str)) for a in Y])
        return "accuracy", float(np.mean(p == t))
    p = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in pred])
    t = np.concatenate([np.ravel(np.asarray(a, dtype=float)) for a in Y])
    return "RMSE", float(np.sqrt(np.mean((p - t) ** 2)))


def evaluate(net, X, Y, classification, mini_batch_size=None):
    """('accuracy', fraction) or ('RMSE', value) of the network on (X, Y)."""
    return _score(_predict(net, X, classification, mini_batch_size), Y, classification)


def _fmt_metric(name, value):
    return f"{100 * value:.2f}%" if name.lower() == "accuracy" else f"{value:.4g}"


def _fmt_prediction(p):
    a = np.asarray(p)
    if a.ndim == 0:
        return str(a.item())
    return " ".join(str(v) if a.dtype.kind in "US" else f"{v:.6g}" for v in a.ravel())


# --------------------------------------------------------------------------------------------
# the parser


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="layergraph",
        description="MATLAB-style sequence networks as YAML specs: validate, analyse, draw, "
                    "train and run them.",
        epilog="Run 'layergraph COMMAND --help' for the options of a command.")
    from . import __version__

    p.add_argument("--version", action="version", version=f"layergraph {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    s = sub.add_parser("validate", help="check specs against the schema and the analysis",
                       description="Check YAML specs: schema (layer types, option names and "
                                   "values), connections, names, and the network analysis. "
                                   "Prints every error as file:line:col. Exit status 0 when all "
                                   "are valid, 1 otherwise.")
    s.add_argument("spec", nargs="+", metavar="SPEC", help="YAML spec file(s)")
    s.add_argument("--no-analysis", action="store_true",
                   help="check the format only, not the analysis (unconnected ports, sizes, ...)")
    s.set_defaults(func=cmd_validate)

    s = sub.add_parser("analyze", aliases=["analyse"], help="print the analyzeNetwork table",
                       description="Print MATLAB's analyzeNetwork table (layers, activation "
                                   "sizes, learnables) and every problem. Exit status 1 when "
                                   "there are problems.")
    s.add_argument("spec", metavar="SPEC", help="YAML spec file")
    s.set_defaults(func=cmd_analyze)

    s = sub.add_parser("render", help="draw the network diagram (graphviz)",
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
    s.set_defaults(func=cmd_render)

    s = sub.add_parser("train", help="train a spec's network and evaluate it",
                       description="Train with the spec's training options (flags override them; "
                                   "solver 'adam' when the spec has none), save the network, "
                                   "and evaluate on the test data.")
    s.add_argument("spec", metavar="SPEC", help="YAML spec file")
    s.add_argument("--data", metavar="SOURCE",
                   help="japanese_vowels or an .npz file with X and Y (default: the spec's data "
                        "section)")
    s.add_argument("--test", metavar="SOURCE", help="evaluation data (default: the test split "
                                                    "or XTest/YTest of the .npz file)")
    s.add_argument("--out", "-o", metavar="FILE", default="net.pt",
                   help="where to save the trained network (default: net.pt)")
    s.add_argument("--solver", choices=["sgdm", "adam", "rmsprop"])
    s.add_argument("--max-epochs", type=int, metavar="N", help="MaxEpochs")
    s.add_argument("--mini-batch-size", type=int, metavar="N", help="MiniBatchSize")
    s.add_argument("--learn-rate", type=float, metavar="X", help="InitialLearnRate")
    s.add_argument("--seed", type=int, metavar="N", help="Seed (reproducible training)")
    s.add_argument("--device", choices=["auto", "cpu", "gpu"], help="ExecutionEnvironment")
    s.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="any trainingOptions option, e.g. --set Shuffle=never (repeatable)")
    s.add_argument("--limit", type=int, metavar="N",
                   help="use only N training and N test sequences, spread over the data")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.add_argument("--quiet", action="store_true", help="no progress table (Verbose false)")
    s.add_argument("--allow-pickle", action="store_true",
                   help="allow object arrays in .npz files (only for files you trust)")
    s.set_defaults(func=cmd_train)

    s = sub.add_parser("predict", help="run a saved network on data",
                       description="Classify (or predict responses for) each sequence with a "
                                   "network saved by 'layergraph train' or save_network; prints "
                                   "one line per sequence, and the accuracy/RMSE when the data "
                                   "have labels.")
    s.add_argument("network", metavar="NET", help="saved network file (.pt)")
    s.add_argument("--data", required=True, metavar="SOURCE",
                   help="japanese_vowels or an .npz file with X (and optionally Y)")
    s.add_argument("--split", choices=["train", "test"], default="test",
                   help="data set split, or X/Y (train) vs XTest/YTest (test) of an .npz file "
                        "(default: test; an .npz file without XTest uses X)")
    s.add_argument("--out", "-o", metavar="FILE",
                   help="write predictions to FILE (.txt/.csv lines, or .npy) instead of stdout")
    s.add_argument("--mini-batch-size", type=int, metavar="N", help="MiniBatchSize")
    s.add_argument("--device", choices=["auto", "cpu", "gpu"], help="ExecutionEnvironment")
    s.add_argument("--limit", type=int, metavar="N", help="use only N sequences")
    s.add_argument("--allow-pickle", action="store_true",
                   help="allow object arrays in .npz files (only for files you trust)")
    s.set_defaults(func=cmd_predict)

    s = sub.add_parser("from-matlab", help="translate MATLAB layer code to a spec or Python",
                       description="Translate MATLAB code (layer arrays, layerGraph edits, "
                                   "trainingOptions) to a YAML spec or to Python.")
    s.add_argument("file", metavar="FILE", help="MATLAB file (.m)")
    s.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    s.add_argument("--to", choices=["yaml", "python"],
                   help="output language (default: yaml, or python for a .py output)")
    s.add_argument("--var", action="append", metavar="NAME=VALUE",
                   help="value of a variable the code computes from data, e.g. --var "
                        "numClasses=9 (repeatable)")
    s.set_defaults(func=cmd_from_matlab)

    s = sub.add_parser("schema", help="print the JSON Schema of specs",
                       description="Print (or write) the JSON Schema that specs are validated "
                                   "against, e.g. for an editor's YAML language server.")
    s.add_argument("-o", "--output", metavar="FILE", help="write it to FILE")
    s.set_defaults(func=cmd_schema)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except CLIError as exc:
        print(f"layergraph {args.command}: error: {exc}", file=sys.stderr)
        return exc.code
    except LayerGraphError as exc:
        print(f"layergraph {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
