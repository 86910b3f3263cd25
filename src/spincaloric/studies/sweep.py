"""Steady-state parameter sweeps: one batched solve over a grid, labelled xarray results.

A sweep varies parameters of a device file over a grid (``KEY=START:STOP:N``, ``KEY=V1,V2``
or ``KEY=VALUE``; keys as in :func:`~spincaloric.io.paths.resolve_key`)::

    NODE.magnetization.theta = 0:180:181     # degrees; also LAYER.magnetization.phi
    NODE.voltage / NODE.temperature / NODE.current   # of a reservoir: V, K, A
    contacts[1].conductance / layers.ch.hanle_field[2] / ...  # any value the file writes

Reservoir drives and magnetization angles are solved in one call of the batched solver (no
Python loop over points); any other value rebuilds the circuit for each of its values. The
result is an :class:`xarray.Dataset` with one dimension per varied parameter, units in the
attributes, and every quantity a solve reports (:meth:`~spincaloric.circuit.solution.Solution.reported`).
"""

from __future__ import annotations

import numpy as np

from ..circuit.backends import batched
from ..circuit.device import Circuit, DeviceError, vector_to_angles
from ..io.paths import check_keys, fast_target, is_fast, set_path, unit_of


def checked_axes(axes) -> list[tuple[str, np.ndarray]]:
    """``axes`` [(key, values)] as (str, 1-D float array) pairs: DeviceError ``vary`` or
    ``vary.KEY`` (the rules of :func:`~spincaloric.validation.real_array`) otherwise."""
    from ..validation import real_array

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

    from ..io.devicefile import spec_from_dict

    spec = spec_from_dict(data)
    circuit = spec.device.finalize()
    axes = checked_axes(axes)
    if len({k for k, _ in axes}) != len(axes):
        raise DeviceError("vary", "each parameter may be varied once")
    check_keys(data, circuit, [k for k, _ in axes])  # a wrong key fails here, with its field
    # a back end that takes no batches (the energy-resolved one, nonlinear in the drives):
    # every point is a solve of its own
    one_by_one = not batched(spec.solve_method)
    fast = [] if one_by_one else [(k, v) for k, v in axes if is_fast(circuit, k)]
    slow = axes if one_by_one else [(k, v) for k, v in axes if not is_fast(circuit, k)]

    def point(d):
        s = spec_from_dict(d)
        c = s.device.finalize()
        return c, ((lambda: s.steady(c)) if one_by_one else None)
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
            c, solve = point(d)
            parts.append(_grid(c, [(k, v[i:i + 1]) for k, v in fast], zipped=True, solve=solve,
                               varied=[k for k, _ in slow]))
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
        c, solve = point(d)
        parts.append(_grid(c, fast, solve=solve, varied=[k for k, _ in slow]))
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

    axes = checked_axes(axes)
    variables, attrs = _grid(circuit, axes, zipped)
    # one Dataset from all the variables: adding them one by one re-aligns all the previous
    # ones each time (quadratic: minutes for a layered device of 10³ variables)
    return xr.Dataset(variables, coords=_coords(axes, [], zipped), attrs=attrs)


def _coords(fast, slow, zipped: bool = False) -> dict:
    """Coordinates of a sweep: each axis (or the shared ``point`` axis) with its unit, and the
    vector components."""
    coords = {k: ("point" if zipped else k, v, {"units": unit_of(k)}) for k, v in fast}
    coords.update({k: ("point" if zipped else k, v, {"units": unit_of(k)}) for k, v in slow})
    coords["component"] = ["x", "y", "z"]
    return coords


def _grid(circuit: Circuit, axes: list[tuple[str, np.ndarray]], zipped: bool = False,
          solve=None, varied=()):
    """The solution of :func:`run_sweep` as ({name: (dims, array, attrs)}, dataset attrs);
    ``solve`` () -> Solution, if given, solves a circuit of one point (no axes) instead of the
    batched linear solver (the energy-resolved regime); ``varied``: keys of rebuilt axes,
    whose coordinates carry the values."""
    if len({k for k, _ in axes}) != len(axes):
        raise DeviceError("vary", "each parameter may be varied once")
    if zipped:
        shape = (len(axes[0][1]),) if axes else ()
        grids = [np.asarray(v) for _, v in axes]
    else:
        shape = tuple(len(v) for _, v in axes)
        grids = np.meshgrid(*[v for _, v in axes], indexing="ij") if axes else []
    kw = {"voltage": {}, "temperature": {}, "current": {}}
    angles, origin = {}, {}  # origin: the key of each target, and of each solver field
    for (key, _), grid in zip(axes, grids):
        target = fast_target(circuit, key)
        if target is None:
            raise DeviceError(f"vary.{key}", "can vary a reservoir's voltage, temperature or "
                              "current and a ferromagnet's magnetization.theta or .phi (NODE.x "
                              "or nodes.NODE.x; a ferromagnetic layer's LAYER.magnetization.x)")
        node, what = target
        if (node, what) in origin:
            raise DeviceError(f"vary.{key}", f"the same parameter as {origin[node, what]}")
        origin[node, what] = origin[f"{what.split('.')[0]}.{node}"] = key
        if what.startswith("magnetization"):
            angles.setdefault(node, {})[what.split(".")[1]] = grid
        else:
            kw[what][node] = grid
    mags = {}
    for node, given in angles.items():
        theta0, phi0 = vector_to_angles(circuit.magnetization[circuit.index[node]])
        th = np.radians(np.broadcast_to(given.get("theta", theta0), shape))
        ph = np.radians(np.broadcast_to(given.get("phi", phi0), shape))
        mags[node] = np.stack([np.sin(th) * np.cos(ph), np.sin(th) * np.sin(ph), np.cos(th)], -1)
    try:
        sol = solve() if solve is not None else circuit.solve(magnetization=mags, **kw)
    except DeviceError as err:  # named after the solver's argument: name the key instead
        if err.field not in origin:
            raise
        raise DeviceError(f"vary.{origin[err.field]}", err.reason) from None
    dims = ["point"] if zipped else [k for k, _ in axes]
    variables = {}

    def put(name, value, units, long_name, vector=False):
        value = np.broadcast_to(value, shape + ((3,) if vector else ()))
        variables[name] = (dims + (["component"] if vector else []), np.asarray(value),
                           {"units": units, "long_name": long_name})

    coords = {k for k, _ in axes} | set(varied)
    for q in sol.reported():  # everything a solve reports (solve --json)
        if q.key not in coords:  # a varied reservoir value: the coordinate carries it
            put(q.key, q.value, q.units, q.description, q.vector)
    return variables, dict(title=circuit.title, regime=circuit.regime,
                           temperature=circuit.temperature)
