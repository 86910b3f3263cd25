"""Switching times located on the integrators' own steps: independent of the saving, equal to
the closed form of damped precession, for every integrator and both kernels."""

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from spincaloric import ContactParameters, Device
from spincaloric.cli import main
from spincaloric.dynamics import MagnetParameters, Simulation
from spincaloric.io import load_spec

PILLAR = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"
T = 300.0
B = 0.5  # T, applied along +z
THETA0 = np.deg2rad(179.0)  # start 1° from −z
ISOTROPIC = MagnetParameters(saturation_magnetization=1e6, volume=1e-24, damping=0.1,
                             applied_field=[0, 0, B])
# (method, options, ensemble, relative accuracy of the located time): RK45 to its tolerance,
# RK4 (4th order, 3rd-order continuous extension) and noise-free Heun (2nd order) to their step
# errors (γB dt = 0.009 and 0.0009); ensembles of 9 run in the lane-vectorised kernel
CASES = [("rk45", {"rtol": 1e-10, "atol": 1e-12}, 1, 1e-9),
         ("rk4", {"dt": 1e-13}, 1, 1e-9), ("rk4", {"dt": 1e-13}, 9, 1e-9),
         ("heun", {"dt": 1e-14}, 1, 1e-6), ("heun", {"dt": 1e-14}, 9, 1e-6)]


def isotropic_magnet() -> Simulation:
    """A free magnet without anisotropy or torque in B along +z (easy axis z, for the
    switching criterion)."""
    contact = ContactParameters.from_paper(conductance=2e-2, polarization=0.5, mixing=0.7,
                                           seebeck=0.0, polarization_derivative=0.0,
                                           mixing_derivative=0.0, temperature=T)
    dev = Device(temperature=T)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("spacer", "normal")
    dev.add_node("free", "ferromagnet", reservoir=True, magnetization=[0, 0, -1])
    dev.add_contact("fixed", "spacer", contact)
    dev.add_contact("free", "spacer", contact)
    return Simulation(dev.finalize(), {"free": ISOTROPIC}, torque="none")


def closed_form_time() -> float:
    """m_z = 0 of damped precession from θ0: tan(θ/2) = tan(θ0/2) exp(−αγB t/(1 + α²)),
    so t = (1 + α²)/(αγB) ln tan(θ0/2) (s)."""
    return ISOTROPIC.relaxation_time(B) * np.log(np.tan(THETA0 / 2))


@pytest.mark.slow
@pytest.mark.parametrize("method,options,ensemble,rel", CASES)
def test_switching_time_is_the_closed_form_whatever_the_saving(method, options, ensemble, rel):
    """From θ0 = 179° in B = 0.5 T (α = 0.1) the crossing of m_z = 0 at 0.54 ns, located on
    the integrator's steps: three saved instants give the time as well as two thousand."""
    sim = isotropic_magnet()
    m0 = [np.sin(THETA0), 0.0, np.cos(THETA0)]
    times = []
    for n_save in (3, 2000):
        tr = sim.run(1.5e-9, n_save=n_save, ensemble=ensemble, initial=[m0], method=method,
                     **options)
        sw = tr.switching()["free"]
        assert sw.switched.all()
        times.append(sw.time)
    expected = closed_form_time()
    assert 0.5e-9 < expected < 0.6e-9
    np.testing.assert_allclose(times[0], expected, rtol=rel, atol=0)
    np.testing.assert_allclose(times[1], expected, rtol=rel, atol=0)
    np.testing.assert_allclose(times[0], times[1], rtol=1e-9 if method != "rk45" else rel,
                               atol=0)


@pytest.mark.slow
@pytest.mark.parametrize("ensemble", [2, 9])
def test_stochastic_switching_time_does_not_depend_on_the_saving(ensemble):
    """With thermal noise the same seed and step give the same trajectories and the same
    switching times for 3 or 2000 saved instants (one random stream per trajectory)."""
    spec = load_spec(PILLAR)
    sim, _ = spec.simulation_for(spec.device.finalize(), 8e-9)
    kw = dict(ensemble=ensemble, temperature_noise=True, dt=1e-13, seed=2)
    few = sim.run(8e-9, n_save=3, **kw)
    many = sim.run(8e-9, n_save=2001, **kw)
    # equal to rounding (the drive tables run on each segment's clock)
    np.testing.assert_allclose(few.m[:, -1], many.m[:, -1], rtol=0, atol=1e-10)
    a, b = few.switching()["free"], many.switching()["free"]
    assert a.switched.any()
    np.testing.assert_array_equal(a.switched, b.switched)
    np.testing.assert_allclose(a.time, b.time, rtol=1e-10, atol=0)


@pytest.mark.slow
def test_pillar_switching_time_agrees_with_a_densely_saved_reference():
    """The headline pillar: the located time for 3 saved instants equals the one of a run
    saved every picosecond and a fixed-step reference, to the RK45 tolerance."""
    spec = load_spec(PILLAR)
    sim, _ = spec.simulation_for(spec.device.finalize(), 8e-9)
    # rtol 1e-8: the located time converges to the reference as rtol (1.1e-6 at 1e-7)
    coarse = sim.run(8e-9, n_save=3, rtol=1e-8).switching()["free"].time[0]
    dense = sim.run(8e-9, n_save=8001, rtol=1e-8).switching()["free"].time[0]
    reference = sim.run(8e-9, n_save=8001, method="rk4", dt=2e-14).switching()["free"].time[0]
    assert 4e-9 < reference < 4.5e-9  # with spin pumping (3.3 ns without)
    assert coarse == pytest.approx(reference, rel=1e-6, abs=0)
    assert dense == pytest.approx(reference, rel=1e-6, abs=0)


@pytest.mark.slow
def test_cli_switching_time_does_not_depend_on_the_saving_interval():
    """`run --until 8us` saves every 10 ns (n_save = 801 from the file) yet reports the
    switching at the same instant as the 8 ns run saved every 10 ps."""
    runner = CliRunner()
    times = []
    for until in ("8ns", "8us"):
        res = runner.invoke(main, ["run", str(PILLAR), "--until", until, "--json"])
        assert res.exit_code == 0, res.output
        line = [x for x in res.output.splitlines() if x.startswith("{")][-1]
        times.append(json.loads(line)["magnets"]["free"]["switching_time"])
    assert 4e-9 < times[0] < 4.5e-9  # with spin pumping (3.3 ns without)
    assert times[1] == pytest.approx(times[0], rel=1e-5, abs=0)
