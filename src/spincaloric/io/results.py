"""The layout of sweep files, and reading it: one variable per quantity over its owners.

A sweep file (``spincaloric sweep``, :func:`~spincaloric.studies.sweep.sweep_file`) of layout 2
(the dataset attribute ``spincaloric_format = 2``) holds every quantity of a solve as one
variable over the sweep's axes, then its owners, then ``component`` for a vector::

    voltage (..., node)                V     spin_accumulation (..., node, component)  V
    temperature (..., node)            K     spin_temperature (..., node, component)   K
    charge_current (..., contact)      A     spin_current (..., contact, component)    A
    heat_current (..., contact)        W     spin_heat_current (..., contact, component) W
    torque (..., magnet, component)    N m   entropy_production (...)                  W/K

with the coordinates ``node`` (names; ``reservoir`` 1 on a reservoir), ``contact`` ("A->B"),
``magnet`` (``dynamic`` 1 on a dynamic magnet of the device file) and ``component`` (x, y, z).

Layout 1 (no ``spincaloric_format`` attribute) held one variable per quantity and owner:
``NODE.voltage``, ``A->B.charge_current``, ``MAGNET.torque``, ..., a reservoir without spin
quantities and without a variable of a varied reservoir value (its coordinate
``NODE.voltage`` carried it). :func:`columnar` reads it into layout 2, and :func:`pick` finds
either ``voltage`` or ``NODE.voltage`` (the names of layout 1) in a file of layout 2.
"""

from __future__ import annotations

import re

import numpy as np

from ..circuit.device import DeviceError
from ..circuit.solution import OWNER_AXIS, QUANTITIES, SIGN_CONVENTIONS
from ..errors import unknown
from ..files import FORMAT_ATTRIBUTE, FORMAT_VERSION

#: The dimensions that label owners and components, not sweep axes.
OWNER_DIMS = ("node", "contact", "magnet", "component")
#: The dimensions of a result file that are not axes of a sweep or map: the owners and the
#: parts of a value (a vector's component, an interval's bound).
VALUE_DIMS = OWNER_DIMS + ("bound",)


def is_layout1(ds) -> bool:
    """Whether ``ds`` is a sweep file of layout 1 (module docstring)."""
    return FORMAT_ATTRIBUTE not in ds.attrs and any(
        "." in name and name.rpartition(".")[2] in OWNER_AXIS for name in map(str, ds.data_vars))


def columnar(ds):
    """``ds`` in layout 2 (module docstring): a sweep file of layout 1 rearranged — the same
    values, nodes in the order of the file (its internal nodes, then its reservoirs, whose spin
    accumulation and spin temperature are 0), a varied reservoir value taken from its
    coordinate — and any other dataset as it is. One pass over the variables."""
    import xarray as xr

    if not is_layout1(ds):
        return ds
    variables = ds.variables  # plain Variables: a DataArray per name re-scans every name
    found = {q: {} for q in OWNER_AXIS}  # quantity -> {owner: Variable}
    owners = {"node": {}, "contact": {}, "magnet": {}}  # axis -> owners in order (a dict)
    for name in map(str, ds.data_vars):
        owner, _, q = name.rpartition(".")
        if owner and q in OWNER_AXIS:
            found[q][owner] = variables[name]
            owners[OWNER_AXIS[q]].setdefault(owner, None)
    internal = [n for n in owners["node"] if n in found["spin_accumulation"]]
    nodes = internal + [n for n in owners["node"] if n not in found["spin_accumulation"]]
    sweep_dims = [d for d in variables["entropy_production"].dims] \
        if "entropy_production" in variables else [d for d in ds.dims if d not in OWNER_DIMS]
    shape = tuple(ds.sizes[d] for d in sweep_dims)
    labels = {"node": nodes, "contact": list(owners["contact"]),
              "magnet": list(owners["magnet"])}
    out = {}
    for q, axis in OWNER_AXIS.items():
        units, words, vector = QUANTITIES[q]
        tail = (3,) if vector else ()
        columns = []
        for owner in labels[axis]:
            var = found[q].get(owner)
            if var is not None:
                columns.append(var.transpose(*sweep_dims, ...).values)
            elif f"{owner}.{q}" in ds.coords:  # a varied reservoir value
                columns.append(_along(ds.coords[f"{owner}.{q}"], sweep_dims, shape))
            else:  # a reservoir's spin accumulation or spin temperature
                columns.append(np.zeros(shape + tail))
        value = (np.stack(columns, axis=len(shape)) if columns
                 else np.zeros(shape + (0,) + tail))
        out[q] = (sweep_dims + [axis] + (["component"] if vector else []), value,
                  {"units": units, "long_name": words})
    for name in map(str, ds.data_vars):
        if name.rpartition(".")[2] not in OWNER_AXIS:  # entropy production, ...
            var = variables[name]
            attrs = dict(var.attrs)
            if name in QUANTITIES:
                attrs.update(units=QUANTITIES[name][0], long_name=QUANTITIES[name][1])
            out[name] = (var.dims, var.values, attrs)
    coords = {str(k): c.variable for k, c in ds.coords.items() if str(k) != "component"}
    coords.update(
        component=("component", ["x", "y", "z"], {"long_name": "vector component"}),
        node=("node", nodes, {"long_name": "node"}),
        reservoir=("node", np.array([n not in internal for n in nodes], np.int8),
                   {"long_name": "1: a reservoir (a boundary of the circuit), 0: an internal "
                                 "node"}),
        contact=("contact", labels["contact"], {"long_name": "contact, from->to"}),
        magnet=("magnet", labels["magnet"], {"long_name": "magnet"}),
        dynamic=("magnet", np.array([int(found["torque"][m].attrs.get("dynamic_magnet", 0))
                                     for m in labels["magnet"]], np.int8),
                 {"long_name": "1: a dynamic magnet of the device file, 0: fixed"}))
    attrs = {**ds.attrs, **SIGN_CONVENTIONS, FORMAT_ATTRIBUTE: FORMAT_VERSION}
    return xr.Dataset(out, coords=coords, attrs=attrs)


def _along(coord, sweep_dims, shape) -> np.ndarray:
    """The values of coordinate ``coord`` (over one sweep dimension) on the whole grid."""
    (dim,) = coord.dims
    reshaped = np.reshape(coord.values, [-1 if d == dim else 1 for d in sweep_dims])
    return np.broadcast_to(reshaped, shape).astype(float)


def pick(ds, name: str):
    """The variable ``name`` of a result file as a DataArray of its sweep axes (and
    ``component``): a variable of the file (``torque``, ``switching_time``), or one owner's
    quantity, ``OWNER.quantity`` (``free.torque``, ``detector.voltage``,
    ``left->spacer.charge_current``), its ``long_name`` naming the owner. A variable over
    owners is picked whole when it has one owner (or over ``magnet``: the caller takes one).
    ``A - B`` is the difference of two such quantities of one unit (a lateral valve's
    non-local voltage ``detector.voltage - right.voltage``). DeviceError ``variable`` for an
    unknown name, with the close matches, or for a difference of two units."""
    if " - " in name and name not in ds.data_vars:
        return _difference(ds, name)
    if name in ds.data_vars:
        da = ds[name]
        for dim in ("node", "contact"):
            if dim in da.dims:
                if ds.sizes[dim] != 1:
                    example = f"{ds[dim].values[0]}.{name}"
                    raise DeviceError("variable", f"{name!r} has a value per {dim}: name one, "
                                      f"e.g. {example!r}")
                return _owner(da, dim, 0)
        return da
    owner, _, q = name.rpartition(".")
    da = ds.data_vars.get(q) if owner else None
    dims = [d for d in ("node", "contact", "magnet") if da is not None and d in da.dims]
    if not dims:
        contacts = ds["contact"].values.astype(str) if "contact" in ds.coords else []
        hint = (" (a name with '->' must be quoted in the shell)"
                if any(label.startswith(name) for label in contacts) else "")
        if _UNSPACED.search(owner):
            hint += " (a difference is written with spaces: 'A - B')"
        # the owner's own quantities beside the variables: "right.torqe" -> right.torque
        own = [f"{owner}.{q}" for q, v in ds.data_vars.items() for d in v.dims
               if d in ("node", "contact", "magnet") and owner in ds.indexes[d]]
        raise DeviceError("variable", f"{name!r}: " + unknown(
            "variable", name, [*map(str, ds.data_vars), *own]) + hint)
    index = ds.indexes[dims[0]]
    if owner not in index and _UNSPACED.search(owner):
        raise DeviceError("variable", f"{name!r}: not a {dims[0]}'s quantity; a difference of "
                          "two is written with spaces around the minus: 'A - B'")
    if owner not in index:
        raise DeviceError("variable", f"{name!r}: " + unknown(dims[0], owner, index))
    return _owner(da, dims[0], index.get_loc(owner))


#: an owner that is the first quantity and the start of a second: "detector.voltage-right"
#: of 'detector.voltage-right.voltage' (a difference written without spaces)
_UNSPACED = re.compile(r"\.\w+\s*[-+]\s*\w")


def _difference(ds, name: str):
    """``A - B`` (:func:`pick`): the two quantities' difference, in their unit."""
    first, _, second = (part.strip() for part in name.partition(" - "))
    if " - " in second:
        raise DeviceError("variable", f"{name!r}: a difference takes two quantities, A - B")
    a, b = pick(ds, first), pick(ds, second)
    units = (a.attrs.get("units", ""), b.attrs.get("units", ""))
    if units[0] != units[1] or a.dims != b.dims:
        raise DeviceError("variable", f"{name!r}: {first} is in {units[0] or 'no unit'} over "
                          f"({', '.join(a.dims)}), {second} in {units[1] or 'no unit'} over "
                          f"({', '.join(b.dims)}): a difference takes two of one unit")
    words = [str(x.attrs.get("long_name", x.name)) for x in (a, b)]
    owners = sorted({c for c in OWNER_AXIS.values() if c in a.coords and c not in a.dims})
    return a.drop_vars(owners).copy(data=a.values - b.values).rename(name).assign_attrs(
        units=units[0], long_name=f"{words[0]} minus {words[1]}")


def _owner(da, dim: str, i: int):
    """``da`` at owner ``i`` of ``dim``, its long name saying whose quantity it is."""
    owner = str(da[dim].values[i])
    words = str(da.attrs.get("long_name", da.name))
    joined = {"node": f"{words} of {owner}", "contact": f"{words} {owner}",
              "magnet": f"{words} on {owner}"}[dim]
    return da.isel({dim: i}).assign_attrs(long_name=joined)
