"""The evaluator's while loops, dynamic struct fields and struct arrays: each translated network
is compared with the same network written by hand; hostile uses are located errors, fast."""

from __future__ import annotations

import pytest

from layergraph import (
    classificationLayer,
    dropoutLayer,
    fullyConnectedLayer,
    gruLayer,
    layerGraph,
    lstmLayer,
    sequenceInputLayer,
    softmaxLayer,
)
from layergraph.matlab import MatlabLimits, MatlabTranslationError, from_matlab


def classifier(*middle, features=12, classes=9):
    return layerGraph([sequenceInputLayer(features), *middle, fullyConnectedLayer(classes),
                       softmaxLayer(), classificationLayer()])


def error_of(text, **kw):
    with pytest.raises(MatlabTranslationError) as e:
        from_matlab(text, **kw)
    return e.value.problems[0]


# --- while loops -----------------------------------------------------------------------------

def test_a_while_loop_grows_the_layer_array():
    t = from_matlab("""
layers = sequenceInputLayer(12);
numHidden = 128;
while numel(layers) < 4
    layers = [layers; lstmLayer(numHidden)];
    numHidden = numHidden / 2;
end
layers = [layers; fullyConnectedLayer(9); softmaxLayer; classificationLayer];
""")
    assert t.graph == classifier(lstmLayer(128), lstmLayer(64), lstmLayer(32))


def test_break_and_continue_inside_a_while_loop():
    t = from_matlab("""
layers = [sequenceInputLayer(12)];
k = 0;
while true
    k = k + 1;
    if mod(k, 2) == 0
        continue
    end
    if k > 5
        break
    end
    layers(end+1) = gruLayer(10 * k);
end
layers = [layers; fullyConnectedLayer(9); softmaxLayer; classificationLayer];
""")
    assert t.graph == classifier(gruLayer(10), gruLayer(30), gruLayer(50))
    assert t.variables["k"] == 7


def test_a_while_loop_on_data_is_a_located_note_and_its_variables_are_not_guessed():
    code = """
n = 8;
while n < numel(XTrain)
    n = n * 2;
end
layers = [sequenceInputLayer(12); lstmLayer(n); fullyConnectedLayer(9); softmaxLayer
    classificationLayer];
"""
    p = error_of(code + "if n > 20\n    layers(2) = gruLayer(n);\nend\n")  # n decides a layer
    assert (p.line, p.text) == (6, "n")
    assert "assigned at line 3 inside `while n < numel(XTrain)" in p.message
    assert "a while loop is not run when its condition depends on data" in p.message
    unbound = from_matlab(code).unbound  # n only sets an option: a parameter without a value
    assert list(unbound) == ["n"] and unbound["n"].line == 3
    t = from_matlab(code, variables={"n": 16})
    assert t.graph == classifier(lstmLayer(16))
    note = next(n for n in t.notes if "while" in n.message)
    assert note.line == 3


def test_an_endless_while_loop_stops_at_the_iteration_limit():
    p = error_of("k = 0;\nwhile true\n  k = k + 1;\nend\nlayers = [sequenceInputLayer(k)];",
                 limits=MatlabLimits(max_loop_iterations=500))
    assert (p.line, p.column, p.limit) == (2, 1, "max_loop_iterations")
    assert "the while loops run too many times" in p.message


def test_an_endless_while_loop_stops_at_the_wall_clock_limit():
    p = error_of("k = 0;\nwhile k >= 0\n  k = k + 1;\nend\nlayers = [sequenceInputLayer(3)];",
                 limits=MatlabLimits(max_loop_iterations=10**9, max_steps=10**9,
                                     max_seconds=0.2))
    assert p.limit == "max_seconds" and p.line in (2, 3)


def test_while_and_for_loops_share_the_iteration_limit():
    p = error_of("for i = 1:300\nend\nk = 0;\nwhile k < 300\n  k = k + 1;\nend\n"
                 "layers = [sequenceInputLayer(3)];",
                 limits=MatlabLimits(max_loop_iterations=500))
    assert (p.line, p.limit) == (4, "max_loop_iterations")


# --- dynamic fields ----------------------------------------------------------------------------

def test_dynamic_fields_set_and_read_by_name():
    t = from_matlab("""
names = {'numHidden', 'numClasses'};
values = [100, 9];
params = struct();
for i = 1:numel(names)
    params.(names{i}) = values(i);
end
f = 'numHidden';
params = setfield(params, 'dropout', 0.2);
ok = isfield(params, 'dropout') && ~isfield(params, 'other');
if ok && numel(fieldnames(params)) == 3
    layers = [sequenceInputLayer(12)
        lstmLayer(params.(f), 'OutputMode', 'last')
        dropoutLayer(getfield(params, 'dropout'))
        fullyConnectedLayer(params.('numClasses'))
        softmaxLayer
        classificationLayer];
end
""")
    assert t.graph == classifier(lstmLayer(100, OutputMode="last"), dropoutLayer(0.2))
    assert t.variables["params"] == {"numHidden": 100, "numClasses": 9, "dropout": 0.2}


def test_struct_with_name_value_pairs_and_a_cell_that_is_one_value():
    t = from_matlab("""
opts = struct('numHidden', 50, 'sizes', {{64, 32}});
layers = [sequenceInputLayer(12); lstmLayer(opts.numHidden)
    lstmLayer(opts.sizes{2}); fullyConnectedLayer(9); softmaxLayer; classificationLayer];
""")
    assert t.graph == classifier(lstmLayer(50), lstmLayer(32))


@pytest.mark.parametrize("name, shown", [("3", "got 3"), ("{'a'}", "got ['a']"),
                                         ("'my field'", "'my field' is not a valid field name")])
def test_a_dynamic_field_that_is_not_a_name_is_a_located_error(name, shown):
    p = error_of(f"s = struct();\ns.({name}) = 1;\nlayers = [sequenceInputLayer(3)];")
    assert (p.line, p.column, p.text) == (2, 4, name)
    assert shown in p.message
    p = error_of(f"s = struct('a', 1);\nx = s.({name});\nlayers = [sequenceInputLayer(3)];")
    assert (p.line, p.column) == (2, 8)


def test_a_dynamic_field_named_by_data_leaves_the_struct_unevaluated():
    p = error_of("s = struct('n', 5);\ns.(fieldFromFile) = 1;\n"
                 "layers = [sequenceInputLayer(s.n)];")
    assert p.line == 3 and "'s' could not be evaluated" in p.message


# --- struct arrays --------------------------------------------------------------------------------

def test_a_struct_array_built_field_by_field_drives_the_loop():
    t = from_matlab("""
cfg(1).numHidden = 128;
cfg(1).mode = 'sequence';
cfg(2).numHidden = 64;
cfg(2).mode = 'last';
layers = sequenceInputLayer(12);
for i = 1:numel(cfg)
    layers = [layers; lstmLayer(cfg(i).numHidden, 'OutputMode', cfg(i).mode)];
end
layers = [layers; fullyConnectedLayer(9); softmaxLayer; classificationLayer];
""")
    assert t.graph == classifier(lstmLayer(128), lstmLayer(64, OutputMode="last"))
    assert t.variables["cfg"] == [{"numHidden": 128, "mode": "sequence"},
                                  {"numHidden": 64, "mode": "last"}]


def test_struct_with_cell_values_makes_a_struct_array():
    t = from_matlab("""
blocks = struct('units', {96, 48, 24}, 'drop', 0.1);
blocks(end+1) = struct('units', 12, 'drop', 0);
widths = [blocks.units];
layers = [sequenceInputLayer(12)];
for b = blocks
    layers = [layers; gruLayer(b.units)];
    if b.drop > 0
        layers = [layers; dropoutLayer(b.drop)];
    end
end
layers = [layers; fullyConnectedLayer(max(widths) / 8); softmaxLayer; classificationLayer];
""")
    assert t.graph == classifier(gruLayer(96), dropoutLayer(0.1), gruLayer(48), dropoutLayer(0.1),
                                 gruLayer(24), dropoutLayer(0.1), gruLayer(12), classes=12)
    assert t.variables["widths"] == [96, 48, 24, 12]


def test_a_field_added_to_one_struct_is_added_to_all():
    t = from_matlab("""
s = struct('n', {10, 20});
s(2).extra = 3;
e = s(1).extra;
k = numel(s);
layers = [sequenceInputLayer(12); lstmLayer(s(2).n + k + isempty(e))
    fullyConnectedLayer(9); softmaxLayer; classificationLayer];
""")
    assert t.graph == classifier(lstmLayer(23))


def test_a_field_of_a_whole_struct_array_is_not_one_value():
    p = error_of("s = struct('n', {10, 20});\nlayers = [sequenceInputLayer(s.n)];")
    assert p.line == 2 and "use [s.n]" in p.message


def test_a_huge_struct_array_hits_the_element_limit_before_it_is_built():
    p = error_of("s = struct('a', 1);\ns(2000000).a = 2;\nlayers = [sequenceInputLayer(3)];")
    assert (p.line, p.limit) == (2, "max_elements")
    p = error_of("s(1e12) = struct('a', 1);\nlayers = [sequenceInputLayer(3)];")
    assert (p.line, p.limit) == (1, "max_elements")


@pytest.mark.parametrize("grow", ["s.child = s;", "s(2).child = s;", "c{1} = c;",
                                  "s = struct('c', {{s}});"])
def test_a_value_put_inside_itself_in_a_loop_stops_at_the_depth_limit(grow):
    code = (f"s = struct('a', 1);\nc = {{}};\nfor i = 1:5000\n  {grow}\nend\n"
            "layers = [sequenceInputLayer(3); lstmLayer(numel(s)); fullyConnectedLayer(1)\n"
            "    regressionLayer];\nx = numel(c);")
    try:
        t = from_matlab(code)
    except MatlabTranslationError as e:
        p = e.problems[0]
        assert (p.line, p.limit) == (4, "max_depth")
    else:  # the too-deep value is left unevaluated, and the network does not need it
        assert t.graph.Layers[1].NumHiddenUnits == 1


def test_struct_arrays_from_repmat_and_struct_empty_and_deleted_elements():
    t = from_matlab("""
base = struct('units', 32, 'mode', 'sequence');
stack = repmat(base, 1, 3);
stack(3).mode = 'last';
extra = struct([]);
extra(end+1).units = 99;
extra(end+1).units = 16;
extra(1) = [];
stack(end+1) = struct('units', extra.units, 'mode', 'last');
stack(3) = [];
layers = sequenceInputLayer(12);
for i = 1:numel(stack)
    layers = [layers; lstmLayer(stack(i).units, 'OutputMode', stack(i).mode)];
end
layers = [layers; fullyConnectedLayer(9); softmaxLayer; classificationLayer];
""")
    assert t.graph == classifier(lstmLayer(32), lstmLayer(32), lstmLayer(16, OutputMode="last"))


def test_repmat_is_refused_from_its_size_before_it_is_built():
    p = error_of("s = repmat(struct('a', 1), 1, 1e9);\nlayers = [sequenceInputLayer(numel(s))];")
    assert p.line == 2 and "assigned at line 1 from `repmat(" in p.message
    assert "1,000,000,000 elements, more than the limit max_elements" in p.message


def test_a_struct_array_from_data_stays_unevaluated_when_one_element_is_set():
    p = error_of("cfg = struct('n', 1);\ncfg.blocks = load('cfg.mat');\n"
                 "cfg.blocks(2).units = 5;\nlayers = [sequenceInputLayer(cfg.blocks(2).units)];")
    assert p.line == 4 and "'cfg' could not be evaluated" in p.message


# --- for loops over cell arrays ------------------------------------------------------------------

def test_a_for_loop_over_a_cell_array_takes_its_columns_as_matlab_does():
    t = from_matlab("""
layers = sequenceInputLayer(12);
for c = {32, 64}              % a row: c is {32}, then {64}
    layers = [layers; lstmLayer(c{1}, 'OutputMode', 'sequence')];
end
for c = {7; 8}                % a column: one iteration, c is the whole cell
    layers = [layers; lstmLayer(numel(c) * c{2}, 'OutputMode', 'sequence')];
end
for c = {}                    % empty: no iteration
    layers = [layers; dropoutLayer(0.5)];
end
for c = {16, 24; 'a', 'b'}    % 2-by-2: the columns {16; 'a'} and {24; 'b'}
    layers = [layers; lstmLayer(c{1}, 'OutputMode', 'sequence', 'Name', c{2})];
end
layers = [layers; lstmLayer(9, 'OutputMode', 'last'); fullyConnectedLayer(9); softmaxLayer
    classificationLayer];
""")
    assert t.graph == classifier(
        lstmLayer(32, OutputMode="sequence"), lstmLayer(64, OutputMode="sequence"),
        lstmLayer(16, OutputMode="sequence"), lstmLayer(16, OutputMode="sequence", Name="a"),
        lstmLayer(24, OutputMode="sequence", Name="b"), lstmLayer(9, OutputMode="last"))


def test_a_for_loop_over_a_cell_of_unknown_shape_is_a_located_note():
    t = from_matlab("""
s = struct('a', 1, 'b', 2);
n = 4;
for f = fieldnames(s)
    n = n + 1;
end
layers = [sequenceInputLayer(12); lstmLayer(9, 'OutputMode', 'last'); fullyConnectedLayer(9)
    softmaxLayer; classificationLayer];
""")
    note = next(n for n in t.notes if "for loop" in n.message)
    assert note.line == 4 and "not numeric" in note.message


# --- linear algebra in sizes -------------------------------------------------------------------

def test_matrix_division_and_power_follow_matlab():
    """A/B solves X*B = A, A\\B solves A*X = B, A^k multiplies A by itself (square A)."""
    import numpy as np

    t = from_matlab(r"""
A = [4 2; 1 3];
B = [2 0; 1 2];
x = A / B;
y = B \ A;
p = [1 1; 0 1]^3;
r = [1 2] / [1 2; 3 4];
layers = [sequenceInputLayer(12); lstmLayer(round(10 * x(2, 1)) + 20); fullyConnectedLayer(9)
    softmaxLayer; classificationLayer];
""")
    A, B = np.array([[4.0, 2], [1, 3]]), np.array([[2.0, 0], [1, 2]])
    np.testing.assert_allclose(t.variables["x"], np.linalg.solve(B.T, A.T).T)
    np.testing.assert_allclose(t.variables["y"], np.linalg.solve(B, A))
    np.testing.assert_allclose(t.variables["p"], [[1, 3], [0, 1]])
    np.testing.assert_allclose(t.variables["r"], [1, 0], atol=1e-12)
    v = 10 * np.linalg.solve(B.T, A.T).T[1, 0]  # -2.5: MATLAB rounds half away from zero
    want = int(np.sign(v) * np.floor(abs(v) + 0.5)) + 20
    assert t.layers[1].NumHiddenUnits == want


def test_matrix_division_of_sizes_that_do_not_agree_is_not_evaluated():
    t = from_matlab("w = [1 2 3] / [1 2; 3 4];\nlayers = [sequenceInputLayer(2)];")
    assert any("sizes do not agree for '/'" in n.message for n in t.notes)
