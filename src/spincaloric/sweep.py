"""Steady-state parameter sweeps: one batched solve over a grid, labelled xarray results.

A sweep varies reservoir drives and magnetization angles of a device over a grid::

    NODE.magnetization.theta = 0:180:181     # start:stop:count, degrees
    NODE.magnetization.phi   = 0,90          # or a comma-separated list
    NODE.voltage / NODE.temperature / NODE.current

The grid is solved in one call of the batched solver (no Python loop over points) and
returned as an :class:`xarray.Dataset` with one dimension per varied parameter, units in the
attributes.
"""

from __future__ import annotations

import math
import re

import numpy as np

from .device import Circuit, DeviceError

UNITS = {"theta": "deg", "phi": "deg", "voltage": "V", "temperature": "K", "current": "A"}
_RANGE = re.compile(r"^\s*([^:]+):([^:]+):([^:]+)\s*$")


def parse_vary(text: str) -> tuple[str, np.ndarray]:
    """``"right.magnetization.theta=0:180:181"`` -> (key, values); DeviceError if malformed."""
    if not isinstance(text, str) or "=" not in text:
        raise DeviceError("vary", f"expected KEY=start:stop:count or KEY=v1,v2,..., got {text!r}")
    key, spec = (s.strip() for s in text.split("=", 1))
    m = _RANGE.match(spec)
    try:
        if m:
            start, stop, count = float(m.group(1)), float(m.group(2)), float(m.group(3))
            if count != int(count) or count < 1:
                raise ValueError
            values = np.linspace(start, stop, int(count))
        else:
            values = np.array([float(v) for v in spec.split(",")])
    except ValueError:
        raise DeviceError(f"vary.{key}", f"cannot read values from {spec!r}") from None
    if not np.all(np.isfinite(values)):
        raise DeviceError(f"vary.{key}", "values must be finite")
    return key, values


def checked_axes(axes) -> list[tuple[str, np.ndarray]]:
    """``axes`` [(key, values)] as (str, 1-D float array) pairs: DeviceError ``vary`` or
    ``vary.KEY`` (the rules of :func:`~spincaloric.validation.real_array`) otherwise."""
    from .validation import real_array

    try:
        pairs = [(key, values) for key, values in axes]
    except (TypeError, ValueError):
        raise DeviceError("vary", f"must be a list of (key, values) pairs, got {axes!r}") from None
    out = []
    for key, values in pairs:
        if not isinstance(key, str):
            raise DeviceError("vary", f"a key must be a string such as 'right.voltage', got "
                              f"{key!r}")
        values = real_array(values, f"vary.{key}", error=DeviceError)
        if values.ndim != 1:
            raise DeviceError(f"vary.{key}", f"must be a list of values, got shape "
                              f"{values.shape}")
        out.append((key, values))
    return out


def _angles(m: np.ndarray) -> tuple[float, float]:
    return (math.degrees(math.acos(max(-1.0, min(1.0, m[2])))),
            math.degrees(math.atan2(m[1], m[0])))


FAST = ("voltage", "temperature", "current", "magnetization.theta", "magnetization.phi")


def is_fast(circuit: Circuit, key: str) -> bool:
    """A reservoir drive or magnetization angle: solved batched without rebuilding."""
    node, _, what = key.partition(".")
    return node in circuit.index and what in FAST


def sweep_file(data: dict, axes: list[tuple[str, np.ndarray]], zipped: bool = False):
    """Sweep the device described by ``data`` (a parsed device file) over ``axes``.

    Reservoir drives and magnetization angles are solved in one batched call; any other
    numeric value written in the file (``contacts[1].conductance``, ``nodes.spacer.spin_flip``
    or ``spacer.spin_flip``, ``temperature``) rebuilds the circuit for each of its values.
    ``zipped``: the axes are paired point by point (equal lengths) into one dimension
    ``point`` instead of a grid.
    """
    import copy

    import xarray as xr

    from .io import spec_from_dict
    from .maps import set_path

    circuit = spec_from_dict(data).device.finalize()
    axes = checked_axes(axes)
    if len({k for k, _ in axes}) != len(axes):
        raise DeviceError("vary", "each parameter may be varied once")
    fast = [(k, v) for k, v in axes if is_fast(circuit, k)]
    slow = [(k, v) for k, v in axes if not is_fast(circuit, k)]
    for key, _ in slow:
        set_path(copy.deepcopy(data), key, 0.0)  # a wrong path fails here, with its field
    if zipped:
        lengths = {len(v) for _, v in axes}
        if len(lengths) != 1:
            raise DeviceError("vary", f"--zip needs equal lengths, got {sorted(lengths)}")
        n = lengths.pop()
        if not slow:
            return run_sweep(circuit, fast, zipped=True)
        parts = []
        for i in range(n):
            d = copy.deepcopy(data)
            for key, values in slow:
                set_path(d, key, float(values[i]))
            c = spec_from_dict(d).device.finalize()
            parts.append(_grid(c, [(k, v[i:i + 1]) for k, v in fast], zipped=True))
        # the points, one after the other (every part has one point)
        variables = {name: (dims, np.concatenate([p[0][name][1] for p in parts]), attrs)
                     for name, (dims, _, attrs) in parts[0][0].items()}
        return xr.Dataset(variables, coords=_coords(fast, slow, zipped=True),
                          attrs=parts[0][1])
    if not slow:
        return run_sweep(circuit, fast)
    grids = np.meshgrid(*[v for _, v in slow], indexing="ij")
    parts = []
    for combo in zip(*(g.ravel() for g in grids)):
        d = copy.deepcopy(data)
        for (key, _), value in zip(slow, combo):
            set_path(d, key, float(value))
        c = spec_from_dict(d).device.finalize()
        parts.append(_grid(c, fast))
    # stacked as plain arrays: xarray's concat/combine re-scan every variable for each one
    # (minutes for a layered device of 10³ variables)
    slow_shape = grids[0].shape
    variables = {name: ([k for k, _ in slow] + dims,
                        np.stack([p[0][name][1] for p in parts]).reshape(
                            slow_shape + parts[0][0][name][1].shape), attrs)
                 for name, (dims, _, attrs) in parts[0][0].items()}
    ds = xr.Dataset(variables, coords=_coords(fast, slow), attrs=parts[0][1])
    return ds.transpose(*[k for k, _ in axes], ...)


def run_sweep(circuit: Circuit, axes: list[tuple[str, np.ndarray]], zipped: bool = False):
    """Solve ``circuit`` on the grid spanned by ``axes`` [(key, values)] (reservoir drives and
    magnetization angles) in one batched call; ``zipped`` pairs equal-length axes into one
    dimension ``point``. An xarray Dataset."""
    import xarray as xr

    axes = checked_axes(axes)
    variables, attrs = _grid(circuit, axes, zipped)
    # one Dataset from all the variables: adding them one by one re-aligns all the previous
    # ones each time (quadratic: minutes for a layered device of 10³ variables)
    return xr.Dataset(variables, coords=_coords(axes, [], zipped), attrs=attrs)


def _coords(fast, slow, zipped: bool = False) -> dict:
    """Coordinates of a sweep: each axis (or the shared ``point`` axis) with its unit, and the
    vector components."""
    from .maps import unit_of

    coords = {k: ("point" if zipped else k, v, {"units": UNITS[k.split(".")[-1]]})
              for k, v in fast}
    coords.update({k: ("point" if zipped else k, v, {"units": unit_of(k)}) for k, v in slow})
    coords["component"] = ["x", "y", "z"]
    return coords


def _grid(circuit: Circuit, axes: list[tuple[str, np.ndarray]], zipped: bool = False):
    """The solution of :func:`run_sweep` as ({name: (dims, array, attrs)}, dataset attrs)."""
    if len({k for k, _ in axes}) != len(axes):
        raise DeviceError("vary", "each parameter may be varied once")
    if zipped:
        shape = (len(axes[0][1]),) if axes else ()
        grids = [np.asarray(v) for _, v in axes]
    else:
        shape = tuple(len(v) for _, v in axes)
        grids = np.meshgrid(*[v for _, v in axes], indexing="ij") if axes else []
    kw = {"voltage": {}, "temperature": {}, "current": {}}
    angles = {}
    for (key, _), grid in zip(axes, grids):
        parts = key.split(".")
        node = parts[0]
        if node not in circuit.index:
            raise DeviceError(f"vary.{key}", f"unknown node {node!r}")
        what = ".".join(parts[1:])
        if what in ("magnetization.theta", "magnetization.phi"):
            if not circuit.ferromagnet[circuit.index[node]]:
                raise DeviceError(f"vary.{key}", "only a ferromagnet has a magnetization")
            angles.setdefault(node, {})[parts[2]] = grid
        elif what in ("voltage", "temperature", "current"):
            kw[what][node] = grid
        else:
            raise DeviceError(f"vary.{key}", "can vary NODE.voltage, NODE.temperature, "
                              "NODE.current, NODE.magnetization.theta or .phi")
    mags = {}
    for node, given in angles.items():
        theta0, phi0 = _angles(circuit.magnetization[circuit.index[node]])
        th = np.radians(np.broadcast_to(given.get("theta", theta0), shape))
        ph = np.radians(np.broadcast_to(given.get("phi", phi0), shape))
        mags[node] = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], -1)
    sol = circuit.solve(magnetization=mags, **kw)
    dims = ["point"] if zipped else [k for k, _ in axes]
    variables = {}

    def put(name, value, units, long_name, vector=False):
        value = np.broadcast_to(value, shape + ((3,) if vector else ()))
        variables[name] = (dims + (["component"] if vector else []), np.asarray(value),
                           {"units": units, "long_name": long_name})

    for name, s in sol.nodes.items():
        put(f"{name}.voltage", s.voltage, "V", f"electric potential of {name}")
        put(f"{name}.spin_accumulation", s.spin_accumulation, "V",
            f"spin accumulation of {name}", True)
        put(f"{name}.temperature", s.temperature, "K", f"temperature of {name}")
        put(f"{name}.spin_temperature", s.spin_temperature, "K", f"spin temperature of {name}",
            True)
    for name, s in sol.reservoirs.items():  # the solved voltage of a current-biased lead
        if circuit.current_biased[circuit.index[name]]:  # (a floating detector: the signal)
            put(f"{name}.voltage", s.voltage, "V", f"electric potential of {name} (solved)")
    for r in sol.contacts:
        tag = f"{r.between[0]}->{r.between[1]}"
        put(f"{tag}.charge_current", r.charge_current, "A", f"charge current {tag}")
        put(f"{tag}.heat_current", r.heat_current, "W", f"heat current {tag}")
        put(f"{tag}.spin_current", r.spin_current, "A", f"spin current {tag}", True)
    for name, tau in sol.torques.items():
        put(f"{name}.torque", tau, "N m", f"spin-transfer torque on {name}", True)
    # a diffusive ferromagnetic layer is one magnet: its torque, under its first vertex
    groups = circuit.magnet_group
    for g in np.unique(groups[groups >= 0]):
        members = np.flatnonzero(groups == g)
        if members.size > 1:
            first = circuit.names[members[0]]
            put(f"{first}.magnet_torque", sol.magnet_torque(first), "N m",
                f"spin-transfer torque on the layer of {first} (all its vertices)", True)
    put("entropy_production", sol.entropy_production, "W/K", "entropy production")
    return variables, dict(title=circuit.title, regime=circuit.regime,
                           temperature=circuit.temperature)


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

    dims = [d for d in ds.dims if d not in ("component", "magnet")]
    if not ds.data_vars:
        raise ValueError("the file has no variables to plot")
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
    if "time" in dims and len(dims) > 2:
        raise DeviceError("plot", "this is a trajectory file (spincaloric run): draw it with "
                          "run --plot")
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
    ax.set_title(ds.attrs.get("title", ""), fontsize=8)
    return fig


def _axis_values(ds, dim):
    """The values to draw a 1-D sweep against: the axis itself, or — for a zipped sweep, whose
    ``point`` axis is a bare index — its first zipped parameter."""
    if dim in ds.coords and ds[dim].attrs.get("units") is not None:
        return ds[dim]
    zipped = [c for c in ds.coords if c != dim and ds[c].dims == (dim,)]
    return ds[zipped[0]] if zipped else ds[dim]
