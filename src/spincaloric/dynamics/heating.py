r"""Joule heating of time-dependent drives, as heat drives of the internal nodes.

A current through a pillar does electrical work on the electrons: I_c ΔV_c + I⃗_s·ΔV⃗_s/2 in
every contact (half to each internal end) and G_sf |V⃗_s|²/2 in every node that relaxes spin
(:func:`spincaloric.circuit.solution.joule_heat`). This heat is second order in the bias, so linear
response leaves it out; a
current pulse that switches a free layer also heats it, and the temperature differences it
creates exert a thermal torque of their own. :func:`with_joule_heating` computes the Joule heat
of the drives along the run, once, from the circuit at fixed magnetizations, and returns the
drives with a heat drive (a :class:`~spincaloric.dynamics.drives.Table`, W) on every heated
internal node — added to any heat drive the node already had:

.. math::

    P_n(t) = \tfrac12 \sum_{c \ni n} \big(I_c ΔV_c + \tfrac12 \vec I_{s,c}\cdot Δ\vec V_{s,c}\big)
    + \tfrac12 G_{sf,n} |\vec V_{s,n}|^2 \;+\; P^\text{drive}_n(t),

all at the drives' values at t and the magnetizations m_0. The table's times are refined until
linear interpolation reproduces the heat itself (not only the drives: the heat goes as their
square) to :data:`RTOL` of its peak.

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

from ..circuit.device import Circuit, DeviceError
from ..circuit.drives import drive_layout
from ..circuit.solution import joule_heat
from .drives import RTOL, Table, bisect_table
from .simulation import DynamicsError, resolve_drives

#: Refinement rounds (each one batched solve) and the largest number of table points.
MAX_ROUNDS, MAX_POINTS = 24, 20_000


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
    # every drive as the table the integrators see (any object with sample() qualifies)
    tables = {key: Table(*(tuple(a) for a in d.sample(until, max_step)))
              for key, d in resolved.items()}
    times, left = _grid(tables.values(), until, max_step)

    def heat_at(t, before):
        """(heats {node: (P,)}, heat-drive values {node: (P,)}) at times t (P,); ``before``
        marks the entries evaluated just before t (the first time of a jump)."""
        overrides = {"voltage": {}, "temperature": {}, "current": {}, "heat": {}}
        for (node, quantity), table in tables.items():
            values = np.asarray(table(t), float)
            values[before] = np.asarray(table(np.nextafter(t[before], -np.inf)), float)
            overrides[quantity][node] = values
        try:
            sol = circuit.solve(magnetization=magnetization or {}, **overrides)
        except DeviceError as err:
            raise DynamicsError(err.field, err.reason) from None
        heats = {n: np.broadcast_to(h, t.shape) for n, h in joule_heat(sol).items()}
        return heats, overrides["heat"]

    heats, given = heat_at(times, left)
    nodes, driven = list(heats), list(given)
    rows = len(nodes)

    def evaluate(mid):  # the heats, then the heat drives carried along (never judged)
        new, new_given = heat_at(mid, np.zeros(mid.size, bool))
        return np.array([new[n] for n in nodes] + [new_given[n] for n in driven]).reshape(
            rows + len(driven), mid.size)

    def tolerance(values):
        peak = np.abs(values[:rows]).max(axis=1) if values.shape[1] else np.zeros(rows)
        return np.concatenate([RTOL * peak, np.full(len(driven), np.inf)])

    start = np.array([heats[n] for n in nodes] + [given[n] for n in driven]).reshape(
        rows + len(driven), times.size)
    times, table = bisect_table(times, start, evaluate, tolerance, MAX_POINTS, MAX_ROUNDS)
    heats = dict(zip(nodes, table[:rows]))
    given = dict(zip(driven, table[rows:]))
    out = dict(resolved)
    for node, heat in heats.items():
        if not np.any(heat):
            continue
        base = given.get(node, drive_layout(circuit).static_value(node, "heat"))
        out[(node, "heat")] = Table(times=tuple(times), values=tuple(heat + base))
    return out


def _grid(drives, until: float, max_step: float):
    """Times (s) on [0, until] resolving every drive, each jump twice, and a mask of the
    first entry of each pair (evaluated just before the jump)."""
    samples = [np.asarray(d.sample(until, max_step)[0], float) for d in drives]
    base = np.linspace(0.0, until, max(2, int(np.ceil(until / max_step)) + 1))
    times = np.unique(np.concatenate([base, *samples]))
    times = times[(times >= 0) & (times <= until)]
    jumps = np.unique(np.concatenate(
        [t[1:][np.diff(t) == 0] for t in samples] or [np.zeros(0)]))
    jumps = jumps[(jumps >= 0) & (jumps <= until)]
    at = np.searchsorted(times, jumps)
    times = np.insert(times, at, jumps)
    left = np.zeros(times.size, bool)
    left[at + np.arange(at.size)] = True
    return times, left
