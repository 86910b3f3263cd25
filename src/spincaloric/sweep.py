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
    if "=" not in text:
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

    spec = spec_from_dict(data)
    circuit = spec.device.finalize()
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
            return _mark_dynamic(run_sweep(circuit, fast, zipped=True), spec.magnets)
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
        return _mark_dynamic(xr.Dataset(variables, coords=_coords(fast, slow, zipped=True),
                                        attrs=parts[0][1]), spec.magnets)
    if not slow:
        return _mark_dynamic(run_sweep(circuit, fast), spec.magnets)
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
    return _mark_dynamic(ds.transpose(*[k for k, _ in axes], ...), spec.magnets)


def _mark_dynamic(ds, magnets):
    """``ds`` with ``dynamic_magnet = 1`` on the torque of each dynamic magnet of the file
    (``magnets``: names; a layer's under its first vertex, whose torque is the layer's)."""
    for name in magnets:
        torque = f"{name}.magnet_torque" if f"{name}.magnet_torque" in ds else f"{name}.torque"
        if torque in ds:
            ds[torque].attrs["dynamic_magnet"] = 1
    return ds


def run_sweep(circuit: Circuit, axes: list[tuple[str, np.ndarray]], zipped: bool = False):
    """Solve ``circuit`` on the grid spanned by ``axes`` [(key, values)] (reservoir drives and
    magnetization angles) in one batched call; ``zipped`` pairs equal-length axes into one
    dimension ``point``. An xarray Dataset."""
    import xarray as xr

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
            for i in members:  # each vertex names the torque on its whole layer
                if (vertex := f"{circuit.names[i]}.torque") in variables:
                    variables[vertex][2]["layer_torque"] = f"{first}.magnet_torque"
    put("entropy_production", sol.entropy_production, "W/K", "entropy production")
    return variables, dict(title=circuit.title, regime=circuit.regime,
                           temperature=circuit.temperature)
