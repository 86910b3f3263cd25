"""The interface database: Table I of Hatami et al., PRL 99, 066603 (2007), with citations.

The data live in ``interfaces.toml`` beside this module (a data file, not code); the bulk
materials of diffusive layers in :mod:`.bulk` and ``bulk.toml``.

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


class UnknownMaterialError(ValueError):
    """No database entry of that name (the message suggests close matches)."""


class UnknownInterfaceError(UnknownMaterialError):
    """No interface of that name in ``interfaces.toml``."""


def lookup(table: dict, name: str, what: str, error=UnknownMaterialError):
    """``table[name]``, or ``error`` naming ``what`` with the closest names as a hint, or all
    the names when none is close (``permalloy`` is ``Py`` here)."""
    if name in table:
        return table[name]
    close = difflib.get_close_matches(name, table, n=3, cutoff=0.5)
    hint = (f"; did you mean {', '.join(repr(c) for c in close)}?" if close
            else f" (known: {', '.join(sorted(table))})")
    raise error(f"unknown {what} {name!r}{hint}")


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

    def contact(self, area: float, temperature: float,
                conductance_per_area: float | None = None):
        """ContactParameters of this interface over ``area`` (m²) at ``temperature`` (K):
        G = (G/A) × area with the database G/A unless ``conductance_per_area`` (S/m²) is given,
        P, η, η', P' and S(T) from the table."""
        from ..circuit.contacts import ContactParameters
        from ..errors import FieldError
        from ..validation import plausible_size, real

        area = real(area, "area", "m²")
        if not area > 0:
            raise FieldError("area", f"must be a positive area (m²), got {area:g}")
        plausible_size(area, "area", "m2")
        per_area = (self.conductance_per_area if conductance_per_area is None
                    else real(conductance_per_area, "conductance_per_area", "S/m²"))
        if per_area is None:
            raise ValueError(f"{self.name!r} has no conductance per area in the database: "
                             "give conductance_per_area (S/m²)")
        if self.mixing is None or self.mixing_derivative is None:
            raise ValueError(f"{self.name!r} has no mixing conductance (η, η') in the database")
        return ContactParameters.from_paper(
            conductance=per_area * area, polarization=self.polarization, mixing=self.mixing,
            seebeck=self.seebeck(temperature),
            polarization_derivative=self.polarization_derivative,
            mixing_derivative=self.mixing_derivative, temperature=temperature)

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
    return lookup(_load(), name, "interface", UnknownInterfaceError)


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
