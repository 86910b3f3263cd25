"""Driven dynamics: write pulses through the pillars, one trajectory and noisy ensembles, with
the circuit solved at every stage and through its exact series in m·p (one run, alternately).

Run:  python benchmarks/bench_driven.py [--quick]

``examples/devices/pillar_write_pulse.toml`` (Co|Cu|Co, circuit-solved torque, spin pumping)
under its 2.5 ns voltage pulse to 3.1 ns: one deterministic trajectory (RK45) and an ensemble
of 512 with Brown's field (stochastic Heun, dt = 1 ps), as ``spincaloric wer`` runs them; and
the write-error-rate job of ``thermal_switching_pillar.toml`` (its 40 K temperature pulse to
8 ns, Brown's field, spin pumping, 256 trajectories). Every stage evaluates the drive. Prints
rates (best of three, after compilation) for both torque paths and their ratio.
"""

from __future__ import annotations

import argparse
import inspect
import time
from pathlib import Path

from spincaloric.dynamics.simulation import Simulation
from spincaloric.io import load_spec

DEVICES = Path(__file__).parent.parent / "examples" / "devices"
#: whether this tree's Simulation evaluates one magnet's torque from its series in m·p
HAS_SERIES = "tabulate" in inspect.signature(Simulation).parameters


def best(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def simulation(name: str, until: float, series: bool):
    spec = load_spec(DEVICES / name)
    sim, _ = spec.simulation_for(spec.device.finalize(), until)
    if not HAS_SERIES:
        return sim
    return Simulation(sim.circuit, sim.magnets, sim.drives, pumping=sim.pumping,
                      tabulate=series)


def rates(name: str, until: float, n_ens: int, repeat: int, series: bool, single: bool):
    sim = simulation(name, until, series)
    sim.run(1e-10, n_save=2)  # compile
    sim.run(1e-10, n_save=2, ensemble=64, temperature_noise=True, dt=1e-12)
    out = {}
    if single:
        one = sim.run(until, n_save=2)
        out["one trajectory, RK45 (steps/s)"] = int(one.steps[0]) / best(
            lambda: sim.run(until, n_save=2), repeat)
    t = best(lambda: sim.run(until, n_save=2, ensemble=n_ens, temperature_noise=True,
                             dt=1e-12), repeat)
    out[f"{n_ens} noisy trajectories, Heun (trajectories/s, two cores)"] = n_ens / t
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="64 trajectories, one repetition")
    ap.add_argument("--wer", type=int, metavar="N",
                    help="only the write-error-rate job (series in m·p), N trajectories")
    args = ap.parse_args(argv)
    repeat = 1 if args.quick else 3
    if args.wer:
        rate = rates("thermal_switching_pillar.toml", 8e-9, args.wer, repeat, True, False)
        for key, value in rate.items():
            print(f"thermal_switching_pillar.toml: {key}: {value:.4g}")
        return
    jobs = (("pillar_write_pulse.toml", 3.1e-9, 64 if args.quick else 512, True),
            ("thermal_switching_pillar.toml", 8e-9, 32 if args.quick else 256, False))
    print("| job | solved every stage | series in m·p | ratio |\n|---|---|---|---|")
    for name, until, n_ens, single in jobs:
        solved = rates(name, until, n_ens, repeat, False, single)
        series = (rates(name, until, n_ens, repeat, True, single) if HAS_SERIES
                  else dict.fromkeys(solved, float("nan")))
        for key in solved:
            print(f"| {name}: {key} | {solved[key]:.3g} | {series[key]:.3g} | "
                  f"{series[key] / solved[key]:.2f} |")


if __name__ == "__main__":
    main()
