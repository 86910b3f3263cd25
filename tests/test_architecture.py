"""The package's import graph, derived from the source: no cycles, no module importing a higher
layer, no module importing another module's private names — imports inside functions included
(only ``if TYPE_CHECKING:`` blocks are left out). A second test guards the first: it must flag
a planted cycle, an upward import and a private name."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "spincaloric"

#: Layers from the bottom up: a module may import its own layer or lower ones only.
LAYERS = [
    # base: constants, errors, writing files, progress lines, the validity of linear response
    {"constants", "errors", "validation", "files", "progress", "linear_response", "analytic",
     "dynamics.streams", "dynamics.segments"},
    # the circuit: contacts and their kinds, the builder and finalized circuit, its Kirchhoff
    # system, the linear solvers, solutions
    {"contacts", "junctions", "tunnel", "conductance_spectra", "device", "system", "solver",
     "solution", "memory"},
    # the energy-resolved solver
    {"spectral"},
    # layers and dynamics, built on circuits
    {"layers", "drift_diffusion", "dynamics", "dynamics.drives", "dynamics.magnets",
     "dynamics.kernels", "dynamics.ensemble", "dynamics.compilation", "dynamics.torque_model",
     "dynamics.switching", "dynamics.stability", "dynamics.trajectory", "dynamics.simulation",
     "dynamics.heating"},
    # the materials databases (they build layers' materials and contacts)
    {"materials", "materials.interfaces", "materials.bulk"},
    # device files and their keys
    {"schema", "io", "paths"},
    # studies over device files
    {"sweep", "maps"},
    # front ends
    {"plotting", "cli", "__main__", ""},
]


def _modules(root: Path) -> dict[str, Path]:
    out = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _type_checking(node) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _imports(tree):
    """Every import node outside ``if TYPE_CHECKING:`` blocks."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if _type_checking(node):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def import_graph(root: Path, package: str = "spincaloric"):
    """({module: {imported module}}, [private-name imports]) of the package at ``root``;
    module names relative to the package ("" is the package itself)."""
    modules = _modules(root)
    edges, private = {m: set() for m in modules}, []
    for name, path in modules.items():
        here = name.split(".") if name else []
        if path.name != "__init__.py":
            here = here[:-1]
        for node in _imports(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [(a.name, None) for a in node.names]
            else:
                if node.level:
                    base = here[:len(here) - node.level + 1]
                    mod = ".".join(base + ([node.module] if node.module else []))
                    mod = f"{package}.{mod}" if mod else package
                else:
                    mod = node.module or ""
                targets = [(mod, a.name) for a in node.names]
            for mod, attr in targets:
                if mod != package and not mod.startswith(package + "."):
                    continue
                rel = mod[len(package) + 1:] if mod != package else ""
                sub = f"{rel}.{attr}".strip(".") if attr else None
                if sub is not None and sub in modules:
                    edges[name].add(sub)
                    continue
                edges[name].add(rel)
                if attr and attr.startswith("_") and not attr.startswith("__") \
                        and rel != name:
                    private.append(f"{name or package} imports {attr} from {rel or package}")
    return edges, private


def cycles(edges) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in edges or w == v:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def upward(edges, layers=LAYERS) -> list[str]:
    rank = {m: i for i, layer in enumerate(layers) for m in layer}
    bad = []
    for a, targets in edges.items():
        for b in targets:
            if b in rank and a in rank and rank[b] > rank[a]:
                bad.append(f"{a or 'spincaloric'} (layer {rank[a]}) imports {b} "
                           f"(layer {rank[b]})")
    return sorted(bad)


def problems(root: Path) -> list[str]:
    edges, private = import_graph(root)
    unranked = sorted(m for m in edges if not any(m in layer for layer in LAYERS))
    return ([f"module {m} has no layer in LAYERS" for m in unranked]
            + [f"import cycle: {' -> '.join(c)}" for c in cycles(edges)]
            + upward(edges) + private)


def test_the_import_graph_has_no_cycle_no_upward_import_and_no_private_name():
    found = problems(SRC)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("plant, expected", [
    ({"contacts.py": "from .solution import NodeState\n",
      "solution.py": "from .contacts import conjugate_scaling\n"}, "import cycle"),
    ({"contacts.py": "def f():\n    from .cli import main\n"}, "imports cli (layer 7)"),
    ({"solution.py": "from .contacts import _private\n"}, "imports _private from contacts"),
    ({"newmodule.py": "x = 1\n"}, "module newmodule has no layer"),
])
def test_the_architecture_test_bites(tmp_path, plant, expected):
    """A planted cycle (also through an import inside a function), an upward import, a private
    name and an unplaced module are each reported."""
    root = tmp_path / "spincaloric"
    for path in SRC.rglob("*.py"):
        target = root / path.relative_to(SRC)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text())
    for name, text in plant.items():
        path = root / name
        path.write_text((path.read_text() if path.exists() else "") + text)
    assert any(expected in p for p in problems(root)), problems(root)
