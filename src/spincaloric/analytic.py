r"""Closed forms for the symmetric spin valve F_L(m1)|N|F_R(m2) (physics.md §5, eqs. 4–9), and for
spin pumping by moving magnets: damping, dynamic coupling, small-angle modes and noise (§9).

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

The pumping section (:func:`pumping_spin_bias` and below) uses the same theory variables: a
magnet's unit magnetization m and its rate ṁ (1/s), mixing conductances G↑↓ in S (per spin, as in
:class:`~spincaloric.contacts.ContactParameters`), spin currents in A along the moment direction
(physics.md §1), magnets with M_s (A/m) and volume V (m³) as in the LLGS equation of §4.

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
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from .constants import (
    BOLTZMANN,
    ELECTRON_G,
    ELEMENTARY_CHARGE,
    HBAR,
    LORENZ,
    MU0,
    TORQUE_PER_SPIN_CURRENT,
    gyromagnetic_ratio,
)
from .errors import FieldError
from .validation import real_array, unit_vectors

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
    "pumping_spin_bias",
    "pumped_spin_current",
    "pumped_spin_heat_current",
    "pumping_damping",
    "pumping_gyration",
    "trilayer_pumping_damping",
    "trilayer_dynamic_coupling",
    "valve_pumped_currents",
    "SmallAngleMode",
    "small_angle_mode",
    "effective_temperature",
    "thermal_field_variance",
    "spin_current_noise_variance",
    "macrospin_spin_seebeck_current",
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
        ΔV = V_R − V_L (V), in the theory's convention V = (μ − μ0)/e: minus the electric
        potential that :class:`~spincaloric.Device` and ``Circuit.solve`` take (a potential
        of +1 mV on R is delta_v = −1e-3).
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


# ---- spin pumping (physics.md §9) ------------------------------------------------------------

#: ħ/e (V s = Wb): the spin bias (V) of a magnet turning at 1 rad/s.
_HBAR_E = HBAR / ELEMENTARY_CHARGE


def _values(value, field: str, unit: str, check=None, reason: str = ""):
    """Finite real array (a FieldError naming ``field`` otherwise), optionally bounded."""
    x = real_array(value, field, unit)
    if check is not None and not np.all(check(x)):
        bad = x[~check(x)] if x.ndim else x
        raise FieldError(field, f"{reason}, got {float(np.ravel(bad)[0])!r}")
    return x


def _mixing(value, field: str = "mixing_conductance"):
    """A real or complex mixing conductance array (S), finite."""
    g = np.asarray(value)
    if g.dtype.kind not in "iufc" or g.size == 0 or not np.all(np.isfinite(g)):
        raise FieldError(field, f"must be finite numbers (S), got {value!r}")
    return g.astype(complex)


def _rate(m, mdot):
    """(m unit (..., 3), ṁ (..., 3) in 1/s) validated; ṁ's component along m is dropped."""
    m = unit_vectors(m, "m")
    mdot = _values(mdot, "mdot", "1/s")
    if mdot.shape[-1:] != (3,):
        raise FieldError("mdot", f"must be a 3-vector (1/s), got shape {mdot.shape}")
    return m, mdot - np.sum(m * mdot, axis=-1, keepdims=True) * m


def pumping_spin_bias(m: ArrayLike, mdot: ArrayLike):
    """Pumping as a spin bias: X⃗ = (ħ/e) ṁ × m (V), transverse to m.

    A magnet turning with ṁ pumps exactly the currents that the contact response K(m) of
    physics.md §2 gives for a transverse spin accumulation X⃗ on the ferromagnet's side of the
    contact (ΔV⃗_s → ΔV⃗_s + X⃗): spin current :func:`pumped_spin_current`, spin-heat current
    :func:`pumped_spin_heat_current`, no charge or heat current (physics.md §9).

    Parameters
    ----------
    m : array_like (..., 3)
        Magnetization direction (normalised here).
    mdot : array_like (..., 3)
        dm/dt (1/s); a component along m is dropped.

    Returns
    -------
    ndarray (..., 3)
        X⃗ (V).

    Examples
    --------
    >>> x = pumping_spin_bias([0, 0, 1], [1e10, 0, 0])   # ṁ × m = x̂ × ẑ = −ŷ
    >>> round(float(x[1]) * 1e6, 4)                      # µV
    -6.5821
    """
    m, mdot = _rate(m, mdot)
    return _HBAR_E * np.cross(mdot, m)


def pumped_spin_current(mixing_conductance: ArrayLike, m: ArrayLike, mdot: ArrayLike):
    """Spin current pumped from F into N: I⃗_s = −(ħ/e)(Re G↑↓ m × ṁ + Im G↑↓ ṁ) (A).

    The Onsager reciprocal of the spin-transfer torque of physics.md §4 (derivation in §9);
    into a perfect sink it adds the Gilbert damping :func:`pumping_damping`.

    Parameters
    ----------
    mixing_conductance : array_like, complex
        G↑↓ of the contact (S), per spin as in physics.md §2 (g↑↓ = G↑↓/(e²/h)).
    m : array_like (..., 3)
        Magnetization direction of the ferromagnet.
    mdot : array_like (..., 3)
        dm/dt (1/s).

    Returns
    -------
    ndarray (..., 3)
        I⃗_s (A), e × particle spin current along the moment direction, from F into N.

    Examples
    --------
    >>> i = pumped_spin_current(0.25, [0, 0, 1], [0, 1e10, 0])   # m × ṁ = −1e10 x̂
    >>> round(float(i[0]) * 1e6, 4), abs(float(i[1])), abs(float(i[2])) # µA
    (1.6455, 0.0, 0.0)
    """
    g = _mixing(mixing_conductance)
    m, mdot = _rate(m, mdot)
    return -_HBAR_E * (g.real[..., None] * np.cross(m, mdot) + g.imag[..., None] * mdot)


def pumped_spin_heat_current(mixing_conductance_derivative: ArrayLike, m: ArrayLike,
                             mdot: ArrayLike, temperature: ArrayLike):
    """Spin-heat current pumped from F into N: Q⃗_s = −ħ L0 T² (Re G↑↓' m × ṁ + Im G↑↓' ṁ) (W).

    The energy-resolved pumped spin current weighted with (ε − μ0) over the thermal window
    (Sommerfeld, G↑↓ linear in ε; physics.md §9) — the reciprocal of the torque of a spin
    temperature through ∂εG↑↓.

    Parameters
    ----------
    mixing_conductance_derivative : array_like, complex
        ∂εG↑↓ at the Fermi level (S/J).
    m : array_like (..., 3)
        Magnetization direction.
    mdot : array_like (..., 3)
        dm/dt (1/s).
    temperature : array_like
        T (K), > 0.

    Returns
    -------
    ndarray (..., 3)
        Q⃗_s (W) from F into N.

    Examples
    --------
    >>> q = pumped_spin_heat_current(1e17, [0, 0, 1], [0, 1e10, 0], 300.0)
    >>> f"{float(q[0]):.4e}"
    '2.3187e-10'
    """
    g = _mixing(mixing_conductance_derivative, "mixing_conductance_derivative")
    t = _values(temperature, "temperature", "K", lambda x: x > 0, "must be > 0 (K)")
    m, mdot = _rate(m, mdot)
    scale = (HBAR * LORENZ * t**2)[..., None]
    return -scale * (g.real[..., None] * np.cross(m, mdot) + g.imag[..., None] * mdot)


def _magnet(saturation_magnetization, volume, g_factor):
    ms = _values(saturation_magnetization, "saturation_magnetization", "A/m", lambda x: x > 0,
                 "must be > 0 (A/m)")
    vol = _values(volume, "volume", "m³", lambda x: x > 0, "must be > 0 (m³)")
    g = _values(g_factor, "g_factor", "", lambda x: x > 0, "must be > 0")
    return ms, vol, gyromagnetic_ratio(g)


def pumping_damping(mixing_conductance: ArrayLike, saturation_magnetization: ArrayLike,
                    volume: ArrayLike, g_factor: ArrayLike = ELECTRON_G):
    """Gilbert damping added by pumping into a perfect sink: α' = γħ² Re G↑↓/(2e² M_s V).

    Equal to g μ_B Re g↑↓/(4π M_s V) with g↑↓ = G↑↓/(e²/h) (Tserkovnyak, Brataas & Bauer, PRL 88,
    117601 (2002)). For a film of thickness d and area A with G↑↓ = A × (G↑↓/A), α' ∝ 1/d.

    Parameters
    ----------
    mixing_conductance : array_like
        G↑↓ of the contact (S, per spin); only Re G↑↓ enters, ≥ 0.
    saturation_magnetization : array_like
        M_s (A/m), > 0.
    volume : array_like
        V (m³), > 0.
    g_factor : array_like, optional
        Landé g of the magnet (γ = g μ_B/ħ), > 0.

    Returns
    -------
    float or ndarray
        α' (dimensionless).

    Examples
    --------
    >>> # Co free layer 1.5 nm × 1.26e-15 m² (40 nm disc), M_s = 1.1e6 A/m, Re G↑↓ = 0.247 S
    >>> round(float(pumping_damping(0.247, 1.1e6, 1.5e-9 * 1.26e-15)), 5)
    0.00453
    """
    g = _mixing(mixing_conductance)
    if np.any(g.real < 0):
        raise FieldError("mixing_conductance", "Re G_mix must be >= 0 (second law)")
    ms, vol, gamma = _magnet(saturation_magnetization, volume, g_factor)
    return _scalar(gamma * HBAR * _HBAR_E * g.real / (2 * ELEMENTARY_CHARGE * ms * vol))


def pumping_gyration(mixing_conductance: ArrayLike, saturation_magnetization: ArrayLike,
                     volume: ArrayLike, g_factor: ArrayLike = ELECTRON_G):
    """β' = γħ² Im G↑↓/(2e² M_s V): pumping into a sink turns the LLG into
    (1 − β') ṁ = −γ m × B + (α + α') m × ṁ, i.e. γ → γ/(1 − β'), α → (α + α')/(1 − β').

    Parameters and units as :func:`pumping_damping` (Im G↑↓ of either sign, S).

    Returns
    -------
    float or ndarray
        β' (dimensionless).

    Examples
    --------
    >>> round(float(pumping_gyration(0.1247j, 1.1e6, 1.5e-9 * 1.26e-15)), 5)
    0.00229
    """
    g = _mixing(mixing_conductance)
    ms, vol, gamma = _magnet(saturation_magnetization, volume, g_factor)
    return _scalar(gamma * HBAR * _HBAR_E * g.imag / (2 * ELEMENTARY_CHARGE * ms * vol))


def trilayer_pumping_damping(p: ValveParameters, theta: ArrayLike,
                             spin_flip_conductance: ArrayLike = 0.0):
    """α'/α'_sink of magnet L of the valve, pumping while magnet R is static, thermalized node.

    The node's backflow makes the pumping damping a tensor in the plane ⊥ m1, diagonal in
    (ê1, ŷ), ê1 = (c, 0, s) (in the (m1, m2) plane, towards m2) and ŷ = m1 × ê1 ⊥ the plane:

    α'_ŷ/α'_sink = 1 − (η/2)/(η + φ),
    α'_ê1/α'_sink = 1 − (η/2)[c²/(ηc² + s² + φ) + s²/(ηs² + (1 − P̃²)c² + φ)],

    with φ = G_sf/G and P̃² = P² + S²(P' − P)²/(L0 − S²); the damping torque is
    α'_sink (Dᵢⱼ) (m1 × ṁ1)ⱼ with D = diag(α'_ê1, α'_ŷ)/α'_sink. At θ = 0, π and φ = 0 both are
    1/2 (the static magnet absorbs half the pumped spin current); φ → ∞ gives the sink value 1.
    Multiply by :func:`pumping_damping` (with Re G↑↓ = ηG/2) for α'.

    Parameters
    ----------
    p : ValveParameters
        The two identical contacts (G in S, S in V/K; Im G↑↓ = 0).
    theta : array_like
        Angle θ between m1 and m2 (rad).
    spin_flip_conductance : array_like, optional
        G_sf of the node (S), ≥ 0.

    Returns
    -------
    in_plane, normal : ndarray or float
        α'_ê1/α'_sink and α'_ŷ/α'_sink (dimensionless).

    Examples
    --------
    >>> p = ValveParameters(1.0, 0.745, 0.49, -1.02e-5, 0.89, 0.06, 300.0)
    >>> [round(float(x), 4) for x in trilayer_pumping_damping(p, 0.0)]
    [0.5, 0.5]
    >>> [round(float(x), 4) for x in trilayer_pumping_damping(p, np.pi / 2)]
    [0.5735, 0.5]
    """
    s, c = _half_angles(theta)
    phi = _values(spin_flip_conductance, "spin_flip_conductance", "S", lambda x: x >= 0,
                  "must be >= 0 (S)") / p.conductance
    eta, pol, sb = p.mixing, p.polarization, p.seebeck
    p2 = pol**2 + sb**2 * (p.polarization_derivative - pol)**2 / (LORENZ - sb**2)
    in_plane = 1 - 0.5 * eta * (c**2 / (eta * c**2 + s**2 + phi)
                                + s**2 / (eta * s**2 + (1 - p2) * c**2 + phi))
    normal = 1 - 0.5 * eta / (eta + phi) + 0 * s
    return _scalar(in_plane), _scalar(normal)


def trilayer_dynamic_coupling(mixing_conductance: ArrayLike,
                              spin_flip_conductance: ArrayLike = 0.0):
    """Dynamic exchange coupling of two identical magnets F1|N|F2 near parallel alignment.

    With a thin node N (one Kirchhoff node, spin-flip conductance G_sf) the LLG of magnet 1
    gains α'_sink [a m1 × ṁ1 − b m2 × ṁ2] (and 1 ↔ 2), with
    a = (Re G↑↓ + G_sf)/(2 Re G↑↓ + G_sf), b = Re G↑↓/(2 Re G↑↓ + G_sf). The in-phase
    (acoustic) mode is damped by α0 + α'_sink (a − b), the out-of-phase (optical) one by
    α0 + α'_sink (a + b) = α0 + α'_sink (Heinrich et al., PRL 90, 187601 (2003)); with only
    one magnet moving, it feels α0 + a α'_sink.

    Parameters
    ----------
    mixing_conductance : array_like
        Re G↑↓ of each contact (S), > 0.
    spin_flip_conductance : array_like, optional
        G_sf of the node (S), ≥ 0.

    Returns
    -------
    a, b : ndarray or float
        Self and cross coefficients (dimensionless, in units of α'_sink).

    Examples
    --------
    >>> a, b = trilayer_dynamic_coupling(0.25)
    >>> float(a - b), float(a + b)    # no spin flip: acoustic mode undamped by pumping
    (0.0, 1.0)
    """
    g = _values(mixing_conductance, "mixing_conductance", "S", lambda x: x > 0,
                "must be > 0 (S)")
    gsf = _values(spin_flip_conductance, "spin_flip_conductance", "S", lambda x: x >= 0,
                  "must be >= 0 (S)")
    tot = 2 * g + gsf
    return _scalar((g + gsf) / tot), _scalar(g / tot)


def valve_pumped_currents(p: ValveParameters, theta: ArrayLike, mdot_normal: ArrayLike):
    """Charge and heat currents pumped into the static reservoir R by magnet L turning out of
    the (m1, m2) plane, thermalized node (exact in linear response):

    I_R = −(ħ/2e) ω τ_V,  Q_R = −(ħ/2e) T ω τ_T,   ω = ŷ·ṁ1 = (m1 × m2)·ṁ1/sin θ,

    τ_V = (G/2)η(sc/A)P and τ_T = −(G/2)η(sc/A)P'S the thermal torque (eq. 7) per volt and per
    kelvin of bias (:func:`thermalized_torque`): the Onsager reciprocals of the torque on L.
    An in-plane ṁ1 pumps no charge or heat.

    Parameters
    ----------
    p : ValveParameters
        Contact parameters (G in S, S in V/K, T in K).
    theta : array_like
        Angle θ between m1 and m2 (rad).
    mdot_normal : array_like
        ŷ·dm1/dt (1/s), ŷ = (0, 1, 0) of the frame of :func:`magnetizations`.

    Returns
    -------
    I_R : ndarray or float
        Charge current, e × particle current, from reservoir R into the node (A)
        (conventional current: −I_R).
    Q_R : ndarray or float
        Heat current from reservoir R into the node (W).

    Examples
    --------
    >>> p = ValveParameters(1e-2, 0.5, 1.0, 0.0, 0.7, 0.1, 300.0)
    >>> i, q = valve_pumped_currents(p, np.pi / 2, 1e10)
    >>> f"{float(i):.4e}", abs(float(q))                # S = 0: no heat
    ('-4.1138e-09', 0.0)
    """
    w = _values(mdot_normal, "mdot_normal", "1/s")
    tau_v = thermalized_torque(p, theta, delta_v=1.0)
    tau_t = thermalized_torque(p, theta, delta_t=1.0)
    k = -TORQUE_PER_SPIN_CURRENT * w
    return _scalar(k * tau_v), _scalar(k * p.temperature * tau_t)


class SmallAngleMode(NamedTuple):
    """Small-angle precession about an equilibrium (:func:`small_angle_mode`)."""

    #: (B1, B2): stiffness fields (T) of the two principal tangent directions.
    stiffness: tuple
    #: ω (rad/s) of the damped free oscillation (ring-down).
    angular_frequency: float
    #: Γ (1/s): amplitude decay rate; the Lorentzian full width at half maximum is 2Γ.
    decay_rate: float


def _equilibrium_stiffness(m0, ms, applied, bk, axis, demag):
    """(B1, B2, residual): eigenvalues of the tangent Hessian (T) and |m0 × B_eff| (T)."""
    c = bk * np.outer(axis, axis) - MU0 * ms * np.diag(demag)
    b_eff = applied + c @ m0
    b0 = float(b_eff @ m0)
    e1 = np.cross(m0, [1.0, 0.0, 0.0] if abs(m0[0]) < 0.9 else [0.0, 1.0, 0.0])
    e1 /= np.linalg.norm(e1)
    basis = np.stack([e1, np.cross(m0, e1)])
    h = b0 * np.eye(2) - basis @ c @ basis.T
    b1, b2 = np.linalg.eigvalsh(h)
    return b1, b2, float(np.linalg.norm(np.cross(m0, b_eff))), b0


def small_angle_mode(magnetization: ArrayLike, saturation_magnetization: float,
                     applied_field: ArrayLike = (0.0, 0.0, 0.0), anisotropy_field: float = 0.0,
                     anisotropy_axis: ArrayLike = (0.0, 0.0, 1.0),
                     demagnetizing_factors: ArrayLike = (0.0, 0.0, 0.0), damping: float = 0.0,
                     gyration: float = 0.0, g_factor: float = ELECTRON_G) -> SmallAngleMode:
    """Kittel mode of the macrospin of :mod:`spincaloric.dynamics.magnets` about an equilibrium.

    B_eff = B_app + B_k (m·u) u − μ0 M_s N m. About an equilibrium m0 (B_eff ∥ m0) the energy
    is E0 + (M_s V/2)(B1 δ1² + B2 δ2²), B1, B2 the eigenvalues of B0 𝟙 − C on the tangent
    plane, B0 = B_eff·m0, C = B_k uuᵀ − μ0 M_s N. The linearised LLG
    (1 − β) ṁ = −γ m × B_eff + α m × ṁ gives, with γ̃ = γ/(1 − β), α̃ = α/(1 − β),

    (1 + α̃²) s² + α̃ γ̃ (B1 + B2) s + γ̃² B1 B2 = 0,
    Γ = α̃ γ̃ (B1 + B2)/(2(1 + α̃²)),  ω = γ̃ √(4 B1 B2 − α̃² (B1 − B2)²)/(2(1 + α̃²)),

    which is Kittel's ω0 = γ√(B1 B2) for α = β = 0 (thin film, in-plane field B:
    γ√(B(B + μ0 M_s))) and γB/(1 + α²), Γ = αγB/(1 + α²) for B1 = B2 = B.

    Parameters
    ----------
    magnetization : array_like (3,)
        Equilibrium direction m0 (normalised); must satisfy |m0 × B_eff| ≤ 1e-9 |B|.
    saturation_magnetization : float
        M_s (A/m), > 0.
    applied_field : array_like (3,), optional
        B_app (T).
    anisotropy_field : float, optional
        B_k (T); negative for a hard axis.
    anisotropy_axis : array_like (3,), optional
        u (normalised).
    demagnetizing_factors : array_like (3,), optional
        (N_x, N_y, N_z), diagonal.
    damping : float, optional
        Total Gilbert α = α0 + Σ α' (dimensionless), ≥ 0.
    gyration : float, optional
        β = Σ β' (:func:`pumping_gyration`), < 1.
    g_factor : float, optional
        Landé g (γ = g μ_B/ħ).

    Returns
    -------
    SmallAngleMode
        Stiffness fields (T), ω (rad/s), Γ (1/s). ω = 0 for an overdamped mode.

    Examples
    --------
    >>> mode = small_angle_mode([1, 0, 0], 8e5, applied_field=[0.1, 0, 0],
    ...                         demagnetizing_factors=[0, 0, 1], damping=0.01)
    >>> round(mode.angular_frequency / (2 * np.pi) / 1e9, 3)      # GHz
    9.315
    >>> round(mode.decay_rate / 1e9, 4)                            # 1/ns
    1.0611
    """
    m0 = unit_vectors(magnetization, "magnetization")
    if m0.shape != (3,):
        raise FieldError("magnetization", f"must be one 3-vector, got shape {m0.shape}")
    ms = float(_values(saturation_magnetization, "saturation_magnetization", "A/m",
                       lambda x: x > 0, "must be > 0 (A/m)"))
    applied = _values(applied_field, "applied_field", "T")
    demag = _values(demagnetizing_factors, "demagnetizing_factors", "",
                    lambda x: (x >= 0) & (x <= 1), "must lie in [0, 1]")
    for name, vec in (("applied_field", applied), ("demagnetizing_factors", demag)):
        if vec.shape != (3,):
            raise FieldError(name, f"must be a 3-vector, got shape {vec.shape}")
    axis = unit_vectors(anisotropy_axis, "anisotropy_axis")
    bk = float(_values(anisotropy_field, "anisotropy_field", "T"))
    alpha = float(_values(damping, "damping", "", lambda x: x >= 0, "must be >= 0"))
    beta = float(_values(gyration, "gyration", "", lambda x: x < 1, "must be < 1"))
    gamma = float(gyromagnetic_ratio(float(_values(g_factor, "g_factor", "", lambda x: x > 0,
                                                   "must be > 0"))))
    b1, b2, residual, b0 = _equilibrium_stiffness(m0, ms, applied, bk, axis, demag)
    scale = max(abs(b0), float(np.abs(applied).max()), abs(bk), MU0 * ms * float(demag.max()))
    if residual > 1e-9 * scale:
        raise FieldError("magnetization", f"is not an equilibrium: |m × B_eff| = "
                         f"{residual:.3g} T")
    if not (b1 > 0 and b2 > 0):
        raise FieldError("magnetization", f"is not a stable equilibrium: stiffness fields "
                         f"{b1:.3g} T and {b2:.3g} T")
    gt, at = gamma / (1 - beta), alpha / (1 - beta)
    decay = at * gt * (b1 + b2) / (2 * (1 + at**2))
    disc = 4 * b1 * b2 - at**2 * (b1 - b2)**2
    omega = gt * np.sqrt(max(disc, 0.0)) / (2 * (1 + at**2))
    return SmallAngleMode((float(b1), float(b2)), float(omega), float(decay))


def effective_temperature(dampings: ArrayLike, temperatures: ArrayLike):
    """T_eff = Σ αᵢ Tᵢ / Σ αᵢ (K): the temperature at which a macrospin coupled to several
    baths (Gilbert damping α0 at the magnet's temperature, each pumping channel α'ᵢ at the
    electron temperature of the node across its contact) is Boltzmann distributed.

    Parameters
    ----------
    dampings : array_like (..., n)
        αᵢ (dimensionless), ≥ 0, not all zero.
    temperatures : array_like (..., n)
        Tᵢ (K), ≥ 0.

    Returns
    -------
    float or ndarray
        T_eff (K), between min Tᵢ and max Tᵢ.

    Examples
    --------
    >>> float(effective_temperature([0.01, 0.0045], [300.0, 500.0]))
    362.0689655172414
    """
    a = _values(dampings, "dampings", "", lambda x: x >= 0, "must be >= 0")
    t = _values(temperatures, "temperatures", "K", lambda x: x >= 0, "must be >= 0 (K)")
    try:
        a, t = np.broadcast_arrays(a, t)
    except ValueError:
        raise FieldError("temperatures", f"shape {t.shape} does not match the dampings "
                         f"{a.shape}") from None
    total = np.sum(a, axis=-1)
    if np.any(total <= 0):
        raise FieldError("dampings", "must not all be zero")
    return _scalar(np.sum(a * t, axis=-1) / total)


def thermal_field_variance(damping: ArrayLike, temperature: ArrayLike,
                           saturation_magnetization: ArrayLike, volume: ArrayLike,
                           time_step: ArrayLike, g_factor: ArrayLike = ELECTRON_G):
    """Variance per Cartesian component of one channel's thermal field over a step dt:
    2 α k_B T/(γ M_s V dt) (T²) (Brown). Channels are independent and their variances add.

    Parameters
    ----------
    damping : array_like
        The channel's α (dimensionless), ≥ 0: α0, or a pumping α' (:func:`pumping_damping`).
    temperature : array_like
        The channel's temperature (K), ≥ 0.
    saturation_magnetization, volume : array_like
        M_s (A/m) and V (m³), > 0.
    time_step : array_like
        dt (s), > 0.
    g_factor : array_like, optional
        Landé g.

    Returns
    -------
    float or ndarray
        Variance (T²).

    Examples
    --------
    >>> f"{float(thermal_field_variance(0.01, 300.0, 1.1e6, 1.89e-24, 1e-12)):.4e}"
    '2.2628e-04'
    """
    a = _values(damping, "damping", "", lambda x: x >= 0, "must be >= 0")
    t = _values(temperature, "temperature", "K", lambda x: x >= 0, "must be >= 0 (K)")
    dt = _values(time_step, "time_step", "s", lambda x: x > 0, "must be > 0 (s)")
    ms, vol, gamma = _magnet(saturation_magnetization, volume, g_factor)
    return _scalar(2 * a * BOLTZMANN * t / (gamma * ms * vol * dt))


def spin_current_noise_variance(mixing_conductance: ArrayLike, temperature: ArrayLike,
                                time_step: ArrayLike):
    """Variance per transverse component of a contact's spin-current noise over a step dt:
    4 k_B T Re G↑↓/dt (A²), T the temperature of the normal node across the contact.

    It is the thermal field of :func:`thermal_field_variance` with α' = :func:`pumping_damping`
    seen through τ = (ħ/2e) I: (ħ/2e)² × this = (M_s V)² × that.

    Parameters
    ----------
    mixing_conductance : array_like
        G↑↓ (S); Re G↑↓ ≥ 0 enters.
    temperature : array_like
        T (K), ≥ 0.
    time_step : array_like
        dt (s), > 0.

    Returns
    -------
    float or ndarray
        Variance (A²).

    Examples
    --------
    >>> f"{float(spin_current_noise_variance(0.247, 300.0, 1e-12)):.4e}"
    '4.0922e-09'
    """
    g = _mixing(mixing_conductance)
    if np.any(g.real < 0):
        raise FieldError("mixing_conductance", "Re G_mix must be >= 0 (second law)")
    t = _values(temperature, "temperature", "K", lambda x: x >= 0, "must be >= 0 (K)")
    dt = _values(time_step, "time_step", "s", lambda x: x > 0, "must be > 0 (s)")
    return _scalar(4 * BOLTZMANN * t * g.real / dt)


def macrospin_spin_seebeck_current(channel_damping: ArrayLike,
                                   effective_temperature: ArrayLike,
                                   channel_temperature: ArrayLike):
    """Mean spin current a fluctuating macrospin pumps into one bath (F → N), along ⟨m⟩:

    ⟨I⃗_s⟩ = −(4 e k_B/ħ) α'ᵢ (T_eff − Tᵢ) ⟨m⟩ (A), to first order in the dampings.

    A magnet hotter than the lead (T_eff > Tᵢ) sends spin against its magnetization into it:
    the magnon-driven spin Seebeck effect of a macrospin (Xiao et al., PRB 81, 214418 (2010)).
    The sum over all channels, Gilbert included, vanishes.

    Parameters
    ----------
    channel_damping : array_like
        α'ᵢ of the channel (dimensionless), ≥ 0.
    effective_temperature : array_like
        T_eff of the magnet (K, :func:`effective_temperature`).
    channel_temperature : array_like
        Tᵢ, the electron temperature across the contact (K).

    Returns
    -------
    float or ndarray
        Coefficient of ⟨m⟩ (A).

    Examples
    --------
    >>> f"{float(macrospin_spin_seebeck_current(0.0045, 310.0, 300.0)):.4e}"
    '-3.7756e-09'
    """
    a = _values(channel_damping, "channel_damping", "", lambda x: x >= 0, "must be >= 0")
    t_eff = _values(effective_temperature, "effective_temperature", "K", lambda x: x >= 0,
                    "must be >= 0 (K)")
    t_i = _values(channel_temperature, "channel_temperature", "K", lambda x: x >= 0,
                  "must be >= 0 (K)")
    return _scalar(-4 * ELEMENTARY_CHARGE * BOLTZMANN / HBAR * a * (t_eff - t_i))
