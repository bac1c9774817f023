"""MATLAB .mat learnables: exportLearnables / importLearnables.

A file written here by independent code (scipy.io.savemat of arrays in MATLAB's layouts, built
from the NumPy reference's equations) must load into layers whose predictions equal the NumPy
reference and equal layers given the same arrays directly; a network's learnables survive a round
trip; every misfit entry is refused naming its layer and property.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

sio = pytest.importorskip("scipy.io")

import reference_rnn as ref  # noqa: E402
from conftest import initialize_learnables  # noqa: E402

from layergraph import (  # noqa: E402
    FileError,
    assembleNetwork,
    batchNormalizationLayer,
    bilstmLayer,
    convolution1dLayer,
    fullyConnectedLayer,
    gruLayer,
    layerGraph,
    lstmLayer,
    predict,
    regressionLayer,
    sequenceInputLayer,
)
from layergraph.errors import ExportError, LearnablesFileError  # noqa: E402
from layergraph.matfile import exportLearnables, importLearnables  # noqa: E402

C, H, K = 3, 4, 2


def architecture():
    """conv1d (k=3, causal) -> batchnorm -> lstm -> fc, learnables unset."""
    return [sequenceInputLayer(C, Name="in"),
            convolution1dLayer(3, 5, Padding="causal", Name="conv"),
            batchNormalizationLayer(Name="bn"),
            lstmLayer(H, Name="lstm"),
            fullyConnectedLayer(K, Name="fc"),
            regressionLayer(Name="out")]


def matlab_arrays(rng):
    """Learnables in MATLAB's layouts, drawn independently of the code under test."""
    F = 5
    return {
        "conv": {"Weights": rng.normal(size=(3, C, F)), "Bias": rng.normal(size=(1, F))},
        "bn": {"Offset": rng.normal(size=(F, 1)), "Scale": rng.uniform(0.5, 2, size=(F, 1)),
               "TrainedMean": rng.normal(size=(F, 1)),
               "TrainedVariance": rng.uniform(0.5, 2, size=(F, 1))},
        "lstm": {"InputWeights": rng.normal(size=(4 * H, F)) * 0.5,
                 "RecurrentWeights": rng.normal(size=(4 * H, H)) * 0.5,
                 "Bias": rng.normal(size=(4 * H, 1))},
        "fc": {"Weights": rng.normal(size=(K, H)), "Bias": rng.normal(size=(K, 1))},
    }


def numpy_reference(x, a):
    """The network of :func:`architecture` in NumPy: causal conv (MATLAB k x C x F layout),
    inference batch norm, the reference LSTM, fc; one (T, K) array per step."""
    W, b = a["conv"]["Weights"], a["conv"]["Bias"].ravel()
    k = W.shape[0]
    xp = np.concatenate([np.zeros((k - 1, x.shape[1])), x])
    conv = np.stack([sum(xp[t + j] @ W[j] for j in range(k)) + b for t in range(len(x))])
    bn = a["bn"]
    z = ((conv - bn["TrainedMean"].ravel()) / np.sqrt(bn["TrainedVariance"].ravel() + 1e-5)
         * bn["Scale"].ravel() + bn["Offset"].ravel())
    lstm = a["lstm"]
    h = ref.lstm_forward(z, lstm["InputWeights"], lstm["RecurrentWeights"], lstm["Bias"])[0]
    return h @ a["fc"]["Weights"].T + a["fc"]["Bias"].ravel()


def test_a_file_in_matlab_layout_gives_the_numpy_reference(tmp_path):
    rng = np.random.default_rng(0)
    arrays = matlab_arrays(rng)
    path = tmp_path / "weights.mat"
    sio.savemat(path, arrays)  # as MATLAB's save(file, '-struct', 's') would
    layers = importLearnables(architecture(), path)
    net = assembleNetwork(layers)
    direct = architecture()
    for lay in direct:
        for prop, value in arrays.get(lay.Name, {}).items():
            setattr(lay, prop, value)
    seqs = [rng.standard_normal((n, C)) for n in (7, 3, 5)]
    got = predict(net, seqs)
    want_direct = predict(assembleNetwork(direct), seqs)
    for s, g, d in zip(seqs, got, want_direct):
        np.testing.assert_allclose(g, numpy_reference(s, arrays), atol=1e-4)
        np.testing.assert_array_equal(g, d)
    assert all(lay.InputWeights is None for lay in architecture()[3:4])  # the argument unchanged


def test_round_trip_and_matlab_shapes(tmp_path):
    net = assembleNetwork(initialize_learnables(architecture(), seed=1))
    path = tmp_path / "w.mat"
    exportLearnables(net, path)
    raw = sio.loadmat(path, squeeze_me=False, struct_as_record=False)
    lstm = raw["lstm"][0, 0]
    assert lstm.InputWeights.shape == (4 * H, 5) and lstm.InputWeights.dtype == np.float32
    assert lstm.RecurrentWeights.shape == (4 * H, H) and lstm.Bias.shape == (4 * H, 1)
    assert raw["conv"][0, 0].Weights.shape == (3, C, 5) and raw["conv"][0, 0].Bias.shape == (1, 5)
    assert raw["fc"][0, 0].Weights.shape == (K, H)
    assert set(raw["bn"][0, 0]._fieldnames) == {"Offset", "Scale", "TrainedMean", "TrainedVariance"}
    assert "in" not in raw and "out" not in raw  # nothing set: left out
    again = importLearnables(architecture(), path)
    seqs = [np.random.default_rng(2).standard_normal((n, C)) for n in (6, 2)]
    for a, b in zip(predict(net, seqs), predict(assembleNetwork(again), seqs)):
        np.testing.assert_allclose(a, b, atol=1e-6)
    # into a network: a new one, on the same device, with the training record
    other = assembleNetwork(initialize_learnables(architecture(), seed=9))
    moved = importLearnables(other, path)
    assert moved is not other and moved.device == other.device
    for a, b in zip(predict(net, seqs), predict(moved, seqs)):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_bilstm_gru_and_trailing_singletons(tmp_path):
    """A filter bank of one filter comes from MATLAB as k x C (its trailing 1 dropped)."""
    rng = np.random.default_rng(3)
    layers = [sequenceInputLayer(2, Name="in"), convolution1dLayer(2, 1, Name="c"),
              bilstmLayer(3, Name="bi"), gruLayer(2, Name="gru"), regressionLayer(Name="out")]
    arrays = {"c": {"Weights": rng.normal(size=(2, 2)), "Bias": np.array([[0.3]])},
              "bi": {"InputWeights": rng.normal(size=(24, 1)), "RecurrentWeights":
                     rng.normal(size=(24, 3)), "Bias": rng.normal(size=(24, 1))},
              "gru": {"InputWeights": rng.normal(size=(6, 6)), "RecurrentWeights":
                      rng.normal(size=(6, 2)), "Bias": rng.normal(size=(6, 1))}}
    sio.savemat(tmp_path / "w.mat", arrays)
    got = importLearnables(layerGraph(layers), tmp_path / "w.mat")
    assert got.layer("c").Weights.shape == (2, 2, 1)
    np.testing.assert_array_equal(got.layer("bi").RecurrentWeights, arrays["bi"]["RecurrentWeights"])
    assert layers[2].InputWeights is None


def write(tmp_path, content):
    path = tmp_path / "bad.mat"
    sio.savemat(path, content)
    return path


def good(rng):
    return {"lstm": {"InputWeights": rng.normal(size=(4 * H, C)),
                     "RecurrentWeights": rng.normal(size=(4 * H, H)),
                     "Bias": rng.normal(size=(4 * H, 1))}}


def small():
    return [sequenceInputLayer(C, Name="in"), lstmLayer(H, Name="lstm"),
            fullyConnectedLayer(K, Name="fc"), regressionLayer(Name="out")]


@pytest.mark.parametrize("change, prop, message", [
    (lambda e: e["lstm"].update(InputWeights=e["lstm"]["InputWeights"].T), "InputWeights",
     "must be 16x3 (MATLAB layout), got 3x16"),
    (lambda e: e["lstm"].update(Bias=e["lstm"]["Bias"].T), "Bias", "must be 16x1"),
    (lambda e: e["lstm"].update(Bias=np.ones((8, 1))), "Bias", "must be 16x1"),
    (lambda e: e["lstm"].update(Weights=np.ones((2, 2))), "Weights",
     "not a learnable property"),
    (lambda e: e["lstm"].update(InputWeights=np.full((16, 3), np.nan)), "InputWeights",
     "NaN or Inf"),
    (lambda e: e["lstm"].update(Bias="zeros"), "Bias", "real numeric array, got char"),
    (lambda e: e["lstm"].update(Bias=np.ones((16, 1)) * 1j), "Bias", "complex"),
])
def test_misfit_entries_name_layer_and_property(change, prop, message, tmp_path):
    entries = good(np.random.default_rng(0))
    change(entries)
    with pytest.raises(LearnablesFileError, match=re.escape(message)) as err:
        importLearnables(small(), write(tmp_path, entries))
    assert err.value.layer == "lstm" and err.value.property == prop
    assert "layer 'lstm' (lstmLayer)" in str(err.value)


def test_misfit_files(tmp_path):
    rng = np.random.default_rng(0)
    with pytest.raises(LearnablesFileError, match="no layer of that name") as err:
        importLearnables(small(), write(tmp_path, {"lstm2": good(rng)["lstm"]}))
    assert err.value.layer == "lstm2"
    with pytest.raises(LearnablesFileError, match="not a struct"):
        importLearnables(small(), write(tmp_path, {"lstm": np.ones((3, 3))}))
    with pytest.raises(FileError, match="no such file"):
        importLearnables(small(), tmp_path / "missing.mat")
    (tmp_path / "text.mat").write_text("not a mat file at all, just some text" * 10)
    with pytest.raises(FileError, match="not a MATLAB .mat file"):
        importLearnables(small(), tmp_path / "text.mat")
    # MATLAB's v7.3 header: 116 bytes of text, 8 of subsystem offset, version 0x0200, 'IM'
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, HDF5 schema 1.00 .".ljust(116) + \
        b"\0" * 8 + b"\x00\x02" + b"IM"
    (tmp_path / "v73.mat").write_bytes(header + b"\x89HDF\r\n\x1a\n" + b"\0" * 400)
    with pytest.raises(FileError, match=r"v7\.3 \(HDF5\).*'-v7'"):
        importLearnables(small(), tmp_path / "v73.mat")
    truncated = tmp_path / "cut.mat"
    sio.savemat(truncated, good(rng))
    truncated.write_bytes(truncated.read_bytes()[:200])
    with pytest.raises(FileError, match="damaged or unreadable"):
        importLearnables(small(), truncated)


def test_export_refuses_names_matlab_cannot_hold(tmp_path):
    layers = initialize_learnables([sequenceInputLayer(C, Name="in"), lstmLayer(H, Name="lstm-1"),
                                    fullyConnectedLayer(K, Name="fc"), regressionLayer()])
    with pytest.raises(ExportError, match="not a MATLAB variable name") as err:
        exportLearnables(layers, tmp_path / "w.mat")
    assert err.value.layer == "layer 'lstm-1' (lstmLayer)"
    assert not (tmp_path / "w.mat").exists()
    net = assembleNetwork(initialize_learnables(small()))
    with pytest.raises(FileError, match="does not exist"):
        exportLearnables(net, tmp_path / "no" / "w.mat")
    with pytest.raises(FileError, match="is a folder"):
        exportLearnables(net, tmp_path)
    with pytest.raises(FileError, match="is a folder"):
        importLearnables(small(), tmp_path)


def test_recurrent_state_travels_with_the_learnables(tmp_path):
    rng = np.random.default_rng(5)
    graph = initialize_learnables(small())
    lstm = graph.layer("lstm")
    h0, c0 = rng.normal(size=(H, 1)), rng.normal(size=(H, 1))
    lstm.HiddenState, lstm.CellState = h0, c0
    exportLearnables(graph, tmp_path / "w.mat")
    stored = sio.loadmat(tmp_path / "w.mat")["lstm"][0, 0]
    np.testing.assert_allclose(stored["HiddenState"], h0, rtol=1e-6)
    back = importLearnables(small(), tmp_path / "w.mat")
    np.testing.assert_allclose(back[1].HiddenState.reshape(-1), h0.reshape(-1), rtol=1e-6)
    np.testing.assert_allclose(back[1].CellState.reshape(-1), c0.reshape(-1), rtol=1e-6)
    entries = good(rng)
    entries["lstm"]["HiddenState"] = np.ones((H + 1, 1))
    with pytest.raises(LearnablesFileError, match=r"must be 4x1") as err:
        importLearnables(small(), write(tmp_path, entries))
    assert err.value.property == "HiddenState"


def _compressed_mat(path, payload: bytes):
    """A v5 file whose one element is a miCOMPRESSED block inflating to ``payload``."""
    import struct
    import zlib

    header = b"MATLAB 5.0 MAT-file, written by a test".ljust(116) + b"\0" * 8 + b"\x00\x01IM"
    block = zlib.compress(payload, 9)
    path.write_bytes(header + struct.pack("<II", 15, len(block)) + block)
    return path


def test_a_decompression_bomb_is_refused_before_it_is_inflated(tmp_path):
    from layergraph.limits import raised

    # 64 MiB of zeros compress to about 64 kB; with the limit at 1 MiB the check stops after
    # inflating a little over 1 MiB, and names the limit
    bomb = _compressed_mat(tmp_path / "bomb.mat", bytes(64 << 20))
    assert bomb.stat().st_size < 1 << 20
    with raised(max_mat_bytes=1 << 20), pytest.raises(FileError, match="max_mat_bytes") as err:
        importLearnables(small(), bomb)
    assert "raise it with" in str(err.value) and "bomb.mat" in str(err.value)
    # an honest compressed file under the limit loads as before
    ok = tmp_path / "ok.mat"
    sio.savemat(ok, good(np.random.default_rng(1)), do_compression=True)
    with raised(max_mat_bytes=1 << 20):
        importLearnables(small(), ok)
    with raised(max_mat_bytes=100), pytest.raises(FileError, match="max_mat_bytes"):
        importLearnables(small(), ok)
    garbage = _compressed_mat(tmp_path / "garbage.mat", b"")
    garbage.write_bytes(garbage.read_bytes()[:-4] + b"\xff" * 20)
    with pytest.raises(FileError, match="damaged"):
        importLearnables(small(), garbage)
