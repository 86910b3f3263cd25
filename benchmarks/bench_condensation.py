"""Runs that solve the circuit at every stage, on the whole system and condensed.

Run:  python benchmarks/bench_condensation.py [--cells 10 20 40] [--repeat 3]

The example pillar `examples/devices/pillar_thick_layers.toml` (Co 20 nm in 20 cells | Cu
spacer | Co 3 nm in 6 cells, 1 K across) with N cells in its spacer and both Co layers dynamic
(no series in m·p applies). A run's kernels solve the Kirchhoff system at every stage either
over all its unknowns (the dense maps) or over the unknowns the magnets touch (the rest
eliminated once, :mod:`spincaloric.dynamics.condensation`). Both are timed alternately in
this process, after compiling runs; figures per RK4 step of one trajectory and per lane-step
of an ensemble of 64 (µs, the median of ``--repeat``, the run's set-up included), and the
largest difference of the two runs' final m.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from spincaloric import load_device
from spincaloric.dynamics import MagnetParameters
from spincaloric.dynamics.condensation import CondensedMaps
from spincaloric.dynamics.simulation import Simulation
from spincaloric.dynamics.torque_model import CircuitTorqueModel

PILLAR = Path(__file__).parent.parent / "examples" / "devices" / "pillar_thick_layers.toml"
AREA = 1.26e-15  # m², the pillar's
FREE = MagnetParameters(saturation_magnetization=1.4e6, volume=AREA * 3e-9, damping=0.01,
                        anisotropy_axis=np.array([1.0, 0, 0]), anisotropy_field=0.05)
FIXED = MagnetParameters(saturation_magnetization=1.4e6, volume=AREA * 20e-9, damping=0.01,
                         anisotropy_axis=np.array([0, 0, 1.0]), anisotropy_field=0.5)
M0 = np.array([[0.8, 0.6, 0.0], [0.0, 0.28, 0.96]])
DT, STEPS, ENSEMBLE = 1e-12, 1000, 64


def pillar(cells: int):
    """The example pillar with ``cells`` cells in its Cu spacer."""
    text = PILLAR.read_text().replace("cells = 10\n", f"cells = {cells}\n", 1)
    text = text.replace("spacer_10", f"spacer_{cells}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pillar.toml"
        path.write_text(text)
        return load_device(path).finalize()


def whole(model, pump, read=()):
    """The identity 'condensation': the dense maps over every unknown."""
    a0, r0, e, f = model.dense_maps()
    return CondensedMaps(a0, r0, e, f, model.t, pump, np.arange(a0.shape[0]))


def timed(circuit, stage_maps, ensemble: int, steps: int):
    """(s per step of one lane, final m (E, k, 3), unknowns solved a stage) of a fresh
    Simulation whose model forms its stage maps by ``stage_maps``."""
    CircuitTorqueModel.stage_maps = stage_maps
    sim = Simulation(circuit, {"free": FREE, "fixed": FIXED})
    kept = sim.condensed.kept.size
    start = time.perf_counter()
    run = sim.run(steps * DT, method="rk4", dt=DT, n_save=2, ensemble=ensemble,
                  initial=np.broadcast_to(M0, (ensemble, 2, 3)) if ensemble > 1 else M0)
    return (time.perf_counter() - start) / (steps * ensemble), run.m[:, -1], kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, nargs="+", default=[10, 20, 40])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print("| spacer cells | unknowns | kept | one trajectory, whole / condensed (µs/step) "
          "| speed-up | ensemble of 64, whole / condensed (µs/lane-step) | speed-up | max |Δm| |")
    print("|---|---|---|---|---|---|---|---|")
    condensed = CircuitTorqueModel.stage_maps
    for cells in args.cells:
        c = pillar(cells)
        for ens in (1, ENSEMBLE):  # compile both kernels and both map sizes first
            timed(c, condensed, ens, 10)
            timed(c, whole, ens, 10)
        row = {}
        for ens in (1, ENSEMBLE):
            steps = STEPS if ens == 1 else STEPS // 20
            times = {"whole": [], "condensed": []}
            for _ in range(args.repeat):  # alternated
                t_w, m_w, u = timed(c, whole, ens, steps)
                t_c, m_c, kept = timed(c, condensed, ens, steps)
                times["whole"].append(t_w)
                times["condensed"].append(t_c)
            w, k = statistics.median(times["whole"]), statistics.median(times["condensed"])
            row[ens] = (w * 1e6, k * 1e6, w / k, float(np.abs(m_w - m_c).max()))
        (w1, k1, s1, d1), (we, ke, se, de) = row[1], row[ENSEMBLE]
        print(f"| {cells} | {u} | {kept} | {w1:.1f} / {k1:.2f} | {s1:.0f}× | {we:.1f} / {ke:.2f} "
              f"| {se:.0f}× | {max(d1, de):.1e} |")
    CircuitTorqueModel.stage_maps = condensed


if __name__ == "__main__":
    main()
