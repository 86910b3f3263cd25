"""The drive vector of a circuit and the one conversion between boundary and theory conventions.

A circuit is driven at its nodes (physics.md §1, "Two conventions"; §3): every node r has three
drive slots 3r, 3r + 1, 3r + 2 of the drive vector d (3n,):

* 3r: the theory voltage V = (μ − μ0)/e (V) of a voltage-biased reservoir;
* 3r + 1: the temperature deviation T − T0 (K) of a reservoir;
* 3r + 2: the conventional current (A) injected by a current-biased reservoir, or the heat (W)
  deposited in an internal node.

Inputs and outputs speak the *boundary* convention: the electric potential (V), the absolute
temperature (K) and the conventional current (A). :func:`to_theory` and :func:`to_boundary` are
the only place where one turns into the other — the sign of the voltage (e > 0 and V is
(μ − μ0)/e, so the potential is −V) and of the charge current (the theory current is e times a
particle current), and the shift of the temperature by T0.

:class:`DriveLayout` (one per circuit, :func:`drive_layout`) holds the slots of every node and
quantity, the circuit's static drive vector and the one validation of override mappings
{node name: values}.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..constants import from_electric_potential, to_conventional_current, to_electric_potential
from ..errors import DeviceError
from ..validation import absolute_temperature, real, real_array, temperature_array

if TYPE_CHECKING:
    from .device import Circuit

#: The drive quantities and their slot among a node's three.
QUANTITIES = ("voltage", "temperature", "current", "heat")
OFFSET = {"voltage": 0, "temperature": 1, "current": 2, "heat": 2}
#: SI unit of each quantity in the boundary convention.
UNITS = {"voltage": "V", "temperature": "K", "current": "A", "heat": "W"}


def to_theory(quantity: str, value, temperature: float = 0.0):
    """Boundary -> theory value of ``quantity``: an electric potential (V) -> V = (μ − μ0)/e
    (V); an absolute temperature (K) -> T − ``temperature`` (K); a current (A) or heat (W) as
    given (the drive slot holds the conventional current)."""
    if quantity == "voltage":
        return from_electric_potential(value)
    if quantity == "temperature":
        return value - temperature
    return value


def to_boundary(quantity: str, value, temperature: float = 0.0):
    """Theory -> boundary value of ``quantity`` (the inverse of :func:`to_theory`); also
    ``"charge_current"``: a theory charge current (e × particle current, A) -> the conventional
    current (A)."""
    if quantity == "voltage":
        return to_electric_potential(value)
    if quantity == "temperature":
        return temperature + value
    if quantity == "charge_current":
        return to_conventional_current(value)
    return value


@dataclass(frozen=True, eq=False)
class DriveLayout:
    """The drive vector of one circuit (see the module docstring).

    ``takes[quantity]`` (n,) bool: the nodes that take the quantity (voltage: voltage-biased
    reservoirs; temperature: reservoirs; current: current-biased reservoirs; heat: internal
    nodes). ``static`` (3n,): the circuit's own drives in theory variables; ``boundary`` (3n,)
    the same in the boundary convention, as the device gives them (both read-only).
    """

    names: tuple[str, ...]
    index: Mapping[str, int]
    temperature: float
    reservoir: np.ndarray
    current_biased: np.ndarray
    takes: Mapping[str, np.ndarray]
    static: np.ndarray
    boundary: np.ndarray

    @property
    def n_nodes(self) -> int:
        """Number of nodes n (the vector has 3n slots)."""
        return len(self.names)

    def slot(self, node: int, quantity: str) -> int:
        """The slot of ``quantity`` at node index ``node``."""
        return 3 * node + OFFSET[quantity]

    def slots(self, quantity: str) -> np.ndarray:
        """The slots of ``quantity`` at every node that takes it."""
        return 3 * np.flatnonzero(self.takes[quantity]) + OFFSET[quantity]

    def to_theory(self, quantity: str, value):
        """:func:`to_theory` at this circuit's temperature T0 (K)."""
        return to_theory(quantity, value, self.temperature)

    def to_boundary(self, quantity: str, value):
        """:func:`to_boundary` at this circuit's temperature T0 (K)."""
        return to_boundary(quantity, value, self.temperature)

    def static_value(self, node: str, quantity: str) -> float:
        """The circuit's own value of ``quantity`` at ``node``, boundary convention: electric
        potential (V), absolute temperature (K), conventional current (A) or heat (W)."""
        return float(self.boundary[self.slot(self.index[node], quantity)])

    def refusal(self, quantity: str, name) -> str | None:
        """Why node ``name`` cannot take ``quantity`` (the reason of a DeviceError), or None."""
        if name not in self.index:
            return "no such node"
        i = self.index[name]
        if self.takes[quantity][i]:
            return None
        if quantity == "heat":
            return "not an internal node: heat is deposited in internal nodes only"
        if not self.reservoir[i]:
            return "not a reservoir: its state is solved for"
        if quantity == "voltage":
            return ("not a voltage-biased reservoir: its voltage is solved for (give "
                    "current=...)")
        return ("not a current-biased reservoir: declare it current-biased in the device "
                "(current = ...)")

    def check(self, quantity: str, given, *, scalar: bool = False,
              any_reservoir: bool = False) -> dict[int, np.ndarray]:
        """Validated overrides {node name: values} of ``quantity`` (boundary convention) as
        {node index: theory values}; a DeviceError names the field ``quantity.NAME``.

        Values are finite arrays (temperatures absolute, :mod:`~spincaloric.validation`), or
        with ``scalar`` one number each; ``any_reservoir`` lets a voltage set a current-biased
        reservoir too (the energy-resolved solver)."""
        if not isinstance(given, Mapping):
            raise DeviceError(quantity, f"must be a mapping {{node name: values}}, got {given!r}")
        out = {}
        for name, value in given.items():
            where = f"{quantity}.{name}"
            why = self.refusal(quantity, name)
            if any_reservoir and why is not None and name in self.index \
                    and self.reservoir[self.index[name]]:
                why = None
            if why is not None:
                raise DeviceError(where, why)
            if scalar and np.ndim(value) != 0:
                raise DeviceError(where, "must be one number (the energy-resolved solver "
                                  f"takes no batches), got {value!r}")
            out[self.index[name]] = self.to_theory(quantity, _values(quantity, value, where,
                                                                     scalar))
        return out

    def drives(self, overrides: Mapping[str, Mapping]) -> np.ndarray:
        """(n, 3, *B) drives of every node, theory variables: the static ones with the
        overrides {quantity: {node name: values (*B_i)}} (boundary convention, validated by
        :meth:`check`) in their place; B is the broadcast shape of all override values."""
        checked = {q: self.check(q, overrides.get(q, {})) for q in QUANTITIES}
        batch = np.broadcast_shapes(*(a.shape for c in checked.values() for a in c.values()))
        static = self.static.reshape((self.n_nodes, 3) + (1,) * len(batch))
        d = np.broadcast_to(static, static.shape[:2] + batch).copy()
        for q, values in checked.items():
            for i, v in values.items():
                d[i, OFFSET[q]] = v
        return d

    def vector(self, **overrides) -> np.ndarray:
        """The drive vector (*B, 3n) with overrides quantity={node name: values} (boundary
        convention, see :meth:`drives`)."""
        return drive_vectors(self.drives({q: v or {} for q, v in overrides.items()}))


def drive_vectors(d: np.ndarray) -> np.ndarray:
    """Drives (n, 3, *B) -> drive vectors (*B, 3n) ordered (V_0, ΔT_0, I_0, V_1, ...)."""
    return np.moveaxis(d.reshape((-1,) + d.shape[2:]), 0, -1)


def _values(quantity: str, value, where: str, scalar: bool):
    """The boundary values of one override, validated (SI units of :data:`UNITS`)."""
    if quantity == "temperature":
        return (absolute_temperature if scalar else temperature_array)(value, where, DeviceError)
    return (real if scalar else real_array)(value, where, UNITS[quantity], DeviceError)


_LAYOUTS: weakref.WeakKeyDictionary[Circuit, DriveLayout] = weakref.WeakKeyDictionary()


def drive_layout(circuit: Circuit) -> DriveLayout:
    """The :class:`DriveLayout` of ``circuit``, built on first use and cached."""
    layout = _LAYOUTS.get(circuit)
    if layout is None:
        res, biased = circuit.reservoir, circuit.current_biased
        static, boundary = (np.stack(columns, axis=1).reshape(-1) for columns in (
            (circuit.reservoir_voltage, circuit.reservoir_temperature - circuit.temperature,
             circuit.reservoir_current),
            (to_boundary("voltage", circuit.reservoir_voltage), circuit.reservoir_temperature,
             circuit.reservoir_current)))
        static.flags.writeable = boundary.flags.writeable = False
        layout = _LAYOUTS[circuit] = DriveLayout(
            names=tuple(circuit.names), index=circuit.index, temperature=circuit.temperature,
            reservoir=res, current_biased=biased,
            takes={"voltage": res & ~biased, "temperature": res, "current": biased,
                   "heat": ~res},
            static=static, boundary=boundary)
    return layout
