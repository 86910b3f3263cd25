r"""Transient heat flow integrated together with the magnetization dynamics.

A node of heat capacity C_s > 0 (J/K) stores heat: its temperature T_s is a state of the run,
given to the circuit like a reservoir's (:meth:`~spincaloric.circuit.device.Circuit.with_temperature_states`),
while the electrons' charge and spin respond instantly (the circuit stays quasi-static for
them). Its heat balance, which a static solve imposes as Σ(heat out) = (heat deposited),
becomes

.. math::

    C_s \frac{dT_s}{dt} = P_s(t) − \sum (\text{heat out of } s)
                        = −ρ_s(m, d(t), T),

ρ the residual of the node's energy-balance row (:class:`.torque_model.HeatBalance`): heat
carried by the contacts' electrons and lattice, the Peltier heat of charge currents (the
thermoelectric coefficients of K(m), so it depends on the magnetizations), and the node's bath.
The deposited power P_s(t) is the node's ``heat`` drive (W).

A node with a lattice temperature of its own (two-temperature model, ``electron_phonon``
G_ep and ``lattice_heat_capacity`` C_l) is two nodes of the circuit: its electrons and a node
``NODE/lattice`` of kind "lattice" (a temperature alone) joined by a heat link G_ep, the
lattice holding the ``bath`` to the substrate and any phonon conduction to other lattices.
Both are temperature states like any node of positive capacity,

.. math::

    C_l \frac{dT_l}{dt} = G_{ep}\,(T_e − T_l) − G_b\,(T_l − T_0) − (\text{phonon conduction}),

and an electron capacity of zero lets the electrons follow instantly (the usual limit, their
capacity being ~1–8 % of the lattice's).

With ``joule_heating`` the Joule heat of the currents (:func:`~spincaloric.circuit.solution.
joule_heat_of`: I_c ΔV_c + I⃗_s·ΔV⃗_s/2 per contact, half to each end, and the spin-flip
dissipation of every node) is computed at every evaluation from the circuit at the current
magnetizations, drives and temperatures and deposited in the internal nodes with the drives'
heat: time-resolved, following the magnetoresistance during a switch; the first correction in
the bias (the Joule heat of the currents that the Joule heat itself drives is left out).

The state (m_1 … m_k, T_1 … T_h) obeys the LLGS equations with the circuit torque at the current temperatures and these heat
balances, integrated as one system by SciPy's LSODA, which switches to backward
differentiation where the thermal network is stiff (an electron bath relaxes in
C/K ~ 0.1–10 ps while the magnetization precesses in ~10–100 ps). With every C_s = 0 there is
no such state and the compiled integrators of :mod:`.simulation` run.

At every evaluation the drives are computed exactly from their shapes (no tables), the
temperatures are put into their drive slots, and the stage functions of :mod:`.kernels`
(assembly, solve, absorbed torque, spin pumping) give the torques and the solved unknowns
from which the heat residuals follow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..circuit.drives import drive_layout, to_theory
from ..circuit.solution import joule_heat_of
from ..constants import HBAR_E
from ..errors import DynamicsError
from . import kernels
from .circuit_lanes import map_entries


@dataclass(eq=False)
class TransientRhs:
    """d(m, T)/dt of one trajectory, as :func:`scipy.integrate.solve_ivp` calls it.

    ``sim`` the Simulation (its model is that of the circuit with temperature states); ``mp``
    (k, 6), ``mv`` (k, 3, 3) the magnets' kernel arrays; ``slon`` (k, 4) the prescribed
    Slonczewski torque (a_J M_s V in N·m, p); ``amp`` (J,) the drive amplitudes. The state
    is (m (3k), T − T0 (h) in K).
    """

    sim: object
    mp: np.ndarray
    mv: np.ndarray
    slon: np.ndarray
    amp: np.ndarray
    until: float

    def __post_init__(self):
        tm = self.sim.model
        self.k = len(self.sim.names)
        u, nd, nq = tm.a0.shape[0], tm.d0.size, tm.e.shape[1]
        self.heat = tm.heat
        self.h = 0 if self.heat is None else len(self.heat.nodes)
        self.d = np.empty(nd)
        self.rd, self.fd, self.td = np.zeros(u), np.zeros((self.k, nq, u)), np.zeros((self.k, nq, 3))
        self.tau, self.phi = np.zeros((self.k, 3)), np.zeros((self.k, nq))
        self.amat, self.w = np.zeros((u, u)), np.zeros(u + nd)
        self.ws = np.zeros((u, 3 * self.k))
        self.dmat = np.zeros((3 * self.k, 3 * self.k))
        self.mmat, self.vec = np.zeros((3 * self.k, 3 * self.k)), np.zeros(3 * self.k)
        self.bth = np.zeros((self.k, 3))
        self.mdot = np.zeros((self.k, 3))
        self.pump, self.direct = self.sim.pumping_maps()
        self.nz = map_entries(tm.e)  # the maps' non-zero entries, for every evaluation
        self.joule = bool(self.sim.joule_heating)
        internal = np.flatnonzero(~tm.circuit.reservoir)
        self.heat_slots, self.internal = 3 * internal + 2, internal
        layout = drive_layout(self.sim.circuit)
        self.drives = [(layout.slot(layout.index[node], quantity), quantity,
                        _callable(drive, self.until))
                       for (node, quantity), drive in self.sim.drives.items()]
        self.t0 = self.sim.circuit.temperature

    def drive(self, t: float) -> np.ndarray:
        """The drive vector (3n,) at time t (s), theory variables, without the temperatures
        of the states (they are static there)."""
        d = self.d
        d[:] = self.sim.model.d0
        for j, (slot, quantity, drive) in enumerate(self.drives):
            value = to_theory(quantity, float(drive(t)), self.t0)
            d[slot] += self.amp[j] * (value - d[slot])
        return d

    def __call__(self, t: float, state: np.ndarray) -> np.ndarray:
        tm, k = self.sim.model, self.k
        m = state[:3 * k].reshape(k, 3)
        m = m / np.linalg.norm(m, axis=1, keepdims=True)
        d = self.drive(t)
        if self.heat is not None:
            d[self.heat.slots] = state[3 * k:]
        if self.joule:  # the currents' Joule heat at this state, deposited in the nodes
            x, j, _ = tm.contact_state(m, d)
            d[self.heat_slots] += joule_heat_of(tm.circuit, x, j)[self.internal]
        kernels.prepare_drive(d, tm.r0, tm.f, tm.t, self.rd, self.fd, self.td)
        bias = None
        kernels.circuit_torque(m, tm.a0, tm.e, self.nz, tm.t, self.pump, self.direct, self.rd,
                               self.fd, self.td, self.tau, self.dmat, self.phi, self.amat, self.w,
                               self.ws)
        y = self.w[:tm.a0.shape[0]]
        if self.pump.shape[0]:
            kernels.llgs_rhs_pumped(m, self.tau, self.dmat, self.mp, self.mv, self.bth,
                                    self.mdot, self.mmat, self.vec)
            bias = HBAR_E * np.cross(self.mdot, m)
            y = y + self.ws @ bias.reshape(-1)
        else:
            if self.sim.torque != "circuit":
                self.tau[:] = self._prescribed(m)
            kernels.llgs_rhs(m, self.tau, self.mp, self.mv, self.bth, self.mdot)
        if self.heat is None:
            return self.mdot.reshape(-1).copy()
        return np.concatenate([self.mdot.reshape(-1),
                               -self.heat.residual(self.phi, y, d, bias) / self.heat.capacity])

    def _prescribed(self, m: np.ndarray) -> np.ndarray:
        """τ (k, 3) N·m of torque "none" (zero) or "slonczewski" (a_J M_s V m × (m × p))."""
        if self.sim.torque == "none":
            return np.zeros_like(m)
        aj, p = self.slon[:, :1], self.slon[:, 1:]
        return aj * (np.sum(m * p, axis=1, keepdims=True) * m - p)


def _callable(drive, until: float):
    """The drive as a function of time (s): itself, or the table of its samples over
    [0, until] for an object with ``sample`` and ``breakpoints`` only."""
    if callable(drive):
        return drive
    from .drives import Table

    return Table(*(tuple(a) for a in drive.sample(until, until / 200)))


def initial_temperatures(rhs: TransientRhs, m0: np.ndarray) -> np.ndarray:
    """(h,) T − T0 (K) of the temperature states in the steady state
    of the drives just before t = 0 (a step at t = 0 has not acted yet) with the
    magnetizations m0 (k, 3) held: a run whose drives stay at those values stays there. At fixed m the heat balances are affine in the
    temperatures (the torque, ṁ and the pumped bias are linear in them), so one solve with
    the Jacobian from unit steps finds it."""
    k = m0.shape[0]
    n = rhs.h
    if n == 0:
        return np.zeros(0)
    state = np.concatenate([m0.reshape(-1), np.zeros(n)])
    before = np.nextafter(0.0, -1.0)
    f0 = rhs(before, state)[3 * k:]
    jac = np.empty((n, n))
    for i in range(n):
        step = state.copy()
        step[3 * k + i] = 1.0
        jac[:, i] = rhs(before, step)[3 * k:] - f0
    return np.linalg.solve(jac, -f0)


def integrate_transient(sim, m0, t_save, breaks, *, mp, mv, slon, amp, ref, rtol, atol,
                        max_step, report=None):
    """Integrate every trajectory of m0 (E, k, 3) with its temperature states over t_save
    (S,) s, stepping onto the drive breakpoints ``breaks`` (s). Returns (m (E, S, k, 3),
    T (E, S, h) absolute K of the temperature states, crossing (E, k) s — the last fall of ref·m through zero, NaN if
    none — the accepted steps (E,), and (E, 2, h) the lowest and highest temperatures (K)
    on the integrator's steps). rtol and atol (for m; the temperatures take atol·T0
    in K) control the error; ``report`` counts trajectories."""
    from scipy.integrate import solve_ivp

    n_traj, k = m0.shape[:2]
    rhs0 = TransientRhs(sim, mp[0], mv[0], slon[0], amp[0], float(t_save[-1]))
    h = rhs0.h
    t0 = sim.circuit.temperature
    tol = np.concatenate([np.full(3 * k, atol), np.full(h, atol * t0)])
    cuts = np.unique(np.concatenate([[t_save[0], t_save[-1]], breaks]))
    cuts = cuts[(cuts >= t_save[0]) & (cuts <= t_save[-1])]
    m_out = np.empty((n_traj, len(t_save), k, 3))
    t_out = np.empty((n_traj, len(t_save), h))
    extremes = np.empty((n_traj, 2, h))  # the lowest and highest T − T0 on the steps (K)
    crossing = np.full((n_traj, k), np.nan)
    steps = np.zeros(n_traj, np.int64)
    for e in range(n_traj):
        rhs = TransientRhs(sim, mp[e], mv[e], slon[e], amp[e], float(t_save[-1]))
        theta0 = initial_temperatures(rhs, m0[e])
        events = [_falling(3 * g, ref[e, g]) for g in range(k)]
        state = np.concatenate([m0[e].reshape(-1), theta0])
        out = np.empty((len(t_save), 3 * k + h))
        extremes[e] = theta0
        for lo, hi in zip(cuts[:-1], cuts[1:]):
            inside = (t_save >= lo) & ((t_save < hi) | (hi == cuts[-1]))
            sol = solve_ivp(rhs, (lo, hi), state, method="LSODA", rtol=rtol, atol=tol,
                            max_step=max_step, dense_output=True, events=events)
            if sol.status < 0:

                raise DynamicsError("rtol", f"the transient integration failed at t = "
                                    f"{sol.t[-1]:.4g} s: {sol.message}")
            if inside.any():  # a drive's breakpoints may fall between saved instants
                out[inside] = sol.sol(t_save[inside]).T
            state = sol.y[:, -1]
            _refuse_below_zero(sim, rhs, t0 + sol.y[3 * k:], sol.t)
            if h:
                extremes[e, 0] = np.minimum(extremes[e, 0], sol.y[3 * k:].min(axis=1))
                extremes[e, 1] = np.maximum(extremes[e, 1], sol.y[3 * k:].max(axis=1))
            steps[e] += len(sol.t) - 1
            for g, times in enumerate(sol.t_events):
                if len(times):
                    crossing[e, g] = times[-1]
        out[0] = np.concatenate([m0[e].reshape(-1), theta0])
        m = out[:, :3 * k].reshape(len(t_save), k, 3)
        m_out[e] = m / np.linalg.norm(m, axis=-1, keepdims=True)
        t_out[e] = t0 + out[:, 3 * k:]
        if report is not None:
            report.update(1)
    return m_out, t_out, crossing, steps, t0 + extremes


def _refuse_below_zero(sim, rhs: TransientRhs, temperatures: np.ndarray, t: np.ndarray):
    """A DynamicsError naming the heat drives if a temperature state (K, (h, N) at the
    steps t) reaches 0 K: the power taken out exceeds what the node holds."""
    cold = temperatures <= 0
    if cold.any():

        s, i = np.argwhere(cold)[0]
        c = rhs.sim.model.circuit
        nodes = np.flatnonzero(c.temperature_state).tolist()
        heat = [f"drives.{node}.heat" for node, q in sim.drives if q == "heat"]
        raise DynamicsError(heat[0] if heat else "drives", f"takes the temperature of "
                            f"{c.names[nodes[s]]!r} to 0 K at t = {t[i]:.4g} s: more heat "
                            "drawn than the node holds")


def _falling(start: int, ref: np.ndarray):
    """Event function of ref·m of the magnet whose m begins at state[start]: falls through 0."""
    def event(t, state):
        return float(ref @ state[start:start + 3])

    event.direction = -1.0
    return event
