"""Shared fixtures."""

import sys

import numpy as np
import pytest

#: Agreement of the sparse and dense energy-resolved solves at one energy, in units of the
#: round-off bound κ ε max|y| (κ: the condition number of that energy's system, ε: the machine
#: epsilon, y: the unknowns); measured up to 0.9 (the band tails of a clipped G(ε) reach
#: κ ≈ 1e12).
SPARSE_AGREEMENT = 10.0


@pytest.fixture(params=["dense", pytest.param("sparse", marks=pytest.mark.slow)])
def energy_resolved_path(request, monkeypatch):
    """Run a test on both solvers of the energy-resolved balance, each forced for every
    circuit: the batched dense solve over the grid, and the sparse LU per energy — every
    sparse solve then also solved densely, the two agreeing to round-off at every energy."""
    from spincaloric.solvers import linear, spectral

    if request.param == "dense":
        monkeypatch.setattr(spectral, "DENSE_LIMIT", sys.maxsize)
    else:
        sparse, dense = spectral._sparse_unknowns, spectral._dense_unknowns

        def checked(circuit, system, k, bases, drive, terms):
            args = (circuit, system, k, bases, drive, terms)
            y, reference = sparse(*args), dense(*args)
            if not y.size:  # no internal node
                return y
            a, _ = linear.assemble_dense(circuit, linear.per_contact(
                circuit, np.moveaxis(k[0], 1, 0), np.moveaxis(k[1], 1, 0)), bases, width=4)
            for rows, block, _ in terms:
                a[:, rows, rows] += block
            act = system.act
            kappa = np.linalg.cond(a[:, act][:, :, act])
            bound = SPARSE_AGREEMENT * kappa * np.finfo(float).eps * np.abs(reference).max(axis=1)
            error = np.abs(y - reference).max(axis=1)
            np.testing.assert_array_less(error, bound + 1e-300)
            return y

        monkeypatch.setattr(spectral, "DENSE_LIMIT", -1)
        monkeypatch.setattr(spectral, "_sparse_unknowns", checked)
    return request.param
