"""Electrical and thermal spin injection in a Py/Cu lateral spin valve vs the distance L.

The mechanism of Slachter et al., Nat. Phys. 6, 879 (2010): a current I through a permalloy
injector strip spin-injects electrically (first harmonic, V ∝ I: R₁) and Joule-heats the strip,
whose heat current into the copper drives a spin current through the spin-dependent Seebeck
coefficient S_s (second harmonic, V ∝ I²: R₂). Both spin signals ΔR = R(P) − R(AP) decay with
the injector–detector distance over the spin-flip length of Cu. They have opposite signs: the
current into the copper draws out of it the majority electrons that the Py conducts better,
leaving a minority accumulation under the injector, whereas the heat flowing out of the hot
strip drives majority electrons into the copper (S_s = S↑ − S↓ < 0: the majority spins carry the
more negative thermopower, and diffuse harder from hot to cold).

The hot injector must be the strip: the current leaves the channel by its grounded end, 0.3 µm
from the injector, so that the copper it crosses dissipates a fraction of the strip's Joule heat
(printed). With the current drawn through microns of the channel instead, the copper would
dissipate more than the strip, heat the strip from the channel side, and the thermal signal
would change sign — a different mechanism from Slachter et al.'s.

Materials from the cited bulk database (Py: β, λ_sf, S; Cu: λ_sf) with Slachter et al.'s
S_s(Py) = −3.8 µV/K and a film resistivity of Cu; the geometry (100 × 50 nm² wires, a 1 µm Py
strip, a transparent injector contact, a detector contact of polarization 0.3, no substrate:
the heat leaves through the wires) is ILLUSTRATIVE — not the device of the paper, whose figures
this does not reproduce.

Run:  python examples/thermal_spin_injection_lsv.py [--output lsv_thermal_injection.png] [--overwrite]
"""

from __future__ import annotations

import argparse

import numpy as np

from spincaloric import ContactParameters
from spincaloric.circuit.solution import joule_heat
from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.layers import lateral_spin_valve, nonlocal_resistances
from spincaloric.materials import bulk_material

T = 300.0
AREA = 100e-9 * 50e-9  # m², the wires' cross-section
INJECTOR_AT = 0.3e-6  # m: the current leaves the channel by its grounded end, 0.3 µm away
CURRENT = 1e-4  # A
PY = bulk_material("Py", spin_seebeck=-3.8e-6)  # Slachter et al. 2010
CU = bulk_material("Cu", resistivity=3.0e-8)  # a film, more resistive than bulk Cu
LINK = ContactParameters.spin_independent(conductance=1.0, temperature=T)  # transparent
# the detector is a ferromagnetic reservoir: its contact carries the detection polarization
DETECTOR = ContactParameters.from_paper(conductance=1.0, polarization=0.3, mixing=0.5,
                                        seebeck=0.0, polarization_derivative=0.0,
                                        mixing_derivative=0.5, temperature=T)


def valve(distance: float, detector_magnetization=(0, 0, 1)):
    """The finalized lateral valve with its detector ``distance`` (m) from the injector."""
    return lateral_spin_valve(CU, length=12e-6, cross_section=AREA, injector_at=INJECTOR_AT,
                              detector_at=INJECTOR_AT + distance, injector=LINK,
                              detector=DETECTOR, cells=3000, temperature=T,
                              detector_magnetization=detector_magnetization, injector_layer=PY,
                              injector_length=1e-6, injector_cells=50).finalize()


def signals(distance: float, current: float = CURRENT) -> tuple[float, float]:
    """(ΔR₁ (Ω), ΔR₂ (V/A²)): spin-valve signals, parallel minus antiparallel, at injector–
    detector ``distance`` (m) for a drive ``current`` (A; R₁ and R₂ are coefficients and do not
    depend on it within the linear response, which 0.1 mA keeps: e|ΔV| ≈ 0.1 k_BT)."""
    parallel = nonlocal_resistances(valve(distance), current)
    antiparallel = nonlocal_resistances(valve(distance, (0, 0, -1)), current)
    return parallel[0] - antiparallel[0], parallel[1] - antiparallel[1]


def heat_sources(distance: float, current: float = CURRENT) -> tuple[float, float, float]:
    """(strip, channel, ΔT): the Joule heat (W) dissipated in the Py strip and in the Cu channel
    at ``current`` (A), and the strip's hottest electrons above the bath (K)."""
    circuit = valve(distance)
    heat = joule_heat(circuit.solve(current={"injector": current}))
    hot = circuit.solve(current={"injector": 0.0}, heat=heat)
    strip = sum(float(q) for name, q in heat.items() if name.startswith("strip"))
    channel = sum(float(q) for name, q in heat.items() if name.startswith("channel"))
    rise = max(float(hot.nodes[name].temperature) for name in heat if name.startswith("strip"))
    return strip, channel, rise - T


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "lsv_thermal_injection.png")
    args = ap.parse_args(argv)
    distance = np.array([0.25, 0.5, 1.0, 1.5, 2.0, 2.5]) * 1e-6
    values = np.array([signals(d) for d in distance])
    for d, (r1, r2) in zip(distance, values):
        print(f"L = {d * 1e9:6.0f} nm: ΔR1 = {r1:.4e} Ω, ΔR2 = {r2:.4e} V/A²")
    strip, channel, rise = heat_sources(distance[2])
    print(f"Joule heat at {CURRENT * 1e3:g} mA: Py strip {strip * 1e9:.0f} nW, Cu channel "
          f"{channel * 1e9:.0f} nW; the strip's electrons up to {rise * 1e3:.0f} mK above the bath")
    # local decay lengths between neighbouring distances: both signals decay over λ_Cu (a
    # little faster close to the injector, where the detector's own contact drains spins)
    local = np.diff(distance)[:, None] / np.log(values[:-1] / values[1:])
    for (a, b), (l1, l2) in zip(zip(distance, distance[1:]), local):
        print(f"decay length {a * 1e9:4.0f}–{b * 1e9:4.0f} nm: electrical {l1 * 1e9:6.1f} nm, "
              f"thermal {l2 * 1e9:6.1f} nm")
    print(f"λ_Cu = {CU.spin_flip_length * 1e9:.0f} nm")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 5.2), layout="constrained")
    electrical, thermal = fig.subplots(2, 1, sharex=True)
    electrical.semilogy(distance * 1e6, np.abs(values[:, 0]) * 1e3, "o-", color="C0")
    electrical.set_ylabel("electrical |ΔR₁| (mΩ)")
    thermal.semilogy(distance * 1e6, np.abs(values[:, 1]) * 1e3, "s-", color="C1")
    thermal.set_ylabel("thermal |ΔR₂| (nV/mA²)")  # 1 nV/mA² = 10⁻³ V/A²
    thermal.set_xlabel("injector–detector distance L (µm)")
    electrical.set_title("Py/Cu lateral spin valve (illustrative geometry): first harmonic "
                         "(electrical)\nand second harmonic (thermal, S_s = −3.8 µV/K) spin "
                         "signals", fontsize=9)
    save_figure(fig, args)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
