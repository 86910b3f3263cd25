r"""Closed forms for the symmetric spin valve F_L(m1)|N|F_R(m2) (physics.md §5, eqs. 4–9).

Two identical contacts (parameters :class:`ValveParameters`, Im G↑↓ = 0) join the ferromagnetic
reservoirs L (magnetization m1) and R (m2) to one normal-metal node N.

Variables and units (theory variables of physics.md §1, e > 0):

* θ (rad): angle between m1 and m2; s = sin θ/2, c = cos θ/2, t = tan²(θ/2).
* ΔV = V_R − V_L (V) with V = (μ − μ0)/e; ΔT = T_R − T_L (K).
* I_c (A, e × particle current) and Q_c (W) flow from the R reservoir into the node.
* A = s² + ηc², B = s² + η'c², D = L0 A² − S² B² (L0 = :data:`~spincaloric.constants.LORENZ`).
* Frame: m1 = (−s, 0, c), m2 = (s, 0, c) (:func:`magnetizations`). The node's spin accumulation
  V⃗_s = v x̂ and spin temperature T⃗_s = τ_s x̂ lie along x̂ = (1, 0, 0), which is
  (m2 − m1)/|m2 − m1| for 0 < θ < 2π and is used as the frame at θ = 0 too (v = τ_s = 0 there).
* The torque "τ" is the transverse spin current absorbed by a magnet, in A; τ⃗_R = τ (c, 0, −s),
  τ⃗_L = τ (c, 0, s) (:func:`torque_vectors`); :func:`to_newton_metre` multiplies by
  ħ/2e = :data:`~spincaloric.constants.TORQUE_PER_SPIN_CURRENT` to give N·m.

Every function broadcasts with NumPy rules over θ, ΔV, ΔT and the parameters (each field of
:class:`ValveParameters` may be an array); scalar inputs give NumPy scalars. The formulas are
finite at θ = 0 and θ = π. Two degenerate corners are documented where they occur: η = 0 at
θ = 0 (the transverse accumulation is then undetermined; the collinear value is returned) and
|P| = 1 at θ = π (zero conductance; eq. 5 is undefined).

The closed forms were re-derived from the contact response K(m) of physics.md §2 and are tested
against a direct solution of the node's Kirchhoff equations (tests/test_analytic.py) and against
the general circuit solver (tests/test_closed_forms.py).

>>> p = ValveParameters(conductance=1e-2, polarization=0.5, mixing=0.8, seebeck=-4e-6,
...                     polarization_derivative=0.7, mixing_derivative=0.1, temperature=300.0)
>>> float(thermalized_torque(p, 0.0, delta_v=1e-3))   # collinear: no torque
0.0
>>> float(thermopower_ratio(p, 0.0))                    # collinear parallel: ΔV = SΔT
1.0
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike

from .constants import LORENZ, TORQUE_PER_SPIN_CURRENT
from .errors import FieldError

__all__ = [
    "ValveParameters",
    "magnetizations",
    "torque_vectors",
    "to_newton_metre",
    "thermalized_spin_accumulation",
    "thermalized_charge_current",
    "thermopower_ratio",
    "thermalized_heat_current",
    "thermalized_torque",
    "noninteracting_accumulations",
    "noninteracting_charge_current",
    "noninteracting_heat_current",
    "noninteracting_torque",
    "noninteracting_torque_correction",
    "noninteracting_torque_correction_limit",
    "spin_temperature_ratio",
    "spin_temperature_ratio_limit",
]


@dataclass(frozen=True)
class ValveParameters:
    """Parameters of each of the two identical contacts of the valve (Im G↑↓ = 0).

    Every field is a real number or an array (arrays broadcast in all functions of this module;
    they are stored as read-only float arrays, scalars as ``float``).

    Parameters
    ----------
    conductance : float or array_like
        G = G↑ + G↓ of one contact (S); must be > 0.
    polarization : float or array_like
        P = (G↑ − G↓)/G (dimensionless); must satisfy |P| ≤ 1.
    mixing : float or array_like
        η = 2 Re G↑↓/G (dimensionless); must be ≥ 0.
    seebeck : float or array_like
        Contact thermopower S = −e L0 T G'/G (V/K).
    polarization_derivative : float or array_like
        P' = (G↑' − G↓')/G' (dimensionless, not bounded).
    mixing_derivative : float or array_like
        η' = 2 Re G↑↓'/G' (dimensionless).
    temperature : float or array_like
        Equilibrium temperature T (K); must be > 0.

    Raises
    ------
    FieldError
        A ``ValueError`` whose ``field`` attribute (and message) names the invalid field: a
        non-real or non-finite value, or a violated bound above.

    Examples
    --------
    >>> p = ValveParameters(conductance=1e-2, polarization=0.5, mixing=0.8, seebeck=-4e-6,
    ...                     polarization_derivative=0.7, mixing_derivative=0.1,
    ...                     temperature=300.0)
    >>> p.conductance, p.polarization
    (0.01, 0.5)
    >>> ValveParameters(1e-2, 1.5, 0.8, -4e-6, 0.7, 0.1, 300.0)
    Traceback (most recent call last):
    ...
    spincaloric.errors.FieldError: polarization: must satisfy |P| <= 1, got 1.5
    """

    conductance: float
    polarization: float
    mixing: float
    seebeck: float
    polarization_derivative: float
    mixing_derivative: float
    temperature: float

    def __post_init__(self):
        bounds = {
            "conductance": (lambda x: x > 0, "must be > 0 (S)"),
            "polarization": (lambda x: np.abs(x) <= 1, "must satisfy |P| <= 1"),
            "mixing": (lambda x: x >= 0, "must be >= 0"),
            "temperature": (lambda x: x > 0, "must be > 0 (K)"),
        }
        for f in fields(self):
            raw = getattr(self, f.name)
            try:
                if np.iscomplexobj(raw):
                    raise TypeError
                value = np.array(raw, dtype=float)
            except (TypeError, ValueError):
                raise FieldError(f.name, f"must be a real number or array, got {raw!r}") from None
            if not np.all(np.isfinite(value)):
                raise FieldError(f.name, f"must be finite, got {raw!r}")
            if f.name in bounds:
                ok, reason = bounds[f.name]
                bad = ~ok(value)
                if np.any(bad):
                    raise FieldError(f.name, f"{reason}, got {float(value[bad].flat[0])!r}")
            if value.ndim == 0:
                value = float(value)
            else:
                value.flags.writeable = False
            object.__setattr__(self, f.name, value)


# ---- helpers ---------------------------------------------------------------------------------


def _half_angles(theta):
    """(s, c) = (sin θ/2, cos θ/2) as float arrays."""
    theta = np.asarray(theta, dtype=float)
    return np.sin(0.5 * theta), np.cos(0.5 * theta)


def _abd(p: ValveParameters, s, c):
    """A = s² + ηc², B = s² + η'c², D = L0 A² − S² B²."""
    a = s**2 + p.mixing * c**2
    b = s**2 + p.mixing_derivative * c**2
    return a, b, LORENZ * a**2 - p.seebeck**2 * b**2


def _collinear(num, den, s, value=0.0):
    """num/den, replaced by its collinear-parallel value where s = 0.

    Used only where den can vanish at s = 0 alone (η = 0 at θ = 0, where the transverse
    accumulation is undetermined); elsewhere this is plain division.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.true_divide(num, den)
    return _scalar(np.where(s == 0, value, q))


def _scalar(x):
    """0-d arrays -> NumPy scalars; arrays unchanged."""
    x = np.asarray(x, dtype=float)
    return x[()] if x.ndim == 0 else x


def _drives(p: ValveParameters, delta_v, delta_t):
    """X = PΔV − P'SΔT (V) and Y = L0PΔT − SP'ΔV (V²/K)."""
    dv = np.asarray(delta_v, dtype=float)
    dt = np.asarray(delta_t, dtype=float)
    x = p.polarization * dv - p.polarization_derivative * p.seebeck * dt
    y = LORENZ * p.polarization * dt - p.seebeck * p.polarization_derivative * dv
    return dv, dt, x, y


# ---- geometry --------------------------------------------------------------------------------


def magnetizations(theta: ArrayLike):
    """Unit magnetizations of the valve's frame: m1 = (−s, 0, c), m2 = (s, 0, c).

    s = sin θ/2, c = cos θ/2, so that m1·m2 = cos θ.

    Parameters
    ----------
    theta : array_like
        Angle θ between m1 and m2 (rad).

    Returns
    -------
    m1, m2 : ndarray
        Shape ``np.shape(theta) + (3,)`` (dimensionless).

    Examples
    --------
    >>> m1, m2 = magnetizations(np.pi / 2)
    >>> np.round(m1, 6).tolist(), np.round(m2, 6).tolist()
    ([-0.707107, 0.0, 0.707107], [0.707107, 0.0, 0.707107])
    """
    s, c = _half_angles(theta)
    z = np.zeros_like(s)
    return np.stack([-s, z, c], -1), np.stack([s, z, c], -1)


def torque_vectors(tau: ArrayLike, theta: ArrayLike):
    """Torque vectors from the signed magnitude τ: τ⃗_L = τ (c, 0, s), τ⃗_R = τ (c, 0, −s).

    In the frame of :func:`magnetizations` (s = sin θ/2, c = cos θ/2). τ⃗_L ⊥ m1 and τ⃗_R ⊥ m2;
    for τ > 0 the torque turns m1 toward m2 and m2 away from m1.

    Parameters
    ----------
    tau : array_like
        Torque magnitude τ: absorbed spin current (A), or a torque (N·m) — the unit carries over.
    theta : array_like
        Angle θ between m1 and m2 (rad); broadcasts with ``tau``.

    Returns
    -------
    tau_l, tau_r : ndarray
        Shape ``np.broadcast_shapes(np.shape(tau), np.shape(theta)) + (3,)``, unit of ``tau``.

    Examples
    --------
    >>> tau_l, tau_r = torque_vectors(2.0, np.pi)   # θ = π: (c, s) = (0, 1)
    >>> np.round(tau_l, 12).tolist(), np.round(tau_r, 12).tolist()
    ([0.0, 0.0, 2.0], [0.0, 0.0, -2.0])
    """
    s, c = _half_angles(theta)
    tau, s, c = np.broadcast_arrays(np.asarray(tau, dtype=float), s, c)
    z = np.zeros_like(tau)
    return np.stack([tau * c, z, tau * s], -1), np.stack([tau * c, z, -tau * s], -1)


def to_newton_metre(tau: ArrayLike):
    """Absorbed spin current (A) -> torque (N·m): τ[N·m] = (ħ/2e) τ[A] (physics.md §4).

    Parameters
    ----------
    tau : array_like
        Absorbed transverse spin current (A), e.g. from :func:`thermalized_torque`.

    Returns
    -------
    ndarray or float
        Torque (N·m); ħ/2e = :data:`~spincaloric.constants.TORQUE_PER_SPIN_CURRENT`
        ≈ 3.291e-16 J s/C.

    Examples
    --------
    >>> f"{float(to_newton_metre(1e-3)):.4e}"
    '3.2911e-19'
    """
    return _scalar(TORQUE_PER_SPIN_CURRENT * np.asarray(tau, dtype=float))


# ---- thermalized regime (T⃗_s = 0 in the node) -----------------------------------------------


def thermalized_spin_accumulation(p: ValveParameters, theta: ArrayLike, delta_v: ArrayLike = 0.0,
                                  delta_t: ArrayLike = 0.0):
    """Node spin accumulation, thermalized regime: V⃗_s = v x̂, v = s (PΔV − P'SΔT)/A.

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (G in S, S in V/K, T in K).
    theta : array_like
        Angle θ between m1 and m2 (rad).
    delta_v : array_like, optional
        ΔV = V_R − V_L (V), theory voltage V = (μ − μ0)/e.
    delta_t : array_like, optional
        ΔT = T_R − T_L (K).

    Returns
    -------
    v : ndarray or float
        Spin accumulation V_s = (μ↑ − μ↓)/e along x̂ = (1, 0, 0) (V); 0 at θ = 0.

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 1.0, 0.0, 0.7, 0.1, 300.0)
    >>> round(float(thermalized_spin_accumulation(p, np.pi, delta_v=1e-3)), 12)   # = PΔV
    0.0005
    """
    s, c = _half_angles(theta)
    a, _, _ = _abd(p, s, c)
    _, _, x, _ = _drives(p, delta_v, delta_t)
    return _collinear(s * x, a, s)


def thermalized_charge_current(p: ValveParameters, theta: ArrayLike, delta_v: ArrayLike = 0.0,
                               delta_t: ArrayLike = 0.0):
    """Eq. 4: I_c = (G/2)(ΔV − SΔT) − (PG/2) t/(η + t) (PΔV − P'SΔT).

    t/(η + t) is evaluated as s²/A, finite at θ = π (where it is 1).

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (G in S, S in V/K).
    theta : array_like
        Angle θ between m1 and m2 (rad).
    delta_v : array_like, optional
        ΔV = V_R − V_L (V).
    delta_t : array_like, optional
        ΔT = T_R − T_L (K).

    Returns
    -------
    I_c : ndarray or float
        Charge current, e × particle current, from the R reservoir into the node (A).

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 0.8, 0.0, 0.7, 0.1, 300.0)
    >>> float(thermalized_charge_current(p, 0.0, delta_v=1e-3))         # (G/2)ΔV
    5e-06
    >>> round(float(thermalized_charge_current(p, np.pi, delta_v=1e-3)), 15)  # (1 − P²)(G/2)ΔV
    3.75e-06
    """
    s, c = _half_angles(theta)
    a, _, _ = _abd(p, s, c)
    dv, dt, x, _ = _drives(p, delta_v, delta_t)
    frac = _collinear(s**2, a, s)  # t/(η + t)
    g = p.conductance
    return _scalar((g / 2) * (dv - p.seebeck * dt) - (p.polarization * g / 2) * frac * x)


def thermopower_ratio(p: ValveParameters, theta: ArrayLike):
    """Eq. 5: (ΔV/(SΔT)) at I_c = 0 = [η + (1 − PP')t]/[η + (1 − P²)t], thermalized regime.

    Evaluated as [ηc² + (1 − PP')s²]/[ηc² + (1 − P²)s²], finite at θ = π where it is
    (1 − PP')/(1 − P²). Undefined (±inf or nan) for |P| = 1 at θ = π, where the valve does not
    conduct; at θ = 0 it is 1 (also for η = 0).

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (P, P', η are used).
    theta : array_like
        Angle θ between m1 and m2 (rad).

    Returns
    -------
    ratio : ndarray or float
        ΔV/(SΔT) at zero charge current (dimensionless; ΔV in V, S in V/K, ΔT in K).

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 0.8, -4e-6, 0.7, 0.1, 300.0)
    >>> round(float(thermopower_ratio(p, np.pi)), 12)   # (1 − 0.35)/(1 − 0.25)
    0.866666666667
    """
    s, c = _half_angles(theta)
    pol, pp, eta = p.polarization, p.polarization_derivative, p.mixing
    num = eta * c**2 + (1 - pol * pp) * s**2
    den = eta * c**2 + (1 - pol**2) * s**2
    return _collinear(num, den, s, value=1.0)


def thermalized_heat_current(p: ValveParameters, theta: ArrayLike, delta_v: ArrayLike = 0.0,
                             delta_t: ArrayLike = 0.0):
    """Eq. 6 (exact form): Q_c = −(STG/2)ΔV + (L0TG/2)ΔT + (P'STG/2) t/(η + t)(PΔV − P'SΔT).

    Heat measured from μ0. Reading eq. 6 of the paper with κ = L0TG is off by GS²TΔT/2; this is
    the form that follows from physics.md §2.

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (G in S, S in V/K, T in K).
    theta : array_like
        Angle θ between m1 and m2 (rad).
    delta_v : array_like, optional
        ΔV = V_R − V_L (V).
    delta_t : array_like, optional
        ΔT = T_R − T_L (K).

    Returns
    -------
    Q_c : ndarray or float
        Heat current from the R reservoir into the node (W).

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 0.8, 0.0, 0.7, 0.1, 300.0)
    >>> f"{float(thermalized_heat_current(p, 0.0, delta_t=1.0)):.6e}"   # L0TG/2 × 1 K
    '3.664507e-08'
    """
    s, c = _half_angles(theta)
    a, _, _ = _abd(p, s, c)
    dv, dt, x, _ = _drives(p, delta_v, delta_t)
    frac = _collinear(s**2, a, s)
    g, sb, temp = p.conductance, p.seebeck, p.temperature
    return _scalar(-(sb * temp * g / 2) * dv + (LORENZ * temp * g / 2) * dt
                   + (p.polarization_derivative * sb * temp * g / 2) * frac * x)


def thermalized_torque(p: ValveParameters, theta: ArrayLike, delta_v: ArrayLike = 0.0,
                       delta_t: ArrayLike = 0.0):
    """Eq. 7: τ = (G/2) η sin θ/[η(1 + cos θ) + (1 − cos θ)] (PΔV − P'SΔT).

    Evaluated as the identical (G/2) η s c/A (PΔV − P'SΔT), accurate at small θ. The vectors
    are τ⃗_R = τ (c, 0, −s), τ⃗_L = τ (c, 0, s) (:func:`torque_vectors`). A temperature bias
    acts like the voltage ΔV_eff = −(P'/P)SΔT.

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (G in S, S in V/K).
    theta : array_like
        Angle θ between m1 and m2 (rad).
    delta_v : array_like, optional
        ΔV = V_R − V_L (V).
    delta_t : array_like, optional
        ΔT = T_R − T_L (K).

    Returns
    -------
    tau : ndarray or float
        Signed torque magnitude as absorbed spin current (A); ×ħ/2e for N·m
        (:func:`to_newton_metre`). Zero at θ = 0 and (to rounding) at θ = π.

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 1.0, -4e-6, 0.7, 0.1, 300.0)
    >>> round(float(thermalized_torque(p, np.pi / 2, delta_v=1e-3)), 15)  # η = 1: (G/2)(1/2)PΔV
    1.25e-06
    """
    s, c = _half_angles(theta)
    a, _, _ = _abd(p, s, c)
    _, _, x, _ = _drives(p, delta_v, delta_t)
    return _collinear((p.conductance / 2) * p.mixing * s * c * x, a, s)


# ---- non-interacting regime (T⃗_s is a node unknown, Σ Q⃗_s = 0) -------------------------------


def noninteracting_accumulations(p: ValveParameters, theta: ArrayLike, delta_v: ArrayLike = 0.0,
                                 delta_t: ArrayLike = 0.0):
    """Node spin accumulation and spin temperature, non-interacting regime (exact):

    v = s[L0A(PΔV − SP'ΔT) + SB(L0PΔT − SP'ΔV)]/D,
    τ_s = s[SB(PΔV − SP'ΔT) + A(L0PΔT − SP'ΔV)]/D, with V⃗_s = v x̂, T⃗_s = τ_s x̂.

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (S in V/K).
    theta : array_like
        Angle θ between m1 and m2 (rad).
    delta_v : array_like, optional
        ΔV = V_R − V_L (V).
    delta_t : array_like, optional
        ΔT = T_R − T_L (K).

    Returns
    -------
    v : ndarray or float
        Spin accumulation V_s along x̂ = (1, 0, 0) (V).
    tau_s : ndarray or float
        Spin temperature T_s = T↑ − T↓ along x̂ (K). Both are 0 at θ = 0.

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 0.8, 0.0, 0.7, 0.1, 300.0)
    >>> v, ts = noninteracting_accumulations(p, np.pi, delta_v=1e-3, delta_t=1.0)
    >>> round(float(v), 12), round(float(ts), 12)   # S = 0, θ = π: (PΔV, PΔT)
    (0.0005, 0.5)
    """
    s, c = _half_angles(theta)
    a, b, d = _abd(p, s, c)
    _, _, x, y = _drives(p, delta_v, delta_t)
    sb = p.seebeck
    return (_collinear(s * (LORENZ * a * x + sb * b * y), d, s),
            _collinear(s * (sb * b * x + a * y), d, s))


def noninteracting_charge_current(p: ValveParameters, theta: ArrayLike, delta_v: ArrayLike = 0.0,
                                  delta_t: ArrayLike = 0.0):
    """I_c = (G/2)[ΔV − SΔT − P s v + S P' s τ_s], non-interacting regime.

    v, τ_s from :func:`noninteracting_accumulations`.

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (G in S, S in V/K).
    theta : array_like
        Angle θ between m1 and m2 (rad).
    delta_v : array_like, optional
        ΔV = V_R − V_L (V).
    delta_t : array_like, optional
        ΔT = T_R − T_L (K).

    Returns
    -------
    I_c : ndarray or float
        Charge current, e × particle current, from the R reservoir into the node (A).

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 0.8, 0.0, 0.7, 0.1, 300.0)
    >>> round(float(noninteracting_charge_current(p, np.pi, delta_v=1e-3)), 15)  # (1 − P²)(G/2)ΔV
    3.75e-06
    """
    s, _ = _half_angles(theta)
    v, ts = noninteracting_accumulations(p, theta, delta_v, delta_t)
    dv, dt, _, _ = _drives(p, delta_v, delta_t)
    return _scalar((p.conductance / 2) * (dv - p.seebeck * dt - p.polarization * s * v
                                          + p.seebeck * p.polarization_derivative * s * ts))


def noninteracting_heat_current(p: ValveParameters, theta: ArrayLike, delta_v: ArrayLike = 0.0,
                                delta_t: ArrayLike = 0.0):
    """Q_c = (G/2)[−ST(ΔV − P' s v) + L0T(ΔT − P s τ_s)], non-interacting regime.

    v, τ_s from :func:`noninteracting_accumulations`; heat measured from μ0.

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (G in S, S in V/K, T in K).
    theta : array_like
        Angle θ between m1 and m2 (rad).
    delta_v : array_like, optional
        ΔV = V_R − V_L (V).
    delta_t : array_like, optional
        ΔT = T_R − T_L (K).

    Returns
    -------
    Q_c : ndarray or float
        Heat current from the R reservoir into the node (W).

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 0.8, 0.0, 0.7, 0.1, 300.0)
    >>> q = noninteracting_heat_current(p, np.pi, delta_t=1.0)   # S = 0: (1 − P²) L0TG/2 ΔT
    >>> f"{float(q):.6e}"
    '2.748380e-08'
    """
    s, _ = _half_angles(theta)
    v, ts = noninteracting_accumulations(p, theta, delta_v, delta_t)
    dv, dt, _, _ = _drives(p, delta_v, delta_t)
    temp = p.temperature
    return _scalar((p.conductance / 2) * (
        -p.seebeck * temp * (dv - p.polarization_derivative * s * v)
        + LORENZ * temp * (dt - p.polarization * s * ts)))


def noninteracting_torque(p: ValveParameters, theta: ArrayLike, delta_v: ArrayLike = 0.0,
                          delta_t: ArrayLike = 0.0):
    """τ = (G/2) c [η v − η' S τ_s], non-interacting regime.

    v, τ_s from :func:`noninteracting_accumulations`; vectors τ⃗_R = τ (c, 0, −s),
    τ⃗_L = τ (c, 0, s) (:func:`torque_vectors`).

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (G in S, S in V/K).
    theta : array_like
        Angle θ between m1 and m2 (rad).
    delta_v : array_like, optional
        ΔV = V_R − V_L (V).
    delta_t : array_like, optional
        ΔT = T_R − T_L (K).

    Returns
    -------
    tau : ndarray or float
        Signed torque magnitude as absorbed spin current (A); ×ħ/2e for N·m.

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 1.0, 0.0, 0.7, 0.1, 300.0)
    >>> round(float(noninteracting_torque(p, np.pi / 2, delta_v=1e-3)), 15)  # S = 0: as eq. 7
    1.25e-06
    """
    _, c = _half_angles(theta)
    v, ts = noninteracting_accumulations(p, theta, delta_v, delta_t)
    return _scalar((p.conductance / 2) * c * (p.mixing * v - p.mixing_derivative * p.seebeck * ts))


def noninteracting_torque_correction(p: ValveParameters, theta: ArrayLike):
    """Exact relative change of the thermal torque without energy relaxation, at ΔV = 0:

    (τ̃ − τ)/τ = (η' − η) s² (L0AP − S²BP')/(η P' D),

    τ̃ = :func:`noninteracting_torque`, τ = :func:`thermalized_torque`, both at ΔV = 0. The
    expression is continuous at S = 0 (its S → 0 limit, although τ̃ and τ both vanish there);
    it is undefined (inf or nan) for η P' = 0, where the thermalized thermal torque vanishes
    identically. It is 0 at θ = 0 and finite at θ = π.

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (S in V/K; G and T do not enter).
    theta : array_like
        Angle θ between m1 and m2 (rad).

    Returns
    -------
    ratio : ndarray or float
        (τ̃ − τ)/τ (dimensionless).

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 0.8, 0.0, 0.7, 0.1, 300.0)
    >>> round(float(noninteracting_torque_correction(p, np.pi)), 12)  # S = 0: (η'−η)P/(ηP')
    -0.625
    """
    s, c = _half_angles(theta)
    a, b, d = _abd(p, s, c)
    pol, pp, sb = p.polarization, p.polarization_derivative, p.seebeck
    return _scalar((p.mixing_derivative - p.mixing) * s**2 * (LORENZ * a * pol - sb**2 * b * pp)
                   / (p.mixing * pp * d))


def noninteracting_torque_correction_limit(p: ValveParameters, theta: ArrayLike):
    """Eq. 8, S² ≪ L0: (τ̃ − τ)/τ → [(η' − η) P/(η P')] t/(η + t).

    t/(η + t) is evaluated as s²/A, finite at θ = π. Undefined (inf or nan) for η P' = 0.

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (P, P', η, η' are used).
    theta : array_like
        Angle θ between m1 and m2 (rad).

    Returns
    -------
    ratio : ndarray or float
        Limit of (τ̃ − τ)/τ at ΔV = 0 (dimensionless).

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 0.8, -4e-6, 0.7, 0.1, 300.0)
    >>> round(float(noninteracting_torque_correction_limit(p, np.pi)), 12)
    -0.625
    """
    s, c = _half_angles(theta)
    a, _, _ = _abd(p, s, c)
    frac = _collinear(s**2, a, s)
    return _scalar((p.mixing_derivative - p.mixing) * p.polarization
                   / (p.mixing * p.polarization_derivative) * frac)


def spin_temperature_ratio(p: ValveParameters, theta: ArrayLike):
    """Eq. 9 (exact form): T_s/ΔT at ΔV = 0 = s (L0AP − S²BP')/D, non-interacting regime.

    T⃗_s = T_s x̂. At θ = π (A = B = 1) this is (L0P − S²P')/(L0 − S²), which is P only for
    S² ≪ L0 or P' = P. Related to eq. 8 by T_s/ΔT = η P'/[(η' − η) s] × (τ̃ − τ)/τ.

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (S in V/K).
    theta : array_like
        Angle θ between m1 and m2 (rad).

    Returns
    -------
    ratio : ndarray or float
        Node spin temperature per temperature bias, T_s/ΔT (K/K); 0 at θ = 0.

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 0.8, 0.0, 0.7, 0.1, 300.0)
    >>> round(float(spin_temperature_ratio(p, np.pi)), 12)   # S = 0, θ = π: P
    0.5
    """
    s, c = _half_angles(theta)
    a, b, d = _abd(p, s, c)
    num = s * (LORENZ * a * p.polarization - p.seebeck**2 * b * p.polarization_derivative)
    return _collinear(num, d, s)


def spin_temperature_ratio_limit(p: ValveParameters, theta: ArrayLike):
    """Eq. 9, S² ≪ L0: T_s/ΔT at ΔV = 0 → P s/(s² + ηc²); at θ = π, T⃗_s = PΔT m2.

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (P, η are used).
    theta : array_like
        Angle θ between m1 and m2 (rad).

    Returns
    -------
    ratio : ndarray or float
        Limit of T_s/ΔT (K/K); 0 at θ = 0.

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 1.0, -4e-6, 0.7, 0.1, 300.0)
    >>> round(float(spin_temperature_ratio_limit(p, np.pi / 2)), 12)   # η = 1: P sin(θ/2)
    0.353553390593
    """
    s, c = _half_angles(theta)
    a, _, _ = _abd(p, s, c)
    return _collinear(p.polarization * s, a, s)
