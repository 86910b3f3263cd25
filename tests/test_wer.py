"""Write-error rates: thermal starting states in a magnet's well (exact and importance
sampled), the estimators' bookkeeping, and importance sampling against brute force."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spincaloric.constants import BOLTZMANN
from spincaloric.dynamics import MagnetParameters
from spincaloric.dynamics.drives import RectangularPulse
from spincaloric.dynamics.equilibrium import Well, sample_well
from spincaloric.dynamics.simulation import DynamicsError, Simulation
from spincaloric.io import load_spec
from spincaloric.studies.wer import write_error_rate
from wells import axial_mean

DEVICE = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"
T = 300.0


def quadrature(magnet, f, u_max=1.0):
    """⟨f(u)⟩ over the Boltzmann distribution of a magnet with an axial energy (u = 1 − m_z)
    up to u_max (the barrier's top), at T."""
    return axial_mean(magnet, T, f, u_max)


@pytest.fixture(scope="module")
def magnet():
    return load_spec(DEVICE).magnets["free"]


def test_exact_starting_states_are_boltzmann_distributed(magnet):
    """Rejection samples of the well: ⟨u⟩ and P(u < 1e-3) equal the quadrature of
    e^{−E/k_BT} over the hemisphere, within 4 standard errors."""
    rng = np.random.default_rng(1)
    m, w = sample_well(magnet, [0, 0, 1], T, 100_000, rng)
    assert np.all(w == 1.0) and np.allclose(np.linalg.norm(m, axis=1), 1.0)
    u = 1 - m[:, 2]
    for f in (lambda x: x, lambda x: (x < 1e-3).astype(float)):
        mean, se = f(u).mean(), f(u).std() / np.sqrt(len(u))
        assert abs(mean - quadrature(magnet, f)) < 4 * se
    phi = np.arctan2(m[:, 1], m[:, 0])
    assert abs(np.mean(np.cos(phi))) < 0.02  # uniform in the azimuth


@pytest.mark.parametrize("sharpen", [1.0, 10.0, 100.0])
def test_importance_weights_are_unbiased(magnet, sharpen):
    """⟨w f⟩ under the sharpened mixture equals ⟨f⟩ under the well for the mean angle and the
    rare small angles (u < 1e-6, a probability of ~1e-4) — within 4 standard errors — and the
    defensive part bounds the weights."""
    rng = np.random.default_rng(2)
    m, w = sample_well(magnet, [0, 0, 1], T, 100_000, rng, sharpen)
    u = 1 - m[:, 2]
    for f in (lambda x: x, lambda x: (x < 1e-6).astype(float)):
        x = w * f(u)
        assert abs(x.mean() - quadrature(magnet, f)) < 4 * x.std() / np.sqrt(len(x))
    well = Well(magnet, [0, 0, 1], T)
    assert w.max() <= well.bound(well.rate / 2) / 0.1


def test_tilted_well_is_found_about_its_direction():
    """A magnet whose well points along −x: the samples gather about −x."""
    mag = MagnetParameters(saturation_magnetization=1e6, volume=2e-24, damping=0.01,
                           anisotropy_field=0.5, anisotropy_axis=[1.0, 0.0, 0.0])
    m, _ = sample_well(mag, [-1.0, 0.0, 0.0], T, 2000, np.random.default_rng(3))
    assert np.all(m[:, 0] < 0) and np.mean(m[:, 0]) < -0.9


@pytest.mark.parametrize("field", [0.1, 0.05, -0.03])
def test_the_barrier_top_moves_with_a_field_along_the_axis_and_bounds_the_well(magnet, field):
    """The lowest path out of the well crosses the top at m·ref = −B/B_K,eff (B_K,eff = B_K −
    μ0 M_s of a thin film), to the grid's 5e-4; exactly 0 without a field. The starting
    states fill the well up to that top, Boltzmann-distributed: a field against the well
    (−30 mT, still a well of Δ ≈ 60) was refused by a sampler bounded at the equator."""
    from dataclasses import replace

    from spincaloric.constants import MU0
    from spincaloric.dynamics.equilibrium import barrier_top

    assert barrier_top(magnet, [0, 0, 1]) == 0.0
    tilted = replace(magnet, applied_field=np.array([0.0, 0.0, field]))
    effective = magnet.anisotropy_field - MU0 * magnet.saturation_magnetization
    top = barrier_top(tilted, [0, 0, 1])
    assert top == pytest.approx(-field / effective, abs=5e-4)
    m, _ = sample_well(tilted, [0, 0, 1], T, 50_000, np.random.default_rng(4))
    u = 1 - m[:, 2]
    assert u.max() <= 1 - top and Well(tilted, [0, 0, 1], T).u_max == 1 - top
    assert abs(u.mean() - quadrature(tilted, lambda x: x, 1 - top)) < 4 * u.std() / np.sqrt(
        len(u))


def test_a_stabilising_field_keeps_the_write_decided_at_its_own_top():
    """With 0.1 T along the initial direction the top lies at m·ref ≈ −0.34: magnets between
    it and the equator are not yet written, so ending the run soon after the pulse or long
    after gives nearly the same failures (counted at the equator, the early end undercounted
    them by 14 %)."""
    from dataclasses import replace

    sim = pulse_simulation(1.6e-9)
    free = sim.magnets["free"]
    sim = Simulation(sim.circuit, {"free": replace(free, applied_field=np.array([0, 0, 0.1]))},
                     sim.drives)
    early = write_error_rate(sim, 1.9e-9, 64, seed=5)
    late = write_error_rate(sim, 4.6e-9, 64, seed=5)
    assert 10 < early.failures < 60 and abs(early.failures - late.failures) <= 3
    assert early.barrier_top == pytest.approx(-0.336, abs=1e-3)


def pulse_simulation(duration=2e-9):
    spec = load_spec(DEVICE)
    pulse = RectangularPulse(base=0.0, amplitude=-0.6e-3, start=0.1e-9, duration=duration,
                             rise=0.05e-9)
    return Simulation(spec.device.finalize(), spec.magnets, {("free", "voltage"): pulse})


def test_the_estimate_does_not_depend_on_the_chunking():
    """Trajectory i draws the thermal field of stream (seed, i) and its start from one
    generator: runs in parts of 7 and of 64 give the same failures."""
    sim = pulse_simulation()
    a = write_error_rate(sim, 0.6e-9, 24, seed=5, chunk=7)
    b = write_error_rate(sim, 0.6e-9, 24, seed=5, chunk=64)
    assert (a.failures, a.rate, a.interval) == (b.failures, b.rate, b.interval)
    assert a.failures == 24 and a.interval[0] > 0.85  # 0.6 ns: nothing has switched yet
    assert any("no write switched" in w for w in a.warnings())


def test_trajectory_i_starts_alike_whatever_the_number_of_trajectories(monkeypatch):
    """The first 50 of 120 trajectories start from the states of a 50-trajectory estimate (a
    larger estimate extends a smaller one), for exact and importance-sampled starts."""
    from spincaloric.studies import wer

    seen = []
    real = wer._Job.switched

    def spy(self, m_start, first, report=None):
        seen.append(m_start.copy())
        return real(self, m_start, first, report)

    monkeypatch.setattr(wer._Job, "switched", spy)
    sim = pulse_simulation()
    for kw in ({}, {"importance": True, "sharpen": 2.0}):
        seen.clear()
        small = write_error_rate(sim, 0.3e-9, 50, seed=4, **kw)
        large = write_error_rate(sim, 0.3e-9, 120, seed=4, **kw)
        assert [len(m) for m in seen] == [50, 120]
        np.testing.assert_array_equal(seen[1][:50], seen[0])
        assert small.failures <= large.failures


def test_bad_requests_name_their_field():
    sim = pulse_simulation()
    for kwargs, field in ((dict(trajectories=0), "trajectories"),
                          (dict(trajectories=10, magnet="fixed"), "magnet"),
                          (dict(trajectories=10, chunk=0), "chunk"),
                          (dict(trajectories=10, importance=True, sharpen=0.5), "sharpen"),
                          (dict(trajectories=None, method="splitting", particles=1),
                           "particles"),
                          (dict(trajectories=None, method="splitting", replicas=0), "replicas"),
                          (dict(trajectories=None, method="splitting", pilot=3), "pilot"),
                          (dict(trajectories=10, method="splitting"), "trajectories"),
                          (dict(trajectories=10, particles=50), "particles"),
                          (dict(trajectories=10, replicas=2), "replicas"),
                          (dict(trajectories=10, method="brute", pilot=50), "pilot"),
                          (dict(trajectories=10, seed=-1), "seed"),
                          (dict(trajectories=10, method="slow"), "method"),
                          (dict(trajectories=None, method="splitting", importance=True),
                           "method")):
        n = kwargs.pop("trajectories")
        with pytest.raises(DynamicsError) as err:
            write_error_rate(sim, 1e-10, n, **kwargs)
        assert err.value.field == field


def test_a_device_spec_stands_for_its_simulation_and_n_defaults_to_ten_thousand():
    """The file's spec gives the Simulation its [simulation] settings (spin pumping off here,
    as the CLI would); anything else is refused naming the argument."""
    spec = load_spec(DEVICE)
    spec.simulation["pumping"] = False
    result = write_error_rate(spec, 0.3e-9, 32, seed=1)
    assert result.failures == 32  # 0.3 ns: the pulse has barely begun
    with pytest.raises(DynamicsError) as err:
        write_error_rate(object(), 1e-10)
    assert err.value.field == "simulation"


def test_splitting_of_a_write_that_cannot_succeed_yet():
    """Until 0.6 ns nothing switches: every particle fails at once, the rate is 1 after no
    iteration, the cost the particles' first runs; the same seed gives the same result."""
    sim = pulse_simulation()
    a, b = (write_error_rate(sim, 0.6e-9, method="splitting", particles=4, replicas=2,
                             seed=3) for _ in range(2))
    assert a == b
    assert (a.rate, a.levels, a.failures, a.converged) == (1.0, 0, 8, True)
    assert a.method == "multilevel splitting" and a.cost == pytest.approx(8.0, abs=1e-9)


def test_an_interrupted_splitting_keeps_its_finished_replicas(monkeypatch):
    """Ctrl-C during the third of four replicas: Interrupted carries the result of the two
    finished ones, equal to a run of two replicas from the same seed; Ctrl-C before any
    replica finished is a plain KeyboardInterrupt."""
    from spincaloric.errors import Interrupted
    from spincaloric.studies import splitting

    sim = pulse_simulation()
    two = write_error_rate(sim, 1.2e-9, method="splitting", particles=4, replicas=2, seed=3)
    real, calls = splitting.split, []

    def split(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(splitting, "split", split)
    with pytest.raises(Interrupted) as caught:
        write_error_rate(sim, 1.2e-9, method="splitting", particles=4, replicas=4, seed=3)
    assert (caught.value.done, caught.value.total) == (2, 4)
    assert caught.value.partial == two
    calls[:] = [1, 1]
    with pytest.raises(KeyboardInterrupt) as caught:
        write_error_rate(sim, 1.2e-9, method="splitting", particles=4, replicas=4, seed=3)
    assert not isinstance(caught.value, Interrupted)
    # the command says what the finished replicas found, and stops as interrupted
    from click.testing import CliRunner

    from spincaloric.cli import main

    calls.clear()
    res = CliRunner().invoke(main, ["wer", str(DEVICE.with_name("pillar_write_pulse.toml")),
                                    "--splitting", "--particles", "4", "--replicas", "4",
                                    "--until", "1.2ns", "--no-progress"])
    assert res.exit_code == 130
    assert "interrupted after 2 of 4 replicas; the finished ones give: free: write error " \
        "rate" in res.output and "error: interrupted" in res.output


@pytest.mark.parametrize("importance", [False, True])
def test_an_interrupted_estimate_keeps_its_finished_trajectories(importance, monkeypatch):
    """Ctrl-C during the third call of 8 trajectories: Interrupted carries the estimate of the
    16 finished ones, equal to an estimate of 16 trajectories from the same seed (brute force
    and importance sampling); Ctrl-C during the first call is a plain KeyboardInterrupt; the
    command says what the finished trajectories found."""
    from spincaloric.errors import Interrupted
    from spincaloric.studies import wer

    sim = pulse_simulation()
    kw = dict(seed=3, chunk=8, importance=importance, sharpen=2.0 if importance else None)
    sixteen = write_error_rate(sim, 0.6e-9, 16, **kw)
    real, calls = wer._Job.switched, []

    def switched(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(wer._Job, "switched", switched)
    with pytest.raises(Interrupted) as caught:
        write_error_rate(sim, 0.6e-9, 40, **kw)
    assert (caught.value.done, caught.value.total, caught.value.parts) == (16, 40,
                                                                          "trajectories")
    assert caught.value.partial == sixteen
    calls[:] = [1, 1]
    with pytest.raises(KeyboardInterrupt) as caught:
        write_error_rate(sim, 0.6e-9, 40, **kw)
    assert not isinstance(caught.value, Interrupted)
    if importance:
        return
    from click.testing import CliRunner

    from spincaloric.cli import main

    calls.clear()
    estimate = wer.write_error_rate
    monkeypatch.setattr(wer, "write_error_rate",
                        lambda *a, **k: estimate(*a, **{**k, "chunk": 8}))
    res = CliRunner().invoke(main, ["wer", str(DEVICE.with_name("pillar_write_pulse.toml")),
                                    "--trajectories", "40", "--until", "0.6ns",
                                    "--no-progress"])
    assert res.exit_code == 130
    assert "interrupted after 16 of 40 trajectories; the finished ones give: free: write " \
        "error rate" in res.output and "error: interrupted" in res.output
    calls.clear()  # with --json, the partial estimate on stdout too, marked as such
    res = CliRunner().invoke(main, ["wer", str(DEVICE.with_name("pillar_write_pulse.toml")),
                                    "--trajectories", "40", "--until", "0.6ns", "--json",
                                    "--no-progress"])
    assert res.exit_code == 130
    doc = json.loads(res.stdout.strip().splitlines()[-1])
    assert doc["interrupted"] == {"trajectories": [16, 40]} and doc["trajectories"] == 16


def test_ctrl_c_during_the_cross_entropy_search_estimates_nothing(monkeypatch):
    """A pilot run stopped by Ctrl-C raises its own partial trajectory: the command says that
    nothing is estimated yet (it printed that trajectory as the result, and with --json a run's
    document) and stops as interrupted, with nothing on stdout."""
    from click.testing import CliRunner

    from spincaloric.cli import main
    from spincaloric.errors import Interrupted
    from spincaloric.studies import wer

    def switched(self, *args, **kwargs):
        raise Interrupted("a pilot run's partial trajectory", 8, 16, "trajectories")

    monkeypatch.setattr(wer._Job, "switched", switched)
    for extra in ([], ["--json"]):
        res = CliRunner().invoke(main, ["wer", str(DEVICE.with_name("pillar_write_pulse.toml")),
                                        "--importance", "--trajectories", "40", "--until",
                                        "0.6ns", "--no-progress", *extra])
        assert res.exit_code == 130
        assert "interrupted during the cross-entropy search for the sharpening: nothing " \
            "estimated yet" in res.stderr and "partial trajectory" not in res.output
        assert res.stdout == ""


def test_splitting_results_warn_of_extinction_and_a_single_replica():
    """A splitting result whose replicas all died out reads 0 below a bound, with a warning
    naming the replicas; one replica warns that its interval is the ideal one."""
    from spincaloric.studies.wer import WriteErrorRate

    dead = WriteErrorRate("free", "multilevel splitting", 200, 0, 0.0, (0.0, 3e-5), 0.0, None,
                          300.0, None, 0, 40, True, 2, 900.0, (0.0, 3e-5), 2)
    text = " ".join(dead.warnings())
    assert "in 2 of 2 replicas" in text and "below about 3e-05" in text
    assert dead.summary()["extinct_replicas"] == 2 and "multilevel splitting" in str(dead)
    one = WriteErrorRate("free", "multilevel splitting", 100, 100, 1e-6, (5e-7, 1.5e-6), 2.5e-7,
                         None, 300.0, None, 0, 1400, True, 1, 700.0, (5e-7, 1.5e-6), 0)
    assert [w.startswith("one replica") for w in one.warnings()] == [True]


def test_lateness_trades_time_against_thermal_diffusion():
    """δ = t − u/2D: a write at u = 2D Δt from the axis a time Δt later is as late as one on
    the axis now (the same score), closer is later, farther earlier; a reversed magnet
    scores 0; at the end the score is 1 exactly for those not switched. D is Brown's,
    αγk_BT/((1 + α²)M_sV), raised by the spin-pumping damping when the run pumps."""
    from spincaloric.studies.wer import Lateness

    late = Lateness(3e-9, 4e6)
    t = np.array([0.0, 1e-9, 2e-9])
    u = np.array([[0.0, 2 * 4e6 * 1e-9, 0.5], [0.0, 1e-3, 1.6]])
    xi = late.score(t, 1 - u)
    assert xi[0, 0] == pytest.approx(xi[0, 1], abs=1e-12) and xi[1, 1] > xi[0, 1]
    assert 0 < xi[0, 2] < xi[0, 1] and xi[1, 2] == 0.0
    end = late.score(np.array([2.9e-9, 3e-9]), np.array([[0.0, 0.1], [0.0, -0.1],
                                                          [0.99, 1.0]]))
    assert list(end[:, -1]) == [1.0, 0.0, 1.0] and np.all(end[:, 0] < 1)
    sim = pulse_simulation()
    par = sim.magnets["free"]
    brown = par.damping * par.gyromagnetic_ratio * BOLTZMANN * T / (
        (1 + par.damping**2) * par.moment)
    ref = np.array([0.0, 0.0, 1.0])
    assert Lateness.of(sim, "free", ref, T, 1e-9).diffusion > 1.1 * brown  # pumping
    sim.pumping = False
    assert Lateness.of(sim, "free", ref, T, 1e-9).diffusion == pytest.approx(brown, rel=1e-12,
                                                                          abs=0)


@settings(max_examples=60, deadline=None)
@given(horizon=st.floats(1e-10, 1e-7), diffusion=st.floats(1e3, 1e9),
       when=st.floats(0.0, 0.999), p=st.floats(-1.0, 1.0), q=st.floats(-1.0, 1.0))
def test_the_score_is_below_one_before_the_end_and_follows_the_lateness(horizon, diffusion,
                                                                       when, p, q):
    """Before the end 0 ≤ ξ < 1 and ξ falls as a write moves away from ref (p = m·ref
    smaller) and rises with time at fixed m; at the end ξ is 1 or 0 as p ≥ 0 (the magnet on
    its initial side of the barrier's top) or not."""
    from spincaloric.studies.wer import Lateness

    late = Lateness(horizon, diffusion)
    t = np.array([when * horizon, horizon])
    xi = late.score(t, np.array([[p, p], [q, q]]))
    assert np.all((0 <= xi[:, 0]) & (xi[:, 0] < 1))
    if min(p, q) >= 0 and p >= q:
        assert xi[0, 0] >= xi[1, 0]
    assert list(xi[:, 1]) == [float(p >= 0), float(q >= 0)]
    later = late.score(np.array([t[0], t[0] + 0.001 * horizon, horizon]), np.full((1, 3), p))
    assert later[0, 1] >= later[0, 0]


@pytest.mark.slow
def test_splitting_agrees_with_brute_force():
    """The pillar's 2.5 ns, 0.6 mV write until 3.1 ns (WER ≈ 2e-3): multilevel
    splitting (4 replicas of 100 particles) and 8000 brute-force trajectories agree within
    their combined 3σ, each estimate inside the other's 95 % interval."""
    spec = load_spec(DEVICE.with_name("pillar_write_pulse.toml"))
    sim = Simulation(spec.device.finalize(), spec.magnets, spec.drives)
    brute = write_error_rate(sim, 3.1e-9, 8000, seed=31)
    ams = write_error_rate(sim, 3.1e-9, method="splitting", particles=100, replicas=4,
                           seed=32)
    assert 1e-3 < brute.rate < 1e-2 and ams.converged and ams.extinct == 0
    assert abs(brute.rate - ams.rate) < 3 * np.hypot(brute.standard_error, ams.standard_error)
    assert ams.interval[0] < brute.rate < ams.interval[1]
    assert brute.interval[0] < ams.rate < brute.interval[1]
    assert ams.cost < 3000  # vs 8000 trajectories for a similar spread


@pytest.mark.slow
def test_importance_sampling_agrees_with_brute_force():
    """A 2 ns, 0.6 mV write of the pillar at 300 K (WER of a few per cent): the
    cross-entropy importance estimate and brute force agree within their combined 3σ, and
    the brute-force interval holds the estimate's."""
    sim = pulse_simulation()
    brute = write_error_rate(sim, 2.6e-9, 1500, seed=11)
    smart = write_error_rate(sim, 2.6e-9, 1500, seed=12, importance=True, pilot=300)
    assert 0.01 < brute.rate < 0.2 and smart.sharpen >= 1.0
    spread = np.hypot(brute.standard_error, smart.standard_error)
    assert abs(brute.rate - smart.rate) < 3 * spread


def test_the_wer_command(tmp_path):
    """`spincaloric wer` prints the rate with its interval (JSON with --json), by brute force
    or --splitting; a wrong magnet, or --splitting with --importance or --trajectories, is
    one line naming the field, exit status 2."""
    import json

    from click.testing import CliRunner

    from spincaloric.cli import main

    device = str(DEVICE.with_name("pillar_write_pulse.toml"))
    res = CliRunner().invoke(main, ["wer", device, "--trajectories", "16", "--until", "0.5ns",
                                    "--json", "--no-progress"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output.strip().splitlines()[-1])
    assert doc["failures"] == 16 and doc["method"] == "brute force"
    assert doc["dt"] == 1e-12  # the default step it ran with (s)
    assert "sharpen" not in doc and "replicas" not in doc  # the keys of its method only
    assert doc["interval_95"][0] <= doc["write_error_rate"] <= doc["interval_95"][1]
    res = CliRunner().invoke(main, ["wer", device, "--trajectories", "4", "--magnet", "fixed"])
    assert res.exit_code == 2
    assert res.output.strip().splitlines()[-1].startswith(f"error: {device}: magnet: ")
    res = CliRunner().invoke(main, ["wer", device, "--splitting", "--particles", "3",
                                    "--replicas", "2", "--until", "0.5ns",
                                    "--json", "--no-progress"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output.strip().splitlines()[-1])
    assert doc["method"] == "multilevel splitting" and doc["write_error_rate"] == 1.0
    assert (doc["replicas"], doc["particles"], doc["cost_trajectories"]) == (2, 3, 6.0)
    assert doc["dt"] == 1e-12
    res = CliRunner().invoke(main, ["wer", device, "--trajectories", "4", "--until", "0.5ns",
                                    "--dt", "0.5ps", "--no-progress"])
    assert res.exit_code == 0 and res.output.strip().endswith("brute force, step 0.5 ps, run to 500 ps")
    assert "sharpen" not in doc and "effective_samples" not in doc
    assert doc["iterations"] >= 0 and "levels" not in doc  # cross-entropy levels are IS's
    for flags, field in ((["--importance"], "method"), (["--trajectories", "9"],
                                                        "trajectories")):
        res = CliRunner().invoke(main, ["wer", device, "--splitting", *flags])
        assert res.exit_code == 2
        assert res.output.strip().splitlines()[-1].startswith(f"error: {device}: {field}: ")


def test_a_run_with_heat_capacities_has_no_write_error_rate():
    spec = load_spec(DEVICE.with_name("laser_heated_pillar.toml"))
    sim = Simulation(spec.device.finalize(), spec.magnets, spec.drives)
    with pytest.raises(DynamicsError, match="nodes: a write-error rate needs the thermal field"):
        write_error_rate(sim, 1e-10, 4)


def test_a_run_advances_the_callers_report_and_leaves_it_open():
    """wer's progress moves within an ensemble: Simulation.run(progress=report) adds the
    trajectories' share of every kernel call to the caller's report and does not close it."""

    class Report:
        def __init__(self):
            self.done, self.closed = 0.0, False

        def update(self, amount):
            self.done += amount

        def close(self):
            self.closed = True

    sim = pulse_simulation()
    report = Report()
    sim.run(0.2e-9, n_save=2, ensemble=8, temperature_noise=True, progress=report)
    assert report.done == pytest.approx(8.0, rel=1e-12, abs=1e-12) and not report.closed


def test_importance_sampling_interval_stays_a_probability():
    """Nearly every write failing, the weighted mean may pass 1: the rate reported is a
    probability inside its interval (1.003 above [0.994, 1] before), and a rate of 1 warns
    that no write switched."""
    result = write_error_rate(pulse_simulation(), 0.3e-9, 32, seed=3, sharpen=2.0)
    assert result.failures == 32
    assert "pilot_trajectories" not in result.summary()  # sharpening given: no search ran
    assert 0.0 <= result.interval[0] <= result.rate <= result.interval[1] <= 1.0
    if result.rate >= 1.0:
        assert any("no write switched" in w for w in result.warnings())


def test_a_write_is_decided_at_the_barrier_top_not_by_how_long_the_run_relaxes():
    """A magnet past the equator (m·ref < 0) is written even while still reversing: ending
    the run 0.25 ns after a 1.3 ns pulse or 2 ns after it gives nearly the same failures;
    trajectories ending near the top are counted as undecided (fewer as the run relaxes), the
    same whatever the chunking, and warned of; a hand-given sharpening warns that no search
    checked it."""
    from spincaloric.studies.wer import UNDECIDED

    sim = pulse_simulation(1.3e-9)
    early = write_error_rate(sim, 1.55e-9, 64, seed=5, chunk=7)
    chunked = write_error_rate(sim, 1.55e-9, 64, seed=5, chunk=64)
    late = write_error_rate(sim, 3.3e-9, 64, seed=5)
    assert (early.failures, early.undecided) == (chunked.failures, chunked.undecided)
    assert 10 < early.failures < 54 and abs(early.failures - late.failures) <= 3
    assert late.undecided < early.undecided and early.summary()["undecided"] == early.undecided
    assert early.undecided / 64 > (early.interval[1] - early.interval[0]) / 2
    assert any(w.startswith(f"{early.undecided} of the 64 trajectories ended close to the "
                            f"barrier's top (|m·ref − u*| < {UNDECIDED:g}, u* = 0)")
               for w in early.warnings())
    assert early.summary()["barrier_top"] == 0.0
    assert not any("barrier's top" in w for w in late.warnings())  # 8 of 64: within
    given = write_error_rate(sim, 1.55e-9, 32, seed=5, sharpen=3.0)
    assert any("was given, not found by the cross-entropy search" in w
               for w in given.warnings())


def test_a_well_the_sampler_cannot_draw_from_is_refused_not_exhausting_memory(tmp_path):
    """A transverse field of 0.03 T tilts the free layer's minimum off its easy axis: the
    rejection sampler of starting states would need ~10⁶ draws a start (it ran out of memory:
    1.9 TiB asked); the command refuses in one line naming the field, exit 2. A field along
    the axis keeps a well it draws from."""
    from click.testing import CliRunner

    from spincaloric.cli import main

    text = (Path(__file__).parent.parent / "examples" / "devices"
            / "pillar_write_pulse.toml").read_text()
    line = "demagnetizing_factors = [0, 0, 1]"
    assert line in text
    tilted = tmp_path / "tilted.toml"
    tilted.write_text(text.replace(line, line + "\napplied_field = [0.03, 0, 0]", 1))
    res = CliRunner().invoke(main, ["wer", str(tilted), "--trajectories", "50", "--json"])
    assert res.exit_code == 2, res.output
    assert res.stderr.strip().count("\n") == 0
    assert "applied_field: the magnet's thermal well" in res.stderr
    along = tmp_path / "along.toml"
    along.write_text(text.replace(line, line + "\napplied_field = [0, 0, -0.01]", 1))
    res = CliRunner().invoke(main, ["wer", str(along), "--trajectories", "8", "--until",
                                    "0.2ns", "--json"])
    assert res.exit_code == 0, res.stderr


def test_splitting_without_friction_is_refused(tmp_path):
    """No damping and no spin pumping: no thermal field to steer (splitting divided by D = 0
    and returned 0 in [0, 1]); one line naming the damping, exit 2."""
    from click.testing import CliRunner

    from spincaloric.cli import main

    text = (Path(__file__).parent.parent / "examples" / "devices"
            / "pillar_write_pulse.toml").read_text()
    assert "\ndamping = 0.01" in text and "[simulation]\n" in text
    frictionless = tmp_path / "frictionless.toml"
    frictionless.write_text(text.replace("\ndamping = 0.01", "\ndamping = 0.0", 1).replace(
        "[simulation]\n", "[simulation]\npumping = false\n", 1))
    res = CliRunner().invoke(main, ["wer", str(frictionless), "--splitting", "--particles",
                                    "10", "--replicas", "2", "--json"])
    assert res.exit_code == 2, res.output
    assert "free.damping: multilevel splitting steers the thermal field" in res.stderr
    assert res.stderr.strip().count("\n") == 0


def test_a_hard_axis_has_no_well_to_write_from(tmp_path):
    """An anisotropy field below the thin film's demagnetizing field (0.5 T against
    μ0 M_s = 1.38 T) makes the easy axis a hard one: its energy falls off in every direction,
    there is no thermal well to start a write from, and `wer` refuses in one line naming
    anisotropy_field (it printed a rate of the states sampled near the equator)."""
    from click.testing import CliRunner

    from spincaloric.cli import main

    text = (Path(__file__).parent.parent / "examples" / "devices"
            / "pillar_write_pulse.toml").read_text()
    hard = tmp_path / "hard.toml"
    line = next(x for x in text.splitlines() if x.startswith("anisotropy_field ="))
    hard.write_text(text.replace(line, "anisotropy_field = 0.5", 1))
    res = CliRunner().invoke(main, ["wer", str(hard), "--trajectories", "50"])
    assert res.exit_code == 2, res.output
    assert res.stderr.strip().count("\n") == 0
    assert "anisotropy_field: the magnet's energy falls off from [0. 0. 1.]" in res.stderr
    assert "hard axis" in res.stderr


def test_a_write_error_curve_is_the_estimates_at_each_value(tmp_path, monkeypatch):
    """wer --vary: each value's estimate equals write_error_rate of the file with that value
    (the same seed at every value), and a second key makes a map whose slice at the file's
    own value is the curve; -o writes the curve (rate, interval, counts, units) and plot
    draws it on a logarithmic axis (a map on a logarithmic colour scale); -o without --vary, an existing output and a wrong
    key are one line, exit 2, before any run; Ctrl-C after the first value keeps its line
    and writes no file."""
    import tomllib

    import xarray as xr
    from click.testing import CliRunner

    from spincaloric.cli import main
    from spincaloric.io.devicefile import spec_from_dict
    from spincaloric.io.paths import set_path
    from spincaloric.studies import wer

    device = DEVICE.with_name("pillar_write_pulse.toml")
    data = tomllib.loads(device.read_text())
    key, values = "drives.free.voltage.amplitude", [-0.5e-3, -0.3e-3]
    curve = wer.write_error_rates(data, [(key, values)], 1.2e-9, trajectories=24, seed=3)
    for value, rate in zip(values, curve["write_error_rate"].values):
        d = tomllib.loads(device.read_text())
        set_path(d, key, value)
        spec = spec_from_dict(d)
        sim, _ = spec.simulation_for(spec.device.finalize(), 1.2e-9)
        assert write_error_rate(sim, 1.2e-9, 24, seed=3).rate == rate
    assert curve["write_error_rate_interval"].dims == (key, "bound")
    assert curve[key].attrs["units"] == "V" and "24 trajectories per point" in curve.attrs["title"]
    duration = "drives.free.voltage.duration"
    grid = wer.write_error_rates(data, [(key, values), (duration, [2.5e-9, 1e-9])], 1.2e-9,
                                 trajectories=24, seed=3)
    assert grid["write_error_rate"].dims == (key, duration)  # a write-error map
    assert list(grid["write_error_rate"].sel({duration: 2.5e-9}).values) == list(
        curve["write_error_rate"].values)  # the file's own duration: the curve again
    from spincaloric.io.devicefile import save_dataset

    save_dataset(grid, tmp_path / "map.nc")
    res = CliRunner().invoke(main, ["plot", str(tmp_path / "map.nc")])
    assert res.exit_code == 0 and (tmp_path / "map.png").stat().st_size > 0, res.output
    out = tmp_path / "curve.nc"
    args = ["wer", str(device), "--vary", f"{key}=-0.5mV,-0.3mV", "--trajectories", "24",
            "--until", "1.2ns", "--seed", "3", "--no-progress", "-o", str(out)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    lines = res.stdout.strip().splitlines()
    assert [line.split(": free")[0] for line in lines] == [f"{key} = -0.0005 V",
                                                           f"{key} = -0.0003 V"]
    saved = xr.load_dataset(out)
    assert list(saved["write_error_rate"].values) == list(curve["write_error_rate"].values)
    figure = tmp_path / "curve.png"
    res = CliRunner().invoke(main, ["plot", str(out), "-o", str(figure)])
    assert res.exit_code == 0 and figure.stat().st_size > 0, res.output
    for bad, message in ((["-o", str(tmp_path / "x.nc")], "-o: a curve's file: give --vary"),
                         (["--vary", f"{key}=-0.5mV", "-o", str(out)], "exists"),
                         (["--vary", "drives.free.voltage.amplitud=-0.5mV"], "amplitud")):
        res = CliRunner().invoke(main, ["wer", str(device), "--no-progress", *bad])
        assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1, res.output
        assert message in res.stderr
    estimate, calls = wer.write_error_rate, []

    def stopped(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return estimate(*a, **k)

    monkeypatch.setattr(wer, "write_error_rate", stopped)
    again = tmp_path / "again.nc"
    res = CliRunner().invoke(main, [*args[:-1], str(again)])
    assert res.exit_code == 130 and not again.exists()
    assert res.stdout.strip().splitlines()[0].startswith(f"{key} = -0.0005 V: free: write error")
    assert f"interrupted after 1 of 2 points; {again} not written" in res.stderr


def test_a_run_that_ends_during_the_pulse_says_so():
    """Ending the runs before the write pulse is over estimates the rate of a pulse cut
    short: the estimate names the drive still on; after the pulse, none."""
    sim = pulse_simulation(1.0e-9)  # on from 0.1 to 1.15 ns
    cut = write_error_rate(sim, 0.8e-9, 16, seed=5)
    assert cut.unfinished == ("drives.free.voltage",)
    assert any(w.startswith("the runs end while drives.free.voltage is still on: the rate is "
                            "that of a pulse cut short") for w in cut.warnings())
    assert sim.unfinished_drives(1.5e-9) == [] and sim.unfinished_drives(0.05e-9) == []
