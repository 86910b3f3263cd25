"""Cost vs size of what a user does with a large layered device, measured in one run: finalize,
solve, the solution's accessors and exports, the `solve` table, Joule heat, and one point of a
sweep — for a Co|Cu|Co pillar whose layers are cut into N cells in all (the ferromagnetic
layers are the worst case of the per-magnet outputs). Every path should grow about linearly.

Run:  python benchmarks/bench_large_devices.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from spincaloric.circuit.solution import joule_heat
from spincaloric.cli import _table
from spincaloric.layers import BulkMaterial, Interface, Layer, Lead, multilayer
from spincaloric.studies.sweep import run_sweep

T = 300.0
CO = BulkMaterial(resistivity=60e-9, spin_flip_length=60e-9, spin_asymmetry=0.46,
                  seebeck=-20e-6, spin_seebeck=-4e-6)
CU = BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9, seebeck=1.8e-6)


def pillar(cells: int):
    """Co(20 nm)|Cu(10 nm)|Co(10 nm) between Cu leads, N/2 + N/4 + N/4 cells, 1 mV across."""
    from spincaloric import ContactParameters

    link = Interface(ContactParameters.from_paper(
        conductance=1.0, polarization=0.5, mixing=0.7, seebeck=-5e-6,
        polarization_derivative=0.5, mixing_derivative=0.1, temperature=T))
    return multilayer([Lead("bottom", voltage=1e-3), Layer("fixed", CO, 20e-9, cells=cells // 2,
                                                          magnetization=(0, 0, 1)), link,
                       Layer("spacer", CU, 10e-9, cells=cells // 4), link,
                       Layer("free", CO, 10e-9, cells=cells // 4, magnetization=(1, 0, 0)),
                       Lead("top")], area=1e-16, temperature=T)


def timed(f, *args):
    t = time.perf_counter()
    out = f(*args)
    return out, time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    sizes = [1000, 3000] if args.quick else [1000, 10_000, 30_000]
    print("| cells | finalize | solve | .nodes | to_dict + JSON | `solve` table | joule_heat "
          "| sweep point (Dataset) |\n|---|---|---|---|---|---|---|---|")
    rows = []
    warm = pillar(100).finalize()  # imports (xarray) and first-call costs out of the table
    run_sweep(warm, []), _table("w.toml", warm.solve())
    for n in sizes:
        circuit, t_fin = timed(pillar(n).finalize)
        sol, t_solve = timed(circuit.solve)
        _, t_nodes = timed(getattr, sol, "nodes")
        _, t_dict = timed(lambda s: json.dumps(s.to_dict()), sol)
        _, t_table = timed(_table, "pillar.toml", sol)
        _, t_joule = timed(joule_heat, sol)
        _, t_sweep = timed(run_sweep, circuit, [])
        row = [t_fin, t_solve, t_nodes, t_dict, t_table, t_joule, t_sweep]
        rows.append(row)
        print(f"| {n:,} | " + " | ".join(f"{x:.2f}" for x in row) + " |")
    growth = np.log(np.array(rows[-1]) / np.array(rows[0])) / np.log(sizes[-1] / sizes[0])
    print(f"\ngrowth exponents {sizes[0]:,} -> {sizes[-1]:,} cells (time ∝ N^k): "
          + ", ".join(f"{k:.2f}" for k in growth))


if __name__ == "__main__":
    main()
