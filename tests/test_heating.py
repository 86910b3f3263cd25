"""Joule heating of time-dependent drives (spincaloric.dynamics.heating) against closed forms
and the static second-order solve."""

import numpy as np
import pytest

from spincaloric import ContactParameters, Device
from spincaloric.circuit.solution import joule_heat
from spincaloric.constants import LORENZ
from spincaloric.dynamics import MagnetParameters
from spincaloric.dynamics.drives import Constant, RectangularPulse
from spincaloric.dynamics.heating import with_joule_heating
from spincaloric.dynamics.simulation import DynamicsError, Simulation

T = 300.0


def resistor_pair(g=1.0):
    """lead a | 1 S | mid | 1 S | lead b, spin independent, no thermopower."""
    dev = Device(temperature=T)
    dev.add_node("a", "normal", reservoir=True)
    dev.add_node("mid", "normal")
    dev.add_node("b", "normal", reservoir=True)
    c = ContactParameters.spin_independent(conductance=g, seebeck=0.0, temperature=T)
    dev.add_contact("a", "mid", c)
    dev.add_contact("mid", "b", c)
    return dev.finalize()


def test_joule_heat_of_a_resistor_pair_and_its_temperature_rise():
    """I = V/2G through two conductances G: I²/G in each, half of each to the middle node;
    the middle node then warms by P/(2 L0 T G) (Wiedemann–Franz)."""
    c = resistor_pair()
    for volts in (1e-3, 2e-3):
        heated = with_joule_heating(c, {("a", "voltage"): Constant(volts)}, 1e-9)
        p = np.array(heated[("mid", "heat")].values)
        expected = (volts / 2) ** 2 * 1.0  # W: (I²/G)/2 from each of the two contacts
        np.testing.assert_allclose(p, expected, rtol=1e-12, atol=0)
        rise = c.solve(voltage={"a": volts}, heat={"mid": p[0]}).nodes["mid"].temperature - T
        assert float(rise) == pytest.approx(p[0] / (2 * LORENZ * T * 1.0), rel=1e-9, abs=0)


def test_pulse_jumps_are_kept_and_an_existing_heat_drive_adds():
    c = resistor_pair()
    pulse = RectangularPulse(amplitude=2e-3, start=0.2e-9, duration=0.3e-9)
    laser = Constant(5e-7)  # W already deposited in the middle node
    heated = with_joule_heating(c, {("a", "voltage"): pulse, ("mid", "heat"): laser}, 1e-9)
    table = heated[("mid", "heat")]
    times, values = np.array(table.times), np.array(table.values)
    on = (2e-3 / 2) ** 2
    for edge, before, after in ((0.2e-9, 5e-7, 5e-7 + on), (0.5e-9, 5e-7 + on, 5e-7)):
        i = np.flatnonzero(times == edge)
        assert i.size == 2  # a jump: the value before, then after
        assert values[i[0]] == pytest.approx(before, rel=1e-12, abs=0)
        assert values[i[1]] == pytest.approx(after, rel=1e-12, abs=0)
    assert table(0.35e-9) == pytest.approx(5e-7 + on, rel=1e-12, abs=0)
    assert heated[("a", "voltage")].base == 0.0  # drives come back resolved (static base)


def pillar():
    """fixed lead | Cu node | internal free layer | Cu node | lead, with phonon baths."""
    g = ContactParameters.from_paper(conductance=2e-2, polarization=0.5, mixing=0.7,
                                     seebeck=-4.5e-6, polarization_derivative=0.77,
                                     mixing_derivative=0.13, temperature=T)
    dev = Device(temperature=T)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("n1", "normal", bath=1e-7)
    dev.add_node("free", "ferromagnet", magnetization=[1, 0, 0], spin_flip=5e-3, bath=1e-7)
    dev.add_node("n2", "normal", bath=1e-7)
    dev.add_node("lead", "normal", reservoir=True)
    dev.add_contact("fixed", "n1", g)
    dev.add_contact("n1", "free", g)
    dev.add_contact("free", "n2", g)
    dev.add_contact("n2", "lead", ContactParameters.spin_independent(
        conductance=1e-2, seebeck=1.5e-6, temperature=T))
    return dev.finalize()


def test_dynamics_with_joule_heating_is_the_second_order_static_solve():
    """A magnet too stiff to move: along the run the circuit is the static solve with the
    Joule heat of the first solve fed back — and the heating changes the torque."""
    c = pillar()
    volts = 5e-3
    drives = {("lead", "voltage"): Constant(volts)}
    heated = with_joule_heating(c, drives, 0.1e-9)
    assert {k for k in heated if k[1] == "heat"} == {("n1", "heat"), ("free", "heat"),
                                                      ("n2", "heat")}
    stiff = MagnetParameters(saturation_magnetization=1e6, volume=1e-21, damping=0.5,
                             anisotropy_field=50.0, anisotropy_axis=[1, 0, 0])
    tr = Simulation(c, {"free": stiff}, heated).run(0.1e-9, n_save=3)
    first = c.solve(voltage={"lead": volts})
    second = c.solve(voltage={"lead": volts}, heat=joule_heat(first))
    tau = tr.circuit_solution.magnet_torque("free")[0, -1]
    m = tr.magnetization("free")[0, -1]
    reference = c.solve(voltage={"lead": volts}, heat=joule_heat(first),
                        magnetization={"free": m}).torques["free"]
    np.testing.assert_allclose(tau, reference, rtol=0, atol=1e-9 * np.abs(reference).max())
    np.testing.assert_allclose(
        second.torques["free"], c.solve(voltage={"lead": volts}, heat=joule_heat(first),
                                        magnetization={"free": [1, 0, 0]}).torques["free"],
        rtol=1e-12, atol=0)
    unheated = first.torques["free"]
    assert np.linalg.norm(second.torques["free"] - unheated) > 1e-5 * np.linalg.norm(unheated)
    assert float(second.nodes["free"].temperature) > T + 0.01


def test_bad_input_names_the_field():
    c = resistor_pair()
    with pytest.raises(DynamicsError, match="until"):
        with_joule_heating(c, {}, 0.0)
    with pytest.raises(DynamicsError, match=r"drives\.nowhere\.voltage: no such node"):
        with_joule_heating(c, {("nowhere", "voltage"): Constant(1e-3)}, 1e-9)
    with pytest.raises(DynamicsError, match=r"drives\.mid\.voltage"):
        with_joule_heating(c, {("mid", "voltage"): Constant(1e-3)}, 1e-9)


def test_heat_table_resolves_the_square_of_short_edges():
    """The heat goes as the bias squared: on a 20 ps linear edge (straight in the drive's own
    table) the heat table must still follow V², to RTOL of its peak at any time."""
    from spincaloric.dynamics.drives import RTOL

    c = resistor_pair()
    pulse = RectangularPulse(amplitude=2e-3, start=1e-9, duration=5e-9, rise=20e-12)
    table = with_joule_heating(c, {("a", "voltage"): pulse}, 10e-9)[("mid", "heat")]
    t = np.concatenate([np.linspace(0.99e-9, 1.03e-9, 81), np.linspace(5.97e-9, 6.01e-9, 81),
                        np.random.default_rng(0).uniform(0, 10e-9, 200)])
    direct = (pulse(t) / 2) ** 2  # W: I²/G per contact, half of each of the two
    np.testing.assert_allclose(table(t), direct, rtol=0, atol=RTOL * direct.max())


def test_any_drive_object_with_sample_and_breakpoints():
    """Drives are duck-typed (``sample``, ``breakpoints``), as in Simulation."""

    class Ramp:
        def sample(self, t_end, max_step):
            return np.array([0.0, 1e-9]), np.array([0.0, 2e-3])

        def breakpoints(self):
            return np.zeros(0)

    c = resistor_pair()
    table = with_joule_heating(c, {("a", "voltage"): Ramp()}, 1e-9)[("mid", "heat")]
    assert table(1e-9) == pytest.approx((2e-3 / 2) ** 2, rel=1e-12, abs=0)
    assert table(0.5e-9) == pytest.approx((1e-3 / 2) ** 2, rel=1e-4, abs=0)
