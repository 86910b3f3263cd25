"""Compiled (numba) kernels: circuit torque, LLGS right-hand side and integrators.

Everything here works on plain arrays prepared by :mod:`spincaloric.dynamics.simulation`;
there is no Python in the time loop and none per trajectory. Array conventions (k dynamic
magnets, n nodes, u unknowns, E trajectories):

* magnet parameters ``mp`` (E, k, 6): M_s (A/m), volume (m³), α, γ (rad/(s T)), B_k (T),
  γ/(M_s V) (rad s⁻¹ per N·m: turns a torque into an angular velocity); vectors ``mv`` (E, k, 3, 3): easy axis u, demagnetizing
  factors N, applied field B_app (T);
* drives: static vector ``d0`` (E, 3n) in theory variables plus piecewise-linear tables for the
  time-dependent entries: ``slot`` (J,), ``offsets`` (S, J + 1), ``times``, ``values`` (theory
  variables): S sets of tables, trajectory e driven by set ``tset[e]`` (E,) (one set unless
  the trajectories of a run have drives of their own), scaled per trajectory by
  ``amplitude`` (E, J) around the static value;
* torque mode 0: none; 1: the circuit (maps a0, r0, e, f, t of CircuitTorqueModel);
  2: prescribed Slonczewski torque τ/(M_s V) = a_J m × (m × p), given as
  ``slon[e, j] = (a_J M_s V (N·m), p)``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ..constants import BOLTZMANN, HBAR_E, MU0, TORQUE_PER_SPIN_CURRENT
from . import circuit_lanes
from .circuit_lanes import circuit_torque_one, map_entries
from .kernel_cache import refresh_stale_cache

_HBAR_2E = TORQUE_PER_SPIN_CURRENT
_HBAR_E = HBAR_E
_MU0 = MU0
_KB = BOLTZMANN


_W32 = np.uint64(0xFFFFFFFF)
#: Philox4x32 multipliers and Weyl key increments (Salmon et al., SC'11, "Parallel random
#: numbers: as easy as 1, 2, 3"; the Random123 library's constants).
_PM0, _PM1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_PW0, _PW1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)


@njit(cache=True, error_model="numpy", inline="always")
def _philox_round(c0, c1, c2, c3, k0, k1):
    """One Philox4x32 round on 32-bit words held in uint64 (k0, k1: the round's key)."""
    p0 = _PM0 * c0
    p1 = _PM1 * c2
    return ((p1 >> np.uint64(32)) ^ c1 ^ k0, p1 & _W32, (p0 >> np.uint64(32)) ^ c3 ^ k1,
            p0 & _W32)


@njit(cache=True, error_model="numpy", inline="always")
def philox_block(key, stream, counter):
    """The Philox4x32-10 block (Salmon et al., SC'11) of the 128-bit counter (``counter`` in
    words 0–1, ``stream`` in words 2–3, low word first) under the 64-bit ``key`` (low word
    first), as two 64-bit numbers: words 0 and 1 (high, low), words 2 and 3 — a bijection of
    the counter for every key, so that each (key, stream) pair is a stream of 2⁶⁴ independent
    blocks indexed by ``counter``: no state but the count. Matches the Random123 known-answer
    vectors."""
    c0, c1 = counter & _W32, counter >> np.uint64(32)
    c2, c3 = stream & _W32, stream >> np.uint64(32)
    k0, k1 = key & _W32, key >> np.uint64(32)
    for _ in range(10):
        c0, c1, c2, c3 = _philox_round(c0, c1, c2, c3, k0, k1)
        k0, k1 = (k0 + _PW0) & _W32, (k1 + _PW1) & _W32
    return (c0 << np.uint64(32)) | c1, (c2 << np.uint64(32)) | c3


#: An odd 64-bit constant (2⁶⁴/golden ratio): the keys of a deviate's further draws.
_RETRY_KEY = np.uint64(0x9E3779B97F4A7C15)


@njit(cache=True, error_model="numpy")
def _further_draws(key, stream, j, pair):
    """Further draws 2·pair and 2·pair + 1 (64 bits each) of deviate j of the stream (key,
    stream), for the ziggurat's rejections: block j of the stream under the key
    key ⊕ (pair + 1)·K — a stream of its own for each deviate, so that deviate j is a
    function of (key, stream, j) alone, whatever the deviates before it needed."""
    return philox_block(key ^ (pair + np.uint64(1)) * _RETRY_KEY, stream, j)


#: The ziggurat's strips and its base strip's edge r and area v (the r at which 1024 strips of
#: the base strip's area tile exp(−x²/2) up to f = 1, found by bisection): a first draw is
#: rejected 0.43 % of the time (256 strips, r = 3.6541528853610088: 1.49 %).
_ZLAYERS, _ZR, _ZV = 1024, 4.038849846109504, 1.2263246463530893e-3


def ziggurat_tables(layers: int = _ZLAYERS, r: float = _ZR, v: float = _ZV):
    """(k, w, f): the ziggurat of the standard normal density f(x) = exp(−x²/2) (Marsaglia &
    Tsang, J. Stat. Softw. 5(8) (2000)): ``layers`` strips of equal area ``v``, the base one
    (a rectangle up to ``r`` and the tail beyond) and rectangles [0, x_i] × [f(x_i), f(x_{i−1})]
    up to f = 1. For 31-bit magnitudes a: x = a w[i] in strip i, accepted at once when
    a < k[i] (x under the strip above); f[i] = f(x_i), f[0] = 1."""
    scale = 2.0**31
    k, w, f = np.zeros(layers, np.uint64), np.zeros(layers), np.zeros(layers)
    x, upper = r, r
    q = v / math.exp(-0.5 * r * r)  # the base strip's width as a rectangle of height f(r)
    k[0], k[1] = int(r / q * scale), 0
    w[0], w[-1] = q / scale, r / scale
    f[0], f[-1] = 1.0, math.exp(-0.5 * r * r)
    for i in range(layers - 2, 0, -1):
        x = math.sqrt(-2.0 * math.log(v / x + math.exp(-0.5 * x * x)))
        k[i + 1] = int(x / upper * scale)
        upper = x
        f[i] = math.exp(-0.5 * x * x)
        w[i] = x / scale
    return k, w, f


_ZK, _ZW, _ZF = ziggurat_tables()
_ZKF = _ZK.astype(np.float64)  # exact: the bounds are below 2³¹
_ZI = np.uint64(_ZLAYERS - 1)  # a first draw's strip bits
_ZS = np.uint64(_ZLAYERS.bit_length() - 1)  # its sign's bit, the 31 bits of magnitude above
_MASK31 = np.uint64(2**31 - 1)
#: 3 × _INV3 = 1 (mod 2⁶⁴): a multiple of 3 divided exactly by a product (which vectorises)
_INV3 = np.uint64(0xAAAAAAAAAAAAAAAB)


@njit(cache=True, error_model="numpy", inline="always")
def _block_draws(hi, lo):
    """The first draws of deviates 3b, 3b + 1, 3b + 2 from Philox block b (hi = words 0 and 1,
    lo = words 2 and 3, :func:`philox_block`): word i (i < 3) gives deviate 3b + i its sign
    (bit 0) and 31-bit magnitude, word 3 the three strips (10 bits each); laid out as
    strip | word << 10 (:func:`ziggurat_from`)."""
    w3 = lo & _W32
    return ((w3 & _ZI) | ((hi >> np.uint64(32)) << _ZS),
            ((w3 >> _ZS) & _ZI) | ((hi & _W32) << _ZS),
            ((w3 >> (_ZS + _ZS)) & _ZI) | ((lo >> np.uint64(32)) << _ZS))


@njit(cache=True, error_model="numpy", inline="always")
def deviate_draw(key, stream, j):
    """The first draw of normal deviate j of the stream (key, stream): its third j mod 3 of
    block ⌊j/3⌋ of :func:`philox_block` (:func:`_block_draws`) — three deviates a block."""
    hi, lo = philox_block(key, stream, j // np.uint64(3))
    d0, d1, d2 = _block_draws(hi, lo)
    r = j % np.uint64(3)
    return d0 if r == np.uint64(0) else (d1 if r == np.uint64(1) else d2)


@njit(cache=True, error_model="numpy", inline="always")
def _unit(bits):
    """A uniform deviate in [0, 1) from the top 53 of 64 random bits."""
    return (bits >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(cache=True, error_model="numpy")
def normal_deviate(key, stream, j):
    """Standard normal deviate j of the stream (key, stream) (:func:`.streams.trajectory_states`),
    by the ziggurat method (:func:`ziggurat_tables`): its first draw (:func:`deviate_draw`) —
    10 bits for the strip, 1 for the sign, 31 for the magnitude — is accepted at once 99.6 %
    of the time; otherwise the wedge is tested against exp(−x²/2), and the tail beyond r drawn
    by Marsaglia's (1964) method, from the deviate's further draws (:func:`_further_draws`)."""
    return ziggurat_from(key, stream, j, deviate_draw(key, stream, j))


@njit(cache=True, error_model="numpy")
def rng_normal(state):
    """The next standard normal deviate of the stream ``state`` = (key, stream, deviates so
    far) (:func:`normal_deviate`), counting it."""
    x = normal_deviate(state[0], state[1], state[2])
    state[2] += np.uint64(1)
    return x


@njit(cache=True, error_model="numpy")
def normals_into(state, out, count):
    """``count`` deviates of the stream ``state`` into out[:count], as :func:`normals_lanes`
    draws them (each call starts at a whole block: a ``count`` not a multiple of 3 leaves the
    rest of its last block unused)."""
    for i in range(count):
        out[i] = rng_normal(state)
    state[2] += np.uint64((3 - count % 3) % 3)


@njit(cache=True, error_model="numpy")
def ziggurat_from(key, stream, j, bits):
    """Normal deviate j of the stream (key, stream) (:func:`normal_deviate`) whose first
    draw was ``bits``: lets a lane-vectorised first draw finish here when rejected."""
    pair = np.uint64(0)
    while True:
        i = int(bits & _ZI)
        negative = (bits >> _ZS) & np.uint64(1)
        a = (bits >> (_ZS + np.uint64(1))) & _MASK31
        x = a * _ZW[i]
        if a < _ZK[i]:
            return -x if negative else x
        if i == 0:  # beyond r: x = r + ξ with ξ exponential, kept as exp(−ξ²/2)
            while True:
                a, b = _further_draws(key, stream, j, pair)
                pair += np.uint64(1)
                xi = -math.log1p(-_unit(a)) / _ZR
                y = -math.log1p(-_unit(b))
                if y + y > xi * xi:
                    return -(_ZR + xi) if negative else _ZR + xi
        a, bits = _further_draws(key, stream, j, pair)  # the wedge's test, else a new draw
        pair += np.uint64(1)
        if (_ZF[i - 1] - _ZF[i]) * _unit(a) + _ZF[i] < math.exp(-0.5 * x * x):
            return -x if negative else x


@njit(cache=True, error_model="numpy", fastmath=True, inline="always", _nrt=False)
def _first_draws(raw, n):
    """The ziggurat's first step on the draws raw[:n] (uint64, in place: the deviate's float
    bits where accepted; where it needs :func:`ziggurat_from`, the draw itself, which no
    deviate's bits equal: a draw is below 2⁴² and not 0 when rejected, a float's bits are 0
    (+0.0) or at least 2⁵² — :func:`_rejected`); the count rejected and the last lane
    rejected (−1 for none)."""
    out = raw.view(np.float64)
    rejected = 0
    last = -1
    for e in range(n):
        bits = raw[e]
        kept = out[e]  # the draw's bits, moved as they are
        i = np.intp(bits & _ZI)
        a = np.float64(np.int64((bits >> (_ZS + np.uint64(1))) & _MASK31))
        x = a * _ZW[i]
        x = x - 2.0 * x * np.int64((bits >> _ZS) & np.uint64(1))
        out[e] = kept if a >= _ZKF[i] else x
        rejected += np.int64(a >= _ZKF[i])
        last = max(last, e if a >= _ZKF[i] else -1)
    return rejected, last


@njit(cache=True, error_model="numpy", inline="always")
def _rejected(bits):
    """Whether a row's entry (its bits) is a draw :func:`_first_draws` rejected (1 ≤ bits < 2⁵²)."""
    return bits - np.uint64(1) < np.uint64(2**52 - 1)


@njit(cache=True, error_model="numpy", _nrt=False)
def _finish_rejected(state, out, row, j, rejected, last):
    """The ``rejected`` draws of out[row] left rejected (:func:`_first_draws`, the last in
    lane ``last``) finished by :func:`ziggurat_from` as each lane's deviate j past its count,
    found from the last lane down, each further one by a maximum over the lanes below the
    last found (a loop that vectorises: ~2 rejections in 512 lanes cost one pass, not a
    branch per lane)."""
    keys, streams, counters = state[0], state[1], state[2]
    bits = out[row].view(np.uint64)
    while True:
        out[row, last] = ziggurat_from(keys[last], streams[last],
                                       counters[last] + np.uint64(j), bits[last])
        rejected -= 1
        if rejected == 0:
            return
        top, last = last, -1
        for e in range(top):
            last = max(last, e if _rejected(bits[e]) else -1)


@njit(cache=True, error_model="numpy", fastmath=True, _nrt=False)
def normals_lanes(state, out, row, count, n):
    """``count`` standard normal deviates into out[row:row + count, :n], lane e's from its
    stream state[:, e] ((3, L): key, stream, deviates so far; lanes last so that the compiler
    vectorises the draws), equal to :func:`normals_into`'s: three draws a Philox block
    (:func:`_block_draws`) and the ziggurat's first step for every lane at once (accepted
    99.6 % of the time; the test in floating point, exact for 31-bit magnitudes), the rejected
    ones finished lane by lane (:func:`ziggurat_from`). Lanes whose count is not a multiple of
    3 (a stream not drawn by this function or :func:`normals_into`) are drawn one deviate at a
    time."""
    keys, streams, counters = state[0], state[1], state[2]
    partial = 0
    for e in range(n):
        partial += np.int64(counters[e] % np.uint64(3) != np.uint64(0))
    if partial:
        for e in range(n):
            for i in range(count):
                out[row + i, e] = rng_normal(state[:, e])
            counters[e] += np.uint64((3 - count % 3) % 3)
        return
    blocks = (count + 2) // 3
    for b in range(blocks):
        r = row + 3 * b
        left = min(3, count - 3 * b)
        d0 = out[r].view(np.uint64)
        d1 = out[r + min(left - 1, 1)].view(np.uint64)
        d2 = out[r + left - 1].view(np.uint64)
        for e in range(n):  # a loop storing to the block's rows vectorises
            hi, lo = philox_block(keys[e], streams[e], counters[e] * _INV3 + np.uint64(b))
            x0, x1, x2 = _block_draws(hi, lo)
            d2[e] = x2  # rows beyond count: d2 is d1 or d0, overwritten below
            d1[e] = x1
            d0[e] = x0
        for i in range(left):
            rejected, last = _first_draws(out[r + i].view(np.uint64), n)
            if rejected:
                _finish_rejected(state, out, r + i, 3 * b + i, rejected, last)
    for e in range(n):
        counters[e] += np.uint64(3 * blocks)


@njit(cache=True, error_model="numpy")
def crossing_fraction(c0, c1, c2, c3, c4):
    """The root θ in [0, 1] of c0 + c1 θ + c2 θ² + c3 θ³ + c4 θ⁴ (dimensionless), given
    c0 ≥ 0 above and a negative value at θ = 1: bisection to double precision."""
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if c0 + mid * (c1 + mid * (c2 + mid * (c3 + mid * c4))) >= 0.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@njit(cache=True, error_model="numpy")
def rk4_crossing(p0, a1, a23, a4, h):
    """Fraction θ of an RK4 step of h (s) at which the projection p = ref·m, p0 ≥ 0 at its
    start and negative at its end, crosses zero on the step's cubic continuous extension
    m(θ) = m + h [b1(θ) k1 + b2(θ) (k2 + k3) + b4(θ) k4] (Hairer, Nørsett & Wanner I, §II.6);
    a1 = ref·k1, a23 = ref·(k2 + k3), a4 = ref·k4 (1/s)."""
    return crossing_fraction(p0, h * a1, h * (-1.5 * a1 + a23 - 0.5 * a4),
                             h * (2.0 / 3.0) * (a1 - a23 + a4), 0.0)


@njit(cache=True, error_model="numpy")
def interp_table(t, times, values, lo, hi):
    """Linear interpolation in times[lo:hi] (non-decreasing; equal times are jumps)."""
    if t <= times[lo]:
        return values[lo]
    if t >= times[hi - 1]:
        return values[hi - 1]
    a, b = lo, hi - 1
    while b - a > 1:  # largest a with times[a] <= t
        mid = (a + b) // 2
        if times[mid] <= t:
            a = mid
        else:
            b = mid
    dt = times[b] - times[a]
    if dt <= 0.0:
        return values[b]
    return values[a] + (values[b] - values[a]) * (t - times[a]) / dt


@njit(cache=True, error_model="numpy")
def drive_at(t, d0, slot, offsets, times, values, amplitude, out):
    """Drive vector at time t (s) for one trajectory: out (3n,). Table j sets entry slot[j]
    to d0 + amplitude[j] (table(t) − d0): the amplitude scales the excursion from static."""
    for i in range(d0.shape[0]):
        out[i] = d0[i]
    for j in range(slot.shape[0]):
        lo, hi = offsets[j], offsets[j + 1]
        v = interp_table(t, times, values, lo, hi)
        out[slot[j]] = d0[slot[j]] + amplitude[j] * (v - d0[slot[j]])


@njit(cache=True, error_model="numpy")
def _solve_small(a, b, n):
    """Solve a x = b in place (Gaussian elimination, partial pivoting); returns x in b."""
    for col in range(n):
        piv = col
        big = abs(a[col, col])
        for r in range(col + 1, n):
            if abs(a[r, col]) > big:
                big = abs(a[r, col])
                piv = r
        if piv != col:
            for c in range(n):
                tmp = a[col, c]
                a[col, c] = a[piv, c]
                a[piv, c] = tmp
            tmp = b[col]
            b[col] = b[piv]
            b[piv] = tmp
        inv = 1.0 / a[col, col]
        for r in range(col + 1, n):
            fac = a[r, col] * inv
            if fac != 0.0:
                for c in range(col, n):
                    a[r, c] -= fac * a[col, c]
                b[r] -= fac * b[col]
    for r in range(n - 1, -1, -1):
        s = b[r]
        for c in range(r + 1, n):
            s -= a[r, c] * b[c]
        b[r] = s / a[r, r]


@njit(cache=True, error_model="numpy")
def prepare_drive(d, r0, f, t, rd, fd, td):
    """Contract the drive-dependent maps with d once per drive value: rd = R0 d (u,),
    fd = F d (k, q, u), td = T[..., u:] d (k, q, 3)."""
    u = r0.shape[0]
    nd = d.shape[0]
    nq = f.shape[1]
    for i in range(u):
        s = 0.0
        for j in range(nd):
            s += r0[i, j] * d[j]
        rd[i] = s
    for g in range(f.shape[0]):
        for q in range(nq):
            for i in range(u):
                s = 0.0
                for j in range(nd):
                    s += f[g, q, i, j] * d[j]
                fd[g, q, i] = s
            for c in range(3):
                s = 0.0
                for j in range(nd):
                    s += t[g, q, c, u + j] * d[j]
                td[g, q, c] = s


@njit(cache=True, error_model="numpy")
def prepare_excursion(d, d0, slot, r0, f, t, rdb, fdb, tdb, rd, fd, td):
    """:func:`prepare_drive` of d from that of the static drive d0 (rdb, fdb, tdb): the maps
    are linear in d and only the J driven slots ``slot`` differ from d0, so rd = rdb +
    Σ_j (d − d0)[slot_j] R0[:, slot_j] (and alike for fd, td) — u(1 + kq)·J operations
    instead of u(1 + kq)·3n."""
    u = r0.shape[0]
    nq = f.shape[1]
    for i in range(u):
        rd[i] = rdb[i]
    for g in range(f.shape[0]):
        for q in range(nq):
            for i in range(u):
                fd[g, q, i] = fdb[g, q, i]
            for c in range(3):
                td[g, q, c] = tdb[g, q, c]
    for j in range(slot.shape[0]):
        s = slot[j]
        x = d[s] - d0[s]
        if x == 0.0:
            continue
        for i in range(u):
            rd[i] += x * r0[i, s]
        for g in range(f.shape[0]):
            for q in range(nq):
                for i in range(u):
                    fd[g, q, i] += x * f[g, q, i, s]
                for c in range(3):
                    td[g, q, c] += x * t[g, q, c, u + s]


@njit(cache=True, error_model="numpy")
def circuit_torque(m, a0, e, nz, t, pm, hm, rd, fd, td, tau, dmat, phi, amat, w, ws):
    """Torques τ0 (k, 3) in N·m into tau on the k dynamic magnets at magnetizations m (k, 3),
    nz = :func:`~.circuit_lanes.map_entries` (e) (once per model),
    for the drive contracted by :func:`prepare_drive` into rd (u,), fd (k, q, u), td (k, q, 3);
    the solved unknowns into w[:u] (w (≥ u,)), phi (k, q) and amat (u, u) scratch. With spin
    pumping (pm (k, q, u, 3) non-empty, hm (k, q, 3, 3)) also D (3k, 3k) N·m·s into dmat,
    τ = τ0 + D ṁ (:meth:`.torque_model.CircuitTorqueModel.damping_matrix`), ws (u, 3k)
    scratch. The map of :mod:`.circuit_lanes`, for one lane."""
    k, u, nq = m.shape[0], a0.shape[0], e.shape[1]
    circuit_torque_one(m.reshape((k, 3, 1)), a0, e, nz, t, pm, hm, rd.reshape((u, 1)),
                       fd.reshape((fd.shape[0], nq, u, 1)), td.reshape((td.shape[0], nq, 3, 1)),
                       phi.reshape((k, nq, 1)), amat.reshape((u, u, 1)),
                       w.reshape((w.shape[0], 1)), ws.reshape((u, ws.shape[1], 1)),
                       dmat.reshape((3 * k, 3 * k, 1)), tau.reshape((k, 3, 1)), 1)


@njit(cache=True, error_model="numpy")
def _scratch(k, u, nd, e, f):
    """A single trajectory's scratch: y, ytmp, bth (k, 3), the drive vector d (nd,), τ0 (k, 3),
    the solved unknowns w (u + nd,), the drive's contraction rd, fd, td and the static
    drive's rdb, fdb, tdb (:func:`prepare_drive`), D (3k, 3k), the series' g₀ … g₃ (4,), the
    pumped LLGS's matrix and vector; then y, ytmp and the circuit torque's arguments after
    the maps as one lane of :mod:`.circuit_lanes` (views with a trailing axis of 1, made once
    per run: a reshape per stage costs as much as the torque), and E's non-zero entries."""
    y, ytmp, bth, tau, dmat = (np.zeros((k, 3)), np.zeros((k, 3)), np.zeros((k, 3)),
                               np.zeros((k, 3)), np.zeros((3 * k, 3 * k)))
    w = np.zeros(u + nd)
    rd, fd, td = np.zeros(u), np.zeros((f.shape[0], f.shape[1], u)), np.zeros(
        (f.shape[0], f.shape[1], 3))
    return (y, ytmp, bth, np.zeros(nd), tau, w, rd, fd, td, np.zeros(u), np.zeros(fd.shape),
            np.zeros(td.shape), dmat, np.zeros(4), np.zeros((3 * k, 3 * k)), np.zeros(3 * k),
            y.reshape((k, 3, 1)), ytmp.reshape((k, 3, 1)), rd.reshape((u, 1)),
            fd.reshape(fd.shape + (1,)), td.reshape(td.shape + (1,)),
            np.zeros((k, e.shape[1], 1)), np.zeros((u, u, 1)), w.reshape((w.shape[0], 1)),
            np.zeros((u, 3 * k, 1)), dmat.reshape(dmat.shape + (1,)), tau.reshape((k, 3, 1)),
            map_entries(e))


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def chebyshev_sum(coef, row, n, c):
    """Σ_{i<n} coef[row, i] T_i(c) by Clenshaw's recurrence (no stores: registers only)."""
    if n == 0:
        return 0.0
    b1 = 0.0
    b2 = 0.0
    for i in range(n - 1, 0, -1):
        b0 = coef[row, i] + 2.0 * c * b1 - b2
        b2 = b1
        b1 = b0
    return coef[row, 0] + c * b1 - b2


#: Terms of a half series that :func:`series_at` sums (a fixed count, so that a lane loop
#: calling it stays vectorised): series of degree ≤ 2 HALF_TERMS − 2 = 32.
HALF_TERMS = 17


#: T_k(x) = Σ_i CHEBYSHEV_POWERS[k, i] xⁱ for k < HALF_TERMS (integers: exact).
CHEBYSHEV_POWERS = np.array([np.pad(np.polynomial.chebyshev.cheb2poly(row), (0, HALF_TERMS - k - 1))
                             for k, row in enumerate(np.eye(HALF_TERMS))])
#: How much larger the sum of a half's power-series terms may be than that of its Chebyshev
#: coefficients (the bound of Horner's round-off relative to the Chebyshev sum's).
POWER_GROWTH = 4.0
_POWERS_NORM = np.abs(CHEBYSHEV_POWERS).sum(axis=1)


@njit(cache=True, error_model="numpy")
def _as_powers(cheb, terms, out):
    """The half series Σ_k cheb[k] T_k(x) (k < ``terms``) as Σ_i out[i] xⁱ (HALF_TERMS
    written, 0 beyond ``terms``); whether it is as well conditioned: Σ_k |cheb[k]| ‖T_k‖₁ ≤
    POWER_GROWTH Σ_k |cheb[k]| (‖T_k‖₁ the sum of |CHEBYSHEV_POWERS[k]|: for |x| ≤ 1 the
    power series' round-off is then within that factor of the Chebyshev sum's; a series
    whose coefficients fall fast has the ratio 1)."""
    bound = 0.0
    size = 0.0
    for i in range(HALF_TERMS):
        out[i] = 0.0
    for k in range(terms):
        size += abs(cheb[k])
        bound += abs(cheb[k]) * _POWERS_NORM[k]
        for i in range(k % 2, k + 1, 2):  # T_k has the parity of k
            out[i] += cheb[k] * CHEBYSHEV_POWERS[k, i]
    return bound <= POWER_GROWTH * size


@njit(cache=True, error_model="numpy", _nrt=False)
def series_halves(ser, flat, constant=True):
    """The halves of the contracted series' (:func:`contract_series`) outputs a, b, D's
    g0 … g3, then the tabulated unknowns (nout = 6 + nt in all), as power series in
    x = 2c² − 1 (:func:`_as_powers`), in turn while their degree is ≤ 32 and their power
    series as well conditioned as their Chebyshev series, into flat
    ((2 HALF_TERMS + 1) nout + 1,): output j's even half at 2j HALF_TERMS, its odd half after
    it, zero beyond the terms kept (:func:`series_at`), the terms kept of each at
    2 HALF_TERMS nout + j; one array read at offsets known when compiled, which a vectorised
    lane loop checks against its stores at once. Returns how many outputs (0 … nout).
    Without ``constant`` D's four (j = 2 … 5), which no drive scales, are kept as they are
    in flat (written by an earlier call that returned at least 6)."""
    nout = (ser.shape[0] - 2) // 2
    no = nout - 4
    for j in range(nout):
        if 2 <= j < 6 and not constant:
            continue
        o = j if j < 2 else (no + j - 2 if j < 6 else j - 4)
        n = ser[0, o]
        if n > 2 * HALF_TERMS - 1:
            return j
        flat[2 * HALF_TERMS * nout + j] = n
        ev, od, half = 2 * j * HALF_TERMS, (2 * j + 1) * HALF_TERMS, (int(n) + 1) // 2
        if not (_as_powers(ser[2 + o], half, flat[ev:ev + HALF_TERMS])
                and _as_powers(ser[2 + nout + o], int(n) // 2, flat[od:od + HALF_TERMS])):
            return j
    return nout


@njit(cache=True, error_model="numpy", inline="always")
def series_outputs(flat):
    """How many outputs the halves array flat holds room for (:func:`series_halves`)."""
    return (flat.shape[0] - 1) // (2 * HALF_TERMS + 1)


@njit(cache=True, error_model="numpy", inline="always")
def series_terms(flat, j):
    """The terms kept of output j of the halves in flat (:func:`series_halves`): 0 for a
    series that vanishes."""
    return flat[2 * HALF_TERMS * series_outputs(flat) + j]


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def series_at(flat, j, x, c, terms):
    """Output j (0, 1: a, b; 2 … 5: D's g0 … g3; then the unknowns) of the halves in flat
    (:func:`series_halves`) at c = m·p, x = 2c² − 1: Σ_k e_k xᵏ + c Σ_k β_k xᵏ over ``terms``
    (2 … HALF_TERMS, a constant where called, so that the sum is unrolled) terms each, by
    Horner's rule (two independent chains)."""
    ev, od = 2 * j * HALF_TERMS, (2 * j + 1) * HALF_TERMS
    even = flat[ev + terms - 1]
    odd = flat[od + terms - 1]
    for k in range(terms - 2, -1, -1):
        even = even * x + flat[ev + k]
        odd = odd * x + flat[od + k]
    return even + c * odd


@njit(cache=True, error_model="numpy")
def series_scratch(cols, unk, coef):
    """Scratch for :func:`axial_torque` (one array: each more array passed per stage costs
    reference counting), for the outputs o = a, b, each tabulated unknown, then D's g0 … g3
    (nout = nt + 6): [0, o] the terms kept by output o, [0, -2] whether the lanes of a chunk
    share their drives (:mod:`.ensemble`), [0, -1] whether contracted yet, [1, :nc] the drives
    contracted with, [2 + o] and [2 + nout + o] the even and odd halves of output o's series,
    the last row :func:`contract_series`'s scratch (so that it allocates nothing)."""
    nout = 6 + unk.shape[0]
    return np.zeros((3 + 2 * nout, max(coef.shape[1], cols.shape[0], nout + 2, HALF_TERMS)))


@njit(cache=True, error_model="numpy", _nrt=False)
def contract_series(d, cols, coef, lens, ser):
    """The table's series contracted with the drive vector d (3n,), one series per output o
    (a, b, each tabulated unknown; then D's four, which no drive scales), f_o(c) = Σ_i s_i
    T_i(c) with s_i = Σ_ci d[cols[ci]] coef[ci (2 + nt) + o, i], stored in halves: with
    x = 2c² − 1, T_2k(c) = T_k(x) and T_2k+1(c) = c V_k(x), V_k = 2 Σ_{j≤k} (−1)^{k−j} T_j(x)
    − (−1)^k (the fourth kind), so f(c) = Σ_k s_2k T_k(x) + c Σ_j β_j T_j(x),
    β_j = 2 Σ_{k≥j} (−1)^{k−j} s_2k+1 (j ≥ 1), β_0 = Σ_k (−1)^k s_2k+1: two independent
    recurrences of half the length (|β| ≤ 2 max |s| for decaying series). Terms kept
    ser[0, o]; nothing is done when the drives ser[1, :nc] equal d's (a constant drive is
    contracted once per trajectory, a pulse once per stage). Linear in the drives: equal to
    contracting their values, round-off apart. Called wherever the drive vector is set,
    before :func:`axial_torque`. Returns whether it contracted anew (D's series only the
    first time: no drive scales them)."""
    nout = (ser.shape[0] - 2) // 2
    no = nout - 4
    fresh = first = ser[0, ser.shape[1] - 1] == 0.0
    for ci in range(cols.shape[0]):
        if d[cols[ci]] != ser[1, ci]:
            ser[1, ci] = d[cols[ci]]
            fresh = True
    if not fresh:
        return False
    s = ser[ser.shape[0] - 1]
    for o in range(nout if first else no):  # D's, which no drive scales, once
        for i in range(s.shape[0]):
            s[i] = 0.0
        n = 0
        if o >= no:  # D's: not scaled by a drive
            r = cols.shape[0] * no + o - no
            n = lens[r]
            for i in range(n):
                s[i] = coef[r, i]
        for ci in range(cols.shape[0] if o < no else 0):
            xc = ser[1, ci]
            r = ci * no + o
            if xc != 0.0:
                for i in range(lens[r]):
                    s[i] += xc * coef[r, i]
                n = max(n, lens[r])
        ser[0, o] = n
        for k in range(ser.shape[1]):  # zeros beyond the terms kept (series_at reads them)
            ser[2 + o, k] = s[2 * k] if 2 * k < n else 0.0
            ser[2 + nout + o, k] = 0.0
        acc = 0.0  # A_j = Σ_{k≥j} (−1)^{k−j} s_2k+1 = s_2j+1 − A_j+1
        for j in range(n // 2 - 1, -1, -1):
            acc = s[2 * j + 1] - acc
            ser[2 + nout + o, j] = 2.0 * acc if j > 0 else acc
    ser[0, ser.shape[1] - 1] = 1.0
    return True


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _add_terms(ser, row, h, k, t, e, o, e2, o2):
    """Term k of the even and odd halves of outputs ``row`` and row + 1 of ``ser``
    (:func:`contract_series`; odd halves h rows on) added, T_k(x) = t."""
    return (e + ser[row, k] * t, o + ser[row + h, k] * t, e2 + ser[row + 1, k] * t,
            o2 + ser[row + 1 + h, k] * t)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def axial_torque(m, axis, unk, nunk, pumping, tau, gax, w, ser):
    """The circuit torque of one dynamic magnet from its series in c = m·p
    (:mod:`.axial`): τ0 (1, 3) N·m into tau, with ``pumping`` D's g₀ … g₃ (N·m·s,
    :func:`axial_damping`) into gax (4,), the first ``nunk`` tabulated unknowns ``unk`` into
    w (only the thermal noise reads them), for the magnetization m (1, 3) and the drives the
    series were contracted with (``ser``, :func:`contract_series`), axis p (3,). Exact on the
    unit sphere; a stage's m, off it by the step's error, enters as it is (as in the solve,
    whose maps are polynomials in m): normalising it would put a square root and a division
    on every stage's critical path.

    Each output is Σ_k e_k T_k(x) + c Σ_k β_k T_k(x), x = 2c² − 1 (:func:`series_at`). With
    spin pumping the halves of a, b and g₀ … g₃ are summed in one loop over k that shares
    T_k(x) (their terms beyond those kept are zero): each sum is a chain of dependent
    additions, and the processor overlaps independent chains within a loop but not one
    recurrence after another (twelve Clenshaw recurrences in turn took the pumped
    single-trajectory step 1.8 times as long). Without, a and b by Clenshaw's recurrences."""
    mx, my, mz = m[0, 0], m[0, 1], m[0, 2]
    px, py, pz = axis[0], axis[1], axis[2]
    c = mx * px + my * py + mz * pz
    x = 2.0 * c * c - 1.0
    h = (ser.shape[0] - 2) // 2  # the odd halves' first row − 2
    r = 4 + unk.shape[0]  # D's first row
    if pumping:
        ae, ao, be, bo = ser[2, 0], ser[2 + h, 0], ser[3, 0], ser[3 + h, 0]
        t0, t1 = 1.0, x
        top = max(ser[0, 0], ser[0, 1], ser[0, r - 2], ser[0, r - 1], ser[0, r], ser[0, r + 1])
        e0, o0, e1, o1 = ser[r, 0], ser[r + h, 0], ser[r + 1, 0], ser[r + 1 + h, 0]
        e2, o2, e3, o3 = ser[r + 2, 0], ser[r + 2 + h, 0], ser[r + 3, 0], ser[r + 3 + h, 0]
        for k in range(1, (int(top) + 1) // 2):
            ae, ao, be, bo = _add_terms(ser, 2, h, k, t1, ae, ao, be, bo)
            e0, o0, e1, o1 = _add_terms(ser, r, h, k, t1, e0, o0, e1, o1)
            e2, o2, e3, o3 = _add_terms(ser, r + 2, h, k, t1, e2, o2, e3, o3)
            t0, t1 = t1, 2.0 * x * t1 - t0
        gax[0], gax[1], gax[2], gax[3] = e0 + c * o0, e1 + c * o1, e2 + c * o2, e3 + c * o3
        a, b = ae + c * ao, be + c * bo
    else:  # two chains only: Clenshaw's recurrences (measured 2–5 % faster here)
        n = int(ser[0, 0])
        a = chebyshev_sum(ser, 2, (n + 1) // 2, x) + c * chebyshev_sum(ser, 2 + h, n // 2, x)
        n = int(ser[0, 1])
        b = chebyshev_sum(ser, 3, (n + 1) // 2, x) + c * chebyshev_sum(ser, 3 + h, n // 2, x)
    tau[0, 0], tau[0, 1], tau[0, 2] = axial_torque_of(mx, my, mz, px, py, pz, a, b)
    for i in range(nunk):
        n = int(ser[0, 2 + i])
        w[unk[i]] = (chebyshev_sum(ser, 4 + i, (n + 1) // 2, x)
                     + c * chebyshev_sum(ser, 4 + h + i, n // 2, x))


@njit(cache=True, error_model="numpy")
def pumping_temperatures(pslot, pweight, t0, d, w, theta, dt):
    """θ_g = k_B T_g/dt (J/s) of each magnet's pumping noise: T_g the weighted mean
    Σ_c pweight[g, c] T_c of the electron temperatures T_c (K) across its contacts
    (``pslot`` (k, c) as ``temp_slot``: i ≥ 0 the drive d, i < 0 the solved unknown
    w[−1 − i]; T = t0 + that, at least 0): :func:`pumping_temperatures_lanes` for one lane."""
    pumping_temperatures_lanes(pslot, pweight, t0, d.reshape((d.shape[0], 1)),
                               w.reshape((w.shape[0], 1)), theta.reshape((theta.shape[0], 1)),
                               dt, 1)


@njit(cache=True, error_model="numpy", _nrt=False)
def pumping_temperatures_lanes(pslot, pweight, t0, d, w, theta, dt, n):
    """:func:`pumping_temperatures` for the lanes' drives d (nd, L) and unknowns w (u, L) into
    theta (k, L), lanes innermost."""
    scale = _KB / dt
    last = pslot.shape[1] - 1
    for g in range(pslot.shape[0]):
        for e in range(n if last < 0 else 0):  # no contact: no pumping noise
            theta[g, e] = 0.0
        for c in range(last + 1):  # one pass a contact, the scale in the last
            ts, wt = pslot[g, c], pweight[g, c]
            for e in range(n):
                temp = t0 + (d[ts, e] if ts >= 0 else w[-1 - ts, e])
                acc = (theta[g, e] if c > 0 else 0.0) + wt * max(temp, 0.0)
                theta[g, e] = acc * scale if c == last else acc


@njit(cache=True, error_model="numpy")
def pumping_thermal_field(m, dmat, mp, theta, cmat, xi, bth):
    """:func:`pumping_field_lanes` of one trajectory: m (k, 3), dmat (3k, 3k), mp (k, 6),
    theta (k,), cmat (3k, 3k) scratch, xi (3k,) standard normals, bth (k, 3) T."""
    k = m.shape[0]
    pumping_field_lanes(m.reshape((k, 3, 1)), dmat.reshape((3 * k, 3 * k, 1)),
                        mp.reshape((k, 6, 1)), theta.reshape((k, 1)),
                        cmat.reshape((3 * k, 3 * k, 1)), xi.reshape((3 * k, 1)),
                        bth.reshape((k, 3, 1)), np.empty(1), 1)


@njit(cache=True, error_model="numpy")
def thermal_field_one(m, dmat, mp, theta, sig, xi, bth):
    """:func:`thermal_field_one_lanes` of one trajectory: m (1, 3), dmat (3, 3), mp (1, 6),
    theta (1,) J/s, σ = ``sig`` (T), xi (3,) standard normals, into bth (1, 3) T."""
    tx, ty, tz = _field_one(m[0, 0], m[0, 1], m[0, 2], dmat[0, 0], dmat[0, 1], dmat[0, 2],
                            dmat[1, 0], dmat[1, 1], dmat[1, 2], dmat[2, 0], dmat[2, 1],
                            dmat[2, 2], sig, 1.0 / (mp[0, 0] * mp[0, 1]) ** 2, theta[0], xi[0],
                            xi[1], xi[2])
    bth[0, 0], bth[0, 1], bth[0, 2] = tx, ty, tz


@njit(cache=True, error_model="numpy", fastmath=True)
def thermal_field_one_lanes(y, dmat, mp, theta, sig, xi, bth, n):
    """The whole thermal field bth (1, 3, L) (T) of one magnet with spin pumping, Brown's and
    the pumping channels' as one Gaussian draw from three standard normals per lane
    (:func:`_field_one`; ``xi`` (3, L)): Brown's field has the covariance σ² (``sig`` (L,),
    T) and the pumping channels' field m × δτ/(M_s V) the covariance
    J θ (J Dᵀ + D Jᵀ) Jᵀ/(M_s V)² (J = [m×], D = ``dmat`` (3, 3, L) N·m·s, θ = ``theta``
    (1, L) J/s, the fluctuation–dissipation theorem of the circuit's friction, physics.md
    §9); the two are independent, so their sum is one Gaussian field of the summed
    covariance. y (1, 3, L), mp (1, 6, L) the magnet's parameters."""
    for e in range(n):
        bth[0, 0, e], bth[0, 1, e], bth[0, 2, e] = _field_one(
            y[0, 0, e], y[0, 1, e], y[0, 2, e], dmat[0, 0, e], dmat[0, 1, e], dmat[0, 2, e],
            dmat[1, 0, e], dmat[1, 1, e], dmat[1, 2, e], dmat[2, 0, e], dmat[2, 1, e],
            dmat[2, 2, e], sig[e], 1.0 / (mp[0, 0, e] * mp[0, 1, e]) ** 2, theta[0, e],
            xi[0, e], xi[1, e], xi[2, e])


@njit(cache=True, error_model="numpy", fastmath=True)
def pumping_field_lanes(y, dmat, mp, theta, cmat, xi, bth, sq, n):
    """Add to Brown's field bth (k, 3, L) (T) the thermal field of the spin-pumping channels,
    lane by lane (lanes innermost): the torque noise δτ (3k) with covariance
    Θ^½ (J Dᵀ + D Jᵀ) Θ^½ (N² m²; J = diag([m_g×]), D = ``dmat`` (3k, 3k, L) N·m·s,
    Θ = diag(θ_g), ``theta`` (k, L) J/s from :func:`pumping_temperatures`), the
    fluctuation–dissipation theorem of the circuit's friction (physics.md §9), drawn as L ξ
    with ξ = ``xi`` (3k, L) standard normals (overwritten), L Lᵀ its Cholesky factor, and
    applied as the field m_g × δτ_g/(M_s V) that exerts it (held over the step as Brown's).
    y (k, 3, L) magnetizations, mp (k, 6, L) magnet parameters, ``cmat`` (3k, 3k, L) and
    ``sq`` (L,) scratch. (The kernels draw one magnet's whole field at once:
    :func:`thermal_field_one_lanes`.)"""
    _pumping_covariance_lanes(y, dmat, theta, cmat, sq, n)
    _cholesky_times_lanes(cmat, xi, sq, n)
    for g in range(y.shape[0]):
        for e in range(n):
            tx, ty, tz = xi[3 * g, e], xi[3 * g + 1, e], xi[3 * g + 2, e]
            inv = 1.0 / (mp[g, 0, e] * mp[g, 1, e])
            bth[g, 0, e] += inv * (y[g, 1, e] * tz - y[g, 2, e] * ty)
            bth[g, 1, e] += inv * (y[g, 2, e] * tx - y[g, 0, e] * tz)
            bth[g, 2, e] += inv * (y[g, 0, e] * ty - y[g, 1, e] * tx)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _root_field(mx, my, mz, sig, kap, trc, detc, cx, cy, cz, x0, x1, x2):
    """b = S ξ (T): one magnet's whole thermal field from three standard normals ξ = (x0, x1,
    x2), S the principal square root of its covariance σ² 1 + κ J C Jᵀ: Brown's field's σ²
    (σ = ``sig``, T) and the pumping channels' field m × δτ/(M_s V), δτ of the covariance C
    (N² m², null along m; its trace ``trc`` and determinant ``detc`` across m, and
    (cx, cy, cz) = C ξ), κ = 1/(M_s V)² = ``kap``, J = [m×]. Along m S is σ. Across m, for
    a 2 × 2 symmetric C, J C Jᵀ = tr C − C, so the covariance there is A = α − κ C,
    α = σ² + κ tr C, with det A = α² − α κ tr C + κ² det C, and a positive definite 2 × 2 A
    has the root (A + √det A)/√(tr A + 2√det A) (Cayley–Hamilton):

        b = σ (m·ξ) m + ((α + √det A) (ξ − (m·ξ) m) − κ C ξ)/√(2α − κ tr C + 2√det A).

    Without pumping (C = 0) this is σ ξ, Brown's field alone."""
    xm = mx * x0 + my * x1 + mz * x2
    alpha = sig * sig + kap * trc
    sq = math.sqrt(max(alpha * alpha - alpha * kap * trc + kap * kap * detc, 0.0))
    den = math.sqrt(max(2.0 * alpha - kap * trc + 2.0 * sq, 0.0))
    inv = 1.0 / den if den > 0.0 else 0.0  # one division
    a = (alpha + sq) * inv
    c = kap * inv
    along = (sig - a) * xm
    return (a * x0 + along * mx - c * cx, a * x1 + along * my - c * cy,
            a * x2 + along * mz - c * cz)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _field_one(mx, my, mz, d00, d01, d02, d10, d11, d12, d20, d21, d22, sig, kap, theta, x0,
               x1, x2):
    """One magnet's whole thermal field (T) from three standard normals (:func:`_root_field`)
    for any friction D (N·m·s, row by row): C = θ (J Dᵀ + D Jᵀ) (θ in J/s), its trace and its
    determinant across m — the sum of its principal 2 × 2 minors, C being null along m.

    C is positive semidefinite for a D that dissipates, but a D with no dissipative part
    (g₀ alone: C = 0) gives C of round-off, indefinite, whose root would amplify it to
    √ε; C is then replaced by its positive part λ₊ v₊v₊ᵀ = λ₊ (C − λ₋ P)/(λ₊ − λ₋) (P the
    projector across m, λ± its eigenvalues there), the nearest semidefinite matrix."""
    a00, a01, a02 = my * d02 - mz * d01, my * d12 - mz * d11, my * d22 - mz * d21  # J Dᵀ
    a10, a11, a12 = mz * d00 - mx * d02, mz * d10 - mx * d12, mz * d20 - mx * d22
    a20, a21, a22 = mx * d01 - my * d00, mx * d11 - my * d10, mx * d21 - my * d20
    c00, c11, c22 = 2.0 * a00 * theta, 2.0 * a11 * theta, 2.0 * a22 * theta
    c10, c20, c21 = (a10 + a01) * theta, (a20 + a02) * theta, (a21 + a12) * theta
    trc = c00 + c11 + c22
    detc = c00 * c11 - c10 * c10 + c00 * c22 - c20 * c20 + c11 * c22 - c21 * c21
    cx = c00 * x0 + c10 * x1 + c20 * x2
    cy = c10 * x0 + c11 * x1 + c21 * x2
    cz = c20 * x0 + c21 * x1 + c22 * x2
    if detc < 0.0 or trc < 0.0:
        half = 0.5 * trc
        r = math.sqrt(max(half * half - detc, 0.0))
        lp, lm = half + r, half - r
        f = lp / (lp - lm) if lp > 0.0 else 0.0
        xm = mx * x0 + my * x1 + mz * x2
        cx = f * (cx - lm * (x0 - xm * mx))
        cy = f * (cy - lm * (x1 - xm * my))
        cz = f * (cz - lm * (x2 - xm * mz))
        trc, detc = max(lp, 0.0), 0.0
    return _root_field(mx, my, mz, sig, kap, trc, detc, cx, cy, cz, x0, x1, x2)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _pumping_covariance_lanes(y, dmat, theta, cmat, sq, n):
    """Θ^½ (J Dᵀ + D Jᵀ) Θ^½ into cmat (3k, 3k, L). Along each m_g it is null; that part is
    filled with max-diagonal × m_g m_gᵀ to make it definite (m_g × removes it exactly).
    Lanes innermost; sq (L,) scratch."""
    k = y.shape[0]
    nn = 3 * k
    for g in range(k):
        for i in range(3):
            i1, i2 = (i + 1) % 3, (i + 2) % 3
            for b in range(nn):  # (J Dᵀ)[3g + i, b] = (m_g × D[b, 3g:3g+3])_i
                for e in range(n):
                    cmat[3 * g + i, b, e] = (y[g, i1, e] * dmat[b, 3 * g + i2, e]
                                             - y[g, i2, e] * dmat[b, 3 * g + i1, e])
    for ga in range(k):  # one square root per pair of magnets and lane
        for gb in range(ga + 1):
            for e in range(n):
                sq[e] = math.sqrt(theta[ga, e] * theta[gb, e])
            for i in range(3):
                a = 3 * ga + i
                for j in range(3 if gb < ga else i + 1):
                    b = 3 * gb + j
                    for e in range(n):
                        v = (cmat[a, b, e] + cmat[b, a, e]) * sq[e]
                        cmat[a, b, e] = v
                        cmat[b, a, e] = v
    _definite_lanes(y, cmat, sq, n)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _definite_lanes(y, cmat, sq, n):
    """Add max-diagonal × m_g m_gᵀ to each magnet's block of cmat (3k, 3k, L), lanes
    innermost: the covariance is null along m_g, which the field m_g × removes exactly."""
    for e in range(n):
        sq[e] = 0.0
    for a in range(cmat.shape[0]):
        for e in range(n):
            sq[e] = max(sq[e], cmat[a, a, e])
    for g in range(y.shape[0]):
        for i in range(3):
            for j in range(3):
                for e in range(n):
                    cmat[3 * g + i, 3 * g + j, e] += sq[e] * y[g, i, e] * y[g, j, e]


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _cholesky_times_lanes(cmat, xi, sq, n):
    """L ξ into xi (nn, L), L the Cholesky factor of each lane's cmat (nn, nn, L) (into its
    lower triangle in place; a zero pivot gives a zero column). Lanes innermost; sq (L,)
    scratch."""
    nn = cmat.shape[0]
    for c in range(nn):
        for j in range(c):
            for e in range(n):
                cmat[c, c, e] -= cmat[c, j, e] * cmat[c, j, e]
        for e in range(n):
            cmat[c, c, e] = math.sqrt(max(cmat[c, c, e], 0.0))
        for r in range(c + 1, nn):
            for j in range(c):
                for e in range(n):
                    cmat[r, c, e] -= cmat[r, j, e] * cmat[c, j, e]
            for e in range(n):
                piv = cmat[c, c, e]
                cmat[r, c, e] = cmat[r, c, e] / piv if piv > 0.0 else 0.0
    for r in range(nn - 1, -1, -1):  # bottom up
        for e in range(n):
            sq[e] = 0.0
        for j in range(r + 1):
            for e in range(n):
                sq[e] += cmat[r, j, e] * xi[j, e]
        for e in range(n):
            xi[r, e] = sq[e]


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def precession_rate(mx, my, mz, ms, gam, bk, tf, ux, uy, uz, nx, ny, nz, hx, hy, hz, tx, ty, tz):
    """Ω = −γ m × B + (γ/M_sV) τ (1/s) of one macrospin m (unit), on scalars (a lane loop
    that calls it stays vectorised): B = B_ext + B_K (m·u) u − μ0 M_s N m + B_th (T), with
    (hx, hy, hz) = B_ext + B_th, N = diag(nx, ny, nz) the demagnetizing factors, u the easy
    axis, B_K = ``bk`` (T), M_s = ``ms`` (A/m), γ = ``gam`` (rad/(s·T)), γ/M_sV = ``tf``
    (1/(N·m·s)), τ (N·m)."""
    proj = mx * ux + my * uy + mz * uz
    bx = hx + bk * proj * ux - _MU0 * ms * nx * mx
    by = hy + bk * proj * uy - _MU0 * ms * ny * my
    bz = hz + bk * proj * uz - _MU0 * ms * nz * mz
    return (-gam * (my * bz - mz * by) + tf * tx, -gam * (mz * bx - mx * bz) + tf * ty,
            -gam * (mx * by - my * bx) + tf * tz)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def landau_lifshitz_rate(mx, my, mz, alpha, inv, ox, oy, oz):
    """dm/dt = (Ω + α m × Ω)/(1 + α²) (1/s): the Gilbert form ṁ = Ω + α m × ṁ solved for ṁ
    (m unit, Ω ⊥ m; :func:`precession_rate`); ``inv`` = 1/(1 + α²), computed once by the
    caller (a division on every stage costs a lane loop more than the rest of this)."""
    return (inv * (ox + alpha * (my * oz - mz * oy)), inv * (oy + alpha * (mz * ox - mx * oz)),
            inv * (oz + alpha * (mx * oy - my * ox)))


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def pumped_rate(mx, my, mz, alpha, tf, d00, d01, d02, d10, d11, d12, d20, d21, d22, ox, oy, oz):
    """dm/dt (1/s) of one macrospin with spin pumping, τ = τ0 + D ṁ: the Gilbert form
    ṁ = Ω + α m × ṁ + (γ/M_sV) D ṁ solved as M ṁ = Ω, M = 1 − α[m×] − (γ/M_sV) D, by
    Cramer's rule on scalars (M is 1 plus small terms: α and the pumping's dampings); D
    (N·m·s) row by row, γ/M_sV = ``tf`` (1/(N·m·s)), Ω from :func:`precession_rate`."""
    a00, a01, a02 = 1.0 - tf * d00, alpha * mz - tf * d01, -alpha * my - tf * d02
    a10, a11, a12 = -alpha * mz - tf * d10, 1.0 - tf * d11, alpha * mx - tf * d12
    a20, a21, a22 = alpha * my - tf * d20, -alpha * mx - tf * d21, 1.0 - tf * d22
    c00 = a11 * a22 - a12 * a21
    c01 = a12 * a20 - a10 * a22
    c02 = a10 * a21 - a11 * a20
    inv = 1.0 / (a00 * c00 + a01 * c01 + a02 * c02)
    return ((c00 * ox + (a02 * a21 - a01 * a22) * oy + (a01 * a12 - a02 * a11) * oz) * inv,
            (c01 * ox + (a00 * a22 - a02 * a20) * oy + (a02 * a10 - a00 * a12) * oz) * inv,
            (c02 * ox + (a01 * a20 - a00 * a21) * oy + (a00 * a11 - a01 * a10) * oz) * inv)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def axial_frame(mx, my, mz, px, py, pz):
    """(c, u₁, u₂) of one magnet m about the axis p of its circuit: c = m·p, u₁ = p − c m
    (across m, towards p) and u₂ = m × p, the frame in which its torque (:func:`axial_torque_of`),
    its friction D (:func:`axial_damping`), its pumped rate and its thermal field are written
    (dimensionless, |u₁| = |u₂| = √(1 − c²) for unit m)."""
    c = mx * px + my * py + mz * pz
    return (c, px - c * mx, py - c * my, pz - c * mz, my * pz - mz * py, mz * px - mx * pz,
            mx * py - my * px)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def axial_pumped_rate(mx, my, mz, px, py, pz, alpha, tf, g0, g1, g2, g3, ox, oy, oz):
    """dm/dt (1/s) of one macrospin with spin pumping through a circuit symmetric about p
    (D of :func:`axial_damping`, g₀ … g₃ in N·m·s), M ṁ = Ω solved in closed form (M as
    :func:`pumped_rate`, α the Gilbert damping, γ/M_sV = ``tf`` in 1/(N·m·s), Ω (1/s) from
    :func:`precession_rate`). On the plane ⊥ m, in the frame e₁ = u₁/s, e₂ = u₂/s
    (u₁ = p − c m, u₂ = m × p, c = m·p, s² = 1 − c²), [m×] = J = ((0, −1), (1, 0)),
    u₁u₁ᵀ − u₂u₂ᵀ = s² R₁ and u₁u₂ᵀ + u₂u₁ᵀ = s² R₂ with R₁ = diag(1, −1), R₂ = ((0, 1),
    (1, 0)); so M = a − b J − t s² (g₂R₁ + g₃R₂), a = 1 − t g₀, b = α + t g₁, t = γ/M_sV.
    J, R₁ and R₂ anticommute and square to −1, 1 and 1, hence

        M⁻¹ = (a + b J + t s² (g₂R₁ + g₃R₂)) / (a² + b² − t² s⁴ (g₂² + g₃²)),

    which needs no frame: ṁ = (a Ω + b m × Ω + t g₂ (u₁ w₁ − u₂ w₂) + t g₃ (u₁ w₂ + u₂ w₁))/det,
    w₁ = u₁·Ω, w₂ = u₂·Ω. Equal to :func:`pumped_rate` with :func:`axial_damping`'s D on the
    unit sphere (a stage's m off it meets another extension, as the series itself)."""
    c, u1x, u1y, u1z, u2x, u2y, u2z = axial_frame(mx, my, mz, px, py, pz)
    w1 = u1x * ox + u1y * oy + u1z * oz
    w2 = u2x * ox + u2y * oy + u2z * oz
    a = 1.0 - tf * g0
    b = alpha + tf * g1
    s2 = 1.0 - c * c
    q = tf * s2
    inv = 1.0 / (a * a + b * b - q * q * (g2 * g2 + g3 * g3))
    r1 = tf * (g2 * w1 + g3 * w2)  # along u₁
    r2 = tf * (g3 * w1 - g2 * w2)  # along u₂
    return ((a * ox + b * (my * oz - mz * oy) + r1 * u1x + r2 * u2x) * inv,
            (a * oy + b * (mz * ox - mx * oz) + r1 * u1y + r2 * u2y) * inv,
            (a * oz + b * (mx * oy - my * ox) + r1 * u1z + r2 * u2z) * inv)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def axial_field(mx, my, mz, px, py, pz, sig, kap, theta, g1, g2, g3, x0, x1, x2):
    """One magnet's whole thermal field (T) from three standard normals (:func:`_root_field`:
    Brown's σ = ``sig`` in T, κ = 1/(M_s V)²) when its circuit is symmetric about p (D of
    :func:`axial_damping`, g₁ … g₃ in N·m·s, θ in J/s). In the frame of
    :func:`axial_pumped_rate` the covariance θ (J Dᵀ + D Jᵀ) of the torque noise is
    C = 2θ (g₁ (1 − m mᵀ) + g₂ (u₁u₂ᵀ + u₂u₁ᵀ) − g₃ (u₁u₁ᵀ − u₂u₂ᵀ)), i.e. 2θ (g₁ + s² Q)
    across m with Q = g₂R₂ − g₃R₁, Q² = g₂² + g₃²: tr C = 4θ g₁ and
    det C = 4θ² (g₁² − s⁴ (g₂² + g₃²)) (s² = |m × p|² = 1 − (m·p)²)."""
    c, u1x, u1y, u1z, u2x, u2y, u2z = axial_frame(mx, my, mz, px, py, pz)
    s2 = u2x * u2x + u2y * u2y + u2z * u2z  # 1 − c², exact to its last digits near ±p
    xm = mx * x0 + my * x1 + mz * x2
    e1 = u1x * x0 + u1y * x1 + u1z * x2
    e2 = u2x * x0 + u2y * x1 + u2z * x2
    t2 = 2.0 * theta
    r1 = t2 * (g2 * e2 - g3 * e1)  # C ξ along u₁
    r2 = t2 * (g2 * e1 + g3 * e2)  # along u₂
    q = t2 * g1
    return _root_field(mx, my, mz, sig, kap, 2.0 * q,
                       q * q - t2 * t2 * s2 * s2 * (g2 * g2 + g3 * g3),
                       q * (x0 - xm * mx) + r1 * u1x + r2 * u2x,
                       q * (x1 - xm * my) + r1 * u1y + r2 * u2y,
                       q * (x2 - xm * mz) + r1 * u1z + r2 * u2z, x0, x1, x2)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def axial_damping(mx, my, mz, px, py, pz, g0, g1, g2, g3):
    """D = g₀(1 − mmᵀ) + g₁[m×] + g₂(u₁u₁ᵀ − u₂u₂ᵀ) + g₃(u₁u₂ᵀ + u₂u₁ᵀ) (N·m·s), row by
    row, of one magnet whose circuit is symmetric about the axis p (:mod:`.axial`):
    u₁ = p − (m·p) m, u₂ = m × p, g₀ … g₃ (N·m·s) the series' values at m·p."""
    c, u1x, u1y, u1z, u2x, u2y, u2z = axial_frame(mx, my, mz, px, py, pz)
    d00 = g0 * (1.0 - mx * mx) + g2 * (u1x * u1x - u2x * u2x) + 2.0 * g3 * u1x * u2x
    d11 = g0 * (1.0 - my * my) + g2 * (u1y * u1y - u2y * u2y) + 2.0 * g3 * u1y * u2y
    d22 = g0 * (1.0 - mz * mz) + g2 * (u1z * u1z - u2z * u2z) + 2.0 * g3 * u1z * u2z
    sxy = -g0 * mx * my + g2 * (u1x * u1y - u2x * u2y) + g3 * (u1x * u2y + u2x * u1y)
    sxz = -g0 * mx * mz + g2 * (u1x * u1z - u2x * u2z) + g3 * (u1x * u2z + u2x * u1z)
    syz = -g0 * my * mz + g2 * (u1y * u1z - u2y * u2z) + g3 * (u1y * u2z + u2y * u1z)
    return (d00, sxy - g1 * mz, sxz + g1 * my, sxy + g1 * mz, d11, syz - g1 * mx,
            sxz - g1 * my, syz + g1 * mx, d22)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def axial_torque_of(mx, my, mz, px, py, pz, a, b):
    """τ0 = a (p − (m·p) m) + b m × p (N·m) from the series' values a, b (N·m) at m·p."""
    _, u1x, u1y, u1z, u2x, u2y, u2z = axial_frame(mx, my, mz, px, py, pz)
    return a * u1x + b * u2x, a * u1y + b * u2y, a * u1z + b * u2z


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def slonczewski_torque(mx, my, mz, aj, px, py, pz):
    """Prescribed torque τ = a_J M_s V m × (m × p) (N·m), ``aj`` = a_J M_s V (N·m)."""
    c = mx * px + my * py + mz * pz
    return aj * (c * mx - px), aj * (c * my - py), aj * (c * mz - pz)


@njit(cache=True, error_model="numpy")
def llgs_rhs(m, tau, mp, mv, bth, out):
    """dm/dt (1/s) of k macrospins, Landau–Lifshitz form of the LLGS equation
    (:func:`precession_rate`, :func:`landau_lifshitz_rate`)."""
    for g in range(m.shape[0]):
        mx, my, mz = m[g, 0], m[g, 1], m[g, 2]
        ox, oy, oz = precession_rate(
            mx, my, mz, mp[g, 0], mp[g, 3], mp[g, 4], mp[g, 5], mv[g, 0, 0], mv[g, 0, 1],
            mv[g, 0, 2], mv[g, 1, 0], mv[g, 1, 1], mv[g, 1, 2], mv[g, 2, 0] + bth[g, 0],
            mv[g, 2, 1] + bth[g, 1], mv[g, 2, 2] + bth[g, 2], tau[g, 0], tau[g, 1], tau[g, 2])
        alpha = mp[g, 2]
        out[g, 0], out[g, 1], out[g, 2] = landau_lifshitz_rate(mx, my, mz, alpha,
                                                               1.0 / (1.0 + alpha * alpha), ox,
                                                               oy, oz)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def axial_rhs_pumped(m, axis, gax, tau, mp, mv, bth, out):
    """dm/dt (1/s) of one macrospin m (1, 3) with spin pumping whose τ0 (tau, N·m) and D
    (g₀ … g₃ in gax, N·m·s) come from its series in m·p (:func:`axial_torque`, axis p (3,)):
    :func:`axial_pumped_rate`, the lane kernel's function (layouts as :func:`llgs_rhs`)."""
    mx, my, mz = m[0, 0], m[0, 1], m[0, 2]
    ox, oy, oz = precession_rate(
        mx, my, mz, mp[0, 0], mp[0, 3], mp[0, 4], mp[0, 5], mv[0, 0, 0], mv[0, 0, 1],
        mv[0, 0, 2], mv[0, 1, 0], mv[0, 1, 1], mv[0, 1, 2], mv[0, 2, 0] + bth[0, 0],
        mv[0, 2, 1] + bth[0, 1], mv[0, 2, 2] + bth[0, 2], tau[0, 0], tau[0, 1], tau[0, 2])
    out[0, 0], out[0, 1], out[0, 2] = axial_pumped_rate(
        mx, my, mz, axis[0], axis[1], axis[2], mp[0, 2], mp[0, 5], gax[0], gax[1], gax[2],
        gax[3], ox, oy, oz)


@njit(cache=True, error_model="numpy", fastmath=True)
def axial_thermal_field(m, axis, gax, mp, theta, sig, xi, bth):
    """One magnet's whole thermal field into bth (1, 3) (T) when its D is its series'
    (:func:`axial_field`, g₀ … g₃ in gax): m (1, 3), θ (1,) J/s, Brown's σ = ``sig`` (T),
    xi (3,) standard normals, mp (1, 6) as :func:`llgs_rhs`; the lane kernel's field."""
    bth[0, 0], bth[0, 1], bth[0, 2] = axial_field(
        m[0, 0], m[0, 1], m[0, 2], axis[0], axis[1], axis[2], sig,
        1.0 / (mp[0, 0] * mp[0, 1]) ** 2, theta[0], gax[1], gax[2], gax[3], xi[0], xi[1],
        xi[2])


@njit(cache=True, error_model="numpy")
def llgs_rhs_pumped(m, tau, dmat, mp, mv, bth, out, mmat, vec):
    """dm/dt (1/s) of k macrospins with spin pumping, τ = τ0 + D ṁ exactly: the Gilbert form
    ṁ = Ω + α m × ṁ + (γ/M_sV) D ṁ solved as M ṁ = Ω, M = 1 − α[m×] − (γ/M_sV) D (3k × 3k,
    ``dmat`` D in N·m·s), Ω from :func:`precession_rate`; one magnet by
    :func:`pumped_rate`; without D it is :func:`llgs_rhs`."""
    k = m.shape[0]
    n = 3 * k
    for g in range(k):
        mx, my, mz = m[g, 0], m[g, 1], m[g, 2]
        vec[3 * g], vec[3 * g + 1], vec[3 * g + 2] = precession_rate(
            mx, my, mz, mp[g, 0], mp[g, 3], mp[g, 4], mp[g, 5], mv[g, 0, 0], mv[g, 0, 1],
            mv[g, 0, 2], mv[g, 1, 0], mv[g, 1, 1], mv[g, 1, 2], mv[g, 2, 0] + bth[g, 0],
            mv[g, 2, 1] + bth[g, 1], mv[g, 2, 2] + bth[g, 2], tau[g, 0], tau[g, 1], tau[g, 2])
    if k == 1:
        out[0, 0], out[0, 1], out[0, 2] = pumped_rate(
            m[0, 0], m[0, 1], m[0, 2], mp[0, 2], mp[0, 5], dmat[0, 0], dmat[0, 1], dmat[0, 2],
            dmat[1, 0], dmat[1, 1], dmat[1, 2], dmat[2, 0], dmat[2, 1], dmat[2, 2], vec[0],
            vec[1], vec[2])
        return
    for g in range(k):
        mx, my, mz, alpha, tf = m[g, 0], m[g, 1], m[g, 2], mp[g, 2], mp[g, 5]
        for a in range(3):
            for c in range(n):
                mmat[3 * g + a, c] = -tf * dmat[3 * g + a, c]
            mmat[3 * g + a, 3 * g + a] += 1.0
        # − α [m×]
        mmat[3 * g, 3 * g + 1] += alpha * mz
        mmat[3 * g, 3 * g + 2] -= alpha * my
        mmat[3 * g + 1, 3 * g] -= alpha * mz
        mmat[3 * g + 1, 3 * g + 2] += alpha * mx
        mmat[3 * g + 2, 3 * g] += alpha * my
        mmat[3 * g + 2, 3 * g + 1] -= alpha * mx
    _solve_small(mmat, vec, n)
    for g in range(k):
        for a in range(3):
            out[g, a] = vec[3 * g + a]


@njit(cache=True, error_model="numpy")
def _slonczewski(m, slon, tau):
    """Prescribed torque of k magnets (:func:`slonczewski_torque`), slon[g] = (a_J M_s V
    (N·m), p)."""
    for g in range(m.shape[0]):
        tau[g, 0], tau[g, 1], tau[g, 2] = slonczewski_torque(
            m[g, 0], m[g, 1], m[g, 2], slon[g, 0], slon[g, 1], slon[g, 2], slon[g, 3])


@njit(cache=True, error_model="numpy")
def _normalise(m):
    for g in range(m.shape[0]):
        n = math.sqrt(m[g, 0] ** 2 + m[g, 1] ** 2 + m[g, 2] ** 2)
        for i in range(3):
            m[g, i] /= n


# Dormand–Prince 5(4) tableau
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0])
_A = np.array([
    [0, 0, 0, 0, 0, 0],
    [1 / 5, 0, 0, 0, 0, 0],
    [3 / 40, 9 / 40, 0, 0, 0, 0],
    [44 / 45, -56 / 15, 32 / 9, 0, 0, 0],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0, 0],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84]])
_B5 = np.array([35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0])
_B4 = np.array([5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40])
# its quartic dense output (Hairer, Nørsett & Wanner I, §II.6; as in SciPy's RK45):
# m(t + θh) = m + h Σ_s k_s Σ_j _P[s, j] θ^(j+1)
_P = np.array([
    [1, -8048581381 / 2820520608, 8663915743 / 2820520608, -12715105075 / 11282082432],
    [0, 0, 0, 0],
    [0, 131558114200 / 32700410799, -68118460800 / 10900136933, 87487479700 / 32700410799],
    [0, -1754552775 / 470086768, 14199869525 / 1410260304, -10690763975 / 1880347072],
    [0, 127303824393 / 49829197408, -318862633887 / 49829197408,
     701980252875 / 199316789632],
    [0, -282668133 / 205662961, 2019193451 / 616988883, -1453857185 / 822651844],
    [0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423]])


@njit(cache=True, error_model="numpy")
def _dopri_crossing(ks, ref, g, h, p0):
    """Fraction θ of an accepted Dormand–Prince step of h (s) at which p = ref[g]·m of magnet
    g (p0 ≥ 0 at the start, negative at the end) crosses zero on the step's dense output."""
    c = np.zeros(4)
    for st in range(7):
        a = ref[g, 0] * ks[st, g, 0] + ref[g, 1] * ks[st, g, 1] + ref[g, 2] * ks[st, g, 2]
        for j in range(4):
            c[j] += h * a * _P[st, j]
    return crossing_fraction(p0, c[0], c[1], c[2], c[3])


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _drive_stage(mode, time, d0, slot, offsets, times, values, amp, r0, f, t, rdb, fdb, tdb, rd,
                 fd, td, tab_cols, tab_coef, tab_len, ser, d):
    """The drive vector d at ``time`` (s) and what the torque reads of it: the excursion's maps
    rd, fd, td from the static drive's rdb, fdb, tdb (modes 0–2), or the series' contraction
    ser (mode 3)."""
    drive_at(time, d0, slot, offsets, times, values, amp, d)
    if mode != 3:
        prepare_excursion(d, d0, slot, r0, f, t, rdb, fdb, tdb, rd, fd, td)
    else:
        contract_series(d, tab_cols, tab_coef, tab_len, ser)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def brown_variance(alpha, gamma, ms, volume, dt):
    """Brown's thermal field's variance per component and kelvin (T²/K) over a step dt (s):
    2 α k_B / (γ M_s V dt) (γ in rad/(s T), M_s in A/m, V in m³) — a magnet's constant,
    computed once per run where the temperature changes (:func:`brown_sigma`)."""
    return 2.0 * alpha * _KB / (gamma * ms * volume * dt)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def brown_sigma(alpha, gamma, ms, volume, temperature, dt):
    """Brown's thermal field's standard deviation per component (T) over a step dt (s):
    √(2 α k_B T / (γ M_s V dt)) (:func:`brown_variance`; T in K)."""
    return math.sqrt(brown_variance(alpha, gamma, ms, volume, dt) * temperature)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _brown_sigma(mode, slot, t0, d, w, mp, dt):
    """Brown's field's standard deviation per component (T) for one magnet (mp its row of the
    magnet parameters) over a step dt (s) (:func:`brown_sigma`), T its node's temperature
    T0 + ΔT: the drive vector's entry ``slot`` ≥ 0, or the solved unknown −1 − slot of an
    internal magnet (circuit torques only; else T0)."""
    if slot >= 0:
        temp = t0 + d[slot]
    elif mode == 1 or mode == 3:
        temp = t0 + w[-1 - slot]
    else:
        temp = t0
    temp = max(temp, 0.0)
    return brown_sigma(mp[2], mp[3], mp[0], mp[1], temp, dt)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _thermal_field(mode, pumping, y, rng, xi, temp_slot, t0, d, w, mp, pslot, pweight, theta,
                   tab_axis, gax, dmat, cmat, dt, bth):
    """The step's thermal field bth (k, 3) (T) at y: Brown's, plus with ``pumping`` that of
    the pumping channels; one magnet draws its whole field from 3 deviates (a principal square
    root of its covariance), several from Brown's 3k and the pumping's 3k."""
    k = y.shape[0]
    normals_into(rng, xi, 6 * k if pumping and k > 1 else 3 * k)
    sig = 0.0
    for g in range(k):
        sig = _brown_sigma(mode, temp_slot[g], t0, d, w, mp[g], dt)
        for i in range(3):
            bth[g, i] = sig * xi[3 * g + i]
    if pumping:
        pumping_temperatures(pslot, pweight, t0, d, w, theta, dt)
        if mode == 3:
            axial_thermal_field(y, tab_axis, gax, mp, theta, sig, xi, bth)
        elif k == 1:
            thermal_field_one(y, dmat, mp, theta, sig, xi, bth)
        else:
            pumping_thermal_field(y, dmat, mp, theta, cmat, xi[3 * k:], bth)


@njit(cache=True, error_model="numpy", inline="always")
def _save_due(out, save_step, si, step, y):
    """Copies y into out[si], out[si + 1], … while their save_step is ≤ step; returns the next
    si."""
    while si < save_step.shape[0] and save_step[si] <= step:
        out[si] = y
        si += 1
    return si


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _finish_fixed(y, ks, dt, heun, ref, tt, tc):
    """y += one Heun or RK4 step of dt (s) from the stage rates ks; where p = ref[g]·m crosses
    from ≥ 0 to < 0, tc[g] (s) receives its zero on the step's interpolant (Heun: linear; RK4:
    the cubic continuous extension)."""
    for g in range(y.shape[0]):
        p0 = ref[g, 0] * y[g, 0] + ref[g, 1] * y[g, 1] + ref[g, 2] * y[g, 2]
        for i in range(3):
            if heun:
                y[g, i] += 0.5 * dt * (ks[0, g, i] + ks[1, g, i])
            else:
                y[g, i] += dt / 6.0 * (ks[0, g, i] + 2 * ks[1, g, i] + 2 * ks[2, g, i]
                                       + ks[3, g, i])
        p1 = ref[g, 0] * y[g, 0] + ref[g, 1] * y[g, 1] + ref[g, 2] * y[g, 2]
        if p0 >= 0.0 and p1 < 0.0:
            if heun:
                tc[g] = tt + dt * p0 / (p0 - p1)
            else:
                a1, a23, a4 = 0.0, 0.0, 0.0
                for i in range(3):
                    a1 += ref[g, i] * ks[0, g, i]
                    a23 += ref[g, i] * (ks[1, g, i] + ks[2, g, i])
                    a4 += ref[g, i] * ks[3, g, i]
                tc[g] = tt + dt * rk4_crossing(p0, a1, a23, a4, dt)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _dopri_point(y, ks, st, h, out):
    """Where the Dormand–Prince step of h (s) from y evaluates its stage st: y + h Σ_j a_sj k_j."""
    for g in range(y.shape[0]):
        for i in range(3):
            acc = y[g, i]
            for j in range(st):
                acc += h * _A[st, j] * ks[j, g, i]
            out[g, i] = acc


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _dopri_step(y, ks, h, rtol, atol, y5):
    """The Dormand–Prince step's fifth-order result y5 from y and its stage rates ks over h (s);
    returns the embedded error estimate, scaled by atol + rtol |y| (accept if ≤ 1)."""
    err = 0.0
    for g in range(y.shape[0]):
        for i in range(3):
            hi5 = y[g, i]
            lo4 = y[g, i]
            for j in range(7):
                hi5 += h * _B5[j] * ks[j, g, i]
                lo4 += h * _B4[j] * ks[j, g, i]
            y5[g, i] = hi5
            sc = atol + rtol * max(abs(y[g, i]), abs(hi5))
            err = max(err, abs(hi5 - lo4) / sc)
    return err


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _dopri_crossings(y, y5, ks, ref, tt, h, tc):
    """Where p = ref[g]·m goes from ≥ 0 at y to < 0 at y5 over an accepted step of h (s) from
    tt (s), tc[g] (s) receives the zero of p on the step's dense output."""
    for g in range(y.shape[0]):
        p0 = ref[g, 0] * y[g, 0] + ref[g, 1] * y[g, 1] + ref[g, 2] * y[g, 2]
        p1 = ref[g, 0] * y5[g, 0] + ref[g, 1] * y5[g, 1] + ref[g, 2] * y5[g, 2]
        if p0 >= 0.0 and p1 < 0.0:
            tc[g] = tt + h * _dopri_crossing(ks, ref, g, h, p0)


@njit(cache=True, error_model="numpy", fastmath=True)
def _rk45_trajectory(ei, mode, m0, t_save, breaks, rtol, atol, max_step, d0, slot, offsets,
                     times, values, amp, tset, a0, r0, e, f, t, pm, hm, slon, mp, mv, tab_axis,
                     tab_cols, tab_unk, tab_coef, tab_len, out, n_steps, ref, t_cross):
    """Trajectory ei of :func:`integrate_rk45`, with scratch arrays of its own."""
    k = m0.shape[1]
    u, nd = a0.shape[0], d0.shape[1]
    has_tables = slot.shape[0] > 0
    ks = np.zeros((7, k, 3))
    y5 = np.zeros((k, 3))
    ser = series_scratch(tab_cols, tab_unk, tab_coef)
    pumping = pm.shape[0] > 0  # spin pumping: τ = τ0 + D ṁ, the LLGS solved for ṁ
    (y, ytmp, bth, d, tau, w, rd, fd, td, rdb, fdb, tdb, dmat, gax, mmat, vec, y1, ytmp1, rd1,
     fd1, td1, phi1, amat1, w1, ws1, dmat1, tau1, nz) = _scratch(k, u, nd, e, f)
    d0_e, amp_e, slon_e, mp_e, mv_e = d0[ei], amp[ei], slon[ei], mp[ei], mv[ei]
    offsets_e, breaks_e = offsets[tset[ei]], breaks[tset[ei]]
    out_e, ref_e, tc_e = out[ei], ref[ei], t_cross[ei]
    y[:, :] = m0[ei]
    tt = 0.0
    prepare_drive(d0_e, r0, f, t, rdb, fdb, tdb)
    _drive_stage(mode, 0.0, d0_e, slot, offsets_e, times, values, amp_e, r0, f, t, rdb, fdb, tdb,
                 rd, fd, td, tab_cols, tab_coef, tab_len, ser, d)
    h = min(max_step, 1e-13)
    steps = 0
    si = _save_due(out_e, t_save, 0, tt, y)
    bi = 0
    while si < t_save.shape[0]:
        while bi < breaks_e.shape[0] and breaks_e[bi] <= tt:
            bi += 1
        target = t_save[si]
        if bi < breaks_e.shape[0] and breaks_e[bi] < target:
            target = breaks_e[bi]
        h = min(h, max_step, target - tt)
        for st in range(7):
            _dopri_point(y, ks, st, h, ytmp)
            if has_tables:
                _drive_stage(mode, tt + _C[st] * h, d0_e, slot, offsets_e, times, values, amp_e,
                             r0, f, t, rdb, fdb, tdb, rd, fd, td, tab_cols, tab_coef, tab_len,
                             ser, d)
            if mode == 3:
                axial_torque(ytmp, tab_axis, tab_unk, 0, pumping, tau, gax, w, ser)
            elif mode == 1:
                circuit_torque_one(ytmp1, a0, e, nz, t, pm, hm, rd1, fd1, td1, phi1, amat1,
                                   w1, ws1, dmat1, tau1, 1)
            elif mode == 2:
                _slonczewski(ytmp, slon_e, tau)
            if mode == 3 and pumping:
                axial_rhs_pumped(ytmp, tab_axis, gax, tau, mp_e, mv_e, bth, ks[st])
            elif pumping:
                llgs_rhs_pumped(ytmp, tau, dmat, mp_e, mv_e, bth, ks[st], mmat, vec)
            else:
                llgs_rhs(ytmp, tau, mp_e, mv_e, bth, ks[st])
        err = _dopri_step(y, ks, h, rtol, atol, y5)
        if err <= 1.0:
            _dopri_crossings(y, y5, ks, ref_e, tt, h, tc_e)
            tt += h
            y[:, :] = y5
            _normalise(y)
            steps += 1
            si = _save_due(out_e, t_save, si, tt * (1 + 1e-14), y)
        fac = 0.9 * (1.0 / err) ** 0.2 if err > 0 else 5.0
        h = h * min(5.0, max(0.2, fac))
    n_steps[ei] = steps


@njit(cache=True, error_model="numpy", parallel=True)
def integrate_rk45(mode, m0, t_save, breaks, rtol, atol, max_step, d0, slot, offsets, times,
                   values, amp, tset, a0, r0, e, f, t, pm, hm, slon, mp, mv, tab_axis, tab_cols,
                   tab_unk, tab_coef, tab_len, out, n_steps, ref, t_cross):
    """Adaptive Dormand–Prince RK45 with renormalisation, each trajectory on its own steps.

    m0 (E, k, 3); t_save (S,) increasing (s); breaks (sets, B): each table set's drive
    breakpoints (s), stepped onto, increasing, padded with +inf;
    out (E, S, k, 3); n_steps (E,) receives the accepted step counts. Switching events:
    whenever p = ref[e, g]·m of magnet g goes from ≥ 0 to < 0 over an accepted step,
    t_cross[e, g] (s) receives the zero of p on the step's dense output (the last such
    crossing is kept; entries without one are left untouched).
    """
    for ei in prange(m0.shape[0]):  # the trajectories in parallel
        _rk45_trajectory(ei, mode, m0, t_save, breaks, rtol, atol, max_step, d0, slot, offsets,
                         times, values, amp, tset, a0, r0, e, f, t, pm, hm, slon, mp, mv,
                         tab_axis, tab_cols, tab_unk, tab_coef, tab_len, out, n_steps, ref,
                         t_cross)


#: Heun's and RK4's stages: stage s evaluates the rate at y + a[s] dt k[s − 1], time t + a[s] dt
HEUN_STAGES = np.array([0.0, 1.0])
RK4_STAGES = np.array([0.0, 0.5, 0.5, 1.0])


@njit(cache=True, error_model="numpy", fastmath=True)
def integrate_fixed(mode, m0, save_step, dt, heun, noise, rng, d0, slot, offsets, times, values,
                    amp, tset, a0, r0, e, f, t, pm, hm, slon, mp, mv, tab_axis, tab_cols, tab_unk,
                    tab_coef, tab_len, temp_slot, pslot, pweight, t0, out, ref, t_cross):
    """Fixed-step integration: RK4 or (``heun``) Heun, with ``noise`` the stochastic Heun
    scheme (Stratonovich) with Brown's thermal field of variance 2 α k_B T / (γ M_s V dt) per
    component (T), T the magnet's node temperature T0 + ΔT(t) (``temp_slot`` (k,): i ≥ 0
    indexes the drive vector, i < 0 the solved unknown −1 − i, an internal magnet's electron
    temperature; without circuit torques such a magnet fluctuates at T0). With spin pumping the
    noise adds the thermal field of the pumping channels (:func:`pumping_thermal_field`) at the
    temperatures ``pslot`` (k, c), ``pweight`` (k, c) of :func:`pumping_temperatures`: 3k more
    normal deviates per step, after Brown's (one magnet: its whole field from 3 deviates).

    Steps are at t = n dt (s, n = save_step[0], save_step[0] + 1, …, on the run's clock, so
    that a run cut into calls steps exactly as a whole one); save_step (S,) non-decreasing step
    numbers n at which to save m into out (E, S, k, 3). Trajectory i draws from its stream
    rng[i] ((E, 3) uint64 states from :func:`.streams.trajectory_states`, advanced in place):
    reproducible and independent of the ensemble size (the ensemble kernel uses the same
    streams). Switching events: when p = ref[e, g]·m goes from ≥ 0 to < 0 over a step,
    t_cross[e, g] (s) receives its zero on the step's interpolant (RK4: the cubic continuous
    extension; Heun: linear), the last one kept.
    """
    n_traj, k = m0.shape[0], m0.shape[1]
    u, nd = a0.shape[0], d0.shape[1]
    ks = np.zeros((4, k, 3))
    ser = series_scratch(tab_cols, tab_unk, tab_coef)
    pumping = pm.shape[0] > 0  # spin pumping: τ = τ0 + D ṁ, the LLGS solved for ṁ
    (y, ytmp, bth, d, tau, w, rd, fd, td, rdb, fdb, tdb, dmat, gax, mmat, vec, y1, ytmp1, rd1,
     fd1, td1, phi1, amat1, w1, ws1, dmat1, tau1, nz) = _scratch(k, u, nd, e, f)
    theta = np.zeros(k)
    xi = np.zeros(6 * k)  # the step's deviates: Brown's, then the pumping's
    cmat = np.zeros((3 * k, 3 * k))
    stages = HEUN_STAGES if heun else RK4_STAGES
    has_tables = slot.shape[0] > 0
    for ei in range(n_traj):
        d0_e, amp_e, slon_e, mp_e, mv_e = d0[ei], amp[ei], slon[ei], mp[ei], mv[ei]
        offsets_e = offsets[tset[ei]]
        n = save_step[0]  # the first step (t = n dt on the run's own clock)
        prepare_drive(d0_e, r0, f, t, rdb, fdb, tdb)
        _drive_stage(mode, n * dt, d0_e, slot, offsets_e, times, values, amp_e, r0, f, t, rdb,
                     fdb, tdb, rd, fd, td, tab_cols, tab_coef, tab_len, ser, d)
        y[:, :] = m0[ei]
        si = _save_due(out[ei], save_step, 0, n, y)
        while si < save_step.shape[0]:
            tt = n * dt
            for st in range(stages.shape[0]):
                src = y
                if st > 0:
                    for g in range(k):
                        for i in range(3):
                            ytmp[g, i] = y[g, i] + stages[st] * dt * ks[st - 1, g, i]
                    src = ytmp
                if has_tables and (st == 0 or stages[st] != stages[st - 1]):
                    _drive_stage(mode, tt + stages[st] * dt, d0_e, slot, offsets_e, times, values,
                                 amp_e, r0, f, t, rdb, fdb, tdb, rd, fd, td, tab_cols, tab_coef,
                                 tab_len, ser, d)
                # the torque first: an internal magnet's temperature is one of its unknowns.
                # Its dispatch and the rate's are spelled out (as in _rk45_trajectory): a helper
                # taking their ~20 arrays costs their reference counts per stage, measured at
                # 3x the prescribed torque's step
                if mode == 3:
                    # the tabulated unknowns: temperatures the thermal field reads at y
                    nunk = tab_unk.shape[0] if noise and heun and st == 0 else 0
                    axial_torque(src, tab_axis, tab_unk, nunk, pumping, tau, gax, w, ser)
                elif mode == 1:
                    circuit_torque_one(y1 if st == 0 else ytmp1, a0, e, nz, t, pm, hm, rd1, fd1,
                                       td1, phi1, amat1, w1, ws1, dmat1, tau1, 1)
                elif mode == 2:
                    _slonczewski(src, slon_e, tau)
                if noise and heun and st == 0:
                    _thermal_field(mode, pumping, y, rng[ei], xi, temp_slot, t0, d, w, mp_e,
                                   pslot, pweight, theta, tab_axis, gax, dmat, cmat, dt, bth)
                if mode == 3 and pumping:
                    axial_rhs_pumped(src, tab_axis, gax, tau, mp_e, mv_e, bth, ks[st])
                elif pumping:
                    llgs_rhs_pumped(src, tau, dmat, mp_e, mv_e, bth, ks[st], mmat, vec)
                else:
                    llgs_rhs(src, tau, mp_e, mv_e, bth, ks[st])
            _finish_fixed(y, ks, dt, heun, ref[ei], tt, t_cross[ei])
            _normalise(y)
            n += 1
            si = _save_due(out[ei], save_step, si, n, y)


# the integrators contain the torque map of circuit_lanes: dropped from the cache when it changes
refresh_stale_cache(integrate_fixed, "kernels", circuit_lanes)
