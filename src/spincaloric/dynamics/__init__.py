"""Magnetization dynamics driven by the circuit's own electrical and thermal torques.

Macrospin Landau–Lifshitz–Gilbert–Slonczewski dynamics (physics.md §4) in which the torque on
every dynamic magnet is solved from the thermoelectric circuit at every step, with
time-dependent drives (voltage, current, temperature), deterministic and stochastic
integrators, ensembles and switching analysis. Importing this package does not import numba;
the compiled kernels load on first use.
"""

from .magnets import MagnetError, MagnetParameters

__all__ = ["MagnetError", "MagnetParameters"]
