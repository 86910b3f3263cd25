"""Figures of results (needs matplotlib: ``pip install 'spincaloric[plot]'``).

Sweep datasets and trajectories plot themselves (:func:`spincaloric.sweep.plot_dataset`,
:meth:`spincaloric.dynamics.trajectory.Trajectory.plot`); this module draws the
energy-resolved distributions of :mod:`spincaloric.spectral`.
"""

from __future__ import annotations

import numpy as np

from .constants import BOLTZMANN, ELEMENTARY_CHARGE


def plot_distributions(sol, nodes=None, *, window: float = 12.0, fig=None):
    """Draw the non-equilibrium part of the distributions of ``nodes`` (names; default all
    internal nodes) of a :class:`~spincaloric.spectral.SpectralSolution`: the charge part
    f_c(ε) − f0(ε) (top) and the spin part |f⃗_↑−↓(ε)| projected on its largest direction
    (bottom), against ε − μ0 in meV, over ±``window`` k_B T0. Returns the figure."""
    from matplotlib.figure import Figure  # no pyplot: works headless and leaves backends alone

    if fig is None:
        fig = Figure(figsize=(6.4, 5.6), layout="constrained")
    axes = fig.subplots(2, 1, sharex=True)
    c = sol.circuit
    names = list(nodes) if nodes is not None else [c.names[i] for i in c.internal]
    for name in names:
        if name not in c.index:
            raise ValueError(f"nodes: unknown node {name!r}")
    mev = sol.energies / ELEMENTARY_CHARGE * 1e3
    keep = np.abs(sol.energies) <= window * BOLTZMANN * c.temperature
    for name in names:
        x = sol.deviations[:, c.index[name]]
        axes[0].plot(mev[keep], x[keep, 0], label=name)
        spin = x[:, 1:]
        axis = spin[np.argmax(np.linalg.norm(spin, axis=1))]
        norm = np.linalg.norm(axis)
        axis = axis / norm if norm else np.array([0.0, 0.0, 1.0])
        axes[1].plot(mev[keep], (spin @ axis)[keep], label=name)
    axes[0].set_ylabel("f_c − f0")
    axes[1].set_ylabel("f↑ − f↓ (along its main axis)")
    axes[1].set_xlabel("ε − μ0 (meV)")
    axes[0].legend(fontsize="small")
    import textwrap

    title = textwrap.fill(f"{c.title or 'device'}: T0 = {c.temperature:g} K", width=70)
    axes[0].set_title(title, fontsize="medium")
    return fig


def save_png(fig, path, *, dpi: int = 120, make_dirs: bool = False) -> None:
    """Write ``fig`` to ``path`` as PNG atomically (never a half-written file); with
    ``make_dirs`` the parent directories are created first."""
    from pathlib import Path

    from .io import atomic_write

    path = Path(path)
    if make_dirs:
        path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=dpi))
