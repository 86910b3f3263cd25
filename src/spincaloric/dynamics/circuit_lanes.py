"""The circuit torque map in compiled form, lanes last: one trajectory is a chunk of one lane.

For k dynamic magnets at magnetizations m (k, 3) and a drive vector d, the torque map of
:class:`~.torque_model.CircuitTorqueModel` is

    A(m) y = R(m) d (+ Σ_j S_j(m) X⃗_j),     A(m) = A0 + Σ_q φ_q(m) E_q,
    R(m) d = R0 d + Σ_q φ_q(m) F_q d,         I⃗_abs,g = Σ_q φ_q(m_g) T_gq (y, d),

with the features φ(m) (1, m, m⊗m; or the cubic and quartic monomials of m/|m| for magnets
whose spin accumulation is solved for), and the torque τ_g = (ħ/2e)(I⃗_abs,g)⊥m_g. With spin
pumping the unit spin biases X⃗_j = (ħ/e) ṁ_j × m_j of the moving magnets add 3k right-hand
sides, solved in the same elimination, from which τ = τ0 + D ṁ with
D_gj = (ħ/2e)(ħ/e) (Σ_q φ_q (T_gq A⁻¹ S_jq + δ_gj H_gq))⊥ (−[m_j×]) (N·m·s).

Every array here holds a chunk of L lanes in its last axis and every loop runs innermost over
the lanes (the compiler emits SIMD code): the ensemble kernels (:mod:`.ensemble`) call these
with L trajectories, the single-trajectory kernels (:mod:`.kernels`) with one — the map is
written once. The drive's contraction with the maps (rd = R0 d, fd = F d, td = T[..., u:] d)
comes from :func:`~.kernels.prepare_drive` and its lane forms.

The linear systems are solved by Gaussian elimination without pivoting: the Kirchhoff
matrix has a positive-definite symmetric part in the conjugate variables (non-negative
entropy production), for which elimination without pivoting is stable.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from ..constants import HBAR_E as _HBAR_E
from ..constants import TORQUE_PER_SPIN_CURRENT as _HBAR_2E

# Each function below is compiled twice by a factory: for chunks of lanes (``lanes``), and for
# one lane, the lane count then 1 when compiled so that every lane loop folds away, and the
# parts inlined into the whole (a call passing ~10 arrays costs their reference counts, more
# than one lane's arithmetic). A one-lane caller passes arrays with a trailing axis of 1
# made once (a reshape per call costs as much as the map).
_EXACT = {"cache": True, "error_model": "numpy"}
_FAST = {**_EXACT, "fastmath": True}


def _inline(lanes: bool) -> str:
    return "never" if lanes else "always"


@njit(cache=True, error_model="numpy")
def map_entries(e_map):
    """The non-zero entries (g, q, i, j) of the maps E (k, q, u, u), uint32 (nnz, 4) (unsigned:
    indices without a check for negative ones): the assembly runs over these only when they
    are fewer than a quarter (a spin valve's maps are ~9 % non-zero; those of a free layer
    whose spin accumulation is solved for, ~60 %, are summed densely)."""
    count = 0
    for x in e_map.ravel():
        count += x != 0.0
    out = np.empty((count, 4), np.uint32)
    z = 0
    for g in range(e_map.shape[0]):
        for q in range(e_map.shape[1]):
            for i in range(e_map.shape[2]):
                for j in range(e_map.shape[3]):
                    if e_map[g, q, i, j] != 0.0:
                        out[z, 0], out[z, 1], out[z, 2], out[z, 3] = g, q, i, j
                        z += 1
    return out


def _sphere(lanes):
    @njit(**_EXACT, inline=_inline(lanes))
    def sphere(y, g, phi, n):
        """The 25 cubic and quartic monomials of m/|m| of magnet g in every lane (same order as
        :func:`.torque_model.sphere_features`) into phi (k, 25, L); y (k, 3, L)."""
        n = n if lanes else 1  # one lane: its loops fold away
        for e in range(n):
            inv = 1.0 / math.sqrt(y[g, 0, e] ** 2 + y[g, 1, e] ** 2 + y[g, 2, e] ** 2)
            q = 0
            for i in range(3):
                for j in range(i, 3):
                    for k in range(j, 3):
                        phi[g, q, e] = y[g, i, e] * y[g, j, e] * y[g, k, e] * inv ** 3
                        q += 1
            for i in range(3):
                for j in range(i, 3):
                    for k in range(j, 3):
                        for m in range(k, 3):
                            phi[g, q, e] = (y[g, i, e] * y[g, j, e] * y[g, k, e] * y[g, m, e]
                                            * inv ** 4)
                            q += 1

    return sphere


def _features(lanes, sphere):
    @njit(**_FAST, inline=_inline(lanes))
    def features(y, g, phi, n):
        """The features φ (k, q, L) of magnet g at the lanes' magnetizations y (k, 3, L) into
        phi: 13 (1, m, m mᵀ written out), or the 25 monomials of :func:`sphere`."""
        n = n if lanes else 1  # one lane: its loops fold away
        if phi.shape[1] != 13:
            sphere(y, g, phi, n)
            return
        for e in range(n):
            mx, my, mz = y[g, 0, e], y[g, 1, e], y[g, 2, e]
            phi[g, 0, e] = 1.0
            phi[g, 1, e] = mx
            phi[g, 2, e] = my
            phi[g, 3, e] = mz
            phi[g, 4, e] = mx * mx
            phi[g, 5, e] = mx * my
            phi[g, 6, e] = mx * mz
            phi[g, 7, e] = my * mx
            phi[g, 8, e] = my * my
            phi[g, 9, e] = my * mz
            phi[g, 10, e] = mz * mx
            phi[g, 11, e] = mz * my
            phi[g, 12, e] = mz * mz

    return features


def _add_maps(lanes):
    @njit(**_FAST, inline=_inline(lanes))
    def add_maps(e_map, nz, phi, amat, n):
        """amat (u, u, L) += Σ_q φ_q E_q: over E's non-zero entries nz (:func:`map_entries`)
        when they are fewer than a quarter, else entry by entry (an index per entry then costs
        more than the zeros)."""
        n = n if lanes else 1  # one lane: its loops fold away
        if 4 * nz.shape[0] < e_map.size:
            for z in range(nz.shape[0]):
                g, q, i, j = nz[z, 0], nz[z, 1], nz[z, 2], nz[z, 3]
                c = e_map[g, q, i, j]
                for e in range(n):
                    amat[i, j, e] += phi[g, q, e] * c
            return
        for g in range(e_map.shape[0]):
            for q in range(e_map.shape[1]):
                for i in range(e_map.shape[2]):
                    for j in range(e_map.shape[3]):
                        c = e_map[g, q, i, j]
                        if c != 0.0 or not lanes:  # a skip pays across lanes
                            for e in range(n):
                                amat[i, j, e] += phi[g, q, e] * c

    return add_maps


def _assemble(lanes, features, add_maps):
    @njit(**_FAST, inline=_inline(lanes))
    def assemble(y, a0, e_map, nz, rd, fd, phi, amat, w, n):
        """A(m) = A0 + Σ_q φ_q(m) E_q into amat (u, u, L) and the drive's right-hand side
        rd + Σ_q φ_q fd_q (R0 d + Σ_q φ_q F_q d) into w (u, L), the features φ (k, q, L) of
        the lanes' magnetizations y (k, 3, L) into phi; nz: E's non-zero entries."""
        n = n if lanes else 1  # one lane: its loops fold away
        u = a0.shape[0]
        for i in range(u):
            for j in range(u):
                for e in range(n):
                    amat[i, j, e] = a0[i, j]
            for e in range(n):
                w[i, e] = rd[i, e]
        for g in range(y.shape[0]):
            features(y, g, phi, n)
            for q in range(phi.shape[1]):
                for i in range(u):
                    for e in range(n):
                        w[i, e] += phi[g, q, e] * fd[g, q, i, e]
        add_maps(e_map, nz, phi, amat, n)

    return assemble


def _eliminate(lanes):
    @njit(**_FAST, inline=_inline(lanes))
    def eliminate(amat, w, ws, npump, n):
        """Solve amat x = w (and the first ``npump`` columns of ws (u, ≥ npump, L)) in place,
        amat (u, u, L), w (u, ≥ L): Gaussian elimination without pivoting, lane by lane."""
        n = n if lanes else 1  # one lane: its loops fold away
        u = amat.shape[0]
        for col in range(u):
            for r in range(col + 1, u):
                for e in range(n):
                    fac = amat[r, col, e] / amat[col, col, e]
                    if lanes or fac != 0.0:  # one lane skips the Kirchhoff matrix's zeros
                        for c in range(col + 1, u):
                            amat[r, c, e] -= fac * amat[col, c, e]
                        w[r, e] -= fac * w[col, e]
                        for c in range(npump):
                            ws[r, c, e] -= fac * ws[col, c, e]
        for r in range(u - 1, -1, -1):
            for e in range(n):
                inv = 1.0 / amat[r, r, e]
                s = w[r, e]
                for c in range(r + 1, u):
                    s -= amat[r, c, e] * w[c, e]
                w[r, e] = s * inv
                for j in range(npump):
                    s = ws[r, j, e]
                    for c in range(r + 1, u):
                        s -= amat[r, c, e] * ws[c, j, e]
                    ws[r, j, e] = s * inv

    return eliminate


def _absorbed(lanes):
    @njit(**_FAST, inline=_inline(lanes))
    def absorbed(y, t_map, td, phi, w, u, tau, n):
        """The absorbed transverse spin currents Σ_q φ_q (T_q y + td_q) of the u solved unknowns
        w[:u] (≥ u, L) as torques τ = (ħ/2e) (I − (I·m) m) (N·m) into tau (k, 3, L)."""
        n = n if lanes else 1  # one lane: its loops fold away
        nq = t_map.shape[1]
        for g in range(y.shape[0]):
            for c in range(3):
                for e in range(n):
                    tau[g, c, e] = 0.0
            for q in range(nq):
                for c in range(3):
                    for e in range(n):
                        s = td[g, q, c, e]
                        for j in range(u):
                            s += t_map[g, q, c, j] * w[j, e]
                        tau[g, c, e] += phi[g, q, e] * s
            for e in range(n):
                ix, iy, iz = tau[g, 0, e], tau[g, 1, e], tau[g, 2, e]
                dot = ix * y[g, 0, e] + iy * y[g, 1, e] + iz * y[g, 2, e]
                tau[g, 0, e] = _HBAR_2E * (ix - dot * y[g, 0, e])
                tau[g, 1, e] = _HBAR_2E * (iy - dot * y[g, 1, e])
                tau[g, 2, e] = _HBAR_2E * (iz - dot * y[g, 2, e])

    return absorbed


def _pump_source(lanes):
    @njit(**_EXACT, inline=_inline(lanes))
    def pump_source(phi, pm, ws, n):
        """The pumping sources Σ_q φ_q(m_g) pm[g, q] (A per V of unit spin bias of magnet g) into
        ws (u, 3k, L)."""
        n = n if lanes else 1  # one lane: its loops fold away
        k, nq, u = pm.shape[0], pm.shape[1], pm.shape[2]
        for i in range(u):
            for c in range(3 * k):
                for e in range(n):
                    ws[i, c, e] = 0.0
        for g in range(k):
            for q in range(nq):
                for i in range(u):
                    for c in range(3):
                        v = pm[g, q, i, c]
                        if v != 0.0 or not lanes:
                            for e in range(n):
                                ws[i, 3 * g + c, e] += phi[g, q, e] * v

    return pump_source


def _feature_sums(lanes):
    @njit(**_EXACT, inline=_inline(lanes))
    def feature_sums(g, t_map, hm, phi, tsum, hsum, n):
        """Σ_q φ_q T_q (3, u, L) into tsum and Σ_q φ_q hm_q (3, 3, L) into hsum, for magnet g."""
        n = n if lanes else 1  # one lane: its loops fold away
        nq, u = hm.shape[1], tsum.shape[1]
        for a in range(3):
            for i in range(u):
                for e in range(n):
                    tsum[a, i, e] = 0.0
                for q in range(nq):
                    tv = t_map[g, q, a, i]
                    if tv != 0.0 or not lanes:
                        for e in range(n):
                            tsum[a, i, e] += phi[g, q, e] * tv
            for c in range(3):
                for e in range(n):
                    hsum[a, c, e] = 0.0
                for q in range(nq):
                    h = hm[g, q, a, c]
                    for e in range(n):
                        hsum[a, c, e] += phi[g, q, e] * h

    return feature_sums


def _damping(lanes, feature_sums):
    @njit(**_EXACT, inline=_inline(lanes))
    def damping(y, t_map, hm, phi, ws, dmat, n):
        """D (3k, 3k, L) N·m·s into dmat from the solved responses ws (u, 3k, L) to unit spin
        biases: the absorbed current through the circuit plus the direct one (hm (k, q, 3, 3)),
        transverse, times (ħ/2e)(ħ/e)(−[m_j×]); the maps summed over the features first."""
        n = n if lanes else 1  # one lane: its loops fold away
        k, u = hm.shape[0], ws.shape[0]
        cur = np.empty((3, 3, n))
        tsum = np.empty((3, u, n))
        hsum = np.empty((3, 3, n))
        for g in range(k):
            feature_sums(g, t_map, hm, phi, tsum, hsum, n)
            for j in range(k):
                for a in range(3):
                    for c in range(3):
                        for e in range(n):
                            cur[a, c, e] = hsum[a, c, e] if j == g else 0.0
                        for i in range(u):
                            for e in range(n):
                                cur[a, c, e] += tsum[a, i, e] * ws[i, 3 * j + c, e]
                for e in range(n):
                    for c in range(3):  # transverse to m_g
                        dot = (cur[0, c, e] * y[g, 0, e] + cur[1, c, e] * y[g, 1, e]
                               + cur[2, c, e] * y[g, 2, e])
                        for a in range(3):
                            cur[a, c, e] -= dot * y[g, a, e]
                    mx, my, mz = y[j, 0, e], y[j, 1, e], y[j, 2, e]
                    for a in range(3):  # times (ħ/e)(−[m_j×])
                        c0, c1, c2 = cur[a, 0, e], cur[a, 1, e], cur[a, 2, e]
                        dmat[3 * g + a, 3 * j, e] = _HBAR_2E * _HBAR_E * (c2 * my - c1 * mz)
                        dmat[3 * g + a, 3 * j + 1, e] = _HBAR_2E * _HBAR_E * (c0 * mz - c2 * mx)
                        dmat[3 * g + a, 3 * j + 2, e] = _HBAR_2E * _HBAR_E * (c1 * mx - c0 * my)

    return damping


def _torque(lanes, assemble, pump_source, eliminate, damping, absorbed):
    @njit(**_FAST)
    def torque(y, a0, e_map, nz, t_map, pm, hm, rd, fd, td, phi, amat, w, ws, dmat, tau, n):
        """Torques τ0 (k, 3, L) in N·m into tau of the magnetizations y (k, 3, L) under the drive
        contracted into rd (u, L), fd (k, q, u, L), td (k, q, 3, L); the solved unknowns into
        w[:u] (≥ u, L), the features into phi (k, q, L), amat (u, u, L) scratch. With spin
        pumping (pm (k, q, u, 3) non-empty; hm (k, q, 3, 3)) also D (3k, 3k, L) N·m·s into dmat,
        τ = τ0 + D ṁ, the unit spin biases solved as 3k more right-hand sides ws (u, 3k, L)."""
        n = n if lanes else 1  # one lane: its loops fold away
        u = a0.shape[0]
        assemble(y, a0, e_map, nz, rd, fd, phi, amat, w, n)
        npump = 3 * y.shape[0] if pm.shape[0] > 0 else 0
        if npump:
            pump_source(phi, pm, ws, n)
        eliminate(amat, w, ws, npump, n)
        if npump:
            damping(y, t_map, hm, phi, ws, dmat, n)
        absorbed(y, t_map, td, phi, w, u, tau, n)

    return torque


def _torque_map(lanes: bool):
    """The torque map's function for chunks of lanes (``lanes``) or for one lane."""
    assemble = _assemble(lanes, _features(lanes, _sphere(lanes)), _add_maps(lanes))
    return _torque(lanes, assemble, _pump_source(lanes),
                   _eliminate(lanes), _damping(lanes, _feature_sums(lanes)), _absorbed(lanes))


#: τ0 (and D) of chunks of L lanes: torque(y, a0, e_map, nz, t_map, pm, hm, rd, fd, td, phi,
#: amat, w, ws, dmat, tau, n) — nz = map_entries(e_map), y (k, 3, L) the magnetizations, rd (u, L), fd (k, q, u, L),
#: td (k, q, 3, L) the contracted drive, phi (k, q, L), amat (u, u, L) scratch, w (≥ u, L)
#: the solved unknowns, ws (u, 3k, L) their responses to unit spin biases, dmat (3k, 3k, L)
#: D in N·m·s, tau (k, 3, L) τ0 in N·m; pumping when pm (k, q, u, 3) is not empty.
circuit_torque_lanes = _torque_map(True)
#: The same for one lane (L = 1, the lane count fixed when compiled).
circuit_torque_one = _torque_map(False)
