"""Ensemble kernels: fixed-step RK4 / stochastic Heun vectorised across trajectories.

The state of a chunk of L trajectories is stored lane-last, (k, 3, L), and every operation
loops innermost over the lanes, so the compiler emits SIMD code; chunks run in parallel
threads (``prange``). One magnet's stage (field, prescribed or series torque, spin pumping's
D and solve for ṁ) is one loop over the lanes (:func:`_stage_one`) built from the scalar
kernels' expressions; LLVM vectorises a loop only if it can check its stores against its loads
at run time in a few comparisons, so such a loop writes three rows and reads its parameters
from one array. The circuit torque solves one small system per lane
(:mod:`.circuit_lanes`, which the single-trajectory kernels call with one lane).

Random numbers come from a per-trajectory counter-based stream (Philox4x32-10, keyed by the
random seed and the trajectory index, :mod:`.streams`) shared with the scalar kernels:
trajectory i is the same whatever the ensemble size, chunking or thread count. Switching events are located on the steps as in
:func:`~.kernels.integrate_fixed`.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .circuit_lanes import circuit_torque_lanes, map_entries
from .kernel_cache import refresh_stale_cache
from .kernels import (
    HALF_TERMS,
    HEUN_STAGES,
    RK4_STAGES,
    axial_field,
    axial_pumped_rate,
    axial_torque_of,
    brown_variance,
    contract_series,
    interp_table,
    landau_lifshitz_rate,
    normals_lanes,
    precession_rate,
    prepare_drive,
    pumping_field_lanes,
    pumping_temperatures_lanes,
    rk4_crossing,
    series_at,
    series_halves,
    series_outputs,
    series_scratch,
    series_terms,
    slonczewski_torque,
    thermal_field_one_lanes,
)

#: Lanes of a chunk: wide chunks spread each kernel call's fixed cost (the stages' calls)
#: over more trajectories, narrow ones keep a stage's rows in the core's caches; the solved
#: torque's per-lane matrices (u², for u unknowns) keep its chunks at SOLVED_LANES. The
#: series in m·p under a time-dependent drive is contracted with the drive once per stage
#: (~0.7 µs): PULSED_LANES spread it (the write-error-rate job of a laser pulse runs 1.2× faster
#: than at 256 lanes; 1024 lanes, faster still there, slowed a pulse that ends before the run by
#: 1.6×; a constant drive runs best at 256; benchmarks/README.md).
LANES = 256
PULSED_LANES = 512
SOLVED_LANES = 64
# The functions a step calls that allocate nothing are compiled with ``_nrt=False``: numba
# then counts no references to the arrays they are passed or slice (a chunk's arrays outlive
# its steps), which cost ~1 ns a lane-step in atomic increments; so are the functions they
# call (a callee is compiled with its caller's flags: it must not allocate either).


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _omega_lane(y, g, e, mp, mv, bth, tx, ty, tz):
    """Ω (1/s) of magnet g in lane e (:func:`~.kernels.precession_rate`)."""
    return precession_rate(y[g, 0, e], y[g, 1, e], y[g, 2, e], mp[g, 0, e], mp[g, 3, e],
                           mp[g, 4, e], mp[g, 5, e], mv[g, 0, 0, e], mv[g, 0, 1, e],
                           mv[g, 0, 2, e], mv[g, 1, 0, e], mv[g, 1, 1, e], mv[g, 1, 2, e],
                           mv[g, 2, 0, e] + bth[g, 0, e], mv[g, 2, 1, e] + bth[g, 1, e],
                           mv[g, 2, 2, e] + bth[g, 2, e], tx, ty, tz)


@njit(cache=True, error_model="numpy", fastmath=True)
def _rhs_lanes(mode, y, mp, mv, bth, tau, out, n):
    """dm/dt (k, 3, L) from m = y, torques tau (N·m), thermal field bth (T)."""
    for g in range(y.shape[0]):
        for e in range(n):
            ox, oy, oz = _omega_lane(y, g, e, mp, mv, bth, tau[g, 0, e], tau[g, 1, e],
                                     tau[g, 2, e])
            alpha = mp[g, 2, e]
            out[g, 0, e], out[g, 1, e], out[g, 2, e] = landau_lifshitz_rate(
                y[g, 0, e], y[g, 1, e], y[g, 2, e], alpha, 1.0 / (1.0 + alpha * alpha), ox, oy,
                oz)


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
            vec[3 * g, e], vec[3 * g + 1, e], vec[3 * g + 2, e] = _omega_lane(
                y, g, e, mp, mv, bth, tau[g, 0, e], tau[g, 1, e], tau[g, 2, e])
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
def _chebyshev_lanes(cl, basis, n):
    """T_i(c) (N + 1, L) at c = m·p of every lane (cl (L,); m as it is,
    :func:`~.kernels.axial_torque`)."""
    for e in range(n):
        basis[0, e] = 1.0
        basis[1, e] = cl[e]
    for i in range(2, basis.shape[0]):
        for e in range(n):
            basis[i, e] = 2.0 * basis[1, e] * basis[i - 1, e] - basis[i - 2, e]


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _wanted(o, no, unknowns, pumping):
    """Whether output o of a table with ``no`` outputs per drive slot (a, b, the unknowns) and
    D's four after them is needed: the unknowns only with ``unknowns``, D's with ``pumping``."""
    if o < 2:
        return True
    return unknowns if o < no else pumping


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _series_lanes(dl, no, coef, lens, basis, acc, pumping, unknowns, n):
    """Every wanted series of the table (:func:`_wanted`) at every lane into acc (rows, L);
    those of a drive slot no lane drives (dl = 0) are skipped (left 0)."""
    base = dl.shape[0] * no
    for r in range(coef.shape[0]):
        for e in range(n):
            acc[r, e] = 0.0
        if not _wanted(r % no if r < base else no + r - base, no, unknowns, pumping):
            continue
        if r < base:
            used = False
            for e in range(n):
                used = used or dl[r // no, e] != 0.0
            if not used:
                continue
        for i in range(lens[r]):
            cf = coef[r, i]
            for e in range(n):
                acc[r, e] += cf * basis[i, e]


@njit(cache=True, error_model="numpy", fastmath=True, _nrt=False)
def _lane_series(cl, dl, cols, unk, coef, lens, basis, acc, pumping, unknowns, val, n):
    """The outputs (a, b, the unknowns, D's g0 … g3; :func:`_wanted`) into val (nt + 6, L) for
    lanes with drives of their own: every slot's series at every lane, contracted lane by
    lane."""
    _chebyshev_lanes(cl, basis, n)
    no = 2 + unk.shape[0]
    _series_lanes(dl, no, coef, lens, basis, acc, pumping, unknowns, n)
    for o in range(no if unknowns else 2):
        for e in range(n):
            s = 0.0
            for ci in range(cols.shape[0]):
                s += dl[ci, e] * acc[ci * no + o, e]
            val[o, e] = s
    base = cols.shape[0] * no
    for o in range(4 if pumping else 0):
        for e in range(n):
            val[no + o, e] = acc[base + o, e]


@njit(cache=True, error_model="numpy", fastmath=True, _nrt=False)
def _shared_series(cl, ser, basis, acc, pumping, unknowns, val, n):
    """The outputs (:func:`_wanted`) into val (nt + 6, L) for lanes that share their drives:
    the series contracted once (:func:`~.kernels.contract_series`), each output
    Σ_k e_k T_k(x) + c Σ_j β_j T_j(x) at x = 2c² − 1 lane by lane (half the basis)."""
    nout = (ser.shape[0] - 2) // 2
    no = nout - 4
    top = 1
    for o in range(nout):
        if _wanted(o, no, unknowns, pumping):
            top = max(top, (int(ser[0, o]) + 1) // 2)
    for e in range(n):
        c = cl[e]
        acc[0, e] = c
        basis[0, e] = 1.0
        basis[1, e] = 2.0 * c * c - 1.0
    for i in range(2, top):
        for e in range(n):
            basis[i, e] = 2.0 * basis[1, e] * basis[i - 1, e] - basis[i - 2, e]
    for o in range(nout):
        if not _wanted(o, no, unknowns, pumping):
            continue
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


@njit(cache=True, error_model="numpy", fastmath=True, _nrt=False)
def _series_values(tab, pumping, unknowns, n):
    """The series' outputs at c = m·p (tab's cl (L,)) into tab's val (:func:`_wanted`):
    contracted once when the chunk's lanes share their drives (:func:`_shared_series`), else
    lane by lane (:func:`_lane_series`, the lanes' drives dl (nc, L) of the table's slots);
    ``tab`` = (dl, axis, cols, unk, coef, lens, basis, acc, ser, val, cl, flat)
    (:func:`_chunk`)."""
    dl, axis, cols, unk, coef, lens, basis, acc, ser, val, cl, flat = tab
    if ser[0, ser.shape[1] - 2] != 0.0:
        _shared_series(cl, ser, basis, acc, pumping, unknowns, val, n)
    else:
        _lane_series(cl, dl, cols, unk, coef, lens, basis, acc, pumping, unknowns, val, n)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _axis_lanes(y, kp, h, tab, n):
    """c = m·p into the table's cl (L,) and x = 2c² − 1 into its xs[0] at m = y + h kp (y, kp
    (1, 3, L), h in s), p its axis: where the series in m·p are summed (:func:`_halves_lanes`,
    :func:`_series_values`)."""
    axis, xs, cl = tab[1], tab[7], tab[10]
    px, py, pz = axis[0], axis[1], axis[2]
    for e in range(n):
        c = ((y[0, 0, e] + h * kp[0, 0, e]) * px + (y[0, 1, e] + h * kp[0, 1, e]) * py
             + (y[0, 2, e] + h * kp[0, 2, e]) * pz)
        cl[e] = c
        xs[0, e] = 2.0 * c * c - 1.0


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _axial_lanes(y, tab, pumping, w, n):
    """The series' values at m·p of y (1, 3, L) lane by lane into the table's values (τ0's
    a, b and with ``pumping`` D's g₀ … g₃, read by :func:`_stage_one` and the noise), the
    tabulated unknowns into w (u, L) (:func:`_series_values`)."""
    unk, val = tab[3], tab[9]
    _axis_lanes(y, y, 0.0, tab, n)
    flat = tab[11]
    top = series_outputs(flat)  # every output (typed int: one compile)
    if flat[-1] >= top:
        _halves_lanes(tab[10], tab[7], flat, val, top, n)
    else:
        _series_values(tab, pumping, True, n)
    for i in range(unk.shape[0]):
        for e in range(n):
            w[unk[i], e] = val[2 + i, e]


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _axial_field_lanes(y, tab, sig, theta, xi, kap, axial, mvl, par, n):
    """One magnet's whole thermal field, Brown's (σ = ``sig`` (L,), T) and the pumping
    channels' with D from the series (:func:`~.kernels.axial_field`, D's g₁ … g₃ at m·p from
    :func:`_axial_lanes`; g₂ = 0 when ``axial``, :func:`_axial_only`), from three standard
    normals xi (3, L), added to B_ext (mvl (1, 3, 3, L), T) in par's field rows
    (:func:`_one_parameters`); θ (1, L) J/s, κ = 1/(M_s V)² ``kap`` (L,)."""
    axis, val = tab[1], tab[9]
    px, py, pz = axis[0], axis[1], axis[2]
    no = 2 + tab[3].shape[0]
    for e in range(n):
        bx, by, bz = axial_field(
            y[0, 0, e], y[0, 1, e], y[0, 2, e], px, py, pz, sig[e], kap[e], theta[0, e],
            val[no + 1, e], 0.0 if axial else val[no + 2, e], val[no + 3, e], xi[0, e],
            xi[1, e], xi[2, e])
        par[_FIELD, e] = mvl[0, 2, 0, e] + bx
        par[_FIELD + 1, e] = mvl[0, 2, 1, e] + by
        par[_FIELD + 2, e] = mvl[0, 2, 2, e] + bz


#: rows of a chunk's parameters of one magnet, lanes last (:func:`_one_parameters`)
_MS, _ALPHA, _GAMMA, _BK, _TF, _AXIS, _DEMAG, _FIELD, _SLON, _GILBERT, _NPAR = \
    0, 1, 2, 3, 4, 5, 8, 11, 14, 18, 19


@njit(cache=True, error_model="numpy")
def _one_parameters(mp, mv, slon, bth, par, n):
    """One magnet's parameters into one array par (_NPAR, L), lanes last, so that a stage's
    lane loop reads few arrays (LLVM vectorises a loop only if it can check the arrays it
    writes against those it reads at run time, a handful of pairs): M_s, α, γ, B_K, γ/M_sV,
    the easy axis, the demagnetizing factors, B_ext + B_th (T, from bth (1, 3, L)), a_J M_s V
    and p, 1/(1 + α²) (layouts of :func:`_chunk`'s mp, mv, slon)."""
    for e in range(n):
        par[_MS, e] = mp[0, 0, e]
        par[_ALPHA, e] = mp[0, 2, e]
        par[_GAMMA, e] = mp[0, 3, e]
        par[_BK, e] = mp[0, 4, e]
        par[_TF, e] = mp[0, 5, e]
        par[_GILBERT, e] = 1.0 / (1.0 + mp[0, 2, e] * mp[0, 2, e])
        for c in range(3):
            par[_AXIS + c, e] = mv[0, 0, c, e]
            par[_DEMAG + c, e] = mv[0, 1, c, e]
            par[_FIELD + c, e] = mv[0, 2, c, e] + bth[0, c, e]
        for c in range(4):
            par[_SLON + c, e] = slon[0, c, e]


@njit(cache=True, error_model="numpy", fastmath=True, _nrt=False)
def _halves_lanes(cl, xs, flat, val, top, n):
    """Outputs j < ``top`` of a, b, D's g0 … g3, the tabulated unknowns (as
    :func:`~.kernels.series_halves`) into val (nt + 6, L; rows as :func:`_lane_series`) at
    c = m·p (cl (L,)) and x = 2c² − 1 (xs[0], :func:`_axis_lanes`) from the halves shared by
    the lanes (:func:`~.kernels.series_at`; flat[-1] ≥ top), one output per lane loop: LLVM
    counts each coefficient's address as a pointer to check against the loop's stores, and
    vectorises a loop with one output's but not with two's."""
    no = series_outputs(flat) - 4
    for j in range(top):
        row = j if j < 2 else (no + j - 2 if j < 6 else j - 4)
        _output_lanes(flat, j, (int(series_terms(flat, j)) + 1) // 2, xs, cl, val, row, n)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _output_lanes(flat, j, half, xs, cl, val, row, n):
    """Output j of the halves in flat (``half`` terms kept a half) at every lane into val[row]
    (:func:`_halves_lanes`): the sums unrolled to 5, 9, 10, 11, 13 or 17 terms (beyond those
    kept 0), each in a loop of its own."""
    if half == 0:
        for e in range(n):
            val[row, e] = 0.0
    elif half <= 5:
        _sum_lanes(flat, j, xs, cl, val, row, 5, n)
    elif half <= 9:
        _sum_lanes(flat, j, xs, cl, val, row, 9, n)
    elif half <= 10:
        _sum_lanes(flat, j, xs, cl, val, row, 10, n)
    elif half <= 11:
        _sum_lanes(flat, j, xs, cl, val, row, 11, n)
    elif half <= 13:
        _sum_lanes(flat, j, xs, cl, val, row, 13, n)
    else:
        _sum_lanes(flat, j, xs, cl, val, row, HALF_TERMS, n)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _sum_lanes(flat, j, xs, cl, val, row, terms, n):
    """Output j's sums over ``terms`` terms a half (a constant where called: unrolled) at
    every lane into val[row] (:func:`~.kernels.series_at`)."""
    for e in range(n):
        val[row, e] = series_at(flat, j, xs[0, e], cl[e], terms)


@njit(cache=True, error_model="numpy")
def _uniform(par, n):
    """Whether every lane of par (:func:`_one_parameters`) holds the same parameters (B_ext +
    B_th apart): one device's ensemble, whose stages then read them once (:func:`_stage_one`)."""
    for r in range(_NPAR):
        if _FIELD <= r < _FIELD + 3:
            continue
        for e in range(1, n):
            if par[r, e] != par[r, 0]:
                return False
    return True


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _magnet(par, e):
    """Lane e's parameters from par (:func:`_one_parameters`), B_ext + B_th apart, as scalars:
    (M_s, γ, B_K, γ/M_sV, u, N, α, 1/(1 + α²), a_J M_s V, p)."""
    return (par[_MS, e], par[_GAMMA, e], par[_BK, e], par[_TF, e], par[_AXIS, e],
            par[_AXIS + 1, e], par[_AXIS + 2, e], par[_DEMAG, e], par[_DEMAG + 1, e],
            par[_DEMAG + 2, e], par[_ALPHA, e], par[_GILBERT, e], par[_SLON, e],
            par[_SLON + 1, e], par[_SLON + 2, e], par[_SLON + 3, e])


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _rate_one(mode, pumping, axial, y, kp, h, e, q, par, val, no, px, py, pz):
    """dm/dt (1/s) of lane e at m = y + h kp: the torque of ``mode`` (0 none, 2 prescribed, 3
    the series' values val at m, with ``pumping`` D and the solve for ṁ), the magnet's
    parameters q (:func:`_magnet`), B_ext + B_th from par. ``axial`` (a constant where
    called): the series of b, g₀ and g₂ are zero (:func:`_axial_only`), taken as 0.0 so that
    the compiler drops their terms."""
    mx = y[0, 0, e] + h * kp[0, 0, e]
    my = y[0, 1, e] + h * kp[0, 1, e]
    mz = y[0, 2, e] + h * kp[0, 2, e]
    ms, gam, bk, tf, ux, uy, uz, nx, ny, nz, alpha, gil, aj, spx, spy, spz = q
    if mode == 3:
        tx, ty, tz = axial_torque_of(mx, my, mz, px, py, pz, val[0, e],
                                     0.0 if axial else val[1, e])
    else:
        tx, ty, tz = slonczewski_torque(mx, my, mz, aj if mode == 2 else 0.0, spx, spy, spz)
    ox, oy, oz = precession_rate(mx, my, mz, ms, gam, bk, tf, ux, uy, uz, nx, ny, nz,
                                 par[_FIELD, e], par[_FIELD + 1, e], par[_FIELD + 2, e], tx, ty,
                                 tz)
    if mode == 3 and pumping:
        return axial_pumped_rate(mx, my, mz, px, py, pz, alpha, tf,
                                 0.0 if axial else val[no, e], val[no + 1, e],
                                 0.0 if axial else val[no + 2, e], val[no + 3, e], ox, oy, oz)
    return landau_lifshitz_rate(mx, my, mz, alpha, gil, ox, oy, oz)


@njit(cache=True, error_model="numpy", inline="always")
def _axial_only(flat):
    """Whether the lanes' series are shared halves (:func:`_halves_lanes`) in which b (the
    torque along m × p), D's g₀ and g₂ are zero: a circuit whose torque and friction have
    the symmetry of a spin valve's (as in most devices), whose stages then skip them."""
    return (flat[-1] >= 6 and series_terms(flat, 1) == 0.0 and series_terms(flat, 2) == 0.0
            and series_terms(flat, 4) == 0.0)


@njit(cache=True, error_model="numpy", fastmath=True, _nrt=False)
def _stage_one(mode, y, kp, h, kout, par, uniform, tab, pumping, fresh, n):
    """One stage of one magnet (k = 1), lanes in one loop: dm/dt (1/s) at m = y + h kp (y, kp
    (1, 3, L), h in s: the state and the last stage's rate) into kout (1, 3, L); parameters
    from par (:func:`_one_parameters`), read once when ``uniform`` (:func:`_uniform`). A
    stage's loop writes three rows only: LLVM vectorises a loop whose stores it can check
    against its loads at run time in a handful of comparisons. The torque: none (mode 0),
    prescribed (2, :func:`~.kernels.slonczewski_torque`), or the series in m·p (3) — their
    values at m computed first when ``fresh`` (else those of :func:`_axial_lanes` at y), with
    ``pumping`` D and the LLGS solved for ṁ (:func:`~.kernels.axial_pumped_rate`)."""
    axis, val, cl, flat = tab[1], tab[9], tab[10], tab[11]
    px, py, pz = axis[0], axis[1], axis[2]
    no = 2 + tab[3].shape[0]
    if mode == 3 and fresh:
        _axis_lanes(y, kp, h, tab, n)
        top = 6 if pumping else 2  # a, b (and D's)
        if flat[-1] >= top:
            _halves_lanes(cl, tab[7], flat, val, top, n)
        else:
            _series_values(tab, pumping, False, n)
    _stage_loops(mode, pumping, mode == 3 and pumping and _axial_only(flat), uniform, y, kp,
                 h, kout, par, val, no, px, py, pz, n)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _stage_loops(mode, pumping, axial, uniform, y, kp, h, kout, par, val, no, px, py, pz, n):
    """:func:`_stage_one`'s lane loop, one for each case, the branches outside the loops (a
    loop with a branch inside does not vectorise): the torque's mode, spin pumping, the
    series' symmetry (``axial``, :func:`_axial_only`) and the lanes' shared parameters."""
    q = _magnet(par, 0)
    if mode == 3 and pumping and uniform and axial:
        for e in range(n):
            kout[0, 0, e], kout[0, 1, e], kout[0, 2, e] = _rate_one(
                3, True, True, y, kp, h, e, q, par, val, no, px, py, pz)
    elif mode == 3 and pumping and uniform:
        for e in range(n):
            kout[0, 0, e], kout[0, 1, e], kout[0, 2, e] = _rate_one(
                3, True, False, y, kp, h, e, q, par, val, no, px, py, pz)
    elif mode == 3 and pumping:
        for e in range(n):
            kout[0, 0, e], kout[0, 1, e], kout[0, 2, e] = _rate_one(
                3, True, False, y, kp, h, e, _magnet(par, e), par, val, no, px, py, pz)
    elif mode == 3 and uniform:
        for e in range(n):
            kout[0, 0, e], kout[0, 1, e], kout[0, 2, e] = _rate_one(
                3, False, False, y, kp, h, e, q, par, val, no, px, py, pz)
    elif mode == 3:
        for e in range(n):
            kout[0, 0, e], kout[0, 1, e], kout[0, 2, e] = _rate_one(
                3, False, False, y, kp, h, e, _magnet(par, e), par, val, no, px, py, pz)
    elif uniform:
        for e in range(n):
            kout[0, 0, e], kout[0, 1, e], kout[0, 2, e] = _rate_one(
                2, False, False, y, kp, h, e, q, par, val, no, px, py, pz)
    else:
        for e in range(n):
            kout[0, 0, e], kout[0, 1, e], kout[0, 2, e] = _rate_one(
                2, False, False, y, kp, h, e, _magnet(par, e), par, val, no, px, py, pz)


@njit(cache=True, error_model="numpy", inline="always")
def _share_drives(dl, cols, coef, lens, ser, flat, d, n):
    """Whether the chunk's lanes share the drives dl (nc, L) of the table's slots ``cols``;
    if so, the series (``coef``, ``lens``) contracted with them into ser
    (:func:`~.kernels.contract_series`, nothing done while they stay the same), flagged in
    ser[0, -2], and its outputs' halves for the stages' lane loops into flat
    (:func:`~.kernels.series_halves`, how many in flat[-1]); ``d`` a drive vector's
    scratch."""
    shared = True
    for ci in range(cols.shape[0]):
        for e in range(1, n):
            shared = shared and dl[ci, e] == dl[ci, 0]
    if shared:
        for ci in range(cols.shape[0]):
            d[cols[ci]] = dl[ci, 0]
        if contract_series(d, cols, coef, lens, ser) or flat[-1] == 0.0:  # else as they were
            flat[-1] = series_halves(ser, flat, flat[-1] < 6.0)
    else:
        flat[-1] = 0.0
    ser[0, ser.shape[1] - 2] = 1.0 if shared else 0.0


@njit(cache=True, error_model="numpy", _nrt=False)
def _series_drives(tt, first, n, d0, slot, tset, offsets, times, values, amp, cur, vl, d, dl,
                   cols, coef, lens, ser, flat):
    """The drives at time tt (s) of the torque's series in m·p (mode 3): the lanes' drives
    of the series' slots ``cols`` into dl (nc, L) (:func:`_axial_drives_lanes`), the series
    contracted with them once if the lanes share them (:func:`_share_drives`); the arrays it
    reads passed one by one (each array a call takes costs reference counting: a whole
    table's tuple twice as many)."""
    _lane_tables(tt, first, n, tset, offsets, times, values, cur, vl)
    _axial_drives_lanes(first, n, d0, slot, vl, amp, cols, dl)
    _share_drives(dl, cols, coef, lens, ser, flat, d, n)


@njit(cache=True, error_model="numpy", inline="always")
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


@njit(cache=True, error_model="numpy", inline="always")
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


@njit(cache=True, error_model="numpy", fastmath=True)
def _torque_lanes(mode, y, mp, slon, a0, e_map, nz, t_map, pm, hm, rd, fd, td, phi, amat, w,
                  ws, dmat, tau, n):
    """Torques (k, 3, L) in N·m (mode 1: circuit, :func:`.circuit_lanes.circuit_torque_lanes`,
    with spin pumping (pm non-empty) also D (3k, 3k, L) into dmat; 2: prescribed
    Slonczewski; 0: none). (One magnet's series in m·p, mode 3, runs in :func:`_stage_one`.)"""
    if mode == 0 or mode == 2:
        _prescribed_lanes(mode, y, slon, tau, n)
        return
    circuit_torque_lanes(y, a0, e_map, nz, t_map, pm, hm, rd, fd, td, phi, amat, w, ws, dmat, tau,
                         n)


@njit(cache=True, error_model="numpy", fastmath=True)
def _prescribed_lanes(mode, y, slon, tau, n):
    """No torque (mode 0) or the prescribed Slonczewski torque (mode 2, a_J M_s V and p in
    slon (k, 4, L)) into tau (k, 3, L), N·m."""
    for g in range(y.shape[0]):
        if mode == 0:
            for c in range(3):
                for e in range(n):
                    tau[g, c, e] = 0.0
            continue
        for e in range(n):
            tau[g, 0, e], tau[g, 1, e], tau[g, 2, e] = slonczewski_torque(
                y[g, 0, e], y[g, 1, e], y[g, 2, e], slon[g, 0, e], slon[g, 1, e],
                slon[g, 2, e], slon[g, 3, e])


@njit(cache=True, error_model="numpy")
def _drives_lanes(mode, tt, first, n, d0, slot, tset, offsets, times, values, amp, r0, f, t, d,
                  rd, fd, td, rd1, fd1, td1, cur, vl):
    """Drive of every lane at time tt, contracted into rd (u, L), fd (k, q, u, L), td: the
    static drive's contraction once (the lanes share d0, broadcast from the circuit's), then
    each drive's column scaled by its excursion amp (v(t) − d0) lane by lane, lanes
    innermost (the maps are linear in d, :func:`.kernels.prepare_excursion`). (Mode 3 has
    its own, :func:`_series_drives`.)"""
    _lane_tables(tt, first, n, tset, offsets, times, values, cur, vl)
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


@njit(cache=True, error_model="numpy", inline="always")
def _drive_vectors(tt, first, n, nl, d0, slot, tset, offsets, times, values, amp, cur, vl, dls,
                   read):
    """The lanes' drive vectors dls (nd, L) at time tt (s), as :func:`~.kernels.drive_at`:
    each drive's table read once per set (:func:`_lane_tables`); those of the first ``nl``
    lanes, the rows ``read`` (nd,) copied to the rest when the lanes share them
    (:func:`_shared_lanes`)."""
    _lane_tables(tt, first, nl, tset, offsets, times, values, cur, vl)
    for s in range(dls.shape[0]):
        for e in range(nl):
            dls[s, e] = d0[first + e, s]
    for j in range(slot.shape[0]):
        s = slot[j]
        for e in range(nl):
            dls[s, e] = d0[first + e, s] + amp[first + e, j] * (vl[j, e] - d0[first + e, s])
    for s in range(dls.shape[0] if nl < n else 0):
        if not read[s]:
            continue
        v = dls[s, 0]  # read once: the copy then vectorises
        for e in range(1, n):
            dls[s, e] = v


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _brown_sigmas(mode, n, nl, temp_slot, t0, dls, w, consts, temps):
    """Brown's σ (T) of every magnet and lane into temps (k, L): √(variance per kelvin × T)
    (:func:`~.kernels.brown_sigma`; consts from :func:`_noise_constants`), T = T0 + the
    drive slot ``temp_slot`` ≥ 0 of dls (nd, L) (lane 0's when the first ``nl`` < n lanes
    stand for all: one σ for all when their magnets are the same too), or with the circuit
    torque (mode 1, 3) the solved unknown −1 − slot of w (u, L), else T0 (K)."""
    for g in range(temps.shape[0]):
        ts = temp_slot[g]
        brown = consts[g, 0]
        if ts >= 0 and nl < n and consts[g, 2, 0] == 1.0:
            sig = math.sqrt(brown[0] * max(t0 + dls[ts, 0], 0.0))
            for e in range(n):
                temps[g, e] = sig
        elif ts >= 0:
            for e in range(n):
                temps[g, e] = math.sqrt(brown[e] * max(t0 + dls[ts, 0 if nl < n else e], 0.0))
        elif mode == 1 or mode == 3:
            for e in range(n):
                temps[g, e] = math.sqrt(brown[e] * max(t0 + w[-1 - ts, e], 0.0))
        else:
            for e in range(n):
                temps[g, e] = math.sqrt(brown[e] * t0)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _noise_lanes(tt, dt, mode, first, n, nl, y, w, dmat, mpl, noise, bth, pumping, tab):
    """Brown's field into bth (k, 3, L) (T) of every lane at time tt (s), and with ``pumping``
    the pumping channels' (:func:`~.kernels.pumping_field_lanes`): each drive's table read
    once per set (:func:`_lane_tables`), the lanes' drive vectors dls (nd, L) from it (as
    :func:`~.kernels.drive_at`), the magnets' temperatures (``temp_slot``: a drive slot, or
    with the circuit torque (mode 1, 3) a solved unknown in w (u, L)); the drives of the
    first ``nl`` lanes only when the lanes share them (:func:`_shared_lanes`). Per trajectory,
    from its own stream in ``state`` (into xil (6k, L)): one magnet's whole field from three
    normal deviates (:func:`~.kernels.thermal_field_one_lanes`; mode 3 with D's values from
    the series, ``tab``, :func:`_axial_field_lanes`), else Brown's 3k deviates, then the
    pumping's 3k. ``noise`` = (d0, slot, tset, offsets, times, values, amp, temp_slot, pslot,
    pweight, t0, state, cur, vl, dls, thetal, temps, cmat, xil, consts, read) (:func:`_chunk`;
    consts from :func:`_noise_constants`, read from :func:`_rows_read`); ``temps`` (k, L)
    Brown's σ. One magnet with spin pumping and its series in m·p (mode 3) gets its whole
    field from :func:`_one_noise`, which adds it to B_ext itself (bth is not written)."""
    (d0, slot, tset, offsets, times, values, amp, temp_slot, pslot, pweight, t0, state, cur, vl,
     dls, thetal, temps, cmat, xil, consts, read) = noise
    k = y.shape[0]
    _drive_vectors(tt, first, n, nl, d0, slot, tset, offsets, times, values, amp, cur, vl, dls,
                   read)
    _brown_sigmas(mode, n, nl, temp_slot, t0, dls, w, consts, temps)
    if pumping:
        pumping_temperatures_lanes(pslot, pweight, t0, dls, w, thetal, dt, n)
    normals_lanes(state, xil, 0, 6 * k if pumping and k > 1 else 3 * k, n)
    if pumping and k == 1 and mode == 3:  # one magnet: its whole field (_one_noise)
        return
    if pumping and k == 1:
        thermal_field_one_lanes(y, dmat, mpl, thetal, temps[0], xil, bth, n)
        return
    for g in range(k):
        for e in range(n):
            for c in range(3):
                bth[g, c, e] = temps[g, e] * xil[3 * g + c, e]
    if pumping:  # Brown's σ in temps now read: its first row the pumping field's scratch
        pumping_field_lanes(y, dmat, mpl, thetal, cmat, xil[3 * k:], bth, temps[0], n)


@njit(cache=True, error_model="numpy", fastmath=True, _nrt=False)
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


@njit(cache=True, error_model="numpy", fastmath=True, _nrt=False)
def _finish_one(y, ks, dt, heun, refl, pold, p1, tt, t_cross, first, n):
    """The end of one magnet's step (k = 1): m += dt (k₁ + k₂)/2 (Heun) or dt (k₁ + 2k₂ + 2k₃
    + k₄)/6 (RK4) from the stages' rates ks (4, 1, 3, L), the switching events as
    :func:`_crossings` (p1 (L,) scratch: ref·m before normalising), m normalised, and pold
    (1, L) = ref·m for the next step (the step's start's kept in pold[1] for the timing); in
    one vectorised loop that counts the lanes whose ref·m fell through zero, which are then
    timed lane by lane."""
    fell = 0
    for e in range(n):
        if heun:
            mx = y[0, 0, e] + 0.5 * dt * (ks[0, 0, 0, e] + ks[1, 0, 0, e])
            my = y[0, 1, e] + 0.5 * dt * (ks[0, 0, 1, e] + ks[1, 0, 1, e])
            mz = y[0, 2, e] + 0.5 * dt * (ks[0, 0, 2, e] + ks[1, 0, 2, e])
        else:
            mx = y[0, 0, e] + dt / 6.0 * (ks[0, 0, 0, e] + 2.0 * ks[1, 0, 0, e]
                                          + 2.0 * ks[2, 0, 0, e] + ks[3, 0, 0, e])
            my = y[0, 1, e] + dt / 6.0 * (ks[0, 0, 1, e] + 2.0 * ks[1, 0, 1, e]
                                          + 2.0 * ks[2, 0, 1, e] + ks[3, 0, 1, e])
            mz = y[0, 2, e] + dt / 6.0 * (ks[0, 0, 2, e] + 2.0 * ks[1, 0, 2, e]
                                          + 2.0 * ks[2, 0, 2, e] + ks[3, 0, 2, e])
        rx, ry, rz = refl[0, 0, e], refl[0, 1, e], refl[0, 2, e]
        p = rx * mx + ry * my + rz * mz
        p0 = pold[0, e]
        fell += 1 if p0 >= 0.0 and p < 0.0 else 0
        p1[e] = p
        inv = 1.0 / math.sqrt(mx * mx + my * my + mz * mz)
        mx, my, mz = mx * inv, my * inv, mz * inv
        y[0, 0, e], y[0, 1, e], y[0, 2, e] = mx, my, mz
        pold[1, e] = p0
        pold[0, e] = rx * mx + ry * my + rz * mz
    for e in range(n if fell else 0):
        if pold[1, e] >= 0.0 and p1[e] < 0.0:
            p0 = pold[1, e]
            if heun:
                theta = p0 / (p0 - p1[e])
            else:
                a1, a23, a4 = 0.0, 0.0, 0.0
                for c in range(3):
                    a1 += refl[0, c, e] * ks[0, 0, c, e]
                    a23 += refl[0, c, e] * (ks[1, 0, c, e] + ks[2, 0, c, e])
                    a4 += refl[0, c, e] * ks[3, 0, c, e]
                theta = rk4_crossing(p0, a1, a23, a4, dt)
            t_cross[first + e, 0] = tt + dt * theta


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


@njit(cache=True, error_model="numpy")
def _load_lanes(m0, ref, mp, mv, slon, rng, first, n, y, refl, mpl, mvl, sl, state):
    """Trajectories first … first + n − 1 of the run's arrays (trajectories first) into the
    chunk's (lanes last): m, the switching references, the magnets' parameters, the
    prescribed torques' and the random streams' states."""
    for e in range(n):
        for c in range(3):
            state[c, e] = rng[first + e, c]
        for g in range(m0.shape[1]):
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


@njit(cache=True, error_model="numpy")
def _noise_constants(mpl, dt, n):
    """The thermal field's constants of each magnet and lane (k, 3, L) over a step dt (s),
    from the lanes' parameters mpl (k, 6, L): [g, 0] Brown's variance per kelvin (T²/K,
    :func:`~.kernels.brown_variance`), [g, 1] κ = 1/(M_s V)² (1/(A² m²)), [g, 2, 0] 1.0 where
    the lanes share [g, 0] (0.0 else)."""
    out = np.empty((mpl.shape[0], 3, n))
    for g in range(mpl.shape[0]):
        for e in range(n):
            out[g, 0, e] = brown_variance(mpl[g, 2, e], mpl[g, 3, e], mpl[g, 0, e],
                                          mpl[g, 1, e], dt)
            out[g, 1, e] = 1.0 / (mpl[g, 0, e] * mpl[g, 1, e]) ** 2
        out[g, 2, 0] = 1.0
        for e in range(1, n):
            if out[g, 0, e] != out[g, 0, 0]:
                out[g, 2, 0] = 0.0
    return out


@njit(cache=True, error_model="numpy")
def _rows_read(pslot, nd):
    """Which of the nd drive slots the pumping's temperatures read (``pslot`` ≥ 0): the rows
    of the lanes' drive vectors copied to every lane when the lanes share them."""
    read = np.zeros(nd, np.bool_)
    for g in range(pslot.shape[0]):
        for c in range(pslot.shape[1]):
            if pslot[g, c] >= 0:
                read[pslot[g, c]] = True
    return read


@njit(cache=True, error_model="numpy")
def _store_streams(rng, state, first, n):
    """Each lane's random stream (state (3, L)) back into rng (trajectories first), where this
    run left it."""
    for e in range(n):
        for c in range(3):
            rng[first + e, c] = state[c, e]


@njit(cache=True, error_model="numpy", _nrt=False)
def _save_lanes(y, out, first, save_step, si, step, n):
    """The chunk's m (k, 3, L) into the saved instants si, si + 1, … of out (trajectories
    first) whose save_step is ≤ step; returns the next si."""
    while si < save_step.shape[0] and save_step[si] <= step:
        for e in range(n):
            for g in range(y.shape[0]):
                for c in range(3):
                    out[first + e, si, g, c] = y[g, c, e]
        si += 1
    return si


@njit(cache=True, error_model="numpy", fastmath=True)
def _general_stage(st, h, mode, heun, y, ks, ytmp, mpl, mvl, sl, bth, circuit, noisy, tt, dt,
                   first, nl, noise, tab, n):
    """Stage st of a step of the general path (several magnets, or a torque solved from the
    circuit): the rate ks[st] (k, 3, L) (1/s) at y + h ks[st − 1] (h in s; y at stage 0),
    the torques first (an internal magnet's temperature is one of the circuit's unknowns), at
    Heun's first stage with ``noisy`` the thermal field (:func:`_noise_lanes`), then the LLGS
    (solved for ṁ with spin pumping). ``circuit`` = (a0, e, nz, t, pm, hm, rd, fd, td, phi,
    amat, w, ws, dmat, tau, mmat, vec) (:func:`_chunk`)."""
    a0, e_map, nz, t, pm, hm, rd, fd, td, phi, amat, w, ws, dmat, tau, mmat, vec = circuit
    src = y
    if st > 0:
        for g in range(y.shape[0]):
            for c in range(3):
                for e in range(n):
                    ytmp[g, c, e] = y[g, c, e] + h * ks[st - 1, g, c, e]
        src = ytmp
    pumping = pm.shape[0] > 0
    _torque_lanes(mode, src, mpl, sl, a0, e_map, nz, t, pm, hm, rd, fd, td, phi, amat, w, ws,
                  dmat, tau, n)
    if noisy and heun and st == 0:
        _noise_lanes(tt, dt, mode, first, n, nl, src, w, dmat, mpl, noise, bth, pumping, tab)
    if pumping:
        _rhs_pumped_lanes(src, mpl, mvl, bth, tau, dmat, ks[st], mmat, vec, n)
    else:
        _rhs_lanes(mode, src, mpl, mvl, bth, tau, ks[st], n)


@njit(cache=True, error_model="numpy", fastmath=True)
def _general_finish(y, ks, dt, heun, refl, pold, tt, t_cross, first, n):
    """The end of a step of the general path: m += dt (k₁ + k₂)/2 (Heun) or dt (k₁ + 2k₂ + 2k₃
    + k₄)/6 (RK4), the switching events (:func:`_crossings`), m normalised."""
    for g in range(y.shape[0]):
        for c in range(3):
            for e in range(n):
                if heun:
                    y[g, c, e] += 0.5 * dt * (ks[0, g, c, e] + ks[1, g, c, e])
                else:
                    y[g, c, e] += dt / 6.0 * (ks[0, g, c, e] + 2.0 * ks[1, g, c, e]
                                              + 2.0 * ks[2, g, c, e] + ks[3, g, c, e])
    _crossings(y, ks[0], ks[1], ks[2], ks[3], refl, pold, tt, dt, heun, t_cross, first, n)
    for g in range(y.shape[0]):
        for e in range(n):
            nrm = math.sqrt(y[g, 0, e] ** 2 + y[g, 1, e] ** 2 + y[g, 2, e] ** 2)
            for c in range(3):
                y[g, c, e] /= nrm


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _one_noise(mode, y, w, dmat, mpl, mvl, par, noise, bth, pumping, tab, solved_noise, tt, dt,
               first, nl, n):
    """One magnet's thermal field for a Heun step from tt (s) (:func:`_noise_lanes`), the
    series' unknowns (temperatures) and D at m first where the noise reads them, added to the
    applied field in par (:func:`_one_parameters`)."""
    if mode == 3 and solved_noise:
        _axial_lanes(y, tab, pumping, w, n)
    _noise_lanes(tt, dt, mode, first, n, nl, y, w, dmat, mpl, noise, bth, pumping, tab)
    if pumping and mode == 3:  # its whole field in one draw, added to B_ext in par
        sig, theta, xi, kap = _field_inputs(noise)
        _axial_field_lanes(y, tab, sig, theta, xi, kap, _axial_only(tab[11]), mvl, par, n)
        return
    for c in range(3):
        for e in range(n):
            par[_FIELD + c, e] = mvl[0, 2, c, e] + bth[0, c, e]


@njit(cache=True, error_model="numpy", inline="always")
def _field_inputs(noise):
    """From the noise's arrays (:func:`_noise_lanes`) what one magnet's whole field needs
    after :func:`_noise_lanes`: Brown's σ (L,) T, θ (1, L) J/s, the three deviates xi (3, L)
    and κ = 1/(M_s V)² (L,)."""
    (_, _, _, _, _, _, _, _, _, _, _, _, _, _, _, thetal, temps, _, xil, consts, _) = noise
    return temps[0], thetal, xil, consts[0, 1]


@njit(cache=True, error_model="numpy")
def _one_setup(mode, mpl, mvl, sl, bth, par, n):
    """One magnet's lane parameters into par (:func:`_one_parameters`; mode 0, no torque: the
    prescribed one's loop with a_J = 0); returns whether the lanes share them
    (:func:`_uniform`)."""
    _one_parameters(mpl, mvl, sl, bth, par, n)
    if mode == 0:
        for e in range(n):
            par[_SLON, e] = 0.0
    return _uniform(par, n)


@njit(cache=True, error_model="numpy")
def _reference_lanes(y, refl, pold, n):
    """p = ref·m (k, L) of every magnet and lane into pold."""
    for g in range(y.shape[0]):
        for e in range(n):
            pold[g, e] = (refl[g, 0, e] * y[g, 0, e] + refl[g, 1, e] * y[g, 1, e]
                          + refl[g, 2, e] * y[g, 2, e])


@njit(cache=True, error_model="numpy", inline="always")
def _drives_at(mode, tt, first, nl, drives):
    """:func:`_drives_lanes` (mode 3: :func:`_series_drives`) at tt (s), its arrays ``drives``
    = (d0, slot, tset, offsets, times, values, amp, r0, f, t, d, rd, fd, td, rd1, fd1, td1,
    tab, cur, vl) (:func:`_chunk`)."""
    d0, slot, tset, offsets, times, values, amp, r0, f, t, d, rd, fd, td, rd1, fd1, td1, tab, cur, vl = drives
    if mode == 3:
        _series_drives(tt, first, nl, d0, slot, tset, offsets, times, values, amp, cur, vl, d,
                       tab[0], tab[2], tab[4], tab[5], tab[8], tab[11])
    else:
        _drives_lanes(mode, tt, first, nl, d0, slot, tset, offsets, times, values, amp, r0, f,
                      t, d, rd, fd, td, rd1, fd1, td1, cur, vl)


@njit(cache=True, error_model="numpy", fastmath=True, _nrt=False)
def _steps_one(mode, heun, noise, uniform, pumping, fresh, fresh0, solved_noise, has_tables,
               step, si, save_step, dt, first, nl, n, y, ks, par, bth, mpl, mvl, refl, pold, p1,
               w, dmat, out, t_cross, tab, noise_arrays, drives):
    """One magnet's steps (:func:`_chunk`), its torque without a solve: the stages fused over
    the lanes (:func:`_stage_one`, :func:`_finish_one`) from ``step`` (its saved instant
    ``si`` next) to the last saved instant, on the arrays :func:`_chunk` made. Compiled
    without reference counting (the arrays live while the chunk does): the step's helpers
    then count no references to the arrays they are passed (~1 ns a lane-step)."""
    k0, k1 = ks[0], ks[1]
    while si < save_step.shape[0]:
        tt = step * dt
        if has_tables:
            _drives_at(mode, tt, first, nl, drives)
        if heun and noise:
            _one_noise(mode, y, w, dmat, mpl, mvl, par, noise_arrays, bth, pumping, tab,
                       solved_noise, tt, dt, first, nl, n)
        _stage_one(mode, y, y, 0.0, k0, par, uniform, tab, pumping, fresh0, n)
        if heun:
            if has_tables:
                _drives_at(mode, tt + dt, first, nl, drives)
            _stage_one(mode, y, k0, dt, k1, par, uniform, tab, pumping, fresh, n)
            # heun a literal: _finish_one compiled per scheme, no branch in its lane loop
            _finish_one(y, ks, dt, True, refl, pold, p1, tt, t_cross, first, n)
        else:
            if has_tables:
                _drives_at(mode, tt + 0.5 * dt, first, nl, drives)
            _stage_one(mode, y, k0, 0.5 * dt, k1, par, uniform, tab, pumping, fresh, n)
            _stage_one(mode, y, k1, 0.5 * dt, ks[2], par, uniform, tab, pumping, fresh, n)
            if has_tables:
                _drives_at(mode, tt + dt, first, nl, drives)
            _stage_one(mode, y, ks[2], dt, ks[3], par, uniform, tab, pumping, fresh, n)
            _finish_one(y, ks, dt, False, refl, pold, p1, tt, t_cross, first, n)
        step += 1
        si = _save_lanes(y, out, first, save_step, si, step, n)


@njit(cache=True, error_model="numpy", fastmath=True)
def _chunk(mode, m0, save_step, dt, heun, noise, rng, d0, slot, offsets, times, values, amp,
           tset, a0, r0, e_map, f, t, pm, hm, slon, mp, mv, tab_axis, tab_cols, tab_unk, tab_coef,
           tab_len, temp_slot, pslot, pweight, t0, out, ref, t_cross, first, n):
    """Trajectories first … first + n − 1 of :func:`integrate_ensemble`, lanes last. One
    magnet whose torque needs no solve (none, prescribed, or its series in m·p) runs its stages
    fused over the lanes (:func:`_stage_one`, :func:`_finish_one`); otherwise each stage solves
    the circuit per lane (:func:`_general_stage`). Stage s of Heun or RK4 is at t + a[s] dt
    (:data:`~.kernels.HEUN_STAGES`, :data:`~.kernels.RK4_STAGES`), the drives evaluated again
    where a[s] changes."""
    k = m0.shape[1]
    u, nd = a0.shape[0], d0.shape[1]
    y = np.empty((k, 3, n))
    ytmp = np.empty((k, 3, n))
    ks = np.empty((4, 1, 3, n))  # the fused stages' rates (_stage_one)
    par = np.empty((_NPAR, n))
    kg = np.empty((4, k, 3, n))  # the general path's (_general_stage)
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
    one = k == 1 and mode != 1  # one magnet, its torque without a solve: fused stages
    fresh = k > 0  # True, typed bool (a literal True would compile _stage_one once more)
    ws = np.empty((u, 3 * k, n))
    dmat = np.empty((3 * k, 3 * k, n))
    circuit = (a0, e_map, map_entries(e_map), t, pm, hm, rd, fd, td, phi, amat, w, ws, dmat, tau,
               np.empty((3 * k, 3 * k, n)), np.empty((3 * k, n)))
    d = np.empty(max(nd, n))  # a drive vector, or the lanes' excursions of one drive
    rd1, fd1, td1 = np.empty(u), np.empty((k, nq, u)), np.empty((k, nq, 3))
    mpl = np.empty((k, 6, n))
    mvl = np.empty((k, 3, 3, n))
    sl = np.empty((k, 4, n))
    temps = np.empty((k, n))
    pold = np.empty((k + 1, n))  # ref·m at the step's start (a last row of scratch)
    p1 = np.empty(n)
    cur = np.empty(slot.shape[0])
    vl = np.empty((slot.shape[0], n))
    # the thermal fields' (_noise_lanes): Brown's deviates, then the pumping's, in xil (6k, L)
    dls, thetal = np.empty((nd, n)), np.empty((k, n))
    xil, cmat = np.empty((6 * k, n)), np.empty((3 * k, 3 * k, n))
    ser = series_scratch(tab_cols, tab_unk, tab_coef)
    tab = (np.empty((tab_cols.shape[0], n)), tab_axis, tab_cols, tab_unk, tab_coef, tab_len,
           np.empty((max(tab_coef.shape[1], 2), n)), np.empty((max(tab_coef.shape[0], 2), n)),
           ser, np.empty((ser.shape[0] // 2 - 1, n)), np.empty(n),
           np.zeros((2 * HALF_TERMS + 1) * (ser.shape[0] // 2 - 1) + 1))
    state = np.empty((3, n), np.uint64)  # lanes last (normals_lanes), written back at the end
    refl = np.empty((k, 3, n))
    _load_lanes(m0, ref, mp, mv, slon, rng, first, n, y, refl, mpl, mvl, sl, state)
    noise_arrays = (d0, slot, tset, offsets, times, values, amp, temp_slot, pslot, pweight, t0,
                    state, cur, vl, dls, thetal, temps, cmat, xil, _noise_constants(mpl, dt, n),
                    _rows_read(pslot, nd))
    uniform = _one_setup(mode, mpl, mvl, sl, bth, par, n) if one else False
    has_tables = slot.shape[0] > 0
    # whether the noise reads the circuit at m: the pumping's D, or a temperature solved for
    solved_noise = pumping or (mode == 3 and np.any(temp_slot < 0))
    fresh0 = not (noise and heun and solved_noise)  # else _one_noise's values at m serve
    nl = _shared_lanes(mode, first, n, d0, amp, tset)  # lanes whose drives are evaluated
    stages = HEUN_STAGES if heun else RK4_STAGES
    step = save_step[0]  # the first step (t = step dt on the run's own clock)
    drives = (d0, slot, tset, offsets, times, values, amp, r0, f, t, d, rd, fd, td, rd1, fd1, td1,
              tab, cur, vl)
    _drives_at(mode, step * dt, first, nl, drives)
    si = _save_lanes(y, out, first, save_step, 0, step, n)
    _reference_lanes(y, refl, pold, n)  # one magnet: _finish_one's from then on
    if one:
        _steps_one(mode, heun, noise, uniform, pumping, fresh, fresh0, solved_noise, has_tables,
                   step, si, save_step, dt, first, nl, n, y, ks, par, bth, mpl, mvl, refl, pold,
                   p1, w, dmat, out, t_cross, tab, noise_arrays, drives)
        si = save_step.shape[0]
    while si < save_step.shape[0]:
        tt = step * dt
        _reference_lanes(y, refl, pold, n)
        if has_tables:
            _drives_at(mode, tt, first, nl, drives)
        for st in range(stages.shape[0]):
            h = stages[st] * dt
            if has_tables and st > 0 and stages[st] != stages[st - 1]:
                _drives_at(mode, tt + h, first, nl, drives)
            _general_stage(st, h, mode, heun, y, kg, ytmp, mpl, mvl, sl, bth, circuit, noise, tt,
                           dt, first, nl, noise_arrays, tab, n)
        _general_finish(y, kg, dt, heun, refl, pold, tt, t_cross, first, n)
        step += 1
        si = _save_lanes(y, out, first, save_step, si, step, n)
    _store_streams(rng, state, first, n)


@njit(cache=True, error_model="numpy", parallel=True)
def integrate_ensemble(mode, m0, save_step, dt, heun, noise, rng, d0, slot, offsets, times,
                       values, amp, tset, a0, r0, e_map, f, t, pm, hm, slon, mp, mv, tab_axis,
                       tab_cols, tab_unk, tab_coef, tab_len, temp_slot, pslot, pweight, t0, out, ref,
                       t_cross, lanes):
    """Fixed-step RK4 or (stochastic) Heun for E trajectories, in parallel chunks of
    ``lanes`` lanes (at most :data:`PULSED_LANES`); arguments as :func:`~.kernels.integrate_fixed`."""
    n_traj = m0.shape[0]
    n_chunks = (n_traj + lanes - 1) // lanes
    for ci in prange(n_chunks):
        first = ci * lanes
        n = min(lanes, n_traj - first)
        _chunk(mode, m0, save_step, dt, heun, noise, rng, d0, slot, offsets, times, values, amp,
               tset, a0, r0, e_map, f, t, pm, hm, slon, mp, mv, tab_axis, tab_cols, tab_unk,
               tab_coef, tab_len, temp_slot, pslot, pweight, t0, out, ref, t_cross, first, n)


def _refresh_stale_cache() -> None:
    """This module's cached kernels contain those of :mod:`.kernels` and :mod:`.circuit_lanes`:
    dropped when either changed (:func:`.kernel_cache.refresh_stale_cache`)."""
    from . import circuit_lanes, kernels

    refresh_stale_cache(integrate_ensemble, "ensemble", kernels)
    refresh_stale_cache(integrate_ensemble, "ensemble", circuit_lanes)


_refresh_stale_cache()
