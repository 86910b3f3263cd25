"""Reading device files and writing results; the only place where files are touched.

Every error is a :class:`~spincaloric.circuit.device.DeviceError` with a dotted field path
(``contacts[1].polarization``, ``nodes.spacer.magnetization``) and a one-line reason.
Output files are written atomically (:mod:`spincaloric.files`): never half-written.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import ValidationError

from ..circuit.contacts import ContactError, ContactParameters
from ..circuit.device import Device, DeviceError, angles_to_vector
from ..circuit.kinds import HeatLink
from ..errors import unknown, user_stacklevel
from ..files import netcdf3_attributes, write_together
from ..validation import conductance_reason
from .schema import ContactTable, DeviceFile, first_error

#: End time (s) of a run when neither the command line nor ``[simulation]`` gives one.
DEFAULT_UNTIL = 10e-9


@dataclass
class DeviceSpec:
    """Everything a device file describes: the device, its dynamic magnets, drives and
    simulation defaults (the last three empty for a steady-state device).

    Attributes
    ----------
    device : the :class:`~spincaloric.circuit.device.Device` (``device.finalize()`` builds it).
    magnets : {node: :class:`~spincaloric.dynamics.magnets.MagnetParameters`} of its dynamic
        magnets (SI units).
    drives : {(node, quantity): drive} — time-dependent voltage (V), temperature (K),
        current (A) or heat (W) of its ``[drives]`` table.
    simulation : the ``[simulation]`` table (``until`` in s, ``dt`` in s, ``method``,
        ``ensemble``, ``temperature_noise``, ``seed``, ``pumping``, …).
    sweep : the ``[sweep]`` table's ``vary`` entries (``KEY=VALUES`` strings).
    solve_method, solve_options : the steady-state back end of the file's regime and its
        options (:meth:`steady`).
    """

    device: Device
    magnets: dict = field(default_factory=dict)
    drives: dict = field(default_factory=dict)
    simulation: dict = field(default_factory=dict)
    sweep: list = field(default_factory=list)
    solve_method: str = "auto"
    solve_options: dict = field(default_factory=dict)

    @property
    def until(self) -> float:
        """End time (s) of a run: ``[simulation] until``, or :data:`DEFAULT_UNTIL`."""
        return self.simulation.get("until", DEFAULT_UNTIL)

    @property
    def pumping(self) -> bool:
        """The dynamics' spin pumping by the moving magnets: ``[simulation] pumping``,
        default on (physics.md §9)."""
        return self.simulation.get("pumping", True) is not False

    def steady(self, circuit):
        """The steady state (:class:`~spincaloric.circuit.solution.Solution`) of ``circuit``
        (this file's device, or one rebuilt from it) by the file's solver back end
        ``solve_method`` with its ``solve_options`` (for ``regime = "spectral"`` the
        energy-resolved back end with the ``[spectral]`` settings; its ``distributions``
        then hold the energy-resolved result). Raises FieldError/ValueError naming the
        field."""
        try:
            return circuit.solve(method=self.solve_method, **self.solve_options)
        except ValueError as err:  # a table that does not cover the biases, no convergence
            field = getattr(err, "field", "")
            if field in ("max_iter", "tol", "points", "window"):
                raise DeviceError(f"spectral.{field}", getattr(err, "reason", str(err))) from None
            raise

    def run_options(self) -> dict:
        """The ``[simulation]`` defaults that are keywords of :meth:`Simulation.run
        <spincaloric.dynamics.simulation.Simulation.run>` (all but ``until``, ``pumping`` and
        ``joule_heating``, which shape the simulation itself)."""
        return {k: v for k, v in self.simulation.items()
                if k not in ("until", "joule_heating", "pumping")}

    def simulation_for(self, circuit, until: float):
        """(Simulation, run keywords) of the file's dynamics up to ``until`` (s): the
        ``[simulation]`` defaults other than ``until``, ``pumping`` (the Simulation's spin
        pumping, default on) and ``joule_heating``; with ``joule_heating = true`` the Joule
        heat is resolved in time when nodes store heat (``Simulation(joule_heating=True)``,
        integrated with their temperatures), else the drives carry it, evaluated once at the
        initial magnetizations (:func:`~spincaloric.dynamics.heating.with_joule_heating`)."""
        from ..dynamics.simulation import Simulation

        opts = self.run_options()
        drives = self.drives
        resolved = False
        if self.simulation.get("joule_heating"):
            resolved = bool((circuit.heat_capacity > 0).any())
            if not resolved:
                from ..dynamics.heating import with_joule_heating

                drives = with_joule_heating(circuit, drives, until)
        return Simulation(circuit, self.magnets, drives, pumping=self.pumping,
                          joule_heating=resolved), opts


class UnreadableFileError(DeviceError, OSError):
    """A device file that cannot be read: a field-named error that is also the OSError."""

    def __init__(self, err: OSError):
        where = f" ({err.filename})" if err.filename is not None and err.strerror else ""
        super().__init__("<file>", f"{err.strerror or err}{where}")
        self.errno, self.strerror, self.filename = err.errno, err.strerror, err.filename

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


def file_path(path) -> Path:
    """``path`` as a :class:`~pathlib.Path`: a file name (str or os.PathLike), not a file
    descriptor or any other object that ``open`` would take (DeviceError("path", ...))."""
    if not isinstance(path, (str, os.PathLike)) or isinstance(path, bytes) or not str(path):
        raise DeviceError("path", f"must be a file name (str or os.PathLike), got {path!r}")
    return Path(path)


#: How deep tables and arrays may nest in a device file (the format itself needs 5).
MAX_NESTING = 32


def read_toml(path) -> dict:
    """Parse a TOML file (UTF-8; a leading byte-order mark, as some editors write, is
    skipped); DeviceError("<toml>", "line N, column M: ...") if malformed,
    DeviceError("<file>", ...) if not a regular file of sane size or unreadable (then an
    :class:`UnreadableFileError`, also an OSError)."""
    from ..validation import read_input_file

    path = file_path(path)
    try:
        data = tomllib.loads(read_input_file(path, "<file>", DeviceError).decode("utf-8-sig"))
    except OSError as err:
        raise UnreadableFileError(err) from None
    except tomllib.TOMLDecodeError as err:
        raise DeviceError("<toml>", str(err).splitlines()[0]) from None
    except UnicodeDecodeError as err:
        raise DeviceError("<toml>", f"not UTF-8 text (byte {err.start})") from None
    except RecursionError:
        raise DeviceError("<toml>", f"tables or arrays nested too deep to read (a device file "
                          f"nests at most {MAX_NESTING} deep)") from None
    _check_nesting(data)
    return data


def device_data(data) -> dict:
    """A device file's content from what the studies' functions accept: its path (read with
    :func:`read_toml`) or the parsed dict itself; DeviceError ``data`` otherwise."""
    import os

    if isinstance(data, (str, os.PathLike)):
        data = read_toml(data)
    if not isinstance(data, dict):
        raise DeviceError("data", f"must be a device file's path or its parsed content (a "
                          f"dict, read_toml), got {type(data).__name__}")
    return data


def _check_nesting(data: dict) -> None:
    """DeviceError naming the first value nested deeper than MAX_NESTING (iteratively: a deep
    value must not exhaust the interpreter's stack in later recursive code)."""
    stack = [(data, "", 1)]
    while stack:
        node, where, depth = stack.pop()
        if depth > MAX_NESTING:  # named by its table (nodes.NAME.key, contacts[k].key)
            raise DeviceError(".".join(where.split(".")[:3]), f"tables or arrays nested more "
                              f"than {MAX_NESTING} deep")
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            if isinstance(value, (dict, list)):
                if isinstance(key, int):  # an index only for an array of tables
                    sub = f"{where}[{key}]" if isinstance(value, dict) else where
                else:
                    sub = f"{where}.{key}" if where else str(key)
                stack.append((value, sub, depth + 1))


def with_absolute_files(data: dict, base) -> dict:
    """``data`` (a parsed device file) with the files it names (contact spectra) made absolute
    from ``base``, its directory — for code that builds devices from the dict elsewhere."""
    import copy

    data = copy.deepcopy(data)
    for table in data.get("contacts", []) if isinstance(data.get("contacts"), list) else []:
        if isinstance(table, dict) and isinstance(table.get("spectrum"), str):
            table["spectrum"] = str((Path(base) / table["spectrum"]).resolve())
    return data


def load_spec(path) -> DeviceSpec:
    """Read and validate a device file (raises DeviceError; one that is also an OSError if the
    file is unreadable).
    Files it names (conductance spectra) are found relative to its directory."""
    return spec_from_dict(read_toml(path), base=file_path(path).parent)


@dataclass
class Prepared:
    """A device file read and validated (:func:`prepare`): its parsed content ``data`` (file
    names made absolute), :class:`DeviceSpec` and finalized circuit."""

    data: dict
    spec: DeviceSpec
    circuit: object


def prepare(path) -> Prepared:
    """Read a device file and run every check that ``solve``, ``run``, ``sweep`` and ``map``
    make before they compute (``check`` runs exactly this): build the spec and the circuit,
    then :func:`validate_spec`. Raises DeviceError (OSError if the file is unreadable)."""
    base = Path(path).parent
    data = with_absolute_files(read_toml(path), base)
    spec = spec_from_dict(data, base=base)
    circuit = spec.device.finalize()
    validate_spec(spec, circuit, data)
    return Prepared(data, spec, circuit)


def validate_spec(spec: DeviceSpec, circuit, data: dict) -> None:
    """The checks, beyond the device itself, that the commands make before computing —
    building what they build, without the computation: the energy-resolved settings
    (:func:`~spincaloric.solvers.spectral.relaxed_inputs`), the drives over the run's span (resolved
    against the circuit, sampled: a temperature must stay positive), the ``[simulation]``
    settings (:func:`~spincaloric.dynamics.simulation.run_settings`), the dynamic magnets (a
    :class:`~spincaloric.dynamics.simulation.Simulation`, its torque maps not yet computed;
    a Joule-heated run's heat is computed when it runs; with ``thermal_start`` a start drawn
    from every magnet's well) and the ``[sweep]`` keys. A
    DeviceError names the field as the file writes it (``simulation.dt``,
    ``spectral.relaxation.spacer``)."""
    from ..dynamics.simulation import (
        DynamicsError,
        Simulation,
        drive_tables,
        resolve_drives,
        run_settings,
    )
    from .paths import check_keys, parse_vary

    if spec.solve_method == "spectral":
        from ..solvers.spectral import relaxed_inputs

        try:
            relaxed_inputs(circuit, **spec.solve_options)
        except DeviceError as err:
            spectral = err.field.split(".")[0] in ("relaxation", "phonons", "tol", "max_iter",
                                                  "points", "window")
            raise DeviceError(f"spectral.{err.field}" if spectral else err.field,
                              err.reason) from None
    if spec.solve_method == "spectral" and spec.magnets:
        raise DeviceError("regime", 'the magnetization dynamics solves the torque at every step '
                          'in linear response, not energy by energy: give a dynamic magnet a '
                          '"noninteracting" (the same elastic circuit, Sommerfeld-expanded) or '
                          '"thermalized" device')
    until = spec.until
    if until >= 1e-3:  # like a bare --until number: 8 meant 8 ns, not 8 s of ps steps
        raise DeviceError("simulation.until", f"{until:g} s of magnetization dynamics "
                          "(picosecond steps): the file gives seconds (8e-9 for 8 ns); for a "
                          "run of a millisecond or more leave until out of the file and give "
                          "--until with its unit, e.g. --until 2ms")
    settings = {k: v for k, v in spec.simulation.items()
                if k in ("n_save", "ensemble", "method", "temperature_noise", "dt", "seed")}
    try:
        drives = resolve_drives(circuit, spec.drives)
        max_step = run_settings(until, magnets=spec.magnets, **settings)[4]
        drive_tables(circuit, drives, until, min(max_step, until / 200))
        if spec.magnets:
            sim = Simulation(circuit, spec.magnets, drives)
            sim.check_drives(until, max_step)
            if spec.simulation.get("thermal_start"):  # every magnet has a well to start in
                sim.starting_states()
    except DynamicsError as err:
        raise DeviceError(in_file(err, spec.simulation).field, err.reason) from None
    check_keys(data, circuit, [parse_vary(v)[0] for v in spec.sweep])


def in_file(err, simulation: dict):
    """``err`` (a field error of a run) with a setting that the file's ``[simulation]`` gives
    named by its key there (``dt`` → ``simulation.dt``); other errors as they are."""
    from ..errors import FieldError

    if isinstance(err, FieldError) and err.field in simulation:
        return type(err)(f"simulation.{err.field}", err.reason)
    return err


def load_device(path) -> Device:
    """Read and validate a device file into a :class:`Device` (then ``.finalize()`` it)."""
    return load_spec(path).device


def device_from_dict(data: dict) -> Device:
    """A :class:`Device` from the parsed content of a device file."""
    return spec_from_dict(data).device


def spec_from_dict(data: dict, base=None) -> DeviceSpec:
    """Validate the parsed content of a device file and build its :class:`DeviceSpec`;
    ``base``: the directory that relative file names (conductance spectra) start from."""
    model = _validated(data)
    if model.spectral is not None and model.regime != "spectral":
        raise DeviceError("spectral", f'only for regime = "spectral" (this file is '
                          f'"{model.regime}")')
    t0 = model.temperature
    dev = Device(temperature=t0, regime=model.regime, title=model.title)
    magnets = _add_nodes(dev, model)
    magnets.update(_add_layers(dev, model))
    if magnets:
        _refuse_torque_maps_beyond_memory(dev, model)
    _add_contacts(dev, model, t0, base)
    drives = _all_drives(dev, model)
    sim = model.simulation.model_dump(exclude_none=True) if model.simulation else {}
    # the regime chooses the solver back end, once: energy by energy for "spectral"
    method = "spectral" if model.regime == "spectral" else "auto"
    return DeviceSpec(dev, magnets, drives, sim, list(model.sweep.vary) if model.sweep else [],
                      method, _spectral_settings(model))


def dynamics_from_dict(data: dict, like: DeviceSpec) -> DeviceSpec:
    """The :class:`DeviceSpec` of ``data``, a device file that differs from the one of
    ``like`` in its drives and dynamic magnets' parameters only (the points of a map that
    varies those, :func:`~spincaloric.studies.maps.batched`): validated as
    :func:`spec_from_dict` does, its drives and magnets built, the device not rebuilt (it is
    ``like``'s)."""
    model = _validated(data)
    magnets = {name: _magnet(node.magnet, f"nodes.{name}.magnet")
               for name, node in model.nodes.items() if node.magnet is not None}
    magnets.update({name: _layer_magnet(name, layer) for name, layer in model.layers.items()
                    if layer.magnet is not None})
    return replace(like, magnets=magnets, drives=_all_drives(like.device, model))


def _validated(data: dict):
    """The :class:`DeviceFile` model of ``data`` (DeviceError naming the first bad field); a
    plausibility warning of a field validator (which knows the field's name, not where it
    stands) is repeated with the field's place in the file when the name and the value
    find it (``layers.channel.hanle_field = 500 T ...``)."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            model = DeviceFile.model_validate(data)
        except ValidationError as err:
            raise DeviceError(*first_error(err)) from None
    for w in caught:
        warnings.warn(_placed(str(w.message), data), w.category, stacklevel=user_stacklevel())
    return model


def _placed(message: str, data: dict) -> str:
    """``message`` beginning "NAME = VALUE ..." with NAME replaced by its place in ``data``
    when exactly one value of that name reads VALUE (a vector: its magnitude); else as is."""
    import math

    name, sep, rest = message.partition(" = ")
    if not sep or not name.isidentifier():
        return message
    shown = rest.split(" ", 1)[0]

    def reads(value) -> bool:
        try:
            size = (math.hypot(*map(float, value)) if isinstance(value, list)
                    else float(value))
        except (TypeError, ValueError):
            return False
        return f"{size:g}" == shown

    found = []

    def walk(node, where):
        items = (node.items() if isinstance(node, dict) else
                 enumerate(node) if isinstance(node, list) else ())
        for key, value in items:
            place = f"{where}[{key}]" if isinstance(key, int) else (
                f"{where}.{key}" if where else str(key))
            if key == name and reads(value):
                found.append(place)
            walk(value, place)

    walk(data, "")
    return f"{found[0]} = {rest}" if len(found) == 1 else message


def _all_drives(dev: Device, model) -> dict:
    """{(node, quantity): drive} of the file's ``[drives.*]`` and its ``[laser]``."""
    drives = _drives_from_file(dev, model)
    for key, pulse in _laser_drives(dev, model).items():
        if key in drives:
            raise DeviceError(f"drives.{key[0]}.heat", "the [laser] heats this node too: give "
                              "one heat drive per node")
        drives[key] = pulse
    return drives


def _add_nodes(dev: Device, model) -> dict:
    """Add the file's ``[nodes.*]`` to ``dev``; returns {node name: its dynamic magnet}."""
    magnets = {}
    for name, node in model.nodes.items():
        m = node.magnetization
        if m is not None and not isinstance(m, list):
            m = angles_to_vector(m.theta, m.phi)
        dev.add_node(name, node.type, reservoir=node.reservoir, voltage=node.voltage or 0.0,
                     temperature=node.temperature, magnetization=m, current=node.current,
                     spin_flip=node.spin_flip, bath=node.bath,
                     spin_heat_relaxation=node.spin_heat_relaxation, heat=node.heat,
                     heat_capacity=node.heat_capacity, electron_phonon=node.electron_phonon,
                     lattice_heat_capacity=node.lattice_heat_capacity,
                     hanle_field=node.hanle_field, spin_lifetime=node.spin_lifetime)
        if node.magnet is not None:
            magnets[name] = _magnet(node.magnet, f"nodes.{name}.magnet")
    return magnets


def _add_layers(dev: Device, model) -> dict:
    """Add the file's ``[layers.*]`` to ``dev``; returns {layer name: its dynamic magnet}."""
    magnets = {}
    for name, layer in model.layers.items():
        _layer(dev, name, layer)
        if layer.magnet is not None:
            magnets[name] = _layer_magnet(name, layer)
    return magnets


def _layer_magnet(name: str, layer):
    """The MagnetParameters of a layer that turns whole, named after the layer (its thickness
    and area by default those of the layer)."""
    where = f"layers.{name}.magnet"
    if layer.magnetization is None:
        raise DeviceError(where, "only a ferromagnetic layer (with a magnetization) can be a "
                          "dynamic magnet")
    defaults = ({} if layer.magnet.volume is not None
                else {"thickness": layer.length, "area": layer.area})
    return _magnet(layer.magnet, where, **defaults)


def _add_contacts(dev: Device, model, t0: float, base) -> None:
    """Add the file's ``[[contacts]]`` to ``dev`` (at temperature ``t0``, K; spectrum files
    relative to the directory ``base``, default the working directory)."""
    for i, table in enumerate(model.contacts):
        where = f"contacts[{i}]"
        extra = {"label": where, "heat_conductance": table.heat_conductance or 0.0}
        if table.heat_link is not None:
            if table.heat_conductance is not None:
                raise DeviceError(f"{where}.heat_conductance", "a heat_link is a heat "
                                  "conductance itself: give one of the two")
            if not table.heat_link > 0:
                raise DeviceError(f"{where}.heat_link", f"must be a heat conductance > 0 "
                                  f"(W/K), got {table.heat_link!r}")
            dev.add_contact(*table.between, HeatLink(table.heat_link), label=where)
        elif table.spectrum is not None:
            spectrum = _spectrum(table, dev, Path(base or "."), where)
            dev.add_contact(*table.between, spectrum=spectrum, **extra)
        elif table.junction is not None:
            dev.add_contact(*table.between, _junction(table, dev, t0, where), **extra)
        else:
            dev.add_contact(*table.between, _contact(table, dev, t0, where), **extra)


def _drives_from_file(dev: Device, model) -> dict:
    """{(node, quantity): drive} of the file's ``[drives.NODE.QUANTITY]`` tables."""
    drives = {}
    for node, quantities in model.drives.items():
        for quantity, table in quantities.items():
            where = f"drives.{node}.{quantity}"
            if node not in dev.nodes:  # [nodes.*] and the vertices of [layers.*]
                raise DeviceError(f"drives.{node}", unknown(f"node {node!r}", node, dev.nodes))
            if quantity not in ("voltage", "temperature", "current", "heat"):
                hint = (" (an absorbed power, W, is the node's heat drive: "
                        f"[drives.{node}.heat])" if quantity == "power" else "")
                raise DeviceError(where, "must be voltage, temperature, current or heat" + hint)
            drives[(node, quantity)] = _drive(table.model_dump(), where)
    return drives


def _laser_drives(dev: Device, model) -> dict:
    """{(node, "heat"): pulse (W)} of the file's ``[laser]`` table
    (:func:`~spincaloric.dynamics.laser.laser_heat`); a layer in ``depths`` gives the depths
    (m) of its first and last vertex, and its vertices share the light like their volume (a
    reservoir at its end takes none: its temperature is fixed)."""
    from ..dynamics.drives import DriveError
    from ..dynamics.laser import laser_heat

    t = model.laser
    if t is None:
        return {}
    for name in t.absorbed or ():
        if name not in dev.nodes:
            raise DeviceError(f"laser.absorbed.{name}", unknown(f"node {name!r}", name,
                                                                dev.nodes))
        if dev.nodes[name].reservoir:
            raise DeviceError(f"laser.absorbed.{name}", "a reservoir absorbs no heat (its "
                              "temperature is fixed): leave it out")
    depths = None if t.depths is None else _laser_depths(dev, model, t.depths)
    try:
        return laser_heat(area=t.area, fwhm=t.fwhm, center=t.center, fluence=t.fluence,
                          energy=t.energy, spot_radius=t.spot_radius, absorbed=t.absorbed,
                          depths=depths, penetration_depth=t.penetration_depth,
                          reflectance=t.reflectance)
    except DriveError as err:
        raise DeviceError(f"laser.{err.field}", err.reason) from None


def _laser_depths(dev: Device, model, given: dict) -> dict:
    """{node: (top, bottom)} (m) of ``[laser] depths``: nodes as given, layers cut into their
    vertices' slabs (from the first vertex's depth to the last one's, |last − first| = the
    layer's length)."""
    from ..dynamics.laser import layer_depths
    from ..layers.multilayer import cell_widths

    depths = {}
    for name, pair in given.items():
        where = f"laser.depths.{name}"
        if len(pair) != 2:
            raise DeviceError(where, f"must be [top, bottom] depths (m), got {pair!r}")
        if name in model.layers:
            layer = model.layers[name]
            first, last = pair
            if not math.isclose(abs(last - first), layer.length, rel_tol=1e-9, abs_tol=0.0):
                raise DeviceError(where, f"the depths of the layer's first and last vertex "
                                  f"(m) must lie its length ({layer.length:g} m) apart, got "
                                  f"{pair!r}")
            names = list(dev.layers[name])
            widths = cell_widths(layer.length, layer.cells)
            if last < first:  # the light meets the last vertex first
                names, widths = names[::-1], widths[::-1]
            slabs = layer_depths(names, widths, top=min(first, last))
            slabs = {n: z for n, z in slabs.items() if not dev.nodes[n].reservoir}
        elif name in dev.nodes:
            if dev.nodes[name].reservoir:
                raise DeviceError(where, "a reservoir absorbs no heat (its temperature is "
                                  "fixed): leave it out")
            slabs = {name: tuple(pair)}
        else:
            raise DeviceError(where, unknown(f"node or layer {name!r}", name,
                                             [*dev.nodes, *dev.layers]))
        for node in slabs:
            if node in depths:
                raise DeviceError(where, f"node {node!r} has a depth already")
        depths.update(slabs)
    return depths


def _spectral_settings(model) -> dict:
    """The file's ``[spectral]`` settings, with ``[spectral.nodes.*]`` turned into relaxation
    conductances (S) of internal nodes."""
    spectral = model.spectral.model_dump() if model.spectral else {}
    for name, node in (model.spectral.nodes.items() if model.spectral else ()):
        if name not in model.nodes or model.nodes[name].reservoir:
            raise DeviceError(f"spectral.nodes.{name}", _not_internal(model, name))
        _relaxation_from_size(spectral, name, node)
    spectral.pop("nodes", None)
    if model.regime == "spectral":
        for key in ("relaxation", "phonons"):
            for name, g in spectral.get(key, {}).items():
                _check_relaxation(model, key, name, g)
    return spectral


def _not_internal(model, name: str) -> str:
    """Why ``name`` takes no relaxation: a reservoir, or no node (with the close matches among
    the internal nodes)."""
    if name in model.nodes:
        return "not an internal node (a reservoir: relaxation acts on internal nodes)"
    return unknown("internal node", name, [n for n, node in model.nodes.items()
                                           if not node.reservoir])


def _check_relaxation(model, key: str, name: str, g: float) -> None:
    """``[spectral.KEY] NAME = g``: a positive, finite conductance (S) of an internal node."""
    if name not in model.nodes or model.nodes[name].reservoir:
        raise DeviceError(f"spectral.{key}.{name}", _not_internal(model, name))
    if not (math.isfinite(g) and g > 0):
        raise DeviceError(f"spectral.{key}.{name}",
                          "must be a positive, finite conductance (S)")
    if reason := conductance_reason(g, 0.0):
        raise DeviceError(f"spectral.{key}.{name}", f"is {reason}")


def _layer(dev: Device, name: str, t) -> list[str]:
    """Add ``[layers.NAME]`` to ``dev`` (errors name ``layers.NAME.<field>``); returns the
    names of its vertices."""
    from ..errors import FieldError
    from ..layers.multilayer import BulkMaterial, add_layer
    from ..materials import UnknownMaterialError, bulk_material

    where = f"layers.{name}"
    given = {k: getattr(t, k) for k in ("resistivity", "spin_flip_length", "spin_asymmetry",
                                        "seebeck", "spin_seebeck", "thermal_conductivity",
                                        "density_of_states")
             if getattr(t, k) is not None}
    try:
        if t.material is not None:
            material = bulk_material(t.material, **given)
        else:
            for key in ("resistivity", "spin_flip_length"):
                if key not in given:
                    raise DeviceError(f"{where}.{key}", "required without a material")
            material = BulkMaterial(**given)
    except UnknownMaterialError as err:
        raise DeviceError(f"{where}.material", str(err)) from None
    except FieldError as err:
        field = err.field.rsplit(".", 1)[-1]
        raise DeviceError(f"{where}.{field}", err.reason) from None
    m = t.magnetization
    if m is not None and not isinstance(m, list):
        m = angles_to_vector(m.theta, m.phi)
    for key, node in (("start", t.start), ("end", t.end)):
        if node is not None and node not in dev.nodes:
            raise DeviceError(f"{where}.{key}", unknown(f"node {node!r}", node, dev.nodes))
    # add_layer names its errors layers.NAME.<field> itself
    return add_layer(dev, name, material, length=t.length, area=t.area, cells=t.cells,
                     magnetization=m, start=t.start, end=t.end, hanle_field=t.hanle_field,
                     spin_lifetime=t.spin_lifetime, heat=_layer_heat(t, where, dev.temperature))


def _layer_heat(t, where: str, temperature: float):
    """The :class:`~spincaloric.layers.LayerHeat` of a ``[layers.NAME]`` table at the device
    ``temperature`` (K): "material" values from the bulk database; None without heat keys."""
    from ..errors import FieldError
    from ..layers.multilayer import LayerHeat
    from ..materials import layer_heat

    keys = ("volumetric_heat_capacity", "electron_heat_capacity_coefficient",
            "electron_phonon_coupling", "boundary_conductance", "footprint")
    given = {k: getattr(t, k) for k in keys if getattr(t, k) is not None}
    if not given:
        return None
    for key, value in given.items():
        if value == "material" and t.material is None:
            raise DeviceError(f"{where}.{key}", '"material" reads the bulk database: give the '
                              "layer's material, or a number")
    try:
        if t.material is not None:
            given = {"volumetric_heat_capacity": None, **given}  # (absent: none, not c_p)
            return layer_heat(t.material, temperature, **given)
        return LayerHeat(**given)
    except FieldError as err:
        raise DeviceError(f"{where}.{err.field}", err.reason) from None


def _refuse_torque_maps_beyond_memory(dev: Device, model) -> None:
    """Refuse dynamic magnets whose torque maps cannot fit in memory — dense, or sparse where
    the model builds them so (:func:`~spincaloric.circuit.memory.torque_maps_sparse`) —
    naming the first one's ``magnet`` table."""
    from ..circuit.memory import (
        device_counts,
        refuse_beyond_memory,
        sparse_torque_map_bytes,
        torque_map_bytes,
        torque_maps_sparse,
    )

    internal = [f"nodes.{n}.magnet" for n, t in model.nodes.items()
                if t.magnet is not None and not t.reservoir]
    layers = [f"layers.{n}.magnet" for n, t in model.layers.items() if t.magnet is not None]
    fields = [f"nodes.{n}.magnet" for n, t in model.nodes.items() if t.magnet is not None]
    nodes, unknown_nodes, unknowns = device_counts(dev)
    k = len(fields) + len(layers)
    sampled = bool(internal or layers)
    need = torque_map_bytes(nodes, unknown_nodes, unknowns, k, sampled)
    stores_heat = any((getattr(spec, "heat_capacity", 0.0) or 0.0) > 0
                      for spec in dev.nodes.values())
    if torque_maps_sparse(need, sampled, stores_heat):
        need = sparse_torque_map_bytes(nodes, len(dev.contacts), unknowns, k)
    refuse_beyond_memory((fields + layers)[0], f"the torque maps of {k} dynamic magnet"
                         f"{'s' if k > 1 else ''} over {unknowns} unknowns", need)


def _relaxation_from_size(spectral: dict, name: str, node) -> None:
    """g_ee = e²DV/τ_ee and g_ep = e²DV/τ_ep of ``[spectral.nodes.NAME]`` into ``spectral``."""
    from ..solvers.spectral import relaxation_conductance

    where = f"spectral.nodes.{name}"
    density = node.density_of_states
    if node.material is not None:
        from ..materials import UnknownMaterialError, get_bulk

        try:
            density = get_bulk(node.material).value("density_of_states")
        except UnknownMaterialError as err:
            raise DeviceError(f"{where}.material", str(err)) from None
        if density is None:
            raise DeviceError(f"{where}.material", f"{node.material!r} has no density of states "
                              "in the database: give density_of_states (J⁻¹ m⁻³)")
    for key, tau in (("relaxation", node.tau_ee), ("phonons", node.tau_ep)):
        if tau is None:
            continue
        if name in spectral[key]:
            raise DeviceError(f"{where}", f"also given in spectral.{key}: give it once")
        try:
            spectral[key][name] = relaxation_conductance(node.volume, density, tau)
        except DeviceError as err:
            field = {"time": "tau_ee" if key == "relaxation" else "tau_ep"}.get(err.field,
                                                                            err.field)
            raise DeviceError(f"{where}.{field}", err.reason) from None


def _contact(t: ContactTable, dev: Device, t0: float, where: str) -> ContactParameters:
    _check_ends_and_form(t, dev, where)
    normal = all(dev.nodes[n].kind == "normal" for n in t.between)
    form = t.form()
    try:
        if normal:
            extra = [k for k, v in t.model_dump().items()
                     if v is not None and k not in ("between", "conductance", "seebeck",
                                                   "heat_conductance")]
            if form != "paper" or extra:
                raise DeviceError(f"{where}.{extra[0] if extra else 'between'}",
                                  "a normal|normal contact takes only conductance and seebeck "
                                  "(and heat_conductance)")
            if t.conductance is None:
                raise DeviceError(f"{where}.conductance", "required")
            return ContactParameters.spin_independent(
                conductance=t.conductance, seebeck=t.seebeck or 0.0, temperature=t0)
        if form == "raw":
            missing = [k for k in ("g_up", "g_down", "g_mix") if getattr(t, k) is None]
            if missing:
                raise DeviceError(f"{where}.{missing[0]}", "required in the raw form")
            g_mix, dg_mix = t.g_mix, t.dg_mix or [0.0, 0.0]
            return ContactParameters(t.g_up, t.g_down, complex(*g_mix), t.dg_up or 0.0,
                                     t.dg_down or 0.0, complex(*dg_mix))
        if form == "paper":
            required = ("conductance", "polarization", "mixing", "seebeck",
                        "polarization_derivative", "mixing_derivative")
            missing = [k for k in required if getattr(t, k) is None]
            if missing:
                raise DeviceError(f"{where}.{missing[0]}", "required in the paper's form")
            return ContactParameters.from_paper(
                **{k: getattr(t, k) for k in required}, temperature=t0,
                mixing_imag=t.mixing_imag or 0.0,
                mixing_imag_derivative=t.mixing_imag_derivative or 0.0)
        return _database_contact(t, t0, where)
    except ContactError as err:
        raise DeviceError(f"{where}.{err.field}", err.reason) from None


def _check_ends_and_form(t: ContactTable, dev: Device, where: str) -> None:
    """Known nodes at both ends, of kinds the contact can join (two ferromagnets only by a
    tunnel junction, which joins nothing else), and exactly one contact form, or an error
    naming the file's field."""
    for name in t.between:
        if name not in dev.nodes:
            raise DeviceError(f"{where}.between", unknown(f"node {name!r}", name, dev.nodes))
    ferromagnets = [dev.nodes[n].kind == "ferromagnet" for n in t.between]
    if t.between[0] != t.between[1] and all(ferromagnets) and t.junction is None:
        raise DeviceError(f"{where}.between", "two ferromagnets cannot be joined directly: put "
                          "a normal node between them, or make the contact a tunnel junction "
                          "(junction = {...})")
    if t.junction is not None and not all(ferromagnets):
        raise DeviceError(f"{where}.between", "a tunnel junction joins two ferromagnets; a "
                          "barrier to a normal node is an ordinary contact (raw conductances "
                          "or the paper's form)")
    try:
        t.form()
    except ValueError as err:
        raise _form_error(where, err) from None


def _junction(t: ContactTable, dev: Device, t0: float, where: str):
    """A tunnel junction between two ferromagnets, measured (per area) or raw."""
    from ..circuit.junctions import JunctionParameters

    _check_ends_and_form(t, dev, where)
    try:
        form = t.junction.form()
    except ValueError as err:
        raise _form_error(f"{where}.junction", err) from None
    j = t.junction
    try:
        if form == "measured":
            if t.area is None:
                raise DeviceError(f"{where}.area", "required with resistance_area (m²)")
            if not (t.area > 0 and j.resistance_area > 0):
                field = "area" if not t.area > 0 else "junction.resistance_area"
                raise DeviceError(f"{where}.{field}", "must be positive")
            if reason := conductance_reason(t.area / j.resistance_area):
                raise DeviceError(f"{where}.area", f"with resistance_area gives the parallel "
                                  f"conductance area/RA = {reason}")
            params = JunctionParameters.symmetric(
                conductance_parallel=t.area / j.resistance_area, tmr=j.tmr,
                seebeck_parallel=j.seebeck_parallel, seebeck_antiparallel=j.seebeck_antiparallel,
                temperature=t0)
        elif t.area is not None:
            raise DeviceError(f"{where}.area", "the raw junction form is for the whole junction")
        else:
            params = JunctionParameters(j.g0, j.polarization_a, j.polarization_b, j.dg0 or 0.0,
                                        j.dg0_pa or 0.0, j.dg0_pb or 0.0, j.dg0_papb or 0.0)
        params.validate(t0)
        return params
    except ContactError as err:
        raise DeviceError(f"{where}.junction.{err.field}", err.reason) from None


def _form_error(where: str, err: ValueError) -> DeviceError:
    """A contact-form error, with "key: reason" lifted into the field path."""
    head, _, tail = str(err).partition(": ")
    return DeviceError(f"{where}.{head}", tail) if tail and head.isidentifier() else \
        DeviceError(where, str(err))


def _spectrum(t: ContactTable, dev: Device, base: Path, where: str):
    from ..circuit.conductance_spectra import ConductanceSpectrum
    from ..errors import FieldError

    _check_ends_and_form(t, dev, where)
    try:
        spectrum = ConductanceSpectrum.from_file(base / t.spectrum, area=t.area,
                                                 energy_unit=t.energy_unit or "eV")
        spectrum.contact_parameters().validate(dev.temperature)
    except ContactError as err:
        raise DeviceError(f"{where}.spectrum", f"at the Fermi level: {err.field}: "
                          f"{err.reason}") from None
    except FieldError as err:
        field = "area" if err.field == "area" else "spectrum"
        raise DeviceError(f"{where}.{field}", err.reason) from None
    return spectrum


def _database_contact(t: ContactTable, t0: float, where: str) -> ContactParameters:
    from ..materials import UnknownInterfaceError, get_interface

    if t.interface is None:
        raise DeviceError(f"{where}.interface", "required with area")
    if t.area is None or not t.area > 0:
        raise DeviceError(f"{where}.area", "a positive contact area (m²) is required")
    try:
        data = get_interface(t.interface)
    except UnknownInterfaceError as err:
        raise DeviceError(f"{where}.interface", str(err)) from None
    per_area = (data.conductance_per_area if t.conductance_per_area is None
                else t.conductance_per_area)
    if per_area is not None and not (math.isfinite(per_area) and per_area > 0):
        raise DeviceError(f"{where}.conductance_per_area", f"must be positive (S/m²), got "
                          f"{per_area!r}")
    if per_area is None:
        raise DeviceError(f"{where}.interface", f"{t.interface!r} has no conductance per area "
                          "in the database: give conductance_per_area (S/m²)")
    if reason := conductance_reason(per_area * t.area):
        raise DeviceError(f"{where}.area", f"gives the conductance G/A × area = {reason}")
    if data.mixing is None or data.mixing_derivative is None:
        raise DeviceError(f"{where}.interface", f"{t.interface!r} has no mixing conductance "
                          "(η, η') in the database: use the paper's form")
    return data.contact(t.area, t0, per_area)


def _magnet(table, where: str, **defaults):
    """MagnetParameters of a ``magnet`` table; ``defaults`` fill fields the table leaves out
    (a layer's thickness and area)."""
    from ..dynamics.magnets import MagnetError, MagnetParameters

    kw = {**defaults, **table.model_dump(exclude_none=True)}
    try:
        return MagnetParameters.from_layer(**kw)
    except MagnetError as err:
        raise DeviceError(f"{where}.{err.field}", err.reason) from None


def _drive(table: dict, where: str):
    from ..dynamics.drives import DriveError, drive_from_dict

    try:
        return drive_from_dict(table, where)
    except DriveError as err:
        raise DeviceError(err.field, err.reason) from None


def solution_record(path, solution) -> dict:
    """The ``solve --json`` object of one file: ``"file"`` first, then Solution.to_dict()."""
    return {"file": str(path), **solution.to_dict()}


def dataset_output(ds, path) -> tuple[Path, object, bool]:
    """The output triple of :func:`spincaloric.files.write_together` for an xarray Dataset:
    netCDF, or a zarr store when ``path`` ends in ``.zarr`` (for large results; needs the
    ``zarr`` package)."""
    path = Path(path)
    if path.suffix == ".zarr":
        return path, lambda tmp: ds.to_zarr(tmp, mode="w", zarr_format=2, consolidated=True), True
    return path, lambda tmp: netcdf3_attributes(ds).to_netcdf(tmp), False


def save_dataset(ds, path) -> None:
    """Write an xarray Dataset atomically (:func:`dataset_output`): a reader never sees a
    half-written file or store, and a failure leaves an existing one untouched."""
    write_together([dataset_output(ds, path)])


def load_dataset(path):
    """Read a result written by :func:`save_dataset` (netCDF or zarr) into memory; a sweep
    file of layout 1 (one variable per quantity and owner) in the columnar layout 2
    (:func:`spincaloric.io.results.columnar`)."""
    import xarray as xr

    from .results import columnar

    path = Path(path)
    if path.suffix == ".zarr":
        return columnar(xr.open_zarr(path).load())
    try:
        ds = xr.load_dataset(path)
    except ValueError as err:  # no backend recognises the file
        if "backends" not in str(err):
            raise
        raise DeviceError("<file>", "not a result file (netCDF .nc or a zarr store, as "
                          "spincaloric sweep, map and run -o write)") from None
    return columnar(ds)


