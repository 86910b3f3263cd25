"""Cutting a run into short compiled calls, so that Ctrl-C stops it within a fraction of a second.

Compiled code cannot see an interrupt: SIGINT takes effect when a kernel call returns. A run is
therefore integrated in calls of about :data:`WORK_PER_CALL` floating-point operations (a tenth
of a second at 1–2 GFlop/s): in time, by instants inserted between the saved ones (dropped from
the result), and across trajectories, in batches. The cut in time follows from the inputs
alone (the step, the size of the circuit, the method), never from a clock, so results do not
depend on timing or on the machine; trajectories are independent, so batches change nothing.
"""

from __future__ import annotations

import numpy as np

#: Floating-point operations of one compiled call (estimated by :func:`step_work`).
WORK_PER_CALL = 2e8
_STAGES = {"rk45": 7, "rk4": 4, "heun": 2}


def step_work(model, method: str, torque: str = "circuit", series=None) -> float:
    """Floating-point operations of one step of one trajectory (an estimate): per stage the
    LLGS right-hand side and the torque — with the circuit solved, the drives contracted with
    the maps and the Kirchhoff system of u unknowns assembled from k magnets' q features and
    solved (u³/3); through a ``series`` in m·p (:class:`.axial.AxialTable`), its terms; a
    prescribed torque or none, nothing more."""
    if torque != "circuit":
        return _STAGES[method] * 200.0
    if series is not None:
        return _STAGES[method] * (4.0 * float(series.lengths.sum()) + 200)
    u, (k, q), nd = model.pump.shape[2], model.t.shape[:2], model.d0.size
    return _STAGES[method] * (u**3 / 3 + k * q * u * u + (u + k * q * (u + 3)) * nd + 200)


def steps_per_call(work: float, lanes: int = 1) -> int:
    """Steps of a call of one trajectory (of ``lanes`` trajectories computed together)."""
    return max(1, int(WORK_PER_CALL // (lanes * work)))


def rk45_step(omega: float, rtol: float, max_step: float) -> float:
    """A typical step (s) of the adaptive Dormand–Prince integrator for the fastest precession
    ω (rad/s): its local error grows as (ω h)⁵, so h ≈ 0.2/ω × (rtol/10⁻⁷)^(1/5)."""
    return min(max_step, 0.2 / omega * (rtol / 1e-7) ** 0.2) if omega > 0 else max_step


def call_grid(t_save: np.ndarray, span: float) -> tuple[np.ndarray, np.ndarray]:
    """(t_grid, saved): the saved instants ``t_save`` (s) with instants inserted every ``span``
    (s) after each, so that no interval is longer than ``span``; ``saved`` marks the saved."""
    gaps = np.diff(t_save)
    extra = np.maximum(np.ceil(gaps / span * (1 - 1e-12)).astype(np.int64) - 1, 0)
    if not extra.any():
        return t_save, np.ones(len(t_save), bool)
    interval = np.repeat(np.arange(len(gaps)), extra)
    rank = np.arange(len(interval)) - np.repeat(np.cumsum(extra) - extra, extra) + 1
    t_grid = np.concatenate([t_save, t_save[interval] + rank * span])
    saved = np.concatenate([np.ones(len(t_save), bool), np.zeros(len(interval), bool)])
    order = np.argsort(t_grid, kind="stable")
    return t_grid[order], saved[order]


def segment_stop(t_grid: np.ndarray, start: int, span: float, most: int) -> int:
    """The last instant of the call starting at ``t_grid[start]``: at most ``span`` (s) and
    ``most`` instants later, at least one."""
    stop = int(np.searchsorted(t_grid, t_grid[start] + span * (1 + 1e-12), side="right")) - 1
    return max(start + 1, min(stop, start + most, len(t_grid) - 1))


def batches(ensemble: int, steps: float, work: float, lanes: int = 1,
            threads: int = 1) -> list[tuple[int, int]]:
    """[(first, stop)]: trajectory ranges of one call each for ``steps`` steps, whole chunks of
    ``lanes`` trajectories (the lane kernel), ``threads`` chunks in parallel."""
    size = int(WORK_PER_CALL * threads // (max(steps, 1.0) * work)) // lanes * lanes
    size = max(size, lanes * threads)
    return [(lo, min(lo + size, ensemble)) for lo in range(0, ensemble, size)]
