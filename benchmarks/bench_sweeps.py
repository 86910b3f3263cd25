"""Sweep throughput: a steady-state angle x temperature map, a rebuilt sweep of a layered device,
a switching map on 1 and 2 dask workers, and the sweep files of 10⁴- and 10⁵-cell devices
(write, read, one owner's quantity), measured in one run.

Run:  python benchmarks/bench_sweeps.py [--quick]
      python benchmarks/bench_sweeps.py --files-only [--old REF]

``--files-only`` measures the sweep files alone; with ``--old REF`` it measures them, in one
run, under the package of git ref REF too (``git archive REF src`` unpacked; each tree in a
subprocess of its own, old and new alternating per size), and the new tree reading the
file REF wrote at 10⁴ cells.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import spincaloric as sc
from spincaloric.io import read_toml
from spincaloric.io.paths import parse_vary
from spincaloric.studies.maps import switching_map
from spincaloric.studies.sweep import run_sweep, sweep_file

HERE = Path(__file__).parent.parent / "examples" / "devices"


def layered_device(cells: int) -> dict:
    """The pillar of examples/devices/pillar_thick_layers.toml with a Cu spacer of ``cells``
    cells of 1 nm each (``cells`` + 31 nodes)."""
    data = read_toml(HERE / "pillar_thick_layers.toml")
    data["layers"]["spacer"].update(cells=cells, length=cells * 1e-9)
    data["contacts"][1]["between"] = ["free_0", f"spacer_{cells}"]
    return data


def file_figures(cells: int, folder: Path, layout1: Path | None = None) -> dict:
    """Seconds to sweep a ``cells``-cell device over 3 angles, write the file, read it, and
    pick one node's voltage from it (``spincaloric.io.results.pick``, or ``ds[NAME]`` in a
    package without it); with ``layout1`` also the reading of that file."""
    from spincaloric.io import load_dataset, save_dataset

    try:
        from spincaloric.io.results import pick
    except ImportError:  # a package of one variable per quantity and owner
        def pick(ds, name):
            return ds[name]
    t = time.perf_counter()
    ds = sweep_file(layered_device(cells), [parse_vary("free.magnetization.phi=0:180:3")])
    out = {"sweep": time.perf_counter() - t, "variables": len(ds.data_vars)}
    path = folder / f"sweep_{cells}.nc"
    t = time.perf_counter()
    save_dataset(ds, path)
    out["write"] = time.perf_counter() - t
    t = time.perf_counter()
    ds = load_dataset(path)
    out["read"] = time.perf_counter() - t
    t = time.perf_counter()
    for k in range(10):  # ten nodes along the spacer
        pick(ds, f"spacer_{k * cells // 10}.voltage").values.sum()
    out["lookup"] = (time.perf_counter() - t) / 10
    if layout1 is not None and layout1.exists():
        t = time.perf_counter()
        load_dataset(layout1)
        out["read layout 1"] = time.perf_counter() - t
    return out


def files_only(args) -> None:
    """The sweep-file table: this tree alone, or REF and this tree alternating per size."""
    import json
    import os
    import subprocess
    import sys

    sizes = [args.sizes_of] if args.sizes_of else [10_000] if args.quick else [10_000, 100_000]
    if args.child:
        folder = Path(args.child)
        print(json.dumps({n: file_figures(n, folder, folder.parent / "old" / "sweep_10000.nc"
                                          if n == 10_000 and args.layout1 else None)
                          for n in sizes}))
        return
    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"new": root}
        if args.old:
            archive = subprocess.run(["git", "archive", args.old, "src"], cwd=root, check=True,
                                     capture_output=True).stdout
            (Path(tmp) / "tree").mkdir()
            subprocess.run(["tar", "-x", "-C", str(Path(tmp) / "tree")], input=archive,
                           check=True)
            trees = {f"{args.old}": Path(tmp) / "tree", "new": root}
        rows = []
        for n in sizes:
            for label, tree in trees.items():  # the old tree first: its file is read after
                folder = Path(tmp) / ("new" if label == "new" else "old")
                folder.mkdir(exist_ok=True)
                env = dict(os.environ, PYTHONPATH=str(tree / "src"))
                cmd = [sys.executable, __file__, "--files-only", "--child", str(folder),
                       "--sizes-of", str(n)] + (["--layout1"] if label == "new" and args.old
                                                else [])
                res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
                rows.append((label, n, json.loads(res.stdout.strip().splitlines()[-1])[str(n)]))
    print("| tree | cells | variables | sweep (s) | write (s) | read (s) | one lookup (ms) | "
          "read the layout-1 file (s) |\n|---|---|---|---|---|---|---|---|")
    for label, n, f in rows:
        extra = f"{f['read layout 1']:.2f}" if "read layout 1" in f else "–"
        print(f"| {label} | {n} | {f['variables']} | {f['sweep']:.2f} | {f['write']:.3f} | "
              f"{f['read']:.3f} | {f['lookup'] * 1e3:.2f} | {extra} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--files-only", action="store_true")
    ap.add_argument("--old", help="git ref of the tree to compare the sweep files with")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--sizes-of", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--layout1", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.files_only:
        return files_only(args)
    circuit = sc.load_device(HERE / "valve_thermal.toml").finalize()
    axes = [parse_vary("right.magnetization.theta=0:180:181"),
            parse_vary("right.temperature=300:310:101")]
    run_sweep(circuit, axes)  # warm up
    t = time.perf_counter()
    run_sweep(circuit, axes)
    steady = time.perf_counter() - t
    print("| sweep | points | wall time (s) |\n|---|---|---|")
    print(f"| steady-state valve, θ × T_right | 181 × 101 | {steady:.3f} |")
    # a parameter outside the batched drives rebuilds the circuit at every value: a 400-cell
    # lateral valve in 7 Hanle fields
    lsv = read_toml(HERE / "lateral_valve_hanle.toml")
    fields = [parse_vary("layers.channel.hanle_field[2]=-0.6:0.6:7")]
    t = time.perf_counter()
    sweep_file(lsv, fields)
    rebuilt = time.perf_counter() - t
    print(f"| 400-cell lateral valve, Hanle field (rebuilt per point) | 7 | {rebuilt:.2f} |")
    n = 8 if args.quick else 32
    data = read_toml(HERE / "thermal_switching_pillar.toml")
    map_axes = [("drives.free.temperature.peak", np.linspace(5, 60, n)),
                ("drives.free.temperature.decay", np.linspace(0.5e-9, 4e-9, n))]
    times = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            switching_map(data, map_axes, 8e-9, Path(tmp) / "m.nc", chunk=16, workers=workers,
                          run_kw={"n_save": 161})
            times[workers] = time.perf_counter() - t
        print(f"| switching map, {workers} dask worker(s) | {n} × {n} | {times[workers]:.2f} |")
    print(f"\nscaling 1 -> 2 workers: {times[1] / times[2]:.2f}x\n")
    files_only(args)


if __name__ == "__main__":
    main()
