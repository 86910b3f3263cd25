"""The interface database: Table I of Hatami et al. (2007), signs restored, with citations.

The data live in ``interfaces.toml`` beside this module (a data file, not code).

>>> cu_co = get_interface("Cu/Co(111)*")
>>> round(cu_co.polarization, 3), round(cu_co.seebeck(300.0) * 1e6, 2)
(0.69, -4.5)
"""

from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


class UnknownInterfaceError(ValueError):
    """No database entry of that name (the message suggests close matches)."""


@dataclass(frozen=True)
class InterfaceData:
    """One interface.

    seebeck_over_temperature : S/T (V/K²).  polarization_derivative : P'.
    seebeck_polarization : P_S = (S↑ − S↓)/(S↑ + S↓).  mixing, mixing_derivative : η, η' (None
    when unknown).  conductance_per_area : G/A (S/m²) or None.  dirty : alloyed interface.
    citation, conductance_citation, conductance_note : sources.
    """

    name: str
    seebeck_over_temperature: float
    polarization_derivative: float
    seebeck_polarization: float
    mixing: float | None
    mixing_derivative: float | None
    dirty: bool
    citation: str
    conductance_per_area: float | None = None
    conductance_citation: str | None = None
    conductance_note: str | None = None

    @property
    def polarization(self) -> float:
        """P = (P' − P_S)/(1 − P_S P') (dimensionless), from P_S = (P' − P)/(1 − PP')."""
        pp, ps = self.polarization_derivative, self.seebeck_polarization
        return (pp - ps) / (1.0 - ps * pp)

    def seebeck(self, temperature: float) -> float:
        """S = (S/T) T (V/K) at ``temperature`` (K)."""
        return self.seebeck_over_temperature * temperature

    def spin_seebeck(self, temperature: float) -> tuple[float, float]:
        """(S↑, S↓) = S (1 ± P')/(1 ± P) (V/K)."""
        s, pp, p = self.seebeck(temperature), self.polarization_derivative, self.polarization
        return s * (1 + pp) / (1 + p), s * (1 - pp) / (1 - p)

    def mixing_seebeck(self, temperature: float) -> float | None:
        """S_mix = η' S / η (V/K), None when η is unknown."""
        if self.mixing is None or self.mixing_derivative is None:
            return None
        return self.mixing_derivative * self.seebeck(temperature) / self.mixing


_FLOATS = ("seebeck_over_temperature", "polarization_derivative", "seebeck_polarization")
_OPTIONAL = ("mixing", "mixing_derivative", "conductance_per_area")
_TEXT = ("citation", "conductance_citation", "conductance_note")


def _entry(name: str, raw: dict) -> InterfaceData:
    where = f"interfaces.{name!r}"
    known = set(_FLOATS) | set(_OPTIONAL) | set(_TEXT) | {"dirty"}
    for key in raw:
        if key not in known:
            raise ValueError(f"{where}.{key}: unknown field")
    values = {}
    for key in _FLOATS + _OPTIONAL:
        if key not in raw:
            if key in _FLOATS:
                raise ValueError(f"{where}.{key}: missing")
            values[key] = None
            continue
        v = raw[key]
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            raise ValueError(f"{where}.{key}: must be a finite number, got {v!r}")
        values[key] = float(v)
    if values["conductance_per_area"] is not None and values["conductance_per_area"] <= 0:
        raise ValueError(f"{where}.conductance_per_area: must be positive (S/m^2)")
    if "citation" not in raw:
        raise ValueError(f"{where}.citation: every entry must cite its source")
    return InterfaceData(name=name, dirty=bool(raw.get("dirty", False)),
                         **{k: raw.get(k) for k in _TEXT}, **values)


@lru_cache(maxsize=1)
def _load() -> dict[str, InterfaceData]:
    text = resources.files(__package__).joinpath("interfaces.toml").read_text(encoding="utf-8")
    raw = tomllib.loads(text).get("interfaces", {})
    return {name: _entry(name, entry) for name, entry in raw.items()}


def load_interfaces() -> dict[str, InterfaceData]:
    """All interfaces, by name (a fresh dict; the entries are immutable)."""
    return dict(_load())


def get_interface(name: str) -> InterfaceData:
    """The entry ``name`` (e.g. "Cu/Co(111)*"); :class:`UnknownInterfaceError` if absent."""
    table = _load()
    if name in table:
        return table[name]
    close = difflib.get_close_matches(name, table, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownInterfaceError(f"unknown interface {name!r}{hint}")


def materials_table(temperature: float = 300.0) -> list[dict]:
    """Rows for a listing: S/T (nV/K²), S, S↑, S↓ (µV/K) at ``temperature`` (K), P', P_S, P,
    η, η', G/A (10¹⁵ S/m²), citation."""
    rows = []
    for d in _load().values():
        s_up, s_dn = d.spin_seebeck(temperature)
        rows.append({
            "name": d.name, "S/T (nV/K^2)": d.seebeck_over_temperature * 1e9,
            "S (uV/K)": d.seebeck(temperature) * 1e6, "P'": d.polarization_derivative,
            "P_S": d.seebeck_polarization, "P": d.polarization, "eta": d.mixing,
            "eta'": d.mixing_derivative, "S_up (uV/K)": s_up * 1e6, "S_down (uV/K)": s_dn * 1e6,
            "G/A (1e15 S/m^2)": None if d.conductance_per_area is None
            else d.conductance_per_area / 1e15,
            "citation": d.citation})
    return rows


# ---- bulk materials (bulk.toml) ------------------------------------------------------------
BULK_QUANTITIES = {  # name -> unit
    "resistivity": "Ohm m", "spin_asymmetry": "1", "spin_flip_length": "m", "seebeck": "V/K",
    "spin_seebeck": "V/K", "thermal_conductivity": "W/(m K)", "density_of_states": "1/(J m^3)",
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
    """The bulk entry ``name`` (e.g. "Cu", "Py"); :class:`UnknownInterfaceError` if absent."""
    table = _load_bulk()
    if name in table:
        return table[name]
    close = difflib.get_close_matches(name, table, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownInterfaceError(f"unknown bulk material {name!r}{hint}")


def bulk_material(name: str, **overrides):
    """A :class:`~spincaloric.layers.BulkMaterial` from the database entry ``name``; keyword
    ``overrides`` (SI: resistivity Ω m, spin_flip_length m, spin_asymmetry, seebeck V/K,
    spin_seebeck V/K) replace or supply values — e.g. the resistivity of your film, or a
    spin-flip length the database has no sourced value for (then it is required).

    >>> cu = bulk_material("Cu")
    >>> cu.resistivity, cu.spin_flip_length
    (1.68e-08, 2e-07)
    >>> bulk_material("Pt")
    Traceback (most recent call last):
    ...
    spincaloric.errors.FieldError: Pt.spin_flip_length: no sourced value in the database; give spin_flip_length=... (m)
    """
    from ..errors import FieldError
    from ..layers import BulkMaterial

    data = get_bulk(name)
    fields = ("resistivity", "spin_flip_length", "spin_asymmetry", "seebeck", "spin_seebeck")
    unknown = set(overrides) - set(fields)
    if unknown:
        raise FieldError(sorted(unknown)[0], f"not a bulk-material parameter (one of {fields})")
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
    return BulkMaterial(**values)


def bulk_table() -> list[dict]:
    """Rows for a listing: every bulk material with its sourced values (SI)."""
    return [{"name": d.name, "kind": d.kind, **{k: d.value(k) for k in BULK_QUANTITIES}}
            for d in _load_bulk().values()]
