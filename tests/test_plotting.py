"""Figures of result files: what is drawn (the quantity a user varied, in engineering units),
labels that fit the figure, and trajectory files drawn like the headline figure."""

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from spincaloric.cli import main
from spincaloric.io.results import pick

pytest.importorskip("matplotlib")

DEVICES = Path(__file__).parent.parent / "examples" / "devices"
VALVE = DEVICES / "valve_thermal.toml"
LAYERED = DEVICES / "pillar_thick_layers.toml"
PILLAR = DEVICES / "thermal_switching_pillar.toml"


def sweep(tmp_path, device, *varies, name="s.nc"):
    """The dataset of `spincaloric sweep DEVICE --vary ...` (written and read back)."""
    from spincaloric.io import load_dataset

    out = tmp_path / name
    args = ["sweep", str(device), "-o", str(out)]
    for vary in varies:
        args += ["--vary", vary]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    return load_dataset(out)


def texts_outside(fig) -> list[str]:
    """The drawn texts (titles, labels, tick labels, legends) that reach past the figure."""
    from matplotlib.text import Text

    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    undrawn = set()  # the labels of ticks beyond the axis limits are kept but not drawn
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            tol = 1e-9 * (hi - lo)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - tol <= tick.get_loc() <= hi + tol:
                    undrawn.update((id(tick.label1), id(tick.label2)))
    outside = []
    for text in fig.findobj(Text):
        if not (text.get_visible() and text.get_text().strip()) or id(text) in undrawn:
            continue
        e = text.get_window_extent(renderer)
        if e.x0 < box.x0 - 0.5 or e.x1 > box.x1 + 0.5 or e.y0 < box.y0 - 0.5 or \
                e.y1 > box.y1 + 0.5:
            outside.append(text.get_text())
    return outside


def assert_drawn_in_engineering_units(drawn, values):
    """``drawn`` is ``values`` times one power of 1000 (an SI prefix)."""
    drawn, values = np.asarray(drawn, float), np.asarray(values, float)
    mask = np.abs(values) > 1e-6 * np.abs(values).max()
    ratio = drawn[mask] / values[mask]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-12, atol=0)
    power = np.log10(ratio[0])
    assert power == pytest.approx(3 * round(power / 3), rel=0, abs=1e-9)
    np.testing.assert_allclose(drawn[~mask], values[~mask] * ratio[0], rtol=0,
                               atol=1e-9 * np.abs(drawn).max())


def offsets(fig) -> list[str]:
    """Matplotlib's separate offset / ×10ⁿ texts of every axis (empty when the tick labels say
    it all)."""
    fig.canvas.draw()
    return [t for ax in fig.axes for axis in (ax.xaxis, ax.yaxis)
            if (t := axis.get_offset_text().get_text())]


def test_a_sweep_draws_the_torque_on_the_magnet_it_turns(tmp_path):
    """Turning right's magnetization: the torque on right (not on left); turning one vertex of a
    diffusive layer: the torque on the whole layer (not on a vertex of the fixed layer); a bias
    sweep of a device with a dynamic magnet: the torque on that magnet."""
    from spincaloric.io.plotting import plot_dataset

    ds = sweep(tmp_path, VALVE, "right.magnetization.theta=0:180:19")
    ax = plot_dataset(ds).axes[0]
    assert "torque on right" in ax.get_ylabel()
    assert_drawn_in_engineering_units(ax.lines[0].get_ydata(),
                                      pick(ds, "right.torque").sel(component="x"))

    ds = sweep(tmp_path, LAYERED, "free_3.magnetization.theta=0:180:7", name="l.nc")
    assert "free_3" not in ds.indexes["magnet"]  # a layer is one magnet, under its name
    ax = plot_dataset(ds).axes[0]
    assert "torque on free" in ax.get_ylabel()
    assert_drawn_in_engineering_units(
        ax.lines[3].get_ydata(), np.linalg.norm(pick(ds, "free.torque").values, axis=-1))

    ds = sweep(tmp_path, LAYERED, "top.voltage=-1e-3:1e-3:5", name="v.nc")
    ax = plot_dataset(ds).axes[0]  # no magnet turned, none dynamic: a whole layer's torque
    assert "torque on" in ax.get_ylabel()

    ds = sweep(tmp_path, PILLAR, "free.voltage=-1e-3:1e-3:5", name="p.nc")
    assert ds["dynamic"].sel(magnet="free") == 1 and ds["dynamic"].sel(magnet="fixed") == 0
    ax = plot_dataset(ds).axes[0]
    assert "torque on free" in ax.get_ylabel()


def test_a_layer_turned_by_its_full_key_is_the_magnet_drawn(tmp_path):
    """``layers.free.magnetization.theta`` turns the layer free: a figure of the sweep draws
    the torque on free (as for ``free.magnetization.theta``), not on the first magnet."""
    from spincaloric.io.plotting import default_variable

    for key in ("layers.free.magnetization.theta", "free.magnetization.theta"):
        ds = sweep(tmp_path, LAYERED, f"{key}=0:180:5", name=f"{key}.nc")
        assert default_variable(ds) == "free.torque"


def test_plot_draws_a_resonance_file_as_fmr_does(tmp_path):
    """`plot` of `fmr --vary ... -o` draws f and α_eff against the parameter (fmr --plot's
    figure), not an error about the file's layout."""
    out = tmp_path / "fmr.nc"
    res = CliRunner().invoke(main, ["fmr", str(DEVICES / "pillar_write_pulse.toml"), "--vary",
                                    "nodes.free.magnet.thickness=1e-9,2e-9", "-o", str(out)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["plot", str(out), "-o", str(tmp_path / "f.png")])
    assert res.exit_code == 0, res.output
    from spincaloric.io import load_dataset
    from spincaloric.io.plotting import plot_dataset

    fig = plot_dataset(load_dataset(out))
    assert fig.axes[0].get_ylabel().startswith("resonance frequency, f")
    assert fig.axes[1].get_ylabel().startswith("effective damping, α_eff")


def test_axes_are_in_engineering_units_with_quantity_symbol_and_unit(tmp_path):
    """mV, zN m, ns on the axes — the values themselves, no offset or ×10ⁿ beside them — and
    every label says quantity, symbol and unit."""
    from matplotlib.collections import QuadMesh

    from spincaloric.io.plotting import plot_dataset

    ds = sweep(tmp_path, PILLAR, "free.voltage=-1e-3:1e-3:5")
    fig = plot_dataset(ds, "free.torque", "x")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "electric potential of free, V (mV)"
    np.testing.assert_allclose(ax.lines[0].get_xdata(), [-1, -0.5, 0, 0.5, 1], rtol=1e-12)
    assert ax.get_ylabel() == "spin-transfer torque on free, τ_x (zN m)"
    np.testing.assert_allclose(ax.lines[0].get_ydata(),
                               pick(ds, "free.torque").sel(component="x") * 1e21, rtol=1e-12)
    assert offsets(fig) == []

    # a switching map: times in ns on the axis and the colour bar
    import xarray as xr

    decay = np.array([1e-9, 2.5e-9, 4e-9])
    peak = np.array([20.0, 40.0, 60.0])
    times = np.where(peak[:, None] > 30, 4e-9 / decay[None, :] * 1e-9, np.nan)[..., None]
    m = xr.Dataset(coords={"drives.free.temperature.peak": ("drives.free.temperature.peak",
                                                            peak, {"units": "K"}),
                           "drives.free.temperature.decay": ("drives.free.temperature.decay",
                                                             decay, {"units": "s"}),
                           "magnet": ["free"], "component": ["x", "y", "z"]})
    dims = ["drives.free.temperature.peak", "drives.free.temperature.decay", "magnet"]
    m["switching_time"] = (dims, times, {"units": "s", "long_name": "switching time (NaN: none)"})
    m["switched"] = (dims, np.isfinite(times).astype(np.int8))
    fig = plot_dataset(m)
    ax, bar = fig.axes
    assert ax.get_xlabel() == "decay of the temperature drive of free (ns)"
    assert ax.get_ylabel() == "peak of the temperature drive of free, T (K)" or \
        ax.get_ylabel() == "peak of the temperature drive of free (K)"
    assert bar.get_ylabel() == "switching time of free, t_sw (ns)"
    (mesh,) = [c for c in ax.collections if isinstance(c, QuadMesh)]
    values = np.asarray(mesh.get_array())
    np.testing.assert_allclose(np.nanmax(values), 4.0, rtol=1e-12)
    assert np.isnan(values).sum() == 3
    assert "white: no switching" in ax.get_title()
    assert offsets(fig) == []


def test_a_map_of_a_torque_of_one_direction_keeps_its_sign(tmp_path):
    """A V × T map at a fixed angle: every torque lies along one direction û, drawn as τ·û
    on a colour scale symmetric about zero (the sign reversal visible); with the angle varied
    the directions differ and the map draws |τ| unless a component is asked for."""
    from matplotlib.collections import QuadMesh

    from spincaloric.io.plotting import plot_dataset

    ds = sweep(tmp_path, VALVE, "right.voltage=-1e-3:1e-3:5", "right.temperature=290:310:3")
    fig = plot_dataset(ds)
    mesh = next(c for c in fig.axes[0].collections if isinstance(c, QuadMesh))
    assert "τ·û" in fig.axes[1].get_ylabel() and "û = (" in fig.axes[0].get_title()
    low, high = mesh.get_clim()
    assert low == -high and high > 0
    tau = pick(ds, "left.torque").values  # (voltage, temperature, component)
    u = tau[0, 0] / np.linalg.norm(tau[0, 0])
    signed = np.einsum("vtc,c->vt", tau, u)
    shown = np.asarray(mesh.get_array()).reshape(signed.shape)
    np.testing.assert_allclose(np.abs(shown), np.abs(signed) * 1e24, rtol=1e-9)
    assert (shown.min() < 0 < shown.max())
    turned = sweep(tmp_path, VALVE, "right.voltage=-1e-3:1e-3:3",
                   "right.magnetization.theta=0:180:5", name="t.nc")
    bar = plot_dataset(turned).axes[1].get_ylabel()
    assert "|τ|" in bar and "·û" not in bar


@pytest.mark.slow
def test_titles_and_labels_fit_in_the_figure(tmp_path):
    """A long device title, a layer's torque on a colour bar, a long fixed condition: every
    text is drawn inside the figure (wrapped, not clipped), without overlapping a neighbour's
    label."""
    from spincaloric.io.plotting import plot_dataset

    text = LAYERED.read_text().replace(
        'title = "Co(20 nm)|Cu(10 nm)|Co(3 nm) pillar with diffusive layers, 1 K across it"',
        'title = "Co(20 nm)|Cu(10 nm)|Co(3 nm) nanopillar with diffusive layers (bulk '
        'parameters of the cited database, Cu/Co(001)* interfaces of Table I), the bottom '
        'lead 1 K hotter than the top one"')
    device = tmp_path / "long.toml"
    device.write_text(text)
    ds = sweep(tmp_path, device, "free_3.magnetization.theta=0:180:5",
               "bottom.temperature=301:303:3", "top.voltage=1e-6")
    for variable in (None, "free.torque", "spacer_5.spin_accumulation"):
        fig = plot_dataset(ds, variable)
        assert len(fig.axes) == 2  # a map and its colour bar
        assert texts_outside(fig) == [], variable
        assert "\n" in fig.axes[0].get_title()  # the long title wrapped
    fig = plot_dataset(ds.isel({"bottom.temperature": [0]}), "spacer_5.spin_accumulation")
    assert len(fig.axes) == 1 and texts_outside(fig) == []


@pytest.mark.slow
def test_a_trajectory_file_is_drawn_like_the_headline_figure(tmp_path):
    """`spincaloric plot run.nc` draws m_x, m_y, m_z of the dynamic magnet, the drive and the
    torque against time in ns (no rerun needed); --variable draws one time series."""
    from spincaloric.io import load_dataset
    from spincaloric.io.plotting import plot_dataset

    run = tmp_path / "run.nc"
    # spin pumping (α + α') delays the pillar's switching to ≈ 4.2 ns: run past it
    res = CliRunner().invoke(main, ["run", str(PILLAR), "--until", "8ns", "--n-save", "401",
                                    "-o", str(run)])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(main, ["plot", str(run), "-o", str(tmp_path / "run.png")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "run.png").stat().st_size > 10_000
    ds = load_dataset(run)
    assert ds.attrs["spincaloric_format"] == 2
    assert all("units" in v.attrs for v in ds.data_vars.values())
    fig = plot_dataset(ds)
    m_ax, drive_ax, torque_ax = fig.axes
    t = ds["time"].values * 1e9
    assert torque_ax.get_xlabel() == "time, t (ns)"
    lines = {line.get_label(): line for line in m_ax.lines}
    for i, c in enumerate("xyz"):
        np.testing.assert_allclose(lines[f"m_{c}"].get_xdata(), t, rtol=1e-12)
        np.testing.assert_allclose(lines[f"m_{c}"].get_ydata(), ds["m"].values[0, :, 0, i],
                                   rtol=1e-12)
    assert m_ax.get_ylabel() == "unit magnetization of free, m"
    switched = [line for line in m_ax.lines if line.get_label().startswith("switched")]
    assert len(switched) == 1
    assert switched[0].get_xdata()[0] == pytest.approx(
        float(ds["switching_time"][0, 0]) * 1e9, rel=1e-12, abs=0)
    assert drive_ax.get_ylabel() == "drive: temperature of free, T (K)"
    np.testing.assert_allclose(drive_ax.lines[0].get_ydata(),
                               ds["drive_free_temperature"].values[0], rtol=1e-12)
    assert torque_ax.get_ylabel().startswith("spin-transfer torque on free, |τ|")
    assert "(zN m)" in torque_ax.get_ylabel()
    np.testing.assert_allclose(torque_ax.lines[0].get_ydata(),
                               np.linalg.norm(ds["torque"].values[0, :, 0], axis=-1) * 1e21,
                               rtol=1e-12)
    assert offsets(fig) == [] and texts_outside(fig) == []

    fig = plot_dataset(ds, "charge_current")
    (ax,) = fig.axes
    assert [line.get_label() for line in ax.lines] == ["fixed->spacer: I", "free->spacer: I"]
    assert ax.get_ylabel().endswith("(µA)") and offsets(fig) == []
    res = CliRunner().invoke(main, ["plot", str(run), "-o", str(tmp_path / "x.png"),
                                    "--variable", "switching_time"])
    assert res.exit_code == 2 and "does not depend on time" in res.stderr
    res = CliRunner().invoke(main, ["plot", str(run), "-o", str(tmp_path / "x.png"),
                                    "--variable", "drive_free_temperature", "--component", "x"])
    assert res.exit_code == 2 and "is a scalar" in res.stderr and not (tmp_path / "x.png").exists()
    fig = plot_dataset(ds, component="z")  # m_z and τ_z, as in the headline figure
    assert [line.get_label() for line in fig.axes[0].lines][0] == "m_z"
    assert fig.axes[2].get_ylabel().startswith("spin-transfer torque on free, τ_z")


def test_plot_help_names_every_kind_of_file():
    res = CliRunner().invoke(main, ["plot", "--help"])
    assert res.exit_code == 0
    help_text = " ".join(res.output.split())
    for kind in ("a sweep", "a switching map", "a trajectory file"):
        assert kind in help_text


def test_plot_draws_a_distributions_file_as_solve_draws_it(tmp_path):
    """A file of `solve --distributions` is drawn as `solve --plot` draws the solution: the
    internal nodes' f_c − f0 and f↑ − f↓ against ε − μ0 in meV; a node by `--variable`; an
    unknown node is one line naming it."""
    from click.testing import CliRunner

    from spincaloric.cli import main

    device = Path(__file__).parent.parent / "examples" / "devices" / "valve_spectral.toml"
    out = CliRunner().invoke(main, ["solve", str(device), "--distributions",
                                    str(tmp_path / "d.nc")])
    assert out.exit_code == 0, out.output
    import xarray as xr

    ds = xr.load_dataset(tmp_path / "d.nc")
    assert ds.attrs["internal_nodes"] == "spacer"
    from spincaloric.io.plotting import plot_distribution_file

    fig = plot_distribution_file(ds)
    top, bottom = fig.axes
    assert [line.get_label() for line in top.lines] == ["spacer"]
    assert bottom.get_xlabel() == "ε − μ0 (meV)" and top.get_ylabel() == "f_c − f0"
    x = top.lines[0].get_xdata()
    assert 0 < np.abs(x).max() <= 12 * 8.617e-2 * 300 / 1.0  # meV, within ±12 k_B T0
    for args, code in ((["--variable", "left"], 0), (["--variable", "spacr"], 2)):
        res = CliRunner().invoke(main, ["plot", str(tmp_path / "d.nc"), "-o",
                                        str(tmp_path / f"f{code}.png"), *args])
        assert res.exit_code == code, res.output
    assert "'spacr': unknown node; did you mean spacer?" in res.output
