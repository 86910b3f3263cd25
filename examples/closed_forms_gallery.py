"""Eqs. 4–9 of Hatami et al. (2007) for a symmetric Cu/Co(111)* valve: solver vs closed forms.

Six panels against the angle θ between the magnetizations: the charge current (eq. 4), the
angular magnetothermopower at zero current (eq. 5), the heat current (eq. 6, exact form), the
thermal torque (eq. 7), the non-interacting correction to it (eq. 8) and the spin heat
accumulation (eq. 9). Lines: the general circuit solver (batched over θ); markers: the closed
forms of spincaloric.analytic. It also prints the Table I-derived quantities (P, S, S↑, S↓).

Run:  python examples/closed_forms_gallery.py [--output closed_forms.png] [--overwrite]
"""

from __future__ import annotations

import argparse

import numpy as np

from spincaloric import ContactParameters, Device, analytic
from spincaloric.constants import TORQUE_PER_SPIN_CURRENT
from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.materials import get_interface, materials_table

T, AREA = 300.0, 1e-16


def valve(p, regime, open_circuit=False):
    c = ContactParameters.from_paper(
        conductance=p.conductance, polarization=p.polarization, mixing=p.mixing,
        seebeck=p.seebeck, polarization_derivative=p.polarization_derivative,
        mixing_derivative=p.mixing_derivative, temperature=T)
    dev = Device(temperature=T, regime=regime)
    dev.add_node("L", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("N", "normal")
    dev.add_node("R", "ferromagnet", reservoir=True, magnetization=[0, 0, 1],
                 **({"current": 0.0} if open_circuit else {}))
    dev.add_contact("L", "N", c)
    dev.add_contact("R", "N", c)
    return dev.finalize()


def curves(p, theta):
    """{panel: (solver, closed form, unit label)} for θ (rad)."""
    m1, m2 = analytic.magnetizations(theta)
    mags = {"L": m1, "R": m2}
    dv, dt = 1e-4, 1.0  # theory ΔV = V_R − V_L (V), ΔT = T_R − T_L (K)
    th = valve(p, "thermalized").solve(magnetization=mags, voltage={"R": -dv},
                                       temperature={"R": T + dt})
    heat_only = valve(p, "thermalized").solve(magnetization=mags, temperature={"R": T + dt})
    ni = valve(p, "noninteracting").solve(magnetization=mags, temperature={"R": T + dt})
    oc = valve(p, "thermalized", True).solve(magnetization=mags, temperature={"R": T + dt})
    s, c = np.sin(theta / 2), np.cos(theta / 2)

    def along(tau):  # signed torque magnitude on R along (c, 0, −s), A
        return (tau[:, 0] * c - tau[:, 2] * s) / TORQUE_PER_SPIN_CURRENT

    tau_th, tau_ni = along(heat_only.torques["R"]), along(ni.torques["R"])
    safe = np.where(np.abs(tau_th) > 0, tau_th, np.nan)
    return {
        "eq. 4: I_c (µA)": (-th.contacts[1].charge_current * 1e6,
                             analytic.thermalized_charge_current(p, theta, dv, dt) * 1e6),
        "eq. 5: ΔV/(SΔT) at I_c = 0": (-oc.reservoirs["R"].voltage / (p.seebeck * dt),
                                       analytic.thermopower_ratio(p, theta)),
        "eq. 6: Q_c (µW)": (th.contacts[1].heat_current * 1e6,
                             analytic.thermalized_heat_current(p, theta, dv, dt) * 1e6),
        "eq. 7: thermal torque (nA)": (tau_th * 1e9,
                                       analytic.thermalized_torque(p, theta, 0, dt) * 1e9),
        "eq. 8: (τ̃ − τ)/τ": ((tau_ni - tau_th) / safe,
                             analytic.noninteracting_torque_correction(p, theta)),
        "eq. 9: T_s/ΔT": (ni.nodes["N"].spin_temperature[:, 0] / dt,
                          analytic.spin_temperature_ratio(p, theta)),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "closed_forms.png")
    args = ap.parse_args(argv)
    d = get_interface("Cu/Co(111)*")
    p = analytic.ValveParameters(conductance=d.conductance_per_area * AREA,
                                 polarization=d.polarization, mixing=d.mixing,
                                 seebeck=d.seebeck(T), polarization_derivative=d.polarization_derivative,
                                 mixing_derivative=d.mixing_derivative, temperature=T)
    print("Table I at 300 K:      P      S (µV/K)  S_up   S_down")
    for row in materials_table(T):
        print(f"  {row['name']:<12} {row['P']:+7.3f} {row['S (uV/K)']:+8.2f} "
              f"{row['S_up (uV/K)']:+7.2f} {row['S_down (uV/K)']:+7.2f}")
    theta = np.linspace(0.02, np.pi - 0.02, 90)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(12, 6.5), constrained_layout=True)
    worst = 0.0
    for ax, (title, (solver, closed)) in zip(axes.ravel(), curves(p, theta).items()):
        solver, closed = np.asarray(solver, float), np.asarray(closed, float)
        ax.plot(np.degrees(theta), solver, label="solver")
        ax.plot(np.degrees(theta[::6]), closed[::6], "o", mfc="none", label="closed form")
        ax.set_title(title)
        ax.set_xlabel("θ (deg)")
        ok = np.isfinite(solver) & np.isfinite(closed)
        err = np.max(np.abs(solver[ok] - closed[ok])) / np.max(np.abs(closed[ok]))
        worst = max(worst, err)
        print(f"{title:<30} max relative deviation {err:.1e}")
    axes[0, 0].legend()
    fig.suptitle("Cu/Co(111)* symmetric valve: eqs. 4–9 of Hatami et al. (2007)")
    save_figure(fig, args, dpi=110)
    print(f"worst deviation {worst:.1e}; wrote {args.output}")


if __name__ == "__main__":
    main()
