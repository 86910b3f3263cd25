r"""Resistive contacts: conductances and the 8x8 linear response K(m) of physics.md §2.

A contact joins a ferromagnet F (magnetization axis ``m``) and a normal node N, or two normal
nodes. In the theory variables X = (V_c, V⃗_s, T_c, T⃗_s) and currents J = (I_c, I⃗_s, Q_c, Q⃗_s),
flowing from F into N with Δ = (F side) − (N side),

.. math::

    J = K(m)\,\Delta X, \qquad
    K = \begin{pmatrix} A(G_\sigma, G_{\uparrow\downarrow}) & a\,A(G'_\sigma, G'_{\uparrow\downarrow}) \\
                        aT\,A(G'_\sigma, G'_{\uparrow\downarrow}) & L_0 T\,A(G_\sigma, G_{\uparrow\downarrow})
        \end{pmatrix},\quad a = e L_0 T,

where the 4x4 "spin-space conductance" acting on (scalar, vector) is

.. math::

    A = \begin{pmatrix} G_\uparrow + G_\downarrow & \tfrac12 (G_\uparrow - G_\downarrow)\, m^T \\
                        (G_\uparrow - G_\downarrow)\, m & \tfrac12 (G_\uparrow + G_\downarrow) m m^T
                        + \mathrm{Re}\,G_{\uparrow\downarrow} (1 - m m^T)
                        - \mathrm{Im}\,G_{\uparrow\downarrow} [m\times] \end{pmatrix}.

The same K serves both orientations of a contact: swapping the ends flips both the current and
the difference. Everything is batched: parameters and ``m`` broadcast over leading axes.
"""

from __future__ import annotations

import cmath
import math
import warnings
from dataclasses import dataclass

import numpy as np

from ..constants import ELEMENTARY_CHARGE, LORENZ, SEEBECK_BOUND
from ..errors import FieldError, user_stacklevel
from ..validation import (
    MAX_CONDUCTANCE,
    UnusedSettingWarning,
    absolute_temperature,
    conductance_reason,
    real,
)

#: Layout of the 8-component state and current vectors.
CHARGE, SPIN, HEAT, SPIN_HEAT = 0, slice(1, 4), 4, slice(5, 8)


class ContactError(FieldError):
    """A contact's parameters are unphysical; ``field`` names the offending parameter."""


@dataclass(frozen=True)
class ContactParameters:
    """Conductances of one contact and their energy derivatives at the Fermi level.

    Attributes
    ----------
    g_up, g_down : float
        Majority / minority conductance G↑, G↓ (S). "↑" is along the ferromagnet's magnetization.
    g_mix : complex
        Mixing conductance G↑↓ (S).
    dg_up, dg_down : float
        ∂G↑/∂ε, ∂G↓/∂ε at the Fermi level (S/J).
    dg_mix : complex
        ∂G↑↓/∂ε (S/J).

    For a contact between two normal nodes use :meth:`spin_independent`: G↑ = G↓ = G↑↓ = G/2.

    Examples
    --------
    >>> p = ContactParameters.from_paper(conductance=1e-2, polarization=0.5, mixing=0.6,
    ...                                  seebeck=-4e-6, polarization_derivative=0.8,
    ...                                  mixing_derivative=0.1, temperature=300.0)
    >>> round(p.polarization, 12), round(p.seebeck(300.0) * 1e6, 9)
    (0.5, -4.0)
    """

    g_up: float
    g_down: float
    g_mix: complex
    dg_up: float = 0.0
    dg_down: float = 0.0
    dg_mix: complex = 0.0

    def __post_init__(self):
        """Finite numbers and non-negative conductances, checked when built (the entropy
        bound on the thermopowers needs the temperature: :meth:`validate`)."""
        self._check_signs()

    def _check_signs(self) -> None:
        _check_finite(g_up=self.g_up, g_down=self.g_down, g_mix=self.g_mix, dg_up=self.dg_up,
                      dg_down=self.dg_down, dg_mix=self.dg_mix)
        for name, value in (("g_up", self.g_up), ("g_down", self.g_down),
                            ("g_mix", complex(self.g_mix).real)):
            if value < 0:
                raise ContactError(name, f"conductance must be >= 0 (S), got {value:g}")

    # ---- constructors -------------------------------------------------------------------
    @classmethod
    def from_paper(
        cls,
        *,
        conductance: float,
        polarization: float,
        mixing: float,
        seebeck: float,
        polarization_derivative: float,
        mixing_derivative: float,
        temperature: float,
        mixing_imag: float = 0.0,
        mixing_imag_derivative: float = 0.0,
    ) -> ContactParameters:
        """Build from the paper's parameters (Table I style).

        Parameters
        ----------
        conductance : G = G↑ + G↓ (S).
        polarization : P = (G↑ − G↓)/G, dimensionless, |P| ≤ 1.
        mixing : η = 2 Re G↑↓ / G, dimensionless, ≥ 0.
        seebeck : S (V/K) at ``temperature``; Mott's law S = −e L0 T ∂ε ln G fixes ∂εG.
        polarization_derivative : P' = ∂ε(G↑ − G↓)/∂εG, dimensionless (unbounded). With
            S = 0 (∂εG = 0) it has no effect (an UnusedSettingWarning says so): a spin-dependent
            thermopower without a charge thermopower needs the raw form (``dg_up``,
            ``dg_down`` in S/J).
        mixing_derivative : η' = 2 Re ∂εG↑↓ / ∂εG, dimensionless.
        temperature : T (K) at which ``seebeck`` is given.
        mixing_imag, mixing_imag_derivative : 2 Im G↑↓/G and 2 Im ∂εG↑↓/∂εG (dimensionless).
        """
        conductance, polarization, mixing, seebeck, polarization_derivative, \
            mixing_derivative, mixing_imag, mixing_imag_derivative = (
                real(v, k, error=ContactError) for k, v in (
                    ("conductance", conductance), ("polarization", polarization),
                    ("mixing", mixing), ("seebeck", seebeck),
                    ("polarization_derivative", polarization_derivative),
                    ("mixing_derivative", mixing_derivative), ("mixing_imag", mixing_imag),
                    ("mixing_imag_derivative", mixing_imag_derivative)))
        temperature = absolute_temperature(temperature, "temperature", ContactError)
        if conductance <= 0:
            raise ContactError("conductance", f"must be positive (S), got {conductance:g}")
        if abs(polarization) > 1:
            raise ContactError("polarization", f"|P| must be <= 1, got {polarization:g}")
        if mixing < 0:
            raise ContactError("mixing", f"must be >= 0 (Re G_mix >= 0), got {mixing:g}")
        if reason := conductance_reason(conductance):
            raise ContactError("conductance", f"is {reason}")
        for name, value in (("mixing", mixing), ("mixing_imag", mixing_imag)):
            if not abs(value) * conductance / 2 <= MAX_CONDUCTANCE:
                raise ContactError(name, f"gives the mixing conductance {value:.3g} × G/2 (S), "
                                   f"beyond {MAX_CONDUCTANCE:g} S")
        if seebeck == 0 and polarization_derivative != 0:
            warnings.warn("polarization_derivative: has no effect with seebeck = 0 (the paper's "
                          "form has ∂εG↑,↓ = ∂εG (1 ± P')/2 with ∂εG = −G S/(e L0 T)); for a "
                          "spin-dependent thermopower without a charge thermopower give the "
                          "derivatives dg_up, dg_down (S/J)", UnusedSettingWarning,
                          stacklevel=user_stacklevel())
        g = conductance
        dg = -seebeck * g / (ELEMENTARY_CHARGE * LORENZ * temperature)
        out = cls(
            g_up=g * (1 + polarization) / 2,
            g_down=g * (1 - polarization) / 2,
            g_mix=complex(mixing * g / 2, mixing_imag * g / 2),
            dg_up=dg * (1 + polarization_derivative) / 2,
            dg_down=dg * (1 - polarization_derivative) / 2,
            dg_mix=complex(mixing_derivative * dg / 2, mixing_imag_derivative * dg / 2),
        )
        for name, value in (("seebeck", dg), ("polarization_derivative", out.dg_up - out.dg_down),
                            ("mixing_derivative", out.dg_mix.real),
                            ("mixing_imag_derivative", out.dg_mix.imag)):
            if not math.isfinite(value):
                raise ContactError(name, "too large: the energy derivatives of the "
                                   "conductances overflow")
        return out

    @classmethod
    def spin_independent(cls, *, conductance: float, seebeck: float = 0.0,
                         temperature: float = 300.0) -> ContactParameters:
        """A normal|normal contact: G↑ = G↓ = G↑↓ = G/2 (S), thermopower ``seebeck`` (V/K) at T (K)."""
        return cls.from_paper(conductance=conductance, polarization=0.0, mixing=1.0,
                              seebeck=seebeck, polarization_derivative=0.0,
                              mixing_derivative=1.0, temperature=temperature)

    # ---- derived quantities ------------------------------------------------------------
    @property
    def conductance(self) -> float:
        """G = G↑ + G↓ (S)."""
        return self.g_up + self.g_down

    @property
    def polarization(self) -> float:
        """P = (G↑ − G↓)/G (dimensionless)."""
        return (self.g_up - self.g_down) / self.conductance

    @property
    def mixing(self) -> float:
        """η = 2 Re G↑↓ / G (dimensionless)."""
        return 2 * self.g_mix.real / self.conductance

    @property
    def conductance_derivative(self) -> float:
        """G' = ∂ε(G↑ + G↓) (S/J)."""
        return self.dg_up + self.dg_down

    def seebeck(self, temperature: float) -> float:
        """Mott thermopower S = −e L0 T G'/G (V/K) at ``temperature`` (K)."""
        return -ELEMENTARY_CHARGE * LORENZ * temperature * self.conductance_derivative / self.conductance

    def spin_seebeck(self, temperature: float) -> tuple[float, float]:
        """Spin-channel thermopowers (S↑, S↓) = −e L0 T G'σ/Gσ (V/K); ±inf for a closed channel."""
        a = ELEMENTARY_CHARGE * LORENZ * temperature
        return (_ratio(-a * self.dg_up, self.g_up), _ratio(-a * self.dg_down, self.g_down))

    def mixing_seebeck(self, temperature: float) -> float:
        """Mixing thermopower S_mix = −e L0 T Re G↑↓'/Re G↑↓ = η'S/η (V/K)."""
        return _ratio(-ELEMENTARY_CHARGE * LORENZ * temperature * self.dg_mix.real, self.g_mix.real)

    def validate(self, temperature: float) -> None:
        """Raise :class:`ContactError` unless the contact obeys the second law at ``temperature`` (K).

        The symmetric part of the response is positive semidefinite iff G↑, G↓ ≥ 0,
        Re G↑↓ ≥ 0 and |S↑|, |S↓|, |S_mix| ≤ √L0 ≈ 156 µV/K (physics.md §2).
        """
        self._check_signs()
        if self.conductance <= 0:
            raise ContactError("g_up", "total conductance G_up + G_down must be positive")
        if reason := conductance_reason(self.conductance):
            raise ContactError("g_up", f"the conductance G_up + G_down is {reason}")
        if not max(abs(self.g_mix.real), abs(self.g_mix.imag)) <= MAX_CONDUCTANCE:
            raise ContactError("g_mix", f"must not exceed {MAX_CONDUCTANCE:g} S, got "
                               f"{self.g_mix}")
        s_up, s_down = self.spin_seebeck(temperature)
        for spin, s in (("up", s_up), ("down", s_down)):
            if math.isinf(s):  # G_σ = 0 with G_σ' ≠ 0: negative on one side of ε_F
                raise ContactError("polarization", f"closes the spin-{spin} channel (G_{spin} "
                                   "= 0: a polarization of ±1) while its energy derivative is "
                                   "not zero, so that G_" + spin + "(ε) would be negative on "
                                   "one side of the Fermi level; give |P| < 1, or the "
                                   "derivatives that keep that channel closed")
        for name, s in (("spin-up thermopower", s_up), ("spin-down thermopower", s_down),
                        ("mixing thermopower", self.mixing_seebeck(temperature))):
            if not abs(s) <= SEEBECK_BOUND:
                raise ContactError(
                    "seebeck", f"{name} {s * 1e6:.4g} uV/K exceeds the entropy bound "
                    f"sqrt(L0) = {SEEBECK_BOUND * 1e6:.1f} uV/K at T = {temperature:g} K")


def _ratio(num: float, den: float) -> float:
    if den != 0:
        return num / den
    return 0.0 if num == 0 else float(np.copysign(np.inf, num))


def _check_finite(**values) -> None:
    """Every value a finite number: real (not a bool or a string), or complex."""
    for name, v in values.items():
        if isinstance(v, (complex, np.complexfloating)):
            if not cmath.isfinite(v):
                raise ContactError(name, f"must be a finite number, got {v}")
        else:
            real(v, name, error=ContactError)


# ---- batched response matrix ----------------------------------------------------------------


def cross_matrix(m: np.ndarray) -> np.ndarray:
    """[m×] with [m×] v = m × v, for m of shape (..., 3); result (..., 3, 3)."""
    m = np.asarray(m, dtype=float)
    out = np.zeros(m.shape + (3,), dtype=float)
    out[..., 0, 1], out[..., 0, 2] = -m[..., 2], m[..., 1]
    out[..., 1, 0], out[..., 1, 2] = m[..., 2], -m[..., 0]
    out[..., 2, 0], out[..., 2, 1] = -m[..., 1], m[..., 0]
    return out


def _fill_moment(out, rows, cols, scale, total, diff, re, im, m, pm, mx):
    """Write scale × (4x4 spin-space block) into out[..., rows, cols] (views, no temporaries)."""
    r0, c0 = rows.start, cols.start
    out[..., r0, c0] = scale * total
    out[..., r0, c0 + 1:c0 + 4] = (0.5 * scale * diff)[..., None] * m
    out[..., r0 + 1:r0 + 4, c0] = (scale * diff)[..., None] * m
    sub = out[..., r0 + 1:r0 + 4, c0 + 1:c0 + 4]
    np.multiply((scale * (0.5 * total - re))[..., None, None], pm, out=sub)
    sub -= (scale * im)[..., None, None] * mx
    for i in range(3):
        sub[..., i, i] += scale * re


def spin_space_block(g_up, g_down, g_mix, m) -> np.ndarray:
    """The 4x4 map (scalar, vector) -> (scalar, vector) of one energy moment, shape (..., 4, 4).

    ``g_up``, ``g_down`` (real), ``g_mix`` (complex) broadcast with ``m[..., 0]``; ``m`` is a unit
    vector (..., 3). Units follow the inputs (S for conductances, S/J for their derivatives).
    """
    m = np.asarray(m, dtype=float)
    g_up, g_down, g_mix = np.asarray(g_up), np.asarray(g_down), np.asarray(g_mix)
    shape = np.broadcast_shapes(m.shape[:-1], g_up.shape, g_down.shape, g_mix.shape)
    out = np.empty(shape + (4, 4))
    pm = m[..., :, None] * m[..., None, :]
    _fill_moment(out, slice(0, 4), slice(0, 4), 1.0, g_up + g_down, g_up - g_down,
                 np.real(g_mix), np.imag(g_mix), m, pm, cross_matrix(m))
    return out


def response_matrix(g_up, g_down, g_mix, dg_up, dg_down, dg_mix, m, temperature) -> np.ndarray:
    """The contact response K(m) of physics.md §2, shape (..., 8, 8).

    Parameters
    ----------
    g_up, g_down : array_like, S.   g_mix : array_like complex, S.
    dg_up, dg_down : array_like, S/J.   dg_mix : array_like complex, S/J.
    m : array_like (..., 3), unit magnetization of the contact's ferromagnet (any unit vector
        for a spin-independent contact).
    temperature : float, K, the equilibrium temperature T of the linear response.

    Returns
    -------
    K with J = K ΔX: rows (I_c [A], I⃗_s [A], Q_c [W], Q⃗_s [W]), columns (ΔV_c [V], ΔV⃗_s [V],
    ΔT_c [K], ΔT⃗_s [K]).
    """
    m = np.asarray(m, dtype=float)
    g_up, g_down, dg_up, dg_down = (np.asarray(x, dtype=float)
                                    for x in (g_up, g_down, dg_up, dg_down))
    g_mix, dg_mix = np.asarray(g_mix, dtype=complex), np.asarray(dg_mix, dtype=complex)
    shape = np.broadcast_shapes(m.shape[:-1], g_up.shape, g_down.shape, g_mix.shape,
                                dg_up.shape, dg_down.shape, dg_mix.shape)
    m = np.broadcast_to(m, shape + (3,))
    pm = m[..., :, None] * m[..., None, :]
    mx = cross_matrix(m)
    a = ELEMENTARY_CHARGE * LORENZ * temperature
    k = np.empty(shape + (8, 8))
    lo, hi = slice(0, 4), slice(4, 8)
    elec = (g_up + g_down, g_up - g_down, g_mix.real, g_mix.imag)
    thermo = (dg_up + dg_down, dg_up - dg_down, dg_mix.real, dg_mix.imag)
    _fill_moment(k, lo, lo, 1.0, *elec, m, pm, mx)
    _fill_moment(k, lo, hi, a, *thermo, m, pm, mx)
    _fill_moment(k, hi, lo, a * temperature, *thermo, m, pm, mx)
    _fill_moment(k, hi, hi, LORENZ * temperature, *elec, m, pm, mx)
    return k


def magnetization_features(m) -> np.ndarray:
    """φ(m) = (1, m_x, m_y, m_z, m_x m_x, m_x m_y, ..., m_z m_z), shape (..., 13).

    K(m) is exactly linear in these features: K(m) = φ(m) · C (:func:`response_coefficients`),
    so a batch of responses is one matrix product.
    """
    m = np.asarray(m, dtype=float)
    out = np.empty(m.shape[:-1] + (13,))
    out[..., 0] = 1.0
    out[..., 1:4] = m
    out[..., 4:13] = (m[..., :, None] * m[..., None, :]).reshape(m.shape[:-1] + (9,))
    return out


def response_coefficients(g_up, g_down, g_mix, dg_up, dg_down, dg_mix, temperature) -> np.ndarray:
    """C with K(m) = Σ_q φ_q(m) C_q, shape (..., 13, 8, 8); arguments as :func:`response_matrix`."""
    g_up, g_down, dg_up, dg_down = (np.asarray(x, dtype=float)
                                    for x in (g_up, g_down, dg_up, dg_down))
    g_mix, dg_mix = np.asarray(g_mix, dtype=complex), np.asarray(dg_mix, dtype=complex)
    shape = np.broadcast_shapes(g_up.shape, g_down.shape, g_mix.shape, dg_up.shape,
                                dg_down.shape, dg_mix.shape)
    a = ELEMENTARY_CHARGE * LORENZ * temperature
    c = np.zeros(shape + (13, 8, 8))
    unit_cross = cross_matrix(np.eye(3))  # [e_i ×]
    moments = ((g_up, g_down, g_mix), (dg_up, dg_down, dg_mix))
    for r0, c0, scale, (gu, gd, gm) in ((0, 0, 1.0, moments[0]), (0, 4, a, moments[1]),
                                         (4, 0, a * temperature, moments[1]),
                                         (4, 4, LORENZ * temperature, moments[0])):
        total = np.broadcast_to(scale * (gu + gd), shape)
        diff = np.broadcast_to(scale * (gu - gd), shape)
        re = np.broadcast_to(scale * gm.real, shape)
        im = np.broadcast_to(scale * gm.imag, shape)
        c[..., 0, r0, c0] = total
        for i in range(3):
            c[..., 0, r0 + 1 + i, c0 + 1 + i] = re
            c[..., 1 + i, r0, c0 + 1 + i] = 0.5 * diff
            c[..., 1 + i, r0 + 1 + i, c0] = diff
            c[..., 1 + i, r0 + 1:r0 + 4, c0 + 1:c0 + 4] = -im[..., None, None] * unit_cross[i]
            for j in range(3):
                c[..., 4 + 3 * i + j, r0 + 1 + i, c0 + 1 + j] = 0.5 * total - re
    return c


def conjugate_scaling(temperature: float) -> np.ndarray:
    """Diagonal d with (ΔV_c, ΔV⃗_s/2, ΔT_c/T, ΔT⃗_s/2T) = d·ΔX: the forces conjugate to J.

    The entropy production of a contact is J · (d ΔX) / T (W/K).
    """
    t = float(temperature)
    return np.array([1, 0.5, 0.5, 0.5, 1 / t, 0.5 / t, 0.5 / t, 0.5 / t])
