"""Physical constants and the sign conventions of spincaloric (SI units throughout).

All values come from :mod:`scipy.constants` (CODATA). The conventions are those of
``physics.md``: inside the package the *theory variables* are used, ``V = (mu - mu0)/e`` with
``e > 0`` and every current is ``e`` times a particle current. Only the I/O layer converts
to the electric potential and the conventional current, with :func:`to_electric_potential`
and :func:`to_conventional_current` (both are a sign flip, kept here so that it happens in
exactly one place).
"""

from __future__ import annotations

import math

from scipy import constants as _c

#: Elementary charge e (C), positive.
ELEMENTARY_CHARGE: float = _c.e
#: Boltzmann constant k_B (J/K).
BOLTZMANN: float = _c.k
#: Reduced Planck constant hbar (J s).
HBAR: float = _c.hbar
#: Planck constant h (J s).
PLANCK: float = _c.h
#: Bohr magneton mu_B (J/T).
BOHR_MAGNETON: float = _c.physical_constants["Bohr magneton"][0]
#: Vacuum permeability mu_0 (T m / A).
MU0: float = _c.mu_0
#: Sommerfeld value of the Lorenz number L0 = (pi^2/3)(k_B/e)^2 (W Ohm / K^2 = V^2/K^2).
LORENZ: float = (math.pi**2 / 3.0) * (BOLTZMANN / ELEMENTARY_CHARGE) ** 2
#: Largest thermopower allowed by the second law in the Sommerfeld expansion, sqrt(L0) (V/K).
SEEBECK_BOUND: float = math.sqrt(LORENZ)
#: Lowest temperature an input may give (K): the linear-response coefficients scale with T
#: (e L0 T, S/T), and below a millikelvin they underflow the thermoelectric parameters.
MIN_TEMPERATURE: float = 1e-3
#: Highest temperature an input may give (K): the Sommerfeld expansion behind every coefficient
#: needs k_B T far below the Fermi energy (E_F/k_B ~ 10^4–10^5 K in metals); no metal is a
#: degenerate electron gas at a million kelvin.
MAX_TEMPERATURE: float = 1e6
#: Conversion of a spin current in A to a torque in N m: hbar / (2 e) (J s / C).
TORQUE_PER_SPIN_CURRENT: float = HBAR / (2.0 * ELEMENTARY_CHARGE)
#: Spin bias per unit ṁ × m of a moving magnet, hbar / e (V s): X = (hbar/e) ṁ × m (spin pumping).
HBAR_E: float = HBAR / ELEMENTARY_CHARGE
#: Conductance quantum per spin e^2/h (S).
CONDUCTANCE_QUANTUM: float = ELEMENTARY_CHARGE**2 / PLANCK
#: Free-electron g-factor |g_e| (CODATA), the default Landé factor of a magnet.
ELECTRON_G: float = abs(_c.physical_constants["electron g factor"][0])


def gyromagnetic_ratio(g_factor: float = ELECTRON_G) -> float:
    """Gyromagnetic ratio gamma = g mu_B / hbar in rad s^-1 T^-1 (1.761e11 for the free-electron
    g = 2.0023, physics.md §4)."""
    return g_factor * BOHR_MAGNETON / HBAR


def to_electric_potential(v_theory):
    """Theory voltage V = (mu - mu0)/e (V) -> electric potential (V): a sign flip."""
    return -v_theory


def from_electric_potential(potential):
    """Electric potential (V) -> theory voltage V = (mu - mu0)/e (V): a sign flip."""
    return -potential


def to_conventional_current(i_theory):
    """Theory charge current (e x particle current, A) -> conventional current (A)."""
    return -i_theory


def from_conventional_current(current):
    """Conventional electric current (A) -> theory charge current (e x particle current, A)."""
    return -current
