"""Spin pumping closed forms (spincaloric.analytic, physics.md §9) against independent routes.

The contact response K(m) of physics.md §2 is written out below (not taken from the package), and
every closed form is compared with a direct solution built from it: the pumped currents as K
applied to the spin bias (ħ/e) ṁ × m, the damping from the eigenvalues of the linearised LLG
with that torque, the backflow of a F|N|F trilayer from the node's Kirchhoff equations, the
pumped charge and heat of a valve from the same node and from reciprocity with the thermal
torque of eq. 7, the torque noise from every contact's Johnson noise. The sign of the Im G↑↓
term is fixed by Onsager–Casimir symmetry of the magnet + contact system, and the test shows
the other sign breaks it. The headline pillar's numbers are recomputed from its device file.
"""

import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from scipy import constants as sc
from scipy.integrate import quad

from spincaloric import analytic
from spincaloric.analytic import ValveParameters
from spincaloric.constants import (
    BOLTZMANN,
    ELECTRON_G,
    ELEMENTARY_CHARGE,
    HBAR,
    LORENZ,
    gyromagnetic_ratio,
)
from spincaloric.errors import FieldError

E, T0 = ELEMENTARY_CHARGE, 300.0
HB_E, HB_2E = HBAR / E, HBAR / (2 * E)
PILLAR = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"
ETA_CU_CO_001_DIRTY = 0.49  # η of Cu/Co(001)* (Hatami et al., PRL 99, 066603 (2007), Table I)


# ---- the contact response of physics.md §2, written out ---------------------------------------

def cross(m):
    return np.array([[0, -m[2], m[1]], [m[2], 0, -m[0]], [-m[1], m[0], 0]])


def block(gu, gd, gm, m):
    """4x4 spin-space conductance on (scalar, vector)."""
    pm = np.outer(m, m)
    out = np.zeros((4, 4))
    out[0, 0] = gu + gd
    out[0, 1:] = 0.5 * (gu - gd) * m
    out[1:, 0] = (gu - gd) * m
    out[1:, 1:] = (0.5 * (gu + gd) * pm + gm.real * (np.eye(3) - pm) - gm.imag * cross(m))
    return out


def response(c, m, t=T0):
    """K(m) (8x8) of a contact c = (G↑, G↓, G↑↓, G↑', G↓', G↑↓') (S, S/J)."""
    gu, gd, gm, dgu, dgd, dgm = c
    a = E * LORENZ * t
    k = np.zeros((8, 8))
    k[:4, :4] = block(gu, gd, gm, m)
    k[:4, 4:] = a * block(dgu, dgd, dgm, m)
    k[4:, :4] = a * t * block(dgu, dgd, dgm, m)
    k[4:, 4:] = LORENZ * t * block(gu, gd, gm, m)
    return k


def valve_contact(p: ValveParameters, scale=1.0):
    """The contact of a ValveParameters (Im G↑↓ = 0) as (G↑, G↓, G↑↓, G↑', G↓', G↑↓')."""
    g, dg = p.conductance * scale, -p.seebeck * p.conductance * scale / (E * LORENZ * p.temperature)
    return (g * (1 + p.polarization) / 2, g * (1 - p.polarization) / 2,
            complex(p.mixing * g / 2), dg * (1 + p.polarization_derivative) / 2,
            dg * (1 - p.polarization_derivative) / 2, complex(p.mixing_derivative * dg / 2))


def random_contact(rng, imaginary=True):
    g, pol = rng.uniform(0.5, 1.5), rng.uniform(-0.8, 0.8)
    dg = -rng.uniform(-2e-5, 2e-5) * g / (E * LORENZ * T0)
    pp = rng.uniform(-1, 1)
    im = rng.uniform(-0.3, 0.3) * g / 2 if imaginary else 0.0
    return (g * (1 + pol) / 2, g * (1 - pol) / 2, complex(rng.uniform(0.2, 1.5) * g / 2, im),
            dg * (1 + pp) / 2, dg * (1 - pp) / 2,
            complex(rng.uniform(-1, 1) * dg / 2, im * rng.uniform(-1, 1) * dg / g))


def unit(v):
    v = np.asarray(v, float)
    return v / np.linalg.norm(v)


def pump_state(m, mdot):
    """The 8-vector of the pumping spin bias X⃗ = (ħ/e) ṁ × m on a ferromagnet's side."""
    x = np.zeros(8)
    x[1:4] = HB_E * np.cross(mdot, m)
    return x


def solve_node(contacts, gsf=0.0, thermalized=True):
    """One normal node joined to reservoirs: contacts = [(c, m, X_reservoir)], currents from the
    reservoir into the node J = K (X_res − X_node); returns (X_node, [J])."""
    a, b = np.zeros((8, 8)), np.zeros(8)
    for c, m, x in contacts:
        k = response(c, m)
        a += k
        b += k @ x
    a[1:4, 1:4] += gsf * np.eye(3)
    a[5:8, 5:8] += LORENZ * T0 * gsf * np.eye(3)
    idx = np.arange(5) if thermalized else np.arange(8)
    xn = np.zeros(8)
    xn[idx] = np.linalg.solve(a[np.ix_(idx, idx)], b[idx])
    return xn, [response(c, m) @ (x - xn) for c, m, x in contacts]


# ---- 1. pumping as a spin bias; prefactors; the energy-resolved derivation ----------------------

def test_pumped_currents_are_the_contact_response_to_the_spin_bias():
    rng = np.random.default_rng(3)
    for _ in range(20):
        c, m, mdot = random_contact(rng), unit(rng.normal(size=3)), rng.normal(size=3) * 1e10
        mdot -= (mdot @ m) * m
        j = response(c, m) @ pump_state(m, mdot)       # F side biased, N side at rest
        size = np.abs(j[1:4]).max()
        assert abs(j[0]) < 1e-12 * size and abs(j[4]) < 1e-12 * size * T0  # no charge, heat
        np.testing.assert_allclose(j[1:4], analytic.pumped_spin_current(c[2], m, mdot),
                                   rtol=1e-12, atol=1e-25)
        np.testing.assert_allclose(j[5:8], analytic.pumped_spin_heat_current(c[5], m, mdot, T0),
                                   rtol=1e-12, atol=1e-30)
        np.testing.assert_allclose(analytic.pumping_spin_bias(m, mdot), j[1:4] * 0 + HB_E
                                   * np.cross(mdot, m), rtol=1e-14)


def test_energy_resolved_pumping_gives_the_spin_heat_current():
    """∫ dε (−∂f/∂ε) I⃗_pump[G↑↓(ε)] and ∫ dε (ε − μ)/e (−∂f/∂ε) I⃗_pump[G↑↓(ε)], G↑↓ linear in ε."""
    g, dg = 0.3 + 0.05j, 2e17 - 4e16j
    m, mdot = unit([0.2, -0.4, 1.0]), np.array([3e9, 1e9, 0.0])
    mdot -= (mdot @ m) * m
    kt = BOLTZMANN * T0

    def window(x):  # −∂f/∂ε in units of 1/(k_B T), x = (ε − μ)/k_B T
        return 0.25 / math.cosh(x / 2) ** 2

    def current(power):
        out = np.zeros(3)
        for i in range(3):
            def integrand(x, i=i):
                gx = g + dg * x * kt
                pump = -HB_E * (gx.real * np.cross(m, mdot) + gx.imag * mdot)
                return window(x) * (x * kt / E) ** power * pump[i]
            out[i] = quad(integrand, -60, 60, epsabs=0, epsrel=1e-12, limit=200)[0]
        return out

    np.testing.assert_allclose(current(0), analytic.pumped_spin_current(g, m, mdot), rtol=1e-9)
    np.testing.assert_allclose(current(1), analytic.pumped_spin_heat_current(dg, m, mdot, T0),
                               rtol=1e-9)


# ---- 2. the sign of pumping from Onsager–Casimir symmetry of magnet + contact -----------------

def magnet_contact_response(m, c, sign, ms_vol=2e-18, alpha=0.01, gamma=1.76e11):
    """L with (ṁ_t, I⃗_s) = L (f_t, −V⃗_s/2): a macrospin (force f = M_sV B⊥) on a contact to a
    normal reservoir with spin accumulation V⃗_s; pumping −(ħ/e)(Re G↑↓ m×ṁ + sign Im G↑↓ ṁ)."""
    jm, q = cross(m), np.eye(3) - np.outer(m, m)
    # a tangent basis from two fixed vectors: the same plane and coordinates for m and −m
    basis = np.linalg.qr(q @ np.array([[1.0, 0.3, 0.2], [0.1, 1.0, 0.4]]).T)[0].T
    kss = response(c, m)[1:4, 1:4]
    lam = -HB_E * (c[2].real * jm + sign * c[2].imag * q)
    kappa = ms_vol / gamma
    # f = κ(J + α)ṁ − J τ,  τ = −(ħ/2e) Q I_s,  I_s = −K_ss V_s + Λ ṁ
    lhs = kappa * (jm + alpha * np.eye(3)) + HB_2E * jm @ q @ lam
    m_t = basis @ lhs @ basis.T
    out = np.zeros((5, 5))
    for col in range(5):
        f_t, fe = np.zeros(2), np.zeros(3)
        if col < 2:
            f_t[col] = 1.0
        else:
            fe[col - 2] = 1.0
        vs = -2 * fe
        rhs = f_t + basis @ (HB_2E * jm @ q @ kss @ vs)
        mdot = basis.T @ np.linalg.solve(m_t, rhs)
        out[:2, col] = basis @ mdot
        out[2:, col] = -kss @ vs + lam @ mdot
    return out, basis


@pytest.mark.parametrize("sign, holds", [(+1, True), (-1, False)])
def test_onsager_casimir_fixes_the_sign_of_the_im_term(sign, holds):
    """L(m) = L(−m)ᵀ (ṁ and spin both odd under time reversal) holds for c = +1 only."""
    rng = np.random.default_rng(7)
    c, m = random_contact(rng), unit([0.3, -0.5, 0.8])
    c = (c[0], c[1], complex(0.4, 0.15), *c[3:])
    lp, basis = magnet_contact_response(m, c, sign)
    ln, basis_n = magnet_contact_response(-m, c, sign)
    np.testing.assert_allclose(basis, basis_n, atol=1e-14)  # same coordinates for ±m
    # block by block: the magnet's and the contact's scales differ by 30 orders of magnitude
    error = max(np.max(np.abs(lp[r, k] - ln.T[r, k])) / np.max(np.abs(lp[r, k]))
                for r in (slice(0, 2), slice(2, 5)) for k in (slice(0, 2), slice(2, 5)))
    assert (error < 1e-10) == holds, error


def test_pumping_into_a_sink_damps():
    """The power the magnet loses into a sink, −(m × τ)·ṁ, is (ħ²/2e²) Re G↑↓ |ṁ|² ≥ 0."""
    rng = np.random.default_rng(11)
    for _ in range(10):
        c, m = random_contact(rng), unit(rng.normal(size=3))
        mdot = np.cross(m, rng.normal(size=3)) * 1e10
        i = (response(c, m) @ pump_state(m, mdot))[1:4]
        tau = -HB_2E * (i - (i @ m) * m)
        power = -np.cross(m, tau) @ mdot
        assert power == pytest.approx(HBAR**2 / (2 * E**2) * c[2].real * (mdot @ mdot),
                                      rel=1e-12, abs=0)


# ---- 3. damping into a sink, the headline pillar -----------------------------------------------

def pillar():
    doc = tomllib.loads(PILLAR.read_text())
    mag = doc["nodes"]["free"]["magnet"]
    contact = next(c for c in doc["contacts"] if "free" in c["between"])
    g = contact["conductance_per_area"] * contact["area"]
    return mag, g, doc["nodes"]["free"]["magnetization"]["theta"]


def test_headline_pillar_pumping_damping():
    mag, g, theta_deg = pillar()
    g_mix = ETA_CU_CO_001_DIRTY * g / 2
    assert g_mix == pytest.approx(0.247, abs=5e-4)  # S per contact
    volume = mag["thickness"] * mag["area"]
    ms = mag["saturation_magnetization"]
    alpha_sink = analytic.pumping_damping(g_mix, ms, volume)
    # independent route: g μ_B Re g↑↓ /(4π M_s V), g↑↓ = G↑↓ h/e², CODATA from scipy
    g_dimless = g_mix * sc.h / sc.e**2
    independent = ELECTRON_G * sc.physical_constants["Bohr magneton"][0] * g_dimless / (
        4 * math.pi * ms * volume)
    assert alpha_sink == pytest.approx(independent, rel=1e-12, abs=0)
    assert alpha_sink == pytest.approx(0.00453, abs=1e-5)
    # the fixed layer absorbs half at the pillar's near-parallel start (3°) and at 0 and π
    p = ValveParameters(g, 0.745, ETA_CU_CO_001_DIRTY, -1.02e-5, 0.89, 0.06, T0)
    for theta in (0.0, math.radians(theta_deg), math.pi):
        ratios = analytic.trilayer_pumping_damping(p, theta)
        assert ratios == pytest.approx((0.5, 0.5), abs=2e-3)
    assert 0.5 * alpha_sink == pytest.approx(0.00227, abs=1e-5)
    # the linear-stability threshold of the thermal torque scales with α: +22.7 %
    assert 0.5 * alpha_sink / mag["damping"] == pytest.approx(0.227, abs=1e-3)


@settings(max_examples=100, deadline=None)
@given(st.floats(0.5, 50), st.floats(1e-10, 20e-9), st.floats(1e-16, 1e-13),
       st.floats(2e5, 2e6))
def test_pumping_damping_scales_as_one_over_thickness(g_per_area_nm2, d, area, ms):
    """α' = g μ_B (g↑↓/A)/(4π M_s d): α' d is independent of d and A at fixed g↑↓/A."""
    g_mix = g_per_area_nm2 * 1e18 * area * sc.e**2 / sc.h
    a1 = analytic.pumping_damping(g_mix, ms, d * area)
    a2 = analytic.pumping_damping(2 * g_mix, ms, 2 * d * area)  # twice the area
    a3 = analytic.pumping_damping(g_mix, ms, 3 * d * area)     # three times thicker
    assert a1 == pytest.approx(a2, rel=1e-12, abs=0)
    assert a3 == pytest.approx(a1 / 3, rel=1e-12, abs=0)
    expected = ELECTRON_G * sc.physical_constants["Bohr magneton"][0] * g_per_area_nm2 * 1e18 / (
        4 * math.pi * ms * d)
    assert a1 == pytest.approx(expected, rel=1e-10, abs=0)


# ---- 4. the linearised LLG with the pumping torque: resonance and linewidth --------------------

def llg_rate(m, b_eff, alpha, ms_vol, gamma, c):
    """ṁ from (1 − αJ − (γ/M_sV) R) ṁ = −γ m × B with the pumping torque τ = R ṁ of a contact c
    into a sink, R = −(ħ/2e) Q K_ss (−(ħ/e) [m×]) — the 3×3 solve the dynamics must make."""
    jm, q = cross(m), np.eye(3) - np.outer(m, m)
    kss = response(c, m)[1:4, 1:4]
    r = -HB_2E * q @ kss @ (-HB_E * jm)
    lhs = np.eye(3) - alpha * jm - gamma / ms_vol * r
    return np.linalg.solve(lhs, -gamma * np.cross(m, b_eff))


@pytest.mark.parametrize("geometry", ["isotropic", "film_in_plane", "perpendicular"])
@pytest.mark.parametrize("g_mix", [0.25, 0.25 + 0.08j, 0.25 - 0.08j])
def test_ring_down_eigenvalues_match_the_closed_form(geometry, g_mix):
    ms, vol, alpha0 = 8e5, 2e-24, 0.01
    gamma = gyromagnetic_ratio()
    c = (0.5, 0.3, complex(g_mix), 0.0, 0.0, 0.0)
    if geometry == "isotropic":
        m0, kw = np.array([0, 0, 1.0]), dict(applied_field=[0, 0, 0.2])
    elif geometry == "film_in_plane":
        m0, kw = np.array([1.0, 0, 0]), dict(applied_field=[0.05, 0, 0],
                                              demagnetizing_factors=[0, 0, 1])
    else:
        m0, kw = np.array([0, 0, 1.0]), dict(applied_field=[0, 0, 0.3], anisotropy_field=1.5,
                                              demagnetizing_factors=[0, 0, 1])
    bapp = np.array(kw["applied_field"], float)
    nd = np.array(kw.get("demagnetizing_factors", [0, 0, 0]), float)
    bk = kw.get("anisotropy_field", 0.0)

    def rate(m):
        b = bapp + bk * m[2] * np.array([0, 0, 1.0]) - sc.mu_0 * ms * nd * m
        return llg_rate(m, b, alpha0, ms * vol, gamma, c)

    e1 = unit(np.cross(m0, [0.3, 0.7, 0.2]))
    basis = np.stack([e1, np.cross(m0, e1)])
    h, jac = 1e-6, np.zeros((2, 2))
    for k in range(2):
        dp = m0 + h * basis[k]
        dm = m0 - h * basis[k]
        jac[:, k] = basis @ (rate(unit(dp)) - rate(unit(dm))) / (2 * h)
    ev = np.linalg.eigvals(jac)
    alpha_p = analytic.pumping_damping(g_mix, ms, vol)
    beta_p = analytic.pumping_gyration(g_mix, ms, vol)
    mode = analytic.small_angle_mode(m0, ms, damping=alpha0 + alpha_p, gyration=beta_p, **kw)
    assert -ev.real.mean() == pytest.approx(mode.decay_rate, rel=1e-6, abs=0)
    assert abs(ev.imag).max() == pytest.approx(mode.angular_frequency, rel=1e-6, abs=0)
    # the effective damping read from the linewidth is α0 + α' (to 1e-3 as FMR would quote it)
    alpha_read = 2 * mode.decay_rate * (1 + ((alpha0 + alpha_p) / (1 - beta_p))**2) * (
        1 - beta_p)**2 / (gamma * sum(mode.stiffness))
    assert alpha_read == pytest.approx(alpha0 + alpha_p, rel=1e-12, abs=0)


def test_ring_down_of_the_full_equation():
    """Integrating the nonlinear LLG with the pumping torque (3×3 solve per evaluation): a small
    cone decays as exp(−Γt) at the closed-form Γ, to 1e-3."""
    from scipy.integrate import solve_ivp
    ms, vol, alpha0, b = 8e5, 2e-24, 0.01, 0.2
    gamma = gyromagnetic_ratio()
    c = (0.5, 0.3, 0.25 + 0.0j, 0.0, 0.0, 0.0)

    def f(t, m):
        return llg_rate(m / np.linalg.norm(m), np.array([0, 0, b]), alpha0, ms * vol, gamma, c)

    m_start = unit([1e-3, 0, 1])
    tmax = 2e-9
    sol = solve_ivp(f, (0, tmax), m_start, method="DOP853", rtol=1e-11, atol=1e-14)
    cone = np.hypot(*sol.y[:2, -1]) / np.hypot(*m_start[:2])
    mode = analytic.small_angle_mode([0, 0, 1], ms, applied_field=[0, 0, b],
                                     damping=alpha0 + analytic.pumping_damping(0.25, ms, vol))
    assert -math.log(cone) / tmax == pytest.approx(mode.decay_rate, rel=1e-3, abs=0)


def test_kittel_limits():
    gamma, ms, mu0ms = gyromagnetic_ratio(), 8e5, sc.mu_0 * 8e5
    film = analytic.small_angle_mode([0, 1, 0], ms, applied_field=[0, 0.07, 0],
                                     demagnetizing_factors=[0, 0, 1])
    assert film.angular_frequency == pytest.approx(gamma * math.sqrt(0.07 * (0.07 + mu0ms)),
                                                   rel=1e-12, abs=0)
    assert film.decay_rate == 0.0
    perp = analytic.small_angle_mode([0, 0, 1], ms, applied_field=[0, 0, 0.4],
                                     anisotropy_field=1.2, demagnetizing_factors=[0, 0, 1],
                                     damping=0.02)
    b = 0.4 + 1.2 - mu0ms
    assert perp.angular_frequency == pytest.approx(gamma * b / (1 + 0.02**2), rel=1e-12, abs=0)
    assert perp.decay_rate == pytest.approx(0.02 * gamma * b / (1 + 0.02**2), rel=1e-12, abs=0)
    assert perp.stiffness == pytest.approx((b, b), rel=1e-12, abs=0)


def test_small_angle_mode_refuses_non_equilibria_and_unstable_states():
    with pytest.raises(FieldError, match="^magnetization: is not an equilibrium"):
        analytic.small_angle_mode([1, 0, 1], 8e5, applied_field=[0, 0, 0.1])
    with pytest.raises(FieldError, match="^magnetization: is not a stable"):
        analytic.small_angle_mode([0, 0, -1], 8e5, applied_field=[0, 0, 0.1])
    with pytest.raises(FieldError, match="^gyration"):
        analytic.small_angle_mode([0, 0, 1], 8e5, applied_field=[0, 0, 0.1], gyration=1.0)
    with pytest.raises(FieldError, match="^saturation_magnetization"):
        analytic.small_angle_mode([0, 0, 1], -1.0, applied_field=[0, 0, 0.1])
    with pytest.raises(FieldError, match="^mixing_conductance"):
        analytic.pumping_damping(-0.1, 8e5, 1e-24)
    with pytest.raises(FieldError, match="^volume"):
        analytic.pumping_damping(0.1, 8e5, 0.0)
    with pytest.raises(FieldError, match="^mdot"):
        analytic.pumped_spin_current(0.1, [0, 0, 1], [np.nan, 0, 0])
    with pytest.raises(FieldError, match="^dampings"):
        analytic.effective_temperature([0.0, 0.0], [300.0, 310.0])


# ---- 5. F|N|F: backflow, dynamic coupling, pumped charge and heat -----------------------------

@st.composite
def valves(draw):
    """Contacts the second law admits: each spin channel's thermopower S_σ = S(1 ± P')/(1 ± P)
    below the Wiedemann–Franz bound, S_σ² < L0 (a channel beyond it dissipates negatively,
    and the backflow then turns the in-plane damping negative)."""
    p = ValveParameters(draw(st.floats(0.1, 10.0)), draw(st.floats(-0.95, 0.95)),
                        draw(st.floats(0.05, 3.0)), draw(st.floats(-60e-6, 60e-6)),
                        draw(st.floats(-1.5, 1.5)), draw(st.floats(-2.0, 2.0)), T0)
    s, pol, pol_e = p.seebeck, p.polarization, p.polarization_derivative
    assume(all((s * (1 + k * pol_e) / (1 + k * pol)) ** 2 < LORENZ for k in (1, -1)))
    return p


def trilayer_numeric(p, theta, gsf):
    """Damping tensor of magnet L in its tangent basis (ê1, ŷ), in units of the sink value."""
    m1, m2 = analytic.magnetizations(theta)
    s, c = math.sin(theta / 2), math.cos(theta / 2)
    e1, ey = np.array([c, 0, s]), np.array([0, 1.0, 0])
    contact, out = valve_contact(p), np.zeros((2, 2))
    for k, u in enumerate((e1, ey)):  # ṁ1 = u × m1, so that m1 × ṁ1 = u
        mdot = np.cross(u, m1)
        x1 = pump_state(m1, mdot)
        _, (j1, _) = solve_node([(contact, m1, x1), (contact, m2, np.zeros(8))], gsf)
        i_abs = -(j1[1:4] - (j1[1:4] @ m1) * m1)
        tau = HB_2E * i_abs
        # τ = α'_sink (M_sV/γ) D (m1 × ṁ1) ⇔ (γ/M_sV)τ/α'_sink, written with R = (ħ²/2e²) Re G↑↓
        d = tau / (HBAR**2 / (2 * E**2) * contact[2].real)
        out[:, k] = [d @ e1, d @ ey]
    return out


@settings(max_examples=60, deadline=None)
@given(valves(), st.floats(0.0, math.pi), st.floats(0.0, 5.0))
def test_trilayer_backflow_tensor(p, theta, phi):
    num = trilayer_numeric(p, theta, phi * p.conductance)
    in_plane, normal = analytic.trilayer_pumping_damping(p, theta, phi * p.conductance)
    np.testing.assert_allclose(num, np.diag([in_plane, normal]), atol=1e-9)
    assert 0.0 <= in_plane <= 1.0 + 1e-12 and 0.5 - 1e-12 <= normal <= 1.0


def test_trilayer_dynamic_coupling_against_the_node():
    rng = np.random.default_rng(5)
    for gsf in (0.0, 0.3, 3.0):
        contact = random_contact(rng, imaginary=False)
        m = np.array([0, 0, 1.0])
        for who in (0, 1):  # only magnet 1 moves / only magnet 2 moves
            mdot = np.array([2e9, -1e9, 0.0])
            xs = [pump_state(m, mdot) if k == who else np.zeros(8) for k in range(2)]
            _, (j1, _) = solve_node([(contact, m, xs[0]), (contact, m, xs[1])], gsf)
            tau = HB_2E * -(j1[1:4] - (j1[1:4] @ m) * m)
            sink = HBAR**2 / (2 * E**2) * contact[2].real * np.cross(m, mdot)
            a, b = analytic.trilayer_dynamic_coupling(contact[2].real, gsf)
            np.testing.assert_allclose(tau, (a if who == 0 else -b) * sink, rtol=1e-10,
                                       atol=1e-40)


@settings(max_examples=60, deadline=None)
@given(valves(), st.floats(0.05, math.pi - 0.05), st.floats(-1e11, 1e11))
def test_valve_pumped_charge_and_heat(p, theta, w):
    m1, m2 = analytic.magnetizations(theta)
    contact = valve_contact(p)
    _, (_, j2) = solve_node([(contact, m1, pump_state(m1, np.array([0, w, 0]))),
                             (contact, m2, np.zeros(8))])
    i_r, q_r = analytic.valve_pumped_currents(p, theta, w)
    scale_i = HB_2E * p.conductance * abs(w) + 1e-300
    assert j2[0] == pytest.approx(i_r, abs=1e-10 * scale_i)
    assert j2[4] == pytest.approx(q_r, abs=1e-10 * scale_i * 60e-6 * T0)
    # an in-plane ṁ1 pumps neither
    s, c = math.sin(theta / 2), math.cos(theta / 2)
    _, (_, j2) = solve_node([(contact, m1, pump_state(m1, w * np.array([c, 0, s]))),
                             (contact, m2, np.zeros(8))])
    assert abs(j2[0]) <= 1e-10 * scale_i and abs(j2[4]) <= 1e-10 * scale_i * 60e-6 * T0


def reciprocity_run(cs, mags, thermalized, slot, mdot):
    """Three reservoirs on one node (spin flip 0.2 S); magnet 0 turns at ṁ, reservoir 1 gets a
    unit bias in ``slot`` (0: V, 4: T); (currents into the node, torque on magnet 0 (N·m))."""
    xs = [np.zeros(8) for _ in range(3)]
    xs[0] = pump_state(mags[0], mdot)
    if slot is not None:
        xs[1][slot] = 1.0
    _, js = solve_node([(cs[i], mags[i], xs[i]) for i in range(3)], 0.2, thermalized)
    i = js[0][1:4]
    return js, -HB_2E * (i - (i @ mags[0]) * mags[0])


def test_reciprocity_pumped_heat_and_thermal_torque_on_random_circuits():
    """∂I_r/∂ṁ_k = m_k × (∂τ_k/∂V_r)(−m) and ∂Q_r/∂ṁ_k = T m_k × (∂τ_k/∂T_r)(−m), τ in N·m,
    I_r, Q_r from reservoir r into the circuit (theory variables), both regimes, spin flip."""
    rng = np.random.default_rng(17)
    for thermalized in (True, False):
        for _ in range(5):
            cs = [random_contact(rng) for _ in range(3)]
            ms = [unit(rng.normal(size=3)) for _ in range(3)]

            reverse = [-m for m in ms]
            still = np.zeros(3)
            theta_v = reciprocity_run(cs, reverse, thermalized, 0, still)[1]
            theta_t = reciprocity_run(cs, reverse, thermalized, 4, still)[1]
            pumped = np.array([reciprocity_run(cs, ms, thermalized, None, np.eye(3)[k])[0][1]
                               [[0, 4]] for k in range(3)]).T
            # a tangent ṁ only: project the response on the plane ⊥ m1
            q = np.eye(3) - np.outer(ms[0], ms[0])
            np.testing.assert_allclose(pumped[0] @ q, np.cross(ms[0], theta_v), rtol=1e-9,
                                       atol=1e-12 * np.abs(theta_v).max())
            np.testing.assert_allclose(pumped[1] @ q, T0 * np.cross(ms[0], theta_t), rtol=1e-9,
                                       atol=1e-12 * T0 * np.abs(theta_t).max())


# ---- 6. noise: fluctuation–dissipation channel by channel ---------------------------------------

def torque_noise(contacts, temperatures, gsf, only=None):
    """Covariance (N² m²) of the torque on the magnet of contacts[0] (a thermalized node joined
    to reservoirs) from the Johnson noise of each dissipative element at its temperature:
    contact n, ⟨δJ δJᵀ⟩ = k_B Tₙ (K W⁻¹ + W⁻¹ Kᵀ) (W the conjugate scaling of physics.md §2),
    and the node's spin-flip sink, 4 k_B T G_sf per component (at temperatures[-1])."""
    w_inv = np.diag([1, 2, 2, 2, T0, 2 * T0, 2 * T0, 2 * T0])
    idx = np.arange(5)
    a = sum(response(c, m) for c, m in contacts)
    a[1:4, 1:4] += gsf * np.eye(3)
    a_inv = np.linalg.inv(a[np.ix_(idx, idx)])
    m1 = contacts[0][1]
    q, k1 = np.eye(3) - np.outer(m1, m1), response(*contacts[0])
    feedback = k1[1:4, :5] @ a_inv  # δ(J_0)_s from a source δJ entering the node balance
    cov = np.zeros((3, 3))
    for n, ((c, m), t) in enumerate(zip(contacts, temperatures)):
        if only is not None and n != only:
            continue
        k = response(c, m)
        src = BOLTZMANN * t * (k @ w_inv + w_inv @ k.T)
        direct = np.eye(8)[1:4] if n == 0 else np.zeros((3, 8))
        map_ = -HB_2E * q @ (direct - np.hstack([feedback, np.zeros((3, 3))]))
        cov += map_ @ src @ map_.T
    if only is None and gsf:
        map_ = -HB_2E * q @ (-feedback[:, 1:4])
        cov += map_ @ (4 * BOLTZMANN * temperatures[-1] * gsf * np.eye(3)) @ map_.T
    return cov


def test_torque_noise_obeys_fdt_with_the_backflow_damping():
    """⟨δτ δτᵀ⟩ = k_B T (J Rᵀ + R Jᵀ), R = ∂τ/∂ṁ, J = [m×]: the Johnson noise of all contacts
    at one temperature. The magnet's own contact alone falls short when the node is no sink."""
    rng = np.random.default_rng(23)
    for _ in range(5):
        contacts = [(random_contact(rng), unit(rng.normal(size=3))) for _ in range(3)]
        m1 = contacts[0][1]
        r = np.zeros((3, 3))
        for k in range(3):
            mdot = np.eye(3)[k]
            _, js = solve_node([(c, m, pump_state(m1, mdot) if n == 0 else np.zeros(8))
                                for n, (c, m) in enumerate(contacts)], 0.3)
            i = js[0][1:4]
            r[:, k] = -HB_2E * (i - (i @ m1) * m1)
        jm, q = cross(m1), np.eye(3) - np.outer(m1, m1)
        r = r @ q
        fdt = BOLTZMANN * T0 * (jm @ r.T + r @ jm.T)
        full = torque_noise(contacts, [T0] * 3, gsf=0.3)  # the spin-flip sink included
        np.testing.assert_allclose(full, fdt, rtol=1e-8, atol=1e-10 * np.abs(fdt).max())
        own = torque_noise(contacts, [T0] * 3, gsf=0.3, only=0)
        assert np.abs(own - fdt).max() > 1e-3 * np.abs(fdt).max()


@settings(max_examples=100, deadline=None)
# conductances as the input rules take them: 0 or in [1e-30, 1e30] S (a g of 1e-277 S gave
# variances of 1e-315, subnormal numbers with a few digits left)
@given(st.just(0.0) | st.floats(1e-30, 10.0), st.floats(1.0, 1000.0), st.floats(1e5, 2e6),
       st.floats(1e-25, 1e-21), st.floats(1e-14, 1e-10))
@example(2.8117813084074137e-30, 46.0, 1e5, 8.757247980227047e-22, 1e-14)
def test_spin_current_noise_is_the_thermal_field_of_the_pumping_damping(g, t, ms, vol, dt):
    lhs = HB_2E**2 * analytic.spin_current_noise_variance(g, t, dt)
    rhs = (ms * vol) ** 2 * analytic.thermal_field_variance(
        analytic.pumping_damping(g, ms, vol), t, ms, vol, dt)
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=0)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.floats(0.0, 1.0), st.sampled_from([0.0]) | st.floats(1e-3, 2000.0)),
                min_size=1,
                max_size=6).filter(lambda xs: sum(a for a, _ in xs) > 1e-6))
def test_effective_temperature_and_spin_seebeck(channels):
    a, t = np.array(channels).T
    t_eff = analytic.effective_temperature(a, t)
    assert t.min() - 1e-9 * t.max() <= t_eff <= t.max() * (1 + 1e-12)
    currents = analytic.macrospin_spin_seebeck_current(a, t_eff, t)
    scale = 4 * E * BOLTZMANN / HBAR * a.sum() * (t.max() + 1)
    assert abs(np.sum(currents)) <= 1e-10 * scale  # the channels' currents balance
    # all at one temperature: T_eff is that temperature and nothing flows
    same = analytic.effective_temperature(a, np.full_like(t, 123.0))
    assert same == pytest.approx(123.0, rel=1e-12, abs=0)


def test_spin_seebeck_sign():
    """A magnet hotter than the lead sends spin against ⟨m⟩ into it (moment direction)."""
    assert analytic.macrospin_spin_seebeck_current(0.004, 320.0, 300.0) < 0
    assert analytic.macrospin_spin_seebeck_current(0.004, 300.0, 320.0) > 0
