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

at every energy (so η' = 1 too). A spin-dependent reflection phase Δφ = φ↑ − φ↓ adds
M(e²/h)(1 − cos Δφ) to Re G↑↓ and gives Im G↑↓ ≈ −M(e²/h) sin Δφ (M channels): terms of the
order of the Sharvin conductance, not small compared with G. Both are inputs (``mixing`` = η,
``mixing_imag`` = 2 Im G↑↓/G; energy-independent additions, so η' stays 1), defaulting to equal
phases.

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

import numpy as np

from ..errors import FieldError
from .contacts import ContactParameters
from .junctions import JunctionParameters


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
    mixing : η = 2 Re G↑↓/G (dimensionless, ≥ 1 for a barrier: 1 for equal reflection phases).
    mixing_imag : 2 Im G↑↓/G (dimensionless), from a spin-dependent reflection phase.
    """

    resistance_area: float
    polarization: float
    seebeck: float = 0.0
    seebeck_polarization: float = 0.0
    mixing: float = 1.0
    mixing_imag: float = 0.0

    def __post_init__(self):
        for name in ("resistance_area", "polarization", "seebeck", "seebeck_polarization",
                     "mixing", "mixing_imag"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value)):
                raise FieldError(name, f"must be a finite number, got {value!r}")
        if self.resistance_area <= 0:
            raise FieldError("resistance_area", f"must be positive (Ω m²), got "
                             f"{self.resistance_area!r}")
        for name in ("polarization", "seebeck_polarization"):
            if not abs(getattr(self, name)) < 1:
                raise FieldError(name, f"must lie in (-1, 1), got {getattr(self, name)!r}")
        if self.mixing < 1:
            raise FieldError("mixing", "Re G↑↓ of a barrier is at least G/2 (η ≥ 1), got "
                             f"{self.mixing!r}")

    @property
    def polarization_derivative(self) -> float:
        """P' = ∂ε(G↑ − G↓)/∂εG from P and P_S: P_S = (P' − P)/(1 − P P'), so
        P' = (P_S + P)/(1 + P_S P) (dimensionless)."""
        p, ps = self.polarization, self.seebeck_polarization
        return (ps + p) / (1 + ps * p)

    def contact(self, area: float, temperature: float) -> ContactParameters:
        """The contact of a barrier of ``area`` (m²) at ``temperature`` (K): G = A/RA,
        G↑,↓ = G(1 ± P)/2, Re G↑↓ = ηG/2 with η' = 1 (module docstring), Mott's law for G'."""
        for name, value in (("area", area), ("temperature", temperature)):
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise FieldError(name, f"must be positive, got {value!r}")
        return ContactParameters.from_paper(
            conductance=area / self.resistance_area, polarization=self.polarization,
            mixing=self.mixing, seebeck=self.seebeck,  # P' acts only through S (∂εG↑,↓ ∝ S)
            polarization_derivative=self.polarization_derivative if self.seebeck else 0.0,
            mixing_derivative=1.0,
            temperature=temperature, mixing_imag=self.mixing_imag,
            mixing_imag_derivative=0.0)  # the reflection phase, taken energy-independent


@dataclass(frozen=True)
class MagneticTunnelJunction:
    r"""A symmetric magnetic tunnel junction F₁|I|F₂ between two ferromagnetic leads (fixed layer
    m₁, free layer m₂, angle θ), in the Jullière–Slonczewski model: spin-conserving tunnelling
    with the same tunnelling polarization P(ε) on both sides,

    .. math::

        G(\theta, \varepsilon) = G_0(\varepsilon)\,[1 + P(\varepsilon)^2\cos\theta],\qquad
        \tau_2(\varepsilon) \propto G_0(\varepsilon) P(\varepsilon)\,\sin\theta,

    the in-plane ("Slonczewski") torque on each layer being proportional to the polarization of
    the other one and to sin θ at constant voltage (J. C. Slonczewski, Phys. Rev. B 71, 024411
    (2005); for a symmetric junction the torkance is (ħ/4e)(G_P − G_AP) sin θ / P). Linear
    response follows from Sommerfeld (Mott) expansion at every angle: with ΔV = V₂ − V₁ (theory
    voltages μ/e, V) and ΔT = T₂ − T₁ (K),

    .. math::

        I_{1\to 2} = G(\theta)\,[S(\theta)\,\Delta T - \Delta V],\qquad
        S(\theta) = -eL_0T\,\frac{\partial_\varepsilon G(\theta)}{G(\theta)},

        \tau_2 = \frac{\hbar}{2e}\,G_0 P \sin\theta\,[S_\tau\,\Delta T - \Delta V],\qquad
        S_\tau = -eL_0T\,\frac{\partial_\varepsilon(G_0P)}{G_0P},

    τ₂ > 0 pulling m₂ towards m₁ (along m₂ × (m₁ × m₂)). The parameters are what tunnel
    magneto-Seebeck experiments measure: the parallel resistance–area product, the TMR
    (G_P/G_AP − 1 = 2P²/(1 − P²)) and the thermopowers S_P, S_AP of the two states, which fix
    G₀', (G₀P²)' and hence, for a symmetric junction, (G₀P)' = G₀'P/2 + (G₀P²)'/(2P): the
    thermal torque follows from the measured magneto-Seebeck effect.

    Parameters
    ----------
    resistance_area_parallel : RA of the parallel state (Ω m²), > 0.
    tmr : G_P/G_AP − 1 (dimensionless), > 0.
    seebeck_parallel, seebeck_antiparallel : S_P, S_AP (V/K) at ``temperature``.
    temperature : K, > 0.

    >>> mtj = MagneticTunnelJunction(1e-11, tmr=1.0, seebeck_parallel=-100e-6,
    ...                              seebeck_antiparallel=-80e-6, temperature=300.0)
    >>> round(mtj.polarization, 6), round(float(mtj.seebeck(0.0)) * 1e6, 6)
    (0.57735, -100.0)
    """

    resistance_area_parallel: float
    tmr: float
    seebeck_parallel: float
    seebeck_antiparallel: float
    temperature: float

    def __post_init__(self):
        for name in ("resistance_area_parallel", "tmr", "seebeck_parallel",
                     "seebeck_antiparallel", "temperature"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value)):
                raise FieldError(name, f"must be a finite number, got {value!r}")
        for name in ("resistance_area_parallel", "tmr", "temperature"):
            if getattr(self, name) <= 0:
                raise FieldError(name, f"must be positive, got {getattr(self, name)!r}")
        self.junction(1.0)  # the second law: every channel pair's thermopower within √L0

    def junction(self, area: float) -> JunctionParameters:
        """The junction as a circuit contact between two ferromagnetic nodes, for ``area``
        (m²): :meth:`JunctionParameters.symmetric` with G_P = area/RA. Inside a circuit the
        free layer can be a node with its own spin accumulation, bulk layers can sit in
        series, and the solver gives both layers' torques."""
        if not (isinstance(area, (int, float)) and math.isfinite(area) and area > 0):
            raise FieldError("area", f"must be positive (m²), got {area!r}")
        return JunctionParameters.symmetric(
            conductance_parallel=area / self.resistance_area_parallel, tmr=self.tmr,
            seebeck_parallel=self.seebeck_parallel,
            seebeck_antiparallel=self.seebeck_antiparallel, temperature=self.temperature)

    # ---- the model's spectral parameters at ε_F (per area) -------------------------------
    @property
    def polarization(self) -> float:
        """Tunnelling polarization P = √(TMR/(2 + TMR)) (Jullière, symmetric junction)."""
        return math.sqrt(self.tmr / (2.0 + self.tmr))

    def _per_area(self):
        """(g0, g0', (g0P²)', (g0P)') per area: S/m², S/(m² J)."""
        j = self.junction(1.0)
        return j.g0, j.dg0, j.dg0_papb, j.dg0_pa

    # ---- observables (broadcast over θ, ΔV, ΔT) ------------------------------------------
    def conductance(self, theta, area: float = 1.0):
        """G(θ) = G₀(1 + P² cos θ) (S; S/m² for the default area = 1 m²). θ in rad."""
        g0 = self._per_area()[0]
        return g0 * area * (1.0 + self.polarization**2 * np.cos(theta))

    def seebeck(self, theta):
        """S(θ) = −eL₀T ∂εG(θ)/G(θ) (V/K): S_P at θ = 0, S_AP at θ = π."""
        from ..constants import ELEMENTARY_CHARGE, LORENZ

        g0, dg0, dg0p2, _ = self._per_area()
        c = np.cos(theta)
        g = g0 * (1 + self.polarization**2 * c)
        return -ELEMENTARY_CHARGE * LORENZ * self.temperature * (dg0 + dg0p2 * c) / g

    def torque_seebeck(self) -> float:
        """S_τ = −eL₀T ∂ε(G₀P)/(G₀P) (V/K): a temperature difference ΔT drives the torque of a
        voltage −S_τ ΔT."""
        from ..constants import ELEMENTARY_CHARGE, LORENZ

        g0, _, _, dg0p = self._per_area()
        return -ELEMENTARY_CHARGE * LORENZ * self.temperature * dg0p / (g0 * self.polarization)

    def charge_current(self, theta, delta_v=0.0, delta_t=0.0, area: float = 1.0):
        """I₁→₂ = G(θ)[S(θ)ΔT − ΔV] (A; A/m² for area = 1 m²); ΔV = V₂ − V₁ (V, theory
        voltages μ/e), ΔT = T₂ − T₁ (K)."""
        return self.conductance(theta, area) * (self.seebeck(theta) * np.asarray(delta_t)
                                                - np.asarray(delta_v))

    def torque(self, theta, delta_v=0.0, delta_t=0.0, area: float = 1.0):
        """In-plane torque on the free layer (N m; per m² for area = 1 m²), positive towards
        m₁: τ₂ = (ħ/2e) G₀P sin θ [S_τ ΔT − ΔV]."""
        from ..constants import TORQUE_PER_SPIN_CURRENT

        g0 = self._per_area()[0]
        spin = g0 * area * self.polarization * np.sin(theta) * (
            self.torque_seebeck() * np.asarray(delta_t) - np.asarray(delta_v))
        return TORQUE_PER_SPIN_CURRENT * spin
