"""Steady-state solver throughput: batched vs per-point, and large chains.

Run:  python benchmarks/bench_solver.py [--quick]

Prints a Markdown table (paste into benchmarks/README.md). All figures are measured in this one
run, on one process; ratios compare methods measured side by side.
"""

from __future__ import annotations

import os

# one core, as the targets say: keep BLAS single-threaded (set before NumPy loads)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from spincaloric import ContactParameters, Device  # noqa: E402

T = 300.0
FN = ContactParameters.from_paper(conductance=1e-2, polarization=0.5, mixing=0.6, seebeck=-4e-6,
                                  polarization_derivative=0.8, mixing_derivative=0.1,
                                  temperature=T)
NN = ContactParameters.spin_independent(conductance=5e-2, seebeck=1e-6, temperature=T)


def spin_valve(regime):
    dev = Device(temperature=T, regime=regime)
    dev.add_node("left", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("spacer", "normal")
    dev.add_node("right", "ferromagnet", reservoir=True, magnetization=[1, 0, 0],
                 voltage=-1e-6, temperature=T + 1.0)
    dev.add_contact("left", "spacer", FN)
    dev.add_contact("right", "spacer", FN)
    return dev.finalize()


def chain(n, regime="thermalized"):
    """F reservoir | n internal nodes (every fourth a ferromagnet) | F reservoir."""
    rng = np.random.default_rng(0)
    dev = Device(temperature=T, regime=regime)
    dev.add_node("L", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("R", "ferromagnet", reservoir=True, magnetization=[1, 0, 0], voltage=-1e-3,
                 temperature=T + 1)
    prev = "L"
    for i in range(n):
        kind = "ferromagnet" if i % 4 == 2 else "normal"
        dev.add_node(f"n{i}", kind, magnetization=rng.normal(size=3) if kind == "ferromagnet"
                     else None)
        magnetic = kind == "ferromagnet" or dev.nodes[prev].kind == "ferromagnet"
        dev.add_contact(prev, f"n{i}", FN if magnetic else NN)
        prev = f"n{i}"
    dev.add_contact(prev, "R", FN)
    return dev


def angles(n):
    th = np.linspace(0, np.pi, n)
    return np.stack([np.sin(th), np.zeros(n), np.cos(th)], -1)


def best_of(f, repeat=3):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes (smoke run)")
    args = ap.parse_args()
    big = 10**5 if args.quick else 10**6
    loop_n = 200 if args.quick else 2000
    print(f"# spincaloric solver benchmark ({platform.processor() or platform.machine()}, "
          f"numpy {np.__version__}, one thread)\n")
    print("| spin valve, regime | batched, one call of N points (pts/s) | batched, calls of 10⁵ "
          "(pts/s) | per-point loop (pts/s) | speed-up |")
    print("|---|---|---|---|---|")
    for regime in ("thermalized", "noninteracting"):
        c = spin_valve(regime)

        def one_call(c=c):
            return c.solve(magnetization={"right": angles(big)}).torques

        m5, ms_loop = angles(10**5), angles(loop_n)

        def chunks(c=c, m5=m5):
            for _ in range(big // 10**5):
                c.solve(magnetization={"right": m5}).torques["right"].sum()

        def loop(c=c, ms=ms_loop):
            for m in ms:
                c.solve(magnetization={"right": m}).torques["right"].sum()

        r1 = big / best_of(one_call, 2)
        r2 = big / best_of(chunks, 2)
        r3 = loop_n / best_of(loop, 1)
        print(f"| {regime} | {r1:.3g} (N = {big:.0e}) | {r2:.3g} | {r3:.3g} | "
              f"{r2 / r3:.0f}× |")
    print("\n| chain nodes | unknowns | build (s) | finalize (s) | first solve (s) | "
          "repeat solve (s) |")
    print("|---|---|---|---|---|---|")
    sizes = (10**3, 10**4) if args.quick else (10**3, 10**4, 10**5)
    for n in sizes:
        t = time.perf_counter()
        dev = chain(n)
        t_build = time.perf_counter() - t
        t = time.perf_counter()
        c = dev.finalize()
        t_fin = time.perf_counter() - t
        t = time.perf_counter()
        c.solve().torques["R"].sum()
        t_first = time.perf_counter() - t
        t_rep = best_of(lambda c=c: c.solve().torques["R"].sum(), 2)
        print(f"| {n:.0e} | {c.n_unknowns} | {t_build:.2f} | {t_fin:.2f} | {t_first:.2f} | "
              f"{t_rep:.2f} |")
    print("\n| lateral spin valve, channel cells | unknowns | build (s) | finalize (s) | "
          "solve (s) |")
    print("|---|---|---|---|---|")
    for n in sizes:
        t = time.perf_counter()
        dev = lateral(n)
        t_build = time.perf_counter() - t
        t = time.perf_counter()
        c = dev.finalize()
        t_fin = time.perf_counter() - t
        t = time.perf_counter()
        c.solve().reservoirs["detector"].voltage.sum()
        print(f"| {n:.0e} | {c.n_unknowns} | {t_build:.2f} | {t_fin:.2f} | "
              f"{time.perf_counter() - t:.2f} |")


def lateral(cells):
    """A Cu channel (20 µm x 100 nm x 50 nm, λ = 500 nm) with a Py-like injector and detector,
    non-interacting regime."""
    from spincaloric.layers import BulkMaterial, lateral_spin_valve

    cu = BulkMaterial(resistivity=20e-9, spin_flip_length=500e-9, seebeck=1.6e-6)
    return lateral_spin_valve(cu, length=20e-6, cross_section=5e-15, injector_at=8e-6,
                              detector_at=9e-6, injector=FN, detector=FN, cells=cells,
                              temperature=T, regime="noninteracting")


if __name__ == "__main__":
    main()
