"""Thermal starts: the cost of drawing an ensemble's starting states against the run itself.

Draws N starting states of the free layer of ``examples/devices/thermal_switching_pillar.toml``
(:func:`spincaloric.dynamics.equilibrium.thermal_starts`, exact rejection samples of its
thermal well) and times, in the same process, a noisy ensemble run of the same N trajectories
over a short write (1 ns, 1 ps steps) with and without ``thermal_start``: the ratio says what a
thermal start adds to a run. Best of ``--repeat`` each, one thread.

Run:  NUMBA_NUM_THREADS=1 python benchmarks/bench_thermal_starts.py [--n 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from spincaloric.dynamics.equilibrium import thermal_starts
from spincaloric.io import load_spec

DEVICE = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"


def best(job, repeat: int) -> float:
    """The shortest of ``repeat`` wall times (s) of ``job()``."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=100_000, help="trajectories [default: 10⁵]")
    ap.add_argument("--repeat", type=int, default=3, help="timings of each [default: 3]")
    args = ap.parse_args(argv)
    spec = load_spec(DEVICE)
    sim = spec.simulation_for(spec.device.finalize(), 1e-9)[0]
    free = sim.magnets["free"]
    run = dict(ensemble=args.n, temperature_noise=True, dt=1e-12, n_save=2, seed=1)
    sim.run(2e-12, **{**run, "ensemble": 64})  # compiled before timing
    draw = best(lambda: thermal_starts(free, [0.0, 0.0, 1.0], 300.0, 0, np.arange(args.n)),
                args.repeat)
    plain = best(lambda: sim.run(1e-9, **run), args.repeat)
    drawn = best(lambda: sim.run(1e-9, thermal_start=True, **run), args.repeat)
    print(f"# thermal starts, {args.n} trajectories, best of {args.repeat}")
    print("| step | time (s) | per trajectory (µs) |")
    print("|---|---|---|")
    for label, t in (("draw the starts", draw), ("1 ns noisy run, fixed start", plain),
                     ("1 ns noisy run, thermal starts", drawn)):
        print(f"| {label} | {t:.3f} | {t / args.n * 1e6:.2f} |")
    print(f"thermal starts add {drawn / plain - 1:+.1%} to the 1 ns run "
          f"(drawing alone: {draw / plain:.1%} of it)")


if __name__ == "__main__":
    main()
