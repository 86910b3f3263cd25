"""The Kirchhoff system of a circuit: built once, and the sparse back end's fixed pattern gives
the same equations as the dense back end, entry by entry."""

import numpy as np
import pytest
import scipy.sparse as sp

from random_circuits import random_circuit
from spincaloric.circuit import system
from spincaloric.solvers import linear as solver


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
def test_sparse_pattern_equals_dense_assembly(seed, regime, monkeypatch):
    """A and R of the sparse back end (contacts in runs of 2, so that the pattern's runs are
    exercised) equal the active part of the dense padded system, with tunnel junctions, a
    current-biased lead, heat sources, spin sinks and Hanle precession."""
    monkeypatch.setattr(system, "CHUNK", 2)
    rng = np.random.default_rng(seed)
    circuit = random_circuit(rng, regime, junctions=seed % 2 == 0, current_lead=seed % 3 != 2,
                             hanle=seed % 2 == 1)
    m = circuit.magnetization
    varying = np.zeros(circuit.n_nodes, bool)
    k = solver.contact_responses(circuit, m[:, None], varying)
    a_dense, r_dense = solver.assemble_dense(circuit, k, solver.node_bases(circuit, m[:, None],
                                                                           varying))
    act = system.kirchhoff_system(circuit).act
    a_sparse, r_sparse = solver.assemble_sparse(circuit, solver.stacked_responses(circuit, m), m)
    assert a_sparse.has_canonical_format
    scale = np.abs(a_dense).max()
    np.testing.assert_allclose(a_sparse.toarray(), a_dense[0][np.ix_(act, act)],
                               rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(r_sparse.toarray(), r_dense[0][act], rtol=0,
                               atol=1e-13 * np.abs(r_dense).max())


def test_the_system_is_built_once_per_circuit():
    circuit = random_circuit(np.random.default_rng(1), "thermalized")
    first = system.kirchhoff_system(circuit)
    circuit.solve(method="sparse")
    assert system.kirchhoff_system(circuit) is first
    assert first.sparse is first.sparse


@pytest.mark.parametrize("seed", range(4))
def test_the_energy_resolved_pattern_is_the_charge_and_spin_part(seed):
    """Width 4 (f_c, f⃗_↑−↓ at one energy) shares the contact blocks and the spin node terms
    (spin flip G_sf, Hanle −[Ω⃗×]) of width 8 on the internal nodes: assembled with the
    charge–spin block of the same K it is the charge–spin part of the linear system (rows and
    columns 0–3 of every internal node), the fixed reservoirs its drive columns."""
    rng = np.random.default_rng(seed)
    circuit = random_circuit(rng, "noninteracting", junctions=seed % 2 == 0, current_lead=False,
                             hanle=True)
    m = circuit.magnetization
    varying = np.zeros(circuit.n_nodes, bool)
    k8 = solver.contact_responses(circuit, m[:, None], varying)
    k4 = [tuple(x[..., :4, :4] for x in kc) if isinstance(kc, tuple) else kc[..., :4, :4]
          for kc in k8]
    a8, r8 = solver.assemble_dense(circuit, k8, solver.node_bases(circuit, m[:, None], varying))
    a4, r4 = solver.assemble_dense(circuit, k4, solver.node_bases(circuit, m[:, None], varying,
                                                                   width=4), width=4)
    wide, narrow = system.kirchhoff_system(circuit), system.kirchhoff_system(circuit, 4)
    assert narrow is not wide and narrow is system.kirchhoff_system(circuit, 4)
    np.testing.assert_array_equal(narrow.unknown, circuit.internal)
    rows = (8 * wide.position[circuit.internal][:, None] + np.arange(4)).ravel()
    np.testing.assert_array_equal(a4[0], a8[0][np.ix_(rows, rows)])
    np.testing.assert_array_equal(r4[0], r8[0][rows][:, 0::3])  # the voltage columns
    assert np.abs(narrow.node_values).max() > 0  # spin sinks and precession are in it


@pytest.mark.parametrize("seed", range(4))
def test_the_energy_resolved_sparse_values_equal_the_dense_assembly(seed, monkeypatch):
    """Width 4: the values of a batch of energies filled into the fixed pattern (contacts in
    runs of 2) are the active part of the dense padded system at every energy, with tunnel
    junctions (K_a ≠ K_b), internal ferromagnets, spin sinks and Hanle precession; and the
    pattern's column order is a permutation of its columns."""
    monkeypatch.setattr(system, "CHUNK", 2)
    rng = np.random.default_rng(seed)
    circuit = random_circuit(rng, "noninteracting", junctions=seed % 2 == 0, current_lead=False,
                             hanle=seed % 2 == 1)
    m = circuit.magnetization
    varying = np.zeros(circuit.n_nodes, bool)
    # three "energies": the charge–spin block of K scaled differently at each
    k8 = solver.stacked_responses(circuit, m)
    scales = np.array([1.0, 0.3, 2.5])[:, None, None, None]
    k4 = tuple(scales * x[None, :, :4, :4] for x in k8)
    if k8[1] is k8[0]:
        k4 = (k4[0], k4[0])
    bases = solver.node_bases(circuit, m[:, None], varying, width=4)
    a_dense, r_dense = solver.assemble_dense(
        circuit, solver.per_contact(circuit, np.moveaxis(k4[0], 1, 0), np.moveaxis(k4[1], 1, 0)),
        bases, width=4)
    narrow = system.kirchhoff_system(circuit, 4)
    pattern = narrow.sparse
    a_data, r_data = solver.sparse_values(circuit, k4, m, width=4)
    act, u = narrow.act, pattern.unknowns
    for e in range(3):
        a = sp.csc_matrix((a_data[e], pattern.a_indices, pattern.a_indptr), shape=(u, u))
        r = sp.csr_matrix((r_data[e], pattern.r_indices, pattern.r_indptr),
                          shape=(u, circuit.n_nodes))
        np.testing.assert_allclose(a.toarray(), a_dense[e][np.ix_(act, act)], rtol=0,
                                   atol=1e-13 * np.abs(a_dense[e]).max())
        np.testing.assert_allclose(r.toarray(), r_dense[e][act], rtol=0,
                                   atol=1e-13 * np.abs(r_dense[e]).max())
    order, take, indptr = pattern.column_order
    np.testing.assert_array_equal(np.sort(order), np.arange(u))
    reordered = sp.csc_matrix((a_data[-1][take], pattern.a_indices[take], indptr), shape=(u, u))
    np.testing.assert_array_equal(reordered.toarray(), a.toarray()[:, order])
    diagonal = pattern.slots(np.arange(u), np.arange(u))
    assert (diagonal >= 0).all()  # every active unknown has its diagonal entry (probes)


def test_the_energy_resolved_solver_is_sparse_beyond_the_dense_limit(monkeypatch):
    """Above DENSE_LIMIT unknowns per energy the sparse path solves, at or below it the dense
    one (whose results are unchanged for small circuits)."""
    from spincaloric.layers import BulkMaterial, Layer, Lead, multilayer
    from spincaloric.solvers import spectral

    def wire(cells):
        cu = BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9, seebeck=1.8e-6)
        return multilayer([Lead("a", voltage=1e-3), Layer("w", cu, 50e-9, cells=cells),
                           Lead("b")], area=1e-16, temperature=300.0,
                          regime="spectral").finalize()

    def refuse(*args):
        raise AssertionError("the wrong path")

    small, large = wire(4), wire(20)
    assert system.kirchhoff_system(small, 4).act.sum() <= spectral.DENSE_LIMIT \
        < system.kirchhoff_system(large, 4).act.sum()
    monkeypatch.setattr(spectral, "_dense_unknowns", refuse)
    spectral.solve_elastic(large, points=101)
    with pytest.raises(AssertionError, match="wrong path"):
        spectral.solve_elastic(small, points=101)
