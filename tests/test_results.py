"""Result files: the columnar layout of sweeps (quantities over node, contact and magnet),
its format version, and the reading of layout-1 files (one variable per quantity and owner).

tests/data/sweep_layout1_*.nc were written by spincaloric in layout 1 (``spincaloric sweep``
of the example devices with the --vary given in LAYOUT1 below).
"""

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import spincaloric as sc
from spincaloric.cli import main
from spincaloric.io import load_dataset, read_toml, with_absolute_files
from spincaloric.io.paths import parse_vary
from spincaloric.io.results import OWNER_DIMS, columnar, is_layout1, pick
from spincaloric.studies.sweep import sweep_file

DEVICES = Path(__file__).parent.parent / "examples" / "devices"
DATA = Path(__file__).parent / "data"
# layout-1 file -> (device, the --vary it was swept over)
LAYOUT1 = {
    "sweep_layout1_valve.nc": ("valve_thermal.toml",
                               ["right.magnetization.theta=0:180:4", "right.temperature=300,305"]),
    "sweep_layout1_layers.nc": ("pillar_thick_layers.toml", ["free_3.magnetization.theta=0,90"]),
    "sweep_layout1_pillar.nc": ("thermal_switching_pillar.toml", ["free.voltage=-1e-3,0,1e-3"]),
}


def sweep(device: str, varies, tmp_path, name="s.nc"):
    """The sweep file of ``spincaloric sweep``, read back."""
    out = tmp_path / name
    res = CliRunner().invoke(main, ["sweep", str(DEVICES / device), *sum(
        (["--vary", v] for v in varies), []), "-o", str(out)])
    assert res.exit_code == 0, res.output
    return load_dataset(out)


def assert_equal_to_the_solution(ds, sol, point: dict):
    """Every quantity ``sol`` reports equals the file's value at ``point`` to round-off: each
    within 1e-12 of the largest of its kind (a spin current that vanishes by symmetry is
    round-off beside the others)."""
    reported = sol.reported()
    scale = {}
    for q in reported:
        scale[q.kind] = max(scale.get(q.kind, 0.0), float(np.abs(q.value).max()))
    for q in reported:
        value = pick(ds, q.key).sel(point).values
        np.testing.assert_allclose(value, q.value, rtol=1e-12, atol=1e-12 * scale[q.kind],
                                   err_msg=q.key)


def test_a_sweep_file_is_columnar_with_units_and_its_format_version(tmp_path):
    """Every quantity one variable over node / contact / magnet (and component), with its
    units; the coordinates name the owners; the dataset says its format version and the sign
    conventions; every value equals a direct solve of that point to round-off."""
    ds = sweep("valve_thermal.toml", ["right.magnetization.theta=0:180:5",
                                      "right.voltage=-1e-6,2e-6"], tmp_path)
    assert ds.attrs["spincaloric_format"] == 2
    assert "electric potential" in ds.attrs["voltage_convention"]
    assert "conventional" in ds.attrs["current_convention"]
    assert list(ds["node"].values) == ["left", "spacer", "right"]
    assert list(ds["reservoir"].values) == [1, 0, 1]
    assert list(ds["contact"].values) == ["left->spacer", "right->spacer"]
    assert list(ds["magnet"].values) == ["left", "right"]
    assert list(ds["component"].values) == ["x", "y", "z"]
    axes = ("right.magnetization.theta", "right.voltage")
    dims = {"voltage": ("node",), "spin_accumulation": ("node", "component"),
            "temperature": ("node",), "spin_temperature": ("node", "component"),
            "charge_current": ("contact",), "spin_current": ("contact", "component"),
            "heat_current": ("contact",), "spin_heat_current": ("contact", "component"),
            "torque": ("magnet", "component"), "entropy_production": ()}
    assert {str(k): v.dims for k, v in ds.data_vars.items()} == {
        k: axes + v for k, v in dims.items()}
    units = {"voltage": "V", "spin_accumulation": "V", "temperature": "K",
             "spin_temperature": "K", "charge_current": "A", "spin_current": "A",
             "heat_current": "W", "spin_heat_current": "W", "torque": "N m",
             "entropy_production": "W/K"}
    assert {str(k): v.attrs["units"] for k, v in ds.data_vars.items()} == units
    assert all(v.attrs["long_name"] for v in ds.data_vars.values())
    circuit = sc.load_device(DEVICES / "valve_thermal.toml").finalize()
    for theta in ds["right.magnetization.theta"].values:
        for v in ds["right.voltage"].values:
            t = np.radians(theta)
            sol = circuit.solve(magnetization={"right": [np.sin(t), 0, np.cos(t)]},
                                voltage={"right": v})
            assert_equal_to_the_solution(ds, sol, {"right.magnetization.theta": theta,
                                                   "right.voltage": v})


def test_a_layered_sweep_holds_every_vertex_and_the_layer_as_one_magnet(tmp_path):
    """A device of diffusive layers: every vertex a node, the layer's torque under the
    layer's name; every value a direct solve's."""
    path = DEVICES / "pillar_thick_layers.toml"
    ds = sweep("pillar_thick_layers.toml", ["free.magnetization.phi=0,90"], tmp_path)
    circuit = sc.load_device(path).finalize()
    assert list(ds["node"].values) == list(circuit.names)
    assert list(ds["magnet"].values) == ["fixed", "free"]
    sol = circuit.solve(magnetization={"free": [0.0, 1.0, 0.0]})
    assert_equal_to_the_solution(ds, sol, {"free.magnetization.phi": 90.0})


@pytest.mark.parametrize("name", sorted(LAYOUT1))
def test_a_layout1_file_reads_as_the_columnar_layout_with_the_same_values(tmp_path, name):
    """A file of layout 1 (one variable per quantity and owner) reads as layout 2: equal, owner
    by owner, to the same sweep written now — a varied reservoir value from its coordinate, a
    reservoir's spin quantities 0, the dynamic magnet marked."""
    import xarray as xr

    raw = xr.load_dataset(DATA / name)
    assert is_layout1(raw) and "spincaloric_format" not in raw.attrs
    old = load_dataset(DATA / name)
    assert old.attrs["spincaloric_format"] == 2 and not is_layout1(old)
    device, varies = LAYOUT1[name]
    new = sweep(device, varies, tmp_path)
    assert set(old.data_vars) == set(new.data_vars)
    for dim in ("node", "contact", "magnet"):
        assert sorted(old[dim].values) == sorted(new[dim].values)
    for q, da in new.data_vars.items():
        assert old[q].dims == da.dims and old[q].attrs["units"] == da.attrs["units"]
        owner = [d for d in da.dims if d in ("node", "contact", "magnet")]
        aligned = old[q].sel({owner[0]: new[owner[0]].values}) if owner else old[q]
        scale = float(np.abs(da.values).max())
        np.testing.assert_allclose(aligned.values, da.values, rtol=1e-12, atol=1e-12 * scale,
                                   err_msg=str(q))
    np.testing.assert_array_equal(old["reservoir"].sel(node=new["node"].values),
                                  new["reservoir"].values)
    np.testing.assert_array_equal(old["dynamic"].sel(magnet=new["magnet"].values),
                                  new["dynamic"].values)
    if name == "sweep_layout1_pillar.nc":
        assert int(old["dynamic"].sel(magnet="free")) == 1


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(LAYOUT1))
def test_plot_draws_a_layout1_file_as_the_same_sweep_written_now(tmp_path, name):
    """`spincaloric plot` of a layout-1 file and of the sweep written now: the same default
    variable and the same curves; an owner's quantity by its layout-1 name."""
    pytest.importorskip("matplotlib")
    from spincaloric.io.plotting import default_variable, plot_dataset

    device, varies = LAYOUT1[name]
    old, new = load_dataset(DATA / name), sweep(device, varies, tmp_path)
    assert default_variable(old) == default_variable(new)
    contact = str(new["contact"].values[0])
    for variable in (None, f"{contact}.charge_current"):
        a, b = plot_dataset(old, variable).axes[0], plot_dataset(new, variable).axes[0]
        assert a.get_ylabel() == b.get_ylabel()
        for x, y in zip(a.lines, b.lines, strict=True):
            np.testing.assert_allclose(x.get_ydata(), y.get_ydata(), rtol=1e-10, atol=1e-12 *
                                       np.abs(y.get_ydata()).max())
    for args in ([], ["--variable", f"{contact}.charge_current"]):
        res = CliRunner().invoke(main, ["plot", str(DATA / name), "-o",
                                        str(tmp_path / "f.png"), "--overwrite", *args])
        assert res.exit_code == 0, res.output
        assert (tmp_path / "f.png").stat().st_size > 1000


def test_a_quantity_over_many_owners_names_one_and_an_unknown_owner_its_matches(tmp_path):
    """`--variable voltage` of a device of several nodes asks for one (NODE.voltage); an
    unknown node is named with its close matches."""
    ds = sweep("valve_thermal.toml", ["right.voltage=0,1e-6"], tmp_path)
    with pytest.raises(sc.DeviceError, match=r"^variable: 'voltage' has a value per node: "
                                             r"name one, e\.g\. 'left\.voltage'"):
        pick(ds, "voltage")
    with pytest.raises(sc.DeviceError, match="unknown node; did you mean spacer"):
        pick(ds, "spaser.voltage")
    da = pick(ds, "spacer.voltage")
    assert da.dims == ("right.voltage",) and da.attrs["long_name"] == \
        "electric potential of spacer" and da.attrs["units"] == "V"
    assert pick(ds.isel(node=[1]), "voltage").attrs["long_name"] == \
        "electric potential of spacer"  # one node: its own


def test_a_rebuilt_axis_that_changes_the_nodes_is_refused():
    """Varying a layer's number of cells would stack different nodes: refused by its key."""
    data = with_absolute_files(read_toml(DEVICES / "pillar_thick_layers.toml"), DEVICES)
    with pytest.raises(sc.DeviceError, match=r"^vary\.layers\.free\.cells: changes the "
                                             "device's nodes"):
        sweep_file(data, [parse_vary("layers.free.cells=6,8")])


def test_other_result_files_pass_the_reader_unchanged():
    """A switching map or trajectory (already over magnet / contact) is read as written."""
    import xarray as xr

    ds = xr.Dataset({"switching_time": (("v", "magnet"), np.ones((2, 1)), {"units": "s"}),
                     "torque": (("time", "magnet", "component"), np.zeros((2, 1, 3)))},
                    coords={"magnet": ["free"]})
    assert not is_layout1(ds) and columnar(ds) is ds
    assert set(OWNER_DIMS) == {"node", "contact", "magnet", "component"}


def test_a_sweep_of_a_device_without_magnets_draws_an_internal_node_voltage(tmp_path):
    """No torque to show: `plot` draws the first internal node's voltage."""
    pytest.importorskip("matplotlib")
    from spincaloric.io.plotting import default_variable, plot_dataset

    device = tmp_path / "normal.toml"
    device.write_text('temperature = 300.0\n[nodes.left]\ntype = "normal"\nreservoir = true\n'
                      '[nodes.middle]\ntype = "normal"\n[nodes.right]\ntype = "normal"\n'
                      'reservoir = true\n[[contacts]]\nbetween = ["left", "middle"]\n'
                      'conductance = 1e-2\nseebeck = -4.5e-6\n[[contacts]]\n'
                      'between = ["middle", "right"]\nconductance = 2e-2\n')
    ds = sweep(device, ["right.temperature=300:302:3"], tmp_path)
    assert "torque" not in ds and "magnet" not in ds.dims
    name = default_variable(ds)
    node = name.split(".")[0]
    assert name.endswith(".voltage") and int(ds["reservoir"].sel(node=node)) == 0
    ax = plot_dataset(ds).axes[0]
    assert ax.get_ylabel().startswith("electric potential of middle, V")
    y, v = ax.lines[0].get_ydata(), pick(ds, name).values
    np.testing.assert_allclose(y, v * (y[-1] / v[-1]), rtol=1e-12)


@pytest.mark.parametrize("theta, zero", [(180, True), (179, False), (0, True)])
def test_a_torque_at_the_round_off_of_its_currents_is_printed_as_zero(theta, zero, tmp_path):
    """The tunnel junction set exactly antiparallel (or parallel): its magnets are 10⁻¹⁶ rad
    from collinear in double precision, the torque ~10⁻³⁹ N m, 10⁻¹⁶ of (ħ/2e) × its 50 nA
    current — printed (JSON) as 0; a degree off antiparallel its torque (10⁻²⁵ N m) is
    printed as solved."""
    text = (DEVICES / "mtj_magneto_seebeck.toml").read_text()
    path = tmp_path / "mtj.toml"
    path.write_text(text.replace("magnetization = { theta = 90 }",
                                 f"magnetization = {{ theta = {theta} }}"))
    res = CliRunner().invoke(main, ["solve", "--json", str(path)])
    assert res.exit_code == 0, res.output
    printed = np.array(json.loads(res.output.splitlines()[0])["torques"]["free"])
    spec = sc.io.load_spec(path)
    solved = spec.device.finalize().solve().magnet_torques["free"]
    if zero:  # antiparallel: solved as round-off, not 0 (parallel: exactly 0)
        assert (np.abs(solved).max() > 0) == (theta == 180)
        assert np.abs(solved).max() < 1e-35 and not printed.any()
    else:
        assert np.abs(solved).max() > 1e-26
        np.testing.assert_allclose(printed, solved, rtol=1e-5, atol=0)
