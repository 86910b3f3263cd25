"""Driven dynamics: write pulses through the pillars, one trajectory and noisy ensembles, with
the circuit solved at every stage and through its exact series in m·p (one run, alternately).

Run:  python benchmarks/bench_driven.py [--quick] [--wer N] [--repeat R]

``examples/devices/pillar_write_pulse.toml`` (Co|Cu|Co, circuit-solved torque, spin pumping)
under its 2.5 ns voltage pulse to 3.1 ns: one deterministic trajectory (RK45) and an ensemble
of 512 with Brown's field (stochastic Heun, dt = 1 ps), as ``spincaloric wer`` runs them; and
the write-error-rate job of ``thermal_switching_pillar.toml`` (its 40 K temperature pulse to
8 ns, Brown's field, spin pumping, 256 trajectories). Every stage evaluates the drive. Prints
rates (best of three, after compilation) for both torque paths and their ratio.

``--wer N`` runs only the write-error-rate job (series in m·p, N trajectories), with and
without spin pumping, and beside it — in the same run, alternately — the peer code cmtj's
nearest job: the same free layer (M_s, volume, B_k, α, thin-film demagnetisation, 3° start) at
300 K under a constant prescribed damping-like torque, stochastic Heun at the same 1 ps to
8 ns, one trajectory after another (cmtj has no ensembles), logging only the end; the two
alternate R times (``--repeat``, default 3) and the best of each is kept, so that a shared
machine's load falls on both. Run it with ``NUMBA_NUM_THREADS=1`` for rates per core. cmtj is
not a dependency (``pip install cmtj``).
"""

from __future__ import annotations

import argparse
import inspect
import math
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


def cmtj_wer_job(name: str, until: float):
    """cmtj's nearest job to the write-error-rate job, as a function that runs one trajectory
    (one core) of the free layer of ``name``: 300 K (its temperature driver), a constant
    damping-like torque (a_J = 1 mT) in place of the circuit's, stochastic Heun at 1 ps to
    ``until`` (s)."""
    import numpy as np
    from cmtj import CVector, Junction, Layer, ScalarDriver, SolverMode

    spec = load_spec(DEVICES / name)
    (node, magnet), = spec.magnets.items()
    circuit = spec.device.finalize()
    m0 = circuit.magnetization[circuit.index[node]]
    mu0 = 4e-7 * np.pi
    ms, vol = magnet.saturation_magnetization, magnet.volume
    thickness = 1e-9  # cmtj takes thickness × cell surface; only their product enters

    def one():
        layer = Layer("free", mag=CVector(*m0), anis=CVector(*magnet.anisotropy_axis),
                      Ms=mu0 * ms, thickness=thickness, cellSurface=vol / thickness,
                      demagTensor=[CVector(*row) for row in np.diag(
                          magnet.demagnetizing_factors)], damping=magnet.damping)
        layer.setReferenceLayer(CVector(0, 0, 1))
        layer.setTemperatureDriver(ScalarDriver.getConstantDriver(spec.device.temperature))
        junction = Junction([layer])
        junction.setLayerAnisotropyDriver("free", ScalarDriver.getConstantDriver(
            magnet.anisotropy_field * ms / 2))
        junction.setLayerDampingLikeTorqueDriver("free", ScalarDriver.getConstantDriver(
            1e-3 / mu0))
        junction.runSimulation(until, 1e-12, until, solverMode=SolverMode.Heun)

    one()
    return one


def wer_rows(n_ens: int, repeat: int) -> None:
    """The write-error-rate job against cmtj's nearest one (:func:`cmtj_wer_job`, 20
    trajectories in a row), the two alternating ``repeat`` times, the best of each."""
    name, until = "thermal_switching_pillar.toml", 8e-9
    base = simulation(name, until, True)
    peer_job = cmtj_wer_job(name, until)
    print(f"| {name}, {until * 1e9:g} ns, Heun 1 ps | trajectories/s | vs cmtj |\n|---|---|---|")
    for pumping in (True, False):
        sim = Simulation(base.circuit, base.magnets, base.drives, pumping=pumping,
                         tabulate=True)
        sim.run(1e-10, n_save=2, ensemble=64, temperature_noise=True, dt=1e-12)  # compile
        ours_t = peer_t = math.inf
        for _ in range(repeat):
            ours_t = min(ours_t, best(lambda: sim.run(  # noqa: B023
                until, n_save=2, ensemble=n_ens, temperature_noise=True, dt=1e-12), 1))
            peer_t = min(peer_t, best(lambda: [peer_job() for _ in range(20)], 1))
        ours, peer = n_ens / ours_t, 20 / peer_t
        what = "with" if pumping else "without"
        print(f"| spincaloric, {n_ens} trajectories, circuit torque (series), Brown's field, "
              f"laser drive, {what} spin pumping | {ours:.4g} | {ours / peer:.2f} |")
        print(f"| cmtj, one trajectory at a time, prescribed torque, 300 K | {peer:.4g} | 1.00 |")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="64 trajectories, one repetition")
    ap.add_argument("--wer", type=int, metavar="N",
                    help="only the write-error-rate job (series in m·p), N trajectories")
    ap.add_argument("--repeat", type=int, default=3,
                    help="repetitions (--wer: ours and cmtj alternately), the best kept")
    args = ap.parse_args(argv)
    repeat = 1 if args.quick else args.repeat
    if args.wer:
        wer_rows(args.wer, repeat)
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
