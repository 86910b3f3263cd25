r"""One magnet's circuit torque as an exact series in c = m·p.

When one magnet moves and every other direction in the circuit — the magnetizations of the
other ferromagnets and the Hanle fields of normal nodes — lies along one axis p, a spin
rotation about p that carries m along leaves the Kirchhoff equations unchanged. Every scalar
the circuit computes (a voltage, a temperature) then depends on m only through
c = m·p = cos θ, and every transverse vector or tensor is built from the frame

.. math::

    u_1 = p - c\,m = -m\times(m\times p), \qquad u_2 = m\times p, \qquad
    |u_1| = |u_2| = \sin θ,

so that the torque (N·m), linear in the drive vector d (V, K, A of each reservoir), and the
spin-pumping tensor D (N·m·s, τ = τ0 + D ṁ, :meth:`.torque_model.CircuitTorqueModel.
damping_matrix`), which maps the plane ⊥ m into itself and does not depend on d, are

.. math::

    τ_0(m, d) = \sum_j d_j\,\big[a_j(c)\,u_1 + b_j(c)\,u_2\big],

    D(m) = g_0(c)\,(1 - m m^\mathsf{T}) + g_1(c)\,[m\times]
         + g_2(c)\,(u_1u_1^\mathsf{T} - u_2u_2^\mathsf{T})
         + g_3(c)\,(u_1u_2^\mathsf{T} + u_2u_1^\mathsf{T}).

The coefficients are rational functions of c — the unknowns solve a linear system whose
entries are polynomials in m — and smooth on [−1, 1] (a torque vanishes as sin θ at the poles,
the anisotropic part of D as sin²θ), so their Chebyshev series converge geometrically. The
coefficients come from the exact solve at the 33 Chebyshev points of the first kind
(interior, sin θ > 0) by the discrete cosine transform; each series is then cut where its
coefficients fall below 10⁻¹⁴ of the largest of its drive slot (of D for D's): degree 14–22
for the spin valves and pillars of the examples, and none at all for a coefficient that
vanishes by symmetry (a field-like torque, an Im G↑↓ term). The solved unknowns that the
thermal noise needs (an internal magnet's electron temperature, the temperatures its pumping
channels see) are tabulated the same way, as scalars.

A table is only used when it *is* the exact map: it is checked against the exact solve
(:class:`~.torque_model.CircuitTorqueModel`) at magnetizations spread over the whole sphere —
off the plane it was sampled in, which tests the symmetry too — and accepted if every torque,
D and tabulated unknown agrees to :data:`TOLERANCE` of the largest value of its drive slot
(each slot in its own units, :func:`disagreement`); else the
run solves the circuit at every stage as before. One evaluation costs a few hundred operations
instead of an assembly and a dense solve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..circuit.contacts import cross_matrix
from ..constants import HBAR_E
from .torque_model import CircuitTorqueModel, dynamic_magnet_nodes, unit_drives

#: Largest disagreement with the exact solve, relative to the largest value of its drive slot
#: (torque, D, unknowns), at which a table stands for the exact map.
TOLERANCE = 1e-11
#: Series degrees tried in turn (before each series is cut).
DEGREES = (32, 64, 128)
#: Coefficients below this fraction of the largest of their drive slot (of D) are dropped.
CUT = 1e-14
#: A drive slot whose response stays below this fraction of the largest slot's is numerically
#: zero (round-off of a response that vanishes by symmetry).
ZERO = 1e-13
#: A torque scale (N·m per unit drive) below which a slot is judged on an absolute footing:
#: TOLERANCE of it, 10⁻²⁹ N·m, turns no magnet (γτ/M_sV ≈ 2 rad/s for 10⁻¹⁸ A m², 2 μrad in
#: a microsecond); the solve's own round-off of a torque that vanishes by symmetry (≈ 10⁻³⁰
#: N·m in a circuit whose absorbed spin currents are large) passes, a lost torque of 10⁻²⁴ N·m
#: does not.
TORQUE_FLOOR = 1e-18
#: Operations of the exact solves one build may spend (a factorization u³/3 and the 3n drive
#: columns u² each, at every point sampled or checked).
BUILD_WORK = 2e10
#: Random magnetizations of the check.
CHECKS = 64


@dataclass(frozen=True, eq=False)
class AxialTable:
    """The series of one magnet's torque in c = m·p (see the module).

    axis : p (3,), unit.   columns : (nc,) the drive slots with a response.
    unknowns : (nt,) indices of the solved unknowns tabulated (temperatures the thermal
        noise needs).   coefficients : (nc (2 + nt) + 4, N + 1) Chebyshev coefficients:
        rows ci(2 + nt) + (0: a, 1: b, 2 + i: unknown i) per column, in N·m (a, b) or the
        unknown's unit per unit drive (V, K or A); the last four rows g0…g3 (N·m·s).
    error : the largest relative disagreement found by the check.
    lengths : (rows,) the terms kept in each series (0: the coefficient vanishes).
    """

    axis: np.ndarray
    columns: np.ndarray
    unknowns: np.ndarray
    coefficients: np.ndarray
    error: float

    def __repr__(self) -> str:
        return (f"AxialTable(axis={np.array2string(self.axis, precision=4)}, degree="
                f"{self.degree}, drive slots {self.columns.tolist()}, {len(self.unknowns)} "
                f"unknowns, error={self.error:.2g})")

    @property
    def degree(self) -> int:
        """N, the largest degree of the series kept."""
        return self.coefficients.shape[1] - 1

    @property
    def lengths(self) -> np.ndarray:
        nonzero = self.coefficients != 0
        last = self.coefficients.shape[1] - np.argmax(nonzero[:, ::-1], axis=1)
        return np.where(nonzero.any(axis=1), last, 0).astype(np.int64)

    def evaluate(self, m: np.ndarray, d: np.ndarray):
        """NumPy reference: (τ0 (..., 3) N·m, D (..., 3, 3) N·m·s, unknowns (..., nt)) at unit
        magnetizations m (..., 3) and drive vectors d (..., 3n)."""
        m = np.asarray(m, float)
        c = np.clip(m @ self.axis, -1.0, 1.0)
        values = np.polynomial.chebyshev.chebval(c, self.coefficients.T)  # (rows, ...)
        no = 2 + len(self.unknowns)
        per = values[:-4].reshape((len(self.columns), no) + c.shape)
        x = np.moveaxis(np.asarray(d, float)[..., self.columns], -1, 0)  # (nc, ...)
        a, b = np.sum(x * per[:, 0], axis=0), np.sum(x * per[:, 1], axis=0)
        if len(self.unknowns):
            y = np.moveaxis(np.einsum("c...,ci...->i...", x, per[:, 2:]), 0, -1)
        else:
            y = np.zeros(c.shape + (0,))
        u1, u2 = _frame(m, self.axis, c)
        tau = a[..., None] * u1 + b[..., None] * u2
        g = values[-4:]
        return tau, _damping(m, u1, u2, g), y


def _frame(m, axis, c):
    return axis - c[..., None] * m, np.cross(m, axis)


def _damping(m, u1, u2, g):
    """D (..., 3, 3) from g (4, ...) in the frame of the module's equation."""
    def outer(v, w):
        return v[..., :, None] * w[..., None, :]

    perp = np.eye(3) - outer(m, m)
    return (g[0][..., None, None] * perp + g[1][..., None, None] * cross_matrix(m)
            + g[2][..., None, None] * (outer(u1, u1) - outer(u2, u2))
            + g[3][..., None, None] * (outer(u1, u2) + outer(u2, u1)))


def axial_table(model: CircuitTorqueModel, unknowns=(),
                candidates=None) -> tuple[AxialTable | None, str]:
    """(table, "") of the model's one dynamic magnet, or (None, why not): more than one
    dynamic magnet, heat balances, directions not along one axis, a dense build beyond
    :data:`BUILD_WORK`, or no series of degree ≤ 128 that agrees with the exact solve.
    ``unknowns``: indices of solved unknowns to tabulate too; ``candidates``: the drive
    slots to tabulate (those a run can drive; default: every slot) — a model on the sparse
    pattern (:mod:`.sparse_maps`) of a large layer has as many slots as the layer's nodes."""
    if len(model.magnets) != 1:
        return None, "more than one dynamic magnet"
    if model.heat is not None:
        return None, "the nodes store heat"
    axis = _axis(model)
    if axis is None:
        return None, "the other magnetizations and fields are not along one axis"
    u, nd = model.pump.shape[2], model.d0.size
    if model.sparse is None and (DEGREES[0] + CHECKS + 9) * (u**3 / 3 + u * u * nd) > BUILD_WORK:
        return None, f"{u} unknowns: the table would cost more than it saves"
    unknowns = np.unique(np.asarray(unknowns, np.int64))
    candidates = (np.arange(nd) if candidates is None
                  else np.unique(np.asarray(candidates, np.int64)))
    columns = candidates[_responsive_columns(model, axis, unknowns, candidates)]
    error = np.inf
    for degree in DEGREES:
        coefficients = _cut(_fit(model, axis, columns, unknowns, degree), len(columns),
                            len(unknowns))
        table = AxialTable(axis, columns, unknowns, coefficients, 0.0)
        error = disagreement(model, table)
        if error <= TOLERANCE:
            return AxialTable(axis, columns, unknowns, coefficients, error), ""
    return None, f"no series of degree ≤ {DEGREES[-1]} agrees with the solve ({error:.1e})"


def _axis(model: CircuitTorqueModel) -> np.ndarray | None:
    """p: the common axis of the static ferromagnets' magnetizations and the Hanle fields
    (either sign), or None; z when there is none."""
    c = model.circuit
    moving = np.concatenate(dynamic_magnet_nodes(c, model.magnets)[1])
    static = np.ones(c.n_nodes, bool)
    static[moving] = False
    dirs = [c.magnetization[static & c.ferromagnet]]
    if len(c.precession):
        dirs.append(c.precession)
    dirs = np.concatenate(dirs)
    dirs = dirs[np.linalg.norm(dirs, axis=1) > 0]
    if not len(dirs):
        return np.array([0.0, 0.0, 1.0])
    dirs = dirs / np.linalg.norm(dirs, axis=1)[:, None]
    if np.abs(np.cross(dirs, dirs[0])).max() > 1e-12:
        return None
    return dirs[0].copy()


def _points(axis: np.ndarray, degree: int):
    """(x, m): the Chebyshev points of the first kind x (N + 1,) and unit m (N + 1, 3) at
    them, in one plane through p."""
    x = np.cos(np.pi * (np.arange(degree + 1) + 0.5) / (degree + 1))
    side = np.cross(axis, [0.6, 0.48, 0.64] if abs(axis[2]) < 0.9 else [0.8, 0.6, 0.0])
    side /= np.linalg.norm(side)
    return x, x[:, None] * axis + np.sqrt(1.0 - x * x)[:, None] * side


def _exact(model: CircuitTorqueModel, m: np.ndarray, columns, unknowns):
    """Exact τ0 (M, nc, 3), unknowns (M, nc, nt) per unit drive, D (M, 3, 3) at m (M, 3)."""
    tau, y = model.unit_responses(m[:, None, :], columns)
    return tau[:, :, 0], y[..., unknowns], model.damping_matrix(m[:, None, :])[:, 0, :, 0, :]


def _responsive_columns(model: CircuitTorqueModel, axis, unknowns, slots) -> np.ndarray:
    """Positions in ``slots`` of the drive slots that exert a torque or move a tabulated
    unknown."""
    _, m = _points(axis, 8)
    tau, y, _ = _exact(model, m, slots, unknowns)
    size = np.abs(tau).max(axis=(0, 2))
    if len(unknowns):
        moved = np.abs(y).max(axis=(0, 2))
        return np.flatnonzero((size > 0) | (moved > 0))
    return np.flatnonzero(size > 0)


def _fit(model, axis, columns, unknowns, degree) -> np.ndarray:
    """Chebyshev coefficients (rows, N + 1) from the exact solve at the first-kind points."""
    x, m = _points(axis, degree)
    tau, y, dmat = _exact(model, m, columns, unknowns)
    c = m @ axis
    u1, u2 = _frame(m, axis, c)
    s2 = 1.0 - x * x
    a = np.einsum("mjc,mc->mj", tau, u1) / s2[:, None]
    b = np.einsum("mjc,mc->mj", tau, u2) / s2[:, None]

    def proj(v, w):
        return np.einsum("ma,mab,mb->m", v, dmat, w)

    d11, d12, d21, d22 = proj(u1, u1), proj(u1, u2), proj(u2, u1), proj(u2, u2)
    g = np.stack([(d11 + d22) / (2 * s2), (d21 - d12) / (2 * s2),
                  (d11 - d22) / (2 * s2**2), (d12 + d21) / (2 * s2**2)], axis=1)
    per = np.concatenate([a[..., None], b[..., None], y], axis=2)  # (M, nc, 2 + nt)
    values = np.concatenate([per.reshape(len(x), -1), g], axis=1)  # (M, rows)
    k = np.arange(degree + 1)
    cosines = np.cos(np.pi * np.outer(k, np.arange(degree + 1) + 0.5) / (degree + 1))
    coef = cosines @ values * (2.0 / (degree + 1))
    coef[0] /= 2.0
    return np.ascontiguousarray(coef.T)


def _cut(coef: np.ndarray, nc: int, nt: int) -> np.ndarray:
    """The coefficients with those below :data:`CUT` of the largest of their group (a drive
    slot's a, b; each unknown of a slot; D) set to zero, trailing zero columns dropped. A
    group's largest is at least :data:`ZERO` of the largest group of its kind (a torque
    that vanishes by symmetry keeps no series of round-off), and for an unknown (an electron
    temperature) 1 K per unit drive."""
    no = 2 + nt
    kinds = [[list(range(ci * no, ci * no + 2)) for ci in range(nc)],
             [[ci * no + 2 + i] for ci in range(nc) for i in range(nt)],
             [list(range(nc * no, nc * no + 4))]]
    coef = coef.copy()
    for kind, groups in enumerate(kinds):
        top = max((np.abs(coef[rows]).max() for rows in groups), default=0.0)
        floor = 1.0 if kind == 1 else ZERO * top  # an unknown: 1 K per unit drive at least
        for rows in groups:
            block = coef[rows]
            block[np.abs(block) < CUT * max(np.abs(block).max(), floor)] = 0.0
            coef[rows] = block
    keep = np.flatnonzero(np.any(coef != 0, axis=0))
    width = keep[-1] + 1 if len(keep) else 1
    return np.ascontiguousarray(coef[:, :width])


def disagreement(model: CircuitTorqueModel, table: AxialTable) -> float:
    """The largest |table − exact| over random unit m (and m near ±p), for each drive slot
    relative to that slot's largest exact value (the slots have their own units: V, K, A),
    or, for a torque that vanishes, to :data:`ZERO` of the largest slot's and at least
    :data:`TORQUE_FLOOR`, for an unknown (an electron temperature) to 1 K per unit drive; for D
    relative to its largest value (at least (ħ/e) TORQUE_FLOOR)."""
    rng = np.random.default_rng(7)
    m = rng.normal(size=(CHECKS, 3))
    m[:4] = table.axis * [[1.0], [-1.0], [1.0], [-1.0]] + 1e-6 * m[:4]
    m /= np.linalg.norm(m, axis=1)[:, None]
    tau, y, dmat = _exact(model, m, table.columns, table.unknowns)
    unit = unit_drives(model.d0.size, table.columns)
    t_tab, d_tab, y_tab = table.evaluate(m[:, None, :], unit[None])
    worst = 0.0
    for got, want, floor in ((t_tab, tau, ZERO), (y_tab, y, None)):  # (M, nc, ...): per slot
        if want.size:
            size = np.abs(want).reshape(len(m), want.shape[1], -1).max(axis=(0, 2))
            err = np.abs(got - want).reshape(len(m), want.shape[1], -1).max(axis=(0, 2))
            scale = np.maximum(size, max(ZERO * size.max(), TORQUE_FLOOR) if floor else 1.0)
            worst = max(worst, float(np.max(err / np.where(scale > 0, scale, 1.0))))
    d_scale = max(np.abs(dmat).max(), TORQUE_FLOOR * HBAR_E)
    if dmat.size:
        worst = max(worst, float(np.abs(d_tab[:, 0] - dmat).max() / d_scale))
    return worst
