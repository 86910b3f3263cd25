"""Write-error rates: thermal starting states in a magnet's well (exact and importance
sampled), the estimators' bookkeeping, and importance sampling against brute force."""

from pathlib import Path

import numpy as np
import pytest

from spincaloric.constants import BOLTZMANN
from spincaloric.dynamics import MagnetParameters
from spincaloric.dynamics.drives import RectangularPulse
from spincaloric.dynamics.equilibrium import Well, sample_well
from spincaloric.dynamics.simulation import DynamicsError, Simulation
from spincaloric.io import load_spec
from spincaloric.studies.wer import write_error_rate

DEVICE = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"
T = 300.0


def quadrature(magnet, f):
    """⟨f(u)⟩ over the Boltzmann distribution of a magnet with an axial energy (u = 1 − m_z)."""
    u = np.concatenate([[0.0], np.geomspace(1e-12, 1.0, 40_000)])
    m = np.stack([np.sqrt(u * (2 - u)), 0 * u, 1 - u], axis=-1)
    e = magnet.energy(m) / (BOLTZMANN * T)
    p = np.exp(-(e - e.min()))
    return np.trapezoid(f(u) * p, u) / np.trapezoid(p, u)


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


def test_bad_requests_name_their_field():
    sim = pulse_simulation()
    for kwargs, field in ((dict(trajectories=0), "trajectories"),
                          (dict(trajectories=10, magnet="fixed"), "magnet"),
                          (dict(trajectories=10, chunk=0), "chunk"),
                          (dict(trajectories=10, importance=True, sharpen=0.5), "sharpen")):
        n = kwargs.pop("trajectories")
        with pytest.raises(DynamicsError) as err:
            write_error_rate(sim, 1e-10, n, **kwargs)
        assert err.value.field == field


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
    """`spincaloric wer` prints the rate with its interval (JSON with --json); a wrong magnet
    is one line naming the field, exit status 2."""
    import json

    from click.testing import CliRunner

    from spincaloric.cli import main

    device = str(DEVICE.with_name("pillar_write_pulse.toml"))
    res = CliRunner().invoke(main, ["wer", device, "--trajectories", "16", "--until", "0.5ns",
                                    "--json", "--no-progress"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output.strip().splitlines()[-1])
    assert doc["failures"] == 16 and doc["method"] == "brute force"
    assert doc["interval_95"][0] <= doc["write_error_rate"] <= doc["interval_95"][1]
    res = CliRunner().invoke(main, ["wer", device, "--trajectories", "4", "--magnet", "fixed"])
    assert res.exit_code == 2
    assert res.output.strip().splitlines()[-1].startswith(f"error: {device}: magnet: ")


def test_a_run_with_heat_capacities_has_no_write_error_rate():
    spec = load_spec(DEVICE.with_name("laser_heated_pillar.toml"))
    sim = Simulation(spec.device.finalize(), spec.magnets, spec.drives)
    with pytest.raises(DynamicsError, match="nodes: a write-error rate needs the thermal field"):
        write_error_rate(sim, 1e-10, 4)
