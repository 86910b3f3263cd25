"""One magnet's circuit torque as its exact series in m·p (spincaloric.dynamics.axial): the
series against the exact solve on random circuits (torque, spin-pumping tensor D, electron
temperatures), the symmetry check refusing circuits without it, and compiled runs through the
series against runs that solve the circuit at every stage (single trajectories, the lane
kernel, noisy ensembles with spin pumping)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from random_circuits import random_device, random_unit
from spincaloric import ContactParameters, DeviceError
from spincaloric.constants import HBAR_E, TORQUE_PER_SPIN_CURRENT
from spincaloric.dynamics import MagnetParameters, kernels
from spincaloric.dynamics.axial import TOLERANCE, AxialTable, axial_table, disagreement
from spincaloric.dynamics.circuit_lanes import map_entries
from spincaloric.dynamics.simulation import Simulation
from spincaloric.dynamics.torque_model import CircuitTorqueModel, temperature_index_of
from spincaloric.io.devicefile import prepare
from spincaloric.solvers.linear import active_components

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "devices"


def collinear_circuit(seed: int, hanle: bool = False):
    """A random circuit whose ferromagnets all lie along ±p (p random), one of them named to
    move; with ``hanle`` the normal nodes' fields lie along p too."""
    rng = np.random.default_rng(seed)
    while True:  # redraw the rare disconnected topology
        dev = random_device(rng, "thermalized" if seed % 2 else "noninteracting", hanle=hanle)
        try:
            dev.finalize()
            break
        except DeviceError:
            continue
    p = random_unit(rng)
    ferro = [n for n, v in dev.nodes.items() if v.kind == "ferromagnet"]
    for n in dev.nodes:
        node = dev.nodes[n]
        if n in ferro:
            dev.nodes[n] = dataclasses.replace(node, magnetization=p * rng.choice([-1, 1]))
        elif hanle and node.precession is not None:
            dev.nodes[n] = dataclasses.replace(node, precession=p * rng.normal() * 1e-3)
    return dev.finalize(), (ferro[rng.integers(len(ferro))] if ferro else None), p


def model_of(seed: int, hanle: bool = False):
    """A random collinear circuit with a static ferromagnet beside the moving one (without
    one the torque vanishes by symmetry and the run solves instead)."""
    for s in range(seed, seed + 50):
        circuit, moving, p = collinear_circuit(s, hanle)
        if moving is not None and circuit.ferromagnet.sum() >= 2:
            return CircuitTorqueModel.build(circuit, [moving]), p
    raise AssertionError("no ferromagnet drawn")  # pragma: no cover


def temperature_unknowns(model) -> np.ndarray:
    """Indices of the electron temperatures of every internal node among the solved unknowns
    (scalars: a rotation about p leaves them alone)."""
    c = model.circuit
    act = active_components(c)[c.unknown_nodes].reshape(-1)
    where = temperature_index_of(c, c.unknown_nodes, act)
    return -1 - where[where < 0]


def solve_round_off(model, axis, unknowns) -> float:
    """The exact solve's own round-off, per drive slot in the units of the series' check: its
    results at m and at m turned about the axis (equal by the symmetry, for these circuits)
    differ by round-off only. A circuit whose electron temperatures per unit drive come out of
    large cancelling terms (seed 1388: 3 × 10⁻¹¹ of a slot's largest) cannot be checked to
    TOLERANCE, and its series is rightly refused."""
    rng = np.random.default_rng(5)
    m = random_unit(rng, (32, 1))
    unit = np.eye(model.d0.size)[None]
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    turn = np.eye(3) + np.sin(0.7) * k + (1 - np.cos(0.7)) * k @ k
    worst = 0.0
    for got, floor in ((lambda mm: model.torques(mm[:, None], unit)[:, :, 0], 1e-30),
                       (lambda mm: model.solved(mm[:, None], unit)[..., unknowns], 1.0)):
        a, b = got(m), got(m @ turn.T)
        if floor < 1:  # torques turn with m
            a = a @ turn.T
        if a.size:
            size = np.abs(a).reshape(len(m), a.shape[1], -1).max(axis=(0, 2))
            err = np.abs(a - b).reshape(len(m), a.shape[1], -1).max(axis=(0, 2))
            worst = max(worst, float(np.max(err / np.maximum(size, floor))))
    return worst


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000))
@example(1388)  # a circuit whose solve is exact to 2 × 10⁻¹¹ only: the series refused
@example(1614)  # drive slots that cancel: the error bounded per slot, not by the sum
def test_the_series_is_the_exact_torque_and_pumping_tensor(seed):
    """Random multi-terminal circuits (spin flip, sinks, junction-free, both regimes) with their
    ferromagnets along ±p: the series agrees with the exact solve at random m over the sphere
    and random drives, for the torque, D and the tabulated electron temperature."""
    model, p = model_of(seed)
    table, why = axial_table(model, temperature_unknowns(model))
    if table is None:  # refused: only where the solve itself is not that exact
        noise = solve_round_off(model, p, temperature_unknowns(model))
        assert "agrees with the solve" in why and noise >= TOLERANCE / 4, (why, noise)
        return
    rng = np.random.default_rng(seed)
    m = random_unit(rng, (40, 1))
    d = rng.normal(size=(40, model.d0.size)) * 1e-3
    tau = model.torques(m, d)[:, 0]
    t_tab, d_tab, y_tab = table.evaluate(m[:, 0], d)
    # the build's guarantee: each drive slot's series exact to TOLERANCE of that slot's
    # largest value, so a drive d errs by at most TOLERANCE Σ_j |d_j| max|τ_j| (slots of
    # opposite signs can leave a torque smaller than that: seed 1614); a circuit without
    # another magnet exerts no torque: round-off against the torque (ħ/2e) G |d| that a
    # conductance G of the maps would carry
    floor = TORQUE_PER_SPIN_CURRENT * np.abs(model.t).max() * 1e-3
    unit = np.eye(model.d0.size)[None]
    per_slot = np.abs(model.torques(m[:, None], unit)[:, :, 0]).max(axis=(0, 2))
    bound = TOLERANCE * (np.abs(d) @ per_slot + floor)
    assert (np.abs(t_tab - tau).max(axis=-1) <= bound).all()
    dmat = model.damping_matrix(m)[:, 0, :, 0, :]
    assert np.abs(d_tab - dmat).max() <= 1e-11 * max(np.abs(dmat).max(), floor * HBAR_E)
    y = model.solved(m, d)[:, table.unknowns]
    assert np.abs(y_tab - y).max() <= 1e-11 * max(np.abs(y).max(), 1.0)


def test_hanle_fields_along_the_axis_keep_the_symmetry_and_others_break_it():
    model, _ = model_of(3, hanle=True)
    table, why = axial_table(model)
    assert table is not None, why
    rng = np.random.default_rng(0)
    circuit, moving, _ = collinear_circuit(3, hanle=True)
    prec = circuit.precession.copy()
    hanle = np.flatnonzero(np.linalg.norm(prec, axis=1) > 0)
    assert len(hanle)
    prec[hanle[0]] = random_unit(rng) * np.linalg.norm(prec[hanle[0]])
    tilted = dataclasses.replace(circuit, precession=prec)
    table, why = axial_table(CircuitTorqueModel.build(tilted, [moving]))
    assert table is None and "one axis" in why


def test_the_check_refuses_a_series_of_a_different_circuit():
    """The guard of the tables: a series built for one circuit fails the check on the same
    circuit with a static magnet tilted by 10⁻³ rad (the axis test alone would be fooled if
    the table were reused)."""
    circuit, moving, p = collinear_circuit(5)
    model = CircuitTorqueModel.build(circuit, [moving])
    table, _ = axial_table(model)
    assert disagreement(model, table) <= TOLERANCE
    mag = circuit.magnetization.copy()
    static = np.flatnonzero(circuit.ferromagnet & (np.array(circuit.names) != moving))
    assert len(static)
    side = np.cross(p, [1.0, 0.0, 0.0])
    mag[static[0]] = mag[static[0]] + 1e-3 * side / np.linalg.norm(side)
    mag[static[0]] /= np.linalg.norm(mag[static[0]])
    other = CircuitTorqueModel.build(dataclasses.replace(circuit, magnetization=mag), [moving])
    assert disagreement(other, table) > 1e3 * TOLERANCE
    bad = AxialTable(table.axis, table.columns, table.unknowns,
                     table.coefficients * (1 + 1e-9), 0.0)
    assert disagreement(model, bad) > TOLERANCE


def test_two_moving_magnets_or_heat_states_have_no_table():
    sim = pillar(tabulate=True)
    assert sim.torque_table is not None and 10 <= sim.torque_table.degree <= 32
    assert pillar(tabulate=False).torque_table is None
    p = prepare(EXAMPLES / "laser_heated_pillar.toml")
    heated, _ = p.spec.simulation_for(p.circuit, 1e-9)
    assert heated.torque_table is None and "heat" in heated.torque_table_reason


def test_compiled_series_equals_the_compiled_solve():
    """kernels.axial_torque against kernels.circuit_torque at random unit m: τ0, D and
    the pumping noise's temperatures."""
    sim = pillar(tabulate=True)
    tm, table = sim.model, sim.torque_table
    rng = np.random.default_rng(1)
    pm, hm = sim.pumping_maps()
    u, nq = tm.a0.shape[0], tm.e.shape[1]
    got, want = [], []
    for _ in range(20):
        m = random_unit(rng, (1,))
        d = tm.d0 + rng.normal(size=tm.d0.size) * 1e-3
        rd, fd, td = np.zeros(u), np.zeros((1, nq, u)), np.zeros((1, nq, 3))
        kernels.prepare_drive(d, tm.r0, tm.f, tm.t, rd, fd, td)
        tau, dmat, w = np.zeros((1, 3)), np.zeros((3, 3)), np.zeros(u + d.size)
        kernels.circuit_torque(m, tm.a0, tm.e, map_entries(tm.e), tm.t, pm, hm, rd, fd, td, tau, dmat,
                               np.zeros((1, nq)), np.zeros((u, u)), w, np.zeros((u, 3)))
        tau2, gax, w2 = np.zeros((1, 3)), np.zeros(4), np.zeros(u + d.size)
        ser = kernels.series_scratch(table.columns, table.unknowns, table.coefficients)
        kernels.contract_series(d, table.columns, table.coefficients, table.lengths, ser)
        kernels.axial_torque(m, table.axis, table.unknowns, len(table.unknowns), True, tau2, gax,
                             w2, ser)
        dmat2 = np.reshape(kernels.axial_damping(*m[0], *table.axis, *gax), (3, 3))
        want.append((tau, dmat, w[table.unknowns]))
        got.append((tau2, dmat2, w2[table.unknowns]))
    assert len(table.unknowns) and np.abs(got[0][2]).max() > 0  # the temperatures are checked
    for i in (0, 1, 2):  # relative to the largest over the samples, as the build's check
        a = np.array([g[i] for g in got])
        b = np.array([w[i] for w in want])
        assert np.abs(a - b).max() <= TOLERANCE * np.abs(b).max()


def pillar(tabulate: bool, pumping: bool = True) -> Simulation:
    p = prepare(EXAMPLES / "pillar_write_pulse.toml")
    sim, _ = p.spec.simulation_for(p.circuit, 3.1e-9)
    return Simulation(sim.circuit, sim.magnets, sim.drives, pumping=pumping, tabulate=tabulate)


@pytest.mark.slow
@pytest.mark.parametrize("pumping", [True, False])
def test_runs_through_the_series_equal_runs_that_solve(pumping):
    """The write pulse of the pillar. Series and solve agree on the unit sphere; a stage's m,
    off it by the step's error, meets two different polynomial extensions, so the two are two
    discretizations of one equation that differ by less than the step's error: RK4
    trajectories 20 times closer to each other than to the run with a quarter of the step
    (measured: 60 times), adaptive RK45 to its tolerance;
    noisy Heun ensembles (lane kernel, and the scalar kernel for 4 trajectories) from the
    same seeds: the same trajectories switch, at times equal to 2e-11 s (the Heun predictor
    leaves the sphere by (|ṁ| dt)² ~ 10⁻⁴ under the thermal field; near the barrier that
    difference grows)."""
    exact, series = pillar(False, pumping), pillar(True, pumping)
    runs = {}
    for name, sim in (("exact", exact), ("series", series)):
        runs[name] = (sim.run(3.1e-9, n_save=63, method="rk4", dt=2e-13),
                      sim.run(3.1e-9, n_save=63),
                      sim.run(3.1e-9, n_save=3, ensemble=128, temperature_noise=True, seed=4),
                      sim.run(3.1e-9, n_save=3, ensemble=4, temperature_noise=True, seed=4))
    a, b = runs["exact"], runs["series"]
    finer = exact.run(3.1e-9, n_save=63, method="rk4", dt=5e-14).m
    assert np.abs(a[0].m - b[0].m).max() < 0.05 * np.abs(a[0].m - finer).max()
    assert np.abs(a[1].m - b[1].m).max() < 1e-5
    for i in (2, 3):
        sa, sb = a[i].switching()["free"], b[i].switching()["free"]
        assert np.array_equal(sa.switched, sb.switched)
        assert 0 < sa.switched.sum()
        done = sa.switched
        assert np.abs(sa.time[done] - sb.time[done]).max() < 2e-11


def test_internal_free_layer_series():
    """A free layer that is an internal node (25 sphere features, its own electron temperature
    tabulated for the thermal field): the series and the solve give the same noisy runs, to
    the stochastic Heun step's departure from the sphere (as in the pillar's test)."""
    from spincaloric import Device

    def sim(tabulate):
        dev = Device(temperature=300.0)
        dev.add_node("L", "ferromagnet", reservoir=True, magnetization=[0, 0, 1], voltage=1e-3)
        dev.add_node("s", "normal", spin_flip=1e-3)
        dev.add_node("F", "ferromagnet", magnetization=[np.sin(0.3), 0, np.cos(0.3)])
        dev.add_node("R", "normal", reservoir=True, temperature=310.0)
        c = ContactParameters.from_paper(conductance=0.03, polarization=0.5, mixing=1.2,
                                         polarization_derivative=0.3, mixing_derivative=-0.5,
                                         seebeck=-10e-6, temperature=300.0)
        for a, b in (("L", "s"), ("F", "s"), ("F", "R")):
            dev.add_contact(a, b, c)
        mag = MagnetParameters(saturation_magnetization=1e6, volume=2e-24, damping=0.02,
                               anisotropy_field=0.2)
        return Simulation(dev.finalize(), {"F": mag}, tabulate=tabulate)

    exact, series = sim(False), sim(True)
    assert series.torque_table is not None, series.torque_table_reason
    assert series.model.e.shape[1] == 25 and len(series.torque_table.unknowns) >= 1
    a = exact.run(0.5e-9, n_save=11, ensemble=64, temperature_noise=True, seed=2, dt=1e-13)
    b = series.run(0.5e-9, n_save=11, ensemble=64, temperature_noise=True, seed=2, dt=1e-13)
    assert np.abs(a.m - b.m).max() < 1e-6


def test_each_drive_slot_is_exact_in_its_own_units():
    """A diffusive free layer (5 cells) behind a lead 2 K hotter: the torque per kelvin is
    10⁻⁵ of the torque per volt, and the series must carry it to round-off of its own size
    (a check relative to the largest slot alone would pass a series that dropped it).
    The series of every slot against the solve, and the compiled run against the solved run
    on the way to the switch."""
    from spincaloric.layers import BulkMaterial, Interface, Layer, Lead, multilayer

    co = BulkMaterial(resistivity=60e-9, spin_flip_length=60e-9, spin_asymmetry=0.46,
                      seebeck=-20e-6, spin_seebeck=-4e-6)
    cu = BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9, seebeck=1.8e-6)
    interface = Interface(ContactParameters.from_paper(
        conductance=0.03, polarization=0.5, mixing=1.2, polarization_derivative=0.3,
        mixing_derivative=-0.5, seebeck=-10e-6, temperature=300.0))
    c = multilayer([Lead("left", voltage=-1e-3, temperature=302.0),
                    Layer("fixed", co, 10e-9, cells=3, magnetization=(0, 0, 1)), interface,
                    Layer("spacer", cu, 5e-9, cells=2), interface,
                    Layer("free", co, 4e-9, cells=5, magnetization=(1, 0, 0)),
                    Lead("right")], area=1e-16, temperature=300.0).finalize()
    mag = MagnetParameters(saturation_magnetization=1e6, volume=4e-25, damping=0.02,
                           anisotropy_field=0.2)
    series = Simulation(c, {"free": mag}, pumping=False)
    table, model = series.torque_table, series.model
    assert table is not None, series.torque_table_reason
    rng = np.random.default_rng(3)
    m = random_unit(rng, (30,))
    want, _ = model.unit_responses(m[:, None, :], table.columns)  # (30, nc, 1, 3)
    got = table.evaluate(m[:, None, :], np.eye(model.d0.size)[table.columns][None])[0]
    own = np.abs(want[:, :, 0]).max(axis=(0, 2))
    assert own[list(table.columns).index(1)] < 1e-4 * own.max()  # the kelvin slot is small
    err = np.abs(got - want[:, :, 0]).max(axis=(0, 2))
    assert np.all(err <= 1e-10 * np.maximum(own, 1e-13 * own.max()))
    full = model.torques(m[:, None, :])[:, 0]
    mine = table.evaluate(m, np.broadcast_to(model.d0, (30, model.d0.size)))[0]
    assert np.abs(mine - full).max() <= 1e-10 * np.abs(full).max()
    solved = Simulation(c, {"free": mag}, pumping=False, tabulate=False)
    a = series.run(0.3e-9, n_save=4, method="rk4", dt=1e-13).m
    b = solved.run(0.3e-9, n_save=4, method="rk4", dt=1e-13).m
    assert np.abs(a - b).max() < 1e-8


@pytest.mark.parametrize("terms", [0, 1, 2, 3, 16, 17, 18, 19, 33, 34])
def test_series_halves_sum_the_series_unrolled(terms):
    """The lane kernels' unrolled sums (:func:`kernels.series_at`, 9 or 17 terms a half, from
    :func:`kernels.series_halves`) equal the contracted Chebyshev series evaluated by NumPy,
    for every output (a, b, D's four); a series beyond degree 32 is counted out (the kernels
    then sum it in general form). The coefficients fall as 0.35ᵏ: a series that reaches
    round-off by degree 33 falls at least that fast."""
    from numpy.polynomial import chebyshev

    rng = np.random.default_rng(terms)
    width = 40
    coef = rng.normal(size=(6, width)) * 0.35 ** np.arange(width)  # rows a, b, g0 … g3
    lens = np.array([terms, max(terms - 1, 0), terms, 5, 0, max(terms - 2, 0)], np.int64)
    for r in range(6):
        coef[r, lens[r]:] = 0.0
    cols, unk = np.array([0], np.int64), np.zeros(0, np.int64)
    ser = kernels.series_scratch(cols, unk, coef)
    drive = np.array([1.7])
    kernels.contract_series(drive, cols, coef, lens, ser)
    flat = np.zeros((2 * kernels.HALF_TERMS + 1) * 6 + 1)
    kept = kernels.series_halves(ser, flat)
    assert kept == (6 if terms <= 33 else 0)
    if terms > 33:
        return
    for j in range(6):
        scale = drive[0] if j < 2 else 1.0
        for c in np.linspace(-1, 1, 7):
            want = chebyshev.chebval(c, scale * coef[j])
            x = 2 * c * c - 1
            for unrolled in (9, kernels.HALF_TERMS):
                if (lens[j] + 1) // 2 > unrolled:
                    continue
                got = kernels.series_at(flat, j, x, c, unrolled)
                assert abs(got - want) <= 1e-13 * max(np.abs(coef[j]).sum(), 1e-300)


@pytest.mark.parametrize("decay, terms, kept", [(0.8, 33, 0), (0.8, 5, 6), (0.35, 33, 6)])
def test_series_halves_keep_power_series_only_where_as_accurate(decay, terms, kept):
    """The halves are summed as power series in x = 2c² − 1 (Horner) only where that is as
    accurate as their Chebyshev sums (Σ_k |e_k| ‖T_k‖₁ ≤ 4 Σ_k |e_k|); a slowly falling
    series of degree 32 (0.8ᵏ: its power series' terms grow to ~10³ × its coefficients) is
    counted out, the kernels then sum it in Chebyshev form, and a short one is kept."""
    coef = np.random.default_rng(1).normal(size=(6, 40)) * decay ** np.arange(40)
    coef[:, terms:] = 0.0
    lens = np.full(6, terms, np.int64)
    cols, unk = np.array([0], np.int64), np.zeros(0, np.int64)
    ser = kernels.series_scratch(cols, unk, coef)
    kernels.contract_series(np.array([1.0]), cols, coef, lens, ser)
    flat = np.zeros((2 * kernels.HALF_TERMS + 1) * 6 + 1)
    assert kernels.series_halves(ser, flat) == kept


def _unit(theta, phi):
    return np.array([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), np.cos(theta)])


@settings(max_examples=200, deadline=None)
@given(st.floats(0, np.pi), st.floats(0, 2 * np.pi), st.floats(0, np.pi),
       st.floats(0, 2 * np.pi),
       st.lists(st.floats(-1, 1).filter(lambda v: v == 0 or abs(v) > 1e-6), min_size=4,
                max_size=4),  # dampings, not their underflow
       st.floats(0, 0.5), st.floats(0, 1), st.sampled_from([0.0, 0.1, 1.0]))
@example(0.4, 1.0, 0.4, 1.0, [0.3, 0.0, 0.2, -0.1], 0.02, 0.7, 0.1)  # m along p: no frame
@example(0.4, 1.0, 0.4 + np.pi, 1.0 + np.pi, [0.3, 0.5, 0.0, 0.0], 0.02, 0.7, 0.0)  # m = −p
@example(1.0, 0.3, 2.0, 0.1, [0.3, 0.0, 0.0, 0.0], 0.02, 0.7, 0.0)  # no thermal field at all
@example(1.0, 0.3, 2.0, 0.1, [0.3, 0.0, 0.0, 0.0], 0.02, 0.7, 1.0)  # Brown's field alone
@example(0.0625, 3.0, 0.0, 0.0, [0.375, 0.0, 0.0, 0.0], 0.0, 0.0, 0.0)  # C of round-off only
@example(0.0, 0.0, 1.0, 0.0, [0.5, 0.0, 0.5, 0.0], 0.0, 1.0, 0.0)  # tf g at its bound
def test_the_closed_forms_of_one_axial_magnet_equal_the_general_algebra(
        tm, pm_, tp, pp, g, alpha, tf, brown):
    """kernels.axial_pumped_rate (M⁻¹ in the algebra of J, R₁, R₂) equals the 3 × 3 solve of
    kernels.pumped_rate with kernels.axial_damping's D. One magnet's whole thermal field
    (kernels.axial_thermal_field from the series' D, kernels.thermal_field_one from any D)
    has the covariance σ² + J C Jᵀ/(M_s V)² of Brown's field plus the pumping channels',
    C = θ(J Dᵀ + D Jᵀ) (J = [m×]), and both draw the same field from the same deviates (the
    principal square root is unique); for any D of the series' form that dissipates
    (g₁ ≥ s²√(g₂² + g₃²)), m along ±p included; without pumping it is σ ξ."""
    m, p = _unit(tm, pm_), _unit(tp, pp)
    s2 = np.cross(m, p) @ np.cross(m, p)  # 1 − (m·p)²
    g0, g1, g2, g3 = g
    g1 = abs(g1) + s2 * np.hypot(g2, g3)
    # M = 1 + αJ − tf D: the pumping renormalises the precession by ~1/(1 − tf g) and M is
    # singular at tf g₀ = 1 (both forms NaN), amplifying round-off near it beyond the
    # tolerance's |Ω| scale; a magnet's tf g is ~1e-3, far from either
    assume(tf * max(abs(g0), abs(g1), abs(g2), abs(g3)) <= 0.5)
    omega = np.cross(m, [0.3, -1.1, 0.7])
    d = np.reshape(kernels.axial_damping(*m, *p, g0, g1, g2, g3), (3, 3))
    want = np.array(kernels.pumped_rate(*m, alpha, tf, *d.ravel(), *omega))
    got = np.array(kernels.axial_pumped_rate(*m, *p, alpha, tf, g0, g1, g2, g3, *omega))
    assert np.abs(got - want).max() <= 1e-14 * np.abs(omega).max()
    theta, kap = np.array([1.7]), 0.6  # J/s; 1/(M_s V)²
    mp = np.array([[1.0, 1.0 / np.sqrt(kap), 0, 0, 0, 0]])  # M_s V = 1/√κ
    scale = kap * theta[0] * max(abs(g0), g1, abs(g2), abs(g3))  # of the covariance's terms
    sig = brown * np.sqrt(scale) if scale > 0 else brown
    jm = np.array([[0, -m[2], m[1]], [m[2], 0, -m[0]], [-m[1], m[0], 0]])
    cov = sig**2 * np.eye(3) + kap * jm @ (theta[0] * (jm @ d.T + d @ jm.T)) @ jm.T

    def fields(draw):  # columns: the field of each unit deviate
        cols = []
        for xi in np.eye(3):
            b = np.full((1, 3), np.nan)
            draw(xi, b)
            cols.append(b[0])
        return np.array(cols).T

    gax = np.array([g0, g1, g2, g3])
    axial = fields(lambda xi, b: kernels.axial_thermal_field(m[None], p, gax, mp, theta, sig,
                                                             xi, b))
    general = fields(lambda xi, b: kernels.thermal_field_one(m[None], d, mp, theta, sig, xi,
                                                             b))
    assert np.all(np.isfinite(axial)) and np.all(np.isfinite(general))
    big = max(scale, sig**2)
    assert np.abs(axial @ axial.T - cov).max() <= 1e-14 * big
    assert np.abs(general @ general.T - cov).max() <= 1e-14 * big
    # the same root: to √ε when the covariance has a zero eigenvalue (no Brown's field), so
    # ill-conditioned is its square root there
    tol = 1e-7 if sig == 0 else 1e-12
    assert np.abs(general - axial).max() <= tol * np.sqrt(big)
    if scale == 0 or g1 == 0:
        np.testing.assert_allclose(axial, sig * np.eye(3), rtol=0, atol=1e-14 * sig)
