"""Keys of device files: where a ``--vary`` value goes, how it is written, its unit.

A key is a value's path in a device file — ``drives.free.temperature.peak``,
``nodes.free.magnet.damping`` or ``free.magnet.damping``, ``layers.free.magnet.damping``,
``nodes.right.voltage``, ``contacts[1].conductance``, ``layers.ch.hanle_field[2]``
(:func:`resolve_key`) — and ``KEY=START:STOP:N``, ``KEY=V1,V2,...`` or ``KEY=VALUE`` gives its
values (:func:`parse_vary`). Sweeps and switching maps vary device files through these keys;
the device-file reader checks a file's ``[sweep]`` keys with :func:`check_keys`.
"""

from __future__ import annotations

import re

import numpy as np

from ..circuit.device import Circuit, DeviceError, vector_to_angles
from ..errors import user_stacklevel
from .schema import AngleUnitWarning, field_unit, known_keys, radians_hint

_PART = re.compile(r"^([A-Za-z0-9_-]+)((?:\[\d+\])*)$")
#: Reservoir values that a key may vary although the file leaves them at their defaults
#: (0 V, the device temperature): the batched steady-state solve sets them directly.
_RESERVOIR_DEFAULTS = ("voltage", "temperature")


def _split(key: str) -> list:
    """``"layers.ch.hanle_field[2]"`` -> ["layers", "ch", "hanle_field", 2]."""
    parts = []
    for text in key.split("."):
        m = _PART.match(text.strip())
        if not m:
            raise DeviceError(f"vary.{key}", f"cannot read {text!r}: keys are dotted names "
                              "with [i] for a vector component or a contact, e.g. "
                              "right.temperature, layers.free.magnetization.phi, "
                              "contacts[1].conductance, layers.ch.hanle_field[2]")
        parts.append(m.group(1))
        parts += [int(i) for i in re.findall(r"\d+", m.group(2))]
    return parts


def _absolute(data: dict, key: str, parts: list) -> list:
    """``parts`` of ``key`` with ``nodes.``/``layers.`` in front where the key starts with a
    node or layer name; DeviceError ``vary.KEY`` for an unknown name, a layer's vertex, or a
    driven value addressed without ``drives.``."""
    from ..errors import unknown

    nodes, layers = data.get("nodes") or {}, data.get("layers") or {}
    if parts[0] not in known_keys(()):
        if parts[0] in nodes:
            parts = ["nodes", *parts]
        elif parts[0] in layers:
            parts = ["layers", *parts]
        else:
            layer = re.sub(r"_\d+$", "", parts[0])
            if layer in layers and layer != parts[0]:
                raise DeviceError(f"vary.{key}", f"{parts[0]} is a vertex of layer {layer}: "
                                  f"vary the layer's values (layers.{layer}.<field>)")
            raise DeviceError(f"vary.{key}", unknown(f"node, layer or key {parts[0]!r}", parts[0],
                                                   [*known_keys(()), *nodes, *layers]))
    drive = (data.get("drives") or {}).get(parts[1], {}) if len(parts) > 3 else {}
    if parts[0] == "nodes" and isinstance(drive, dict) and parts[2] in drive:
        path = ".".join(map(str, ["drives", *parts[1:]]))
        raise DeviceError(f"vary.{key}", f"{parts[1]}'s {parts[2]} is driven: its drive's "
                          f"values are under drives (did you mean {path}?)")
    return parts


def resolve_key(data: dict, key: str) -> list:
    """The device-file path (table keys and list indices) of a ``--vary`` key.

    Forms: a full path (``nodes.right.temperature``, ``layers.free.magnetization.phi``,
    ``contacts[1].conductance``, ``drives.free.temperature.peak``, ``temperature``), or a path
    starting with a node or layer name, whose ``nodes.``/``layers.`` may be left out
    (``right.temperature``, ``free.magnet.damping``); ``[i]`` picks a vector component
    (``layers.ch.hanle_field[2]``); ``magnetization.theta``/``.phi`` (degrees) also vary a
    magnetization written as a vector. Only values the file writes can be varied, but for a
    reservoir's voltage and temperature. A DeviceError ``vary.KEY`` names what is wrong: an
    unknown name (with the close matches), a value the file does not write, a table."""
    from ..dynamics.drives import SHAPES
    from ..errors import unknown

    parts = _absolute(data, key, _split(key))
    value = data
    for i, part in enumerate(parts):
        where = ".".join(str(p) for p in parts[:i]) or "the file"
        last = i == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                size = f"has {len(value)}" if isinstance(value, list) else "is not a list"
                raise DeviceError(f"vary.{key}", f"no element [{part}]: {where} {size}")
            value = value[part]
            continue
        if (part in ("theta", "phi") and last and parts[i - 1] == "magnetization"
                and isinstance(value, (list, dict))):
            return parts  # an angle of a magnetization, written as a vector or as angles
        if isinstance(value, dict) and part in value:
            value = value[part]
            continue
        if (last and i == 2 and parts[0] == "nodes" and part in _RESERVOIR_DEFAULTS
                and isinstance(value, dict) and value.get("reservoir") is True):
            return parts  # a reservoir at its default voltage or temperature
        known = known_keys(parts[:i])
        if parts[0] == "drives" and i == 3 and isinstance(value, dict):
            from dataclasses import fields

            shape = SHAPES.get(value.get("shape"))
            known = ("shape", *(f.name for f in fields(shape))) if shape else None
        if known is not None and part in known:
            internal = (parts[0] == "nodes" and i == 2 and part in ("voltage", "temperature",
                                                                     "current"))
            raise DeviceError(f"vary.{key}", f"{parts[1]} is an internal node: its {part} is "
                              "solved for" if internal and not value.get("reservoir") else
                              f"{part} is not written in [{where}]: only values the file "
                              "writes can be varied (write it, with its value, first)")
        if isinstance(value, list) and part.isdigit():  # contacts.0.area: an index
            raise DeviceError(f"vary.{key}", f"{where} is a list: write its element as "
                              f"{where}[{part}]")
        if part in ("theta", "phi") and isinstance(value, dict) and "magnetization" in value:
            raise DeviceError(f"vary.{key}", f"unknown key {part!r} in [{where}]; did you mean "
                              f"{'.'.join(parts[1:i])}.magnetization.{part} (degrees)?")
        choices = [*(known or ()), *(value if isinstance(value, dict) else ())]
        raise DeviceError(f"vary.{key}", f"{unknown(f'key {part!r} in [{where}]', part, choices)}")
    if isinstance(value, (dict, list, str, bool)):
        what = {dict: "a table", list: "a vector (vary a component: KEY[i])", str: "text",
                bool: "true/false"}[type(value)]
        if parts[-1] == "magnetization":
            what = "a direction (vary KEY.theta or KEY.phi, in degrees)"
        raise DeviceError(f"vary.{key}", f"is {what}, not a number")
    return parts


def full_path(data: dict, key: str) -> str:
    """``key`` with ``nodes.`` in front when it starts with a node name (``free.magnet.damping``
    is ``nodes.free.magnet.damping``)."""
    head = key.split(".")[0]
    return f"nodes.{key}" if head not in data and head in data.get("nodes", {}) else key


#: Drive parameters that are changes from the drive's base value, not values themselves.
_EXCURSIONS = ("peak", "amplitude")


def angle_words(node: str, angle: str) -> str:
    """The magnetization angle ``angle`` ("theta" or "phi") of ``node`` in words: "polar
    angle of free's magnetization", "azimuthal angle of ..."."""
    return f"{'polar' if angle == 'theta' else 'azimuthal'} angle of {node}'s magnetization"


def key_words(key: str) -> str:
    """A key of a result or a sweep (``right.voltage``, ``drives.free.temperature.peak``,
    ``contacts[1].conductance``) in words: "electric potential of right", "peak of the
    temperature drive of free", "conductance of contacts[1]", "polar angle of free's
    magnetization", "spin-transfer torque on the layer of free"."""
    parts = key.split(".")
    node = parts[1] if parts[0] in ("nodes", "layers") and len(parts) > 2 else parts[0]
    if key.endswith((".magnetization.theta", ".magnetization.phi")):
        return angle_words(node, parts[-1])
    if parts[-1] == "magnet_torque":
        return f"spin-transfer torque on the layer of {node}"
    if len(parts) == 4 and parts[0] == "drives":  # drives.NODE.QUANTITY.FIELD
        return f"{parts[3]} of the {parts[2]} drive of {parts[1]}"
    if len(parts) == 2 and parts[1] in ("voltage", "temperature", "current"):
        what = {"voltage": "electric potential", "temperature": "temperature",
                "current": "current bias"}[parts[1]]
        return f"{what} of {node}"
    if len(parts) == 2 and parts[1] == "torque":
        return f"torque on {node}"
    last = parts[-1].replace("_", " ")
    if (m := re.match(r"^(.*)\[(\d)\]$", last)) and m.group(1) == "hanle field":
        last = f"{m.group(1)} {'xyz'[int(m.group(2))]}"
    return f"{last} of {'.'.join(parts[:-1])}" if len(parts) > 1 else last


def describe_key(data: dict, key: str) -> str:
    """A label in words for a ``--vary`` key of ``data`` (a coordinate's long name):
    ``drives.free.temperature.peak`` is "peak of free's temperature drive (above its base)",
    ``free.magnet.damping`` "damping of magnet free", ``contacts[1].conductance``
    "conductance of contact 1"; other keys are named as they are written."""
    try:
        parts = resolve_key(data, key)
    except DeviceError:
        return key
    head, rest = parts[0], parts[1:]
    if parts == ["temperature"]:
        return "device temperature T0"
    if head in ("nodes", "layers") and rest[1:] in (["magnetization", "theta"],
                                                   ["magnetization", "phi"]):
        return angle_words(rest[0], rest[2])
    if head in ("nodes", "layers") and len(rest) == 4 and rest[1] == "magnet":
        return f"{rest[2]}[{rest[3]}] of magnet {rest[0]}"
    if head == "drives" and len(rest) == 3:
        node, quantity, parameter = rest
        extra = " (above its base)" if parameter in _EXCURSIONS else ""
        return f"{parameter} of {node}'s {quantity} drive{extra}"
    if head in ("nodes", "layers") and len(rest) == 3 and rest[1] == "magnet":
        return f"{rest[2]} of magnet {rest[0]}"
    if head in ("nodes", "layers") and len(rest) >= 2:
        what = ".".join(str(p) for p in rest[1:])
        return f"{what} of {'node' if head == 'nodes' else 'layer'} {rest[0]}"
    if head == "contacts" and len(rest) == 2:
        return f"{rest[1]} of contact {rest[0]}"
    return key


def set_path(data: dict, key: str, value: float) -> None:
    """Set ``data`` (a parsed device file) at the ``--vary`` key ``key`` (:func:`resolve_key`)
    to ``value``; a magnetization written as a vector takes the angles ``theta``/``phi``
    (degrees) of its direction first."""

    parts = resolve_key(data, key)
    *head, last = parts
    node = data
    for part in head:
        node = node[part]
    if last in ("theta", "phi") and head[-1] == "magnetization":
        m = node
        if isinstance(m, list):
            theta, phi = vector_to_angles(m)
            parent = data
            for part in head[:-1]:
                parent = parent[part]
            node = parent["magnetization"] = {"theta": theta, "phi": phi}
    old = node[last] if isinstance(node, list) or last in node else None
    # a whole-number parameter (cells, points) stays an int, or is refused
    node[last] = (int(value) if isinstance(old, int) and not isinstance(old, bool)
                  and float(value) == int(value) else value)


_DRIVE_VALUES = ("peak", "base", "amplitude", "value", "before", "after")


def unit_of(key: str) -> str:
    """The unit of a device-file path as its field in the format declares it, e.g. "S" for
    contacts[1].conductance, "K" for drives.free.temperature.peak (a drive's value has the unit
    of its quantity, its other parameters are times, "s"); "" if unknown. Short forms
    (``free.magnet.damping`` for a node or a layer) are looked up as nodes, then as layers."""
    parts = [int(p) if p.isdigit() else p
             for p in key.replace("[", ".").replace("]", "").split(".") if p]
    if len(parts) == 3 and parts[1] in ("voltage", "temperature", "current", "heat"):
        parts = ["drives", *parts]  # NODE.QUANTITY.PARAMETER of a drive
    if parts[:1] == ["drives"] and len(parts) >= 4:
        if parts[3] not in _DRIVE_VALUES:  # a time, if the parameter is one of a drive's
            return "s" if parts[3] in _drive_parameters() else ""
        parts = ["nodes", parts[1], parts[2]]
    for path in (parts, ["nodes", *parts], ["layers", *parts]):
        unit = field_unit(path)
        if unit is not None:
            return unit
    return ""


def _drive_parameters() -> set[str]:
    """The parameters of every drive shape (:data:`~spincaloric.dynamics.drives.SHAPES`)."""
    import dataclasses

    from ..dynamics.drives import SHAPES

    return {f.name for shape in SHAPES.values() for f in dataclasses.fields(shape)}


_RANGE = re.compile(r"^\s*([^:]+):([^:]+):([^:]+)\s*$")
#: SI prefixes a varied value may carry before its key's unit (``1nm`` for a thickness in m)
_PREFIX_POWER = {"": 0, "y": -24, "z": -21, "a": -18, "f": -15, "p": -12, "n": -9, "u": -6,
                 "µ": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12}


def si_value(text: str, unit: str) -> float:
    """A value given as text: a number (SI units), or a number with an SI prefix and
    ``unit`` (``1nm`` where the unit is m, ``20ns`` for s, ``50nm2``, ``50nm^2`` or
    ``50nm²`` for m2), scaled exactly as written (``6ns`` is 6e-09, not 6 × 1e-9);
    ValueError else."""
    import decimal

    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    power = 1  # an area or a volume: m2 (m^2, m²), the prefix raised to the power too
    if unit[-1:] in ("2", "3"):
        unit, power = unit[:-1], int(unit[-1])
        text = text.replace("^", "").replace("²", "2").replace("³", "3")
        if not text.endswith(f"{unit}{power}"):
            raise ValueError(text)
        text = text[:-1]
    if not unit or not text.endswith(unit):
        raise ValueError(text)
    number = text[:-len(unit)].rstrip()
    prefix = number[-1:] if number[-1:] in _PREFIX_POWER else ""
    try:
        return float(decimal.Decimal(number[:len(number) - len(prefix)].strip())
                     .scaleb(power * _PREFIX_POWER[prefix]))
    except decimal.InvalidOperation:
        raise ValueError(text) from None


def parse_vary(text: str) -> tuple[str, np.ndarray]:
    """``"right.magnetization.theta=0:180:181"`` -> (key, values); DeviceError if malformed."""
    if not isinstance(text, str) or "=" not in text:
        raise DeviceError("vary", f"expected KEY=start:stop:count or KEY=v1,v2,..., got {text!r}")
    key, spec = (s.strip() for s in text.split("=", 1))
    m = _RANGE.match(spec)
    given_unit = unit_of(key)  # a prefixed suffix for a plain SI unit (not for angles)
    unit = given_unit if re.fullmatch(r"[A-Za-zΩ]+[23]?", given_unit or "-") \
        and given_unit != "deg" else ""
    try:
        if m:
            start, stop = _vary_value(m.group(1), unit), _vary_value(m.group(2), unit)
            count = float(m.group(3))
            if count != int(count) or count < 1:
                raise ValueError(f"N = {m.group(3)} in START:STOP:N must be a whole number of "
                                 "points, at least 1")
            ends = np.array([start, stop])
            values = np.linspace(start, stop, int(count)) if np.isfinite(ends).all() else ends
        else:
            values = np.array([_vary_value(v, unit) for v in spec.split(",")])
    except ValueError as err:
        reason = f": {err}" if str(err) else ""
        raise DeviceError(f"vary.{key}", f"cannot read values from {spec!r}{reason}; give "
                          f"START:STOP:N (N points) or V1,V2,... in SI units"
                          + (" (an angle: plain numbers in degrees)" if given_unit == "deg"
                             else _unit_hint(unit, spec))) from None
    if not np.all(np.isfinite(values)):
        raise DeviceError(f"vary.{key}", "values must be finite")
    if m and len(values) == 1 and ends[0] != ends[1]:
        raise DeviceError(f"vary.{key}", f"{spec!r} is one point, {ends[0]:g}, not a range "
                          f"to {ends[1]:g}: give 2 or more points, or the one value")
    repeated = [v for i, v in enumerate(values) if v in values[:i]]
    if repeated:
        raise DeviceError(f"vary.{key}", f"{spec!r} repeats {repeated[0]:g}: give each value "
                          "once (a sweep's axis holds distinct values)")
    _radians_warning(key, values)
    return key, values


def _vary_value(text: str, unit: str) -> float:
    """:func:`si_value`, a value that ends in a unit not the key's naming that unit (ValueError
    with the reason; with an empty reason else)."""
    try:
        return si_value(text, unit)
    except ValueError:
        pass
    written = re.fullmatch(r"\s*[-+]?[\d.]+(?:[eE][-+]?\d+)?\s*([A-Za-zµΩ°]+[23²³]?)\s*", text)
    if unit and written and not written.group(1).endswith(unit.rstrip("23")):
        raise ValueError(f"{written.group(1)!r} is not this key's unit {unit}")
    raise ValueError("")


def _unit_hint(unit: str, spec: str) -> str:
    """How a value may carry the key's ``unit``; for a key of no known unit whose values
    carry letters (a misspelled key, ``amplitud=-1mV``), a question about the key."""
    if unit:
        example = {"m": "1nm", "s": "1ns", "K": "300K", "m2": "100nm2",
                   "m3": "1000nm3"}.get(unit, f"1m{unit}")
        return f" (or with the key's unit {unit} and an SI prefix, e.g. {example})"
    letters = re.sub(r"\d[eE][-+]?\d", "", spec)  # not the exponents of 1e-3
    return (" (no unit is known for this key: is it spelled right?)"
            if re.search(r"[A-Za-zµΩ]", letters) else "")


def _radians_warning(key: str, values: np.ndarray) -> None:
    """An AngleUnitWarning when an angle's values (read in degrees) all lie below 2π and the
    largest is a common angle in radians (0:3.1416:5 for 0 … π)."""
    import warnings

    if key.split(".")[-1] not in ("theta", "phi") or not len(values):
        return
    top = float(values[np.argmax(np.abs(values))])
    hint = radians_hint(top) if np.abs(values).max() < 6.5 else None
    if hint is not None:
        warnings.warn(f"vary.{key}: the values (up to {top:g}) are read in degrees; if you "
                      f"meant radians, {hint}", AngleUnitWarning, stacklevel=user_stacklevel())


FAST = ("voltage", "temperature", "current", "magnetization.theta", "magnetization.phi")


def fast_target(circuit: Circuit, key: str) -> tuple[str, str] | None:
    """(node, quantity) of a key that the batched solve varies directly — a reservoir's
    voltage, temperature or current, a ferromagnet's (or ferromagnetic layer's)
    magnetization angle, with or without the ``nodes.``/``layers.`` prefix — or None."""
    parts = key.split(".")
    scope = parts[0] if parts[0] in ("nodes", "layers") and len(parts) > 2 else None
    name, what = (parts[1], ".".join(parts[2:])) if scope else (parts[0], ".".join(parts[1:]))
    if what not in FAST:
        return None
    if scope != "nodes" and name in circuit.layers and name not in circuit.index:
        node = circuit.magnet_node(name) if what.startswith("magnetization") else None
    else:
        node = None if scope == "layers" else name
    i = circuit.index.get(node)
    if i is None:
        return None
    if what.startswith("magnetization"):
        return (node, what) if circuit.ferromagnet[i] else None
    return (node, what) if circuit.reservoir[i] else None


def is_fast(circuit: Circuit, key: str) -> bool:
    """A reservoir drive or magnetization angle: solved batched without rebuilding."""
    return fast_target(circuit, key) is not None


def parse_varies(texts, data: dict, circuit: Circuit) -> list[tuple[str, np.ndarray]]:
    """[(key, values)] of ``--vary`` texts (:func:`parse_vary`), a text whose values cannot
    be read first checked as a key of ``data`` (:func:`check_keys`): a misspelt key is named
    as one, whatever unit its values carry."""
    axes = []
    for text in texts:
        try:
            axes.append(parse_vary(text))
        except DeviceError:
            if isinstance(text, str) and "=" in text:
                check_keys(data, circuit, [text.split("=", 1)[0].strip()])
            raise
    return axes


def check_keys(data: dict, circuit: Circuit, keys) -> None:
    """Every key can be varied: batched (:func:`fast_target`) or a value written in the file
    ``data`` (:func:`resolve_key`); a DeviceError names a wrong one."""
    for key in keys:
        if not is_fast(circuit, key):
            resolve_key(data, key)
