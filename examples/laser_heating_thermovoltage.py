"""Open-circuit thermovoltage of a spin valve under laser heating up to 150 K.

The Cu/Co(111) valve of ``examples/devices/open_circuit_thermopower.toml`` (right lead open,
I = 0), with its right lead heated by ΔT, in the parallel and antiparallel states. Linear
response gives V = S ΔT; the energy-resolved solver (strong electron–electron relaxation in the
spacer) integrates the Mott thermopower S(T) = S0 T/T0 over the bias, V = S0 ΔT (1 + ΔT/2T0):
17 % more at 100 K. The magneto-thermopower (AP − P)/P hardly changes.

Run:  python examples/laser_heating_thermovoltage.py [--output laser_thermovoltage.png] [--overwrite]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from spincaloric.io import load_spec
from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.solvers.spectral import as_solution, solve_relaxed

DEVICE = Path(__file__).parent / "devices" / "open_circuit_thermopower.toml"
T0 = 300.0


def thermovoltages(delta_t, antiparallel: bool):
    """(linear, energy-resolved) open-circuit voltage of the right lead (V) for each ΔT (K)."""
    spec = load_spec(DEVICE)
    spec.device.nodes["right"].magnetization = np.array([0.0, 0.0, -1.0 if antiparallel else 1.0])
    circuit = spec.device.finalize()
    linear, resolved = [], []
    for dt in delta_t:
        hot = {"right": T0 + dt}
        linear.append(float(circuit.solve(temperature=hot).reservoirs["right"].voltage))
        sol, _ = solve_relaxed(circuit, {"spacer": 1e3}, temperature=hot, points=3001)
        resolved.append(float(as_solution(sol).reservoirs["right"].voltage))
    return np.array(linear), np.array(resolved)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "laser_thermovoltage.png")
    args = ap.parse_args(argv)
    delta_t = np.array([1.0, 25.0, 50.0, 75.0, 100.0, 125.0, 150.0])
    results = {label: thermovoltages(delta_t, label == "AP") for label in ("P", "AP")}
    for label, (lin, res) in results.items():
        for dt, a, b in zip(delta_t, lin, res):
            print(f"{label:2} ΔT = {dt:5.1f} K: linear {a * 1e6:8.3f} µV, energy-resolved "
                  f"{b * 1e6:8.3f} µV, ratio {b / a:.5f} (Mott integral {1 + dt / (2 * T0):.5f})")
    rp, ra = results["P"][1], results["AP"][1]  # energy-resolved
    print(f"magneto-thermopower (AP − P)/P at 1 K {ra[0] / rp[0] - 1:+.5f}, "
          f"at 150 K {ra[-1] / rp[-1] - 1:+.5f}")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    for label, (lin, res), color in (("P", results["P"], "C0"), ("AP", results["AP"], "C3")):
        ax.plot(delta_t, lin * 1e6, "--", color=color, label=f"{label}, linear response S ΔT")
        ax.plot(delta_t, res * 1e6, "o-", color=color, label=f"{label}, energy-resolved")
    ax.set_xlabel("ΔT of the heated lead (K)")
    ax.set_ylabel("open-circuit voltage (µV)")
    ax.set_title("Cu/Co(111) valve, T0 = 300 K")
    ax.legend(fontsize="small")
    save_figure(fig, args)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
