"""Ensemble kernels: fixed-step RK4 / stochastic Heun vectorised across trajectories.

The state of a chunk of L trajectories is stored lane-last, (k, 3, L), and every operation
loops innermost over the lanes, so the compiler emits SIMD code; chunks run in parallel
threads (``prange``). The circuit torque solves one small system per lane by Gaussian
elimination without pivoting: the Kirchhoff matrix has a positive-definite symmetric part in the
conjugate variables (non-negative entropy production), for which elimination without pivoting
is stable; tests compare it with the pivoted scalar kernel.

Random numbers come from a per-trajectory xorshift128+ generator whose state (from the random seed
and the trajectory index, :mod:`.streams`) is shared with the scalar kernels: trajectory i is the
same whatever the ensemble size, chunking or thread count. Switching events are located on the steps as in
:func:`~.kernels.integrate_fixed`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ..constants import BOLTZMANN as _KB
from ..constants import HBAR_E as _HBAR_E
from ..constants import MU0 as _MU0
from ..constants import TORQUE_PER_SPIN_CURRENT as _HBAR_2E
from .kernels import (
    contract_series,
    interp_table,
    normals_lanes,
    prepare_drive,
    pumping_field_lanes,
    pumping_temperatures_lanes,
    rk4_crossing,
    series_scratch,
)

LANES = 64


@njit(cache=True, error_model="numpy", fastmath=True)
def _rhs_lanes(mode, y, mp, mv, bth, tau, out, n):
    """dm/dt (k, 3, L) from m = y, torques tau (N·m), thermal field bth (T)."""
    k = y.shape[0]
    for g in range(k):
        for e in range(n):
            mx, my, mz = y[g, 0, e], y[g, 1, e], y[g, 2, e]
            ms, alpha, gam, bk, tf = mp[g, 0, e], mp[g, 2, e], mp[g, 3, e], mp[g, 4, e], \
                mp[g, 5, e]
            ux, uy, uz = mv[g, 0, 0, e], mv[g, 0, 1, e], mv[g, 0, 2, e]
            proj = mx * ux + my * uy + mz * uz
            bx = mv[g, 2, 0, e] + bk * proj * ux - _MU0 * ms * mv[g, 1, 0, e] * mx + bth[g, 0, e]
            by = mv[g, 2, 1, e] + bk * proj * uy - _MU0 * ms * mv[g, 1, 1, e] * my + bth[g, 1, e]
            bz = mv[g, 2, 2, e] + bk * proj * uz - _MU0 * ms * mv[g, 1, 2, e] * mz + bth[g, 2, e]
            ox = -gam * (my * bz - mz * by) + tf * tau[g, 0, e]
            oy = -gam * (mz * bx - mx * bz) + tf * tau[g, 1, e]
            oz = -gam * (mx * by - my * bx) + tf * tau[g, 2, e]
            c = 1.0 / (1.0 + alpha * alpha)
            out[g, 0, e] = c * (ox + alpha * (my * oz - mz * oy))
            out[g, 1, e] = c * (oy + alpha * (mz * ox - mx * oz))
            out[g, 2, e] = c * (oz + alpha * (mx * oy - my * ox))


@njit(cache=True, error_model="numpy")
def _sphere_lanes(y, g, phi, n):
    """The 25 cubic and quartic monomials of m/|m| of magnet g in every lane (same order as
    :func:`.torque_model.sphere_features`)."""
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


@njit(cache=True, error_model="numpy")
def _pump_source_lanes(phi, pm, ws, n):
    """The pumping sources Σ_q φ_q(m_g) pm[g, q] (per unit spin bias of magnet g) into ws
    (u, 3k, L)."""
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
                    if v != 0.0:
                        for e in range(n):
                            ws[i, 3 * g + c, e] += phi[g, q, e] * v


@njit(cache=True, error_model="numpy")
def _damping_lanes(y, t_map, hm, phi, ws, dmat, n):
    """D (3k, 3k, L) N·m·s from the solved responses ws (u, 3k, L) to unit spin biases, as
    :func:`~.kernels.circuit_torque_pumped`."""
    k, nq, u = hm.shape[0], hm.shape[1], ws.shape[0]
    cur = np.empty((3, 3, n))
    for g in range(k):
        for j in range(k):
            for a in range(3):
                for c in range(3):
                    for e in range(n):
                        cur[a, c, e] = 0.0
                    for q in range(nq):
                        h = hm[g, q, a, c] if j == g else 0.0
                        for e in range(n):
                            acc = h
                            for i in range(u):
                                acc += t_map[g, q, a, i] * ws[i, 3 * j + c, e]
                            cur[a, c, e] += phi[g, q, e] * acc
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


@njit(cache=True, error_model="numpy", fastmath=True)
def _solve_lanes(mat, vec, fac, nn, n):
    """Solve mat x = vec (nn, nn, L), (nn, L) in place in every lane, by elimination without
    pivoting (for matrices near 1 or with a positive-definite symmetric part), lanes innermost
    in every operation; fac (L,) scratch."""
    for col in range(nn):
        for r in range(col + 1, nn):
            for e in range(n):
                fac[e] = mat[r, col, e] / mat[col, col, e]
            for c in range(col, nn):
                for e in range(n):
                    mat[r, c, e] -= fac[e] * mat[col, c, e]
            for e in range(n):
                vec[r, e] -= fac[e] * vec[col, e]
    for r in range(nn - 1, -1, -1):
        for c in range(r + 1, nn):
            for e in range(n):
                vec[r, e] -= mat[r, c, e] * vec[c, e]
        for e in range(n):
            vec[r, e] /= mat[r, r, e]


@njit(cache=True, error_model="numpy", fastmath=True)
def _rhs_pumped_lanes(y, mp, mv, bth, tau, dmat, out, mmat, vec, n):
    """dm/dt (k, 3, L) with spin pumping: M ṁ = Ω per lane (:func:`~.kernels.llgs_rhs_pumped`),
    by elimination without pivoting (M = 1 + small: α and the pumping dampings)."""
    k = y.shape[0]
    nn = 3 * k
    for g in range(k):
        for e in range(n):
            mx, my, mz = y[g, 0, e], y[g, 1, e], y[g, 2, e]
            ms, alpha, gam, bk, tf = mp[g, 0, e], mp[g, 2, e], mp[g, 3, e], mp[g, 4, e], \
                mp[g, 5, e]
            ux, uy, uz = mv[g, 0, 0, e], mv[g, 0, 1, e], mv[g, 0, 2, e]
            proj = mx * ux + my * uy + mz * uz
            bx = mv[g, 2, 0, e] + bk * proj * ux - _MU0 * ms * mv[g, 1, 0, e] * mx + bth[g, 0, e]
            by = mv[g, 2, 1, e] + bk * proj * uy - _MU0 * ms * mv[g, 1, 1, e] * my + bth[g, 1, e]
            bz = mv[g, 2, 2, e] + bk * proj * uz - _MU0 * ms * mv[g, 1, 2, e] * mz + bth[g, 2, e]
            vec[3 * g, e] = -gam * (my * bz - mz * by) + tf * tau[g, 0, e]
            vec[3 * g + 1, e] = -gam * (mz * bx - mx * bz) + tf * tau[g, 1, e]
            vec[3 * g + 2, e] = -gam * (mx * by - my * bx) + tf * tau[g, 2, e]
        for a in range(3):
            for c in range(nn):
                for e in range(n):
                    mmat[3 * g + a, c, e] = -mp[g, 5, e] * dmat[3 * g + a, c, e]
            for e in range(n):
                mmat[3 * g + a, 3 * g + a, e] += 1.0
        for e in range(n):
            mx, my, mz, alpha = y[g, 0, e], y[g, 1, e], y[g, 2, e], mp[g, 2, e]
            mmat[3 * g, 3 * g + 1, e] += alpha * mz
            mmat[3 * g, 3 * g + 2, e] -= alpha * my
            mmat[3 * g + 1, 3 * g, e] -= alpha * mz
            mmat[3 * g + 1, 3 * g + 2, e] += alpha * mx
            mmat[3 * g + 2, 3 * g, e] += alpha * my
            mmat[3 * g + 2, 3 * g + 1, e] -= alpha * mx
    _solve_lanes(mmat, vec, out[0, 0], nn, n)  # out's first row as scratch until filled
    for g in range(k):
        for a in range(3):
            for e in range(n):
                out[g, a, e] = vec[3 * g + a, e]


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _chebyshev_lanes(y, axis, basis, n):
    """T_i(c) (N + 1, L) at c = m·p of every lane (m as it is, :func:`~.kernels.axial_torque`)."""
    for e in range(n):
        basis[0, e] = 1.0
        basis[1, e] = y[0, 0, e] * axis[0] + y[0, 1, e] * axis[1] + y[0, 2, e] * axis[2]
    for i in range(2, basis.shape[0]):
        for e in range(n):
            basis[i, e] = 2.0 * basis[1, e] * basis[i - 1, e] - basis[i - 2, e]


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _series_lanes(dl, no, coef, lens, basis, acc, pumping, n):
    """Every series of the table at every lane into acc (rows, L); those of a drive slot no
    lane drives (dl = 0) are skipped (left 0), D's only with ``pumping``."""
    rows = coef.shape[0] if pumping else coef.shape[0] - 4
    for r in range(rows):
        for e in range(n):
            acc[r, e] = 0.0
        if r < dl.shape[0] * no:
            used = False
            for e in range(n):
                used = used or dl[r // no, e] != 0.0
            if not used:
                continue
        for i in range(lens[r]):
            cf = coef[r, i]
            for e in range(n):
                acc[r, e] += cf * basis[i, e]


@njit(cache=True, error_model="numpy", fastmath=True)
def _lane_series(y, dl, axis, cols, unk, coef, lens, basis, acc, pumping, val, n):
    """The outputs (a, b, the unknowns, D's g0 … g3) into val (nt + 6, L) for lanes with
    drives of their own: every slot's series at every lane, contracted lane by lane."""
    _chebyshev_lanes(y, axis, basis, n)
    no = 2 + unk.shape[0]
    _series_lanes(dl, no, coef, lens, basis, acc, pumping, n)
    for o in range(no):
        for e in range(n):
            s = 0.0
            for ci in range(cols.shape[0]):
                s += dl[ci, e] * acc[ci * no + o, e]
            val[o, e] = s
    base = cols.shape[0] * no
    for o in range(4 if pumping else 0):
        for e in range(n):
            val[no + o, e] = acc[base + o, e]


@njit(cache=True, error_model="numpy", fastmath=True)
def _shared_series(y, axis, ser, basis, acc, pumping, val, n):
    """The outputs into val (nt + 6, L) for lanes that share their drives: the series
    contracted once (:func:`~.kernels.contract_series`), each output Σ_k e_k T_k(x) +
    c Σ_j β_j T_j(x) at x = 2c² − 1 lane by lane (half the basis)."""
    nout = (ser.shape[0] - 2) // 2
    used = nout if pumping else nout - 4
    top = 1
    for o in range(used):
        top = max(top, (int(ser[0, o]) + 1) // 2)
    for e in range(n):
        c = y[0, 0, e] * axis[0] + y[0, 1, e] * axis[1] + y[0, 2, e] * axis[2]
        acc[0, e] = c
        basis[0, e] = 1.0
        basis[1, e] = 2.0 * c * c - 1.0
    for i in range(2, top):
        for e in range(n):
            basis[i, e] = 2.0 * basis[1, e] * basis[i - 1, e] - basis[i - 2, e]
    for o in range(used):
        m = int(ser[0, o])
        for e in range(n):
            val[o, e] = 0.0
            acc[1, e] = 0.0
        for k in range((m + 1) // 2):
            cf = ser[2 + o, k]
            for e in range(n):
                val[o, e] += cf * basis[k, e]
        for k in range(m // 2):
            cf = ser[2 + nout + o, k]
            for e in range(n):
                acc[1, e] += cf * basis[k, e]
        for e in range(n):
            val[o, e] += acc[0, e] * acc[1, e]


@njit(cache=True, error_model="numpy", fastmath=True)
def _axial_lanes(y, tab, pumping, tau, dmat, w, n):
    """:func:`~.kernels.axial_torque` lane by lane: τ0 (1, 3, L), D (3, 3, L) with
    ``pumping``, the tabulated unknowns into w (u, L), from the series contracted once when
    the chunk's lanes share their drives (:func:`_shared_series`), else lane by lane
    (:func:`_lane_series`, the lanes' drives dl (nc, L) of the table's slots); ``tab`` =
    (dl, axis, cols, unk, coef, lens, basis, acc, ser, val) (:func:`_chunk`)."""
    dl, axis, cols, unk, coef, lens, basis, acc, ser, val = tab
    if ser[0, ser.shape[1] - 2] != 0.0:
        _shared_series(y, axis, ser, basis, acc, pumping, val, n)
    else:
        _lane_series(y, dl, axis, cols, unk, coef, lens, basis, acc, pumping, val, n)
    no = 2 + unk.shape[0]
    for i in range(unk.shape[0]):
        for e in range(n):
            w[unk[i], e] = val[2 + i, e]
    for e in range(n):
        mx, my, mz = y[0, 0, e], y[0, 1, e], y[0, 2, e]
        c = mx * axis[0] + my * axis[1] + mz * axis[2]
        u1x, u1y, u1z = axis[0] - c * mx, axis[1] - c * my, axis[2] - c * mz  # p − c m
        u2x = my * axis[2] - mz * axis[1]  # m × p
        u2y = mz * axis[0] - mx * axis[2]
        u2z = mx * axis[1] - my * axis[0]
        a, b = val[0, e], val[1, e]
        tau[0, 0, e] = a * u1x + b * u2x
        tau[0, 1, e] = a * u1y + b * u2y
        tau[0, 2, e] = a * u1z + b * u2z
        if not pumping:
            continue
        g0, g1, g2, g3 = val[no, e], val[no + 1, e], val[no + 2, e], val[no + 3, e]
        dmat[0, 0, e] = g0 * (1.0 - mx * mx) + g2 * (u1x * u1x - u2x * u2x) + 2 * g3 * u1x * u2x
        dmat[1, 1, e] = g0 * (1.0 - my * my) + g2 * (u1y * u1y - u2y * u2y) + 2 * g3 * u1y * u2y
        dmat[2, 2, e] = g0 * (1.0 - mz * mz) + g2 * (u1z * u1z - u2z * u2z) + 2 * g3 * u1z * u2z
        sxy = -g0 * mx * my + g2 * (u1x * u1y - u2x * u2y) + g3 * (u1x * u2y + u2x * u1y)
        sxz = -g0 * mx * mz + g2 * (u1x * u1z - u2x * u2z) + g3 * (u1x * u2z + u2x * u1z)
        syz = -g0 * my * mz + g2 * (u1y * u1z - u2y * u2z) + g3 * (u1y * u2z + u2y * u1z)
        dmat[0, 1, e] = sxy - g1 * mz  # + g1 [m×]
        dmat[1, 0, e] = sxy + g1 * mz
        dmat[0, 2, e] = sxz + g1 * my
        dmat[2, 0, e] = sxz - g1 * my
        dmat[1, 2, e] = syz - g1 * mx
        dmat[2, 1, e] = syz + g1 * mx


@njit(cache=True, error_model="numpy")
def _share_drives(tab, d, n):
    """Whether the chunk's lanes share the drives of the table's slots; if so, the series
    contracted with them (:func:`~.kernels.contract_series`, nothing done while they stay
    the same), flagged in ser[0, -2]; ``d`` a drive vector's scratch."""
    dl, axis, cols, unk, coef, lens, basis, acc, ser, val = tab
    shared = True
    for ci in range(cols.shape[0]):
        for e in range(1, n):
            shared = shared and dl[ci, e] == dl[ci, 0]
    if shared:
        for ci in range(cols.shape[0]):
            d[cols[ci]] = dl[ci, 0]
        contract_series(d, cols, coef, lens, ser)
    ser[0, ser.shape[1] - 2] = 1.0 if shared else 0.0


@njit(cache=True, error_model="numpy")
def _axial_drives_lanes(first, n, d0, slot, vl, amp, cols, dl):
    """The lanes' drives dl (nc, L) of the table's slots ``cols``, the tables' values vl
    (J, L) at this time (:func:`_lane_tables`)."""
    for ci in range(cols.shape[0]):
        for e in range(n):
            dl[ci, e] = d0[first + e, cols[ci]]
    for j in range(slot.shape[0]):
        s = slot[j]
        for ci in range(cols.shape[0]):
            if cols[ci] == s:
                for e in range(n):
                    dl[ci, e] += amp[first + e, j] * (vl[j, e] - d0[first + e, s])


@njit(cache=True, error_model="numpy")
def _lane_tables(tt, first, n, tset, offsets, times, values, cur, vl):
    """Each drive table's value at time tt (s) for every lane into vl (J, L): lane e reads
    table set tset[first + e] (``offsets`` (S, J + 1)); a set is read once for a run of
    lanes that share it (all of them, unless the trajectories have drives of their own)."""
    last = -1
    for e in range(n):
        s = tset[first + e]
        if s != last:
            for j in range(vl.shape[0]):
                cur[j] = interp_table(tt, times, values, offsets[s, j], offsets[s, j + 1])
            last = s
        for j in range(vl.shape[0]):
            vl[j, e] = cur[j]


# one kernel on purpose (C901): passing its arrays to more helpers is ~2x slower per trajectory
@njit(cache=True, error_model="numpy", fastmath=True)
def _torque_lanes(mode, y, mp, slon, a0, e_map, t_map, pm, hm, rd, fd, td, phi, amat, w, ws,  # noqa: C901
                  dmat, tau, tab, n):
    """Torques (k, 3, L) in N·m (mode 1: circuit; 2: prescribed Slonczewski; 0: none); with
    spin pumping (pm non-empty, :func:`~.kernels.circuit_torque_pumped`) also D (3k, 3k, L)
    into dmat, solved with the unit spin biases as 3k more right-hand sides ws (u, 3k, L).
    Mode 3: one magnet's series in m·p (:func:`_axial_lanes`, ``tab``)."""
    k = y.shape[0]
    if mode == 3:
        _axial_lanes(y, tab, pm.shape[0] > 0, tau, dmat, w, n)
        return
    if mode == 0:
        for g in range(k):
            for c in range(3):
                for e in range(n):
                    tau[g, c, e] = 0.0
        return
    if mode == 2:
        for g in range(k):
            for e in range(n):
                aj = slon[g, 0, e]  # a_J M_s V: N·m
                px, py, pz = slon[g, 1, e], slon[g, 2, e], slon[g, 3, e]
                mdp = y[g, 0, e] * px + y[g, 1, e] * py + y[g, 2, e] * pz
                tau[g, 0, e] = aj * (mdp * y[g, 0, e] - px)
                tau[g, 1, e] = aj * (mdp * y[g, 1, e] - py)
                tau[g, 2, e] = aj * (mdp * y[g, 2, e] - pz)
        return
    u = a0.shape[0]
    for i in range(u):
        for j in range(u):
            for e in range(n):
                amat[i, j, e] = a0[i, j]
        for e in range(n):
            w[i, e] = rd[i, e]
    nq = e_map.shape[1]
    for g in range(k):
        if nq != 13:
            _sphere_lanes(y, g, phi, n)
        else:
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
        for q in range(nq):
            for i in range(u):
                for j in range(u):
                    c = e_map[g, q, i, j]
                    if c != 0.0:
                        for e in range(n):
                            amat[i, j, e] += phi[g, q, e] * c
                for e in range(n):
                    w[i, e] += phi[g, q, e] * fd[g, q, i, e]
    npump = 3 * k if pm.shape[0] > 0 else 0
    if npump:
        _pump_source_lanes(phi, pm, ws, n)
    # elimination without pivoting, lane by lane in SIMD
    for col in range(u):
        for r in range(col + 1, u):
            for e in range(n):
                fac = amat[r, col, e] / amat[col, col, e]
                for c in range(col, u):
                    amat[r, c, e] -= fac * amat[col, c, e]
                w[r, e] -= fac * w[col, e]
                for c in range(npump):
                    ws[r, c, e] -= fac * ws[col, c, e]
    for r in range(u - 1, -1, -1):
        for e in range(n):
            s = w[r, e]
            for c in range(r + 1, u):
                s -= amat[r, c, e] * w[c, e]
            w[r, e] = s / amat[r, r, e]
            for j in range(npump):
                s = ws[r, j, e]
                for c in range(r + 1, u):
                    s -= amat[r, c, e] * ws[c, j, e]
                ws[r, j, e] = s / amat[r, r, e]
    if npump:
        _damping_lanes(y, t_map, hm, phi, ws, dmat, n)
    for g in range(k):
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


@njit(cache=True, error_model="numpy")
def _drives_lanes(mode, tt, first, n, d0, slot, tset, offsets, times, values, amp, r0, f, t, d,
                  rd, fd, td, rd1, fd1, td1, tab, cur, vl):
    """Drive of every lane at time tt, contracted into rd (u, L), fd (k, q, u, L), td: the
    static drive's contraction once (the lanes share d0, broadcast from the circuit's), then
    each drive's column scaled by its excursion amp (v(t) − d0) lane by lane, lanes
    innermost (the maps are linear in d, :func:`.kernels.prepare_excursion`). Mode 3 (the
    torque's series in m·p): the lanes' drives of the series' slots into tab's dl
    (:func:`_axial_drives_lanes`) instead, the series contracted with them once if the lanes
    share them (:func:`_share_drives`)."""
    _lane_tables(tt, first, n, tset, offsets, times, values, cur, vl)
    if mode == 3:
        _axial_drives_lanes(first, n, d0, slot, vl, amp, tab[2], tab[0])
        _share_drives(tab, d, n)
        return
    prepare_drive(d0[first], r0, f, t, rd1, fd1, td1)
    _lanes_of(rd1, fd1, td1, rd, fd, td, n)
    x = d[:n]  # the excursion of one drive, lane by lane (d holds at least L entries)
    for j in range(slot.shape[0]):
        s = slot[j]
        for e in range(n):
            x[e] = amp[first + e, j] * (vl[j, e] - d0[first + e, s])
        _add_column(x, s, r0, f, t, rd, fd, td, n)


@njit(cache=True, error_model="numpy", inline="always")
def _lanes_of(rd1, fd1, td1, rd, fd, td, n):
    """The one-lane contraction (rd1, fd1, td1) into every lane of (rd, fd, td)."""
    for i in range(rd1.shape[0]):
        for e in range(n):
            rd[i, e] = rd1[i]
    for g in range(fd1.shape[0]):
        for q in range(fd1.shape[1]):
            for i in range(fd1.shape[2]):
                for e in range(n):
                    fd[g, q, i, e] = fd1[g, q, i]
            for c in range(3):
                for e in range(n):
                    td[g, q, c, e] = td1[g, q, c]


@njit(cache=True, error_model="numpy", inline="always")
def _add_column(x, s, r0, f, t, rd, fd, td, n):
    """Add x[e] times the maps' column of drive slot s to every lane e."""
    u = r0.shape[0]
    for i in range(u):
        col = r0[i, s]
        for e in range(n):
            rd[i, e] += x[e] * col
    for g in range(f.shape[0]):
        for q in range(f.shape[1]):
            for i in range(u):
                col = f[g, q, i, s]
                for e in range(n):
                    fd[g, q, i, e] += x[e] * col
            for c in range(3):
                col = t[g, q, c, u + s]
                for e in range(n):
                    td[g, q, c, e] += x[e] * col


@njit(cache=True, error_model="numpy")
def _drive_vectors(tt, first, n, nl, d0, slot, tset, offsets, times, values, amp, cur, vl, dls):
    """The lanes' drive vectors dls (nd, L) at time tt (s), as :func:`~.kernels.drive_at`:
    each drive's table read once per set (:func:`_lane_tables`); those of the first ``nl``
    lanes, copied to the rest when the lanes share them (:func:`_shared_lanes`)."""
    _lane_tables(tt, first, nl, tset, offsets, times, values, cur, vl)
    for s in range(dls.shape[0]):
        for e in range(nl):
            dls[s, e] = d0[first + e, s]
    for j in range(slot.shape[0]):
        s = slot[j]
        for e in range(nl):
            dls[s, e] = d0[first + e, s] + amp[first + e, j] * (vl[j, e] - d0[first + e, s])
    for s in range(dls.shape[0] if nl < n else 0):
        for e in range(1, n):
            dls[s, e] = dls[s, 0]


@njit(cache=True, error_model="numpy", fastmath=True)
def _noise_lanes(tt, dt, mode, first, n, nl, y, w, dmat, mpl, d0, slot, tset, offsets, times, values,
                 amp, temp_slot, pslot, pweight, t0, state, cur, vl, dls, thetal, temps,
                 cmat, xil, bth, pumping):
    """Brown's field into bth (k, 3, L) (T) of every lane at time tt (s), and with ``pumping``
    the pumping channels' (:func:`~.kernels.pumping_field_lanes`): each drive's table read
    once per set (:func:`_lane_tables`), the lanes' drive vectors dls (nd, L) from it (as
    :func:`~.kernels.drive_at`), the magnets' temperatures (``temp_slot``: a drive slot, or
    with the circuit torque (mode 1, 3) a solved unknown in w (u, L)); the drives of the
    first ``nl`` lanes only when the lanes share them (:func:`_shared_lanes`). Per trajectory,
    Brown's 3k normal deviates, then the pumping's 3k, from its own stream in ``state``."""
    k = y.shape[0]
    _drive_vectors(tt, first, n, nl, d0, slot, tset, offsets, times, values, amp, cur, vl, dls)
    for g in range(k):
        ts = temp_slot[g]
        for e in range(n):
            if ts >= 0:
                temps[g, e] = max(t0 + dls[ts, e], 0.0)
            elif mode == 1 or mode == 3:
                temps[g, e] = max(t0 + w[-1 - ts, e], 0.0)
            else:
                temps[g, e] = t0
    if pumping:
        pumping_temperatures_lanes(pslot, pweight, t0, dls, w, thetal, dt, n)
    flat = bth.reshape((3 * k, bth.shape[2]))
    for i in range(3 * k):
        normals_lanes(state, flat, i, n)
    for g in range(k):
        for e in range(n):
            sig = math.sqrt(2.0 * mpl[g, 2, e] * _KB * temps[g, e]
                            / (mpl[g, 3, e] * mpl[g, 0, e] * mpl[g, 1, e] * dt))
            for c in range(3):
                bth[g, c, e] *= sig
    if pumping:
        for i in range(3 * k):
            normals_lanes(state, xil, i, n)
        pumping_field_lanes(y, dmat, mpl, thetal, cmat, xil, bth, n)


@njit(cache=True, error_model="numpy", fastmath=True)
def _crossings(y, k1, k2, k3, k4, refl, pold, tt, dt, heun, t_cross, first, n):
    """Record the steps over which p = ref·m fell from ≥ 0 (pold, (k, L)) to < 0: the zero of p
    on the step's interpolant (RK4: cubic continuous extension; Heun: linear) into t_cross (s);
    refl (k, 3, L) the lanes' reference directions."""
    for g in range(y.shape[0]):
        for e in range(n):
            p1 = refl[g, 0, e] * y[g, 0, e] + refl[g, 1, e] * y[g, 1, e] + refl[g, 2, e] * y[g, 2, e]
            p0 = pold[g, e]
            if p0 >= 0.0 and p1 < 0.0:
                if heun:
                    theta = p0 / (p0 - p1)
                else:
                    a1, a23, a4 = 0.0, 0.0, 0.0
                    for c in range(3):
                        a1 += refl[g, c, e] * k1[g, c, e]
                        a23 += refl[g, c, e] * (k2[g, c, e] + k3[g, c, e])
                        a4 += refl[g, c, e] * k4[g, c, e]
                    theta = rk4_crossing(p0, a1, a23, a4, dt)
                t_cross[first + e, g] = tt + dt * theta


@njit(cache=True, error_model="numpy")
def _shared_lanes(mode, first, n, d0, amp, tset):
    """How many lanes' drives to evaluate: 1 when the chunk's lanes share their drives (static
    drive vector, amplitudes and table set, as in an ensemble of one device) and the torque is
    the series in m·p (mode 3), whose contraction then serves every lane; else n."""
    if mode != 3:
        return n
    for e in range(1, n):
        if tset[first + e] != tset[first]:
            return n
        for s in range(d0.shape[1]):
            if d0[first + e, s] != d0[first, s]:
                return n
        for j in range(amp.shape[1]):
            if amp[first + e, j] != amp[first, j]:
                return n
    return 1


# one kernel on purpose (C901): passing its arrays to more helpers is ~2x slower per trajectory
@njit(cache=True, error_model="numpy", fastmath=True)
def _chunk(mode, m0, save_step, dt, heun, noise, rng, d0, slot, offsets, times, values, amp,  # noqa: C901
           tset, a0, r0, e_map, f, t, pm, hm, slon, mp, mv, tab_axis, tab_cols, tab_unk, tab_coef,
           tab_len, temp_slot, pslot, pweight, t0, out, ref, t_cross, first, n):
    k = m0.shape[1]
    u, nd = a0.shape[0], d0.shape[1]
    y = np.empty((k, 3, n))
    ytmp = np.empty((k, 3, n))
    k1 = np.empty((k, 3, n))
    k2 = np.empty((k, 3, n))
    k3 = np.empty((k, 3, n))
    k4 = np.empty((k, 3, n))
    bth = np.zeros((k, 3, n))
    tau = np.empty((k, 3, n))
    nq = e_map.shape[1]
    phi = np.empty((k, nq, n))
    amat = np.empty((u, u, n))
    w = np.empty((u, n))
    rd = np.empty((u, n))
    fd = np.empty((k, nq, u, n))
    td = np.empty((k, nq, 3, n))
    pumping = pm.shape[0] > 0  # spin pumping: τ = τ0 + D ṁ, the LLGS solved for ṁ
    ws = np.empty((u, 3 * k, n))
    dmat = np.empty((3 * k, 3 * k, n))
    mmat = np.empty((3 * k, 3 * k, n))
    vec = np.empty((3 * k, n))
    d = np.empty(max(nd, n))  # a drive vector, or the lanes' excursions of one drive
    rd1 = np.empty(u)
    fd1 = np.empty((k, nq, u))
    td1 = np.empty((k, nq, 3))
    mpl = np.empty((k, 6, n))
    mvl = np.empty((k, 3, 3, n))
    sl = np.empty((k, 4, n))
    temps = np.empty((k, n))
    pold = np.empty((k, n))
    # the thermal fields (_noise_lanes)
    cur = np.empty(slot.shape[0])
    vl = np.empty((slot.shape[0], n))
    dls = np.empty((nd, n))
    thetal = np.empty((k, n))
    xil = np.empty((3 * k, n))
    cmat = np.empty((3 * k, 3 * k, n))
    ser = series_scratch(tab_cols, tab_unk, tab_coef)
    tab = (np.empty((tab_cols.shape[0], n)), tab_axis, tab_cols, tab_unk, tab_coef, tab_len,
           np.empty((max(tab_coef.shape[1], 2), n)), np.empty((max(tab_coef.shape[0], 2), n)),
           ser, np.empty((ser.shape[0] // 2 - 1, n)))
    state = np.empty((2, n), np.uint64)  # lanes last (normals_lanes), written back at the end
    for e in range(n):
        state[0, e] = rng[first + e, 0]
        state[1, e] = rng[first + e, 1]
    refl = np.empty((k, 3, n))
    for e in range(n):
        for g in range(k):
            for c in range(3):
                y[g, c, e] = m0[first + e, g, c]
                refl[g, c, e] = ref[first + e, g, c]
            for c in range(6):
                mpl[g, c, e] = mp[first + e, g, c]
            for a in range(3):
                for c in range(3):
                    mvl[g, a, c, e] = mv[first + e, g, a, c]
            for c in range(4):
                sl[g, c, e] = slon[first + e, g, c]
    has_tables = slot.shape[0] > 0
    nl = _shared_lanes(mode, first, n, d0, amp, tset)  # lanes whose drives are evaluated
    step = save_step[0]  # the first step (t = step dt on the run's own clock)
    _drives_lanes(mode, step * dt, first, nl, d0, slot, tset, offsets, times, values, amp, r0, f, t,
                  d, rd, fd, td, rd1, fd1, td1, tab, cur, vl)
    n_save = save_step.shape[0]
    si = 0
    while si < n_save and save_step[si] <= step:
        for e in range(n):
            for g in range(k):
                for c in range(3):
                    out[first + e, si, g, c] = y[g, c, e]
        si += 1
    while si < n_save:
        tt = step * dt
        for g in range(k):
            for e in range(n):
                pold[g, e] = (refl[g, 0, e] * y[g, 0, e] + refl[g, 1, e] * y[g, 1, e]
                              + refl[g, 2, e] * y[g, 2, e])
        if has_tables:
            _drives_lanes(mode, tt, first, nl, d0, slot, tset, offsets, times, values, amp, r0, f,
                          t, d, rd, fd, td, rd1, fd1, td1, tab, cur, vl)
        if heun:
            # the torque first: an internal magnet's temperature is one of its unknowns
            _torque_lanes(mode, y, mpl, sl, a0, e_map, t, pm, hm, rd, fd, td, phi, amat, w, ws,
                          dmat, tau, tab, n)
            if noise:
                _noise_lanes(tt, dt, mode, first, n, nl, y, w, dmat, mpl, d0, slot, tset, offsets,
                             times, values, amp, temp_slot, pslot, pweight, t0, state, cur, vl,
                             dls, thetal, temps, cmat, xil, bth, pumping)
            if pumping:
                _rhs_pumped_lanes(y, mpl, mvl, bth, tau, dmat, k1, mmat, vec, n)
            else:
                _rhs_lanes(mode, y, mpl, mvl, bth, tau, k1, n)
            for g in range(k):
                for c in range(3):
                    for e in range(n):
                        ytmp[g, c, e] = y[g, c, e] + dt * k1[g, c, e]
            if has_tables:
                _drives_lanes(mode, tt + dt, first, nl, d0, slot, tset, offsets, times, values,
                              amp, r0, f, t, d, rd, fd, td, rd1, fd1, td1, tab, cur, vl)
            _torque_lanes(mode, ytmp, mpl, sl, a0, e_map, t, pm, hm, rd, fd, td, phi, amat, w, ws,
                          dmat, tau, tab, n)
            if pumping:
                _rhs_pumped_lanes(ytmp, mpl, mvl, bth, tau, dmat, k2, mmat, vec, n)
            else:
                _rhs_lanes(mode, ytmp, mpl, mvl, bth, tau, k2, n)
            for g in range(k):
                for c in range(3):
                    for e in range(n):
                        y[g, c, e] += 0.5 * dt * (k1[g, c, e] + k2[g, c, e])
        else:
            _torque_lanes(mode, y, mpl, sl, a0, e_map, t, pm, hm, rd, fd, td, phi, amat, w, ws,
                          dmat, tau, tab, n)
            if pumping:
                _rhs_pumped_lanes(y, mpl, mvl, bth, tau, dmat, k1, mmat, vec, n)
            else:
                _rhs_lanes(mode, y, mpl, mvl, bth, tau, k1, n)
            for g in range(k):
                for c in range(3):
                    for e in range(n):
                        ytmp[g, c, e] = y[g, c, e] + 0.5 * dt * k1[g, c, e]
            if has_tables:
                _drives_lanes(mode, tt + 0.5 * dt, first, nl, d0, slot, tset, offsets, times,
                              values, amp, r0, f, t, d, rd, fd, td, rd1, fd1, td1, tab, cur,
                              vl)
            _torque_lanes(mode, ytmp, mpl, sl, a0, e_map, t, pm, hm, rd, fd, td, phi, amat, w, ws,
                          dmat, tau, tab, n)
            if pumping:
                _rhs_pumped_lanes(ytmp, mpl, mvl, bth, tau, dmat, k2, mmat, vec, n)
            else:
                _rhs_lanes(mode, ytmp, mpl, mvl, bth, tau, k2, n)
            for g in range(k):
                for c in range(3):
                    for e in range(n):
                        ytmp[g, c, e] = y[g, c, e] + 0.5 * dt * k2[g, c, e]
            _torque_lanes(mode, ytmp, mpl, sl, a0, e_map, t, pm, hm, rd, fd, td, phi, amat, w, ws,
                          dmat, tau, tab, n)
            if pumping:
                _rhs_pumped_lanes(ytmp, mpl, mvl, bth, tau, dmat, k3, mmat, vec, n)
            else:
                _rhs_lanes(mode, ytmp, mpl, mvl, bth, tau, k3, n)
            for g in range(k):
                for c in range(3):
                    for e in range(n):
                        ytmp[g, c, e] = y[g, c, e] + dt * k3[g, c, e]
            if has_tables:
                _drives_lanes(mode, tt + dt, first, nl, d0, slot, tset, offsets, times, values,
                              amp, r0, f, t, d, rd, fd, td, rd1, fd1, td1, tab, cur, vl)
            _torque_lanes(mode, ytmp, mpl, sl, a0, e_map, t, pm, hm, rd, fd, td, phi, amat, w, ws,
                          dmat, tau, tab, n)
            if pumping:
                _rhs_pumped_lanes(ytmp, mpl, mvl, bth, tau, dmat, k4, mmat, vec, n)
            else:
                _rhs_lanes(mode, ytmp, mpl, mvl, bth, tau, k4, n)
            for g in range(k):
                for c in range(3):
                    for e in range(n):
                        y[g, c, e] += dt / 6.0 * (k1[g, c, e] + 2.0 * k2[g, c, e]
                                                  + 2.0 * k3[g, c, e] + k4[g, c, e])
        _crossings(y, k1, k2, k3, k4, refl, pold, tt, dt, heun, t_cross, first, n)
        for g in range(k):
            for e in range(n):
                nrm = math.sqrt(y[g, 0, e] ** 2 + y[g, 1, e] ** 2 + y[g, 2, e] ** 2)
                for c in range(3):
                    y[g, c, e] /= nrm
        step += 1
        while si < n_save and save_step[si] <= step:
            for e in range(n):
                for g in range(k):
                    for c in range(3):
                        out[first + e, si, g, c] = y[g, c, e]
            si += 1
    for e in range(n):  # each stream where this run left it
        rng[first + e, 0] = state[0, e]
        rng[first + e, 1] = state[1, e]


@njit(cache=True, error_model="numpy", parallel=True)
def integrate_ensemble(mode, m0, save_step, dt, heun, noise, rng, d0, slot, offsets, times,
                       values, amp, tset, a0, r0, e_map, f, t, pm, hm, slon, mp, mv, tab_axis,
                       tab_cols, tab_unk, tab_coef, tab_len, temp_slot, pslot, pweight, t0, out, ref,
                       t_cross, lanes):
    """Fixed-step RK4 or (stochastic) Heun for E trajectories, in parallel chunks of
    ``lanes`` lanes (at most :data:`LANES`); arguments as :func:`~.kernels.integrate_fixed`."""
    n_traj = m0.shape[0]
    n_chunks = (n_traj + lanes - 1) // lanes
    for ci in prange(n_chunks):
        first = ci * lanes
        n = min(lanes, n_traj - first)
        _chunk(mode, m0, save_step, dt, heun, noise, rng, d0, slot, offsets, times, values, amp,
               tset, a0, r0, e_map, f, t, pm, hm, slon, mp, mv, tab_axis, tab_cols, tab_unk,
               tab_coef, tab_len, temp_slot, pslot, pweight, t0, out, ref, t_cross, first, n)


def _refresh_stale_cache() -> None:
    """numba keys each cached kernel to the source of its own module only: this module's
    kernels, compiled with those of :mod:`.kernels` inside them, would load stale machine code
    after kernels.py alone changed (an editable install updated from version control). A
    digest of kernels.py is kept beside numba's cache; when it differs, this module's cached
    kernels are removed, to be compiled again on first use."""
    import hashlib
    from pathlib import Path

    from . import kernels

    try:
        cache = Path(integrate_ensemble._cache._cache_path)  # numba's FunctionCache
        digest = hashlib.sha256(Path(kernels.__file__).read_bytes()).hexdigest()
        stamp = cache / "ensemble.kernels-source.sha256"
        if stamp.is_file() and stamp.read_text() == digest:
            return
        for old in (*cache.glob("ensemble.*.nbi"), *cache.glob("ensemble.*.nbc")):
            old.unlink(missing_ok=True)
        cache.mkdir(parents=True, exist_ok=True)
        stamp.write_text(digest)
    except (AttributeError, OSError):  # another numba, or a cache that cannot be written
        pass


_refresh_stale_cache()
