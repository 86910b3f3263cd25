r"""Tabulated energy-dependent conductances G↑(ε), G↓(ε), G↑↓(ε) of a contact.

The linear-response regimes need only the conductances and their first energy derivatives at the
Fermi level; the energy-resolved solver (:mod:`spincaloric.solvers.spectral`) can use the whole
spectrum, e.g. the output of a first-principles scattering calculation with a van Hove
singularity near ε_F. A :class:`ConductanceSpectrum` holds such a table and interpolates it with
a cubic spline (continuous first and second derivatives, so the Sommerfeld coefficients at
ε = 0 are well defined).

Text format read by :meth:`ConductanceSpectrum.from_file` (``#`` starts a comment, columns
separated by blanks or commas)::

    # energy (eV from E_F)  G_up   G_down   Re G_mix   Im G_mix     (S, or S/m² with area)
    -0.50                   1.10e15 0.40e15  0.55e15    0.01e15
    ...

>>> import numpy as np
>>> eps = np.linspace(-0.3, 0.3, 61) * 1.602176634e-19
>>> spec = ConductanceSpectrum(eps, 1e-2 * (1 + eps / 1e-19), 5e-3 + 0 * eps, 4e-3 + 0j * eps)
>>> c = spec.contact_parameters()
>>> round(c.g_up * 1e3, 6), round(c.dg_up * 1e-19, 8)   # G↑ (mS) and dG↑/dε (S per 1e-19 J)
(10.0, 0.01)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..constants import BOLTZMANN, ELEMENTARY_CHARGE
from ..errors import FieldError, user_stacklevel
from ..validation import (
    LARGEST_CONTACT_CONDUCTANCE,
    SizeUnitWarning,
    read_input_file,
)
from .contacts import ContactParameters


@dataclass(frozen=True, eq=False)
class ConductanceSpectrum:
    """G↑(ε), G↓(ε) (S) and the complex G↑↓(ε) (S) of one contact at the energies ε (J, measured
    from the equilibrium chemical potential μ0, strictly increasing, at least 4 points).

    ``citation``: where the table comes from (kept with results that use it).
    """

    energies: np.ndarray
    g_up: np.ndarray
    g_down: np.ndarray
    g_mix: np.ndarray
    citation: str = ""
    _splines: tuple = field(init=False, repr=False)

    def __post_init__(self):
        from scipy.interpolate import CubicSpline

        eps = np.asarray(self.energies, dtype=float)
        if eps.ndim != 1 or eps.size < 4:
            raise FieldError("energies", "need a 1-d table of at least 4 energies")
        if not np.all(np.isfinite(eps)) or np.any(np.diff(eps) <= 0):
            raise FieldError("energies", "must be finite and strictly increasing (J)")
        if not eps[0] < 0 < eps[-1]:
            raise FieldError("energies", "the table must bracket the Fermi level ε = 0")
        arrays = {}
        for name, dtype in (("g_up", float), ("g_down", float), ("g_mix", complex)):
            a = np.asarray(getattr(self, name), dtype=dtype)
            if a.shape != eps.shape:
                raise FieldError(name, f"needs one value per energy ({eps.size}), got shape "
                                 f"{a.shape}")
            if not np.all(np.isfinite(a)):
                raise FieldError(name, "must be finite (S)")
            arrays[name] = a
        if np.any(arrays["g_up"] < 0) or np.any(arrays["g_down"] < 0):
            raise FieldError("g_up" if np.any(arrays["g_up"] < 0) else "g_down",
                             "spin conductances must be non-negative (S)")
        if np.any(arrays["g_mix"].real < 0):
            raise FieldError("g_mix", "Re G↑↓ must be non-negative (S)")
        for name, a in (("energies", eps), *arrays.items()):
            a.setflags(write=False)
            object.__setattr__(self, name, a)
        splines = (CubicSpline(eps, arrays["g_up"]), CubicSpline(eps, arrays["g_down"]),
                   CubicSpline(eps, arrays["g_mix"].real), CubicSpline(eps, arrays["g_mix"].imag))
        object.__setattr__(self, "_splines", splines)

    # ---- construction ---------------------------------------------------------------------
    @classmethod
    def from_file(cls, path, *, area: float | None = None, energy_unit: str = "eV",
                  citation: str = "") -> ConductanceSpectrum:
        """Read a table (format in the module docstring).

        area (m²): when given, the table holds conductances per area (S/m²) and is multiplied
        by it; energy_unit: "eV" (default) or "J" for the first column.
        """
        path = Path(path)
        try:
            text = read_input_file(path, "spectrum").decode("utf-8-sig")
        except OSError as err:
            raise FieldError("spectrum", f"cannot read {path.name}: {err.strerror}") from None
        except UnicodeDecodeError:
            raise FieldError("spectrum", f"{path.name} is not a text table (UTF-8)") from None
        scale = {"eV": ELEMENTARY_CHARGE, "J": 1.0}.get(energy_unit)
        if scale is None:
            raise FieldError("energy_unit", f"must be 'eV' or 'J', got {energy_unit!r}")
        if area is not None and not (math.isfinite(area) and area > 0):
            raise FieldError("area", f"must be a positive area (m²), got {area!r}")
        units = (energy_unit,) + ("S" if area is None else "S/m²",) * 4
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.replace(",", " ").split()
            if len(parts) != 5:
                raise FieldError("spectrum", f"{path.name} line {number}: need 5 columns "
                                 "(energy, G_up, G_down, Re G_mix, Im G_mix)")
            try:
                rows.append([float(p) for p in parts])
            except ValueError:
                raise FieldError("spectrum", f"{path.name} line {number}: not a number") from None
            _check_row(rows, f"{path.name} line {number}", units)
        if not rows:
            raise FieldError("spectrum", f"{path.name} holds no table")
        data = np.array(rows)
        largest = float(np.abs(data[:, 1:]).max())
        if area is None and largest > LARGEST_CONTACT_CONDUCTANCE:
            warnings.warn(f"spectrum: {path.name} holds conductances up to {largest:.3g} S, "
                          "beyond any device contact's (a clean interface of 1 mm² conducts "
                          "~1e9 S): a table per area (S/m²) read without the contact's area "
                          "(m²)?", SizeUnitWarning, stacklevel=user_stacklevel())
        factor = 1.0 if area is None else area
        return cls(data[:, 0] * scale, data[:, 1] * factor, data[:, 2] * factor,
                   (data[:, 3] + 1j * data[:, 4]) * factor, citation=citation or path.name)

    # ---- evaluation -----------------------------------------------------------------------
    def __call__(self, eps, derivative: int = 0):
        """(G↑, G↓, G↑↓) (S; S/J^k for the k-th ``derivative``) at energies ``eps`` (J).

        Outside the table the edge values are held (the energy-resolved solver checks that the
        table covers the energies that matter, :meth:`check_covers`)."""
        x = np.clip(np.asarray(eps, dtype=float), self.energies[0], self.energies[-1])
        up, dn, re, im = (s(x, derivative) for s in self._splines)
        if derivative:
            inside = (np.asarray(eps) >= self.energies[0]) & (np.asarray(eps) <= self.energies[-1])
            up, dn, re, im = (np.where(inside, v, 0.0) for v in (up, dn, re, im))
        return up, dn, re + 1j * im

    def contact_parameters(self) -> ContactParameters:
        """The linear-response contact: G↑, G↓, G↑↓ (S) and their first derivatives (S/J) at the
        Fermi level ε = 0 (Sommerfeld expansion, physics.md §2)."""
        g_up, g_dn, g_mix = (np.asarray(v).item() for v in self(0.0))
        d_up, d_dn, d_mix = (np.asarray(v).item() for v in self(0.0, 1))
        return ContactParameters(g_up, g_dn, complex(g_mix), d_up, d_dn, complex(d_mix))

    def check_covers(self, low: float, high: float, where: str = "spectrum") -> None:
        """FieldError unless the table spans [low, high] (J)."""
        if self.energies[0] > low or self.energies[-1] < high:
            e = ELEMENTARY_CHARGE
            raise FieldError(where, f"the table spans [{self.energies[0] / e:.4g}, "
                             f"{self.energies[-1] / e:.4g}] eV; the biases and temperatures need "
                             f"[{low / e:.4g}, {high / e:.4g}] eV")


#: The columns of a spectrum table, as its errors name them
_COLUMNS = ("energy", "G_up", "G_down", "Re G_mix", "Im G_mix")


def _check_row(rows: list, where: str, units: tuple) -> None:
    """FieldError ``spectrum`` naming the line (``where``), the column and the table's unit
    (``units``) when the last row of ``rows`` is not finite, does not follow the energy
    before it, or has a negative G_up, G_down or Re G_mix."""
    row = rows[-1]
    for name, value, unit in zip(_COLUMNS, row, units):
        if not math.isfinite(value):
            raise FieldError("spectrum", f"{where}: {name} must be finite ({unit}), got "
                             f"{value}")
    if len(rows) > 1 and not row[0] > rows[-2][0]:
        raise FieldError("spectrum", f"{where}: the energies must increase ({units[0]}): "
                         f"{row[0]:g} follows {rows[-2][0]:g}")
    for i in (1, 2, 3):
        if row[i] < 0:
            raise FieldError("spectrum", f"{where}: {_COLUMNS[i]} must be non-negative "
                             f"({units[i]}), got {row[i]:g}")


def required_span(temperature: float, bias: float, width: float = 18.0) -> float:
    """Half-width (J) of the energies a spectrum must cover: ``width`` k_B T (K) beyond the
    largest |eV| (J); beyond it the Fermi-window weight is below e^−width (1.5e-8 for 18)."""
    return width * BOLTZMANN * temperature + abs(bias)
