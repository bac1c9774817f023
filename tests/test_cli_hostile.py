"""The command line as a set of hostile invocations: each is run in-process (``cli.main`` with
argv, stdout/stderr captured, argparse's SystemExit caught) and must end with its documented exit
status, one line on stderr that names the place, no traceback and no 'internal error' -- and none
may be accepted silently with status 0. A few run as real subprocesses to show that no traceback
reaches a terminal.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import SMALL_SPEC

from layergraph import cli
from layergraph.cli import main

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
BILSTM = SPECS / "bilstm-sequence-to-label-classification.yaml"

SMALL = SMALL_SPEC
MODERN = """\
name: modern
layers:
  - sequenceInput: 3
  - lstm: {NumHiddenUnits: 4, OutputMode: last}
  - fullyConnected: 2
  - softmax
loss: crossentropy
"""
REGRESSION = SMALL.replace("fullyConnected: 2", "fullyConnected: 1").replace(
    "  - softmax\n  - classification", "  - regression")
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
    for p, c in zip("abcdefgh", "bcdefghi")) + "layers: *i\n"


def _npz(path, **arrays):
    np.savez(path, **arrays)
    return path


def _claims(path, shape):
    """An .npz whose X header claims ``shape`` but holds 12 bytes of data."""
    head = np.lib.format
    import io

    buf = io.BytesIO()
    head.write_array_header_1_0(buf, {"descr": "<f4", "fortran_order": False, "shape": shape})
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("X.npy", buf.getvalue() + b"\0" * 12)
        y = io.BytesIO()
        np.save(y, np.array(["a"]))
        z.writestr("Y.npy", y.getvalue())
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    f = {"dir": d}
    f["small"] = d / "small.yaml"
    f["small"].write_text(SMALL)
    f["regression"] = d / "regression.yaml"
    f["regression"].write_text(REGRESSION)
    f["modern"] = d / "modern.yaml"
    f["modern"].write_text(MODERN)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((4, 5, 3)).astype(np.float32)
    f["good"] = _npz(d / "good.npz", X=X, Y=np.array(["a", "b", "a", "b"]))
    f["net"] = d / "small.pt"
    assert main(["train", str(f["small"]), "--data", str(f["good"]), "-o", str(f["net"]),
                 "--max-epochs", "1", "--quiet", "--no-progress"]) == 0
    raw = {
        "binary.yaml": b"\x00\x01\x02\x03layers", "latin1.yaml": SMALL.replace(
            "small", "caf\xe9").encode("latin-1"),
        "nul.yaml": SMALL.replace("name: small", "name: sm\x00all").encode(),
        "nested.yaml": ("layers: " + "[" * 3000 + "]" * 3000 + "\n").encode(),
        "bomb.yaml": BOMB.encode(), "empty.yaml": b"", "list.yaml": b"- 1\n- 2\n",
        "utf16.yaml": SMALL.encode("utf-16"), "tag.yaml": SMALL.replace(
            "name: small", "name: !!python/object/apply:os.system [echo]").encode(),
        "huge.yaml": SMALL.replace("NumHiddenUnits: 4", "NumHiddenUnits: 1e12").encode(),
        "unknown.yaml": SMALL.replace("lstm:", "lstmm:").encode(),
        "long.yaml": ("name: " + "x" * 2_000_000 + "\n" + SMALL).encode(),
        "empty.npz": b"", "fake.npz": b"X = [1, 2, 3]\n",
        "net.m": b"layers = [sequenceInputLayer(3)\n fullyConnectedLayer(n)];\n",
        "binary.m": b"\x00\xff\xfe layers = [", "empty.pt": b"", "fake.pt": b"PK\x03\x04junk",
    }
    for name, data in raw.items():
        f[name] = d / name
        f[name].write_bytes(data)
    good = f["good"].read_bytes()
    f["truncated.npz"] = d / "truncated.npz"
    f["truncated.npz"].write_bytes(good[: len(good) // 2])
    f["truncated.pt"] = d / "truncated.pt"
    f["truncated.pt"].write_bytes(f["net"].read_bytes()[:300])
    lengths = {"negative": [3, -1, 2, 1], "zero": [3, 0, 2, 1], "huge": [3, 2 ** 62, 2, 1],
               "wrap": np.array([2 ** 64 - 1, 2, 2, 2], np.uint64), "float": [3.0, 2, 2, 1],
               "2-D": [[3, 2], [2, 1]], "few": [3, 2]}
    for name, ln in lengths.items():
        f[f"lengths-{name}"] = _npz(d / f"lengths-{name}.npz", X=X, Y=np.array(["a", "b"] * 2),
                                    lengths=np.asarray(ln))
    f["claims"] = _claims(d / "claims.npz", (10 ** 12, 3))
    f["claims-small"] = _claims(d / "claims-small.npz", (1000, 3))
    f["no-x"] = _npz(d / "no-x.npz", Y=np.array(["a"]))
    f["no-y"] = _npz(d / "no-y.npz", X=X)
    f["nan"] = _npz(d / "nan.npz", X=np.where(X > 1, np.nan, X), Y=np.array(["a", "b"] * 2))
    f["complex"] = _npz(d / "complex.npz", X=X + 1j, Y=np.array(["a", "b"] * 2))
    f["text-x"] = _npz(d / "text-x.npz", X=X.astype(str), Y=np.array(["a", "b"] * 2))
    f["1-d"] = _npz(d / "1-d.npz", X=X.reshape(-1), Y=np.array(["a"]))
    f["channels"] = _npz(d / "channels.npz", X=X[..., :2], Y=np.array(["a", "b"] * 2))
    f["mismatch"] = _npz(d / "mismatch.npz", X=X, Y=np.array(["a", "b"]))
    f["object"] = _npz(d / "object.npz", X=np.array([X[0], X[1][:2]], dtype=object),
                       Y=np.array(["a", "b"]))
    f["scalar"] = _npz(d / "scalar.npz", X=np.float32(1), Y=np.array(["a"]))
    f["nan-y"] = _npz(d / "nan-y.npz", X=X, Y=np.array([1.0, np.nan, 2.0, 1.0]))
    f["text-y"] = _npz(d / "text-y.npz", X=X, Y=np.array(["1", "x", "2", "3"]))
    f["wide-y"] = _npz(d / "wide-y.npz", X=X, Y=np.zeros((4, 3)))
    with zipfile.ZipFile(d / "not-npy.npz", "w") as z:
        z.writestr("X.npy", b"not an npy file")
        z.writestr("Y.npy", b"nor this")
    f["not-npy"] = d / "not-npy.npz"
    f["folder"] = d / "a-folder"
    f["folder"].mkdir()
    f["readonly"] = d / "readonly"
    f["readonly"].mkdir()
    f["readonly"].chmod(0o555)
    yield f
    f["readonly"].chmod(0o755)


def _cases():
    """(id, argv with {placeholders}, exit status, fragment the error line must contain)."""
    c = []
    bad_specs = {"binary.yaml": "not a YAML text file", "latin1.yaml": "not UTF-8",
                 "nul.yaml": "", "nested.yaml": "", "bomb.yaml": "alias",
                 "empty.yaml": "", "list.yaml": "", "utf16.yaml": "", "tag.yaml": "",
                 "unknown.yaml": "lstmm", "long.yaml": ""}
    for spec, frag in bad_specs.items():
        at, frag = "{" + spec + "}", frag or spec  # at least the file is named
        c.append((f"validate {spec}", ["validate", at], 1, frag))
        c.append((f"analyze {spec}", ["analyze", at], 1, frag))
        c.append((f"render {spec}", ["render", at, "-o", "{dir}/x.svg"], 2, frag))
        c.append((f"train {spec}", ["train", at, "--data", "{good}", "-o", "{dir}/x.pt"], 2,
                  frag))
    c += [
        ("analyze huge", ["analyze", "{huge.yaml}"], 1, "max_learnables"),
        ("train huge", ["train", "{huge.yaml}", "--data", "{good}", "-o", "{dir}/x.pt"], 2,
         "max_learnables"),
        ("validate missing", ["validate", "{dir}/none.yaml"], 1, "no such file"),
        ("render missing", ["render", "{dir}/none.yaml"], 2, "no such file"),
        ("train missing", ["train", "{dir}/none.yaml"], 2, "no such file"),
        ("analyze folder", ["analyze", "{folder}"], 2, "is a folder"),
        # -o: a folder, a read-only folder, a path under /proc, a missing folder under a file
        ("render -o folder", ["render", "{small}", "-o", "{folder}"], 2, "is a folder"),
        ("render -o readonly", ["render", "{small}", "-o", "{readonly}/x.svg"], 2, "readonly"),
        ("render -o proc", ["render", "{small}", "-o", "/proc/layergraph-x.svg"], 2, "/proc"),
        ("render -o under a file", ["render", "{small}", "-o", "{small}/x.svg"], 2,
         "small.yaml"),
        ("render bad format", ["render", "{small}", "-f", "gif"], 2, "invalid choice"),
        ("render wrap 1", ["render", "{small}", "--wrap", "1"], 2, "--wrap"),
        ("train -o folder", ["train", "{small}", "--data", "{good}", "-o", "{folder}"], 2,
         "--out"),
        ("train -o readonly", ["train", "{small}", "--data", "{good}", "-o", "{readonly}/x.pt"],
         2, "readonly"),
        ("train -o proc", ["train", "{small}", "--data", "{good}", "-o", "/proc/lg/x.pt"], 2,
         "/proc"),
        ("schema -o folder", ["schema", "-o", "{folder}"], 2, "is a folder"),
        ("schema -o proc", ["schema", "-o", "/proc/layergraph-schema.json"], 2, "/proc"),
        ("schema -o readonly", ["schema", "-o", "{readonly}/s.json"], 2, "readonly"),
        ("from-matlab -o proc", ["from-matlab", "{net.m}", "--var", "n=2", "-o",
                                 "/proc/lg.yaml"], 2, "/proc"),
        ("export -o proc", ["export", "{net}", "-o", "/proc/lg.onnx"], 2, "/proc"),
        ("export -o readonly", ["export", "{net}", "-o", "{readonly}/n.onnx"], 2, "readonly"),
        ("predict -o proc", ["predict", "{net}", "--data", "{good}", "-o", "/proc/p.csv"], 2,
         "/proc"),
        # --set: a YAML tag, bad YAML, unknown option, inf learn rate, odd values
        ("set tag", ["train", "{small}", "--data", "{good}", "--set",
                     "MaxEpochs=!!python/object/apply:os.system [echo]"], 2, "--set MaxEpochs"),
        ("set bad yaml", ["train", "{small}", "--data", "{good}", "--set", "MaxEpochs=[1"], 2,
         "--set MaxEpochs"),
        ("set alias", ["train", "{small}", "--data", "{good}", "--set", "MaxEpochs=*a"], 2,
         "--set MaxEpochs"),
        ("set unknown", ["train", "{small}", "--data", "{good}", "--set", "MaxEpochz=1"], 2,
         "MaxEpochz"),
        ("set inf rate", ["train", "{small}", "--data", "{good}", "--set",
                          "InitialLearnRate=.inf"], 2, "InitialLearnRate"),
        ("set nan rate", ["train", "{small}", "--data", "{good}", "--set",
                          "InitialLearnRate=.nan"], 2, "InitialLearnRate"),
        ("set huge epochs", ["train", "{small}", "--data", "{good}", "--set",
                             "MaxEpochs=1e400"], 2, "MaxEpochs"),
        ("set negative batch", ["train", "{small}", "--data", "{good}", "--set",
                                "MiniBatchSize=-3"], 2, "MiniBatchSize"),
        ("set no name", ["train", "{small}", "--data", "{good}", "--set", "=3"], 2, "--set"),
        ("set nul", ["train", "{small}", "--data", "{good}", "--set", "Shuffle=on\x00ce"], 2,
         "Shuffle"),
        ("learn rate inf", ["train", "{small}", "--data", "{good}", "--learn-rate", "inf"], 2,
         "InitialLearnRate"),
        ("learn rate nan", ["train", "{small}", "--data", "{good}", "--learn-rate", "nan"], 2,
         "InitialLearnRate"),
        ("max epochs 0", ["train", "{small}", "--data", "{good}", "--max-epochs", "0"], 2,
         "MaxEpochs"),
        ("mini-batch 0", ["train", "{small}", "--data", "{good}", "--mini-batch-size", "0"], 2,
         "MiniBatchSize"),
        ("max epochs fraction", ["train", "{small}", "--data", "{good}", "--set",
                                 "MaxEpochs=1.5"], 2, "MaxEpochs"),
        ("max epochs text", ["train", "{small}", "--data", "{good}", "--max-epochs", "x"], 2,
         "invalid int"),
        ("seed negative", ["train", "{small}", "--data", "{good}", "--seed", "-1"], 2, "Seed"),
        ("limit 0", ["train", "{small}", "--data", "{good}", "--limit", "0"], 2, "--limit"),
        ("bad device", ["train", "{small}", "--device", "tpu"], 2, "invalid choice"),
        # data files
        ("empty npz", ["train", "{small}", "--data", "{empty.npz}"], 2, "the file is empty"),
        ("fake npz", ["train", "{small}", "--data", "{fake.npz}"], 2, "not an .npz archive"),
        ("truncated npz", ["train", "{small}", "--data", "{truncated.npz}"], 2,
         "truncated.npz"),
        ("not-npy members", ["train", "{small}", "--data", "{not-npy}"], 2, "not-npy.npz"),
        ("missing npz", ["train", "{small}", "--data", "{dir}/none.npz"], 2, "none.npz"),
        ("folder npz", ["train", "{small}", "--data", "{folder}"], 2, "a-folder"),
        ("unknown data set", ["train", "{small}", "--data", "imagenet"], 2, "imagenet"),
        ("no X", ["train", "{small}", "--data", "{no-x}"], 2, "no array 'X'"),
        ("no Y", ["train", "{small}", "--data", "{no-y}"], 2, "no array 'Y'"),
        ("lengths negative", ["train", "{small}", "--data", "{lengths-negative}"], 2,
         "'lengths' must be positive integers"),
        ("lengths zero", ["train", "{small}", "--data", "{lengths-zero}"], 2,
         "'lengths' must be positive integers"),
        ("lengths huge", ["train", "{small}", "--data", "{lengths-huge}"], 2,
         "max_data_values"),
        ("lengths wrap around", ["train", "{small}", "--data", "{lengths-wrap}"], 2,
         "max_data_values"),
        ("lengths float", ["train", "{small}", "--data", "{lengths-float}"], 2,
         "'lengths' must be positive integers"),
        ("lengths 2-D", ["train", "{small}", "--data", "{lengths-2-D}"], 2,
         "'lengths' must be positive integers"),
        ("lengths too few", ["train", "{small}", "--data", "{lengths-few}"], 2,
         "does not fit X"),
        ("predict lengths huge", ["predict", "{net}", "--data", "{lengths-huge}", "--split",
                                  "train"], 2, "max_data_values"),
        ("claims 10**12 rows", ["train", "{small}", "--data", "{claims}"], 2, "claims.npz"),
        ("claims more than it holds", ["train", "{small}", "--data", "{claims-small}"], 2,
         "claims-small.npz"),
        ("NaN in X", ["train", "{small}", "--data", "{nan}"], 2, "NaN"),
        ("complex X", ["train", "{small}", "--data", "{complex}"], 2, "not numeric"),
        ("text X", ["train", "{small}", "--data", "{text-x}"], 2, "not numeric"),
        ("1-D X", ["train", "{small}", "--data", "{1-d}"], 2, "sequences"),
        ("wrong channels", ["train", "{small}", "--data", "{channels}"], 2, "channels"),
        ("count mismatch", ["train", "{small}", "--data", "{mismatch}"], 2, "4 sequences"),
        ("object X", ["train", "{small}", "--data", "{object}"], 2, "--allow-pickle"),
        ("scalar X", ["train", "{small}", "--data", "{scalar}"], 2, "X"),
        ("NaN label", ["train", "{small}", "--data", "{nan-y}"], 2, "no label"),
        ("text responses", ["train", "{regression}", "--data", "{text-y}"], 2, "Y[0]"),
        ("wide responses", ["train", "{regression}", "--data", "{wide-y}"], 2, "3 responses"),
        ("trainnet NaN label", ["train", "{modern}", "--data", "{nan-y}"], 2, "no label"),
        ("trainnet three classes", ["train", "{modern}", "--data", "{wide-y}"], 2,
         "3 values per observation"),
        ("trainnet count mismatch", ["train", "{modern}", "--data", "{mismatch}"], 2,
         "4 sequences"),
        ("trainnet -o proc", ["train", "{modern}", "--data", "{good}", "-o", "/proc/m.pt"], 2,
         "/proc"),
        ("predict empty npz", ["predict", "{net}", "--data", "{empty.npz}"], 2, "empty"),
        ("predict claims", ["predict", "{net}", "--data", "{claims}"], 2, "claims.npz"),
        ("predict NaN", ["predict", "{net}", "--data", "{nan}"], 2, "NaN"),
        ("predict channels", ["predict", "{net}", "--data", "{channels}"], 2, "channels"),
        ("predict bad split", ["predict", "{net}", "--data", "{good}", "--split", "x"], 2,
         "invalid choice"),
        ("predict mini-batch 0", ["predict", "{net}", "--data", "{good}", "--mini-batch-size",
                                  "0"], 2, "MiniBatchSize"),
        ("predict mini-batch -4", ["predict", "{net}", "--data", "{good}",
                                   "--mini-batch-size", "-4"], 2, "MiniBatchSize"),
        ("predict mini-batch text", ["predict", "{net}", "--data", "{good}",
                                     "--mini-batch-size", "many"], 2, "invalid int"),
        ("predict limit -1", ["predict", "{net}", "--data", "{good}", "--limit", "-1"], 2,
         "--limit"),
        ("predict npy scores", ["predict", "{net}", "--data", "{good}", "--scores", "-o",
                                "{dir}/p.npy"], 2, "--scores"),
        ("predict no data", ["predict", "{net}"], 2, "--data"),
        # network files
        ("predict missing net", ["predict", "{dir}/none.pt", "--data", "{good}"], 2,
         "no such file"),
        ("predict empty net", ["predict", "{empty.pt}", "--data", "{good}"], 2, "empty.pt"),
        ("predict fake net", ["predict", "{fake.pt}", "--data", "{good}"], 2, "fake.pt"),
        ("predict truncated net", ["predict", "{truncated.pt}", "--data", "{good}"], 2,
         "truncated.pt"),
        ("predict spec as net", ["predict", "{small}", "--data", "{good}"], 2, "small.yaml"),
        ("predict folder as net", ["predict", "{folder}", "--data", "{good}"], 2, "a-folder"),
        ("export missing net", ["export", "{dir}/none.pt"], 2, "no such file"),
        ("export truncated", ["export", "{truncated.pt}", "-o", "{dir}/n.onnx"], 2,
         "truncated.pt"),
        ("export batch 0", ["export", "{net}", "--batch-size", "0"], 2, "--batch-size"),
        ("export opset 1", ["export", "{net}", "-o", "{dir}/n.onnx", "--opset", "1"], 2,
         "OpsetVersion"),
        ("export opset huge", ["export", "{net}", "-o", "{dir}/n.onnx", "--opset",
                               "9" * 30], 2, "OpsetVersion"),
        # from-matlab
        ("from-matlab missing", ["from-matlab", "{dir}/none.m"], 2, "no such file"),
        ("from-matlab folder", ["from-matlab", "{folder}"], 2, "is a folder"),
        ("from-matlab binary", ["from-matlab", "{binary.m}"], 2, "binary.m"),
        ("var inf", ["from-matlab", "{net.m}", "--var", "n=inf"], 2, "finite"),
        ("var nan", ["from-matlab", "{net.m}", "--var", "n=nan"], 2, "finite"),
        ("var huge int", ["from-matlab", "{net.m}", "--var", "n=" + "9" * 400], 2, "--var n"),
        ("var 1e400", ["from-matlab", "{net.m}", "--var", "n=1e400"], 2, "--var n"),
        ("var text", ["from-matlab", "{net.m}", "--var", "n=abc"], 2, "--var n"),
        ("var no name", ["from-matlab", "{net.m}", "--var", "=3"], 2, "--var"),
        ("var bad name", ["from-matlab", "{net.m}", "--var", "1x=3"], 2, "--var"),
        ("var nul", ["from-matlab", "{net.m}", "--var", "n=\x003"], 2, "--var n"),
        ("from-matlab bad main", ["from-matlab", "{net.m}", "--main", "nothere"], 2,
         "nothere"),
        ("from-matlab -o folder", ["from-matlab", "{net.m}", "--var", "n=2", "-o",
                                   "{folder}"], 2, "is a folder"),
        # usage
        ("unknown subcommand", ["frobnicate"], 2, "invalid choice"),
        ("no subcommand", [], 2, ""),
        ("unknown flag", ["validate", "{small}", "--frobnicate"], 2, "unrecognized"),
        ("schema check and -o", ["schema", "--check", "-o", "{dir}/s.json", "--bogus"], 2,
         "unrecognized"),
    ]
    return c


CASES = _cases()


def _argv(template, files):
    return [re.sub(r"\{([^{}]+)\}", lambda m: str(files[m.group(1)]), a) for a in template]


def invoke(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case, template, code, fragment", CASES, ids=[c[0] for c in CASES])
def test_hostile_invocation(case, template, code, fragment, files, capsys, monkeypatch):
    if "readonly" in case and os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    if case.startswith(BEFORE_TRAINING):
        monkeypatch.setattr(cli, "trainNetwork", _no_training)
        monkeypatch.setattr("layergraph.training.trainer.trainnet", _no_training)
    argv = _argv(template, files)
    got, out, err = invoke(argv, capsys)
    assert got == code, (got, err[-2000:])
    assert "Traceback" not in out + err and "internal error" not in err, err[-2000:]
    said = err if code == 2 or argv[0] != "analyze" else out + err  # analyze: problems on stdout
    lines = said.strip().splitlines()
    assert lines, "no message"
    if got == 2 and "usage:" not in err:
        first = next(i for i, line in enumerate(lines) if not line.startswith("Training "))
        assert lines[first].startswith(f"layergraph {argv[0]}: error: "), err[-2000:]
        spec_issues = "in the network spec:" in lines[first]  # then one line per issue
        assert len(lines) == first + 1 or spec_issues, err[-2000:]
    assert fragment in said, (fragment, said[-2000:])
    assert len(err) < 4000  # lines, not a dump of the input


BEFORE_TRAINING = ("set ", "train -o", "trainnet -o", "learn rate", "max epochs", "mini-batch",
                   "seed", "limit", "bad device", "predict -o")
"""Cases that must be refused before any training starts (trainNetwork is replaced by a
failure for them)."""


def _no_training(*args, **kwargs):
    pytest.fail("trained anyway: the invocation should have been refused before training")


def test_there_are_about_a_hundred_hostile_invocations():
    assert len(CASES) >= 100


def test_an_unreadable_spec_is_an_error_naming_it(files, capsys):
    if os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode")
    p = files["dir"] / "unreadable.yaml"
    p.write_text(SMALL)
    p.chmod(0)
    try:
        for cmd, status in (("validate", 1), ("analyze", 2), ("train", 2)):
            code, out, err = invoke([cmd, str(p)], capsys)
            assert code == status and "unreadable.yaml" in err and "Traceback" not in err
    finally:
        p.chmod(0o644)


def test_the_good_invocations_still_work(files, capsys):
    """The fixtures are not broken: the same files without the hostile part succeed."""
    assert invoke(["validate", str(files["small"])], capsys)[0] == 0
    assert invoke(["predict", str(files["net"]), "--data", str(files["good"])], capsys)[0] == 0
    code, out, err = invoke(["from-matlab", str(files["net.m"]), "--var", "n=2"], capsys)
    assert code == 0 and "fullyConnected" in out


@pytest.mark.parametrize("case", ["set tag", "claims 10**12 rows", "render -o proc",
                                  "unknown subcommand", "bomb.yaml"])
def test_no_traceback_reaches_the_terminal(case, files):
    template, code = next((t, c) for name, t, c, _ in CASES
                          if name == case or name == f"train {case}")
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    p = subprocess.run([sys.executable, "-m", "layergraph", *_argv(template, files)], cwd=ROOT,
                       capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == code, p.stderr[-2000:]
    assert "Traceback" not in p.stdout + p.stderr and p.stderr.strip(), p.stderr[-2000:]
