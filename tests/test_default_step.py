"""The default fixed step: 1 ps where the fastest precession allows it, else the largest
round step within its bound — never a function of the saved instants, so a noisy trajectory
does not change with the output's resolution."""

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from spincaloric.dynamics.simulation import DynamicsError, Simulation
from spincaloric.io import load_spec

DEVICES = Path(__file__).parent.parent / "examples" / "devices"
ROUND = (1.0, 2.0, 2.5, 5.0)


def pillar(field_scale: float = 1.0) -> Simulation:
    spec = load_spec(DEVICES / "thermal_switching_pillar.toml")
    magnets = {k: dataclasses.replace(p, anisotropy_field=field_scale * p.anisotropy_field)
               for k, p in spec.magnets.items()}
    return Simulation(spec.device.finalize(), magnets, spec.drives)


def test_noisy_trajectories_do_not_depend_on_the_saved_instants():
    sim = pillar()
    kw = dict(ensemble=8, temperature_noise=True, seed=3)
    coarse = sim.run(1e-9, n_save=3, **kw)
    fine = sim.run(1e-9, n_save=101, **kw)
    assert coarse.settings["dt"] == fine.settings["dt"] == 1e-12
    np.testing.assert_array_equal(coarse.m[:, -1], fine.m[:, -1])
    np.testing.assert_array_equal(coarse.m[:, 1], fine.m[:, 50])
    # the guard: another step gives other trajectories
    other = sim.run(1e-9, n_save=3, dt=0.5e-12, **kw)
    assert np.abs(other.m[:, -1] - coarse.m[:, -1]).max() > 1e-3


def next_round(dt: float) -> float:
    decade = 10.0 ** np.floor(np.log10(dt) + 1e-9)
    mantissa = dt / decade
    i = int(np.argmin([abs(mantissa - f) for f in ROUND]))
    assert abs(mantissa - ROUND[i]) < 1e-9, dt  # a round step
    return (ROUND + (10.0,))[i + 1] * decade


@pytest.mark.parametrize("scale", [20.0, 60.0])
def test_a_fast_precession_takes_the_largest_round_step_within_its_bound(scale):
    """An anisotropy field 20 or 60 times the pillar's: 1 ps would be refused; the default is
    the largest of 1, 2, 2.5, 5 × 10^k within 0.2/ω — the run takes it, the next round step
    is refused."""
    strong = pillar(scale)
    kw = dict(n_save=3, ensemble=2, temperature_noise=True)
    dt = strong.run(2e-11, **kw).settings["dt"]
    assert dt < 1e-12
    with pytest.raises(DynamicsError, match="dt: .* exceeds 0.2/ω"):
        strong.run(2e-11, dt=next_round(dt), **kw)
    with pytest.raises(DynamicsError, match="dt: .* exceeds 0.2/ω"):
        strong.run(2e-11, dt=1e-12, **kw)
