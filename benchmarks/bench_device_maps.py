"""A switching map that varies the device and a drive: time per point.

Run:  PYTHONPATH=<tree>/src python benchmarks/bench_device_maps.py   (alternate two trees)

The headline pillar (`examples/devices/thermal_switching_pillar.toml`) over 4 interface
conductances (`contacts[0].conductance_per_area`, which changes the device) × 32 laser peaks
ΔT (a drive), 4 ns of stochastic Heun at 2 ps with thermal noise, one trajectory a point,
in this process (`evaluate_points`, no files, no dask), after a compiling call.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from spincaloric.io import read_toml
from spincaloric.studies.maps import evaluate_points

PILLAR = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"


def main() -> None:
    data = read_toml(PILLAR)
    run = {"n_save": 2, "method": "heun", "dt": 2e-12, "temperature_noise": True, "seed": 5}
    keys = ["contacts[0].conductance_per_area", "drives.free.temperature.peak"]
    points = [(g, p) for g in np.linspace(0.6e15, 1.2e15, 4) for p in np.linspace(20, 55, 32)]
    evaluate_points(data, keys, points[:2], 1e-10, run)  # compile
    start = time.perf_counter()
    out = evaluate_points(data, keys, points, 4e-9, run)
    took = time.perf_counter() - start
    print(f"{len(points)} points: {took:.2f} s, {took / len(points) * 1e3:.1f} ms/point, "
          f"switched {int(out['switched'].sum())}")


if __name__ == "__main__":
    main()
