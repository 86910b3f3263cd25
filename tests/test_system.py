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
