"""Thermal starts: every trajectory's magnets drawn from their Boltzmann distribution in the
well before a pulse — against quadrature and equipartition, stream by stream reproducible, in
runs, maps and the command line."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from spincaloric.cli import main
from spincaloric.constants import BOLTZMANN, MU0
from spincaloric.dynamics import MagnetParameters
from spincaloric.dynamics.equilibrium import barrier_top, thermal_starts
from spincaloric.dynamics.simulation import DynamicsError
from spincaloric.io import load_spec, read_toml
from spincaloric.io.devicefile import spec_from_dict
from spincaloric.io.paths import set_path
from spincaloric.studies.maps import switching_map
from wells import axial_mean

PILLAR = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"


@pytest.fixture(scope="module")
def free():
    return load_spec(PILLAR).magnets["free"]


def test_starts_are_boltzmann_distributed_and_near_equipartition(free):
    """⟨u⟩ and P(u < 1/Δ) equal the quadrature within 4 standard errors; the mean energy above
    the minimum is k_B T (two quadratic degrees of freedom) to O(1/Δ), Δ = K_eff V/k_B T."""
    temperature, n = 300.0, 20_000
    m = thermal_starts(free, [0.0, 0.0, 1.0], temperature, 0, np.arange(n))
    assert np.allclose(np.linalg.norm(m, axis=1), 1.0)
    u = 1.0 - m[:, 2]
    k_eff = (free.anisotropy_field - MU0 * free.saturation_magnetization) \
        * free.saturation_magnetization / 2  # J/m³ of a thin film along z
    delta = k_eff * free.volume / (BOLTZMANN * temperature)
    for f in (lambda x: x, lambda x: (x < 1 / delta).astype(float)):
        mean, se = f(u).mean(), f(u).std() / np.sqrt(n)
        assert abs(mean - axial_mean(free, temperature, f, 1.0)) < 4 * se
    rise = (free.energy(m) - free.energy(np.array([0.0, 0.0, 1.0]))) / (BOLTZMANN * temperature)
    assert abs(rise.mean() - 1.0) < 4 * rise.std() / np.sqrt(n) + 2 / delta
    phi = np.arctan2(m[:, 1], m[:, 0])
    assert abs(np.cos(phi).mean()) < 4 / np.sqrt(2 * n)  # uniform in the azimuth


def test_a_stabilising_field_cuts_the_well_at_the_equator(free):
    """A field along ref moves the barrier's top beyond the equator; the starts stay on ref's
    side (their switching is judged from it) and follow the well cut there. A small magnet
    (Δ ≈ 2.5 at 300 K) reaches the equator often enough to tell."""
    held = replace(free, applied_field=np.array([0.0, 0.0, 0.05]), volume=free.volume / 30)
    temperature, n = 300.0, 20_000
    assert barrier_top(held, [0, 0, 1]) < -0.1
    m = thermal_starts(held, [0.0, 0.0, 1.0], temperature, 1, np.arange(n))
    u = 1.0 - m[:, 2]
    assert u.max() <= 1.0 and (u > 0.5).mean() > 0.02
    mean, se = u.mean(), u.std() / np.sqrt(n)
    assert abs(mean - axial_mean(held, temperature, lambda x: x, 1.0)) < 4 * se
    # the uncut well differs by far more than the error: the cut is what the test sees
    uncut = axial_mean(held, temperature, lambda x: x, 1.0 - barrier_top(held, [0, 0, 1]))
    assert abs(uncut - mean) > 10 * se


def test_each_start_comes_from_its_own_stream(free):
    """Draw e depends on its stream alone: the same whatever is drawn beside it, in whichever
    well (here a stream's start beside others of another well), and another tag or seed
    draws others."""
    refs = np.tile([0.0, 0.0, -1.0], (6, 1))
    whole = thermal_starts(free, refs, 300.0, 5, np.arange(6))
    part = thermal_starts(free, refs[:2], 300.0, 5, np.array([3, 4]))
    np.testing.assert_array_equal(part, whole[3:5])
    assert np.all(whole[:, 2] < 0)  # about −z, its ref
    soft = replace(free, anisotropy_field=1.5)
    mixed = thermal_starts([free, soft, free], [0.0, 0.0, -1.0], 300.0, 5,
                           np.array([3, 40_000, 4]))
    np.testing.assert_array_equal(mixed[[0, 2]], whole[3:5])
    for other in (thermal_starts(free, refs, 300.0, 5, np.arange(6), tag=1),
                  thermal_starts(free, refs, 300.0, 6, np.arange(6))):
        assert np.all(other != whole)


def test_bad_inputs_of_the_sampler_are_named(free):
    with pytest.raises(DynamicsError, match="^magnets: one magnet or 3"):
        thermal_starts([free] * 2, [0.0, 0.0, 1.0], 300.0, 0, np.arange(3))
    with pytest.raises(DynamicsError, match="^magnets: .*refs of shape \\(2, 3\\)"):
        thermal_starts(free, np.ones((2, 3)), 300.0, 0, np.arange(3))
    with pytest.raises(DynamicsError, match="^streams: must be a 1-d array"):
        thermal_starts(free, [0.0, 0.0, 1.0], 300.0, 0, [-1, 2])
    with pytest.raises(DynamicsError, match="^refs: must be finite non-zero"):
        thermal_starts(free, [0.0, 0.0, 0.0], 300.0, 0, np.arange(2))
    with pytest.raises(DynamicsError, match="^ref: .* is not along the easy axis"):
        thermal_starts(free, [1.0, 0.0, 0.0], 300.0, 0, np.arange(2))


def test_an_in_plane_magnets_biaxial_well_follows_equipartition():
    """Easy axis x in the film plane, the demagnetizing field along z: the starts spread as
    ⟨m_y²⟩ = k_BT/(M_sV B_K) and ⟨m_z²⟩ = k_BT/(M_sV (B_K + μ0M_s)) (two unequal quadratic
    degrees of freedom), within 4 standard errors and the anharmonic O(1/Δ)."""
    film = MagnetParameters(saturation_magnetization=1.1e6, volume=9.45e-24, damping=0.01,
                            anisotropy_field=0.1, anisotropy_axis=[1.0, 0.0, 0.0],
                            demagnetizing_factors=[0.0, 0.0, 1.0])
    n, kt = 40_000, BOLTZMANN * 300.0
    m = thermal_starts(film, [1.0, 0.0, 0.0], 300.0, 0, np.arange(n))
    for component, stiffness in ((1, 0.1), (2, 0.1 + MU0 * 1.1e6)):
        x = m[:, component] ** 2
        expected = kt / (film.moment * stiffness)
        assert abs(x.mean() - expected) < 4 * x.std() / np.sqrt(n) + 0.05 * expected


@pytest.fixture(scope="module")
def sim():
    spec = load_spec(PILLAR)
    return spec.simulation_for(spec.device.finalize(), 1e-9)[0]


def test_a_runs_starts_are_the_same_in_any_ensemble_and_apart_from_its_noise(sim):
    kw = dict(n_save=2, method="heun", dt=1e-12, seed=7, thermal_start=True)
    whole = sim.run(0.01e-9, ensemble=8, **kw)
    part = sim.run(0.01e-9, ensemble=3, first_trajectory=4, **kw)
    np.testing.assert_array_equal(part.m[:, 0], whole.m[4:7, 0])
    noisy = sim.run(0.01e-9, ensemble=8, temperature_noise=True, **kw)
    np.testing.assert_array_equal(noisy.m[:, 0], whole.m[:, 0])  # the noise draws elsewhere
    other = sim.run(0.01e-9, ensemble=8, **{**kw, "seed": 8})
    assert np.all(other.m[:, 0] != whole.m[:, 0])
    assert len(np.unique(whole.m[:, 0, 0, 0])) == 8
    assert whole.settings["thermal_start"] is True and whole.settings["seed"] == 7
    ds = whole.to_xarray(with_circuit=False)
    assert ds.attrs["thermal_start"] == 1 and ds.attrs["seed"] == 7
    np.testing.assert_array_equal(sim.starting_states(8, seed=7), whole.m[:, 0])
    plain = sim.run(0.01e-9, ensemble=2, **{**kw, "thermal_start": False})
    np.testing.assert_array_equal(plain.m[:, 0], np.broadcast_to(sim.initial_state(), (2, 1, 3)))


def test_per_trajectory_magnets_start_in_their_own_wells(sim):
    """A weaker anisotropy spreads the starts: ⟨u⟩ ≈ 1/(2Δ) follows each trajectory's Δ."""
    n = 4000
    fields = np.repeat([1.68, 1.45], n)  # B_K (T): Δ ≈ 75 and ≈ 17 above μ0 M_s = 1.38 T
    run = sim.run(1e-12, ensemble=2 * n, n_save=2, method="rk4", dt=1e-12, thermal_start=True,
                  parameters={"free": {"anisotropy_field": fields}})
    u = 1.0 - run.m[:, 0, 0, 2]
    for half, b_k in zip((u[:n], u[n:]), (1.68, 1.45)):
        mag = replace(sim.magnets["free"], anisotropy_field=b_k)
        assert abs(half.mean() - axial_mean(mag, 300.0, lambda x: x, 1.0)) \
            < 4 * half.std() / np.sqrt(n)


def test_bad_or_conflicting_thermal_starts_are_named(sim):
    with pytest.raises(DynamicsError, match="^thermal_start: must be true or false"):
        sim.run(1e-11, thermal_start="yes")
    with pytest.raises(DynamicsError, match="^thermal_start: draws the initial states"):
        sim.run(1e-11, thermal_start=True, initial=[[0.0, 0.0, 1.0]])
    hard = MagnetParameters(saturation_magnetization=1.1e6, volume=1.89e-24, damping=0.01,
                            anisotropy_field=0.5, demagnetizing_factors=[0, 0, 1])
    from spincaloric.dynamics.simulation import Simulation

    flat = Simulation(sim.circuit, {"free": hard}, sim.drives)
    with pytest.raises(DynamicsError, match="^thermal_start: free: anisotropy_field: "):
        flat.run(1e-11, thermal_start=True)


def test_a_map_of_thermal_starts_counts_each_points_trajectories(tmp_path):
    """Several trajectories a point without thermal noise: they differ by their starts, the
    map's point p draws trajectories p N … p N + N − 1 of the seed (as a run in parts)."""
    data = read_toml(PILLAR)
    run = {"n_save": 11, "method": "rk4", "dt": 2e-12, "thermal_start": True, "seed": 2}
    axes = [("drives.free.temperature.peak", np.array([30.0, 60.0]))]
    ds = switching_map(data, axes, 4e-9, tmp_path / "m.nc", run_kw=run, trajectories=4)
    for p, peak in enumerate(axes[0][1]):
        d = read_toml(PILLAR)
        set_path(d, axes[0][0], peak)
        spec = spec_from_dict(d)
        sim = spec.simulation_for(spec.device.finalize(), 4e-9)[0]
        alone = sim.run(4e-9, ensemble=4, first_trajectory=4 * p, **run)
        np.testing.assert_allclose(ds["final_m"].values[p, 0], alone.m[:, -1, 0].mean(axis=0),
                                   rtol=0, atol=1e-12)
        assert ds["switched_trajectories"].values[p, 0] == \
            alone.switching()["free"].switched.sum()
        assert ds["unsettled_trajectories"].values[p, 0] == alone.unsettled()["free"].sum()
    assert ds.attrs["thermal_start"] == 1 and ds.attrs["seed"] == 2
    plain = switching_map(data, axes, 4e-9, tmp_path / "p.nc",
                          run_kw={**run, "thermal_start": False})
    assert "thermal_start" not in plain.attrs and "seed" not in plain.attrs


def test_runs_whose_nodes_store_heat_start_thermally_and_keep_the_seed():
    spec = load_spec(PILLAR.parent / "laser_heated_pillar.toml")
    sim = spec.simulation_for(spec.device.finalize(), 1e-10)[0]
    assert sim.transient
    run = sim.run(2e-11, ensemble=2, n_save=2, thermal_start=True, seed=4)
    assert run.settings["thermal_start"] is True and run.settings["seed"] == 4
    np.testing.assert_allclose(run.m[:, 0], sim.starting_states(2, seed=4), rtol=0,
                               atol=1e-15)  # the integrator renormalises m
    assert run.method == "lsoda" and "rtol" in run.settings


def test_the_command_line_and_the_file_take_thermal_starts(tmp_path):
    args = ["run", str(PILLAR), "--until", "0.05ns", "--ensemble", "3", "--no-progress",
            "--json"]
    res = CliRunner().invoke(main, args + ["--thermal-start"])
    assert res.exit_code == 0, res.output
    assert "identical" not in res.output  # they differ by their starts
    doc = json.loads(res.stdout)
    free = doc["magnets"]["free"]
    assert "identical_trajectories" not in free
    assert doc["seed"] == 0 and doc["thermal_start"] is True
    text = PILLAR.read_text().replace("[simulation]", "[simulation]\nthermal_start = true", 1)
    assert text != PILLAR.read_text()
    device = tmp_path / "d.toml"
    device.write_text(text)
    res = CliRunner().invoke(main, ["run", str(device), *args[2:]])
    assert res.exit_code == 0 and json.loads(res.stdout)["magnets"]["free"] == free
    off = CliRunner().invoke(main, ["run", str(device), *args[2:], "--no-thermal-start"])
    assert json.loads(off.stdout)["magnets"]["free"]["identical_trajectories"] is True
    device.write_text(text.replace("thermal_start = true", "thermal_start = 3"))
    res = CliRunner().invoke(main, ["run", str(device), *args[2:]])
    assert res.exit_code == 2
    assert res.output.strip().splitlines()[-1].endswith(
        "simulation.thermal_start: must be true or false, got 3")
    # a magnet without a well to start in: refused by check, before any run
    device.write_text(text.replace("anisotropy_field = 1.68", "anisotropy_field = 1.0", 1))
    assert "anisotropy_field = 1.0" in device.read_text()
    res = CliRunner().invoke(main, ["check", str(device)])
    assert res.exit_code == 2
    assert "simulation.thermal_start: free: anisotropy_field: " in res.output
    res = CliRunner().invoke(main, ["map", str(PILLAR), "--vary",
                                    "drives.free.temperature.peak=30,60", "--trajectories",
                                    "2", "-o", str(tmp_path / "m.nc")])
    assert res.exit_code == 2 and "--thermal-start" in res.output


def test_switching_times_from_thermal_starts_follow_the_closed_form(sim):
    """A prescribed Slonczewski torque at three times its critical value on the perpendicular
    free layer, no noise: each trajectory's switching time equals the closed form t(θ₀) of
    its start (axial_switching_time, itself against a quadrature of dθ/θ̇), and the fraction
    switched by t equals the Boltzmann probability of θ₀ > θ*(t), within 4 binomial errors."""
    from scipy.integrate import quad
    from scipy.optimize import brentq

    from spincaloric.dynamics.simulation import Simulation
    from spincaloric.dynamics.switching import axial_switching_time, effective_stiffness

    free = sim.magnets["free"]
    b = free.damping * effective_stiffness(free)
    a, n = 3 * b, 400
    gamma = free.gyromagnetic_ratio / (1 + free.damping**2)
    for theta in (1e-3, 0.1, 1.0):
        exact = quad(lambda x: 1 / (gamma * np.sin(x) * (a - b * np.cos(x))), theta,
                     np.pi / 2, epsabs=0, epsrel=1e-12)[0]
        assert axial_switching_time(theta, a, free) == pytest.approx(exact, rel=1e-12, abs=0)
    torque = Simulation(sim.circuit, sim.magnets, {}, torque="slonczewski",
                        slonczewski={"free": (a, np.array([0.0, 0.0, 1.0]))})
    run = torque.run(12e-9, ensemble=n, thermal_start=True, rtol=1e-10, atol=1e-12, n_save=3,
                     seed=1)
    theta0 = np.arccos(run.m[:, 0, 0, 2])
    sw = run.switching()["free"]
    assert sw.switched.all()
    np.testing.assert_allclose(sw.time, axial_switching_time(theta0, a, free), rtol=1e-7)
    for t in (2e-9, 3e-9, 4e-9):  # about 10 %, 50 % and 80 % switched
        edge = brentq(lambda x, t=t: axial_switching_time(x, a, free) - t, 1e-9,
                      np.pi / 2 - 1e-9)
        beyond = 1 - np.cos(edge)
        p = 1 - axial_mean(free, 300.0, lambda u, e=beyond: (u < e).astype(float), 1.0)
        assert abs(np.mean(sw.time <= t) - p) < 4 * np.sqrt(p * (1 - p) / n) + 1 / n


def test_magnets_that_differ_only_in_damping_share_a_well(free, monkeypatch):
    """One well is built for damping values that leave the energy alone, and the draws are
    those of each magnet's own well (the damping does not enter E(m))."""
    import spincaloric.dynamics.equilibrium as eq

    built = []
    original = eq.Well.__init__

    def counting(self, *args, **kwargs):
        built.append(args[0])
        original(self, *args, **kwargs)

    monkeypatch.setattr(eq.Well, "__init__", counting)
    magnets = [replace(free, damping=a) for a in (0.005, 0.01, 0.02)]
    magnets += [replace(free, anisotropy_field=1.6)]
    shared = thermal_starts(magnets, [0.0, 0.0, 1.0], 300.0, 0, np.arange(4))
    assert len(built) == 2
    alone = [thermal_starts(m, [0.0, 0.0, 1.0], 300.0, 0, np.array([i]))[0]
             for i, m in enumerate(magnets)]
    np.testing.assert_array_equal(shared, alone)
    m = np.random.default_rng(0).normal(size=(5, 3))
    m /= np.linalg.norm(m, axis=1)[:, None]
    for field in eq._NOT_IN_ENERGY:  # the fields left out of the key leave E(m) alone
        other = replace(free, **{field: getattr(free, field) * 1.5})
        np.testing.assert_array_equal(other.energy(m), free.energy(m))


@pytest.mark.slow
def test_a_noisy_ensemble_from_thermal_starts_agrees_with_the_write_error_rate():
    """A marginal write (−0.4 mV for 2 ns, ~40 % switched) run to 10 ns: the ensemble of
    `run` (thermal starts by equilibrium.thermal_starts, switched below −0.5 at the end) and
    the brute-force estimate of `wer` (its own well sampler, switched past the barrier's top)
    are independent paths to one probability; they agree within four combined standard
    errors, allowing for the trajectories the end leaves unsettled."""
    from spincaloric.studies.wer import write_error_rate

    data = read_toml(PILLAR.parent / "pillar_write_pulse.toml")
    set_path(data, "drives.free.voltage.amplitude", -0.4e-3)
    set_path(data, "drives.free.voltage.duration", 2e-9)
    spec = spec_from_dict(data)
    sim = spec.simulation_for(spec.device.finalize(), 10e-9)[0]
    n = 4000
    run = sim.run(10e-9, ensemble=n, temperature_noise=True, thermal_start=True, dt=1e-12,
                  n_save=2, seed=3)
    switched = run.switching()["free"].probability
    unsettled = run.unsettled()["free"].mean()
    written = 1 - write_error_rate(sim, 10e-9, n, seed=4, dt=1e-12).rate
    assert 0.2 < switched < 0.8 and unsettled < 0.02
    error = np.sqrt(switched * (1 - switched) / n + written * (1 - written) / n)
    assert abs(switched - written) < 4 * error + unsettled
