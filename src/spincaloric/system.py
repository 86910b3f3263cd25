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

The solvers (:mod:`spincaloric.solver`) fill values into this description; they hold no copy
of the equations.
"""

from __future__ import annotations

import functools
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .constants import LORENZ
from .contacts import cross_matrix

if TYPE_CHECKING:
    from .device import Circuit


def active_components(circuit: Circuit) -> np.ndarray:
    """(n, 8) bool mask of the padded unknowns that are solved for: voltage-biased reservoirs
    have none, a current-biased reservoir only its voltage."""
    ni = circuit.regime in ("noninteracting", "spectral")
    normal = np.array([1, 1, 1, 1, 1, ni, ni, ni], bool)
    ferro = np.array([1, 1, 0, 0, 1, ni, 0, 0], bool)
    mask = np.where(circuit.ferromagnet[:, None], ferro, normal)
    mask[circuit.reservoir] = False
    mask[circuit.current_biased, 0] = True
    return mask


#: Contacts whose values a sparse solver computes at a time: keeps temporaries small.
CHUNK = 8192


@dataclass(frozen=True)
class SparsePattern:
    """The compact system in compressed form: A (u, u) in CSC, the drive map R (u, 3n) in CSR.

    ``groups`` lists, for every (row end, column end) pair of the contacts, the sign and the
    flat positions (contact·64 + i·8 + j, in contact order) of the entries of B_rowᵀ K B_column
    that enter A and R, and ``chunks`` where each run of :data:`CHUNK` contacts starts in them.
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
    a_constant: np.ndarray
    r_constant: np.ndarray


@dataclass(frozen=True, eq=False)
class KirchhoffSystem:
    """The block pattern of one circuit's Kirchhoff equations (see the module docstring).

    Padded unknowns are numbered 8·(position of the node in ``unknown``) + component; the compact
    numbering keeps the active ones (``act``) in the same order.

    Contact blocks, in assembly order (contact, row end, column end), as parallel tuples:
    ``block_contact``, ``block_row`` / ``block_col`` (node indices), ``block_end`` (0: the
    column is the first end, its K is K_a; 1: the second end, K_b) and ``block_sign`` (+1 when
    row and column are the same end, else −1).
    """

    n_nodes: int
    unknown: np.ndarray
    position: np.ndarray
    active: np.ndarray
    act: np.ndarray
    ends: np.ndarray
    ferro_internal: np.ndarray
    fixed_voltage: np.ndarray
    reservoir: np.ndarray
    block_contact: tuple
    block_row: tuple
    block_col: tuple
    block_end: tuple
    block_sign: tuple
    node_rows: np.ndarray
    node_cols: np.ndarray
    node_values: np.ndarray
    source_rows: np.ndarray
    source_cols: np.ndarray
    source_values: np.ndarray

    @property
    def size(self) -> int:
        """Number of padded unknowns (8 per node with unknowns)."""
        return 8 * len(self.unknown)

    @functools.cached_property
    def sparse(self) -> SparsePattern:
        """The fixed CSC/CSR pattern of the compact system (computed on first use)."""
        return _sparse_pattern(self)


_SYSTEMS: weakref.WeakKeyDictionary[Circuit, KirchhoffSystem] = weakref.WeakKeyDictionary()


def kirchhoff_system(circuit: Circuit) -> KirchhoffSystem:
    """The :class:`KirchhoffSystem` of ``circuit``, built on first use and cached."""
    system = _SYSTEMS.get(circuit)
    if system is None:
        system = _SYSTEMS[circuit] = _build(circuit)
    return system


def _build(circuit: Circuit) -> KirchhoffSystem:
    unknown = circuit.unknown_nodes
    position = -np.ones(circuit.n_nodes, np.intp)
    position[unknown] = np.arange(len(unknown))
    active = active_components(circuit)
    blocks = []
    for c, ends in enumerate(circuit.ends.tolist()):
        for row_end, row in enumerate(ends):
            if position[row] < 0:
                continue
            for col_end, col in enumerate(ends):
                blocks.append((c, row, col, col_end, 1.0 if row_end == col_end else -1.0))
    block_contact, block_row, block_col, block_end, block_sign = (
        tuple(zip(*blocks)) if blocks else ((),) * 5)
    node_rows, node_cols, node_values = _node_terms(circuit, position)
    biased, internal = np.flatnonzero(circuit.current_biased), circuit.internal
    return KirchhoffSystem(
        n_nodes=circuit.n_nodes, unknown=unknown, position=position, active=active,
        act=active[unknown].reshape(-1), ends=circuit.ends,
        ferro_internal=circuit.ferromagnet & ~circuit.reservoir,
        fixed_voltage=circuit.reservoir & ~circuit.current_biased, reservoir=circuit.reservoir,
        block_contact=block_contact, block_row=block_row, block_col=block_col,
        block_end=block_end, block_sign=block_sign,
        node_rows=node_rows, node_cols=node_cols, node_values=node_values,
        # a current-biased reservoir's charge balance: outflow (theory current) = −I_conventional;
        # an internal node's energy balance: heat outflow = heat deposited (W)
        source_rows=np.concatenate([8 * position[biased], 8 * position[internal] + 4]),
        source_cols=np.concatenate([3 * biased + 2, 3 * internal + 2]),
        source_values=np.concatenate([-np.ones(len(biased)), np.ones(len(internal))]))


def _node_terms(circuit: Circuit, position: np.ndarray):
    """Padded (row, column, conductance) of the node terms of every node with unknowns: spin
    flip G_sf on V⃗_s, bath G_ph on T − T0, on T⃗_s the spin-heat sink L0 T G_sf +
    spin_heat_relaxation; and the Hanle precession −[Ω⃗×] V⃗_s (−L0 T [Ω⃗×] T⃗_s), antisymmetric.
    Entries on inactive unknowns (T⃗_s when thermalized, a ferromagnet's transverse spin) are
    kept: solvers drop inactive rows and columns."""
    nodes = circuit.unknown_nodes
    diagonal = np.zeros((len(nodes), 8))
    diagonal[:, 1:4] = circuit.spin_flip[nodes, None]
    diagonal[:, 4] = circuit.bath[nodes]
    diagonal[:, 5:8] = circuit.spin_heat_sink[nodes, None]
    block = np.zeros((len(nodes), 8, 8))
    block[:, np.arange(8), np.arange(8)] = diagonal
    precession = -cross_matrix(circuit.precession[nodes])  # (u, 3, 3)
    block[:, 1:4, 1:4] += precession
    block[:, 5:8, 5:8] += LORENZ * circuit.temperature * precession
    u, i, j = np.nonzero(block)
    base = 8 * position[nodes[u]]
    return base + i, base + j, block[u, i, j]


def _sparse_pattern(system: KirchhoffSystem) -> SparsePattern:
    """Entries of the compact A and R, their compressed patterns and the slot of every entry."""
    compact = -np.ones(system.size, np.intp)
    compact[system.act] = np.arange(int(system.act.sum()))
    index = -np.ones((system.n_nodes, 8), np.intp)
    index[system.unknown] = compact.reshape(-1, 8)
    u = int(system.act.sum())
    a_rows, a_cols, r_rows, r_cols, spans = [], [], [], [], []
    for row_end, col_end in ((0, 0), (0, 1), (1, 0), (1, 1)):
        rows, cols = system.ends[:, row_end], system.ends[:, col_end]
        rg, cg = index[rows], index[cols]  # (c, 8)
        a_flat = np.flatnonzero(((rg >= 0)[:, :, None] & (cg >= 0)[:, None, :]).ravel())
        con, i, j = a_flat // 64, (a_flat // 8) % 8, a_flat % 8
        a_rows.append(rg[con, i]), a_cols.append(cg[con, j])
        # the fixed voltage (column 0) and temperature (column 4) of a reservoir column
        r_mask = np.zeros(rg.shape + (8,), bool)
        r_mask[:, :, 0] = (rg >= 0) & system.fixed_voltage[cols][:, None]
        r_mask[:, :, 4] = (rg >= 0) & system.reservoir[cols][:, None]
        r_flat = np.flatnonzero(r_mask.ravel())
        con, i, j = r_flat // 64, (r_flat // 8) % 8, r_flat % 8
        r_rows.append(rg[con, i]), r_cols.append(3 * cols[con] + (j == 4))
        sign = 1.0 if row_end == col_end else -1.0
        spans.append((row_end, col_end, sign, a_flat, r_flat))
    keep = (compact[system.node_rows] >= 0) & (compact[system.node_cols] >= 0)
    a_const = (compact[system.node_rows[keep]], compact[system.node_cols[keep]],
               system.node_values[keep])
    r_const = (compact[system.source_rows], system.source_cols, system.source_values)
    a_ptr, a_idx, a_slot = _compress(np.concatenate(a_cols + [a_const[1]]),
                                     np.concatenate(a_rows + [a_const[0]]), u)
    r_ptr, r_idx, r_slot = _compress(np.concatenate(r_rows + [r_const[0]]),
                                     np.concatenate(r_cols + [r_const[1]]), u)
    n_var_a, n_var_r = sum(len(g[3]) for g in spans), sum(len(g[4]) for g in spans)
    starts = np.arange(0, len(system.ends) + CHUNK, CHUNK) * 64
    groups = tuple((row_end, col_end, sign, a_flat, np.searchsorted(a_flat, starts), r_flat,
                    np.searchsorted(r_flat, starts))
                   for row_end, col_end, sign, a_flat, r_flat in spans)
    return SparsePattern(
        a_indices=a_idx, a_indptr=a_ptr, r_indices=r_idx, r_indptr=r_ptr, groups=groups,
        a_slot=a_slot[:n_var_a], r_slot=r_slot[:n_var_r],
        a_constant=np.bincount(a_slot[n_var_a:], a_const[2], minlength=len(a_idx)),
        r_constant=np.bincount(r_slot[n_var_r:], r_const[2], minlength=len(r_idx)))


def _compress(major: np.ndarray, minor: np.ndarray, n_major: int):
    """(indptr, indices, slot) of entries (major, minor) in compressed form (CSC: major =
    column); entries at the same place share a slot, where their values add up."""
    key = major.astype(np.int64) * (int(minor.max(initial=0)) + 1) + minor
    unique, slot = np.unique(key, return_inverse=True)
    width = int(minor.max(initial=0)) + 1
    indptr = np.zeros(n_major + 1, np.intp)
    np.cumsum(np.bincount(unique // width, minlength=n_major), out=indptr[1:])
    return indptr, (unique % width).astype(np.int32), slot.reshape(-1)
