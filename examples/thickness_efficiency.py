"""Thermal vs electrical torque efficiency of a Co|Cu|Co pillar vs the Co thickness.

Hatami et al., PRL 99, 066603 (2007), argue that for thick magnetic layers "the bulk resistance
and thermopower of the layers dominate" and that the relative efficiency of thermal switching
grows with thickness. This script computes, with the general solver, the voltage bias that
gives the same torque on the free layer as a 1 K temperature bias across the pillar (V/K), for
Co layers of 1–60 nm between Cu/Co(001)* interfaces (Table I) and a 5 nm Cu spacer.

The interfaces take the thermoelectric ratios of Cu/Co(001)*, the largest |P'S| of the Cu/Co
rows; no conductance of that alloyed interface is sourced, so the G/A of clean Cu/Co(111)
(0.80e15 S/m², Xia et al., PRB 65, 220401(R) (2002)) stands for the conductance of a Cu/Co
interface. That G/A sets how the interfaces weigh against the bulk, hence the thickness at
which the bulk takes over.

The bulk Co and Cu parameters come from the bulk database (``spincaloric.materials.bulk_material``,
cited in ``materials/bulk.toml``): handbook resistivities at room temperature, β and λ_sf of Co
from CPP-GMR (Bass & Pratt), λ_sf of Cu at 10 K (Ji et al. 2006; ≥ 110 nm at 300 K), the Co
Seebeck coefficients of Dejene et al. (2012). They mix temperatures: pass the values measured
on your own films (``bulk_material("Co", resistivity=...)``) for a quantitative design.

Run:  python examples/thickness_efficiency.py [--output thickness_efficiency.png] [--overwrite]
"""

from __future__ import annotations

import argparse

import numpy as np

from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.layers import Interface, Layer, Lead, multilayer
from spincaloric.materials import bulk_material, get_interface

T, AREA = 300.0, 1.26e-15
CO, CU = bulk_material("Co"), bulk_material("Cu")


def interface():
    return Interface(get_interface("Cu/Co(001)*").contact(AREA, T, conductance_per_area=0.80e15))


def efficiency(thickness: float) -> float:
    """Voltage (V) that gives the free layer the torque of a 1 K bias (V/K)."""
    cells = max(4, int(thickness / 1e-9))
    pillar = multilayer([Lead("bottom"),
                         Layer("fixed", CO, thickness, cells=cells, magnetization=(0, 0, 1)),
                         interface(), Layer("spacer", CU, 5e-9, cells=5), interface(),
                         Layer("free", CO, thickness, cells=cells, magnetization=(1, 0, 0)),
                         Lead("top")], area=AREA, temperature=T).finalize()
    thermal = pillar.solve(temperature={"top": T + 1.0}).magnet_torque("free_0")
    electric = pillar.solve(voltage={"top": -1.0}).magnet_torque("free_0")  # whole layer
    return float(thermal @ electric / (electric @ electric))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "thickness_efficiency.png")
    args = ap.parse_args(argv)
    thickness = np.array([1, 2, 5, 10, 20, 40, 60]) * 1e-9
    eff = np.array([efficiency(t) for t in thickness])
    for t, e in zip(thickness, eff):
        print(f"Co {t * 1e9:5.1f} nm: a 1 K bias acts like {e * 1e6:7.2f} µV")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    ax.plot(thickness * 1e9, np.abs(eff) * 1e6, "o-")
    ax.set_xlabel("Co layer thickness (nm)")
    ax.set_ylabel("|equivalent voltage per kelvin| (µV/K)")
    ax.set_title("Thermal vs electrical torque, Co|Cu|Co (database bulk parameters)")
    save_figure(fig, args)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
