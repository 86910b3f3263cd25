r"""Thermal equilibrium of a macrospin in its well: the starting states of a write.

Before a write pulse a magnet sits in the well of its easy direction ref at temperature T, its
magnetization distributed as

.. math::

    p(m) = \frac{e^{-E(m)/k_B T}}{Z}, \qquad Z = \int_{m\cdot \mathrm{ref} > u^*}
    e^{-E(m)/k_B T}\, dΩ,

over the well of ref up to its barrier's top u* (:func:`barrier_top`: the hemisphere
m·ref > 0 without a field along the axis; beyond it lies the reversed state), E(m) the
magnet's energy (:meth:`.magnets.MagnetParameters.energy`: anisotropy, demagnetization,
applied field). With u = 1 − m·ref ∈ [0, u_max], u_max = 1 − u*, and the azimuth φ about
ref, dΩ = du dφ, and near the minimum
E − E_min ≈ k_B T λ_p u/… grows linearly in u: a barrier-to-temperature ratio Δ = K_eff V/k_B T
gives λ_p = 2Δ for a uniaxial well.

:func:`sample_well` draws from the proposal q_λ(m) = λ e^{−λu}/(2π(1 − e^{−λ u_max})) — uniform
in φ, truncated-exponential in u — and either

* keeps a draw with probability p/(M q) (rejection, λ = λ_b: half the slowest rise of the
  energy over the azimuth, λ_p/2 in an axial well, so that p/q is bounded in a biaxial
  in-plane well too): exact samples of p, every weight 1 (brute force); or
* keeps every draw with its likelihood ratio w = p/q (importance sampling) from the defensive
  mixture q = (1 − ε) q_{sλ_p} + ε q_{λ_b} (Hesterberg, Technometrics 37, 185 (1995)): a
  sharpening s ≥ 1 puts more starts near ref, where a write pulse's torque m × (m × p) is
  weakest and failures come from, while the broad part (ε = 0.1) bounds the weights,
  w ≤ M/ε, so that the rare wide starts cannot blow up the variance. An average of w·f over
  the draws estimates the average of f over p without bias.

Z is the two-dimensional integral above on a quadrature grid (geometric in u, uniform in φ),
accurate to ~1e-8 for the smooth wells of macrospins.
"""

from __future__ import annotations

from dataclasses import fields

import numpy as np

from ..constants import BOLTZMANN
from ..errors import DynamicsError

#: Quadrature: points in u (geometric from 1e-12) and in φ.
_NU, _NPHI = 4000, 64
#: The share ε of the broad (rejection) proposal in the importance-sampling mixture.
DEFENSIVE = 0.1
#: The largest rejection envelope (proposal draws per kept start) sample_well accepts: beyond
#: it the well is not one about the easy axis, and the draws would not fit in memory.
MAX_ENVELOPE = 1e3


def _frame(ref: np.ndarray) -> np.ndarray:
    """(3, 3) orthonormal rows (e1, e2, ref) about the unit vector ref."""
    ref = np.asarray(ref, float) / np.linalg.norm(ref)
    trial = np.eye(3)[np.argmin(np.abs(ref))]
    e1 = np.cross(ref, trial)
    e1 /= np.linalg.norm(e1)
    return np.array([e1, np.cross(ref, e1), ref])


def _directions(frame: np.ndarray, u: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Unit vectors (..., 3) at u = 1 − m·ref and azimuth φ (rad) in ``frame``."""
    u, phi = np.broadcast_arrays(u, phi)
    cos = 1.0 - u
    sin = np.sqrt(np.clip(u * (2.0 - u), 0.0, None))
    local = np.stack([sin * np.cos(phi), sin * np.sin(phi), cos], axis=-1)
    return local @ frame


class Well:
    """The thermal distribution p(m) of ``magnet`` (MagnetParameters) in the well of ``ref``
    (3-vector) at ``temperature`` (K): reduced energies β(E − E_min) (dimensionless), its
    normalization Z (sr), the harmonic rate λ_p (per unit u; the azimuthal mean of the
    energy's rise at the minimum) and ``broad`` (per unit u), the rate of the rejection
    proposal: half the slowest rise. The well ends at m·ref = ``edge`` (dimensionless;
    default its barrier's top, :func:`barrier_top`)."""

    def __init__(self, magnet, ref, temperature: float, edge: float | None = None):
        if not (np.isfinite(temperature) and temperature > 0):
            raise DynamicsError("temperature", f"must be a positive temperature (K), got "
                                f"{temperature!r}")
        self.magnet, self.frame = magnet, _frame(ref)
        self.beta = 1.0 / (BOLTZMANN * temperature)
        top = barrier_top(magnet, ref) if edge is None else edge
        self.u_max = 1.0 - top  # the well's edge in u = 1 − m·ref
        u = np.concatenate([[0.0], np.geomspace(1e-12, self.u_max, _NU)])
        phi = (np.arange(_NPHI) + 0.5) * 2 * np.pi / _NPHI
        reduced = self.beta * magnet.energy(_directions(self.frame, u[:, None], phi[None, :]))
        self.e_min = float(reduced.min())
        weight = np.exp(-(reduced - self.e_min)).mean(axis=1)  # φ-average at each u
        self.z = 2 * np.pi * float(np.trapezoid(weight, u))
        small = 1e-4  # the slope of the reduced energy at the bottom of the well, per unit u
        rise = reduced[np.searchsorted(u, small)] - reduced[0]  # (φ,)
        if rise.min() < 0:
            _no_minimum(magnet, self.frame[2])
        self.rate = float(max(rise.mean() / small, 1.0))
        # the rejection proposal's rate: half the slowest rise over the azimuth, so that q
        # falls more slowly than p in every direction of a biaxial (in-plane) well too
        self.broad = float(max(rise.min() / small, 1.0)) / 2
        self._grid = (u, phi, reduced - self.e_min)

    def log_density(self, m: np.ndarray) -> np.ndarray:
        """log p(m) (per sr) at unit vectors m (..., 3) of the well."""
        return -(self.beta * self.magnet.energy(m) - self.e_min) - np.log(self.z)

    def bound(self, rate: float) -> float:
        """max of p/q_rate over the quadrature grid, with a 5 % margin: the rejection
        envelope."""
        u, _, reduced = self._grid
        log_ratio = (-reduced - np.log(self.z)) - _log_proposal(u[:, None], rate, self.u_max)
        return float(np.exp(log_ratio.max()) * 1.05)


def _no_minimum(magnet, ref: np.ndarray) -> None:
    """Refuse a start along ``ref`` where the energy falls off in some direction (a hard axis:
    no thermal well to write from), naming the applied field when it tilts or opposes the
    well, else the anisotropy field too weak against the demagnetizing field."""
    field = np.asarray(magnet.applied_field, float)
    ms_n = 4e-7 * np.pi * magnet.saturation_magnetization * np.asarray(
        magnet.demagnetizing_factors, float)  # μ0 M_s N (T)
    axis = magnet.anisotropy_axis / np.linalg.norm(magnet.anisotropy_axis)
    if abs(axis @ ref) < 1 - 1e-9:
        raise DynamicsError("ref", f"{np.round(ref, 3)} is not along the easy axis "
                            f"{np.round(axis, 3)}: the energy falls off from it")
    if np.linalg.norm(np.cross(field, ref)) > 1e-12 * max(np.linalg.norm(field), 1e-300) \
            or field @ ref < 0:
        _tilted_well(ref, "its energy falls off from the axis")
    raise DynamicsError("anisotropy_field", f"the magnet's energy falls off from "
                        f"{np.round(ref, 3)}: no thermal well to start a write from (B_K = "
                        f"{magnet.anisotropy_field:.3g} T against the demagnetizing fields "
                        f"μ0 M_s N = {np.round(ms_n, 3)} T make it a hard axis)")


def _tilted_well(ref, why: str) -> None:
    """Refuse a well an applied field tilts or opens (``why``: how it shows)."""
    raise DynamicsError("applied_field", f"the magnet's thermal well about {np.round(ref, 3)} "
                        "is not the well of an easy axis this sampler draws from (an applied "
                        f"field tilts its minimum off the axis or opens it): {why}; set the "
                        "starting states (initial=...) or a field along the easy axis")


def _log_proposal(u: np.ndarray, rate: float, u_max: float) -> np.ndarray:
    """log q_λ (per sr) at u ∈ [0, u_max]: λ e^{−λu} / (2π (1 − e^{−λ u_max}))."""
    return np.log(rate) - rate * u - np.log(2 * np.pi) - np.log(-np.expm1(-rate * u_max))


def _draw(rng: np.random.Generator, rate: float, count: int, u_max: float):
    """(u, φ) of ``count`` draws of q_λ on [0, u_max]: u by inversion of the truncated
    exponential."""
    return _proposal(rng.random(count), rng.random(count), rate, u_max)


def _proposal(x, y, rate: float, u_max: float):
    """(u, φ) of q_λ on [0, u_max] from uniform deviates x, y in [0, 1): u by inversion of
    the truncated exponential, φ = 2π y."""
    u = -np.log1p(x * np.expm1(-rate * u_max)) / rate
    return np.clip(u, 0.0, u_max), y * 2 * np.pi


def barrier_top(magnet, ref) -> float:
    """Where the lowest path out of the well of ``ref`` crosses the energy barrier, as
    m·ref (dimensionless, in (−1, 1)): the u at which the least energy over the azimuth,
    min_φ E(u, φ), is largest between the two ends (``magnet`` a MagnetParameters; E its
    anisotropy, demagnetizing and field energy). 0 for a uniaxial magnet without a field
    along its axis; −B/B_K,eff with a field B along ref (B_K,eff the anisotropy field less the
    demagnetizing fields along the path): a stabilising field moves the top towards the
    reversed state. Past it damping carries a magnet into the other well. On a grid of
    4001 values of m·ref (±5 × 10⁻⁴), symmetric about 0 (an exact 0 where E(u) = E(−u))."""
    cos = np.linspace(-1.0, 1.0, 4001)
    phi = (np.arange(64) + 0.5) * 2 * np.pi / 64
    path = magnet.energy(_directions(_frame(ref), (1.0 - cos)[:, None], phi[None, :]))
    lowest = path.min(axis=1)
    top = cos[int(np.argmax(lowest))]
    return float(np.clip(top, cos[1], cos[-2]))


def sample_well(magnet, ref, temperature: float, count: int, rng: np.random.Generator,
                sharpen: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(m (count, 3), weight (count,)) starting states in the thermal well of ``ref``.

    ``sharpen`` None: exact samples of p (rejection; weights 1). A number s ≥ 1: importance
    sampling from the defensive mixture with λ = s λ_p, every draw kept with its weight p/q
    (dimensionless; their mean is 1 in expectation). ``magnet`` a MagnetParameters,
    ``temperature`` in K.
    """
    well = Well(magnet, ref, temperature)
    broad = well.broad
    if sharpen is not None:
        if not (np.isfinite(sharpen) and sharpen >= 1):
            raise DynamicsError("sharpen", f"must be a number >= 1, got {sharpen!r}")
        sharp = sharpen * well.rate
        from_broad = rng.random(count) < DEFENSIVE
        u, phi = _draw(rng, sharp, count, well.u_max)
        u_b, phi_b = _draw(rng, broad, count, well.u_max)
        u, phi = np.where(from_broad, u_b, u), np.where(from_broad, phi_b, phi)
        m = _directions(well.frame, u, phi)
        mixture = np.logaddexp(np.log1p(-DEFENSIVE) + _log_proposal(u, sharp, well.u_max),
                               np.log(DEFENSIVE) + _log_proposal(u, broad, well.u_max))
        return m, np.exp(well.log_density(m) - mixture)
    envelope = well.bound(broad)
    if envelope > MAX_ENVELOPE:
        _tilted_well(ref, f"rejection would need {envelope:.2g} draws a start")
    kept = []
    left = count
    while left > 0:
        u, phi = _draw(rng, broad, int(left * envelope * 1.2) + 16, well.u_max)
        m = _directions(well.frame, u, phi)
        ratio = np.exp(well.log_density(m) - _log_proposal(u, broad, well.u_max)) / envelope
        m = m[rng.random(len(u)) < ratio][:left]
        kept.append(m)
        left -= len(m)
    return np.concatenate(kept), np.ones(count)


#: Thermal starts drawn from one generator: the uniforms of stream i are row i % START_BLOCK
#: of block i // START_BLOCK's.
START_BLOCK = 4096
#: Rejection proposals per stream and round.
_TRIES = 8


def thermal_starts(magnets, refs, temperature: float, seed: int, streams,
                   tag: int = 0) -> np.ndarray:
    """(E, 3) exact draws of the thermal distribution p(m) ∝ exp(−E(m)/k_BT) at
    ``temperature`` (K): draw e in the well of refs[e] ((3,) or (E, 3), the easy direction)
    of magnets[e] (one MagnetParameters or E of them), from the random stream
    ``streams[e]`` (E whole numbers ≥ 0) of ``seed`` alone — its uniforms are those of
    ``SeedSequence(seed, spawn_key=(2³² + 4, tag, block, round))``, row stream % 4096 of
    block stream // 4096, so that a stream's start depends on neither the others drawn
    with it nor their wells (``tag`` tells apart the magnets of one trajectory).

    The well is cut at the equator m·ref = 0 when a field along the axis moves its
    barrier's top beyond it (a start there, of weight below e^{−ΔE/k_BT} with ΔE the energy
    of the equator above the minimum, would lie on the other side of the easy axis than the
    one its switching is judged from). One :class:`Well` a distinct well and ref (magnets
    that differ only in damping or g share one). Rejection: rounds of eight proposals a
    stream from q at ``Well.broad``, the first kept with probability p/(M q).
    """
    streams, magnets, refs = _start_inputs(magnets, refs, streams)
    wells, which = _wells(magnets, refs, temperature)
    out = np.empty((len(streams), 3))
    for part in range(0, len(streams), 16 * START_BLOCK):  # bounded memory
        rows = np.arange(part, min(part + 16 * START_BLOCK, len(streams)))
        out[rows] = _rejection(wells, which[rows], seed, tag, streams[rows])
    return out


def _rejection(wells, which, seed: int, tag: int, streams: np.ndarray) -> np.ndarray:
    """(L, 3) the kept proposals of ``streams`` (L,), each in its well wells[which]: the
    proposals of a stream tried in their order, the first kept with probability p/(M q)."""
    out = np.empty((len(streams), 3))
    left, rounds = np.arange(len(streams)), 0
    while left.size:
        x = _start_uniforms(seed, tag, streams[left], rounds)  # (L, 3, tries)
        todo = np.ones(left.size, bool)
        for t in range(_TRIES):
            for w, (well, envelope) in enumerate(wells):
                rows = np.flatnonzero(todo & (which[left] == w))
                u, phi = _proposal(x[rows, 0, t], x[rows, 1, t], well.broad, well.u_max)
                m = _directions(well.frame, u, phi)
                ratio = np.exp(well.log_density(m) - _log_proposal(u, well.broad, well.u_max))
                hit = x[rows, 2, t] < ratio / envelope
                out[left[rows[hit]]] = m[hit]
                todo[rows[hit]] = False
        left, rounds = left[todo], rounds + 1
    return out


def _wells(magnets, refs, temperature: float):
    """([(Well, its rejection envelope M)], (E,) the index of each stream's): one a distinct
    well (:func:`_values`) and ref, cut at the equator or the barrier's top."""
    objects: dict[int, int] = {}  # a magnet given for every stream is keyed once
    codes = np.array([objects.setdefault(id(m), len(objects)) for m in magnets], np.int64)
    first = np.zeros(len(objects), np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]  # a stream of each object
    shapes: dict[tuple, int] = {}
    shape = np.array([shapes.setdefault(_values(magnets[e]), len(shapes)) for e in first],
                     np.int64)[codes]
    if np.all(refs == refs[0]):
        ref_code = np.zeros(len(refs), np.int64)
    else:
        ref_code = np.unique(refs, axis=0, return_inverse=True)[1].reshape(-1)
    pairs, which = np.unique(shape * (ref_code.max() + 1) + ref_code, return_inverse=True)
    wells = []
    for pair in range(len(pairs)):
        e = int(np.argmax(which == pair))
        magnet, ref = magnets[e], refs[e]
        well = Well(magnet, ref, temperature, max(barrier_top(magnet, ref), 0.0))
        envelope = well.bound(well.broad)
        if envelope > MAX_ENVELOPE:
            _tilted_well(ref, f"rejection would need {envelope:.2g} draws a start")
        wells.append((well, envelope))
    return wells, which.reshape(-1)


def _start_inputs(magnets, refs, streams):
    """(streams (E,) int64, E magnets, refs (E, 3)) of :func:`thermal_starts`, checked."""
    streams = np.asarray(streams)
    if streams.ndim != 1 or streams.dtype.kind not in "iu" or np.any(streams < 0):
        raise DynamicsError("streams", f"must be a 1-d array of whole numbers >= 0, got "
                            f"{streams!r}")
    n = len(streams)
    magnets = [magnets] * n if hasattr(magnets, "energy") else list(magnets)
    refs = np.asarray(refs, float)
    if len(magnets) != n or refs.shape not in ((3,), (n, 3)):
        raise DynamicsError("magnets", f"one magnet or {n} (one a stream), and one ref (3,) "
                            f"or {n} (E, 3); got {len(magnets)} magnets, refs of shape "
                            f"{refs.shape}")
    refs = np.broadcast_to(refs, (n, 3))
    length = np.linalg.norm(refs, axis=1)
    if not np.all(np.isfinite(length) & (length > 0)):
        raise DynamicsError("refs", "must be finite non-zero directions")
    return streams.astype(np.int64), magnets, refs / length[:, None]


def _start_uniforms(seed: int, tag: int, streams: np.ndarray, rounds: int) -> np.ndarray:
    """(L, 3, _TRIES) uniforms in [0, 1) of round ``rounds`` of ``streams`` (L,): rows of
    their blocks' generators (:func:`thermal_starts`)."""
    out = np.empty((len(streams), 3, _TRIES))
    blocks = streams // START_BLOCK
    for block in np.unique(blocks):
        rows = np.flatnonzero(blocks == block)
        rng = np.random.default_rng(np.random.SeedSequence(
            seed, spawn_key=(2**32 + 4, int(tag), int(block), int(rounds))))
        out[rows] = rng.random((START_BLOCK, 3, _TRIES))[streams[rows] % START_BLOCK]
    return out


#: MagnetParameters fields the energy E(m), and with it the well, does not depend on.
_NOT_IN_ENERGY = ("damping", "g_factor")


def _values(magnet) -> tuple:
    """The values of the fields of a MagnetParameters that shape its well, as bytes: equal
    for magnets with the same well (a map over the damping builds one)."""
    return tuple(np.asarray(getattr(magnet, f.name), float).tobytes() for f in fields(magnet)
                 if f.name not in _NOT_IN_ENERGY)
