"""Switching maps per point: the headline pillar over peak temperature rise × pulse decay.

Run:  python benchmarks/bench_maps.py [--quick] [--size N]

The thermal switching pillar (`examples/devices/thermal_switching_pillar.toml`, 8 ns, 161 saved
instants) mapped in-process (no dask) over an N × N grid of the laser pulse's peak ΔT (5–60 K)
× decay time (0.5–4 ns), with the adaptive RK45 (rtol 1e-7) and with fixed-step RK4
(dt = 1 ps), after a small warm-up map of each (compilation). Printed: the wall time per grid
point. Points that differ only in their drives run as one ensemble per task of the map where the
package does so (``spincaloric.studies.maps.batched``), else one rebuilt run per point.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from spincaloric.io import read_toml
from spincaloric.studies.maps import switching_map

PILLAR = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"


def per_point(data, n, run_kw, chunk=None):
    axes = [("drives.free.temperature.peak", np.linspace(5, 60, n)),
            ("drives.free.temperature.decay", np.linspace(0.5e-9, 4e-9, n))]
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        ds = switching_map(data, axes, 8e-9, Path(tmp) / "m.nc", run_kw=run_kw, chunk=chunk)
        elapsed = time.perf_counter() - t
    return elapsed / n**2, float(ds["switched"].mean())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a 16 x 16 map")
    ap.add_argument("--size", type=int, default=64, help="points per axis (default 64)")
    args = ap.parse_args()
    n = 16 if args.quick else args.size
    data = read_toml(PILLAR)
    print(f"# switching map of the thermal switching pillar, {n} x {n} points, in-process\n")
    print("| integrator | ms per point | fraction switched |\n|---|---|---|")
    for label, run_kw in (("RK45, rtol 1e-7", {"n_save": 161}),
                          ("RK4, dt 1 ps", {"n_save": 161, "method": "rk4", "dt": 1e-12})):
        # warm up: compile the kernels the map uses (tasks of 32 points: the lane kernel)
        per_point(data, 8, run_kw, chunk=32)
        seconds, frac = per_point(data, n, run_kw)
        print(f"| {label} | {1e3 * seconds:.3g} | {frac:.3f} |")


if __name__ == "__main__":
    main()
