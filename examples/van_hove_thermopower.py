"""Thermopower of a contact with a sharp feature in G(ε): Sommerfeld vs energy-resolved.

The contact between a ferromagnetic and a normal lead is the tabulated spectrum
``examples/devices/van_hove_spectrum.dat`` (an illustrative van Hove-like peak of width 40 meV
at 60 meV above E_F in the minority channel; 1e-16 m²). Linear response uses only G and G' at
the Fermi level, S = −e L0 T G'/G; the energy-resolved solver integrates the whole spectrum
against the Fermi window. They agree at low temperature (the difference is O((k_BT/w)²)) and
part ways once k_BT approaches the width w of the feature.

Run:  python examples/van_hove_thermopower.py [--output van_hove_thermopower.png] [--overwrite]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from spincaloric import Device
from spincaloric.circuit.conductance_spectra import ConductanceSpectrum
from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.solvers.spectral import solve_elastic

TABLE = Path(__file__).parent / "devices" / "van_hove_spectrum.dat"
AREA = 1e-16  # m²


def thermopowers(temperature: float, spectrum: ConductanceSpectrum) -> tuple[float, float]:
    """(Sommerfeld, energy-resolved) thermopower (V/K) of the contact at ``temperature`` (K):
    S = −(∂I/∂T)/(∂I/∂V) at zero current, from small separate voltage and temperature biases
    (theory voltage V = (μ − μ0)/e on the normal lead)."""
    dv, dt = 1e-6, 1e-3 * temperature
    out = []
    for regime in ("linear", "spectral"):
        currents = []
        for volt, temp in ((dv, temperature), (0.0, temperature + dt)):
            dev = Device(temperature=temperature, regime="noninteracting")
            dev.add_node("F", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
            dev.add_node("N", "normal", reservoir=True, voltage=-volt, temperature=temp)
            dev.add_contact("F", "N", spectrum=spectrum)
            c = dev.finalize()
            sol = c.solve() if regime == "linear" else solve_elastic(c, points=6001)
            currents.append(float(np.asarray(sol.currents)[..., 0, 0]))
        g_v, g_t = currents[0] / dv, currents[1] / dt
        out.append(-g_t / g_v)
    return out[0], out[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "van_hove_thermopower.png")
    args = ap.parse_args(argv)
    spectrum = ConductanceSpectrum.from_file(TABLE, area=AREA)
    temps = np.array([10.0, 20.0, 40.0, 80.0, 150.0, 300.0, 450.0])
    rows = np.array([thermopowers(t, spectrum) for t in temps])
    for t, (som, res) in zip(temps, rows):
        print(f"T = {t:6.1f} K: Sommerfeld S = {som * 1e6:+9.4f} µV/K, energy-resolved "
              f"S = {res * 1e6:+9.4f} µV/K, ratio {res / som:.5f}")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.plot(temps, rows[:, 0] * 1e6, "--", label="Sommerfeld (G, G' at ε_F)")
    ax.plot(temps, rows[:, 1] * 1e6, "o-", label="energy-resolved (whole table)")
    ax.set_xlabel("temperature (K)")
    ax.set_ylabel("thermopower S (µV/K)")
    ax.set_title("contact with a van Hove-like peak 60 meV above E_F")
    ax.legend()
    save_figure(fig, args)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
