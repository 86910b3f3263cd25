r"""Static condensation: the unknowns that no dynamic magnet touches, eliminated once.

The compiled integrators solve the Kirchhoff system of :class:`~.torque_model.CircuitTorqueModel`,

.. math::

    \Big(A_0 + \sum_g φ(m_g)\cdot E_g\Big)\, y
    = \Big(R_0 + \sum_g φ(m_g)\cdot F_g\Big)\, d + \sum_g φ(m_g)\cdot P_g\, X⃗_g ,

at every stage of a run that cannot take the torque as its series in m·p (several dynamic
magnets, polarisers along different axes). Split the unknowns into those kept, K — every row
and column where some E_g, F_g or P_g is not zero, every unknown that the absorbed spin current
T_g reads, and the electron temperatures that the thermal fields read — and the rest, S: the
bulk of static leads and spacers, whose equations do not depend on m. Their rows,
A_{0,SK} y_K + A_{0,SS} y_S = R_{0,S} d, give y_S = A_{0,SS}^{-1}(R_{0,S} d − A_{0,SK} y_K), and
the rows of K become, exactly,

.. math::

    \Big(A'_0 + \sum_g φ(m_g)\cdot E_{g,KK}\Big)\, y_K
    = \Big(R'_0 + \sum_g φ(m_g)\cdot F_{g,K}\Big)\, d + \sum_g φ(m_g)\cdot P_{g,K}\, X⃗_g,
    \qquad A'_0 = A_{0,KK} − A_{0,KS} A_{0,SS}^{-1} A_{0,SK}, \quad
    R'_0 = R_{0,K} − A_{0,KS} A_{0,SS}^{-1} R_{0,S},

the same system in the same features (the Schur complement of A_{0,SS}), with the same torque
(T_g does not read y_S). A stage then costs ~|K|³/3 instead of ~u³/3: a pillar with
diffusive leads of a hundred unknowns keeps the two dozen at its magnets' interfaces. The
factorisation of A_{0,SS} happens once, when the run is set up.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.linalg


@dataclass(frozen=True, eq=False)
class CondensedMaps:
    """The maps of the compiled integrators over the kept unknowns (module docstring).

    a0 (u', u'), r0 (u', 3n), e (k, q, u', u'), f (k, q, u', 3n), t (k, q, 3, u' + 3n),
    pump (p, q, u', 3) in the units of the model's maps; kept (u',) the model's unknowns that
    remain, in their order (an index i < 0 of a temperature slot, the solved unknown −1 − i,
    becomes :meth:`slots`).
    """

    a0: np.ndarray
    r0: np.ndarray
    e: np.ndarray
    f: np.ndarray
    t: np.ndarray
    pump: np.ndarray
    kept: np.ndarray

    def slots(self, index) -> np.ndarray:
        """``index`` (any shape, int64): i ≥ 0 (a drive slot) unchanged, i < 0 (the model's
        unknown −1 − i, which must be kept) → −1 − (its position among the kept)."""
        index = np.asarray(index, np.int64)
        position = np.searchsorted(self.kept, -1 - index)
        return np.ascontiguousarray(np.where(index >= 0, index, -1 - position), np.int64)


def kept_unknowns(e, f, t, pump, read) -> np.ndarray:
    """The unknowns (sorted indices into u) that a stage needs: the rows and columns where
    some feature map of E (k, q, u, u) is not zero, the rows of F (k, q, u, 3n) and of the
    pump sources (p, q, u, 3), the unknowns that T (k, q, 3, u + 3n) reads, and ``read``
    (unknown indices, e.g. the electron temperatures of the thermal fields)."""
    nz = np.any(e != 0, axis=(0, 1))
    return _needed(nz.any(axis=1) | nz.any(axis=0) | np.any(f != 0, axis=(0, 1, 3)),
                   t, pump, read)


def _needed(touched, t, pump, read) -> np.ndarray:
    """:func:`kept_unknowns` from the unknowns the E and F maps touch (u,) bool."""
    u = touched.size
    needed = (touched | np.any(pump != 0, axis=(0, 1, 3))
              | np.any(t[..., :u] != 0, axis=(0, 1, 2)))
    needed[np.asarray(read, np.intp)] = True
    return np.flatnonzero(needed)


def condense(a0, r0, e, f, t, pump, read=()) -> CondensedMaps:
    """The maps with the unknowns that no stage needs (:func:`kept_unknowns`) eliminated: the
    Schur complement of the module docstring. With nothing to eliminate, or a singular A_SS
    (a static part floating with the kept unknowns held: not a Kirchhoff system of a
    connected circuit), the maps are returned as they are."""
    u = a0.shape[0]
    kept = kept_unknowns(e, f, t, pump, read)
    rest = np.setdiff1d(np.arange(u), kept)
    whole = CondensedMaps(a0, r0, e, f, t, pump, np.arange(u))
    if rest.size == 0:
        return whole
    a_ks = a0[np.ix_(kept, rest)]
    try:
        with np.errstate(all="raise"), warnings.catch_warnings():
            warnings.simplefilter("error", scipy.linalg.LinAlgWarning)
            lu = scipy.linalg.lu_factor(a0[np.ix_(rest, rest)], check_finite=True)
            if not np.all(np.isfinite(lu[0])) or np.any(np.diag(lu[0]) == 0):
                return whole
            # Zᵀ = A_KS A_SS⁻¹: one solve with A_SSᵀ for the |K| columns
            z = scipy.linalg.lu_solve(lu, a_ks.T, trans=1)
    except (FloatingPointError, np.linalg.LinAlgError, scipy.linalg.LinAlgWarning, ValueError):
        return whole
    a_sk, r_s = a0[np.ix_(rest, kept)], r0[rest]
    return _restricted(a0[np.ix_(kept, kept)] - z.T @ a_sk, r0[kept] - z.T @ r_s,
                       e[:, :, kept][:, :, :, kept], f[:, :, kept], t, pump, kept)


def sparse_kept_unknowns(system, t, pump, read) -> np.ndarray:
    """:func:`kept_unknowns` of maps on a sparse pattern
    (:class:`~.sparse_maps.SparseFeatureSystem`)."""
    p, u = system.pattern, system.unknowns
    in_e = np.any(system.e != 0, axis=(0, 1))
    in_f = np.any(system.f != 0, axis=(0, 1))
    touched = np.zeros(u, bool)
    touched[p.a_indices[in_e]] = True
    touched[np.repeat(np.arange(u), np.diff(p.a_indptr))[in_e]] = True
    touched[np.repeat(np.arange(u), np.diff(p.r_indptr))[in_f]] = True
    return _needed(touched, t, pump, read)


def condense_sparse(system, t, pump, kept) -> CondensedMaps | None:
    """:func:`condense` of maps on a sparse pattern
    (:class:`~.sparse_maps.SparseFeatureSystem`) onto ``kept`` (:func:`sparse_kept_unknowns`):
    A_SS factorised by sparse LU, the kept maps formed densely — memory ~|K| (u + 3n), not
    u². None if A_SS is singular."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import splu

    p, u, nd = system.pattern, system.unknowns, system.drives
    a_cols = np.repeat(np.arange(u), np.diff(p.a_indptr))
    r_rows = np.repeat(np.arange(u), np.diff(p.r_indptr))
    in_e = np.any(system.e != 0, axis=(0, 1))
    in_f = np.any(system.f != 0, axis=(0, 1))
    rest = np.setdiff1d(np.arange(u), kept)
    a = sp.csc_matrix((system.a0, p.a_indices, p.a_indptr), shape=(u, u))
    r = sp.csr_matrix((system.r0, p.r_indices, p.r_indptr), shape=(u, nd))
    a_kk, r_k = a[kept][:, kept].toarray(), r[kept].toarray()
    if rest.size:
        try:
            lu = splu(sp.csc_matrix(a[rest][:, rest]))
        except RuntimeError:  # "Factor is exactly singular"
            return None
        z = lu.solve(np.ascontiguousarray(a[kept][:, rest].T.toarray()), trans="T")
        if not np.all(np.isfinite(z)):
            return None
        a_kk = a_kk - (a[rest][:, kept].T @ z).T
        r_k = r_k - (r[rest].T @ z).T
    pos = np.full(u, -1, np.intp)
    pos[kept] = np.arange(kept.size)
    (k, q), n = system.e.shape[:2], kept.size
    e = np.zeros((k, q, n, n))
    e[:, :, pos[p.a_indices[in_e]], pos[a_cols[in_e]]] = system.e[:, :, in_e]
    f = np.zeros((k, q, n, nd))
    f[:, :, pos[r_rows[in_f]], p.r_indices[in_f]] = system.f[:, :, in_f]
    return _restricted(a_kk, r_k, e, f, t, pump, kept)


def _restricted(a0, r0, e, f, t, pump, kept) -> CondensedMaps:
    """The condensed maps: T and the pump sources restricted to the kept unknowns."""
    u = t.shape[-1] - r0.shape[-1]
    columns = np.concatenate([kept, u + np.arange(r0.shape[-1])])
    return CondensedMaps(a0=np.ascontiguousarray(a0), r0=np.ascontiguousarray(r0),
                         e=np.ascontiguousarray(e), f=np.ascontiguousarray(f),
                         t=np.ascontiguousarray(t[..., columns]),
                         pump=np.ascontiguousarray(pump[:, :, kept]), kept=kept)
