"""Tunnel junctions between ferromagnetic nodes (two-port contacts), against independent methods:
the spin-matrix golden rule integrated over energy, the closed-form MTJ between leads, the
opaque F|I|N barrier, and a two-current circuit solved by hand. Circuit invariants with
junctions (conservation, Onsager, entropy, gauge, rotation, collinear) run in
test_circuit_invariants.py on random circuits that contain them."""

import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from random_circuits import random_junction, random_unit
from spincaloric import ContactParameters, Device, DeviceError
from spincaloric.circuit.contacts import ContactError, response_matrix
from spincaloric.circuit.junctions import JunctionParameters, junction_response
from spincaloric.circuit.tunnel import MagneticTunnelJunction, TunnelBarrier
from spincaloric.constants import BOLTZMANN, ELEMENTARY_CHARGE, TORQUE_PER_SPIN_CURRENT

T = 300.0
METHODS = ["dense", "sparse"]
PAULI = np.array([[[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]])


def sigma_dot(m):
    return np.einsum("i,ijk->jk", m, PAULI)


def golden_rule_currents(params, m_a, m_b, x_a, x_b, temperature):
    """(I_c, I⃗_s, Q_c, Q⃗_s) from a to b by integrating the 2×2 anticommutator golden rule over
    energy, with the four moments linear in ε and linearised Fermi functions of each side's
    channels (spins along its own axis). Independent of the 8×8 blocks of junction_response."""
    kt = BOLTZMANN * temperature
    eps = np.linspace(-40 * kt, 40 * kt, 40001)
    de = eps[1] - eps[0]
    minus_df = 1.0 / (4 * kt * np.cosh(eps / (2 * kt)) ** 2)  # −∂f0/∂ε
    g = params.moments[None] + params.moment_derivatives[None] * eps[:, None]  # (E, 4)
    e = ELEMENTARY_CHARGE

    def distribution(m, x):
        v_c, v_s, t_c, t_s = x[0], m @ x[1:4], x[4], m @ x[5:8]
        f_c = minus_df * (e * v_c + eps * t_c / temperature)
        f_s = minus_df * (e * v_s / 2 + eps * t_s / (2 * temperature))
        return f_c[:, None, None] * np.eye(2) + f_s[:, None, None] * sigma_dot(m)

    def anti(x, y):
        return 0.5 * (x @ y + y @ x)

    fa, fb = distribution(m_a, x_a), distribution(m_b, x_b)
    one, sa, sb = np.eye(2), sigma_dot(m_a), sigma_dot(m_b)
    current = np.zeros((eps.size, 2, 2), complex)
    for k, (left, right) in enumerate(((one, one), (sa, one), (one, sb), (sa, sb))):
        current += 0.5 * g[:, k, None, None] * (anti(left @ fa, right) - anti(left, right @ fb))
    trace = np.trace(current, axis1=1, axis2=2).real
    spin = np.einsum("ijk,ekj->ei", PAULI, current).real
    out = np.empty(8)
    out[0] = trace.sum() * de / e
    out[1:4] = spin.sum(axis=0) * de / e
    out[4] = (eps * trace).sum() * de / e**2
    out[5:8] = (eps[:, None] * spin).sum(axis=0) * de / e**2
    return out


def collinear_state(rng, m):
    x = np.zeros(8)
    x[0], x[4] = rng.normal(size=2) * np.array([1e-3, 1.0])
    x[1:4] = rng.normal() * 1e-3 * m
    x[5:8] = rng.normal() * m
    return x


@pytest.mark.slow
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_two_port_response_is_the_golden_rule_integrated_over_energy(seed):
    rng = np.random.default_rng(seed)
    params = random_junction(rng, T)
    m_a, m_b = random_unit(rng), random_unit(rng)
    x_a, x_b = collinear_state(rng, m_a), collinear_state(rng, m_b)
    k_a, k_b = junction_response(params.moments, params.moment_derivatives, m_a, m_b, T)
    j = k_a @ x_a - k_b @ x_b
    ref = golden_rule_currents(params, m_a, m_b, x_a, x_b, T)
    for part in (slice(0, 4), slice(4, 8)):  # electric and heat currents have their own scale
        np.testing.assert_allclose(j[part], ref[part], rtol=0,
                                   atol=1e-7 * np.abs(ref[part]).max())


def test_without_polarization_on_one_side_it_is_the_opaque_barrier():
    """P_b = 0: both ends see the F|I|N barrier of spincaloric.circuit.tunnel (η = η' = 1)."""
    barrier = TunnelBarrier(resistance_area=1e-11, polarization=0.4, seebeck=-30e-6,
                            seebeck_polarization=0.3)
    c = barrier.contact(area=2e-14, temperature=T)
    g, dg = c.conductance, c.conductance_derivative
    params = JunctionParameters(g, c.polarization, 0.0, dg, c.dg_up - c.dg_down, 0.0, 0.0)
    m_a, m_b = np.array([0.0, 0.6, 0.8]), np.array([1.0, 0.0, 0.0])
    k_a, k_b = junction_response(params.moments, params.moment_derivatives, m_a, m_b, T)
    k = response_matrix(c.g_up, c.g_down, c.g_mix, c.dg_up, c.dg_down, c.dg_mix, m_a, T)
    np.testing.assert_allclose(k_a, k, rtol=0, atol=1e-12 * np.abs(k).max())
    np.testing.assert_allclose(k_b, k, rtol=0, atol=1e-12 * np.abs(k).max())


def mtj_between_leads(params):
    dev = Device(T, title="MTJ")
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("free", "ferromagnet", reservoir=True, magnetization=[1, 0, 0])
    dev.add_contact("fixed", "free", params)
    return dev.finalize()


@pytest.mark.parametrize("method", METHODS)
def test_junction_between_leads_equals_the_closed_form_mtj(method):
    """Tunnel magneto-Seebeck and the thermal in-plane torque of
    spincaloric.circuit.tunnel.MagneticTunnelJunction, from the circuit."""
    area = 2e-14
    mtj = MagneticTunnelJunction(1e-11, tmr=1.2, seebeck_parallel=-90e-6,
                                 seebeck_antiparallel=-60e-6, temperature=T)
    params = JunctionParameters.symmetric(conductance_parallel=area / 1e-11, tmr=1.2,
                                          seebeck_parallel=-90e-6, seebeck_antiparallel=-60e-6,
                                          temperature=T)
    circuit = mtj_between_leads(params)
    theta = np.linspace(0.05, np.pi - 0.05, 7)
    m2 = np.stack([np.sin(theta), 0 * theta, np.cos(theta)], axis=-1)
    for dv, dt in ((1e-3, 0.0), (0.0, 3.0), (-2e-4, 1.5)):
        # closed form: ΔV = V_free − V_fixed in theory voltages (electric potential −ΔV)
        sol = circuit.solve(magnetization={"free": m2}, voltage={"free": -dv},
                            temperature={"free": T + dt}, method=method)
        current = -sol.contacts[0].charge_current  # theory current fixed -> free
        ref = mtj.charge_current(theta, dv, dt, area=area)
        np.testing.assert_allclose(current, ref, rtol=1e-12, atol=0)
        towards_fixed = np.array([0.0, 0.0, 1.0]) - np.cos(theta)[:, None] * m2
        towards_fixed /= np.linalg.norm(towards_fixed, axis=-1, keepdims=True)
        tau = np.einsum("pi,pi->p", sol.torques["free"], towards_fixed)
        np.testing.assert_allclose(tau, mtj.torque(theta, dv, dt, area=area), rtol=1e-12,
                                   atol=0)
        # the torques are in-plane (no field-like term in this model)
        np.testing.assert_allclose(sol.torques["free"][:, 1], 0.0, atol=1e-30)
    # the magneto-Seebeck ratio from open-circuit conditions: S(θ) = I_T / (G ...)
    np.testing.assert_allclose(params.seebeck(theta, T), mtj.seebeck(theta), rtol=1e-12)
    # and both are the two states' thermopowers weighted by their conductance channels:
    # G(θ) = [G_P(1 + cos θ) + G_AP(1 − cos θ)]/2, the same weights for G(θ)S(θ)
    g_p, g_ap = area / 1e-11, area / 1e-11 / 2.2
    w_p, w_ap = g_p * (1 + np.cos(theta)), g_ap * (1 - np.cos(theta))
    np.testing.assert_allclose(params.conductance(theta), (w_p + w_ap) / 2, rtol=1e-12)
    weighted = (w_p * -90e-6 + w_ap * -60e-6) / (w_p + w_ap)
    np.testing.assert_allclose(mtj.seebeck(theta), weighted, rtol=1e-12)


def test_electrons_pull_the_receiving_magnet_and_push_the_emitting_one():
    """Convention-free sign (physics.md §4): electrons flowing from A into B pull m_B toward
    m_A and push m_A away from m_B (P > 0)."""
    params = JunctionParameters(1e-3, 0.5, 0.5)
    circuit = mtj_between_leads(params)
    # electrons flow from high μ: theory V_fixed > V_free, i.e. a lower electric potential
    sol = circuit.solve(voltage={"fixed": -1e-3})
    m_fixed, m_free = np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0])
    assert sol.torques["free"] @ m_fixed > 0
    assert sol.torques["fixed"] @ m_free < 0
    # Slonczewski's symmetric junction: equal magnitudes (both ∝ P sin θ)
    assert np.linalg.norm(sol.torques["free"]) == pytest.approx(
        np.linalg.norm(sol.torques["fixed"]), rel=1e-12, abs=0)


@pytest.mark.parametrize("spin_flip", [0.0, 3e-3, 1e3])
@pytest.mark.parametrize("parallel", [True, False])
@pytest.mark.parametrize("method", METHODS)
def test_free_layer_node_against_a_two_current_circuit_by_hand(spin_flip, parallel, method):
    """fixed lead |junction| free-layer node (spin flip G_sf) |F|N contact| normal lead, collinear:
    four channel resistors, a spin-flip resistor and Kirchhoff's law, solved by hand. The spin
    accumulation in the free layer changes the TMR; a strong spin flip gives the series rule."""
    pa, pb = 0.6, 0.4
    params = JunctionParameters(2e-3, pa, pb)
    from spincaloric import ContactParameters

    g_up, g_dn = 4e-3, 1e-3
    lead = ContactParameters(g_up, g_dn, 2e-3 + 0j)
    m_free = np.array([0.0, 0.0, 1.0 if parallel else -1.0])
    dev = Device(T)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1], voltage=-1e-3)
    dev.add_node("free", "ferromagnet", magnetization=m_free, spin_flip=spin_flip)
    dev.add_node("lead", "normal", reservoir=True)
    dev.add_contact("fixed", "free", params)
    dev.add_contact("free", "lead", lead)
    sol = dev.finalize().solve(method=method)
    # channels along each magnet's own axis; pair conductances W_σσ' with cos θ = ±1
    w = {(s, t): params.g0 * (1 + s * pa) * (1 + t * pb) * (1 + s * t * (1 if parallel else -1))
         / 4 for s in (1, -1) for t in (1, -1)}
    v_fixed = 1e-3  # theory voltage of the fixed lead (spin accumulation zero)
    # unknowns: free-layer channel voltages V+, V− (along m_free); balance per channel:
    # Σ_σ W_σt (v_fixed − V_t) = G_t V_t + (G_sf/2)(V_t − V_−t)   [spin flip between channels]
    g_ch = {1: g_up, -1: g_dn}
    a = np.zeros((2, 2))
    b = np.zeros(2)
    for i, t in enumerate((1, -1)):
        win = sum(w[(s, t)] for s in (1, -1))
        a[i, i] += win + g_ch[t] + spin_flip / 2
        a[i, 1 - i] -= spin_flip / 2
        b[i] = win * v_fixed
    v_up, v_dn = np.linalg.solve(a, b)
    current = g_ch[1] * v_up + g_ch[-1] * v_dn  # into the normal lead
    free = sol.nodes["free"]
    assert -float(free.voltage) == pytest.approx((v_up + v_dn) / 2, rel=1e-10, abs=0)
    assert float(m_free @ free.spin_accumulation) == pytest.approx(v_up - v_dn, rel=1e-9,
                                                                   abs=1e-18)
    assert float(sol.contacts[1].charge_current) == pytest.approx(-current, rel=1e-10, abs=0)
    if spin_flip == 1e3:  # series rule: G(θ) in series with G↑ + G↓
        g_series = 1 / (1 / float(params.conductance(0.0 if parallel else np.pi))
                        + 1 / (g_up + g_dn))
        assert current == pytest.approx(g_series * v_fixed, rel=1e-5, abs=0)
    for tau in sol.torques.values():
        assert np.abs(tau).max() <= 1e-12 * TORQUE_PER_SPIN_CURRENT * abs(current)


def test_symmetric_parameters_reproduce_the_measured_junction():
    p = JunctionParameters.symmetric(conductance_parallel=1e-3, tmr=1.5, seebeck_parallel=-40e-6,
                                     seebeck_antiparallel=-70e-6, temperature=T)
    assert float(p.conductance(0.0)) == pytest.approx(1e-3, rel=1e-14, abs=0)
    assert float(p.conductance(np.pi)) == pytest.approx(1e-3 / 2.5, rel=1e-14, abs=0)
    assert float(p.seebeck(np.pi, T)) == pytest.approx(-70e-6, rel=1e-12, abs=0)
    # P_a(ε) = P_b(ε): (G0 P)² = G0 · G0P² holds to first order in ε
    g, dg = p.moments, p.moment_derivatives
    assert 2 * g[1] * dg[1] == pytest.approx(dg[0] * g[3] + g[0] * dg[3], rel=1e-12, abs=0)


def test_bad_junctions_are_named():
    ok = JunctionParameters(1e-3, 0.5, 0.5)
    dev = Device(T)
    dev.add_node("F", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("N", "normal", reservoir=True)
    dev.add_contact("F", "N", ok)
    with pytest.raises(DeviceError, match=r"contacts\[0\]\.between: a tunnel junction joins two"):
        dev.finalize()
    for params, field in ((JunctionParameters(1e-3, 1.0, 0.5), "polarization_a"),
                          (JunctionParameters(-1e-3, 0.5, 0.5), "g0"),
                          (JunctionParameters(1e-3, 0.5, 0.5, dg0=1e22), "dg0")):
        dev = Device(T)
        dev.add_node("A", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
        dev.add_node("B", "ferromagnet", reservoir=True, magnetization=[1, 0, 0])
        dev.add_contact("A", "B", params)
        with pytest.raises(DeviceError, match=rf"contacts\[0\]\.{field}:"):
            dev.finalize()
    with pytest.raises(ValueError, match="tmr"):
        JunctionParameters.symmetric(conductance_parallel=1e-3, tmr=-1.0, seebeck_parallel=0.0,
                                     seebeck_antiparallel=0.0, temperature=T)


@pytest.mark.parametrize("s_p, s_ap, field", [(-300e-6, -80e-6, "seebeck_parallel"),
                                              (-150e-6, -20e-6, "seebeck_parallel"),
                                              (10e-6, 170e-6, "seebeck_antiparallel")])
def test_measured_junctions_beyond_the_entropy_bound_are_refused_by_their_keys(s_p, s_ap, field):
    """The closed-form MTJ and the symmetric junction refuse thermopowers that give a channel
    pair |S| > √L0 (the closed form used to return S(0) = −300 µV/K), naming a key the user
    gave; S_P = −150, S_AP = −20 µV/K are each within √L0 = 156 µV/K but not their pairs."""
    from spincaloric.circuit.tunnel import MagneticTunnelJunction

    with pytest.raises(ValueError, match=rf"^{field}: S_P = .* beyond the entropy bound"):
        MagneticTunnelJunction(1e-11, 1.0, s_p, s_ap, T)
    with pytest.raises(ValueError, match=rf"^{field}: S_P = .* beyond the entropy bound"):
        JunctionParameters.symmetric(conductance_parallel=1e-3, tmr=1.0, seebeck_parallel=s_p,
                                     seebeck_antiparallel=s_ap, temperature=T)


def test_torque_thermopower_may_exceed_the_bound_in_a_valid_junction():
    """S_τ = −eL0T (G_0P)'/(G_0P) is not a conductance's thermopower: a junction with a small
    TMR and S_P, S_AP of opposite sign is valid yet has |S_τ| ≫ √L0 (module docstring)."""
    from spincaloric.circuit.tunnel import MagneticTunnelJunction
    from spincaloric.constants import SEEBECK_BOUND

    mtj = MagneticTunnelJunction(1e-11, 0.01, -10e-6, 10e-6, T)
    assert np.abs(mtj.junction(1e-15).pair_seebeck(T)).max() <= SEEBECK_BOUND
    assert abs(mtj.torque_seebeck()) > 5 * SEEBECK_BOUND


def longitudinal_entropy_form(params, m_a, m_b):
    """Symmetric matrix of the entropy production J·d(X_a − X_b)/T as a quadratic form in the
    collinear states (V_c, V_s, T_c, T_s) of the two sides (temperatures scaled by √L0)."""
    from spincaloric.circuit.contacts import conjugate_scaling
    from spincaloric.constants import SEEBECK_BOUND

    k_a, k_b = junction_response(params.moments, params.moment_derivatives, m_a, m_b, T)
    embed = np.zeros((2, 8, 4))  # collinear state -> 8-vector, per side
    for side, m in enumerate((m_a, m_b)):
        embed[side, 0, 0] = embed[side, 4, 2] = 1.0
        embed[side, 1:4, 1], embed[side, 5:8, 3] = m, m
    j = np.hstack([k_a @ embed[0], -k_b @ embed[1]])  # J = M (X_a; X_b)
    force = conjugate_scaling(T)[:, None] * np.hstack([embed[0], -embed[1]])
    form = force.T @ j / T
    # temperatures in units of V/√L0, so that both blocks are of the order G/T
    d = np.tile([1.0, 1.0, 1 / SEEBECK_BOUND, 1 / SEEBECK_BOUND], 2)
    form = d[:, None] * form * d[None, :]
    return 0.5 * (form + form.T)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_entropy_production_is_non_negative_for_valid_junctions(seed):
    rng = np.random.default_rng(seed)
    params = random_junction(rng, T)
    params.validate(T)
    form = longitudinal_entropy_form(params, random_unit(rng), random_unit(rng))
    assert np.linalg.eigvalsh(form).min() >= -1e-12 * np.abs(form).max()


def test_a_pair_thermopower_beyond_the_bound_breaks_the_second_law():
    """At the bound √L0 on one channel pair the form is still non-negative; 5 % beyond, it
    is indefinite and validation refuses the junction (field "dg0", the derivatives given)."""
    from spincaloric.constants import ELEMENTARY_CHARGE, LORENZ, SEEBECK_BOUND

    g0, pa, pb = 1e-3, 0.3, -0.2
    signs = np.array([(s, t) for s in (1, -1) for t in (1, -1)], float)
    h = np.column_stack([np.ones(4), signs[:, 0], signs[:, 1], signs[:, 0] * signs[:, 1]])
    w = h @ np.array([g0, g0 * pa, g0 * pb, g0 * pa * pb])
    m_a, m_b = np.array([0.0, 0.0, 1.0]), np.array([0.0, 0.0, -1.0])  # AP: pairs (↑,↓), (↓,↑)
    for factor, valid in ((0.999, True), (1.05, False)):
        s_pair = np.array([0.0, factor * SEEBECK_BOUND, 0.0, 0.0])
        dw = -s_pair * w / (ELEMENTARY_CHARGE * LORENZ * T)
        params = JunctionParameters(g0, pa, pb, *np.linalg.solve(h, dw))
        low = np.linalg.eigvalsh(longitudinal_entropy_form(params, m_a, m_b)).min()
        scale = g0 / T
        if valid:
            params.validate(T)
            assert low >= -1e-12 * scale
        else:
            assert low < -1e-3 * scale
            with pytest.raises(ValueError, match="^dg0: .* beyond the entropy bound"):
                params.validate(T)


# ---- the energy-resolved solver ----------------------------------------------------------------


@pytest.mark.usefixtures("energy_resolved_path")
def test_energy_resolved_junction_at_a_100_kelvin_bias_is_the_exact_integral():
    """Between leads the junction conducts G(θ, ε) = G_0(ε) + G_0P_aP_b(ε) cos θ, linear in ε:
    I = [G ΔV e + G'((μ_a² − μ_b²)/2 + (π²/6) k²(T_a² − T_b²))]/e exactly, at any bias."""
    from spincaloric.solvers.spectral import solve_elastic

    params = JunctionParameters(1e-3, 0.6, 0.5, dg0=2e14, dg0_pa=1e14, dg0_pb=5e13,
                                dg0_papb=8e13)
    dev = Device(T, regime="spectral")
    dev.add_node("a", "ferromagnet", reservoir=True, magnetization=[0, 0, 1], voltage=-2e-3,
                 temperature=350.0)
    dev.add_node("b", "ferromagnet", reservoir=True, magnetization=[0.6, 0, 0.8],
                 temperature=250.0)
    dev.add_contact("a", "b", params)
    circuit = dev.finalize()
    sol = solve_elastic(circuit, points=6001)
    e, k = ELEMENTARY_CHARGE, BOLTZMANN
    cos = 0.8
    g = params.g0 + params.g0 * 0.6 * 0.5 * cos
    dg = params.dg0 + params.dg0_papb * cos
    mu_a, mu_b = e * 2e-3, 0.0
    exact = (g * (mu_a - mu_b) + dg * ((mu_a**2 - mu_b**2) / 2
                                       + np.pi**2 / 6 * k**2 * (350.0**2 - 250.0**2))) / e
    assert sol.currents[0, 0] == pytest.approx(exact, rel=1e-7, abs=0)
    # the barrier's spin current lies in the plane of the two magnetizations
    assert abs(sol.currents[0, 2]) <= 1e-12 * abs(sol.currents[0, 0])


def test_a_junction_whose_linear_spectrum_turns_negative_points_to_linear_response():
    """Tunnel magneto-Seebeck thermopowers of CoFeB|MgO|CoFeB (−100, −108 µV/K) make one channel
    pair's linear G(ε) vanish inside the Fermi window at 300 K: the energy-resolved solve is
    refused naming the contact, the energy and the way out (linear response solves it)."""
    from spincaloric.solvers.spectral import solve_elastic

    params = JunctionParameters.symmetric(conductance_parallel=1e-3, tmr=1.0,
                                          seebeck_parallel=-100e-6,
                                          seebeck_antiparallel=-108e-6, temperature=T)
    dev = Device(T, regime="spectral")
    dev.add_node("a", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("b", "ferromagnet", reservoir=True, magnetization=[1, 0, 0],
                 temperature=T + 10.0)
    dev.add_contact("a", "b", params)
    with pytest.raises(DeviceError, match=r"^contacts\[0\]: a channel pair's tunnel "
                       r"conductance .* negative near -0\.\d+ eV, inside the Fermi window "
                       r"\(±.* eV\).*regime \"thermalized\""):
        solve_elastic(dev.finalize())
    dev.regime = "thermalized"
    assert np.isfinite(dev.finalize().solve().currents).all()


def test_a_tmr_in_per_cent_is_a_unit_warning():
    """TMR is the ratio G_P/G_AP − 1: a value beyond the largest measured (11.44, 1144 % at
    5 K) is most likely per cent, and says so; measured ratios pass silently."""
    from spincaloric.validation import SizeUnitWarning

    kw = dict(conductance_parallel=1e-3, seebeck_parallel=0.0, seebeck_antiparallel=0.0,
              temperature=T)
    with pytest.warns(SizeUnitWarning, match=r"^tmr: 150 is G_P/G_AP − 1 = 1.5e\+04 %.*a ratio, "
                      r"not per cent"):
        JunctionParameters.symmetric(tmr=150.0, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        JunctionParameters.symmetric(tmr=6.04, **kw)  # 604 % at 300 K
        MagneticTunnelJunction(1e-11, tmr=1.2, seebeck_parallel=-100e-6,
                               seebeck_antiparallel=-108e-6, temperature=T).junction(1e-14)


@pytest.mark.usefixtures("energy_resolved_path")
@pytest.mark.parametrize("regime", ["noninteracting", "thermalized"])
def test_energy_resolved_junction_circuit_reaches_the_linear_regimes(regime):
    """fixed lead |junction| free layer (node) |F|N| normal node | lead, non-collinear, small
    biases: elastic = non-interacting linear response; strong relaxation = thermalized."""
    from spincaloric import ContactParameters
    from spincaloric.solvers.spectral import solve_elastic, solve_relaxed

    # S ≈ 0.6 µV/K: the Sommerfeld truncation differs by O(S²/L0) ≈ 1e-5
    params = JunctionParameters(2e-3, 0.5, 0.4, dg0=1e15, dg0_pa=4e14, dg0_pb=-3e14,
                                dg0_papb=2e14)
    contact = ContactParameters.from_paper(conductance=5e-3, polarization=0.4, mixing=0.8,
                                           seebeck=-1e-6, polarization_derivative=0.5,
                                           mixing_derivative=0.2, temperature=T)
    spin_independent = ContactParameters.spin_independent(conductance=8e-3, seebeck=0.5e-6,
                                                          temperature=T)
    dev = Device(T, regime=regime)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1], voltage=-1e-6,
                 temperature=T + 1e-3)
    dev.add_node("free", "ferromagnet", magnetization=[0.8, 0, 0.6])
    dev.add_node("N", "normal")
    dev.add_node("lead", "normal", reservoir=True)
    dev.add_contact("fixed", "free", params)
    dev.add_contact("free", "N", contact)
    dev.add_contact("N", "lead", spin_independent)
    circuit = dev.finalize()
    lin = circuit.solve().currents
    if regime == "noninteracting":
        got = solve_elastic(circuit, points=4001).currents
    else:
        got = solve_relaxed(circuit, {"free": 10.0, "N": 10.0}, points=4001)[0].currents
    scale = np.abs(lin[:, :4]).max()
    np.testing.assert_allclose(got[:, :4], lin[:, :4], atol=1e-4 * scale)
    # heat: finite relaxation (g = 10 S against contacts of mS) leaves ~1e-3 in the thermalized
    heat = np.abs(lin[:, 4:]).max()
    np.testing.assert_allclose(got[:, 4:], lin[:, 4:],
                               atol=(1e-4 if regime == "noninteracting" else 2e-3) * heat)


MTJ_FILE = Path(__file__).parent.parent / "examples" / "devices" / "mtj_magneto_seebeck.toml"


def test_device_file_junction_equals_the_api():
    from spincaloric.io import load_device

    circuit = load_device(MTJ_FILE).finalize()
    assert circuit.junction.tolist() == [True]
    ref = JunctionParameters.symmetric(conductance_parallel=1.26e-15 / 1e-11, tmr=1.0,
                                       seebeck_parallel=-100e-6, seebeck_antiparallel=-80e-6,
                                       temperature=T)
    got = circuit.contact_parameters(0)
    np.testing.assert_allclose(got.moments, ref.moments, rtol=1e-14, atol=0)
    np.testing.assert_allclose(got.moment_derivatives, ref.moment_derivatives, rtol=1e-14,
                               atol=0)
    # the file's state: 90°, free layer 10 K warmer, no voltage: I = G(90°) S(90°) ΔT
    sol = circuit.solve()
    current = -float(sol.contacts[0].charge_current)  # theory current fixed -> free
    expected = float(ref.conductance(np.pi / 2) * ref.seebeck(np.pi / 2, T)) * 10.0
    assert current == pytest.approx(expected, rel=1e-12, abs=0)


@pytest.mark.parametrize("old, new, message", [
    ("tmr = 1.0", "tmr = -1.0", "contacts[0].junction.tmr: must be a positive number"),
    ("tmr = 1.0", "tmr = 1.0, g0 = 1e-3", "contacts[0].junction.g0: give the measured form"),
    ("area = 1.26e-15", "", "contacts[0].area: required with resistance_area"),
    ("resistance_area = 1e-11, tmr = 1.0, seebeck_parallel = -100e-6, "
     "seebeck_antiparallel = -80e-6", "g0 = 1e-4, polarization_a = 0.5",
     "contacts[0].junction.polarization_b: required"),
    ("seebeck_parallel = -100e-6", "seebeck_parallel = -300e-6",
     "contacts[0].junction.seebeck_parallel: S_P = -300 and S_AP = -80 uV/K give a channel"),
    ('type = "ferromagnet"\nreservoir = true\nmagnetization = [0, 0, 1]',
     'type = "normal"\nreservoir = true', "contacts[0].between: a tunnel junction joins two"),
])
def test_device_file_junction_errors_are_one_line(tmp_path, old, new, message):
    from click.testing import CliRunner

    from spincaloric.cli import main

    text = MTJ_FILE.read_text()
    assert old in text
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace(old, new, 1))
    res = CliRunner().invoke(main, ["solve", str(bad)])
    assert res.exit_code == 2
    assert message in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_mtj_inside_a_stack_with_thick_electrodes():
    """multilayer([lead, Co, junction, Co, lead]): the barrier in series with two diffusive Co
    electrodes. In the parallel state a junction polarizes the current by 2P/(1 + P²); with
    electrodes of that bulk asymmetry β the spin currents match, no spin accumulates and the
    stack is exactly the series resistor 1/G_P + 2ρt/A. Antiparallel, the junction passes an
    unpolarized current into polarizing electrodes: the spin accumulation adds resistance."""
    from spincaloric.layers import Interface, Layer, Lead, multilayer
    from spincaloric.materials import bulk_material

    area, thickness = 1e-14, 20e-9
    # no thermopowers: the Peltier heat of the barrier would add a thermovoltage
    mtj = MagneticTunnelJunction(1e-13, tmr=1.0, seebeck_parallel=0.0,
                                 seebeck_antiparallel=0.0, temperature=T)
    p = mtj.polarization
    co = bulk_material("Co", spin_flip_length=60e-9, spin_asymmetry=2 * p / (1 + p**2),
                       seebeck=0.0, spin_seebeck=0.0)
    junction = mtj.junction(area)
    r_co = 2 * co.resistivity * thickness / area
    for parallel in (True, False):
        m2 = (0, 0, 1) if parallel else (0, 0, -1)
        stack = [Lead("left", "ferromagnet", magnetization=(0, 0, 1)),
                 Layer("bottom", co, thickness, cells=20, magnetization=(0, 0, 1)),
                 Interface(junction),
                 Layer("top", co, thickness, cells=20, magnetization=m2),
                 Lead("right", "ferromagnet", magnetization=m2, voltage=-1e-4)]
        circuit = multilayer(stack, area=area, temperature=T).finalize()
        assert circuit.junction.sum() == 1
        sol = circuit.solve()
        r_stack = 1e-4 / float(sol.contacts[0].charge_current)
        r_series = 1 / float(junction.conductance(0.0 if parallel else np.pi)) + r_co
        accumulation = max(np.abs(n.spin_accumulation).max() for n in sol.nodes.values())
        if parallel:
            assert r_stack == pytest.approx(r_series, rel=1e-9, abs=0)
            assert accumulation <= 1e-9 * 1e-4
        else:
            assert r_stack > r_series * (1 + 1e-4)
            assert accumulation > 1e-3 * 1e-4


def test_mtj_dynamics_thermal_and_equivalent_voltage_give_the_same_trajectory():
    """A free layer driven through a junction: the torque depends on S_τΔT − ΔV only, so a
    temperature difference and the voltage −S_τΔT move the magnet identically (dynamics
    with the circuit's torque map of a two-port contact)."""
    from spincaloric.dynamics import MagnetParameters
    from spincaloric.dynamics.simulation import Simulation

    mtj = MagneticTunnelJunction(1e-12, tmr=1.0, seebeck_parallel=-100e-6,
                                 seebeck_antiparallel=-60e-6, temperature=T)
    params = mtj.junction(1e-15)
    mag = MagnetParameters(saturation_magnetization=1e6, volume=1e-24, damping=0.01,
                           anisotropy_field=1.5, demagnetizing_factors=[0, 0, 1])
    start = (np.sin(2.5), 0, np.cos(2.5))
    delta_t = 30.0

    def simulation(voltage, temperature):
        dev = Device(T)
        dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
        dev.add_node("free", "ferromagnet", reservoir=True, magnetization=start,
                     voltage=voltage, temperature=temperature)
        dev.add_contact("fixed", "free", params)
        return Simulation(dev.finalize(), {"free": mag})

    s_tau = mtj.torque_seebeck()
    thermal = simulation(0.0, T + delta_t).run(1e-9, n_save=201, rtol=1e-10, atol=1e-12)
    # theory ΔV = −S_τ ΔT is the electric potential +S_τ ΔT of the free layer
    electrical = simulation(s_tau * delta_t, None).run(1e-9, n_save=201, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(thermal.m, electrical.m, atol=1e-8)
    idle = simulation(0.0, None).run(1e-9, n_save=201, rtol=1e-10, atol=1e-12)
    assert np.abs(thermal.m - idle.m).max() > 1e-2  # the torque, not precession alone


@pytest.mark.parametrize("method", METHODS)
def test_angular_momentum_balance_across_a_junction_to_a_free_layer_node(method):
    """Fixed lead |junction| non-collinear free-layer node (with spin flip) |F|N| lead: the
    barrier's spin current J⃗_s (from the fixed layer into the free one) loses its part
    transverse to m_a on leaving a and to m_b on entering b, so the two torques add up to
    (ħ/2e)[(J⃗_s·m_a)m_a − (J⃗_s·m_b)m_b]; both torques lie in the plane of m_a and m_b."""
    rng = np.random.default_rng(11)
    for trial in range(6):
        p = random_junction(rng, T)
        theta = rng.uniform(0.2, 3.0)
        m_a, m_b = np.array([0, 0, 1.0]), np.array([np.sin(theta), 0, np.cos(theta)])
        dev = Device(T)
        dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=m_a,
                     voltage=1e-4 * rng.normal(), temperature=T + rng.normal())
        dev.add_node("free", "ferromagnet", magnetization=m_b, spin_flip=(0.0, 2e-3)[trial % 2])
        dev.add_node("lead", "normal", reservoir=True, temperature=T + rng.normal())
        dev.add_contact("fixed", "free", p)
        dev.add_contact("free", "lead", ContactParameters.from_paper(
            conductance=5e-3, polarization=0.6, mixing=0.8, seebeck=-10e-6,
            polarization_derivative=0.5, mixing_derivative=0.3, temperature=T))
        sol = dev.finalize().solve(method=method)
        js = sol.contacts[0].spin_current
        balance = TORQUE_PER_SPIN_CURRENT * ((js @ m_a) * m_a - (js @ m_b) * m_b)
        total = sol.torques["fixed"] + sol.torques["free"]
        scale = np.abs(sol.torques["free"]).max()
        assert scale > 0
        np.testing.assert_allclose(total, balance, rtol=0, atol=1e-12 * scale)
        for k in ("fixed", "free"):
            assert abs(sol.torques[k][1]) <= 1e-12 * scale


def test_the_refusal_names_where_a_pairs_linear_conductance_crosses_zero(tmp_path):
    """The energy named is the zero of the linear G(ε) nearest the Fermi level (the window's
    edge was named before: −0.26 eV for a zero at −0.07 eV), and the reason is the
    thermopower, whatever the temperature."""
    from spincaloric.circuit.kinds import _first_negative
    from spincaloric.io import load_spec

    eps = np.linspace(-0.3, 0.3, 6001) * 1.602176634e-19
    line = 1.0 + eps / (0.07 * 1.602176634e-19)  # a zero at −0.07 eV
    assert _first_negative(eps, line) == pytest.approx(-0.07, abs=2e-4)
    example = Path(__file__).parent.parent / "examples" / "devices" / "mtj_magneto_seebeck.toml"
    path = tmp_path / "mtj.toml"
    text = example.read_text().replace('regime = "thermalized"', 'regime = "spectral"')
    assert "temperature = 300.0" in text and "temperature = 310.0" in text
    for cold, hot in (("300.0", "310.0"), ("10.0", "10.3")):
        path.write_text(text.replace("temperature = 300.0", f"temperature = {cold}").replace(
            "temperature = 310.0", f"temperature = {hot}"))
        with pytest.raises(DeviceError, match=r"negative near -0\.0\d+ eV, inside the Fermi "
                                              r"window .* at any temperature"):
            load_spec(path).device.finalize().solve(method="spectral")


def test_an_unpolarised_barrier_is_pointed_to_the_ordinary_contact():
    """TMR = 0 has P = 0, where the junction's spin-dependent energy derivatives divide by P:
    refused, saying what stands for such a barrier."""
    from spincaloric.circuit.junctions import JunctionParameters

    with pytest.raises(ContactError, match=r"^tmr: must be a positive number, got 0 \(an "
                                           r"unpolarised barrier, TMR = 0, is a spin-independent"):
        JunctionParameters.symmetric(conductance_parallel=1e-3, tmr=0,
                                     seebeck_parallel=-1e-5, seebeck_antiparallel=-1e-5,
                                     temperature=300.0)
