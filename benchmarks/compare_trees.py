"""Compare two source trees of spincaloric: equal results to round-off, and benchmark speed.

Run:  python benchmarks/compare_trees.py OLD_REF [NEW_REF] [--results] [--bench] [--quick]
                                         [--repeat N] [--save DIR]

Each git ref is unpacked (``git archive REF src benchmarks examples``) into a temporary
directory; without NEW_REF the working tree is the new tree. ``--results`` runs each tree's CLI
on each tree's own example device files (``solve --json``) and on a trajectory of the thermal
switching pillar (``run -o``), and compares them: floats to rtol 1e-10 (trajectory 1e-8,
switching times 1e-6) with an absolute tolerance of rtol times the largest value of the same
physical quantity in the file, so that round-off zeros (a current that vanishes by symmetry)
compare equal. Exit code 1 on any difference. ``--bench`` runs the same benchmark scripts (the
new tree's; the old tree's copy where the new one does not run on the old tree) against each
tree's ``src``, alternating old and new ``--repeat`` times so that the
load of a shared machine drifts onto both, and tabulates every figure the scripts print.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

PILLAR = "devices/thermal_switching_pillar.toml"
BENCHES = ("bench_solver.py", "bench_dynamics.py", "bench_large_devices.py", "bench_spectral.py")
HBAR_2E = 3.2910596281416e-16  # ħ/2e (V s): a torque (N m) over ħ/2e is a spin current (A)
# quantities sharing a unit share one scale: a round-off zero is judged against its partners
FAMILY = {"spin_accumulation": "voltage", "spin_current": "charge_current",
          "spin_heat_current": "heat_current", "spin_temperature": "temperature"}


def unpack(ref: str, root: Path, dest: Path) -> Path:
    """The tree of ``ref`` under ``dest`` (``None``: the working tree itself)."""
    if ref is None:
        return root
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref, "src", "benchmarks", "examples"], cwd=root,
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def run(tree: Path, cache: Path, args: list[str], timeout: float = 3600):
    """``python ARGS`` with the tree's package on the path and its own numba cache."""
    env = dict(os.environ, PYTHONPATH=str(tree / "src"), NUMBA_CACHE_DIR=str(cache))
    return subprocess.run([sys.executable, *args], cwd=tree, env=env, capture_output=True,
                          text=True, timeout=timeout)


def leaves(obj, path=()):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from leaves(value, (*path, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from leaves(value, (*path, i))
    else:
        yield path, obj


def quantity(path) -> tuple[str, float]:
    """The physical quantity of a JSON leaf and the factor to its family's unit."""
    if path and path[0] == "torques":
        return "charge_current", 1 / HBAR_2E
    name = next((p for p in reversed(path) if isinstance(p, str)), "")
    return FAMILY.get(name, name), 1.0


def compare_json(old, new, rtol: float) -> tuple[float, list[str]]:
    """(max relative difference of values above their absolute tolerance, differences)."""
    a, b = dict(leaves(old)), dict(leaves(new))
    problems = [f"only in {side}: {'.'.join(map(str, p))}"
                for side, x, y in (("old", a, b), ("new", b, a)) for p in x if p not in y]
    number = (int, float)
    scale: dict[str, float] = {}
    for leaf in (a, b):
        for p, v in leaf.items():
            if isinstance(v, number) and not isinstance(v, bool) and math.isfinite(v):
                q, f = quantity(p)
                scale[q] = max(scale.get(q, 0.0), abs(v) * f)
    worst = 0.0
    for p in sorted(a.keys() & b.keys(), key=str):
        x, y = a[p], b[p]
        if not (isinstance(x, number) and isinstance(y, number)) or isinstance(x, bool):
            if x != y:
                problems.append(f"{'.'.join(map(str, p))}: {x!r} != {y!r}")
            continue
        q, f = quantity(p)
        r = {"switching_time": 1e-6}.get(p[-1], rtol)
        worst, bad = _judge(np.array(x, float), np.array(y, float), r, r * scale.get(q, 0.0) / f, worst)
        if bad:
            problems.append(f"{'.'.join(map(str, p))}: {x!r} != {y!r}")
    return worst, problems


def _judge(x, y, rtol, atol, worst):
    """(updated max relative difference, whether any element is outside rtol/atol)."""
    big = np.maximum(np.abs(x), np.abs(y))
    diff = np.where(np.isnan(x) & np.isnan(y), 0.0, np.abs(x - y))
    above = big > atol
    if above.any():
        worst = max(worst, float(np.max(diff[above] / big[above])))
    return worst, bool(np.any(~(diff <= rtol * big + atol)))


def compare_nc(old: Path, new: Path) -> tuple[float, list[str]]:
    """Trajectory files: every variable and attribute (m 1e-8, switching times 1e-6)."""
    import xarray as xr

    with xr.open_dataset(old) as a, xr.open_dataset(new) as b:
        problems = [f"attribute {k}" for k in a.attrs.keys() | b.attrs.keys()
                    if str(a.attrs.get(k)) != str(b.attrs.get(k))]
        problems += [f"only in one file: {v}" for v in set(a.variables) ^ set(b.variables)]
        worst = 0.0
        for name in sorted(set(a.variables) & set(b.variables)):
            x, y = a[name].values, b[name].values
            if x.shape != y.shape or x.dtype.kind != "f":
                if x.shape != y.shape or not np.array_equal(x, y):
                    problems.append(f"{name}: values differ")
                continue
            rtol = 1e-6 if name == "switching_time" else 1e-8
            scale = float(np.nanmax(np.abs(np.concatenate([x.ravel(), y.ravel(), [0.0]]))))
            worst, bad = _judge(x, y, rtol, rtol * scale, worst)
            if bad:
                problems.append(f"{name}: differs beyond rtol {rtol:g}")
    return worst, problems


def produce(tree: Path, cache: Path, out: Path) -> dict[str, object]:
    """name -> JSON output (or an error string) of every device file; the pillar's trajectory."""
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for file in sorted((tree / "examples").rglob("*.toml")):
        name = str(file.relative_to(tree / "examples"))
        proc = run(tree, cache, ["-m", "spincaloric", "solve", "--json", str(file.relative_to(tree))])
        results[name] = json.loads(proc.stdout) if proc.returncode == 0 else _fail(proc)
        (out / (name.replace("/", "__") + ".json")).write_text(proc.stdout)
    if (tree / "examples" / PILLAR).exists():
        nc = out / "pillar.nc"
        proc = run(tree, cache, ["-m", "spincaloric", "run", f"examples/{PILLAR}", "-o", str(nc),
                                 "--json", "--no-progress", "--overwrite"])
        results["run " + PILLAR] = json.loads(proc.stdout) if proc.returncode == 0 else _fail(proc)
        (out / "pillar.json").write_text(proc.stdout)
        results["run " + PILLAR + " (netCDF)"] = nc if proc.returncode == 0 else _fail(proc)
    return results


def _fail(proc) -> str:
    lines = (proc.stderr or proc.stdout).strip().splitlines()
    return f"failed (exit {proc.returncode}): {lines[-1] if lines else ''}"


def check_results(old: dict, new: dict) -> bool:
    print("| file | max relative difference | verdict |\n|---|---|---|")
    equal = True
    for name in sorted(old.keys() | new.keys()):
        a, b = old.get(name), new.get(name)
        if a is None or b is None:
            row, ok = ("–", f"only in the {'old' if b is None else 'new'} tree"), False
        elif a == b and isinstance(a, str):
            row, ok = ("–", f"the same error in both trees: {a}"), True
        elif isinstance(a, str) or isinstance(b, str):
            row, ok = ("–", f"old: {a if isinstance(a, str) else 'ok'}; "
                            f"new: {b if isinstance(b, str) else 'ok'}"), False
        else:
            worst, problems = (compare_nc(a, b) if isinstance(a, Path)
                               else compare_json(a, b, 1e-8 if name.startswith("run") else 1e-10))
            ok = not problems
            row = (f"{worst:.2e}", "equal" if ok else
                   f"DIFFERENT ({len(problems)} values), e.g. " + "; ".join(problems[:3]))
        equal &= ok
        print(f"| {name} | {row[0]} | {row[1]} |")
    return equal


NUMBER = r"[-+]?\d[\d,]*\.?\d*(?:[eE][-+]?\d+)?"


def figures(script: str, text: str) -> dict[str, float]:
    """Every number in the Markdown tables and ``label: value unit`` lines a benchmark prints;
    a table row is named by its first cell (and its second, where the first repeats)."""
    found, tables = {}, [[]]
    for line in text.splitlines():
        if line.startswith("|"):
            if not line.startswith("|---"):
                tables[-1].append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        tables.append([])
        m = re.match(rf"([^#|:]+):\s*({NUMBER})\s*(\w*)\s*$", line)
        if m:
            found[f"{script}: {m.group(1).strip()} ({m.group(3)})"] = float(m.group(2))
    for header, *rows in filter(None, tables):
        repeated = len({r[0] for r in rows}) < len(rows)
        for row in rows:
            label = f"{row[0]}, {header[1]} {row[1]}" if repeated else row[0]
            for col, cell in zip(header[1:], row[1:]):
                m = re.match(NUMBER, cell)
                if m:
                    found[f"{script}: {header[0]} {label} · {col}"] = float(m.group(0).replace(",", ""))
    return found


def _pair(trees, caches, candidates: list[Path], quick: bool, order) -> dict:
    """One run of a benchmark on both trees: the first candidate script file that runs on both
    (a script importing a module path one tree lacks gives way to the other tree's copy)."""
    while True:
        path = candidates[0]
        flags = ["--quick"] if quick and "--quick" in path.read_text() else []
        procs = {side: run(trees[side], caches[side], [str(path), *flags]) for side in order}
        if all(p.returncode == 0 for p in procs.values()) or len(candidates) == 1:
            return procs
        candidates.pop(0)


def bench(trees: dict[str, Path], caches: dict[str, Path], scripts, quick: bool, repeat: int):
    samples, failures = {"old": {}, "new": {}}, []
    candidates = {name: [t / "benchmarks" / name for t in (trees["new"], trees["old"])
                         if (t / "benchmarks" / name).exists()] for name in scripts}
    for i in range(repeat):
        for name in (n for n in scripts if candidates[n]):
            tried = candidates[name][0]
            procs = _pair(trees, caches, candidates[name], quick,
                          ("old", "new") if i % 2 == 0 else ("new", "old"))
            for side, proc in procs.items():
                if tried is not candidates[name][0]:  # another script file: start afresh
                    samples[side] = {k: v for k, v in samples[side].items()
                                     if not k.startswith(name[:-3] + ":")}
                if proc.returncode:
                    failures.append(f"| {name} on the {side} tree | {_fail(proc)} | | |")
                for key, value in figures(name[:-3], proc.stdout).items():
                    samples[side].setdefault(key, []).append(value)
    used = ", ".join(f"{n} of the {'new' if c[0].is_relative_to(trees['new']) else 'old'} tree"
                     for n, c in candidates.items() if c)
    print(f"\n{repeat} interleaved run(s){' (--quick)' if quick else ''} of {used}; "
          "min / median / max; figures equal in every run (sizes) left out; new/old above 1: "
          "slower for times (s), faster for rates (per s)\n")
    print("| quantity | old | new | new/old (medians) |\n|---|---|---|---|")
    spread = lambda v: f"{min(v):.3g} / {statistics.median(v):.3g} / {max(v):.3g}" if v else "–"  # noqa: E731
    for key in sorted(samples["old"].keys() | samples["new"].keys()):
        a, b = samples["old"].get(key, []), samples["new"].get(key, [])
        if len(set(a + b)) == 1 and a and b:
            continue  # the same in every run: a size, not a measurement
        ratio = (f"{statistics.median(b) / statistics.median(a):.2f}"
                 if a and b and statistics.median(a) else "–")
        print(f"| {key} | {spread(a)} | {spread(b)} | {ratio} |")
    print("\n".join(dict.fromkeys(failures)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("old", help="git ref of the old tree")
    ap.add_argument("new", nargs="?", help="git ref of the new tree (default: the working tree)")
    ap.add_argument("--results", action="store_true", help="compare CLI outputs of the examples")
    ap.add_argument("--bench", action="store_true", help="benchmarks side by side")
    ap.add_argument("--quick", action="store_true", help="the benchmarks' --quick sizes")
    ap.add_argument("--script", action="append", help=f"benchmark to run (default: {BENCHES})")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved benchmark runs per tree")
    ap.add_argument("--save", type=Path, help="keep the outputs of --results in DIR/old, DIR/new")
    args = ap.parse_args()
    if not (args.results or args.bench):
        ap.error("choose --results and/or --bench")
    root = Path(subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True,
                               text=True, check=True).stdout.strip())
    with tempfile.TemporaryDirectory(prefix="compare-trees-") as tmp:
        tmp = Path(tmp)
        trees = {"old": unpack(args.old, root, tmp / "old"),
                 "new": unpack(args.new, root, tmp / "new")}
        caches = {side: tmp / f"numba-{side}" for side in trees}
        equal = True
        if args.results:
            out = args.save.resolve() if args.save else tmp / "out"
            found = {side: produce(trees[side], caches[side], out / side) for side in trees}
            equal = check_results(found["old"], found["new"])
        if args.bench:
            bench(trees, caches, args.script or BENCHES, args.quick, args.repeat)
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
