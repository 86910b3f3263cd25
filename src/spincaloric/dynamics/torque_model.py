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
reference; the compiled integrators use the same arrays. The maps of large layers are kept on
the circuit's sparse pattern instead (:mod:`.sparse_maps`, :attr:`CircuitTorqueModel.sparse`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..circuit.contacts import cross_matrix, magnetization_features
from ..circuit.device import Circuit, DeviceError
from ..circuit.drives import drive_layout, drive_vectors
from ..circuit.memory import (
    refuse_beyond_memory,
    sparse_torque_map_bytes,
    torque_map_bytes,
    torque_maps_sparse,
)
from ..circuit.system import kirchhoff_system
from ..constants import HBAR_E, TORQUE_PER_SPIN_CURRENT
from ..solvers import linear as _solver
from .condensation import CondensedMaps, condense, condense_sparse, sparse_kept_unknowns
from .sparse_maps import SparseFeatureSystem, absorbed_by, direct_pump, sampled_sparse_maps

#: Most unknowns a run solves densely at every stage (:meth:`CircuitTorqueModel.dense_maps`):
#: beyond, a stage costs ~u³/3 > 3 × 10⁸ operations and a nanosecond hours.
DENSE_STAGE_UNKNOWNS = 1000


def unit_drives(size: int, slots) -> np.ndarray:
    """(J, size): the drive vectors of one unit (1 V, 1 K or 1 A) in each of ``slots`` (J,)
    (rows of the identity, without forming it: a large layer has 3n slots)."""
    slots = np.asarray(slots, np.intp)
    out = np.zeros((len(slots), size))
    out[np.arange(len(slots)), slots] = 1.0
    return out


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
class HeatBalance:
    r"""The heat balances that a circuit with temperature states does not solve.

    A temperature state s (an internal node n_s of heat capacity C_s > 0, its temperature
    given in drive slot 3n_s + 1) keeps its energy-balance row of the Kirchhoff system out of
    the equations; that row's residual is the heat leaving its electrons minus the heat
    deposited in them,

    .. math::

        ρ_s = \Big[A_h(m)\, y − R_h(m)\, d − \sum_g φ(m_g)\cdot P_{h,g}\, X⃗_g\Big]_s
        \quad (W), \qquad C_s \frac{dT_s}{dt} = −ρ_s ,

    with A_h = a0 + Σ φ·e, R_h = r0 + Σ φ·f in the same features as the solved system
    (the bath of the node acts through R_h on its given temperature), y the solved unknowns
    and X⃗_g the pumped spin bias of :class:`CircuitTorqueModel` (its heat-row part vanishes
    in linear response; it is kept for exactness of the assembly).

    Attributes: nodes (h,) node indices; capacity (h,) J/K; a0 (h, u), r0 (h, 3n),
    e (k, q, h, u), f (k, q, h, 3n), pump (k, q, h, 3).
    """

    nodes: np.ndarray
    capacity: np.ndarray
    a0: np.ndarray
    r0: np.ndarray
    e: np.ndarray
    f: np.ndarray
    pump: np.ndarray

    @property
    def slots(self) -> np.ndarray:
        """(h,) drive slots 3n + 1 of the temperatures (T − T0, K)."""
        return 3 * self.nodes + 1

    def residual(self, phi: np.ndarray, y: np.ndarray, d: np.ndarray,
                 spin_bias: np.ndarray | None = None) -> np.ndarray:
        """ρ (..., h) W from features φ (..., k, q), unknowns y (..., u), drives d (..., 3n)
        and the pumped spin biases X⃗ (..., k, 3) (V) or None."""
        a = self.a0 + np.einsum("...kq,kqhu->...hu", phi, self.e)
        r = self.r0 + np.einsum("...kq,kqhd->...hd", phi, self.f)
        rho = np.einsum("...hu,...u->...h", a, y) - np.einsum("...hd,...d->...h", r, d)
        if spin_bias is not None:
            rho = rho - np.einsum("...kq,kqhi,...ki->...h", phi, self.pump, spin_bias)
        return rho


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
    pump (k, q, u, 3), direct (k, q, 3, 3): spin pumping (physics.md §9). A moving magnet g
        adds the spin bias X⃗_g = (ħ/e) ṁ_g × m_g (V) to its side of every contact leaving it:
        the Kirchhoff system gains the source Σ_q φ_q(m_g) pump[g, q] X⃗_g and the spin current
        that g absorbs the direct part Σ_q φ_q(m_g) direct[g, q] X⃗_g (A per V).
    sparse : the maps a0, r0, e, f on the circuit's sparse pattern
        (:class:`~.sparse_maps.SparseFeatureSystem`; those four fields are then None,
        :meth:`dense_maps` forms them), or None.
    heat : the heat balances of the circuit's temperature states
        (:meth:`~spincaloric.circuit.device.Circuit.with_temperature_states`), or None: the
        balance rows that the system does not solve, in the same features, see
        :class:`HeatBalance` and :meth:`heat_residual`.
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
    pump: np.ndarray | None = None
    direct: np.ndarray | None = None
    heat: HeatBalance | None = None
    sparse: SparseFeatureSystem | None = None

    @classmethod
    def build(cls, circuit: Circuit, magnets, sparse: bool | None = None) -> CircuitTorqueModel:
        """Precompute the maps for the ferromagnets named in ``magnets``; ``sparse``: the maps
        of layers and internal magnets on the circuit's sparse pattern
        (:mod:`.sparse_maps`; not with temperature states), by default when their dense
        form would take more than :data:`~spincaloric.circuit.memory.SPARSE_ABOVE` bytes."""
        magnets = tuple(magnets)
        nodes, groups = dynamic_magnet_nodes(circuit, magnets)
        varying = np.zeros(circuit.n_nodes, bool)
        varying[nodes] = True
        active = _solver.active_components(circuit)
        unknown = circuit.unknown_nodes
        act = active[unknown].reshape(-1)
        u = int(act.sum())
        temperature_index = temperature_index_of(circuit, nodes, act)
        held = np.flatnonzero(circuit.temperature_state)
        pos = np.full(circuit.n_nodes, -1, np.intp)
        pos[unknown] = np.arange(len(unknown))
        rows = np.concatenate([np.flatnonzero(act), 8 * pos[held] + 4])  # + heat balances
        sampled = any(len(g) > 1 or not circuit.reservoir[g[0]] for g in groups)
        first = circuit.magnet_name(circuit.magnet_node(magnets[0]))
        table = "layers" if first in circuit.layers else "nodes"
        dense_bytes = torque_map_bytes(circuit.n_nodes, len(unknown), u, len(nodes), sampled)
        if sparse is None:
            sparse = torque_maps_sparse(dense_bytes, sampled, bool(len(held)))
        where = f"{table}.{first}.magnet"
        what = (f"the torque maps of {len(nodes)} dynamic "
                f"magnet{'s' if len(nodes) > 1 else ''} over {u} unknowns")
        if sparse:
            if not sampled or len(held):
                raise DeviceError(where, "sparse maps are for dynamic layers and internal "
                                  "magnets of circuits without temperature states")
            return cls._sparse(circuit, magnets, nodes, groups, act, temperature_index,
                               (where, what))
        refuse_beyond_memory(where, what, dense_bytes)
        if sampled:  # refuses a contact between two dynamic magnets
            _solver.feature_coefficients(circuit, np.isin(np.arange(circuit.n_nodes),
                                                          np.concatenate(groups)))
            a0, r0, e, f, t, pump, direct = _sampled_maps(circuit, groups, act, rows)
        else:
            mflat = circuit.magnetization[:, None, :].copy()
            feature, coef = _solver.feature_coefficients(circuit, varying)
            a0, r0, e, f, k_of = _solver.feature_system(circuit, mflat, feature, coef, nodes,
                                                        act, rows)
            # absorbed spin currents are linear in the node states, which are linear in (y, d)
            s = _unit_states(circuit, act, mflat)  # (w, n, 8)
            t = np.zeros((len(nodes), 13, 3, s.shape[0]))
            for j, node in enumerate(nodes):
                for c, into in absorbed_by(circuit, np.arange(circuit.n_nodes) == node):
                    t[j] += into * _spin_current(k_of[c], s, *circuit.ends[c])
            pump, direct = _feature_pump_maps(circuit, mflat, feature, nodes, rows, k_of)
        (a0, ha0), (r0, hr0), (e, he), (f, hf), (pump, hpump) = (
            (x[..., :u, :], x[..., u:, :]) for x in (a0, r0, e, f, pump))
        heat = (HeatBalance(held, circuit.heat_capacity[held], ha0, hr0, he, hf, hpump)
                if len(held) else None)
        return cls(circuit, magnets, nodes, a0, r0, e, f, t, drive_layout(circuit).static.copy(),
                   temperature_index, pump, direct, heat)

    @classmethod
    def _sparse(cls, circuit, magnets, nodes, groups, act, temperature_index, named):
        """The model with sparse maps (:mod:`.sparse_maps`); ``named``: (field, what) of the
        memory check."""
        pattern = kirchhoff_system(circuit).sparse
        refuse_beyond_memory(*named, sparse_torque_map_bytes(
            circuit.n_nodes, circuit.n_contacts, int(act.sum()), len(nodes),
            len(pattern.a_indices) + len(pattern.r_indices)))
        # refuses a contact between two dynamic magnets
        _solver.feature_coefficients(circuit, np.isin(np.arange(circuit.n_nodes),
                                                      np.concatenate(groups)))
        samples = _sphere_samples()
        phi = sphere_features(samples)
        system, t, pump, direct = sampled_sparse_maps(circuit, groups, act, samples,
                                                      np.linalg.pinv(phi), phi, _fit)
        return cls(circuit, magnets, nodes, None, None, None, None, t,
                   drive_layout(circuit).static.copy(), temperature_index, pump, direct, None,
                   system)

    def dense_maps(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(a0, r0, e, f) as dense arrays (the compiled kernels solve them at every stage),
        also of a model on the sparse pattern, where they fit in memory (else a DeviceError
        with the figures)."""
        if self.sparse is None:
            return self.a0, self.r0, self.e, self.f
        if "_dense" not in self.__dict__:
            self._refuse_dense_stage(self.sparse.unknowns)
            self.__dict__["_dense"] = self.sparse.dense()
        return self.__dict__["_dense"]

    def stage_maps(self, pump: np.ndarray, read=()) -> CondensedMaps:
        """The maps that a run solving the circuit at every stage needs, with the unknowns no
        magnet touches eliminated (:mod:`.condensation`): ``pump`` (p, q, u, 3) the pump
        sources of the run (p = 0 without spin pumping), ``read`` the solved unknowns that
        the run reads (the thermal fields' temperatures). Maps on the sparse pattern are
        condensed by sparse LU; a DeviceError if the kept unknowns are too many to solve
        densely at every stage or their maps do not fit in memory."""
        if self.sparse is not None:
            kept = sparse_kept_unknowns(self.sparse, self.t, pump, read)
            self._refuse_dense_stage(kept.size)
            condensed = condense_sparse(self.sparse, self.t, pump, kept)
            if condensed is not None:
                return condensed
        a0, r0, e, f = self.dense_maps()
        return condense(a0, r0, e, f, self.t, pump, read)

    def _refuse_dense_stage(self, u: int) -> None:
        """A DeviceError if u unknowns are too many to solve densely at every stage, or their
        dense maps beyond the memory available."""
        (k, q), nd = self.t.shape[:2], self.d0.size
        name = self.circuit.magnet_name(self.circuit.magnet_node(self.magnets[0]))
        table = "layers" if name in self.circuit.layers else "nodes"
        if u > DENSE_STAGE_UNKNOWNS:
            raise DeviceError(f"{table}.{name}.magnet", f"solving its {u} unknowns "
                              f"densely would cost ~{u**3 / 3:.1e} operations a stage "
                              f"(hours a nanosecond): fewer cells (at most "
                              f"{DENSE_STAGE_UNKNOWNS} unknowns)")
        refuse_beyond_memory(f"{table}.{name}.magnet", f"the dense torque maps over {u} "
                             "unknowns", 8.0 * (k * q + 1) * u * (u + nd))

    def drive_vector(self, voltage=None, temperature=None, current=None,
                     heat=None) -> np.ndarray:
        """The drive vector d (3n,) with overrides {node name: value} in the boundary
        convention (:meth:`~spincaloric.circuit.drives.DriveLayout.drives`): a DeviceError
        names a node that cannot take one."""
        return drive_vectors(drive_layout(self.circuit).drives({
            "voltage": voltage or {}, "temperature": temperature or {},
            "current": current or {}, "heat": heat or {}}))

    def _features(self, m) -> np.ndarray:
        """φ (..., k, q) of magnetizations m (..., k, 3)."""
        return magnetization_features(m) if self.t.shape[1] == 13 else sphere_features(m)

    def _linear_solve(self, phi, d=None, columns=None, extra=None) -> np.ndarray:
        """A(m)⁻¹ b at features φ (..., k, q): b = R(m) d (+ ``extra`` (..., u)) for drive
        vectors d (..., 3n), y (..., u); or b = the ``columns`` (J,) of R(m) and/or
        ``extra`` (..., u, J), y (..., u, J). Dense or sparse (:attr:`sparse`) alike."""
        if self.sparse is not None:
            return self.sparse.solve(phi, d, columns, extra)
        a = self.a0 + np.einsum("...kq,kquv->...uv", phi, self.e)
        if d is None and columns is None:
            return np.linalg.solve(a, extra) if a.shape[-1] else extra
        r = self.r0 + np.einsum("...kq,kqud->...ud", phi, self.f)
        if d is None:
            rhs = r[..., columns] if extra is None else r[..., columns] + extra
            return np.linalg.solve(a, rhs)
        rhs = np.einsum("...ud,...d->...u", r, d)
        if extra is not None:
            rhs = rhs + extra
        return np.linalg.solve(a, rhs[..., None])[..., 0]

    def _transverse(self, phi, m, w, extra=None):
        """τ = (ħ/2e)(I_abs)⊥ (N·m) from the features, the magnetizations and w = (y, d)
        (..., u + 3n), with ``extra`` (..., k, 3) more absorbed current (A)."""
        i_abs = np.einsum("...kq,kqiw,...w->...ki", phi, self.t, w)
        if extra is not None:
            i_abs = i_abs + extra
        perp = i_abs - np.einsum("...ki,...ki->...k", i_abs, m)[..., None] * m
        return TORQUE_PER_SPIN_CURRENT * perp

    def unit_responses(self, m: np.ndarray, slots) -> tuple[np.ndarray, np.ndarray]:
        """(τ (..., J, k, 3) in N·m, y (..., J, u)): the torques and solved unknowns per unit
        drive (1 V, 1 K or 1 A) in each of the drive ``slots`` (J,), at static unit
        magnetizations m (..., k, 3); one factorization of A(m) for all J."""
        m = np.asarray(m, dtype=float)
        slots = np.asarray(slots, dtype=np.intp)
        phi = self._features(m)
        y = np.moveaxis(self._linear_solve(phi, columns=slots), -1, -2)  # (..., J, u)
        unit = unit_drives(self.d0.size, slots)
        w = np.concatenate([y, np.broadcast_to(unit, y.shape[:-1] + unit.shape[-1:])], axis=-1)
        return self._transverse(phi[..., None, :, :], m[..., None, :, :], w), y

    def _solve(self, m, d, mdot=None):
        """Features (..., k, q), solved unknowns y (..., u) at magnetizations m, drives d, and
        with ``mdot`` (..., k, 3) (1/s) the spin pumping source in the right-hand side."""
        phi = self._features(m)
        extra = None
        if mdot is not None:
            extra = np.einsum("...kq,kqui,...ki->...u", phi, self.pump,
                              pumped_spin_bias(m, mdot))
        return phi, self._linear_solve(phi, d, extra=extra)

    def solved(self, m: np.ndarray, d: np.ndarray | None = None) -> np.ndarray:
        """The solved unknowns y (..., u) of the Kirchhoff system (V, K, …: the rows of
        :attr:`a0`) at unit magnetizations m (..., k, 3) and drive vectors d (..., 3n)
        (default: static), static magnets."""
        d = self.d0 if d is None else np.asarray(d, dtype=float)
        return self._solve(np.asarray(m, dtype=float), d)[1]

    def damping_matrix(self, m: np.ndarray, d: np.ndarray | None = None) -> np.ndarray:
        """D (..., k, 3, k, 3) in N·m·s of τ_k = τ0_k(m) + Σ_j D_kj(m) ṁ_j: the torque that
        the spin pumped by the moving magnets exerts back on them (physics.md §9), through
        the circuit (A⁻¹ S_j) and directly from each magnet's own contacts. Into a perfect sink
        D = (ħ²/2e²)(Re G↑↓ [m×] + Im G↑↓ (1 − m mᵀ)). m (..., k, 3) unit; independent of d
        (the argument is accepted for symmetry with :meth:`torques`)."""
        m = np.asarray(m, dtype=float)
        phi = self._features(m)
        u = self.pump.shape[2]
        src = np.einsum("...kq,kqui->...uki", phi, self.pump)
        k = m.shape[-2]
        src = src.reshape(src.shape[:-2] + (3 * k,))  # (..., u, 3k)
        ysrc = self._linear_solve(phi, extra=src)
        ty = np.einsum("...kq,kqiu->...kiu", phi, self.t[..., :u])
        i_abs = np.einsum("...kiu,...uj->...kij", ty, ysrc)  # (..., k, 3, 3k)
        i_abs = i_abs.reshape(i_abs.shape[:-1] + (k, 3))  # (..., k, 3, k, 3)
        own = np.einsum("...kq,kqij->...kij", phi, self.direct)
        i_abs[..., np.arange(k), :, np.arange(k), :] += np.moveaxis(own, -3, 0)
        perp = i_abs - np.einsum("...ki,...kl,...kljc->...kijc", m, m, i_abs)
        return TORQUE_PER_SPIN_CURRENT * np.einsum("...kijc,...jcl->...kijl", perp,
                                                   HBAR_E * -cross_matrix(m))

    def pumping_noise_temperatures(self) -> tuple[np.ndarray, np.ndarray]:
        """(slot, weight), each (k, c): the temperatures at which each magnet's spin-pumping
        channels fluctuate (physics.md §9, Foros et al. 2005). For the contacts leaving
        magnet g, ``slot`` says where the electron temperature of the node across lives (as
        :attr:`temperature_index`) and ``weight`` is the contact's share of the magnet's
        transverse pumping conductance Re G↑↓ (the rows sum to 1; zero-padded). The thermal
        field of the pumping then has the weighted mean temperature of each magnet's
        contacts: exact when every node a magnet pumps into is at one temperature, and for
        contacts into sinks (the pumping dampings α'_c ∝ Re G↑↓_c add)."""
        c = self.circuit
        n = c.n_nodes
        act = _solver.active_components(c)[c.unknown_nodes].reshape(-1)
        k_fixed = _solver.contact_responses(c, c.magnetization[:, None, :], np.zeros(n, bool))
        rows = []
        for node in self.nodes:
            member = c.magnet_group == c.magnet_group[node]
            m = c.magnetization[node]
            perp = np.eye(3) - np.outer(m, m)
            per_volt = _solver.pump_currents(c, k_fixed, member)[:, 0, 1:4]  # (c, 3, 3)
            leaving = np.flatnonzero(member[c.ends[:, 0]] != member[c.ends[:, 1]])
            across = np.where(member[c.ends[leaving, 0]], c.ends[leaving, 1],
                              c.ends[leaving, 0])
            weight = np.abs(np.trace(perp @ per_volt[leaving] @ perp, axis1=1, axis2=2))
            rows.append((temperature_index_of(c, across, act), weight / max(weight.sum(), 1e-300)))
        width = max(len(r[0]) for r in rows)
        slot = np.zeros((len(rows), width), np.int64)
        weight = np.zeros((len(rows), width))
        for g, (s, w) in enumerate(rows):
            slot[g, :len(s)] = s
            weight[g, :len(w)] = w
        return slot, weight

    def contact_state(self, m: np.ndarray, d: np.ndarray | None = None,
                      mdot: np.ndarray | None = None):
        """(X (..., n, 8), J (..., c, 8), P (..., c, 8)) at magnetizations m (..., k, 3),
        drives d (..., 3n) and, with ``mdot`` (..., k, 3) (1/s), the moving magnets' spin
        pumping: the node states X (theory variables: V, V⃗_s, T − T0, T⃗_s), the contact
        currents J from each contact's first node into its second (A, W; the pumped currents
        included) and the pump bias P_c (V) of each contact, J_c = K_c (X_a − X_b + P_c):
        ±X⃗_g = ±(ħ/e) ṁ_g × m_g in the spin slots of a contact leaving the moving magnet g
        (+ if g is its first end), zero elsewhere (physics.md §9). NumPy reference."""
        c = self.circuit
        m = np.asarray(m, dtype=float)
        d = self.d0 if d is None else np.asarray(d, dtype=float)
        _, y = self._solve(m, d, mdot)
        batch = np.broadcast_shapes(m.shape[:-2], y.shape[:-1], d.shape[:-1])
        p = int(np.prod(batch))
        yflat = np.broadcast_to(y, batch + y.shape[-1:]).reshape(p, -1)
        mflat = np.broadcast_to(m, batch + m.shape[-2:]).reshape(p, -1, 3)
        mag = np.repeat(c.magnetization[:, None, :], p, axis=1)  # (n, p, 3)
        groups = [c.magnet_group == c.magnet_group[i] for i in self.nodes]
        for j, member in enumerate(groups):
            mag[member] = mflat[:, j]
        varying = np.any(groups, axis=0)
        act = _solver.active_components(c)[c.unknown_nodes].reshape(-1)
        y_pad = np.zeros((p, act.size))
        y_pad[:, act] = yflat
        drives = np.moveaxis(np.broadcast_to(d, batch + d.shape[-1:]).reshape(p, -1, 3), 0, -1)
        x = _solver.node_states(c, y_pad.reshape(p, -1, 8), mag, drives)
        k = _solver.contact_responses(c, mag, varying)
        j = _solver.contact_currents(c, k, x)  # (p, c, 8)
        bias = np.zeros((p, c.n_contacts, 8))
        if mdot is not None:
            spin_bias = np.broadcast_to(pumped_spin_bias(m, mdot), batch + m.shape[-2:])
            spin_bias = spin_bias.reshape(p, -1, 3)
            for g, member in enumerate(groups):
                per_volt = _solver.pump_currents(c, k, member)  # (c, p or 1, 8, 3)
                per_volt = np.broadcast_to(per_volt, (len(per_volt), p, 8, 3))
                j = j + np.einsum("cpij,pj->pci", per_volt, spin_bias[:, g])
                side = member[c.ends[:, 0]].astype(float) - member[c.ends[:, 1]]
                bias[..., 1:4] += side[None, :, None] * spin_bias[:, g, None, :]
        j = _solver.balance_links(c, x, j, np.moveaxis(mag, 1, 0), drives)
        return (x.reshape(batch + x.shape[-2:]), j.reshape(batch + j.shape[-2:]),
                bias.reshape(batch + bias.shape[-2:]))

    def reservoir_currents(self, m: np.ndarray, d: np.ndarray | None = None,
                           mdot: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(I, Q), each (..., r): the charge current (A, theory variable: e × particle current,
        the conventional current is −I) and the heat current (W) from every reservoir
        (:attr:`Circuit.reservoir` order) into the circuit, at magnetizations m (..., k, 3),
        drives d (..., 3n) and, with ``mdot`` (..., k, 3) (1/s), the currents pumped by the
        moving magnets (physics.md §9) included. NumPy reference."""
        c = self.circuit
        j = self.contact_state(m, d, mdot)[1]
        res = np.flatnonzero(c.reservoir)
        out = np.stack([j[..., c.ends[:, 0] == r, :].sum(axis=-2)
                        - j[..., c.ends[:, 1] == r, :].sum(axis=-2) for r in res], axis=-2)
        return out[..., 0], out[..., 4]

    def heat_residual(self, m: np.ndarray, d: np.ndarray | None = None,
                      mdot: np.ndarray | None = None) -> np.ndarray:
        """(..., h) W: heat out minus heat deposited at every temperature state
        (:class:`HeatBalance`), at magnetizations m (..., k, 3), drives d (..., 3n) holding the
        states' temperatures, and with ``mdot`` (..., k, 3) the pumped spin biases. NumPy
        reference; (..., 0) without temperature states."""
        m = np.asarray(m, dtype=float)
        d = self.d0 if d is None else np.asarray(d, dtype=float)
        phi, y = self._solve(m, d, mdot)
        if self.heat is None:
            return np.zeros(y.shape[:-1] + (0,))
        bias = None if mdot is None else pumped_spin_bias(m, mdot)
        return self.heat.residual(phi, y, d, bias)

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

    def torques(self, m: np.ndarray, d: np.ndarray | None = None,
                mdot: np.ndarray | None = None) -> np.ndarray:
        """Spin-transfer torques (..., k, 3) in N·m on the dynamic magnets.

        m : (..., k, 3) unit magnetizations;  d : (..., 3n) drive vectors (default: static);
        mdot : (..., k, 3) dm/dt (1/s) of the moving magnets: their spin pumping included
        (τ0 + D ṁ, :meth:`damping_matrix`); None: static magnets.
        NumPy reference implementation, batched over the leading axes.
        """
        m = np.asarray(m, dtype=float)
        d = self.d0 if d is None else np.asarray(d, dtype=float)
        phi, y = self._solve(m, d, mdot)
        w = np.concatenate([y, np.broadcast_to(d, y.shape[:-1] + d.shape[-1:])], axis=-1)
        extra = None if mdot is None else np.einsum("...kq,kqij,...kj->...ki", phi, self.direct,
                                                    pumped_spin_bias(m, mdot))
        return self._transverse(phi, m, w, extra)


def refuse_ideal_pumping(circuit: Circuit, magnets) -> None:
    """A DeviceError naming the first resistance-free link (:attr:`Circuit.ideal_links`, a
    joint without an interface) between a dynamic magnet of ``magnets`` and a normal node:
    a moving magnet pumps through the mixing conductance of its F|N contacts (physics.md §9),
    which for a metallic interface is bounded by the Sharvin conductance of the normal metal;
    the link's placeholder conductance (~10⁶ times a metal slice's) would give an α' of order
    10⁵. The user gives the joint an interface (its mixing conductance) or turns pumping off."""
    ideal = np.asarray(circuit.ideal_links, bool)
    if not ideal.any():
        return
    _, groups = dynamic_magnet_nodes(circuit, magnets)
    for name, group in zip(magnets, groups):
        inside = np.isin(circuit.ends, group)
        for c in np.flatnonzero(ideal & (inside[:, 0] != inside[:, 1])):
            other = circuit.ends[c, 1] if inside[c, 0] else circuit.ends[c, 0]
            if circuit.ferromagnet[other]:
                continue
            raise DeviceError(circuit.contact_labels[c], f"the dynamic magnet {name!r} joins "
                              f"the normal node {circuit.names[other]!r} without an interface: "
                              "spin pumping needs the F|N mixing conductance; give the joint "
                              "an interface (its mixing conductance), or set pumping off")


def pumped_spin_bias(m, mdot) -> np.ndarray:
    """X⃗ = (ħ/e) ṁ × m (V), the spin bias that a magnet turning at ṁ (1/s) adds to its side
    of its contacts (physics.md §9); m, mdot (..., 3)."""
    return HBAR_E * np.cross(mdot, m)


def _feature_pump_maps(circuit: Circuit, mflat, feature, nodes, rows, k_of):
    """pump (k, 13, r, 3) on the padded balance rows ``rows`` and direct (k, 13, 3, 3) of
    reservoir magnets in the features
    (1, m, m⊗m) of each: the contacts leaving magnet g have K linear in φ(m_g) (``k_of``,
    ``feature`` the node each K depends on, :func:`~spincaloric.solvers.linear.feature_system`)
    or constant."""
    n = circuit.n_nodes
    bases = _solver.node_bases(circuit, mflat, np.zeros(n, bool))
    k_fixed = _solver.contact_responses(circuit, mflat, np.zeros(n, bool))
    pump = np.zeros((len(nodes), 13, len(rows), 3))
    direct = np.zeros((len(nodes), 13, 3, 3))
    for j, node in enumerate(nodes):
        member = np.arange(n) == node
        kk = []
        for c, (a, b) in enumerate(circuit.ends):
            if member[a] == member[b]:
                kk.append(np.zeros((1, 8, 8)))
            elif feature[c] == node:
                kk.append(k_of[c])
            elif feature[c] >= 0:
                raise DeviceError(circuit.contact_labels[c], "its conductances depend on "
                                  "another dynamic magnet: spin pumping through it is not "
                                  "supported")
            else:  # constant K: the feature 1 only
                kk.append(tuple(np.concatenate([x, np.zeros((12, 8, 8))])
                                for x in _solver._ends_of(k_fixed[c])))
        pump[j] = _solver.assemble_pump_source(circuit, kk, bases, member)[:, rows]
        direct[j] = direct_pump(circuit, kk, member)
    return pump, direct


def _spin_current(k, s: np.ndarray, a: int, b: int) -> np.ndarray:
    """Spin current (..., 3, w) (A) of a contact (a, b) with response K (..., 8, 8), or a
    junction's pair (K_a, K_b): J = K (X_a − X_b) or K_a X_a − K_b X_b, X the node states s
    (w, n, 8) of :func:`_unit_states`."""
    if isinstance(k, tuple):
        return k[0][..., 1:4, :] @ s[:, a].T - k[1][..., 1:4, :] @ s[:, b].T
    return k[..., 1:4, :] @ (s[:, a] - s[:, b]).T


def _unit_states(circuit: Circuit, act: np.ndarray, m: np.ndarray) -> np.ndarray:
    """(w, n, 8) node states for the unit vectors of (y, d), w = u + 3n: the node states are
    linear in the solved unknowns y (u,) and the drives d (3n,) at magnetizations m (n, 1, 3)."""
    u, n3 = int(act.sum()), 3 * circuit.n_nodes
    w = u + n3
    y_pad = np.zeros((w, len(circuit.unknown_nodes) * 8))
    y_pad[np.arange(u), np.flatnonzero(act)] = 1.0
    drives = np.zeros((circuit.n_nodes, 3, w))
    drives.reshape(n3, w)[np.arange(n3), u + np.arange(n3)] = 1.0
    return _solver.node_states(circuit, y_pad.reshape(w, -1, 8), m, drives)


def temperature_index_of(circuit: Circuit, nodes: np.ndarray, act: np.ndarray) -> np.ndarray:
    """(k,) where the electron temperature of each of ``nodes`` lives: the drive slot
    3r + 1 (T − T0) of a reservoir or a temperature state, or −1 − (position of the node's
    temperature among the solved unknowns) for another internal node."""
    pos = np.full(circuit.n_nodes, -1, np.intp)
    pos[circuit.unknown_nodes] = np.arange(len(circuit.unknown_nodes))
    before = np.concatenate([[0], np.cumsum(act)])  # active unknowns before a padded index
    return np.where(circuit.fixed_temperature[nodes],
                    drive_layout(circuit).slot(nodes, "temperature"),
                    -1 - before[np.maximum(8 * pos[nodes] + 4, 0)]).astype(np.int64)


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


def _sampled_maps(circuit: Circuit, groups: list, act: np.ndarray, rows: np.ndarray):
    """a0, r0 and the maps e, f, t in the 25 sphere features, from the system assembled at
    sample magnetizations of each dynamic magnet (group of ferromagnetic nodes); the balance
    rows are the padded ``rows``."""
    samples = _sphere_samples()
    phi = sphere_features(samples)
    phi_pinv = np.linalg.pinv(phi)
    n = circuit.n_nodes
    member = np.array([np.isin(np.arange(n), g) for g in groups])  # (k, n)
    touches = member[:, circuit.ends].any(axis=2)  # (k, c) contacts with an end in the magnet
    zero = np.zeros((1, 8, 8))
    m_nominal = circuit.magnetization[:, None, :].copy()
    # the constant part: every contact that does not touch a dynamic magnet
    touched = touches.any(axis=0)
    a0, r0 = _solver.feature_system(circuit, m_nominal, touched - 1, [None] * len(touched), [],
                                    act, rows)[:2]
    r, u = a0.shape
    e = np.zeros((len(groups), 25, r, u))
    f = np.zeros((len(groups), 25, r, 3 * n))
    t = np.zeros((len(groups), 25, 3, u + 3 * n))
    pump = np.zeros((len(groups), 25, r, 3))
    direct = np.zeros((len(groups), 25, 3, 3))
    for j, g in enumerate(groups):
        varying = member[j]
        mflat = np.repeat(m_nominal, len(samples), axis=1)
        mflat[g] = samples
        k_all = _solver.contact_responses(circuit, mflat, varying)
        kj = [k_all[c] if touches[j, c] else zero for c in range(circuit.n_contacts)]
        a_s, r_s = _solver.assemble_dense(circuit, kj, _solver.node_bases(circuit, mflat, varying),
                                          node_terms=False)
        a_s, r_s = a_s[:, rows][:, :, act], r_s[:, rows]
        # entries that do not depend on m (the charge and energy rows of a contact, say) are
        # taken as assembled, not fitted: a fit would give +G and −G of a stiff link
        # independent rounding errors, a charge leak that an ill-conditioned circuit (a
        # current-biased lead behind a 10⁶ S link) amplifies
        for sampled, const in ((a_s, a0), (r_s, r0)):
            fixed_entry = np.ptp(sampled, axis=0) <= 1e-13 * np.abs(sampled).max(axis=0)
            const += np.where(fixed_entry, sampled[0], 0.0)
            sampled[:, fixed_entry] = 0.0
        bases = _solver.node_bases(circuit, mflat, varying)
        pump[j] = _fit(phi_pinv, phi, _solver.assemble_pump_source(circuit, kj, bases,
                                                                    varying)[:, rows], "pumping")
        direct[j] = _fit(phi_pinv, phi, direct_pump(circuit, kj, varying), "direct pumping")
        e[j] = _fit(phi_pinv, phi, a_s, "system")
        f[j] = _fit(phi_pinv, phi, r_s, "drive")
        # absorbed spin current: inflow into the magnet's nodes, (N, 3, w)
        i_abs = np.zeros((len(samples),) + t.shape[2:])
        absorbed = absorbed_by(circuit, varying)
        for p in range(len(samples)):
            s = _unit_states(circuit, act, mflat[:, p:p + 1])  # (w, n, 8)
            for c, into in absorbed:
                k = tuple(x[min(p, len(x) - 1)] for x in _solver._ends_of(kj[c]))
                i_abs[p] += into * _spin_current(k, s, *circuit.ends[c])
        t[j] = _fit(phi_pinv, phi, i_abs, "torque")
    return a0, r0, e, f, t, pump, direct
