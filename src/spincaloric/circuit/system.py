"""One description of a circuit's Kirchhoff equations (physics.md §3), built once per circuit.

Every node carries a padded state of 8 theory variables X = (V_c, V⃗_s, T_c − T, T⃗_s); an
internal node's state is X_n = B_n y_n with y_n its padded unknowns (B_n = 1 for a normal node,
for a ferromagnet its spin columns are parallel to m). A contact (a, b) carries
J = K_a X_a − K_b X_b out of a and into b (K_a = K_b = K except for a tunnel junction), and the
balance of an unknown node n is B_nᵀ Σ (outgoing J) + (node terms) = (sources).

:class:`KirchhoffSystem` holds what does not depend on the magnetizations or the drives:

* the contact blocks: for every contact, every end whose node has unknowns (the balance row)
  and both ends (the column), the sign and which end's K enters, B_rowᵀ K B_column;
* the node terms, constant conductances on a node's own block: spin flip G_sf on V⃗_s, the bath
  G_ph on T − T0, the spin-heat sink on T⃗_s, and the Hanle precession −[Ω⃗×] on V⃗_s
  (−L0 T [Ω⃗×] on T⃗_s);
* the drive columns (V_r, T_r − T0, I_r) of every node r: the fixed voltage of a voltage-biased
  reservoir and the fixed temperature of any reservoir move to the right-hand side through the
  contacts; the conventional current injected by a current-biased reservoir (−1 in its charge
  balance) and the heat (W) deposited in an internal node (+1 in its energy balance) are
  sources;
* for sparse solvers, the entries of the compact (active-unknown) system in a fixed compressed
  sparse column pattern, with the map from each entry to its slot, so that a solve at one
  magnetization only computes values and sums them into place.

At ``width = 4`` the same pattern holds the energy-resolved balance at one energy
(:mod:`spincaloric.solvers.spectral`): node states x = (f_c, f⃗_↑−↓), node terms G_sf and
−[Ω⃗×] on f⃗_↑−↓, every reservoir fixed (its f_c deviation the node's one drive column), no
sources: energy resolution replaces the heat and spin-heat balances.

The solvers (:mod:`spincaloric.solvers.linear`, :mod:`spincaloric.solvers.spectral`) fill values
into this description; they hold no copy of the equations.
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..constants import LORENZ
from .contacts import cross_matrix

if TYPE_CHECKING:
    from .device import Circuit


def active_components(circuit: Circuit, width: int = 8) -> np.ndarray:
    """(n, width) bool mask of the padded unknowns that are solved for: voltage-biased
    reservoirs have none, a current-biased reservoir only its voltage, a temperature state
    (:meth:`Circuit.with_temperature_states`) all but its temperature, a lattice node only its
    temperature (width 8; at width 4 every reservoir is fixed)."""
    ni = circuit.regime in ("noninteracting", "spectral")
    normal = np.array([1, 1, 1, 1, 1, ni, ni, ni], bool)[:width]
    ferro = np.array([1, 1, 0, 0, 1, ni, 0, 0], bool)[:width]
    mask = np.where(circuit.ferromagnet[:, None], ferro, normal)
    mask[circuit.lattice] = np.arange(width) == 4  # a lattice: its temperature alone
    mask[circuit.reservoir] = False
    mask[circuit.current_biased & (width == 8), 0] = True
    if width == 8:  # a temperature state is given, not solved
        mask[circuit.temperature_state, 4] = False
    return mask


#: Contacts whose values a sparse solver computes at a time: keeps temporaries small.
CHUNK = 8192


@dataclass(frozen=True)
class SparsePattern:
    """The compact system in compressed form: A (u, u) in CSC, the drive map R (u, 3n) in CSR.

    ``groups`` lists, for every (row end, column end) pair of the contacts, the sign and the
    flat positions (contact·w² + i·w + j, in contact order, w the system's width) of the
    entries of B_rowᵀ K B_column that enter A and R, and where each run of ``chunk`` contacts
    starts in them.
    Entry e of all groups in turn goes to slot ``a_slot[e]`` of A's data (``r_slot[e]`` of R's);
    the node terms and sources are the constant parts ``a_constant``, ``r_constant`` (already
    in their slots).
    """

    a_indices: np.ndarray
    a_indptr: np.ndarray
    r_indices: np.ndarray
    r_indptr: np.ndarray
    groups: tuple
    a_slot: np.ndarray
    r_slot: np.ndarray
    chunk: int
    a_constant: np.ndarray
    r_constant: np.ndarray

    @property
    def unknowns(self) -> int:
        """Number of compact unknowns u."""
        return len(self.a_indptr) - 1

    def slots(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Slots in A's data of the compact entries (rows, cols); −1 where A has none (every
        active entry of a node's diagonal block has one)."""
        import scipy.sparse as sp

        u = self.unknowns
        where = sp.csc_matrix((np.arange(1, len(self.a_indices) + 1), self.a_indices,
                               self.a_indptr), shape=(u, u))
        return np.asarray(where[np.asarray(rows), np.asarray(cols)]).reshape(-1) - 1

    @functools.cached_property
    def column_order(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A fill-reducing column order of A, from its pattern alone, computed once: (order,
        take, indptr) — new column q is old column ``order[q]``; A's data in that order is
        ``data[..., take]``, its row indices ``a_indices[take]``, its column pointers
        ``indptr``. SuperLU's minimum degree on Aᵀ + A (the pattern is structurally
        symmetric), postordered by its column elimination tree, as ``splu`` computes it; a
        factorisation of the reordered A with ``permc_spec="NATURAL"`` then skips the
        ordering (SuperLU's partial pivoting is numeric and stays per factorisation)."""
        import scipy.sparse as sp
        from scipy.sparse.linalg import splu

        u = self.unknowns
        counts = np.diff(self.a_indptr)
        # any non-singular values on the pattern: a dominant diagonal
        data = np.ones(len(self.a_indices))
        probe = sp.csc_matrix((data, self.a_indices, self.a_indptr), shape=(u, u))
        probe = probe + sp.identity(u, format="csc") * (1.0 + counts.max(initial=0))
        order = np.argsort(splu(probe.tocsc(), permc_spec="MMD_AT_PLUS_A").perm_c)
        indptr = _exclusive_cumsum(counts[order])
        take = np.repeat(self.a_indptr[order] - indptr[:-1], counts[order]) + np.arange(
            indptr[-1])
        return order, take, indptr


@dataclass(frozen=True, eq=False)
class KirchhoffSystem:
    """The block pattern of one circuit's Kirchhoff equations (see the module docstring).

    Padded unknowns are numbered ``width``·(position of the node in ``unknown``) + component
    (width 8: (V_c, V⃗_s, T_c − T, T⃗_s); width 4: (f_c, f⃗_↑−↓) at one energy); the compact
    numbering keeps the active ones (``act``) in the same order. A node has ``drives`` drive
    columns: component 0 of a ``fixed_voltage`` node's state enters column 0 of its drives,
    component 4 of a ``fixed_temperature`` node's column 1.

    Contact blocks, in assembly order (contact, row end, column end), as parallel arrays:
    ``block_contact``, ``block_row`` / ``block_col`` (node indices), ``block_end`` (0: the
    column is the first end, its K is K_a; 1: the second end, K_b) and ``block_sign`` (+1 when
    row and column are the same end, else −1).
    """

    width: int
    drives: int
    n_nodes: int
    unknown: np.ndarray
    position: np.ndarray
    active: np.ndarray
    act: np.ndarray
    ends: np.ndarray
    ferro_internal: np.ndarray
    fixed_voltage: np.ndarray
    fixed_temperature: np.ndarray
    block_contact: np.ndarray
    block_row: np.ndarray
    block_col: np.ndarray
    block_end: np.ndarray
    block_sign: np.ndarray
    node_rows: np.ndarray
    node_cols: np.ndarray
    node_values: np.ndarray
    source_rows: np.ndarray
    source_cols: np.ndarray
    source_values: np.ndarray

    @property
    def size(self) -> int:
        """Number of padded unknowns (``width`` per node with unknowns)."""
        return self.width * len(self.unknown)

    @functools.cached_property
    def blocks(self) -> list:
        """The contact blocks as (contact, row, column, end, sign) tuples of Python numbers."""
        return list(zip(self.block_contact.tolist(), self.block_row.tolist(),
                        self.block_col.tolist(), self.block_end.tolist(),
                        self.block_sign.tolist()))

    @functools.cached_property
    def sparse(self) -> SparsePattern:
        """The fixed CSC/CSR pattern of the compact system (computed on first use)."""
        return _sparse_pattern(self)


_SYSTEMS: weakref.WeakKeyDictionary[Circuit, dict] = weakref.WeakKeyDictionary()


def kirchhoff_system(circuit: Circuit, width: int = 8) -> KirchhoffSystem:
    """The :class:`KirchhoffSystem` of ``circuit`` with ``width`` components per node (8 or 4),
    built on first use and cached."""
    systems = _SYSTEMS.setdefault(circuit, {})
    system = systems.get(width)
    if system is None:
        system = systems[width] = _build(circuit, width)
    return system


def _build(circuit: Circuit, width: int) -> KirchhoffSystem:
    full = width == 8  # width 4: no current-biased unknowns, no heat balance, no sources
    unknown = circuit.unknown_nodes if full else circuit.internal
    position = -np.ones(circuit.n_nodes, np.intp)
    position[unknown] = np.arange(len(unknown))
    active = active_components(circuit, width)
    # blocks (contact, row end, column end) in that order; rows only where the node has unknowns
    c = circuit.n_contacts
    rows = np.broadcast_to(circuit.ends[:, :, None], (c, 2, 2))
    cols = np.broadcast_to(circuit.ends[:, None, :], (c, 2, 2))
    keep = position[rows] >= 0
    end = np.broadcast_to(np.arange(2), (c, 2, 2))
    sign = np.where(np.eye(2, dtype=bool), 1.0, -1.0)
    node_rows, node_cols, node_values = _node_terms(circuit, position, width)
    biased, internal = ((np.flatnonzero(circuit.current_biased), circuit.internal) if full
                        else (np.zeros(0, np.intp),) * 2)
    # the bath of a temperature state acts on a given temperature: a drive entry −G_ph
    held = np.flatnonzero(circuit.temperature_state) if full else np.zeros(0, np.intp)
    return KirchhoffSystem(
        width=width, drives=3 if full else 1,
        n_nodes=circuit.n_nodes, unknown=unknown, position=position, active=active,
        act=active[unknown].reshape(-1), ends=circuit.ends,
        ferro_internal=circuit.ferromagnet & ~circuit.reservoir,
        fixed_voltage=circuit.reservoir & ~circuit.current_biased if full else circuit.reservoir,
        fixed_temperature=(circuit.fixed_temperature if full
                           else np.zeros(circuit.n_nodes, bool)),
        block_contact=np.broadcast_to(np.arange(c)[:, None, None], (c, 2, 2))[keep],
        block_row=rows[keep], block_col=cols[keep], block_end=end[keep],
        block_sign=np.broadcast_to(sign, (c, 2, 2))[keep],
        node_rows=node_rows, node_cols=node_cols, node_values=node_values,
        # a current-biased reservoir's charge balance: outflow (theory current) = −I_conventional;
        # an internal node's energy balance: heat outflow = heat deposited (W)
        source_rows=np.concatenate([8 * position[biased], 8 * position[internal] + 4,
                                    8 * position[held] + 4]),
        source_cols=np.concatenate([3 * biased + 2, 3 * internal + 2, 3 * held + 1]),
        source_values=np.concatenate([-np.ones(len(biased)), np.ones(len(internal)),
                                      -circuit.bath[held]]))


def balance_residuals(system: KirchhoffSystem, x: np.ndarray, j: np.ndarray, m: np.ndarray,
                      drive_vector: np.ndarray, nodes=None) -> tuple[np.ndarray, np.ndarray]:
    """The balances of the nodes with unknowns at a solution, (residual, gross), each
    (*B, s, width) for the s ``nodes`` (indices of nodes with unknowns; all of them by
    default): residual = B_nᵀ Σ (outgoing J) + (node terms) − (sources), zero on inactive
    components; gross = the same sum of magnitudes (|J| per component, a ferromagnet's spin
    row Σ|J⃗_s|; |node terms|, |sources|), the scale its round-off is judged against. x (*B, n,
    width) states, j (*B, c, width) contact currents out of their first end, m (*B, n, 3)
    magnetizations, drive_vector (*B, drives·n) (theory variables, :func:`~spincaloric.circuit.
    drives.drive_vectors`). A solution makes the residual vanish to round-off of the gross."""
    w, unknown = system.width, system.unknown
    batch = np.broadcast_shapes(x.shape[:-2], j.shape[:-2], m.shape[:-2],
                                drive_vector.shape[:-1])
    flow = np.zeros((system.n_nodes,) + batch + (w,))
    gross = np.zeros_like(flow)
    jc = np.moveaxis(np.broadcast_to(j, batch + j.shape[-2:]), -2, 0)  # (c, *B, w)
    for end, sign in ((0, 1.0), (1, -1.0)):
        np.add.at(flow, system.ends[:, end], sign * jc)
        np.add.at(gross, system.ends[:, end], np.abs(jc))
    flow = np.moveaxis(flow[unknown], 0, -2)  # (*B, u, w)
    gross = np.moveaxis(gross[unknown], 0, -2)
    y = np.broadcast_to(x, batch + x.shape[-2:])[..., unknown, :].copy()
    ferro = np.flatnonzero(system.ferro_internal[unknown])
    if ferro.size:  # B_nᵀ: the spin rows projected on m, the states along m
        mf = np.broadcast_to(m, batch + m.shape[-2:])[..., unknown[ferro], :]
        for first in (1, 5)[:w // 4]:
            spin = slice(first, first + 3)
            for a in (flow, y):
                a[..., ferro, first] = np.einsum("...i,...i", a[..., ferro, spin], mf)
                a[..., ferro, first + 1:first + 3] = 0.0
            gross[..., ferro, first] = gross[..., ferro, spin].sum(axis=-1)
            gross[..., ferro, first + 1:first + 3] = 0.0
    flat_shape = batch + (len(unknown) * w,)
    y, flow, gross = y.reshape(flat_shape), flow.reshape(flat_shape), gross.reshape(flat_shape)
    terms = system.node_values * y[..., system.node_cols]
    given = -system.source_values * np.broadcast_to(
        drive_vector, batch + drive_vector.shape[-1:])[..., system.source_cols]
    for rows, values in ((system.node_rows, terms), (system.source_rows, given)):
        np.add.at(np.moveaxis(flow, -1, 0), rows, np.moveaxis(values, -1, 0))
        np.add.at(np.moveaxis(gross, -1, 0), rows, np.moveaxis(np.abs(values), -1, 0))
    shape = batch + (len(unknown), w)
    active = system.active[unknown]
    flow = np.where(active, flow.reshape(shape), 0.0)
    gross = np.where(active, gross.reshape(shape), 0.0)
    if nodes is not None:
        at = system.position[np.asarray(nodes)]
        flow, gross = flow[..., at, :], gross[..., at, :]
    return flow, gross


def _node_terms(circuit: Circuit, position: np.ndarray, width: int):
    """Padded (row, column, conductance) of the node terms of every node with unknowns: spin
    flip G_sf on V⃗_s and the Hanle precession −[Ω⃗×] V⃗_s (antisymmetric); at width 8 also
    the bath G_ph on T − T0, on T⃗_s the spin-heat sink L0 T G_sf + spin_heat_relaxation and
    the precession −L0 T [Ω⃗×] T⃗_s (at width 4 the same spin flip and precession act on
    f⃗_↑−↓ at every energy). Entries on inactive unknowns (T⃗_s when thermalized, a
    ferromagnet's transverse spin) are kept: solvers drop inactive rows and columns."""
    nodes = np.flatnonzero(position >= 0)
    bath = circuit.bath
    nodes = nodes[(circuit.spin_flip[nodes] != 0) | (bath[nodes] != 0)
                  | (circuit.spin_heat_sink[nodes] != 0) | circuit.precession[nodes].any(axis=1)]
    block = np.zeros((len(nodes), width, width))
    spin = np.arange(1, 4)
    block[:, spin, spin] = circuit.spin_flip[nodes, None]
    precession = -cross_matrix(circuit.precession[nodes])  # (u, 3, 3)
    block[:, 1:4, 1:4] += precession
    if width == 8:  # a temperature state's bath is a drive entry (:func:`_build`)
        block[:, 4, 4] = np.where(circuit.temperature_state[nodes], 0.0, bath[nodes])
        block[:, spin + 4, spin + 4] = circuit.spin_heat_sink[nodes, None]
        block[:, 5:8, 5:8] += LORENZ * circuit.temperature * precession
    u, i, j = np.nonzero(block)
    base = width * position[nodes[u]]
    return base + i, base + j, block[u, i, j]


def _sparse_pattern(system: KirchhoffSystem) -> SparsePattern:
    """Entries of the compact A and R, their compressed patterns and the slot of every entry.

    A's pattern is laid out block by block: node q's columns hold, for every node r that shares
    a block with q (in node order), the active rows of r, so the slot of an entry follows from
    the block's offset in its column without sorting the entries."""
    n, u, w = system.n_nodes, int(system.act.sum()), system.width
    compact = -np.ones(system.size, np.intp)
    compact[system.act] = np.arange(u)
    index = -np.ones((n, w), np.intp)  # compact unknown of (node, component), −1 if none
    index[system.unknown] = compact.reshape(-1, w)
    n_active = (index >= 0).sum(axis=1)
    start = _exclusive_cumsum(n_active)[:-1]  # compact index of a node's first unknown
    ends = system.ends
    # the (column node, row node) blocks of A, in CSC order; every node with unknowns has its
    # diagonal block (node terms, and the probes of the energy-resolved solver, enter it)
    term_nodes = system.unknown
    keys = np.unique(np.concatenate([ends[:, [0, 0, 1, 1]].T.ravel() * n
                                     + ends[:, [0, 1, 0, 1]].T.ravel(), term_nodes * (n + 1)]))
    pair_col, pair_row = keys // n, keys % n
    length = np.bincount(pair_col, weights=n_active[pair_row], minlength=n).astype(np.intp)
    in_list = _exclusive_cumsum(n_active[pair_row])  # rows of all blocks, block after block
    offset = in_list[:-1] - _exclusive_cumsum(length)[pair_col]  # block's offset in its column
    col_node = np.repeat(np.arange(n), n_active)  # node of each compact column
    indptr = np.append(_exclusive_cumsum(n_active * length)[col_node]
                       + (np.arange(u) - start[col_node]) * length[col_node],
                       int((n_active * length).sum()))
    row_list = np.repeat(start[pair_row] - in_list[:-1], n_active[pair_row]) + np.arange(
        in_list[-1])
    first = _exclusive_cumsum(length)[col_node]
    indices = row_list[np.repeat(first - indptr[:-1], length[col_node])
                       + np.arange(indptr[-1])].astype(np.int32)

    def slot(block, col, row, j, i):
        """Slot in A's data of entry (row node, component i; column node, component j) of
        block number ``block``."""
        return indptr[index[col, j]] + offset[block] + (index[row, i] - start[row])

    groups, a_slots, r_rows, r_cols = [], [], [], []
    ww = w * w
    chunk_starts = np.arange(0, len(ends) + CHUNK, CHUNK) * ww  # contact runs, flat positions
    flat_type = np.int32 if ww * len(ends) < 2**31 else np.int64
    for row_end, col_end in ((0, 0), (0, 1), (1, 0), (1, 1)):
        rows, cols = ends[:, row_end], ends[:, col_end]
        rg, cg = index[rows], index[cols]  # (c, w)
        a_flat = np.flatnonzero(((rg >= 0)[:, :, None] & (cg >= 0)[:, None, :]).ravel())
        con, i, j = a_flat // ww, (a_flat // w) % w, a_flat % w
        block = np.searchsorted(keys, cols * n + rows)[con]
        a_slots.append(slot(block, cols[con], rows[con], j, i))
        # the fixed voltage (component 0) and temperature (4, width 8) of a reservoir column
        r_mask = np.zeros(rg.shape + (w,), bool)
        r_mask[:, :, 0] = (rg >= 0) & system.fixed_voltage[cols][:, None]
        if w == 8:
            r_mask[:, :, 4] = (rg >= 0) & system.fixed_temperature[cols][:, None]
        r_flat = np.flatnonzero(r_mask.ravel())
        con, i, j = r_flat // ww, (r_flat // w) % w, r_flat % w
        r_rows.append(rg[con, i]), r_cols.append(system.drives * cols[con] + (j == 4))
        groups.append((row_end, col_end, 1.0 if row_end == col_end else -1.0,
                       a_flat.astype(flat_type), np.searchsorted(a_flat, chunk_starts),
                       r_flat.astype(flat_type), np.searchsorted(r_flat, chunk_starts)))
    keep = system.act[system.node_rows] & system.act[system.node_cols]
    rows, cols = system.node_rows[keep], system.node_cols[keep]
    nodes = system.unknown[rows // w]
    term_slot = slot(np.searchsorted(keys, nodes * (n + 1)), nodes, nodes, cols % w, rows % w)
    # sources on a temperature state's heat balance (not an equation) stay out of R
    solved = system.act[system.source_rows]
    r_rows.append(compact[system.source_rows[solved]])
    r_cols.append(system.source_cols[solved])
    r_ptr, r_idx, r_slot = _compress(np.concatenate(r_rows), np.concatenate(r_cols), u)
    n_var = len(r_slot) - int(solved.sum())
    return SparsePattern(
        a_indices=indices, a_indptr=indptr, r_indices=r_idx, r_indptr=r_ptr, groups=tuple(groups),
        a_slot=np.concatenate(a_slots).astype(np.int32 if len(indices) < 2**31 else np.int64),
        r_slot=r_slot[:n_var], chunk=CHUNK,
        a_constant=np.bincount(term_slot, system.node_values[keep], minlength=len(indices)),
        r_constant=np.bincount(r_slot[n_var:], system.source_values[solved],
                               minlength=len(r_idx)))


def _exclusive_cumsum(a: np.ndarray) -> np.ndarray:
    """(0, a_0, a_0 + a_1, ..., Σ a): one longer than ``a``."""
    out = np.zeros(len(a) + 1, np.intp)
    np.cumsum(a, out=out[1:])
    return out


def _compress(major: np.ndarray, minor: np.ndarray, n_major: int):
    """(indptr, indices, slot) of entries (major, minor) in compressed form (CSR: major =
    row); entries at the same place share a slot, where their values add up."""
    width = int(minor.max(initial=0)) + 1
    unique, slot = np.unique(major.astype(np.int64) * width + minor, return_inverse=True)
    indptr = _exclusive_cumsum(np.bincount(unique // width, minlength=n_major))
    return indptr, (unique % width).astype(np.int32), slot.reshape(-1)
