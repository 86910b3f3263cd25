"""Heat capacities and transient temperatures integrated with the magnetization dynamics:
closed forms (RC circuit, two-temperature model), the static limit, energy conservation and
the agreement with the compiled integrators when the nodes store no heat."""

import numpy as np
import pytest
from scipy.linalg import expm
from scipy.special import erfc

from spincaloric import ContactParameters, Device, DeviceError
from spincaloric.dynamics import MagnetParameters, drives
from spincaloric.dynamics.simulation import DynamicsError, Simulation
from spincaloric.dynamics.transient import TransientRhs

T0 = 300.0
CONTACT = ContactParameters.from_paper(conductance=2e-2, polarization=0.5, mixing=0.7,
                                       seebeck=-4.5e-6, polarization_derivative=0.77,
                                       mixing_derivative=0.13, temperature=T0)


def pillar(free_m=(0.0, 0.0, 1.0), voltage=0.0, regime="thermalized", **spacer):
    """fixed (reservoir) | spacer | free (internal magnet) | lead; the spacer takes
    ``spacer`` (heat capacities, bath, ...), the free layer stores no heat unless told."""
    free_heat = {k[5:]: spacer.pop(k) for k in list(spacer) if k.startswith("free_")}
    dev = Device(temperature=T0, regime=regime)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("spacer", "normal", spin_flip=2e-3, **spacer)
    dev.add_node("free", "ferromagnet", magnetization=list(free_m), spin_flip=5e-3, **free_heat)
    dev.add_node("lead", "normal", reservoir=True, voltage=voltage)
    dev.add_contact("fixed", "spacer", CONTACT)
    dev.add_contact("spacer", "free", CONTACT)
    dev.add_contact("free", "lead", CONTACT)
    return dev.finalize()


def magnet(axis=(0.0, 0.0, 1.0), anisotropy=1.0):
    return MagnetParameters(saturation_magnetization=1.1e6, volume=2e-24, damping=0.01,
                            anisotropy_field=anisotropy, anisotropy_axis=list(axis))


def conductance(c, node="spacer", power=1e-6):
    """Heat conductance (W/K) from ``node`` to the rest, from a static solve."""
    return power / (c.solve(heat={node: power}).state(node).temperature - T0)


def test_rc_step_and_gaussian_pulse_follow_the_closed_forms():
    """One node of capacity C and conductance K: a power step gives (P/K)(1 − e^{−t/τ}),
    a Gaussian pulse of energy E the convolution (E/C) e^{−x/τ + σ²/2τ²} erfc(...)/2."""
    cap = 1e-16
    c = pillar(heat_capacity=cap, bath=2e-6)  # m collinear: no torque, K constant
    k = conductance(pillar(bath=2e-6))
    tau, p = cap / k, 1e-6
    sim = Simulation(c, {"free": magnet()},
                     {("spacer", "heat"): drives.Step(before=0.0, after=p, time=1e-12)})
    tr = sim.run(10 * tau, n_save=101, rtol=1e-10, atol=1e-12)
    t = tr.time
    step = np.where(t >= 1e-12, (p / k) * (1 - np.exp(-(t - 1e-12) / tau)), 0.0)
    np.testing.assert_allclose(tr.temperature("spacer")[0] - T0, step, rtol=0,
                               atol=1e-6 * p / k)
    energy, sigma, center = p * tau, 0.3 * tau, 2 * tau
    pulse = drives.GaussianPulse(base=0.0, amplitude=energy / (sigma * np.sqrt(2 * np.pi)),
                                 center=center, width=sigma)
    tr = Simulation(c, {"free": magnet()}, {("spacer", "heat"): pulse}).run(
        8 * tau, n_save=201, rtol=1e-10, atol=1e-12)
    x = tr.time - center
    exact = (energy / cap) * np.exp(-x / tau + sigma**2 / (2 * tau**2)) * 0.5 * erfc(
        (sigma**2 / tau - x) / (sigma * np.sqrt(2)))
    np.testing.assert_allclose(tr.temperature("spacer")[0] - T0, exact, rtol=0,
                               atol=1e-6 * exact.max())


def test_two_temperature_node_follows_the_matrix_exponential():
    """Electrons (C_e, to the leads K and to the lattice G_ep) and lattice (C_l, to the
    substrate G_b) under a power step: θ(t) = A⁻¹(1 − e^{−At}) b; the static solve sees
    G_ep and G_b in series."""
    ce, cl, gep, gb, p = 2e-18, 1e-16, 5e-5, 3e-6, 1e-6
    c = pillar(heat_capacity=ce, lattice_heat_capacity=cl, electron_phonon=gep, bath=gb)
    k = conductance(pillar())
    assert conductance(c) == pytest.approx(k + gep * gb / (gep + gb), rel=1e-12, abs=0)
    sim = Simulation(c, {"free": magnet()},
                     {("spacer", "heat"): drives.Step(before=0.0, after=p, time=0.0)})
    tr = sim.run(2e-10, n_save=101, rtol=1e-10, atol=1e-13)
    a = np.array([[(k + gep) / ce, -gep / ce], [-gep / cl, (gep + gb) / cl]])
    b = np.array([p / ce, 0.0])
    exact = np.array([np.linalg.solve(a, (np.eye(2) - expm(-a * t)) @ b) for t in tr.time])
    got = np.stack([tr.temperature("spacer")[0], tr.temperature("spacer", lattice=True)[0]],
                   axis=-1) - T0
    np.testing.assert_allclose(got, exact, rtol=0, atol=1e-7 * np.abs(exact).max())
    assert tr.temperature_nodes == ("spacer", "spacer/lattice")


def test_electrons_without_capacity_follow_their_lattice_instantly():
    """C_e = 0: the electrons are quasi-static; the lattice alone is a state, and relaxes
    with C_l/(G_b + G_ep K/(G_ep + K))."""
    cl, gep, gb, p = 1e-16, 5e-5, 3e-6, 1e-6
    c = pillar(lattice_heat_capacity=cl, electron_phonon=gep, bath=gb)
    k = conductance(pillar())
    sim = Simulation(c, {"free": magnet()},
                     {("spacer", "heat"): drives.Step(before=0.0, after=p, time=0.0)})
    assert sim.transient
    tr = sim.run(1e-10, n_save=51, rtol=1e-10, atol=1e-13)
    assert tr.temperature_nodes == ("spacer/lattice",)
    # electrons: P + G_ep θ_l = (K + G_ep) θ_e; lattice: C_l θ̇_l = G_ep(θ_e − θ_l) − G_b θ_l
    rate = (gb + gep * k / (gep + k)) / cl
    final = (gep * p / (gep + k)) / (cl * rate)
    exact = final * (1 - np.exp(-rate * tr.time))
    np.testing.assert_allclose(tr.temperature("spacer", lattice=True)[0] - T0, exact,
                               rtol=0, atol=1e-7 * final)


def test_steady_state_of_a_transient_run_is_the_static_solve():
    """A tilted magnet held still (no torque, its field along m), a voltage bias (Peltier
    heat) and a constant heat input: the temperatures and the circuit settle where a
    static solve with the same heat input puts them."""
    m = np.array([0.6, 0.0, 0.8])
    kw = dict(heat_capacity=3e-17, bath=1e-6, lattice_heat_capacity=5e-17,
              electron_phonon=2e-5, free_heat_capacity=2e-17)
    c = pillar(free_m=m, voltage=2e-3, **kw)
    p = 2e-6
    sim = Simulation(c, {"free": magnet(axis=m)}, {("spacer", "heat"): drives.Constant(p)},
                     torque="none")
    tr = sim.run(2e-9, n_save=3, rtol=1e-10, atol=1e-13)
    static = c.solve(magnetization={"free": m}, heat={"spacer": p})
    for node in ("spacer", "free"):
        assert tr.temperature(node)[0, -1] == pytest.approx(
            static.state(node).temperature, abs=1e-9)
        assert tr.circuit_solution.state(node).voltage[0, -1] == pytest.approx(
            static.state(node).voltage, rel=1e-9, abs=0)
    # in steady state the lattice sits between the electrons and the substrate
    rise = static.state("spacer").temperature - T0
    assert tr.temperature("spacer", lattice=True)[0, -1] - T0 == pytest.approx(
        rise * 2e-5 / (2e-5 + 1e-6), rel=1e-8, abs=0)


def heat_into_baths(tr, c):
    """(E, S) W leaving the device: into every reservoir (its contacts' heat currents) and
    into the substrate (the baths of electrons and lattice nodes)."""
    sol = tr.circuit_solution
    out = 0.0
    for k, r in enumerate(sol.contacts):
        a, b = c.ends[k]
        out = out + r.heat_current * (float(c.reservoir[b]) - float(c.reservoir[a]))
    for i in np.flatnonzero(~c.reservoir):  # electrons' and lattices' baths alike
        out = out + c.bath[i] * (sol.state(c.names[i]).temperature - T0)
    return out


def test_energy_is_conserved_over_a_switching_run():
    """Absorbed energy = heat delivered to the leads and the substrate + the change of stored
    heat, over a run in which the free layer turns under a current bias (Peltier and
    thermoelectric heat currents change with m) and a heat pulse."""
    kw = dict(heat_capacity=3e-19, bath=1e-6, lattice_heat_capacity=5e-18,
              electron_phonon=2e-5, free_heat_capacity=2e-18)
    c = pillar(free_m=(0.3, 0.1, 0.95), voltage=-2e-2, **kw)
    pulse = drives.GaussianPulse(base=0.0, amplitude=2e-5, center=0.1e-9, width=0.03e-9)
    sim = Simulation(c, {"free": magnet(anisotropy=0.05)}, {("spacer", "heat"): pulse},
                     pumping=False)
    tr = sim.run(0.4e-9, n_save=4001, rtol=1e-10, atol=1e-12)
    m = tr.magnetization("free")[0]
    assert np.degrees(np.arccos(np.clip(m[0] @ m[-1], -1, 1))) > 5  # the magnet moved
    t = tr.time
    absorbed = np.trapezoid(pulse(t), t)
    delivered = np.trapezoid(heat_into_baths(tr, c)[0], t)
    stored = sum(cap * (tr.temperature(n, lattice=lat)[0, -1]
                        - tr.temperature(n, lattice=lat)[0, 0]) for n, cap, lat in (("spacer", 3e-19, False), ("spacer", 5e-18, True),
                                     ("free", 2e-18, False)))
    # (in linear response a bias alone delivers no net heat: the heat currents are conserved)
    assert absorbed == pytest.approx(delivered + stored, rel=1e-6, abs=0)
    assert abs(stored) > 1e-4 * absorbed  # the stores took part


def test_heat_residual_with_pumping_is_the_numpy_reference():
    """The transient right-hand side (compiled stages with spin pumping) gives the NumPy
    reference's heat residual at the solved ṁ, and C dT/dt = −ρ."""
    c = pillar(free_m=(0.3, 0.1, 0.95), voltage=-2e-2, heat_capacity=3e-19,
               free_heat_capacity=2e-18, bath=1e-6)
    sim = Simulation(c, {"free": magnet(anisotropy=0.05)},
                     {("spacer", "heat"): drives.Constant(1e-6)})
    mp, mv, _ = sim._magnet_arrays(1)
    rhs = TransientRhs(sim, mp[0], mv[0], np.zeros((1, 4)), np.ones(1), 1e-9)
    state = np.array([0.3, 0.1, 0.95, 0.02, -0.01])
    state[:3] /= np.linalg.norm(state[:3])
    rate = rhs(0.0, state)
    tm = sim.model
    d = rhs.drive(0.0).copy()
    d[tm.heat.slots] = state[3:]
    rho = tm.heat_residual(state[None, :3], d, rate[None, :3])
    np.testing.assert_allclose(rate[3:], -rho / tm.heat.capacity, rtol=1e-9)
    assert np.abs(rho).max() > 1e-9  # not at rest


def test_a_tiny_capacity_reproduces_the_quasi_static_run():
    """As C → 0 the node's temperature follows its heat balance instantly: the transient
    integration of a switching run agrees with the compiled integrator of the same circuit
    without capacity (both with spin pumping)."""
    pulse = drives.GaussianPulse(base=0.0, amplitude=4e-5, center=0.2e-9, width=0.05e-9)
    m0 = (0.3, 0.1, 0.95)
    runs = []
    for cap in (0.0, 1e-22):
        c = pillar(free_m=m0, voltage=-1e-2, heat_capacity=cap, bath=1e-6)
        sim = Simulation(c, {"free": magnet(anisotropy=0.05)}, {("spacer", "heat"): pulse})
        runs.append(sim.run(0.6e-9, n_save=61, rtol=1e-10, atol=1e-12))
    np.testing.assert_allclose(runs[1].m, runs[0].m, atol=2e-6)
    # the compiled integrators see the pulse as a table sampled to 1e-4 of its peak
    rise = runs[0].circuit_solution.state("spacer").temperature - T0
    np.testing.assert_allclose(runs[1].circuit_solution.state("spacer").temperature - T0,
                               rise, rtol=0, atol=1e-4 * rise.max())


@pytest.mark.parametrize("field, kw, why", [
    ("nodes.n.heat_capacity", dict(heat_capacity=-1.0), ">= 0"),
    ("nodes.n.heat_capacity", dict(heat_capacity=float("nan")), "finite"),
    ("nodes.n.lattice_heat_capacity", dict(lattice_heat_capacity=1e-16), "electron_phonon"),
    ("nodes.n.electron_phonon", dict(electron_phonon=-1e-6), ">= 0"),
])
def test_bad_heat_storage_is_refused_naming_the_field(field, kw, why):
    dev = Device(temperature=T0)
    with pytest.raises(DeviceError) as err:
        dev.add_node("n", "normal", **kw)
    assert err.value.field == field and why in str(err.value)
    with pytest.raises(DeviceError, match="nodes.r.heat_capacity: only an internal node"):
        dev.add_node("r", "normal", reservoir=True, heat_capacity=1e-16)


def test_transient_runs_refuse_noise_and_fixed_steps():
    sim = Simulation(pillar(heat_capacity=1e-16), {"free": magnet()})
    with pytest.raises(DynamicsError, match="temperature_noise"):
        sim.run(1e-10, temperature_noise=True)
    with pytest.raises(DynamicsError, match="method.*lsoda"):
        sim.run(1e-10, method="rk4")


def test_a_power_that_cools_below_zero_is_refused():
    sim = Simulation(pillar(heat_capacity=1e-16), {"free": magnet()},
                     {("spacer", "heat"): drives.Constant(-1.0)})
    with pytest.raises((DynamicsError, DeviceError), match="temperature|heat"):
        sim.run(1e-10)


def electrical_power(tr, c):
    """(E, S) W the reservoirs deliver: Σ electric potential × conventional current into the
    device, from the contacts' currents of the saved states."""
    sol = tr.circuit_solution
    power = 0.0
    for k, r in enumerate(sol.contacts):
        a, b = c.ends[k]
        for node, sign in ((a, 1.0), (b, -1.0)):  # current leaving a reservoir into the device
            if c.reservoir[node]:
                potential = sol.state(c.names[node]).voltage
                power = power + sign * potential * r.charge_current
    return power


@pytest.mark.slow
def test_joule_heating_resolved_in_time_conserves_energy():
    """A current pulse through the pillar, its Joule heat deposited at every evaluation:
    the absorbed laser energy plus the electrical work of the leads equals the heat delivered
    to leads and substrate (with the leads' own halves of the Joule heat) plus the stored
    heat; and without the Joule heat the run stays colder."""
    kw = dict(heat_capacity=3e-19, bath=1e-6, free_heat_capacity=2e-18)
    c = pillar(free_m=(0.3, 0.1, 0.95), **kw)
    bias = drives.RectangularPulse(base=0.0, amplitude=-5e-2, start=0.05e-9, duration=0.2e-9,
                                   rise=0.02e-9)
    laser = drives.GaussianPulse(base=0.0, amplitude=5e-6, center=0.1e-9, width=0.03e-9)
    runs = {}
    for joule in (True, False):
        sim = Simulation(c, {"free": magnet(anisotropy=0.05)},
                         {("lead", "voltage"): bias, ("spacer", "heat"): laser}, pumping=False,
                         joule_heating=joule)
        runs[joule] = sim.run(0.4e-9, n_save=4001, rtol=1e-10, atol=1e-12)
    tr = runs[True]
    t = tr.time
    from spincaloric.circuit.solution import joule_heat_of

    sol = tr.circuit_solution
    halves = joule_heat_of(c, sol.states, sol.currents)[..., c.reservoir].sum(axis=-1)[0]
    supplied = np.trapezoid(laser(t) + electrical_power(tr, c)[0], t)
    delivered = np.trapezoid(heat_into_baths(tr, c)[0] + halves, t)
    stored = sum(cap * (tr.temperature(n)[0, -1] - tr.temperature(n)[0, 0])
                 for n, cap in (("spacer", 3e-19), ("free", 2e-18)))
    assert supplied == pytest.approx(delivered + stored, rel=1e-6, abs=0)
    joule = np.trapezoid(electrical_power(tr, c)[0], t)
    assert joule > 0.1 * np.trapezoid(laser(t), t)  # the Joule heat matters here
    hotter = runs[True].temperature("free")[0] - runs[False].temperature("free")[0]
    assert hotter.max() > 1e-3 and hotter.min() > -1e-9


def test_a_short_intense_pulse_warns_beyond_linear_response():
    """The integrated temperatures, not only the drives' steady extremes, are checked: a
    20 ps pulse that heats the node by far more than 0.2 T warns (naming |ΔT|/T)."""
    from spincaloric.linear_response import LinearResponseWarning

    c = pillar(heat_capacity=1e-17, bath=1e-6)
    pulse = drives.GaussianPulse(base=0.0, amplitude=2e-2, center=5e-11, width=2e-11)
    sim = Simulation(c, {"free": magnet()}, {("spacer", "heat"): pulse})
    with pytest.warns(LinearResponseWarning, match=r"\|ΔT\|/T"):
        sim.run(2e-10, n_save=11)


def test_a_drive_edge_between_saved_instants_and_a_lattice_behind_quasi_static_electrons():
    """A pulse whose edges fall between saved instants runs (the integration steps onto
    them); with quasi-static electrons on a two-temperature node the saved circuit state
    takes the lattice's heat back: the electrons end where the static solve puts them."""
    c = pillar(lattice_heat_capacity=1e-16, electron_phonon=1e-6, bath=1e-6)
    pulse = drives.RectangularPulse(base=0.0, amplitude=1e-6, start=0.1e-9, duration=2e-9,
                                    rise=1e-12)
    sim = Simulation(c, {"free": magnet()}, {("spacer", "heat"): pulse})
    tr = sim.run(2e-9, n_save=11, rtol=1e-10, atol=1e-13)
    static = c.solve(heat={"spacer": 1e-6}).state("spacer").temperature
    # the lattice relaxes in C_l/(G_b + G_ep K/(G_ep + K)) ≈ 50 ps: settled by 2 ns
    assert tr.circuit_solution.state("spacer").temperature[0, -1] == pytest.approx(
        static, rel=0, abs=1e-9)
    with pytest.raises(DynamicsError, match="not a state of the run"):
        tr.temperature("spacer")
    with pytest.raises(DynamicsError, match="a reservoir"):
        tr.temperature("lead")


def test_device_file_method_and_laser_on_a_reservoir(tmp_path):
    """A [simulation] block copied from a device without capacities (method = "rk45") runs
    a device with them, as does method = "lsoda"; a [laser] that names a reservoir is refused
    naming the laser's field."""
    from pathlib import Path

    from spincaloric.io import read_toml
    from spincaloric.io.devicefile import spec_from_dict

    device = Path(__file__).parent.parent / "examples" / "devices" / "laser_heated_pillar.toml"
    raw = read_toml(device)
    for method in ("rk45", "lsoda"):
        raw["simulation"] = {"until": 2e-10, "n_save": 3, "method": method}
        spec = spec_from_dict(raw, base=device.parent)
        sim, opts = spec.simulation_for(spec.device.finalize(), 2e-10)
        assert sim.run(2e-10, **opts).method == "lsoda"
    raw.pop("drives")
    raw["laser"] = {"area": 1.26e-15, "fwhm": 1e-12, "center": 3e-12, "fluence": 1.0,
                    "absorbed": {"bottom": 0.1}}
    with pytest.raises(DeviceError, match="laser.absorbed.bottom: a reservoir absorbs no heat"):
        spec_from_dict(raw, base=device.parent)


def test_a_volumetric_value_typed_as_a_node_capacity_is_refused():
    dev = Device(temperature=T0)
    with pytest.raises(DeviceError, match=r"nodes.n.heat_capacity: 3.73e\+06 J/K is no node"):
        dev.add_node("n", "normal", heat_capacity=3.73e6)


def test_run_reports_peak_temperatures(tmp_path):
    """`run --json` carries the peak temperature of every node the run integrates."""
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from spincaloric.cli import main

    device = Path(__file__).parent.parent / "examples" / "devices" / "laser_heated_pillar.toml"
    res = CliRunner().invoke(main, ["run", str(device), "--until", "1ns", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output.strip().splitlines()[-1])
    assert set(doc["peak_temperature"]) == {"fixed", "spacer", "free"}
    assert doc["peak_temperature"]["free"] > doc["peak_temperature"]["fixed"] > T0


def test_peaks_between_saved_instants_and_a_two_temperature_file_with_a_magnet():
    """A 20 ps pulse peaks between three saved instants: the reported peak (and the
    linear-response check) follows the integrator's steps. A device file with a
    two-temperature node and a dynamic magnet loads and runs; lsoda is refused where no
    node stores heat."""
    from pathlib import Path

    from spincaloric.io import read_toml
    from spincaloric.io.devicefile import spec_from_dict

    c = pillar(heat_capacity=1e-17, bath=1e-6)
    pulse = drives.GaussianPulse(base=0.0, amplitude=1e-4, center=0.13e-9, width=1e-11)
    tr = Simulation(c, {"free": magnet()}, {("spacer", "heat"): pulse}).run(0.5e-9, n_save=3)
    assert tr.peak_temperatures()["spacer"] > tr.temperature("spacer").max() + 1.0
    device = Path(__file__).parent.parent / "examples" / "devices" / "laser_heated_pillar.toml"
    raw = read_toml(device)
    raw["nodes"]["fixed"].update(electron_phonon=1e-5, lattice_heat_capacity=4e-17)
    spec = spec_from_dict(raw, base=device.parent)
    sim, _ = spec.simulation_for(spec.device.finalize(), 2e-10)
    assert "fixed/lattice" in sim.run(2e-10, n_save=3).temperature_nodes
    with pytest.raises(DynamicsError, match="method: 'lsoda' integrates runs whose nodes"):
        Simulation(pillar(), {"free": magnet()}).run(1e-10, method="lsoda")


def test_a_heat_link_in_a_device_file(tmp_path):
    """`heat_link = G` joins a lattice to a reservoir (an interface's phonon conductance):
    the lattice sits where G_ep, the link and the electrons' rise put it; a negative one is
    refused naming the field."""
    from spincaloric.io import load_device

    text = """temperature = 300.0
[nodes.a]
type = "normal"
reservoir = true
temperature = 310.0
[nodes.m]
type = "normal"
electron_phonon = 1e-6
[nodes.b]
type = "normal"
reservoir = true
[[contacts]]
between = ["a", "m"]
conductance = 0.01
seebeck = 0.0
[[contacts]]
between = ["m", "b"]
conductance = 0.01
seebeck = 0.0
[[contacts]]
between = ["m/lattice", "b"]
heat_link = 2e-6
"""
    path = tmp_path / "link.toml"
    path.write_text(text)
    sol = load_device(path).solve()
    rise = sol.state("m").temperature - T0
    assert sol.state("m/lattice").temperature - T0 == pytest.approx(
        rise * 1e-6 / (1e-6 + 2e-6), rel=1e-10, abs=0)
    path.write_text(text.replace("heat_link = 2e-6", "heat_link = -2e-6"))
    with pytest.raises(DeviceError, match=r"contacts\[2\]\.heat_link: must be a heat"):
        load_device(path)


def test_a_sweep_over_a_heat_capacity_is_refused():
    """A heat capacity cannot change a steady state: sweeping it is refused by name."""
    from pathlib import Path

    from spincaloric.io import read_toml
    from spincaloric.studies.sweep import sweep_file

    device = Path(__file__).parent.parent / "examples" / "devices" / "laser_heated_pillar.toml"
    with pytest.raises(DeviceError, match=r"vary\.nodes\.free\.heat_capacity: a heat capacity"):
        sweep_file(read_toml(device), [("nodes.free.heat_capacity", [1e-18, 2e-18])])
