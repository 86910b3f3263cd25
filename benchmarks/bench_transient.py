"""Cost of integrating the temperatures with the magnetization (heat capacities).

Run:  python benchmarks/bench_transient.py [--quasi-static] [--joule]

The laser-heated pillar of ``examples/devices/laser_heated_pillar.toml`` (its 4 ns laser
pulse, 12 ns, the free layer reversed): by default as the file has it, its three nodes storing
heat (LSODA integration of m and the temperatures, :mod:`spincaloric.dynamics.transient`);
``--quasi-static`` with every heat capacity set to zero (the compiled RK45 integrator, the
temperatures following the laser power instantly); ``--joule`` with the Joule heat resolved
in time under a 2 mV bias. Prints the wall time of the run (after the compilation of the
kernels, which a warm-up run does). Compare the two with ``farm-bench --vs``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from spincaloric.dynamics.simulation import Simulation
from spincaloric.io import read_toml
from spincaloric.io.devicefile import spec_from_dict

DEVICE = Path(__file__).parent.parent / "examples" / "devices" / "laser_heated_pillar.toml"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quasi-static", action="store_true", help="no heat capacities")
    ap.add_argument("--joule", action="store_true", help="Joule heat resolved in time")
    args = ap.parse_args(argv)
    raw = read_toml(DEVICE)
    if args.quasi_static:
        for node in raw["nodes"].values():
            node.pop("heat_capacity", None)
    if args.joule:
        raw["nodes"]["top"]["voltage"] = 2e-3
    spec = spec_from_dict(raw, base=DEVICE.parent)
    circuit = spec.device.finalize()
    sim = Simulation(circuit, spec.magnets, spec.drives, joule_heating=args.joule)
    sim.run(1e-10, n_save=2)  # compile
    start = time.perf_counter()
    run = sim.run(12e-9, n_save=2)
    wall = time.perf_counter() - start
    print(f"{'quasi-static' if args.quasi_static else 'transient'}"
          f"{' + Joule' if args.joule else ''}: {wall:.3f} s, {int(run.steps[0])} steps, "
          f"switched {bool(run.switching()['free'].switched[0])}")


if __name__ == "__main__":
    main()
