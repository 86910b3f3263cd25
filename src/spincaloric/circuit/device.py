"""Build a device (nodes joined by contacts), then finalize it into an immutable :class:`Circuit`.

A :class:`Device` is a mutable description, filled from a device file (:mod:`spincaloric.io`)
or in code::

    >>> from spincaloric import Device, ContactParameters
    >>> dev = Device(temperature=300.0)
    >>> dev.add_node("left", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    >>> dev.add_node("spacer", "normal")
    >>> dev.add_node("right", "ferromagnet", reservoir=True, magnetization=[1, 0, 0],
    ...              temperature=301.0)
    >>> c = ContactParameters.from_paper(conductance=1e-2, polarization=0.5, mixing=0.6,
    ...     seebeck=-4e-6, polarization_derivative=0.8, mixing_derivative=0.1, temperature=300.0)
    >>> dev.add_contact("left", "spacer", c); dev.add_contact("right", "spacer", c)
    >>> circuit = dev.finalize()
    >>> circuit.n_unknowns
    5

:meth:`Device.finalize` checks the topology and the physics of every contact and raises
:class:`DeviceError` with the offending field (``nodes.spacer``, ``contacts[1].between``, ...).
The :class:`Circuit` holds only arrays: what a solve needs, nothing it must recompute.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ..errors import DeviceError, unknown
from ..validation import absolute_temperature, conductance_reason, real, unit_vectors
from .backends import backend
from .contacts import ContactParameters
from .drives import to_theory
from .junctions import JunctionParameters
from .kinds import ContactKind, HeatLink, kind_of
from .system import active_components

Regime = Literal["thermalized", "noninteracting", "spectral"]
NodeKind = Literal["ferromagnet", "normal", "lattice"]
REGIMES = ("thermalized", "noninteracting", "spectral")
NODE_KINDS = ("ferromagnet", "normal", "lattice")


def unit_vector(value, field: str = "magnetization") -> np.ndarray:
    """Normalise a non-zero 3-vector (any length; array (..., 3) allowed), without overflow.

    Raises :class:`DeviceError` naming ``field`` for a zero, non-finite or wrongly shaped vector.
    """
    return unit_vectors(value, field, DeviceError)


def angles_to_vector(theta_deg: float, phi_deg: float = 0.0) -> np.ndarray:
    """Unit vector from polar angle θ and azimuth φ in degrees."""
    t, p = math.radians(theta_deg), math.radians(phi_deg)
    return np.array([math.sin(t) * math.cos(p), math.sin(t) * math.sin(p), math.cos(t)])


def vector_to_angles(m) -> tuple[float, float]:
    """(θ, φ) in degrees of the direction of the non-zero 3-vector ``m`` (inverse of
    :func:`angles_to_vector`)."""
    x, y, z = (float(c) for c in m)
    norm = math.sqrt(x * x + y * y + z * z)
    return math.degrees(math.acos(max(-1.0, min(1.0, z / norm)))), math.degrees(math.atan2(y, x))


def precession(where: str, kind: str, reservoir: bool, spin_flip: float, field, lifetime):
    """Ω⃗ = G_sf τ_sf γ B⃗ (S) of a node with a Hanle field, validated; None without one."""
    from ..constants import gyromagnetic_ratio

    if field is None:
        if lifetime is not None:
            raise DeviceError(f"{where}.spin_lifetime", "only used with a hanle_field")
        return None
    try:
        if any(isinstance(x, (bool, np.bool_)) for x in field):
            raise TypeError("a boolean is not a field")
        b = np.asarray(field, dtype=float)
    except (TypeError, ValueError):
        b = np.array([np.nan])
    if b.shape != (3,) or not np.all(np.isfinite(b)):
        raise DeviceError(f"{where}.hanle_field", f"must be three finite numbers (T), got {field!r}")
    if kind != "normal" or reservoir:
        raise DeviceError(f"{where}.hanle_field", "only the spin accumulation of a normal "
                          "internal node precesses (a ferromagnet's is held along m)")
    if not spin_flip:
        raise DeviceError(f"{where}.hanle_field", "needs spin_flip > 0 (S): with spin_lifetime "
                          "it fixes the node's spin capacity G_sf τ_sf")
    if lifetime is None or isinstance(lifetime, bool) or not (
            isinstance(lifetime, (int, float, np.floating, np.integer))
            and math.isfinite(lifetime) and lifetime > 0):
        raise DeviceError(f"{where}.spin_lifetime", f"a hanle_field needs the spin relaxation "
                          f"time τ_sf > 0 (s), got {lifetime!r}")
    with np.errstate(over="ignore"):
        omega = float(spin_flip) * float(lifetime) * gyromagnetic_ratio() * b
    if not np.all(np.isfinite(omega)):
        raise DeviceError(f"{where}.hanle_field", f"with spin_flip G_sf = {spin_flip:.3g} S and "
                          f"spin_lifetime τ_sf = {lifetime:.3g} s gives a precession "
                          "G_sf τ_sf γB beyond the floating-point range")
    return omega


def _node_magnetization(where: str, kind: str, magnetization) -> np.ndarray | None:
    """The unit magnetization of a ferromagnetic node (None for a normal one)."""
    if kind != "ferromagnet":
        if magnetization is not None:
            raise DeviceError(f"{where}.magnetization", "only a ferromagnet has a magnetization")
        return None
    if magnetization is None:
        raise DeviceError(f"{where}.magnetization", "a ferromagnet needs a magnetization")
    m = unit_vector(magnetization, f"{where}.magnetization")
    if m.shape != (3,):
        raise DeviceError(f"{where}.magnetization", f"must be one 3-vector, got shape "
                          f"{m.shape}")
    return m


def _node_bias(where: str, reservoir, voltage, current, temperature):
    """(voltage (V), current (A) or None, temperature (K) or None) of a node, validated: only
    a reservoir has them, and it is biased by a voltage or by a current."""
    voltage = real(voltage, f"{where}.voltage", "V", DeviceError)
    if current is not None:
        current = real(current, f"{where}.current", "A", DeviceError)
    if temperature is not None:
        temperature = absolute_temperature(temperature, f"{where}.temperature", DeviceError)
    if not reservoir and (voltage != 0.0 or temperature is not None or current is not None):
        raise DeviceError(where, "only a reservoir has a fixed voltage, current or temperature")
    if current is not None and voltage != 0.0:
        raise DeviceError(f"{where}.current", "give a voltage or a current bias, not both")
    return voltage, current, temperature


def _check_node_sinks(where: str, reservoir, spin_flip, bath, spin_heat_relaxation,
                      heat) -> float:
    """The relaxation conductances (S, W/K) and the heat input (W) of a node: finite,
    conductances >= 0, and only on an internal node; returns the heat (W)."""
    for key, value in (("spin_flip", spin_flip), ("bath", bath),
                       ("spin_heat_relaxation", spin_heat_relaxation)):
        value = real(value, f"{where}.{key}", "S" if key == "spin_flip" else "W/K",
                     DeviceError)
        if value < 0:
            raise DeviceError(f"{where}.{key}", f"must be a conductance >= 0, got {value!r}")
        if reason := conductance_reason(value, 0.0, "S" if key == "spin_flip" else "W/K"):
            raise DeviceError(f"{where}.{key}", f"is {reason}")
        if value and reservoir:
            raise DeviceError(f"{where}.{key}", "only an internal node relaxes (a reservoir "
                              "is in equilibrium)")
    heat = real(heat, f"{where}.heat", "W", DeviceError)
    if heat and reservoir:
        raise DeviceError(f"{where}.heat", "only an internal node takes heat (W): a reservoir "
                          "is in equilibrium")
    return heat


#: The largest heat capacity of a node (J/K): a cubic centimetre of metal stores ~3 J/K, the
#: nodes of a nanoscale circuit 10⁻²⁰…10⁻¹² J/K; a volumetric value (J/(m³ K), ~10⁶) typed
#: for a node's is refused.
MAX_HEAT_CAPACITY = 1.0


def _heat_storage(where: str, reservoir: bool, heat_capacity, lattice_heat_capacity,
                  electron_phonon) -> tuple[float, float, float]:
    """A node's heat capacities (J/K) and electron–phonon conductance (W/K): finite, ≥ 0,
    only on an internal node, and a lattice capacity only with a lattice (G_ep > 0)."""
    values = []
    for key, value, unit in (("heat_capacity", heat_capacity, "J/K"),
                             ("lattice_heat_capacity", lattice_heat_capacity, "J/K"),
                             ("electron_phonon", electron_phonon, "W/K")):
        value = real(value, f"{where}.{key}", unit, DeviceError)
        if not value >= 0:
            raise DeviceError(f"{where}.{key}", f"must be >= 0 ({unit}), got {value!r}")
        if unit == "J/K" and value > MAX_HEAT_CAPACITY:
            raise DeviceError(f"{where}.{key}", f"{value:g} J/K is no node's heat capacity (a "
                              f"cubic centimetre of metal stores about 3 J/K): give the node's "
                              f"J/K, its volume times the J/(m³ K) of its material")
        if unit == "W/K" and (reason := conductance_reason(value, 0.0, unit)):
            raise DeviceError(f"{where}.{key}", f"is {reason}")
        if value and reservoir:
            raise DeviceError(f"{where}.{key}", "only an internal node stores heat (a "
                              "reservoir's temperature is fixed)")
        values.append(float(value))
    if values[1] and not values[2]:
        raise DeviceError(f"{where}.lattice_heat_capacity", "a lattice temperature needs the "
                          "electron-phonon conductance that couples it (electron_phonon, W/K)")
    return tuple(values)


def _check_lattice(where: str, kind: str, reservoir: bool, sinks: dict) -> None:
    """A lattice node is an internal temperature alone: no bias, spin relaxation or field."""
    if kind != "lattice":
        return
    if reservoir:
        raise DeviceError(f"{where}.reservoir", "a lattice node is internal (a fixed "
                          "temperature is a reservoir of kind normal)")
    for key, value in sinks.items():
        if value is not None and np.any(np.asarray(value) != 0):
            raise DeviceError(f"{where}.{key}", "a lattice node carries heat only (no charge, "
                              "no spin)")


def _checked_node(name: str, spec: NodeSpec) -> NodeSpec:
    """A node as :meth:`Device.add_node` checks it, again when the device is finalized (a
    :class:`NodeSpec` may have been edited since: ``dev.nodes["R"].magnetization = ...``):
    a DeviceError naming the field, else the spec with its magnetization of unit length
    (the given one where it is within round-off of that) and its numbers as floats."""
    where = f"nodes.{name}"
    if not isinstance(spec.kind, str) or spec.kind not in NODE_KINDS:
        raise DeviceError(f"{where}.type", f"must be one of {NODE_KINDS}, got {spec.kind!r}")
    if not isinstance(spec.reservoir, (bool, np.bool_)):
        raise DeviceError(f"{where}.reservoir", f"must be true or false, got "
                          f"{spec.reservoir!r}")
    m = _node_magnetization(where, spec.kind, spec.magnetization)
    if m is not None and np.array_equal(np.shape(spec.magnetization), (3,)) and np.allclose(
            spec.magnetization, m, rtol=0.0, atol=1e-15):
        m = np.asarray(spec.magnetization, float)  # as given: no last-digit renormalisation
    voltage, current, temperature = _node_bias(where, spec.reservoir, spec.voltage,
                                               spec.current, spec.temperature)
    heat = _check_node_sinks(where, spec.reservoir, spec.spin_flip, spec.bath,
                             spec.spin_heat_relaxation, spec.heat)
    _heat_storage(where, spec.reservoir, spec.heat_capacity, 0.0, 0.0)
    omega = spec.precession
    if omega is not None:
        omega = np.asarray(omega, float)
        if omega.shape != (3,) or not np.all(np.isfinite(omega)):
            raise DeviceError(f"{where}.hanle_field", "the precession must be a finite "
                              "3-vector (S)")
        if omega.any() and (spec.kind != "normal" or spec.reservoir or not spec.spin_flip > 0):
            raise DeviceError(f"{where}.hanle_field", "precesses the spin accumulation of a "
                              "normal internal node with spin_flip > 0 only")
    _check_lattice(where, spec.kind, spec.reservoir, {
        "voltage": voltage, "current": current, "spin_flip": spec.spin_flip,
        "spin_heat_relaxation": spec.spin_heat_relaxation, "hanle_field": omega})
    return dataclasses.replace(spec, magnetization=m, voltage=float(voltage),
                               current=None if current is None else float(current),
                               temperature=temperature, heat=float(heat), precession=omega,
                               spin_flip=float(spec.spin_flip), bath=float(spec.bath),
                               spin_heat_relaxation=float(spec.spin_heat_relaxation),
                               heat_capacity=float(spec.heat_capacity))


def lattice_name(node: str) -> str:
    """The name of the lattice node of ``node`` in the two-temperature model."""
    return f"{node}/lattice"


#: The arguments of :meth:`Circuit.solve` (a misspelled one is named with its close match).
SOLVE_ARGUMENTS = ("magnetization", "voltage", "temperature", "current", "heat", "method")

@dataclass
class NodeSpec:
    """One node of a device.

    kind : "ferromagnet" or "normal".  reservoir : potentials fixed by the bias.
    voltage : electric potential of a reservoir (V).  temperature : absolute, of a reservoir (K);
    None means the device temperature.  magnetization : unit vector of a ferromagnet.
    current : for a current-biased reservoir, the conventional current (A) flowing from it into
    the device; its voltage is then solved for (None: voltage bias).
    spin_flip : spin-flip conductance G_sf (S) of an internal node: spin current V⃗_s G_sf (A)
        relaxes to the lattice (physics.md §3).
    bath : heat conductance G_ph (W/K) of an internal node to a phonon bath at the device
        temperature: heat (T − T0) G_ph (W) leaves the electrons.
    spin_heat_relaxation : conductance (W/K) relaxing the spin temperature T⃗_s of a
        non-interacting node by inelastic processes, on top of what its spin flip does: spin
        flip (elastic) relaxes the spin distribution at every energy, so it sinks T⃗_s with
        L0 T G_sf by itself (:attr:`Circuit.spin_heat_sink` is the total).
    heat : heat (W) deposited in an internal node's electrons (a laser, or Joule heat computed
        from a first solve: second order in the bias, so an input here).
    precession : Ω⃗ = G_sf τ_sf ω⃗_L (S, 3-vector) of a normal internal node in a magnetic field
        (the Hanle effect): its spin accumulation precesses at ω⃗_L = γ B⃗ while it relaxes in
        τ_sf, so the spin balance gains −Ω⃗ × V⃗_s (and −L0 T Ω⃗ × T⃗_s); see :meth:`Device.add_node`.
    heat_capacity : C (J/K) of an internal node: in the dynamics its temperature obeys
        C dT/dt = (heat deposited) − (net heat current out), docs/dynamics.md; 0: the node's
        heat balance is instantaneous (static solves never depend on a capacity).

    A node of kind "lattice" is a temperature alone (no charge, no spin): the lattice of a
    node in the two-temperature model, joined to its electrons and to other lattices by
    :class:`~spincaloric.circuit.kinds.HeatLink` contacts; :meth:`Device.add_node` with
    ``electron_phonon`` makes one.
    """

    kind: NodeKind
    reservoir: bool = False
    voltage: float = 0.0
    temperature: float | None = None
    magnetization: np.ndarray | None = None
    current: float | None = None
    spin_flip: float = 0.0
    bath: float = 0.0
    spin_heat_relaxation: float = 0.0
    heat: float = 0.0
    precession: np.ndarray | None = None
    heat_capacity: float = 0.0

    def __setattr__(self, name, value):
        """A field set after :meth:`Device.add_node` checked the node marks it ``edited``:
        :meth:`Device.finalize` checks it again (:func:`_checked_node`)."""
        object.__setattr__(self, name, value)
        object.__setattr__(self, "edited", True)

    def checked(self) -> NodeSpec:
        """This spec, marked as checked (:meth:`Device.add_node`'s own values)."""
        object.__setattr__(self, "edited", False)
        return self


@dataclass
class ContactSpec:
    """A contact between two nodes; currents flow from ``between[0]`` into ``between[1]``.
    ``bulk`` marks a contact inside one diffusive ferromagnetic layer: it may join two
    ferromagnetic nodes of the same magnetization (the two-channel resistor of a layer cell).
    ``ideal`` marks a resistance-free link standing for a joint without an interface (its
    conductances are placeholders, negligible in series, not a physical interface's)."""

    between: tuple[str, str]
    parameters: ContactParameters | JunctionParameters
    bulk: bool = False
    spectrum: object = None  # a ConductanceSpectrum, used by the energy-resolved solver
    label: str | None = None  # how errors name it (e.g. "contacts[2]" of a device file)
    heat_conductance: float = 0.0  # W/K: lattice heat conduction in parallel with the electrons
    ideal: bool = False


@dataclass
class Device:
    """Mutable description of a magnetoelectronic circuit.

    Parameters
    ----------
    temperature : equilibrium temperature T of the linear response (K).
    regime : "thermalized" (spin temperature zero in every node) or "noninteracting"
        (a vector spin heat accumulation in normal nodes), physics.md §3; "spectral": solved
        energy by energy (:mod:`spincaloric.solvers.spectral`; the linear solver then treats it as
        non-interacting).
    title : free text.
    layers : {layer name: names of its vertices}, filled by
        :func:`~spincaloric.layers.add_layer` (a ferromagnetic layer is one magnet, named
        after the layer).
    """

    temperature: float
    regime: Regime = "thermalized"
    title: str = ""
    nodes: dict[str, NodeSpec] = field(default_factory=dict)
    contacts: list[ContactSpec] = field(default_factory=list)
    layers: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self):
        # checked here too (not only at finalize): builders use T for every contact they add
        self.temperature = absolute_temperature(self.temperature, "temperature", DeviceError)
        if not isinstance(self.regime, str) or self.regime not in REGIMES:
            raise DeviceError("regime", f"must be one of {REGIMES}, got {self.regime!r}")

    def add_node(self, name: str, kind: NodeKind, *, reservoir: bool = False,
                 voltage: float = 0.0, temperature: float | None = None,
                 magnetization: Sequence[float] | None = None,
                 current: float | None = None, spin_flip: float = 0.0, bath: float = 0.0,
                 spin_heat_relaxation: float = 0.0, heat: float = 0.0,
                 hanle_field: Sequence[float] | None = None,
                 spin_lifetime: float | None = None, heat_capacity: float = 0.0,
                 lattice_heat_capacity: float = 0.0, electron_phonon: float = 0.0) -> None:
        """Add a node. ``voltage``: electric potential (V); ``temperature``: absolute (K);
        ``current``: conventional current (A) into the device from a current-biased reservoir,
        whose voltage is then solved for (give ``voltage`` or ``current``, not both).
        ``heat_capacity`` C (J/K, ≥ 0) of an internal node: its temperature follows
        C dT/dt = (heat in) − (heat out) in the dynamics. ``electron_phonon`` G_ep (W/K) > 0
        gives it a lattice temperature of its own (two-temperature model): a node
        ``NAME/lattice`` of kind "lattice" with ``lattice_heat_capacity`` C_l (J/K) and the
        ``bath`` (the lattice, not the electrons, meets the substrate), joined to the node by a
        :class:`~spincaloric.circuit.kinds.HeatLink` of G_ep; ``heat_capacity`` is then the
        electrons'. Kind "lattice" adds such a temperature alone (join it with HeatLinks).

        ``hanle_field`` (T, a 3-vector B⃗ = μ0H⃗) and ``spin_lifetime`` τ_sf (s) make the spin
        accumulation of a normal internal node precess (the Hanle effect). The node's spins obey
        the Bloch equation ds⃗/dt = −(outflow) − s⃗/τ_sf + ω⃗_L × s⃗ with ω⃗_L = γ B⃗, γ = g μ_B/ħ
        (free-electron g), right-handed about B⃗; relaxation and precession act on the same spin
        s⃗ = G_sf τ_sf V⃗_s, so the steady balance is Σ outflow + G_sf V⃗_s − G_sf τ_sf ω⃗_L × V⃗_s
        = 0. Needs ``spin_flip`` G_sf > 0 (S), which fixes with τ_sf the node's spin capacity.
        Spin flip is elastic, so in the non-interacting regime T⃗_s precesses alike.

        ``kind``: "ferromagnet" (needs ``magnetization``, any non-zero 3-vector, normalised),
        "normal" or "lattice". Relaxation of an internal node: ``spin_flip`` G_sf (S),
        ``bath`` (W/K, heat to a phonon bath at T0), ``spin_heat_relaxation`` (W/K, of the
        spin temperature), and ``heat`` (W) deposited in its electrons.
        """
        where = self._new_node_name(name)
        if not isinstance(kind, str) or kind not in NODE_KINDS:
            raise DeviceError(f"{where}.type", f"must be one of {NODE_KINDS}, got {kind!r}")
        if not isinstance(reservoir, (bool, np.bool_)):
            raise DeviceError(f"{where}.reservoir", f"must be true or false, got {reservoir!r}")
        m = _node_magnetization(where, kind, magnetization)
        voltage, current, temperature = _node_bias(where, reservoir, voltage, current,
                                                   temperature)
        heat = _check_node_sinks(where, reservoir, spin_flip, bath, spin_heat_relaxation, heat)
        omega = precession(where, kind, reservoir, spin_flip, hanle_field, spin_lifetime)
        capacity, lattice, g_ep = _heat_storage(where, reservoir, heat_capacity,
                                                lattice_heat_capacity, electron_phonon)
        _check_lattice(where, kind, reservoir, {
            "voltage": voltage, "current": current, "spin_flip": spin_flip,
            "spin_heat_relaxation": spin_heat_relaxation, "hanle_field": hanle_field,
            "electron_phonon": g_ep})
        if g_ep and lattice_name(name) in self.nodes:
            raise DeviceError(f"{where}.electron_phonon", f"a node {lattice_name(name)!r} "
                              "exists already")
        if m is not None:
            m.setflags(write=False)  # edited by assignment only, which finalize checks again
        self.nodes[name] = NodeSpec(kind, reservoir, float(voltage), temperature, m,
                                    None if current is None else float(current),
                                    float(spin_flip), 0.0 if g_ep else float(bath),
                                    float(spin_heat_relaxation), float(heat), omega,
                                    capacity).checked()
        if g_ep:  # the two-temperature model: the lattice, its bath, the coupling
            self.nodes[lattice_name(name)] = NodeSpec("lattice", bath=float(bath),
                                                      heat_capacity=lattice).checked()
            self.add_contact(name, lattice_name(name), HeatLink(g_ep),
                             label=f"{where}.electron_phonon")

    def _new_node_name(self, name) -> str:
        """``nodes.NAME`` of a valid name that no node or layer has yet."""
        if not isinstance(name, str) or not name:
            raise DeviceError("nodes", f"a node's name must be a non-empty string, got {name!r}")
        if "." in name or "/" in name:  # NAME.field addresses a value; NAME/lattice is taken
            raise DeviceError("nodes", f"a node's name may not contain '.' or '/' (keys such "
                              f"as NAME.voltage address its values), got {name!r}")
        where = f"nodes.{name}"
        if name in self.nodes:
            raise DeviceError(where, "a node of this name exists already")
        if name in self.layers:
            raise DeviceError(where, "a layer of this name exists (node and layer names must "
                              "differ: NAME.field addresses either)")
        return where

    def add_contact(self, a: str, b: str,
                    parameters: ContactParameters | JunctionParameters | None = None, *,
                    bulk: bool = False, spectrum=None, label: str | None = None,
                    heat_conductance: float = 0.0, ideal: bool = False) -> None:
        """Join nodes ``a`` and ``b``; positive currents flow from ``a`` into ``b``.
        ``parameters``: :class:`~spincaloric.circuit.contacts.ContactParameters`, or
        :class:`~spincaloric.circuit.junctions.JunctionParameters` for a tunnel junction joining two
        ferromagnets.
        ``bulk=True``: a cell of a diffusive layer (may join two parallel ferromagnets).
        ``spectrum``: a :class:`~spincaloric.circuit.conductance_spectra.ConductanceSpectrum` (tabulated
        G(ε)) instead of ``parameters``: the energy-resolved solver uses the whole table, the
        linear regimes its values and slopes at the Fermi level. ``label``: how error messages
        name the contact (default ``contacts[k]``). ``heat_conductance`` (W/K, ≥ 0): heat
        carried by the lattice (phonons) in parallel with the contact's electrons, between the
        temperatures of its two nodes — no charge, no spin (a layer's thermal conductivity
        beyond Wiedemann–Franz); not part of the energy-resolved solver. ``ideal=True``: a
        resistance-free link joining two layers without an interface (its conductances are
        placeholders; :attr:`Circuit.ideal_links`)."""
        where = label or f"contacts[{len(self.contacts)}]"
        if (parameters is None) == (spectrum is None):
            raise DeviceError(where, "give the contact's parameters or a conductance spectrum "
                              "(one of the two)")
        if parameters is None:
            parameters = spectrum.contact_parameters()
        self.contacts.append(ContactSpec((a, b), parameters, bulk, spectrum, label,
                                         heat_conductance, bool(ideal)))

    def finalize(self) -> Circuit:
        """Validate and freeze into a :class:`Circuit` (raises :class:`DeviceError`)."""
        return Circuit._from_device(self)

    def solve(self, **overrides):
        """Shortcut for ``self.finalize().solve(**overrides)``, see :meth:`Circuit.solve`."""
        return self.finalize().solve(**overrides)


def _read_only(a: np.ndarray) -> np.ndarray:
    a = np.array(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Circuit:
    """An immutable, validated circuit: index arrays and contact parameters.

    Attributes (arrays are read-only; n = number of nodes, c = number of contacts)
    ----------
    names : node names (n,).           ferromagnet, reservoir : bool (n,).
    temperature : equilibrium T (K).   regime : "thermalized" | "noninteracting" | "spectral".
    reservoir_voltage : theory voltage V = (μ − μ0)/e of each node (n,), V (0 for internal):
        minus the electric potential given to :meth:`Device.add_node` (``voltage=+1e-3`` is
        −1e-3 here).
    reservoir_temperature : absolute temperature (n,), K (T for internal).
    current_biased : bool (n,), reservoirs whose current is fixed and voltage solved for.
    spin_flip (S), bath (W/K), spin_heat_relaxation (W/K) : (n,) node relaxation conductances.
    precession : (n, 3) Ω⃗ = G_sf τ_sf γ B⃗ (S) of nodes in a Hanle field (zero rows elsewhere).
    reservoir_current : conventional current (n,) into the device from a current-biased
        reservoir, A; for an internal node the slot holds its heat input, W.
    magnetization : unit vectors (n, 3); zero rows for normal nodes.
    ends : (c, 2) node indices of each contact's ``between``.
    kinds : the contacts grouped by kind (:mod:`spincaloric.circuit.kinds`), each group
        vectorised over its contacts; the solvers loop over them.

    Views derived from the kinds (read-only, c,):
    magnet_of_contact : index of the contact's ferromagnet, −1 for normal|normal (for a
        tunnel junction: its first end; the second is ``ends[k, 1]``).
    g_up, g_down, dg_up, dg_down : S and S/J.  g_mix, dg_mix : complex (zero for other kinds).
    junction : bool, the F|I|F tunnel junctions (:mod:`spincaloric.circuit.junctions`), whose
        current is J = K_a X_a − K_b X_b.
    junction_moments, junction_derivatives : (c, 4) their (G_0, G_0P_a, G_0P_b, G_0P_aP_b) (S)
        and energy derivatives (S/J); zero rows for other contacts.
    heat_conductance : W/K, heat conduction beside the electrons (part of each contact's K).
    ideal_links : bool (c,), the resistance-free links of joints without an interface
        (:meth:`Device.add_contact`): their conductances, the mixing conductance among them,
        are placeholders, not a physical interface's.
    heat_capacity : (n,) J/K of every node (0: no stored heat).
    lattice : bool (n,), the nodes of kind "lattice" (a temperature alone).
    temperature_state : bool (n,), internal nodes whose temperature is given like a
        reservoir's (a state of the dynamics, :meth:`with_temperature_states`) rather than
        solved from their heat balance; all False in a device's own circuit.
    """

    title: str
    temperature: float
    regime: str
    names: tuple[str, ...]
    ferromagnet: np.ndarray
    reservoir: np.ndarray
    reservoir_voltage: np.ndarray
    reservoir_temperature: np.ndarray
    current_biased: np.ndarray
    reservoir_current: np.ndarray
    spin_flip: np.ndarray
    bath: np.ndarray
    spin_heat_relaxation: np.ndarray
    magnetization: np.ndarray
    ends: np.ndarray
    index: Mapping[str, int]
    kinds: tuple[ContactKind, ...] = ()
    contact_labels: tuple[str, ...] = ()
    precession: np.ndarray = field(default_factory=lambda: _read_only(np.zeros((0, 3))))
    layers: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    ideal_links: np.ndarray = field(default_factory=lambda: _read_only(np.zeros(0, bool)))
    heat_capacity: np.ndarray | None = None
    lattice: np.ndarray | None = None
    temperature_state: np.ndarray | None = None

    def __post_init__(self):
        n = len(self.names)
        for name, dtype in (("heat_capacity", float), ("lattice", bool),
                            ("temperature_state", bool)):
            if getattr(self, name) is None:
                object.__setattr__(self, name, _read_only(np.zeros(n, dtype)))

    # ---- construction ---------------------------------------------------------------------
    @classmethod
    def _from_device(cls, dev: Device) -> Circuit:
        t0 = absolute_temperature(dev.temperature, "temperature", DeviceError)
        if not isinstance(dev.regime, str) or dev.regime not in REGIMES:
            raise DeviceError("regime", f"must be one of {REGIMES}, got {dev.regime!r}")
        if not dev.nodes:
            raise DeviceError("nodes", "the device has no nodes")
        names = tuple(dev.nodes)
        index = {n: i for i, n in enumerate(names)}
        specs = [_checked_node(n, dev.nodes[n]) if getattr(dev.nodes[n], "edited", True)
                 else dev.nodes[n] for n in names]
        ferro, res, volt, temp, mag = _node_arrays(specs, t0)
        ends, kinds, labels = _contact_kinds(dev.contacts, index, ferro, mag, t0)
        biased = np.array([s.current is not None for s in specs])
        if not (res & ~biased).any():
            raise DeviceError("nodes", "every reservoir is current-biased: at least one must have "
                              "a fixed voltage (the ground)")
        _check_connected(names, res & ~biased, ends)
        return cls(
            title=dev.title, temperature=float(t0), regime=dev.regime, names=names,
            ferromagnet=_read_only(ferro), reservoir=_read_only(res),
            reservoir_voltage=_read_only(np.where(res, volt, 0.0)),
            reservoir_temperature=_read_only(np.where(res, temp, t0)),
            current_biased=_read_only(biased),
            spin_flip=_read_only([s.spin_flip for s in specs]),
            bath=_read_only([s.bath for s in specs]),
            spin_heat_relaxation=_read_only([s.spin_heat_relaxation for s in specs]),
            reservoir_current=_read_only([s.heat if not s.reservoir else (s.current or 0.0)
                                          for s in specs]),
            magnetization=_read_only(mag), ends=ends, index=MappingProxyType(index),
            kinds=kinds, contact_labels=labels,
            layers=MappingProxyType(dict(dev.layers)),
            ideal_links=_read_only(np.array([c.ideal for c in dev.contacts], bool)),
            precession=_read_only(np.array([np.zeros(3) if s.precession is None
                                            else s.precession for s in specs]).reshape(-1, 3)),
            heat_capacity=_read_only([s.heat_capacity for s in specs]),
            lattice=_read_only(np.array([s.kind == "lattice" for s in specs], bool)),
        )

    def with_temperature_states(self) -> Circuit:
        """This circuit with the temperature of every node of positive heat capacity given
        like a reservoir's (drive slot 3r + 1, T − T0 in K) instead of solved: such a node's
        heat balance is not one of the equations, its residual (heat out minus heat deposited,
        W) drives C dT/dt in the dynamics (:mod:`spincaloric.dynamics.transient`). Its voltage
        and spin accumulation stay solved for (the electrons' charge and spin respond
        instantly)."""
        held = _read_only(self.heat_capacity > 0)
        return dataclasses.replace(self, temperature_state=held)

    @property
    def fixed_temperature(self) -> np.ndarray:
        """(n,) bool, nodes whose temperature is given: reservoirs and temperature states."""
        return self.reservoir | self.temperature_state

    # ---- views of the contact kinds -------------------------------------------------------
    def _gather(self, name: str, dtype=float, width: tuple = ()) -> np.ndarray:
        """(c, *width) the kinds' array ``name`` by contact, zero where a kind has none."""
        out = np.zeros((self.n_contacts,) + width, dtype)
        for kind in self.kinds:
            values = getattr(kind, name, None)
            if values is not None:
                out[kind.contacts] = values
        return _read_only(out)

    g_up = property(lambda self: self._gather("g_up"), doc="(c,) G↑ (S).")
    g_down = property(lambda self: self._gather("g_down"), doc="(c,) G↓ (S).")
    g_mix = property(lambda self: self._gather("g_mix", complex), doc="(c,) G↑↓ (S).")
    dg_up = property(lambda self: self._gather("dg_up"), doc="(c,) ∂εG↑ (S/J).")
    dg_down = property(lambda self: self._gather("dg_down"), doc="(c,) ∂εG↓ (S/J).")
    dg_mix = property(lambda self: self._gather("dg_mix", complex), doc="(c,) ∂εG↑↓ (S/J).")
    junction_moments = property(lambda self: self._gather("moments", width=(4,)),
                                doc="(c, 4) (G_0, G_0P_a, G_0P_b, G_0P_aP_b) (S).")
    junction_derivatives = property(lambda self: self._gather("moment_derivatives",
                                                              width=(4,)),
                                    doc="(c, 4) energy derivatives of the moments (S/J).")

    @functools.cached_property
    def heat_conductance(self) -> np.ndarray:
        """(c,) W/K, heat carried beside the electrons by every contact."""
        return self._gather("heat_conductance")

    @functools.cached_property
    def magnet_of_contact(self) -> np.ndarray:
        """(c,) the ferromagnet each contact's spin axis follows, −1 for none."""
        return self._gather("magnet", np.intp)

    @property
    def junction(self) -> np.ndarray:
        """(c,) bool, the two-port contacts (F|I|F tunnel junctions)."""
        return self._gather("two_port", bool)

    @property
    def spectra(self) -> Mapping[int, object]:
        """{contact: its tabulated conductance spectrum}."""
        return MappingProxyType({int(c): sp for kind in self.kinds
                                 for c, sp in zip(kind.contacts, getattr(kind, "spectra", ()))})

    @functools.cached_property
    def absorption(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Who absorbs which transverse spin current, as every contact's kind says: arrays
        (contact, ferromagnetic node, sign), the node absorbing sign × J⃗_s⊥ of the contact
        (−1 at its first end, +1 at its second; physics.md §4). Contacts in order, the
        second ends of contacts absorbed at both ends last."""
        absorbing = self._gather("absorbing", bool, (2,))
        first = np.flatnonzero(absorbing.any(axis=1))
        end = np.where(absorbing[first, 0], 0, 1)
        second = np.flatnonzero(absorbing.all(axis=1))
        contact = np.concatenate([first, second])
        node = np.concatenate([self.ends[first, end], self.ends[second, 1]])
        sign = np.concatenate([2.0 * end - 1.0, np.ones(len(second))])
        return _read_only(contact), _read_only(node), _read_only(sign)

    @functools.cached_property
    def _kind_of_contact(self) -> tuple[np.ndarray, np.ndarray]:
        """((c,) the group of every contact in :attr:`kinds`, (c,) its place in the group)."""
        group, place = np.zeros(self.n_contacts, np.intp), np.zeros(self.n_contacts, np.intp)
        for g, kind in enumerate(self.kinds):
            group[kind.contacts], place[kind.contacts] = g, np.arange(len(kind.contacts))
        return group, place

    # ---- structure ------------------------------------------------------------------------
    def __repr__(self) -> str:
        layers = f", layers {', '.join(self.layers)}" if self.layers else ""
        return (f"<Circuit {self.title or 'untitled'!r} ({self.regime}, T0 = "
                f"{self.temperature:g} K): {self.n_nodes} nodes, {self.n_contacts} contacts, "
                f"{self.n_unknowns} unknowns{layers}; .solve(), .names>")

    @property
    def n_nodes(self) -> int:
        return len(self.names)

    @property
    def n_contacts(self) -> int:
        return len(self.ends)

    @property
    def internal(self) -> np.ndarray:
        """Indices of the internal (solved-for) nodes."""
        return np.flatnonzero(~self.reservoir)

    @property
    def unknown_nodes(self) -> np.ndarray:
        """Indices of the nodes with unknowns: internal nodes and current-biased reservoirs."""
        return np.flatnonzero(~self.reservoir | self.current_biased)

    @property
    def magnets(self) -> tuple[str, ...]:
        """Names of all ferromagnetic nodes (reservoirs and internal)."""
        return tuple(n for n, f in zip(self.names, self.ferromagnet) if f)

    @functools.cached_property
    def spin_heat_sink(self) -> np.ndarray:
        """(n,) W/K: the total relaxation of each node's spin temperature T⃗_s — elastic spin
        flip relaxes the spin distribution at every energy, so T⃗_s with L0 T G_sf, plus the
        node's own ``spin_heat_relaxation`` (inelastic). (T⃗_s ≡ 0 when thermalized.)"""
        from ..constants import LORENZ

        return _read_only(self.spin_heat_relaxation
                          + LORENZ * self.temperature * np.asarray(self.spin_flip))

    @functools.cached_property
    def magnet_group(self) -> np.ndarray:
        """(n,) for every ferromagnetic node the lowest index of the ferromagnetic nodes joined
        to it by bulk cells (the vertices of one diffusive layer share one magnetization, so
        they form one magnet); −1 for normal nodes."""
        n = self.n_nodes
        ends = np.asarray(self.ends).reshape(-1, 2)
        # two ferromagnets joined into one magnet: a bulk cell of one layer
        count, labels = _components(n, ends[self._gather("one_magnet", bool)])
        lowest = np.full(count, n, dtype=np.intp)
        np.minimum.at(lowest, labels, np.arange(n))
        return _read_only(np.where(self.ferromagnet, lowest[labels], -1))

    @functools.cached_property
    def _magnet_members(self) -> dict[int, tuple[str, ...]]:
        """{group: names of its nodes}, built once (a per-call scan of all nodes made loops over
        a layer's vertices quadratic)."""
        groups = self.magnet_group
        order = np.argsort(groups, kind="stable")
        order = order[groups[order] >= 0]
        cuts = np.flatnonzero(np.diff(groups[order])) + 1
        return {int(groups[m[0]]): tuple(self.names[i] for i in m)
                for m in np.split(order, cuts) if m.size}

    def magnet_nodes(self, name: str) -> tuple[str, ...]:
        """Names of the ferromagnetic nodes that form one magnet with node ``name`` (itself
        included): the vertices of a diffusive ferromagnetic layer share one magnetization.
        ``name`` may also be the layer's name (:meth:`magnet_name`)."""
        name = self.magnet_node(name)
        g = int(self.magnet_group[self.index[name]])
        return self._magnet_members[g] if g >= 0 else (name,)

    def magnet_node(self, name: str) -> str:
        """The node that stands for magnet ``name``: a node name is itself; the name of a
        ferromagnetic layer gives the first node of its magnet. Other names come back
        unchanged (the caller's check then names them)."""
        vertices = self.layers.get(name) if name not in self.index else None
        if vertices and self.ferromagnet[self.index[vertices[0]]]:
            return self._magnet_members[int(self.magnet_group[self.index[vertices[0]]])][0]
        return name

    @functools.cached_property
    def _magnet_names(self) -> dict[int, str]:
        """{group: name of the magnet}: the layer's name for a diffusive ferromagnetic layer
        (the first layer of a group that several layers share), else its node's name."""
        names = {g: members[0] for g, members in self._magnet_members.items()}
        named = set()
        for layer, vertices in self.layers.items():
            g = int(self.magnet_group[self.index[vertices[0]]])
            if g >= 0 and g not in named:
                names[g] = layer
                named.add(g)
        return names

    def magnet_name(self, name: str) -> str:
        """The name of the magnet that ferromagnetic node ``name`` belongs to: a diffusive
        ferromagnetic layer turns as one magnet named after the layer (``free`` for the
        vertices ``free_0`` … ``free_6``); any other ferromagnet is its node's name."""
        return self._magnet_names[int(self.magnet_group[self.index[name]])]

    @property
    def active_components(self) -> np.ndarray:
        """(n, 8) bool: which of a node's 8 padded unknowns are solved for (see :mod:`solver`)."""
        return active_components(self)

    @property
    def n_unknowns(self) -> int:
        """Number of scalar unknowns of the Kirchhoff system."""
        return int(self.active_components.sum())

    def contact_parameters(self, k: int):
        """Parameters of contact ``k`` (S, S/J), as its kind gives them."""
        group, place = self._kind_of_contact
        k = self._contact(k)
        return self.kinds[group[k]].parameters(int(place[k]))

    def between(self, k: int) -> tuple[str, str]:
        """Node names of contact ``k`` (currents flow from the first into the second)."""
        a, b = self.ends[self._contact(k)]
        return self.names[a], self.names[b]

    def _contact(self, k) -> int:
        """``k`` as the index of a contact, 0 … n_contacts − 1 (an IndexError naming the
        range otherwise: a negative index would count from the end)."""
        n = len(self.ends)
        if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or not (
                0 <= k < n):
            raise IndexError(f"contact {k!r}: the circuit's contacts are numbered 0 … {n - 1}")
        return int(k)

    # ---- solving --------------------------------------------------------------------------
    def solve(self, magnetization: Mapping[str, np.ndarray] | None = None,
              voltage: Mapping[str, np.ndarray] | None = None,
              temperature: Mapping[str, np.ndarray] | None = None,
              current: Mapping[str, np.ndarray] | None = None,
              heat: Mapping[str, np.ndarray] | None = None,
              method: str | None = None, **options):
        """Solve the Kirchhoff equations, batched over any leading shape of the overrides.

        Parameters
        ----------
        magnetization : {ferromagnet name: array (..., 3)}; non-zero vectors, normalised here.
        voltage : {reservoir name: array (...)} electric potential (V).
        temperature : {reservoir name: array (...)} absolute temperature (K).
        current : {current-biased reservoir name: array (...)} conventional current (A) flowing
            from the reservoir into the device.
        heat : {internal node name: array (...)} heat deposited in the node (W).
        method : the solver back end: "auto" (the default: dense batched for small circuits,
            sparse LU for large; a circuit of regime "spectral" solved so is warned of),
            "dense", "sparse" (linear response), "spectral" (energy by energy, with
            the ``options`` of :func:`spincaloric.solvers.spectral.solve_spectral`: relaxation,
            phonons, points, window, tol, max_iter; one number per override).
        options : keyword settings of the back end (none for the linear-response ones).

        Returns
        -------
        :class:`spincaloric.circuit.solution.Solution` whose arrays carry the broadcast batch shape of
        all overrides in front; its ``distributions`` hold the energy-resolved result of the
        "spectral" back end (None for the others).
        """
        def given(x):
            return {} if x is None else x

        for name in options:  # a misspelled argument of this method, named as such
            reason = unknown("argument", name, SOLVE_ARGUMENTS)
            if "did you mean" in reason:
                raise DeviceError(name, reason)
        chosen, method = method is not None, "auto" if method is None else method
        if not chosen and self.regime == "spectral":
            warnings.warn("this circuit's regime is 'spectral' (energy-resolved): solve() "
                          "without a method solves linear response, as non-interacting, "
                          "without the energy-resolved options (relaxation, phonons): "
                          "method='spectral' for those (a device file's own: "
                          "load_spec(path).steady(circuit)); method='auto' for linear "
                          "response without this warning", RegimeWarning, stacklevel=2)
        solution = backend(method)(self, given(magnetization), given(voltage),
                                   given(temperature), given(current), given(heat), **options)
        if isinstance(method, str) and method == "spectral" and self.regime == "thermalized":
            warnings.warn("method='spectral' solves the energy-resolved equations, elastic in "
                          "the nodes (the non-interacting regime unless relaxation= is given); "
                          "this circuit's regime is 'thermalized', whose spin temperatures "
                          "it does not impose", RegimeWarning, stacklevel=2)
        return solution


class RegimeWarning(UserWarning):
    """A solve whose back end models another regime than the circuit's."""


def _node_arrays(specs: Sequence[NodeSpec], t0: float):
    """(ferromagnet, reservoir, reservoir theory voltage (V), temperature (K), magnetization
    (n, 3)) of the nodes ``specs`` of a device at temperature ``t0`` (K)."""
    n = len(specs)
    ferro = np.array([s.kind == "ferromagnet" for s in specs])
    res = np.array([s.reservoir for s in specs])
    if not res.any():
        raise DeviceError("nodes", "the device has no reservoir (set reservoir = true on a lead)")
    volt = np.array([to_theory("voltage", s.voltage) for s in specs])
    temp = np.array([t0 if s.temperature is None else s.temperature for s in specs])
    mag = np.zeros((n, 3))
    for i, s in enumerate(specs):
        if s.magnetization is not None:
            mag[i] = s.magnetization
    return ferro, res, volt, temp, mag


def _contact_kinds(contacts: Sequence[ContactSpec], index: Mapping[str, int],
                   ferro: np.ndarray, mag: np.ndarray, t0: float):
    """Validate every contact at temperature ``t0`` (K), each by its kind, in device order;
    return (ends (c, 2), the contacts grouped by kind, their labels)."""
    mag_rows = mag.tolist()
    ends, kind_of_contact, labels = [], [], []
    for k, c in enumerate(contacts):
        where = c.label or f"contacts[{k}]"
        a, b = _contact_ends(where, c, index)
        kind = kind_of(where, c)
        kind.check(where, c, (ferro[a], ferro[b]), (mag_rows[a], mag_rows[b]), t0)
        ends.append((a, b)), kind_of_contact.append(kind), labels.append(where)
    ends = _read_only(np.array(ends, dtype=np.intp).reshape(-1, 2))
    groups = []
    for kind in dict.fromkeys(kind_of_contact):
        sel = np.flatnonzero([x is kind for x in kind_of_contact])
        groups.append(kind.build(_read_only(sel), _read_only(ends[sel]),
                                 tuple(labels[i] for i in sel), [contacts[i] for i in sel],
                                 ferro, t0))
    return ends, tuple(groups), tuple(labels)


def _contact_ends(where: str, c: ContactSpec, index: Mapping[str, int]) -> tuple[int, int]:
    """Indices of the two different nodes that contact ``c`` joins."""
    if len(c.between) != 2:
        raise DeviceError(f"{where}.between", "must name exactly two nodes")
    for name in c.between:
        if name not in index:
            raise DeviceError(f"{where}.between", f"unknown node {name!r}")
    a, b = (index[x] for x in c.between)
    if a == b:
        raise DeviceError(f"{where}.between", "a contact must join two different nodes")
    return a, b


def _components(n: int, ends: np.ndarray) -> tuple[int, np.ndarray]:
    """(number of components, (n,) component label of every node) of the graph of ``n`` nodes
    whose edges are the index pairs ``ends`` (m, 2)."""
    ends = np.asarray(ends, dtype=np.intp).reshape(-1, 2)
    graph = coo_matrix((np.ones(len(ends)), (ends[:, 0], ends[:, 1])), shape=(n, n))
    return connected_components(graph, directed=False)


def _check_connected(names, grounded_nodes, ends) -> None:
    """Every node must be in a contact, and every node must reach a voltage-biased reservoir
    (``grounded_nodes``), which fixes its potential."""
    reservoir = np.asarray(grounded_nodes, dtype=bool)
    n = len(names)
    ends = np.asarray(ends, dtype=np.intp).reshape(-1, 2)
    touched = np.zeros(n, bool)
    touched[ends.ravel()] = True
    loose = np.flatnonzero(~touched & ~reservoir)
    if loose.size:
        raise DeviceError(f"nodes.{names[loose[0]]}", "floating node: no contact joins it")
    labels = _components(n, ends)[1]
    floating = np.flatnonzero(~reservoir & ~np.isin(labels, labels[reservoir]))
    if floating.size:
        raise DeviceError(f"nodes.{names[floating[0]]}", "floating node: no path of contacts "
                          "leads to a voltage-biased reservoir, so its potential is undefined")
