"""Independent random streams of the trajectories of a stochastic run.

Trajectory i of a run with seed s draws from a counter-based generator, Philox4x32-10
(:func:`.kernels.philox_block`; Salmon et al., SC'11): normal deviate j is a fixed function
of (key, stream, j) (:func:`.kernels.normal_deviate`), with the 128-bit (key, stream) = ``numpy.random.SeedSequence(s, spawn_key=(i,)).
generate_state(2, np.uint64)``, the state of ``SeedSequence(s).spawn(n)[i]``: a hash of the
pair (s, i), so that no two trajectories of any seeds share a stream (a stream seeded by s + i
would be trajectory i of seed s and trajectory 0 of seed s + i), and trajectory i is the same
whatever the ensemble size, chunking or thread count. A trajectory's state is (key, stream,
number of deviates so far), carried from one integration segment to the next, so the noise does
not depend on how a run is cut into kernel calls, and any draw can be reached without the
ones before it. :func:`trajectory_states` computes SeedSequence's hash (O'Neill's
seed_seq_fe, as in NumPy) for all trajectories at once.
"""

from __future__ import annotations

import numpy as np

_MASK = 0xFFFFFFFF
_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715
_POOL = 4


def _words(value: int) -> list[int]:
    """A non-negative integer as 32-bit words, least significant first (at least one)."""
    words = [value & _MASK]
    value >>= 32
    while value:
        words.append(value & _MASK)
        value >>= 32
    return words


def _mix(x, y):
    r = (np.uint32(_MIX_L) * x - np.uint32(_MIX_R) * y).astype(np.uint32)
    return r ^ (r >> np.uint32(16))


def trajectory_states(seed: int, count: int, first=0) -> np.ndarray:
    """(count, 3) uint64: the starting states (key, stream, 0 deviates) of trajectories first …
    first + count − 1 of ``seed`` (a whole number ≥ 0) — or, with ``first`` an array (count,),
    of the trajectories it lists —, (key, stream) equal to ``SeedSequence(seed,
    spawn_key=(i,)).generate_state(2, np.uint64)`` for each trajectory i (i < 2³²)."""
    first = np.asarray(first, np.int64)
    index = first + np.arange(count) if first.ndim == 0 else first
    if index.shape != (count,) or not np.all((index >= 0) & (index < 2**32)):
        raise ValueError(f"trajectories {index.min(initial=0)} … {index.max(initial=0)} (of "
                         f"{count}): each in [0, 2**32)")
    run = _words(int(seed))
    run += [0] * (_POOL - len(run))  # padded when a spawn key follows
    index = index.astype(np.uint32)
    entropy = [np.full(count, w, np.uint32) for w in run] + [index]
    const = _INIT_A

    def hashmix(value):
        nonlocal const
        value = value ^ np.uint32(const)
        const = (const * _MULT_A) & _MASK
        value = (value * np.uint32(const)).astype(np.uint32)
        return value ^ (value >> np.uint32(16))

    with np.errstate(over="ignore"):
        pool = [hashmix(entropy[i]) for i in range(_POOL)]
        for src in range(_POOL):
            for dst in range(_POOL):
                if src != dst:
                    pool[dst] = _mix(pool[dst], hashmix(pool[src]))
        for word in entropy[_POOL:]:
            for dst in range(_POOL):
                pool[dst] = _mix(pool[dst], hashmix(word))
        const = _INIT_B
        out = np.empty((count, 4), np.uint32)
        for i in range(4):
            value = pool[i % _POOL] ^ np.uint32(const)
            const = (const * _MULT_B) & _MASK
            value = (value * np.uint32(const)).astype(np.uint32)
            out[:, i] = value ^ (value >> np.uint32(16))
    words = out.astype(np.uint64)
    state = np.zeros((count, 3), np.uint64)
    state[:, :2] = words[:, 0::2] | (words[:, 1::2] << np.uint64(32))
    return state
