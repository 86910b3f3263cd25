"""Diffusive bulk layers: the continuum drift–diffusion limit, Valet–Fert, series resistors."""

import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from spincaloric import ContactParameters, Device, DeviceError
from spincaloric.layers import (
    BulkMaterial,
    Interface,
    Layer,
    Lead,
    add_layer,
    multilayer,
    series_seebeck,
)
from spincaloric.layers.drift_diffusion import cpp_resistance_area, thermal_spin_accumulation

T = 300.0
AREA = 1e-16
CU = BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9)
CO = BulkMaterial(resistivity=60e-9, spin_flip_length=60e-9, spin_asymmetry=0.46)


def link(g):
    """A negligible-resistance spin-independent junction between two layers (S)."""
    return ContactParameters.from_paper(conductance=g, polarization=0.0, mixing=1.0, seebeck=0.0,
                                        polarization_derivative=0.0, mixing_derivative=0.0,
                                        temperature=T)


def spin_injection(cells, length=3 * 350e-9, regime="thermalized"):
    """A ferromagnetic lead (1 mV, and 1 K hotter in the non-interacting regime) injecting into
    a Cu wire that ends in a normal drain: (x (m), V_s (V), T_s (K)) at the wire's vertices."""

    hot = regime == "noninteracting"
    dev = Device(temperature=T, regime=regime)
    dev.add_node("inj", "ferromagnet", reservoir=True, voltage=0.0 if hot else 1e-3,
                 temperature=T + 1.0 if hot else None, magnetization=[0, 0, 1])
    dev.add_node("drain", "normal", reservoir=True)
    # the layer's first vertex is "start": give it its half-cell of (elastic) spin flip
    dev.add_node("start", "normal", spin_flip=CU.spin_flip_conductance(length / cells / 2, AREA))
    names = add_layer(dev, "cu", CU, length=length, area=AREA, cells=cells, start="start",
                      end="drain")
    dev.add_contact("inj", "start", ContactParameters.from_paper(
        conductance=1e-1, polarization=0.5, mixing=0.7, seebeck=0.0, polarization_derivative=0.0,
        mixing_derivative=0.0, temperature=T))
    sol = dev.finalize().solve()
    states = [sol.state(n) for n in names]
    return (np.linspace(0, length, cells + 1), np.array([s.spin_accumulation[2] for s in states]),
            np.array([s.spin_temperature[2] for s in states]))


def test_spin_accumulation_decays_as_the_continuum_solution():
    length = 3 * 350e-9
    errors = []
    for cells in (12, 24, 48):
        x, vs, _ = spin_injection(cells, length)
        exact = vs[0] * np.sinh((length - x) / 350e-9) / np.sinh(length / 350e-9)
        errors.append(np.abs(vs - exact).max() / abs(vs[0]))
    assert errors[-1] < 1e-3
    # second order: halving the cells divides the error by ~4
    assert errors[0] / errors[1] == pytest.approx(4, rel=0.15, abs=0)
    assert errors[1] / errors[2] == pytest.approx(4, rel=0.15, abs=0)


def test_spin_temperature_decays_on_the_spin_flip_length_in_the_noninteracting_regime():
    """A hot ferromagnetic lead injects a spin heat accumulation T⃗_s into a Cu wire (S = 0):
    elastic bulk spin flip relaxes it with L0 T G_sf, so T_s(x) = T_s(0) sinh((L − x)/λ)/
    sinh(L/λ) like V_s, to second order in Δx (without the relaxation it fell linearly)."""
    from spincaloric.constants import LORENZ

    length = 3 * 350e-9
    x, _, ts = spin_injection(96, length, regime="noninteracting")
    dev = Device(temperature=T, regime="noninteracting")
    dev.add_node("lead", "normal", reservoir=True)
    add_layer(dev, "cu", CU, length=length, area=AREA, cells=4, start="lead")
    circuit = dev.finalize()
    assert circuit.spin_heat_sink[1] == pytest.approx(LORENZ * T * circuit.spin_flip[1],
                                                      rel=1e-12, abs=0)
    exact = ts[0] * np.sinh((length - x) / 350e-9) / np.sinh(length / 350e-9)
    assert abs(ts[0]) > 1e-4  # a real spin heat accumulation (K) is injected
    assert np.abs(ts - exact).max() < 2e-4 * abs(ts[0])


def pillar_resistance_area(antiparallel, cells):
    dev = Device(temperature=T)
    dev.add_node("left", "normal", reservoir=True, voltage=1e-3)
    dev.add_node("right", "normal", reservoir=True)
    f1 = add_layer(dev, "f1", CO, length=10e-9, area=AREA, cells=cells, magnetization=[0, 0, 1])
    nm = add_layer(dev, "n", CU, length=5e-9, area=AREA, cells=cells)
    f2 = add_layer(dev, "f2", CO, length=10e-9, area=AREA, cells=cells,
                   magnetization=[0, 0, -1 if antiparallel else 1])
    big = 1e6 * CU.conductivity * AREA / 1e-9
    for a, b in (("left", f1[0]), (f1[-1], nm[0]), (nm[-1], f2[0]), (f2[-1], "right")):
        dev.add_contact(a, b, link(big))
    sol = dev.finalize().solve()
    return 1e-3 / float(sol.contacts[-1].charge_current) * AREA


@pytest.mark.parametrize("antiparallel", [False, True])
def test_valet_fert_cpp_gmr_of_a_co_cu_co_pillar(antiparallel):
    sign = -1 if antiparallel else 1
    exact = cpp_resistance_area([(CO, 10e-9, 1), (CU, 5e-9, 1), (CO, 10e-9, sign)])
    ar = pillar_resistance_area(antiparallel, cells=40)
    assert ar == pytest.approx(exact, rel=1e-4, abs=0)


def test_giant_magnetoresistance_is_positive_and_converges():
    exact_p = cpp_resistance_area([(CO, 10e-9, 1), (CU, 5e-9, 1), (CO, 10e-9, 1)])
    exact_ap = cpp_resistance_area([(CO, 10e-9, 1), (CU, 5e-9, 1), (CO, 10e-9, -1)])
    assert exact_ap > exact_p
    errs = [abs((pillar_resistance_area(True, c) - pillar_resistance_area(False, c))
                - (exact_ap - exact_p)) for c in (5, 10, 20)]
    assert errs[0] / errs[1] == pytest.approx(4, rel=0.2, abs=0)
    assert errs[1] / errs[2] == pytest.approx(4, rel=0.2, abs=0)


def test_series_resistor_rule_for_spin_independent_layers():
    """A chain of normal layers with different Seebeck coefficients between reservoirs at
    different temperatures: the open-circuit thermovoltage is (S/G) of the series rule."""
    mats = [BulkMaterial(resistivity=r, spin_flip_length=1e-6, seebeck=s)
            for r, s in ((20e-9, 2e-6), (50e-9, -5e-6), (10e-9, 1e-6))]
    lengths = [20e-9, 10e-9, 30e-9]
    dev = Device(temperature=T)
    dev.add_node("hot", "normal", reservoir=True, temperature=T + 1.0)
    dev.add_node("cold", "normal", reservoir=True, current=0.0)
    dev.add_node("ground", "normal", reservoir=True)
    prev = "hot"
    for i, (m, length) in enumerate(zip(mats, lengths)):
        names = add_layer(dev, f"l{i}", m, length=length, area=AREA, cells=4,
                          start=prev if i == 0 else None,
                          end="cold" if i == len(mats) - 1 else None)
        if i:
            dev.add_contact(prev, names[0], link(1e6))
        prev = names[-1]
    dev.add_contact("ground", "hot", link(1e3))  # fixes the potential of the hot end
    sol = dev.finalize().solve()
    g, s = series_seebeck([m.conductivity * AREA / length for m, length in zip(mats, lengths)],
                          [m.seebeck for m in mats])
    # theory: open-circuit ΔV = S ΔT between the ends (V_cold − V_hot, theory voltages)
    dv = -(float(sol.reservoirs["cold"].voltage) - float(sol.reservoirs["hot"].voltage))
    # the rule neglects the thermoelectric correction to the heat conductance, of relative
    # order S²/L0 (Peltier back-flow): the full solution differs by that much, and no more
    from spincaloric.constants import LORENZ

    z = max(m.seebeck**2 for m in mats) / LORENZ
    assert abs(dv / (s * -1.0) - 1) < 3 * z
    assert abs(dv / (s * -1.0) - 1) > 1e-3 * z  # and the correction is really there


def test_bad_layers_are_rejected():
    with pytest.raises(DeviceError, match="resistivity"):
        BulkMaterial(resistivity=0.0, spin_flip_length=1e-9)
    with pytest.raises(DeviceError, match="spin_flip_length"):
        BulkMaterial(resistivity=1e-8, spin_flip_length=-1e-9)
    dev = Device(temperature=T)
    with pytest.raises(DeviceError, match="layers.x.length"):
        add_layer(dev, "x", CU, length=-1e-9, area=AREA, cells=3)
    with pytest.raises(DeviceError, match=r"^layers\.x\.spin_asymmetry: a normal layer"):
        add_layer(dev, "x", CO, length=1e-9, area=AREA, cells=3)
    with pytest.raises(DeviceError, match=r"^layers\.x\.material: must be a BulkMaterial"):
        add_layer(dev, "x", None, length=1e-9, area=AREA, cells=3)
    hot = BulkMaterial(resistivity=1e-7, spin_flip_length=5e-9, spin_asymmetry=0.7,
                       seebeck=-100e-6, spin_seebeck=-400e-6)
    with pytest.raises(DeviceError, match=r"^layers\.x\.spin_seebeck: S = -100 uV/K and S_s = "
                       r"-400 uV/K .* beyond the entropy bound sqrt\(L0\) = 156\.\d uV/K$"):
        add_layer(dev, "x", hot, length=1e-9, area=AREA, cells=3, magnetization=(0, 0, 1))
    slip = replace(hot, spin_seebeck=-3.8)  # µV/K written for V/K
    with pytest.raises(DeviceError, match=r"S_s = -3\.8e\+06 uV/K .*\(thermopowers in V/K: "
                       r"-3\.8e-6 is -3\.8 uV/K\)$"):
        add_layer(dev, "x", slip, length=1e-9, area=AREA, cells=3, magnetization=(0, 0, 1))
    with pytest.raises(DeviceError, match=r"^temperature: must be at least 0.001 K"):
        multilayer([Lead("a"), Layer("x", CU, 1e-9), Lead("b")], area=AREA, temperature=0.0)
    with pytest.raises(DeviceError, match=r"^stack\[2\]: two interfaces in a row"):
        multilayer([Lead("a"), Interface(CU.cell_contact(1e-9, AREA, T)),
                    Interface(CU.cell_contact(1e-9, AREA, T)), Layer("x", CU, 1e-9), Lead("b")],
                   area=AREA, temperature=T)
    with pytest.raises(DeviceError, match=r"^length: must be positive"):
        from spincaloric.layers import lateral_spin_valve

        c = CU.cell_contact(1e-9, AREA, T)
        lateral_spin_valve(CU, length=-1.0, cross_section=AREA, injector_at=1e-6,
                           detector_at=2e-6, injector=c, detector=c, cells=10, temperature=T)
    for g, s, field in (([1.0, np.nan], [0.0, 0.0], "conductances"),
                        ([1.0, np.inf], [0.0, 0.0], "conductances"),
                        ([1.0, 2.0], [0.0, np.nan], "seebecks"),
                        ([], [], "seebecks"), ([1.0, 2.0], [0.0], "seebecks")):
        with pytest.raises(DeviceError, match=rf"^{field}: "):
            series_seebeck(g, s)
    for cells, reason in ((2.5, "whole number"), (3.0, "whole number"), (True, "whole number"),
                          (0, "whole number"), (10**30, "at most 10,000,000 cells")):
        with pytest.raises(DeviceError, match=f"layers.x.cells: .*{reason}"):
            add_layer(dev, "x", CU, length=1e-9, area=AREA, cells=cells)


def test_thermal_spin_injection_of_a_semi_infinite_f_n_junction():
    """Open-circuit F|N junction in a temperature gradient (Slachter et al. 2010's mechanism).

    With x from F into N and no charge current, j_s = −(σ_F(1 − P²)/2)(V_s' − S_s T') in F and
    −(σ_N/2) V_s' in N; matching V_s and j_s at the interface gives
    V_s(0) = μ_s(0)/e = S_s T'_F λ_F R_N/(R_F + R_N), R_F = λ_F/[σ_F(1 − P²)], R_N = λ_N/σ_N,
    and V_s ∝ exp(−x/λ_N) in N (the issue's formula, with its sign for the opposite x axis).
    """
    py = BulkMaterial(resistivity=150e-9, spin_flip_length=5e-9, spin_asymmetry=0.7,
                      seebeck=-20e-6, spin_seebeck=-3.8e-6)
    cu = BulkMaterial(resistivity=20e-9, spin_flip_length=200e-9, seebeck=1.6e-6)
    dev = Device(temperature=T)
    dev.add_node("hot", "ferromagnet", reservoir=True, temperature=T + 1.0,
                 magnetization=[0, 0, 1])
    dev.add_node("cold", "normal", reservoir=True, current=0.0)
    f = add_layer(dev, "py", py, length=20 * 5e-9, area=AREA, cells=400, start="hot",
                  magnetization=[0, 0, 1])
    n = add_layer(dev, "cu", cu, length=15 * 200e-9, area=AREA, cells=400, end="cold")
    dev.add_contact(f[-1], n[0], link(1e8))
    sol = dev.finalize().solve()
    temps = np.array([float(sol.state(v).temperature) for v in f])
    dx_f = 20 * 5e-9 / 400
    grad_f = (temps[-11] - temps[-31]) / (20 * dx_f)  # dT/dx in F near the interface
    r_f = 5e-9 * 150e-9 / (1 - 0.7**2)
    r_n = 200e-9 * 20e-9
    expected = -3.8e-6 * grad_f * 5e-9 * r_n / (r_f + r_n)
    assert thermal_spin_accumulation(py, cu, grad_f) == pytest.approx(expected, rel=1e-12,
                                                                      abs=0)
    vs0 = float(sol.state(n[0]).spin_accumulation[2])
    assert vs0 == pytest.approx(expected, rel=2e-3, abs=0)
    vs = np.array([float(sol.state(v).spin_accumulation[2]) for v in n])
    x = np.linspace(0, 15 * 200e-9, 401)
    np.testing.assert_allclose(vs[:200], vs0 * np.exp(-x[:200] / 200e-9), atol=3e-3 * abs(vs0))


def test_multilayer_builder_reproduces_the_hand_built_pillar():
    from spincaloric.layers import Layer, Lead, multilayer

    for antiparallel in (False, True):
        dev = multilayer([Lead("left", voltage=1e-3),
                          Layer("f1", CO, 10e-9, cells=40, magnetization=(0, 0, 1)),
                          Layer("n", CU, 5e-9, cells=40),
                          Layer("f2", CO, 10e-9, cells=40,
                                magnetization=(0, 0, -1 if antiparallel else 1)),
                          Lead("right")], area=AREA, temperature=T)
        sol = dev.finalize().solve()
        ar = 1e-3 / float(sol.contacts[-1].charge_current) * AREA
        exact = cpp_resistance_area([(CO, 10e-9, 1), (CU, 5e-9, 1),
                                            (CO, 10e-9, -1 if antiparallel else 1)])
        assert ar == pytest.approx(exact, rel=1e-4, abs=0)


@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
def test_noncollinear_pillar_with_thick_layers(regime):
    """Torque through bulk layers: only the vertex at the interface absorbs the transverse
    spin current; dense and sparse back ends agree; collinear magnets feel no torque."""
    from spincaloric.layers import Interface, Layer, Lead, multilayer

    def pillar(m2):
        interface = Interface(ContactParameters.from_paper(
            conductance=0.08, polarization=0.69, mixing=0.64, seebeck=-4.5e-6,
            polarization_derivative=0.77, mixing_derivative=0.13, temperature=T))
        return multilayer([Lead("left", voltage=-1e-3, temperature=T + 2),
                           Layer("f1", CO, 10e-9, cells=30, magnetization=(0, 0, 1)),
                           interface, Layer("n", CU, 5e-9, cells=30), interface,
                           Layer("f2", CO, 10e-9, cells=30, magnetization=m2),
                           Lead("right")], area=AREA, temperature=T,
                          regime=regime).finalize()

    c = pillar((1, 0, 0))
    sparse, dense = c.solve(method="sparse"), c.solve(method="dense")
    np.testing.assert_allclose(sparse.currents, dense.currents,
                               atol=1e-10 * np.abs(dense.currents).max())
    torques = {k: v for k, v in sparse.torques.items() if k.startswith("f2_")}
    big = max(np.linalg.norm(v) for v in torques.values())
    assert big > 0
    assert np.linalg.norm(torques["f2_0"]) == pytest.approx(big, rel=1e-6, abs=0)
    assert sum(np.linalg.norm(v) for k, v in torques.items() if k != "f2_0") < 1e-12 * big
    collinear = pillar((0, 0, -1)).solve()
    assert max(np.linalg.norm(v) for v in collinear.torques.values()) < 1e-12 * big


def test_lateral_spin_valve_tunnel_limit():
    """Non-local signal of a lateral valve with resistive (tunnel-like) contacts:
    ΔR_NL = R_NL(P) − R_NL(AP) = P² R_λ e^{−L/λ}, R_λ = ρλ/A, for a channel long on both sides
    (spin absorbed by the far leads only after many λ), to the order R_λ/R_contact."""
    from spincaloric.layers import lateral_spin_valve

    cu = BulkMaterial(resistivity=20e-9, spin_flip_length=500e-9)
    area = 100e-9 * 50e-9
    r_lambda = cu.resistivity * 500e-9 / area
    g_contact = 1e-3 / r_lambda  # R_contact = 1000 R_λ
    contact = ContactParameters.from_paper(conductance=g_contact, polarization=0.3, mixing=0.5,
                                           seebeck=0.0, polarization_derivative=0.0,
                                           mixing_derivative=0.0, temperature=T)
    signals = {}
    for label, m_det in (("P", (0, 0, 1)), ("AP", (0, 0, -1))):
        dev = lateral_spin_valve(cu, length=20e-6, cross_section=area, injector_at=8e-6,
                                 detector_at=8.5e-6, injector=contact, detector=contact,
                                 cells=4000, temperature=T, detector_magnetization=m_det,
                                 current=1e-4)
        sol = dev.finalize().solve()
        v = float(sol.reservoirs["detector"].voltage) - float(sol.reservoirs["right"].voltage)
        signals[label] = v / 1e-4
    delta = signals["P"] - signals["AP"]
    expected = 0.3**2 * r_lambda * np.exp(-0.5e-6 / 500e-9)
    assert delta == pytest.approx(expected, rel=5e-3, abs=0)
    assert signals["P"] == pytest.approx(-signals["AP"], rel=1e-2, abs=0)


@pytest.mark.slow
def test_lateral_valve_contacts_sit_exactly_where_they_are_placed():
    """Contacts off the uniform grid are vertices exactly (the channel is cut there): the signal
    converges at second order (it used to stall at the rounding error), and contacts closer
    than a cell stay distinct (they used to share a vertex: +17 %)."""
    from spincaloric.layers import lateral_spin_valve, vertex_positions

    cu = BulkMaterial(resistivity=20e-9, spin_flip_length=500e-9)
    area = 100e-9 * 50e-9
    r_lambda = cu.resistivity * 500e-9 / area
    contact = ContactParameters.from_paper(conductance=1e-3 / r_lambda, polarization=0.3,
                                           mixing=0.5, seebeck=0.0, polarization_derivative=0.0,
                                           mixing_derivative=0.0, temperature=T)

    def delta(cells, at, to):
        out = []
        for m_det in ((0, 0, 1), (0, 0, -1)):
            dev = lateral_spin_valve(cu, length=20e-6, cross_section=area, injector_at=at,
                                     detector_at=to, injector=contact, detector=contact,
                                     cells=cells, temperature=T, detector_magnetization=m_det)
            sol = dev.finalize().solve()
            out.append(float(sol.reservoirs["detector"].voltage)
                       - float(sol.reservoirs["right"].voltage))
        return (out[0] - out[1]) / 1e-4

    at, to = 8.0123e-6, 8.5377e-6
    x = vertex_positions(20e-6, 400, (at, to))
    assert at in x and to in x and len(x) == 401
    cells = np.array([200, 400, 800, 6400])
    r = np.array([delta(int(n), at, to) for n in cells])
    # error against the finest mesh: slope 2 in log-log (the segments' cell counts are rounded
    # proportions, so single ratios jitter between 3.4 and 4.3)
    slope = np.polyfit(np.log(cells[:-1]), np.log(abs(r[:-1] - r[-1])), 1)[0]
    assert slope == pytest.approx(-2.0, abs=0.15)
    expected = 0.3**2 * r_lambda * np.exp(-(to - at) / 500e-9)
    assert r[-1] == pytest.approx(expected, rel=5e-3, abs=0)
    # 0.09 µm apart on a mesh of 0.2 µm cells: distinct vertices, within the coarse mesh's
    # 2 % of the closed form (it was +17 %), and within 0.1 % on a fine mesh
    closed = 0.3**2 * r_lambda * np.exp(-0.09e-6 / 500e-9)
    assert delta(100, 8.0e-6, 8.09e-6) == pytest.approx(closed, rel=3e-2, abs=0)
    assert delta(3200, 8.0e-6, 8.09e-6) == pytest.approx(closed, rel=1e-3, abs=0)


def test_side_contact_positions_are_checked_and_near_coincident_ones_merge():
    """Positions outside the layer (which used to lengthen it: 3 Ω for a 2 Ω wire) or NaN are
    refused; a position within 1e-6 of a cell of an end or of another merges with it (a cell of
    1e-21 m made its current 8 % wrong by cancellation); a lateral valve refuses contacts that
    would share a vertex."""
    from spincaloric.layers import lateral_spin_valve, vertex_positions

    dev = Device(temperature=T)
    for bad in ((1.5e-6,), (-1e-7,), (float("nan"),)):
        with pytest.raises(DeviceError, match=r"^layers\.x\.through: positions must lie inside"):
            add_layer(dev, "x", CU, length=1e-6, area=AREA, cells=10, through=bad)
    np.testing.assert_allclose(vertex_positions(1.0, 10, (1e-15, 0.5, 0.5 + 1e-12)),
                               np.linspace(0, 1, 11), rtol=0, atol=1e-15)
    dev = Device(temperature=T)
    dev.add_node("a", "normal", reservoir=True, voltage=1e-3)
    dev.add_node("b", "normal", reservoir=True)
    add_layer(dev, "w", CU, length=1e-6, area=1e-14, cells=20, start="a", end="b",
              through=(1e-21,))
    sol = dev.finalize().solve()
    currents = np.array([float(c.charge_current) for c in sol.contacts])
    expected = 1e-3 / (CU.resistivity * 1e-6 / 1e-14)
    np.testing.assert_allclose(np.abs(currents), expected, rtol=1e-12)
    c = CU.cell_contact(1e-9, AREA, T)
    with pytest.raises(DeviceError, match=r"^detector_at: the contacts must be apart"):
        lateral_spin_valve(CU, length=1e-6, cross_section=AREA, injector_at=1e-21,
                           detector_at=0.5e-6, injector=c, detector=c, cells=10, temperature=T)


def test_thermal_spin_injection_by_joule_heating_in_a_lateral_valve():
    """Slachter's mechanism: the Joule heat of a ferromagnetic injector strip drives a
    spin-dependent Seebeck spin injection; the second-order non-local signal has a part that
    reverses with the detector (∝ S_s, vanishing without it) on top of a spin-independent
    thermoelectric background."""
    from spincaloric.layers import lateral_spin_valve, nonlocal_resistances

    cu = BulkMaterial(resistivity=20e-9, spin_flip_length=500e-9, seebeck=1.6e-6)
    area = 100e-9 * 50e-9
    contact = ContactParameters.from_paper(conductance=1.0, polarization=0.3, mixing=0.5,
                                           seebeck=0.0, polarization_derivative=0.0,
                                           mixing_derivative=0.0, temperature=T)

    def delta_r2(s_s):
        py = BulkMaterial(resistivity=150e-9, spin_flip_length=5e-9, spin_asymmetry=0.7,
                          seebeck=-20e-6, spin_seebeck=s_s)
        r2 = {}
        for label, m in (("P", (0, 0, 1)), ("AP", (0, 0, -1))):
            dev = lateral_spin_valve(cu, length=20e-6, cross_section=area, injector_at=8e-6,
                                     detector_at=8.5e-6, injector=contact, detector=contact,
                                     cells=2000, temperature=T, detector_magnetization=m,
                                     injector_layer=py, injector_length=100e-9,
                                     injector_cells=20)
            r2[label] = nonlocal_resistances(dev.finalize(), 1e-4)[1]
        return r2["P"] - r2["AP"], r2["P"] + r2["AP"]

    d0, bg0 = delta_r2(0.0)
    d1, bg1 = delta_r2(-3.8e-6)
    d2, _ = delta_r2(-7.6e-6)
    assert abs(d1) > 1e3 * abs(d0)  # the spin-dependent part needs S_s (d0 is rounding)
    assert d2 - d0 == pytest.approx(2 * (d1 - d0), rel=1e-3, abs=0)  # linear in S_s
    assert bg1 == pytest.approx(bg0, rel=1e-2, abs=0)  # the background does not care


def test_layers_in_a_device_file_equal_the_layers_built_in_code(tmp_path):
    """``[layers.NAME]`` builds the same circuit as :func:`add_layer` with the database
    materials; bad layer entries are one-line errors naming the field (exit status 2)."""
    from click.testing import CliRunner

    from spincaloric.cli import main
    from spincaloric.io import load_device
    from spincaloric.materials import bulk_material, get_interface

    path = Path(__file__).parent.parent / "examples" / "devices" / "pillar_thick_layers.toml"
    from_file = load_device(path).finalize().solve()
    area = 1.26e-15
    d = get_interface("Cu/Co(001)*")
    cu_co = ContactParameters.from_paper(
        conductance=0.80e15 * area, polarization=d.polarization, mixing=d.mixing,
        seebeck=d.seebeck(T), polarization_derivative=d.polarization_derivative,
        mixing_derivative=d.mixing_derivative, temperature=T)
    dev = Device(temperature=T)
    dev.add_node("bottom", "normal", reservoir=True, temperature=T + 1.0)
    dev.add_node("top", "normal", reservoir=True)
    add_layer(dev, "fixed", bulk_material("Co"), length=20e-9, area=area, cells=20,
              magnetization=(0, 0, 1))
    add_layer(dev, "spacer", bulk_material("Cu"), length=10e-9, area=area, cells=10)
    add_layer(dev, "free", bulk_material("Co"), length=3e-9, area=area, cells=6,
              magnetization=(1, 0, 0))
    for a, b in (("fixed_20", "spacer_0"), ("free_0", "spacer_10"), ("fixed_0", "bottom"),
                 ("free_6", "top")):
        dev.add_contact(a, b, cu_co)
    in_code = dev.finalize().solve()
    np.testing.assert_array_equal(from_file.states, in_code.states)
    assert np.abs(from_file.torques["free_0"]).max() > 0

    text = path.read_text()
    for old, new, message in (
            ('material = "Cu"', 'material = "Cuu"', "layers.spacer.material: unknown bulk"),
            ("length = 10e-9", "length = 0.0", "layers.spacer.length: must be positive"),
            ("cells = 6", "cells = 0", "layers.free.cells"),
            ('material = "Cu"', "resistivity = 1.7e-8",
             "layers.spacer.spin_flip_length: required without a material"),
            ('material = "Cu"', 'material = "Pt"',
             "layers.spacer.spin_flip_length: no sourced value"),
            # the file's own contact numbering, whatever the layers add before it
            ('between = ["free_0", "spacer_10"]', 'between = ["free_0", "fixed_3"]',
             "contacts[1].between: two ferromagnets cannot be joined directly")):
        bad = tmp_path / "bad.toml"
        bad.write_text(text.replace(old, new, 1))
        res = CliRunner().invoke(main, ["solve", str(bad)])
        assert res.exit_code == 2 and message in res.stderr, (message, res.output)
        assert "Traceback" not in res.output


@pytest.mark.slow
def test_thermal_spin_signal_decays_over_the_spin_flip_length_with_a_weak_detector():
    """With a detector that neither sinks spin nor heat (G → 0), the second-harmonic spin
    signal ΔR₂ = R₂(P) − R₂(AP) decays exactly as exp(−L/λ_N) between distances."""
    from spincaloric.layers import lateral_spin_valve, nonlocal_resistances

    cu = BulkMaterial(resistivity=30e-9, spin_flip_length=200e-9, seebeck=1.8e-6)
    py = BulkMaterial(resistivity=165e-9, spin_flip_length=5.5e-9, spin_asymmetry=0.73,
                      seebeck=-18e-6, spin_seebeck=-3.8e-6)
    link = ContactParameters.spin_independent(conductance=1.0, temperature=T)
    weak = ContactParameters.from_paper(conductance=1e-4, polarization=0.3, mixing=0.5,
                                        seebeck=0.0, polarization_derivative=0.0,
                                        mixing_derivative=0.5, temperature=T)

    def delta_r2(distance):
        r2 = []
        for m in ((0, 0, 1), (0, 0, -1)):
            dev = lateral_spin_valve(cu, length=12e-6, cross_section=5e-15, injector_at=4e-6,
                                     detector_at=4e-6 + distance, injector=link, detector=weak,
                                     cells=3000, temperature=T, detector_magnetization=m,
                                     injector_layer=py, injector_length=100e-9,
                                     injector_cells=20)
            r2.append(nonlocal_resistances(dev.finalize(), 1e-3)[1])
        return r2[0] - r2[1]

    a, b = delta_r2(0.6e-6), delta_r2(1.2e-6)
    assert 0.6e-6 / np.log(a / b) == pytest.approx(200e-9, rel=1e-3, abs=0)


@pytest.mark.parametrize("method", ["dense", "sparse"])
def test_a_ferromagnetic_layer_turns_as_one_magnet(method):
    """Overriding the magnetization of any vertex of a layer turns the whole layer: the result
    equals the stack built with that magnetization; two overrides of one layer are refused."""
    from spincaloric.layers import Interface, Layer, Lead, multilayer

    interface = Interface(ContactParameters.from_paper(
        conductance=0.08, polarization=0.69, mixing=0.64, seebeck=-4.5e-6,
        polarization_derivative=0.77, mixing_derivative=0.13, temperature=T))

    def pillar(m2):
        return multilayer([Lead("left", voltage=-1e-3, temperature=T + 2),
                           Layer("f1", CO, 10e-9, cells=4, magnetization=(0, 0, 1)),
                           interface, Layer("n", CU, 5e-9, cells=3), interface,
                           Layer("f2", CO, 6e-9, cells=5, magnetization=m2),
                           Lead("right")], area=AREA, temperature=T).finalize()

    c = pillar((0, 0, 1))
    assert c.magnet_nodes("f2_3") == tuple(f"f2_{i}" for i in range(6))
    assert set(c.magnet_nodes("f1_0")).isdisjoint(c.magnet_nodes("f2_0"))
    m = np.array([0.6, 0.0, 0.8])
    rebuilt = pillar(tuple(m)).solve(method=method)
    for node in ("f2_0", "f2_3"):
        sol = c.solve(magnetization={node: m}, method=method)
        np.testing.assert_allclose(sol.currents, rebuilt.currents,
                                   atol=1e-12 * np.abs(rebuilt.currents).max())
    # a batch over the layer's direction, too
    batch = c.solve(magnetization={"f2_2": np.stack([m, [0, 0, 1.0]])}, method=method)
    np.testing.assert_allclose(batch.currents[0], rebuilt.currents,
                               atol=1e-12 * np.abs(rebuilt.currents).max())
    with pytest.raises(DeviceError, match=r"magnetization\.f2_4: same magnet as 'f2_1'"):
        c.solve(magnetization={"f2_1": m, "f2_4": m})


@pytest.mark.parametrize("method", ["dense", "sparse"])
def test_thermal_conductivity_adds_lattice_heat_conduction(method):
    """A layer with a measured κ between two normal leads 1 K apart at open circuit: its heat
    current is κAΔT/L exactly (the lattice carries κ − (L0 − S²)σT beside the electrons), the
    profile is linear, entropy is produced as (κA/L)ΔT²/T² to first order; without κ the heat
    is the electrons' (L0 − S²)σTAΔT/L."""
    from spincaloric.constants import LORENZ

    length, kappa = 50e-9, 500.0
    results = {}
    for k in (None, kappa):
        cu = BulkMaterial(resistivity=2e-8, spin_flip_length=350e-9, seebeck=1.5e-6,
                          thermal_conductivity=k)
        dev = Device(temperature=T)
        dev.add_node("hot", "normal", reservoir=True, temperature=T + 1.0)
        dev.add_node("cold", "normal", reservoir=True, current=0.0)  # open circuit
        names = add_layer(dev, "cu", cu, length=length, area=AREA, cells=20, start="hot",
                          end="cold")
        sol = dev.finalize().solve(method=method)
        results[k] = sol
        q = np.array([float(c.heat_current) for c in sol.contacts])
        temps = np.array([float(sol.state(n).temperature) for n in names])
        np.testing.assert_allclose(q, q[0], rtol=1e-12)  # energy conserved in every cell
        np.testing.assert_allclose(temps, T + 1.0 - np.linspace(0, 1, 21), atol=1e-12)
    electrons = (LORENZ - 1.5e-6**2) / 2e-8 * T * AREA / length
    # heat current "into the device" from the hot lead: −(heat current of its contact)
    q_wf = abs(float(results[None].contacts[0].heat_current))
    q_kappa = abs(float(results[kappa].contacts[0].heat_current))
    assert q_wf == pytest.approx(electrons, rel=1e-9, abs=0)
    assert q_kappa == pytest.approx(kappa * AREA / length, rel=1e-9, abs=0)
    assert float(results[kappa].entropy_production) == pytest.approx(
        kappa * AREA / length / T**2, rel=1e-2, abs=0)


def test_lattice_heat_conduction_inputs():
    with pytest.raises(DeviceError, match=r"^thermal_conductivity: must be positive"):
        BulkMaterial(resistivity=2e-8, spin_flip_length=1e-7, thermal_conductivity=-1.0)
    low = BulkMaterial(resistivity=2e-8, spin_flip_length=1e-7, thermal_conductivity=100.0)
    dev = Device(temperature=T)  # L0σT = 366 W/(m K) > 100: the electrons alone carry more
    with pytest.raises(DeviceError, match=r"^layers\.x\.thermal_conductivity: 100 W/\(m K\) is "
                       r"below the electrons' own"):
        add_layer(dev, "x", low, length=1e-8, area=AREA, cells=2)
    dev = Device(temperature=T)
    dev.add_node("a", "normal", reservoir=True)
    dev.add_node("b", "normal")
    dev.add_contact("a", "b", link(1.0), heat_conductance=-1e-9)
    with pytest.raises(DeviceError, match=r"^contacts\[0\]\.heat_conductance: must be"):
        dev.finalize()
    from spincaloric.solvers.spectral import solve_elastic

    dev = Device(temperature=T)
    dev.add_node("a", "normal", reservoir=True)
    dev.add_node("b", "normal", reservoir=True)
    dev.add_contact("a", "b", link(1.0), heat_conductance=1e-9)
    with pytest.raises(DeviceError, match=r"^contacts\[0\]\.heat_conductance: lattice heat"):
        solve_elastic(dev.finalize(), points=501)


def test_thermal_conductivity_in_a_device_file(tmp_path):
    """``[layers.X] thermal_conductivity``: a Cr wire at open circuit carries κAΔT/L; a
    non-positive κ is a one-line error naming the field (exit status 2)."""
    from click.testing import CliRunner

    from spincaloric.cli import main
    from spincaloric.io import load_device

    text = """title = "Cr wire"
temperature = 300.0
[nodes.hot]
type = "normal"
reservoir = true
temperature = 301.0
[nodes.cold]
type = "normal"
reservoir = true
current = 0.0
[layers.w]
material = "Cr"
spin_flip_length = 10e-9
thermal_conductivity = 93.9
length = 50e-9
area = 1e-16
cells = 10
start = "hot"
end = "cold"
"""
    path = tmp_path / "cr.toml"
    path.write_text(text)
    sol = load_device(path).finalize().solve()
    assert abs(float(sol.contacts[0].heat_current)) == pytest.approx(93.9 * 1e-16 / 50e-9,
                                                                     rel=1e-9, abs=0)
    path.write_text(text.replace("thermal_conductivity = 93.9", "thermal_conductivity = -3.0"))
    res = CliRunner().invoke(main, ["solve", str(path)])
    assert res.exit_code == 2
    assert res.stderr.strip().endswith("layers.w.thermal_conductivity: must be positive "
                                       "(W/(m K)), got -3.0")


# ---- spin pumping through the joints of a stack --------------------------------------------------

def pumped_stack(joint):
    """Cu lead | interface | Co 3 nm (the moving free layer) | ``joint`` | Cu 5 nm | Cu lead;
    ``joint`` the parameters of an Interface, or None (a resistance-free link)."""
    from spincaloric.layers import Interface

    bottom = Interface(ContactParameters(2e-2, 0.5, 0.5e-2 + 0j))
    items = [Lead("bottom"), bottom, Layer("free", CO, 3e-9, cells=3, magnetization=(0, 0, 1))]
    items += [Interface(joint)] if joint is not None else []
    items += [Layer("cap", CU, 5e-9, cells=2), Lead("top")]
    return multilayer(items, area=AREA, temperature=T)


def test_a_moving_layer_does_not_pump_through_a_joint_without_an_interface():
    """The free layer's joint to the Cu cap has no interface: its link's placeholder mixing
    conductance (~1e7 S) would pump an α' of order 1e5; with pumping on the Simulation is
    refused naming the joint (stack[3], the cap it leads into) and asking for an interface.
    Pumping off, or an interface with its mixing conductance, is accepted; each of the
    layer's two interfaces then adds at most the α' of a sink of its G↑↓."""
    from spincaloric import analytic
    from spincaloric.dynamics import DynamicsError, MagnetParameters, Simulation
    from spincaloric.dynamics.resonance import resonance

    mag = MagnetParameters(saturation_magnetization=1.4e6, volume=3e-9 * AREA, damping=0.01,
                           applied_field=[0, 0, 0.5])
    circuit = pumped_stack(None).finalize()
    with pytest.raises(DynamicsError, match="without an interface") as err:
        Simulation(circuit, {"free": mag})
    assert err.value.field == "stack[3]"
    assert "'free'" in err.value.reason and "'cap_0'" in err.value.reason
    assert "mixing conductance" in err.value.reason
    Simulation(circuit, {"free": mag}, pumping=False)  # static torques only: accepted
    interface = ContactParameters(2e-2, 0.5, 0.5e-2 + 0j)
    sim = Simulation(pumped_stack(interface).finalize(), {"free": mag})
    alpha_p = resonance(sim, "free").damping - 0.01
    sink = analytic.pumping_damping(0.5e-2, 1.4e6, 3e-9 * AREA)  # each of its two interfaces
    assert sink < alpha_p <= 2 * sink * (1 + 1e-9)


def test_a_layer_looked_up_among_the_node_torques_points_to_the_magnet_torques():
    """Solution.torques is per node (a layer's by vertex); asking it for a layer's name says
    where the layer's torque is, a normal node's that no torque acts on it."""
    from spincaloric.materials import bulk_material

    co, cu = bulk_material("Co"), bulk_material("Cu")
    sol = multilayer([Lead("a", voltage=1e-3), Layer("fixed", co, 5e-9, cells=2,
                                                     magnetization=(0, 0, 1)),
                      Layer("spacer", cu, 3e-9, cells=2),
                      Layer("free", co, 2e-9, cells=2, magnetization=(1, 0, 0)), Lead("b")],
                     area=1e-16, temperature=300.0).finalize().solve()
    with pytest.raises(KeyError, match=r"'free' is a layer: its torque is "
                       r"Solution\.magnet_torques\['free'\]"):
        sol.torques["free"]
    with pytest.raises(KeyError, match="'spacer_0' is not a ferromagnet"):
        sol.torques["spacer_0"]
    with pytest.raises(KeyError, match="did you mean 'free'"):
        sol.torques["fre"]
    np.testing.assert_allclose(sol.magnet_torques["free"],
                               sum(sol.torques[f"free_{i}"] for i in range(3)), rtol=1e-12)


def _mtj_stack(bottom_joint, regime="thermalized"):
    """An MTJ pillar (~10⁻⁶ S barrier) with a Cu cap, its other joints ~10⁷ S resistance-free
    links, the biased lead joined to the fixed layer by ``bottom_joint`` (None: a link)."""
    from spincaloric.circuit.tunnel import MagneticTunnelJunction
    from spincaloric.materials.bulk import bulk_material

    area = 1.26e-15
    mtj = MagneticTunnelJunction(1e-9, 1.0, -100e-6, -80e-6, 300.0)
    co = bulk_material("Co")
    joint = [] if bottom_joint is None else [Interface(bottom_joint)]
    return multilayer([Lead("bottom", voltage=1e-3, temperature=301.0), *joint,
                       Layer("fixed", co, 10e-9, cells=10, magnetization=(0, 0, 1)),
                       Interface(mtj.junction(area)),
                       Layer("free", co, 2e-9, cells=2, magnetization=(1, 0, 0)),
                       Layer("cap", bulk_material("Cu"), 5e-9, cells=3), Lead("top")],
                      area=area, temperature=300.0, regime=regime).finalize()


@pytest.mark.parametrize("regime", ["thermalized", "noninteracting"])
@pytest.mark.parametrize("method", ["dense", "sparse"])
def test_links_beside_a_tunnel_barrier_carry_the_currents_kirchhoff_requires(method, regime):
    """Beside an MTJ (~10⁻⁶ S) a ~10⁷ S link's G ΔV is round-off of potentials equal to 16
    digits (good to ~10⁻³); its current comes from the balance at one end instead. Charge is
    conserved along the stack: every contact — links (N|F, N|N, lead|F), bulk cells, the
    barrier — carries the barrier's charge current to the cells' own precision (~10⁻⁸), and
    every component balances at every internal node, also at the ends that did not set a
    link's current (the transverse spin current into the free layer among them)."""
    import warnings

    from random_circuits import node_outflow, node_sinks
    from spincaloric.solvers.linear import PrecisionWarning

    circuit = _mtj_stack(None, regime)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrecisionWarning)
        sol = circuit.solve(method=method, magnetization={"free_0": [(1, 0, 0), (0.6, 0.8, 0)]})
    assert np.asarray(circuit.ideal_links).sum() == 3
    charge = sol.currents[..., 0]
    np.testing.assert_allclose(charge, np.broadcast_to(charge[:, :1], charge.shape), rtol=5e-8,
                               atol=0)
    scale = np.abs(sol.currents).max(axis=-2, keepdims=True)  # per component
    out = node_outflow(circuit, sol.currents) + node_sinks(circuit, sol.states)
    ni = regime == "noninteracting"
    for n in circuit.internal:
        o = out[:, n]
        if circuit.ferromagnet[n]:  # balances along m (transverse spin is absorbed)
            m = sol.magnetizations[:, n]
            o = np.concatenate([o[:, :1], np.einsum("pi,pi->p", o[:, 1:4], m)[:, None],
                                o[:, 4:5]], axis=1)
            s = scale[:, 0, [0, 1, 4]]
        else:
            o, s = o[:, :8 if ni else 5], scale[:, 0, :8 if ni else 5]
        assert np.all(np.abs(o) <= 1e-7 * s), circuit.names[n]


def test_a_stiff_contact_beside_a_tunnel_barrier_warns_that_its_currents_are_imprecise():
    """A contact of the user's own ~10⁷ S beside an MTJ: its G ΔV is round-off of potentials
    equal to 16 digits, so charge balances at its nodes only to ~10⁻³ — a PrecisionWarning
    names the node. The same stack with its links alone solves silently."""
    import warnings

    from spincaloric.solvers.linear import PrecisionWarning

    stiff = ContactParameters.spin_independent(conductance=1e7, seebeck=0.0, temperature=300.0)
    with pytest.warns(PrecisionWarning, match=r"charge balances at node 'fixed_0' only"):
        _mtj_stack(stiff).solve()
    with warnings.catch_warnings():
        warnings.simplefilter("error", PrecisionWarning)
        _mtj_stack(None).solve()


def test_a_normal_metal_given_a_magnetization_warns_at_the_users_line():
    """Cu made a ferromagnetic layer (β = 0, S_s = 0) polarizes nothing, yet its exchange
    field would remove the transverse spin accumulation a Cu layer carries: a warning naming
    the field, pointing at the caller's line; a real ferromagnet's layer is silent."""
    dev = Device(temperature=T)
    with pytest.warns(UserWarning, match=r"^layers\.x\.magnetization: the material has no "
                      r"spin asymmetry") as record:
        add_layer(dev, "x", CU, length=1e-9, area=AREA, cells=3, magnetization=(0, 0, 1))
    assert record[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        add_layer(dev, "y", CO, length=1e-9, area=AREA, cells=3, magnetization=(0, 0, 1))
