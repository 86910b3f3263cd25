"""Sweep throughput: a steady-state angle x temperature map, and a switching map on 1 and 2
dask workers, measured in one run.

Run:  python benchmarks/bench_sweeps.py [--quick]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

import spincaloric as sc
from spincaloric.io import read_toml
from spincaloric.maps import switching_map
from spincaloric.sweep import parse_vary, run_sweep

HERE = Path(__file__).parent.parent / "examples" / "devices"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    circuit = sc.load_device(HERE / "valve_thermal.toml").finalize()
    axes = [parse_vary("right.magnetization.theta=0:180:181"),
            parse_vary("right.temperature=300:310:101")]
    run_sweep(circuit, axes)  # warm up
    t = time.perf_counter()
    run_sweep(circuit, axes)
    steady = time.perf_counter() - t
    print("| sweep | points | wall time (s) |\n|---|---|---|")
    print(f"| steady-state valve, θ × T_right | 181 × 101 | {steady:.3f} |")
    n = 8 if args.quick else 32
    data = read_toml(HERE / "thermal_switching_pillar.toml")
    map_axes = [("drives.free.temperature.peak", np.linspace(5, 60, n)),
                ("drives.free.temperature.decay", np.linspace(0.5e-9, 4e-9, n))]
    times = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            switching_map(data, map_axes, 8e-9, Path(tmp) / "m.nc", chunk=16, workers=workers,
                          run_kw={"n_save": 161})
            times[workers] = time.perf_counter() - t
        print(f"| switching map, {workers} dask worker(s) | {n} × {n} | {times[workers]:.2f} |")
    print(f"\nscaling 1 -> 2 workers: {times[1] / times[2]:.2f}x")


if __name__ == "__main__":
    main()
