"""Energy-resolved solver: a spin valve vs the size of the energy grid — elastic, and with
electron–electron and electron–phonon relaxation in the spacer (Newton on the virtual
reservoirs: 9 unknowns, each Jacobian column one elastic solve); ratios against the
linear-response solve of the same valve, in one run.

Run:  python benchmarks/bench_spectral.py
"""

from __future__ import annotations

import time

from spincaloric import ContactParameters, Device
from spincaloric.solvers.spectral import solve_elastic, solve_relaxed

T = 300.0


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


def timed(f, repeat=3):
    """Best wall time (s) of ``repeat`` calls."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def main():
    circuit = valve()
    solve_elastic(circuit, points=101)  # warm up
    linear = timed(lambda: circuit.solve(), repeat=20)
    print(f"linear-response solve of the same valve (baseline): {linear * 1e3:.3f} ms\n")
    print("| energy points | elastic (s) | elastic / linear | relaxed: e-e + e-ph (s) | "
          "relaxed / elastic |\n|---|---|---|---|---|")
    for points in (10**3, 10**4, 10**5):
        el = timed(lambda p=points: solve_elastic(circuit, points=p))
        if points <= 10**4:
            rel = timed(lambda p=points: solve_relaxed(circuit, {"N": 0.1}, phonons={"N": 1e-3},
                                                         points=p), repeat=1)
            rel_s, ratio = f"{rel:.4f}", f"{rel / el:.0f}"
        else:
            rel_s = ratio = "–"
        print(f"| {points:.0e} | {el:.4f} | {el / linear:.0f} | {rel_s} | {ratio} |")


if __name__ == "__main__":
    main()
