"""The drive vector of a circuit and the one conversion between the conventions of physics.md §1.

Node r has the drive slots 3r: theory voltage V = (μ − μ0)/e (V) of a voltage-biased
reservoir; 3r + 1: T − T0 (K) of a reservoir or of a temperature state
(:meth:`~spincaloric.circuit.device.Circuit.with_temperature_states`); 3r + 2: conventional current (A) injected by a
current-biased reservoir, or heat (W) deposited in an internal node. Inputs and outputs use the
boundary convention (electric potential = −V, absolute temperature, conventional current =
−theory charge current); :func:`to_theory` and :func:`to_boundary` are the only converters.
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
#: Why a node cannot take a quantity (an internal node: no reservoir quantity).
_REFUSAL = {
    "internal": "not a reservoir: its state is solved for",
    "heat": "not an internal node: heat is deposited in internal nodes only",
    "voltage": "not a voltage-biased reservoir: its voltage is solved for (give current=...)",
    "current": "not a current-biased reservoir: declare it current-biased in the device "
               "(current = ...)"}


def to_theory(quantity: str, value, temperature: float = 0.0):
    """Boundary -> theory value of ``quantity`` (SI units of :data:`UNITS`); ``temperature``
    is T0 (K)."""
    if quantity == "voltage":
        return from_electric_potential(value)
    return value - temperature if quantity == "temperature" else value


def to_boundary(quantity: str, value, temperature: float = 0.0):
    """Theory -> boundary value of ``quantity`` (inverse of :func:`to_theory`), also of a
    ``"charge_current"`` (A): e × particle current -> conventional current."""
    if quantity == "voltage":
        return to_electric_potential(value)
    if quantity == "charge_current":
        return to_conventional_current(value)
    return temperature + value if quantity == "temperature" else value


@dataclass(frozen=True, eq=False)
class DriveLayout:
    """The drive vector of one circuit: ``takes[quantity]`` (n,) bool, the nodes that take it;
    ``static`` and ``boundary`` (3n,) the circuit's own drives in theory and boundary values
    (read-only); ``temperature`` T0 (K)."""

    index: Mapping[str, int]
    temperature: float
    reservoir: np.ndarray
    takes: Mapping[str, np.ndarray]
    static: np.ndarray
    boundary: np.ndarray

    def slot(self, node: int, quantity: str) -> int:
        """The slot of ``quantity`` at node index ``node``."""
        return 3 * node + OFFSET[quantity]

    def slots(self, quantity: str) -> np.ndarray:
        """The slots of ``quantity`` at every node that takes it."""
        return 3 * np.flatnonzero(self.takes[quantity]) + OFFSET[quantity]

    def static_value(self, node: str, quantity: str) -> float:
        """The circuit's own value of ``quantity`` at ``node``, boundary convention: electric
        potential (V), absolute temperature (K), conventional current (A) or heat (W)."""
        return float(self.boundary[self.slot(self.index[node], quantity)])

    def check(self, quantity: str, given, *, scalar: bool = False,
              any_reservoir: bool = False) -> dict[int, np.ndarray]:
        """Validated overrides {node name: values} of ``quantity`` (boundary convention) as
        {node index: theory values}; a DeviceError names the field ``quantity.NAME``. Values
        are finite arrays (temperatures absolute, :mod:`~spincaloric.validation`), with
        ``scalar`` one number each; ``any_reservoir`` lets a voltage set any reservoir."""
        if not isinstance(given, Mapping):
            raise DeviceError(quantity, f"must be a mapping {{node name: values}}, got {given!r}")
        takes = self.reservoir if any_reservoir else self.takes[quantity]
        out = {}
        for name, value in given.items():
            where, i = f"{quantity}.{name}", self.index.get(name)
            if i is None or not takes[i]:
                raise DeviceError(where, "no such node" if i is None else _REFUSAL[
                    quantity if quantity == "heat" or self.reservoir[i] else "internal"])
            if scalar and np.ndim(value) != 0:
                raise DeviceError(where, "must be one number (the energy-resolved solver "
                                  f"takes no batches), got {value!r}")
            out[i] = to_theory(quantity, _values(quantity, value, where, scalar), self.temperature)
        return out

    def drives(self, overrides: Mapping[str, Mapping]) -> np.ndarray:
        """(n, 3, *B) drives of every node, theory variables: the static ones with the
        overrides {quantity: {node name: values (*B_i)}} (boundary convention, validated by
        :meth:`check`) in their place; B is the broadcast shape of all override values."""
        checked = {q: self.check(q, overrides.get(q, {})) for q in QUANTITIES}
        batch = np.broadcast_shapes(*(a.shape for c in checked.values() for a in c.values()))
        static = self.static.reshape((-1, 3) + (1,) * len(batch))
        d = np.broadcast_to(static, static.shape[:2] + batch).copy()
        for q, values in checked.items():
            for i, v in values.items():
                d[i, OFFSET[q]] = v
        return d


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
            index=circuit.index, temperature=circuit.temperature, reservoir=res,
            takes={"voltage": res & ~biased, "temperature": circuit.fixed_temperature,
                   "current": biased,
                   "heat": ~res},
            static=static, boundary=boundary)
    return layout
