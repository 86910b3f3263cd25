"""Energy-resolved solver: a spin valve vs the size of the energy grid — elastic, and with
electron–electron and electron–phonon relaxation in the spacer (Newton on the virtual
reservoirs: 9 unknowns, each Jacobian column one elastic solve); ratios against the
linear-response solve of the same valve, in one run. Then a diffusive Co|Cu wire of N cells
in the spectral regime on a 2001-point grid: time and peak memory of the elastic solve, each
in a fresh process, by the batched dense solve and by the sparse LU per energy.

Run:  python benchmarks/bench_spectral.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

from spincaloric import ContactParameters, Device
from spincaloric.solvers.spectral import solve_elastic, solve_relaxed

T = 300.0
POINTS = 2001  # energies of the wire's grid


def valve(regime="noninteracting"):
    c = ContactParameters.from_paper(conductance=1e-2, polarization=0.5, mixing=0.7,
                                     seebeck=-4e-6, polarization_derivative=0.8,
                                     mixing_derivative=0.2, temperature=T)
    dev = Device(temperature=T, regime=regime)
    dev.add_node("L", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("N", "normal")
    dev.add_node("R", "ferromagnet", reservoir=True, magnetization=[1, 0, 0], voltage=-1e-3,
                 temperature=T + 10)
    dev.add_contact("L", "N", c)
    dev.add_contact("R", "N", c)
    return dev.finalize()


def wire(cells: int):
    """Co (m = z, N/2 cells, 20 nm) | Cu (N/2 cells, 100 nm) between leads, 1 mV and 5 K
    across, regime "spectral"."""
    from spincaloric.layers import BulkMaterial, Layer, Lead, multilayer

    co = BulkMaterial(resistivity=60e-9, spin_flip_length=60e-9, spin_asymmetry=0.46,
                      seebeck=-20e-6, spin_seebeck=-4e-6)
    cu = BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9, seebeck=1.8e-6)
    return multilayer([Lead("bottom", voltage=1e-3),
                       Layer("co", co, 20e-9, cells=cells // 2, magnetization=(0, 0, 1)),
                       Layer("cu", cu, 100e-9, cells=cells - cells // 2),
                       Lead("top", temperature=T + 5)], area=1e-16, temperature=T,
                      regime="spectral").finalize()


def timed(f, repeat=3):
    """Best wall time (s) of ``repeat`` calls."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def child(cells: int, path: str) -> None:
    """One wire in this process: prints {unknowns, seconds (an untraced solve), traced (MB:
    the tracemalloc peak of a second solve, NumPy's arrays included), peak (MB: the process's
    maximum RSS)}."""
    import tracemalloc

    from spincaloric.circuit.system import kirchhoff_system
    from spincaloric.solvers import spectral

    if path == "sparse" and not hasattr(spectral, "DENSE_LIMIT"):
        # a tree that solves every grid densely (compare_trees.py): a large wire would not fit
        print(json.dumps({"skipped": True}))
        return
    spectral.DENSE_LIMIT = sys.maxsize if path == "dense" else -1
    circuit = wire(cells)
    solve_elastic(valve(), points=101)  # imports and first-use costs outside the measurement
    unknowns = int(kirchhoff_system(circuit, 4).act.sum())
    t = time.perf_counter()
    solve_elastic(circuit, points=POINTS)
    seconds = time.perf_counter() - t
    tracemalloc.start()
    solve_elastic(circuit, points=POINTS)
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(json.dumps({"unknowns": unknowns, "seconds": seconds, "traced": traced,
                      "peak": maxrss_mb()}))


def wire_table(dense_sizes, sparse_sizes) -> None:
    print(f"\nCo|Cu wire, regime \"spectral\", {POINTS} energies: elastic solve, each size and "
          "path in a fresh process (time of one solve; memory: tracemalloc peak of a solve, "
          "and the process's peak RSS)\n")
    print("| cells | unknowns / energy | path | time (s) | solve peak (MB) | peak RSS (MB) |\n"
          "|---|---|---|---|---|---|")
    runs = [(n, "dense") for n in dense_sizes] + [(n, "sparse") for n in sparse_sizes]
    for cells, path in runs:
        out = subprocess.run([sys.executable, __file__, "--child", str(cells), path],
                             capture_output=True, text=True, check=True).stdout
        r = json.loads(out.strip().splitlines()[-1])
        if r.get("skipped"):
            print(f"| {cells} | – | {path} | – | – | – |")
            continue
        print(f"| {cells} | {r['unknowns']} | {path} | {r['seconds']:.3f} | {r['traced']:.0f} | "
              f"{r['peak']:.0f} |")


def ordering_table(sizes) -> None:
    """SuperLU per energy: the column ordering computed at every factorisation vs computed once
    for the pattern and applied up front (``permc_spec="NATURAL"`` on the reordered columns).
    The matrix: the wire's system at the Fermi energy (the charge–spin block of K)."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import splu

    from spincaloric.circuit.system import kirchhoff_system

    try:
        from spincaloric.solvers.linear import sparse_values, stacked_responses
    except ImportError:  # a tree without the width-4 sparse pattern (compare_trees.py)
        print("\n(no energy-resolved sparse pattern in this tree)")
        return
    print("\nOne factorisation of one energy's system (ms, best of 20) and the fill of L + U\n")
    print("| cells | unknowns | MMD_AT_PLUS_A each time | COLAMD each time | order once + "
          "NATURAL | ordering once (ms) | fill: MMD / once |\n|---|---|---|---|---|---|---|")
    for cells in sizes:
        circuit = wire(cells)
        m = circuit.magnetization
        k = tuple(x[:, :4, :4] for x in stacked_responses(circuit, m))
        pattern = kirchhoff_system(circuit, 4).sparse
        a_data, _ = sparse_values(circuit, k, m, width=4)
        u = pattern.unknowns
        a = sp.csc_matrix((a_data, pattern.a_indices, pattern.a_indptr), shape=(u, u))
        t = time.perf_counter()
        order, take, indptr = pattern.column_order
        once = time.perf_counter() - t
        reordered = sp.csc_matrix((a_data[take], pattern.a_indices[take], indptr), shape=(u, u))
        cases = [(a, "MMD_AT_PLUS_A"), (a, "COLAMD"), (reordered, "NATURAL")]
        ms = [timed(lambda x=x, spec=spec: splu(x, permc_spec=spec), repeat=20) * 1e3
              for x, spec in cases]
        fill = [(lu.L.nnz + lu.U.nnz) for lu in (splu(x, permc_spec=spec) for x, spec in
                                                 (cases[0], cases[2]))]
        print(f"| {cells} | {u} | {ms[0]:.3f} | {ms[1]:.3f} | {ms[2]:.3f} | {once * 1e3:.1f} | "
              f"{fill[0]} / {fill[1]} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller grids and wires")
    ap.add_argument("--child", nargs=2, metavar=("CELLS", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(int(args.child[0]), args.child[1])
    circuit = valve()
    solve_elastic(circuit, points=101)  # warm up
    linear = timed(lambda: circuit.solve(), repeat=20)
    print(f"linear-response solve of the same valve (baseline): {linear * 1e3:.3f} ms\n")
    print("| energy points | elastic (s) | elastic / linear | relaxed: e-e + e-ph (s) | "
          "relaxed / elastic |\n|---|---|---|---|---|")
    for points in (10**3, 10**4) if args.quick else (10**3, 10**4, 10**5):
        el = timed(lambda p=points: solve_elastic(circuit, points=p))
        if points <= 10**4:
            rel = timed(lambda p=points: solve_relaxed(circuit, {"N": 0.1}, phonons={"N": 1e-3},
                                                         points=p), repeat=1)
            rel_s, ratio = f"{rel:.4f}", f"{rel / el:.0f}"
        else:
            rel_s = ratio = "–"
        print(f"| {points:.0e} | {el:.4f} | {el / linear:.0f} | {rel_s} | {ratio} |")
    if args.quick:
        wire_table((8, 16), (8, 16, 250, 500))
        ordering_table((250, 1000))
    else:
        wire_table((8, 12, 16, 25, 50), (8, 12, 16, 25, 50, 1000, 2000))
        ordering_table((250, 1000, 4000))


if __name__ == "__main__":
    main()
