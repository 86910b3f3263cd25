"""FMR damping against the inverse free-layer thickness: spin pumping, α_eff = α0 + α'(t).

A precessing ferromagnet pumps a spin current into the normal metal it touches (Tserkovnyak,
Brataas & Bauer, PRL 88, 117601 (2002)); the angular momentum it loses adds
α' = γħ² Re G↑↓/(2e² M_s A t) to its Gilbert damping, inversely proportional to the film
thickness t at a fixed mixing conductance per area. FMR linewidths of thin films on a normal
cap show exactly this α against 1/t line, whose slope gives Re G↑↓/A (Mizukami, Ando &
Miyazaki, JJAP 40, 580 (2001) and PRB 66, 104413 (2002)).

This script takes the Co free layer of the Co|Cu|Co pillar of
``examples/devices/thermal_switching_pillar.toml`` and computes its resonance with
``spincaloric fmr`` (the linearised LLGS eigenproblem with the circuit's spin pumping) for
thicknesses of 1–8 nm, in two circuits:

* **sink** — the Cu spacer made a reservoir: every pumped spin is lost, α' is the closed form
  ``analytic.pumping_damping``;
* **pillar** — the Cu spacer between the free and the fixed layer without spin flip: the
  spin accumulation pumped into it flows back, except for what the fixed layer absorbs; near
  the parallel state that is half of it (``analytic.trilayer_pumping_damping``), and α' is
  halved.

Run:  python examples/fmr_damping_vs_thickness.py [--output fmr_damping_vs_thickness.png] [--overwrite]
"""

from __future__ import annotations

import argparse
import copy
import tomllib
from pathlib import Path

import numpy as np

from spincaloric import analytic
from spincaloric.io.devicefile import spec_from_dict
from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.studies.resonance import resonance_sweep

DEVICE = Path(__file__).parent / "devices" / "thermal_switching_pillar.toml"
KEY = "nodes.free.magnet.thickness"
THICKNESS = np.array([1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0]) * 1e-9


def device(sink: bool) -> dict:
    """The pillar file's data; with ``sink`` the Cu spacer is a normal reservoir."""
    data = tomllib.loads(DEVICE.read_text())
    data.pop("drives", None)  # the resonance is taken at the static state
    if sink:
        data = copy.deepcopy(data)
        data["nodes"]["spacer"]["reservoir"] = True
    return data


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "fmr_damping_vs_thickness.png")
    args = ap.parse_args(argv)
    data = device(sink=False)
    spec = spec_from_dict(data)
    magnet = spec.magnets["free"]
    alpha0, ms = magnet.damping, magnet.saturation_magnetization
    area = data["nodes"]["free"]["magnet"]["area"]  # m²
    circuit = spec.device.finalize()
    contact = next(i for i, ends in enumerate(circuit.ends)
                   if "free" in (circuit.names[ends[0]], circuit.names[ends[1]]))
    g_mix = circuit.g_mix[contact]
    closed = alpha0 + analytic.pumping_damping(g_mix, ms, area * THICKNESS)
    result = {}
    for name, sink in (("sink", True), ("pillar", False)):
        ds = resonance_sweep(device(sink), "free", [(KEY, THICKNESS)])
        result[name] = ds["damping"].values
        slope = (result[name] - alpha0) * THICKNESS
        print(f"{name}: α' t = {slope.mean() * 1e9:.6f} nm "
              f"(spread {np.ptp(slope) / slope.mean():.1e}); "
              f"α' / α'_sink = {np.mean((result[name] - alpha0) / (closed - alpha0)):.4f}")
    print(f"closed form α'_sink t = {(closed[0] - alpha0) * THICKNESS[0] * 1e9:.6f} nm "
          f"(Re G↑↓/A = {g_mix.real / area:.3g} S/m²)")
    for t, a, b in zip(THICKNESS, result["sink"], result["pillar"]):
        print(f"t = {t * 1e9:4.1f} nm: α_eff = {a:.5f} (sink), {b:.5f} (pillar)")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    inv = np.linspace(0, 1.05 / THICKNESS.min(), 50)
    ax.plot(inv * 1e-9, alpha0 + analytic.pumping_damping(g_mix, ms, area) * inv,
            "k-", lw=1, label="α0 + α' (closed form, sink)")
    ax.plot(inv * 1e-9, alpha0 + 0.5 * analytic.pumping_damping(g_mix, ms, area) * inv,
            "k--", lw=1, label="α0 + α'/2 (closed form, F|N|F)")
    ax.plot(1e-9 / THICKNESS, result["sink"], "o", label="fmr: Co on a Cu sink")
    ax.plot(1e-9 / THICKNESS, result["pillar"], "s", label="fmr: Co|Cu|Co pillar")
    ax.axhline(alpha0, color="0.6", lw=0.8, ls=":")
    ax.set_xlabel("1 / free-layer thickness (1/nm)")
    ax.set_ylabel("effective Gilbert damping α_eff")
    ax.set_title("Spin pumping: FMR damping vs inverse thickness")
    ax.legend(frameon=False)
    save_figure(fig, args)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
