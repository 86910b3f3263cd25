"""Macrospin dynamics throughput, measured in one run against the peer code cmtj.

Run:  python benchmarks/bench_dynamics.py [--quick] [--install-cmtj]

The same problem for both codes: one perpendicular free layer (M_s = 1 MA/m, 1 nm x 100 nm²,
K_u = 1 MJ/m³, α = 0.01, thin-film demagnetisation), fixed-step RK4 with dt = 0.1 ps, a
prescribed damping-like (Slonczewski) torque, saving every 10 ps. spincaloric additionally runs
the torque solved from a Co|Cu|Co circuit at every stage (cmtj cannot), with the free layer a
reservoir or an internal node of the circuit, without and with the spin pumped by the moving
free layer (τ = τ0 + D ṁ, the LLGS solved for ṁ at every stage). cmtj is installed from
the package registry only for this benchmark (``--install-cmtj``); it is not a dependency.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import subprocess
import sys
import time

import numpy as np

from spincaloric import ContactParameters, Device
from spincaloric.dynamics import MagnetParameters
from spincaloric.dynamics.simulation import Simulation

MS, T_FILM, AREA, KU, ALPHA, DT = 1.0e6, 1e-9, 1e-16, 1.0e6, 0.01, 1e-13
START = np.array([np.sin(0.1), 0.0, np.cos(0.1)])


def magnet():
    return MagnetParameters.from_layer(saturation_magnetization=MS, thickness=T_FILM, area=AREA,
                                       damping=ALPHA, anisotropy_energy=KU,
                                       demagnetizing_factors=[0, 0, 1])


CONTACT = ContactParameters.from_paper(conductance=0.08, polarization=0.69, mixing=0.64,
                                      seebeck=-4.5e-6, polarization_derivative=0.77,
                                      mixing_derivative=0.13, temperature=300.0)


def valve():
    c = CONTACT
    dev = Device(temperature=300.0)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("spacer", "normal")
    dev.add_node("free", "ferromagnet", reservoir=True, magnetization=START, voltage=-1e-4)
    dev.add_contact("fixed", "spacer", c)
    dev.add_contact("free", "spacer", c)
    return dev.finalize()


def valve_internal_free_layer():
    """The same valve with the free layer an internal node (its spin accumulation solved for)
    between the spacer and a normal lead: the 25-feature torque map of internal magnets."""
    c = CONTACT
    dev = Device(temperature=300.0)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("spacer", "normal")
    dev.add_node("free", "ferromagnet", magnetization=START, spin_flip=1e-2)
    dev.add_node("lead", "normal", reservoir=True, voltage=-1e-4)
    dev.add_contact("fixed", "spacer", c)
    dev.add_contact("free", "spacer", c)
    dev.add_contact("free", "lead", c)
    return dev.finalize()


#: whether this tree's Simulation has spin pumping (the script also runs on trees without it)
HAS_PUMPING = "pumping" in inspect.signature(Simulation).parameters
#: whether it evaluates one magnet's circuit torque from its series in m·p
HAS_SERIES = "tabulate" in inspect.signature(Simulation).parameters


def ours(torque, until, ensemble=1, circuit=None, pumping=False, series=True):
    kw = {"slonczewski": {"free": (0.01, [0, 0, 1.0])}} if torque == "slonczewski" else {}
    if HAS_PUMPING:
        kw["pumping"] = pumping
    if HAS_SERIES:
        kw["tabulate"] = series
    sim = Simulation(circuit or valve(), {"free": magnet()}, torque=torque, **kw)
    sim.run(10 * DT, n_save=2, method="rk4", dt=DT, ensemble=ensemble)  # compile / warm up
    n_save = int(round(until / 1e-11)) + 1
    t = time.perf_counter()
    traj = sim.run(until, n_save=n_save, method="rk4", dt=DT, ensemble=ensemble)
    elapsed = time.perf_counter() - t
    return ensemble * until / DT / elapsed, traj


def cmtj_run(until):
    from cmtj import CVector, Junction, Layer, ScalarDriver

    demag = [CVector(0, 0, 0), CVector(0, 0, 0), CVector(0, 0, 1)]
    mu0 = 4e-7 * np.pi
    layer = Layer("free", mag=CVector(*START), anis=CVector(0, 0, 1), Ms=mu0 * MS,
                  thickness=T_FILM, cellSurface=AREA, demagTensor=demag, damping=ALPHA)
    layer.setReferenceLayer(CVector(0, 0, 1))
    j = Junction([layer])
    j.setLayerAnisotropyDriver("free", ScalarDriver.getConstantDriver(KU))
    j.setLayerDampingLikeTorqueDriver("free", ScalarDriver.getConstantDriver(0.01 / mu0))
    j.runSimulation(10 * DT, DT, 1e-11)  # warm up
    j.clearLog()
    t = time.perf_counter()
    j.runSimulation(until, DT, 1e-11)
    elapsed = time.perf_counter() - t
    return until / DT / elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="shorter runs (smoke test)")
    ap.add_argument("--install-cmtj", action="store_true",
                    help="pip install cmtj into this environment first")
    args = ap.parse_args()
    until = 2e-9 if args.quick else 20e-9
    ens_until = 0.02e-9 if args.quick else 0.2e-9
    ens = 10_000
    if args.install_cmtj:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "cmtj"], check=True)
    try:
        importlib.import_module("cmtj")
        have_cmtj = True
    except ImportError:
        have_cmtj = False
    print(f"# macrospin RK4 throughput, dt = {DT:g} s (steps of one trajectory per second; "
          "spin-steps = trajectories x steps)\n")
    print("| code, torque | trajectories | steps/s or spin-steps/s | vs cmtj single |")
    print("|---|---|---|---|")
    ref = cmtj_run(until) if have_cmtj else None
    if ref:
        print(f"| cmtj, prescribed Slonczewski | 1 | {ref:.3g} | 1.00 |")
    else:
        print("| cmtj | — | not installed (run with --install-cmtj) | — |")
    for ensemble, span in ((1, until), (ens, ens_until)):
        rate, _ = ours("slonczewski", span, ensemble=ensemble)
        rel = f"{rate / ref:.2f}" if ref else "—"
        print(f"| spincaloric, prescribed Slonczewski | {ensemble} | {rate:.3g} | {rel} |")
    internal = valve_internal_free_layer()
    rows = [("circuit", None, False), ("circuit, internal free layer", internal, False)]
    if HAS_PUMPING:
        rows = [rows[0], ("circuit with spin pumping", None, True), rows[1],
                ("circuit with spin pumping, internal free layer", internal, True)]
    for label, circuit, pumping in rows:
        for series in ((False, True) if HAS_SERIES else (False,)):
            how = "series in m·p" if series else "solved every stage"
            for ensemble, span in ((1, until), (ens, ens_until)):
                rate, _ = ours("circuit", span, ensemble=ensemble, circuit=circuit,
                               pumping=pumping, series=series)
                rel = f"{rate / ref:.2f}" if ref else "—"
                print(f"| spincaloric, {label}, {how} | {ensemble} | {rate:.3g} | {rel} |")


if __name__ == "__main__":
    main()
