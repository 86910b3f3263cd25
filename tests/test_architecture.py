"""The package's import graph, derived from the source: no cycles, no module importing a higher
layer, no module importing another module's private names — imports inside functions included
(only ``if TYPE_CHECKING:`` blocks are left out). A second test guards the first: it must flag
a planted cycle, an upward import and a private name."""

import ast
from pathlib import Path

import pytest

from spincaloric.moved import MOVED

SRC = Path(__file__).parent.parent / "src" / "spincaloric"

#: Layers from the bottom up: a module may import its own layer or lower ones only. An entry
#: names a module or a whole subpackage (every module under it).
LAYERS = [
    # base: constants, errors, input rules, writing files, progress lines, the validity of
    # linear response, closed forms, the forwarding of moved module paths
    {"constants", "errors", "validation", "files", "progress", "linear_response", "analytic",
     "moved", "dynamics.streams", "dynamics.segments"},
    # the circuit: contacts and their kinds, the builder and finalized circuit, its Kirchhoff
    # system, the back-end registry, solutions
    {"circuit"},
    # the solvers (back ends): linear response, energy-resolved
    {"solvers"},
    # layers and dynamics, built on circuits
    {"layers", "dynamics"},
    # the materials databases (they build layers' materials and contacts)
    {"materials"},
    # files: device files, their keys and units, result datasets, figures
    {"io"},
    # studies over device files
    {"studies"},
    # front ends
    {"cli", "__main__", ""},
]


def rank_of(module: str, layers=LAYERS) -> int | None:
    """The layer of ``module``: its own entry, else the entry of its nearest package."""
    parts = module.split(".") if module else [""]
    for cut in range(len(parts), 0, -1):
        name = ".".join(parts[:cut])
        for i, layer in enumerate(layers):
            if name in layer:
                return i
    return None


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
    bad = []
    for a, targets in edges.items():
        for b in targets:
            ra, rb = rank_of(a, layers), rank_of(b, layers)
            if ra is not None and rb is not None and rb > ra:
                bad.append(f"{a or 'spincaloric'} (layer {ra}) imports {b} (layer {rb})")
    return sorted(bad)


def package_edges(edges) -> dict[str, set[str]]:
    """The import graph between the top-level rooms (subpackages and top modules)."""
    out = {}
    for a, targets in edges.items():
        top = a.split(".")[0]
        out.setdefault(top, set()).update(b.split(".")[0] for b in targets
                                          if b.split(".")[0] != top)
    return out


def problems(root: Path) -> list[str]:
    edges, private = import_graph(root)
    unranked = sorted(m for m in edges if rank_of(m) is None)
    return ([f"module {m} has no layer in LAYERS" for m in unranked]
            + [f"import cycle: {' -> '.join(c)}" for c in cycles(edges)]
            + [f"import cycle between packages: {' -> '.join(c)}"
               for c in cycles(package_edges(edges))]
            + upward(edges) + private
            + [f"{a or 'spincaloric'} imports the moved path {b}" for a, targets in edges.items()
               for b in sorted(targets) if b in MOVED])


def test_the_import_graph_has_no_cycle_no_upward_import_and_no_private_name():
    found = problems(SRC)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("plant, expected", [
    ({"circuit/contacts.py": "from .solution import NodeState\n",
      "circuit/solution.py": "from .contacts import conjugate_scaling\n"}, "import cycle"),
    ({"circuit/contacts.py": "def f():\n    from ..cli import main\n"},
     "imports cli (layer 7)"),
    ({"circuit/solution.py": "from .contacts import _private\n"},
     "imports _private from circuit.contacts"),
    ({"newmodule.py": "x = 1\n"}, "module newmodule has no layer"),
    ({"io/schema.py": "from ..errors import FieldError\n",
      "errors.py": "def f():\n    from .io.schema import x\n"}, "import cycle"),
    ({"circuit/device.py": "def f():\n    from ..solvers.linear import solve_circuit\n"},
     "imports solvers.linear (layer 2)"),
])
@pytest.mark.slow
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


@pytest.mark.parametrize("old", sorted(MOVED))
def test_a_moved_module_path_forwards_every_name_with_a_warning_naming_its_home(old):
    import importlib

    new = importlib.import_module(f"spincaloric.{MOVED[old]}")
    module = importlib.import_module(f"spincaloric.{old}")
    name = next(n for n in vars(new) if not n.startswith("_"))
    with pytest.warns(DeprecationWarning, match=f"spincaloric.{MOVED[old]}"):
        assert getattr(module, name) is getattr(new, name)
    with pytest.raises(AttributeError, match="no attribute"):
        _ = module.no_such_name
