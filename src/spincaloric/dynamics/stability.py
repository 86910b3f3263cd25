r"""The largest step of the fixed-step integrators (RK4, stochastic Heun): ω dt ≤ 0.2.

A macrospin precesses about its effective field at ω = γ |B_eff| / (1 + α²) (rad/s). One step
of an explicit integrator multiplies a precession by its stability function R(iω dt):

* RK4: |R| = 1 − (ω dt)⁶/144 + …, a phase error of (ω dt)⁵/120 per step; once m is
  renormalised the lost amplitude is a numerical damping, (ω dt)⁵/(144 α) of Gilbert's
  (α ω dt per step);
* stochastic Heun (second order): |R| = √(1 + (ω dt)⁴/4), a numerical *anti*-damping of
  (ω dt)³/(8 α) of Gilbert's and a phase error of (ω dt)³/6 per step.

At ω dt = 0.2 these are 2 × 10⁻⁸/α and 10⁻³/α (a tenth of Gilbert's damping for α = 0.01,
Heun) and phase errors of 3 × 10⁻⁶ and 1.3 × 10⁻³ rad per step. A step beyond leaves
precession and switching wrong (at ω dt ≳ 3 RK4 is unstable: the magnetization locks or jumps
to a pole).

ω is bounded over every direction of every magnet, trajectory and instant: the field
B_eff(m) = B_app + A m with A = B_k u uᵀ − μ0 M_s N (symmetric) has |B_eff| ≤ |B_app| + ‖A‖₂
(‖A‖₂ its largest |eigenvalue|; shape and crystalline anisotropy partly cancel, B_k − μ0 M_s
for a perpendicular film), and ‖A‖₂ is also the rate at which B_eff turns with m. The
spin-transfer torque τ acts as a field |τ|/(M_s V) (γ τ/(M_s V) is its angular velocity); it is
linear in the drive vector d, so |τ| ≤ |τ(m, d₀)| + Σ_j |Δd_j| |τ(m, e_j)| with Δd_j the
largest excursion of drive j (its amplitude included), taken at 26 directions of m (the axes,
face and body diagonals) and the initial state.
"""

from __future__ import annotations

import numpy as np

from ..constants import MU0

#: Largest ω dt of the fixed-step integrators (module docstring).
PRECESSION_STEP = 0.2
#: The default fixed step (s) where the precession allows it (:func:`default_step`).
DEFAULT_STEP = 1e-12


def _directions() -> np.ndarray:
    """(26, 3) unit vectors: ±axes, face diagonals and body diagonals of a cube."""
    grid = np.stack(np.meshgrid(*[[-1.0, 0.0, 1.0]] * 3, indexing="ij"), -1).reshape(-1, 3)
    grid = grid[np.any(grid != 0, axis=1)]
    return grid / np.linalg.norm(grid, axis=1, keepdims=True)


def torque_bound(sim, m0, slon, slot, offsets, values, amp, tset=None) -> np.ndarray:
    """(E, k) upper estimate of |τ| (N·m) on each dynamic magnet of ``sim`` over the run:
    initial magnetizations ``m0`` (E, k, 3), prescribed torques ``slon`` (E, k, 4), drive
    tables (``slot``, ``offsets`` (J + 1,) or (S, J + 1) with trajectory e on set
    ``tset[e]``, ``values`` in theory variables) scaled by ``amp`` (E, J)."""
    n_traj, k = amp.shape[0], len(sim.names)
    if sim.torque == "none":
        return np.zeros((n_traj, k))
    if sim.torque == "slonczewski":
        return np.abs(slon[..., 0])  # |a_J M_s V m × (m × p)| ≤ |a_J M_s V|
    model = sim.model
    m = np.concatenate([np.broadcast_to(_directions()[:, None], (26, k, 3)), m0[:1]])
    drives = np.zeros((1 + len(slot), model.d0.size))
    drives[0] = model.d0
    drives[np.arange(1, 1 + len(slot)), slot] = 1.0  # τ is linear in d: τ per unit drive
    tau = np.linalg.norm(model.torques(m[:, None], drives[None]), axis=-1).max(axis=0)
    sets = np.atleast_2d(offsets)
    excursion = np.array([[np.abs(values[o[j]:o[j + 1]] - model.d0[s]).max(initial=0.0)
                           for j, s in enumerate(slot)] for o in sets]).reshape(len(sets), -1)
    lanes = np.zeros(n_traj, np.int64) if tset is None else tset
    return tau[0] + np.einsum("ej,jk->ek", np.abs(amp) * excursion[lanes], tau[1:])


def largest_field(sim, mp, mv, m0, slon, slot, offsets, values, amp, tset=None):
    """(ω, B_eff, magnet) of the fastest precession: ω = γ B_eff/(1 + α²) (rad/s) with B_eff
    (T) the bound of the module docstring, maximised over trajectories and magnets of the
    kernel arrays ``mp`` (E, k, 6) and ``mv`` (E, k, 3, 3) (:func:`fastest_trajectory`
    names the trajectory)."""
    return fastest_trajectory(sim, mp, mv, m0, slon, slot, offsets, values, amp, tset)[:3]


def fastest_trajectory(sim, mp, mv, m0, slon, slot, offsets, values, amp, tset=None):
    """(ω, B_eff, magnet, trajectory) of the fastest precession (:func:`largest_field`)."""
    ms, vol, alpha, gamma, bk = (mp[..., i] for i in range(5))
    axis, factors, applied = mv[..., 0, :], mv[..., 1, :], mv[..., 2, :]
    a = (bk[..., None, None] * axis[..., :, None] * axis[..., None, :]
         - MU0 * ms[..., None, None] * factors[..., :, None] * np.eye(3))
    field = (np.linalg.norm(applied, axis=-1) + np.abs(np.linalg.eigvalsh(a)).max(axis=-1)
             + torque_bound(sim, m0, slon, slot, offsets, values, amp, tset) / (ms * vol))
    omega = gamma * field / (1.0 + alpha**2)
    e, g = np.unravel_index(np.argmax(omega), omega.shape)
    return float(omega[e, g]), float(field[e, g]), sim.names[g], int(e)


def step_problem(sim, dt, mp, mv, m0, slon, slot, offsets, values, amp, tset=None,
                 noise: bool = False) -> tuple[str | None, int]:
    """(why the fixed step ``dt`` (s) is too large for the precession (one line) or None,
    the trajectory of the fastest precession); with thermal ``noise`` (a fixed-step scheme
    only) without advising the adaptive RK45."""
    omega, field, name, worst = fastest_trajectory(sim, mp, mv, m0, slon, slot, offsets,
                                                   values, amp, tset)
    limit = PRECESSION_STEP / omega if omega > 0 else np.inf
    if dt <= limit:
        return None, worst
    return (f"{dt:.3g} s exceeds {PRECESSION_STEP:g}/ω = {limit:.2g} s for the precession of "
            f"{name} in B_eff = {field:.2g} T (ω = γ B_eff/(1 + α²); anisotropy, "
            f"demagnetizing, applied and torque fields): take dt ≤ {limit:.2g} s"
            + ("" if noise else " or method \"rk45\"")), worst


def default_step(sim, mp, mv, m0, slon, slot, offsets, values, amp, tset=None) -> float:
    """The default fixed step (s): :data:`DEFAULT_STEP` (1 ps), or where the fastest
    precession of the run needs less, the largest of 1, 2, 2.5 and 5 times a power of ten
    within PRECESSION_STEP/ω (:func:`largest_field`; the same for all the run's
    trajectories). It depends on neither the run's end nor its saved instants, so a noisy
    trajectory does not change with the output's resolution or length."""
    omega = largest_field(sim, mp, mv, m0, slon, slot, offsets, values, amp, tset)[0]
    limit = PRECESSION_STEP / omega if omega > 0 else np.inf
    if DEFAULT_STEP <= limit:
        return DEFAULT_STEP
    decade = 10.0 ** np.floor(np.log10(limit))
    return float(max(f * decade for f in (1.0, 2.0, 2.5, 5.0) if f * decade <= limit))
