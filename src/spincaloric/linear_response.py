"""How far a solve lies outside the linear (Sommerfeld) response, and the warning that says so.

The thermalized and non-interacting regimes expand every contact's currents to first order in
the differences of the node distributions about the circuit's reference temperature T
(Hatami et al., PRL 99, 066603 (2007); docs/physics.md §2). The neglected terms are of relative
order

* ``e ΔV / k_B T`` for a potential difference ΔV: the bias window then exceeds the thermal
  window k_B T in which the conductances and their energy derivatives were expanded (Joule heat
  and the bias dependence of thermopowers, of order (eΔV)²G''/G, are missing);
* ``|ΔT| / T`` for a temperature deviation ΔT: the Sommerfeld coefficients (L0 T G, S, ...)
  are evaluated at T instead of across the range; the first correction is ≈ ΔT/(2T).

Beyond :data:`MAX_BIAS_RATIO` or :data:`MAX_THERMAL_RATIO` a :class:`LinearResponseWarning`
is issued, once per distinct message, naming ``regime = "spectral"`` (the energy-resolved
solver, which keeps the full Fermi functions) as the way to go beyond.
"""

from __future__ import annotations

import warnings

import numpy as np

from .constants import BOLTZMANN, ELEMENTARY_CHARGE
from .errors import user_stacklevel

#: Largest e|ΔV|/(k_B T) (dimensionless) solved without a warning: the potential span of the
#: circuit equal to the thermal energy.
MAX_BIAS_RATIO: float = 1.0
#: Largest |ΔT|/T (dimensionless) solved without a warning: a node 20 % hotter or colder than
#: the reference temperature (the first neglected correction ≈ 10 %).
MAX_THERMAL_RATIO: float = 0.2


class LinearResponseWarning(UserWarning):
    """A solve lies outside the range where the linear (Sommerfeld) response holds."""


def response_ratios(potential_span, temperature_deviation, temperature: float):
    """(e ΔV/k_B T, |ΔT|/T) of a solve, both dimensionless.

    potential_span : largest difference of electric potentials among the nodes (V).
    temperature_deviation : largest |T_node − T| (K).
    temperature : the circuit's reference temperature T (K).
    """
    with np.errstate(over="ignore"):  # a span near the float range is a ratio of inf
        bias = ELEMENTARY_CHARGE * np.abs(potential_span) / (BOLTZMANN * temperature)
        return bias, np.abs(temperature_deviation) / temperature


#: What the warning suggests for a static solve: the energy-resolved back end.
SPECTRAL_REMEDY = ('regime = "spectral" in a device file (solve(method="spectral") in '
                   'Python) solves with the full Fermi functions')


def warn_beyond_linear_response(potential_span, temperature_deviation, temperature: float,
                                remedy: str = SPECTRAL_REMEDY) -> None:
    """Issue a :class:`LinearResponseWarning` if the largest potential span (V) or temperature
    deviation (K) of a solve (arrays over its batch) exceeds the thresholds at the reference
    temperature ``temperature`` (K), ending with ``remedy``. Non-finite entries are ignored
    here (validated elsewhere).
    """
    span = np.asarray(potential_span, float)
    dev = np.asarray(temperature_deviation, float)
    span = span[np.isfinite(span)]
    dev = dev[np.isfinite(dev)]
    bias, thermal = response_ratios(span.max(initial=0.0), dev.max(initial=0.0), temperature)
    parts = []
    if bias > MAX_BIAS_RATIO:
        parts.append(f"e|ΔV|/k_BT = {bias:.3g} (ΔV = {span.max():.3g} V at T = "
                     f"{temperature:.4g} K) exceeds {MAX_BIAS_RATIO:g}")
    if thermal > MAX_THERMAL_RATIO:
        parts.append(f"|ΔT|/T = {thermal:.3g} (ΔT = {dev.max():.3g} K at T = "
                     f"{temperature:.4g} K) exceeds {MAX_THERMAL_RATIO:g}")
    if parts:
        warnings.warn("beyond linear response: " + "; ".join(parts)
                      + " — the Sommerfeld expansion is unreliable here; " + remedy,
                      LinearResponseWarning, stacklevel=user_stacklevel())


def solution_extremes(states: np.ndarray):
    """(potential span (V), largest |T_node − T| (K)) over the nodes of theory-variable node
    states ``states`` (..., n, 8), per batch element (arrays of the batch shape)."""
    v = states[..., 0]
    span = (v.max(axis=-1) - v.min(axis=-1)) if v.shape[-1] else np.zeros(v.shape[:-1])
    dev = np.abs(states[..., 4]).max(axis=-1, initial=0.0)
    return span, dev
