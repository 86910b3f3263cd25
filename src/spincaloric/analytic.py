r"""Closed forms for the symmetric spin valve F_L(m1)|N|F_R(m2) (physics.md §5, eqs. 4–9).

Theory variables throughout: ΔV = V_R − V_L with V = (μ − μ0)/e (V), ΔT = T_R − T_L (K);
currents are e × particle currents, I_c (A) and Q_c (W) flow from the R reservoir into the node.
θ (rad) is the angle between m1 and m2; s = sin θ/2, c = cos θ/2, t = tan²(θ/2);
A = s² + ηc², B = s² + η'c², D = L0 A² − S² B². The torque "τ" here is the absorbed
transverse spin current in A; multiply by :data:`~spincaloric.constants.TORQUE_PER_SPIN_CURRENT`
(ħ/2e) for N·m (:func:`to_newton_metre`). Every function broadcasts over all its arguments.

These are an independent check of the general solver (tests/test_closed_forms.py), written from
the formulas, not from the solver.

>>> p = ValveParameters(conductance=1e-2, polarization=0.5, mixing=0.8, seebeck=-4e-6,
...                     polarization_derivative=0.7, mixing_derivative=0.1, temperature=300.0)
>>> float(thermalized_torque(p, 0.0, delta_v=1e-3))
0.0
>>> round(float(thermopower_ratio(p, 0.0)), 12)   # collinear parallel: ΔV = SΔT
1.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .constants import LORENZ, TORQUE_PER_SPIN_CURRENT


@dataclass(frozen=True)
class ValveParameters:
    """Parameters of one (each) contact of the symmetric valve, Im G↑↓ = 0.

    conductance G (S); polarization P; mixing η; seebeck S (V/K); polarization_derivative P';
    mixing_derivative η'; temperature T (K).
    """

    conductance: float
    polarization: float
    mixing: float
    seebeck: float
    polarization_derivative: float
    mixing_derivative: float
    temperature: float

    def __post_init__(self):
        checks = (("conductance", self.conductance > 0), ("polarization",
                  abs(self.polarization) <= 1), ("mixing", self.mixing >= 0),
                  ("temperature", self.temperature > 0))
        for name, ok in checks:
            value = getattr(self, name)
            if not (math.isfinite(value) and ok):
                raise ValueError(f"{name}: invalid value {value!r}")


def _angles(theta):
    theta = np.asarray(theta, dtype=float)
    return np.sin(theta / 2), np.cos(theta / 2)


def _a_b_d(p: ValveParameters, s, c):
    a = s**2 + p.mixing * c**2
    b = s**2 + p.mixing_derivative * c**2
    return a, b, LORENZ * a**2 - p.seebeck**2 * b**2


def magnetizations(theta):
    """(m1, m2) = ((−s, 0, c), (s, 0, c)), arrays (..., 3), for θ (rad)."""
    s, c = _angles(theta)
    z = np.zeros_like(s)
    return np.stack([-s, z, c], -1), np.stack([s, z, c], -1)


def torque_vectors(tau, theta):
    """(τ⃗_L, τ⃗_R) = (τ (c, 0, s), τ (c, 0, −s)) for torque magnitudes τ at θ (rad)."""
    s, c = _angles(theta)
    tau = np.asarray(tau, dtype=float)
    z = np.zeros_like(tau * s)
    return (np.stack([tau * c, z, tau * s], -1), np.stack([tau * c, z, -tau * s], -1))


def to_newton_metre(tau):
    """Absorbed spin current (A) -> torque (N·m): × ħ/2e."""
    return TORQUE_PER_SPIN_CURRENT * np.asarray(tau)


# ---- thermalized regime ----------------------------------------------------------------------


def thermalized_spin_accumulation(p: ValveParameters, theta, delta_v=0.0, delta_t=0.0):
    """v with V⃗_s = v x̂, x̂ = (m2 − m1)/|m2 − m1|: v = s (PΔV − P'SΔT)/A (V)."""
    s, c = _angles(theta)
    a, _, _ = _a_b_d(p, s, c)
    drive = p.polarization * np.asarray(delta_v) - p.polarization_derivative * p.seebeck * \
        np.asarray(delta_t)
    return s * drive / a


def thermalized_charge_current(p: ValveParameters, theta, delta_v=0.0, delta_t=0.0):
    """Eq. 4: I_c = (G/2)(ΔV − SΔT) − (PG/2) t/(η + t) (PΔV − P'SΔT) (A)."""
    s, c = _angles(theta)
    g, pol, sb = p.conductance, p.polarization, p.seebeck
    dv, dt = np.asarray(delta_v), np.asarray(delta_t)
    frac = s**2 / (s**2 + p.mixing * c**2)  # t/(η + t), finite at θ = π
    return (g / 2) * (dv - sb * dt) - (pol * g / 2) * frac * (
        pol * dv - p.polarization_derivative * sb * dt)


def thermopower_ratio(p: ValveParameters, theta):
    """Eq. 5: ΔV/(SΔT) at I_c = 0: [η + (1 − PP')t]/[η + (1 − P²)t] (dimensionless)."""
    s, c = _angles(theta)
    pol, pp, eta = p.polarization, p.polarization_derivative, p.mixing
    # multiply numerator and denominator by c² to stay finite at θ = π
    return (eta * c**2 + (1 - pol * pp) * s**2) / (eta * c**2 + (1 - pol**2) * s**2)


def thermalized_heat_current(p: ValveParameters, theta, delta_v=0.0, delta_t=0.0):
    """Eq. 6 (exact): Q_c = −(STG/2)ΔV + (L0TG/2)ΔT + (P'STG/2) t/(η+t) (PΔV − P'SΔT) (W)."""
    s, c = _angles(theta)
    g, sb, temp = p.conductance, p.seebeck, p.temperature
    dv, dt = np.asarray(delta_v), np.asarray(delta_t)
    frac = s**2 / (s**2 + p.mixing * c**2)
    return (-(sb * temp * g / 2) * dv + (LORENZ * temp * g / 2) * dt
            + (p.polarization_derivative * sb * temp * g / 2) * frac * (
                p.polarization * dv - p.polarization_derivative * sb * dt))


def thermalized_torque(p: ValveParameters, theta, delta_v=0.0, delta_t=0.0):
    """Eq. 7: τ = (G/2) η sin θ/[η(1 + cos θ) + (1 − cos θ)] (PΔV − P'SΔT) (A)."""
    theta = np.asarray(theta, dtype=float)
    drive = p.polarization * np.asarray(delta_v) - p.polarization_derivative * p.seebeck * \
        np.asarray(delta_t)
    eta = p.mixing
    return (p.conductance / 2) * eta * np.sin(theta) / (
        eta * (1 + np.cos(theta)) + (1 - np.cos(theta))) * drive


# ---- non-interacting regime ------------------------------------------------------------------


def noninteracting_accumulations(p: ValveParameters, theta, delta_v=0.0, delta_t=0.0):
    """(v, τ_s): V⃗_s = v x̂ (V) and T⃗_s = τ_s x̂ (K),
    v = s[L0A(PΔV − SP'ΔT) + SB(L0PΔT − SP'ΔV)]/D,
    τ_s = s[SB(PΔV − SP'ΔT) + A(L0PΔT − SP'ΔV)]/D."""
    s, c = _angles(theta)
    a, b, d = _a_b_d(p, s, c)
    pol, pp, sb = p.polarization, p.polarization_derivative, p.seebeck
    dv, dt = np.asarray(delta_v), np.asarray(delta_t)
    x = pol * dv - sb * pp * dt
    y = LORENZ * pol * dt - sb * pp * dv
    return s * (LORENZ * a * x + sb * b * y) / d, s * (sb * b * x + a * y) / d


def noninteracting_charge_current(p: ValveParameters, theta, delta_v=0.0, delta_t=0.0):
    """I_c = (G/2)[ΔV − SΔT − P s v + S P' s τ_s] (A)."""
    s, _ = _angles(theta)
    v, ts = noninteracting_accumulations(p, theta, delta_v, delta_t)
    return (p.conductance / 2) * (np.asarray(delta_v) - p.seebeck * np.asarray(delta_t)
                                  - p.polarization * s * v
                                  + p.seebeck * p.polarization_derivative * s * ts)


def noninteracting_heat_current(p: ValveParameters, theta, delta_v=0.0, delta_t=0.0):
    """Q_c = (G/2)[−ST(ΔV − P' s v) + L0T(ΔT − P s τ_s)] (W)."""
    s, _ = _angles(theta)
    v, ts = noninteracting_accumulations(p, theta, delta_v, delta_t)
    temp = p.temperature
    return (p.conductance / 2) * (
        -p.seebeck * temp * (np.asarray(delta_v) - p.polarization_derivative * s * v)
        + LORENZ * temp * (np.asarray(delta_t) - p.polarization * s * ts))


def noninteracting_torque(p: ValveParameters, theta, delta_v=0.0, delta_t=0.0):
    """τ = (G/2) c [η v − η' S τ_s] (A)."""
    _, c = _angles(theta)
    v, ts = noninteracting_accumulations(p, theta, delta_v, delta_t)
    return (p.conductance / 2) * c * (p.mixing * v - p.mixing_derivative * p.seebeck * ts)


def noninteracting_torque_correction(p: ValveParameters, theta):
    """Exact (τ̃ − τ)/τ at ΔV = 0: (η' − η) s² (L0AP − S²BP')/(η P' D) (dimensionless)."""
    s, c = _angles(theta)
    a, b, d = _a_b_d(p, s, c)
    pol, pp, sb = p.polarization, p.polarization_derivative, p.seebeck
    return ((p.mixing_derivative - p.mixing) * s**2 * (LORENZ * a * pol - sb**2 * b * pp)
            / (p.mixing * pp * d))


def noninteracting_torque_correction_limit(p: ValveParameters, theta):
    """Eq. 8, S² ≪ L0: (τ̃ − τ)/τ → [(η' − η) P/(η P')] t/(η + t)."""
    s, c = _angles(theta)
    frac = s**2 / (s**2 + p.mixing * c**2)
    return (p.mixing_derivative - p.mixing) * p.polarization / (
        p.mixing * p.polarization_derivative) * frac


def spin_temperature_ratio(p: ValveParameters, theta):
    """T_s/ΔT at ΔV = 0 (exact): s (L0AP − S²BP')/D (dimensionless)."""
    s, c = _angles(theta)
    a, b, d = _a_b_d(p, s, c)
    return s * (LORENZ * a * p.polarization - p.seebeck**2 * b * p.polarization_derivative) / d


def spin_temperature_ratio_limit(p: ValveParameters, theta):
    """Eq. 9, S² ≪ L0: T_s/ΔT → P s/(s² + η c²)."""
    s, c = _angles(theta)
    return p.polarization * s / (s**2 + p.mixing * c**2)
