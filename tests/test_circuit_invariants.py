"""The general solver against an independent method and the invariants of physics.md §2–4.

Every test runs in both regimes and, where it matters, through both back ends; odd seeds draw
circuits in which ferromagnets may be joined by tunnel junctions (two-port contacts).
"""

import copy

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.spatial.transform import Rotation

from random_circuits import (
    node_outflow,
    node_sinks,
    random_circuit,
    random_device,
    random_unit,
    reference_solve,
)
from spincaloric import ContactParameters, Device, DeviceError
from spincaloric.constants import TORQUE_PER_SPIN_CURRENT

REGIMES = ["thermalized", "noninteracting"]
METHODS = ["dense", "sparse"]
seeds = st.integers(0, 2**32 - 1)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("regime", REGIMES)
@settings(max_examples=25, deadline=None)
@given(seed=seeds)
def test_solver_equals_constrained_dense_reference(regime, method, seed):
    rng = np.random.default_rng(seed)
    circuit = random_circuit(rng, regime, n_internal=int(rng.integers(1, 5)),
                             n_reservoirs=int(rng.integers(2, 5)), junctions=bool(seed % 2))
    sol = circuit.solve(method=method)
    x_ref, j_ref = reference_solve(circuit)
    scale_x = np.abs(x_ref).max()
    np.testing.assert_allclose(sol.states, x_ref, atol=1e-9 * scale_x)
    np.testing.assert_allclose(sol.currents, j_ref, atol=1e-9 * np.abs(j_ref).max())


@pytest.mark.parametrize("regime", REGIMES)
@settings(max_examples=25, deadline=None)
@given(seed=seeds)
def test_conservation_at_every_internal_node(regime, seed):
    rng = np.random.default_rng(seed)
    circuit = random_circuit(rng, regime, n_internal=4, n_reservoirs=3, junctions=bool(seed % 2))
    sol = circuit.solve()
    # every balance: what leaves through contacts plus what relaxes in the node vanishes
    out = node_outflow(circuit, sol.currents) + node_sinks(circuit, sol.states)
    scale = np.abs(sol.currents).max(axis=(0,))  # per component
    for n in circuit.internal:
        o = out[n]
        checks = [o[0], o[4]]  # charge and energy (heat measured from μ0)
        if circuit.ferromagnet[n]:
            m = circuit.magnetization[n]
            checks += [m @ o[1:4]] + ([m @ o[5:8]] if regime == "noninteracting" else [])
        else:
            checks += list(o[1:4]) + (list(o[5:8]) if regime == "noninteracting" else [])
        assert np.abs(checks).max() <= 1e-10 * scale.max()
        x = sol.states[n]
        if circuit.ferromagnet[n]:  # collinear distributions along m
            m = circuit.magnetization[n]
            assert np.linalg.norm(np.cross(m, x[1:4])) <= 1e-12 * (1 + np.abs(x).max())
            assert np.linalg.norm(np.cross(m, x[5:8])) <= 1e-12 * (1 + np.abs(x).max())
        if regime == "thermalized":
            assert np.all(x[5:8] == 0)
    # what flows into the reservoirs sums to zero (charge and heat)
    res = circuit.reservoir
    assert abs(out[res, 0].sum()) <= 1e-10 * scale[0]
    heat_to_bath = node_sinks(circuit, sol.states)[:, 4].sum()
    assert abs(out[res, 4].sum() - heat_to_bath) <= 1e-10 * scale[4]  # reservoirs feed the bath


@pytest.mark.parametrize("regime", REGIMES)
@settings(max_examples=25, deadline=None)
@given(seed=seeds)
def test_entropy_production_non_negative_and_equal_to_reservoir_work(regime, seed):
    rng = np.random.default_rng(seed)
    circuit = random_circuit(rng, regime, junctions=bool(seed % 2))
    sol = circuit.solve()
    assert np.all(sol.contact_entropy_production >= -1e-12 * abs(sol.entropy_production))
    assert np.all(sol.node_entropy_production >= 0)
    assert sol.entropy_production > 0
    # Σ_contacts J·F/T = Σ_reservoirs (I_r V_r + Q_r ΔT_r/T)/T with the outflow of reservoir r
    out = node_outflow(circuit, sol.currents)
    t = circuit.temperature
    res = circuit.reservoir
    x = sol.states
    total = (out[res, 0] * x[res, 0] + out[res, 4] * x[res, 4] / t).sum() / t
    assert total == pytest.approx(float(sol.entropy_production), rel=1e-9, abs=0)


def reservoir_response(circuit, magnetization):
    """L with (I_r, Q_r) = L (V_r, ΔT_r / T), outflows of every reservoir, via unit drives."""
    res = [circuit.names[i] for i in np.flatnonzero(circuit.reservoir)]
    t = circuit.temperature
    cols = []
    for name in res:
        for what in ("voltage", "temperature"):
            v = {r: 0.0 for r in res}
            temp = {r: t for r in res}
            if what == "voltage":
                v[name] = -1e-3  # electric potential: theory V = +1 mV
                scale = 1e-3
            else:
                temp[name] = t + 1e-3 * t
                scale = 1e-3
            sol = circuit.solve(magnetization=magnetization, voltage=v, temperature=temp)
            out = node_outflow(circuit, sol.currents)
            col = []
            for r in res:
                i = circuit.index[r]
                col += [out[i, 0], out[i, 4]]
            cols.append(np.array(col) / scale)
    return np.array(cols).T


@pytest.mark.parametrize("regime", REGIMES)
@settings(max_examples=20, deadline=None)
@given(seed=seeds)
def test_onsager_casimir_reciprocity_of_the_circuit(regime, seed):
    """L_ij(m) = L_ji(−m) for the charge and heat currents into the reservoirs."""
    rng = np.random.default_rng(seed)
    circuit = random_circuit(rng, regime, junctions=bool(seed % 2))
    mags = {n: circuit.magnetization[circuit.index[n]] for n in circuit.magnets}
    lp = reservoir_response(circuit, mags)
    lm = reservoir_response(circuit, {k: -v for k, v in mags.items()})
    np.testing.assert_allclose(lp, lm.T, atol=1e-9 * np.abs(lp).max())


@pytest.mark.parametrize("regime", REGIMES)
@settings(max_examples=20, deadline=None)
@given(seed=seeds, shift=st.floats(-1.0, 1.0))
def test_gauge_invariance_under_common_voltage_shift(regime, seed, shift):
    rng = np.random.default_rng(seed)
    circuit = random_circuit(rng, regime, junctions=bool(seed % 2))
    res = [circuit.names[i] for i in np.flatnonzero(circuit.reservoir)]
    base = circuit.solve()
    shifted = circuit.solve(voltage={r: float(base.state(r).voltage) + shift for r in res})
    np.testing.assert_allclose(shifted.currents, base.currents,
                               atol=1e-9 * np.abs(base.currents).max())
    for n in base.nodes:
        assert float(shifted.nodes[n].voltage) == pytest.approx(
            float(base.nodes[n].voltage) + shift, abs=1e-9)
        np.testing.assert_allclose(shifted.nodes[n].spin_accumulation,
                                   base.nodes[n].spin_accumulation, atol=1e-12)


@pytest.mark.parametrize("regime", REGIMES)
@settings(max_examples=20, deadline=None)
@given(seed=seeds)
def test_rotation_covariance(regime, seed):
    rng = np.random.default_rng(seed)
    circuit = random_circuit(rng, regime, junctions=bool(seed % 2))
    rot = Rotation.random(random_state=int(rng.integers(2**31))).as_matrix()
    mags = {n: circuit.magnetization[circuit.index[n]] for n in circuit.magnets}
    a = circuit.solve()
    b = circuit.solve(magnetization={k: rot @ v for k, v in mags.items()})
    sa, sb = a.states, b.states
    np.testing.assert_allclose(sb[:, [0, 4]], sa[:, [0, 4]], atol=1e-9 * np.abs(sa).max())
    np.testing.assert_allclose(sb[:, 1:4], sa[:, 1:4] @ rot.T, atol=1e-9 * np.abs(sa).max())
    np.testing.assert_allclose(sb[:, 5:8], sa[:, 5:8] @ rot.T, atol=1e-9 * np.abs(sa).max())
    scale = TORQUE_PER_SPIN_CURRENT * np.abs(a.currents[:, :4]).max()  # charge and spin
    for k in a.torques:
        np.testing.assert_allclose(b.torques[k], rot @ a.torques[k], atol=1e-9 * scale)


@pytest.mark.parametrize("regime", REGIMES)
@settings(max_examples=20, deadline=None)
@given(seed=seeds, flips=st.lists(st.booleans(), min_size=8, max_size=8))
def test_no_torque_when_all_magnets_are_collinear(regime, seed, flips):
    rng = np.random.default_rng(seed)
    circuit = random_circuit(rng, regime, imaginary=True, junctions=bool(seed % 2))
    axis = random_unit(rng)
    mags = {n: (axis if f else -axis) for n, f in zip(circuit.magnets, flips * 4)}
    sol = circuit.solve(magnetization=mags)
    scale = TORQUE_PER_SPIN_CURRENT * np.abs(sol.currents[..., :4]).max()  # charge and spin
    for k, tau in sol.torques.items():
        assert np.abs(tau).max() <= 1e-10 * scale, k
        # and every spin accumulation is collinear with the common axis
    for n in sol.nodes.values():
        assert np.linalg.norm(np.cross(axis, n.spin_accumulation)) <= 1e-12


def spin_valve(regime="thermalized", p=0.5, **kw):
    c = ContactParameters.from_paper(conductance=1e-2, polarization=p, mixing=0.8,
                                     seebeck=-4e-6, polarization_derivative=0.7,
                                     mixing_derivative=0.1, temperature=300.0)
    dev = Device(temperature=300.0, regime=regime)
    dev.add_node("a", "ferromagnet", reservoir=True, magnetization=[0, 0, 1], **kw)
    dev.add_node("spacer", "normal")
    dev.add_node("b", "ferromagnet", reservoir=True, magnetization=[1, 0, 1])
    dev.add_contact("a", "spacer", c)
    dev.add_contact("spacer", "b", c)  # either orientation must give the same physics
    return dev.finalize()


@pytest.mark.parametrize("regime", REGIMES)
def test_torque_sign_is_convention_free(regime):
    """Electrons from A through the spacer into B pull m_B toward m_A, push m_A from m_B."""
    circuit = spin_valve(regime)
    # electrons flow from low to high electric potential: A at −1 mV, B at 0
    sol = circuit.solve(voltage={"a": -1e-3, "b": 0.0})
    m_a, m_b = np.array([0, 0, 1.0]), np.array([1, 0, 1.0]) / np.sqrt(2)
    assert float(sol.contacts[0].charge_current) < 0  # conventional current B -> A
    assert sol.torques["b"] @ m_a > 0  # m_B rotates toward m_A
    assert sol.torques["a"] @ m_b < 0  # m_A rotates away from m_B
    for k, m in (("a", m_a), ("b", m_b)):
        assert abs(sol.torques[k] @ m) <= 1e-12 * np.linalg.norm(sol.torques[k])


@pytest.mark.parametrize("junctions", [False, True])
@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize("method", METHODS)
def test_batched_solve_equals_per_point_loop(regime, method, junctions):
    rng = np.random.default_rng(7)
    circuit = random_circuit(rng, regime, junctions=junctions)
    assert circuit.junction.any() == junctions
    magnet = circuit.magnets[0]
    res = [circuit.names[i] for i in np.flatnonzero(circuit.reservoir)]
    ms = random_unit(rng, (3, 4))
    vs = rng.normal(size=(3, 1)) * 1e-3
    batched = circuit.solve(magnetization={magnet: ms}, voltage={res[0]: vs}, method=method)
    assert batched.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            one = circuit.solve(magnetization={magnet: ms[i, j]}, voltage={res[0]: vs[i, 0]})
            np.testing.assert_allclose(batched.states[i, j], one.states, atol=1e-15)
            np.testing.assert_allclose(batched.currents[i, j], one.currents,
                                       atol=1e-12 * np.abs(one.currents).max())
    # drives batched at fixed magnetizations (one factorisation, many right-hand sides)
    t = 300.0 + rng.normal(size=5)
    batch = circuit.solve(temperature={res[-1]: t}, method=method)
    for i in range(5):
        one = circuit.solve(temperature={res[-1]: t[i]})
        np.testing.assert_allclose(batch.currents[i], one.currents,
                                   atol=1e-12 * np.abs(one.currents).max())


@pytest.mark.parametrize("regime", REGIMES)
@pytest.mark.parametrize("method", METHODS)
@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_magnetization_batches_with_injected_current_and_heat(regime, method, seed):
    """A batch over a magnet's direction, with a current-biased lead and heat deposited in an
    internal node, equals the point-by-point solves (the batched dense path assembles the
    magnet's contacts separately: the source terms must be counted once)."""
    rng = np.random.default_rng(seed)
    circuit = random_circuit(rng, regime, current_lead=True, junctions=bool(seed % 2))
    assert circuit.current_biased.any()
    assume(circuit.magnets)
    # a reservoir magnet if there is one: its batches take the feature-space path
    magnet = min(circuit.magnets, key=lambda n: not circuit.reservoir[circuit.index[n]])
    node = circuit.names[int(circuit.internal[0])]
    ms = random_unit(rng, (5,))
    heat = {node: 1e-9 * rng.uniform(0.5, 2.0)}
    batched = circuit.solve(magnetization={magnet: ms}, heat=heat, method=method)
    for p in range(5):
        one = circuit.solve(magnetization={magnet: ms[p]}, heat=heat, method="sparse")
        np.testing.assert_allclose(batched.states[p], one.states,
                                   atol=1e-10 * np.abs(one.states).max())
        np.testing.assert_allclose(batched.currents[p], one.currents,
                                   atol=1e-10 * np.abs(one.currents).max())


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("regime", REGIMES)
@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_current_bias_is_the_inverse_of_voltage_bias(regime, method, seed):
    """Voltage-bias a reservoir, read its current; current-bias it with that current: the
    solved voltage and every state and current come back."""
    rng = np.random.default_rng(seed)
    dev = random_circuit(rng, regime)  # finalized; rebuild with a current-biased lead
    res = [dev.names[i] for i in np.flatnonzero(dev.reservoir)]
    sol_v = dev.solve(method=method)
    lead = res[-1]
    i = dev.index[lead]
    out = node_outflow(dev, sol_v.currents)[i, 0]  # theory current leaving the lead
    from spincaloric.circuit.device import Device

    builder = Device(temperature=dev.temperature, regime=regime)
    for n, name in enumerate(dev.names):
        kw = {} if dev.reservoir[n] else dict(
            spin_flip=float(dev.spin_flip[n]), bath=float(dev.bath[n]),
            spin_heat_relaxation=float(dev.spin_heat_relaxation[n]))
        if dev.reservoir[n]:
            kw = dict(reservoir=True, temperature=float(dev.reservoir_temperature[n]))
            if name == lead:
                kw["current"] = float(-out)  # conventional current into the device
            else:
                kw["voltage"] = float(-dev.reservoir_voltage[n])
        builder.add_node(name, "ferromagnet" if dev.ferromagnet[n] else "normal",
                         magnetization=dev.magnetization[n] if dev.ferromagnet[n] else None, **kw)
    for k in range(dev.n_contacts):
        builder.add_contact(*dev.between(k), dev.contact_parameters(k),
                            heat_conductance=float(dev.heat_conductance[k]))
    try:
        biased = builder.finalize()
    except DeviceError:  # the lead was the only voltage reference of its part of the circuit
        assume(False)
    sol_i = biased.solve(method=method)
    assert float(sol_i.reservoirs[lead].voltage) == pytest.approx(
        float(sol_v.reservoirs[lead].voltage), rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(sol_i.currents, sol_v.currents,
                               atol=1e-9 * np.abs(sol_v.currents).max())
    # and a batch of currents is linear: twice the current, twice the change of voltage
    two = biased.solve(current={lead: np.array([-out, -2 * out])}, method=method)
    v0 = float(biased.solve(current={lead: 0.0}).reservoirs[lead].voltage)
    dv = two.reservoirs[lead].voltage - v0
    assert dv[1] == pytest.approx(2 * dv[0], rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("method", METHODS)
def test_heat_deposited_in_a_node(method):
    """P watts in the node between two normal leads (S = 0): ΔT = P/(L0 T (G1 + G2)), and the
    leads receive exactly P; with a random circuit, every energy balance includes the source."""
    from spincaloric.constants import LORENZ

    dev = Device(temperature=300.0)
    dev.add_node("a", "normal", reservoir=True)
    dev.add_node("b", "normal", reservoir=True)
    dev.add_node("n", "normal", heat=2e-9)
    dev.add_contact("a", "n", ContactParameters.spin_independent(conductance=1e-2))
    dev.add_contact("n", "b", ContactParameters.spin_independent(conductance=3e-2))
    sol = dev.finalize().solve(method=method)
    assert float(sol.nodes["n"].temperature) - 300.0 == pytest.approx(
        2e-9 / (LORENZ * 300.0 * 4e-2), rel=1e-10, abs=0)  # ΔT from an absolute T: rounding
    assert float(-sol.contacts[0].heat_current + sol.contacts[1].heat_current) == pytest.approx(
        2e-9, rel=1e-12, abs=0)
    twice = dev.finalize().solve(heat={"n": np.array([2e-9, 4e-9])}, method=method)
    assert twice.nodes["n"].temperature[1] - 300 == pytest.approx(
        2 * (twice.nodes["n"].temperature[0] - 300), rel=1e-10, abs=0)
    rng = np.random.default_rng(3)
    circuit = random_circuit(rng, "noninteracting")
    node = circuit.names[circuit.internal[0]]
    sol = circuit.solve(heat={node: 1e-9}, method=method)
    out = node_outflow(circuit, sol.currents) + node_sinks(circuit, sol.states)
    source = np.zeros(circuit.n_nodes)
    source[circuit.index[node]] = 1e-9
    internal = circuit.internal
    # round-off of a sparse LU on a random circuit: a few 1e-12 of the source
    np.testing.assert_allclose(out[internal, 4], source[internal], atol=1e-11 * 1e-9)


def test_joule_heat_is_the_electrical_power_and_heats_the_middle():
    """A resistor chain between two leads at ±V/2 (S = 0, P = 0): the Joule heat equals I V,
    and feeding it back raises the temperature by the exact parabola of a heated wire."""
    from spincaloric.circuit.solution import joule_heat
    from spincaloric.constants import LORENZ

    n = 20
    dev = Device(temperature=300.0)
    dev.add_node("a", "normal", reservoir=True, voltage=0.5e-3)
    dev.add_node("b", "normal", reservoir=True, voltage=-0.5e-3)
    names = ["a"] + [f"n{i}" for i in range(n - 1)] + ["b"]
    for name in names[1:-1]:
        dev.add_node(name, "normal")
    g = 1e-1
    for x, y in zip(names, names[1:]):
        dev.add_contact(x, y, ContactParameters.spin_independent(conductance=g))
    circuit = dev.finalize()
    sol = circuit.solve()
    heat = joule_heat(sol)
    current = float(sol.contacts[0].charge_current)
    end_power = [float(c.charge_current) * 1e-3 / n for c in (sol.contacts[0], sol.contacts[-1])]
    total = sum(float(v) for v in heat.values()) + 0.5 * sum(end_power)
    assert total == pytest.approx(current * 1e-3, rel=1e-12, abs=0)
    hot = circuit.solve(heat=heat)
    # discrete heated wire: ΔT_i = q i (n − i) / (2 K) with q the heat per cell, K = L0 T g
    k_th = LORENZ * 300.0 * g
    q = current**2 / g
    rise = np.array([float(hot.nodes[f"n{i}"].temperature) - 300.0 for i in range(n - 1)])
    i = np.arange(1, n)
    np.testing.assert_allclose(rise, q * i * (n - i) / (2 * k_th), rtol=1e-10)


@pytest.mark.parametrize("regime", REGIMES)
@settings(max_examples=20, deadline=None)
@given(seed=seeds)
def test_joule_heat_totals_the_electrical_power_of_the_reservoirs(regime, seed):
    """Tellegen: the Joule heat of all contacts and nodes (the reservoirs' halves included)
    equals Σ_r V_r I_r, the electrical power the reservoirs deliver — with thermal biases,
    thermopowers, spin flip and junctions, where heat conduction produces entropy but no heat."""
    from spincaloric.circuit.solution import joule_heat

    rng = np.random.default_rng(seed)
    circuit = random_circuit(rng, regime, junctions=bool(seed % 2), current_lead=bool(seed % 3))
    sol = circuit.solve(heat={circuit.names[int(circuit.internal[0])]: 1e-9})
    x, j = sol.states, sol.currents
    dx = x[circuit.ends[:, 0]] - x[circuit.ends[:, 1]]
    power = j[:, 0] * dx[:, 0] + 0.5 * np.einsum("ki,ki->k", j[:, 1:4], dx[:, 1:4])
    at_reservoirs = sum(0.5 * power[k] for k, (a, b) in enumerate(circuit.ends)
                        for end in (a, b) if circuit.reservoir[end])
    total = sum(float(v) for v in joule_heat(sol).values()) + at_reservoirs
    res = circuit.reservoir
    delivered = float(np.sum(x[res, 0] * node_outflow(circuit, j)[res, 0]))
    scale = float(np.sum(np.abs(j[:, 0] * dx[:, 0])))
    assert total == pytest.approx(delivered, rel=0, abs=1e-9 * scale)


def test_heat_conduction_alone_deposits_no_joule_heat():
    """A temperature difference across resistors without thermopower: heat flows, entropy is
    produced, but no work is done on the electrons — no Joule heat."""
    from spincaloric.circuit.solution import joule_heat

    dev = Device(temperature=300.0)
    dev.add_node("a", "normal", reservoir=True, temperature=340.0)
    dev.add_node("mid", "normal")
    dev.add_node("b", "normal", reservoir=True)
    for x in ("a", "b"):
        dev.add_contact(x, "mid", ContactParameters.spin_independent(conductance=1e-2))
    sol = dev.finalize().solve()
    assert float(sol.contact_entropy_production.sum()) > 0
    assert float(joule_heat(sol)["mid"]) == 0.0


@pytest.mark.parametrize("method", METHODS)
def test_a_circuit_of_reservoirs_only(method):
    """Two reservoirs joined directly (no unknowns): the contact law alone, batched."""
    dev = Device(temperature=300.0)
    dev.add_node("a", "ferromagnet", reservoir=True, voltage=1e-3, magnetization=[0, 0, 1])
    dev.add_node("b", "normal", reservoir=True)
    c = ContactParameters.from_paper(conductance=1e-2, polarization=0.5, mixing=0.6,
                                     seebeck=-4.5e-6, polarization_derivative=0.77,
                                     mixing_derivative=0.13, temperature=300.0)
    dev.add_contact("a", "b", c)
    sol = dev.finalize().solve(voltage={"a": np.array([1e-3, 2e-3])}, method=method)
    np.testing.assert_allclose(sol.contacts[0].charge_current, [1e-5, 2e-5], rtol=1e-12)
    np.testing.assert_allclose(sol.contacts[0].spin_current[:, 2], [-5e-6, -1e-5], rtol=1e-12)


def hanle_device(rng, regime):
    """A random device whose normal internal nodes precess in random fields (connected)."""
    for _ in range(50):
        dev = random_device(rng, regime, hanle=True, junctions=bool(rng.integers(2)))
        try:
            dev.finalize()
            return dev
        except DeviceError:
            continue
    raise AssertionError("no connected circuit drawn")  # pragma: no cover


def turned(dev, rotation=None, reverse_field=False):
    """The device with every Hanle field reversed and/or every field and magnetization
    rotated."""
    dev = copy.deepcopy(dev)
    for spec in dev.nodes.values():
        if spec.precession is not None:
            spec.precession = -spec.precession if reverse_field else spec.precession
            spec.precession = spec.precession if rotation is None else rotation @ spec.precession
        if rotation is not None and spec.magnetization is not None:
            spec.magnetization = rotation @ spec.magnetization
    return dev


@pytest.mark.parametrize("regime", REGIMES)
@settings(max_examples=15, deadline=None)
@given(seed=seeds)
def test_hanle_precession_keeps_every_invariant(regime, seed):
    """Circuits whose normal nodes precess in a field: the solver equals the independent
    reference (dense and sparse), every balance closes with the precession term, precession
    does no work (entropy = reservoir work), Onsager–Casimir reciprocity holds only with the
    field reversed with the magnetizations, L(m, B) = L(−m, −B)ᵀ, and rotating the fields with
    the magnetizations rotates the solution."""
    rng = np.random.default_rng(seed)
    dev = hanle_device(rng, regime)
    circuit = dev.finalize()
    assert np.abs(circuit.precession).max() > 0
    x_ref, j_ref = reference_solve(circuit)
    for method in METHODS:
        sol = circuit.solve(method=method)
        np.testing.assert_allclose(sol.states, x_ref, atol=1e-9 * np.abs(x_ref).max())
        np.testing.assert_allclose(sol.currents, j_ref, atol=1e-9 * np.abs(j_ref).max())
    out = node_outflow(circuit, sol.currents) + node_sinks(circuit, sol.states)
    normal = circuit.internal[~circuit.ferromagnet[circuit.internal]]
    rows = [0, 1, 2, 3, 4] + ([5, 6, 7] if regime == "noninteracting" else [])
    assert np.abs(out[np.ix_(normal, rows)]).max() <= 1e-10 * np.abs(sol.currents).max()
    res = circuit.reservoir
    net = node_outflow(circuit, sol.currents)
    t = circuit.temperature
    work = (net[res, 0] * sol.states[res, 0] + net[res, 4] * sol.states[res, 4] / t).sum() / t
    assert work == pytest.approx(float(sol.entropy_production), rel=1e-9, abs=0)
    # Onsager–Casimir: reverse the magnetizations and the fields together
    mags = {n: circuit.magnetization[circuit.index[n]] for n in circuit.magnets}
    lp = reservoir_response(circuit, mags)
    lm = reservoir_response(turned(dev, reverse_field=True).finalize(),
                            {k: -v for k, v in mags.items()})
    np.testing.assert_allclose(lp, lm.T, atol=1e-9 * np.abs(lp).max())
    rot = Rotation.random(random_state=int(rng.integers(2**31))).as_matrix()
    b = turned(dev, rotation=rot).finalize().solve()
    scale = np.abs(sol.states).max()
    np.testing.assert_allclose(b.states[:, [0, 4]], sol.states[:, [0, 4]], atol=1e-9 * scale)
    np.testing.assert_allclose(b.states[:, 1:4], sol.states[:, 1:4] @ rot.T, atol=1e-9 * scale)
    np.testing.assert_allclose(b.states[:, 5:8], sol.states[:, 5:8] @ rot.T, atol=1e-9 * scale)


def test_a_hanle_field_breaks_plain_reciprocity():
    """The reciprocity above needs the field reversed: with m reversed alone the response of a
    three-terminal valve with a precessing middle node is not the transpose (the test of
    reciprocity can fail)."""
    dev = Device(temperature=300.0)
    for name, m in (("a", [1, 0, 0]), ("b", [0, 1, 0])):
        dev.add_node(name, "ferromagnet", reservoir=True, magnetization=m)
    dev.add_node("c", "normal", reservoir=True)
    dev.add_node("n", "normal", spin_flip=0.05, hanle_field=[0, 0, 1.0], spin_lifetime=1e-11)
    p = ContactParameters.from_paper(conductance=0.1, polarization=0.5, mixing=0.6,
                                     seebeck=-10e-6, polarization_derivative=0.3,
                                     mixing_derivative=0.0, temperature=300.0)
    for r in ("a", "b"):
        dev.add_contact(r, "n", p)
    dev.add_contact("c", "n", ContactParameters.spin_independent(conductance=0.1,
                                                                 seebeck=-10e-6))
    mags = {"a": np.array([1.0, 0, 0]), "b": np.array([0, 1.0, 0])}
    flipped = {k: -v for k, v in mags.items()}
    lp = reservoir_response(dev.finalize(), mags)
    plain = reservoir_response(dev.finalize(), flipped)
    casimir = reservoir_response(turned(dev, reverse_field=True).finalize(), flipped)
    np.testing.assert_allclose(lp, casimir.T, atol=1e-9 * np.abs(lp).max())
    assert np.abs(lp - plain.T).max() > 1e-3 * np.abs(lp).max()


# ---- topology: floating nodes and magnets -----------------------------------------------------


def _reachable(n, edges, start):
    """Nodes reachable from ``start`` (indices) over the undirected ``edges``."""
    seen, todo = set(start), list(start)
    while todo:
        i = todo.pop()
        for a, b in edges:
            for x, y in ((a, b), (b, a)):
                if x == i and y not in seen:
                    seen.add(y)
                    todo.append(y)
    return seen


@settings(max_examples=150, deadline=None)
@given(roles=st.lists(st.sampled_from(["internal", "ground", "current"]), min_size=2,
                      max_size=8),
       pairs=st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=12))
def test_floating_nodes_are_named_in_order(roles, pairs):
    """finalize names the first node no contact joins, else the first node (internal or
    current-biased) with no path of contacts to a voltage-biased reservoir — or solves."""
    n = len(roles)
    edges = [(a, b) for a, b in pairs if a < n and b < n and a != b]
    grounds = [i for i, r in enumerate(roles) if r == "ground"]
    assume(grounds)
    dev = Device(temperature=300.0)
    for i, role in enumerate(roles):
        bias = {"current": 1e-6} if role == "current" else {}
        dev.add_node(f"x{i}", "normal", reservoir=role != "internal", **bias)
    p = ContactParameters.spin_independent(conductance=1e-2, seebeck=0.0, temperature=300.0)
    for a, b in edges:
        dev.add_contact(f"x{a}", f"x{b}", p)
    touched = {i for e in edges for i in e}
    loose = [i for i in range(n) if i not in touched and roles[i] != "ground"]
    grounded = _reachable(n, edges, grounds)
    floating = [i for i in range(n) if i not in grounded]
    if loose or floating:
        with pytest.raises(DeviceError) as err:
            dev.finalize()
        first = (loose or floating)[0]
        assert err.value.field == f"nodes.x{first}"
        assert ("no contact joins it" if loose else "no path of contacts") in err.value.reason
    else:
        assert dev.finalize().n_nodes == n


@settings(max_examples=100, deadline=None)
@given(kinds=st.lists(st.sampled_from(["ferromagnet", "normal"]), min_size=2, max_size=9),
       links=st.lists(st.tuples(st.integers(0, 8), st.integers(0, 8), st.booleans()),
                      max_size=14))
def test_magnets_are_the_ferromagnets_bulk_cells_join(kinds, links):
    """magnet_group: for each ferromagnet the lowest index of the ferromagnets joined to it by
    bulk cells (not by tunnel junctions, not through normal nodes); −1 for normal nodes."""
    from random_circuits import random_junction

    n = len(kinds)
    rng = np.random.default_rng(0)
    dev = Device(temperature=300.0)
    dev.add_node("ground", "normal", reservoir=True)
    for i, kind in enumerate(kinds):
        dev.add_node(f"x{i}", kind, magnetization=[0, 0, 1] if kind == "ferromagnet" else None)
    p = ContactParameters.from_paper(conductance=1e-2, polarization=0.5, mixing=0.6,
                                     seebeck=0.0, polarization_derivative=0.0,
                                     mixing_derivative=0.0, temperature=300.0)
    plain = ContactParameters.spin_independent(conductance=1e-2)  # between normal nodes
    bulk = []
    for a, b, junction in links:
        if a >= n or b >= n or a == b:
            continue
        both = kinds[a] == kinds[b] == "ferromagnet"
        if both and junction:
            dev.add_contact(f"x{a}", f"x{b}", random_junction(rng))
        elif both or "normal" in (kinds[a], kinds[b]):
            dev.add_contact(f"x{a}", f"x{b}", plain if kinds[a] == kinds[b] == "normal" else p,
                            bulk=both)
            bulk += [(a + 1, b + 1)] if both else []
    for i in range(n):  # every node grounded
        if kinds[i] == "normal":
            dev.add_contact("ground", f"x{i}", plain)
        else:
            dev.add_contact(f"x{i}", "ground", p)
    c = dev.finalize()
    for i in range(1, n + 1):
        expected = min(_reachable(n + 1, bulk, [i])) if kinds[i - 1] == "ferromagnet" else -1
        assert c.magnet_group[i] == expected


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("regime", REGIMES)
@settings(max_examples=20, deadline=None)
@given(seed=seeds)
def test_links_currents_from_the_balance_equal_their_own_in_a_well_resolved_circuit(
        regime, method, seed):
    """The currents of contacts marked as resistance-free links are taken from the balance at
    one of their ends (every term of it: spin flip, bath, Hanle precession, a current-biased
    lead's source, heat deposited, a ferromagnet's projection on m). In a circuit whose
    conductances round-off resolves, that is an identity: the same circuit without the marks
    gives the same currents (G ΔX) and states, whatever contacts (chains and loops of links
    included) are marked."""
    import dataclasses

    rng = np.random.default_rng(seed)
    dev = random_device(rng, regime, n_internal=int(rng.integers(1, 5)), junctions=bool(seed % 2),
                        current_lead=bool(seed % 3 == 0), hanle=bool(seed % 5 < 2))
    try:
        plain = dev.finalize()
    except DeviceError:  # the rare disconnected topology
        assume(False)
    heat = {plain.names[plain.internal[0]]: 1e-9 * rng.normal()}
    marked = rng.random(len(dev.contacts)) < 0.5
    dev.contacts = [dataclasses.replace(c, ideal=bool(k)) for c, k in zip(dev.contacts, marked)]
    links = dev.finalize()
    assert np.array_equal(links.ideal_links, marked)
    sol, ref = (c.solve(method=method, heat=heat) for c in (links, plain))
    np.testing.assert_allclose(sol.states, ref.states, rtol=0, atol=0)
    scale = np.abs(ref.currents).max(axis=-2)  # per component
    np.testing.assert_allclose(sol.currents, ref.currents, rtol=0, atol=1e-10 * scale.max())


def _stiff_chain(g_small, g_big):
    """F lead —g_small (spin-dependent)— N1 —g_big— N2 —g_big (spin-dependent)— F lead."""
    def contact(g):
        return ContactParameters.from_paper(conductance=g, polarization=0.5, mixing=0.5,
                                            seebeck=-5e-6, polarization_derivative=0.3,
                                            mixing_derivative=0.1, temperature=300.0)
    dev = Device(temperature=300.0)
    dev.add_node("L", "ferromagnet", reservoir=True, voltage=1e-3, magnetization=[0, 0, 1])
    dev.add_node("N1", "normal")
    dev.add_node("N2", "normal")
    dev.add_node("R", "ferromagnet", reservoir=True, temperature=301.0, magnetization=[1, 0, 0])
    dev.add_contact("L", "N1", contact(g_small))
    dev.add_contact("N1", "N2", ContactParameters.spin_independent(conductance=g_big,
                                                                   temperature=300.0))
    dev.add_contact("N2", "R", contact(g_big))
    return dev.finalize()


@pytest.mark.parametrize("method", METHODS)
def test_currents_round_off_cannot_resolve_are_refused_or_named(method):
    """Conductances of 1e−29 and 1e29 S in series (each allowed alone): the currents beside the
    stiff contacts are G ΔV of round-off (10⁷ A of spin current, kW of heat), so charge does not
    balance — the solve is refused, naming the stiffest contact. A 1e10 S contact beside 0.01 S
    keeps charge to 10⁻⁶ but not the tiny spin current into the lead: a PrecisionWarning
    names the spin balance of its node. 1 S beside 0.01 S solves silently."""
    import warnings

    from spincaloric.solvers.linear import PrecisionWarning, SingularCircuitError

    with pytest.raises(SingularCircuitError, match=r"charge balances at node 'N[12]' only to") as err:
        _stiff_chain(1e-29, 1e29).solve(method=method)
    assert err.value.field == "contacts[1]" and "1e+58 times that of contacts[0]" in str(err.value)
    with pytest.warns(PrecisionWarning, match=r"^spin balances at node 'N2' only to"):
        sol = _stiff_chain(0.01, 1e10).solve(method=method)
    charge = sol.currents[:, 0]
    np.testing.assert_allclose(charge, charge[0], rtol=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrecisionWarning)
        _stiff_chain(0.01, 1.0).solve(method=method)
