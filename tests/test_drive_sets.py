"""Trajectories with drives of their own (``Simulation.run(drives=...)``): each equals the run
of a Simulation with those drives, in every integrator (the ensemble's lanes, the scalar
fixed-step and adaptive kernels), with the same thermal noise stream."""

import numpy as np
import pytest

from spincaloric import ContactParameters, Device
from spincaloric.dynamics import MagnetParameters
from spincaloric.dynamics.drives import LaserPulse, RectangularPulse
from spincaloric.dynamics.simulation import Simulation
from spincaloric.errors import DynamicsError

CONTACT = ContactParameters.from_paper(conductance=0.4, polarization=0.69, mixing=0.64,
                                      seebeck=-9e-6, polarization_derivative=0.77,
                                      mixing_derivative=0.13, temperature=300.0)
MAGNET = MagnetParameters.from_layer(saturation_magnetization=1.1e6, thickness=1.5e-9,
                                     area=1.26e-15, damping=0.01, anisotropy_field=1.68,
                                     demagnetizing_factors=[0, 0, 1])


def pillar():
    dev = Device(temperature=300.0)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("spacer", "normal")
    dev.add_node("free", "ferromagnet", reservoir=True,
                 magnetization=[np.sin(0.05), 0, np.cos(0.05)])
    dev.add_contact("fixed", "spacer", CONTACT)
    dev.add_contact("free", "spacer", CONTACT)
    return dev.finalize()


def drives(peak, decay, volts):
    return {("free", "temperature"): LaserPulse(peak=peak, start=0.1e-9, rise=0.05e-9,
                                                decay=decay),
            ("free", "voltage"): RectangularPulse(amplitude=volts, start=0.2e-9, duration=decay,
                                                  rise=20e-12)}


SETS = [drives(30.0, 1e-9, -2e-3), drives(45.0, 2e-9, -4e-3), drives(60.0, 0.5e-9, 3e-3)]


@pytest.mark.parametrize("tabulate", [True, False], ids=["series", "solved"])
@pytest.mark.parametrize("method,kw,ensemble", [
    ("rk4", {"dt": 1e-12}, 24),  # the lane kernel
    ("rk4", {"dt": 1e-12}, 3),  # the scalar fixed-step kernel
    ("rk45", {}, 3),
    ("heun", {"dt": 1e-12, "temperature_noise": True, "seed": 4}, 24),
])
@pytest.mark.slow
def test_each_trajectory_runs_as_with_its_drives_alone(tabulate, method, kw, ensemble):
    circuit = pillar()
    sim = Simulation(circuit, {"free": MAGNET}, SETS[0], tabulate=tabulate)
    assert (sim.torque_table is not None) == tabulate
    per = [SETS[i % 3] for i in range(ensemble)]
    together = sim.run(3e-9, n_save=31, method=method, ensemble=ensemble, drives=per, **kw)
    for i in range(3):
        alone = Simulation(circuit, {"free": MAGNET}, SETS[i], tabulate=tabulate).run(
            3e-9, n_save=31, method=method, ensemble=ensemble, **kw)
        rows = np.arange(i, ensemble, 3)
        # the same kernel, the same arithmetic: equal up to the lanes' summation order
        np.testing.assert_allclose(together.m[rows], alone.m[rows], rtol=0, atol=1e-12)
        np.testing.assert_allclose(together.crossing[rows], alone.crossing[rows], rtol=0,
                                   atol=1e-21)
        dv = together.drive_values()
        for key, v in alone.drive_values().items():
            np.testing.assert_allclose(dv[key][rows], v[rows], rtol=1e-15, atol=0)
    # the sets differ: a run with one set for all would not reproduce them
    other = sim.run(3e-9, n_save=31, method=method, ensemble=ensemble, **kw)
    assert np.abs(other.m[1::3] - together.m[1::3]).max() > 1e-4


def test_per_trajectory_drives_are_validated():
    sim = Simulation(pillar(), {"free": MAGNET}, SETS[0])
    with pytest.raises(DynamicsError, match=r"^drives: must be a sequence of 2 .* "
                       r"\(got 3: pass ensemble=3\)"):
        sim.run(1e-9, ensemble=2, drives=SETS)
    with pytest.raises(DynamicsError, match=r"^drives\[0\].free.temperature: must be a drive"):
        sim.run(1e-9, ensemble=1, drives=[{**SETS[0], ("free", "temperature"): 310.0}])
    with pytest.raises(DynamicsError, match=r"^drives: must be a sequence"):
        sim.run(1e-9, ensemble=1, drives=SETS[0])
    wrong = {("free", "temperature"): SETS[0][("free", "temperature")]}
    with pytest.raises(DynamicsError, match=r"^drives\[1\]: must map the Simulation's drives"):
        sim.run(1e-9, ensemble=2, drives=[SETS[1], wrong])
    hot = drives(-400.0, 1e-9, 0.0)  # cools the free layer below 0 K
    with pytest.raises(DynamicsError, match="drives.free.temperature"):
        sim.run(1e-9, ensemble=2, drives=[SETS[1], hot])


def test_a_file_of_many_trajectories_solves_its_circuit_in_parts(monkeypatch):
    """to_xarray solves the circuit quantities (torques, currents, pumped currents) a few
    saved states at a time — bounded memory (a 10⁴-trajectory file took 20 times its size) —
    each part with its trajectories' own drives and magnet parameters: the file equals the
    one solved in one piece."""
    import xarray as xr

    from spincaloric.dynamics import trajectory

    sim = Simulation(pillar(), {"free": MAGNET}, SETS[0])
    run = sim.run(1e-9, n_save=5, method="rk4", dt=1e-12, ensemble=7, drives=[
        SETS[i % 3] for i in range(7)], parameters={"free": {"damping": np.linspace(
            0.01, 0.03, 7)}})
    whole = run.to_xarray()
    monkeypatch.setattr(trajectory, "CIRCUIT_POINTS", 11)  # parts of 2 trajectories
    parts = run.part(slice(0, 7)).to_xarray()
    xr.testing.assert_identical(parts, whole)
    two = run.part(slice(2, 4))
    np.testing.assert_array_equal(two.rates, run.rates[2:4])
    np.testing.assert_array_equal(two.drive_values()[("free", "voltage")],
                                  run.drive_values()[("free", "voltage")][2:4])
