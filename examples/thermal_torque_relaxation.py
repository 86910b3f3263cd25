"""Thermal torque vs electron–electron relaxation: from the elastic to the thermalized regime.

A symmetric Cu/Co(111)* valve at θ = 90° under a 1 K temperature bias, solved energy by
energy with electron–electron relaxation of strength g_ee = e²D/τ_ee in the spacer. Since the
dwell time is τ_d = e²D/(4G), g_ee/(4G) = τ_d/τ_ee: weak relaxation gives the non-interacting
torque, strong relaxation the thermalized one (eq. 7); the closed forms are drawn as lines.

Run:  python examples/thermal_torque_relaxation.py [--output torque_relaxation.png] [--overwrite]
"""

from __future__ import annotations

import argparse

import numpy as np

from spincaloric import ContactParameters, Device, analytic
from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.materials import get_interface
from spincaloric.solvers.spectral import solve_relaxed

T, AREA = 300.0, 1e-16


def setup():
    d = get_interface("Cu/Co(111)*")
    p = analytic.ValveParameters(conductance=d.conductance_per_area * AREA,
                                 polarization=d.polarization, mixing=d.mixing,
                                 seebeck=d.seebeck(T),
                                 polarization_derivative=d.polarization_derivative,
                                 mixing_derivative=d.mixing_derivative, temperature=T)
    c = ContactParameters.from_paper(conductance=p.conductance, polarization=p.polarization,
                                     mixing=p.mixing, seebeck=p.seebeck,
                                     polarization_derivative=p.polarization_derivative,
                                     mixing_derivative=p.mixing_derivative, temperature=T)
    m1, m2 = analytic.magnetizations(np.pi / 2)
    dev = Device(temperature=T)
    dev.add_node("L", "ferromagnet", reservoir=True, magnetization=m1)
    dev.add_node("N", "normal")
    dev.add_node("R", "ferromagnet", reservoir=True, magnetization=m2, temperature=T + 1.0)
    dev.add_contact("L", "N", c)
    dev.add_contact("R", "N", c)
    return dev.finalize(), p


def torque(circuit, g_ee) -> float:
    """Signed torque magnitude (absorbed spin current, A) on R along (c, 0, −s)."""
    sol, _ = solve_relaxed(circuit, {"N": g_ee}, points=4001)
    m = circuit.magnetization[circuit.index["R"]]
    i_s = sol.currents[1, 1:4]  # spin current R -> N
    absorbed = -(i_s - (i_s @ m) * m)
    s = c = np.sqrt(0.5)
    return float(absorbed @ np.array([c, 0.0, -s]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "torque_relaxation.png")
    args = ap.parse_args(argv)
    circuit, p = setup()
    ratio = np.logspace(-3, 3, 13)  # τ_d/τ_ee = g_ee/(4G)
    tau = np.array([torque(circuit, 4 * p.conductance * r) for r in ratio])
    th = float(analytic.thermalized_torque(p, np.pi / 2, delta_t=1.0))
    ni = float(analytic.noninteracting_torque(p, np.pi / 2, delta_t=1.0))
    for r, t in zip(ratio, tau):
        print(f"τ_d/τ_ee = {r:8.3g}: torque {t * 1e9:8.4f} nA (spin current)")
    print(f"closed forms: non-interacting {ni * 1e9:.4f} nA, thermalized {th * 1e9:.4f} nA")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    ax.semilogx(ratio, tau * 1e9, "o-", label="energy-resolved solver")
    ax.axhline(th * 1e9, color="C3", ls="--", label="thermalized (eq. 7)")
    ax.axhline(ni * 1e9, color="C2", ls=":", label="non-interacting")
    ax.set_xlabel("τ_d / τ_ee")
    ax.set_ylabel("thermal torque on R, as spin current (nA per K)")
    ax.legend()
    save_figure(fig, args)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
