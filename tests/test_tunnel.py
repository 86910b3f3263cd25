"""Tunnel contacts (F|I|N): parameter mapping, the tunnel limit of spin injection, and a
double-barrier valve against the closed forms."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spincaloric import ContactParameters, Device, analytic
from spincaloric.constants import TORQUE_PER_SPIN_CURRENT
from spincaloric.errors import FieldError
from spincaloric.tunnel import TunnelBarrier

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
])
def test_bad_barriers_name_the_field(kwargs, field):
    with pytest.raises(FieldError, match=f"^{field}: "):
        TunnelBarrier(**kwargs)
    with pytest.raises(FieldError, match="^area: must be positive"):
        TunnelBarrier(1e-12, 0.3).contact(area=-1.0, temperature=T)
