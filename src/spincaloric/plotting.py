"""Figures of results (needs matplotlib: ``pip install 'spincaloric[plot]'``).

:func:`plot_dataset` draws the files of ``spincaloric sweep`` and ``spincaloric map``;
:func:`plot_distributions` the energy-resolved distributions of :mod:`spincaloric.spectral`.
"""

from __future__ import annotations

import numpy as np

from .constants import BOLTZMANN, ELEMENTARY_CHARGE
from .device import DeviceError


def plot_distributions(sol, nodes=None, *, window: float = 12.0, fig=None):
    """Draw the non-equilibrium part of the distributions of ``nodes`` (names; default all
    internal nodes) of a :class:`~spincaloric.spectral.SpectralSolution`: the charge part
    f_c(ε) − f0(ε) (top) and the spin part |f⃗_↑−↓(ε)| projected on its largest direction
    (bottom), against ε − μ0 in meV, over ±``window`` k_B T0. Returns the figure."""
    from matplotlib.figure import Figure  # no pyplot: works headless and leaves backends alone

    if fig is None:
        fig = Figure(figsize=(6.4, 5.6), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True)
    c = sol.circuit
    names = list(nodes) if nodes is not None else [c.names[i] for i in c.internal]
    for name in names:
        if name not in c.index:
            raise ValueError(f"nodes: unknown node {name!r}")
    mev = sol.energies / ELEMENTARY_CHARGE * 1e3
    keep = np.abs(sol.energies) <= window * BOLTZMANN * c.temperature
    for name in names:
        x = sol.deviations[:, c.index[name]]
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
    import textwrap

    title = textwrap.fill(f"{c.title or 'device'}: T0 = {c.temperature:g} K", width=70)
    axes[0].set_title(title, fontsize="medium")
    return fig


def save_png(fig, path, *, dpi: int = 120, make_dirs: bool = False) -> None:
    """Write ``fig`` to ``path`` as PNG atomically (never a half-written file); with
    ``make_dirs`` the parent directories are created first."""
    from pathlib import Path

    from .io import atomic_write

    path = Path(path)
    if make_dirs:
        path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi))


def plot_dataset(ds, variable: str | None = None, component: str | None = None):
    """A sensible figure of a sweep or switching map, with units on every axis.

    1-D sweeps draw a line (a vector: its x, y, z components and its magnitude, unless
    ``component`` picks one); 2-D sweeps a map (a vector: ``component`` "x", "y", "z" or "norm",
    default "norm"). The default variable is the torque on the first magnet (the switching
    time for a switching map). A zipped sweep (``point`` axis) is drawn against its first
    zipped parameter. Returns the figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if not ds.data_vars:
        raise ValueError("the file has no variables to plot")
    if "time" in ds.dims and "m" in ds:
        raise DeviceError("plot", "this is a trajectory file (spincaloric run): draw it with "
                          "run --plot")
    ds, fixed = _drop_single_values(ds)
    dims = [d for d in ds.dims if d not in ("component", "magnet")]
    if not dims:
        raise DeviceError("plot", f"the file holds one point ({', '.join(fixed)}): nothing to "
                          "draw it against; vary a parameter over several values")
    if variable is None:
        # the first non-zero torque; through ds.variables (plain Variables), since building a
        # DataArray per name re-scans all of them (quadratic in a layered device's 10⁴ names)
        torque = next((str(v) for v, var in ds.variables.items() if str(v).endswith(".torque")
                       and float(np.abs(var.values).max()) > 0), None)
        default = "switching_time" if "switching_time" in ds else next(iter(ds.data_vars))
        variable = torque or default
    da = ds[variable]
    if "magnet" in da.dims:  # a switching map: the first magnet
        da = da.isel(magnet=0).assign_attrs(ds[variable].attrs)
    if component not in (None, "x", "y", "z", "norm"):
        raise DeviceError("component", f"must be x, y, z or norm, got {component!r}")
    name = ds[variable].attrs.get("long_name", variable)
    if "component" not in da.dims and component not in (None, "norm"):
        raise DeviceError("component", f"{variable!r} is a scalar: it has no {component} "
                          "component")
    curves = {name: da}
    if "component" in da.dims:
        norm = np.sqrt((da**2).sum("component")).assign_attrs(ds[variable].attrs)
        parts = {f"{name} {c}": da.sel(component=c) for c in ("x", "y", "z")}
        if component == "norm" or (component is None and len(dims) != 1):
            curves = {f"|{name}|": norm}
        elif component is not None:
            curves = {f"{name} {component}": parts[f"{name} {component}"]}
        else:
            curves = {**parts, f"|{name}|": norm}
    fig, ax = plt.subplots(figsize=(6, 4), constrained_layout=True)
    units = ds[variable].attrs.get("units", "")
    if len(dims) == 1:
        x = _axis_values(ds, dims[0])
        for label, values in curves.items():
            ax.plot(x, values, "--" if label.startswith("|") and len(curves) > 1 else "-",
                    label=label)
        ax.set_xlabel(f"{x.name} ({x.attrs.get('units', '')})")
        ax.set_ylabel(f"{name} ({units})" if len(curves) > 1 else f"{next(iter(curves))} "
                      f"({units})")
        if len(curves) > 1:
            ax.legend(fontsize=8)
    elif len(dims) == 2:
        x, y = ds[dims[1]], ds[dims[0]]
        (label, values), = curves.items()
        mesh = ax.pcolormesh(x, y, values, shading="auto")
        fig.colorbar(mesh, ax=ax, label=f"{label} ({units})")
        ax.set_xlabel(f"{dims[1]} ({x.attrs.get('units', '')})")
        ax.set_ylabel(f"{dims[0]} ({y.attrs.get('units', '')})")
    else:
        raise DeviceError("plot", f"can draw 1-D or 2-D sweeps, this one has {len(dims)} axes")
    ax.ticklabel_format(style="sci", scilimits=(-3, 4), useMathText=True)
    ax.set_title("\n".join([ds.attrs.get("title", ""), *(["at " + ", ".join(fixed)] if fixed
                                                         else [])]), fontsize=8)
    return fig


def _drop_single_values(ds):
    """(``ds`` without its axes of one value, ["key = value unit" of each]): a parameter held
    fixed by a one-value --vary is a condition of the figure, not an axis of it."""
    single = [d for d in ds.dims if d not in ("component", "magnet") and ds.sizes[d] == 1]
    if not single:
        return ds, []
    ds = ds.isel({d: 0 for d in single})
    fixed = [f"{name} = {float(c):g} {c.attrs.get('units', '')}".rstrip()
             for name, c in ds.coords.items() if c.ndim == 0 and np.issubdtype(c.dtype, np.number)
             and c.attrs.get("units") is not None]
    return ds, fixed


def _axis_values(ds, dim):
    """The values to draw a 1-D sweep against: the axis itself, or — for a zipped sweep, whose
    ``point`` axis is a bare index — its first zipped parameter."""
    if dim in ds.coords and ds[dim].attrs.get("units") is not None:
        return ds[dim]
    zipped = [c for c in ds.coords if c != dim and ds[c].dims == (dim,)]
    return ds[zipped[0]] if zipped else ds[dim]
