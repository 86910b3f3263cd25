"""An independent quadrature of a macrospin's thermal well (shared by several test modules)."""

from __future__ import annotations

import numpy as np

from spincaloric.constants import BOLTZMANN


def axial_mean(magnet, temperature, f, u_max=1.0):
    """⟨f(u)⟩, u = 1 − m_z, over e^{−E/k_BT} of a magnet with an axial energy on [0, u_max]
    (dΩ = du dφ; u_max the well's edge): trapezoids on 40 000 geometric points;
    ``temperature`` in K."""
    u = np.concatenate([[0.0], np.geomspace(1e-12, u_max, 40_000)])
    m = np.stack([np.sqrt(u * (2 - u)), 0 * u, 1 - u], axis=-1)
    e = magnet.energy(m) / (BOLTZMANN * temperature)
    p = np.exp(-(e - e.min()))
    return np.trapezoid(f(u) * p, u) / np.trapezoid(p, u)
