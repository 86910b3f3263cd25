"""The contact response K(m) against eq. (1) of the seed, and its symmetries (physics.md §2)."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from random_circuits import random_contact, random_unit
from spincaloric import ContactParameters
from spincaloric.circuit.contacts import ContactError, conjugate_scaling, response_matrix
from spincaloric.constants import BOLTZMANN, ELEMENTARY_CHARGE, LORENZ, SEEBECK_BOUND

T0 = 300.0
PAULI = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]])


def k_of(p: ContactParameters, m, temperature=T0):
    return response_matrix(p.g_up, p.g_down, p.g_mix, p.dg_up, p.dg_down, p.dg_mix, m,
                           temperature)


def spectral_response(p: ContactParameters, m, temperature=T0):
    """K by numerical energy integration of eq. (1) with 2x2 distribution matrices.

    î(ε) = Σ_σσ' G^σσ'(ε) û^σ [f̂_F(ε) − f̂_N(ε)] û^σ', G^↑↓ = G_mix, G^↓↑ = G_mix*, with
    conductances linear in ε and linearised Fermi–Dirac distributions; Î = ∫ î dε / e,
    Q̂ = ∫ (ε − μ) î dε / e². The F side carries only collinear parts; the transverse parts of
    a difference sit on the N side with a minus sign.
    """
    e = ELEMENTARY_CHARGE
    kt = BOLTZMANN * temperature
    eps = np.linspace(-40 * kt, 40 * kt, 20001)
    de = eps[1] - eps[0]
    mdf = 1 / (4 * kt * np.cosh(eps / (2 * kt)) ** 2)  # −∂f/∂ε
    sm = np.einsum("i,ijk->jk", m, PAULI)
    up, dn = (np.eye(2) + sm) / 2, (np.eye(2) - sm) / 2
    gu = p.g_up + p.dg_up * eps
    gd = p.g_down + p.dg_down * eps
    gm = p.g_mix + p.dg_mix * eps
    cols = []
    for j in range(8):
        dx = np.eye(8)[j]
        vs_par, ts_par = m @ dx[1:4], m @ dx[5:8]
        vs_n = -(dx[1:4] - vs_par * m)
        ts_n = -(dx[5:8] - ts_par * m)
        fc = mdf * (e * dx[0] + eps * dx[4] / temperature)
        fs = mdf * (e * vs_par / 2 + eps * ts_par / (2 * temperature))
        fn = mdf[:, None] * (e * vs_n / 2 + eps[:, None] * ts_n / (2 * temperature))
        df = (fc[:, None, None] * np.eye(2) + fs[:, None, None] * sm
              - np.einsum("ei,ijk->ejk", fn, PAULI))
        i_eps = (gu[:, None, None] * (up @ df @ up) + gd[:, None, None] * (dn @ df @ dn)
                 + gm[:, None, None] * (up @ df @ dn) + np.conj(gm)[:, None, None] * (dn @ df @ up))
        imat = i_eps.sum(0) * de / e
        qmat = (eps[:, None, None] * i_eps).sum(0) * de / e**2
        col = [np.trace(imat).real, *[np.trace(s @ imat).real for s in PAULI],
               np.trace(qmat).real, *[np.trace(s @ qmat).real for s in PAULI]]
        cols.append(col)
    return np.array(cols).T


@pytest.mark.slow
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_response_equals_spectral_ohms_law(seed):
    rng = np.random.default_rng(seed)
    p = random_contact(rng)
    m = random_unit(rng)
    k = k_of(p, m)
    ref = spectral_response(p, m)
    scale = np.abs(ref).max(axis=1, keepdims=True)
    np.testing.assert_allclose(k / scale, ref / scale, atol=1e-9)


def test_collinear_channels_obey_ohm_mott_wiedemann_franz():
    p = ContactParameters.from_paper(conductance=2e-2, polarization=0.4, mixing=0.7,
                                     seebeck=-5e-6, polarization_derivative=0.9,
                                     mixing_derivative=0.2, temperature=T0)
    m = np.array([0.0, 0.0, 1.0])
    k = k_of(p, m)
    s_up, s_dn = p.spin_seebeck(T0)
    # spin-up channel alone: ΔV↑ = 1 V (ΔV_c = 1/2, ΔV_s = 1), ΔT↑ = 1 K likewise
    for s_sigma, g_sigma, sign in ((s_up, p.g_up, 1), (s_dn, p.g_down, -1)):
        dx = np.zeros(8)
        dx[0], dx[3] = 0.5, sign * 1.0
        j = k @ dx
        i_sigma = (j[0] + sign * j[3]) / 2
        assert i_sigma == pytest.approx(g_sigma, rel=1e-6, abs=0)
        dx = np.zeros(8)
        dx[4], dx[7] = 0.5, sign * 1.0
        j = k @ dx
        assert (j[0] + sign * j[3]) / 2 == pytest.approx(-g_sigma * s_sigma, rel=1e-6, abs=0)
        assert (j[4] + sign * j[7]) / 2 == pytest.approx(LORENZ * T0 * g_sigma, rel=1e-6, abs=0)
    assert p.seebeck(T0) == pytest.approx(-5e-6, rel=1e-6, abs=0)
    assert s_up == pytest.approx(-5e-6 * 1.9 / 1.4, rel=1e-6, abs=0)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_onsager_casimir_reciprocity_of_a_contact(seed):
    """L_ij(m) = ε_i ε_j L_ji(−m) in the conjugate basis, ε = −1 for spin components."""
    rng = np.random.default_rng(seed)
    p = random_contact(rng)
    m = random_unit(rng)
    d_inv = np.diag(1 / conjugate_scaling(T0))
    lp, lm = k_of(p, m) @ d_inv, k_of(p, -m) @ d_inv
    eps = np.array([1, -1, -1, -1, 1, -1, -1, -1.0])
    np.testing.assert_allclose(lp, (eps[:, None] * eps[None, :]) * lm.T,
                               atol=1e-12 * np.abs(lp).max())
    # and it is not symmetric at fixed m when Im G_mix ≠ 0 (the reactive part)
    if abs(p.g_mix.imag) > 1e-3 * p.conductance:
        assert np.abs(lp - lp.T).max() > 1e-6 * np.abs(lp).max()


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_entropy_production_of_a_valid_contact_is_non_negative(seed):
    rng = np.random.default_rng(seed)
    p = random_contact(rng)
    l = k_of(p, random_unit(rng)) @ np.diag(1 / conjugate_scaling(T0))
    sym = (l + l.T) / 2
    assert np.linalg.eigvalsh(sym).min() >= -1e-12 * np.abs(sym).max()


def test_entropy_bound_is_exactly_sqrt_l0():
    """At |S↑| slightly above √L0 the symmetric response acquires a negative eigenvalue."""
    for factor, ok in ((0.999, True), (1.001, False)):
        g = 1e-2
        s = factor * SEEBECK_BOUND
        # one open channel: P = 1, P' = 1 -> S↑ = S
        p = ContactParameters.from_paper(conductance=g, polarization=1.0, mixing=0.5, seebeck=s,
                                         polarization_derivative=1.0, mixing_derivative=0.0,
                                         temperature=T0)
        l = k_of(p, np.array([0, 0, 1.0])) @ np.diag(1 / conjugate_scaling(T0))
        lowest = np.linalg.eigvalsh((l + l.T) / 2).min()
        assert (lowest >= -1e-12 * g) == ok
        if ok:
            p.validate(T0)
        else:
            with pytest.raises(ContactError, match="entropy bound"):
                p.validate(T0)


def test_normal_contact_is_isotropic():
    p = ContactParameters.spin_independent(conductance=1e-2, seebeck=3e-6, temperature=T0)
    k1 = k_of(p, np.array([0, 0, 1.0]))
    k2 = k_of(p, random_unit(np.random.default_rng(3)))
    np.testing.assert_allclose(k1, k2, atol=1e-18)
    np.testing.assert_allclose(k1[1:4, 1:4], 0.5e-2 * np.eye(3))


def test_batched_response_matches_single():
    rng = np.random.default_rng(0)
    p = random_contact(rng)
    m = random_unit(rng, (4, 5))
    k = k_of(p, m)
    assert k.shape == (4, 5, 8, 8)
    np.testing.assert_allclose(k[2, 3], k_of(p, m[2, 3]))


@pytest.mark.parametrize("field,kw", [
    ("conductance", dict(conductance=-1.0)),
    ("polarization", dict(polarization=1.2)),
    ("mixing", dict(mixing=-0.1)),
    ("seebeck", dict(seebeck=float("nan"))),
])
def test_bad_paper_parameters_name_the_field(field, kw):
    args = dict(conductance=1e-2, polarization=0.5, mixing=0.6, seebeck=-4e-6,
                polarization_derivative=0.8, mixing_derivative=0.1, temperature=T0)
    args.update(kw)
    with pytest.raises(ContactError) as err:
        ContactParameters.from_paper(**args)
    assert err.value.field == field


def test_a_spin_dependent_thermopower_without_a_charge_one_is_not_lost_silently():
    """The paper's form fixes ∂εG↑,↓ = ∂εG (1 ± P')/2 with ∂εG ∝ S: with S = 0, P' does nothing,
    and a warning says so (a tunnel barrier's P', derived rather than given, does not warn)."""
    from spincaloric.circuit.tunnel import TunnelBarrier
    from spincaloric.validation import UnusedSettingWarning

    args = dict(conductance=1e-2, polarization=0.5, mixing=0.6, seebeck=0.0,
                mixing_derivative=0.1, temperature=T0)
    with pytest.warns(UnusedSettingWarning, match="^polarization_derivative: has no effect "
                      "with seebeck = 0.*dg_up, dg_down"):
        p = ContactParameters.from_paper(polarization_derivative=0.8, **args)
    assert p.dg_up == p.dg_down == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ContactParameters.from_paper(polarization_derivative=0.0, **args)
        TunnelBarrier(1e-12, polarization=0.4, seebeck=0.0, seebeck_polarization=0.3,
                      mixing=1.5).contact(1e-14, T0)


def test_spin_space_block_is_the_electrical_block_of_k():
    from spincaloric.circuit.contacts import spin_space_block

    rng = np.random.default_rng(11)
    p = random_contact(rng)
    m = random_unit(rng, (5,))
    np.testing.assert_allclose(spin_space_block(p.g_up, p.g_down, p.g_mix, m),
                               k_of(p, m)[..., :4, :4], rtol=1e-14, atol=1e-20)
