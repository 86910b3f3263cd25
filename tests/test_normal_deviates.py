"""The thermal field's normal deviates: the ziggurat's strips (Marsaglia & Tsang 2000) and the
distribution drawn from a trajectory's stream, against the normal CDF and its tails."""

import math

import numpy as np
import pytest
from numba import njit
from scipy import stats

from spincaloric.dynamics.kernels import (
    normal_deviate,
    normals_into,
    normals_lanes,
    rng_normal,
    ziggurat_tables,
)
from spincaloric.dynamics.streams import trajectory_states

R, V = 4.038849846109504, 1.2263246463530893e-3  # 1024 strips


@njit(cache=True)
def draw(state, n):
    out = np.empty(n)
    for i in range(n):
        out[i] = rng_normal(state)
    return out


def strip_areas(r, v):
    """Areas of the base strip (rectangle to r and the tail) and of the 1023 rectangles."""
    k, w, f = ziggurat_tables(r=r, v=v)
    x = w * 2.0**31
    base = r * math.exp(-0.5 * r * r) + math.sqrt(math.pi / 2) * math.erfc(r / math.sqrt(2))
    return base, x[1:] * (f[:-1] - f[1:])


def test_every_strip_of_the_ziggurat_has_the_same_area():
    base, rects = strip_areas(R, V)
    assert base == pytest.approx(V, rel=1e-10, abs=0)
    np.testing.assert_allclose(rects, V, rtol=1e-9)
    # the top strip closes at f = 1, x = 0: its area is what is left of 1024 v
    assert rects[0] == pytest.approx(V, rel=1e-9, abs=0)
    # the guard: another r does not tile the density in equal strips
    base, rects = strip_areas(3.9, V)
    assert abs(base / V - 1) > 1e-2 or np.abs(rects / V - 1).max() > 1e-2


def test_the_deviates_are_standard_normal_to_their_tails():
    """4 × 10⁶ deviates of one trajectory's stream: Kolmogorov–Smirnov, moments, and the
    counts beyond 1, 2, 3, r (where the tail's own method takes over) and 4.5 within 4.5
    standard errors of the binomial expectation."""
    n = 4_000_000
    x = draw(trajectory_states(11, 1, 0)[0], n)
    assert stats.kstest(x, "norm").pvalue > 1e-3
    assert abs(x.mean()) < 4.5 / math.sqrt(n)
    assert abs(x.var() - 1) < 4.5 * math.sqrt(2 / n)
    assert abs(stats.skew(x)) < 4.5 * math.sqrt(6 / n)
    for z in (1.0, 2.0, 3.0, R, 4.5):
        p = 2 * stats.norm.sf(z)
        count = np.count_nonzero(np.abs(x) > z)
        assert abs(count - n * p) < 4.5 * math.sqrt(n * p * (1 - p)), z
    # both signs in the tail
    assert np.count_nonzero(x > R) > 0 and np.count_nonzero(x < -R) > 0


@njit(cache=True)
def draw_in_calls(state, counts):
    out = np.empty(counts.sum())
    row = 0
    for c in counts:
        normals_into(state, out[row:], c)
        row += c
    return out


def test_the_lanes_draw_what_each_trajectory_draws_alone():
    """normals_lanes (three draws a Philox block and the ziggurat's first step for every lane at
    once, rejections finished lane by lane) gives each lane the deviates normals_into gives
    its stream in calls of the same sizes (odd and even), rejected draws, wedges and the tail
    included, and leaves each stream where normals_into leaves it."""
    lanes = 64
    counts = np.array([3, 6, 1, 2, 5, 4, 3] * 20)
    rows = counts.sum()
    states = trajectory_states(7, lanes)
    alone = np.array([draw_in_calls(states[e].copy(), counts) for e in range(lanes)]).T
    ends = states.copy()
    for e in range(lanes):
        draw_in_calls(ends[e], counts)
    lane_last = np.ascontiguousarray(states.T)
    together = np.empty((rows, lanes))
    row = 0
    for c in counts:
        normals_lanes(lane_last, together, row, c, lanes)
        row += c
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(lane_last.T, ends)
    # the rejected first draws (~0.4 %) and the tail were exercised
    assert np.sum(np.abs(alone) > R) > 0
    part = np.empty((rows, lanes))
    partial = np.ascontiguousarray(trajectory_states(7, lanes).T)
    row = 0
    for c in counts:  # fewer lanes than the array holds: the rest untouched
        normals_lanes(partial, part, row, c, 5)
        row += c
    np.testing.assert_array_equal(part[:, :5], alone[:, :5])
    np.testing.assert_array_equal(partial.T[5:], trajectory_states(7, lanes)[5:])
    # a stream left within a block (one rng_normal) is drawn one deviate at a time
    odd = np.ascontiguousarray(trajectory_states(9, 8).T)
    rng_normal(odd[:, 3])
    single = np.empty((3, 8))
    normals_lanes(odd, single, 0, 3, 8)
    for e in range(8):
        start = 1 if e == 3 else 0
        expected = [normal_deviate(odd[0, e], odd[1, e], np.uint64(start + i)) for i in range(3)]
        np.testing.assert_array_equal(single[:, e], expected)


def test_a_deviate_is_a_function_of_its_index_alone():
    """Deviate j of a stream does not depend on how many further draws the deviates before it
    needed (the ziggurat's rejections draw from a stream of their own): the sequence equals
    normal_deviate(key, stream, j) term by term, rejections and the tail among them."""
    key, stream, _ = trajectory_states(3, 1)[0]
    seq = draw(trajectory_states(3, 1)[0], 20000)
    direct = np.array([normal_deviate(key, stream, np.uint64(j)) for j in range(20000)])
    np.testing.assert_array_equal(seq, direct)
    assert np.sum(np.abs(seq) > R) > 0  # the tail's further draws among them


def test_philox_matches_the_random123_known_answers():
    """Philox4x32-10 against the known-answer vectors of the Random123 library
    (tests/kat_vectors: counter words 0–3, key words 0–1 → output words 0–3): a block is two
    draws, words 0 and 1 (high, low) and words 2 and 3, the counter's words 0–1 the block's
    count and 2–3 the stream."""
    from spincaloric.dynamics.kernels import philox_block

    def word(text):
        return [int(x, 16) for x in text.split()]

    for counter, key, out in (
            ("00000000 00000000 00000000 00000000", "00000000 00000000",
             "6627e8d5 e169c58d bc57ac4c 9b00dbd8"),
            ("ffffffff ffffffff ffffffff ffffffff", "ffffffff ffffffff",
             "408f276d 41c83b0e a20bc7c6 6d5451fd"),
            ("243f6a88 85a308d3 13198a2e 03707344", "a4093822 299f31d0",
             "d16cfe09 94fdcceb 5001e420 24126ea1")):
        c, k, o = word(counter), word(key), word(out)
        hi, lo = philox_block(np.uint64(k[0] | k[1] << 32), np.uint64(c[2] | c[3] << 32),
                              np.uint64(c[0] | c[1] << 32))
        assert (int(hi), int(lo)) == (o[0] << 32 | o[1], o[2] << 32 | o[3])


def test_a_draw_is_reached_by_its_count_alone():
    """Counter-based streams: the state after j draws is (key, stream, j), so starting the
    count at j gives the deviates a stream gives after j draws — no draw before it needed."""
    state = trajectory_states(5, 1, 3)[0]
    probe = state.copy()
    draw(probe, 600)  # 600 deviates, whatever further draws their rejections needed
    assert probe[2] == 600 and (probe[:2] == state[:2]).all()
    jumped = state.copy()
    jumped[2] = 600  # the count alone
    np.testing.assert_array_equal(draw(jumped, 50), draw(probe, 50))
