"""Static condensation of the torque maps (the unknowns no magnet touches eliminated once):
the Schur complement against the whole solve on random systems, on random circuits (the kept
unknowns, torques with spin pumping, electron temperatures) and on runs of a two-magnet
pillar with diffusive layers (deterministic, stochastic, ensembles) against runs that solve
the whole system."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layered_stacks import CO, CO_CU, CU, T, pillar
from random_circuits import magnets_of, random_circuit, random_unit
from spincaloric.circuit.contacts import magnetization_features
from spincaloric.constants import HBAR_E, TORQUE_PER_SPIN_CURRENT
from spincaloric.dynamics import MagnetParameters, torque_model
from spincaloric.dynamics.condensation import CondensedMaps, condense, kept_unknowns
from spincaloric.dynamics.simulation import Simulation
from spincaloric.dynamics.torque_model import CircuitTorqueModel, sphere_features
from spincaloric.layers import Layer, Lead, multilayer


def solve_maps(maps, phi, d, source=None):
    """y (u,) of (a0 + φ·e) y = (r0 + φ·f) d (+ source) for one point (NumPy, no kernels)."""
    a = maps.a0 + np.einsum("kq,kquv->uv", phi, maps.e)
    rhs = (maps.r0 + np.einsum("kq,kqud->ud", phi, maps.f)) @ d
    return np.linalg.solve(a, rhs if source is None else rhs + source)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), u=st.integers(2, 14), nd=st.integers(1, 6))
def test_the_schur_complement_solves_the_kept_unknowns_exactly(seed, u, nd):
    """Random diagonally dominant systems whose feature maps touch a random subset: the
    condensed system's solution is the whole solution on the kept unknowns."""
    rng = np.random.default_rng(seed)
    k, q = 2, 13
    a0 = rng.normal(size=(u, u)) + 2 * u * np.eye(u)
    touched = rng.random(u) < 0.4
    touched[rng.integers(u)] = True
    mask = np.outer(touched, touched)
    e = rng.normal(size=(k, q, u, u)) * mask * 0.1
    f = rng.normal(size=(k, q, u, nd)) * touched[:, None]
    t = rng.normal(size=(k, q, 3, u + nd))
    t[..., :u] *= touched
    pump = rng.normal(size=(k, q, u, 3)) * touched[:, None]
    read = rng.choice(u, size=1)
    r0 = rng.normal(size=(u, nd))
    c = condense(a0, r0, e, f, t, pump, read)
    np.testing.assert_array_equal(c.kept, np.flatnonzero(touched | np.isin(np.arange(u), read)))
    whole = CondensedMaps(a0, r0, e, f, t, pump, np.arange(u))
    phi = magnetization_features(random_unit(rng, (k,)))
    d = rng.normal(size=nd)
    source = 0.3 * np.einsum("kqui->u", pump)
    y = solve_maps(whole, phi, d, source)
    yk = solve_maps(c, phi, d, source[c.kept])
    np.testing.assert_allclose(yk, y[c.kept], rtol=0, atol=1e-12 * np.abs(y).max())
    # the torque map reads the kept unknowns only, and a read slot lands on its position
    w, wk = np.concatenate([y, d]), np.concatenate([yk, d])
    np.testing.assert_allclose(np.einsum("kqiw,w->kqi", c.t, wk),
                               np.einsum("kqiw,w->kqi", t, w), rtol=0,
                               atol=1e-11 * np.abs(t).max() * np.abs(w).max())
    slot = -1 - read
    assert yk[-1 - c.slots(slot)][0] == pytest.approx(y[read][0], rel=1e-12, abs=0)
    assert c.slots(np.array([3]))[0] == 3  # a drive slot stays


def test_nothing_to_eliminate_and_a_floating_static_part_keep_the_maps():
    u, k, q = 4, 1, 13
    e = np.zeros((k, q, u, u))
    e[0, 1, :2, :2] = 1.0
    t = np.zeros((k, q, 3, u + 1))
    a0 = np.diag([3.0, 3.0, 0.0, 0.0])  # the static part singular once the kept are held
    c = condense(a0, np.ones((u, 1)), e, np.zeros((k, q, u, 1)), t, np.zeros((0, q, u, 3)))
    np.testing.assert_array_equal(c.kept, np.arange(u))
    assert c.a0 is a0
    e[0, 1] = 1.0
    assert kept_unknowns(e, np.zeros((k, q, u, 1)), t, np.zeros((0, q, u, 3)), ()).size == u


def features(model, m):
    return magnetization_features(m) if model.t.shape[1] == 13 else sphere_features(m)


@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
def test_condensed_maps_give_the_circuit_torques_temperatures_and_pumping(regime):
    """Random circuits of seven internal nodes (junctions, current-biased leads, Hanle
    fields): the condensed system gives the whole model's torques with spin pumping
    (τ0 + D ṁ) and the electron temperatures of the internal magnets."""
    eliminated = 0
    for seed in range(20):
        rng = np.random.default_rng(900 + seed)
        c = random_circuit(rng, regime, n_internal=7, junctions=bool(seed % 2),
                           current_lead=bool(seed % 3), hanle=seed % 4 == 3)
        mags = magnets_of(c)[:2]
        if not mags or c.temperature_state.any():
            continue
        model = CircuitTorqueModel.build(c, mags)
        index = model.temperature_index
        maps = condense(model.a0, model.r0, model.e, model.f, model.t, model.pump,
                        -1 - index[index < 0])
        u = model.a0.shape[0]
        eliminated += u - maps.kept.size
        m = random_unit(rng, (len(mags),))
        mdot = 1e9 * random_unit(rng, (len(mags),))
        d = model.d0 + 1e-3 * rng.normal(size=model.d0.size)
        phi = features(model, m)
        bias = HBAR_E * np.cross(mdot, m)
        source = np.einsum("kq,kqui,ki->u", phi, maps.pump, bias)
        y = solve_maps(maps, phi, d, source)
        i_abs = (np.einsum("kq,kqiw,w->ki", phi, maps.t, np.concatenate([y, d]))
                 + np.einsum("kq,kqij,kj->ki", phi, model.direct, bias))
        tau = TORQUE_PER_SPIN_CURRENT * (i_abs - np.sum(i_abs * m, axis=1)[:, None] * m)
        want = model.torques(m, d, mdot)
        np.testing.assert_allclose(tau, want, rtol=0, atol=1e-10 * np.abs(want).max())
        # the thermal field's temperatures, read at the remapped slots
        slots = maps.slots(index)
        y0 = solve_maps(maps, phi, d)
        temps = T + np.where(slots >= 0, d[np.maximum(slots, 0)], y0[np.maximum(-1 - slots, 0)])
        np.testing.assert_allclose(temps, model.magnet_temperatures(m, d), rtol=0, atol=1e-9)
    assert eliminated > 0  # some circuits had static unknowns to eliminate


def two_magnet_pillar():
    """Cu lead (10 cells) | Co fixed | Cu spacer (8 cells) | Co free | Cu lead, 2 K hotter
    left lead and 1 mV: both Co layers dynamic, solved at every stage."""
    c = multilayer([Lead("left", voltage=-1e-3, temperature=T + 2),
                    Layer("lead", CU, 40e-9, cells=10), CO_CU,
                    Layer("fixed", CO, 6e-9, cells=2, magnetization=(0, 0.28, 0.96)), CO_CU,
                    Layer("spacer", CU, 8e-9, cells=8), CO_CU,
                    Layer("free", CO, 2e-9, cells=1, magnetization=(1, 0, 0)),
                    CO_CU, Lead("right")], area=1e-16, temperature=T).finalize()
    free = MagnetParameters(saturation_magnetization=1.2e6, volume=2e-25, damping=0.02,
                            anisotropy_axis=np.array([1.0, 0, 0]), anisotropy_field=0.05)
    fixed = MagnetParameters(saturation_magnetization=1.2e6, volume=6e-25, damping=0.02,
                             anisotropy_axis=np.array([0, 0, 1.0]), anisotropy_field=0.3)
    return c, {"free": free, "fixed": fixed}


def whole(a0, r0, e, f, t, pump, read=()):
    return CondensedMaps(a0, r0, e, f, t, pump, np.arange(a0.shape[0]))


@pytest.mark.parametrize("how", [
    dict(method="rk45"), dict(method="rk4", dt=2e-13),
    dict(method="heun", dt=2e-13, temperature_noise=True, seed=3),
    pytest.param(dict(method="heun", dt=2e-13, temperature_noise=True, seed=3, ensemble=9),
                 marks=pytest.mark.slow)],
    ids=["rk45", "rk4", "stochastic-heun", "stochastic-ensemble"])
@pytest.mark.slow
def test_runs_on_condensed_maps_equal_runs_on_the_whole_system(how, monkeypatch):
    c, mags = two_magnet_pillar()
    m0 = np.array([[0.8, 0.6, 0.0], [0.0, 0.28, 0.96]])
    sim = Simulation(c, mags)
    assert sim.torque_table is None
    u = sim.model.a0.shape[0]
    assert sim.condensed.kept.size < u / 3  # the leads' and the spacer's bulk eliminated
    assert (sim.model.temperature_index < 0).all()  # internal magnets: remapped slots
    got = sim.run(0.2e-9, n_save=5, initial=m0, **how).m
    monkeypatch.setattr(torque_model, "condense", whole)
    ref_sim = Simulation(c, mags)
    want = ref_sim.run(0.2e-9, n_save=5, initial=m0, **how).m
    assert ref_sim.condensed.kept.size == u
    assert np.abs(want[..., -1, :, :] - want[..., 0, :, :]).max() > 1e-3  # the magnets move
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


@pytest.mark.slow
@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
def test_sparse_condensation_equals_the_dense_one(regime):
    """Random circuits with internal magnets: the maps condensed from the sparse pattern
    (sparse LU of the static block) equal those condensed from the dense maps."""
    seen = 0
    for seed in range(48):
        rng = np.random.default_rng(700 + seed)
        c = random_circuit(rng, regime, n_internal=7, junctions=bool(seed % 2),
                           current_lead=bool(seed % 3), hanle=seed % 4 == 3)
        mags = magnets_of(c)[:2]
        if all(c.reservoir[c.index[n]] for n in mags) or c.temperature_state.any():
            continue
        seen += 1
        dense = CircuitTorqueModel.build(c, mags, sparse=False)
        sparse = CircuitTorqueModel.build(c, mags, sparse=True)
        index = dense.temperature_index
        read = -1 - index[index < 0]
        want = condense(dense.a0, dense.r0, dense.e, dense.f, dense.t, dense.pump, read)
        got = sparse.stage_maps(sparse.pump, read)
        np.testing.assert_array_equal(got.kept, want.kept)
        for name in ("a0", "r0", "e", "f", "t", "pump"):
            g, w = getattr(got, name), getattr(want, name)
            np.testing.assert_allclose(g, w, rtol=0, atol=1e-11 * max(np.abs(w).max(), 1e-300))
    assert seen >= 4


LAYER = MagnetParameters(saturation_magnetization=1.2e6, volume=1e-25, damping=0.02,
                         anisotropy_axis=np.array([1.0, 0, 0]), anisotropy_field=0.05)


@pytest.mark.slow
def test_a_large_layer_solved_at_every_stage_runs_on_its_interfaces(monkeypatch):
    """A free layer of 60 cells (sparse maps) solved at every stage: the condensed run
    equals the run on the whole dense system; one of 600 cells, whose whole system (more
    than 1000 unknowns) would be refused, keeps a few dozen unknowns and runs."""
    m0 = np.array([[0.8, 0.6, 0.0]])
    sim = Simulation(pillar(60), {"free": LAYER}, tabulate=False)
    assert sim.model.sparse is not None
    got = sim.run(0.1e-9, method="rk4", dt=2e-13, n_save=3, initial=m0).m
    kept = sim.condensed.kept.size
    assert kept < 40 < sim.model.t.shape[-1] - sim.model.d0.size
    monkeypatch.setattr(CircuitTorqueModel, "stage_maps",
                        lambda self, pump, read=(): whole(*self.dense_maps(), self.t, pump))
    want = Simulation(pillar(60), {"free": LAYER}, tabulate=False).run(
        0.1e-9, method="rk4", dt=2e-13, n_save=3, initial=m0).m
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    monkeypatch.undo()
    big = Simulation(pillar(600), {"free": LAYER}, tabulate=False)
    assert big.model.sparse.unknowns > 1000
    run = big.run(0.02e-9, method="rk4", dt=2e-13, n_save=2, initial=m0)
    assert big.condensed.kept.size == kept
    assert np.all(np.isfinite(run.m))
