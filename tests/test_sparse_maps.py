"""The torque maps of dynamic layers and internal magnets on the circuit's sparse pattern: the
dense maps entry by entry, the circuit's own solve for torques and temperatures, the dense
model for spin pumping's damping and the contact currents; the runs of a large layer through
the series in m·p; and the refusal, with the figures, when a run needs dense maps that do
not fit."""

import numpy as np
import pytest

from layered_stacks import pillar
from random_circuits import magnets_of, random_circuit, random_unit
from spincaloric.constants import TORQUE_PER_SPIN_CURRENT
from spincaloric.dynamics import MagnetParameters
from spincaloric.dynamics.simulation import DynamicsError, Simulation
from spincaloric.dynamics.torque_model import CircuitTorqueModel


def close(got, want, rel):
    scale = np.abs(want).max()
    np.testing.assert_allclose(got, want, rtol=0, atol=rel * (scale if scale > 0 else 1.0))


@pytest.mark.slow
@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
def test_sparse_maps_are_the_dense_maps_and_solve_the_circuit(regime):
    """Random circuits with internal magnets (junctions, current-biased leads, Hanle fields):
    the sparse maps equal the dense ones entry by entry, and their torques, electron
    temperatures and damping equal the circuit's solve and the dense model's."""
    seen = 0
    for seed in range(24):
        rng = np.random.default_rng(500 + seed)
        c = random_circuit(rng, regime, junctions=bool(seed % 2), current_lead=bool(seed % 3),
                           hanle=seed % 4 == 3)
        mags = magnets_of(c)
        if all(c.reservoir[c.index[n]] for n in mags) or c.temperature_state.any():
            continue
        seen += 1
        dense = CircuitTorqueModel.build(c, mags, sparse=False)
        sparse = CircuitTorqueModel.build(c, mags, sparse=True)
        assert dense.sparse is None and sparse.sparse is not None and sparse.a0 is None
        for got, want in zip(sparse.dense_maps(), (dense.a0, dense.r0, dense.e, dense.f)):
            close(got, want, 1e-13)
        for name in ("t", "pump", "direct"):
            close(getattr(sparse, name), getattr(dense, name), 1e-13)
        m = random_unit(rng, (len(mags),))
        sol = c.solve(magnetization={n: m[j] for j, n in enumerate(mags)})
        ref = np.stack([sol.magnet_torque(n) for n in mags])
        scale = TORQUE_PER_SPIN_CURRENT * np.abs(sol.currents[:, :4]).max()
        np.testing.assert_allclose(sparse.torques(m), ref, rtol=0, atol=1e-10 * scale)
        temps = [float(sol.nodes[n].temperature) if n in sol.nodes
                 else float(sol.reservoirs[n].temperature) for n in mags]
        np.testing.assert_allclose(sparse.magnet_temperatures(m), temps, rtol=0, atol=1e-9)
        close(sparse.damping_matrix(m), dense.damping_matrix(m), 1e-10)
        mdot = 1e9 * random_unit(rng, (len(mags),))
        for got, want in zip(sparse.contact_state(m, mdot=mdot), dense.contact_state(m, mdot=mdot)):
            close(got, want, 1e-9)
    assert seen >= 6


@pytest.mark.slow
def test_large_layers_default_to_sparse_maps_and_runs_agree_with_dense_ones():
    """A free layer of 60 cells: sparse maps by default (the dense ones would take more than
    SPARSE_ABOVE), and its runs, through the series in m·p and solved at every stage (the
    dense maps formed from the sparse ones), equal the dense model's run."""
    c = pillar(60)
    mag = MagnetParameters(saturation_magnetization=1.1e6, volume=60e-9 * 1e-16,
                           damping=0.01, anisotropy_field=0.5, anisotropy_axis=(1, 0, 0))
    runs = []
    for sparse, tabulate in ((None, True), (None, False), (False, False)):
        sim = Simulation(c, {"free": mag}, pumping=True, tabulate=tabulate)
        sim.__dict__["model"] = CircuitTorqueModel.build(c, ["free"], sparse=sparse)
        assert (sim.model.sparse is None) == (sparse is False)
        assert (sim.torque_table is not None) == tabulate, sim.torque_table_reason
        runs.append(sim.run(5e-12, method="rk4", dt=1e-13, n_save=3).m)
    for other in runs[1:]:
        np.testing.assert_allclose(other, runs[0], rtol=0, atol=1e-13)


@pytest.mark.slow
def test_a_layer_of_a_thousand_cells_runs_on_its_series():
    """1000 cells of 1 nm: the maps are sparse, the series in m·p is built from sparse solves
    (the drive slots a run uses), its torque equals the circuit's solve, and a run takes it."""
    c = pillar(1000)
    mag = MagnetParameters(saturation_magnetization=1.1e6, volume=1e-6 * 1e-16, damping=0.01,
                           anisotropy_field=0.5, anisotropy_axis=(1, 0, 0))
    sim = Simulation(c, {"free": mag})
    assert sim.model.sparse is not None
    table = sim.torque_table
    assert table is not None, sim.torque_table_reason
    assert set(table.columns) <= {0, 1}  # the static drives: the left lead's V and T
    m = np.array([0.6, 0.48, 0.64])
    sol = c.solve(magnetization={"free": m})
    ref = sol.magnet_torque("free")
    tau = table.evaluate(m[None], sim.model.d0[None])[0][0]
    np.testing.assert_allclose(tau, ref, rtol=0, atol=1e-10 * np.abs(ref).max())
    run = sim.run(2e-11, method="rk4", dt=1e-13, n_save=3)
    assert np.all(np.isfinite(run.m))


def test_a_run_needing_dense_maps_beyond_memory_is_refused_with_the_figures(monkeypatch):
    """Solved at every stage (no series), a layer's run needs dense maps over the unknowns
    at its interfaces (the rest condensed): beyond the memory available, one DynamicsError
    naming the layer, the size and why no series."""
    from spincaloric.circuit import memory

    c = pillar(60)
    mag = MagnetParameters(saturation_magnetization=1.1e6, volume=60e-9 * 1e-16,
                           damping=0.01, anisotropy_field=0.5, anisotropy_axis=(1, 0, 0))
    sim = Simulation(c, {"free": mag}, tabulate=False)
    assert sim.model.sparse is not None
    monkeypatch.setattr(memory, "available_bytes", lambda: 1e5)
    with pytest.raises(DynamicsError, match=r"layers\.free\.magnet: the run solves the circuit "
                       r"at every stage, as it cannot take the torque as its series in m·p "
                       r"\(tabulate is off\), but the dense torque maps over \d+ unknowns need "
                       r"~.* \(more than the .* available\)"):
        sim.run(1e-12, method="rk4", dt=1e-13, n_save=2)


def test_a_run_too_large_to_solve_at_every_stage_is_refused_before_it_starts(monkeypatch):
    """400 cells without the series keep the unknowns at the layer's interfaces (the rest
    condensed); more kept unknowns than a stage can solve densely (the limit lowered here to
    provoke it) are refused at once, naming the layer, the cost and the way out."""
    from spincaloric.dynamics import torque_model

    c = pillar(400)
    mag = MagnetParameters(saturation_magnetization=1.1e6, volume=400e-9 * 1e-16,
                           damping=0.01, anisotropy_field=0.5, anisotropy_axis=(1, 0, 0))
    sim = Simulation(c, {"free": mag}, tabulate=False)
    assert sim.model.sparse.unknowns == 1230
    monkeypatch.setattr(torque_model, "DENSE_STAGE_UNKNOWNS", 10)
    with pytest.raises(DynamicsError, match=r"layers\.free\.magnet: .*\(tabulate is off\), but "
                       r"solving its \d\d unknowns densely would cost ~.* operations a "
                       r"stage \(hours a nanosecond\): fewer cells \(at most 10 unknowns\)"):
        sim.run(1e-12, method="rk4", dt=1e-13, n_save=2)


def test_a_device_file_with_a_large_dynamic_layer_is_judged_by_its_sparse_maps(tmp_path,
                                                                               monkeypatch):
    """A 600-cell dynamic layer in a device file: its load-time memory check uses the sparse
    maps the model builds (~10² MB), not the dense ones (~35 GB), and it runs."""
    from pathlib import Path

    from spincaloric.circuit import memory
    from spincaloric.io import load_spec

    text = (Path(__file__).parent.parent / "examples" / "devices"
            / "pillar_thick_layers.toml").read_text()
    text = text.replace("cells = 6\nmagnetization = [1, 0, 0]",
                        "cells = 600\nmagnetization = {theta = 5, phi = 0}\n"
                        "[layers.free.magnet]\nsaturation_magnetization = 1.4e6\n"
                        "damping = 0.01\nanisotropy_axis = [0, 0, 1]\nanisotropy_field = 2.5\n"
                        "demagnetizing_factors = [0, 0, 1]")
    text = text.replace('"free_6"', '"free_600"')
    path = tmp_path / "dyn600.toml"
    path.write_text(text)
    monkeypatch.setattr(memory, "available_bytes", lambda: 1e9)  # dense: refused at 35 GB
    spec = load_spec(path)
    circuit = spec.device.finalize()
    sim = spec.simulation_for(circuit, 1e-11)[0]
    assert sim.model.sparse is not None and sim.torque_table is not None
    assert np.all(np.isfinite(sim.run(1e-11, n_save=2).m))
