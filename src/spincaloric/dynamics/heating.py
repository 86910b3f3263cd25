r"""Joule heating of time-dependent drives, as heat drives of the internal nodes.

A current through a pillar dissipates P = T σ̇ in every contact (σ̇ the contact's entropy
production, :func:`spincaloric.solution.joule_heat`: I_c ΔV_c + I⃗_s·ΔV⃗_s/2 + …, half to each
internal end). This heat is second order in the bias, so linear response leaves it out; a
current pulse that switches a free layer also heats it, and the temperature differences it
creates exert a thermal torque of their own. :func:`with_joule_heating` computes the Joule heat
of the drives along the run, once, from the circuit at fixed magnetizations, and returns the
drives with a heat drive (a :class:`~spincaloric.dynamics.drives.Table`, W) on every heated
internal node — added to any heat drive the node already had:

.. math::

    P_n(t) = \tfrac12 \sum_{c \ni n} T\,\dot\sigma_c\big(\text{drives}(t),\ m_0\big)
    \;+\; P^\text{drive}_n(t).

Approximations, stated: the heat is that of the linear-response currents (the first correction:
the thermal response to this heat is second order in the bias; its own dissipation, fourth
order, is left out), and it is evaluated at the magnetizations ``magnetization`` (default: the
circuit's), so the change of the dissipation with the magnetoresistance during a switch (a few
per cent in metallic pillars) is neglected. The heat tables scale with the drives as they are:
for amplitude scans (``Simulation.run(amplitude=...)``) rebuild them per amplitude — the heat
grows as the square of the bias.
"""

from __future__ import annotations

import numpy as np

from ..device import Circuit, DeviceError
from ..solution import joule_heat
from .drives import Table
from .simulation import DynamicsError, resolve_drives, static_value


def with_joule_heating(circuit: Circuit, drives, until: float, *, magnetization=None,
                       max_step: float | None = None) -> dict:
    """``drives`` plus the Joule heat they dissipate, as heat drives of the internal nodes.

    circuit : the finalized circuit.   drives : {(node, quantity): drive} as for
    :class:`~spincaloric.dynamics.simulation.Simulation` (may be empty: the static bias heats
    too).   until : end of the run (s).   magnetization : {ferromagnet: unit 3-vector} at which
    the dissipation is evaluated (default: the circuit's).   max_step : sampling step (s) of
    smooth drives (default until/200).

    Returns a new dict: the drives, validated, with ``(node, "heat")`` replaced or added for
    every internal node that the currents heat (W, a piecewise-linear table on [0, until] with
    the drives' jumps kept as jumps).

    >>> from spincaloric import ContactParameters, Device
    >>> from spincaloric.dynamics.drives import Constant
    >>> dev = Device(temperature=300.0)
    >>> dev.add_node("a", "normal", reservoir=True, voltage=0.0)
    >>> dev.add_node("mid", "normal")
    >>> dev.add_node("b", "normal", reservoir=True)
    >>> g = ContactParameters.spin_independent(conductance=1.0, seebeck=0.0, temperature=300.0)
    >>> dev.add_contact("a", "mid", g); dev.add_contact("mid", "b", g)
    >>> heated = with_joule_heating(dev.finalize(), {("a", "voltage"): Constant(2e-3)}, 1e-9)
    >>> # 1 mA through two 1 Ω contacts: 1 µW each, half of each to the middle node (µW)
    >>> round(float(heated[("mid", "heat")].values[0]) * 1e6, 6)
    1.0
    """
    if not (np.isfinite(until) and until > 0):
        raise DynamicsError("until", f"must be a positive time (s), got {until!r}")
    max_step = float(max_step or until / 200)
    resolved = resolve_drives(circuit, drives)
    times, left = _grid(resolved.values(), until, max_step)
    overrides = {"voltage": {}, "temperature": {}, "current": {}, "heat": {}}
    for (node, quantity), drive in resolved.items():
        values = np.asarray(drive(times), float)
        values[left] = np.asarray(drive(np.nextafter(times[left], -np.inf)), float)
        overrides[quantity][node] = values
    try:
        sol = circuit.solve(magnetization=magnetization or {}, **overrides)
    except DeviceError as err:
        raise DynamicsError(err.field, err.reason) from None
    out = dict(resolved)
    for node, heat in joule_heat(sol).items():
        heat = np.broadcast_to(heat, times.shape)
        if not np.any(heat):
            continue
        given = overrides["heat"].get(node, static_value(circuit, node, "heat"))
        out[(node, "heat")] = Table(times=tuple(times), values=tuple(heat + given))
    return out


def _grid(drives, until: float, max_step: float):
    """Times (s) on [0, until] resolving every drive, each jump twice, and a mask of the
    first entry of each pair (evaluated just before the jump)."""
    samples = [np.asarray(d.sample(until, max_step)[0], float) for d in drives]
    base = np.linspace(0.0, until, max(2, int(np.ceil(until / max_step)) + 1))
    times = np.unique(np.concatenate([base, *samples]))
    jumps = np.unique(np.concatenate(
        [t[1:][np.diff(t) == 0] for t in samples] or [np.zeros(0)]))
    at = np.searchsorted(times, jumps)
    times = np.insert(times, at, jumps)
    left = np.zeros(times.size, bool)
    left[at + np.arange(at.size)] = True
    return times, left
