"""Bulk materials of diffusive layers (``bulk.toml``): sourced values with their citations.

Every quantity carries the temperature it refers to and its source; a quantity without a
verified source is absent, and :func:`bulk_material` asks for it instead of inventing it.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .interfaces import lookup

BULK_QUANTITIES = {  # name -> unit
    "resistivity": "Ohm m", "spin_asymmetry": "1", "spin_flip_length": "m", "seebeck": "V/K",
    "spin_seebeck": "V/K", "thermal_conductivity": "W/(m K)", "density_of_states": "1/(J m^3)",
    # heat capacities and electron-lattice exchange (two-temperature model): C_e = gamma_e T,
    # lattice c_p, and the power g_ep (T_e - T_l) per volume from electrons to lattice
    "electron_heat_capacity_coefficient": "J/(m^3 K^2)", "lattice_heat_capacity": "J/(m^3 K)",
    "electron_phonon_coupling": "W/(m^3 K)",
}


@dataclass(frozen=True)
class Measured:
    """One tabulated quantity: ``value`` (SI, unit in :data:`BULK_QUANTITIES`), the
    ``temperature`` (K) it refers to and its ``citation``."""

    value: float
    temperature: float
    citation: str


@dataclass(frozen=True)
class BulkData:
    """A bulk material of ``bulk.toml``: ``kind`` "normal" or "ferromagnet" and its
    ``quantities`` {name: :class:`Measured`} (only those with a source)."""

    name: str
    kind: str
    quantities: dict

    def value(self, quantity: str) -> float | None:
        """The value (SI) of ``quantity``, None if the database has no sourced value."""
        q = self.quantities.get(quantity)
        return None if q is None else q.value


def _bulk_entry(name: str, raw: dict) -> BulkData:
    where = f"bulk.{name}"
    kind = raw.get("kind")
    if kind not in ("normal", "ferromagnet"):
        raise ValueError(f"{where}.kind: must be 'normal' or 'ferromagnet'")
    quantities = {}
    for key, entry in raw.items():
        if key == "kind":
            continue
        if key not in BULK_QUANTITIES:
            raise ValueError(f"{where}.{key}: unknown quantity")
        if not (isinstance(entry, dict) and set(entry) == {"value", "temperature", "citation"}):
            raise ValueError(f"{where}.{key}: needs value, temperature and citation")
        v = entry["value"]
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            raise ValueError(f"{where}.{key}.value: must be a finite number")
        quantities[key] = Measured(float(v), float(entry["temperature"]), str(entry["citation"]))
    return BulkData(name, kind, quantities)


@lru_cache(maxsize=1)
def _load_bulk() -> dict[str, BulkData]:
    text = resources.files(__package__).joinpath("bulk.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text).get("bulk", {})
    return {name: _bulk_entry(name, entry) for name, entry in raw.items()}


def get_bulk(name: str) -> BulkData:
    """The bulk entry ``name`` (e.g. "Cu", "Py"); :class:`UnknownMaterialError` if absent."""
    return lookup(_load_bulk(), name, "bulk material")


def bulk_material(name: str, **overrides):
    """A :class:`~spincaloric.layers.BulkMaterial` from the database entry ``name``; keyword
    ``overrides`` (SI: resistivity Ω m, spin_flip_length m, spin_asymmetry, seebeck V/K,
    spin_seebeck V/K, thermal_conductivity W/(m K), density_of_states 1/(J m³)) replace or
    supply values — e.g. the
    resistivity of your film, or a spin-flip length the database has no sourced value for (then
    it is required). The database's κ is not applied unless asked for
    (``thermal_conductivity=...``): handbook κ and ρ come from different samples, and κ below
    the electrons' Wiedemann–Franz value is refused.

    >>> cu = bulk_material("Cu")
    >>> cu.resistivity, cu.spin_flip_length
    (1.68e-08, 2e-07)
    >>> bulk_material("Pt")
    Traceback (most recent call last):
    ...
    spincaloric.errors.FieldError: Pt.spin_flip_length: no sourced value in the database; give spin_flip_length=... (m)
    """
    from ..errors import FieldError
    from ..layers.multilayer import BulkMaterial

    data = get_bulk(name)
    fields = ("resistivity", "spin_flip_length", "spin_asymmetry", "seebeck", "spin_seebeck")
    optional = ("thermal_conductivity", "density_of_states")
    unknown = set(overrides) - set(fields) - set(optional)
    if unknown:
        raise FieldError(sorted(unknown)[0], "not a bulk-material parameter (one of "
                         f"{fields + optional})")
    values = {}
    for key in fields:
        v = overrides.get(key, data.value(key))
        if v is None:
            if key in ("resistivity", "spin_flip_length"):
                raise FieldError(f"{name}.{key}", "no sourced value in the database; give "
                                 f"{key}=... ({BULK_QUANTITIES[key]})")
            if data.kind == "ferromagnet" and key == "spin_asymmetry":
                raise FieldError(f"{name}.{key}", "no sourced value in the database; give "
                                 f"{key}=... (fraction)")
            v = 0.0
        values[key] = v
    # ν only enters through the spin lifetime λ²e²νρ (Hanle precession): the database's
    # free-electron value is used unless one is given
    dos = overrides.get("density_of_states", data.value("density_of_states"))
    return BulkMaterial(**values, thermal_conductivity=overrides.get("thermal_conductivity"),
                        density_of_states=dos)


#: The database's heat capacity c_p and electron–phonon coupling g_ep are used within this
#: factor of the temperature they refer to (room temperature): below the Debye temperature the
#: lattice heat capacity falls towards Debye's T³ law, and g_ep with it.
HEAT_DATA_SPAN = 1.5

#: The layer heat quantities that "material" reads: LayerHeat field -> database quantity.
_HEAT_FROM_DATABASE = {"volumetric_heat_capacity": "lattice_heat_capacity",
                       "electron_heat_capacity_coefficient": "electron_heat_capacity_coefficient",
                       "electron_phonon_coupling": "electron_phonon_coupling"}


def layer_heat(name: str, temperature: float, *, volumetric_heat_capacity="material",
               electron_heat_capacity_coefficient=None, electron_phonon_coupling=None,
               boundary_conductance=None, footprint=None):
    """The :class:`~spincaloric.layers.LayerHeat` of a layer of the database material ``name``
    at the device ``temperature`` (K). Each of ``volumetric_heat_capacity`` c (J/(m³ K), the total,
    electrons included), ``electron_heat_capacity_coefficient`` γ_e (J/(m³ K²)) and
    ``electron_phonon_coupling`` g_ep (W/(m³ K), two temperatures) is "material" (the
    database's sourced value: c is its handbook c_p), a number, or None (left out);
    ``boundary_conductance`` h_b (W/(m² K)) and ``footprint`` (m²) are numbers.

    A quantity without a sourced value is asked for, never invented; c_p and g_ep refer to room
    temperature and are refused more than a factor :data:`HEAT_DATA_SPAN` away from it (the
    lattice heat capacity falls as T³ far below the Debye temperature): give numbers for your
    temperature there.

    >>> heat = layer_heat("Cu", 300.0, electron_heat_capacity_coefficient="material",
    ...                   electron_phonon_coupling="material", boundary_conductance=1e8)
    >>> heat.volumetric_heat_capacity, heat.electron_phonon_coupling
    (3450000.0, 1.15e+17)
    >>> layer_heat("Co", 300.0, electron_phonon_coupling="material")
    Traceback (most recent call last):
    ...
    spincaloric.errors.FieldError: electron_phonon_coupling: no sourced value for Co in the database; give a number (W/(m³ K))
    """
    from ..errors import FieldError
    from ..layers.multilayer import LayerHeat
    from ..validation import absolute_temperature

    temperature = absolute_temperature(temperature, "temperature")
    data = get_bulk(name)
    given = {"volumetric_heat_capacity": volumetric_heat_capacity,
             "electron_heat_capacity_coefficient": electron_heat_capacity_coefficient,
             "electron_phonon_coupling": electron_phonon_coupling}
    values = {}
    for key, value in given.items():
        if isinstance(value, str):
            unit = BULK_QUANTITIES[_HEAT_FROM_DATABASE[key]].replace("^3", "³")
            if value != "material":
                raise FieldError(key, f'must be a number ({unit}) or "material", got {value!r}')
            entry = data.quantities.get(_HEAT_FROM_DATABASE[key])
            if entry is None:
                raise FieldError(key, f"no sourced value for {data.name} in the database; "
                                 f"give a number ({unit})")
            if entry.temperature > 0 and not (entry.temperature / HEAT_DATA_SPAN <= temperature
                                              <= entry.temperature * HEAT_DATA_SPAN):
                raise FieldError(key, f"the database's value for {data.name} refers to "
                                 f"{entry.temperature:g} K, not {temperature:g} K (a lattice's "
                                 f"heat capacity changes with temperature, as T³ far below "
                                 f"the Debye temperature); give a number ({unit})")
            value = entry.value
        values[key] = value
    return LayerHeat(**values, boundary_conductance=boundary_conductance, footprint=footprint)


def bulk_table() -> list[dict]:
    """Rows for a listing: every bulk material with its sourced values (SI, units in
    :data:`BULK_QUANTITIES`; None where the database has no sourced value)."""
    return [{"name": d.name, "kind": d.kind, **{k: d.value(k) for k in BULK_QUANTITIES}}
            for d in _load_bulk().values()]
