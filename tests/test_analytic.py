"""The closed forms of the symmetric valve (spincaloric.analytic, physics.md §5) on their own.

Every check here is an independent route to the same number: a direct solution of the node's
Kirchhoff equations built from the contact response of physics.md §2 (written out below, not
taken from the package), the zero-current condition solved from eq. 4, Onsager reciprocity,
and limits derived by hand in the docstrings. tests/test_closed_forms.py compares the same
formulas with the general circuit solver.
"""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from spincaloric import analytic
from spincaloric.analytic import ValveParameters
from spincaloric.constants import LORENZ, TORQUE_PER_SPIN_CURRENT
from spincaloric.errors import FieldError

BASE = dict(conductance=1e-2, polarization=0.6, mixing=0.7, seebeck=-20e-6,
            polarization_derivative=0.9, mixing_derivative=0.2, temperature=300.0)

DRIVEN = (analytic.thermalized_spin_accumulation, analytic.thermalized_charge_current,
          analytic.thermalized_heat_current, analytic.thermalized_torque,
          analytic.noninteracting_charge_current, analytic.noninteracting_heat_current,
          analytic.noninteracting_torque)
RATIOS = (analytic.thermopower_ratio, analytic.noninteracting_torque_correction,
          analytic.noninteracting_torque_correction_limit, analytic.spin_temperature_ratio,
          analytic.spin_temperature_ratio_limit)


def physical(lo, hi, floor):
    """Floats in [lo, hi] with magnitudes below ``floor`` set to 0 (no subnormal drives)."""
    return st.floats(lo, hi).map(lambda x: 0.0 if abs(x) < floor else x)


@st.composite
def parameters(draw, seebeck=None, max_seebeck=50e-6):
    """Valve parameters with D = L0A² − S²B² > 0 at every angle (|S| < √L0, |η'S| < η√L0)."""
    eta = draw(st.floats(0.05, 3.0))
    s = draw(physical(-max_seebeck, max_seebeck, 1e-12)) if seebeck is None else seebeck
    etap = draw(st.floats(-3.0, 3.0))
    if s:
        bound = 0.8 * eta * np.sqrt(LORENZ) / abs(s)
        etap = float(np.clip(etap, -bound, bound))
    return ValveParameters(conductance=draw(st.floats(1e-3, 1e-1)),
                           polarization=draw(st.floats(-0.99, 0.99)), mixing=eta, seebeck=s,
                           polarization_derivative=draw(st.floats(-2.0, 2.0)),
                           mixing_derivative=etap, temperature=draw(st.floats(1.0, 1000.0)))


angles = st.floats(0.0, np.pi)
voltages = physical(-1e-3, 1e-3, 1e-12)
temperatures = physical(-10.0, 10.0, 1e-9)


def current_scale(p, dv, dt):
    """A current (A) above every term of I_c and the torque for these drives."""
    return p.conductance * (abs(dv) + 2e-4 * abs(dt) + 1e-12)


def replace(p, **changes):
    return ValveParameters(**{**p.__dict__, **changes})


# ---- an independent reference: physics.md §2 solved for the node -----------------------------


def spin_block(g, pol, mix, m):
    """4x4 (scalar, vector) block of physics.md §2 with Im G_mix = 0:
    [[g, g pol/2 mᵀ], [g pol m, g/2 P_m + mix g/2 Q_m]]."""
    pm = np.outer(m, m)
    out = np.zeros((4, 4))
    out[0, 0] = g
    out[0, 1:] = g * pol / 2 * m
    out[1:, 0] = g * pol * m
    out[1:, 1:] = g / 2 * pm + mix * g / 2 * (np.eye(3) - pm)
    return out


def contact_response(p, m):
    """J = K ΔX for X = (V_c, V⃗_s, T_c, T⃗_s), J = (I_c, I⃗_s, Q_c, Q⃗_s); a G' = −GS."""
    a0 = spin_block(p.conductance, p.polarization, p.mixing, m)
    a1 = spin_block(-p.conductance * p.seebeck, p.polarization_derivative,
                    p.mixing_derivative, m)
    t = p.temperature
    return np.block([[a0, a1], [t * a1, LORENZ * t * a0]])


def reference_valve(p, theta, dv, dt, regime):
    """Node state X_N and the R contact's current J_R, torques (A) on L and R."""
    m1 = np.array([-np.sin(theta / 2), 0.0, np.cos(theta / 2)])
    m2 = np.array([np.sin(theta / 2), 0.0, np.cos(theta / 2)])
    k1, k2 = contact_response(p, m1), contact_response(p, m2)
    x_r = np.array([dv, 0, 0, 0, dt, 0, 0, 0], dtype=float)  # X_L = 0
    unknown = list(range(5)) if regime == "thermalized" else list(range(8))
    scale = np.array([1, 1, 1, 1, 1e-4, 1e-4, 1e-4, 1e-4])[unknown]  # equilibrate the blocks
    # Kirchhoff: K1 (0 − X_N) + K2 (X_R − X_N) = 0 on the conserved rows
    lhs = (k1 + k2)[np.ix_(unknown, unknown)] * scale
    rhs = (k2 @ x_r)[unknown]
    x_n = np.zeros(8)
    x_n[unknown] = np.linalg.solve(lhs, rhs) * scale
    j_l, j_r = k1 @ (0 - x_n), k2 @ (x_r - x_n)

    def absorbed(j, m):  # physics.md §4: −(I⃗_s, F→N)_⊥
        return -(j[1:4] - m * (m @ j[1:4]))

    return x_n, j_r, absorbed(j_l, m1), absorbed(j_r, m2)


@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
@settings(max_examples=150, deadline=None)
@given(p=parameters(), theta=angles, dv=voltages, dt=temperatures)
def test_closed_forms_solve_the_section2_circuit(regime, p, theta, dv, dt):
    x_n, j_r, tau_l, tau_r = reference_valve(p, theta, dv, dt, regime)
    i_scale = current_scale(p, dv, dt)
    v_scale = abs(dv) + 2e-4 * abs(dt) + 1e-15
    if regime == "thermalized":
        v = analytic.thermalized_spin_accumulation(p, theta, dv, dt)
        ts = 0.0
        i_c = analytic.thermalized_charge_current(p, theta, dv, dt)
        q_c = analytic.thermalized_heat_current(p, theta, dv, dt)
        tau = analytic.thermalized_torque(p, theta, dv, dt)
    else:
        v, ts = analytic.noninteracting_accumulations(p, theta, dv, dt)
        i_c = analytic.noninteracting_charge_current(p, theta, dv, dt)
        q_c = analytic.noninteracting_heat_current(p, theta, dv, dt)
        tau = analytic.noninteracting_torque(p, theta, dv, dt)
    np.testing.assert_allclose(x_n[1:4], [v, 0, 0], rtol=1e-7, atol=1e-9 * v_scale)
    np.testing.assert_allclose(x_n[5:8], [ts, 0, 0], rtol=1e-7,
                               atol=1e-9 * (abs(dt) + 1e4 * abs(dv) + 1e-12))
    np.testing.assert_allclose(j_r[0], i_c, rtol=1e-7, atol=1e-9 * i_scale)
    np.testing.assert_allclose(j_r[4], q_c, rtol=1e-7, atol=1e-9 * i_scale * p.temperature * 1e-3)
    ref_l, ref_r = analytic.torque_vectors(tau, theta)
    np.testing.assert_allclose(tau_l, ref_l, rtol=1e-7, atol=1e-9 * i_scale)
    np.testing.assert_allclose(tau_r, ref_r, rtol=1e-7, atol=1e-9 * i_scale)


# ---- eq. 5 and the Wiedemann–Franz violation, from the zero-current condition ---------------


def open_circuit_voltage(p, theta, dt):
    """ΔV at I_c = 0 from eq. 4 alone: I_c is linear, I_c = g_v ΔV + g_t ΔT."""
    g_v = analytic.thermalized_charge_current(p, theta, 1.0, 0.0)
    g_t = analytic.thermalized_charge_current(p, theta, 0.0, 1.0)
    return -g_t / g_v * dt


@settings(max_examples=200, deadline=None)
@given(p=parameters(), theta=angles, dt=st.floats(0.1, 10.0))
def test_eq5_is_the_open_circuit_thermopower(p, theta, dt):
    assume(abs(p.seebeck) > 1e-8)
    dv = open_circuit_voltage(p, theta, dt)
    # the root is one: I_c vanishes there (linearity of eq. 4 checked on the way)
    assert abs(analytic.thermalized_charge_current(p, theta, dv, dt)) <= \
        1e-12 * p.conductance * abs(p.seebeck * dt)
    np.testing.assert_allclose(analytic.thermopower_ratio(p, theta), dv / (p.seebeck * dt),
                               rtol=1e-10, atol=0)


def test_eq5_collinear_values():
    p = ValveParameters(**BASE)
    pol, pp = p.polarization, p.polarization_derivative
    assert float(analytic.thermopower_ratio(p, 0.0)) == 1.0
    assert float(analytic.thermopower_ratio(p, np.pi)) == pytest.approx(
        (1 - pol * pp) / (1 - pol**2), rel=1e-14, abs=0)


@settings(max_examples=200, deadline=None)
@given(p=parameters(), theta=angles, dt=st.floats(0.1, 10.0))
def test_wiedemann_franz_violation_at_zero_current(p, theta, dt):
    """With f = t/(η + t) = s²/A and r = ΔV/(SΔT) = (1 − PP'f)/(1 − P²f) (eq. 5), eq. 6 gives
    Q_c/ΔT = L0TG/2 − (S²TG/2) [r(1 − PP'f) + P'²f]
           = L0TG/2 − (S²TG/2) [(1 − PP'f)²/(1 − P²f) + P'²f]   (≤ L0TG/2)."""
    dv = open_circuit_voltage(p, theta, dt)
    kappa = analytic.thermalized_heat_current(p, theta, dv, dt) / dt
    s2 = np.sin(theta / 2) ** 2
    f = s2 / (s2 + p.mixing * np.cos(theta / 2) ** 2)
    pol, pp, g, t = p.polarization, p.polarization_derivative, p.conductance, p.temperature
    deficit = (p.seebeck**2 * t * g / 2) * ((1 - pol * pp * f) ** 2 / (1 - pol**2 * f) + pp**2 * f)
    wf = LORENZ * t * g / 2
    np.testing.assert_allclose(wf - kappa, deficit, rtol=1e-6, atol=1e-12 * wf)
    assert kappa <= wf * (1 + 1e-12)


def test_wiedemann_franz_collinear_parallel():
    """θ = 0: Q_c/ΔT at I_c = 0 is (L0 − S²)TG/2, below the Wiedemann–Franz value by GS²T/2
    (the 'paper's κ = L0TG reading' of physics.md §5)."""
    p = ValveParameters(**BASE)
    dv = open_circuit_voltage(p, 0.0, 1.0)
    kappa = float(analytic.thermalized_heat_current(p, 0.0, dv, 1.0))
    g, s, t = p.conductance, p.seebeck, p.temperature
    assert kappa == pytest.approx((LORENZ - s**2) * t * g / 2, rel=1e-12, abs=0)
    assert LORENZ * t * g / 2 - kappa == pytest.approx(g * s**2 * t / 2, rel=1e-6, abs=0)


# ---- Onsager reciprocity of the two-terminal response ----------------------------------------


@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
@settings(max_examples=150, deadline=None)
@given(p=parameters(), theta=angles, dv=voltages, dt=temperatures)
def test_onsager_reciprocity(regime, p, theta, dv, dt):
    """In the conjugate basis (ΔV, ΔT/T) the reservoir response is symmetric:
    T ∂I_c/∂ΔT = ∂Q_c/∂ΔV. Both regimes (checked symbolically from physics.md §2 too: a
    global rotation by π about ŷ maps (m1, m2) → (−m1, −m2), so L(m) = L(−m) here)."""
    current = getattr(analytic, f"{regime}_charge_current")
    heat = getattr(analytic, f"{regime}_heat_current")
    i_v, i_t = current(p, theta, 1.0, 0.0), current(p, theta, 0.0, 1.0)
    q_v, q_t = heat(p, theta, 1.0, 0.0), heat(p, theta, 0.0, 1.0)
    # the currents are linear in the drives, so unit drives give the coefficients
    np.testing.assert_allclose(current(p, theta, dv, dt), i_v * dv + i_t * dt, rtol=1e-9,
                               atol=1e-12 * current_scale(p, dv, dt))
    np.testing.assert_allclose(heat(p, theta, dv, dt), q_v * dv + q_t * dt, rtol=1e-9,
                               atol=1e-12 * p.conductance * p.temperature * LORENZ * abs(dt)
                               + 1e-12 * abs(q_v * dv))
    scale = p.conductance * p.temperature * max(abs(p.seebeck), 1e-9)
    np.testing.assert_allclose(p.temperature * i_t, q_v, rtol=1e-9, atol=1e-12 * scale)


# ---- thermal ≡ electrical (thermalized torque) -----------------------------------------------


@settings(max_examples=150, deadline=None)
@given(p=parameters(), theta=angles, dt=temperatures)
def test_temperature_bias_acts_as_effective_voltage(p, theta, dt):
    """Eq. 7 depends on the drives only through PΔV − P'SΔT, so ΔT alone acts like
    ΔV_eff = −(P'/P)SΔT (physics.md §5). With PΔV = +P'SΔT the torques are opposite."""
    assume(abs(p.polarization) > 1e-3)
    dv_eff = -p.polarization_derivative * p.seebeck * dt / p.polarization
    for f in (analytic.thermalized_torque, analytic.thermalized_spin_accumulation):
        thermal = f(p, theta, 0.0, dt)
        atol = 1e-12 * current_scale(p, dv_eff, dt)
        np.testing.assert_allclose(f(p, theta, dv_eff, 0.0), thermal, rtol=1e-12, atol=atol)
        np.testing.assert_allclose(f(p, theta, -dv_eff, 0.0), -thermal, rtol=1e-12, atol=atol)


# ---- non-interacting vs thermalized ----------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(p=parameters(seebeck=0.0), theta=angles, dv=voltages, dt=temperatures)
def test_noninteracting_at_zero_seebeck(p, theta, dv, dt):
    """S = 0: D = L0A², so v = sPΔV/A (the thermalized value) and τ_s = sPΔT/A. Hence I_c and
    τ agree with eqs. 4 and 7 for any ΔV, ΔT, while the heat current does not:
    Q̃_c − Q_c = −(G/2) L0 T P² f ΔT, f = s²/A (the spin heat accumulation blocks heat)."""
    s, c = np.sin(theta / 2), np.cos(theta / 2)
    a = s**2 + p.mixing * c**2
    pol, g, t = p.polarization, p.conductance, p.temperature
    v, ts = analytic.noninteracting_accumulations(p, theta, dv, dt)
    i_scale = current_scale(p, dv, dt)
    np.testing.assert_allclose(v, analytic.thermalized_spin_accumulation(p, theta, dv, dt),
                               rtol=1e-12, atol=1e-15 * abs(dv))
    np.testing.assert_allclose(ts, s * pol * dt / a, rtol=1e-12, atol=1e-15 * abs(dt))
    np.testing.assert_allclose(analytic.noninteracting_charge_current(p, theta, dv, dt),
                               analytic.thermalized_charge_current(p, theta, dv, dt),
                               rtol=1e-12, atol=1e-14 * i_scale)
    np.testing.assert_allclose(analytic.noninteracting_torque(p, theta, dv, dt),
                               analytic.thermalized_torque(p, theta, dv, dt),
                               rtol=1e-12, atol=1e-14 * i_scale)
    dq = (analytic.noninteracting_heat_current(p, theta, dv, dt)
          - analytic.thermalized_heat_current(p, theta, dv, dt))
    q_scale = g * LORENZ * t * abs(dt) + 1e-30
    np.testing.assert_allclose(dq, -(g / 2) * LORENZ * t * pol**2 * (s**2 / a) * dt,
                               rtol=1e-9, atol=1e-12 * q_scale)


@settings(max_examples=150, deadline=None)
@given(p=parameters(), theta=angles, dv=voltages, dt=temperatures)
def test_noninteracting_with_derivatives_equal_to_values(p, theta, dv, dt):
    """P' = P and η' = η (energy-independent spin asymmetry): A = B, D = A²(L0 − S²), and the
    spin channels decouple: v = sPΔV/A, τ_s = sPΔT/A. Then I_c and τ equal eqs. 4 and 7 for
    any S, but v ≠ thermalized v = sP(ΔV − SΔT)/A and
    Q̃_c − Q_c = −(G/2) T P² f (L0 − S²) ΔT. So the regimes do not coincide."""
    p = replace(p, polarization_derivative=p.polarization, mixing_derivative=p.mixing)
    s, c = np.sin(theta / 2), np.cos(theta / 2)
    a = s**2 + p.mixing * c**2
    pol, g, t, sb = p.polarization, p.conductance, p.temperature, p.seebeck
    v, ts = analytic.noninteracting_accumulations(p, theta, dv, dt)
    i_scale = current_scale(p, dv, dt)
    np.testing.assert_allclose(v, s * pol * dv / a, rtol=1e-9, atol=1e-12 * (abs(dv) + 1e-6 * abs(dt)))
    np.testing.assert_allclose(ts, s * pol * dt / a, rtol=1e-9, atol=1e-12 * (abs(dt) + 1e3 * abs(dv)))
    np.testing.assert_allclose(analytic.noninteracting_charge_current(p, theta, dv, dt),
                               analytic.thermalized_charge_current(p, theta, dv, dt),
                               rtol=1e-9, atol=1e-12 * i_scale)
    np.testing.assert_allclose(analytic.noninteracting_torque(p, theta, dv, dt),
                               analytic.thermalized_torque(p, theta, dv, dt),
                               rtol=1e-9, atol=1e-12 * i_scale)
    dq = (analytic.noninteracting_heat_current(p, theta, dv, dt)
          - analytic.thermalized_heat_current(p, theta, dv, dt))
    q_scale = g * LORENZ * t * (abs(dt) + 1e-3 * abs(dv))
    np.testing.assert_allclose(dq, -(g / 2) * t * pol**2 * (s**2 / a) * (LORENZ - sb**2) * dt,
                               rtol=1e-6, atol=1e-9 * q_scale)


# ---- eqs. 8 and 9 ----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(p=parameters(), theta=st.floats(1e-3, np.pi))
def test_eq8_exact_is_the_ratio_of_the_torques(p, theta):
    assume(abs(p.seebeck) > 1e-7 and abs(p.polarization_derivative) > 1e-2)
    tau = analytic.thermalized_torque(p, theta, 0.0, 1.0)
    tau_ni = analytic.noninteracting_torque(p, theta, 0.0, 1.0)
    corr = analytic.noninteracting_torque_correction(p, theta)
    np.testing.assert_allclose((tau_ni - tau) / tau, corr, rtol=1e-7, atol=1e-9)
    # eq. 9 ties the spin temperature to the same correction: T_s/ΔT = ηP'/[(η' − η)s] × corr
    ts = analytic.spin_temperature_ratio(p, theta)
    _, ts_direct = analytic.noninteracting_accumulations(p, theta, 0.0, 1.0)
    np.testing.assert_allclose(ts, ts_direct, rtol=1e-12, atol=0)
    assume(abs(p.mixing_derivative - p.mixing) > 1e-2)
    np.testing.assert_allclose(ts, p.mixing * p.polarization_derivative * corr
                               / ((p.mixing_derivative - p.mixing) * np.sin(theta / 2)),
                               rtol=1e-9, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(p=parameters(seebeck=1e-6), theta=st.floats(1e-2, np.pi))
def test_eq8_and_eq9_limits_scale_as_seebeck_squared(p, theta):
    """With ε = S²/L0, u = εB²/A², w = εBP'/(AP), the exact forms are the limits times
    (1 − w)/(1 − u), so
    exact8 − limit8 = ε (η' − η) s² B (PB − P'A)/(ηP'A³) / (1 − u),
    exact9 − limit9 = ε s B (PB − P'A)/A³ / (1 − u):
    the relative difference is (u − w)/(1 − u) = O(S²)."""
    assume(abs(p.polarization_derivative) > 1e-2)
    s, c = np.sin(theta / 2), np.cos(theta / 2)
    a, b = s**2 + p.mixing * c**2, s**2 + p.mixing_derivative * c**2
    pol, pp, eta, etap = p.polarization, p.polarization_derivative, p.mixing, p.mixing_derivative
    coef8 = (etap - eta) * s**2 * b * (pol * b - pp * a) / (eta * pp * a**3)
    coef9 = s * b * (pol * b - pp * a) / a**3
    for sb in (3e-6, 1e-6, 1e-7, 0.0):
        q = replace(p, seebeck=sb)
        eps = sb**2 / LORENZ
        u = eps * b**2 / a**2
        lim8 = analytic.noninteracting_torque_correction_limit(q, theta)
        lim9 = analytic.spin_temperature_ratio_limit(q, theta)
        d8 = analytic.noninteracting_torque_correction(q, theta) - lim8
        d9 = analytic.spin_temperature_ratio(q, theta) - lim9
        np.testing.assert_allclose(d8, eps * coef8 / (1 - u), rtol=1e-6, atol=1e-13 * (1 + abs(lim8)))
        np.testing.assert_allclose(d9, eps * coef9 / (1 - u), rtol=1e-6, atol=1e-13 * (1 + abs(lim9)))


def test_spin_temperature_at_antiparallel():
    """θ = π (A = B = 1): T_s/ΔT = (L0P − S²P')/(L0 − S²), which is P for S = 0 — physics.md's
    T⃗_s = PΔT m2 — and along x̂ = m2."""
    p = ValveParameters(**BASE)
    pol, pp, sb = p.polarization, p.polarization_derivative, p.seebeck
    exact = (LORENZ * pol - sb**2 * pp) / (LORENZ - sb**2)
    assert float(analytic.spin_temperature_ratio(p, np.pi)) == pytest.approx(exact, rel=1e-12, abs=0)
    assert exact != pytest.approx(pol, rel=1e-6, abs=0)  # not P when S² is kept
    assert float(analytic.spin_temperature_ratio_limit(p, np.pi)) == pytest.approx(pol, rel=1e-14, abs=0)
    q = replace(p, seebeck=0.0)
    assert float(analytic.spin_temperature_ratio(q, np.pi)) == pytest.approx(pol, rel=1e-14, abs=0)
    _, ts = analytic.noninteracting_accumulations(q, np.pi, 0.0, 2.5)
    _, m2 = analytic.magnetizations(np.pi)
    np.testing.assert_allclose(float(ts) * np.array([1.0, 0, 0]), pol * 2.5 * m2, rtol=1e-14,
                               atol=1e-15)


# ---- collinear configurations, geometry, units -----------------------------------------------


@settings(max_examples=100, deadline=None)
@given(p=parameters(), dv=voltages, dt=temperatures)
def test_torque_vanishes_for_collinear_magnets(p, dv, dt):
    i_scale = current_scale(p, dv, dt)
    for f in (analytic.thermalized_torque, analytic.noninteracting_torque):
        assert float(f(p, 0.0, dv, dt)) == 0.0
        assert abs(float(f(p, np.pi, dv, dt))) <= 1e-15 * i_scale
        # while it does not vanish in between (for generic drives)
        if abs(p.polarization * dv) > 1e-6 and abs(dt) < 1e-3:
            assert abs(float(f(p, np.pi / 2, dv, dt))) > 1e-6 * i_scale


def test_finite_at_collinear_angles_without_warnings():
    cases = [ValveParameters(**BASE), replace(ValveParameters(**BASE), mixing=0.0,
                                               mixing_derivative=0.0)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for p in cases:
            for theta in (0.0, np.pi):
                for f in DRIVEN:
                    assert np.isfinite(f(p, theta, 1e-3, 1.0)), (f.__name__, theta)
                assert np.all(np.isfinite(analytic.noninteracting_accumulations(p, theta, 1e-3, 1.0)))
                assert np.isfinite(analytic.thermopower_ratio(p, theta))
                assert np.isfinite(analytic.spin_temperature_ratio(p, theta))
                assert np.isfinite(analytic.spin_temperature_ratio_limit(p, theta))
            assert float(analytic.thermalized_spin_accumulation(p, 0.0, 1e-3, 1.0)) == 0.0
            assert float(analytic.thermopower_ratio(p, 0.0)) == 1.0
        p = cases[0]
        for theta in (0.0, np.pi):
            assert np.isfinite(analytic.noninteracting_torque_correction(p, theta))
            assert np.isfinite(analytic.noninteracting_torque_correction_limit(p, theta))
    assert float(analytic.noninteracting_torque_correction(cases[0], 0.0)) == 0.0


@given(theta=st.floats(0.0, 2 * np.pi), tau=physical(-1.0, 1.0, 1e-12))
def test_frame_and_torque_vectors(theta, tau):
    m1, m2 = analytic.magnetizations(theta)
    np.testing.assert_allclose(np.linalg.norm(m1), 1, rtol=1e-15, atol=0)
    np.testing.assert_allclose(np.linalg.norm(m2), 1, rtol=1e-15, atol=0)
    np.testing.assert_allclose(m1 @ m2, np.cos(theta), rtol=0, atol=1e-15)
    if 1e-6 < theta < 2 * np.pi - 1e-6:  # x̂ = (m2 − m1)/|m2 − m1|
        np.testing.assert_allclose((m2 - m1) / np.linalg.norm(m2 - m1), [1, 0, 0], rtol=0,
                                   atol=1e-12)
    t_l, t_r = analytic.torque_vectors(tau, theta)
    assert abs(t_l @ m1) <= 1e-15 and abs(t_r @ m2) <= 1e-15
    np.testing.assert_allclose(np.linalg.norm(t_l), abs(tau), rtol=1e-15, atol=0)
    # τ > 0 turns m1 toward m2 and m2 away from m1: τ⃗_L·m2 = τ sin θ = −τ⃗_R·m1
    np.testing.assert_allclose(t_l @ m2, tau * np.sin(theta), rtol=0, atol=1e-15)
    np.testing.assert_allclose(t_r @ m1, -tau * np.sin(theta), rtol=0, atol=1e-15)


def test_sign_of_the_torque_follows_the_electron_flow():
    """physics.md §4: electrons flowing from R through the spacer into L pull m_L toward m_R
    (P > 0). ΔV = V_R − V_L > 0 raises μ_R: electrons flow R → L, I_c > 0."""
    p = ValveParameters(**BASE)
    theta = 1.0
    for f, i in ((analytic.thermalized_torque, analytic.thermalized_charge_current),
                 (analytic.noninteracting_torque, analytic.noninteracting_charge_current)):
        assert float(i(p, theta, 1e-3)) > 0
        t_l, t_r = analytic.torque_vectors(f(p, theta, 1e-3), theta)
        m1, m2 = analytic.magnetizations(theta)
        assert t_l @ m2 > 0 and t_r @ m1 < 0


def test_newton_metre_conversion():
    tau = np.array([1e-3, -2e-3])
    np.testing.assert_allclose(analytic.to_newton_metre(tau), TORQUE_PER_SPIN_CURRENT * tau,
                               rtol=1e-15, atol=0)
    assert TORQUE_PER_SPIN_CURRENT == pytest.approx(3.291e-16, rel=1e-3, abs=0)


def test_broadcasting_over_parameters_angles_and_drives():
    pol = np.array([-0.4, 0.2, 0.9]).reshape(3, 1, 1)
    theta = np.linspace(0.0, np.pi, 4).reshape(1, 4, 1)
    dv = np.linspace(-1e-3, 1e-3, 5)
    dt = 2.0
    p = ValveParameters(**{**BASE, "polarization": pol})
    assert p.polarization.shape == (3, 1, 1) and not p.polarization.flags.writeable
    for f in DRIVEN:
        out = f(p, theta, dv, dt)
        assert out.shape == (3, 4, 5), f.__name__
        for i in range(3):
            q = ValveParameters(**{**BASE, "polarization": float(pol[i, 0, 0])})
            for j in range(4):
                np.testing.assert_allclose(out[i, j], f(q, theta[0, j, 0], dv, dt), rtol=1e-14,
                                           atol=0, err_msg=f.__name__)
    v, ts = analytic.noninteracting_accumulations(p, theta, dv, dt)
    assert v.shape == ts.shape == (3, 4, 5)
    for f in RATIOS:
        assert f(p, theta).shape == (3, 4, 1), f.__name__
    t_l, t_r = analytic.torque_vectors(analytic.thermalized_torque(p, theta, dv, dt), theta)
    assert t_l.shape == t_r.shape == (3, 4, 5, 3)
    assert analytic.magnetizations(theta)[0].shape == (1, 4, 1, 3)
    assert isinstance(analytic.thermalized_torque(ValveParameters(**BASE), 1.0, 1e-3), np.floating)


# ---- parameter validation --------------------------------------------------------------------


@pytest.mark.parametrize("field, bad", [
    ("conductance", 0.0), ("conductance", -1e-3), ("polarization", 1.01),
    ("polarization", -1.5), ("mixing", -0.1), ("temperature", 0.0), ("temperature", -5.0),
    ("seebeck", np.nan), ("polarization_derivative", np.inf), ("mixing_derivative", "x"),
    ("conductance", 1e-2 + 1e-3j), ("polarization", [0.1, 1.2]),
])
def test_invalid_parameters_name_the_field(field, bad):
    with pytest.raises(ValueError, match=field) as err:
        ValveParameters(**{**BASE, field: bad})
    assert isinstance(err.value, FieldError) and err.value.field == field


def test_valid_edge_parameters():
    p = ValveParameters(**{**BASE, "polarization": -1.0, "mixing": 0.0,
                           "polarization_derivative": -5.0, "mixing_derivative": -3.0})
    assert p.polarization == -1.0 and isinstance(p.polarization, float)
    with pytest.raises(AttributeError):
        p.polarization = 0.5  # frozen
