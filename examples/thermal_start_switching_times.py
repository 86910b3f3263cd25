"""Switching times from thermal starts: the spread of the magnet's starting states in its well.

Before a write a perpendicular free layer at temperature T is spread over its well as
p(θ) ∝ sin θ exp(−Δ sin²θ), Δ = K_eff V/k_B T. A spin torque m × (m × p) vanishes on the
axis, so the time to reverse grows as the start approaches it: t(θ₀) ≈ τ ln(√2/θ₀) (Sun,
PRB 62, 570 (2000)), and the distribution of starts becomes a distribution of switching times
(Butler et al., IEEE Trans. Magn. 48, 4684 (2012)).

Part 1 — the closed form. The free layer of ``examples/devices/thermal_switching_pillar.toml``
(Δ ≈ 75 at 300 K) under a prescribed Slonczewski torque at three times its critical value,
without noise: every trajectory starts from a state drawn from the well
(``Simulation.run(thermal_start=True)``), and its switching time is compared with the exact
t(θ₀) (``spincaloric.dynamics.switching.axial_switching_time``); the fraction switched by t
with the Boltzmann probability of θ₀ > θ*(t). With thermal noise during the run too, the
distribution widens.

Part 2 — the circuit. The pillar's own drive, a 40 K heat pulse on the free layer's side
(thermal spin-transfer torque solved from the circuit at every step), with thermal noise, from
the file's fixed 3° start and from thermal starts.

Run:  python examples/thermal_start_switching_times.py [--output thermal_starts.png]
      [--overwrite] [--trajectories 2000]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

from spincaloric.constants import BOLTZMANN
from spincaloric.dynamics.compilation import announce_compilation
from spincaloric.dynamics.simulation import Simulation
from spincaloric.dynamics.switching import axial_switching_time, effective_stiffness
from spincaloric.io import load_spec
from spincaloric.io.scripts import figure_arguments, save_figure

DEVICE = Path(__file__).parent / "devices" / "thermal_switching_pillar.toml"
#: The prescribed torque over its critical value α B_K,eff.
OVERDRIVE = 3.0


def boltzmann_switched(times, a_j, magnet, temperature):
    """P(t_sw ≤ t) at ``times`` (s): the Boltzmann probability (quadrature in u = 1 − cos θ
    over the hemisphere) of a start beyond θ*(t), the angle whose switching time is t."""
    u = np.concatenate([[0.0], np.geomspace(1e-12, 1.0, 20_000)])
    m = np.stack([np.sqrt(u * (2 - u)), 0 * u, 1 - u], axis=-1)
    weight = np.exp(-(magnet.energy(m) - magnet.energy(m[:1])) / (BOLTZMANN * temperature))
    cumulative = np.concatenate([[0.0], np.cumsum(np.diff(u) * (weight[1:] + weight[:-1]) / 2)])
    out = []
    for t in times:
        if t <= axial_switching_time(np.pi / 2 - 1e-12, a_j, magnet):
            out.append(0.0)
            continue
        edge = brentq(lambda x, t=t: axial_switching_time(x, a_j, magnet) - t, 1e-12,
                      np.pi / 2 - 1e-12)
        out.append(1 - np.interp(1 - np.cos(edge), u, cumulative) / cumulative[-1])
    return np.array(out)


def closed_form_part(spec, circuit, n):
    """Runs under the prescribed torque: (times (s), switched fractions without and with
    noise, the closed form's, the largest relative deviation of a trajectory's switching
    time from t(θ₀), the runs)."""
    free = spec.magnets["free"]
    a_j = OVERDRIVE * free.damping * effective_stiffness(free)
    sim = Simulation(circuit, spec.magnets, {}, torque="slonczewski",
                     slonczewski={"free": (a_j, np.array([0.0, 0.0, 1.0]))})
    quiet = sim.run(10e-9, ensemble=n, thermal_start=True, rtol=1e-9, atol=1e-11, n_save=3,
                    seed=1)
    noisy = sim.run(10e-9, ensemble=n, thermal_start=True, temperature_noise=True, dt=1e-12,
                    n_save=3, seed=1)
    theta0 = np.arccos(quiet.m[:, 0, 0, 2])
    t_quiet, t_noisy = (r.switching()["free"].time for r in (quiet, noisy))
    deviation = np.max(np.abs(t_quiet / axial_switching_time(theta0, a_j, free) - 1))
    times = np.linspace(0, 10e-9, 201)
    fractions = [np.mean(np.nan_to_num(t, nan=np.inf)[:, None] <= times, axis=0)
                 for t in (t_quiet, t_noisy)]
    exact = boltzmann_switched(times, a_j, free, circuit.temperature)
    return times, fractions, exact, deviation, (theta0, t_quiet, a_j, free)


def circuit_part(spec, circuit, n):
    """The file's heat pulse with thermal noise, from the fixed start and from thermal
    starts: {label: Trajectory}."""
    sim = Simulation(circuit, spec.magnets, spec.drives)
    kw = dict(ensemble=n, temperature_noise=True, dt=1e-12, n_save=401, seed=2)
    return {"file's 3° start": sim.run(8e-9, **kw),
            "thermal starts": sim.run(8e-9, thermal_start=True, **kw)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "thermal_starts.png")
    ap.add_argument("--trajectories", type=int, default=2000, help="per run [default: 2000]")
    args = ap.parse_args(argv)
    spec = load_spec(DEVICE)
    circuit = spec.device.finalize()
    with announce_compilation(lambda: print(
            "compiling the integration kernels (once after installation, a minute or two; "
            "cached afterwards) ...", file=sys.stderr, flush=True)):
        times, fractions, exact, deviation, scatter = closed_form_part(
            spec, circuit, args.trajectories)
        runs = circuit_part(spec, circuit, args.trajectories)
    free = spec.magnets["free"]
    delta = (free.energy(np.array([1.0, 0, 0])) - free.energy(np.array([0, 0, 1.0]))) / (
        BOLTZMANN * circuit.temperature)
    print(f"free layer: Δ = {delta:.1f} at {circuit.temperature:g} K; prescribed torque "
          f"{OVERDRIVE:g}× critical")
    print(f"  thermal starts, no noise: switching times vs closed form t(θ0): largest "
          f"relative deviation {deviation:.1e}")
    worst = np.max(np.abs(fractions[0] - exact))
    print(f"  switched fraction vs the Boltzmann closed form: largest difference {worst:.3f} "
          f"(binomial error at one half {0.5 / np.sqrt(args.trajectories):.3f})")
    for label, f in (("no noise", fractions[0]), ("with thermal noise", fractions[1])):
        t50 = np.interp(0.5, f, times)
        print(f"  {label}: half switched by {t50 * 1e9:.2f} ns")
    print("heat pulse of the file (40 K, thermal torque from the circuit), with thermal noise:")
    for label, run in runs.items():
        res = run.switching()["free"]
        median = np.nanmedian(res.time[res.switched]) if res.switched.any() else np.nan
        low, high = res.probability_interval
        print(f"  {label}: switching probability {res.probability:.3f} (95 % {low:.3f} – "
              f"{high:.3f}), median switching time {median * 1e9:.2f} ns")
    plot(times, fractions, exact, scatter, runs, args)


def plot(times, fractions, exact, scatter, runs, args):
    """The closed-form comparison and the circuit runs' switched fractions, to args.output."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(13, 4), constrained_layout=True)
    theta0, t_sw, a_j, free = scatter
    grid = np.geomspace(theta0.min(), 0.6, 200)
    axes[0].semilogx(theta0, t_sw * 1e9, ".", ms=3, label="runs (thermal starts)")
    axes[0].semilogx(grid, axial_switching_time(grid, a_j, free) * 1e9, "k", lw=1,
                     label="closed form t(θ₀)")
    axes[0].set_xlabel("starting angle θ₀ (rad)")
    axes[0].set_ylabel("switching time (ns)")
    axes[0].legend(fontsize=8)
    axes[1].plot(times * 1e9, exact, "k", lw=1, label="Boltzmann starts, closed form")
    axes[1].plot(times * 1e9, fractions[0], "C0--", label="runs, no noise")
    axes[1].plot(times * 1e9, fractions[1], "C3:", label="runs, thermal noise")
    axes[1].set_xlabel("time (ns)")
    axes[1].set_ylabel("fraction switched")
    axes[1].set_title(f"prescribed torque, {OVERDRIVE:g}× critical", fontsize=9)
    axes[1].legend(fontsize=8)
    for (label, run), style in zip(runs.items(), ("C1--", "C2")):
        res = run.switching()["free"]
        t = np.nan_to_num(res.time, nan=np.inf)
        axes[2].plot(run.time * 1e9, np.mean(t[:, None] <= run.time, axis=0), style,
                     label=label)
    axes[2].set_xlabel("time (ns)")
    axes[2].set_ylabel("fraction switched")
    axes[2].set_title("the file's 40 K heat pulse, thermal noise", fontsize=9)
    axes[2].legend(fontsize=8)
    fig.suptitle("Switching times from thermal starts (macrospin, perpendicular Co free layer)")
    print(f"wrote {save_figure(fig, args)}")


if __name__ == "__main__":
    main()
