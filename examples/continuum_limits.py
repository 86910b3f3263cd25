"""The discretised circuit against the continuum closed forms: lateral valves and CPP pillars.

(a) Non-local spin signal ΔR = R_P − R_AP of a lateral spin valve vs the injector–detector
distance L, for a Cu channel (database ρ is replaced by a film value of 3 µΩ cm; λ = 500 nm,
100 × 50 nm²) with three kinds of contacts: tunnel (R_i = 100 R_N, P = 0.3), intermediate
(R_i = R_N) and transparent contacts to permalloy wires (database Py: β, λ_sf, ρ; 100 × 100 nm²
junctions, interface polarization 0.1). Markers: the circuit solver with the channel cut into
10 nm cells; lines: Takahashi & Maekawa's formula (spincaloric.layers.drift_diffusion). That formula
is purely electrical: the comparison switches the thermopowers off, and the script prints how
much the database thermopowers of Py change the signal (Peltier heating of the junction drives
a thermal spin current through S_s — a linear-response effect the full model contains).

(b) CPP-GMR A·ΔR of a Co(t)/Cu(10 nm)/Co(t) pillar between Cu leads vs the Co thickness t,
with the database's bulk Co (β = 0.46, λ_sf = 59 nm) and Cu, no interface resistance, electrical
only again: markers from `multilayer` (1 nm cells), line from the exact Valet–Fert solution. The contacts and the
Cu film resistivity are ILLUSTRATIVE; the point is the agreement, not a particular device.

Run:  python examples/continuum_limits.py [--output continuum_limits.png] [--overwrite]
"""

from __future__ import annotations

import argparse

import numpy as np

from spincaloric import ContactParameters, Device
from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.layers import Layer, Lead, add_layer, multilayer, vertex_positions
from spincaloric.layers.drift_diffusion import cpp_resistance_area, nonlocal_spin_signal
from spincaloric.materials import bulk_material

T = 300.0
# Takahashi–Maekawa is a purely electrical model: compare it with thermopowers switched off
# (with them, Peltier heat at the junction drives a thermal spin current through S_s: printed)
CU_FILM = bulk_material("Cu", resistivity=3e-8, spin_flip_length=500e-9, seebeck=0.0)
PY = bulk_material("Py", seebeck=0.0, spin_seebeck=0.0)
PY_THERMO = bulk_material("Py")  # database S and S_s
CHANNEL_AREA, JUNCTION_AREA = 100e-9 * 50e-9, 100e-9 * 100e-9  # m²
LENGTH, CELLS = 12e-6, 1200  # channel (m) and its cells: 10 nm
R_N = CU_FILM.resistivity * CU_FILM.spin_flip_length / CHANNEL_AREA  # Ω


def contact(resistance: float, polarization: float) -> ContactParameters:
    return ContactParameters.from_paper(conductance=1 / resistance, polarization=polarization,
                                        mixing=0.5, seebeck=0.0, polarization_derivative=0.0,
                                        mixing_derivative=0.0, temperature=T)


CASES = {  # label: (interface (P, R_i), ferromagnetic wires?)
    "tunnel, R_i = 100 R_N": ((0.3, 100 * R_N), False),
    "R_i = R_N": ((0.3, R_N), False),
    "transparent, Py wires": ((0.1, 0.01 * R_N), True),
}


def valve_signal(distance: float, interface, wires: bool, py=PY) -> float:
    """ΔR (Ω) of the discretised valve: a channel between two normal leads (the right one
    floating), injector at its middle, detector ``distance`` (m) to the right; ``wires``:
    contacts through 30 λ_F wires of ``py``."""
    at, to = LENGTH / 2 - 1e-6, LENGTH / 2 - 1e-6 + distance
    x = vertex_positions(LENGTH, CELLS, (at, to))
    out = []
    for m_det in ((0, 0, 1), (0, 0, -1)):
        dev = Device(temperature=T)
        dev.add_node("left", "normal", reservoir=True)
        dev.add_node("right", "normal", reservoir=True, current=0.0)
        channel = add_layer(dev, "channel", CU_FILM, length=LENGTH, area=CHANNEL_AREA,
                            cells=CELLS, start="left", end="right", through=(at, to))
        for name, where, m in (("injector", at, (0, 0, 1)), ("detector", to, m_det)):
            dev.add_node(name, "ferromagnet", reservoir=True, magnetization=m,
                         current=1e-4 if name == "injector" else 0.0)
            end = name
            if wires:  # a 30 λ_F permalloy wire between the reservoir and the channel
                end = add_layer(dev, f"{name}_py", py, length=30 * py.spin_flip_length,
                                area=JUNCTION_AREA, cells=1200, start=name, magnetization=m)[-1]
            dev.add_contact(end, channel[int(np.argmin(abs(x - where)))], contact(resistance=interface[1], polarization=interface[0]))
        sol = dev.finalize().solve()
        out.append(float(sol.reservoirs["detector"].voltage)
                   - float(sol.reservoirs["right"].voltage))
    return (out[0] - out[1]) / 1e-4


CO, CU = bulk_material("Co", seebeck=0.0, spin_seebeck=0.0), bulk_material("Cu", seebeck=0.0)


def pillar_ar(thickness: float, antiparallel: bool, co=CO, cu=CU) -> float:
    """AR (Ω m²) of the discretised Co(t)/Cu(10 nm)/Co(t) pillar (cells of about 1 nm)."""
    cells = max(2, round(thickness / 1e-9))
    stack = [Lead("bottom", voltage=1e-3), Layer("f1", co, thickness, cells, (0, 0, 1)),
             Layer("spacer", cu, 10e-9, 10),
             Layer("f2", co, thickness, cells, (0, 0, -1 if antiparallel else 1)), Lead("top")]
    sol = multilayer(stack, area=1e-16, temperature=T).finalize().solve()
    return 1e-3 / float(sol.contacts[-1].charge_current) * 1e-16


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "continuum_limits.png")
    args = ap.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), constrained_layout=True)
    distances = np.array([0.25, 0.5, 1.0, 1.5, 2.0]) * 1e-6
    dense = np.linspace(0.2e-6, 2.1e-6, 100)
    worst = 0.0
    for (label, (interface, wires)), color in zip(CASES.items(), ("C0", "C1", "C2")):
        kw = dict(ferromagnet=PY, junction_area=JUNCTION_AREA) if wires else {}
        closed = [nonlocal_spin_signal(CU_FILM, CHANNEL_AREA, d, injector=interface, **kw)
                  for d in dense]
        solved = np.array([valve_signal(d, interface, wires) for d in distances])
        at_markers = np.array([nonlocal_spin_signal(CU_FILM, CHANNEL_AREA, d, injector=interface,
                                                    **kw) for d in distances])
        err = float(np.max(np.abs(solved / at_markers - 1)))
        worst = max(worst, err)
        print(f"lateral valve, {label}: ΔR(0.5 µm) = {solved[1] * 1e3:.4g} mΩ; "
              f"solver vs Takahashi–Maekawa: {err:.2e}")
        left.semilogy(dense * 1e6, np.array(closed) * 1e3, color=color, label=label)
        left.semilogy(distances * 1e6, solved * 1e3, "o", color=color)
    thermo = valve_signal(0.5e-6, *CASES["transparent, Py wires"], py=PY_THERMO)
    plain = valve_signal(0.5e-6, *CASES["transparent, Py wires"])
    print(f"with the database thermopowers of Py (S, S_s) the Py-wire signal changes by "
          f"{thermo / plain - 1:+.2e}: Peltier heat at the junction drives a thermal spin "
          "current through S_s, beyond the electrical model")
    left.set_xlabel("injector–detector distance L (µm)")
    left.set_ylabel("ΔR = R_P − R_AP (mΩ)")
    left.set_title("lateral valve: solver (o) vs Takahashi–Maekawa (lines)", fontsize=9)
    left.legend(fontsize=8)

    thicknesses = np.array([2, 5, 10, 20, 40, 80]) * 1e-9
    exact = [cpp_resistance_area([(CO, t), (CU, 10e-9), (CO, t, -1)])
             - cpp_resistance_area([(CO, t), (CU, 10e-9), (CO, t)]) for t in thicknesses]
    solved = [pillar_ar(t, True) - pillar_ar(t, False) for t in thicknesses]
    err = float(np.max(np.abs(np.array(solved) / np.array(exact) - 1)))
    print(f"CPP pillar Co(t)/Cu(10 nm)/Co(t): A·ΔR(20 nm) = {solved[3] * 1e15:.4g} fΩ m²; "
          f"solver vs Valet–Fert: {err:.2e}")
    co_s, cu_s = bulk_material("Co"), bulk_material("Cu")
    with_s = (pillar_ar(2e-9, True, co_s, cu_s) - pillar_ar(2e-9, False, co_s, cu_s)) / solved[0]
    print(f"with the database thermopowers A·ΔR(2 nm) changes by {with_s - 1:+.2e} "
          "(thermoelectric feedback, of order S²/L0)")
    fine = np.geomspace(1.5e-9, 100e-9, 120)
    curve = [cpp_resistance_area([(CO, t), (CU, 10e-9), (CO, t, -1)])
             - cpp_resistance_area([(CO, t), (CU, 10e-9), (CO, t)]) for t in fine]
    right.plot(fine * 1e9, np.array(curve) * 1e15, "-", label="Valet–Fert, exact")
    right.plot(thicknesses * 1e9, np.array(solved) * 1e15, "o", label="circuit, 1 nm cells")
    right.set_xscale("log")
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    right.set_xticks(thicknesses * 1e9)
    right.xaxis.set_major_formatter(ScalarFormatter())
    right.xaxis.set_minor_formatter(NullFormatter())
    right.set_xlabel("Co thickness t (nm)")
    right.set_ylabel("A·ΔR (fΩ m²)")
    right.set_title("CPP-GMR of Co(t)/Cu(10 nm)/Co(t): circuit vs Valet–Fert", fontsize=9)
    right.legend(fontsize=8)
    save_figure(fig, args)
    print(f"worst lateral-valve deviation {worst:.2e}; wrote {args.output}")


if __name__ == "__main__":
    main()
