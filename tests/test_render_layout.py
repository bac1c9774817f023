"""Diagrams of long networks wrap into rows (or columns), and problems are written beside their
layers so that PNG and PDF show them, not only SVG tooltips."""

from __future__ import annotations

import re
import shutil

import pytest

from layergraph import (
    LayerGraphError,
    classificationLayer,
    fullyConnectedLayer,
    gruLayer,
    layerGraph,
    lstmLayer,
    regressionLayer,
    reluLayer,
    sequenceInputLayer,
    softmaxLayer,
)
from layergraph.render import WRAP, to_digraph, to_dot

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz's dot is not installed (apt-get install graphviz)")


def chain(n):
    """n layers: input, fc/relu alternating, regression output; names l0 ... l{n-1}."""
    hidden = [fullyConnectedLayer(4, Name=f"l{i + 1}") if i % 2 == 0 else
              reluLayer(Name=f"l{i + 1}") for i in range(n - 2)]
    return [sequenceInputLayer(4, Name="l0"), *hidden, regressionLayer(Name=f"l{n - 1}")]


def no_softmax():
    return [sequenceInputLayer(12, Name="in"), lstmLayer(10, OutputMode="last", Name="lstm"),
            fullyConnectedLayer(9, Name="fc"), classificationLayer(Name="out")]


def lines_of(source: str) -> dict[int, list[str]]:
    """{line number: node ids} of the rank=same 'lineN' subgraphs of a DOT source."""
    out = {}
    for num, body in re.findall(r"subgraph line(\d+) \{(.*?)\}", source, re.S):
        ids = [t.strip().strip('"') for t in body.splitlines()]
        out[int(num)] = [t for t in ids if t and t != "rank=same"]
    return out


def plain(dot) -> dict[str, tuple[float, float, str]]:
    """{node: (x, y, label)} from Graphviz's plain output (what PNG and PDF draw)."""
    text = dot.pipe(format="plain").decode().replace("\\\n", "")
    nodes = {}
    for line in text.splitlines():
        if line.startswith("node "):
            m = re.match(r'node ("(?:[^"\\]|\\.)*"|\S+) (\S+) (\S+) \S+ \S+ (.*)', line)
            name = m.group(1).strip('"')
            nodes[name] = (float(m.group(2)), float(m.group(3)), m.group(4))
    return nodes


def graph_width(dot) -> float:
    return float(dot.pipe(format="plain").decode().split()[2])


# --- wrapping -------------------------------------------------------------------------------------

def test_long_left_to_right_chain_wraps_into_equal_rows():
    n = 26  # deeper than WRAP['LR'] (12): 3 rows of 9, 9, 8
    src = to_dot(chain(n), rankdir="LR")
    assert "rankdir=TB" in src  # rows are ranks of a top-to-bottom drawing
    rows = lines_of(src)
    assert sorted(rows) == [1, 2, 3]
    assert [len(rows[k]) for k in (1, 2, 3)] == [9, 9, 8]
    assert sum(rows.values(), []) == [f"l{i}" for i in range(n)]  # in reading order
    assert max(len(r) for r in rows.values()) <= WRAP["LR"]
    assert 'l8 -> l9 [tooltip="l8/out → l9/in" weight=0]' in src  # the row break
    assert "l0 -> l9 [style=invis weight=100]" in src  # the rows' starts aligned


def test_wrap_length_is_an_option_and_none_switches_it_off():
    src = to_dot(chain(26), rankdir="LR", wrap=5)
    assert [len(r) for r in lines_of(src).values()] == [5, 4, 4, 5, 4, 4]  # 26 in 6 rows
    flat = to_dot(chain(26), rankdir="LR", wrap=None)
    assert "rankdir=LR" in flat and "rank=same" not in flat


def test_short_networks_are_not_wrapped():
    src = to_dot(chain(WRAP["LR"]), rankdir="LR")
    assert "rankdir=LR" in src and "subgraph" not in src
    src = to_dot(chain(WRAP["TB"]))
    assert "rankdir=TB" in src and "subgraph" not in src


def test_long_top_to_bottom_chain_wraps_into_columns():
    src = to_dot(chain(WRAP["TB"] + 10))  # 40 layers: 2 columns of 20
    assert "rankdir=LR" in src
    assert [len(c) for c in lines_of(src).values()] == [20, 20]


def test_parallel_branches_are_not_wrapped():
    """Rows of equal rank would scramble parallel branches: such graphs are drawn as before."""
    k = 14
    g = layerGraph([sequenceInputLayer(4, Name="in"),
                    *(gruLayer(4, HasStateInputs=True, Name=f"main{i}") for i in range(k)),
                    regressionLayer(Name="out")])
    for i in range(k):
        g.addLayers(gruLayer(4, OutputMode="last", Name=f"side{i}"), connect=False)
        g.connectLayers("in", f"side{i}").connectLayers(f"side{i}", f"main{i}/hidden")
    src = to_dot(g, rankdir="LR")
    assert "rankdir=LR" in src and "rank=same" not in src


def test_skip_connections_still_wrap():
    """fold -> unfold's miniBatchSize skips ahead; the chain still has one layer per depth."""
    from layergraph import (
        convolution2dLayer,
        flattenLayer,
        sequenceFoldingLayer,
        sequenceUnfoldingLayer,
    )

    layers = [sequenceInputLayer([8, 8, 1], Name="in"), sequenceFoldingLayer(Name="fold"),
              convolution2dLayer(3, 4, Name="conv"),
              *(reluLayer(Name=f"r{i}") for i in range(12)),
              sequenceUnfoldingLayer(Name="unfold"), flattenLayer(Name="flat"),
              lstmLayer(5, OutputMode="last", Name="lstm"), fullyConnectedLayer(2, Name="fc"),
              softmaxLayer(Name="sm"), classificationLayer(Name="out")]
    g = layerGraph(layers).connectLayers("fold/miniBatchSize", "unfold/miniBatchSize")
    src = to_dot(g, rankdir="LR")
    assert "rankdir=TB" in src and len(lines_of(src)) == 2
    assert "fold -> unfold [label=miniBatchSize" in src


def test_bad_wrap_values():
    for bad in ("sometimes", 1, -3, 2.5, True):
        with pytest.raises(LayerGraphError, match="wrap must be"):
            to_dot(chain(5), wrap=bad)
    with pytest.raises(LayerGraphError, match="wrap works with rankdir 'LR' and 'TB'"):
        to_dot(chain(5), rankdir="RL", wrap=4)
    assert "rankdir=RL" in to_dot(chain(30), rankdir="RL")  # 'auto' leaves RL alone


def test_a_cycle_is_drawn_unwrapped():
    layers = [sequenceInputLayer(3, Name="in"),
              gruLayer(4, HasStateInputs=True, OutputMode="last", Name="gru"),
              *(fullyConnectedLayer(4, Name=f"fc{i}") for i in range(14)),
              regressionLayer(Name="out")]
    g = layerGraph(layers).connectLayers("fc13", "gru/hidden")
    src = to_dot(g, rankdir="LR")
    assert "rankdir=LR" in src and "line1" not in src


@needs_dot
def test_wrapped_drawing_is_narrow_and_reads_row_by_row():
    wrapped, flat = to_digraph(chain(36), rankdir="LR"), to_digraph(chain(36), rankdir="LR",
                                                                    wrap=None)
    assert graph_width(wrapped) < graph_width(flat) / 2
    nodes = plain(wrapped)
    rows = lines_of(wrapped.source)
    ys = [nodes[members[0]][1] for _, members in sorted(rows.items())]
    assert ys == sorted(ys, reverse=True)  # each row below the previous (plain's y points up)
    for members in rows.values():
        xs = [nodes[n][0] for n in members]
        assert xs == sorted(xs)  # left to right within a row
    firsts = [nodes[members[0]][0] for members in rows.values()]
    assert max(firsts) - min(firsts) < 0.5  # every row starts at the left edge


# --- problems written beside their layers ---------------------------------------------------------

def _note_lines(src):
    return [line for line in src.splitlines() if "shape=note" in line]


def test_problem_note_is_a_node_beside_its_layer():
    src = to_dot(no_softmax())
    (note,) = _note_lines(src)  # one problem, one note (not one per layer it names)
    assert note.strip().startswith('"out problems" [')
    text = re.search(r'label="(.*?)" color', note).group(1).replace("\\l", " ")
    assert "add softmaxLayer between 'fc' and 'out'" in " ".join(text.split())
    assert 'out -> "out problems" [arrowhead=none color="#cc0000" style=dashed' in src
    assert re.search(r'\{\s*rank=same\s*out\s*"out problems"\s*\}', src)
    fc = next(line for line in src.splitlines() if line.strip().startswith("fc ["))
    assert "color=red" in fc  # the other layer the problem names is highlighted


def test_notes_can_be_left_out():
    assert not _note_lines(to_dot(no_softmax(), notes=False))
    assert "color=red" in to_dot(no_softmax(), notes=False)
    assert not _note_lines(to_dot(no_softmax(), highlight=False))


def test_clean_network_has_no_notes():
    layers = no_softmax()
    layers.insert(3, softmaxLayer(Name="sm"))
    assert not _note_lines(to_dot(layers))


def test_note_of_a_wrapped_layer_is_on_its_row():
    layers = chain(20)
    layers[10] = fullyConnectedLayer(4, Name="l10", InputSize=7)  # a size mismatch
    src = to_dot(layers, rankdir="LR")
    rows = lines_of(src)
    row = next(members for members in rows.values() if "l10" in members)
    assert "l10 problems" in row


def test_note_names_never_clash_with_layer_names():
    layers = no_softmax()
    layers[2] = fullyConnectedLayer(9, Name="out problems")
    src = to_dot(layers)
    (note,) = _note_lines(src)
    assert note.strip().startswith('"out problems_" [')


@needs_dot
def test_problem_text_is_drawn_in_png_and_pdf_output():
    """Graphviz's plain output lists what PNG and PDF draw: the note with the whole message."""
    for rankdir in ("TB", "LR"):
        nodes = plain(to_digraph(no_softmax(), rankdir=rankdir))
        label = nodes["out problems"][2]
        words = " ".join(label.replace("\\l", " ").split())
        assert "add softmaxLayer between 'fc' and 'out'" in words
        assert abs(nodes["out problems"][1 if rankdir == "TB" else 0]
                   - nodes["out"][1 if rankdir == "TB" else 0]) < 0.01  # beside its layer
