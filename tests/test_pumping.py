"""Spin pumping in the dynamics (physics.md §9): ring-down dampings against the closed forms
of spincaloric.analytic, the torque map D(m) against the F|N|F backflow and dynamic coupling,
Onsager–Casimir reciprocity and the second law on random circuits, and the pumping-off path."""

import numpy as np
import pytest

from random_circuits import random_circuit, random_unit
from spincaloric import ContactParameters, Device, DeviceError, analytic
from spincaloric.analytic import ValveParameters
from spincaloric.circuit.contacts import cross_matrix
from spincaloric.constants import ELEMENTARY_CHARGE, HBAR, TORQUE_PER_SPIN_CURRENT
from spincaloric.dynamics import MagnetParameters, kernels
from spincaloric.dynamics.circuit_lanes import map_entries
from spincaloric.dynamics.simulation import Simulation
from spincaloric.dynamics.torque_model import CircuitTorqueModel

T0 = 300.0
MS, VOL, A0, B = 1.1e6, 1.5e-9 * 1.26e-15, 0.01, 0.1
SINK_D = HBAR ** 2 / (2 * ELEMENTARY_CHARGE ** 2)  # N·m·s per S


def magnet(volume=VOL, field=B):
    return MagnetParameters(MS, volume, A0, applied_field=[0, 0, field])


def sink_circuit(g_mix, theta=0.1):
    """A ferromagnetic reservoir F (tilted by ``theta`` from z) on a normal reservoir N."""
    dev = Device(temperature=T0)
    dev.add_node("F", "ferromagnet", reservoir=True,
                 magnetization=[np.sin(theta), 0, np.cos(theta)])
    dev.add_node("N", "normal", reservoir=True)
    dev.add_contact("F", "N", ContactParameters(0.3, 0.2, g_mix))
    return dev.finalize()


def ring_down(sim, until=2e-9):
    """(Γ (1/s), ω (rad/s)) of an isotropic macrospin precessing about z: tan(θ/2) decays as
    e^{−Γt} and the azimuth turns at ω exactly when the pumping is a sink's."""
    tr = sim.run(until, n_save=401, rtol=1e-10, atol=1e-12)
    m = tr.m[0, :, 0]
    theta = np.arccos(np.clip(m[:, 2], -1, 1))
    rate = -np.polyfit(tr.time, np.log(np.tan(theta / 2)), 1)[0]
    omega = np.polyfit(tr.time, np.unwrap(np.arctan2(m[:, 1], m[:, 0])), 1)[0]
    return rate, omega


# ---- A: a ferromagnetic reservoir pumping into a normal reservoir ----------------------------

@pytest.mark.slow
@pytest.mark.parametrize("g_mix", [0.247, 0.247 + 0.1j, 0.247 - 0.05j])
def test_sink_ring_down_has_the_pumping_damping_and_gyration(g_mix):
    rate, omega = ring_down(Simulation(sink_circuit(g_mix), {"F": magnet()}))
    mode = analytic.small_angle_mode(
        [0, 0, 1], MS, applied_field=[0, 0, B],
        damping=A0 + analytic.pumping_damping(g_mix, MS, VOL),
        gyration=analytic.pumping_gyration(g_mix, MS, VOL))
    assert rate == pytest.approx(mode.decay_rate, rel=1e-6, abs=0)
    assert omega == pytest.approx(mode.angular_frequency, rel=1e-6, abs=0)
    off = ring_down(Simulation(sink_circuit(g_mix), {"F": magnet()}, pumping=False))
    assert off[0] == pytest.approx(analytic.small_angle_mode(
        [0, 0, 1], MS, applied_field=[0, 0, B], damping=A0).decay_rate, rel=1e-5, abs=0)


@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize("g_mix", [0.247, 0.3 - 0.07j])
def test_sink_damping_map_is_the_closed_form(g_mix, order):
    """D = (ħ²/2e²)(Re G↑↓ [m×] + Im G↑↓ (1 − m mᵀ)), whichever end the ferromagnet is."""
    dev = Device(temperature=T0)
    dev.add_node("F", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("N", "normal", reservoir=True)
    dev.add_contact(*(("F", "N") if order == 0 else ("N", "F")),
                    ContactParameters(0.3, 0.2, g_mix))
    tm = CircuitTorqueModel.build(dev.finalize(), ["F"])
    m = random_unit(np.random.default_rng(3), (1,))
    d = tm.damping_matrix(m)[0, :, 0]
    q = np.eye(3) - np.outer(m[0], m[0])
    want = SINK_D * (np.real(g_mix) * cross_matrix(m[0]) + np.imag(g_mix) * q)
    np.testing.assert_allclose(d, want, rtol=0, atol=1e-12 * np.abs(want).max())
    # α' = (γ/M_sV) ħ² Re G↑↓/2e²
    assert magnet().gyromagnetic_ratio / (MS * VOL) * SINK_D * np.real(g_mix) == \
        pytest.approx(analytic.pumping_damping(g_mix, MS, VOL), rel=1e-12, abs=0)


@pytest.mark.slow
def test_pumping_damping_scales_as_one_over_thickness():
    products = []
    for d in (1e-9, 2e-9, 4e-9):
        vol = d * 1.26e-15
        rate, _ = ring_down(Simulation(sink_circuit(0.247), {"F": magnet(vol)}))
        # Γ = α γ B/(1 + α²): invert for α = α0 + α'
        x = rate / (magnet(vol).gyromagnetic_ratio * B)
        alpha = (1 - np.sqrt(1 - 4 * x * x)) / (2 * x)
        products.append((alpha - A0) * d)
    assert np.ptp(products) <= 1e-6 * np.mean(products)


# ---- B: F|N|F backflow and dynamic coupling ---------------------------------------------------

VALVE = ValveParameters(1e-1, 0.5, 0.8, 0.0, 0.0, 0.1, T0)  # S = 0: P' acts through S only


def trilayer(fixed, free, spin_flip=0.0, both_free=False):
    """Fixed (or second free) reservoir | thin normal node | free reservoir, identical contacts
    of VALVE."""
    contact = ContactParameters.from_paper(
        conductance=VALVE.conductance, polarization=VALVE.polarization, mixing=VALVE.mixing,
        seebeck=VALVE.seebeck, polarization_derivative=VALVE.polarization_derivative,
        mixing_derivative=VALVE.mixing_derivative, temperature=T0)
    dev = Device(temperature=T0)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=fixed)
    dev.add_node("N", "normal", spin_flip=spin_flip)
    dev.add_node("free", "ferromagnet", reservoir=True, magnetization=free)
    dev.add_contact("fixed", "N", contact)
    dev.add_contact("N", "free", contact)
    return dev.finalize()


def sink_alpha():
    return analytic.pumping_damping(VALVE.mixing * VALVE.conductance / 2, MS, VOL)


def tensor(tm, m, e1):
    """(α'_ê1, α'_ŷ)/α'_sink of magnet 'free' from the map D: the coefficient of (m × ṁ)."""
    d = tm.damping_matrix(m)[-1, :, -1] / (SINK_D * VALVE.mixing * VALVE.conductance / 2)
    mf = m[-1]
    y = np.cross(mf, e1)
    return [w @ d @ (-np.cross(mf, w)) for w in (e1, y)]


@pytest.mark.parametrize("theta", [0.0, np.pi / 2, 2.0, np.pi])
@pytest.mark.parametrize("spin_flip", [0.0, 0.05, 100.0])
def test_trilayer_backflow_tensor(theta, spin_flip):
    fixed = [np.sin(theta), 0, np.cos(theta)]
    tm = CircuitTorqueModel.build(trilayer(fixed, [0, 0, 1], spin_flip), ["free"])
    m = np.array([[0, 0, 1.0]])
    # ê1 in the (m_free, m_fixed) plane, towards the fixed magnet (x at θ ≠ 0, π)
    got = tensor(tm, m, np.array([1.0, 0, 0]))
    want = analytic.trilayer_pumping_damping(VALVE, theta, spin_flip)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.slow
def test_trilayer_ring_down_damping_is_half_the_sink_value():
    """θ0 = 0, no spin flip: α0 + α'_sink/2 from the exact integrator (small cone)."""
    c = trilayer([0, 0, 1], [np.sin(0.02), 0, np.cos(0.02)])
    rate, _ = ring_down(Simulation(c, {"free": magnet()}), until=3e-9)
    half = analytic.trilayer_pumping_damping(VALVE, 0.0)[0]
    mode = analytic.small_angle_mode([0, 0, 1], MS, applied_field=[0, 0, B],
                                     damping=A0 + half * sink_alpha())
    assert rate == pytest.approx(mode.decay_rate, rel=1e-3, abs=0)


@pytest.mark.parametrize("spin_flip", [0.0, 0.03])
def test_two_free_magnets_are_coupled_dynamically(spin_flip):
    """Both free, parallel: (γ/M_sV) D_11 = α'_sink a [m×], D_12 = −α'_sink b [m×]."""
    c = trilayer([0, 0, 1], [0, 0, 1], spin_flip)
    tm = CircuitTorqueModel.build(c, ["fixed", "free"])
    m = np.array([[0, 0, 1.0], [0, 0, 1.0]])
    d = tm.damping_matrix(m) / (SINK_D * VALVE.mixing * VALVE.conductance / 2)
    a, b = analytic.trilayer_dynamic_coupling(VALVE.mixing * VALVE.conductance / 2,
                                              spin_flip)
    cm = cross_matrix(m[0])
    for k, j in ((0, 0), (1, 1)):
        np.testing.assert_allclose(d[k, :, j], a * cm, atol=1e-10)
    for k, j in ((0, 1), (1, 0)):
        np.testing.assert_allclose(d[k, :, j], -b * cm, atol=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("phase", [1, -1])
def test_acoustic_and_optical_modes_ring_down_differently(phase):
    gsf = 0.03
    c = trilayer([0, 0, 1], [0, 0, 1], gsf)
    sim = Simulation(c, {"fixed": magnet(), "free": magnet()})
    t = 0.02
    init = [[np.sin(t), 0, np.cos(t)], [phase * np.sin(t), 0, np.cos(t)]]
    tr = sim.run(3e-9, n_save=401, initial=init, rtol=1e-10, atol=1e-12)
    m = tr.m[0, :, 0]
    theta = np.arccos(np.clip(m[:, 2], -1, 1))
    rate = -np.polyfit(tr.time, np.log(np.tan(theta / 2)), 1)[0]
    a, b = analytic.trilayer_dynamic_coupling(VALVE.mixing * VALVE.conductance / 2, gsf)
    mode = analytic.small_angle_mode([0, 0, 1], MS, applied_field=[0, 0, B],
                                     damping=A0 + sink_alpha() * (a - phase * b))
    assert rate == pytest.approx(mode.decay_rate, rel=1e-3, abs=0)


# ---- C, D: reciprocity and the second law on random circuits ---------------------------------

def all_magnets(c):
    names, seen = [], set()
    for i in np.flatnonzero(c.ferromagnet):
        g = int(c.magnet_group[i])
        if g not in seen:
            seen.add(g)
            names.append(c.names[i])
    return names


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_onsager_casimir_pumped_currents_and_torques(seed):
    """∂I_r/∂ṁ_k(m) = m_k × ∂τ_k/∂V_r(−m), ∂Q_r/∂ṁ_k(m) = T m_k × ∂τ_k/∂T_r(−m), and the
    friction F_kj = −[m_k×] D_kj obeys F_kj(m) = F_jk(−m)ᵀ (every magnet moving, so −m
    reverses them all)."""
    rng = np.random.default_rng(seed)
    regime = ("thermalized", "noninteracting")[seed % 2]
    while True:
        c = random_circuit(rng, regime)
        names = all_magnets(c)
        if len(names) >= 2:
            try:
                tm = CircuitTorqueModel.build(c, names)
                break
            except DeviceError:
                continue
    k = len(names)
    m = random_unit(rng, (k,))
    d = np.zeros_like(tm.d0)
    scale = TORQUE_PER_SPIN_CURRENT * (c.g_up + c.g_down).max()
    unit = np.eye(3)
    for ir, r in enumerate(np.flatnonzero(c.reservoir)):
        for slot, factor in ((0, 1.0), (1, c.temperature)):
            dd = d.copy()
            dd[3 * r + slot] = 1.0
            dtau = tm.torques(-m, dd) - tm.torques(-m, d)
            for j in range(k):
                mdot = np.zeros((3, k, 3))
                mdot[:, j] = unit
                grad = (tm.reservoir_currents(m, d, mdot)[slot][:, ir]
                        - tm.reservoir_currents(m, d)[slot][ir])
                grad -= m[j] * (m[j] @ grad)
                np.testing.assert_allclose(grad, factor * np.cross(m[j], dtau[j]),
                                           rtol=0, atol=1e-9 * factor * scale)
    f = -np.einsum("kab,kbjc->kajc", cross_matrix(m), tm.damping_matrix(m))
    f_rev = -np.einsum("kab,kbjc->kajc", cross_matrix(-m), tm.damping_matrix(-m))
    q = np.eye(3) - np.einsum("ki,kj->kij", m, m)
    f = np.einsum("kab,kbjc,jcd->kajd", q, f, q)
    f_rev = np.einsum("kab,kbjc,jcd->kajd", q, f_rev, q)
    np.testing.assert_allclose(f, np.transpose(f_rev, (2, 3, 0, 1)), rtol=0,
                               atol=1e-10 * np.abs(f).max())
    # second law: the precession loses power −Σ ṁ_kᵀ[m_k×] D_kj ṁ_j ≥ 0 for every tangent ṁ
    sym = (f + np.transpose(f, (2, 3, 0, 1))).reshape(3 * k, 3 * k) / 2
    assert np.linalg.eigvalsh(sym).min() >= -1e-10 * np.abs(sym).max()


@pytest.mark.parametrize("seed", range(8))
def test_precession_power_is_the_heat_delivered_to_the_circuit(seed):
    """Second law, as an equality (equal temperatures, no bias, every magnet moving): the
    power the precession loses to the pumping friction, Σ_kj ṁ_kᵀ(−[m_k×] D_kj) ṁ_j, equals
    the heat dissipated in the contacts, Σ_c J_c·W·(X_a − X_b + P_c) with the pump bias P_c,
    and in the nodes' relaxation (spin flip G_sf |V⃗_s|²/2, spin-heat and phonon sinks), to
    round-off; it is ≥ 0."""
    from spincaloric.circuit.contacts import conjugate_scaling

    rng = np.random.default_rng(100 + seed)
    regime = ("thermalized", "noninteracting")[seed % 2]
    while True:
        c = random_circuit(rng, regime)
        names = all_magnets(c)
        if names:
            try:
                tm = CircuitTorqueModel.build(c, names)
                break
            except DeviceError:
                continue
    k = len(names)
    m = random_unit(rng, (k,))
    mdot = 1e10 * rng.normal(size=(k, 3))
    mdot -= np.sum(mdot * m, axis=1, keepdims=True) * m  # tangent rates (1/s)
    d = np.zeros_like(tm.d0)  # every reservoir at T0 and the same potential
    friction = -np.einsum("kab,kbjc->kajc", cross_matrix(m), tm.damping_matrix(m))
    lost = float(np.einsum("ka,kajc,jc->", mdot, friction, mdot))
    x, j, bias = tm.contact_state(m, d, mdot)
    t = c.temperature
    force = (x[c.ends[:, 0]] - x[c.ends[:, 1]] + bias) * conjugate_scaling(t)
    contacts = float(np.sum(j * force))
    nodes = float(np.sum(c.spin_flip * np.sum(x[:, 1:4] ** 2, axis=1) / 2
                         + c.bath * x[:, 4] ** 2 / t
                         + c.spin_heat_sink * np.sum(x[:, 5:8] ** 2, axis=1) / (2 * t)))
    pumped = float(np.sum(j * bias * conjugate_scaling(t)))  # the pump sources' power
    assert lost > 0
    assert nodes > 1e-10 * lost  # the relaxation's share is in the balance (1e-9 to 4e-2)
    assert contacts + nodes == pytest.approx(lost, rel=1e-12, abs=0)
    assert pumped == pytest.approx(lost, rel=1e-12, abs=0)
    # without motion nothing flows: the heat is the pumping's alone
    assert np.abs(tm.contact_state(m, d)[1]).max() == 0


# ---- internal magnets, lanes, and the pumping-off path ----------------------------------------

def internal_free_layer(regime):
    """A free layer inside a pillar: fixed reservoir | N | free (internal) | N | lead."""
    dev = Device(temperature=T0, regime=regime)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("n1", "normal", spin_flip=2e-3)
    dev.add_node("free", "ferromagnet", magnetization=[0.2, 0.1, 0.97], spin_flip=5e-3)
    dev.add_node("lead", "normal", reservoir=True, voltage=1e-4, temperature=T0 + 5)
    c = ContactParameters.from_paper(conductance=2e-2, polarization=0.5, mixing=0.7,
                                     seebeck=-4.5e-6, polarization_derivative=0.77,
                                     mixing_derivative=0.13, temperature=T0)
    dev.add_contact("fixed", "n1", c)
    dev.add_contact("n1", "free", c)
    dev.add_contact("free", "lead", c)
    return dev.finalize()


@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
def test_internal_magnet_kernel_matches_the_numpy_reference(regime):
    """The compiled stage (τ0, D) and the ṁ it solves for agree with the NumPy reference."""
    c = internal_free_layer(regime)
    sim = Simulation(c, {"free": magnet()})
    tm = sim.model
    rng = np.random.default_rng(1)
    m = random_unit(rng, (1,))
    pm, hm = sim.pumping_maps()
    u, q = tm.a0.shape[0], tm.e.shape[1]
    rd, fd, td = np.zeros(u), np.zeros((1, q, u)), np.zeros((1, q, 3))
    kernels.prepare_drive(tm.d0, tm.r0, tm.f, tm.t, rd, fd, td)
    tau, dmat = np.zeros((1, 3)), np.zeros((3, 3))
    kernels.circuit_torque(m, tm.a0, tm.e, map_entries(tm.e), tm.t, pm, hm, rd, fd, td, tau, dmat,
                           np.zeros((1, q)), np.zeros((u, u)), np.zeros(u + tm.d0.size),
                           np.zeros((u, 3)))
    np.testing.assert_allclose(tau, tm.torques(m), rtol=1e-10, atol=1e-30)
    np.testing.assert_allclose(dmat, tm.damping_matrix(m)[0, :, 0], rtol=1e-10,
                               atol=1e-12 * np.abs(dmat).max())
    # ṁ solves ṁ = Ω + α m × ṁ + (γ/M_sV)(τ0 + D ṁ) with the reference torque at that ṁ
    mp, mv, _ = sim._magnet_arrays(1)
    out = np.zeros((1, 3))
    kernels.llgs_rhs_pumped(m, tau, dmat, mp[0], mv[0], np.zeros((1, 3)), out,
                            np.zeros((3, 3)), np.zeros(3))
    par = magnet()
    b_eff = par.effective_field(m[0])
    gam, tf = mp[0, 0, 3], mp[0, 0, 5]
    full = tm.torques(m, mdot=out)[0]
    lhs = -gam * np.cross(m[0], b_eff) + A0 * np.cross(m[0], out[0]) + tf * full
    np.testing.assert_allclose(out[0], lhs, rtol=1e-10, atol=1e-10 * np.abs(out).max())


def test_without_pumping_the_solve_is_the_landau_lifshitz_form():
    """M = 1 − α[m×]: solving M ṁ = Ω is (Ω + α m × Ω)/(1 + α²) to round-off."""
    rng = np.random.default_rng(5)
    m = random_unit(rng, (2,))
    tau = np.cross(m, rng.normal(size=(2, 3))) * 1e-20
    mp = np.array([[MS, VOL, 0.03, 1.76e11, 0.05, 2.0e11 / (MS * VOL)],
                   [MS, VOL, 0.2, 1.76e11, -0.02, 1.7e11 / (MS * VOL)]])
    mv = rng.normal(size=(2, 3, 3))
    bth = rng.normal(size=(2, 3)) * 1e-3
    ll, solved = np.zeros((2, 3)), np.zeros((2, 3))
    kernels.llgs_rhs(m, tau, mp, mv, bth, ll)
    kernels.llgs_rhs_pumped(m, tau, np.zeros((6, 6)), mp, mv, bth, solved, np.zeros((6, 6)),
                            np.zeros(6))
    np.testing.assert_allclose(solved, ll, rtol=1e-14, atol=1e-14 * np.abs(ll).max())


@pytest.mark.slow
def test_ensemble_lanes_agree_with_the_scalar_kernel_with_pumping():
    from spincaloric.dynamics.simulation import ENSEMBLE_KERNEL_MIN

    c = trilayer([0, 0, 1], [np.sin(0.3), 0, np.cos(0.3)], 0.02)
    sim = Simulation(c, {"fixed": magnet(), "free": magnet()})
    init = [[np.sin(0.2), 0, np.cos(0.2)], [np.sin(0.3), 0.1, np.cos(0.3)]]
    lanes = sim.run(5e-10, n_save=11, ensemble=ENSEMBLE_KERNEL_MIN, method="rk4", dt=1e-13,
                    initial=init)
    scalar = sim.run(5e-10, n_save=11, ensemble=1, method="rk4", dt=1e-13, initial=init)
    np.testing.assert_allclose(lanes.m[0], scalar.m[0], atol=1e-10)
    off = Simulation(c, {"fixed": magnet(), "free": magnet()}, pumping=False)
    differs = off.run(5e-10, n_save=11, method="rk4", dt=1e-13, initial=init)
    assert np.abs(differs.m[0] - scalar.m[0]).max() > 1e-4


# ---- heat pumping ---------------------------------------------------------------------------

@pytest.mark.parametrize("theta", [0.7, np.pi / 2, 2.5])
def test_valve_pumped_charge_and_heat_are_the_closed_form(theta):
    """Magnet L of a thermalized valve turning out of the plane pumps I_R, Q_R into the node
    from the static reservoir R (analytic.valve_pumped_currents)."""
    p = ValveParameters(1e-2, 0.5, 0.8, -1.5e-5, 0.7, 0.1, T0)
    contact = ContactParameters.from_paper(
        conductance=p.conductance, polarization=p.polarization, mixing=p.mixing,
        seebeck=p.seebeck, polarization_derivative=p.polarization_derivative,
        mixing_derivative=p.mixing_derivative, temperature=T0)
    s, c = np.sin(theta / 2), np.cos(theta / 2)
    dev = Device(temperature=T0)
    dev.add_node("L", "ferromagnet", reservoir=True, magnetization=[-s, 0, c])
    dev.add_node("N", "normal")
    dev.add_node("R", "ferromagnet", reservoir=True, magnetization=[s, 0, c])
    dev.add_contact("L", "N", contact)
    dev.add_contact("R", "N", contact)
    tm = CircuitTorqueModel.build(dev.finalize(), ["L"])
    m, w = np.array([[-s, 0, c]]), 1e10
    i1, q1 = tm.reservoir_currents(m, mdot=np.array([[0, w, 0.0]]))
    i0, q0 = tm.reservoir_currents(m)
    want_i, want_q = analytic.valve_pumped_currents(p, theta, w)
    # the reservoirs in node order: L, R
    assert i1[1] - i0[1] == pytest.approx(want_i, rel=1e-9, abs=0)
    assert q1[1] - q0[1] == pytest.approx(want_q, rel=1e-9, abs=0)


@pytest.mark.slow
def test_trajectory_reports_the_pumped_heat_current_per_lead():
    c = trilayer([0, 0, 1], [np.sin(0.5), 0, np.cos(0.5)], 0.0)
    sim = Simulation(c, {"free": magnet()})
    tr = sim.run(2e-11, n_save=5)
    ds = tr.to_xarray()
    assert ds["pumped_heat_current"].attrs["units"] == "W"
    assert list(ds["lead"].values) == ["fixed", "free"]
    # ṁ is the solved rate: M ṁ = Ω, consistent with the reference torque at that ṁ
    tm = sim.model
    m, rate = tr.m[0, 2], tr.rates[0, 2]
    par = magnet()
    full = tm.torques(m, mdot=rate)[0]
    lhs = (-par.gyromagnetic_ratio * np.cross(m[0], par.effective_field(m[0]))
           + A0 * np.cross(m[0], rate[0]) + par.gyromagnetic_ratio / par.moment * full)
    np.testing.assert_allclose(rate[0], lhs, rtol=1e-9, atol=1e-9 * np.abs(rate).max())
    off = Simulation(c, {"free": magnet()}, pumping=False).run(2e-11, n_save=5).to_xarray()
    assert "pumped_heat_current" not in off


def test_headline_pillar_pumping_damping_from_the_device_file():
    """The pillar's free layer: α' = 0.00453 into a sink, 0.00227 with the fixed layer
    absorbing the backflow (near-parallel start), from the circuit's D map."""
    from pathlib import Path

    from spincaloric.io.devicefile import load_spec

    spec = load_spec(Path(__file__).parent.parent / "examples" / "devices"
                     / "thermal_switching_pillar.toml")
    c = spec.device.finalize()
    sim, _ = spec.simulation_for(c, 8e-9)
    par = sim.magnets["free"]
    theta = np.radians(3)
    m = np.array([[np.sin(theta), 0, np.cos(theta)]])
    d = sim.model.damping_matrix(m)[0, :, 0]
    e1 = np.array([np.cos(theta), 0, -np.sin(theta)])
    alpha = [par.gyromagnetic_ratio / par.moment * (w @ d @ -np.cross(m[0], w))
             for w in (e1, np.cross(m[0], e1))]
    assert alpha == pytest.approx([0.00227, 0.00227], abs=1e-5)
    contact = next(i for i, (a, b) in enumerate(c.ends) if "free" in (c.names[a], c.names[b]))
    sink = analytic.pumping_damping(c.g_mix[contact], par.saturation_magnetization, par.volume)
    assert sink == pytest.approx(0.00453, abs=1e-5)
