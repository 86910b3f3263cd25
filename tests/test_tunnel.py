"""Tunnel contacts (F|I|N): parameter mapping, the tunnel limit of spin injection, and a
double-barrier valve against the closed forms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spincaloric import ContactParameters, Device, analytic
from spincaloric.circuit.tunnel import TunnelBarrier
from spincaloric.constants import TORQUE_PER_SPIN_CURRENT
from spincaloric.errors import FieldError

T = 300.0


@settings(max_examples=50, deadline=None)
@given(st.floats(1e-13, 1e-9), st.floats(-0.95, 0.95), st.floats(-200e-6, 200e-6),
       st.floats(-0.9, 0.9), st.floats(1e-16, 1e-12))
def test_the_contact_has_the_barrier_s_measured_properties(ra, p, s, ps, area):
    """G = A/RA, P, S and P_S = (S↑ − S↓)/(S↑ + S↓) come back out of the contact; η = 1."""
    c = TunnelBarrier(ra, p, s, ps).contact(area, T)
    assert c.conductance == pytest.approx(area / ra, rel=1e-12, abs=0)
    assert c.polarization == pytest.approx(p, rel=1e-12, abs=1e-12)
    assert c.mixing == pytest.approx(1.0, rel=1e-12, abs=0)
    phase = TunnelBarrier(ra, p, s, ps, mixing=1.7).contact(area, T)  # reflection-phase part
    assert phase.mixing == pytest.approx(1.7, rel=1e-12, abs=0)
    assert phase.dg_mix.real == pytest.approx(c.dg_mix.real, rel=1e-12, abs=1e-300)
    assert c.seebeck(T) == pytest.approx(s, rel=1e-9, abs=1e-18)
    if abs(s) > 1e-9:
        s_up, s_dn = c.spin_seebeck(T)
        assert (s_up - s_dn) / (s_up + s_dn) == pytest.approx(ps, rel=1e-8, abs=1e-9)
        assert c.mixing_seebeck(T) == pytest.approx(s, rel=1e-9, abs=0)  # η' = η = 1


def test_a_barrier_removes_the_conductance_mismatch():
    """F|I|N with the normal node drained by a metallic contact to a normal lead: the spin
    current injected per unit charge current tends to the barrier's P as its resistance grows
    (the spin accumulation no longer pushes back), and stays well below P for a transparent
    contact."""
    efficiency = {}
    for ra in (1e-15, 1e-12, 1e-10, 1e-9):
        barrier = TunnelBarrier(ra, polarization=0.4)
        dev = Device(temperature=T)
        dev.add_node("F", "ferromagnet", reservoir=True, magnetization=[0, 0, 1], voltage=1e-3)
        dev.add_node("N", "normal", spin_flip=2e-3)
        dev.add_node("G", "normal", reservoir=True)
        dev.add_contact("F", "N", barrier.contact(area=1e-14, temperature=T))
        dev.add_contact("N", "G", ContactParameters.spin_independent(conductance=1e-1))
        sol = dev.finalize().solve()
        c = sol.contacts[0]
        efficiency[ra] = float(c.spin_current[2] / c.charge_current)
    assert abs(efficiency[1e-9]) == pytest.approx(0.4, rel=1e-3, abs=0)
    # the remaining back-flow is proportional to the barrier conductance, G ∝ 1/RA
    ratio = (0.4 - abs(efficiency[1e-9])) / (0.4 - abs(efficiency[1e-10]))
    assert ratio == pytest.approx(0.1, rel=1e-2, abs=0)
    assert abs(efficiency[1e-15]) < 0.3
    assert abs(efficiency[1e-15]) < abs(efficiency[1e-12]) < abs(efficiency[1e-9])


@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
def test_double_barrier_valve_against_the_closed_forms(regime):
    """F|I|N|I|F with identical barriers is the paper's symmetric valve with η = η' = 1: the
    thermal torque of the solver equals eq. 7 (thermalized) or its non-interacting analogue."""
    barrier = TunnelBarrier(1e-12, polarization=0.45, seebeck=-30e-6, seebeck_polarization=0.3)
    c = barrier.contact(area=1e-14, temperature=T)
    p = analytic.ValveParameters(conductance=c.conductance, polarization=0.45, mixing=1.0,
                                 seebeck=-30e-6,
                                 polarization_derivative=(0.3 + 0.45) / (1 + 0.3 * 0.45),
                                 mixing_derivative=1.0, temperature=T)
    theta = 1.1
    m1, m2 = analytic.magnetizations(theta)
    dev = Device(temperature=T, regime=regime)
    dev.add_node("L", "ferromagnet", reservoir=True, magnetization=m1)
    dev.add_node("N", "normal")
    dev.add_node("R", "ferromagnet", reservoir=True, magnetization=m2, temperature=T + 2.0)
    dev.add_contact("L", "N", c)
    dev.add_contact("R", "N", c)
    sol = dev.finalize().solve()
    closed = (analytic.thermalized_torque if regime == "thermalized"
              else analytic.noninteracting_torque)(p, theta, 0.0, 2.0)
    _, t_r = analytic.torque_vectors(closed, theta)
    np.testing.assert_allclose(sol.torques["R"] / TORQUE_PER_SPIN_CURRENT, t_r, rtol=1e-9,
                               atol=1e-9 * np.abs(t_r).max())
    assert np.abs(t_r).max() > 0


@pytest.mark.parametrize("kwargs, field", [
    (dict(resistance_area=0.0, polarization=0.3), "resistance_area"),
    (dict(resistance_area=1e-12, polarization=1.0), "polarization"),
    (dict(resistance_area=1e-12, polarization=0.3, seebeck_polarization=-1.2),
     "seebeck_polarization"),
    (dict(resistance_area=1e-12, polarization=float("nan")), "polarization"),
    (dict(resistance_area=1e-12, polarization=0.3, mixing=0.8), "mixing"),
])
def test_bad_barriers_name_the_field(kwargs, field):
    with pytest.raises(FieldError, match=f"^{field}: "):
        TunnelBarrier(**kwargs)
    with pytest.raises(FieldError, match="^area: must be positive"):
        TunnelBarrier(1e-12, 0.3).contact(area=-1.0, temperature=T)


def _mtj(scale=1.0):
    from spincaloric.circuit.tunnel import MagneticTunnelJunction

    return MagneticTunnelJunction(5e-12, tmr=1.2, seebeck_parallel=-60e-6 * scale,
                                  seebeck_antiparallel=-45e-6 * scale, temperature=T)


def test_mtj_by_energy_integration():
    """Independent route: integrate the model's spectral currents G(θ,ε)[f₁ − f₂] and
    G₀(ε)P(ε) sin θ [f₁ − f₂] over exact Fermi functions (G₀, P linear in ε, P' fixed by the
    measured S_P, S_AP), at a small voltage and temperature bias: the closed forms hold, and the
    zero-current thermopower is S_P at θ = 0 and S_AP at θ = π. (Thermopowers of a few µV/K
    keep the curvature of G₀(ε)P(ε)² — beyond Sommerfeld — small; it is accounted for below.)"""
    from spincaloric.constants import BOLTZMANN, ELEMENTARY_CHARGE, LORENZ
    from spincaloric.solvers.spectral import fermi

    mtj = _mtj(scale=0.1)
    e = ELEMENTARY_CHARGE
    p = mtj.polarization
    g_p = 1 / 5e-12
    g0 = g_p / (1 + p**2)
    a = e * LORENZ * T
    dg_p = 6e-6 * g_p / a
    dg_ap = 4.5e-6 * g_p / (1 + 1.2) / a
    dg0, dg0p2 = (dg_p + dg_ap) / 2, (dg_p - dg_ap) / 2
    dp = (dg0p2 - dg0 * p**2) / (2 * g0 * p)  # (g0 P²)' = g0' P² + 2 g0 P P'
    eps = np.linspace(-40, 40, 40001) * BOLTZMANN * T
    de = eps[1] - eps[0]
    g0e, pe = g0 + dg0 * eps, p + dp * eps

    def integrate(theta, dv, dt):
        f1 = fermi(eps, 0.0, T)
        f2 = fermi(eps, e * dv, T + dt)
        current = (g0e * (1 + pe**2 * np.cos(theta)) * (f1 - f2)).sum() * de / e
        spin = (g0e * pe * np.sin(theta) * (f1 - f2)).sum() * de / e
        return current, spin * TORQUE_PER_SPIN_CURRENT

    # G(ε) = g0(ε)[1 + P(ε)² cos θ] is cubic and g0(ε)P(ε) quadratic in ε: beyond the
    # Sommerfeld closed forms, a voltage bias picks up (π²/6)(k_BT)² G'' and a temperature bias
    # (7π²/5)(k_BT)² G₃/G₁ (G_n: coefficient of εⁿ); with these the comparison can be tight
    kt = BOLTZMANN * T
    for theta in (0.0, 0.7, 2.0, np.pi):
        c = np.cos(theta)
        g, g1 = g0 * (1 + p**2 * c), dg0 * (1 + c * p**2) + 2 * g0 * c * p * dp
        g2, g3 = 4 * dg0 * c * p * dp + 2 * g0 * c * dp**2, dg0 * c * dp**2
        k, k2 = g0 * p, 2 * dg0 * dp
        for dv, dt in ((1e-6, 0.0), (0.0, 1e-3)):
            i_num, t_num = integrate(theta, dv, dt)
            beyond = (1 + np.pi**2 / 6 * kt**2 * g2 / g if dv
                      else 1 + 7 * np.pi**2 / 5 * kt**2 * g3 / g1)
            i_cf = mtj.charge_current(theta, dv, dt) * beyond
            t_cf = mtj.torque(theta, dv, dt) * (1 + np.pi**2 / 6 * kt**2 * k2 / k if dv else 1)
            assert i_num == pytest.approx(i_cf, rel=2e-6, abs=0), (theta, dv, dt)
            assert t_num == pytest.approx(t_cf, rel=2e-6, abs=1e-12 * abs(i_cf)), (theta, dv, dt)
    for theta, s in ((0.0, -6e-6), (np.pi, -4.5e-6)):
        i_v, _ = integrate(theta, 1e-6, 0.0)
        i_t, _ = integrate(theta, 0.0, 1e-3)
        # zero current: G[SΔT − ΔV] = 0, so S = ΔV/ΔT; the measured S_P, S_AP are recovered
        # up to the beyond-Sommerfeld terms (a 1e-4 effect here, bounded by 5e-4)
        assert (i_t / 1e-3) / (-i_v / 1e-6) == pytest.approx(s, rel=5e-4, abs=0)


def test_mtj_angular_dependence_and_tmr():
    """G_P/G_AP − 1 = TMR; the torque vanishes for collinear layers and varies as sin θ at
    constant voltage (Slonczewski 2005); at constant current as sin θ/(1 + P² cos θ)."""
    mtj = _mtj()
    assert mtj.conductance(0.0) / mtj.conductance(np.pi) - 1 == pytest.approx(1.2, rel=1e-12,
                                                                               abs=0)
    theta = np.linspace(0, np.pi, 7)
    tau_v = mtj.torque(theta, delta_v=1e-3)
    assert abs(tau_v[0]) < 1e-30 and abs(tau_v[-1]) < 1e-12 * np.abs(tau_v).max()
    np.testing.assert_allclose(tau_v[1:-1] / np.sin(theta[1:-1]), tau_v[3], rtol=1e-12, atol=0)
    inner = theta[1:-1]
    per_current = mtj.torque(inner, delta_v=1e-3) / mtj.charge_current(inner, delta_v=1e-3)
    shape = np.sin(inner) / (1 + mtj.polarization**2 * np.cos(inner))
    np.testing.assert_allclose(per_current / shape, per_current[0] / shape[0], rtol=1e-12,
                               atol=0)
    # electrons flowing from the fixed into the free layer (ΔV < 0) pull m₂ towards m₁
    assert mtj.torque(1.0, delta_v=-1e-3) > 0


@pytest.mark.parametrize("kwargs, field", [
    (dict(resistance_area_parallel=-1.0), "resistance_area_parallel"),
    (dict(tmr=0.0), "tmr"),
    (dict(temperature=float("inf")), "temperature"),
])
def test_bad_junctions_name_the_field(kwargs, field):
    from spincaloric.circuit.tunnel import MagneticTunnelJunction

    base = dict(resistance_area_parallel=5e-12, tmr=1.0, seebeck_parallel=-5e-5,
                seebeck_antiparallel=-4e-5, temperature=T)
    with pytest.raises(FieldError, match=f"^{field}: "):
        MagneticTunnelJunction(**{**base, **kwargs})
