"""Energy-resolved (elastic) solver: a spin valve vs the size of the energy grid.

Run:  python benchmarks/bench_spectral.py
"""

from __future__ import annotations

import time

from spincaloric import ContactParameters, Device
from spincaloric.spectral import solve_elastic

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


def main():
    circuit = valve()
    solve_elastic(circuit, points=101)  # warm up
    print("| energy points | wall time (s) |\n|---|---|")
    for points in (10**3, 10**4, 10**5):
        t = time.perf_counter()
        solve_elastic(circuit, points=points)
        print(f"| {points:.0e} | {time.perf_counter() - t:.4f} |")


if __name__ == "__main__":
    main()
