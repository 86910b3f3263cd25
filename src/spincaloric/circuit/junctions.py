r"""Tunnel junctions between two ferromagnetic nodes: the F|I|F contact as a two-port.

An ordinary contact carries J = K(m)(X_a − X_b). A tunnel barrier joining two ferromagnets
a, b (magnetizations m_a, m_b) does not: electrons tunnel from a spin state of a, quantised
along m_a, into a spin state of b, quantised along m_b, so the current depends on the two
states separately,

.. math::

    J = K_a X_a - K_b X_b,

one current vector J (charge, spin, heat, spin heat in the barrier) leaving a and entering b.
Each ferromagnet keeps the spin along its own axis (its longitudinal balance) and absorbs the
rest as a torque (physics.md §4).

Model (Jullière–Slonczewski, spin-conserving tunnelling). With Â_k = 1 + P_k σ·m_k the
spin-resolved tunnelling density of ferromagnet k and f̂_k = f_c + (σ·m_k) f_s its 2×2
distribution, the matrix current at energy ε is the Hermitian (anticommutator) golden rule

.. math::

    \hat I(\varepsilon) = \frac{G_0}{2}\Big(\tfrac12\{\hat A_a \hat f_a, \hat A_b\}
        - \tfrac12\{\hat A_a, \hat A_b \hat f_b\}\Big).

Its trace is Jullière's rule: the channel pair (σ of a, σ' of b) conducts
W_σσ' = G_0(1 + σP_a)(1 + σ'P_b)(1 + σσ' cos θ)/4, so G(θ) = G_0(1 + P_a P_b cos θ);
projected on m_a (m_b) it is exactly the spin current that leaves a's (enters b's) channels;
the vector spin current lies in the plane of m_a and m_b — for a bias ΔV alone it is
I⃗_s = −G_0 ΔV (P_a m_a + P_b m_b), whose transverse parts are Slonczewski's in-plane torques
(Phys. Rev. B 71, 024411 (2005)). There is no field-like torque in linear response in this
model. Toward either ferromagnet alone (P_b = 0) the map is the opaque F|I|N barrier of
:mod:`spincaloric.circuit.tunnel` (η = 2 Re G↑↓/G = 1).

Energy dependence enters through the four products g = (G_0, G_0P_a, G_0P_b, G_0P_aP_b) and
their derivatives g' at the Fermi level; the Sommerfeld expansion gives the same
(electric, thermoelectric, Peltier, heat) block structure as :func:`spincaloric.circuit.contacts.response_matrix`.
Longitudinally, every channel pair is an independent two-terminal thermoelectric element with
Seebeck coefficient S_σσ' = −eL0T W'_σσ'/W_σσ': the second law holds at every angle θ iff each
|S_σσ'| ≤ √L0 (at one non-collinear angle the bound is sufficient, not necessary; magnets turn,
so it is required). The torque thermopower S_τ = −eL0T (G_0P)'/(G_0P) is not a conductance's
thermopower and may exceed √L0 in a valid junction (small TMR, S_P and S_AP of opposite sign).

>>> p = JunctionParameters.symmetric(conductance_parallel=1e-3, tmr=1.0,
...                                   seebeck_parallel=-50e-6, seebeck_antiparallel=-40e-6,
...                                   temperature=300.0)
>>> round(p.polarization_a, 6), round(float(p.conductance(0.0)) * 1e3, 9)
(0.57735, 1.0)
>>> round(float(p.seebeck(0.0, 300.0)) * 1e6, 9), round(float(p.seebeck(3.141592653589793, 300.0)) * 1e6, 9)
(-50.0, -40.0)
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ..constants import ELEMENTARY_CHARGE, LORENZ, SEEBECK_BOUND
from ..errors import user_stacklevel
from ..validation import SizeUnitWarning, absolute_temperature, conductance_reason, real
from .contacts import ContactError

#: The largest tunnel magnetoresistance G_P/G_AP − 1 taken without a warning: the largest
#: measured, 1144 % at 5 K (604 % at 300 K) in CoFeB|MgO|CoFeB (Ikeda et al., Appl. Phys. Lett.
#: 93, 082508 (2008)); a TMR given in per cent (50 … 600) lies beyond it.
LARGEST_TMR = 11.44


@dataclass(frozen=True)
class JunctionParameters:
    """A tunnel junction joining two ferromagnetic nodes (between[0] = a, between[1] = b).

    Attributes
    ----------
    g0 : G_0 (S), the conductance at θ = π/2: G(θ) = G_0 (1 + P_a P_b cos θ).
    polarization_a, polarization_b : tunnelling spin polarizations P_a, P_b of the two sides
        (dimensionless, |P| < 1), along each side's magnetization.
    dg0, dg0_pa, dg0_pb, dg0_papb : energy derivatives at the Fermi level of G_0, G_0P_a,
        G_0P_b and G_0P_aP_b (S/J).
    """

    g0: float
    polarization_a: float
    polarization_b: float
    dg0: float = 0.0
    dg0_pa: float = 0.0
    dg0_pb: float = 0.0
    dg0_papb: float = 0.0

    @classmethod
    def symmetric(cls, *, conductance_parallel: float, tmr: float, seebeck_parallel: float,
                  seebeck_antiparallel: float, temperature: float) -> JunctionParameters:
        """A symmetric junction (P_a = P_b = P at every energy) from what tunnel
        magneto-Seebeck experiments measure: G_P (S), TMR = G_P/G_AP − 1 > 0
        (P² = TMR/(2 + TMR)), S_P and S_AP (V/K) at ``temperature`` (K).

        S(θ) = −eL0T ∂εG(θ)/G(θ) fixes G_0' and (G_0P²)'; P_a(ε) = P_b(ε) then gives
        (G_0P)' = [G_0'P² + (G_0P²)']/(2P)."""
        temperature = absolute_temperature(temperature, "temperature", ContactError)
        for name, value in (("conductance_parallel", conductance_parallel), ("tmr", tmr)):
            if not real(value, name, error=ContactError) > 0:
                unpolarised = (" (an unpolarised barrier, TMR = 0, is a spin-independent "
                               "contact: give its conductance and seebeck instead of a "
                               "junction)" if name == "tmr" and value == 0 else "")
                raise ContactError(name, f"must be a positive number, got {value!r}"
                                   + unpolarised)
        seebeck_parallel, seebeck_antiparallel = (
            real(seebeck_parallel, "seebeck_parallel", "V/K", ContactError),
            real(seebeck_antiparallel, "seebeck_antiparallel", "V/K", ContactError))
        if reason := conductance_reason(conductance_parallel):
            raise ContactError("conductance_parallel", f"is {reason}")
        if tmr > LARGEST_TMR:
            warnings.warn(f"tmr: {tmr:g} is G_P/G_AP − 1 = {100 * tmr:.4g} %, beyond the largest "
                          f"measured ({100 * LARGEST_TMR:g} % at 5 K, CoFeB|MgO|CoFeB); tmr is a "
                          "ratio, not per cent (100 % is tmr = 1)", SizeUnitWarning,
                          stacklevel=user_stacklevel())
        p2 = tmr / (2.0 + tmr)
        if p2 == 0:
            raise ContactError("tmr", f"{tmr:g} is too small: the polarization P = "
                               "sqrt(TMR/(2 + TMR)) underflows to 0")
        p = math.sqrt(p2)
        if not p < 1:
            raise ContactError("tmr", f"{tmr:g} makes the polarization P = sqrt(TMR/(2 + TMR)) "
                               "round to 1 (a half-metal: give the raw form with |P| < 1)")
        g_p = float(conductance_parallel)
        g_ap = g_p / (1.0 + tmr)
        a = ELEMENTARY_CHARGE * LORENZ * temperature
        dg_p, dg_ap = -seebeck_parallel * g_p / a, -seebeck_antiparallel * g_ap / a
        dg0, dg0p2 = (dg_p + dg_ap) / 2, (dg_p - dg_ap) / 2
        dg0p = (dg0 * p2 + dg0p2) / (2 * p)
        if not all(map(math.isfinite, (dg0, dg0p, dg0p2))):
            name = ("seebeck_parallel" if abs(seebeck_parallel) >= abs(seebeck_antiparallel)
                    else "seebeck_antiparallel")
            raise ContactError(name, "too large: the energy derivatives of the conductances "
                               "overflow")
        junction = cls(g_p / (1.0 + p2), p, p, dg0, dg0p, dg0p, dg0p2)
        with np.errstate(over="ignore"):
            worst = float(np.max(np.abs(junction.pair_seebeck(temperature))))
        if not worst <= SEEBECK_BOUND:  # name the keys the user gave, not the moments
            name = ("seebeck_parallel" if abs(seebeck_parallel) >= abs(seebeck_antiparallel)
                    else "seebeck_antiparallel")
            raise ContactError(name, f"S_P = {seebeck_parallel * 1e6:.4g} and S_AP = "
                               f"{seebeck_antiparallel * 1e6:.4g} uV/K give a channel pair the "
                               f"thermopower {worst * 1e6:.4g} uV/K, beyond the entropy bound "
                               f"sqrt(L0) = {SEEBECK_BOUND * 1e6:.1f} uV/K at T = "
                               f"{temperature:g} K")
        return junction

    # ---- the four energy moments -------------------------------------------------------------
    @property
    def moments(self) -> np.ndarray:
        """(G_0, G_0P_a, G_0P_b, G_0P_aP_b) (S)."""
        g, pa, pb = self.g0, self.polarization_a, self.polarization_b
        return np.array([g, g * pa, g * pb, g * pa * pb])

    @property
    def moment_derivatives(self) -> np.ndarray:
        """Energy derivatives of :attr:`moments` (S/J)."""
        return np.array([self.dg0, self.dg0_pa, self.dg0_pb, self.dg0_papb])

    # ---- observables -----------------------------------------------------------------------
    def conductance(self, theta):
        """G(θ) = G_0(1 + P_aP_b cos θ) (S); θ (rad) is the angle between m_a and m_b."""
        return self.g0 * (1.0 + self.polarization_a * self.polarization_b * np.cos(theta))

    def seebeck(self, theta, temperature: float):
        """S(θ) = −eL0T ∂εG(θ)/G(θ) (V/K) of the junction between two ferromagnetic leads."""
        a = ELEMENTARY_CHARGE * LORENZ * temperature
        return -a * (self.dg0 + self.dg0_papb * np.cos(theta)) / self.conductance(theta)

    def pair_seebeck(self, temperature: float) -> np.ndarray:
        """Thermopowers S_σσ' = −eL0T W'_σσ'/W_σσ' (V/K) of the four channel pairs
        (↑↑, ↑↓, ↓↑, ↓↓), spins along each side's own axis."""
        w, dw = pair_conductances(self.moments), pair_conductances(self.moment_derivatives)
        return -ELEMENTARY_CHARGE * LORENZ * temperature * dw / w

    def validate(self, temperature: float) -> None:
        """Raise :class:`~spincaloric.circuit.contacts.ContactError` unless the junction is physical at
        ``temperature`` (K): G_0 > 0, |P_a|, |P_b| < 1 and every channel pair's thermopower
        within the entropy bound √L0 (module docstring)."""
        for name in ("g0", "polarization_a", "polarization_b", "dg0", "dg0_pa", "dg0_pb",
                     "dg0_papb"):
            real(getattr(self, name), name, error=ContactError)
        if self.g0 <= 0:
            raise ContactError("g0", f"must be positive (S), got {self.g0!r}")
        if reason := conductance_reason(self.g0):
            raise ContactError("g0", f"is {reason}")
        for name in ("polarization_a", "polarization_b"):
            if not abs(getattr(self, name)) < 1:
                raise ContactError(name, f"must lie in (-1, 1), got {getattr(self, name)!r}")
        with np.errstate(over="ignore", invalid="ignore"):
            worst = float(np.max(np.abs(self.pair_seebeck(temperature))))
        if not worst <= SEEBECK_BOUND:
            raise ContactError("dg0", f"the derivatives dg0, dg0_pa, dg0_pb, dg0_papb give a "
                               f"channel pair the thermopower {worst * 1e6:.4g} uV/K, beyond "
                               f"the entropy bound sqrt(L0) = "
                               f"{SEEBECK_BOUND * 1e6:.1f} uV/K at T = {temperature:g} K")


# ---- batched two-port response ---------------------------------------------------------------


def _fill_pair(out, r0, c0, scale, g, m_a, m_b, side_a):
    """Write scale × the 4x4 (scalar, vector) block of one energy moment into out."""
    g0, ga, gb, gab = (scale * g[..., i] for i in range(4))
    cos = np.einsum("...i,...i->...", m_a, m_b)
    vec = ga[..., None] * m_a + gb[..., None] * m_b
    out[..., r0, c0] = g0 + gab * cos
    out[..., r0, c0 + 1:c0 + 4] = 0.5 * vec
    out[..., r0 + 1:r0 + 4, c0] = vec
    # the spin that a's state carries into b (or b's state draws from a), with P_aP_b
    outer = (m_b[..., :, None] * m_a[..., None, :] if side_a
             else m_a[..., :, None] * m_b[..., None, :])
    sub = out[..., r0 + 1:r0 + 4, c0 + 1:c0 + 4]
    sub[...] = (0.5 * gab)[..., None, None] * outer
    for i in range(3):
        sub[..., i, i] += 0.5 * g0


#: W_σσ' = G_0(1 + σP_a)(1 + σ'P_b) = H · (G_0, G_0P_a, G_0P_b, G_0P_aP_b), pairs (↑↑, ↑↓, ↓↑, ↓↓)
_PAIRS = np.array([[1.0, s, t, s * t] for s in (1, -1) for t in (1, -1)])


def pair_conductances(moments, inverse: bool = False) -> np.ndarray:
    """The four channel-pair conductances (..., 4) from the moments (..., 4) (S), spins along
    each side's own axis and before the angular factor (1 + σσ' cos θ)/2; ``inverse``: back."""
    g = np.asarray(moments, dtype=float)
    return g @ (np.linalg.inv(_PAIRS).T if inverse else _PAIRS.T)


def spectral_pair_blocks(moments, m_a, m_b):
    """(A_a, A_b), each (..., 4, 4): the (scalar, vector) spin-space conductances of a junction
    at every energy, for the energy-resolved solver (moments (..., 4) in S)."""
    g = np.asarray(moments, dtype=float)
    m_a = np.broadcast_to(np.asarray(m_a, dtype=float), g.shape[:-1] + (3,))
    m_b = np.broadcast_to(np.asarray(m_b, dtype=float), g.shape[:-1] + (3,))
    out = []
    for side_a in (True, False):
        block = np.empty(g.shape[:-1] + (4, 4))
        _fill_pair(block, 0, 0, 1.0, g, m_a, m_b, side_a)
        out.append(block)
    return out[0], out[1]


def junction_response(moments, moment_derivatives, m_a, m_b, temperature):
    """(K_a, K_b) of F|I|F junctions, each (..., 8, 8): J = K_a X_a − K_b X_b.

    Parameters
    ----------
    moments : array_like (..., 4), (G_0, G_0P_a, G_0P_b, G_0P_aP_b) in S.
    moment_derivatives : array_like (..., 4), their energy derivatives (S/J).
    m_a, m_b : array_like (..., 3), magnetizations of the two sides. The map is affine in each
        (no m⊗m of one magnet), so non-unit vectors give its polynomial continuation.
    temperature : K.

    Rows (I_c [A], I⃗_s [A], Q_c [W], Q⃗_s [W]) of the barrier current from a into b; columns
    (V_c [V], V⃗_s [V], T_c − T [K], T⃗_s [K]) of the state of a (K_a) or b (K_b).
    """
    g = np.asarray(moments, dtype=float)
    dg = np.asarray(moment_derivatives, dtype=float)
    m_a, m_b = np.asarray(m_a, dtype=float), np.asarray(m_b, dtype=float)
    shape = np.broadcast_shapes(g.shape[:-1], dg.shape[:-1], m_a.shape[:-1], m_b.shape[:-1])
    g = np.broadcast_to(g, shape + (4,))
    dg = np.broadcast_to(dg, shape + (4,))
    m_a = np.broadcast_to(m_a, shape + (3,))
    m_b = np.broadcast_to(m_b, shape + (3,))
    a = ELEMENTARY_CHARGE * LORENZ * temperature
    out = []
    for side_a in (True, False):
        k = np.empty(shape + (8, 8))
        for r0, c0, scale, mom in ((0, 0, 1.0, g), (0, 4, a, dg), (4, 0, a * temperature, dg),
                                   (4, 4, LORENZ * temperature, g)):
            _fill_pair(k, r0, c0, scale, mom, m_a, m_b, side_a)
        out.append(k)
    return out[0], out[1]
