"""The Kirchhoff system of a circuit: built once, and the sparse back end's fixed pattern gives
the same equations as the dense back end, entry by entry."""

import numpy as np
import pytest

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
