"""The spec package: its public names, issues placed from error attributes (never from message
text), files that are not UTF-8 text, the data section checked on loading, and the data a spec
loads for Python code."""

from __future__ import annotations

import ast
import zipfile
from pathlib import Path

import numpy as np
import pytest

import layergraph as lg
from layergraph.data import load_npz, sort_by_length
from layergraph.datasets import japanese_vowels
from layergraph.errors import DataError
from layergraph.spec import (
    DataSource,
    Spec,
    SpecError,
    SpecIssue,
    data_source,
    load_spec,
    save_spec,
    validate_spec,
)
from layergraph.spec import load as spec_load

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = ROOT / "layergraph" / "spec"
BILSTM = ROOT / "specs" / "bilstm-sequence-to-label-classification.yaml"

REGRESSION = """\
layers:
  - sequenceInput: 3
  - lstm: {NumHiddenUnits: 4, OutputMode: last}
  - fullyConnected: 1
  - regression
"""


def test_public_names_and_services():
    assert lg.Spec is Spec and lg.load_spec is load_spec and lg.save_spec is save_spec
    g = lg.layerGraph([lg.sequenceInputLayer(3), lg.fullyConnectedLayer(1), lg.regressionLayer()])
    assert lg.LayerGraph.from_spec(g.save_spec()) == g  # the graph reaches YAML via services


def test_spec_modules_import_nothing_inside_functions():
    for path in SPEC_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = [n for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom))]
                assert not inner, f"{path.name}: import inside {fn.name}()"


def test_no_message_parsing_in_the_loader():
    src = (SPEC_DIR / "load.py").read_text()
    assert "re.findall" not in src and "import re" not in src


# --- issues placed from OptionError's attributes -----------------------------------------------

def test_bad_value_is_marked_at_the_value():
    text = ("layers:\n  - sequenceInput: 3\n  - fullyConnected: 2\n  - softmax\n"
            "  - {type: classification, Name: out, Classes: [a, a]}\n")
    (e,) = validate_spec(text, strict=False)
    assert (e.line, e.column) == (5, 48)  # the value [a, a], not the entry
    assert e.layer == "out"
    # the owner is not repeated: the issue names the layer itself
    assert e.message == ("invalid value for 'Classes': class names must be a non-empty list "
                         "without repeats.")
    assert e.expected == "'auto' or a list of class names"


def test_option_written_in_another_case_is_marked_where_written():
    class Err(lg.OptionError):
        pass

    # the layer reports the canonical name; the user wrote 'bias'
    exc = Err("bad", option="Bias", part="value", owner="lstmLayer")
    assert spec_load._option_path(exc, ("layers", 1, "lstm"), {"NumHiddenUnits": 4, "bias": 1}) \
        == ("layers", 1, "lstm", "bias")
    # an unknown name is the name as given
    exc = Err("bad", option="Bais", part="name", owner="lstmLayer")
    assert spec_load._option_path(exc, ("layers", 1, "lstm"), {"Bais": 1}) == \
        ("layers", 1, "lstm", "Bais")
    # the short form: a positional argument in a list
    exc = Err("bad", option="NumFilters", part="value", owner="convolution1dLayer")
    assert spec_load._option_path(exc, ("layers", 1, "convolution1d"), {},
                                  ("FilterSize", "NumFilters")) == \
        ("layers", 1, "convolution1d", 1)


def test_nan_in_an_initial_value_is_marked_at_the_option():
    text = "layers:\n  - sequenceInput: 3\n  - lstm: {NumHiddenUnits: 4, Name: L, Bias: [.inf]}\n"
    (e,) = validate_spec(text, strict=False)
    assert (e.line, e.column) == (3, 46) and e.layer == "L"
    assert e.message == "invalid value for 'Bias': expected finite numbers, got NaN or Inf."


def test_training_option_error_is_marked_at_its_key():
    text = "layers:\n  - sequenceInput: 3\ntraining:\n  solver: adam\n  ExecutionEnvironment: tpu\n"
    (e,) = validate_spec(text, strict=False)
    assert (e.line, e.column) == (5, 25)  # the value of the key
    assert e.message == "training: invalid value for 'ExecutionEnvironment': got 'tpu'"


# --- files that are not UTF-8 YAML text -------------------------------------------------------

def test_latin1_file_is_one_issue_at_the_byte(tmp_path):
    p = tmp_path / "latin1.yaml"
    p.write_bytes(b"layers:\n  - sequenceInput: 3\n  - lstm: {NumHiddenUnits: 4, Name: caf\xe9}\n")
    with pytest.raises(SpecError) as info:
        load_spec(p)
    (e,) = info.value.errors
    assert (e.file, e.line, e.column) == (str(p), 3, 40)
    assert "not UTF-8 text: byte 0xe9" in e.message and "UTF-8" in e.expected
    assert validate_spec(p) == info.value.errors  # validate_spec reports instead of raising


def test_binary_file_is_one_issue(tmp_path):
    p = tmp_path / "bin.yaml"
    p.write_bytes(b"layers:\x00\x01\x02 binary")
    (e,) = validate_spec(p)
    assert e.line == 1 and "not a YAML text file" in e.message


def test_folder_is_not_a_spec(tmp_path):
    with pytest.raises(lg.LayerGraphError, match="is a folder"):
        load_spec(tmp_path)


# --- the data section, checked on loading --------------------------------------------------------

def test_unknown_dataset_is_an_issue_with_a_suggestion(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(REGRESSION + "data:\n  dataset: japanese_vowel\n")
    with pytest.raises(SpecError) as info:
        load_spec(p)
    (e,) = info.value.errors
    assert (e.line, e.column) == (7, 12)
    assert "unknown data set 'japanese_vowel'; did you mean 'japanese_vowels'?" in e.message
    assert str(e).startswith(f"{p}:7:12: data: ")


def test_missing_data_file_is_an_issue_relative_to_the_spec(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(REGRESSION + "data:\n  train: sub/train.npz\n  test: test.txt\n")
    issues = validate_spec(p, check_files=True)
    assert [(i.line, i.column) for i in issues] == [(7, 10), (8, 9)]
    assert f"'train' file not found: {tmp_path.resolve() / 'sub' / 'train.npz'}" in issues[0].message
    assert "'test' must be an .npz file, got 'test.txt'" in issues[1].message
    # without check_files the spec loads, and reading the data reports the line
    spec = load_spec(p.read_text().replace("test: test.txt", "test: test.npz"), filename=str(p))
    with pytest.raises(SpecError, match="'train' file not found"):
        spec.load_data("train")
    spec = load_spec(p.read_text().replace("  test: test.txt\n", ""))
    spec.file = str(p)
    with pytest.raises(SpecError) as info:
        spec.load_data("train")
    assert (info.value.errors[0].line, info.value.errors[0].column) == (7, 10)


# --- data for Python code --------------------------------------------------------------------------

def test_spec_load_data_applies_the_order():
    spec = load_spec(BILSTM)  # data: {dataset: japanese_vowels, order: sorted-by-length}
    X, Y = spec.load_data("train")
    X0, Y0 = japanese_vowels("train")
    Xs, Ys = sort_by_length(X0, Y0)
    assert [len(x) for x in X] == sorted(len(x) for x in X0)
    assert all(np.array_equal(a, b) for a, b in zip(X, Xs)) and list(Y) == list(Ys)
    XT, YT = spec.load_data("test")  # the test split is not reordered
    assert len(XT) == 370 and np.array_equal(XT[0], japanese_vowels("test")[0][0])
    X9, _ = spec.load_data("train", limit=9)
    assert len(X9) == 9 and [len(x) for x in X9] == sorted(len(x) for x in X9)


def _npz(path, n=6, labels=None, **extra):
    rng = np.random.default_rng(0)
    lengths = rng.integers(3, 8, size=n)
    X = np.zeros((n, lengths.max(), 3), np.float32)
    for i, t in enumerate(lengths):
        X[i, :t] = rng.standard_normal((t, 3))
    Y = np.arange(n) % 2 if labels is None else labels
    np.savez(path, X=X, Y=Y, lengths=lengths, **extra)
    return [X[i, :t] for i, t in enumerate(lengths)], Y


def test_load_npz_contract(tmp_path):
    seqs, Y = _npz(tmp_path / "d.npz")
    X, got = load_npz(tmp_path / "d.npz", categorical=True)
    assert [x.shape for x in X] == [s.shape for s in seqs]
    assert list(got) == [str(v) for v in Y]  # integer labels become class names
    _, raw = load_npz(tmp_path / "d.npz")
    assert raw.dtype.kind == "i"
    # a source from a path, and a spec loading from it
    src = data_source(tmp_path / "d.npz")
    assert src == DataSource("file", str(tmp_path / "d.npz")) and not src.has("test")
    spec = load_spec(REGRESSION)
    X2, _ = spec.load_data("train", source=str(tmp_path / "d.npz"))
    assert len(X2) == 6


def test_load_npz_counts_are_checked_first(tmp_path):
    p = tmp_path / "bad.npz"
    rng = np.random.default_rng(1)
    np.savez(p, X=rng.standard_normal((20, 5, 3)), Y=np.arange(15) % 3)
    with pytest.raises(DataError) as info:
        load_npz(p)
    msg = str(info.value)
    assert str(p) in msg and "20 sequences" in msg and "15 labels" in msg


@pytest.mark.parametrize("content, fragment", [
    (b"", "the file is empty"),
    (b"hello, not a zip", "not an .npz archive"),
    (b"PK\x03\x04broken", "not an .npz archive"),
    ("zip", "cannot read it as .npz"),
])
def test_load_npz_refuses_fake_files(tmp_path, content, fragment):
    p = tmp_path / "fake.npz"
    if content == "zip":  # a zip archive whose X.npy is not an array
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("X.npy", b"not an array")
            z.writestr("Y.npy", b"nor this")
    else:
        p.write_bytes(content)
    with pytest.raises(DataError, match=fragment):
        load_npz(p)


def test_load_npz_lengths_must_fit(tmp_path):
    p = tmp_path / "l.npz"
    np.savez(p, X=np.zeros((4, 5, 3)), Y=np.arange(4), lengths=np.array([2, 9, 3, 1]))
    with pytest.raises(DataError, match="'lengths' .* does not fit X of shape"):
        load_npz(p)


def test_unknown_source_suggests_the_dataset():
    with pytest.raises(DataError, match="did you mean 'japanese_vowels'"):
        data_source("japanese_vowel")
    assert data_source("Japanese-Vowels") == DataSource("dataset", "japanese_vowels")


def test_spec_issue_is_data():
    i = SpecIssue("m", 3, 4, "lstm", "x", "f.yaml")
    assert str(i) == "f.yaml:3:4: layer 'lstm': m (expected x)"
