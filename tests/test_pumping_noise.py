"""Thermal noise of the spin-pumping channels (physics.md §9, noise channel by channel): the
torque noise is the fluctuation–dissipation partner of the circuit's friction D(m) at the
electron temperature across each contact (Foros, Brataas, Tserkovnyak & Bauer, PRL 95,
016601 (2005)). Ensembles: the Langevin function with pumping on at one temperature, the
effective temperature and the spin Seebeck current of a macrospin on a hotter lead (Xiao,
Bauer, Uchida, Saitoh & Maekawa, PRB 81, 214418 (2010)), Brown's field alone without pumping."""

import math

import numpy as np
import pytest

from spincaloric import ContactParameters, Device, analytic
from spincaloric.circuit.contacts import cross_matrix
from spincaloric.constants import BOLTZMANN, ELEMENTARY_CHARGE, HBAR
from spincaloric.dynamics import MagnetParameters, kernels
from spincaloric.dynamics.simulation import Simulation
from spincaloric.dynamics.torque_model import CircuitTorqueModel

T0, MS, B = 300.0, 1e6, 0.5


def lead_circuit(g_mix, lead_heating=0.0, second=None):
    """A ferromagnetic reservoir F on a normal lead N at T0 + ``lead_heating`` (a perfect spin
    sink, P = 0: no static torque); ``second`` = (g_mix, heating) adds a second lead N2."""
    dev = Device(temperature=T0)
    dev.add_node("F", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("N", "normal", reservoir=True, temperature=T0 + lead_heating)
    dev.add_contact("F", "N", ContactParameters(2 * g_mix, 0.0, g_mix))
    if second is not None:
        dev.add_node("N2", "normal", reservoir=True, temperature=T0 + second[1])
        dev.add_contact("N2", "F", ContactParameters(2 * second[0], 0.0, second[0]))
    return dev.finalize()


def trilayer(both_free=True):
    """F1 | N (internal, spin flip) | F2: the backflow geometry of physics.md §9."""
    dev = Device(temperature=T0)
    dev.add_node("F1", "ferromagnet", reservoir=True, magnetization=[0.6, 0, 0.8])
    dev.add_node("N", "normal", spin_flip=0.05)
    dev.add_node("F2", "ferromagnet", reservoir=True, magnetization=[-0.6, 0, 0.8])
    contact = ContactParameters(0.4, 0.3, 0.15 + 0.02j)
    dev.add_contact("F1", "N", contact)
    dev.add_contact("N", "F2", contact)
    return dev.finalize(), (["F1", "F2"] if both_free else ["F1"])


def langevin(x):
    return 1 / np.tanh(x) - 1 / x


def volume_for(x, temperature=T0):
    """V (m³) such that M_s V B/(k_B T) = x."""
    return x * BOLTZMANN * temperature / (MS * B)


def mixing_for(alpha, volume):
    """Re G↑↓ (S) that pumps the damping α into a sink."""
    return alpha / analytic.pumping_damping(1.0, MS, volume)


def noise_torque_covariance(m, dmat, theta, moment):
    """L Lᵀ (3k, 3k) N² m² of the kernel's pumping torque noise, column by column: the field
    the kernel adds for each unit deviate, seen as the torque M_s V b × m it exerts (one
    magnet: its whole field without Brown's, σ = 0, as the kernels draw it)."""
    k = len(m)
    mp = np.zeros((k, 6))
    mp[:, 0], mp[:, 1] = MS, moment / MS
    cols = []
    for j in range(3 * k):
        xi = np.zeros(3 * k)
        xi[j] = 1.0
        b = np.zeros((k, 3))
        if k == 1:
            kernels.thermal_field_one(m, np.ascontiguousarray(dmat), mp, theta, 0.0, xi, b)
        else:
            kernels.pumping_thermal_field(m, np.ascontiguousarray(dmat), mp, theta,
                                          np.zeros((3 * k, 3 * k)), xi, b)
        cols.append((moment * np.cross(b, m)).ravel())
    lmat = np.array(cols).T
    return lmat @ lmat.T


@pytest.mark.parametrize("both_free", [False, True])
def test_torque_noise_is_the_fdt_partner_of_the_backflow_friction(both_free):
    """With backflow (F|N|F, spin flip, Im G↑↓ ≠ 0) the kernel's torque noise has the covariance
    k_B T (J Dᵀ + D Jᵀ)/dt of the circuit's full friction D (the static magnet's contact
    included), and with the magnets at different temperatures Θ^½ (J Dᵀ + D Jᵀ) Θ^½."""
    c, names = trilayer(both_free)
    tm = CircuitTorqueModel.build(c, names)
    rng = np.random.default_rng(3)
    m = rng.normal(size=(len(names), 3))
    m /= np.linalg.norm(m, axis=-1, keepdims=True)
    k = len(names)
    dmat = tm.damping_matrix(m).reshape(3 * k, 3 * k)
    jmat = np.zeros((3 * k, 3 * k))
    for g in range(k):
        jmat[3 * g:3 * g + 3, 3 * g:3 * g + 3] = cross_matrix(m[g])
    dt = 1e-13
    for temps in ([T0] * k, [T0, 450.0][:k]):
        theta = BOLTZMANN * np.array(temps) / dt
        scale = np.sqrt(np.repeat(theta, 3))
        expected = scale[:, None] * (jmat @ dmat.T + dmat @ jmat.T) * scale[None, :]
        got = noise_torque_covariance(m, dmat, theta, 2e-20)
        assert np.abs(expected).max() > 0
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-10 * np.abs(expected).max())
    # the friction is dissipative: the covariance is positive semi-definite
    assert np.linalg.eigvalsh(expected).min() > -1e-10 * np.abs(expected).max()


def test_pumping_temperatures_of_the_lanes_weigh_each_contact_once():
    """θ = (k_B/dt) Σ_c w_c max(T0 + ΔT_c, 0) lane by lane, whatever θ held before; a magnet
    with no contact has no pumping noise (θ = 0)."""
    d = np.array([[10.0, 20.0, -400.0], [1.0, 2.0, 3.0]])
    w = np.array([[5.0, 6.0, 7.0]])
    theta = np.full((2, 3), 7.0)
    kernels.pumping_temperatures_lanes(np.array([[0, -1], [1, 1]]),
                                       np.array([[0.25, 0.75], [0.5, 0.5]]), T0, d, w, theta,
                                       1e-12, 3)
    scale = BOLTZMANN / 1e-12
    expected = [[0.25 * (T0 + 10) + 0.75 * (T0 + 5), 0.25 * (T0 + 20) + 0.75 * (T0 + 6),
                 0.25 * max(T0 - 400, 0) + 0.75 * (T0 + 7)], [T0 + 1, T0 + 2, T0 + 3]]
    np.testing.assert_allclose(theta / scale, expected, rtol=1e-13, atol=0)
    kernels.pumping_temperatures_lanes(np.zeros((2, 0), np.int64), np.zeros((2, 0)), T0, d, w,
                                       theta, 1e-12, 3)
    assert not theta.any()


def test_pumping_channels_fluctuate_at_the_temperature_across_their_contacts():
    """Each magnet's pumping noise has the Re G↑↓-weighted temperature of the nodes across its
    contacts: a lead's ΔT drive slot, or the solved electron temperature of an internal node."""
    c = lead_circuit(0.1, 200.0, second=(0.3, 0.0))
    slot, weight = CircuitTorqueModel.build(c, ["F"]).pumping_noise_temperatures()
    layout = {int(s): w for s, w in zip(slot[0], weight[0])}
    assert sorted(layout.values()) == pytest.approx([0.25, 0.75], rel=1e-12, abs=0)
    theta = np.zeros(1)
    d = CircuitTorqueModel.build(c, ["F"]).d0
    kernels.pumping_temperatures(slot, weight, T0, d, np.zeros(1), theta, 1.0)
    assert theta[0] / BOLTZMANN == pytest.approx(T0 + 0.25 * 200.0, rel=1e-12, abs=0)
    c3, names = trilayer()
    tm = CircuitTorqueModel.build(c3, names)
    slot, weight = tm.pumping_noise_temperatures()
    # both magnets (reservoirs: Brown's field at their own ΔT slots) pump into N alone, whose
    # electron temperature is a solved unknown
    assert np.all(tm.temperature_index >= 0)
    assert slot.shape == (2, 1) and np.all(weight == 1.0)
    assert slot[0, 0] == slot[1, 0] < 0


def lead_run(x, alpha0, alpha_p, lead_heating, ensemble, until, dt, seed=11):
    vol = volume_for(x)
    mag = MagnetParameters(MS, vol, alpha0, applied_field=[0, 0, B])
    sim = Simulation(lead_circuit(mixing_for(alpha_p, vol), lead_heating), {"F": mag})
    n = int(round(until / dt))
    tr = sim.run(until, n_save=n + 1, ensemble=ensemble, temperature_noise=True, dt=dt,
                 seed=seed)
    return sim, tr.time, tr.m[:, :, 0]


def trajectory_means(values):
    """(mean, standard error) over trajectories of per-trajectory time averages."""
    per = values.mean(axis=1)
    return per.mean(), per.std(ddof=1) / np.sqrt(len(per))


@pytest.mark.slow
@pytest.mark.parametrize("x", [1.0, 3.0, 8.0])
def test_pumping_on_at_one_temperature_gives_the_langevin_function(x):
    """All elements at T0, pumping four times the Gilbert damping: ⟨m_z⟩ = L(x). Without the
    pumping channels' noise the magnet would sit at T0 α0/(α0 + α') = T0/5."""
    _, time, m = lead_run(x, 0.02, 0.08, 0.0, ensemble=256, until=1.5e-9, dt=1.25e-13)
    mean, err = trajectory_means(m[:, time >= 0.5e-9, 2])
    assert abs(mean - langevin(x)) < 4 * err, (mean, err, langevin(x))
    assert abs(mean - langevin(5 * x)) > 8 * err


@pytest.mark.slow
def test_hot_lead_heats_the_magnet_and_drives_a_spin_seebeck_current():
    """A sink contact to a lead 200 K hotter, α' = α0: the ensemble is Boltzmann distributed at
    T_eff = (α0 T0 + α' T_lead)/(α0 + α') = 400 K (⟨m_z⟩ = L(M_sVB/k_BT_eff), not L at T0),
    and the mean spin current into the lead is −(4ek_B/ħ) α'(T_eff − T_lead)⟨m⟩: the pumped
    current −(ħ/e) Re G↑↓ ⟨m × ṁ⟩ (from the trajectories, Stratonovich midpoint
    m_n × m_{n+1}/dt) plus the lead's thermal spin current, on average (4ek_B/ħ) α' T_lead ⟨m⟩
    (the mean of the contact's Langevin current in the Stratonovich calculus). With the lead
    at T0 the two cancel."""
    x, alpha = 3.0, 0.05
    dt = 1.25e-13
    currents = {}
    for heating in (200.0, 0.0):
        sim, time, m = lead_run(x, alpha, alpha, heating, ensemble=512, until=2e-9, dt=dt)
        keep = time >= 0.5e-9
        t_lead = T0 + heating
        t_eff = analytic.effective_temperature([alpha, alpha], [T0, t_lead])
        mz, err = trajectory_means(m[:, keep, 2])
        x_eff = x * T0 / t_eff
        assert abs(mz - langevin(x_eff)) < 4 * err, (heating, mz, err, langevin(x_eff))
        if heating:
            assert abs(mz - langevin(x)) > 8 * err
        # pumped spin current into the lead: D ṁ = −(ħ/2e) I_pump, D = (ħ²/2e²) Re G↑↓ [m×]
        d = sim.model.damping_matrix(np.array([[0.0, 0.0, 1.0]]))[0, :, 0, :]
        g_re = d[1, 0] * 2 * ELEMENTARY_CHARGE ** 2 / HBAR ** 2
        sweep = np.cross(m[:, :-1], m[:, 1:])[:, keep[1:], 2] / dt  # (m × ṁ)_z, 1/s
        pumped = -HBAR / ELEMENTARY_CHARGE * g_re * sweep
        mid = 0.5 * (m[:, :-1, 2] + m[:, 1:, 2])[:, keep[1:]]
        backflow = 4 * ELEMENTARY_CHARGE * BOLTZMANN / HBAR * alpha * t_lead * mid
        net, net_err = trajectory_means(pumped + backflow)
        expected = analytic.macrospin_spin_seebeck_current(alpha, t_eff, t_lead) * mz
        currents[heating] = net, net_err
        assert abs(net - expected) < 4 * net_err + 4 * abs(
            analytic.macrospin_spin_seebeck_current(alpha, t_eff, t_lead)) * err, (
            heating, net, net_err, expected)
    # a magnet colder than its lead takes spin along its magnetization from it: the current
    # exceeds the unheated one by eight combined standard errors
    (hot, hot_err), (cold, cold_err) = currents[200.0], currents[0.0]
    assert hot - cold > 8 * math.hypot(hot_err, cold_err)


# Brown's field alone: Heun, dt = 0.1 ps, seed 5, m at 20 ps of trajectories 0, 1, 2 (scalar
# kernel) and 0, 9 (lane kernel) of the magnet of lead_circuit(0.247) tilted to
# (0.3, 0, 0.95), α0 = 0.01, lead at 500 K (the streams of Philox4x32-10, three deviates a
# block, normal deviates by a ziggurat of 1024 strips)
BROWN_ONLY = {3: [[0.28763052686664475, 0.10083566198304109, 0.9524184213290177],
                  [0.27096744251701144, 0.121922363109981, 0.9548358929520132],
                  [0.2836020651100808, 0.11314887309171412, 0.9522432468562708]],
              10: [[0.28763052686664475, 0.10083566198304109, 0.9524184213290177],
                   [0.2817884236519389, 0.08406220415631195, 0.9557870213222912]]}


@pytest.mark.slow
@pytest.mark.parametrize("ensemble", [3, 10])  # the scalar and the lane kernel
def test_without_pumping_the_noise_is_browns_field_alone(ensemble):
    """Pumping off: no pumping channels and no extra deviates — the streams of (seed,
    trajectory) give Brown's field exactly as without a circuit's pumping noise."""
    dev = Device(temperature=T0)
    dev.add_node("F", "ferromagnet", reservoir=True, magnetization=[0.3, 0, 0.95])
    dev.add_node("N", "normal", reservoir=True, temperature=500.0)
    dev.add_contact("F", "N", ContactParameters(0.3, 0.2, 0.247))
    mag = MagnetParameters(1.1e6, 1.5e-9 * 1.26e-15, 0.01, applied_field=[0, 0, 0.1])
    sim = Simulation(dev.finalize(), {"F": mag}, pumping=False)
    m = sim.run(2e-11, n_save=11, ensemble=ensemble, temperature_noise=True, dt=1e-13,
                seed=5).m[:, -1, 0]
    rows = [0, 1, 2] if ensemble == 3 else [0, 9]
    np.testing.assert_allclose(m[rows], BROWN_ONLY[ensemble], rtol=0, atol=1e-13)
    on = Simulation(sim.circuit, {"F": mag}).run(2e-11, n_save=11, ensemble=ensemble,
                                                 temperature_noise=True, dt=1e-13, seed=5)
    assert np.abs(on.m[:, -1, 0] - m).max() > 1e-3  # the pumping channels do fluctuate


@pytest.mark.slow
def test_pumping_noise_streams_do_not_depend_on_chunking(monkeypatch):
    """With pumping on (two free magnets coupled through N), trajectory i is the same in the
    scalar kernel and the lane kernel (two chunks), and a run cut into segments equals the
    whole run."""
    from spincaloric.dynamics import simulation

    c, names = trilayer()
    mag = MagnetParameters(MS, 2e-25, 0.02, anisotropy_field=0.1)
    sim = Simulation(c, {n: mag for n in names})
    kw = dict(until=1e-11, n_save=11, temperature_noise=True, dt=1e-13, seed=2)
    few = sim.run(ensemble=4, **kw)
    many = sim.run(ensemble=70, **kw)
    np.testing.assert_allclose(many.m[:4], few.m, rtol=0, atol=1e-12)
    monkeypatch.setattr(simulation, "SEGMENT", 3)
    cut = sim.run(ensemble=70, **kw)
    np.testing.assert_array_equal(cut.m, many.m)
    assert np.abs(few.m[:, -1] - few.m[:, 0]).max() > 1e-3
