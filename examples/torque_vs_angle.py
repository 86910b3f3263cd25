"""Spin-transfer torque vs angle in a Co|Cu|Co spin valve: electrical and thermal bias.

A symmetric F|N|F valve with Cu/Co(111)* interfaces (Table I of Hatami et al., PRL 99, 066603
(2007)) and a 10 nm x 10 nm cross-section. The torque on the right magnet is solved by the
general circuit solver, batched over 181 angles, in both regimes, for a voltage bias of 1 mV
and for a temperature bias of 10 K; the closed forms (eq. 7 and the non-interacting result)
are drawn on top as markers.

Run:  python examples/torque_vs_angle.py [--output torque_vs_angle.png] [--overwrite]
"""

from __future__ import annotations

import argparse

import numpy as np

from spincaloric import Device, analytic
from spincaloric.constants import TORQUE_PER_SPIN_CURRENT
from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.materials import get_interface

T = 300.0
AREA = 1e-16  # m², 10 nm x 10 nm


def valve(regime: str, interface: str = "Cu/Co(111)*"):
    data = get_interface(interface)
    # Table I has no conductance for the dirty interface: use the clean Cu/Co(111) G/A
    per_area = data.conductance_per_area or get_interface("Cu/Co(111)").conductance_per_area
    contact = data.contact(AREA, T, conductance_per_area=per_area)
    dev = Device(temperature=T, regime=regime, title=f"{interface} spin valve")
    dev.add_node("left", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("spacer", "normal")
    dev.add_node("right", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_contact("left", "spacer", contact)
    dev.add_contact("right", "spacer", contact)
    return dev.finalize(), contact


def torque_curves(theta: np.ndarray, delta_v: float, delta_t: float):
    """Torque magnitude on the right magnet (N·m) vs θ (rad): {regime: (solver, closed form)}.

    ``delta_v`` = V_R − V_L in theory variables (V), i.e. the left electric potential minus the
    right one; ``delta_t`` = T_R − T_L (K).
    """
    out = {}
    for regime in ("thermalized", "noninteracting"):
        circuit, c = valve(regime)
        # the closed-form frame: m1 = (−s, 0, c), m2 = (s, 0, c)
        m1, m2 = analytic.magnetizations(theta)
        sol = circuit.solve(magnetization={"left": m1, "right": m2},
                            voltage={"left": delta_v, "right": 0.0},
                            temperature={"left": T, "right": T + delta_t})
        tau = sol.torques["right"]
        # signed magnitude along the closed form's direction (c, 0, −s)
        s, co = np.sin(theta / 2), np.cos(theta / 2)
        solver = tau[:, 0] * co - tau[:, 2] * s
        p = analytic.ValveParameters(
            conductance=c.conductance, polarization=c.polarization, mixing=c.mixing,
            seebeck=c.seebeck(T), polarization_derivative=(c.dg_up - c.dg_down) / (
                c.dg_up + c.dg_down), mixing_derivative=2 * c.dg_mix.real / (c.dg_up + c.dg_down),
            temperature=T)
        f = analytic.thermalized_torque if regime == "thermalized" else analytic.noninteracting_torque
        closed = TORQUE_PER_SPIN_CURRENT * f(p, theta, delta_v=delta_v, delta_t=delta_t)
        out[regime] = (solver, closed)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "torque_vs_angle.png")
    args = ap.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    theta = np.linspace(0.0, np.pi, 181)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=False, constrained_layout=True)
    for ax, (label, dv, dt) in zip(axes, (("voltage bias 1 mV", 1e-3, 0.0),
                                            ("temperature bias 10 K", 0.0, 10.0))):
        curves = torque_curves(theta, dv, dt)
        for (regime, (solver, closed)), colour in zip(curves.items(), ("C0", "C3")):
            ax.plot(np.degrees(theta), solver * 1e21, color=colour, label=f"{regime} (solver)")
            ax.plot(np.degrees(theta[::10]), closed[::10] * 1e21, "o", color=colour, mfc="none",
                    label=f"{regime} (closed form)")
            err = np.max(np.abs(solver - closed)) / np.max(np.abs(closed))
            print(f"{label:>22}, {regime:>14}: max |τ| = {np.abs(solver).max():.3e} N·m, "
                  f"solver vs closed form: {err:.1e}")
        ax.set_title(label)
        ax.set_xlabel("angle θ between magnetizations (deg)")
        ax.set_ylabel("torque on the right magnet (10⁻²¹ N·m)")
        ax.legend(fontsize=8)
    fig.suptitle("Spin-transfer torque in a Co|Cu|Co valve (Cu/Co(111)*, 100 nm²)")
    save_figure(fig, args)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
