"""The command line under hostile use: every error is one line on stderr with a documented exit
status and no traceback (``--debug`` shows it); counts, devices and output paths are checked
before work starts; predict writes a CSV table with scores; train says where its outputs went."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import SMALL_SPEC

import layergraph as lg
from layergraph import cli
from layergraph.cli import CLIError, main
from layergraph.data import spread_indices
from layergraph.spec import Spec

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
BILSTM = SPECS / "bilstm-sequence-to-label-classification.yaml"  # data.order: sorted-by-length
VIDEO = SPECS / "video-classification-fold-unfold.yaml"
REGRESSION = SPECS / "lstm-sequence-to-one-regression.yaml"

SMALL = SMALL_SPEC


def call(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def run(*args):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    p = subprocess.run([sys.executable, "-m", "layergraph", *map(str, args)], cwd=ROOT,
                       capture_output=True, text=True, env=env, timeout=300)
    return p.returncode, p.stdout, p.stderr


def one_error_line(err, command):
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"layergraph {command}: error: "), err
    assert "Traceback" not in err
    return lines[0]


def _mismatch_npz(path, n=20, m=15, channels=12):
    rng = np.random.default_rng(0)
    np.savez(path, X=rng.standard_normal((n, 6, channels)).astype(np.float32),
             Y=np.arange(m) % 9 + 1)
    return path


def _small_npz(path, n=6, seed=0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(3, 8, size=n)
    X = np.zeros((n, lengths.max(), 3), np.float32)
    for i, t in enumerate(lengths):
        X[i, :t] = rng.standard_normal((t, 3))
    np.savez(path, X=X, Y=np.array(["a", "b"] * (n // 2)), lengths=lengths)
    return path, [X[i, :t] for i, t in enumerate(lengths)]


@pytest.fixture(scope="module")
def small_net(tmp_path_factory):
    d = tmp_path_factory.mktemp("net")
    spec = d / "small.yaml"
    spec.write_text(SMALL)
    data, seqs = _small_npz(d / "small.npz")
    net_file = d / "small.pt"
    assert main(["train", str(spec), "--data", str(data), "-o", str(net_file), "--max-epochs",
                 "1", "--quiet", "--no-progress", "--seed", "0"]) == 0
    return net_file, data, seqs


# --- counts checked before anything else --------------------------------------------------------

def test_train_with_fewer_labels_than_sequences_names_file_and_counts(tmp_path, capsys):
    data = _mismatch_npz(tmp_path / "f.npz")
    code, out, err = call(capsys, "train", BILSTM, "--data", data, "-o", tmp_path / "n.pt")
    assert code == 2
    line = one_error_line(err, "train")
    assert str(data) in line and "20 sequences" in line and "15 labels" in line
    assert not (tmp_path / "n.pt").exists()


def test_predict_with_fewer_labels_prints_nothing_and_names_the_counts(tmp_path, capsys,
                                                                        small_net):
    net_file, _, _ = small_net
    data = _mismatch_npz(tmp_path / "f.npz", channels=3)
    code, out, err = call(capsys, "predict", net_file, "--data", data)
    assert code == 2 and out == ""
    line = one_error_line(err, "predict")
    assert str(data) in line and "20 sequences" in line and "15 labels" in line


# --- hostile invocations: one line, documented status, no traceback ---------------------------

def _hostile(tmp_path):
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(SMALL.replace("name: small", "name: caf\xe9").encode("latin-1"))
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\x00\x01\x02\x03layers")
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    fake = tmp_path / "fake.npz"
    fake.write_text("X = [1, 2, 3]\n")
    return latin1, binary, empty, fake


@pytest.mark.parametrize("case, code, fragment", [
    ("missing spec", 2, "nope.yaml: no such file"),
    ("folder as spec", 2, "is a folder, not a spec file"),
    ("render -o folder", 2, "is a folder; give a file name"),
    ("schema -o folder", 2, "is a folder; give a file name"),
    ("train -o folder", 2, "--out"),
    ("set without =", 2, "--set expects NAME=VALUE"),
    ("set unreadable value", 2, "cannot read '[1' as a value"),
    ("set unknown option", 2, "Did you mean 'MaxEpochs'"),
    ("empty npz", 2, "the file is empty"),
    ("fake npz", 2, "not an .npz archive"),
    ("missing npz", 2, "data file not found"),
    ("missing network", 2, "no such file"),
    ("spec as network", 2, "not a layergraph file"),
    ("from-matlab folder", 2, "is a folder"),
    ("var inf", 2, "--var n: expected a finite number"),
])
def test_hostile_invocation_is_one_line(case, code, fragment, tmp_path, capsys, monkeypatch):
    latin1, binary, empty, fake = _hostile(tmp_path)
    monkeypatch.setattr(cli, "trainNetwork", lambda *a, **k: pytest.fail("trained anyway"))
    m_file = tmp_path / "net.m"
    m_file.write_bytes("layers = [sequenceInputLayer(3) % caf\xe9\n];\n".encode("latin-1"))
    argv = {
        "missing spec": ["analyze", "nope.yaml"],
        "folder as spec": ["analyze", tmp_path],
        "render -o folder": ["render", VIDEO, "-o", tmp_path],
        "schema -o folder": ["schema", "-o", tmp_path],
        "train -o folder": ["train", BILSTM, "-o", tmp_path],
        "set without =": ["train", BILSTM, "--set", "MaxEpochs"],
        "set unreadable value": ["train", BILSTM, "--set", "MaxEpochs=[1"],
        "set unknown option": ["train", BILSTM, "--set", "MaxEpochz=3"],
        "empty npz": ["train", BILSTM, "--data", empty],
        "fake npz": ["train", BILSTM, "--data", fake],
        "missing npz": ["train", BILSTM, "--data", tmp_path / "none.npz"],
        "missing network": ["predict", tmp_path / "none.pt", "--data", "japanese_vowels"],
        "spec as network": ["predict", latin1, "--data", "japanese_vowels"],
        "from-matlab folder": ["from-matlab", tmp_path],
        "var inf": ["from-matlab", m_file, "--var", "n=inf"],
    }[case]
    got, out, err = call(capsys, *argv)
    assert got == code, err
    line = one_error_line(err, str(argv[0]))
    assert fragment in line


@pytest.mark.parametrize("kind", ["latin1", "binary"])
def test_spec_that_is_not_utf8_text_is_an_issue_with_its_line(kind, tmp_path, capsys):
    latin1, binary, _, _ = _hostile(tmp_path)
    path = latin1 if kind == "latin1" else binary
    code, out, err = call(capsys, "analyze", path)
    assert code == 1 and "Traceback" not in err
    where = f"{path}:1:{10 if kind == 'latin1' else 1}: "
    assert where in err
    assert ("not UTF-8 text: byte 0xe9" if kind == "latin1" else "not a YAML text file") in err
    code, out, err = call(capsys, "validate", path)
    assert code == 1 and where in err


def test_hostile_subprocesses_have_no_traceback(tmp_path):
    _, _, empty, _ = _hostile(tmp_path)
    code, out, err = run("train", BILSTM, "--data", empty)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
    assert "the file is empty" in err
    code, out, err = run("render", VIDEO, "-o", tmp_path)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err


def test_debug_shows_the_traceback(tmp_path, capsys):
    with pytest.raises(CLIError, match="is a folder"):
        main(["--debug", "render", str(VIDEO), "-o", str(tmp_path)])
    with pytest.raises(CLIError):  # also after the command
        main(["render", str(VIDEO), "-o", str(tmp_path), "--debug"])
    code, out, err = run("--debug", "render", VIDEO, "-o", tmp_path)
    assert code != 0 and "Traceback (most recent call last)" in err


def test_unexpected_error_is_one_line_with_status_2(capsys, monkeypatch):
    def boom(graph, **kwargs):
        raise RuntimeError("boom\nsecond line")

    monkeypatch.setattr(cli, "analyze", boom)
    code, out, err = call(capsys, "analyze", VIDEO)
    assert code == 2
    line = one_error_line(err, "analyze")
    assert "internal error: RuntimeError: boom second line" in line and "--debug" in line


def test_help_documents_the_exit_status(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "exit status:" in out and "'validate' found errors" in out and "  2  an error" in out
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    assert "1 otherwise (a result" in " ".join(capsys.readouterr().out.split())


# --- the data section, validated with the rest of the spec -------------------------------------

def test_validate_reports_an_unknown_dataset_with_its_line(tmp_path, capsys):
    spec = tmp_path / "jv.yaml"
    spec.write_text(SMALL + "data: {dataset: japanese_vowel}\n")
    code, out, err = call(capsys, "validate", spec)
    assert code == 1
    assert (f"{spec}:8:17: data: unknown data set 'japanese_vowel'; did you mean "
            "'japanese_vowels'?") in err
    code, out, err = call(capsys, "train", spec)
    assert code == 2 and f"{spec}:8:17:" in err and "did you mean 'japanese_vowels'" in err


def test_validate_reports_a_missing_data_file_relative_to_the_spec(tmp_path, capsys):
    sub = tmp_path / "sub"
    sub.mkdir()
    spec = sub / "s.yaml"
    spec.write_text(SMALL + "data:\n  train: train.npz\n")
    code, out, err = call(capsys, "validate", spec)
    assert code == 1 and f"{spec}:9:10: data: 'train' file not found: " in err
    assert str(sub.resolve() / "train.npz") in err
    _small_npz(sub / "train.npz")  # now it is there: relative to the spec, not the cwd
    code, out, err = call(capsys, "validate", spec)
    assert code == 0, err


# --- devices are checked before data -------------------------------------------------------------

def _no_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(Spec, "load_data", lambda *a, **k: pytest.fail("data loaded"))
    monkeypatch.setattr(cli, "load_network", lambda *a, **k: pytest.fail("network loaded"))


@pytest.mark.parametrize("how", ["flag", "set", "spec"])
def test_gpu_without_cuda_fails_before_loading_data(how, tmp_path, capsys, monkeypatch):
    _no_cuda(monkeypatch)
    spec = BILSTM
    extra = {"flag": ["--device", "gpu"], "set": ["--set", "ExecutionEnvironment=gpu"],
             "spec": []}[how]
    if how == "spec":
        spec = tmp_path / "gpu.yaml"
        spec.write_text(SMALL + "training: {solver: adam, ExecutionEnvironment: gpu}\n"
                        "data: {dataset: japanese_vowels}\n")
    code, out, err = call(capsys, "train", spec, *extra)
    assert code == 2
    assert "no CUDA GPU" in one_error_line(err, "train")


def test_predict_gpu_without_cuda_fails_before_loading(capsys, monkeypatch):
    _no_cuda(monkeypatch)
    code, out, err = call(capsys, "predict", "net.pt", "--data", "japanese_vowels",
                          "--device", "gpu")
    assert code == 2 and "no CUDA GPU" in one_error_line(err, "predict")


# --- predict: a table with the sequence index, scores; where the outputs went ---------------------

def test_predict_scores_csv_with_header_and_index(tmp_path, capsys, small_net):
    net_file, data, seqs = small_net
    out_file = tmp_path / "pred.csv"
    code, out, err = call(capsys, "predict", net_file, "--data", data, "--scores",
                          "-o", out_file)
    assert code == 0, err
    assert out == ""
    assert f"wrote 6 predictions to {out_file} (with class scores)" in err
    rows = list(csv.reader(io.StringIO(out_file.read_text())))
    assert rows[0] == ["sequence", "label", "score_a", "score_b"]
    net = lg.load_network(net_file)
    labels, scores = lg.classify(net, seqs)
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(6)]
    assert [r[1] for r in rows[1:]] == list(labels)
    got = np.array([[float(v) for v in r[2:]] for r in rows[1:]])
    np.testing.assert_allclose(got, scores, rtol=1e-4, atol=1e-6)


def test_predict_csv_index_keeps_the_place_of_a_limited_subset(capsys, small_net):
    net_file, data, seqs = small_net
    code, out, err = call(capsys, "predict", net_file, "--data", data, "--limit", 3,
                          "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["sequence", "label"]
    assert [int(r[0]) for r in rows[1:]] == list(spread_indices(6, 3)) == [0, 2, 5]


def test_predict_default_output_stays_one_label_per_line(capsys, small_net):
    net_file, data, seqs = small_net
    code, out, err = call(capsys, "predict", net_file, "--data", data)
    assert code == 0, err
    labels, _ = lg.classify(lg.load_network(net_file), seqs)
    assert out.splitlines() == list(labels)
    assert "accuracy (6 sequences):" in err


def test_predict_scores_need_a_classifier_and_a_table(tmp_path, capsys, small_net):
    net_file, data, _ = small_net
    code, _, err = call(capsys, "predict", net_file, "--data", data, "--scores", "-o",
                        tmp_path / "p.npy")
    assert code == 2 and ".csv" in one_error_line(err, "predict")


def test_regression_csv_and_scores_refused(tmp_path, capsys):
    rng = np.random.default_rng(0)
    data = tmp_path / "r.npz"
    X = rng.standard_normal((8, 5, 3)).astype(np.float32)
    np.savez(data, X=X, Y=X[:, :, 0].mean(1, keepdims=True))
    net_file = tmp_path / "r.pt"
    assert call(capsys, "train", REGRESSION, "--data", data, "-o", net_file, "--max-epochs", 1,
                "--quiet", "--no-progress")[0] == 0
    code, out, err = call(capsys, "predict", net_file, "--data", data, "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["sequence", "response"] and len(rows) == 9
    want = np.asarray(lg.predict(lg.load_network(net_file), X)).ravel()
    np.testing.assert_allclose([float(r[1]) for r in rows[1:]], want, rtol=1e-4, atol=1e-5)
    code, out, err = call(capsys, "predict", net_file, "--data", data, "--scores")
    assert code == 2 and "classification" in one_error_line(err, "predict")


def test_train_says_where_the_network_and_the_plot_went(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    spec = tmp_path / "small.yaml"
    spec.write_text(SMALL)
    data, _ = _small_npz(tmp_path / "d.npz")
    plot = tmp_path / "progress.png"
    net_file = tmp_path / "deep" / "net.pt"
    code, out, err = call(capsys, "train", spec, "--data", data, "-o", net_file, "--max-epochs",
                          1, "--quiet", "--no-progress", "--set", "Plots=training-progress",
                          "--set", f"PlotPath={plot}")
    assert code == 0, err
    assert f"saved the trained network to {net_file}" in out and net_file.is_file()
    assert f"saved the training-progress plot to {plot}" in out and plot.is_file()


def test_data_flag_replaces_the_spec_data_files(tmp_path, capsys):
    spec = tmp_path / "s.yaml"
    spec.write_text(SMALL + "data:\n  train: not-there.npz\n")
    data, _ = _small_npz(tmp_path / "d.npz")
    code, out, err = call(capsys, "train", spec, "-o", tmp_path / "n.pt", "--max-epochs", 1,
                          "--quiet", "--no-progress")
    assert code == 2 and f"{spec}:9:10: data: 'train' file not found" in err
    code, out, err = call(capsys, "train", spec, "--data", data, "-o", tmp_path / "n.pt",
                          "--max-epochs", 1, "--quiet", "--no-progress")
    assert code == 0, err


def test_schema_check(capsys, monkeypatch, tmp_path):
    code, out, err = call(capsys, "schema", "--check")
    assert code == 0 and "up to date" in err
    stale = tmp_path / "old.json"
    stale.write_text("{}\n")
    monkeypatch.setattr(cli, "SCHEMA_PATH", stale)
    code, out, err = call(capsys, "schema", "--check")
    assert code == 1 and "out of date" in err


def test_folder_name_as_text_is_not_yaml(tmp_path):
    with pytest.raises(lg.LayerGraphError, match="is a folder"):
        lg.load_spec(str(tmp_path))


def test_render_wrap_and_notes_flags(tmp_path, capsys):
    long = tmp_path / "long.yaml"
    long.write_text("layers:\n  - sequenceInput: 3\n" + "  - fullyConnected: 3\n  - relu\n" * 8
                    + "  - fullyConnected: 2\n  - classification\n")
    out = tmp_path / "a.dot"
    code, _, _ = call(capsys, "render", long, "-o", out, "--lr", "--wrap", "4")
    wrapped = out.read_text()
    assert code == 0
    code, _, _ = call(capsys, "render", long, "-o", out, "--lr", "--wrap", "none", "--no-notes")
    plain = out.read_text()
    assert code == 0 and wrapped != plain
    assert "note" in wrapped.lower() and "note" not in plain.lower()  # the missing softmax
    with pytest.raises(SystemExit) as exit_:  # argparse's usage error: status 2
        main(["render", str(long), "-o", str(out), "--wrap", "1"])
    assert exit_.value.code == 2 and "at least 2" in capsys.readouterr().err


def test_from_matlab_reads_latin1_and_gb18030_files_with_a_note(tmp_path, capsys):
    latin = tmp_path / "latin.m"
    latin.write_bytes("layers = [sequenceInputLayer(3) % caf\xe9\n fullyConnectedLayer(2)\n"
                      " regressionLayer];\n".encode("latin-1"))
    gbk = tmp_path / "gbk.m"
    gbk.write_bytes("% \u957f\u77ed\u671f\u8bb0\u5fc6\u7f51\u7edc\nlayers = [sequenceInputLayer(3)\n"
                    " fullyConnectedLayer(2)\n regressionLayer];\n".encode("gb18030"))
    for path, enc in ((latin, "latin"), (gbk, "gb18030")):
        code, out, err = call(capsys, "from-matlab", path)
        assert code == 0 and "fullyConnected" in out
        assert enc in err.lower(), err  # the note says which encoding was assumed
