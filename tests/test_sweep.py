"""Steady-state sweeps: one batched solve over a grid, labelled results, plots."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import spincaloric as sc
from spincaloric.circuit.device import DeviceError
from spincaloric.cli import main
from spincaloric.io import read_toml
from spincaloric.io.paths import parse_vary
from spincaloric.io.results import columnar, pick
from spincaloric.studies.sweep import axis_name, run_sweep, sweep_file

VALVE = Path(__file__).parent.parent / "examples" / "devices" / "valve_thermal.toml"
HANLE = VALVE.with_name("lateral_valve_hanle.toml")


def test_sweep_equals_point_by_point_solves():
    xr = pytest.importorskip("xarray")
    circuit = sc.load_device(VALVE).finalize()
    axes = [parse_vary("right.magnetization.theta=0:180:7"), parse_vary("right.voltage=-1e-6,0,2e-6")]
    ds = run_sweep(circuit, axes)
    assert isinstance(ds, xr.Dataset)
    assert ds["right.magnetization.theta"].attrs["units"] == "deg"
    assert pick(ds, "left.torque").dims == ("right.magnetization.theta", "right.voltage", "component")
    assert pick(ds, "left.torque").attrs["units"] == "N m"
    for i, theta in enumerate(ds["right.magnetization.theta"].values):
        for j, v in enumerate(ds["right.voltage"].values):
            t = np.radians(theta)
            sol = circuit.solve(magnetization={"right": [np.sin(t), 0, np.cos(t)]},
                                voltage={"right": v})
            np.testing.assert_allclose(pick(ds, "left.torque").values[i, j], sol.torques["left"],
                                       rtol=1e-12, atol=1e-40)
            assert float(pick(ds, "left->spacer.charge_current").values[i, j]) == pytest.approx(
                float(sol.contacts[0].charge_current), rel=1e-12, abs=0)


def test_a_grid_solved_in_blocks_equals_the_grid_solved_at_once(monkeypatch):
    """Blocks of rows of the first axis (a grid beyond BLOCK_POINTS), progress reported
    between them: the same dataset as one batched solve, bit for bit."""
    import io

    import xarray as xr

    from spincaloric.studies import sweep as module

    circuit = sc.io.load_device(VALVE).finalize()
    axes = [parse_vary("right.voltage=-1e-3:1e-3:7"), parse_vary("right.temperature=290:310:3"),
            parse_vary("right.magnetization.theta=0:180:4")]
    whole = run_sweep(circuit, axes)
    monkeypatch.setattr(module, "BLOCK_POINTS", 25)  # 84 points: blocks of 2 rows
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    blocked = run_sweep(circuit, axes, progress=True)
    xr.testing.assert_identical(blocked, whole)


def test_sweep_and_plot_commands(tmp_path):
    out, fig = tmp_path / "s.nc", tmp_path / "s.png"
    res = CliRunner().invoke(main, ["sweep", str(VALVE), "--vary",
                                    "right.magnetization.theta=0:180:19", "-o", str(out)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["plot", str(out), "-o", str(fig)])
    assert res.exit_code == 0, res.output
    assert fig.stat().st_size > 1000
    res = CliRunner().invoke(main, ["plot", str(out), "-o", str(fig), "--variable", "nope",
                                    "--overwrite"])
    assert res.exit_code == 2 and "variable: 'nope': unknown variable" in res.stderr


def test_plots_show_vector_components_and_zipped_parameters(tmp_path):
    """A 1-D vector sweep draws x, y, z and |v| (a magnitude alone hid sign changes);
    --component picks one; a zipped sweep is drawn against its first parameter with units;
    an unquoted '->' name gets a hint."""
    pytest.importorskip("matplotlib")
    from spincaloric.io import load_dataset, read_toml
    from spincaloric.io.plotting import plot_dataset
    from spincaloric.studies.sweep import sweep_file

    out = tmp_path / "s.nc"
    res = CliRunner().invoke(main, ["sweep", str(VALVE), "--vary",
                                    "right.magnetization.theta=0:180:19", "-o", str(out)])
    assert res.exit_code == 0, res.output
    ds = load_dataset(out)
    ax = plot_dataset(ds, "left.torque").axes[0]
    assert [line.get_label() for line in ax.lines] == ["τ_x", "τ_y", "τ_z", "|τ|"]
    assert ax.get_ylabel() == "spin-transfer torque on left, τ (yN m)"  # 10⁻²⁵ N m
    np.testing.assert_allclose(ax.lines[0].get_ydata(),
                               pick(ds, "left.torque").sel(component="x") * 1e24, rtol=1e-12)
    ax = plot_dataset(ds, "left.torque", "y").axes[0]
    assert len(ax.lines) == 1
    # 3e-27 N m: beyond the prefixes (y = 10⁻²⁴), a power of ten
    assert ax.get_ylabel() == "spin-transfer torque on left, τ_y (10⁻²⁷ N m)"
    np.testing.assert_allclose(ax.lines[0].get_ydata(),
                               pick(ds, "left.torque").sel(component="y") * 1e27, rtol=1e-12)
    assert ax.get_xlabel() == "polar angle of right's magnetization, θ (°)"
    with pytest.raises(sc.DeviceError, match="^component: .* is a scalar"):
        plot_dataset(ds, "left->spacer.charge_current", "x")
    zipped = sweep_file(read_toml(VALVE), [parse_vary("right.temperature=300,301,302"),
                                           parse_vary("right.voltage=0,1e-6,2e-6")], zipped=True)
    ax = plot_dataset(zipped, "left->spacer.charge_current").axes[0]
    assert ax.get_xlabel() == "temperature of right, T (K)"
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [300, 301, 302])
    # the parameter paired with it is named in the title, with its range
    assert "electric potential of right V = 0 … 2 µV along the line" in ax.get_title()
    res = CliRunner().invoke(main, ["plot", str(out), "-o", str(tmp_path / "f.png"),
                                    "--variable", "left-"])
    assert res.exit_code == 2 and "must be quoted in the shell" in res.stderr


def test_a_single_valued_axis_is_dropped_and_the_line_drawn(tmp_path):
    """A bias fixed by a one-value --vary: the figure is the line over the other axis (not an
    empty map), the fixed value is named in the title; a sweep of one point is one line of
    error."""
    pytest.importorskip("matplotlib")
    from matplotlib.collections import QuadMesh

    from spincaloric.io import load_dataset
    from spincaloric.io.plotting import plot_dataset

    out = tmp_path / "s.nc"
    res = CliRunner().invoke(main, ["sweep", str(VALVE), "--vary", "right.voltage=1e-3",
                                    "--vary", "right.magnetization.theta=0:180:37", "-o", str(out)])
    assert res.exit_code == 0, res.output
    ds = load_dataset(out)
    fig = plot_dataset(ds, "left->spacer.charge_current")
    assert len(fig.axes) == 1  # no colour bar
    ax = fig.axes[0]
    assert not [c for c in ax.collections if isinstance(c, QuadMesh)]
    (line,) = ax.lines
    np.testing.assert_allclose(line.get_xdata(), np.linspace(0, 180, 37))
    np.testing.assert_allclose(line.get_ydata(), pick(ds, "left->spacer.charge_current")[0] * 1e6)
    assert ax.get_ylabel() == "charge current left->spacer, I (µA)"
    assert "electric potential of right V = 1 mV" in ax.get_title()
    fig = plot_dataset(ds, "right.torque")  # a vector: its components and magnitude
    assert len(fig.axes[0].lines) == 4
    res = CliRunner().invoke(main, ["plot", str(out), "-o", str(tmp_path / "f.png")])
    assert res.exit_code == 0, res.output
    one = tmp_path / "one.nc"
    res = CliRunner().invoke(main, ["sweep", str(VALVE), "--vary", "right.voltage=1e-3",
                                    "-o", str(one)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["plot", str(one), "-o", str(tmp_path / "g.png")])
    assert res.exit_code == 2 and res.stderr.count("\n") == 1
    assert "one point" in res.stderr and not (tmp_path / "g.png").exists()


@pytest.mark.parametrize("vary,message", [
    ("right.magnetizaton.theta=0:1:3", "vary.right.magnetizaton.theta: unknown key "
     "'magnetizaton' in [nodes.right]; did you mean magnetization"),
    ("nowhere.voltage=0:1:3", "vary.nowhere.voltage: unknown node, layer or key 'nowhere'"),
    ("right.voltage=0:1:x", "vary.right.voltage: cannot read values"),
    ("right.voltage=-0.5K,1mV", "vary.right.voltage: cannot read values from '-0.5K,1mV': 'K' "
     "is not this key's unit V; give"),
    ("right.voltage=0:1mV:2.5", "cannot read values from '0:1mV:2.5': N = 2.5 in START:STOP:N "
     "must be a whole number of points, at least 1; give"),
    ("right.voltage=0:1mV:0", "N = 0 in START:STOP:N must be a whole number of points"),
    ("right.magnetization.phi=0:3.1416rad:5", "(an angle: plain numbers in degrees)"),
    ("right.voltage", "vary: expected KEY="),
    ("spacer.voltage=0:1:3", "spacer is an internal node: its voltage is solved for"),
])
def test_bad_sweeps_are_one_line_and_write_nothing(tmp_path, vary, message):
    out = tmp_path / "s.nc"
    res = CliRunner().invoke(main, ["sweep", str(VALVE), "--vary", vary, "-o", str(out)])
    assert res.exit_code == 2
    assert len(res.stderr.strip().splitlines()) == 1 and message in res.stderr
    assert not out.exists()


@pytest.mark.parametrize("vary,message", [
    ("drives.free.voltage.amplitude=-1e-3,0", "vary.drives.free.voltage.amplitude: a drive "
     "acts in the dynamics (spincaloric map); a steady state takes the node's static value: "
     "vary free.voltage"),
    ("free.magnet.damping=0.01,0.02", "vary.free.magnet.damping: a magnet's dynamics "
     "parameters do not change a steady state"),
])
def test_a_sweep_refuses_values_the_steady_state_does_not_use(tmp_path, vary, message):
    """A drive's or a dynamic magnet's parameter would give a sweep of identical points: one
    line naming the key and what to vary instead, exit 2, nothing written."""
    pulse = VALVE.with_name("pillar_write_pulse.toml")
    out = tmp_path / "s.nc"
    res = CliRunner().invoke(main, ["sweep", str(pulse), "--vary", vary, "-o", str(out)])
    assert res.exit_code == 2 and message in res.stderr, res.output
    assert len(res.stderr.strip().splitlines()) == 1 and not out.exists()


def test_sweep_described_in_the_device_file(tmp_path):
    text = VALVE.read_text() + '\n[sweep]\nvary = ["right.magnetization.theta=0:90:4", "right.temperature=300,301"]\n'
    dev = tmp_path / "valve.toml"
    dev.write_text(text)
    out = tmp_path / "s.nc"
    res = CliRunner().invoke(main, ["sweep", str(dev), "-o", str(out)])
    assert res.exit_code == 0, res.output
    import xarray as xr

    ds = xr.load_dataset(out)
    assert pick(ds, "left.torque").shape == (4, 2, 3)
    res = CliRunner().invoke(main, ["sweep", str(VALVE), "-o", str(tmp_path / "t.nc")])
    assert res.exit_code == 2 and "vary: give --vary or a [sweep] table" in res.stderr


def test_large_results_as_zarr(tmp_path):
    pytest.importorskip("zarr")
    from spincaloric.io import load_dataset

    out = tmp_path / "s.zarr"
    res = CliRunner().invoke(main, ["sweep", str(VALVE), "--vary",
                                    "right.magnetization.theta=0:180:19", "-o", str(out)])
    assert res.exit_code == 0, res.output
    ds = load_dataset(out)
    assert pick(ds, "left.torque").shape == (19, 3)
    assert not list(tmp_path.glob(".*part"))
    res = CliRunner().invoke(main, ["plot", str(out), "-o", str(tmp_path / "f.png")])
    assert res.exit_code == 0, res.output


def test_sweeping_contact_parameters_and_lists_of_points(tmp_path):
    from spincaloric.io import read_toml
    from spincaloric.studies.sweep import sweep_file

    data = read_toml(VALVE)
    axes = [parse_vary("contacts[1].conductance=0.5e-2,1.15e-2,2e-2"),
            parse_vary("right.magnetization.theta=0:180:5")]
    ds = sweep_file(data, axes)
    assert pick(ds, "left.torque").dims == ("contacts[1].conductance", "right.magnetization.theta",
                                      "component")
    assert ds["contacts[1].conductance"].attrs["units"] == "S"
    for i, g in enumerate([0.5e-2, 1.15e-2, 2e-2]):
        data["contacts"][1]["conductance"] = g
        c = sc.io.device_from_dict(data).finalize()
        sol = c.solve(magnetization={"right": [1.0, 0, 0]})  # θ = 90°
        np.testing.assert_allclose(pick(ds, "left.torque").values[i, 2], sol.torques["left"],
                                   rtol=1e-12, atol=1e-40)
    pts = sweep_file(read_toml(VALVE), [parse_vary("right.voltage=0,1e-6,2e-6"),
                                        parse_vary("contacts[1].conductance=1e-2,2e-2,3e-2")],
                     zipped=True)
    assert pick(pts, "left.torque").dims == ("point", "component")
    assert list(pts["contacts[1].conductance"].values) == [1e-2, 2e-2, 3e-2]
    with pytest.raises(sc.DeviceError, match="equal lengths"):
        sweep_file(read_toml(VALVE), [parse_vary("right.voltage=0,1"),
                                      parse_vary("right.temperature=300,301,302")], zipped=True)
    res = CliRunner().invoke(main, ["sweep", str(VALVE), "--vary", "right.voltage=0,1e-6",
                                    "--vary", "right.temperature=300,301", "--zip", "-o",
                                    str(tmp_path / "z.nc")])
    assert res.exit_code == 0 and "2 points" in res.output


def test_a_layer_sweeps_as_one_magnet():
    """Sweeping one vertex's direction turns the whole diffusive layer; the export carries the
    layer's torque (all vertices), as one magnet."""
    from spincaloric.io import read_toml, with_absolute_files
    from spincaloric.studies.sweep import sweep_file

    path = Path(__file__).parent.parent / "examples" / "devices" / "pillar_thick_layers.toml"
    data = with_absolute_files(read_toml(path), path.parent)
    ds = sweep_file(data, [parse_vary("free_3.magnetization.theta=30,60")])
    circuit = sc.io.load_device(path).finalize()
    assert not any(f"{v}.torque" in ds for v in circuit.magnet_nodes("free_3")[1:])
    m = [np.sin(np.radians(60)), 0.0, np.cos(np.radians(60))]
    direct = circuit.solve(magnetization={"free_0": m}).magnet_torque("free_5")
    np.testing.assert_allclose(pick(ds, "free.torque").values[1], direct,
                               atol=1e-12 * np.abs(direct).max())


def test_plot_defaults_to_the_first_non_zero_torque():
    """The default variable of `plot`: the first torque that is not identically zero (a fixed
    reservoir magnet parallel to the field of the sweep feels none), found without building a
    DataArray per name (that was quadratic in the variables of a layered device)."""
    import xarray as xr

    from spincaloric.io.plotting import plot_dataset

    x = np.linspace(0, 1, 5)
    ds = xr.Dataset({"a.torque": (("v", "component"), np.zeros((5, 3)), {"units": "N m"}),
                     "b.torque": (("v", "component"), np.outer(x, [0, 1e-20, 0]),
                                  {"units": "N m", "long_name": "torque on b"}),
                     "b.voltage": ("v", x, {"units": "V"})},
                    coords={"v": ("v", x, {"units": "V"}), "component": ["x", "y", "z"]})
    ax = plot_dataset(columnar(ds)).axes[0]
    assert "torque on b" in ax.get_ylabel()
    ax = plot_dataset(columnar(ds.drop_vars("b.torque"))).axes[0]  # no non-zero torque:
    assert "torque on a" in ax.get_ylabel()  # the first one


def test_rebuilt_sweeps_put_every_value_in_its_place():
    """Two rebuilt (slow) axes and a batched one, and a zipped sweep with a rebuilt axis: every
    element equals a direct solve of the device with those values (the results are stacked as
    plain arrays, so the order of the grid is the test's business)."""
    from spincaloric.io import read_toml
    from spincaloric.studies.sweep import sweep_file

    data = read_toml(VALVE)
    g_values, t_values, v_values = [1.2e-2, 0.6e-2], [300.0, 280.0, 320.0], [0.0, 2e-6]
    ds = sweep_file(data, [("contacts[1].conductance", np.array(g_values)),
                           ("temperature", np.array(t_values)),
                           ("right.voltage", np.array(v_values))])
    # the device temperature's axis beside the node temperatures
    assert pick(ds, "left.torque").dims == ("contacts[1].conductance", "device_temperature",
                                            "right.voltage", "component")
    assert ds["temperature"].dims == ("contacts[1].conductance", "device_temperature",
                                      "right.voltage", "node")
    assert list(ds["device_temperature"].values) == t_values  # the order given, not sorted
    for i, g in enumerate(g_values):
        for j, t in enumerate(t_values):
            d = read_toml(VALVE)
            d["contacts"][1]["conductance"] = g
            d["temperature"] = t
            sol = sc.io.device_from_dict(d).finalize().solve(voltage={"right": v_values[1]})
            np.testing.assert_allclose(pick(ds, "left.torque").values[i, j, 1], sol.torques["left"],
                                       rtol=1e-12, atol=1e-40)
            assert float(pick(ds, "spacer.temperature").values[i, j, 1]) == pytest.approx(
                float(sol.nodes["spacer"].temperature), rel=1e-12, abs=0)
    pts = sweep_file(read_toml(VALVE), [("right.voltage", np.array([1e-6, 3e-6])),
                                        ("contacts[1].conductance", np.array([2e-2, 0.5e-2]))],
                     zipped=True)
    d = read_toml(VALVE)
    d["contacts"][1]["conductance"] = 0.5e-2
    sol = sc.io.device_from_dict(d).finalize().solve(voltage={"right": 3e-6})
    np.testing.assert_allclose(pick(pts, "left.torque").values[1], sol.torques["left"], rtol=1e-12,
                               atol=1e-40)
    assert list(pts["right.voltage"].values) == [1e-6, 3e-6]


def _json_quantities(doc: dict) -> set[str]:
    """The names of the quantities of a `solve --json` document, spelt as sweep variables
    (NODE.quantity, A->B.quantity, MAGNET.torque, entropy_production)."""
    metadata = {"file", "title", "regime", "temperature", "units"}
    sections = {"nodes", "reservoirs", "contacts", "torques", "entropy_production"}
    assert set(doc) <= metadata | sections, set(doc) - metadata - sections
    names = {f"{owner}.{q}" for section in ("nodes", "reservoirs")
             for owner, quantities in doc[section].items() for q in quantities}
    names |= {f"{c['between'][0]}->{c['between'][1]}.{q}" for c in doc["contacts"]
              for q in c if q != "between"}
    names |= {f"{magnet}.torque" for magnet in doc["torques"]}
    return names | {"entropy_production"}


@pytest.mark.parametrize("device", sorted(p.name for p in VALVE.parent.glob("*.toml")))
def test_a_sweep_carries_every_quantity_of_a_solve(tmp_path, device):
    """A sweep file holds exactly what `solve --json` reports (every node quantity, contact
    current — spin heat current included —, reservoir state and torque), for every example
    device: a sweep over one trivial axis (the device temperature at its own value)."""
    import json

    from spincaloric.io import load_dataset, read_toml

    path = VALVE.parent / device
    res = CliRunner().invoke(main, ["solve", "--json", str(path)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    out = tmp_path / "s.nc"
    t0 = read_toml(path)["temperature"]
    res = CliRunner().invoke(main, ["sweep", str(path), "--vary", f"temperature={t0}",
                                    "-o", str(out)])
    assert res.exit_code == 0, res.output
    ds = load_dataset(out)
    names = {f"{owner}.{q}" for q, da in ds.data_vars.items() for dim in da.dims
             if dim in ("node", "contact", "magnet") for owner in ds[dim].values.astype(str)}
    names |= {str(q) for q, da in ds.data_vars.items() if not set(da.dims) & {"node", "contact",
                                                                           "magnet"}}
    reservoirs = ds["node"].values[ds["reservoir"].values == 1].astype(str)
    spin = {f"{r}.{q}" for r in reservoirs for q in ("spin_accumulation", "spin_temperature")}
    assert names == _json_quantities(doc) | spin  # a reservoir's spin quantities: 0
    for name in spin:
        assert not pick(ds, name).values.any()


DEVICES = VALVE.parent
# every form of a --vary key that docs/device-format.md documents, on a file that has it
VARY_FORMS = [
    ("valve_thermal.toml", "right.voltage=0,1e-6"),
    ("valve_thermal.toml", "nodes.right.voltage=0,1e-6"),
    ("valve_thermal.toml", "right.temperature=300:310:3"),
    ("valve_thermal.toml", "left.temperature=300,301"),  # left by default at the device's
    ("open_circuit_thermopower.toml", "right.current=0,1e-9"),
    ("valve_thermal.toml", "right.magnetization.theta=0:180:3"),
    ("valve_thermal.toml", "nodes.right.magnetization.phi=0,90"),
    ("pillar_thick_layers.toml", "free.magnetization.phi=0,90"),
    ("pillar_thick_layers.toml", "layers.free.magnetization.theta=0,90"),
    ("pillar_thick_layers.toml", "layers.free.length=3e-9,4e-9"),
    ("pillar_thick_layers.toml", "free.length=3e-9,4e-9"),
    ("valve_thermal.toml", "contacts[1].conductance=1e-2,2e-2"),
    ("valve_thermal.toml", "contacts[0].g_mix[1]=0,1e-4"),
    ("lateral_valve_hanle.toml", "layers.channel.hanle_field[2]=-0.1,0.1"),
    ("valve_thermal.toml", "temperature=300,310"),
]
# forms of values only the dynamics uses: a sweep refuses them (a map takes them, below)
DYNAMICS_FORMS = ["drives.free.temperature.peak=30,40", "nodes.free.magnet.damping=0.01,0.02",
                  "free.magnet.damping=0.01,0.02"]


@pytest.mark.parametrize("device,vary", VARY_FORMS)
def test_every_documented_vary_key_form_sweeps(tmp_path, device, vary):
    from spincaloric.io import load_dataset

    out = tmp_path / "s.nc"
    res = CliRunner().invoke(main, ["sweep", str(DEVICES / device), "--vary", vary,
                                    "-o", str(out)])
    assert res.exit_code == 0, res.output
    key = axis_name(vary.split("=")[0])
    ds = load_dataset(out)
    assert ds[key].dims == (key,) and ds[key].size >= 2 and ds[key].attrs["units"]


@pytest.mark.parametrize("vary", DYNAMICS_FORMS)
def test_the_dynamics_key_forms_are_refused_by_a_sweep(tmp_path, vary):
    out = tmp_path / "s.nc"
    res = CliRunner().invoke(main, ["sweep", str(DEVICES / "thermal_switching_pillar.toml"),
                                    "--vary", vary, "-o", str(out)])
    assert res.exit_code == 2 and f"vary.{vary.split('=')[0]}: " in res.stderr
    assert "spincaloric map" in res.stderr and not out.exists()


def test_a_layer_angle_turns_the_whole_layer():
    """free.magnetization.phi (a layer, the `layers.` left out) is the batched angle of the
    layer's one magnetization: equal to a direct solve with that direction."""
    from spincaloric.io import read_toml, with_absolute_files
    from spincaloric.studies.sweep import sweep_file

    path = DEVICES / "pillar_thick_layers.toml"
    data = with_absolute_files(read_toml(path), path.parent)
    ds = sweep_file(data, [parse_vary("free.magnetization.phi=0,90")])
    direct = sc.load_device(path).finalize().solve(magnetization={"free": [0, 1, 0]})
    np.testing.assert_allclose(pick(ds, "free.torque").values[1], direct.magnet_torque("free"),
                               rtol=1e-10, atol=1e-12 * np.abs(direct.magnet_torque("free")).max())
    np.testing.assert_allclose(pick(ds, "free_3.voltage").values[1], direct.nodes["free_3"].voltage,
                               rtol=1e-10)


BAD_VARY = [
    ("valve_thermal.toml", "right.temprature=300,301",
     "vary.right.temprature: unknown key 'temprature' in [nodes.right]; did you mean "
     "temperature?"),
    ("valve_thermal.toml", "rigth.voltage=0", "vary.rigth.voltage: unknown node, layer or key "
     "'rigth'; did you mean right?"),
    ("pillar_thick_layers.toml", "free.lenght=1e-9", "vary.free.lenght: unknown key 'lenght' in "
     "[layers.free]; did you mean length?"),
    ("pillar_thick_layers.toml", "free_3.voltage=0", "vary.free_3.voltage: free_3 is a vertex of "
     "layer free"),
    ("valve_thermal.toml", "spacer.voltage=0", "vary.spacer.voltage: spacer is an internal "
     "node: its voltage is solved for"),
    ("valve_thermal.toml", "spacer.spin_flip=1e-3", "vary.spacer.spin_flip: spin_flip is not "
     "written in [nodes.spacer]: only values the file writes can be varied"),
    ("valve_thermal.toml", "contacts[2].conductance=1", "vary.contacts[2].conductance: no "
     "element [2]: contacts has 2"),
    ("pillar_thick_layers.toml", "free.magnetization=1", "vary.free.magnetization: is a "
     "direction (vary KEY.theta or KEY.phi"),
]


@pytest.mark.parametrize("device,vary,expected", BAD_VARY)
def test_a_wrong_vary_key_names_itself_and_the_close_matches(tmp_path, device, vary, expected):
    for command in (["sweep"], ["map", "--until", "1ns"]):
        res = CliRunner().invoke(main, [*command, str(DEVICES / device), "--vary", vary,
                                        "-o", str(tmp_path / "s.nc")])
        assert res.exit_code == 2, res.output
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in res.output, res.output
        assert lines[0].startswith(f"error: {DEVICES / device}: {expected}"), lines[0]


@pytest.mark.slow
def test_a_map_takes_the_documented_layer_key_forms(tmp_path):
    """map: free.magnet.damping and layers.free.magnetization.phi address [layers.free] (the
    `layers.` may be left out; the angle of a magnetization written as a vector); the map
    names the layer's magnet after the layer."""
    from spincaloric.io import load_dataset

    path = tmp_path / "thick.toml"
    path.write_text((DEVICES / "pillar_thick_layers.toml").read_text()
                    + "\n[layers.free.magnet]\nsaturation_magnetization = 1.4e6\n"
                    "damping = 0.01\nanisotropy_field = 0.5\nanisotropy_axis = [1, 0, 0]\n")
    out = tmp_path / "m.nc"
    res = CliRunner().invoke(main, ["map", str(path), "--vary", "free.magnet.damping=0.02",
                                    "--vary", "layers.free.magnetization.phi=0,180",
                                    "--until", "0.02ns", "-o", str(out)])
    assert res.exit_code == 0, res.output
    ds = load_dataset(out)
    assert list(ds["magnet"].values) == ["free"]
    assert ds["layers.free.magnetization.phi"].attrs["units"] == "deg"
    # the initial direction is the varied one, along the easy axis ±x: it stays there
    m = ds["final_m"].values[0, :, 0]
    assert m[0, 0] > 0.99 and m[1, 0] < -0.99


@pytest.mark.parametrize("vary", ["nodes.free.magnet.damping=0.02", "free.magnet.damping=0.02",
                                  "drives.free.temperature.peak=30", "contacts[1].area=1.3e-15",
                                  "free.magnetization.theta=5", "fixed.temperature=301",
                                  "nodes.fixed.magnetization.phi=10", "temperature=299"])
def test_every_documented_vary_key_form_maps(tmp_path, vary):
    from spincaloric.io import load_dataset

    out = tmp_path / "m.nc"
    res = CliRunner().invoke(main, ["map", str(DEVICES / "thermal_switching_pillar.toml"),
                                    "--vary", vary, "--until", "0.01ns", "-o", str(out)])
    assert res.exit_code == 0, res.output
    key = vary.split("=")[0]
    ds = load_dataset(out)
    assert ds[key].values.tolist() == [float(vary.split("=")[1])]
    assert ds.attrs["spincaloric_format"] == 2
    assert all("units" in v.attrs for v in ds.data_vars.values())


def test_varied_values_may_carry_the_keys_unit_with_an_si_prefix():
    """``1nm:5nm:3`` for a thickness (m), ``0.1ns`` for a drive's start (s), ``3mK`` for a
    temperature: scaled exactly as written; another unit, or a unit on a dimensionless key, is
    refused naming the key's unit."""
    key, values = parse_vary("nodes.free.magnet.thickness=1nm:5nm:3")
    assert key == "nodes.free.magnet.thickness"
    np.testing.assert_array_equal(values, parse_vary(f"{key}=1e-9:5e-9:3")[1])  # as in SI
    assert parse_vary("free.magnet.thickness=1.5 nm,2e-9")[1].tolist() == [1.5e-9, 2e-9]
    assert parse_vary("drives.free.temperature.start=0.1ns,1µs")[1].tolist() == [1e-10, 1e-6]
    assert parse_vary("right.temperature=300K,3mK")[1].tolist() == [300.0, 0.003]
    assert parse_vary("right.magnetization.theta=0:180:3")[1].tolist() == [0.0, 90.0, 180.0]
    with pytest.raises(sc.DeviceError, match=r"with the key's unit m and an SI prefix, e\.g\. 1nm"):
        parse_vary("nodes.free.magnet.thickness=1nK:5nm:3")
    with pytest.raises(sc.DeviceError, match="cannot read values from '1n'"):
        parse_vary("nodes.free.magnet.damping=1n")
    with pytest.raises(sc.DeviceError, match="cannot read values"):  # angles: numbers only
        parse_vary("right.magnetization.theta=0deg:180deg:3")


def test_an_angle_varied_in_what_looks_like_radians_warns():
    from spincaloric.io.schema import AngleUnitWarning

    with pytest.warns(AngleUnitWarning, match=r"up to 3\.1416.*π rad = 180°"):
        parse_vary("right.magnetization.theta=0:3.1416:5")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parse_vary("right.magnetization.theta=0:180:5")
        parse_vary("right.magnetization.phi=0,90,180")


def test_zipped_axes_that_all_rebuild_the_device_are_the_grids_diagonal():
    """--zip over keys that each rebuild the circuit (interface conductances per area): the
    points are the diagonal of the grid over the same keys."""
    from spincaloric.io import read_toml
    from spincaloric.studies.sweep import sweep_file

    pillar = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"
    axes = [parse_vary("contacts[0].conductance_per_area=0.4e15,0.8e15"),
            parse_vary("contacts[1].conductance_per_area=0.5e15,0.9e15")]
    zipped = sweep_file(read_toml(pillar), axes, zipped=True)
    grid = sweep_file(read_toml(pillar), axes)
    assert zipped.sizes["point"] == 2
    for name in ("spin_accumulation", "charge_current", "torque"):
        for i in range(2):
            np.testing.assert_array_equal(zipped[name].isel(point=i).values,
                                          grid[name].values[i, i])


def test_a_grid_too_large_for_the_memory_is_refused_before_it_starts(tmp_path, monkeypatch):
    """A grid's results are estimated from its first point's before it starts: beyond half
    the machine's memory one line naming vary with the size, exit 2, nothing written; beyond
    LARGE_RESULT a warning; the estimate is the first point's size times the points."""
    import tomllib

    from spincaloric.studies import sweep as sweep_module

    monkeypatch.setattr(sweep_module, "SIZE_CHECK_POINTS", 10)
    axes = [("right.voltage", np.linspace(0, 1e-3, 6)), ("right.temperature", [300., 301.])]
    data = tomllib.loads(VALVE.read_text())
    one = sweep_module.sweep_file(data, [(k, v[:1]) for k, v in axes]).nbytes
    two = sweep_module.sweep_file(data, [(k, v[:2] if i == 0 else v[:1])
                                         for i, (k, v) in enumerate(axes)]).nbytes
    whole = sweep_module.sweep_file(data, axes).nbytes  # 12 points
    est = one + 11 * (two - one)
    assert whole == pytest.approx(est, rel=0.05, abs=0)  # the estimate's premise
    monkeypatch.setattr(sweep_module, "physical_bytes", lambda: 2 * est - 1)
    out = tmp_path / "s.nc"
    args = ["sweep", str(VALVE), "--vary", "right.voltage=0:1e-3:6", "--vary",
            "right.temperature=300,301", "-o", str(out)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and res.stderr.strip().splitlines() == [
        f"error: {VALVE}: vary: 12 points hold about {sweep_module.byte_size(est)} of "
        f"results, more than half this machine's memory ({sweep_module.byte_size(2 * est - 1)})"
        ": fewer points"], res.stderr
    assert not out.exists()
    monkeypatch.setattr(sweep_module, "physical_bytes", lambda: None)
    monkeypatch.setattr(sweep_module, "LARGE_RESULT", 0)
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0 and "warning: vary: 12 points hold about" in res.stderr
    assert out.exists()


def test_every_variable_and_coordinate_of_a_sweep_has_a_long_name_and_its_unit():
    """The result-file format (device-format.md): units and long_name on every variable,
    coordinates included — batched axes, rebuilt ones and the device temperature alike."""
    import tomllib

    from spincaloric.studies.sweep import sweep_file

    data = tomllib.loads(VALVE.read_text())
    ds = sweep_file(data, [("right.magnetization.theta", np.linspace(0.0, 3.0, 3)),
                           ("contacts[1].conductance", np.array([1e-2, 2e-2])),
                           ("temperature", np.array([300.0, 310.0]))])
    for name, var in {**ds.coords, **ds.data_vars}.items():
        assert var.attrs.get("long_name"), name
        if var.dtype.kind == "f":
            assert var.attrs.get("units"), name
    assert ds["right.magnetization.theta"].attrs["long_name"] == (
        "polar angle of right's magnetization")
    assert ds["contacts[1].conductance"].attrs["long_name"] == "conductance of contacts[1]"
    assert ds["device_temperature"].attrs["units"] == "K"


def test_sweep_file_takes_a_path_and_a_mapping_as_the_map_does():
    """The same sweep from the parsed file and [(key, values)], or from its path and
    {key: values}; anything else is named."""
    axes = {"right.voltage": np.array([0.0, 1e-6]), "right.temperature": 301.0}
    from_path = sweep_file(VALVE, axes)
    from_data = sweep_file(read_toml(VALVE), list(axes.items()))
    assert from_path["voltage"].shape == from_data["voltage"].shape
    np.testing.assert_array_equal(from_path["voltage"].values, from_data["voltage"].values)
    with pytest.raises(DeviceError, match=r"^data: must be a device file's path"):
        sweep_file(3, axes)
    with pytest.raises(DeviceError, match=r"^vary: must be a list of \(key, values\) pairs or"):
        sweep_file(VALVE, 5)


def test_a_layers_discretisation_varied_under_contacts_on_its_vertices_is_named():
    """The Hanle valve's contacts join channel_190 and channel_210 by name: varying the
    channel's cells (which renumbers them) is refused naming the key and the contacts;
    varying its length keeps them on their vertices, which move with it (warned: the
    injector–detector distance scales); a layer without such contacts varies freely."""
    from spincaloric.studies.sweep import LayerVertexWarning, contacts_on_vertices

    data = read_toml(HANLE)
    assert contacts_on_vertices(data, "channel") == ["channel_190", "channel_210"]
    with pytest.raises(DeviceError, match=r"^vary\.layers\.channel\.cells: the number of cells "
                                          r"renumbers .* channel_190, channel_210"):
        sweep_file(data, {"layers.channel.cells": [200.0, 400.0]})
    with pytest.warns(LayerVertexWarning, match=r"^vary\.channel\.length: the contacts on "
                                                r"channel_190, channel_210 stay"):
        ds = sweep_file(data, {"channel.length": [10e-6, 20e-6]})
    assert ds.sizes["channel.length"] == 2


def test_a_spin_flip_length_in_metres_that_was_meant_in_nm_is_warned_of(tmp_path):
    text = HANLE.read_text().replace("spin_flip_length = 500e-9", "spin_flip_length = 500 ")
    assert "spin_flip_length = 500 " in text
    (tmp_path / "lv.toml").write_text(text)
    res = CliRunner().invoke(main, ["solve", str(tmp_path / "lv.toml")])
    assert res.exit_code == 0
    assert "warning: layers.channel.spin_flip_length = 500 m is larger than 1 mm" in res.output


def test_a_plausibility_warning_names_the_fields_place_in_the_file(tmp_path):
    """A field validator knows the field's name, not its place: the warning is given with
    the place the name and the value find (one line, the device still loads); a name that
    two places share with one value is left as the validator said it."""
    from spincaloric.io.devicefile import _placed

    text = HANLE.read_text().replace("hanle_field = [0, 0, 0.1]", "hanle_field = [0, 0, 500]")
    (tmp_path / "lv.toml").write_text(text)
    res = CliRunner().invoke(main, ["solve", str(tmp_path / "lv.toml")])
    assert res.exit_code == 0
    assert "warning: layers.channel.hanle_field = 500 T is beyond any laboratory" in res.output
    twice = {"a": {"length": 2.0}, "b": {"length": 2.0}, "c": [{"length": 3.0}]}
    assert _placed("length = 2 m is larger", twice) == "length = 2 m is larger"
    assert _placed("length = 3 m is larger", twice) == "c[0].length = 3 m is larger"


def test_an_error_at_one_rebuilt_point_names_the_point():
    """A value that fails at one point of a grid of rebuilt devices names the point's other
    coordinates (the field itself is named once, with its value)."""
    axes = {"temperature": [300.0, 310.0], "contacts[1].conductance": [1e-2, -1e-2]}
    with pytest.raises(DeviceError, match=r"^contacts\[1\]\.conductance: at temperature = 300: "
                                          r"must be positive"):
        sweep_file(VALVE, axes)


def test_an_angle_without_its_magnetization_is_pointed_to_it():
    with pytest.raises(DeviceError, match=r"^vary\.right\.theta: unknown key 'theta' in "
                                          r"\[nodes\.right\]; did you mean "
                                          r"right\.magnetization\.theta \(degrees\)\?"):
        sweep_file(VALVE, {"right.theta": [0.0, 90.0]})
