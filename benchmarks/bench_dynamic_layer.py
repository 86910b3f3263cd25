"""A dynamic diffusive free layer of N cells: memory and time of its torque model, of the
series in m·p, and per integration step — each size in a fresh process (peak resident memory of
that process). The pillar: Co fixed layer (3 cells) | Cu spacer (2 cells) | Co free layer of N
cells of 1 nm | Cu lead, 1 mV and a 2 K hotter lead; the free layer turns as one macrospin.

Run:  python benchmarks/bench_dynamic_layer.py [--cells 100 1000 10000]
A tree without sparse maps runs the same script (its dense maps; large sizes run out of memory).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import warnings


def pillar(cells: int):
    from spincaloric import ContactParameters
    from spincaloric.layers import BulkMaterial, Interface, Layer, Lead, multilayer

    t0 = 300.0
    co = BulkMaterial(resistivity=60e-9, spin_flip_length=60e-9, spin_asymmetry=0.46,
                      seebeck=-20e-6, spin_seebeck=-4e-6)
    cu = BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9, seebeck=1.8e-6)
    link = Interface(ContactParameters.from_paper(
        conductance=2e-2, polarization=0.5, mixing=0.7, seebeck=-4.5e-6,
        polarization_derivative=0.77, mixing_derivative=0.13, temperature=t0))
    return multilayer([Lead("left", voltage=-1e-3, temperature=t0 + 2),
                       Layer("fixed", co, 10e-9, cells=3, magnetization=(0, 0, 1)), link,
                       Layer("spacer", cu, 5e-9, cells=2), link,
                       Layer("free", co, cells * 1e-9, cells=cells, magnetization=(1, 0, 0)),
                       link, Lead("right")], area=1e-16, temperature=t0).finalize()


def child(cells: int) -> dict:
    """One size, in this process."""
    import numpy as np

    from spincaloric.dynamics import MagnetParameters
    from spincaloric.dynamics.simulation import Simulation

    warnings.simplefilter("ignore")
    c = pillar(cells)
    mag = MagnetParameters(saturation_magnetization=1.1e6, volume=cells * 1e-9 * 1e-16,
                           damping=0.01, anisotropy_field=0.5, anisotropy_axis=(1, 0, 0))
    sim = Simulation(c, {"free": mag})
    t0 = time.perf_counter()
    model = sim.model
    t1 = time.perf_counter()
    table = sim.torque_table
    t2 = time.perf_counter()
    sim.run(1e-12, method="rk4", dt=1e-13, n_save=2)  # compiled kernels loaded
    t3 = time.perf_counter()
    short = sim.run(1e-9, method="rk4", dt=1e-13, n_save=2)
    t4 = time.perf_counter()
    run = sim.run(3e-9, method="rk4", dt=1e-13, n_save=2)
    t5 = time.perf_counter()
    # per step: the difference of two runs (a run's set-up solves the circuit a few times)
    steps = int(run.steps[0]) - int(short.steps[0])
    return {"cells": cells, "unknowns": int(model.pump.shape[2]),
            "sparse": getattr(model, "sparse", None) is not None,
            "model_s": t1 - t0, "series_s": t2 - t1, "series": table is not None,
            "step_us": ((t5 - t4) - (t4 - t3)) / steps * 1e6,
            "setup_s": (t4 - t3) - (t5 - t4 - (t4 - t3)) / 2,
            "peak_MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "final_mz": float(np.asarray(run.m)[0, -1, 0, 2])}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, nargs="+", default=[100, 1000, 10000])
    ap.add_argument("--child", type=int)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    print("| cells | unknowns | maps | model (s) | series (s) | run set-up (s) "
          "| one RK4 step (µs) | peak memory (MB) |")
    print("|---|---|---|---|---|---|---|---|")
    for cells in args.cells:
        out = subprocess.run([sys.executable, __file__, "--child", str(cells)],
                             capture_output=True, text=True)
        if out.returncode:
            tail = (out.stderr.strip().splitlines() or ["?"])[-1]
            print(f"| {cells} | | failed: {tail[:80]} | | | | | |")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"| {r['cells']} | {r['unknowns']} | {'sparse' if r['sparse'] else 'dense'} | "
              f"{r['model_s']:.2f} | {r['series_s']:.2f}{'' if r['series'] else ' (none)'} | "
              f"{r['setup_s']:.2f} | {r['step_us']:.2f} | {r['peak_MB']:.0f} |")


if __name__ == "__main__":
    main()
