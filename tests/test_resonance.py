"""Ferromagnetic resonance: the linearised LLGS eigenproblem against the Kittel mode of
analytic.small_angle_mode, a torque per rate (pumping's form) against α0 + α' and γ/(1 − β'),
the circuit's own spin pumping (on by default) against α0 + α' of a sink, 1/thickness and the
pillar's backflow-halved α', the package's own ring-down against the eigenvalues, the fmr
command and its sweep."""

import json

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from spincaloric import ContactParameters, Device, analytic
from spincaloric.cli import main
from spincaloric.constants import ELEMENTARY_CHARGE, HBAR, MU0
from spincaloric.dynamics import MagnetParameters, Simulation
from spincaloric.dynamics.resonance import (
    ResonanceError,
    equilibrium,
    llgs_rate,
    resonance,
    ring_down,
)
from spincaloric.studies.resonance import resonance_sweep

T = 300.0
CONTACT = ContactParameters.from_paper(conductance=2e-2, polarization=0.5, mixing=0.7,
                                       seebeck=-4.5e-6, polarization_derivative=0.77,
                                       mixing_derivative=0.13, temperature=T)
MS, VOL, ALPHA0 = 8e5, 2e-24, 0.01

#: (magnet fields, initial direction): a field with uniaxial anisotropy and demagnetisation
GEOMETRIES = {
    "isotropic": (dict(applied_field=[0, 0, 0.2]), [0.1, 0.0, 1.0]),
    "film_in_plane": (dict(applied_field=[0.05, 0, 0], demagnetizing_factors=[0, 0, 1]),
                      [1.0, 0.3, 0.2]),
    "perpendicular": (dict(applied_field=[0, 0, 0.3], anisotropy_field=1.5,
                           demagnetizing_factors=[0, 0, 1]), [0.2, 0.1, 1.0]),
    "oblique": (dict(applied_field=[0.05, 0.02, 0.1], anisotropy_field=0.3,
                     anisotropy_axis=[0.6, 0, 0.8], demagnetizing_factors=[0.1, 0.2, 0.7]),
                [0.3, 0.2, 0.9]),
}


def valve(free, voltage=0.0, fixed=(0, 0, 1)):
    """fixed | N | free, reservoirs; the free one at electric potential ``voltage`` (V)."""
    dev = Device(temperature=T)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=list(fixed))
    dev.add_node("spacer", "normal")
    dev.add_node("free", "ferromagnet", reservoir=True, magnetization=list(free),
                 voltage=voltage)
    dev.add_contact("fixed", "spacer", CONTACT)
    dev.add_contact("free", "spacer", CONTACT)
    return dev.finalize()


def simulation(geometry, damping=ALPHA0, voltage=0.0, **kw):
    fields, start = GEOMETRIES[geometry]
    mag = MagnetParameters(saturation_magnetization=MS, volume=VOL, damping=damping, **fields)
    # the circuit's own spin pumping off: the closed forms here take α0 (or a pumping hook)
    return Simulation(valve(start, voltage), {"free": mag}, **{"pumping": False, **kw}), fields


def cross(m):
    return np.array([[0, -m[2], m[1]], [m[2], 0, -m[0]], [-m[1], m[0], 0]])


@pytest.mark.parametrize("geometry", sorted(GEOMETRIES))
def test_eigenproblem_is_the_kittel_mode(geometry):
    """From a tilted start the equilibrium is found and the eigenvalues −Γ ± iω equal the
    closed form to 1e-6; α_eff and g read from them are α0 and the magnet's g."""
    sim, fields = simulation(geometry)
    res = resonance(sim, "free")
    mode = analytic.small_angle_mode(res.equilibrium, MS, damping=ALPHA0, **fields)
    assert res.decay_rate == pytest.approx(mode.decay_rate, rel=1e-6, abs=0)
    assert res.angular_frequency == pytest.approx(mode.angular_frequency, rel=1e-6, abs=0)
    assert res.frequency == pytest.approx(mode.angular_frequency / (2 * np.pi), rel=1e-6, abs=0)
    assert res.stiffness == pytest.approx(mode.stiffness, rel=1e-9, abs=0)
    assert res.damping == pytest.approx(ALPHA0, rel=1e-6, abs=0)
    assert res.g_factor == pytest.approx(sim.magnets["free"].g_factor, rel=1e-6, abs=0)
    assert np.linalg.norm(llgs_rate(sim, res.equilibria)) < 1e-9 * mode.angular_frequency


def test_undamped_precession_has_no_linewidth():
    sim, fields = simulation("film_in_plane", damping=0.0)
    res = resonance(sim, "free")
    b = 0.05
    assert res.decay_rate == pytest.approx(0.0, abs=1e-9 * res.angular_frequency)
    kittel = sim.magnets["free"].gyromagnetic_ratio * np.sqrt(b * (b + MU0 * MS))
    assert res.angular_frequency == pytest.approx(kittel, rel=1e-6, abs=0)


@pytest.mark.parametrize("geometry", ["isotropic", "oblique"])
@pytest.mark.parametrize("g_mix", [0.25, 0.25 + 0.08j, 0.25 - 0.08j])
def test_torque_per_rate_is_the_pumping_damping(geometry, g_mix):
    """A torque linear in ṁ, τ = (ħ²/2e²)(Re G↑↓ m × ṁ + Im G↑↓ ṁ) (pumping into a sink,
    physics.md §9), enters through M ṁ = Ω: the mode is small_angle_mode with α0 + α' and β',
    and the effective damping and g are (α0 + α')/(1 − β') and g/(1 − β')."""
    sim, fields = simulation(geometry)
    k = HBAR**2 / (2 * ELEMENTARY_CHARGE**2)

    def pumping(m):
        return np.stack([k * (g_mix.real * cross(mj) + np.imag(g_mix) * np.eye(3)) for mj in m])

    res = resonance(sim, "free", pumping=pumping)
    alpha_p = analytic.pumping_damping(g_mix, MS, VOL)
    beta_p = analytic.pumping_gyration(g_mix, MS, VOL)
    mode = analytic.small_angle_mode(res.equilibrium, MS, damping=ALPHA0 + alpha_p,
                                     gyration=beta_p, **fields)
    assert res.decay_rate == pytest.approx(mode.decay_rate, rel=1e-6, abs=0)
    assert res.angular_frequency == pytest.approx(mode.angular_frequency, rel=1e-6, abs=0)
    assert res.damping == pytest.approx((ALPHA0 + alpha_p) / (1 - beta_p), rel=1e-6, abs=0)
    assert res.g_factor == pytest.approx(sim.magnets["free"].g_factor / (1 - beta_p),
                                         rel=1e-6, abs=0)
    # the equilibrium does not depend on the terms in ṁ
    np.testing.assert_allclose(res.equilibrium, resonance(sim, "free").equilibrium, atol=1e-12)


def test_a_full_coupling_matrix_equals_the_per_magnet_one():
    sim, _ = simulation("isotropic")
    d = 1e-31 * cross([0, 0, 1.0])
    a = resonance(sim, "free", pumping=lambda m: d[None])
    b = resonance(sim, "free", pumping=lambda m: d[None, :, None, :])
    assert a.decay_rate == b.decay_rate and a.angular_frequency == b.angular_frequency


@pytest.mark.slow
@pytest.mark.parametrize("geometry", ["perpendicular", "oblique"])
def test_ring_down_of_the_integrator_agrees_with_the_eigenvalues(geometry):
    """The package's rk45 from a 1e-4 rad tilt, fitted with a damped sinusoid: Γ and ω of the
    closed form to 1e-4."""
    sim, fields = simulation(geometry)
    res = resonance(sim, "free")
    mode = analytic.small_angle_mode(res.equilibrium, MS, damping=ALPHA0, **fields)
    rd = ring_down(sim, "free")
    assert rd.decay_rate == pytest.approx(mode.decay_rate, rel=1e-4, abs=0)
    assert rd.angular_frequency == pytest.approx(mode.angular_frequency, rel=1e-4, abs=0)


@pytest.mark.slow
def test_static_spin_torque_changes_the_linewidth_as_the_integrator_does():
    """A voltage across the valve with the magnets tilted: the circuit's static torque moves
    the equilibrium and the linewidth (spin-torque FMR); the eigenproblem, built from the
    torque model's torques, agrees with the compiled integrator's ring-down."""
    fields = dict(applied_field=[0, 0, 0.2], anisotropy_field=0.2)
    mag = MagnetParameters(saturation_magnetization=MS, volume=VOL, damping=ALPHA0, **fields)
    c = valve([0.0, 0.0, 1.0], voltage=2e-3, fixed=(np.sin(0.5), 0, np.cos(0.5)))
    sim = Simulation(c, {"free": mag}, pumping=False)  # the eigenproblem without a hook
    biased = resonance(sim, "free")
    plain = resonance(Simulation(c, {"free": mag}, torque="none"), "free")
    assert abs(biased.decay_rate / plain.decay_rate - 1) > 1e-2  # the torque matters
    assert np.linalg.norm(np.cross(biased.equilibrium, [0, 0, 1])) > 1e-4
    rd = ring_down(sim, "free")
    assert rd.decay_rate == pytest.approx(biased.decay_rate, rel=1e-4, abs=0)
    assert rd.angular_frequency == pytest.approx(biased.angular_frequency, rel=1e-4, abs=0)


def test_unstable_equilibria_and_wrong_magnets_are_named():
    mag = MagnetParameters(saturation_magnetization=MS, volume=VOL, damping=ALPHA0,
                           applied_field=[0, 0, 0.2])
    sim = Simulation(valve([0, 0, -1.0]), {"free": mag})  # exactly against the field
    with pytest.raises(ResonanceError, match="unstable") as err:
        resonance(sim, "free", initial=[[0, 0, -1.0]])
    assert err.value.field == "magnet"
    # from the circuit's magnetization: the opposite well, said in a warning
    from spincaloric.dynamics.resonance import OtherWellWarning

    with pytest.warns(OtherWellWarning, match="opposite well"):
        along = resonance(sim, "free")
    np.testing.assert_allclose(along.equilibrium, [0, 0, 1], atol=1e-9)
    np.testing.assert_allclose(equilibrium(sim, initial=[[0.01, 0, -1]]), [[0, 0, 1]],
                               atol=1e-9)
    with pytest.raises(ResonanceError, match="did you mean free") as err:
        resonance(sim, "fre")
    assert err.value.field == "magnet"


DEVICE = """
title = "free layer in a field"
temperature = 300.0
[simulation]
pumping = false
[nodes.fixed]
type = "ferromagnet"
reservoir = true
magnetization = [0, 0, 1]
[nodes.spacer]
type = "normal"
[nodes.free]
type = "ferromagnet"
reservoir = true
magnetization = {theta = 5, phi = 0}
[nodes.free.magnet]
saturation_magnetization = 8e5
thickness = 2e-9
area = 1e-15
damping = 0.01
anisotropy_field = 1.5
demagnetizing_factors = [0, 0, 1]
applied_field = [0, 0, 0.1]
[[contacts]]
between = ["fixed", "spacer"]
conductance = 2e-2
polarization = 0.5
mixing = 0.7
seebeck = -4.5e-6
polarization_derivative = 0.77
mixing_derivative = 0.13
[[contacts]]
between = ["free", "spacer"]
conductance = 2e-2
polarization = 0.5
mixing = 0.7
seebeck = -4.5e-6
polarization_derivative = 0.77
mixing_derivative = 0.13
"""


def perpendicular_kittel(field):
    """ω (rad/s) and Γ (1/s) of DEVICE's free layer along z in an applied field (T)."""
    mag = MagnetParameters(saturation_magnetization=8e5, volume=2e-24, damping=0.01)
    b = 1.5 - MU0 * 8e5 + field
    return (mag.gyromagnetic_ratio * b / (1 + 0.01**2),
            0.01 * mag.gyromagnetic_ratio * b / (1 + 0.01**2))


def test_fmr_command_end_to_end(tmp_path):
    path = tmp_path / "dev.toml"
    path.write_text(DEVICE)
    res = CliRunner().invoke(main, ["fmr", str(path), "--magnet", "free", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    omega, gamma = perpendicular_kittel(0.1)
    assert doc["angular_frequency"] == pytest.approx(omega, rel=1e-6, abs=0)
    assert doc["decay_rate"] == pytest.approx(gamma, rel=1e-6, abs=0)
    assert doc["damping"] == pytest.approx(0.01, rel=1e-6, abs=0)
    out = tmp_path / "r.nc"
    res = CliRunner().invoke(main, ["fmr", str(path), "--magnet", "free", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "GHz" in res.output and "α_eff = 0.01" in res.output
    assert xr.load_dataset(out)["frequency"].attrs["units"] == "Hz"
    again = CliRunner().invoke(main, ["fmr", str(path), "--magnet", "free", "-o", str(out)])
    assert again.exit_code == 2 and "--output" in again.output  # no silent replacement


@pytest.mark.parametrize("args, field", [
    (["--magnet", "fre"], "--magnet: 'fre': unknown dynamic magnet; did you mean free?"),
    (["--magnet", "fixed"], "--magnet: 'fixed'"),
    (["--magnet", "free", "--plot", "x.png"], "--plot: needs --vary"),
    (["--magnet", "free", "--vary", "free.magnet.thickness=-1e-9"],
     "nodes.free.magnet.thickness: must be positive"),
    (["--magnet", "free", "--vary", "free.magnet.thickness=-1e-9",
      "--vary", "free.magnet.damping=0.01"],
     "nodes.free.magnet.thickness: at free.magnet.damping = 0.01: must be positive"),
    (["--magnet", "free", "--vary", "free.magnet.thicknes=1e-9"], "vary.free.magnet.thicknes"),
    (["--magnet", "free", "--vary", "free.magnet.anisotropy_field=0"],  # in-plane, no B_K
     "magnet: at free.magnet.anisotropy_field = 0: free has no restoring field along one "
     "direction"),
    (["--magnet", "free", "--vary", "free.magnet.thickness=inf:1:2"],
     "vary.free.magnet.thickness: values must be finite"),
    (["--magnet", "free", "--vary", "drives.free.voltage.amplitude=1e-3,2e-3"],
     "vary.drives.free.voltage.amplitude: the resonance is about the static drives"),
])
def test_fmr_bad_input_is_one_line_naming_the_field(tmp_path, args, field):
    path = tmp_path / "dev.toml"
    path.write_text(DEVICE)
    res = CliRunner().invoke(main, ["fmr", str(path), *args])
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: {field}")
    assert not (tmp_path / "x.png").exists()


def test_fmr_sweep_over_thickness_and_field(tmp_path):
    """Damping against thickness (α0 without pumping) and the Kittel line against the field;
    netCDF and figure written together."""
    path = tmp_path / "dev.toml"
    path.write_text(DEVICE)
    out, fig = tmp_path / "sweep.nc", tmp_path / "sweep.png"
    res = CliRunner().invoke(main, ["fmr", str(path), "--magnet", "free", "--vary",
                                    "nodes.free.magnet.thickness=1e-9:4e-9:4", "--vary",
                                    "free.magnet.applied_field[2]=0,0.2", "-o", str(out),
                                    "--plot", str(fig)])
    assert res.exit_code == 0, res.output
    ds = xr.load_dataset(out)
    assert ds["damping"].dims == ("nodes.free.magnet.thickness", "free.magnet.applied_field[2]")
    assert ds["nodes.free.magnet.thickness"].attrs["units"] == "m"
    np.testing.assert_allclose(ds["damping"].values, 0.01, rtol=1e-6)
    for j, b in enumerate([0.0, 0.2]):
        omega, gamma = perpendicular_kittel(b)
        np.testing.assert_allclose(ds["angular_frequency"].values[:, j], omega, rtol=1e-6)
        np.testing.assert_allclose(ds["decay_rate"].values[:, j], gamma, rtol=1e-6)
    assert fig.stat().st_size > 0


def test_sweep_api_without_axes_is_the_device():
    import tomllib

    ds = resonance_sweep(tomllib.loads(DEVICE), "free", [])
    omega, _ = perpendicular_kittel(0.1)
    assert float(ds["angular_frequency"]) == pytest.approx(omega, rel=1e-6, abs=0)
    np.testing.assert_allclose(ds["equilibrium"].values, [0, 0, 1], atol=1e-12)


# ---- the circuit's own spin pumping ------------------------------------------------------------

SINK = """
title = "a ferromagnetic film on a normal lead: spin pumping into a sink"
temperature = 300.0
[nodes.F]
type = "ferromagnet"
reservoir = true
magnetization = {theta = 5, phi = 0}
[nodes.F.magnet]
saturation_magnetization = 8e5
thickness = 2e-9
area = 1e-15
damping = 0.01
applied_field = [0, 0, 0.2]
[nodes.N]
type = "normal"
reservoir = true
[[contacts]]
between = ["F", "N"]
conductance = 0.3
polarization = 0.5
mixing = 0.7
seebeck = -4.5e-6
polarization_derivative = 0.77
mixing_derivative = 0.13
"""


def sink_simulation(g_mix, geometry="oblique", **kw):
    """The ferromagnetic reservoir F of GEOMETRIES on a normal reservoir N (a perfect sink),
    one contact of mixing conductance ``g_mix`` (S); the circuit's pumping on by default."""
    fields, start = GEOMETRIES[geometry]
    dev = Device(temperature=T)
    dev.add_node("F", "ferromagnet", reservoir=True, magnetization=start)
    dev.add_node("N", "normal", reservoir=True)
    dev.add_contact("F", "N", ContactParameters(0.3, 0.5, g_mix))
    mag = MagnetParameters(saturation_magnetization=MS, volume=VOL, damping=ALPHA0, **fields)
    return Simulation(dev.finalize(), {"F": mag}, **kw), fields


@pytest.mark.parametrize("geometry", ["isotropic", "oblique"])
@pytest.mark.parametrize("g_mix", [0.1, 0.1 + 0.03j])
def test_circuit_pumping_into_a_sink_is_alpha0_plus_the_pumping_damping(geometry, g_mix):
    """A reservoir magnet on a normal reservoir: by default the eigenproblem takes the
    circuit's D, the mode is small_angle_mode with α0 + α' (and β' with Im G↑↓) to 1e-6;
    pumping=False on the Simulation or on the call gives α0 back."""
    sim, fields = sink_simulation(g_mix, geometry)
    res = resonance(sim, "F")
    alpha_p = analytic.pumping_damping(g_mix, MS, VOL)
    beta_p = analytic.pumping_gyration(g_mix, MS, VOL)
    assert alpha_p > 1e-3  # the pumping matters at the tolerance below
    mode = analytic.small_angle_mode(res.equilibrium, MS, damping=ALPHA0 + alpha_p,
                                     gyration=beta_p, **fields)
    assert res.decay_rate == pytest.approx(mode.decay_rate, rel=1e-6, abs=0)
    assert res.angular_frequency == pytest.approx(mode.angular_frequency, rel=1e-6, abs=0)
    assert res.damping == pytest.approx((ALPHA0 + alpha_p) / (1 - beta_p), rel=1e-6, abs=0)
    for off in (resonance(sink_simulation(g_mix, geometry, pumping=False)[0], "F"),
                resonance(sim, "F", pumping=False)):
        assert off.damping == pytest.approx(ALPHA0, rel=1e-6, abs=0)


@pytest.mark.slow
def test_ring_down_with_the_circuit_pumping_agrees_with_the_eigenvalues():
    """The integrator pumps (the Simulation's default) and so does the eigenproblem: the
    fitted ring-down of the sink magnet has α0 + α' (Γ and ω to 1e-4)."""
    sim, fields = sink_simulation(0.1, "perpendicular")
    res = resonance(sim, "F")
    mode = analytic.small_angle_mode(res.equilibrium, MS, damping=ALPHA0 + analytic.
                                     pumping_damping(0.1, MS, VOL), **fields)
    assert res.decay_rate == pytest.approx(mode.decay_rate, rel=1e-6, abs=0)
    rd = ring_down(sim, "F")
    assert rd.decay_rate == pytest.approx(res.decay_rate, rel=1e-4, abs=0)
    assert rd.angular_frequency == pytest.approx(res.angular_frequency, rel=1e-4, abs=0)


def test_fmr_sweep_damping_enhancement_goes_as_one_over_thickness(tmp_path):
    """`fmr --vary` over three film thicknesses of the sink device: α_eff − α0 = α'(t) with
    α'·t constant (Re G↑↓ fixed, V = A t) and equal to the closed form, to 1e-6 — the
    Mizukami-type α against 1/t line."""
    path = tmp_path / "sink.toml"
    path.write_text(SINK)
    out = tmp_path / "sink.nc"
    res = CliRunner().invoke(main, ["fmr", str(path), "--magnet", "F", "--vary",
                                    "nodes.F.magnet.thickness=1e-9,2e-9,4e-9", "-o", str(out)])
    assert res.exit_code == 0, res.output
    ds = xr.load_dataset(out)
    assert ds.attrs["spin_pumping"] == 1
    t = ds["nodes.F.magnet.thickness"].values
    enhancement = ds["damping"].values - 0.01
    g_mix = 0.7 * 0.3 / 2  # η = 2 Re G↑↓/G
    want = analytic.pumping_damping(g_mix, 8e5, 1e-15 * t)
    np.testing.assert_allclose(enhancement, want, rtol=1e-6)
    np.testing.assert_allclose(enhancement * t, enhancement[0] * t[0], rtol=1e-6)
    assert enhancement[0] > 1e-3


def test_pillar_pumping_damping_is_halved_by_the_backflow():
    """The F|N|F pillar of the examples: the free layer's resonance has α' = 0.00227 (half
    the sink value 0.00453: the fixed layer absorbs the backflow at the parallel state)."""
    from pathlib import Path

    from spincaloric.io.devicefile import load_spec

    spec = load_spec(Path(__file__).parent.parent / "examples" / "devices"
                     / "thermal_switching_pillar.toml")
    alpha0 = spec.magnets["free"].damping
    res = resonance(spec, "free")
    assert res.damping - alpha0 == pytest.approx(0.00227, abs=5e-6)
    spec.simulation["pumping"] = False
    assert resonance(spec, "free").damping == pytest.approx(alpha0, rel=1e-6, abs=0)


@pytest.mark.parametrize("in_file", [None, False, True])
def test_run_pumping_flag_overrides_the_file(tmp_path, in_file):
    """`run --pumping/--no-pumping` over the file's [simulation] pumping (default on): the
    sink film's cone closes as tan(θ/2) ∝ exp(−αγBt/(1 + α²)) with α = α0 + α' pumping and
    α0 not, and only the pumping run reports the pumped currents."""
    import tomllib

    text = SINK + ("" if in_file is None else f"[simulation]\npumping = {str(in_file).lower()}\n")
    path = tmp_path / "sink.toml"
    path.write_text(text)
    par = MagnetParameters(saturation_magnetization=8e5, volume=2e-24, damping=0.01)
    g_mix = 0.7 * 0.3 / 2
    until = 3e-10
    rate = {}
    for flag in ("--pumping", "--no-pumping"):
        out = tmp_path / f"{flag}.nc"
        res = CliRunner().invoke(main, ["run", str(path), "--until", "0.3ns", "--n-save", "3",
                                        flag, "-o", str(out)])
        assert res.exit_code == 0, res.output
        ds = xr.load_dataset(out)
        assert ("pumped_heat_current" in ds) == (flag == "--pumping")
        m = ds["m"].values[0, :, 0]
        theta = np.arccos(np.clip(m[:, 2], -1, 1))
        rate[flag] = np.log(np.tan(theta[0] / 2) / np.tan(theta[-1] / 2)) / until
    for flag, alpha in (("--pumping", 0.01 + analytic.pumping_damping(g_mix, 8e5, 2e-24)),
                        ("--no-pumping", 0.01)):
        want = alpha * par.gyromagnetic_ratio * 0.2 / (1 + alpha**2)
        assert rate[flag] == pytest.approx(want, rel=1e-5, abs=0)
    assert tomllib.loads(path.read_text()).get("simulation", {}).get("pumping") == in_file


def test_a_sweep_keeps_the_points_with_a_resonance(tmp_path):
    """Points without a resonance (no restoring field in-plane at B_K = 0) are NaN, their
    reason in ``no_resonance`` and a warning; the others equal their own single-point runs."""
    import tomllib
    import warnings as _warnings

    from spincaloric.dynamics.resonance import NoResonanceWarning
    from spincaloric.studies.resonance import resonance_sweep

    path = tmp_path / "dev.toml"
    path.write_text(DEVICE)
    data = tomllib.loads(DEVICE)
    with pytest.warns(NoResonanceWarning, match="1 of 2 points have no resonance"):
        ds = resonance_sweep(data, "free", [("free.magnet.anisotropy_field", [0.0, 1.5])])
    assert np.isnan(ds["frequency"].values[0]) and np.isfinite(ds["frequency"].values[1])
    assert "no restoring field" in str(ds["no_resonance"].values[0])
    assert str(ds["no_resonance"].values[1]) == ""
    with _warnings.catch_warnings():
        _warnings.simplefilter("error")
        alone = resonance_sweep(data, "free", [("free.magnet.anisotropy_field", [1.5])])
    assert "no_resonance" not in alone
    assert float(alone["frequency"][0]) == float(ds["frequency"][1])
    res = CliRunner().invoke(main, ["fmr", str(path), "--magnet", "free", "--json", "--vary",
                                    "free.magnet.anisotropy_field=0,1.5"])
    assert res.exit_code == 0, res.output
    points = json.loads(res.stdout)["points"]
    assert points[0]["frequency"] is None and "no restoring field" in points[0]["no_resonance"]
    assert points[1]["frequency"] == float(ds["frequency"][1])


def test_a_torque_that_destabilises_one_well_gives_the_other_ones_resonance():
    """The laser pillar's free layer 50 K hotter (a static drive): the thermal torque makes
    the parallel state unstable and damps the antiparallel one, whose resonance is reported
    (α_eff above the unheated one's); started in the parallel state on purpose, an error."""
    from pathlib import Path

    from spincaloric.dynamics.resonance import ResonanceError, resonance
    from spincaloric.io import load_spec

    spec = load_spec(Path(__file__).parent.parent / "examples" / "devices"
                     / "thermal_switching_pillar.toml")
    circuit = spec.device.finalize()
    cold = resonance(Simulation(circuit, spec.magnets), "free")
    from spincaloric.circuit.drives import drive_layout

    sim = Simulation(circuit, spec.magnets)
    drive = sim.model.d0.copy()
    drive[drive_layout(circuit).slot(circuit.index["free"], "temperature")] += 50.0  # K
    with pytest.warns(UserWarning, match="opposite well"):
        res = resonance(sim, "free", drive=drive)
    assert cold.equilibrium[2] > 0.99 and res.equilibrium[2] < -0.99
    assert res.damping > cold.damping
    with pytest.raises(ResonanceError, match="unstable"):
        resonance(sim, "free", drive=drive, initial=[[0.0, 0.0, 1.0]])


def test_a_drive_vector_is_checked_and_its_static_one_is_the_default():
    """resonance(drive=...) takes the circuit's 3n drive slots (theory convention): the
    layout's own static vector gives the default resonance; a vector of another length is a
    FieldError naming ``drive`` and the length (a NumPy broadcast error before)."""
    from pathlib import Path

    from spincaloric.circuit.drives import drive_layout
    from spincaloric.errors import FieldError
    from spincaloric.io import load_spec

    spec = load_spec(Path(__file__).parent.parent / "examples" / "devices"
                     / "thermal_switching_pillar.toml")
    layout = drive_layout(spec.device.finalize())
    default = resonance(spec, "free")
    same = resonance(spec, "free", drive=layout.drives({}).ravel())
    assert same.frequency == pytest.approx(default.frequency, rel=1e-12, abs=0)
    for bad in ([1.0], np.full(9, np.nan), "x"):
        with pytest.raises(FieldError, match=r"^drive: must be the circuit's drive vector of 9 "
                           r"finite values"):
            resonance(spec, "free", drive=bad)
