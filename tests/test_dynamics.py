"""Macrospin dynamics against closed forms, the circuit, and thermodynamics."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from processes import interruptible
from random_circuits import random_circuit, random_unit
from spincaloric import ContactParameters, Device, DeviceError
from spincaloric.constants import MU0, TORQUE_PER_SPIN_CURRENT
from spincaloric.dynamics import MagnetParameters
from spincaloric.dynamics.simulation import DynamicsError, Simulation
from spincaloric.dynamics.switching import (
    circuit_torque_slope,
    effective_stiffness,
    slonczewski_critical_torque_slope,
)
from spincaloric.dynamics.torque_model import CircuitTorqueModel

T = 300.0
CONTACT = ContactParameters.from_paper(conductance=2e-2, polarization=0.5, mixing=0.7,
                                       seebeck=-4.5e-6, polarization_derivative=0.77,
                                       mixing_derivative=0.13, temperature=T)


def valve(fixed=(0, 0, 1), free=(0, 0, 1), regime="thermalized", voltage=0.0, delta_t=0.0):
    """fixed | N | free, both reservoirs; the free (right) one at electric potential
    ``voltage`` (V) and temperature T + delta_t (K)."""
    dev = Device(temperature=T, regime=regime)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=fixed)
    dev.add_node("spacer", "normal")
    dev.add_node("free", "ferromagnet", reservoir=True, magnetization=free, voltage=voltage,
                 temperature=T + delta_t)
    dev.add_contact("fixed", "spacer", CONTACT)
    dev.add_contact("free", "spacer", CONTACT)
    return dev.finalize()


@pytest.mark.slow
def test_larmor_precession_and_gilbert_relaxation():
    mag = MagnetParameters(saturation_magnetization=1e6, volume=1e-24, damping=0.02,
                           applied_field=[0, 0, 0.2])
    sim = Simulation(valve(free=(1, 0, 0)), {"free": mag}, torque="none")
    tr = sim.run(1e-9, n_save=2001, rtol=1e-9, atol=1e-11)
    m = tr.magnetization("free")[0]
    phase = np.unwrap(np.arctan2(m[:, 1], m[:, 0]))
    f = abs(np.polyfit(tr.time, phase, 1)[0]) / (2 * np.pi)
    assert f == pytest.approx(mag.larmor_frequency(0.2), rel=1e-8, abs=0)
    # from the equator, m_z(t) = tanh(t / τ) with τ = (1 + α²)/(α γ B)
    tau = mag.relaxation_time(0.2)
    np.testing.assert_allclose(m[:, 2], np.tanh(tr.time / tau), atol=1e-8)


@pytest.mark.slow
def test_fixed_step_integrators_agree_with_adaptive():
    mag = MagnetParameters(saturation_magnetization=8e5, volume=2e-24, damping=0.05,
                           anisotropy_field=0.3, anisotropy_axis=[1, 1, 0],
                           demagnetizing_factors=[0.1, 0.2, 0.7], applied_field=[0, 0.05, 0])
    sim = Simulation(valve(free=(0.3, 0.2, 0.9), voltage=-2e-3), {"free": mag})
    a = sim.run(0.5e-9, n_save=101, rtol=1e-10, atol=1e-12)
    b = sim.run(0.5e-9, n_save=101, method="rk4", dt=2e-14)
    np.testing.assert_allclose(a.m, b.m, atol=1e-7)


def dynamic_magnets(c):
    """Reservoir ferromagnets, skipping any joined by a tunnel junction to one already taken
    (a junction between two dynamic magnets is refused)."""
    taken = []
    for name in c.magnets:
        i = c.index[name]
        joined = {int(x) for k in np.flatnonzero(c.junction) if i in c.ends[k] for x in c.ends[k]}
        if c.reservoir[i] and not joined & {c.index[t] for t in taken}:
            taken.append(name)
    return taken


def random_heated_state(rng, c, tm):
    """Random directions of the model's magnets, 1 nW deposited in an internal node: (m (k, 3),
    drive vector d, the circuit solved there)."""
    m = random_unit(rng, (len(tm.magnets),))
    hot = int(c.internal[0])
    d = tm.d0.copy()
    d[3 * hot + 2] = 1e-9  # W
    sol = c.solve(magnetization={n: m[j] for j, n in enumerate(tm.magnets)},
                  heat={c.names[hot]: 1e-9})
    return m, d, sol


@pytest.mark.parametrize("junctions", [False, True])
@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
def test_compiled_torque_equals_the_circuit_solution(regime, junctions):

    with_junction = 0
    for seed in range(12):
        rng = np.random.default_rng(seed)
        # odd seeds: a current-biased lead; always heat deposited in an internal node
        c = random_circuit(rng, regime, junctions=junctions, current_lead=bool(seed % 2))
        mags = dynamic_magnets(c)
        if not mags:
            continue
        dynamic = [c.index[n] for n in mags]
        with_junction += bool(np.isin(c.ends[c.junction], dynamic).any())
        tm = CircuitTorqueModel.build(c, mags)
        m, d, sol = random_heated_state(rng, c, tm)
        ref = np.stack([sol.torques[n] for n in mags])
        scale = TORQUE_PER_SPIN_CURRENT * np.abs(sol.currents[:, :4]).max()
        np.testing.assert_allclose(tm.torques(m, d), ref, atol=1e-10 * scale)
        np.testing.assert_allclose(compiled_torque(tm, m, d), ref, atol=1e-10 * scale)
    assert (with_junction > 0) == junctions


def test_a_junction_between_two_dynamic_magnets_is_refused():
    from spincaloric.circuit.junctions import JunctionParameters

    dev = Device(T)
    dev.add_node("a", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("b", "ferromagnet", reservoir=True, magnetization=[1, 0, 0])
    dev.add_contact("a", "b", JunctionParameters(1e-3, 0.5, 0.5))
    c = dev.finalize()
    with pytest.raises(DeviceError, match=r"contacts\[0\]: a tunnel junction between two dynamic"):
        CircuitTorqueModel.build(c, ["a", "b"])
    CircuitTorqueModel.build(c, ["b"])  # one fixed end is fine


def test_energy_never_increases_with_damping_and_no_drive():
    mag = MagnetParameters(saturation_magnetization=1.1e6, volume=1e-24, damping=0.05,
                           anisotropy_field=0.2, anisotropy_axis=[0, 0, 1],
                           demagnetizing_factors=[0.05, 0.15, 0.8], applied_field=[0.02, 0, 0])
    # no bias: the circuit torque vanishes identically, only damping acts
    sim = Simulation(valve(fixed=(1, 0, 0), free=(0.6, 0.3, -0.74)), {"free": mag})
    tr = sim.run(2e-9, n_save=4001, rtol=1e-10, atol=1e-12)
    e = tr.energy("free")[0]
    assert np.all(np.diff(e) <= 1e-12 * np.abs(e).max())
    assert e[-1] < e[0]


def test_thermal_and_electrical_bias_give_the_same_trajectory():
    """Thermalized symmetric valve: the torque depends on P ΔV − P'S ΔT only (physics.md §5)."""
    p, pp, s = CONTACT.polarization, 0.77, CONTACT.seebeck(T)
    delta_t = 20.0
    delta_v = -pp * s * delta_t / p  # theory ΔV = V_R − V_L with P ΔV = −P'S ΔT
    mag = MagnetParameters(saturation_magnetization=1e6, volume=1e-24, damping=0.01,
                           anisotropy_field=1.5, demagnetizing_factors=[0, 0, 1])
    start = (np.sin(0.3), 0, np.cos(0.3))
    thermal = Simulation(valve(free=start, delta_t=delta_t), {"free": mag})
    electrical = Simulation(valve(free=start, voltage=-delta_v), {"free": mag})
    a = thermal.run(1e-9, n_save=201, rtol=1e-10, atol=1e-12)
    b = electrical.run(1e-9, n_save=201, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.m, b.m, atol=1e-8)
    assert np.abs(a.m[0, -1] - a.m[0, 0]).max() > 1e-3  # the torque did move the magnet


def test_numpy_scalars_are_magnet_parameters():
    mag = MagnetParameters(saturation_magnetization=np.int64(1_000_000),
                           volume=np.float32(1e-24), damping=np.float64(0.01))
    assert isinstance(mag.saturation_magnetization, float) and mag.saturation_magnetization == 1e6
    assert isinstance(mag.volume, float) and mag.volume == float(np.float32(1e-24))


def test_kittel_frequency_of_a_perpendicular_film_with_anisotropy_and_demagnetization():
    """Small precession about +z of a perpendicular thin film: f = γ(B_k − μ0M_s + B_app)/
    (2π(1 + α²)), counter-clockwise seen from +z (dφ/dt > 0); the effective stiffness of a
    tilted easy axis uses the demagnetizing tensor's transverse block (mean = (tr N − N_u)/2)."""
    mag = MagnetParameters(saturation_magnetization=1.1e6, volume=1.89e-24, damping=0.01,
                           anisotropy_field=1.68, demagnetizing_factors=[0, 0, 1],
                           applied_field=[0, 0, 0.1])
    tilt = np.radians(0.5)
    sim = Simulation(valve(free=(np.sin(tilt), 0, np.cos(tilt))), {"free": mag}, torque="none")
    tr = sim.run(1e-9, n_save=10001, rtol=1e-11, atol=1e-13)
    m = tr.magnetization("free")[0]
    rate = np.polyfit(tr.time, np.unwrap(np.arctan2(m[:, 1], m[:, 0])), 1)[0]
    b_eff = 1.68 - MU0 * 1.1e6 + 0.1
    kittel = mag.gyromagnetic_ratio * b_eff / (1 + 0.01**2)
    assert rate > 0
    assert rate == pytest.approx(kittel, rel=5e-5, abs=0)  # (finite cone: 1 − cos 0.5° ~ 4e-5)
    assert effective_stiffness(mag) == pytest.approx(b_eff, rel=1e-12, abs=0)
    tilted = MagnetParameters(saturation_magnetization=1.1e6, volume=1.89e-24, damping=0.01,
                              anisotropy_field=1.68, anisotropy_axis=[0.6, 0, 0.8],
                              demagnetizing_factors=[0, 0, 1])
    # transverse directions (0.8, 0, −0.6) and y: N = 0.36 and 0, against N_u = 0.64
    expected = 1.68 + MU0 * 1.1e6 * ((0.36 + 0.0) / 2 - 0.64)
    assert effective_stiffness(tilted) == pytest.approx(expected, rel=1e-12, abs=0)


def growth(sim, axis, until, n_save=4001):
    """Relative change of the deviation 1 − m·axis from the easy axis: > 0 if it grows."""
    tr = sim.run(until, n_save=n_save, rtol=1e-10, atol=1e-12)
    dev = 1.0 - tr.magnetization("free")[0] @ axis
    window = len(dev) // 20  # average over many precession periods (elliptical orbits)
    return dev[-window:].mean() / dev[:window].mean() - 1.0


@pytest.mark.parametrize("geometry", ["perpendicular", "in-plane"])
def test_instability_threshold_matches_slonczewski_sun(geometry):
    """The growth rate of a small deviation changes sign within ±3 % of the drive where the
    circuit's torque slope equals κ_c = α M_s V (B₁ + B₂)/2."""
    if geometry == "perpendicular":
        axis, mag = np.array([0, 0, 1.0]), MagnetParameters(
            saturation_magnetization=1e6, volume=1e-24, damping=0.01, anisotropy_field=1.4,
            anisotropy_axis=[0, 0, 1], demagnetizing_factors=[0, 0, 1])
    else:
        axis, mag = np.array([1.0, 0, 0]), MagnetParameters(
            saturation_magnetization=1e6, volume=1e-24, damping=0.01, anisotropy_field=0.05,
            anisotropy_axis=[1, 0, 0], demagnetizing_factors=[0, 0, 1])
    stiffness = effective_stiffness(mag)
    expected = {"perpendicular": 1.4 - MU0 * 1e6, "in-plane": 0.05 + MU0 * 1e6 / 2}[geometry]
    assert stiffness == pytest.approx(expected, rel=1e-6, abs=0)
    kappa_c = slonczewski_critical_torque_slope(mag)
    # torque slope of the circuit per volt of bias, at the parallel state
    probe = valve(fixed=axis, free=axis, voltage=-1e-3)
    model = CircuitTorqueModel.build(probe, ["free"])
    kappa_per_volt = circuit_torque_slope(model, "free", axis) / 1e-3
    assert kappa_per_volt != 0
    v_c = kappa_c / kappa_per_volt  # theory ΔV at threshold
    tilt = 0.02
    perp = np.cross(axis, [0, 1.0, 0] if geometry == "perpendicular" else [0, 0, 1.0])
    start = np.cos(tilt) * axis + np.sin(tilt) * perp / np.linalg.norm(perp)
    rate = mag.damping * mag.gyromagnetic_ratio * stiffness
    until = 2.0 / (0.03 * rate)  # two e-foldings of the ±3 % growth or decay rate
    results = {}
    for factor in (0.97, 1.03):
        sim = Simulation(valve(fixed=axis, free=start, voltage=-factor * v_c), {"free": mag})
        results[factor] = growth(sim, axis, until)
    assert results[0.97] < 0 < results[1.03], results


@pytest.mark.slow
def test_boltzmann_distribution_of_a_free_macrospin():
    """Stochastic Heun at 300 K: the histogram of m_z follows exp(ξ m_z²), ξ = M_s V B_k/(2kT)."""
    from spincaloric.constants import BOLTZMANN

    mag = MagnetParameters(saturation_magnetization=4e5, volume=2e-25, damping=0.1,
                           anisotropy_field=0.2)
    xi = mag.moment * 0.2 / (2 * BOLTZMANN * T)
    sim = Simulation(valve(), {"free": mag}, torque="none")
    start = random_unit(np.random.default_rng(0), (1000, 1))  # uniform on the sphere
    tr = sim.run(4e-9, n_save=401, ensemble=1000, initial=start, temperature_noise=True,
                 dt=2e-13, seed=7)
    mz = tr.magnetization("free")[:, 100:, 2].ravel()  # after equilibration (1 ns)
    hist, edges = np.histogram(mz, bins=20, range=(-1, 1), density=True)
    centres = 0.5 * (edges[1:] + edges[:-1])
    # exact bin averages of the normalised density p(z) ∝ exp(ξ z²) on [−1, 1]
    fine = np.linspace(-1, 1, 200001)
    dens = np.exp(xi * fine**2)
    dens /= np.trapezoid(dens, fine)
    expected = np.array([dens[(fine >= a) & (fine < b)].mean() for a, b in
                         zip(edges[:-1], edges[1:])])
    n = mz.size / 30  # samples are correlated over ~ the relaxation time: a conservative count
    sigma = np.sqrt(expected / (n * (edges[1] - edges[0])))
    assert xi > 1.5  # a clearly non-uniform distribution
    assert np.all(np.abs(hist - expected) < 5 * sigma + 0.02 * expected), (centres, hist, expected)


@pytest.mark.slow
def test_stochastic_runs_are_reproducible_and_seeded():
    mag = MagnetParameters(saturation_magnetization=4e5, volume=2e-26, damping=0.1,
                           anisotropy_field=0.2)
    sim = Simulation(valve(), {"free": mag}, torque="none")
    a = sim.run(2e-10, n_save=11, ensemble=4, temperature_noise=True, dt=1e-13, seed=3)
    b = sim.run(2e-10, n_save=11, ensemble=4, temperature_noise=True, dt=1e-13, seed=3)
    c = sim.run(2e-10, n_save=11, ensemble=4, temperature_noise=True, dt=1e-13, seed=4)
    np.testing.assert_array_equal(a.m, b.m)
    assert np.abs(a.m - c.m).max() > 1e-3
    one = sim.run(2e-10, n_save=11, ensemble=1, temperature_noise=True, dt=1e-13, seed=3)
    np.testing.assert_array_equal(one.m[0], a.m[0])  # trajectory i does not depend on E


@pytest.mark.slow
def test_only_a_noisy_run_records_a_seed():
    """The seed is the thermal field's: a run without noise (RK45 or RK4) records none, a
    noisy one the seed it drew from."""
    mag = MagnetParameters(saturation_magnetization=8e5, volume=5e-25, damping=0.05,
                           anisotropy_field=1.2)
    sim = Simulation(valve(), {"free": mag})
    assert "seed" not in sim.run(1e-11, n_save=2).settings
    assert "seed" not in sim.run(1e-11, n_save=2, method="rk4", dt=1e-13, seed=4).settings
    noisy = sim.run(1e-11, n_save=2, temperature_noise=True, dt=1e-13, seed=4)
    assert noisy.settings["seed"] == 4 and noisy.to_xarray().attrs["seed"] == 4


@pytest.mark.parametrize("ensemble", [4, 8])  # the scalar and the lane kernel
def test_no_two_seeds_share_a_trajectory(ensemble):
    """Trajectory i of seed s is the stream of the pair (s, i): trajectory 1 of seed 0 is not
    trajectory 0 of seed 1 (as with streams seeded by s + i); all 4 × E trajectories of seeds
    0…3 differ, and their streams are NumPy's SeedSequence(s).spawn(E)."""
    from spincaloric.dynamics.streams import trajectory_states

    mag = MagnetParameters(saturation_magnetization=4e5, volume=2e-26, damping=0.1,
                           anisotropy_field=0.2)
    sim = Simulation(valve(), {"free": mag}, torque="none")
    runs = [sim.run(1e-11, n_save=3, ensemble=ensemble, temperature_noise=True, dt=1e-13,
                    seed=seed).m[:, -1, 0] for seed in range(4)]
    m = np.concatenate(runs)
    distance = np.linalg.norm(m[:, None] - m[None], axis=-1) + np.eye(len(m))
    assert distance.min() > 1e-6
    for seed in (0, 3, 2**40 + 1):
        spawned = np.random.SeedSequence(seed).spawn(ensemble)
        states = trajectory_states(seed, ensemble)
        np.testing.assert_array_equal(states[:, :2],
                                      [c.generate_state(2, np.uint64) for c in spawned])
        assert not states[:, 2].any()  # no draw yet
    with pytest.raises(DynamicsError, match=r"seed: must be a whole number in \[0, 2\*\*63\)"):
        sim.run(1e-11, temperature_noise=True, seed=-1)


@pytest.mark.slow
@pytest.mark.parametrize("ensemble", [4, 70])  # scalar kernel; lane kernel in 2 chunks
def test_noise_does_not_depend_on_how_the_run_is_cut(ensemble, monkeypatch):
    """The generator state runs on from one segment of saved instants to the next: a run cut
    into segments of 3 saved instants equals the run in one segment, and the first trajectories
    of a large ensemble (two lane chunks) are those of a small one."""
    from spincaloric.dynamics import simulation

    mag = MagnetParameters(saturation_magnetization=4e5, volume=2e-26, damping=0.1,
                           anisotropy_field=0.2)
    sim = Simulation(valve(), {"free": mag}, torque="none")
    kw = dict(until=2e-11, n_save=21, ensemble=ensemble, temperature_noise=True, dt=1e-13,
              seed=5)
    whole = sim.run(**kw)
    monkeypatch.setattr(simulation, "SEGMENT", 3)
    cut = sim.run(**kw)
    np.testing.assert_array_equal(cut.m, whole.m)
    few = sim.run(**{**kw, "ensemble": 8 if ensemble > 8 else 2})
    np.testing.assert_allclose(few.m, whole.m[:len(few.m)], atol=1e-12)


@pytest.mark.parametrize("kw,field", [
    (dict(until=-1e-9), "until"),
    (dict(until=1e-9, ensemble=0), "ensemble"),
    (dict(until=1e-9, method="euler"), "method"),
    (dict(until=1e-9, dt=-1.0, method="rk4"), "dt"),
    (dict(until=1e-9, initial=[0, 0, 0]), "initial"),
    (dict(until=1e-9, rtol=0.0), "rtol"),
    (dict(until=1e-9, rtol=-1.0), "rtol"),  # used to switch error control off silently
    (dict(until=1e-9, atol=float("nan")), "atol"),
    (dict(until=1e-9, max_step=-1.0), "max_step"),
    (dict(until=1e-9, n_save=2.5), "n_save"),
    (dict(until=1e-9, parameters={"free": {"damping": [-0.1]}}), "parameters.free.damping"),
])
def test_bad_run_arguments_name_the_field(kw, field):
    mag = MagnetParameters(saturation_magnetization=1e6, volume=1e-24, damping=0.01)
    sim = Simulation(valve(), {"free": mag})
    with pytest.raises(DynamicsError) as err:
        sim.run(**kw)
    assert err.value.field == field


@pytest.mark.parametrize("kw,field", [
    (dict(saturation_magnetization=-1.0), "saturation_magnetization"),
    (dict(volume=0.0), "volume"),
    (dict(damping=-0.1), "damping"),
    (dict(damping=2.0), "damping"),
    (dict(demagnetizing_factors=[0.5, 0.5, 0.5]), "demagnetizing_factors"),
    (dict(anisotropy_axis=[0, 0, 0]), "anisotropy_axis"),
    (dict(g_factor=0.0), "g_factor"),
    (dict(damping=None), "damping"),
    (dict(anisotropy_field=None), "anisotropy_field"),
    (dict(saturation_magnetization=True), "saturation_magnetization"),
    (dict(damping=np.float32("nan")), "damping"),
])
def test_unphysical_magnets_are_rejected(kw, field):
    from spincaloric.dynamics import MagnetError

    args = dict(saturation_magnetization=1e6, volume=1e-24, damping=0.01)
    args.update(kw)
    with pytest.raises(MagnetError) as err:
        MagnetParameters(**args)
    assert err.value.field == field


def one_per_magnet(c):
    """One node of every magnet (internal ferromagnets and layers included), skipping magnets
    joined by a tunnel junction to one already taken."""
    taken, groups = [], set()
    for name in c.magnets:
        i = c.index[name]
        joined = {int(x) for k in np.flatnonzero(c.junction) if i in c.ends[k] for x in c.ends[k]}
        g = int(c.magnet_group[i])
        if g not in groups and not joined & {c.index[t] for t in taken}:
            taken.append(name)
            groups.add(g)
    return taken


def compiled_torque(tm, m, d):
    """Torques (k, 3) from the scalar compiled kernel."""
    from spincaloric.dynamics import kernels
    from spincaloric.dynamics.circuit_lanes import map_entries

    k, nq, u, nd = len(m), tm.e.shape[1], tm.a0.shape[0], tm.d0.size
    tau = np.zeros((k, 3))
    rd, fd, td = np.zeros(u), np.zeros((k, nq, u)), np.zeros((k, nq, 3))
    kernels.prepare_drive(d, tm.r0, tm.f, tm.t, rd, fd, td)
    kernels.circuit_torque(m, tm.a0, tm.e, map_entries(tm.e), tm.t, np.zeros((0, nq, u, 3)), np.zeros((0, nq, 3, 3)),
                           rd, fd, td, tau, np.zeros((3 * k, 3 * k)), np.zeros((k, nq)),
                           np.zeros((u, u)), np.zeros(u + nd), np.zeros((u, 3 * k)))
    return tau


@pytest.mark.parametrize("hanle", [False, True])
@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
def test_internal_magnets_compiled_torque_equals_the_circuit_solution(regime, hanle):
    """Internal ferromagnets as dynamic magnets (their node basis turns with m): the sampled
    degree-4 maps reproduce the circuit's torque and the magnet's electron temperature — also
    with the normal nodes precessing in a Hanle field (an m-independent node term)."""
    internal_seen = 0
    for seed in range(16):
        rng = np.random.default_rng(100 + seed)
        c = random_circuit(rng, regime, junctions=bool(seed % 2), current_lead=bool(seed % 3),
                           hanle=hanle)
        mags = one_per_magnet(c)
        if not any(not c.reservoir[c.index[n]] for n in mags):
            continue
        internal_seen += 1
        tm = CircuitTorqueModel.build(c, mags)
        assert tm.e.shape[1] == 25
        m, d, sol = random_heated_state(rng, c, tm)
        ref = np.stack([sol.torques[n] for n in mags])
        scale = TORQUE_PER_SPIN_CURRENT * np.abs(sol.currents[:, :4]).max()
        np.testing.assert_allclose(tm.torques(m, d), ref, atol=1e-10 * scale)
        np.testing.assert_allclose(compiled_torque(tm, m, d), ref, atol=1e-10 * scale)
        temps = [float(sol.nodes[n].temperature) if n in sol.nodes
                 else float(sol.reservoirs[n].temperature) for n in mags]
        np.testing.assert_allclose(tm.magnet_temperatures(m, d), temps, rtol=0, atol=1e-9)
    assert internal_seen >= 4


@pytest.mark.parametrize("current_biased", [False, True])
def test_a_thick_free_layer_turns_as_one_magnet(current_biased):
    """A diffusive Co free layer of 5 cells named by one vertex: its torque is the sum of the
    torques the circuit puts on all its vertices, to round-off also behind the stiff lead link
    of a current-biased lead (cond(A) ~ 1e14); naming two vertices is refused."""
    from spincaloric.layers import BulkMaterial, Interface, Layer, Lead, multilayer

    co = BulkMaterial(resistivity=60e-9, spin_flip_length=60e-9, spin_asymmetry=0.46,
                      seebeck=-20e-6, spin_seebeck=-4e-6)
    cu = BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9, seebeck=1.8e-6)
    interface = Interface(CONTACT)
    c = multilayer([Lead("left", voltage=-1e-3, temperature=T + 2),
                    Layer("fixed", co, 10e-9, cells=3, magnetization=(0, 0, 1)), interface,
                    Layer("spacer", cu, 5e-9, cells=2), interface,
                    Layer("free", co, 4e-9, cells=5, magnetization=(1, 0, 0)),
                    Lead("right", current=2e-4 if current_biased else None)],
                   area=1e-16, temperature=T).finalize()
    tm = CircuitTorqueModel.build(c, ["free_2"])
    m = np.array([[0.6, 0.48, 0.64]])
    sol = c.solve(magnetization={"free_2": m[0]})
    ref = sum(sol.torques[n] for n in c.magnet_nodes("free_2"))
    assert np.linalg.norm(ref) > 0
    np.testing.assert_array_equal(sol.magnet_torque("free_4"), ref)
    np.testing.assert_allclose(tm.torques(m)[0], ref, atol=1e-10 * np.abs(ref).max())
    np.testing.assert_allclose(compiled_torque(tm, m, tm.d0)[0], ref,
                               atol=1e-10 * np.abs(ref).max())
    with pytest.raises(DeviceError, match=r"nodes\.free_4\.magnet: same magnet as 'free_1'"):
        CircuitTorqueModel.build(c, ["free_1", "free_4"])
    # drive overrides a node cannot take are refused, naming it
    bad = ({"voltage": {"right": 1e-3}} if current_biased else {"current": {"right": 1e-3}})
    with pytest.raises(DeviceError, match=r"(voltage|current)\.right: not a"):
        tm.drive_vector(**bad)
    with pytest.raises(DeviceError, match=r"heat\.left: not an internal node"):
        tm.drive_vector(heat={"left": 1e-9})
    d = tm.drive_vector(heat={"spacer_1": 1e-9})
    heated = c.solve(magnetization={"free_2": m[0]}, heat={"spacer_1": 1e-9})
    np.testing.assert_allclose(tm.torques(m, d)[0], heated.magnet_torque("free_2"),
                               atol=1e-10 * np.abs(ref).max())


def pillar_with_internal_free_layer(regime="thermalized"):
    """fixed lead | Cu node | free layer (internal node, spin flip) | Cu node | lead at 1 mV
    and 5 K warmer."""
    dev = Device(temperature=T, regime=regime)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("n1", "normal", spin_flip=2e-3)
    dev.add_node("free", "ferromagnet", magnetization=[0.2, 0.1, 0.97], spin_flip=5e-3,
                 bath=2e-8)
    dev.add_node("n2", "normal")
    dev.add_node("lead", "normal", reservoir=True, voltage=1e-3, temperature=T + 5)
    dev.add_contact("fixed", "n1", CONTACT)
    dev.add_contact("n1", "free", CONTACT)
    dev.add_contact("free", "n2", CONTACT)
    dev.add_contact("n2", "lead", ContactParameters.spin_independent(
        conductance=5e-2, seebeck=1.5e-6, temperature=T))
    return dev.finalize()


@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
def test_internal_free_layer_trajectory_equals_an_independent_integration(regime):
    """The compiled RK45 trajectory of an internal free layer against SciPy's DOP853 with the
    torque of a fresh circuit solve at every evaluation."""
    from scipy.integrate import solve_ivp

    from spincaloric.constants import gyromagnetic_ratio

    c = pillar_with_internal_free_layer(regime)
    p = MagnetParameters(saturation_magnetization=1e6, volume=2e-25, damping=0.03,
                         anisotropy_field=0.3, applied_field=[0.05, 0, 0])
    # the reference integrates the torque of static magnets: spin pumping off (test_pumping.py)
    tr = Simulation(c, {"free": p}, pumping=False).run(50e-12, n_save=11, rtol=1e-10,
                                                       atol=1e-12)
    g = gyromagnetic_ratio(p.g_factor)

    def rhs(_, m):
        tau = c.solve(magnetization={"free": m}).torques["free"]
        omega = -g * np.cross(m, p.effective_field(m)) + g * tau / p.moment
        return (omega + p.damping * np.cross(m, omega)) / (1 + p.damping**2)

    ref = solve_ivp(rhs, (0, 50e-12), c.magnetization[c.index["free"]], method="DOP853",
                    t_eval=tr.time, rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(tr.magnetization("free")[0], ref.y.T, atol=1e-7)
    assert np.abs(ref.y[:, -1] - ref.y[:, 0]).max() > 1e-3  # it moved


@pytest.mark.slow
def test_internal_magnet_ensembles_and_noise_at_its_own_temperature(monkeypatch):
    """Lane kernel = scalar kernel for an internal magnet with thermal noise, whose temperature
    is a solved unknown: its node's electron temperature (300 K plus the warmer lead's heat
    and the Peltier heat, minus what the bath takes), not the device temperature."""
    from spincaloric.dynamics import simulation

    c = pillar_with_internal_free_layer("noninteracting")
    p = MagnetParameters(saturation_magnetization=8e5, volume=5e-25, damping=0.05,
                         anisotropy_field=1.2, demagnetizing_factors=[0, 0, 1])
    kw = dict(until=0.2e-9, n_save=21, ensemble=8, dt=5e-14, seed=3, temperature_noise=True)
    sim = Simulation(c, {"free": p})
    monkeypatch.setattr(simulation, "ENSEMBLE_KERNEL_MIN", 10**9)
    scalar = sim.run(**kw)
    monkeypatch.setattr(simulation, "ENSEMBLE_KERNEL_MIN", 2)
    lanes = sim.run(**kw)
    np.testing.assert_allclose(lanes.m, scalar.m, atol=1e-9)
    # the magnet's temperature is its node's: 300 K + Joule and Peltier heat, not the lead's
    t_free = sim.model.magnet_temperatures(sim.initial_state())[0]
    assert t_free == pytest.approx(float(c.solve().nodes["free"].temperature), abs=1e-9)
    assert t_free - T > 0.1


@pytest.mark.slow
@pytest.mark.parametrize("noise", [False, True])
@pytest.mark.parametrize("torque", ["series", "series, pumping", "solved", "slonczewski"])
def test_ensemble_kernel_equals_scalar_kernel(noise, torque, monkeypatch):
    """The lane-vectorised multi-threaded kernel (one loop per stage for one magnet; the
    circuit torque over chunks of lanes) against the single-trajectory kernel (the same map
    compiled for one lane): same trajectories, same random streams, to rounding, for each
    torque path."""
    from spincaloric.dynamics import simulation

    mag = MagnetParameters(saturation_magnetization=8e5, volume=5e-25, damping=0.05,
                           anisotropy_field=1.2, demagnetizing_factors=[0, 0, 1])
    rng = np.random.default_rng(5)
    start = random_unit(rng, (10, 1))
    kind = {"torque": "slonczewski", "slonczewski": {"free": (2e-3, [1.0, 0, 0])}} \
        if torque == "slonczewski" else {"pumping": "pumping" in torque,
                                         "tabulate": torque != "solved"}
    sim = Simulation(valve(fixed=(1, 0, 0), voltage=-3e-3, delta_t=5.0,
                           regime="noninteracting"), {"free": mag}, **kind)
    assert (sim.torque_table is None) == (torque != "series" and "series" not in torque)
    kw = dict(until=0.3e-9, n_save=31, ensemble=10, initial=start, dt=5e-14, seed=11,
              method="heun" if noise else "rk4", temperature_noise=noise)
    monkeypatch.setattr(simulation, "ENSEMBLE_KERNEL_MIN", 10**9)
    scalar = sim.run(**kw)
    monkeypatch.setattr(simulation, "ENSEMBLE_KERNEL_MIN", 2)
    lanes = sim.run(**kw)
    np.testing.assert_allclose(lanes.m, scalar.m, atol=1e-9)
    assert np.abs(scalar.m[:, -1] - scalar.m[:, 0]).max() > 1e-2  # something happened


@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
def test_two_free_magnets_follow_the_llgs_equation_with_circuit_torques(regime):
    """Both layers of a valve free: the integrated dm/dt equals the LLGS right-hand side with
    the torques of an independent circuit solve at the same instant."""
    from spincaloric.constants import gyromagnetic_ratio

    dev = Device(temperature=T, regime=regime)
    dev.add_node("a", "ferromagnet", reservoir=True, magnetization=[0.3, 0.1, 0.95])
    dev.add_node("spacer", "normal")
    dev.add_node("b", "ferromagnet", reservoir=True, magnetization=[0.9, -0.2, 0.1],
                 voltage=-5e-3, temperature=T + 3)
    dev.add_contact("a", "spacer", CONTACT)
    dev.add_contact("spacer", "b", CONTACT)
    circuit = dev.finalize()
    mags = {"a": MagnetParameters(saturation_magnetization=1e6, volume=1e-25, damping=0.02,
                                  anisotropy_field=0.5),
            "b": MagnetParameters(saturation_magnetization=8e5, volume=2e-25, damping=0.05,
                                  applied_field=[0, 0.1, 0], anisotropy_axis=[1, 0, 0],
                                  anisotropy_field=0.2)}
    sim = Simulation(circuit, mags, pumping=False)  # static-magnet torques, as the reference
    tr = sim.run(20e-12, n_save=2001, rtol=1e-11, atol=1e-13)
    i = 1000
    h = tr.time[1] - tr.time[0]
    sol = circuit.solve(magnetization={n: tr.magnetization(n)[0, i] for n in mags})
    for name, p in mags.items():
        m = tr.magnetization(name)[0]
        numeric = (m[i + 1] - m[i - 1]) / (2 * h)
        g = gyromagnetic_ratio(p.g_factor)
        omega = (-g * np.cross(m[i], p.effective_field(m[i]))
                 + g * sol.torques[name] / p.moment)
        expected = (omega + p.damping * np.cross(m[i], omega)) / (1 + p.damping**2)
        torque_part = g * np.linalg.norm(sol.torques[name]) / p.moment
        assert torque_part > 1e-3 * np.linalg.norm(expected)  # the circuit torque matters
        np.testing.assert_allclose(numeric, expected, rtol=1e-5, atol=1e-6 * np.abs(expected).max())


def test_slonczewski_critical_current_formula():
    """I_c = (2e/ħ)(α/η) M_s V (B₁ + B₂)/2 for a perpendicular film: B_k − μ0 M_s."""
    from spincaloric.dynamics.switching import slonczewski_critical_current

    mag = MagnetParameters(saturation_magnetization=1e6, volume=1e-24, damping=0.01,
                           anisotropy_field=1.4, demagnetizing_factors=[0, 0, 1])
    expected = 0.01 * 1e6 * 1e-24 * (1.4 - MU0 * 1e6) / (TORQUE_PER_SPIN_CURRENT * 0.3)
    assert slonczewski_critical_current(mag, 0.3) == pytest.approx(expected, rel=1e-6, abs=0)


@pytest.mark.slow
def test_ensemble_over_magnet_parameters_equals_separate_runs():
    """An ensemble whose trajectories differ in damping and anisotropy field equals the same
    runs done one by one (the per-trajectory parameters reach the kernels)."""
    mag = MagnetParameters(saturation_magnetization=1e6, volume=1e-24, damping=0.01,
                           anisotropy_field=1.5, demagnetizing_factors=[0, 0, 1])
    start = (np.sin(0.3), 0, np.cos(0.3))
    sim = Simulation(valve(free=start, voltage=-2e-3), {"free": mag})
    damping = np.array([0.005, 0.02, 0.05])
    field = np.array([1.4, 1.5, 1.6])
    ens = sim.run(0.5e-9, n_save=51, ensemble=3,
                  parameters={"free": {"damping": damping, "anisotropy_field": field}})
    from dataclasses import replace

    for e in range(3):
        one = Simulation(valve(free=start, voltage=-2e-3),
                         {"free": replace(mag, damping=damping[e], anisotropy_field=field[e])})
        np.testing.assert_allclose(ens.m[e], one.run(0.5e-9, n_save=51).m[0], atol=1e-12)
    assert np.abs(ens.m[0, -1] - ens.m[2, -1]).max() > 1e-3
    with pytest.raises(DynamicsError, match="parameters.free.dampin"):
        sim.run(1e-10, ensemble=2, parameters={"free": {"dampin": [0.1, 0.2]}})
    with pytest.raises(Exception, match="damping"):
        sim.run(1e-10, ensemble=2, parameters={"free": {"damping": [0.1, -0.2]}})


@pytest.mark.parametrize("pumping", [False, True])
def test_a_trajectory_reads_its_own_magnet_parameters(pumping):
    """Rates, energies and switching of an ensemble over magnet parameters (damping,
    anisotropy field, easy axis) are each trajectory's own, equal to those of the runs done
    one by one (they used the Simulation's parameters: rates 60 % off, switching judged along
    the wrong axis)."""
    from dataclasses import replace

    mag = MagnetParameters(saturation_magnetization=1e6, volume=1e-24, damping=0.01,
                           anisotropy_axis=[1.0, 0, 0], anisotropy_field=0.5,
                           applied_field=[0, -0.5, 0])
    start = (0.1, 0.99, 0.1)
    own = {"damping": np.array([0.01, 0.3]), "anisotropy_field": np.array([0.5, 0.04]),
           "anisotropy_axis": np.array([[1.0, 0, 0], [0, 1.0, 0]])}
    sim = Simulation(valve(free=start, voltage=-1e-4), {"free": mag}, pumping=pumping)
    ens = sim.run(0.4e-9, n_save=41, ensemble=2, parameters={"free": own})
    for e in range(2):
        alone = replace(mag, damping=own["damping"][e], anisotropy_field=own["anisotropy_field"][e],
                        anisotropy_axis=own["anisotropy_axis"][e])
        one = Simulation(valve(free=start, voltage=-1e-4), {"free": alone},
                         pumping=pumping).run(0.4e-9, n_save=41)
        np.testing.assert_allclose(ens.m[e], one.m[0], atol=1e-12)
        np.testing.assert_allclose(ens.rates[e], one.rates[0], rtol=1e-9, atol=1e-9 * np.abs(
            one.rates).max())
        np.testing.assert_allclose(ens.energy("free")[e], one.energy("free")[0], rtol=1e-12)
        a, b = ens.switching()["free"], one.switching()["free"]
        assert a.switched[e] == b.switched[0]
        np.testing.assert_allclose(a.time[e], b.time[0], rtol=1e-12)
    assert ens.switching()["free"].switched[1]  # reversed along its own easy axis y


PILLAR_FILE = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"


@pytest.mark.slow
def test_a_fixed_step_beyond_the_precession_bound_is_refused():
    """RK4 at dt = 1e-8 s never moves m and at 5e-11 s ends unswitched at the pole: both are
    refused (field dt, the bound 0.2/ω and B_eff in the reason); a step below the bound switches
    as the adaptive integrator does; the documented default step passes."""
    from spincaloric.io import load_spec

    spec = load_spec(PILLAR_FILE)
    sim, _ = spec.simulation_for(spec.device.finalize(), 8e-9)
    for dt in (1e-8, 5e-11):
        with pytest.raises(DynamicsError, match=r"exceeds 0\.2/ω = 3\.7e-12 s for the "
                           r"precession of free in B_eff = 0\.31 T") as err:
            sim.run(8e-9, n_save=801, method="rk4", dt=dt)
        assert err.value.field == "dt"
    with pytest.raises(DynamicsError, match="exceeds 0.2/ω"):
        sim.run(8e-9, temperature_noise=True, dt=5e-12)
    ref = sim.run(8e-9, n_save=801).switching()["free"]
    near = sim.run(8e-9, n_save=801, method="rk4", dt=3.3e-12).switching()["free"]
    assert near.switched[0] and ref.switched[0]
    assert near.time[0] == pytest.approx(ref.time[0], abs=1e-11)
    default = sim.run(8e-9, n_save=801, method="rk4")
    assert default.settings["dt"] == 1e-12  # the default step: 1 ps, within 0.2/ω here
    assert default.switching()["free"].time[0] == pytest.approx(ref.time[0], abs=1e-12)


def test_the_cli_refuses_a_step_too_large_in_one_line(tmp_path):
    from click.testing import CliRunner

    from spincaloric.cli import main

    device = tmp_path / "pillar.toml"
    device.write_text(PILLAR_FILE.read_text() + 'method = "rk4"\ndt = 1e-8\n')
    r = CliRunner().invoke(main, ["run", str(device), "--until", "1ns"])
    assert r.exit_code == 2
    errors = [line for line in r.output.splitlines() if line.startswith("error")]
    assert len(errors) == 1  # named by its key in the file, as the file's checks name it
    assert errors[0].startswith(f"error: {device}: simulation.dt: 1e-08 s exceeds")


@given(bk=st.floats(-3.0, 3.0), ms=st.floats(1e4, 2e6), alpha=st.floats(0.0, 1.0),
       axis=st.lists(st.floats(-1, 1), min_size=3, max_size=3),
       split=st.lists(st.floats(0, 1), min_size=3, max_size=3),
       applied=st.lists(st.floats(-2, 2), min_size=3, max_size=3),
       m=st.lists(st.floats(-1, 1), min_size=3, max_size=3))
@settings(max_examples=200, deadline=None)
def test_the_precession_bound_exceeds_every_precession(bk, ms, alpha, axis, split, applied, m):
    """ω = γ (|B_app| + ‖B_k uuᵀ − μ0 M_s N‖₂)/(1 + α²) bounds γ|B_eff(m)|/(1 + α²) in every
    direction m, for any anisotropy, shape and applied field."""
    from types import SimpleNamespace

    from spincaloric.dynamics.stability import largest_field

    assume(np.linalg.norm(axis) > 1e-3 and np.linalg.norm(m) > 1e-3)
    factors = np.array(split) / max(1.0, sum(split))
    mag = MagnetParameters(saturation_magnetization=ms, volume=1e-24, damping=alpha,
                           anisotropy_field=bk, anisotropy_axis=axis,
                           demagnetizing_factors=factors, applied_field=applied)
    g = mag.gyromagnetic_ratio
    mp = np.array([[[ms, 1e-24, alpha, g, bk, g / mag.moment]]])
    mv = np.array([[[mag.anisotropy_axis, mag.demagnetizing_factors, mag.applied_field]]])
    sim = SimpleNamespace(torque="none", names=("free",))
    omega, field, name = largest_field(sim, mp, mv, None, None, [], [0], np.zeros(0),
                                       np.ones((1, 0)))
    b = np.linalg.norm(mag.effective_field(np.array(m) / np.linalg.norm(m)))
    assert g * b / (1 + alpha**2) <= omega * (1 + 1e-12) and field >= b * (1 - 1e-12)
    assert name == "free"


@pytest.mark.slow
@pytest.mark.parametrize("method,ensemble", [("heun", 70), ("heun", 3), ("rk4", 1)])
def test_short_kernel_calls_change_nothing(method, ensemble, monkeypatch):
    """A run cut into calls of a few steps and a few trajectories (so that Ctrl-C is seen
    promptly) equals the run in long calls: same saved instants, same noise, same states."""
    from spincaloric.dynamics import segments

    mag = MagnetParameters(saturation_magnetization=4e5, volume=2e-26, damping=0.1,
                           anisotropy_field=0.2)
    sim = Simulation(valve(fixed=(1, 0, 0), free=(0.3, 0, 0.95), voltage=-2e-3), {"free": mag})
    kw = dict(until=3e-11, n_save=4, ensemble=ensemble, method=method, dt=1e-13, seed=2,
              temperature_noise=method == "heun")
    whole = sim.run(**kw)
    monkeypatch.setattr(segments, "WORK_PER_CALL", 3e5)  # calls of a few tens of steps
    assert segments.steps_per_call(segments.step_work(sim.model, method)) < 300
    cut = sim.run(**kw)
    np.testing.assert_array_equal(cut.time, whole.time)
    np.testing.assert_array_equal(cut.m, whole.m)
    assert np.abs(whole.m[:, -1] - whole.m[:, 0]).max() > 1e-3  # it moved


def test_an_adaptive_run_in_short_calls_agrees_within_its_tolerance(monkeypatch):
    from spincaloric.dynamics import segments

    mag = MagnetParameters(saturation_magnetization=8e5, volume=5e-25, damping=0.05,
                           anisotropy_field=1.2, demagnetizing_factors=[0, 0, 1])
    sim = Simulation(valve(fixed=(1, 0, 0), free=(0.3, 0, 0.95), voltage=-3e-3), {"free": mag})
    whole = sim.run(2e-10, n_save=3)
    monkeypatch.setattr(segments, "WORK_PER_CALL", 1e5)  # calls of about 10 steps
    cut = sim.run(2e-10, n_save=3)
    assert cut.steps.sum() > whole.steps.sum()  # really cut: the steps restart at each call
    np.testing.assert_allclose(cut.m, whole.m, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("extra", [["--ensemble", "64", "--temperature-noise", "--n-save", "3",
                                    "--until", "2000ns"],
                                   ["--n-save", "2", "--until", "600us"]])
def test_ctrl_c_stops_a_long_run_within_a_second_or_two(tmp_path, extra):
    """SIGINT in the middle of one long kernel segment (tens of seconds in one compiled call
    before): exit within 3 s, status 130, ``error: interrupted``; the output holds the saved
    instants every trajectory reached, if any past the start (said in one line), else no
    file."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "run.nc"
    warm = [a for a in extra if a not in ("--until", "2000ns", "600us")]  # the same kernels,
    subprocess.run([sys.executable, "-m", "spincaloric", "run", str(PILLAR_FILE), *warm,
                    "--until", "1ps"], capture_output=True, check=True)  # compiled first
    proc = subprocess.Popen([sys.executable, "-m", "spincaloric", "run", str(PILLAR_FILE),
                             *extra, "-o", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                            preexec_fn=interruptible)
    time.sleep(5)
    assert proc.poll() is None  # still integrating
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - sent < 3
    assert proc.returncode == 130
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines[-1] == "error: interrupted"
    if lines[0].startswith("compiling the integration kernels"):
        # another test process rewrote numba's cache index after the warm-up (a race of the
        # parallel suite): the signal met the compile, which says so and leaves nothing
        assert any(line.startswith("compiling the integration kernels: interrupted (nothing "
                                   "computed or cached") for line in lines)
        assert not out.exists()
        return
    if len(lines) == 1:  # nothing past the start finished: nothing written
        assert list(tmp_path.iterdir()) == []
    else:  # the saved instants all trajectories reached, kept and said so
        assert len(lines) == 2 and f"kept in {out}" in lines[0], lines
        import xarray as xr

        with xr.open_dataset(out) as ds:
            assert ds.attrs["interrupted_at"] == float(ds["time"][-1]) > 0
        assert [p.name for p in tmp_path.iterdir()] == ["run.nc"]


def test_a_file_end_time_of_a_millisecond_needs_the_command_line(tmp_path):
    """``until = 1e-3`` in [simulation] meets the CLI's unit guard too (8 meant 8 ns): one line
    naming simulation.until from check, run and map; a long run leaves the file's until out
    and gives --until with a unit."""
    from click.testing import CliRunner

    from spincaloric.cli import main

    device = tmp_path / "pillar.toml"
    device.write_text(PILLAR_FILE.read_text().replace("until = 8.0e-9", "until = 1e-3"))
    for command in (["check", str(device)], ["run", str(device)],
                    ["run", str(device), "--until", "0.01ns"],
                    ["map", str(device), "--vary", "free.magnet.damping=0.01", "-o",
                     str(tmp_path / "m.nc")]):
        r = CliRunner().invoke(main, command)
        assert r.exit_code == 2, r.output
        errors = [line for line in r.output.splitlines() if line.startswith("error")]
        assert len(errors) == 1 and errors[0].startswith(
            f"error: {device}: simulation.until: 0.001 s of magnetization dynamics"), errors
        assert "--until" in errors[0]
    device.write_text(PILLAR_FILE.read_text().replace("until = 8.0e-9", ""))
    r = CliRunner().invoke(main, ["run", str(device), "--until", "0.01ns"])
    assert r.exit_code == 0, r.output
    assert list(tmp_path.iterdir()) == [device]


def test_a_run_resumed_part_way_through_continues_the_whole_run():
    """run(start=t1) from the state at t1 of a deterministic run ends where the whole run
    ends (the drives on their own clock); a start outside [0, until) is refused."""
    from pathlib import Path

    from spincaloric.dynamics.simulation import DynamicsError
    from spincaloric.io import load_spec

    spec = load_spec(Path(__file__).parent.parent / "examples" / "devices"
                     / "pillar_write_pulse.toml")
    sim, _ = spec.simulation_for(spec.device.finalize(), 2e-9)
    whole = sim.run(2e-9, n_save=3, dt=1e-12, method="heun")
    part = sim.run(2e-9, n_save=2, dt=1e-12, method="heun", initial=whole.m[0, 1], start=1e-9)
    np.testing.assert_allclose(part.m[0, -1], whole.m[0, -1], atol=1e-12)
    assert part.time[0] == 1e-9
    with pytest.raises(DynamicsError, match="start"):
        sim.run(2e-9, start=2e-9)
