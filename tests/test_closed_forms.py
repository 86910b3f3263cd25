"""The general solver against the closed forms of the symmetric valve (physics.md §5)."""

import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from spincaloric import ContactParameters, Device, analytic
from spincaloric.constants import LORENZ, TORQUE_PER_SPIN_CURRENT
from spincaloric.validation import UnusedSettingWarning

T = 300.0


@st.composite
def valves(draw):
    """Random valid symmetric-valve parameters (second law obeyed) and a bias."""
    pol = draw(st.floats(-0.95, 0.95))
    eta = draw(st.floats(0.05, 3.0))
    pp = draw(st.floats(-2.0, 2.0))
    etap = draw(st.floats(-3.0, 3.0))
    s = draw(st.floats(-40e-6, 40e-6))
    p = analytic.ValveParameters(conductance=draw(st.floats(1e-3, 1e-1)), polarization=pol,
                                 mixing=eta, seebeck=s, polarization_derivative=pp,
                                 mixing_derivative=etap, temperature=T)
    contact = contact_of(p)
    s_up, s_dn = contact.spin_seebeck(T)
    bound = np.sqrt(LORENZ)
    if max(abs(s_up), abs(s_dn), abs(contact.mixing_seebeck(T))) > bound:
        p = analytic.ValveParameters(**{**p.__dict__, "seebeck": 0.0})
    theta = draw(st.floats(0.0, np.pi))
    dv = draw(st.floats(-1e-3, 1e-3))
    dt = draw(st.floats(-5.0, 5.0))
    dt = (T + dt) - T  # the bias the device sees: reservoir temperatures are absolute
    return p, theta, dv, dt


def contact_of(p):
    with warnings.catch_warnings():  # P' of a valve drawn with S = 0 does nothing: said once
        warnings.simplefilter("ignore", UnusedSettingWarning)
        return ContactParameters.from_paper(
            conductance=p.conductance, polarization=p.polarization, mixing=p.mixing,
            seebeck=p.seebeck, polarization_derivative=p.polarization_derivative,
            mixing_derivative=p.mixing_derivative, temperature=T)


def symmetric_valve(p, theta, regime, dv=0.0, dt=0.0, open_circuit=False):
    m1, m2 = analytic.magnetizations(theta)
    c = contact_of(p)
    dev = Device(temperature=T, regime=regime)
    dev.add_node("L", "ferromagnet", reservoir=True, magnetization=m1 if theta else [0, 0, 1])
    dev.add_node("N", "normal")
    kw = dict(current=0.0) if open_circuit else dict(voltage=-dv)  # electric potential = −V
    dev.add_node("R", "ferromagnet", reservoir=True, temperature=T + dt,
                 magnetization=m2 if theta else [0, 0, 1], **kw)
    dev.add_contact("L", "N", c)
    dev.add_contact("R", "N", c)
    return dev.finalize()


def close(a, b, scale):
    np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9 * scale)


@settings(max_examples=60, deadline=None)
@given(valves())
def test_thermalized_valve(args):
    p, theta, dv, dt = args
    sol = symmetric_valve(p, theta, "thermalized", dv, dt).solve()
    g = p.conductance
    i_scale = g * (abs(dv) + 1e-4 * abs(dt) + 1e-12)
    x = sol.nodes["N"].spin_accumulation
    v = analytic.thermalized_spin_accumulation(p, theta, dv, dt)
    close(x, [v, 0, 0], abs(dv) + 1e-4 * abs(dt) + 1e-15)
    # I_c and Q_c flow from R into the node: contact 1 is between ["R", "N"]
    close(-float(sol.contacts[1].charge_current),
          analytic.thermalized_charge_current(p, theta, dv, dt), i_scale)
    close(float(sol.contacts[1].heat_current),
          analytic.thermalized_heat_current(p, theta, dv, dt), i_scale * T * 1e-4 + 1e-18)
    tau = analytic.thermalized_torque(p, theta, dv, dt)
    t_l, t_r = analytic.torque_vectors(tau, theta)
    close(sol.torques["R"] / TORQUE_PER_SPIN_CURRENT, t_r, i_scale)
    close(sol.torques["L"] / TORQUE_PER_SPIN_CURRENT, t_l, i_scale)


@settings(max_examples=60, deadline=None)
@given(valves())
def test_noninteracting_valve(args):
    p, theta, dv, dt = args
    sol = symmetric_valve(p, theta, "noninteracting", dv, dt).solve()
    g = p.conductance
    i_scale = g * (abs(dv) + 1e-4 * abs(dt) + 1e-12)
    v, ts = analytic.noninteracting_accumulations(p, theta, dv, dt)
    close(sol.nodes["N"].spin_accumulation, [v, 0, 0], abs(dv) + 1e-4 * abs(dt) + 1e-15)
    close(sol.nodes["N"].spin_temperature, [ts, 0, 0], abs(dt) + 1e4 * abs(dv) + 1e-12)
    close(-float(sol.contacts[1].charge_current),
          analytic.noninteracting_charge_current(p, theta, dv, dt), i_scale)
    close(float(sol.contacts[1].heat_current),
          analytic.noninteracting_heat_current(p, theta, dv, dt), i_scale * T * 1e-4 + 1e-18)
    tau = analytic.noninteracting_torque(p, theta, dv, dt)
    t_l, t_r = analytic.torque_vectors(tau, theta)
    close(sol.torques["R"] / TORQUE_PER_SPIN_CURRENT, t_r, i_scale)
    close(sol.torques["L"] / TORQUE_PER_SPIN_CURRENT, t_l, i_scale)


@settings(max_examples=40, deadline=None)
@given(valves())
def test_angular_magnetothermopower_eq5(args):
    p, theta, _, _ = args
    if abs(p.seebeck) < 1e-7:
        return
    dt = 1.0
    sol = symmetric_valve(p, theta, "thermalized", dt=dt, open_circuit=True).solve()
    dv = -float(sol.reservoirs["R"].voltage)  # theory ΔV = V_R − V_L, V_L = 0
    assert abs(float(sol.contacts[1].charge_current)) < 1e-12 * p.conductance * 1e-4
    assert dv / (p.seebeck * dt) == pytest.approx(float(analytic.thermopower_ratio(p, theta)),
                                                  rel=1e-9, abs=0)


@settings(max_examples=40, deadline=None)
@given(valves())
@example((analytic.ValveParameters(conductance=0.001, polarization=2.220446049250313e-16,
                                   mixing=1.0, seebeck=6.560950770370486e-06,
                                   polarization_derivative=1.0, mixing_derivative=0.0,
                                   temperature=300.0), 0.001, 0.0, 0.0))
def test_spin_heat_accumulation_and_noninteracting_torque_eqs8_9(args):
    p, theta, _, _ = args
    if abs(p.seebeck) < 1e-7 or abs(p.polarization_derivative) < 1e-3 or theta < 1e-3:
        return
    dt = 1.0
    ni = symmetric_valve(p, theta, "noninteracting", dt=dt).solve()
    th = symmetric_valve(p, theta, "thermalized", dt=dt).solve()
    ts = float(ni.nodes["N"].spin_temperature[0])
    # relative to itself, and absolutely to 1e-15 of the temperature bias: at a polarization
    # of 2e-16 (the pinned example) T_s is 2e-13 of it and round-off reaches 3e-21 of it
    assert ts / dt == pytest.approx(float(analytic.spin_temperature_ratio(p, theta)), rel=1e-8,
                                    abs=1e-15)
    tau_ni = ni.torques["R"][0]
    tau_th = th.torques["R"][0]
    if abs(tau_th) > 1e-40:
        assert (tau_ni - tau_th) / tau_th == pytest.approx(
            float(analytic.noninteracting_torque_correction(p, theta)), rel=1e-7, abs=1e-12)


def test_closed_form_limits():
    """S² ≪ L0 limits of eqs. 8, 9 and T_s = P ΔT at θ = π."""
    base = dict(conductance=1e-2, polarization=0.6, mixing=0.7, polarization_derivative=0.9,
                mixing_derivative=0.2, temperature=T)
    theta = np.linspace(0.1, np.pi, 7)
    for s in (1e-6, 1e-7):
        p = analytic.ValveParameters(seebeck=s, **base)
        exact = analytic.noninteracting_torque_correction(p, theta)
        limit = analytic.noninteracting_torque_correction_limit(p, theta)
        assert np.max(np.abs(exact - limit)) < 20 * s**2 / LORENZ
        np.testing.assert_allclose(analytic.spin_temperature_ratio(p, theta),
                                   analytic.spin_temperature_ratio_limit(p, theta),
                                   atol=20 * s**2 / LORENZ)
    p = analytic.ValveParameters(seebeck=0.0, **base)
    assert float(analytic.spin_temperature_ratio(p, np.pi)) == pytest.approx(0.6, rel=1e-6, abs=0)
    # torques vanish for collinear magnets
    for f in (analytic.thermalized_torque, analytic.noninteracting_torque):
        assert np.allclose(f(p, np.array([0.0, np.pi]), delta_v=1e-3, delta_t=1.0), 0,
                           atol=1e-20)
