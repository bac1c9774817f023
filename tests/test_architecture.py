"""The house rules of DESIGN.md that code can check: no import circles, anywhere."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parent.parent / "layergraph"


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Every package module that ``name`` imports, at module level or inside a function.

    ``from pkg import x`` counts as importing ``pkg.x`` when that is a module, else ``pkg``.
    Importing a submodule does not count as importing its parent packages: that edge exists
    for every module of a package and says nothing about the design.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in known}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in known:
                    found.add(sub)
                elif target in known:
                    found.add(target)
    found.discard(name)
    return found


def import_graph() -> nx.DiGraph:
    mods = modules()
    g = nx.DiGraph()
    g.add_nodes_from(mods)
    for name, path in mods.items():
        for dep in imports_of(name, path, set(mods)):
            g.add_edge(name, dep)
    return g


def test_the_import_graph_sees_function_level_imports():
    # The checker itself: it must see an import inside a function and resolve relative imports.
    src = PACKAGE.parent / "tests" / "fixtures"
    src.mkdir(exist_ok=True)
    known = {"layergraph.a", "layergraph.b", "layergraph.pkg", "layergraph.pkg.c"}
    fake = src / "fake_import_module.py"
    fake.write_text("def f():\n    from .b import thing\n    from .pkg import c\n")
    try:
        got = imports_of("layergraph.a", fake, known)
    finally:
        fake.unlink()
    assert got == {"layergraph.b", "layergraph.pkg.c"}


def test_no_module_imports_one_that_imports_it_back():
    g = import_graph()
    assert g.number_of_edges() > 50  # the package's imports were really read
    cycles = [sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1]
    assert not cycles, "import circles (each a set of modules importing each other): " + \
        "; ".join(" <-> ".join(c) for c in cycles)
