r"""Tunnel contacts: an insulating barrier between a ferromagnet and a normal metal (F|I|N).

A barrier is characterised, as measured, by its resistance–area product RA (Ω m²), its
tunnelling spin polarization P = (G↑ − G↓)/G, its thermopower S (V/K) and the spin polarization
of its thermopower P_S = (S↑ − S↓)/(S↑ + S↓) — the quantities of tunnel magneto-Seebeck
experiments. :meth:`TunnelBarrier.contact` turns them into the circuit's contact parameters.

Mixing conductance of a tunnel barrier. With reflection amplitudes r_σ per channel,
Re G↑↓ = (e²/h) Σ (1 − Re r↑ r↓*). An opaque barrier transmits |t_σ|² ≪ 1, so
r_σ = e^{iφ_σ} (1 − |t_σ|²/2 + …); if both spins are reflected with the same phase (φ↑ = φ↓),

.. math::

    \mathrm{Re}\,G^{\uparrow\downarrow} = \frac{e^2}{h}\sum\Big(\tfrac{|t_\uparrow|^2 +
    |t_\downarrow|^2}{2}\Big) = \frac{G^\uparrow + G^\downarrow}{2},\qquad \eta = 1,

at every energy (so η' = 1 too), while a spin-dependent reflection phase gives
Im G↑↓ = (e²/h) Σ sin(φ↑ − φ↓) ≈ M (e²/h) Δφ, which is of the order of the Sharvin conductance
and not small compared with G: it is an input (``mixing_imag`` = 2 Im G↑↓/G), zero by default.

>>> b = TunnelBarrier(resistance_area=1e-11, polarization=0.5, seebeck=-50e-6,
...                   seebeck_polarization=0.2)
>>> c = b.contact(area=1e-14, temperature=300.0)
>>> round(c.conductance * 1e3, 6), round(c.polarization, 12), round(c.mixing, 12)
(1.0, 0.5, 1.0)
>>> round(c.seebeck(300.0) * 1e6, 9)
-50.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .contacts import ContactParameters
from .errors import FieldError


@dataclass(frozen=True)
class TunnelBarrier:
    """An F|I|N tunnel barrier.

    Parameters
    ----------
    resistance_area : RA = A/G (Ω m²), > 0.
    polarization : tunnelling spin polarization P = (G↑ − G↓)/G, |P| < 1.
    seebeck : thermopower S of the barrier (V/K) at the temperature given to :meth:`contact`.
    seebeck_polarization : P_S = (S↑ − S↓)/(S↑ + S↓), |P_S| < 1 (0: spin-independent
        thermopower, S↑ = S↓).
    mixing_imag : 2 Im G↑↓/G (dimensionless), from a spin-dependent reflection phase.
    """

    resistance_area: float
    polarization: float
    seebeck: float = 0.0
    seebeck_polarization: float = 0.0
    mixing_imag: float = 0.0

    def __post_init__(self):
        for name in ("resistance_area", "polarization", "seebeck", "seebeck_polarization",
                     "mixing_imag"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value)):
                raise FieldError(name, f"must be a finite number, got {value!r}")
        if self.resistance_area <= 0:
            raise FieldError("resistance_area", f"must be positive (Ω m²), got "
                             f"{self.resistance_area!r}")
        for name in ("polarization", "seebeck_polarization"):
            if not abs(getattr(self, name)) < 1:
                raise FieldError(name, f"must lie in (-1, 1), got {getattr(self, name)!r}")

    @property
    def polarization_derivative(self) -> float:
        """P' = ∂ε(G↑ − G↓)/∂εG from P and P_S: P_S = (P' − P)/(1 − P P'), so
        P' = (P_S + P)/(1 + P_S P) (dimensionless)."""
        p, ps = self.polarization, self.seebeck_polarization
        return (ps + p) / (1 + ps * p)

    def contact(self, area: float, temperature: float) -> ContactParameters:
        """The contact of a barrier of ``area`` (m²) at ``temperature`` (K): G = A/RA,
        G↑,↓ = G(1 ± P)/2, Re G↑↓ = G/2 (η = η' = 1, module docstring), Mott's law for G'."""
        for name, value in (("area", area), ("temperature", temperature)):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise FieldError(name, f"must be positive, got {value!r}")
        return ContactParameters.from_paper(
            conductance=area / self.resistance_area, polarization=self.polarization,
            mixing=1.0, seebeck=self.seebeck,
            polarization_derivative=self.polarization_derivative, mixing_derivative=1.0,
            temperature=temperature, mixing_imag=self.mixing_imag,
            mixing_imag_derivative=0.0)  # the reflection phase, taken energy-independent
