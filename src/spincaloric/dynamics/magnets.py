r"""Macrospin magnets: parameters, effective field and energy (SI units).

A dynamic magnet is a ferromagnetic node of the circuit whose unit magnetization m(t) follows
the Landau–Lifshitz–Gilbert–Slonczewski equation of physics.md §4,

.. math::

    \dot m = -\gamma\, m \times B_\mathrm{eff} + \alpha\, m \times \dot m
             + \frac{\gamma}{M_s V}\,\tau, \qquad
    B_\mathrm{eff} = B_\mathrm{app} + B_k (m\cdot u)\, u - \mu_0 M_s\, N m,

with γ = g μ_B/ħ, B_k = μ0 H_k = 2K_u/M_s the uniaxial anisotropy field along u, N the diagonal
demagnetizing tensor and τ (N·m) the spin-transfer torque solved from the circuit. The magnetic
energy is E = −M_s V [B_app·m + (B_k/2)(m·u)² − (μ0 M_s/2) Σ_i N_i m_i²] (J).

>>> p = MagnetParameters(saturation_magnetization=1.0e6, volume=1e-24, damping=0.01,
...                      anisotropy_field=0.1)
>>> round(p.gyromagnetic_ratio / 1e11, 4)  # rad/(s T), free-electron g = 2.0023
1.7609
>>> float(p.effective_field([0, 0, 1.0])[2])
0.1
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..constants import BOHR_MAGNETON, ELECTRON_G, MU0, gyromagnetic_ratio
from ..errors import FieldError
from ..validation import real, real_array, unit_vectors

#: The fastest precession γB of a magnet (rad/s), 16 THz (B ≈ 570 T): the integrators start
#: at 0.1 ps steps (the adaptive one refines from there), and a faster precession overflows
#: the first step. Real macrospins stay far below (μ0 M_s ≤ 2.5 T; anisotropy fields ≲ 50 T).
MAX_PRECESSION = 1e14
#: The largest size of a macrospin (m): a magnet turning as one magnetization is at most a few
#: exchange lengths (nm) to a few hundred nanometres across; 10 µm leaves room for any film a
#: macrospin describes and refuses a size in the wrong unit (an area of 1963 "nm²" as m²).
MAX_EXTENT = 1e-5


class MagnetError(FieldError):
    """Unphysical magnet parameters; ``field`` names the parameter."""


def _vector(value, name: str, unit: bool = False) -> np.ndarray:
    if unit:
        return unit_vectors(value, name, MagnetError)
    v = real_array(value, name, error=MagnetError)
    if v.shape != (3,):
        raise MagnetError(name, f"must be a finite 3-vector, got {value!r}")
    return v


@dataclass(frozen=True)
class MagnetParameters:
    """A macrospin.

    Parameters
    ----------
    saturation_magnetization : M_s (A/m), > 0.
    volume : V (m³), > 0 (or give ``thickness`` (m) and ``area`` (m²) to :meth:`from_layer`).
    damping : Gilbert damping α (dimensionless), in [0, 1].
    anisotropy_axis : uniaxial easy axis u (any non-zero 3-vector, normalised).
    anisotropy_field : B_k = μ0 H_k (T); negative for a hard axis. Or :meth:`from_layer` with
        ``anisotropy_energy`` K_u (J/m³), B_k = 2 K_u / M_s.
    demagnetizing_factors : (N_x, N_y, N_z), each in [0, 1], sum ≤ 1 (thin film in xy: (0, 0, 1)).
    applied_field : B_app = μ0 H_app (T), 3-vector.
    g_factor : Landé g (dimensionless), > 0; default the free-electron 2.0023.
    """

    saturation_magnetization: float
    volume: float
    damping: float
    anisotropy_axis: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, 1.0]))
    anisotropy_field: float = 0.0
    demagnetizing_factors: np.ndarray = field(default_factory=lambda: np.zeros(3))
    applied_field: np.ndarray = field(default_factory=lambda: np.zeros(3))
    g_factor: float = ELECTRON_G

    def __post_init__(self):
        for name in ("saturation_magnetization", "volume", "g_factor", "damping",
                     "anisotropy_field"):
            # NumPy scalars become floats
            object.__setattr__(self, name, real(getattr(self, name), name, error=MagnetError))
        for name in ("saturation_magnetization", "volume", "g_factor"):
            if not getattr(self, name) > 0:
                raise MagnetError(name, f"must be positive, got {getattr(self, name)!r}")
        if self.volume > MAX_EXTENT ** 3:
            raise MagnetError("volume", f"{self.volume:g} m³ is no macrospin (one magnetization "
                              f"for the whole magnet needs sizes below {MAX_EXTENT:g} m): "
                              "give it in m³")
        if not 0 <= self.damping <= 1:
            raise MagnetError("damping", f"a Gilbert damping lies in [0, 1], got {self.damping!r}")
        object.__setattr__(self, "anisotropy_axis",
                           _vector(self.anisotropy_axis, "anisotropy_axis", unit=True))
        n = _vector(self.demagnetizing_factors, "demagnetizing_factors")
        if np.any(n < 0) or np.any(n > 1) or n.sum() > 1 + 1e-9:
            raise MagnetError("demagnetizing_factors",
                              f"each must be in [0, 1] with sum <= 1, got {n.tolist()}")
        object.__setattr__(self, "demagnetizing_factors", n)
        object.__setattr__(self, "applied_field", _vector(self.applied_field, "applied_field"))
        self._check_representable()

    def _check_representable(self) -> None:
        """The moment at least one Bohr magneton; the fastest precession within
        MAX_PRECESSION (MagnetError naming the parameter that breaks either)."""
        if not self.moment >= BOHR_MAGNETON:
            # the one further from a typical nanomagnet (10⁶ A/m, 10⁻²⁴ m³)
            name = ("volume" if abs(math.log10(self.volume) + 24)
                    > abs(math.log10(self.saturation_magnetization) - 6)
                    else "saturation_magnetization")
            raise MagnetError(name, f"gives the moment M_s V = {self.moment:.3g} A m², less "
                              f"than one Bohr magneton ({BOHR_MAGNETON:.3g} A m²)")
        terms = self._field_terms()
        field = sum(terms.values())
        omega = self.precession_rate
        if not omega <= MAX_PRECESSION:
            name = max(terms, key=terms.get)
            raise MagnetError(name, f"makes the magnet precess at γB = {omega:.3g} rad/s (B up "
                              f"to {field:.3g} T), beyond {MAX_PRECESSION:g} rad/s: faster than "
                              "the integrators resolve (their first step is 0.1 ps)")

    @classmethod
    def from_layer(cls, *, saturation_magnetization: float, damping: float,
                   volume: float | None = None, thickness: float | None = None,
                   area: float | None = None, anisotropy_field: float | None = None,
                   anisotropy_energy: float | None = None, **kw) -> MagnetParameters:
        """Build from a layer: ``volume`` (m³) or ``thickness`` (m) × ``area`` (m²); the
        anisotropy as ``anisotropy_field`` B_k (T) or ``anisotropy_energy`` K_u (J/m³)."""
        if volume is None:
            if thickness is None or area is None:
                raise MagnetError("volume", "give volume, or thickness and area")
            for name, v in (("thickness", thickness), ("area", area)):
                if not real(v, name, "m" if name == "thickness" else "m²", MagnetError) > 0:
                    raise MagnetError(name, f"must be positive, got {v!r}")
            for name, v, most, unit in (("thickness", thickness, MAX_EXTENT, "m"),
                                        ("area", area, MAX_EXTENT ** 2, "m²")):
                if v > most:
                    raise MagnetError(name, f"{v:g} {unit} is no macrospin (one magnetization "
                                      f"for the whole magnet needs sizes below {MAX_EXTENT:g} "
                                      f"m): give it in {unit}")
            volume = thickness * area
            if not volume > 0:
                raise MagnetError("area", f"times the thickness gives the volume {volume!r} m³")
        elif thickness is not None or area is not None:
            raise MagnetError("volume", "give volume or thickness and area, not both")
        if anisotropy_field is not None and anisotropy_energy is not None:
            raise MagnetError("anisotropy_field", "give anisotropy_field or anisotropy_energy")
        if anisotropy_energy is not None:
            if not real(saturation_magnetization, "saturation_magnetization", "A/m",
                        MagnetError) > 0:
                raise MagnetError("saturation_magnetization", "must be positive (A/m)")
            anisotropy_field = (2.0 * real(anisotropy_energy, "anisotropy_energy", "J/m³",
                                           MagnetError) / saturation_magnetization)
        return cls(saturation_magnetization=saturation_magnetization, volume=volume,
                   damping=damping, anisotropy_field=anisotropy_field or 0.0, **kw)

    def _field_terms(self) -> dict:
        """Bounds (T) of the three parts of |B_eff|, by the parameter that sets each."""
        big = float(np.max(np.abs(self.applied_field)))  # |B_app| without overflow
        applied = big * float(np.linalg.norm(self.applied_field / big)) if big else 0.0
        return {"applied_field": applied, "anisotropy_field": abs(self.anisotropy_field),
                "saturation_magnetization": MU0 * self.saturation_magnetization
                * float(np.max(self.demagnetizing_factors))}

    @property
    def precession_rate(self) -> float:
        """Upper bound of the precession rate γ|B_eff| (rad/s): γ(|B_app| + |B_k| +
        μ0 M_s max N_i)."""
        return self.gyromagnetic_ratio * sum(self._field_terms().values())

    @property
    def gyromagnetic_ratio(self) -> float:
        """γ = g μ_B / ħ (rad s⁻¹ T⁻¹)."""
        return gyromagnetic_ratio(self.g_factor)

    @property
    def moment(self) -> float:
        """Total magnetic moment M_s V (A m² = J/T)."""
        return self.saturation_magnetization * self.volume

    def effective_field(self, m) -> np.ndarray:
        """B_eff(m) (T) for unit m of shape (..., 3)."""
        m = np.asarray(m, dtype=float)
        u = self.anisotropy_axis
        proj = m @ u
        return (self.applied_field + self.anisotropy_field * proj[..., None] * u
                - MU0 * self.saturation_magnetization * self.demagnetizing_factors * m)

    def energy(self, m) -> np.ndarray:
        """Magnetic energy E(m) (J) for unit m of shape (..., 3)."""
        m = np.asarray(m, dtype=float)
        proj = m @ self.anisotropy_axis
        demag = 0.5 * MU0 * self.saturation_magnetization * np.sum(
            self.demagnetizing_factors * m * m, axis=-1)
        return -self.moment * (m @ self.applied_field + 0.5 * self.anisotropy_field * proj**2
                               - demag)

    def larmor_frequency(self, field_tesla: float) -> float:
        """Precession frequency f = γ B / (2π (1 + α²)) (Hz) in a static field B (T)."""
        return self.gyromagnetic_ratio * field_tesla / (2 * math.pi * (1 + self.damping**2))

    def relaxation_time(self, field_tesla: float) -> float:
        """Gilbert relaxation time of the transverse component, (1 + α²)/(α γ B) (s)."""
        return (1 + self.damping**2) / (self.damping * self.gyromagnetic_ratio * field_tesla)
