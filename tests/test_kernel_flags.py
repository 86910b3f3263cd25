"""The kernels compiled without reference counting (numba's ``_nrt=False``) allocate nothing.

numba compiles a function called from such a kernel with the caller's flags, so an array
allocated anywhere below it fails to compile — and only when that callee is first compiled
there (whichever kernel a process compiles first). This reads the dynamics kernels' source:
from every ``_nrt=False`` function, through every kernel it may call (each branch: numba
compiles them all), no call that allocates an array.
"""

from __future__ import annotations

import ast
from pathlib import Path

import spincaloric.dynamics

DYNAMICS = Path(spincaloric.dynamics.__file__).parent
#: NumPy functions that return a new array.
ALLOCATING = {"empty", "zeros", "ones", "full", "array", "empty_like", "zeros_like",
              "ones_like", "full_like", "copy", "concatenate", "stack", "arange", "linspace",
              "where", "sort", "argsort", "unique", "cumsum", "outer", "dot"}


def _njit_functions() -> dict[str, list[ast.FunctionDef]]:
    """Every function decorated with ``njit`` in the dynamics package, by name, those made
    inside factories included; and a kernel a factory returns (``x = _factory(...)`` at a
    module's top) stands for every njit function of its module."""
    found: dict[str, list] = {}
    made: dict[str, list] = {}
    for path in sorted(DYNAMICS.glob("*.py")):
        tree = ast.parse(path.read_text())
        module = []
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(d, ast.Call) and getattr(d.func, "id", "") == "njit"
                    for d in node.decorator_list):
                found.setdefault(node.name, []).append(node)
                module.append(node)
        factories = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)
                     and node.name not in found}
        for node in tree.body:
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)
                    and getattr(node.value.func, "id", "") in factories):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        made[target.id] = module
    for name, module in made.items():
        found.setdefault(name, []).extend(module)
    return found


def _without_reference_counting(func: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Call) and any(
        k.arg == "_nrt" and isinstance(k.value, ast.Constant) and k.value.value is False
        for k in d.keywords) for d in func.decorator_list)


def _allocations(func: ast.FunctionDef) -> list[str]:
    """The calls in ``func`` that allocate an array (``np.empty(...)``, ``x.copy()``, …)."""
    out = []
    for node in ast.walk(func):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            attr, owner = node.func.attr, node.func.value
            if (isinstance(owner, ast.Name) and owner.id == "np" and attr in ALLOCATING) or (
                    attr == "copy" and not node.args):
                out.append(f"{func.name} line {node.lineno}: {ast.unparse(node.func)}")
    return out


def _callees(func: ast.FunctionDef, known) -> set[str]:
    return {node.func.id for node in ast.walk(func)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in known}


def _reachable_allocations(roots, known) -> list[str]:
    """The allocations in the kernels reachable from ``roots`` (names) by calls."""
    seen, todo, out = set(), list(roots), []
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for func in known[name]:
            out += _allocations(func)
            todo += _callees(func, known) - seen
    return sorted(set(out))


def test_kernels_without_reference_counting_allocate_nothing():
    known = _njit_functions()
    roots = [name for name, defs in known.items()
             if any(_without_reference_counting(f) for f in defs)]
    assert "_steps_one" in roots and "normals_lanes" in roots
    assert _reachable_allocations(roots, known) == []


def test_the_reading_finds_an_allocation_below_a_kernel():
    """The guard of the test above: allocations a call below (the ensemble kernel's chunk)
    and below a kernel a factory made (the circuit torque's map) are found."""
    known = _njit_functions()
    assert not _allocations(known["integrate_ensemble"][0])
    assert any(a.startswith("_chunk ") for a in _reachable_allocations(["integrate_ensemble"],
                                                                       known))
    assert any(a.startswith("damping ")
               for a in _reachable_allocations(["_general_stage"], known))
