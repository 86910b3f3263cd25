"""Sweep throughput: a steady-state angle x temperature map, a rebuilt sweep of a layered device
(and its Dataset assembly against the variable-by-variable one it replaced), and a switching
map on 1 and 2 dask workers, measured in one run.

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
from spincaloric.io.paths import parse_vary
from spincaloric.studies.maps import switching_map
from spincaloric.studies.sweep import _grid, run_sweep, sweep_file

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
    # a parameter outside the batched drives rebuilds the circuit at every value: a 400-cell
    # lateral valve in 7 Hanle fields (2808 variables per point)
    lsv = read_toml(HERE / "lateral_valve_hanle.toml")
    fields = [parse_vary("layers.channel.hanle_field[2]=-0.6:0.6:7")]
    t = time.perf_counter()
    sweep_file(lsv, fields)
    rebuilt = time.perf_counter() - t
    print(f"| 400-cell lateral valve, Hanle field (rebuilt per point) | 7 | {rebuilt:.2f} |")
    import xarray as xr

    variables, _ = _grid(sc.load_device(HERE / "lateral_valve_hanle.toml").finalize(), [])
    some = dict(list(variables.items())[:700])
    t = time.perf_counter()
    xr.Dataset(some)
    once = time.perf_counter() - t
    t = time.perf_counter()
    ds = xr.Dataset()
    for name, v in some.items():  # how sweeps assembled their result before (quadratic)
        ds[name] = v
    by_one = time.perf_counter() - t
    print(f"\nDataset of 700 variables: at once {once:.3f} s, one by one {by_one:.2f} s "
          f"({by_one / once:.0f}x)")
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
