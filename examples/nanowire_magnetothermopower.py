"""CPP magnetoresistance and magnetothermopower of a Co/Cu multilayered nanowire.

A nanowire of 20 [Co(t)/Cu(10 nm)] bilayers between Cu electrodes (the geometry of the
electrodeposited wires of Piraux et al. and Gravier et al.), cross-section 1e-15 m², with Co and
Cu from the cited bulk database and Cu/Co(001)* interfaces (Table I of Hatami et al.; no
conductance of that alloyed interface is sourced, so G/A is clean Cu/Co(111)'s, Xia et al.
2002). Saturated (all Co parallel) and antiparallel (alternating, the zero-field state of
an ideal multilayer): resistance R = V/I under a current bias and thermopower S = V/ΔT at open
circuit (top electrode floating, 1 K hotter): S = −(V_top − V_bottom)/(T_top − T_bottom), the
usual sign (negative for Co), for t = 2–20 nm. The wire's thermopower is also obtained a
second way — the short-circuit current under ΔT divided by the conductance — as a check.
An illustration of the builders, not a fit to the published data.

Run:  python examples/nanowire_magnetothermopower.py [--output nanowire_mtp.png] [--overwrite]
"""

from __future__ import annotations

import argparse

import numpy as np

from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.layers import Interface, Layer, Lead, multilayer
from spincaloric.materials import bulk_material, get_interface

T, AREA, BILAYERS, CU_THICKNESS = 300.0, 1e-15, 20, 10e-9
CO, CU = bulk_material("Co"), bulk_material("Cu")


def interface() -> Interface:
    return Interface(get_interface("Cu/Co(001)*").contact(AREA, T, conductance_per_area=0.80e15))


def wire(co_thickness: float, antiparallel: bool, floating: bool):
    """The nanowire circuit; the top electrode floats (I = 0) when ``floating``."""
    stack = [Lead("bottom")]
    for i in range(BILAYERS):
        m = (0, 0, -1) if antiparallel and i % 2 else (0, 0, 1)
        stack += [Layer(f"co{i}", CO, co_thickness, cells=max(2, round(co_thickness / 1e-9)),
                        magnetization=m), interface(),
                  Layer(f"cu{i}", CU, CU_THICKNESS, cells=10)]
        if i < BILAYERS - 1:
            stack.append(interface())
    stack.append(Lead("top", current=0.0) if floating else Lead("top"))
    return multilayer(stack, area=AREA, temperature=T).finalize()


def transport(co_thickness: float, antiparallel: bool) -> tuple[float, float, float]:
    """(R (Ω), S open circuit (V/K), S from the short-circuit current (V/K))."""
    open_wire = wire(co_thickness, antiparallel, floating=True)
    r = float(open_wire.solve(current={"top": 1e-6}).reservoirs["top"].voltage) / 1e-6
    s_open = -float(open_wire.solve(temperature={"top": T + 1.0}).reservoirs["top"].voltage)
    shorted = wire(co_thickness, antiparallel, floating=False).solve(
        temperature={"top": T + 1.0})
    i_sc = float(shorted.contacts[-1].charge_current)  # conventional, into the top electrode
    return r, s_open, -i_sc * r  # I R: the voltage that would stop the current


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "nanowire_mtp.png")
    args = ap.parse_args(argv)
    thickness = np.array([2, 5, 10, 20]) * 1e-9
    mr, mtp = [], []
    for t in thickness:
        (rp, sp, sp2), (ra, sa, sa2) = transport(t, False), transport(t, True)
        mr.append(ra / rp - 1)
        mtp.append(sa / sp - 1)
        print(f"Co {t * 1e9:4.1f} nm: R_P = {rp:8.3f} Ω, R_AP = {ra:8.3f} Ω, "
              f"S_P = {sp * 1e6:+8.4f} µV/K, S_AP = {sa * 1e6:+8.4f} µV/K, "
              f"MR = {mr[-1] * 100:+7.2f} %, MTP = {mtp[-1] * 100:+7.2f} %; "
              f"S by short circuit {sp2 * 1e6:+8.4f} / {sa2 * 1e6:+8.4f} µV/K")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.plot(thickness * 1e9, np.array(mr) * 100, "o-", label="MR = R_AP/R_P − 1")
    ax.plot(thickness * 1e9, np.array(mtp) * 100, "s-", label="MTP = S_AP/S_P − 1")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.set_xlabel("Co thickness (nm)")
    ax.set_ylabel("%")
    ax.set_title(f"[Co/Cu(10 nm)]×{BILAYERS} nanowire, 300 K (database parameters)")
    ax.legend()
    save_figure(fig, args)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
