"""Switching of a laser-heated Co|Cu|Co pillar over absorbed energy × pulse width, and the
threshold energy against the boundary conductance to the substrate.

The pillar of ``examples/devices/laser_heated_pillar.toml`` (see ``thermal_switching.py``):
a Gaussian laser pulse of absorbed energy E and full width at half maximum w heats the free
layer; the temperatures of the free layer, spacer and polarizer are integrated with the
magnetization, so the temperature difference across the spacer — and with it the thermal
torque — grows, lags and decays as the heat capacities and conductances dictate. Left: which
(E, w) reverse the free layer. Right: the threshold energy of a 4 ns pulse against the
polarizer's boundary conductance to the substrate, G_b. A well heat-sunk polarizer stays cold
and more heat crosses the spacer, yet the threshold *rises*: the heat that a poorly sunk
polarizer sends through its electrode interface drives a spin-dependent Seebeck current of its
own, polarized along the polarizer, which the thin (10 nm) polarizer passes on to the spacer
— the thermal torque is a property of the whole circuit's heat flow, not of the temperature
difference across the spacer alone.

Run:  python examples/laser_switching_map.py [--output laser_switching_map.png] [--overwrite]
      [--quick]
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import numpy as np

from spincaloric.dynamics.drives import GaussianPulse
from spincaloric.dynamics.simulation import Simulation
from spincaloric.io import load_spec, read_toml
from spincaloric.io.devicefile import spec_from_dict
from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.linear_response import MAX_THERMAL_RATIO, LinearResponseWarning

HERE = Path(__file__).parent
DEVICE = HERE / "devices" / "laser_heated_pillar.toml"
SIGMA_PER_FWHM = 1 / (2 * np.sqrt(2 * np.log(2)))


def switched(spec, energies, fwhm: float) -> tuple[np.ndarray, np.ndarray]:
    """(switched, peak), each (len(energies),): whether a pulse of absorbed energy E (J) and
    FWHM (s) reverses the free layer of ``spec``'s pillar (one trajectory per energy), and
    the free layer's highest temperature rise (K)."""
    sigma = fwhm * SIGMA_PER_FWHM
    center = 3 * sigma + 0.2e-9
    pulse = GaussianPulse(base=0.0, amplitude=1.0, center=center, width=sigma)  # W per unit
    circuit = spec.device.finalize()
    sim = Simulation(circuit, spec.magnets, {("free", "heat"): pulse})
    peak = np.asarray(energies, float) / (sigma * np.sqrt(2 * np.pi))  # W
    with warnings.catch_warnings():  # the map marks where linear response ends: hatched
        warnings.simplefilter("ignore", LinearResponseWarning)
        run = sim.run(center + 3 * sigma + 4e-9, n_save=201, ensemble=len(peak),
                      amplitude=peak[:, None])
    peak = run.temperature("free").max(axis=1) - circuit.temperature
    return run.switching()["free"].switched, peak


def threshold(spec, fwhm: float, low: float, high: float, steps: int) -> float:
    """The smallest absorbed energy (J) that reverses the free layer, bisected in
    [low, high] J to a factor (high/low)^(1/2^steps)."""
    if not switched(spec, [high], fwhm)[0][0]:
        return np.nan
    for _ in range(steps):
        mid = np.sqrt(low * high)
        if switched(spec, [mid], fwhm)[0][0]:
            high = mid
        else:
            low = mid
    return np.sqrt(low * high)


def with_boundary(conductance: float):
    """The pillar's spec with the polarizer's boundary conductance G_b (W/K)."""
    raw = read_toml(DEVICE)
    raw["nodes"]["fixed"]["bath"] = conductance
    return spec_from_dict(raw, base=DEVICE.parent)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "laser_switching_map.png")
    ap.add_argument("--quick", action="store_true", help="a coarse grid (for tests)")
    args = ap.parse_args(argv)

    spec = load_spec(DEVICE)
    widths = np.array([1.0, 4.0, 8.0]) * 1e-9 if args.quick else np.array(
        [0.5, 1, 1.5, 2, 3, 4, 5, 6, 8]) * 1e-9
    energies = np.geomspace(0.8e-12, 6e-12, 4 if args.quick else 25)
    runs = [switched(spec, energies, w) for w in widths]
    grid = np.array([r[0] for r in runs])  # (widths, energies)
    peak = np.array([r[1] for r in runs])  # K
    limit = MAX_THERMAL_RATIO * spec.device.temperature
    print(f"{spec.device.title}")
    for w, row, hot in zip(widths, grid, peak):
        if row.any():
            i = row.argmax()
            print(f"  FWHM {w * 1e9:4.1f} ns: lowest switching energy on the grid "
                  f"{energies[i] * 1e12:.2f} pJ (free layer up to {hot[i]:.0f} K"
                  f"{', beyond linear response' if hot[i] > limit else ''})")
        else:
            print(f"  FWHM {w * 1e9:4.1f} ns: no switching up to {energies[-1] * 1e12:.2f} pJ")

    conductances = np.array([1e-6, 1e-4]) if args.quick else np.geomspace(1e-7, 1e-3, 9)
    steps = 5 if args.quick else 8
    low, high = (1.2e-12, 3e-12) if args.quick else (0.8e-12, 6e-12)
    thresholds = np.array([threshold(with_boundary(g), 4e-9, low, high, steps)
                           for g in conductances])
    for g, e in zip(conductances, thresholds):
        print(f"  boundary conductance {g:.2e} W/K: threshold {e * 1e12:.2f} pJ (4 ns pulse)")
    plot(widths, energies, grid, peak > limit, conductances, thresholds, args)


def plot(widths, energies, grid, beyond, conductances, thresholds, args):
    """The map (hatched where the free layer warms beyond linear response, ``beyond``) and
    the threshold curve, written to ``args.output``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), constrained_layout=True)
    left.pcolormesh(widths * 1e9, energies * 1e12, grid.T.astype(float), cmap="RdBu_r",
                    vmin=-0.2, vmax=1.2, shading="nearest")
    left.contourf(widths * 1e9, energies * 1e12, beyond.T.astype(float), levels=[0.5, 1.5],
                  colors="none", hatches=["///"])
    left.set_yscale("log")
    left.yaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    left.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    left.set_yticks([1, 2, 3, 4, 6])
    left.set_xlabel("pulse width, FWHM (ns)")
    left.set_ylabel("absorbed energy, E (pJ)")
    left.set_title("red: free layer reversed; hatched: |ΔT|/T > 0.2, beyond linear response",
                   fontsize=9)
    right.semilogx(conductances, thresholds * 1e12, "o-")
    right.set_xlabel("polarizer boundary conductance to the substrate, G_b (W/K)")
    right.set_ylabel("threshold energy, 4 ns pulse (pJ)")
    fig.suptitle("Laser-power switching of a Co|Cu|Co pillar on a substrate", fontsize=10)
    output = save_figure(fig, args)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
