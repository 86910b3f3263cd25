"""The contact kind of docs/contact-kinds.md (examples/thermoelectric_resistor.py) in every
solver path: dense, sparse, energy-resolved and the torque maps of the dynamics; its closed
forms (series resistance, thermovoltage S ΔT, heat current) and the second law."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spincaloric import ContactParameters, Device
from spincaloric.constants import LORENZ
from spincaloric.errors import DeviceError

ROOT = Path(__file__).parent.parent
_spec = importlib.util.spec_from_file_location("thermoelectric_resistor",
                                               ROOT / "examples" / "thermoelectric_resistor.py")
example = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = example  # dataclasses look their module up
_spec.loader.exec_module(example)
Resistor = example.ThermoelectricResistor

T = 300.0
G, S = 2e-2, 30e-6
KAPPA = LORENZ * T * G * 1.7  # beyond Wiedemann–Franz: an ordinary contact + lattice heat
FN = ContactParameters.from_paper(conductance=1e-2, polarization=0.5, mixing=0.6, seebeck=-4e-6,
                                  polarization_derivative=0.8, mixing_derivative=0.1,
                                  temperature=T)


def valve(resistor: bool, kappa=KAPPA, regime="thermalized", s=S):
    """F_L | N1 —(resistor or its ordinary twin)— N2 | F_R, biased in voltage and temperature."""
    dev = Device(temperature=T, regime=regime)
    dev.add_node("left", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("n1", "normal")
    dev.add_node("n2", "normal")
    dev.add_node("right", "ferromagnet", reservoir=True, magnetization=[1, 0, 0],
                 voltage=-2e-6, temperature=T + 1.5)
    dev.add_contact("left", "n1", FN)
    if resistor:
        dev.add_contact("n1", "n2", Resistor(G, s, kappa))
    else:
        dev.add_contact("n1", "n2", ContactParameters.spin_independent(
            conductance=G, seebeck=s, temperature=T), heat_conductance=kappa - LORENZ * T * G)
    dev.add_contact("n2", "right", FN)
    return dev.finalize()


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12 * np.abs(b).max())


@pytest.mark.parametrize("method", ["dense", "sparse"])
@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
def test_the_resistor_is_its_ordinary_twin_in_the_linear_solvers(method, regime):
    new, old = valve(True, regime=regime), valve(False, regime=regime)
    angles = np.linspace(0, np.pi, 7)
    m = np.stack([np.sin(angles), 0 * angles, np.cos(angles)], -1)
    for override in ({}, {"right": m}, {"left": m[::-1]}):
        a = new.solve(magnetization=override, method=method)
        b = old.solve(magnetization=override, method=method)
        close(a.states, b.states)
        close(a.currents, b.currents)
        close(a.torques["right"], b.torques["right"])
    assert new.kinds[-1].__class__.__name__ == "ThermoelectricResistors"


def test_the_resistor_in_the_torque_maps_of_the_dynamics():
    from spincaloric.dynamics.torque_model import CircuitTorqueModel

    m = np.array([[[0.0, 0.0, 1.0], [np.sin(t), 0.0, np.cos(t)]] for t in (0.3, 1.2, 2.5)])
    got = CircuitTorqueModel.build(valve(True), ["right"]).torques(m[:, 1:])
    want = CircuitTorqueModel.build(valve(False), ["right"]).torques(m[:, 1:])
    close(got, want)
    assert np.abs(got).max() > 0


def test_the_resistor_in_the_energy_resolved_solver():
    from spincaloric.solvers.spectral import solve_elastic

    wf = LORENZ * T * G  # electrons only: κ at its Wiedemann–Franz value
    # (a linear G(ε) stays positive over the Fermi window for a modest S)
    a = solve_elastic(valve(True, wf, "spectral", 3e-6), points=1501)
    b = solve_elastic(valve(False, wf, "spectral", 3e-6), points=1501)
    close(a.currents, b.currents)
    with pytest.raises(DeviceError, match=r"^contacts\[1\]\.heat_conductance: lattice heat"):
        solve_elastic(valve(True, KAPPA, "spectral", 3e-6), points=1501)


def two_leads(kappa, v_right=0.0, dt=0.0, current=None, g=G, s=S):
    dev = Device(temperature=T)
    dev.add_node("a", "normal", reservoir=True)
    kw = {"current": current} if current is not None else {"voltage": v_right}
    dev.add_node("b", "normal", reservoir=True, temperature=T + dt, **kw)
    dev.add_contact("a", "b", Resistor(g, s, kappa))
    return dev.finalize()


def test_series_resistance():
    dev = Device(temperature=T)
    dev.add_node("a", "normal", reservoir=True)
    dev.add_node("mid", "normal")
    dev.add_node("b", "normal", reservoir=True, voltage=-1e-3)
    dev.add_contact("a", "mid", Resistor(G, S, KAPPA))
    dev.add_contact("mid", "b", Resistor(3 * G, S, 2 * KAPPA))
    sol = dev.finalize().solve()
    series = 1 / (1 / G + 1 / (3 * G))
    # equal Seebeck coefficients: the Peltier heats cancel, the middle stays at T
    assert sol.contacts[0].charge_current == pytest.approx(series * 1e-3, rel=1e-12, abs=0)
    assert sol.state("mid").temperature == pytest.approx(T, rel=1e-14, abs=0)


def test_thermovoltage_and_heat_current():
    v, q = example.thermocouple(G, S, KAPPA, 10.0, T)
    assert v == pytest.approx(S * 10.0, rel=1e-12, abs=0)  # V_cold − V_hot = S ΔT
    assert q == pytest.approx((KAPPA - T * G * S * S) * 10.0, rel=1e-12, abs=0)
    # biased: Q = Π I + (κ − T G S²) ΔT with Π = T S and I the conventional current a -> b
    sol = two_leads(KAPPA, v_right=-1e-4, dt=-2.0).solve()
    c = sol.contacts[0]
    assert c.heat_current == pytest.approx(T * S * c.charge_current
                                           + (KAPPA - T * G * S * S) * 2.0, rel=1e-12, abs=0)
    assert c.charge_current == pytest.approx(G * (1e-4 + S * 2.0), rel=1e-12, abs=0)  # Ohm + Seebeck


@settings(max_examples=60, deadline=None)
@given(v=st.floats(-1e-3, 1e-3), dt=st.floats(-5, 5), s=st.floats(-150e-6, 150e-6),
       excess=st.floats(0, 10))
def test_entropy_production_is_never_negative(v, dt, s, excess):
    kappa = T * G * s * s * (1 + excess)
    sol = two_leads(kappa, v_right=v, dt=dt, s=s).solve()
    assert sol.entropy_production >= -1e-20


def test_unphysical_resistors_are_named():
    with pytest.raises(DeviceError, match=r"^contacts\[0\]\.heat_conductance: must be at least"):
        two_leads(0.5 * T * G * S * S)
    with pytest.raises(DeviceError, match=r"^contacts\[0\]\.seebeck: \|S\| must not exceed"):
        two_leads(1.0, s=200e-6)
    dev = Device(temperature=T)
    dev.add_node("f", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("n", "normal", reservoir=True)
    dev.add_contact("f", "n", Resistor(G, S, KAPPA))
    with pytest.raises(DeviceError, match=r"^contacts\[0\]\.between: a thermoelectric"):
        dev.finalize()
