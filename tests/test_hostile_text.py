"""Hostile YAML specs and MATLAB text get layergraph's own errors, fast and in bounded memory.

The bombs (alias expansion, 10,000-deep nesting, huge arrays, endless loops) run in a child
process with a wall-clock timeout and an address-space limit, so a hang or an allocation fails
the test instead of the machine. Each limit's error names the limit (``limit`` attribute and
the message), and raising the limit lets the same text past that check.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

import pytest
from conftest import SMALL_SPEC

import layergraph.matlab.interpreter as interpreter
from layergraph import from_matlab
from layergraph.errors import LayerGraphError
from layergraph.matlab import LIMITS, MatlabLimits, MatlabSyntaxError, MatlabTranslationError
from layergraph.spec import SpecLimits, load_spec, save_spec, validate_spec

ROOT = Path(__file__).resolve().parents[1]

SPEC = SMALL_SPEC

MATLAB = """\
layers = [ ...
    sequenceInputLayer(12)
    lstmLayer(100,'OutputMode','last')
    fullyConnectedLayer(9)
    softmaxLayer
    classificationLayer];
"""


def alias_bomb(levels=12, width=10) -> str:
    text = "a0: &a0 [" + ", ".join(["lol"] * width) + "]\n"
    for i in range(1, levels):
        text += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]\n"
    return text + "layers: [softmax]\n"


# --- the bombs, in a bounded child process ---------------------------------------------------

CHILD = r'''
import json, resource, sys
from layergraph import from_matlab
from layergraph.errors import LayerGraphError
from layergraph.spec import validate_spec

def vm_bytes():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024

# what the child has mapped so far, plus 1 GiB: no case below may allocate more
limit = vm_bytes() + 2**30
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
cases = json.loads(sys.stdin.read())
out = {}
for name, (kind, text) in cases.items():
    try:
        if kind == "yaml":
            issues = validate_spec(text)
            out[name] = {"ok": True, "limits": [i.limit for i in issues],
                         "lines": [i.line for i in issues], "text": "\n".join(map(str, issues))}
        else:
            from_matlab(text)
            out[name] = {"ok": True, "limits": [], "text": ""}
    except LayerGraphError as e:
        probs = getattr(e, "problems", [])
        out[name] = {"ok": False, "type": type(e).__name__, "text": str(e),
                     "limits": [p.limit for p in probs], "lines": [p.line for p in probs]}
    except BaseException as e:
        out[name] = {"ok": False, "type": type(e).__name__, "text": repr(e)[:300],
                     "limits": [], "lines": []}
print(json.dumps(out))
'''

BOMBS = {
    "alias bomb": ("yaml", alias_bomb()),
    "deep sequences": ("yaml", "layers: " + "[" * 10_000 + "]" * 10_000 + "\n"),
    "deep mappings": ("yaml", "layers: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n"),
    "deep block lists": ("yaml", "layers:\n" + "".join(" " * i + "- \n" for i in range(2000))),
    "recursive alias": ("yaml", "a: &a [1, *a]\nlayers: [softmax]\n"),
    "merge bomb": ("yaml", "".join(
        f"m{i}: &m{i} {{<<: [{', '.join(f'*m{i - 1}' for _ in range(4))}], k{i}: 1}}\n"
        if i else "m0: &m0 {k: 1}\n" for i in range(14)) + "layers: [softmax]\n"),
    "deep parentheses": ("matlab", "x = " + "(" * 10_000 + "1" + ")" * 10_000 + ";\n" + MATLAB),
    "deep brackets": ("matlab", "x = " + "[" * 10_000 + "1" + "]" * 10_000 + ";\n" + MATLAB),
    "deep unary minus": ("matlab", "x = " + "-" * 10_000 + "1;\n" + MATLAB),
    "deep ifs": ("matlab", "if true\n" * 10_000 + "x = 1;\n" + "end\n" * 10_000 + MATLAB),
    "long sum": ("matlab", "x = " + "+".join(["1"] * 10_000) + ";\n" + MATLAB),
    "allocation bomb": ("matlab", "x = ones(9999999) * ones(9999999)';\n"
                        "layers = [sequenceInputLayer(numel(x)) regressionLayer];\n"),
    "big but possible": ("matlab", "x = zeros(20000);\n" + MATLAB),
    "doubling in a loop": ("matlab", "s = 'ab';\nfor k = 1:60\n s = [s s];\nend\n" + MATLAB),
    "nested loops": ("matlab", "for i = 1:99999\n for j = 1:99999\n x = i;\n end\nend\n"
                     + MATLAB),
    "long range": ("matlab", "r = 1:1e15;\n" + MATLAB),
}


@pytest.fixture(scope="module")
def bombs():
    pytest.importorskip("resource")
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to bound the child's memory")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    try:
        done = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(BOMBS),
                              capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    except subprocess.TimeoutExpired:
        pytest.fail("the hostile inputs did not all finish within 60 s (a hang)")
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name,limit", [
    ("alias bomb", "max_alias_nodes"), ("deep sequences", "max_depth"),
    ("deep mappings", "max_depth"), ("deep block lists", "max_depth"),
    ("merge bomb", "max_alias_nodes")])
def test_yaml_bombs_are_issues_naming_the_limit(bombs, name, limit):
    r = bombs[name]
    assert r["ok"], r["text"]  # validate_spec returns issues, it raises nothing
    assert limit in r["limits"], r["text"]
    assert f"{limit}=" in r["text"] and "SpecLimits" in r["text"]
    assert all(line is not None for line in r["lines"])


def test_recursive_alias_is_an_issue_at_the_alias(bombs):
    r = bombs["recursive alias"]
    assert r["ok"] and r["lines"] == [1], r["text"]
    assert "*a is inside its own anchor &a" in r["text"]


@pytest.mark.parametrize("name", ["deep parentheses", "deep brackets", "deep unary minus",
                                  "deep ifs", "long sum"])
def test_matlab_nesting_is_a_syntax_error_naming_max_depth(bombs, name):
    r = bombs[name]
    assert r["type"] == "MatlabSyntaxError", r["text"]
    assert r["limits"][0] == "max_depth" and r["lines"][0] >= 1
    assert "max_depth=32" in r["text"] and "MatlabLimits(max_depth=" in r["text"]


def test_allocation_bomb_is_refused_from_its_size(bombs):
    r = bombs["allocation bomb"]  # 2 x 728 TiB asked for, under a 1 GiB address-space limit
    assert r["type"] == "MatlabTranslationError", r["text"]
    assert "max_elements=1,000,000" in r["text"] and "99,999,980,000,001 elements" in r["text"]
    assert r["lines"] == [2]  # where the network needs x


@pytest.mark.parametrize("name", ["big but possible", "doubling in a loop", "long range"])
def test_values_past_max_elements_are_left_unevaluated(bombs, name):
    assert bombs[name]["ok"], bombs[name]["text"]  # the network does not need them


def test_nested_loops_stop_at_max_loop_iterations(bombs):
    r = bombs["nested loops"]
    assert r["limits"] == ["max_loop_iterations"], r["text"]
    assert "100,001 iterations" in r["text"] and r["lines"] == [1]  # the outer loop's 2nd turn


# --- YAML: each limit, raised ------------------------------------------------------------------


def limits_of(issues):
    return [i.limit for i in issues]


def test_max_size_counts_before_parsing_and_can_be_raised():
    (issue,) = validate_spec(SPEC, limits=SpecLimits(max_size=20))
    assert issue.limit == "max_size" and (issue.line, issue.column) == (1, 1)
    assert f"{len(SPEC):,} characters" in issue.message and "max_size=20" in issue.message
    assert validate_spec(SPEC, limits=SpecLimits(max_size=len(SPEC))) == []
    (issue,) = validate_spec(io.BytesIO(SPEC.encode()), limits=SpecLimits(max_size=20))
    assert issue.limit == "max_size"


def test_max_size_of_a_file_is_checked_from_its_size(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(SPEC + "#" * 1000 + "\n")
    (issue,) = validate_spec(path, limits=SpecLimits(max_size=500))
    assert issue.limit == "max_size" and issue.file == str(path)


def test_max_depth_is_marked_where_it_is_passed_and_can_be_raised():
    text = SPEC + "description: " + "[" * 40 + "]" * 40 + "\n"
    (issue,) = validate_spec(text)
    assert issue.limit == "max_depth" and (issue.line, issue.column) == (8, 45)
    issues = validate_spec(text, limits=SpecLimits(max_depth=64))
    assert issues and "max_depth" not in limits_of(issues)  # now only the schema complains


def test_max_alias_nodes_counts_without_expanding_and_can_be_raised():
    bomb = alias_bomb(levels=3, width=10)  # 1,000 leaves
    assert "max_alias_nodes" in limits_of(validate_spec(bomb, limits=SpecLimits(
        max_alias_nodes=500)))
    issues = validate_spec(bomb, limits=SpecLimits(max_alias_nodes=5000))
    assert issues and "max_alias_nodes" not in limits_of(issues)


def test_a_merge_key_still_works():
    text = ("layers:\n  - sequenceInput: 3\n  - fullyConnected: &fc {OutputSize: 2}\n"
            "  - fullyConnected: {<<: *fc, Name: fc2}\n")
    assert load_spec(text, strict=False).graph.layer("fc2").OutputSize == 2


def test_a_path_too_long_for_the_system_is_layergraphs_error():
    with pytest.raises(LayerGraphError, match="cannot read the spec file") as info:
        load_spec("x" * 100_000 + ".yaml")
    assert "100,005 characters" in str(info.value) and len(str(info.value)) < 300


def test_nul_and_latin1_bytes_are_located():
    (issue,) = validate_spec("name: a\x00b\n" + SPEC[12:])
    assert (issue.line, issue.column) == (1, 8)
    (issue,) = validate_spec(io.BytesIO("name: ü\ndescription: ça caf".encode()
                                        + b"\xe9\n" + SPEC[12:].encode()))
    assert (issue.line, issue.column) == (2, 20) and "0xe9" in issue.message


def test_a_utf8_byte_order_mark_is_allowed():
    assert load_spec(io.BytesIO(b"\xef\xbb\xbf" + SPEC.encode())).name == "small"


def test_strings_that_look_like_numbers_round_trip():
    text = SPEC.replace("name: small", "name: '1e3'").replace(
        "- softmax", "- softmax: {Name: '2e-5'}")
    spec = load_spec(text)
    assert spec.name == "1e3" and spec.graph.Layers[3].Name == "2e-5"
    again = load_spec(save_spec(spec))
    assert again == spec


# --- MATLAB: each limit ------------------------------------------------------------------------


def translation_error(text, **limits):
    with pytest.raises(MatlabTranslationError) as info:
        from_matlab(text, filename="net.m", limits=MatlabLimits(**limits) if limits else None)
    return info.value


def test_the_limits_named_in_the_messages_are_the_ones_used(monkeypatch):
    import layergraph.matlab as matlab
    import layergraph.spec as spec

    assert matlab.LIMITS is LIMITS and spec.LIMITS is spec.limits.LIMITS
    monkeypatch.setattr(LIMITS, "max_layers", 4)
    assert translation_error(MATLAB).problems[0].limit == "max_layers"
    monkeypatch.setattr(spec.LIMITS, "max_depth", 2)
    assert validate_spec(SPEC)[0].limit == "max_depth"


def test_max_steps():
    e = translation_error("for k = 1:50\n x = k + 1;\nend\n" + MATLAB, max_steps=100)
    assert e.problems[0].limit == "max_steps" and "max_steps=100" in str(e)
    assert from_matlab("for k = 1:50\n x = k + 1;\nend\n" + MATLAB).graph


def test_max_seconds():
    e = translation_error("for k = 1:5000\n x = k;\nend\n" + MATLAB, max_seconds=0)
    assert e.problems[0].limit == "max_seconds" and e.line == 2
    e = translation_error("x = 1;\n" * 600 + MATLAB, max_seconds=0)  # parsing counts too
    assert isinstance(e, MatlabSyntaxError) and e.problems[0].limit == "max_seconds"
    assert e.line == 256


def test_max_call_depth():
    e = translation_error("x = floor(floor(floor(floor(3))));\n" + MATLAB, max_call_depth=3)
    assert e.problems[0].limit == "max_call_depth" and (e.line, e.column) == (1, 23)


def test_max_layers():
    e = translation_error(MATLAB, max_layers=4)
    assert e.problems[0].limit == "max_layers" and "5 layers" in str(e)
    grow = "layers = reluLayer;\nfor k = 1:10\n layers(end+1) = reluLayer;\nend\n"
    e = translation_error(grow, max_layers=5)
    assert e.problems[0].limit == "max_layers" and e.line == 3


def test_max_size_and_max_depth_can_be_raised():
    e = translation_error(MATLAB, max_size=20)
    assert isinstance(e, MatlabSyntaxError) and e.problems[0].limit == "max_size"
    deep = "n = " + "(" * 40 + "12" + ")" * 40 + ";\n" + MATLAB.replace("(12)", "(n)")
    assert translation_error(deep).problems[0].limit == "max_depth"
    assert from_matlab(deep, limits=MatlabLimits(max_depth=64)).graph.Layers[0].InputSize == 12


def test_max_elements_is_checked_before_allocating():
    tracemalloc.start()
    try:
        t = from_matlab("x = ones(3000);\ny = ones(1, 1e6) + ones(1e6, 1);\n" + MATLAB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20  # ones(3000) alone would be 72 MB, the sum 8 TB
    notes = "\n".join(str(n) for n in t.notes)
    assert "9,000,000 elements" in notes and "1,000,000,000,000 elements" in notes
    assert "max_elements=1,000,000" in notes
    t = from_matlab("x = ones(3000);\n" + MATLAB, limits=MatlabLimits(max_elements=10**7))
    assert t.variables["x"].shape == (3000, 3000)


def test_infinite_numbers_do_not_overflow():
    e = translation_error("layers = [reluLayer reluLayer];\nlayers(1e400) = [];\n")
    assert e.line == 2 and "positive integer" in str(e)
    t = from_matlab("for k = 1:1e400\n x = k;\nend\n" + MATLAB)
    assert any("max_elements" in str(n) for n in t.notes)
    assert from_matlab("n = 1" + "0" * 400 + ";\n" + MATLAB).variables["n"] == float("inf")


@pytest.mark.parametrize("char", ["é", "层", "²", "٣", "‘"])
def test_characters_that_are_not_matlab_are_syntax_errors(char):
    with pytest.raises(MatlabSyntaxError) as info:
        from_matlab(f"x = 1{char};\n" + MATLAB)
    assert (info.value.line, info.value.column) == (1, 6)
    assert f"U+{ord(char):04X}" in str(info.value)


def test_typographic_quotes_say_what_to_type():
    with pytest.raises(MatlabSyntaxError, match="use ' instead"):
        from_matlab("x = lstmLayer(10, ‘OutputMode’, 'last');\n")


def test_a_garbled_file_stops_after_a_few_errors():
    with pytest.raises(MatlabSyntaxError) as info:
        from_matlab("x = 1 " + "$" * 10_000 + "\n")
    assert len(info.value.problems) <= 51 and "stopped after 50 errors" in str(info.value)


def test_growing_a_layer_array_copies_no_layers(monkeypatch):
    copies = []
    real = interpreter.copy.deepcopy
    monkeypatch.setattr(interpreter.copy, "deepcopy", lambda x, *a: copies.append(x) or real(x, *a))
    t = from_matlab("layers = sequenceInputLayer(3);\nfor k = 1:200\n"
                    " layers(end+1) = fullyConnectedLayer(4);\nend\n")
    assert len(t.layers) == 201 and copies == []


def test_changing_a_layer_leaves_other_variables_alone():
    t = from_matlab(textwrap.dedent("""\
        layers = [sequenceInputLayer(3) fullyConnectedLayer(2) regressionLayer];
        before = layers;
        layers(2).Name = 'fc_new';
        layers(3) = regressionLayer('Name', 'out');
        """))
    assert [lay.Name for lay in t.variables["before"]][1:] == ["", ""]
    assert [lay.Name for lay in t.layers][1:] == ["fc_new", "out"]


# --- MATLAB files as they arrive -----------------------------------------------------------------

CHINESE = """\
% 定义网络结构（来自中文教程）
layers = [ ...
    sequenceInputLayer(12,'Name','输入')
    lstmLayer(100,'OutputMode','last')
    fullyConnectedLayer(9)
    softmaxLayer
    classificationLayer];
"""


def test_a_gb18030_file_translates_with_a_note(tmp_path):
    path = tmp_path / "net.m"
    path.write_bytes(CHINESE.encode("gb18030"))
    for source in (path, path.read_bytes()):
        t = from_matlab(source, filename="net.m")
        assert t.encoding == "gb18030" and t.layers[0].Name == "输入"
        (note,) = [n for n in t.notes if "UTF-8" in n.message]
        assert "read as GB18030" in note.message and (note.line, note.severity) == (1, "note")


def test_a_latin1_file_translates_with_a_note():
    t = from_matlab("% réseau LSTM, café\n".encode("latin-1") + MATLAB.encode(), "net.m")
    assert t.encoding == "latin-1" and any("read as LATIN-1" in n.message for n in t.notes)


def test_utf8_with_a_byte_order_mark_and_crlf_needs_no_note():
    raw = b"\xef\xbb\xbf" + CHINESE.replace("\n", "\r\n").encode("utf-8")
    t = from_matlab(raw)
    assert t.encoding == "utf-8" and t.layers[0].Name == "输入"
    assert not [n for n in t.notes if "UTF-8" in n.message]
    with pytest.raises(MatlabTranslationError) as info:
        from_matlab(raw.replace(b"lstmLayer", b"lstmLayr"))
    assert (info.value.line, info.value.column) == (4, 5)


def test_nul_bytes_are_located():
    with pytest.raises(MatlabSyntaxError) as info:
        from_matlab(MATLAB + "x = 'a\x00b';\n")
    assert (info.value.line, info.value.column) == (7, 7) and "NUL" in str(info.value)
    with pytest.raises(MatlabSyntaxError, match="UTF-16"):
        from_matlab(MATLAB.encode("utf-16-le"))


def test_an_infinite_option_round_trips_and_an_infinite_rate_is_refused():
    # GradientThreshold gives Inf a meaning (no clipping): .inf is saved as Inf and loads back
    spec = load_spec(SPEC + "training:\n  solver: adam\n  GradientThreshold: .inf\n")
    text = save_spec(spec)
    assert "GradientThreshold: Inf" in text
    assert load_spec(text) == spec
    # 1e400 reads as inf, which is no learning rate: a located issue, not a silent inf
    (issue,) = validate_spec(SPEC + "training:\n  solver: adam\n  InitialLearnRate: 1e400\n")
    assert "InitialLearnRate" in str(issue) and issue.line is not None


def test_a_max_depth_past_pythons_stack_is_still_an_error_naming_it():
    deep = 5000
    (issue,) = validate_spec("layers: " + "[" * deep + "]" * deep + "\n",
                             limits=SpecLimits(max_depth=10 * deep))
    assert issue.limit == "max_depth" and "recursion limit" in issue.message
    with pytest.raises(MatlabSyntaxError) as info:
        from_matlab("x = " + "(" * deep + "1" + ")" * deep + ";\n",
                    limits=MatlabLimits(max_depth=10 * deep))
    assert info.value.problems[0].limit == "max_depth"


def test_cells_nested_in_a_loop_stop_at_max_depth():
    grow = "c = {};\nfor k = 1:50000\n c = {c};\nend\n"
    t = from_matlab(grow + MATLAB)  # not needed by the network: left unevaluated
    assert any("max_depth" in str(n) for n in t.notes)
    e = translation_error(grow + "layers = [sequenceInputLayer(3, 'Name', c) regressionLayer];")
    assert e.problems[0].line == 3 and "nests too deep: 33 levels" in str(e)


@pytest.mark.parametrize("edit,column", [("removeLayers(lgraph, 1e400)", 31),
                                         ("addLayers(lgraph, 5)", 28),
                                         ("replaceLayer(lgraph, 'r', 3)", 36)])
def test_graph_edits_with_arguments_of_the_wrong_kind_are_located(edit, column):
    # found by tools/fuzz_text.py: removeLayers(lgraph, 1e400) was a TypeError
    e = translation_error("layers = [sequenceInputLayer(3,'Name','in') reluLayer('Name','r') "
                          "regressionLayer('Name','out')];\nlgraph = layerGraph(layers);\n"
                          f"lgraph = {edit};\n")
    assert (e.line, e.column) == (3, column)
