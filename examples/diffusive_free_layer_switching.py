"""Thermal switching of a diffusive Co free layer inside a Co|Cu|Co pillar, vs its thickness.

The free layer is not a reservoir here: it is a diffusive Co layer of the stack (several circuit
nodes that turn together as one macrospin), with spin accumulation, spin flip and its own
temperature solved by the circuit at every step of the LLGS integration. For free layers of
1–12 nm the script computes the instability thresholds of the parallel state — the temperature
difference ΔT_c across the pillar (no voltage) and the voltage V_c (no temperature difference)
at which the circuit's torque slope beats the Gilbert damping, κ_c = (α + α') M_s V (B₁ + B₂)/2
(α' the damping that spin pumping into the circuit adds) — and
checks one of them by integrating the dynamics just below and above ΔT_c.

Both thresholds grow with the volume; their ratio V_c/ΔT_c, the voltage a kelvin is worth for
switching, grows with the thickness (the "relative efficiency of thermal magnetization reversal
for thicker magnetic layers" of Hatami et al., PRL 99, 066603 (2007)), as the static torque
ratio of ``thickness_efficiency.py`` does at 90°.

Magnet: perpendicular Co-like film (M_s = 1.4 MA/m, α = 0.01, B_k = 2.0 T, thin-film
demagnetization), 40 nm disc; bulk Co and Cu from the cited database; Cu/Co interfaces with the
Table I ratios of Cu/Co(001)* (the largest |P'S| of the Cu/Co rows) and, as no conductance of
that alloyed interface is sourced, the G/A of clean Cu/Co(111) (Xia et al. 2002).

Run:  python examples/diffusive_free_layer_switching.py [--output diffusive_free_layer_switching.png] [--overwrite]
"""

from __future__ import annotations

import argparse
import dataclasses

import numpy as np

from spincaloric.dynamics import MagnetParameters
from spincaloric.dynamics.drives import Constant
from spincaloric.dynamics.simulation import Simulation
from spincaloric.dynamics.switching import (
    circuit_pumping_damping,
    circuit_torque_slope,
    slonczewski_critical_torque_slope,
)
from spincaloric.dynamics.torque_model import CircuitTorqueModel
from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.layers import Interface, Layer, Lead, multilayer
from spincaloric.materials import bulk_material, get_interface

T, AREA = 300.0, 1.26e-15  # K, m² (40 nm disc)
AXIS = np.array([1.0, 0.0, 0.0])  # pillar axis = easy axis (perpendicular magnets)
CO, CU = bulk_material("Co"), bulk_material("Cu")


def interface() -> Interface:
    return Interface(get_interface("Cu/Co(001)*").contact(AREA, T, conductance_per_area=0.80e15))


def pillar(thickness: float, free=AXIS, top_voltage=0.0, top_temperature=T):
    """bottom Cu lead | Co 10 nm (fixed) | Cu 5 nm | Co `thickness` (free) | top Cu lead, a
    Cu/Co interface on each side of the spacer and between the free layer and the top lead."""
    cells = max(2, round(thickness / 1e-9))
    return multilayer([Lead("bottom"),
                       Layer("fixed", CO, 10e-9, cells=4, magnetization=tuple(AXIS)),
                       interface(), Layer("spacer", CU, 5e-9, cells=3), interface(),
                       Layer("free", CO, thickness, cells=cells, magnetization=tuple(free)),
                       interface(),  # Co/Cu: the moving free layer pumps through it
                       Lead("top", voltage=top_voltage, temperature=top_temperature)],
                      area=AREA, temperature=T).finalize()


def magnet(thickness: float) -> MagnetParameters:
    return MagnetParameters(saturation_magnetization=1.4e6, volume=thickness * AREA,
                            damping=0.01, anisotropy_field=2.0, anisotropy_axis=AXIS,
                            demagnetizing_factors=[1.0, 0.0, 0.0])


def thresholds(thickness: float) -> tuple[float, float]:
    """(ΔT_c in K, V_c in V) destabilising the parallel state: κ_c over the torque slope per
    unit drive (slopes are linear in the drive)."""
    c = pillar(thickness)
    model = CircuitTorqueModel.build(c, ["free_0"])
    # the damping includes what spin pumping into the circuit adds (α + α')
    mag = magnet(thickness)
    alpha = mag.damping + circuit_pumping_damping(model, "free_0", AXIS, mag)
    kappa_c = slonczewski_critical_torque_slope(dataclasses.replace(mag, damping=alpha))
    per_kelvin = circuit_torque_slope(model, "free_0", AXIS,
                                      model.drive_vector(temperature={"top": T + 1.0}))
    per_volt = circuit_torque_slope(model, "free_0", AXIS,
                                    model.drive_vector(voltage={"top": 1.0}))
    return kappa_c / per_kelvin, kappa_c / per_volt


def trajectory(thickness: float, delta_t: float, until: float):
    """m·x(t) of the free layer from a 3° tilt, the top lead held ΔT warmer."""
    tilt = np.radians(3.0)
    start = np.cos(tilt) * AXIS + np.sin(tilt) * np.array([0.0, 0.0, 1.0])
    c = pillar(thickness, free=start)
    sim = Simulation(c, {"free_0": magnet(thickness)},
                     drives={("top", "temperature"): Constant(T + delta_t)})
    tr = sim.run(until, n_save=801, rtol=1e-7, atol=1e-9)
    return tr.time, tr.magnetization("free_0")[0] @ AXIS, tr


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "diffusive_free_layer_switching.png")
    args = ap.parse_args(argv)
    thickness = np.array([1, 2, 3, 5, 8, 12]) * 1e-9
    dt_c, v_c = np.array([thresholds(t) for t in thickness]).T
    for t, a, b in zip(thickness, dt_c, v_c):
        print(f"free Co {t * 1e9:4.1f} nm: ΔT_c = {a:8.2f} K, V_c = {b * 1e3:7.3f} mV, "
              f"V_c/ΔT_c = {b / a * 1e6:6.2f} µV/K")

    # the dynamics of the 3 nm layer just below and above the thermal threshold
    probe = 3e-9
    threshold = float(dt_c[list(np.round(thickness * 1e9)).index(3)])
    runs = {}
    for factor in (0.8, 1.3):
        time, mx, tr = trajectory(probe, factor * threshold, 40e-9)
        runs[factor] = (time, mx)
        sw = tr.switching()["free_0"]
        verdict = (f"switched at {sw.time[0] * 1e9:.2f} ns" if sw.switched[0]
                   else "did not switch")
        print(f"3 nm, ΔT = {factor:.1f} ΔT_c = {factor * threshold:.2f} K: {verdict}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(13, 4), constrained_layout=True)
    a1.plot(thickness * 1e9, np.abs(dt_c), "o-", color="C3", label="|ΔT_c| (K)")
    a1.plot(thickness * 1e9, np.abs(v_c) * 1e3 * 10, "s--", color="C0",
            label="|V_c| (mV) × 10")
    a1.set_xlabel("free-layer thickness (nm)")
    a1.set_ylabel("instability threshold")
    a1.legend()
    a2.plot(thickness * 1e9, np.abs(v_c / dt_c) * 1e6, "o-")
    a2.set_xlabel("free-layer thickness (nm)")
    a2.set_ylabel("|V_c / ΔT_c| (µV/K)")
    a2.set_title("what a kelvin is worth for switching")
    for factor, style in ((0.8, "C0"), (1.3, "C3")):
        time, mx = runs[factor]
        a3.plot(time * 1e9, mx, color=style, label=f"ΔT = {factor} ΔT_c")
    a3.set_xlabel("time (ns)")
    a3.set_ylabel("m · x of the 3 nm free layer")
    a3.legend()
    fig.suptitle("Diffusive Co free layer in a Co|Cu|Co pillar: thermal switching thresholds")
    save_figure(fig, args)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
