"""Diagrams: DOT built from the graph and the analysis; SVG/PNG/PDF drawn by Graphviz's dot."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from layergraph import (
    LayerGraphError,
    classificationLayer,
    fullyConnectedLayer,
    layerGraph,
    load_spec,
    lstmLayer,
    sequenceInputLayer,
    softmaxLayer,
)
from layergraph.render import render, to_digraph, to_dot, to_svg

ROOT = Path(__file__).resolve().parent.parent
VIDEO = ROOT / "specs" / "video-classification-fold-unfold.yaml"
SVG_NS = "{http://www.w3.org/2000/svg}"

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot is not installed (apt-get install graphviz; .ci/run installs it)")


def _video():
    return load_spec(VIDEO).graph


def _svg_parts(svg: str):
    """{node title: texts} and {edge title: texts} of a Graphviz SVG."""
    root = ET.fromstring(svg)
    nodes, edges = {}, {}
    for g in root.iter(f"{SVG_NS}g"):
        cls = g.get("class")
        title = g.find(f"{SVG_NS}title")
        if cls not in ("node", "edge") or title is None:
            continue
        texts = [t.text for t in g.iter(f"{SVG_NS}text") if t.text]
        (nodes if cls == "node" else edges).setdefault(title.text, []).extend(texts)
    return nodes, edges


@needs_dot
def test_video_svg_has_every_layer_and_the_minibatchsize_edge():
    graph = _video()
    nodes, edges = _svg_parts(to_svg(graph))
    assert set(nodes) == {lay.Name for lay in graph.Layers}
    for lay in graph.Layers:
        assert lay.Name in nodes[lay.Name]  # the name is drawn on the node
        assert lay.type_description in nodes[lay.Name]
    assert "NumHiddenUnits: 200" in nodes["lstm"] and "OutputMode: last" in nodes["lstm"]
    assert "NumFilters: 20" in nodes["conv"]
    assert "fold->unfold" in edges
    assert "miniBatchSize" in edges["fold->unfold"]
    assert len(edges) == len(graph.edges())


def test_dot_source_ports_sizes_and_direction():
    graph = _video()
    plain = to_dot(graph)
    assert "rankdir=TB" in plain
    assert 'fold -> unfold [label=miniBatchSize' in plain
    assert 'fold -> conv [label=out' in plain  # fold has two outputs: the port is named
    assert 'relu -> unfold [label=in' in plain  # unfold has two inputs
    assert "lstm -> fc [" in plain and "lstm -> fc [label" not in plain  # single ports: no label
    sized = to_dot(graph, show_sizes=True, rankdir="LR")
    assert "rankdir=LR" in sized
    assert "11520(C) x 1(B) x T(T)" in sized  # flatten -> lstm, as analyzeNetwork shows it
    assert "28(S) x 28(S) x 1(C) x 1(B) x T(T)" in sized


def test_problems_are_highlighted_with_their_message():
    spec = load_spec(ROOT / "tests" / "fixtures" / "specs" / "fold-without-unfold.yaml",
                     strict=False)
    dot = to_digraph(spec.graph)
    fold = next(line for line in dot.body if line.strip().startswith("fold ["))
    assert "color=red" in fold and "no matching sequenceUnfoldingLayer" in fold
    conv = next(line for line in dot.body if line.strip().startswith("conv ["))
    assert "color=red" not in conv
    plain = to_dot(spec.graph, highlight=False)
    assert "color=red" not in plain


def test_problem_without_a_layer_is_written_under_the_graph():
    g = layerGraph([sequenceInputLayer(3), lstmLayer(4), fullyConnectedLayer(2), softmaxLayer()])
    assert "the network has no output layer" in to_dot(g)


def test_layer_array_and_bad_direction():
    layers = [sequenceInputLayer(3), lstmLayer(4, OutputMode="last"), fullyConnectedLayer(2),
              softmaxLayer(), classificationLayer()]
    assert "sequenceinput -> lstm" in to_dot(layers)
    with pytest.raises(LayerGraphError, match="rankdir"):
        to_dot(layers, rankdir="sideways")


@needs_dot
@pytest.mark.parametrize("ext, magic", [("svg", b"<?xml"), ("png", b"\x89PNG"),
                                        ("pdf", b"%PDF")])
def test_render_formats_by_extension(tmp_path, ext, magic):
    out = render(_video(), tmp_path / f"net.{ext}")
    assert out == tmp_path / f"net.{ext}"
    assert out.read_bytes().startswith(magic)


def test_render_dot_needs_no_binary(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no 'dot' on the PATH
    out = render(_video(), tmp_path / "net.dot")
    assert out.read_text().startswith("digraph")
    assert "fold -> unfold" in out.read_text()


def test_missing_dot_writes_dot_source_and_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no 'dot' on the PATH
    with pytest.raises(LayerGraphError) as info:
        render(_video(), tmp_path / "net.svg")
    msg = str(info.value)
    assert "apt-get install graphviz" in msg and "brew install graphviz" in msg
    assert "conda install graphviz" in msg
    assert (tmp_path / "net.dot").read_text().startswith("digraph")
    assert not (tmp_path / "net.svg").exists()
    with pytest.raises(LayerGraphError, match="install graphviz"):
        to_svg(_video())


def test_unknown_format(tmp_path):
    with pytest.raises(LayerGraphError, match="unknown format 'jpg'"):
        render(_video(), tmp_path / "net.jpg")


@needs_dot
def test_graph_displays_itself_as_svg_in_jupyter():
    svg = _video()._repr_svg_()
    assert svg is not None and svg.lstrip().startswith("<?xml")
    assert "miniBatchSize" in svg
