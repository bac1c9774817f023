"""Combining layers (addition, multiplication, concatenation, depth concatenation): options and
their ports in1..inN, analysis problems naming the port, forward passes against NumPy, padding
invariance, a residual conv1d block end to end (layerGraph, connectLayers, assembleNetwork,
predict), its diagram, its YAML spec and its MATLAB text."""

from __future__ import annotations

import json
import math
import re

import jsonschema
import numpy as np
import pytest
import torch

from layergraph import (
    GraphError,
    NetworkError,
    OptionError,
    additionLayer,
    analyze,
    assembleNetwork,
    concatenationLayer,
    connectLayers,
    convolution1dLayer,
    depthConcatenationLayer,
    fullyConnectedLayer,
    layerGraph,
    lstmLayer,
    multiplicationLayer,
    predict,
    regressionLayer,
    reluLayer,
    sequenceInputLayer,
)
from layergraph.formats import Activation, vector, vector_sequence
from layergraph.layers import LayerProblem
from layergraph.limits import raised
from layergraph.render import to_dot
from layergraph.schema import SCHEMA_PATH
from layergraph.sequences import Signal

RNG = np.random.default_rng
C = 3
LENGTHS = [6, 2, 9, 1]

# --- options and ports --------------------------------------------------------------------------


@pytest.mark.parametrize("make", [additionLayer, multiplicationLayer, depthConcatenationLayer,
                                  lambda *a, **k: concatenationLayer(1, *a, **k)])
def test_ports_follow_num_inputs(make):
    assert make().NumInputs == 2 and make().inputs == ("in1", "in2")
    lay = make(4, Name="join")
    assert lay.inputs == ("in1", "in2", "in3", "in4") and lay.InputNames == list(lay.inputs)
    assert lay.outputs == ("out",)
    assert make(3, "Name", "j") == make(3, Name="j")  # MATLAB name-value form
    lay.NumInputs = 5
    assert len(lay.inputs) == 5


def test_concatenation_options():
    lay = concatenationLayer(3, 4, Name="cat")
    assert (lay.Dim, lay.NumInputs) == (3, 4)
    assert concatenationLayer(1).NumInputs == 2
    with pytest.raises(OptionError, match="missing required argument Dim"):
        concatenationLayer()


@pytest.mark.parametrize("value", [1, 0, -2, 2.5, True, "two", None, math.nan, math.inf, [2, 3],
                                   1e30, 2 ** 70])
@pytest.mark.parametrize("make", [additionLayer, multiplicationLayer, depthConcatenationLayer,
                                  lambda n, **k: concatenationLayer(1, n, **k)])
def test_hostile_num_inputs_name_layer_and_option(make, value):
    with pytest.raises(OptionError) as exc:
        make(value, Name="join")
    assert exc.value.option == "NumInputs" and "layer 'join'" in str(exc.value)


def test_num_inputs_limit_is_named_and_adjustable():
    with pytest.raises(OptionError, match="max_layer_inputs"):
        additionLayer(10 ** 9)
    lay = additionLayer(3)
    with pytest.raises(OptionError, match="max_layer_inputs"):
        lay.NumInputs = 10 ** 9  # setting it later is checked too: no billion port names
    assert lay.NumInputs == 3
    with raised(max_layer_inputs=10_000):
        assert len(additionLayer(5000).inputs) == 5000


@pytest.mark.parametrize("value", [0, -1, 1.5, "C", None, math.inf, [1, 2]])
def test_hostile_concatenation_dim(value):
    with pytest.raises(OptionError) as exc:
        concatenationLayer(value, 2, Name="cat")
    assert exc.value.option == "Dim" and "layer 'cat'" in str(exc.value)


# --- analysis -------------------------------------------------------------------------------------

def two_branches(join, left=None, right=None, channels=C):
    """in -> left -> join/in1, in -> right -> join/in2, join -> out."""
    left = left or reluLayer(Name="left")
    right = right or reluLayer(Name="right")
    g = layerGraph([sequenceInputLayer(channels, Name="in"), left, join,
                    regressionLayer(Name="out")])
    g.addLayers(right)
    g.connectLayers("in", right.Name)
    g.connectLayers(right.Name, f"{join.Name}/in2")
    return g


def test_channel_mismatch_names_both_ports():
    g = two_branches(additionLayer(2, Name="add"), fullyConnectedLayer(32, Name="left"),
                     fullyConnectedLayer(64, Name="right"))
    (p,) = analyze(g).problems
    assert p.kind == "size-mismatch" and p.layers[0] == "add"
    assert p.message.startswith("layer 'add' (additionLayer): input 'in2' has 64 channels, "
                                "'in1' has 32")


def test_format_mismatch_names_the_port():
    g = two_branches(multiplicationLayer(2, Name="mul"),
                     lstmLayer(3, OutputMode="last", Name="left"))
    (p,) = analyze(g).problems
    assert "input 'in2' is CBT data" in p.message and "'in1' is CB" in p.message


def test_unconnected_combining_input_says_how_to_connect_it():
    g = layerGraph([sequenceInputLayer(C, Name="in"), additionLayer(3, Name="add"),
                    regressionLayer()])
    problems = analyze(g).problems
    assert [p.kind for p in problems] == ["unconnected-input", "unconnected-input"]
    assert "input 'in2' of layer 'add' (additionLayer)" in problems[0].message
    assert "'add/in3'" in problems[1].message


def test_connecting_a_port_that_does_not_exist_lists_the_ports():
    g = layerGraph([sequenceInputLayer(C, Name="in"), additionLayer(2, Name="add")])
    with pytest.raises(GraphError, match="no input port 'in3'; its inputs: in1, in2"):
        connectLayers(g, "in", "add/in3")


@pytest.mark.parametrize("layer, fmt_in, size_out", [
    (concatenationLayer(1, 3), vector_sequence(4), (12, None, None)),
    (depthConcatenationLayer(3), vector(4), (12, None)),
    (concatenationLayer(1, 3), Activation("SSCB", (5, 6, 4, None)), (15, 6, 4, None)),
    (concatenationLayer(2, 3), Activation("SSCB", (5, 6, 4, None)), (5, 18, 4, None)),
    (concatenationLayer(3, 3), Activation("SSCB", (5, 6, 4, None)), (5, 6, 12, None)),
    (depthConcatenationLayer(3), Activation("SSCBT", (5, 6, 4, None, None)),
     (5, 6, 12, None, None)),
    (additionLayer(3), vector_sequence(4), (4, None, None)),
])
def test_output_sizes(layer, fmt_in, size_out):
    (out,) = layer.infer([fmt_in] * 3)
    assert out == Activation(fmt_in.fmt, size_out)


def test_concatenation_sizes_other_than_dim_must_agree():
    a, b = Activation("SSCB", (5, 6, 4, None)), Activation("SSCB", (5, 7, 2, None))
    with pytest.raises(LayerProblem, match="input 'in2' is 5.* 'in1' is 5.*spatial sizes"):
        concatenationLayer(3, 2).infer([a, b])
    assert concatenationLayer(2, 2).infer([a, Activation("SSCB", (5, 7, 4, None))])[0].size[1] \
        == 13
    with pytest.raises(LayerProblem, match="input 'in2' has 7 channels, 'in1' has 4"):
        additionLayer(2).infer([vector_sequence(4), vector_sequence(7)])


@pytest.mark.parametrize("dim, match", [
    (2, r"Dim 2 is the batch \(B\) dimension of CBT data.*its channels are Dim 1"),
    (3, r"Dim 3 is the time \(T\) dimension of CBT data"),
    (4, r"Dim 4 is beyond the 3 dimensions of CBT data"),
])
def test_concatenation_over_batch_or_time_is_a_problem(dim, match):
    g = two_branches(concatenationLayer(dim, 2, Name="cat"))
    (p,) = analyze(g).problems
    assert p.layers[0] == "cat"
    assert re.search(match, p.message), p.message


def test_concatenated_branches_in_the_analysis():
    g = two_branches(concatenationLayer(1, 2, Name="cat"), fullyConnectedLayer(2, Name="left"),
                     fullyConnectedLayer(5, Name="right"))
    a = analyze(g)
    assert not a.problems and a.activation("cat", "out") == vector_sequence(7)


# --- forward passes against NumPy -------------------------------------------------------------------

def signal(x, lengths=None):
    return Signal(torch.as_tensor(x, dtype=torch.float32),
                  None if lengths is None else torch.as_tensor(lengths))


def test_elementwise_modules_against_numpy():
    rng = RNG(1)
    xs = [rng.standard_normal((4, 9, 5)) for _ in range(3)]
    lengths = [9, 3, 6, 1]
    fmt = [vector_sequence(5)] * 3
    add = additionLayer(3).build(fmt)(*[signal(x, lengths) for x in xs])
    mul = multiplicationLayer(3).build(fmt)(*[signal(x, lengths) for x in xs])
    np.testing.assert_allclose(add.data.numpy(), xs[0] + xs[1] + xs[2], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(mul.data.numpy(), xs[0] * xs[1] * xs[2], rtol=1e-5, atol=1e-6)
    assert add.lengths.tolist() == lengths and mul.lengths.tolist() == lengths
    one = additionLayer(2).build([vector(5)] * 2)(signal(xs[0][:, 0]), signal(xs[1][:, 0]))
    assert one.lengths is None  # feature vectors (CB) carry no lengths


def test_concatenation_modules_against_numpy():
    rng = RNG(2)
    seq = [rng.standard_normal((3, 4, c)) for c in (2, 5)]  # (B, T, C)
    out = concatenationLayer(1, 2).build([vector_sequence(2), vector_sequence(5)])(
        signal(seq[0], [4, 2, 3]), signal(seq[1], [4, 2, 3]))
    np.testing.assert_array_equal(out.data.numpy(), np.concatenate(seq, axis=2).astype("f4"))
    # images: MATLAB h x w x c per observation; torch holds (N, C, H, W)
    imgs = [rng.standard_normal((2, 4, 5, 3)) for _ in range(2)]  # (N, h, w, c)
    act = Activation("SSCB", (4, 5, 3, None))
    for dim, axis in ((1, 1), (2, 2), (3, 3)):
        got = concatenationLayer(dim, 2).build([act, act])(
            *[signal(np.transpose(x, (0, 3, 1, 2))) for x in imgs])
        want = np.concatenate(imgs, axis=axis)
        np.testing.assert_array_equal(np.transpose(got.data.numpy(), (0, 2, 3, 1)),
                                      want.astype("f4"))
    got = depthConcatenationLayer(2).build([act, act])(
        *[signal(np.transpose(x, (0, 3, 1, 2))) for x in imgs])
    np.testing.assert_array_equal(np.transpose(got.data.numpy(), (0, 2, 3, 1)),
                                  np.concatenate(imgs, axis=3).astype("f4"))


def test_misaligned_sequences_are_a_network_error_not_a_torch_error():
    fmt = [vector_sequence(2)] * 2
    add = additionLayer(2, Name="add").build(fmt)
    with pytest.raises(NetworkError, match="'add'.*input 'in2' has 5 time steps, 'in1' has 9"):
        add(signal(np.zeros((2, 9, 2)), [9, 4]), signal(np.zeros((2, 5, 2)), [5, 2]))
    with pytest.raises(NetworkError, match="input 'in2' have lengths \\[9, 3\\].*'in1' \\[9, 4\\]"):
        add(signal(np.zeros((2, 9, 2)), [9, 4]), signal(np.zeros((2, 9, 2)), [9, 3]))
    cat = concatenationLayer(1, 2, Name="cat").build(fmt)
    with pytest.raises(NetworkError, match="'cat'.*shape"):
        cat(signal(np.zeros((2, 9, 2))), signal(np.zeros((3, 9, 2))))


# --- a residual conv1d block, end to end ---------------------------------------------------------

def causal_conv(x, W, b):
    """NumPy reference of MATLAB's causal 1-D convolution: x (T, C), W (K, C, F), b (1, F)."""
    K = W.shape[0]
    xp = np.concatenate([np.zeros((K - 1, x.shape[1])), x])
    return np.stack([np.einsum("kc,kcf->f", xp[t:t + K], W) for t in range(len(x))]) + b


def residual_graph(W, b):
    """sequenceInputLayer -> conv1d 'causal' -> relu -> add/in1, with the input skipping to
    add/in2, as a legacy layerGraph ending in regressionLayer."""
    lg = layerGraph([sequenceInputLayer(C, Name="in"),
                     convolution1dLayer(3, C, Padding="causal", Weights=W, Bias=b, Name="conv"),
                     reluLayer(Name="relu"), additionLayer(2, Name="add"),
                     regressionLayer(Name="out")])
    return connectLayers(lg, "in", "add/in2")


@pytest.fixture(scope="module")
def block():
    rng = RNG(7)
    W, b = rng.standard_normal((3, C, C)) * 0.5, rng.standard_normal((1, C)) * 0.1
    X = [rng.standard_normal((T, C)) for T in LENGTHS]
    return W, b, X


def test_residual_block_graph_and_analysis(block):
    lg = residual_graph(*block[:2])
    assert ("in", "add/in2") in lg.Connections and ("relu", "add/in1") in lg.Connections
    a = analyze(lg)
    assert not a.problems and a.activation("add", "out") == vector_sequence(C)


def test_residual_block_predict_against_numpy(block):
    W, b, X = block
    net = assembleNetwork(residual_graph(W, b))
    got = predict(net, X, MiniBatchSize=len(X))
    for x, y in zip(X, got):
        np.testing.assert_allclose(y, x + np.maximum(causal_conv(x, W, b), 0), atol=1e-5)


def test_residual_block_is_padding_invariant(block):
    W, b, X = block
    net = assembleNetwork(residual_graph(W, b))
    batched = predict(net, X, MiniBatchSize=len(X))  # padded to the longest (9 steps)
    for x, y in zip(X, batched):
        np.testing.assert_allclose(predict(net, [x])[0], y, atol=1e-6, rtol=0)


def test_gated_concatenated_network_against_numpy():
    """in -> fc_a ; in -> fc_b ; mul(fc_a, fc_b) ; cat(mul, in) -> fc -> out, on padded data."""
    rng = RNG(11)
    Wa, Wb, Wo = (rng.standard_normal(s) for s in ((4, C), (4, C), (2, 4 + C)))
    lg = layerGraph([sequenceInputLayer(C, Name="in"),
                     fullyConnectedLayer(4, Weights=Wa, Bias=np.zeros(4), Name="a"),
                     multiplicationLayer(2, Name="mul"), concatenationLayer(1, 2, Name="cat"),
                     fullyConnectedLayer(2, Weights=Wo, Bias=np.zeros(2), Name="fc"),
                     regressionLayer()])
    lg.addLayers(fullyConnectedLayer(4, Weights=Wb, Bias=np.zeros(4), Name="b"))
    lg.connectLayers("in", "b").connectLayers("b", "mul/in2").connectLayers("in", "cat/in2")
    net = assembleNetwork(lg)
    X = [rng.standard_normal((T, C)) for T in LENGTHS]
    got = predict(net, X, MiniBatchSize=len(X))
    for x, y in zip(X, got):
        h = np.concatenate([(x @ Wa.T) * (x @ Wb.T), x], axis=1)
        np.testing.assert_allclose(y, h @ Wo.T, atol=1e-4)
        np.testing.assert_allclose(predict(net, [x])[0], y, atol=1e-5)


def test_strided_branch_is_found_by_the_analysis():
    """Before anything runs (tests/test_time_steps.py has the cases)."""
    rng = RNG(3)
    lg = layerGraph([sequenceInputLayer(C, Name="in"),
                     convolution1dLayer(3, C, Stride=2, Padding="same", Name="conv",
                                        Weights=rng.standard_normal((3, C, C)),
                                        Bias=np.zeros((1, C))),
                     additionLayer(2, Name="add"), regressionLayer()])
    with pytest.raises(NetworkError, match="layer 'add'.*time steps") as err:
        assembleNetwork(connectLayers(lg, "in", "add/in2"))
    assert [p.kind for p in err.value.problems] == ["time-length-mismatch"]


# --- diagram, YAML, MATLAB text ------------------------------------------------------------------

def test_diagram_labels_the_input_ports(block):
    dot = to_dot(residual_graph(*block[:2]), highlight=False)
    assert "in -> add [label=in2" in dot and "relu -> add [label=in1" in dot
    assert "in -> conv [tooltip" in dot  # one-port ends stay unlabelled
    assert "NumInputs: 2" in dot
    sized = to_dot(residual_graph(*block[:2]), show_sizes=True)
    assert 'label="in2\n3(C) x 1(B) x T(T)"' in sized


RESIDUAL_YAML = """\
layers:
  - sequenceInput: {InputSize: 3, Name: in}
  - convolution1d: {FilterSize: 3, NumFilters: 3, Padding: causal, Name: conv}
  - relu: {Name: relu}
  - addition: {NumInputs: 2, Name: add}
  - regression: {Name: out}
connections:
  - in -> add/in2
"""


def test_residual_block_spec_loads_validates_and_round_trips():
    import yaml

    from layergraph import load_spec

    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(RESIDUAL_YAML))
    g = load_spec(RESIDUAL_YAML).graph
    assert g == residual_graph(None, None)
    assert not analyze(g).problems
    text = g.save_spec()
    assert load_spec(text).graph == g and load_spec(text).graph.save_spec() == text
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(text))


def test_spec_inputs_by_port_and_bad_ports():
    from layergraph import SpecError, load_spec

    by_port = RESIDUAL_YAML.replace("{NumInputs: 2, Name: add}",
                                    "{Name: add, inputs: {in1: relu, in2: in}}")
    by_port = by_port.replace("connections:\n  - in -> add/in2\n", "")
    assert load_spec(by_port).graph == residual_graph(None, None)
    by_list = by_port.replace("inputs: {in1: relu, in2: in}", "inputs: [relu, in]")
    assert load_spec(by_list).graph == residual_graph(None, None)
    three = load_spec(by_list.replace("{Name: add, inputs: [relu, in]}",
                                      "{NumInputs: 3, Name: add, inputs: [relu, in, conv]}"))
    assert three.graph.sources("add") == {"in1": ("relu", "out"), "in2": ("in", "out"),
                                          "in3": ("conv", "out")}
    with pytest.raises(SpecError, match="3 sources.*2 input port"):
        load_spec(by_list.replace("[relu, in]", "[relu, in, conv]"))
    with pytest.raises(SpecError, match="in3"):
        load_spec(RESIDUAL_YAML.replace("add/in2", "add/in3"))
    with pytest.raises(SpecError, match="NumInputs"):
        load_spec(RESIDUAL_YAML.replace("NumInputs: 2", "NumInputs: 1"))


def test_matlab_text_with_connect_layers():
    from layergraph import from_matlab

    t = from_matlab("""
layers = [
    sequenceInputLayer(3,'Name','in')
    convolution1dLayer(3,3,'Padding','causal','Name','conv')
    reluLayer('Name','relu')
    additionLayer(2,'Name','add')
    regressionLayer('Name','out')];
lgraph = layerGraph(layers);
lgraph = connectLayers(lgraph,'in','add/in2');
""")
    assert t.graph == residual_graph(None, None)


def test_matlab_translation_writes_the_connection_back():
    from layergraph import from_matlab
    from layergraph.matlab.translation import python_script

    t = from_matlab("layers = [sequenceInputLayer(3,'Name','in')\n"
                    "    additionLayer(2,'Name','add')\n    regressionLayer];\n"
                    "lgraph = layerGraph(layers);\nlgraph = connectLayers(lgraph,'in','add/in2');\n")
    script = python_script(t)
    assert "connectLayers(lgraph, 'in', 'add/in2')" in script
    namespace = {}
    exec(compile(script, "<translated>", "exec"), namespace)
    assert namespace["lgraph"] == t.graph


def test_saved_residual_network_loads_with_its_ports(block, tmp_path):
    from layergraph import load_network, save_network

    W, b, X = block
    net = assembleNetwork(residual_graph(W, b))
    save_network(net, tmp_path / "res.lgnet")
    back = load_network(tmp_path / "res.lgnet")
    assert back.graph == net.graph and ("in", "add/in2") in back.graph.Connections
    for y, z in zip(predict(net, X), predict(back, X)):
        np.testing.assert_array_equal(y, z)


def test_descriptions():
    assert additionLayer(3).describe() == "Element-wise addition of 3 inputs"
    assert multiplicationLayer().describe() == "Element-wise multiplication of 2 inputs"
    assert concatenationLayer(1, 2).describe() == "Concatenation of 2 inputs along dimension 1"
    assert depthConcatenationLayer(4).describe() == "Depth concatenation of 4 inputs"
