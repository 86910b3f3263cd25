"""Switching analysis: detection, switching time, probability, critical drives, Slonczewski.

A magnet *switched* when its final magnetization points against its initial easy-axis
direction: with u the anisotropy axis and ref = sign(m(0)·u) u, the projection p(t) = m(t)·ref
ends below −``threshold`` (default 0.5). Its *switching time* is the last instant p(t) falls
through zero, in s. The integrators locate that event on their own steps (the zero of p on the
step's interpolant, as event location in ODE solvers does), so it does not depend on how
densely the trajectory is saved; :func:`detect_switching` can also estimate it from saved points
alone (linear interpolation between them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import TORQUE_PER_SPIN_CURRENT
from ..errors import DynamicsError


@dataclass(frozen=True)
class SwitchingResult:
    """Per trajectory: ``switched`` (E,) bool and ``time`` (E,) s (NaN if not switched)."""

    switched: np.ndarray
    time: np.ndarray

    @property
    def probability(self) -> float:
        """Fraction of the ensemble that switched."""
        return float(np.mean(self.switched))

    @property
    def probability_interval(self) -> tuple[float, float]:
        """The Clopper–Pearson 95 % interval of the switching probability
        (:func:`clopper_pearson`)."""
        low, high = clopper_pearson(int(np.sum(self.switched)), len(self.switched))
        return float(low), float(high)


def reference_direction(m0: np.ndarray, axis: np.ndarray) -> np.ndarray:
    """ref = sign(m0·u) u (..., 3), the initial easy-axis direction of unit magnetizations m0
    (..., 3) along the easy axis ``axis`` (3,) or each its own (..., 3) (normalised here; + u
    when m0 ⟂ u)."""
    u = np.asarray(axis, float)
    u = u / np.linalg.norm(u, axis=-1, keepdims=True)
    sign = np.where(np.einsum("...i,...i", np.asarray(m0, float), u) >= 0, 1.0, -1.0)
    return sign[..., None] * u


def detect_switching(time: np.ndarray, m: np.ndarray, axis: np.ndarray,
                     threshold: float = 0.5, crossing: np.ndarray | None = None
                     ) -> SwitchingResult:
    """Switching of one magnet from saved m (E, S, 3) at times (S,) s, easy axis ``axis`` (3,)
    or each trajectory's (E, 3).

    crossing : (E,) s, the last time p fell through zero as located by the integrator (NaN if
        never); without it the time is interpolated linearly between saved points.
    """
    if isinstance(threshold, bool) or not (isinstance(threshold, (int, float, np.number))
                                           and 0 <= threshold < 1):
        raise DynamicsError("threshold", f"must be a number in [0, 1) (switched: m·p below "
                            f"−threshold at the end), got {threshold!r}")
    ref = reference_direction(m[:, 0], axis)
    p = np.einsum("esc,ec->es", m, ref)  # (E, S)
    switched = p[:, -1] < -threshold
    t_sw = np.full(len(p), np.nan)
    if crossing is not None:
        t_sw[switched] = np.asarray(crossing, float)[switched]
        return SwitchingResult(switched, t_sw)
    for e in np.flatnonzero(switched):  # loop over switched trajectories only, post-processing
        above = np.flatnonzero(p[e, :-1] >= 0)
        if above.size == 0:
            t_sw[e] = time[0]
            continue
        i = above[-1]
        a, b = p[e, i], p[e, i + 1]
        t_sw[e] = time[i] + (time[i + 1] - time[i]) * a / (a - b)
    return SwitchingResult(switched, t_sw)


def effective_stiffness(magnet, axis=None) -> float:
    """Mean transverse stiffness field (B₁ + B₂)/2 (T) around the easy axis u.

    With N_1, N_2 the eigenvalues of the demagnetizing tensor restricted to the plane
    perpendicular to u, B_i = B_k + μ0 M_s (N_i − N_u) + B_app·u, and their mean needs only the
    trace: (N_1 + N_2)/2 = (tr N − N_u)/2 for any direction of u. A perpendicular thin film
    gives B_k − μ0 M_s, an in-plane one B_k + μ0 M_s/2 — the fields in Sun's / Slonczewski's
    critical current.

    ``axis``: the direction the magnet sits along, +u or −u (default: the easy axis as given,
    +u). Its sign matters where a field is applied: B_app·u stiffens the well along the field
    and softens the other — a perpendicular layer along −z under B_app = +0.1 T ẑ has the
    stiffness of ``axis=[0, 0, -1]``, 0.2 T less than the default's.
    """
    from ..constants import MU0

    u = magnet.anisotropy_axis if axis is None else np.asarray(axis, float)
    u = u / np.linalg.norm(u)
    n = magnet.demagnetizing_factors  # diagonal
    nu = float(n @ (u * u))
    transverse = 0.5 * (float(n.sum()) - nu)
    return (magnet.anisotropy_field + MU0 * magnet.saturation_magnetization * (transverse - nu)
            + float(magnet.applied_field @ u))


def slonczewski_critical_torque_slope(magnet, axis=None) -> float:
    """Critical torque slope κ_c = α M_s V (B₁ + B₂)/2 (N·m per rad): a spin torque growing as
    κ δθ with the deviation δθ from the easy axis destabilises it when κ > κ_c; ``axis`` the
    well the magnet sits in (:func:`effective_stiffness`)."""
    return magnet.damping * magnet.moment * effective_stiffness(magnet, axis)


def axial_switching_time(theta0, a_j: float, magnet) -> np.ndarray:
    r"""Time (s) a uniaxial magnet with axial symmetry takes from the angle θ₀ (rad, from its
    easy axis; array) to the equator under a constant Slonczewski torque of strength a_J (T)
    along the axis, without noise: the switching time of :func:`detect_switching`.

    With the easy axis u also the demagnetizing field's (a perpendicular thin film), p = u and
    B_eff = B_K,eff (m·u) u, B_K,eff = :func:`effective_stiffness`, the explicit LLGS of
    docs/dynamics.md, dm/dt = (Ω + α m × Ω)/(1 + α²) with
    Ω = −γ m × B_eff + γ a_J m × (m × p), has the polar component

    .. math::

        \dot θ = γ' \sin θ\,(a − b \cos θ), \qquad γ' = γ/(1 + α²),\; a = a_J,\;
        b = α B_{K,eff},

    so that, with c₀ = cos θ₀ and partial fractions of 1/((1 − c²)(a − bc)),

    .. math::

        γ' t = \int_0^{c_0} rac{dc}{(1 − c^2)(a − b c)}
             = −rac{\ln(1 − c_0)}{2(a − b)} + rac{\ln(1 + c_0)}{2(a + b)}
               + rac{b}{a^2 − b^2} \ln\Bigl(1 − rac{b c_0}{a}\Bigr),

    finite for a > b (the torque above its critical value α B_K,eff; Sun, PRB 62, 570
    (2000)); for small θ₀ it grows as ln(√2/θ₀)/(γ'(a − b)), the incubation delay (cf. the
    zero-temperature switching time of Butler et al., IEEE Trans. Magn. 48, 4684 (2012)).
    ``magnet`` a MagnetParameters (γ, α and B_K,eff from it); 1 − c₀ = 2 sin²(θ₀/2) keeps
    small angles exact.
    """
    a = float(a_j)
    b = magnet.damping * effective_stiffness(magnet)
    if not a > b > 0:
        raise DynamicsError("a_j", f"must exceed α B_K,eff = {b:.4g} T (the critical torque) "
                            f"for the magnet to leave its axis, got {a_j!r}")
    gamma = magnet.gyromagnetic_ratio / (1 + magnet.damping**2)
    theta0 = np.asarray(theta0, float)
    c0 = np.cos(theta0)
    return (-np.log(2 * np.sin(theta0 / 2) ** 2) / (2 * (a - b)) + np.log1p(c0) / (2 * (a + b))
            + b / (a * a - b * b) * np.log1p(-b * c0 / a)) / gamma


def slonczewski_critical_current(magnet, efficiency: float, axis=None) -> float:
    """Slonczewski/Sun critical current I_c = (2e/ħ)(α/η) M_s V (B₁ + B₂)/2 (A), for a torque
    τ = (ħ/2e) η I sin θ (η dimensionless)."""
    return slonczewski_critical_torque_slope(magnet, axis) / (TORQUE_PER_SPIN_CURRENT * efficiency)


def circuit_pumping_damping(model, magnet: str, reference, parameters) -> float:
    """α' (dimensionless): the Gilbert damping that spin pumping adds to ``magnet`` at the
    collinear state m = ``reference`` (the other magnets as in the circuit), from the circuit's
    D map (:meth:`~.torque_model.CircuitTorqueModel.damping_matrix`): the coefficient of
    m × ṁ averaged over two tangent directions, times γ/(M_s V) of ``parameters``
    (MagnetParameters). Add it to α in :func:`slonczewski_critical_torque_slope` for the
    threshold of a run with pumping."""
    j = model.magnets.index(magnet)
    ref = np.asarray(reference, float) / np.linalg.norm(reference)
    m = np.array([model.circuit.magnetization[i] for i in model.nodes])
    m[j] = ref
    d = model.damping_matrix(m)[j, :, j]
    e1 = np.cross(ref, [1.0, 0, 0] if abs(ref[0]) < 0.9 else [0, 1.0, 0])
    e1 /= np.linalg.norm(e1)
    coef = [w @ d @ -np.cross(ref, w) for w in (e1, np.cross(ref, e1))]
    return float(parameters.gyromagnetic_ratio / parameters.moment * np.mean(coef))


def circuit_torque_slope(model, magnet: str, reference, drive=None, delta: float = 1e-4) -> float:
    """Torque slope dτ/dθ (N·m per rad) on ``magnet`` at the collinear state m = ``reference``,
    from the circuit: positive when the torque pushes m away from ``reference``.

    model : a CircuitTorqueModel; drive : drive vector d (default static).
    """
    j = model.magnets.index(magnet)
    ref = np.asarray(reference, float) / np.linalg.norm(reference)
    perp = np.cross(ref, [1.0, 0, 0] if abs(ref[0]) < 0.9 else [0, 1.0, 0])
    perp /= np.linalg.norm(perp)
    m = np.array([model.circuit.magnetization[i] for i in model.nodes])
    m[j] = np.cos(delta) * ref + np.sin(delta) * perp
    tau = model.torques(m, drive)[j]
    return float(tau @ (np.cos(delta) * perp - np.sin(delta) * ref)) / delta


def critical_amplitude(simulation, until: float, *, drive: int = 0, low: float = 0.0,
                       high: float = 1.0, rtol: float = 1e-2, points: int = 8,
                       magnet: str | None = None, **run_kw) -> tuple[float, float]:
    """Bracket (a_lo, a_hi) of the critical scale of drive number ``drive`` (in the order of
    ``simulation.drives``) at which ``magnet`` (default: the first) switches within ``until`` (s).

    A parallel bisection: each round integrates ``points`` evenly spaced amplitudes in the
    bracket as one ensemble (compiled, no Python loop over trajectories) and keeps the
    interval where switching first occurs, until its relative width is below ``rtol``. The
    scale multiplies the drive's excursion from the reservoir's static value, so the critical
    drive is static + a (drive − static). Assumes switching is monotonic in the amplitude;
    raises ValueError if ``high`` does not switch or ``low`` does.
    """
    name = magnet or simulation.names[0]
    n_drv = len(simulation.drives)
    if not 0 <= drive < n_drv:
        raise ValueError(f"drive: index {drive} out of range (the simulation has {n_drv})")

    def switched(amps):
        amp = np.ones((len(amps), n_drv))
        amp[:, drive] = amps
        tr = simulation.run(until, ensemble=len(amps), amplitude=amp, **run_kw)
        return tr.switching()[name].switched

    ends = switched(np.array([low, high]))
    if ends[0] or not ends[1]:
        raise ValueError(f"the bracket [{low:g}, {high:g}] does not contain the switching "
                         f"threshold (switched: {ends.tolist()})")
    while (high - low) > rtol * abs(high):
        grid = np.linspace(low, high, points + 2)[1:-1]
        sw = switched(grid)
        first = int(np.argmax(sw)) if sw.any() else len(grid)
        low = grid[first - 1] if first > 0 else low
        high = grid[first] if first < len(grid) else high
    return float(low), float(high)


def clopper_pearson(k, n: int, level: float = 0.95):
    """(low, high): the Clopper–Pearson (exact binomial) interval of a probability of which
    ``k`` (int or array) of ``n`` trials came out, at confidence ``level``."""
    from scipy.stats import beta

    k = np.asarray(k)
    tail = (1.0 - level) / 2
    with np.errstate(invalid="ignore"):
        low = np.where(k == 0, 0.0, beta.ppf(tail, np.maximum(k, 1), n - k + 1))
        high = np.where(k == n, 1.0, beta.ppf(1 - tail, k + 1, np.maximum(n - k, 1)))
    return low, high
