"""Assemble and solve the Kirchhoff equations of physics.md §3, batched.

Every node carries a padded state of 8 theory variables X = (V_c, V⃗_s, T_c − T, T⃗_s) (V, V,
K, K). An internal node's state is X_n = B_n y_n, with y_n its padded unknowns:

* normal node: B_n = 1; T⃗_s is unknown only in the non-interacting regime;
* ferromagnetic node: columns 1 and 5 of B_n are (0, m, 0, 0) and (0, 0, 0, m): the spin
  accumulation and spin temperature are parallel to m, and the balance is projected on m.

A contact (a, b) carries J = K_a X_a − K_b X_b out of a and into b, with K_a = K_b = K(m) for
a two-terminal contact; each kind of contact (:mod:`spincaloric.circuit.kinds`) gives its pair,
so wherever a contact's K appears below it may be such a pair. The balance of node n is
B_nᵀ Σ (outgoing J) = 0, restricted to its active rows (charge, spin, energy; spin heat only when
the node is non-interacting). Reservoir states are fixed by the drives (V, T − T0).

The pattern of these equations (which K enters which rows and columns with which sign, the node
terms, the sources) is the circuit's :class:`spincaloric.circuit.system.KirchhoffSystem`, built once;
two back ends fill values into it: a batched dense solve (``numpy.linalg.solve`` on a stack, for
small circuits and large batches) and a sparse LU on the system's fixed CSC pattern
(``scipy.sparse.linalg.splu``, reused for every drive that shares a factorisation, for large
circuits). At fixed magnetizations the circuit is
linear in the drives, so a batch of drives is solved as one multi-right-hand-side solve.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from ..circuit.backends import register
from ..circuit.contacts import magnetization_features
from ..circuit.drives import UNITS, drive_layout, drive_vectors, to_boundary
from ..circuit.solution import Solution
from ..circuit.system import active_components, balance_residuals, kirchhoff_system
from ..errors import DeviceError, user_stacklevel
from ..linear_response import solution_extremes, warn_beyond_linear_response
from ..validation import unit_vectors

if TYPE_CHECKING:  # the finalized circuit; it imports this module to solve itself
    from ..circuit.device import Circuit

#: Largest number of unknowns for which "auto" uses the dense batched solver.
DENSE_LIMIT = 160
#: Bytes of working memory a dense chunk may use.
_CHUNK_BYTES = 48 * 2**20


# ---- input handling ---------------------------------------------------------------------------


def _override_magnetizations(circuit: Circuit, magnetization) -> np.ndarray:
    """(n, *Bm, 3) unit magnetizations of every node with the overrides {ferromagnetic node
    or layer: array (*B, 3)} applied to the whole magnet of each, validated."""
    if not isinstance(magnetization, Mapping):
        raise DeviceError("magnetization", f"must be a mapping {{node name: values}}, got "
                          f"{magnetization!r}")
    ms = {}
    for k, v in magnetization.items():
        k = circuit.magnet_node(k)  # a ferromagnetic layer: its magnet's first node
        if k not in circuit.index or not circuit.ferromagnet[circuit.index[k]]:
            raise DeviceError(f"magnetization.{k}", "not a ferromagnet" if k in
                              circuit.index else "no such node")
        ms[k] = v
    ms = {k: unit_vectors(v, f"magnetization.{k}", DeviceError) for k, v in ms.items()}
    # a diffusive ferromagnetic layer is one magnet: its vertices turn together
    owner = {}
    for k in ms:
        g = int(circuit.magnet_group[circuit.index[k]])
        if g in owner:
            raise DeviceError(f"magnetization.{k}", f"same magnet as {owner[g]!r} (vertices of "
                              "one ferromagnetic layer share a magnetization): give one of them")
        owner[g] = k
    bm = np.broadcast_shapes(*(v.shape[:-1] for v in ms.values())) if ms else ()
    mag = np.broadcast_to(circuit.magnetization, bm + circuit.magnetization.shape)
    mag = np.moveaxis(mag, -2, 0).copy()  # (n, *Bm, 3)
    for k, v in ms.items():
        mag[circuit.magnet_group == circuit.magnet_group[circuit.index[k]]] = v
    return mag


def feature_coefficients(circuit: Circuit, dynamic: np.ndarray, m: np.ndarray | None = None):
    """(feature node (c,), coefficients) of every contact: K = Σ_q φ_q(m_f) C_q exactly in the
    features φ(m_f) of the one dynamic node f its K depends on (−1: none), the other nodes at
    the magnetizations ``m`` (n, 3) (default: the circuit's); ``dynamic``: (n,) bool. The
    coefficients are one (13, 8, 8) array per contact, or a pair (C_a, C_b) for a two-port,
    as :func:`contact_responses` lists K."""
    m = circuit.magnetization if m is None else m
    feature = np.full(circuit.n_contacts, -1, np.intp)
    coef = [None] * circuit.n_contacts
    for kind in circuit.kinds:
        feature[kind.contacts], c_a, c_b = kind.coefficients(dynamic, m)
        for i, c in enumerate(kind.contacts):
            coef[c] = (c_a[i], c_b[i]) if c_b is not c_a else c_a[i]
    return feature, coef


def contact_responses(circuit: Circuit, mflat: np.ndarray, varying: np.ndarray) -> list:
    """K of every contact for magnetizations ``mflat`` (n, p, 3): a list of (p or 1, 8, 8),
    or of pairs (K_a, K_b) for two-port contacts (tunnel junctions).

    A contact none of whose ends varies over the batch gets one (1, 8, 8) matrix.
    """
    out = [None] * circuit.n_contacts
    for kind in circuit.kinds:
        varies = varying[kind.ends].any(axis=1)
        for which, m in ((np.flatnonzero(~varies), mflat[:, :1]),
                         (np.flatnonzero(varies), mflat)):
            if not which.size:
                continue
            k_a, k_b = kind.response(m, which)
            for i, c in enumerate(kind.contacts[which]):
                out[c] = (k_a[i], k_b[i]) if k_b is not k_a else k_a[i]
    return out


def stacked_responses(circuit: Circuit, m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(K_a, K_b) of every contact for one magnetization state m (n, 3), each (c, 8, 8),
    vectorised per kind; the same array twice when no contact is a two-port."""
    k_a = np.empty((circuit.n_contacts, 8, 8))
    two_port = any(kind.two_port for kind in circuit.kinds)
    k_b = np.empty_like(k_a) if two_port else k_a
    for kind in circuit.kinds:
        k_a[kind.contacts], k_b[kind.contacts] = kind.response(m)
    return k_a, k_b


def per_contact(circuit: Circuit, k_a: np.ndarray, k_b: np.ndarray) -> list:
    """Stacked K_a, K_b (c, ...) -> the per-contact list of :func:`assemble_dense`: K_a[c], or
    the pair (K_a[c], K_b[c]) for a two-port contact (a tunnel junction)."""
    out = list(k_a)
    for kind in circuit.kinds if k_b is not k_a else ():
        for c in kind.contacts if kind.two_port else ():
            out[c] = (k_a[c], k_b[c])
    return out


def _ends_of(kc):
    """(K for the first end, K for the second end) of one contact's entry."""
    return kc if isinstance(kc, tuple) else (kc, kc)


def node_bases(circuit: Circuit, mflat: np.ndarray, varying: np.ndarray,
               width: int = 8, nodes: np.ndarray | None = None) -> dict[int, np.ndarray]:
    """B_n (p or 1, w, w) for every internal ferromagnetic node n (normal nodes have B = 1),
    or for those among ``nodes`` (n,) bool: its spin columns 1 (and, at width 8, 5) are m,
    the rest the identity."""
    out = {}
    among = circuit.ferromagnet & ~circuit.reservoir
    for n in np.flatnonzero(among if nodes is None else among & nodes):
        m = mflat[n] if varying[n] else mflat[n, :1]
        b = np.broadcast_to(np.eye(width), m.shape[:-1] + (width, width)).copy()
        b[..., 1:4, 1] = m
        if width == 8:
            b[..., 5:8, 5] = m
        # columns 2, 3, 6, 7 stay as they are: those unknowns are inactive and never used
        out[int(n)] = b
    return out


# ---- assembly: values filled into the circuit's Kirchhoff system ----------------------------


def _left(bases, n, m):
    b = bases.get(n)
    return m if b is None else np.swapaxes(b, -1, -2) @ m


def _right(bases, n, m):
    b = bases.get(n)
    return m if b is None else m @ b


def assemble_dense(circuit: Circuit, k: list, bases: dict, node_terms: bool = True,
                   width: int = 8):
    """Dense padded system for a batch: A (p, wu, wu) and drive map R (p, wu, dn).

    ``k`` lists each contact's K, (p or 1, w, w), or a pair (K_a, K_b) for a tunnel junction;
    ``bases`` the internal ferromagnets' B_n. The blocks, node terms and sources are those of
    :func:`spincaloric.circuit.system.kirchhoff_system` of this ``width`` (8: linear response;
    4: one energy of the energy-resolved solver, K its spectral conductance).

    u = number of nodes with unknowns; balance rows and unknowns are padded to ``width`` per
    node. The d drive columns of every node r are (V_r, T_r − T0, I_r) at width 8, its f_c
    deviation at width 4. ``node_terms`` adds what belongs to the nodes rather than the
    contacts: their relaxation conductances and precession (for a ferromagnet Bᵀ G B keeps G
    on its collinear unknowns) and the unit source entries of injected currents and deposited
    heat. Leave them out (``False``) when assembling the part that a set of contacts
    contributes, so that a sum of such parts counts them once.
    """
    system = kirchhoff_system(circuit, width)
    pos, d = system.position, system.drives
    batch = (max(_ends_of(kc)[0].shape[0] for kc in k),) if k else (1,)
    batch = (max(batch[0], *(b.shape[0] for b in bases.values())),) if bases else batch
    a_mat = np.zeros(batch + (system.size, system.size))
    r_mat = np.zeros(batch + (system.size, d * circuit.n_nodes))
    fixed_v, fixed_t = system.fixed_voltage, system.fixed_temperature
    left_of = (None, None, None)  # (contact, row, B_rowᵀ K_a) of the previous block
    for c, row, col, end, sign in system.blocks:
        k_a, k_b = _ends_of(k[c])
        if left_of[:2] != (c, row):
            left_of = (c, row, _left(bases, row, k_a))  # B_rowᵀ K
        left = left_of[2] if end == 0 or k_b is k_a else _left(bases, row, k_b)
        rows = slice(width * pos[row], width * pos[row] + width)
        if pos[col] >= 0:
            a_mat[..., rows, width * pos[col]:width * pos[col] + width] += \
                sign * _right(bases, col, left)
        # the fixed part of a reservoir's state moves to the right-hand side
        if fixed_v[col]:
            r_mat[..., rows, d * col] -= sign * left[..., :, 0]
        if fixed_t[col]:
            r_mat[..., rows, d * col + 1] -= sign * left[..., :, 4]
    if node_terms:
        r_mat[..., system.source_rows, system.source_cols] += system.source_values
        a_mat[..., system.node_rows, system.node_cols] += system.node_values
    return a_mat, r_mat


def assemble_pump_source(circuit: Circuit, k: list, bases: dict, member: np.ndarray,
                         width: int = 8) -> np.ndarray:
    """Source S (p, wu, 3) of the padded balance rows per unit spin bias X⃗ (V) added to the
    state of the nodes ``member`` (n,) bool on their side of every contact that leaves them
    (spin pumping, physics.md §9): J_c gains K_a P (first end pumping) or −K_b P (second end),
    P = (0, X⃗, 0, 0⃗), and A y = R d + S X⃗. ``k`` and ``bases`` as in :func:`assemble_dense`."""
    system = kirchhoff_system(circuit, width)
    pos = system.position
    batch = (max(_ends_of(kc)[0].shape[0] for kc in k),) if k else (1,)
    batch = (max(batch[0], *(b.shape[0] for b in bases.values())),) if bases else batch
    s = np.zeros(batch + (system.size, 3))
    ends = circuit.ends
    for c, row, col, end, sign in system.blocks:
        if not member[col] or member[ends[c, 1 - end]]:
            continue  # only the pumping end, of a contact leaving the magnet
        left = _left(bases, row, _ends_of(k[c])[end])  # B_rowᵀ K
        s[..., width * pos[row]:width * pos[row] + width, :] -= sign * left[..., :, 1:4]
    return s


def pump_currents(circuit: Circuit, k: list, member: np.ndarray) -> np.ndarray:
    """(c, p, 8, 3) the part of every contact's current J (from its first end into its second)
    per unit spin bias X⃗ (V) on the side of the nodes ``member`` (n,) bool: K_a[:, 1:4] if the
    first end pumps, −K_b[:, 1:4] if the second does, 0 otherwise."""
    batch = max(_ends_of(kc)[0].shape[0] for kc in k) if k else 1
    out = np.zeros((circuit.n_contacts, batch, 8, 3))
    for c, (a, b) in enumerate(circuit.ends):
        if member[a] != member[b]:
            k_a, k_b = _ends_of(k[c])
            out[c] = k_a[..., :, 1:4] if member[a] else -k_b[..., :, 1:4]
    return out


def _project(k: np.ndarray, m_row: np.ndarray, ferro_row: np.ndarray, m_col: np.ndarray,
             ferro_col: np.ndarray) -> np.ndarray:
    """B_rowᵀ K B_col for a stack K (..., c, w, w), any leading axes (energies), where B is the
    identity except for the contacts whose row (column) end is an internal ferromagnet
    (``ferro_row``, ``ferro_col`` (c,)): its spin rows (columns) 1 and, at width 8, 5 project
    on m (c, 3). The elementwise form of the products, cheaper than 10⁵ small matrix products;
    the other spin rows and columns of a ferromagnet are inactive and left as they are."""
    out = k.copy()
    spin = (1, 5) if k.shape[-1] == 8 else (1,)
    sel = np.flatnonzero(ferro_row)
    if sel.size:
        ms = m_row[sel]
        for s in spin:
            out[..., sel, s, :] = np.einsum("ci,...cij->...cj", ms, k[..., sel, s:s + 3, :])
    sel = np.flatnonzero(ferro_col)
    if sel.size:
        ms = m_col[sel]
        for s in spin:
            out[..., sel, :, s:s + 1] = np.einsum("...cij,cj->...ci", out[..., sel, :, s:s + 3],
                                                  ms)[..., None]
    return out


def sparse_values(circuit: Circuit, k: tuple, m: np.ndarray, width: int = 8,
                  node_terms: bool = True):
    """Values of the compact system in the circuit's fixed pattern
    (:attr:`spincaloric.circuit.system.KirchhoffSystem.sparse` of this ``width``): A's data
    (..., a) and the drive map R's data (..., r), node terms and sources included unless
    ``node_terms`` is False (the part a set of contacts contributes, as in
    :func:`assemble_dense`).

    ``k`` is the pair (K_a, K_b), each (..., c, w, w) with any leading batch axes (the
    energies of the energy-resolved solver); ``m`` the node magnetizations (n, 3). Only the
    values of B_rowᵀ K B_column are computed, a chunk of contacts at a time, and summed into
    their slots, every batch point by the same one ``np.bincount``.
    """
    system = kirchhoff_system(circuit, width)
    pattern = system.sparse
    ends, ferro = system.ends, system.ferro_internal
    batch = k[0].shape[:-3]
    ww = width * width
    a_values, r_values = [], []
    for row_end, col_end, sign, a_flat, a_cut, r_flat, r_cut in pattern.groups:
        a_part = np.empty(batch + (len(a_flat),))
        r_part = np.empty(batch + (len(r_flat),))
        for chunk, start in enumerate(range(0, circuit.n_contacts, pattern.chunk)):
            sl = slice(start, start + pattern.chunk)
            rows, cols = ends[sl, row_end], ends[sl, col_end]
            values = _project(k[col_end][..., sl, :, :], m[rows], ferro[rows], m[cols],
                              ferro[cols])
            values = values.reshape(batch + (-1,))
            at = slice(a_cut[chunk], a_cut[chunk + 1])
            a_part[..., at] = sign * values[..., a_flat[at] - ww * start]
            # the fixed part of a reservoir's state moves to the drive map R
            at = slice(r_cut[chunk], r_cut[chunk + 1])
            r_part[..., at] = -sign * values[..., r_flat[at] - ww * start]
        a_values.append(a_part), r_values.append(r_part)
    a_data = scatter(pattern.a_slot, np.concatenate(a_values, axis=-1), len(pattern.a_indices))
    r_data = scatter(pattern.r_slot, np.concatenate(r_values, axis=-1), len(pattern.r_indices))
    if node_terms:
        a_data, r_data = a_data + pattern.a_constant, r_data + pattern.r_constant
    return a_data, r_data


def scatter(slot: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """(..., size): ``values`` (..., e) summed into their slots (e,), every batch point alike,
    by one ``np.bincount``."""
    batch = values.shape[:-1]
    points = int(np.prod(batch))
    if points == 1:
        return np.bincount(slot, values.reshape(-1), minlength=size).reshape(batch + (size,))
    where = (slot + size * np.arange(points)[:, None]).reshape(-1)
    return np.bincount(where, values.reshape(-1), minlength=points * size).reshape(
        batch + (size,))


def assemble_sparse(circuit: Circuit, k: tuple, m: np.ndarray):
    """Compact sparse system for one magnetization state: (A csc (u, u), R csr (u, 3n)).

    ``k`` is the pair (K_a, K_b) of :func:`stacked_responses`, each (c, 8, 8); ``m`` the node
    magnetizations (n, 3). The pattern is the circuit's fixed one
    (:attr:`spincaloric.circuit.system.KirchhoffSystem.sparse`); :func:`sparse_values` fills it.
    """
    import scipy.sparse as sp

    pattern = kirchhoff_system(circuit).sparse
    a_data, r_data = sparse_values(circuit, k, m)
    u = len(pattern.a_indptr) - 1
    a_mat = sp.csc_matrix((a_data, pattern.a_indices, pattern.a_indptr), shape=(u, u))
    r_mat = sp.csr_matrix((r_data, pattern.r_indices, pattern.r_indptr),
                          shape=(u, 3 * circuit.n_nodes))
    return a_mat, r_mat


# ---- solving ----------------------------------------------------------------------------------


def node_states(circuit: Circuit, y_pad: np.ndarray, mflat: np.ndarray, drives: np.ndarray):
    """Full states X (p, n, 8) from padded unknowns y_pad (p, u, 8) of the unknown nodes, drives
    (n, 3, p or 1) and magnetizations mflat (n, p or 1, 3) (for internal ferromagnets)."""
    batch = np.broadcast_shapes(y_pad.shape[:-2], drives.shape[2:])
    x = np.zeros(batch + (circuit.n_nodes, 8))
    dv = np.moveaxis(drives, (0, 1), (-2, -1))  # (p, n, 3)
    unknown = circuit.unknown_nodes
    x[..., unknown, :] = y_pad
    res = circuit.reservoir
    fixed_v = res & ~circuit.current_biased
    x[..., fixed_v, 0] = dv[..., fixed_v, 0]
    fixed_t = circuit.fixed_temperature
    x[..., fixed_t, 4] = dv[..., fixed_t, 1]
    ferro = circuit.ferromagnet[unknown] & ~circuit.reservoir[unknown]
    if ferro.any():
        nodes = unknown[ferro]
        m = np.moveaxis(mflat[nodes], 0, -2)  # (p or 1, f, 3)
        x[..., nodes, 1:4] = y_pad[..., ferro, 1:2] * m
        x[..., nodes, 5:8] = y_pad[..., ferro, 5:6] * m
    return x


def contact_currents(circuit: Circuit, k, x: np.ndarray) -> np.ndarray:
    """J (p, c, w) of every contact from states X (p, n, w) and K: a list of (p or 1, w, w)
    (or pairs (K_a, K_b) for tunnel junctions), one per contact, or a stacked pair (K_a, K_b),
    each (c, w, w) or batched (p, c, w, w) — :func:`stacked_responses` for a single
    magnetization state, the spectral conductances at every energy."""
    x_a, x_b = x[..., circuit.ends[:, 0], :], x[..., circuit.ends[:, 1], :]  # (p, c, w)
    if isinstance(k, tuple):
        if k[0] is k[1]:
            return np.einsum("...cij,...cj->...ci", k[0], x_a - x_b)
        return (np.einsum("...cij,...cj->...ci", k[0], x_a)
                - np.einsum("...cij,...cj->...ci", k[1], x_b))
    j = np.empty(x_a.shape)

    def apply(kc, xc):
        return np.einsum("pij,pj->pi", kc, xc) if kc.shape[0] > 1 else xc @ kc[0].T

    for c, kc in enumerate(k):
        if isinstance(kc, tuple):
            j[:, c] = apply(kc[0], x_a[:, c]) - apply(kc[1], x_b[:, c])
        else:
            j[:, c] = apply(kc, x_a[:, c] - x_b[:, c])
    return j


def balance_links(circuit: Circuit, x: np.ndarray, j: np.ndarray, m: np.ndarray,
                  drives: np.ndarray) -> np.ndarray:
    """Contact currents j (*B, c, 8) with those of the resistance-free links
    (:attr:`Circuit.ideal_links`) taken from the balance at one of their ends.

    A link's current is G ΔX with G ~10⁷ S and ΔX the difference of two node states that agree
    to ~10⁻¹³ of themselves: beside a tunnel barrier (~10⁻⁶ S) round-off leaves it good to
    ~10⁻³. Kirchhoff's law at an end with unknowns whose other contacts carry well-resolved
    currents gives it exactly: the components that end balances (all at a normal node; charge,
    the spin along m and heat at a ferromagnet) are replaced by minus the rest of the balance
    (:func:`~spincaloric.circuit.system.balance_residuals`); the spin current transverse to a
    ferromagnet's m, which no ferromagnetic balance contains, stays G ΔX (a spin accumulation
    itself, not a difference of nearly equal ones). Links of links are taken in turn, each from
    an end whose other links are done. x (*B, n, 8) states, m (*B, n, 3) magnetizations,
    drives (n, 3, *Bd) theory drives."""
    links = np.flatnonzero(circuit.ideal_links)
    if not links.size:
        return j
    system = kirchhoff_system(circuit)
    j = j.copy()
    vector = drive_vectors(drives)
    done = ~np.asarray(circuit.ideal_links, bool)
    pending = list(links)
    while pending:
        for c in pending:
            end = _balancing_end(circuit, system, done, c)
            if end is not None:
                break
        else:
            return j  # a closed loop of links, or links between reservoirs: G ΔX stays
        node = circuit.ends[c, end]
        residual = balance_residuals(system, x, j, m, vector, [node])[0][..., 0, :]
        if system.ferro_internal[node]:  # back from the balance rows to the 8 components
            mn = m[..., node, :]
            residual = np.concatenate([residual[..., :1], residual[..., 1:2] * mn,
                                       residual[..., 4:5], residual[..., 5:6] * mn], axis=-1)
        j[..., c, :] -= residual if end == 0 else -residual
        done[c] = True
        pending.remove(c)
    return j


def _balancing_end(circuit: Circuit, system, done: np.ndarray, c: int):
    """The end (0 or 1) of link ``c`` whose node has unknowns and whose other contacts are all
    done, or None."""
    for end in (0, 1):
        node = circuit.ends[c, end]
        if system.position[node] < 0:
            continue
        others = np.flatnonzero((circuit.ends == node).any(axis=1))
        if done[others[others != c]].all():
            return end
    return None


def _common_batch(mag, drives):
    """Broadcast magnetizations (n, *Bm, 3) and drives (n, 2, *Bd) to a shared layout.

    Returns (mflat (n, M, 3), dflat (n, 2, D), full shape, paired) where either M == 1 (one
    matrix, D drives), or D == 1 (M matrices, one drive), or M == D and point p of the
    magnetizations goes with point p of the drives (``paired``).
    """
    bm, bd = mag.shape[1:-1], drives.shape[2:]
    full = np.broadcast_shapes(bm, bd)
    m_points, d_points = int(np.prod(bm)), int(np.prod(bd))
    paired = m_points > 1 and d_points > 1
    if paired:
        mag = np.broadcast_to(_batch_axes(mag, 1, bm, full), (mag.shape[0],) + full + (3,))
        drives = np.broadcast_to(_batch_axes(drives, 2, bd, full), drives.shape[:2] + full)
    mflat = np.reshape(mag, (mag.shape[0], -1, 3))
    dflat = np.reshape(drives, drives.shape[:2] + (-1,))
    return mflat, dflat, full, paired


def _batch_axes(a, lead, batch, full):
    """Insert length-1 axes so that ``a``'s batch axes (after ``lead`` axes) align with ``full``."""
    extra = (1,) * (len(full) - len(batch))
    return a.reshape(a.shape[:lead] + extra + a.shape[lead:])


def _unpad(y, act, n_int):
    """Compact unknowns (P, u) -> padded (P, i, 8), zero where inactive."""
    y_pad = np.zeros((y.shape[0], n_int * 8))
    y_pad[:, act] = y
    return y_pad.reshape(y.shape[0], n_int, 8)


def _dense_solve(circuit, mag, drives, active, varying):
    """Batched dense path: returns (x (*B, n, 8), j (*B, c, 8))."""
    mflat, dflat, full, paired = _common_batch(mag, drives)
    internal = circuit.unknown_nodes
    n_int = len(internal)
    act = active[internal].reshape(-1)
    m_points = mflat.shape[1]
    if m_points == 1:
        # one matrix, many drives: the response to unit drives, then superposition
        k = stacked_responses(circuit, mflat[:, 0])  # (K_a, K_b), each (c, 8, 8)
        bases = node_bases(circuit, mflat, varying)
        a_pad, r_pad = assemble_dense(circuit, per_contact(circuit, k[0][:, None],
                                                            k[1][:, None]), bases)
        z = np.linalg.solve(a_pad[0][np.ix_(act, act)], r_pad[0][act])  # (u, 3n)
        y = drive_vectors(dflat) @ z.T  # (D, u)
        x = node_states(circuit, _unpad(y, act, n_int), mflat, dflat)
        j = contact_currents(circuit, k, x)
        return x.reshape(full + x.shape[-2:]), j.reshape(full + j.shape[-2:])

    # the feature form needs every K linear in φ of one varying magnet (a contact joining two
    # varying magnets is bilinear in them)
    groups = circuit.magnet_group[circuit.ends]
    coupled = (varying[circuit.ends].all(axis=1) & (groups[:, 0] != groups[:, 1])).any()
    if not coupled and not any(
            varying[n] for n in np.flatnonzero(circuit.ferromagnet & ~circuit.reservoir)):
        x, j = _dense_feature_solve(circuit, mflat, dflat, paired, active, varying)
    else:
        x, j = _dense_generic_solve(circuit, mflat, dflat, paired, active, varying)
    return x.reshape(full + x.shape[-2:]), j.reshape(full + j.shape[-2:])


def _chunks(circuit, total, n_int):
    per_point = 8 * ((8 * n_int) ** 2 + 2 * circuit.n_contacts * 64 + 16 * n_int * circuit.n_nodes)
    step = max(1, _CHUNK_BYTES // max(per_point, 1))
    for start in range(0, total, step):
        yield slice(start, min(start + step, total))


def _dense_generic_solve(circuit, mflat, dflat, paired, active, varying):
    """Any dense batch: K and node bases per point, assembled and solved chunk by chunk."""
    internal = circuit.unknown_nodes
    n_int = len(internal)
    act = active[internal].reshape(-1)
    m_points = mflat.shape[1]
    x = np.empty((m_points, circuit.n_nodes, 8))
    j = np.empty((m_points, circuit.n_contacts, 8))
    for sl in _chunks(circuit, m_points, n_int):
        msub = mflat[:, sl]
        dsub = dflat[:, :, sl] if paired else dflat  # (n, 2, p) or (n, 2, 1)
        k = contact_responses(circuit, msub, varying)  # list of (p or 1, 8, 8)
        bases = node_bases(circuit, msub, varying)
        a_pad, r_pad = assemble_dense(circuit, k, bases)
        rhs = (r_pad[:, act] @ drive_vectors(dsub)[..., None])[..., 0]  # (p, u)
        y = np.linalg.solve(a_pad[:, act][:, :, act], rhs[..., None])[..., 0]
        xs = node_states(circuit, _unpad(y, act, n_int), msub, dsub)
        x[sl] = xs
        j[sl] = contact_currents(circuit, k, xs)
    return x, j


def feature_system(circuit: Circuit, m_fixed: np.ndarray, feature: np.ndarray, coef: list,
                   magnets, act: np.ndarray, rows: np.ndarray | None = None):
    """A(m) = A_0 + Σ_f φ(m_f)·E_f, R(m) = R_0 + Σ_f φ(m_f)·F_f, φ = (1, m, m⊗m) of the varying
    magnets f (nodes ``magnets``; exact: K is linear in φ, the assembly in K). m_fixed
    (n, 1, 3): the other magnetizations; ``feature`` (c,) and ``coef``: the node each contact's
    K depends on (−1: none) and its coefficients, from :func:`feature_coefficients`; act (8u,):
    active unknowns; ``rows`` (default: the active ones) the padded balance rows to keep, in
    that order. Returns a0 (r, u'), r0 (r, 3n), e (k, 13, r, u'), f (k, 13, r, 3n) on the
    u' active unknowns and each contact's coefficients (zero (1, 8, 8) where nothing
    varies)."""
    rows = np.flatnonzero(act) if rows is None else np.asarray(rows)
    cols = np.flatnonzero(act)
    n = circuit.n_nodes
    bases = node_bases(circuit, m_fixed, np.zeros(n, bool))
    k_fixed = contact_responses(circuit, m_fixed, np.zeros(n, bool))
    zero = np.zeros((1, 8, 8))
    a0, r0 = assemble_dense(circuit, [zero if g >= 0 else k for k, g in zip(k_fixed, feature)],
                            bases)
    a0, r0 = a0[0][np.ix_(rows, cols)], r0[0][rows]
    k_of = [c if g >= 0 else zero for c, g in zip(coef, feature)]
    e = np.zeros((len(magnets), 13, len(rows), len(cols)))
    f = np.zeros((len(magnets), 13, len(rows), 3 * n))
    for j, node in enumerate(magnets):
        kf = [k if g == node else zero for k, g in zip(k_of, feature)]
        ej, fj = assemble_dense(circuit, kf, bases, node_terms=False)  # (13, 8i, 8i), (13, 8i, 3n)
        e[j] = ej[:, rows][:, :, cols]
        f[j] = fj[:, rows]
    return a0, r0, e, f, k_of


def _dense_feature_solve(circuit, mflat, dflat, paired, active, varying):
    """Dense batch whose internal ferromagnets are fixed: A(m) and R(m) of
    :func:`feature_system`; per point a few small matrix products and one dense solve."""
    internal = circuit.unknown_nodes
    n_int = len(internal)
    act = active[internal].reshape(-1)
    u = int(act.sum())
    m_first = mflat[:, :1]
    feature, coef = feature_coefficients(circuit, varying, mflat[:, 0])
    magnets = sorted({int(f) for f in feature if f >= 0})
    a0, r0, e, r, _ = feature_system(circuit, m_first, feature, coef, magnets, act)
    k_fixed = contact_responses(circuit, m_first, np.zeros_like(varying))
    m_points = mflat.shape[1]
    x = np.empty((m_points, circuit.n_nodes, 8))
    j = np.empty((m_points, circuit.n_contacts, 8))
    for sl in _chunks(circuit, m_points, n_int):
        dsub = dflat[:, :, sl] if paired else dflat
        dvec = drive_vectors(dsub)  # (p or 1, 3n)
        a = np.broadcast_to(a0.reshape(1, u * u), (sl.stop - sl.start, u * u)).copy()
        rhs = dvec @ r0.T  # (p or 1, u)
        phis = {}
        for f, ef, rf in zip(magnets, e.reshape(len(magnets), 13, u * u), r):
            phi = phis[f] = magnetization_features(mflat[f, sl])  # (p, 13)
            a += phi @ ef
            if dvec.shape[0] == 1:
                rhs = rhs + phi @ (rf @ dvec[0])  # (13, u) contracted
            else:
                rhs = rhs + np.einsum("pq,qud,pd->pu", phi, rf, dvec)
        rhs = np.broadcast_to(rhs, (a.shape[0], u))
        y = np.linalg.solve(a.reshape(len(a), u, u), rhs[..., None])[..., 0]  # u may be 0
        xs = node_states(circuit, _unpad(y, act, n_int), m_first, dsub)
        x[sl] = xs
        k = [k_fixed[c] if f < 0 else _featured(phis[f], coef[c]) for c, f in enumerate(feature)]
        j[sl] = contact_currents(circuit, k, xs)
    return x, j


def _featured(phi: np.ndarray, coef):
    """K (p, 8, 8) = φ · C of features φ (p, 13) and coefficients C (13, 8, 8), or the pair
    of a two-port."""
    if isinstance(coef, tuple):
        return tuple(_featured(phi, c) for c in coef)
    return (phi @ coef.reshape(13, 64)).reshape(-1, 8, 8)


def _sparse_solve(circuit, mag, drives, active, varying):
    """Sparse LU path: one factorisation per magnetization state, reused for all its drives."""
    from scipy.sparse.linalg import splu

    mflat, dflat, full, paired = _common_batch(mag, drives)
    internal = circuit.unknown_nodes
    n_int = len(internal)
    act = active[internal].reshape(-1)
    x_all, j_all = [], []
    for p in range(mflat.shape[1]):
        mp = mflat[:, p:p + 1]
        k = stacked_responses(circuit, mp[:, 0])  # (K_a, K_b), each (c, 8, 8)
        a_mat, r_mat = assemble_sparse(circuit, k, mp[:, 0])
        d = dflat[:, :, p:p + 1] if paired else dflat
        rhs = np.asarray(r_mat @ drive_vectors(d).T)  # (u, D)
        # the pattern is structurally symmetric: minimum degree on Aᵀ+A orders it well
        y = splu(a_mat, permc_spec="MMD_AT_PLUS_A").solve(rhs).T  # (D, u)
        x = node_states(circuit, _unpad(y, act, n_int), mp, d)
        x_all.append(x)
        j_all.append(contact_currents(circuit, k, x))
    x, j = np.concatenate(x_all), np.concatenate(j_all)
    return x.reshape(full + x.shape[-2:]), j.reshape(full + j.shape[-2:])


def solve_circuit(circuit: Circuit, magnetization, voltage, temperature, current=None,
                  method="auto", heat=None):
    """Solve ``circuit`` for the given overrides; see :meth:`Circuit.solve`."""
    if not isinstance(method, str) or method not in ("auto", "dense", "sparse"):
        raise DeviceError("method", f"must be 'auto', 'dense' or 'sparse', got {method!r}")
    given = {"voltage": voltage, "temperature": temperature,
             "current": {} if current is None else current, "heat": {} if heat is None else heat}
    mag = _override_magnetizations(circuit, magnetization)
    try:
        drives = drive_layout(circuit).drives(given)
    except DeviceError:
        raise
    except ValueError:  # valid overrides whose batch shapes do not broadcast: named here
        _check_batch(given, magnetization)
        raise
    _check_batch(given, magnetization)
    active = active_components(circuit)
    if method == "auto":
        method = "dense" if active.sum() <= DENSE_LIMIT else "sparse"
    solver = _dense_solve if method == "dense" else _sparse_solve
    varying = np.zeros(circuit.n_nodes, bool)
    for name, v in magnetization.items():
        node = circuit.index[circuit.magnet_node(name)]
        varying[circuit.magnet_group == circuit.magnet_group[node]] = np.size(v) > 3
    try:
        with np.errstate(all="ignore"):  # an overflow is refused below, naming its input
            x, j = solver(circuit, mag, drives, active, varying)
    except (np.linalg.LinAlgError, RuntimeError):  # splu: "Factor is exactly singular"
        raise _singular(circuit) from None
    full = x.shape[:-2]
    mag = _batch_axes(mag, 1, mag.shape[1:-1], full)
    mag_full = np.moveaxis(np.broadcast_to(mag, (mag.shape[0],) + full + (3,)), 0, -2)
    j = balance_links(circuit, x, j, mag_full, drives)
    solution = Solution(circuit, x, j, mag_full)
    _refuse_unphysical(circuit, solution, drives, solver, active, given)
    warn_beyond_linear_response(*solution_extremes(x), circuit.temperature)
    _warn_imprecise(circuit, x, j, mag_full, drives)
    return solution


def _check_batch(given: dict, magnetization: Mapping) -> None:
    """A DeviceError naming the first override whose batch shape (a magnetization's without
    its last axis) does not broadcast with those before it."""
    shape, first = (), None
    named = [(f"{q}.{name}", np.shape(v)) for q, table in given.items()
             for name, v in table.items()]
    named += [(f"magnetization.{name}", np.shape(v)[:-1]) for name, v in magnetization.items()]
    for where, s in named:
        try:
            shape = np.broadcast_shapes(shape, s)
        except ValueError:
            raise DeviceError(where, f"its batch shape {s} does not broadcast with "
                              f"{first}'s {shape}") from None
        first = first or where


class SingularCircuitError(DeviceError, np.linalg.LinAlgError):
    """The Kirchhoff equations of a circuit are singular in double precision."""


def _conductances(circuit: Circuit) -> np.ndarray:
    """(c,) the charge conductance (S) of every contact, from its kind."""
    g = np.zeros(circuit.n_contacts)
    for kind in circuit.kinds:
        g[kind.contacts] = kind.conductance
    return g


def _singular(circuit: Circuit) -> SingularCircuitError:
    """The error of a circuit whose equations are singular: it names the contact of the
    largest conductance and the ratio to the smallest (beyond ~1e16 they cannot be solved
    together)."""
    g = _conductances(circuit)
    if not g.size:
        return SingularCircuitError("contacts", "the circuit's equations are singular")
    big, small = int(np.argmax(g)), int(np.argmin(g))
    if g[small] > 0 and g[big] / g[small] < 1e12:  # not a matter of precision: of structure
        return SingularCircuitError("contacts", "the circuit's equations are singular: some "
                                    "state is not determined by them (a contact that "
                                    "conducts neither charge nor spin, or a part joined to "
                                    "no reservoir through a channel)")
    return SingularCircuitError(
        circuit.contact_labels[big], f"its conductance {g[big]:.3g} S is {g[big] / g[small]:.2g} "
        f"times that of {circuit.contact_labels[small]} ({g[small]:.3g} S): the circuit's "
        "equations are singular in double precision")


class PrecisionWarning(UserWarning):
    """The currents of a solve are resolved worse than :data:`PRECISION` of themselves."""


#: Largest relative imbalance at a node (|residual| over the gross of its balance, component
#: by component) that a solve passes without a :class:`PrecisionWarning`, and the span of
#: conductances (largest over smallest) below which round-off cannot reach it.
PRECISION, PRECISION_SPAN = 1e-6, 1e10
#: A charge balance worse than this is no solution: the solve is refused
#: (:class:`SingularCircuitError`).
UNRESOLVED = 1e-2
#: The quantity each of the 8 components balances.
_BALANCED = ("charge", "spin", "spin", "spin", "heat", "spin heat", "spin heat", "spin heat")


def _warn_imprecise(circuit: Circuit, x: np.ndarray, j: np.ndarray, m: np.ndarray,
                    drives: np.ndarray) -> None:
    """Warn when the conductances span more than :data:`PRECISION_SPAN` and a balance of an
    internal node — charge, spin, heat, spin heat, each exact in a solution — holds worse than
    :data:`PRECISION` of its gross (:func:`~spincaloric.circuit.system.balance_residuals`,
    judged against at least 10⁻⁶ of the largest current of that component in the solve, so
    that currents that vanish — an open circuit's — are not judged by their round-off): a
    contact of ~10⁷ S beside a tunnel barrier carries a current G ΔV at the round-off of
    potentials equal to 16 digits (the resistance-free links of joints without an interface
    are spared: :func:`balance_links`). x (*B, n, 8) states, j (*B, c, 8) currents,
    m (*B, n, 3) magnetizations, drives (n, 3, *Bd) theory drives. Charge balanced worse than
    :data:`UNRESOLVED`: the currents are no solution, :class:`SingularCircuitError`."""
    if not circuit.n_contacts or not len(circuit.internal):
        return
    g = _conductances(circuit)
    span = g.max() / g[g > 0].min() if np.any(g > 0) else 1.0
    if not span > PRECISION_SPAN:
        return
    system = kirchhoff_system(circuit)
    residual, gross = balance_residuals(system, x, j, m, drive_vectors(drives))
    floor = 1e-6 * np.abs(j).max(axis=-2, keepdims=True, initial=0.0)  # (*B, 1, 8)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(gross > 0, np.abs(residual) / np.maximum(gross, floor), 0.0)
    worst, node, quantity = _worst_balance(circuit, system, ratio)
    if not worst > PRECISION:  # NaN included: refused elsewhere, naming its input
        return
    charge, charge_node, _ = _worst_balance(circuit, system, ratio[..., :1])
    if charge > UNRESOLVED:
        big, small = int(np.argmax(g)), int(np.argmin(np.where(g > 0, g, np.inf)))
        raise SingularCircuitError(
            circuit.contact_labels[big], f"its conductance {g[big]:.3g} S is "
            f"{g[big] / g[small]:.2g} times that of {circuit.contact_labels[small]} "
            f"({g[small]:.3g} S): double precision does not resolve the currents (charge "
            f"balances at node {charge_node!r} only to {charge:.1g} of the currents through it)")
    warnings.warn(f"{quantity} balances at node {node!r} only to {worst:.1g} of the currents "
                  f"through it: the circuit's conductances span {span:.1g}, more than double "
                  "precision resolves in series, and the currents of its stiffest contacts "
                  "are that imprecise; give such contacts their physical conductance",
                  PrecisionWarning, stacklevel=user_stacklevel())


def _worst_balance(circuit: Circuit, system, ratio: np.ndarray) -> tuple[float, str, str]:
    """(largest ratio, its node, the quantity it balances) of ratio (*B, u, components)."""
    worst = float(np.nanmax(ratio, initial=0.0))
    if not worst > 0:
        return worst, "", ""
    where = np.unravel_index(np.nanargmax(ratio), ratio.shape)
    return worst, circuit.names[system.unknown[where[-2]]], _BALANCED[where[-1]]


def _refuse_unphysical(circuit: Circuit, solution, drives, solver, active, given) -> None:
    """Raise :class:`DeviceError` if a state, a current or the entropy production of
    ``solution`` is not a finite number, or an absolute node temperature is not positive,
    naming the drive (an input of ``given``, else the device's node) that does it most.

    The response is linear in the drives: at the first failing point of the batch each
    non-zero drive (n, 3, ...) is solved alone, and the one with the largest (for a
    temperature, the most negative) contribution is named."""
    x, j = solution.states, solution.currents
    with np.errstate(all="ignore"):
        temps = circuit.temperature + x[..., 4]
        bad = ~(np.isfinite(x).all(axis=(-2, -1)) & np.isfinite(j).all(axis=(-2, -1))
                & np.isfinite(solution.entropy_production))
        cold = (temps <= 0).any(axis=-1) & ~bad
    if not (bad.any() or cold.any()):
        return
    point = np.unravel_index(int(np.flatnonzero((bad | cold).ravel())[0]), bad.shape)
    full = x.shape[:-2]
    d = np.broadcast_to(_batch_axes(drives, 2, drives.shape[2:], full), drives.shape[:2] + full)
    d = d[(slice(None), slice(None)) + point]  # (n, 3)
    m = np.moveaxis(solution.magnetizations, -2, 0)[(slice(None),) + point]  # (n, 3)
    entries = np.argwhere(d != 0)
    one = np.zeros(d.shape + (len(entries),))
    one[entries[:, 0], entries[:, 1], np.arange(len(entries))] = d[entries[:, 0], entries[:, 1]]
    with np.errstate(all="ignore"):
        xk, jk = solver(circuit, m, one, active, np.zeros(circuit.n_nodes, bool))
    if cold[point]:
        node = int(np.argmin(temps[point]))
        k = int(np.argmin(xk[:, node, 4]))
        reason = (f"drives the temperature of node {circuit.names[node]} to "
                  f"{float(temps[point][node]):.3g} K (an absolute temperature must stay "
                  "positive)")
    else:
        size = np.nan_to_num(np.abs(np.concatenate([xk.reshape(len(entries), -1),
                                                    jk.reshape(len(entries), -1)], axis=1)),
                             nan=np.inf).max(axis=1, initial=0.0)
        k = int(np.argmax(size)) if len(entries) else 0
        reason = ("drives the solution beyond the floating-point range (a potential, a "
                  "current or the entropy production overflows)")
    if not len(entries):
        raise DeviceError("nodes", "the circuit has no finite solution")
    i, q = entries[k]
    name = circuit.names[i]
    quantity = ("voltage", "temperature", "current" if circuit.reservoir[i] else "heat")[q]
    value = to_boundary(quantity, d[i, q], circuit.temperature)
    field = f"{quantity}.{name}" if name in given[quantity] else f"nodes.{name}.{quantity}"
    raise DeviceError(field, f"{float(value):.3g} {UNITS[quantity]} {reason}")


def _backend(method: str):
    def solve(circuit, magnetization, voltage, temperature, current, heat, **options):
        for name in options:
            raise DeviceError(name, f"not an option of the {method!r} back end (linear "
                              "response takes none)")
        return solve_circuit(circuit, magnetization, voltage, temperature, current, method, heat)

    solve.__doc__ = f"The {method!r} back end of :meth:`Circuit.solve` (linear response)."
    return solve


for _method in ("auto", "dense", "sparse"):
    register(_method, _backend(_method))
