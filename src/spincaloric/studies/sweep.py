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

import contextlib
import math
import warnings

import numpy as np

from ..circuit.backends import batched
from ..circuit.device import Circuit, DeviceError, vector_to_angles
from ..circuit.memory import byte_size, physical_bytes
from ..circuit.solution import QUANTITIES, SIGN_CONVENTIONS
from ..files import FORMAT_ATTRIBUTE, FORMAT_VERSION
from ..io.paths import (
    check_keys,
    fast_target,
    is_fast,
    key_words,
    resolve_key,
    set_path,
    unit_of,
)


def checked_axes(axes, field: str = "vary") -> list[tuple[str, np.ndarray]]:
    """``axes`` [(key, values)] or {key: values} as (str, 1-D float array) pairs:
    DeviceError ``field`` or ``vary.KEY`` (the rules of
    :func:`~spincaloric.validation.real_array`) otherwise."""
    from ..validation import real_array

    try:
        pairs = [(key, values) for key, values in (axes.items() if isinstance(axes, dict)
                                                   else axes)]
    except (TypeError, ValueError):
        raise DeviceError(field, "must be a list of (key, values) pairs or a {key: values} "
                          f"mapping, got {axes!r}") from None
    out = []
    for key, values in pairs:
        if not isinstance(key, str):
            raise DeviceError(field, f"a key must be a string such as 'right.voltage', got "
                              f"{key!r}")
        values = real_array(values, f"vary.{key}", error=DeviceError)
        if values.ndim == 0:  # one value
            values = values.reshape(1)
        if values.ndim != 1:
            raise DeviceError(f"vary.{key}", f"must be a list of values, got shape "
                              f"{values.shape}")
        out.append((key, values))
    return out


class LargeResultWarning(UserWarning):
    """A sweep whose results take more than :data:`LARGE_RESULT` bytes of memory (and of
    file)."""


#: Grids of more points than this have their results' size estimated before they start
#: (from a sweep of their first point)
SIZE_CHECK_POINTS = 100_000
#: Results beyond this size (bytes) are warned of ...
LARGE_RESULT = 2**30
#: ... and beyond this share of the machine's memory refused: the sweep holds them in memory
MEMORY_SHARE = 0.5


def _check_result_size(data: dict, axes, zipped: bool) -> None:
    """Before a grid of more than :data:`SIZE_CHECK_POINTS` points: its results' size,
    estimated from sweeps of its first point and of two (the quantities of a point do not
    depend on the values varied), warned of beyond :data:`LARGE_RESULT` bytes and refused (DeviceError
    ``vary``) beyond :data:`MEMORY_SHARE` of the machine's memory."""
    points = len(axes[0][1]) if zipped else math.prod(len(v) for _, v in axes)
    if points <= SIZE_CHECK_POINTS:
        return
    # one point and two (along an axis that has two): the fixed part and a point's
    two = next(i for i, (_, v) in enumerate(axes) if len(v) > 1)
    one = sweep_file(data, [(k, v[:1]) for k, v in axes], zipped).nbytes
    per_point = sweep_file(data, [(k, v[:2] if zipped or i == two else v[:1])
                                  for i, (k, v) in enumerate(axes)], zipped).nbytes - one
    total, memory = one + (points - 1) * per_point, physical_bytes()
    what = f"{points:.3g} points hold about {byte_size(total)} of results"
    if memory and total > MEMORY_SHARE * memory:
        raise DeviceError("vary", f"{what}, more than half this machine's memory "
                          f"({byte_size(memory)}): fewer points")
    if total > LARGE_RESULT:
        warnings.warn(f"vary: {what} (in memory while solved, then in the file)",
                      LargeResultWarning, stacklevel=3)


@contextlib.contextmanager
def _naming_point(point):
    """A FieldError of one rebuilt point of a sweep names the point's other coordinates
    (:func:`~spincaloric.errors.at_point`)."""
    from ..errors import FieldError, at_point

    try:
        yield
    except FieldError as err:
        raise at_point(err, point) from None


def contacts_on_vertices(data: dict, layer: str) -> list[str]:
    """The interior vertices LAYER_k (0 < k < cells) of a layer of the parsed device file
    ``data`` that its contacts join by name."""
    cells = data.get("layers", {}).get(layer, {}).get("cells")
    found = []
    for contact in data.get("contacts", []):
        for end in contact.get("between", []) if isinstance(contact, dict) else []:
            head, _, k = str(end).rpartition("_")
            if head == layer and k.isdigit() and 0 < int(k) < (cells or 0) and end not in found:
                found.append(end)
    return found


def check_layer_key(data: dict, key: str) -> None:
    """A layer's ``cells`` or ``length`` varied while contacts join its interior vertices by
    name: the cells renumber the vertices (a DeviceError ``vary.KEY``: the contacts would keep
    their names but not their places, or name vertices that are gone); the length moves them
    (vertex k lies at k·length/cells: a warning that the contacts' distances scale with it)."""
    try:
        path = resolve_key(data, key)
    except DeviceError:
        return
    if len(path) != 3 or path[0] != "layers" or path[2] not in ("cells", "length"):
        return
    joined = contacts_on_vertices(data, path[1])
    if not joined:
        return
    if path[2] == "cells":
        raise DeviceError(f"vary.{key}", "the number of cells renumbers the layer's vertices: "
                          f"the contacts on {', '.join(joined)} would keep their names but not "
                          "their places — one device file per discretisation")
    warnings.warn(f"vary.{key}: the contacts on {', '.join(joined)} stay on their vertices, "
                  f"which move with the length (vertex k at k·length/cells): their distances "
                  f"along {path[1]} scale with it", LayerVertexWarning, stacklevel=3)


class LayerVertexWarning(UserWarning):
    """Contacts joined to a layer's vertices by name move when the layer's length varies."""


def _refuse_dynamics_key(data: dict, key: str) -> None:
    """A DeviceError ``vary.KEY`` for a value the steady state does not use: a heat capacity
    (stored heat), a drive's (``drives.*``: time-dependent drives act in the dynamics) or a
    dynamic magnet's parameter (``NAME.magnet.*``); the key names where to vary it instead."""
    try:
        path = resolve_key(data, key)
    except DeviceError:  # a sweep's own form (a layer vertex's angles), checked already
        return
    if key.rsplit(".", 1)[-1] in ("heat_capacity", "lattice_heat_capacity"):
        raise DeviceError(f"vary.{key}", "a heat capacity does not change a steady state: "
                          "vary it in the dynamics (spincaloric map)")
    if path[0] == "drives":
        node, quantity = path[1], path[2]
        raise DeviceError(f"vary.{key}", f"a drive acts in the dynamics (spincaloric map); "
                          f"a steady state takes the node's static value: vary "
                          f"{node}.{quantity}")
    if path[0] in ("nodes", "layers") and len(path) > 3 and path[2] == "magnet":
        raise DeviceError(f"vary.{key}", "a magnet's dynamics parameters do not change a "
                          "steady state: vary them in the dynamics (spincaloric map), or the "
                          f"magnetization's angles ({path[1]}.magnetization.theta, .phi)")


def sweep_file(data, axes, zipped: bool = False, progress: bool = False):
    """Sweep the device described by ``data`` (a device file's path, or its parsed content)
    over ``axes`` ([(key, values)] or {key: values}).

    Reservoir drives and magnetization angles are solved in batched calls
    (:func:`run_sweep`); any other numeric value written in the file
    (``contacts[1].conductance``, ``nodes.spacer.spin_flip`` or ``spacer.spin_flip``,
    ``temperature``) rebuilds the circuit for each of its values. ``zipped``: the axes are
    paired point by point (equal lengths) into one dimension ``point`` instead of a grid.
    ``progress``: report a large grid's blocks on stderr.
    """
    import copy

    import xarray as xr

    from ..io.devicefile import device_data, spec_from_dict

    data = device_data(data)
    spec = spec_from_dict(data)
    circuit = spec.device.finalize()
    axes = checked_axes(axes)
    if len({k for k, _ in axes}) != len(axes):
        raise DeviceError("vary", "each parameter may be varied once")
    check_keys(data, circuit, [k for k, _ in axes])  # a wrong key fails here, with its field
    for key, _ in axes:
        _refuse_dynamics_key(data, key)
        check_layer_key(data, key)
    _check_result_size(data, axes, zipped)
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
            return _mark_dynamic(run_sweep(circuit, fast, zipped=True), circuit, spec.magnets)
        parts = []
        for i in range(n):
            d = copy.deepcopy(data)
            for key, values in slow:
                set_path(d, key, float(values[i]))
            with _naming_point([(k, float(v[i])) for k, v in slow]):
                c, solve = point(d)
                parts.append(_grid(c, [(k, v[i:i + 1]) for k, v in fast], zipped=True,
                                   solve=solve, varied=[k for k, _ in slow]))
        # the points, one after the other (every part has one point; without batched axes a
        # part is a single solve whose values lack the point axis their dims name)
        owners = _same_owners(parts, slow)
        join = np.concatenate if fast else np.stack
        variables = {name: (dims, join([p[0][name][1] for p in parts]), attrs)
                     for name, (dims, _, attrs) in parts[0][0].items()}
        coords = _coords(fast, slow, zipped=True) | owners
        return _mark_dynamic(xr.Dataset(variables, coords=coords, attrs=parts[0][1]),
                             circuit, spec.magnets)
    if not slow:
        return _mark_dynamic(run_sweep(circuit, fast, progress=progress), circuit,
                             spec.magnets)
    grids = np.meshgrid(*[v for _, v in slow], indexing="ij")
    parts = []
    for combo in zip(*(g.ravel() for g in grids)):
        d = copy.deepcopy(data)
        for (key, _), value in zip(slow, combo):
            set_path(d, key, float(value))
        with _naming_point([(key, float(value)) for (key, _), value in zip(slow, combo)]):
            c, solve = point(d)
            parts.append(_grid(c, fast, solve=solve, varied=[k for k, _ in slow]))
    # stacked as plain arrays: xarray's concat/combine re-scan every variable for each one
    # (minutes for a layered device of 10³ variables)
    slow_shape = grids[0].shape
    owners = _same_owners(parts, slow)
    variables = {name: ([axis_name(k) for k, _ in slow] + dims,
                        np.stack([p[0][name][1] for p in parts]).reshape(
                            slow_shape + parts[0][0][name][1].shape), attrs)
                 for name, (dims, _, attrs) in parts[0][0].items()}
    ds = xr.Dataset(variables, coords=_coords(fast, slow) | owners, attrs=parts[0][1])
    return _mark_dynamic(ds.transpose(*[axis_name(k) for k, _ in axes], ...), circuit, spec.magnets)


def _same_owners(parts, slow) -> dict:
    """The node, contact and magnet coordinates of the rebuilt points ``parts`` (each
    (variables, attrs, owners) of :func:`_grid`), which must be the same at every point:
    DeviceError ``vary.KEY`` (the first of ``slow``) for a value that changes them (a layer's
    number of cells)."""
    owners = parts[0][2]
    for part in parts[1:]:
        if any(not np.array_equal(owners[k][1], part[2][k][1]) for k in owners):
            raise DeviceError(f"vary.{slow[0][0]}", "changes the device's nodes, contacts or "
                              "magnets; a sweep keeps them and varies values only")
    return owners


def _mark_dynamic(ds, circuit: Circuit, magnets):
    """``ds`` with the coordinate ``dynamic`` over ``magnet``: 1 for a dynamic magnet of the
    device file, else 0. ``magnets``: the file's dynamic magnets by node (a diffusive layer's
    under a vertex, which turns the whole layer)."""
    if "magnet" not in ds.coords:
        return ds
    dynamic = {circuit.magnet_name(n) for n in magnets if n in circuit.index}
    flag = np.isin(ds["magnet"].values.astype(str), list(dynamic)).astype(np.int8)
    return ds.assign_coords(dynamic=("magnet", flag, {
        "long_name": "1: a dynamic magnet of the device file (its magnetization evolves in "
                     "spincaloric run), 0: fixed"}))


#: Grid points of one batched solve of a sweep: a larger grid is solved in blocks of its first
#: axis (bounded temporaries, progress between blocks).
BLOCK_POINTS = 200_000


def run_sweep(circuit: Circuit, axes: list[tuple[str, np.ndarray]], zipped: bool = False,
              progress: bool = False):
    """Solve ``circuit`` on the grid spanned by ``axes`` [(key, values)] (reservoir drives and
    magnetization angles) in batched calls — blocks of the first axis of at most
    :data:`BLOCK_POINTS` points, reported on stderr with ``progress``; ``zipped`` pairs
    equal-length axes into one dimension ``point``. An xarray Dataset in the layout of
    :func:`_grid`."""
    import xarray as xr

    axes = checked_axes(axes)
    total = int(np.prod([len(v) for _, v in axes])) if axes else 1
    if zipped or not axes or total <= BLOCK_POINTS:
        variables, attrs, owners = _grid(circuit, axes, zipped)
    else:
        variables, attrs, owners = _blocks(circuit, axes, total, progress)
    return xr.Dataset(variables, coords=_coords(axes, [], zipped) | owners, attrs=attrs)


def _blocks(circuit: Circuit, axes, total: int, progress: bool):
    """:func:`_grid` of ``axes`` solved in blocks of rows of the first axis, joined."""
    first_key, first = axes[0]
    rows = max(1, BLOCK_POINTS * len(first) // total)
    starts = range(0, len(first), rows)
    bar = None
    if progress:
        from ..progress import Progress

        bar = Progress("sweep", len(starts), f"{total} points in {len(starts)} blocks")
    parts = []
    try:
        for lo in starts:
            parts.append(_grid(circuit, [(first_key, first[lo:lo + rows]), *axes[1:]]))
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    variables = {name: (dims, np.concatenate([p[0][name][1] for p in parts]), attrs)
                 for name, (dims, _, attrs) in parts[0][0].items()}
    return variables, parts[0][1], parts[0][2]


def axis_name(key: str) -> str:
    """The dimension of a sweep over ``key``: the key itself, but ``device_temperature`` for
    the device's ``temperature`` (the name of the node temperatures)."""
    return f"device_{key}" if key in QUANTITIES else key


def _close_node(circuit: Circuit, key: str) -> str:
    """"; 'NAME': unknown node; did you mean ...?" when the node a key names is not the
    circuit's (:func:`~spincaloric.errors.unknown`)."""
    from ..errors import unknown

    parts = key.split(".")
    name = parts[1] if parts[0] in ("nodes", "layers") and len(parts) > 2 else parts[0]
    known = list(circuit.index) + list(circuit.layers)
    return "" if name in known else f"; {name!r}: {unknown('node', name, known)}"


def _coords(fast, slow, zipped: bool = False) -> dict:
    """Coordinates of a sweep: each axis (or the shared ``point`` axis) with its unit, and the
    vector components."""
    coords = {}
    for k, v in [*fast, *slow]:
        attrs = {"units": unit_of(k),
                 "long_name": f"device {k}" if axis_name(k) != k else key_words(k)}
        coords[axis_name(k)] = ("point" if zipped else axis_name(k), v, attrs)
    coords["component"] = ("component", ["x", "y", "z"], {"long_name": "vector component"})
    return coords


def owner_coords(circuit: Circuit, magnets) -> dict:
    """The coordinates ``node`` (every node's name, circuit order, with ``reservoir`` 1 for a
    reservoir), ``contact`` ("A->B", device order; "A->B #k" where two contacts join the same
    nodes) and ``magnet`` (``magnets``: the names of :attr:`Solution.magnet_torques`; none
    without a magnet)."""
    ends = [circuit.between(k) for k in range(circuit.n_contacts)]
    magnets = list(magnets)
    labels = [f"{a}->{b}" for a, b in ends]
    seen = {}
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
    labels = [f"{x} #{k}" if seen[x] > 1 else x for k, x in enumerate(labels)]
    coords = {"node": ("node", list(circuit.names), {"long_name": "node"}),
            "reservoir": ("node", np.asarray(circuit.reservoir, np.int8),
                          {"long_name": "1: a reservoir (a boundary of the circuit), 0: an "
                                        "internal node"}),
            "contact": ("contact", labels, {"long_name": "contact, from->to (the positive "
                                                         "direction of its currents)"}),
            "magnet": ("magnet", magnets, {"long_name": "magnet (a diffusive ferromagnetic "
                                                         "layer as one)"})}
    return coords if magnets else {k: v for k, v in coords.items() if k != "magnet"}


def _grid(circuit: Circuit, axes: list[tuple[str, np.ndarray]], zipped: bool = False,
          solve=None, varied=()):
    """The solution of :func:`run_sweep` as ({name: (dims, array, attrs)}, dataset attrs,
    owner coordinates (:func:`owner_coords`)): every quantity of :meth:`Solution.columns
    <spincaloric.circuit.solution.Solution.columns>` one variable, over the sweep's axes, then
    ``node``, ``contact`` or ``magnet``, then ``component`` for a vector. ``solve`` () ->
    Solution, if given, solves a circuit of one point (no axes) instead of the batched linear
    solver (the energy-resolved regime); ``varied``: keys of rebuilt axes (unused: their
    coordinates carry the values)."""
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
                              "or nodes.NODE.x; a ferromagnetic layer's LAYER.magnetization.x)"
                              + _close_node(circuit, key))
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
    dims = ["point"] if zipped else [axis_name(k) for k, _ in axes]
    variables = {}
    batch = len(sol.shape)
    owners = owner_coords(circuit, sol.magnet_torques)
    for col in sol.columns():
        if col.owner is not None and col.owner not in owners:
            continue  # no magnet: no torque (a netCDF-3 dimension may not be empty)
        tail = ([col.owner] if col.owner else []) + (["component"] if col.vector else [])
        value = np.broadcast_to(col.value, shape + col.value.shape[batch:])
        variables[col.name] = (dims + tail, value, {"units": col.units,
                                                    "long_name": col.long_name})
    attrs = {"title": circuit.title, "regime": circuit.regime,
             "temperature": circuit.temperature, FORMAT_ATTRIBUTE: FORMAT_VERSION,
             **SIGN_CONVENTIONS}
    return variables, attrs, owners
