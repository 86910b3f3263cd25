"""Magnetization dynamics driven by the circuit's own electrical and thermal torques.

Macrospin Landau–Lifshitz–Gilbert–Slonczewski dynamics (physics.md §4) in which the torque on
every dynamic magnet is solved from the thermoelectric circuit at every step, with
time-dependent drives (voltage, current, temperature, heat), deterministic and stochastic
integrators, ensembles and switching analysis. Importing this package does not import numba;
the compiled kernels load on first use.

>>> from spincaloric.dynamics import MagnetParameters, RectangularPulse, Simulation
"""

from .drives import (
    Constant,
    DriveError,
    GaussianPulse,
    LaserPulse,
    RectangularPulse,
    Step,
    Table,
)
from .heating import with_joule_heating
from .laser import AbsorbedPulse, beer_lambert, laser_heat, layer_depths, peak_fluence
from .magnets import MagnetError, MagnetParameters
from .simulation import DynamicsError, Simulation

__all__ = ["AbsorbedPulse", "Constant", "DriveError", "DynamicsError", "GaussianPulse",
           "LaserPulse", "MagnetError", "MagnetParameters", "RectangularPulse", "Simulation",
           "Step", "Table", "beer_lambert", "laser_heat", "layer_depths", "peak_fluence",
           "with_joule_heating"]
