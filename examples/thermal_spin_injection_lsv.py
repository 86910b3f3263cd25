"""Electrical and thermal spin injection in a Py/Cu lateral spin valve vs the distance L.

The mechanism of Slachter et al., Nat. Phys. 6, 879 (2010): a current I through a permalloy
injector strip spin-injects electrically (first harmonic, V ∝ I: R₁) and Joule-heats the strip,
whose heat current drives a spin current through the spin-dependent Seebeck coefficient S_s
(second harmonic, V ∝ I²: R₂). Both spin signals ΔR = R(P) − R(AP) decay with the
injector–detector distance over the spin-flip length of Cu.

Materials from the cited bulk database (Py: β, λ_sf, S; Cu: λ_sf) with Slachter et al.'s
S_s(Py) = −3.8 µV/K and a film resistivity of Cu; the geometry (100 × 50 nm² wires, 100 nm Py
strip, a transparent injector contact, a detector contact of polarization 0.3) is ILLUSTRATIVE — not the device of the paper, whose figures this
does not reproduce.

Run:  python examples/thermal_spin_injection_lsv.py [--output lsv_thermal_injection.png] [--overwrite]
"""

from __future__ import annotations

import argparse

import numpy as np

from spincaloric import ContactParameters
from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.layers import lateral_spin_valve, nonlocal_resistances
from spincaloric.materials import bulk_material

T = 300.0
AREA = 100e-9 * 50e-9  # m², the wires' cross-section
PY = bulk_material("Py", spin_seebeck=-3.8e-6)  # Slachter et al. 2010
CU = bulk_material("Cu", resistivity=3.0e-8)  # a film, more resistive than bulk Cu
LINK = ContactParameters.spin_independent(conductance=1.0, temperature=T)  # transparent
# the detector is a ferromagnetic reservoir: its contact carries the detection polarization
DETECTOR = ContactParameters.from_paper(conductance=1.0, polarization=0.3, mixing=0.5,
                                        seebeck=0.0, polarization_derivative=0.3,
                                        mixing_derivative=0.5, temperature=T)


def signals(distance: float, current: float = 1e-4) -> tuple[float, float]:
    """(ΔR₁ (Ω), ΔR₂ (V/A²)): spin-valve signals, parallel minus antiparallel, at injector–
    detector ``distance`` (m) for a drive ``current`` (A; R₁ and R₂ are coefficients and do not
    depend on it within the linear response, which 0.1 mA keeps: e|ΔV| ≈ 0.1 k_BT)."""
    r = {}
    for label, m in (("P", (0, 0, 1)), ("AP", (0, 0, -1))):
        dev = lateral_spin_valve(CU, length=12e-6, cross_section=AREA, injector_at=4e-6,
                                 detector_at=4e-6 + distance, injector=LINK, detector=DETECTOR,
                                 cells=3000, temperature=T, detector_magnetization=m,
                                 injector_layer=PY, injector_length=100e-9, injector_cells=20)
        r[label] = nonlocal_resistances(dev.finalize(), current)
    return r["P"][0] - r["AP"][0], r["P"][1] - r["AP"][1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "lsv_thermal_injection.png")
    args = ap.parse_args(argv)
    distance = np.array([0.25, 0.5, 1.0, 1.5, 2.0, 2.5]) * 1e-6
    values = np.array([signals(d) for d in distance])
    for d, (r1, r2) in zip(distance, values):
        print(f"L = {d * 1e9:6.0f} nm: ΔR1 = {r1:.4e} Ω, ΔR2 = {r2:.4e} V/A²")
    # local decay lengths between neighbouring distances: the electrical signal decays over
    # λ_Cu; the thermal one approaches it from above, because the detector contact also sinks
    # heat, so a closer detector cools the injector (the thermal source depends on L)
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
