"""An imposed heat pulse alone reverses the free layer of a Co|Cu|Co nanopillar.

The pillar of ``examples/devices/thermal_switching_pillar.toml`` (a 40 nm perpendicular free
layer; Cu/Co interfaces with the Table I ratios of Cu/Co(001)*, the largest |P'S| of the Cu/Co
rows, and the conductance per area of clean Cu/Co(111), Xia et al. 2002, as none of the alloyed
interface is sourced — the device file says why) is driven twice:

1. thermally: the free-layer side is held 40 K above the fixed layer for a few
   nanoseconds (an imposed temperature, as a laser would set it), with no voltage bias;
2. electrically: a voltage pulse whose torque matches the thermal one at its peak,
   P ΔV = −P'S ΔT (physics.md §5), with no temperature bias.

The torque on the free layer is solved from the thermoelectric circuit at every step of the
Landau–Lifshitz–Gilbert–Slonczewski integration. The script prints the switching times and
writes a figure of m_z(t), the drives and the torques.

The same pillar heated by an absorbed laser power, its temperatures computed from heat
capacities and heat flow, is the headline example ``examples/thermal_switching.py``.

Run:  python examples/imposed_heat_pulse_switching.py
      [--output imposed_heat_pulse_switching.png] [--overwrite]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from spincaloric.dynamics.drives import RectangularPulse
from spincaloric.dynamics.simulation import Simulation
from spincaloric.io import load_spec
from spincaloric.io.scripts import figure_arguments, save_figure

HERE = Path(__file__).parent
DEVICE = HERE / "devices" / "thermal_switching_pillar.toml"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "imposed_heat_pulse_switching.png")
    args = ap.parse_args(argv)
    circuit, laser, thermal, electrical, delta_v = runs()
    report(circuit, laser, thermal, electrical, delta_v)
    plot(circuit, thermal, electrical, args)


def runs():
    """(circuit, its temperature drive, the heat-pulse run, the equivalent voltage-pulse
    run, the voltage ΔV (V) of the latter) of the pillar with the imposed heat pulse."""
    spec = load_spec(DEVICE)
    circuit = spec.device.finalize()
    laser = spec.drives[("free", "temperature")]
    opts = dict(until=spec.simulation["until"], n_save=spec.simulation["n_save"])

    thermal = Simulation(circuit, spec.magnets, spec.drives).run(**opts)

    # the electrical pulse with the same torque drive as the laser's peak: P ΔV = −P'S ΔT
    c = circuit.contact_parameters(1)
    p = c.polarization
    p_prime = (c.dg_up - c.dg_down) / (c.dg_up + c.dg_down)
    s = c.seebeck(circuit.temperature)
    delta_v = -p_prime * s * laser.peak / p  # theory ΔV = V_free − V_fixed (V)
    pulse = RectangularPulse(base=0.0, amplitude=-delta_v, start=laser.start,
                             duration=laser.decay, rise=laser.rise)  # electric potential
    electrical = Simulation(circuit, spec.magnets, {("free", "voltage"): pulse}).run(**opts)
    return circuit, laser, thermal, electrical, delta_v


def report(circuit, laser, thermal, electrical, delta_v):
    """Print the interface parameters and the switching times of both runs."""
    c = circuit.contact_parameters(1)
    p = c.polarization
    p_prime = (c.dg_up - c.dg_down) / (c.dg_up + c.dg_down)
    s = c.seebeck(circuit.temperature)
    print(f"{circuit.title}")
    print(f"  P = {p:.3f}, P' = {p_prime:.3f}, S = {s * 1e6:.2f} µV/K: a 1 K bias acts like "
          f"{-p_prime * s / p * 1e6:.2f} µV")
    for label, traj, drive in (("heat pulse", thermal, f"ΔT = {laser.peak:g} K peak, no voltage"),
                               ("voltage pulse", electrical,
                                f"{delta_v * 1e3:.3f} mV for {laser.decay * 1e9:g} ns")):
        print(switch_line(label, traj, drive))


def switch_line(label, traj, drive) -> str:
    """"  label (drive): switched at … ns" (or "did not switch") of the free layer."""
    sw = traj.switching()["free"]
    when = f"switched at {sw.time[0] * 1e9:.2f} ns" if sw.switched[0] else "did not switch"
    return f"  {label} ({drive}): {when}"


def plot(circuit, thermal, electrical, args):
    """The figure of m_z(t), the drives and the torques of both runs, written to args.output."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(3, 1, figsize=(7, 8), sharex=True, constrained_layout=True)
    t = thermal.time * 1e9
    for traj, label, colour in ((thermal, "heat pulse (no voltage)", "C3"),
                                (electrical, "equivalent voltage pulse", "C0")):
        axes[0].plot(t, traj.magnetization("free")[0, :, 2], color=colour, label=label)
        tau = traj.circuit_solution.torques["free"][0]
        axes[2].plot(t, np.linalg.norm(tau, axis=-1) * 1e21, color=colour, label=label)
    axes[0].set_ylabel("free layer m_z")
    axes[0].legend()
    heat = thermal.drive_values()[("free", "temperature")][0] - circuit.temperature
    volts = electrical.drive_values()[("free", "voltage")][0]
    axes[1].plot(t, heat, color="C3", label="ΔT of the free-layer side (K)")
    axes[1].plot(t, -volts * 1e5, color="C0", ls="--",
                 label="V_fixed − V_free, electric (10 µV)")
    axes[1].set_ylabel("drive")
    axes[1].legend()
    axes[2].set_ylabel("|torque| (10⁻²¹ N·m)")
    axes[2].set_xlabel("time (ns)")
    fig.suptitle("Thermal spin-transfer torque switching, Co|Cu|Co pillar (Cu/Co(001)*)")
    output = save_figure(fig, args)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
