"""Headline example: an absorbed laser power alone reverses the free layer of a Co|Cu|Co pillar.

The pillar of ``examples/devices/laser_heated_pillar.toml`` stands on a substrate: a 10 nm Co
polarizer on the bottom electrode, a 10 nm Cu spacer and a 1.5 nm perpendicular Co free layer
(40 nm disc) under the top electrode, with the Cu/Co interfaces of Table I (Cu/Co(001)*
ratios, Hatami et al. 2007; the conductance per area of clean Cu/Co(111), Xia et al. 2002).
A 4 ns laser pulse deposits 2.1 pJ in the free layer, with no voltage bias. Nothing about the
temperatures is imposed: the free layer, the spacer and the polarizer store heat (handbook
heat capacities × volume), and their temperatures follow from the heat that flows through
the interfaces — electronic conduction, Peltier and spin-dependent thermoelectric heat — into
the electrodes and, through a boundary conductance, into the substrate. The temperature
difference across the spacer drives a thermal spin-transfer torque, solved from the circuit
at every step of the LLGS integration together with the heat flow.

For comparison, the pillar of ``thermal_switching_pillar.toml``, whose free-layer side is held
40 K above the polarizer (an imposed temperature), and the voltage pulse of equal peak torque
drive (``imposed_heat_pulse_switching.py``).

The script prints the absorbed energy, the temperatures reached and the switching times, and
writes a figure of the absorbed power, the computed temperatures and m_z(t).

Run:  python examples/thermal_switching.py [--output thermal_switching.png] [--overwrite]
(the gallery's figure: ``--output docs/figures/thermal_switching.png --overwrite``)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from imposed_heat_pulse_switching import runs as imposed_runs
from imposed_heat_pulse_switching import switch_line

from spincaloric.dynamics.compilation import announce_compilation
from spincaloric.dynamics.simulation import Simulation
from spincaloric.io import load_spec
from spincaloric.io.scripts import figure_arguments, save_figure

HERE = Path(__file__).parent
DEVICE = HERE / "devices" / "laser_heated_pillar.toml"


def laser_run():
    """(circuit, the power drive, the trajectory) of the laser-heated pillar."""
    spec = load_spec(DEVICE)
    circuit = spec.device.finalize()
    run = Simulation(circuit, spec.magnets, spec.drives).run(
        until=spec.simulation["until"], n_save=spec.simulation["n_save"])
    return circuit, spec.drives[("free", "heat")], run


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "thermal_switching.png")
    args = ap.parse_args(argv)

    with announce_compilation(lambda: print(
            "compiling the integration kernels (once after installation, a minute or two; "
            "cached afterwards) ...", file=sys.stderr, flush=True)):
        circuit, power, laser = laser_run()
        _, imposed, thermal, electrical, delta_v = imposed_runs()
    t0 = circuit.temperature
    t = laser.time
    energy = float(np.trapezoid(power(t), t))
    across = laser.temperature("free")[0] - laser.temperature("fixed")[0]
    fwhm = 2 * np.sqrt(2 * np.log(2)) * power.width
    print(circuit.title)
    print(f"  laser power ({energy * 1e12:.2f} pJ absorbed in the free layer, "
          f"{fwhm * 1e9:.1f} ns FWHM, no voltage): free layer up to "
          f"{laser.temperature('free').max() - t0:.1f} K, spacer "
          f"{laser.temperature('spacer').max() - t0:.1f} K, polarizer "
          f"{laser.temperature('fixed').max() - t0:.1f} K above {t0:g} K; "
          f"ΔT across the spacer up to {across.max():.1f} K")
    # thermal time constants C/K of each node (K: its heat conductance to the rest, others
    # following): how fast the temperatures follow the power
    taus = {node: circuit.heat_capacity[circuit.index[node]] * (
        circuit.solve(heat={node: 1e-6}).state(node).temperature - t0) / 1e-6
        for node in ("free", "spacer", "fixed")}
    print("  thermal time constants C/K: " + ", ".join(
        f"{node} {tau * 1e12:.1f} ps" for node, tau in taus.items())
        + " — the temperatures follow a nanosecond pulse")
    for label, traj, drive in (
            ("laser power", laser, "temperatures computed"),
            ("heat pulse", thermal, f"ΔT = {imposed.peak:g} K peak imposed, no voltage"),
            ("voltage pulse", electrical,
             f"{delta_v * 1e3:.3f} mV for {imposed.decay * 1e9:g} ns")):
        print(switch_line(label, traj, drive))
    plot(laser, power, thermal, electrical, t0, args)


def plot(laser, power, thermal, electrical, t0, args):
    """Absorbed power, computed temperatures and m_z(t) of the three runs, to ``args.output``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 1, figsize=(7, 8), sharex=True, constrained_layout=True)
    t = laser.time * 1e9
    axes[0].plot(t, power(laser.time) * 1e6, color="C3")
    axes[0].set_ylabel("absorbed laser power (µW)")
    for node, colour in (("free", "C3"), ("spacer", "C1"), ("fixed", "C0")):
        axes[1].plot(t, laser.temperature(node)[0] - t0, color=colour,
                     label=f"{node} (computed)")
    axes[1].plot(t, laser.temperature("free")[0] - laser.temperature("fixed")[0], "k",
                 lw=1.5, label="ΔT across the spacer")
    imposed = thermal.drive_values()[("free", "temperature")][0] - t0
    axes[1].plot(thermal.time * 1e9, imposed, "k:", label="imposed ΔT (comparison)")
    axes[1].set_ylabel(f"T − {t0:g} K (K)")
    axes[1].legend(fontsize=8)
    for traj, label, style in ((laser, "laser power, temperatures computed", "C3"),
                               (thermal, "imposed heat pulse", "k:"),
                               (electrical, "equivalent voltage pulse", "C0--")):
        axes[2].plot(traj.time * 1e9, traj.magnetization("free")[0, :, 2], style, label=label)
    axes[2].set_ylabel("free layer m_z")
    axes[2].set_xlabel("time (ns)")
    axes[2].legend(fontsize=8)
    fig.suptitle("Thermal spin-transfer torque switching by an absorbed laser power, "
                 "Co|Cu|Co pillar", fontsize=10)
    output = save_figure(fig, args)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
