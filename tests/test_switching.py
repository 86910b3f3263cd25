"""Switching: the headline device, the CLI `run`, netCDF output, critical drives."""

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from spincaloric.cli import main
from spincaloric.dynamics.drives import Constant
from spincaloric.dynamics.simulation import Simulation
from spincaloric.dynamics.switching import (
    circuit_torque_slope,
    critical_amplitude,
    slonczewski_critical_torque_slope,
)
from spincaloric.io import load_spec

PILLAR = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"


def pillar():
    spec = load_spec(PILLAR)
    return spec, spec.device.finalize()


def test_heat_pulse_alone_switches_the_pillar():
    spec, circuit = pillar()
    traj = Simulation(circuit, spec.magnets, spec.drives).run(until=8e-9, n_save=401)
    sw = traj.switching()["free"]
    assert sw.switched[0] and 1e-9 < sw.time[0] < 8e-9
    # no net voltage bias: both leads at 0 V throughout, only the temperature changes
    assert float(traj.circuit_solution.reservoirs["free"].voltage[0, 0]) == 0.0
    # and without the heat pulse nothing happens
    still = Simulation(circuit, spec.magnets, {}).run(until=8e-9, n_save=41)
    assert not still.switching()["free"].switched[0]


def test_cli_run_json_netcdf_and_plot(tmp_path):
    xr = pytest.importorskip("xarray")
    out, fig = tmp_path / "traj.nc", tmp_path / "traj.png"
    res = CliRunner().invoke(main, ["run", str(PILLAR), "--until", "8ns", "--json",
                                    "-o", str(out), "--plot", str(fig)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    free = doc["magnets"]["free"]
    assert free["switched"] is True and 1e-9 < free["switching_time"] < 8e-9
    assert len(free["final_magnetization"]) == 3 and free["final_magnetization"][2] < -0.9
    ds = xr.load_dataset(out)
    assert ds["m"].dims == ("ensemble", "time", "magnet", "component")
    assert ds["time"].attrs["units"] == "s" and ds["torque"].attrs["units"] == "N m"
    assert "charge_current" in ds and "heat_current" in ds
    assert float(ds["drive_free_temperature"].max()) == pytest.approx(340.0, abs=0.05)
    assert fig.stat().st_size > 1000
    assert not list(tmp_path.glob("*.part"))


def test_cli_run_bad_input_is_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(PILLAR.read_text().replace("damping = 0.01", "damping = -0.01"))
    res = CliRunner().invoke(main, ["run", str(bad), "-o", str(tmp_path / "x.nc")])
    assert res.exit_code == 2
    assert res.stderr.strip() == f"error: {bad}: nodes.free.magnet.damping: a Gilbert damping lies in [0, 1], got -0.01"
    assert not (tmp_path / "x.nc").exists()
    res = CliRunner().invoke(main, ["run", str(PILLAR), "--until", "-3ns"])
    assert res.exit_code == 2 and "Traceback" not in res.output
    table = tmp_path / "table.toml"
    table.write_text(PILLAR.read_text().replace(
        'shape = "laser"', 'shape = "table"\ntimes = [0.0, 2e-9, 1e-9]\nvalues = [0, 1, 2]')
        .replace("peak = 40.0", "").replace("start = 0.1e-9", "").replace("rise = 0.05e-9", "")
        .replace("decay = 3.0e-9", ""))
    res = CliRunner().invoke(main, ["run", str(table)])
    assert res.exit_code == 2
    assert "drives.free.temperature.times[2]: times must not decrease" in res.stderr


def test_ensemble_with_thermal_noise_gives_a_probability():
    spec, circuit = pillar()
    sim = Simulation(circuit, spec.magnets, spec.drives)
    traj = sim.run(until=6e-9, n_save=61, ensemble=16, temperature_noise=True, dt=2e-13, seed=1)
    sw = traj.switching()["free"]
    assert sw.switched.shape == (16,)
    assert 0.5 <= sw.probability <= 1.0
    assert len({tuple(np.round(m, 6)) for m in traj.m[:, -1, 0]}) == 16  # distinct paths


@pytest.mark.slow
def test_critical_voltage_by_bisection_matches_the_threshold():
    """A constant voltage on the perpendicular pillar: the bisected critical drive lies just
    above the linear instability threshold κ(V) = κ_c (switching needs a finite margin in a
    finite time); the damping of the threshold includes what spin pumping adds (α + α')."""
    import dataclasses

    from spincaloric.dynamics.switching import circuit_pumping_damping

    spec, circuit = pillar()
    magnet = spec.magnets["free"]
    sim = Simulation(circuit, spec.magnets, {("free", "voltage"): Constant(-1e-3)})
    model = sim.model
    alpha = magnet.damping + circuit_pumping_damping(model, "free", [0, 0, 1.0], magnet)
    assert alpha == pytest.approx(0.01227, abs=1e-5)
    kappa_c = slonczewski_critical_torque_slope(dataclasses.replace(magnet, damping=alpha))
    kappa = circuit_torque_slope(model, "free", [0, 0, 1.0],
                                 model.drive_vector(voltage={"free": -1e-3}))
    threshold = kappa_c / kappa  # in units of the 1 mV drive
    lo, hi = critical_amplitude(sim, 40e-9, low=0.5 * threshold, high=3 * threshold,
                                rtol=0.02, points=6, n_save=81)
    assert threshold <= hi and lo <= 1.25 * threshold


def test_perpendicular_switches_in_plane_precesses():
    """Just above threshold a perpendicular layer switches; an in-plane one at zero field
    enters steady large-angle precession instead (the spin-torque-oscillator regime)."""
    from spincaloric import Device
    from spincaloric.dynamics import MagnetParameters
    from test_dynamics import CONTACT, T

    def run(axis, mag, factor):
        dev = Device(temperature=T)
        dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=axis)
        dev.add_node("spacer", "normal")
        tilt = np.cross(axis, [0, 1.0, 0] if axis[2] else [0, 0, 1.0])
        dev.add_node("free", "ferromagnet", reservoir=True,
                     magnetization=np.cos(0.05) * axis + np.sin(0.05) * tilt)
        dev.add_contact("fixed", "spacer", CONTACT)
        dev.add_contact("free", "spacer", CONTACT)
        c = dev.finalize()
        sim = Simulation(c, {"free": mag}, {("free", "voltage"): Constant(-1e-3)})
        kappa = circuit_torque_slope(sim.model, "free", axis,
                                     sim.model.drive_vector(voltage={"free": -1e-3}))
        scale = factor * slonczewski_critical_torque_slope(mag) / kappa
        return sim.run(until=60e-9, n_save=3001, amplitude=[scale])

    perp = MagnetParameters(saturation_magnetization=1e6, volume=1e-24, damping=0.01,
                            anisotropy_field=1.4, demagnetizing_factors=[0, 0, 1])
    tr = run(np.array([0, 0, 1.0]), perp, 1.2)
    assert tr.switching()["free"].switched[0]
    inplane = MagnetParameters(saturation_magnetization=1e6, volume=1e-24, damping=0.01,
                               anisotropy_field=0.05, anisotropy_axis=[1, 0, 0],
                               demagnetizing_factors=[0, 0, 1])
    tr = run(np.array([1.0, 0, 0]), inplane, 1.2)
    mx = tr.magnetization("free")[0, :, 0]
    late = mx[len(mx) // 2:]
    assert not tr.switching()["free"].switched[0]
    assert late.max() - late.min() > 0.2  # sustained large-amplitude oscillation


def test_open_circuit_heat_pulse_keeps_zero_net_current():
    """Open circuit (the free lead current-biased at 0 A): no charge current flows at any
    instant, a thermovoltage develops, and the torque is driven by (P − P')SΔT instead of
    −P'SΔT."""
    from spincaloric.io import read_toml, spec_from_dict

    data = read_toml(PILLAR)
    del data["nodes"]["free"]["voltage"]
    data["nodes"]["free"]["current"] = 0.0
    spec = spec_from_dict(data)
    circuit = spec.device.finalize()
    traj = Simulation(circuit, spec.magnets, spec.drives).run(until=2e-9, n_save=21)
    sol = traj.circuit_solution
    scale = np.abs(sol.currents[..., 0, 1:4]).max()
    assert np.abs(sol.contacts[0].charge_current).max() < 1e-9 * scale
    assert np.abs(sol.reservoirs["free"].voltage[0, 5:]).min() > 1e-6  # thermovoltage (V)


def test_heat_drive_on_the_spacer():
    """A laser heating the spacer's electrons (W, an internal-node drive): the spacer
    temperature follows the static solution with that heat at every instant."""
    from spincaloric.dynamics.drives import LaserPulse

    spec, circuit = pillar()
    laser = LaserPulse(base=0.0, peak=4e-5, start=0.1e-9, rise=0.05e-9, decay=1e-9)
    sim = Simulation(circuit, spec.magnets, {("spacer", "heat"): laser})
    traj = sim.run(until=2e-9, n_save=21)
    temps = traj.circuit_solution.nodes["spacer"].temperature[0]
    static = circuit.solve(magnetization={"free": traj.magnetization("free")[0]},
                           heat={"spacer": laser(traj.time)})
    np.testing.assert_allclose(temps, static.nodes["spacer"].temperature, rtol=1e-12)
    assert temps.max() - 300.0 > 1.0
    with pytest.raises(ValueError, match="heat"):
        Simulation(circuit, spec.magnets, {("fixed", "heat"): laser})


def test_cli_run_ensemble_with_noise_is_seeded():
    args = ["run", str(PILLAR), "--until", "6ns", "--ensemble", "8", "--temperature-noise",
            "--seed", "5", "--n-save", "61", "--json"]
    a = CliRunner().invoke(main, args)
    b = CliRunner().invoke(main, args)
    assert a.exit_code == 0, a.output
    doc = json.loads(a.stdout)["magnets"]["free"]
    assert doc["ensemble"] == 8 and 0.0 <= doc["switching_probability"] <= 1.0
    assert a.stdout == b.stdout  # same seed, same result


def test_cli_ensemble_summary_describes_the_ensemble_and_the_file_keeps_the_settings(tmp_path):
    """The text summary of an ensemble states its probability, median switching time and mean
    final m (not trajectory 0's alone); the netCDF keeps seed, noise and step."""
    import xarray as xr

    out = tmp_path / "e.nc"
    args = ["run", str(PILLAR), "--until", "6ns", "--ensemble", "8", "--temperature-noise",
            "--seed", "5", "--n-save", "61", "-o", str(out)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    assert f"wrote {out}" in res.stderr.splitlines()
    doc = json.loads(CliRunner().invoke(main, args[:-2] + ["--json"]).stdout)["magnets"]["free"]
    ds = xr.open_dataset(out)
    switched = ds["switched"].sel(magnet="free").values
    times = ds["switching_time"].sel(magnet="free").values[switched]
    assert doc["median_switching_time"] == pytest.approx(float(np.median(times)), rel=1e-12,
                                                                abs=0)
    mean = ds["m"].sel(magnet="free").isel(time=-1).mean("ensemble").values
    np.testing.assert_allclose(doc["mean_final_magnetization"], mean, rtol=1e-12)
    # those that end between −0.5 and 0.5 of the easy axis (z; the pillar starts near +z):
    # counted, and warned of
    final = ds["m"].sel(magnet="free").isel(time=-1).values[:, 2]
    assert doc["unsettled_trajectories"] == int(np.sum(np.abs(final) < 0.5)) > 0
    assert (f"free: {doc['unsettled_trajectories']} of 8 trajectories end with m·u between "
            "−0.5 and 0.5") in res.stderr
    line = res.stdout.strip()
    from scipy.stats import binomtest  # an independent Clopper–Pearson interval

    exact = binomtest(int(switched.sum()), 8).proportion_ci(method="exact")
    np.testing.assert_allclose(doc["switching_probability_interval_95"],
                               [exact.low, exact.high], rtol=1e-9, atol=1e-12)
    assert line.startswith(f"free: switching probability {switched.mean():.3f} (95 % interval "
                           f"{exact.low:.3f} – {exact.high:.3f}) over 8 trajectories")
    assert f"mean final m = ({', '.join(f'{x:+.3f}' for x in mean)})" in line
    assert "trajectory 0" in line
    assert (ds.attrs["seed"], ds.attrs["temperature_noise"], ds.attrs["ensemble"]) == (5, 1, 8)
    assert ds.attrs["dt"] > 0


THICK = PILLAR.parent / "pillar_thick_layers.toml"
LAYER_MAGNET = """
[layers.free.magnet]
saturation_magnetization = 1.4e6
damping = 0.01
anisotropy_field = 0.5
anisotropy_axis = [1, 0, 0]
"""


@pytest.mark.slow
def test_a_diffusive_free_layer_is_a_dynamic_magnet_in_device_files(tmp_path):
    """``[layers.NAME.magnet]``: the whole layer turns, reported under the layer's name (its
    vertices keep theirs); its volume defaults to the layer's length × area; the CLI
    integrates it."""
    from spincaloric.io.paths import unit_of

    path = tmp_path / "thick.toml"
    heated_vertex = '\n[drives.free_3.heat]\nshape = "constant"\nvalue = 1e-9\n'
    path.write_text(THICK.read_text() + LAYER_MAGNET + heated_vertex)
    spec = load_spec(path)
    assert list(spec.magnets) == ["free"]
    assert ("free_3", "heat") in spec.drives  # drives may name a layer's vertices
    assert unit_of("layers.free.length") == "m" and unit_of("layers.free.magnet.damping") == "1"
    assert spec.magnets["free"].volume == pytest.approx(3e-9 * 1.26e-15, rel=1e-12, abs=0)
    out = tmp_path / "thick.nc"
    res = CliRunner().invoke(main, ["run", str(path), "--until", "0.2ns", "--json",
                                    "-o", str(out)])
    assert res.exit_code == 0, res.output
    final = json.loads(res.stdout)["magnets"]["free"]["final_magnetization"]
    assert np.linalg.norm(final) == pytest.approx(1.0, abs=1e-9)
    # the exported torque is the whole layer's: the torque map's at the start
    xr = pytest.importorskip("xarray")
    from spincaloric.dynamics.torque_model import CircuitTorqueModel

    model = CircuitTorqueModel.build(spec.device.finalize(), ["free"])
    start = model.circuit.magnetization[model.nodes]
    assert list(xr.load_dataset(out)["magnet"].values) == ["free"]
    tau = xr.load_dataset(out)["torque"].values[0, 0, 0]
    heated = model.drive_vector(heat={"free_3": 1e-9})
    np.testing.assert_allclose(tau, model.torques(start, heated)[0],
                               atol=1e-9 * np.abs(tau).max())
    assert np.abs(model.torques(start)[0] - tau).max() > 1e-6 * np.abs(tau).max()
    assert np.abs(tau).max() > 0
    bad = tmp_path / "bad.toml"
    bad.write_text(THICK.read_text() + LAYER_MAGNET.replace("layers.free", "layers.spacer"))
    res = CliRunner().invoke(main, ["run", str(bad)])
    assert res.exit_code == 2
    assert res.stderr.strip() == (f"error: {bad}: layers.spacer.magnet: only a ferromagnetic "
                                  "layer (with a magnetization) can be a dynamic magnet")


def test_cli_run_with_joule_heating(tmp_path):
    """``joule_heating = true``: a voltage pulse heats the spacer by its Joule heat (exported
    as the drive ``drive_spacer_heat``, = joule_heat of the static solve at the pulse's
    value); ``--no-joule-heating`` leaves it out."""
    xr = pytest.importorskip("xarray")
    from spincaloric.circuit.solution import joule_heat

    text = PILLAR.read_text().split("[drives.free.temperature]")[0] + """
[drives.free.voltage]
shape = "pulse"
amplitude = -2e-3
start = 0.1e-9
duration = 0.5e-9

[[contacts]]
between = ["fixed", "spacer"]
interface = "Cu/Co(001)*"
area = 1.26e-15
conductance_per_area = 0.80e15

[[contacts]]
between = ["free", "spacer"]
interface = "Cu/Co(001)*"
area = 1.26e-15
conductance_per_area = 0.80e15

[simulation]
until = 1e-9
n_save = 101
joule_heating = true
"""
    path = tmp_path / "pulse.toml"
    path.write_text(text)
    out = tmp_path / "pulse.nc"
    res = CliRunner().invoke(main, ["run", str(path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    ds = xr.load_dataset(out)
    heat = ds["drive_spacer_heat"].values[0]
    circuit = load_spec(path).device.finalize()
    expected = float(joule_heat(circuit.solve(voltage={"free": -2e-3}))["spacer"])
    assert expected > 0
    assert heat.max() == pytest.approx(expected, rel=1e-9, abs=0)
    assert heat[0] == 0.0  # before the pulse
    res = CliRunner().invoke(main, ["run", str(path), "--no-joule-heating", "-o", str(out),
                                    "--overwrite"])
    assert res.exit_code == 0, res.output
    assert "drive_spacer_heat" not in xr.load_dataset(out)


@pytest.mark.parametrize("ensemble", [1, 3])
def test_trajectory_figure_draws_every_curve(ensemble):
    """m_x, m_y, m_z of the drawn trajectory (plus the ensemble mean along the easy axis for an
    ensemble, with a title saying which trajectory is drawn) and the torque on each magnet."""
    pytest.importorskip("matplotlib")
    spec = load_spec(PILLAR)
    sim, opts = spec.simulation_for(spec.device.finalize(), 1e-9)
    opts.update(ensemble=ensemble, n_save=21)
    fig = sim.run(1e-9, **opts).plot()
    top, bottom = fig.axes
    assert len(top.lines) == 3 + (ensemble > 1)
    assert len(bottom.lines) == 1 and bottom.lines[0].get_label() == "|τ| on free"
    assert ("ensemble of 3" in top.get_title()) == (ensemble > 1)
    assert bottom.get_ylabel() == "torque (10⁻²¹ N·m)" and bottom.get_xlabel() == "time (ns)"


NOTICE = "compiling the integration kernels"


def _run_in_fresh_process(env, *extra):
    """`spincaloric run` on the pillar for 50 ps in a new Python process; its stderr."""
    import subprocess
    import sys

    src = str(Path(__file__).parent.parent / "src")
    env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))}
    res = subprocess.run([sys.executable, "-m", "spincaloric", "run", str(PILLAR), "--until",
                          "50ps", "--n-save", "3", *extra], env=env, capture_output=True,
                         text=True, timeout=900)
    assert res.returncode == 0, res.stderr
    return res.stderr


@pytest.mark.slow
def test_the_compile_notice_appears_only_when_numba_compiles(tmp_path):
    """With numba's cache in an empty directory the first run compiles and says so; the next
    process loads the kernel from that cache and says nothing."""
    if os.environ.get("NUMBA_DISABLE_JIT"):
        pytest.skip("no compilation without the JIT")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba-cache")}
    first = _run_in_fresh_process(env)
    assert NOTICE in first
    # and the end of the wait after the notice, on a line that begins as the notice does
    assert re.search(NOTICE + r": done in \d+ s; running", first.split(NOTICE, 1)[1]), first
    assert NOTICE not in _run_in_fresh_process(env)


@pytest.mark.slow
@pytest.mark.parametrize("extra", [(), ("--ensemble", "8", "--temperature-noise")])
def test_no_compile_notice_once_the_cache_is_warm(extra):
    """Wherever numba keeps its cache (next to the package or NUMBA_CACHE_DIR), a run after one
    that may have compiled (RK45, or the lane-vectorised stochastic kernel) prints no notice."""
    if os.environ.get("NUMBA_DISABLE_JIT"):
        pytest.skip("no compilation without the JIT")
    _run_in_fresh_process(dict(os.environ), *extra)
    assert NOTICE not in _run_in_fresh_process(dict(os.environ), *extra)
