"""Driven dynamics: a write pulse through the pillar, one trajectory and a noisy ensemble.

Run:  python benchmarks/bench_driven.py [--quick]

The pillar of ``examples/devices/pillar_write_pulse.toml`` (Co|Cu|Co, circuit-solved torque,
spin pumping) under its 2.5 ns voltage pulse to 3.1 ns: one deterministic trajectory (RK45)
and an ensemble of 512 with Brown's field (stochastic Heun, dt = 1 ps), as ``spincaloric wer``
runs them. Every stage evaluates the drive, so this measures the drive's contraction into the
torque maps as well as the stage. Prints steps per second (best of three, after compilation).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from spincaloric.io import load_spec

DEVICE = Path(__file__).parent.parent / "examples" / "devices" / "pillar_write_pulse.toml"


def best(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="64 trajectories, one repetition")
    args = ap.parse_args(argv)
    spec = load_spec(DEVICE)
    sim, _ = spec.simulation_for(spec.device.finalize(), 3.1e-9)
    until, n_ens, repeat = 3.1e-9, 64 if args.quick else 512, 1 if args.quick else 3
    sim.run(1e-10, n_save=2)  # compile
    sim.run(1e-10, n_save=2, ensemble=64, temperature_noise=True, dt=1e-12)
    single = sim.run(until, n_save=2)
    t1 = best(lambda: sim.run(until, n_save=2), repeat)
    t2 = best(lambda: sim.run(until, n_save=2, ensemble=n_ens, temperature_noise=True,
                              dt=1e-12), repeat)
    steps = round(until / 1e-12)
    print("| write pulse | rate |\n|---|---|")
    print(f"| one trajectory, RK45 (steps/s) | {int(single.steps[0]) / t1:.3g} |")
    print(f"| {n_ens} noisy trajectories, Heun (trajectory-steps/s) | "
          f"{n_ens * steps / t2:.3g} |")
    print(f"| {n_ens} noisy trajectories, Heun (trajectories/s) | {n_ens / t2:.3g} |")


if __name__ == "__main__":
    main()
