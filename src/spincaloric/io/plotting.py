"""Figures of results (needs matplotlib: ``pip install 'spincaloric[plot]'``).

:func:`plot_dataset` draws the files of ``spincaloric sweep``, ``spincaloric map`` and
``spincaloric run``; :func:`plot_distributions` the energy-resolved distributions of
:mod:`spincaloric.solvers.spectral`. Every axis is labelled with its quantity, symbol and unit, values
in engineering units (ns, mV, µA, zN m: an SI prefix, no separate power of ten).
"""

from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path

import numpy as np

from ..circuit.device import DeviceError
from ..constants import BOLTZMANN, ELEMENTARY_CHARGE
from ..errors import unknown
from ..files import write_together
from .paths import key_words
from .results import VALUE_DIMS, pick


def plot_distributions(sol, nodes=None, *, window: float = 12.0, fig=None):
    """Draw the non-equilibrium part of the distributions of ``nodes`` (names; default all
    internal nodes) of a :class:`~spincaloric.solvers.spectral.SpectralSolution`: the charge part
    f_c(ε) − f0(ε) (top) and the spin part |f⃗_↑−↓(ε)| projected on its largest direction
    (bottom), against ε − μ0 in meV, over ±``window`` k_B T0. Returns the figure."""
    c = sol.circuit
    names = list(nodes) if nodes is not None else [c.names[i] for i in c.internal]
    for name in names:
        if name not in c.index:
            raise ValueError(f"nodes: unknown node {name!r}")
    return _draw_distributions(sol.energies, {n: sol.deviations[:, c.index[n]] for n in names},
                               c.temperature, c.title, window, fig)


def plot_distribution_file(ds, nodes=None, *, window: float = 12.0):
    """:func:`plot_distributions` of a distributions file (``solve --distributions``,
    :meth:`~spincaloric.solvers.spectral.SpectralSolution.to_xarray`): ``nodes`` default to
    the internal nodes the file names (all its nodes in a file that names none)."""
    known = [str(n) for n in ds["node"].values]
    internal = [n for n in str(ds.attrs.get("internal_nodes", "")).split(", ") if n]
    names = list(nodes) if nodes is not None else (internal or known)
    for name in names:
        if name not in known:
            raise DeviceError("variable", f"{name!r}: " + unknown("node", name, known))
    energies = np.asarray(ds["energy"].values, float) * ELEMENTARY_CHARGE
    dev = ds["deviation"].transpose("energy", "node", "component")
    return _draw_distributions(energies, {n: np.asarray(dev.sel(node=n).values) for n in names},
                               float(ds.attrs["temperature_K"]), ds.attrs.get("title"), window,
                               None)


def _draw_distributions(energies, deviations: dict, temperature: float, title, window, fig):
    """The figure of :func:`plot_distributions` from energies (J) and each node's deviations
    (E, 4) from f0: f_c − f0 and f⃗_↑−↓ along its main axis, against ε − μ0 in meV."""
    from matplotlib.figure import Figure  # no pyplot: works headless and leaves backends alone

    if fig is None:
        fig = Figure(figsize=(6.4, 5.6), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True)
    mev = energies / ELEMENTARY_CHARGE * 1e3
    keep = np.abs(energies) <= window * BOLTZMANN * temperature
    for name, x in deviations.items():
        axes[0].plot(mev[keep], x[keep, 0], label=name)
        spin = x[:, 1:]
        axis = spin[np.argmax(np.linalg.norm(spin, axis=1))]
        norm = np.linalg.norm(axis)
        axis = axis / norm if norm else np.array([0.0, 0.0, 1.0])
        axes[1].plot(mev[keep], (spin @ axis)[keep], label=name)
    axes[0].set_ylabel("f_c − f0")
    axes[1].set_ylabel("f↑ − f↓ (along its main axis)")
    axes[1].set_xlabel("ε − μ0 (meV)")
    axes[0].legend(fontsize="small")
    heading = textwrap.fill(f"{title or 'device'}: T0 = {temperature:g} K", width=70)
    axes[0].set_title(heading, fontsize="medium")
    return fig


#: Figure formats, by the suffix of the output's name.
FIGURE_FORMATS = ("png", "pdf", "svg")


def figure_format(path) -> str:
    """The format of a figure file by its suffix: "png", "pdf" or "svg"; DeviceError
    ``output`` for any other, or none."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FIGURE_FORMATS:
        got = f"got .{suffix}" if suffix else f"{Path(path).name} has no suffix"
        raise DeviceError("output", f"a figure is written as {', '.join(FIGURE_FORMATS)} "
                          f"(by the file's suffix), {got}")
    return suffix


def png_output(fig, path, *, dpi: int = 120) -> tuple[Path, object, bool]:
    """The output triple of :func:`spincaloric.files.write_together` for a figure, in the
    format its suffix names (:func:`figure_format`: PNG, PDF or SVG)."""
    fmt = figure_format(path)
    return Path(path), lambda tmp: fig.savefig(tmp, format=fmt, dpi=dpi), False


def save_png(fig, path, *, dpi: int = 120, make_dirs: bool = False) -> None:
    """Write ``fig`` to ``path`` as PNG atomically (never a half-written file); with
    ``make_dirs`` the parent directories are created first."""
    path = Path(path)
    if make_dirs:
        path.parent.mkdir(parents=True, exist_ok=True)
    write_together([png_output(fig, path, dpi=dpi)])


# -- units and labels ---------------------------------------------------------------------------

_PREFIXES = {-24: "y", -21: "z", -18: "a", -15: "f", -12: "p", -9: "n", -6: "µ", -3: "m", 0: "",
             3: "k", 6: "M", 9: "G", 12: "T"}
# units that take an SI prefix on their first symbol (kA/m, µV/K, zN m — not m², 1/(J m³))
_PREFIXABLE = re.compile(r"^(s|V|A|W|K|N|J|T|S|ohm|Ω|Hz|C|F|H|m)(?![0-9A-Za-z])")
_SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _unit_text(unit: str) -> str:
    """How a unit of the files is written on a figure: Ω, m², ° — and nothing for "1"."""
    if unit in ("1", ""):
        return ""
    if unit == "deg":
        return "°"
    unit = re.sub(r"\bohm\b", "Ω", unit)
    return re.sub(r"(?<=[A-Za-z])([23])\b", lambda m: m.group(1).translate(_SUPERSCRIPTS), unit)


def engineering(values, unit: str) -> tuple[float, str]:
    """(factor, unit text) that put ``values`` (in ``unit``, SI) in engineering units: values ×
    factor lie in [1, 1000) in an SI-prefixed unit (8e-9 s → 8 ns, 1.2e-21 N m → 1.2 zN m). A
    unit without a prefix (°, dimensionless, m²), or values beyond the prefixes y–T, are kept
    as they are between 0.01 and 10⁴, else written with a power of ten ("10⁻³ m²"). Non-finite
    values are ignored."""
    v = np.abs(np.asarray(values, dtype=float))
    v = v[np.isfinite(v) & (v > 0)]
    text = _unit_text(unit)
    if not v.size:
        return 1.0, text
    top = float(v.max())
    power = 3 * math.floor(math.log10(top) / 3 + 1e-9)
    nearest = min(max(power, -24), 12)  # beyond y or T: the last prefix, if near enough
    if _PREFIXABLE.match(unit) and 1e-2 <= top * 10.0 ** -nearest < 1e4:
        return 10.0 ** -nearest, _PREFIXES[nearest] + text
    if 1e-2 <= top < 1e4:
        return 1.0, text
    return 10.0 ** -power, f"10{str(power).translate(_SUPERSCRIPTS)} {text}".rstrip()


# symbol and quantity of a file's variables and axes, by the last part of their name
_SYMBOLS = {
    "voltage": "V", "spin_accumulation": "V_s", "temperature": "T", "spin_temperature": "T_s",
    "charge_current": "I", "heat_current": "Q", "spin_current": "I_s", "torque": "τ",
    "magnet_torque": "τ", "entropy_production": "Ṡ", "switching_time": "t_sw", "final_m": "m",
    "m": "m", "theta": "θ", "phi": "φ", "current": "I", "heat": "P", "conductance": "G",
    "damping": "α", "spin_flip": "G_sf", "polarization": "P", "seebeck": "S", "mixing": "η",
    "anisotropy_field": "B_k", "saturation_magnetization": "M_s", "thickness": "d",
    "resistivity": "ρ", "spin_flip_length": "λ_sf", "hanle_field": "B", "spin_lifetime": "τ_sf",
    "length": "L", "area": "A", "conductance_per_area": "G/A", "resistance_area": "RA",
    "spin_asymmetry": "β", "thermal_conductivity": "κ", "spin_seebeck": "S_s",
    "node_temperature": "T", "switching_probability": "P_sw", "write_error_rate": "WER",
    "switched_trajectories": "N_sw",
}


def _symbol(name: str) -> str:
    if " - " in name:  # a difference of two quantities of one kind (results.pick): ΔV
        first, _, second = (_symbol(part.strip()) for part in name.partition(" - "))
        return f"Δ{first}" if first and first == second else ""
    return _SYMBOLS.get(re.sub(r"\[\d+\]$", "", name.split(".")[-1]), "")


def _quantity(name: str, attrs) -> str:
    """In words: "spin-transfer torque on right", "polar angle of right's magnetization",
    "peak of the temperature drive of free", "conductance of contacts[1]" (a magnetization
    angle or a layer's torque by :func:`~.paths.key_words`, else the variable's long name)."""
    if name.endswith((".magnetization.theta", ".magnetization.phi", ".magnet_torque")):
        return key_words(name)
    if attrs.get("long_name"):
        return re.sub(r"\s*\(NaN: none\)", "", str(attrs["long_name"]))
    return key_words(name)


def axis_label(name: str, attrs, unit_text: str, symbol: str | None = None) -> str:
    """"quantity, symbol (unit)" of variable or axis ``name`` with attributes ``attrs``
    (``symbol``: what is drawn of it, e.g. "|τ|", if not its own symbol)."""
    symbol = _symbol(name) if symbol is None else symbol
    label = _quantity(name, attrs) + (f", {symbol}" if symbol else "")
    return f"{label} ({unit_text})" if unit_text else label


# -- figures that fit --------------------------------------------------------------------------

def _figure(width: float, height: float):
    """A constrained-layout figure on an Agg canvas (headless; no pyplot, no backend switched)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _finish(fig):
    """Plain tick labels (no offset, no separate ×10ⁿ: values are in engineering units) and
    titles and labels wrapped until each lies inside the figure. Returns ``fig``."""
    from matplotlib.ticker import ScalarFormatter

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            fmt = axis.get_major_formatter()
            if isinstance(fmt, ScalarFormatter):
                fmt.set_useOffset(False)
                fmt.set_scientific(False)
    # each label within the length of its own axes (not across a neighbour's label), each
    # title within the figure
    texts = [(t, ax) for ax in fig.axes for t in (ax.xaxis.label, ax.yaxis.label)]
    texts += [(t, None) for t in [ax.title for ax in fig.axes] + list(fig.texts)]
    texts = [(t, ax, t.get_text()) for t, ax in texts if t.get_text()]
    for _ in range(4):  # wrapping moves the layout: measure again
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        changed = [_wrap_within(t, given, fig.bbox, ax and ax.get_window_extent(renderer),
                                renderer) for t, ax, given in texts]
        if not any(changed):
            break
    return fig


def _wrap_within(text, given: str, figure, span, renderer) -> bool:
    """Wrap ``given``, the words of ``text`` (a title or label), so that, centred where it is,
    it lies inside the box ``figure`` and is no longer than the box ``span`` along it (display
    pixels; None: no such limit); True if it was changed."""
    ext = text.get_window_extent(renderer)
    vertical = abs(text.get_rotation() % 180 - 90) < 1
    lo, hi, centre = ((figure.y0, figure.y1, (ext.y0 + ext.y1) / 2) if vertical
                      else (figure.x0, figure.x1, (ext.x0 + ext.x1) / 2))
    room = 2 * max(min(centre - lo, hi - centre), 0.25 * (hi - lo))
    if span is not None:
        room = min(room, span.height if vertical else span.width)

    def length(e):
        return e.height if vertical else e.width

    if length(ext) <= room and figure.contains(ext.x0, ext.y0) and \
            figure.contains(ext.x1, ext.y1):
        return False
    # the lines of a title stay lines; a unit, "(zN m)", is never cut (no-break spaces)
    lines = [re.sub(r"\([^()]*\)$", lambda m: m.group(0).replace(" ", "\u00a0"),
                    " ".join(line.split())) for line in given.split("\n") if line.strip()]
    for width in range(max(map(len, lines)), 7, -1):
        text.set_text("\n".join(textwrap.fill(line, width) for line in lines)
                      .replace("\u00a0", " "))
        if length(text.get_window_extent(renderer)) <= 0.98 * room:
            return True
    text.set_fontsize(text.get_fontsize() * 0.85)  # a single long word: smaller type
    return True


# -- sweeps and switching maps -----------------------------------------------------------------

def default_variable(ds) -> str:
    """The variable a figure of ``ds`` shows unless told: a switching map's switching
    probability (several trajectories per point) or switching time; in
    a sweep the torque on the magnet whose magnetization it turns (the whole layer's for a
    vertex of a layer), else on a dynamic magnet of the device file, else the first torque on a
    whole magnet that is not zero throughout (``MAGNET.torque``); without a magnet the voltage
    of the first internal node (``NODE.voltage``), else the first variable."""
    if "switching_probability" in ds:
        return "switching_probability"
    if "write_error_rate" in ds:  # a write-error curve (spincaloric wer --vary)
        return "write_error_rate"
    if "switching_time" in ds:
        return "switching_time"
    if "torque" not in ds.data_vars or "magnet" not in ds["torque"].dims:  # no magnet: the first internal node's voltage
        if "voltage" in ds.data_vars and "node" in ds["voltage"].dims and ds.sizes["node"]:
            inside = np.flatnonzero(ds["reservoir"].values == 0) if "reservoir" in ds.coords \
                else [0]
            return f"{ds['node'].values[inside[0] if len(inside) else 0]}.voltage"
        return str(next(iter(ds.data_vars)))
    magnets = [str(m) for m in ds["magnet"].values]
    index = ds.indexes["magnet"]
    swept = [re.sub(r"^(nodes|layers)\.", "", k).split(".")[0] for k in map(str, ds.coords)
             if k.endswith((".magnetization.theta", ".magnetization.phi"))]
    # a vertex LAYER_i of a diffusive layer turns the whole layer, the magnet LAYER
    candidates = [m for n in swept for m in (n, re.sub(r"_\d+$", "", n)) if m in index]
    if "dynamic" in ds.coords:
        candidates += [m for m, d in zip(magnets, ds["dynamic"].values) if d]
    candidates += magnets
    torque = ds["torque"].variable.values  # (..., magnet, component)
    moving = np.any(torque != 0, axis=tuple(range(torque.ndim - 2)) + (torque.ndim - 1,))
    magnet = next((m for m in candidates if moving[index.get_loc(m)]), candidates[0])
    return f"{magnet}.torque"


def plot_dataset(ds, variable: str | None = None, component: str | None = None):
    """A figure of a result file: a sweep or switching map (this function), a trajectory
    (:func:`plot_trajectory`) or a resonance file (:func:`plot_resonance`), with quantity,
    symbol and unit on every axis.

    1-D sweeps draw a line (a vector: its x, y, z components and its magnitude, unless
    ``component`` picks one); 2-D sweeps a map (a vector: ``component`` "x", "y", "z" or "norm";
    by default the signed projection v·û when all its vectors lie along one direction û — a
    torque at a fixed angle over voltage and temperature, its sign reversal visible on a
    scale symmetric about zero — else "norm"). Axes of one value are conditions, named in the
    title. The default variable is :func:`default_variable`; ``variable`` names a variable of
    the file or one owner's quantity, ``NODE.voltage`` (:func:`~spincaloric.io.results.pick`).
    A zipped sweep (``point`` axis) is drawn against its first zipped parameter. Returns the
    figure."""
    other = _other_kind_of_file(ds, variable, component)
    if other is not None:
        return other
    variable = variable or default_variable(ds)
    da = pick(ds, variable)
    if "bound" in da.dims:
        raise DeviceError("variable", f"{variable!r} is an interval (low and high bounds): "
                          "plot the quantity itself, drawn with its interval against one axis")
    ds, fixed = _drop_single_values(ds)
    da = da.isel({d: 0 for d in da.dims if d not in ds.dims and d not in VALUE_DIMS})
    dims = [d for d in ds.dims if d not in VALUE_DIMS]
    if not dims:
        raise DeviceError("plot", f"the file holds one point ({', '.join(fixed)}): nothing to "
                          "draw it against; vary a parameter over several values")
    attrs = dict(da.attrs)
    if "magnet" in da.dims:  # a switching map (or a sweep's torque): the first magnet
        magnet = str(da["magnet"].values[0])
        da = da.isel(magnet=0)
        attrs["long_name"] = f"{_quantity(variable, attrs)} of {magnet}"
    if "component" not in da.dims and component not in (None, "norm"):
        raise DeviceError("component", f"{variable!r} is a scalar: it has no {component} "
                          "component")
    title = [str(ds.attrs.get("title", ""))] + (["at " + ", ".join(fixed)] if fixed else [])
    if int(ds.attrs.get("trajectories", 1)) > 1:  # a switching-probability map
        t0 = ds.attrs.get("temperature")
        title.append(f"{int(ds.attrs['trajectories'])} trajectories per point"
                     + (f", T0 = {float(t0):g} K" if t0 is not None else ""))
    if len(dims) == 1:
        fig = _figure(6.4, 4.4)
        ax = fig.subplots()
        x = _axis_values(ds, dims[0])
        title.extend(_paired(ds, dims[0], x.name))
        xf, xunit = engineering(x.values, x.attrs.get("units", ""))
        curves = _curves(da, variable, component or "all")
        unit = _draw_curves(ax, x.values * xf, curves, attrs.get("units", ""))
        _draw_interval(ax, ds, variable, x.values * xf, fixed)
        if variable == "write_error_rate":
            _logarithmic_rates(ax, ds, x.values * xf)
        ax.set_ylabel(axis_label(variable, attrs, unit, _one_symbol(curves)))
        ax.set_xlabel(axis_label(str(x.name), x.attrs, xunit))
        if variable == "switching_time" and np.isnan(da.values).any():
            title.append("gaps: no switching")
    elif len(dims) == 2 and _few_lines(ds, dims, da, component):
        fig = _figure(6.4, 4.4)
        ax = fig.subplots()
        _draw_lines_of_few(ax, ds, dims, da, variable, component, attrs)
    elif len(dims) == 2:
        fig = _figure(6.4, 4.8)
        ax = fig.subplots()
        symbol = None
        if "component" in da.dims:
            da, symbol = _map_values(da, variable, component, title)
        _draw_map(fig, ax, ds, dims, da, variable, attrs, symbol)
        if variable == "switching_time" and np.isnan(da.values).any():
            title.append("white: no switching")
    else:
        raise DeviceError("plot", f"can draw 1-D or 2-D sweeps and maps, this one has "
                          f"{len(dims)} axes ({', '.join(dims)}): pick a value of "
                          f"{len(dims) - 2} of them (spincaloric plot --at AXIS=VALUE)")
    ax.set_title("\n".join(t for t in title if t), fontsize=9)
    return _finish(fig)


#: a 2-D sweep with an axis of at most this many values is drawn as that many lines
FEW_LINES = 4


def _few_lines(ds, dims, da, component) -> bool:
    """Whether a 2-D sweep is drawn as lines: one axis has at most :data:`FEW_LINES` values
    and the other more, and the quantity is a scalar (or one ``component`` of a vector)."""
    sizes = sorted(ds.sizes[d] for d in dims)
    scalar = "component" not in da.dims or component is not None
    return sizes[0] <= FEW_LINES < sizes[1] and scalar


def _draw_lines_of_few(ax, ds, dims, da, variable: str, component, attrs) -> None:
    """A 2-D sweep as a line over its long axis for each value of its short one (a parallel
    and an antiparallel Hanle curve), in engineering units, the short axis in the legend."""
    short, long = sorted(dims, key=lambda d: ds.sizes[d])
    if "component" in da.dims:
        da = _component(da, component)
    x = _axis_values(ds, long)
    xf, xunit = engineering(x.values, x.attrs.get("units", ""))
    s = ds[short]
    sf, sunit = engineering(s.values, s.attrs.get("units", ""))
    symbol = _symbol(short)
    gap = "" if sunit == "°" else " "  # 180°, 0.5 mT
    curves = {f"{symbol or short} = {v * sf:.4g}{gap}{sunit}".rstrip():
              np.asarray(da.isel({short: i}).transpose(long).values)
              for i, v in enumerate(np.asarray(s.values, float))}
    unit = _draw_curves(ax, x.values * xf, curves, attrs.get("units", ""))
    legend = ax.get_legend()
    if legend is not None:
        legend.set_title(_quantity(short, s.attrs), prop={"size": 8})
    own = _symbol(variable)
    shown = f"{own}_{component}" if own and component not in (None, "norm") else (
        f"|{own}|" if own and component == "norm" else None)
    ax.set_ylabel(axis_label(variable, attrs, unit, shown))
    ax.set_xlabel(axis_label(long, x.attrs, xunit))


def _draw_interval(ax, ds, variable: str, x, fixed) -> None:
    """A switching probability's 95 % interval (``VARIABLE_interval``, the first magnet's) as
    a band around its curve, and markers on the points of the map."""
    band = ds.get(f"{variable}_interval")
    if band is None:
        return
    band = band.isel({d: 0 for d in band.dims if d not in ds.dims and d not in VALUE_DIMS})
    band = band.isel(magnet=0) if "magnet" in band.dims else band
    low, high = band.sel(bound="low").values, band.sel(bound="high").values
    ax.fill_between(x, low, high, alpha=0.25, linewidth=0, label="95 % interval")
    for line in ax.get_lines():
        line.set_marker("o")
        line.set_markersize(3)
    ax.legend(fontsize=8)


def _logarithmic_rates(ax, ds, x) -> None:
    """A write-error curve on a logarithmic axis (rates span decades); a rate of 0 — no
    failure among the trajectories — drawn as a downward triangle at its interval's upper
    bound."""
    rate = np.asarray(ds["write_error_rate"].values, float)
    if not np.any(rate > 0):
        return
    ax.set_yscale("log")
    zero = rate == 0
    for line in ax.get_lines():  # the curve stops where no failure was seen
        y = np.asarray(line.get_ydata(), float)
        line.set_ydata(np.where(y > 0, y, np.nan))
    if zero.any():
        high = ds["write_error_rate_interval"].sel(bound="high").values
        ax.plot(x[zero], high[zero], "v", color="C0", label="no failure: below the upper bound")
        ax.legend(fontsize=8)


def _other_kind_of_file(ds, variable, component):
    """The figure of a trajectory or resonance file (:func:`plot_dataset`), None for a sweep or
    map; a ValueError (DeviceError naming the field) for a file without variables or a
    component that is not one."""
    if not ds.data_vars:
        raise ValueError("the file has no variables to plot")
    if component not in (None, "x", "y", "z", "norm"):
        raise DeviceError("component", f"must be x, y, z or norm, got {component!r}")
    if variable is None and {"frequency", "damping"} <= set(ds.data_vars):
        return plot_resonance(ds)  # a resonance file (spincaloric fmr -o)
    if "deviation" in ds and "energy" in ds.dims:  # distributions (solve --distributions)
        nodes = None if variable is None else [variable.removesuffix(".distribution")]
        return plot_distribution_file(ds, nodes)
    if "time" in ds.dims and "m" in ds:
        if variable is not None and variable not in ds.data_vars:
            raise DeviceError("variable", f"{variable!r}: "
                              + unknown("variable", variable, map(str, ds.data_vars)))
        return plot_trajectory(ds, variable=variable, component=component)
    return None


def _map_values(da, variable: str, component: str | None, title: list):
    """(values, symbol) a colour map draws of the vector ``da``: ``component``, or by default
    its signed projection on the one direction û of all its values (û added to ``title``),
    else its magnitude (of unit vectors, the component that varies most)."""
    base = _symbol(variable) or variable
    along = _common_axis(da) if component is None else None
    if along is not None:  # one direction throughout: its signed projection
        tidy = np.where(np.abs(along) < 1e-12, 0.0, along)  # no round-off in the title
        title.append("û = (" + ", ".join(f"{x:.3g}" for x in tidy + 0.0) + ")")
        return (da * _vector_like(da, along)).sum("component"), f"{base}·û"
    component = component or _varying_component(da)
    symbol = f"|{base}|" if component == "norm" else f"{base}_{component}"
    return _component(da, component), symbol


def _varying_component(da) -> str:
    """The default of a colour map of a vector: its magnitude, or for unit vectors (a
    magnetization: |m| = 1 everywhere, a blank map) the component that varies most."""
    norm = np.asarray(_component(da, "norm").values, float)
    if norm.size and np.all(np.abs(norm - 1.0) < 1e-6):
        spread = [float(np.ptp(np.asarray(da.sel(component=c).values, float)))
                  for c in ("x", "y", "z")]
        return "xyz"[int(np.argmax(spread))]
    return "norm"


def _common_axis(da) -> np.ndarray | None:
    """û (3,): the one direction (up to sign) of every vector of ``da`` (a ``component``
    axis), oriented along the largest; None when they point along different directions
    (beyond 10⁻⁶ of the largest) or all vanish."""
    v = np.moveaxis(np.asarray(da.transpose(..., "component").values, float), -1, 0)
    v = v.reshape(3, -1)
    size = np.linalg.norm(v, axis=0)
    if not size.size or size.max() == 0:
        return None
    axis = v[:, np.argmax(size)] / size.max()
    off = np.linalg.norm(np.cross(v.T, axis), axis=1)
    return axis if off.max() <= 1e-6 * size.max() else None


def _vector_like(da, vector: np.ndarray):
    """``vector`` (3,) as a DataArray along ``da``'s ``component`` axis."""
    return da.isel({d: 0 for d in da.dims if d != "component"}, drop=True).copy(
        data=np.asarray(vector, float))


def _component(da, component: str):
    """One component ("x", "y", "z") of a vector DataArray, or its magnitude ("norm")."""
    if component == "norm":
        return np.sqrt((da**2).sum("component"))
    return da.sel(component=component)


def _curves(da, name: str, component: str, prefix: str = "") -> dict:
    """{legend label: values} of ``da`` (a vector: ``component`` "x", "y", "z", "norm" or
    "all": x, y, z and the magnitude), labelled by the symbol of ``name``."""
    symbol = _symbol(name) or name
    if "component" not in da.dims:
        return {prefix + symbol: np.asarray(da.values)}
    parts = ["x", "y", "z"] + (["norm"] if name != "m" else []) if component == "all" \
        else [component]  # |m| = 1: no line of its own
    return {prefix + (f"|{symbol}|" if c == "norm" else f"{symbol}_{c}"):
            np.asarray(_component(da, c).values) for c in parts}


def _one_symbol(curves: dict) -> str | None:
    """The legend label of a single curve ("|τ|", "τ_y"): the symbol of its axis label."""
    return next(iter(curves)) if len(curves) == 1 else None


def _draw_curves(ax, x, curves: dict, unit: str) -> str:
    """Draw ``curves`` against ``x`` in one engineering unit of ``unit`` (magnitudes dashed
    beside components); returns that unit's text."""
    factor, text = engineering(np.concatenate([np.ravel(v) for v in curves.values()]), unit)
    components = any("|" not in label for label in curves)
    colours = line_colours(len(curves))
    for (label, values), colour in zip(curves.items(), colours):
        ax.plot(x, values * factor, "--" if "|" in label and components else "-", label=label,
                color=colour)
    if len(curves) > 1:  # many curves (a layer's vertices): more columns, outside the axes
        columns = 1 + (len(curves) - 1) // 8
        ax.legend(fontsize=8 if columns == 1 else 7, ncol=columns,
                  **({} if columns == 1 else {"loc": "upper left",
                                               "bbox_to_anchor": (1.01, 1.0)}))
    return text


def line_colours(count: int) -> list:
    """``count`` distinct line colours: the default cycle, or a sequential map beyond it."""
    import matplotlib

    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    if count <= len(cycle):
        return cycle[:count]
    return [matplotlib.colormaps["viridis"](i / (count - 1)) for i in range(count)]


def _draw_map(fig, ax, ds, dims, da, name: str, attrs, symbol: str | None = None) -> None:
    """A colour map of ``da`` over the two axes ``dims`` of ``ds``, in engineering units."""
    y, x = ds[dims[0]], ds[dims[1]]
    xf, xunit = engineering(x.values, x.attrs.get("units", ""))
    yf, yunit = engineering(y.values, y.attrs.get("units", ""))
    vf, vunit = engineering(da.values, attrs.get("units", ""))
    values = np.asarray(da.values, float)
    limits = {"vmin": 0.0, "vmax": 1.0} if name == "switching_probability" else {}
    finite = values[np.isfinite(values)]
    shown = np.asarray(da.transpose(*dims).values, float) * vf
    if name == "write_error_rate" and np.any(finite > 0):  # rates span decades: a log scale,
        from matplotlib.colors import LogNorm  # a rate of 0 (no failure seen) left blank

        positive = finite[finite > 0] * vf
        limits = {"norm": LogNorm(vmin=positive.min(), vmax=max(positive.max(),
                                                                positive.min() * 10))}
        shown = np.where(shown > 0, shown, np.nan)
    elif not limits and finite.size and finite.min() < 0 < finite.max():  # signed: zero white
        top = float(np.abs(finite).max()) * vf
        limits = {"vmin": -top, "vmax": top, "cmap": "RdBu_r"}
    mesh = ax.pcolormesh(x.values * xf, y.values * yf, shown, shading="auto",
                         **limits)  # a probability on its whole range, 0 to 1
    label = axis_label(name, attrs, vunit, symbol)
    if name == "write_error_rate" and np.any(finite == 0):
        label += "\n(blank: no failure among the trajectories)"
    fig.colorbar(mesh, ax=ax, label=label)
    ax.set_xlabel(axis_label(dims[1], x.attrs, xunit))
    ax.set_ylabel(axis_label(dims[0], y.attrs, yunit))


def _drop_single_values(ds):
    """(``ds`` without its axes of one value, ["quantity = value unit" of each]): a parameter
    held fixed by a one-value --vary is a condition of the figure, not an axis of it."""
    single = [d for d in ds.dims if d not in VALUE_DIMS and ds.sizes[d] == 1]
    if not single:
        return ds, []
    ds = ds.isel({d: 0 for d in single})
    fixed = []
    for name, c in ds.coords.items():
        if c.ndim == 0 and np.issubdtype(c.dtype, np.number) and "units" in c.attrs:
            fixed.append(_condition(str(name), c, [float(c)]))
    return ds, fixed


def _condition(name: str, coord, values) -> str:
    """"quantity symbol = value unit" (or "= first … last unit" of two ``values``) of the
    coordinate ``name`` in a title, in engineering units."""
    factor, unit = engineering(coord.values, coord.attrs["units"])
    symbol = _symbol(name)
    shown = " … ".join(f"{v * factor:.4g}" for v in values)
    return f"{_quantity(name, coord.attrs)}{' ' + symbol if symbol else ''} = {shown} {unit}".rstrip()


def _paired(ds, dim, shown) -> list[str]:
    """The parameters of a zipped sweep that change along its ``point`` axis ``dim`` beside the
    one drawn (``shown``), each as "quantity symbol = first … last unit along the line"."""
    out = []
    for name, c in ds.coords.items():
        if name in (dim, shown) or c.dims != (dim,) or "units" not in c.attrs:
            continue
        ends = [float(c.values[0]), float(c.values[-1])]
        out.append(_condition(str(name), c, ends) + " along the line")
    return out


def _axis_values(ds, dim):
    """The values to draw a 1-D sweep against: the axis itself, or — for a zipped sweep, whose
    ``point`` axis is a bare index — its first zipped parameter."""
    if dim in ds.coords and ds[dim].attrs.get("units") is not None:
        return ds[dim]
    zipped = [c for c in ds.coords if c != dim and ds[c].dims == (dim,)]
    return ds[zipped[0]] if zipped else ds[dim]


# -- trajectories ------------------------------------------------------------------------------

def plot_trajectory(ds, trajectory: int = 0, variable: str | None = None,
                    component: str | None = None):
    """A figure of a trajectory file (``spincaloric run -o``, :meth:`Trajectory.to_xarray
    <spincaloric.dynamics.trajectory.Trajectory.to_xarray>`) against time, trajectory
    ``trajectory`` of the ensemble: the magnetization components m_x, m_y, m_z of every dynamic
    magnet (with the ensemble mean, dashed, for an ensemble), each drive, the temperatures of
    the nodes that store heat, and the torque on each magnet (its magnitude, or
    ``component``); the switching instant marked. With
    ``variable`` that variable alone (every contact, magnet or component a line). Returns the
    figure."""
    if not 0 <= trajectory < ds.sizes.get("ensemble", 1):
        raise DeviceError("trajectory", f"the file holds {ds.sizes.get('ensemble', 1)} "
                          f"trajectories, got {trajectory}")
    run = ds.isel(ensemble=trajectory) if "ensemble" in ds.dims else ds
    time = ds["time"]
    tf, tunit = engineering(time.values, time.attrs.get("units", "s"))
    t = time.values * tf
    if variable is not None:
        if "time" not in ds[variable].dims:
            raise DeviceError("variable", f"{variable!r} does not depend on time; the time "
                              "series are " + ", ".join(str(v) for v in ds.data_vars
                                                        if "time" in ds[v].dims))
        if "component" not in ds[variable].dims and component not in (None, "norm"):
            raise DeviceError("component", f"{variable!r} is a scalar: it has no {component} "
                              "component")
        panels = [[variable]]
    else:
        drives = [str(v) for v in ds.data_vars if str(v).startswith("drive_")]
        units = list(dict.fromkeys(ds[d].attrs.get("units", "") for d in drives))
        panels = [["m"], *([d for d in drives if ds[d].attrs.get("units", "") == u]
                           for u in units),
                  *([["node_temperature"]] if "node_temperature" in ds else []),
                  *([["torque"]] if "torque" in ds else [])]
    fig = _figure(7.0, 2.0 + 2.0 * len(panels))
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, names in zip(axes, panels):
        _draw_panel(ax, t, run, names, component or ("norm" if names == ["torque"] and
                                                      variable is None else "all"))
    if variable is None:
        axes[0].set_ylim(-1.05, 1.05)
        if ds.sizes.get("ensemble", 1) > 1:
            for j, magnet in enumerate(ds["magnet"].values):
                mean = ds["m"].isel(magnet=j).mean("ensemble")
                prefix = "" if ds.sizes["magnet"] == 1 else f"{magnet}: "
                for i, c in enumerate("xyz"):
                    axes[0].plot(t, mean.sel(component=c), "--", color=f"C{3 * j + i}", lw=1,
                                 label=f"{prefix}⟨m_{c}⟩")
        _mark_switching(axes, run, tf, tunit)
        axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes[-1].set_xlabel(f"time, t ({tunit})")
    title = [str(ds.attrs.get("title", ""))]
    kept, asked = ds.sizes.get("ensemble", 1), int(ds.attrs.get("ensemble_asked", 0))
    drawn = [what for key, what in (("thermal_start", "thermal starts"),
                                    ("temperature_noise", "thermal noise")) if ds.attrs.get(key)]
    if kept > 1 or drawn:
        title.append(", ".join(([f"trajectory {trajectory} of an ensemble of {kept}"
                                 + ("; dashed: ensemble mean" if variable is None else "")]
                                if kept > 1 else []) + drawn))
    if "interrupted_at" in ds.attrs:
        end = float(ds.attrs["interrupted_at"])
        factor, unit = engineering(end, "s")
        title.append(f"interrupted: the {kept} of {asked} trajectories that finished"
                     if asked > kept else
                     f"interrupted at {end * factor:.4g} {unit}: the part that finished")
    axes[0].set_title("\n".join(x for x in title if x), fontsize=9)
    return _finish(fig)


def _draw_panel(ax, t, run, names, component: str) -> None:
    """One panel of a trajectory: the variables ``names`` of ``run`` (one trajectory; dims
    time, maybe magnet or contact, maybe component) against ``t``, in one unit: a line per
    magnet, contact and component."""
    curves, attrs, symbol_of = {}, dict(run[names[0]].attrs), names[0]
    for name in names:
        da = run[name]
        if name.startswith("drive_"):  # drive_NODE_QUANTITY, long name "NODE QUANTITY"
            node, _, symbol_of = str(da.attrs.get("long_name", name)).rpartition(" ")
            attrs["long_name"] = f"drive: {symbol_of} of {node}"
            curves.update(_curves(da, symbol_of, component,
                                  f"{node}: " if len(names) > 1 else ""))
            continue
        (dim, *_) = [d for d in da.dims if d not in ("time", "component")] or [None]
        labels = [None] if dim is None else [str(v) for v in da[dim].values]
        for i, label in enumerate(labels):
            part = da if label is None else da.isel({dim: i})
            curves.update(_curves(part, name, component, "" if len(labels) == 1
                                  else f"{label}: "))
        if len(labels) == 1 and dim == "magnet":
            on = "on" if name == "torque" else "of"
            attrs["long_name"] = f"{attrs.get('long_name', name)} {on} {labels[0]}"
    unit = _draw_curves(ax, t, curves, attrs.get("units", ""))
    ax.set_ylabel(axis_label(symbol_of, attrs, unit, _one_symbol(curves)) if len(names) == 1
                  else f"drives ({unit})" if unit else "drives")


def _mark_switching(axes, run, tf: float, tunit: str) -> None:
    """A dotted vertical line at the switching instant (s, drawn × ``tf`` in ``tunit``) of
    each magnet of ``run`` (one trajectory) that switched."""
    if "switching_time" not in run:
        return
    times = np.atleast_1d(run["switching_time"].values)
    for magnet, ts in zip(np.atleast_1d(run["magnet"].values), times):
        if np.isfinite(ts):
            who = f"{magnet} " if len(times) > 1 else ""
            for k, ax in enumerate(axes):
                ax.axvline(ts * tf, color="0.4", ls=":", lw=1,
                           label=(f"{who}switched, {ts * tf:.3g} {tunit}" if k == 0 else None))


# -- ferromagnetic resonance -------------------------------------------------------------------

def plot_resonance(ds):
    """A figure of a resonance sweep (``spincaloric fmr --vary``,
    :func:`spincaloric.studies.resonance.resonance_sweep`): the resonance frequency f and the
    effective damping α_eff against the first varied parameter, a line per value of a second
    one. Returns the figure."""
    ds, fixed = _drop_single_values(ds)
    dims = [d for d in ds["frequency"].dims]
    if not dims or len(dims) > 2:
        raise DeviceError("plot", f"can draw resonances against one or two varied parameters, "
                          f"this file has {len(dims)} axes")
    x = ds[dims[0]]
    xf, xunit = engineering(x.values, x.attrs.get("units", ""))
    fig = _figure(6.4, 6.0)
    top, bottom = fig.subplots(2, 1, sharex=True)
    for ax, name, label in ((top, "frequency", "resonance frequency, f"),
                            (bottom, "damping", "effective damping, α_eff")):
        da = ds[name]
        yf, yunit = engineering(da.values, da.attrs.get("units", ""))
        if len(dims) == 1:
            ax.plot(x.values * xf, da.values * yf, marker="o", ms=3)
        else:
            other = ds[dims[1]]
            of, ounit = engineering(other.values, other.attrs.get("units", ""))
            for i, value in enumerate(other.values):
                ax.plot(x.values * xf, da.isel({dims[1]: i}).values * yf, marker="o", ms=3,
                        label=f"{_symbol(dims[1]) or dims[1]} = {value * of:.4g} {ounit}".rstrip())
            ax.legend(fontsize=8)
        ax.set_ylabel(label + (f" ({yunit})" if yunit else ""))
        ax.grid(alpha=0.3)
    bottom.set_xlabel(axis_label(dims[0], x.attrs, xunit))
    title = [str(ds.attrs.get("title", "")), f"resonance of {ds.attrs.get('magnet', '')}"]
    top.set_title("\n".join(t for t in title + (["at " + ", ".join(fixed)] if fixed else [])
                            if t), fontsize=9)
    return _finish(fig)
