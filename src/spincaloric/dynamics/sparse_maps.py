r"""The torque maps of large dynamic layers on the circuit's sparse pattern.

A dynamic diffusive ferromagnetic layer turns all its vertices together, so every contact of
the layer depends on its m. The maps of :class:`~.torque_model.CircuitTorqueModel`,

.. math::

    A(m) = A_0 + \sum_g φ(m_g)\cdot E_g, \qquad R(m) = R_0 + \sum_g φ(m_g)\cdot F_g,

are then as large as the layer: dense, E_g alone holds 25 u² numbers (u unknowns, ≈ 8 per
cell), 5 GB for a layer of 10³ cells. Their non-zero entries are those of the circuit's
Kirchhoff pattern (:attr:`~spincaloric.circuit.system.KirchhoffSystem.sparse`), a few per
unknown; here A_0, E_g, R_0 and F_g are kept as the values of that fixed pattern (the same
sampled fit on the sphere, entry by entry), and every solve at a magnetization fills A(m)
into it and factorises it by sparse LU in the column order computed once for the pattern.
The absorbed spin current map T_g (3 × (u + 3n) per feature) is built from each node's own
unknowns and drives (a node's state depends on nothing else), without the dense unit states.
Memory and build time grow linearly with the cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..circuit.device import Circuit
from ..circuit.system import SparsePattern, kirchhoff_system
from ..solvers import linear as _solver


@dataclass(frozen=True, eq=False)
class SparseFeatureSystem:
    """A(m) (u, u) and R(m) (u, 3n) of the module's equation on the fixed pattern ``pattern``:
    a0 (nnz_A,), e (k, q, nnz_A) in S (A·V⁻¹, W·K⁻¹ per the row's balance), r0 (nnz_R,),
    f (k, q, nnz_R) the values of A's CSC and R's CSR data."""

    pattern: SparsePattern
    a0: np.ndarray
    e: np.ndarray
    r0: np.ndarray
    f: np.ndarray
    drives: int

    @property
    def unknowns(self) -> int:
        """u, the compact unknowns."""
        return self.pattern.unknowns

    def values(self, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(A's data, R's data) at one point's features φ (k, q)."""
        return (self.a0 + np.tensordot(phi, self.e, axes=2),
                self.r0 + np.tensordot(phi, self.f, axes=2))

    def drive_matrix(self, r_data: np.ndarray):
        """R (u, 3n) in CSR from its data."""
        import scipy.sparse as sp

        p = self.pattern
        return sp.csr_matrix((r_data, p.r_indices, p.r_indptr), shape=(self.unknowns,
                                                                        self.drives))

    def solve(self, phi: np.ndarray, d: np.ndarray | None = None, columns=None,
              extra: np.ndarray | None = None) -> np.ndarray:
        """A(m)⁻¹ b at features φ (..., k, q): b = R(m) d for drive vectors d (..., 3n), plus
        ``extra`` (..., u) if given, giving y (..., u); or b = the ``columns`` (J,) of R(m)
        and/or ``extra`` (..., u, J), giving y (..., u, J). One sparse LU per point, in the
        pattern's fill-reducing column order."""
        import scipy.sparse as sp
        from scipy.sparse.linalg import splu

        phi = np.asarray(phi, float)
        vector = d is not None
        tail = 1 if vector else 2  # the trailing axes of ``extra``
        parts = [phi.shape[:-2]]
        if vector:
            parts.append(np.shape(d)[:-1])
        if extra is not None:
            parts.append(extra.shape[:-tail])
        batch = np.broadcast_shapes(*parts)
        points = int(np.prod(batch))

        def flat(x, trailing):
            return np.broadcast_to(x, batch + x.shape[len(x.shape) - trailing:]).reshape(
                (points,) + x.shape[len(x.shape) - trailing:])

        phi_f = flat(phi, 2)
        u = self.unknowns
        width = None if vector else (len(columns) if columns is not None else extra.shape[-1])
        out = np.zeros((points, u) if vector else (points, u, width))
        d_f = flat(np.asarray(d, float), 1) if vector else None
        extra_f = flat(extra, tail) if extra is not None else None
        if u == 0:
            return out.reshape(batch + out.shape[1:])
        order, take, indptr = self.pattern.column_order
        a_mat = sp.csc_matrix((np.ones(len(take)), self.pattern.a_indices[take], indptr),
                              shape=(u, u))
        for p in range(points):
            a_data, r_data = self.values(phi_f[p])
            if vector:
                rhs = self.drive_matrix(r_data) @ d_f[p]
            elif columns is not None:
                rhs = self.drive_matrix(r_data)[:, columns].toarray()
            else:
                rhs = np.zeros((u, width))
            if extra_f is not None:
                rhs = rhs + extra_f[p]
            a_mat.data[:] = a_data[take]
            try:
                lu = splu(a_mat, permc_spec="NATURAL")
            except RuntimeError:  # "Factor is exactly singular": as the dense solve says it
                raise np.linalg.LinAlgError("Singular matrix") from None
            out[p][order] = lu.solve(rhs)
        return out.reshape(batch + out.shape[1:])

    def dense(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(a0 (u, u), r0 (u, 3n), e (k, q, u, u), f (k, q, u, 3n)) as dense arrays (small
        systems: the compiled kernels and comparisons)."""
        p, u = self.pattern, self.unknowns
        col = np.repeat(np.arange(u), np.diff(p.a_indptr))
        row = np.repeat(np.arange(u), np.diff(p.r_indptr))

        def a_dense(data):
            out = np.zeros(data.shape[:-1] + (u, u))
            np.add.at(out, (..., p.a_indices, col), data)
            return out

        def r_dense(data):
            out = np.zeros(data.shape[:-1] + (u, self.drives))
            np.add.at(out, (..., row, p.r_indices), data)
            return out

        return a_dense(self.a0), r_dense(self.r0), a_dense(self.e), r_dense(self.f)


def _local_states(circuit: Circuit, act: np.ndarray, m: np.ndarray, nodes: np.ndarray):
    """(columns (N, 11), maps (N, 8, 11)): the state X (8,) of each of ``nodes`` (N,) as a
    linear map of its own unknowns and drives — column j of ``maps`` is X for the unit value of
    entry ``columns[j]`` of w = (y (u), d (3n)) (−1: an inactive unknown, no column) — at the
    node magnetizations m (n, 3), as :func:`~spincaloric.solvers.linear.node_states` forms X."""
    n = circuit.n_nodes
    u = int(act.sum())
    pos = np.full(n, -1, np.intp)
    pos[circuit.unknown_nodes] = np.arange(len(circuit.unknown_nodes))
    compact = np.cumsum(act) - 1
    maps = np.zeros((len(nodes), 8, 11))
    columns = np.full((len(nodes), 11), -1, np.intp)
    unknown = pos[nodes] >= 0
    padded = 8 * pos[nodes[unknown], None] + np.arange(8)
    columns[unknown, :8] = np.where(act[padded], compact[padded], -1)
    maps[unknown, :, :8] = np.eye(8)
    ferro = circuit.ferromagnet[nodes] & ~circuit.reservoir[nodes] & unknown
    for spin in (1, 5):  # the spin accumulation of an internal ferromagnet lies along m
        maps[ferro, spin:spin + 3, spin] = m[nodes[ferro]]
    columns[:, 8:] = u + 3 * nodes[:, None] + np.arange(3)
    fixed_v = circuit.reservoir[nodes] & ~circuit.current_biased[nodes]
    maps[fixed_v, 0, :8] = 0.0
    maps[fixed_v, 0, 8] = 1.0
    fixed_t = circuit.fixed_temperature[nodes]
    maps[fixed_t, 4, :8] = 0.0
    maps[fixed_t, 4, 9] = 1.0
    return columns, maps


def absorbed_map(circuit: Circuit, act: np.ndarray, m: np.ndarray, k: tuple,
                 absorbed: list) -> np.ndarray:
    """(3, u + 3n): the spin current (A) that a magnet absorbs through the contacts
    ``absorbed`` [(contact, sign)] per unit entry of w = (y, d), at node magnetizations m (n, 3)
    and contact responses k = (K_a, K_b) (c, 8, 8): Σ sign (K_a X_a − K_b X_b)[1:4]."""
    w = int(act.sum()) + 3 * circuit.n_nodes
    out = np.zeros((3, w))
    if not absorbed:
        return out
    contact = np.array([c for c, _ in absorbed])
    sign = np.array([s for _, s in absorbed])
    for end, k_end, side in ((0, k[0], 1.0), (1, k[1], -1.0)):
        columns, maps = _local_states(circuit, act, m, circuit.ends[contact, end])
        part = side * sign[:, None, None] * (k_end[contact, 1:4, :] @ maps)  # (N, 3, 11)
        keep = columns >= 0
        for i in range(3):
            out[i] += np.bincount(columns[keep], part[:, i][keep], minlength=w)
    return out


def sampled_sparse_maps(circuit: Circuit, groups: list, act: np.ndarray, samples, phi_pinv,
                        phi, fit):
    """(SparseFeatureSystem, t (k, q, 3, u + 3n), pump (k, q, u, 3), direct (k, q, 3, 3)) of
    the dynamic magnets ``groups`` (node indices of each), from the system assembled at the
    sample magnetizations ``samples`` (N, 3) of each in turn and fitted on the sphere
    (``fit``(phi_pinv, phi, samples, what)); as the dense maps of
    :class:`~.torque_model.CircuitTorqueModel`, entry by entry. Without temperature states."""
    system = kirchhoff_system(circuit)
    pattern = system.sparse
    n = circuit.n_nodes
    member = np.array([np.isin(np.arange(n), g) for g in groups])  # (k, n)
    touches = member[:, circuit.ends].any(axis=2)  # (k, c)
    m_nominal = circuit.magnetization.copy()
    k_nominal = _solver.stacked_responses(circuit, m_nominal)
    untouched = ~touches.any(axis=0)
    # the constant part: node terms and every contact that touches no dynamic magnet
    a0, r0 = _solver.sparse_values(circuit, _only(k_nominal, untouched), m_nominal)
    rows = np.flatnonzero(act)
    count, q = len(samples), phi.shape[1]
    e = np.zeros((len(groups), q, len(a0)))
    f = np.zeros((len(groups), q, len(r0)))
    u = int(act.sum())
    t = np.zeros((len(groups), q, 3, u + 3 * n))
    pump = np.zeros((len(groups), q, u, 3))
    direct = np.zeros((len(groups), q, 3, 3))
    for j, g in enumerate(groups):
        a_s, r_s = np.zeros((count, len(a0))), np.zeros((count, len(r0)))
        i_abs = np.zeros((count, 3, u + 3 * n))
        p_s, d_s = np.zeros((count, u, 3)), np.zeros((count, 3, 3))
        absorbed = absorbed_by(circuit, member[j])
        leaving = member[j][circuit.ends[:, 0]] != member[j][circuit.ends[:, 1]]
        pumped = np.zeros(n, bool)  # the nodes the pumping source reaches: a contact's ends
        pumped[circuit.ends[leaving].ravel()] = True
        for p, sample in enumerate(samples):
            m = m_nominal.copy()
            m[g] = sample
            k = _only(_solver.stacked_responses(circuit, m), touches[j])
            a_s[p], r_s[p] = _solver.sparse_values(circuit, k, m, node_terms=False)
            i_abs[p] = absorbed_map(circuit, act, m, k, absorbed)
            kj = _solver.per_contact(circuit, k[0][:, None], k[1][:, None])
            bases = _solver.node_bases(circuit, m[:, None, :], member[j], nodes=pumped)
            p_s[p] = _solver.assemble_pump_source(circuit, kj, bases, member[j])[0, rows]
            d_s[p] = direct_pump(circuit, kj, member[j])[0]
        # entries that do not depend on m are taken as assembled, not fitted (a stiff link's
        # +G and −G keep their exact balance; see the dense maps)
        for sampled, const in ((a_s, a0), (r_s, r0)):
            fixed_entry = np.ptp(sampled, axis=0) <= 1e-13 * np.abs(sampled).max(axis=0)
            const += np.where(fixed_entry, sampled[0], 0.0)
            sampled[:, fixed_entry] = 0.0
        e[j] = fit(phi_pinv, phi, a_s, "system")
        f[j] = fit(phi_pinv, phi, r_s, "drive")
        t[j] = fit(phi_pinv, phi, i_abs, "torque")
        pump[j] = fit(phi_pinv, phi, p_s, "pumping")
        direct[j] = fit(phi_pinv, phi, d_s, "direct pumping")
    return SparseFeatureSystem(pattern, a0, e, r0, f, 3 * n), t, pump, direct


def _only(k: tuple, keep: np.ndarray) -> tuple:
    """(K_a, K_b) with the contacts not in ``keep`` (c,) bool set to zero."""
    k_a = np.where(keep[:, None, None], k[0], 0.0)
    return (k_a, k_a) if k[1] is k[0] else (k_a, np.where(keep[:, None, None], k[1], 0.0))


def absorbed_by(circuit: Circuit, member: np.ndarray) -> list:
    """(contact, sign) pairs, in contact order, of the spin currents that the magnet of the
    nodes ``member`` (n,) bool absorbs (:attr:`Circuit.absorption`)."""
    contact, node, sign = circuit.absorption
    mine = np.flatnonzero(member[node])
    mine = mine[np.argsort(contact[mine], kind="stable")]
    return list(zip(contact[mine].tolist(), sign[mine].tolist()))


def direct_pump(circuit: Circuit, k: list, member: np.ndarray) -> np.ndarray:
    """(p, 3, 3) spin current (A per V of X⃗) that the magnet of the nodes ``member`` absorbs
    directly from its own contacts' pumping (the pumped current leaves the magnet itself)."""
    currents = _solver.pump_currents(circuit, k, member)  # (c, p, 8, 3)
    out = np.zeros(currents.shape[1:2] + (3, 3))
    for c, into in absorbed_by(circuit, member):
        out += into * currents[c, :, 1:4]
    return out
