"""Thermal spin-transfer torque in a magnetic tunnel junction stack: when does the two-terminal
MTJ formula hold?

A symmetric MTJ (TMR 100 %, S_P = −100 µV/K, S_AP = −60 µV/K; illustrative values) sits in a
pillar: fixed ferromagnetic lead |barrier| Co free layer (t_F, spin flip) | Cu cap 20 nm | normal
lead 1 K warmer. The barrier is a two-port contact (spincaloric.circuit.junctions): the circuit solves
the temperature and spin accumulation profiles, and the thermal torque on the free layer is
compared with the closed form of spincaloric.circuit.tunnel.MagneticTunnelJunction, which assumes the
whole temperature difference across the barrier and no spin accumulation.

For opaque barriers (RA ≳ 1e-12 Ω m²) the closed form holds; for low-RA barriers the metal
layers take part of the temperature drop and the free layer builds a spin accumulation, and the
torque per kelvin falls — more for thicker free layers. Heat is carried by electrons only here
(Wiedemann–Franz in every element, no phonons through the barrier), so in a real MgO junction,
where phonons dominate the barrier's heat conductance, the ΔT partition differs.

Run:  python examples/mtj_thermal_torque.py [--output mtj_thermal_torque.png] [--overwrite]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np

from spincaloric.circuit.tunnel import MagneticTunnelJunction
from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.layers import Interface, Layer, Lead, multilayer
from spincaloric.materials import bulk_material
from spincaloric.solvers.linear import PrecisionWarning

T0 = 300.0
AREA = 1e-14  # m²
THETA = np.pi / 2  # free layer at 90° to the fixed layer
RESISTANCE_AREAS = np.logspace(-15, -11, 9)  # Ω m²
THICKNESSES = (1e-9, 3e-9, 10e-9)  # m


def torque_ratio(resistance_area: float, thickness: float) -> tuple[float, float]:
    """(τ / τ_closed form, ΔT across the barrier / ΔT) for a 1 K bias."""
    mtj = MagneticTunnelJunction(resistance_area, tmr=1.0, seebeck_parallel=-100e-6,
                                 seebeck_antiparallel=-60e-6, temperature=T0)
    co = bulk_material("Co", spin_flip_length=60e-9)
    cu = bulk_material("Cu")
    m_free = (np.sin(THETA), 0.0, np.cos(THETA))
    stack = [Lead("fixed", "ferromagnet", magnetization=(0, 0, 1)),
             Interface(mtj.junction(AREA)),
             Layer("free", co, thickness, cells=4, magnetization=m_free),
             Layer("cap", cu, 20e-9, cells=10),
             Lead("top", "normal", temperature=T0 + 1.0)]
    with warnings.catch_warnings():
        # the metal|metal joins are ideal links (10⁶ × a 1 nm slice's conductance): beside a
        # barrier of 1e-11 Ω m² the conductances span 10¹¹, and the cap's heat balance holds
        # to ~10⁻⁵ (the solver's PrecisionWarning) — far below the four digits printed
        warnings.simplefilter("ignore", PrecisionWarning)
        sol = multilayer(stack, area=AREA, temperature=T0, title="MTJ pillar").solve()
    # the barrier's transverse spin current is absorbed at the free layer's first vertex
    torque = sum(np.linalg.norm(v) for k, v in sol.torques.items() if k.startswith("free"))
    closed = abs(float(mtj.torque(THETA, 0.0, 1.0, area=AREA)))
    drop = float(sol.nodes["free_0"].temperature) - T0
    return torque / closed, drop


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "mtj_thermal_torque.png")
    args = ap.parse_args(argv)

    ratios = np.empty((len(THICKNESSES), len(RESISTANCE_AREAS)))
    drops = np.empty_like(ratios)
    print("thermal torque on the free layer / two-terminal MTJ formula (θ = 90°, 1 K)")
    for i, t_f in enumerate(THICKNESSES):
        for j, ra in enumerate(RESISTANCE_AREAS):
            ratios[i, j], drops[i, j] = torque_ratio(ra, t_f)
            print(f"  t_F = {t_f * 1e9:4.1f} nm  RA = {ra:.1e} Ω m²:  torque ratio "
                  f"{ratios[i, j]:.4f}  barrier ΔT/ΔT {drops[i, j]:.4f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 4.2), constrained_layout=True)
    for i, t_f in enumerate(THICKNESSES):
        ax.semilogx(RESISTANCE_AREAS, ratios[i], "o-", color=f"C{i}",
                    label=f"torque, t_F = {t_f * 1e9:g} nm")
        ax.semilogx(RESISTANCE_AREAS, drops[i], ":", color=f"C{i}",
                    label=f"barrier ΔT / ΔT, t_F = {t_f * 1e9:g} nm")
    ax.axhline(1.0, color="0.6", lw=0.8)
    ax.set_xlabel("RA of the barrier (Ω m²)")
    ax.set_ylabel("circuit / two-terminal MTJ formula")
    ax.set_title("Thermal torque in an MTJ pillar (Co free layer, Cu cap)")
    ax.legend(fontsize=8)
    save_figure(fig, args)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
