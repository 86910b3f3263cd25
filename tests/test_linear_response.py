"""The linear (Sommerfeld) response warns, once and naming the energy-resolved regime, when a
solve's potential span exceeds k_BT/e or a temperature deviates from T by more than 20 %."""

import warnings

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import spincaloric as sc
from spincaloric.cli import main
from spincaloric.constants import BOLTZMANN, ELEMENTARY_CHARGE
from spincaloric.dynamics import Simulation
from spincaloric.dynamics.drives import LaserPulse
from spincaloric.dynamics.magnets import MagnetParameters
from spincaloric.linear_response import (
    MAX_BIAS_RATIO,
    MAX_THERMAL_RATIO,
    LinearResponseWarning,
)

DEVICE = "examples/devices/valve_thermal.toml"
T = 300.0


@pytest.fixture(scope="module")
def circuit(request):
    return sc.load_device(request.config.rootpath / DEVICE).finalize()


def _warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [w for w in caught if issubclass(w.category, LinearResponseWarning)]


@settings(max_examples=30, deadline=None)
@given(ratio=st.floats(0.0, 5.0))
def test_bias_warning_exactly_beyond_the_threshold(circuit, ratio):
    """A voltage bias V on one lead (the other grounded) warns iff eV/k_BT > MAX_BIAS_RATIO."""
    v = ratio * BOLTZMANN * circuit.temperature / ELEMENTARY_CHARGE
    caught = _warnings(lambda: circuit.solve(voltage={"right": v}))
    assert bool(caught) == (ratio > MAX_BIAS_RATIO * (1 + 1e-9)) or abs(ratio - MAX_BIAS_RATIO) < 1e-6
    if caught:
        assert 'regime = "spectral"' in str(caught[0].message)
        assert "e|ΔV|/k_BT" in str(caught[0].message)


@settings(max_examples=30, deadline=None)
@given(ratio=st.floats(-0.9, 2.0))
def test_thermal_warning_exactly_beyond_the_threshold(circuit, ratio):
    t = circuit.temperature * (1 + ratio)
    caught = _warnings(lambda: circuit.solve(temperature={"right": t}))
    assert bool(caught) == (abs(ratio) > MAX_THERMAL_RATIO) or abs(abs(ratio) - MAX_THERMAL_RATIO) < 1e-6
    if caught:
        assert "|ΔT|/T" in str(caught[0].message)


def test_batched_solve_warns_once_for_the_largest_point(circuit):
    v = np.linspace(0, 0.2, 11)  # 0.2 V ≈ 7.7 k_BT/e at 300 K
    caught = _warnings(lambda: circuit.solve(voltage={"right": v}))
    assert len(caught) == 1
    assert "ΔV = 0.2 V" in str(caught[0].message)


def test_the_energy_resolved_regime_does_not_warn(request):
    dev = sc.load_device(request.config.rootpath / "examples/devices/valve_spectral.toml")
    circuit = dev.finalize()
    from spincaloric.solvers.spectral import solve_relaxed

    caught = _warnings(lambda: solve_relaxed(circuit, temperature={"right": 1.5 * circuit.temperature}))
    assert not caught


def test_dynamics_warns_for_a_large_laser_pulse_only(request):
    dev = sc.load_device(request.config.rootpath / "examples/devices/thermal_switching_pillar.toml")
    circuit = dev.finalize()
    magnet = MagnetParameters(saturation_magnetization=1.1e6, volume=1.5e-9 * 1.26e-15,
                              damping=0.01, anisotropy_axis=[0, 0, 1], anisotropy_field=1.68,
                              demagnetizing_factors=[0, 0, 1])

    def run(peak, amplitude=None):
        drive = LaserPulse(base=300.0, peak=peak, start=0.1e-9, rise=0.05e-9, decay=3e-9)
        sim = Simulation(circuit, {"free": magnet}, {("free", "temperature"): drive})
        return _warnings(lambda: sim.run(1e-9, n_save=3, amplitude=amplitude))

    assert not run(40.0)
    caught = run(250.0)
    assert len(caught) == 1 and "|ΔT|/T" in str(caught[0].message)
    assert run(40.0, amplitude=[2.0])  # 80 K = 0.27 T: the amplitude scales the excursion


def test_cli_prints_one_warning_line(tmp_path, request):
    text = (request.config.rootpath / DEVICE).read_text()
    path = tmp_path / "hot.toml"
    path.write_text(text)
    res = CliRunner().invoke(main, ["sweep", str(path), "--vary", "right.temperature=300:500:5",
                                    "-o", str(tmp_path / "s.nc")])
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("warning:")]
    assert len(lines) == 1 and 'regime = "spectral"' in lines[0]
