r"""The circuit's torque on the dynamic magnets as an exact, precomputed function of m and drives.

At fixed internal ferromagnets, K(m) of every contact is linear in the features
φ(m) = (1, m, m⊗m) of its magnet (:func:`spincaloric.circuit.contacts.response_coefficients`), and the
Kirchhoff assembly is linear in K. Hence, for dynamic magnets f with magnetizations m_f and the
drive vector d (reservoir voltages, temperatures, currents),

.. math::

    \Big(A_0 + \sum_f φ(m_f)\cdot E_f\Big)\, y = \Big(R_0 + \sum_f φ(m_f)\cdot F_f\Big)\, d,
    \qquad I^\mathrm{abs}_f = \Big[\sum_q φ_q(m_f)\, T_{f,q}\Big] (y, d),\quad
    τ_f = \frac{\hbar}{2e}\,\big(I^\mathrm{abs}_f\big)_{\perp m_f},

which is exact (no approximation of the angle dependence): per step it costs one small dense
solve. An *internal* ferromagnet (a free layer inside a pillar, or all vertices of a diffusive
ferromagnetic layer, which turn together) also enters through its node basis B(m), linear in m,
so its part of the system, Bᵀ K(m) B, is a polynomial of degree ≤ 4 in m. On the unit sphere
the 25 cubic and quartic monomials of m/|m| span exactly the polynomials of degree ≤ 4 (the
spherical harmonics l ≤ 4), so such maps are obtained exactly from the system assembled at
72 quasi-uniform sample directions (checked to round-off at build time). Every contact kind
(:mod:`spincaloric.circuit.kinds`) gives its K in the features of the one dynamic magnet it
depends on (a tunnel junction with one dynamic end is affine in that magnet's m, a pair
(K_a, K_b) of coefficients); a contact between two dynamic magnets (bilinear in the two) is
refused. :meth:`CircuitTorqueModel.torques` is the NumPy
reference; the compiled integrators use the same arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..circuit.contacts import magnetization_features
from ..circuit.device import Circuit, DeviceError
from ..circuit.memory import refuse_beyond_memory, torque_map_bytes
from ..constants import TORQUE_PER_SPIN_CURRENT, from_electric_potential
from ..solvers import linear as _solver


def dynamic_magnet_nodes(circuit: Circuit, magnets) -> tuple[np.ndarray, list[np.ndarray]]:
    """(node index of each magnet (k,), indices of the nodes of each magnet) for the dynamic
    magnets named in ``magnets`` — a ferromagnetic node, or the name of a ferromagnetic layer
    (:meth:`Circuit.magnet_node`); a DeviceError names a wrong one."""
    nodes, groups, owner = [], [], {}
    for name in magnets:
        node = circuit.magnet_node(name)  # a layer's name: its magnet's first node
        where = f"{'layers' if name in circuit.layers else 'nodes'}.{name}"
        if node not in circuit.index:
            raise DeviceError(where, "no such node")
        i = circuit.index[node]
        if not circuit.ferromagnet[i]:
            raise DeviceError(f"{where}.magnet", "only a ferromagnet can be dynamic")
        g = int(circuit.magnet_group[i])
        if g in owner:
            raise DeviceError(f"{where}.magnet", f"same magnet as {owner[g]!r} (one "
                              "ferromagnetic layer): name it once")
        owner[g] = name
        nodes.append(i)
        groups.append(np.flatnonzero(circuit.magnet_group == g))
    return np.array(nodes, dtype=np.intp), groups


@dataclass(frozen=True, eq=False)
class CircuitTorqueModel:
    """Exact torque map of a circuit for a set of dynamic magnets.

    A dynamic magnet is named by any of its ferromagnetic nodes: a reservoir, an internal node
    (a thin free layer) or a vertex of a diffusive ferromagnetic layer (then the whole layer
    turns, :meth:`Circuit.magnet_nodes`); its torque is the transverse spin current absorbed
    by all of its nodes.

    Attributes
    ----------
    circuit : the circuit.       magnets : names of the dynamic magnets (k).
    nodes : (k,) their node indices.
    a0 (u, u), r0 (u, 3n), e (k, q, u, u), f (k, q, u, 3n), t (k, q, 3, u + 3n): the maps
    above, with the drive vector d = (V_0, ΔT_0, I_0, V_1, ...) in theory variables: V (V),
    T − T0 (K), conventional current injected by a current-biased reservoir (A); q = 13
    features (1, m, m⊗m) when every dynamic magnet is a single reservoir, else the 25
    features of :func:`sphere_features`.
    d0 : (3n,) the circuit's static drive vector.
    temperature_index : (k,) where each magnet's temperature lives for the thermal field:
        i ≥ 0 the drive slot 3r + 1 of a reservoir (ΔT), i < 0 the unknown −1 − i of the solved
        system (the electron temperature of the internal node that names the magnet).
    """

    circuit: Circuit
    magnets: tuple[str, ...]
    nodes: np.ndarray
    a0: np.ndarray
    r0: np.ndarray
    e: np.ndarray
    f: np.ndarray
    t: np.ndarray
    d0: np.ndarray
    temperature_index: np.ndarray

    @classmethod
    def build(cls, circuit: Circuit, magnets) -> CircuitTorqueModel:
        """Precompute the maps for the ferromagnets named in ``magnets``."""
        magnets = tuple(magnets)
        nodes, groups = dynamic_magnet_nodes(circuit, magnets)
        varying = np.zeros(circuit.n_nodes, bool)
        varying[nodes] = True
        active = _solver.active_components(circuit)
        unknown = circuit.unknown_nodes
        act = active[unknown].reshape(-1)
        u = int(act.sum())
        n3 = 3 * circuit.n_nodes
        temperature_index = _temperature_index(circuit, nodes, act)
        sampled = any(len(g) > 1 or not circuit.reservoir[g[0]] for g in groups)
        first = circuit.magnet_name(circuit.magnet_node(magnets[0]))
        table = "layers" if first in circuit.layers else "nodes"
        refuse_beyond_memory(f"{table}.{first}.magnet", f"the torque maps of {len(nodes)} "
                             f"dynamic magnet{'s' if len(nodes) > 1 else ''} over {u} unknowns",
                             torque_map_bytes(circuit.n_nodes, len(unknown), u, len(nodes),
                                              sampled))
        if sampled:  # refuses a contact between two dynamic magnets
            _solver.feature_coefficients(circuit, np.isin(np.arange(circuit.n_nodes),
                                                          np.concatenate(groups)))
            a0, r0, e, f, t = _sampled_maps(circuit, groups, act)
            d0 = _solver._drive_vectors(_static_drives(circuit))[0]
            return cls(circuit, magnets, nodes, a0, r0, e, f, t, d0, temperature_index)
        mflat = circuit.magnetization[:, None, :].copy()
        bases = _solver.node_bases(circuit, mflat, varying)
        magnet_of, coef = _solver.feature_coefficients(circuit, varying)
        k_fixed = _solver.contact_responses(circuit, mflat, np.zeros_like(varying))
        zero = np.zeros((1, 8, 8))
        const_k = [zero if (g >= 0 and varying[g]) else k_fixed[c] for c, g in enumerate(magnet_of)]
        a0, r0 = _solver.assemble_dense(circuit, const_k, bases)
        a0, r0 = a0[0][np.ix_(act, act)], r0[0][act]
        e = np.zeros((len(nodes), 13, u, u))
        f = np.zeros((len(nodes), 13, u, n3))
        for j, node in enumerate(nodes):
            kf = [coef[c] if g == node else zero for c, g in enumerate(magnet_of)]
            ej, fj = _solver.assemble_dense(circuit, kf, bases, node_terms=False)
            e[j] = ej[:, act][:, :, act]
            f[j] = fj[:, act]
        # node states are linear in (y, d): columns of S by unit vectors
        w = u + n3
        y_pad = np.zeros((w, len(unknown) * 8))
        y_pad[np.arange(u), np.flatnonzero(act)] = 1.0
        drives = np.zeros((circuit.n_nodes, 3, w))
        drives.reshape(n3, w)[np.arange(n3), u + np.arange(n3)] = 1.0
        s = _solver.node_states(circuit, y_pad.reshape(w, -1, 8), mflat, drives)  # (w, n, 8)
        t = np.zeros((len(nodes), 13, 3, w))
        for c, (a, b) in enumerate(circuit.ends):
            g = magnet_of[c]
            if g < 0 or not varying[g]:
                continue
            j = int(np.flatnonzero(nodes == g)[0])
            sign = 1.0 if a == g else -1.0  # spin current F -> N is +J when F is between[0]
            if isinstance(coef[c], tuple):  # J = K_a X_a − K_b X_b
                c_a, c_b = coef[c]
                t[j] -= sign * (np.einsum("qij,jw->qiw", c_a[:, 1:4, :], s[:, a, :].T)
                                - np.einsum("qij,jw->qiw", c_b[:, 1:4, :], s[:, b, :].T))
                continue
            m_c = (s[:, a, :] - s[:, b, :]).T  # (8, w)
            t[j] -= sign * np.einsum("qij,jw->qiw", coef[c][:, 1:4, :], m_c)
        d0 = _solver._drive_vectors(_static_drives(circuit))[0]
        return cls(circuit, magnets, nodes, a0, r0, e, f, t, d0, temperature_index)

    def drive_vector(self, voltage=None, temperature=None, current=None,
                     heat=None) -> np.ndarray:
        """The drive vector d (3n,) with overrides, dicts by node name: ``voltage`` electric
        potential (V) of a voltage-biased reservoir, ``temperature`` absolute (K) of a
        reservoir, ``current`` conventional (A) into the device from a current-biased
        reservoir, ``heat`` (W) deposited in an internal node. A node that cannot take the
        override is a :class:`~spincaloric.circuit.device.DeviceError` naming it."""
        d = self.d0.copy()
        c = self.circuit
        allowed = {"voltage": c.reservoir & ~c.current_biased, "temperature": c.reservoir,
                   "current": c.current_biased, "heat": ~c.reservoir}
        why = {"voltage": "not a voltage-biased reservoir", "temperature": "not a reservoir",
               "current": "not a current-biased reservoir", "heat": "not an internal node"}
        for key, given, slot in (("voltage", voltage, 0), ("temperature", temperature, 1),
                                 ("current", current, 2), ("heat", heat, 2)):
            for name, v in (given or {}).items():
                if name not in c.index:
                    raise DeviceError(f"{key}.{name}", "no such node")
                i = c.index[name]
                if not allowed[key][i]:
                    raise DeviceError(f"{key}.{name}", why[key])
                value = {"voltage": from_electric_potential(v),
                         "temperature": v - c.temperature}.get(key, v)
                d[3 * i + slot] = value
        return d

    def _solve(self, m, d):
        """Features (..., k, q) and solved unknowns y (..., u) at magnetizations m, drives d."""
        phi = magnetization_features(m) if self.e.shape[1] == 13 else sphere_features(m)
        a = self.a0 + np.einsum("...kq,kquv->...uv", phi, self.e)
        r = self.r0 + np.einsum("...kq,kqud->...ud", phi, self.f)
        rhs = np.einsum("...ud,...d->...u", r, d)
        return phi, np.linalg.solve(a, rhs[..., None])[..., 0]

    def magnet_temperatures(self, m: np.ndarray, d: np.ndarray | None = None) -> np.ndarray:
        """Temperature (K) of every dynamic magnet, (..., k): its reservoir's, or for an
        internal magnet its solved electron temperature (the thermal field's temperature)."""
        m = np.asarray(m, dtype=float)
        d = self.d0 if d is None else np.asarray(d, dtype=float)
        _, y = self._solve(m, d)
        idx = self.temperature_index
        from_drive = np.broadcast_to(d, y.shape[:-1] + d.shape[-1:])[..., np.maximum(idx, 0)]
        solved = y[..., np.maximum(-1 - idx, 0)]
        return self.circuit.temperature + np.where(idx >= 0, from_drive, solved)

    def torques(self, m: np.ndarray, d: np.ndarray | None = None) -> np.ndarray:
        """Spin-transfer torques (..., k, 3) in N·m on the dynamic magnets.

        m : (..., k, 3) unit magnetizations;  d : (..., 3n) drive vectors (default: static).
        NumPy reference implementation, batched over the leading axes.
        """
        m = np.asarray(m, dtype=float)
        d = self.d0 if d is None else np.asarray(d, dtype=float)
        phi, y = self._solve(m, d)
        w = np.concatenate([y, np.broadcast_to(d, y.shape[:-1] + d.shape[-1:])], axis=-1)
        i_abs = np.einsum("...kq,kqiw,...w->...ki", phi, self.t, w)
        perp = i_abs - np.einsum("...ki,...ki->...k", i_abs, m)[..., None] * m
        return TORQUE_PER_SPIN_CURRENT * perp


def _static_drives(circuit: Circuit) -> np.ndarray:
    """(n, 3, 1) static drives of the circuit: (V, T − T0, I) of every node."""
    d = np.zeros((circuit.n_nodes, 3, 1))
    d[:, 0, 0] = circuit.reservoir_voltage
    d[:, 1, 0] = circuit.reservoir_temperature - circuit.temperature
    d[:, 2, 0] = circuit.reservoir_current
    return d


def _temperature_index(circuit: Circuit, nodes: np.ndarray, act: np.ndarray) -> np.ndarray:
    """(k,) drive slot 3r + 1 of a reservoir magnet, or −1 − (position of the node's
    temperature among the solved unknowns) for an internal one."""
    pos = np.full(circuit.n_nodes, -1, np.intp)
    pos[circuit.unknown_nodes] = np.arange(len(circuit.unknown_nodes))
    solved = np.cumsum(act) - 1  # padded index -> index among the active unknowns
    out = []
    for i in nodes:
        out.append(3 * i + 1 if circuit.reservoir[i] else -1 - int(solved[8 * pos[i] + 4]))
    return np.array(out, np.int64)


#: monomial exponents of the cubic and quartic features, in the order of the kernels' loops
_SPHERE_TERMS = ([(i, j, k) for i in range(3) for j in range(i, 3) for k in range(j, 3)]
                 + [(i, j, k, m) for i in range(3) for j in range(i, 3) for k in range(j, 3)
                    for m in range(k, 3)])


def sphere_features(m) -> np.ndarray:
    """The 25 cubic and quartic monomials of n = m/|m|, shape (..., 25): a basis of the
    polynomials of degree ≤ 4 on the unit sphere (the spherical harmonics with l ≤ 4; lower
    degrees are reached through |n|² = 1)."""
    m = np.asarray(m, dtype=float)
    n = m / np.linalg.norm(m, axis=-1, keepdims=True)
    return np.stack([np.prod(n[..., list(t)], axis=-1) for t in _SPHERE_TERMS], axis=-1)


def _sphere_samples(count: int = 72) -> np.ndarray:
    """Quasi-uniform unit vectors (Fibonacci lattice), (count, 3)."""
    i = np.arange(count) + 0.5
    z = 1 - 2 * i / count
    phi = np.pi * (1 + 5 ** 0.5) * i
    r = np.sqrt(1 - z * z)
    return np.column_stack([r * np.cos(phi), r * np.sin(phi), z])


def _fit(phi_pinv: np.ndarray, phi: np.ndarray, samples: np.ndarray, what: str) -> np.ndarray:
    """Coefficients c with samples = φ · c, checked: the map must be a polynomial of degree
    ≤ 4 in m (it is, by construction; a failure is a bug, not a user error)."""
    flat = samples.reshape(len(samples), -1)
    coef = phi_pinv @ flat
    scale = np.abs(flat).max() or 1.0
    if np.abs(phi @ coef - flat).max() > 1e-9 * scale:
        raise RuntimeError(f"the {what} map of an internal dynamic magnet is not a polynomial "
                           "of degree <= 4 in m")
    return coef.reshape((phi.shape[1],) + samples.shape[1:])


def _sampled_maps(circuit: Circuit, groups: list, act: np.ndarray):
    """a0, r0 and the maps e, f, t in the 25 sphere features, from the system assembled at
    sample magnetizations of each dynamic magnet (group of ferromagnetic nodes)."""
    samples = _sphere_samples()
    phi = sphere_features(samples)
    phi_pinv = np.linalg.pinv(phi)
    n = circuit.n_nodes
    u, n3 = int(act.sum()), 3 * n
    w = u + n3
    unknown = circuit.unknown_nodes
    member = np.zeros((len(groups), n), bool)
    for j, g in enumerate(groups):
        member[j, g] = True
    touches = member[:, circuit.ends].any(axis=2)  # (k, c) contacts with an end in the magnet
    zero = np.zeros((1, 8, 8))
    fixed = np.zeros(n, bool)
    m_nominal = circuit.magnetization[:, None, :].copy()
    k_nominal = _solver.contact_responses(circuit, m_nominal, fixed)
    const_k = [zero if touches[:, c].any() else k_nominal[c] for c in range(circuit.n_contacts)]
    a0, r0 = _solver.assemble_dense(circuit, const_k, _solver.node_bases(circuit, m_nominal,
                                                                          fixed))
    a0, r0 = a0[0][np.ix_(act, act)], r0[0][act]
    k_dyn = len(groups)
    e = np.zeros((k_dyn, 25, u, u))
    f = np.zeros((k_dyn, 25, u, n3))
    t = np.zeros((k_dyn, 25, 3, w))
    # unit columns: node states are linear in (y, d) at each magnetization
    y_pad = np.zeros((w, len(unknown) * 8))
    y_pad[np.arange(u), np.flatnonzero(act)] = 1.0
    y_pad = y_pad.reshape(w, -1, 8)
    drives = np.zeros((n, 3, w))
    drives.reshape(n3, w)[np.arange(n3), u + np.arange(n3)] = 1.0
    for j, g in enumerate(groups):
        varying = member[j]
        mflat = np.repeat(m_nominal, len(samples), axis=1)
        mflat[g] = samples
        k_all = _solver.contact_responses(circuit, mflat, varying)
        kj = [k_all[c] if touches[j, c] else zero for c in range(circuit.n_contacts)]
        a_s, r_s = _solver.assemble_dense(circuit, kj, _solver.node_bases(circuit, mflat, varying),
                                          node_terms=False)
        a_s, r_s = a_s[:, act][:, :, act], r_s[:, act]
        # entries that do not depend on m (the charge and energy rows of a contact, say) are
        # taken as assembled, not fitted: a fit would give +G and −G of a stiff link
        # independent rounding errors, a charge leak that an ill-conditioned circuit (a
        # current-biased lead behind a 10⁶ S link) amplifies
        for sampled, const in ((a_s, a0), (r_s, r0)):
            fixed_entry = np.ptp(sampled, axis=0) <= 1e-13 * np.abs(sampled).max(axis=0)
            const += np.where(fixed_entry, sampled[0], 0.0)
            sampled[:, fixed_entry] = 0.0
        e[j] = _fit(phi_pinv, phi, a_s, "system")
        f[j] = _fit(phi_pinv, phi, r_s, "drive")
        # absorbed spin current: inflow into the magnet's nodes, (N, 3, w)
        i_abs = np.zeros((len(samples), 3, w))
        for p in range(len(samples)):
            s = _solver.node_states(circuit, y_pad, mflat[:, p:p + 1], drives)  # (w, n, 8)
            for c in np.flatnonzero(touches[j]):
                a, b = circuit.ends[c]
                into = float(varying[b]) - float(varying[a])
                if into == 0.0:  # a bulk cell inside the magnet: its spin current stays inside
                    continue
                k_a, k_b = _solver._ends_of(kj[c])
                k_a, k_b = k_a[min(p, len(k_a) - 1)], k_b[min(p, len(k_b) - 1)]
                current = s[:, a, :] @ k_a.T - s[:, b, :] @ k_b.T  # (w, 8): J = K_a X_a − K_b X_b
                i_abs[p] += into * current[:, 1:4].T
        t[j] = _fit(phi_pinv, phi, i_abs, "torque")
    return a0, r0, e, f, t
